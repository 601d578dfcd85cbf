// When staff last opened a ticket, and which tickets have something new for them since:
// query text shared by both backends, compiled into each by `include!`.

pub async fn mark_seen(c: &mut Conn, user_id: i64, number: &str, at: i64) -> Result<()> {
    sqlx::query::<Db>(
        "INSERT INTO ticket_views (user_id, ticket_id, seen_at) \
         SELECT $1, id, $3 FROM tickets WHERE number = $2 \
         ON CONFLICT (user_id, ticket_id) DO UPDATE SET seen_at = excluded.seen_at",
    )
    .bind(user_id)
    .bind(number)
    .bind(at)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Of `ticket_ids`, those with something `user_id` has not seen: never opened, or since
/// the last visit a comment of another's in one of `visibilities`, a file, or a document.
pub async fn unread_among(
    c: &mut Conn,
    user_id: i64,
    ticket_ids: &[i64],
    visibilities: &[&str],
) -> Result<Vec<i64>> {
    if ticket_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT t.id FROM tickets t LEFT JOIN ticket_views v \
         ON v.ticket_id = t.id AND v.user_id = ",
    );
    qb.push_bind(user_id).push(" WHERE t.id IN (");
    let mut ids = qb.separated(", ");
    for id in ticket_ids {
        ids.push_bind(*id);
    }
    qb.push(") AND (v.seen_at IS NULL");
    if !visibilities.is_empty() {
        qb.push(
            " OR EXISTS (SELECT 1 FROM comments c WHERE c.ticket_id = t.id \
             AND c.created_at > v.seen_at AND (c.author_id IS NULL OR c.author_id <> ",
        )
        .push_bind(user_id)
        .push(") AND c.visibility IN (");
        let mut words = qb.separated(", ");
        for v in visibilities {
            words.push_bind(v.to_string());
        }
        qb.push("))");
    }
    qb.push(
        " OR EXISTS (SELECT 1 FROM evidence e WHERE e.ticket_id = t.id \
         AND e.created_at > v.seen_at AND (e.uploaded_by IS NULL OR e.uploaded_by <> ",
    )
    .push_bind(user_id)
    .push(
        ")) OR EXISTS (SELECT 1 FROM documents d WHERE d.ticket_id = t.id \
         AND d.created_at > v.seen_at))",
    );
    Ok(qb.build_query_scalar::<i64>().fetch_all(&mut *c).await?)
}

// ---- saved queue filters ---------------------------------------------------------------

pub async fn list_saved_filters(c: &mut Conn, user_id: i64) -> Result<Vec<crate::seen_api::SavedFilterRow>> {
    Ok(sqlx::query_as::<Db, crate::seen_api::SavedFilterRow>(
        "SELECT id, name, query FROM saved_filters WHERE user_id = $1 ORDER BY name",
    )
    .bind(user_id)
    .fetch_all(&mut *c)
    .await?)
}

/// Saves `query` under `name` for `user_id`, replacing a filter of that name.
pub async fn save_filter(c: &mut Conn, user_id: i64, name: &str, query: &str, now: i64) -> Result<()> {
    sqlx::query::<Db>(
        "INSERT INTO saved_filters (user_id, name, query, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, name) DO UPDATE SET query = excluded.query",
    )
    .bind(user_id)
    .bind(name)
    .bind(query)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Deletes the user's filter `id`; answers whether there was one.
pub async fn delete_filter(c: &mut Conn, user_id: i64, id: i64) -> Result<bool> {
    let done = sqlx::query::<Db>("DELETE FROM saved_filters WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(&mut *c)
        .await?;
    Ok(done.rows_affected() > 0)
}
