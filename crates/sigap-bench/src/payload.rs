//! Realistic report bodies, as a reporter would send them to `POST /api/v1/reports`, and the
//! registry of agencies and systems that `seed` registers so that most targets are routed.
//!
//! Everything is drawn from a seeded generator, so two runs with the same seed send the
//! same reports. Each proof of concept carries a reference word `refNNNN` (four digits) that
//! matches about one report in 10,000: the "rare word" of the search benchmark.

use rand::{Rng, RngExt};
use serde_json::{Value, json};

/// An agency (*Perangkat Daerah*) with its electronic systems and their domains.
pub struct AgencySpec {
    pub code: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub systems: &'static [(&'static str, &'static str)],
}

/// The agencies and systems `seed` registers. No entry is `batam.go.id` itself, so that the
/// unregistered hosts below stay unrouted.
pub const AGENCIES: &[AgencySpec] = &[
    AgencySpec {
        code: "DISKOMINFO",
        name: "Dinas Komunikasi dan Informatika",
        email: "diskominfo@batam.go.id",
        systems: &[
            ("Portal Resmi Pemerintah Kota", "portal.batam.go.id"),
            ("Layanan Aspirasi dan Pengaduan", "lapor.batam.go.id"),
            ("PPID", "ppid.batam.go.id"),
        ],
    },
    AgencySpec {
        code: "DISDIK",
        name: "Dinas Pendidikan",
        email: "disdik@batam.go.id",
        systems: &[
            ("PPDB Online", "ppdb.disdik.batam.go.id"),
            ("Sistem Informasi Sekolah", "sekolah.disdik.batam.go.id"),
        ],
    },
    AgencySpec {
        code: "DINKES",
        name: "Dinas Kesehatan",
        email: "dinkes@batam.go.id",
        systems: &[
            ("SIMPUS", "simpus.dinkes.batam.go.id"),
            ("Registrasi Vaksinasi", "vaksin.dinkes.batam.go.id"),
        ],
    },
    AgencySpec {
        code: "BAPENDA",
        name: "Badan Pendapatan Daerah",
        email: "bapenda@batam.go.id",
        systems: &[
            ("e-PBB", "pbb.bapenda.batam.go.id"),
            ("Pajak Daerah Online", "pajak.batam.go.id"),
        ],
    },
    AgencySpec {
        code: "BKPSDM",
        name: "Badan Kepegawaian dan Pengembangan SDM",
        email: "bkpsdm@batam.go.id",
        systems: &[("SIMPEG", "simpeg.batam.go.id")],
    },
    AgencySpec {
        code: "DISDUKCAPIL",
        name: "Dinas Kependudukan dan Pencatatan Sipil",
        email: "disdukcapil@batam.go.id",
        systems: &[("Antrian Online", "antrian.disdukcapil.batam.go.id")],
    },
    AgencySpec {
        code: "DPMPTSP",
        name: "Dinas Penanaman Modal dan PTSP",
        email: "dpmptsp@batam.go.id",
        systems: &[("Perizinan Online", "perizinan.batam.go.id")],
    },
    AgencySpec {
        code: "DISHUB",
        name: "Dinas Perhubungan",
        email: "dishub@batam.go.id",
        systems: &[("E-Parkir", "parkir.dishub.batam.go.id")],
    },
];

/// Hosts of the city that no seeded system covers: their tickets stay without an agency.
const UNREGISTERED: &[&str] = &[
    "wisata.batam.go.id",
    "perpustakaan.batam.go.id",
    "jdih.batam.go.id",
    "kelurahan-sekupang.batam.go.id",
    "bpbd.batam.go.id",
    "mail.batam.go.id",
    "pkk.batam.go.id",
    "sipd.batam.go.id",
];

/// A kind of weakness: its CWE, words for titles, and how a reporter shows it.
struct Vuln {
    cwe: &'static str,
    name_id: &'static str,
    name_en: &'static str,
    paths: &'static [&'static str],
    payload: &'static str,
    effect: &'static str,
}

