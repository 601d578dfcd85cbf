//! The outbound allow list an operator writes in `SIGAP_OUTBOUND_ALLOW`, and the check of
//! every address the server connects to: no input panics; an accepted list prints as CIDRs
//! that read back to the same policy; an IPv4 address is judged the same however IPv6
//! writes it (mapped, NAT64, 6to4); without an allow list exactly the special ranges are
//! refused; and a URL with an address literal is judged as that address.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use libfuzzer_sys::fuzz_target;
use sigap_block::outbound::{OutboundError, OutboundPolicy, special_range};

fuzz_target!(|data: &[u8]| {
    let Some((address, list)) = data.split_first_chunk::<16>() else {
        return;
    };
    let Ok(list) = std::str::from_utf8(list) else {
        return;
    };
    let v6 = Ipv6Addr::from(*address);
    let v4 = Ipv4Addr::new(address[0], address[1], address[2], address[3]);
    let default = OutboundPolicy::default();
    for address in [IpAddr::V4(v4), IpAddr::V6(v6)] {
        assert_eq!(
            default.check(address).is_ok(),
            special_range(address).is_none()
        );
        if let Err(OutboundError::Refused {
            address: refused, ..
        }) = default.check(address)
        {
            assert_eq!(special_range(refused), special_range(address));
        }
    }
    let Ok(policy) = OutboundPolicy::parse(list) else {
        return;
    };
    let printed = policy.allowed();
    assert_eq!(
        OutboundPolicy::parse(&printed.join(",")),
        Ok(policy.clone()),
        "{printed:?}"
    );
    let [a, b, c, d] = v4.octets();
    let written_as_v6 = [
        v4.to_ipv6_mapped(),
        Ipv6Addr::new(
            0x64,
            0xff9b,
            0,
            0,
            0,
            0,
            u16::from_be_bytes([a, b]),
            u16::from_be_bytes([c, d]),
        ),
        Ipv6Addr::new(
            0x2002,
            u16::from_be_bytes([a, b]),
            u16::from_be_bytes([c, d]),
            0,
            0,
            0,
            0,
            1,
        ),
    ];
    let verdict = policy.check(IpAddr::V4(v4)).is_ok();
    for form in written_as_v6 {
        assert_eq!(
            policy.check(IpAddr::V6(form)).is_ok(),
            verdict,
            "{v4} as {form}"
        );
    }
    for address in [IpAddr::V4(v4), IpAddr::V6(v6)] {
        let literal = match address {
            IpAddr::V4(v4) => format!("http://{v4}/"),
            IpAddr::V6(v6) => format!("http://[{v6}]/"),
        };
        let url = url::Url::parse(&literal).expect("an address literal is a URL");
        assert_eq!(
            policy.check_url(&url).is_ok(),
            policy.check(address).is_ok(),
            "{url}"
        );
        let kept = policy.filter("fuzz.example", &[address]);
        assert_eq!(kept.is_ok(), policy.check(address).is_ok());
    }
});
