//! The figures as the API answers them and the page and the monthly report print them.
//! Durations are in seconds; shares from 0 to 1; dates in WIB.

use serde::Serialize;
use utoipa::ToSchema;

/// The figures of one period and filter: every section (`/api/v1/stats/dashboard`, the
/// page, the report) or the one an endpoint names.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Dashboard {
    pub period: PeriodView,
    pub filters: FilterView,
    /// When the figures were counted (RFC 3339): "now" for the open tickets and blocks.
    pub counted_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intake: Option<Intake>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock: Option<Clock>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocking: Option<Blocking>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Remediation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approvals: Option<Approvals>,
}

/// The period the figures cover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PeriodView {
    /// `2026-11`, `2026-Q4` or `2026`; absent for days from–to.
    pub key: Option<String>,
    /// First day, `YYYY-MM-DD` (WIB).
    pub from: String,
    /// Last day, included.
    pub to: String,
    /// In Indonesian: `November 2026`, `Triwulan IV 2026`.
    pub label: String,
    /// In English: `November 2026`, `Q4 2026`.
    pub label_en: String,
    /// The period's query parameters (`period=2026-11`), for links.
    pub query: String,
}

/// The filters the figures were counted with.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToSchema)]
pub struct FilterView {
    /// The agency's code.
    pub agency: Option<String>,
    pub criticality: Option<String>,
    pub channel: Option<String>,
}

/// A count under a key (a channel, a class, a state, a round).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Tally {
    pub key: String,
    pub count: i64,
}

/// Step 1–3: the reports received in the period.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToSchema)]
pub struct Intake {
    pub received: i64,
    pub valid: i64,
    pub rejected: i64,
    pub duplicates: i64,
    /// Not validated yet.
    pub pending: i64,
    /// Every channel, in the vocabulary's order (zeros included).
    pub by_channel: Vec<Tally>,
    /// OWASP Top 10 (2021) classes with at least one report, most first.
    pub by_class: Vec<Tally>,
    /// Agencies with at least one report, most first; `-` for reports routed to none.
    pub by_agency: Vec<AgencyIntake>,
    /// Reports per week from the period's first day.
    pub weekly: Vec<Week>,
    /// Reports per calendar month (the first and last cut at the period's ends).
    pub monthly: Vec<Week>,
    /// Reports per class and agency: the heat map.
    pub heat: Vec<HeatCell>,
}

/// An agency's reports in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AgencyIntake {
    pub agency: String,
    pub received: i64,
    pub valid: i64,
}

impl Intake {
    /// The trend a reader is shown: per week up to a quarter, per month for longer
    /// periods (a year's 53 weeks are too many bars); and whether it is per month.
    pub fn trend(&self) -> (&[Week], bool) {
        if self.weekly.len() > 14 {
            (&self.monthly, true)
        } else {
            (&self.weekly, false)
        }
    }
}

/// The reports of one week (or one month).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Week {
    /// Its first day, `YYYY-MM-DD`.
    pub from: String,
    /// Its last day within the period.
    pub to: String,
    pub count: i64,
}

/// Reports of one class against one agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct HeatCell {
    pub class: String,
    pub agency: String,
    pub count: i64,
}

/// The SOP's clock: each step against its deadline.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToSchema)]
pub struct Clock {
    /// The steps done in the period, in the SOP's order (steps never done left out).
    pub steps: Vec<StepClock>,
    /// Open tickets past their deadline now, per state.
    pub overdue_now: Vec<Tally>,
    pub overdue_total: i64,
    /// The breaches of personal data recorded in the period and UU PDP's 3×24 hours.
    pub personal_data: PersonalDataFigures,
}

/// The breaches of personal data recorded in the period (UU PDP Pasal 46): how many, and
/// whether the agency's two notices came within the hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToSchema)]
pub struct PersonalDataFigures {
    pub breaches: i64,
    /// Both notices by the deadline.
    pub met: i64,
    /// Both notices, the later after the deadline.
    pub late: i64,
    /// Past the deadline now without both notices.
    pub overdue: i64,
    /// Within the deadline now, notices still missing.
    pub running: i64,
}

/// One step done in the period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StepClock {
    /// The action (`validate`, `notify_agency`, …).
    pub action: String,
    /// The SOP step's number (3 to 10; the approval has none).
    pub sop_step: Option<u8>,
    /// The state the step is done in (its deadline's).
    pub state: String,
    pub done: i64,
    /// Done by the deadline.
    pub within: i64,
    /// `within / done`.
    pub within_share: f64,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

/// A span's summary: how many, median, 90th percentile (nearest rank).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToSchema)]
pub struct Durations {
    pub count: i64,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

/// Step 5 and step 10: blocks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToSchema)]
pub struct Blocking {
    /// The systems blocked now, longest first.
    pub blocked_now: Vec<BlockedSystem>,
    /// Blocks put in place in the period.
    pub blocks: i64,
    /// Blocks lifted in the period.
    pub unblocks: i64,
    /// From the high finding (the assessment) to the block, for the period's blocks.
    pub finding_to_block: Durations,
    /// From "Sudah" (the review that found it fixed) to the unblock, for the period's
    /// unblocks.
    pub fixed_to_unblock: Durations,
}

/// A system blocked now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct BlockedSystem {
    pub ticket: String,
    pub agency: Option<String>,
    pub system: Option<String>,
    /// When it was blocked (RFC 3339).
    pub since: Option<String>,
    /// How long it has been blocked, in seconds.
    pub seconds: Option<i64>,
}

/// Step 7–9: remediation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToSchema)]
pub struct Remediation {
    /// Reviews in the period that found the finding fixed ("Sudah").
    pub fixed: i64,
    /// Reviews in the period that found it not fixed ("Belum"): each a new round.
    pub not_fixed: i64,
    /// The fixed tickets by the round in which they were fixed (`1`, `2`, `3+`).
    pub rounds: Vec<Tally>,
    /// From the agency's notice to "Sudah", over every agency.
    pub time_to_fix: Durations,
    /// The same per agency, most fixed first.
    pub by_agency: Vec<AgencyFix>,
}

/// One agency's fixes in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AgencyFix {
    pub agency: String,
    pub fixed: i64,
    pub median_seconds: Option<i64>,
    /// Fixed in the first round.
    pub first_round: i64,
}

/// The "> 3 reports" rule.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToSchema)]
pub struct Approvals {
    /// Reactivation needs the Regional Secretary above this many valid reports.
    pub threshold: u32,
    /// Reports of the last this many days count; absent: all.
    pub window_days: Option<u32>,
    /// Agencies at or over the threshold now, most reports first.
    pub agencies: Vec<AgencyCount>,
    /// Tickets waiting for the Regional Secretary now.
    pub pending: i64,
    /// Decisions in the period.
    pub approved: i64,
    pub refused: i64,
    /// From the review to the decision, for the period's decisions.
    pub decision_time: Durations,
}

/// An agency's count towards the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AgencyCount {
    pub agency: String,
    pub name: String,
    pub valid_reports: i64,
    /// Over the threshold: a reactivation of its systems needs the Regional Secretary.
    pub over: bool,
}
