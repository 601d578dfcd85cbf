//! Tests of the records each action requires: every rule of `docs/api.md` "Action bodies", the
//! multipart spellings (everything a string), and that all errors are reported at once.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use crate::model::{
    Action, Criticality, Recommendation, Role, State, ValidationMethod, Visibility,
};
use crate::records::{ActionInput, Meeting, parse_action_input, parse_bool};
use crate::workflow::{Actor, TicketFacts};

fn ticket(system_id: Option<i64>) -> TicketFacts {
    TicketFacts {
        state: State::Queued,
        agency_id: system_id.map(|_| 7),
        system_id,
        blocked: false,
        criticality: None,
        round: 1,
    }
}

fn actor(role: Role) -> Actor {
    let agency_id = (role == Role::SystemOwner).then_some(7);
    Actor {
        user_id: 5,
        role,
        agency_id,
    }
}

fn parse_as(
    role: Role,
    action: Action,
    body: Value,
    files: bool,
) -> Result<ActionInput, Vec<String>> {
    parse_action_input(action, &body, files, &actor(role), &ticket(Some(3)))
        .map_err(|errors| errors.into_iter().map(|error| error.field).collect())
}

fn parse(action: Action, body: Value) -> Result<ActionInput, Vec<String>> {
    parse_as(Role::Csirt, action, body, false)
}

/// The message of the error on `field`.
fn message(action: Action, body: Value, field: &str) -> String {
    let errors = parse_action_input(action, &body, false, &actor(Role::Csirt), &ticket(Some(3)))
        .unwrap_err();
    let error = errors.iter().find(|error| error.field == field);
    error
        .unwrap_or_else(|| panic!("no error on {field}: {errors:?}"))
        .message
        .clone()
}

#[test]
fn validate_by_ticket_reads_its_records() {
    let body = json!({"valid": true, "method": "ticket", "findings": " Reproduced XSS. "});
    let expected = ActionInput::Validate {
        valid: true,
        method: ValidationMethod::Ticket,
        findings: "Reproduced XSS.".into(),
        reason_for_reporter: None,
        system: None,
        meeting: None,
    };
    assert_eq!(parse(Action::Validate, body), Ok(expected));
}

#[test]
fn validate_reports_every_missing_record_at_once() {
    assert_eq!(
        parse(Action::Validate, json!({})),
        Err(vec!["valid".into(), "method".into(), "findings".into()])
    );
    let hint = message(Action::Validate, json!({}), "findings");
    assert_eq!(
        hint,
        "`findings` is required: describe what was checked and what was found"
    );
}

#[test]
fn a_valid_report_must_be_linked_to_a_system() {
    let body = json!({"valid": true, "method": "ticket", "findings": "ok"});
    let unlinked = ticket(None);
    let errors = parse_action_input(
        Action::Validate,
        &body,
        false,
        &actor(Role::Csirt),
        &unlinked,
    )
    .unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "system");
    assert!(
        errors[0].message.contains("give `system`"),
        "{}",
        errors[0].message
    );

    let with_system = json!({"valid": true, "method": "ticket", "findings": "ok", "system": "layanan.batam.go.id"});
    let input = parse_action_input(
        Action::Validate,
        &with_system,
        false,
        &actor(Role::Csirt),
        &unlinked,
    )
    .unwrap();
    assert!(
        matches!(input, ActionInput::Validate { system: Some(ref s), .. } if s == "layanan.batam.go.id")
    );

    let invalid = json!({"valid": false, "method": "ticket", "findings": "not reproducible",
        "reason_for_reporter": "Tidak dapat kami reproduksi."});
    assert!(
        parse_action_input(
            Action::Validate,
            &invalid,
            false,
            &actor(Role::Csirt),
            &unlinked
        )
        .is_ok()
    );
}

