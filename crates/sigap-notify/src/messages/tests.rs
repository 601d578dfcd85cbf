use chrono::{DateTime, TimeZone, Utc};
use sigap_core::{Channel, Criticality, Email, Recommendation, Severity, State, TicketNumber};

use super::*;
use crate::ics::{MeetingEvent, Participant};

const HOSTILE: &str = "<script>alert(\"x'&\")</script>";

fn due() -> DateTime<Utc> {
    // 02:00 UTC = 09:00 WIB on Monday 17 August 2026.
    Utc.with_ymd_and_hms(2026, 8, 17, 2, 0, 0).unwrap()
}

fn ticket(tlp: Tlp) -> TicketRef {
    TicketRef {
        number: TicketNumber::parse("BCSIRT-2026-00042").unwrap(),
        tlp,
        title: Some(format!("SQL injection {HOSTILE}")),
    }
}

fn public() -> PublicUrl {
    PublicUrl::parse("https://sigap.batam.go.id").unwrap()
}

fn event() -> MeetingEvent {
    MeetingEvent {
        uid: "BCSIRT-2026-00042-review-1@sigap.batam.go.id".to_owned(),
        sequence: 0,
        start: due(),
        end: due() + chrono::TimeDelta::hours(1),
        summary: format!("Rapat {HOSTILE}"),
        description: None,
        location: Some(format!("Ruang rapat {HOSTILE}")),
        video_url: None,
        organizer: Participant::required(
            Some("BATAM-CSIRT"),
            Email::parse("csirt@batam.go.id").unwrap(),
        ),
        attendees: vec![],
        comment: Some(format!("Narasumber berhalangan {HOSTILE}")),
    }
}

/// One message of every kind, with a hostile string in every text field.
fn every_message() -> Vec<Message> {
    let text = || HOSTILE.to_owned();
    vec![
        Message::ReportReceived {
            tracking_token: TrackingToken::parse("7f3a9c2e41d84b6a9d0e"),
        },
        Message::ReportValidated,
        Message::ReportRejected { reason: text() },
        Message::VulnerabilityFixed,
        Message::TicketClosed,
        Message::CsirtReply { body: text() },
        Message::AgencyNotice {
            agency: text(),
            system: text(),
            criticality: Criticality::High,
            recommendation: Recommendation::Warning,
            due_at: due(),
        },
        Message::RemediationReminder {
            agency: text(),
            system: text(),
            lead: Reminder::ThreeDays,
            due_at: due(),
        },
        Message::RemediationReminder {
            agency: text(),
            system: text(),
            lead: Reminder::OneDay,
            due_at: due(),
        },
        Message::RemediationOverdue {
            agency: text(),
            system: text(),
            due_at: due(),
        },
        Message::SystemBlocked {
            agency: text(),
            system: text(),
            at: due(),
        },
        Message::PersonalDataClock {
            reader: crate::PdpReader::Agency(text()),
            stage: crate::PdpStage::FirstReminder,
            system: text(),
            due_at: due(),
            missing: vec![sigap_core::pdp::NoticeRecipient::Subjects],
            agency_told: true,
        },
        Message::SectoralReportClock {
            overdue: true,
            due_at: due(),
            reasons: sigap_core::bssn::Reason::ALL.to_vec(),
        },
        Message::PersonalDataClock {
            reader: crate::PdpReader::CsirtLead,
            stage: crate::PdpStage::Overdue,
            system: text(),
            due_at: due(),
            missing: sigap_core::pdp::NoticeRecipient::ALL.to_vec(),
            agency_told: false,
        },
        Message::FollowUpLetter {
            agency: text(),
            system: text(),
        },
        Message::NewReport {
            channel: Channel::Web,
            severity: Severity::High,
            vulnerability_type: text(),
            due_at: due(),
        },
        Message::HighFindingActive {
            system: text(),
            due_at: due(),
        },
        Message::UnblockRequested {
            system: text(),
            due_at: due(),
        },
        Message::Assigned {
            by: text(),
            state: State::Assessing,
        },
        Message::MailReply {
            from_agency: true,
            closed: true,
        },
        Message::MailBounced {
            reporter: true,
            status: text(),
        },
        Message::ReporterWrote {
            message: true,
            files: 2,
        },
        Message::ApprovalRequested {
            agency: text(),
            system: text(),
            valid_reports: 4,
            due_at: due(),
        },
        Message::OverdueEscalation {
            to: Escalation::CsirtLead,
            state: State::Remediating,
            due_at: due(),
        },
        Message::Meeting {
            change: MeetingChange::Invitation,
            purpose: MeetingPurpose::Review,
            event: Box::new(event()),
            ticket_link: true,
        },
        Message::Meeting {
            change: MeetingChange::Cancellation,
            purpose: MeetingPurpose::Validation,
            event: Box::new(event()),
            ticket_link: false,
        },
    ]
}

