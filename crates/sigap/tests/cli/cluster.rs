//! Two instances of `sigap serve` as a data centre runs them: one PostgreSQL database, the
//! files in an S3-compatible store (moto), mail to an SMTP server, a real nginx in front
//! dealing requests round robin, all on loopback. The instances start at the same moment on
//! the empty database (one migrates, the other waits on the advisory lock). A report goes
//! through the whole SOP with every request going through nginx, which sends them to one
//! instance and the next in turn (its access log names the instance of each): the evidence
//! sent to one is previewed by the other, a document issued by one is downloaded from both,
//! a web session opened on one is honoured by the other. Each mail and each deadline notice
//! is sent once although both workers run. Then one instance is killed with `kill -9` in
//! the middle of a burst of reports: every acknowledged report is there, the numbers have
//! no gap, and the walk of a second ticket is finished on the instance left.
//!
//! Needs PostgreSQL (`SIGAP_TEST_POSTGRES_URL`), moto and nginx; skipped without them
//! unless required (`SIGAP_REQUIRE_POSTGRES`, `SIGAP_REQUIRE_S3`,
//! `SIGAP_REQUIRE_BLOCKING_SERVERS`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use sigap_notify::sink::SmtpSink;
use sigap_testkit::remote::{PNG_1X1, Remote};
use sigap_testkit::s3::S3Server;
use sigap_testkit::{Backend, TestDatabase, seed};
use sqlx::Connection;

/// The server key every instance is given.
const KEY: &str = "6b6579206f6620746865207465737420636c7573746572206f66207369676170";
const PREFIX: &str = "cluster";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn nginx_binary() -> Option<PathBuf> {
    let found = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    if found.is_none() {
        if std::env::var("SIGAP_REQUIRE_BLOCKING_SERVERS").as_deref() == Ok("1") {
            panic!("nginx is required but not installed");
        }
        eprintln!("skipped: nginx is not installed (scripts/test installs it)");
    }
    found
}

/// nginx in front of the instances, round robin, its access log naming the instance that
/// answered each request.
struct Nginx {
    dir: tempfile::TempDir,
    port: u16,
    child: std::process::Child,
}