#[test]
fn a_rejection_tells_the_reporter_why_and_only_a_rejection_keeps_it() {
    let body = json!({"valid": false, "method": "ticket", "findings": "internal notes"});
    assert_eq!(
        parse(Action::Validate, body),
        Err(vec!["reason_for_reporter".into()])
    );
    let body = json!({"valid": false, "method": "ticket", "findings": "internal notes",
        "reason_for_reporter": " Sudah diperbaiki sebelum laporan masuk. "});
    assert!(matches!(
        parse(Action::Validate, body),
        Ok(ActionInput::Validate { reason_for_reporter: Some(ref r), .. })
            if r == "Sudah diperbaiki sebelum laporan masuk."
    ));
    let accepted = json!({"valid": true, "method": "ticket", "findings": "ok",
        "reason_for_reporter": "not kept"});
    assert!(matches!(
        parse(Action::Validate, accepted),
        Ok(ActionInput::Validate {
            reason_for_reporter: None,
            ..
        })
    ));
}

#[test]
fn validation_in_a_meeting_needs_the_meeting() {
    let body = json!({"valid": false, "method": "meeting", "findings": "x",
        "reason_for_reporter": "x"});
    assert_eq!(parse(Action::Validate, body), Err(vec!["meeting".into()]));
    let partial = json!({"valid": false, "method": "meeting", "findings": "x",
        "reason_for_reporter": "x", "meeting": {"held_at": "yesterday", "attendees": []}});
    assert_eq!(
        parse(Action::Validate, partial),
        Err(vec![
            "meeting.held_at".into(),
            "meeting.place".into(),
            "meeting.attendees".into()
        ])
    );
}

#[test]
fn a_meeting_is_read_from_an_object() {
    let body = json!({"valid": true, "method": "meeting", "findings": "x", "meeting": {
        "held_at": "2026-08-12T09:00:00+07:00", "place": "Ruang Rapat",
        "attendees": ["Budi", " Sari "], "agency_invited": true}});
    let Ok(ActionInput::Validate {
        meeting: Some(meeting),
        ..
    }) = parse(Action::Validate, body)
    else {
        panic!("no meeting read");
    };
    let expected = Meeting {
        held_at: Utc.with_ymd_and_hms(2026, 8, 12, 2, 0, 0).unwrap(),
        place: "Ruang Rapat".into(),
        attendees: vec!["Budi".into(), "Sari".into()],
        agency_invited: true,
    };
    assert_eq!(meeting, expected);
}

#[test]
fn multipart_strings_are_read_like_json() {
    let meeting =
        r#"{"held_at": "2026-08-12T09:00", "place": "Aula", "attendees": "Budi\nSari, S.Kom."}"#;
    let body = json!({"valid": "ya", "method": "Meeting", "findings": "x", "meeting": meeting});
    let Ok(ActionInput::Validate {
        valid,
        meeting: Some(meeting),
        ..
    }) = parse(Action::Validate, body)
    else {
        panic!("multipart body refused");
    };
    assert!(valid);
    // A wall-clock time without offset is WIB.
    assert_eq!(
        meeting.held_at,
        Utc.with_ymd_and_hms(2026, 8, 12, 2, 0, 0).unwrap()
    );
    assert_eq!(meeting.attendees, ["Budi", "Sari, S.Kom."]);
    assert!(!meeting.agency_invited);
}

#[test]
fn a_meeting_can_come_as_flattened_form_fields() {
    let body = json!({"valid": "true", "method": "meeting", "findings": "x",
        "meeting.held_at": "2026-08-12 09:00", "meeting.place": "Aula",
        "meeting.attendees": "Budi, Sari", "meeting.agency_invited": "on"});
    let Ok(ActionInput::Validate {
        meeting: Some(meeting),
        ..
    }) = parse(Action::Validate, body)
    else {
        panic!("flattened meeting refused");
    };
    assert_eq!(meeting.attendees, ["Budi", "Sari"]);
    assert!(meeting.agency_invited);
    let bad = json!({"valid": true, "method": "meeting", "findings": "x", "meeting": "not json"});
    assert_eq!(parse(Action::Validate, bad), Err(vec!["meeting".into()]));
}

