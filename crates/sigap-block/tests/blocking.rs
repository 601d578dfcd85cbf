//! The blocking adapters and proof capture against real servers on loopback ports: nginx,
//! PowerDNS (HTTP API and RFC 2136), a webhook receiver, headless Chromium.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use sigap_block::proof::{self, ProofOptions, ProofTarget, Resolver, Screenshot};
use sigap_block::{
    Adapter, AdapterConfig, BlockRecord, BlockRequest, Change, ConfigError, FailureKind, Hostname,
    OutboundPolicy, build_adapter,
};
use support::{Nginx, ORIGINAL_TITLE, PowerDns, params, test_env};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-30T02:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn adapter(name: &str, params: &BTreeMap<String, String>) -> Box<dyn Adapter> {
    build_adapter(
        &AdapterConfig::parse(name, params, &test_env).unwrap(),
        &OutboundPolicy::loopback(),
    )
    .unwrap()
}

fn request(host: &str) -> BlockRequest {
    BlockRequest {
        host: Hostname::parse(host).unwrap(),
        ticket: "BTM-2026-0042".into(),
        contact: "BATAM-CSIRT, csirt@batam.go.id, 0778-000000".into(),
        now: now(),
    }
}

/// A record survives the trip through JSON that it makes through the database.
fn through_json(record: &BlockRecord) -> BlockRecord {
    serde_json::from_str(&serde_json::to_string(record).unwrap()).unwrap()
}

