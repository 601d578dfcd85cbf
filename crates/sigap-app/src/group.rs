//! Group commit of reports. Each report takes the next gapless number and appends to the
//! audit chain, so its transaction holds the counter and the chain's head until it commits:
//! one report after the other, a commit each (a write of the WAL on SQLite, an fsync on
//! PostgreSQL). Here the reports that arrive while one is being written join one open
//! transaction instead, each inside a savepoint of its own, and the transaction commits
//! when no report waits to join (or [`MAX_MEMBERS`] have): one commit for the group.
//!
//! Every guarantee stays: a member's writes are undone alone when it fails (its savepoint),
//! so the numbers stay gapless and the chain whole; no member is answered before the
//! commit that holds its writes; a failed commit fails every member of the group. A member
//! cut off half-way (its request dropped) poisons the group, which is then rolled back
//! whole and its waiting members told so, rather than committing half a report.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use sigap_store::{Store, Tx};
use tokio::sync::{Mutex, watch};

use crate::{AppError, AppResult};

/// The most reports one transaction holds.
pub const MAX_MEMBERS: usize = 64;

/// How long a member waits for someone else to commit its group before it commits the
/// group itself (when the member that should have is gone).
const LINGER: Duration = Duration::from_millis(25);

/// Whether a member's writes stay in the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    Commit,
    /// Nothing of it is kept (it found its work already done, say): it is answered at once.
    Discard,
}

type Outcome = Option<Result<(), String>>;

/// The open group, if any.
struct Batch {
    id: u64,
    tx: Tx,
    members: usize,
    done: watch::Sender<Outcome>,
    /// A member was cut off between its savepoint and its end.
    poisoned: Arc<AtomicBool>,
}

/// The group of writes of one kind (reports): at most one open transaction.
#[derive(Default)]
pub struct Group {
    open: Mutex<Option<Batch>>,
    /// Members waiting to take the open group.
    waiting: AtomicUsize,
    next_id: AtomicU64,
    /// Groups committed, and the members they held.
    committed: AtomicU64,
    committed_members: AtomicU64,
}

/// How the writes have grouped since start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupStats {
    /// Transactions committed.
    pub commits: u64,
    /// Members written by them.
    pub members: u64,
}

impl std::fmt::Debug for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Group")
            .field("waiting", &self.waiting.load(Ordering::Relaxed))
            .finish()
    }
}

/// Marks the group poisoned if dropped before [`Armed::disarm`].
struct Armed(Arc<AtomicBool>, bool);

impl Armed {
    fn disarm(mut self) {
        self.1 = false;
    }
}

impl Drop for Armed {
    fn drop(&mut self) {
        if self.1 {
            self.0.store(true, Ordering::SeqCst);
        }
    }
}

/// Commits a group taken out of [`Group::open`] (or rolls it back, when poisoned) and tells
/// its members. Done after the lock is let go: the next group forms meanwhile, its first
/// write waiting for the rows this commit frees, and the others queueing to join it.
async fn settle(group: &Group, batch: Batch) {
    let outcome = if batch.poisoned.load(Ordering::SeqCst) {
        let _ = batch.tx.rollback().await;
        Err("a report of the same group was cut off; nothing of the group was kept".to_owned())
    } else {
        batch.tx.commit().await.map_err(|e| e.to_string())
    };
    match &outcome {
        Ok(()) => {
            group.committed.fetch_add(1, Ordering::Relaxed);
            group
                .committed_members
                .fetch_add(batch.members as u64, Ordering::Relaxed);
        }
        Err(e) => {
            tracing::error!(error = %e, members = batch.members, "a group of reports was not committed");
        }
    }
    batch.done.send_replace(Some(outcome));
}

impl Group {
    /// How the writes have grouped since start.
    pub fn stats(&self) -> GroupStats {
        GroupStats {
            commits: self.committed.load(Ordering::Relaxed),
            members: self.committed_members.load(Ordering::Relaxed),
        }
    }

