//! Messages to staff: a new report for the help desk and the CSIRT, a live high finding for
//! the domain officers (step 5), the five-minute unblock for the domain officer (step 10),
//! the approval request to the Regional Secretary, and the escalation of an overdue step.
//! Staff read Indonesian unless the caller chooses otherwise.

use chrono::{DateTime, Utc};
use sigap_core::{Channel, Severity, State};

use crate::messages::Escalation;
use crate::messages::draft::{Context, Draft};

/// The help desk and the CSIRT: a new report waits for validation.
pub(crate) fn new_report(
    c: &Context<'_>,
    channel: Channel,
    severity: Severity,
    vulnerability_type: &str,
    due_at: DateTime<Utc>,
) -> Draft {
    Draft::new(
        c.t(
            "Laporan baru menunggu validasi",
            "New report awaiting validation",
        ),
        c.t(
            "Yth. Petugas Layanan Aduan dan Tim Internal BATAM-CSIRT,",
            "Dear help desk and CSIRT team,",
        ),
    )
    .para(c.t(
        "Laporan kerentanan baru telah masuk dan tercatat sebagai tiket. Mohon segera \
         dilakukan validasi sesuai SOP (langkah 3).",
        "A new vulnerability report has been recorded as a ticket. Please validate it as \
         the SOP requires (step 3).",
    ))
    .facts(vec![
        (
            c.t("Saluran", "Channel"),
            c.t(channel.label_id(), channel.label_en()).to_owned(),
        ),
        (
            c.t(
                "Tingkat keparahan menurut pelapor",
                "Severity claimed by the reporter",
            ),
            c.t(severity.label_id(), severity.label_en()).to_owned(),
        ),
        (
            c.t("Jenis kerentanan", "Vulnerability type"),
            vulnerability_type.to_owned(),
        ),
        (
            c.t("Batas waktu validasi", "Validation due"),
            c.when(due_at),
        ),
    ])
    .block(c.ticket_link())
}

/// The domain officers: a high finding is live; block the system.
pub(crate) fn high_finding(c: &Context<'_>, system: &str, due_at: DateTime<Utc>) -> Draft {
    Draft::new(
        c.t(
            "Temuan tingkat tinggi sedang aktif: sistem elektronik perlu diblokir",
            "High finding active: the system must be blocked",
        ),
        c.t(
            "Yth. Pejabat Nama Domain / Petugas Sistem Elektronik,",
            "Dear domain officer,",
        ),
    )
    .para(c.t(
        "Temuan tingkat tinggi sedang aktif. Berdasarkan Berita Acara Penilaian Tingkat \
         Kekritisan, kerentanan pada sistem elektronik berikut dinilai tinggi. Sesuai SOP \
         (langkah 5), mohon sistem tersebut segera diblokir dan bukti pemblokiran diunggah \
         ke SIGAP.",
        "A high finding is active. The criticality minutes rate the vulnerability in the \
         following system as high. As the SOP requires (step 5), please block the system \
         now and upload the evidence of the block to SIGAP.",
    ))
    .facts(vec![
        (
            c.t("Sistem elektronik", "Electronic system"),
            system.to_owned(),
        ),
        (c.t("Batas waktu pemblokiran", "Block due"), c.when(due_at)),
    ])
    .block(c.ticket_link())
}

/// The domain officer: lift the block within five minutes.
pub(crate) fn unblock(c: &Context<'_>, system: &str, due_at: DateTime<Utc>) -> Draft {
    Draft::new(
        c.t(
            "Buka blokir sistem elektronik dalam 5 menit",
            "Lift the block within 5 minutes",
        ),
        c.t(
            "Yth. Pejabat Nama Domain / Petugas Sistem Elektronik,",
            "Dear domain officer,",
        ),
    )
    .para(c.t(
        "Kerentanan telah dinyatakan selesai ditangani. Sesuai SOP (langkah 10), mohon blokir \
         sistem elektronik berikut dibuka dalam waktu 5 (lima) menit dan bukti bahwa layanan \
         telah aktif kembali diunggah ke SIGAP.",
        "The vulnerability has been found fixed. As the SOP requires (step 10), please lift \
         the block of the following system within 5 (five) minutes and upload the evidence \
         that the service is back to SIGAP.",
    ))
    .facts(vec![
        (
            c.t("Sistem elektronik", "Electronic system"),
            system.to_owned(),
        ),
        (
            c.t("Batas waktu buka blokir", "Unblock due"),
            c.when(due_at),
        ),
    ])
    .block(c.ticket_link())
}

