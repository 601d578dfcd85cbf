//! The figures of the dashboard and the monthly report: the scope of a question, the rows
//! that `stats.rs` answers, and the [`Store`] methods that forward to it (on the read pool).

use sigap_core::{Channel, Criticality, State};

use crate::{Result, Store};

/// Periods longer than this (62 days) are "long" for the choice of a query's index.
pub(crate) const LONG_PERIOD_MS: i64 = 62 * 86_400_000;

/// The tickets a question is about: a period (UTC milliseconds, `from` inclusive, `until`
/// exclusive) and the dashboard's filters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsScope {
    pub from: i64,
    pub until: i64,
    pub agency_id: Option<i64>,
    pub criticality: Option<Criticality>,
    pub channel: Option<Channel>,
    /// Only tickets the agency has been told of (SOP step 6 done): what its system owners
    /// see (`sigap_core::workflow::agency_told`).
    pub told_only: bool,
}

/// Tickets created in the period with the same channel, agency, class and outcome.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IntakeRow {
    pub channel: Channel,
    /// The agency's code; `None` while the ticket is routed to none.
    pub agency: Option<String>,
    /// The vulnerability class's key (`sigap_core::WeaknessClass`).
    pub weakness_class: Option<String>,
    /// `valid`, `rejected`, `duplicate` or `pending` (not yet validated).
    pub outcome: String,
    pub count: i64,
}

/// Tickets created on one day of the period.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DayCountRow {
    /// Whole days from the period's start (0 for its first day, in WIB).
    pub day: i64,
    pub count: i64,
}

/// The steps of one action done in the period.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StepTimeRow {
    pub action: String,
    pub done: i64,
    /// Done by their deadline (or without one).
    pub kept: i64,
    /// Milliseconds from the step's start to its completion, median and 90th percentile.
    pub median_ms: Option<i64>,
    pub p90_ms: Option<i64>,
}

/// Tickets in one state.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StateCountRow {
    pub state: State,
    pub count: i64,
}

/// The breaches of personal data of a period and how their notices went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct PdpCountRow {
    pub breaches: i64,
    pub met: i64,
    pub late: i64,
    pub overdue: i64,
    pub running: i64,
}

/// A system blocked now.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BlockedRow {
    pub number: String,
    pub agency: Option<String>,
    pub system: Option<String>,
    /// When the block was put in place (UTC milliseconds).
    pub since: Option<i64>,
}

/// Which intervals [`Store::stats_intervals`] measures: each step `action` done in the
/// period, from the ticket's latest (or first) earlier step `after` that went to one of
/// `after_to` (any state when empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntervalQuery {
    pub action: &'static str,
    pub after: &'static str,
    pub after_to: Vec<&'static str>,
    /// From the first such step instead of the latest.
    pub first: bool,
}

/// One step of an [`IntervalQuery`].
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IntervalRow {
    pub agency: Option<String>,
    pub round: i64,
    /// Where the step took the ticket.
    pub to_state: State,
    /// Milliseconds since the earlier step; `None` when there was none.
    pub took: Option<i64>,
}

/// A ticket in a report's list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ListedTicketRow {
    pub number: String,
    pub agency: Option<String>,
    pub state: State,
    pub criticality: Option<Criticality>,
    /// When it closed (closed tickets) or was opened (open ones).
    pub at: i64,
}

/// An agency's count of valid reports.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AgencyCountRow {
    pub agency: String,
    pub name: String,
    pub count: i64,
}

/// Valid findings of one system, vulnerability type and criticality.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FindingRow {
    pub system_id: Option<i64>,
    pub system: Option<String>,
    pub vulnerability_type: String,
    pub criticality: Option<Criticality>,
    /// Created before the period's end.
    pub total: i64,
    /// Created in the period.
    pub in_period: i64,
    /// The first and the latest (UTC milliseconds).
    pub first_at: i64,
    pub last_at: i64,
}

/// A report to the agency (`notify_agency`) or a follow-up letter (`send_follow_up`) and
/// the records kept with it (JSON).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NoticeStepRow {
    pub action: String,
    pub records: String,
}

/// The steps of each action from their spans (`action`, milliseconds taken, 1 when within
/// the deadline): count, kept, and the nearest-rank median and 90th percentile (rank
/// ⌈n·p⌉), in the order of the actions' names.
pub(crate) fn step_time_rows(spans: Vec<(String, i64, i64)>) -> Vec<StepTimeRow> {
    let mut by_action: std::collections::BTreeMap<String, (Vec<i64>, i64)> =
        std::collections::BTreeMap::new();
    for (action, took, kept) in spans {
        let entry = by_action.entry(action).or_default();
        entry.0.push(took);
        entry.1 += kept;
    }
    by_action
        .into_iter()
        .map(|(action, (mut took, kept))| {
            took.sort_unstable();
            let n = took.len();
            let rank =
                |num: usize, den: usize| took.get((num * n).div_ceil(den).max(1) - 1).copied();
            StepTimeRow {
                action,
                done: i64::try_from(n).unwrap_or(i64::MAX),
                kept,
                median_ms: rank(1, 2),
                p90_ms: rank(9, 10),
            }
        })
        .collect()
}

