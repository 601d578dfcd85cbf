//! The action forms of a ticket's page: one per action the caller may take now, rendered
//! from the action's schema (`forms::action_fields`) and completed with what the page knows
//! beyond the schema: the staff to assign to, by name; the blocking methods configured for
//! the ticket's system ("Cara pemblokiran" as a choice of the adapter and `manual`); and,
//! for the assessment, the reporter's CVSS vector with its score and the criticality the
//! score maps to, chosen in advance (the analyst decides).

use serde_json::Value;
use sigap_app::AppError;
use sigap_app::identity::login::Session;
use sigap_app::views::{TicketView, TimelineEntry};
use sigap_core::cvss::{CvssBand, CvssScore, score_vector};
use sigap_core::replies::ReplyKind;
use sigap_core::{Action, FieldError, Role};

use crate::AppState;
use crate::pages::PageLang;
use crate::pages::forms::{FormField, action_fields, assignee_choices, place_errors};

/// One action's form on the ticket page.
pub struct ActionForm {
    pub action: String,
    pub title: String,
    pub fields: Vec<FormField>,
    pub multipart: bool,
    pub error: Option<String>,
    pub open: bool,
    /// The documents the step may issue, as (kind, button label): each button sends the
    /// form to the preview instead (not for a block or an unblock, whose adapter acts).
    pub previews: Vec<(String, String)>,
    /// The canned replies to the reporter, as (link, label): the comment form of those who
    /// may write to the reporter.
    pub replies: Vec<(String, String)>,
    /// What the form says before its fields (the CSIRT recording a remediation on the
    /// agency's behalf).
    pub notes: Vec<String>,
}

impl ActionForm {
    /// Keeps what the user sent, puts each error next to its field and the rest in the
    /// form's message after `headline`, and opens the form.
    pub fn refused(&mut self, sent: &Value, errors: &[FieldError], headline: &str, detail: &str) {
        for field in &mut self.fields {
            field.keep(sent);
        }
        let unplaced = place_errors(&mut self.fields, errors);
        self.open = true;
        let detail = if errors.is_empty() {
            detail.to_owned()
        } else {
            unplaced.join("; ")
        };
        self.error = Some(format!("{headline} {detail}").trim().to_owned());
    }
}

/// The forms of the actions the caller may take on `ticket` now, as the schema asks them.
pub fn action_forms(lang: PageLang, session: &Session, ticket: &TicketView) -> Vec<ActionForm> {
    ticket
        .allowed_actions
        .iter()
        .map(|&action| {
            let mut fields =
                action_fields(lang, action, session.caller.role, ticket.system.is_some());
            if action == Action::Assess {
                prefill_assessment(lang, ticket, &mut fields);
            }
            let adapter = matches!(action, Action::Block | Action::Unblock);
            let previews = if adapter {
                Vec::new()
            } else {
                sigap_core::documents_of(action)
                    .iter()
                    .map(|&kind| {
                        let label = lang.label(kind).to_owned();
                        let button = lang.tf("preview.button", &[("document", label)]);
                        (kind.as_str().to_owned(), button)
                    })
                    .collect()
            };
            let replies = if action == Action::Comment && writes_to_reporter(session, &fields) {
                ReplyKind::ALL
                    .iter()
                    .map(|kind| {
                        let link =
                            format!("/tickets/{}?reply={kind}#action-comment", ticket.number);
                        (link, lang.label(kind).to_owned())
                    })
                    .collect()
            } else {
                Vec::new()
            };
            ActionForm {
                action: action.as_str().to_owned(),
                title: lang.label(action).to_owned(),
                multipart: true,
                fields,
                error: None,
                open: false,
                previews,
                replies,
                notes: Vec::new(),
            }
        })
        .collect()
}

/// Whether the caller may write to the reporter: they know who reported and the comment
/// form offers the reporter as its reader.
fn writes_to_reporter(session: &Session, fields: &[FormField]) -> bool {
    let offers_reporter = fields
        .iter()
        .any(|f| f.name == "visibility" && f.choices.iter().any(|c| c.value == "reporter"));
    sigap_core::sees_reporter(session.caller.role) && offers_reporter
}

/// Fills the comment form with the canned reply `kind` in the reporter's language, to the
/// reporter, and opens it; nothing for a caller who may not write to the reporter.
pub async fn fill_reply(
    state: &AppState,
    session: &Session,
    number: &str,
    kind: ReplyKind,
    forms: &mut [ActionForm],
) -> Result<(), AppError> {
    let Some(form) = forms.iter_mut().find(|f| f.action == "comment") else {
        return Ok(());
    };
    if form.replies.is_empty() {
        return Ok(());
    }
    let app = &state.app;
    let Some(text) =
        sigap_app::admin::replies::reply_for(app, &session.caller, number, kind).await?
    else {
        return Ok(());
    };
    let sent = serde_json::json!({ "body": text, "visibility": "reporter" });
    for field in &mut form.fields {
        field.keep(&sent);
    }
    form.open = true;
    Ok(())
}