fn render(tlp: Tlp, lang: MailLang, message: Message) -> Rendered {
    Notification {
        ticket: ticket(tlp),
        lang,
        message,
    }
    .render(&public())
}

#[test]
fn every_subject_names_the_ticket_and_starts_with_a_marked_label() {
    for lang in [MailLang::Id, MailLang::En] {
        for message in every_message() {
            let marked = render(Tlp::AmberStrict, lang, message.clone());
            assert!(
                marked
                    .subject
                    .starts_with("[TLP:AMBER+STRICT] [BCSIRT-2026-00042] "),
                "{}",
                marked.subject
            );
            assert!(
                marked.text.starts_with("TLP:AMBER+STRICT: "),
                "{}",
                marked.text
            );
            assert!(marked.html.contains("TLP:AMBER+STRICT"));
            let clear = render(Tlp::Clear, lang, message);
            assert!(
                clear.subject.starts_with("[BCSIRT-2026-00042] "),
                "{}",
                clear.subject
            );
            assert!(!clear.text.contains("TLP:"));
            assert!(!clear.html.contains("TLP:"));
        }
    }
}

#[test]
fn hostile_values_are_escaped_in_html_and_kept_as_text_in_plain_text() {
    for message in every_message() {
        let rendered = render(Tlp::Red, MailLang::Id, message);
        assert!(!rendered.html.contains("<script"), "{}", rendered.html);
        assert!(!rendered.html.contains("x'&"), "{}", rendered.html);
        assert!(
            rendered
                .html
                .contains("&lt;script&gt;alert(&quot;x&#39;&amp;&quot;)")
        );
        assert!(rendered.text.contains(HOSTILE), "{}", rendered.text);
    }
}

#[test]
fn subjects_cannot_carry_a_second_header_line() {
    let mut reference = ticket(Tlp::Clear);
    reference.title = Some("x\r\nBcc: victim@example.com".to_owned());
    let rendered = Notification {
        ticket: reference,
        lang: MailLang::Id,
        message: Message::ReportValidated,
    }
    .render(&public());
    assert!(!rendered.subject.contains('\n') && !rendered.subject.contains('\r'));
    assert!(rendered.text.contains("Judul: x  Bcc: victim@example.com"));
}

#[test]
fn every_message_body_names_the_ticket() {
    for message in every_message() {
        let rendered = render(Tlp::Green, MailLang::En, message);
        assert!(rendered.text.contains("Ticket number: BCSIRT-2026-00042"));
        assert!(rendered.html.contains("BCSIRT-2026-00042"));
    }
}

#[test]
fn acknowledgement_gives_the_tracking_link_and_code_in_the_reporters_language() {
    let message = Message::ReportReceived {
        tracking_token: TrackingToken::parse("7f3a9c2e41d84b6a9d0e"),
    };
    let id = render(Tlp::Clear, MailLang::Id, message.clone());
    assert_eq!(
        id.subject,
        "[BCSIRT-2026-00042] Laporan Anda telah diterima"
    );
    assert!(id.text.contains("Yth. Bapak/Ibu Pelapor,"));
    assert!(
        id.text
            .contains("https://sigap.batam.go.id/track?ticket=BCSIRT-2026-00042")
    );
    assert!(id.text.contains("Kode pelacakan: 7f3a9c2e41d84b6a9d0e"));
    assert!(
        id.html
            .contains("<a href=\"https://sigap.batam.go.id/track?ticket=BCSIRT-2026-00042\">")
    );
    let en = render(Tlp::Clear, MailLang::En, message);
    assert_eq!(en.subject, "[BCSIRT-2026-00042] Your report was received");
    assert!(en.text.contains("Tracking code: 7f3a9c2e41d84b6a9d0e"));
    assert!(en.text.contains("Kind regards,"));
}

