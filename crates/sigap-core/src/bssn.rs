//! Peraturan BSSN Nomor 1 Tahun 2024: an incident of high risk goes upward. A ticket assessed
//! high, or whose finding exposed personal data, or on a system flagged as vital information
//! infrastructure (IIV), is reported to the sectoral CSIRT with the national CSIRT in copy
//! ("lapor ke CSIRT sektoral"); the CSIRT records when and how it sent the report and the
//! recipient's reference. The report is due within the `law` section's hours: 1×24 for an
//! IIV system, `bssn_report_hours` (3×24 by default) for the others.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::FieldError;
use crate::form::Fields;
use crate::model::{Choice, Labelled, UnknownValue, stored_as_text, vocabulary};

/// The hours for an IIV system: the default and the longest a setting may give.
pub const IIV_HOURS: u32 = 24;
/// The shortest any setting may give.
pub const MIN_HOURS: u32 = 1;
/// The hours for the other systems by default.
pub const OTHER_HOURS: u32 = 72;
/// The longest a setting may give for the other systems: a week.
pub const MAX_OTHER_HOURS: u32 = 168;
/// The longest reference, recipient or note, in characters.
pub const MAX_TEXT: usize = 300;
/// The longest paragraph block the CSIRT adds to a report (impact, handling), in
/// characters.
pub const MAX_PROSE: usize = 4000;
/// To whom a report is addressed unless the CSIRT says otherwise.
pub const DEFAULT_ADDRESSEE: &str = "Ketua CSIRT Sektor Pemerintah Daerah";
/// Who reads a report in copy: the national CSIRT.
pub const NATIONAL_CSIRT: &str = "Gov-CSIRT Indonesia, Badan Siber dan Sandi Negara";

vocabulary! {
    /// Why a ticket is reported upward.
    pub enum Reason {
        High => "high", "Tingkat kekritisan tinggi", "High criticality";
        PersonalData => "personal_data", "Data pribadi terdampak", "Personal data affected";
        Iiv => "iiv", "Sistem elektronik IIV", "Vital information infrastructure";
    }
}

vocabulary! {
    /// How the report was sent.
    pub enum ReportChannel {
        Portal => "portal", "Aplikasi atau portal pelaporan", "Reporting portal";
        Email => "email", "Surel", "E-mail";
        Letter => "letter", "Surat resmi", "Official letter";
        Phone => "phone", "Telepon", "Telephone";
        Other => "other", "Lainnya", "Other";
    }
}

/// Why a ticket assessed `high`, with personal data affected or not, on a system flagged
/// IIV or not, goes upward; empty when it does not.
pub fn reasons(high: bool, personal_data: bool, iiv: bool) -> Vec<Reason> {
    [
        (high, Reason::High),
        (personal_data, Reason::PersonalData),
        (iiv, Reason::Iiv),
    ]
    .into_iter()
    .filter_map(|(applies, reason)| applies.then_some(reason))
    .collect()
}

/// When a report started at `started` is due: `iiv_hours` for an IIV system, else
/// `other_hours`.
pub fn due_at(
    started: DateTime<Utc>,
    iiv: bool,
    iiv_hours: u32,
    other_hours: u32,
) -> DateTime<Utc> {
    let hours = if iiv { iiv_hours } else { other_hours };
    started + Duration::hours(i64::from(hours))
}

/// What the clock says along the way: a reminder at half the period, the escalation after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportNotice {
    Reminder,
    Overdue,
}

impl ReportNotice {
    /// Its name in `deadline_notices` and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportNotice::Reminder => "bssn_reminder",
            ReportNotice::Overdue => "bssn_overdue",
        }
    }

    /// The latest notice due at `now` for a report started at `started` and due at `due`.
    pub fn due(
        started: DateTime<Utc>,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<ReportNotice> {
        if now > due {
            Some(ReportNotice::Overdue)
        } else if now >= started + (due - started) / 2 {
            Some(ReportNotice::Reminder)
        } else {
            None
        }
    }
}

/// The report as the CSIRT records its sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentRecord {
    pub sent_at: DateTime<Utc>,
    pub channel: ReportChannel,
    /// The recipient's reference number (a ticket or letter number).
    pub reference: String,
    /// Who received it (the sectoral CSIRT), with the national CSIRT in copy.
    pub recipient: String,
}

