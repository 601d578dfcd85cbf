//! `seal`: what sealing the reporters' contact data at rest costs, in this process (no
//! server, no database): per report, the name, e-mail and telephone sealed with
//! ChaCha20-Poly1305 and the blind index of the name and e-mail made (HMAC-SHA256 tokens of
//! every word start), as intake does; per ticket read, the three fields opened; per page of
//! the list (20 tickets), sixty fields opened; per search word, its token. One thread, the
//! payload generator's reporters. Set beside a report's share of the server's CPU in
//! `intake`, this is the share the sealing adds.

use std::time::{Duration, Instant};

use clap::Args;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::json;
use sigap_store::contact::{ContactKey, Field};

use crate::payload;
use crate::stats::{Latencies, round3};

#[derive(Debug, Args)]
pub struct SealArgs {
    /// Reporters sealed, opened and indexed.
    #[arg(long, default_value_t = 100_000)]
    pub count: u64,
}

/// A reporter as intake receives one.
struct Reporter {
    name: String,
    email: String,
    phone: Option<String>,
}

fn reporters(count: u64) -> Vec<Reporter> {
    let mut rng = StdRng::seed_from_u64(2026);
    (0..count)
        .map(|n| {
            let body = payload::report(&mut rng, n).body;
            let text = |k: &str| body.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            Reporter {
                name: text("reporter_name").unwrap_or_default(),
                email: text("reporter_email").unwrap_or_default(),
                phone: text("reporter_phone"),
            }
        })
        .collect()
}

/// A report's sealed fields and index.
struct Sealed {
    name: String,
    email: String,
    phone: Option<String>,
    index: String,
}

fn seal(key: &ContactKey, r: &Reporter) -> anyhow::Result<Sealed> {
    Ok(Sealed {
        name: key.seal(Field::Name, &r.name)?,
        email: key.seal(Field::Email, &r.email)?,
        phone: key.seal_opt(Field::Phone, r.phone.as_deref())?,
        index: key.index(&r.name, &r.email),
    })
}

/// Opens a ticket's three fields; answers their length, so that nothing is optimised away.
fn open(key: &ContactKey, s: &Sealed) -> anyhow::Result<usize> {
    let name = key.open(Field::Name, &s.name)?;
    let email = key.open(Field::Email, &s.email)?;
    let phone = key.open_opt(Field::Phone, s.phone.as_deref())?;
    Ok(name.len() + email.len() + phone.map_or(0, |p| p.len()))
}

fn micros(total: Duration, count: usize) -> f64 {
    total.as_secs_f64() * 1e6 / count.max(1) as f64
}

pub async fn main(args: SealArgs) -> anyhow::Result<()> {
    let key = ContactKey::new([7; 32], [9; 32]);
    let people = reporters(args.count);

    let mut per_report = Latencies::default();
    let mut sealed = Vec::with_capacity(people.len());
    let started = Instant::now();
    for r in &people {
        let at = Instant::now();
        sealed.push(seal(&key, r)?);
        per_report.record(at.elapsed());
    }
    let seal_total = started.elapsed();
    let index_tokens: usize = sealed.iter().map(|s| s.index.split(' ').count()).sum();
    let stored_bytes: usize = sealed
        .iter()
        .map(|s| s.name.len() + s.email.len() + s.phone.as_ref().map_or(0, String::len))
        .sum();
    let clear_bytes: usize = people
        .iter()
        .map(|r| r.name.len() + r.email.len() + r.phone.as_ref().map_or(0, String::len))
        .sum();

    let started = Instant::now();
    let mut opened = 0;
    for s in &sealed {
        opened += open(&key, s)?;
    }
    let open_total = started.elapsed();

    let started = Instant::now();
    let mut tokens = 0;
    for r in &people {
        tokens += key.query_token(&r.name).len();
    }
    let token_total = started.elapsed();

    let count = people.len();
    let seal_us = micros(seal_total, count);
    let open_us = micros(open_total, count);
    let token_us = micros(token_total, count);
    let summary = per_report.summary();
    println!("{count} reporters, one thread");
    println!(
        "seal + index per report: {seal_us:.2} µs on average ({} per report; {:.1} index tokens per report)",
        summary.line(),
        index_tokens as f64 / count as f64
    );
    println!(
        "open per ticket read: {open_us:.2} µs; a list page of 20: {:.1} µs; a search word's token: {token_us:.2} µs",
        open_us * 20.0
    );
    println!(
        "stored contact bytes: {:.1} per report sealed, {:.1} in clear",
        stored_bytes as f64 / count as f64,
        clear_bytes as f64 / count as f64
    );
    anyhow::ensure!(opened == clear_bytes && tokens > 0, "opened values differ");
    println!(
        "{}",
        json!({
            "bench": "seal",
            "count": count,
            "seal_and_index_us": round3(seal_us),
            "seal_and_index": summary.json(),
            "open_us": round3(open_us),
            "list_page_open_us": round3(open_us * 20.0),
            "query_token_us": round3(token_us),
            "index_tokens_per_report": round3(index_tokens as f64 / count as f64),
            "stored_bytes_per_report": round3(stored_bytes as f64 / count as f64),
            "clear_bytes_per_report": round3(clear_bytes as f64 / count as f64),
        })
    );
    Ok(())
}
