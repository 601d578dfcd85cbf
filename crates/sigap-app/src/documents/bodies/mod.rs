//! The sections of each document kind, built from the ticket, the step's records and what
//! the ticket already holds (its earlier steps and documents), all read inside the step's
//! transaction. Text written by the reporter reaches the minutes only through their
//! restricted attachment; letters to agencies carry the CSIRT's own summary instead.

mod letters;
mod minutes;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sigap_core::{Action, ActionInput, Criticality, CvssScore, DocumentKind, Role};
use sigap_naskah::Body;
use sigap_naskah::body::{
    Acknowledgement, AuditHead, Certificate, Cited, DocumentRef, Dossier, Person, SystemRef,
    TimelineEntry,
};
use sigap_store::{DocumentRow, StepRecordRow, TicketRow};

use crate::auth::Caller;
use crate::from_millis;

use letters::*;
use minutes::*;

/// Everything a step's documents are built from.
pub(crate) struct Sources<'a> {
    pub caller: &'a Caller,
    /// The ticket as the step left it.
    pub row: &'a TicketRow,
    pub input: &'a ActionInput,
    /// The step's records as stored (with what the step resolved, e.g. the report count).
    pub records: &'a Value,
    /// The ticket's step records so far, this step's included.
    pub steps: &'a [StepRecordRow],
    /// The ticket's documents issued before this one.
    pub docs: &'a [DocumentRow],
    /// The audit chain's head before this step's entry.
    pub audit_head: (i64, String),
    /// The public URL, when documents may print links ([`crate::Rules::document_base_url`]).
    pub public_url: Option<&'a str>,
    pub tembusan: Vec<String>,
    pub fix_days: u32,
    pub now: DateTime<Utc>,
}

impl Sources<'_> {
    fn system(&self) -> SystemRef {
        SystemRef {
            name: self
                .row
                .system_name
                .clone()
                .unwrap_or_else(|| "-".to_owned()),
            url: self.row.target_url.clone(),
            agency: self
                .row
                .agency_name
                .clone()
                .unwrap_or_else(|| "-".to_owned()),
        }
    }

    /// The number of the latest document of `kind`, or `-`.
    fn number_of(&self, kind: DocumentKind) -> String {
        self.last_doc(kind)
            .map_or_else(|| "-".to_owned(), |d| d.number.clone())
    }

    fn last_doc(&self, kind: DocumentKind) -> Option<&DocumentRow> {
        self.docs.iter().rev().find(|d| d.kind == kind)
    }

    /// The Regional Secretary's approval given after the latest review minutes, if the
    /// reactivation needed one.
    fn approval_after_review(&self) -> Option<&DocumentRow> {
        let review = self.last_doc(DocumentKind::BaReviewMeeting)?;
        self.last_doc(DocumentKind::ApprovalReactivation)
            .filter(|approval| approval.id > review.id)
    }

    fn last_step(&self, action: Action) -> Option<&StepRecordRow> {
        self.steps.iter().rev().find(|s| s.action == action)
    }

    /// A field of the latest step of `action`'s records.
    fn step_field(&self, action: Action, field: &str) -> Option<Value> {
        let step = self.last_step(action)?;
        let records: Value = serde_json::from_str(&step.records).ok()?;
        records.get(field).cloned()
    }

    fn criticality(&self) -> Criticality {
        // Before the assessment there is none; the documents that ask are issued after it.
        self.row.criticality.unwrap_or(Criticality::Low)
    }

    fn cvss(&self) -> Option<CvssScore> {
        serde_json::from_value(self.step_field(Action::Assess, "cvss")?).ok()
    }

    fn blocked_at(&self) -> Option<DateTime<Utc>> {
        self.row
            .blocked
            .then(|| {
                self.last_step(Action::Block)
                    .map(|s| from_millis(s.done_at))
            })
            .flatten()
    }

    /// The reporter's words, for the minutes' restricted attachment only.
    fn restricted(&self) -> Option<String> {
        Some(match &self.row.evidence_text {
            Some(log) if !log.trim().is_empty() => {
                format!("{}\n\n{log}", self.row.proof_of_concept)
            }
            _ => self.row.proof_of_concept.clone(),
        })
    }

    /// When the step's event took place: the time the step gave (`held_at`, `decided_at`;
    /// a scheduled meeting's when it was named), else when it was recorded.
    fn held_at(&self, field: &str) -> DateTime<Utc> {
        self.records
            .get(field)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or(self.now)
    }

    /// Where it took place: the place the step gave (a scheduled meeting's when it was
    /// named), else the office.
    fn place(&self) -> String {
        self.records
            .get("place")
            .and_then(Value::as_str)
            .filter(|p| !p.trim().is_empty())
            .map_or_else(|| OFFICE.to_owned(), str::to_owned)
    }

    fn officer(&self) -> Person {
        Person {
            name: self.caller.name.clone(),
            nip: None,
            role: position(self.caller.role),
        }
    }
}

/// Where the minutes say a step took place when it names no place.
const OFFICE: &str = "Kantor Dinas Komunikasi dan Informatika Kota Batam";

