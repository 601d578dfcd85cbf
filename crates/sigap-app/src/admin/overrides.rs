//! The settings an admin changes on the admin pages, over those the binary read at start:
//! the "> N reports" approval threshold and its window, the holidays of the working
//! calendar, the official documents' letterhead, signers, number patterns and copies, and
//! the numbers of the national rules around the SOP (`law`).
//!
//! Each changed section is one JSON row of the `settings` table, written in one audited
//! transaction that also raises the settings revision. Every instance keeps the policy it
//! built and, where a use case needs the settings (a step, a new report, a document, the
//! approvals), reads the revision first and builds the policy anew when another instance
//! (or itself) changed them: so several instances on one database apply the same settings
//! from the change on. A reset forgets the row, and the value read at start applies again.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
pub use sigap_core::law::{LawRequest, LawSettings};
pub use sigap_core::profile::{CsirtProfile, ProfileRequest};
use sigap_core::{DocumentKind, Role, WorkingCalendar};
use sigap_store::{OverrideRow, Tx};

use crate::auth::Caller;
use crate::documents::config::{DocumentConfig, KindOverride};
use crate::{App, AppError, AppResult, Policy, from_millis, millis};

pub use crate::admin::settings_view::{
    ApprovalView, ChangedView, DocumentKindView, DocumentsView, HolidayView, HolidaysView,
    LawRuleView, LawView, ProfileView, RepliesView, ReplyView, SettingsView, SignerView,
};
pub use sigap_core::overrides::{
    Approval, ApprovalRequest, DocumentKindRequest, Holiday, HolidayRequest, HolidaysRequest,
    LetterheadChange, LetterheadRequest, SignerRequest,
};

/// The sections an admin may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The approval threshold and its window.
    Approval,
    /// The holidays of the working calendar.
    Holidays,
    /// The official documents' settings.
    Documents,
    /// The canned replies to the reporter (`admin::replies`).
    Replies,
    /// The numbers of the national rules ([`sigap_core::law`]).
    Law,
    /// The CSIRT's public profile (RFC 2350, [`sigap_core::profile`]); saving it is its
    /// review, which renews `security.txt`.
    Profile,
}

impl Section {
    pub const ALL: &'static [Section] = &[
        Section::Approval,
        Section::Holidays,
        Section::Documents,
        Section::Replies,
        Section::Law,
        Section::Profile,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Section::Approval => "approval",
            Section::Holidays => "holidays",
            Section::Documents => "documents",
            Section::Replies => "replies",
            Section::Law => "law",
            Section::Profile => "profile",
        }
    }

    pub fn parse(name: &str) -> Option<Section> {
        Section::ALL.iter().copied().find(|s| s.as_str() == name)
    }
}

/// Who changed a section, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub at: DateTime<Utc>,
    pub by: String,
}

/// The settings in force: the policy with the admins' changes applied, the named holidays,
/// and for each section who changed it (`None`: as read at start).
#[derive(Debug, Clone)]
pub struct Effective {
    pub revision: i64,
    pub policy: Arc<Policy>,
    pub holidays: Vec<Holiday>,
    pub approval_changed: Option<Changed>,
    pub holidays_changed: Option<Changed>,
    pub documents_changed: Option<Changed>,
    /// The canned replies to the reporter in force.
    pub replies: Vec<sigap_core::replies::Reply>,
    pub replies_changed: Option<Changed>,
    pub law_changed: Option<Changed>,
    /// The CSIRT's public profile in force, and its last review.
    pub profile: CsirtProfile,
    pub profile_changed: Option<Changed>,
}

impl Effective {
    /// Who changed `section`, if it was changed.
    pub fn changed(&self, section: Section) -> Option<&Changed> {
        match section {
            Section::Approval => self.approval_changed.as_ref(),
            Section::Holidays => self.holidays_changed.as_ref(),
            Section::Documents => self.documents_changed.as_ref(),
            Section::Replies => self.replies_changed.as_ref(),
            Section::Law => self.law_changed.as_ref(),
            Section::Profile => self.profile_changed.as_ref(),
        }
    }
}

/// The policy read at start and the one in force built from it, shared by the clones of
/// one [`App`].
#[derive(Debug)]
pub struct Live {
    base: Arc<Policy>,
    current: Mutex<Option<Arc<Effective>>>,
}

impl Live {
    pub fn new(base: Arc<Policy>) -> Live {
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
        if let Some(effective) = self.live().cached(revision) {
            return Ok(effective);
        }
        let rows = self.store.list_settings().await?;
        let effective = Arc::new(build(&self.live().base, revision, &rows));
        self.live().keep(Arc::clone(&effective));
        Ok(effective)
    }
}

