//! What a client sends as a form, read the same way whether it came as JSON or as a
//! `multipart/form-data` body: the multipart text fields become one JSON object (a
//! repeated field becomes a list), a part named `evidence` or `file` that carries a file
//! name is a file, and [`Fields`] reads the text fields of the object one by one, keeping
//! an error per bad field so that a client learns every problem at once.
//!
//! A request with a type of its own (an agency, a user, a setting: see `sigap-app`) is a
//! struct of [`Given`] fields, one per field the client may send, read with a [`Check`]
//! into the core's types. The struct is what the API documents and what the pages and the
//! command line build; the check is the one place that says what each field must be.

use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};
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

/// One field of a request as it came, before it is checked: any JSON value, `null` when
/// the field was left out. A request struct is made of these so that a field of the wrong
/// type is reported with the others by its [`Check`], instead of failing the decoding of
/// the whole body with one message.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Given(pub Value);

/// Reads a field left out as `null`, like one given as `null`, so that a request struct
/// needs no `#[serde(default)]`.
impl<'de> Deserialize<'de> for Given {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<Value>::deserialize(deserializer).map(|v| Given(v.unwrap_or(Value::Null)))
    }
}

impl Given {
    /// Nothing given.
    pub const ABSENT: Given = Given(Value::Null);

    /// A list of `items`, as a client would send it.
    pub fn list<T: Serialize>(items: &[T]) -> Given {
        Given(serde_json::to_value(items).unwrap_or(Value::Null))
    }
}

impl Deref for Given {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.0
    }
}

impl From<&str> for Given {
    fn from(text: &str) -> Given {
        Given(Value::String(text.to_owned()))
    }
}

impl From<String> for Given {
    fn from(text: String) -> Given {
        Given(Value::String(text))
    }
}

impl From<Option<String>> for Given {
    fn from(text: Option<String>) -> Given {
        text.map_or(Given::ABSENT, Given::from)
    }
}

impl From<Option<&str>> for Given {
    fn from(text: Option<&str>) -> Given {
        text.map_or(Given::ABSENT, Given::from)
    }
}

impl From<Vec<String>> for Given {
    fn from(items: Vec<String>) -> Given {
        Given(Value::Array(items.into_iter().map(Value::String).collect()))
    }
}

impl From<bool> for Given {
    fn from(yes: bool) -> Given {
        Given(Value::Bool(yes))
    }
}

impl From<i64> for Given {
    fn from(n: i64) -> Given {
        Given(Value::from(n))
    }
}

impl From<Value> for Given {
    fn from(value: Value) -> Given {
        Given(value)
    }
}

/// A structured field of a request as it came: absent (or `null`), a value that fits `T`
/// (a list of signers, say), or one that does not, which its check reports by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Lenient<T> {
    #[default]
    Absent,
    Fits(T),
    Wrong,
}

impl<T> Lenient<T> {
    /// The value when it fits.
    pub fn fits(&self) -> Option<&T> {
        match self {
            Lenient::Fits(value) => Some(value),
            _ => None,
        }
    }
}

/// A value that fits as itself, anything else as `null`.
impl<T: Serialize> Serialize for Lenient<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.fits().serialize(serializer)
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<Value>::deserialize(deserializer)? {
            None | Some(Value::Null) => Lenient::Absent,
            Some(value) => serde_json::from_value(value).map_or(Lenient::Wrong, Lenient::Fits),
        })
    }
}

/// A request struct of [`Given`] fields read from a JSON object body (a field it does not
/// name is ignored); a body that is not an object is an error on `body`.
pub fn request<T: serde::de::DeserializeOwned>(body: &Value) -> Result<T, Vec<FieldError>> {
    if !body.is_object() {
        return Err(vec![FieldError::new(
            "body",
            "the body must be a JSON object",
        )]);
    }
    serde_json::from_value(body.clone()).map_err(|e| {
        vec![FieldError::new(
            "body",
            format!("the body does not fit: {e}"),
        )]
    })
}

/// Checks the fields of a request one by one, collecting an error per bad field so that
/// a client learns every problem at once.
#[derive(Debug, Default)]
pub struct Check {
    /// The errors found so far, in the order the fields were read.
    pub errors: Vec<FieldError>,
}

/// What an absent field reads as.
static ABSENT: Value = Value::Null;

/// Reads text fields of a JSON object by name with a [`Check`], collecting an error per
/// bad field.
#[derive(Debug)]
pub struct Fields<'a> {
    map: Option<&'a Map<String, Value>>,
    check: Check,
}

impl Deref for Fields<'_> {
    type Target = Check;

    fn deref(&self) -> &Check {
        &self.check
    }
}

impl DerefMut for Fields<'_> {
    fn deref_mut(&mut self) -> &mut Check {
        &mut self.check
    }
}