/// The position printed for a staff member: their role in the team.
pub(crate) fn position(role: Role) -> String {
    match role {
        Role::SystemOwner => role.label_id().to_owned(),
        Role::RegionalSecretary => "Sekretaris Daerah Kota Batam".to_owned(),
        _ => format!("{} BATAM-CSIRT", role.label_id()),
    }
}

/// The officer who records the step, then the attendees who are not the officer: nobody is
/// listed twice.
fn team(officer: Person, attendees: &[String]) -> Vec<Person> {
    let mut team = vec![officer];
    for typed in attendees {
        let attendee = person(typed);
        let key = attendee.name.to_lowercase();
        if !team.iter().any(|p| p.name.trim().to_lowercase() == key) {
            team.push(attendee);
        }
    }
    team
}

/// An attendee as typed: `Nama` or `Nama (Jabatan, Unit)`; the part in brackets goes to
/// the role column.
fn person(typed: &str) -> Person {
    let typed = typed.trim();
    if let Some(open) = typed.find(" (")
        && typed.ends_with(')')
        && open > 0
    {
        let role = typed[open + 2..typed.len() - 1].trim();
        if !role.is_empty() {
            return Person {
                name: typed[..open].trim().to_owned(),
                nip: None,
                role: role.to_owned(),
            };
        }
    }
    Person {
        name: typed.to_owned(),
        nip: None,
        role: "Peserta".to_owned(),
    }
}

/// Builds the sections of `kind` for the step described by `s`, or `None` when the step's
/// records do not belong to that kind.
pub(crate) fn build(kind: DocumentKind, s: &Sources<'_>) -> Option<Body> {
    match (kind, s.input) {
        (DocumentKind::BaValidation, ActionInput::Validate { .. }) => validation(s),
        (DocumentKind::BaCriticality, ActionInput::Assess { .. }) => criticality(s),
        (DocumentKind::BlockRecord, ActionInput::Block { .. }) => Some(Body::BlockRecord(
            system_action(s, DocumentKind::BaCriticality),
        )),
        (DocumentKind::UnblockRecord, ActionInput::Unblock { .. }) => {
            let mut record = system_action(s, DocumentKind::BaReviewMeeting);
            record.approval_number = s.approval_after_review().map(|d| d.number.clone());
            Some(Body::UnblockRecord(record))
        }
        (DocumentKind::AgencyReport, ActionInput::NotifyAgency { .. }) => agency_report(s),
        (DocumentKind::LetterNotice, ActionInput::NotifyAgency { .. }) => notice(s),
        (
            DocumentKind::LetterNotice,
            ActionInput::Review { fixed: false, .. }
            | ActionInput::ApproveReactivation {
                approved: false, ..
            },
        ) => further_notice(s),
        (DocumentKind::RemediationReport, ActionInput::SubmitRemediation { .. }) => remediation(s),
        (DocumentKind::LetterFollowUp, ActionInput::SendFollowUp { .. }) => follow_up(s),
        (DocumentKind::BaReviewMeeting, ActionInput::Review { .. }) => review(s),
        (DocumentKind::ApprovalReactivation, ActionInput::ApproveReactivation { .. }) => {
            approval(s)
        }
        (DocumentKind::Dossier, _) => Some(Body::Dossier(dossier(s))),
        (DocumentKind::Certificate, _) => Some(Body::Certificate(certificate(s.row))),
        _ => None,
    }
}

/// A document as another cites it.
fn cited(d: &DocumentRow) -> Cited {
    Cited {
        title: d.kind.label_id().to_owned(),
        number: d.number.clone(),
        issued_at: from_millis(d.created_at),
    }
}

fn count_field(records: &Value, field: &str) -> Option<u32> {
    records
        .get(field)
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
}

/// How the ticket ended, in one line.
fn outcome(row: &TicketRow) -> String {
    match (row.valid, row.duplicate_of.as_deref()) {
        (_, Some(original)) => format!("Ditutup sebagai duplikat dari tiket {original}"),
        (Some(false), _) => "Ditutup: laporan tidak valid".to_owned(),
        _ if row.criticality == Some(Criticality::High) => {
            "Selesai: kerentanan diperbaiki, sistem aktif kembali".to_owned()
        }
        _ => "Selesai: kerentanan diperbaiki".to_owned(),
    }
}

fn timeline(s: &Sources<'_>) -> Vec<TimelineEntry> {
    timeline_of(s.row, s.steps)
}

/// The life of ticket `row` through `steps`, oldest first: its arrival, then each step.
pub(crate) fn timeline_of(row: &TicketRow, steps: &[StepRecordRow]) -> Vec<TimelineEntry> {
    let channel = row.channel.label_id();
    let opened = TimelineEntry {
        at: from_millis(row.created_at),
        actor: "Pelapor".to_owned(),
        event: format!("Laporan diterima melalui {channel}"),
    };
    let steps = steps.iter().map(|step| {
        let action = event_label(step.action);
        let to = step.to_state.label_id();
        let role = step.actor_role.label_id();
        TimelineEntry {
            at: from_millis(step.done_at),
            actor: match &step.actor_name {
                Some(name) => format!("{name} ({role})"),
                None => role.to_owned(),
            },
            event: format!(
                "{action}; status: {to}{}",
                if step.overdue {
                    " (melewati tenggat)"
                } else {
                    ""
                }
            ),
        }
    });
    std::iter::once(opened).chain(steps).collect()
}

