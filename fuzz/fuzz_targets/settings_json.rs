//! The settings JSON an admin sends to `PUT /api/v1/settings/*` (approval, holidays, a
//! document kind, the letterhead with or without a logo): no input panics; a refusal names
//! fields of its section only; an accepted value keeps the limits the checks promise, and
//! what is stored of it (and the body that would send it again) reads back to itself.
#![no_main]

use chrono::Datelike;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use serde::de::DeserializeOwned;
use sigap_core::{
    Approval, ApprovalRequest, DocumentKindRequest, FieldError, Holiday, KindOverride,
    LetterheadChange, MAX_HOLIDAYS, Signer, check_holidays, check_letterhead,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, json)) = data.split_first() else {
        return;
    };
    let Ok(body) = serde_json::from_slice::<Value>(json) else {
        return;
    };
    match selector % 4 {
        0 => approval(&body),
        1 => holidays(&body),
        2 => kind(&body),
        _ => letterhead(&body, selector),
    }
});

/// The body as a section's request struct, as the API reads it; only a body that is not an
/// object fails, and on `body`.
fn request_of<T: DeserializeOwned>(body: &Value) -> Option<T> {
    match sigap_core::form::request(body) {
        Ok(request) => Some(request),
        Err(errors) => {
            assert!(!body.is_object(), "{errors:?}");
            refused(&errors, &["body"]);
            None
        }
    }
}

fn check_approval(body: &Value) -> Option<Result<Approval, Vec<FieldError>>> {
    request_of::<ApprovalRequest>(body).map(|r| Approval::try_from(&r))
}

fn check_kind(body: &Value) -> Option<Result<KindOverride, Vec<FieldError>>> {
    request_of::<DocumentKindRequest>(body).map(|r| KindOverride::try_from(&r))
}

/// A refusal has reasons, each on one of `fields`.
fn refused(errors: &[FieldError], fields: &[&str]) {
    assert!(!errors.is_empty());
    for error in errors {
        assert!(fields.contains(&error.field.as_str()), "{error:?}");
        assert!(!error.message.is_empty(), "{error:?}");
    }
}

/// One line of at most `max` characters: trimmed, not empty, no control characters.
fn one_line(text: &str, max: usize) {
    assert!(!text.is_empty() && text == text.trim(), "{text:?}");
    assert!(text.chars().count() <= max, "{text:?}");
    assert!(!text.chars().any(char::is_control), "{text:?}");
}

fn approval(body: &Value) {
    let approval = match check_approval(body) {
        None => return,
        Some(Ok(approval)) => approval,
        Some(Err(errors)) => return refused(&errors, &["threshold", "window_days"]),
    };
    assert!(approval.threshold <= 1000, "{approval:?}");
    assert!(
        approval.window_days.is_none_or(|d| (1..=3650).contains(&d)),
        "{approval:?}"
    );
    let stored = serde_json::to_value(approval).expect("stored as JSON");
    assert_eq!(
        serde_json::from_value::<Approval>(stored.clone()).ok(),
        Some(approval)
    );
    assert_eq!(check_approval(&stored), Some(Ok(approval)));
}

fn holidays(body: &Value) {
    let list = match request_of(body).map(|r| check_holidays(&r)) {
        None => return,
        Some(Ok(list)) => list,
        Some(Err(errors)) => return refused(&errors, &["holidays"]),
    };
    assert!(list.len() <= MAX_HOLIDAYS);
    assert!(
        list.windows(2).all(|w| w[0].date < w[1].date),
        "not in order: {list:?}"
    );
    for holiday in &list {
        assert!((2000..=2100).contains(&holiday.date.year()), "{holiday:?}");
        if !holiday.name.is_empty() {
            one_line(&holiday.name, 200);
        }
    }
    let stored = serde_json::to_value(&list).expect("stored as JSON");
    let read = serde_json::from_value::<Vec<Holiday>>(stored.clone()).expect("read back");
    assert_eq!(read, list);
    let again = request_of(&json!({ "holidays": stored })).expect("an object");
    assert_eq!(check_holidays(&again), Ok(list));
}

fn signer(signer: &Signer) {
    one_line(&signer.position, 200);
    one_line(&signer.name, 200);
    if let Some(rank) = &signer.rank {
        one_line(rank, 100);
    }
    if let Some(nip) = &signer.nip {
        one_line(nip, 30);
        let digits: Vec<char> = nip.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(
            digits.len() == 18 && digits.iter().all(char::is_ascii_digit),
            "{nip:?}"
        );
    }
}

fn signer_body(s: &Signer) -> Value {
    json!({"position": s.position, "name": s.name, "rank": s.rank, "nip": s.nip})
}

fn kind(body: &Value) {
    let kind = match check_kind(body) {
        None => return,
        Some(Ok(kind)) => kind,
        Some(Err(errors)) => {
            return refused(
                &errors,
                &["pattern", "signers", "acknowledged_by", "tembusan"],
            );
        }
    };
    if let Some(pattern) = &kind.pattern {
        one_line(pattern, 100);
    }
    assert!(kind.signers.len() <= 4);
    kind.signers
        .iter()
        .chain(&kind.acknowledged_by)
        .for_each(signer);
    assert!(kind.tembusan.len() <= 20);
    kind.tembusan.iter().for_each(|t| one_line(t, 200));
    let again = json!({
        "pattern": kind.pattern,
        "signers": kind.signers.iter().map(signer_body).collect::<Vec<_>>(),
        "acknowledged_by": kind.acknowledged_by.as_ref().map(signer_body),
        "tembusan": kind.tembusan,
    });
    assert_eq!(check_kind(&again), Some(Ok(kind)));
}

/// A stand-in for the renderer's logo check: an odd first byte is "not an image".
fn logo_check(bytes: &[u8]) -> Result<(), String> {
    match bytes.first() {
        Some(byte) if byte % 2 == 0 => Ok(()),
        _ => Err("must be a PNG or JPEG image".to_owned()),
    }
}

fn letterhead(body: &Value, selector: u8) {
    // Bit 2 sends a logo, bit 3 makes it one the check refuses.
    let logo = (selector & 4 == 4).then(|| vec![selector & 8]);
    let Some(request) = request_of(body) else {
        return;
    };
    let change = match check_letterhead(&request, logo.clone(), logo_check) {
        Ok(change) => change,
        Err(errors) => return refused(&errors, &["place", "lines", "address", "logo"]),
    };
    one_line(&change.place, 100);
    assert!((1..=20).contains(&change.lines.len()), "{change:?}");
    change.lines.iter().for_each(|l| one_line(l, 200));
    one_line(&change.address, 300);
    match (&logo, &change.logo) {
        (Some(sent), Some(Some(kept))) => assert_eq!(sent, kept),
        (None, None | Some(None)) => {}
        (sent, kept) => panic!("logo sent {sent:?}, kept {kept:?}"),
    }
    let again = json!({
        "place": change.place,
        "lines": change.lines,
        "address": change.address,
        "remove_logo": change.logo == Some(None),
    });
    let again = request_of(&again).expect("an object");
    let read: Result<LetterheadChange, _> = check_letterhead(&again, logo, logo_check);
    assert_eq!(read.as_ref(), Ok(&change));
}
