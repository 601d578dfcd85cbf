//! Migrations as several instances meet them: instances opening a new database at the same
//! moment all start (on PostgreSQL one migrates under the advisory lock while the others
//! wait, then find nothing to do), and an instance refuses a database that a newer sigap
//! has migrated, saying so, and leaves the lock free for the next.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use sigap_store::{Store, StoreError, StoreOptions};
use sigap_testkit::{Backend, TestDatabase};
use sqlx::Connection;

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    instances_opening_together_migrate_once: sqlite_instances_opening_together_migrate_once,
        postgres_instances_opening_together_migrate_once;
    a_newer_database_is_refused: sqlite_a_newer_database_is_refused,
        postgres_a_newer_database_is_refused;
}

async fn execute(backend: Backend, url: &str, sql: &str) {
    match backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&mut c)
                .await
                .unwrap();
            c.close().await.unwrap();
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&mut c)
                .await
                .unwrap();
            c.close().await.unwrap();
        }
    }
}

async fn applied_migrations(backend: Backend, url: &str) -> (i64, i64) {
    let sql = "SELECT COUNT(*), COUNT(DISTINCT version) FROM _sqlx_migrations";
    match backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::query_as(sql).fetch_one(&mut c).await.unwrap()
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query_as(sql).fetch_one(&mut c).await.unwrap()
        }
    }
}

async fn instances_opening_together_migrate_once(backend: Backend) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let options = StoreOptions::default();
    let opened =
        futures::future::join_all((0..4).map(|_| Store::open(&database.url, &options))).await;
    let stores: Vec<Store> = opened
        .into_iter()
        .map(|s| s.expect("every instance starts"))
        .collect();
    let (rows, versions) = applied_migrations(backend, &database.url).await;
    assert_eq!(rows, versions, "each migration is applied once");
    for store in &stores {
        let version = store.schema_version().await.unwrap();
        assert!(version.applied(), "{version:?}");
        assert_eq!(version.database, version.server);
        assert_eq!(version.server, rows_newest(backend, &database.url).await);
    }
    for store in stores {
        store.close().await;
    }
}

async fn rows_newest(backend: Backend, url: &str) -> i64 {
    let sql = "SELECT MAX(version) FROM _sqlx_migrations";
    match backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap()
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap()
        }
    }
}

async fn a_newer_database_is_refused(backend: Backend) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let options = StoreOptions::default();
    let store = Store::open(&database.url, &options).await.unwrap();
    let ours = store.schema_version().await.unwrap().server;
    store.close().await;
    // A migration this build does not have, as the next version of sigap would leave it.
    let bytes = match backend {
        Backend::Sqlite => "X'00'",
        Backend::Postgres => "'\\x00'::bytea",
    };
    execute(
        backend,
        &database.url,
        &format!(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
             execution_time) VALUES (99990101000000, 'from a newer sigap', TRUE, {bytes}, 1)"
        ),
    )
    .await;
    let refused = Store::open(&database.url, &options).await.unwrap_err();
    assert!(
        matches!(
            refused,
            StoreError::NewerSchema { database: 99990101000000, server } if server == ours
        ),
        "{refused:?}"
    );
    let said = refused.to_string();
    assert!(
        said.contains("newer sigap") && said.contains("99990101000000"),
        "{said}"
    );
    // The refusal left no lock behind: once the database is as this build knows it, the
    // next start goes through at once.
    execute(
        backend,
        &database.url,
        "DELETE FROM _sqlx_migrations WHERE version = 99990101000000",
    )
    .await;
    let again = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        Store::open(&database.url, &options),
    )
    .await
    .expect("no lock is left held")
    .unwrap();
    assert!(again.schema_version().await.unwrap().applied());
    again.close().await;
}
