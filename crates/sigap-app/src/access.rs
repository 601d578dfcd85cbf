//! Who may reach a ticket: staff by their role and agency ([`visible_ticket`]: another
//! agency's ticket is "not found", as is a malformed number), the reporter by the tracking
//! token ([`reporter_ticket`]), and the facts the workflow decides on, read from the row
//! ([`facts_of`]). Every use case that opens a ticket starts here; this module names no
//! other use case.

use sigap_core::{TicketFacts, TicketNumber, can_see};
use sigap_store::TicketRow;

use crate::auth::{Caller, token_matches};
use crate::{App, AppError, AppResult};

/// The facts the workflow decides on.
pub fn facts_of(row: &TicketRow) -> AppResult<TicketFacts> {
    Ok(TicketFacts {
        state: row.state,
        agency_id: row.agency_id,
        system_id: row.system_id,
        blocked: row.blocked,
        criticality: row.criticality,
        round: u32::try_from(row.round).unwrap_or(1),
    })
}

/// Parses a ticket number from a path; a malformed one is simply not found.
pub fn parse_number(number: &str) -> AppResult<TicketNumber> {
    TicketNumber::parse(number).map_err(|_| AppError::NotFound("ticket".to_owned()))
}

/// The ticket row, if the caller may see it.
pub async fn visible_ticket(
    app: &App,
    caller: &Caller,
    number: &str,
) -> AppResult<(TicketRow, TicketFacts)> {
    let number = parse_number(number)?;
    let row = app
        .store
        .get_ticket(number.as_str())
        .await?
        .ok_or(AppError::NotFound("ticket".into()))?;
    let facts = facts_of(&row)?;
    if can_see(&caller.actor(), &facts) {
        Ok((row, facts))
    } else {
        Err(AppError::NotFound("ticket".into()))
    }
}

/// The ticket behind a number and tracking token; any mismatch is "not found".
pub(crate) async fn reporter_ticket(app: &App, number: &str, token: &str) -> AppResult<TicketRow> {
    let not_found = || AppError::NotFound("ticket".to_owned());
    let number = TicketNumber::parse(number).map_err(|_| not_found())?;
    let row = app
        .store
        .get_ticket(number.as_str())
        .await?
        .ok_or_else(not_found)?;
    if token_matches(token, &row.tracking_token_hash) {
        Ok(row)
    } else {
        Err(not_found())
    }
}
