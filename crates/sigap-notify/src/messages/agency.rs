//! Messages to the regional agency (*Perangkat Daerah*) that owns the system: the step-6
//! notice that carries the letter (the caller attaches the PDF), the reminders three days
//! and one day before the 7-day remediation deadline, the overdue notice, and the step-8
//! follow-up letter.

use chrono::{DateTime, Utc};
use sigap_core::{Criticality, Recommendation};

use crate::messages::Reminder;
use crate::messages::draft::{Context, Draft};

fn greeting(c: &Context<'_>, agency: &str) -> String {
    match c.lang {
        crate::MailLang::Id => format!("Yth. Kepala {agency},"),
        crate::MailLang::En => format!("Dear Head of {agency},"),
    }
}

fn label<T: Copy>(
    c: &Context<'_>,
    value: T,
    id: fn(T) -> &'static str,
    en: fn(T) -> &'static str,
) -> String {
    c.t(id(value), en(value)).to_owned()
}

/// Writes this agency message.
pub(crate) fn notice(
    c: &Context<'_>,
    agency: &str,
    system: &str,
    criticality: Criticality,
    recommendation: Recommendation,
    due_at: DateTime<Utc>,
) -> Draft {
    Draft::new(
        c.t(
            "Laporan hasil validasi dan tingkat kekritisan kerentanan",
            "Report on the validation and criticality of a vulnerability",
        ),
        &greeting(c, agency),
    )
    .para(c.t(
        "Bersama ini kami sampaikan laporan hasil validasi dan penilaian tingkat kekritisan \
         atas kerentanan pada sistem elektronik yang dikelola oleh instansi Bapak/Ibu. Surat \
         resmi terlampir dalam pesan ini.",
        "Please find attached the official letter reporting the validation and the \
         criticality assessment of a vulnerability in an electronic system your agency \
         manages.",
    ))
    .facts(vec![
        (
            c.t("Sistem elektronik", "Electronic system"),
            system.to_owned(),
        ),
        (
            c.t("Tingkat kekritisan", "Criticality"),
            label(c, criticality, Criticality::label_id, Criticality::label_en),
        ),
        (
            c.t("Rekomendasi", "Recommendation"),
            label(
                c,
                recommendation,
                Recommendation::label_id,
                Recommendation::label_en,
            ),
        ),
        (
            c.t("Batas waktu penanganan", "Remediation deadline"),
            c.when(due_at),
        ),
    ])
    .para(c.t(
        "Mohon kerentanan tersebut ditangani dalam waktu 7 (tujuh) hari sejak pemberitahuan \
         ini dan laporan hasil penanganannya disampaikan melalui SIGAP sebelum batas waktu \
         di atas.",
        "Please fix the vulnerability within 7 (seven) days of this notice and submit the \
         remediation report in SIGAP before the deadline above.",
    ))
    .block(c.ticket_link())
}

/// Writes this agency message.
pub(crate) fn reminder(
    c: &Context<'_>,
    agency: &str,
    system: &str,
    lead: Reminder,
    due_at: DateTime<Utc>,
) -> Draft {
    let subject = match lead {
        Reminder::ThreeDays => c.t(
            "Pengingat: batas waktu penanganan kerentanan 3 hari lagi",
            "Reminder: the remediation deadline is in 3 days",
        ),
        Reminder::OneDay => c.t(
            "Pengingat: batas waktu penanganan kerentanan 1 hari lagi",
            "Reminder: the remediation deadline is in 1 day",
        ),
    };
    Draft::new(subject, &greeting(c, agency))
        .para(c.t(
            "Dengan hormat kami ingatkan bahwa batas waktu penanganan kerentanan pada sistem \
             elektronik berikut akan segera berakhir. Mohon laporan hasil penanganan \
             disampaikan melalui SIGAP sebelum batas waktu.",
            "This is a reminder that the deadline to fix the vulnerability in the following \
             system is near. Please submit the remediation report in SIGAP before it.",
        ))
        .facts(vec![
            (
                c.t("Sistem elektronik", "Electronic system"),
                system.to_owned(),
            ),
            (
                c.t("Batas waktu penanganan", "Remediation deadline"),
                c.when(due_at),
            ),
        ])
        .block(c.ticket_link())
}

