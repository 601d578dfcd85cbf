// The settings an admin changed on the admin pages: one JSON value per section, and the
// revision counter every change raises. Query text shared by both backends, compiled twice
// by `include!` in `sqlite.rs` and `postgres.rs` next to `common.rs`, whose `use` lines are
// already in scope here. Times are UTC milliseconds.

/// The number of the last settings change (0: none yet).
pub async fn settings_revision(c: &mut Conn) -> Result<i64> {
    Ok(sqlx::query_scalar::<Db, i64>(
        "SELECT value FROM counters WHERE scope = 'settings' AND year = 0",
    )
    .fetch_optional(&mut *c)
    .await?
    .unwrap_or(0))
}

/// Every changed section.
pub async fn list_settings(c: &mut Conn) -> Result<Vec<crate::overrides_api::OverrideRow>> {
    Ok(sqlx::query_as::<Db, crate::overrides_api::OverrideRow>(
        "SELECT name, value, revision, updated_at, updated_by FROM settings ORDER BY name",
    )
    .fetch_all(&mut *c)
    .await?)
}

/// The section `name`, if it was changed.
pub async fn get_setting(c: &mut Conn, name: &str) -> Result<Option<crate::overrides_api::OverrideRow>> {
    Ok(sqlx::query_as::<Db, crate::overrides_api::OverrideRow>(
        "SELECT name, value, revision, updated_at, updated_by FROM settings WHERE name = $1",
    )
    .bind(name)
    .fetch_optional(&mut *c)
    .await?)
}

/// Writes the section `name` anew.
pub async fn put_setting(c: &mut Conn, row: &crate::overrides_api::OverrideRow) -> Result<()> {
    sqlx::query::<Db>(
        "INSERT INTO settings (name, value, revision, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO UPDATE SET value = excluded.value, \
         revision = excluded.revision, updated_at = excluded.updated_at, \
         updated_by = excluded.updated_by",
    )
    .bind(&row.name)
    .bind(&row.value)
    .bind(row.revision)
    .bind(row.updated_at)
    .bind(&row.updated_by)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Forgets the section `name`: the value read at start applies again. Answers whether
/// there was one.
pub async fn delete_setting(c: &mut Conn, name: &str) -> Result<bool> {
    let done = sqlx::query::<Db>("DELETE FROM settings WHERE name = $1")
        .bind(name)
        .execute(&mut *c)
        .await?;
    Ok(done.rows_affected() == 1)
}