#[test]
fn configuration_errors_say_what_to_fix() {
    let parse =
        |name: &str, pairs: &[(&str, &str)]| AdapterConfig::parse(name, &params(pairs), &test_env);
    let error = parse("firewall", &[]).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("unknown blocking adapter `firewall`"),
        "{error}"
    );
    let error = parse("nginx", &[]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the nginx adapter needs the parameter `map_file`"
    );
    let error = parse(
        "webhook",
        &[
            ("url", "https://hook.test/"),
            ("secret_env", "SIGAP_ADAPTER_NOT_SET"),
        ],
    )
    .unwrap_err();
    assert!(matches!(error, ConfigError::EnvNotSet { .. }));
    assert!(
        error
            .to_string()
            .contains("`SIGAP_ADAPTER_NOT_SET`, which is not set"),
        "{error}"
    );
    // A secret is only ever read from a variable meant for adapters: never the server's key.
    let error = parse(
        "webhook",
        &[
            ("url", "https://hook.test/"),
            ("secret_env", "SIGAP_SECRET_KEY"),
        ],
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("must start with SIGAP_ADAPTER_"),
        "{error}"
    );
    let error = parse("manual", &[("map_file", "/x")]).unwrap_err();
    assert!(
        matches!(error, ConfigError::UnknownParameter { .. }),
        "{error}"
    );
    let dns = [
        ("api_url", "http://127.0.0.1:1"),
        ("api_key_env", "SIGAP_ADAPTER_PDNS_TEST_KEY"),
        ("zone", "example.test"),
    ];
    let error = parse(
        "powerdns",
        &[dns.as_slice(), &[("maintenance_a", "192.0.2.300")]].concat(),
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`192.0.2.300` is not an IPv4 address"),
        "{error}"
    );
    let config = parse(
        "powerdns",
        &[dns.as_slice(), &[("maintenance_a", "192.0.2.80")]].concat(),
    )
    .unwrap();
    assert!(
        !format!("{config:?}").contains(support::API_KEY),
        "the key leaks into Debug output"
    );
    let update = [
        ("zone", "example.test"),
        ("tsig_name", "k"),
        ("maintenance_a", "192.0.2.80"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| [update.as_slice(), extra].concat();
    let error = parse(
        "rfc2136",
        &with(&[
            ("server", "ns1.example.test"),
            ("tsig_secret_env", "SIGAP_ADAPTER_TSIG_TEST_SECRET"),
        ]),
    )
    .unwrap_err();
    assert!(error.to_string().contains("is not host:port"), "{error}");
    let error = parse(
        "rfc2136",
        &with(&[
            ("server", "127.0.0.1:53"),
            ("tsig_secret_env", "SIGAP_ADAPTER_HOOK_SECRET"),
        ]),
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("does not hold base64"),
        "{error}"
    );
    let error = parse(
        "rfc2136",
        &with(&[
            ("server", "127.0.0.1:53"),
            ("tsig_secret_env", "SIGAP_ADAPTER_TSIG_TEST_SECRET"),
            ("tsig_algorithm", "hmac-md5"),
        ]),
    )
    .unwrap_err();
    assert!(error.to_string().contains("use hmac-sha256"), "{error}");
    let json = serde_json::json!({"map_file": "/tmp/x.map", "timeout_secs": 2});
    let config = AdapterConfig::parse_json("nginx", json.as_object().unwrap(), &test_env).unwrap();
    assert_eq!(config.timeout, Duration::from_secs(2));
}

#[test]
fn host_names_that_could_inject_configuration_are_refused() {
    assert!(Hostname::parse("shop.example.test; include /etc/passwd").is_err());
    assert!(Hostname::parse("shop example").is_err());
    assert_eq!(
        Hostname::parse("Shop.Example.TEST.").unwrap().as_str(),
        "shop.example.test"
    );
}

#[tokio::test]
async fn manual_adapter_records_a_block_by_hand() {
    let manual = adapter("manual", &BTreeMap::new());
    let record = manual.block(&request("shop.example.test")).await.unwrap();
    assert_eq!(record.change, Change::Manual);
    let unblocked = manual.unblock(&through_json(&record), now()).await.unwrap();
    assert_eq!(unblocked.host, record.host);
}

// ----- nginx -----

#[tokio::test]
async fn nginx_block_serves_the_maintenance_page_and_unblock_the_original() {
    let Some(nginx) = Nginx::start() else { return };
    let host = "shop.example.test";
    let nginx_adapter = adapter("nginx", &nginx.params());
    assert!(nginx.get(host).await.1.contains(ORIGINAL_TITLE));
    nginx_adapter.check().await.unwrap();

    let record = nginx_adapter.block(&request(host)).await.unwrap();
    let body = nginx.wait_for_status(host, 503).await;
    assert!(body.contains("Layanan ini sedang ditangguhkan sementara untuk perbaikan keamanan"));
    assert!(body.contains("csirt@batam.go.id"));
    assert!(
        nginx
            .get("other.example.test")
            .await
            .1
            .contains(ORIGINAL_TITLE),
        "only the host is suspended"
    );
    assert_eq!(
        std::fs::read_to_string(nginx.map_file())
            .unwrap()
            .lines()
            .last(),
        Some("shop.example.test 1;")
    );
    let Change::Nginx(change) = &record.change else {
        panic!("{record:?}")
    };
    assert!(change.new_sha256.is_some() && !change.unchanged);

    nginx_adapter
        .unblock(&through_json(&record), now())
        .await
        .unwrap();
    let body = nginx.wait_for_status(host, 200).await;
    assert!(body.contains(ORIGINAL_TITLE));
    assert!(
        !std::fs::read_to_string(nginx.map_file())
            .unwrap()
            .contains(host)
    );
}

/// Blocks with one command replaced and checks that nothing changed.
async fn assert_nginx_failure_changes_nothing(command: &str, replacement: String) {
    let Some(nginx) = Nginx::start() else { return };
    let host = "shop.example.test";
    std::fs::write(nginx.map_file(), "# kept as it is\nold.example.test 1;\n").unwrap();
    let map_before = std::fs::read(nginx.map_file()).unwrap();
    let mut params = nginx.params();
    params.insert(command.to_owned(), replacement);
    let error = adapter("nginx", &params)
        .block(&request(host))
        .await
        .unwrap_err();
    assert_eq!(error.kind, FailureKind::CommandFailed, "{error}");
    assert!(
        error
            .to_string()
            .starts_with("nginx adapter: command failed: `"),
        "{error}"
    );
    assert!(
        error.detail.contains("No such file or directory"),
        "stderr is kept: {error}"
    );
    assert_eq!(
        std::fs::read(nginx.map_file()).unwrap(),
        map_before,
        "the map is restored byte for byte"
    );
    assert!(
        !nginx.page_file().exists(),
        "the page that did not exist is gone again"
    );
    let (status, body) = nginx.get(host).await;
    assert_eq!(status, 200);
    assert!(body.contains(ORIGINAL_TITLE));
}

#[tokio::test]
async fn nginx_failed_configuration_test_restores_the_files() {
    let missing = "/nonexistent/sigap/nginx.conf";
    let nginx = support::require("nginx").unwrap_or_default();
    let command = format!("{} -t -q -c {missing}", nginx.display());
    assert_nginx_failure_changes_nothing("test_command", command).await;
}

#[tokio::test]
async fn nginx_failed_reload_restores_the_files() {
    let folder = tempfile::tempdir().unwrap();
    let conf = folder.path().join("other.conf");
    let pid = folder.path().join("no-such.pid");
    std::fs::write(&conf, format!("pid {};\nevents {{}}\n", pid.display())).unwrap();
    let nginx = support::require("nginx").unwrap_or_default();
    let log = folder.path().join("error.log");
    let command = format!(
        "{} -c {} -e {} -s reload",
        nginx.display(),
        conf.display(),
        log.display()
    );
    assert_nginx_failure_changes_nothing("reload_command", command).await;
}

// ----- PowerDNS API -----

/// The host's A, AAAA and CNAME sets as the PowerDNS API returns them.
async fn api_sets(pdns: &PowerDns, name: &str) -> Vec<serde_json::Value> {
    let url = format!(
        "{}/api/v1/servers/localhost/zones/example.test.",
        pdns.api_url()
    );
    let zone: serde_json::Value = reqwest::Client::new()
        .get(url)
        .header("X-API-Key", support::API_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut sets: Vec<serde_json::Value> = zone["rrsets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|set| {
            set["name"] == name && ["A", "AAAA", "CNAME"].contains(&set["type"].as_str().unwrap())
        })
        .cloned()
        .collect();
    sets.sort_by_key(|set| set["type"].as_str().unwrap().to_owned());
    sets
}

async fn answers(pdns: &PowerDns, host: &str) -> proof::DnsCapture {
    let host = Hostname::parse(host).unwrap();
    proof::dns_answers(
        &host,
        Resolver::At(pdns.dns_address()),
        Duration::from_secs(3),
    )
    .await
}

#[tokio::test]
async fn powerdns_block_replaces_the_records_and_unblock_restores_them_exactly() {
    let Some(pdns) = PowerDns::start() else {
        return;
    };
    let powerdns = adapter("powerdns", &pdns.api_params());
    powerdns.check().await.unwrap();
    for host in ["shop.example.test", "www.example.test"] {
        let before = api_sets(&pdns, &format!("{host}.")).await;
        let record = powerdns.block(&request(host)).await.unwrap();
        let blocked = answers(&pdns, host).await;
        assert_eq!(blocked.a, ["192.0.2.80"], "{blocked:?}");
        assert_eq!(blocked.aaaa, ["2001:db8::80"]);
        assert!(blocked.cname.is_empty(), "the CNAME is gone while blocked");
        let Change::Dns(change) = &record.change else {
            panic!("{record:?}")
        };
        assert!(!change.previous.is_empty());

        powerdns
            .unblock(&through_json(&record), now())
            .await
            .unwrap();
        assert_eq!(
            api_sets(&pdns, &format!("{host}.")).await,
            before,
            "{host} is restored exactly"
        );
    }
    let restored = answers(&pdns, "www.example.test").await;
    assert_eq!(restored.cname, ["shop.example.test."]);
    assert_eq!(restored.a, ["127.0.0.1"]);
}

#[tokio::test]
async fn powerdns_wrong_api_key_is_an_error_and_changes_nothing() {
    let Some(pdns) = PowerDns::start() else {
        return;
    };
    let before = api_sets(&pdns, "shop.example.test.").await;
    let mut params = pdns.api_params();
    params.insert("api_key_env".into(), "SIGAP_ADAPTER_PDNS_WRONG_KEY".into());
    let error = adapter("powerdns", &params)
        .block(&request("shop.example.test"))
        .await
        .unwrap_err();
    assert_eq!(error.kind, FailureKind::WrongCredentials, "{error}");
    assert!(error.to_string().contains("HTTP 401"), "{error}");
    assert_eq!(api_sets(&pdns, "shop.example.test.").await, before);
}

#[tokio::test]
async fn powerdns_unreachable_api_is_an_error() {
    let mut params = support::params(&[
        ("api_key_env", "SIGAP_ADAPTER_PDNS_TEST_KEY"),
        ("zone", "example.test"),
        ("maintenance_a", "192.0.2.80"),
    ]);
    params.insert(
        "api_url".into(),
        format!("http://127.0.0.1:{}", support::free_port()),
    );
    let error = adapter("powerdns", &params)
        .block(&request("shop.example.test"))
        .await
        .unwrap_err();
    assert_eq!(error.kind, FailureKind::Unreachable, "{error}");
    assert!(
        error
            .to_string()
            .starts_with("powerdns adapter: unreachable"),
        "{error}"
    );
}

#[tokio::test]
async fn powerdns_refuses_a_host_with_no_records() {
    let Some(pdns) = PowerDns::start() else {
        return;
    };
    let error = adapter("powerdns", &pdns.api_params())
        .block(&request("nothing.example.test"))
        .await
        .unwrap_err();
    assert_eq!(error.kind, FailureKind::NotFound, "{error}");
}

// ----- RFC 2136 -----

#[tokio::test]
async fn rfc2136_block_replaces_the_records_and_unblock_restores_them() {
    let Some(pdns) = PowerDns::start() else {
        return;
    };
    let update = adapter("rfc2136", &pdns.update_params());
    update.check().await.unwrap();
    let host = "shop.example.test";
    let before = api_sets(&pdns, "shop.example.test.").await;
    let record = update.block(&request(host)).await.unwrap();
    let blocked = answers(&pdns, host).await;
    assert_eq!(blocked.a, ["192.0.2.80"], "{blocked:?}");
    assert!(
        blocked.aaaa.is_empty(),
        "no maintenance_aaaa: the AAAA is removed"
    );
    let Change::Dns(change) = &record.change else {
        panic!("{record:?}")
    };
    assert_eq!(
        change.previous.len(),
        2,
        "A and AAAA were recorded: {change:?}"
    );

    update.unblock(&through_json(&record), now()).await.unwrap();
    assert_eq!(api_sets(&pdns, "shop.example.test.").await, before);
    let restored = answers(&pdns, host).await;
    assert_eq!(
        (restored.a, restored.aaaa),
        (
            vec!["127.0.0.1".to_owned()],
            vec!["2001:db8::10".to_owned()]
        )
    );
}

#[tokio::test]
async fn rfc2136_wrong_tsig_secret_is_refused_and_changes_nothing() {
    let Some(pdns) = PowerDns::start() else {
        return;
    };
    let before = api_sets(&pdns, "shop.example.test.").await;
    let mut params = pdns.update_params();
    params.insert(
        "tsig_secret_env".into(),
        "SIGAP_ADAPTER_TSIG_WRONG_SECRET".into(),
    );
    let error = adapter("rfc2136", &params)
        .block(&request("shop.example.test"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error.kind,
            FailureKind::WrongCredentials | FailureKind::Refused
        ),
        "{error}"
    );
    assert_eq!(api_sets(&pdns, "shop.example.test.").await, before);
}

// ----- webhook -----

type Received = Arc<Mutex<Vec<serde_json::Value>>>;

/// A receiver that checks the signature: `/hook` answers 200, `/broken` 500.
async fn start_receiver() -> (SocketAddr, Received) {
    let received: Received = Arc::default();
    let store = received.clone();
    let hook = move |headers: HeaderMap, body: Bytes| {
        let store = store.clone();
        async move {
            let mut mac = Hmac::<Sha256>::new_from_slice(b"hook-secret").unwrap();
            mac.update(&body);
            let expected = hex::encode(mac.finalize().into_bytes());
            let given = headers
                .get("x-sigap-signature")
                .and_then(|v| v.to_str().ok());
            if given != Some(expected.as_str()) {
                return (StatusCode::UNAUTHORIZED, "bad signature".to_owned());
            }
            store
                .lock()
                .unwrap()
                .push(serde_json::from_slice(&body).unwrap());
            (StatusCode::OK, r#"{"rule":"r-17"}"#.to_owned())
        }
    };
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(hook))
        .route(
            "/broken",
            axum::routing::post(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "disk full") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (address, received)
}

#[tokio::test]
async fn webhook_posts_signed_json_and_keeps_the_answer() {
    let (address, received) = start_receiver().await;
    let url = format!("http://{address}/hook");
    let hook = adapter(
        "webhook",
        &params(&[("url", &url), ("secret_env", "SIGAP_ADAPTER_HOOK_SECRET")]),
    );
    let record = hook.block(&request("shop.example.test")).await.unwrap();
    let Change::Webhook(call) = &record.change else {
        panic!("{record:?}")
    };
    assert_eq!(
        (call.status, call.body.as_str()),
        (200, r#"{"rule":"r-17"}"#)
    );
    hook.unblock(&through_json(&record), now()).await.unwrap();
    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0]["action"], "block");
    assert_eq!(received[0]["host"], "shop.example.test");
    assert_eq!(received[0]["ticket"], "BTM-2026-0042");
    assert_eq!(received[1]["action"], "unblock");
}

#[tokio::test]
async fn webhook_answers_outside_2xx_are_failures() {
    let (address, _) = start_receiver().await;
    let broken = format!("http://{address}/broken");
    let error = adapter(
        "webhook",
        &params(&[
            ("url", &broken),
            ("secret_env", "SIGAP_ADAPTER_HOOK_SECRET"),
        ]),
    )
    .block(&request("shop.example.test"))
    .await
    .unwrap_err();
    assert!(error.to_string().contains("HTTP 500: disk full"), "{error}");
    let hook = format!("http://{address}/hook");
    let error = adapter(
        "webhook",
        &params(&[
            ("url", &hook),
            ("secret_env", "SIGAP_ADAPTER_PDNS_TEST_KEY"),
        ]),
    )
    .block(&request("shop.example.test"))
    .await
    .unwrap_err();
    assert_eq!(error.kind, FailureKind::WrongCredentials, "{error}");
}

#[tokio::test]
async fn webhook_check_resolves_and_sends_nothing() {
    let (address, received) = start_receiver().await;
    let url = format!("http://localhost:{}/hook", address.port());
    let hook_params = params(&[("url", &url), ("secret_env", "SIGAP_ADAPTER_HOOK_SECRET")]);
    adapter("webhook", &hook_params).check().await.unwrap();
    assert!(
        received.lock().unwrap().is_empty(),
        "the receiver heard nothing"
    );
    // A name that resolves to an address sigap may not connect to.
    let config = AdapterConfig::parse("webhook", &hook_params, &test_env).unwrap();
    let strict = build_adapter(&config, &OutboundPolicy::default()).unwrap();
    let error = strict.check().await.unwrap_err();
    assert_eq!(error.kind, FailureKind::NotAllowed, "{error}");
    // A name that does not resolve.
    let nowhere = params(&[
        ("url", "https://hook.nonexistent.invalid/hook"),
        ("secret_env", "SIGAP_ADAPTER_HOOK_SECRET"),
    ]);
    let error = adapter("webhook", &nowhere).check().await.unwrap_err();
    assert_eq!(error.kind, FailureKind::Unreachable, "{error}");
}

// ----- time limits -----

/// A TCP port that accepts connections and never answers.
async fn silent_tcp() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    address
}

