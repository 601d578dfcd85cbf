//! Rows as they come out of the database, and the values that go in. A ticket's state and
//! criticality, a step's action, role and states, a comment's visibility, a user's role and
//! a document's kind and a job's state come out as `sigap_core` types (an unknown stored word is a decoding
//! error that names its column); the other enums are still kept as their text names, which
//! the application parses.

use serde::Serialize;
use sigap_core::{
    Action, Author, Channel, Criticality, DocumentKind, JobKind, JobState, Role, Severity, State,
    Tlp, Visibility,
};

/// A registered regional agency (*Perangkat Daerah*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AgencyRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub email: Option<String>,
    pub head_email: Option<String>,
    /// Taken out of service by an admin: kept on record, offered for nothing new.
    pub disabled: bool,
    pub created_at: i64,
}

/// An electronic system and the agency that owns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SystemRow {
    pub id: i64,
    pub agency_id: i64,
    pub agency_code: String,
    pub name: String,
    pub suspended: bool,
    pub blocking_adapter: String,
    pub blocking_params: String,
    /// Taken out of service by an admin: kept on record, matched to no new report.
    pub disabled: bool,
    pub created_at: i64,
    /// Vital information infrastructure (IIV).
    pub iiv: bool,
    /// The risk category (`strategis`, `tinggi`, `rendah`); `None`: not classed.
    pub category: Option<String>,
}

/// One domain of a system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DomainRow {
    pub system_id: i64,
    pub domain: String,
}

/// A staff user.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub agency_id: Option<i64>,
    pub agency_code: Option<String>,
    pub password_hash: Option<String>,
    pub disabled: bool,
    pub created_at: i64,
    /// When the password was last set (the creation for one set before this was kept).
    pub password_set_at: i64,
}

/// What a new ticket starts with.
#[derive(Debug, Clone)]
pub struct NewTicket<'a> {
    pub number: &'a str,
    pub year: i64,
    pub seq: i64,
    pub state: &'a str,
    pub channel: &'a str,
    pub agency_id: Option<i64>,
    pub system_id: Option<i64>,
    pub created_by: Option<i64>,
    pub tracking_token_hash: &'a str,
    pub due_at: Option<i64>,
    pub now: i64,
}

/// What the reporter sent.
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    pub reporter_name: &'a str,
    pub reporter_email: &'a str,
    pub reporter_phone: Option<&'a str>,
    pub severity: &'a str,
    pub vulnerability_type: &'a str,
    pub target_url: &'a str,
    pub target_host: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub proof_of_concept: &'a str,
    pub evidence_text: Option<&'a str>,
    pub cvss_vector: Option<&'a str>,
    pub cvss_score: Option<f64>,
    pub language: &'a str,
    /// `name`, `alias` or `anonymous`.
    pub credit: &'a str,
    pub credit_alias: Option<&'a str>,
}

/// A ticket with its report and the names of its agency and system.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TicketRow {
    pub id: i64,
    pub number: String,
    pub state: State,
    pub channel: Channel,
    pub agency_id: Option<i64>,
    pub agency_code: Option<String>,
    pub agency_name: Option<String>,
    pub system_id: Option<i64>,
    pub system_name: Option<String>,
    /// Whether the ticket's system is vital information infrastructure.
    pub system_iiv: bool,
    /// The risk category of the ticket's system, when classed.
    pub system_category: Option<String>,
    pub criticality: Option<Criticality>,
    pub valid: Option<bool>,
    pub blocked: bool,
    pub round: i64,
    pub tlp: Tlp,
    pub duplicate_of: Option<String>,
    pub assignee_email: Option<String>,
    pub tracking_token_hash: String,
    pub state_entered_at: i64,
    pub due_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    pub reporter_name: String,
    pub reporter_email: String,
    pub reporter_phone: Option<String>,
    pub severity: Severity,
    pub vulnerability_type: String,
    pub target_url: String,
    pub target_host: String,
    pub title: String,
    pub description: String,
    pub proof_of_concept: String,
    pub evidence_text: Option<String>,
    pub cvss_vector: Option<String>,
    pub cvss_score: Option<f64>,
    pub language: String,
    pub credit: String,
    pub credit_alias: Option<String>,
}

impl TicketRow {
    /// The name the reporter agreed to be credited with, if any.
    pub fn credit_name(&self) -> Option<String> {
        match self.credit.as_str() {
            "name" => Some(self.reporter_name.clone()),
            "alias" => self.credit_alias.clone().filter(|a| !a.trim().is_empty()),
            _ => None,
        }
    }
}

/// A ticket as the queue shows it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TicketListRow {
    pub id: i64,
    pub number: String,
    pub state: State,
    /// How the report arrived.
    pub channel: Channel,
    pub agency_code: Option<String>,
    pub system_name: Option<String>,
    pub criticality: Option<Criticality>,
    pub blocked: bool,
    /// The remediation round (1, then one more per "Belum").
    pub round: i64,
    pub tlp: Tlp,
    pub severity: Severity,
    /// As the report gave it: `CWE-89`, or a short name.
    pub vulnerability_type: String,
    pub title: String,
    pub target_host: String,
    pub due_at: Option<i64>,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    /// When the ticket entered its state (the block's time, for a block notice).
    pub state_entered_at: i64,
    pub updated_at: i64,
    /// The staff member the ticket is assigned to, with their name.
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
}

