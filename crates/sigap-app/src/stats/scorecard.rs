//! An agency's scorecard (`/agencies/{code}/scorecard`): the findings against its systems,
//! their criticality, the findings that came back on the same system with the same
//! weakness, its time to fix against the SOP's deadline, the letters and recommendations
//! it received, its blocked systems and its count towards the "> 3 reports" rule. Open to
//! every staff role that reads the dashboard, and to the agency's own system owners, who
//! see it counted from the tickets the agency has been told of (as their queue shows them);
//! another agency's scorecard is "not found" to them. The figures come from the same
//! queries as the dashboard's, with the agency fixed.

use std::collections::BTreeMap;

use serde::Serialize;
use sigap_core::{Criticality, Recommendation, Role, Span, WeaknessClass};
use sigap_store::{AgencyRow, FindingRow, StatsScope};
use utoipa::ToSchema;

use super::view::{BlockedSystem, PeriodView, Remediation, Tally};
use super::{Question, Section, StatsQuery, figures, figures_of, read_question};
use crate::auth::Caller;
use crate::{App, AppError, AppResult, audit, millis};

/// An agency's scorecard for a period (the current year unless chosen).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Scorecard {
    pub agency: ScorecardAgency,
    pub period: PeriodView,
    /// When the figures were counted (RFC 3339).
    pub counted_at: String,
    /// Counted from the tickets the agency has been told of (SOP step 6 done) only, as its
    /// system owners see them; `false`: every ticket of the agency.
    pub told_only: bool,
    pub findings: Findings,
    /// Findings that came back: the same system and the same weakness (the CWE, or the
    /// OWASP class where the report named no CWE) more than once, at least once in the
    /// period. Most first.
    pub repeats: Vec<RepeatFinding>,
    pub remediation: ScorecardRemediation,
    pub letters: Letters,
    /// The agency's systems blocked now, longest first.
    pub blocked_now: Vec<BlockedSystem>,
    pub rule: RuleCount,
}

/// The agency the scorecard is of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ScorecardAgency {
    pub code: String,
    pub name: String,
}

/// The valid findings against the agency's systems created in the period.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToSchema)]
pub struct Findings {
    pub total: i64,
    /// `high`, `low` and `unassessed`, in that order (zeros included).
    pub by_criticality: Vec<Tally>,
    /// Per system, most first.
    pub by_system: Vec<SystemFindings>,
    /// Per OWASP Top 10 (2021) class, most first.
    pub by_class: Vec<Tally>,
}

/// One system's findings in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SystemFindings {
    /// The system's name; `-` for findings routed to no system.
    pub system: String,
    pub findings: i64,
    pub high: i64,
}

/// A weakness found more than once on one system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RepeatFinding {
    pub system: String,
    /// `CWE-79`, or the OWASP class's key when the reports named no CWE.
    pub weakness: String,
    /// The OWASP Top 10 (2021) class's key.
    pub class: String,
    /// Found in the period.
    pub in_period: i64,
    /// Found up to the period's end.
    pub total: i64,
    /// The first and the latest finding (`YYYY-MM-DD`, WIB).
    pub first: String,
    pub latest: String,
}

/// Remediation against the SOP's deadline.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ScorecardRemediation {
    /// The SOP's deadline for a fix, in days (7).
    pub deadline_days: u32,
    /// Remediation reports submitted in the period (step 7).
    pub submitted: i64,
    /// Of those, submitted by the deadline.
    pub within_deadline: i64,
    /// `within_deadline / submitted` (1 when none).
    pub within_share: f64,
    /// Reviews, rounds and the time from the notice to "Sudah", as on the dashboard.
    #[serde(flatten)]
    pub reviews: Remediation,
}

/// What the agency received in the period.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToSchema)]
pub struct Letters {
    /// Reports and letters of notice (step 6).
    pub notices: i64,
    /// Follow-up letters (step 8).
    pub follow_ups: i64,
    /// Notices that recommended a warning.
    pub warnings: i64,
    /// Notices that recommended a sanction (a recommendation: the authorised official
    /// decides).
    pub sanctions: i64,
}

/// The agency's count towards the "> 3 reports" rule now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RuleCount {
    /// Reactivation needs the Regional Secretary above this many valid reports.
    pub threshold: u32,
    /// Reports of the last this many days count; absent: all.
    pub window_days: Option<u32>,
    /// The window's first day (`YYYY-MM-DD`, WIB); absent: all.
    pub since: Option<String>,
    pub valid_reports: i64,
    pub over: bool,
}

/// The criticality key of a finding not assessed yet.
pub const UNASSESSED: &str = "unassessed";

/// The scorecard of the agency `code` for the period `query` names (its agency filter is
/// the path's), as `caller` may read it; a refusal is audited.
pub async fn scorecard(
    app: &App,
    caller: &Caller,
    code: &str,
    query: &StatsQuery,
    source: Option<String>,
) -> AppResult<Scorecard> {
    let result = async {
        let agency = readable_agency(app, caller, code).await?;
        let mut query = query.clone();
        query.agency = Some(agency.code.clone());
        if [&query.period, &query.from, &query.to]
            .iter()
            .all(|p| p.as_deref().is_none_or(|p| p.trim().is_empty()))
        {
            query.period = Some("year".into());
        }
        let mut question = read_question(app, &query).await?;
        question.scope.told_only = caller.role == Role::SystemOwner;
        card(app, &question, agency).await
    }
    .await;
    if let Err(e) = &result {
        audit::refused(app, caller, "read_scorecard", None, e, source).await;
    }
    result
}

