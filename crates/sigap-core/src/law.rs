//! The national rules around the SOP that sigap applies as workflow, each with the number
//! the rule gives as its default. An admin may change the numbers on the settings page (the
//! `law` section, `PUT /api/v1/settings/law`) within what the rule allows, and the page
//! names the rule behind each one ([`BASES`]).
//!
//! Passwords follow Peraturan BSSN Nomor 4 Tahun 2021 (the SPBE security standard), read as
//! current guidance reads it (NIST SP 800-63B, OWASP ASVS): long rather than mixed, checked
//! against passwords known from breaches and against the person's own name and address,
//! composition rules off unless the city's policy asks for them, and "masa berlaku" as a
//! limit on how often a change may be forced, not a monthly rotation.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::form::Given;

/// The shortest password any setting may allow, in characters.
pub const MIN_PASSWORD_CHARS: u32 = 12;
/// The longest minimum a setting may ask for.
pub const MAX_PASSWORD_CHARS: u32 = 128;
/// A forced change comes no more often than this: six months.
pub const MIN_PASSWORD_MAX_AGE_DAYS: u32 = 180;
/// The longest maximum age a setting may give, ten years.
pub const MAX_PASSWORD_MAX_AGE_DAYS: u32 = 3650;

/// The numbers of the rules in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct LawSettings {
    /// The shortest password accepted, in characters (12-128).
    pub password_min_chars: u32,
    /// Whether a password must mix lower case, upper case, digits and other characters.
    pub password_composition: bool,
    /// Days after which a staff member must choose a new password at sign-in (180-3650);
    /// absent: never forced.
    pub password_max_age_days: Option<u32>,
    /// Hours within which the controller must notify the data subjects and the authority of
    /// a personal data breach (UU 27/2022 Pasal 46: 3×24; 24-72).
    pub pdp_notice_hours: u32,
    /// Hours within which an incident of high risk on an IIV system is reported to the
    /// sectoral CSIRT (Peraturan BSSN 1/2024: 1×24; 1-24).
    pub bssn_report_hours_iiv: u32,
    /// The same for the other systems (3×24 by default; 1-168).
    pub bssn_report_hours: u32,
    /// Years a closed ticket's reporter contact data are kept before they are anonymised
    /// (2 by default; 1-30).
    pub retention_contact_years: u32,
    /// Years a closed ticket's evidence files are kept before they are destroyed (5 by
    /// default; 1-30).
    pub retention_evidence_years: u32,
}

impl Default for LawSettings {
    fn default() -> Self {
        LawSettings {
            password_min_chars: MIN_PASSWORD_CHARS,
            password_composition: false,
            password_max_age_days: None,
            pdp_notice_hours: crate::pdp::NOTICE_HOURS,
            bssn_report_hours_iiv: crate::bssn::IIV_HOURS,
            bssn_report_hours: crate::bssn::OTHER_HOURS,
            retention_contact_years: crate::retention::CONTACT_YEARS,
            retention_evidence_years: crate::retention::EVIDENCE_YEARS,
        }
    }
}

