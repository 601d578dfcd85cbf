//! The admin pages that change a registry entry after the fact: an agency
//! (`/admin/agencies/{code}`: name, addresses, out of service), an electronic system
//! (`/admin/systems/{id}`: name, domains, out of service) and a user (`/admin/users/{id}`:
//! name, role, agency). Each is a form filled with what is registered now, posted with the
//! session's anti-CSRF token to one use case of `sigap_app::admin::registry`; a refusal
//! shows the form again with the input kept and each error at its field, a success goes
//! back to the list with a notice. Only admins are offered these pages (the use cases
//! refuse everyone else, and audit it).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use serde_json::{Value, json};
use sigap_app::admin::registry::{self, AgencyEdit, SystemEdit, UserEdit};
use sigap_app::admin::{self, AgencyOverview};
use sigap_app::identity::login::Session;
use sigap_core::{FieldError, Given, Role};

use crate::AppState;
use crate::pages::admin::{AdminForm, PostedForm, admin_field, admin_layout};
use crate::pages::forms::FormField;
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrForm, OrPage, PageError, PageLang, PageResult, csrf_refused, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/agencies/{code}",
            get(agency_form).post(change_agency),
        )
        .route("/admin/systems/{id}", get(system_form).post(change_system))
        .route("/admin/users/{id}", get(user_form).post(change_user))
}

/// One entry's change form.
#[derive(Template)]
#[template(path = "admin_edit.html")]
struct EditPage {
    layout: Layout,
    lang: PageLang,
    heading: String,
    /// What the page says about the entry before the form.
    notes: Vec<String>,
    form: AdminForm,
    /// Where the form is posted.
    action: String,
    /// The list the page belongs to.
    back: &'static str,
    back_label: String,
    csrf_token: String,
}

/// What one kind of entry's page needs: its name (for the audit log), its list and the
/// catalogue's title.
struct Entry {
    name: &'static str,
    list: &'static str,
    title_key: &'static str,
}

const AGENCY: Entry = Entry {
    name: "agency",
    list: "/admin/agencies",
    title_key: "admin.agencies.title",
};
const SYSTEM: Entry = Entry {
    name: "system",
    list: "/admin/systems",
    title_key: "admin.systems.title",
};
const USER: Entry = Entry {
    name: "user",
    list: "/admin/users",
    title_key: "admin.users.title",
};

/// The page's layout, once the caller is known to be an admin (a refusal is audited).
async fn admin_only(
    state: &AppState,
    lang: PageLang,
    session: &Session,
    entry: &Entry,
) -> Result<Layout, PageError> {
    let layout = admin_layout(lang, entry.list, entry.title_key, session);
    registry::may_change(&state.app, &session.caller, entry.name)
        .await
        .or_page(&layout)?;
    Ok(layout)
}

