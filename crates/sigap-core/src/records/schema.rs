//! Each action's fields, written once: name, kind of value, limit, whether it is required,
//! what it holds and what to say when it is missing. The readers in `actions` take their
//! fields from here; the web layer renders its forms from [`form_fields`] and documents the
//! API's request bodies from [`fields`]; the catalogues label each field under
//! `field.{action}.{name}`. Adding a field to an action is one entry here, its reading in
//! `actions`, and its two labels.

use crate::model::{
    Action, Choice, Criticality, Party, Recommendation, Role, ValidationMethod, Visibility,
};
use crate::records::{LONG_TEXT, SHORT_TEXT};

/// The longest CVSS vector accepted (a v4.0 vector with every optional metric fits).
pub const VECTOR_TEXT: usize = 500;

/// The longest address a block's `proof_url` may have.
pub const URL_TEXT: usize = 2048;

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// One line of text, at most this many characters.
    Text(usize),
    /// Several lines of text, at most this many characters.
    LongText(usize),
    /// A yes-or-no answer that must be given (`true`/`false`, or `ya`/`tidak`, ...).
    YesNo,
    /// A tick: absent means no.
    Flag,
    /// One of a closed vocabulary's names.
    Choice(&'static [Choice]),
    /// A date and time: RFC 3339, or a WIB wall-clock time (`2026-08-12T09:00`).
    Instant,
    /// An e-mail address.
    Email,
    /// A ticket number such as `BCSIRT-2026-00001`.
    TicketNumber,
    /// Names of people: a JSON array, or one per line.
    List,
    /// Evidence files: the multipart parts named `evidence`.
    Files,
    /// The id of a meeting scheduled on the ticket.
    MeetingId,
    /// A group of fields: a JSON object, or form fields named `{group}.{field}`.
    Group(&'static [FieldSpec]),
}

/// Whether a field must be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Always.
    Required,
    /// Never.
    Optional,
    /// In the case named (the step's rules check it).
    When(&'static str),
}

/// One field of an action's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub ty: FieldType,
    pub need: Need,
    /// What it holds, in English, for the API's reference.
    pub about: &'static str,
    /// What to write, said when it is required and missing.
    pub missing: &'static str,
    /// What it is when not sent, which a form starts with.
    pub default: Option<&'static str>,
}

impl FieldSpec {
    const fn new(name: &'static str, ty: FieldType, need: Need, about: &'static str) -> Self {
        FieldSpec {
            name,
            ty,
            need,
            about,
            missing: about,
            default: None,
        }
    }

    const fn missing(mut self, missing: &'static str) -> Self {
        self.missing = missing;
        self
    }

    const fn default(mut self, value: &'static str) -> Self {
        self.default = Some(value);
        self
    }

    /// The largest number of characters, for the text kinds.
    pub fn max_chars(&self) -> Option<usize> {
        match self.ty {
            FieldType::Text(max) | FieldType::LongText(max) => Some(max),
            FieldType::Email => Some(254),
            FieldType::TicketNumber | FieldType::List => Some(SHORT_TEXT),
            _ => None,
        }
    }
}

use FieldType::{Choice as OneOf, *};
use Need::{Optional, Required, When};

/// The meeting of a validation held in a meeting (`meeting`).
pub mod meeting {
    use super::*;

    pub const HELD_AT: FieldSpec = FieldSpec::new(
        "held_at",
        Instant,
        Required,
        "when the meeting was held, e.g. 2026-08-12T09:00:00+07:00",
    );
    pub const PLACE: FieldSpec = FieldSpec::new(
        "place",
        Text(SHORT_TEXT),
        Required,
        "where the meeting was held",
    );
    pub const ATTENDEES: FieldSpec = FieldSpec::new(
        "attendees",
        List,
        Required,
        "who attended, at least one person",
    )
    .missing("list at least one person who attended");
    pub const AGENCY_INVITED: FieldSpec = FieldSpec::new(
        "agency_invited",
        Flag,
        Optional,
        "whether the owning agency was invited",
    );
    pub const ALL: &[FieldSpec] = &[HELD_AT, PLACE, ATTENDEES, AGENCY_INVITED];
}

/// When and where a step's event took place, and the scheduled meeting it holds.
pub mod occasion {
    use super::*;

