//! One reader per action: the rules between its fields, which `schema` names and limits.
//! Each reader records every problem on the [`Body`] and returns the records only when all
//! required ones were read.

use serde_json::{Map, Value};

use crate::cvss::{CvssScore, score_vector};
use crate::ids::{Email, TicketNumber};
use crate::model::{
    Action, Criticality, Party, Recommendation, Role, ValidationMethod, Visibility,
};
use crate::records::body::Body;
use crate::records::schema::{
    approve_reactivation as approve, assess as assess_f, assign as assign_f, attach as attach_f,
    blocking, close, comment as comment_f, mark_duplicate as duplicate, meeting as meeting_f,
    notify_agency as notify, review as review_f, send_follow_up, submit_remediation as remediation,
    validate as validate_f,
};
use crate::records::{ActionInput, Meeting};
use crate::workflow::{Actor, TicketFacts};

/// What the rules depend on besides the body.
pub(crate) struct Context<'a> {
    pub(crate) has_files: bool,
    pub(crate) actor: &'a Actor,
    pub(crate) ticket: &'a TicketFacts,
}

/// Reads the records of `action`.
pub(crate) fn read(
    action: Action,
    body: &mut Body<'_>,
    context: &Context<'_>,
) -> Option<ActionInput> {
    match action {
        Action::Validate => validate(body, context),
        Action::MarkDuplicate => mark_duplicate(body),
        Action::Assess => assess(body),
        Action::Block => block(body, context),
        Action::NotifyAgency => notify_agency(body),
        Action::SubmitRemediation => submit_remediation(body, context),
        Action::SendFollowUp => send_follow_up(body),
        Action::Review => review(body),
        Action::ApproveReactivation => approve_reactivation(body),
        Action::Unblock => unblock(body, context),
        Action::Close => Some(ActionInput::Close {
            notes: body.text(&close::NOTES),
        }),
        Action::Comment => comment(body, context),
        Action::Attach => attach(body, context),
        Action::Assign => assign(body),
    }
}

fn validate(body: &mut Body<'_>, context: &Context<'_>) -> Option<ActionInput> {
    let valid = body.yes_no(&validate_f::VALID);
    let method = body.choice::<ValidationMethod>(&validate_f::METHOD);
    let findings = body.text(&validate_f::FINDINGS);
    let reason_for_reporter = body.text(&validate_f::REASON_FOR_REPORTER);
    let system = body.text(&validate_f::SYSTEM);
    if valid == Some(false) && reason_for_reporter.is_none() {
        let field = &validate_f::REASON_FOR_REPORTER;
        let error = body.missing(field.name, field.missing);
        body.errors.push(error);
    }
    let meeting = match method {
        Some(ValidationMethod::Meeting) => meeting(body),
        _ => None,
    };
    if valid == Some(true) && context.ticket.system_id.is_none() && system.is_none() {
        body.error(
            validate_f::SYSTEM.name,
            "the ticket is not linked to a registered electronic system: give `system` (its id \
             or domain)",
        );
    }
    if method == Some(ValidationMethod::Meeting) && meeting.is_none() {
        return None;
    }
    Some(ActionInput::Validate {
        valid: valid?,
        method: method?,
        findings: findings?,
        reason_for_reporter: reason_for_reporter.filter(|_| valid == Some(false)),
        system,
        meeting,
    })
}

/// Reads the required `meeting`: an object, a JSON string holding one, or flattened
/// `meeting.*` form fields.
fn meeting(body: &mut Body<'_>) -> Option<Meeting> {
    let group = &validate_f::MEETING;
    let fields = match body.get(group.name) {
        Some(Value::Object(fields)) => Some(fields.clone()),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(fields)) => Some(fields),
            _ => return meeting_shape_error(body),
        },
        Some(_) => return meeting_shape_error(body),
        None => body.flattened("meeting."),
    };
    let Some(fields) = fields else {
        let error = body.missing(group.name, group.missing);
        body.errors.push(error);
        return None;
    };
    read_meeting(body, &fields)
}

fn meeting_shape_error<T>(body: &mut Body<'_>) -> Option<T> {
    body.error(
        validate_f::MEETING.name,
        "`meeting` must be an object: {\"held_at\", \"place\", \"attendees\", \"agency_invited\"}",
    );
    None
}

