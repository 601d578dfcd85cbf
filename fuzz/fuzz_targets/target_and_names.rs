//! A reporter's target and the other names read from strangers: no input panics, and a
//! target that is accepted is a host name the server may later connect to (never an IP
//! literal or `localhost`), parsed again to itself.
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
    }
    let _ = Email::parse(text);
    let _ = AgencyCode::parse(text);
    let _ = TicketNumber::parse(text);
    let _ = VulnerabilityType::parse(text);
});