    pub const HELD_AT: FieldSpec = FieldSpec::new(
        "held_at",
        Instant,
        Optional,
        "when it took place (not before the report arrived, not in the future); now when \
         not given",
    );
    pub const DECIDED_AT: FieldSpec = FieldSpec::new(
        "decided_at",
        Instant,
        Optional,
        "when the decision was taken (not before the report arrived, not in the future); now \
         when not given",
    );
    pub const PLACE: FieldSpec =
        FieldSpec::new("place", Text(SHORT_TEXT), Optional, "where it took place");
    pub const MEETING_ID: FieldSpec = FieldSpec::new(
        "meeting_id",
        MeetingId,
        Optional,
        "a meeting scheduled on the ticket that this step holds: its time, place and \
         attendees become the step's",
    );
}

pub mod validate {
    use super::*;

    pub const VALID: FieldSpec =
        FieldSpec::new("valid", YesNo, Required, "whether the report is valid")
            .missing("say whether the report is valid (`true` or `false`)");
    pub const METHOD: FieldSpec = FieldSpec::new(
        "method",
        OneOf(ValidationMethod::CHOICES),
        Required,
        "through the ticket, or in a meeting",
    )
    .default("ticket");
    pub const FINDINGS: FieldSpec = FieldSpec::new(
        "findings",
        LongText(LONG_TEXT),
        Required,
        "what was checked and what was found",
    )
    .missing("describe what was checked and what was found");
    pub const REASON_FOR_REPORTER: FieldSpec = FieldSpec::new(
        "reason_for_reporter",
        LongText(LONG_TEXT),
        When("the report is not valid"),
        "why the report was not accepted, as the reporter reads it on the tracking page and \
         in the mail (the findings stay internal)",
    )
    .missing("tell the reporter why the report is not valid");
    pub const SYSTEM: FieldSpec = FieldSpec::new(
        "system",
        Text(SHORT_TEXT),
        When("the report is valid and the ticket is linked to no registered system"),
        "the registered electronic system to link: its id or one of its domains",
    );
    pub const MEETING: FieldSpec = FieldSpec::new(
        "meeting",
        Group(meeting::ALL),
        When("`method` is `meeting`"),
        "the meeting the report was validated in",
    )
    .missing("a validation held in a meeting needs `held_at`, `place` and `attendees`");
    pub const ALL: &[FieldSpec] = &[
        VALID,
        METHOD,
        FINDINGS,
        REASON_FOR_REPORTER,
        SYSTEM,
        occasion::HELD_AT,
        occasion::PLACE,
        MEETING,
        occasion::MEETING_ID,
    ];
}

pub mod mark_duplicate {
    use super::*;

    pub const OF: FieldSpec = FieldSpec::new("of", TicketNumber, Required, "the original ticket")
        .missing("the number of the original ticket, e.g. BCSIRT-2026-00001");
    pub const REASON: FieldSpec = FieldSpec::new(
        "reason",
        LongText(LONG_TEXT),
        Required,
        "why it is the same finding",
    )
    .missing("say why it is the same finding as the original");
    pub const ALL: &[FieldSpec] = &[OF, REASON];
}

pub mod assess {
    use super::*;

    pub const CRITICALITY: FieldSpec = FieldSpec::new(
        "criticality",
        OneOf(Criticality::CHOICES),
        Required,
        "the SOP's level: high is blocked, low is not",
    );
    pub const CVSS_VECTOR: FieldSpec = FieldSpec::new(
        "cvss_vector",
        Text(VECTOR_TEXT),
        Optional,
        "a CVSS 3.1 or 4.0 vector, scored by the server",
    );
    pub const RATIONALE: FieldSpec = FieldSpec::new(
        "rationale",
        LongText(LONG_TEXT),
        When("no `cvss_vector` is given, or `criticality` overrides the vector's band"),
        "why the level is high or low",
    );
    pub const PERSONAL_DATA_AFFECTED: FieldSpec = FieldSpec::new(
        "personal_data_affected",
        Flag,
        Optional,
        "whether personal data is affected",
    );
    pub const ATTENDEES: FieldSpec = FieldSpec::new(
        "attendees",
        List,
        Optional,
        "who took part, when assessed in a meeting",
    );
    pub const ALL: &[FieldSpec] = &[
        CRITICALITY,
        CVSS_VECTOR,
        RATIONALE,
        PERSONAL_DATA_AFFECTED,
        occasion::HELD_AT,
        occasion::PLACE,
        ATTENDEES,
        occasion::MEETING_ID,
    ];
}

/// The block and the unblock share their fields.
pub mod blocking {
    use super::*;