/// Runs `block` and checks that it ends with a time-out error.
async fn assert_times_out(name: &str, params: BTreeMap<String, String>) {
    let blocking = adapter(name, &params);
    let outcome = tokio::time::timeout(
        Duration::from_secs(30),
        blocking.block(&request("shop.example.test")),
    )
    .await
    .expect("the adapter's own time limit ends the call");
    let error = outcome.unwrap_err();
    assert_eq!(error.kind, FailureKind::Timeout, "{error}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("{name} adapter: timed out")),
        "{error}"
    );
}

#[tokio::test]
async fn silent_servers_give_a_time_out_error() {
    let tcp = silent_tcp().await;
    let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let udp_address = udp.local_addr().unwrap().to_string();
    let url = format!("http://{tcp}/");
    let timeout = ("timeout_secs", "1");
    assert_times_out(
        "webhook",
        params(&[
            ("url", &url),
            ("secret_env", "SIGAP_ADAPTER_HOOK_SECRET"),
            timeout,
        ]),
    )
    .await;
    let api = [
        ("api_url", url.as_str()),
        ("api_key_env", "SIGAP_ADAPTER_PDNS_TEST_KEY"),
        ("zone", "example.test"),
    ];
    let api = [api.as_slice(), &[("maintenance_a", "192.0.2.80"), timeout]].concat();
    assert_times_out("powerdns", params(&api)).await;
    let update = [
        ("server", udp_address.as_str()),
        ("zone", "example.test"),
        ("tsig_name", "k"),
    ];
    let update = [
        update.as_slice(),
        &[
            ("tsig_secret_env", "SIGAP_ADAPTER_TSIG_TEST_SECRET"),
            ("maintenance_a", "192.0.2.80"),
            timeout,
        ],
    ]
    .concat();
    assert_times_out("rfc2136", params(&update)).await;
    drop(udp);
}

