//! The language of a page and its strings. Indonesian is the default; English is chosen with
//! `?lang=en` (remembered in the `sigap_lang` cookie) or the browser's `Accept-Language`.
//! UI strings live in `locales/{id,en}.yml` (rust-i18n, embedded at build time); the labels
//! of the SOP's vocabularies (states, actions, roles...) come from `sigap-core`, which keeps
//! both languages next to each name.

use std::borrow::Cow;
use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use sigap_core::{
    Criticality, DocumentKind, Labelled, Recommendation, Role, ValidationMethod, Visibility,
};

use crate::pages::cookies;

rust_i18n::i18n!("locales", fallback = "id");

// Rebuild when a catalogue changes (the macro above reads the files, rustc tracks these);
// the tests read them too.
#[cfg_attr(not(test), allow(dead_code))]
const CATALOGUE_ID: &str = include_str!("../../locales/id.yml");
#[cfg_attr(not(test), allow(dead_code))]
const CATALOGUE_EN: &str = include_str!("../../locales/en.yml");

/// The name of the cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "sigap_lang";

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PageLang {
    #[default]
    Id,
    En,
}

impl PageLang {
    /// `id` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            PageLang::Id => "id",
            PageLang::En => "en",
        }
    }

    /// Reads `id` or `en`.
    pub fn parse(text: &str) -> Option<PageLang> {
        match text.trim().to_ascii_lowercase().as_str() {
            "id" => Some(PageLang::Id),
            "en" => Some(PageLang::En),
            _ => None,
        }
    }

    /// The string of `key` in this language (the key itself when it is missing, which the
    /// catalogue tests rule out).
    pub fn t(&self, key: &str) -> Cow<'static, str> {
        _rust_i18n_try_translate(self.code(), key).unwrap_or_else(|| Cow::Owned(key.to_owned()))
    }

    /// The string of `key` with `%{name}` placeholders replaced.
    pub fn tf(&self, key: &str, values: &[(&str, String)]) -> String {
        values
            .iter()
            .fold(self.t(key).into_owned(), |text, (name, value)| {
                text.replace(&format!("%{{{name}}}"), value)
            })
    }

    pub fn pick(self, id: &'static str, en: &'static str) -> &'static str {
        match self {
            PageLang::Id => id,
            PageLang::En => en,
        }
    }

    /// A state, a role, an action or any value of the core's vocabularies as people say it.
    pub fn label(&self, value: impl Labelled) -> &'static str {
        self.pick(value.label_id(), value.label_en())
    }

    pub fn role(&self, role: Role) -> &'static str {
        self.label(role)
    }

    // The labels below read a name written in a step's records (JSON), where the value
    // comes as text; a name they do not know is shown as it is.

    pub fn criticality(&self, name: &str) -> String {
        name.parse::<Criticality>()
            .map(|c| self.pick(c.label_id(), c.label_en()).to_owned())
            .unwrap_or_else(|_| name.to_owned())
    }

    pub fn visibility(&self, name: &str) -> String {
        name.parse::<Visibility>()
            .map(|v| self.pick(v.label_id(), v.label_en()).to_owned())
            .unwrap_or_else(|_| name.to_owned())
    }

    pub fn recommendation(&self, name: &str) -> String {
        name.parse::<Recommendation>()
            .map(|r| self.pick(r.label_id(), r.label_en()).to_owned())
            .unwrap_or_else(|_| name.to_owned())
    }

    pub fn validation_method(&self, name: &str) -> String {
        name.parse::<ValidationMethod>()
            .map(|m| self.pick(m.label_id(), m.label_en()).to_owned())
            .unwrap_or_else(|_| name.to_owned())
    }

    /// An event of the reporter's history ("Laporan divalidasi"), from the step's action
    /// and, for a validation, whether the report was valid.
    pub fn reporter_event(&self, event: &str, valid: &Option<bool>) -> String {
        let key = match (event, valid) {
            ("validate", Some(false)) => "track.event.rejected".to_owned(),
            (event, _) => format!("track.event.{event}"),
        };
        let label = self.t(&key);
        if label == key.as_str() {
            self.t("track.event.other").into_owned()
        } else {
            label.into_owned()
        }
    }

    /// A CVSS score's band (`critical`, …) as the report form's live score names it.
    pub fn cvss_band(&self, name: &str) -> String {
        let key = format!("report.cvss.band.{name}");
        let label = self.t(&key);
        if label == key.as_str() {
            name.to_owned()
        } else {
            label.into_owned()
        }
    }

    pub fn document(&self, name: &str) -> String {
        name.parse::<DocumentKind>()
            .map(|d| self.pick(d.label_id(), d.label_en()).to_owned())
            .unwrap_or_else(|_| name.to_owned())
    }

    /// A moment of a ticket's steps in short, in WIB: `10 Agu 09.00` (PUEBI), `10 Aug
    /// 09:00`; the full form is [`PageLang::wib`].
    pub fn short_wib(&self, at: &DateTime<Utc>) -> String {
        use chrono::{Datelike, Timelike};
        let wib = at.with_timezone(&sigap_core::calendar::WIB);
        let month = match self {
            PageLang::Id => sigap_core::calendar::month_name_id(wib.month()),
            PageLang::En => sigap_core::calendar::month_name_en(wib.month()),
        };
        let short: String = month.chars().take(3).collect();
        let (h, m) = (wib.hour(), wib.minute());
        match self {
            PageLang::Id => format!("{} {short} {h:02}.{m:02}", wib.day()),
            PageLang::En => format!("{} {short} {h:02}:{m:02}", wib.day()),
        }
    }

    /// A time in WIB (UTC+7) as a reader writes it: `Senin, 10 Agustus 2026 pukul 09.00
    /// WIB` (PUEBI: a full stop between hours and minutes), `Monday, 10 August 2026,
    /// 09:00 WIB`.
    pub fn wib(&self, at: &DateTime<Utc>) -> String {
        use chrono::{Datelike, Timelike};
        let wib = at.with_timezone(&sigap_core::calendar::WIB);
        let date = wib.date_naive();
        match self {
            PageLang::Id => format!(
                "{}, {} pukul {:02}.{:02} WIB",
                sigap_core::calendar::weekday_name_id(date),
                sigap_core::calendar::format_date_id(date),
                wib.hour(),
                wib.minute()
            ),
            PageLang::En => format!(
                "{}, {} {} {}, {:02}:{:02} WIB",
                sigap_core::calendar::weekday_name_en(date),
                date.day(),
                sigap_core::calendar::month_name_en(date.month()),
                date.year(),
                wib.hour(),
                wib.minute()
            ),
        }
    }

    /// A day written `YYYY-MM-DD` as a reader writes it: `10 Agustus 2026`, `10 August
    /// 2026`; text that is no day is returned as it is.
    pub fn date_text(&self, day: &str) -> String {
        use chrono::Datelike;
        let Ok(date) = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d") else {
            return day.to_owned();
        };
        match self {
            PageLang::Id => sigap_core::calendar::format_date_id(date),
            PageLang::En => format!(
                "{} {} {}",
                date.day(),
                sigap_core::calendar::month_name_en(date.month()),
                date.year()
            ),
        }
    }

    /// A whole number with its thousands marked as the language writes them: `20.000` in
    /// Indonesian, `20,000` in English.
    pub fn whole(&self, value: usize) -> String {
        let digits = value.to_string();
        let mark = match self {
            PageLang::Id => '.',
            PageLang::En => ',',
        };
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (index, digit) in digits.chars().enumerate() {
            if index > 0 && (digits.len() - index).is_multiple_of(3) {
                out.push(mark);
            }
            out.push(digit);
        }
        out
    }

    /// A decimal number with one digit after the point, as the language writes it:
    /// `7,5` in Indonesian, `7.5` in English.
    pub fn decimal(&self, value: f64) -> String {
        let text = format!("{value:.1}");
        match self {
            PageLang::Id => text.replace('.', ","),
            PageLang::En => text,
        }
    }
}

