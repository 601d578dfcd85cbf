//! What a new password must be ([`sigap_core::law::LawSettings`]): long enough, not known
//! from breaches, not made of the person's own name or address (or the office's), and,
//! when the city's policy asks for it, a mix of lower case, upper case, digits and other
//! characters.
//!
//! "Known from breaches" is the list of about 100,000 passwords that the `passwords` crate
//! carries (taken from public breach corpora), compared without regard to case, and also
//! after taking digits and signs off both ends, so that `Password2026!` counts as
//! `password`. "Made of" means that once the person's name words, the parts of their
//! e-mail address and the office's own words are taken out, fewer than 8 letters or digits
//! remain.

use sigap_core::law::LawSettings;
use sigap_core::{FieldError, PasswordFlaw, Problem};

use crate::identity::throttle::MAX_PASSWORD_BYTES;

/// Letters and digits that must remain once the personal words are taken out.
const OWN_CHARS: usize = 8;

/// Words of the office itself, which say nothing a guesser does not know.
const OFFICE_WORDS: &[&str] = &[
    "batam",
    "csirt",
    "sigap",
    "diskominfo",
    "kominfo",
    "pemkot",
    "password",
    "sandi",
];

/// Checks `password` against `law` for the person named `name` with the address `email`;
/// a refusal is on `field`, of the kind [`Problem::Password`].
pub fn check(
    law: &LawSettings,
    field: &str,
    password: &str,
    name: &str,
    email: &str,
) -> Result<(), FieldError> {
    let flaw = flaw(law, password, name, email);
    match flaw {
        None => Ok(()),
        Some(flaw) => Err(FieldError::new(field, message(flaw)).of_kind(Problem::Password(flaw))),
    }
}

/// The English sentence for a refusal (the pages word it in their own language).
fn message(flaw: PasswordFlaw) -> String {
    match flaw {
        PasswordFlaw::TooShort { min } => format!("a password has at least {min} characters"),
        PasswordFlaw::TooLong => format!("a password has at most {MAX_PASSWORD_BYTES} bytes"),
        PasswordFlaw::Breached => {
            "this password is known from breaches of other sites or too common: choose another"
                .to_owned()
        }
        PasswordFlaw::Personal => {
            "this password is made of your name or e-mail address: choose one that is not"
                .to_owned()
        }
        PasswordFlaw::Composition => {
            "the password must mix lower case, upper case, digits and other characters".to_owned()
        }
    }
}

/// The first rule `password` breaks, if any.
pub fn flaw(law: &LawSettings, password: &str, name: &str, email: &str) -> Option<PasswordFlaw> {
    let chars = password.chars().count();
    if chars < law.password_min_chars as usize {
        return Some(PasswordFlaw::TooShort {
            min: law.password_min_chars,
        });
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Some(PasswordFlaw::TooLong);
    }
    if breached(password) {
        return Some(PasswordFlaw::Breached);
    }
    if personal(password, name, email) {
        return Some(PasswordFlaw::Personal);
    }
    if law.password_composition && !mixed(password) {
        return Some(PasswordFlaw::Composition);
    }
    None
}

/// Whether `password`, or its core without digits and signs at either end, is on the list.
fn breached(password: &str) -> bool {
    let lower = password.to_lowercase();
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    [password, lower.as_str(), core].iter().any(|candidate| {
        candidate.chars().count() >= 4 && passwords::analyzer::is_common_password(candidate)
    })
}

/// Whether too little of `password` is left once the person's and the office's words are
/// taken out.
fn personal(password: &str, name: &str, email: &str) -> bool {
    let mut rest: String = password
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    let email = email.to_lowercase();
    let (local, domain) = email.split_once('@').unwrap_or((email.as_str(), ""));
    let mut words: Vec<String> = name
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .chain(local.split(|c: char| !c.is_alphanumeric()))
        .chain(domain.split('.'))
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_owned)
        .collect();
    words.push(local.chars().filter(|c| c.is_alphanumeric()).collect());
    words.extend(OFFICE_WORDS.iter().map(|w| (*w).to_owned()));
    // The longest first, so that a whole local part goes before its pieces.
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    for word in words.iter().filter(|w| w.chars().count() >= 3) {
        rest = rest.replace(word.as_str(), "");
    }
    rest.chars().count() < OWN_CHARS
}

/// Whether `password` has lower case, upper case, a digit and another character.
fn mixed(password: &str) -> bool {
    password.chars().any(char::is_lowercase)
        && password.chars().any(char::is_uppercase)
        && password.chars().any(|c| c.is_ascii_digit())
        && password.chars().any(|c| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = "Rina Marlina Siregar";
    const EMAIL: &str = "rina.siregar@batam.go.id";

    fn flaw_of(law: &LawSettings, password: &str) -> Option<PasswordFlaw> {
        flaw(law, password, NAME, EMAIL)
    }

    #[test]
    fn a_long_phrase_of_ones_own_passes_the_default_rules() {
        let law = LawSettings::default();
        for good in [
            "kata-sandi-uji-yang-panjang",
            "correct horse battery staple",
            "Jembatan Barelang 6 sore hari",
            "rina suka kopi gayo tanpa gula",
        ] {
            assert_eq!(flaw_of(&law, good), None, "{good}");
        }
    }

    #[test]
    fn short_and_breached_passwords_are_refused() {
        let law = LawSettings::default();
        assert_eq!(
            flaw_of(&law, "Tahu-tempe1"),
            Some(PasswordFlaw::TooShort { min: 12 })
        );
        let longer = LawSettings {
            password_min_chars: 16,
            ..LawSettings::default()
        };
        assert_eq!(
            flaw_of(&longer, "kopi-gayo-enak!!"),
            None,
            "exactly 16 characters"
        );
        assert_eq!(
            flaw_of(&longer, "kopi-gayo-enak!"),
            Some(PasswordFlaw::TooShort { min: 16 })
        );
        // On the list as it is, in other case, and with digits and signs around it.
        for breached in [
            "qwerty123456",
            "1q2w3e4r5t6y7u8i",
            "QWERTY123456",
            "Password2026!!!!",
            "iloveyou12345678",
            "2026!!sunshine!!",
        ] {
            assert_eq!(
                flaw_of(&law, breached),
                Some(PasswordFlaw::Breached),
                "{breached}"
            );
        }
    }

    #[test]
    fn a_password_made_of_ones_name_or_address_is_refused() {
        let law = LawSettings::default();
        for own in [
            "RinaSiregar2026",
            "rina.siregar@batam",
            "marlina-siregar-1",
            "Batam-CSIRT-2026!",
            "siregar.rina.batam",
        ] {
            assert_eq!(flaw_of(&law, own), Some(PasswordFlaw::Personal), "{own}");
        }
        // A name inside a phrase of one's own is not refused.
        assert_eq!(flaw_of(&law, "rina menanam cabai di Sekupang"), None);
    }

    #[test]
    fn composition_is_asked_only_when_the_policy_says_so() {
        let strict = LawSettings {
            password_composition: true,
            ..LawSettings::default()
        };
        assert_eq!(
            flaw_of(&strict, "kata-sandi-uji-yang-panjang"),
            Some(PasswordFlaw::Composition)
        );
        assert_eq!(flaw_of(&strict, "Kata-Sandi-Uji-Ke-7"), None);
        assert_eq!(
            flaw_of(&LawSettings::default(), "kata-sandi-uji-yang-panjang"),
            None
        );
    }
}
