//! What an admin changes in the registries after the fact: an agency's name, addresses and
//! service, a system's name, domains and service, a user's name, role and agency. Each
//! change is one transaction with its audit entry (what it was and what it became); each
//! refusal is audited too.
//!
//! An agency's code and a system's agency stay as registered: the code names the agency in
//! ticket records and letters, and a system's tickets belong to the agency that owned it
//! when they were reported. Taking an agency or a system out of service (`disabled`) keeps
//! it and its tickets on record; no new report is matched to it, no validation may name a
//! disabled system, and a disabled agency gets no new system or system-owner account.

use serde::Deserialize;
use serde_json::json;
use sigap_core::{Check, FieldError, Given, Role};
use utoipa::ToSchema;

use super::requests::{category, checked_domains, flag, optional_email, role_and_agency};
use super::{out_of_service, user_view};
use crate::auth::Caller;
use crate::views::{AgencyView, SystemView, UserView};
use crate::{App, AppError, AppResult, millis};

/// An agency's particulars as `PUT /api/v1/agencies/{code}` and the admin page send them:
/// each field is set as given (an address left out is cleared, `disabled` left out is
/// `false`). The code is not changed.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AgencyEdit {
    #[schema(value_type = String)]
    pub name: Given,
    /// Official address for letters and notices.
    #[schema(value_type = Option<String>)]
    pub email: Given,
    /// The address of the agency's head.
    #[schema(value_type = Option<String>)]
    pub head_email: Given,
    /// `true`: out of service (kept on record; nothing new is given to it).
    #[schema(value_type = Option<bool>)]
    pub disabled: Given,
}

/// A system's particulars as `PUT /api/v1/systems/{id}` and the admin page send them: its
/// name, its whole list of domains (at least one), whether it is out of service, and how it
/// is classed (IIV, category). Its agency is not changed.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SystemEdit {
    #[schema(value_type = String)]
    pub name: Given,
    /// Every domain the system answers on, e.g. `layanan.batam.go.id`.
    #[schema(value_type = Vec<String>)]
    pub domains: Given,
    /// `true`: out of service (no new report is matched to it).
    #[schema(value_type = Option<bool>)]
    pub disabled: Given,
    /// Vital information infrastructure (IIV, Perpres 82/2022); absent: no.
    #[schema(value_type = Option<bool>)]
    pub iiv: Given,
    /// *Kategori sistem elektronik*: `strategis`, `tinggi` or `rendah`; absent or empty:
    /// not classed.
    #[schema(value_type = Option<String>)]
    pub category: Given,
}

/// A user's name, role and agency as `PUT /api/v1/users/{id}` and the admin page send them.
/// A change of role or agency ends the user's sessions and revokes their API tokens.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UserEdit {
    #[schema(value_type = String)]
    pub name: Given,
    /// `admin`, `helpdesk`, `csirt`, `domain_officer`, `system_owner`, `regional_secretary`, `auditor`.
    #[schema(value_type = String)]
    pub role: Given,
    /// Agency code; required for `system_owner`, refused for the other roles.
    #[schema(value_type = Option<String>)]
    pub agency: Given,
}

/// Audits a refusal of `action` and hands it on.
async fn audited<T>(app: &App, caller: &Caller, action: &str, r: AppResult<T>) -> AppResult<T> {
    if let Err(e) = &r {
        crate::audit::refused(app, caller, action, None, e, None).await;
    }
    r
}

/// Whether the caller may open the form that changes an `entry` (`agency`, `system`,
/// `user`): admins only; a refusal is audited as the change would be (`{entry}_edit`).
pub async fn may_change(app: &App, caller: &Caller, entry: &str) -> AppResult<()> {
    let result = caller.require(&[Role::Admin], "change the registries");
    audited(app, caller, &format!("{entry}_edit"), result).await
}

/// Changes the agency `code`'s name, addresses and service.
pub async fn edit_agency(
    app: &App,
    caller: &Caller,
    code: &str,
    edit: &AgencyEdit,
) -> AppResult<AgencyView> {
    let result = try_edit_agency(app, caller, code, edit).await;
    audited(app, caller, "agency_edit", result).await
}

async fn try_edit_agency(
    app: &App,
    caller: &Caller,
    code: &str,
    edit: &AgencyEdit,
) -> AppResult<AgencyView> {
    caller.require(&[Role::Admin], "change agencies")?;
    let mut c = Check::default();
    let name = c.required("name", &edit.name, 200);
    let email = optional_email(&mut c, "email", &edit.email);
    let head_email = optional_email(&mut c, "head_email", &edit.head_email);
    let disabled = flag(&mut c, "disabled", &edit.disabled);
    let name = c.finish(name).map_err(AppError::Invalid)?;
    let (email, head_email) = (
        email.map(|e| e.as_str().to_owned()),
        head_email.map(|e| e.as_str().to_owned()),
    );
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    let not_found = || AppError::NotFound("agency".to_owned());
    let code = sigap_core::AgencyCode::parse(code).map_err(|_| not_found())?;
    let before = tx.find_agency(code.as_str()).await?.ok_or_else(not_found)?;
    tx.update_agency(
        before.id,
        &name,
        email.as_deref(),
        head_email.as_deref(),
        disabled,
    )
    .await?;
    let was = json!({"name": before.name, "email": before.email,
        "head_email": before.head_email, "disabled": before.disabled});
    let now_is = json!({"name": name, "email": email, "head_email": head_email,
        "disabled": disabled});
    crate::audit::record(
        &mut tx,
        caller,
        "agency_edit",
        now,
        json!({"code": before.code, "was": was, "now": now_is}),
    )
    .await?;
    tx.commit().await?;
    Ok(AgencyView {
        id: before.id,
        code: before.code,
        name,
        email,
        head_email,
        disabled,
    })
}

