//! A vulnerability report as a stranger sends it (the public form, the API, or the help
//! desk entering a report received by phone, e-mail or in person), checked field by field
//! into a [`CheckedReport`]: who reports and how to reach them, the target, the claimed
//! severity and type, the proof, the evidence, an optional CVSS vector, and how the reporter
//! wishes to be credited. Every bad field is answered at once.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::cvss::score_vector;
use crate::error::FieldError;
use crate::form::{Check, Given, request};
use crate::ids::{Email, Target, VulnerabilityType};
use crate::model::{Channel, Severity};
use crate::records::LONG_TEXT;

/// Longest proof of concept or log excerpt kept, in characters.
pub const MAX_POC: usize = 100_000;

/// Longest title, in characters, whether the reporter gives it or it is made up.
pub const MAX_TITLE: usize = 300;

/// A report as a stranger sends it to `POST /api/v1/reports` (JSON, or
/// `multipart/form-data` with the same text fields and files in `evidence`, repeatable) or
/// on the public form.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ReportRequest {
    #[schema(value_type = String)]
    pub reporter_name: Given,
    #[schema(value_type = String)]
    pub reporter_email: Given,
    #[schema(value_type = Option<String>)]
    pub reporter_phone: Given,
    /// `low`, `medium`, `high` or `critical`: the reporter's claim.
    #[schema(value_type = String)]
    pub severity: Given,
    /// A CWE id such as `CWE-79`, or a name.
    #[schema(value_type = String)]
    pub vulnerability_type: Given,
    /// URL or host of the affected system; a host without a scheme is read as `https://`.
    #[schema(value_type = String)]
    pub target: Given,
    #[schema(value_type = String)]
    pub proof_of_concept: Given,
    /// A log excerpt; required when no file is attached.
    #[schema(value_type = Option<String>)]
    pub evidence_text: Given,
    #[schema(value_type = Option<String>)]
    pub title: Given,
    #[schema(value_type = Option<String>)]
    pub description: Given,
    /// A CVSS 3.1 or 4.0 vector.
    #[schema(value_type = Option<String>)]
    pub cvss_vector: Given,
    /// `id` (default) or `en`: the language of messages to the reporter.
    #[schema(value_type = Option<String>)]
    pub language: Given,
    /// `name`, `alias` or `anonymous` (default): how the reporter wishes to be credited
    /// when the vulnerability is published.
    #[schema(value_type = Option<String>)]
    pub credit: Given,
    /// The alias to be credited with; required when `credit` is `alias`.
    #[schema(value_type = Option<String>)]
    pub credit_alias: Given,
    /// A challenge from `GET /api/v1/reports/challenge`, unchanged.
    #[schema(value_type = Option<String>)]
    pub proof_challenge: Given,
    /// A nonce such that SHA-256 of `proof_challenge:proof_nonce` starts with the
    /// challenge's number of zero bits. Reports without a proof have a smaller hourly limit.
    #[schema(value_type = Option<String>)]
    pub proof_nonce: Given,
}

/// A report that a staff member enters (`POST /api/v1/tickets`), received through another
/// channel.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct EnterReportRequest {
    /// `phone`, `email`, `walk_in`, `letter`, `web` or `api`.
    #[schema(value_type = String)]
    pub channel: Given,
    #[serde(flatten)]
    pub report: ReportRequest,
}

/// A report's fields after checking.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedReport {
    pub reporter_name: String,
    pub reporter_email: String,
    pub reporter_phone: Option<String>,
    pub severity: Severity,
    pub vulnerability_type: VulnerabilityType,
    pub target: Target,
    pub title: String,
    pub description: String,
    pub proof_of_concept: String,
    pub evidence_text: Option<String>,
    pub cvss_vector: Option<String>,
    pub cvss_score: Option<f64>,
    /// `id` or `en`: the language of the mail the reporter receives.
    pub language: String,
    /// Given only when staff enter the report.
    pub channel: Option<Channel>,
    /// `name`, `alias` or `anonymous`: how the reporter wishes to be credited.
    pub credit: String,
    /// Given exactly when `credit` is `alias`.
    pub credit_alias: Option<String>,
}

/// Checks every field of a report body as JSON (see [`check`]); `staff`: a staff member
/// enters the report, as an [`EnterReportRequest`].
pub fn check_report(
    body: &serde_json::Value,
    has_files: bool,
    staff: bool,
) -> Result<CheckedReport, Vec<FieldError>> {
    if staff {
        let entered: EnterReportRequest = request(body)?;
        check(&entered.report, Some(&entered.channel), has_files)
    } else {
        check(&request(body)?, None, has_files)
    }
}

