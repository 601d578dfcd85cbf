//! What the settings page shows: the rules in force with the variable that sets each, the
//! deadline of each step, and each kind of official document as it is issued.

use sigap_app::Rules;
use sigap_app::admin::overrides::{Changed, Effective, Section};
use sigap_app::documents::config::DocumentConfig;
use sigap_core::{DocumentKind, Span, State as TicketState};
use sigap_naskah::{PatternPart, Signer};

use crate::pages::PageLang;
use crate::pages::admin::AdminForm;

use super::*;

/// One setting: what it is, its value(s) and the environment variable that sets it
/// (`None`: fixed in the program), or who changed it on this page.
pub(super) struct SettingRow {
    pub(super) label: String,
    pub(super) values: Vec<String>,
    pub(super) source: Option<&'static str>,
    pub(super) changed: Option<String>,
}

/// The official documents of one kind as they are issued, with the form that changes them.
pub(super) struct DocumentRow {
    pub(super) code: &'static str,
    pub(super) kind: String,
    /// The kind's own letterhead, when it has one.
    pub(super) letterhead: Option<String>,
    pub(super) pattern: String,
    /// What each part of the pattern stands for, in words.
    pub(super) pattern_parts: Vec<PartRow>,
    /// The other kinds numbered from the same agenda.
    pub(super) shared_with: Vec<String>,
    pub(super) signers: Vec<String>,
    pub(super) acknowledged_by: Option<String>,
    pub(super) tembusan: Vec<String>,
    pub(super) form: Option<AdminForm>,
    /// Whether the form was refused (and so is shown open).
    pub(super) refused: bool,
}

/// One part of a number pattern and what it stands for.
pub(super) struct PartRow {
    pub(super) part: String,
    pub(super) meaning: String,
}

/// Each part of `pattern` in words: the classification code with its name and source, the
/// running number, the month and year, the unit's text.
pub(super) fn pattern_rows(lang: PageLang, pattern: &str) -> Vec<PartRow> {
    let Ok(parts) = sigap_naskah::pattern_parts(pattern) else {
        return Vec::new();
    };
    parts
        .into_iter()
        .map(|part| {
            let (text, meaning) = match part {
                PatternPart::Classification { code, known } => {
                    let meaning = match known {
                        Some((known, name)) if known == code => {
                            lang.tf("admin.pattern.classification", &[("name", name.to_owned())])
                        }
                        Some((known, name)) => lang.tf(
                            "admin.pattern.classification_under",
                            &[("code", known.to_owned()), ("name", name.to_owned())],
                        ),
                        None => lang.t("admin.pattern.classification_unknown").into_owned(),
                    };
                    (code, meaning)
                }
                PatternPart::Number { padded } => (
                    if padded { "{seq}" } else { "{n}" }.to_owned(),
                    lang.t(if padded {
                        "admin.pattern.seq"
                    } else {
                        "admin.pattern.n"
                    })
                    .into_owned(),
                ),
                PatternPart::Month { roman } => (
                    if roman { "{roman_month}" } else { "{month}" }.to_owned(),
                    lang.t("admin.pattern.month").into_owned(),
                ),
                PatternPart::Year => (
                    "{year}".to_owned(),
                    lang.t("admin.pattern.year").into_owned(),
                ),
                PatternPart::Unit(text) => (text, lang.t("admin.pattern.unit").into_owned()),
                PatternPart::Mark(text) => (text, lang.t("admin.pattern.mark").into_owned()),
                PatternPart::Mixed(text) => (text, lang.t("admin.pattern.mixed").into_owned()),
            };
            PartRow {
                part: text,
                meaning,
            }
        })
        .collect()
}

pub(super) struct HolidayRow {
    pub(super) date: String,
    pub(super) name: String,
}

/// A section changed on this page: who and when, and whether it may be put back.
pub(super) struct SectionState {
    pub(super) changed: Option<String>,
}

