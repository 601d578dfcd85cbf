//! What the two DNS adapters (PowerDNS's HTTP API and RFC 2136 UPDATE) share: a block
//! replaces the host's A, AAAA and CNAME sets with the maintenance sets and keeps the
//! previous ones in the record; an unblock writes them back. Each server only says how to
//! read and write one host's sets; a write that times out is written back before the error
//! is returned.

use std::future::Future;
use std::net::{Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Utc};

use crate::dns::maintenance_sets;
use crate::error::{AdapterKind, BlockError, FailureKind};
use crate::record::{BlockRecord, Change, Direction, DnsChange, RrSet};
use crate::request::{BlockRequest, Hostname};

/// A DNS server holding one zone whose host record sets an adapter replaces.
pub(crate) trait DnsZone: Sync {
    /// Which adapter this is.
    fn adapter(&self) -> AdapterKind;
    /// The zone.
    fn zone(&self) -> &Hostname;
    /// The API URL or `host:port` of the server, as records name it.
    fn server(&self) -> String;
    /// The maintenance addresses a suspended host points to.
    fn maintenance(&self) -> (Ipv4Addr, Option<Ipv6Addr>);
    /// The host's A, AAAA and CNAME sets.
    fn read_sets(
        &self,
        host: &Hostname,
    ) -> impl Future<Output = Result<Vec<RrSet>, BlockError>> + Send;
    /// Replaces the host's A, AAAA and CNAME sets with `sets`, all or nothing.
    fn write_sets(
        &self,
        host: &Hostname,
        sets: &[RrSet],
    ) -> impl Future<Output = Result<(), BlockError>> + Send;
}

/// Writes `sets`; when the answer was lost (timeout), writes `previous` back first.
async fn write_or_restore<Z: DnsZone>(
    zone: &Z,
    host: &Hostname,
    sets: &[RrSet],
    previous: &[RrSet],
) -> Result<(), BlockError> {
    let Err(error) = zone.write_sets(host, sets).await else {
        return Ok(());
    };
    if error.kind != FailureKind::Timeout {
        return Err(error);
    }
    match zone.write_sets(host, previous).await {
        Ok(()) => Err(error),
        Err(rollback) => Err(error.with_rollback_failure(&rollback)),
    }
}

fn change<Z: DnsZone>(zone: &Z, previous: Vec<RrSet>, new: Vec<RrSet>) -> Change {
    Change::Dns(DnsChange {
        server: zone.server(),
        zone: zone.zone().to_string(),
        previous,
        new,
    })
}

/// Points the host at the maintenance addresses; refuses hosts outside the zone and hosts
/// with nothing to replace.
pub(crate) async fn block<Z: DnsZone>(
    zone: &Z,
    request: &BlockRequest,
) -> Result<BlockRecord, BlockError> {
    let host = &request.host;
    let adapter = zone.adapter();
    if !host.is_in_zone(zone.zone()) {
        let detail = format!("{host} is not in the zone {}", zone.zone());
        return Err(BlockError::new(adapter, FailureKind::NotFound, detail));
    }
    let previous = zone.read_sets(host).await?;
    if previous.is_empty() {
        let detail = format!(
            "{host} has no A, AAAA or CNAME record in the zone {} at {}",
            zone.zone(),
            zone.server()
        );
        return Err(BlockError::new(adapter, FailureKind::NotFound, detail));
    }
    let (a, aaaa) = zone.maintenance();
    let new = maintenance_sets(host, a, aaaa);
    write_or_restore(zone, host, &new, &previous).await?;
    Ok(BlockRecord {
        adapter,
        direction: Direction::Block,
        host: host.clone(),
        ticket: request.ticket.clone(),
        at: request.now,
        change: change(zone, previous, new),
    })
}

/// Writes back exactly the sets the block `record` replaced.
pub(crate) async fn unblock<Z: DnsZone>(
    zone: &Z,
    record: &BlockRecord,
    now: DateTime<Utc>,
) -> Result<BlockRecord, BlockError> {
    record.expect_block_of(zone.adapter())?;
    let Change::Dns(blocked) = &record.change else {
        let detail = "the record holds no DNS change";
        return Err(BlockError::new(
            zone.adapter(),
            FailureKind::InvalidRecord,
            detail,
        ));
    };
    let current = zone.read_sets(&record.host).await?;
    write_or_restore(zone, &record.host, &blocked.previous, &current).await?;
    Ok(BlockRecord {
        direction: Direction::Unblock,
        at: now,
        change: change(zone, current, blocked.previous.clone()),
        ..record.clone()
    })
}
