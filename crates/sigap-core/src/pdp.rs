//! UU Nomor 27 Tahun 2022 (Pelindungan Data Pribadi), Pasal 46: when personal data are
//! breached, the controller (the agency that owns the system) must give written notice to
//! the data subjects and to the supervisory authority within 3×24 hours.
//!
//! A ticket's clock starts when the criticality minutes record "Data pribadi terdampak: Ya"
//! or when staff record it later with a reason; it runs for the `law` section's
//! `pdp_notice_hours` (72 by default, never longer than the law's 72) and stops when the
//! agency has recorded both notices. [`PdpNotice::due`] says what the worker tells the
//! agency along the way: a reminder at a third and at two thirds of the period (24 h and
//! 48 h of 72), an escalation once it has passed.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::FieldError;
use crate::form::Fields;
use crate::model::{Choice, DocumentKind, Labelled, UnknownValue, stored_as_text, vocabulary};

/// The law's period, in hours: the default and the longest a setting may give.
pub const NOTICE_HOURS: u32 = 72;
/// The shortest period a setting may give.
pub const MIN_NOTICE_HOURS: u32 = 24;
/// The longest reason for recording a breach after the assessment, in characters.
pub const MAX_REASON: usize = 2000;
/// The longest note on a recorded notice.
pub const MAX_NOTE: usize = 1000;
/// The longest of a notice draft's three contents, in characters.
pub const MAX_DRAFT_PART: usize = 8000;
/// The longest contact line of a notice.
pub const MAX_CONTACT: usize = 500;

vocabulary! {
    /// To whom a notice of Pasal 46 goes.
    pub enum NoticeRecipient {
        /// The people whose data were exposed (Pasal 46 ayat (1) huruf a).
        Subjects => "subjects", "Subjek data pribadi", "Data subjects";
        /// The supervisory authority, *lembaga* PDP (Pasal 46 ayat (1) huruf b).
        Authority => "authority", "Lembaga pelindungan data pribadi", "Data protection authority";
    }
}

impl NoticeRecipient {
    /// The kind of the document that notifies this recipient.
    pub fn document_kind(self) -> DocumentKind {
        match self {
            NoticeRecipient::Subjects => DocumentKind::PdpNoticeSubjects,
            NoticeRecipient::Authority => DocumentKind::PdpNoticeAuthority,
        }
    }
}

vocabulary! {
    /// How a notice was given.
    pub enum NoticeChannel {
        Letter => "letter", "Surat resmi", "Official letter";
        Email => "email", "Surel", "E-mail";
        Sms => "sms", "SMS atau pesan singkat", "SMS or text message";
        Website => "website", "Pengumuman di situs web", "Notice on the website";
        Other => "other", "Lainnya", "Other";
    }
}

vocabulary! {
    /// Where a breach's clock stands.
    pub enum ClockStatus {
        /// Running, its period not yet passed.
        Running => "running", "Berjalan", "Running";
        /// Past its period without both notices.
        Overdue => "overdue", "Lewat batas waktu", "Overdue";
        /// Both notices recorded, the later one within the period.
        Met => "met", "Terpenuhi tepat waktu", "Met in time";
        /// Both notices recorded, the later one after the period.
        Late => "late", "Terpenuhi terlambat", "Met late";
    }
}

/// Where a clock due at `due` stands at `now`, with the time of
/// the later of its two notices when both are recorded.
pub fn status(
    due: DateTime<Utc>,
    both_notified: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> ClockStatus {
    match both_notified {
        Some(at) if at <= due => ClockStatus::Met,
        Some(_) => ClockStatus::Late,
        None if now > due => ClockStatus::Overdue,
        None => ClockStatus::Running,
    }
}

/// What the clock says to the agency along the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdpNotice {
    /// A third of the period gone (24 hours of 72).
    FirstReminder,
    /// Two thirds gone (48 hours of 72).
    SecondReminder,
    /// The period has passed without both notices: escalated.
    Overdue,
}

impl PdpNotice {
    /// Its name in `deadline_notices` and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            PdpNotice::FirstReminder => "pdp_reminder_1",
            PdpNotice::SecondReminder => "pdp_reminder_2",
            PdpNotice::Overdue => "pdp_overdue",
        }
    }

    /// The latest notice due at `now` for a clock started at `started` and due at `due`.
    pub fn due(
        started: DateTime<Utc>,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<PdpNotice> {
        let third = (due - started) / 3;
        if now > due {
            Some(PdpNotice::Overdue)
        } else if now >= started + third * 2 {
            Some(PdpNotice::SecondReminder)
        } else if now >= started + third {
            Some(PdpNotice::FirstReminder)
        } else {
            None
        }
    }

    /// The first moment a clock started at `started` may call for a notice.
    pub fn first_at(started: DateTime<Utc>, due: DateTime<Utc>) -> DateTime<Utc> {
        started + (due - started) / 3
    }
}