/// A row whose value is set by the environment variable `variable`.
pub(super) fn row(
    lang: PageLang,
    key: &str,
    values: Vec<String>,
    variable: Option<&'static str>,
) -> SettingRow {
    SettingRow {
        label: lang.t(&format!("admin.settings.{key}")).into_owned(),
        values,
        source: variable,
        changed: None,
    }
}

pub(super) fn bytes(lang: PageLang, count: usize) -> String {
    // Tenths of a MiB in integers: `10 MiB`, `2.5 MiB`.
    let tenths = count.saturating_mul(10) / (1024 * 1024);
    let mib = match tenths % 10 {
        0 => (tenths / 10).to_string(),
        tenth => format!("{}.{tenth}", tenths / 10),
    };
    lang.tf(
        "admin.settings.bytes",
        &[("mib", mib), ("bytes", count.to_string())],
    )
}

/// "Diubah di halaman ini oleh admin@… pada 2026-08-10 09:00 WIB".
pub(super) fn changed_text(lang: PageLang, changed: Option<&Changed>) -> Option<String> {
    changed.map(|c| {
        lang.tf(
            "admin.settings.changed",
            &[("by", c.by.clone()), ("at", lang.wib(&c.at))],
        )
    })
}

pub(super) fn rule_rows(lang: PageLang, rules: &Rules, effective: &Effective) -> Vec<SettingRow> {
    let mut roles: Vec<String> = rules
        .totp_required_roles
        .iter()
        .map(|&r| lang.role(r).to_owned())
        .collect();
    if roles.is_empty() {
        roles.push(lang.t("admin.settings.none").into_owned());
    }
    let mut rows = vec![row(
        lang,
        "ticket_prefix",
        vec![rules.ticket_prefix.clone()],
        Some("SIGAP_TICKET_PREFIX"),
    )];
    rows.extend(approval_rows(lang, effective));
    rows.extend([
        row(
            lang,
            "max_file_bytes",
            vec![bytes(lang, rules.max_file_bytes)],
            Some("SIGAP_MAX_FILE_BYTES"),
        ),
        row(lang, "max_files", vec![rules.max_files.to_string()], None),
        row(lang, "totp_roles", roles, Some("SIGAP_TOTP_REQUIRED_ROLES")),
    ]);
    rows.extend(limit_rows(lang, rules));
    rows
}

/// The "> N reports" rule in force: its threshold and its window, changed together.
pub(super) fn approval_rows(lang: PageLang, effective: &Effective) -> [SettingRow; 2] {
    let policy = &effective.policy;
    let window = match policy.approval_window_days {
        Some(days) => lang.tf("admin.settings.days", &[("n", days.to_string())]),
        None => lang.t("admin.settings.all_time").into_owned(),
    };
    let changed = changed_text(lang, effective.changed(Section::Approval));
    [
        SettingRow {
            changed: changed.clone(),
            ..row(
                lang,
                "approval_threshold",
                vec![policy.approval_threshold.to_string()],
                Some("SIGAP_APPROVAL_THRESHOLD"),
            )
        },
        SettingRow {
            changed,
            ..row(
                lang,
                "approval_window",
                vec![window],
                Some("SIGAP_APPROVAL_WINDOW_DAYS"),
            )
        },
    ]
}

/// The limits of public intake and of mail, and what blocking may reach.
pub(super) fn limit_rows(lang: PageLang, rules: &Rules) -> Vec<SettingRow> {
    let profiles = rules
        .blocking
        .profiles
        .names()
        .into_iter()
        .map(|(name, kind)| format!("{name} ({kind})"))
        .collect();
    vec![
        row(
            lang,
            "reports_per_hour",
            vec![per_hour(lang, rules.intake_limits.per_hour)],
            Some("SIGAP_REPORTS_PER_HOUR"),
        ),
        row(
            lang,
            "reports_per_hour_without_proof",
            vec![per_hour(lang, rules.intake_limits.without_proof_per_hour)],
            Some("SIGAP_REPORTS_PER_HOUR_WITHOUT_PROOF"),
        ),
        row(
            lang,
            "report_proof_bits",
            vec![rules.intake_limits.proof_bits.to_string()],
            Some("SIGAP_REPORT_PROOF_BITS"),
        ),
        row(
            lang,
            "mail_per_second",
            vec![match rules.notices.mail_per_second {
                0 => lang.t("admin.settings.unlimited").into_owned(),
                n => n.to_string(),
            }],
            Some("SIGAP_MAIL_PER_SECOND"),
        ),
        row(
            lang,
            "outbound_allow",
            or_none(lang, rules.blocking.outbound.allowed()),
            Some("SIGAP_OUTBOUND_ALLOW"),
        ),
        row(
            lang,
            "blocking_profiles",
            or_none(lang, profiles),
            Some("SIGAP_BLOCKING_FILE"),
        ),
    ]
}

