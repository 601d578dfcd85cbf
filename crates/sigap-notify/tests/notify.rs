//! Sends notifications through the real SMTP mailer to the SMTP sink over TCP and reads
//! them back as a mail client would: headers, parts, attachments and the calendar part.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use mail_parser::{Message as Parsed, MessagePart, MimeHeaders};
use sha2::{Digest, Sha256};
use sigap_core::{Criticality, Email, Recommendation, TicketNumber};
use sigap_notify::sink::{SinkOptions, SmtpSink};
use sigap_notify::{
    CalendarMethod, Envelope, MailLang, Mailer, MeetingChange, MeetingEvent, Message, Notification,
    Outbox, Participant, PublicUrl, SendError, SmtpMailer, SmtpOptions, TicketRef, Tlp,
    messages::{MeetingPurpose, TrackingToken},
};

const FROM: &str = "BATAM-CSIRT <csirt@batam.go.id>";
const HOSTILE: &str = "<script>alert(\"x'&\")</script>";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 8, 10, 3, 0, 0).unwrap()
}

fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

fn public() -> PublicUrl {
    PublicUrl::parse("https://sigap.batam.go.id").unwrap()
}

fn ticket(tlp: Tlp) -> TicketRef {
    TicketRef {
        number: TicketNumber::parse("BCSIRT-2026-00007").unwrap(),
        tlp,
        title: Some("Kerentanan XSS pada portal layanan".to_owned()),
    }
}

fn mailer(sink: &SmtpSink) -> SmtpMailer {
    SmtpMailer::from_url(&sink.url(), FROM, SmtpOptions::default()).unwrap()
}

async fn send_one(sink: &SmtpSink, envelope: &Envelope) -> sigap_notify::sink::ReceivedMail {
    let before = sink.count();
    mailer(sink).send(envelope).await.unwrap();
    let received = sink.wait_for(before + 1, Duration::from_secs(10)).await;
    received
        .last()
        .cloned()
        .expect("the sink received the message")
}

fn text(parsed: &Parsed<'_>) -> String {
    parsed.body_text(0).unwrap().into_owned()
}

fn html(parsed: &Parsed<'_>) -> String {
    parsed.body_html(0).unwrap().into_owned()
}

fn first_address(list: Option<&mail_parser::Address<'_>>) -> String {
    list.and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap()
        .to_owned()
}

fn acknowledgement(lang: MailLang) -> Envelope {
    let notification = Notification {
        ticket: ticket(Tlp::Clear),
        lang,
        message: Message::ReportReceived {
            tracking_token: TrackingToken::parse("7f3a9c2e41d84b6a9d0e"),
        },
    };
    Envelope::for_notification(
        vec![email("pelapor@example.com")],
        &notification,
        &public(),
        now(),
    )
}

#[tokio::test]
async fn acknowledgement_reaches_the_reporter_in_indonesian() {
    let sink = SmtpSink::start().await.unwrap();
    let mail = send_one(&sink, &acknowledgement(MailLang::Id)).await;
    assert_eq!(mail.mail_from, "csirt@batam.go.id");
    assert_eq!(mail.rcpt_to, ["pelapor@example.com"]);
    let parsed = mail.parsed().unwrap();
    assert_eq!(
        parsed.subject(),
        Some("[BCSIRT-2026-00007] Laporan Anda telah diterima")
    );
    assert_eq!(first_address(parsed.from()), "csirt@batam.go.id");
    assert_eq!(first_address(parsed.to()), "pelapor@example.com");
    assert!(parsed.message_id().is_some());
    assert_eq!(parsed.date().unwrap().to_rfc3339(), "2026-08-10T03:00:00Z");
    let body = text(&parsed);
    assert!(body.contains("Nomor tiket: BCSIRT-2026-00007"), "{body}");
    assert!(body.contains("https://sigap.batam.go.id/track?ticket=BCSIRT-2026-00007"));
    assert!(body.contains("Kode pelacakan: 7f3a9c2e41d84b6a9d0e"));
    assert!(html(&parsed).contains("Terima kasih atas laporan kerentanan"));
    let root = parsed.content_type().unwrap();
    assert_eq!(
        (root.ctype(), root.subtype()),
        ("multipart", Some("alternative"))
    );
}

