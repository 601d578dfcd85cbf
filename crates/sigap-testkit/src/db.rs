//! A fresh database per test: a temporary directory holding an SQLite file, or a throw-away
//! PostgreSQL database `sigap_t_<hex>` created next to the one `SIGAP_TEST_POSTGRES_URL`
//! names and dropped (with `FORCE`) when the test ends.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Once;

use sqlx::Connection;

/// The database engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The environment variable naming the PostgreSQL server tests create databases on.
pub const POSTGRES_URL_VAR: &str = "SIGAP_TEST_POSTGRES_URL";
/// Set to `1` (as CI does) to make a missing PostgreSQL URL fail instead of skipping.
pub const REQUIRE_POSTGRES_VAR: &str = "SIGAP_REQUIRE_POSTGRES";

static SKIP_NOTICE: Once = Once::new();

/// The base PostgreSQL URL, or `None` (after saying so once) when it is not configured.
/// Panics when `SIGAP_REQUIRE_POSTGRES=1` and the URL is missing.
pub fn postgres_base_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().to_owned()),
        _ => {
            if std::env::var(REQUIRE_POSTGRES_VAR).is_ok_and(|v| v.trim() == "1") {
                panic!("{REQUIRE_POSTGRES_VAR}=1 but {POSTGRES_URL_VAR} is not set");
            }
            SKIP_NOTICE.call_once(|| {
                // Written to the process's stderr directly, past the test harness's capture,
                // so that a skipped suite is visible in every run.
                let _ = writeln!(
                    std::io::stderr(),
                    "postgres suite skipped: {POSTGRES_URL_VAR} is not set"
                );
            });
            None
        }
    }
}

fn random_hex() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDatabase {
    pub backend: Backend,
    /// The URL the app opens (`sqlite://…` or `postgres://…`).
    pub url: String,
    /// A directory of its own for the test (SQLite file, evidence blobs).
    pub dir: PathBuf,
    /// PostgreSQL: the server's base URL and the database to drop at the end.
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// Creates a fresh, empty database; `None` when the backend is PostgreSQL and no server
    /// is configured.
    pub async fn create(backend: Backend) -> Option<TestDatabase> {
        // Asked first, so that a skipped test leaves no directory behind.
        let postgres_base = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(postgres_base_url()?),
        };
        let dir = std::env::temp_dir().join(format!("sigap-test-{}", random_hex()));
        std::fs::create_dir_all(&dir).expect("create the test directory");
        match postgres_base {
            None => {
                let url = format!("sqlite://{}", dir.join("sigap.db").display());
                Some(TestDatabase {
                    backend,
                    url,
                    dir,
                    postgres: None,
                })
            }
            Some(base) => {
                let name = format!("sigap_t_{}", random_hex());
                let mut conn = sqlx::PgConnection::connect(&base)
                    .await
                    .unwrap_or_else(|e| {
                        panic!("cannot connect to {POSTGRES_URL_VAR} ({base}): {e}")
                    });
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create the test database");
                let _ = conn.close().await;
                let mut url = url::Url::parse(&base).expect("SIGAP_TEST_POSTGRES_URL is a URL");
                url.set_path(&format!("/{name}"));
                Some(TestDatabase {
                    backend,
                    url: url.to_string(),
                    dir,
                    postgres: Some((base, name)),
                })
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((base, name)) = self.postgres.take() {
            // Drop runs inside the test's runtime, where blocking on another runtime is not
            // allowed; a thread of its own may block. `FORCE` ends the app's connections.
            let dropper = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async move {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&base).await {
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                            .execute(&mut conn)
                            .await;
                        let _ = conn.close().await;
                    }
                });
            });
            let _ = dropper.join();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