/// When a clock started at `started` with a period of `hours` ends.
pub fn due_at(started: DateTime<Utc>, hours: u32) -> DateTime<Utc> {
    started + Duration::hours(i64::from(hours))
}

/// A notice as the agency records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRecord {
    pub recipient: NoticeRecipient,
    /// When it was sent or published.
    pub notified_at: DateTime<Utc>,
    pub channel: NoticeChannel,
    /// What else to know (the letter's number, the page's address, how many people).
    pub note: Option<String>,
}

/// Reads a notice's fields (`recipient`, `notified_at` as RFC 3339 or a `datetime-local`
/// in WIB, `channel`, `note`): not in the future, not before `started` less a day (an
/// agency may have told its people before sigap knew), every bad field at once.
pub fn read_notice(
    body: &Value,
    started: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<NoticeRecord, Vec<FieldError>> {
    let mut fields = Fields::new(body);
    let recipient = fields.choice::<NoticeRecipient>("recipient");
    let channel = fields.choice::<NoticeChannel>("channel");
    let note = fields.optional("note", MAX_NOTE);
    let notified_at = fields.parsed("notified_at", |text| {
        since_the_clock("notified_at", text, started, now, "the breach was recorded")
    });
    let value = match (recipient, channel, notified_at) {
        (Some(recipient), Some(channel), Some(notified_at)) => Some(NoticeRecord {
            recipient,
            notified_at,
            channel,
            note,
        }),
        _ => None,
    };
    finish(fields, value)
}

/// The text of a notice as the agency edits it: the three contents of Pasal 46 ayat (2)
/// and where to ask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NoticeDraft {
    /// Huruf a: the personal data exposed.
    pub data_exposed: String,
    /// Huruf b: when and how they were exposed.
    pub when_how: String,
    /// Huruf c: what was done to handle the breach and recover.
    pub handling: String,
    /// Where the reader can ask, if given.
    pub contact: Option<String>,
}

/// Reads a notice's draft: the three contents required (at most [`MAX_DRAFT_PART`]
/// characters each), the contact optional; every bad field at once.
pub fn read_draft(body: &Value) -> Result<NoticeDraft, Vec<FieldError>> {
    let mut fields = Fields::new(body);
    let data_exposed = fields.required("data_exposed", MAX_DRAFT_PART);
    let when_how = fields.required("when_how", MAX_DRAFT_PART);
    let handling = fields.required("handling", MAX_DRAFT_PART);
    let contact = fields.optional("contact", MAX_CONTACT);
    let value = match (data_exposed, when_how, handling) {
        (Some(data_exposed), Some(when_how), Some(handling)) => Some(NoticeDraft {
            data_exposed,
            when_how,
            handling,
            contact,
        }),
        _ => None,
    };
    finish(fields, value)
}

/// A required time (RFC 3339, or a `datetime-local` in WIB) at which something was done
/// for a clock started at `started`: not in the future (five minutes' grace), not more than
/// a day before the clock (`what` says what started it).
pub(crate) fn since_the_clock(
    field: &str,
    text: &str,
    started: DateTime<Utc>,
    now: DateTime<Utc>,
    what: &str,
) -> Result<DateTime<Utc>, FieldError> {
    let refused = |why: String| FieldError::new(field, why);
    if text.trim().is_empty() {
        return Err(refused(format!("`{field}` is required")));
    }
    let at = crate::records::parse_instant(text).ok_or_else(|| {
        refused(format!(
            "`{field}` must be a date and time (RFC 3339, or YYYY-MM-DDTHH:MM in WIB)"
        ))
    })?;
    if at > now + Duration::minutes(5) {
        return Err(refused(format!("`{field}` cannot be in the future")));
    }
    if at < started - Duration::days(1) {
        return Err(refused(format!(
            "`{field}` cannot be more than a day before {what}"
        )));
    }
    Ok(at)
}

/// The reason for recording a breach after the assessment: required, at most
/// [`MAX_REASON`] characters.
pub fn read_reason(body: &Value) -> Result<String, Vec<FieldError>> {
    let mut fields = Fields::new(body);
    let reason = fields.required("reason", MAX_REASON);
    finish(fields, reason)
}

