//! How long sigap keeps what it holds of a closed ticket, by class, and what it does when a
//! period ends. The periods are the `law` section's (`retention_contact_years`,
//! `retention_evidence_years`), counted from the day the ticket closed; the defaults stand
//! until the city's archive schedule (*Jadwal Retensi Arsip*) confirms them.
//!
//! - **Reporter contact data** (2 years): anonymised. The ticket, its numbers, documents and
//!   figures stay; the person goes (name, e-mail, telephone, alias, the tracking token, the
//!   sender of the mail they wrote and its raw copy, their identifiers in their messages).
//!   UU 27/2022 Pasal 44 ayat (1) huruf a: personal data are destroyed once their retention
//!   period ends.
//! - **Evidence** (5 years): the files are destroyed; the documents keep naming each by its
//!   SHA-256, so what was destroyed stays provable.
//! - **Official documents and the audit log** are archives (UU 43/2009 on archives): their
//!   destruction needs the archive's own procedure, so sigap never destroys them.
//!
//! A ticket under a **legal hold** (an admin's, with a reason) is skipped until the hold is
//! lifted. Each run that changes something is written in a *Berita Acara Pemusnahan*: what
//! class, how many records, which tickets, by which rule.

use chrono::{DateTime, Months, Utc};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::FieldError;
use crate::form::Fields;
use crate::model::{Choice, Labelled, UnknownValue, stored_as_text, vocabulary};

/// Years a reporter's contact data are kept after closing, by default.
pub const CONTACT_YEARS: u32 = 2;
/// Years evidence files are kept after closing, by default.
pub const EVIDENCE_YEARS: u32 = 5;
/// The shortest period a setting may give, in years.
pub const MIN_YEARS: u32 = 1;
/// The longest period a setting may give, in years.
pub const MAX_YEARS: u32 = 30;
/// The longest reason of a legal hold, in characters.
pub const MAX_REASON: usize = 1000;

vocabulary! {
    /// What a retention period applies to.
    pub enum RetentionClass {
        ReporterContact => "reporter_contact", "Data kontak pelapor", "Reporter contact data";
        Evidence => "evidence", "Bukti elektronik", "Evidence files";
    }
}

impl RetentionClass {
    /// What happens to a record of this class when its period ends, as the record of
    /// destruction says it.
    pub fn treatment_id(self) -> &'static str {
        match self {
            RetentionClass::ReporterContact => "dianonimkan",
            RetentionClass::Evidence => "dimusnahkan",
        }
    }

    /// The rule behind the period, as the record of destruction cites it.
    pub fn basis_id(self) -> &'static str {
        match self {
            RetentionClass::ReporterContact => {
                "Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi Pasal 44 \
                 ayat (1) huruf a; Jadwal Retensi Arsip Pemerintah Kota"
            }
            RetentionClass::Evidence => {
                "Undang-Undang Nomor 43 Tahun 2009 tentang Kearsipan; Jadwal Retensi Arsip \
                 Pemerintah Kota"
            }
        }
    }
}

/// When a record of a ticket closed at `closed` and kept `years` expires: the same day
/// `years` later (the last day of February for a 29 February).
pub fn expires_at(closed: DateTime<Utc>, years: u32) -> DateTime<Utc> {
    closed
        .checked_add_months(Months::new(years.saturating_mul(12)))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The latest closing whose records of a class kept `years` have expired at `now`: a
/// ticket closed at or before it is due.
pub fn closed_by(now: DateTime<Utc>, years: u32) -> DateTime<Utc> {
    now.checked_sub_months(Months::new(years.saturating_mul(12)))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Reads the reason of a legal hold (`reason`, required), every bad field at once.
pub fn read_hold_reason(body: &Value) -> Result<String, Vec<FieldError>> {
    let mut fields = Fields::new(body);
    let reason = fields.required("reason", MAX_REASON);
    let errors = fields.into_errors();
    match reason {
        Some(reason) if errors.is_empty() => Ok(reason),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    #[test]
    fn a_period_counts_calendar_years_from_the_closing() {
        let closed = Utc.with_ymd_and_hms(2024, 2, 29, 3, 0, 0).unwrap();
        assert_eq!(
            expires_at(closed, 2),
            Utc.with_ymd_and_hms(2026, 2, 28, 3, 0, 0).unwrap()
        );
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).unwrap();
        let by = closed_by(now, CONTACT_YEARS);
        assert_eq!(by, Utc.with_ymd_and_hms(2024, 12, 7, 0, 0, 0).unwrap());
        assert!(expires_at(by, CONTACT_YEARS) <= now);
        assert!(expires_at(by + chrono::Duration::seconds(1), CONTACT_YEARS) > now);
    }

    #[test]
    fn a_hold_needs_its_reason() {
        assert_eq!(
            read_hold_reason(&json!({"reason": " Perkara No. 12/Pid.Sus/2026 "})).unwrap(),
            "Perkara No. 12/Pid.Sus/2026"
        );
        let errors = read_hold_reason(&json!({"reason": ""})).unwrap_err();
        assert_eq!(errors[0].field, "reason");
    }

    #[test]
    fn each_class_says_what_happens_and_why() {
        for class in RetentionClass::ALL {
            assert!(!class.treatment_id().is_empty());
            assert!(class.basis_id().contains("Nomor"));
        }
        assert_eq!(
            "reporter_contact".parse::<RetentionClass>().unwrap(),
            RetentionClass::ReporterContact
        );
    }
}
