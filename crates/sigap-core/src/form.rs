//! What a client sends as a form, read the same way whether it came as JSON or as a
//! `multipart/form-data` body: the multipart text fields become one JSON object (a
//! repeated field becomes a list), a part named `evidence` or `file` that carries a file
//! name is a file, and [`Fields`] reads the text fields of the object one by one, keeping
//! an error per bad field so that a client learns every problem at once.

use serde_json::{Map, Value};

use crate::error::FieldError;
use crate::ids::{optional_text, required_text};
use crate::model::UnknownValue;

/// Whether a multipart part is an uploaded file rather than a text field: it is named
/// `evidence` or `file` and carries a file name (a browser sends one, empty or not, for
/// every file input).
pub fn is_file_part(name: &str, file_name: Option<&str>) -> bool {
    (name == "evidence" || name == "file") && file_name.is_some()
}

/// Adds a multipart text field to the object the parsers read. A repeated field becomes a
/// list (e.g. several `attendees`), in the order the parts came.
pub fn insert_field(fields: &mut Map<String, Value>, name: String, text: String) {
    match fields.get_mut(&name) {
        Some(Value::Array(items)) => items.push(Value::String(text)),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, Value::String(text)]);
        }
        None => {
            fields.insert(name, Value::String(text));
        }
    }
}

/// Reads text fields of a JSON object, collecting an error per bad field.
#[derive(Debug)]
pub struct Fields<'a> {
    map: Option<&'a Map<String, Value>>,
    /// The errors found so far, in the order the fields were read.
    pub errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    /// A reader of `body`; a body that is not an object is an error on `body`.
    pub fn new(body: &'a Value) -> Fields<'a> {
        let mut errors = Vec::new();
        if !body.is_object() {
            errors.push(FieldError::new("body", "the body must be a JSON object"));
        }
        Fields {
            map: body.as_object(),
            errors,
        }
    }

    /// The field as text: absent or null is `None`; numbers, booleans and lists are
    /// refused.
    pub fn text(&mut self, field: &str) -> Option<&'a str> {
        match self.map.and_then(|m| m.get(field)) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => {
                self.errors
                    .push(FieldError::new(field, format!("`{field}` must be text")));
                None
            }
        }
    }

    /// The value of `r`, or `None` with its error recorded.
    pub fn keep<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        r.map_err(|e| self.errors.push(e)).ok()
    }

    /// Like `text`, but `Err` when the field had the wrong type (its error is recorded), so
    /// that a wrong type is not also reported as missing.
    fn typed_text(&mut self, field: &str) -> Result<Option<&'a str>, ()> {
        let before = self.errors.len();
        let value = self.text(field);
        if self.errors.len() > before {
            Err(())
        } else {
            Ok(value)
        }
    }

    /// A field read by a newtype's parser; absent reads as empty, so the parser says what
    /// is required. A wrong error's field name is replaced by `field`.
    pub fn parsed<T>(
        &mut self,
        field: &str,
        parse: impl FnOnce(&str) -> Result<T, FieldError>,
    ) -> Option<T> {
        let value = self.typed_text(field).ok()?;
        parse(value.unwrap_or(""))
            .map_err(|e| self.errors.push(FieldError::new(field, e.message)))
            .ok()
    }

    /// `parse` applied to a value already read, its error filed under `field`.
    pub fn parsed_value<T>(
        &mut self,
        field: &str,
        value: &str,
        parse: impl FnOnce(&str) -> Result<T, FieldError>,
    ) -> Option<T> {
        parse(value)
            .map_err(|e| self.errors.push(FieldError::new(field, e.message)))
            .ok()
    }

    /// A required text of at most `max` characters (see [`required_text`]).
    pub fn required(&mut self, field: &str, max: usize) -> Option<String> {
        let value = self.typed_text(field).ok()?;
        self.keep(required_text(field, value, max))
    }

    /// An optional text of at most `max` characters (see [`optional_text`]).
    pub fn optional(&mut self, field: &str, max: usize) -> Option<String> {
        let value = self.typed_text(field).ok()?;
        self.keep(optional_text(field, value, max)).flatten()
    }

    /// A required value of an enumeration, with the accepted values in the message.
    pub fn choice<T: std::str::FromStr<Err = UnknownValue>>(&mut self, field: &str) -> Option<T> {
        let value = self.typed_text(field).ok()?;
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => {
                self.errors
                    .push(FieldError::new(field, format!("`{field}` is required")));
                None
            }
            Some(v) => v
                .to_ascii_lowercase()
                .parse::<T>()
                .map_err(|e| self.errors.push(FieldError::new(field, e.to_string())))
                .ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::Severity;

    #[test]
    fn a_repeated_field_becomes_a_list_in_order() {
        let mut fields = Map::new();
        for (name, text) in [("a", "1"), ("b", "x"), ("a", "2"), ("a", "3")] {
            insert_field(&mut fields, name.to_owned(), text.to_owned());
        }
        assert_eq!(
            Value::Object(fields),
            json!({"a": ["1", "2", "3"], "b": "x"})
        );
    }

    #[test]
    fn only_named_evidence_parts_with_a_file_name_are_files() {
        assert!(is_file_part("evidence", Some("shot.png")));
        assert!(is_file_part("file", Some("")));
        assert!(!is_file_part("evidence", None));
        assert!(!is_file_part("title", Some("shot.png")));
    }

    #[test]
    fn a_wrong_type_is_named_once_and_not_also_missing() {
        let body = json!({"name": 5, "severity": "HIGH", "list": ["a"]});
        let mut f = Fields::new(&body);
        assert_eq!(f.required("name", 10), None);
        assert_eq!(f.choice::<Severity>("severity"), Some(Severity::High));
        assert_eq!(f.optional("list", 10), None);
        let fields: Vec<&str> = f.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "list"]);
        let list = json!([]);
        let mut f = Fields::new(&list);
        assert_eq!(f.optional("x", 1), None);
        assert_eq!(f.errors[0].field, "body");
    }
}