impl<'a> Fields<'a> {
    /// A reader of `body`; a body that is not an object is an error on `body`.
    pub fn new(body: &'a Value) -> Fields<'a> {
        let mut check = Check::default();
        if !body.is_object() {
            check
                .errors
                .push(FieldError::new("body", "the body must be a JSON object"));
        }
        Fields {
            map: body.as_object(),
            check,
        }
    }

    /// Every error found.
    pub fn into_errors(self) -> Vec<FieldError> {
        self.check.errors
    }

    fn given(&self, field: &str) -> &'a Value {
        self.map.and_then(|m| m.get(field)).unwrap_or(&ABSENT)
    }

    /// The field as text (see [`Check::text`]).
    pub fn text(&mut self, field: &str) -> Option<&'a str> {
        let given = self.given(field);
        self.check.text(field, given)
    }

    /// A field read by a newtype's parser (see [`Check::parsed`]).
    pub fn parsed<T>(
        &mut self,
        field: &str,
        parse: impl FnOnce(&str) -> Result<T, FieldError>,
    ) -> Option<T> {
        let given = self.given(field);
        self.check.parsed(field, given, parse)
    }

    /// A required text of at most `max` characters (see [`Check::required`]).
    pub fn required(&mut self, field: &str, max: usize) -> Option<String> {
        let given = self.given(field);
        self.check.required(field, given, max)
    }

    /// An optional text of at most `max` characters (see [`Check::optional`]).
    pub fn optional(&mut self, field: &str, max: usize) -> Option<String> {
        let given = self.given(field);
        self.check.optional(field, given, max)
    }

    /// A required value of an enumeration (see [`Check::choice`]).
    pub fn choice<T: std::str::FromStr<Err = UnknownValue>>(&mut self, field: &str) -> Option<T> {
        let given = self.given(field);
        self.check.choice(field, given)
    }
}

impl Check {
    /// The field as text: absent or null is `None`; numbers, booleans and lists are
    /// refused.
    pub fn text<'a>(&mut self, field: &str, given: &'a Value) -> Option<&'a str> {
        match given {
            Value::Null => None,
            Value::String(s) => Some(s.as_str()),
            _ => {
                self.errors
                    .push(FieldError::new(field, format!("`{field}` must be text")));
                None
            }
        }
    }

    /// `value` when no error was found, or every error found.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldError>> {
        match value {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ => Err(self.errors),
        }
    }

    /// The value of `r`, or `None` with its error recorded.
    pub fn keep<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        r.map_err(|e| self.errors.push(e)).ok()
    }

    /// Like `text`, but `Err` when the field had the wrong type (its error is recorded), so
    /// that a wrong type is not also reported as missing.
    fn typed_text<'a>(&mut self, field: &str, given: &'a Value) -> Result<Option<&'a str>, ()> {
        let before = self.errors.len();
        let value = self.text(field, given);
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
        given: &Value,
        parse: impl FnOnce(&str) -> Result<T, FieldError>,
    ) -> Option<T> {
        let value = self.typed_text(field, given).ok()?;
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
    pub fn required(&mut self, field: &str, given: &Value, max: usize) -> Option<String> {
        let value = self.typed_text(field, given).ok()?;
        self.keep(required_text(field, value, max))
    }

    /// An optional text of at most `max` characters (see [`optional_text`]).
    pub fn optional(&mut self, field: &str, given: &Value, max: usize) -> Option<String> {
        let value = self.typed_text(field, given).ok()?;
        self.keep(optional_text(field, value, max)).flatten()
    }

    /// A required value of an enumeration, with the accepted values in the message.
    pub fn choice<T: std::str::FromStr<Err = UnknownValue>>(
        &mut self,
        field: &str,
        given: &Value,
    ) -> Option<T> {
        let value = self.typed_text(field, given).ok()?;
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

    #[derive(Debug, Deserialize)]
    struct Sample {
        name: Given,
        list: Lenient<Vec<String>>,
    }

    #[test]
    fn a_request_field_left_out_reads_as_null_and_a_wrong_one_is_kept() {
        let sample: Sample = request(&json!({})).unwrap();
        assert_eq!((sample.name, sample.list), (Given::ABSENT, Lenient::Absent));
        let sample: Sample = request(&json!({"name": 5, "list": ["a", 1]})).unwrap();
        assert_eq!((sample.name.0, sample.list), (json!(5), Lenient::Wrong));
        let sample: Sample = request(&json!({"name": null, "list": ["a"]})).unwrap();
        assert_eq!(sample.name, Given::ABSENT);
        assert_eq!(sample.list.fits(), Some(&vec!["a".to_owned()]));
        assert_eq!(request::<Sample>(&json!([1])).unwrap_err()[0].field, "body");
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