#[test]
fn yes_no_answers_accept_the_usual_spellings() {
    for yes in ["true", "YES", "ya", "1", "on", "Sudah"] {
        assert_eq!(parse_bool(yes), Some(true), "{yes}");
    }
    for no in ["false", "no", " Tidak ", "0", "off", "belum"] {
        assert_eq!(parse_bool(no), Some(false), "{no}");
    }
    assert_eq!(parse_bool("maybe"), None);
    let body = json!({"valid": "maybe", "method": "ticket", "findings": "x"});
    let text = message(Action::Validate, body, "valid");
    assert!(text.contains("yes or no"), "{text}");
    let numeric = json!({"valid": 0, "method": "ticket", "findings": "x",
        "reason_for_reporter": "x"});
    assert!(matches!(
        parse(Action::Validate, numeric),
        Ok(ActionInput::Validate { valid: false, .. })
    ));
}

#[test]
fn unknown_enum_values_list_the_accepted_ones() {
    let body = json!({"valid": true, "method": "phone", "findings": "x"});
    assert_eq!(
        message(Action::Validate, body, "method"),
        "`method` must be one of: ticket, meeting (not `phone`)"
    );
}

#[test]
fn long_texts_are_limited_and_the_limit_is_said() {
    let body = json!({"valid": true, "method": "ticket", "findings": "x".repeat(20_001)});
    assert!(message(Action::Validate, body, "findings").contains("20,000"));
    let body = json!({"valid": true, "method": "ticket", "findings": "x".repeat(20_000)});
    assert!(parse(Action::Validate, body).is_ok());
    let body =
        json!({"valid": true, "method": "ticket", "findings": "x", "system": "s".repeat(201)});
    assert!(message(Action::Validate, body, "system").contains("200"));
}

#[test]
fn text_fields_refuse_other_json_types_and_bodies_must_be_objects() {
    let body = json!({"valid": true, "method": "ticket", "findings": true});
    assert_eq!(
        message(Action::Validate, body, "findings"),
        "`findings` must be text"
    );
    assert_eq!(
        parse(Action::Close, json!(["notes"])),
        Err(vec!["body".into()])
    );
}

#[test]
fn mark_duplicate_reads_the_original_ticket_number() {
    let body = json!({"of": "bcsirt-2026-00012", "reason": "same XSS"});
    let Ok(ActionInput::MarkDuplicate { of, reason }) =
        parse_as(Role::Helpdesk, Action::MarkDuplicate, body, false)
    else {
        panic!("refused");
    };
    assert_eq!(of.as_str(), "BCSIRT-2026-00012");
    assert_eq!(reason, "same XSS");
    assert_eq!(
        parse(Action::MarkDuplicate, json!({"of": "12"})),
        Err(vec!["of".into(), "reason".into()])
    );
}