/// Which rule says what: each setting's key and the rule it comes from, as the settings
/// page and `GET /api/v1/settings` name them.
pub const BASES: &[(&str, &str)] = &[
    (
        "password_min_chars",
        "Peraturan BSSN Nomor 4 Tahun 2021, standar teknis keamanan SPBE: kata sandi yang kuat; NIST SP 800-63B 5.1.1",
    ),
    (
        "password_breached",
        "Peraturan BSSN Nomor 4 Tahun 2021; NIST SP 800-63B 5.1.1.2: kata sandi yang pernah bocor, umum atau memuat nama dan surel pengguna ditolak",
    ),
    (
        "password_composition",
        "Peraturan BSSN Nomor 4 Tahun 2021 (kombinasi huruf besar, huruf kecil, angka dan karakter khusus), bila kebijakan daerah mewajibkannya; OWASP ASVS 5.0 V6.2 menyarankan tanpa aturan komposisi",
    ),
    (
        "password_max_age_days",
        "Peraturan BSSN Nomor 4 Tahun 2021 (masa berlaku kata sandi), dibaca sebagai: penggantian tidak dipaksakan lebih sering dari 6 bulan",
    ),
    (
        "pdp_notice_hours",
        "UU Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi, Pasal 46: pemberitahuan tertulis kepada subjek data pribadi dan lembaga paling lambat 3 × 24 jam; pengingat pada sepertiga dan dua pertiga waktu, eskalasi bila lewat",
    ),
    (
        "bssn_report_hours_iiv",
        "Peraturan BSSN Nomor 1 Tahun 2024 tentang Pengelolaan Insiden Siber: insiden berisiko tinggi pada infrastruktur informasi vital dilaporkan kepada CSIRT sektoral, dengan tembusan CSIRT nasional, paling lambat 1 × 24 jam",
    ),
    (
        "bssn_report_hours",
        "Peraturan BSSN Nomor 1 Tahun 2024: insiden berisiko tinggi (tingkat kekritisan tinggi atau data pribadi terdampak) pada sistem lain dilaporkan kepada CSIRT sektoral; batas waktu ditetapkan Pemerintah Kota (bawaan 3 × 24 jam)",
    ),
    (
        "retention_contact_years",
        "UU Nomor 27 Tahun 2022 Pasal 44 ayat (1) huruf a: data pribadi dimusnahkan setelah masa retensinya berakhir; masa retensi menurut Jadwal Retensi Arsip Pemerintah Kota (bawaan 2 tahun sejak tiket ditutup, untuk dikonfirmasi arsiparis); tiket dalam penahanan hukum dikecualikan",
    ),
    (
        "retention_evidence_years",
        "UU Nomor 43 Tahun 2009 tentang Kearsipan dan Jadwal Retensi Arsip Pemerintah Kota (bawaan 5 tahun sejak tiket ditutup, untuk dikonfirmasi arsiparis); naskah dinas dan log audit tidak dimusnahkan SIGAP",
    ),
];

/// The rule behind the setting `key`.
pub fn basis(key: &str) -> &'static str {
    BASES
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, basis)| basis)
}

/// The law section as `PUT /api/v1/settings/law` and the settings page send it: every
/// field, the whole section at once.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct LawRequest {
    /// 12-128.
    #[schema(value_type = u32)]
    pub password_min_chars: Given,
    /// `true` or `false`; absent: `false`.
    #[schema(value_type = Option<bool>)]
    pub password_composition: Given,
    /// 180-3650; absent, empty or null: never forced.
    #[schema(value_type = Option<u32>)]
    pub password_max_age_days: Given,
    /// 24-72; absent, empty or null: 72, the law's.
    #[schema(value_type = Option<u32>)]
    pub pdp_notice_hours: Given,
    /// 1-24; absent, empty or null: 24.
    #[schema(value_type = Option<u32>)]
    pub bssn_report_hours_iiv: Given,
    /// 1-168; absent, empty or null: 72.
    #[schema(value_type = Option<u32>)]
    pub bssn_report_hours: Given,
    /// 1-30; absent, empty or null: 2.
    #[schema(value_type = Option<u32>)]
    pub retention_contact_years: Given,
    /// 1-30; absent, empty or null: 5.
    #[schema(value_type = Option<u32>)]
    pub retention_evidence_years: Given,
}

/// The section's numbers as sent, each within its rule's range; a bad one is an error on its
/// field, an absent one `None`.
fn read_numbers(r: &LawRequest, errors: &mut Vec<FieldError>) -> [Option<u32>; 7] {
    use crate::{bssn, pdp, retention};
    let fields: [(&Given, &str, u32, u32); 7] = [
        (
            &r.password_min_chars,
            "password_min_chars",
            MIN_PASSWORD_CHARS,
            MAX_PASSWORD_CHARS,
        ),
        (
            &r.password_max_age_days,
            "password_max_age_days",
            MIN_PASSWORD_MAX_AGE_DAYS,
            MAX_PASSWORD_MAX_AGE_DAYS,
        ),
        (
            &r.pdp_notice_hours,
            "pdp_notice_hours",
            pdp::MIN_NOTICE_HOURS,
            pdp::NOTICE_HOURS,
        ),
        (
            &r.bssn_report_hours_iiv,
            "bssn_report_hours_iiv",
            bssn::MIN_HOURS,
            bssn::IIV_HOURS,
        ),
        (
            &r.bssn_report_hours,
            "bssn_report_hours",
            bssn::MIN_HOURS,
            bssn::MAX_OTHER_HOURS,
        ),
        (
            &r.retention_contact_years,
            "retention_contact_years",
            retention::MIN_YEARS,
            retention::MAX_YEARS,
        ),
        (
            &r.retention_evidence_years,
            "retention_evidence_years",
            retention::MIN_YEARS,
            retention::MAX_YEARS,
        ),
    ];
    fields.map(|(given, field, min, max)| {
        crate::overrides::number(given, field, min, max)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten()
    })
}

