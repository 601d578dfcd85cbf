//! What every checked report must satisfy, whichever way its body came (JSON or a
//! multipart form): a refusal names known fields only; an accepted report keeps the
//! promises of its fields' parsers and reads back to itself when sent again.

use serde_json::{Map, Value, json};
use sigap_core::{CheckedReport, Email, FieldError, MAX_POC, Target, check_report, score_vector};

/// Every field a refusal of a report may name.
const FIELDS: &[&str] = &[
    "body",
    "reporter_name",
    "reporter_email",
    "reporter_phone",
    "severity",
    "vulnerability_type",
    "target",
    "proof_of_concept",
    "evidence_text",
    "title",
    "description",
    "cvss_vector",
    "language",
    "credit",
    "credit_alias",
    "channel",
    "evidence",
];

/// Checks `body` as a report and asserts the properties of the answer.
pub fn check(body: &Value, has_files: bool, staff: bool) {
    match check_report(body, has_files, staff) {
        Ok(report) => accepted(&report, has_files, staff),
        Err(errors) => refused(&errors),
    }
}

fn refused(errors: &[FieldError]) {
    assert!(!errors.is_empty(), "a refusal without a reason");
    for error in errors {
        assert!(FIELDS.contains(&error.field.as_str()), "{error:?}");
        assert!(!error.message.is_empty(), "{error:?}");
    }
}

/// A text `optional_text` or `required_text` let through: trimmed, within `max` chars, no
/// control characters but tab and line breaks.
fn clean_text(text: &str, max: usize) {
    assert!(!text.is_empty() && text == text.trim(), "{text:?}");
    assert!(
        text.chars().count() <= max,
        "{} chars",
        text.chars().count()
    );
    assert!(
        !text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')),
        "{text:?}"
    );
}

fn accepted(report: &CheckedReport, has_files: bool, staff: bool) {
    clean_text(&report.reporter_name, 200);
    let email = Email::parse(&report.reporter_email).expect("the kept address parses again");
    assert_eq!(email.as_str(), report.reporter_email);
    report.reporter_phone.iter().for_each(|p| clean_text(p, 40));
    assert_eq!(
        Target::parse(&report.target.url).as_ref(),
        Ok(&report.target)
    );
    clean_text(&report.proof_of_concept, MAX_POC);
    report
        .evidence_text
        .iter()
        .for_each(|t| clean_text(t, MAX_POC));
    assert!(
        has_files || report.evidence_text.is_some(),
        "a report without evidence"
    );
    assert!(!report.title.trim().is_empty());
    assert_eq!(report.cvss_vector.is_some(), report.cvss_score.is_some());
    if let (Some(vector), Some(score)) = (&report.cvss_vector, report.cvss_score) {
        assert!((0.0..=10.0).contains(&score), "{score}");
        assert_eq!(score_vector(vector).map(|s| s.score), Ok(score));
    }
    assert!(
        matches!(report.language.as_str(), "id" | "en"),
        "{report:?}"
    );
    assert!(
        matches!(report.credit.as_str(), "name" | "alias" | "anonymous"),
        "{report:?}"
    );
    assert_eq!(report.credit_alias.is_some(), report.credit == "alias");
    assert_eq!(report.channel.is_some(), staff);
    let again = check_report(&as_body(report), has_files, staff).expect("sent again, accepted");
    assert_eq!(&again, report, "sent again, read differently");
}

/// The body a client would send to submit `report` as it was checked.
fn as_body(report: &CheckedReport) -> Value {
    let mut body = Map::new();
    let mut put = |field: &str, value: Option<&str>| {
        if let Some(value) = value {
            body.insert(field.to_owned(), json!(value));
        }
    };
    put("reporter_name", Some(&report.reporter_name));
    put("reporter_email", Some(&report.reporter_email));
    put("reporter_phone", report.reporter_phone.as_deref());
    put("severity", Some(report.severity.as_str()));
    put(
        "vulnerability_type",
        Some(report.vulnerability_type.as_str()),
    );
    put("target", Some(&report.target.url));
    put("title", Some(&report.title));
    put("description", Some(&report.description));
    put("proof_of_concept", Some(&report.proof_of_concept));
    put("evidence_text", report.evidence_text.as_deref());
    put("cvss_vector", report.cvss_vector.as_deref());
    put("language", Some(&report.language));
    put("channel", report.channel.map(|c| c.as_str()));
    put("credit", Some(&report.credit));
    put("credit_alias", report.credit_alias.as_deref());
    Value::Object(body)
}
