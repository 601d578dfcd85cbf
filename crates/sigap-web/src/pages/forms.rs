//! Form fields as the templates render them: one generic [`FormField`] (label, hint, input
//! kind, choices, the value to keep, the error to show next to it), and the fields of each
//! workflow action, exactly those its step records (see `sigap_core::records`).

use serde_json::Value;
use sigap_core::{
    Action, Criticality, FieldError, Party, Recommendation, Role, ValidationMethod, Visibility,
};

use crate::pages::Lang;

/// One choice of a select or radio group.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub hint: Option<String>,
    pub selected: bool,
}

/// A field ready to render.
#[derive(Debug, Clone)]
pub struct FormField {
    /// The HTML id (unique on the page).
    pub id: String,
    pub name: String,
    pub label: String,
    pub hint: Option<String>,
    /// An `<input>` type (`text`, `email`, `tel`, `datetime-local`), or `textarea`,
    /// `select`, `radio`, `checkbox`, `files`.
    pub kind: &'static str,
    pub choices: Vec<Choice>,
    /// The value to show (the user's input after a refusal).
    pub value: String,
    pub error: Option<String>,
    pub required: bool,
    /// The input's `autocomplete` token, where the browser's guess would be wrong (a new
    /// user's password must not be filled with the admin's own).
    pub autocomplete: Option<&'static str>,
}

impl FormField {
    /// A field labelled by the catalogue keys `{key}` and, when present, `{key}.hint`.
    pub fn new(lang: Lang, form: &str, name: &str, key: &str, kind: &'static str) -> FormField {
        let hint_key = format!("{key}.hint");
        let hint = lang.t(&hint_key);
        FormField {
            id: format!("f-{form}-{}", name.replace(['.', '_'], "-")),
            name: name.to_owned(),
            label: lang.t(key).into_owned(),
            hint: (hint != hint_key.as_str()).then(|| hint.into_owned()),
            kind,
            choices: Vec::new(),
            value: String::new(),
            error: None,
            required: false,
            autocomplete: None,
        }
    }

    pub fn required(mut self) -> FormField {
        self.required = true;
        self
    }

    pub fn with_choices(mut self, choices: Vec<(String, String)>) -> FormField {
        self.choices = choices
            .into_iter()
            .map(|(value, label)| Choice {
                value,
                label,
                hint: None,
                selected: false,
            })
            .collect();
        self
    }

    pub fn with_autocomplete(mut self, token: &'static str) -> FormField {
        self.autocomplete = Some(token);
        self
    }

    pub fn with_value(mut self, value: &str) -> FormField {
        self.value = value.to_owned();
        self
    }

    /// Keeps what the user sent and marks the chosen choice.
    pub fn keep(&mut self, fields: &Value) {
        if let Some(value) = text_of(fields, &self.name) {
            self.value = value;
        }
        for choice in &mut self.choices {
            choice.selected = choice.value == self.value;
        }
    }
}