const VULNS: &[Vuln] = &[
    Vuln {
        cwe: "CWE-89",
        name_id: "SQL Injection",
        name_en: "SQL injection",
        paths: &[
            "/login.php",
            "/berita/detail.php?id=12",
            "/api/search?q=pajak",
            "/pengumuman?kategori=3",
        ],
        payload: "' OR '1'='1' -- ",
        effect: "database error message reveals the query; UNION SELECT returns the users table (username, password hash)",
    },
    Vuln {
        cwe: "CWE-79",
        name_id: "Cross-Site Scripting (XSS)",
        name_en: "Reflected XSS",
        paths: &["/search?keyword=", "/komentar", "/galeri?album=", "/kontak"],
        payload: "\"><script>alert(document.domain)</script>",
        effect: "the script runs in the visitor's browser; session cookie is readable without HttpOnly",
    },
    Vuln {
        cwe: "CWE-22",
        name_id: "Path Traversal",
        name_en: "Path traversal",
        paths: &["/download.php?file=", "/lampiran?path=", "/assets/view?f="],
        payload: "../../../../etc/passwd",
        effect: "the server answers the content of /etc/passwd and the application's .env file with the database password",
    },
    Vuln {
        cwe: "CWE-434",
        name_id: "Unrestricted File Upload",
        name_en: "Unrestricted file upload",
        paths: &["/upload/berkas", "/profil/foto", "/pengaduan/lampiran"],
        payload: "shell.php.jpg containing <?php system($_GET['c']); ?>",
        effect: "the uploaded file is served from /uploads/ and executes commands as www-data",
    },
    Vuln {
        cwe: "CWE-287",
        name_id: "Broken Authentication",
        name_en: "Authentication bypass",
        paths: &["/admin/", "/panel/login", "/api/v1/auth/token"],
        payload: "X-Forwarded-For: 127.0.0.1 with an empty password field",
        effect: "the admin dashboard opens without a password; every account can be managed",
    },
    Vuln {
        cwe: "CWE-200",
        name_id: "Information Disclosure",
        name_en: "Sensitive data exposure",
        paths: &[
            "/.git/config",
            "/backup.sql",
            "/phpinfo.php",
            "/api/pegawai?limit=1000",
        ],
        payload: "a plain GET request without a session",
        effect: "personal data (NIK, address, phone number) of residents is listed without login",
    },
    Vuln {
        cwe: "CWE-639",
        name_id: "Insecure Direct Object Reference (IDOR)",
        name_en: "IDOR",
        paths: &[
            "/api/permohonan/1023",
            "/dokumen/unduh?id=",
            "/profil?user_id=",
        ],
        payload: "increment the numeric id in the URL while logged in as another user",
        effect: "documents of other applicants (KTP scans, KK) can be downloaded",
    },
    Vuln {
        cwe: "CWE-352",
        name_id: "Cross-Site Request Forgery",
        name_en: "CSRF",
        paths: &["/akun/ubah-email", "/admin/pengguna/hapus", "/pengaturan"],
        payload: "an auto-submitting form on an attacker's page",
        effect: "a logged-in administrator's e-mail address is changed without confirmation",
    },
    Vuln {
        cwe: "CWE-918",
        name_id: "Server-Side Request Forgery",
        name_en: "SSRF",
        paths: &["/api/preview?url=", "/import?sumber=", "/webhook/test"],
        payload: "http://169.254.169.254/latest/meta-data/",
        effect: "the server fetches internal addresses and returns their content",
    },
    Vuln {
        cwe: "CWE-1104",
        name_id: "Komponen Usang",
        name_en: "Outdated component",
        paths: &["/wp-login.php", "/vendor/phpunit/", "/readme.html"],
        payload: "version banner of a CMS with public exploits",
        effect: "the installed version has a known remote code execution vulnerability",
    },
];

