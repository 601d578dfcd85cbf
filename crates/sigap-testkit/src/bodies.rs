//! Realistic request bodies: a report as an Indonesian reporter would write it, and the
//! records of each workflow step as the CSIRT, the domain officer, the agency and the
//! Regional Secretary would fill them in.

use serde_json::{Value, json};

use crate::seed::DOMAIN_A;

/// A CVSS 3.1 vector scoring 9.8 (critical band, SOP level high).
pub const CVSS_HIGH: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
/// A CVSS 3.1 vector scoring 4.3 (medium band, SOP level low).
pub const CVSS_LOW: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:N/A:N";

/// The first bytes of a PNG file (enough for content sniffing).
pub const PNG_BYTES: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89";
/// The first bytes of a Windows executable.
pub const EXE_BYTES: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00\x00\x00\x00\x00\x00\x00@\x00";
/// The first bytes of a zip archive.
pub const ZIP_BYTES: &[u8] = b"PK\x03\x04\x14\x00\x00\x00\x08\x00\x00\x00!\x00\x00\x00\x00\x00";

/// A complete, valid report of an SQL injection on a subdomain of agency A's system.
pub fn valid_report() -> Value {
    report_on("https://ppdb.disdik.batam.go.id/pendaftaran/cari?nisn=0051234567")
}

/// A complete, valid report on `target`.
pub fn report_on(target: &str) -> Value {
    json!({
        "reporter_name": "Budi Santoso",
        "reporter_email": "budi.santoso@example.com",
        "reporter_phone": "+62 812-3456-7890",
        "severity": "high",
        "vulnerability_type": "CWE-89",
        "target": target,
        "title": "Injeksi SQL pada formulir pencarian pendaftaran",
        "description": "Parameter nisn pada halaman pencarian tidak disaring sehingga penyerang \
                        dapat membaca seluruh isi basis data pendaftar, termasuk NIK dan alamat.",
        "proof_of_concept": "sqlmap -u 'https://ppdb.disdik.batam.go.id/pendaftaran/cari?nisn=1' \
                             -p nisn --dbs menampilkan daftar basis data.",
        "evidence_text": "[12/Aug/2026:10:15:02 +0700] GET /pendaftaran/cari?nisn=1%27%20OR%201=1-- 200 48213",
        "cvss_vector": CVSS_HIGH,
    })
}

/// `validate`: valid, through the ticket; links `system` when given.
pub fn validate(system: Option<&str>) -> Value {
    let mut body = json!({
        "valid": true,
        "method": "ticket",
        "findings": "Laporan diverifikasi ulang oleh tim: parameter nisn rentan injeksi SQL.",
    });
    if let Some(system) = system {
        body["system"] = json!(system);
    }
    body
}

/// `validate` linking agency A's system by its domain.
pub fn validate_linking_a() -> Value {
    validate(Some(DOMAIN_A))
}

/// `validate`: not valid.
pub fn reject() -> Value {
    json!({
        "valid": false,
        "method": "ticket",
        "findings": "Tidak dapat direproduksi: halaman yang dilaporkan adalah situs uji coba pihak ketiga.",
        "reason_for_reporter": "Laporan tidak dapat kami tindak lanjuti: alamat yang dilaporkan bukan sistem Pemerintah Kota Batam, melainkan situs uji coba pihak ketiga.",
    })
}

/// `assess`: high, with a CVSS 3.1 vector of the critical band.
pub fn assess_high() -> Value {
    json!({"criticality": "high", "cvss_vector": CVSS_HIGH, "personal_data_affected": true})
}

/// `assess`: low, with a CVSS 3.1 vector of the medium band.
pub fn assess_low() -> Value {
    json!({"criticality": "low", "cvss_vector": CVSS_LOW})
}

/// `block` (or `unblock`): manual, with the proof as text.
pub fn block_text() -> Value {
    json!({
        "method": "manual",
        "notes": "Subdomain diarahkan ke halaman pemeliharaan.",
        "evidence_text": "nginx: server ppdb.disdik.batam.go.id return 503; diuji 10:42 WIB, halaman pemeliharaan tampil.",
    })
}

/// `unblock`: manual, with the proof as text.
pub fn unblock_text() -> Value {
    json!({
        "method": "manual",
        "notes": "Layanan diaktifkan kembali setelah perbaikan diverifikasi.",
        "evidence_text": "curl -I https://ppdb.disdik.batam.go.id/ -> HTTP/1.1 200 OK",
    })
}

/// `notify_agency`: a warning concerning the unit that runs the system.
pub fn notify() -> Value {
    json!({
        "recommendation": "warning",
        "summary": "Ditemukan kerentanan injeksi SQL tingkat tinggi pada sistem Saudara; layanan diblokir sementara.",
        "concerns": "Bidang Teknologi Informasi Dinas Pendidikan",
    })
}

/// `submit_remediation` with the proof as text.
pub fn remediation() -> Value {
    json!({
        "summary": "Kueri diganti dengan prepared statement; input nisn divalidasi hanya angka.",
        "evidence_text": "commit 3f2a9c1: gunakan parameter terikat pada pencarian pendaftar",
    })
}

/// `send_follow_up`.
pub fn follow_up() -> Value {
    json!({"content": "Dengan hormat, bersama ini kami sampaikan hasil tindak lanjut perbaikan kerentanan."})
}

/// `review`: fixed (*Sudah*) or not yet (*Belum*).
pub fn review(fixed: bool) -> Value {
    json!({
        "fixed": fixed,
        "attendees": ["Ketua Tim CSIRT", "Analis Keamanan", "Perwakilan Dinas Pendidikan"],
        "notes": if fixed { "Perbaikan terverifikasi; uji ulang tidak menemukan celah." } else { "Uji ulang masih menemukan celah pada parameter lain." },
    })
}

/// `approve_reactivation`.
pub fn approve(approved: bool) -> Value {
    json!({
        "approved": approved,
        "notes": if approved { "Disetujui untuk diaktifkan kembali." } else { "Belum disetujui: lakukan audit keamanan menyeluruh terlebih dahulu." },
    })
}

/// `close`.
pub fn close() -> Value {
    json!({"notes": "Tiket ditutup; seluruh langkah SOP telah dilaksanakan."})
}

/// `comment` with a visibility.
pub fn comment(body: &str, visibility: &str) -> Value {
    json!({"body": body, "visibility": visibility})
}

/// The next step of the high path for `ticket` (as the CSIRT sees it): who does it, the
/// action and its standard records. Validation links agency A's system when the ticket has
/// none; the remediation is submitted by the CSIRT on the agency's behalf; approval is given
/// when asked. `None` when the ticket is closed or in a state the path does not pass.
pub fn next_step(ticket: &Value) -> Option<(&'static str, &'static str, Value)> {
    Some(match ticket["state"].as_str()? {
        "queued" => {
            let system = ticket["system"].is_null().then_some(DOMAIN_A);
            ("csirt", "validate", validate(system))
        }
        "assessing" => ("csirt", "assess", assess_high()),
        "awaiting_block" => ("domain_officer", "block", block_text()),
        "notifying" => ("csirt", "notify_agency", notify()),
        "remediating" => ("csirt", "submit_remediation", remediation()),
        "follow_up" => ("csirt", "send_follow_up", follow_up()),
        "reviewing" => ("csirt", "review", review(true)),
        "awaiting_approval" => ("regional_secretary", "approve_reactivation", approve(true)),
        "closing" if ticket["blocked"] == Value::Bool(true) => {
            ("domain_officer", "unblock", unblock_text())
        }
        "closing" => ("csirt", "close", close()),
        _ => return None,
    })
}
