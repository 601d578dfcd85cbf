//! The request body of `POST /api/v1/tickets/{n}/actions/{action}`, documented from each
//! action's schema in `sigap_core::records::schema`: one object per action, the same list
//! of fields the readers take and the forms ask.

use std::borrow::Cow;

use serde_json::json;
use sigap_core::Action;
use sigap_core::records::schema::{FieldSpec, FieldType, Need, fields};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};

/// The records of a step: one of the objects below, chosen by the `{action}` of the path.
/// A multipart form sends the same fields as text (a group's as `meeting.held_at`, ...)
/// and the files in `evidence`.
pub struct ActionBody;

impl utoipa::PartialSchema for ActionBody {
    fn schema() -> RefOr<Schema> {
        let mut any = AnyOfBuilder::new().description(Some(
            "The records of the step named by `{action}`: one object per action. A multipart \
             form sends the same fields as text (a group's fields as `meeting.held_at`, ...) \
             and its files as `evidence` parts.",
        ));
        for &action in Action::ALL {
            any = any.item(object(action.as_str(), fields(action), describe(action)));
        }
        any.into()
    }
}

impl utoipa::ToSchema for ActionBody {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ActionBody")
    }
}

fn describe(action: Action) -> String {
    let shared = if matches!(action, Action::Block | Action::Unblock) {
        " (the block and the unblock share their fields)"
    } else {
        ""
    };
    format!("`{action}`{shared}")
}

/// An object of `specs`; the files of a multipart form are not part of the JSON body.
fn object(title: &str, specs: &[FieldSpec], description: String) -> ObjectBuilder {
    let mut object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .title(Some(title))
        .description(Some(description));
    for spec in specs.iter().filter(|s| s.ty != FieldType::Files) {
        object = object.property(spec.name, property(spec));
        if spec.need == Need::Required {
            object = object.required(spec.name);
        }
    }
    object
}

fn property(spec: &FieldSpec) -> RefOr<Schema> {
    let mut about = spec.about.to_owned();
    if let Need::When(case) = spec.need {
        about = format!("{about}. Required when {case}.");
    }
    let text = |max: Option<usize>| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(max)
            .description(Some(about.clone()))
            .default(spec.default.map(|d| json!(d)))
    };
    match spec.ty {
        FieldType::Text(_) | FieldType::LongText(_) | FieldType::TicketNumber => {
            text(spec.max_chars()).into()
        }
        FieldType::Email => text(spec.max_chars())
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
            .into(),
        FieldType::Instant => text(None)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .into(),
        FieldType::Choice(choices) => text(None)
            .enum_values(Some(choices.iter().map(|c| c.name)))
            .into(),
        FieldType::YesNo | FieldType::Flag => ObjectBuilder::new()
            .schema_type(Type::Boolean)
            .description(Some(about))
            .into(),
        FieldType::MeetingId => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .description(Some(about))
            .into(),
        FieldType::List => ArrayBuilder::new()
            .items(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .max_length(spec.max_chars()),
            )
            .description(Some(about))
            .into(),
        FieldType::Group(members) => object(spec.name, members, about).into(),
        FieldType::Files => ObjectBuilder::new().into(),
    }
}

#[cfg(test)]
mod tests {
    use utoipa::PartialSchema;

    use super::*;

    #[test]
    fn every_action_is_documented_with_its_required_fields() {
        let doc = serde_json::to_value(ActionBody::schema()).unwrap();
        let objects = doc["anyOf"].as_array().unwrap();
        assert_eq!(objects.len(), Action::ALL.len());
        let validate = objects.iter().find(|o| o["title"] == "validate").unwrap();
        assert_eq!(validate["required"], json!(["valid", "method", "findings"]));
        assert_eq!(
            validate["properties"]["method"]["enum"],
            json!(["ticket", "meeting"])
        );
        assert_eq!(
            validate["properties"]["meeting"]["required"],
            json!(["held_at", "place", "attendees"])
        );
        let attach = objects.iter().find(|o| o["title"] == "attach").unwrap();
        assert!(
            attach["properties"].get("evidence").is_none(),
            "files are multipart"
        );
        let assess = objects.iter().find(|o| o["title"] == "assess").unwrap();
        assert_eq!(assess["properties"]["cvss_vector"]["maxLength"], 500);
    }
}
