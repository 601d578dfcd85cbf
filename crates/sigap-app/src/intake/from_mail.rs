//! A report the help desk accepts from received mail (`crate::inbox::desk`): entered as
//! any report is, and the message marked accepted in the ticket's own transaction.

use sigap_store::Tx;

use crate::evidence::Upload;
use crate::intake::{EnterReportRequest, Intake, ReportRequest};
use crate::views::SubmittedReport;
use crate::{App, AppError, AppResult};

/// Receives a report the help desk accepts from received mail message `inbound_id` (see
/// `crate::inbox::desk`), as [`enter_report`] does; the message is marked accepted in the
/// same transaction, so that it becomes one ticket or none.
pub(crate) async fn enter_from_mail(
    app: &App,
    request: &EnterReportRequest,
    uploads: &[Upload],
    intake: Intake<'_>,
    inbound_id: i64,
) -> AppResult<SubmittedReport> {
    super::opened(
        super::receive(
            app,
            &request.report,
            Some(&request.channel),
            uploads,
            intake,
            None,
            Some(inbound_id),
        )
        .await?,
    )
}

/// Receives a complete report from received mail message `inbound_id` without the help
/// desk (`SIGAP_EMAIL_AUTO_ACCEPT=on`): as a public report is, through e-mail, counted
/// against the hourly limits of its sender's address (`intake.source`); the message is
/// marked accepted in the same transaction.
pub(crate) async fn enter_mailed_report(
    app: &App,
    request: &ReportRequest,
    uploads: &[Upload],
    intake: Intake<'_>,
    inbound_id: i64,
) -> AppResult<SubmittedReport> {
    super::opened(
        super::receive(app, request, None, uploads, intake, None, Some(inbound_id)).await?,
    )
}

/// Marks received mail message `inbound_id` accepted as ticket `ticket_id`; refused when it
/// was decided meanwhile (the transaction then writes nothing).
pub(super) async fn accept(
    tx: &mut Tx,
    intake: &Intake<'_>,
    inbound_id: i64,
    ticket_id: i64,
    now: i64,
) -> AppResult<()> {
    let decided = tx
        .decide_inbound(&sigap_store::InboundDecision {
            id: inbound_id,
            status: "accepted",
            ticket_id: Some(ticket_id),
            decided_by: intake.staff.map(|s| s.user_id),
            discard_reason: None,
            now,
        })
        .await?;
    if decided {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "the message was decided meanwhile".to_owned(),
        ))
    }
}