/// The Regional Secretary: decide on reactivation under the "> 3 reports" rule.
pub(crate) fn approval(
    c: &Context<'_>,
    agency: &str,
    system: &str,
    valid_reports: u32,
    due_at: DateTime<Utc>,
) -> Draft {
    Draft::new(
        c.t(
            "Permohonan persetujuan pengaktifan kembali sistem elektronik",
            "Approval requested to reactivate an electronic system",
        ),
        c.t(
            "Yth. Sekretaris Daerah Kota Batam,",
            "Dear Regional Secretary,",
        ),
    )
    .para(c.t(
        "Kerentanan pada sistem elektronik berikut telah dinyatakan selesai ditangani. Karena \
         perangkat daerah pemiliknya telah menerima laporan lebih dari 3 (tiga) kali, sesuai \
         SOP pengaktifan kembali sistem tersebut memerlukan persetujuan Bapak/Ibu.",
        "The vulnerability in the following system has been found fixed. Because its agency \
         has received more than 3 (three) reports, the SOP requires your approval to \
         reactivate the system.",
    ))
    .facts(vec![
        (c.t("Perangkat daerah", "Agency"), agency.to_owned()),
        (
            c.t("Sistem elektronik", "Electronic system"),
            system.to_owned(),
        ),
        (
            c.t("Jumlah laporan valid", "Valid reports"),
            valid_reports.to_string(),
        ),
        (c.t("Batas waktu keputusan", "Decision due"), c.when(due_at)),
    ])
    .block(c.ticket_link())
}

/// The CSIRT lead or the agency head: a step is overdue.
pub(crate) fn escalation(
    c: &Context<'_>,
    to: Escalation,
    state: State,
    due_at: DateTime<Utc>,
) -> Draft {
    let greeting = match to {
        Escalation::CsirtLead => c.t("Yth. Ketua BATAM-CSIRT,", "Dear head of BATAM-CSIRT,"),
        Escalation::AgencyHead => c.t("Yth. Kepala Perangkat Daerah,", "Dear head of agency,"),
    };
    Draft::new(
        c.t(
            "Eskalasi: tahapan melewati batas waktu",
            "Escalation: a step is overdue",
        ),
        greeting,
    )
    .para(c.t(
        "Tahapan penanganan berikut telah melewati batas waktu yang ditetapkan dalam SOP. \
         Mohon arahan dan tindak lanjut Bapak/Ibu agar penanganan dapat segera diselesaikan.",
        "The following step of the procedure is past the deadline the SOP sets. Please see \
         that it is completed without delay.",
    ))
    .facts(vec![
        (
            c.t("Tahapan", "Step"),
            c.t(state.label_id(), state.label_en()).to_owned(),
        ),
        (c.t("Batas waktu", "Deadline"), c.when(due_at)),
    ])
    .block(c.ticket_link())
}

/// Writes the message to a staff member a ticket has been assigned to.
pub(crate) fn assigned(c: &Context<'_>, by: &str, state: State) -> Draft {
    Draft::new(
        c.t(
            "Tiket ditugaskan kepada Anda",
            "A ticket has been assigned to you",
        ),
        c.t("Yth. Bapak/Ibu,", "Dear colleague,"),
    )
    .para(c.t(
        "Tiket berikut ditugaskan kepada Anda. Silakan buka tiket untuk melihat laporan dan \
         langkah SOP yang sedang berjalan.",
        "The following ticket has been assigned to you. Please open it to read the report \
         and the SOP step in progress.",
    ))
    .facts(vec![
        (c.t("Ditugaskan oleh", "Assigned by"), by.to_owned()),
        (
            c.t("Tahap saat ini", "Current step"),
            c.t(state.label_id(), state.label_en()).to_owned(),
        ),
    ])
    .block(c.ticket_link())
}