/// What a step did, as a record says it (the pages' labels are commands to press).
fn event_label(action: Action) -> &'static str {
    match action {
        Action::Validate => "Validasi laporan dicatat",
        Action::MarkDuplicate => "Laporan ditandai sebagai duplikat",
        Action::Assess => "Tingkat kekritisan dinilai",
        Action::Block => "Sistem Elektronik diblokir",
        Action::NotifyAgency => {
            "Laporan dan surat pemberitahuan disampaikan kepada Perangkat Daerah"
        }
        Action::SubmitRemediation => "Hasil perbaikan dilaporkan",
        Action::SendFollowUp => "Surat tindak lanjut dikirim",
        Action::Review => "Hasil rapat internal dicatat",
        Action::ApproveReactivation => "Sekretaris Daerah memutuskan pengaktifan kembali",
        Action::Unblock => "Blokir dibuka",
        Action::Close => "Tiket ditutup",
        other => other.label_id(),
    }
}

fn dossier(s: &Sources<'_>) -> Dossier {
    let done = |action: Action| s.last_step(action).map(|step| from_millis(step.done_at));
    let rounds = s
        .steps
        .iter()
        .filter(|step| step.action == Action::SubmitRemediation)
        .count();
    Dossier {
        summary: s.row.title.clone(),
        criticality: s.row.criticality,
        cvss: s.cvss(),
        blocked_at: done(Action::Block),
        unblocked_at: done(Action::Unblock),
        rounds: u32::try_from(rounds).unwrap_or(u32::MAX),
        system: s.system(),
        opened_at: from_millis(s.row.created_at),
        closed_at: s.row.closed_at.map_or(s.now, from_millis),
        outcome: outcome(s.row),
        timeline: timeline(s),
        documents: s
            .docs
            .iter()
            .map(|d| DocumentRef {
                kind: d.kind,
                number: d.number.clone(),
                issued_at: from_millis(d.created_at),
                sha256: d.sha256.clone(),
            })
            .collect(),
        audit_head: AuditHead {
            sequence: u64::try_from(s.audit_head.0).unwrap_or(0),
            hash: s.audit_head.1.clone(),
        },
    }
}

/// How a document names a reporter who chose not to be credited.
const ANONYMOUS: &str = "Anonim (sesuai pilihan pelapor)";

/// The reporter as the documents name them: under the name they chose to be credited with,
/// never their own name when they chose to stay anonymous.
fn credited(row: &TicketRow) -> String {
    row.credit_name().unwrap_or_else(|| ANONYMOUS.to_owned())
}

/// The certificate thanks the reporter under the name they chose to be credited with.
fn certificate(row: &TicketRow) -> Certificate {
    Certificate {
        recipient: credited(row),
        contribution: "melaporkan kerentanan keamanan secara bertanggung jawab pada sistem \
                       elektronik Pemerintah Kota Batam"
            .to_owned(),
        reported_at: from_millis(row.created_at),
    }
}

/// The receipt of a report: what was received, without its proof of concept; the reporter
/// named as they chose to be credited.
pub(crate) fn acknowledgement(row: &TicketRow, rules: &crate::Rules) -> Body {
    let tracking_url = rules
        .document_base_url()
        .map(|base| format!("{base}/track?ticket={}", row.number));
    Body::Acknowledgement(Acknowledgement {
        reporter_name: credited(row),
        received_at: from_millis(row.created_at),
        channel: row.channel,
        title: row.title.clone(),
        target: row.target_url.clone(),
        vulnerability_type: row.vulnerability_type.clone(),
        severity: row.severity,
        tracking_url,
        next_steps: Acknowledgement::default_next_steps(),
    })
}

#[cfg(test)]
mod tests {
    use super::{person, team};

    #[test]
    fn an_attendee_s_role_in_brackets_goes_to_its_column_and_nobody_is_listed_twice() {
        let p = person(" Dewi Anggraini (Penanggung Jawab SSO, Diskominfo) ");
        assert_eq!(p.name, "Dewi Anggraini");
        assert_eq!(p.role, "Penanggung Jawab SSO, Diskominfo");
        let plain = person("Ir. Hendra Saputra, M.T.");
        assert_eq!(
            (plain.name.as_str(), plain.role.as_str()),
            ("Ir. Hendra Saputra, M.T.", "Peserta")
        );
        assert_eq!(person("(Tamu)").name, "(Tamu)");
        let officer = person("Andi Pratama (Tim Internal BATAM-CSIRT)");
        let all = team(
            officer,
            &[
                "andi pratama (Analis)".to_owned(),
                "Budi Santoso (Pejabat Nama Domain)".to_owned(),
            ],
        );
        let names: Vec<&str> = all.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Andi Pratama", "Budi Santoso"]);
    }
}
