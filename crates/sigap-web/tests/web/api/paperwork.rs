//! The official documents of real walks through the SOP, read back (pdftotext) as the
//! Sekretariat's reviewer of outgoing mail reads them: a high walk over two remediation
//! rounds that needs the Regional Secretary's approval, and a low walk validated in a
//! meeting, both under the demo's document settings on a server with a public address; and
//! a walk on a server whose documents are not configured, which issues drafts only.
//!
//! Every PDF: PDF/A-2b (declared, fonts embedded, sound structure), no invisible characters
//! in its text layer, no loopback address, each configured signer with rank and NIP, a
//! verification link that, copied from the text, opens the document's verification; and
//! what each kind must say of the others.

use std::collections::BTreeMap;
use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::json;
use sigap_app::documents::config::DocumentConfig;
use sigap_core::DocumentKind;
use sigap_testkit::{Backend, TestApp, bodies, read, valid_report};

use crate::api::documents::{documents, pdftotext};

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    a_high_walk_over_two_rounds_with_the_approval_reads_right:
        sqlite_a_high_walk_over_two_rounds_with_the_approval_reads_right,
        postgres_a_high_walk_over_two_rounds_with_the_approval_reads_right;
    a_low_walk_validated_in_a_meeting_reads_right:
        sqlite_a_low_walk_validated_in_a_meeting_reads_right,
        postgres_a_low_walk_validated_in_a_meeting_reads_right;
    without_signers_every_document_is_a_draft_without_links:
        sqlite_without_signers_every_document_is_a_draft_without_links,
        postgres_without_signers_every_document_is_a_draft_without_links;
}

/// Characters that show nothing but travel with copied text: zero-width and joiner
/// characters, direction marks and controls, the soft hyphen, the byte order mark.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// One document of a walk, read back.
struct Paper {
    kind: String,
    number: String,
    verify_code: String,
    /// pdftotext's text, as it comes.
    raw: String,
    /// The text with every whitespace run collapsed to one space.
    text: String,
}

impl Paper {
    /// Whether the text says `phrase` (whitespace runs in either collapsed).
    fn says(&self, phrase: &str) -> bool {
        self.text.contains(&collapse(phrase))
    }