impl TryFrom<&LawRequest> for LawSettings {
    type Error = Vec<FieldError>;

    fn try_from(request: &LawRequest) -> Result<LawSettings, Vec<FieldError>> {
        let mut errors = Vec::new();
        let [
            min_chars,
            max_age,
            pdp_hours,
            iiv_hours,
            other_hours,
            contact_years,
            evidence_years,
        ] = read_numbers(request, &mut errors);
        if min_chars.is_none() && errors.is_empty() {
            errors.push(FieldError::new(
                "password_min_chars",
                "`password_min_chars` is required",
            ));
        }
        let composition = match &request.password_composition.0 {
            Value::Null => Some(false),
            Value::Bool(flag) => Some(*flag),
            Value::String(text) if text.trim().is_empty() => Some(false),
            Value::String(text) => crate::records::parse_bool(text),
            _ => None,
        };
        if composition.is_none() {
            errors.push(FieldError::new(
                "password_composition",
                "`password_composition` must be yes or no (`true` or `false`)",
            ));
        }
        match (min_chars, composition) {
            (Some(min_chars), Some(composition)) if errors.is_empty() => Ok(LawSettings {
                password_min_chars: min_chars,
                password_composition: composition,
                password_max_age_days: max_age,
                pdp_notice_hours: pdp_hours.unwrap_or(crate::pdp::NOTICE_HOURS),
                bssn_report_hours_iiv: iiv_hours.unwrap_or(crate::bssn::IIV_HOURS),
                bssn_report_hours: other_hours.unwrap_or(crate::bssn::OTHER_HOURS),
                retention_contact_years: contact_years.unwrap_or(crate::retention::CONTACT_YEARS),
                retention_evidence_years: evidence_years
                    .unwrap_or(crate::retention::EVIDENCE_YEARS),
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn request(body: Value) -> LawRequest {
        serde_json::from_value(body).unwrap()
    }

    #[test]
    fn the_defaults_are_the_rules_own_numbers() {
        let law = LawSettings::default();
        assert_eq!(law.password_min_chars, 12);
        assert!(!law.password_composition);
        assert_eq!(law.password_max_age_days, None);
        // A row stored before a setting existed reads with that setting's default.
        let old: LawSettings = serde_json::from_value(json!({"password_min_chars": 14})).unwrap();
        assert_eq!(old.password_min_chars, 14);
        assert!(!old.password_composition);
        assert_eq!(old.pdp_notice_hours, 72, "UU PDP's 3 × 24 hours");
        assert_eq!(old.retention_contact_years, 2);
        assert_eq!(old.retention_evidence_years, 5);
        for (key, _) in BASES {
            assert!(!basis(key).is_empty());
        }
        assert_eq!(basis("no_such_rule"), "");
    }

    #[test]
    fn a_request_within_the_rules_is_taken_as_sent() {
        let law = LawSettings::try_from(&request(json!({
            "password_min_chars": "16",
            "password_composition": "on",
            "password_max_age_days": 365,
            "pdp_notice_hours": 48,
        })))
        .unwrap();
        assert_eq!(
            law,
            LawSettings {
                password_min_chars: 16,
                password_composition: true,
                password_max_age_days: Some(365),
                pdp_notice_hours: 48,
                ..LawSettings::default()
            }
        );
        let law = LawSettings::try_from(&request(json!({
            "password_min_chars": 12,
            "password_max_age_days": "",
        })))
        .unwrap();
        assert_eq!(law, LawSettings::default());
    }

    #[test]
    fn numbers_outside_the_rules_are_refused_each_by_its_field() {
        let errors = LawSettings::try_from(&request(json!({
            "password_min_chars": 8,
            "password_composition": "perhaps",
            "password_max_age_days": 30,
            "pdp_notice_hours": 96,
        })))
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "password_min_chars",
                "password_max_age_days",
                "pdp_notice_hours",
                "password_composition"
            ]
        );
        assert!(errors[0].message.contains("from 12 to 128"));
        assert!(errors[1].message.contains("from 180 to 3650"));
        let errors = LawSettings::try_from(&request(json!({}))).unwrap_err();
        assert_eq!(errors[0].field, "password_min_chars");
    }
}
