//! The queue's set as a table for people: `GET /api/v1/exports/csv` (streamed, RFC 4180,
//! headings in Indonesian or English) and `/exports/xlsx` (read back with `calamine`), with
//! every queue filter (`from`, `to`, `channel`, `agency`, …), in the caller's scope (a
//! system owner gets their agency's told tickets only, and never the reporter), a formula
//! written as text, a bad filter refused and audited, every export audited; the same
//! downloads from the queue page; and the audit log as CSV, from the API and from
//! `/admin/audit`.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::TimeDelta;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_testkit::{TestApp, problem, valid_report};

use crate::support::{Browser, PASSWORD, staff};

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, |s: &mut sigap_testkit::Start| {
        s.rules.totp_required_roles.clear();
    });
    the_queue_exports_as_csv_and_xlsx: sqlite_the_queue_exports_as_csv_and_xlsx,
        postgres_the_queue_exports_as_csv_and_xlsx;
    the_audit_log_exports_as_csv: sqlite_the_audit_log_exports_as_csv,
        postgres_the_audit_log_exports_as_csv;
    the_document_describes_the_tables: sqlite_the_document_describes_the_tables,
        postgres_the_document_describes_the_tables;
}

/// The headings of the CSV, in Indonesian.
const HEADINGS_ID: [&str; 15] = [
    "Nomor tiket",
    "Dibuat (WIB)",
    "Tahap SOP",
    "Kanal",
    "Perangkat daerah",
    "Sistem elektronik",
    "Kekritisan",
    "Keparahan menurut pelapor",
    "Jenis kerentanan",
    "Label TLP",
    "Diblokir",
    "Putaran",
    "Tenggat tahap (WIB)",
    "Lewat tenggat",
    "Ditutup (WIB)",
];

const FORMULA: &str = "=HYPERLINK(\"http://contoh.invalid\",\"klik\")";

async fn get(app: &TestApp, role: &str, path: &str) -> reqwest::Response {
    app.get(Some(app.token(role)), path).await
}

/// The rows of a CSV answer, each split into its cells.
fn rows(body: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

async fn csv_rows(app: &TestApp, role: &str, query: &str) -> Vec<Vec<String>> {
    let response = get(app, role, &format!("/api/v1/exports/csv{query}")).await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    rows(&response.bytes().await.unwrap())
}

/// The ticket numbers of a CSV's rows (its header left out), in order.
fn numbers(rows: &[Vec<String>]) -> Vec<String> {
    rows.iter().skip(1).map(|r| r[0].clone()).collect()
}

/// Three tickets: A on agency A's system, driven to remediation (told, blocked); F with a
/// vulnerability type a spreadsheet would run, both sent as the web form does on the first day;
/// P entered by the help desk from a telephone call on agency B's system two days later.
async fn three_tickets(app: &TestApp) -> (String, String, String) {
    let a = app.submit_ok(&valid_report()).await.number;
    app.drive(&a, "remediating").await;
    let mut formula = valid_report();
    formula["vulnerability_type"] = json!(FORMULA);
    let f = app.submit_ok(&formula).await.number;
    app.clock.advance(TimeDelta::days(2));
    let mut phoned =
        sigap_testkit::bodies::report_on("https://sirs.dinkes.batam.go.id/pasien/cari?id=1");
    phoned["channel"] = json!("phone");
    let response = app
        .client
        .post(app.url("/api/v1/tickets"))
        .bearer_auth(app.token("helpdesk"))
        .json(&phoned)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let p: Value = response.json().await.unwrap();
    (a, f, p["ticket_number"].as_str().unwrap().to_owned())
}

async fn the_queue_exports_as_csv_and_xlsx(app: TestApp) {
    let (a, f, p) = three_tickets(&app).await;
    let report = valid_report();
    let secrets = [
        "reporter_name",
        "reporter_email",
        "reporter_phone",
        "proof_of_concept",
    ]
    .map(|field| report[field].as_str().unwrap().to_owned());

    let response = get(&app, "csirt", "/api/v1/exports/csv").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let disposition = response.headers()["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"BCSIRT-"),
        "{disposition}"
    );
    assert!(disposition.ends_with(".csv\""), "{disposition}");
    let body = response.bytes().await.unwrap();
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert!(
        text.starts_with("\"Nomor tiket\",\"Dibuat (WIB)\","),
        "{text}"
    );
    assert!(text.ends_with("\r\n"));
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "{secret} in the CSV");
    }
    let all = rows(&body);
    assert_eq!(all[0], HEADINGS_ID);
    assert_eq!(
        numbers(&all),
        [p.clone(), f.clone(), a.clone()],
        "newest first"
    );
    let row_a = &all[3];
    let wanted_a = [
        a.as_str(),
        "2026-08-10 09:00",
        "Dalam perbaikan oleh perangkat daerah",
        "Formulir web",
        "DISDIK",
        "Portal Pendidikan",
        "Tinggi",
        "Tinggi",
        "CWE-89",
        "TLP:AMBER+STRICT",
        "Ya",
        "1",
    ];
    assert_eq!(row_a[..12], wanted_a, "{row_a:?}");
    assert!(
        row_a[12].starts_with("2026-08-"),
        "a remediation deadline: {row_a:?}"
    );
    assert_eq!(row_a[13..], ["Tidak", ""]);
    // A cell a spreadsheet would run is written as text.
    assert_eq!(all[2][8], format!("'{FORMULA}"));
    assert!(text.contains("\"'=HYPERLINK(\"\"http://contoh.invalid\"\",\"\"klik\"\")\""));
    assert_eq!(
        all[1][1..4],
        ["2026-08-12 09:00", "Menunggu validasi", "Telepon"]
    );

    let english = csv_rows(&app, "csirt", "?lang=en&channel=phone").await;
    assert_eq!(english[0][..3], ["Ticket", "Created (WIB)", "SOP step"]);
    assert_eq!(english[1][2..4], ["Awaiting validation", "Phone"]);

    filters(&app, &a, &f, &p).await;
    scope(&app, &a, &secrets).await;
    refusals(&app).await;
    xlsx(&app, &a, &f, &p).await;
    page_downloads(&app, &a, &p).await;
}

