//! Actions on several tickets at once from the queue ("Tindakan untuk tiket terpilih",
//! `POST /tickets/bulk`): the rows' check boxes choose the tickets, and one form says what
//! to do with each, where the SOP allows it for several: assign them to one person, add
//! the same comment, or mark them duplicates of one ticket. Each ticket goes through the
//! ticket's own action (`workflow::actions::perform_action`): the same checks, the same
//! audit entry, refused or done on its own; the page then says, ticket by ticket, what
//! happened. At most [`MAX_TICKETS`] at once.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};
use sigap_app::AppError;
use sigap_app::identity::login::Session;
use sigap_core::Action;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::Source;
use crate::pages::admin::PostedForm;
use crate::pages::forms::localized_error;
use crate::pages::session::StaffSession;
use crate::pages::{Layout, PageError, PageLang, PageResult, csrf_refused, render};

/// The most tickets one bulk action takes.
pub const MAX_TICKETS: usize = 50;

/// The actions the SOP allows on several tickets at once.
const BULK: &[Action] = &[Action::Assign, Action::Comment, Action::MarkDuplicate];

pub fn router() -> Router<AppState> {
    Router::new().route("/tickets/bulk", post(bulk))
}

/// The staff the chosen tickets may be assigned to, by name, the caller first.
pub async fn staff_choices(
    state: &AppState,
    lang: PageLang,
    session: &Session,
) -> Result<Vec<(String, String)>, AppError> {
    let staff = sigap_app::workflow::queue::assignable_staff(&state.app, &session.caller).await?;
    let me = &session.caller.email;
    let mut choices: Vec<(String, String)> = staff
        .into_iter()
        .map(|s| {
            let label = format!("{} — {}", s.name, lang.label(s.role));
            (s.email, label)
        })
        .collect();
    choices.sort_by_key(|(email, _)| email != me);
    Ok(choices)
}

/// What happened to one ticket.
struct Outcome {
    number: String,
    done: bool,
    message: String,
}

#[derive(Template)]
#[template(path = "queue_bulk.html")]
struct BulkPage {
    layout: Layout,
    lang: PageLang,
    action: String,
    outcomes: Vec<Outcome>,
    /// "2 dari 3 tiket …".
    summary: String,
}

/// The fields of the chosen action, as the ticket's own form would send them.
fn fields_of(action: Action, posted: &PostedForm) -> Value {
    match action {
        Action::Assign => json!({ "assignee": posted.text("assignee") }),
        Action::Comment => json!({
            "body": posted.text("body"),
            "visibility": posted.text("visibility"),
        }),
        _ => json!({ "of": posted.text("of"), "reason": posted.text("reason") }),
    }
}

/// The refusal of one ticket in the page's language.
fn refusal(lang: PageLang, action: Action, error: AppError) -> String {
    let errors: Vec<String> = match &error {
        AppError::Invalid(errors) => errors
            .iter()
            .map(|e| localized_error(lang, action.as_str(), e).message)
            .collect(),
        _ => Vec::new(),
    };
    let problem = ApiError::from(error);
    let headline = lang.t(&format!("ticket.refused.{}", problem.status.as_u16()));
    if errors.is_empty() && lang == PageLang::En {
        format!("{headline} {}", problem.detail)
    } else {
        format!("{headline} {}", errors.join(" "))
    }
    .trim()
    .to_owned()
}

/// Runs `action` with `fields` on each ticket, one after the other, each on its own.
async fn run_each(
    state: &AppState,
    lang: PageLang,
    session: &Session,
    action: Action,
    numbers: Vec<String>,
    fields: &Value,
    source: Option<String>,
) -> Vec<Outcome> {
    let mut outcomes = Vec::with_capacity(numbers.len());
    for number in numbers {
        let result = sigap_app::workflow::actions::perform_action(
            &state.app,
            &session.caller,
            &number,
            action.as_str(),
            fields,
            &[],
            source.clone(),
        )
        .await;
        let (done, message) = match result {
            Ok(_) => (true, lang.t("bulk.done_one").into_owned()),
            Err(e) => (false, refusal(lang, action, e)),
        };
        outcomes.push(Outcome {
            number,
            done,
            message,
        });
    }
    outcomes
}

async fn bulk(
    State(state): State<AppState>,
    lang: PageLang,
    source: Source,
    StaffSession(session): StaffSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let layout = Layout::staff(
        lang,
        "/tickets",
        lang.t("bulk.title").into_owned(),
        &session,
    );
    let mut numbers: Vec<String> = pairs
        .iter()
        .filter(|(name, _)| name == "ticket")
        .map(|(_, value)| value.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    let mut seen = std::collections::HashSet::new();
    numbers.retain(|n| seen.insert(n.clone()));
    let posted = PostedForm::new(pairs);
    if !posted.token_ok(&session) {
        return Err(csrf_refused(layout).into());
    }
    let action = posted
        .text("action")
        .parse::<Action>()
        .ok()
        .filter(|a| BULK.contains(a));
    let refuse = |key: &str| {
        PageError::status(
            &layout,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(lang.t(key).into_owned()),
        )
    };
    let Some(action) = action else {
        return Err(refuse("bulk.no_action"));
    };
    if numbers.is_empty() {
        return Err(refuse("bulk.none"));
    }
    if numbers.len() > MAX_TICKETS {
        return Err(refuse("bulk.too_many"));
    }
    let fields = fields_of(action, &posted);
    let outcomes = run_each(&state, lang, &session, action, numbers, &fields, source.0).await;
    let done = outcomes.iter().filter(|o| o.done).count();
    let status = if done == outcomes.len() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let summary = lang.tf(
        "bulk.summary",
        &[
            ("done", done.to_string()),
            ("all", outcomes.len().to_string()),
        ],
    );
    let page = BulkPage {
        layout,
        lang,
        action: lang.label(action).to_owned(),
        outcomes,
        summary,
    };
    Ok(render(status, &page))
}