/// The language of a request: `?lang=`, else the cookie, else `Accept-Language`, else
/// Indonesian.
impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(lang) = query_lang(parts.uri.query()) {
            return Ok(lang);
        }
        if let Some(lang) =
            cookies::get(&parts.headers, LANG_COOKIE).and_then(|v| PageLang::parse(&v))
        {
            return Ok(lang);
        }
        let accept = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Ok(from_accept_language(accept))
    }
}

/// The `lang` query parameter, when it names a language.
pub fn query_lang(query: Option<&str>) -> Option<PageLang> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(name, _)| name == "lang")
        .and_then(|(_, value)| PageLang::parse(&value))
}

/// The first of Indonesian or English in the browser's preference order (by `q`).
fn from_accept_language(header: &str) -> PageLang {
    let mut best: Option<(f32, PageLang)> = None;
    for item in header.split(',') {
        let mut parts = item.trim().split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|v| v.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        let lang = match primary {
            "id" | "in" => PageLang::Id,
            "en" => PageLang::En,
            _ => continue,
        };
        if q > 0.0 && best.is_none_or(|(best_q, _)| q > best_q) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, lang)| lang).unwrap_or_default()
}

/// The keys of a catalogue: every line that starts a `key:` at column 0.
#[cfg(test)]
fn catalogue_keys(text: &str) -> std::collections::BTreeSet<String> {
    text.lines()
        .filter(|line| !line.starts_with([' ', '#', '-']) && !line.starts_with("_version"))
        .filter_map(|line| line.split_once(':').map(|(key, _)| key.trim().to_owned()))
        .filter(|key| !key.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/glossary.md`: the Indonesian catalogue and the documents (templates and the
    /// texts the app writes into them) use one term for each thing and no English word of
    /// the list. Identifiers (`retest_result`) and comments are not what a reader sees.
    #[test]
    fn glossary_terms_are_used_everywhere() {
        let sources: &[(&str, &str)] = &[
            ("locales/id.yml", CATALOGUE_ID),
            (
                "frame.typ",
                include_str!("../../../sigap-naskah/templates/frame.typ"),
            ),
            (
                "acknowledgement.typ",
                include_str!("../../../sigap-naskah/templates/acknowledgement.typ"),
            ),
            (
                "agency_report.typ",
                include_str!("../../../sigap-naskah/templates/agency_report.typ"),
            ),
            (
                "approval_reactivation.typ",
                include_str!("../../../sigap-naskah/templates/approval_reactivation.typ"),
            ),
            (
                "ba_criticality.typ",
                include_str!("../../../sigap-naskah/templates/ba_criticality.typ"),
            ),
            (
                "ba_review_meeting.typ",
                include_str!("../../../sigap-naskah/templates/ba_review_meeting.typ"),
            ),
            (
                "ba_validation.typ",
                include_str!("../../../sigap-naskah/templates/ba_validation.typ"),
            ),
            (
                "certificate.typ",
                include_str!("../../../sigap-naskah/templates/certificate.typ"),
            ),
            (
                "dossier.typ",
                include_str!("../../../sigap-naskah/templates/dossier.typ"),
            ),
            (
                "letter_follow_up.typ",
                include_str!("../../../sigap-naskah/templates/letter_follow_up.typ"),
            ),
            (
                "letter_notice.typ",
                include_str!("../../../sigap-naskah/templates/letter_notice.typ"),
            ),
            (
                "remediation_report.typ",
                include_str!("../../../sigap-naskah/templates/remediation_report.typ"),
            ),
            (
                "system_action.typ",
                include_str!("../../../sigap-naskah/templates/system_action.typ"),
            ),
            (
                "records.rs",
                include_str!("../../../sigap-naskah/src/body/records.rs"),
            ),
            (
                "bodies/mod.rs",
                include_str!("../../../sigap-app/src/documents/bodies/mod.rs"),
            ),
            (
                "bodies/minutes.rs",
                include_str!("../../../sigap-app/src/documents/bodies/minutes.rs"),
            ),
            (
                "bodies/letters.rs",
                include_str!("../../../sigap-app/src/documents/bodies/letters.rs"),
            ),
        ];
        let avoided = [
            "tingkat kritis",
            "help desk",
            "retest",
            "payload",
            "false positive",
            "unit kerja",
        ];
        for (name, text) in sources {
            for line in text.lines() {
                let trimmed = line.trim_start();
                if trimmed.starts_with("//") {
                    continue;
                }
                let lower = line.to_lowercase().replace("asn/unit kerja", "");
                for term in avoided {
                    assert!(
                        !contains_word(&lower, term),
                        "{name}: \"{term}\" in: {line}"
                    );
                }
            }
        }
    }

    /// Whether `term` occurs in `text` as words, not inside an identifier or a longer word.
    fn contains_word(text: &str, term: &str) -> bool {
        let word = |c: char| c.is_alphanumeric() || c == '_';
        text.match_indices(term).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + term.len()..].chars().next();
            !before.is_some_and(word) && !after.is_some_and(word)
        })
    }

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let id = catalogue_keys(CATALOGUE_ID);
        let en = catalogue_keys(CATALOGUE_EN);
        let only_id: Vec<_> = id.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&id).collect();
        assert!(only_id.is_empty(), "keys missing in en.yml: {only_id:?}");
        assert!(only_en.is_empty(), "keys missing in id.yml: {only_en:?}");
        for key in &id {
            assert_ne!(
                PageLang::Id.t(key),
                key.as_str(),
                "id.yml: `{key}` unreadable"
            );
            assert_ne!(
                PageLang::En.t(key),
                key.as_str(),
                "en.yml: `{key}` unreadable"
            );
        }
    }

    #[test]
    fn every_key_a_template_or_module_uses_is_in_the_catalogue() {
        let keys = catalogue_keys(CATALOGUE_ID);
        let dirs = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/src/pages"),
        ];
        let mut missing = Vec::new();
        let mut todo: Vec<std::path::PathBuf> = dirs.iter().map(Into::into).collect();
        while let Some(dir) = todo.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    todo.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(path).unwrap();
                for used in used_keys(&text) {
                    if !keys.contains(&used) {
                        missing.push(used);
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys not in the catalogues: {missing:?}"
        );
    }

    /// The literal keys passed to `t("…")` or `tf("…"`.
    fn used_keys(text: &str) -> Vec<String> {
        let mut keys = Vec::new();
        for marker in ["t(\"", "tf(\""] {
            let mut rest = text;
            while let Some(start) = rest.find(marker) {
                rest = &rest[start + marker.len()..];
                if let Some(end) = rest.find('"') {
                    let key = &rest[..end];
                    if key.contains('.') && !key.contains(['{', ' ']) {
                        keys.push(key.to_owned());
                    }
                }
            }
        }
        keys
    }

    #[test]
    fn accept_language_prefers_by_quality() {
        assert_eq!(
            from_accept_language("en-US,en;q=0.9,id;q=0.8"),
            PageLang::En
        );
        assert_eq!(
            from_accept_language("id-ID,id;q=0.9,en;q=0.5"),
            PageLang::Id
        );
        assert_eq!(from_accept_language("fr-FR, en;q=0.4"), PageLang::En);
        assert_eq!(from_accept_language("de"), PageLang::Id);
        assert_eq!(from_accept_language(""), PageLang::Id);
    }

    #[test]
    fn placeholders_are_filled() {
        assert!(
            PageLang::En
                .tf(
                    "report.evidence.hint",
                    &[("count", "3".into()), ("size", "10".into())]
                )
                .contains('3')
        );
    }
}
