//! Staff sign-in with OpenID Connect ("Masuk dengan SSO"): the settings of the provider
//! (`SIGAP_OIDC_*`), the provider's discovery document with its keys (read on first use
//! and again after [`DISCOVERY_LIFETIME`], so that a rotated key is picked up), and the
//! client that talks to it over sigap's own HTTP client (`sso_http`). The steps of a
//! sign-in are in `sso_flow`.
//!
//! The provider says who someone is; sigap still says what they may do: roles and agency
//! stay in the registry, and an unknown person gets no account.

use std::sync::Arc;

use chrono::Duration;
use openidconnect::core::{CoreClient, CoreIdToken};
use openidconnect::{
    ClientId, ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl,
    LogoutRequest, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl,
};
use serde_json::json;
use sigap_core::Role;
use sigap_store::NewAuditEntry;
use tokio::sync::Mutex;

use crate::auth::Caller;
use crate::identity::sso_http::SsoHttp;
use crate::{App, AppError, AppResult, millis};

/// How long the discovery document and its keys are trusted before they are read again.
pub const DISCOVERY_LIFETIME: Duration = Duration::hours(1);

/// The `amr` values (RFC 8176) that mean the provider checked more than a password.
pub const MFA_METHODS: &[&str] = &[
    "mfa", "otp", "hwk", "swk", "sc", "fpt", "face", "iris", "retina", "vbm", "pop", "pin", "sms",
    "tel",
];

/// The settings of the provider, as `SIGAP_OIDC_*` give them.
#[derive(Clone)]
pub struct SsoSettings {
    /// The issuer, compared byte for byte with the one in discovery and in ID tokens.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// The scopes asked for besides `openid`.
    pub scopes: Vec<String>,
    /// `acr` values that mean the provider checked a second factor.
    pub mfa_acr: Vec<String>,
    /// The proxy the provider is reached through, if any.
    pub http_proxy: Option<String>,
    /// Roles taken from a groups claim, when the provider manages them (off by default).
    pub role_map: Option<RoleMap>,
}

/// `SIGAP_OIDC_GROUPS_CLAIM` and `SIGAP_OIDC_ROLE_MAP`: at each sign-in through the
/// provider, the first group of the map that the claim holds gives the user's role in
/// sigap; a person in none of the groups keeps the role sigap has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleMap {
    /// The ID token's claim holding the groups (a list of strings, or one string).
    pub claim: String,
    /// Group names and their roles, in order of precedence.
    pub groups: Vec<(String, Role)>,
}

impl RoleMap {
    /// Reads `group=role,group=role`; `system_owner` cannot be given (it needs an agency).
    pub fn parse(claim: &str, map: &str) -> Result<RoleMap, String> {
        let mut groups = Vec::new();
        for pair in map.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((group, role)) = pair.split_once('=') else {
                return Err(format!("SIGAP_OIDC_ROLE_MAP: `{pair}` is not group=role"));
            };
            let role: Role = role
                .trim()
                .parse()
                .map_err(|_| format!("SIGAP_OIDC_ROLE_MAP: `{}` is not a role", role.trim()))?;
            if role == Role::SystemOwner {
                return Err(
                    "SIGAP_OIDC_ROLE_MAP: system_owner needs an agency; give it in sigap"
                        .to_owned(),
                );
            }
            groups.push((group.trim().to_owned(), role));
        }
        if claim.trim().is_empty() || groups.is_empty() {
            return Err("SIGAP_OIDC_GROUPS_CLAIM and SIGAP_OIDC_ROLE_MAP go together".to_owned());
        }
        Ok(RoleMap {
            claim: claim.trim().to_owned(),
            groups,
        })
    }

    /// The role the groups of a checked ID token's `payload` (its claims, as JSON) give.
    pub fn role_of(&self, payload: &serde_json::Value) -> Option<Role> {
        let held: Vec<&str> = match payload.get(&self.claim) {
            Some(serde_json::Value::Array(items)) => {
                items.iter().filter_map(serde_json::Value::as_str).collect()
            }
            Some(serde_json::Value::String(one)) => vec![one.as_str()],
            _ => Vec::new(),
        };
        self.groups
            .iter()
            .find(|(group, _)| held.contains(&group.as_str()))
            .map(|(_, role)| *role)
    }
}

/// The claims of a compact JWS as JSON (the token's signature is checked elsewhere).
pub(crate) fn jws_payload(token: &str) -> Option<serde_json::Value> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

