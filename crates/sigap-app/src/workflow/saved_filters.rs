//! Each staff member's saved queue filters ("Saringan tersimpan"): a name and the queue's
//! query string, kept per user. The query is kept only with the queue's own parameters
//! (anything else is dropped), so a saved filter is a link to `/tickets` and nothing more.

use sigap_core::FieldError;

use crate::auth::Caller;
use crate::{App, AppError, AppResult, millis};

/// The most filters one person keeps.
pub const MAX_FILTERS: usize = 20;
/// The longest name, in characters.
pub const MAX_NAME: usize = 60;

/// The queue's parameters a saved filter keeps.
const KEPT: &[&str] = &[
    "view",
    "state",
    "agency",
    "criticality",
    "channel",
    "from",
    "to",
    "overdue",
    "closed",
    "assignee",
    "sort",
    "q",
];

/// A saved filter: its name and the query string of `/tickets`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedFilter {
    pub id: i64,
    pub name: String,
    pub query: String,
}

/// The caller's saved filters, by name.
pub async fn list(app: &App, caller: &Caller) -> AppResult<Vec<SavedFilter>> {
    Ok(app
        .store
        .list_saved_filters(caller.user_id)
        .await?
        .into_iter()
        .map(|r| SavedFilter {
            id: r.id,
            name: r.name,
            query: r.query,
        })
        .collect())
}

/// The queue's parameters of `query`, in a fixed order, empty values left out.
pub fn clean_query(query: &str) -> String {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.trim().to_owned()))
        .filter(|(k, v)| KEPT.contains(&k.as_str()) && !v.is_empty())
        .collect();
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for name in KEPT {
        if let Some((k, v)) = pairs.iter().find(|(k, _)| k == name) {
            out.append_pair(k, v);
        }
    }
    out.finish()
}

/// Saves the queue's `query` under `name` (replacing the caller's filter of that name).
pub async fn save(app: &App, caller: &Caller, name: &str, query: &str) -> AppResult<()> {
    let name = name.trim();
    let count = name.chars().count();
    if count == 0 || count > MAX_NAME || name.chars().any(char::is_control) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "name",
            format!("a name of 1 to {MAX_NAME} characters"),
        )]));
    }
    let query = clean_query(query);
    let mut tx = app.store.begin().await?;
    let existing = tx.list_saved_filters(caller.user_id).await?;
    let replaces = existing.iter().any(|f| f.name == name);
    if !replaces && existing.len() >= MAX_FILTERS {
        return Err(AppError::Invalid(vec![FieldError::new(
            "name",
            format!("at most {MAX_FILTERS} saved filters; delete one first"),
        )]));
    }
    tx.save_filter(caller.user_id, name, &query, millis(app.now()))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes the caller's filter `id`; another person's is not found.
pub async fn delete(app: &App, caller: &Caller, id: i64) -> AppResult<()> {
    let mut tx = app.store.begin().await?;
    if !tx.delete_filter(caller.user_id, id).await? {
        return Err(AppError::NotFound("saved filter".into()));
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_queue_parameters_are_kept() {
        assert_eq!(
            clean_query("q=sql+injeksi&next=//evil&view=mine&cursor=o25&state=&sort=deadline"),
            "view=mine&sort=deadline&q=sql+injeksi"
        );
        assert_eq!(clean_query("javascript:alert(1)"), "");
    }
}
