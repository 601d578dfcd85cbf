//! Realistic documents of one ticket, in Indonesian, for every kind: what the tests read
//! back, what the render benchmark renders, and a preview of each template.

#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use sigap_core::{
    Channel, Criticality, CvssBand, CvssScore, CvssVersion, DocumentKind, Party, Recommendation,
    Severity, ValidationMethod,
};
use sigap_naskah::body::{
    Acknowledgement, AgencyReport, AuditHead, Certificate, Cited, CriticalityMinutes, DocumentRef,
    Dossier, FollowUpLetter, FurtherRound, Meeting, NoticeLetter, PeriodReport, Person, Probe,
    ReactivationApproval, RemediationReport, ReportFigure, ReportTable, ReviewMinutes, Screenshot,
    Sifat, SystemAction, SystemRef, TicketLine, TicketList, TimelineEntry, ValidationMinutes,
    default_basis,
};
use sigap_naskah::{
    Body, Document, EvidenceItem, Letterhead, PageStyle, Signer, Tlp, default_pattern, number,
};

pub const TICKET: &str = "BCSIRT-2026-00042";
pub const AGENCY: &str = "Dinas Kependudukan dan Pencatatan Sipil Kota Batam";
pub const DATE: &str = "12 Agustus 2026";

/// A WIB wall-clock time in August 2026.
pub fn wib(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 8, day, hour, minute, 0)
        .single()
        .unwrap_or_default()
        - chrono::Duration::hours(7)
}

pub fn issued_at() -> DateTime<Utc> {
    wib(12, 10, 0)
}

pub fn system() -> SystemRef {
    SystemRef {
        name: "Sistem Informasi Administrasi Kependudukan".to_owned(),
        url: "https://siak.batam.go.id".to_owned(),
        agency: AGENCY.to_owned(),
    }
}

pub fn person(name: &str, nip: &str, role: &str) -> Person {
    Person {
        name: name.to_owned(),
        nip: Some(nip.to_owned()),
        role: role.to_owned(),
    }
}

pub fn team() -> Vec<Person> {
    vec![
        person(
            "Rahmat Hidayat, S.Kom., M.T.",
            "198503122010011003",
            "Ketua Tim",
        ),
        person(
            "Siti Nurhaliza, S.T.",
            "199107082019032012",
            "Analis Keamanan Siber",
        ),
        person("Andi Pratama, S.Kom.", "199402152020121005", "Anggota"),
    ]
}

pub fn signer(position: &str, name: &str, rank: &str, nip: &str) -> Signer {
    Signer {
        position: position.to_owned(),
        name: name.to_owned(),
        rank: Some(rank.to_owned()),
        nip: Some(nip.to_owned()),
        user: None,
    }
}

pub fn head_of_office() -> Signer {
    signer(
        "KEPALA DINAS KOMUNIKASI DAN INFORMATIKA KOTA BATAM",
        "Drs. Hendra Gunawan, M.Si.",
        "Pembina Utama Muda (IV/c)",
        "197001011995031001",
    )
}

pub fn team_signers() -> Vec<Signer> {
    vec![
        signer(
            "Ketua Tim BATAM-CSIRT",
            "Rahmat Hidayat, S.Kom., M.T.",
            "Penata Tk. I (III/d)",
            "198503122010011003",
        ),
        signer(
            "Analis Keamanan Siber",
            "Siti Nurhaliza, S.T.",
            "Penata Muda Tk. I (III/b)",
            "199107082019032012",
        ),
    ]
}

pub fn cvss() -> CvssScore {
    CvssScore {
        version: CvssVersion::V3_1,
        vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".to_owned(),
        score: 9.8,
        band: CvssBand::Critical,
    }
}

pub fn evidence() -> Vec<EvidenceItem> {
    vec![
        EvidenceItem {
            name: "tangkapan-layar-login.png".to_owned(),
            size: 248_331,
            sha256: "9f2c1e7a4b5d6c8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70".to_owned(),
        },
        EvidenceItem {
            name: "log-permintaan.txt".to_owned(),
            size: 4_096,
            sha256: "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9".to_owned(),
        },
    ]
}

