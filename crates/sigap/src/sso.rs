//! The settings of the staff sign-in through an OpenID Connect provider (`SIGAP_OIDC_*`)
//! and of which roles may still use a password (`SIGAP_PASSWORD_ROLES`), checked at start.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use sigap_app::identity::sso::{RoleMap, Sso, SsoSettings};
use sigap_core::Role;

/// `SIGAP_OIDC_*` and `SIGAP_PASSWORD_ROLES`.
#[derive(Debug, Clone, Args)]
pub struct SsoArgs {
    /// The OpenID Connect provider's issuer (`https://id.example.go.id/realms/pemkot`); set,
    /// staff may sign in with "Masuk dengan SSO". Register `<public URL>/login/sso/callback`
    /// as its redirect URI and `<public URL>/login` as its post-logout redirect URI.
    #[arg(long, env = "SIGAP_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// sigap's client id at the provider.
    #[arg(long, env = "SIGAP_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// sigap's client secret at the provider.
    #[arg(long, env = "SIGAP_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,
    /// A file holding the client secret (instead of `SIGAP_OIDC_CLIENT_SECRET`).
    #[arg(long, env = "SIGAP_OIDC_CLIENT_SECRET_FILE")]
    pub oidc_client_secret_file: Option<PathBuf>,
    /// The scopes asked for, space- or comma-separated; `openid` is always asked for.
    #[arg(long, env = "SIGAP_OIDC_SCOPES", default_value = "email profile")]
    pub oidc_scopes: String,
    /// `acr` values (comma-separated) that mean the provider checked a second factor, so
    /// that sigap does not ask its own; an `amr` naming one (`mfa`, `otp`, `hwk`, …) does too.
    #[arg(long, env = "SIGAP_OIDC_MFA_ACR", value_delimiter = ',')]
    pub oidc_mfa_acr: Vec<String>,
    /// The ID token's claim that holds the person's groups (`groups`), for
    /// `SIGAP_OIDC_ROLE_MAP`.
    #[arg(long, env = "SIGAP_OIDC_GROUPS_CLAIM")]
    pub oidc_groups_claim: Option<String>,
    /// Roles given by the provider's groups, `group=role` comma-separated, first match
    /// wins (`sigap-admin=admin,csirt=csirt`); unset, roles are managed in sigap only.
    #[arg(long, env = "SIGAP_OIDC_ROLE_MAP")]
    pub oidc_role_map: Option<String>,
    /// The proxy the provider is reached through (`http://proxy:3128`), if any.
    #[arg(long, env = "SIGAP_OIDC_HTTP_PROXY")]
    pub oidc_http_proxy: Option<String>,
    /// Roles that may still sign in with a password (comma-separated; default: every
    /// role), e.g. `admin` to keep a password for break-glass admins only.
    #[arg(long, env = "SIGAP_PASSWORD_ROLES", value_delimiter = ',')]
    pub password_roles: Vec<String>,
}

impl SsoArgs {
    /// The provider, when `SIGAP_OIDC_ISSUER` is set; an error names the wrong setting.
    pub fn provider(&self) -> anyhow::Result<Option<Arc<Sso>>> {
        let Some(issuer) = self.oidc_issuer.as_deref().map(str::trim) else {
            return Ok(None);
        };
        let Some(client_id) = self.oidc_client_id.clone() else {
            anyhow::bail!("SIGAP_OIDC_ISSUER is set but SIGAP_OIDC_CLIENT_ID is not");
        };
        let client_secret = match (&self.oidc_client_secret, &self.oidc_client_secret_file) {
            (Some(_), Some(_)) => anyhow::bail!(
                "set SIGAP_OIDC_CLIENT_SECRET or SIGAP_OIDC_CLIENT_SECRET_FILE, not both"
            ),
            (Some(secret), None) => secret.clone(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|e| {
                    anyhow::anyhow!("SIGAP_OIDC_CLIENT_SECRET_FILE: {}: {e}", path.display())
                })?
                .trim()
                .to_owned(),
            (None, None) => anyhow::bail!(
                "SIGAP_OIDC_ISSUER is set but neither SIGAP_OIDC_CLIENT_SECRET nor \
                 SIGAP_OIDC_CLIENT_SECRET_FILE is"
            ),
        };
        let scopes = self
            .oidc_scopes
            .split([' ', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != "openid")
            .map(str::to_owned)
            .collect();
        let settings = SsoSettings {
            issuer: issuer.to_owned(),
            client_id,
            client_secret,
            scopes,
            mfa_acr: trimmed(&self.oidc_mfa_acr),
            http_proxy: self.oidc_http_proxy.clone(),
            role_map: match (&self.oidc_groups_claim, &self.oidc_role_map) {
                (None, None) => None,
                (claim, map) => Some(
                    RoleMap::parse(claim.as_deref().unwrap_or(""), map.as_deref().unwrap_or(""))
                        .map_err(anyhow::Error::msg)?,
                ),
            },
        };
        Ok(Some(Arc::new(
            Sso::new(settings).map_err(anyhow::Error::msg)?,
        )))
    }

    /// The roles that may sign in with a password; `None`: every role.
    pub fn password_roles(&self) -> anyhow::Result<Option<Vec<Role>>> {
        let names = trimmed(&self.password_roles);
        if names.is_empty() {
            return Ok(None);
        }
        let roles = names
            .iter()
            .map(|name| {
                name.parse::<Role>().map_err(|_| {
                    anyhow::anyhow!(
                        "SIGAP_PASSWORD_ROLES: `{name}` is not a role (admin, helpdesk, csirt, \
                         domain_officer, system_owner, regional_secretary, auditor)"
                    )
                })
            })
            .collect::<anyhow::Result<Vec<Role>>>()?;
        if roles.len() < Role::ALL.len() && self.oidc_issuer.is_none() {
            anyhow::bail!(
                "SIGAP_PASSWORD_ROLES leaves roles without a way to sign in: set \
                 SIGAP_OIDC_ISSUER too"
            );
        }
        Ok(Some(roles))
    }
}

fn trimmed(values: &[String]) -> Vec<String> {
    values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}
