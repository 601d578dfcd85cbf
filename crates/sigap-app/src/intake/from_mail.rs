//! A report the help desk accepts from received mail (`crate::inbox::desk`): entered as
//! any report is, and the message marked accepted in the ticket's own transaction.

use crate::evidence::Upload;
use crate::intake::{EnterReportRequest, Intake, ReportRequest};
use crate::views::SubmittedReport;
use crate::{App, AppResult};

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