/// The agency `code` if `caller` may read its scorecard: a system owner their own agency's
/// only (any other is not found, as another agency's ticket is).
async fn readable_agency(app: &App, caller: &Caller, code: &str) -> AppResult<AgencyRow> {
    let not_found = || AppError::NotFound("agency".into());
    let agency = app
        .store
        .find_agency(code.trim())
        .await?
        .ok_or_else(not_found)?;
    if caller.role == Role::SystemOwner && caller.agency_id != Some(agency.id) {
        return Err(not_found());
    }
    Ok(agency)
}

async fn card(app: &App, q: &Question, agency: AgencyRow) -> AppResult<Scorecard> {
    let s = &q.scope;
    let sections = [Section::Clock, Section::Blocking, Section::Remediation];
    // The figures, the findings, the letters and the rule's count side by side, each on
    // its own connection of the read pool.
    let (d, rows, letters, rule) = tokio::try_join!(
        figures_of(app, q, &sections),
        async { app.store.stats_findings(s).await.map_err(AppError::from) },
        letters(app, s),
        rule(app, s),
    )?;
    let submitted = d
        .clock
        .as_ref()
        .and_then(|c| c.steps.iter().find(|st| st.action == "submit_remediation"));
    let deadline_days = match app.rules.deadlines.remediating {
        Span::CalendarDays(days) | Span::WorkingDays(days) => days,
        Span::Hours(hours) => hours.div_ceil(24),
        Span::Minutes(minutes) => minutes.div_ceil(24 * 60),
    };
    Ok(Scorecard {
        agency: ScorecardAgency {
            code: agency.code,
            name: agency.name,
        },
        period: d.period.clone(),
        counted_at: d.counted_at.clone(),
        told_only: s.told_only,
        findings: findings(&rows),
        repeats: repeats(&rows),
        remediation: ScorecardRemediation {
            deadline_days,
            submitted: submitted.map_or(0, |st| st.done),
            within_deadline: submitted.map_or(0, |st| st.within),
            within_share: submitted.map_or(1.0, |st| st.within_share),
            reviews: d.remediation.clone().unwrap_or_default(),
        },
        letters,
        blocked_now: d
            .blocking
            .as_ref()
            .map(|b| b.blocked_now.clone())
            .unwrap_or_default(),
        rule,
    })
}

/// The findings of the period from the grouped rows.
pub fn findings(rows: &[FindingRow]) -> Findings {
    let mut criticality: BTreeMap<&str, i64> = BTreeMap::new();
    let mut systems: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let mut classes: BTreeMap<&str, i64> = BTreeMap::new();
    let mut total = 0;
    for r in rows.iter().filter(|r| r.in_period > 0) {
        total += r.in_period;
        let key = r.criticality.map_or(UNASSESSED, |c| c.as_str());
        *criticality.entry(key).or_default() += r.in_period;
        let system = systems
            .entry(r.system.as_deref().unwrap_or(figures::NO_AGENCY))
            .or_default();
        system.0 += r.in_period;
        if r.criticality == Some(Criticality::High) {
            system.1 += r.in_period;
        }
        let class = WeaknessClass::of_type(&r.vulnerability_type).as_str();
        *classes.entry(class).or_default() += r.in_period;
    }
    let mut by_system: Vec<SystemFindings> = systems
        .into_iter()
        .map(|(system, (findings, high))| SystemFindings {
            system: system.to_owned(),
            findings,
            high,
        })
        .collect();
    by_system.sort_by(|a, b| {
        b.findings
            .cmp(&a.findings)
            .then_with(|| a.system.cmp(&b.system))
    });
    let keys = [
        Criticality::High.as_str(),
        Criticality::Low.as_str(),
        UNASSESSED,
    ];
    Findings {
        total,
        by_criticality: keys
            .iter()
            .map(|k| Tally {
                key: (*k).to_owned(),
                count: criticality.get(k).copied().unwrap_or(0),
            })
            .collect(),
        by_system,
        by_class: figures::most_first(
            classes
                .into_iter()
                .map(|(key, count)| Tally {
                    key: key.to_owned(),
                    count,
                })
                .collect(),
        ),
    }
}

/// The weakness a finding is counted under: its CWE, or its OWASP class.
fn weakness(vulnerability_type: &str) -> (String, WeaknessClass) {
    let text = vulnerability_type.trim();
    let class = WeaknessClass::of_type(text);
    match text
        .strip_prefix("CWE-")
        .and_then(|n| n.parse::<u32>().ok())
    {
        Some(n) => (format!("CWE-{n}"), class),
        None => (class.as_str().to_owned(), class),
    }
}

