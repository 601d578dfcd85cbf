//! API tokens over the API: an admin creates one with scopes and an expiry; a token opens
//! only what its scopes allow; its last use is recorded; its user revokes it (and no one
//! else's); revoked and expired tokens answer 401; every refusal is audited. The admin's
//! forced password reset answers a new password once.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_testkit::{TestApp, problem, read};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    tokens_open_only_their_scopes_until_they_expire: sqlite_token_scopes, postgres_token_scopes;
    tokens_are_revoked_by_their_user_or_an_admin_only: sqlite_token_revoke, postgres_token_revoke;
    an_admin_resets_a_password_once_and_others_may_not: sqlite_password_reset, postgres_password_reset;
}

/// Creates a token for the CSIRT analyst as the admin and answers the created body.
async fn create(app: &TestApp, body: Value) -> (StatusCode, Value) {
    read(
        app.client
            .post(app.url("/api/v1/tokens"))
            .bearer_auth(app.token("admin"))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn refusals(app: &TestApp, action: &str) -> Vec<String> {
    app.store
        .list_audit(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action && e.outcome.starts_with("refused"))
        .map(|e| e.outcome)
        .collect()
}

async fn tokens_open_only_their_scopes_until_they_expire(app: TestApp) {
    let (status, bad) = create(
        &app,
        json!({"email": "csirt@kominfo.batam.go.id", "scopes": ["write"]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(bad["errors"][0]["field"], "scopes", "{bad}");

    let (status, created) = create(
        &app,
        json!({"email": "csirt@kominfo.batam.go.id", "label": "dashboard",
            "scopes": ["read"], "expires_in_days": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["token"].as_str().unwrap().to_owned();
    assert_eq!(created["scopes"], json!(["read"]));
    assert!(created["expires_at"].is_string(), "{created}");

    assert_eq!(
        app.get(Some(&token), "/api/v1/tickets").await.status(),
        StatusCode::OK
    );
    let number = app
        .submit_ok(&sigap_testkit::bodies::valid_report())
        .await
        .number;
    let act = app
        .action(&token, &number, "validate", &json!({"valid": true}))
        .await;
    problem(act, StatusCode::FORBIDDEN).await;
    assert_eq!(refusals(&app, "token_use").await, ["refused:scope"]);

    let (_, listed) = read(app.get(Some(&token), "/api/v1/tokens").await).await;
    let mine = listed.as_array().unwrap();
    assert_eq!(mine.len(), 2, "the seeded token and this one: {listed}");
    let row = mine.iter().find(|t| t["label"] == "dashboard").unwrap();
    assert!(row["last_used_at"].is_string(), "use is recorded: {row}");
    assert!(row.get("token").is_none(), "never the secret: {row}");

    app.clock.advance(chrono::TimeDelta::days(2));
    problem(
        app.get(Some(&token), "/api/v1/tickets").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(
        refusals(&app, "token_use").await,
        ["refused:scope", "refused:expired"]
    );
}

async fn tokens_are_revoked_by_their_user_or_an_admin_only(app: TestApp) {
    let (_, created) = create(&app, json!({"email": "csirt@kominfo.batam.go.id"})).await;
    let token = created["token"].as_str().unwrap().to_owned();
    let id = created["id"].as_i64().unwrap();
    let (_, admins) = read(app.get(Some(app.token("admin")), "/api/v1/tokens").await).await;
    let admin_token = admins[0]["id"].as_i64().unwrap();

    let delete = |bearer: String, id: i64| {
        let request = app
            .client
            .delete(app.url(&format!("/api/v1/tokens/{id}")))
            .bearer_auth(bearer);
        async move { request.send().await.unwrap() }
    };
    problem(
        delete(token.clone(), admin_token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(refusals(&app, "token_revoke").await, ["refused:404"]);
    assert_eq!(
        app.get(Some(app.token("admin")), "/api/v1/users")
            .await
            .status(),
        StatusCode::OK,
        "the admin's token still works"
    );

    let done = delete(token.clone(), id).await;
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    problem(
        app.get(Some(&token), "/api/v1/tickets").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(refusals(&app, "token_use").await, ["refused:revoked"]);
    let (_, all) = read(
        app.get(Some(app.token("admin")), "/api/v1/tokens?all=true")
            .await,
    )
    .await;
    let row = all
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap();
    assert!(row["revoked_at"].is_string(), "{row}");

    // An unknown token is refused and audited once per address and window.
    for _ in 0..3 {
        problem(
            app.get(Some("sgp_not-a-token"), "/api/v1/tickets").await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
    assert_eq!(
        refusals(&app, "token_use").await,
        ["refused:revoked", "refused:unknown"]
    );
}

async fn an_admin_resets_a_password_once_and_others_may_not(app: TestApp) {
    let (_, users) = read(app.get(Some(app.token("admin")), "/api/v1/users").await).await;
    let csirt = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "csirt@kominfo.batam.go.id")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let reset = |role: &str| {
        let request = app
            .client
            .post(app.url(&format!("/api/v1/users/{csirt}/password/reset")))
            .bearer_auth(app.token(role));
        async move { request.send().await.unwrap() }
    };
    problem(reset("csirt").await, StatusCode::FORBIDDEN).await;
    assert_eq!(refusals(&app, "password_reset").await, ["refused:403"]);

    let (status, body) = read(reset("admin").await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let password = body["password"].as_str().unwrap();
    assert!(password.len() >= 16, "{body}");
    let signed_in = sigap_app::identity::login::login(
        &app.app,
        "csirt@kominfo.batam.go.id",
        password,
        Some("198.51.100.7".to_owned()),
    )
    .await;
    assert!(signed_in.is_ok(), "the new password opens a session");
}