#[tokio::test]
async fn acknowledgement_reaches_the_reporter_in_english() {
    let sink = SmtpSink::start().await.unwrap();
    let mail = send_one(&sink, &acknowledgement(MailLang::En)).await;
    let parsed = mail.parsed().unwrap();
    assert_eq!(
        parsed.subject(),
        Some("[BCSIRT-2026-00007] Your report was received")
    );
    let body = text(&parsed);
    assert!(body.contains("Dear reporter,"));
    assert!(body.contains("Tracking code: 7f3a9c2e41d84b6a9d0e"));
    assert!(!body.contains("Yth."));
}

/// Bytes that test every transfer hazard: all 256 byte values, a line that is a lone dot,
/// lines starting with dots, bare CR and LF.
fn pdf_like_bytes() -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    for round in 0..200u16 {
        bytes.extend(0..=255u8);
        bytes.extend_from_slice(b"\r\n.\r\n..\n.\r");
        bytes.extend_from_slice(&round.to_be_bytes());
    }
    bytes.extend_from_slice(b"%%EOF\n");
    bytes
}

fn attachment<'a>(parsed: &'a Parsed<'a>, name: &str) -> &'a MessagePart<'a> {
    parsed
        .attachments()
        .find(|part| part.attachment_name() == Some(name))
        .expect("the attachment is there")
}

#[tokio::test]
async fn agency_notice_carries_the_letter_byte_for_byte() {
    let sink = SmtpSink::start().await.unwrap();
    let notification = Notification {
        ticket: ticket(Tlp::AmberStrict),
        lang: MailLang::Id,
        message: Message::AgencyNotice {
            agency: "Dinas Pendidikan".to_owned(),
            system: "ppdb.batam.go.id".to_owned(),
            criticality: Criticality::High,
            recommendation: Recommendation::Warning,
            due_at: now() + TimeDelta::days(7),
        },
    };
    let pdf = pdf_like_bytes();
    let envelope = Envelope::for_notification(
        vec![email("disdik@batam.go.id")],
        &notification,
        &public(),
        now(),
    )
    .with_cc(vec![email("csirt-lead@batam.go.id")])
    .with_reply_to(email("csirt@batam.go.id"))
    .with_message_id("notice.BCSIRT-2026-00007@sigap.batam.go.id")
    .attach(
        "surat-BCSIRT-2026-00007.pdf",
        "application/pdf",
        pdf.clone(),
    );
    let mail = send_one(&sink, &envelope).await;
    assert_eq!(
        mail.rcpt_to,
        ["disdik@batam.go.id", "csirt-lead@batam.go.id"]
    );
    let parsed = mail.parsed().unwrap();
    let subject = parsed.subject().unwrap();
    assert!(
        subject.starts_with("[TLP:AMBER+STRICT] [BCSIRT-2026-00007] "),
        "{subject}"
    );
    assert_eq!(first_address(parsed.cc()), "csirt-lead@batam.go.id");
    assert_eq!(first_address(parsed.reply_to()), "csirt@batam.go.id");
    assert_eq!(
        parsed.message_id(),
        Some("notice.BCSIRT-2026-00007@sigap.batam.go.id")
    );
    let part = attachment(&parsed, "surat-BCSIRT-2026-00007.pdf");
    let kind = part.content_type().unwrap();
    assert_eq!((kind.ctype(), kind.subtype()), ("application", Some("pdf")));
    assert_eq!(
        hex::encode(Sha256::digest(part.contents())),
        hex::encode(Sha256::digest(&pdf))
    );
    let body = text(&parsed);
    assert!(body.starts_with("TLP:AMBER+STRICT: "), "{body}");
    assert!(body.contains("Batas waktu penanganan: Senin, 17 Agustus 2026 10.00 WIB"));
    let root = parsed.content_type().unwrap();
    assert_eq!((root.ctype(), root.subtype()), ("multipart", Some("mixed")));
}