/// The findings that came back on the same system with the same weakness.
pub fn repeats(rows: &[FindingRow]) -> Vec<RepeatFinding> {
    struct Seen<'a> {
        system: &'a str,
        class: WeaknessClass,
        in_period: i64,
        total: i64,
        first: i64,
        latest: i64,
    }
    let mut by: BTreeMap<(i64, String), Seen> = BTreeMap::new();
    for r in rows {
        let (Some(system_id), Some(system)) = (r.system_id, r.system.as_deref()) else {
            continue;
        };
        let (key, class) = weakness(&r.vulnerability_type);
        let seen = by.entry((system_id, key)).or_insert(Seen {
            system,
            class,
            in_period: 0,
            total: 0,
            first: r.first_at,
            latest: r.last_at,
        });
        seen.in_period += r.in_period;
        seen.total += r.total;
        seen.first = seen.first.min(r.first_at);
        seen.latest = seen.latest.max(r.last_at);
    }
    let day = |t: i64| {
        crate::from_millis(t)
            .with_timezone(&sigap_core::calendar::WIB)
            .date_naive()
            .to_string()
    };
    let mut out: Vec<RepeatFinding> = by
        .into_iter()
        .filter(|(_, s)| s.total >= 2 && s.in_period >= 1)
        .map(|((_, weakness), s)| RepeatFinding {
            system: s.system.to_owned(),
            weakness,
            class: s.class.as_str().to_owned(),
            in_period: s.in_period,
            total: s.total,
            first: day(s.first),
            latest: day(s.latest),
        })
        .collect();
    out.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then_with(|| a.system.cmp(&b.system))
            .then_with(|| a.weakness.cmp(&b.weakness))
    });
    out
}

async fn letters(app: &App, s: &StatsScope) -> AppResult<Letters> {
    let mut out = Letters::default();
    for row in app.store.stats_notice_steps(s).await? {
        if row.action == "send_follow_up" {
            out.follow_ups += 1;
            continue;
        }
        out.notices += 1;
        let records: serde_json::Value = serde_json::from_str(&row.records).unwrap_or_default();
        let recommendation = records
            .get("recommendation")
            .and_then(|r| r.as_str())
            .and_then(|r| r.parse::<Recommendation>().ok());
        match recommendation {
            Some(Recommendation::Warning) => out.warnings += 1,
            Some(Recommendation::Sanction) => out.sanctions += 1,
            _ => {}
        }
    }
    Ok(out)
}

async fn rule(app: &App, s: &StatsScope) -> AppResult<RuleCount> {
    let policy = app.policy().await?;
    let start = policy.approval_window_start(app.now());
    let count = app
        .store
        .stats_agency_reports(s, start.map_or(0, millis), 1)
        .await?
        .first()
        .map_or(0, |r| r.count);
    Ok(RuleCount {
        threshold: policy.approval_threshold,
        window_days: policy.approval_window_days,
        since: start.map(|t| {
            t.with_timezone(&sigap_core::calendar::WIB)
                .date_naive()
                .to_string()
        }),
        valid_reports: count,
        over: count > i64::from(policy.approval_threshold),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        system: i64,
        kind: &str,
        crit: Option<Criticality>,
        total: i64,
        in_period: i64,
    ) -> FindingRow {
        FindingRow {
            system_id: Some(system),
            system: Some(format!("sys{system}")),
            vulnerability_type: kind.to_owned(),
            criticality: crit,
            total,
            in_period,
            first_at: 1_000 * system,
            last_at: 2_000_000_000_000,
        }
    }

    #[test]
    fn repeats_are_the_same_system_and_weakness_found_again_in_the_period() {
        let rows = vec![
            // CWE-79 on system 1: once before the period, once in it, across criticalities.
            row(1, "CWE-79", Some(Criticality::High), 1, 0),
            row(1, "CWE-79", Some(Criticality::Low), 1, 1),
            // CWE-89 on system 1: once only.
            row(1, "CWE-89", Some(Criticality::High), 1, 1),
            // CWE-79 on system 2, twice but both before the period: not in it.
            row(2, "CWE-79", Some(Criticality::Low), 2, 0),
            // Words without a CWE: counted by class (both injection).
            row(3, "SQL injection", None, 1, 1),
            row(3, "XSS", None, 1, 1),
        ];
        let found = repeats(&rows);
        let keys: Vec<(&str, &str, i64, i64)> = found
            .iter()
            .map(|r| (r.system.as_str(), r.weakness.as_str(), r.total, r.in_period))
            .collect();
        assert_eq!(
            keys,
            vec![("sys1", "CWE-79", 2, 1), ("sys3", "a03_injection", 2, 2)]
        );
        let f = findings(&rows);
        assert_eq!(f.total, 4);
        let mix: Vec<(&str, i64)> = f
            .by_criticality
            .iter()
            .map(|t| (t.key.as_str(), t.count))
            .collect();
        assert_eq!(mix, vec![("high", 1), ("low", 1), ("unassessed", 2)]);
        assert_eq!(
            (
                f.by_system[0].system.as_str(),
                f.by_system[0].findings,
                f.by_system[0].high
            ),
            ("sys1", 2, 1)
        );
    }
}
