//! `seed`: fills a database with realistic tickets fast, in-process through the use cases
//! (the same `submit_report` and `perform_action` the server calls), with SQLite's
//! `synchronous = NORMAL` (PostgreSQL: `synchronous_commit = off`) while seeding. Registers
//! the agencies and systems of [`payload::AGENCIES`] so that about 70% of the tickets are
//! routed to an agency, and moves a share of them through the workflow (validated, rejected,
//! assessed, agency notified) so that state filters have something to find.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};
use sigap_app::admin::registry;
use sigap_app::intake::{Intake, submit_report};
use sigap_app::workflow::actions;
use sigap_app::{App, AppError, Caller, Policy, Rules};
use sigap_core::{Channel, Clock, Role};
use sigap_store::{BlobStore, Store, StoreOptions};

use crate::payload::{self, AGENCIES};
use crate::stats::round3;

/// Arguments of `sigap-bench seed`.
#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    /// `sqlite://PATH` or `postgres://USER@HOST/DB`; default: `sqlite://DATA_DIR/sigap.db`,
    /// where `sigap serve` with the same `SIGAP_DATA_DIR` finds it.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Tickets to add.
    #[arg(long, default_value_t = 100_000)]
    pub count: u64,
    /// The data directory (SQLite file and evidence).
    #[arg(long, default_value = "./sigap-data")]
    pub data_dir: PathBuf,
    /// Concurrent seeding tasks.
    #[arg(long, default_value_t = 4)]
    pub tasks: usize,
    /// Share of routed tickets that are validated (then some assessed and notified).
    #[arg(long, default_value_t = 0.2)]
    pub validate_share: f64,
    /// Share of all tickets rejected as invalid.
    #[arg(long, default_value_t = 0.03)]
    pub reject_share: f64,
    /// Stop after this many seconds even if fewer tickets were added.
    #[arg(long, default_value_t = 3600)]
    pub max_seconds: u64,
    /// The ticket number prefix (the server's `SIGAP_TICKET_PREFIX`).
    #[arg(long, default_value = "BCSIRT")]
    pub ticket_prefix: String,
    /// Seed of the report generator.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// PostgreSQL: then fill the table to this many tickets with copies of the seeded ones,
    /// in SQL (`multiply.rs`): for the reads at national scale.
    #[arg(long)]
    pub multiply_to: Option<u64>,
    /// Spread the tickets over the last this many days (each opened at a random moment of
    /// them, its steps taken hours apart after it), as years of a CSIRT's work are; 0 opens
    /// every ticket now.
    #[arg(long, default_value_t = 0)]
    pub spread_days: u32,
}

/// The real clock: seeded tickets are opened now, as the server would open them.
#[derive(Debug)]
pub(crate) struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A registry request (`registry::AgencyRequest`, …) from a JSON object.
fn request<T: serde::de::DeserializeOwned>(body: &Value) -> anyhow::Result<T> {
    sigap_core::form::request(body).map_err(|e| explain(AppError::Invalid(e)))
}

fn explain(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{}", e.describe())
}

pub const CSIRT_EMAIL: &str = "bench-csirt@example.go.id";

/// Registers the agencies and systems that are missing, and the CSIRT user who acts.
async fn registries(app: &App) -> anyhow::Result<Caller> {
    let admin = Caller::system();
    let domains: Vec<String> = app
        .store
        .list_domains(None)
        .await?
        .into_iter()
        .map(|d| d.domain)
        .collect();
    for a in AGENCIES {
        if app.store.find_agency(a.code).await?.is_none() {
            let body = json!({"code": a.code, "name": a.name, "email": a.email});
            registry::add_agency(app, &admin, &request(&body)?)
                .await
                .map_err(explain)?;
        }
        for (name, domain) in a.systems {
            if !domains.iter().any(|d| d == domain) {
                let body = json!({"agency": a.code, "name": name, "domains": [domain]});
                registry::add_system(app, &admin, &request(&body)?)
                    .await
                    .map_err(explain)?;
            }
        }
    }
    let user = match app.store.find_user(CSIRT_EMAIL).await? {
        Some(u) => u,
        None => {
            let body = json!({"email": CSIRT_EMAIL, "name": "Bench CSIRT", "role": "csirt", "password": "bench-password-not-a-secret"});
            registry::add_user(app, &admin, &request(&body)?)
                .await
                .map_err(explain)?;
            app.store
                .find_user(CSIRT_EMAIL)
                .await?
                .context("the CSIRT user was not stored")?
        }
    };
    Ok(Caller {
        user_id: user.id,
        email: user.email,
        name: user.name,
        role: Role::Csirt,
        agency_id: None,
        agency_code: None,
    })
}

