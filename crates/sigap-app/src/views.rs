//! What the use cases answer: typed, serialisable views, each described for the OpenAPI
//! document. Times are RFC 3339 in UTC; clients show them in WIB.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sigap_core::{
    Action, Author, Channel, Criticality, DocumentKind, Role, Severity, State, Tlp, Visibility,
};
use sigap_store::{CommentRow, EvidenceRow};
use utoipa::ToSchema;

use crate::from_millis;

/// The answer to a submitted report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SubmittedReport {
    /// The ticket number (*nomor tiket*), e.g. `BCSIRT-2026-00001`.
    pub ticket_number: String,
    /// The reporter's private tracking token; shown once, stored hashed.
    pub tracking_token: String,
    /// A link to the tracking page.
    pub tracking_url: String,
    #[schema(value_type = String)]
    pub state: State,
}

/// An agency reference.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AgencyRef {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// A system reference, with how the system is classed for the national rules.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SystemRef {
    pub id: i64,
    pub name: String,
    /// Vital information infrastructure (IIV, Perpres 82/2022).
    #[serde(default)]
    pub iiv: bool,
    /// *Kategori sistem elektronik*: `strategis`, `tinggi` or `rendah`; absent: not classed.
    #[serde(default)]
    pub category: Option<String>,
}

/// The deadline of the current step.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Deadline {
    pub due_at: DateTime<Utc>,
    pub overdue: bool,
    /// Not yet overdue, but in the step's last quarter or its last hour.
    #[serde(default)]
    pub due_soon: bool,
}

/// A CVSS score as given by the reporter or the CSIRT.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CvssView {
    pub vector: String,
    pub score: f64,
}

/// What the reporter sent.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportView {
    /// Hidden from system owners (personal data of the reporter).
    pub reporter_name: Option<String>,
    pub reporter_email: Option<String>,
    pub reporter_phone: Option<String>,
    #[schema(value_type = String)]
    pub severity: Severity,
    pub vulnerability_type: String,
    pub target: String,
    pub target_host: String,
    pub title: String,
    pub description: String,
    pub proof_of_concept: String,
    pub evidence_text: Option<String>,
    pub cvss: Option<CvssView>,
}

/// One step done, as the timeline shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    #[schema(value_type = String)]
    pub action: Action,
    #[schema(value_type = String)]
    pub from_state: State,
    #[schema(value_type = String)]
    pub to_state: State,
    pub round: i64,
    #[schema(value_type = String)]
    pub actor_role: Role,
    pub actor_name: Option<String>,
    /// The records written by the step.
    #[schema(value_type = Object)]
    pub records: serde_json::Value,
    pub due_at: Option<DateTime<Utc>>,
    /// Whether the step was done after its deadline.
    pub overdue: bool,
}

/// A comment or message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CommentView {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// `staff` or `reporter`.
    #[schema(value_type = String)]
    pub author_kind: Author,
    pub author_name: Option<String>,
    #[schema(value_type = String)]
    pub visibility: Visibility,
    pub body: String,
}

/// An evidence file's metadata.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EvidenceView {
    pub id: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
    /// When the file was destroyed at the end of its retention period: it is listed, with
    /// its SHA-256, but can no longer be downloaded.
    #[serde(default)]
    pub destroyed_at: Option<DateTime<Utc>>,
}

/// An issued official document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DocumentView {
    pub id: i64,
    #[schema(value_type = String)]
    pub kind: DocumentKind,
    pub number: String,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
    pub verify_code: String,
    /// The document this one corrects, when it is a corrected version.
    #[serde(default)]
    pub replaces_id: Option<i64>,
    /// Signed copies uploaded back after a certified electronic signature, oldest first.
    #[serde(default)]
    pub signed_copies: Vec<SignedCopyView>,
}

/// A signed copy of a document, kept beside the original.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignedCopyView {
    pub id: i64,
    pub sha256: String,
    pub size: i64,
    pub note: Option<String>,
    pub uploaded_by: Option<String>,
    pub uploaded_at: DateTime<Utc>,
    /// The signature, when sigap made it (none for a copy uploaded by hand).
    pub signature: Option<SignatureView>,
}

