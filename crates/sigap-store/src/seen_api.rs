//! What the queue keeps per staff member: when they last opened each ticket (migration
//! `0016_ticket_views.sql`), for the "new for you" marks, and their saved filters
//! (`0017_saved_filters.sql`). The [`Store`] / [`Tx`] methods that forward to `seen.rs`.

use crate::{Result, Store, Tx};

/// A saved queue filter: its name and the queue's query string.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SavedFilterRow {
    pub id: i64,
    pub name: String,
    pub query: String,
}

impl Store {
    /// Of `ticket_ids`, those with something `user_id` has not seen (see `seen.rs`).
    pub async fn unread_among(
        &self,
        user_id: i64,
        ticket_ids: &[i64],
        visibilities: &[&str],
    ) -> Result<Vec<i64>> {
        read_pool!(self, unread_among(user_id, ticket_ids, visibilities))
    }
    pub async fn list_saved_filters(&self, user_id: i64) -> Result<Vec<SavedFilterRow>> {
        read_pool!(self, list_saved_filters(user_id))
    }
}

impl Tx {
    /// Records that `user_id` opened the ticket numbered `number` at `at`.
    pub async fn mark_seen(&mut self, user_id: i64, number: &str, at: i64) -> Result<()> {
        write_tx!(self, mark_seen(user_id, number, at))
    }
    pub async fn list_saved_filters(&mut self, user_id: i64) -> Result<Vec<SavedFilterRow>> {
        write_tx!(self, list_saved_filters(user_id))
    }
    pub async fn save_filter(
        &mut self,
        user_id: i64,
        name: &str,
        query: &str,
        now: i64,
    ) -> Result<()> {
        write_tx!(self, save_filter(user_id, name, query, now))
    }
    pub async fn delete_filter(&mut self, user_id: i64, id: i64) -> Result<bool> {
        write_tx!(self, delete_filter(user_id, id))
    }
}
