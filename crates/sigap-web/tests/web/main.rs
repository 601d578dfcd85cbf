//! The web layer's suite, one test binary: the JSON API (`api`), the staff and public pages
//! (`pages`, `admin_pages`) and the product in a real browser (`browser`). Every test boots
//! the real app (`sigap_testkit::spawn_app`) over a fresh database and speaks HTTP to it, as
//! a client would, once on SQLite and once on PostgreSQL (`sigap_testkit::on_both_backends!`;
//! the PostgreSQL run is skipped when `SIGAP_TEST_POSTGRES_URL` is unset, and fails when
//! `SIGAP_REQUIRE_POSTGRES=1`).

// Test helpers outside `#[test]` functions may unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin_pages;
mod api;
mod browser;
mod pages;
mod support;
mod valid_html;
