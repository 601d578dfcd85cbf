//! The webhook adapter: posts `{action, host, ticket, at, ...}` as JSON, signed with
//! HMAC-SHA256 of the body (lowercase hex in `X-Sigap-Signature`), and keeps the status and
//! body of the answer. Any status outside 2xx is a failure.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::config::WebhookConfig;
use crate::error::{AdapterKind, BlockError, FailureKind};
use crate::http;
use crate::outbound::OutboundPolicy;
use crate::record::{BlockRecord, Change, Direction, WebhookCall};
use crate::request::{BlockRequest, Hostname};
use crate::{Adapter, AdapterFuture};

const ADAPTER: AdapterKind = AdapterKind::Webhook;

/// The header carrying the body's signature.
pub const SIGNATURE_HEADER: &str = "X-Sigap-Signature";

/// The JSON body posted to the webhook.
#[derive(Debug, Serialize)]
struct Notice<'a> {
    action: Direction,
    host: &'a Hostname,
    ticket: &'a str,
    at: DateTime<Utc>,
    /// On unblock: the webhook's answer to the block, so the receiver can find its change.
    #[serde(skip_serializing_if = "Option::is_none")]
    block_answer: Option<&'a WebhookCall>,
}

/// Calls one URL.
pub struct WebhookAdapter {
    config: WebhookConfig,
    client: reqwest::Client,
    outbound: OutboundPolicy,
}

impl WebhookAdapter {
    /// An adapter posting to `config.url` with `timeout` per call.
    pub fn new(
        config: WebhookConfig,
        timeout: Duration,
        outbound: &OutboundPolicy,
    ) -> Result<Self, BlockError> {
        Ok(WebhookAdapter {
            client: http::client(ADAPTER, timeout, &config.url, outbound)?,
            config,
            outbound: outbound.clone(),
        })
    }

    async fn post(&self, notice: &Notice<'_>) -> Result<WebhookCall, BlockError> {
        let what = format!("posting to {}", self.config.url);
        let body = serde_json::to_vec(notice)
            .map_err(|e| BlockError::new(ADAPTER, FailureKind::InvalidRecord, e.to_string()))?;
        let response = self
            .client
            .post(self.config.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(
                SIGNATURE_HEADER,
                signature(self.config.secret.expose().as_bytes(), &body),
            )
            .body(body)
            .send()
            .await
            .map_err(|error| http::request_failure(ADAPTER, &what, &error))?;
        let status = response.status().as_u16();
        let text = http::body_text(ADAPTER, &what, response).await?;
        if !(200..300).contains(&status) {
            return Err(http::status_failure(ADAPTER, &what, status, &text));
        }
        Ok(WebhookCall {
            url: self.config.url.to_string(),
            status,
            body: text,
        })
    }
}

/// HMAC-SHA256 of `body` under `key`, as lowercase hex.
pub fn signature(key: &[u8], body: &[u8]) -> String {
    // HMAC takes keys of any length, so this cannot fail; keep the fallback total anyway.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(body);
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

impl Adapter for WebhookAdapter {
    fn kind(&self) -> AdapterKind {
        ADAPTER
    }

    fn block<'a>(&'a self, request: &'a BlockRequest) -> AdapterFuture<'a, BlockRecord> {
        Box::pin(async move {
            let notice = Notice {
                action: Direction::Block,
                host: &request.host,
                ticket: &request.ticket,
                at: request.now,
                block_answer: None,
            };
            let call = self.post(&notice).await?;
            Ok(BlockRecord {
                adapter: ADAPTER,
                direction: Direction::Block,
                host: request.host.clone(),
                ticket: request.ticket.clone(),
                at: request.now,
                change: Change::Webhook(call),
            })
        })
    }

    fn unblock<'a>(
        &'a self,
        record: &'a BlockRecord,
        now: DateTime<Utc>,
    ) -> AdapterFuture<'a, BlockRecord> {
        Box::pin(async move {
            record.expect_block_of(ADAPTER)?;
            let block_answer = match &record.change {
                Change::Webhook(call) => Some(call),
                _ => None,
            };
            let notice = Notice {
                action: Direction::Unblock,
                host: &record.host,
                ticket: &record.ticket,
                at: now,
                block_answer,
            };
            let call = self.post(&notice).await?;
            let change = Change::Webhook(call);
            Ok(BlockRecord {
                direction: Direction::Unblock,
                at: now,
                change,
                ..record.clone()
            })
        })
    }

    fn check(&self) -> AdapterFuture<'_, ()> {
        // A webhook has no side-effect-free call (any request would notify the receiver):
        // the check is that its name resolves to an address sigap may connect to.
        Box::pin(async move {
            let url = &self.config.url;
            let host = url.host_str().unwrap_or_default();
            let port = url.port_or_known_default().unwrap_or(443);
            self.outbound
                .resolve(host, port)
                .await
                .map(|_| ())
                .map_err(|e| {
                    let kind = match e {
                        crate::outbound::OutboundError::Unresolved { .. } => {
                            FailureKind::Unreachable
                        }
                        _ => FailureKind::NotAllowed,
                    };
                    BlockError::new(ADAPTER, kind, e.to_string())
                })
        })
    }
}
