//! Reading the fields of an action body while collecting every problem, not just the first.
//! A body comes from JSON or from a multipart form whose fields are all strings, so each
//! reader accepts both spellings (a JSON `true` or the text `ya`, a JSON array or lines).

use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde_json::{Map, Value};

use crate::calendar::wib;
use crate::error::{FieldError, Problem};
use crate::ids;
use crate::model::UnknownValue;
use crate::records::SHORT_TEXT;
use crate::records::schema::{FieldSpec, FieldType, Need};

/// Reads the fields of one JSON object and keeps the errors met on the way. Error field
/// names carry `prefix` (e.g. `meeting.`) for nested objects.
pub(crate) struct Body<'a> {
    fields: Option<&'a Map<String, Value>>,
    prefix: &'static str,
    pub(crate) errors: Vec<FieldError>,
}

impl<'a> Body<'a> {
    /// A reader over a request body, which must be a JSON object.
    pub(crate) fn new(value: &'a Value) -> Self {
        match value {
            Value::Object(fields) => Self {
                fields: Some(fields),
                prefix: "",
                errors: Vec::new(),
            },
            _ => Self {
                fields: None,
                prefix: "",
                errors: vec![FieldError::new(
                    "body",
                    "the request body must be a JSON object",
                )],
            },
        }
    }

    /// A reader over a nested object whose fields are named `prefix` + key in errors.
    pub(crate) fn nested(fields: &'a Map<String, Value>, prefix: &'static str) -> Self {
        Self {
            fields: Some(fields),
            prefix,
            errors: Vec::new(),
        }
    }

    /// The field's name as the client knows it.
    pub(crate) fn name(&self, field: &str) -> String {
        format!("{}{field}", self.prefix)
    }

    /// Records an error on `field`.
    pub(crate) fn error(&mut self, field: &str, message: impl Into<String>) {
        let name = self.name(field);
        self.errors.push(FieldError::new(name, message));
    }

