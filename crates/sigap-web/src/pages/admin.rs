//! The staff admin pages of the registries: agencies (`/admin/agencies`) and electronic
//! systems with their domains and blocking adapter (`/admin/systems`), each a list and, for
//! admins, the forms that add to it. Auditors read the lists without the forms; other roles
//! are answered 403 by `sigap_app::admin`. The users page is in `admin_users`, the settings
//! in force in `admin_settings`.
//!
//! Forms are plain `application/x-www-form-urlencoded` posts carrying the session's
//! anti-CSRF token, checked before any use case runs. A refusal shows the page again with
//! the input kept and each error next to its field; a success redirects to the list.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value};
use sigap_app::AppError;
use sigap_app::admin::registry::{self, AgencyRequest, BlockingRequest, SystemRequest};
use sigap_app::admin::{self, AgencyOverview};
use sigap_app::identity::login::Session;
use sigap_app::views::SystemView;
use sigap_app::workflow::blocking_profiles::BlockingProfiles;
use sigap_core::{FieldError, Given, Problem, Role};

use crate::AppState;
use crate::pages::csrf::{CSRF_FIELD, tokens_match};
use crate::pages::forms::{FormField, place_errors};
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrForm, OrPage, PageError, PageLang, PageResult, csrf_refused, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/agencies", get(list_agencies).post(add_agency))
        .route("/admin/systems", get(list_systems).post(add_system))
        .route("/admin/systems/blocking", post(set_blocking))
}

/// A posted form: its anti-CSRF token and its other fields as the JSON object the use
/// cases read. Repeated names keep the last value.
pub struct PostedForm {
    pub csrf_token: Option<String>,
    pub fields: Map<String, Value>,
}

impl PostedForm {
    pub fn new(pairs: Vec<(String, String)>) -> PostedForm {
        let mut csrf_token = None;
        let mut fields = Map::new();
        for (name, value) in pairs {
            if name == CSRF_FIELD {
                csrf_token = Some(value);
            } else {
                fields.insert(name, Value::String(value));
            }
        }
        PostedForm { csrf_token, fields }
    }

    /// Whether the form carries the session's token.
    pub fn token_ok(&self, session: &Session) -> bool {
        tokens_match(&session.csrf_token, self.csrf_token.as_deref())
    }

    /// The text of field `name`, empty when absent.
    pub fn text(&self, name: &str) -> &str {
        self.fields.get(name).and_then(Value::as_str).unwrap_or("")
    }
}

/// A form of an admin page: its fields (with the input kept and the errors placed after a
/// refusal) and the errors that belong to no field.
pub struct AdminForm {
    pub fields: Vec<FormField>,
    pub errors: Vec<String>,
}

impl AdminForm {
    pub fn new(fields: Vec<FormField>) -> AdminForm {
        AdminForm {
            fields,
            errors: Vec::new(),
        }
    }

    /// The form again after a refusal: the input of `posted` kept (passwords excepted),
    /// each error next to its field, in the page's language where the catalogue has a
    /// message `admin.error.{form}.{field}`.
    pub fn refused(
        mut self,
        lang: PageLang,
        form: &str,
        posted: &Value,
        errors: &[FieldError],
    ) -> Self {
        for field in &mut self.fields {
            if field.kind != "password" {
                field.keep(posted);
            }
        }
        let errors: Vec<FieldError> = errors.iter().map(|e| localized(lang, form, e)).collect();
        self.errors = place_errors(&mut self.fields, &errors);
        self.errors
            .insert(0, lang.t("admin.error.summary").into_owned());
        self
    }
}

/// The catalogue's message for an error on `field` of `form` (or for its kind of problem
/// when the field's own message would not say it), or the use case's own.
fn localized(lang: PageLang, form: &str, error: &FieldError) -> FieldError {
    let key = match error.problem {
        Problem::OutOfService => "admin.error.out_of_service".to_owned(),
        Problem::OwnAccount => "admin.error.own_role".to_owned(),
        Problem::Password(flaw) => {
            let message = crate::pages::forms::password_message(lang, flaw);
            return FieldError::new(error.field.clone(), message);
        }
        _ => format!("admin.error.{form}.{}", error.field),
    };
    let message = lang.t(&key);
    if message == key.as_str() {
        error.clone()
    } else {
        FieldError::new(error.field.clone(), message.into_owned())
    }
}

/// A field of the form `form` labelled by `admin.{form}.{name}` (and its `.hint`).
pub fn admin_field(lang: PageLang, form: &str, name: &str, kind: &'static str) -> FormField {
    FormField::new(lang, form, name, &format!("admin.{form}.{name}"), kind)
}

