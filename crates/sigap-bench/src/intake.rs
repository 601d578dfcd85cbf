//! `intake`: N concurrent clients POST realistic reports for S seconds; throughput, latency
//! of the acknowledged (201) answers, errors by status, every acknowledged ticket number, and
//! optionally the server's memory and CPU while under load (`--pid`).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

use crate::payload;
use crate::stats::{self, Errors, Latencies, add_error, merge_errors, round3};

/// Arguments of `sigap-bench intake`.
#[derive(Debug, clap::Args)]
pub struct IntakeArgs {
    /// Base URL of the server, e.g. http://127.0.0.1:8080 (loopback only).
    #[arg(long)]
    pub url: String,
    /// Concurrent clients, each with one request in flight.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// How long to send, in seconds.
    #[arg(long, default_value_t = 30.0)]
    pub seconds: f64,
    /// Write every acknowledged ticket number (one per line) to this file.
    #[arg(long)]
    pub acked: Option<PathBuf>,
    /// The server's process id: sample its resident memory and CPU time during the run.
    #[arg(long)]
    pub pid: Option<u32>,
    /// Seed of the report generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// A label for this run in the JSON line (e.g. `sqlite-full-empty`).
    #[arg(long, default_value = "")]
    pub label: String,
}

/// Most requests one client sends in a run, whatever the duration: a bound on every loop.
const MAX_REQUESTS_PER_CLIENT: u64 = 2_000_000;

/// What a run of intake saw.
#[derive(Debug, Default)]
pub struct IntakeRun {
    pub sent: u64,
    pub acked: Vec<String>,
    pub latencies: Latencies,
    pub errors: Errors,
    pub elapsed: Duration,
}

impl IntakeRun {
    pub fn rate(&self) -> f64 {
        self.acked.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// An HTTP client for loopback load: no proxy, no idle limit below the client count.
pub fn http_client(clients: usize, timeout: Duration) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .no_proxy()
        .timeout(timeout)
        .pool_max_idle_per_host(clients.max(1))
        .tcp_nodelay(true)
        .build()?)
}

/// Refuses any target but loopback: this tool must never load another machine.
pub fn check_loopback(url: &str) -> anyhow::Result<()> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| anyhow::anyhow!("the URL must start with http:// (loopback only): {url}"))?;
    let host_port = rest.split('/').next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.rsplit_once(':').map_or(host_port, |(h, _)| h),
    };
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    anyhow::ensure!(
        loopback,
        "only loopback servers may be loaded (127.0.0.0/8, ::1, localhost), not `{host}`"
    );
    Ok(())
}

