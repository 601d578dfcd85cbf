//! The settings an admin changes on the admin pages, over those the binary read at start:
//! the "> N reports" approval threshold and its window, the holidays of the working
//! calendar, and the official documents' letterhead, signers, number patterns and copies.
//!
//! Each changed section is one JSON row of the `settings` table, written in one audited
//! transaction that also raises the settings revision. Every instance keeps the rules it
//! built and, where a use case needs the settings (a step, a new report, a document, the
//! approvals), reads the revision first and builds the rules anew when another instance
//! (or itself) changed them: so several instances on one database apply the same settings
//! from the change on. A reset forgets the row, and the value read at start applies again.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sigap_core::{DocumentKind, FieldError, Role, WorkingCalendar};
use sigap_docs::Signer;
use sigap_store::{SettingRow, Tx};

use crate::auth::Caller;
use crate::document_settings::{DocumentSettings, KindSettings};
use crate::{App, AppError, AppResult, Rules, from_millis, millis, registry};

/// The sections an admin may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The approval threshold and its window.
    Approval,
    /// The holidays of the working calendar.
    Holidays,
    /// The official documents' settings.
    Documents,
}

impl Section {
    pub const ALL: &'static [Section] = &[Section::Approval, Section::Holidays, Section::Documents];

    pub fn as_str(self) -> &'static str {
        match self {
            Section::Approval => "approval",
            Section::Holidays => "holidays",
            Section::Documents => "documents",
        }
    }

    pub fn parse(name: &str) -> Option<Section> {
        Section::ALL.iter().copied().find(|s| s.as_str() == name)
    }
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
    #[serde(default)]
    pub name: String,
}

/// Who changed a section, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub at: DateTime<Utc>,
    pub by: String,
}

/// The settings in force: the rules with the admins' changes applied, the named holidays,
/// and for each section who changed it (`None`: as read at start).
#[derive(Debug, Clone)]
pub struct Effective {
    pub revision: i64,
    pub rules: Arc<Rules>,
    pub holidays: Vec<Holiday>,
    pub approval_changed: Option<Changed>,
    pub holidays_changed: Option<Changed>,
    pub documents_changed: Option<Changed>,
}

impl Effective {
    /// Who changed `section`, if it was changed.
    pub fn changed(&self, section: Section) -> Option<&Changed> {
        match section {
            Section::Approval => self.approval_changed.as_ref(),
            Section::Holidays => self.holidays_changed.as_ref(),
            Section::Documents => self.documents_changed.as_ref(),
        }
    }
}

/// The rules read at start and the settings in force built from them, shared by the clones
/// of one [`App`].
#[derive(Debug)]
pub struct Live {
    base: Arc<Rules>,
    current: Mutex<Option<Arc<Effective>>>,
}

impl Live {
    pub fn new(base: Arc<Rules>) -> Live {
        Live {
            base,
            current: Mutex::new(None),
        }
    }

    fn cached(&self, revision: i64) -> Option<Arc<Effective>> {
        let current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        current.as_ref().filter(|e| e.revision == revision).cloned()
    }

    fn keep(&self, effective: Arc<Effective>) {
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        *current = Some(effective);
    }
}

impl App {
    /// The settings in force now: the cached ones when the revision has not moved.
    pub async fn effective(&self) -> AppResult<Arc<Effective>> {
        let revision = self.store.settings_revision().await?;
        if let Some(effective) = self.settings.cached(revision) {
            return Ok(effective);
        }
        let rows = self.store.list_settings().await?;
        let effective = Arc::new(build(&self.settings.base, revision, &rows));
        self.settings.keep(Arc::clone(&effective));
        Ok(effective)
    }

    /// This app with the settings in force now as its rules. Use cases that apply the
    /// settings an admin may change start with it.
    pub async fn current(&self) -> AppResult<App> {
        let effective = self.effective().await?;
        Ok(App {
            rules: Arc::clone(&effective.rules),
            ..self.clone()
        })
    }
}