// ----- proof -----

#[tokio::test]
async fn proof_shows_the_block_and_that_the_unblocked_host_answers_as_before() {
    let Some(nginx) = Nginx::start() else { return };
    let Some(pdns) = PowerDns::start() else {
        return;
    };
    if support::require("chromium").is_none() {
        return;
    }
    let host = Hostname::parse("shop.example.test").unwrap();
    let target = ProofTarget::new(host.clone(), Some(nginx.url(host.as_str()))).unwrap();
    // The test PowerDNS answers 127.0.0.1 for the host: the capture connects there.
    let options = ProofOptions {
        resolver: Resolver::At(pdns.dns_address()),
        outbound: OutboundPolicy::loopback(),
        ..ProofOptions::default()
    };
    let nginx_adapter = adapter("nginx", &nginx.params());

    let baseline = proof::capture(&target, &options, now()).await;
    assert_eq!(baseline.dns.a, ["127.0.0.1"], "{:?}", baseline.dns);
    assert_eq!(baseline.http.status, Some(200), "{:?}", baseline.http);
    assert_eq!(baseline.http.title.as_deref(), Some(ORIGINAL_TITLE));

    let record = nginx_adapter.block(&request(host.as_str())).await.unwrap();
    // nginx applies a reload a moment after the command returns: the capture waits for it.
    let patience = Duration::from_secs(10);
    let changed = |http: &_| !proof::compare_http(&baseline.http, http).is_as_before();
    let blocked = proof::capture_when(&target, &options, now(), patience, changed).await;
    assert_eq!(blocked.http.status, Some(503));
    assert_eq!(
        blocked.http.title.as_deref(),
        Some("Layanan ditangguhkan sementara")
    );
    let Screenshot::Taken {
        png, width, height, ..
    } = &blocked.screenshot
    else {
        panic!("no screenshot: {:?}", blocked.screenshot)
    };
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(proof::png_dimensions(png), Some((*width, *height)));
    assert_eq!((*width, *height), (1280, 800));
    let during = proof::compare(&baseline, &blocked);
    assert!(!during.is_as_before());
    assert!(
        during.summary().contains("status 503 instead of 200"),
        "{}",
        during.summary()
    );

    nginx_adapter.unblock(&record, now()).await.unwrap();
    let as_before = |http: &_| proof::compare_http(&baseline.http, http).is_as_before();
    let after = proof::capture_when(&target, &options, now(), patience, as_before).await;
    let comparison = proof::compare(&baseline, &after);
    assert!(comparison.is_as_before(), "{}", comparison.summary());
    assert!(
        comparison
            .summary()
            .starts_with("answers as before the block")
    );
}