/// Every queue filter narrows the table, as it narrows the queue.
async fn filters(app: &TestApp, a: &str, f: &str, p: &str) {
    let cases: [(&str, Vec<&str>); 7] = [
        ("?from=2026-08-11", vec![p]),
        ("?to=2026-08-10", vec![f, a]),
        ("?from=2026-08-10&to=2026-08-10&channel=web", vec![f, a]),
        ("?channel=phone", vec![p]),
        ("?agency=DINKES", vec![p]),
        ("?agency=disdik&state=remediating", vec![a]),
        ("?to=2026-08-09", vec![]),
    ];
    for (query, wanted) in cases {
        assert_eq!(
            numbers(&csv_rows(app, "csirt", query).await),
            wanted,
            "{query}"
        );
    }
    let log = app.store.list_audit(0, 10_000).await.unwrap();
    let recorded = log.iter().any(|e| {
        e.action == "export_tickets"
            && e.outcome == "ok"
            && serde_json::from_str::<Value>(&e.details).is_ok_and(|d| {
                d["format"] == "csv"
                    && d["filters"]
                        == json!({"from": "2026-08-10", "to": "2026-08-10", "channel": "web"})
            })
    });
    assert!(recorded, "the export is audited with its filters");
}

/// A system owner exports their agency's told tickets only, never the reporter; another
/// agency's filter gives nothing.
async fn scope(app: &TestApp, a: &str, secrets: &[String]) {
    let response = get(app, "system_owner", "/api/v1/exports/csv").await;
    let body = response.bytes().await.unwrap();
    let text = String::from_utf8_lossy(&body);
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{secret} for the system owner"
        );
    }
    assert_eq!(numbers(&rows(&body)), [a]);
    let other = csv_rows(app, "system_owner", "?agency=DINKES").await;
    assert_eq!(other.len(), 1, "the header alone: {other:?}");
    let b = csv_rows(app, "system_owner_b", "").await;
    assert_eq!(
        b.len(),
        1,
        "agency B has not been told of its ticket: {b:?}"
    );
}

/// A bad filter is a field error, audited; an unknown format is not found.
async fn refusals(app: &TestApp) {
    for (query, field) in [
        ("?from=2026-13-01", "from"),
        ("?to=kemarin", "to"),
        ("?from=2026-08-12&to=2026-08-10", "to"),
        ("?channel=merpati", "channel"),
    ] {
        let response = get(app, "csirt", &format!("/api/v1/exports/csv{query}")).await;
        let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(
            sigap_testkit::error_fields(&body),
            [field],
            "{query}: {body:#}"
        );
    }
    let response = get(app, "csirt", "/api/v1/exports/xlsx?from=1.8.2026").await;
    problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    let response = get(app, "csirt", "/api/v1/exports/csv?lang=jv").await;
    problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    for format in ["pdf", "ods"] {
        let response = get(app, "csirt", &format!("/api/v1/exports/{format}")).await;
        problem(response, StatusCode::NOT_FOUND).await;
    }
    let log = app.store.list_audit(0, 10_000).await.unwrap();
    let refused = log
        .iter()
        .filter(|e| e.action == "export_tickets" && e.outcome == "refused:422")
        .count();
    assert_eq!(refused, 5, "each refused filter is audited");
}

