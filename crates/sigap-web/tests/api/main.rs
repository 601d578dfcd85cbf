//! The HTTP integration suite: every test boots the real app (`sigap_testkit::spawn_app`)
//! over a fresh database and speaks HTTP to it, as a client would. Each test runs twice,
//! on SQLite and on PostgreSQL; the PostgreSQL run is skipped when
//! `SIGAP_TEST_POSTGRES_URL` is unset (and fails when `SIGAP_REQUIRE_POSTGRES=1`).

// Test helpers outside `#[test]` functions may unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// Generates a SQLite and a PostgreSQL `#[tokio::test]` for each `async fn test(app: TestApp)`.
macro_rules! both {
    ($($test:ident: $(#[$sqlite_attr:meta])* $sqlite:ident, $(#[$postgres_attr:meta])* $postgres:ident;)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            $(#[$sqlite_attr])*
            async fn $sqlite() {
                let app = sigap_testkit::spawn_app(sigap_testkit::Backend::Sqlite)
                    .await
                    .expect("the SQLite backend always runs");
                $test(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            $(#[$postgres_attr])*
            async fn $postgres() {
                let Some(app) = sigap_testkit::spawn_app(sigap_testkit::Backend::Postgres).await else {
                    return;
                };
                $test(app).await;
            }
        )*
    };
}

/// Generates a SQLite and a PostgreSQL `#[tokio::test]` for each `async fn test(backend)`
/// that boots its own app (with rules of its own).
macro_rules! each_backend {
    ($($test:ident: $sqlite:ident, $postgres:ident;)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $sqlite() {
                $test(Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $postgres() {
                $test(Backend::Postgres).await;
            }
        )*
    };
}

mod accounts;
mod antispam;
mod audit;
mod blocking;
mod concurrency;
mod config;
mod deadlines;
mod documents;
mod evidence;
mod intake;
mod issued;
mod limits;
mod listing;
mod mail;
mod meetings;
mod paperwork;
mod previews;
mod privacy;
mod problems;
mod records;
mod refusals;
mod reporter;
mod routing;
mod service;
mod settings;
mod tokens;
mod walk;
mod webhooks;
