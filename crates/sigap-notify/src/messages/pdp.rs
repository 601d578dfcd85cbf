//! The clock of UU PDP Pasal 46: reminders to the agency that owns the system (at a third
//! and two thirds of the 3×24 hours) to notify the data subjects and the authority, and the
//! escalation once the hours have passed, to the CSIRT lead and the head of the agency.
//! Before the agency has been told of the finding (SOP step 6), the reminders go to the
//! CSIRT lead, who must tell it first. And the CSIRT lead's reminder of the report of a
//! high-risk incident to the sectoral CSIRT (Peraturan BSSN 1/2024), or its escalation.

use chrono::{DateTime, Utc};
use sigap_core::pdp::NoticeRecipient;

use crate::messages::draft::{Context, Draft};

/// Who a message of the clock is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdpReader {
    /// The agency, by its name.
    Agency(String),
    /// The CSIRT lead.
    CsirtLead,
    /// The head of the agency.
    AgencyHead,
}

/// Where the clock is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdpStage {
    /// A third of the period gone.
    FirstReminder,
    /// Two thirds gone.
    SecondReminder,
    /// Past the period.
    Overdue,
}

const LAW_ID: &str = "Sesuai Pasal 46 Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan \
     Data Pribadi, pengendali data pribadi wajib menyampaikan pemberitahuan tertulis kepada \
     subjek data pribadi dan lembaga pelindungan data pribadi paling lambat 3 × 24 jam, \
     memuat data pribadi yang terungkap, kapan dan bagaimana data terungkap, serta upaya \
     penanganan dan pemulihannya.";
const LAW_EN: &str = "Under Article 46 of Law 27 of 2022 on Personal Data Protection, the \
     controller must give written notice to the data subjects and to the data protection \
     authority within 3 × 24 hours, stating which personal data were exposed, when and how, \
     and what was done to handle and recover.";

/// Writes a message of the clock (`message` is a `Message::PersonalDataClock`).
pub(crate) fn draft(c: &Context<'_>, message: &crate::Message) -> Draft {
    match message {
        crate::Message::PersonalDataClock {
            reader,
            stage,
            system,
            due_at,
            missing,
            agency_told,
        } => clock(c, reader, *stage, system, *due_at, missing, *agency_told),
        _ => unreachable!("a message of the clock"),
    }
}

fn greeting(c: &Context<'_>, reader: &PdpReader) -> String {
    match reader {
        PdpReader::Agency(agency) => match c.lang {
            crate::MailLang::Id => format!("Yth. Kepala {agency},"),
            crate::MailLang::En => format!("Dear Head of {agency},"),
        },
        PdpReader::CsirtLead => c
            .t("Yth. Ketua BATAM-CSIRT,", "Dear head of BATAM-CSIRT,")
            .to_owned(),
        PdpReader::AgencyHead => c
            .t("Yth. Kepala Perangkat Daerah,", "Dear head of agency,")
            .to_owned(),
    }
}