#[test]
fn odd_tracking_tokens_are_not_accepted() {
    assert!(TrackingToken::parse("short").is_none());
    assert!(TrackingToken::parse("7f3a9c2e41d84b6a<b>").is_none());
    assert!(TrackingToken::parse(&"a".repeat(129)).is_none());
}

#[test]
fn deadlines_are_shown_in_wib_in_the_readers_language() {
    let message = Message::RemediationReminder {
        agency: "Dinas Pendidikan".to_owned(),
        system: "PPDB Online".to_owned(),
        lead: Reminder::OneDay,
        due_at: due(),
    };
    let id = render(Tlp::AmberStrict, MailLang::Id, message.clone());
    assert!(
        id.subject
            .ends_with("Pengingat: batas waktu penanganan kerentanan 1 hari lagi")
    );
    assert!(id.text.contains("Yth. Kepala Dinas Pendidikan,"));
    assert!(
        id.text
            .contains("Batas waktu penanganan: Senin, 17 Agustus 2026 09.00 WIB")
    );
    let en = render(Tlp::AmberStrict, MailLang::En, message);
    assert!(
        en.text
            .contains("Remediation deadline: Monday, 17 August 2026 09:00 WIB")
    );
}

#[test]
fn links_lead_only_into_sigap() {
    for message in every_message() {
        let rendered = render(Tlp::Clear, MailLang::Id, message);
        for (index, _) in rendered.html.match_indices("href=\"") {
            let target = &rendered.html[index + 6..];
            assert!(target.starts_with("https://sigap.batam.go.id/"), "{target}");
        }
    }
}

#[test]
fn the_high_finding_notice_says_it_is_live() {
    let rendered = render(
        Tlp::AmberStrict,
        MailLang::Id,
        Message::HighFindingActive {
            system: "simpeg.batam.go.id".to_owned(),
            due_at: due(),
        },
    );
    assert!(rendered.text.contains("Temuan tingkat tinggi sedang aktif"));
    assert!(
        rendered
            .text
            .contains("https://sigap.batam.go.id/tickets/BCSIRT-2026-00042")
    );
}

#[test]
fn meeting_messages_carry_their_calendar_method() {
    let notification = |change| Notification {
        ticket: ticket(Tlp::Clear),
        lang: MailLang::Id,
        message: Message::Meeting {
            change,
            purpose: MeetingPurpose::Review,
            event: Box::new(event()),
            ticket_link: true,
        },
    };
    let method = |change| notification(change).calendar().map(|(_, method)| method);
    assert_eq!(
        method(MeetingChange::Invitation),
        Some(crate::CalendarMethod::Request)
    );
    assert_eq!(
        method(MeetingChange::Update),
        Some(crate::CalendarMethod::Request)
    );
    assert_eq!(
        method(MeetingChange::Cancellation),
        Some(crate::CalendarMethod::Cancel)
    );
    let rendered = notification(MeetingChange::Invitation).render(&public());
    assert!(
        rendered
            .text
            .contains("Mulai: Senin, 17 Agustus 2026 09.00 WIB")
    );
    assert!(rendered.subject.contains("Undangan rapat"));
}

#[test]
fn a_meeting_mail_to_an_agency_not_yet_told_carries_no_ticket_link() {
    let meeting = |ticket_link| Message::Meeting {
        change: MeetingChange::Invitation,
        purpose: MeetingPurpose::Validation,
        event: Box::new(event()),
        ticket_link,
    };
    let with = render(Tlp::AmberStrict, MailLang::Id, meeting(true));
    assert!(
        with.text.contains("https://sigap.batam.go.id/tickets/"),
        "{}",
        with.text
    );
    let without = render(Tlp::AmberStrict, MailLang::Id, meeting(false));
    assert!(!without.text.contains("/tickets/"), "{}", without.text);
    assert!(!without.html.contains("/tickets/"), "{}", without.html);
    assert!(
        without.subject.contains("Undangan rapat"),
        "{}",
        without.subject
    );
}