/// The values, or "none" in the page's language.
pub(super) fn or_none(lang: PageLang, values: Vec<String>) -> Vec<String> {
    if values.is_empty() {
        vec![lang.t("admin.settings.none").into_owned()]
    } else {
        values
    }
}

/// A limit per client address and hour; 0 is none.
pub(super) fn per_hour(lang: PageLang, limit: u32) -> String {
    match limit {
        0 => lang.t("admin.settings.unlimited").into_owned(),
        n => lang.tf("admin.settings.per_hour", &[("n", n.to_string())]),
    }
}

pub(crate) fn span(lang: PageLang, span: Span) -> String {
    let (key, n) = match span {
        Span::Minutes(n) => ("admin.settings.span.minutes", n),
        Span::Hours(n) => ("admin.settings.span.hours", n),
        Span::CalendarDays(n) => ("admin.settings.span.calendar_days", n),
        Span::WorkingDays(n) => ("admin.settings.span.working_days", n),
    };
    lang.tf(key, &[("n", n.to_string())])
}

/// The deadline of each state that has one; the SOP fixes them, no setting changes them.
pub(super) fn deadline_rows(lang: PageLang, rules: &Rules) -> Vec<SettingRow> {
    TicketState::ALL
        .iter()
        .filter_map(|&state| {
            let allowed = rules.deadlines.span(state)?;
            Some(SettingRow {
                label: lang.label(state).to_owned(),
                values: vec![span(lang, allowed)],
                source: None,
                changed: None,
            })
        })
        .collect()
}

/// A signer on one line: position, name, and rank and NIP when given.
pub(super) fn signer_text(signer: &Signer) -> String {
    let mut text = format!("{}: {}", signer.position, signer.name);
    if let Some(rank) = &signer.rank {
        text.push_str(&format!(", {rank}"));
    }
    if let Some(nip) = &signer.nip {
        text.push_str(&format!(", NIP {nip}"));
    }
    text
}

pub(super) fn document_rows(
    lang: PageLang,
    documents: &DocumentConfig,
    editable: bool,
    refused: Option<&Refused>,
) -> Vec<DocumentRow> {
    DocumentKind::ALL
        .iter()
        .map(|&kind| {
            let mut form = AdminForm::new(kind_fields(lang, documents, kind));
            let mut was_refused = false;
            if let Some(Refused::Kind(refused_kind, posted, errors)) = refused
                && *refused_kind == kind
            {
                form = form.refused(lang, "kind", posted, errors);
                was_refused = true;
            }
            DocumentRow {
                code: kind.as_str(),
                kind: lang.label(kind).to_owned(),
                letterhead: documents
                    .own_letterhead(kind)
                    .map(|head| head.lines.join(" / ")),
                pattern: documents.pattern(kind).to_owned(),
                pattern_parts: pattern_rows(lang, documents.pattern(kind)),
                shared_with: documents
                    .series_kinds(kind)
                    .into_iter()
                    .filter(|&other| other != kind)
                    .map(|other| lang.label(other).to_owned())
                    .collect(),
                signers: documents
                    .signers(kind)
                    .map(|list| list.iter().map(signer_text).collect())
                    .unwrap_or_default(),
                acknowledged_by: documents.acknowledged_by(kind).map(signer_text),
                tembusan: documents.tembusan(kind),
                form: editable.then_some(form),
                refused: was_refused,
            }
        })
        .collect()
}