#[tokio::test]
async fn proof_over_https_records_the_certificate() {
    let Some(nginx) = Nginx::start() else { return };
    let Some(tls_port) = nginx.tls_port else {
        return;
    };
    let host = Hostname::parse("shop.example.test").unwrap();
    let url = url::Url::parse(&format!("https://shop.example.test:{tls_port}/")).unwrap();
    let target = ProofTarget::new(host, Some(url)).unwrap();
    let options = ProofOptions {
        connect_to: Some("127.0.0.1".parse().unwrap()),
        chromium: Some("/nonexistent/chromium".into()),
        outbound: OutboundPolicy::loopback(),
        ..ProofOptions::default()
    };
    let captured = proof::capture(&target, &options, now()).await;
    assert_eq!(captured.http.status, Some(200), "{:?}", captured.http);
    assert_eq!(captured.http.title.as_deref(), Some(ORIGINAL_TITLE));
    // The test's certificate is its own: a finding of the capture, not a reason to stop.
    let finding = captured.http.certificate_error.clone().unwrap_or_default();
    assert!(finding.contains("certificate"), "{:?}", captured.http);
    let certificate = captured.tls.expect("the certificate is recorded");
    assert_eq!(certificate.subject, "CN=shop.example.test");
    let (valid_from, expires) = (
        certificate.not_before.unwrap(),
        certificate.not_after.unwrap(),
    );
    assert_eq!((expires - valid_from).num_days(), 30);
}

