//! One ticket as a MISP event, to import into a MISP instance: the event tagged with the
//! ticket's TLP (`tlp:amber+strict`; the `tlp` taxonomy of TLP 2.0), shared as far as the
//! label allows (`distribution`), its threat level from the criticality (or the reported
//! severity before the assessment), a `weakness` attribute for the CWE, and one
//! `vulnerability` object (MISP's template) with the summary, the description, the CVSS,
//! the state and the dates.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sigap_core::{Criticality, Severity, Tlp};

use crate::exports::stix::{cut, cwe, stamp};
use crate::exports::{Csirt, Finding};

/// MISP's `vulnerability` object template (misp-objects).
const VULNERABILITY_TEMPLATE: &str = "81650945-f186-437b-8945-9f31715d32da";
const VULNERABILITY_TEMPLATE_VERSION: &str = "12";

/// MISP's distribution for a TLP label: your organisation only for RED and AMBER+STRICT,
/// this community for AMBER, connected communities for GREEN, all for CLEAR.
fn distribution(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Red | Tlp::AmberStrict => "0",
        Tlp::Amber => "1",
        Tlp::Green => "2",
        Tlp::Clear => "3",
    }
}

/// MISP's threat level: 1 high, 2 medium, 3 low.
fn threat_level(f: &Finding) -> &'static str {
    match (f.criticality, f.severity) {
        (Some(Criticality::High), _) => "1",
        (Some(Criticality::Low), _) => "3",
        (None, Severity::Critical | Severity::High) => "1",
        (None, Severity::Medium) => "2",
        (None, Severity::Low) => "3",
    }
}

/// Finding `view` as a MISP event made at `now`.
pub fn event(view: &Finding, csirt: &Csirt, now: DateTime<Utc>) -> Value {
    let n = &view.number;
    let report = view;
    let uuid = |part: &str| csirt.uuid(&format!("{n}/misp/{part}"));
    let attribute = |relation: &str, kind: &str, value: Value| {
        json!({
            "uuid": uuid(relation),
            "object_relation": relation,
            "type": kind,
            "category": "External analysis",
            "value": value,
            "to_ids": false,
            "disable_correlation": false,
            "distribution": "5",
        })
    };
    let mut attributes = vec![
        attribute("summary", "text", json!(cut(&report.title, 250))),
        attribute("description", "text", json!(cut(&report.description, 4000))),
        attribute("state", "text", json!("Reported")),
        attribute("created", "datetime", json!(stamp(view.created_at))),
        attribute("modified", "datetime", json!(stamp(view.updated_at))),
    ];
    if let Some((vector, score)) = &report.cvss {
        attributes.push(attribute("cvss-score", "float", json!(score.to_string())));
        attributes.push(attribute("cvss-string", "text", json!(vector)));
    }
    let mut event_attributes = Vec::new();
    if let Some((id, _)) = cwe(&report.vulnerability_type) {
        event_attributes.push(json!({
            "uuid": uuid("weakness"),
            "type": "weakness",
            "category": "External analysis",
            "value": id,
            "to_ids": false,
            "distribution": "5",
            "comment": "CWE",
        }));
    }
    let tlp = view.tlp.as_str().to_ascii_lowercase();
    json!({
        "Event": {
            "uuid": uuid("event"),
            "info": format!("{n}: {}", cut(&report.title, 200)),
            "date": view.created_at.format("%Y-%m-%d").to_string(),
            "timestamp": view.updated_at.timestamp().to_string(),
            "published": false,
            "analysis": if view.closed_at.is_some() { "2" } else { "1" },
            "threat_level_id": threat_level(view),
            "distribution": distribution(view.tlp),
            "Orgc": {"name": csirt.name, "uuid": csirt.uuid("identity")},
            "Tag": [{"name": tlp}],
            "Attribute": event_attributes,
            "Object": [{
                "uuid": uuid("vulnerability"),
                "name": "vulnerability",
                "meta-category": "vulnerability",
                "template_uuid": VULNERABILITY_TEMPLATE,
                "template_version": VULNERABILITY_TEMPLATE_VERSION,
                "description": "Vulnerability object describing a common vulnerability enumeration which can describe published, unpublished, under review or embargo vulnerability for software, equipments or hardware.",
                "distribution": "5",
                "timestamp": now.timestamp().to_string(),
                "Attribute": attributes,
            }],
        }
    })
}
