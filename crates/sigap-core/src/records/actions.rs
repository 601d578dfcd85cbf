//! One reader per action: which fields it needs and the rules between them (`API.md`,
//! "Action bodies"). Each reader records every problem on the [`Body`] and returns the
//! records only when all required ones were read.

use serde_json::{Map, Value};

use crate::cvss::{CvssScore, score_vector};
use crate::ids::{Email, TicketNumber};
use crate::model::{
    Action, Criticality, Party, Recommendation, Role, ValidationMethod, Visibility,
};
use crate::records::body::Body;
use crate::records::{ActionInput, LONG_TEXT, Meeting, SHORT_TEXT};
use crate::workflow::{Actor, TicketFacts};

/// The longest CVSS vector accepted (a v4.0 vector with every optional metric fits).
const VECTOR_TEXT: usize = 500;

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
            notes: body.optional_text("notes", LONG_TEXT),
        }),
        Action::Comment => comment(body, context),
        Action::Attach => attach(body, context),
        Action::Assign => assign(body),
    }
}

fn validate(body: &mut Body<'_>, context: &Context<'_>) -> Option<ActionInput> {
    let valid = body.required_bool(
        "valid",
        "say whether the report is valid (`true` or `false`)",
    );
    let method = body.required_enum::<ValidationMethod>("method", ValidationMethod::NAMES);
    let findings = body.required_text(
        "findings",
        LONG_TEXT,
        "describe what was checked and what was found",
    );
    let system = body.optional_text("system", SHORT_TEXT);
    let meeting = match method {
        Some(ValidationMethod::Meeting) => meeting(body),
        _ => None,
    };
    if valid == Some(true) && context.ticket.system_id.is_none() && system.is_none() {
        body.error(
            "system",
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
        system,
        meeting,
    })
}

/// Reads the required `meeting`: an object, a JSON string holding one, or flattened
/// `meeting.*` form fields.
fn meeting(body: &mut Body<'_>) -> Option<Meeting> {
    let fields = match body.get("meeting") {
        Some(Value::Object(fields)) => Some(fields.clone()),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(fields)) => Some(fields),
            _ => return meeting_shape_error(body),
        },
        Some(_) => return meeting_shape_error(body),
        None => body.flattened("meeting."),
    };
    let Some(fields) = fields else {
        let error = body.missing(
            "meeting",
            "a validation held in a meeting needs `held_at`, `place` and `attendees`",
        );
        body.errors.push(error);
        return None;
    };
    read_meeting(body, &fields)
}

fn meeting_shape_error<T>(body: &mut Body<'_>) -> Option<T> {
    body.error(
        "meeting",
        "`meeting` must be an object: {\"held_at\", \"place\", \"attendees\", \"agency_invited\"}",
    );
    None
}

fn read_meeting(body: &mut Body<'_>, fields: &Map<String, Value>) -> Option<Meeting> {
    let mut inner = Body::nested(fields, "meeting.");
    let held_at = inner.required_instant(
        "held_at",
        "when the meeting was held, e.g. 2026-08-12T09:00:00+07:00",
    );
    let place = inner.required_text("place", SHORT_TEXT, "where the meeting was held");
    let attendees = inner.required_list("attendees", "list at least one person who attended");
    let agency_invited = inner.optional_bool("agency_invited").unwrap_or(false);
    body.errors.append(&mut inner.errors);
    Some(Meeting {
        held_at: held_at?,
        place: place?,
        attendees: attendees?,
        agency_invited,
    })
}

fn mark_duplicate(body: &mut Body<'_>) -> Option<ActionInput> {
    let of = body.required_text(
        "of",
        SHORT_TEXT,
        "the number of the original ticket, e.g. BCSIRT-2026-00001",
    );
    let of = of.and_then(|text| {
        let parsed =
            TicketNumber::parse(&text).map_err(|error| on_field(body, "of", error.message));
        body.take(parsed)
    });
    let reason = body.required_text(
        "reason",
        LONG_TEXT,
        "say why it is the same finding as the original",
    );
    Some(ActionInput::MarkDuplicate {
        of: of?,
        reason: reason?,
    })
}