    pub const METHOD: FieldSpec = FieldSpec::new(
        "method",
        Text(SHORT_TEXT),
        Optional,
        "`manual`, or the system's blocking profile or adapter",
    )
    .default("manual");
    pub const NOTES: FieldSpec = FieldSpec::new(
        "notes",
        LongText(LONG_TEXT),
        When("`method` is `manual` on a system with an adapter: why it is done by hand"),
        "notes",
    );
    pub const EVIDENCE: FieldSpec = FieldSpec::new(
        "evidence",
        Files,
        When("`method` is `manual` and no `evidence_text` is given"),
        "screenshots or other proof (multipart)",
    );
    pub const EVIDENCE_TEXT: FieldSpec = FieldSpec::new(
        "evidence_text",
        LongText(LONG_TEXT),
        When("`method` is `manual` and no `evidence` file is attached"),
        "proof as text",
    );
    pub const PROOF_URL: FieldSpec = FieldSpec::new(
        "proof_url",
        Text(URL_TEXT),
        Optional,
        "the address the captures photograph, on a host the system's domains cover; the \
         system's front page when not given",
    );
    pub const ALL: &[FieldSpec] = &[METHOD, NOTES, EVIDENCE, EVIDENCE_TEXT, PROOF_URL];
}

pub mod notify_agency {
    use super::*;

    pub const RECOMMENDATION: FieldSpec = FieldSpec::new(
        "recommendation",
        OneOf(Recommendation::CHOICES),
        Required,
        "the recommendation about the ASN or unit concerned",
    );
    pub const SUMMARY: FieldSpec = FieldSpec::new(
        "summary",
        LongText(LONG_TEXT),
        Required,
        "the finding for the agency, without exploit details",
    )
    .missing("summarise the finding for the agency, without exploit details");
    pub const CONCERNS: FieldSpec = FieldSpec::new(
        "concerns",
        LongText(LONG_TEXT),
        When("`recommendation` is a warning or a sanction"),
        "the ASN or unit a warning or sanction concerns",
    );
    pub const CONCERNS_PARTY: FieldSpec = FieldSpec::new(
        "concerns_party",
        OneOf(Party::CHOICES),
        Optional,
        "whether `concerns` names civil servants or a third-party vendor",
    )
    .default("asn");
    pub const ALL: &[FieldSpec] = &[RECOMMENDATION, SUMMARY, CONCERNS, CONCERNS_PARTY];
}

pub mod submit_remediation {
    use super::*;

    pub const SUMMARY: FieldSpec = FieldSpec::new(
        "summary",
        LongText(LONG_TEXT),
        Required,
        "what was fixed, when and by whom",
    )
    .missing("describe what was fixed, when and by whom");
    pub const EVIDENCE: FieldSpec = FieldSpec::new(
        "evidence",
        Files,
        When("no `evidence_text` is given"),
        "proof of the fix (multipart)",
    );
    pub const EVIDENCE_TEXT: FieldSpec = FieldSpec::new(
        "evidence_text",
        LongText(LONG_TEXT),
        When("no `evidence` file is attached"),
        "proof of the fix as text",
    );
    pub const ALL: &[FieldSpec] = &[SUMMARY, EVIDENCE, EVIDENCE_TEXT];
}

pub mod send_follow_up {
    use super::*;

    pub const CONTENT: FieldSpec = FieldSpec::new(
        "content",
        LongText(LONG_TEXT),
        Required,
        "the follow-up letter's content",
    )
    .missing("write the follow-up letter's content");
    pub const ALL: &[FieldSpec] = &[CONTENT];
}

pub mod review {
    use super::*;

    pub const FIXED: FieldSpec = FieldSpec::new(
        "fixed",
        YesNo,
        Required,
        "whether the vulnerability is fixed (*Sudah*) or not yet (*Belum*)",
    )
    .missing("say whether the vulnerability is fixed (`true` = Sudah, `false` = Belum)");
    pub const ATTENDEES: FieldSpec = FieldSpec::new(
        "attendees",
        List,
        When("no `meeting_id` names the meeting"),
        "who attended the internal meeting",
    )
    .missing("list at least one person who attended the meeting");
    pub const NOTES: FieldSpec = FieldSpec::new(
        "notes",
        LongText(LONG_TEXT),
        Required,
        "what the meeting discussed and decided",
    )
    .missing("record what the meeting discussed and decided");
    pub const ALL: &[FieldSpec] = &[
        FIXED,
        occasion::HELD_AT,
        occasion::PLACE,
        ATTENDEES,
        occasion::MEETING_ID,
        NOTES,
    ];
}

