//! The records of every workflow action, from any JSON body and any actor: no input
//! panics, and every refusal names the field it is about.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigap_core::{Action, Actor, Criticality, Role, State, TicketFacts, parse_action_input};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, json)) = data.split_first() else {
        return;
    };
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(json) else {
        return;
    };
    let pick = |list_len: usize, shift: u32| usize::from(selector).rotate_right(shift) % list_len;
    let action = Action::ALL[pick(Action::ALL.len(), 0)];
    let role = Role::ALL[pick(Role::ALL.len(), 3)];
    let state = State::ALL[pick(State::ALL.len(), 5)];
    let actor = Actor {
        user_id: 7,
        role,
        agency_id: Some(1),
    };
    let ticket = TicketFacts {
        state,
        agency_id: Some(1),
        system_id: Some(1),
        blocked: selector & 1 == 1,
        criticality: Some(Criticality::High),
        round: 1,
    };
    if let Err(errors) = parse_action_input(action, &body, selector & 2 == 2, &actor, &ticket) {
        assert!(!errors.is_empty());
        assert!(errors.iter().all(|e| !e.field.is_empty()), "{errors:?}");
    }
});