/// A tiny valid PNG (one white pixel).
pub fn png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90,
        0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8,
        0xff, 0xff, 0x3f, 0x00, 0x05, 0xfe, 0x02, 0xfe, 0xdc, 0xcc, 0x59, 0xe7, 0x00, 0x00, 0x00,
        0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ]
}

fn validation() -> ValidationMinutes {
    ValidationMinutes {
        held_at: wib(12, 9, 0),
        place: "Ruang Rapat Diskominfo Lt. 2".to_owned(),
        recorded_at: wib(12, 11, 40),
        team: team(),
        basis: default_basis(),
        reported_at: wib(10, 14, 32),
        report_title: "Injeksi SQL pada halaman login SIAK".to_owned(),
        vulnerability_type: "Injeksi SQL (CWE-89)".to_owned(),
        system: system(),
        method: ValidationMethod::Meeting,
        meeting: Some(Meeting {
            held_at: wib(12, 9, 0),
            place: "Ruang Rapat Diskominfo Lt. 2".to_owned(),
            attendees: vec![
                person(
                    "Rahmat Hidayat, S.Kom., M.T.",
                    "198503122010011003",
                    "BATAM-CSIRT",
                ),
                person("Budi Santoso, S.Kom.", "198811232014021002", AGENCY),
            ],
            agency_invited: true,
        }),
        checks: vec![
            "Keberadaan halaman login pada alamat yang dilaporkan".to_owned(),
            "Reproduksi permintaan pada lingkungan uji dengan akun uji".to_owned(),
            "Kesesuaian bukti tangkapan layar dan log dengan sistem".to_owned(),
        ],
        findings: "Parameter nama pengguna tidak disaring sehingga kueri basis data dapat \
                   dimanipulasi."
            .to_owned(),
        valid: true,
        reasons: "Kerentanan dapat direproduksi dan berdampak pada kerahasiaan data \
                  kependudukan."
            .to_owned(),
        next_step: "Dilanjutkan dengan penilaian tingkat kekritisan.".to_owned(),
        restricted_attachment: Some(
            "POST /login HTTP/1.1\nHost: siak.batam.go.id\n\nusername=admin'--&password=x"
                .to_owned(),
        ),
    }
}

fn criticality() -> CriticalityMinutes {
    CriticalityMinutes {
        held_at: wib(12, 9, 30),
        place: "Ruang Rapat Diskominfo Lt. 2".to_owned(),
        recorded_at: wib(12, 11, 45),
        team: team(),
        basis: default_basis(),
        validation_number: "000.6/12/BA/Diskominfo/2026".to_owned(),
        report_title: "Injeksi SQL pada halaman login SIAK".to_owned(),
        system: system(),
        cwe: Some("CWE-89: Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')".to_owned()),
        owasp: Some("A03:2021 – Injection".to_owned()),
        cvss: Some(cvss()),
        context_factors: vec![
            "Sistem dapat diakses dari internet".to_owned(),
            "Sistem menyimpan data kependudukan (NIK, KK)".to_owned(),
        ],
        criticality: Criticality::High,
        override_reason: None,
        escalate: true,
        escalate_to: Some("Gov-CSIRT Badan Siber dan Sandi Negara".to_owned()),
        personal_data_affected: true,
        restricted_attachment: None,
    }
}

