//! Free text from forms: trimmed, bounded in length and free of the control characters that
//! a database or a PDF would choke on (tab and line breaks are kept).

use crate::error::{FieldError, Problem};
use crate::ids::thousands;

/// Reads a required text field: trimmed, not empty, at most `max_chars` characters (Unicode
/// scalar values) and without control characters other than tab and line breaks.
pub fn required_text(
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Result<String, FieldError> {
    match optional_text(field, value, max_chars)? {
        Some(text) => Ok(text),
        None => Err(FieldError::new(
            field,
            format!("`{field}` is required and must not be blank"),
        )
        .of_kind(Problem::Missing)),
    }
}

/// Reads an optional text field like [`required_text`]; a missing or blank value is `None`.
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, FieldError> {
    let Some(text) = value.map(str::trim).filter(|text| !text.is_empty()) else {
        return Ok(None);
    };
    let length = text.chars().count();
    if length > max_chars {
        let message = format!(
            "`{field}` is too long: at most {} characters are allowed, this has {}",
            thousands(max_chars),
            thousands(length)
        );
        return Err(FieldError::new(field, message).of_kind(Problem::TooLong { max: max_chars }));
    }
    if let Some(bad) = text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        let message = format!(
            "`{field}` contains a control character (U+{:04X}); remove it",
            u32::from(bad)
        );
        return Err(FieldError::new(field, message).of_kind(Problem::ControlCharacter));
    }
    Ok(Some(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_trims_and_rejects_blank() {
        assert_eq!(required_text("notes", Some("  ok \n"), 10).unwrap(), "ok");
        let error = required_text("notes", Some(" \n\t "), 10).unwrap_err();
        assert_eq!(error.field, "notes");
        assert!(
            error.message.contains("`notes` is required"),
            "{}",
            error.message
        );
        assert!(required_text("notes", None, 10).is_err());
    }

    #[test]
    fn length_is_counted_in_characters_and_the_limit_is_named() {
        assert!(required_text("place", Some(&"é".repeat(200)), 200).is_ok());
        let error = required_text("place", Some(&"é".repeat(201)), 200).unwrap_err();
        assert!(
            error.message.contains("at most 200 characters"),
            "{}",
            error.message
        );
        let error = optional_text("body", Some(&"x".repeat(20_001)), 20_000).unwrap_err();
        assert!(error.message.contains("20,000"), "{}", error.message);
    }

    #[test]
    fn optional_text_maps_blank_to_none_and_keeps_line_breaks() {
        assert_eq!(optional_text("notes", Some("   "), 10).unwrap(), None);
        assert_eq!(optional_text("notes", None, 10).unwrap(), None);
        assert_eq!(
            optional_text("notes", Some("a\r\n\tb"), 10)
                .unwrap()
                .as_deref(),
            Some("a\r\n\tb")
        );
    }

    #[test]
    fn control_characters_are_refused() {
        let error = optional_text("notes", Some("a\u{0}b"), 10).unwrap_err();
        assert!(error.message.contains("U+0000"), "{}", error.message);
        assert!(required_text("notes", Some("a\u{1b}[31m"), 10).is_err());
    }
}
