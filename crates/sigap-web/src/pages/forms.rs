//! Form fields as the templates render them: one generic [`FormField`] (label, hint, input
//! kind, choices, the value to keep, the error to show next to it), and the fields of each
//! workflow action, rendered from its schema in `sigap_core::records::schema`.

use serde_json::Value;
use sigap_core::records::schema::{FieldType, FormSpec, Need, form_fields};
use sigap_core::{Action, FieldError, Problem, Role};

use crate::pages::PageLang;

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
    pub fn new(lang: PageLang, form: &str, name: &str, key: &str, kind: &'static str) -> FormField {
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

    /// Whether a required select says so with `required`: only when its first choice is an
    /// empty placeholder. Otherwise a choice is always selected, HTML forbids `required`
    /// there, and `aria-required` tells assistive technology instead.
    pub fn select_required(&self) -> bool {
        self.required && self.choices.first().is_some_and(|c| c.value.is_empty())
    }

    /// The ids of the hint and the error that describe the input, when it has either.
    pub fn described_by(&self) -> Option<String> {
        let ids: Vec<String> = [
            self.hint.as_ref().map(|_| format!("{}-hint", self.id)),
            self.error.as_ref().map(|_| format!("{}-error", self.id)),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!ids.is_empty()).then(|| ids.join(" "))
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

/// The assign form's address field as a choice of the staff by name, the caller first
/// ("Saya sendiri"); nothing to do when `fields` holds no `assignee`.
pub async fn assignee_choices(
    state: &crate::AppState,
    lang: PageLang,
    session: &sigap_app::identity::login::Session,
    fields: &mut [FormField],
) -> Result<(), sigap_app::AppError> {
    if !fields.iter().any(|f| f.name == "assignee") {
        return Ok(());
    }
    let staff = sigap_app::workflow::queue::assignable_staff(&state.app, &session.caller).await?;
    let me = &session.caller.email;
    let mut choices: Vec<(String, String)> = staff
        .into_iter()
        .map(|s| {
            let label = if &s.email == me {
                lang.tf("ticket.assign.me", &[("name", s.name)])
            } else {
                format!("{} — {}", s.name, lang.label(s.role))
            };
            (s.email, label)
        })
        .collect();
    choices.sort_by_key(|(email, _)| email != me);
    for field in fields.iter_mut().filter(|f| f.name == "assignee") {
        let kept = field.value.clone();
        *field = field.clone().with_choices(choices.clone());
        field.kind = "select";
        field.keep(&serde_json::json!({ "assignee": kept }));
    }
    Ok(())
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
/// Indonesian page names the field by its label and says what is wrong with it from the
/// kind of problem (missing, too long, not a date, …), or, for a missing field or another
/// problem, the catalogue's own sentence for the field (`field.{action}.{field}.error`).
pub fn localized_error(lang: PageLang, action: &str, error: &FieldError) -> FieldError {
    if lang == PageLang::En {
        return error.clone();
    }
    let found = |key: String| {
        let text = lang.t(&key);
        (text != key.as_str()).then(|| text.into_owned())
    };
    let specific = found(format!("field.{action}.{}.error", error.field));
    let label = found(format!("field.{action}.{}", error.field)).or_else(|| {
        // A group's field (`meeting.place`) is labelled under the group's name.
        let (group, _) = error.field.split_once('.')?;
        found(format!("field.{action}.{group}"))
    });
    let message = match (error.problem, label, specific) {
        (Problem::Missing | Problem::Other, _, Some(specific)) => specific,
        (_, None, _) => lang.t("ticket.field_error_other").into_owned(),
        (problem, Some(label), _) => problem_message(lang, problem, label),
    };
    FieldError::new(error.field.clone(), message).of_kind(error.problem)
}

/// What is wrong with the field labelled `label`, in the page's language.
fn problem_message(lang: PageLang, problem: Problem, label: String) -> String {
    let key = match problem {
        Problem::Missing => "field_error.missing",
        Problem::TooLong { max } => {
            return lang.tf(
                "field_error.too_long",
                &[("label", label), ("max", lang.whole(max))],
            );
        }
        Problem::ControlCharacter => "field_error.control_character",
        Problem::NotAnInstant => "field_error.not_an_instant",
        Problem::NotAChoice => "field_error.not_a_choice",
        Problem::NotYesNo => "field_error.not_yes_no",
        Problem::NotAnEmail => "field_error.not_an_email",
        Problem::NotATicketNumber => "field_error.not_a_ticket_number",
        Problem::OutOfService => "field_error.out_of_service",
        Problem::OwnAccount => "field_error.own_account",
        Problem::Password(flaw) => return password_message(lang, flaw),
        Problem::Other => "ticket.field_error",
    };
    lang.tf(key, &[("label", label)])
}

/// Why a new password is refused, in the page's language.
pub fn password_message(lang: PageLang, flaw: sigap_core::PasswordFlaw) -> String {
    let min = match flaw {
        sigap_core::PasswordFlaw::TooShort { min } => min,
        _ => sigap_core::law::MIN_PASSWORD_CHARS,
    };
    lang.tf(
        &format!("password_flaw.{}", flaw.as_str()),
        &[("min", lang.whole(min as usize))],
    )
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

/// The input a field of the schema is asked with.
fn input_kind(asked: &FormSpec) -> &'static str {
    match asked.spec.ty {
        FieldType::Text(_) | FieldType::TicketNumber | FieldType::MeetingId => "text",
        FieldType::LongText(_) | FieldType::List | FieldType::Group(_) => "textarea",
        FieldType::YesNo => "radio",
        FieldType::Flag => "checkbox",
        // Two answers of which one must be chosen side by side; a longer or optional list
        // in a menu.
        FieldType::Choice(all) if all.len() <= 2 && asked.spec.need == Need::Required => "radio",
        FieldType::Choice(_) => "select",
        FieldType::Instant => "datetime-local",
        FieldType::Email => "email",
        FieldType::Files => "files",
    }
}

/// The fields of `action` for a caller of `role`, on a ticket linked (or not) to a system:
/// a rendering of the action's schema (`sigap_core::records::schema`), labelled by the
/// catalogues under `field.{action}.{name}` (a yes-or-no answer's two labels under
/// `.true` and `.false`).
pub fn action_fields(lang: PageLang, action: Action, role: Role, linked: bool) -> Vec<FormField> {
    let a = action.as_str();
    form_fields(action, role, linked)
        .iter()
        .map(|asked| {
            let key = format!("field.{a}.{}", asked.name);
            let mut field = FormField::new(lang, a, &asked.name, &key, input_kind(asked));
            field = match asked.spec.ty {
                FieldType::YesNo => field.with_choices(
                    ["true", "false"]
                        .iter()
                        .map(|answer| {
                            let label = lang.t(&format!("{key}.{answer}")).into_owned();
                            ((*answer).to_owned(), label)
                        })
                        .collect(),
                ),
                FieldType::Choice(_) => field.with_choices(
                    asked
                        .choices
                        .iter()
                        .map(|c| {
                            (
                                c.name.to_owned(),
                                lang.pick(c.label_id, c.label_en).to_owned(),
                            )
                        })
                        .collect(),
                ),
                _ => field,
            };
            if let Some(value) = asked.default {
                field = field.with_value(value);
            }
            if asked.required {
                field = field.required();
            }
            field
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_field_has_a_label_in_both_languages() {
        for &action in Action::ALL {
            for lang in [PageLang::Id, PageLang::En] {
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
        let mut fields = action_fields(PageLang::Id, Action::Review, Role::Csirt, true);
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
        let mut fields = action_fields(PageLang::Id, Action::Validate, Role::Csirt, true);
        let unplaced = place_errors(&mut fields, &[FieldError::new("meeting", "when and where")]);
        assert!(unplaced.is_empty());
        assert!(
            fields
                .iter()
                .any(|f| f.name == "meeting.held_at" && f.error.is_some())
        );
    }

    #[test]
    fn indonesian_errors_say_what_is_wrong_with_the_field() {
        let id =
            |action: &str, error: FieldError| localized_error(PageLang::Id, action, &error).message;
        let long = FieldError::new("notes", "`notes` is too long")
            .of_kind(Problem::TooLong { max: 20_000 });
        assert_eq!(
            id("close", long),
            "Isian “Catatan penutupan” terlalu panjang: paling banyak 20.000 karakter."
        );
        let when = FieldError::new("meeting.held_at", "no").of_kind(Problem::NotAnInstant);
        assert_eq!(
            id("validate", when),
            "Isian “Waktu rapat (WIB)” harus berupa tanggal dan waktu, misalnya 12-08-2026 14.05."
        );
        // A missing field with a sentence of its own says that sentence.
        let missing =
            FieldError::new("findings", "`findings` is required").of_kind(Problem::Missing);
        assert_eq!(
            id("validate", missing),
            "Tuliskan temuan validasi: apa yang diperiksa dan hasilnya."
        );
        let missing = FieldError::new("notes", "`notes` is required").of_kind(Problem::Missing);
        assert_eq!(
            id("close", missing),
            "Isian “Catatan penutupan” wajib diisi."
        );
        let number = FieldError::new("of", "bad").of_kind(Problem::NotATicketNumber);
        assert!(id("mark_duplicate", number).contains("BCSIRT-2026-00012"));
        // A system taken out of service says so, not the field's usual sentence.
        let retired = FieldError::new("system", "out of service").of_kind(Problem::OutOfService);
        let said = id("validate", retired);
        assert!(said.contains("sudah dinonaktifkan admin"), "{said}");
        // English pages keep the check's own sentence; an unknown field still gets Indonesian.
        let other = FieldError::new("nothing", "`nothing` is odd");
        assert_eq!(
            localized_error(PageLang::En, "close", &other).message,
            "`nothing` is odd"
        );
        assert!(id("close", other).starts_with("Periksa kembali"));
    }
}
