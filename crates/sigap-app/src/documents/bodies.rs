//! The sections of each document kind, built from the ticket, the step's records and what
//! the ticket already holds (its earlier steps and documents), all read inside the step's
//! transaction. Text written by the reporter reaches the minutes only through their
//! restricted attachment; letters to agencies carry the CSIRT's own summary instead.

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use sigap_core::{
    Action, ActionInput, Criticality, CvssScore, DocumentKind, Party, Recommendation, Role,
};
use sigap_docs::Body;
use sigap_docs::body::{
    Acknowledgement, AgencyReport, AuditHead, Certificate, Cited, CriticalityMinutes, DocumentRef,
    Dossier, FollowUpLetter, FurtherRound, Meeting, NoticeLetter, Person, Probe,
    ReactivationApproval, RemediationReport, ReviewMinutes, Sifat, SystemAction, SystemRef,
    TimelineEntry, ValidationMinutes, default_basis,
};
use sigap_store::{DocumentRow, StepRecordRow, TicketRow};

use crate::auth::Caller;
use crate::from_millis;

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

fn validation(s: &Sources<'_>) -> Option<Body> {
    let ActionInput::Validate {
        valid,
        method,
        findings,
        meeting,
        ..
    } = s.input
    else {
        return None;
    };
    Some(Body::BaValidation(ValidationMinutes {
        held_at: meeting
            .as_ref()
            .map_or_else(|| s.held_at("held_at"), |m| m.held_at),
        place: meeting
            .as_ref()
            .map_or_else(|| s.place(), |m| m.place.clone()),
        recorded_at: s.now,
        team: vec![s.officer()],
        basis: default_basis(),
        reported_at: from_millis(s.row.created_at),
        report_title: s.row.title.clone(),
        vulnerability_type: s.row.vulnerability_type.clone(),
        system: s.system(),
        method: *method,
        meeting: meeting.as_ref().map(|m| Meeting {
            held_at: m.held_at,
            place: m.place.clone(),
            attendees: m.attendees.iter().map(|a| person(a)).collect(),
            agency_invited: m.agency_invited,
        }),
        checks: vec![
            "Kesesuaian laporan dengan sistem elektronik yang terdaftar".to_owned(),
            "Bukti dan langkah reproduksi yang dilampirkan pelapor".to_owned(),
        ],
        findings: findings.clone(),
        valid: *valid,
        reasons: if *valid {
            "Laporan sesuai dengan Sistem Elektronik yang terdaftar dan kerentanan yang \
             dilaporkan terbukti berdasarkan temuan pada bagian IV."
                .to_owned()
        } else {
            "Kerentanan yang dilaporkan tidak terbukti atau tidak berada pada Sistem \
             Elektronik Pemerintah Kota Batam, sebagaimana diuraikan dalam temuan pada \
             bagian IV."
                .to_owned()
        },
        next_step: if *valid {
            "Laporan diteruskan untuk penilaian tingkat kekritisan kerentanan sesuai langkah \
             4 SOP."
                .to_owned()
        } else {
            "Laporan ditutup sebagai tidak valid dan pelapor diberi tahu hasil validasi ini."
                .to_owned()
        },
        restricted_attachment: s.restricted(),
    }))
}

fn criticality(s: &Sources<'_>) -> Option<Body> {
    let ActionInput::Assess {
        criticality,
        cvss,
        rationale,
        personal_data_affected,
        attendees,
    } = s.input
    else {
        return None;
    };
    let cwe = s
        .row
        .vulnerability_type
        .to_ascii_uppercase()
        .starts_with("CWE-");
    Some(Body::BaCriticality(CriticalityMinutes {
        held_at: s.held_at("held_at"),
        place: s.place(),
        recorded_at: s.now,
        team: team(s.officer(), attendees),
        basis: default_basis(),
        validation_number: s.number_of(DocumentKind::BaValidation),
        report_title: s.row.title.clone(),
        system: s.system(),
        cwe: cwe.then(|| s.row.vulnerability_type.clone()),
        owasp: None,
        cvss: cvss.clone(),
        context_factors: if *personal_data_affected {
            vec!["Sistem memproses data pribadi (UU Nomor 27 Tahun 2022)".to_owned()]
        } else {
            Vec::new()
        },
        criticality: *criticality,
        override_reason: rationale.clone(),
        escalate: *personal_data_affected && *criticality == Criticality::High,
        escalate_to: (*personal_data_affected && *criticality == Criticality::High)
            .then(|| "CSIRT sektoral / BSSN (Gov-CSIRT Indonesia)".to_owned()),
        personal_data_affected: *personal_data_affected,
        restricted_attachment: s.restricted(),
    }))
}

