//! A real OpenID Connect provider for the sign-in tests: `oidc/provider.mjs` (the certified
//! `oidc-provider` package, run by Node.js; see `oidc/README.md`) on a free loopback port,
//! and [`spawn_sso_app`], which boots sigap with that provider as its `SIGAP_OIDC_*`.
//!
//! The provider is installed with `npm ci --prefix crates/sigap-testkit/oidc`
//! (`scripts/test` does it). Without it the tests are skipped with a message, unless
//! `SIGAP_REQUIRE_OIDC=1` makes that a failure. The provider's stdin is a pipe and it runs
//! with `--exit-on-stdin-close`, so it ends with the test process whatever happens.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;

use serde_json::{Value, json};
use sigap_app::identity::sso::{Sso, SsoSettings};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::{Backend, Start, TestApp};

/// sigap's client id and secret at the test provider.
pub const CLIENT_ID: &str = "sigap";
pub const CLIENT_SECRET: &str = "sigap-test-secret-0123456789abcdef";
/// The `acr` the test accounts with a second factor carry.
pub const MFA_ACR: &str = "urn:sigap:acr:mfa";

/// The provider's directory in the repository.
fn provider_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oidc")
}

/// Whether the provider is installed; `false` prints why the test is skipped, or panics
/// under `SIGAP_REQUIRE_OIDC=1`.
pub fn provider_installed() -> bool {
    let installed = provider_dir()
        .join("node_modules/oidc-provider/package.json")
        .exists();
    if !installed {
        let message = "the test OpenID provider is not installed \
                       (npm ci --prefix crates/sigap-testkit/oidc)";
        assert!(
            std::env::var("SIGAP_REQUIRE_OIDC").as_deref() != Ok("1"),
            "{message}, and SIGAP_REQUIRE_OIDC=1"
        );
        eprintln!("skipped: {message}");
    }
    installed
}

/// What the provider starts with.
#[derive(Debug, Clone)]
pub struct ProviderSetup {
    /// oidc-provider client metadata (snake_case); `None`: sigap's client only.
    pub clients: Option<Value>,
    /// The accounts (`sub`, `email`, `email_verified`, `amr`, `acr`, …).
    pub accounts: Value,
    /// The ID tokens' lifetime in seconds (`--id-token-ttl`).
    pub id_token_ttl: Option<u64>,
}

/// A running provider; dropping it ends the process and removes its files.
pub struct TestProvider {
    /// The issuer exactly as the provider printed it.
    pub issuer: String,
    _child: Child,
    dir: PathBuf,
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// sigap's client registration at the provider, for a server at `base_url`.
pub fn sigap_client(client_id: &str, base_url: &str) -> Value {
    json!({
        "client_id": client_id,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [format!("{base_url}/login/sso/callback")],
        "post_logout_redirect_uris": [format!("{base_url}/login")],
        "token_endpoint_auth_method": "client_secret_basic",
    })
}

/// Starts the provider with `clients` and `setup`'s accounts; waits for its `ready` line.
pub async fn start_provider(clients: &Value, setup: &ProviderSetup) -> TestProvider {
    let dir = std::env::temp_dir().join(format!(
        "sigap-oidc-{}-{}",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::create_dir_all(&dir).expect("provider directory");
    let clients_file = dir.join("clients.json");
    let accounts_file = dir.join("accounts.json");
    std::fs::write(&clients_file, clients.to_string()).expect("clients file");
    std::fs::write(&accounts_file, setup.accounts.to_string()).expect("accounts file");
    let mut command = Command::new("node");
    command
        .arg(provider_dir().join("provider.mjs"))
        .args(["--port", "0", "--exit-on-stdin-close"])
        .arg("--clients")
        .arg(&clients_file)
        .arg("--accounts")
        .arg(&accounts_file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    if let Some(ttl) = setup.id_token_ttl {
        command.args(["--id-token-ttl", &ttl.to_string()]);
    }
    let mut child = command.spawn().expect("start node");
    let stdout = child.stdout.take().expect("provider stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .await
        .expect("the provider's ready line");
    let issuer = line
        .trim_end()
        .strip_prefix("ready ")
        .unwrap_or_else(|| panic!("the provider did not start: {line:?}"))
        .to_owned();
    TestProvider {
        issuer,
        _child: child,
        dir,
    }
}

/// sigap's provider settings for `issuer`, with the test client and [`MFA_ACR`].
pub fn sso_settings(issuer: &str) -> Arc<Sso> {
    let settings = SsoSettings {
        issuer: issuer.to_owned(),
        client_id: CLIENT_ID.to_owned(),
        client_secret: CLIENT_SECRET.to_owned(),
        scopes: vec!["email".to_owned(), "profile".to_owned()],
        mfa_acr: vec![MFA_ACR.to_owned()],
        http_proxy: None,
        role_map: None,
    };
    Arc::new(Sso::new(settings).expect("provider settings"))
}

/// Boots sigap on `backend` with the test provider as its sign-in provider: the server's
/// port is bound first, so that the provider registers its callback. `configure` runs
/// after the provider settings are in. `None` when the backend or the provider is missing.
pub async fn spawn_sso_app(
    backend: Backend,
    setup: ProviderSetup,
    configure: impl FnOnce(&mut Start),
) -> Option<(TestApp, TestProvider)> {
    if !provider_installed() {
        return None;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a port");
    let base_url = format!("http://{}", listener.local_addr().expect("address"));
    let clients = setup
        .clients
        .clone()
        .unwrap_or_else(|| json!([sigap_client(CLIENT_ID, &base_url)]));
    let provider = start_provider(&clients, &setup).await;
    let sso = sso_settings(&provider.issuer);
    let app = crate::spawn_app_with(backend, move |start| {
        start.listener = Some(listener);
        start.rules.sso = Some(sso);
        configure(start);
    })
    .await?;
    Some((app, provider))
}

/// The test's browser: one cookie store (by domain and path, as a browser keeps them) for
/// two clients, one that follows redirects and one that stops at each.
pub struct SsoBrowser {
    pub follow: reqwest::Client,
    pub manual: reqwest::Client,
}

impl SsoBrowser {
    pub fn new() -> SsoBrowser {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let build = |policy| {
            reqwest::Client::builder()
                .no_proxy()
                .cookie_provider(jar.clone())
                .redirect(policy)
                .build()
                .expect("HTTP client")
        };
        SsoBrowser {
            follow: build(reqwest::redirect::Policy::limited(10)),
            manual: build(reqwest::redirect::Policy::none()),
        }
    }
}

impl Default for SsoBrowser {
    fn default() -> Self {
        SsoBrowser::new()
    }
}