/// A signature made from sigap on a signed copy.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignatureView {
    /// `local` (the office's own CA) or `bsre` (BSrE).
    pub method: String,
    /// The signer's e-mail.
    pub signer: Option<String>,
    pub certificate_subject: String,
    pub certificate_issuer: String,
    /// The certificate's serial number in hex.
    pub certificate_serial: String,
    /// The PAdES level: `B-B`, or `B-T` with a timestamp.
    pub level: String,
}

/// A ticket as staff see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TicketView {
    pub number: String,
    /// The state's snake_case name (`remediating`).
    #[schema(value_type = String)]
    pub state: State,
    /// The state in plain Indonesian.
    pub state_label: String,
    /// The SOP step that must happen next, when there is one.
    pub sop_step: Option<u8>,
    #[schema(value_type = String)]
    pub channel: Channel,
    /// `high` or `low`, once assessed.
    #[schema(value_type = Option<String>)]
    pub criticality: Option<Criticality>,
    /// Whether this ticket holds a block on its system.
    pub blocked: bool,
    pub valid: Option<bool>,
    pub round: i64,
    #[schema(value_type = String)]
    pub tlp: Tlp,
    pub agency: Option<AgencyRef>,
    pub system: Option<SystemRef>,
    pub duplicate_of: Option<String>,
    pub assignee: Option<String>,
    pub deadline: Option<Deadline>,
    /// The actions the caller may perform now.
    #[schema(value_type = Vec<String>)]
    pub allowed_actions: Vec<Action>,
    pub report: ReportView,
    pub timeline: Vec<TimelineEntry>,
    pub comments: Vec<CommentView>,
    pub evidence: Vec<EvidenceView>,
    pub documents: Vec<DocumentView>,
    /// The clock of UU PDP Pasal 46, when the finding exposed personal data.
    #[serde(default)]
    pub personal_data: Option<PersonalDataView>,
    /// The report to the sectoral CSIRT of Peraturan BSSN 1/2024, when the ticket is of
    /// high risk.
    #[serde(default)]
    pub sectoral_report: Option<SectoralReportView>,
    /// What retention has done to the ticket, and its legal hold.
    #[serde(default)]
    pub retention: RetentionView,
    /// The reporter's requests made with the tracking token (download, correction,
    /// erasure), for the staff who may know the reporter.
    #[serde(default)]
    pub reporter_requests: Vec<ReporterRequestView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A ticket's clock of UU PDP Pasal 46: the agency must notify the data subjects and the
/// authority within the hours of the `law` settings (3×24 by default).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PersonalDataView {
    pub started_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// `assessment` (the criticality minutes) or `staff` (recorded later, with a reason).
    pub source: String,
    pub reason: Option<String>,
    /// Who recorded it.
    pub recorded_by: String,
    /// `running`, `overdue`, `met` or `late`.
    #[schema(value_type = String)]
    pub status: sigap_core::pdp::ClockStatus,
    pub status_label: String,
    /// The later notice's time, once both are recorded.
    pub stopped_at: Option<DateTime<Utc>>,
    pub notices: Vec<PersonalDataNoticeView>,
    /// The recipients (`subjects`, `authority`) whose notice is not recorded yet.
    #[schema(value_type = Vec<String>)]
    pub missing: Vec<sigap_core::pdp::NoticeRecipient>,
}