/// A ticket number asked for in the queue's search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberMatch {
    /// The whole number, as stored (`BCSIRT-2026-00005`).
    Exact(String),
    /// The sequence number within its year.
    Sequence(i64),
}

/// The tickets a reader may count: all, or one agency's, and for its system owners only
/// those the agency has been told of (`sigap_core::agency_told`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TicketScope {
    pub agency_id: Option<i64>,
    pub told_only: bool,
}

/// The SQL list of the states whose agency has been told, for `t.state IN (…)`; the
/// words come from the vocabulary, never from input.
pub(crate) fn told_states_sql() -> String {
    let states: Vec<String> = State::ALL
        .iter()
        .filter(|s| sigap_core::agency_told(**s))
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    format!("({})", states.join(", "))
}

/// The order of the queue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueSort {
    /// Newest first (keyset paging by id).
    #[default]
    Newest,
    /// The nearest deadline first; ended tickets, which have none, last.
    Deadline,
    /// The most recently changed first.
    Updated,
    /// High, then low, then not yet assessed; by deadline within each.
    Criticality,
}

/// Whose tickets, by assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// Assigned to this user.
    Is(i64),
    /// Assigned to this user or to no one.
    IsOrNobody(i64),
    /// Assigned to no one.
    Nobody,
}

/// The states that are not ended, as an SQL list: the open tickets, named so that an index
/// led by the state can answer.
pub(crate) fn open_states_sql() -> String {
    let states: Vec<String> = State::ALL
        .iter()
        .filter(|s| !s.is_terminal())
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    format!("({})", states.join(", "))
}

/// The SQL list of the states in which a ticket has ended.
pub(crate) fn ended_states_sql() -> String {
    let states: Vec<String> = State::ALL
        .iter()
        .filter(|s| s.is_terminal())
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    format!("({})", states.join(", "))
}

/// The full-text index a search's words are looked up in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TextIndex {
    /// What the reporter wrote: the title, description, proof of concept and target.
    #[default]
    Report,
    /// Who reported: the reporter's name and e-mail address. Only for the roles that may
    /// learn who reported (`sigap_core::sees_reporter`).
    Reporter,
}

/// Filters of the ticket queue. `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    /// Only this agency's tickets (a system owner's scope, or an explicit filter).
    pub agency_id: Option<i64>,
    /// Only tickets the agency has been told of (`sigap_core::agency_told`): a system
    /// owner's scope.
    pub told_only: bool,
    pub state: Option<State>,
    pub criticality: Option<Criticality>,
    /// Only tickets that arrived through this channel.
    pub channel: Option<Channel>,
    /// Only tickets of this vulnerability class (OWASP Top 10 2021).
    pub weakness_class: Option<sigap_core::WeaknessClass>,
    /// Only tickets created at or after this instant (UTC milliseconds).
    pub created_from: Option<i64>,
    /// Only tickets created before this instant (UTC milliseconds).
    pub created_before: Option<i64>,
    /// Only open tickets whose deadline is before this instant.
    pub overdue_at: Option<i64>,
    /// Full-text words; every word must match as a word's start.
    pub words: Vec<String>,
    /// The index `words` are looked up in.
    pub words_in: TextIndex,
    /// Only the ticket with this number, or the tickets with this sequence number in any
    /// year (`00005` finds `BCSIRT-2025-00005` and `BCSIRT-2026-00005`).
    pub number: Option<NumberMatch>,
    /// Only tickets whose next step is one of these (`Some(vec![])`: none at all).
    pub turns: Option<Vec<sigap_core::Turn>>,
    pub assignee: Option<AssigneeFilter>,
    /// Leave out the tickets that have ended (closed, rejected, duplicate).
    pub open_only: bool,
    /// `Some(true)`: only tickets with a deadline (ordered by it alone under
    /// [`QueueSort::Deadline`], along the `(state, due_at, id)` index); `Some(false)`: only
    /// those without (by id).
    pub due_set: Option<bool>,
    pub sort: QueueSort,
    /// Keyset: only tickets with an id below this one (newest first only).
    pub before_id: Option<i64>,
    /// Rows to skip, for the orders other than newest first.
    pub offset: i64,
    pub limit: i64,
}

/// Filters of the audit log. `None` means "any"; text filters match whole values.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub ticket_number: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    /// Entries at or after this instant (UTC milliseconds).
    pub from: Option<i64>,
    /// Entries before this instant (UTC milliseconds).
    pub until: Option<i64>,
    /// Keyset: only entries numbered below this one (newest first).
    pub before_seq: Option<i64>,
    /// Keyset: only entries numbered above this one, oldest first (exports).
    pub after_seq: Option<i64>,
    pub limit: i64,
}

