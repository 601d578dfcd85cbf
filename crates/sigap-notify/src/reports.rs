//! The mail that carries an issued periodic report (*Laporan Bulanan/Triwulanan/Tahunan
//! Penanganan Insiden Siber*) to its recipients, the PDF attached: in Indonesian, naming
//! the report, its number and its TLP label, with a link to the reports page.

use chrono::{DateTime, Utc};
use sigap_core::Tlp;

use crate::links::PublicUrl;
use crate::messages::{MailLang, Rendered};
use crate::system_mail::{Part, SystemMail};
use crate::when::format_wib_long;

/// An issued periodic report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodReportIssued {
    /// `LAPORAN BULANAN PENANGANAN INSIDEN SIBER`.
    pub title: String,
    /// `November 2026`.
    pub period: String,
    pub number: String,
    pub issued_at: DateTime<Utc>,
    pub tlp: Tlp,
}

impl PeriodReportIssued {
    /// Subject, text and HTML of the mail; the link points at the reports page.
    pub fn render(&self, public: &PublicUrl) -> Rendered {
        let when = format_wib_long(self.issued_at, MailLang::Id);
        let title = title_case(&self.title);
        SystemMail {
            subject: format!(
                "[{}] {title} {} Nomor {}",
                self.tlp.as_str(),
                self.period,
                self.number
            ),
            greeting: "Yth. Bapak/Ibu Pimpinan".to_owned(),
            parts: vec![
                Part::Text(format!(
                    "Bersama ini kami sampaikan {title} periode {} Nomor {}, diterbitkan pada \
                     {when}, sebagaimana terlampir.",
                    self.period, self.number
                )),
                Part::Text(format!(
                    "Laporan ini berlabel {}: hanya untuk penerima dan pihak yang perlu \
                     mengetahuinya di lingkungan Pemerintah Kota Batam.",
                    self.tlp.as_str()
                )),
                Part::Link {
                    lead: "Dasbor dan seluruh laporan berkala: ".to_owned(),
                    label: "Buka dasbor".to_owned(),
                    url: public.dashboard().to_string(),
                },
                Part::Small(
                    "Pesan ini dikirim otomatis oleh sigap saat laporan diterbitkan.".to_owned(),
                ),
            ],
        }
        .render()
    }
}

/// `LAPORAN BULANAN PENANGANAN INSIDEN SIBER` as a sentence names it: `Laporan Bulanan
/// Penanganan Insiden Siber`.
fn title_case(title: &str) -> String {
    title
        .split_whitespace()
        .map(|w| {
            let lower = w.to_lowercase();
            let mut chars = lower.chars();
            chars
                .next()
                .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_mail_names_the_report_its_number_and_label() {
        let mail = PeriodReportIssued {
            title: "LAPORAN BULANAN PENANGANAN INSIDEN SIBER".to_owned(),
            period: "November <2026>".to_owned(),
            number: "000.6/1/LAP-CSIRT/Diskominfo/2026".to_owned(),
            issued_at: Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap(),
            tlp: Tlp::Amber,
        };
        let out = mail.render(&PublicUrl::parse("https://csirt.batam.go.id/").unwrap());
        assert_eq!(
            out.subject,
            "[TLP:AMBER] Laporan Bulanan Penanganan Insiden Siber November <2026> Nomor \
             000.6/1/LAP-CSIRT/Diskominfo/2026"
        );
        assert!(
            out.text.contains("https://csirt.batam.go.id/dashboard"),
            "{}",
            out.text
        );
        assert!(out.html.contains("November &lt;2026&gt;"), "{}", out.html);
        assert!(!out.html.contains("<2026>"));
    }
}
