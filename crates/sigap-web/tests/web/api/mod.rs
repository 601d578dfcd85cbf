//! The JSON API: every test boots the real app (`sigap_testkit::spawn_app`)
//! over a fresh database and speaks HTTP to it, as a client would. Each test runs twice,
//! on SQLite and on PostgreSQL; the PostgreSQL run is skipped when
//! `SIGAP_TEST_POSTGRES_URL` is unset (and fails when `SIGAP_REQUIRE_POSTGRES=1`).

mod accounts;
mod antispam;
mod audit;
mod auto_accept;
mod blocking;
mod bsre;
mod concurrency;
mod config;
mod deadlines;
pub(crate) mod documents;
mod evidence;
pub(crate) mod exports;
mod imap;
pub(crate) mod inbox;
mod intake;
mod issued;
mod limits;
mod listing;
pub(crate) mod mail;
mod mail_attach;
mod mail_replies;
mod mail_threads;
mod meetings;
mod object_store;
mod owner_scope;
mod paperwork;
mod personal_data;
mod pgp;
mod previews;
mod privacy;
mod problems;
mod profile;
mod records;
mod refusals;
mod registry_edits;
mod reporter;
mod retention;
mod rights;
mod routing;
mod scorecard;
mod sealed_contact;
mod sectoral_document;
mod sectoral_report;
mod service;
mod settings;
pub(crate) mod signing;
mod stats;
mod system_class;
mod tables;
mod timestamps;
mod tokens;
mod turns;
mod walk;
mod webhooks;
