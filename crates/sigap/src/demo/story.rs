//! The demo's story as data: the agencies with their systems, the cast of staff users and
//! the events, read from TOML and checked before anything is loaded, so that a story that
//! names an unknown user, an unknown action or a ticket not yet submitted is refused with
//! the reason, not half-loaded.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::Value;
use sigap_core::{Action, Role, State};

/// The whole story.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub agency: Vec<AgencySeed>,
    pub user: Vec<UserSeed>,
    pub event: Vec<Event>,
}

/// An agency and its electronic systems.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencySeed {
    pub code: String,
    pub name: String,
    pub email: String,
    pub head_email: String,
    pub systems: Vec<SystemSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemSeed {
    pub name: String,
    pub domains: Vec<String>,
}

/// A staff user; `key` is how the events name them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSeed {
    pub key: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub agency: Option<String>,
}

/// One thing that happens, `ago` minutes before the story's end.
#[derive(Debug)]
pub struct Event {
    pub ago: i64,
    pub ticket: String,
    pub step: Step,
}

#[derive(Debug)]
pub enum Step {
    /// A reporter submits a report through the public form.
    Report(Value),
    /// A user of the cast performs a workflow action, unless `only_in` names a state the
    /// ticket is not in.
    Act {
        by: String,
        action: Action,
        only_in: Option<State>,
        body: Value,
    },
}

impl Step {
    /// The report's or the action's fields.
    pub fn body(&self) -> &Value {
        match self {
            Step::Report(body) | Step::Act { body, .. } => body,
        }
    }
}

/// An event as written: a `report`, or `by`, `action` and `body`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventSeed {
    ago: String,
    ticket: String,
    report: Option<Value>,
    by: Option<String>,
    action: Option<Action>,
    only_in: Option<State>,
    body: Option<Value>,
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let seed = EventSeed::deserialize(deserializer)?;
        let ago = minutes(&seed.ago).map_err(serde::de::Error::custom)?;
        let step = match seed {
            EventSeed {
                report: Some(report),
                by: None,
                action: None,
                only_in: None,
                body: None,
                ..
            } => Step::Report(report),
            EventSeed {
                report: None,
                by: Some(by),
                action: Some(action),
                only_in,
                body: Some(body),
                ..
            } => Step::Act {
                by,
                action,
                only_in,
                body,
            },
            _ => {
                return Err(serde::de::Error::custom(format!(
                    "event of `{}` at `{}`: either `report`, or `by`, `action` and `body`",
                    seed.ticket, seed.ago
                )));
            }
        };
        Ok(Event {
            ago,
            ticket: seed.ticket,
            step,
        })
    }
}

/// Minutes in a span written as days, hours and minutes: `11d 21h`, `3h 58m`, `0m`.
pub fn minutes(span: &str) -> Result<i64, String> {
    let mut total = 0i64;
    let mut seen = false;
    for part in span.split_whitespace() {
        let (number, unit) = part.split_at(part.len().saturating_sub(1));
        let n: i64 = number
            .parse()
            .map_err(|_| format!("`{span}` is not a span such as `11d 21h` or `3h 58m`"))?;
        total += match unit {
            "d" => n * 24 * 60,
            "h" => n * 60,
            "m" => n,
            _ => return Err(format!("`{span}`: a part ends in d, h or m")),
        };
        seen = true;
    }
    if !seen {
        return Err("an empty span".to_owned());
    }
    Ok(total)
}

impl Scenario {
    /// Reads a story and checks that it can be walked within `story_minutes`: every event
    /// within the story, every `by` a user of the cast, every ticket submitted once and
    /// before its first action, every agency of a user registered.
    pub fn parse(text: &str, story_minutes: i64) -> Result<Scenario, String> {
        let scenario: Scenario = toml::from_str(text).map_err(|e| e.to_string())?;
        if scenario.agency.is_empty() {
            return Err("the story registers no agency".to_owned());
        }
        let agencies: BTreeSet<&str> = scenario.agency.iter().map(|a| a.code.as_str()).collect();
        let cast: BTreeSet<&str> = scenario.user.iter().map(|u| u.key.as_str()).collect();
        for user in &scenario.user {
            if let Some(agency) = &user.agency
                && !agencies.contains(agency.as_str())
            {
                return Err(format!("user `{}`: no agency `{agency}`", user.key));
            }
        }
        let mut order: Vec<&Event> = scenario.event.iter().collect();
        order.sort_by_key(|e| std::cmp::Reverse(e.ago));
        let mut submitted = BTreeSet::new();
        for event in order {
            if !(0..=story_minutes).contains(&event.ago) {
                return Err(format!("event of `{}`: outside the story", event.ticket));
            }
            match &event.step {
                Step::Report(_) => {
                    if !submitted.insert(event.ticket.as_str()) {
                        return Err(format!("ticket `{}` is submitted twice", event.ticket));
                    }
                }
                Step::Act { by, action, .. } => {
                    if !submitted.contains(event.ticket.as_str()) {
                        return Err(format!(
                            "`{action}` on `{}` before it was submitted",
                            event.ticket
                        ));
                    }
                    if !cast.contains(by.as_str()) {
                        return Err(format!("`{action}` on `{}`: no user `{by}`", event.ticket));
                    }
                }
            }
        }
        Ok(scenario)
    }
}
