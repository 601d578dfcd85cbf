//! The section of the settings page on the national rules around the SOP: each number in
//! force, what it means, and the rule that says it; admins change the numbers there.

use axum::extract::State;
use serde_json::Value;
use sigap_app::admin::overrides::LawRequest;
use sigap_core::law::{BASES, LawSettings};

use crate::AppState;
use crate::pages::admin::admin_field;
use crate::pages::forms::FormField;
use crate::pages::session::StaffSession;
use crate::pages::{PageLang, PageResult};

use super::{Refused, answer, checked_form, refused_token};

/// One rule: what it asks, the number in force (empty for a rule without one) and the
/// regulation behind it.
pub(super) struct LawRow {
    pub(super) label: String,
    pub(super) value: String,
    pub(super) basis: &'static str,
}

/// The rules of [`BASES`] with the numbers of `law`.
pub(super) fn law_rows(lang: PageLang, law: &LawSettings) -> Vec<LawRow> {
    BASES
        .iter()
        .map(|(key, basis)| {
            let value = match *key {
                "password_min_chars" => lang.tf(
                    "admin.law.chars",
                    &[("n", lang.whole(law.password_min_chars as usize))],
                ),
                "password_composition" => yes_no(lang, law.password_composition),
                "password_max_age_days" => match law.password_max_age_days {
                    Some(days) => lang.tf(
                        "admin.settings.span.calendar_days",
                        &[("n", lang.whole(days as usize))],
                    ),
                    None => lang.t("admin.law.never").into_owned(),
                },
                "pdp_notice_hours" => hours(lang, law.pdp_notice_hours),
                "bssn_report_hours_iiv" => hours(lang, law.bssn_report_hours_iiv),
                "bssn_report_hours" => hours(lang, law.bssn_report_hours),
                "retention_contact_years" => years(lang, law.retention_contact_years),
                "retention_evidence_years" => years(lang, law.retention_evidence_years),
                _ => lang.t("admin.law.always").into_owned(),
            };
            LawRow {
                label: lang.t(&format!("admin.law.{key}")).into_owned(),
                value,
                basis,
            }
        })
        .collect()
}

fn hours(lang: PageLang, n: u32) -> String {
    lang.tf("admin.law.hours", &[("n", lang.whole(n as usize))])
}

fn years(lang: PageLang, n: u32) -> String {
    lang.tf("admin.law.years", &[("n", lang.whole(n as usize))])
}

fn yes_no(lang: PageLang, flag: bool) -> String {
    lang.t(if flag {
        "admin.law.on"
    } else {
        "admin.law.off"
    })
    .into_owned()
}

/// The form of the section, filled with the numbers in force.
pub(super) fn law_fields(lang: PageLang, law: &LawSettings) -> Vec<FormField> {
    let max_age = law
        .password_max_age_days
        .map(|d| d.to_string())
        .unwrap_or_default();
    vec![
        admin_field(lang, "law", "password_min_chars", "number")
            .required()
            .with_value(&law.password_min_chars.to_string()),
        admin_field(lang, "law", "password_composition", "checkbox")
            .with_value(if law.password_composition { "true" } else { "" }),
        admin_field(lang, "law", "password_max_age_days", "number").with_value(&max_age),
        admin_field(lang, "law", "pdp_notice_hours", "number")
            .required()
            .with_value(&law.pdp_notice_hours.to_string()),
        admin_field(lang, "law", "bssn_report_hours_iiv", "number")
            .required()
            .with_value(&law.bssn_report_hours_iiv.to_string()),
        admin_field(lang, "law", "bssn_report_hours", "number")
            .required()
            .with_value(&law.bssn_report_hours.to_string()),
        admin_field(lang, "law", "retention_contact_years", "number")
            .required()
            .with_value(&law.retention_contact_years.to_string()),
        admin_field(lang, "law", "retention_evidence_years", "number")
            .required()
            .with_value(&law.retention_evidence_years.to_string()),
    ]
}

pub(super) async fn set_law(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let Some(posted) = checked_form(&session, pairs) else {
        return Err(refused_token(lang, &session));
    };
    let request = LawRequest {
        password_min_chars: posted.text("password_min_chars").into(),
        password_composition: (posted.text("password_composition") == "true").into(),
        password_max_age_days: posted.text("password_max_age_days").into(),
        pdp_notice_hours: posted.text("pdp_notice_hours").into(),
        bssn_report_hours_iiv: posted.text("bssn_report_hours_iiv").into(),
        bssn_report_hours: posted.text("bssn_report_hours").into(),
        retention_contact_years: posted.text("retention_contact_years").into(),
        retention_evidence_years: posted.text("retention_evidence_years").into(),
    };
    let body = Value::Object(posted.fields);
    let result = sigap_app::admin::rules::set_law(&state.app, &session.caller, &request)
        .await
        .map(drop);
    answer(&state, lang, &session, result, |e| Refused::Law(body, e)).await
}
