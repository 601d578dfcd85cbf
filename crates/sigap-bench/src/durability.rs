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
    admin(
        &args.bin,
        &data,
        &[
            "user", "add", "--email", EMAIL, "--name", "Bench", "--role", "auditor",
        ],
    )?;
    let token = admin(&args.bin, &data, &["token", "create", "--email", EMAIL])?;
    let token = token
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or_default()
        .to_owned();
    anyhow::ensure!(!token.is_empty(), "`sigap token create` printed no token");

    // Load, and kill -9 in the middle of it.
    let port = free_port()?;
    let log1 = dir.path().join("server-1.log");
    let mut server = Server::spawn(&args.bin, &data, port, &log1)?;
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

    // Restart on the same directory and check.
    let log2 = dir.path().join("server-2.log");
    let mut server = Server::spawn(&args.bin, &data, free_port()?, &log2)?;
    let restart = server
        .wait_healthy(Duration::from_secs(60))
        .await
        .map_err(|e| e.context(format!("server log after the kill:\n{}", tail(&log2, 20))))?;
    let mut groups: BTreeMap<(String, String), Vec<u64>> = BTreeMap::new();
    for n in &run.acked {
        let (prefix, year, seq) =
            split_number(n).ok_or_else(|| anyhow::anyhow!("`{n}` is not a ticket number"))?;
        groups.entry((prefix, year)).or_default().push(seq);
    }
    let mut missing_acked = Vec::new();
    let mut gaps = Vec::new();
    let mut present_total = 0u64;
    let mut highest = String::new();
    for ((prefix, year), seqs) in &groups {
        let max_seq = seqs.iter().copied().max().unwrap_or(0);
        let acked: HashSet<u64> = seqs.iter().copied().collect();
        highest = format_number(prefix, year, max_seq);
        let seen = present(&server.base_url, &token, prefix, year, max_seq).await?;
        present_total += seen.iter().skip(1).filter(|&&b| b).count() as u64;
        for &s in seqs {
            if !seen
                .get(usize::try_from(s).unwrap_or(usize::MAX))
                .copied()
                .unwrap_or(false)
            {
                missing_acked.push(format_number(prefix, year, s));
            }
        }
        for (s, &there) in seen.iter().enumerate().skip(1) {
            if !there && !acked.contains(&(s as u64)) {
                gaps.push(format_number(prefix, year, s as u64));
            }
        }
    }
    server.terminate()?;
    let audit = admin(&args.bin, &data, &["audit", "verify"]);
    let audit_ok = audit.is_ok();
    let audit_text = match &audit {
        Ok(out) => out.trim().to_owned(),
        Err(e) => format!("{e:#}"),
    };

    let pass = !run.acked.is_empty() && missing_acked.is_empty() && gaps.is_empty() && audit_ok;
    println!(
        "durability: {} acknowledged, {} present up to {}, {} acknowledged missing, {} gaps; restart {:.0} ms; audit: {}",
        run.acked.len(),
        present_total,
        if highest.is_empty() { "-" } else { &highest },
        missing_acked.len(),
        gaps.len(),
        restart.as_secs_f64() * 1000.0,
        audit_text
    );
    if !missing_acked.is_empty() {
        println!(
            "  missing acknowledged: {}",
            missing_acked
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !gaps.is_empty() {
        println!(
            "  gaps: {}",
            gaps.iter().take(20).cloned().collect::<Vec<_>>().join(", ")
        );
    }
    if run.acked.is_empty() {
        println!("  no report was acknowledged before the kill: nothing was tested");
    }
    println!("durability: {}", if pass { "PASS" } else { "FAIL" });
    let figures = json!({
        "bench": "durability",
        "pass": pass,
        "load_seconds": args.seconds,
        "clients": args.clients,
        "acked": run.acked.len(),
        "present": present_total,
        "highest_acked": highest,
        "missing_acked": missing_acked.len(),
        "gaps": gaps.len(),
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