/// The layout of the admin page at `path` titled by the catalogue key `title_key`.
pub fn admin_layout(lang: PageLang, path: &str, title_key: &str, session: &Session) -> Layout {
    Layout::staff(lang, path, lang.t(title_key).into_owned(), session)
}

/// What a redirect after a successful form says on the list (`?done=`).
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    pub done: Option<String>,
}

impl Done {
    /// The notice `admin.done.{done}` when `done` names one.
    pub fn notice(&self, lang: PageLang) -> Option<String> {
        let key = format!("admin.done.{}", self.done.as_deref()?);
        let text = lang.t(&key);
        (text != key.as_str()).then(|| text.into_owned())
    }
}

// ---- agencies --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin_agencies.html")]
struct AgenciesPage {
    layout: Layout,
    lang: PageLang,
    agencies: Vec<AgencyOverview>,
    /// What the page says of the agencies without an enabled system-owner account.
    without_owner: Option<String>,
    notice: Option<String>,
    /// The add form, for admins.
    form: Option<AdminForm>,
    csrf_token: String,
}

fn agency_fields(lang: PageLang) -> Vec<FormField> {
    vec![
        admin_field(lang, "agency", "code", "text").required(),
        admin_field(lang, "agency", "name", "text").required(),
        admin_field(lang, "agency", "email", "email"),
        admin_field(lang, "agency", "head_email", "email"),
    ]
}

/// The agencies page, with `form` in place of a fresh add form when one was refused.
async fn agencies_page(
    state: &AppState,
    lang: PageLang,
    session: &Session,
    notice: Option<String>,
    form: Option<AdminForm>,
    status: StatusCode,
) -> PageResult {
    let layout = admin_layout(lang, "/admin/agencies", "admin.agencies.title", session);
    let agencies = admin::agencies(&state.app, &session.caller)
        .await
        .or_page(&layout)?;
    let admin = session.caller.role == Role::Admin;
    let page = AgenciesPage {
        without_owner: without_owner(lang, &agencies),
        agencies,
        notice,
        form: admin.then(|| form.unwrap_or_else(|| AdminForm::new(agency_fields(lang)))),
        csrf_token: session.csrf_token.clone(),
        layout,
        lang,
    };
    Ok(render(status, &page))
}

/// "2 perangkat daerah belum memiliki akun …" when some have no system-owner account.
fn without_owner(lang: PageLang, agencies: &[AgencyOverview]) -> Option<String> {
    let count = agencies.iter().filter(|a| a.owner_accounts == 0).count();
    (count > 0).then(|| {
        lang.tf(
            "admin.agencies.without_owner",
            &[("count", count.to_string())],
        )
    })
}

async fn list_agencies(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Query(done): Query<Done>,
) -> PageResult {
    let notice = done.notice(lang);
    agencies_page(&state, lang, &session, notice, None, StatusCode::OK).await
}

async fn add_agency(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let layout = admin_layout(lang, "/admin/agencies", "admin.agencies.title", &session);
    let posted = PostedForm::new(pairs);
    if !posted.token_ok(&session) {
        return Err(PageError::from(csrf_refused(layout)));
    }
    let request = AgencyRequest {
        code: posted.text("code").into(),
        name: posted.text("name").into(),
        email: posted.text("email").into(),
        head_email: posted.text("head_email").into(),
    };
    let body = Value::Object(posted.fields);
    let added = registry::add_agency(&state.app, &session.caller, &request).await;
    match added.or_form(&layout)? {
        Ok(_) => Ok(Redirect::to("/admin/agencies?done=agency_added").into_response()),
        Err(errors) => {
            let form = AdminForm::new(agency_fields(lang)).refused(lang, "agency", &body, &errors);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            agencies_page(&state, lang, &session, None, Some(form), status).await
        }
    }
}

// ---- electronic systems ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin_systems.html")]
struct SystemsPage {
    layout: Layout,
    lang: PageLang,
    systems: Vec<SystemRow>,
    notice: Option<String>,
    /// The add form and the blocking form, for admins.
    add_form: Option<AdminForm>,
    blocking_form: Option<AdminForm>,
    csrf_token: String,
}

/// A system with its adapter and category named in the page's language.
struct SystemRow {
    system: SystemView,
    adapter: String,
    category: String,
}

/// The label of a blocking adapter (its name when the catalogue has none).
fn adapter_label(lang: PageLang, adapter: &str) -> String {
    let key = format!("admin.adapter.{adapter}");
    let label = lang.t(&key);
    if label == key.as_str() {
        adapter.to_owned()
    } else {
        label.into_owned()
    }
}