/// The same table as an XLSX workbook: a header row, times as dates, the round a number,
/// a formula's text as text.
async fn xlsx(app: &TestApp, a: &str, f: &str, p: &str) {
    let response = get(app, "csirt", "/api/v1/exports/xlsx").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = response.bytes().await.unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("BCSIRT").unwrap();
    let cells: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(cells.len(), 4, "a header and three tickets");
    let header: Vec<String> = cells[0].iter().map(ToString::to_string).collect();
    assert_eq!(header, HEADINGS_ID);
    let column = |row: usize, at: usize| cells[row][at].to_string();
    assert_eq!([column(1, 0), column(2, 0), column(3, 0)], [p, f, a]);
    // 2026-08-10 09:00 WIB as a date: its serial number in a spreadsheet.
    match &cells[3][1] {
        Data::DateTime(at) => assert!((at.as_f64() - 46_244.375).abs() < 1e-6, "{at:?}"),
        other => panic!("the creation is a date: {other:?}"),
    }
    assert!(
        matches!(cells[3][12], Data::DateTime(_)),
        "{:?}",
        cells[3][12]
    );
    assert_eq!(cells[3][11], Data::Float(1.0));
    assert_eq!(column(3, 2), "Dalam perbaikan oleh perangkat daerah");
    assert_eq!(column(3, 10), "Ya");
    assert_eq!(column(2, 8), FORMULA);
    assert!(cells[3][14] == Data::Empty, "not closed");
    let owner = get(app, "system_owner", "/api/v1/exports/xlsx?lang=en").await;
    let bytes = owner.bytes().await.unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("BCSIRT").unwrap();
    assert_eq!(sheet.height(), 2, "the system owner's one ticket");
    assert_eq!(sheet.get((0, 0)).unwrap().to_string(), "Ticket");
    let log = app.store.list_audit(0, 10_000).await.unwrap();
    assert!(log.iter().any(|e| {
        e.action == "export_tickets"
            && serde_json::from_str::<Value>(&e.details)
                .is_ok_and(|d| d["format"] == "xlsx" && d["tickets"] == 3)
    }));
}

/// The queue page links the four downloads with its filters; each answers.
async fn page_downloads(app: &TestApp, a: &str, p: &str) {
    let analyst = staff(app, "tabel@kominfo.batam.go.id", "csirt", None).await;
    let mut browser = Browser::new(app);
    browser.login(analyst, PASSWORD).await;
    let page = browser
        .get("/tickets?view=all&channel=web&from=2026-08-10&to=2026-08-10")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("id=\"q-from\" name=\"from\" value=\"2026-08-10\"")
    );
    for format in ["csv", "xlsx", "stix", "misp"] {
        let link = format!(
            "href=\"/tickets/export/{format}?view=all&#38;channel=web&#38;from=2026-08-10&#38;to=2026-08-10\""
        );
        assert!(page.body.contains(&link), "{link} in {}", page.body);
    }
    let csv = browser
        .get("/tickets/export/csv?view=all&channel=web&from=2026-08-10&to=2026-08-10")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(numbers(&rows(csv.body.as_bytes()))[1], a);
    let old = browser.get("/tickets.csv?view=all&channel=phone").await;
    assert_eq!(numbers(&rows(old.body.as_bytes())), [p]);
    let xlsx = browser.get("/tickets/export/xlsx?view=all").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let stix = browser
        .get("/tickets/export/stix?view=all&agency=DINKES")
        .await;
    assert_eq!(
        stix.headers["content-type"],
        "application/stix+json;version=2.1"
    );
    assert!(stix.body.contains(p), "{}", stix.body);
    let bad = browser.get("/tickets/export/csv?view=all&from=besok").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let unknown = browser.get("/tickets/export/pdf").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let one = browser.get(&format!("/tickets/{a}/export/csv")).await;
    assert_eq!(
        one.status,
        StatusCode::NOT_FOUND,
        "a table is a format of a set"
    );
}

