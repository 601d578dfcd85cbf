//! One ticket exported for partners, checked by the tools partners trust: the STIX 2.1
//! bundle by OASIS's `stix2-validator` (no error), the MISP event loaded by `pymisp` with
//! its JSON schema validation. A ticket driven through the SOP to remediation (assessed
//! high, CVSS, CWE-89): the TLP 2.0 marking of its label on every object, the CWE as a
//! reference, the CVSS, the system that has the finding; never the reporter's name,
//! address or telephone, nor the proof of concept. The agency's system owner exports it;
//! another agency's owner gets a 404, audited as refused; every export is audited. The
//! ticket page offers both downloads.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::Value;
use sigap_testkit::{TestApp, valid_report};

use crate::support::{Browser, PASSWORD, staff};

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, |s: &mut sigap_testkit::Start| {
        s.rules.totp_required_roles.clear();
    });
    a_ticket_exports_to_stix_and_misp: sqlite_a_ticket_exports_to_stix_and_misp,
        postgres_a_ticket_exports_to_stix_and_misp;
}

/// The Python with `stix2validator` and `pymisp` (scripts/test makes one); `None` skips,
/// unless `SIGAP_REQUIRE_VALIDATORS=1`.
pub(crate) fn validators() -> Option<String> {
    let python = std::env::var("SIGAP_VALIDATORS_PYTHON").unwrap_or_else(|_| "python3".into());
    let found = Command::new(&python)
        .args(["-c", "import stix2validator, pymisp"])
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Some(python);
    }
    assert!(
        std::env::var("SIGAP_REQUIRE_VALIDATORS").as_deref() != Ok("1")
            && std::env::var("SIGAP_VALIDATORS_PYTHON").is_err(),
        "stix2-validator and pymisp are required ({python})"
    );
    eprintln!("export validators skipped: no stix2-validator and pymisp");
    None
}

pub(crate) const STIX_CHECK: &str = r#"
import sys
from stix2validator import validate_string, print_results, ValidationOptions
results = validate_string(open(sys.argv[1]).read(), ValidationOptions(version="2.1"))
print_results(results)
sys.exit(0 if results.is_valid else 1)
"#;

const MISP_CHECK: &str = r#"
import sys
from pymisp import MISPEvent
event = MISPEvent()
event.load(open(sys.argv[1]).read(), validate=True)
vulnerability = [o for o in event.objects if o.name == "vulnerability"]
assert len(vulnerability) == 1, event.objects
relations = sorted(a.object_relation for a in vulnerability[0].attributes)
weakness = [a.value for a in event.attributes if a.type == "weakness"]
print(event.info, [t.name for t in event.tags], relations, weakness)
"#;

/// Runs `script` on `body` with the validators' Python; answers what it printed.
pub(crate) fn check(python: &str, script: &str, body: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.json");
    std::fs::write(&path, body).unwrap();
    let out = Command::new(python)
        .args(["-c", script])
        .arg(&path)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    said
}

async fn export(app: &TestApp, role: &str, n: &str, format: &str) -> reqwest::Response {
    app.get(
        Some(app.token(role)),
        &format!("/api/v1/tickets/{n}/export/{format}"),
    )
    .await
}