/// The rules of `base` with the changed sections of `rows` applied. A row that cannot be
/// read (which a check on writing prevents) is skipped with a warning: the start value
/// applies.
fn build(base: &Arc<Rules>, revision: i64, rows: &[SettingRow]) -> Effective {
    let mut rules = Rules::clone(base);
    let mut holidays: Vec<Holiday> = base
        .calendar
        .holidays()
        .map(|date| Holiday {
            date,
            name: String::new(),
        })
        .collect();
    let mut effective = Effective {
        revision,
        rules: Arc::clone(base),
        holidays: Vec::new(),
        approval_changed: None,
        holidays_changed: None,
        documents_changed: None,
    };
    for row in rows {
        let changed = Some(Changed {
            at: from_millis(row.updated_at),
            by: row.updated_by.clone(),
        });
        let value: Value = match serde_json::from_str(&row.value) {
            Ok(value) => value,
            Err(e) => {
                tracing::warn!(section = %row.name, error = %e, "stored settings are not JSON");
                continue;
            }
        };
        let applied = match Section::parse(&row.name) {
            Some(Section::Approval) => serde_json::from_value::<Approval>(value)
                .map_err(|e| e.to_string())
                .map(|approval| {
                    rules.approval_threshold = approval.threshold;
                    rules.approval_window_days = approval.window_days;
                    effective.approval_changed = changed;
                }),
            Some(Section::Holidays) => serde_json::from_value::<Vec<Holiday>>(value)
                .map_err(|e| e.to_string())
                .map(|list| {
                    rules.calendar = WorkingCalendar::new(list.iter().map(|h| h.date));
                    holidays = list;
                    effective.holidays_changed = changed;
                }),
            Some(Section::Documents) => DocumentSettings::from_json(&value).map(|documents| {
                rules.documents = Arc::new(documents);
                effective.documents_changed = changed;
            }),
            None => Err("not a section of the settings".to_owned()),
        };
        if let Err(e) = applied {
            tracing::warn!(section = %row.name, error = %e, "stored settings skipped");
        }
    }
    effective.rules = Arc::new(rules);
    effective.holidays = holidays;
    effective
}

/// The settings in force, for the settings page: admins and auditors.
pub async fn view(app: &App, caller: &Caller) -> AppResult<Arc<Effective>> {
    let result = try_view(app, caller).await;
    if let Err(e) = &result {
        crate::actions::audit_refused(app, caller, "settings_read", None, e, None).await;
    }
    result
}

async fn try_view(app: &App, caller: &Caller) -> AppResult<Arc<Effective>> {
    caller.require(crate::admin::ADMIN_READERS, "read the settings")?;
    app.effective().await
}

/// The most holidays kept.
const MAX_HOLIDAYS: usize = 400;

/// A number field given as a JSON number or as digits; `None` when absent, null or empty.
fn number(body: &Value, field: &str, max: u32) -> Result<Option<u32>, FieldError> {
    let refused = || {
        FieldError::new(
            field,
            format!("`{field}` must be a whole number from 0 to {max}"),
        )
    };
    let n = match body.get(field) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(Value::String(s)) => s.trim().parse::<u32>().map_err(|_| refused())?,
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(refused)?,
        Some(_) => return Err(refused()),
    };
    if n > max {
        return Err(refused());
    }
    Ok(Some(n))
}

