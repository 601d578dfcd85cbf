//! The move of an installation from SQLite to PostgreSQL (`sigap store copy`): every table,
//! parents before children (the order read from the target's foreign keys), with its ids,
//! numbers, counters and the audit chain as they are, then each identity sequence set past
//! the highest id. The source is read in one read transaction (a consistent snapshot even
//! if a server still runs on it). Each table is copied in one target transaction that also
//! records it in `sigap_store_copy`, so a copy cut short resumes at the first table not
//! recorded; a target that holds data without that record is refused.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{QueryBuilder, Row};

use crate::{Backends, Result, Store, StoreError};

/// What a copy reports as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyEvent {
    /// A table begins: its rows in the source.
    Table { name: String, rows: u64 },
    /// Rows of the current table written (so far, in all).
    Rows { name: String, done: u64 },
    /// A table was copied by an earlier run and is left as it is.
    Skipped { name: String },
}

/// What a copy did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopySummary {
    /// Rows per table copied by this run.
    pub copied: BTreeMap<String, u64>,
    /// Tables an earlier run had copied.
    pub resumed: Vec<String>,
}

/// Tables whose rows make a database "in use": a target holding any is refused unless an
/// earlier copy wrote them.
const DATA_TABLES: &[&str] = &["agencies", "users", "tickets", "audit_log", "jobs"];

/// Rows read and inserted at a time.
const BATCH: i64 = 500;

/// How a PostgreSQL column's value is read from SQLite and bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Bool,
    Float,
    Bytes,
    /// Text, bound with a cast to the column's type (`jsonb`, …) when it is not text.
    Text,
}

#[derive(Debug, Clone)]
struct TargetColumn {
    name: String,
    kind: Kind,
    /// The cast after the bound text (`::jsonb`), or empty.
    cast: String,
    /// `GENERATED … AS IDENTITY`: an insert with its value says `OVERRIDING SYSTEM VALUE`.
    identity: bool,
    /// Its values come from a sequence (identity or serial), set past the copied ones.
    serial: bool,
}

fn kind_of(data_type: &str, udt: &str) -> (Kind, String) {
    match data_type {
        "bigint" | "integer" | "smallint" => (Kind::Int, String::new()),
        "boolean" => (Kind::Bool, String::new()),
        "double precision" | "real" | "numeric" => (Kind::Float, String::new()),
        "bytea" => (Kind::Bytes, String::new()),
        "text" | "character varying" | "character" => (Kind::Text, String::new()),
        _ => (Kind::Text, format!("::{udt}")),
    }
}

/// A value read from the source.
enum Value {
    Int(Option<i64>),
    Bool(Option<bool>),
    Float(Option<f64>),
    Bytes(Option<Vec<u8>>),
    Text(Option<String>),
}

impl Store {
    /// Copies this SQLite store into `target`, a PostgreSQL store migrated to the same
    /// version, calling `on` as it goes.
    pub async fn copy_to(
        &self,
        target: &Store,
        on: &mut (dyn FnMut(CopyEvent) + Send),
    ) -> Result<CopySummary> {
        let (Backends::Sqlite(source), Backends::Postgres(pg)) = (&self.backend, &target.backend)
        else {
            return Err(StoreError::Url(
                "the copy goes from an SQLite database to a PostgreSQL one".to_owned(),
            ));
        };
        let mut from = source.read_conn().await?;
        let mut to = pg.pool.acquire().await?;
        let done = prepare_target(&mut to).await?;
        let tables = tables_in_order(&mut to).await?;
        // One snapshot of the source for the whole copy.
        let mut snapshot = sqlx::Acquire::begin(&mut *from).await?;
        let mut summary = CopySummary::default();
        for table in &tables {
            if done.contains(table) {
                on(CopyEvent::Skipped {
                    name: table.clone(),
                });
                summary.resumed.push(table.clone());
                continue;
            }
            let rows = copy_table(&mut snapshot, &pg.pool, table, on).await?;
            summary.copied.insert(table.clone(), rows);
        }
        snapshot.rollback().await?;
        Ok(summary)
    }
}

