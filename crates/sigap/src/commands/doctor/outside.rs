//! The checks of what sigap talks to outside itself: the SMTP server, the public URL's
//! name, Chromium, the OpenID provider, and the disk under the data directory.

use std::path::{Path, PathBuf};

use super::{Check, DoctorArgs};
use crate::commands::doctor::checks::PATIENCE;

/// The SMTP server takes sigap's connection and credentials; nothing is sent.
pub(super) async fn smtp(args: &DoctorArgs) -> Check {
    const NAME: &str = "smtp";
    let Some((url, from)) = args.settings.mail.smtp() else {
        return Check::warn(
            NAME,
            "SIGAP_SMTP_URL is not set: mail is queued and not sent",
            "set SIGAP_SMTP_URL, e.g. smtp://USER:PASSWORD@mail.batam.go.id:587?tls=required",
        );
    };
    let fix = "check the host, port, TLS mode and credentials of SIGAP_SMTP_URL, and that this \
               machine may connect to it";
    let options = sigap_notify::SmtpOptions {
        pool_max_size: 1,
        timeout: PATIENCE,
    };
    let mailer = match sigap_notify::SmtpMailer::from_url(url, from, options) {
        Ok(mailer) => mailer,
        Err(e) => return Check::fail(NAME, e.to_string(), fix),
    };
    let shown = mailer.shown_url().to_owned();
    match tokio::time::timeout(PATIENCE * 2, mailer.check()).await {
        Err(_) => Check::fail(NAME, format!("{shown}: no answer in 30 s"), fix),
        Ok(Err(e)) => Check::fail(NAME, format!("{shown}: {e}"), fix),
        Ok(Ok(())) => Check::ok(
            NAME,
            format!("{shown} takes sigap's connection; nothing sent"),
        ),
    }
}