fn system_fields(lang: PageLang, agencies: &[AgencyOverview]) -> Vec<FormField> {
    let mut choices = vec![(String::new(), lang.t("admin.choose").into_owned())];
    choices.extend(agencies.iter().map(|a| {
        let code = a.agency.code.clone();
        (code.clone(), format!("{code} · {}", a.agency.name))
    }));
    vec![
        admin_field(lang, "system", "agency", "select")
            .with_choices(choices)
            .required(),
        admin_field(lang, "system", "name", "text").required(),
        admin_field(lang, "system", "domains", "textarea").required(),
        iiv_field(lang),
        category_field(lang),
    ]
}

/// Whether a system is vital information infrastructure (IIV).
pub(crate) fn iiv_field(lang: PageLang) -> FormField {
    admin_field(lang, "system", "iiv", "checkbox")
}

/// A system's *kategori sistem elektronik*, or none yet.
pub(crate) fn category_field(lang: PageLang) -> FormField {
    let mut choices = vec![(
        String::new(),
        lang.t("admin.system.category.none").into_owned(),
    )];
    choices.extend(
        sigap_core::spbe::SystemCategory::ALL
            .iter()
            .map(|c| (c.as_str().to_owned(), category_label(lang, c.as_str()))),
    );
    admin_field(lang, "system", "category", "select").with_choices(choices)
}

/// The label of a category name (`strategis`: "Strategis").
pub(crate) fn category_label(lang: PageLang, category: &str) -> String {
    lang.t(&format!("admin.system.category.{category}"))
        .into_owned()
}

/// The blocking form: a system's domain, `manual` or a profile of the operator's blocking
/// file, and the harmless values a system may set.
fn blocking_fields(
    lang: PageLang,
    systems: &[SystemView],
    profiles: &BlockingProfiles,
) -> Vec<FormField> {
    let mut domains = vec![(String::new(), lang.t("admin.choose").into_owned())];
    for system in systems {
        for domain in &system.domains {
            domains.push((domain.clone(), format!("{domain} · {}", system.name)));
        }
    }
    let mut choices = vec![("manual".to_owned(), adapter_label(lang, "manual"))];
    choices.extend(profiles.names().into_iter().map(|(name, kind)| {
        let label = format!("{name} · {}", adapter_label(lang, kind.as_str()));
        (name, label)
    }));
    vec![
        admin_field(lang, "blocking", "domain", "select")
            .with_choices(domains)
            .required(),
        admin_field(lang, "blocking", "profile", "select")
            .with_choices(choices)
            .required(),
        admin_field(lang, "blocking", "params", "textarea"),
    ]
}

/// A refused form of the systems page, to show in place of the fresh one.
enum RefusedSystemForm {
    Add(Value, Vec<FieldError>),
    Blocking(Value, Vec<FieldError>),
}

async fn systems_page(
    state: &AppState,
    lang: PageLang,
    session: &Session,
    notice: Option<String>,
    refused: Option<RefusedSystemForm>,
) -> PageResult {
    let layout = admin_layout(lang, "/admin/systems", "admin.systems.title", session);
    let (systems, agencies) = tokio::try_join!(
        admin::systems(&state.app, &session.caller),
        admin::agencies(&state.app, &session.caller),
    )
    .or_page(&layout)?;
    let admin = session.caller.role == Role::Admin;
    let mut add_form = AdminForm::new(system_fields(lang, &agencies));
    let profiles = &state.app.rules.blocking.profiles;
    let mut blocking_form = AdminForm::new(blocking_fields(lang, &systems, profiles));
    let mut status = StatusCode::OK;
    match refused {
        Some(RefusedSystemForm::Add(posted, errors)) => {
            add_form = add_form.refused(lang, "system", &posted, &errors);
            status = StatusCode::UNPROCESSABLE_ENTITY;
        }
        Some(RefusedSystemForm::Blocking(posted, errors)) => {
            blocking_form = blocking_form.refused(lang, "blocking", &posted, &errors);
            status = StatusCode::UNPROCESSABLE_ENTITY;
        }
        None => {}
    }
    let page = SystemsPage {
        systems: systems
            .into_iter()
            .map(|system| SystemRow {
                adapter: adapter_label(lang, &system.blocking_adapter),
                category: match &system.category {
                    Some(c) => category_label(lang, c),
                    None => lang.t("admin.system.category.none").into_owned(),
                },
                system,
            })
            .collect(),
        notice,
        add_form: admin.then_some(add_form),
        blocking_form: admin.then_some(blocking_form),
        csrf_token: session.csrf_token.clone(),
        layout,
        lang,
    };
    Ok(render(status, &page))
}

