//! The database's schema version. Migrations run once per database, one instance at a time:
//! on PostgreSQL under an advisory lock, so that instances started together wait for the
//! first one instead of racing; SQLite's single writer serialises them by itself. An
//! instance never runs on a database that a newer sigap has migrated: it would not know
//! the columns that version writes.

use sqlx::migrate::Migrator;

use crate::{Result, StoreError};

pub(crate) static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
pub(crate) static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// The key of the PostgreSQL advisory lock held while an instance migrates ("SIGAP" and 1).
pub(crate) const MIGRATION_LOCK: i64 = 0x5349_4741_5000_0001;

/// The schema version of the database and the one this build of sigap writes: the number
/// of the newest migration each knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SchemaVersion {
    pub database: i64,
    pub server: i64,
}

impl SchemaVersion {
    /// Every migration of this build has been applied (the database may be newer: an
    /// instance of the next version, upgraded first, has migrated it).
    pub fn applied(&self) -> bool {
        self.database >= self.server
    }
}

/// The newest migration `migrator` holds.
pub(crate) fn newest(migrator: &Migrator) -> i64 {
    migrator.iter().map(|m| m.version).max().unwrap_or(0)
}

/// Refuses a database whose newest applied migration is one this build does not have.
pub(crate) fn refuse_newer(migrator: &Migrator, database: i64) -> Result<()> {
    let server = newest(migrator);
    if database > server {
        return Err(StoreError::NewerSchema { database, server });
    }
    Ok(())
}

/// Whether the PostgreSQL database at `url` holds a sigap (its migrations table), without
/// migrating it: a restore goes only into one that does not.
pub async fn postgres_holds_sigap(url: &str) -> Result<bool> {
    use sqlx::Connection;
    let mut c = sqlx::PgConnection::connect(url).await?;
    let held: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(&mut c)
        .await?;
    c.close().await?;
    Ok(held)
}

/// The schema version of the database at `url` beside this build's, without creating or
/// migrating anything (`sigap doctor`): `None` when the SQLite file does not exist.
pub async fn inspect(url: &str) -> Result<Option<SchemaVersion>> {
    use sqlx::Connection;
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let mut c = sqlx::PgConnection::connect(url).await?;
        let database = crate::postgres::schema_version(&mut c).await?;
        c.close().await?;
        let server = newest(&POSTGRES);
        return Ok(Some(SchemaVersion { database, server }));
    }
    let Some(path) = url.strip_prefix("sqlite://") else {
        return Err(StoreError::Url(
            "expected sqlite://PATH or postgres://USER@HOST/DB".to_owned(),
        ));
    };
    let path = std::path::Path::new(path);
    if !path.exists() {
        return Ok(None);
    }
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false);
    let mut c = sqlx::SqliteConnection::connect_with(&options).await?;
    let database = crate::sqlite::schema_version(&mut c).await?;
    c.close().await?;
    let server = newest(&SQLITE);
    Ok(Some(SchemaVersion { database, server }))
}
