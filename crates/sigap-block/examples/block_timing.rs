//! Measures the wall time of block and unblock, each followed by a proof capture (DNS, HTTP
//! and a Chromium screenshot), against local nginx and PowerDNS started as in the tests.
//! Run: `cargo run -p sigap-block --release --example block_timing`.

#![allow(clippy::unwrap_used)] // A measuring program: a failure should stop it loudly.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sigap_block::proof::{self, ProofOptions, ProofTarget, Resolver, Screenshot};
use sigap_block::{Adapter, AdapterConfig, BlockRequest, Hostname, OutboundPolicy, build_adapter};

#[allow(clippy::disallowed_methods)] // A measuring program may read the clock.
fn now() -> DateTime<Utc> {
    Utc::now()
}

fn adapter(name: &str, params: &std::collections::BTreeMap<String, String>) -> Box<dyn Adapter> {
    build_adapter(
        &AdapterConfig::parse(name, params, &support::test_env).unwrap(),
        &OutboundPolicy::loopback(),
    )
    .unwrap()
}

/// How long a capture waits for a block or unblock to take effect.
const PATIENCE: Duration = Duration::from_secs(5);

fn seconds(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

#[tokio::main]
async fn main() {
    let (Some(nginx), Some(pdns)) = (support::Nginx::start(), support::PowerDns::start()) else {
        return;
    };
    let host = Hostname::parse("shop.example.test").unwrap();
    let target = ProofTarget::new(host.clone(), Some(nginx.url(host.as_str()))).unwrap();
    let options = ProofOptions {
        resolver: Resolver::At(pdns.dns_address()),
        outbound: OutboundPolicy::loopback(),
        ..ProofOptions::default()
    };
    let request = BlockRequest {
        host: host.clone(),
        ticket: "BTM-2026-0042".into(),
        contact: "BATAM-CSIRT, csirt@batam.go.id".into(),
        now: now(),
    };
    // DNS-based blocks point the host at nginx's maintenance server on 127.0.0.2.
    std::fs::write(
        nginx.page_file(),
        sigap_block::maintenance_page(&request.contact),
    )
    .unwrap();
    let mut api_params = pdns.api_params();
    api_params.insert("maintenance_a".into(), "127.0.0.2".into());
    api_params.remove("maintenance_aaaa");
    let mut update_params = pdns.update_params();
    update_params.insert("maintenance_a".into(), "127.0.0.2".into());
    let baseline = proof::capture(&target, &options, now()).await;
    println!("adapter   | block + proof | unblock + proof | blocked answer | after unblock");
    for (name, params) in [
        ("nginx", nginx.params()),
        ("powerdns", api_params),
        ("rfc2136", update_params),
    ] {
        let blocking = adapter(name, &params);
        let start = Instant::now();
        let record = blocking.block(&request).await.unwrap();
        let changed = |http: &_| !proof::compare_http(&baseline.http, http).is_as_before();
        let blocked = proof::capture_when(&target, &options, now(), PATIENCE, changed).await;
        let block_time = start.elapsed();
        let start = Instant::now();
        blocking.unblock(&record, now()).await.unwrap();
        let as_before = |http: &_| proof::compare_http(&baseline.http, http).is_as_before();
        let after = proof::capture_when(&target, &options, now(), PATIENCE, as_before).await;
        let unblock_time = start.elapsed();
        let shot = matches!(blocked.screenshot, Screenshot::Taken { .. });
        let status = blocked.http.status.unwrap_or_default();
        println!(
            "{name:9} | {:13} | {:15} | {status}, screenshot {} | {}",
            seconds(block_time),
            seconds(unblock_time),
            if shot { "taken" } else { "none" },
            proof::compare(&baseline, &after).summary()
        );
    }
}