/// Reads a sending's fields (`sent_at` as RFC 3339 or a `datetime-local` in WIB, not in
/// the future nor before `started` less a day; `channel`; `reference`; `recipient`), every
/// bad field at once.
pub fn read_sent(
    body: &Value,
    started: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<SentRecord, Vec<FieldError>> {
    let mut fields = Fields::new(body);
    let channel = fields.choice::<ReportChannel>("channel");
    let reference = fields.required("reference", MAX_TEXT);
    let recipient = fields.required("recipient", MAX_TEXT);
    let sent_at = fields.parsed("sent_at", |text| {
        crate::pdp::since_the_clock("sent_at", text, started, now, "the high-risk finding")
    });
    let errors = fields.into_errors();
    match (sent_at, channel, reference, recipient) {
        (Some(sent_at), Some(channel), Some(reference), Some(recipient)) if errors.is_empty() => {
            Ok(SentRecord {
                sent_at,
                channel,
                reference,
                recipient,
            })
        }
        _ => Err(errors),
    }
}

/// What the CSIRT adds to the report sigap prepares: to whom (`addressee`, else
/// [`DEFAULT_ADDRESSEE`]) and its own words on the impact and the handling so far, each
/// optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportText {
    pub addressee: String,
    pub impact: Option<String>,
    pub handling: Option<String>,
}

/// Reads a report's text, every bad field at once.
pub fn read_report_text(body: &Value) -> Result<ReportText, Vec<FieldError>> {
    let mut fields = Fields::new(body);
    let addressee = fields.optional("addressee", MAX_TEXT);
    let impact = fields.optional("impact", MAX_PROSE);
    let handling = fields.optional("handling", MAX_PROSE);
    let errors = fields.into_errors();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ReportText {
        addressee: addressee.unwrap_or_else(|| DEFAULT_ADDRESSEE.to_owned()),
        impact,
        handling,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    fn at(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap() + Duration::hours(h)
    }

    #[test]
    fn high_personal_data_or_iiv_go_upward() {
        assert!(reasons(false, false, false).is_empty());
        assert_eq!(reasons(true, false, false), [Reason::High]);
        assert_eq!(
            reasons(false, true, true),
            [Reason::PersonalData, Reason::Iiv]
        );
    }

    #[test]
    fn the_clock_is_a_day_for_iiv_and_reminds_at_half() {
        assert_eq!(due_at(at(0), true, IIV_HOURS, OTHER_HOURS), at(24));
        assert_eq!(due_at(at(0), false, IIV_HOURS, OTHER_HOURS), at(72));
        let due = at(24);
        assert_eq!(ReportNotice::due(at(0), due, at(11)), None);
        assert_eq!(
            ReportNotice::due(at(0), due, at(12)),
            Some(ReportNotice::Reminder)
        );
        assert_eq!(
            ReportNotice::due(at(0), due, at(24) + Duration::seconds(1)),
            Some(ReportNotice::Overdue)
        );
    }

    #[test]
    fn a_sending_is_read_with_every_bad_field_named() {
        let body = json!({"sent_at": "2026-12-01T10:00", "channel": "portal",
            "reference": "BSSN-2026-1234", "recipient": "CSIRT Sektor Pemerintah Daerah"});
        let read = read_sent(&body, at(0), at(10)).unwrap();
        assert_eq!(read.sent_at, at(3));
        assert_eq!(read.channel, ReportChannel::Portal);
        let errors = read_sent(&json!({"channel": "fax"}), at(0), at(10)).unwrap_err();
        let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["channel", "recipient", "reference", "sent_at"]);
    }

    #[test]
    fn a_report_text_is_optional_but_bounded() {
        let plain = read_report_text(&json!({})).unwrap();
        assert_eq!(plain.addressee, DEFAULT_ADDRESSEE);
        assert_eq!(plain.impact, None);
        let given = read_report_text(&json!({"addressee": "CSIRT Kemendagri",
            "impact": "Layanan terganggu."}))
        .unwrap();
        assert_eq!(given.addressee, "CSIRT Kemendagri");
        assert_eq!(given.impact.as_deref(), Some("Layanan terganggu."));
        let long = "x".repeat(MAX_PROSE + 1);
        let errors =
            read_report_text(&json!({"handling": long, "addressee": "y".repeat(301)})).unwrap_err();
        let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["addressee", "handling"]);
    }
}