/// A ticket's report to the sectoral CSIRT ("lapor ke CSIRT sektoral", Peraturan BSSN
/// 1/2024), with the national CSIRT in copy.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SectoralReportView {
    /// Why: `high`, `personal_data`, `iiv`.
    #[schema(value_type = Vec<String>)]
    pub reasons: Vec<sigap_core::bssn::Reason>,
    pub started_at: DateTime<Utc>,
    /// 1×24 hours for an IIV system, the `law` section's hours for the others.
    pub due_at: DateTime<Utc>,
    /// `running`, `overdue`, `met` or `late`.
    #[schema(value_type = String)]
    pub status: sigap_core::pdp::ClockStatus,
    pub status_label: String,
    pub sent_at: Option<DateTime<Utc>>,
    /// `portal`, `email`, `letter`, `phone` or `other`.
    #[schema(value_type = Option<String>)]
    pub channel: Option<sigap_core::bssn::ReportChannel>,
    /// The recipient's reference number.
    pub reference: Option<String>,
    pub recipient: Option<String>,
    pub recorded_by: Option<String>,
    /// The SHA-256 of the STIX 2.1 bundle issued with the latest report prepared
    /// (`GET …/sectoral-report/bundle`); the report itself is among the ticket's documents
    /// (`sectoral_report`) for those who may read it.
    pub bundle_sha256: Option<String>,
}

/// What retention has done to a ticket, and its hold.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct RetentionView {
    /// When the reporter's contact data were anonymised at the end of their period.
    pub contact_removed_at: Option<DateTime<Utc>>,
    pub legal_hold: Option<LegalHoldView>,
}

/// A ticket's legal hold.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LegalHoldView {
    pub reason: String,
    pub set_by: String,
    pub set_at: DateTime<Utc>,
}

/// A reporter's request, as the help desk sees it on the ticket.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReporterRequestView {
    /// `export`, `correction` or `erasure`.
    pub kind: String,
    pub kind_label: String,
    pub requested_at: DateTime<Utc>,
    /// When it took effect; none for an erasure waiting for the ticket's end.
    pub applied_at: Option<DateTime<Utc>>,
}

/// A notice the agency recorded on the clock.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PersonalDataNoticeView {
    /// `subjects` or `authority`.
    #[schema(value_type = String)]
    pub recipient: sigap_core::pdp::NoticeRecipient,
    pub recipient_label: String,
    pub notified_at: DateTime<Utc>,
    /// `letter`, `email`, `sms`, `website` or `other`.
    #[schema(value_type = String)]
    pub channel: sigap_core::pdp::NoticeChannel,
    pub channel_label: String,
    pub note: Option<String>,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    /// Whether it was given by the deadline.
    pub on_time: bool,
}

/// A ticket in the queue.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TicketSummary {
    pub number: String,
    #[schema(value_type = String)]
    pub state: State,
    pub state_label: String,
    pub title: String,
    #[schema(value_type = String)]
    pub severity: Severity,
    #[schema(value_type = Option<String>)]
    pub criticality: Option<Criticality>,
    pub blocked: bool,
    pub agency: Option<String>,
    pub system: Option<String>,
    pub target_host: String,
    pub deadline: Option<Deadline>,
    pub created_at: DateTime<Utc>,
    /// The name of the staff member the ticket is assigned to.
    pub assignee: Option<String>,
    pub updated_at: DateTime<Utc>,
    /// Something new for the caller since they last opened the ticket's page: never
    /// opened, or a comment they may read, a file or a document since.
    #[serde(default)]
    pub unread: bool,
}

/// A short notice to a system owner that their agency's system is blocked by a ticket the
/// agency has not yet been told of (SOP step 5 before step 6): the system and the time of
/// the block, nothing of the report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BlockNotice {
    pub system: String,
    pub blocked_at: DateTime<Utc>,
}

/// A page of the queue; pass `next_cursor` as `cursor` for the next page.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TicketPage {
    pub items: Vec<TicketSummary>,
    pub next_cursor: Option<String>,
    /// How many tickets the filters select over all pages, counted up to 10,000 (10,000
    /// means at least that many); absent for a search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

/// One entry of the reporter's public timeline.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PublicTimelineEntry {
    pub at: DateTime<Utc>,
    /// What happened: `received` for the report itself, else the step's action
    /// (`validate`, `block`, …).
    pub event: String,
    /// Whether a `validate` step found the report valid (absent for other events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<bool>,
    /// The state the ticket went to.
    #[schema(value_type = String)]
    pub state: State,
    pub state_label: String,
}

