//! The checks of `sigap doctor`, in the order of the table: the settings, the database,
//! the server key, the blob store, then what needs the database (the key against what it
//! sealed, the audit chain, the blocking adapters, the documents, the holidays,
//! security.txt), then the servers around sigap (SMTP, the public URL, Chromium, the
//! OpenID provider) and the disk.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Datelike, Utc};
use sigap_app::identity::totp::SecretKey;
use sigap_app::{App, Policy, Rules};
use sigap_core::Clock;
use sigap_store::{BlobStore, Store};

use super::{Check, DoctorArgs, outside};
use crate::commands::SystemClock;
use crate::config::{DatabaseArgs, redact_url};

/// How long a check that talks to a server waits for it.
pub(super) const PATIENCE: Duration = Duration::from_secs(15);

/// Where the fix of a key problem points.
const KEY_FIX: &str = "start sigap with the SIGAP_SECRET_KEY (or SIGAP_SECRET_KEY_FILE, or the \
                       data directory's secret.key) the database was written with";

pub(super) async fn run(db: &DatabaseArgs, args: &DoctorArgs) -> Vec<Check> {
    let mut checks = Vec::new();
    let (rules, policy) = match args.settings.rules.rules(&args.settings.listen) {
        Ok(found) => {
            checks.push(Check::ok("settings", "every setting reads"));
            found
        }
        Err(e) => {
            checks.push(Check::fail(
                "settings",
                one_line(&e),
                "correct the setting named (`sigap serve --help` lists them)",
            ));
            (Rules::default(), Policy::default())
        }
    };
    let (database, migrated) = database(db).await;
    checks.push(database);
    let key = server_key(db);
    if let Err(check) = &key {
        checks.push(check.clone());
    }
    let blobs = blob_store(db).await;
    match &blobs {
        Ok((_, check)) | Err(check) => checks.push(check.clone()),
    }
    match (migrated, key, blobs) {
        (true, Ok(key), Ok((blobs, _))) => {
            let mut rules = rules;
            rules.secret_key = key;
            match open(db, blobs, rules, policy).await {
                Ok(app) => checks.extend(with_app(&app).await),
                Err(e) => checks.push(Check::fail(
                    "database",
                    one_line(&e),
                    "check that the database accepts writes from sigap's user",
                )),
            }
        }
        _ => checks.push(Check::warn(
            "procedure",
            "not checked: the key against what it sealed, the audit chain, the blocking \
             adapters, the documents, the holidays and security.txt need the database, the \
             key and the blob store",
            "fix the failures above, then run `sigap doctor` again",
        )),
    }
    checks.push(outside::smtp(args).await);
    let public_url = rules_url(args);
    let set = args.settings.rules.public_url.is_some();
    checks.push(outside::public_url(&public_url, set).await);
    checks.push(outside::chromium(args).await);
    checks.push(outside::oidc(args.settings.rules.sso.oidc_issuer.as_deref()).await);
    checks.push(outside::disk(&db.data_dir));
    checks
}

/// The public URL `serve` would use.
fn rules_url(args: &DoctorArgs) -> String {
    args.settings
        .rules
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.settings.listen))
}

fn one_line(e: &anyhow::Error) -> String {
    crate::one_line(e)
}

/// The database answers and carries every migration of this build; `true` when the rest
/// can be checked on it. Nothing is created or migrated.
async fn database(db: &DatabaseArgs) -> (Check, bool) {
    const NAME: &str = "database";
    let url = db.url();
    let shown = redact_url(&url);
    let kind = if db.is_postgres() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let reach = "check SIGAP_DATABASE_URL (or SIGAP_DATA_DIR), that the database server runs \
                 and that sigap's user may connect";
    let version = match tokio::time::timeout(PATIENCE, sigap_store::schema::inspect(&url)).await {
        Err(_) => {
            return (
                Check::fail(NAME, format!("{shown}: no answer in 15 s"), reach),
                false,
            );
        }
        Ok(Err(e)) => return (Check::fail(NAME, format!("{shown}: {e}"), reach), false),
        Ok(Ok(None)) => {
            let detail = format!("{shown}: the file does not exist");
            let fix = "check SIGAP_DATA_DIR (or SIGAP_DATABASE_URL); a new installation makes \
                       its database at the first `sigap serve`";
            return (Check::fail(NAME, detail, fix), false);
        }
        Ok(Ok(Some(version))) => version,
    };
    let detail = format!(
        "{kind} {shown}, schema {} of {}",
        version.database, version.server
    );
    if version.database > version.server {
        let fix = "a newer sigap has migrated this database: run that version (or a later one)";
        return (Check::fail(NAME, detail, fix), false);
    }
    if version.database < version.server {
        let fix = "start `sigap serve` of this version once: it applies the missing migrations \
                   at start (on PostgreSQL one instance does while the others wait)";
        return (
            Check::fail(NAME, format!("{detail}: not migrated"), fix),
            false,
        );
    }
    (Check::ok(NAME, detail), true)
}

