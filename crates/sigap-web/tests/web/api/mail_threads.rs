//! The threads of a ticket's mail, as a mail client and a reply see them: every mail of a
//! walk carries the ticket number in its subject, a random Message-ID that sigap recorded
//! with the ticket and the party it went to, `Auto-Submitted`, the earlier mail to the same
//! party in `References`, and a reply address naming the ticket with a keyed tag that only
//! this installation's key makes. Message-IDs do not repeat across installations that
//! share job numbers (a backup restored elsewhere).

use std::collections::HashSet;
use std::time::Duration;

use sigap_app::outbox::threads::{Audience, read_reply_address};
use sigap_notify::sink::{ReceivedMail, SmtpSink};
use sigap_testkit::{TestApp, number, valid_report};

use crate::api::mail::{drain, settings, subject, to};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    every_mail_of_a_walk_is_threaded: sqlite_every_mail_of_a_walk_is_threaded,
        postgres_every_mail_of_a_walk_is_threaded;
}

const REPORTER: &str = "budi.santoso@example.com";
const AGENCY: &str = "disdik@batam.go.id";

/// The Message-IDs a header names, without angle brackets.
fn ids(value: &mail_parser::HeaderValue<'_>) -> Vec<String> {
    match value {
        mail_parser::HeaderValue::Text(id) => vec![id.to_string()],
        mail_parser::HeaderValue::TextList(ids) => ids.iter().map(|id| id.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// The party a mail went to, by its recipients.
fn party(mail: &ReceivedMail) -> Audience {
    if to(mail, REPORTER) {
        Audience::Reporter
    } else if to(mail, AGENCY) {
        Audience::Agency
    } else {
        Audience::Staff
    }
}

async fn every_mail_of_a_walk_is_threaded(app: TestApp) {
    let sink = SmtpSink::start().await.unwrap();
    let mail = settings(&app, &sink.url());
    app.submit_ok(&valid_report()).await;
    let n = number(1);
    app.drive(&n, "remediating").await;
    let sent = drain(&app, &mail).await;
    let received = sink.wait_for(sent, Duration::from_secs(10)).await;
    assert!(received.len() >= 6, "{}", received.len());

    let mut seen = HashSet::new();
    let mut agency_ids = Vec::new();
    for m in &received {
        let parsed = m.parsed().unwrap();
        assert!(subject(m).contains(&format!("[{n}]")), "{}", subject(m));
        assert_eq!(
            parsed.header_raw("Auto-Submitted").map(str::trim),
            Some("auto-generated")
        );
        // The Message-ID is random, recorded, and names the ticket and the party.
        let id = parsed.message_id().expect("a Message-ID").to_owned();
        assert!(seen.insert(id.clone()), "{id} twice");
        assert!(!id.starts_with("job-"), "{id}");
        let row = app.store.find_mail_message(&id).await.unwrap();
        let row = row.unwrap_or_else(|| panic!("{id} is not recorded"));
        assert_eq!(row.number, n);
        assert_eq!(
            Audience::parse(&row.audience),
            Some(party(m)),
            "{}",
            subject(m)
        );
        // The reply address names the ticket; its tag is the key's and says the party.
        let reply_to = parsed
            .reply_to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .expect("a Reply-To")
            .to_owned();
        let prefix = format!("csirt+{}.", n.to_ascii_lowercase());
        assert!(reply_to.starts_with(&prefix), "{reply_to}");
        assert!(reply_to.ends_with("@batam.go.id"), "{reply_to}");
        let read = read_reply_address(&app.app, &reply_to).expect("the tag is the key's");
        assert_eq!(read.number.as_str(), n);
        assert_eq!(read.audience, party(m));
        // Case does not matter to a mail server; an altered tag is nobody's.
        assert!(read_reply_address(&app.app, &reply_to.to_uppercase()).is_some());
        let (local, domain) = reply_to.rsplit_once('@').unwrap();
        let last = local.chars().last().unwrap();
        let other = if last == 'a' { 'b' } else { 'a' };
        let altered = format!("{}{other}@{domain}", &local[..local.len() - 1]);
        assert!(
            read_reply_address(&app.app, &altered).is_none(),
            "{altered}"
        );
        let elsewhere = format!("{local}@example.com");
        assert!(read_reply_address(&app.app, &elsewhere).is_none());
        if party(m) == Audience::Agency {
            let thread = (ids(parsed.references()), ids(parsed.in_reply_to()));
            agency_ids.push((row.id, id, thread));
        }
    }
    // The agency's mail is one thread: each names the first and the one before it (in the
    // order they were written; the worker may send them in parallel).
    agency_ids.sort();
    assert!(agency_ids.len() >= 2, "{agency_ids:?}");
    let (_, first, (refs, reply)) = &agency_ids[0];
    assert!(refs.is_empty() && reply.is_empty(), "{agency_ids:?}");
    for (i, (_, _, (refs, reply))) in agency_ids.iter().enumerate().skip(1) {
        assert_eq!(refs.first(), Some(first), "{agency_ids:?}");
        assert_eq!(reply.as_slice(), [agency_ids[i - 1].1.clone()]);
    }
    // The tag of one ticket does not open another.
    let reporter_reply = received
        .iter()
        .find(|m| to(m, REPORTER))
        .and_then(|m| {
            let parsed = m.parsed()?;
            Some(parsed.reply_to()?.first()?.address()?.to_owned())
        })
        .unwrap();
    let other = reporter_reply.replace(&n.to_ascii_lowercase(), &number(2).to_ascii_lowercase());
    assert!(read_reply_address(&app.app, &other).is_none(), "{other}");
}

/// Two installations whose job numbers are the same (as after a restore) do not make the
/// same Message-ID.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_ids_do_not_repeat_across_installations() {
    let mut first_ids = Vec::new();
    for _ in 0..2 {
        let app = sigap_testkit::spawn_app(sigap_testkit::Backend::Sqlite)
            .await
            .unwrap();
        let sink = SmtpSink::start().await.unwrap();
        let mail = settings(&app, &sink.url());
        app.submit_ok(&valid_report()).await;
        let sent = drain(&app, &mail).await;
        let received = sink.wait_for(sent, Duration::from_secs(10)).await;
        let receipt = received.iter().find(|m| to(m, REPORTER)).unwrap();
        let id = receipt.parsed().unwrap().message_id().unwrap().to_owned();
        first_ids.push(id);
    }
    assert_ne!(first_ids[0], first_ids[1]);
}
