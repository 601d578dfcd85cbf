//! The CSIRT's public profile as RFC 2350 lays one out (`/rfc2350`, and `/rfc2350.txt` for
//! whoever keeps such profiles as text): document information, contact, charter, policies,
//! services, how to report, and a disclaimer. It is built from the profile an admin keeps on
//! the settings page (`profile`), the contact of `security.txt`, the CSIRT's OpenPGP key,
//! the letterhead's address and the SOP's deadlines, so that it says what sigap does.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use sigap_core::State as TicketState;

use crate::AppState;
use crate::pages::{Layout, OrPage, PageLang, PageResult, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rfc2350", get(page))
        .route("/rfc2350.txt", get(text))
}

/// One numbered section of the profile: its heading and its items, each a label (empty
/// for running text) and its lines.
pub(crate) struct Section {
    pub(crate) number: usize,
    pub(crate) heading: String,
    pub(crate) items: Vec<Item>,
}

pub(crate) struct Item {
    pub(crate) label: String,
    pub(crate) lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "rfc2350.html")]
struct ProfilePage {
    layout: Layout,
    lang: PageLang,
    team_name: String,
    sections: Vec<Section>,
}

/// What the sections are built from.
struct Sources<'a> {
    lang: PageLang,
    state: &'a AppState,
    effective: &'a sigap_app::admin::overrides::Effective,
    expires: DateTime<Utc>,
    base: String,
}

impl Sources<'_> {
    /// An item labelled by `rfc2350.{key}` (none when `key` is empty).
    fn item(&self, key: &str, lines: Vec<String>) -> Item {
        let label = if key.is_empty() {
            String::new()
        } else {
            self.lang.t(&format!("rfc2350.{key}")).into_owned()
        };
        Item { label, lines }
    }

    /// An item of one line of the catalogue's text `rfc2350.{key}_text`.
    fn text(&self, key: &str) -> Item {
        let line = self.lang.t(&format!("rfc2350.{key}_text")).into_owned();
        self.item(key, vec![line])
    }

    fn section(&self, number: usize, key: &str, items: Vec<Item>) -> Section {
        Section {
            number,
            heading: self.lang.t(&format!("rfc2350.{key}")).into_owned(),
            items,
        }
    }

    fn document(&self) -> Section {
        let lang = self.lang;
        let updated = match &self.effective.profile_changed {
            Some(changed) => lang.wib(&changed.at),
            None => lang.t("rfc2350.not_reviewed").into_owned(),
        };
        let base = &self.base;
        let items = vec![
            self.item("last_update", vec![updated]),
            self.item("valid_until", vec![lang.wib(&self.expires)]),
            self.text("distribution"),
            self.item(
                "locations",
                vec![format!("{base}/rfc2350"), format!("{base}/rfc2350.txt")],
            ),
        ];
        self.section(1, "document", items)
    }

    fn contact(&self) -> Section {
        let profile = &self.effective.profile;
        let address = if profile.address.is_empty() {
            self.effective.policy.documents.letterhead.address.clone()
        } else {
            profile.address.clone()
        };
        let contact = &self.state.web.security_contact;
        let email = contact
            .strip_prefix("mailto:")
            .unwrap_or(contact)
            .to_owned();
        let mut items = vec![
            self.item("team_name", vec![profile.team_name.clone()]),
            self.item("organisation", vec![profile.organisation.clone()]),
            self.item("address", vec![address]),
            self.item("time_zone", vec!["WIB (UTC+07:00)".to_owned()]),
            self.item("email", vec![email]),
        ];
        if !profile.phone.is_empty() {
            items.push(self.item("phone", vec![profile.phone.clone()]));
        }
        items.push(self.item("report_form", vec![format!("{}/report", self.base)]));
        let key = match &self.state.app.rules.mail_in.pgp {
            Some(keys) => vec![
                self.lang.tf(
                    "rfc2350.pgp_fingerprint",
                    &[("fingerprint", keys.fingerprint().to_owned())],
                ),
                format!("{}/pgp-key.txt", self.base),
            ],
            None => vec![self.lang.t("rfc2350.no_pgp").into_owned()],
        };
        items.push(self.item("public_key", key));
        items.push(self.item("hours", vec![profile.hours.clone()]));
        self.section(2, "contact", items)
    }

    fn charter(&self) -> Section {
        let profile = &self.effective.profile;
        let mut items = vec![
            self.item("mission", vec![profile.mission.clone()]),
            self.item("constituency", vec![profile.constituency.clone()]),
            self.item("sponsorship", vec![profile.organisation.clone()]),
        ];
        if !profile.authority.is_empty() {
            items.push(self.item("authority", vec![profile.authority.clone()]));
        }
        self.section(3, "charter", items)
    }

    fn policies(&self) -> Section {
        let lang = self.lang;
        let deadlines: Vec<String> = TicketState::ALL
            .iter()
            .filter_map(|&s| {
                let span = self.state.app.rules.deadlines.span(s)?;
                let span = crate::pages::admin_settings::span(lang, span);
                Some(format!("{}: {span}", lang.label(s)))
            })
            .collect();
        let items = vec![
            self.text("incident_types"),
            self.text("cooperation"),
            self.text("communication"),
            self.item("sop", deadlines),
        ];
        self.section(4, "policies", items)
    }

    fn rest(&self) -> [Section; 3] {
        let form = self.lang.tf(
            "rfc2350.forms_text",
            &[("url", format!("{}/report", self.base))],
        );
        let disclaimer = self.lang.t("rfc2350.disclaimer_text").into_owned();
        [
            self.section(
                5,
                "services",
                vec![self.item("", self.effective.profile.services.clone())],
            ),
            self.section(6, "forms", vec![self.item("", vec![form])]),
            self.section(7, "disclaimer", vec![self.item("", vec![disclaimer])]),
        ]
    }
}

