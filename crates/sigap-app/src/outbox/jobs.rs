//! The background jobs' queue: mail, webhooks and alerts live in the `jobs` table (the
//! outbox), enqueued in the transaction of the action that causes them. This module knows
//! no kind of job: [`crate::worker`] runs them. A worker claims due
//! jobs for a lease, runs them, and records how each ended in its own small transaction: a
//! transient failure is retried with backoff, a permanent one (or the last attempt) marks the
//! job `failed` with its error, where admins see it and may put it back in the queue. A job
//! whose worker died is claimed again when its lease has passed; the attempt number fences
//! the old claim out. Jobs never block or roll back an action. A receipt's job keeps the
//! reporter's tracking token only while it may still be sent: it is wiped when the mail goes
//! and when the job fails for good.
//!
//! The blob store's sweep of files that no row names, once a grace period has passed
//! ([`sweep_blobs`]), and the admins' view of the queue are here too.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sigap_core::{JobKind, JobState, Role};
use sigap_store::{JobRow, NewAuditEntry};

use crate::auth::Caller;
use crate::{App, AppError, AppResult, from_millis, millis};

/// Attempts before a job is failed for good.
const MAX_ATTEMPTS: i64 = 8;
/// How long a claim holds a job before another worker may take it over.
pub(crate) const LEASE: Duration = Duration::minutes(5);
/// How long a blob that no row names is kept: far longer than any transaction that wrote
/// it may take to commit.
pub const BLOB_GRACE: Duration = Duration::hours(24);

/// Backoff before attempt `attempt + 1`: 30 s, 1 min, 2 min, … up to an hour.
fn retry_at(now: DateTime<Utc>, attempt: i64) -> i64 {
    let seconds = 30_i64.saturating_mul(1 << attempt.clamp(0, 7)).min(3600);
    millis(now + Duration::seconds(seconds))
}

/// How a job ended: the payload to keep, or whether the failure is worth retrying and why.
pub(crate) type Outcome = Result<String, (bool, String)>;

/// Records how the jobs of one batch ended, in one transaction: a write transaction per
/// message would be a few hundred a second during a backlog, each taking the writer away from
/// the actions people are waiting for. A job whose claim was taken over (its lease passed)
/// is fenced out by its attempt number and left as it is.
///
/// `scrub` gives the payload a job failed for good keeps instead of its own (a receipt's
/// without the tracking token), or `None` to keep it as it is.
pub(crate) async fn settle(
    app: &App,
    outcomes: &[(JobRow, Outcome)],
    scrub: fn(JobKind, &str) -> Option<String>,
) -> AppResult<()> {
    let now = app.now();
    let mut tx = app.store.begin().await?;
    for (job, result) in outcomes {
        match result {
            Ok(payload) => {
                tx.finish_job(job.id, job.attempts, millis(now), payload)
                    .await?;
            }
            Err((transient, error)) => {
                tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, %error, "job failed");
                let again = (*transient && job.attempts < MAX_ATTEMPTS)
                    .then(|| retry_at(now, job.attempts));
                let failed = tx.fail_job(job.id, job.attempts, error, again).await?;
                // A job failed for good keeps no tracking token: an admin's retry sends the
                // receipt without it.
                if failed
                    && again.is_none()
                    && let Some(payload) = scrub(job.kind, &job.payload)
                {
                    tx.set_failed_job_payload(job.id, job.attempts, &payload)
                        .await?;
                }
            }
        }
    }
    tx.commit().await?;
    for (job, result) in outcomes {
        count_outcome(app, job, result);
    }
    Ok(())
}

/// Counts how a job ended, once its end is recorded: `sigap_jobs_finished_total`, and for
/// the kinds that carry mail `sigap_mail_total`.
fn count_outcome(app: &App, job: &JobRow, result: &Outcome) {
    let outcome = match result {
        Ok(_) => "done",
        Err((true, _)) if job.attempts < MAX_ATTEMPTS => "retry",
        Err(_) => "failed",
    };
    let kind = job.kind.as_str().to_owned();
    app.meter.count(
        "sigap_jobs_finished_total",
        &[("kind", kind), ("outcome", outcome.to_owned())],
    );
    if job.kind != JobKind::Webhook {
        let mail = if outcome == "done" { "sent" } else { outcome };
        app.meter
            .count("sigap_mail_total", &[("outcome", mail.to_owned())]);
    }
}

/// The addresses of the active users among `users` with one of `roles`.
pub(crate) fn active_with(users: &[sigap_store::UserRow], roles: &[Role]) -> Vec<String> {
    users
        .iter()
        .filter(|u| !u.disabled && roles.contains(&u.role))
        .map(|u| u.email.clone())
        .collect()
}

/// What the jobs of one claimed batch share: the staff list, read once when a mail addressed
/// by role needs it rather than once per message.
#[derive(Default)]
pub(crate) struct Batch {
    staff: tokio::sync::OnceCell<Vec<sigap_store::UserRow>>,
}

impl Batch {
    /// The addresses of the active staff with one of `roles`.
    pub(crate) async fn staff_with(&self, app: &App, roles: &[Role]) -> AppResult<Vec<String>> {
        let users = self
            .staff
            .get_or_try_init(|| app.store.list_users())
            .await?;
        Ok(active_with(users, roles))
    }
}