/// `value` when `fields` found no error, or every error found.
fn finish<T>(fields: Fields<'_>, value: Option<T>) -> Result<T, Vec<FieldError>> {
    let errors = fields.into_errors();
    match value {
        Some(value) if errors.is_empty() => Ok(value),
        _ => Err(errors),
    }
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
    fn the_clock_reminds_at_a_third_and_two_thirds_and_escalates_after() {
        let (start, due) = (at(0), due_at(at(0), NOTICE_HOURS));
        assert_eq!(due, at(72));
        assert_eq!(PdpNotice::due(start, due, at(23)), None);
        assert_eq!(
            PdpNotice::due(start, due, at(24)),
            Some(PdpNotice::FirstReminder)
        );
        assert_eq!(
            PdpNotice::due(start, due, at(47)),
            Some(PdpNotice::FirstReminder)
        );
        assert_eq!(
            PdpNotice::due(start, due, at(48)),
            Some(PdpNotice::SecondReminder)
        );
        assert_eq!(
            PdpNotice::due(start, due, at(72)),
            Some(PdpNotice::SecondReminder)
        );
        assert_eq!(
            PdpNotice::due(start, due, at(72) + Duration::seconds(1)),
            Some(PdpNotice::Overdue)
        );
        assert_eq!(PdpNotice::first_at(start, due), at(24));
        // A shorter period keeps its thirds.
        let short = due_at(start, 24);
        assert_eq!(
            PdpNotice::due(start, short, at(8)),
            Some(PdpNotice::FirstReminder)
        );
        assert_eq!(
            PdpNotice::due(start, short, at(16)),
            Some(PdpNotice::SecondReminder)
        );
    }

    #[test]
    fn the_status_follows_the_later_notice() {
        let due = at(72);
        assert_eq!(status(due, None, at(71)), ClockStatus::Running);
        assert_eq!(status(due, None, at(73)), ClockStatus::Overdue);
        assert_eq!(status(due, Some(at(72)), at(100)), ClockStatus::Met);
        assert_eq!(status(due, Some(at(73)), at(100)), ClockStatus::Late);
    }

    #[test]
    fn a_notice_is_read_in_wib_and_every_bad_field_is_named() {
        let body = json!({"recipient": "authority", "channel": "letter",
            "notified_at": "2026-12-02T09:30", "note": "Surat B/12/2026"});
        let read = read_notice(&body, at(0), at(72)).unwrap();
        assert_eq!(read.recipient, NoticeRecipient::Authority);
        assert_eq!(read.channel, NoticeChannel::Letter);
        assert_eq!(read.notified_at, at(24) + Duration::minutes(150));
        assert_eq!(read.note.as_deref(), Some("Surat B/12/2026"));

        let bad =
            json!({"recipient": "press", "channel": "pigeon", "notified_at": "2027-01-01T00:00"});
        let errors = read_notice(&bad, at(0), at(72)).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields.len(), 3, "{errors:?}");
        for f in ["recipient", "channel", "notified_at"] {
            assert!(fields.contains(&f), "{f}: {errors:?}");
        }
        let missing = read_notice(
            &json!({"recipient": "subjects", "channel": "email"}),
            at(0),
            at(72),
        )
        .unwrap_err();
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert_eq!(missing[0].field, "notified_at");
        let early = json!({"recipient": "subjects", "channel": "email", "notified_at": "2026-11-29T00:00:00Z"});
        assert!(read_notice(&early, at(0), at(72)).is_err());
    }

    #[test]
    fn a_draft_needs_its_three_contents() {
        let errors = read_draft(&json!({"data_exposed": "NIK", "when_how": ""})).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["when_how", "handling"]);
        let draft = read_draft(&json!({"data_exposed": "NIK", "when_how": "Agustus",
            "handling": "Diblokir", "contact": " "}))
        .unwrap();
        assert_eq!(draft.contact, None);
        assert_eq!(
            NoticeRecipient::Subjects.document_kind(),
            DocumentKind::PdpNoticeSubjects
        );
    }

    #[test]
    fn a_reason_is_required() {
        assert!(read_reason(&json!({"reason": "  "})).is_err());
        assert!(read_reason(&json!({})).is_err());
        assert_eq!(
            read_reason(&json!({"reason": "Basis data NIK bocor"})).unwrap(),
            "Basis data NIK bocor"
        );
    }
}