/// Completes the forms with what the database knows: the staff to assign to, the
/// system's blocking methods, and whether the agency has a system-owner account (the CSIRT
/// records a remediation on its behalf).
pub async fn complete(
    state: &AppState,
    lang: PageLang,
    session: &Session,
    ticket: &TicketView,
    forms: &mut [ActionForm],
) -> Result<(), AppError> {
    if let Some(form) = forms.iter_mut().find(|f| f.action == "assign") {
        assignee_choices(state, lang, session, &mut form.fields).await?;
    }
    let blocking = |f: &&mut ActionForm| f.action == "block" || f.action == "unblock";
    if forms.iter_mut().any(|f| blocking(&f)) {
        let system = ticket.system.as_ref().map(|s| s.id);
        let methods = sigap_app::workflow::blocking::methods(&state.app, system).await?;
        for form in forms.iter_mut().filter(blocking) {
            method_choices(lang, &methods, &mut form.fields);
        }
    }
    let on_behalf = session.caller.role != Role::SystemOwner;
    let remediation = forms.iter_mut().find(|f| f.action == "submit_remediation");
    if let (Some(form), Some(agency), true) = (remediation, &ticket.agency, on_behalf) {
        let name = agency.name.clone();
        form.notes
            .push(lang.tf("ticket.remediation.on_behalf", &[("agency", name)]));
        if !sigap_app::admin::registry::has_owner_account(&state.app, agency.id).await? {
            form.notes
                .push(lang.t("ticket.remediation.no_owner").into_owned());
        }
    }
    Ok(())
}

/// "Cara pemblokiran" as a choice of the configured methods, the adapter first.
fn method_choices(lang: PageLang, methods: &[String], fields: &mut [FormField]) {
    let Some(field) = fields.iter_mut().find(|f| f.name == "method") else {
        return;
    };
    let choices = methods
        .iter()
        .map(|m| {
            let label = if m == "manual" {
                lang.t("block.method.manual").into_owned()
            } else {
                lang.tf("block.method.adapter", &[("name", m.clone())])
            };
            (m.clone(), label)
        })
        .collect();
    let mut chosen = field.clone().with_choices(choices).required();
    chosen.kind = "select";
    chosen.hint = Some(
        lang.t(if methods.len() > 1 {
            "block.method.hint"
        } else {
            "block.method.hint_manual"
        })
        .into_owned(),
    );
    let first = methods.first().cloned().unwrap_or_default();
    chosen.keep(&serde_json::json!({ "method": first }));
    *field = chosen;
}

/// The assessment starts from the reporter's vector, with its score, and the criticality
/// the score maps to.
fn prefill_assessment(lang: PageLang, ticket: &TicketView, fields: &mut [FormField]) {
    let Some(scored) = ticket
        .report
        .cvss
        .as_ref()
        .and_then(|c| score_vector(&c.vector).ok())
    else {
        return;
    };
    let level = scored.criticality();
    for field in fields.iter_mut() {
        match field.name.as_str() {
            "cvss_vector" => {
                field.value = scored.vector.clone();
                field.hint = Some(lang.tf(
                    "ticket.assess.from_reporter",
                    &[
                        ("line", score_line(lang, &scored)),
                        ("criticality", lang.label(level).to_owned()),
                    ],
                ));
            }
            "criticality" => field.keep(&serde_json::json!({ "criticality": level.as_str() })),
            _ => {}
        }
    }
}

/// "Skor CVSS (versi 3.1): 9,8 — Kritis".
pub fn score_line(lang: PageLang, scored: &CvssScore) -> String {
    cvss_line(lang, scored.version.as_str(), scored.score)
}

fn cvss_line(lang: PageLang, version: &str, score: f64) -> String {
    worded(lang, "cvss.line", version, score)
}

/// The score under the summary's "Skor CVSS": "9,8 — Kritis (versi 3.1)".
fn summary_line(lang: PageLang, version: &str, score: f64) -> String {
    worded(lang, "ticket.cvss.value", version, score)
}

fn worded(lang: PageLang, key: &str, version: &str, score: f64) -> String {
    lang.tf(
        key,
        &[
            ("version", version.to_owned()),
            ("score", lang.decimal(score)),
            ("band", lang.cvss_band(CvssBand::from_score(score).as_str())),
        ],
    )
}

/// The CVSS score of the summary: the assessment's (the latest, when the ticket was
/// assessed), else the reporter's; the reporter's in brackets after a different assessed one.
pub fn summary_score(lang: PageLang, ticket: &TicketView) -> Option<(String, Option<String>)> {
    let reported = ticket
        .report
        .cvss
        .as_ref()
        .and_then(|c| score_vector(&c.vector).ok());
    let assessed = ticket
        .timeline
        .iter()
        .rev()
        .find(|e| e.action == Action::Assess)
        .and_then(assessed_score);
    match (assessed, reported) {
        (Some((version, score)), reported) => {
            let note = reported
                .filter(|r| r.score != score || r.version.as_str() != version)
                .map(|r| lang.tf("ticket.cvss.reported", &[("score", lang.decimal(r.score))]));
            Some((summary_line(lang, &version, score), note))
        }
        (None, Some(r)) => Some((
            summary_line(lang, r.version.as_str(), r.score),
            Some(lang.t("ticket.cvss.reported_only").into_owned()),
        )),
        (None, None) => None,
    }
}

/// The version and score an assessment recorded, when it had a vector.
fn assessed_score(entry: &TimelineEntry) -> Option<(String, f64)> {
    let cvss = entry.records.get("cvss")?;
    let score = cvss.get("score")?.as_f64()?;
    let version = cvss.get("version")?.as_str()?.to_owned();
    Some((version, score))
}
