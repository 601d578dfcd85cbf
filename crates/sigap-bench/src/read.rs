//! `read`: latency of the staff reads, each kind measured on its own: one ticket by a random
//! existing number, the queue filtered by state, by state and agency, and full-text search
//! with a common word and with a rare one; and, signed in through the login form
//! (`--login`), the server-rendered pages: the queue and one ticket.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};

use crate::intake::{check_loopback, http_client};
use crate::payload::COMMON_WORDS;
use crate::stats::{Errors, Latencies, add_error, merge_errors, round3};

/// Arguments of `sigap-bench read`.
#[derive(Debug, clap::Args)]
pub struct ReadArgs {
    /// Base URL of the server (loopback only).
    #[arg(long)]
    pub url: String,
    /// A staff API token (`sigap token create`).
    #[arg(long, env = "SIGAP_BENCH_TOKEN")]
    pub token: String,
    /// Seconds spent on each kind of read.
    #[arg(long, default_value_t = 20.0)]
    pub seconds: f64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 8)]
    pub clients: usize,
    /// Kinds to measure, comma-separated: get, list_state, list_agency, search, search_rare,
    /// and with `--login` page_queue (`/tickets`), page_queue_state (`/tickets?state=queued`)
    /// and page_ticket (`/tickets/{n}`, a random existing ticket); the figures (of
    /// `--stats-query`): stats_dashboard (every section), stats_year (of this year),
    /// stats_intake, stats_clock, stats_blocking, stats_remediation, stats_approvals,
    /// scorecard (a random agency's, of `--stats-query`), scorecard_year (this year's),
    /// queue_class (the queue filtered by a vulnerability class), and with `--login`
    /// page_dashboard (`/dashboard`).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "get,list_state,list_agency,search,search_rare"
    )]
    pub kinds: Vec<String>,
    /// Words for `search` (default: words that many generated reports contain).
    #[arg(long, value_delimiter = ',')]
    pub words: Vec<String>,
    /// The query of the figures' kinds (`period=2026-11`, `period=year`); default: this
    /// month.
    #[arg(long, default_value = "")]
    pub stats_query: String,
    /// A label for this run in the JSON line.
    #[arg(long, default_value = "")]
    pub label: String,
    /// Sign in through the login form as this staff user for the `page_*` kinds (a role
    /// without a required second factor, e.g. helpdesk or auditor).
    #[arg(long)]
    pub login: Option<String>,
    /// The password of `--login`.
    #[arg(long, env = "SIGAP_BENCH_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
}

/// What the server holds, found out before measuring, and the page session to ask with.
#[derive(Debug)]
pub(crate) struct Corpus {
    prefix: String,
    year: String,
    max_seq: u64,
    agencies: Vec<String>,
    words: Vec<String>,
    /// The `Cookie` header of a signed-in page session (`--login`).
    session: Option<String>,
    /// The query of the figures' kinds (`period=2026-11`; empty: this month).
    pub(crate) stats_query: String,
}

/// The `name=value` parts of a response's `Set-Cookie` headers.
fn cookies_of(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::to_owned)
        .collect()
}

/// Signs in through the login form as a browser does; answers the session's `Cookie`
/// header.
async fn sign_in(base: &str, email: &str, password: &str) -> anyhow::Result<String> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let page = client.get(format!("{base}/login")).send().await?;
    let cookies = cookies_of(&page).join("; ");
    let body = page.text().await?;
    let marker = "name=\"csrf_token\" value=\"";
    let start = body
        .find(marker)
        .map(|at| at + marker.len())
        .context("no anti-CSRF field on /login")?;
    let token = &body[start..start + body[start..].find('"').unwrap_or(0)];
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let form = format!(
        "email={}&password={}&csrf_token={}",
        encode(email),
        encode(password),
        encode(token)
    );
    let answer = client
        .post(format!("{base}/login"))
        .header("cookie", cookies)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await?;
    let location = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if location != "/tickets" {
        bail!(
            "signing in as {email} did not reach /tickets (status {}, to `{location}`): a role \
             with a second factor cannot be used here",
            answer.status()
        );
    }
    cookies_of(&answer)
        .into_iter()
        .find(|c| c.starts_with("sigap_session="))
        .context("no session cookie after signing in")
}

