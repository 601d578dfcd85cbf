//! `durability`: runs intake against a fresh server, kills it with SIGKILL in the middle of
//! the load, restarts it on the same data directory, and checks that every acknowledged
//! ticket (a `201` received) is there and that the numbers have no gap up to the highest
//! acknowledged one. Then verifies the audit chain. Exit status 1 on any failure.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use serde_json::json;

use crate::intake::{http_client, run_intake};
use crate::procs::{ScratchDir, Server, admin, free_port, tail};
use crate::read::{format_number, split_number};

/// Arguments of `sigap-bench durability`.
#[derive(Debug, clap::Args)]
pub struct DurabilityArgs {
    /// The `sigap` binary.
    #[arg(long)]
    pub bin: PathBuf,
    /// Seconds of load before the kill.
    #[arg(long, default_value_t = 5.0)]
    pub seconds: f64,
    /// Concurrent clients during the load.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// Keep the scratch data directory (and the server logs).
    #[arg(long)]
    pub keep: bool,
}

const EMAIL: &str = "bench@example.go.id";

/// Presence of the numbers `1..=max` of one prefix and year, asked one by one.
async fn present(
    base: &str,
    token: &str,
    prefix: &str,
    year: &str,
    max_seq: u64,
) -> anyhow::Result<Vec<bool>> {
    let client = http_client(8, Duration::from_secs(10))?;
    let next = Arc::new(AtomicU64::new(1));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (client, next) = (client.clone(), next.clone());
        let (base, token, prefix, year) = (
            base.to_owned(),
            token.to_owned(),
            prefix.to_owned(),
            year.to_owned(),
        );
        tasks.push(tokio::spawn(async move {
            let mut found = Vec::new();
            loop {
                let seq = next.fetch_add(1, Ordering::Relaxed);
                if seq > max_seq {
                    return Ok::<_, anyhow::Error>(found);
                }
                let url = format!(
                    "{base}/api/v1/tickets/{}",
                    format_number(&prefix, &year, seq)
                );
                let resp = client
                    .get(&url)
                    .bearer_auth(&token)
                    .send()
                    .await
                    .with_context(|| format!("GET {url}"))?;
                match resp.status().as_u16() {
                    200 => found.push((seq, true)),
                    404 => found.push((seq, false)),
                    other => anyhow::bail!("GET {url} answered {other}"),
                }
            }
        }));
    }
    let mut seen = vec![false; usize::try_from(max_seq).unwrap_or(0) + 1];
    for t in tasks {
        for (seq, there) in t.await.context("a checking task failed")?? {
            if let Some(slot) = seen.get_mut(usize::try_from(seq).unwrap_or(usize::MAX)) {
                *slot = there;
            }
        }
    }
    Ok(seen)
}

