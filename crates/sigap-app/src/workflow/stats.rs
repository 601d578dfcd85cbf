//! Counts of tickets within the caller's scope, for the dashboard and reports.

use sigap_store::{CountBy, TicketScope};

use crate::auth::Caller;
use crate::views::{Count, Stats, StepStats};
use crate::{App, AppResult};

async fn counts(app: &App, by: CountBy, scope: TicketScope) -> AppResult<Vec<Count>> {
    let rows = app.store.count_tickets_by(by, scope).await?;
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
    let scope = caller.ticket_scope();
    let by_state = counts(app, CountBy::State, scope).await?;
    Ok(Stats {
        total: by_state.iter().map(|c| c.count).sum(),
        by_state,
        by_criticality: counts(app, CountBy::Criticality, scope).await?,
        by_agency: counts(app, CountBy::Agency, scope).await?,
        by_vulnerability_type: counts(app, CountBy::VulnerabilityType, scope).await?,
        steps: step_stats(app, scope).await?,
    })
}

/// Tickets by state over every agency, for the operators' metrics (no caller: the
/// metrics endpoint has its own token check).
pub async fn tickets_by_state(app: &App) -> AppResult<Vec<Count>> {
    counts(app, CountBy::State, TicketScope::default()).await
}

async fn step_stats(app: &App, scope: TicketScope) -> AppResult<Vec<StepStats>> {
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
