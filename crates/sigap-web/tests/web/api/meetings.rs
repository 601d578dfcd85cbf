//! Meetings of a ticket's steps: scheduling one mails an iCalendar invitation to every
//! attendee through a real SMTP server (the sink on loopback); a change keeps the UID and
//! raises the SEQUENCE, and whoever is removed gets a cancellation; a cancellation goes to
//! all. Refusals (role, scope, state, input) write nothing and send nothing. A step that
//! names its meeting takes the meeting's attendees into its records and minutes, and the
//! meeting is held.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use mail_parser::MimeHeaders;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_app::outbox::notify::MailSender;
use sigap_notify::sink::{ReceivedMail, SmtpSink};
use sigap_notify::{PublicUrl, SmtpMailer, SmtpOptions};
use sigap_testkit::{TestApp, error_fields, number, problem, read, valid_report};

use crate::api::documents::pdftotext;

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    invitations_updates_and_cancellations_are_mailed:
        sqlite_invitations_updates_and_cancellations_are_mailed,
        postgres_invitations_updates_and_cancellations_are_mailed;
    refused_meetings_write_and_send_nothing: sqlite_refused_meetings_write_and_send_nothing,
        postgres_refused_meetings_write_and_send_nothing;
    a_step_records_its_scheduled_meeting: sqlite_a_step_records_its_scheduled_meeting,
        postgres_a_step_records_its_scheduled_meeting;
}

const KETUA: &str = "ketua@kominfo.batam.go.id";
const ANALIS: &str = "analis@kominfo.batam.go.id";
const AGENCY: &str = "disdik@batam.go.id";
const AGENCY_OWNER: &str = "pj.sistem@disdik.batam.go.id";
const SEKRETARIS: &str = "sekretaris@kominfo.batam.go.id";

fn mail_settings(app: &TestApp, sink: &SmtpSink) -> MailSender {
    let mailer = SmtpMailer::from_url(
        &sink.url(),
        "BATAM-CSIRT <csirt@batam.go.id>",
        SmtpOptions::default(),
    )
    .unwrap();
    MailSender {
        mailer: Arc::new(mailer),
        public: PublicUrl::parse(&app.base_url).unwrap(),
    }
}

/// Sends every due job to the sink and answers the meeting mails that arrived since
/// `seen` messages, in order.
async fn meeting_mails(app: &TestApp, sink: &SmtpSink, seen: &mut usize) -> Vec<ReceivedMail> {
    let settings = mail_settings(app, sink);
    let mut sent = 0;
    loop {
        let claimed = sigap_app::worker::run_due(&app.app, Some(&settings), 64)
            .await
            .unwrap();
        if claimed == 0 {
            break;
        }
        sent += claimed;
    }
    let all = sink.wait_for(*seen + sent, Duration::from_secs(10)).await;
    let fresh = all[*seen..].to_vec();
    *seen = all.len();
    fresh
        .into_iter()
        .filter(|m| calendar(m).is_some())
        .collect()
}

/// The `method=` of the `text/calendar` part and the iCalendar text.
fn calendar(mail: &ReceivedMail) -> Option<(String, String)> {
    let parsed = mail.parsed()?;
    let part = parsed.parts.iter().find(|part| {
        part.content_type()
            .is_some_and(|t| t.ctype() == "text" && t.subtype() == Some("calendar"))
    })?;
    let method = part.content_type()?.attribute("method")?.to_owned();
    Some((method, String::from_utf8(part.contents().to_vec()).ok()?))
}

/// An iCalendar object read by a real parser: its METHOD, and the VEVENT's properties
/// (name, value) in order.
struct Ics {
    method: String,
    event: Vec<(String, String)>,
}

impl Ics {
    fn parse(text: &str) -> Ics {
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
        let unfolded = icalendar::parser::unfold(text);
        let calendar = icalendar::parser::read_calendar(&unfolded).unwrap();
        let method = calendar
            .properties
            .iter()
            .find(|p| p.name.as_str() == "METHOD")
            .map(|p| p.val.as_str().to_owned())
            .unwrap();
        let event = calendar
            .components
            .iter()
            .find(|c| c.name.as_str() == "VEVENT")
            .expect("a VEVENT");
        Ics {
            method,
            event: event
                .properties
                .iter()
                .map(|p| (p.name.as_str().to_owned(), p.val.as_str().to_owned()))
                .collect(),
        }
    }