/// `PREFIX-YEAR-SEQ` split in three.
pub fn split_number(number: &str) -> Option<(String, String, u64)> {
    let mut parts = number.rsplitn(3, '-');
    let seq = parts.next()?.parse().ok()?;
    let year = parts.next()?.to_owned();
    let prefix = parts.next()?.to_owned();
    Some((prefix, year, seq))
}

pub fn format_number(prefix: &str, year: &str, seq: u64) -> String {
    format!("{prefix}-{year}-{seq:05}")
}

async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<Value> {
    let resp = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .with_context(|| format!("GET {url}"))?;
    let status = resp.status();
    let body = resp.text().await?;
    if !status.is_success() {
        bail!("GET {url} answered {status}: {body}");
    }
    serde_json::from_str(&body).with_context(|| format!("GET {url}: not JSON"))
}

pub(crate) async fn discover(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    words: &[String],
) -> anyhow::Result<Corpus> {
    let page = get_json(client, &format!("{base}/api/v1/tickets?limit=1"), token).await?;
    let newest = page["items"][0]["number"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("the server has no tickets to read; seed it first"))?;
    let (prefix, year, max_seq) =
        split_number(newest).ok_or_else(|| anyhow::anyhow!("`{newest}` is not a ticket number"))?;
    let agencies = get_json(client, &format!("{base}/api/v1/agencies"), token).await?;
    let agencies = agencies
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let words = if words.is_empty() {
        COMMON_WORDS.iter().map(|w| (*w).to_owned()).collect()
    } else {
        words.to_vec()
    };
    Ok(Corpus {
        prefix,
        year,
        max_seq,
        agencies,
        words,
        session: None,
        stats_query: String::new(),
    })
}

/// The path of one request of `kind`.
fn request_path(kind: &str, corpus: &Corpus, rng: &mut StdRng) -> Option<String> {
    let pick = |rng: &mut StdRng, items: &[String]| {
        items.get(rng.random_range(0..items.len().max(1))).cloned()
    };
    match kind {
        "get" => {
            let seq = rng.random_range(1..=corpus.max_seq.max(1));
            Some(format!(
                "/api/v1/tickets/{}",
                format_number(&corpus.prefix, &corpus.year, seq)
            ))
        }
        "list_state" => Some("/api/v1/tickets?state=queued&limit=20".to_owned()),
        "list_agency" => {
            let agency = pick(rng, &corpus.agencies)?;
            Some(format!(
                "/api/v1/tickets?state=queued&agency={agency}&limit=20"
            ))
        }
        "search" => Some(format!(
            "/api/v1/tickets?q={}&limit=20",
            pick(rng, &corpus.words)?
        )),
        "search_rare" => Some(format!(
            "/api/v1/tickets?q=ref{:04}&limit=20",
            rng.random_range(0..10_000)
        )),
        "stats_year" => Some("/api/v1/stats/dashboard?period=year".to_owned()),
        "scorecard" => Some(format!(
            "/api/v1/agencies/{}/scorecard?{}",
            pick(rng, &corpus.agencies)?,
            corpus.stats_query
        )),
        "scorecard_year" => Some(format!(
            "/api/v1/agencies/{}/scorecard",
            pick(rng, &corpus.agencies)?
        )),
        "queue_class" => Some("/api/v1/tickets?class=a03_injection&limit=20".to_owned()),
        kind if kind.starts_with("stats_") => Some(format!(
            "/api/v1/stats/{}?{}",
            &kind[6..],
            corpus.stats_query
        )),
        _ if corpus.session.is_none() => None,
        "page_dashboard" => Some(format!("/dashboard?{}", corpus.stats_query)),
        "page_queue" => Some("/tickets".to_owned()),
        "page_queue_state" => Some("/tickets?state=queued".to_owned()),
        "page_ticket" => {
            let seq = rng.random_range(1..=corpus.max_seq.max(1));
            Some(format!(
                "/tickets/{}",
                format_number(&corpus.prefix, &corpus.year, seq)
            ))
        }
        _ => None,
    }
}

