//! Test servers on loopback high ports: nginx and PowerDNS run as child processes with their
//! own configuration in a temporary folder, and are killed when dropped. When a binary is
//! missing the test is skipped with a notice, unless `SIGAP_REQUIRE_BLOCKING_SERVERS=1`.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// Says that `what` is missing: a panic when the servers are required, else a notice.
pub fn missing(what: &str) {
    if std::env::var("SIGAP_REQUIRE_BLOCKING_SERVERS").as_deref() == Ok("1") {
        panic!("{what} is required (SIGAP_REQUIRE_BLOCKING_SERVERS=1) but not installed");
    }
    eprintln!("skipped: {what} is not installed (scripts/test installs it)");
}

/// The path of `binary`, or `None` (after a notice) when it is missing and not required.
pub fn require(binary: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(["/usr/sbin", "/usr/bin", "/sbin"].map(PathBuf::from))
        .map(|folder| folder.join(binary))
        .find(|path| path.is_file());
    if found.is_none() {
        missing(&format!("`{binary}`"));
    }
    found
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A loopback UDP+TCP port pair free right now (the same number for both).
pub fn free_dns_port() -> u16 {
    loop {
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = udp.local_addr().unwrap().port();
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

fn world_readable(path: &Path) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn run(command: &mut Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// An nginx serving `www/index.html` on 127.0.0.1:`port`, with the sigap map included, and
/// a maintenance server on 127.0.0.2:`port` (where DNS-based blocks can point hosts).
pub struct Nginx {
    pub dir: TempDir,
    pub port: u16,
    /// The https port (a self-signed certificate for `shop.example.test`), when `openssl`
    /// was there to make the certificate.
    pub tls_port: Option<u16>,
    pub binary: PathBuf,
    child: Child,
}

/// The original page of the test host.
pub const ORIGINAL_TITLE: &str = "Toko Online Kota";

impl Nginx {
    pub fn start() -> Option<Nginx> {
        let binary = require("nginx")?;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        world_readable(root);
        for folder in ["www", "maintenance"] {
            std::fs::create_dir(root.join(folder)).unwrap();
            world_readable(&root.join(folder));
        }
        let page = format!(
            "<html><head><title>{ORIGINAL_TITLE}</title></head><body>Selamat datang</body></html>\n"
        );
        std::fs::write(root.join("www/index.html"), page).unwrap();
        std::fs::write(root.join("suspended.map"), "").unwrap();
        let port = free_port();
        let tls_port = self_signed_certificate(root).then(free_port);
        let mut conf = nginx_conf(root, port);
        if let Some(tls_port) = tls_port {
            conf = conf.replacen(
                "http {",
                &format!("http {{\n{}", tls_server(root, tls_port)),
                1,
            );
        }
        std::fs::write(root.join("nginx.conf"), conf).unwrap();
        let child = Command::new(&binary)
            .args(["-c", &root.join("nginx.conf").to_string_lossy(), "-e"])
            .arg(root.join("error.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let nginx = Nginx {
            dir,
            port,
            tls_port,
            binary,
            child,
        };
        wait_until(
            || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok(),
            "nginx to listen",
        );
        Some(nginx)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn map_file(&self) -> PathBuf {
        self.path("suspended.map")
    }

    pub fn page_file(&self) -> PathBuf {
        self.path("maintenance/sigap-maintenance.html")
    }

    fn command(&self, arguments: &str) -> String {
        let conf = self.path("nginx.conf");
        let log = self.path("error.log");
        format!(
            "{} -c {} -e {} {arguments}",
            self.binary.display(),
            conf.display(),
            log.display()
        )
    }

    /// The nginx adapter's parameters for this instance.
    pub fn params(&self) -> BTreeMap<String, String> {
        params(&[
            ("map_file", &self.map_file().to_string_lossy()),
            ("page_file", &self.page_file().to_string_lossy()),
            ("test_command", &self.command("-t -q")),
            ("reload_command", &self.command("-s reload")),
        ])
    }

    /// The URL of `host` at this instance.
    pub fn url(&self, host: &str) -> url::Url {
        url::Url::parse(&format!("http://{host}:{}/", self.port)).unwrap()
    }

    /// Status and body of `/` for `host`.
    pub async fn get(&self, host: &str) -> (u16, String) {
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let response = client
            .get(format!("http://127.0.0.1:{}/", self.port))
            .header("Host", host)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// Waits (nginx reloads in the background) until `host` answers with `status`.
    pub async fn wait_for_status(&self, host: &str, status: u16) -> String {
        let start = Instant::now();
        loop {
            let (now, body) = self.get(host).await;
            if now == status {
                return body;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "{host} still answers {now}: {body}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Nginx {
    /// SIGTERM, not SIGKILL: the master then stops its workers, which would otherwise be
    /// left holding the port.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// Writes `cert.pem` and `key.pem` (CN `shop.example.test`, 30 days) with openssl.
fn self_signed_certificate(root: &Path) -> bool {
    let Some(openssl) = require("openssl") else {
        return false;
    };
    let status = Command::new(openssl)
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
        ])
        .args(["-subj", "/CN=shop.example.test"])
        .arg("-keyout")
        .arg(root.join("key.pem"))
        .arg("-out")
        .arg(root.join("cert.pem"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    status.success()
}

fn tls_server(root: &Path, tls_port: u16) -> String {
    let root = root.display();
    format!(
        "  server {{\n    listen 127.0.0.1:{tls_port} ssl;\n    ssl_certificate {root}/cert.pem;\n\
    ssl_certificate_key {root}/key.pem;\n    root {root}/www;\n    index index.html;\n  }}\n"
    )
}

fn nginx_conf(root: &Path, port: u16) -> String {
    let root = root.display();
    format!(
        "daemon off;\nworker_processes 1;\npid {root}/nginx.pid;\nerror_log {root}/error.log;\n\
events {{ worker_connections 64; }}\n\
http {{\n  access_log off;\n  client_body_temp_path {root}/tmp_body;\n  proxy_temp_path {root}/tmp_proxy;\n\
  fastcgi_temp_path {root}/tmp_fastcgi;\n  uwsgi_temp_path {root}/tmp_uwsgi;\n  scgi_temp_path {root}/tmp_scgi;\n\
  types {{ text/html html; }}\n\
  map $host $sigap_suspended {{ default 0; include {root}/suspended.map; }}\n\
  server {{\n    listen 127.0.0.1:{port};\n    server_name _;\n    root {root}/www;\n\
    error_page 503 /sigap-maintenance.html;\n\
    location = /sigap-maintenance.html {{ root {root}/maintenance; internal; }}\n\
    location / {{ if ($sigap_suspended) {{ return 503; }} index index.html; }}\n  }}\n\
  server {{\n    listen 127.0.0.2:{port};\n    error_page 503 /sigap-maintenance.html;\n\
    location = /sigap-maintenance.html {{ root {root}/maintenance; internal; }}\n\
    location / {{ return 503; }}\n  }}\n}}\n"
    )
}

/// A PowerDNS authoritative server (SQLite backend) with the zone `example.test`:
/// `shop` A 127.0.0.1 and AAAA 2001:db8::10, `www` CNAME `shop.example.test.`, a TSIG key
/// allowed to update the zone, the HTTP API with an API key.
pub struct PowerDns {
    pub dir: TempDir,
    pub dns_port: u16,
    pub api_port: u16,
    child: Child,
}

pub const API_KEY: &str = "test-api-key-7f3a";
pub const TSIG_NAME: &str = "sigap-test";
pub const TSIG_SECRET: &str = "c2lnYXAtdGVzdC10c2lnLXNlY3JldC0zMi1ieXRlcyE=";
pub const ZONE: &str = "example.test";

impl PowerDns {
    pub fn start() -> Option<PowerDns> {
        let server = require("pdns_server")?;
        let pdnsutil = require("pdnsutil")?;
        let sqlite3 = require("sqlite3")?;
        let schema = [
            "/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql",
            "/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql",
        ]
        .into_iter()
        .map(PathBuf::from)
        .find(|path| path.is_file());
        let Some(schema) = schema else {
            missing("the pdns-backend-sqlite3 schema");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_owned();
        let database = root.join("pdns.sqlite3");
        run(Command::new(sqlite3)
            .arg(&database)
            .stdin(std::fs::File::open(schema).unwrap()));
        let (dns_port, api_port) = (free_dns_port(), free_port());
        std::fs::write(root.join("pdns.conf"), pdns_conf(&root, dns_port, api_port)).unwrap();
        let config_dir = format!("--config-dir={}", root.display());
        let util =
            |arguments: &[&str]| run(Command::new(&pdnsutil).arg(&config_dir).args(arguments));
        util(&["create-zone", ZONE, "ns1.example.test"]);
        util(&["add-record", ZONE, "shop", "A", "3600", "127.0.0.1"]);
        util(&["add-record", ZONE, "shop", "AAAA", "3600", "2001:db8::10"]);
        util(&[
            "add-record",
            ZONE,
            "www",
            "CNAME",
            "1800",
            "shop.example.test.",
        ]);
        util(&["import-tsig-key", TSIG_NAME, "hmac-sha256", TSIG_SECRET]);
        util(&["set-meta", ZONE, "TSIG-ALLOW-DNSUPDATE", TSIG_NAME]);
        let child = Command::new(server)
            .arg(&config_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let pdns = PowerDns {
            dir,
            dns_port,
            api_port,
            child,
        };
        wait_until(
            || std::net::TcpStream::connect(("127.0.0.1", api_port)).is_ok(),
            "the PowerDNS API",
        );
        Some(pdns)
    }

    pub fn api_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.api_port)
    }

    pub fn dns_address(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.dns_port))
    }

    /// The powerdns adapter's parameters (the key in `SIGAP_ADAPTER_PDNS_TEST_KEY`).
    pub fn api_params(&self) -> BTreeMap<String, String> {
        params(&[
            ("api_url", &self.api_url()),
            ("api_key_env", "SIGAP_ADAPTER_PDNS_TEST_KEY"),
            ("zone", ZONE),
            ("maintenance_a", "192.0.2.80"),
            ("maintenance_aaaa", "2001:db8::80"),
        ])
    }

    /// The rfc2136 adapter's parameters (the secret in `SIGAP_ADAPTER_TSIG_TEST_SECRET`).
    pub fn update_params(&self) -> BTreeMap<String, String> {
        params(&[
            ("server", &self.dns_address().to_string()),
            ("zone", ZONE),
            ("tsig_name", TSIG_NAME),
            ("tsig_secret_env", "SIGAP_ADAPTER_TSIG_TEST_SECRET"),
            ("maintenance_a", "192.0.2.80"),
        ])
    }
}

impl Drop for PowerDns {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn pdns_conf(root: &Path, dns_port: u16, api_port: u16) -> String {
    let root = root.display();
    format!(
        "launch=gsqlite3\ngsqlite3-database={root}/pdns.sqlite3\nlocal-address=127.0.0.1\n\
local-port={dns_port}\nsocket-dir={root}\ndaemon=no\nguardian=no\ndisable-syslog=yes\nwrite-pid=no\n\
api=yes\napi-key={API_KEY}\nwebserver=yes\nwebserver-address=127.0.0.1\nwebserver-port={api_port}\n\
webserver-allow-from=127.0.0.0/8\ndnsupdate=yes\nallow-dnsupdate-from=127.0.0.0/8\n\
security-poll-suffix=\ncache-ttl=0\nnegquery-cache-ttl=0\nquery-cache-ttl=0\nconsistent-backends=yes\nloglevel=4\n"
    )
}

/// The environment the adapters read secrets from in tests.
pub fn test_env(variable: &str) -> Option<String> {
    match variable {
        "SIGAP_ADAPTER_PDNS_TEST_KEY" => Some(API_KEY.to_owned()),
        "SIGAP_ADAPTER_PDNS_WRONG_KEY" => Some("not-the-key".to_owned()),
        "SIGAP_ADAPTER_TSIG_TEST_SECRET" => Some(TSIG_SECRET.to_owned()),
        "SIGAP_ADAPTER_TSIG_WRONG_SECRET" => {
            Some("d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC13cm9uZyE=".to_owned())
        }
        "SIGAP_ADAPTER_HOOK_SECRET" => Some("hook-secret".to_owned()),
        _ => None,
    }
}

/// A parameter map from pairs.
pub fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn wait_until(mut ready: impl FnMut() -> bool, what: &str) {
    let start = Instant::now();
    while !ready() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
