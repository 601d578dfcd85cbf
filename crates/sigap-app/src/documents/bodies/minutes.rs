//! The minutes (*Berita Acara*) of the steps: validation, criticality, the block and its
//! lifting, the internal review, and the Regional Secretary's approval.

use serde_json::Value;
use sigap_core::{Action, ActionInput, Criticality, DocumentKind};
use sigap_naskah::Body;
use sigap_naskah::body::{
    CriticalityMinutes, Meeting, Probe, ReactivationApproval, ReviewMinutes, SystemAction,
    ValidationMinutes, default_basis,
};

use crate::from_millis;

use super::*;

pub(super) fn validation(s: &Sources<'_>) -> Option<Body> {
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

pub(super) fn criticality(s: &Sources<'_>) -> Option<Body> {
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
pub(super) fn system_action(s: &Sources<'_>, basis: DocumentKind) -> SystemAction {
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
pub(super) fn unblock_lines(records: &Value) -> Option<String> {
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
pub(super) fn probes(records: &Value) -> Vec<Probe> {
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

pub(super) fn review(s: &Sources<'_>) -> Option<Body> {
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

pub(super) fn approval(s: &Sources<'_>) -> Option<Body> {
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