    /// The text without any whitespace: a link broken over two lines, joined.
    fn compact(&self) -> String {
        self.raw.split_whitespace().collect()
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The archival form, checked with tools other than the one that wrote the file: the XMP
/// metadata declares PDF/A-2b (poppler's `pdfinfo -meta`), every font is embedded
/// (`pdffonts`), and the file's structure is sound (`qpdf --check`). No validator of the
/// whole PDF/A profile (veraPDF) can be installed from the registries this project uses;
/// the exporter itself refuses what PDF/A-2b forbids.
fn check_archival(kind: &str, pdf: &[u8]) {
    let dir = std::env::temp_dir().join(format!("sigap-pdfa-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{kind}-{}.pdf", rand_suffix()));
    std::fs::write(&path, pdf).unwrap();
    let run = |tool: &str, args: &[&str]| {
        let out = std::process::Command::new(tool)
            .args(args)
            .arg(&path)
            .output()
            .unwrap_or_else(|e| panic!("{tool} runs ({e}); scripts/test installs it"));
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (ok, meta) = run("pdfinfo", &["-meta"]);
    assert!(ok, "{kind}: pdfinfo fails");
    assert!(
        meta.contains("<pdfaid:part>2</pdfaid:part>")
            && meta.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
        "{kind}: not declared PDF/A-2b: {meta}"
    );
    let (ok, fonts) = run("pdffonts", &[]);
    assert!(ok, "{kind}: pdffonts fails");
    for line in fonts.lines().skip(2) {
        let columns: Vec<&str> = line.split_whitespace().collect();
        // name, type..., encoding, emb, sub, uni, object, generation
        let emb = columns.get(columns.len().saturating_sub(5)).copied();
        assert_eq!(emb, Some("yes"), "{kind}: a font is not embedded: {line}");
    }
    let (ok, check) = run("qpdf", &["--check"]);
    assert!(ok, "{kind}: qpdf --check: {check}");
    let _ = std::fs::remove_file(&path);
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::SeqCst)
}

/// Every document of ticket `n`, oldest first, read back; the receipt is requested first
/// with the reporter's token, as the reporter would.
async fn papers(app: &TestApp, n: &str, tracking_token: &str) -> Vec<Paper> {
    let receipt = app
        .client
        .get(app.url(&format!("/api/v1/reports/{n}/acknowledgement")))
        .header("x-tracking-token", tracking_token)
        .send()
        .await
        .unwrap();
    assert_eq!(receipt.status(), StatusCode::OK);
    let mut papers = Vec::new();
    for doc in &documents(app, n).await {
        let id = doc["id"].as_i64().unwrap();
        let pdf = app
            .get(Some(app.token("csirt")), &format!("/api/v1/documents/{id}"))
            .await;
        assert_eq!(pdf.status(), StatusCode::OK);
        let bytes = pdf.bytes().await.unwrap();
        check_archival(doc["kind"].as_str().unwrap(), &bytes);
        let raw = pdftotext(&bytes);
        papers.push(Paper {
            kind: doc["kind"].as_str().unwrap().to_owned(),
            number: doc["number"].as_str().unwrap().to_owned(),
            verify_code: doc["verify_code"].as_str().unwrap().to_owned(),
            text: collapse(&raw),
            raw,
        });
    }
    papers
}

/// What holds of every document of every walk.
fn check_common(paper: &Paper) {
    let kind = &paper.kind;
    let hidden: Vec<String> = paper
        .raw
        .chars()
        .filter(|c| invisible(*c))
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect();
    assert!(
        hidden.is_empty(),
        "{kind}: invisible characters {hidden:?} in {}",
        paper.raw
    );
    for loopback in ["127.0.0.1", "localhost", "[::1]", "0.0.0.0"] {
        assert!(
            !paper.raw.contains(loopback),
            "{kind}: {loopback} in {}",
            paper.raw
        );
    }
    // The system's own words are Indonesian: no English term or button label of the pages.
    let lower = paper.text.to_lowercase();
    for english in [
        "help desk",
        "helpdesk",
        "retest",
        "payload",
        "false positive",
        "proof of concept",
        "sampaikan laporan ke perangkat daerah",
        "tandai sebagai duplikat",
    ] {
        assert!(
            !lower.contains(english),
            "{kind}: \"{english}\" in {}",
            paper.text
        );
    }
    assert!(
        paper.says(&paper.number),
        "{kind}: its number {} in {}",
        paper.number,
        paper.text
    );
}

/// The signers of the settings in force, each with rank and NIP, and a verification link
/// that opens this document's verification when copied out of the text.
async fn check_signed_and_verifiable(app: &TestApp, settings: &DocumentConfig, paper: &Paper) {
    let kind = &paper.kind;
    let parsed: DocumentKind = kind.parse().unwrap();
    let signers = settings.signers(parsed).expect("the demo signs every kind");
    for signer in signers.iter().chain(settings.acknowledged_by(parsed)) {
        assert!(
            paper.says(&signer.name),
            "{kind}: {} in {}",
            signer.name,
            paper.text
        );
        assert!(
            paper.says(signer.rank.as_deref().unwrap()),
            "{kind}: rank of {} in {}",
            signer.name,
            paper.text
        );
        let nip = format!("NIP. {}", signer.nip.as_deref().unwrap());
        assert!(paper.says(&nip), "{kind}: {nip} in {}", paper.text);
    }
    assert!(
        !paper.says("DRAF"),
        "{kind} is marked a draft: {}",
        paper.text
    );
    // The link as a reader copies it: from the text, up to the next whitespace (a link
    // broken over two lines is joined, as a reader would join it).
    let joined = paper.compact();
    let start = joined
        .find(&format!("{}/verify/", app.base_url))
        .unwrap_or_else(|| panic!("{kind}: no verification link in {}", paper.raw));
    let link: String = joined[start..]
        .chars()
        .take(app.base_url.len() + "/verify/".len() + paper.verify_code.len())
        .collect();
    assert!(
        link.ends_with(&paper.verify_code),
        "{kind}: the link {link} is not the document's code {}",
        paper.verify_code
    );
    let (status, verified) = read(
        app.client
            .get(&link)
            .header("accept", "application/json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{kind}: {link} answers {verified}");
    assert_eq!(verified["number"], paper.number.as_str(), "{kind}");
}

fn by_kind(papers: &[Paper]) -> BTreeMap<String, Vec<&Paper>> {
    let mut map: BTreeMap<String, Vec<&Paper>> = BTreeMap::new();
    for paper in papers {
        map.entry(paper.kind.clone()).or_default().push(paper);
    }
    map
}

async fn demo_app(backend: Backend, threshold: u32) -> Option<(TestApp, DocumentConfig)> {
    let settings = DocumentConfig::demo().unwrap();
    let documents = Arc::new(settings.clone());
    let app = sigap_testkit::spawn_public_app(backend, |start| {
        start.policy.documents = documents;
        start.policy.approval_threshold = threshold;
    })
    .await?;
    Some((app, settings))
}

async fn a_high_walk_over_two_rounds_with_the_approval_reads_right(backend: Backend) {
    // One earlier valid report of the same agency: two are more than the threshold of one,
    // so the reactivation needs the Regional Secretary.
    let Some((app, settings)) = demo_app(backend, 1).await else {
        return;
    };
    let earlier = app.submit_ok(&valid_report()).await.number;
    app.act("csirt", &earlier, "validate", &bodies::validate(None))
        .await;
    let submitted = app.submit_ok(&valid_report()).await;
    let n = submitted.number.clone();
    app.drive(&n, "reviewing").await;
    // Round 1 ends "Belum": a second round of remediation. The meeting was held the day
    // before it is recorded, in a room of its own; the minutes say so, and say when the
    // step was recorded, as such.
    app.clock.advance(chrono::TimeDelta::days(2));
    let mut review = bodies::review(false);
    review["held_at"] = json!("2026-08-11T14:00");
    review["place"] = json!("Ruang Rapat Command Center Lt. 3");
    let mut early = review.clone();
    early["held_at"] = json!("2026-08-20T09:00");
    let refused = app.action(app.token("csirt"), &n, "review", &early).await;
    let problem = sigap_testkit::problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        sigap_testkit::error_fields(&problem),
        ["held_at"],
        "{problem:#}"
    );
    let t = app.act("csirt", &n, "review", &review).await;
    assert_eq!(t["state"], "remediating", "{t:#}");
    app.act("csirt", &n, "submit_remediation", &bodies::remediation())
        .await;
    app.act("csirt", &n, "send_follow_up", &bodies::follow_up())
        .await;
    let t = app.act("csirt", &n, "review", &bodies::review(true)).await;
    assert_eq!(t["state"], "awaiting_approval", "{t:#}");
    app.drive(&n, "closed").await;

    let papers = papers(&app, &n, &submitted.tracking_token).await;
    for paper in &papers {
        check_common(paper);
        check_signed_and_verifiable(&app, &settings, paper).await;
    }
    let kinds = by_kind(&papers);
    let one = |kind: &str| -> &Paper {
        let list = &kinds[kind];
        list[list.len() - 1]
    };
    assert_eq!(kinds["ba_review_meeting"].len(), 2, "one review per round");
    assert_eq!(kinds["remediation_report"].len(), 2, "one report per round");
    assert_eq!(
        kinds["letter_follow_up"].len(),
        2,
        "one follow-up per round"
    );
    assert_eq!(kinds["letter_notice"].len(), 2, "a letter opens each round");
    let held = kinds["ba_review_meeting"][0];
    for phrase in [
        "Pada hari ini Selasa tanggal sebelas bulan Agustus tahun dua ribu dua puluh enam \
         (11-08-2026), pukul 14.00 WIB, bertempat di Ruang Rapat Command Center Lt. 3",
        "Dicatat dalam sistem BATAM-CSIRT pada 12 Agustus 2026 pukul 09.00 WIB.",
    ] {
        assert!(held.says(phrase), "{phrase} in {}", held.text);
    }

    // "Belum": the letter of the second round cites the first notice, its follow-up and
    // the minutes that found the fix not done, and sets the new deadline.
    let (first_notice, second_notice) = (kinds["letter_notice"][0], kinds["letter_notice"][1]);
    let (first_follow_up, second_follow_up) =
        (kinds["letter_follow_up"][0], kinds["letter_follow_up"][1]);
    let (first_review, second_review) =
        (kinds["ba_review_meeting"][0], kinds["ba_review_meeting"][1]);
    for phrase in [
        "Permintaan Perbaikan Lanjutan".to_owned(),
        format!("Menindaklanjuti surat kami Nomor {}", first_notice.number),
        format!("surat tindak lanjut Nomor {}", first_follow_up.number),
        format!(
            "Berita Acara Hasil Rapat Internal Nomor {}",
            first_review.number
        ),
        "perbaikan lanjutan (putaran ke-2)".to_owned(),
        "Uji ulang masih menemukan celah pada parameter lain.".to_owned(),
    ] {
        assert!(
            second_notice.says(&phrase),
            "{phrase} in {}",
            second_notice.text
        );
    }
    // The second round's documents cite the second letter, and the first round's results.
    let second_report = kinds["remediation_report"][1];
    assert!(
        second_report.says(&second_notice.number),
        "{}",
        second_report.text
    );
    for earlier in [first_notice, first_follow_up, first_review] {
        assert!(
            second_follow_up.says(&earlier.number),
            "{} in {}",
            earlier.number,
            second_follow_up.text
        );
    }
    assert!(
        second_follow_up.says(&format!(
            "Menindaklanjuti surat kami Nomor {}",
            second_notice.number
        )),
        "{}",
        second_follow_up.text
    );
    assert!(
        second_review.says(&first_review.number),
        "{}",
        second_review.text
    );

    // The approval is the Sekretariat Daerah's: on its letterhead, not the Dinas's.
    let decision = one("approval_reactivation");
    assert!(
        decision.says("SEKRETARIAT DAERAH") && !decision.says("DINAS KOMUNIKASI DAN INFORMATIKA"),
        "{}",
        decision.text
    );
    // The report to the agency is the first letter's attachment.
    let report = one("agency_report");
    assert!(
        report.says("LAMPIRAN SURAT PEMBERITAHUAN") && report.says(&first_notice.number),
        "{}",
        report.text
    );
    // The unblock record rests on the last review minutes and on the approval, each by its
    // own name and number.
    let unblock = one("unblock_record");
    let review = one("ba_review_meeting");
    let approval = one("approval_reactivation");
    assert!(
        unblock.says(&format!(
            "Berita Acara Hasil Rapat Internal Nomor {}",
            review.number
        )),
        "{}",
        unblock.text
    );
    assert!(
        unblock.says(&format!(
            "Persetujuan Pengaktifan Kembali Sistem Elektronik oleh Sekretaris Daerah Kota \
             Batam Nomor {}",
            approval.number
        )),
        "{}",
        unblock.text
    );
    assert!(
        !unblock.says(&format!("Rapat Internal Nomor {}", approval.number)),
        "the approval's number under the minutes' name: {}",
        unblock.text
    );
    // The block record rests on the criticality minutes.
    assert!(
        one("block_record").says(&format!(
            "Berita Acara Penilaian Tingkat Kekritisan Nomor {}",
            one("ba_criticality").number
        )),
        "{}",
        one("block_record").text
    );
    // The notice letter's sentence on reporting the fix is whole, with the portal's link.
    let notice = one("letter_notice");
    assert!(
        notice.says("Hasil perbaikan agar dilaporkan melalui portal BATAM-CSIRT ("),
        "{}",
        notice.text
    );
    assert!(
        notice.says(") dengan melampirkan bukti perbaikan."),
        "{}",
        notice.text
    );
    assert!(
        notice
            .compact()
            .contains(&format!("({}/tickets/{n})", app.base_url)),
        "the portal's link in {}",
        notice.text
    );
    assert!(
        !notice.says("dilaporkan Hasil perbaikan"),
        "{}",
        notice.text
    );
    // The receipt points to the public tracking page and says the token is not on it.
    let receipt = one("acknowledgement");
    assert!(
        receipt
            .compact()
            .contains(&format!("{}/track?ticket={n}", app.base_url)),
        "{}",
        receipt.text
    );
    assert!(receipt.says("tidak dicantumkan dalam tanda terima ini"));
    assert!(!receipt.says("jangan dibagikan):"), "{}", receipt.text);
    assert!(
        !receipt.raw.contains(&submitted.tracking_token),
        "the receipt carries the tracking token"
    );
    assert!(receipt.says("Tidak ada"), "no files: {}", receipt.text);
}

async fn a_low_walk_validated_in_a_meeting_reads_right(backend: Backend) {
    let Some((app, settings)) = demo_app(backend, 3).await else {
        return;
    };
    let submitted = app.submit_ok(&valid_report()).await;
    let n = submitted.number.clone();
    let mut validate = bodies::validate(Some(sigap_testkit::seed::DOMAIN_A));
    validate["method"] = json!("meeting");
    validate["meeting"] = json!({
        "held_at": "2026-08-11T13:30:00+07:00",
        "place": "Ruang Rapat Command Center Lt. 3",
        "attendees": ["Ir. Hendra Saputra, M.T.", "Dimas Prasetyo, S.Kom."],
        "agency_invited": true,
    });
    app.act("csirt", &n, "validate", &validate).await;
    app.act("csirt", &n, "assess", &bodies::assess_low()).await;
    // The warning concerns the vendor that built the system, not civil servants.
    let mut notify = bodies::notify();
    notify["concerns"] = json!("PT Solusi Aplikasi Nusantara");
    notify["concerns_party"] = json!("vendor");
    app.act("csirt", &n, "notify_agency", &notify).await;
    app.drive(&n, "closed").await;

    let papers = papers(&app, &n, &submitted.tracking_token).await;
    let kinds: Vec<&str> = papers.iter().map(|p| p.kind.as_str()).collect();
    assert!(!kinds.contains(&"block_record") && !kinds.contains(&"unblock_record"));
    assert!(!kinds.contains(&"approval_reactivation"), "{kinds:?}");
    for paper in &papers {
        check_common(paper);
        check_signed_and_verifiable(&app, &settings, paper).await;
    }
    let validation = papers.iter().find(|p| p.kind == "ba_validation").unwrap();
    assert!(
        validation.says("Ruang Rapat Command Center Lt. 3"),
        "{}",
        validation.text
    );
    let notice = papers.iter().find(|p| p.kind == "letter_notice").unwrap();
    assert!(
        notice.says("Sistem Elektronik tersebut tidak diblokir."),
        "{}",
        notice.text
    );
    for paper in papers
        .iter()
        .filter(|p| p.kind == "letter_notice" || p.kind == "agency_report")
    {
        assert!(
            paper.says("teguran tertulis kepada penyedia PT Solusi Aplikasi Nusantara")
                && paper.says("Ketentuan disiplin Aparatur Sipil Negara tidak berlaku bagi"),
            "{}: {}",
            paper.kind,
            paper.text
        );
    }
}

async fn without_signers_every_document_is_a_draft_without_links(backend: Backend) {
    let Some(app) = sigap_testkit::spawn_app(backend).await else {
        return;
    };
    let submitted = app.submit_ok(&valid_report()).await;
    let n = submitted.number.clone();
    app.drive(&n, "closed").await;
    let papers = papers(&app, &n, &submitted.tracking_token).await;
    assert!(papers.len() >= 10, "{}", papers.len());
    for paper in &papers {
        check_common(paper);
        let kind = &paper.kind;
        // Every page says it is a draft: in the header and across the page.
        let pages = paper.raw.matches('\u{c}').count();
        assert!(pages >= 1);
        assert_eq!(
            paper
                .text
                .matches("DRAF — penandatangan belum diatur")
                .count(),
            pages,
            "{kind}: the draft note on each of its {pages} pages: {}",
            paper.text
        );
        // No public address: no link, the verification code instead.
        assert!(!paper.raw.contains("/verify/"), "{kind}: {}", paper.raw);
        assert!(
            paper.says(&format!("Kode verifikasi dokumen: {}", paper.verify_code))
                || paper.says(&format!(
                    "dengan kode verifikasi berikut (kode yang sama termuat dalam kode QR): {}",
                    paper.verify_code
                )),
            "{kind}: the verification code in {}",
            paper.text
        );
    }
    let receipt = papers.iter().find(|p| p.kind == "acknowledgement").unwrap();
    assert!(!receipt.raw.contains("/track"), "{}", receipt.raw);
    let notice = papers.iter().find(|p| p.kind == "letter_notice").unwrap();
    assert!(
        notice
            .says("Hasil perbaikan agar dilaporkan melalui portal BATAM-CSIRT pada halaman tiket"),
        "{}",
        notice.text
    );
}
