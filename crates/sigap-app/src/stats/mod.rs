//! What leadership reads: the figures of a period (intake, the SOP's clock against its
//! deadlines, blocks, remediation, the "> 3 reports" rule), for every staff role but the
//! system owners, who are told of their agency's tickets only from the notice on. The
//! dashboard, `GET /api/v1/stats/*` and the monthly report all call [`dashboard`], so
//! their figures agree to the unit. The queries group in the database; [`figures`] turns
//! their rows into sections, [`charts`] draws them.

pub mod charts;
pub mod figures;
pub mod report;
pub mod report_body;
pub(crate) mod report_mail;
pub mod scorecard;
pub mod view;

use serde::Deserialize;
use sigap_core::{Channel, Criticality, FieldError, Period, Role};
use sigap_store::{IntervalQuery, IntervalRow, StatsScope};

use crate::auth::Caller;
use crate::{App, AppError, AppResult, audit, millis};
use view::{
    AgencyCount, Approvals, BlockedSystem, Blocking, Clock, Dashboard, FilterView, PeriodView,
    Remediation, Tally,
};

/// A question as a request asks it: the period and the filters, as text.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// `2026-11` (a month), `2026-Q4` (a quarter), `2026` (a year), or `month`, `quarter`,
    /// `year` for the current one. Default: this month. Not with `from`/`to`.
    pub period: Option<String>,
    /// First day, `YYYY-MM-DD` (WIB), for a period of days.
    pub from: Option<String>,
    /// Last day, included (default: today).
    pub to: Option<String>,
    /// Only this agency's tickets (its code).
    pub agency: Option<String>,
    /// `high` or `low`.
    pub criticality: Option<String>,
    /// The intake channel (`web`, `api`, `phone`, `email`, `walk_in`, `letter`).
    pub channel: Option<String>,
}

/// A question read and checked.
#[derive(Debug, Clone)]
pub struct Question {
    pub period: Period,
    pub scope: StatsScope,
    pub filters: FilterView,
}

/// Whether `role` may read the figures of every agency.
pub fn may_read(role: Role) -> bool {
    role != Role::SystemOwner
}

/// The sections of the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Intake,
    Clock,
    Blocking,
    Remediation,
    Approvals,
}

impl Section {
    pub const ALL: &'static [Section] = &[
        Section::Intake,
        Section::Clock,
        Section::Blocking,
        Section::Remediation,
        Section::Approvals,
    ];
}

/// The `sections` of the figures of the period and filters `query` names, as `caller`
/// may read them; a refusal is audited.
pub async fn dashboard(
    app: &App,
    caller: &Caller,
    query: &StatsQuery,
    sections: &[Section],
    source: Option<String>,
) -> AppResult<Dashboard> {
    let result = async {
        let question = question(app, caller, query).await?;
        figures_of(app, &question, sections).await
    }
    .await;
    if let Err(e) = &result {
        audit::refused(app, caller, "read_stats", None, e, source).await;
    }
    result
}

/// Reads `query` for `caller`: the period in WIB, the agency by its code; a system owner
/// is refused (their agency's scorecard is theirs).
pub async fn question(app: &App, caller: &Caller, query: &StatsQuery) -> AppResult<Question> {
    if !may_read(caller.role) {
        return Err(AppError::Forbidden(
            "the figures of every agency are not open to system owners".into(),
        ));
    }
    read_question(app, query).await
}