fn read_meeting(body: &mut Body<'_>, fields: &Map<String, Value>) -> Option<Meeting> {
    let mut inner = Body::nested(fields, "meeting.");
    let held_at = inner.instant(&meeting_f::HELD_AT);
    let place = inner.text(&meeting_f::PLACE);
    let attendees = inner.list(&meeting_f::ATTENDEES);
    let agency_invited = inner.flag(&meeting_f::AGENCY_INVITED);
    body.errors.append(&mut inner.errors);
    Some(Meeting {
        held_at: held_at?,
        place: place?,
        attendees: attendees?,
        agency_invited,
    })
}

fn mark_duplicate(body: &mut Body<'_>) -> Option<ActionInput> {
    let of = body.text(&duplicate::OF);
    let of = of.and_then(|text| {
        let parsed = TicketNumber::parse(&text)
            .map_err(|error| on_field(body, duplicate::OF.name, error.message));
        body.take(parsed)
    });
    let reason = body.text(&duplicate::REASON);
    Some(ActionInput::MarkDuplicate {
        of: of?,
        reason: reason?,
    })
}

fn assess(body: &mut Body<'_>) -> Option<ActionInput> {
    let criticality = body.choice::<Criticality>(&assess_f::CRITICALITY);
    let vector = body.text(&assess_f::CVSS_VECTOR);
    let cvss = vector.as_deref().and_then(|text| {
        let scored = score_vector(text);
        body.take(scored)
    });
    let rationale = body.text(&assess_f::RATIONALE);
    let needed = rationale_needed(vector.is_some(), cvss.as_ref(), criticality);
    if let (None, Some(message)) = (&rationale, needed) {
        body.error(assess_f::RATIONALE.name, message);
    }
    let personal_data_affected = body.flag(&assess_f::PERSONAL_DATA_AFFECTED);
    let attendees = body.list(&assess_f::ATTENDEES).unwrap_or_default();
    Some(ActionInput::Assess {
        criticality: criticality?,
        cvss,
        rationale,
        personal_data_affected,
        attendees,
    })
}

/// Why a written rationale is needed: no vector, or a level that overrides the vector's band.
fn rationale_needed(
    vector_given: bool,
    cvss: Option<&CvssScore>,
    criticality: Option<Criticality>,
) -> Option<String> {
    if !vector_given {
        return Some(
            "`rationale` is required when no `cvss_vector` is given: explain why the \
             criticality is high or low"
                .to_owned(),
        );
    }
    let (cvss, criticality) = (cvss?, criticality?);
    let mapped = cvss.criticality();
    (criticality != mapped).then(|| {
        format!(
            "`rationale` is required: `criticality` `{criticality}` overrides the CVSS score {} \
             ({}), which maps to `{mapped}`; explain why",
            cvss.score,
            cvss.band.as_str()
        )
    })
}

/// Reads a blocking method: `manual` (the default) or an adapter's name.
fn block_method(body: &mut Body<'_>) -> String {
    let spec = &blocking::METHOD;
    let method = body.text(spec).map(|text| text.to_ascii_lowercase());
    let method = method.unwrap_or_else(|| spec.default.unwrap_or("manual").to_owned());
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-';
    if method.len() > 32 || !method.chars().all(allowed) {
        body.error(
            spec.name,
            "`method` is `manual` or the name of a configured blocking adapter",
        );
    }
    method
}

/// Records an error on `evidence` when neither files nor `evidence_text` were given.
fn require_evidence(
    body: &mut Body<'_>,
    context: &Context<'_>,
    evidence_text: Option<&String>,
    what: &str,
) {
    if !context.has_files && evidence_text.is_none() {
        body.error(
            blocking::EVIDENCE.name,
            format!(
                "evidence is required: attach {what} in `evidence`, or paste it in `evidence_text`"
            ),
        );
    }
}

/// Block and unblock share their records. Evidence is required from the user for a manual
/// block; an adapter captures its own (the app refuses an adapter the system lacks).
fn block_records(
    body: &mut Body<'_>,
    context: &Context<'_>,
    what: &str,
) -> (String, Option<String>, Option<String>) {
    let method = block_method(body);
    let notes = body.text(&blocking::NOTES);
    let evidence_text = body.text(&blocking::EVIDENCE_TEXT);
    if method == "manual" {
        require_evidence(body, context, evidence_text.as_ref(), what);
    }
    (method, notes, evidence_text)
}

fn block(body: &mut Body<'_>, context: &Context<'_>) -> Option<ActionInput> {
    let (method, notes, evidence_text) =
        block_records(body, context, "a screenshot of the blocked service");
    Some(ActionInput::Block {
        method,
        notes,
        evidence_text,
    })
}