#[tokio::test]
async fn a_failing_nginx_block_does_not_undo_a_block_made_meanwhile() {
    let Some(nginx) = Nginx::start() else { return };
    let mut slow_failure = nginx.params();
    // Fails after 0.3 s, while the other block is waiting for the map file.
    slow_failure.insert("test_command".into(), "timeout 0.3 sleep 5".into());
    let (failing, working) = (
        adapter("nginx", &slow_failure),
        adapter("nginx", &nginx.params()),
    );
    let (one, two) = (request("one.example.test"), request("two.example.test"));
    let (a, b) = tokio::join!(failing.block(&one), async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        working.block(&two).await
    });
    assert_eq!(a.unwrap_err().kind, FailureKind::CommandFailed);
    b.unwrap();
    let map = std::fs::read_to_string(nginx.map_file()).unwrap();
    assert!(
        map.contains("two.example.test 1;") && !map.contains("one.example.test"),
        "{map}"
    );
}

#[tokio::test]
async fn proof_without_chromium_says_no_screenshot_was_possible() {
    let (address, _) = start_receiver().await;
    let host = Hostname::parse("hook.example.test").unwrap();
    let url =
        url::Url::parse(&format!("http://hook.example.test:{}/hook", address.port())).unwrap();
    let target = ProofTarget::new(host, Some(url)).unwrap();
    let options = ProofOptions {
        connect_to: Some(address.ip()),
        chromium: Some("/nonexistent/chromium".into()),
        outbound: OutboundPolicy::loopback(),
        ..ProofOptions::default()
    };
    let captured = proof::capture(&target, &options, now()).await;
    assert_eq!(
        captured.http.status,
        Some(405),
        "GET on a POST route: {:?}",
        captured.http
    );
    let Screenshot::NotPossible { reason } = &captured.screenshot else {
        panic!("{captured:?}")
    };
    assert!(reason.contains("not installed"), "{reason}");
}

