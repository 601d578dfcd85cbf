//! Mail about a staff member's own account rather than a ticket: today, the one-time link of
//! "Lupa kata sandi". It goes to the registered address only, in Indonesian with an English
//! line, and says what to do when the reader did not ask for it; its frame is
//! [`crate::system_mail`]'s.

use chrono::{DateTime, Utc};

use crate::links::PublicUrl;
use crate::messages::{MailLang, Rendered};
use crate::system_mail::{Part, SystemMail};
use crate::when::format_wib_long;

/// The link to choose a new password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordReset {
    /// The staff member's name, for the greeting.
    pub name: String,
    /// The link's token (`{id}.{mac}`).
    pub token: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

impl PasswordReset {
    /// Subject, text and HTML; the link points at `/login/reset/{token}` under `public`.
    pub fn render(&self, public: &PublicUrl) -> Rendered {
        let until = format_wib_long(self.expires_at, MailLang::Id);
        let link = public.password_reset(&self.token);
        SystemMail {
            subject: "Tautan untuk membuat kata sandi baru sigap".to_owned(),
            greeting: format!("Yth. {}", self.name),
            parts: vec![
                Part::Text(
                    "Kami menerima permintaan untuk membuat kata sandi baru bagi akun sigap \
                     dengan alamat surel ini. Buka tautan berikut dan tuliskan kata sandi baru:"
                        .to_owned(),
                ),
                Part::Link {
                    lead: String::new(),
                    label: "Buat kata sandi baru".to_owned(),
                    url: link.to_string(),
                },
                Part::Text(format!(
                    "Tautan ini hanya dapat dipakai satu kali dan berlaku sampai {until}. \
                     Setelah kata sandi diganti, semua sesi akun ini berakhir."
                )),
                Part::Text(
                    "Bila Anda tidak memintanya, abaikan surel ini: kata sandi Anda tidak \
                     berubah. Bila permintaan ini berulang, beri tahu administrator sigap."
                        .to_owned(),
                ),
                Part::English(
                    "someone asked for a new sigap password for this address. The link above \
                     works once; ignore this mail if it was not you."
                        .to_owned(),
                ),
            ],
        }
        .render()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_link_goes_to_the_reset_page_and_the_name_is_escaped() {
        let mail = PasswordReset {
            name: "Sari <b>Analis</b>".to_owned(),
            token: "17.AbC-d_9".to_owned(),
            expires_at: Utc.with_ymd_and_hms(2026, 12, 5, 4, 0, 0).unwrap(),
        };
        let public = PublicUrl::parse("https://csirt.batam.go.id/").unwrap();
        let out = mail.render(&public);
        assert!(
            out.text
                .contains("https://csirt.batam.go.id/login/reset/17.AbC-d_9"),
            "{}",
            out.text
        );
        assert!(
            out.text.contains("Sabtu, 5 Desember 2026 11.00 WIB"),
            "{}",
            out.text
        );
        assert!(
            out.html.contains("Sari &lt;b&gt;Analis&lt;/b&gt;"),
            "{}",
            out.html
        );
        assert!(!out.html.contains("<b>"));
        // A token that is not one gives the sign-in page, never a path of its own.
        let odd = PasswordReset {
            token: "../admin?x=1".to_owned(),
            ..mail
        };
        let out = odd.render(&public);
        assert!(
            out.text.contains("https://csirt.batam.go.id/login\n"),
            "{}",
            out.text
        );
    }
}