/// Whether a kind answers a list whose items are counted.
fn lists(kind: &str) -> bool {
    kind.starts_with("list_") || kind.starts_with("search")
}

/// Most requests one client sends for one kind: a bound on every loop.
const MAX_REQUESTS_PER_CLIENT: u64 = 5_000_000;

pub(crate) struct KindRun {
    pub latencies: Latencies,
    pub errors: Errors,
    items: u64,
}

/// A load of one kind of request: from `clients` clients until `duration` has passed or
/// `stop` is set; each client as fast as it is answered, or, with `pace`, one request per
/// `pace` (an open load of `clients / pace` requests per second while the server keeps up).
#[derive(Clone)]
pub(crate) struct Load {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
    pub corpus: Arc<Corpus>,
    pub kind: String,
    pub clients: usize,
    pub duration: Duration,
    pub stop: Arc<AtomicBool>,
    pub pace: Option<Duration>,
}

/// Runs `load`: what every client saw, merged, and how long it took.
pub(crate) async fn run_kind(load: Load) -> anyhow::Result<(KindRun, Duration)> {
    let started = Instant::now();
    let deadline = started + load.duration;
    let load = Arc::new(load);
    let tasks: Vec<_> = (0..load.clients)
        .map(|c| tokio::spawn(one_client(load.clone(), c, deadline)))
        .collect();
    let mut total = KindRun {
        latencies: Latencies::default(),
        errors: Errors::new(),
        items: 0,
    };
    for t in tasks {
        let part = t.await.context("a client task failed")?;
        total.latencies.merge(part.latencies);
        merge_errors(&mut total.errors, part.errors);
        total.items += part.items;
    }
    Ok((total, started.elapsed()))
}

