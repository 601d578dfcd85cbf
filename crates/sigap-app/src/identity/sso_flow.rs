//! The steps of a sign-in through the provider (authorization code flow with PKCE, `state`
//! and `nonce`):
//!
//! 1. [`begin`] stores an attempt bound to a new random browser cookie (`sigap_sso`) and
//!    answers the provider's authorization address.
//! 2. [`callback`] takes the attempt of the answer's `state` once (a replayed or unknown
//!    state is refused), trades the code for tokens, has the ID token checked (signature
//!    with the discovery document's keys, issuer, audience, expiry on the app's clock,
//!    nonce), and finds the staff member: by the (issuer, subject) an earlier sign-in
//!    recorded, else by a verified e-mail address of an enabled user, and then records the
//!    pair. It opens no session: the callback is a cross-site navigation, on which sigap's
//!    `SameSite=Strict` session cookie would not be sent afterwards.
//! 3. [`finish`], reached from a same-site page, opens the session: complete when the
//!    provider asserted a second factor (`amr`, or an `acr` of `SIGAP_OIDC_MFA_ACR`),
//!    otherwise at sigap's own TOTP step exactly as after a password.
//!
//! Attempts live [`ATTEMPT_LIFETIME`]. Every refusal is audited as a `login` refusal.

use chrono::Duration;
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{
    AuthorizationCode, CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier, Scope, TokenResponse,
};
use serde_json::json;
use sigap_store::UserRow;
use sigap_store::sso_api::NewSsoAttempt;

use crate::audit::login_entry;
use crate::auth::{new_secret, token_hash};
use crate::identity::login::{self, SignedIn, Stage};
use crate::identity::sso::Sso;
use crate::{App, AppError, AppResult, millis};

/// How long a sign-in may take from [`begin`] to [`finish`].
pub const ATTEMPT_LIFETIME: Duration = Duration::minutes(10);

/// Why a sign-in through the provider was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoRefusal {
    /// The `state` is unknown, used already, expired, or not this browser's.
    State,
    /// The provider answered an error instead of a code, or refused the code.
    Provider,
    /// The ID token did not pass its checks (signature, issuer, audience, expiry, nonce).
    Token,
    /// Nobody in sigap matches the person: an admin must add them first.
    UnknownUser,
    /// The staff member is disabled in sigap.
    Disabled,
}

impl SsoRefusal {
    /// The audited outcome.
    pub fn outcome(self) -> &'static str {
        match self {
            SsoRefusal::State => "refused:sso-state",
            SsoRefusal::Provider => "refused:sso-provider",
            SsoRefusal::Token => "refused:sso-token",
            SsoRefusal::UnknownUser => "refused:sso-unknown-user",
            SsoRefusal::Disabled => "refused:disabled",
        }
    }
}

/// A started sign-in: the browser's cookie value (shown once) and where to send it.
#[derive(Debug, Clone)]
pub struct SsoStart {
    pub binding: String,
    pub authorize_url: String,
}

/// What the provider's redirect back to sigap carried.
#[derive(Debug, Clone, Default)]
pub struct CallbackQuery {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
}

fn provider(app: &App) -> AppResult<&Sso> {
    app.rules
        .sso
        .as_deref()
        .ok_or_else(|| AppError::NotFound("single sign-on".to_owned()))
}

