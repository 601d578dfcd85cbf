//! Turns a [`Draft`] into the subject and the two bodies, adding what every message has:
//! the TLP label (unless `TLP:CLEAR`), the ticket number and title, the closing and the
//! signature of BATAM-CSIRT. This is the only place where text becomes HTML, and it escapes
//! every value it writes.

use crate::html::{escape, escape_multiline};
use crate::messages::draft::{Block, Draft};
use crate::messages::{MailLang, Rendered, TicketRef};
use crate::tlp::Tlp;

/// The signature under every message.
const SIGNATURE: [&str; 2] = ["BATAM-CSIRT", "Dinas Komunikasi dan Informatika Kota Batam"];

/// Renders `draft` about `ticket` in `lang`.
pub(crate) fn render(ticket: &TicketRef, lang: MailLang, draft: &Draft) -> Rendered {
    let header = header_facts(ticket, lang);
    Rendered {
        subject: subject(ticket, &draft.subject),
        text: text_body(ticket.tlp, lang, &header, draft),
        html: html_body(ticket.tlp, lang, &header, draft),
    }
}

/// `[TLP:AMBER+STRICT] [BCSIRT-2026-00001] subject`; no label for `TLP:CLEAR`. Line breaks
/// in any part are flattened so that no header can be injected.
fn subject(ticket: &TicketRef, subject: &str) -> String {
    let label = if ticket.tlp.is_marked() {
        format!("[{}] ", ticket.tlp)
    } else {
        String::new()
    };
    let line = format!("{label}[{}] {subject}", ticket.number);
    line.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn header_facts(ticket: &TicketRef, lang: MailLang) -> Vec<(String, String)> {
    let mut facts = vec![(
        lang.pick("Nomor tiket", "Ticket number").to_owned(),
        ticket.number.to_string(),
    )];
    if let Some(title) = ticket.title.as_deref().filter(|t| !t.trim().is_empty()) {
        facts.push((lang.pick("Judul", "Title").to_owned(), one_line(title)));
    }
    facts
}

/// What the label asks of the reader.
fn tlp_notice(tlp: Tlp, lang: MailLang) -> String {
    let meaning = match tlp {
        Tlp::Red => lang.pick(
            "hanya untuk penerima yang disebut namanya; jangan diteruskan",
            "for the named recipients only; do not forward",
        ),
        Tlp::AmberStrict => lang.pick(
            "hanya untuk lingkungan organisasi penerima",
            "for the recipient's organisation only",
        ),
        Tlp::Amber => lang.pick(
            "untuk organisasi penerima dan pihak yang perlu mengetahuinya",
            "for the recipient's organisation and those who need to know",
        ),
        Tlp::Green => lang.pick(
            "untuk komunitas, tidak untuk publikasi",
            "for the community, not for publication",
        ),
        Tlp::Clear => "",
    };
    format!("{tlp}: {meaning}")
}

fn closing(lang: MailLang) -> &'static str {
    lang.pick(
        "Pesan ini dikirim secara otomatis oleh SIGAP. Mohon tidak membalas dengan \
         menyertakan data rahasia.",
        "This message was sent automatically by SIGAP. Please do not reply with \
         confidential data.",
    )
}

fn text_body(tlp: Tlp, lang: MailLang, header: &[(String, String)], draft: &Draft) -> String {
    let mut parts = Vec::new();
    if tlp.is_marked() {
        parts.push(tlp_notice(tlp, lang));
    }
    parts.push(text_facts(header));
    parts.push(draft.greeting.clone());
    parts.extend(draft.blocks.iter().map(text_block));
    parts.push(format!(
        "{}\n\n{}",
        lang.pick("Hormat kami,", "Kind regards,"),
        SIGNATURE.join("\n")
    ));
    parts.push(format!("-- \n{}", closing(lang)));
    let mut body = parts.join("\n\n");
    body.push('\n');
    body
}

fn text_block(block: &Block) -> String {
    match block {
        Block::Para(text) => text.clone(),
        Block::Facts(facts) => text_facts(facts),
        Block::Quote(text) => text
            .lines()
            .map(|line| format!("> {line}"))
            .collect::<Vec<_>>()
            .join("\n"),
        Block::Link { label, link } => format!("{label}:\n{link}"),
    }
}

fn text_facts(facts: &[(String, String)]) -> String {
    facts
        .iter()
        .map(|(label, value)| format!("{label}: {value}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn html_body(tlp: Tlp, lang: MailLang, header: &[(String, String)], draft: &Draft) -> String {
    let mut html = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n\
         <body style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1a1a1a\">\n",
    );
    if tlp.is_marked() {
        html.push_str(&format!(
            "<p style=\"font-weight:bold;color:{}\">{}</p>\n",
            tlp_colour(tlp),
            escape(&tlp_notice(tlp, lang))
        ));
    }
    html.push_str(&html_facts(header));
    html.push_str(&format!("<p>{}</p>\n", escape(&draft.greeting)));
    for block in &draft.blocks {
        html.push_str(&html_block(block));
    }
    html.push_str(&format!(
        "<p>{}<br>\n<strong>{}</strong><br>\n{}</p>\n",
        escape(lang.pick("Hormat kami,", "Kind regards,")),
        escape(SIGNATURE[0]),
        escape(SIGNATURE[1])
    ));
    html.push_str(&format!(
        "<p style=\"font-size:12px;color:#666\">{}</p>\n</body></html>\n",
        escape(closing(lang))
    ));
    html
}

fn html_block(block: &Block) -> String {
    match block {
        Block::Para(text) => format!("<p>{}</p>\n", escape_multiline(text)),
        Block::Facts(facts) => html_facts(facts),
        Block::Quote(text) => format!(
            "<blockquote style=\"border-left:3px solid #ccc;margin:0;padding-left:12px\">\
             {}</blockquote>\n",
            escape_multiline(text)
        ),
        Block::Link { label, link } => format!(
            "<p><a href=\"{}\">{}</a></p>\n",
            escape(link.as_str()),
            escape(label)
        ),
    }
}

fn html_facts(facts: &[(String, String)]) -> String {
    let rows: String = facts
        .iter()
        .map(|(label, value)| {
            format!(
                "<tr><th style=\"text-align:left;padding-right:12px\">{}</th><td>{}</td></tr>\n",
                escape(label),
                escape(value)
            )
        })
        .collect();
    format!("<table>\n{rows}</table>\n")
}

/// The colours of the TLP 2.0 standard, as text colour on white.
fn tlp_colour(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Red => "#c00000",
        Tlp::AmberStrict | Tlp::Amber => "#b36b00",
        Tlp::Green => "#2e7d32",
        Tlp::Clear => "#1a1a1a",
    }
}

/// A title on one line: line breaks and other control characters become spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}
