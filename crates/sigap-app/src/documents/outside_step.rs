//! Documents issued outside a step, in the caller's transaction, numbered and rendered as
//! every document is: the notices of UU PDP Pasal 46 (`pdp_notice_subjects`,
//! `pdp_notice_authority`, built by `workflow::pdp_notices` from the agency's draft) and
//! the report of Peraturan BSSN 1/2024 to the sectoral CSIRT (`sectoral_report`, built by
//! `workflow::sectoral_document`).

use chrono::{DateTime, Utc};
use sigap_naskah::Body;
use sigap_store::{DocumentRow, TicketRow, Tx};

use crate::auth::Caller;
use crate::documents::{Issue, issue_one};
use crate::{App, AppResult, Policy};

/// Numbers, renders, stores and records `body` of ticket `row` (whose TLP label the
/// document prints) inside `tx`, signed as its kind's settings say or by `caller`;
/// `replaces` names the document it supersedes (its id and number).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn issue(
    app: &App,
    policy: &Policy,
    tx: &mut Tx,
    row: &TicketRow,
    caller: &Caller,
    body: Body,
    now: DateTime<Utc>,
    replaces: Option<(i64, String)>,
) -> AppResult<DocumentRow> {
    let doc = Issue {
        policy,
        kind: body.kind(),
        row,
        caller: Some(caller),
        evidence: Vec::new(),
        now,
        replaces,
        step_id: None,
        preview: None,
    };
    issue_one(app, tx, doc, body).await
}