    /// Keeps the value of `result`, or records its error.
    pub(crate) fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|error| self.errors.push(error)).ok()
    }

    /// The value of `field`; `null` and blank strings count as absent (a form sends an
    /// empty string for an empty input).
    pub(crate) fn get(&self, field: &str) -> Option<&'a Value> {
        let value = self.fields?.get(field)?;
        match value {
            Value::Null => None,
            Value::String(text) if text.trim().is_empty() => None,
            _ => Some(value),
        }
    }

    /// The object's fields whose keys start with `prefix`, with the prefix removed: the
    /// flattened form (`meeting.place`) an HTML form sends for a nested object.
    pub(crate) fn flattened(&self, prefix: &str) -> Option<Map<String, Value>> {
        let fields = self.fields?;
        let inner: Map<String, Value> = fields
            .iter()
            .filter_map(|(key, value)| Some((key.strip_prefix(prefix)?.to_owned(), value.clone())))
            .collect();
        (!inner.is_empty()).then_some(inner)
    }

    fn raw_text(&self, field: &str) -> Result<Option<String>, FieldError> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(Value::Number(number)) => Ok(Some(number.to_string())),
            Some(_) => Err(FieldError::new(
                self.name(field),
                format!("`{}` must be text", self.name(field)),
            )),
        }
    }

    fn read_text(&self, field: &str, max_chars: usize) -> Result<Option<String>, FieldError> {
        let raw = self.raw_text(field)?;
        ids::optional_text(&self.name(field), raw.as_deref(), max_chars)
    }

    /// An optional text field.
    pub(crate) fn optional_text(&mut self, field: &str, max_chars: usize) -> Option<String> {
        let result = self.read_text(field, max_chars);
        self.take(result).flatten()
    }

    /// A required text field; `hint` says what to write when it is missing.
    pub(crate) fn required_text(
        &mut self,
        field: &str,
        max_chars: usize,
        hint: &str,
    ) -> Option<String> {
        let result = self.read_text(field, max_chars);
        let result = result.and_then(|text| text.ok_or_else(|| self.missing(field, hint)));
        self.take(result)
    }

    /// The error for a missing required field.
    pub(crate) fn missing(&self, field: &str, hint: &str) -> FieldError {
        let name = self.name(field);
        FieldError::new(&name, format!("`{name}` is required: {hint}")).of_kind(Problem::Missing)
    }

    fn read_bool(&self, field: &str) -> Result<Option<bool>, FieldError> {
        let parsed = match self.get(field) {
            None => return Ok(None),
            Some(Value::Bool(flag)) => Some(*flag),
            Some(Value::String(text)) => crate::records::parse_bool(text),
            Some(Value::Number(number)) => number
                .as_u64()
                .and_then(|n| crate::records::parse_bool(&n.to_string())),
            Some(_) => None,
        };
        let name = self.name(field);
        parsed.map(Some).ok_or_else(|| {
            FieldError::new(
                &name,
                format!("`{name}` must be yes or no (`true` or `false`)"),
            )
            .of_kind(Problem::NotYesNo)
        })
    }

    /// An optional yes/no field.
    pub(crate) fn optional_bool(&mut self, field: &str) -> Option<bool> {
        let result = self.read_bool(field);
        self.take(result).flatten()
    }

    /// A required yes/no field.
    pub(crate) fn required_bool(&mut self, field: &str, hint: &str) -> Option<bool> {
        let result = self.read_bool(field);
        let result = result.and_then(|flag| flag.ok_or_else(|| self.missing(field, hint)));
        self.take(result)
    }

    /// A required field holding one of an enum's names.
    pub(crate) fn required_enum<T>(&mut self, field: &str, names: &[&str]) -> Option<T>
    where
        T: FromStr<Err = UnknownValue>,
    {
        let name = self.name(field);
        let result = self.raw_text(field).and_then(|text| match text {
            None => Err(FieldError::new(
                &name,
                format!("`{name}` is required: one of {}", names.join(", ")),
            )
            .of_kind(Problem::Missing)),
            Some(text) => text.parse::<T>().map_err(|unknown| {
                let expected = unknown.expected.join(", ");
                let given = unknown.value.trim();
                FieldError::new(
                    &name,
                    format!("`{name}` must be one of: {expected} (not `{given}`)"),
                )
                .of_kind(Problem::NotAChoice)
            }),
        });
        self.take(result)
    }

    fn read_list(&self, field: &str) -> Result<Vec<String>, FieldError> {
        let name = self.name(field);
        let items: Vec<String> = match self.get(field) {
            None => Vec::new(),
            Some(Value::String(text)) => split_list(text),
            Some(Value::Array(values)) => values
                .iter()
                .map(|value| match value {
                    Value::String(text) => Ok(text.clone()),
                    _ => Err(FieldError::new(
                        &name,
                        format!("`{name}` must be a list of names"),
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(FieldError::new(
                    &name,
                    format!("`{name}` must be a list of names"),
                ));
            }
        };
        items
            .iter()
            .filter_map(|item| ids::optional_text(&name, Some(item), SHORT_TEXT).transpose())
            .collect()
    }

    /// A list of short texts (e.g. attendees); missing is empty.
    pub(crate) fn optional_list(&mut self, field: &str) -> Vec<String> {
        let result = self.read_list(field);
        self.take(result).unwrap_or_default()
    }

    /// A list with at least one entry.
    pub(crate) fn required_list(&mut self, field: &str, hint: &str) -> Option<Vec<String>> {
        let result = self.read_list(field);
        let result = result.and_then(|items| {
            if items.is_empty() {
                Err(self.missing(field, hint))
            } else {
                Ok(items)
            }
        });
        self.take(result)
    }

    /// An optional date and time: RFC 3339, or a WIB wall-clock time without offset.
    pub(crate) fn optional_instant(&mut self, field: &str) -> Option<DateTime<Utc>> {
        let name = self.name(field);
        let result = self.raw_text(field).and_then(|text| match text {
            None => Ok(None),
            Some(text) => parse_instant(&text).map(Some).ok_or_else(|| {
                FieldError::new(
                    &name,
                    format!("`{name}` must be a date and time such as 2026-08-12T14:05:00+07:00"),
                )
                .of_kind(Problem::NotAnInstant)
            }),
        });
        self.take(result).flatten()
    }

    /// A required date and time: RFC 3339, or a WIB wall-clock time without offset.
    pub(crate) fn required_instant(&mut self, field: &str, hint: &str) -> Option<DateTime<Utc>> {
        let name = self.name(field);
        let result = self.raw_text(field).and_then(|text| match text {
            None => Err(self.missing(field, hint)),
            Some(text) => parse_instant(&text).ok_or_else(|| {
                FieldError::new(
                    &name,
                    format!("`{name}` must be a date and time such as 2026-08-12T14:05:00+07:00"),
                )
                .of_kind(Problem::NotAnInstant)
            }),
        });
        self.take(result)
    }

    /// A text field of the schema: required when `spec` always is, otherwise optional (a
    /// field required only in some case is read with [`Body::text_required`] in that case).
    pub(crate) fn text(&mut self, spec: &FieldSpec) -> Option<String> {
        if spec.need == Need::Required {
            self.text_required(spec)
        } else {
            self.optional_text(spec.name, spec.max_chars().unwrap_or(SHORT_TEXT))
        }
    }

    /// A text field of the schema that must be there.
    pub(crate) fn text_required(&mut self, spec: &FieldSpec) -> Option<String> {
        let max = spec.max_chars().unwrap_or(SHORT_TEXT);
        self.required_text(spec.name, max, spec.missing)
    }

    /// A yes-or-no field of the schema, which must be answered.
    pub(crate) fn yes_no(&mut self, spec: &FieldSpec) -> Option<bool> {
        self.required_bool(spec.name, spec.missing)
    }

    /// A tick of the schema: absent is no.
    pub(crate) fn flag(&mut self, spec: &FieldSpec) -> bool {
        self.optional_bool(spec.name).unwrap_or(false)
    }

    /// A choice of the schema, which must be made.
    pub(crate) fn choice<T>(&mut self, spec: &FieldSpec) -> Option<T>
    where
        T: FromStr<Err = UnknownValue>,
    {
        let names: Vec<&str> = match spec.ty {
            FieldType::Choice(choices) => choices.iter().map(|c| c.name).collect(),
            _ => Vec::new(),
        };
        self.required_enum::<T>(spec.name, &names)
    }

    /// A list of the schema: required when `spec` always is, otherwise possibly empty.
    pub(crate) fn list(&mut self, spec: &FieldSpec) -> Option<Vec<String>> {
        if spec.need == Need::Required {
            self.list_required(spec)
        } else {
            Some(self.optional_list(spec.name))
        }
    }

    /// A list of the schema with at least one entry.
    pub(crate) fn list_required(&mut self, spec: &FieldSpec) -> Option<Vec<String>> {
        self.required_list(spec.name, spec.missing)
    }

    /// A date and time of the schema: required when `spec` always is.
    pub(crate) fn instant(&mut self, spec: &FieldSpec) -> Option<DateTime<Utc>> {
        if spec.need == Need::Required {
            self.required_instant(spec.name, spec.missing)
        } else {
            self.optional_instant(spec.name)
        }
    }
}

/// Splits a list given as text: one entry per line when there are several lines, otherwise
/// entries separated by commas.
fn split_list(text: &str) -> Vec<String> {
    let separator = if text.contains('\n') { '\n' } else { ',' };
    text.split(separator)
        .map(|item| item.trim().to_owned())
        .collect()
}

/// Reads RFC 3339, or `YYYY-MM-DDTHH:MM[:SS]` (what an HTML `datetime-local` input sends)
/// as a time in WIB.
pub(crate) fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Some(instant.with_timezone(&Utc));
    }
    [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .and_then(|local| wib().from_local_datetime(&local).single())
    .map(|instant| instant.with_timezone(&Utc))
}
