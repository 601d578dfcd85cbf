//! Rules an installation configures: the approval threshold and its window, public holidays
//! in the working-day calendar, and the ticket number prefix.

use chrono::{NaiveDate, TimeDelta};
use sigap_core::WorkingCalendar;
use sigap_testkit::{Backend, bodies, spawn_app_with, valid_report};

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    approval_threshold_is_configurable: sqlite_approval_threshold_is_configurable,
        postgres_approval_threshold_is_configurable;
    approval_window_counts_recent_reports: sqlite_approval_window_counts_recent_reports,
        postgres_approval_window_counts_recent_reports;
    holidays_are_not_working_days: sqlite_holidays_are_not_working_days, postgres_holidays_are_not_working_days;
    ticket_prefix_is_configurable: sqlite_ticket_prefix_is_configurable, postgres_ticket_prefix_is_configurable;
}

async fn approval_threshold_is_configurable(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |start| start.policy.approval_threshold = 1).await
    else {
        return;
    };
    let first = app.submit_ok(&valid_report()).await.number;
    let second = app.submit_ok(&valid_report()).await.number;
    app.act("csirt", &first, "validate", &bodies::validate(None))
        .await;
    app.drive(&second, "reviewing").await;
    let t = app
        .act("csirt", &second, "review", &bodies::review(true))
        .await;
    assert_eq!(
        t["state"], "awaiting_approval",
        "2 valid reports are more than 1"
    );
    let records = &t["timeline"].as_array().unwrap().last().unwrap()["records"];
    assert_eq!(records["approval_threshold"], 1);
    assert_eq!(records["agency_valid_reports"], 2);
}

async fn approval_window_counts_recent_reports(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |start| {
        start.policy.approval_window_days = Some(30)
    })
    .await
    else {
        return;
    };
    for _ in 0..3 {
        let n = app.submit_ok(&valid_report()).await.number;
        app.act("csirt", &n, "validate", &bodies::validate(None))
            .await;
    }
    app.clock.advance(TimeDelta::days(31));
    let late = app.submit_ok(&valid_report()).await.number;
    app.drive(&late, "reviewing").await;
    let t = app
        .act("csirt", &late, "review", &bodies::review(true))
        .await;
    assert_eq!(
        t["timeline"].as_array().unwrap().last().unwrap()["records"]["agency_valid_reports"],
        1
    );
    assert_eq!(
        t["state"], "closing",
        "reports older than the window do not count"
    );

    let mut recent = Vec::new();
    for _ in 0..3 {
        recent.push(app.submit_ok(&valid_report()).await.number);
    }
    for n in &recent[..2] {
        app.act("csirt", n, "validate", &bodies::validate(None))
            .await;
    }
    app.drive(&recent[2], "reviewing").await;
    let t = app
        .act("csirt", &recent[2], "review", &bodies::review(true))
        .await;
    assert_eq!(
        t["timeline"].as_array().unwrap().last().unwrap()["records"]["agency_valid_reports"],
        4
    );
    assert_eq!(t["state"], "awaiting_approval");
}

async fn holidays_are_not_working_days(backend: Backend) {
    let independence_day = NaiveDate::from_ymd_opt(2026, 8, 17).unwrap();
    let Some(app) = spawn_app_with(backend, |start| {
        start.policy.calendar = WorkingCalendar::new([independence_day])
    })
    .await
    else {
        return;
    };
    // Friday 15:00 WIB; Monday 17 August is a holiday: due Tuesday 15:00 WIB.
    app.clock.advance(TimeDelta::days(4) + TimeDelta::hours(6));
    let n = app.submit_ok(&valid_report()).await.number;
    let t = app.ticket("csirt", &n).await;
    assert_eq!(t["deadline"]["due_at"], "2026-08-18T08:00:00Z");
    app.clock
        .advance(TimeDelta::days(3) + TimeDelta::minutes(1));
    assert_eq!(
        app.ticket("csirt", &n).await["deadline"]["overdue"],
        false,
        "Monday 15:01 WIB is not late"
    );
    app.clock.advance(TimeDelta::days(1));
    assert_eq!(app.ticket("csirt", &n).await["deadline"]["overdue"], true);
}

async fn ticket_prefix_is_configurable(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |start| {
        start.rules.ticket_prefix = "CSIRTBTM".to_owned()
    })
    .await
    else {
        return;
    };
    let n = app.submit_ok(&valid_report()).await.number;
    assert_eq!(n, "CSIRTBTM-2026-00001");
    assert_eq!(app.ticket("csirt", &n).await["number"], n.as_str());
}
