//! Reporter-written text is data: whatever a reporter types is printed as written, cannot
//! change the layout outside its field, and never reaches a letter to an agency.

use sigap_core::DocumentKind;
use sigap_naskah::body::ValidationMinutes;
use sigap_naskah::{Body, Document, render};

use crate::samples::document;
use crate::{CLOSING, assert_common, read};

const HOSTILE: [&str; 6] = [
    "#let x = 1",
    "] $ \\ [",
    "#import \"/etc/passwd\"",
    "<script>alert(1)</script>",
    "#eval(\"1 + 1\") *tebal* _miring_ = Judul",
    "mulai{{ \"}} ${x} %s \u{0} selesai",
];
const ARABIC: &str = "مرحبا بالعالم";
const EMOJI: &str = "🔥🚨";
const POC_MARKER: &str = "POC-RAHASIA-7731";

fn hostile_title() -> String {
    format!("{} {ARABIC} {EMOJI}", HOSTILE.join(" "))
}

/// 100 KB without a single space: the worst case for line breaking.
fn long_string() -> String {
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".repeat(1700)
}

fn hostile_validation() -> Document {
    let mut doc = document(DocumentKind::BaValidation);
    let Body::BaValidation(minutes) = &mut doc.body else {
        unreachable!()
    };
    let minutes: &mut ValidationMinutes = minutes;
    minutes.report_title = hostile_title();
    minutes.findings = format!("Temuan: {}", HOSTILE.join("\n"));
    minutes.team[0].name = "#set page(width: 1cm)".to_owned();
    minutes.restricted_attachment = Some(format!(
        "{POC_MARKER}\n{}\n{}\nAKHIR-LAMPIRAN",
        HOSTILE.join("\n"),
        long_string()
    ));
    doc
}

#[test]
fn hostile_text_renders_literally_and_keeps_the_layout() {
    let doc = hostile_validation();
    let pdf = render(&doc).unwrap();
    let read = read(&pdf);
    for piece in HOSTILE {
        // `\u{0}` is not printable; everything else must be there as written.
        let printable = piece.replace('\u{0}', "");
        let printable = printable.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(read.has(&printable), "`{printable}` not found verbatim");
    }
    assert!(read.has("#set page(width: 1cm)"));
    assert!(read.has(POC_MARKER));
    assert!(read.has("AKHIR-LAMPIRAN"));
    assert!(
        read.body_compact.contains(&long_string()),
        "the 100 KB string is not all there"
    );
    assert!(read.pages > 10, "100 KB of text takes many pages");
    assert!(read.has(CLOSING), "closing sentence lost");
    assert!(read.has("NIP. 198503122010011003"), "signature block lost");
    assert!(read.has("Mengetahui,"));
    assert!(read.has("LAMPIRAN (TERBATAS)"));
    assert_common(&doc, &read);
    // The closing and signatures come before the attachment, which takes its own pages.
    let closing_at = read.text.find(CLOSING).unwrap();
    let attachment_at = read.text.find("LAMPIRAN (TERBATAS)").unwrap();
    assert!(closing_at < attachment_at);
}

/// Arabic is kept as text (DejaVu Sans has its glyphs); an emoji, which no embedded font
/// has, shows as the replacement character, since a PDF/A file may not show a character
/// without a glyph. The ticket keeps the original.
#[test]
fn right_to_left_text_is_kept_and_emoji_show_as_replacement_characters() {
    let mut doc = document(DocumentKind::Acknowledgement);
    let Body::Acknowledgement(ack) = &mut doc.body else {
        unreachable!()
    };
    ack.title = hostile_title();
    let pdf = render(&doc).unwrap();
    let read = read(&pdf);
    assert!(read.has(ARABIC), "Arabic text not extracted: {}", read.text);
    assert!(
        fonts_of(&pdf).contains("DejaVuSans"),
        "the Arabic text is not set in the fallback font"
    );
    for emoji in EMOJI.chars() {
        assert!(
            !read.has(&emoji.to_string()),
            "emoji {emoji} printed without a glyph"
        );
    }
    assert!(
        read.has("\u{FFFD}"),
        "no replacement character: {}",
        read.text
    );
    assert_common(&doc, &read);
}

#[test]
fn letters_never_carry_the_restricted_attachment() {
    let minutes = hostile_validation();
    let minutes_text = read(&render(&minutes).unwrap());
    assert!(minutes_text.has(POC_MARKER));
    for kind in [
        DocumentKind::LetterNotice,
        DocumentKind::LetterFollowUp,
        DocumentKind::AgencyReport,
    ] {
        let mut letter = document(kind);
        // The CSIRT quotes the reporter's title in the summary; the PoC has no field here.
        if let Body::LetterNotice(notice) = &mut letter.body {
            notice.finding_summary = hostile_title();
        }
        let read = read(&render(&letter).unwrap());
        assert!(!read.has(POC_MARKER), "{kind} shows the proof of concept");
        assert!(
            !read.has("username=admin"),
            "{kind} shows the proof of concept"
        );
        assert!(
            !read.has("LAMPIRAN (TERBATAS)"),
            "{kind} has a restricted attachment"
        );
        assert_common(&letter, &read);
    }
}

/// The fonts a PDF embeds, as `pdffonts` lists them.
fn fonts_of(pdf: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("sigap-fonts-{}.pdf", std::process::id()));
    std::fs::write(&path, pdf).unwrap();
    let output = std::process::Command::new("pdffonts").arg(&path).output();
    let _ = std::fs::remove_file(&path);
    let output = output.expect("pdffonts (poppler-utils) is needed");
    assert!(output.status.success(), "pdffonts failed: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}
