//! The registries an admin keeps: agencies, their electronic systems with domains, staff
//! users and their API tokens. Staff read them; a system owner sees only their own agency.
//! The command line calls these with `Caller::system()`, the web with the signed-in admin.

use serde_json::{Map, Value, json};
use sigap_core::{Domain, FieldError, Given, Role};
use sigap_store::UserRow;

use crate::auth::{Caller, hash_password, new_secret};
use crate::views::{AgencyView, CreatedUser, SystemView, UserView};
use crate::workflow::blocking::PROFILE_KEY;
use crate::workflow::blocking_profiles::{check_parameter_names, with_system_parameters};
use crate::{App, AppError, AppResult, millis};

mod edit;
mod requests;

pub use edit::{AgencyEdit, SystemEdit, UserEdit, edit_agency, edit_system, edit_user, may_change};
pub use requests::{
    AgencyRequest, BlockingRequest, NewAgency, NewSystem, NewUser, SystemRequest, UserRequest,
};

fn staff_readers() -> &'static [Role] {
    Role::ALL
}

/// Registers an agency.
pub async fn add_agency(
    app: &App,
    caller: &Caller,
    request: &AgencyRequest,
) -> AppResult<AgencyView> {
    let result = try_add_agency(app, caller, request).await;
    if let Err(e) = &result {
        crate::audit::refused(app, caller, "agency_add", None, e, None).await;
    }
    result
}

async fn try_add_agency(
    app: &App,
    caller: &Caller,
    request: &AgencyRequest,
) -> AppResult<AgencyView> {
    caller.require(&[Role::Admin], "register agencies")?;
    let NewAgency {
        code,
        name,
        email,
        head_email,
    } = NewAgency::try_from(request).map_err(AppError::Invalid)?;
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    let id = tx
        .insert_agency(
            code.as_str(),
            &name,
            email.as_ref().map(|e| e.as_str()),
            now,
        )
        .await?;
    if let Some(head) = &head_email {
        tx.set_agency_head(id, Some(head.as_str())).await?;
    }
    crate::audit::record(
        &mut tx,
        caller,
        "agency_add",
        now,
        json!({"code": code.as_str(), "name": name}),
    )
    .await?;
    tx.commit().await?;
    Ok(AgencyView {
        id,
        code: code.as_str().to_owned(),
        name,
        email: email.map(|e| e.as_str().to_owned()),
        head_email: head_email.map(|e| e.as_str().to_owned()),
        disabled: false,
    })
}

pub async fn list_agencies(app: &App, caller: &Caller) -> AppResult<Vec<AgencyView>> {
    caller.require(staff_readers(), "read agencies")?;
    let rows = app.store.list_agencies(caller.scope()).await?;
    Ok(rows
        .into_iter()
        .map(|a| AgencyView {
            id: a.id,
            code: a.code,
            name: a.name,
            email: a.email,
            head_email: a.head_email,
            disabled: a.disabled,
        })
        .collect())
}

/// Registers a system with its domains.
pub async fn add_system(
    app: &App,
    caller: &Caller,
    request: &SystemRequest,
) -> AppResult<SystemView> {
    let result = try_add_system(app, caller, request).await;
    if let Err(e) = &result {
        crate::audit::refused(app, caller, "system_add", None, e, None).await;
    }
    result
}

async fn try_add_system(
    app: &App,
    caller: &Caller,
    request: &SystemRequest,
) -> AppResult<SystemView> {
    caller.require(&[Role::Admin], "register electronic systems")?;
    let NewSystem {
        agency,
        name,
        domains,
        iiv,
        category,
    } = NewSystem::try_from(request).map_err(AppError::Invalid)?;
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    let agency_row = tx
        .find_agency(agency.as_str())
        .await?
        .ok_or_else(|| AppError::invalid("agency", format!("no agency has the code `{agency}`")))?;
    if agency_row.disabled {
        return Err(out_of_service(&agency_row.code));
    }
    let id = tx.insert_system(agency_row.id, &name, now).await?;
    for d in &domains {
        tx.insert_domain(id, d.as_str()).await?;
    }
    tx.set_system_class(id, iiv, category).await?;
    let names: Vec<String> = domains.iter().map(|d| d.as_str().to_owned()).collect();
    let category = category.map(|c| c.as_str().to_owned());
    crate::audit::record(
        &mut tx,
        caller,
        "system_add",
        now,
        json!({"agency": agency.as_str(), "name": name, "domains": names, "iiv": iiv,
            "category": category}),
    )
    .await?;
    tx.commit().await?;
    Ok(SystemView {
        id,
        agency: agency_row.code,
        name,
        domains: names,
        suspended: false,
        blocking_adapter: "manual".into(),
        disabled: false,
        iiv,
        category,
    })
}

