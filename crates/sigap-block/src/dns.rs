//! DNS on the wire, shared by the RFC 2136 adapter and proof capture: queries to a given
//! server with a time limit, signed UPDATE messages, and the maintenance record sets that a
//! DNS-based block writes.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use hickory_client::client::Client;
use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode, UpdateMessage};
use hickory_proto::rr::{DNSClass, Name, RData, Record};
use hickory_proto::runtime::TokioRuntimeProvider;
use hickory_proto::udp::UdpClientStream;
use hickory_proto::xfer::{DnsHandle, DnsRequest, DnsRequestOptions, DnsResponse, FirstAnswer};
use hickory_proto::{ProtoError, ProtoErrorKind};

use crate::error::{AdapterKind, BlockError, FailureKind};
use crate::record::{RecordContent, RecordType, RrSet};
use crate::request::Hostname;

/// The TTL of the maintenance records, short so that an unblock takes effect soon.
pub const MAINTENANCE_TTL: u32 = 60;

/// The record sets a suspended host gets: A to the maintenance address, AAAA to the IPv6
/// one when configured, and no CNAME.
pub fn maintenance_sets(host: &Hostname, a: Ipv4Addr, aaaa: Option<Ipv6Addr>) -> Vec<RrSet> {
    let set = |record_type, content: String| RrSet {
        name: host.fqdn(),
        record_type,
        ttl: MAINTENANCE_TTL,
        records: vec![RecordContent {
            content,
            disabled: false,
        }],
    };
    let mut sets = vec![set(RecordType::A, a.to_string())];
    if let Some(aaaa) = aaaa {
        sets.push(set(RecordType::AAAA, aaaa.to_string()));
    }
    sets
}

/// The hickory record type of ours.
pub fn wire_type(record_type: RecordType) -> hickory_proto::rr::RecordType {
    match record_type {
        RecordType::A => hickory_proto::rr::RecordType::A,
        RecordType::AAAA => hickory_proto::rr::RecordType::AAAA,
        RecordType::CNAME => hickory_proto::rr::RecordType::CNAME,
    }
}

/// A UDP client to `server`, signing updates with `signer` when given.
pub async fn connect(
    server: SocketAddr,
    timeout: Duration,
    signer: Option<Arc<dyn hickory_proto::op::MessageFinalizer>>,
) -> Result<Client, ProtoError> {
    let stream = UdpClientStream::builder(server, TokioRuntimeProvider::new())
        .with_timeout(Some(timeout))
        .with_signer(signer)
        .build();
    let (client, background) = Client::connect(stream).await?;
    tokio::spawn(background);
    Ok(client)
}

/// Sends one message and waits for the first answer, at most `timeout`.
pub async fn exchange(
    client: &Client,
    message: Message,
    timeout: Duration,
) -> Result<DnsResponse, ProtoError> {
    let request = DnsRequest::new(message, DnsRequestOptions::default());
    match tokio::time::timeout(timeout, client.send(request).first_answer()).await {
        Ok(answer) => answer,
        Err(_) => Err(ProtoError::from(ProtoErrorKind::Timeout)),
    }
}

/// Asks `client` for `record_type` at `name` and returns the answer section.
pub async fn query(
    client: &Client,
    name: &Name,
    record_type: hickory_proto::rr::RecordType,
    recursion_desired: bool,
    timeout: Duration,
) -> Result<DnsResponse, ProtoError> {
    let mut message = Message::new();
    message
        .set_id(rand_id())
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .set_recursion_desired(recursion_desired)
        .add_query(Query::query(name.clone(), record_type));
    exchange(client, message, timeout).await
}

/// A message id: unpredictable, as resolvers expect against spoofed answers.
fn rand_id() -> u16 {
    rand::random()
}

/// Reads the host's A, AAAA and CNAME sets from an authoritative server.
pub async fn read_sets(
    adapter: AdapterKind,
    client: &Client,
    host: &Hostname,
    timeout: Duration,
    what: &str,
) -> Result<Vec<RrSet>, BlockError> {
    let name = dns_name(adapter, &host.fqdn())?;
    let mut sets = Vec::new();
    for record_type in RecordType::ALL {
        let response = query(client, &name, wire_type(record_type), false, timeout)
            .await
            .map_err(|error| dns_failure(adapter, what, &error))?;
        check_rcode(adapter, what, response.response_code(), true)?;
        if let Some(set) = collect_set(&name, record_type, response.answers()) {
            sets.push(set);
        }
    }
    Ok(sets)
}