/// What to do next: record the notices, or (before step 6) tell the agency first.
fn next(c: &Context<'_>, agency_told: bool) -> &'static str {
    if agency_told {
        c.t(
            "Setelah pemberitahuan disampaikan, mohon catat tanggal, saluran dan salinannya \
             pada tiket di SIGAP.",
            "Once a notice is given, please record its date, channel and a copy on the \
             ticket in SIGAP.",
        )
    } else {
        c.t(
            "Perangkat daerah pemilik sistem belum menerima laporan tahap 6 SOP. Mohon laporan \
             tersebut segera disampaikan agar perangkat daerah dapat memberitahu subjek data \
             pribadi dan lembaga tepat waktu.",
            "The agency that owns the system has not yet received the report of SOP step 6. \
             Please send it at once so that the agency can notify the data subjects and the \
             authority in time.",
        )
    }
}

fn clock(
    c: &Context<'_>,
    reader: &PdpReader,
    stage: PdpStage,
    system: &str,
    due_at: DateTime<Utc>,
    missing: &[NoticeRecipient],
    agency_told: bool,
) -> Draft {
    let subject = match stage {
        PdpStage::FirstReminder | PdpStage::SecondReminder => c.t(
            "Pengingat UU PDP: pemberitahuan kegagalan pelindungan data pribadi",
            "Reminder (personal data protection): notice of a personal data breach",
        ),
        PdpStage::Overdue => c.t(
            "Eskalasi UU PDP: batas 3 × 24 jam pemberitahuan data pribadi terlewati",
            "Escalation (personal data protection): the 3 × 24-hour notice is overdue",
        ),
    };
    let greeting = greeting(c, reader);
    let opening = match stage {
        PdpStage::Overdue => c.t(
            "Temuan pada sistem elektronik berikut mengakibatkan data pribadi terdampak, dan \
             pemberitahuan yang diwajibkan undang-undang belum tercatat lengkap hingga batas \
             waktunya. Mohon arahan dan tindak lanjut Bapak/Ibu.",
            "A finding in the following electronic system exposed personal data, and the \
             notices the law requires were not all recorded by their deadline. Please see \
             that they are given without delay.",
        ),
        _ => c.t(
            "Temuan pada sistem elektronik berikut mengakibatkan data pribadi terdampak.",
            "A finding in the following electronic system exposed personal data.",
        ),
    };
    let missing_text = missing
        .iter()
        .map(|r| c.t(r.label_id(), r.label_en()))
        .collect::<Vec<_>>()
        .join("; ");
    Draft::new(subject, &greeting)
        .para(opening)
        .para(c.t(LAW_ID, LAW_EN))
        .facts(vec![
            (
                c.t("Sistem elektronik", "Electronic system"),
                system.to_owned(),
            ),
            (
                c.t("Batas waktu pemberitahuan", "Notice deadline"),
                c.when(due_at),
            ),
            (
                c.t("Pemberitahuan belum tercatat", "Notices not yet recorded"),
                missing_text,
            ),
        ])
        .para(next(c, agency_told))
        .block(c.ticket_link())
}

/// Writes the reminder or escalation of the report to the sectoral CSIRT (`message` is a
/// `Message::SectoralReportClock`).
pub(crate) fn sectoral(c: &Context<'_>, message: &crate::Message) -> Draft {
    let crate::Message::SectoralReportClock {
        overdue,
        due_at,
        reasons,
    } = message
    else {
        unreachable!("a message of the report to the sectoral CSIRT")
    };
    let subject = if *overdue {
        c.t(
            "Eskalasi: laporan insiden ke CSIRT sektoral melewati batas waktu",
            "Escalation: the incident report to the sectoral CSIRT is overdue",
        )
    } else {
        c.t(
            "Pengingat: laporkan insiden ke CSIRT sektoral",
            "Reminder: report the incident to the sectoral CSIRT",
        )
    };
    let why = reasons
        .iter()
        .map(|r| c.t(r.label_id(), r.label_en()))
        .collect::<Vec<_>>()
        .join("; ");
    Draft::new(
        subject,
        c.t("Yth. Ketua BATAM-CSIRT,", "Dear head of BATAM-CSIRT,"),
    )
    .para(c.t(
        "Sesuai Peraturan BSSN Nomor 1 Tahun 2024 tentang Pengelolaan Insiden Siber, insiden \
         berisiko tinggi berikut dilaporkan kepada CSIRT sektoral dengan tembusan CSIRT \
         nasional. Setelah laporan dikirim, mohon catat waktu, saluran dan nomor rujukan \
         penerima pada tiket di SIGAP.",
        "Under BSSN Regulation 1 of 2024 on Cyber Incident Management, the following \
         high-risk incident is reported to the sectoral CSIRT with the national CSIRT in \
         copy. Once the report is sent, please record its time, channel and the \
         recipient's reference on the ticket in SIGAP.",
    ))
    .facts(vec![
        (c.t("Alasan", "Why"), why),
        (
            c.t("Batas waktu laporan", "Report deadline"),
            c.when(*due_at),
        ),
    ])
    .block(c.ticket_link())
}