/// The server key, read where every command reads it; a missing key file is reported, not
/// made.
fn server_key(db: &DatabaseArgs) -> Result<SecretKey, Check> {
    const NAME: &str = "server key";
    let file = db.data_dir.join("secret.key");
    let given = db.key.secret_key.is_some() || db.key.secret_key_file.is_some();
    if !given && !db.is_postgres() && !file.exists() {
        return Err(Check::fail(
            NAME,
            format!(
                "none: no SIGAP_SECRET_KEY, no SIGAP_SECRET_KEY_FILE and no {}",
                file.display()
            ),
            KEY_FIX,
        ));
    }
    db.key
        .load(&db.data_dir, db.is_postgres())
        .map_err(|e| Check::fail(NAME, one_line(&e), KEY_FIX))
}

/// The blob store opens and can be written to; a missing directory is reported, not made.
async fn blob_store(db: &DatabaseArgs) -> Result<(BlobStore, Check), Check> {
    const NAME: &str = "blob store";
    let fix = "make the directory writable by sigap's user, or correct SIGAP_BLOB_URL (and the \
               AWS_* settings of an S3 store)";
    let url = db
        .blob_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let dir = match url {
        None => Some(db.data_dir.join("evidence")),
        Some(u) => url::Url::parse(u)
            .ok()
            .filter(|u| u.scheme() == "file")
            .and_then(|u| u.to_file_path().ok()),
    };
    if let Some(dir) = dir.filter(|d| !d.is_dir()) {
        let detail = format!("{}: the directory does not exist", dir.display());
        return Err(Check::fail(NAME, detail, fix));
    }
    let blobs = BlobStore::open(url, &db.data_dir.join("evidence"), &[])
        .map_err(|e| Check::fail(NAME, e.to_string(), fix))?;
    let location = blobs.location();
    match tokio::time::timeout(PATIENCE, blobs.check()).await {
        Err(_) => Err(Check::fail(
            NAME,
            format!("{location}: no answer in 15 s"),
            fix,
        )),
        Ok(Err(e)) => Err(Check::fail(NAME, format!("{location}: {e}"), fix)),
        Ok(Ok(())) if db.is_postgres() && !blobs.is_shared() => {
            let check = Check::warn(
                NAME,
                format!("{location}: writable, on this machine only"),
                "another instance on this database would not find the files: set \
                 SIGAP_BLOB_URL=s3://BUCKET/PREFIX",
            );
            Ok((blobs, check))
        }
        Ok(Ok(())) => {
            let check = Check::ok(NAME, format!("{location}: writable"));
            Ok((blobs, check))
        }
    }
}

/// The app on the database, as `serve` makes it, without sealing anything.
async fn open(
    db: &DatabaseArgs,
    blobs: BlobStore,
    rules: Rules,
    policy: Policy,
) -> anyhow::Result<App> {
    let store = Store::open(&db.url(), &db.store_options()?).await?;
    Ok(App::new(store, blobs, rules, policy, Arc::new(SystemClock)))
}

/// What needs the database and the key.
async fn with_app(app: &App) -> Vec<Check> {
    let mut checks = vec![key_matches(app).await, audit_chain(app).await];
    checks.extend(adapters(app).await);
    let now = SystemClock.now();
    match app.policy().await {
        Ok(policy) => {
            checks.push(documents(&policy));
            checks.push(holidays(&policy, now));
        }
        Err(e) => checks.push(Check::fail(
            "settings",
            format!(
                "the settings kept in the database do not read: {}",
                e.describe()
            ),
            "correct them on /admin/settings",
        )),
    }
    checks.push(security_txt(app, now).await);
    checks
}