// ----- the capture reaches the system and nothing else -----

/// A loopback server that counts every request it receives: nothing may reach it.
async fn watcher() -> (u16, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let counted = counted.clone();
        async move {
            counted.fetch_add(1, Ordering::SeqCst);
            "leaked"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, hits)
}

/// A site whose page points inward in every way a page can (addresses, names, a script,
/// a frame) and whose `/go` redirects to the watcher.
async fn hostile_site(watch: u16) -> u16 {
    let page = format!(
        "<html><head><title>{ORIGINAL_TITLE}</title></head><body><h1>Layanan</h1>\
         <img src=\"http://127.0.0.1:{watch}/ip.png\">\
         <img src=\"http://watch.example.test:{watch}/name.png\">\
         <img src=\"http://[::1]:{watch}/v6.png\">\
         <iframe src=\"http://localhost:{watch}/frame\"></iframe>\
         <script>fetch('http://127.0.0.1:{watch}/fetch')</script></body></html>"
    );
    let to = format!("http://127.0.0.1:{watch}/redirected");
    let app = axum::Router::new()
        .route(
            "/",
            axum::routing::get(move || {
                let page = page.clone();
                async move { axum::response::Html(page) }
            }),
        )
        .route(
            "/go",
            axum::routing::get(move || {
                let to = to.clone();
                async move { axum::response::Redirect::temporary(&to) }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    port
}

#[tokio::test]
async fn the_capture_and_its_screenshot_reach_the_system_only() {
    if support::require("chromium").is_none() {
        return;
    }
    let (watch, hits) = watcher().await;
    let site = hostile_site(watch).await;
    let host = Hostname::parse("layanan.example.test").unwrap();
    let options = ProofOptions {
        connect_to: Some("127.0.0.1".parse().unwrap()),
        outbound: OutboundPolicy::loopback(),
        ..ProofOptions::default()
    };
    let page = url::Url::parse(&format!("http://layanan.example.test:{site}/")).unwrap();
    let target = ProofTarget::new(host.clone(), Some(page)).unwrap();
    let captured = proof::capture(&target, &options, now()).await;
    assert_eq!(captured.http.status, Some(200), "{:?}", captured.http);
    let Screenshot::Taken { width, .. } = &captured.screenshot else {
        panic!(
            "Chromium runs with its sandbox (as an unprivileged user under root): {:?}",
            captured.screenshot
        )
    };
    assert_eq!(*width, 1280);

    // A redirect to another host is recorded, not followed, by HTTP and by Chromium.
    let go = url::Url::parse(&format!("http://layanan.example.test:{site}/go")).unwrap();
    let target = ProofTarget::new(host, Some(go)).unwrap();
    let redirected = proof::capture(&target, &options, now()).await;
    assert_eq!(redirected.http.status, Some(307), "{:?}", redirected.http);
    assert!(
        redirected
            .http
            .final_url
            .as_deref()
            .unwrap_or("")
            .ends_with("/go"),
        "{:?}",
        redirected.http
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(hits.load(Ordering::SeqCst), 0, "a request leaked inward");
}

#[tokio::test]
async fn a_name_that_resolves_inward_is_not_fetched() {
    let Some(pdns) = PowerDns::start() else {
        return;
    };
    let (watch, hits) = watcher().await;
    // The test PowerDNS answers 127.0.0.1 for shop.example.test, as a hostile or careless
    // DNS record would: by default the capture refuses that address.
    let host = Hostname::parse("shop.example.test").unwrap();
    let url = url::Url::parse(&format!("http://shop.example.test:{watch}/")).unwrap();
    let target = ProofTarget::new(host, Some(url)).unwrap();
    let options = ProofOptions {
        resolver: Resolver::At(pdns.dns_address()),
        ..ProofOptions::default()
    };
    let captured = proof::capture(&target, &options, now()).await;
    assert_eq!(captured.dns.a, ["127.0.0.1"], "{:?}", captured.dns);
    let error = captured.http.error.clone().unwrap_or_default();
    assert!(error.contains("SIGAP_OUTBOUND_ALLOW"), "{error}");
    assert_eq!(captured.connected_to, None);
    assert!(matches!(
        captured.screenshot,
        Screenshot::NotPossible { .. }
    ));
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the inward address was fetched"
    );
    // Another host or credentials cannot be slipped in as the capture's URL.
    let shop = Hostname::parse("shop.example.test").unwrap();
    for other in [
        "http://127.0.0.1/",
        "http://evil.test/",
        "http://u:p@shop.example.test/",
    ] {
        let url = url::Url::parse(other).unwrap();
        assert!(
            ProofTarget::new(shop.clone(), Some(url)).is_err(),
            "{other}"
        );
    }
}
