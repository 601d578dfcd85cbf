//! The frame of the mails about sigap itself or a staff member's own account rather than a
//! ticket ([`crate::account`], [`crate::alerts`]): a greeting, paragraphs, a link, the
//! small print and an English line, each written once and rendered both as plain text and
//! as HTML with every value escaped here.

use crate::html::escape;
use crate::messages::Rendered;

/// One part of a system mail's body, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A paragraph; text between backticks is a command, shown as code in HTML.
    Text(String),
    /// A link: in text its address after `lead` (e.g. "Halaman audit: "), in HTML an
    /// anchor reading `label`.
    Link {
        lead: String,
        label: String,
        url: String,
    },
    /// Lines kept as written (a template to copy), `<pre>` in HTML.
    Block(String),
    /// The small print at the end.
    Small(String),
    /// A line in English for a reader who does not read Indonesian.
    English(String),
}

/// A mail about sigap itself or an account, in Indonesian.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemMail {
    pub subject: String,
    /// "Yth. …," without the comma.
    pub greeting: String,
    pub parts: Vec<Part>,
}

/// A paragraph's HTML: escaped, with `command` between backticks as `<code>`.
fn paragraph_html(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, piece)| match i % 2 {
            1 => format!("<code>{}</code>", escape(piece)),
            _ => escape(piece),
        })
        .collect()
}

impl SystemMail {
    /// Subject, text and HTML.
    pub fn render(&self) -> Rendered {
        let mut text = vec![format!("{},", self.greeting)];
        let mut html = vec![format!("<p>{},</p>", escape(&self.greeting))];
        for part in &self.parts {
            match part {
                Part::Text(p) => {
                    text.push(p.clone());
                    html.push(format!("<p>{}</p>", paragraph_html(p)));
                }
                Part::Link { lead, label, url } => {
                    text.push(format!("{lead}{url}"));
                    html.push(format!(
                        "<p><a href=\"{}\">{}</a></p>",
                        escape(url),
                        escape(label)
                    ));
                }
                Part::Block(p) => {
                    text.push(p.clone());
                    html.push(format!("<pre>{}</pre>", escape(p)));
                }
                Part::Small(p) => {
                    text.push(p.clone());
                    html.push(format!("<p><small>{}</small></p>", paragraph_html(p)));
                }
                Part::English(p) => {
                    text.push(format!("(English: {p})"));
                    html.push(format!("<p lang=\"en\"><small>{}</small></p>", escape(p)));
                }
            }
        }
        Rendered {
            subject: self.subject.clone(),
            text: text.join("\n\n"),
            html: format!(
                "<!doctype html><html lang=\"id\"><body>{}</body></html>",
                html.concat()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_is_escaped_and_commands_become_code() {
        let mail = SystemMail {
            subject: "Uji".to_owned(),
            greeting: "Yth. <b>Admin</b>".to_owned(),
            parts: vec![
                Part::Text("Jalankan `sigap audit verify` & periksa <x>.".to_owned()),
                Part::Link {
                    lead: "Halaman: ".to_owned(),
                    label: "Buka".to_owned(),
                    url: "https://csirt.batam.go.id/a?b=1&c=\"2\"".to_owned(),
                },
                Part::English("Ignore <this>.".to_owned()),
            ],
        };
        let out = mail.render();
        assert_eq!(
            out.text,
            "Yth. <b>Admin</b>,\n\nJalankan `sigap audit verify` & periksa <x>.\n\n\
             Halaman: https://csirt.batam.go.id/a?b=1&c=\"2\"\n\n(English: Ignore <this>.)"
        );
        assert!(out.html.contains("<p>Yth. &lt;b&gt;Admin&lt;/b&gt;,</p>"));
        assert!(
            out.html
                .contains("Jalankan <code>sigap audit verify</code> &amp; periksa &lt;x&gt;.")
        );
        assert!(
            out.html
                .contains("href=\"https://csirt.batam.go.id/a?b=1&amp;c=&quot;2&quot;\"")
        );
        assert!(
            out.html
                .contains("<p lang=\"en\"><small>Ignore &lt;this&gt;.</small></p>")
        );
        assert!(!out.html.contains("<b>") && !out.html.contains("<x>"));
    }
}