/// Writes this agency message.
pub(crate) fn overdue(c: &Context<'_>, agency: &str, system: &str, due_at: DateTime<Utc>) -> Draft {
    Draft::new(
        c.t(
            "Batas waktu penanganan kerentanan telah terlampaui",
            "The remediation deadline has passed",
        ),
        &greeting(c, agency),
    )
    .para(c.t(
        "Batas waktu 7 (tujuh) hari untuk penanganan kerentanan pada sistem elektronik \
         berikut telah terlampaui dan laporan hasil penanganan belum kami terima. Keterlambatan \
         ini tercatat dan dilaporkan kepada pimpinan. Mohon laporan hasil penanganan segera \
         disampaikan melalui SIGAP.",
        "The 7-day deadline to fix the vulnerability in the following system has passed and \
         we have not received the remediation report. The delay is recorded and reported to \
         management. Please submit the remediation report in SIGAP without delay.",
    ))
    .facts(vec![
        (
            c.t("Sistem elektronik", "Electronic system"),
            system.to_owned(),
        ),
        (
            c.t("Batas waktu penanganan", "Remediation deadline"),
            c.when(due_at),
        ),
    ])
    .block(c.ticket_link())
}

/// Writes the short notice of a block made before the agency is told of the report (SOP
/// step 5 before step 6): the system and the time, nothing of the finding, and no link
/// (the ticket opens to the agency with the notice letter).
pub(crate) fn blocked(c: &Context<'_>, agency: &str, system: &str, at: DateTime<Utc>) -> Draft {
    Draft::new(
        c.t(
            "Pemberitahuan pemblokiran sementara sistem elektronik",
            "Notice of a temporary block of an electronic system",
        ),
        &greeting(c, agency),
    )
    .para(c.t(
        "Dengan hormat kami beritahukan bahwa sistem elektronik berikut diblokir sementara \
         karena kerentanan berisiko tinggi yang dilaporkan kepada kami, sesuai prosedur \
         penanganan laporan kerentanan. Laporan hasil validasi dan surat pemberitahuan resmi \
         akan kami sampaikan segera; pemblokiran dibuka setelah kerentanan dinyatakan \
         tertangani.",
        "This is to inform you that the following electronic system has been blocked \
         temporarily because of a high-risk vulnerability reported to us, as the procedure \
         for vulnerability reports requires. The validation report and the official notice \
         letter will follow shortly; the block is lifted once the vulnerability is found \
         fixed.",
    ))
    .facts(vec![
        (
            c.t("Sistem elektronik", "Electronic system"),
            system.to_owned(),
        ),
        (c.t("Diblokir sejak", "Blocked since"), c.when(at)),
    ])
}

/// Writes this agency message.
pub(crate) fn follow_up(c: &Context<'_>, agency: &str, system: &str) -> Draft {
    Draft::new(
        c.t(
            "Surat tindak lanjut hasil penanganan kerentanan",
            "Follow-up letter on the remediation",
        ),
        &greeting(c, agency),
    )
    .para(c.t(
        "Bersama ini kami sampaikan surat terkait hasil tindak lanjut penanganan kerentanan \
         pada sistem elektronik berikut. Surat resmi terlampir dalam pesan ini. Hasil \
         tindak lanjut akan dibahas dalam rapat internal BATAM-CSIRT.",
        "Please find attached the letter on the follow-up of the remediation of the \
         following system. The results will be discussed in a BATAM-CSIRT internal review \
         meeting.",
    ))
    .facts(vec![(
        c.t("Sistem elektronik", "Electronic system"),
        system.to_owned(),
    )])
    .block(c.ticket_link())
}
