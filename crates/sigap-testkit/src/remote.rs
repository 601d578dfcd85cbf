//! A sigap reached over HTTP at a base URL, as a client in another process sees it (an
//! instance started with `sigap serve`, or nginx in front of several): the API's tokens of
//! the seeded roles, the steps of the SOP, a report sent as the public form sends it.

use std::collections::HashMap;

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::bodies;

/// A sigap at `base` (no trailing slash), with an API token per role key of [`crate::seed::ROLES`].
#[derive(Debug, Clone)]
pub struct Remote {
    pub base: String,
    pub client: reqwest::Client,
    pub tokens: HashMap<&'static str, String>,
}

impl Remote {
    pub fn new(base: &str, tokens: HashMap<&'static str, String>) -> Remote {
        Remote {
            base: base.trim_end_matches('/').to_owned(),
            client: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("client"),
            tokens,
        }
    }

    /// `action` on `number` as `role`; panics unless it succeeds.
    pub async fn act(&self, role: &str, number: &str, action: &str, body: &Value) -> Value {
        let response = self
            .client
            .post(format!(
                "{}/api/v1/tickets/{number}/actions/{action}",
                self.base
            ))
            .bearer_auth(&self.tokens[role])
            .json(body)
            .send()
            .await
            .expect("POST action");
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(
            status.is_success(),
            "{action} on {number}: {status} {body:#}"
        );
        body
    }

    /// `GET path` as `role`.
    pub async fn get(&self, role: &str, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.tokens[role])
            .send()
            .await
            .expect("GET")
    }

    /// The ticket as the CSIRT sees it.
    pub async fn ticket(&self, number: &str) -> Value {
        let r = self
            .get("csirt", &format!("/api/v1/tickets/{number}"))
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{number}");
        r.json().await.expect("ticket")
    }

    /// A public report on `target` with `file` as its evidence, as the form sends it;
    /// its number, or what the server answered instead.
    pub async fn report(&self, target: &str, file: (&str, &[u8])) -> Result<String, String> {
        let mut form = Form::new();
        for (k, v) in bodies::report_on(target).as_object().expect("report") {
            form = form.text(k.clone(), v.as_str().expect("text").to_owned());
        }
        form = form.part(
            "evidence",
            Part::bytes(file.1.to_vec()).file_name(file.0.to_owned()),
        );
        let response = self
            .client
            .post(format!("{}/api/v1/reports", self.base))
            .multipart(form)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body: Value = response.json().await.map_err(|e| e.to_string())?;
        if status != StatusCode::CREATED {
            return Err(format!("{status} {body}"));
        }
        Ok(body["ticket_number"].as_str().expect("number").to_owned())
    }

    /// Drives `number` along the high path until `state` ([`bodies::next_step`]), as
    /// `TestApp::drive` does.
    pub async fn drive(&self, number: &str, state: &str) -> Value {
        loop {
            let ticket = self.ticket(number).await;
            let current = ticket["state"].as_str().expect("state").to_owned();
            if current == state || current == "closed" {
                assert_eq!(current, state, "{number} cannot reach `{state}`");
                return ticket;
            }
            let (role, action, body) = bodies::next_step(&ticket)
                .unwrap_or_else(|| panic!("{number} is `{current}`; it cannot reach `{state}`"));
            self.act(role, number, action, &body).await;
        }
    }
}

/// A 1x1 PNG that decodes.
pub const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];
