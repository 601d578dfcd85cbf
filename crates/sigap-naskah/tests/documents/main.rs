//! Renders every kind of document and reads the PDFs back with poppler's `pdftotext` and
//! `pdfinfo`, as a person (or an auditor's script) would read them.
//!
//! Needs poppler-utils: `apt-get install -y poppler-utils`. Set `SIGAP_DOCS_DUMP=<dir>` to keep
//! every PDF the tests read, for looking at them.

// Test helpers fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod hostile;

#[path = "../samples/mod.rs"]
mod samples;

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use sigap_core::DocumentKind;
use sigap_naskah::body::Screenshot;
use sigap_naskah::{Body, DocError, Document, MAX_SCREENSHOTS, Renderer, Tlp, render};

use samples::{AGENCY, DATE, TICKET, document, png};

const CLOSING: &str =
    "Demikian Berita Acara ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana mestinya.";

/// A PDF written to a temporary file, removed on drop.
struct PdfFile(PathBuf);

impl PdfFile {
    fn new(pdf: &[u8]) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let path =
            std::env::temp_dir().join(format!("sigap-naskah-{}-{n}.pdf", std::process::id()));
        std::fs::write(&path, pdf).unwrap();
        Self(path)
    }

    fn run(&self, tool: &str, args: &[&str]) -> String {
        let output = Command::new(tool)
            .args(args)
            .arg(&self.0)
            .arg("-")
            .output()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot run `{tool}` ({error}): install poppler-utils \
                     (`apt-get install -y poppler-utils`)"
                )
            });
        assert!(output.status.success(), "{tool} failed: {output:?}");
        String::from_utf8(output.stdout).unwrap()
    }
}

impl Drop for PdfFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// What a reader gets from one PDF.
struct Read {
    /// The text, whitespace runs collapsed to one space.
    text: String,
    /// The text inside the margins (no header or footer), without any whitespace.
    body_compact: String,
    pages: usize,
    /// The right edge of the rightmost word, in points.
    max_x: f64,
    /// The page width, in points.
    page_width: f64,
}

impl Read {
    fn count(&self, needle: &str) -> usize {
        self.text.matches(needle).count()
    }

    fn has(&self, needle: &str) -> bool {
        self.text.contains(needle)
    }
}

fn read(pdf: &[u8]) -> Read {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    if let Ok(dir) = std::env::var("SIGAP_DOCS_DUMP") {
        static DUMPED: AtomicUsize = AtomicUsize::new(0);
        let n = DUMPED.fetch_add(1, Ordering::SeqCst);
        std::fs::write(format!("{dir}/dump-{}-{n}.pdf", std::process::id()), pdf).unwrap();
    }
    let file = PdfFile::new(pdf);
    let raw = file.run("pdftotext", &["-enc", "UTF-8"]);
    // Nothing invisible travels with copied text: a zero-width space after a verification
    // code breaks the link, one inside a word breaks a command. (pdftotext itself puts
    // direction controls around right-to-left runs; `normalise` drops those.)
    let hidden: Vec<char> = raw
        .chars()
        .filter(|c| {
            matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
        })
        .collect();
    assert!(
        hidden.is_empty(),
        "invisible characters {hidden:?} in {raw}"
    );
    let text = normalise(&raw);
    let pages = raw.matches('\u{c}').count();
    // The text area only, without the header and footer (2 cm margins, in points).
    let body = file.run(
        "pdftotext",
        &[
            "-enc", "UTF-8", "-x", "0", "-y", "57", "-W", "900", "-H", "728",
        ],
    );
    let body_compact = normalise(&body).replace(' ', "");
    let bbox = file.run("pdftotext", &["-bbox", "-enc", "UTF-8"]);
    let max_x = attribute_values(&bbox, "xMax").fold(0.0, f64::max);
    let page_width = attribute_values(&bbox, "width").fold(0.0, f64::max);
    Read {
        text,
        body_compact,
        pages,
        max_x,
        page_width,
    }
}