impl Nginx {
    fn start(binary: &Path, upstreams: &[u16]) -> Nginx {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::set_permissions(root, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let port = free_port();
        let servers: String = upstreams
            .iter()
            // Never taken out of the rotation (`max_fails=0`): requests alternate strictly;
            // one that cannot reach an instance is passed to the other.
            .map(|p| format!("    server 127.0.0.1:{p} max_fails=0;\n"))
            .collect();
        let r = root.display();
        let conf = format!(
            "daemon off;\nworker_processes 1;\npid {r}/nginx.pid;\nerror_log {r}/error.log;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  log_format upstream '$request_method $uri $status $upstream_addr';\n\
             access_log {r}/access.log upstream;\n  client_body_temp_path {r}/tmp_body;\n\
             proxy_temp_path {r}/tmp_proxy;\n  fastcgi_temp_path {r}/tmp_fastcgi;\n\
             uwsgi_temp_path {r}/tmp_uwsgi;\n  scgi_temp_path {r}/tmp_scgi;\n\
             client_max_body_size 64m;\n\
             upstream sigap {{\n{servers}  }}\n\
             server {{\n    listen 127.0.0.1:{port};\n    location / {{\n\
             proxy_pass http://sigap;\n      proxy_next_upstream error timeout;\n\
             proxy_set_header Host $http_host;\n\
             proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n    }}\n  }}\n}}\n"
        );
        std::fs::write(root.join("nginx.conf"), conf).unwrap();
        let child = std::process::Command::new(binary)
            .args(["-c", &root.join("nginx.conf").to_string_lossy(), "-e"])
            .arg(root.join("error.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "nginx did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Nginx { dir, port, child }
    }

    /// The upstreams that answered the requests for `path`, once nginx has logged `n` of
    /// them (it writes a request's line after the answer has gone).
    async fn answered(&self, method: &str, path: &str, n: usize) -> BTreeSet<String> {
        let started = Instant::now();
        loop {
            let lines: Vec<_> = self
                .log()
                .into_iter()
                .filter(|(m, uri, _, _)| m == method && uri == path)
                .collect();
            if lines.len() >= n || started.elapsed() > Duration::from_secs(5) {
                return lines.into_iter().map(|(_, _, _, up)| up).collect();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// (method, path, status, the upstream that answered) of every request so far.
    fn log(&self) -> Vec<(String, String, u16, String)> {
        let text = std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default();
        text.lines()
            .filter_map(|l| {
                let mut parts = l.splitn(4, ' ');
                Some((
                    parts.next()?.to_owned(),
                    parts.next()?.to_owned(),
                    parts.next()?.parse().ok()?,
                    parts.next()?.to_owned(),
                ))
            })
            .collect()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One `sigap serve`.
struct Instance {
    port: u16,
    child: tokio::process::Child,
    log: PathBuf,
}

fn start_instance(data: &Path, port: u16, env: &[(String, String)]) -> Instance {
    std::fs::create_dir_all(data).unwrap();
    let log = data.join("serve.log");
    let out = std::fs::File::create(&log).unwrap();
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_sigap"))
        .arg("serve")
        .env("SIGAP_DATA_DIR", data)
        .env("SIGAP_LISTEN", format!("127.0.0.1:{port}"))
        .env_remove("SIGAP_SECRET_KEY_FILE")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::from(out.try_clone().unwrap()))
        .stderr(Stdio::from(out))
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    Instance { port, child, log }
}

async fn wait_ready(client: &reqwest::Client, port: u16, log: &Path) {
    let started = Instant::now();
    loop {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            && r.status() == StatusCode::OK
        {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "instance {port} not ready: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Seeds the registries, users and tokens through the use cases, under the cluster's key.
async fn seed_registries(url: &str, s3: &S3Server) -> seed::Seed {
    let store = sigap_store::Store::open(url, &sigap_store::StoreOptions::default())
        .await
        .unwrap();
    let rules = sigap_app::Rules {
        secret_key: sigap_app::identity::totp::SecretKey::from_hex(KEY).unwrap(),
        ..sigap_app::Rules::default()
    };
    #[allow(clippy::disallowed_methods)] // the instances run on the real clock
    let clock = Arc::new(sigap_core::ManualClock::new(chrono::Utc::now()));
    let app = sigap_app::App::new(
        store,
        s3.blob_store(PREFIX),
        rules,
        sigap_app::Policy::default(),
        clock,
    );
    let seeded = seed::seed(&app).await;
    app.store.close().await;
    seeded
}

async fn database(url: &str) -> sqlx::PgConnection {
    sqlx::PgConnection::connect(url).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_behind_nginx_walk_the_sop_and_survive_a_kill() {
    let Some(db) = TestDatabase::create(Backend::Postgres).await else {
        return;
    };
    let Some(nginx_bin) = nginx_binary() else {
        return;
    };
    let Some(s3) = S3Server::start("sigap-cluster").await else {
        return;
    };
    let sink = SmtpSink::start().await.unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let ports = [free_port(), free_port()];
    let nginx = Nginx::start(&nginx_bin, &ports);
    let front_url = format!("http://127.0.0.1:{}", nginx.port);
    let mut env: Vec<(String, String)> = vec![
        ("SIGAP_DATABASE_URL".into(), db.url.clone()),
        ("SIGAP_SECRET_KEY".into(), KEY.into()),
        ("SIGAP_BLOB_URL".into(), s3.url(PREFIX)),
        ("SIGAP_SMTP_URL".into(), sink.url()),
        ("SIGAP_PUBLIC_URL".into(), front_url.clone()),
        ("SIGAP_TRUSTED_PROXIES".into(), "127.0.0.1".into()),
        ("SIGAP_REPORTS_PER_HOUR".into(), "0".into()),
        ("SIGAP_REPORTS_PER_HOUR_WITHOUT_PROOF".into(), "0".into()),
        ("SIGAP_TOTP_REQUIRED_ROLES".into(), "none".into()),
        ("SIGAP_PROOF".into(), "off".into()),
        ("SIGAP_LOG".into(), "info".into()),
    ];
    env.extend(s3.env());
    // Both start at once on the empty database.
    let dirs = [db.dir.join("a"), db.dir.join("b")];
    let mut instances = vec![
        start_instance(&dirs[0], ports[0], &env),
        start_instance(&dirs[1], ports[1], &env),
    ];
    for instance in &instances {
        wait_ready(&client, instance.port, &instance.log).await;
    }
    let seeded = seed_registries(&db.url, &s3).await;
    let front = Remote::new(&front_url, seeded.tokens.clone());

    let picture = ("layar.png", PNG_1X1);
    let first = front
        .report("https://ppdb.disdik.batam.go.id/cari?nisn=1", picture)
        .await
        .unwrap();
    let second = front
        .report("https://sekolah.batam.go.id/login", picture)
        .await
        .unwrap();
    let ticket = front.drive(&first, "assessing").await;
    for instance in &mut instances {
        let gone = instance.child.try_wait().unwrap();
        assert!(
            gone.is_none(),
            "an instance ended ({gone:?}): {}",
            std::fs::read_to_string(&instance.log).unwrap_or_default()
        );
    }
    served_by_both(&front, &nginx, &first, &ticket).await;
    web_session_on_both(&front, &nginx, &db, &first).await;

    // The second ticket's assessment is a day overdue: the deadline clock of both workers
    // sees it, and its escalation goes once.
    front.drive(&second, "assessing").await;
    let mut c = database(&db.url).await;
    sqlx::query(
        "UPDATE tickets SET due_at = due_at - CAST(2592000000 AS BIGINT) WHERE number = $1",
    )
    .bind(&second)
    .execute(&mut c)
    .await
    .unwrap();
    front.drive(&first, "closed").await;

    let escalations = wait_for_escalation(&sink, &second).await;
    mail_went_once(&sink, &db.url).await;
    assert_eq!(escalations, 1, "one escalation of {second} per recipient");

    killed_under_load(&front, &mut instances, &db.url).await;
    // The walk of the second ticket is finished on the instance left.
    front.drive(&second, "closed").await;
    let log = nginx.log();
    let last: Vec<_> = log.iter().rev().take(10).collect();
    assert!(
        last.iter()
            .all(|(_, _, _, up)| up.ends_with(&format!(":{}", ports[1]))),
        "after the kill only the second instance answers: {last:?}"
    );
    audit_chain_verifies(&db, &dirs[1]).await;
}

/// The evidence and the minutes of `number`, each fetched twice in a row through nginx:
/// once from each instance, the same bytes.
async fn served_by_both(front: &Remote, nginx: &Nginx, number: &str, ticket: &Value) {
    let evidence = ticket["evidence"][0]["id"].as_i64().unwrap();
    let docs: Value = front
        .get("csirt", &format!("/api/v1/tickets/{number}/documents"))
        .await
        .json()
        .await
        .unwrap();
    let document = docs[0]["id"].as_i64().unwrap();
    for path in [
        format!("/api/v1/tickets/{number}/evidence/{evidence}/preview"),
        format!("/api/v1/tickets/{number}/evidence/{evidence}"),
        format!("/api/v1/documents/{document}"),
    ] {
        let mut bodies = Vec::new();
        for _ in 0..2 {
            let r = front.get("csirt", &path).await;
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            bodies.push(r.bytes().await.unwrap());
        }
        assert_eq!(bodies[0], bodies[1], "{path}");
        let upstreams = nginx.answered("GET", &path, 2).await;
        assert_eq!(
            upstreams.len(),
            2,
            "{path} was served by {upstreams:?}; nginx: {}; its log: {:?}",
            std::fs::read_to_string(nginx.dir.path().join("error.log")).unwrap_or_default(),
            nginx.log()
        );
    }
    // Round robin: of the requests so far, each instance answered about half.
    let mut per: BTreeMap<String, usize> = BTreeMap::new();
    for (_, _, _, up) in nginx.log() {
        *per.entry(up).or_default() += 1;
    }
    let counts: Vec<usize> = per.values().copied().collect();
    assert_eq!(counts.len(), 2, "{per:?}");
    assert!(counts[0].abs_diff(counts[1]) <= 2, "{per:?}");
}

/// A staff member signs in through nginx; the session opened on one instance is honoured
/// on the other.
async fn web_session_on_both(front: &Remote, nginx: &Nginx, db: &TestDatabase, number: &str) {
    let email = seed::ROLES.iter().find(|r| r.0 == "helpdesk").unwrap().1;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sigap"))
        .args(["user", "reset-password", "--email", email])
        .env("SIGAP_DATA_DIR", db.dir.join("cli"))
        .env("SIGAP_DATABASE_URL", &db.url)
        .env("SIGAP_SECRET_KEY", KEY)
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    let password = printed
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .unwrap_or_else(|| panic!("{printed}{}", String::from_utf8_lossy(&out.stderr)))
        .to_owned();
    let page = front
        .client
        .get(format!("{}/login", front.base))
        .send()
        .await
        .unwrap();
    let csrf_cookie = cookie(&page, "sigap_csrf").expect("csrf cookie");
    let html = page.text().await.unwrap();
    let token = html
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    // A browser's view: redirects are read, not followed (the cookie goes by hand).
    let browser = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed_in = browser
        .post(format!("{}/login", front.base))
        .header("Cookie", format!("sigap_csrf={csrf_cookie}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("email", email)
                .append_pair("password", &password)
                .append_pair("csrf_token", &token)
                .finish(),
        )
        .send()
        .await
        .unwrap();
    let status = signed_in.status();
    if !status.is_redirection() {
        let text = signed_in.text().await.unwrap();
        let start = text.find("<main").unwrap_or(0);
        panic!("{status}: {}", &text[start..(start + 1500).min(text.len())]);
    }
    let session = cookie(&signed_in, "sigap_session").expect("a session");
    let path = format!("/tickets/{number}");
    for _ in 0..2 {
        let page = browser
            .get(format!("{}{path}", front.base))
            .header("Cookie", format!("sigap_session={session}"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains(number));
    }
    let upstreams = nginx.answered("GET", &path, 2).await;
    assert_eq!(upstreams.len(), 2, "the page came from {upstreams:?}");
}

fn cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// Waits (the deadline clock runs once a minute in each worker) for the escalation of
/// `number`; answers how many copies each recipient got (the most of any).
async fn wait_for_escalation(sink: &SmtpSink, number: &str) -> usize {
    let started = Instant::now();
    loop {
        let mut per: HashMap<String, usize> = HashMap::new();
        for mail in sink.received() {
            let Some(parsed) = mail.parsed() else {
                continue;
            };
            let subject = parsed.subject().unwrap_or_default();
            let body = parsed.body_text(0).unwrap_or_default();
            if subject.contains("Eskalasi") && (subject.contains(number) || body.contains(number)) {
                *per.entry(mail.rcpt_to.join(",")).or_default() += 1;
            }
        }
        if !per.is_empty() {
            // A second copy would come within the worker's next chores: wait past them.
            tokio::time::sleep(Duration::from_secs(5)).await;
            return per.values().copied().max().unwrap_or(0);
        }
        assert!(
            started.elapsed() < Duration::from_secs(150),
            "no escalation of {number}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Every mail job is done, and the SMTP server got each message once (its recipients and
/// Message-ID).
async fn mail_went_once(sink: &SmtpSink, url: &str) {
    let mut c = database(url).await;
    let started = Instant::now();
    loop {
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'mail' AND state IN ('pending', 'running')",
        )
        .fetch_one(&mut c)
        .await
        .unwrap();
        if open == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{open} mail jobs left"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let done: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'mail' AND state = 'done'")
            .fetch_one(&mut c)
            .await
            .unwrap();
    let keys = super::shutdown::keys(sink);
    let unique: BTreeSet<&String> = keys.iter().collect();
    assert_eq!(unique.len(), keys.len(), "a message went twice");
    assert!(done > 5, "{done} messages");
    assert_eq!(keys.len() as i64, done, "each mail job is one message");
}

/// A burst of reports through nginx; the first instance is killed with SIGKILL while it
/// runs. Every report acknowledged with 201 is there, and the ticket numbers have no gap.
async fn killed_under_load(front: &Remote, instances: &mut [Instance], url: &str) {
    let mut burst = tokio::task::JoinSet::new();
    for i in 0..60 {
        let one = front.clone();
        burst.spawn(async move {
            tokio::time::sleep(Duration::from_millis(i * 20)).await;
            one.report(
                &format!("https://ppdb.disdik.batam.go.id/halaman/{i}"),
                ("layar.png", PNG_1X1),
            )
            .await
        });
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pid = instances[0].child.id().unwrap();
    let pid = rustix::process::Pid::from_raw(i32::try_from(pid).unwrap()).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::KILL).unwrap();
    let _ = instances[0].child.wait().await;
    let mut acknowledged = Vec::new();
    let mut failed = 0;
    while let Some(done) = burst.join_next().await {
        match done.unwrap() {
            Ok(number) => acknowledged.push(number),
            Err(_) => failed += 1,
        }
    }
    assert!(
        acknowledged.len() >= 40,
        "{} acknowledged, {failed} failed",
        acknowledged.len()
    );
    for number in &acknowledged {
        let r = front
            .get("csirt", &format!("/api/v1/tickets/{number}"))
            .await;
        assert_eq!(
            r.status(),
            StatusCode::OK,
            "{number} acknowledged but not found"
        );
    }
    let mut c = database(url).await;
    let seqs: Vec<i64> = sqlx::query_scalar("SELECT seq FROM tickets ORDER BY seq")
        .fetch_all(&mut c)
        .await
        .unwrap();
    let expected: Vec<i64> = (1..=i64::try_from(seqs.len()).unwrap()).collect();
    assert_eq!(seqs, expected, "the numbers have no gap");
}

/// The audit chain, written by both instances and the seeding, verifies under the key.
async fn audit_chain_verifies(db: &TestDatabase, data: &Path) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sigap"))
        .args(["audit", "verify"])
        .env("SIGAP_DATA_DIR", data)
        .env("SIGAP_DATABASE_URL", &db.url)
        .env("SIGAP_SECRET_KEY", KEY)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && said.contains("intact"),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
