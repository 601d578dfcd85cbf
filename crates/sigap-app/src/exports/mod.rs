//! What partners import: one ticket as a STIX 2.1 bundle ([`stix`]) or a MISP event
//! ([`misp`]), for the provincial CSIRT, BSSN's Gov-CSIRT or another city's CSIRT; and the
//! set the queue selects as a table for people ([`tabular`]: CSV streamed, XLSX). A ticket
//! is exported as its caller may read it (another agency's ticket is not found), and never
//! with the reporter's identity or contact, the proof of concept, comments or evidence: the
//! finding, its class (CWE), its CVSS, the affected system and the ticket's TLP 2.0 label,
//! which marks every object. Every export is written to the audit log, and so is a refused
//! one. Identifiers are derived from the public URL and the ticket number (UUID version 5),
//! so that an export made again updates what a partner imported instead of doubling it.

pub mod misp;
pub mod rows;
pub mod stix;
pub mod tabular;
pub mod xlsx;

use serde_json::json;
use sha1::Sha1;
use sha2::Digest;

use chrono::{DateTime, Utc};
use sigap_core::{Criticality, Severity, Tlp};
use sigap_store::TicketRow;

use crate::auth::Caller;
use crate::workflow::queue::{self, ListQuery};
use crate::{App, AppError, AppResult, audit, from_millis, millis};

/// The most tickets one export of a set holds.
pub const MAX_TICKETS: usize = 1000;

/// What of a ticket leaves for partners: the finding, its class and score, the system and
/// its agency, the label and the dates; nothing of the reporter, the proof of concept,
/// comments or files.
#[derive(Debug, Clone)]
pub struct Finding {
    pub number: String,
    pub tlp: Tlp,
    pub state_label: String,
    pub title: String,
    pub description: String,
    pub vulnerability_type: String,
    pub severity: Severity,
    /// The CVSS vector and its base score.
    pub cvss: Option<(String, f64)>,
    pub criticality: Option<Criticality>,
    pub target_host: String,
    pub system: Option<String>,
    pub agency: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl Finding {
    /// The finding of ticket `row` (read only for what is exported).
    pub fn of(row: &TicketRow) -> Finding {
        Finding {
            number: row.number.clone(),
            tlp: row.tlp,
            state_label: row.state.label_id().to_owned(),
            title: row.title.clone(),
            description: row.description.clone(),
            vulnerability_type: row.vulnerability_type.clone(),
            severity: row.severity,
            cvss: row.cvss_vector.clone().zip(row.cvss_score),
            criticality: row.criticality,
            target_host: row.target_host.clone(),
            system: row.system_name.clone(),
            agency: row.agency_name.clone(),
            created_at: from_millis(row.created_at),
            updated_at: from_millis(row.updated_at),
            closed_at: row.closed_at.map(from_millis),
        }
    }
}

/// The formats of an export: for partners (one ticket or a set) and, for a set only, as a
/// table ([`tabular`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A STIX 2.1 bundle (`application/stix+json;version=2.1`).
    Stix,
    /// A MISP event (`application/json`).
    Misp,
    /// A table as CSV (`text/csv`), streamed.
    Csv,
    /// A table as an XLSX workbook.
    Xlsx,
}