fn meeting(sequence: u32) -> MeetingEvent {
    let start = Utc.with_ymd_and_hms(2026, 8, 12, 2, 0, 0).unwrap();
    let number = TicketNumber::parse("BCSIRT-2026-00007").unwrap();
    MeetingEvent {
        uid: MeetingEvent::uid_for(&number, "review", 1, public().host()),
        sequence,
        start,
        end: start + TimeDelta::minutes(90),
        summary: "Rapat internal; pembahasan hasil tindak lanjut, BCSIRT-2026-00007 — \
                  Dinas Pendidikan dan Dinas Komunikasi dan Informatika Kota Batam"
            .to_owned(),
        description: Some("Agenda:\n1. Hasil perbaikan\n2. Keputusan \\ pengaktifan".to_owned()),
        location: Some("Ruang Rapat Diskominfo, Lt. 2".to_owned()),
        video_url: Some("https://meet.batam.go.id/csirt-7".parse().unwrap()),
        organizer: Participant::required(Some("BATAM-CSIRT"), email("csirt@batam.go.id")),
        attendees: vec![
            Participant::required(Some("Budi \"Ketua\" Santoso"), email("budi@batam.go.id")),
            Participant::required(None, email("disdik@batam.go.id")),
        ],
        comment: None,
    }
}

fn calendar_text(parsed: &Parsed<'_>) -> (String, String) {
    let part = parsed
        .parts
        .iter()
        .find(|part| {
            part.content_type()
                .is_some_and(|t| t.ctype() == "text" && t.subtype() == Some("calendar"))
        })
        .expect("a text/calendar part");
    let method = part
        .content_type()
        .unwrap()
        .attribute("method")
        .unwrap()
        .to_owned();
    let text = String::from_utf8(part.contents().to_vec()).unwrap();
    (method, text)
}

fn property<'a>(event: &'a icalendar::parser::Component<'a>, name: &str) -> String {
    event.find_prop(name).unwrap().val.as_str().to_owned()
}

async fn send_meeting(sink: &SmtpSink, change: MeetingChange, sequence: u32) -> (String, String) {
    let notification = Notification {
        ticket: ticket(Tlp::AmberStrict),
        lang: MailLang::Id,
        message: Message::Meeting {
            change,
            purpose: MeetingPurpose::Review,
            event: Box::new(meeting(sequence)),
            ticket_link: true,
        },
    };
    let to = vec![email("budi@batam.go.id"), email("disdik@batam.go.id")];
    let envelope = Envelope::for_notification(to, &notification, &public(), now());
    let mail = send_one(sink, &envelope).await;
    calendar_text(&mail.parsed().unwrap())
}

#[tokio::test]
async fn meeting_invitation_carries_a_calendar_that_parses() {
    let sink = SmtpSink::start().await.unwrap();
    let (method, ics) = send_meeting(&sink, MeetingChange::Invitation, 0).await;
    assert_eq!(method, "REQUEST");
    assert!(
        ics.lines().all(|line| line.len() <= 76),
        "folded at 75 octets + CR"
    );
    assert!(ics.split("\r\n").count() > 10 && !ics.replace("\r\n", "").contains('\n'));
    let unfolded = icalendar::parser::unfold(&ics);
    let calendar = icalendar::parser::read_calendar(&unfolded).unwrap();
    let top = |name: &str| {
        let found = calendar.properties.iter().find(|p| p.name.as_str() == name);
        found.unwrap().val.as_str().to_owned()
    };
    assert_eq!(top("METHOD"), "REQUEST");
    assert_eq!(top("VERSION"), "2.0");
    assert_eq!(top("PRODID"), sigap_notify::ics::PRODID);
    let event = &calendar.components[0];
    assert_eq!(event.name.as_str(), "VEVENT");
    assert_eq!(
        property(event, "UID"),
        "BCSIRT-2026-00007-review-1@sigap.batam.go.id"
    );
    assert_eq!(property(event, "SEQUENCE"), "0");
    assert_eq!(property(event, "DTSTART"), "20260812T020000Z");
    assert_eq!(property(event, "DTEND"), "20260812T033000Z");
    assert_eq!(property(event, "DTSTAMP"), "20260810T030000Z");
    assert_eq!(property(event, "SUMMARY"), meeting(0).summary);
    assert_eq!(
        property(event, "DESCRIPTION"),
        meeting(0).description.unwrap()
    );
    assert_eq!(property(event, "LOCATION"), "Ruang Rapat Diskominfo, Lt. 2");
    assert_eq!(property(event, "URL"), "https://meet.batam.go.id/csirt-7");
    assert_eq!(property(event, "STATUS"), "CONFIRMED");
    assert_eq!(property(event, "ORGANIZER"), "mailto:csirt@batam.go.id");
    let attendees: Vec<_> = event
        .properties
        .iter()
        .filter(|p| p.name.as_str() == "ATTENDEE")
        .collect();
    assert_eq!(attendees.len(), 2);
    assert_eq!(attendees[0].val.as_str(), "mailto:budi@batam.go.id");
    let param = |name: &str| {
        let found = attendees[0].params.iter().find(|p| p.key.as_str() == name);
        found
            .and_then(|p| p.val.as_ref())
            .map(|v| v.as_str().to_owned())
    };
    assert_eq!(param("ROLE").as_deref(), Some("REQ-PARTICIPANT"));
    assert_eq!(param("RSVP").as_deref(), Some("TRUE"));
    assert_eq!(
        param("CN").as_deref().map(|cn| cn.trim_matches('"')),
        Some("Budi Ketua Santoso")
    );
}

