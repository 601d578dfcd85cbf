//! The forms of the settings page's sections, and which of them a refusal belongs to.

use serde_json::Value;
use sigap_app::admin::overrides::Effective;
use sigap_core::{DocumentKind, FieldError};

use crate::pages::PageLang;
use crate::pages::admin::AdminForm;
use crate::pages::forms::FormField;

use super::{approval_fields, holiday_fields, law, letterhead_fields, profile, reply_fields};

/// A form refused on this page: which one, what was posted and why.
pub(super) enum Refused {
    Approval(Value, Vec<FieldError>),
    Holidays(Value, Vec<FieldError>),
    Letterhead(Value, Vec<FieldError>),
    Kind(DocumentKind, Value, Vec<FieldError>),
    Replies(Value, Vec<FieldError>),
    Law(Value, Vec<FieldError>),
    Profile(Value, Vec<FieldError>),
}

impl Refused {
    /// What was posted and why it was refused, when this refusal is of the form `name`.
    pub(super) fn of(&self, name: &str) -> Option<(&Value, &Vec<FieldError>)> {
        let (form, posted, errors) = match self {
            Refused::Approval(p, e) => ("approval", p, e),
            Refused::Holidays(p, e) => ("holidays", p, e),
            Refused::Letterhead(p, e) => ("letterhead", p, e),
            Refused::Replies(p, e) => ("replies", p, e),
            Refused::Law(p, e) => ("law", p, e),
            Refused::Profile(p, e) => ("profile", p, e),
            Refused::Kind(..) => return None,
        };
        (form == name).then_some((posted, errors))
    }
}

/// The forms of the page's sections.
pub(super) struct Forms {
    pub(super) approval: AdminForm,
    pub(super) holidays: AdminForm,
    pub(super) letterhead: AdminForm,
    pub(super) replies: AdminForm,
    pub(super) law: AdminForm,
    pub(super) profile: AdminForm,
}

impl Forms {
    pub(super) fn new(
        lang: PageLang,
        effective: &Effective,
        editable: bool,
        refused: Option<&Refused>,
    ) -> Forms {
        let documents = &effective.policy.documents;
        Forms {
            approval: form(lang, "approval", approval_fields(lang, effective), refused),
            holidays: form(lang, "holidays", holiday_fields(lang, effective), refused),
            letterhead: form(
                lang,
                "letterhead",
                letterhead_fields(lang, documents),
                refused,
            ),
            replies: form(
                lang,
                "replies",
                reply_fields(lang, effective, editable),
                refused,
            ),
            law: form(
                lang,
                "law",
                law::law_fields(lang, &effective.policy.law),
                refused,
            ),
            profile: form(
                lang,
                "profile",
                profile::profile_fields(lang, effective),
                refused,
            ),
        }
    }
}

/// The form `name` with `fields`, showing the refusal when it is this form's.
fn form(
    lang: PageLang,
    name: &str,
    fields: Vec<FormField>,
    refused: Option<&Refused>,
) -> AdminForm {
    let fresh = AdminForm::new(fields);
    match refused.and_then(|r| r.of(name)) {
        Some((posted, errors)) => fresh.refused(lang, name, posted, errors),
        None => fresh,
    }
}