/// A form field's submitted text; a repeated field's values one per line.
pub fn text_of(fields: &Value, name: &str) -> Option<String> {
    match fields.get(name)? {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A refused action's field error in the page's language. The checks in `sigap-core`
/// explain themselves in English, which the English page shows as they are; the
/// Indonesian page shows the catalogue's message for the field
/// (`field.{action}.{field}.error`), or says which field to check, by its label.
pub fn localized_error(lang: Lang, action: &str, error: &FieldError) -> FieldError {
    if lang == Lang::En {
        return error.clone();
    }
    let key = format!("field.{action}.{}.error", error.field);
    let specific = lang.t(&key);
    let message = if specific != key.as_str() {
        specific.into_owned()
    } else {
        let label_key = format!("field.{action}.{}", error.field);
        let label = lang.t(&label_key);
        if label != label_key.as_str() {
            lang.tf("ticket.field_error", &[("label", label.into_owned())])
        } else {
            lang.t("ticket.field_error_other").into_owned()
        }
    };
    FieldError::new(error.field.clone(), message)
}

/// Puts each error next to its field; answers those that belong to no field.
pub fn place_errors(fields: &mut [FormField], errors: &[FieldError]) -> Vec<String> {
    let mut unplaced = Vec::new();
    for error in errors {
        // An error on a group of fields (`meeting`) goes next to the group's first field.
        let group = format!("{}.", error.field);
        let index = fields
            .iter()
            .position(|f| f.name == error.field)
            .or_else(|| fields.iter().position(|f| f.name.starts_with(&group)));
        match index.and_then(|i| fields.get_mut(i)) {
            Some(field) => {
                let message = match field.error.take() {
                    Some(previous) => format!("{previous} {}", error.message),
                    None => error.message.clone(),
                };
                field.error = Some(message);
            }
            None => unplaced.push(error.message.clone()),
        }
    }
    unplaced
}

fn yes_no(lang: Lang, yes: &str, no: &str) -> Vec<(String, String)> {
    vec![
        ("true".to_owned(), lang.t(yes).into_owned()),
        ("false".to_owned(), lang.t(no).into_owned()),
    ]
}

fn named<T: Copy>(all: &[T], name: impl Fn(T) -> (String, String)) -> Vec<(String, String)> {
    all.iter().copied().map(name).collect()
}

/// The fields of `action` for a caller of `role`, on a ticket linked (or not) to a system.
pub fn action_fields(lang: Lang, action: Action, role: Role, linked: bool) -> Vec<FormField> {
    let a = action.as_str();
    let field = |name: &str, kind: &'static str| {
        FormField::new(lang, a, name, &format!("field.{a}.{name}"), kind)
    };
    match action {
        Action::Validate => {
            let system = field("system", "text");
            vec![
                field("valid", "radio")
                    .with_choices(yes_no(lang, "common.valid", "common.invalid"))
                    .required(),
                field("method", "radio")
                    .with_choices(named(ValidationMethod::ALL, |m| {
                        (m.as_str().to_owned(), lang.validation_method(m.as_str()))
                    }))
                    .with_value("ticket")
                    .required(),
                field("findings", "textarea").required(),
                if linked { system } else { system.required() },
                field("held_at", "datetime-local"),
                field("place", "text"),
                field("meeting.held_at", "datetime-local"),
                field("meeting.place", "text"),
                field("meeting.attendees", "textarea"),
                field("meeting.agency_invited", "checkbox"),
                field("meeting_id", "text"),
            ]
        }
        Action::MarkDuplicate => vec![
            field("of", "text").required(),
            field("reason", "textarea").required(),
        ],
        Action::Assess => vec![
            field("criticality", "radio")
                .with_choices(named(Criticality::ALL, |c| {
                    (c.as_str().to_owned(), lang.criticality(c.as_str()))
                }))
                .required(),
            field("cvss_vector", "text"),
            field("rationale", "textarea"),
            field("personal_data_affected", "checkbox"),
            field("held_at", "datetime-local"),
            field("place", "text"),
            field("attendees", "textarea"),
            field("meeting_id", "text"),
        ],
        Action::Block | Action::Unblock => vec![
            field("method", "text").with_value("manual").required(),
            field("notes", "textarea"),
            field("evidence", "files"),
            field("evidence_text", "textarea"),
            field("proof_url", "text"),
        ],
        Action::NotifyAgency => vec![
            field("recommendation", "select")
                .with_choices(named(Recommendation::ALL, |r| {
                    (r.as_str().to_owned(), lang.recommendation(r.as_str()))
                }))
                .required(),
            field("summary", "textarea").required(),
            field("concerns", "textarea"),
            field("concerns_party", "select")
                .with_choices(named(Party::ALL, |p| {
                    (
                        p.as_str().to_owned(),
                        lang.pick(p.label_id(), p.label_en()).to_owned(),
                    )
                }))
                .with_value("asn"),
        ],
        Action::SubmitRemediation => vec![
            field("summary", "textarea").required(),
            field("evidence", "files"),
            field("evidence_text", "textarea"),
        ],
        Action::SendFollowUp => vec![field("content", "textarea").required()],
        Action::Review => vec![
            field("fixed", "radio")
                .with_choices(yes_no(lang, "common.fixed_yes", "common.fixed_no"))
                .required(),
            field("held_at", "datetime-local"),
            field("place", "text"),
            // Required unless a scheduled meeting is named: the server checks which.
            field("attendees", "textarea"),
            field("meeting_id", "text"),
            field("notes", "textarea").required(),
        ],
        Action::ApproveReactivation => vec![
            field("approved", "radio")
                .with_choices(yes_no(lang, "common.approved_yes", "common.approved_no"))
                .required(),
            field("decided_at", "datetime-local"),
            field("notes", "textarea"),
        ],
        Action::Close => vec![field("notes", "textarea")],
        Action::Comment => {
            let visibilities: &[Visibility] = if role == Role::SystemOwner {
                &[Visibility::Agency]
            } else {
                Visibility::ALL
            };
            vec![
                field("body", "textarea").required(),
                field("visibility", "select")
                    .with_choices(named(visibilities, |v| {
                        (v.as_str().to_owned(), lang.visibility(v.as_str()))
                    }))
                    .with_value(if role == Role::SystemOwner {
                        "agency"
                    } else {
                        "internal"
                    })
                    .required(),
            ]
        }
        Action::Attach => vec![
            field("evidence", "files").required(),
            field("note", "textarea"),
        ],
        Action::Assign => vec![field("assignee", "email").required()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_field_has_a_label_in_both_languages() {
        for &action in Action::ALL {
            for lang in [Lang::Id, Lang::En] {
                for field in action_fields(lang, action, Role::Csirt, false) {
                    assert!(
                        !field.label.starts_with("field."),
                        "{action}: no label for `{}`",
                        field.name
                    );
                }
            }
        }
    }

    #[test]
    fn errors_go_next_to_their_fields() {
        let mut fields = action_fields(Lang::Id, Action::Review, Role::Csirt, true);
        let unplaced = place_errors(
            &mut fields,
            &[
                FieldError::new("notes", "write the notes"),
                FieldError::new("body", "other"),
            ],
        );
        assert_eq!(unplaced, ["other"]);
        let notes = fields.iter().find(|f| f.name == "notes").unwrap();
        assert_eq!(notes.error.as_deref(), Some("write the notes"));
        let mut fields = action_fields(Lang::Id, Action::Validate, Role::Csirt, true);
        let unplaced = place_errors(&mut fields, &[FieldError::new("meeting", "when and where")]);
        assert!(unplaced.is_empty());
        assert!(
            fields
                .iter()
                .any(|f| f.name == "meeting.held_at" && f.error.is_some())
        );
    }
}