fn block(kind: DocumentKind) -> SystemAction {
    SystemAction {
        system: system(),
        method: "Pengalihan DNS ke halaman pemberitahuan pemeliharaan".to_owned(),
        at: wib(12, 9, 45),
        officer: person(
            "Yusuf Maulana, S.T.",
            "199001012015031004",
            "Pejabat Nama Domain",
        ),
        basis_number: if kind == DocumentKind::BlockRecord {
            "000.6/13/BA/Diskominfo/2026".to_owned()
        } else {
            "000.6/21/BA/Diskominfo/2026".to_owned()
        },
        approval_number: (kind == DocumentKind::UnblockRecord)
            .then(|| "000.6/2/Setda/2026".to_owned()),
        notes: Some("Dilakukan di luar jam sibuk layanan.".to_owned()),
        other_holds: None,
        probes: vec![Probe {
            at: wib(12, 9, 50),
            check: "GET https://siak.batam.go.id/".to_owned(),
            result: "HTTP 503, halaman pemberitahuan pemeliharaan".to_owned(),
        }],
        evidence_text: None,
        screenshots: vec![Screenshot {
            caption: "Halaman pemberitahuan setelah pemblokiran".to_owned(),
            image: png(),
        }],
    }
}

fn notice() -> NoticeLetter {
    NoticeLetter {
        sifat: Sifat::for_criticality(Criticality::High),
        lampiran: "1 (satu) berkas".to_owned(),
        hal: "Pemberitahuan Kerentanan Sistem Elektronik".to_owned(),
        agency: AGENCY.to_owned(),
        agency_place: "Batam".to_owned(),
        system: system(),
        reported_at: wib(10, 14, 32),
        finding_summary: "Terdapat kerentanan injeksi SQL pada halaman login yang \
                          memungkinkan akses tanpa otorisasi ke data kependudukan."
            .to_owned(),
        criticality: Criticality::High,
        cvss: Some(cvss()),
        blocked_at: Some(wib(12, 9, 45)),
        recommended_fixes: vec![
            "Gunakan kueri berparameter (prepared statement) pada seluruh akses basis data."
                .to_owned(),
            "Batasi hak akses akun basis data aplikasi.".to_owned(),
        ],
        fix_days: 7,
        fix_deadline: wib(19, 10, 0),
        how_to_report: "melalui halaman tiket pada aplikasi SIGAP disertai bukti perbaikan."
            .to_owned(),
        recommendation: Recommendation::Warning,
        concerns: Some("pengelola aplikasi SIAK".to_owned()),
        concerns_party: Party::Asn,
        tembusan: vec![
            "Wali Kota Batam (sebagai laporan)".to_owned(),
            "Sekretaris Daerah Kota Batam".to_owned(),
            "Inspektur Kota Batam".to_owned(),
        ],
        further: None,
    }
}

/// The notice letter of a second round, after review minutes that found the fix not done.
pub fn further_notice() -> NoticeLetter {
    NoticeLetter {
        hal: "Permintaan Perbaikan Lanjutan Kerentanan Keamanan Sistem Elektronik".to_owned(),
        further: Some(Box::new(FurtherRound {
            round: 2,
            previous_notice: Cited {
                title: "Surat Pemberitahuan".to_owned(),
                number: "000.6/31/Diskominfo/2026".to_owned(),
                issued_at: wib(3, 10, 0),
            },
            previous_follow_up: Some(Cited {
                title: "Surat Tindak Lanjut".to_owned(),
                number: "000.6/35/Diskominfo/2026".to_owned(),
                issued_at: wib(11, 16, 45),
            }),
            decided_by: Cited {
                title: "Berita Acara Hasil Rapat Internal".to_owned(),
                number: "000.6/21/BA/Diskominfo/2026".to_owned(),
                issued_at: wib(12, 10, 0),
            },
            finding: "Uji ulang masih menemukan injeksi SQL pada parameter lain.".to_owned(),
        })),
        ..notice()
    }
}

fn agency_report() -> AgencyReport {
    AgencyReport {
        letter: Some(Cited {
            title: "Surat Pemberitahuan".to_owned(),
            number: "000.6/31/Diskominfo/2026".to_owned(),
            issued_at: wib(12, 10, 0),
        }),
        system: system(),
        reported_at: wib(10, 14, 32),
        validation_number: "000.6/12/BA/Diskominfo/2026".to_owned(),
        criticality_number: "000.6/13/BA/Diskominfo/2026".to_owned(),
        vulnerability_type: "Injeksi SQL (CWE-89)".to_owned(),
        finding_summary: "Parameter login tidak disaring.".to_owned(),
        impact: "Akses tanpa otorisasi ke data kependudukan.".to_owned(),
        criticality: Criticality::High,
        cvss: Some(cvss()),
        blocked_at: Some(wib(12, 9, 45)),
        recommended_fixes: vec!["Gunakan kueri berparameter.".to_owned()],
        fix_deadline: wib(19, 10, 0),
        recommendation: Recommendation::None,
        concerns: None,
        concerns_party: Party::Asn,
    }
}

