//! Counts of tickets within the caller's scope, for the dashboard and reports.

use crate::auth::Caller;
use crate::views::{Count, Stats, StepStats};
use crate::{App, AppResult};

async fn counts(app: &App, column: &str, scope: Option<i64>) -> AppResult<Vec<Count>> {
    let rows = app.store.count_tickets_by(column, scope).await?;
    Ok(rows
        .into_iter()
        .map(|r| Count {
            key: r.key,
            count: r.count,
        })
        .collect())
}

/// Ticket counts by state, criticality, agency and vulnerability type.
pub async fn stats(app: &App, caller: &Caller) -> AppResult<Stats> {
    let scope = caller.scope();
    let by_state = counts(app, "state", scope).await?;
    Ok(Stats {
        total: by_state.iter().map(|c| c.count).sum(),
        by_state,
        by_criticality: counts(app, "criticality", scope).await?,
        by_agency: counts(app, "agency", scope).await?,
        by_vulnerability_type: counts(app, "vulnerability_type", scope).await?,
        steps: step_stats(app, scope).await?,
    })
}

async fn step_stats(app: &App, scope: Option<i64>) -> AppResult<Vec<StepStats>> {
    let rows = app.store.step_stats(scope).await?;
    Ok(rows
        .into_iter()
        .map(|r| StepStats {
            sla_met_ratio: if r.count > 0 {
                (r.count - r.overdue) as f64 / r.count as f64
            } else {
                1.0
            },
            mean_hours: r.mean_ms.unwrap_or(0.0) / 3_600_000.0,
            action: r.action,
            count: r.count,
            overdue: r.overdue,
        })
        .collect())
}
