//! Disabling and enabling staff accounts over the API: only admins, never their own
//! account, audited; a disabled user's API token is refused at once and works again when
//! the account is enabled.

use reqwest::StatusCode;
use sigap_testkit::{TestApp, problem, read};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    a_disabled_user_s_token_is_refused_until_enabled: sqlite_disable_user, postgres_disable_user;
}

async fn post(app: &TestApp, role: &str, path: &str) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(app.token(role))
        .send()
        .await
        .unwrap()
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    let (status, users) = read(app.get(Some(app.token("admin")), "/api/v1/users").await).await;
    assert_eq!(status, StatusCode::OK);
    users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap_or_else(|| panic!("no user {email} in {users}"))["id"]
        .as_i64()
        .unwrap()
}

async fn a_disabled_user_s_token_is_refused_until_enabled(app: TestApp) {
    let csirt = user_id(&app, "csirt@kominfo.batam.go.id").await;
    let admin = user_id(&app, "admin@kominfo.batam.go.id").await;
    let tickets = "/api/v1/tickets";
    assert_eq!(
        app.get(Some(app.token("csirt")), tickets).await.status(),
        StatusCode::OK
    );

    // Refusals change nothing.
    problem(
        post(&app, "csirt", &format!("/api/v1/users/{admin}/disable")).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        post(&app, "admin", "/api/v1/users/999999/disable").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        post(&app, "admin", &format!("/api/v1/users/{admin}/disable")).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        app.get(Some(app.token("admin")), tickets).await.status(),
        StatusCode::OK
    );

    let (before, _) = app.store.audit_head().await.unwrap();
    let done = post(&app, "admin", &format!("/api/v1/users/{csirt}/disable")).await;
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    let (after, _) = app.store.audit_head().await.unwrap();
    assert_eq!(after, before + 1, "one audit entry");
    problem(
        app.get(Some(app.token("csirt")), tickets).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let (_, users) = read(app.get(Some(app.token("admin")), "/api/v1/users").await).await;
    let row = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == csirt)
        .unwrap()
        .clone();
    assert_eq!(row["disabled"], true, "{row}");

    let done = post(&app, "admin", &format!("/api/v1/users/{csirt}/enable")).await;
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(Some(app.token("csirt")), tickets).await.status(),
        StatusCode::OK
    );
}