fn review() -> ReviewMinutes {
    ReviewMinutes {
        held_at: wib(12, 13, 0),
        recorded_at: wib(12, 15, 10),
        place: "Ruang Rapat BATAM-CSIRT".to_owned(),
        chair: person(
            "Rahmat Hidayat, S.Kom., M.T.",
            "198503122010011003",
            "Ketua Tim",
        ),
        attendees: team(),
        agenda: vec![
            "Pembahasan laporan hasil penanganan kerentanan".to_owned(),
            "Hasil uji ulang oleh BATAM-CSIRT".to_owned(),
        ],
        system: system(),
        notice_number: "000.6/31/Diskominfo/2026".to_owned(),
        earlier: Vec::new(),
        agency_response: "Perangkat Daerah telah menerapkan kueri berparameter.".to_owned(),
        retest_result: "Uji ulang tidak lagi menemukan injeksi SQL.".to_owned(),
        fixed: true,
        blocked: true,
        notes: "Sistem dapat diaktifkan kembali setelah persetujuan Sekretaris Daerah.".to_owned(),
        agency_valid_reports: 4,
        threshold: 3,
        approval_needed: true,
        restricted_attachment: None,
    }
}

/// The body of `kind` for ticket BCSIRT-2026-00042.
pub fn body(kind: DocumentKind) -> Body {
    match kind {
        DocumentKind::Acknowledgement => Body::Acknowledgement(Acknowledgement {
            reporter_name: "Dewi Lestari".to_owned(),
            received_at: wib(12, 8, 15),
            channel: Channel::Web,
            title: "Injeksi SQL pada halaman login SIAK".to_owned(),
            target: "https://siak.batam.go.id/login".to_owned(),
            vulnerability_type: "Injeksi SQL".to_owned(),
            severity: Severity::Critical,
            tracking_url: Some(
                "https://sigap.batam.go.id/track?ticket=BCSIRT-2026-00042".to_owned(),
            ),
            next_steps: Acknowledgement::default_next_steps(),
        }),
        DocumentKind::BaValidation => Body::BaValidation(validation()),
        DocumentKind::BaCriticality => Body::BaCriticality(criticality()),
        DocumentKind::BlockRecord => Body::BlockRecord(block(kind)),
        DocumentKind::AgencyReport => Body::AgencyReport(agency_report()),
        DocumentKind::LetterNotice => Body::LetterNotice(notice()),
        DocumentKind::RemediationReport => Body::RemediationReport(RemediationReport {
            system: system(),
            notice_number: "000.6/31/Diskominfo/2026".to_owned(),
            fixed_summary: "Seluruh kueri login diganti dengan kueri berparameter dan akun \
                            basis data dibatasi."
                .to_owned(),
            fixed_at: wib(11, 16, 0),
            fixed_by: person(
                "Budi Santoso, S.Kom.",
                "198811232014021002",
                "Pengelola SIAK",
            ),
            on_behalf: false,
            evidence_text: Some("Cuplikan kode sebelum dan sesudah perbaikan.".to_owned()),
        }),
        DocumentKind::LetterFollowUp => Body::LetterFollowUp(FollowUpLetter {
            sifat: Sifat::Segera,
            lampiran: "-".to_owned(),
            hal: "Tindak Lanjut Penanganan Kerentanan".to_owned(),
            agency: AGENCY.to_owned(),
            agency_place: "Batam".to_owned(),
            system: system(),
            notice_number: "000.6/31/Diskominfo/2026".to_owned(),
            notice_date: wib(3, 10, 0),
            remediation_received_at: wib(11, 16, 30),
            content: "Hasil uji ulang menunjukkan kerentanan telah diperbaiki.".to_owned(),
            earlier: Vec::new(),
            next_step: "Hasil ini akan dibahas dalam rapat internal BATAM-CSIRT.".to_owned(),
            tembusan: vec!["Sekretaris Daerah Kota Batam".to_owned()],
        }),
        DocumentKind::BaReviewMeeting => Body::BaReviewMeeting(review()),
        DocumentKind::ApprovalReactivation => Body::ApprovalReactivation(ReactivationApproval {
            system: system(),
            review_number: "000.6/21/BA/Diskominfo/2026".to_owned(),
            agency_valid_reports: 4,
            threshold: 3,
            approved: true,
            notes: "Perangkat Daerah agar melakukan uji keamanan berkala.".to_owned(),
            decided_at: wib(12, 9, 0),
            recorded_at: wib(12, 9, 20),
        }),
        DocumentKind::UnblockRecord => Body::UnblockRecord(block(kind)),
        DocumentKind::Dossier => Body::Dossier(dossier()),
        DocumentKind::Certificate => Body::Certificate(Certificate {
            recipient: "Dewi Lestari".to_owned(),
            contribution: "melaporkan kerentanan keamanan secara bertanggung jawab pada \
                           Sistem Elektronik Pemerintah Kota Batam"
                .to_owned(),
            reported_at: wib(10, 14, 32),
        }),
        DocumentKind::PeriodReport => Body::PeriodReport(period_report()),
        DocumentKind::PdpNoticeSubjects => Body::PdpNoticeSubjects(pdp_notice()),
        DocumentKind::PdpNoticeAuthority => Body::PdpNoticeAuthority(pdp_notice()),
        DocumentKind::SectoralReport => Body::SectoralReport(sectoral_report()),
        DocumentKind::DestructionRecord => Body::DestructionRecord(destruction_record()),
    }
}

