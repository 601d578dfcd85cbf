//! What partners import: one ticket as a STIX 2.1 bundle ([`stix`]) or a MISP event
//! ([`misp`]), for the provincial CSIRT, BSSN's Gov-CSIRT or another city's CSIRT. A ticket
//! is exported as its caller may read it (another agency's ticket is not found), and never
//! with the reporter's identity or contact, the proof of concept, comments or evidence: the
//! finding, its class (CWE), its CVSS, the affected system and the ticket's TLP 2.0 label,
//! which marks every object. Every export is written to the audit log, and so is a refused
//! one. Identifiers are derived from the public URL and the ticket number (UUID version 5),
//! so that an export made again updates what a partner imported instead of doubling it.

pub mod misp;
pub mod stix;

use serde_json::json;
use sha1::Sha1;
use sha2::Digest;

use crate::auth::Caller;
use crate::views::TicketView;
use crate::{App, AppResult, audit, millis};

/// The formats one ticket is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A STIX 2.1 bundle (`application/stix+json;version=2.1`).
    Stix,
    /// A MISP event (`application/json`).
    Misp,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Stix => "stix",
            Format::Misp => "misp",
        }
    }

    /// The media type of the download.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Stix => "application/stix+json;version=2.1",
            Format::Misp => "application/json",
        }
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
    fn of(app: &App) -> Csirt {
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
    let view: TicketView = crate::workflow::tickets::get_ticket(app, caller, number).await?;
    let csirt = Csirt::of(app);
    let now = app.now();
    let body = match format {
        Format::Stix => stix::bundle(&view, &csirt, now),
        Format::Misp => misp::event(&view, &csirt, now),
    };
    let mut tx = app.store.begin().await?;
    tx.append_audit(&sigap_store::NewAuditEntry {
        at: millis(now),
        actor: caller.email.clone(),
        role: caller.role.as_str().to_owned(),
        action: "export_ticket".to_owned(),
        ticket_number: Some(view.number.clone()),
        source,
        outcome: "ok".to_owned(),
        details: json!({"format": format.as_str(), "tlp": view.tlp.as_str()}),
    })
    .await?;
    tx.commit().await?;
    let bytes = serde_json::to_vec_pretty(&body).unwrap_or_default();
    Ok(Export {
        name: format!("{}.{}.json", view.number, format.as_str()),
        media_type: format.media_type(),
        sha256: hex::encode(sha2::Sha256::digest(&bytes)),
        bytes,
    })
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