    fn get(&self, name: &str) -> &str {
        self.event
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name}"))
    }

    fn attendees(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .event
            .iter()
            .filter(|(n, _)| n == "ATTENDEE")
            .map(|(_, v)| v.trim_start_matches("mailto:").to_owned())
            .collect();
        all.sort();
        all
    }
}

/// The one meeting mail, checked against its part's method; its recipients sorted.
fn one(mails: &[ReceivedMail], method: &str) -> (Ics, Vec<String>) {
    let found: Vec<_> = mails
        .iter()
        .filter(|m| calendar(m).is_some_and(|(mt, _)| mt == method))
        .collect();
    assert_eq!(found.len(), 1, "one {method} mail: {:?}", found.len());
    let (_, text) = calendar(found[0]).unwrap();
    let ics = Ics::parse(&text);
    assert_eq!(ics.method, method);
    let mut to = found[0].rcpt_to.clone();
    to.sort();
    (ics, to)
}

fn subject(mail: &ReceivedMail) -> String {
    let parsed = mail.parsed().unwrap();
    parsed.subject().unwrap_or_default().to_owned()
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
    v.sort();
    v
}

async fn post(app: &TestApp, role: &str, path: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(app.token(role))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn patch(app: &TestApp, role: &str, id: i64, body: &Value) -> reqwest::Response {
    app.client
        .patch(app.url(&format!("/api/v1/meetings/{id}")))
        .bearer_auth(app.token(role))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn schedule(app: &TestApp, role: &str, n: &str, body: &Value) -> reqwest::Response {
    post(app, role, &format!("/api/v1/tickets/{n}/meetings"), body).await
}

async fn schedule_ok(app: &TestApp, role: &str, n: &str, body: &Value) -> Value {
    let (status, meeting) = read(schedule(app, role, n, body).await).await;
    assert_eq!(status, StatusCode::CREATED, "{meeting:#}");
    meeting
}

async fn meetings(app: &TestApp, n: &str) -> Value {
    let (status, list) = read(
        app.get(
            Some(app.token("csirt")),
            &format!("/api/v1/tickets/{n}/meetings"),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list:#}");
    list
}

async fn job_count(app: &TestApp) -> usize {
    app.store.list_jobs(None, 10_000).await.unwrap().len()
}

/// A validation meeting tomorrow at 09:00 WIB (the test clock is Monday 09:00 WIB).
fn validation_meeting() -> Value {
    json!({
        "purpose": "validation",
        "starts_at": "2026-08-11T09:00:00+07:00",
        "duration_minutes": 90,
        "place": "Ruang Rapat Diskominfo, Lt. 2",
        "video_url": "https://meet.batam.go.id/csirt-1",
        "attendees": [
            {"name": "Ketua Tim CSIRT", "email": KETUA},
            {"email": ANALIS},
            // The same mailbox written in capitals: one person, one copy.
            {"email": KETUA.to_uppercase()}
        ],
        "agency_invited": true
    })
}

async fn invitations_updates_and_cancellations_are_mailed(app: TestApp) {
    let sink = SmtpSink::start().await.unwrap();
    let mut seen = 0;
    app.submit_ok(&valid_report()).await;
    let n = number(1);
    let meeting = schedule_ok(&app, "csirt", &n, &validation_meeting()).await;
    assert_eq!(meeting["status"], "scheduled");
    assert_eq!(meeting["sequence"], 0);
    assert_eq!(meeting["ends_at"], "2026-08-11T03:30:00Z");
    let uid = meeting["uid"].as_str().unwrap().to_owned();
    assert!(uid.starts_with(&format!("{n}-validation-1@")), "{uid}");
    let id = meeting["id"].as_i64().unwrap();
    assert_eq!(meetings(&app, &n).await.as_array().unwrap().len(), 1);

    // The invitation: one mail to every attendee and the agency, with a REQUEST calendar.
    let mails = meeting_mails(&app, &sink, &mut seen).await;
    let (ics, to) = one(&mails, "REQUEST");
    let everyone = sorted(&[KETUA, ANALIS, AGENCY, AGENCY_OWNER]);
    assert_eq!(to, everyone);
    assert_eq!(ics.attendees(), everyone);
    assert_eq!(ics.get("UID"), uid);
    assert_eq!(ics.get("SEQUENCE"), "0");
    assert_eq!(ics.get("DTSTART"), "20260811T020000Z");
    assert_eq!(ics.get("DTEND"), "20260811T033000Z");
    assert_eq!(ics.get("LOCATION"), "Ruang Rapat Diskominfo, Lt. 2");
    assert_eq!(ics.get("URL"), "https://meet.batam.go.id/csirt-1");
    assert_eq!(ics.get("ORGANIZER"), "mailto:csirt@batam.go.id");
    assert_eq!(ics.get("STATUS"), "CONFIRMED");
    let raw = String::from_utf8_lossy(&mails[0].data).into_owned();
    assert!(
        !raw.contains("sqlmap"),
        "no proof of concept in invitations"
    );
    // The agency is invited before step 6 tells it: no ticket link, which would answer 404.
    let text = mails[0]
        .parsed()
        .unwrap()
        .body_text(0)
        .unwrap()
        .into_owned();
    assert!(text.contains("Ruang Rapat Diskominfo"), "{text}");
    assert!(!text.contains("/tickets/"), "{text}");

    // Moved an hour later without the analyst and with the secretary: an update to who
    // stays, an invitation to who is new, a cancellation to who is no longer invited.
    let later = "2026-08-11T10:00:00+07:00";
    let (status, changed) = read(
        patch(
            &app,
            "csirt",
            id,
            &json!({"starts_at": later, "attendees": [KETUA, SEKRETARIS]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed:#}");
    assert_eq!(changed["sequence"], 1);
    assert_eq!(changed["uid"], uid.as_str());
    assert_eq!(
        changed["ends_at"], "2026-08-11T04:30:00Z",
        "the length is kept"
    );
    let mails = meeting_mails(&app, &sink, &mut seen).await;
    assert_eq!(mails.len(), 3);
    let requests: Vec<&ReceivedMail> = mails
        .iter()
        .filter(|m| calendar(m).is_some_and(|(method, _)| method == "REQUEST"))
        .collect();
    assert_eq!(requests.len(), 2);
    let (added, kept): (Vec<&ReceivedMail>, Vec<&ReceivedMail>) = requests
        .into_iter()
        .partition(|m| m.rcpt_to.iter().any(|r| r == SEKRETARIS));
    assert_eq!(added[0].rcpt_to, [SEKRETARIS]);
    assert!(
        subject(added[0]).contains("Undangan rapat"),
        "{}",
        subject(added[0])
    );
    assert!(
        subject(kept[0]).contains("Perubahan jadwal rapat"),
        "{}",
        subject(kept[0])
    );
    let mut to = kept[0].rcpt_to.clone();
    to.sort();
    let stays = sorted(&[KETUA, AGENCY, AGENCY_OWNER]);
    assert_eq!(to, stays);
    let remaining = sorted(&[KETUA, AGENCY, AGENCY_OWNER, SEKRETARIS]);
    for mail in [added[0], kept[0]] {
        let update = Ics::parse(&calendar(mail).unwrap().1);
        assert_eq!(update.attendees(), remaining, "the calendar names everyone");
        assert_eq!(update.get("UID"), uid);
        assert_eq!(update.get("SEQUENCE"), "1");
        assert_eq!(update.get("DTSTART"), "20260811T030000Z");
    }
    let (removed, to) = one(&mails, "CANCEL");
    assert_eq!(to, [ANALIS]);
    assert_eq!(removed.get("UID"), uid);
    assert_eq!(removed.get("SEQUENCE"), "1");
    assert_eq!(removed.get("STATUS"), "CANCELLED");
    assert_eq!(removed.attendees(), [ANALIS]);

    // Cancelled: everyone still invited gets METHOD:CANCEL.
    let path = format!("/api/v1/meetings/{id}/cancel");
    let (status, cancelled) = read(
        post(
            &app,
            "csirt",
            &path,
            &json!({"reason": "Narasumber berhalangan."}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{cancelled:#}");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["sequence"], 2);
    assert_eq!(cancelled["cancel_reason"], "Narasumber berhalangan.");
    let mails = meeting_mails(&app, &sink, &mut seen).await;
    let (cancel, to) = one(&mails, "CANCEL");
    assert_eq!(mails.len(), 1);
    assert_eq!(to, remaining);
    assert_eq!(cancel.get("UID"), uid);
    assert_eq!(cancel.get("SEQUENCE"), "2");
    assert_eq!(cancel.get("STATUS"), "CANCELLED");
    // The reason travels in the text and in the calendar, and the calendar as a named file.
    assert_eq!(cancel.get("COMMENT"), "Narasumber berhalangan.");
    let parsed = mails[0].parsed().unwrap();
    let text = parsed.body_text(0).unwrap().into_owned();
    assert!(
        text.contains("Alasan pembatalan: Narasumber berhalangan."),
        "{text}"
    );
    let file = parsed
        .attachments()
        .find(|a| a.attachment_name() == Some(sigap_notify::smtp::CALENDAR_FILE))
        .expect("the calendar as a named attachment");
    assert_eq!(
        Ics::parse(&String::from_utf8_lossy(file.contents())).method,
        "CANCEL"
    );

    // A cancelled meeting does not change again.
    let again = post(&app, "csirt", &path, &json!({"reason": "lagi"})).await;
    problem(again, StatusCode::CONFLICT).await;
    let moved = patch(&app, "csirt", id, &json!({"place": "Aula"})).await;
    problem(moved, StatusCode::CONFLICT).await;
    assert!(meeting_mails(&app, &sink, &mut seen).await.is_empty());

    // A second meeting for the same step gets its own UID.
    let second = schedule_ok(&app, "csirt", &n, &validation_meeting()).await;
    assert!(
        second["uid"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{n}-validation-2@")),
        "{second:#}"
    );
}

async fn refused_meetings_write_and_send_nothing(app: TestApp) {
    app.submit_ok(&valid_report()).await;
    let n = number(1);
    let jobs = job_count(&app).await;
    let body = validation_meeting();

    problem(
        schedule(&app, "system_owner_b", &n, &body).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let (status, _) = read(
        app.get(
            Some(app.token("system_owner_b")),
            &format!("/api/v1/tickets/{n}/meetings"),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The agency is not told of the report yet: its own owner does not find it either.
    problem(
        schedule(&app, "system_owner", &n, &body).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    for role in ["domain_officer", "auditor", "regional_secretary"] {
        let refused = schedule(&app, role, &n, &body).await;
        problem(refused, StatusCode::FORBIDDEN).await;
    }
    // The help desk schedules validation meetings only.
    let mut assessment = body.clone();
    assessment["purpose"] = json!("assessment");
    let refused = schedule(&app, "helpdesk", &n, &assessment).await;
    problem(refused, StatusCode::FORBIDDEN).await;
    // The ticket is queued: an assessment or review meeting does not fit it.
    for purpose in ["assessment", "review"] {
        let mut wrong = body.clone();
        wrong["purpose"] = json!(purpose);
        let refused = schedule(&app, "csirt", &n, &wrong).await;
        problem(refused, StatusCode::CONFLICT).await;
    }
    let bad = [
        (
            json!({"purpose": "validation", "starts_at": "2026-08-09T09:00:00+07:00",
                "attendees": ["bukan alamat"]}),
            vec!["starts_at", "place", "attendees[0]"],
        ),
        (
            json!({"purpose": "validation", "starts_at": "2026-08-11T09:00:00+07:00",
                "duration_minutes": 5, "video_url": "javascript:alert(1)", "attendees": []}),
            vec!["duration_minutes", "video_url", "attendees"],
        ),
        (
            json!({"starts_at": "besok", "place": "Aula", "attendees": [KETUA],
                "ends_at": "2026-08-11T10:00:00+07:00", "duration_minutes": 30}),
            vec!["purpose", "starts_at"],
        ),
    ];
    for (input, fields) in bad {
        let refused = schedule(&app, "csirt", &n, &input).await;
        let body = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&body), fields, "{body:#}");
    }
    assert_eq!(meetings(&app, &n).await, json!([]));
    assert_eq!(job_count(&app).await, jobs, "no mail job for a refusal");

    // The help desk may schedule the validation meeting; changes are refused alike.
    let meeting = schedule_ok(&app, "helpdesk", &n, &body).await;
    let id = meeting["id"].as_i64().unwrap();
    let jobs = job_count(&app).await;
    let before = meetings(&app, &n).await;
    let change = json!({"place": "Aula"});
    problem(
        patch(&app, "system_owner_b", id, &change).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        patch(&app, "domain_officer", id, &change).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        patch(&app, "csirt", 9_999, &change).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let cleared = json!({"place": null, "video_url": ""});
    let body = problem(
        patch(&app, "csirt", id, &cleared).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&body), ["place"], "{body:#}");
    let body = problem(
        patch(&app, "csirt", id, &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&body), ["body"], "{body:#}");
    let cancel = format!("/api/v1/meetings/{id}/cancel");
    let body = problem(
        post(&app, "csirt", &cancel, &json!({"reason": " "})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&body), ["reason"], "{body:#}");
    problem(
        post(&app, "auditor", &cancel, &json!({"reason": "x"})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(meetings(&app, &n).await, before);
    assert_eq!(job_count(&app).await, jobs);
}

async fn a_step_records_its_scheduled_meeting(app: TestApp) {
    app.submit_ok(&valid_report()).await;
    let n = number(1);
    let mut body = validation_meeting();
    body["attendees"] = json!(
        "Ketua Tim CSIRT <ketua@kominfo.batam.go.id>\nRina Analis, S.Kom. <rina@kominfo.batam.go.id>"
    );
    let meeting = schedule_ok(&app, "csirt", &n, &body).await;
    let id = meeting["id"].as_i64().unwrap();
    assert_eq!(meeting["attendees"][1]["name"], "Rina Analis, S.Kom.");
    let validate = json!({
        "valid": true,
        "method": "meeting",
        "findings": "Dibahas dalam rapat validasi: parameter nisn rentan injeksi SQL.",
        "meeting_id": id,
    });

    // Not before it has begun.
    let early = app
        .action(app.token("csirt"), &n, "validate", &validate)
        .await;
    let refused = problem(early, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&refused), ["meeting_id"]);
    app.clock
        .advance(TimeDelta::days(1) + TimeDelta::minutes(30));

    let ticket = app.act("csirt", &n, "validate", &validate).await;
    assert_eq!(ticket["state"], "assessing");
    let records = &ticket["timeline"][0]["records"];
    assert_eq!(records["meeting_id"], id);
    assert_eq!(
        records["meeting"]["attendees"],
        json!(["Ketua Tim CSIRT", "Rina Analis, S.Kom."])
    );
    assert_eq!(records["meeting"]["held_at"], "2026-08-11T02:00:00Z");
    assert_eq!(records["meeting"]["agency_invited"], true);
    let list = meetings(&app, &n).await;
    assert_eq!(list[0]["status"], "held");

    let (_, docs) = read(
        app.get(
            Some(app.token("csirt")),
            &format!("/api/v1/tickets/{n}/documents"),
        )
        .await,
    )
    .await;
    let minutes = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "ba_validation")
        .expect("validation minutes");
    let pdf = app
        .get(
            Some(app.token("csirt")),
            &format!("/api/v1/documents/{}", minutes["id"]),
        )
        .await
        .bytes()
        .await
        .unwrap();
    let text = pdftotext(&pdf);
    assert!(text.contains("Ketua Tim CSIRT"), "{text}");
    assert!(text.contains("Rina Analis"), "{text}");

    // A held meeting is not used twice, and cannot be cancelled.
    let cancel = format!("/api/v1/meetings/{id}/cancel");
    problem(
        post(&app, "csirt", &cancel, &json!({"reason": "x"})).await,
        StatusCode::CONFLICT,
    )
    .await;

    // The assessment in a meeting takes the meeting's attendees, time and place.
    let mut assessment = validation_meeting();
    assessment["purpose"] = json!("assessment");
    assessment["starts_at"] = json!("2026-08-12T09:00:00+07:00");
    assessment["place"] = Value::Null;
    let meeting = schedule_ok(&app, "csirt", &n, &assessment).await;
    app.clock.advance(TimeDelta::days(1));
    let assess = json!({"criticality": "high", "rationale": "Data pribadi terbuka.",
        "meeting_id": meeting["id"], "attendees": ""});
    let ticket = app.act("csirt", &n, "assess", &assess).await;
    let records = &ticket["timeline"][1]["records"];
    assert_eq!(
        records["attendees"],
        json!(["Ketua Tim CSIRT", ANALIS]),
        "{records:#}"
    );
    assert_eq!(
        records["meeting"]["place"],
        "https://meet.batam.go.id/csirt-1"
    );
    assert_eq!(meetings(&app, &n).await[1]["status"], "held");
}