/// What the seeding tasks did.
#[derive(Debug, Default)]
struct Counts {
    tickets: u64,
    actions: u64,
}

/// When a seeded ticket is opened and its steps taken: now, or spread over the past.
struct Timeline {
    at: Option<DateTime<Utc>>,
}

impl Timeline {
    fn new(args: &SeedArgs, rng: &mut StdRng) -> Timeline {
        if args.spread_days == 0 {
            return Timeline { at: None };
        }
        let back = rng.random_range(0..i64::from(args.spread_days) * 86_400);
        Timeline {
            at: Some(SystemClock.now() - chrono::Duration::seconds(back)),
        }
    }

    /// The app at the current moment of the timeline.
    fn app(&self, app: &App) -> App {
        match self.at {
            Some(at) => app.with_clock(Arc::new(sigap_core::FixedClock(at))),
            None => app.clone(),
        }
    }

    /// A step taken 1 to 30 hours after the previous one (never after now).
    fn later(&mut self, rng: &mut StdRng) {
        if let Some(at) = self.at {
            let next = at + chrono::Duration::minutes(rng.random_range(60..1800));
            self.at = Some(next.min(SystemClock.now()));
        }
    }
}

/// Moves a routed ticket some steps along: validate, then maybe assess, then maybe notify.
async fn walk(
    app: &App,
    csirt: &Caller,
    number: &str,
    rng: &mut StdRng,
    time: &mut Timeline,
) -> anyhow::Result<u64> {
    let act = |app: App, action: &'static str, body: Value| async move {
        actions::perform_action(&app, csirt, number, action, &body, &[], None)
            .await
            .map_err(explain)
            .with_context(|| format!("{action} {number}"))
    };
    time.later(rng);
    let app_now = time.app(app);
    act(app_now, "validate", json!({"valid": true, "method": "ticket", "findings": "Dapat direproduksi sesuai PoC pelapor."})).await?;
    if !rng.random_bool(0.5) {
        return Ok(1);
    }
    let criticality = if rng.random_bool(0.4) { "high" } else { "low" };
    time.later(rng);
    act(time.app(app), "assess", json!({"criticality": criticality, "rationale": "Dinilai dari dampak terhadap data warga dan ketersediaan layanan."})).await?;
    if criticality == "high" || !rng.random_bool(0.5) {
        return Ok(2);
    }
    time.later(rng);
    act(time.app(app), "notify_agency", json!({"recommendation": "none", "summary": "Mohon segera ditindaklanjuti sesuai rekomendasi."})).await?;
    Ok(3)
}

async fn seed_task(
    app: App,
    csirt: Arc<Caller>,
    args: Arc<SeedArgs>,
    next: Arc<AtomicU64>,
    deadline: Instant,
    task: usize,
    bar: indicatif::ProgressBar,
) -> anyhow::Result<Counts> {
    let mut rng = StdRng::seed_from_u64(args.seed.wrapping_mul(7919).wrapping_add(task as u64));
    let mut counts = Counts::default();
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= args.count || Instant::now() >= deadline {
            return Ok(counts);
        }
        let report = payload::report(&mut rng, i);
        let intake = Intake {
            staff: None,
            channel: Channel::Web,
            source: None,
        };
        let mut time = Timeline::new(&args, &mut rng);
        let submitted = submit_report(&time.app(&app), &request(&report.body)?, &[], intake)
            .await
            .map_err(explain)
            .with_context(|| format!("report {i}"))?;
        counts.tickets += 1;
        let roll: f64 = rng.random();
        if roll < args.reject_share {
            let body = json!({"valid": false, "method": "ticket", "findings": "Tidak dapat direproduksi; di luar cakupan.", "reason_for_reporter": "Temuan tidak dapat kami reproduksi."});
            time.later(&mut rng);
            actions::perform_action(
                &time.app(&app),
                &csirt,
                &submitted.ticket_number,
                "validate",
                &body,
                &[],
                None,
            )
            .await
            .map_err(explain)
            .with_context(|| format!("reject {}", submitted.ticket_number))?;
            counts.actions += 1;
        } else if report.routed && roll < args.reject_share + args.validate_share {
            counts.actions +=
                walk(&app, &csirt, &submitted.ticket_number, &mut rng, &mut time).await?;
        }
        bar.inc(1);
    }
}

/// The app over the database at `url` (written without waiting for each commit to reach
/// the disk: a seed is rebuilt, not recovered), with the seed's ticket prefix.
async fn open_app(url: &str, args: &SeedArgs) -> anyhow::Result<App> {
    let options = StoreOptions {
        sqlite_synchronous_full: false,
        ..StoreOptions::default()
    };
    let store = Store::open(&without_waiting_for_disk(url), &options)
        .await
        .with_context(|| format!("cannot open {url}"))?;
    let blobs = BlobStore::new(args.data_dir.join("evidence"))
        .with_context(|| format!("cannot use {}", args.data_dir.display()))?;
    let rules = Rules {
        ticket_prefix: args.ticket_prefix.clone(),
        secret_key: server_key(&args.data_dir)?,
        ..Rules::default()
    };
    Ok(App::new(
        store,
        blobs,
        rules,
        Policy::default(),
        Arc::new(SystemClock),
    ))
}