fn unblock(body: &mut Body<'_>, context: &Context<'_>) -> Option<ActionInput> {
    let (method, notes, evidence_text) =
        block_records(body, context, "a screenshot of the service back online");
    Some(ActionInput::Unblock {
        method,
        notes,
        evidence_text,
    })
}

fn notify_agency(body: &mut Body<'_>) -> Option<ActionInput> {
    let recommendation = body.choice::<Recommendation>(&notify::RECOMMENDATION);
    let summary = body.text(&notify::SUMMARY);
    let concerns = body.text(&notify::CONCERNS);
    if concerns.is_none()
        && matches!(
            recommendation,
            Some(Recommendation::Warning | Recommendation::Sanction)
        )
    {
        body.error(
            notify::CONCERNS.name,
            "`concerns` is required with a warning or sanction: name the ASN or unit it concerns",
        );
    }
    // Civil servants unless the letter's subject is a third-party vendor.
    let party = &notify::CONCERNS_PARTY;
    let concerns_party = match body.optional_text(party.name, crate::records::SHORT_TEXT) {
        Some(_) => body.choice::<Party>(party),
        None => Some(Party::Asn),
    };
    Some(ActionInput::NotifyAgency {
        recommendation: recommendation?,
        summary: summary?,
        concerns,
        concerns_party: concerns_party?,
    })
}

fn submit_remediation(body: &mut Body<'_>, context: &Context<'_>) -> Option<ActionInput> {
    let summary = body.text(&remediation::SUMMARY);
    let evidence_text = body.text(&remediation::EVIDENCE_TEXT);
    require_evidence(body, context, evidence_text.as_ref(), "proof of the fix");
    let on_behalf = context.actor.role == Role::Csirt;
    Some(ActionInput::SubmitRemediation {
        summary: summary?,
        evidence_text,
        on_behalf,
    })
}

fn send_follow_up(body: &mut Body<'_>) -> Option<ActionInput> {
    let content = body.text(&send_follow_up::CONTENT);
    Some(ActionInput::SendFollowUp { content: content? })
}

fn review(body: &mut Body<'_>) -> Option<ActionInput> {
    let fixed = body.yes_no(&review_f::FIXED);
    // A named meeting has filled the attendees in by now (see the app's meetings).
    let attendees = body.list_required(&review_f::ATTENDEES);
    let notes = body.text(&review_f::NOTES);
    Some(ActionInput::Review {
        fixed: fixed?,
        attendees: attendees?,
        notes: notes?,
    })
}

fn approve_reactivation(body: &mut Body<'_>) -> Option<ActionInput> {
    let approved = body.yes_no(&approve::APPROVED);
    let notes = if approved == Some(false) {
        body.text_required(&approve::NOTES)
    } else {
        body.text(&approve::NOTES)
    };
    Some(ActionInput::ApproveReactivation {
        approved: approved?,
        notes: notes.unwrap_or_default(),
    })
}

fn comment(body: &mut Body<'_>, context: &Context<'_>) -> Option<ActionInput> {
    let text = body.text(&comment_f::BODY);
    let visibility = body.choice::<Visibility>(&comment_f::VISIBILITY);
    let owner = context.actor.role == Role::SystemOwner;
    if owner && visibility.is_some_and(|visibility| visibility != Visibility::Agency) {
        body.error(
            comment_f::VISIBILITY.name,
            "a system owner's comments are shared with the agency and the CSIRT: use `agency`",
        );
    }
    Some(ActionInput::Comment {
        body: text?,
        visibility: visibility?,
    })
}

fn attach(body: &mut Body<'_>, context: &Context<'_>) -> Option<ActionInput> {
    let note = body.text(&attach_f::NOTE);
    if !context.has_files {
        body.error(attach_f::EVIDENCE.name, attach_f::EVIDENCE.missing);
    }
    Some(ActionInput::Attach { note })
}

fn assign(body: &mut Body<'_>) -> Option<ActionInput> {
    let assignee = body.text(&assign_f::ASSIGNEE);
    let assignee = assignee.and_then(|text| {
        let parsed = Email::parse(&text)
            .map_err(|error| on_field(body, assign_f::ASSIGNEE.name, error.message));
        body.take(parsed)
    });
    Some(ActionInput::Assign {
        assignee: assignee?.into(),
    })
}

/// The same message, on another field.
fn on_field(body: &Body<'_>, field: &str, message: String) -> crate::error::FieldError {
    crate::error::FieldError::new(body.name(field), message)
}
