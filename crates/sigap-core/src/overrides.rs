//! The settings an admin changes on the settings page (`PUT /api/v1/settings/*` and its
//! forms), checked before anything is written: the approval threshold and its window, the
//! holidays of the working calendar, and for the official documents the letterhead's text
//! and each kind's number pattern, signers and copies. All errors come at once, each named
//! after its field. (Whether a number pattern is well formed, and whether a logo decodes,
//! is for the document renderer to say.)

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::form::{Given, Lenient};

/// The approval rule as `PUT /api/v1/settings/approval` and the settings page send it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ApprovalRequest {
    /// 0-1000: reactivation needs the Regional Secretary above it.
    #[schema(value_type = u32)]
    pub threshold: Given,
    /// 1-3650; absent or null: every report counts.
    #[schema(value_type = Option<u32>)]
    pub window_days: Given,
}

/// One holiday of [`HolidaysRequest`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct HolidayRequest {
    /// `YYYY-MM-DD` (years 2000-2100).
    #[schema(value_type = String)]
    pub date: Given,
    #[schema(value_type = Option<String>)]
    pub name: Given,
}

/// The holidays as `PUT /api/v1/settings/holidays` and the settings page send them.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct HolidaysRequest {
    /// The whole list; it replaces the earlier one.
    #[schema(value_type = Vec<HolidayRequest>)]
    pub holidays: Lenient<Vec<HolidayRequest>>,
}

/// A signer of [`DocumentKindRequest`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SignerRequest {
    #[schema(value_type = String)]
    pub position: Given,
    #[schema(value_type = String)]
    pub name: Given,
    #[schema(value_type = Option<String>)]
    pub rank: Given,
    /// 18 digits.
    #[schema(value_type = Option<String>)]
    pub nip: Given,
    /// The e-mail of the sigap user who is this official and may sign from sigap.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    pub user: Given,
}

/// One document kind's settings as `PUT /api/v1/settings/documents/{kind}` and the
/// settings page send them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct DocumentKindRequest {
    /// With `{n}` (or `{seq}`, five digits) and `{year}`, optionally `{month}` or
    /// `{roman_month}`; absent or empty: the kind's default. Kinds with the same pattern
    /// share one agenda of running numbers.
    #[schema(value_type = Option<String>)]
    pub pattern: Given,
    /// At most 4; empty: the staff member who records the step signs.
    #[schema(value_type = Vec<SignerRequest>)]
    pub signers: Lenient<Vec<SignerRequest>>,
    #[schema(value_type = Option<SignerRequest>)]
    pub acknowledged_by: Lenient<SignerRequest>,
    #[schema(value_type = Vec<String>)]
    pub tembusan: Given,
}

/// The letterhead as `PUT /api/v1/settings/letterhead` and the settings page send it (the
/// page uploads the logo as a file instead of `logo_png`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct LetterheadRequest {
    /// The place of signing: `Batam`.
    #[schema(value_type = String)]
    pub place: Given,
    /// The letterhead's heading lines.
    #[schema(value_type = Vec<String>)]
    pub lines: Given,
    #[schema(value_type = String)]
    pub address: Given,
    /// A new logo: a PNG or JPEG of at most 2 MiB, as base64.
    #[schema(value_type = Option<String>)]
    pub logo_png: Given,
    /// Removes the logo (ignored when `logo_png` is given).
    #[schema(value_type = Option<bool>)]
    pub remove_logo: Given,
}

/// The approval rule: the Regional Secretary approves a reactivation when the agency's
/// valid reports exceed `threshold`, counting the last `window_days` days (`None`: all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    pub threshold: u32,
    pub window_days: Option<u32>,
}

/// A public holiday (a date in WIB) and its name (empty when not given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
}

/// An official who signs (or acknowledges) a document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signer {
    /// The position (*jabatan*), e.g. `Ketua Tim BATAM-CSIRT`.
    pub position: String,
    /// The full name with titles.
    pub name: String,
    /// The rank (*pangkat/golongan*), e.g. `Penata Tk. I (III/d)`.
    pub rank: Option<String>,
    /// The civil-servant number (*NIP*), 18 digits.
    pub nip: Option<String>,
    /// The e-mail of the sigap user who is this official: they alone may sign the kind's
    /// documents from sigap (a certified electronic signature). Not printed.
    #[serde(skip)]
    pub user: Option<String>,
}