/// The records of one type owned by `name` in an answer section, as one set.
fn collect_set(name: &Name, record_type: RecordType, answers: &[Record]) -> Option<RrSet> {
    let wanted = wire_type(record_type);
    let matching: Vec<&Record> = answers
        .iter()
        .filter(|record| record.record_type() == wanted && record.name() == name)
        .collect();
    let first = matching.first()?;
    Some(RrSet {
        name: name.to_string(),
        record_type,
        ttl: first.ttl(),
        records: matching
            .iter()
            .map(|record| RecordContent {
                content: record.data().to_string(),
                disabled: false,
            })
            .collect(),
    })
}

/// Parses a name, as an adapter error when it is not one.
pub fn dns_name(adapter: AdapterKind, text: &str) -> Result<Name, BlockError> {
    Name::from_str(text).map_err(|error| {
        BlockError::new(
            adapter,
            FailureKind::InvalidRecord,
            format!("`{text}` is not a DNS name: {error}"),
        )
    })
}

/// The wire record of one stored record content.
pub fn wire_record(adapter: AdapterKind, set: &RrSet, content: &str) -> Result<Record, BlockError> {
    let invalid = |reason: String| {
        let detail = format!(
            "{} record `{content}` of {}: {reason}",
            set.record_type.as_str(),
            set.name
        );
        BlockError::new(adapter, FailureKind::InvalidRecord, detail)
    };
    let data = match set.record_type {
        RecordType::A => RData::A(
            content
                .parse::<Ipv4Addr>()
                .map_err(|e| invalid(e.to_string()))?
                .into(),
        ),
        RecordType::AAAA => RData::AAAA(
            content
                .parse::<Ipv6Addr>()
                .map_err(|e| invalid(e.to_string()))?
                .into(),
        ),
        RecordType::CNAME => RData::CNAME(hickory_proto::rr::rdata::CNAME(
            Name::from_str(content).map_err(|e| invalid(e.to_string()))?,
        )),
    };
    Ok(Record::from_rdata(
        dns_name(adapter, &set.name)?,
        set.ttl,
        data,
    ))
}

/// An UPDATE message for `zone` that deletes the host's A, AAAA and CNAME sets and adds
/// `sets` in their place, in one message so that the server applies all or nothing.
pub fn replace_message(
    adapter: AdapterKind,
    zone: &Hostname,
    host: &Hostname,
    sets: &[RrSet],
) -> Result<Message, BlockError> {
    let mut zone_query = Query::new();
    zone_query
        .set_name(dns_name(adapter, &zone.fqdn())?)
        .set_query_class(DNSClass::IN)
        .set_query_type(hickory_proto::rr::RecordType::SOA);
    let mut message = Message::new();
    message
        .set_id(rand_id())
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Update)
        .set_recursion_desired(false)
        .add_zone(zone_query);
    let owner = dns_name(adapter, &host.fqdn())?;
    for record_type in RecordType::ALL {
        let mut delete = Record::update0(owner.clone(), 0, wire_type(record_type));
        delete.set_dns_class(DNSClass::ANY);
        message.add_update(delete);
    }
    for set in sets {
        for content in &set.records {
            message.add_update(wire_record(adapter, set, &content.content)?);
        }
    }
    Ok(message)
}

/// Turns a response code into an error unless it is NOERROR (or NXDOMAIN when allowed).
pub fn check_rcode(
    adapter: AdapterKind,
    what: &str,
    code: ResponseCode,
    nxdomain_is_fine: bool,
) -> Result<(), BlockError> {
    let kind = match code {
        ResponseCode::NoError => return Ok(()),
        ResponseCode::NXDomain if nxdomain_is_fine => return Ok(()),
        ResponseCode::NotAuth => FailureKind::WrongCredentials,
        ResponseCode::Refused | ResponseCode::NotZone => FailureKind::Refused,
        _ => FailureKind::UnexpectedAnswer,
    };
    Err(BlockError::new(
        adapter,
        kind,
        format!("{what}: the server answered {code}"),
    ))
}

/// An adapter error for a failed DNS exchange.
pub fn dns_failure(adapter: AdapterKind, what: &str, error: &ProtoError) -> BlockError {
    let text = error.to_string();
    let kind = match error.kind() {
        ProtoErrorKind::Timeout => FailureKind::Timeout,
        ProtoErrorKind::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            FailureKind::Unreachable
        }
        ProtoErrorKind::Io(_) | ProtoErrorKind::NoConnections => FailureKind::Unreachable,
        _ if text.contains("tsig") || text.contains("TSIG") => FailureKind::WrongCredentials,
        _ => FailureKind::UnexpectedAnswer,
    };
    BlockError::new(adapter, kind, format!("{what}: {text}"))
}