pub mod approve_reactivation {
    use super::*;

    pub const APPROVED: FieldSpec = FieldSpec::new(
        "approved",
        YesNo,
        Required,
        "whether reactivation is approved",
    )
    .missing("say whether reactivation is approved (`true` or `false`)");
    pub const NOTES: FieldSpec = FieldSpec::new(
        "notes",
        LongText(LONG_TEXT),
        When("reactivation is refused"),
        "the decision's notes",
    )
    .missing("explain why reactivation is refused");
    pub const ALL: &[FieldSpec] = &[APPROVED, occasion::DECIDED_AT, NOTES];
}

pub mod close {
    use super::*;

    pub const NOTES: FieldSpec =
        FieldSpec::new("notes", LongText(LONG_TEXT), Optional, "closing notes");
    pub const ALL: &[FieldSpec] = &[NOTES];
}

pub mod comment {
    use super::*;

    pub const BODY: FieldSpec =
        FieldSpec::new("body", LongText(LONG_TEXT), Required, "the comment")
            .missing("write the comment");
    pub const VISIBILITY: FieldSpec = FieldSpec::new(
        "visibility",
        OneOf(Visibility::CHOICES),
        Required,
        "who may read it; a system owner's comments are `agency`",
    )
    .default("internal");
    pub const ALL: &[FieldSpec] = &[BODY, VISIBILITY];
}

pub mod attach {
    use super::*;

    pub const EVIDENCE: FieldSpec =
        FieldSpec::new("evidence", Files, Required, "the files to add (multipart)")
            .missing("attach at least one file in `evidence`");
    pub const NOTE: FieldSpec =
        FieldSpec::new("note", LongText(LONG_TEXT), Optional, "what the files are");
    pub const ALL: &[FieldSpec] = &[EVIDENCE, NOTE];
}

pub mod assign {
    use super::*;

    pub const ASSIGNEE: FieldSpec = FieldSpec::new(
        "assignee",
        Email,
        Required,
        "the e-mail address of an active help desk, CSIRT or domain officer user",
    )
    .missing("give the e-mail address of a staff user");
    pub const ALL: &[FieldSpec] = &[ASSIGNEE];
}

/// The fields of `action`'s body, in the order a form asks them.
pub fn fields(action: Action) -> &'static [FieldSpec] {
    match action {
        Action::Validate => validate::ALL,
        Action::MarkDuplicate => mark_duplicate::ALL,
        Action::Assess => assess::ALL,
        Action::Block | Action::Unblock => blocking::ALL,
        Action::NotifyAgency => notify_agency::ALL,
        Action::SubmitRemediation => submit_remediation::ALL,
        Action::SendFollowUp => send_follow_up::ALL,
        Action::Review => review::ALL,
        Action::ApproveReactivation => approve_reactivation::ALL,
        Action::Close => close::ALL,
        Action::Comment => comment::ALL,
        Action::Attach => attach::ALL,
        Action::Assign => assign::ALL,
    }
}

/// One field as a staff member's form asks it: its name there (`meeting.held_at` for a
/// group's field), whether the form must send it, what it starts with, and the choices
/// open to this caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormSpec {
    /// The name the form sends.
    pub name: String,
    pub spec: FieldSpec,
    /// Whether the form cannot be sent without it: a required field, a field with a
    /// default, or one the ticket's facts make required.
    pub required: bool,
    pub default: Option<&'static str>,
    /// The choices of a [`FieldType::Choice`] this caller may pick.
    pub choices: Vec<Choice>,
}