pub async fn list_systems(app: &App, caller: &Caller) -> AppResult<Vec<SystemView>> {
    caller.require(staff_readers(), "read electronic systems")?;
    let systems = app.store.list_systems(caller.scope()).await?;
    let domains = app.store.list_domains(caller.scope()).await?;
    Ok(systems
        .into_iter()
        .map(|s| SystemView {
            domains: domains
                .iter()
                .filter(|d| d.system_id == s.id)
                .map(|d| d.domain.clone())
                .collect(),
            id: s.id,
            agency: s.agency_code,
            name: s.name,
            suspended: s.suspended,
            blocking_adapter: s.blocking_adapter,
            disabled: s.disabled,
            iiv: s.iiv,
            category: s.category,
        })
        .collect())
}

/// Sets how a system is blocked with the adapter's own parameters (`manual` clears it): the
/// operator's way, at the command line on the server. Secrets are referenced by environment
/// variable name (`*_env`, prefix `SIGAP_ADAPTER_`), never stored. The web and the API use
/// [`choose_blocking`], which cannot set a command, a file, an address or a secret name.
pub async fn set_blocking(
    app: &App,
    caller: &Caller,
    domain: &str,
    adapter: &str,
    params: &Value,
) -> AppResult<()> {
    if !caller.is_operator() {
        return Err(AppError::Forbidden(
            "an adapter's own parameters are set on the server (`sigap system set-blocking`); \
             choose a blocking profile instead"
                .to_owned(),
        ));
    }
    let params = if adapter == "manual" {
        json!({})
    } else {
        check_adapter(adapter)?;
        check_blocking_params(adapter, params)?;
        params.clone()
    };
    store_blocking(app, caller, domain, adapter, params).await
}

/// Sets how a system is blocked, as an admin does on `/admin/systems` or through
/// `POST /api/v1/systems/blocking`: `profile` names a profile of the operator's blocking
/// file, `params` may set only the harmless values of
/// [`crate::workflow::blocking_profiles::SYSTEM_PARAMETERS`], and `adapter` = `manual` clears it.
/// A refusal answers 422 naming the field and is audited.
pub async fn choose_blocking(
    app: &App,
    caller: &Caller,
    request: &BlockingRequest,
) -> AppResult<()> {
    let result = try_choose_blocking(app, caller, request).await;
    if let Err(e) = &result {
        crate::audit::refused(app, caller, "system_set_blocking", None, e, None).await;
    }
    result
}

async fn try_choose_blocking(
    app: &App,
    caller: &Caller,
    request: &BlockingRequest,
) -> AppResult<()> {
    caller.require(&[Role::Admin], "configure blocking")?;
    let text = |given: &'_ Given| given.as_str().unwrap_or("").trim().to_owned();
    let empty = Map::new();
    let params = match &request.params.0 {
        Value::Null => &empty,
        Value::Object(map) => map,
        _ => return Err(AppError::invalid("params", "`params` is an object")),
    };
    let (domain, adapter, profile) = (
        text(&request.domain),
        text(&request.adapter),
        text(&request.profile),
    );
    let (domain, adapter, profile) = (domain.as_str(), adapter.as_str(), profile.as_str());
    check_parameter_names(params)?;
    if profile.is_empty() {
        return match adapter {
            "manual" => store_blocking(app, caller, domain, "manual", json!({})).await,
            _ => Err(AppError::invalid(
                if adapter.is_empty() {
                    "profile"
                } else {
                    "adapter"
                },
                format!(
                    "choose a `profile` of the operator's blocking file ({}), or `manual`; an \
                     adapter's commands, files, addresses and secrets are not set here",
                    profile_names(app)
                ),
            )),
        };
    }
    let config = app.rules.blocking.profiles.get(profile).ok_or_else(|| {
        AppError::invalid(
            "profile",
            format!(
                "no blocking profile `{profile}`; the operator's file has: {}",
                profile_names(app)
            ),
        )
    })?;
    if !adapter.is_empty() && adapter != config.kind().as_str() {
        return Err(AppError::invalid(
            "adapter",
            format!("the profile `{profile}` uses the {} adapter", config.kind()),
        ));
    }
    with_system_parameters(config, params)?;
    let mut stored = params.clone();
    stored.insert(PROFILE_KEY.to_owned(), Value::String(profile.to_owned()));
    let kind = config.kind().as_str();
    store_blocking(app, caller, domain, kind, Value::Object(stored)).await
}