pub async fn main(args: DurabilityArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.seconds > 0.0 && args.seconds <= 600.0,
        "--seconds is more than 0 and at most 600"
    );
    anyhow::ensure!((1..=1024).contains(&args.clients), "--clients is 1 to 1024");
    anyhow::ensure!(args.bin.is_file(), "{} is not a file", args.bin.display());
    let dir = ScratchDir::new("durability", args.keep)?;
    let data = dir.path().join("data");
    let token = auditor_token(&args.bin, &data)?;
    let run = load_and_kill(&args, &dir, &data).await?;
    let lost_requests: u64 = run.errors.values().sum();

    // Restart on the same directory and check.
    let log2 = dir.path().join("server-2.log");
    let mut server = Server::spawn(&args.bin, &data, free_port()?, &log2)?;
    let restart = server
        .wait_healthy(Duration::from_secs(60))
        .await
        .map_err(|e| e.context(format!("server log after the kill:\n{}", tail(&log2, 20))))?;
    let found = Found::check(&server.base_url, &token, &run.acked).await?;
    server.terminate()?;
    let audit = admin(&args.bin, &data, &["audit", "verify"]);
    let audit_ok = audit.is_ok();
    let audit_text = match &audit {
        Ok(out) => out.trim().to_owned(),
        Err(e) => format!("{e:#}"),
    };
    let pass = !run.acked.is_empty()
        && found.missing_acked.is_empty()
        && found.gaps.is_empty()
        && audit_ok;
    found.print(run.acked.len(), restart, &audit_text);
    println!("durability: {}", if pass { "PASS" } else { "FAIL" });
    let figures = json!({
        "bench": "durability",
        "pass": pass,
        "load_seconds": args.seconds,
        "clients": args.clients,
        "acked": run.acked.len(),
        "present": found.present_total,
        "highest_acked": found.highest,
        "missing_acked": found.missing_acked.len(),
        "gaps": found.gaps.len(),
        "failed_requests": lost_requests,
        "restart_ms": (restart.as_secs_f64() * 1000.0).round(),
        "audit_intact": audit_ok,
    });
    println!("{figures}");
    Ok(if pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// An auditor and their API token, made with the binary's own commands.
fn auditor_token(bin: &std::path::Path, data: &std::path::Path) -> anyhow::Result<String> {
    admin(
        bin,
        data,
        &[
            "user", "add", "--email", EMAIL, "--name", "Bench", "--role", "auditor",
        ],
    )?;
    let token = admin(bin, data, &["token", "create", "--email", EMAIL])?;
    let token = token
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or_default()
        .to_owned();
    anyhow::ensure!(!token.is_empty(), "`sigap token create` printed no token");
    Ok(token)
}

/// Public reports under load, and `kill -9` of the server in the middle of it: what the
/// clients saw acknowledged.
async fn load_and_kill(
    args: &DurabilityArgs,
    dir: &ScratchDir,
    data: &std::path::Path,
) -> anyhow::Result<crate::intake::IntakeRun> {
    let port = free_port()?;
    let log1 = dir.path().join("server-1.log");
    let mut server = Server::spawn(&args.bin, data, port, &log1)?;
    server
        .wait_healthy(Duration::from_secs(30))
        .await
        .map_err(|e| e.context(format!("server log:\n{}", tail(&log1, 20))))?;
    let base = server.base_url.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let load_for = Duration::from_secs_f64(args.seconds + 1.0);
    let load = tokio::spawn({
        let (base, stop) = (base.clone(), stop.clone());
        let clients = args.clients;
        async move { run_intake(&base, clients, load_for, 99, stop).await }
    });
    tokio::time::sleep(Duration::from_secs_f64(args.seconds)).await;
    server.kill9()?;
    eprintln!(
        "  server killed with SIGKILL after {:.1} s of load",
        args.seconds
    );
    let run = load.await.context("the load task failed")??;
    let lost_requests: u64 = run.errors.values().sum();
    eprintln!(
        "  {} reports acknowledged before the kill; {} requests failed",
        run.acked.len(),
        lost_requests
    );
    Ok(run)
}

/// What the restarted server holds of the numbers given out before the kill.
struct Found {
    missing_acked: Vec<String>,
    gaps: Vec<String>,
    present_total: u64,
    highest: String,
}

impl Found {
    /// Reads every number up to the highest acknowledged one of each year: an acknowledged
    /// number not there is lost, an unacknowledged one missing between two is a gap.
    async fn check(base: &str, token: &str, acked: &[String]) -> anyhow::Result<Found> {
        let mut groups: BTreeMap<(String, String), Vec<u64>> = BTreeMap::new();
        for n in acked {
            let (prefix, year, seq) =
                split_number(n).ok_or_else(|| anyhow::anyhow!("`{n}` is not a ticket number"))?;
            groups.entry((prefix, year)).or_default().push(seq);
        }
        let mut found = Found {
            missing_acked: Vec::new(),
            gaps: Vec::new(),
            present_total: 0,
            highest: String::new(),
        };
        for ((prefix, year), seqs) in &groups {
            let max_seq = seqs.iter().copied().max().unwrap_or(0);
            let acked: HashSet<u64> = seqs.iter().copied().collect();
            found.highest = format_number(prefix, year, max_seq);
            let seen = present(base, token, prefix, year, max_seq).await?;
            found.present_total += seen.iter().skip(1).filter(|&&b| b).count() as u64;
            for &s in seqs {
                if !seen
                    .get(usize::try_from(s).unwrap_or(usize::MAX))
                    .copied()
                    .unwrap_or(false)
                {
                    found.missing_acked.push(format_number(prefix, year, s));
                }
            }
            for (s, &there) in seen.iter().enumerate().skip(1) {
                if !there && !acked.contains(&(s as u64)) {
                    found.gaps.push(format_number(prefix, year, s as u64));
                }
            }
        }
        Ok(found)
    }

    fn print(&self, acked: usize, restart: Duration, audit: &str) {
        println!(
            "durability: {} acknowledged, {} present up to {}, {} acknowledged missing, {} gaps; restart {:.0} ms; audit: {}",
            acked,
            self.present_total,
            if self.highest.is_empty() {
                "-"
            } else {
                &self.highest
            },
            self.missing_acked.len(),
            self.gaps.len(),
            restart.as_secs_f64() * 1000.0,
            audit
        );
        let first = |list: &[String]| list.iter().take(20).cloned().collect::<Vec<_>>().join(", ");
        if !self.missing_acked.is_empty() {
            println!("  missing acknowledged: {}", first(&self.missing_acked));
        }
        if !self.gaps.is_empty() {
            println!("  gaps: {}", first(&self.gaps));
        }
        if acked == 0 {
            println!("  no report was acknowledged before the kill: nothing was tested");
        }
    }
}