/// The policy of `base` with the changed sections of `rows` applied. A row that cannot be
/// read (which a check on writing prevents) is skipped with a warning: the start value
/// applies.
fn build(base: &Arc<Policy>, revision: i64, rows: &[OverrideRow]) -> Effective {
    let mut policy = Policy::clone(base);
    let mut effective = Effective {
        revision,
        policy: Arc::clone(base),
        holidays: base
            .calendar
            .holidays()
            .map(|date| Holiday {
                date,
                name: String::new(),
            })
            .collect(),
        approval_changed: None,
        holidays_changed: None,
        documents_changed: None,
        replies: sigap_core::replies::default_replies(),
        replies_changed: None,
        law_changed: None,
        profile: CsirtProfile::default(),
        profile_changed: None,
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
            Some(section) => apply(section, value, changed, &mut policy, &mut effective),
            None => Err("not a section of the settings".to_owned()),
        };
        if let Err(e) = applied {
            tracing::warn!(section = %row.name, error = %e, "stored settings skipped");
        }
    }
    effective.policy = Arc::new(policy);
    effective
}

/// Applies one stored section to the policy and the settings being built.
fn apply(
    section: Section,
    value: Value,
    changed: Option<Changed>,
    policy: &mut Policy,
    effective: &mut Effective,
) -> Result<(), String> {
    fn read<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, String> {
        serde_json::from_value(value).map_err(|e| e.to_string())
    }
    match section {
        Section::Approval => read::<Approval>(value).map(|approval| {
            policy.approval_threshold = approval.threshold;
            policy.approval_window_days = approval.window_days;
            effective.approval_changed = changed;
        }),
        Section::Holidays => read::<Vec<Holiday>>(value).map(|list| {
            policy.calendar = WorkingCalendar::new(list.iter().map(|h| h.date));
            effective.holidays = list;
            effective.holidays_changed = changed;
        }),
        Section::Documents => DocumentConfig::from_json(&value).map(|documents| {
            policy.documents = Arc::new(documents);
            effective.documents_changed = changed;
        }),
        Section::Replies => read(value).map(|replies| {
            effective.replies = replies;
            effective.replies_changed = changed;
        }),
        Section::Law => read::<LawSettings>(value).map(|law| {
            policy.law = law;
            effective.law_changed = changed;
        }),
        Section::Profile => read::<CsirtProfile>(value).map(|profile| {
            effective.profile = profile;
            effective.profile_changed = changed;
        }),
    }
}

/// The settings in force, for the settings page: admins and auditors.
pub async fn view(app: &App, caller: &Caller) -> AppResult<Arc<Effective>> {
    let result = try_view(app, caller).await;
    if let Err(e) = &result {
        crate::audit::refused(app, caller, "settings_read", None, e, None).await;
    }
    result
}

async fn try_view(app: &App, caller: &Caller) -> AppResult<Arc<Effective>> {
    caller.require(crate::admin::ADMIN_READERS, "read the settings")?;
    app.effective().await
}

/// Checks the letterhead and an uploaded `logo` (see [`sigap_core::check_letterhead`]),
/// which must be a PNG or JPEG image that decodes within the renderer's limits.
pub fn check_letterhead(
    request: &LetterheadRequest,
    logo: Option<Vec<u8>>,
) -> AppResult<LetterheadChange> {
    sigap_core::check_letterhead(request, logo, crate::documents::config::check_logo)
        .map_err(AppError::Invalid)
}

/// Opens the transaction of a change: only admins, the revision raised (which on
/// PostgreSQL also keeps other changes of the settings waiting until this one ends).
pub(crate) async fn begin(app: &App, caller: &Caller) -> AppResult<(Tx, i64)> {
    caller.require(&[Role::Admin], "change the settings")?;
    let mut tx = app.store.begin().await?;
    let revision = tx.next_settings_revision().await?;
    Ok((tx, revision))
}

