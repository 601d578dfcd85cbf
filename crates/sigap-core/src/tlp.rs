//! The Traffic Light Protocol 2.0 label of a ticket, which each of its documents carries in
//! header and footer and each notification about it in front of the subject whenever it is
//! not `TLP:CLEAR`.

use std::fmt;
use std::str::FromStr;

/// A TLP 2.0 label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Tlp {
    /// `TLP:RED`: for the named recipients only.
    Red,
    /// `TLP:AMBER+STRICT`: the recipient's organisation only; the default for tickets.
    #[default]
    AmberStrict,
    /// `TLP:AMBER`: the recipient's organisation and its clients.
    Amber,
    /// `TLP:GREEN`: the community.
    Green,
    /// `TLP:CLEAR`: no restriction.
    Clear,
}

/// A text that is not a TLP label.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown TLP label `{0}`; expected RED, AMBER+STRICT, AMBER, GREEN or CLEAR")]
pub struct UnknownTlp(pub String);

impl Tlp {
    /// Every label, most restrictive first.
    pub const ALL: &'static [Self] = &[
        Self::Red,
        Self::AmberStrict,
        Self::Amber,
        Self::Green,
        Self::Clear,
    ];

    /// The label as printed, in capitals: `TLP:AMBER+STRICT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Red => "TLP:RED",
            Self::AmberStrict => "TLP:AMBER+STRICT",
            Self::Amber => "TLP:AMBER",
            Self::Green => "TLP:GREEN",
            Self::Clear => "TLP:CLEAR",
        }
    }

    /// Whether messages must show the label (every label but `TLP:CLEAR`).
    pub fn is_marked(self) -> bool {
        self != Self::Clear
    }
}

impl fmt::Display for Tlp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::model::stored_as_text!(Tlp);

/// Reads a label as [`FromStr`] does; a text that is not one is an error.
impl<'de> serde::Deserialize<'de> for Tlp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for Tlp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl FromStr for Tlp {
    type Err = UnknownTlp;

    /// Reads a label with or without the `TLP:` prefix, in any case (`amber+strict`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_uppercase();
        let wanted = wanted.strip_prefix("TLP:").unwrap_or(&wanted);
        Self::ALL
            .iter()
            .copied()
            .find(|tlp| tlp.as_str().strip_prefix("TLP:") == Some(wanted))
            .ok_or_else(|| UnknownTlp(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_label_reads_back_and_an_unknown_one_is_an_error() {
        for tlp in Tlp::ALL {
            let stored = serde_json::to_value(tlp).unwrap();
            assert_eq!(serde_json::from_value::<Tlp>(stored).unwrap(), *tlp);
        }
        let err = serde_json::from_value::<Tlp>(serde_json::json!("TLP:PURPLE")).unwrap_err();
        assert!(err.to_string().contains("PURPLE"), "{err}");
    }

    #[test]
    fn labels_read_back_in_any_case() {
        for tlp in Tlp::ALL {
            assert_eq!(tlp.as_str().parse::<Tlp>().unwrap(), *tlp);
        }
        assert_eq!("amber+strict".parse::<Tlp>().unwrap(), Tlp::AmberStrict);
        assert!("purple".parse::<Tlp>().is_err());
        assert!(!Tlp::Clear.is_marked());
        assert!(Tlp::Green.is_marked());
        assert_eq!(" tlp:clear ".parse::<Tlp>().unwrap(), Tlp::Clear);
        assert!(
            "TLP:WHITE".parse::<Tlp>().is_err(),
            "TLP 1.0's WHITE is CLEAR in 2.0"
        );
        assert_eq!(Tlp::default(), Tlp::AmberStrict);
    }
}
