//! The class of a weakness, for the figures leadership reads: a report's vulnerability type
//! (a CWE id or the reporter's words) grouped into the OWASP Top 10 (2021) categories, with
//! Indonesian names. The CWE lists are OWASP's own mapping of each category; a CWE that
//! OWASP names under two categories (CWE-259) is counted once, in the later one. Free text
//! is read by a few words a reporter is likely to use; anything else is "other".

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::{Choice, Labelled, UnknownValue, stored_as_text, vocabulary};

vocabulary! {
    /// An OWASP Top 10 (2021) category, or none of them.
    pub enum WeaknessClass {
        /// A01:2021.
        BrokenAccessControl => "a01_access_control", "A01 Kendali akses yang lemah",
            "A01 Broken access control";
        /// A02:2021.
        CryptographicFailures => "a02_cryptography", "A02 Kegagalan kriptografi",
            "A02 Cryptographic failures";
        /// A03:2021 (cross-site scripting included).
        Injection => "a03_injection", "A03 Injeksi", "A03 Injection";
        /// A04:2021.
        InsecureDesign => "a04_insecure_design", "A04 Desain yang tidak aman",
            "A04 Insecure design";
        /// A05:2021.
        SecurityMisconfiguration => "a05_misconfiguration", "A05 Kesalahan konfigurasi keamanan",
            "A05 Security misconfiguration";
        /// A06:2021.
        OutdatedComponents => "a06_outdated_components", "A06 Komponen rentan dan usang",
            "A06 Vulnerable and outdated components";
        /// A07:2021.
        AuthenticationFailures => "a07_authentication",
            "A07 Kegagalan identifikasi dan autentikasi",
            "A07 Identification and authentication failures";
        /// A08:2021.
        IntegrityFailures => "a08_integrity", "A08 Kegagalan integritas perangkat lunak dan data",
            "A08 Software and data integrity failures";
        /// A09:2021.
        LoggingFailures => "a09_logging", "A09 Kegagalan pencatatan dan pemantauan",
            "A09 Security logging and monitoring failures";
        /// A10:2021.
        ServerSideRequestForgery => "a10_ssrf", "A10 Pemalsuan permintaan sisi server (SSRF)",
            "A10 Server-side request forgery (SSRF)";
        /// None of the ten, or not recognised.
        Other => "other", "Lainnya", "Other";
    }
}

use WeaknessClass as W;

/// OWASP's CWE mapping of each category (Top 10 2021).
const CWES: &[(WeaknessClass, &[u32])] = &[
    (
        W::BrokenAccessControl,
        &[
            22, 23, 35, 59, 200, 201, 219, 264, 275, 276, 284, 285, 352, 359, 377, 402, 425, 441,
            497, 538, 540, 548, 552, 566, 601, 639, 651, 668, 706, 862, 863, 913, 922, 1275,
        ],
    ),
    (
        W::CryptographicFailures,
        &[
            261, 296, 310, 319, 321, 322, 323, 324, 325, 326, 327, 328, 329, 330, 331, 335, 336,
            337, 338, 340, 347, 523, 720, 757, 759, 760, 780, 818, 916,
        ],
    ),
    (
        W::Injection,
        &[
            20, 74, 75, 77, 78, 79, 80, 83, 87, 88, 89, 90, 91, 93, 94, 95, 96, 97, 98, 99, 100,
            113, 116, 138, 184, 470, 471, 564, 610, 643, 644, 652, 917,
        ],
    ),
    (
        W::InsecureDesign,
        &[
            73, 183, 209, 213, 235, 256, 257, 266, 269, 280, 311, 312, 313, 316, 419, 430, 434,
            444, 451, 472, 501, 522, 525, 539, 579, 598, 602, 642, 646, 650, 653, 656, 657, 799,
            807, 840, 841, 927, 1021, 1173,
        ],
    ),
    (
        W::SecurityMisconfiguration,
        &[
            2, 11, 13, 15, 16, 260, 315, 520, 526, 537, 541, 547, 611, 614, 756, 776, 942, 1004,
            1032, 1174,
        ],
    ),
    (W::OutdatedComponents, &[937, 1035, 1104]),
    (
        W::AuthenticationFailures,
        &[
            255, 259, 287, 288, 290, 294, 295, 297, 300, 302, 304, 306, 307, 346, 384, 521, 613,
            620, 640, 798, 940, 1216,
        ],
    ),
    (
        W::IntegrityFailures,
        &[345, 353, 426, 494, 502, 565, 784, 829, 830, 915],
    ),
    (W::LoggingFailures, &[117, 223, 532, 778]),
    (W::ServerSideRequestForgery, &[918]),
];