/// The page of an entry's form; `posted` and `errors` after a refusal, else the form is
/// filled with `current`.
#[allow(clippy::too_many_arguments)]
fn edit_page(
    entry: &Entry,
    lang: PageLang,
    session: &Session,
    heading: String,
    notes: Vec<String>,
    (form, fields): (&str, Vec<FormField>),
    action: String,
    filled: Filled,
) -> PageResult {
    let layout = admin_layout(lang, entry.list, entry.title_key, session);
    let (form, status) = match filled {
        Filled::Current(current) => {
            let mut fields = fields;
            for field in &mut fields {
                field.keep(&current);
            }
            (AdminForm::new(fields), StatusCode::OK)
        }
        Filled::Refused(posted, errors) => (
            AdminForm::new(fields).refused(lang, form, &posted, &errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    };
    let page = EditPage {
        heading,
        notes,
        form,
        action,
        back: entry.list,
        back_label: lang.t(entry.title_key).into_owned(),
        csrf_token: session.csrf_token.clone(),
        layout,
        lang,
    };
    Ok(render(status, &page))
}

/// What a form shows: the registered values, or what was posted with its errors.
enum Filled {
    Current(Value),
    Refused(Value, Vec<FieldError>),
}

/// The form's check box as the use cases read it.
fn checked(posted: &PostedForm, name: &str) -> Given {
    Given::from(if posted.text(name).is_empty() {
        "false"
    } else {
        "true"
    })
}

// ---- agencies --------------------------------------------------------------------------

fn agency_fields(lang: PageLang) -> Vec<FormField> {
    vec![
        admin_field(lang, "agency", "name", "text").required(),
        admin_field(lang, "agency", "email", "email"),
        admin_field(lang, "agency", "head_email", "email"),
        admin_field(lang, "agency", "disabled", "checkbox"),
    ]
}

/// The agency `code` as the admin pages list it, or the page's 404.
async fn find_agency(
    state: &AppState,
    session: &Session,
    layout: &Layout,
    code: &str,
) -> Result<AgencyOverview, PageError> {
    let agencies = admin::agencies(&state.app, &session.caller)
        .await
        .or_page(layout)?;
    agencies
        .into_iter()
        .find(|a| a.agency.code.eq_ignore_ascii_case(code))
        .ok_or_else(|| PageError::status(layout, StatusCode::NOT_FOUND, None))
}

async fn agency_page(
    state: &AppState,
    lang: PageLang,
    session: &Session,
    code: &str,
    refused: Option<(Value, Vec<FieldError>)>,
) -> PageResult {
    let layout = admin_only(state, lang, session, &AGENCY).await?;
    let found = find_agency(state, session, &layout, code).await?;
    let a = &found.agency;
    let mut notes = vec![lang.tf("admin.edit.agency.code", &[("code", a.code.clone())])];
    if found.owner_accounts == 0 {
        notes.push(lang.t("admin.agencies.no_owner").into_owned());
    }
    let filled = match refused {
        Some((posted, errors)) => Filled::Refused(posted, errors),
        None => Filled::Current(json!({
            "name": a.name,
            "email": a.email.clone().unwrap_or_default(),
            "head_email": a.head_email.clone().unwrap_or_default(),
            "disabled": if a.disabled { "true" } else { "" },
        })),
    };
    let heading = lang.tf("admin.edit.agency.heading", &[("name", a.name.clone())]);
    let action = format!("/admin/agencies/{}", a.code);
    let fields = ("agency", agency_fields(lang));
    edit_page(
        &AGENCY, lang, session, heading, notes, fields, action, filled,
    )
}

async fn agency_form(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(code): Path<String>,
) -> PageResult {
    agency_page(&state, lang, &session, &code, None).await
}

async fn change_agency(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(code): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let layout = admin_layout(lang, AGENCY.list, AGENCY.title_key, &session);
    let posted = PostedForm::new(pairs);
    if !posted.token_ok(&session) {
        return Err(PageError::from(csrf_refused(layout)));
    }
    let edit = AgencyEdit {
        name: posted.text("name").into(),
        email: posted.text("email").into(),
        head_email: posted.text("head_email").into(),
        disabled: checked(&posted, "disabled"),
    };
    let changed = registry::edit_agency(&state.app, &session.caller, &code, &edit).await;
    match changed.or_form(&layout)? {
        Ok(_) => Ok(Redirect::to("/admin/agencies?done=agency_changed").into_response()),
        Err(errors) => {
            let kept = Value::Object(posted.fields);
            agency_page(&state, lang, &session, &code, Some((kept, errors))).await
        }
    }
}

// ---- electronic systems ----------------------------------------------------------------

fn system_fields(lang: PageLang) -> Vec<FormField> {
    vec![
        admin_field(lang, "system", "name", "text").required(),
        admin_field(lang, "system", "domains", "textarea").required(),
        admin_field(lang, "system", "disabled", "checkbox"),
        crate::pages::admin::iiv_field(lang),
        crate::pages::admin::category_field(lang),
    ]
}

async fn system_page(
    state: &AppState,
    lang: PageLang,
    session: &Session,
    id: i64,
    refused: Option<(Value, Vec<FieldError>)>,
) -> PageResult {
    let layout = admin_only(state, lang, session, &SYSTEM).await?;
    let systems = admin::systems(&state.app, &session.caller)
        .await
        .or_page(&layout)?;
    let s = systems
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| PageError::status(&layout, StatusCode::NOT_FOUND, None))?;
    let mut notes = vec![lang.tf("admin.edit.system.agency", &[("code", s.agency.clone())])];
    if s.suspended {
        notes.push(lang.t("admin.edit.system.suspended").into_owned());
    }
    let filled = match refused {
        Some((posted, errors)) => Filled::Refused(posted, errors),
        None => Filled::Current(json!({
            "name": s.name,
            "domains": s.domains.join("\n"),
            "disabled": if s.disabled { "true" } else { "" },
            "iiv": if s.iiv { "true" } else { "" },
            "category": s.category.clone().unwrap_or_default(),
        })),
    };
    let heading = lang.tf("admin.edit.system.heading", &[("name", s.name.clone())]);
    let action = format!("/admin/systems/{id}");
    let fields = ("system", system_fields(lang));
    edit_page(
        &SYSTEM, lang, session, heading, notes, fields, action, filled,
    )
}

async fn system_form(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(id): Path<i64>,
) -> PageResult {
    system_page(&state, lang, &session, id, None).await
}

async fn change_system(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let layout = admin_layout(lang, SYSTEM.list, SYSTEM.title_key, &session);
    let posted = PostedForm::new(pairs);
    if !posted.token_ok(&session) {
        return Err(PageError::from(csrf_refused(layout)));
    }
    let edit = SystemEdit {
        name: posted.text("name").into(),
        domains: crate::pages::admin::domain_list(posted.text("domains")).into(),
        disabled: checked(&posted, "disabled"),
        iiv: checked(&posted, "iiv"),
        category: posted.text("category").into(),
    };
    let changed = registry::edit_system(&state.app, &session.caller, id, &edit).await;
    match changed.or_form(&layout)? {
        Ok(_) => Ok(Redirect::to("/admin/systems?done=system_changed").into_response()),
        Err(errors) => {
            let errors = crate::pages::admin::on_domains_field(errors);
            let kept = Value::Object(posted.fields);
            system_page(&state, lang, &session, id, Some((kept, errors))).await
        }
    }
}

// ---- users -----------------------------------------------------------------------------

async fn user_page(
    state: &AppState,
    lang: PageLang,
    session: &Session,
    id: i64,
    refused: Option<(Value, Vec<FieldError>)>,
) -> PageResult {
    let layout = admin_only(state, lang, session, &USER).await?;
    let (users, agencies) = tokio::try_join!(
        admin::users(&state.app, &session.caller),
        admin::agencies(&state.app, &session.caller),
    )
    .or_page(&layout)?;
    let u = users
        .into_iter()
        .map(|o| o.user)
        .find(|u| u.id == id)
        .ok_or_else(|| PageError::status(&layout, StatusCode::NOT_FOUND, None))?;
    let mut notes = vec![
        lang.tf("admin.edit.user.email", &[("email", u.email.clone())]),
        lang.t("admin.edit.user.sessions").into_owned(),
    ];
    if u.id == session.caller.user_id {
        notes.push(lang.t("admin.edit.user.self").into_owned());
    }
    let filled = match refused {
        Some((posted, errors)) => Filled::Refused(posted, errors),
        None => Filled::Current(json!({
            "name": u.name,
            "role": u.role.as_str(),
            "agency": u.agency.clone().unwrap_or_default(),
        })),
    };
    let heading = lang.tf("admin.edit.user.heading", &[("name", u.name.clone())]);
    let action = format!("/admin/users/{id}");
    let fields = ("user", user_fields(lang, &agencies));
    edit_page(&USER, lang, session, heading, notes, fields, action, filled)
}

fn user_fields(lang: PageLang, agencies: &[AgencyOverview]) -> Vec<FormField> {
    let roles = Role::ALL
        .iter()
        .map(|&r| (r.as_str().to_owned(), lang.role(r).to_owned()))
        .collect();
    let mut agency_choices = vec![(String::new(), lang.t("admin.user.no_agency").into_owned())];
    agency_choices.extend(agencies.iter().map(|a| {
        let code = a.agency.code.clone();
        (code.clone(), format!("{code} · {}", a.agency.name))
    }));
    vec![
        admin_field(lang, "user", "name", "text").required(),
        admin_field(lang, "user", "role", "select")
            .with_choices(roles)
            .required(),
        admin_field(lang, "user", "agency", "select").with_choices(agency_choices),
    ]
}

async fn user_form(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(id): Path<i64>,
) -> PageResult {
    user_page(&state, lang, &session, id, None).await
}

async fn change_user(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let layout = admin_layout(lang, USER.list, USER.title_key, &session);
    let posted = PostedForm::new(pairs);
    if !posted.token_ok(&session) {
        return Err(PageError::from(csrf_refused(layout)));
    }
    let edit = UserEdit {
        name: posted.text("name").into(),
        role: posted.text("role").into(),
        agency: posted.text("agency").into(),
    };
    let changed = registry::edit_user(&state.app, &session.caller, id, &edit).await;
    match changed.or_form(&layout)? {
        Ok(_) => Ok(Redirect::to("/admin/users?done=user_changed").into_response()),
        Err(errors) => {
            let kept = Value::Object(posted.fields);
            user_page(&state, lang, &session, id, Some((kept, errors))).await
        }
    }
}