/// The names of the operator's blocking profiles, for a message.
fn profile_names(app: &App) -> String {
    let names: Vec<String> = app
        .rules
        .blocking
        .profiles
        .names()
        .into_iter()
        .map(|(name, kind)| format!("{name} ({kind})"))
        .collect();
    if names.is_empty() {
        "none is defined".to_owned()
    } else {
        names.join(", ")
    }
}

fn check_adapter(adapter: &str) -> AppResult<()> {
    const ADAPTERS: &[&str] = &["manual", "nginx", "powerdns", "rfc2136", "webhook"];
    if ADAPTERS.contains(&adapter) {
        return Ok(());
    }
    Err(AppError::invalid(
        "adapter",
        format!(
            "unknown adapter `{adapter}`; expected one of: {}",
            ADAPTERS.join(", ")
        ),
    ))
}

/// Writes a system's blocking setting and its audit entry in one transaction.
async fn store_blocking(
    app: &App,
    caller: &Caller,
    domain: &str,
    adapter: &str,
    params: Value,
) -> AppResult<()> {
    let domain = Domain::parse(domain)?;
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    let system = tx
        .find_system_by_domain(domain.as_str())
        .await?
        .ok_or_else(|| {
            AppError::invalid(
                "domain",
                format!("no registered system has the domain `{domain}`"),
            )
        })?;
    tx.set_blocking(system.id, adapter, &params.to_string())
        .await?;
    crate::audit::record(
        &mut tx,
        caller,
        "system_set_blocking",
        now,
        json!({"system_id": system.id, "adapter": adapter, "params": params}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Checks the parameters against the adapter. Secrets are read from the environment only
/// when the adapter is used (the server's environment may differ from this command's), so
/// the check here stands in a well-formed value for each one.
fn check_blocking_params(adapter: &str, params: &Value) -> AppResult<()> {
    let Some(map) = params.as_object() else {
        return Err(AppError::invalid(
            "params",
            "`params` is an object of text values",
        ));
    };
    let placeholder = |_: &str| Some("c2lnYXAtY2hlY2s=".to_owned());
    sigap_block::AdapterConfig::parse_json(adapter, map, &placeholder)
        .map(|_| ())
        .map_err(|e| AppError::invalid("params", e.to_string()))
}

/// Whether the agency `agency_id` has an enabled system-owner account (without one, the
/// CSIRT records its remediations on its behalf).
pub async fn has_owner_account(app: &App, agency_id: i64) -> AppResult<bool> {
    let owners = app.store.owner_accounts().await?;
    Ok(owners.iter().any(|(id, n)| *id == agency_id && *n > 0))
}

/// The refusal to give a disabled agency something new.
pub(crate) fn out_of_service(code: &str) -> AppError {
    AppError::Invalid(vec![
        FieldError::new(
            "agency",
            format!("the agency `{code}` is out of service (disabled): enable it first"),
        )
        .of_kind(sigap_core::Problem::OutOfService),
    ])
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> AppError {
        AppError::Invalid(vec![e])
    }
}

fn user_view(u: UserRow) -> UserView {
    UserView {
        id: u.id,
        email: u.email,
        name: u.name,
        role: u.role,
        agency: u.agency_code,
        disabled: u.disabled,
    }
}

/// Creates a staff user; a password is generated (and answered once) when none is given.
pub async fn add_user(app: &App, caller: &Caller, request: &UserRequest) -> AppResult<CreatedUser> {
    let result = try_add_user(app, caller, request).await;
    if let Err(e) = &result {
        crate::audit::refused(app, caller, "user_add", None, e, None).await;
    }
    result
}

async fn try_add_user(app: &App, caller: &Caller, request: &UserRequest) -> AppResult<CreatedUser> {
    caller.require(&[Role::Admin], "create users")?;
    let NewUser {
        email,
        name,
        role,
        agency,
        password,
    } = NewUser::try_from(request).map_err(AppError::Invalid)?;
    if let Some(password) = &password {
        let policy = app.policy().await?;
        crate::identity::password_rules::check(
            &policy.law,
            "password",
            password,
            &name,
            email.as_str(),
        )
        .map_err(|e| AppError::Invalid(vec![e]))?;
    }
    let generated = password
        .is_none()
        .then(|| new_secret("").chars().take(20).collect::<String>());
    let hash = hash_password(
        password
            .as_deref()
            .or(generated.as_deref())
            .unwrap_or_default(),
    )?;
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    let agency_row = match &agency {
        Some(code) => Some(tx.find_agency(&code.to_uppercase()).await?.ok_or_else(|| {
            AppError::invalid("agency", format!("no agency has the code `{code}`"))
        })?),
        None => None,
    };
    if let Some(agency) = agency_row.as_ref().filter(|a| a.disabled) {
        return Err(out_of_service(&agency.code));
    }
    let id = tx
        .insert_user(
            email.as_str(),
            &name,
            role.as_str(),
            agency_row.as_ref().map(|a| a.id),
            Some(&hash),
            now,
        )
        .await?;
    crate::audit::record(
        &mut tx,
        caller,
        "user_add",
        now,
        json!({"email": email.as_str(), "role": role.as_str(), "agency": agency}),
    )
    .await?;
    tx.commit().await?;
    let user = UserView {
        id,
        email: email.as_str().to_owned(),
        name,
        role,
        agency: agency_row.map(|a| a.code),
        disabled: false,
    };
    Ok(CreatedUser {
        user,
        password: generated,
    })
}

pub async fn list_users(app: &App, caller: &Caller) -> AppResult<Vec<UserView>> {
    let result = try_list_users(app, caller).await;
    if let Err(e) = &result {
        crate::audit::refused(app, caller, "user_list", None, e, None).await;
    }
    result
}

async fn try_list_users(app: &App, caller: &Caller) -> AppResult<Vec<UserView>> {
    caller.require(
        &[Role::Admin, Role::Auditor, Role::Csirt, Role::Helpdesk],
        "read users",
    )?;
    Ok(app
        .store
        .list_users()
        .await?
        .into_iter()
        .map(user_view)
        .collect())
}

/// Disables (or enables again) the user `user_id`. A disabled user's sessions end at once
/// and neither their password nor their API tokens open anything; their records stay. An
/// admin may not disable their own account, so that the last admin cannot lock everyone out
/// by a slip.
pub async fn set_user_disabled(
    app: &App,
    caller: &Caller,
    user_id: i64,
    disabled: bool,
) -> AppResult<String> {
    let result = try_set_user_disabled(app, caller, user_id, disabled).await;
    if let Err(e) = &result {
        crate::audit::refused(
            app,
            caller,
            if disabled {
                "user_disable"
            } else {
                "user_enable"
            },
            None,
            e,
            None,
        )
        .await;
    }
    result
}

async fn try_set_user_disabled(
    app: &App,
    caller: &Caller,
    user_id: i64,
    disabled: bool,
) -> AppResult<String> {
    caller.require(&[Role::Admin], "disable or enable users")?;
    if disabled && user_id == caller.user_id {
        return Err(AppError::Conflict(
            "an admin may not disable their own account".to_owned(),
        ));
    }
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    let email = tx
        .find_user_email(user_id)
        .await?
        .ok_or_else(|| AppError::NotFound("user".to_owned()))?;
    tx.set_user_disabled(user_id, disabled).await?;
    let sessions_ended = if disabled {
        tx.delete_user_sessions(user_id).await?
    } else {
        0
    };
    let action = if disabled {
        "user_disable"
    } else {
        "user_enable"
    };
    crate::audit::record(
        &mut tx,
        caller,
        action,
        now,
        json!({"user": email, "sessions_ended": sessions_ended}),
    )
    .await?;
    tx.commit().await?;
    Ok(email)
}

/// A new API token with every scope and no expiry for the user with this e-mail; the
/// token is answered once. `tokens::create` chooses scopes and expiry.
pub async fn create_token(
    app: &App,
    caller: &Caller,
    email: &str,
    label: &str,
) -> AppResult<String> {
    let request = crate::identity::tokens::TokenRequest {
        email: email.to_owned(),
        label: label.to_owned(),
        scopes: Vec::new(),
        expires_in_days: None,
    };
    Ok(crate::identity::tokens::create(app, caller, &request)
        .await?
        .token)
}
