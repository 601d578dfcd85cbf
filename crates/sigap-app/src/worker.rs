//! The worker: claims due jobs from the queue ([`crate::outbox::jobs`]) and runs each by its kind
//! through the table in [`run_one`] (mail by [`crate::outbox::notify`], webhooks by
//! [`crate::outbox::webhooks`], the audit chain's alert by [`crate::admin::audit_log`], a
//! "Lupa kata sandi" link by [`crate::identity::recovery`]); and the chores it
//! does between batches: the deadlines ([`crate::workflow::deadlines`]), the anti-spam records, the
//! blob store's sweep and the check of the audit chain, which mails the admins an alert job
//! when it breaks.
//!
//! `serve` runs a worker in-process; `sigap worker` runs one alone, for larger setups. Any
//! number of them may share one database.

use futures::StreamExt;
use sigap_core::JobKind;
use sigap_store::JobRow;

use crate::outbox::jobs::{Batch, LEASE, Outcome, settle, sweep_blobs};
use crate::outbox::notify::MailSender;
use crate::{App, AppResult, millis};

/// Jobs run at once by one worker.
const PARALLEL: usize = 16;
/// How often the worker looks at the deadlines.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(60);
/// How often the worker applies the retention periods.
const RETENTION_EVERY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
/// How often the worker sweeps the blob store.
const BLOB_SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Runs one claimed job by its kind: the one table of job kinds.
async fn run_one(app: &App, batch: &Batch, mail: Option<&MailSender>, job: &JobRow) -> Outcome {
    match (job.kind, mail) {
        (JobKind::Mail, Some(settings)) => {
            crate::outbox::notify::send(app, batch, settings, job).await
        }
        (JobKind::Webhook, _) => crate::outbox::webhooks::send(app, job).await,
        (JobKind::Alert, Some(settings)) => {
            crate::admin::audit_log::send_alert(app, batch, settings, job).await
        }
        (JobKind::Account, Some(settings)) => {
            let mailer = settings.mailer.as_ref();
            crate::identity::recovery::send(app, mailer, &settings.public, job).await
        }
        (JobKind::Inbox, Some(settings)) => {
            crate::inbox::acknowledge::send(app, settings, job).await
        }
        (JobKind::Report, Some(settings)) => {
            crate::stats::report_mail::send(app, settings, job).await
        }
        (
            JobKind::Mail | JobKind::Alert | JobKind::Account | JobKind::Inbox | JobKind::Report,
            None,
        ) => Err((true, "no mail server is set".to_owned())),
    }
}

/// Spaces the mail a worker hands to the mail server to at most `per_second` messages a
/// second (`SIGAP_MAIL_PER_SECOND`; 0: as fast as the server takes them). A backlog then
/// drains at a steady pace instead of a burst: kinder to the office's mail relay, and it
/// leaves the machine to the HTTP requests people are waiting for (see `bench/README.md`).
pub struct Pace {
    every: Option<std::time::Duration>,
    next: std::sync::Mutex<Option<tokio::time::Instant>>,
}

impl Pace {
    pub fn new(per_second: u32) -> Pace {
        Pace {
            every: (per_second > 0).then(|| std::time::Duration::from_secs(1) / per_second),
            next: std::sync::Mutex::new(None),
        }
    }

    /// Waits for the next message's turn.
    async fn wait(&self) {
        let Some(every) = self.every else {
            return;
        };
        let turn = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = tokio::time::Instant::now();
            let turn = next.map_or(now, |n| n.max(now));
            *next = Some(turn + every);
            turn
        };
        tokio::time::sleep_until(turn).await;
    }
}

/// Whether the worker has been asked to stop: it claims nothing more, starts none of the jobs
/// it holds, and ends once those under way are recorded.
pub type Stop = tokio::sync::watch::Receiver<bool>;

/// A [`Stop`] that never turns (for a worker that runs until its process ends).
pub fn never_stop() -> Stop {
    static NEVER: std::sync::OnceLock<tokio::sync::watch::Sender<bool>> =
        std::sync::OnceLock::new();
    NEVER
        .get_or_init(|| tokio::sync::watch::channel(false).0)
        .subscribe()
}

/// Whether `stop` has turned, or its sender is gone (nobody is left to say when).
fn stopping(stop: &Stop) -> bool {
    *stop.borrow() || stop.has_changed().is_err()
}

/// Waits until [`stopping`].
async fn until_stopped(stop: &Stop) {
    let mut stop = stop.clone();
    let _ = stop.wait_for(|s| *s).await;
}

/// Claims the due jobs (up to `limit`) and runs them; answers how many were claimed. Without
/// a mail server (`mail` is `None`) mail jobs stay queued for a worker that has one.
pub async fn run_due(app: &App, mail: Option<&MailSender>, limit: i64) -> AppResult<usize> {
    let pace = Pace::new(app.rules.notices.mail_per_second);
    run_batch(app, mail, limit, &pace, &never_stop()).await
}