/// Checks every field of a report; all errors at once. `channel`: given when a staff
/// member enters the report, and then required; `has_files`: files came with the report
/// (then `evidence_text` may be left out).
pub fn check(
    r: &ReportRequest,
    channel: Option<&Given>,
    has_files: bool,
) -> Result<CheckedReport, Vec<FieldError>> {
    let mut f = Check::default();
    let reporter_name = f.required("reporter_name", &r.reporter_name, 200);
    let reporter_email = f.parsed("reporter_email", &r.reporter_email, Email::parse);
    let reporter_phone = f.optional("reporter_phone", &r.reporter_phone, 40);
    let severity = f.choice::<Severity>("severity", &r.severity);
    let vulnerability_type = f.parsed(
        "vulnerability_type",
        &r.vulnerability_type,
        VulnerabilityType::parse,
    );
    let target = f.parsed("target", &r.target, Target::parse);
    let proof_of_concept = f.required("proof_of_concept", &r.proof_of_concept, MAX_POC);
    let evidence_text = f.optional("evidence_text", &r.evidence_text, MAX_POC);
    let title = f.optional("title", &r.title, MAX_TITLE);
    let description = f.optional("description", &r.description, LONG_TEXT);
    let cvss = f
        .optional("cvss_vector", &r.cvss_vector, 300)
        .and_then(|v| f.keep(score_vector(&v)));
    let language = f
        .optional("language", &r.language, 5)
        .unwrap_or_else(|| "id".to_owned());
    if language != "id" && language != "en" {
        f.errors
            .push(FieldError::new("language", "`language` is `id` or `en`"));
    }
    let (credit, credit_alias) = check_credit(&mut f, r);
    let channel = channel.and_then(|given| f.choice::<Channel>("channel", given));
    if !has_files && evidence_text.is_none() {
        f.errors.push(FieldError::new(
            "evidence",
            "evidence is required: attach at least one file (screenshot, log, video) or give `evidence_text`",
        ));
    }
    if !f.errors.is_empty() {
        return Err(f.errors);
    }
    let unread = || vec![FieldError::new("body", "the report could not be read")];
    let (Some(reporter_name), Some(reporter_email), Some(severity), Some(vulnerability_type)) =
        (reporter_name, reporter_email, severity, vulnerability_type)
    else {
        return Err(unread());
    };
    let (Some(target), Some(proof_of_concept)) = (target, proof_of_concept) else {
        return Err(unread());
    };
    let title = title.unwrap_or_else(|| default_title(&vulnerability_type, &target));
    Ok(CheckedReport {
        reporter_name,
        reporter_email: reporter_email.as_str().to_owned(),
        reporter_phone,
        severity,
        vulnerability_type,
        target,
        title,
        description: description.unwrap_or_default(),
        proof_of_concept,
        evidence_text,
        cvss_vector: cvss.as_ref().map(|c| c.vector.clone()),
        cvss_score: cvss.as_ref().map(|c| c.score),
        language,
        channel,
        credit,
        credit_alias,
    })
}

/// "{type} pada {host}", cut to [`MAX_TITLE`] characters: a type (up to 200) and a host (up
/// to 253) may be longer together than a title the reporter may give.
fn default_title(vulnerability_type: &VulnerabilityType, target: &Target) -> String {
    let full = format!("{} pada {}", vulnerability_type, target.host);
    let cut: String = full.chars().take(MAX_TITLE).collect();
    cut.trim_end().to_owned()
}

/// How the reporter wishes to be credited: `anonymous` unless they say otherwise; an alias
/// is required when they choose `alias`.
fn check_credit(f: &mut Check, r: &ReportRequest) -> (String, Option<String>) {
    let credit = f
        .optional("credit", &r.credit, 20)
        .map_or_else(|| "anonymous".to_owned(), |c| c.to_ascii_lowercase());
    let alias = f.optional("credit_alias", &r.credit_alias, 100);
    if !matches!(credit.as_str(), "name" | "alias" | "anonymous") {
        f.errors.push(FieldError::new(
            "credit",
            "`credit` is `name`, `alias` or `anonymous`",
        ));
    } else if credit == "alias" && alias.is_none() {
        f.errors.push(FieldError::new(
            "credit_alias",
            "give the alias to be credited with, or choose `name` or `anonymous`",
        ));
    }
    let alias = if credit == "alias" { alias } else { None };
    (credit, alias)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn report() -> serde_json::Value {
        json!({
            "reporter_name": " Budi ",
            "reporter_email": "budi@Contoh.ID",
            "severity": "High",
            "vulnerability_type": "SQL Injection",
            "target": "https://portal.batam.go.id/login",
            "proof_of_concept": "' OR 1=1 --",
            "evidence_text": "HTTP/1.1 200 OK",
        })
    }

    #[test]
    fn a_complete_report_is_read_with_its_defaults() {
        let checked = check_report(&report(), false, false).unwrap();
        assert_eq!(checked.reporter_name, "Budi");
        assert_eq!(checked.reporter_email, "budi@contoh.id");
        assert_eq!(checked.severity, Severity::High);
        assert_eq!(checked.target.host, "portal.batam.go.id");
        assert_eq!(checked.title, "SQL Injection pada portal.batam.go.id");
        assert_eq!(
            (checked.language.as_str(), checked.credit.as_str()),
            ("id", "anonymous")
        );
        assert_eq!(checked.channel, None);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let mut body = report();
        body["reporter_email"] = json!("not an address");
        body["severity"] = json!(3);
        body["credit"] = json!("alias");
        body["evidence_text"] = json!(null);
        let errors = check_report(&body, false, true).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "reporter_email",
                "severity",
                "credit_alias",
                "channel",
                "evidence"
            ]
        );
        assert!(check_report(&body, true, false).is_err());
        assert_eq!(
            check_report(&json!("x"), true, false).unwrap_err()[0].field,
            "body"
        );
    }

    #[test]
    fn a_made_up_title_is_a_title_the_reporter_could_have_given() {
        // Found by fuzzing (fuzz/, report_json): a long type and a long host made a title
        // of 577 characters, which the same report sent again with it was refused for.
        let mut body = report();
        body["vulnerability_type"] = json!("x".repeat(200));
        body["target"] = json!(format!("{}.{}.go.id", "a".repeat(63), "b".repeat(63)));
        let checked = check_report(&body, false, false).unwrap();
        assert_eq!(checked.title.chars().count(), MAX_TITLE);
        body["title"] = json!(checked.title);
        assert_eq!(check_report(&body, false, false).unwrap(), checked);
    }
}
