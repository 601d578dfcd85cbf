//! What this instance measures for Prometheus, through the `metrics` crate and its
//! Prometheus exporter: counters and histograms of what happened since start (requests,
//! jobs, mail, deadline notices, documents, blocking actions), kept in the process; the
//! gauges read from the database (tickets, jobs waiting, blocks) are set by the scrape
//! (`sigap_web::metrics`) just before it renders. Each [`App`](crate::App) has its own
//! recorder, not the process-wide one: two apps in one process (the tests) count apart.
//!
//! The names and labels are listed in `docs/ops/README.md`; the alert rules and the
//! dashboard there use them. No label takes a value from a request (a route is its
//! template, never its path), so the number of series stays bounded.

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusRecorder};

/// A metric's labels.
pub type Labels<'a> = &'a [(&'static str, String)];

/// The histograms' buckets, in seconds: from a page read from cache to a slow document.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Every metric this module records, with its help text.
const COUNTERS: [(&str, &str); 8] = [
    (
        "sigap_http_requests_total",
        "HTTP requests answered, by method, route template and status.",
    ),
    (
        "sigap_jobs_finished_total",
        "Background jobs run, by kind and outcome (done, retry, failed).",
    ),
    (
        "sigap_mail_total",
        "Mail by outcome: sent, retry (a transient failure), failed (given up), bounced.",
    ),
    (
        "sigap_deadline_notices_total",
        "Deadline notices queued: reminders, overdue notices, escalations, PDP and sectoral notices.",
    ),
    (
        "sigap_documents_rendered_total",
        "Official documents typeset, by kind.",
    ),
    (
        "sigap_blocking_actions_total",
        "Blocking adapter calls, by action (block, unblock) and outcome (ok, failed).",
    ),
    (
        "sigap_report_groups_total",
        "Transactions that wrote arriving reports (the group commit of intake).",
    ),
    (
        "sigap_report_group_members_total",
        "Reports written by those transactions.",
    ),
];
const HISTOGRAMS: [(&str, &str); 2] = [
    (
        "sigap_http_request_duration_seconds",
        "Time from a request's arrival to its answer's head, by method, route and status.",
    ),
    (
        "sigap_document_render_seconds",
        "Time to typeset an official document, by kind.",
    ),
];

const GAUGES: [(&str, &str); 15] = [
    ("sigap_tickets", "Tickets by state."),
    (
        "sigap_tickets_open_by_agency",
        "Open tickets by agency code (- when not routed).",
    ),
    (
        "sigap_steps_overdue",
        "Open tickets whose current step is past its SOP deadline.",
    ),
    (
        "sigap_blocks_active",
        "Tickets whose system is blocked now.",
    ),
    (
        "sigap_jobs_queued",
        "Background jobs waiting or running, by kind.",
    ),
    (
        "sigap_jobs_failed",
        "Background jobs failed for good, waiting for an admin, by kind.",
    ),
    (
        "sigap_jobs_oldest_age_seconds",
        "How long the oldest due job of a kind has waited.",
    ),
    (
        "sigap_db_pool_connections",
        "Database connections open, busy or idle.",
    ),
    (
        "sigap_db_pool_max",
        "The most database connections the pools open.",
    ),
    (
        "sigap_db_pool_waiting",
        "Requests waiting now for a database connection.",
    ),
    (
        "sigap_audit_chain_intact",
        "1 when the last check found the audit chain intact.",
    ),
    (
        "sigap_audit_chain_checked_entries",
        "Audit entries the last check reached.",
    ),
    (
        "sigap_audit_chain_checked_timestamp_seconds",
        "When the audit chain was last checked (Unix time).",
    ),
    (
        "sigap_security_txt_expires_timestamp_seconds",
        "When security.txt expires (Unix time).",
    ),
    ("sigap_build_info", "The running version."),
];

/// The recorder of one app.
pub struct Meter {
    recorder: PrometheusRecorder,
}

impl std::fmt::Debug for Meter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Meter").finish_non_exhaustive()
    }
}

impl Default for Meter {
    fn default() -> Meter {
        Meter::new()
    }
}

