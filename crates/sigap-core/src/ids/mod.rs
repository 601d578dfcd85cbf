//! Validated identifiers and strings: each type here can only be built by a `parse`
//! constructor that checks and normalises its input, so that code holding a
//! [`TicketNumber`], an [`Email`] or a [`Domain`] never checks it again ("parse, don't
//! validate"). Errors are [`FieldError`](crate::FieldError)s named after the field a client sends.

mod email;
mod names;
mod target;
mod text;
mod ticket_number;
mod vulnerability_type;

pub use email::Email;
pub use names::{AgencyCode, Domain};
pub use target::Target;
pub use text::{optional_text, required_text};
pub use ticket_number::TicketNumber;
pub use vulnerability_type::VulnerabilityType;

/// Implements the plumbing every string newtype shares: `as_str`, `Display`, `AsRef<str>`,
/// `FromStr` and the `String` conversions serde uses (`try_from`/`into`), all in terms of the
/// type's own `parse` and its `text` field.
macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            /// The normalised text.
            pub fn as_str(&self) -> &str {
                &self.text
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::error::FieldError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::error::FieldError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.text
            }
        }
    };
}

pub(crate) use string_newtype;

/// Whether `label` is a valid DNS label: 1 to 63 of `a-z`, `0-9` and `-`, not starting or
/// ending with `-`. The caller lowercases first.
pub(crate) fn is_dns_label(label: &str) -> bool {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    (1..=63).contains(&label.len())
        && label.chars().all(allowed)
        && !label.starts_with('-')
        && !label.ends_with('-')
}

/// Writes `n` with a comma every three digits (`20,000`), for limits quoted in messages.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_labels() {
        assert!(is_dns_label("a"));
        assert!(is_dns_label("batam-kota"));
        assert!(is_dns_label(&"a".repeat(63)));
        assert!(!is_dns_label(&"a".repeat(64)));
        assert!(!is_dns_label(""));
        assert!(!is_dns_label("-a"));
        assert!(!is_dns_label("a-"));
        assert!(!is_dns_label("a_b"));
        assert!(!is_dns_label("A"));
    }

    #[test]
    fn thousands_separator() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(200), "200");
        assert_eq!(thousands(20_000), "20,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
