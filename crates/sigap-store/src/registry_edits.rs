// Changes an admin makes to the registries after the fact (see `registry_edits_api.rs`):
// an agency's name, addresses and service, a system's name, domains and service, a user's
// name, role and agency. Query text shared by both backends, compiled into each by
// `include!` after `common.rs` (whose imports it uses).

/// Sets an agency's name, addresses and whether it is in service; false when there is no
/// such agency.
pub async fn update_agency(
    c: &mut Conn,
    id: i64,
    name: &str,
    email: Option<&str>,
    head_email: Option<&str>,
    disabled: bool,
) -> Result<bool> {
    Ok(sqlx::query::<Db>(
        "UPDATE agencies SET name = $1, email = $2, head_email = $3, disabled = $4 \
         WHERE id = $5",
    )
    .bind(name)
    .bind(email)
    .bind(head_email)
    .bind(disabled)
    .bind(id)
    .execute(&mut *c)
    .await?
    .rows_affected()
        == 1)
}

/// Sets a system's name and whether it is in service; false when there is no such system.
pub async fn update_system(c: &mut Conn, id: i64, name: &str, disabled: bool) -> Result<bool> {
    Ok(sqlx::query::<Db>("UPDATE systems SET name = $1, disabled = $2 WHERE id = $3")
        .bind(name)
        .bind(disabled)
        .bind(id)
        .execute(&mut *c)
        .await?
        .rows_affected()
        == 1)
}

/// Sets how a system is classed: vital information infrastructure or not, and its risk
/// category (`None`: not classed); false when there is no such system.
pub async fn set_system_class(
    c: &mut Conn,
    id: i64,
    iiv: bool,
    category: Option<sigap_core::spbe::SystemCategory>,
) -> Result<bool> {
    Ok(sqlx::query::<Db>("UPDATE systems SET iiv = $1, category = $2 WHERE id = $3")
        .bind(iiv)
        .bind(category.map(sigap_core::spbe::SystemCategory::as_str))
        .bind(id)
        .execute(&mut *c)
        .await?
        .rows_affected()
        == 1)
}

/// The domains of one system, in order.
pub async fn system_domains(c: &mut Conn, system_id: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar::<Db, String>(
        "SELECT domain FROM system_domains WHERE system_id = $1 ORDER BY domain",
    )
    .bind(system_id)
    .fetch_all(&mut *c)
    .await?)
}

/// Removes a domain from a system (before its new list is inserted).
pub async fn delete_system_domain(c: &mut Conn, system_id: i64, domain: &str) -> Result<()> {
    sqlx::query::<Db>("DELETE FROM system_domains WHERE system_id = $1 AND domain = $2")
        .bind(system_id)
        .bind(domain)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// The user with this id.
pub async fn get_user(c: &mut Conn, id: i64) -> Result<Option<UserRow>> {
    let mut qb = QueryBuilder::<Db>::new(USER_SELECT);
    qb.push("WHERE u.id = ").push_bind(id);
    Ok(qb.build_query_as::<UserRow>().fetch_optional(&mut *c).await?)
}

/// Sets a user's name, role and agency; false when there is no such user.
pub async fn update_user(
    c: &mut Conn,
    id: i64,
    name: &str,
    role: &str,
    agency_id: Option<i64>,
) -> Result<bool> {
    Ok(sqlx::query::<Db>("UPDATE users SET name = $1, role = $2, agency_id = $3 WHERE id = $4")
        .bind(name)
        .bind(role)
        .bind(agency_id)
        .bind(id)
        .execute(&mut *c)
        .await?
        .rows_affected()
        == 1)
}

/// Revokes every live API token of a user; answers how many.
pub async fn revoke_user_tokens(c: &mut Conn, user_id: i64, now: i64) -> Result<u64> {
    Ok(sqlx::query::<Db>(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .execute(&mut *c)
    .await?
    .rows_affected())
}

/// For each agency with at least one, how many enabled system-owner accounts it has.
pub async fn owner_accounts(c: &mut Conn) -> Result<Vec<(i64, i64)>> {
    Ok(sqlx::query_as::<Db, (i64, i64)>(
        "SELECT agency_id, COUNT(*) FROM users WHERE role = 'system_owner' \
         AND NOT disabled AND agency_id IS NOT NULL GROUP BY agency_id",
    )
    .fetch_all(&mut *c)
    .await?)
}
