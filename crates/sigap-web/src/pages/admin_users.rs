//! The staff users page (`/admin/users`): every user with role, agency, whether the account
//! is disabled and whether a second factor (TOTP) is enrolled. Admins add users (a password
//! left empty is generated and shown once on the answer, never again), reset a user's
//! second factor, force a new password (generated and shown once, the user's sessions end),
//! and disable or enable an account, each a CSRF-checked POST calling one use
//! case. Auditors read the list; other roles are answered 403 by `sigap_app::admin`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde_json::Value;
use sigap_app::AppError;
use sigap_app::admin::registry::{self, UserRequest};
use sigap_app::admin::{self, UserOverview};
use sigap_app::identity::login::Session;
use sigap_app::identity::two_factor::{self, UserRef};
use sigap_app::views::CreatedUser;
use sigap_core::Role;

use crate::AppState;
use crate::extract::Source;
use crate::pages::admin::{AdminForm, Done, PostedForm, admin_field, admin_layout};
use crate::pages::forms::FormField;
use crate::pages::session::StaffSession;
use crate::pages::{Layout, OrForm, OrPage, PageLang, PageResult, csrf_refused, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list_users).post(add_user))
        .route("/admin/users/{id}/totp/reset", post(reset_totp))
        .route("/admin/users/{id}/password/reset", post(reset_password))
        .route("/admin/users/{id}/disable", post(disable_user))
        .route("/admin/users/{id}/enable", post(enable_user))
}

/// One user row ready to show.
struct UserRow {
    item: UserOverview,
    role_label: String,
    /// Whether this row is the signed-in admin (who may not disable themselves).
    is_self: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    layout: Layout,
    lang: PageLang,
    users: Vec<UserRow>,
    notice: Option<String>,
    /// The user just created, with the generated password to show once.
    created: Option<CreatedUser>,
    /// The user whose password was just reset, with the new one to show once.
    reset: Option<sigap_app::identity::passwords::ResetPassword>,
    /// The add form and the row buttons, for admins.
    form: Option<AdminForm>,
    csrf_token: String,
}

fn user_fields(lang: PageLang, agencies: &[admin::AgencyOverview]) -> Vec<FormField> {
    // No role is chosen in advance: an account's powers are a deliberate choice.
    let mut roles = vec![(String::new(), lang.t("admin.choose").into_owned())];
    roles.extend(
        Role::ALL
            .iter()
            .map(|&r| (r.as_str().to_owned(), lang.role(r).to_owned())),
    );
    let mut agency_choices = vec![(String::new(), lang.t("admin.user.no_agency").into_owned())];
    agency_choices.extend(agencies.iter().map(|a| {
        let code = a.agency.code.clone();
        (code.clone(), format!("{code} · {}", a.agency.name))
    }));
    vec![
        admin_field(lang, "user", "email", "email")
            .with_autocomplete("off")
            .required(),
        admin_field(lang, "user", "name", "text").required(),
        admin_field(lang, "user", "role", "select")
            .with_choices(roles)
            .required(),
        admin_field(lang, "user", "agency", "select").with_choices(agency_choices),
        admin_field(lang, "user", "password", "password").with_autocomplete("new-password"),
    ]
}

/// What a users page shows beyond the list: a notice, the user just created, or the add
/// form refused with the input that was sent.
#[derive(Default)]
struct UsersExtra {
    notice: Option<String>,
    created: Option<CreatedUser>,
    reset: Option<sigap_app::identity::passwords::ResetPassword>,
    refused: Option<(Value, Vec<sigap_core::FieldError>)>,
}

async fn users_page(
    state: &AppState,
    lang: PageLang,
    session: &Session,
    extra: UsersExtra,
    status: StatusCode,
) -> PageResult {
    let layout = admin_layout(lang, "/admin/users", "admin.users.title", session);
    let (users, agencies) = tokio::try_join!(
        admin::users(&state.app, &session.caller),
        admin::agencies(&state.app, &session.caller),
    )
    .or_page(&layout)?;
    let mut form = AdminForm::new(user_fields(lang, &agencies));
    if let Some((posted, errors)) = &extra.refused {
        form = form.refused(lang, "user", posted, errors);
    }
    let me = session.caller.user_id;
    let page = UsersPage {
        users: users
            .into_iter()
            .map(|item| UserRow {
                role_label: lang.role(item.user.role).to_owned(),
                is_self: item.user.id == me,
                item,
            })
            .collect(),
        notice: extra.notice,
        created: extra.created,
        reset: extra.reset,
        form: (session.caller.role == Role::Admin).then_some(form),
        csrf_token: session.csrf_token.clone(),
        layout,
        lang,
    };
    Ok(render(status, &page))
}