/// On PostgreSQL, the seed's connections commit without waiting for the WAL to reach the
/// disk (`synchronous_commit = off` for them alone), as SQLite's `synchronous = NORMAL`
/// does here: a crash loses the last moment of a seed, never its consistency.
fn without_waiting_for_disk(url: &str) -> String {
    if !url.starts_with("postgres") {
        return url.to_owned();
    }
    let glue = if url.contains('?') { '&' } else { '?' };
    format!("{url}{glue}options=-c%20synchronous_commit%3Doff")
}

/// The key `sigap serve` will use on this data: `SIGAP_SECRET_KEY`, else the data
/// directory's `secret.key`, written (owner-readable only) when missing. The audit log is
/// sealed under it, so the server refuses a database seeded under another key.
pub(crate) fn server_key(
    data_dir: &std::path::Path,
) -> anyhow::Result<sigap_app::identity::totp::SecretKey> {
    use sigap_app::identity::totp::SecretKey;
    if let Ok(text) = std::env::var("SIGAP_SECRET_KEY") {
        return SecretKey::from_hex(&text).map_err(|e| anyhow::anyhow!("SIGAP_SECRET_KEY: {e}"));
    }
    SecretKey::from_key_file(&data_dir.join("secret.key")).map_err(anyhow::Error::msg)
}

pub async fn main(args: SeedArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.count <= 10_000_000, "--count is at most 10,000,000");
    anyhow::ensure!(
        args.multiply_to.is_none_or(|n| n <= 10_000_000),
        "--multiply-to is at most 10,000,000"
    );
    anyhow::ensure!((1..=64).contains(&args.tasks), "--tasks is 1 to 64");
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", args.data_dir.join("sigap.db").display()));
    let app = open_app(&url, &args).await?;
    let csirt = Arc::new(registries(&app).await?);

    let args = Arc::new(args);
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.max_seconds);
    eprintln!(
        "seeding {} tickets with {} tasks into {}",
        args.count, args.tasks, url
    );
    let bar = crate::progress::bar(args.count, "tickets");
    let mut handles = Vec::new();
    for task in 0..args.tasks {
        let fut = seed_task(
            app.clone(),
            csirt.clone(),
            args.clone(),
            next.clone(),
            deadline,
            task,
            bar.clone(),
        );
        handles.push(tokio::spawn(fut));
    }
    let mut total = Counts::default();
    let mut failure = None;
    for h in handles {
        match h.await.context("a seeding task panicked")? {
            Ok(c) => {
                total.tickets += c.tickets;
                total.actions += c.actions;
            }
            Err(e) => {
                // Stop the others at once: they take the next index and see it is past the end.
                next.store(u64::MAX / 2, Ordering::Relaxed);
                failure.get_or_insert(e);
            }
        }
    }
    let elapsed = started.elapsed();
    app.store.close().await;
    if let Some(e) = failure {
        return Err(e.context(format!("seeding stopped after {} tickets", total.tickets)));
    }
    let rate = total.tickets as f64 / elapsed.as_secs_f64().max(1e-9);
    println!(
        "seed: {} tickets and {} workflow actions in {:.1} s: {:.0} tickets/s ({} tasks)",
        total.tickets,
        total.actions,
        elapsed.as_secs_f64(),
        rate,
        args.tasks
    );
    let figures = json!({
        "bench": "seed",
        "backend": if url.starts_with("postgres") { "postgres" } else { "sqlite" },
        "tickets": total.tickets,
        "actions": total.actions,
        "seconds": round3(elapsed.as_secs_f64()),
        "tickets_per_s": round3(rate),
        "tasks": args.tasks,
    });
    println!("{figures}");
    if let Some(target) = args.multiply_to {
        multiply_to(&url, target).await?;
    }
    Ok(())
}

/// Fills the table to `target` tickets with copies ([`crate::multiply`]), and says so.
async fn multiply_to(url: &str, target: u64) -> anyhow::Result<()> {
    let (copies, seconds) = crate::multiply::multiply(url, target).await?;
    println!("multiply: {copies} copies in {seconds:.1} s, {target} tickets in all");
    let figures = json!({
        "bench": "multiply",
        "copies": copies,
        "seconds": round3(seconds),
        "tickets": target,
    });
    println!("{figures}");
    Ok(())
}