/// Makes the progress table, refusing a target that holds data no copy wrote; answers the
/// tables an earlier copy finished.
async fn prepare_target(to: &mut sqlx::PgConnection) -> Result<BTreeSet<String>> {
    let resuming: bool = sqlx::query_scalar("SELECT to_regclass('sigap_store_copy') IS NOT NULL")
        .fetch_one(&mut *to)
        .await?;
    if !resuming {
        for table in DATA_TABLES {
            let any: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT EXISTS (SELECT 1 FROM {table})"
            )))
            .fetch_one(&mut *to)
            .await?;
            if any {
                return Err(StoreError::Conflict {
                    field: "target database".to_owned(),
                    value: format!("holds {table} already; copy into an empty database"),
                });
            }
        }
        sqlx::query(
            "CREATE TABLE sigap_store_copy (table_name TEXT PRIMARY KEY, rows BIGINT NOT NULL)",
        )
        .execute(&mut *to)
        .await?;
    }
    let done: Vec<String> = sqlx::query_scalar("SELECT table_name FROM sigap_store_copy")
        .fetch_all(&mut *to)
        .await?;
    Ok(done.into_iter().collect())
}

/// The target's tables, each after the tables it references.
async fn tables_in_order(to: &mut sqlx::PgConnection) -> Result<Vec<String>> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
         AND tablename NOT IN ('_sqlx_migrations', 'sigap_store_copy') ORDER BY tablename",
    )
    .fetch_all(&mut *to)
    .await?;
    let edges: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c \
         WHERE c.contype = 'f' AND c.conrelid <> c.confrelid",
    )
    .fetch_all(&mut *to)
    .await?;
    Ok(topological(&tables, &edges))
}

/// `tables` ordered so that each comes after those it references (`edges`: table →
/// referenced), alphabetically among equals.
fn topological(tables: &[String], edges: &[(String, String)]) -> Vec<String> {
    let mut needs: BTreeMap<&str, BTreeSet<&str>> = tables
        .iter()
        .map(|t| (t.as_str(), BTreeSet::new()))
        .collect();
    for (child, parent) in edges {
        if needs.contains_key(parent.as_str())
            && let Some(set) = needs.get_mut(child.as_str())
        {
            set.insert(parent.as_str());
        }
    }
    let mut order = Vec::new();
    while !needs.is_empty() {
        let ready: Vec<&str> = needs
            .iter()
            .filter(|(_, parents)| parents.is_empty())
            .map(|(t, _)| *t)
            .collect();
        // A cycle (none in the schema) would be copied in name order.
        let ready = if ready.is_empty() {
            needs.keys().take(1).copied().collect()
        } else {
            ready
        };
        for t in &ready {
            needs.remove(t);
        }
        for parents in needs.values_mut() {
            for t in &ready {
                parents.remove(t);
            }
        }
        order.extend(ready.into_iter().map(str::to_owned));
    }
    order
}

async fn target_columns(pool: &sqlx::PgPool, table: &str) -> Result<Vec<TargetColumn>> {
    let rows: Vec<(String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text, udt_name::text, is_identity::text, \
         column_default::text FROM information_schema.columns WHERE table_schema = current_schema() \
         AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, data_type, udt, identity, default)| {
            let (kind, cast) = kind_of(&data_type, &udt);
            TargetColumn {
                name,
                kind,
                cast,
                identity: identity == "YES",
                serial: identity == "YES" || default.is_some_and(|d| d.starts_with("nextval(")),
            }
        })
        .collect())
}

