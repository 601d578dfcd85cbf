//! Alerts to the admins about sigap itself rather than a ticket: a break in the audit log's
//! chain found by the worker, and `security.txt` about to expire. They go to staff only, in
//! Indonesian, and carry no reporter data: only what happened and a link to the page where
//! it is set right.

use chrono::{DateTime, Utc};

use crate::links::PublicUrl;
use crate::messages::{MailLang, Rendered};
use crate::system_mail::{Part, SystemMail};
use crate::when::format_wib_long;

/// A break in the audit chain, as the worker found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditChainBroken {
    /// The first entry that does not verify.
    pub seq: i64,
    /// Why, as the verifier says it.
    pub reason: String,
    /// When the check ran.
    pub checked_at: DateTime<Utc>,
}

impl AuditChainBroken {
    /// Subject, text and HTML of the alert; the link points at the audit page under `public`.
    pub fn render(&self, public: &PublicUrl) -> Rendered {
        let when = format_wib_long(self.checked_at, MailLang::Id);
        SystemMail {
            subject: format!(
                "[PERINGATAN] Rantai log audit sigap rusak pada entri {}",
                self.seq
            ),
            greeting: "Yth. Administrator sigap".to_owned(),
            parts: vec![
                Part::Text(format!(
                    "Pemeriksaan berkala pada {when} menemukan bahwa rantai log audit tidak utuh \
                     mulai entri nomor {}.",
                    self.seq
                )),
                Part::Text(format!("Keterangan: {}", self.reason)),
                Part::Text(
                    "Artinya, isi basis data telah diubah di luar aplikasi, atau server \
                     dijalankan dengan kunci (SIGAP_SECRET_KEY) yang berbeda. Mohon segera \
                     periksa akses ke basis data, jalankan `sigap audit verify` di server, dan \
                     tangani sebagai insiden keamanan."
                        .to_owned(),
                ),
                Part::Link {
                    lead: "Halaman audit: ".to_owned(),
                    label: "Buka halaman audit".to_owned(),
                    url: public.audit().to_string(),
                },
                Part::Small(
                    "Pesan ini dikirim otomatis oleh sigap satu kali untuk setiap kerusakan \
                     yang ditemukan."
                        .to_owned(),
                ),
            ],
        }
        .render()
    }
}

/// `security.txt` (and the CSIRT profile behind it) expires soon: an admin reviews the
/// profile to renew it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityTxtExpiring {
    /// When `security.txt`'s `Expires` falls.
    pub expires: DateTime<Utc>,
}

impl SecurityTxtExpiring {
    /// Subject, text and HTML of the reminder; the link points at the settings page.
    pub fn render(&self, public: &PublicUrl) -> Rendered {
        let when = format_wib_long(self.expires, MailLang::Id);
        SystemMail {
            subject: "[PENGINGAT] security.txt dan profil CSIRT perlu ditinjau".to_owned(),
            greeting: "Yth. Administrator sigap".to_owned(),
            parts: vec![
                Part::Text(format!(
                    "Berkas security.txt situs ini berlaku sampai {when}. Setelah itu peneliti \
                     keamanan akan menganggap kontak di dalamnya tidak lagi terpelihara \
                     (RFC 9116)."
                )),
                Part::Text(
                    "Mohon tinjau profil CSIRT (RFC 2350) pada halaman pengaturan: periksa \
                     kontak, jam layanan, konstituen dan layanan, lalu simpan. Penyimpanan itu \
                     memperpanjang masa berlaku security.txt satu tahun."
                        .to_owned(),
                ),
                Part::Link {
                    lead: "Halaman pengaturan: ".to_owned(),
                    label: "Tinjau profil CSIRT".to_owned(),
                    url: public.profile_settings().to_string(),
                },
                Part::Small(
                    "Pesan ini dikirim otomatis oleh sigap satu kali, 30 hari sebelum masa \
                     berlaku berakhir."
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
    fn the_alert_names_the_entry_and_escapes_the_reason() {
        let alert = AuditChainBroken {
            seq: 42,
            reason: "content <script>x</script> altered".to_owned(),
            checked_at: Utc.with_ymd_and_hms(2026, 12, 5, 3, 0, 0).unwrap(),
        };
        let public = PublicUrl::parse("https://csirt.batam.go.id/").unwrap();
        let out = alert.render(&public);
        assert!(out.subject.contains("entri 42"), "{}", out.subject);
        assert!(
            out.text.contains("Sabtu, 5 Desember 2026 10.00 WIB"),
            "{}",
            out.text
        );
        assert!(out.text.contains("https://csirt.batam.go.id/admin/audit"));
        assert!(out.html.contains("&lt;script&gt;"), "{}", out.html);
        assert!(!out.html.contains("<script>"));
    }
}