async fn a_ticket_exports_to_stix_and_misp(app: TestApp) {
    let report = valid_report();
    let n = app.submit_ok(&report).await.number;
    app.drive(&n, "remediating").await;
    let secrets = [
        report["reporter_name"].as_str().unwrap(),
        report["reporter_email"].as_str().unwrap(),
        report["proof_of_concept"].as_str().unwrap(),
    ];

    let response = export(&app, "csirt", &n, "stix").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/stix+json;version=2.1"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let stix = response.bytes().await.unwrap();
    let bundle: Value = serde_json::from_slice(&stix).unwrap();
    let text = String::from_utf8_lossy(&stix);
    for secret in secrets {
        assert!(!text.contains(secret), "{secret} in the bundle");
    }
    let objects = bundle["objects"].as_array().unwrap();
    let of = |kind: &str| objects.iter().find(|o| o["type"] == kind).unwrap().clone();
    let ticket = app.ticket("csirt", &n).await;
    let tlp = ticket["tlp"].as_str().unwrap();
    assert_eq!(of("marking-definition")["name"], tlp);
    let marking = of("marking-definition")["id"].clone();
    for object in objects
        .iter()
        .filter(|o| o["type"] != "marking-definition" && o["type"] != "identity")
    {
        assert_eq!(
            object["object_marking_refs"],
            Value::from(vec![marking.clone()]),
            "{object:#}"
        );
    }
    let vulnerability = of("vulnerability");
    assert_eq!(
        vulnerability["external_references"][0]["external_id"],
        "CWE-89"
    );
    assert_eq!(
        vulnerability["x_cvss"]["vector"],
        ticket["report"]["cvss"]["vector"]
    );
    assert_eq!(of("relationship")["relationship_type"], "has");
    assert!(of("report")["name"].as_str().unwrap().starts_with(&n));
    // The same ticket exported again keeps its objects' identifiers.
    let again: Value = export(&app, "csirt", &n, "stix")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["objects"][2]["id"], vulnerability["id"]);

    let misp = export(&app, "csirt", &n, "misp").await;
    assert_eq!(misp.status(), StatusCode::OK);
    let misp = misp.bytes().await.unwrap();
    let text = String::from_utf8_lossy(&misp);
    for secret in secrets {
        assert!(!text.contains(secret), "{secret} in the event");
    }
    if let Some(python) = validators() {
        let said = check(&python, STIX_CHECK, &stix);
        assert!(!said.contains("[X]"), "{said}");
        let said = check(&python, MISP_CHECK, &misp);
        let tag = format!("'{}'", tlp.to_ascii_lowercase());
        assert!(
            said.contains(&tag) && said.contains("'cvss-string'"),
            "{said}"
        );
        assert!(said.contains("['CWE-89']"), "{said}");
    }

    // The agency's owner exports it; another agency's owner finds no such ticket.
    let owner = export(&app, "system_owner", &n, "stix").await;
    assert_eq!(owner.status(), StatusCode::OK);
    let other = export(&app, "system_owner_b", &n, "misp").await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let log = app.store.list_audit(0, 1000).await.unwrap();
    let count = |outcome: &str| {
        log.iter()
            .filter(|e| e.action == "export_ticket" && e.outcome == outcome)
            .count()
    };
    assert_eq!(count("ok"), 4);
    assert_eq!(count("refused:404"), 1);

    set_exports(&app, &n).await;

    // The same downloads from the ticket page.
    let analyst = staff(&app, "mitra@kominfo.batam.go.id", "csirt", None).await;
    let mut browser = Browser::new(&app);
    browser.login(analyst, PASSWORD).await;
    let page = browser.get(&format!("/tickets/{n}")).await;
    assert!(
        page.body
            .contains(&format!("href=\"/tickets/{n}/export/stix\" download")),
        "{}",
        page.body
    );
    let download = browser.get(&format!("/tickets/{n}/export/misp")).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.headers["content-type"], "application/json");
    assert!(download.body.contains("\"Event\""));
    let unknown = browser.get(&format!("/tickets/{n}/export/pdf")).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

/// The numbers of the reports in a STIX bundle.
fn reported(bundle: &Value) -> Vec<String> {
    let mut numbers: Vec<String> = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["type"] == "report")
        .map(|o| {
            o["name"]
                .as_str()
                .unwrap()
                .split(':')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    numbers.sort();
    numbers
}

async fn set_export(app: &TestApp, role: &str, format: &str, query: &str) -> (StatusCode, Value) {
    let response = app
        .get(
            Some(app.token(role)),
            &format!("/api/v1/exports/{format}{query}"),
        )
        .await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The set the queue's filters select, within a TLP ceiling, in the caller's scope.
async fn set_exports(app: &TestApp, first: &str) {
    let second = app
        .submit_ok(&sigap_testkit::bodies::report_on(
            "https://ppdb.disdik.batam.go.id/pengumuman",
        ))
        .await
        .number;
    let (status, all) = set_export(app, "csirt", "stix", "").await;
    assert_eq!(status, StatusCode::OK);
    let mut both = vec![first.to_owned(), second.clone()];
    both.sort();
    assert_eq!(reported(&all), both);
    let (_, open) = set_export(app, "csirt", "stix", "?state=remediating").await;
    assert_eq!(reported(&open), [first.to_owned()]);
    // The tickets are TLP:AMBER+STRICT: a TLP:GREEN recipient gets none of them.
    let (_, green) = set_export(app, "csirt", "stix", "?tlp=GREEN").await;
    assert!(reported(&green).is_empty(), "{green:#}");
    let (_, strict) = set_export(app, "csirt", "stix", "?tlp=TLP:AMBER%2BSTRICT").await;
    assert_eq!(reported(&strict), both);
    let (status, _) = set_export(app, "csirt", "stix", "?tlp=ORANGE").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = set_export(app, "csirt", "pdf", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Scope: the agency's owner gets only what it may read, another agency's none.
    let (_, owner) = set_export(app, "system_owner", "stix", "").await;
    assert_eq!(reported(&owner), [first.to_owned()]);
    let (_, other) = set_export(app, "system_owner_b", "misp", "").await;
    assert_eq!(other["response"], Value::Array(Vec::new()));
    let (status, events) = set_export(app, "csirt", "misp", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(events["response"].as_array().unwrap().len(), 2);
    if let Some(python) = validators() {
        let said = check(&python, STIX_CHECK, all.to_string().as_bytes());
        assert!(!said.contains("[X]"), "{said}");
        for event in events["response"].as_array().unwrap() {
            check(&python, MISP_CHECK, event.to_string().as_bytes());
        }
    }
    let log = app.store.list_audit(0, 1000).await.unwrap();
    assert!(log.iter().any(|e| {
        e.action == "export_tickets"
            && e.outcome == "ok"
            && serde_json::from_str::<Value>(&e.details)
                .is_ok_and(|d| d["tickets"].as_array().is_some_and(|t| t.len() == 2))
    }));
}