/// Sends reports from `clients` tasks until `duration` has passed or `stop` is set.
pub async fn run_intake(
    url: &str,
    clients: usize,
    duration: Duration,
    seed: u64,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<IntakeRun> {
    check_loopback(url)?;
    let client = http_client(clients, Duration::from_secs(10))?;
    let endpoint = format!("{}/api/v1/reports", url.trim_end_matches('/'));
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(clients);
    for c in 0..clients {
        let client = client.clone();
        let endpoint = endpoint.clone();
        let stop = stop.clone();
        let seed = seed.wrapping_mul(1_000_003).wrapping_add(c as u64);
        tasks.push(tokio::spawn(async move {
            one_client(client, endpoint, deadline, seed, c, stop).await
        }));
    }
    let mut run = IntakeRun::default();
    for t in tasks {
        let part = t.await.context("a client task failed")?;
        run.sent += part.sent;
        run.acked.extend(part.acked);
        run.latencies.merge(part.latencies);
        merge_errors(&mut run.errors, part.errors);
    }
    run.elapsed = started.elapsed();
    Ok(run)
}

async fn one_client(
    client: reqwest::Client,
    endpoint: String,
    deadline: Instant,
    seed: u64,
    index: usize,
    stop: Arc<AtomicBool>,
) -> IntakeRun {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut run = IntakeRun::default();
    for i in 0..MAX_REQUESTS_PER_CLIENT {
        if Instant::now() >= deadline || stop.load(Ordering::Relaxed) {
            break;
        }
        let report = payload::report(&mut rng, (index as u64) << 32 | i);
        let t0 = Instant::now();
        run.sent += 1;
        let outcome = async {
            let resp = client.post(&endpoint).json(&report.body).send().await?;
            let status = resp.status().as_u16();
            let body = resp.bytes().await?;
            Ok::<_, reqwest::Error>((status, body))
        }
        .await;
        let latency = t0.elapsed();
        match outcome {
            Ok((201, body)) => {
                let number = serde_json::from_slice::<Value>(&body).ok().and_then(|v| {
                    v.get("ticket_number")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                });
                match number {
                    Some(n) => {
                        run.acked.push(n);
                        run.latencies.record(latency);
                    }
                    None => add_error(&mut run.errors, "201-without-ticket-number"),
                }
            }
            Ok((status, _)) => add_error(&mut run.errors, status.to_string()),
            Err(e) => {
                add_error(
                    &mut run.errors,
                    if e.is_timeout() {
                        "timeout"
                    } else {
                        "transport"
                    },
                );
                // A refused connection answers at once; do not spin on a dead server.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
    run
}

/// Memory and CPU of a process, sampled while a run goes on.
#[derive(Debug, Default, Clone)]
pub struct ProcessSample {
    pub rss_start_kib: u64,
    pub rss_max_kib: u64,
    pub rss_end_kib: u64,
    pub cpu_seconds: f64,
    pub samples: u64,
}

impl ProcessSample {
    pub fn json(&self, wall: Duration) -> Value {
        json!({
            "rss_start_mib": round3(self.rss_start_kib as f64 / 1024.0),
            "rss_max_mib": round3(self.rss_max_kib as f64 / 1024.0),
            "rss_end_mib": round3(self.rss_end_kib as f64 / 1024.0),
            "cpu_seconds": round3(self.cpu_seconds),
            "cpu_cores_used": round3(self.cpu_seconds / wall.as_secs_f64().max(1e-9)),
        })
    }
}

/// Samples `pid` every 250 ms until `stop` is set (or 24 h pass).
pub fn spawn_sampler(pid: u32, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<ProcessSample> {
    tokio::spawn(async move {
        let cpu0 = stats::cpu_seconds(pid).unwrap_or(0.0);
        let mut s = ProcessSample {
            rss_start_kib: stats::rss_kib(pid).unwrap_or(0),
            ..ProcessSample::default()
        };
        s.rss_max_kib = s.rss_start_kib;
        let mut cpu_last = cpu0;
        for _ in 0..(24 * 3600 * 4) {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
            if let Ok(kib) = stats::rss_kib(pid) {
                s.rss_max_kib = s.rss_max_kib.max(kib);
                s.rss_end_kib = kib;
                s.samples += 1;
            }
            if let Ok(cpu) = stats::cpu_seconds(pid) {
                cpu_last = cpu;
            }
        }
        s.cpu_seconds = cpu_last - cpu0;
        s
    })
}

/// The human summary lines and the JSON figures of an intake run.
pub fn describe(run: &IntakeRun, clients: usize, label: &str) -> (Vec<String>, Value) {
    let lat = run.latencies.summary();
    let errors: u64 = run.errors.values().sum();
    let lines = vec![
        format!(
            "intake: {} reports acknowledged in {:.1} s by {clients} clients: {:.0} reports/s",
            run.acked.len(),
            run.elapsed.as_secs_f64(),
            run.rate()
        ),
        format!("latency of 201 answers: {}", lat.line()),
        if errors == 0 {
            "errors: none".to_owned()
        } else {
            format!("errors: {errors} ({:?})", run.errors)
        },
    ];
    let figures = json!({
        "bench": "intake",
        "label": label,
        "clients": clients,
        "seconds": round3(run.elapsed.as_secs_f64()),
        "sent": run.sent,
        "acked": run.acked.len(),
        "rate_per_s": round3(run.rate()),
        "latency": lat.json(),
        "errors": run.errors,
    });
    (lines, figures)
}

pub async fn main(args: IntakeArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.clients >= 1 && args.clients <= 1024,
        "--clients is 1 to 1024"
    );
    anyhow::ensure!(
        args.seconds > 0.0 && args.seconds <= 3600.0,
        "--seconds is more than 0 and at most 3600"
    );
    check_loopback(&args.url)?;
    let stop = Arc::new(AtomicBool::new(false));
    let sampler_stop = Arc::new(AtomicBool::new(false));
    let sampler = args.pid.map(|pid| spawn_sampler(pid, sampler_stop.clone()));
    let self_cpu0 = stats::cpu_seconds(std::process::id()).unwrap_or(0.0);
    let run = run_intake(
        &args.url,
        args.clients,
        Duration::from_secs_f64(args.seconds),
        args.seed,
        stop,
    )
    .await?;
    let self_cpu = stats::cpu_seconds(std::process::id()).unwrap_or(0.0) - self_cpu0;
    sampler_stop.store(true, Ordering::Relaxed);
    let (mut lines, mut figures) = describe(&run, args.clients, &args.label);
    if let Some(handle) = sampler {
        let sample = handle.await.context("the sampler failed")?;
        lines.push(format!(
            "server RSS: {:.1} MiB at start, {:.1} MiB max under load; server CPU {:.2} cores, this tool {:.2} cores",
            sample.rss_start_kib as f64 / 1024.0,
            sample.rss_max_kib as f64 / 1024.0,
            sample.cpu_seconds / run.elapsed.as_secs_f64().max(1e-9),
            self_cpu / run.elapsed.as_secs_f64().max(1e-9),
        ));
        figures["server"] = sample.json(run.elapsed);
    }
    figures["client_cpu_cores_used"] =
        json!(round3(self_cpu / run.elapsed.as_secs_f64().max(1e-9)));
    if let Some(path) = &args.acked {
        let mut text = run.acked.join("\n");
        text.push('\n');
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
        lines.push(format!(
            "acknowledged ticket numbers written to {}",
            path.display()
        ));
    }
    for l in lines {
        println!("{l}");
    }
    println!("{figures}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_is_accepted() {
        assert!(check_loopback("http://127.0.0.1:8080").is_ok());
        assert!(check_loopback("http://127.0.0.2:8080/x").is_ok());
        assert!(check_loopback("http://localhost:1").is_ok());
        assert!(check_loopback("http://[::1]:8080").is_ok());
        assert!(check_loopback("http://10.0.0.1:8080").is_err());
        assert!(check_loopback("http://example.com").is_err());
        assert!(check_loopback("https://127.0.0.1").is_err());
    }
}