/// The public URL is https and its name resolves.
pub(super) async fn public_url(url: &str, set: bool) -> Check {
    const NAME: &str = "public url";
    let parsed = match url::Url::parse(url) {
        Ok(u) => u,
        Err(e) => {
            return Check::fail(NAME, format!("`{url}`: {e}"), "correct SIGAP_PUBLIC_URL");
        }
    };
    let host = parsed.host_str().unwrap_or_default().to_owned();
    let loopback = crate::config::is_loopback_listen(&format!(
        "{}:{}",
        host,
        parsed.port_or_known_default().unwrap_or(80)
    )) || host == "localhost";
    if !set && !loopback {
        return Check::warn(
            NAME,
            format!("SIGAP_PUBLIC_URL is not set: links in mail and documents say {url}"),
            "set SIGAP_PUBLIC_URL to the address reporters use, e.g. https://csirt.batam.go.id",
        );
    }
    let https = "serve sigap behind TLS (e.g. nginx) and set SIGAP_PUBLIC_URL=https://…";
    if parsed.scheme() != "https" {
        let detail = format!("{url} is plain http: passwords and reporters' data cross in clear");
        return if loopback {
            Check::warn(
                NAME,
                format!("{detail} (loopback: a trial installation)"),
                https,
            )
        } else {
            Check::fail(NAME, detail, https)
        };
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let found =
        tokio::time::timeout(PATIENCE, tokio::net::lookup_host((host.as_str(), port))).await;
    let fix = "publish the name in DNS, or correct SIGAP_PUBLIC_URL";
    match found {
        Err(_) => Check::fail(NAME, format!("{host}: no DNS answer in 15 s"), fix),
        Ok(Err(e)) => Check::fail(NAME, format!("{host} does not resolve: {e}"), fix),
        Ok(Ok(mut addresses)) => match addresses.next() {
            None => Check::fail(NAME, format!("{host} has no address"), fix),
            Some(a) => Check::ok(NAME, format!("{url}: https, {host} is {}", a.ip())),
        },
    }
}

/// Chromium, for the screenshots of block proofs.
pub(super) async fn chromium(args: &DoctorArgs) -> Check {
    const NAME: &str = "chromium";
    if args.settings.rules.proof.trim() == "off" {
        return Check::ok(
            NAME,
            "not needed: SIGAP_PROOF=off (blocks are not captured)",
        );
    }
    let path: PathBuf = args.settings.rules.chromium.clone();
    let fix = "install Debian's chromium package, or set SIGAP_CHROMIUM to its path";
    if !path.exists() {
        let detail = format!(
            "{} is missing: block proofs have no screenshot",
            path.display()
        );
        return Check::warn(NAME, detail, fix);
    }
    let run = tokio::process::Command::new(&path)
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    match tokio::time::timeout(PATIENCE, run).await {
        Ok(Ok(out)) if out.status.success() => {
            let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            Check::ok(NAME, format!("{} ({version})", path.display()))
        }
        Ok(Ok(out)) => Check::warn(
            NAME,
            format!(
                "{} --version failed: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            fix,
        ),
        Ok(Err(e)) => Check::warn(NAME, format!("{} does not run: {e}", path.display()), fix),
        Err(_) => Check::warn(
            NAME,
            format!("{} --version: no answer in 15 s", path.display()),
            fix,
        ),
    }
}

/// The OpenID provider's discovery document and signing keys, when SSO is set.
pub(super) async fn oidc(issuer: Option<&str>) -> Check {
    const NAME: &str = "sso";
    let Some(issuer) = issuer.map(str::trim).filter(|i| !i.is_empty()) else {
        return Check::ok(NAME, "not set: staff sign in with their sigap passwords");
    };
    match tokio::time::timeout(PATIENCE * 2, discover(issuer)).await {
        Err(_) => Check::fail(
            NAME,
            format!("{issuer}: no answer in 30 s"),
            "check SIGAP_OIDC_ISSUER and that this machine reaches the provider",
        ),
        Ok(Err(problem)) => Check::fail(
            NAME,
            format!("{issuer}: {problem}"),
            "check SIGAP_OIDC_ISSUER (exactly the provider's `issuer`) and the provider",
        ),
        Ok(Ok(keys)) => Check::ok(
            NAME,
            format!("{issuer}: discovery document and {keys} signing key(s)"),
        ),
    }
}

/// Reads the discovery document and the JWKS it names; answers how many keys it holds.
async fn discover(issuer: &str) -> Result<usize, String> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(PATIENCE)
        .build()
        .map_err(|e| e.to_string())?;
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let get = |url: String| {
        let client = client.clone();
        async move {
            let answer = client
                .get(&url)
                .send()
                .await
                .map_err(|e| format!("{url}: {e}"))?;
            if !answer.status().is_success() {
                return Err(format!("{url} answered {}", answer.status()));
            }
            answer
                .json::<serde_json::Value>()
                .await
                .map_err(|e| format!("{url}: not JSON ({e})"))
        }
    };
    let document = get(url).await?;
    if document["issuer"].as_str() != Some(issuer) {
        return Err(format!(
            "the discovery document names the issuer {}, not {issuer}",
            document["issuer"]
        ));
    }
    for field in ["authorization_endpoint", "token_endpoint", "jwks_uri"] {
        if document[field].as_str().is_none() {
            return Err(format!("the discovery document has no {field}"));
        }
    }
    let jwks = get(document["jwks_uri"].as_str().unwrap_or_default().to_owned()).await?;
    match jwks["keys"].as_array().map(Vec::len) {
        Some(n) if n > 0 => Ok(n),
        _ => Err("the JWKS holds no key".to_owned()),
    }
}

/// Free space where the data directory is.
pub(super) fn disk(data_dir: &Path) -> Check {
    const NAME: &str = "disk";
    let at = data_dir
        .ancestors()
        .find(|p| p.exists())
        .unwrap_or(Path::new("/"));
    let stats = match rustix::fs::statvfs(at) {
        Ok(s) => s,
        Err(e) => {
            return Check::warn(
                NAME,
                format!("{}: {e}", at.display()),
                "check the data directory",
            );
        }
    };
    let free = stats.f_bavail.saturating_mul(stats.f_frsize);
    let total = stats.f_blocks.saturating_mul(stats.f_frsize).max(1);
    let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
    let share = free as f64 * 100.0 / total as f64;
    let detail = format!(
        "{:.1} GiB free of {:.1} GiB ({share:.0} %) at {}",
        gib(free),
        gib(total),
        at.display()
    );
    let fix = "free space or grow the disk: SQLite, evidence and backups stop when it is full";
    if free < 1 << 30 || share < 2.0 {
        Check::fail(NAME, detail, fix)
    } else if free < 5 << 30 || share < 10.0 {
        Check::warn(NAME, detail, fix)
    } else {
        Check::ok(NAME, detail)
    }
}
