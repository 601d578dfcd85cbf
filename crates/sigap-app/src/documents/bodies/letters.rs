//! The letters and reports to the agency: the notice with its report, a further round's
//! notice, the remediation report and the follow-up letter.

use chrono::{DateTime, Duration, Utc};
use sigap_core::{Action, ActionInput, Criticality, DocumentKind, Party, Recommendation};
use sigap_naskah::Body;
use sigap_naskah::body::{
    AgencyReport, Cited, FollowUpLetter, FurtherRound, NoticeLetter, RemediationReport, Sifat,
};

use crate::from_millis;

use super::*;

/// What the notify step told the agency: the summary and the recommendation about whom.
pub(super) struct Notified {
    pub(super) recommendation: Recommendation,
    pub(super) summary: String,
    pub(super) concerns: Option<String>,
    pub(super) party: Party,
}

pub(super) fn notify_fields(s: &Sources<'_>) -> Option<Notified> {
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
pub(super) fn notified_before(s: &Sources<'_>) -> Notified {
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
pub(super) fn fix_deadline(s: &Sources<'_>) -> DateTime<Utc> {
    s.row.due_at.map_or_else(
        || s.now + Duration::days(i64::from(s.fix_days)),
        from_millis,
    )
}

pub(super) fn recommended_fixes() -> Vec<String> {
    [
        "Memperbaiki kerentanan sesuai temuan dalam laporan terlampir dan menutup celah \
         sejenis pada sistem yang sama",
        "Memeriksa log sistem untuk memastikan kerentanan belum dimanfaatkan pihak lain",
        "Melaporkan hasil perbaikan beserta buktinya kepada BATAM-CSIRT",
    ]
    .map(str::to_owned)
    .to_vec()
}

pub(super) fn impact(criticality: Criticality) -> String {
    match criticality {
        Criticality::High => "Tinggi: kerentanan dapat dimanfaatkan untuk mengganggu layanan \
                              atau mengakses data; sistem diblokir sementara sampai diperbaiki"
            .to_owned(),
        Criticality::Low => {
            "Rendah: kerentanan perlu diperbaiki, sistem tetap beroperasi".to_owned()
        }
    }
}

pub(super) fn agency_report(s: &Sources<'_>) -> Option<Body> {
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

pub(super) fn notice(s: &Sources<'_>) -> Option<Body> {
    Some(Body::LetterNotice(notice_letter(s, notify_fields(s)?)))
}

/// The notice letter of a further round: the review minutes found the fix not done ("Belum"),
/// or the Regional Secretary refused the reactivation. It follows up the round before and
/// sets the new deadline; the finding, recommendation and concerns stay those of the first
/// notice.
pub(super) fn further_notice(s: &Sources<'_>) -> Option<Body> {
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

pub(super) fn notice_letter(s: &Sources<'_>, notified: Notified) -> NoticeLetter {
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

pub(super) fn remediation(s: &Sources<'_>) -> Option<Body> {
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

pub(super) fn follow_up(s: &Sources<'_>) -> Option<Body> {
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
pub(super) fn earlier_rounds(s: &Sources<'_>, current: Option<i64>) -> Vec<Cited> {
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
