//! The settings in force (`/admin/settings`), read-only for admins and auditors: the rules
//! of the procedure (ticket prefix, the approval threshold and its window, evidence limits,
//! the roles that need a second factor), the deadline of each step, the holidays of the
//! working calendar, and the official documents' letterhead, signers, number patterns and
//! copies. Each row names the environment variable (or file) that sets it: these are read
//! once at start, so the page says they change by editing those and restarting.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use sigap_app::Rules;
use sigap_core::{DocumentKind, Span, State as TicketState};
use sigap_docs::Signer;

use crate::AppState;
use crate::pages::admin::admin_layout;
use crate::pages::session::StaffSession;
use crate::pages::{Lang, Layout, app_error_page, render};

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/settings", get(show_settings))
}

/// One setting: what it is, its value(s) and the environment variable that sets it
/// (`None`: fixed in the program).
struct SettingRow {
    label: String,
    values: Vec<String>,
    source: Option<&'static str>,
}

/// The official documents of one kind as they are issued.
struct DocumentRow {
    kind: String,
    pattern: String,
    signers: Vec<String>,
    acknowledged_by: Option<String>,
    tembusan: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin_settings.html")]
struct SettingsPage {
    layout: Layout,
    lang: Lang,
    rules: Vec<SettingRow>,
    deadlines: Vec<SettingRow>,
    holidays: Vec<String>,
    place: String,
    letterhead: Vec<String>,
    address: String,
    logo: bool,
    documents: Vec<DocumentRow>,
}

/// A row whose value is set by the environment variable `variable`.
fn row(lang: Lang, key: &str, values: Vec<String>, variable: Option<&'static str>) -> SettingRow {
    SettingRow {
        label: lang.t(&format!("admin.settings.{key}")).into_owned(),
        values,
        source: variable,
    }
}

fn bytes(lang: Lang, count: usize) -> String {
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

fn rule_rows(lang: Lang, rules: &Rules) -> Vec<SettingRow> {
    let window = match rules.approval_window_days {
        Some(days) => lang.tf("admin.settings.days", &[("n", days.to_string())]),
        None => lang.t("admin.settings.all_time").into_owned(),
    };
    let mut roles: Vec<String> = rules
        .totp_required_roles
        .iter()
        .map(|&r| lang.role(r).to_owned())
        .collect();
    if roles.is_empty() {
        roles.push(lang.t("admin.settings.none").into_owned());
    }
    vec![
        row(
            lang,
            "ticket_prefix",
            vec![rules.ticket_prefix.clone()],
            Some("SIGAP_TICKET_PREFIX"),
        ),
        row(
            lang,
            "approval_threshold",
            vec![rules.approval_threshold.to_string()],
            Some("SIGAP_APPROVAL_THRESHOLD"),
        ),
        row(
            lang,
            "approval_window",
            vec![window],
            Some("SIGAP_APPROVAL_WINDOW_DAYS"),
        ),
        row(
            lang,
            "max_file_bytes",
            vec![bytes(lang, rules.max_file_bytes)],
            Some("SIGAP_MAX_FILE_BYTES"),
        ),
        row(lang, "max_files", vec![rules.max_files.to_string()], None),
        row(lang, "totp_roles", roles, Some("SIGAP_TOTP_REQUIRED_ROLES")),
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
    ]
}

/// A limit per client address and hour; 0 is none.
fn per_hour(lang: Lang, limit: u32) -> String {
    match limit {
        0 => lang.t("admin.settings.unlimited").into_owned(),
        n => lang.tf("admin.settings.per_hour", &[("n", n.to_string())]),
    }
}

fn span(lang: Lang, span: Span) -> String {
    let (key, n) = match span {
        Span::Minutes(n) => ("admin.settings.span.minutes", n),
        Span::Hours(n) => ("admin.settings.span.hours", n),
        Span::CalendarDays(n) => ("admin.settings.span.calendar_days", n),
        Span::WorkingDays(n) => ("admin.settings.span.working_days", n),
    };
    lang.tf(key, &[("n", n.to_string())])
}

/// The deadline of each state that has one; the SOP fixes them, no setting changes them.
fn deadline_rows(lang: Lang, rules: &Rules) -> Vec<SettingRow> {
    TicketState::ALL
        .iter()
        .filter_map(|&state| {
            let allowed = rules.deadlines.span(state)?;
            Some(SettingRow {
                label: lang.state(state.as_str()),
                values: vec![span(lang, allowed)],
                source: None,
            })
        })
        .collect()
}

/// A signer on one line: position, name, and rank and NIP when given.
fn signer_text(signer: &Signer) -> String {
    let mut text = format!("{}: {}", signer.position, signer.name);
    if let Some(rank) = &signer.rank {
        text.push_str(&format!(", {rank}"));
    }
    if let Some(nip) = &signer.nip {
        text.push_str(&format!(", NIP {nip}"));
    }
    text
}

fn document_rows(lang: Lang, rules: &Rules) -> Vec<DocumentRow> {
    let settings = &rules.documents;
    DocumentKind::ALL
        .iter()
        .map(|&kind| DocumentRow {
            kind: lang.document(kind.as_str()),
            pattern: settings.pattern(kind).to_owned(),
            signers: settings
                .signers(kind)
                .map(|list| list.iter().map(signer_text).collect())
                .unwrap_or_default(),
            acknowledged_by: settings.acknowledged_by(kind).map(signer_text),
            tembusan: settings.tembusan(kind),
        })
        .collect()
}

async fn show_settings(
    State(state): State<AppState>,
    lang: Lang,
    StaffSession(session): StaffSession,
) -> Response {
    let layout = admin_layout(lang, "/admin/settings", "admin.settings.title", &session);
    let rules = match sigap_app::admin::settings(&state.app, &session.caller) {
        Ok(rules) => rules,
        Err(e) => return app_error_page(layout, e),
    };
    let documents = &rules.documents;
    let page = SettingsPage {
        rules: rule_rows(lang, &rules),
        deadlines: deadline_rows(lang, &rules),
        holidays: rules
            .calendar
            .holidays()
            .map(|d| d.format("%Y-%m-%d").to_string())
            .collect(),
        place: documents.place.clone(),
        letterhead: documents.letterhead.lines.clone(),
        address: documents.letterhead.address.clone(),
        logo: documents.letterhead.logo_png.is_some(),
        documents: document_rows(lang, &rules),
        layout,
        lang,
    };
    render(StatusCode::OK, &page)
}
