//! `/metrics`: who may scrape it, and the figures read from the database at each scrape
//! (tickets by state and open by agency, steps past their deadline, blocks in force, jobs
//! waiting and failed, the connection pools, the audit chain's last check, the expiry of
//! `security.txt`), set on the instance's [`Meter`](crate::meter::Meter) beside what it
//! counted since start, then rendered in Prometheus' text format.
//!
//! A scraper is a loopback client, a Prometheus server with the token of
//! `SIGAP_METRICS_TOKEN` (compared by its SHA-256, in constant time), or a staff member's
//! API token. Any other is refused, and the refusal audited.

use chrono::{DateTime, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};
use sigap_core::State;
use subtle::ConstantTimeEq;

use crate::{App, AppError, AppResult, millis};

/// The token a Prometheus server presents (`SIGAP_METRICS_TOKEN`), kept as its SHA-256.
#[derive(Clone)]
pub struct MetricsToken([u8; 32]);

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(***)")
    }
}

impl MetricsToken {
    /// A token of at least 32 characters (a shorter one is refused at start).
    pub fn new(token: &str) -> Result<MetricsToken, String> {
        if token.trim().chars().count() < 32 {
            return Err(
                "the metrics token has fewer than 32 characters: make one with \
                        `openssl rand -hex 32`"
                    .to_owned(),
            );
        }
        Ok(MetricsToken(Sha256::digest(token.trim().as_bytes()).into()))
    }

    fn matches(&self, presented: &str) -> bool {
        let presented: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        bool::from(self.0.ct_eq(&presented))
    }
}

/// Who asks for the metrics.
#[derive(Debug, Clone, Copy)]
pub enum Scraper<'a> {
    /// A client on this machine.
    Loopback,
    /// A client elsewhere with a bearer token: the metrics token or a staff API token.
    Bearer(&'a str),
    /// A client elsewhere without a token.
    Anonymous,
}

/// The metrics in Prometheus' text format, for a scraper allowed to read them.
pub async fn scrape(app: &App, scraper: Scraper<'_>, source: Option<String>) -> AppResult<String> {
    match scraper {
        Scraper::Loopback => {}
        Scraper::Bearer(token) => {
            let by_metrics_token = app
                .rules
                .metrics_token
                .as_ref()
                .is_some_and(|t| t.matches(token));
            if !by_metrics_token {
                // Audits an unknown, revoked or expired token itself.
                let scope = crate::identity::tokens::Scope::Read;
                crate::identity::tokens::authenticate(app, token, scope, source).await?;
            }
        }
        Scraper::Anonymous => {
            crate::identity::tokens::audit_refused(
                app,
                "unknown",
                "unknown",
                "metrics_read",
                "refused:unauthenticated",
                json!({"error": "no token"}),
                source,
            )
            .await;
            return Err(AppError::Unauthorized);
        }
    }
    read_gauges(app).await?;
    Ok(app.meter.render())
}

/// Sets the gauges read from the database.
async fn read_gauges(app: &App) -> AppResult<()> {
    let meter = &app.meter;
    let now = app.now();
    let counts = crate::workflow::stats::tickets_by_state(app).await?;
    for state in State::ALL {
        let count = counts
            .iter()
            .find(|c| c.key.as_deref() == Some(state.as_str()))
            .map_or(0, |c| c.count);
        let labels = [("state", state.as_str().to_owned())];
        meter.gauge("sigap_tickets", &labels, count as f64);
    }
    for row in app.store.open_by_agency().await? {
        let labels = [("agency", row.key)];
        meter.gauge("sigap_tickets_open_by_agency", &labels, row.count as f64);
    }
    let (overdue, blocked) = app.store.overdue_and_blocked(millis(now)).await?;
    meter.gauge("sigap_steps_overdue", &[], overdue as f64);
    meter.gauge("sigap_blocks_active", &[], blocked as f64);
    read_jobs(app, now).await?;
    let pool = app.store.pool_use();
    for (state, n) in [("busy", pool.busy), ("idle", pool.idle)] {
        let labels = [("state", state.to_owned())];
        meter.gauge("sigap_db_pool_connections", &labels, f64::from(n));
    }
    meter.gauge("sigap_db_pool_max", &[], f64::from(pool.max));
    meter.gauge("sigap_db_pool_waiting", &[], f64::from(pool.waiting));
    let groups = app.report_groups();
    meter.set_counter("sigap_report_groups_total", &[], groups.commits);
    meter.set_counter("sigap_report_group_members_total", &[], groups.members);
    // The worker's last check of the audit chain; an alert rule fires on
    // `sigap_audit_chain_intact == 0`, or when the check's time stops moving.
    if let Some(check) = crate::admin::audit_log::last_check_for_metrics(app).await? {
        meter.gauge(
            "sigap_audit_chain_intact",
            &[],
            f64::from(u8::from(check.intact)),
        );
        let entries = check.checked_seq as f64;
        meter.gauge("sigap_audit_chain_checked_entries", &[], entries);
        let at = check.checked_at.timestamp() as f64;
        meter.gauge("sigap_audit_chain_checked_timestamp_seconds", &[], at);
    }
    let expires = crate::admin::rules::security_txt_expires(app).await?;
    let expires = expires.timestamp() as f64;
    meter.gauge("sigap_security_txt_expires_timestamp_seconds", &[], expires);
    let version = [("version", env!("CARGO_PKG_VERSION").to_owned())];
    meter.gauge("sigap_build_info", &version, 1.0);
    Ok(())
}

/// The jobs waiting, running and failed by kind, and how long the oldest due one waits.
async fn read_jobs(app: &App, now: DateTime<Utc>) -> AppResult<()> {
    let rows = app.store.job_gauges(millis(now)).await?;
    for kind in sigap_core::JobKind::ALL {
        let row = rows.iter().find(|r| r.kind == kind.as_str());
        let labels = [("kind", kind.as_str().to_owned())];
        let (queued, failed) = row.map_or((0, 0), |r| (r.queued, r.failed));
        let waited = row
            .and_then(|r| r.oldest_due)
            .map_or(0.0, |due| (millis(now) - due).max(0) as f64 / 1000.0);
        app.meter.gauge("sigap_jobs_queued", &labels, queued as f64);
        app.meter.gauge("sigap_jobs_failed", &labels, failed as f64);
        app.meter
            .gauge("sigap_jobs_oldest_age_seconds", &labels, waited);
    }
    Ok(())
}
