//! One ticket as a STIX 2.1 bundle: the CSIRT's `identity`, the ticket's TLP 2.0
//! `marking-definition` (the objects OASIS published for the TLP 2.0 extension, by their
//! fixed identifiers), the finding as a `vulnerability` (its CWE as an external reference,
//! its CVSS in the custom property `x_cvss`), the affected system as an `infrastructure`
//! that `has` the vulnerability, and a `report` that holds them. Every object but the
//! marking is created by the CSIRT and marked with the ticket's label.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use sigap_core::Tlp;

use crate::exports::{Csirt, Finding};

/// The TLP 2.0 property extension (OASIS CTI TC, `cti-stix-common-objects`).
const TLP2_EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// The longest description exported (a report's description can be long).
const MAX_DESCRIPTION: usize = 4000;

/// The published TLP 2.0 marking of `tlp`: its identifier and its `tlp_2_0` value.
fn tlp2(tlp: Tlp) -> (&'static str, &'static str) {
    match tlp {
        Tlp::Clear => (
            "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
            "clear",
        ),
        Tlp::Green => (
            "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
            "green",
        ),
        Tlp::Amber => (
            "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
            "amber",
        ),
        Tlp::AmberStrict => (
            "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
            "amber+strict",
        ),
        Tlp::Red => (
            "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
            "red",
        ),
    }
}

/// The marking-definition object of `tlp`, as OASIS published it.
pub fn marking(tlp: Tlp) -> Value {
    let (id, level) = tlp2(tlp);
    json!({
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": id,
        "created": "2022-10-01T00:00:00.000Z",
        "name": tlp.as_str(),
        "extensions": {
            TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": level}
        }
    })
}

/// A STIX timestamp (RFC 3339, milliseconds, UTC).
pub(crate) fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The CWE identifier of a vulnerability type (`CWE-89`), when it is one.
pub(crate) fn cwe(kind: &str) -> Option<(String, u32)> {
    let n: u32 = kind
        .trim()
        .to_ascii_uppercase()
        .strip_prefix("CWE-")?
        .parse()
        .ok()?;
    Some((format!("CWE-{n}"), n))
}

/// `text` cut at `max` characters.
pub(crate) fn cut(text: &str, max: usize) -> String {
    text.trim().chars().take(max).collect()
}

/// The properties of the finding's `vulnerability`: its title and description, its CWE
/// and the ticket as external references, its CVSS, the reported severity and the
/// assessed criticality.
fn vulnerability(f: &Finding, csirt: &Csirt) -> Value {
    let mut references = vec![json!({"source_name": csirt.name, "external_id": f.number})];
    if let Some((id, number)) = cwe(&f.vulnerability_type) {
        references.insert(
            0,
            json!({
                "source_name": "cwe",
                "external_id": id,
                "url": format!("https://cwe.mitre.org/data/definitions/{number}.html"),
            }),
        );
    }
    let mut finding = json!({
        "name": cut(&f.title, 250),
        "description": cut(&f.description, MAX_DESCRIPTION),
        "external_references": references,
        "x_sigap_severity": f.severity.as_str(),
    });
    if let Some((vector, score)) = &f.cvss {
        finding["x_cvss"] = json!({"vector": vector, "base_score": score});
    }
    if let Some(c) = f.criticality {
        finding["x_sigap_criticality"] = json!(c.as_str());
    }
    finding
}

/// The CSIRT's `identity` object.
fn csirt_identity(id: &str, csirt: &Csirt, at: DateTime<Utc>) -> Value {
    let mut identity = json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": id,
        "created": stamp(at),
        "modified": stamp(at),
        "name": csirt.name,
        "identity_class": "organization",
        "sectors": ["government-local"],
    });
    if let Some(contact) = &csirt.contact {
        identity["contact_information"] = json!(contact);
    }
    identity
}

/// The objects of one finding: its vulnerability, its system, the relationship between
/// them and the report that holds them, each created by `identity` and marked.
fn objects_of(f: &Finding, csirt: &Csirt, identity: &str) -> Vec<Value> {
    let n = &f.number;
    let id = |kind: &str, part: &str| format!("{kind}--{}", csirt.uuid(&format!("{n}/{part}")));
    let (marking_id, _) = tlp2(f.tlp);
    let (vulnerability, infrastructure) = (
        id("vulnerability", "finding"),
        id("infrastructure", "system"),
    );
    let relationship = id("relationship", "system-has-finding");
    let common = |kind: &str, id: &str, fields: Value| {
        let mut object = json!({
            "type": kind,
            "spec_version": "2.1",
            "id": id,
            "created": stamp(f.created_at),
            "modified": stamp(f.updated_at),
            "created_by_ref": identity,
            "object_marking_refs": [marking_id],
        });
        if let (Value::Object(object), Value::Object(fields)) = (&mut object, fields) {
            object.extend(fields);
        }
        object
    };
    let system = f.system.clone().unwrap_or_else(|| f.target_host.clone());
    let owner = f.agency.clone().unwrap_or_default();
    vec![
        common(
            "vulnerability",
            &vulnerability,
            self::vulnerability(f, csirt),
        ),
        common(
            "infrastructure",
            &infrastructure,
            json!({
                "name": cut(&system, 250),
                "infrastructure_types": ["unknown"],
                "description": format!("{} ({owner})", f.target_host),
            }),
        ),
        common(
            "relationship",
            &relationship,
            json!({
                "relationship_type": "has",
                "source_ref": infrastructure,
                "target_ref": vulnerability,
            }),
        ),
        common(
            "report",
            &id("report", "report"),
            json!({
                "name": format!("{n}: {}", cut(&f.title, 200)),
                "report_types": ["vulnerability"],
                "published": stamp(f.created_at),
                "description": format!("{} — {}", f.state_label, f.target_host),
                "object_refs": [vulnerability, infrastructure, relationship],
            }),
        ),
    ]
}

/// `findings` as one STIX 2.1 bundle made at `now`: the CSIRT's identity and the markings
/// once, then each finding's objects.
pub fn bundle(findings: &[Finding], csirt: &Csirt, now: DateTime<Utc>) -> Value {
    let identity = format!("identity--{}", csirt.uuid("identity"));
    let first = findings.iter().map(|f| f.created_at).min().unwrap_or(now);
    let mut objects = vec![csirt_identity(&identity, csirt, first)];
    for tlp in Tlp::ALL {
        if findings.iter().any(|f| f.tlp == *tlp) {
            objects.push(marking(*tlp));
        }
    }
    for f in findings {
        objects.extend(objects_of(f, csirt, &identity));
    }
    let numbers: Vec<&str> = findings.iter().map(|f| f.number.as_str()).collect();
    let name = format!("{}/bundle/{}", numbers.join(","), now.timestamp_millis());
    json!({
        "type": "bundle",
        "id": format!("bundle--{}", csirt.uuid(&name)),
        "objects": objects,
    })
}