/// Changes the system `id`'s name, domains and service.
pub async fn edit_system(
    app: &App,
    caller: &Caller,
    id: i64,
    edit: &SystemEdit,
) -> AppResult<SystemView> {
    let result = try_edit_system(app, caller, id, edit).await;
    audited(app, caller, "system_edit", result).await
}

async fn try_edit_system(
    app: &App,
    caller: &Caller,
    id: i64,
    edit: &SystemEdit,
) -> AppResult<SystemView> {
    caller.require(&[Role::Admin], "change electronic systems")?;
    let mut c = Check::default();
    let name = c.required("name", &edit.name, 200);
    let mut domains: Vec<String> = checked_domains(&mut c, &edit.domains, None)
        .iter()
        .map(|d| d.as_str().to_owned())
        .collect();
    domains.sort();
    let disabled = flag(&mut c, "disabled", &edit.disabled);
    let iiv = flag(&mut c, "iiv", &edit.iiv);
    let category = category(&mut c, &edit.category);
    let name = c.finish(name).map_err(AppError::Invalid)?;
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    let before = tx
        .get_system(id)
        .await?
        .ok_or_else(|| AppError::NotFound("electronic system".to_owned()))?;
    let old_domains = tx.system_domains(id).await?;
    for gone in old_domains.iter().filter(|d| !domains.contains(d)) {
        tx.delete_system_domain(id, gone).await?;
    }
    for added in domains.iter().filter(|d| !old_domains.contains(d)) {
        tx.insert_domain(id, added).await?;
    }
    tx.update_system(id, &name, disabled).await?;
    tx.set_system_class(id, iiv, category).await?;
    let was = json!({"name": before.name, "domains": old_domains, "disabled": before.disabled,
        "iiv": before.iiv, "category": before.category});
    let now_is = json!({"name": name, "domains": domains, "disabled": disabled,
        "iiv": iiv, "category": category.map(|c| c.as_str())});
    crate::audit::record(
        &mut tx,
        caller,
        "system_edit",
        now,
        json!({"system_id": id, "agency": before.agency_code, "was": was, "now": now_is}),
    )
    .await?;
    tx.commit().await?;
    Ok(SystemView {
        id,
        agency: before.agency_code,
        name,
        domains,
        suspended: before.suspended,
        blocking_adapter: before.blocking_adapter,
        disabled,
        iiv,
        category: category.map(|c| c.as_str().to_owned()),
    })
}

/// Changes the user `id`'s name, role and agency. A change of role or agency ends their
/// sessions and revokes their API tokens (what they may see and do has changed); an admin
/// may not change their own role.
pub async fn edit_user(
    app: &App,
    caller: &Caller,
    id: i64,
    edit: &UserEdit,
) -> AppResult<UserView> {
    let result = try_edit_user(app, caller, id, edit).await;
    audited(app, caller, "user_edit", result).await
}

/// The checked name, role and agency code of a user's edit.
fn checked_user(edit: &UserEdit) -> Result<(String, Role, Option<String>), Vec<FieldError>> {
    let mut c = Check::default();
    let name = c.required("name", &edit.name, 200);
    let role = c.choice::<Role>("role", &edit.role);
    let agency = c
        .optional("agency", &edit.agency, 32)
        .and_then(|a| c.parsed_value("agency", &a, sigap_core::AgencyCode::parse))
        .map(|a| a.as_str().to_owned());
    role_and_agency(&mut c, role, agency.as_deref());
    c.finish(name.zip(role))
        .map(|(name, role)| (name, role, agency))
}

async fn try_edit_user(
    app: &App,
    caller: &Caller,
    id: i64,
    edit: &UserEdit,
) -> AppResult<UserView> {
    caller.require(&[Role::Admin], "change users")?;
    let (name, role, agency) = checked_user(edit).map_err(AppError::Invalid)?;
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    let before = tx
        .get_user(id)
        .await?
        .ok_or_else(|| AppError::NotFound("user".to_owned()))?;
    if id == caller.user_id && role != before.role {
        return Err(AppError::Invalid(vec![
            FieldError::new(
                "role",
                "an admin may not change their own role: another admin does it",
            )
            .of_kind(sigap_core::Problem::OwnAccount),
        ]));
    }
    let agency_row = match &agency {
        Some(code) => Some(tx.find_agency(code).await?.ok_or_else(|| {
            AppError::invalid("agency", format!("no agency has the code `{code}`"))
        })?),
        None => None,
    };
    let agency_id = agency_row.as_ref().map(|a| a.id);
    let moved = agency_id != before.agency_id;
    if let Some(a) = agency_row.as_ref().filter(|a| a.disabled && moved) {
        return Err(out_of_service(&a.code));
    }
    tx.update_user(id, &name, role.as_str(), agency_id).await?;
    let (sessions_ended, tokens_revoked) = if role != before.role || moved {
        (
            tx.delete_user_sessions(id).await?,
            tx.revoke_user_tokens(id, now).await?,
        )
    } else {
        (0, 0)
    };
    let was = json!({"name": before.name, "role": before.role.as_str(),
        "agency": before.agency_code});
    let now_is = json!({"name": name, "role": role.as_str(), "agency": agency});
    crate::audit::record(
        &mut tx,
        caller,
        "user_edit",
        now,
        json!({"user": before.email, "was": was, "now": now_is,
            "sessions_ended": sessions_ended, "tokens_revoked": tokens_revoked}),
    )
    .await?;
    tx.commit().await?;
    Ok(user_view(sigap_store::UserRow {
        name,
        role,
        agency_id,
        agency_code: agency_row.map(|a| a.code),
        ..before
    }))
}