/// The key is the one that sealed the audit chain and the stored TOTP secrets.
async fn key_matches(app: &App) -> Check {
    const NAME: &str = "server key";
    let ours = app.store.audit_key().map(|k| k.id()).unwrap_or_default();
    // The check `serve` and every command make at start.
    if let Err(e) = crate::commands::database::check_audit_key(app).await {
        return Check::fail(NAME, one_line(&e), KEY_FIX);
    }
    match sigap_app::identity::two_factor::unopened_secrets(app).await {
        Err(e) => Check::fail(NAME, e.describe(), KEY_FIX),
        Ok((tried, unopened)) if !unopened.is_empty() => Check::fail(
            NAME,
            format!(
                "key {ours}: {} of the {tried} stored TOTP secrets do not open with it (users {})",
                unopened.len(),
                unopened
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            KEY_FIX,
        ),
        Ok((tried, _)) => Check::ok(
            NAME,
            format!("key {ours}: seals the audit log and opens the {tried} stored TOTP secrets"),
        ),
    }
}

/// The worker's last check of the audit chain.
async fn audit_chain(app: &App) -> Check {
    const NAME: &str = "audit chain";
    let fix = "run `sigap audit verify`; a break means an entry was changed or removed in the \
               database: restore it from a backup and report the incident";
    match sigap_app::admin::audit_log::last_check_for_metrics(app).await {
        Err(e) => Check::fail(NAME, e.describe(), fix),
        Ok(None) => Check::warn(
            NAME,
            "never checked yet",
            "the worker of `sigap serve` (or `sigap worker`) checks it every hour; `sigap audit \
             verify` checks it now",
        ),
        Ok(Some(c)) if !c.intact => Check::fail(
            NAME,
            format!(
                "broken at entry {}: {}",
                c.broken_seq.unwrap_or_default(),
                c.reason.unwrap_or_default()
            ),
            fix,
        ),
        Ok(Some(c)) if SystemClock.now() - c.checked_at > chrono::Duration::days(2) => Check::warn(
            NAME,
            format!(
                "intact up to entry {}, last checked {}",
                c.checked_seq,
                wib(c.checked_at)
            ),
            "no worker has checked it for two days: is `sigap serve` (or `sigap worker`) \
                 running?",
        ),
        Ok(Some(c)) => Check::ok(
            NAME,
            format!(
                "intact up to entry {}, checked {}",
                c.checked_seq,
                wib(c.checked_at)
            ),
        ),
    }
}

fn wib(at: DateTime<Utc>) -> String {
    sigap_core::calendar::format_wib(at)
}

/// Each system's blocking adapter, checked without changing anything.
async fn adapters(app: &App) -> Vec<Check> {
    let fix = "correct the profile in SIGAP_BLOCKING_FILE (server address, credentials, zone, \
               test command) or the system's blocking setting";
    match sigap_app::workflow::blocking::check_adapters(app).await {
        Err(e) => vec![Check::fail("blocking", e.describe(), fix)],
        Ok(found) if found.is_empty() => vec![Check::ok(
            "blocking",
            "no system has an adapter: every block is done by hand",
        )],
        Ok(found) => found
            .into_iter()
            .map(|c| {
                let name = format!("blocking: {}", c.system);
                match c.problem {
                    None => Check::ok(name, format!("{} answers", c.method)),
                    Some(p) => Check::fail(name, format!("{}: {p}", c.method), fix),
                }
            })
            .collect(),
    }
}

/// The official documents: a logo on the letterhead and signers for every kind.
fn documents(policy: &Policy) -> Check {
    const NAME: &str = "documents";
    let config = &policy.documents;
    let drafts: Vec<&str> = config.draft_kinds().iter().map(|k| k.as_str()).collect();
    if !drafts.is_empty() {
        return Check::warn(
            NAME,
            format!(
                "no signers for {}: issued as drafts (\"DRAF — penandatangan belum diatur\")",
                drafts.join(", ")
            ),
            "set their signers in SIGAP_DOCUMENTS_FILE or on /admin/settings",
        );
    }
    if config.letterhead.logo_png.is_none() {
        return Check::warn(
            NAME,
            "the letterhead has no logo",
            "set `logo` under [letterhead] in SIGAP_DOCUMENTS_FILE, or upload it on \
             /admin/settings",
        );
    }
    Check::ok(NAME, "letterhead with its logo, signers for every kind")
}

/// Public holidays for this year and the next: without them a deadline counts a holiday as
/// a working day.
fn holidays(policy: &Policy, now: DateTime<Utc>) -> Check {
    const NAME: &str = "holidays";
    let year = now.with_timezone(&sigap_core::calendar::wib()).year();
    let count = |y: i32| policy.calendar.holidays().filter(|d| d.year() == y).count();
    let (this, next) = (count(year), count(year + 1));
    let detail = format!("{this} for {year}, {next} for {}", year + 1);
    let missing: Vec<String> = [(year, this), (year + 1, next)]
        .iter()
        .filter(|(_, n)| *n == 0)
        .map(|(y, _)| y.to_string())
        .collect();
    if missing.is_empty() {
        return Check::ok(NAME, detail);
    }
    Check::warn(
        NAME,
        format!(
            "{detail}: deadlines in {} count public holidays as working days",
            missing.join(" and ")
        ),
        format!(
            "add the holidays and collective leave of {} (the joint decree of the three \
             ministers) in SIGAP_HOLIDAYS or on /admin/settings",
            missing.join(" and ")
        ),
    )
}

/// security.txt must not expire (RFC 9116): it is renewed by reviewing the CSIRT profile.
async fn security_txt(app: &App, now: DateTime<Utc>) -> Check {
    const NAME: &str = "security.txt";
    let fix = "review the CSIRT's profile on /admin/settings and save it: security.txt runs for \
               another year";
    let expires = match sigap_app::admin::rules::security_txt_expires(app).await {
        Ok(at) => at,
        Err(e) => return Check::fail(NAME, e.describe(), fix),
    };
    let detail = format!("expires {}", wib(expires));
    if expires <= now {
        Check::fail(NAME, format!("expired {}", wib(expires)), fix)
    } else if expires - now < chrono::Duration::days(sigap_core::profile::SECURITY_TXT_WARN_DAYS) {
        Check::warn(NAME, detail, fix)
    } else {
        Check::ok(NAME, detail)
    }
}
