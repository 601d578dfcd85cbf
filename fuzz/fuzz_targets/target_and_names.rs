//! A reporter's target and the other names read from strangers: no input panics, and a
//! target that is accepted is a host name the server may later connect to (never an IP
//! literal or `localhost`), parsed again to itself. An accepted e-mail address, agency
//! code, ticket number or vulnerability type parses again to itself, and an e-mail address
//! is one the mailer (lettre) takes as the same address: a reporter's receipt, with the
//! tracking token, must not be refused by the mailer after the report was accepted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigap_core::{AgencyCode, Domain, Email, Target, TicketNumber, VulnerabilityType};

fuzz_target!(|text: &str| {
    if let Ok(target) = Target::parse(text) {
        assert!(target.host.contains('.'), "{target:?}");
        assert!(
            target.host.parse::<std::net::IpAddr>().is_err(),
            "{target:?}"
        );
        assert!(
            target.host != "localhost" && !target.host.ends_with(".localhost"),
            "{target:?}"
        );
        let again = Target::parse(&target.url).expect("a normalised target parses again");
        assert_eq!(again, target);
    }
    if let Ok(domain) = Domain::parse(text) {
        assert!(domain.covers(domain.as_str()));
        assert_eq!(Domain::parse(domain.as_str()).as_ref(), Ok(&domain));
    }
    if let Ok(email) = Email::parse(text) {
        email_address(&email);
    }
    if let Ok(code) = AgencyCode::parse(text) {
        assert_eq!(AgencyCode::parse(code.as_str()).as_ref(), Ok(&code));
    }
    if let Ok(number) = TicketNumber::parse(text) {
        let again = TicketNumber::parse(number.as_str()).expect("a ticket number parses again");
        assert_eq!(again.as_str(), number.as_str());
        let built = TicketNumber::new(number.prefix(), number.year(), number.seq());
        assert_eq!(built.as_str(), number.as_str());
    }
    if let Ok(kind) = VulnerabilityType::parse(text) {
        assert_eq!(VulnerabilityType::parse(kind.as_str()).as_ref(), Ok(&kind));
    }
});

fn email_address(email: &Email) {
    assert_eq!(Email::parse(email.as_str()).as_ref(), Ok(email));
    let (local, domain) = email.as_str().split_once('@').expect("an `@`");
    assert_eq!(domain, email.domain());
    assert!(
        !domain.contains('@') && domain == domain.to_ascii_lowercase(),
        "{email}"
    );
    assert!(!local.is_empty() && local.len() <= 64, "{email}");
    let mailbox: lettre::message::Mailbox = email
        .as_str()
        .parse()
        .unwrap_or_else(|e| panic!("the mailer refuses {email}: {e}"));
    assert_eq!(mailbox.name, None, "{email}");
    assert_eq!(mailbox.email.to_string(), email.as_str());
}