/// Reads `query` whoever asks: the period in WIB, the filters, the agency by its code.
pub(crate) async fn read_question(app: &App, query: &StatsQuery) -> AppResult<Question> {
    let today = app
        .now()
        .with_timezone(&sigap_core::calendar::WIB)
        .date_naive();
    let mut errors = Vec::new();
    let period = Period::parse(
        query.period.as_deref(),
        query.from.as_deref(),
        query.to.as_deref(),
        today,
    )
    .map_err(|e| errors.push(e))
    .ok();
    let criticality =
        parsed::<Criticality>("criticality", query.criticality.as_deref(), &mut errors);
    let channel = parsed::<Channel>("channel", query.channel.as_deref(), &mut errors);
    let agency = match query
        .agency
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        None => None,
        Some(code) => match app.store.find_agency(code).await? {
            Some(row) => Some(row),
            None => {
                errors.push(FieldError::new(
                    "agency",
                    format!("no agency has the code `{code}`"),
                ));
                None
            }
        },
    };
    let Some(period) = period.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    Ok(Question {
        scope: StatsScope {
            from: millis(period.start()),
            until: millis(period.end()),
            agency_id: agency.as_ref().map(|a| a.id),
            criticality,
            channel,
            told_only: false,
        },
        filters: FilterView {
            agency: agency.map(|a| a.code),
            criticality: criticality.map(|c| c.as_str().to_owned()),
            channel: channel.map(|c| c.as_str().to_owned()),
        },
        period,
    })
}