fn assess(body: &mut Body<'_>) -> Option<ActionInput> {
    let criticality = body.required_enum::<Criticality>("criticality", Criticality::NAMES);
    let vector = body.optional_text("cvss_vector", VECTOR_TEXT);
    let cvss = vector.as_deref().and_then(|text| {
        let scored = score_vector(text);
        body.take(scored)
    });
    let rationale = body.optional_text("rationale", LONG_TEXT);
    let needed = rationale_needed(vector.is_some(), cvss.as_ref(), criticality);
    if let (None, Some(message)) = (&rationale, needed) {
        body.error("rationale", message);
    }
    let personal_data_affected = body
        .optional_bool("personal_data_affected")
        .unwrap_or(false);
    let attendees = body.optional_list("attendees");
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
    let method = body
        .optional_text("method", SHORT_TEXT)
        .map(|text| text.to_ascii_lowercase());
    let method = method.unwrap_or_else(|| "manual".to_owned());
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-';
    if method.len() > 32 || !method.chars().all(allowed) {
        body.error(
            "method",
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
            "evidence",
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
    let notes = body.optional_text("notes", LONG_TEXT);
    let evidence_text = body.optional_text("evidence_text", LONG_TEXT);
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
    let recommendation =
        body.required_enum::<Recommendation>("recommendation", Recommendation::NAMES);
    let summary = body.required_text(
        "summary",
        LONG_TEXT,
        "summarise the finding for the agency, without exploit details",
    );
    let concerns = body.optional_text("concerns", LONG_TEXT);
    if concerns.is_none()
        && matches!(
            recommendation,
            Some(Recommendation::Warning | Recommendation::Sanction)
        )
    {
        body.error(
            "concerns",
            "`concerns` is required with a warning or sanction: name the ASN or unit it concerns",
        );
    }
    // Civil servants unless the letter's subject is a third-party vendor.
    let concerns_party = match body.optional_text("concerns_party", SHORT_TEXT) {
        Some(_) => body.required_enum::<Party>("concerns_party", Party::NAMES),
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
    let summary = body.required_text(
        "summary",
        LONG_TEXT,
        "describe what was fixed, when and by whom",
    );
    let evidence_text = body.optional_text("evidence_text", LONG_TEXT);
    require_evidence(body, context, evidence_text.as_ref(), "proof of the fix");
    let on_behalf = context.actor.role == Role::Csirt;
    Some(ActionInput::SubmitRemediation {
        summary: summary?,
        evidence_text,
        on_behalf,
    })
}

fn send_follow_up(body: &mut Body<'_>) -> Option<ActionInput> {
    let content = body.required_text("content", LONG_TEXT, "write the follow-up letter's content");
    Some(ActionInput::SendFollowUp { content: content? })
}

fn review(body: &mut Body<'_>) -> Option<ActionInput> {
    let fixed = body.required_bool(
        "fixed",
        "say whether the vulnerability is fixed (`true` = Sudah, `false` = Belum)",
    );
    let attendees = body.required_list(
        "attendees",
        "list at least one person who attended the meeting",
    );
    let notes = body.required_text(
        "notes",
        LONG_TEXT,
        "record what the meeting discussed and decided",
    );
    Some(ActionInput::Review {
        fixed: fixed?,
        attendees: attendees?,
        notes: notes?,
    })
}

fn approve_reactivation(body: &mut Body<'_>) -> Option<ActionInput> {
    let approved = body.required_bool(
        "approved",
        "say whether reactivation is approved (`true` or `false`)",
    );
    let notes = if approved == Some(false) {
        body.required_text("notes", LONG_TEXT, "explain why reactivation is refused")
    } else {
        body.optional_text("notes", LONG_TEXT)
    };
    Some(ActionInput::ApproveReactivation {
        approved: approved?,
        notes: notes.unwrap_or_default(),
    })
}

fn comment(body: &mut Body<'_>, context: &Context<'_>) -> Option<ActionInput> {
    let text = body.required_text("body", LONG_TEXT, "write the comment");
    let visibility = body.required_enum::<Visibility>("visibility", Visibility::NAMES);
    let owner = context.actor.role == Role::SystemOwner;
    if owner && visibility.is_some_and(|visibility| visibility != Visibility::Agency) {
        body.error(
            "visibility",
            "a system owner's comments are shared with the agency and the CSIRT: use `agency`",
        );
    }
    Some(ActionInput::Comment {
        body: text?,
        visibility: visibility?,
    })
}

fn attach(body: &mut Body<'_>, context: &Context<'_>) -> Option<ActionInput> {
    let note = body.optional_text("note", LONG_TEXT);
    if !context.has_files {
        body.error("evidence", "attach at least one file in `evidence`");
    }
    Some(ActionInput::Attach { note })
}

fn assign(body: &mut Body<'_>) -> Option<ActionInput> {
    let assignee = body.required_text(
        "assignee",
        SHORT_TEXT,
        "give the e-mail address of a staff user",
    );
    let assignee = assignee.and_then(|text| {
        let parsed = Email::parse(&text).map_err(|error| on_field(body, "assignee", error.message));
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