/// The settings of one document kind, as the settings page changes them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KindOverride {
    /// `None`: the default pattern of the kind.
    pub pattern: Option<String>,
    /// Empty: the staff member who records the step signs.
    pub signers: Vec<Signer>,
    pub acknowledged_by: Option<Signer>,
    pub tembusan: Vec<String>,
}

/// The most holidays kept.
pub const MAX_HOLIDAYS: usize = 400;

/// A number field given as a JSON number or as digits, from `min` to `max`; `None` when
/// absent, null or empty.
pub(crate) fn number(
    given: &Value,
    field: &str,
    min: u32,
    max: u32,
) -> Result<Option<u32>, FieldError> {
    let refused = || {
        FieldError::new(
            field,
            format!("`{field}` must be a whole number from {min} to {max}"),
        )
    };
    let n = match given {
        Value::Null => return Ok(None),
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::String(s) => s.trim().parse::<u32>().map_err(|_| refused())?,
        Value::Number(n) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(refused)?,
        _ => return Err(refused()),
    };
    if !(min..=max).contains(&n) {
        return Err(refused());
    }
    Ok(Some(n))
}

impl TryFrom<&ApprovalRequest> for Approval {
    type Error = Vec<FieldError>;

    fn try_from(request: &ApprovalRequest) -> Result<Approval, Vec<FieldError>> {
        check_approval(&request.threshold, &request.window_days)
    }
}