/// Writes `value` as `section`, audits the change and commits.
pub(crate) async fn write(
    app: &App,
    caller: &Caller,
    mut tx: Tx,
    revision: i64,
    section: Section,
    value: Value,
    details: Value,
) -> AppResult<()> {
    let now = millis(app.now());
    tx.put_setting(&OverrideRow {
        name: section.as_str().to_owned(),
        value: value.to_string(),
        revision,
        updated_at: now,
        updated_by: caller.email.clone(),
    })
    .await?;
    let action = format!("settings_{}", section.as_str());
    crate::audit::record(&mut tx, caller, &action, now, details).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the approval threshold and window.
pub async fn set_approval(
    app: &App,
    caller: &Caller,
    request: &ApprovalRequest,
) -> AppResult<Approval> {
    let result = try_set_approval(app, caller, request).await;
    if let Err(e) = &result {
        crate::audit::refused(app, caller, "settings_approval", None, e, None).await;
    }
    result
}

async fn try_set_approval(
    app: &App,
    caller: &Caller,
    request: &ApprovalRequest,
) -> AppResult<Approval> {
    caller.require(&[Role::Admin], "change the settings")?;
    let approval = Approval::try_from(request).map_err(AppError::Invalid)?;
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

/// Sets the holidays of the working calendar; they replace those read at start.
pub async fn set_holidays(
    app: &App,
    caller: &Caller,
    request: &HolidaysRequest,
) -> AppResult<Vec<Holiday>> {
    let result = try_set_holidays(app, caller, request).await;
    if let Err(e) = &result {
        crate::audit::refused(app, caller, "settings_holidays", None, e, None).await;
    }
    result
}

async fn try_set_holidays(
    app: &App,
    caller: &Caller,
    request: &HolidaysRequest,
) -> AppResult<Vec<Holiday>> {
    caller.require(&[Role::Admin], "change the settings")?;
    let holidays = sigap_core::check_holidays(request).map_err(AppError::Invalid)?;
    let (tx, revision) = begin(app, caller).await?;
    let value = serde_json::to_value(&holidays).map_err(|e| AppError::Internal(e.to_string()))?;
    let details = json!({"holidays": holidays.len()});
    write(app, caller, tx, revision, Section::Holidays, value, details).await?;
    Ok(holidays)
}

/// The document settings in force inside `tx`: the changed ones, else those read at start.
async fn documents_in(app: &App, tx: &mut Tx) -> AppResult<DocumentConfig> {
    match tx.get_setting(Section::Documents.as_str()).await? {
        Some(row) => {
            let value: Value = serde_json::from_str(&row.value)
                .map_err(|e| AppError::Internal(format!("stored document settings: {e}")))?;
            DocumentConfig::from_json(&value)
                .map_err(|e| AppError::Internal(format!("stored document settings: {e}")))
        }
        None => Ok(DocumentConfig::clone(&app.live().base.documents)),
    }
}

/// Changes the document settings in force as `change` says, in one transaction: read
/// inside it (so two changes of different kinds do not undo each other), changed, checked,
/// written and audited with `details`.
async fn change_documents(
    app: &App,
    caller: &Caller,
    details: Value,
    change: impl FnOnce(DocumentConfig) -> AppResult<DocumentConfig>,
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
        crate::audit::refused(app, caller, "settings_letterhead", None, e, None).await;
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
/// `kind`. A pattern another kind uses is refused; a pattern's form is checked when it is
/// applied ([`DocumentConfig::with_kind`]).
pub async fn set_document_kind(
    app: &App,
    caller: &Caller,
    kind: &str,
    request: &DocumentKindRequest,
) -> AppResult<()> {
    let result = try_set_document_kind(app, caller, kind, request).await;
    if let Err(e) = &result {
        crate::audit::refused(app, caller, "settings_document", None, e, None).await;
    }
    result
}

async fn try_set_document_kind(
    app: &App,
    caller: &Caller,
    kind: &str,
    request: &DocumentKindRequest,
) -> AppResult<()> {
    caller.require(&[Role::Admin], "change the settings")?;
    let kind: DocumentKind = kind
        .parse()
        .map_err(|_| AppError::NotFound(format!("document kind `{kind}`")))?;
    let new = KindOverride::try_from(request).map_err(AppError::Invalid)?;
    let mut details =
        serde_json::to_value(request).map_err(|e| AppError::Internal(e.to_string()))?;
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
        crate::audit::refused(app, caller, "settings_reset", None, e, None).await;
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
    crate::audit::record(&mut tx, caller, &action, now, json!({"reset": true})).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_section_overrides_the_start_value_and_a_bad_row_is_skipped() {
        let base = Arc::new(crate::Policy::default());
        let row = |name: &str, value: Value, revision| OverrideRow {
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
        assert_eq!(effective.policy.approval_threshold, 7);
        assert_eq!(effective.policy.approval_window_days, Some(90));
        let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        assert!(!effective.policy.calendar.is_working_day(date));
        assert_eq!(effective.holidays[0].name, "Natal");
        assert!(effective.approval_changed.is_some());
        // The document row is incomplete: skipped, the start settings apply.
        assert!(effective.documents_changed.is_none());
        assert_eq!(effective.policy.documents.place, base.documents.place);
    }
}