async fn list_users(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Query(done): Query<Done>,
) -> PageResult {
    let extra = UsersExtra {
        notice: done.notice(lang),
        ..UsersExtra::default()
    };
    users_page(&state, lang, &session, extra, StatusCode::OK).await
}

async fn add_user(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let layout = admin_layout(lang, "/admin/users", "admin.users.title", &session);
    let posted = PostedForm::new(pairs);
    if !posted.token_ok(&session) {
        return Err(csrf_refused(layout).into());
    }
    let request = UserRequest {
        email: posted.text("email").into(),
        name: posted.text("name").into(),
        role: posted.text("role").into(),
        agency: posted.text("agency").into(),
        password: posted.text("password").into(),
    };
    let body = Value::Object(posted.fields);
    let added = registry::add_user(&state.app, &session.caller, &request).await;
    match added.or_form(&layout)? {
        // Answered here rather than redirected: a generated password is shown this once.
        Ok(created) => {
            let extra = UsersExtra {
                created: Some(created),
                ..UsersExtra::default()
            };
            users_page(&state, lang, &session, extra, StatusCode::OK).await
        }
        Err(errors) => {
            let extra = UsersExtra {
                refused: Some((body, errors)),
                ..UsersExtra::default()
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            users_page(&state, lang, &session, extra, status).await
        }
    }
}

/// The user a row button names: a number, or no such user.
fn user_id(id: &str) -> Result<i64, AppError> {
    id.parse::<i64>()
        .map_err(|_| AppError::NotFound("user".to_owned()))
}

/// What a row button does.
#[derive(Debug, Clone, Copy)]
enum UserChange {
    ResetTotp,
    Disable,
    Enable,
}

/// Checks the token, runs `change` on the user `id` and returns to the list.
async fn change_user(
    state: &AppState,
    lang: PageLang,
    session: &Session,
    id: &str,
    pairs: Vec<(String, String)>,
    change: UserChange,
) -> PageResult {
    let layout = admin_layout(lang, "/admin/users", "admin.users.title", session);
    if !PostedForm::new(pairs).token_ok(session) {
        return Err(csrf_refused(layout).into());
    }
    let id = user_id(id).or_page(&layout)?;
    let (app, caller) = (&state.app, &session.caller);
    let (result, done) = match change {
        UserChange::ResetTotp => (
            two_factor::reset(app, caller, &UserRef::Id(id)).await,
            "totp_reset",
        ),
        UserChange::Disable => (
            registry::set_user_disabled(app, caller, id, true).await,
            "user_disabled",
        ),
        UserChange::Enable => (
            registry::set_user_disabled(app, caller, id, false).await,
            "user_enabled",
        ),
    };
    result.or_page(&layout)?;
    Ok(Redirect::to(&format!("/admin/users?done={done}")).into_response())
}

async fn reset_totp(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(id): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    change_user(&state, lang, &session, &id, pairs, UserChange::ResetTotp).await
}

async fn disable_user(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(id): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    change_user(&state, lang, &session, &id, pairs, UserChange::Disable).await
}

async fn enable_user(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Path(id): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    change_user(&state, lang, &session, &id, pairs, UserChange::Enable).await
}

/// Forces a new password on a user: answered here rather than redirected, since the
/// generated password is shown this once. The user's sessions end.
async fn reset_password(
    State(state): State<AppState>,
    lang: PageLang,
    StaffSession(session): StaffSession,
    Source(source): Source,
    Path(id): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let layout = admin_layout(lang, "/admin/users", "admin.users.title", &session);
    if !PostedForm::new(pairs).token_ok(&session) {
        return Err(csrf_refused(layout).into());
    }
    let id = user_id(&id).or_page(&layout)?;
    let reset = sigap_app::identity::passwords::reset(
        &state.app,
        &session.caller,
        &UserRef::Id(id),
        source,
    )
    .await
    .or_page(&layout)?;
    let extra = UsersExtra {
        reset: Some(reset),
        ..UsersExtra::default()
    };
    users_page(&state, lang, &session, extra, StatusCode::OK).await
}