fn parsed<T: std::str::FromStr>(
    field: &str,
    text: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<T>
where
    T::Err: std::fmt::Display,
{
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    text.parse()
        .map_err(|e: T::Err| errors.push(FieldError::new(field, e.to_string())))
        .ok()
}

/// The `sections` of the figures of a question read.
pub async fn figures_of(app: &App, q: &Question, sections: &[Section]) -> AppResult<Dashboard> {
    let s = &q.scope;
    let wanted = |section| sections.contains(&section);
    let mut out = Dashboard {
        period: PeriodView {
            key: q.period.key(),
            from: q.period.from.to_string(),
            to: q.period.to.to_string(),
            label: q.period.label_id(),
            label_en: q.period.label_en(),
            query: q.period.query(),
        },
        filters: q.filters.clone(),
        counted_at: app.now().to_rfc3339(),
        intake: None,
        clock: None,
        blocking: None,
        remediation: None,
        approvals: None,
    };
    let (intake, clock, blocking, remediation, approvals) = tokio::try_join!(
        when(wanted(Section::Intake), intake(app, s, &q.period)),
        when(wanted(Section::Clock), clock(app, s)),
        when(wanted(Section::Blocking), blocking(app, s)),
        when(wanted(Section::Remediation), remediation(app, s)),
        when(wanted(Section::Approvals), approvals(app, s)),
    )?;
    out.intake = intake;
    out.clock = clock;
    out.blocking = blocking;
    out.remediation = remediation;
    out.approvals = approvals;
    Ok(out)
}

/// `section` when it is `wanted` (the sections' queries run side by side, each on its own
/// connection of the read pool).
async fn when<T>(
    wanted: bool,
    section: impl std::future::Future<Output = AppResult<T>>,
) -> AppResult<Option<T>> {
    if wanted {
        section.await.map(Some)
    } else {
        Ok(None)
    }
}

async fn intake(app: &App, s: &StatsScope, period: &Period) -> AppResult<view::Intake> {
    let (rows, days) = tokio::try_join!(app.store.stats_intake(s), app.store.stats_intake_days(s))?;
    Ok(figures::intake(&rows, &days, period))
}

async fn clock(app: &App, s: &StatsScope) -> AppResult<Clock> {
    let now = millis(app.now());
    let (overdue, steps, pdp) = tokio::try_join!(
        app.store.stats_overdue(s, now),
        app.store.stats_step_times(s),
        app.store.stats_personal_data(s, now)
    )?;
    Ok(Clock {
        steps: figures::steps(&steps),
        overdue_total: overdue.iter().map(|r| r.count).sum(),
        overdue_now: overdue
            .into_iter()
            .map(|r| Tally {
                key: r.state.as_str().to_owned(),
                count: r.count,
            })
            .collect(),
        personal_data: view::PersonalDataFigures {
            breaches: pdp.breaches,
            met: pdp.met,
            late: pdp.late,
            overdue: pdp.overdue,
            running: pdp.running,
        },
    })
}

async fn intervals(
    app: &App,
    s: &StatsScope,
    action: &'static str,
    after: &'static str,
    after_to: &[&'static str],
    first: bool,
) -> AppResult<Vec<IntervalRow>> {
    let query = IntervalQuery {
        action,
        after,
        after_to: after_to.to_vec(),
        first,
    };
    Ok(app.store.stats_intervals(s, &query).await?)
}

async fn blocking(app: &App, s: &StatsScope) -> AppResult<Blocking> {
    let now = millis(app.now());
    let (blocks, unblocks, blocked_now) = tokio::try_join!(
        intervals(app, s, "block", "assess", &["awaiting_block"], false),
        intervals(
            app,
            s,
            "unblock",
            "review",
            &["closing", "awaiting_approval"],
            false,
        ),
        async { app.store.stats_blocked_now(s).await.map_err(AppError::from) },
    )?;
    let blocked_now = blocked_now
        .into_iter()
        .map(|r| BlockedSystem {
            ticket: r.number,
            agency: r.agency,
            system: r.system,
            since: r.since.map(|t| crate::from_millis(t).to_rfc3339()),
            seconds: r.since.map(|t| (now - t).div_euclid(1000)),
        })
        .collect();
    Ok(Blocking {
        blocked_now,
        blocks: i64::try_from(blocks.len()).unwrap_or(i64::MAX),
        unblocks: i64::try_from(unblocks.len()).unwrap_or(i64::MAX),
        finding_to_block: figures::durations(figures::spans(&blocks)),
        fixed_to_unblock: figures::durations(figures::spans(&unblocks)),
    })
}

async fn remediation(app: &App, s: &StatsScope) -> AppResult<Remediation> {
    let reviews = intervals(app, s, "review", "notify_agency", &[], true).await?;
    let (fixed, not_fixed): (Vec<&IntervalRow>, Vec<&IntervalRow>) = reviews
        .iter()
        .partition(|r| r.to_state != sigap_core::State::Remediating);
    Ok(Remediation {
        fixed: i64::try_from(fixed.len()).unwrap_or(i64::MAX),
        not_fixed: i64::try_from(not_fixed.len()).unwrap_or(i64::MAX),
        rounds: figures::rounds(&fixed),
        time_to_fix: figures::durations(figures::spans(fixed.iter().copied())),
        by_agency: figures::fixes_by_agency(&fixed),
    })
}

async fn approvals(app: &App, s: &StatsScope) -> AppResult<Approvals> {
    let policy = app.policy().await?;
    let since = policy.approval_window_start(app.now()).map_or(0, millis);
    let threshold = policy.approval_threshold;
    let (agencies, pending, decisions) = tokio::try_join!(
        async {
            app.store
                .stats_agency_reports(s, since, i64::from(threshold).max(1))
                .await
                .map_err(AppError::from)
        },
        async {
            app.store
                .stats_state_count(s, sigap_core::State::AwaitingApproval.as_str())
                .await
                .map_err(AppError::from)
        },
        intervals(app, s, "approve_reactivation", "review", &[], false),
    )?;
    let agencies = agencies
        .into_iter()
        .map(|r| AgencyCount {
            over: r.count > i64::from(threshold),
            agency: r.agency,
            name: r.name,
            valid_reports: r.count,
        })
        .collect();
    let approved = decisions
        .iter()
        .filter(|r| r.to_state == sigap_core::State::Closing)
        .count();
    Ok(Approvals {
        threshold,
        window_days: policy.approval_window_days,
        agencies,
        pending,
        approved: i64::try_from(approved).unwrap_or(i64::MAX),
        refused: i64::try_from(decisions.len() - approved).unwrap_or(i64::MAX),
        decision_time: figures::durations(figures::spans(&decisions)),
    })
}
