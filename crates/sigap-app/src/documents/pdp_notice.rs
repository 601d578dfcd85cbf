//! The notices of UU PDP Pasal 46 (`pdp_notice_subjects`, `pdp_notice_authority`) issued
//! outside a step, in the caller's transaction, numbered and rendered as every document
//! is; `workflow::pdp_notices` builds their text from the agency's draft.

use chrono::{DateTime, Utc};
use sigap_naskah::Body;
use sigap_store::{DocumentRow, TicketRow, Tx};

use crate::auth::Caller;
use crate::documents::{Issue, issue_one};
use crate::{App, AppResult, Policy};

/// Numbers, renders, stores and records the notice `body` of ticket `row` (whose TLP label
/// the document prints) inside `tx`, signed as its kind's settings say or by `caller`.
pub(crate) async fn issue(
    app: &App,
    policy: &Policy,
    tx: &mut Tx,
    row: &TicketRow,
    caller: &Caller,
    body: Body,
    now: DateTime<Utc>,
) -> AppResult<DocumentRow> {
    let doc = Issue {
        policy,
        kind: body.kind(),
        row,
        caller: Some(caller),
        evidence: Vec::new(),
        now,
        replaces: None,
        step_id: None,
        preview: None,
    };
    issue_one(app, tx, doc, body).await
}
