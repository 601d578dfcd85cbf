//! The demo data set behind `sigap serve --demo`: the regional agencies (*Perangkat Daerah*)
//! of Kota Batam with their electronic systems, one staff user per role, and eight reports
//! left at different steps of the SOP, so that a newcomer can click through all of it.
//!
//! The set is data, [`story.toml`](STORY), embedded in the binary; this module walks it.
//! Everything goes through the use cases (registries as [`Caller::system`], workflow actions
//! as the demo users), so the tickets, step records and audit log are the same as a real
//! deployment's. The story is told on a clock of its own that starts 30 days before the
//! app's `now` and never passes it: the closed ticket's walk took days, the open tickets'
//! deadlines lie ahead, and the SLA figures have something to show.
//!
//! The set is loaded once: when its first agency exists, [`load_demo`] does nothing.

pub mod signer;
mod story;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde_json::Value;
use sigap_app::admin::registry;
use sigap_app::auth::{Caller, new_secret};
use sigap_app::intake::{Intake, submit_report};
use sigap_app::workflow::actions;
use sigap_app::{App, AppError, AppResult};
use sigap_core::{Channel, Clock, Given, ManualClock};

use story::{Event, Scenario, Step};

/// The demo's story as written.
const STORY: &str = include_str!("story.toml");

/// How long before the app's `now` the demo's story starts, in days.
const STORY_DAYS: i64 = 30;

/// Where the demo's requests come from, as the audit log records it.
const SOURCE: &str = "127.0.0.1";

/// The domain of every demo user's address.
const DEMO_DOMAIN: &str = "@demo.batam.go.id";

/// A staff user of the demo and the password it was given at load time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    /// The sign-in e-mail address.
    pub email: String,
    /// The role, e.g. `csirt`.
    pub role: String,
    /// The agency code of a system owner.
    pub agency: Option<String>,
    /// The password: 16 random letters and digits, generated at load time and shown once.
    pub password: String,
}

/// What [`load_demo`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// `false` when the demo was already there and nothing was loaded.
    pub loaded: bool,
    /// The users created, with their passwords.
    pub users: Vec<DemoUser>,
    /// The numbers of the tickets created, oldest first.
    pub tickets: Vec<String>,
}

/// The story, read and checked.
fn scenario() -> AppResult<Scenario> {
    Scenario::parse(STORY, STORY_DAYS * 24 * 60)
        .map_err(|e| AppError::Internal(format!("demo story: {e}")))
}

/// Refuses (`Conflict`) a database that holds users other than the demo's: the demo prints
/// passwords and is meant for a throw-away database, never for one in real use.
pub async fn check_database(app: &App) -> AppResult<()> {
    let foreign = app
        .store
        .list_users()
        .await?
        .into_iter()
        .filter(|u| !u.email.ends_with(DEMO_DOMAIN))
        .count();
    if foreign > 0 {
        return Err(AppError::Conflict(format!(
            "--demo refuses this database: it holds {foreign} user(s) that are not the demo's; \
             use an empty data directory or database for the demo"
        )));
    }
    Ok(())
}

/// Loads the demo data set once; a second call finds it and loads nothing.
pub async fn load_demo(app: &App) -> AppResult<DemoSummary> {
    let scenario = scenario()?;
    let marker = scenario
        .agency
        .first()
        .map(|a| a.code.as_str())
        .unwrap_or("");
    if app.store.find_agency(marker).await?.is_some() {
        return Ok(DemoSummary {
            loaded: false,
            users: Vec::new(),
            tickets: Vec::new(),
        });
    }
    let story = Story::new(app);
    register_agencies(&story.app, &scenario).await?;
    let users = add_users(&story.app, &scenario).await?;
    let cast = cast(&story.app, &scenario).await?;
    let tickets = story.play(&cast, scenario.event).await?;
    Ok(DemoSummary {
        loaded: true,
        users,
        tickets,
    })
}

async fn register_agencies(app: &App, scenario: &Scenario) -> AppResult<()> {
    let admin = Caller::system();
    for seed in &scenario.agency {
        let agency = registry::AgencyRequest {
            code: seed.code.as_str().into(),
            name: seed.name.as_str().into(),
            email: seed.email.as_str().into(),
            head_email: seed.head_email.as_str().into(),
        };
        registry::add_agency(app, &admin, &agency).await?;
        for system in &seed.systems {
            let system = registry::SystemRequest {
                agency: seed.code.as_str().into(),
                name: system.name.as_str().into(),
                domains: Given::list(&system.domains),
                ..registry::SystemRequest::default()
            };
            registry::add_system(app, &admin, &system).await?;
        }
    }
    Ok(())
}

/// Creates the users, each with a fresh readable password.
async fn add_users(app: &App, scenario: &Scenario) -> AppResult<Vec<DemoUser>> {
    let admin = Caller::system();
    let mut users = Vec::with_capacity(scenario.user.len());
    for seed in &scenario.user {
        let password: String = new_secret("")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(16)
            .collect();
        let user = registry::UserRequest {
            email: seed.email.as_str().into(),
            name: seed.name.as_str().into(),
            role: seed.role.as_str().into(),
            agency: seed.agency.clone().into(),
            password: password.clone().into(),
        };
        registry::add_user(app, &admin, &user).await?;
        users.push(DemoUser {
            email: seed.email.clone(),
            role: seed.role.as_str().to_owned(),
            agency: seed.agency.clone(),
            password,
        });
    }
    Ok(users)
}

