//! The acknowledgement of mail to the CSIRT that is not yet a ticket: one per thread, to
//! the sender, saying the mail was received and will be read by the help desk, and how to
//! report so that nothing is asked twice (the web form, or the template to reply with). It
//! repeats nothing of the received mail (no subject, no text): a forged sender learns
//! nothing and cannot make sigap carry words of their choosing. Its frame is
//! [`crate::system_mail`]'s.

use crate::links::PublicUrl;
use crate::messages::Rendered;
use crate::system_mail::{Part, SystemMail};

/// "Your mail was received", with the report template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailReceived {
    /// The template of a report by mail, to copy into a reply.
    pub template: String,
}

impl MailReceived {
    /// Subject, text and HTML; the form's link under `public`.
    pub fn render(&self, public: &PublicUrl) -> Rendered {
        SystemMail {
            subject: "Surel Anda telah diterima BATAM-CSIRT".to_owned(),
            greeting: "Yth. Bapak/Ibu".to_owned(),
            parts: vec![
                Part::Text(
                    "Terima kasih. Surel Anda telah diterima oleh BATAM-CSIRT, Dinas Komunikasi \
                     dan Informatika Kota Batam, dan akan diperiksa oleh petugas layanan. Bila \
                     surel Anda berisi laporan kerentanan atau insiden, Anda akan menerima \
                     nomor tiket dan tautan untuk memantau penanganannya setelah laporan \
                     dicatat."
                        .to_owned(),
                ),
                Part::Link {
                    lead: "Laporan dapat langsung diisi pada formulir: ".to_owned(),
                    label: "Formulir laporan kerentanan".to_owned(),
                    url: public.report_form().to_string(),
                },
                Part::Text(
                    "Atau balas surel ini dengan templat berikut agar petugas tidak perlu \
                     menanyakan kembali (satu isian per baris; deskripsi dan bukti boleh \
                     beberapa baris):"
                        .to_owned(),
                ),
                Part::Block(self.template.clone()),
                Part::Small(
                    "Surel ini dikirim otomatis satu kali untuk setiap percakapan. Jangan \
                     mengirim kata sandi atau data pribadi yang tidak diperlukan."
                        .to_owned(),
                ),
                Part::English(
                    "your e-mail was received by BATAM-CSIRT and will be read by the help \
                     desk. You can report on the form linked above, or reply with the template \
                     (English labels work too)."
                        .to_owned(),
                ),
            ],
        }
        .render()
    }
}