/// The audit log as CSV for auditors: the same entries as the JSON lines, a header row.
async fn the_audit_log_exports_as_csv(app: TestApp) {
    let n = app.submit_ok(&valid_report()).await.number;
    app.drive(&n, "assessing").await;
    let lines = get(&app, "auditor", &format!("/api/v1/audit/export?ticket={n}")).await;
    assert_eq!(lines.headers()["content-type"], "application/x-ndjson");
    let lines = lines.text().await.unwrap();
    let entries: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(entries.len() >= 2, "{lines}");

    let response = get(
        &app,
        "auditor",
        &format!("/api/v1/audit/export?ticket={n}&format=csv"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let disposition = response.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.ends_with(".csv\""), "{disposition}");
    let table = rows(&response.bytes().await.unwrap());
    assert_eq!(
        table[0],
        [
            "seq",
            "at",
            "actor",
            "role",
            "action",
            "ticket_number",
            "source",
            "outcome",
            "details",
            "prev_hash",
            "hash"
        ]
    );
    // The JSON lines held their own export's entry; the CSV holds its own besides.
    assert_eq!(table.len(), entries.len() + 2);
    assert_eq!(table[table.len() - 1][4], "audit_export");
    for (row, entry) in table[1..].iter().zip(&entries) {
        assert_eq!(row[0], entry["seq"].to_string());
        assert_eq!(row[4], entry["action"].as_str().unwrap());
        assert_eq!(row[5], n);
        assert_eq!(row[10], entry["hash"].as_str().unwrap());
        let details: Value = serde_json::from_str(&row[8]).unwrap();
        assert_eq!(details, entry["details"]);
    }
    // The time in WIB, to the millisecond.
    assert!(
        table[1][1].starts_with("2026-08-10T09:00:00.000+07:00"),
        "{:?}",
        table[1]
    );

    let bad = get(&app, "auditor", "/api/v1/audit/export?format=xml").await;
    let body = problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(sigap_testkit::error_fields(&body), ["format"]);
    let refused = get(&app, "csirt", "/api/v1/audit/export?format=csv").await;
    problem(refused, StatusCode::FORBIDDEN).await;
    let log = app.store.list_audit(0, 10_000).await.unwrap();
    let csv_exports = log
        .iter()
        .filter(|e| {
            e.action == "audit_export"
                && e.outcome == "ok"
                && serde_json::from_str::<Value>(&e.details).is_ok_and(|d| d["format"] == "csv")
        })
        .count();
    assert_eq!(csv_exports, 1);

    // The same from the audit page, beside the JSON lines.
    let auditor = staff(&app, "pemeriksa@kominfo.batam.go.id", "auditor", None).await;
    let mut browser = Browser::new(&app);
    browser.login(auditor, PASSWORD).await;
    let page = browser.get(&format!("/admin/audit?ticket={n}")).await;
    let link = format!("href=\"/admin/audit/export?ticket={n}&amp;format=csv\"");
    assert!(page.body.contains(&link), "{}", page.body);
    let csv = browser
        .get(&format!("/admin/audit/export?ticket={n}&format=csv"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.starts_with("\"seq\",\"at\",\"actor\""),
        "{}",
        csv.body
    );
}

/// The OpenAPI document names every new parameter and the media type of every answer, so
/// that a client generated from it (and schemathesis) reads them.
async fn the_document_describes_the_tables(app: TestApp) {
    let doc: Value = app
        .get(None, "/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let parameters = |path: &str| -> Vec<String> {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let media_types = |path: &str| -> Vec<String> {
        doc["paths"][path]["get"]["responses"]["200"]["content"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    for path in ["/api/v1/tickets", "/api/v1/exports/{format}"] {
        let names = parameters(path);
        for name in ["from", "to", "channel"] {
            assert!(names.iter().any(|n| n == name), "{path}: {names:?}");
        }
    }
    assert!(parameters("/api/v1/exports/{format}").contains(&"lang".to_owned()));
    let answers = media_types("/api/v1/exports/{format}");
    for media_type in [
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/stix+json;version=2.1",
        "application/json",
    ] {
        assert!(answers.iter().any(|m| m == media_type), "{answers:?}");
    }
    assert!(parameters("/api/v1/audit/export").contains(&"format".to_owned()));
    let answers = media_types("/api/v1/audit/export");
    assert_eq!(answers.len(), 2, "{answers:?}");
    assert!(answers.contains(&"text/csv".to_owned()), "{answers:?}");
    assert!(
        answers.contains(&"application/x-ndjson".to_owned()),
        "{answers:?}"
    );
}
