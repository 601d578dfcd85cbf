//! `startup`: the time from spawning `sigap serve` to its first `200` on `/healthz`, on a
//! fresh data directory (migrations included) and again on the same directory (a restart),
//! and the idle resident memory about one second after each start.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use serde_json::json;

use crate::procs::{ScratchDir, Server, free_port, tail};
use crate::stats::{self, max, median, round3};

/// Arguments of `sigap-bench startup`.
#[derive(Debug, clap::Args)]
pub struct StartupArgs {
    /// The `sigap` binary (a release build).
    #[arg(long)]
    pub bin: PathBuf,
    /// How many fresh starts (each followed by a restart on the same directory).
    #[arg(long, default_value_t = 10)]
    pub runs: usize,
    /// Seconds to wait after the first 200 before reading the idle RSS.
    #[arg(long, default_value_t = 1.0)]
    pub settle: f64,
    /// Keep the scratch data directories.
    #[arg(long)]
    pub keep: bool,
}

struct Start {
    ready: Duration,
    rss_kib: u64,
}

async fn start_once(args: &StartupArgs, dir: &ScratchDir, name: &str) -> anyhow::Result<Start> {
    let port = free_port()?;
    let log = dir.path().join(format!("{name}.log"));
    let mut server = Server::spawn(&args.bin, &dir.path().join("data"), port, &log)?;
    let ready = match server.wait_healthy(Duration::from_secs(30)).await {
        Ok(d) => d,
        Err(e) => return Err(e.context(format!("server log:\n{}", tail(&log, 20)))),
    };
    tokio::time::sleep(Duration::from_secs_f64(args.settle)).await;
    let rss_kib = stats::rss_kib(server.pid).context("cannot read the server's memory")?;
    server.terminate()?;
    Ok(Start { ready, rss_kib })
}

pub async fn main(args: StartupArgs) -> anyhow::Result<()> {
    anyhow::ensure!((1..=1000).contains(&args.runs), "--runs is 1 to 1000");
    anyhow::ensure!(
        (0.0..=60.0).contains(&args.settle),
        "--settle is 0 to 60 seconds"
    );
    anyhow::ensure!(args.bin.is_file(), "{} is not a file", args.bin.display());
    let mut fresh_ms = Vec::new();
    let mut restart_ms = Vec::new();
    let mut fresh_rss = Vec::new();
    let mut restart_rss = Vec::new();
    for run in 0..args.runs {
        let dir = ScratchDir::new("startup", args.keep)?;
        let first = start_once(&args, &dir, "fresh").await?;
        let again = start_once(&args, &dir, "restart").await?;
        eprintln!(
            "  run {}: fresh {:.1} ms, {:.1} MiB; restart {:.1} ms, {:.1} MiB",
            run + 1,
            first.ready.as_secs_f64() * 1000.0,
            first.rss_kib as f64 / 1024.0,
            again.ready.as_secs_f64() * 1000.0,
            again.rss_kib as f64 / 1024.0
        );
        fresh_ms.push(first.ready.as_secs_f64() * 1000.0);
        restart_ms.push(again.ready.as_secs_f64() * 1000.0);
        fresh_rss.push(first.rss_kib as f64 / 1024.0);
        restart_rss.push(again.rss_kib as f64 / 1024.0);
    }
    let size_mib = std::fs::metadata(&args.bin)
        .map(|m| m.len() as f64 / 1024.0 / 1024.0)
        .unwrap_or(0.0);
    println!(
        "startup ({} runs): fresh data dir median {:.1} ms, max {:.1} ms; restart median {:.1} ms, max {:.1} ms",
        args.runs,
        median(&fresh_ms),
        max(&fresh_ms),
        median(&restart_ms),
        max(&restart_ms)
    );
    println!(
        "idle RSS: median {:.1} MiB, max {:.1} MiB (restart: median {:.1} MiB, max {:.1} MiB); binary {:.1} MiB",
        median(&fresh_rss),
        max(&fresh_rss),
        median(&restart_rss),
        max(&restart_rss),
        size_mib
    );
    let figures = json!({
        "bench": "startup",
        "runs": args.runs,
        "fresh_ms": {"median": round3(median(&fresh_ms)), "max": round3(max(&fresh_ms))},
        "restart_ms": {"median": round3(median(&restart_ms)), "max": round3(max(&restart_ms))},
        "idle_rss_mib": {"median": round3(median(&fresh_rss)), "max": round3(max(&fresh_rss))},
        "restart_idle_rss_mib": {"median": round3(median(&restart_rss)), "max": round3(max(&restart_rss))},
        "binary_mib": round3(size_mib),
    });
    println!("{figures}");
    Ok(())
}