#[test]
fn assess_with_a_vector_that_agrees_needs_no_rationale() {
    let body = json!({"criticality": "high", "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "personal_data_affected": "tidak", "attendees": "Budi, Sari"});
    let Ok(ActionInput::Assess {
        criticality,
        cvss: Some(cvss),
        rationale,
        personal_data_affected,
        attendees,
    }) = parse(Action::Assess, body)
    else {
        panic!("refused");
    };
    assert_eq!(criticality, Criticality::High);
    assert_eq!(cvss.score, 9.8);
    assert_eq!(rationale, None);
    assert!(!personal_data_affected);
    assert_eq!(attendees, ["Budi", "Sari"]);
}

#[test]
fn assess_overriding_the_vector_needs_a_rationale() {
    let body = json!({"criticality": "low", "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"});
    let text = message(Action::Assess, body, "rationale");
    assert!(text.contains("9.8") && text.contains("`high`"), "{text}");
    let low = json!({"criticality": "high", "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"});
    assert_eq!(parse(Action::Assess, low), Err(vec!["rationale".into()]));
    let explained = json!({"criticality": "low", "rationale": "internal only",
        "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"});
    assert!(parse(Action::Assess, explained).is_ok());
}

#[test]
fn assess_without_a_vector_needs_a_rationale() {
    assert_eq!(
        parse(Action::Assess, json!({"criticality": "low"})),
        Err(vec!["rationale".into()])
    );
    let body = json!({"criticality": "low", "rationale": "login page behind VPN"});
    assert!(matches!(
        parse(Action::Assess, body),
        Ok(ActionInput::Assess { cvss: None, .. })
    ));
}

#[test]
fn assess_reports_a_bad_vector_with_the_parser_message_and_other_errors_too() {
    let body = json!({"cvss_vector": "CVSS:3.1/AV:Q"});
    assert_eq!(
        parse(Action::Assess, body.clone()),
        Err(vec!["criticality".into(), "cvss_vector".into()])
    );
    assert!(message(Action::Assess, body, "cvss_vector").contains("CVSS:4.0/"));
}

#[test]
fn a_manual_block_needs_evidence() {
    assert_eq!(
        parse_as(Role::DomainOfficer, Action::Block, json!({}), false),
        Err(vec!["evidence".into()])
    );
    let with_files = parse_as(
        Role::DomainOfficer,
        Action::Block,
        json!({"notes": "DNS"}),
        true,
    );
    let expected = ActionInput::Block {
        method: "manual".into(),
        notes: Some("DNS".into()),
        evidence_text: None,
    };
    assert_eq!(with_files, Ok(expected));
    let with_text = parse_as(
        Role::DomainOfficer,
        Action::Block,
        json!({"evidence_text": "curl: 503"}),
        false,
    )
    .unwrap();
    assert_eq!(with_text.evidence_text(), Some("curl: 503"));
}

#[test]
fn an_adapter_block_captures_its_own_evidence_and_bad_method_names_are_refused() {
    let adapter = parse_as(
        Role::DomainOfficer,
        Action::Block,
        json!({"method": "Nginx"}),
        false,
    );
    assert!(matches!(adapter, Ok(ActionInput::Block { ref method, .. }) if method == "nginx"));
    let bad = parse_as(
        Role::DomainOfficer,
        Action::Block,
        json!({"method": "rm -rf"}),
        true,
    );
    assert_eq!(bad, Err(vec!["method".into()]));
}

#[test]
fn unblock_needs_evidence_like_block() {
    assert_eq!(
        parse_as(Role::DomainOfficer, Action::Unblock, json!({}), false),
        Err(vec!["evidence".into()])
    );
    let unblock = parse_as(Role::DomainOfficer, Action::Unblock, json!({}), true).unwrap();
    assert_eq!(unblock.action(), Action::Unblock);
}

#[test]
fn notify_agency_needs_concerns_with_a_warning_or_sanction() {
    let body = json!({"recommendation": "warning", "summary": "XSS"});
    assert_eq!(
        parse(Action::NotifyAgency, body),
        Err(vec!["concerns".into()])
    );
    let body = json!({"recommendation": "none", "summary": "XSS"});
    let expected = ActionInput::NotifyAgency {
        recommendation: Recommendation::None,
        summary: "XSS".into(),
        concerns: None,
        concerns_party: crate::model::Party::Asn,
    };
    assert_eq!(parse(Action::NotifyAgency, body), Ok(expected));
    let vendor = json!({"recommendation": "warning", "summary": "XSS",
        "concerns": "PT Solusi Aplikasi", "concerns_party": "vendor"});
    assert!(matches!(
        parse(Action::NotifyAgency, vendor),
        Ok(ActionInput::NotifyAgency {
            concerns_party: crate::model::Party::Vendor,
            ..
        })
    ));
    let wrong = json!({"recommendation": "warning", "summary": "XSS",
        "concerns": "x", "concerns_party": "contractor"});
    assert_eq!(
        parse(Action::NotifyAgency, wrong),
        Err(vec!["concerns_party".into()])
    );
    let sanction = json!({"recommendation": "sanction", "summary": "XSS", "concerns": "Bidang TI"});
    assert!(parse(Action::NotifyAgency, sanction).is_ok());
    let unknown = json!({"recommendation": "fine", "summary": "XSS"});
    assert!(
        message(Action::NotifyAgency, unknown, "recommendation")
            .contains("none, warning, sanction")
    );
}

#[test]
fn remediation_needs_a_summary_and_evidence_and_records_who_submitted() {
    let owner = parse_as(
        Role::SystemOwner,
        Action::SubmitRemediation,
        json!({"summary": "patched"}),
        true,
    );
    assert!(matches!(
        owner,
        Ok(ActionInput::SubmitRemediation {
            on_behalf: false,
            ..
        })
    ));
    let csirt = parse_as(
        Role::Csirt,
        Action::SubmitRemediation,
        json!({"summary": "patched", "evidence_text": "v2.1"}),
        false,
    );
    assert!(matches!(
        csirt,
        Ok(ActionInput::SubmitRemediation {
            on_behalf: true,
            ..
        })
    ));
    let empty = parse_as(
        Role::SystemOwner,
        Action::SubmitRemediation,
        json!({}),
        false,
    );
    assert_eq!(empty, Err(vec!["summary".into(), "evidence".into()]));
}

#[test]
fn follow_up_needs_content() {
    assert_eq!(
        parse(Action::SendFollowUp, json!({"content": "  "})),
        Err(vec!["content".into()])
    );
    let body = json!({"content": "Surat"});
    assert_eq!(
        parse(Action::SendFollowUp, body),
        Ok(ActionInput::SendFollowUp {
            content: "Surat".into()
        })
    );
}

#[test]
fn review_needs_the_decision_attendees_and_notes() {
    assert_eq!(
        parse(Action::Review, json!({"attendees": []})),
        Err(vec!["fixed".into(), "attendees".into(), "notes".into()])
    );
    let body = json!({"fixed": "Belum", "attendees": "Budi\nSari", "notes": "retest failed"});
    let expected = ActionInput::Review {
        fixed: false,
        attendees: vec!["Budi".into(), "Sari".into()],
        notes: "retest failed".into(),
    };
    assert_eq!(parse(Action::Review, body), Ok(expected));
    let bad_list = json!({"fixed": true, "attendees": [1, 2], "notes": "x"});
    assert_eq!(
        parse(Action::Review, bad_list),
        Err(vec!["attendees".into()])
    );
}

#[test]
fn a_refused_reactivation_needs_notes() {
    let refused = parse_as(
        Role::RegionalSecretary,
        Action::ApproveReactivation,
        json!({"approved": "tidak"}),
        false,
    );
    assert_eq!(refused, Err(vec!["notes".into()]));
    let approved = parse_as(
        Role::RegionalSecretary,
        Action::ApproveReactivation,
        json!({"approved": true}),
        false,
    );
    assert_eq!(
        approved,
        Ok(ActionInput::ApproveReactivation {
            approved: true,
            notes: String::new()
        })
    );
    assert_eq!(
        parse(Action::ApproveReactivation, json!({})),
        Err(vec!["approved".into()])
    );
}

#[test]
fn close_takes_optional_notes() {
    assert_eq!(
        parse(Action::Close, json!({})),
        Ok(ActionInput::Close { notes: None })
    );
    assert_eq!(
        parse(Action::Close, json!({"notes": "done"})),
        Ok(ActionInput::Close {
            notes: Some("done".into())
        })
    );
}

#[test]
fn comments_need_a_body_and_visibility_and_owners_write_to_the_agency() {
    assert_eq!(
        parse(Action::Comment, json!({})),
        Err(vec!["body".into(), "visibility".into()])
    );
    let internal = json!({"body": "hi", "visibility": "internal"});
    assert_eq!(
        parse_as(Role::SystemOwner, Action::Comment, internal.clone(), false),
        Err(vec!["visibility".into()])
    );
    assert!(parse_as(Role::Csirt, Action::Comment, internal, false).is_ok());
    let agency = json!({"body": "hi", "visibility": "agency"});
    let expected = ActionInput::Comment {
        body: "hi".into(),
        visibility: Visibility::Agency,
    };
    assert_eq!(
        parse_as(Role::SystemOwner, Action::Comment, agency, false),
        Ok(expected)
    );
}

#[test]
fn attach_needs_files() {
    assert_eq!(
        parse(Action::Attach, json!({"note": "x"})),
        Err(vec!["evidence".into()])
    );
    assert_eq!(
        parse_as(Role::Csirt, Action::Attach, json!({}), true),
        Ok(ActionInput::Attach { note: None })
    );
}

#[test]
fn assign_needs_a_staff_email() {
    assert_eq!(
        parse(Action::Assign, json!({"assignee": "budi"})),
        Err(vec!["assignee".into()])
    );
    assert_eq!(
        parse(Action::Assign, json!({})),
        Err(vec!["assignee".into()])
    );
    let body = json!({"assignee": " Budi@Batam.GO.ID "});
    assert_eq!(
        parse(Action::Assign, body),
        Ok(ActionInput::Assign {
            assignee: "Budi@batam.go.id".into()
        })
    );
}

#[test]
fn every_input_names_its_action_and_serialises_with_it() {
    let input = ActionInput::SendFollowUp {
        content: "x".into(),
    };
    assert_eq!(input.action(), Action::SendFollowUp);
    assert_eq!(input.evidence_text(), None);
    let json = serde_json::to_value(&input).unwrap();
    assert_eq!(json, json!({"action": "send_follow_up", "content": "x"}));
    assert_eq!(serde_json::from_value::<ActionInput>(json).unwrap(), input);
}

#[test]
fn an_occasion_is_read_within_the_report_and_now() {
    use crate::records::{Occasion, read_occasion};
    let received = Utc.with_ymd_and_hms(2026, 8, 10, 2, 0, 0).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 8, 12, 9, 0, 0).unwrap();
    let body = json!({"held_at": "2026-08-11T13:30", "place": " Ruang Rapat Lt. 3 "});
    let occasion = read_occasion(Action::Review, &body, now, received).unwrap();
    assert_eq!(
        occasion,
        Occasion {
            at: Some(Utc.with_ymd_and_hms(2026, 8, 11, 6, 30, 0).unwrap()),
            place: Some("Ruang Rapat Lt. 3".into()),
        }
    );
    let decided = json!({"decided_at": "2026-08-12T08:00:00+07:00", "place": "x"});
    let occasion = read_occasion(Action::ApproveReactivation, &decided, now, received).unwrap();
    assert!(occasion.at.is_some() && occasion.place.is_none());
    assert_eq!(
        read_occasion(Action::Assess, &json!({}), now, received).unwrap(),
        Occasion::default()
    );
    assert_eq!(
        read_occasion(Action::Block, &body, now, received).unwrap(),
        Occasion::default(),
        "a block's time is when it is recorded"
    );
    for (body, message) in [
        (json!({"held_at": "2026-08-13T09:00"}), "in the future"),
        (json!({"held_at": "2026-08-01T09:00"}), "before the report"),
        (json!({"held_at": "kemarin"}), "date and time"),
        (json!({"place": "x".repeat(300)}), "place"),
    ] {
        let errors = read_occasion(Action::Validate, &body, now, received).unwrap_err();
        assert!(
            errors.iter().any(|e| e.message.contains(message)),
            "{body}: {errors:?}"
        );
    }
}