#[tokio::test]
async fn meeting_update_and_cancellation_keep_the_uid_and_raise_the_sequence() {
    let sink = SmtpSink::start().await.unwrap();
    let (method, update) = send_meeting(&sink, MeetingChange::Update, 1).await;
    assert_eq!(method, "REQUEST");
    let (method, cancel) = send_meeting(&sink, MeetingChange::Cancellation, 2).await;
    assert_eq!(method, "CANCEL");
    let read = |ics: &str| {
        let unfolded = icalendar::parser::unfold(ics);
        let calendar = icalendar::parser::read_calendar(&unfolded).unwrap();
        let event = &calendar.components[0];
        ["UID", "SEQUENCE", "STATUS"].map(|name| property(event, name))
    };
    let [uid, sequence, status] = read(&update);
    assert_eq!((sequence.as_str(), status.as_str()), ("1", "CONFIRMED"));
    let [cancel_uid, sequence, status] = read(&cancel);
    assert_eq!(cancel_uid, uid);
    assert_eq!((sequence.as_str(), status.as_str()), ("2", "CANCELLED"));
    assert!(cancel.contains("METHOD:CANCEL\r\n"));
}

#[tokio::test]
async fn a_cancellation_says_why_and_the_calendar_is_also_a_named_file() {
    let sink = SmtpSink::start().await.unwrap();
    let mut event = meeting(2);
    event.comment = Some("Narasumber berhalangan hadir.".to_owned());
    let notification = Notification {
        ticket: ticket(Tlp::AmberStrict),
        lang: MailLang::Id,
        message: Message::Meeting {
            change: MeetingChange::Cancellation,
            purpose: MeetingPurpose::Review,
            event: Box::new(event),
            ticket_link: true,
        },
    };
    let to = vec![email("budi@batam.go.id")];
    let envelope = Envelope::for_notification(to, &notification, &public(), now());
    let mail = send_one(&sink, &envelope).await;
    let parsed = mail.parsed().unwrap();
    let body = text(&parsed);
    assert!(
        body.contains("Alasan pembatalan: Narasumber berhalangan hadir."),
        "{body}"
    );
    let (method, ics) = calendar_text(&parsed);
    assert_eq!(method, "CANCEL");
    let unfolded = icalendar::parser::unfold(&ics);
    let calendar = icalendar::parser::read_calendar(&unfolded).unwrap();
    let event = &calendar.components[0];
    assert_eq!(property(event, "COMMENT"), "Narasumber berhalangan hadir.");
    // Clients that show only attachments get the same event as a file.
    let file = attachment(&parsed, sigap_notify::smtp::CALENDAR_FILE);
    assert_eq!(String::from_utf8_lossy(file.contents()), ics);
    let kind = file.content_type().unwrap();
    assert_eq!((kind.ctype(), kind.subtype()), ("application", Some("ics")));
}

/// The Message-IDs a header names.
fn ids(value: &mail_parser::HeaderValue<'_>) -> Vec<String> {
    match value {
        mail_parser::HeaderValue::Text(id) => vec![id.to_string()],
        mail_parser::HeaderValue::TextList(ids) => ids.iter().map(|id| id.to_string()).collect(),
        _ => Vec::new(),
    }
}

