//! The settings in force as JSON (`GET /api/v1/settings` and the settings page): what each
//! section holds now and who changed it (`admin::overrides` keeps them, `admin::replies`
//! the canned replies).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sigap_core::DocumentKind;
use sigap_core::law::LawSettings;
use sigap_core::profile::CsirtProfile;
use sigap_naskah::Signer;

use crate::admin::overrides::{Changed, Effective};

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
    pub replies: RepliesView,
    pub law: LawView,
    pub profile: ProfileView,
}

/// The CSIRT's public profile (RFC 2350, `/rfc2350`) and its last review, which renews
/// `security.txt` for a year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProfileView {
    #[serde(flatten)]
    pub profile: CsirtProfile,
    /// The last review; absent: never reviewed (the installation's start counts).
    pub changed: Option<ChangedView>,
}

/// One national rule's number and the rule it comes from.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LawRuleView {
    /// The setting (`password_min_chars`, ...) or, for a rule without a number, its name
    /// (`password_breached`).
    pub key: String,
    /// The rule behind it: regulation, article, and how sigap reads it.
    pub basis: String,
}

/// The numbers of the national rules in force, and which rule says what.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LawView {
    #[serde(flatten)]
    pub settings: LawSettings,
    pub bases: Vec<LawRuleView>,
    pub changed: Option<ChangedView>,
}

pub(crate) fn changed_view(changed: Option<&Changed>) -> Option<ChangedView> {
    changed.map(|c| ChangedView {
        at: c.at,
        by: c.by.clone(),
    })
}

impl Effective {
    /// The settings an admin may change, as JSON.
    pub fn to_view(&self) -> SettingsView {
        let rules = &self.policy;
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
            replies: replies_view(self),
            law: LawView {
                settings: rules.law.clone(),
                bases: sigap_core::law::BASES
                    .iter()
                    .map(|(key, basis)| LawRuleView {
                        key: (*key).to_owned(),
                        basis: (*basis).to_owned(),
                    })
                    .collect(),
                changed: changed_view(self.law_changed.as_ref()),
            },
            profile: ProfileView {
                profile: self.profile.clone(),
                changed: changed_view(self.profile_changed.as_ref()),
            },
        }
    }
}

/// One canned reply as the settings show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReplyView {
    /// `received`, `need_info`, `fixed` or `thanks`.
    pub kind: String,
    pub id: String,
    pub en: String,
}

/// The canned replies in force.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RepliesView {
    pub list: Vec<ReplyView>,
    pub changed: Option<ChangedView>,
}

/// The replies of `effective`, as the settings show them.
fn replies_view(effective: &Effective) -> RepliesView {
    RepliesView {
        list: effective
            .replies
            .iter()
            .map(|r| ReplyView {
                kind: r.kind.as_str().to_owned(),
                id: r.id.clone(),
                en: r.en.clone(),
            })
            .collect(),
        changed: changed_view(effective.replies_changed.as_ref()),
    }
}