impl std::fmt::Debug for SsoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("scopes", &self.scopes)
            .field("mfa_acr", &self.mfa_acr)
            .field("http_proxy", &self.http_proxy)
            .field("role_map", &self.role_map)
            .finish()
    }
}

/// The client of sigap's provider, as the discovery document made it.
pub(crate) type ProviderClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The provider: its settings, the HTTP client towards it, and its discovery document.
pub struct Sso {
    pub settings: SsoSettings,
    issuer: IssuerUrl,
    pub(crate) http: SsoHttp,
    /// The discovery document and when it was read (ms).
    discovered: Mutex<Option<(i64, Arc<ProviderMetadataWithLogout>)>>,
}

impl std::fmt::Debug for Sso {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sso")
            .field("settings", &self.settings)
            .finish()
    }
}

impl Sso {
    /// The provider of `settings`; an error names the setting that is wrong.
    pub fn new(settings: SsoSettings) -> Result<Sso, String> {
        let issuer = IssuerUrl::new(settings.issuer.clone()).map_err(|e| {
            format!(
                "SIGAP_OIDC_ISSUER: `{}` is not a URL ({e})",
                settings.issuer
            )
        })?;
        if settings.client_id.trim().is_empty() {
            return Err("SIGAP_OIDC_CLIENT_ID is empty".to_owned());
        }
        if settings.client_secret.is_empty() {
            return Err(
                "SIGAP_OIDC_CLIENT_SECRET (or SIGAP_OIDC_CLIENT_SECRET_FILE) is empty".to_owned(),
            );
        }
        let http = SsoHttp::new(settings.http_proxy.as_deref())
            .map_err(|e| format!("SIGAP_OIDC_HTTP_PROXY: {e}"))?;
        Ok(Sso {
            settings,
            issuer,
            http,
            discovered: Mutex::new(None),
        })
    }