#[tokio::test]
async fn every_message_is_automatic_and_a_thread_is_named() {
    let sink = SmtpSink::start().await.unwrap();
    let envelope = acknowledgement(MailLang::Id)
        .with_message_id("a2@sigap.batam.go.id")
        .in_thread(vec![
            "root@sigap.batam.go.id".to_owned(),
            "a1@sigap.batam.go.id".to_owned(),
        ]);
    let mail = send_one(&sink, &envelope).await;
    let parsed = mail.parsed().unwrap();
    assert_eq!(
        parsed.header_raw("Auto-Submitted").map(str::trim),
        Some("auto-generated")
    );
    assert_eq!(ids(parsed.in_reply_to()), ["a1@sigap.batam.go.id"]);
    assert_eq!(
        ids(parsed.references()),
        ["root@sigap.batam.go.id", "a1@sigap.batam.go.id"]
    );
    // A message outside any thread names none.
    let lone = send_one(&sink, &acknowledgement(MailLang::Id)).await;
    let lone = lone.parsed().unwrap();
    assert!(lone.header_raw("In-Reply-To").is_none());
    assert!(lone.header_raw("References").is_none());
}

#[tokio::test]
async fn hostile_values_arrive_escaped_in_html() {
    let sink = SmtpSink::start().await.unwrap();
    let notification = Notification {
        ticket: TicketRef {
            title: Some(HOSTILE.to_owned()),
            ..ticket(Tlp::Red)
        },
        lang: MailLang::Id,
        message: Message::ReportRejected {
            reason: format!("Bukan kerentanan {HOSTILE}"),
        },
    };
    let envelope = Envelope::for_notification(
        vec![email("pelapor@example.com")],
        &notification,
        &public(),
        now(),
    );
    let parsed_mail = send_one(&sink, &envelope).await;
    let parsed = parsed_mail.parsed().unwrap();
    assert!(
        parsed
            .subject()
            .unwrap()
            .starts_with("[TLP:RED] [BCSIRT-2026-00007]")
    );
    let body = html(&parsed);
    assert!(!body.contains("<script"), "{body}");
    assert!(body.contains("&lt;script&gt;alert(&quot;x&#39;&amp;&quot;)&lt;/script&gt;"));
    assert!(text(&parsed).contains(HOSTILE));
}

#[tokio::test]
async fn a_sink_that_is_down_is_a_transient_failure() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let options = SmtpOptions {
        timeout: Duration::from_secs(5),
        ..SmtpOptions::default()
    };
    let mailer = SmtpMailer::from_url(&format!("smtp://127.0.0.1:{port}"), FROM, options).unwrap();
    let error = mailer
        .send(&acknowledgement(MailLang::Id))
        .await
        .unwrap_err();
    assert!(error.is_transient(), "{error}");
}

#[tokio::test]
async fn a_refused_recipient_is_permanent_and_a_deferred_one_transient() {
    let sink = SmtpSink::start_with(SinkOptions {
        refuse_recipients_containing: Some("unknown".to_owned()),
        defer_recipients_containing: Some("busy".to_owned()),
        ..SinkOptions::default()
    })
    .await
    .unwrap();
    let mailer = mailer(&sink);
    let mut envelope = acknowledgement(MailLang::Id);
    envelope.to = vec![email("unknown@example.com")];
    let error = mailer.send(&envelope).await.unwrap_err();
    assert!(matches!(error, SendError::Permanent(_)), "{error}");
    envelope.to = vec![email("busy@example.com")];
    let error = mailer.send(&envelope).await.unwrap_err();
    assert!(error.is_transient(), "{error}");
    envelope.to = vec![email("pelapor@example.com")];
    mailer.send(&envelope).await.unwrap();
    assert_eq!(sink.wait_for(1, Duration::from_secs(10)).await.len(), 1);
}

#[tokio::test]
async fn credentials_in_the_url_authenticate() {
    let sink = SmtpSink::start().await.unwrap();
    let url = format!("smtp://mailer:s3cret@{}", sink.addr());
    let mailer = SmtpMailer::from_url(&url, FROM, SmtpOptions::default()).unwrap();
    mailer.send(&acknowledgement(MailLang::Id)).await.unwrap();
    let received = sink.wait_for(1, Duration::from_secs(10)).await;
    assert!(received[0].authenticated);
}