/// Whitespace runs collapsed to one space; the bidirectional controls pdftotext adds
/// around right-to-left runs removed.
fn normalise(raw: &str) -> String {
    let invisible = |c: &char| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    let visible: String = raw.chars().filter(invisible).collect();
    visible.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The numeric values of `name="…"` attributes in pdftotext's bbox HTML.
fn attribute_values(html: &str, name: &str) -> std::vec::IntoIter<f64> {
    let marker = format!(" {name}=\"");
    html.split(marker.as_str())
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect::<Vec<f64>>()
        .into_iter()
}

/// The right margin is 2 cm: nothing may be printed past it.
fn assert_within_margins(read: &Read) {
    let limit = read.page_width - 2.0 * 28.35 + 3.0;
    assert!(
        read.max_x <= limit,
        "text runs past the right margin: {} > {limit}",
        read.max_x
    );
}

/// Checks what every document must show.
fn assert_common(doc: &Document, read: &Read) {
    assert!(read.has(&doc.number), "number {} missing", doc.number);
    assert!(read.has(TICKET), "ticket number missing");
    assert!(read.has(DATE), "issue date missing");
    assert!(read.pages >= 1);
    let label = doc.tlp.as_str();
    assert!(
        read.count(label) >= 2 * read.pages,
        "{label} appears {} times on {} pages (header and footer of each page)",
        read.count(label),
        read.pages
    );
    assert!(
        read.has(doc.verify_url.as_deref().unwrap()),
        "verification link missing"
    );
    for signer in &doc.signers {
        assert!(read.has(&signer.name), "signer {} missing", signer.name);
        let nip = signer.nip.as_deref().unwrap();
        assert!(read.has(&format!("NIP. {nip}")), "NIP {nip} missing");
    }
    assert_within_margins(read);
}

fn render_kind(kind: DocumentKind) -> (Document, Read) {
    let doc = document(kind);
    assert_eq!(doc.kind(), kind);
    let (pdf, warnings) = Renderer::shared()
        .unwrap()
        .render_with_warnings(&doc)
        .unwrap();
    assert!(
        warnings.is_empty(),
        "{kind}: typesetting warnings {warnings:?}"
    );
    let read = read(&pdf);
    assert_common(&doc, &read);
    (doc, read)
}

fn assert_minutes(read: &Read) {
    assert!(read.has(CLOSING), "closing sentence missing");
    assert!(read.has("Mengetahui,"), "acknowledging signer missing");
    assert!(
        read.has(
            "Pada hari ini Rabu tanggal dua belas bulan Agustus tahun dua ribu dua puluh enam"
        )
    );
}

#[test]
fn acknowledgement() {
    let (_, read) = render_kind(DocumentKind::Acknowledgement);
    assert!(read.has("TANDA TERIMA LAPORAN"));
    assert!(read.has("https://sigap.batam.go.id/track?ticket=BCSIRT-2026-00042"));
    assert!(read.has("tidak dicantumkan dalam tanda terima ini"));
    assert!(read.has("tangkapan-layar-login.png"));
    assert!(read.has("Kritis"), "claimed severity missing");
}

#[test]
fn ba_validation() {
    let (_, read) = render_kind(DocumentKind::BaValidation);
    assert!(read.has("BERITA ACARA HASIL VALIDASI LAPORAN"));
    assert!(read.has(AGENCY));
    assert!(read.has("VALID"));
    assert!(read.has("Ruang Rapat Diskominfo Lt. 2"));
    assert!(read.has("9f2c1e7a4b5d6c8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70"));
    assert!(read.has("LAMPIRAN (TERBATAS)"));
    assert!(read.has("username=admin'--&password=x"));
    assert_minutes(&read);
}

#[test]
fn ba_criticality() {
    let (_, read) = render_kind(DocumentKind::BaCriticality);
    assert!(read.has("BERITA ACARA PENILAIAN TINGKAT KEKRITISAN"));
    assert!(read.has(AGENCY));
    assert!(read.has("TINGGI (diblokir)"));
    assert!(read.has("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"));
    assert!(read.has("9,8"));
    assert!(read.has("Gov-CSIRT Badan Siber dan Sandi Negara"));
    assert!(!read.has("LAMPIRAN (TERBATAS)"), "no attachment was given");
    assert_minutes(&read);
}

#[test]
fn block_record() {
    let (_, read) = render_kind(DocumentKind::BlockRecord);
    assert!(read.has("BUKTI PEMBLOKIRAN SISTEM ELEKTRONIK"));
    assert!(read.has(AGENCY));
    assert!(read.has("000.6/13/BA/Diskominfo/2026"));
    assert!(read.has("HTTP 503"));
    assert!(read.has("Halaman pemberitahuan setelah pemblokiran"));
}

#[test]
fn agency_report() {
    let (_, read) = render_kind(DocumentKind::AgencyReport);
    assert!(read.has("LAPORAN HASIL VALIDASI DAN TINGKAT KEKRITISAN"));
    assert!(read.has(AGENCY));
    assert!(read.has("TINGGI (diblokir)"));
    assert!(read.has("19 Agustus 2026"), "fix deadline missing");
    // It is the notice letter's attachment, and says so.
    assert!(read.has("LAMPIRAN SURAT PEMBERITAHUAN"), "{}", read.text);
    assert!(read.has("000.6/31/Diskominfo/2026"), "{}", read.text);
}

#[test]
fn letter_notice() {
    let (_, read) = render_kind(DocumentKind::LetterNotice);
    assert!(read.has(&format!("Yth. Kepala {AGENCY}")));
    assert!(read.has("Sangat Segera"));
    assert!(read.has("1 (satu) berkas"));
    assert!(read.has("Pemberitahuan Kerentanan Sistem Elektronik"));
    assert!(read.has("TINGGI (diblokir)"));
    assert!(read.has("7 (tujuh) hari"));
    assert!(read.has("19 Agustus 2026 pukul 10.00 WIB"));
    assert!(read.has("teguran"));
    assert!(read.has("keputusan berada pada pejabat yang berwenang"));
    assert!(read.has("Tembusan:"));
    assert!(read.has("Inspektur Kota Batam"));
    assert!(
        read.has(
            "Hasil perbaikan agar dilaporkan melalui halaman tiket pada aplikasi SIGAP disertai \
             bukti perbaikan."
        ),
        "{}",
        read.text
    );
    assert!(
        !read.has("NIP. 198503122010011003"),
        "only the head of office signs"
    );
    // A full stop typed at the end of the unit concerned is not doubled.
    let mut doc = document(DocumentKind::LetterNotice);
    if let Body::LetterNotice(letter) = &mut doc.body {
        letter.concerns = Some("pengelola aplikasi SIAK.".to_owned());
    }
    let again = crate::read(&render(&doc).unwrap());
    assert!(
        again.has(
            "kepada pengelola aplikasi SIAK sesuai ketentuan disiplin Aparatur Sipil Negara. \
             Rekomendasi"
        ),
        "{}",
        again.text
    );
}

#[test]
fn remediation_report() {
    let (_, read) = render_kind(DocumentKind::RemediationReport);
    // BATAM-CSIRT's record of receiving the agency's report.
    assert!(read.has("TANDA TERIMA LAPORAN HASIL PENANGANAN KERENTANAN"));
    assert!(read.has("BATAM-CSIRT telah menerima laporan hasil penanganan kerentanan dari"));
    assert!(read.has(AGENCY));
    assert!(read.has("kueri berparameter"));
    assert!(read.has("000.6/31/Diskominfo/2026"));
}

#[test]
fn letter_follow_up() {
    let (_, read) = render_kind(DocumentKind::LetterFollowUp);
    assert!(read.has(&format!("Yth. Kepala {AGENCY}")));
    assert!(read.has("Nomor 000.6/31/Diskominfo/2026 tanggal 3 Agustus 2026"));
    assert!(read.has("Segera"));
}

#[test]
fn ba_review_meeting() {
    let (_, read) = render_kind(DocumentKind::BaReviewMeeting);
    assert!(read.has("BERITA ACARA HASIL RAPAT INTERNAL"));
    assert!(read.has(AGENCY));
    assert!(read.has("SUDAH diperbaiki → Sistem Elektronik diaktifkan kembali"));
    assert!(read.has("lebih dari 3 (tiga) laporan"));
    assert!(read.has("persetujuan Sekretaris Daerah"));
    assert!(read.has("199402152020121005"), "attendee NIP missing");
    assert_minutes(&read);
}

#[test]
fn approval_reactivation() {
    let (_, read) = render_kind(DocumentKind::ApprovalReactivation);
    assert!(read.has("PERSETUJUAN PENGAKTIFAN KEMBALI"));
    assert!(read.has(AGENCY));
    assert!(read.has("DISETUJUI"));
    assert!(read.has("SEKRETARIS DAERAH KOTA BATAM"));
}

#[test]
fn unblock_record() {
    let (_, read) = render_kind(DocumentKind::UnblockRecord);
    assert!(read.has("BUKTI PEMBUKAAN BLOKIR SISTEM ELEKTRONIK"));
    assert!(read.has(AGENCY));
    assert!(read.has("000.6/21/BA/Diskominfo/2026"));
}

#[test]
fn dossier() {
    let (_, read) = render_kind(DocumentKind::Dossier);
    assert!(read.has("BERKAS TIKET"));
    assert!(read.has(AGENCY));
    assert!(read.has("LINIMASA"));
    assert!(read.has("000.6/31/Diskominfo/2026"));
    assert!(read.has("5d41402abc4b2a76b9719d911017c592ae0b6e2f5d41402abc4b2a76b9719d91"));
    assert!(read.has("c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"));
    assert!(read.has("1234"), "the audit head's sequence number");
    assert!(read.pages >= 2, "the cover stands alone");
    // The cover sums the ticket up.
    for fact in [
        "Judul laporan",
        ": Injeksi SQL pada halaman login SIAK",
        ": TINGGI (diblokir), CVSS v3.1: 9,8 (Kritis)",
        ": Diblokir sejak 11 Agustus 2026 pukul 09.45 WIB; blokir dibuka 12 Agustus 2026 pukul 14.30 WIB",
        ": 1 (satu) putaran",
    ] {
        assert!(read.has(fact), "{fact} in {}", read.text);
    }
}

#[test]
fn certificate() {
    let (doc, read) = render_kind(DocumentKind::Certificate);
    assert_eq!(doc.tlp, Tlp::Clear);
    assert!(read.has("SERTIFIKAT APRESIASI"));
    assert!(read.has("Dewi Lestari"));
    assert_eq!(read.pages, 1, "a certificate is one page");
}

#[test]
fn period_report() {
    let (_, read) = render_kind(DocumentKind::PeriodReport);
    for text in [
        "LAPORAN BULANAN PENANGANAN INSIDEN SIBER",
        "Periode Agustus 2026",
        "I. PENDAHULUAN",
        "menerima 5 laporan kerentanan",
        "III. LAPORAN MASUK",
        "Laporan per perangkat daerah",
        "DISDUKCAPIL 4 2",
        "TIKET DITUTUP PADA PERIODE",
        "Ditampilkan 1 dari 3 tiket",
    ] {
        assert!(read.has(text), "{text} missing");
    }
    // The chart's own text, drawn from the SVG with the embedded fonts.
    assert!(
        read.count("DISDIK") >= 2,
        "the chart's labels are text in the PDF"
    );
}

#[test]
fn pdp_notices() {
    for kind in [
        DocumentKind::PdpNoticeSubjects,
        DocumentKind::PdpNoticeAuthority,
    ] {
        let (doc, read) = render_kind(kind);
        assert_common(&doc, &read);
        for needle in [
            "PEMBERITAHUAN KEGAGALAN PELINDUNGAN DATA PRIBADI",
            "Pasal 46 Undang-Undang Nomor 27 Tahun 2022",
            "DATA PRIBADI YANG TERUNGKAP",
            "WAKTU DAN CARA DATA PRIBADI TERUNGKAP",
            "UPAYA PENANGANAN DAN PEMULIHAN",
            "sekitar 12.400 orang",
            "telepon (0778) 462111",
        ] {
            assert!(read.has(needle), "{kind}: {needle:?} missing");
        }
    }
}

#[test]
fn sectoral_report() {
    let (doc, read) = render_kind(DocumentKind::SectoralReport);
    assert_common(&doc, &read);
    for needle in [
        "LAPORAN INSIDEN SIBER KEPADA CSIRT SEKTORAL",
        "Peraturan Badan Siber dan Sandi Negara Nomor 1 Tahun 2024",
        "IDENTITAS PELAPOR",
        "rina@example.org",
        "KRONOLOGI",
        "DAMPAK",
        "PENANGANAN YANG TELAH DILAKUKAN",
        "Infrastruktur Informasi Vital",
        "BCSIRT-2026-00001.stix.json",
        "Gov-CSIRT Indonesia",
    ] {
        assert!(read.has(needle), "{needle:?} missing");
    }
}

#[test]
fn destruction_record() {
    let (doc, read) = render_kind(DocumentKind::DestructionRecord);
    assert_common(&doc, &read);
    for needle in [
        "BERITA ACARA PEMUSNAHAN DATA",
        "DATA KONTAK PELAPOR",
        "dianonimkan",
        "7 (tujuh) rekaman",
        "BCSIRT-2024-00031",
        "Pasal 44 ayat (1) huruf a",
        "BUKTI ELEKTRONIK",
        "BCSIRT-2021-00007",
        "penahanan hukum",
        "BCSIRT-2024-00040",
    ] {
        assert!(read.has(needle), "{needle:?} missing");
    }
}

#[test]
fn rendering_is_deterministic() {
    let doc = document(DocumentKind::LetterNotice);
    let first = render(&doc).unwrap();
    let second = Renderer::new().unwrap().render(&doc).unwrap();
    assert_eq!(
        first, second,
        "the same document must give the same bytes (and SHA-256)"
    );
}

#[test]
fn a_correction_names_the_document_it_replaces() {
    let mut doc = document(DocumentKind::BaValidation);
    doc.replaces = Some("000.6/11/BA/Diskominfo/2026".to_owned());
    let read = read(&render(&doc).unwrap());
    assert!(read.has("perbaikan atas dokumen Nomor 000.6/11/BA/Diskominfo/2026"));
}

#[test]
fn the_letterhead_is_configurable_and_takes_a_logo() {
    let mut doc = document(DocumentKind::LetterNotice);
    doc.letterhead.logo_png = Some(png());
    doc.letterhead.lines = vec![
        "PEMERINTAH KOTA BATAM".to_owned(),
        "DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK".to_owned(),
    ];
    let read = read(&render(&doc).unwrap());
    assert!(read.has("DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK"));
    assert!(read.has("Jl. Engku Putri Nomor 1, Batam 29461"));
}

#[test]
fn images_must_be_png_or_jpeg_and_few() {
    let mut doc = document(DocumentKind::LetterNotice);
    doc.letterhead.logo_png = Some(b"<svg onload=alert(1)>".to_vec());
    assert!(matches!(render(&doc), Err(DocError::Image(_))));

    let mut record = document(DocumentKind::BlockRecord);
    let Body::BlockRecord(action) = &mut record.body else {
        unreachable!()
    };
    let shot = Screenshot {
        caption: "Halaman".to_owned(),
        image: png(),
    };
    action.screenshots = vec![shot; MAX_SCREENSHOTS + 1];
    assert!(matches!(render(&record), Err(DocError::Image(_))));
}

#[test]
fn letters_and_the_certificate_do_not_list_evidence_files() {
    for kind in [DocumentKind::LetterNotice, DocumentKind::Certificate] {
        let read = read(&render(&document(kind)).unwrap());
        assert!(
            !read.has("tangkapan-layar-login.png"),
            "{kind} lists evidence"
        );
    }
}

#[test]
fn every_tlp_label_is_printed_on_every_page() {
    for &tlp in Tlp::ALL {
        let mut doc = document(DocumentKind::Dossier);
        doc.tlp = tlp;
        let read = read(&render(&doc).unwrap());
        assert!(read.count(tlp.as_str()) >= 2 * read.pages, "{tlp}");
    }
}

#[test]
fn long_runs_wrap_inside_the_margins_and_copy_whole() {
    let mut doc = document(DocumentKind::BaValidation);
    let hash = "9f2c1e7a4b5d6c8e".repeat(12);
    let token = "eyJhbGciOiJIUzI1NiJ9".repeat(6);
    if let Body::BaValidation(minutes) = &mut doc.body {
        minutes.findings = format!(
            "Hash berkas {hash} cocok. Perintah uji: curl -H 'Authorization: Bearer {token}' \
             mengembalikan berkas config.password.txt tanpa autentikasi."
        );
    }
    let read = read(&render(&doc).unwrap());
    assert_within_margins(&read);
    // Copied out of the PDF, the long runs come back whole once the line breaks are taken
    // out, and an ordinary word is never cut.
    assert!(read.body_compact.contains(&hash), "{}", read.text);
    assert!(read.body_compact.contains(&token), "{}", read.text);
    assert!(read.has("config.password.txt"), "{}", read.text);
}

#[test]
fn a_draft_says_so_on_every_page() {
    let mut doc = document(DocumentKind::BaValidation);
    doc.draft = true;
    let read = read(&render(&doc).unwrap());
    assert!(read.pages >= 2, "the sample minutes run over pages");
    assert_eq!(
        read.count("DRAF — penandatangan belum diatur"),
        read.pages,
        "{}",
        read.text
    );
    let final_copy = document(DocumentKind::BaValidation);
    assert_eq!(read_count_draft(&final_copy), 0);
}

#[test]
fn a_preview_says_so_on_every_page_and_wins_over_a_draft() {
    let mut doc = document(DocumentKind::BaValidation);
    doc.preview = true;
    doc.draft = true;
    doc.verify_url = None;
    let read = read(&render(&doc).unwrap());
    assert!(read.pages >= 2, "the sample minutes run over pages");
    assert_eq!(
        read.count("PRATINJAU — belum diterbitkan, bukan naskah resmi"),
        read.pages,
        "{}",
        read.text
    );
    assert_eq!(read.count("DRAF"), 0, "{}", read.text);
    assert!(!read.has("/verify/"), "{}", read.text);
}

fn read_count_draft(doc: &Document) -> usize {
    read(&render(doc).unwrap()).count("DRAF")
}

#[test]
fn without_a_public_address_the_code_replaces_the_link() {
    let mut doc = document(DocumentKind::LetterNotice);
    doc.verify_url = None;
    let read = read(&render(&doc).unwrap());
    assert!(!read.has("/verify/"), "{}", read.text);
    assert!(
        read.has("Kode verifikasi dokumen: Q7K2M9XW4RTA"),
        "{}",
        read.text
    );
}

#[test]
fn the_unblock_record_cites_the_review_minutes_and_the_approval() {
    let (_, read) = render_kind(DocumentKind::UnblockRecord);
    assert!(
        read.has("Berita Acara Hasil Rapat Internal Nomor 000.6/21/BA/Diskominfo/2026"),
        "{}",
        read.text
    );
    assert!(
        read.has(
            "Persetujuan Pengaktifan Kembali Sistem Elektronik oleh Sekretaris Daerah Kota \
             Batam Nomor 000.6/2/Setda/2026"
        ),
        "{}",
        read.text
    );
}

#[test]
fn a_further_round_notice_cites_the_round_before_and_asks_again() {
    let mut doc = document(DocumentKind::LetterNotice);
    doc.body = Body::LetterNotice(samples::further_notice());
    let read = read(&render(&doc).unwrap());
    for phrase in [
        "Permintaan Perbaikan Lanjutan Kerentanan Keamanan Sistem Elektronik",
        "Menindaklanjuti surat kami Nomor 000.6/31/Diskominfo/2026 tanggal 3 Agustus 2026",
        "surat tindak lanjut Nomor 000.6/35/Diskominfo/2026 tanggal 11 Agustus 2026",
        "Berita Acara Hasil Rapat Internal Nomor 000.6/21/BA/Diskominfo/2026 tanggal 12 \
         Agustus 2026",
        "belum selesai diperbaiki",
        "perbaikan lanjutan (putaran ke-2)",
        "Hasil pemeriksaan ulang: Uji ulang masih menemukan injeksi SQL pada parameter lain.",
        "19 Agustus 2026 pukul 10.00 WIB",
    ] {
        assert!(read.has(phrase), "{phrase} in {}", read.text);
    }
    assert!(!read.has("telah menerima laporan kerentanan pada tanggal"));
}

#[test]
fn a_vendor_is_recommended_under_its_contract_not_the_asn_rules() {
    let mut doc = document(DocumentKind::LetterNotice);
    if let Body::LetterNotice(letter) = &mut doc.body {
        letter.concerns = Some("PT Solusi Aplikasi Nusantara".to_owned());
        letter.concerns_party = sigap_core::Party::Vendor;
    }
    let read = read(&render(&doc).unwrap());
    for phrase in [
        "Rekomendasi terhadap penyedia:",
        "menyampaikan teguran tertulis kepada penyedia PT Solusi Aplikasi Nusantara sesuai \
         ketentuan kontrak atau perjanjian kerja sama.",
        "Ketentuan disiplin Aparatur Sipil Negara tidak berlaku bagi penyedia.",
    ] {
        assert!(read.has(phrase), "{phrase} in {}", read.text);
    }
    assert!(!read.has("Rekomendasi terhadap ASN/Unit Kerja"));
}