/// Removes the blobs that no row names and that were last written more than
/// [`BLOB_GRACE`] ago: files of an action refused after they were stored, of a transaction
/// that failed, of a write cut short. The referenced hashes are read after the candidates
/// are listed, and a candidate written again since (a transaction about to name it) is
/// kept. Answers how many files were removed.
pub async fn sweep_blobs(app: &App) -> AppResult<usize> {
    let cutoff = millis(app.now() - BLOB_GRACE);
    let before = std::time::UNIX_EPOCH
        + std::time::Duration::from_millis(u64::try_from(cutoff).unwrap_or(0));
    let candidates = app.blobs.written_before(before).await?;
    if candidates.is_empty() {
        return Ok(0);
    }
    let keep: std::collections::HashSet<String> =
        app.store.referenced_blobs().await?.into_iter().collect();
    let mut removed = 0;
    for path in &candidates {
        if app.blobs.remove_unless(path, &keep, before).await? {
            removed += 1;
        }
    }
    if removed > 0 {
        tracing::info!(removed, "unreferenced blobs removed");
    }
    Ok(removed)
}

/// A job as admins see it: its kind, what it is (the mail's kind and recipients, or the
/// webhook's address), never the payload itself.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobView {
    pub id: i64,
    #[schema(value_type = String)]
    pub kind: JobKind,
    pub mail: Option<String>,
    pub to: Vec<String>,
    pub ticket_number: Option<String>,
    #[schema(value_type = String)]
    pub state: JobState,
    pub attempts: i64,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

/// The job queue at a glance: how many jobs in each state, and whether mail goes out.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobSummary {
    pub pending: i64,
    pub running: i64,
    pub done: i64,
    pub failed: i64,
    /// Mail returned by the recipient's server.
    pub bounced: i64,
    /// `false` when no mail server is set: mail is queued and not sent.
    pub mail_enabled: bool,
}

fn view(j: JobRow) -> JobView {
    let payload: serde_json::Value = serde_json::from_str(&j.payload).unwrap_or_default();
    let list = |key: &str| -> Vec<String> {
        serde_json::from_value(payload.get(key).cloned().unwrap_or_default()).unwrap_or_default()
    };
    let to = match payload.get("url").and_then(|u| u.as_str()) {
        Some(url) => vec![url.to_owned()],
        None => {
            let mut to = list("to");
            // Staff addressed by role until the mail goes.
            to.extend(list("to_roles").into_iter().map(|r| format!("({r})")));
            to
        }
    };
    JobView {
        id: j.id,
        kind: j.kind,
        mail: payload
            .get("mail")
            .or_else(|| payload.get("event"))
            .and_then(|m| m.as_str())
            .map(str::to_owned),
        to,
        ticket_number: j.ticket_number,
        state: j.state,
        attempts: j.attempts,
        run_at: from_millis(j.run_at),
        last_error: j.last_error,
        created_at: from_millis(j.created_at),
        done_at: j.done_at.map(from_millis),
    }
}

/// The newest jobs (admins and auditors), optionally of one state.
pub async fn list_jobs(app: &App, caller: &Caller, state: Option<&str>) -> AppResult<Vec<JobView>> {
    let result = try_list_jobs(app, caller, state).await;
    if let Err(e) = &result {
        crate::audit::refused(app, caller, "job_list", None, e, None).await;
    }
    result
}

async fn try_list_jobs(app: &App, caller: &Caller, state: Option<&str>) -> AppResult<Vec<JobView>> {
    caller.require(&[Role::Admin, Role::Auditor], "see the job queue")?;
    let state = state
        .map(str::parse::<JobState>)
        .transpose()
        .map_err(|_| AppError::invalid("state", "`state` is pending, running, done or failed"))?;
    Ok(app
        .store
        .list_jobs(state, 200)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// How many jobs are in each state (admins and auditors).
pub async fn summary(app: &App, caller: &Caller) -> AppResult<JobSummary> {
    let result = try_summary(app, caller).await;
    if let Err(e) = &result {
        crate::audit::refused(app, caller, "job_list", None, e, None).await;
    }
    result
}

async fn try_summary(app: &App, caller: &Caller) -> AppResult<JobSummary> {
    caller.require(&[Role::Admin, Role::Auditor], "see the job queue")?;
    let counts = app.store.count_jobs().await?;
    let count = |s: JobState| {
        counts
            .iter()
            .find(|(state, _)| *state == s)
            .map_or(0, |(_, n)| *n)
    };
    Ok(JobSummary {
        pending: count(JobState::Pending),
        running: count(JobState::Running),
        done: count(JobState::Done),
        failed: count(JobState::Failed),
        bounced: count(JobState::Bounced),
        mail_enabled: app.rules.notices.mail_enabled,
    })
}

/// Puts a failed job back in the queue, due now (admins); audited. A job that is not
/// `failed` answers 409.
pub async fn retry(app: &App, caller: &Caller, id: i64) -> AppResult<JobView> {
    let result = try_retry(app, caller, id).await;
    if let Err(e) = &result {
        crate::audit::refused(app, caller, "job_retry", None, e, None).await;
    }
    result
}

async fn try_retry(app: &App, caller: &Caller, id: i64) -> AppResult<JobView> {
    caller.require(&[Role::Admin], "retry jobs")?;
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    if !tx.retry_job(id, now).await? {
        return Err(match app.store.get_job(id).await? {
            Some(_) => AppError::Conflict("only a failed job can be retried".to_owned()),
            None => AppError::NotFound(format!("job {id}")),
        });
    }
    tx.append_audit(&NewAuditEntry {
        at: now,
        actor: caller.email.clone(),
        role: caller.role.as_str().to_owned(),
        action: "job_retry".to_owned(),
        ticket_number: None,
        source: None,
        outcome: "ok".to_owned(),
        details: json!({"job": id}),
    })
    .await?;
    tx.commit().await?;
    app.store
        .get_job(id)
        .await?
        .map(view)
        .ok_or_else(|| AppError::NotFound(format!("job {id}")))
}