#[tokio::test]
async fn the_outbox_keeps_what_would_have_been_sent() {
    let outbox = Outbox::new(FROM.parse().unwrap());
    let mailer: &dyn Mailer = &outbox;
    mailer.send(&acknowledgement(MailLang::En)).await.unwrap();
    let sent = outbox.take();
    assert_eq!(sent.len(), 1);
    let parsed = mail_parser::MessageParser::default()
        .parse(&sent[0].raw)
        .unwrap();
    assert_eq!(
        parsed.subject(),
        Some("[BCSIRT-2026-00007] Your report was received")
    );
    assert!(outbox.sent().is_empty());
}

#[tokio::test]
async fn a_message_with_an_unusable_attachment_type_is_a_permanent_failure() {
    let outbox = Outbox::new(FROM.parse().unwrap());
    let envelope = acknowledgement(MailLang::Id).attach("x.bin", "not a type", vec![1, 2, 3]);
    let error = outbox.send(&envelope).await.unwrap_err();
    assert!(matches!(error, SendError::Permanent(_)));
    assert_eq!(CalendarMethod::Cancel.as_str(), "CANCEL");
}

/// Speaks SMTP by hand: one line out, the reply code back.
async fn exchange(stream: &mut tokio::io::BufReader<tokio::net::TcpStream>, line: &str) -> String {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    stream.get_mut().write_all(line.as_bytes()).await.unwrap();
    let mut reply = String::new();
    loop {
        let mut one = String::new();
        stream.read_line(&mut one).await.unwrap();
        reply.push_str(&one);
        if one.as_bytes().get(3) != Some(&b'-') {
            return reply;
        }
    }
}

#[tokio::test]
async fn the_sink_speaks_smtp_and_undoes_dot_stuffing() {
    use tokio::io::AsyncBufReadExt;
    let sink = SmtpSink::start().await.unwrap();
    let stream = tokio::net::TcpStream::connect(sink.addr()).await.unwrap();
    let mut stream = tokio::io::BufReader::new(stream);
    let mut greeting = String::new();
    stream.read_line(&mut greeting).await.unwrap();
    assert!(greeting.starts_with("220 "));
    assert!(
        exchange(&mut stream, "HELO client\r\n")
            .await
            .starts_with("250 ")
    );
    assert!(
        exchange(&mut stream, "RCPT TO:<a@example.com>\r\n")
            .await
            .starts_with("503 ")
    );
    assert!(
        exchange(&mut stream, "MAIL FROM:<x@example.com>\r\n")
            .await
            .starts_with("250 ")
    );
    assert!(exchange(&mut stream, "RSET\r\n").await.starts_with("250 "));
    assert!(exchange(&mut stream, "NOOP\r\n").await.starts_with("250 "));
    assert!(
        exchange(&mut stream, "MAIL FROM:<csirt@batam.go.id>\r\n")
            .await
            .starts_with("250 ")
    );
    assert!(
        exchange(&mut stream, "RCPT TO:<a@example.com>\r\n")
            .await
            .starts_with("250 ")
    );
    assert!(
        exchange(&mut stream, "RCPT TO:<b@example.com>\r\n")
            .await
            .starts_with("250 ")
    );
    assert!(exchange(&mut stream, "DATA\r\n").await.starts_with("354 "));
    let data = "Subject: titik\r\n\r\n..awal titik\r\n...\r\nakhir\r\n.\r\n";
    assert!(exchange(&mut stream, data).await.starts_with("250 "));
    assert!(exchange(&mut stream, "BOGUS\r\n").await.starts_with("502 "));
    assert!(exchange(&mut stream, "QUIT\r\n").await.starts_with("221 "));
    let received = sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(received[0].mail_from, "csirt@batam.go.id");
    assert_eq!(received[0].rcpt_to, ["a@example.com", "b@example.com"]);
    assert_eq!(
        received[0].data,
        b"Subject: titik\r\n\r\n.awal titik\r\n..\r\nakhir\r\n"
    );
    assert!(!received[0].authenticated);
}