/// Writes the message to a ticket's assignee that the reporter has written: that they did,
/// not what (the words and files are read in SIGAP).
pub(crate) fn reporter_wrote(c: &Context<'_>, message: bool, files: u32) -> Draft {
    let mut facts = Vec::new();
    if message {
        facts.push((
            c.t("Pesan", "Message"),
            c.t("1 pesan baru", "1 new message").to_owned(),
        ));
    }
    if files > 0 {
        facts.push((
            c.t("Berkas", "Files"),
            match c.lang {
                crate::MailLang::Id => format!("{files} berkas baru"),
                crate::MailLang::En => format!("{files} new file(s)"),
            },
        ));
    }
    Draft::new(
        c.t("Pelapor menambahkan pesan", "The reporter has written"),
        c.t("Yth. Bapak/Ibu,", "Dear colleague,"),
    )
    .para(c.t(
        "Pelapor menambahkan pesan atau berkas pada tiket yang ditugaskan kepada Anda. \
         Silakan buka tiket untuk membacanya.",
        "The reporter has added a message or files to a ticket assigned to you. Please \
         open the ticket to read it.",
    ))
    .facts(facts)
    .block(c.ticket_link())
}

/// A reply by e-mail added to a ticket; on a closed ticket, that it stays closed.
pub(crate) fn mail_reply(c: &Context<'_>, from_agency: bool, closed: bool) -> Draft {
    let who = if from_agency {
        c.t("Perangkat daerah", "The agency")
    } else {
        c.t("Pelapor", "The reporter")
    };
    let mut draft = Draft::new(
        &format!(
            "{who} {}",
            c.t("membalas melalui surel", "replied by e-mail")
        ),
        c.t("Yth. Bapak/Ibu,", "Dear colleague,"),
    )
    .para(format!(
        "{who} {}",
        c.t(
            "membalas surel tentang tiket ini. Balasan itu telah ditambahkan pada tiket; \
             silakan buka tiket untuk membacanya.",
            "replied to a mail about this ticket. The reply was added to the ticket; please \
             open the ticket to read it.",
        )
    ));
    if closed {
        draft = draft.para(c.t(
            "Tiket ini sudah ditutup. Balasan dicatat pada tiket dan tiket tidak dibuka \
             kembali melalui surel.",
            "This ticket is closed. The reply is recorded on it and the ticket is not \
             reopened by mail.",
        ));
    }
    draft.block(c.ticket_link())
}

/// A mail about the ticket came back undelivered; for the reporter's, how to go on.
pub(crate) fn mail_bounced(c: &Context<'_>, reporter: bool, status: &str) -> Draft {
    let (subject, opening) = if reporter {
        (
            c.t(
                "Surel kepada pelapor tidak terkirim",
                "Mail to the reporter bounced",
            ),
            c.t(
                "Server surel penerima menolak surel tentang tiket ini yang dikirim kepada \
                 pelapor: alamat surel pelapor tidak dapat menerima surel. Hubungi pelapor \
                 melalui nomor telepon yang dicantumkannya, bila ada; pelapor tetap dapat \
                 memantau tiket dengan tautan pemantauannya.",
                "The recipient's mail server returned a mail about this ticket sent to the \
                 reporter: the reporter's address does not take mail. Reach the reporter by \
                 the telephone number they gave, if any; they can still follow the ticket \
                 with its tracking link.",
            ),
        )
    } else {
        (
            c.t(
                "Surel kepada perangkat daerah tidak terkirim",
                "Mail to the agency bounced",
            ),
            c.t(
                "Server surel penerima menolak surel tentang tiket ini yang dikirim kepada \
                 perangkat daerah. Periksa alamat surel perangkat daerah pada halaman \
                 perangkat daerah.",
                "The recipient's mail server returned a mail about this ticket sent to the \
                 agency. Check the agency's address on the agencies page.",
            ),
        )
    };
    Draft::new(subject, c.t("Yth. Bapak/Ibu,", "Dear colleague,"))
        .para(opening)
        .facts(vec![(c.t("Status", "Status"), status.to_owned())])
        .block(c.ticket_link())
}