impl Format {
    /// The format named `text` in a path (`stix`, `misp`, `csv`, `xlsx`); another is not
    /// found.
    pub fn named(text: &str) -> AppResult<Format> {
        match text.trim() {
            "stix" => Ok(Format::Stix),
            "misp" => Ok(Format::Misp),
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            _ => Err(AppError::NotFound("export format".into())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Stix => "stix",
            Format::Misp => "misp",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    /// The media type of the download.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Stix => "application/stix+json;version=2.1",
            Format::Misp => "application/json",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => xlsx::MEDIA_TYPE,
        }
    }

    /// Whether partners import it (STIX, MISP): a format of one ticket as well as of a set.
    pub fn for_partners(self) -> bool {
        matches!(self, Format::Stix | Format::Misp)
    }
}

/// An export, ready to download.
#[derive(Debug, Clone)]
pub struct Export {
    /// `BCSIRT-2026-00001.stix.json`.
    pub name: String,
    pub media_type: &'static str,
    /// The JSON document, indented.
    pub bytes: Vec<u8>,
    /// Its SHA-256, in hex.
    pub sha256: String,
}

/// The CSIRT as it signs what it exports.
#[derive(Debug, Clone)]
pub struct Csirt {
    /// The display name of `SIGAP_MAIL_FROM` (`BATAM-CSIRT`).
    pub name: String,
    /// Its address, `mailto:` the sender's.
    pub contact: Option<String>,
    /// The public URL: part of every identifier.
    pub base: String,
}

impl Csirt {
    pub(crate) fn of(app: &App) -> Csirt {
        let from = app.rules.mail_from.trim();
        let (name, address) = match from.rsplit_once('<') {
            Some((name, rest)) => (name.trim().trim_matches('"'), rest.trim_end_matches('>')),
            None => ("", from),
        };
        let name = if name.is_empty() { "CSIRT" } else { name };
        Csirt {
            name: name.to_owned(),
            contact: (!address.is_empty()).then(|| format!("mailto:{address}")),
            base: app.rules.public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// A stable UUID (version 5, RFC 4122) for `name` under this CSIRT's URL.
    pub fn uuid(&self, name: &str) -> String {
        uuid5(&format!("{}/{name}", self.base))
    }
}

/// Exports ticket `number` as `format`, as `caller` may read it.
pub async fn ticket(
    app: &App,
    caller: &Caller,
    number: &str,
    format: Format,
    source: Option<String>,
) -> AppResult<Export> {
    let number = number.trim().to_ascii_uppercase();
    let result = export(app, caller, &number, format, source.clone()).await;
    if let Err(e) = &result {
        audit::refused(app, caller, "export_ticket", Some(&number), e, source).await;
    }
    result
}

async fn export(
    app: &App,
    caller: &Caller,
    number: &str,
    format: Format,
    source: Option<String>,
) -> AppResult<Export> {
    // The scope of the ticket's page; the reporter's data is not read, so not audited as
    // read.
    // A table is a format of a set, not of one ticket.
    if !format.for_partners() {
        return Err(AppError::NotFound("export format".into()));
    }
    let (row, _) = crate::access::visible_ticket(app, caller, number).await?;
    let finding = Finding::of(&row);
    let csirt = Csirt::of(app);
    let now = app.now();
    let body = match format {
        Format::Misp => misp::event(&finding, &csirt, now),
        _ => stix::bundle(std::slice::from_ref(&finding), &csirt, now),
    };
    let made = Made {
        action: "export_ticket",
        ticket: Some(finding.number.clone()),
        details: json!({"format": format.as_str(), "tlp": finding.tlp.as_str()}),
        name: format!("{}.{}.json", finding.number, format.as_str()),
        format,
        body,
    };
    deliver(app, caller, source, made).await
}

/// An export made, before it is audited and answered.
struct Made {
    action: &'static str,
    ticket: Option<String>,
    details: serde_json::Value,
    name: String,
    format: Format,
    body: serde_json::Value,
}

/// Writes the audit entry of an export made (`action`, outcome `ok`) in its own
/// transaction.
pub(crate) async fn audit_ok(
    app: &App,
    caller: &Caller,
    source: Option<String>,
    action: &str,
    ticket: Option<String>,
    details: serde_json::Value,
) -> AppResult<()> {
    let mut tx = app.store.begin().await?;
    tx.append_audit(&sigap_store::NewAuditEntry {
        at: millis(app.now()),
        actor: caller.email.clone(),
        role: caller.role.as_str().to_owned(),
        action: action.to_owned(),
        ticket_number: ticket,
        source,
        outcome: "ok".to_owned(),
        details,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The filters of a set's export as its audit entry records them (those given).
pub(crate) fn filters_json(q: &ListQuery) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    let texts = [
        ("view", &q.view),
        ("state", &q.state),
        ("agency", &q.agency),
        ("criticality", &q.criticality),
        ("channel", &q.channel),
        ("class", &q.class),
        ("from", &q.from),
        ("to", &q.to),
        ("assignee", &q.assignee),
        ("q", &q.q),
    ];
    for (name, value) in texts {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            out.insert(name.to_owned(), json!(v));
        }
    }
    for (name, value) in [("open", q.open), ("overdue", q.overdue)] {
        if let Some(v) = value {
            out.insert(name.to_owned(), json!(v));
        }
    }
    serde_json::Value::Object(out)
}

/// Writes the audit entry of export `made` and answers it as a download.
async fn deliver(
    app: &App,
    caller: &Caller,
    source: Option<String>,
    made: Made,
) -> AppResult<Export> {
    audit_ok(app, caller, source, made.action, made.ticket, made.details).await?;
    let bytes = serde_json::to_vec_pretty(&made.body).unwrap_or_default();
    Ok(Export {
        name: made.name,
        media_type: made.format.media_type(),
        sha256: hex::encode(sha2::Sha256::digest(&bytes)),
        bytes,
    })
}

/// Exports the tickets `query` selects in the caller's scope (as the queue lists them, at
/// most [`MAX_TICKETS`]), those labelled more restrictively than `ceiling` left out: one
/// STIX bundle, or MISP events in a `response` list as MISP's own search answers.
pub async fn set(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
    ceiling: Option<Tlp>,
    format: Format,
    source: Option<String>,
) -> AppResult<Export> {
    let result = export_set(app, caller, query, ceiling, format, source.clone()).await;
    if let Err(e) = &result {
        audit::refused(app, caller, "export_tickets", None, e, source).await;
    }
    result
}

async fn export_set(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
    ceiling: Option<Tlp>,
    format: Format,
    source: Option<String>,
) -> AppResult<Export> {
    // The tables have their own way out (`tabular`): streamed, or a workbook.
    if !format.for_partners() {
        return Err(AppError::NotFound("export format".into()));
    }
    let mut list = query.clone();
    list.limit = Some(100);
    list.cursor = None;
    let mut findings = Vec::new();
    loop {
        let page = queue::list_tickets(app, caller, &list).await?;
        for summary in &page.items {
            let row = app
                .store
                .get_ticket(&summary.number)
                .await?
                .ok_or_else(|| AppError::NotFound("ticket".into()))?;
            if ceiling.is_none_or(|c| within(row.tlp, c)) {
                findings.push(Finding::of(&row));
            }
        }
        match page.next_cursor {
            Some(next) if findings.len() < MAX_TICKETS => list.cursor = Some(next),
            _ => break,
        }
    }
    findings.truncate(MAX_TICKETS);
    let csirt = Csirt::of(app);
    let now = app.now();
    let body = match format {
        Format::Misp => json!({
            "response": findings.iter().map(|f| misp::event(f, &csirt, now)).collect::<Vec<_>>()
        }),
        _ => stix::bundle(&findings, &csirt, now),
    };
    let numbers: Vec<&str> = findings.iter().map(|f| f.number.as_str()).collect();
    let made = Made {
        action: "export_tickets",
        ticket: None,
        details: json!({
            "format": format.as_str(),
            "ceiling": ceiling.map(Tlp::as_str),
            "filters": filters_json(query),
            "tickets": numbers,
        }),
        name: format!(
            "{}-{}.{}.json",
            app.rules.ticket_prefix,
            now.format("%Y%m%d-%H%M"),
            format.as_str()
        ),
        format,
        body,
    };
    deliver(app, caller, source, made).await
}

/// Whether a ticket labelled `tlp` may go to a recipient allowed up to `ceiling`: RED is
/// the most restrictive, CLEAR the least.
fn within(tlp: Tlp, ceiling: Tlp) -> bool {
    let rank = |t: Tlp| Tlp::ALL.iter().position(|x| *x == t).unwrap_or(0);
    rank(tlp) >= rank(ceiling)
}

/// A name-based UUID (version 5, SHA-1, RFC 4122 section 4.3) in the URL namespace.
fn uuid5(name: &str) -> String {
    // The URL namespace of RFC 4122, appendix C.
    const URL_NAMESPACE: [u8; 16] = [
        0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30,
        0xc8,
    ];
    let mut hash = Sha1::new();
    hash.update(URL_NAMESPACE);
    hash.update(name.as_bytes());
    let digest = hash.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_based_uuids_follow_rfc_4122() {
        // Python: uuid.uuid5(uuid.NAMESPACE_URL, "https://csirt.batam.go.id/BCSIRT-2026-00001")
        assert_eq!(
            uuid5("https://csirt.batam.go.id/BCSIRT-2026-00001"),
            "2d36c564-08e9-5080-9695-76fc678ca013"
        );
    }
}