/// Checks the fields `threshold` and `window_days` of the approval rule.
fn check_approval(threshold: &Value, window_days: &Value) -> Result<Approval, Vec<FieldError>> {
    let mut errors = Vec::new();
    let threshold = match number(threshold, "threshold", 0, 1000) {
        Ok(Some(n)) => Some(n),
        Ok(None) => {
            errors.push(FieldError::new("threshold", "`threshold` is required"));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let window_days = match number(window_days, "window_days", 0, 3650) {
        Ok(Some(0)) => {
            errors.push(FieldError::new(
                "window_days",
                "`window_days` is at least 1, or empty to count every report",
            ));
            None
        }
        Ok(days) => days,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    match threshold {
        Some(threshold) if errors.is_empty() => Ok(Approval {
            threshold,
            window_days,
        }),
        _ => Err(errors),
    }
}

/// Checks the holidays: dates `YYYY-MM-DD` between 2000 and 2100, names of at most 200
/// characters; the list comes back in date order without repeats.
pub fn check_holidays(request: &HolidaysRequest) -> Result<Vec<Holiday>, Vec<FieldError>> {
    let Some(list) = request.holidays.fits() else {
        return Err(vec![FieldError::new(
            "holidays",
            "`holidays` must be a list of {date, name}",
        )]);
    };
    if list.len() > MAX_HOLIDAYS {
        return Err(vec![FieldError::new(
            "holidays",
            format!("at most {MAX_HOLIDAYS} holidays"),
        )]);
    }
    let mut errors = Vec::new();
    let mut holidays: Vec<Holiday> = Vec::new();
    for (index, item) in list.iter().enumerate() {
        let at = index + 1;
        let date = item.date.as_str().unwrap_or("").trim();
        let name = item.name.as_str().unwrap_or("").trim();
        let parsed = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .ok()
            .filter(|d| (2000..=2100).contains(&chrono::Datelike::year(d)));
        let Some(date) = parsed else {
            errors.push(FieldError::new(
                "holidays",
                format!("holiday {at}: `{date}` is not a date YYYY-MM-DD between 2000 and 2100"),
            ));
            continue;
        };
        if name.chars().count() > 200 || name.chars().any(char::is_control) {
            errors.push(FieldError::new(
                "holidays",
                format!("holiday {at}: the name is one line of at most 200 characters"),
            ));
            continue;
        }
        match holidays.iter_mut().find(|h| h.date == date) {
            Some(known) if known.name.is_empty() => known.name = name.to_owned(),
            Some(_) => {}
            None => holidays.push(Holiday {
                date,
                name: name.to_owned(),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    holidays.sort_by_key(|h| h.date);
    Ok(holidays)
}

/// One line of text, trimmed; `None` when empty. Control characters are refused.
fn line(given: &Value, field: &str, max: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    let text = match given {
        Value::Null => "",
        Value::String(s) => s.trim(),
        _ => {
            errors.push(FieldError::new(field, format!("`{field}` must be text")));
            return None;
        }
    };
    if text.chars().count() > max || text.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            format!("`{field}` is one line of at most {max} characters"),
        ));
        return None;
    }
    (!text.is_empty()).then(|| text.to_owned())
}

/// A list of lines; each is checked like [`line`], empty ones are dropped.
fn lines(given: &Value, field: &str, max: usize, errors: &mut Vec<FieldError>) -> Vec<String> {
    let items = match given {
        Value::Null => return Vec::new(),
        Value::Array(items) => items,
        _ => {
            errors.push(FieldError::new(
                field,
                format!("`{field}` must be a list of text"),
            ));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let text = item.as_str().map(str::trim).unwrap_or("");
        if !item.is_string() || text.chars().count() > max || text.chars().any(char::is_control) {
            errors.push(FieldError::new(
                field,
                format!(
                    "line {}: one line of text of at most {max} characters",
                    index + 1
                ),
            ));
        } else if !text.is_empty() {
            out.push(text.to_owned());
        }
    }
    if out.len() > 20 {
        errors.push(FieldError::new(field, "at most 20 lines"));
    }
    out
}

/// A signer `{position, name, rank?, nip?}`; `what` names it in messages.
fn signer(
    item: &SignerRequest,
    named: &str,
    what: &str,
    errors: &mut Vec<FieldError>,
) -> Option<Signer> {
    let mut own = Vec::new();
    let position = line(&item.position, "position", 200, &mut own);
    let name = line(&item.name, "name", 200, &mut own);
    let rank = line(&item.rank, "rank", 100, &mut own);
    let nip = line(&item.nip, "nip", 30, &mut own);
    let user = line(&item.user, "user", 254, &mut own).map(|u| u.to_lowercase());
    if let Some(user) = &user
        && crate::Email::parse(user).is_err()
    {
        own.push(FieldError::new("user", "the user is a sigap user's e-mail"));
    }
    if let Some(nip) = &nip {
        let digits: String = nip.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 18 || !digits.chars().all(|c| c.is_ascii_digit()) {
            own.push(FieldError::new("nip", "the NIP has 18 digits"));
        }
    }
    if position.is_none() {
        own.push(FieldError::new(
            "position",
            "the position (jabatan) is required",
        ));
    }
    if name.is_none() {
        own.push(FieldError::new("name", "the name is required"));
    }
    if !own.is_empty() {
        errors.extend(
            own.into_iter()
                .map(|e| FieldError::new(named, format!("{what}: {}", e.message))),
        );
        return None;
    }
    Some(Signer {
        position: position.unwrap_or_default(),
        name: name.unwrap_or_default(),
        rank,
        nip,
        user,
    })
}

impl TryFrom<&DocumentKindRequest> for KindOverride {
    type Error = Vec<FieldError>;

    fn try_from(request: &DocumentKindRequest) -> Result<KindOverride, Vec<FieldError>> {
        check_kind(request)
    }
}

/// Checks the settings of one kind: `pattern?`, `signers: [...]`, `acknowledged_by?` and
/// `tembusan: [...]`.
fn check_kind(body: &DocumentKindRequest) -> Result<KindOverride, Vec<FieldError>> {
    let mut errors = Vec::new();
    let pattern = line(&body.pattern, "pattern", 100, &mut errors);
    let mut signers = Vec::new();
    match &body.signers {
        Lenient::Absent => {}
        Lenient::Fits(items) if items.len() <= 4 => {
            for (index, item) in items.iter().enumerate() {
                let what = format!("signer {}", index + 1);
                if let Some(s) = signer(item, "signers", &what, &mut errors) {
                    signers.push(s);
                }
            }
        }
        _ => errors.push(FieldError::new(
            "signers",
            "`signers` is a list of at most 4 signers",
        )),
    }
    let acknowledged_by = match &body.acknowledged_by {
        Lenient::Absent => None,
        Lenient::Fits(item) => signer(item, "acknowledged_by", "Mengetahui", &mut errors),
        Lenient::Wrong => {
            errors.push(FieldError::new(
                "acknowledged_by",
                "`acknowledged_by` is a signer {position, name, rank?, nip?}",
            ));
            None
        }
    };
    let tembusan = lines(&body.tembusan, "tembusan", 200, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(KindOverride {
        pattern,
        signers,
        acknowledged_by,
        tembusan,
    })
}

/// The letterhead of `{place, lines: [...], address, remove_logo?}`; `logo` is an uploaded
/// image that replaces the logo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterheadChange {
    pub place: String,
    pub lines: Vec<String>,
    pub address: String,
    /// `None` keeps the logo; `Some(None)` removes it; `Some(Some(bytes))` replaces it.
    pub logo: Option<Option<Vec<u8>>>,
}

/// Checks `place`, `lines: [...]`, `address` and `remove_logo?`, and an uploaded `logo`
/// (`logo_png` decoded, or a file), which `check_logo` accepts or refuses (the decoding
/// limits belong to the renderer).
pub fn check_letterhead(
    body: &LetterheadRequest,
    logo: Option<Vec<u8>>,
    check_logo: impl FnOnce(&[u8]) -> Result<(), String>,
) -> Result<LetterheadChange, Vec<FieldError>> {
    let mut errors = Vec::new();
    let place = line(&body.place, "place", 100, &mut errors);
    let head = lines(&body.lines, "lines", 200, &mut errors);
    let address = line(&body.address, "address", 300, &mut errors);
    if place.is_none() && !errors.iter().any(|e| e.field == "place") {
        errors.push(FieldError::new("place", "the place of signing is required"));
    }
    if head.is_empty() && !errors.iter().any(|e| e.field == "lines") {
        errors.push(FieldError::new(
            "lines",
            "the letterhead needs at least one line",
        ));
    }
    if address.is_none() && !errors.iter().any(|e| e.field == "address") {
        errors.push(FieldError::new("address", "the address is required"));
    }
    let remove = matches!(body.remove_logo.0, Value::Bool(true))
        || matches!(body.remove_logo.as_str(), Some("1" | "true" | "on"));
    let logo = match logo {
        Some(bytes) => match check_logo(&bytes) {
            Ok(()) => Some(Some(bytes)),
            Err(e) => {
                errors.push(FieldError::new("logo", format!("the logo {e}")));
                None
            }
        },
        None if remove => Some(None),
        None => None,
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(LetterheadChange {
        place: place.unwrap_or_default(),
        lines: head,
        address: address.unwrap_or_default(),
        logo,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read<T: serde::de::DeserializeOwned>(body: &Value) -> T {
        crate::form::request(body).unwrap()
    }

    fn approval(body: &Value) -> Result<Approval, Vec<FieldError>> {
        Approval::try_from(&read::<ApprovalRequest>(body))
    }

    fn holidays(body: &Value) -> Result<Vec<Holiday>, Vec<FieldError>> {
        check_holidays(&read(body))
    }

    fn kind(body: &Value) -> Result<KindOverride, Vec<FieldError>> {
        KindOverride::try_from(&read::<DocumentKindRequest>(body))
    }

    fn letterhead(
        body: &Value,
        logo: Option<Vec<u8>>,
        check_logo: impl FnOnce(&[u8]) -> Result<(), String>,
    ) -> Result<LetterheadChange, Vec<FieldError>> {
        check_letterhead(&read(body), logo, check_logo)
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn approval_numbers_are_read_from_digits_or_numbers() {
        let a = approval(&json!({"threshold": "5", "window_days": ""})).unwrap();
        assert_eq!(
            a,
            Approval {
                threshold: 5,
                window_days: None
            }
        );
        let a = approval(&json!({"threshold": 2, "window_days": 365})).unwrap();
        assert_eq!(a.window_days, Some(365));
        let errors = approval(&json!({"threshold": "-1", "window_days": "0"})).unwrap_err();
        assert_eq!(fields(&errors), ["threshold", "window_days"]);
    }

    #[test]
    fn holidays_are_sorted_without_repeats_and_bad_dates_named() {
        let list = holidays(&json!({"holidays": [
            {"date": "2026-12-25", "name": "Hari Raya Natal"},
            {"date": "2026-08-17"},
            {"date": "2026-12-25"},
        ]}))
        .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].date.to_string(), "2026-08-17");
        assert_eq!(list[1].name, "Hari Raya Natal");
        let errors =
            holidays(&json!({"holidays": [{"date": "2026-02-30"}, {"date": "1999-01-01"}]}))
                .unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(
            errors[0].message.contains("holiday 1"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn signers_need_position_and_name_and_an_eighteen_digit_nip() {
        let errors = kind(&json!({
            "signers": [{"position": "Ketua Tim", "name": "", "nip": "123"}],
            "acknowledged_by": {"position": "", "name": "Budi"},
        }))
        .unwrap_err();
        let text: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        assert!(
            text.iter()
                .any(|t| t.starts_with("signers: signer 1") && t.contains("NIP")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("signers: signer 1") && t.contains("name")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("acknowledged_by") && t.contains("position")),
            "{text:?}"
        );
        let ok = kind(&json!({
            "pattern": "000.6/{n}/Diskominfo/{year} ",
            "signers": [{"position": "Kepala Dinas", "name": "Dr. A", "nip": "198001012005011001"}],
            "tembusan": ["Wali Kota Batam", ""],
        }))
        .unwrap();
        assert_eq!(ok.pattern.as_deref(), Some("000.6/{n}/Diskominfo/{year}"));
        assert_eq!(ok.tembusan, ["Wali Kota Batam"]);
    }

    #[test]
    fn a_field_of_the_wrong_shape_is_named_with_the_others() {
        let errors = kind(&json!({
            "pattern": 7, "signers": "Kepala Dinas", "acknowledged_by": 5, "tembusan": "Wali Kota",
        }))
        .unwrap_err();
        assert_eq!(
            fields(&errors),
            ["pattern", "signers", "acknowledged_by", "tembusan"]
        );
        let errors =
            holidays(&json!({"holidays": [{"date": "2026-08-17"}, "17 Agustus"]})).unwrap_err();
        assert_eq!(fields(&errors), ["holidays"]);
        let errors = approval(&json!({"threshold": [3], "window_days": true})).unwrap_err();
        assert_eq!(fields(&errors), ["threshold", "window_days"]);
    }

    #[test]
    fn a_letterhead_needs_its_text_and_a_logo_the_checker_accepts() {
        let body =
            json!({"place": "Batam", "lines": ["PEMERINTAH KOTA BATAM"], "address": "Jl. 1"});
        let png = |bytes: &[u8]| {
            if bytes.starts_with(b"\x89PNG") {
                Ok(())
            } else {
                Err("must be a PNG".to_owned())
            }
        };
        let kept = letterhead(&body, None, png).unwrap();
        assert_eq!((kept.place.as_str(), kept.logo), ("Batam", None));
        let logo = b"\x89PNG".to_vec();
        let replaced = letterhead(&body, Some(logo.clone()), png).unwrap();
        assert_eq!(replaced.logo, Some(Some(logo)));
        let errors = letterhead(&json!({"remove_logo": "on"}), Some(vec![0]), png).unwrap_err();
        assert_eq!(fields(&errors), ["place", "lines", "address", "logo"]);
        let mut removed = body.clone();
        removed["remove_logo"] = json!(true);
        assert_eq!(letterhead(&removed, None, png).unwrap().logo, Some(None));
    }
}
