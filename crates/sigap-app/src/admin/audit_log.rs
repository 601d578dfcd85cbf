//! The audit log as auditors and admins use it, and the worker that watches it.
//!
//! - The chain is sealed with a key derived (HKDF) from the server's secret key for this use
//!   alone ([`chain_key`]), so that a writer of the database who does not hold the key cannot
//!   rebuild it after a change (`sigap-store`'s `audit` module).
//! - [`search`] lists entries by ticket, actor, action, outcome and time, newest first, a page
//!   at a time; `admin::audit_export` streams the same selection oldest first as JSON lines
//!   or CSV, with each entry's hashes, so that the export can be checked and kept elsewhere.
//!   Exports are themselves audited.
//! - [`watch`] is the worker's check: the chain's new part every few minutes, all of it once a
//!   day and at start. A break is recorded (read by `/metrics` and the audit page), written to
//!   the log, and mailed to the admins once per break.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sigap_core::Role;
use sigap_store::{
    AuditEntry, AuditFilter, AuditKey, AuditWatchRow, ChainBreak, ChainStatus, JobRow,
    NewAuditEntry, Tx,
};

use crate::auth::Caller;
use crate::identity::totp::SecretKey;
use crate::outbox::notify::MailSender;
use crate::{App, AppError, AppResult, from_millis, millis};

/// The job kind of an alert mailed to the admins.
/// Entries on one page of the audit page or the API, unless asked for fewer.
pub const PAGE: i64 = 100;
/// The most entries on one page.
pub const MAX_PAGE: i64 = 500;
/// Entries read at once while exporting.
pub(crate) const EXPORT_BATCH: i64 = 500;
/// How often the worker checks the chain's new part.
pub const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(600);
/// How often the worker walks the whole chain again.
pub const FULL_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// The roles that read the audit log.
const READERS: &[Role] = &[Role::Admin, Role::Auditor];

/// The key that seals the audit chain, derived from the server's key for this use alone.
pub fn chain_key(secret: &SecretKey) -> AuditKey {
    AuditKey::new(secret.subkey("sigap audit chain v1"))
}

/// Which entries to list; every field may be left out. Times are RFC 3339 instants or dates
/// (`2026-12-05`, a whole day in WIB).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// A ticket number.
    pub ticket: Option<String>,
    /// The actor's e-mail address (or `sigap`, `cli`, `reporter`).
    pub actor: Option<String>,
    /// An action, e.g. `validate`, `sign_in`, `read_reporter_data`.
    pub action: Option<String>,
    /// An outcome: `ok`, `refused`, `invalid`, `conflict`, `not_found`, …
    pub outcome: Option<String>,
    /// From this instant or day on.
    pub from: Option<String>,
    /// Up to this instant, or to the end of this day.
    pub until: Option<String>,
    /// Only entries numbered below this one (the next page of a listing).
    pub before: Option<i64>,
    /// Entries on the page, 1 to 500 (default 100).
    pub limit: Option<i64>,
}

impl AuditQuery {
    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        [
            &self.ticket,
            &self.actor,
            &self.action,
            &self.outcome,
            &self.from,
            &self.until,
        ]
        .iter()
        .all(|v| v.as_deref().is_none_or(|s| s.trim().is_empty()))
    }
}

/// An audit entry as auditors read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntryView {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub ticket_number: Option<String>,
    /// The client address the request came from, when known.
    pub source: Option<String>,
    pub outcome: String,
    #[schema(value_type = Object)]
    pub details: Value,
    /// The previous entry's hash and this entry's keyed hash (hexadecimal).
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditEntry> for AuditEntryView {
    fn from(e: AuditEntry) -> Self {
        AuditEntryView {
            details: serde_json::from_str(&e.details).unwrap_or(Value::String(e.details)),
            seq: e.seq,
            at: from_millis(e.at),
            actor: e.actor,
            role: e.role,
            action: e.action,
            ticket_number: e.ticket_number,
            source: e.source,
            outcome: e.outcome,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

/// The worker's last check of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChainCheck {
    pub checked_at: DateTime<Utc>,
    /// Whether the chain verified, up to `checked_seq`.
    pub intact: bool,
    pub checked_seq: i64,
    /// The first entry that does not verify.
    pub broken_seq: Option<i64>,
    pub reason: Option<String>,
}

impl From<AuditWatchRow> for ChainCheck {
    fn from(w: AuditWatchRow) -> Self {
        ChainCheck {
            checked_at: from_millis(w.checked_at),
            intact: w.intact,
            checked_seq: w.checked_seq,
            broken_seq: w.broken_seq,
            reason: w.reason,
        }
    }
}

/// One page of the audit log.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditPage {
    /// Newest first.
    pub entries: Vec<AuditEntryView>,
    /// `before` for the next page; absent on the last.
    pub next_before: Option<i64>,
    /// The worker's last check of the chain; absent before the first.
    pub chain: Option<ChainCheck>,
}

fn text(value: &Option<String>, field: &str) -> AppResult<Option<String>> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > 254 || v.chars().any(char::is_control) => {
            Err(AppError::invalid(
                field,
                format!("`{field}` is at most 254 characters of text"),
            ))
        }
        Some(v) => Ok(Some(v.to_owned())),
    }
}