/// Copies one table in one target transaction; answers its rows.
async fn copy_table(
    from: &mut sqlx::SqliteConnection,
    pool: &sqlx::PgPool,
    table: &str,
    on: &mut (dyn FnMut(CopyEvent) + Send),
) -> Result<u64> {
    let columns = target_columns(pool, table).await?;
    let present: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
        .bind(table)
        .fetch_all(&mut *from)
        .await?;
    if let Some(missing) = columns.iter().find(|c| !present.contains(&c.name)) {
        return Err(StoreError::Corrupt(format!(
            "the source's table {table} has no column {}: both must be of this sigap's version",
            missing.name
        )));
    }
    let total: i64 =
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&mut *from)
            .await?;
    let total = u64::try_from(total).unwrap_or(0);
    on(CopyEvent::Table {
        name: table.to_owned(),
        rows: total,
    });
    let mut tx = pool.begin().await?;
    // What the target's migrations put there (the audit head, …) gives way to the source's.
    let filled: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT EXISTS (SELECT 1 FROM {table})"
    )))
    .fetch_one(&mut *tx)
    .await?;
    if filled {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut *tx)
            .await?;
    }
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let select = format!(
        "SELECT rowid AS sigap_rowid, {} FROM {table} WHERE rowid > $1 ORDER BY rowid LIMIT {BATCH}",
        names.join(", ")
    );
    let mut after = i64::MIN;
    let mut copied = 0u64;
    loop {
        let rows = sqlx::query(sqlx::AssertSqlSafe(select.clone()))
            .bind(after)
            .fetch_all(&mut *from)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("sigap_rowid")?;
        let values = rows
            .iter()
            .map(|row| read_row(row, &columns))
            .collect::<Result<Vec<_>>>()?;
        insert(&mut tx, table, &columns, values).await?;
        copied += rows.len() as u64;
        on(CopyEvent::Rows {
            name: table.to_owned(),
            done: copied,
        });
    }
    for column in columns.iter().filter(|c| c.serial) {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{name}'), \
             COALESCE((SELECT MAX({name}) FROM {table}), 0) + 1, false)",
            name = column.name
        )))
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("INSERT INTO sigap_store_copy (table_name, rows) VALUES ($1, $2)")
        .bind(table)
        .bind(i64::try_from(copied).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(copied)
}

fn read_row(row: &sqlx::sqlite::SqliteRow, columns: &[TargetColumn]) -> Result<Vec<Value>> {
    columns
        .iter()
        .map(|c| {
            let name = c.name.as_str();
            let bad = |e: sqlx::Error| StoreError::Corrupt(format!("column {name}: {e}"));
            Ok(match c.kind {
                Kind::Int => Value::Int(row.try_get(name).map_err(bad)?),
                Kind::Bool => Value::Bool(row.try_get(name).map_err(bad)?),
                Kind::Float => Value::Float(row.try_get(name).map_err(bad)?),
                Kind::Bytes => Value::Bytes(row.try_get(name).map_err(bad)?),
                Kind::Text => Value::Text(row.try_get(name).map_err(bad)?),
            })
        })
        .collect()
}

async fn insert(
    tx: &mut sqlx::PgConnection,
    table: &str,
    columns: &[TargetColumn],
    rows: Vec<Vec<Value>>,
) -> Result<()> {
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let overriding = if columns.iter().any(|c| c.identity) {
        " OVERRIDING SYSTEM VALUE"
    } else {
        ""
    };
    let mut qb = QueryBuilder::<sqlx::Postgres>::new(format!(
        "INSERT INTO {table} ({}){overriding} ",
        names.join(", ")
    ));
    qb.push_values(rows, |mut b, row| {
        for (value, column) in row.into_iter().zip(columns) {
            match value {
                Value::Int(v) => b.push_bind(v),
                Value::Bool(v) => b.push_bind(v),
                Value::Float(v) => b.push_bind(v),
                Value::Bytes(v) => b.push_bind(v),
                Value::Text(v) => b.push_bind(v),
            };
            if !column.cast.is_empty() {
                b.push_unseparated(column.cast.clone());
            }
        }
    });
    qb.build().execute(&mut *tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_first() {
        let tables: Vec<String> = ["tickets", "agencies", "reports", "systems", "jobs"]
            .map(str::to_owned)
            .to_vec();
        let edges = [
            ("reports", "tickets"),
            ("tickets", "systems"),
            ("tickets", "agencies"),
            ("systems", "agencies"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()));
        assert_eq!(
            topological(&tables, &edges),
            ["agencies", "jobs", "systems", "tickets", "reports"]
        );
    }
}
