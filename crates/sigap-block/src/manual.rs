//! The manual adapter: the officer blocks by hand and uploads the proof, so nothing is done
//! here beyond writing a record that says so.

use chrono::{DateTime, Utc};

use crate::error::AdapterKind;
use crate::record::{BlockRecord, Change, Direction};
use crate::request::BlockRequest;
use crate::{Adapter, AdapterFuture};

/// Does nothing; the record says the block was done by hand.
#[derive(Debug, Clone, Copy, Default)]
pub struct ManualAdapter;

impl Adapter for ManualAdapter {
    fn kind(&self) -> AdapterKind {
        AdapterKind::Manual
    }

    fn block<'a>(&'a self, request: &'a BlockRequest) -> AdapterFuture<'a, BlockRecord> {
        Box::pin(async move {
            Ok(BlockRecord {
                adapter: AdapterKind::Manual,
                direction: Direction::Block,
                host: request.host.clone(),
                ticket: request.ticket.clone(),
                at: request.now,
                change: Change::Manual,
            })
        })
    }

    fn unblock<'a>(
        &'a self,
        record: &'a BlockRecord,
        now: DateTime<Utc>,
    ) -> AdapterFuture<'a, BlockRecord> {
        Box::pin(async move {
            record.expect_block_of(AdapterKind::Manual)?;
            Ok(BlockRecord {
                direction: Direction::Unblock,
                at: now,
                ..record.clone()
            })
        })
    }

    fn check(&self) -> AdapterFuture<'_, ()> {
        Box::pin(async { Ok(()) })
    }
}