/// Words of a free-text type, in the order they are tried (the first that occurs wins).
const WORDS: &[(&str, WeaknessClass)] = &[
    ("ssrf", W::ServerSideRequestForgery),
    ("server-side request", W::ServerSideRequestForgery),
    ("csrf", W::BrokenAccessControl),
    ("xss", W::Injection),
    ("cross-site scripting", W::Injection),
    ("cross site scripting", W::Injection),
    ("sql", W::Injection),
    ("inject", W::Injection),
    ("injeksi", W::Injection),
    ("rce", W::Injection),
    ("remote code", W::Injection),
    ("command", W::Injection),
    ("ssti", W::Injection),
    ("xxe", W::SecurityMisconfiguration),
    ("deserial", W::IntegrityFailures),
    ("idor", W::BrokenAccessControl),
    ("traversal", W::BrokenAccessControl),
    ("lfi", W::BrokenAccessControl),
    ("file inclusion", W::BrokenAccessControl),
    ("open redirect", W::BrokenAccessControl),
    ("directory listing", W::BrokenAccessControl),
    ("access control", W::BrokenAccessControl),
    ("hak akses", W::BrokenAccessControl),
    ("kendali akses", W::BrokenAccessControl),
    ("disclosure", W::BrokenAccessControl),
    ("exposure", W::BrokenAccessControl),
    ("kebocoran", W::BrokenAccessControl),
    ("upload", W::InsecureDesign),
    ("unggah", W::InsecureDesign),
    ("business logic", W::InsecureDesign),
    ("logika bisnis", W::InsecureDesign),
    ("rate limit", W::InsecureDesign),
    ("brute", W::AuthenticationFailures),
    ("password", W::AuthenticationFailures),
    ("kata sandi", W::AuthenticationFailures),
    ("credential", W::AuthenticationFailures),
    ("kredensial", W::AuthenticationFailures),
    ("authenticat", W::AuthenticationFailures),
    ("autentikasi", W::AuthenticationFailures),
    ("session", W::AuthenticationFailures),
    ("sesi", W::AuthenticationFailures),
    ("outdated", W::OutdatedComponents),
    ("usang", W::OutdatedComponents),
    ("versi lama", W::OutdatedComponents),
    ("cve-", W::OutdatedComponents),
    ("misconfig", W::SecurityMisconfiguration),
    ("konfigurasi", W::SecurityMisconfiguration),
    ("cors", W::SecurityMisconfiguration),
    ("security header", W::SecurityMisconfiguration),
    ("crypto", W::CryptographicFailures),
    ("kriptografi", W::CryptographicFailures),
    ("cleartext", W::CryptographicFailures),
    ("enkripsi", W::CryptographicFailures),
    ("encrypt", W::CryptographicFailures),
    ("ssl", W::CryptographicFailures),
    ("tls", W::CryptographicFailures),
    ("logging", W::LoggingFailures),
    ("monitoring", W::LoggingFailures),
    ("pencatatan", W::LoggingFailures),
];

impl WeaknessClass {
    /// The category of CWE `number`; `Other` when OWASP's mapping names none.
    pub fn of_cwe(number: u32) -> WeaknessClass {
        CWES.iter()
            .rev()
            .find(|(_, cwes)| cwes.contains(&number))
            .map_or(W::Other, |(class, _)| *class)
    }

    /// The category of a stored vulnerability type: `CWE-79`, or the reporter's words.
    pub fn of_type(text: &str) -> WeaknessClass {
        let text = text.trim();
        if let Some(number) = text.strip_prefix("CWE-").and_then(|n| n.parse().ok()) {
            return Self::of_cwe(number);
        }
        let lower = text.to_lowercase();
        WORDS
            .iter()
            .find(|(word, _)| starts_a_word(&lower, word))
            .map_or(W::Other, |(_, class)| *class)
    }
}

/// Whether `word` occurs in `text` at the start of a word (`rce` in "RCE", not in "force").
fn starts_a_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cwe_ids_follow_owasps_mapping() {
        assert_eq!(WeaknessClass::of_type("CWE-79"), W::Injection);
        assert_eq!(WeaknessClass::of_type("CWE-89"), W::Injection);
        assert_eq!(WeaknessClass::of_type("CWE-639"), W::BrokenAccessControl);
        assert_eq!(
            WeaknessClass::of_type("CWE-918"),
            W::ServerSideRequestForgery
        );
        assert_eq!(WeaknessClass::of_type("CWE-434"), W::InsecureDesign);
        assert_eq!(WeaknessClass::of_type("CWE-1104"), W::OutdatedComponents);
        // Named by OWASP under A02 and A07: counted once, in A07.
        assert_eq!(WeaknessClass::of_type("CWE-259"), W::AuthenticationFailures);
        assert_eq!(WeaknessClass::of_type("CWE-1"), W::Other);
        for (class, cwes) in CWES {
            for cwe in *cwes {
                if *cwe != 259 {
                    assert_eq!(WeaknessClass::of_cwe(*cwe), *class, "CWE-{cwe}");
                }
            }
        }
    }

    #[test]
    fn a_reporters_words_are_read() {
        assert_eq!(WeaknessClass::of_type("SQL Injection"), W::Injection);
        assert_eq!(
            WeaknessClass::of_type("Reflected XSS di pencarian"),
            W::Injection
        );
        assert_eq!(
            WeaknessClass::of_type("IDOR pada unduhan"),
            W::BrokenAccessControl
        );
        assert_eq!(WeaknessClass::of_type("SSRF"), W::ServerSideRequestForgery);
        assert_eq!(
            WeaknessClass::of_type("Brute force login"),
            W::AuthenticationFailures
        );
        assert_eq!(
            WeaknessClass::of_type("WordPress versi lama"),
            W::OutdatedComponents
        );
        assert_eq!(
            WeaknessClass::of_type("Unggah berkas tanpa batas"),
            W::InsecureDesign
        );
        assert_eq!(WeaknessClass::of_type("Defacement"), W::Other);
        assert_eq!(WeaknessClass::of_type("RCE via unggahan"), W::Injection);
        assert_eq!(WeaknessClass::of_type("NoSQL-like filter"), W::Other);
    }
}
