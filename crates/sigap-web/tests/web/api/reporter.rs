//! The reporter's view with the tracking token: state, public timeline, the messages meant
//! for them (never internal or agency comments), and their own messages and files.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sigap_testkit::bodies::{self, PNG_BYTES};
use sigap_testkit::{TestApp, error_fields, number, problem, read, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    reporter_view: sqlite_reporter_view, postgres_reporter_view;
}

fn bodies_of(messages: &Value) -> Vec<String> {
    messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect()
}

async fn reporter_view(app: TestApp) {
    let first = app.submit_ok(&valid_report()).await;
    let second = app.submit_ok(&valid_report()).await;
    let n = first.number.clone();

    let (status, view) = read(app.reporter_view(&n, &first.tracking_token).await).await;
    assert_eq!(status, StatusCode::OK, "{view:#}");
    assert_eq!(view["ticket_number"], n.as_str());
    assert_eq!(view["state"], "queued");
    assert_eq!(view["open"], true);
    assert_eq!(
        view["title"],
        "Injeksi SQL pada formulir pencarian pendaftaran"
    );
    assert_eq!(view["timeline"].as_array().unwrap().len(), 1);
    assert_eq!(view["timeline"][0]["state"], "queued");
    assert_eq!(view["messages"], json!([]));

    // A wrong, missing or another ticket's token: not found, like a ticket that does not exist.
    let wrong = problem(
        app.reporter_view(&n, "trk_salah").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.reporter_view(&n, &second.tracking_token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let missing = problem(
        app.reporter_view(&number(999), &first.tracking_token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(wrong, missing);
    let no_header = app
        .client
        .get(app.url(&format!("/api/v1/reports/{n}")))
        .send()
        .await
        .unwrap();
    problem(no_header, StatusCode::NOT_FOUND).await;
    let message = json!({"message": "Pesan dari orang lain"});
    problem(
        app.reporter_message(&n, &second.tracking_token, &message)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // Staff comments: only the one addressed to the reporter reaches them.
    let to_reporter = "Terima kasih, laporan Anda sedang kami validasi.";
    let internal = "Catatan internal: cek log WAF tanggal 12 Agustus.";
    let to_agency = "Mohon tim Disdik menyiapkan akses log server.";
    app.act(
        "csirt",
        &n,
        "comment",
        &bodies::comment(to_reporter, "reporter"),
    )
    .await;
    app.act(
        "csirt",
        &n,
        "comment",
        &bodies::comment(internal, "internal"),
    )
    .await;
    app.act(
        "helpdesk",
        &n,
        "comment",
        &bodies::comment(to_agency, "agency"),
    )
    .await;
    let (_, view) = read(app.reporter_view(&n, &first.tracking_token).await).await;
    assert_eq!(bodies_of(&view["messages"]), [to_reporter]);
    assert!(!view.to_string().contains("Catatan internal"));
    assert_eq!(
        bodies_of(&app.ticket("csirt", &n).await["comments"]),
        [to_reporter, internal, to_agency]
    );

    // The reporter answers, with text and with a file.
    let reply = "Saya lampirkan tangkapan layar tambahan.";
    let (status, view) = read(
        app.reporter_message(&n, &first.tracking_token, &json!({"message": reply}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{view:#}");
    assert_eq!(bodies_of(&view["messages"]), [to_reporter, reply]);
    assert_eq!(view["messages"][1]["author_kind"], "reporter");
    let form = Form::new().part(
        "evidence",
        Part::bytes(PNG_BYTES.to_vec()).file_name("tambahan.png"),
    );
    let response = app
        .client
        .post(app.url(&format!("/api/v1/reports/{n}/messages")))
        .header("X-Tracking-Token", &first.tracking_token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, view) = read(response).await;
    assert_eq!(status, StatusCode::CREATED, "{view:#}");
    assert_eq!(view["evidence"].as_array().unwrap().len(), 1);
    assert_eq!(view["evidence"][0]["name"], "tambahan.png");
    let p = problem(
        app.reporter_message(&n, &first.tracking_token, &json!({}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&p), ["message"]);
    let staff_view = app.ticket("csirt", &n).await;
    assert!(bodies_of(&staff_view["comments"]).contains(&reply.to_owned()));

    // Progress shows in the public timeline.
    app.act("csirt", &n, "validate", &bodies::validate(None))
        .await;
    let (_, view) = read(app.reporter_view(&n, &first.tracking_token).await).await;
    assert_eq!(view["state"], "assessing");
    let states: Vec<&str> = view["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["queued", "assessing"]);

    // A rejected ticket shows why, and takes one message contesting it; then no more.
    app.act("csirt", &second.number, "validate", &bodies::reject())
        .await;
    let (_, view) = read(
        app.reporter_view(&second.number, &second.tracking_token)
            .await,
    )
    .await;
    assert_eq!(view["state"], "rejected");
    assert_eq!(view["may_contest"], true);
    assert_eq!(view["timeline"][0]["event"], "received");
    assert_eq!(view["timeline"][1]["event"], "validate");
    assert_eq!(view["timeline"][1]["valid"], false);
    let reason = bodies::reject()["reason_for_reporter"].clone();
    assert_eq!(view["rejection_reason"], reason);
    let files_only = app
        .reporter_message(&second.number, &second.tracking_token, &json!({}))
        .await;
    problem(files_only, StatusCode::UNPROCESSABLE_ENTITY).await;
    let response = app
        .reporter_message(
            &second.number,
            &second.tracking_token,
            &json!({"message": "Mengapa ditolak?"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let response = app
        .reporter_message(
            &second.number,
            &second.tracking_token,
            &json!({"message": "Sekali lagi?"}),
        )
        .await;
    problem(response, StatusCode::CONFLICT).await;
    let (_, view) = read(
        app.reporter_view(&second.number, &second.tracking_token)
            .await,
    )
    .await;
    assert_eq!(view["may_contest"], false);
    let messages: Vec<&str> = view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["Mengapa ditolak?"]);

    // What the reporter is told, and what they answer, stays with them and the staff who
    // handle the report: the agency, once told, reads the comment meant for it only.
    app.drive(&n, "remediating").await;
    assert_eq!(
        bodies_of(&app.ticket("system_owner", &n).await["comments"]),
        [to_agency]
    );

    // A closed ticket takes no message at all.
    app.drive(&first.number, "closed").await;
    let response = app
        .reporter_message(
            &first.number,
            &first.tracking_token,
            &json!({"message": "Terima kasih."}),
        )
        .await;
    problem(response, StatusCode::CONFLICT).await;
}
