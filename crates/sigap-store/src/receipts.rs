// The confirmation of a report sent with the public form, shown after a redirect: the query
// text shared by both backends, compiled twice by `include!` in `sqlite.rs` and `postgres.rs`
// next to `common.rs`, whose `use` lines are already in scope here.

/// Stores a receipt; `false` when the form it names (`form_key`) already has one, which
/// leaves the table as it was.
pub async fn insert_receipt(c: &mut Conn, r: &crate::receipts_api::NewReceipt<'_>) -> Result<bool> {
    let done = sqlx::query::<Db>(
        "INSERT INTO report_receipts (receipt_hash, form_key, ticket_id, sealed_token, expires_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(r.receipt_hash)
    .bind(r.form_key)
    .bind(r.ticket_id)
    .bind(r.sealed_token)
    .bind(r.expires_at)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The columns of a receipt with its ticket's number, as one literal for `concat!`.
macro_rules! receipt_select {
    () => {
        "SELECT r.receipt_hash, r.ticket_id, t.number AS ticket_number, r.sealed_token, \
         r.expires_at FROM report_receipts r JOIN tickets t ON t.id = r.ticket_id "
    };
}

/// The receipt whose id hashes to `receipt_hash`, if it has not expired at `now`.
pub async fn get_receipt(
    c: &mut Conn,
    receipt_hash: &str,
    now: i64,
) -> Result<Option<crate::receipts_api::ReceiptRow>> {
    Ok(sqlx::query_as::<Db, crate::receipts_api::ReceiptRow>(concat!(
        receipt_select!(),
        "WHERE r.receipt_hash = $1 AND r.expires_at >= $2"
    ))
    .bind(receipt_hash)
    .bind(now)
    .fetch_optional(&mut *c)
    .await?)
}

/// The receipt of the report the form `form_key` already opened, expired or not (until the
/// sweep deletes it).
pub async fn receipt_for_form(
    c: &mut Conn,
    form_key: &str,
) -> Result<Option<crate::receipts_api::ReceiptRow>> {
    Ok(sqlx::query_as::<Db, crate::receipts_api::ReceiptRow>(concat!(
        receipt_select!(),
        "WHERE r.form_key = $1"
    ))
    .bind(form_key)
    .fetch_optional(&mut *c)
    .await?)
}

/// Deletes the receipts that expired before `now`.
pub async fn forget_receipts(c: &mut Conn, now: i64) -> Result<u64> {
    Ok(
        sqlx::query::<Db>("DELETE FROM report_receipts WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected(),
    )
}