    /// Runs `work` in the open group's transaction (opening one when none is), inside a
    /// savepoint; answers its value once the transaction holding its writes has committed.
    pub async fn write<T, F>(&self, store: &Store, work: F) -> AppResult<T>
    where
        F: AsyncFnOnce(&mut Tx) -> AppResult<(T, Keep)>,
    {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let mut open = self.open.lock().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        if let Some(spoilt) = open.take_if(|b| b.poisoned.load(Ordering::SeqCst)) {
            settle(self, spoilt).await;
        }
        let batch = match open.as_mut() {
            Some(batch) => batch,
            None => open.insert(self.begin(store).await?),
        };
        let armed = Armed(batch.poisoned.clone(), true);
        // (The savepoint releases the previous member's in the same round trip.)
        if let Err(e) = batch.tx.savepoint().await {
            armed.disarm();
            return Err(self.spoil(open, e).await);
        }
        let result = work(&mut batch.tx).await;
        let keep = matches!(result, Ok((_, Keep::Commit)));
        let ended = if keep {
            batch.tx.release_savepoint().await
        } else {
            batch.tx.rollback_to_savepoint().await
        };
        armed.disarm();
        if let Err(e) = ended {
            return Err(self.spoil(open, e).await);
        }
        let (value, id, mut done) = match result {
            Ok((value, Keep::Commit)) => {
                batch.members += 1;
                (value, batch.id, batch.done.subscribe())
            }
            Ok((value, Keep::Discard)) => {
                self.settle_if_alone(open).await;
                return Ok(value);
            }
            Err(e) => {
                self.settle_if_alone(open).await;
                return Err(e);
            }
        };
        let full = open.as_ref().is_some_and(|b| b.members >= MAX_MEMBERS);
        let closing = if full || self.waiting.load(Ordering::SeqCst) == 0 {
            open.take()
        } else {
            None
        };
        drop(open);
        if let Some(batch) = closing {
            settle(self, batch).await;
        }
        loop {
            if let Some(outcome) = done.borrow_and_update().clone() {
                return outcome
                    .map(|()| value)
                    .map_err(|e| AppError::Internal(format!("the report was not stored: {e}")));
            }
            match tokio::time::timeout(LINGER, done.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => {
                    return Err(AppError::Internal("the group ended unsettled".to_owned()));
                }
                Err(_) => {
                    // Whoever should have committed the group is gone: do it.
                    let orphan = self.open.lock().await.take_if(|b| b.id == id);
                    if let Some(batch) = orphan {
                        settle(self, batch).await;
                    }
                }
            }
        }
    }

    /// After a failed savepoint: the transaction cannot be trusted any more, so none of
    /// the group is kept (its members are told).
    async fn spoil(
        &self,
        mut open: tokio::sync::MutexGuard<'_, Option<Batch>>,
        e: sigap_store::StoreError,
    ) -> AppError {
        if let Some(spoilt) = open.take() {
            spoilt.poisoned.store(true, Ordering::SeqCst);
            drop(open);
            settle(self, spoilt).await;
        }
        e.into()
    }

    /// A new group, its transaction begun.
    async fn begin(&self, store: &Store) -> AppResult<Batch> {
        Ok(Batch {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            tx: store.begin().await?,
            members: 0,
            done: watch::channel(None).0,
            poisoned: Arc::default(),
        })
    }

    /// After a member that keeps nothing: commits the group now when nobody waits to join
    /// it, so that the members in it are not left waiting (and the writer is free).
    async fn settle_if_alone(&self, mut open: tokio::sync::MutexGuard<'_, Option<Batch>>) {
        let alone = if self.waiting.load(Ordering::SeqCst) == 0 {
            open.take()
        } else {
            None
        };
        drop(open);
        if let Some(batch) = alone {
            settle(self, batch).await;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    async fn store(name: &str) -> Store {
        let dir = std::env::temp_dir().join(format!("sigap-group-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("t.db").display());
        Store::open(&url, &sigap_store::StoreOptions::default())
            .await
            .unwrap()
    }

    /// The next number, kept or not.
    async fn number(group: &Group, store: &Store, keep: Keep) -> AppResult<i64> {
        group
            .write(store, async |tx: &mut Tx| {
                Ok((tx.next_counter("uji", 2026).await?, keep))
            })
            .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn members_written_together_get_every_number_once() {
        let store = store("many").await;
        let group = Arc::new(Group::default());
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..40 {
            let (group, store) = (group.clone(), store.clone());
            tasks.spawn(async move { number(&group, &store, Keep::Commit).await });
        }
        let mut numbers = Vec::new();
        while let Some(done) = tasks.join_next().await {
            numbers.push(done.unwrap().unwrap());
        }
        numbers.sort_unstable();
        assert_eq!(numbers, (1..=40).collect::<Vec<_>>());
        let stats = group.stats();
        assert_eq!(stats.members, 40);
        assert!(stats.commits >= 1 && stats.commits <= 40, "{stats:?}");
        // A discarded member and a failed one leave no number behind.
        assert_eq!(number(&group, &store, Keep::Discard).await.unwrap(), 41);
        let failed = group
            .write(&store, async |tx: &mut Tx| {
                tx.next_counter("uji", 2026).await?;
                Err::<((), Keep), _>(AppError::Invalid(vec![]))
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(number(&group, &store, Keep::Commit).await.unwrap(), 41);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_member_cut_off_spoils_its_group_and_leaves_no_number() {
        let store = store("cut").await;
        let group = Arc::new(Group::default());
        // A member takes a number and never ends; a second waits to join its group.
        let hanging = {
            let (group, store) = (group.clone(), store.clone());
            tokio::spawn(async move {
                group
                    .write(&store, async |tx: &mut Tx| {
                        tx.next_counter("uji", 2026).await?;
                        std::future::pending::<()>().await;
                        Ok(((), Keep::Commit))
                    })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        let next = {
            let (group, store) = (group.clone(), store.clone());
            tokio::spawn(async move { number(&group, &store, Keep::Commit).await })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        // Its request is dropped: its number goes back, the one waiting takes it.
        hanging.abort();
        assert_eq!(next.await.unwrap().unwrap(), 1);
        assert_eq!(number(&group, &store, Keep::Commit).await.unwrap(), 2);
    }
}