/// A run of the retention sweep.
fn destruction_record() -> sigap_naskah::body::DestructionMinutes {
    sigap_naskah::body::DestructionMinutes {
        held_at: wib(12, 1, 0),
        lines: vec![
            sigap_naskah::body::DestructionLine {
                class: "Data kontak pelapor".to_owned(),
                treatment: "dianonimkan".to_owned(),
                years: 2,
                records: 7,
                tickets: vec!["BCSIRT-2024-00031".to_owned(), TICKET.to_owned()],
                basis: "Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi \
                        Pasal 44 ayat (1) huruf a"
                    .to_owned(),
            },
            sigap_naskah::body::DestructionLine {
                class: "Bukti elektronik".to_owned(),
                treatment: "dimusnahkan".to_owned(),
                years: 5,
                records: 3,
                tickets: vec!["BCSIRT-2021-00007".to_owned()],
                basis: "Undang-Undang Nomor 43 Tahun 2009 tentang Kearsipan".to_owned(),
            },
        ],
        held: vec!["BCSIRT-2024-00040".to_owned()],
    }
}

/// A report to the sectoral CSIRT as sigap prepares it.
fn sectoral_report() -> sigap_naskah::body::SectoralReport {
    sigap_naskah::body::SectoralReport {
        addressee: "Ketua CSIRT Sektor Pemerintah Daerah".to_owned(),
        copy_to: vec!["Gov-CSIRT Indonesia, Badan Siber dan Sandi Negara".to_owned()],
        reporter: vec![
            "Rina Kusuma".to_owned(),
            "rina@example.org".to_owned(),
            "0812-7000-1234".to_owned(),
        ],
        system: system(),
        system_category: Some("Strategis".to_owned()),
        iiv: true,
        reasons: vec![
            "Tingkat kekritisan tinggi".to_owned(),
            "Sistem Elektronik berstatus Infrastruktur Informasi Vital".to_owned(),
        ],
        reported_at: wib(10, 14, 32),
        flagged_at: wib(11, 9, 15),
        due_at: wib(12, 9, 15),
        description: vec![
            "Injeksi SQL pada formulir pencarian data penduduk (A03:2021 Injection), \
             CVSS v3.1 9,8 (Kritis)."
                .to_owned(),
        ],
        chronology: vec![sigap_naskah::body::TimelineEntry {
            at: wib(10, 14, 32),
            actor: "Pelapor".to_owned(),
            event: "Laporan diterima melalui formulir web".to_owned(),
        }],
        impact: vec!["Data kependudukan sekitar 40.000 warga dapat dibaca.".to_owned()],
        handling: vec!["Sistem Elektronik diblokir sejak 11 Agustus 2026.".to_owned()],
        bundle: sigap_naskah::body::BundleRef {
            name: "BCSIRT-2026-00001.stix.json".to_owned(),
            format: "STIX 2.1".to_owned(),
            sha256: "9f2c4e8a1b3d5f7091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708".to_owned(),
        },
    }
}