impl Store {
    /// Tickets created in the period, grouped (see [`IntakeRow`]).
    pub async fn stats_intake(&self, scope: &StatsScope) -> Result<Vec<IntakeRow>> {
        read_pool!(self, stats_intake(scope))
    }
    /// Tickets created in the period, per day.
    pub async fn stats_intake_days(&self, scope: &StatsScope) -> Result<Vec<DayCountRow>> {
        read_pool!(self, stats_intake_days(scope))
    }
    /// The SOP steps done in the period, per action.
    pub async fn stats_step_times(&self, scope: &StatsScope) -> Result<Vec<StepTimeRow>> {
        read_pool!(self, stats_step_times(scope))
    }
    /// Open tickets past their deadline at `now`, per state.
    pub async fn stats_overdue(&self, scope: &StatsScope, now: i64) -> Result<Vec<StateCountRow>> {
        read_pool!(self, stats_overdue(scope, now))
    }
    /// The breaches of personal data recorded in the period, and how their notices went.
    pub async fn stats_personal_data(&self, scope: &StatsScope, now: i64) -> Result<PdpCountRow> {
        read_pool!(self, stats_personal_data(scope, now))
    }
    /// The systems blocked now.
    pub async fn stats_blocked_now(&self, scope: &StatsScope) -> Result<Vec<BlockedRow>> {
        read_pool!(self, stats_blocked_now(scope))
    }
    /// The intervals `query` names, for the steps done in the period.
    pub async fn stats_intervals(
        &self,
        scope: &StatsScope,
        query: &IntervalQuery,
    ) -> Result<Vec<IntervalRow>> {
        read_pool!(self, stats_intervals(scope, query))
    }
    /// Agencies with at least `at_least` valid reports created since `since`.
    pub async fn stats_agency_reports(
        &self,
        scope: &StatsScope,
        since: i64,
        at_least: i64,
    ) -> Result<Vec<AgencyCountRow>> {
        read_pool!(self, stats_agency_reports(scope, since, at_least))
    }
    /// The tickets closed in the period, or open and created before its end (see
    /// `stats.rs`), at most `limit`, and how many there are.
    pub async fn stats_ticket_list(
        &self,
        scope: &StatsScope,
        closed: bool,
        limit: i64,
    ) -> Result<(Vec<ListedTicketRow>, i64)> {
        read_pool!(self, stats_ticket_list(scope, closed, limit))
    }
    /// Tickets per state now.
    pub async fn stats_states_now(&self, scope: &StatsScope) -> Result<Vec<StateCountRow>> {
        read_pool!(self, stats_states_now(scope))
    }
    /// Tickets in `state` now.
    pub async fn stats_state_count(&self, scope: &StatsScope, state: &str) -> Result<i64> {
        read_pool!(self, stats_state_count(scope, state))
    }
    /// Valid findings created before the period's end, per system, type and criticality.
    pub async fn stats_findings(&self, scope: &StatsScope) -> Result<Vec<FindingRow>> {
        read_pool!(self, stats_findings(scope))
    }
    /// The reports to the agency and the follow-up letters done in the period.
    pub async fn stats_notice_steps(&self, scope: &StatsScope) -> Result<Vec<NoticeStepRow>> {
        read_pool!(self, stats_notice_steps(scope))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_times_rank_to_the_nearest() {
        let spans = |action: &str, took: &[i64]| -> Vec<(String, i64, i64)> {
            took.iter()
                .map(|t| (action.to_owned(), *t, i64::from(*t <= 3)))
                .collect()
        };
        let mut all = spans("validate", &[5, 1, 3, 2, 4]);
        all.extend(spans("assess", &(1..=10).collect::<Vec<i64>>()));
        all.extend(spans("block", &[7]));
        let rows = step_time_rows(all);
        let got: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {:?} {:?}",
                    r.action, r.done, r.kept, r.median_ms, r.p90_ms
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "assess 10 3 Some(5) Some(9)",
                "block 1 0 Some(7) Some(7)",
                "validate 5 3 Some(3) Some(5)",
            ]
        );
        assert!(step_time_rows(Vec::new()).is_empty());
    }
}
