//! Webhooks: each change of a ticket's state as a signed JSON message to the configured URLs
//! (`SIGAP_WEBHOOK_URLS`), for chat bots and other tools. The message is a job enqueued in
//! the transaction of the step (so a refused step sends nothing) and delivered by the worker
//! with retries; a receiver that is down never holds up the procedure.
//!
//! The body names the ticket, the step and the states, never the reporter's words (the
//! title, description and proof of concept stay in sigap). When a secret is set
//! (`SIGAP_WEBHOOK_SECRET`), the header `X-Sigap-Signature` carries the HMAC-SHA256 of the
//! exact body in lowercase hex, as the blocking adapter's webhook does. Deliveries follow the
//! outbound policy (`SIGAP_OUTBOUND_ALLOW`): a receiver on a private address must be listed.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sigap_block::OutboundPolicy;
use sigap_store::{JobRow, NewJob, TicketRow, Tx};

use crate::{App, AppError, AppResult, from_millis};

/// One configured receiver.
#[derive(Clone)]
pub struct WebhookTarget {
    pub url: url::Url,
    /// The HMAC key; `None` sends unsigned.
    pub secret: Option<String>,
}

impl std::fmt::Debug for WebhookTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookTarget")
            .field("url", &self.url.as_str())
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .finish()
    }
}

impl WebhookTarget {
    /// Reads a list of `http(s)` URLs separated by commas or spaces, all signed with
    /// `secret`.
    pub fn parse_list(urls: &str, secret: Option<&str>) -> Result<Vec<WebhookTarget>, String> {
        urls.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|u| !u.is_empty())
            .map(|u| {
                let url = url::Url::parse(u).map_err(|e| format!("webhook URL `{u}`: {e}"))?;
                if !matches!(url.scheme(), "http" | "https") {
                    return Err(format!("webhook URL `{u}`: only http and https"));
                }
                Ok(WebhookTarget {
                    url,
                    secret: secret.filter(|s| !s.is_empty()).map(str::to_owned),
                })
            })
            .collect()
    }
}

/// A delivery: where to, and the exact body that is signed and sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct WebhookJob {
    url: String,
    event: String,
    body: String,
}

/// What a state change says.
pub(crate) struct StateChange<'a> {
    pub action: &'a str,
    pub from: Option<&'a str>,
    pub row: &'a TicketRow,
    pub at: DateTime<Utc>,
}

/// Enqueues the state change for every configured receiver, in the step's transaction.
pub(crate) async fn enqueue(
    app: &App,
    tx: &mut Tx,
    change: &StateChange<'_>,
    now: i64,
) -> AppResult<()> {
    if app.rules.notices.webhooks.is_empty() {
        return Ok(());
    }
    let row = change.row;
    let event = if change.from.is_none() {
        "ticket.created"
    } else {
        "ticket.state_changed"
    };
    let body = json!({
        "event": event,
        "ticket": row.number,
        "action": change.action,
        "from": change.from,
        "to": row.state,
        "at": change.at,
        "round": row.round,
        "criticality": row.criticality,
        "blocked": row.blocked,
        "agency": row.agency_code,
        "system": row.system_name,
        "tlp": row.tlp,
        "due_at": row.due_at.map(from_millis),
        "url": format!("{}/tickets/{}", app.rules.public_url.trim_end_matches('/'), row.number),
    })
    .to_string();
    for target in &app.rules.notices.webhooks {
        let job = WebhookJob {
            url: target.url.to_string(),
            event: event.to_owned(),
            body: body.clone(),
        };
        let payload = serde_json::to_string(&job)
            .map_err(|e| AppError::Internal(format!("webhook job: {e}")))?;
        tx.enqueue_job(&NewJob {
            kind: sigap_core::JobKind::Webhook,
            payload: &payload,
            ticket_id: Some(row.id),
            run_at: now,
            now,
        })
        .await?;
    }
    Ok(())
}

/// A client that follows the outbound policy; built per delivery, since webhooks are few
/// and the policy belongs to the app.
fn client(outbound: &OutboundPolicy) -> Result<reqwest::Client, String> {
    outbound
        .client(reqwest::Client::builder())
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("sigap/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("HTTP client: {e}"))
}

/// Delivers one claimed webhook job: 2xx is done; a timeout, a refused connection, 408, 429
/// and 5xx are retried; any other answer fails the job for good.
pub(crate) async fn send(app: &App, job: &JobRow) -> Result<String, (bool, String)> {
    let hook: WebhookJob =
        serde_json::from_str(&job.payload).map_err(|e| (false, format!("payload: {e}")))?;
    let Some(target) = app
        .rules
        .notices
        .webhooks
        .iter()
        .find(|t| t.url.as_str() == hook.url)
    else {
        return Err((
            false,
            format!("{} is no longer a configured webhook", hook.url),
        ));
    };
    let outbound = &app.rules.blocking.outbound;
    // A refused address is the operator's to fix (`SIGAP_OUTBOUND_ALLOW`): not retried.
    outbound
        .check_url(&target.url)
        .map_err(|e| (false, format!("{}: {e}", hook.url)))?;
    let mut request = client(outbound)
        .map_err(|e| (true, e))?
        .post(target.url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Sigap-Event", &hook.event)
        .header("X-Sigap-Delivery", job.id.to_string());
    if let Some(secret) = &target.secret {
        request = request.header(
            sigap_block::SIGNATURE_HEADER,
            sigap_block::signature(secret.as_bytes(), hook.body.as_bytes()),
        );
    }
    let response = request
        .body(hook.body.clone())
        .send()
        .await
        .map_err(|e| (true, format!("{}: {e}", hook.url)))?;
    let status = response.status();
    if status.is_success() {
        return Ok(job.payload.clone());
    }
    let transient = status.is_server_error() || matches!(status.as_u16(), 408 | 429);
    Err((transient, format!("{} answered {status}", hook.url)))
}