/// A notice of UU PDP Pasal 46 as an agency writes it.
fn pdp_notice() -> sigap_naskah::body::PdpNotice {
    sigap_naskah::body::PdpNotice {
        addressee: "Para Pengguna Layanan PPDB Kota Batam (Subjek Data Pribadi)".to_owned(),
        system: system(),
        recorded_at: wib(10, 15, 0),
        data_exposed: vec![
            "Nama, NIK, alamat dan nomor telepon orang tua calon peserta didik, sekitar \
             12.400 orang."
                .to_owned(),
        ],
        when_how: vec![
            "Sejak 3 Agustus 2026 data pendaftar dapat dibaca tanpa masuk melalui alamat \
             ekspor yang tidak terlindungi."
                .to_owned(),
            "Kerentanan dilaporkan kepada BATAM-CSIRT pada 10 Agustus 2026.".to_owned(),
        ],
        handling: vec![
            "Sistem ditangguhkan sementara, alamat ekspor ditutup dan akses diperiksa.".to_owned(),
        ],
        contact: Some("Layanan aduan Dinas Pendidikan, telepon (0778) 462111.".to_owned()),
    }
}

/// A bar chart as the dashboard draws it: an SVG with its text as `<text>`.
pub const CHART: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="720" height="120" viewBox="0 0 720 120"><rect x="0" y="0" width="720" height="120" fill="#FFFFFF"/><rect x="120" y="20" width="480" height="30" fill="#1F4E79"/><rect x="120" y="60" width="120" height="30" fill="#1F4E79"/><text x="110" y="40" text-anchor="end" font-family="sans-serif" font-size="12">DISDUKCAPIL</text><text x="110" y="80" text-anchor="end" font-family="sans-serif" font-size="12">DISDIK</text></svg>"##;

fn period_report() -> PeriodReport {
    let line = |number: &str, state: &str| TicketLine {
        number: number.to_owned(),
        agency: "DISDUKCAPIL".to_owned(),
        state: state.to_owned(),
        criticality: "Tinggi".to_owned(),
        date: "12 Agustus 2026".to_owned(),
    };
    PeriodReport {
        title: "LAPORAN BULANAN PENANGANAN INSIDEN SIBER".to_owned(),
        period: "Periode Agustus 2026".to_owned(),
        narrative: vec![
            "Pada bulan Agustus 2026 BATAM-CSIRT menerima 5 laporan kerentanan, 3 di antaranya valid."
                .to_owned(),
        ],
        figures: vec![
            ReportFigure { label: "Laporan diterima".to_owned(), value: "5".to_owned() },
            ReportFigure { label: "Laporan valid".to_owned(), value: "3".to_owned() },
        ],
        tables: vec![ReportTable {
            part: "Laporan masuk".to_owned(),
            caption: "Laporan per perangkat daerah".to_owned(),
            headings: vec!["Perangkat daerah".to_owned(), "Laporan".to_owned(), "Valid".to_owned()],
            rows: vec![
                vec!["DISDUKCAPIL".to_owned(), "4".to_owned(), "2".to_owned()],
                vec!["DISDIK".to_owned(), "1".to_owned(), "1".to_owned()],
            ],
            chart: Some(0),
        }],
        charts: vec![CHART.to_owned()],
        closed: TicketList { rows: vec![line(TICKET, "Selesai")], total: 1 },
        open: TicketList { rows: vec![line("BCSIRT-2026-00043", "Dalam perbaikan oleh perangkat daerah")], total: 3 },
    }
}