impl Meter {
    pub fn new() -> Meter {
        // Buckets make the histograms Prometheus histograms (summed across instances by the
        // dashboard), not summaries; the list is not empty, so the builder takes it.
        let builder = PrometheusBuilder::new();
        let builder = builder
            .set_buckets(&BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let meter = Meter {
            recorder: builder.build_recorder(),
        };
        meter.with(|| {
            for (name, help) in COUNTERS {
                metrics::describe_counter!(name, help);
            }
            for (name, help) in GAUGES {
                metrics::describe_gauge!(name, help);
            }
            for (name, help) in HISTOGRAMS {
                metrics::describe_histogram!(name, metrics::Unit::Seconds, help);
            }
            // The failures' series exist from the start, at 0: an alert on their increase
            // sees the first one.
            for outcome in ["sent", "retry", "failed", "bounced"] {
                metrics::counter!("sigap_mail_total", "outcome" => outcome).increment(0);
            }
            for action in ["block", "unblock"] {
                for outcome in ["ok", "failed"] {
                    let labels = [("action", action), ("outcome", outcome)];
                    metrics::counter!("sigap_blocking_actions_total", &labels).increment(0);
                }
            }
        });
        meter
    }

    fn with<T>(&self, f: impl FnOnce() -> T) -> T {
        metrics::with_local_recorder(&self.recorder, f)
    }

    /// Adds one to a counter.
    pub fn count(&self, name: &'static str, labels: Labels<'_>) {
        self.with(|| metrics::counter!(name, labels).increment(1));
    }

    /// Sets a counter kept elsewhere (it only grows).
    pub fn set_counter(&self, name: &'static str, labels: Labels<'_>, value: u64) {
        self.with(|| metrics::counter!(name, labels).absolute(value));
    }

    /// Records a duration in a histogram.
    pub fn observe(&self, name: &'static str, labels: Labels<'_>, seconds: f64) {
        self.with(|| metrics::histogram!(name, labels).record(seconds));
    }

    /// Sets a gauge.
    pub fn gauge(&self, name: &'static str, labels: Labels<'_>, value: f64) {
        self.with(|| metrics::gauge!(name, labels).set(value));
    }

    /// Describes a gauge (its `# HELP` line).
    pub fn describe_gauge(&self, name: &'static str, help: &'static str) {
        self.with(|| metrics::describe_gauge!(name, help));
    }

    /// Everything recorded, in Prometheus' text format.
    pub fn render(&self) -> String {
        self.recorder.handle().render()
    }

    /// Folds the histograms' samples into their buckets: the server does this every few
    /// seconds, so that samples between two scrapes do not pile up.
    pub fn upkeep(&self) {
        self.recorder.handle().run_upkeep();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn two_meters_count_apart_and_render_prometheus_text() {
        let (a, b) = (Meter::new(), Meter::new());
        a.count("sigap_mail_total", &[("outcome", "sent".to_owned())]);
        a.count("sigap_mail_total", &[("outcome", "sent".to_owned())]);
        a.observe(
            "sigap_document_render_seconds",
            &[("kind", "ba".to_owned())],
            0.2,
        );
        b.gauge("sigap_blocks_active", &[], 3.0);
        let text = a.render();
        assert!(
            text.contains("sigap_mail_total{outcome=\"sent\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("# HELP sigap_mail_total Mail by outcome"),
            "{text}"
        );
        assert!(
            text.contains("sigap_document_render_seconds_bucket{kind=\"ba\",le=\"0.25\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("sigap_document_render_seconds_bucket{kind=\"ba\",le=\"0.1\"} 0"),
            "{text}"
        );
        assert!(!text.contains("sigap_blocks_active"), "{text}");
        assert!(b.render().contains("sigap_blocks_active 3"));
        // The failures' series are there from the start, at 0; what `a` counted is not.
        assert!(
            b.render()
                .contains("sigap_mail_total{outcome=\"failed\"} 0")
        );
        assert!(b.render().contains("sigap_mail_total{outcome=\"sent\"} 0"));
    }
}