/// The fields of `action` as a form asks them of a caller of `role`, on a ticket linked (or
/// not) to a registered system. A group's fields are asked one by one under
/// `{group}.{field}`.
pub fn form_fields(action: Action, role: Role, linked: bool) -> Vec<FormSpec> {
    let mut asked = Vec::new();
    for spec in fields(action) {
        if let FieldType::Group(members) = spec.ty {
            for member in members {
                asked.push(FormSpec {
                    name: format!("{}.{}", spec.name, member.name),
                    spec: *member,
                    // The group is asked only in its case: the form cannot require it.
                    required: false,
                    default: member.default,
                    choices: Vec::new(),
                });
            }
            continue;
        }
        let mut form = FormSpec {
            name: spec.name.to_owned(),
            spec: *spec,
            required: spec.need == Need::Required || spec.default.is_some(),
            default: spec.default,
            choices: match spec.ty {
                FieldType::Choice(choices) => choices.to_vec(),
                _ => Vec::new(),
            },
        };
        if *spec == validate::SYSTEM && !linked {
            form.required = true;
        }
        // A system owner's comments go to the agency and the CSIRT, never elsewhere.
        if *spec == comment::VISIBILITY && role == Role::SystemOwner {
            form.choices
                .retain(|c| c.name == Visibility::Agency.as_str());
            form.default = Some(Visibility::Agency.as_str());
        }
        asked.push(form);
    }
    asked
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::*;
    use crate::records::{parse_action_input, read_occasion};
    use crate::workflow::{Actor, TicketFacts};

    fn names(action: Action) -> Vec<&'static str> {
        fields(action).iter().map(|f| f.name).collect()
    }

    fn errors(action: Action, body: &Value, files: bool) -> Vec<String> {
        let actor = Actor {
            user_id: 1,
            role: Role::Csirt,
            agency_id: None,
        };
        let ticket = TicketFacts {
            state: crate::model::State::Queued,
            agency_id: None,
            system_id: None,
            blocked: false,
            criticality: None,
            round: 1,
        };
        let mut found: Vec<String> = parse_action_input(action, body, files, &actor, &ticket)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect();
        let now = chrono::DateTime::from_timestamp(1_786_000_000, 0).unwrap_or_default();
        if let Err(more) = read_occasion(action, body, now, now) {
            found.extend(more.into_iter().map(|e| e.field));
        }
        found
    }

    /// A body with every field of the schema holding a value of the wrong kind.
    fn wrong_everywhere(action: Action) -> Value {
        let mut body = Map::new();
        for spec in fields(action) {
            let wrong = match spec.ty {
                FieldType::Group(_) => json!(7),
                FieldType::Text(max) | FieldType::LongText(max) => json!("x".repeat(max + 1)),
                _ => json!("?"),
            };
            body.insert(spec.name.to_owned(), wrong);
        }
        Value::Object(body)
    }

    #[test]
    fn the_readers_name_only_fields_of_the_schema() {
        for &action in Action::ALL {
            let known = names(action);
            for body in [json!({}), wrong_everywhere(action)] {
                for field in errors(action, &body, false) {
                    let top = field.split('.').next().unwrap_or_default();
                    assert!(
                        known.contains(&top),
                        "{action}: the reader reports `{field}`, which the schema lacks"
                    );
                }
            }
        }
    }

    #[test]
    fn every_required_field_is_reported_when_missing() {
        for &action in Action::ALL {
            let reported = errors(action, &json!({}), false);
            for spec in fields(action).iter().filter(|f| f.need == Need::Required) {
                assert!(
                    reported.iter().any(|r| r == spec.name),
                    "{action}: `{}` is required but an empty body does not say so: {reported:?}",
                    spec.name
                );
            }
        }
    }

    #[test]
    fn every_text_field_keeps_its_limit() {
        for &action in Action::ALL {
            let reported = errors(action, &wrong_everywhere(action), true);
            for spec in fields(action) {
                if matches!(spec.ty, FieldType::Text(_) | FieldType::LongText(_))
                    && spec.name != blocking::PROOF_URL.name
                {
                    assert!(
                        reported.iter().any(|r| r == spec.name),
                        "{action}: `{}` over its limit is not refused",
                        spec.name
                    );
                }
            }
        }
    }

    #[test]
    fn a_form_asks_what_the_ticket_and_the_role_call_for() {
        let system = |linked| {
            form_fields(Action::Validate, Role::Csirt, linked)
                .into_iter()
                .find(|f| f.name == "system")
                .map(|f| f.required)
        };
        assert_eq!(system(false), Some(true));
        assert_eq!(system(true), Some(false));
        let meeting: Vec<String> = form_fields(Action::Validate, Role::Csirt, true)
            .into_iter()
            .map(|f| f.name)
            .filter(|n| n.starts_with("meeting."))
            .collect();
        assert_eq!(
            meeting,
            [
                "meeting.held_at",
                "meeting.place",
                "meeting.attendees",
                "meeting.agency_invited"
            ]
        );
        let visibility = |role| {
            form_fields(Action::Comment, role, true)
                .into_iter()
                .find(|f| f.name == "visibility")
                .map(|f| (f.choices.len(), f.default))
        };
        assert_eq!(visibility(Role::Csirt), Some((3, Some("internal"))));
        assert_eq!(visibility(Role::SystemOwner), Some((1, Some("agency"))));
    }
}