/// The demo users as callers, by their key in the story.
async fn cast(app: &App, scenario: &Scenario) -> AppResult<HashMap<String, Caller>> {
    let mut cast = HashMap::new();
    for seed in &scenario.user {
        let user = app.store.find_user(&seed.email).await?.ok_or_else(|| {
            AppError::Internal(format!("demo: user {} was not created", seed.email))
        })?;
        let caller = Caller {
            user_id: user.id,
            email: user.email,
            name: user.name,
            role: user.role,
            agency_id: user.agency_id,
            agency_code: user.agency_code,
        };
        cast.insert(seed.key.clone(), caller);
    }
    Ok(cast)
}

/// The app on the story's clock, which only moves forward and ends at the app's `now`.
struct Story {
    app: App,
    clock: Arc<ManualClock>,
    end: DateTime<Utc>,
}

impl Story {
    fn new(app: &App) -> Story {
        let end = app.now();
        let clock = Arc::new(ManualClock::new(end - TimeDelta::days(STORY_DAYS)));
        let shared: Arc<dyn Clock> = clock.clone();
        Story {
            app: app.with_clock(shared),
            clock,
            end,
        }
    }

    /// Moves the clock to `minutes` before the end, unless it is already later.
    fn at(&self, minutes: i64) {
        let to = self.end - TimeDelta::minutes(minutes);
        if to > self.clock.now() {
            self.clock.set(to);
        }
    }

    /// Plays the events in time order (those of one moment as written); answers the ticket
    /// numbers in order of submission.
    async fn play(
        &self,
        cast: &HashMap<String, Caller>,
        mut events: Vec<Event>,
    ) -> AppResult<Vec<String>> {
        events.sort_by_key(|e| std::cmp::Reverse(e.ago));
        let mut numbers: Vec<(String, String)> = Vec::new();
        for event in events {
            self.at(event.ago);
            let body = resolve(event.step.body().clone(), self.end, &numbers)?;
            match &event.step {
                Step::Report(_) => {
                    let number = self.submit(&body).await?;
                    numbers.push((event.ticket, number));
                }
                Step::Act {
                    by,
                    action,
                    only_in,
                    ..
                } => {
                    let number = lookup(&numbers, &event.ticket)?;
                    let caller = cast
                        .get(by)
                        .ok_or_else(|| AppError::Internal(format!("demo: no user `{by}`")))?;
                    if let Some(state) = only_in {
                        let row = self.app.store.get_ticket(&number).await?;
                        if row.is_none_or(|t| t.state != *state) {
                            continue;
                        }
                    }
                    self.act(caller, &number, action.as_str(), &body).await?;
                }
            }
        }
        Ok(numbers.into_iter().map(|(_, n)| n).collect())
    }

    async fn submit(&self, body: &Value) -> AppResult<String> {
        let intake = Intake {
            staff: None,
            channel: Channel::Web,
            source: Some(SOURCE.into()),
        };
        let request = sigap_core::form::request(body).map_err(AppError::Invalid)?;
        let submitted = submit_report(&self.app, &request, &[], intake)
            .await
            .inspect_err(|e| {
                tracing::error!(error = %e, "demo: a report was refused");
            })?;
        Ok(submitted.ticket_number)
    }

    async fn act(
        &self,
        caller: &Caller,
        number: &str,
        action: &str,
        body: &Value,
    ) -> AppResult<()> {
        let source = Some(SOURCE.to_owned());
        actions::perform_action(&self.app, caller, number, action, body, &[], source)
            .await
            .inspect_err(|e| {
                tracing::error!(ticket = number, action, error = %e, "demo: an action was refused");
            })?;
        Ok(())
    }
}

fn lookup(numbers: &[(String, String)], key: &str) -> AppResult<String> {
    numbers
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, n)| n.clone())
        .ok_or_else(|| AppError::Internal(format!("demo: ticket `{key}` was not submitted first")))
}

/// `body` with each `"@ago …"` made the instant that long before `end` (RFC 3339, UTC) and
/// each `"@ticket key"` the number that ticket was given.
fn resolve(body: Value, end: DateTime<Utc>, numbers: &[(String, String)]) -> AppResult<Value> {
    Ok(match body {
        Value::String(text) => {
            if let Some(span) = text.strip_prefix("@ago ") {
                let minutes = story::minutes(span).map_err(AppError::Internal)?;
                let at = end - TimeDelta::minutes(minutes);
                Value::String(at.to_rfc3339_opts(SecondsFormat::Secs, true))
            } else if let Some(key) = text.strip_prefix("@ticket ") {
                Value::String(lookup(numbers, key)?)
            } else {
                Value::String(text)
            }
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| resolve(v, end, numbers))
                .collect::<AppResult<_>>()?,
        ),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| Ok((k, resolve(v, end, numbers)?)))
                .collect::<AppResult<_>>()?,
        ),
        other => other,
    })
}

#[cfg(test)]
mod tests;