fn dossier() -> Dossier {
    let documents = [
        (DocumentKind::Acknowledgement, "000.6/42/TT/Diskominfo/2026"),
        (DocumentKind::BaValidation, "000.6/12/BA/Diskominfo/2026"),
        (DocumentKind::BaCriticality, "000.6/13/BA/Diskominfo/2026"),
        (DocumentKind::LetterNotice, "000.6/31/Diskominfo/2026"),
    ]
    .map(|(kind, number)| DocumentRef {
        kind,
        number: number.to_owned(),
        issued_at: wib(12, 10, 0),
        sha256: "5d41402abc4b2a76b9719d911017c592ae0b6e2f5d41402abc4b2a76b9719d91".to_owned(),
    })
    .to_vec();
    Dossier {
        summary: "Injeksi SQL pada halaman login SIAK".to_owned(),
        criticality: Some(Criticality::High),
        cvss: Some(cvss()),
        blocked_at: Some(wib(11, 9, 45)),
        unblocked_at: Some(wib(12, 14, 30)),
        rounds: 1,
        system: system(),
        opened_at: wib(10, 14, 32),
        closed_at: wib(12, 15, 0),
        outcome: "Selesai: kerentanan diperbaiki, sistem aktif kembali.".to_owned(),
        timeline: vec![
            TimelineEntry {
                at: wib(10, 14, 32),
                actor: "Pelapor".to_owned(),
                event: "Laporan diterima melalui formulir web".to_owned(),
            },
            TimelineEntry {
                at: wib(12, 9, 0),
                actor: "Rahmat Hidayat (CSIRT)".to_owned(),
                event: "Laporan divalidasi: VALID".to_owned(),
            },
        ],
        documents,
        audit_head: AuditHead {
            sequence: 1234,
            hash: "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00".to_owned(),
        },
    }
}

/// Who signs `kind`.
pub fn signers(kind: DocumentKind) -> Vec<Signer> {
    match kind {
        DocumentKind::BaValidation
        | DocumentKind::BaCriticality
        | DocumentKind::BaReviewMeeting => team_signers(),
        DocumentKind::ApprovalReactivation => vec![signer(
            "SEKRETARIS DAERAH KOTA BATAM",
            "Ir. Jefridin, M.Pd.",
            "Pembina Utama Madya (IV/d)",
            "196805101993031005",
        )],
        _ => vec![head_of_office()],
    }
}

/// A complete document of `kind`, issued on 12 August 2026.
pub fn document(kind: DocumentKind) -> Document {
    let minutes = matches!(
        kind,
        DocumentKind::BaValidation | DocumentKind::BaCriticality | DocumentKind::BaReviewMeeting
    );
    Document {
        number: number(default_pattern(kind), 12, issued_at()).unwrap_or_default(),
        ticket_number: TICKET.to_owned(),
        tlp: if kind == DocumentKind::Certificate {
            Tlp::Clear
        } else {
            Tlp::AmberStrict
        },
        place: "Batam".to_owned(),
        issued_at: issued_at(),
        letterhead: Letterhead::default(),
        style: PageStyle::default(),
        signers: signers(kind),
        acknowledged_by: minutes.then(head_of_office),
        verify_url: Some("https://sigap.batam.go.id/verify/Q7K2M9XW4RTA".to_owned()),
        verify_code: "Q7K2M9XW4RTA".to_owned(),
        draft: false,
        preview: false,
        body: body(kind),
        evidence: evidence(),
        replaces: None,
    }
}
