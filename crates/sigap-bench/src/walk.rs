//! `walk`: the SOP walked through the HTTP API of a running sigap (one instance, or nginx in
//! front of several), each ticket from the public report with its evidence to `closed` along
//! the high path (validated, assessed high, blocked, the agency notified, remediation and
//! follow-up, review, the Regional Secretary's approval, unblocked, closed), as the staff
//! take it: the latency of every request by kind, and the time of a whole walk.
//!
//! The walk's agencies, systems, staff and their API tokens are registered first, in-process
//! in the server's database (the test kit's seed), under the server's key.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};
use sigap_app::{App, Policy, Rules};
use sigap_store::{BlobStore, Store, StoreOptions};
use sigap_testkit::remote::{PNG_1X1, Remote};
use sigap_testkit::{bodies, seed};

use crate::intake::check_loopback;
use crate::stats::{Latencies, round3};

/// Arguments of `sigap-bench walk`.
#[derive(Debug, clap::Args)]
pub struct WalkArgs {
    /// Base URL of the server or of the load balancer in front of several (loopback only).
    #[arg(long)]
    pub url: String,
    /// The server's database. The walk's agencies, systems, staff and tokens are registered
    /// in it first, so it must not hold them yet: a new database.
    #[arg(long)]
    pub database_url: String,
    /// The server's data directory, for its key file when `SIGAP_SECRET_KEY` is not set.
    #[arg(long, default_value = "./sigap-data")]
    pub data_dir: PathBuf,
    /// Tickets walked from report to closed.
    #[arg(long, default_value_t = 20)]
    pub tickets: usize,
    /// Walks going on at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
}

/// The latencies of one walker, by kind of request, and its whole walks.
#[derive(Default)]
struct Timings {
    by_kind: BTreeMap<String, Latencies>,
    walks: Latencies,
}

impl Timings {
    fn record(&mut self, kind: &str, took: Duration) {
        self.by_kind
            .entry(kind.to_owned())
            .or_default()
            .record(took);
    }
}

/// Registers the walk's agencies, systems, staff and tokens; answers the tokens by role.
async fn registries(args: &WalkArgs) -> anyhow::Result<Remote> {
    let store = Store::open(&args.database_url, &StoreOptions::default())
        .await
        .with_context(|| format!("cannot open {}", args.database_url))?;
    let known = store.find_agency(seed::AGENCY_A).await?;
    anyhow::ensure!(
        known.is_none(),
        "the database holds the walk's agencies already: walk on a new database"
    );
    let blobs = BlobStore::new(args.data_dir.join("evidence"))
        .with_context(|| format!("cannot use {}", args.data_dir.display()))?;
    let rules = Rules {
        secret_key: crate::seed::server_key(&args.data_dir)?,
        ..Rules::default()
    };
    let clock = Arc::new(crate::seed::SystemClock);
    let app = App::new(store, blobs, rules, Policy::default(), clock);
    let seeded = seed::seed(&app).await;
    app.store.close().await;
    Ok(Remote::new(&args.url, seeded.tokens))
}

/// Sends one request and reads its JSON answer; an answer that is not a success is an error.
async fn timed(
    timings: &mut Timings,
    kind: &str,
    request: reqwest::RequestBuilder,
) -> anyhow::Result<Value> {
    let started = Instant::now();
    let response = request.send().await.with_context(|| kind.to_owned())?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    timings.record(kind, started.elapsed());
    anyhow::ensure!(status.is_success(), "{kind}: {status} {body}");
    Ok(body)
}

/// One ticket from its report to `closed`.
async fn walk_one(remote: &Remote, timings: &mut Timings, i: usize) -> anyhow::Result<()> {
    let started = Instant::now();
    let target = format!("https://ppdb.{}/cari?nisn={i}", seed::DOMAIN_A);
    let reported = Instant::now();
    let number = remote
        .report(&target, ("layar.png", PNG_1X1))
        .await
        .map_err(|e| anyhow::anyhow!("report: {e}"))?;
    timings.record("report", reported.elapsed());
    // Bounded: the high path has a dozen steps.
    for _ in 0..40 {
        let url = format!("{}/api/v1/tickets/{number}", remote.base);
        let read = remote.client.get(url).bearer_auth(&remote.tokens["csirt"]);
        let ticket = timed(timings, "get_ticket", read).await?;
        if ticket["state"] == "closed" {
            timings.walks.record(started.elapsed());
            return Ok(());
        }
        let (role, action, body) = bodies::next_step(&ticket)
            .with_context(|| format!("{number} stopped at {}", ticket["state"]))?;
        let url = format!("{}/api/v1/tickets/{number}/actions/{action}", remote.base);
        let post = remote
            .client
            .post(url)
            .bearer_auth(&remote.tokens[role])
            .json(&body);
        timed(timings, action, post)
            .await
            .with_context(|| number.clone())?;
    }
    anyhow::bail!("{number} did not reach `closed` in 40 steps")
}

pub async fn main(args: WalkArgs) -> anyhow::Result<()> {
    check_loopback(&args.url)?;
    anyhow::ensure!(
        (1..=10_000).contains(&args.tickets),
        "--tickets is 1 to 10,000"
    );
    anyhow::ensure!(
        (1..=64).contains(&args.concurrency),
        "--concurrency is 1 to 64"
    );
    let remote = Arc::new(registries(&args).await?);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut walkers = Vec::new();
    for _ in 0..args.concurrency {
        let (remote, next, count) = (remote.clone(), next.clone(), args.tickets);
        walkers.push(tokio::spawn(async move {
            let mut timings = Timings::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return Ok::<_, anyhow::Error>(timings);
                }
                walk_one(&remote, &mut timings, i).await?;
            }
        }));
    }
    let mut all = Timings::default();
    for walker in walkers {
        let timings = walker.await.context("a walker panicked")??;
        for (kind, latencies) in timings.by_kind {
            all.by_kind.entry(kind).or_default().merge(latencies);
        }
        all.walks.merge(timings.walks);
    }
    let elapsed = started.elapsed().as_secs_f64();
    report(&args, &all, elapsed);
    Ok(())
}

fn report(args: &WalkArgs, all: &Timings, elapsed: f64) {
    println!(
        "walk: {} tickets from report to closed in {elapsed:.1} s, {} at once, through {}",
        args.tickets, args.concurrency, args.url
    );
    let mut kinds = serde_json::Map::new();
    let mut requests = Latencies::default();
    for (kind, latencies) in &all.by_kind {
        let summary = latencies.summary();
        println!("  {kind:<24} {}", summary.line());
        kinds.insert(kind.clone(), summary.json());
        requests.merge(latencies.clone());
    }
    let requests = requests.summary();
    let walks = all.walks.summary();
    println!("  {:<24} {}", "every request", requests.line());
    println!("  {:<24} {}", "whole walk", walks.line());
    let figures = json!({
        "bench": "walk",
        "tickets": args.tickets,
        "concurrency": args.concurrency,
        "seconds": round3(elapsed),
        "requests": requests.json(),
        "walk": walks.json(),
        "kinds": kinds,
    });
    println!("{figures}");
}
