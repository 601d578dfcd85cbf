//! "Buat tiket" (`/tickets/new`): the help desk or the CSIRT enters a report received by
//! telephone, e-mail, letter or in person (SOP steps 1-2 through `intake::enter_report`),
//! with the same fields and checks as the public form and the channel it came through.
//! The reporter gets the receipt with the tracking token by mail, as a web reporter does;
//! the staff member lands on the new ticket. Other roles are refused (403).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use serde_json::Value;
use sigap_app::AppError;
use sigap_app::intake::{self, EnterReportRequest, Intake};
use sigap_core::{Channel, FieldError, Role};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{FormBody, Source};
use crate::pages::csrf::staff_form;
use crate::pages::forms::{FormField, place_errors};
use crate::pages::public::{FieldGroup, report_fields};
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrPage, PageLang, PageResult, render};

pub fn router() -> Router<AppState> {
    Router::new().route("/tickets/new", get(entry_form).post(enter))
}

/// The roles that enter reports received through another channel.
pub const ENTERS: &[Role] = &[Role::Helpdesk, Role::Csirt];

#[derive(Template)]
#[template(path = "enter_report.html")]
struct EntryPage {
    layout: Layout,
    lang: PageLang,
    csrf_token: String,
    groups: Vec<FieldGroup>,
    errors: Vec<String>,
}

fn layout(lang: PageLang, session: &sigap_app::identity::login::Session) -> Layout {
    Layout::staff(
        lang,
        "/tickets/new",
        lang.t("enter.title").into_owned(),
        session,
    )
}

/// The form: the channel first, then the public form's groups; `fields` kept.
fn entry_page(
    lang: PageLang,
    state: &AppState,
    session: &sigap_app::identity::login::Session,
    fields: &Value,
) -> EntryPage {
    let channels = [
        Channel::Phone,
        Channel::Email,
        Channel::Letter,
        Channel::WalkIn,
    ]
    .iter()
    .map(|c| (c.as_str().to_owned(), lang.label(c).to_owned()))
    .collect();
    let channel = FormField::new(lang, "enter", "channel", "enter.channel", "select")
        .required()
        .with_choices(channels)
        .with_value(Channel::Phone.as_str());
    let mut groups = vec![FieldGroup {
        heading: lang.t("enter.group.channel").into_owned(),
        fields: vec![channel],
    }];
    groups.extend(report_fields(lang, state));
    for field in groups.iter_mut().flat_map(|g| g.fields.iter_mut()) {
        field.keep(fields);
    }
    EntryPage {
        layout: layout(lang, session),
        lang,
        csrf_token: session.csrf_token.clone(),
        groups,
        errors: Vec::new(),
    }
}

async fn entry_form(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
) -> PageResult {
    let layout = layout(lang, &session);
    session
        .caller
        .require(ENTERS, "enter reports")
        .or_page(&layout)?;
    let page = entry_page(lang, &state, &session, &Value::Null);
    Ok(render(StatusCode::OK, &page))
}

async fn enter(
    State(state): State<AppState>,
    lang: PageLang,
    source: Source,
    StaffSession(session): StaffSession,
    body: Result<FormBody, ApiError>,
) -> PageResult {
    let layout = layout(lang, &session);
    let body = staff_form(&session, &layout, body)?;
    let caller = &session.caller;
    caller.require(ENTERS, "enter reports").or_page(&layout)?;
    let entered = match sigap_core::form::request::<EnterReportRequest>(&body.fields) {
        Ok(request) => {
            let intake = Intake {
                staff: Some(caller),
                channel: Channel::Api,
                source: source.0,
            };
            intake::enter_report(&state.app, &request, &body.files, intake).await
        }
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match entered {
        Ok(ticket) => Ok(
            Redirect::to(&format!("/tickets/{}?entered=true", ticket.ticket_number))
                .into_response(),
        ),
        Err(AppError::Invalid(errors)) => {
            let page = refused(lang, &state, &session, &body.fields, &errors);
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e).or_page(&layout),
    }
}

/// The form again with the user's input and each error at its field.
fn refused(
    lang: PageLang,
    state: &AppState,
    session: &sigap_app::identity::login::Session,
    fields: &Value,
    errors: &[FieldError],
) -> EntryPage {
    let mut page = entry_page(lang, state, session, fields);
    page.errors = report_errors(lang, &mut page.groups, errors);
    page
}

/// Puts each error of a report form at its field, in the catalogue's words where it has
/// them; answers the summary above the form: its heading and the errors no field took.
pub(crate) fn report_errors(
    lang: PageLang,
    groups: &mut [FieldGroup],
    errors: &[FieldError],
) -> Vec<String> {
    let mut unplaced = Vec::new();
    for error in errors {
        let key = format!("report.error.{}", error.field);
        let message = lang.t(&key);
        let error = if message == key.as_str() {
            error.clone()
        } else {
            FieldError::new(error.field.clone(), message.into_owned())
        };
        let placed = groups
            .iter_mut()
            .any(|group| place_errors(&mut group.fields, std::slice::from_ref(&error)).is_empty());
        if !placed {
            unplaced.push(error.message.clone());
        }
    }
    std::iter::once(lang.t("report.error.summary").into_owned())
        .chain(unplaced)
        .collect()
}