/// The team's name and the sections of the profile in force, in `lang`.
async fn sections(
    state: &AppState,
    lang: PageLang,
) -> Result<(String, Vec<Section>), sigap_app::AppError> {
    let effective = state.app.effective().await?;
    let sources = Sources {
        lang,
        state,
        effective: &effective,
        expires: sigap_app::admin::rules::security_txt_expires(&state.app).await?,
        base: state.app.rules.public_url.trim_end_matches('/').to_owned(),
    };
    let mut sections = vec![
        sources.document(),
        sources.contact(),
        sources.charter(),
        sources.policies(),
    ];
    sections.extend(sources.rest());
    Ok((effective.profile.team_name.clone(), sections))
}

async fn page(State(state): State<AppState>, lang: PageLang) -> PageResult {
    let layout = Layout::public(lang, "/rfc2350", "rfc2350.title");
    let (team_name, sections) = sections(&state, lang).await.or_page(&layout)?;
    let page = ProfilePage {
        layout,
        lang,
        team_name,
        sections,
    };
    Ok(render(StatusCode::OK, &page))
}

/// The profile as plain text: numbered headings, `label: value` lines, running text
/// indented, as RFC 2350's own examples are kept.
async fn text(State(state): State<AppState>, lang: PageLang) -> Response {
    let (team_name, sections) = match sections(&state, lang).await {
        Ok(built) => built,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let mut out = format!("{}\n{team_name}\n\n", lang.t("rfc2350.title"));
    for section in &sections {
        out.push_str(&format!("{}. {}\n\n", section.number, section.heading));
        for item in &section.items {
            if item.label.is_empty() {
                for line in &item.lines {
                    out.push_str(&format!("   {line}\n"));
                }
            } else {
                out.push_str(&format!("   {}:\n", item.label));
                for line in &item.lines {
                    out.push_str(&format!("      {line}\n"));
                }
            }
        }
        out.push('\n');
    }
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], out).into_response()
}