/// [`run_due`] with the pace of a worker that runs batch after batch. Each job's end is
/// recorded as soon as it comes (with those that ended at the same moment, in one
/// transaction), so that a worker stopped or killed after a message went out has recorded
/// it and no recipient gets it twice. Once `stop` turns, the jobs not yet started are
/// given back to the queue, due at once for another worker.
async fn run_batch(
    app: &App,
    mail: Option<&MailSender>,
    limit: i64,
    pace: &Pace,
    stop: &Stop,
) -> AppResult<usize> {
    let now = app.now();
    let mut tx = app.store.begin().await?;
    let skip = mail.is_none().then_some(JobKind::Mail);
    let jobs = tx
        .claim_jobs(millis(now), millis(now + LEASE), limit, skip)
        .await?;
    tx.commit().await?;
    let claimed = jobs.len();
    let batch = Batch::default();
    let batch = &batch;
    let mut ended = futures::stream::iter(jobs)
        .map(|job| async move {
            let result = if job.kind == JobKind::Mail {
                tokio::select! {
                    () = pace.wait() => started(app, batch, mail, &job, stop).await,
                    () = until_stopped(stop) => None,
                }
            } else {
                started(app, batch, mail, &job, stop).await
            };
            (job, result)
        })
        .buffer_unordered(PARALLEL)
        .ready_chunks(PARALLEL);
    while let Some(chunk) = ended.next().await {
        let (ran, unstarted): (Vec<_>, Vec<_>) = chunk
            .into_iter()
            .partition(|(_, outcome)| outcome.is_some());
        let ran: Vec<(JobRow, Outcome)> = ran
            .into_iter()
            .filter_map(|(job, outcome)| outcome.map(|o| (job, o)))
            .collect();
        let unstarted: Vec<JobRow> = unstarted.into_iter().map(|(job, _)| job).collect();
        if let Err(e) = settle(app, &ran, crate::outbox::notify::without_secrets).await {
            // The jobs stay claimed until their lease passes, then run again.
            tracing::error!(jobs = ran.len(), error = %e, "job outcomes not recorded");
        }
        if let Err(e) = release(app, &unstarted).await {
            tracing::error!(jobs = unstarted.len(), error = %e, "unstarted jobs not released");
        }
    }
    Ok(claimed)
}

/// Runs `job` unless the worker is stopping (`None`: not started).
async fn started(
    app: &App,
    batch: &Batch,
    mail: Option<&MailSender>,
    job: &JobRow,
    stop: &Stop,
) -> Option<Outcome> {
    if stopping(stop) {
        return None;
    }
    Some(run_one(app, batch, mail, job).await)
}

/// Gives claimed jobs that were not started back to the queue, due now.
async fn release(app: &App, jobs: &[JobRow]) -> AppResult<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    for job in jobs {
        tx.release_job(job.id, job.attempts, now).await?;
    }
    tx.commit().await?;
    tracing::info!(
        jobs = jobs.len(),
        "jobs given back to the queue at shutdown"
    );
    Ok(())
}

/// Runs jobs until `stop` turns (or, with [`never_stop`], until the process ends): as they
/// come (mail at the configured pace), resting a second when idle, and looking at the
/// deadlines every minute. When asked to stop, it finishes and records the jobs under way,
/// gives back those not started, and returns.
pub async fn run_forever(app: App, mail: Option<MailSender>, stop: Stop) {
    let pace = Pace::new(app.rules.notices.mail_per_second);
    let mut last_sweep: Option<std::time::Instant> = None;
    let mut last_blob_sweep: Option<std::time::Instant> = None;
    let mut last_retention: Option<std::time::Instant> = None;
    let mut audit_watch = crate::admin::audit_log::WatchClock::default();
    while !stopping(&stop) {
        audit_watch.tick(&app).await;
        if last_blob_sweep.is_none_or(|t| t.elapsed() >= BLOB_SWEEP_EVERY) {
            last_blob_sweep = Some(std::time::Instant::now());
            if let Err(e) = sweep_blobs(&app).await {
                tracing::error!(error = %e, "blob sweep");
            }
        }
        if last_retention.is_none_or(|t| t.elapsed() >= RETENTION_EVERY) {
            last_retention = Some(std::time::Instant::now());
            if let Err(e) = crate::workflow::retention::sweep(&app).await {
                tracing::error!(error = %e, "retention sweep");
            }
        }
        if last_sweep.is_none_or(|t| t.elapsed() >= SWEEP_EVERY) {
            last_sweep = Some(std::time::Instant::now());
            chores(&app).await;
        }
        let rest = match run_batch(&app, mail.as_ref(), 64, &pace, &stop).await {
            Ok(0) => std::time::Duration::from_secs(1),
            Ok(_) => std::time::Duration::ZERO,
            Err(e) => {
                tracing::error!(error = %e, "job worker");
                std::time::Duration::from_secs(5)
            }
        };
        tokio::select! {
            () = tokio::time::sleep(rest) => {}
            () = until_stopped(&stop) => {}
        }
    }
    tracing::info!("job worker stopped");
}

/// The minute's chores: the deadlines (the SOP's, UU PDP's and BSSN's), the anti-spam records, the monthly report's draft,
/// the reminder a month before `security.txt` expires.
async fn chores(app: &App) {
    if let Err(e) = crate::workflow::deadlines::sweep(app).await {
        tracing::error!(error = %e, "deadline sweep");
    }
    if let Err(e) = crate::workflow::personal_data::sweep(app).await {
        tracing::error!(error = %e, "the sweep of personal data breaches' clocks");
    }
    if let Err(e) = crate::workflow::sectoral_report::sweep(app).await {
        tracing::error!(error = %e, "the sweep of the reports to the sectoral CSIRT");
    }
    if let Err(e) = crate::intake::antispam::sweep(app).await {
        tracing::error!(error = %e, "anti-spam sweep");
    }
    if let Err(e) = crate::stats::report::monthly_draft(app).await {
        tracing::error!(error = %e, "the monthly report's draft");
    }
    if let Err(e) = crate::admin::rules::remind_security_txt(app).await {
        tracing::error!(error = %e, "the reminder of security.txt's expiry");
    }
}