/// The worker's last check of the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditWatchRow {
    pub checked_at: i64,
    /// The last entry the check reached (intact up to here when `intact`).
    pub checked_seq: i64,
    pub intact: bool,
    pub broken_seq: Option<i64>,
    pub reason: Option<String>,
    /// The break the admins were last mailed about.
    pub alerted_seq: Option<i64>,
}

/// The changes an action makes to a ticket row.
#[derive(Debug, Clone)]
pub struct TicketUpdate<'a> {
    pub id: i64,
    pub state: &'a str,
    pub agency_id: Option<i64>,
    pub system_id: Option<i64>,
    pub criticality: Option<&'a str>,
    pub valid: Option<bool>,
    pub blocked: bool,
    pub round: i64,
    pub duplicate_of: Option<&'a str>,
    pub state_entered_at: i64,
    pub due_at: Option<i64>,
    pub now: i64,
    pub closed_at: Option<i64>,
}

/// One execution of a step, with its records and SLA.
#[derive(Debug, Clone)]
pub struct NewStepRecord<'a> {
    pub ticket_id: i64,
    pub action: &'a str,
    pub round: i64,
    pub actor_id: Option<i64>,
    pub actor_role: &'a str,
    pub from_state: &'a str,
    pub to_state: &'a str,
    pub records: &'a str,
    pub started_at: i64,
    pub due_at: Option<i64>,
    pub done_at: i64,
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct StepRecordRow {
    pub id: i64,
    pub action: Action,
    pub round: i64,
    pub actor_name: Option<String>,
    pub actor_role: Role,
    pub from_state: State,
    pub to_state: State,
    pub records: String,
    pub started_at: i64,
    pub due_at: Option<i64>,
    pub done_at: i64,
    pub overdue: bool,
}

#[derive(Debug, Clone)]
pub struct NewComment<'a> {
    pub ticket_id: i64,
    pub author_id: Option<i64>,
    pub author_kind: Author,
    pub visibility: &'a str,
    pub body: &'a str,
    pub now: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct CommentRow {
    pub id: i64,
    pub author_name: Option<String>,
    pub author_kind: Author,
    pub visibility: Visibility,
    pub body: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewEvidence<'a> {
    pub ticket_id: i64,
    pub step_record_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub sha256: &'a str,
    pub original_name: &'a str,
    pub media_type: &'a str,
    pub size: i64,
    pub uploaded_by: Option<i64>,
    pub now: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct EvidenceRow {
    pub id: i64,
    pub step_record_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub sha256: String,
    pub original_name: String,
    pub media_type: String,
    pub size: i64,
    /// The staff user who uploaded it; `None` for the reporter's own files.
    pub uploaded_by: Option<i64>,
    pub created_at: i64,
    /// When the file was destroyed at the end of its retention period (the row stays).
    pub destroyed_at: Option<i64>,
}

/// What tickets are counted by, for statistics: one of a fixed set of columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountBy {
    State,
    Criticality,
    /// The agency's code.
    Agency,
    VulnerabilityType,
}

impl CountBy {
    /// The column the counts are grouped by.
    pub(crate) fn column(self) -> &'static str {
        match self {
            CountBy::State => "t.state",
            CountBy::Criticality => "t.criticality",
            CountBy::Agency => "a.code",
            CountBy::VulnerabilityType => "r.vulnerability_type",
        }
    }
}

/// A count per key, for statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CountRow {
    pub key: Option<String>,
    pub count: i64,
}

/// How one kind of step went: how often, how often late, and its mean duration.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct StepStatsRow {
    pub action: String,
    pub count: i64,
    pub overdue: i64,
    pub mean_ms: Option<f64>,
}

/// An official document to record, once its PDF is stored.
#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    pub ticket_id: i64,
    pub kind: &'a str,
    pub number: &'a str,
    pub year: i64,
    pub seq: i64,
    pub sha256: &'a str,
    pub verify_code: &'a str,
    pub replaces_id: Option<i64>,
    pub step_record_id: Option<i64>,
    pub now: i64,
    /// Who signs it as printed: one `position\tname` per line.
    pub signed_by: &'a str,
    /// Whether it is issued as a draft (no signer configured for its kind).
    pub draft: bool,
}

/// An issued official document; its PDF is the blob `sha256`.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: i64,
    pub ticket_id: i64,
    pub ticket_number: String,
    pub kind: DocumentKind,
    pub number: String,
    pub sha256: String,
    pub verify_code: String,
    pub replaces_id: Option<i64>,
    /// The step that issued it (`None` for the receipt of a report).
    pub step_record_id: Option<i64>,
    pub created_at: i64,
    /// Who signs it as printed: one `position\tname` per line (empty for documents issued
    /// before this was kept).
    pub signed_by: String,
    /// Whether it was issued as a draft.
    pub draft: bool,
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub kind: JobKind,
    pub payload: &'a str,
    pub ticket_id: Option<i64>,
    pub run_at: i64,
    pub now: i64,
}

/// A background job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct JobRow {
    pub id: i64,
    pub kind: JobKind,
    pub payload: String,
    pub ticket_number: Option<String>,
    pub state: JobState,
    pub attempts: i64,
    pub run_at: i64,
    pub locked_until: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub done_at: Option<i64>,
}
