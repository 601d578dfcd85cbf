//! The mail of the national rules' clocks: UU PDP Pasal 46 (`workflow::personal_data`) and
//! the report to the sectoral CSIRT of Peraturan BSSN 1/2024 (`workflow::sectoral_report`),
//! as their jobs store them and as `sigap-notify` writes them; and whom an overdue step or
//! clock is escalated to.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sigap_notify::{Escalation, Message, PdpReader, PdpStage};

/// Who an overdue step is escalated to, as a mail job stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalateTo {
    CsirtLead,
    AgencyHead,
}

impl From<EscalateTo> for Escalation {
    fn from(to: EscalateTo) -> Escalation {
        match to {
            EscalateTo::CsirtLead => Escalation::CsirtLead,
            EscalateTo::AgencyHead => Escalation::AgencyHead,
        }
    }
}

/// A reminder or the escalation of the clock of UU PDP Pasal 46.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PdpClock {
    /// The agency's name when the agency reads it; otherwise whom it is escalated to.
    pub agency: Option<String>,
    pub escalate_to: Option<EscalateTo>,
    /// `pdp_reminder_1`, `pdp_reminder_2` or `pdp_overdue`.
    pub stage: String,
    pub system: String,
    pub due_at: DateTime<Utc>,
    pub missing: Vec<sigap_core::pdp::NoticeRecipient>,
    pub agency_told: bool,
}

/// A reminder to the CSIRT lead of the report to the sectoral CSIRT, or its escalation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectoralClock {
    pub overdue: bool,
    pub due_at: DateTime<Utc>,
    pub reasons: Vec<sigap_core::bssn::Reason>,
}

/// A message of the clock of UU PDP Pasal 46.
pub(crate) fn personal_data_clock(p: PdpClock) -> Message {
    let reader = match (p.agency, p.escalate_to) {
        (_, Some(EscalateTo::CsirtLead)) => PdpReader::CsirtLead,
        (_, Some(EscalateTo::AgencyHead)) => PdpReader::AgencyHead,
        (agency, None) => PdpReader::Agency(agency.unwrap_or_default()),
    };
    let stage = match p.stage.as_str() {
        "pdp_reminder_1" => PdpStage::FirstReminder,
        "pdp_reminder_2" => PdpStage::SecondReminder,
        _ => PdpStage::Overdue,
    };
    Message::PersonalDataClock {
        reader,
        stage,
        system: p.system,
        due_at: p.due_at,
        missing: p.missing,
        agency_told: p.agency_told,
    }
}

/// A message of the report to the sectoral CSIRT.
pub(crate) fn sectoral_clock(c: SectoralClock) -> Message {
    Message::SectoralReportClock {
        overdue: c.overdue,
        due_at: c.due_at,
        reasons: c.reasons,
    }
}
