//! A person's identifiers taken out of a text, for the anonymisation of a reporter when
//! the retention of their contact data ends.

/// What stands in for an identifier removed.
pub const REMOVED: &str = "[dihapus]";

/// The identifiers of one person: name, e-mail address, telephone number, alias.
#[derive(Debug, Clone)]
pub struct Person {
    /// Longest first, lower-cased, so that an address goes before the name inside it.
    needles: Vec<String>,
}

impl Person {
    /// The identifiers given (empty and very short ones are left out: two letters would
    /// cut words to pieces).
    pub fn new(identifiers: &[Option<&str>]) -> Person {
        let mut needles: Vec<String> = identifiers
            .iter()
            .flatten()
            .map(|s| s.trim().to_lowercase())
            .filter(|s| s.chars().count() >= 3)
            .collect();
        needles.sort_by_key(|s| std::cmp::Reverse(s.len()));
        needles.dedup();
        Person { needles }
    }

    /// `text` with every identifier, in any case, replaced by [`REMOVED`].
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for needle in &self.needles {
            out = replace_caseless(&out, needle);
        }
        out
    }
}

/// `text` with `needle` (lower case) replaced wherever it occurs in any case.
fn replace_caseless(text: &str, needle: &str) -> String {
    let lower = text.to_lowercase();
    // Lower-casing may change lengths (rare letters); then match on the text as it is.
    if lower.len() != text.len() {
        return text.replace(needle, REMOVED);
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    while let Some(at) = lower[from..].find(needle) {
        let start = from + at;
        out.push_str(&text[from..start]);
        out.push_str(REMOVED);
        from = start + needle.len();
    }
    out.push_str(&text[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_identifier_goes_in_any_case() {
        let person = Person::new(&[
            Some("Budi Santoso"),
            Some("budi.santoso@example.com"),
            Some("+62 812-3456-7890"),
            None,
            Some("B"),
        ]);
        let text = "Salam,\nBUDI SANTOSO\nBudi.Santoso@Example.com / +62 812-3456-7890 (B)";
        assert_eq!(
            person.redact(text),
            "Salam,\n[dihapus]\n[dihapus] / [dihapus] (B)"
        );
        assert_eq!(person.redact("tidak ada"), "tidak ada");
    }
}