/// Checks `{threshold, window_days}`.
pub fn check_approval(body: &Value) -> AppResult<Approval> {
    let mut errors = Vec::new();
    let threshold = match number(body, "threshold", 1000) {
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
    let window_days = match number(body, "window_days", 3650) {
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
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Checks `{holidays: [{date, name?}]}`: dates `YYYY-MM-DD` between 2000 and 2100, names of
/// at most 200 characters; the list comes back in date order without repeats.
pub fn check_holidays(body: &Value) -> AppResult<Vec<Holiday>> {
    let Some(list) = body.get("holidays").and_then(Value::as_array) else {
        return Err(AppError::invalid(
            "holidays",
            "`holidays` must be a list of {date, name}",
        ));
    };
    if list.len() > MAX_HOLIDAYS {
        return Err(AppError::invalid(
            "holidays",
            format!("at most {MAX_HOLIDAYS} holidays"),
        ));
    }
    let mut errors = Vec::new();
    let mut holidays: Vec<Holiday> = Vec::new();
    for (index, item) in list.iter().enumerate() {
        let at = index + 1;
        let date = item
            .get("date")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim();
        let name = item
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim();
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
        return Err(AppError::Invalid(errors));
    }
    holidays.sort_by_key(|h| h.date);
    Ok(holidays)
}

/// One line of text, trimmed; `None` when empty. Control characters are refused.
fn line(body: &Value, field: &str, max: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    let text = match body.get(field) {
        None | Some(Value::Null) => "",
        Some(Value::String(s)) => s.trim(),
        Some(_) => {
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
fn lines(body: &Value, field: &str, max: usize, errors: &mut Vec<FieldError>) -> Vec<String> {
    let items = match body.get(field) {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
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
fn signer(item: &Value, field: &str, what: &str, errors: &mut Vec<FieldError>) -> Option<Signer> {
    let mut own = Vec::new();
    let position = line(item, "position", 200, &mut own);
    let name = line(item, "name", 200, &mut own);
    let rank = line(item, "rank", 100, &mut own);
    let nip = line(item, "nip", 30, &mut own);
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
                .map(|e| FieldError::new(field, format!("{what}: {}", e.message))),
        );
        return None;
    }
    Some(Signer {
        position: position.unwrap_or_default(),
        name: name.unwrap_or_default(),
        rank,
        nip,
    })
}

/// Checks `{pattern?, signers: [...], acknowledged_by?, tembusan: [...]}` for one kind.
pub fn check_kind(body: &Value) -> AppResult<KindSettings> {
    let mut errors = Vec::new();
    let pattern = line(body, "pattern", 100, &mut errors);
    let mut signers = Vec::new();
    match body.get("signers") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) if items.len() <= 4 => {
            for (index, item) in items.iter().enumerate() {
                let what = format!("signer {}", index + 1);
                if let Some(s) = signer(item, "signers", &what, &mut errors) {
                    signers.push(s);
                }
            }
        }
        Some(_) => errors.push(FieldError::new(
            "signers",
            "`signers` is a list of at most 4 signers",
        )),
    }
    let acknowledged_by = match body.get("acknowledged_by") {
        None | Some(Value::Null) => None,
        Some(item) => signer(item, "acknowledged_by", "Mengetahui", &mut errors),
    };
    let tembusan = lines(body, "tembusan", 200, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(KindSettings {
        pattern,
        signers,
        acknowledged_by,
        tembusan,
    })
}

/// The letterhead of `{place, lines: [...], address, remove_logo?}`; `logo` is an uploaded
/// image that replaces the logo.
pub struct LetterheadChange {
    pub place: String,
    pub lines: Vec<String>,
    pub address: String,
    /// `None` keeps the logo; `Some(None)` removes it; `Some(Some(bytes))` replaces it.
    pub logo: Option<Option<Vec<u8>>>,
}

pub fn check_letterhead(body: &Value, logo: Option<Vec<u8>>) -> AppResult<LetterheadChange> {
    let mut errors = Vec::new();
    let place = line(body, "place", 100, &mut errors);
    let head = lines(body, "lines", 200, &mut errors);
    let address = line(body, "address", 300, &mut errors);
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
    let remove = matches!(body.get("remove_logo"), Some(Value::Bool(true)))
        || matches!(
            body.get("remove_logo").and_then(Value::as_str),
            Some("1" | "true" | "on")
        );
    let logo = match logo {
        Some(bytes) => match crate::document_settings::check_logo(&bytes) {
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
        return Err(AppError::Invalid(errors));
    }
    Ok(LetterheadChange {
        place: place.unwrap_or_default(),
        lines: head,
        address: address.unwrap_or_default(),
        logo,
    })
}

/// Opens the transaction of a change: only admins, the revision raised (which on
/// PostgreSQL also keeps other changes of the settings waiting until this one ends).
async fn begin(app: &App, caller: &Caller) -> AppResult<(Tx, i64)> {
    caller.require(&[Role::Admin], "change the settings")?;
    let mut tx = app.store.begin().await?;
    let revision = tx.next_settings_revision().await?;
    Ok((tx, revision))
}

/// Writes `value` as `section`, audits the change and commits.
async fn write(
    app: &App,
    caller: &Caller,
    mut tx: Tx,
    revision: i64,
    section: Section,
    value: Value,
    details: Value,
) -> AppResult<()> {
    let now = millis(app.now());
    tx.put_setting(&SettingRow {
        name: section.as_str().to_owned(),
        value: value.to_string(),
        revision,
        updated_at: now,
        updated_by: caller.email.clone(),
    })
    .await?;
    let action = format!("settings_{}", section.as_str());
    registry::audit(&mut tx, caller, &action, now, details).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the approval threshold and window from `{threshold, window_days}`.
pub async fn set_approval(app: &App, caller: &Caller, body: &Value) -> AppResult<Approval> {
    let result = try_set_approval(app, caller, body).await;
    if let Err(e) = &result {
        crate::actions::audit_refused(app, caller, "settings_approval", None, e, None).await;
    }
    result
}

async fn try_set_approval(app: &App, caller: &Caller, body: &Value) -> AppResult<Approval> {
    caller.require(&[Role::Admin], "change the settings")?;
    let approval = check_approval(body)?;
    let (tx, revision) = begin(app, caller).await?;
    let value = serde_json::to_value(approval).map_err(|e| AppError::Internal(e.to_string()))?;
    write(
        app,
        caller,
        tx,
        revision,
        Section::Approval,
        value.clone(),
        value,
    )
    .await?;
    Ok(approval)
}

/// Sets the holidays of the working calendar from `{holidays: [{date, name?}]}`; they
/// replace those read at start.
pub async fn set_holidays(app: &App, caller: &Caller, body: &Value) -> AppResult<Vec<Holiday>> {
    let result = try_set_holidays(app, caller, body).await;
    if let Err(e) = &result {
        crate::actions::audit_refused(app, caller, "settings_holidays", None, e, None).await;
    }
    result
}

async fn try_set_holidays(app: &App, caller: &Caller, body: &Value) -> AppResult<Vec<Holiday>> {
    caller.require(&[Role::Admin], "change the settings")?;
    let holidays = check_holidays(body)?;
    let (tx, revision) = begin(app, caller).await?;
    let value = serde_json::to_value(&holidays).map_err(|e| AppError::Internal(e.to_string()))?;
    let details = json!({"holidays": holidays.len()});
    write(app, caller, tx, revision, Section::Holidays, value, details).await?;
    Ok(holidays)
}

/// The document settings in force inside `tx`: the changed ones, else those read at start.
async fn documents_in(app: &App, tx: &mut Tx) -> AppResult<DocumentSettings> {
    match tx.get_setting(Section::Documents.as_str()).await? {
        Some(row) => {
            let value: Value = serde_json::from_str(&row.value)
                .map_err(|e| AppError::Internal(format!("stored document settings: {e}")))?;
            DocumentSettings::from_json(&value)
                .map_err(|e| AppError::Internal(format!("stored document settings: {e}")))
        }
        None => Ok(DocumentSettings::clone(&app.settings.base.documents)),
    }
}

/// Changes the document settings in force as `change` says, in one transaction: read
/// inside it (so two changes of different kinds do not undo each other), changed, checked,
/// written and audited with `details`.
async fn change_documents(
    app: &App,
    caller: &Caller,
    details: Value,
    change: impl FnOnce(DocumentSettings) -> AppResult<DocumentSettings>,
) -> AppResult<()> {
    let (mut tx, revision) = begin(app, caller).await?;
    let changed = change(documents_in(app, &mut tx).await?)?;
    let value = changed.to_json();
    write(
        app,
        caller,
        tx,
        revision,
        Section::Documents,
        value,
        details,
    )
    .await
}

/// Sets the place of signing and the letterhead (lines, address, logo) of every document.
pub async fn set_letterhead(app: &App, caller: &Caller, change: LetterheadChange) -> AppResult<()> {
    let result = try_set_letterhead(app, caller, change).await;
    if let Err(e) = &result {
        crate::actions::audit_refused(app, caller, "settings_letterhead", None, e, None).await;
    }
    result
}

async fn try_set_letterhead(app: &App, caller: &Caller, change: LetterheadChange) -> AppResult<()> {
    let logo = match &change.logo {
        None => "kept",
        Some(None) => "removed",
        Some(Some(_)) => "replaced",
    };
    let details = json!({
        "part": "letterhead",
        "place": change.place,
        "lines": change.lines,
        "address": change.address,
        "logo": logo,
    });
    change_documents(app, caller, details, |documents| {
        documents
            .with_letterhead(change.place, change.lines, change.address, change.logo)
            .map_err(|e| AppError::invalid("lines", e))
    })
    .await
}

/// Sets the number pattern, signers, "Mengetahui" signer and copies of the documents of
/// `kind` from the body [`check_kind`] reads. A pattern another kind uses is refused.
pub async fn set_document_kind(
    app: &App,
    caller: &Caller,
    kind: &str,
    body: &Value,
) -> AppResult<()> {
    let result = try_set_document_kind(app, caller, kind, body).await;
    if let Err(e) = &result {
        crate::actions::audit_refused(app, caller, "settings_document", None, e, None).await;
    }
    result
}

async fn try_set_document_kind(
    app: &App,
    caller: &Caller,
    kind: &str,
    body: &Value,
) -> AppResult<()> {
    caller.require(&[Role::Admin], "change the settings")?;
    let kind: DocumentKind = kind
        .parse()
        .map_err(|_| AppError::NotFound(format!("document kind `{kind}`")))?;
    let new = check_kind(body)?;
    let mut details = body.clone();
    if let Some(map) = details.as_object_mut() {
        map.insert("part".to_owned(), json!(kind.as_str()));
    }
    change_documents(app, caller, details, |documents| {
        documents
            .with_kind(kind, new)
            .map_err(|e| AppError::invalid("pattern", e))
    })
    .await
}

/// Forgets the changes of `section`: the settings read at start apply again.
pub async fn reset(app: &App, caller: &Caller, section: &str) -> AppResult<()> {
    let result = try_reset(app, caller, section).await;
    if let Err(e) = &result {
        crate::actions::audit_refused(app, caller, "settings_reset", None, e, None).await;
    }
    result
}

async fn try_reset(app: &App, caller: &Caller, section: &str) -> AppResult<()> {
    caller.require(&[Role::Admin], "change the settings")?;
    let section = Section::parse(section)
        .ok_or_else(|| AppError::NotFound(format!("settings `{section}`")))?;
    let (mut tx, _) = begin(app, caller).await?;
    if !tx.delete_setting(section.as_str()).await? {
        return Err(AppError::Conflict(format!(
            "the settings `{}` are already those read at start",
            section.as_str()
        )));
    }
    let now = millis(app.now());
    let action = format!("settings_{}", section.as_str());
    registry::audit(&mut tx, caller, &action, now, json!({"reset": true})).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approval_numbers_are_read_from_digits_or_numbers() {
        let a = check_approval(&json!({"threshold": "5", "window_days": ""})).unwrap();
        assert_eq!(
            a,
            Approval {
                threshold: 5,
                window_days: None
            }
        );
        let a = check_approval(&json!({"threshold": 2, "window_days": 365})).unwrap();
        assert_eq!(a.window_days, Some(365));
        let Err(AppError::Invalid(errors)) =
            check_approval(&json!({"threshold": "-1", "window_days": "0"}))
        else {
            panic!("refused");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["threshold", "window_days"]);
    }

    #[test]
    fn holidays_are_sorted_without_repeats_and_bad_dates_named() {
        let list = check_holidays(&json!({"holidays": [
            {"date": "2026-12-25", "name": "Hari Raya Natal"},
            {"date": "2026-08-17"},
            {"date": "2026-12-25"},
        ]}))
        .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].date.to_string(), "2026-08-17");
        assert_eq!(list[1].name, "Hari Raya Natal");
        let Err(AppError::Invalid(errors)) =
            check_holidays(&json!({"holidays": [{"date": "2026-02-30"}, {"date": "1999-01-01"}]}))
        else {
            panic!("refused");
        };
        assert_eq!(errors.len(), 2);
        assert!(
            errors[0].message.contains("holiday 1"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn signers_need_position_and_name_and_an_eighteen_digit_nip() {
        let Err(AppError::Invalid(errors)) = check_kind(&json!({
            "signers": [{"position": "Ketua Tim", "name": "", "nip": "123"}],
            "acknowledged_by": {"position": "", "name": "Budi"},
        })) else {
            panic!("refused");
        };
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
        let ok = check_kind(&json!({
            "pattern": " 800/{seq}/KOMINFO/{year} ",
            "signers": [{"position": "Kepala Dinas", "name": "Dr. A", "nip": "198001012005011001"}],
            "tembusan": ["Wali Kota Batam", ""],
        }))
        .unwrap();
        assert_eq!(ok.pattern.as_deref(), Some("800/{seq}/KOMINFO/{year}"));
        assert_eq!(ok.tembusan, ["Wali Kota Batam"]);
    }

    #[test]
    fn a_changed_section_overrides_the_start_value_and_a_bad_row_is_skipped() {
        let base = Arc::new(Rules::default());
        let row = |name: &str, value: Value, revision| SettingRow {
            name: name.to_owned(),
            value: value.to_string(),
            revision,
            updated_at: 0,
            updated_by: "admin@batam.go.id".to_owned(),
        };
        let effective = build(
            &base,
            3,
            &[
                row("approval", json!({"threshold": 7, "window_days": 90}), 1),
                row(
                    "holidays",
                    json!([{"date": "2026-12-25", "name": "Natal"}]),
                    2,
                ),
                row("documents", json!({"place": "Batam"}), 3),
            ],
        );
        assert_eq!(effective.rules.approval_threshold, 7);
        assert_eq!(effective.rules.approval_window_days, Some(90));
        let date = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        assert!(!effective.rules.calendar.is_working_day(date));
        assert_eq!(effective.holidays[0].name, "Natal");
        assert!(effective.approval_changed.is_some());
        // The document row is incomplete: skipped, the start settings apply.
        assert!(effective.documents_changed.is_none());
        assert_eq!(effective.rules.documents.place, base.documents.place);
    }
}

// ---- the JSON view ---------------------------------------------------------------------

/// Who changed a section on the settings page, and when; absent: the start value applies.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChangedView {
    pub at: DateTime<Utc>,
    /// The admin's e-mail.
    pub by: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApprovalView {
    /// Reactivation needs the Regional Secretary when the agency's valid reports exceed it.
    pub threshold: u32,
    /// Only the reports of the last N days count; absent: all.
    pub window_days: Option<u32>,
    pub changed: Option<ChangedView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HolidayView {
    /// `YYYY-MM-DD`, in WIB.
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HolidaysView {
    pub list: Vec<HolidayView>,
    pub changed: Option<ChangedView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignerView {
    pub position: String,
    pub name: String,
    pub rank: Option<String>,
    pub nip: Option<String>,
}

impl From<&Signer> for SignerView {
    fn from(s: &Signer) -> SignerView {
        SignerView {
            position: s.position.clone(),
            name: s.name.clone(),
            rank: s.rank.clone(),
            nip: s.nip.clone(),
        }
    }
}

/// The settings of one document kind as documents are issued now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentKindView {
    /// `acknowledgement`, `ba_validation`, ...
    pub kind: String,
    pub pattern: String,
    /// Whether the pattern is set (not the kind's default).
    pub own_pattern: bool,
    /// Empty: the staff member who records the step signs.
    pub signers: Vec<SignerView>,
    pub acknowledged_by: Option<SignerView>,
    pub tembusan: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentsView {
    pub place: String,
    pub letterhead_lines: Vec<String>,
    pub address: String,
    /// Whether the letterhead has a logo.
    pub logo: bool,
    pub kinds: Vec<DocumentKindView>,
    pub changed: Option<ChangedView>,
}

/// The settings an admin may change, as they are in force now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SettingsView {
    /// Raised by every change.
    pub revision: i64,
    pub approval: ApprovalView,
    pub holidays: HolidaysView,
    pub documents: DocumentsView,
}

fn changed_view(changed: Option<&Changed>) -> Option<ChangedView> {
    changed.map(|c| ChangedView {
        at: c.at,
        by: c.by.clone(),
    })
}

impl Effective {
    /// The settings an admin may change, as JSON.
    pub fn to_view(&self) -> SettingsView {
        let rules = &self.rules;
        let documents = &rules.documents;
        SettingsView {
            revision: self.revision,
            approval: ApprovalView {
                threshold: rules.approval_threshold,
                window_days: rules.approval_window_days,
                changed: changed_view(self.approval_changed.as_ref()),
            },
            holidays: HolidaysView {
                list: self
                    .holidays
                    .iter()
                    .map(|h| HolidayView {
                        date: h.date,
                        name: h.name.clone(),
                    })
                    .collect(),
                changed: changed_view(self.holidays_changed.as_ref()),
            },
            documents: DocumentsView {
                place: documents.place.clone(),
                letterhead_lines: documents.letterhead.lines.clone(),
                address: documents.letterhead.address.clone(),
                logo: documents.letterhead.logo_png.is_some(),
                kinds: DocumentKind::ALL
                    .iter()
                    .map(|&kind| DocumentKindView {
                        kind: kind.as_str().to_owned(),
                        pattern: documents.pattern(kind).to_owned(),
                        own_pattern: documents.has_own_pattern(kind),
                        signers: documents
                            .signers(kind)
                            .unwrap_or_default()
                            .iter()
                            .map(SignerView::from)
                            .collect(),
                        acknowledged_by: documents.acknowledged_by(kind).map(SignerView::from),
                        tembusan: documents.tembusan(kind),
                    })
                    .collect(),
                changed: changed_view(self.documents_changed.as_ref()),
            },
        }
    }
}
