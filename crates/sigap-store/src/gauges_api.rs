//! What `/metrics` reads from the database at each scrape: open tickets by agency, the
//! steps past their deadline, the blocks in force, the jobs waiting and failed, and how the
//! connection pools are used. The [`Store`] methods that forward to `gauges.rs`.

use crate::{Backends, Result, Store};

/// A count under a key.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct GaugeRow {
    pub key: String,
    pub count: i64,
}

/// The jobs of one kind.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobGaugeRow {
    pub kind: String,
    /// Waiting or running.
    pub queued: i64,
    /// Failed for good, waiting for an admin.
    pub failed: i64,
    /// When the oldest job waiting and due was due to run (Unix milliseconds).
    pub oldest_due: Option<i64>,
}

/// The connections of a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolUse {
    /// Open and lent out.
    pub busy: u32,
    /// Open and free.
    pub idle: u32,
    /// Requests waiting for one.
    pub waiting: u32,
    /// The most it opens.
    pub max: u32,
}

impl Store {
    /// Open tickets by agency code (`-`: not routed).
    pub async fn open_by_agency(&self) -> Result<Vec<GaugeRow>> {
        read_pool!(self, open_by_agency())
    }

    /// Open tickets past their step's deadline at `now`, and tickets blocked now.
    pub async fn overdue_and_blocked(&self, now: i64) -> Result<(i64, i64)> {
        read_pool!(self, overdue_and_blocked(now))
    }

    /// The jobs by kind (see [`JobGaugeRow`]).
    pub async fn job_gauges(&self, now: i64) -> Result<Vec<JobGaugeRow>> {
        read_pool!(self, job_gauges(now))
    }

    /// How the connections are used: on SQLite the readers' pool (the one writer is
    /// counted too), on PostgreSQL the pool.
    pub fn pool_use(&self) -> PoolUse {
        let of = |pool_size: u32, idle: usize, max: u32| {
            let idle = u32::try_from(idle).unwrap_or(u32::MAX);
            PoolUse {
                busy: pool_size.saturating_sub(idle),
                idle,
                waiting: self.waiting_now(),
                max,
            }
        };
        match &self.backend {
            Backends::Sqlite(s) => {
                let (r, w) = (s.reader_pool(), s.writer_pool());
                let max = r.options().get_max_connections() + w.options().get_max_connections();
                of(r.size() + w.size(), r.num_idle() + w.num_idle(), max)
            }
            Backends::Postgres(s) => {
                let p = &s.pool;
                of(p.size(), p.num_idle(), p.options().get_max_connections())
            }
        }
    }
}