/// The ticket as its reporter sees it with the tracking token.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReporterView {
    pub ticket_number: String,
    #[schema(value_type = String)]
    pub state: State,
    pub state_label: String,
    pub open: bool,
    pub title: String,
    pub submitted_at: DateTime<Utc>,
    pub timeline: Vec<PublicTimelineEntry>,
    /// Messages from the CSIRT to the reporter and from the reporter.
    pub messages: Vec<CommentView>,
    pub evidence: Vec<EvidenceView>,
    /// Why the report was not accepted, when it was rejected (as the CSIRT wrote it for
    /// the reporter).
    pub rejection_reason: Option<String>,
    /// Whether the reporter may still send the one message that contests the rejection.
    pub may_contest: bool,
}

/// A registered agency.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AgencyView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub email: Option<String>,
    /// The agency head's address, told when a remediation is overdue.
    pub head_email: Option<String>,
    /// Taken out of service: its tickets go on, but no new report, system or system-owner
    /// account is given to it.
    pub disabled: bool,
}

/// A registered electronic system.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SystemView {
    pub id: i64,
    pub agency: String,
    pub name: String,
    pub domains: Vec<String>,
    /// Blocked by the SOP (step 5) until the block is lifted.
    pub suspended: bool,
    pub blocking_adapter: String,
    /// Taken out of service by an admin: its tickets go on, but no new report is matched
    /// to it and a validation may not name it.
    pub disabled: bool,
    /// Vital information infrastructure (IIV, Perpres 82/2022).
    pub iiv: bool,
    /// *Kategori sistem elektronik* (Permenkominfo 4/2016): `strategis`, `tinggi` or
    /// `rendah`; absent: not classed yet.
    pub category: Option<String>,
}

/// A staff user.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[schema(value_type = String)]
    pub role: Role,
    pub agency: Option<String>,
    pub disabled: bool,
}

/// A user created, with the password when it was generated (shown once).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedUser {
    pub user: UserView,
    pub password: Option<String>,
}

/// A count under a key.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Count {
    pub key: Option<String>,
    pub count: i64,
}

/// Ticket statistics within the caller's scope.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    pub total: i64,
    pub by_state: Vec<Count>,
    pub by_criticality: Vec<Count>,
    pub by_agency: Vec<Count>,
    pub by_vulnerability_type: Vec<Count>,
    /// Per SOP step: SLA compliance and mean time.
    pub steps: Vec<StepStats>,
}

/// How one kind of step went against its deadline.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StepStats {
    pub action: String,
    pub count: i64,
    /// Done after the step's deadline.
    pub overdue: i64,
    /// Share done in time, 0 to 1.
    pub sla_met_ratio: f64,
    /// Mean time from the step's start (the previous step done) to done, in hours.
    pub mean_hours: f64,
}

/// A ticket waiting for the Regional Secretary's approval of reactivation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PendingApproval {
    pub number: String,
    pub title: String,
    pub agency: Option<AgencyRef>,
    pub system: Option<String>,
    /// The agency's valid reports the rule counted at the internal meeting.
    pub agency_valid_reports: Option<i64>,
    /// Approval is needed when the count is more than this.
    pub threshold: i64,
    /// When the internal meeting counted them.
    pub reviewed_at: Option<DateTime<Utc>>,
    pub deadline: Option<Deadline>,
    /// The agency's other tickets, newest first.
    pub history: Vec<TicketSummary>,
}

/// A stored comment as readers see it.
pub(crate) fn comment_view(c: CommentRow) -> CommentView {
    CommentView {
        id: c.id,
        at: from_millis(c.created_at),
        author_kind: c.author_kind,
        author_name: c.author_name,
        visibility: c.visibility,
        body: c.body,
    }
}

/// A stored file's metadata as readers see it.
pub(crate) fn evidence_view(e: EvidenceRow) -> EvidenceView {
    EvidenceView {
        id: e.id,
        name: e.original_name,
        media_type: e.media_type,
        size: e.size,
        sha256: e.sha256,
        created_at: from_millis(e.created_at),
        destroyed_at: e.destroyed_at.map(from_millis),
    }
}