async fn list_systems(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Query(done): Query<Done>,
) -> PageResult {
    let notice = done.notice(lang);
    systems_page(&state, lang, &session, notice, None).await
}

/// The domains of a text area: one per line (commas and spaces separate too).
pub fn domain_list(text: &str) -> Vec<String> {
    text.split([',', ' ', '\t', '\r', '\n'])
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn add_system(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let layout = admin_layout(lang, "/admin/systems", "admin.systems.title", &session);
    let posted = PostedForm::new(pairs);
    if !posted.token_ok(&session) {
        return Err(PageError::from(csrf_refused(layout)));
    }
    let request = SystemRequest {
        agency: posted.text("agency").into(),
        name: posted.text("name").into(),
        domains: domain_list(posted.text("domains")).into(),
        domain: Given::ABSENT,
        iiv: (posted.text("iiv") == "true").into(),
        category: posted.text("category").into(),
    };
    let kept = Value::Object(posted.fields);
    let added = registry::add_system(&state.app, &session.caller, &request).await;
    match added.or_form(&layout)? {
        Ok(_) => Ok(Redirect::to("/admin/systems?done=system_added").into_response()),
        Err(errors) => {
            let refused = RefusedSystemForm::Add(kept, on_domains_field(errors));
            systems_page(&state, lang, &session, None, Some(refused)).await
        }
    }
}

/// A system form's errors, with a domain registered already (reported on `domain`) put on
/// the form's `domains` field.
pub fn on_domains_field(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| match e.field.as_str() {
            "domain" => FieldError::new("domains", e.message).of_kind(e.problem),
            _ => e,
        })
        .collect()
}

/// The adapter's parameters from `name = value` lines; a line without `=` is refused.
fn blocking_params(text: &str) -> Result<Value, FieldError> {
    let mut params = Map::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once('=') else {
            return Err(FieldError::new(
                "params",
                format!("`{line}` is not a `name = value` line"),
            ));
        };
        params.insert(
            name.trim().to_owned(),
            Value::String(value.trim().to_owned()),
        );
    }
    Ok(Value::Object(params))
}

async fn set_blocking(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let layout = admin_layout(lang, "/admin/systems", "admin.systems.title", &session);
    let posted = PostedForm::new(pairs);
    if !posted.token_ok(&session) {
        return Err(PageError::from(csrf_refused(layout)));
    }
    let kept = Value::Object(posted.fields.clone());
    let result = match blocking_params(posted.text("params")) {
        Ok(params) => {
            let chosen = posted.text("profile");
            let request = if chosen == "manual" {
                BlockingRequest {
                    domain: posted.text("domain").into(),
                    adapter: "manual".into(),
                    ..BlockingRequest::default()
                }
            } else {
                BlockingRequest {
                    domain: posted.text("domain").into(),
                    profile: chosen.into(),
                    params: params.into(),
                    ..BlockingRequest::default()
                }
            };
            registry::choose_blocking(&state.app, &session.caller, &request).await
        }
        Err(e) => Err(AppError::Invalid(vec![e])),
    };
    match result.or_form(&layout)? {
        Ok(()) => Ok(Redirect::to("/admin/systems?done=blocking_set").into_response()),
        Err(errors) => {
            // `params.test_command` is shown at the form's one parameters field.
            let errors = errors
                .into_iter()
                .map(|e| match e.field.strip_prefix("params.") {
                    Some(_) => FieldError::new("params", e.message),
                    None => e,
                })
                .collect();
            let refused = RefusedSystemForm::Blocking(kept, errors);
            systems_page(&state, lang, &session, None, Some(refused)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_read_one_per_line_or_separated() {
        assert_eq!(
            domain_list("a.batam.go.id\r\nb.batam.go.id, c.batam.go.id\n\n"),
            ["a.batam.go.id", "b.batam.go.id", "c.batam.go.id"]
        );
    }

    #[test]
    fn blocking_params_are_name_value_lines() {
        assert_eq!(
            blocking_params("zone = disdik.batam.go.id\n\ntimeout_secs=9").unwrap(),
            serde_json::json!({"zone": "disdik.batam.go.id", "timeout_secs": "9"})
        );
        assert_eq!(
            blocking_params("no equals sign").unwrap_err().field,
            "params"
        );
    }
}