    /// The discovery document, read from the provider when it is not known or too old.
    pub(crate) async fn metadata(&self, app: &App) -> AppResult<Arc<ProviderMetadataWithLogout>> {
        let now = millis(app.now());
        let mut discovered = self.discovered.lock().await;
        if let Some((at, metadata)) = discovered.as_ref()
            && now - at < DISCOVERY_LIFETIME.num_milliseconds()
        {
            return Ok(metadata.clone());
        }
        let metadata = ProviderMetadataWithLogout::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| AppError::Upstream(format!("the sign-in provider's discovery: {e}")))?;
        let metadata = Arc::new(metadata);
        *discovered = Some((now, metadata.clone()));
        Ok(metadata)
    }

    /// The client, with the callback `<public URL>/login/sso/callback`.
    pub(crate) fn client(
        &self,
        app: &App,
        metadata: &ProviderMetadataWithLogout,
    ) -> AppResult<ProviderClient> {
        let redirect = RedirectUrl::new(callback_url(&app.rules.public_url))
            .map_err(|e| AppError::Internal(format!("the sign-in callback URL: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// Whether the provider's `amr` and `acr` say it checked a second factor.
    pub fn asserts_mfa(&self, amr: &[String], acr: Option<&str>) -> bool {
        amr.iter().any(|m| MFA_METHODS.contains(&m.as_str()))
            || acr.is_some_and(|acr| self.settings.mfa_acr.iter().any(|a| a == acr))
    }
}

/// The callback address to register at the provider.
pub fn callback_url(public_url: &str) -> String {
    format!("{}/login/sso/callback", public_url.trim_end_matches('/'))
}

/// Where the provider sends the browser after its sign-out.
pub fn after_logout_url(public_url: &str) -> String {
    format!("{}/login", public_url.trim_end_matches('/'))
}

/// Where the browser goes to end its session at the provider too (RP-initiated logout),
/// when the session of `session_id_hash` was opened through the provider and it offers
/// an end-session endpoint. Called before the session is deleted.
pub async fn logout_url(
    app: &App,
    session_id_hash: &str,
    user_id: i64,
) -> AppResult<Option<String>> {
    let Some(sso) = app.rules.sso.as_ref() else {
        return Ok(None);
    };
    let Some(sealed) = app.store.session_id_token(session_id_hash).await? else {
        return Ok(None);
    };
    let Some(raw) = app
        .rules
        .secret_key
        .open(user_id, &sealed)
        .and_then(|bytes| String::from_utf8(bytes).ok())
    else {
        return Ok(None);
    };
    let Ok(id_token) = raw.parse::<CoreIdToken>() else {
        return Ok(None);
    };
    let metadata = match sso.metadata(app).await {
        Ok(metadata) => metadata,
        Err(e) => {
            // The sigap session ends anyway; the provider's is left to its own limits.
            tracing::warn!(error = %e, "the provider's sign-out address could not be read");
            return Ok(None);
        }
    };
    let Some(end_session) = metadata.additional_metadata().end_session_endpoint.clone() else {
        return Ok(None);
    };
    let after = PostLogoutRedirectUrl::new(after_logout_url(&app.rules.public_url))
        .map_err(|e| AppError::Internal(format!("the sign-out return URL: {e}")))?;
    let url = LogoutRequest::from(end_session)
        .set_id_token_hint(&id_token)
        .set_post_logout_redirect_uri(after)
        .http_get_url();
    Ok(Some(url.to_string()))
}

/// Forgets the (issuer, subject) pairs recorded for the user `email` (`sigap user
/// unlink-sso`): their next sign-in through the provider is matched by e-mail again.
/// Admins only; audited. Answers how many pairs were forgotten.
pub async fn unlink(app: &App, caller: &Caller, email: &str) -> AppResult<u64> {
    if let Err(e) = caller.require(&[Role::Admin], "unlink a user's single sign-on") {
        let details = json!({"user": email.chars().take(254).collect::<String>()});
        let role = caller.role.as_str();
        crate::identity::tokens::audit_refused(
            app,
            &caller.email,
            role,
            "sso_unlink",
            "refused:403",
            details,
            None,
        )
        .await;
        return Err(e);
    }
    let email = crate::identity::login::normalised_email(email);
    let mut tx = app.store.begin().await?;
    let user = tx
        .find_user(&email)
        .await?
        .ok_or_else(|| AppError::NotFound("user".to_owned()))?;
    let forgotten = tx.unlink_identities(user.id).await?;
    let entry = NewAuditEntry {
        at: millis(app.now()),
        actor: caller.email.clone(),
        role: caller.role.as_str().to_owned(),
        action: "sso_unlink".to_owned(),
        ticket_number: None,
        source: None,
        outcome: "ok".to_owned(),
        details: json!({"user": user.email, "identities": forgotten}),
    };
    tx.append_audit(&entry).await?;
    tx.commit().await?;
    Ok(forgotten)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SsoSettings {
        SsoSettings {
            issuer: "https://id.batam.go.id".to_owned(),
            client_id: "sigap".to_owned(),
            client_secret: "rahasia".to_owned(),
            scopes: vec!["email".to_owned()],
            mfa_acr: vec!["urn:sigap:acr:mfa".to_owned()],
            http_proxy: None,
            role_map: None,
        }
    }

    #[test]
    fn the_first_mapped_group_gives_the_role() {
        let map = RoleMap::parse("groups", "sigap-admin=admin, csirt=csirt").unwrap();
        let payload = json!({"groups": ["csirt", "sigap-admin"]});
        assert_eq!(map.role_of(&payload), Some(Role::Admin));
        assert_eq!(map.role_of(&json!({"groups": "csirt"})), Some(Role::Csirt));
        assert_eq!(map.role_of(&json!({"groups": ["lain"]})), None);
        assert_eq!(map.role_of(&json!({})), None);
        assert!(RoleMap::parse("groups", "x=system_owner").is_err());
        assert!(RoleMap::parse("groups", "x=raja").is_err());
        assert!(RoleMap::parse("", "x=admin").is_err());
    }

    #[test]
    fn a_second_factor_is_read_from_amr_or_the_listed_acr() {
        let sso = Sso::new(settings()).unwrap();
        assert!(sso.asserts_mfa(&["pwd".to_owned(), "otp".to_owned()], None));
        assert!(sso.asserts_mfa(&["pwd".to_owned()], Some("urn:sigap:acr:mfa")));
        assert!(!sso.asserts_mfa(&["pwd".to_owned()], Some("urn:sigap:acr:pwd")));
        assert!(!sso.asserts_mfa(&[], None));
    }

    #[test]
    fn bad_settings_name_the_setting() {
        let mut bad = settings();
        bad.issuer = "not a url".to_owned();
        assert!(Sso::new(bad).unwrap_err().starts_with("SIGAP_OIDC_ISSUER"));
        let mut bad = settings();
        bad.client_secret.clear();
        assert!(
            Sso::new(bad)
                .unwrap_err()
                .contains("SIGAP_OIDC_CLIENT_SECRET")
        );
        let secret = format!("{:?}", settings());
        assert!(!secret.contains("rahasia"));
    }
}
