//! `drain`: a backlog of mail jobs released at once, and what it costs the HTTP side. Seeds
//! a scratch SQLite database with tickets through the use cases (each report enqueues two
//! mails: the receipt and the new-report notice), then runs `sigap serve` twice on it:
//!
//! 1. without a mail server (the mail stays queued): the latency of `GET /api/v1/tickets/{n}`
//!    under N clients, the baseline;
//! 2. with `SIGAP_SMTP_URL` pointing at an SMTP sink on loopback: the worker in `serve`
//!    drains the backlog while the same load runs, until every message has arrived.
//!
//! It prints the drain rate (messages/s, first to last message at the sink) and both p99s.
//! The sink runs on a thread of its own so that it does not delay the measuring clients.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;
use sigap_notify::sink::{SinkOptions, SmtpSink};

use crate::intake::http_client;
use crate::procs::{ScratchDir, Server, admin, free_port, tail};
use crate::read::{KindRun, Load, discover, run_kind};
use crate::seed::{CSIRT_EMAIL, SeedArgs};
use crate::stats::round3;

/// Arguments of `sigap-bench drain`.
#[derive(Debug, clap::Args)]
pub struct DrainArgs {
    /// The `sigap` binary (a release build).
    #[arg(long)]
    pub bin: PathBuf,
    /// Mail jobs in the backlog (two per seeded report).
    #[arg(long, default_value_t = 10_000)]
    pub jobs: u64,
    /// Concurrent HTTP clients reading tickets.
    #[arg(long, default_value_t = 8)]
    pub clients: usize,
    /// Total reads per second, spread over the clients (0: each client as fast as it is
    /// answered, which saturates a small machine).
    #[arg(long, default_value_t = 0)]
    pub rate: u32,
    /// Seconds of the baseline load.
    #[arg(long, default_value_t = 30.0)]
    pub seconds: f64,
    /// Longest wait for the backlog to drain, in seconds.
    #[arg(long, default_value_t = 600)]
    pub max_drain_seconds: u64,
    /// Keep the scratch directory.
    #[arg(long)]
    pub keep: bool,
}

/// A data directory with `jobs` mail jobs queued (the seed's reports, two mails each), and
/// a CSIRT token to read it with.
async fn backlog(args: &DrainArgs, data: &std::path::Path) -> anyhow::Result<String> {
    crate::seed::main(SeedArgs {
        database_url: None,
        count: args.jobs / 2,
        data_dir: data.to_path_buf(),
        tasks: 4,
        validate_share: 0.0,
        reject_share: 0.0,
        max_seconds: 3600,
        ticket_prefix: "BCSIRT".to_owned(),
        seed: 7,
        spread_days: 0,
        multiply_to: None,
    })
    .await?;
    Ok(admin(
        &args.bin,
        data,
        &["token", "create", "--email", CSIRT_EMAIL],
    )?
    .trim()
    .to_owned())
}

/// The reads without mail going out: the server has no mail server, so the mail stays
/// queued.
async fn baseline_load(
    args: &DrainArgs,
    dir: &ScratchDir,
    data: &std::path::Path,
    token: &str,
) -> anyhow::Result<(KindRun, Duration)> {
    let port = free_port()?;
    let log = dir.path().join("baseline.log");
    let mut server = Server::spawn(&args.bin, data, port, &log)?;
    server
        .wait_healthy(Duration::from_secs(30))
        .await
        .with_context(|| tail(&log, 20))?;
    let run = load(
        &server.base_url,
        token,
        args.clients,
        Duration::from_secs_f64(args.seconds),
        Arc::new(AtomicBool::new(false)),
        args.rate,
    )
    .await?;
    server.terminate()?;
    Ok(run)
}

