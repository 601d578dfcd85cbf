//! An S3-compatible server on loopback for the tests of blobs in object storage: moto's
//! server (`moto[server]` from PyPI, installed by `scripts/test` into
//! `~/.cache/sigap-moto`), which speaks S3's REST API with its signatures, errors, listing
//! and `Last-Modified` times. It runs as a child process on a free port and is killed when
//! dropped. When it is missing the test is skipped with a notice, unless
//! `SIGAP_REQUIRE_S3=1` (as `scripts/test` sets it).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sigap_store::BlobStore;

/// Set to `1` to make a missing S3 server fail instead of skipping.
pub const REQUIRE_S3_VAR: &str = "SIGAP_REQUIRE_S3";

/// The access key of the test server (moto takes any).
pub const ACCESS_KEY: &str = "sigap-uji";
pub const SECRET_KEY: &str = "rahasia-uji-s3";

/// A running S3 server with one bucket.
pub struct S3Server {
    pub endpoint: String,
    pub bucket: String,
    child: Child,
}

fn moto_server() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SIGAP_MOTO_SERVER") {
        return Some(PathBuf::from(path));
    }
    let home = std::env::var_os("HOME")?;
    let path = PathBuf::from(home).join(".cache/sigap-moto/bin/moto_server");
    path.is_file().then_some(path)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port()
}

impl S3Server {
    /// Starts the server and makes the bucket `bucket`; `None` (after a notice) when the
    /// server is not installed and not required.
    pub async fn start(bucket: &str) -> Option<S3Server> {
        let Some(binary) = moto_server() else {
            if std::env::var(REQUIRE_S3_VAR).as_deref() == Ok("1") {
                panic!("moto_server is required ({REQUIRE_S3_VAR}=1) but not installed");
            }
            eprintln!("skipped: moto_server is not installed (scripts/test installs it)");
            return None;
        };
        let port = free_port();
        let child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let server = S3Server {
            endpoint: format!("http://127.0.0.1:{port}"),
            bucket: bucket.to_owned(),
            child,
        };
        let client = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        let started = Instant::now();
        loop {
            if client.get(&server.endpoint).send().await.is_ok() {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "moto_server did not answer on {}",
                server.endpoint
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let made = client
            .put(format!("{}/{bucket}", server.endpoint))
            .send()
            .await
            .expect("make the bucket");
        assert!(made.status().is_success(), "bucket: {}", made.status());
        Some(server)
    }

    /// The settings a blob store needs for this server.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("aws_endpoint_url", self.endpoint.clone()),
            ("aws_access_key_id", ACCESS_KEY.to_owned()),
            ("aws_secret_access_key", SECRET_KEY.to_owned()),
            ("aws_region", "us-east-1".to_owned()),
            ("aws_allow_http", "true".to_owned()),
        ]
    }

    /// The same settings as the `AWS_*` environment of a `sigap` process.
    pub fn env(&self) -> Vec<(String, String)> {
        self.settings()
            .into_iter()
            .map(|(k, v)| (k.to_ascii_uppercase(), v))
            .collect()
    }

    /// `s3://bucket/prefix`.
    pub fn url(&self, prefix: &str) -> String {
        format!("s3://{}/{prefix}", self.bucket)
    }

    /// A blob store in this server's bucket under `prefix`.
    pub fn blob_store(&self, prefix: &str) -> BlobStore {
        let settings = self.settings();
        let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
        BlobStore::open(
            Some(&self.url(prefix)),
            std::path::Path::new("/nonexistent"),
            &pairs,
        )
        .expect("an S3 blob store")
    }

    /// The keys of the objects in the bucket under `prefix`, as the server lists them.
    pub async fn keys(&self, prefix: &str) -> Vec<String> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        let listing = client
            .get(format!(
                "{}/{}?list-type=2&prefix={prefix}",
                self.endpoint, self.bucket
            ))
            .send()
            .await
            .expect("list")
            .text()
            .await
            .expect("listing");
        listing
            .split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split("</Key>").next())
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
