//! The registries from the command line: staff users and their credentials, agencies,
//! electronic systems with their blocking, and API tokens. Each calls the use case as
//! `Caller::system()`.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sigap_app::admin::registry;
use sigap_app::identity::{tokens, two_factor};
use sigap_app::{App, Caller};

use crate::config::DatabaseArgs;

use super::*;

/// `sigap user …`: staff users and their credentials.
pub(super) async fn user_command(
    db: &DatabaseArgs,
    command: UserCommand,
) -> anyhow::Result<ExitCode> {
    match command {
        UserCommand::Add {
            email,
            name,
            role,
            agency,
            password_stdin,
        } => {
            let password = if password_stdin {
                Some(read_password()?)
            } else {
                None
            };
            let app = admin_app(db).await?;
            let user = registry::UserRequest {
                email: email.into(),
                name: name.into(),
                role: role.into(),
                agency: agency.into(),
                password: password.into(),
            };
            let created = registry::add_user(&app, &Caller::system(), &user)
                .await
                .map_err(explain)?;
            println!(
                "user {} ({}) created",
                created.user.email, created.user.role
            );
            if let Some(p) = created.password {
                println!("password: {p}");
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Reset2fa { email } => {
            let app = admin_app(db).await?;
            let user = two_factor::UserRef::Email(email);
            let email = two_factor::reset(&app, &Caller::system(), &user)
                .await
                .map_err(explain)?;
            println!("second factor of {email} reset; they enrol again at their next sign-in");
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::ResetPassword { email } => {
            let app = admin_app(db).await?;
            let user = two_factor::UserRef::Email(email);
            let reset = sigap_app::identity::passwords::reset(&app, &Caller::system(), &user, None)
                .await
                .map_err(explain)?;
            println!("password of {} reset; their sessions ended", reset.email);
            println!("password: {}", reset.password);
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Disable { email } => {
            let app = admin_app(db).await?;
            set_disabled(&app, &email, true).await
        }
        UserCommand::Enable { email } => {
            let app = admin_app(db).await?;
            set_disabled(&app, &email, false).await
        }
        UserCommand::UnlinkSso { email } => {
            let app = admin_app(db).await?;
            let forgotten = sigap_app::identity::sso::unlink(&app, &Caller::system(), &email)
                .await
                .map_err(explain)?;
            println!("{forgotten} SSO identity(ies) of {email} forgotten");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `sigap agency add`: registers an agency.
pub(super) async fn agency_command(
    db: &DatabaseArgs,
    command: AgencyCommand,
) -> anyhow::Result<ExitCode> {
    match command {
        AgencyCommand::Add {
            code,
            name,
            email,
            head_email,
        } => {
            let app = admin_app(db).await?;
            let agency = registry::AgencyRequest {
                code: code.into(),
                name: name.into(),
                email: email.into(),
                head_email: head_email.into(),
            };
            let a = registry::add_agency(&app, &Caller::system(), &agency)
                .await
                .map_err(explain)?;
            println!("agency {} registered (id {})", a.code, a.id);
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub(super) async fn system(db: &DatabaseArgs, cmd: SystemCommand) -> anyhow::Result<ExitCode> {
    let app = admin_app(db).await?;
    match cmd {
        SystemCommand::Add {
            agency,
            name,
            domain,
            iiv,
            category,
        } => {
            let system = registry::SystemRequest {
                agency: agency.into(),
                name: name.into(),
                domains: domain.into(),
                iiv: iiv.into(),
                category: category.into(),
                ..registry::SystemRequest::default()
            };
            let s = registry::add_system(&app, &Caller::system(), &system)
                .await
                .map_err(explain)?;
            println!(
                "system {} registered (id {}) for {}: {}",
                s.name,
                s.id,
                s.agency,
                s.domains.join(", ")
            );
        }
        SystemCommand::SetBlocking {
            domain,
            adapter,
            params,
        } => {
            let mut map = Map::new();
            for p in params {
                let (k, v) = p
                    .split_once('=')
                    .ok_or_else(|| anyhow::anyhow!("--param `{p}` is not KEY=VALUE"))?;
                map.insert(k.trim().to_owned(), Value::String(v.to_owned()));
            }
            registry::set_blocking(
                &app,
                &Caller::system(),
                &domain,
                &adapter,
                &Value::Object(map),
            )
            .await
            .map_err(explain)?;
            println!("blocking of {domain} set to {adapter}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn token_command(app: &App, command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Create {
            email,
            label,
            expires_in,
            scopes,
        } => {
            let request = tokens::TokenRequest {
                email,
                label,
                scopes: tokens::parse_scopes(&scopes.join(",")).map_err(explain)?,
                expires_in_days: expires_in
                    .as_deref()
                    .map(tokens::parse_lifetime_days)
                    .transpose()
                    .map_err(explain)?,
            };
            let created = tokens::create(app, &Caller::system(), &request)
                .await
                .map_err(explain)?;
            println!("{}", created.token);
        }
        TokenCommand::List { email } => {
            let all = email.is_none();
            let list = tokens::list(app, &Caller::system(), email.as_deref(), all)
                .await
                .map_err(explain)?;
            for t in list {
                println!("{}", token_line(&t));
            }
        }
        TokenCommand::Revoke { id } => {
            tokens::revoke(app, &Caller::system(), id, None)
                .await
                .map_err(explain)?;
            println!("token {id} revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One token as `token list` prints it: id, user, label, scopes, then its times.
fn token_line(t: &tokens::TokenView) -> String {
    let time = |at: Option<DateTime<Utc>>| at.map_or("-".to_owned(), |at| at.to_rfc3339());
    let scopes: Vec<&str> = t.scopes.iter().map(|s| s.as_str()).collect();
    let state = if t.revoked_at.is_some() {
        "revoked"
    } else {
        "active"
    };
    format!(
        "{}\t{}\t{}\t{}\t{state}\tcreated {}\texpires {}\tlast used {}",
        t.id,
        t.email,
        t.label,
        scopes.join(","),
        t.created_at.to_rfc3339(),
        time(t.expires_at),
        time(t.last_used_at),
    )
}

/// `user disable` / `user enable`: the user with `email`, found among the staff.
async fn set_disabled(
    app: &sigap_app::App,
    email: &str,
    disabled: bool,
) -> anyhow::Result<ExitCode> {
    let wanted = email.trim().to_lowercase();
    let user = app
        .store
        .list_users()
        .await?
        .into_iter()
        .find(|u| u.email == wanted)
        .ok_or_else(|| anyhow::anyhow!("no user with the e-mail address {email}"))?;
    let email = registry::set_user_disabled(app, &Caller::system(), user.id, disabled)
        .await
        .map_err(explain)?;
    println!(
        "{email} {}",
        if disabled {
            "disabled: no sign-in, API tokens refused, sessions ended"
        } else {
            "enabled"
        }
    );
    Ok(ExitCode::SUCCESS)
}