/// Client `c` of `load`, until the deadline.
async fn one_client(load: Arc<Load>, c: usize, deadline: Instant) -> KindRun {
    let mut rng = StdRng::seed_from_u64(c as u64 + 1);
    let mut run = KindRun {
        latencies: Latencies::default(),
        errors: Errors::new(),
        items: 0,
    };
    // Clients start spread over one interval.
    let pace = load.pace;
    let mut next = Instant::now()
        + pace.map_or(Duration::ZERO, |p| {
            p * c as u32 / load.clients.max(1) as u32
        });
    for _ in 0..MAX_REQUESTS_PER_CLIENT {
        if let Some(p) = pace {
            tokio::time::sleep_until(next.into()).await;
            next += p;
        }
        if Instant::now() >= deadline || load.stop.load(Ordering::Relaxed) {
            break;
        }
        let Some(path) = request_path(&load.kind, &load.corpus, &mut rng) else {
            break;
        };
        let t0 = Instant::now();
        let outcome = fetch(&load, &path).await;
        let latency = t0.elapsed();
        match outcome {
            Ok((200, body)) => {
                run.latencies.record(latency);
                if lists(&load.kind) {
                    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    run.items += v["items"].as_array().map_or(0, |a| a.len() as u64);
                }
            }
            Ok((status, _)) => add_error(&mut run.errors, status.to_string()),
            Err(e) => {
                let what = if e.is_timeout() {
                    "timeout"
                } else {
                    "transport"
                };
                add_error(&mut run.errors, what);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
    run
}

/// One request of the load: the page with the session cookie, the API with the token.
async fn fetch(load: &Load, path: &str) -> Result<(u16, Vec<u8>), reqwest::Error> {
    let request = load.client.get(format!("{}{path}", load.base));
    let request = match (&load.corpus.session, load.kind.starts_with("page_")) {
        (Some(session), true) => request.header("cookie", session),
        _ => request.bearer_auth(&load.token),
    };
    let resp = request.send().await?;
    let status = resp.status().as_u16();
    let body = resp.bytes().await?.to_vec();
    Ok((status, body))
}

/// One kind's line and its figures: the rate, the latencies, the errors and (for lists)
/// the items per answer.
fn kind_figures(kind: &str, run: &KindRun, elapsed: Duration) -> serde_json::Value {
    let lat = run.latencies.summary();
    let rate = lat.count as f64 / elapsed.as_secs_f64().max(1e-9);
    let errors: u64 = run.errors.values().sum();
    let avg_items = if lat.count > 0 {
        run.items as f64 / lat.count as f64
    } else {
        0.0
    };
    println!(
        "  {kind:<12} {:>7.0} req/s  {}{}",
        rate,
        lat.line(),
        if errors > 0 {
            format!("  errors {:?}", run.errors)
        } else {
            String::new()
        }
    );
    let mut entry = lat.json();
    entry["rate_per_s"] = json!(round3(rate));
    entry["errors"] = json!(run.errors);
    if lists(kind) {
        entry["avg_items"] = json!(round3(avg_items));
    }
    entry
}

pub async fn main(args: ReadArgs) -> anyhow::Result<()> {
    check_loopback(&args.url)?;
    anyhow::ensure!((1..=1024).contains(&args.clients), "--clients is 1 to 1024");
    anyhow::ensure!(
        args.seconds > 0.0 && args.seconds <= 3600.0,
        "--seconds is more than 0 and at most 3600"
    );
    let base = args.url.trim_end_matches('/').to_owned();
    let client = http_client(args.clients, Duration::from_secs(10))?;
    let mut corpus = discover(&client, &base, &args.token, &args.words).await?;
    corpus.stats_query = args.stats_query.clone();
    if let Some(email) = &args.login {
        let password = args
            .password
            .as_deref()
            .context("--login needs --password or SIGAP_BENCH_PASSWORD")?;
        corpus.session = Some(sign_in(&base, email, password).await?);
    }
    let corpus = Arc::new(corpus);
    println!(
        "read: {} tickets numbered up to {}, {} agencies; {} clients, {:.0} s per kind",
        corpus.max_seq,
        format_number(&corpus.prefix, &corpus.year, corpus.max_seq),
        corpus.agencies.len(),
        args.clients,
        args.seconds
    );
    let mut figures = serde_json::Map::new();
    for kind in &args.kinds {
        let mut probe = StdRng::seed_from_u64(0);
        if request_path(kind, &corpus, &mut probe).is_none() {
            println!("  {kind:<12} skipped (unknown kind, or nothing to ask for)");
            continue;
        }
        let (run, elapsed) = run_kind(Load {
            client: client.clone(),
            base: base.clone(),
            token: args.token.clone(),
            corpus: corpus.clone(),
            kind: kind.clone(),
            clients: args.clients,
            duration: Duration::from_secs_f64(args.seconds),
            stop: Arc::new(AtomicBool::new(false)),
            pace: None,
        })
        .await?;
        figures.insert(kind.clone(), kind_figures(kind, &run, elapsed));
    }
    let line = json!({
        "bench": "read",
        "label": args.label,
        "tickets": corpus.max_seq,
        "clients": args.clients,
        "seconds_per_kind": args.seconds,
        "kinds": figures,
    });
    println!("{line}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_split_and_format_back() {
        assert_eq!(
            split_number("BCSIRT-2026-00042"),
            Some(("BCSIRT".into(), "2026".into(), 42))
        );
        assert_eq!(
            split_number("BCSIRT-2026-100000"),
            Some(("BCSIRT".into(), "2026".into(), 100_000))
        );
        assert_eq!(format_number("BCSIRT", "2026", 42), "BCSIRT-2026-00042");
        assert_eq!(
            format_number("BCSIRT", "2026", 123_456),
            "BCSIRT-2026-123456"
        );
        assert_eq!(split_number("nonsense"), None);
    }
}