const FIRST: &[&str] = &[
    "Andi", "Budi", "Citra", "Dewi", "Eko", "Fajar", "Gita", "Hendra", "Indah", "Joko", "Kartika",
    "Lestari", "Made", "Nur", "Oki", "Putri", "Rizky", "Sari", "Teguh", "Wahyu", "Yusuf", "Zahra",
];
const LAST: &[&str] = &[
    "Pratama",
    "Saputra",
    "Wijaya",
    "Siregar",
    "Nasution",
    "Hasibuan",
    "Simanjuntak",
    "Lubis",
    "Gunawan",
    "Hidayat",
    "Kurniawan",
    "Permana",
    "Santoso",
    "Rahmawati",
    "Harahap",
    "Situmorang",
];
const MAIL: &[&str] = &[
    "gmail.com",
    "yahoo.co.id",
    "proton.me",
    "outlook.com",
    "students.itb.ac.id",
];
const SEVERITIES: &[(&str, u32)] = &[("low", 20), ("medium", 40), ("high", 30), ("critical", 10)];
const VECTORS: &[&str] = &[
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
    "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N",
];

/// Common words for the search benchmark: each matches a sizeable share of the reports.
pub const COMMON_WORDS: &[&str] = &[
    "injection",
    "xss",
    "upload",
    "admin",
    "password",
    "traversal",
    "pegawai",
    "login",
];

/// One generated report body and whether its target is covered by a seeded system.
pub struct Report {
    pub body: Value,
    pub routed: bool,
}

fn pick<'a, T>(rng: &mut impl Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A report body for `POST /api/v1/reports`; `n` numbers it within the run.
/// The target's host: a registered system's domain (or its `api.` name), routed to its
/// agency, or a domain no agency has.
fn host(rng: &mut impl Rng) -> (String, bool) {
    let routed = rng.random_bool(0.7);
    let host = if routed {
        let agency = pick(rng, AGENCIES);
        let (_, domain) = pick(rng, agency.systems);
        if rng.random_bool(0.2) {
            format!("api.{domain}")
        } else {
            (*domain).to_owned()
        }
    } else {
        (*pick(rng, UNREGISTERED)).to_owned()
    };
    (host, routed)
}

/// A claimed severity, drawn by the weights of [`SEVERITIES`].
fn severity(rng: &mut impl Rng) -> &'static str {
    let total: u32 = SEVERITIES.iter().map(|s| s.1).sum();
    let mut roll = rng.random_range(0..total);
    for (name, weight) in SEVERITIES {
        if roll < *weight {
            return name;
        }
        roll -= weight;
    }
    SEVERITIES[0].0
}

/// The responses a reporter pastes under their request: 2 to 11 lines.
fn responses(rng: &mut impl Rng) -> String {
    let mut text = String::new();
    for line in 0..rng.random_range(2..12) {
        text.push_str(&format!(
            "[{line:02}] response {} bytes, status {}, waktu {} ms\n",
            rng.random_range(300..90_000),
            if line % 3 == 0 { 500 } else { 200 },
            rng.random_range(5..900)
        ));
    }
    text
}

/// Access-log lines as evidence: 3 to 9 requests of `path` from one address.
fn access_log(rng: &mut impl Rng, ip: u32, minute: u32, path: &str) -> String {
    let mut evidence = String::new();
    for i in 0..rng.random_range(3..10) {
        evidence.push_str(&format!(
            "203.0.113.{ip} - - [12/Mar/2026:10:{minute:02}:{:02} +0700] \"GET {path} HTTP/1.1\" {} {} \"-\" \"curl/8.5.0\"\n",
            (i * 7) % 60,
            if i % 2 == 0 { 200 } else { 500 },
            rng.random_range(200..20_000)
        ));
    }
    evidence
}