/// The block or unblock record; `basis` is the document the action rests on.
fn system_action(s: &Sources<'_>, basis: DocumentKind) -> SystemAction {
    let (method, notes, evidence_text) = match s.input {
        ActionInput::Block {
            method,
            notes,
            evidence_text,
        }
        | ActionInput::Unblock {
            method,
            notes,
            evidence_text,
        } => (method.clone(), notes.clone(), evidence_text.clone()),
        _ => ("manual".to_owned(), None, None),
    };
    let other_holds = s
        .records
        .get("other_block_holder")
        .and_then(Value::as_str)
        .map(|other| format!("Sistem juga tetap diblokir untuk tiket {other}"));
    let notes = [notes, unblock_lines(s.records)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n");
    SystemAction {
        system: s.system(),
        method: if method == "manual" {
            "Manual oleh Pejabat Nama Domain".to_owned()
        } else {
            method
        },
        at: s.now,
        officer: s.officer(),
        basis_number: s.number_of(basis),
        approval_number: None,
        notes: (!notes.is_empty()).then_some(notes),
        other_holds,
        probes: probes(s.records),
        evidence_text,
        screenshots: Vec::new(),
    }
}

/// What an unblock's records say about the five-minute standard and the comparison with
/// the service before the block.
fn unblock_lines(records: &Value) -> Option<String> {
    let mut lines = Vec::new();
    if let Some(seconds) = records.get("unblock_seconds").and_then(Value::as_i64) {
        lines.push(format!(
            "Waktu sejak keputusan pengaktifan kembali hingga blokir dibuka: {} menit {} detik \
             (standar SOP: 5 menit).",
            seconds / 60,
            seconds % 60
        ));
    }
    match records.get("as_before_block").and_then(Value::as_bool) {
        Some(true) => lines.push(
            "Layanan menjawab seperti sebelum pemblokiran (status, judul dan isi halaman sama)."
                .to_owned(),
        ),
        Some(false) => lines.push(format!(
            "Layanan belum menjawab seperti sebelum pemblokiran: {}.",
            records
                .get("comparison")
                .and_then(Value::as_str)
                .unwrap_or("-")
        )),
        None => {}
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// The probe lines an adapter's captures left in the step's records.
fn probes(records: &Value) -> Vec<Probe> {
    let Some(lines) = records.get("probes").and_then(Value::as_array) else {
        return Vec::new();
    };
    lines
        .iter()
        .filter_map(|line| {
            Some(Probe {
                at: serde_json::from_value(line.get("at")?.clone()).ok()?,
                check: line.get("check")?.as_str()?.to_owned(),
                result: line.get("result")?.as_str()?.to_owned(),
            })
        })
        .collect()
}

/// What the notify step told the agency: the summary and the recommendation about whom.
struct Notified {
    recommendation: Recommendation,
    summary: String,
    concerns: Option<String>,
    party: Party,
}

fn notify_fields(s: &Sources<'_>) -> Option<Notified> {
    match s.input {
        ActionInput::NotifyAgency {
            recommendation,
            summary,
            concerns,
            concerns_party,
        } => Some(Notified {
            recommendation: *recommendation,
            summary: summary.clone(),
            concerns: concerns.clone(),
            party: *concerns_party,
        }),
        _ => None,
    }
}

/// What the ticket's notify step told the agency, read back from its records (for the
/// letter of a further round).
fn notified_before(s: &Sources<'_>) -> Notified {
    let field = |name: &str| s.step_field(Action::NotifyAgency, name);
    let text = |name: &str| field(name).and_then(|v| v.as_str().map(str::to_owned));
    Notified {
        recommendation: field("recommendation")
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or(Recommendation::None),
        summary: text("summary").unwrap_or_else(|| "-".to_owned()),
        concerns: text("concerns"),
        party: field("concerns_party")
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or(Party::Asn),
    }
}

/// When the agency must have fixed the finding: the deadline the step set.
fn fix_deadline(s: &Sources<'_>) -> DateTime<Utc> {
    s.row.due_at.map_or_else(
        || s.now + Duration::days(i64::from(s.fix_days)),
        from_millis,
    )
}

fn recommended_fixes() -> Vec<String> {
    [
        "Memperbaiki kerentanan sesuai temuan dalam laporan terlampir dan menutup celah \
         sejenis pada sistem yang sama",
        "Memeriksa log sistem untuk memastikan kerentanan belum dimanfaatkan pihak lain",
        "Melaporkan hasil perbaikan beserta buktinya kepada BATAM-CSIRT",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn impact(criticality: Criticality) -> String {
    match criticality {
        Criticality::High => "Tinggi: kerentanan dapat dimanfaatkan untuk mengganggu layanan \
                              atau mengakses data; sistem diblokir sementara sampai diperbaiki"
            .to_owned(),
        Criticality::Low => {
            "Rendah: kerentanan perlu diperbaiki, sistem tetap beroperasi".to_owned()
        }
    }
}

fn agency_report(s: &Sources<'_>) -> Option<Body> {
    let Notified {
        recommendation,
        summary,
        concerns,
        party,
    } = notify_fields(s)?;
    let criticality = s.criticality();
    Some(Body::AgencyReport(AgencyReport {
        letter: s.last_doc(DocumentKind::LetterNotice).map(cited),
        system: s.system(),
        reported_at: from_millis(s.row.created_at),
        validation_number: s.number_of(DocumentKind::BaValidation),
        criticality_number: s.number_of(DocumentKind::BaCriticality),
        vulnerability_type: s.row.vulnerability_type.clone(),
        finding_summary: summary,
        impact: impact(criticality),
        criticality,
        cvss: s.cvss(),
        blocked_at: s.blocked_at(),
        recommended_fixes: recommended_fixes(),
        fix_deadline: fix_deadline(s),
        recommendation,
        concerns,
        concerns_party: party,
    }))
}

fn notice(s: &Sources<'_>) -> Option<Body> {
    Some(Body::LetterNotice(notice_letter(s, notify_fields(s)?)))
}

/// A document as another cites it.
fn cited(d: &DocumentRow) -> Cited {
    Cited {
        title: d.kind.label_id().to_owned(),
        number: d.number.clone(),
        issued_at: from_millis(d.created_at),
    }
}

/// The notice letter of a further round: the review minutes found the fix not done ("Belum"),
/// or the Regional Secretary refused the reactivation. It follows up the round before and
/// sets the new deadline; the finding, recommendation and concerns stay those of the first
/// notice.
fn further_notice(s: &Sources<'_>) -> Option<Body> {
    let (decided_by, finding) = match s.input {
        ActionInput::Review { notes, .. } => (s.last_doc(DocumentKind::BaReviewMeeting)?, notes),
        ActionInput::ApproveReactivation { notes, .. } => {
            (s.last_doc(DocumentKind::ApprovalReactivation)?, notes)
        }
        _ => return None,
    };
    let previous_notice = s.last_doc(DocumentKind::LetterNotice)?;
    let previous_follow_up = s
        .last_doc(DocumentKind::LetterFollowUp)
        .filter(|d| d.id > previous_notice.id);
    let mut letter = notice_letter(s, notified_before(s));
    letter.hal = "Permintaan Perbaikan Lanjutan Kerentanan Keamanan Sistem Elektronik".to_owned();
    letter.lampiran = "-".to_owned();
    letter.further = Some(Box::new(FurtherRound {
        round: u32::try_from(s.row.round).unwrap_or(2).max(2),
        previous_notice: cited(previous_notice),
        previous_follow_up: previous_follow_up.map(cited),
        decided_by: cited(decided_by),
        finding: if finding.trim().is_empty() {
            "Perbaikan belum dapat diterima.".to_owned()
        } else {
            finding.clone()
        },
    }));
    Some(Body::LetterNotice(letter))
}

fn notice_letter(s: &Sources<'_>, notified: Notified) -> NoticeLetter {
    let Notified {
        recommendation,
        summary,
        concerns,
        party,
    } = notified;
    let criticality = s.criticality();
    NoticeLetter {
        sifat: Sifat::for_criticality(criticality),
        lampiran: "1 (satu) berkas".to_owned(),
        hal: "Pemberitahuan Kerentanan Keamanan Sistem Elektronik".to_owned(),
        agency: s.system().agency,
        agency_place: "Batam".to_owned(),
        system: s.system(),
        reported_at: from_millis(s.row.created_at),
        finding_summary: summary,
        criticality,
        cvss: s.cvss(),
        blocked_at: s.blocked_at(),
        recommended_fixes: recommended_fixes(),
        fix_days: s.fix_days,
        fix_deadline: fix_deadline(s),
        how_to_report: match s.public_url {
            Some(base) => format!(
                "melalui portal BATAM-CSIRT ({base}/tickets/{}) dengan melampirkan bukti \
                 perbaikan.",
                s.row.number
            ),
            None => "melalui portal BATAM-CSIRT pada halaman tiket tersebut dengan \
                     melampirkan bukti perbaikan."
                .to_owned(),
        },
        recommendation,
        concerns,
        concerns_party: party,
        tembusan: s.tembusan.clone(),
        further: None,
    }
}

fn remediation(s: &Sources<'_>) -> Option<Body> {
    let ActionInput::SubmitRemediation {
        summary,
        evidence_text,
        on_behalf,
    } = s.input
    else {
        return None;
    };
    Some(Body::RemediationReport(RemediationReport {
        system: s.system(),
        notice_number: s.number_of(DocumentKind::LetterNotice),
        fixed_summary: summary.clone(),
        fixed_at: s.now,
        fixed_by: s.officer(),
        on_behalf: *on_behalf,
        evidence_text: evidence_text.clone(),
    }))
}

fn follow_up(s: &Sources<'_>) -> Option<Body> {
    let ActionInput::SendFollowUp { content } = s.input else {
        return None;
    };
    let notice = s.last_doc(DocumentKind::LetterNotice);
    Some(Body::LetterFollowUp(FollowUpLetter {
        sifat: Sifat::for_criticality(s.criticality()),
        lampiran: "-".to_owned(),
        hal: "Tindak Lanjut Hasil Perbaikan Kerentanan Sistem Elektronik".to_owned(),
        agency: s.system().agency,
        agency_place: "Batam".to_owned(),
        system: s.system(),
        notice_number: notice.map_or_else(|| "-".to_owned(), |d| d.number.clone()),
        notice_date: notice.map_or(s.now, |d| from_millis(d.created_at)),
        remediation_received_at: s
            .last_step(Action::SubmitRemediation)
            .map_or(s.now, |r| from_millis(r.done_at)),
        content: content.clone(),
        earlier: earlier_rounds(s, notice.map(|d| d.id)),
        next_step: "Hasil perbaikan dibahas dalam rapat internal BATAM-CSIRT paling lambat \
                    1 (satu) hari kerja setelah surat ini."
            .to_owned(),
        tembusan: s.tembusan.clone(),
    }))
}

/// In a further round, the documents of the rounds before the notice `current`: every
/// notice letter, follow-up letter, review minutes and refused approval issued before it.
fn earlier_rounds(s: &Sources<'_>, current: Option<i64>) -> Vec<Cited> {
    let Some(current) = current else {
        return Vec::new();
    };
    let kinds = [
        DocumentKind::LetterNotice,
        DocumentKind::LetterFollowUp,
        DocumentKind::BaReviewMeeting,
        DocumentKind::ApprovalReactivation,
    ];
    s.docs
        .iter()
        .filter(|d| d.id < current && kinds.contains(&d.kind))
        .map(cited)
        .collect()
}

fn count_field(records: &Value, field: &str) -> Option<u32> {
    records
        .get(field)
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
}

fn review(s: &Sources<'_>) -> Option<Body> {
    let ActionInput::Review {
        fixed,
        attendees,
        notes,
    } = s.input
    else {
        return None;
    };
    let threshold = count_field(s.records, "approval_threshold").unwrap_or(3);
    let reports = count_field(s.records, "agency_valid_reports").unwrap_or(0);
    Some(Body::BaReviewMeeting(ReviewMinutes {
        held_at: s.held_at("held_at"),
        place: s.place(),
        recorded_at: s.now,
        chair: s.officer(),
        attendees: attendees.iter().map(|a| person(a)).collect(),
        agenda: vec![
            "Pembahasan tanggapan Perangkat Daerah atas surat pemberitahuan".to_owned(),
            "Hasil pemeriksaan ulang oleh Tim Internal BATAM-CSIRT".to_owned(),
            "Keputusan pengaktifan kembali sistem elektronik".to_owned(),
        ],
        system: s.system(),
        notice_number: s.number_of(DocumentKind::LetterNotice),
        earlier: s
            .docs
            .iter()
            .filter(|d| d.kind == DocumentKind::BaReviewMeeting)
            .map(cited)
            .collect(),
        agency_response: s
            .step_field(Action::SubmitRemediation, "summary")
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "-".to_owned()),
        retest_result: notes.clone(),
        fixed: *fixed,
        blocked: s.row.blocked,
        notes: notes.clone(),
        agency_valid_reports: reports,
        threshold,
        approval_needed: s
            .records
            .get("needs_approval")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        restricted_attachment: None,
    }))
}

fn approval(s: &Sources<'_>) -> Option<Body> {
    let ActionInput::ApproveReactivation { approved, notes } = s.input else {
        return None;
    };
    let review = s.last_step(Action::Review);
    let field = |name: &str| {
        review
            .and_then(|r| serde_json::from_str::<Value>(&r.records).ok())
            .and_then(|records| count_field(&records, name))
    };
    Some(Body::ApprovalReactivation(ReactivationApproval {
        system: s.system(),
        review_number: s.number_of(DocumentKind::BaReviewMeeting),
        agency_valid_reports: field("agency_valid_reports").unwrap_or(0),
        threshold: field("approval_threshold").unwrap_or(3),
        approved: *approved,
        notes: notes.clone(),
        decided_at: s.held_at("decided_at"),
        recorded_at: s.now,
    }))
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
    let channel = s.row.channel.label_id();
    let opened = TimelineEntry {
        at: from_millis(s.row.created_at),
        actor: "Pelapor".to_owned(),
        event: format!("Laporan diterima melalui {channel}"),
    };
    let steps = s.steps.iter().map(|step| {
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