/// An instant, or a WIB day's start (`end`: the next day's start).
fn instant(value: &Option<String>, field: &str, end: bool) -> AppResult<Option<i64>> {
    let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(Some(t.timestamp_millis()));
    }
    let day = NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
        AppError::invalid(
            field,
            format!("`{field}` is a date (2026-12-05) or an RFC 3339 time"),
        )
    })?;
    let day = if end {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    let start = day
        .and_hms_opt(0, 0, 0)
        .and_then(|t| sigap_core::wib().from_local_datetime(&t).single())
        .ok_or_else(|| AppError::invalid(field, format!("`{field}` is out of range")))?;
    Ok(Some(start.timestamp_millis()))
}

/// The store's filter for `query`, its fields checked.
pub(crate) fn filter(query: &AuditQuery) -> AppResult<AuditFilter> {
    let mut errors = Vec::new();
    let mut keep = |r: AppResult<Option<String>>| match r {
        Ok(v) => v,
        Err(AppError::Invalid(f)) => {
            errors.extend(f);
            None
        }
        Err(_) => None,
    };
    let ticket_number = keep(text(&query.ticket, "ticket"));
    let actor = keep(text(&query.actor, "actor"));
    let action = keep(text(&query.action, "action"));
    let outcome = keep(text(&query.outcome, "outcome"));
    let mut time = |r: AppResult<Option<i64>>| match r {
        Ok(v) => v,
        Err(AppError::Invalid(f)) => {
            errors.extend(f);
            None
        }
        Err(_) => None,
    };
    let from = time(instant(&query.from, "from", false));
    let until = time(instant(&query.until, "until", true));
    let limit = query.limit.unwrap_or(PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        errors.push(crate::FieldError::new(
            "limit",
            format!("`limit` is from 1 to {MAX_PAGE}"),
        ));
    }
    if let (Some(f), Some(u)) = (from, until)
        && f >= u
    {
        errors.push(crate::FieldError::new("until", "`until` is after `from`"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(AuditFilter {
        ticket_number,
        actor,
        action,
        outcome,
        from,
        until,
        before_seq: query.before,
        after_seq: None,
        limit,
    })
}

/// Refuses, and audits the refusal, unless the caller reads the audit log.
pub(crate) async fn require_reader(app: &App, caller: &Caller, action: &str) -> AppResult<()> {
    if let Err(e) = caller.require(READERS, "read the audit log") {
        crate::audit::refused(app, caller, action, None, &e, None).await;
        return Err(e);
    }
    Ok(())
}

/// A page of the audit log (admins and auditors), newest first.
pub async fn search(app: &App, caller: &Caller, query: &AuditQuery) -> AppResult<AuditPage> {
    require_reader(app, caller, "audit_search").await?;
    let f = filter(query)?;
    let rows = app.store.search_audit(&f).await?;
    let next_before = (rows.len() as i64 == f.limit)
        .then(|| rows.last().map(|r| r.seq))
        .flatten();
    Ok(AuditPage {
        entries: rows.into_iter().map(AuditEntryView::from).collect(),
        next_before,
        chain: app.store.audit_watch().await?.map(ChainCheck::from),
    })
}

/// The worker's last check of the chain (admins and auditors).
pub async fn last_check(app: &App, caller: &Caller) -> AppResult<Option<ChainCheck>> {
    require_reader(app, caller, "audit_search").await?;
    Ok(app.store.audit_watch().await?.map(ChainCheck::from))
}

/// The last check as `/metrics` reports it, without a caller (the metrics have their own
/// guard).
pub async fn last_check_for_metrics(app: &App) -> AppResult<Option<ChainCheck>> {
    Ok(app.store.audit_watch().await?.map(ChainCheck::from))
}

/// Checks the chain: from the first entry when `full` or when nothing was checked before,
/// otherwise from the last entry the previous check reached. Records the result; on a break
/// not yet reported, writes it to the log and mails the admins (once per break).
pub async fn watch(app: &App, full: bool) -> AppResult<ChainCheck> {
    let previous = app.store.audit_watch().await?;
    let status = walk_chain(app, previous.as_ref(), full).await?;
    let now = app.now();
    let alerted = previous.as_ref().and_then(|p| p.alerted_seq);
    let row = match &status {
        ChainStatus::Intact { entries, .. } => AuditWatchRow {
            checked_at: millis(now),
            checked_seq: *entries,
            intact: true,
            broken_seq: None,
            reason: None,
            alerted_seq: None,
        },
        ChainStatus::Broken(b) => AuditWatchRow {
            checked_at: millis(now),
            checked_seq: b.seq - 1,
            intact: false,
            broken_seq: Some(b.seq),
            reason: Some(b.reason.clone()),
            alerted_seq: Some(b.seq),
        },
    };
    let mut tx = app.store.begin().await?;
    if let ChainStatus::Broken(b) = &status
        && alerted != Some(b.seq)
    {
        raise_alert(&mut tx, b, now).await?;
    }
    tx.set_audit_watch(&row).await?;
    tx.commit().await?;
    Ok(ChainCheck::from(row))
}

/// The chain's state: from the last entry found intact, or (`full`, or when that entry has
/// gone) from the first entry.
async fn walk_chain(
    app: &App,
    previous: Option<&AuditWatchRow>,
    full: bool,
) -> AppResult<ChainStatus> {
    let resumable = previous.filter(|p| !full && p.intact && p.checked_seq > 0);
    let resume = match resumable {
        Some(p) => app
            .store
            .list_audit(p.checked_seq - 1, 1)
            .await?
            .into_iter()
            .next()
            .filter(|e| e.seq == p.checked_seq),
        None => None,
    };
    // A resumed walk whose starting entry has gone is checked from the first entry.
    if resumable.is_some() && resume.is_none() {
        return Ok(app.store.verify_audit_chain().await?);
    }
    Ok(app
        .store
        .verify_audit_chain_after(resume.as_ref().map(|e| (e.seq, e.hash.as_str())))
        .await?)
}

/// Tells the admins that the chain broke at `b` (an alert job) and records it in the log.
async fn raise_alert(tx: &mut Tx, b: &ChainBreak, now: DateTime<Utc>) -> AppResult<()> {
    tracing::error!(entry = b.seq, reason = %b.reason, "the audit chain is broken");
    let alert = AlertJob {
        to_roles: vec![Role::Admin],
        alert: "audit_chain_broken".to_owned(),
        seq: b.seq,
        reason: b.reason.clone(),
        checked_at: millis(now),
    };
    // The entry joins the chain after the break, as every later entry does; the chain
    // stays broken at the entry named until the database is restored.
    let details = json!({ "entry": b.seq, "reason": b.reason });
    crate::audit::alert_admins(tx, "audit_chain_broken", &alert, details, now).await
}

/// The payload of an alert job.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct AlertJob {
    to_roles: Vec<Role>,
    alert: String,
    seq: i64,
    reason: String,
    checked_at: i64,
}

/// The roles an alert job goes to and its mail, by the alert's name: a break of the chain,
/// or `security.txt` about to expire (`admin::rules`).
fn alert_mail(
    payload: &str,
    public: &sigap_notify::PublicUrl,
) -> Result<(Vec<Role>, sigap_notify::Rendered), String> {
    let name: Value = serde_json::from_str(payload).map_err(|e| format!("payload: {e}"))?;
    match name["alert"].as_str() {
        Some("audit_chain_broken") => {
            let alert: AlertJob =
                serde_json::from_str(payload).map_err(|e| format!("payload: {e}"))?;
            let rendered = sigap_notify::alerts::AuditChainBroken {
                seq: alert.seq,
                reason: alert.reason.clone(),
                checked_at: from_millis(alert.checked_at),
            }
            .render(public);
            Ok((alert.to_roles, rendered))
        }
        Some("security_txt_expiring") => crate::admin::rules::expiry_mail(payload, public),
        other => Err(format!("unknown alert `{}`", other.unwrap_or(""))),
    }
}

/// Sends one claimed alert job to the active staff of its roles.
pub(crate) async fn send_alert(
    app: &App,
    batch: &crate::outbox::jobs::Batch,
    settings: &MailSender,
    job: &JobRow,
) -> Result<String, (bool, String)> {
    let (to_roles, rendered) =
        alert_mail(&job.payload, &settings.public).map_err(|e| (false, e))?;
    let to: Vec<sigap_core::Email> = batch
        .staff_with(app, &to_roles)
        .await
        .map_err(|e| (true, e.to_string()))?
        .iter()
        .filter_map(|a| sigap_core::Email::parse(a).ok())
        .collect();
    if to.is_empty() {
        return Ok(job.payload.clone());
    }
    // No fixed Message-ID: the mailer makes a random one, unique after a restore too.
    let mut envelope = sigap_notify::Envelope::new(to, rendered);
    envelope.date = Some(app.now());
    settings
        .mailer
        .send(&envelope)
        .await
        .map_err(|e| (e.is_transient(), e.to_string()))?;
    Ok(job.payload.clone())
}

/// What `sigap audit verify` and `sigap audit seal` report.
pub async fn verify(app: &App) -> AppResult<ChainStatus> {
    Ok(app.store.verify_audit_chain().await?)
}

/// Accepts, once, the entries written before the chain was keyed (`sigap audit seal`, the
/// operator on the server): answers how many were accepted, or the break that stops it.
pub async fn seal_legacy(app: &App) -> AppResult<Result<i64, sigap_store::ChainBreak>> {
    let sealed = app.store.seal_legacy_audit().await?;
    if let Ok(n) = sealed
        && n > 0
    {
        let mut tx = app.store.begin().await?;
        tx.append_audit(&NewAuditEntry {
            at: millis(app.now()),
            actor: "cli".to_owned(),
            role: "admin".to_owned(),
            action: "audit_seal_legacy".to_owned(),
            ticket_number: None,
            source: None,
            outcome: "ok".to_owned(),
            details: json!({ "legacy_entries": n }),
        })
        .await?;
        tx.commit().await?;
    }
    Ok(sealed)
}

/// When the worker checks next: the chain's new part every [`CHECK_EVERY`], all of it every
/// [`FULL_CHECK_EVERY`] (and at start).
#[derive(Debug, Default)]
pub struct WatchClock {
    last: Option<std::time::Instant>,
    last_full: Option<std::time::Instant>,
}

impl WatchClock {
    /// Runs a check when one is due; a failure to check is logged and tried at the next turn.
    pub async fn tick(&mut self, app: &App) {
        let full = self
            .last_full
            .is_none_or(|t| t.elapsed() >= FULL_CHECK_EVERY);
        if !full && self.last.is_some_and(|t| t.elapsed() < CHECK_EVERY) {
            return;
        }
        self.last = Some(std::time::Instant::now());
        if full {
            self.last_full = self.last;
        }
        if let Err(e) = watch(app, full).await {
            tracing::error!(error = %e, "audit chain check");
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    #[test]
    fn days_are_read_in_wib_and_until_covers_the_whole_day() {
        let from = instant(&Some("2026-12-05".into()), "from", false).unwrap();
        let until = instant(&Some("2026-12-05".into()), "until", true).unwrap();
        assert_eq!(
            from,
            Some(
                Utc.with_ymd_and_hms(2026, 12, 4, 17, 0, 0)
                    .unwrap()
                    .timestamp_millis()
            )
        );
        assert_eq!(
            until.unwrap() - from.unwrap(),
            Duration::days(1).num_milliseconds()
        );
        assert!(instant(&Some("5/12/2026".into()), "from", false).is_err());
    }

    #[test]
    fn a_bad_query_names_each_field() {
        let q = AuditQuery {
            from: Some("yesterday".into()),
            limit: Some(0),
            actor: Some("a\u{0}b".into()),
            ..AuditQuery::default()
        };
        let Err(AppError::Invalid(fields)) = filter(&q) else {
            panic!("refused");
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["actor", "from", "limit"]);
    }
}