pub fn report(rng: &mut impl Rng, n: u64) -> Report {
    let vuln = pick(rng, VULNS);
    let (host, routed) = host(rng);
    let path = pick(rng, vuln.paths);
    let target = format!("https://{host}{path}");
    let first = pick(rng, FIRST);
    let last = pick(rng, LAST);
    let english = rng.random_bool(0.2);
    let reference = format!("ref{:04}", rng.random_range(0..10_000u32));
    let severity = severity(rng);
    let title = if english {
        format!("{} on {host}{path} (report {n})", vuln.name_en)
    } else {
        match rng.random_range(0..3) {
            0 => format!("{} pada {host}", vuln.name_id),
            1 => format!("Celah {} di halaman {path} {host}", vuln.name_id),
            _ => format!("Laporan kerentanan {} - {host} #{n}", vuln.name_id),
        }
    };
    let description = if english {
        format!(
            "While checking {host} I found a {} issue at {path}. Impact: {}. I have not accessed more data than needed to confirm it.",
            vuln.name_en, vuln.effect
        )
    } else {
        format!(
            "Saat memeriksa {host} saya menemukan celah {} pada {path}. Dampak: {}. Saya tidak mengakses data lebih dari yang diperlukan untuk membuktikannya.",
            vuln.name_id, vuln.effect
        )
    };
    let minute = rng.random_range(0..60);
    let ip = rng.random_range(1..255);
    let mut poc = format!(
        "Referensi: {reference}\nLangkah reproduksi / steps:\n1. Buka {target}\n2. Kirim payload: {}\n3. Hasil: {}\n\nRequest:\nGET {path} HTTP/1.1\nHost: {host}\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\nAccept: */*\n\n",
        vuln.payload, vuln.effect
    );
    poc.push_str(&responses(rng));
    let evidence = access_log(rng, ip, minute, path);
    let mut body = json!({
        "reporter_name": format!("{first} {last}"),
        "reporter_email": format!("{}.{}{}@{}", first.to_lowercase(), last.to_lowercase(), n % 100, pick(rng, MAIL)),
        "severity": severity,
        "vulnerability_type": if rng.random_bool(0.7) { vuln.cwe } else { vuln.name_en },
        "target": target,
        "title": title,
        "description": description,
        "proof_of_concept": poc,
        "evidence_text": evidence,
        "language": if english { "en" } else { "id" },
    });
    if let Value::Object(map) = &mut body {
        if rng.random_bool(0.5) {
            let phone = format!(
                "+62 812-{:04}-{:04}",
                rng.random_range(0..10_000),
                rng.random_range(0..10_000)
            );
            map.insert("reporter_phone".into(), Value::String(phone));
        }
        if rng.random_bool(0.4) {
            map.insert(
                "cvss_vector".into(),
                Value::String((*pick(rng, VECTORS)).to_owned()),
            );
        }
    }
    Report { body, routed }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn reports_pass_the_intake_checks() {
        let mut rng = StdRng::seed_from_u64(7);
        for n in 0..500 {
            let r = report(&mut rng, n);
            let checked = sigap_app::intake::check_report(&r.body, false, false);
            assert!(
                checked.is_ok(),
                "report {n} refused: {:?}\n{}",
                checked.err(),
                r.body
            );
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_reports() {
        let a = report(&mut StdRng::seed_from_u64(1), 3).body;
        let b = report(&mut StdRng::seed_from_u64(1), 3).body;
        assert_eq!(a, b);
    }

    #[test]
    fn registered_domains_parse_and_do_not_cover_unregistered_hosts() {
        for a in AGENCIES {
            assert!(sigap_core::AgencyCode::parse(a.code).is_ok());
            for (_, d) in a.systems {
                assert!(sigap_core::Domain::parse(d).is_ok());
                assert!(
                    UNREGISTERED
                        .iter()
                        .all(|u| !u.ends_with(&format!(".{d}")) && u != d)
                );
            }
        }
    }
}