/// Starts a sign-in: stores its `state`, `nonce` and PKCE verifier under a new browser
/// binding and answers the provider's authorization address.
pub async fn begin(app: &App) -> AppResult<SsoStart> {
    let sso = provider(app)?;
    let metadata = sso.metadata(app).await?;
    let client = sso.client(app, &metadata)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for scope in &sso.settings.scopes {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
    let binding = new_secret("");
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    tx.delete_old_sso_attempts(now - ATTEMPT_LIFETIME.num_milliseconds())
        .await?;
    tx.insert_sso_attempt(&NewSsoAttempt {
        binding_hash: &token_hash(&binding),
        state: state.secret(),
        nonce: nonce.secret(),
        pkce_verifier: verifier.secret(),
        now,
    })
    .await?;
    tx.commit().await?;
    Ok(SsoStart {
        binding,
        authorize_url: url.to_string(),
    })
}

/// Records a refusal in the audit log: `who` is the e-mail or subject when known.
async fn refuse(
    app: &App,
    who: &str,
    refusal: SsoRefusal,
    reason: Option<String>,
    source: Option<String>,
) -> AppResult<SsoRefusal> {
    let mut entry = login_entry(millis(app.now()), who, "unknown", refusal.outcome(), source);
    entry.details = json!({"channel": "web", "factor": "sso", "reason": reason});
    let mut tx = app.store.begin().await?;
    tx.append_audit(&entry).await?;
    tx.commit().await?;
    Ok(refusal)
}

/// The person the provider vouched for.
struct Vouched {
    issuer: String,
    subject: String,
    email: Option<String>,
    email_verified: bool,
    mfa: bool,
    id_token: String,
}

/// Checks the provider's answer for the browser of `binding`; `Ok(Err(_))` is an audited
/// refusal. On success the attempt waits for [`finish`].
pub async fn callback(
    app: &App,
    binding: Option<&str>,
    query: &CallbackQuery,
    source: Option<String>,
) -> AppResult<Result<(), SsoRefusal>> {
    let sso = provider(app)?;
    let (Some(binding), Some(state)) = (binding, query.state.as_deref()) else {
        return Ok(Err(
            refuse(app, "unknown", SsoRefusal::State, None, source).await?
        ));
    };
    let binding_hash = token_hash(binding);
    let now = millis(app.now());
    let since = now - ATTEMPT_LIFETIME.num_milliseconds();
    let mut tx = app.store.begin().await?;
    let taken = tx
        .take_sso_attempt(&binding_hash, state, since, now)
        .await?;
    tx.commit().await?;
    let Some(taken) = taken else {
        return Ok(Err(
            refuse(app, "unknown", SsoRefusal::State, None, source).await?
        ));
    };
    let vouched = match vouch(app, sso, query, &taken).await? {
        Ok(vouched) => vouched,
        Err((refusal, reason)) => {
            return Ok(Err(
                refuse(app, "unknown", refusal, Some(reason), source).await?
            ));
        }
    };
    let who = vouched.email.clone().unwrap_or(vouched.subject.clone());
    let user = match match_user(app, &vouched).await? {
        Ok(user) => user,
        Err(refusal) => return Ok(Err(refuse(app, &who, refusal, None, source).await?)),
    };
    let sealed = app
        .rules
        .secret_key
        .seal(user.id, vouched.id_token.as_bytes());
    let mut tx = app.store.begin().await?;
    sync_role(sso, &mut tx, &user, &vouched, now).await?;
    tx.link_identity(&vouched.issuer, &vouched.subject, user.id, now)
        .await?;
    tx.check_sso_attempt(&binding_hash, user.id, sealed.as_deref(), vouched.mfa)
        .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Gives the user the role the provider's groups map to (`SIGAP_OIDC_ROLE_MAP`), audited;
/// nothing when no map is set or no group maps.
async fn sync_role(
    sso: &Sso,
    tx: &mut sigap_store::Tx,
    user: &UserRow,
    vouched: &Vouched,
    now: i64,
) -> AppResult<()> {
    let Some(map) = &sso.settings.role_map else {
        return Ok(());
    };
    let payload = crate::identity::sso::jws_payload(&vouched.id_token).unwrap_or_default();
    let Some(role) = map.role_of(&payload).filter(|role| *role != user.role) else {
        return Ok(());
    };
    tx.update_user(user.id, &user.name, role.as_str(), None)
        .await?;
    let mut entry = login_entry(now, &user.email, role.as_str(), "ok", None);
    entry.action = "sso_role".to_owned();
    entry.details = json!({"user": user.email, "from": user.role.as_str(), "to": role.as_str()});
    tx.append_audit(&entry).await?;
    Ok(())
}

/// Trades the code for tokens and checks the ID token.
async fn vouch(
    app: &App,
    sso: &Sso,
    query: &CallbackQuery,
    taken: &sigap_store::sso_api::TakenSsoAttempt,
) -> AppResult<Result<Vouched, (SsoRefusal, String)>> {
    if let Some(error) = &query.error {
        return Ok(Err((
            SsoRefusal::Provider,
            error.chars().take(200).collect(),
        )));
    }
    let Some(code) = query.code.clone() else {
        return Ok(Err((SsoRefusal::Provider, "no code".to_owned())));
    };
    let metadata = sso.metadata(app).await?;
    let client = sso.client(app, &metadata)?;
    let exchange = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| AppError::Upstream(format!("the sign-in provider: {e}")))?
        .set_pkce_verifier(PkceCodeVerifier::new(taken.pkce_verifier.clone()));
    let tokens = match exchange.request_async(&sso.http).await {
        Ok(tokens) => tokens,
        Err(e) => return Ok(Err((SsoRefusal::Provider, format!("token: {e}")))),
    };
    let Some(id_token) = tokens.id_token() else {
        return Ok(Err((SsoRefusal::Token, "no ID token".to_owned())));
    };
    let now = app.now();
    let verifier = client.id_token_verifier().set_time_fn(move || now);
    let nonce = Nonce::new(taken.nonce.clone());
    let claims = match id_token.claims(&verifier, &nonce) {
        Ok(claims) => claims,
        Err(e) => return Ok(Err((SsoRefusal::Token, e.to_string()))),
    };
    let amr: Vec<String> = claims
        .auth_method_refs()
        .map(|refs| refs.iter().map(|r| r.to_string()).collect())
        .unwrap_or_default();
    let acr = claims.auth_context_ref().map(|acr| acr.to_string());
    Ok(Ok(Vouched {
        issuer: claims.issuer().to_string(),
        subject: claims.subject().to_string(),
        email: claims.email().map(|e| e.to_string()),
        email_verified: claims.email_verified() == Some(true),
        mfa: sso.asserts_mfa(&amr, acr.as_deref()),
        id_token: id_token.to_string(),
    }))
}

/// The enabled staff member the provider's person is: by the recorded (issuer, subject),
/// else by a verified e-mail address.
async fn match_user(app: &App, vouched: &Vouched) -> AppResult<Result<UserRow, SsoRefusal>> {
    let linked = app
        .store
        .find_identity_user(&vouched.issuer, &vouched.subject)
        .await?;
    let user = match linked {
        Some(user_id) => user_by_id(app, user_id).await?,
        None if vouched.email_verified => match &vouched.email {
            Some(email) => app.store.find_user(&login::normalised_email(email)).await?,
            None => None,
        },
        None => None,
    };
    Ok(match user {
        Some(user) if user.disabled => Err(SsoRefusal::Disabled),
        Some(user) => Ok(user),
        None => Err(SsoRefusal::UnknownUser),
    })
}

async fn user_by_id(app: &App, user_id: i64) -> AppResult<Option<UserRow>> {
    Ok(app.store.get_user(user_id).await?)
}

/// Opens the session of the checked attempt bound to `binding` (once); `Ok(Err(_))` is an
/// audited refusal (no such attempt, or the user was disabled meanwhile).
pub async fn finish(
    app: &App,
    binding: Option<&str>,
    source: Option<String>,
) -> AppResult<Result<SignedIn, SsoRefusal>> {
    provider(app)?;
    let Some(binding) = binding else {
        return Ok(Err(
            refuse(app, "unknown", SsoRefusal::State, None, source).await?
        ));
    };
    let since = millis(app.now()) - ATTEMPT_LIFETIME.num_milliseconds();
    let mut tx = app.store.begin().await?;
    let checked = tx.finish_sso_attempt(&token_hash(binding), since).await?;
    tx.commit().await?;
    let Some(checked) = checked else {
        return Ok(Err(
            refuse(app, "unknown", SsoRefusal::State, None, source).await?
        ));
    };
    let user = match user_by_id(app, checked.user_id).await? {
        Some(user) if !user.disabled => user,
        Some(user) => {
            let refusal = SsoRefusal::Disabled;
            return Ok(Err(refuse(app, &user.email, refusal, None, source).await?));
        }
        None => {
            return Ok(Err(refuse(
                app,
                "unknown",
                SsoRefusal::UnknownUser,
                None,
                source,
            )
            .await?));
        }
    };
    let stage = if checked.mfa {
        Stage::Complete
    } else {
        login::stage_after_first_factor(app, &user).await?
    };
    let signed_in = login::open_session(app, &user, stage, "sso", source).await?;
    if let Some(sealed) = &checked.id_token {
        let mut tx = app.store.begin().await?;
        tx.set_session_id_token(&signed_in.session.id_hash, sealed)
            .await?;
        tx.commit().await?;
    }
    Ok(Ok(signed_in))
}