/// Waits until `want` messages reached the sink or `max` passed: when the first arrived,
/// when the wait ended, and how many had arrived at the last look.
async fn wait_for(
    sink: &SmtpSink,
    want: usize,
    max: Duration,
) -> (Option<Instant>, Instant, usize) {
    let deadline = Instant::now() + max;
    let mut first: Option<Instant> = None;
    let mut last_count = 0;
    while sink.count() < want && Instant::now() < deadline {
        let count = sink.count();
        if first.is_none() && count > 0 {
            first = Some(Instant::now());
        }
        last_count = count;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    (first, Instant::now(), last_count)
}

async fn load(
    base: &str,
    token: &str,
    clients: usize,
    duration: Duration,
    stop: Arc<AtomicBool>,
    rate: u32,
) -> anyhow::Result<(KindRun, Duration)> {
    let client = http_client(clients, Duration::from_secs(10))?;
    let corpus = Arc::new(discover(&client, base, token, &[]).await?);
    let pace = (rate > 0).then(|| Duration::from_secs_f64(clients as f64 / f64::from(rate)));
    run_kind(Load {
        client,
        base: base.to_owned(),
        token: token.to_owned(),
        corpus,
        kind: "get".to_owned(),
        clients,
        duration,
        stop,
        pace,
    })
    .await
}

/// An SMTP sink served by a runtime on a thread of its own, so that receiving mail never
/// delays this tool's HTTP clients (whose latencies are the measurement). It stops when the
/// returned sender is dropped.
fn sink_on_its_own_thread() -> anyhow::Result<(SmtpSink, tokio::sync::oneshot::Sender<()>)> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::Builder::new()
        .name("smtp-sink".to_owned())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    let _ = ready_tx.send(Err(anyhow::anyhow!("sink runtime: {e}")));
                    return;
                }
            };
            runtime.block_on(async move {
                let started = SmtpSink::start_with(SinkOptions {
                    discard_messages: true,
                    ..SinkOptions::default()
                })
                .await
                .map_err(anyhow::Error::from);
                let _ = ready_tx.send(started);
                let _ = stop_rx.await;
            });
        })?;
    let sink = ready_rx.recv().context("the sink thread ended")??;
    Ok((sink, stop_tx))
}

pub async fn main(args: DrainArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.bin.is_file(), "{} is not a file", args.bin.display());
    anyhow::ensure!(
        (2..=1_000_000).contains(&args.jobs) && args.jobs.is_multiple_of(2),
        "--jobs is an even number from 2 to 1,000,000"
    );
    anyhow::ensure!((1..=256).contains(&args.clients), "--clients is 1 to 256");
    let dir = ScratchDir::new("drain", args.keep)?;
    let data = dir.path().join("data");
    let token = backlog(&args, &data).await?;
    let (base_run, base_wall) = baseline_load(&args, &dir, &data, &token).await?;
    let baseline = base_run.latencies.summary();
    println!(
        "baseline (mail queued, not sent): {:.0} req/s  {}",
        baseline.count as f64 / base_wall.as_secs_f64(),
        baseline.line()
    );

    // 2. The same load while the worker drains the backlog into the sink.
    let (sink, _stop_sink) = sink_on_its_own_thread()?;
    let log = dir.path().join("drain.log");
    let smtp = sink.url();
    let env = [("SIGAP_SMTP_URL", smtp.as_str())];
    let mut server = Server::spawn_with(&args.bin, &data, free_port()?, &log, &env)?;
    server
        .wait_healthy(Duration::from_secs(30))
        .await
        .with_context(|| tail(&log, 20))?;
    let stop = Arc::new(AtomicBool::new(false));
    let load_task = {
        let (base, token, stop) = (server.base_url.clone(), token.clone(), stop.clone());
        let (clients, rate) = (args.clients, args.rate);
        let max = Duration::from_secs(args.max_drain_seconds);
        tokio::spawn(async move { load(&base, &token, clients, max, stop, rate).await })
    };
    let want = usize::try_from(args.jobs)?;
    let max = Duration::from_secs(args.max_drain_seconds);
    let (first, drained_at, last_count) = wait_for(&sink, want, max).await;
    stop.store(true, Ordering::Relaxed);
    let (drain_run, drain_wall) = load_task.await.context("the load task failed")??;
    server.terminate()?;
    let received = sink.count();
    anyhow::ensure!(
        received >= want,
        "only {received} of {want} messages arrived in {} s (last seen {last_count}); log:\n{}",
        args.max_drain_seconds,
        tail(&log, 20)
    );
    let drain_seconds = first.map_or(0.0, |f| drained_at.duration_since(f).as_secs_f64());
    let rate = want as f64 / drain_seconds.max(1e-9);
    let during = drain_run.latencies.summary();
    println!(
        "drain: {want} messages in {drain_seconds:.1} s = {rate:.0} messages/s; reads meanwhile {:.0} req/s  {}",
        during.count as f64 / drain_wall.as_secs_f64(),
        during.line()
    );
    let change = (during.p99 / baseline.p99.max(1e-9) - 1.0) * 100.0;
    println!(
        "p99 of GET /api/v1/tickets/{{n}}: {:.2} ms → {:.2} ms ({change:+.0} %)",
        baseline.p99, during.p99
    );
    let line = json!({
        "bench": "drain",
        "jobs": want,
        "clients": args.clients,
        "rate": args.rate,
        "drain_seconds": round3(drain_seconds),
        "messages_per_s": round3(rate),
        "baseline": baseline.json(),
        "during_drain": during.json(),
        "p99_change_percent": round3(change),
        "errors": {"baseline": base_run.errors, "during": drain_run.errors},
    });
    println!("{line}");
    Ok(())
}
