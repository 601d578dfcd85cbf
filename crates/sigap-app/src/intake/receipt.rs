//! The receipt of a report sent with the public form: after the ticket is opened the
//! browser is redirected to the confirmation page (post/redirect/get), which shows the
//! ticket number and the tracking token from a short-lived record. Reloading that page
//! shows them again for [`RECEIPT_LIFETIME`]; sending the same form again opens nothing
//! and says which ticket it already opened.
//!
//! The browser holds the receipt's id (a random 256-bit value) in a cookie. The store keeps
//! its hash and the token sealed (ChaCha20-Poly1305) under a key derived from the id and
//! the server key: a copy of the database does not reveal a token, nor does the id without
//! the server.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use rand::Rng;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use sigap_core::State;
use sigap_store::{NewReceipt, ReceiptRow, Tx};

use crate::auth::token_hash;
use crate::views::SubmittedReport;
use crate::{App, AppResult, millis};

/// How long the confirmation page can show a report's number and token.
pub const RECEIPT_LIFETIME: Duration = Duration::minutes(15);
/// The MAC purpose of the key a receipt's token is sealed under.
const PURPOSE: &str = "report-receipt";

/// The id of a receipt, as the browser keeps it: 43 URL-safe base64 characters.
#[derive(Clone, PartialEq, Eq)]
pub struct Receipt(String);

impl std::fmt::Debug for Receipt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Receipt(***)")
    }
}

impl Receipt {
    /// A new, random receipt id.
    pub fn new() -> Receipt {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Receipt(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The id read back from a cookie, when it has the form of one.
    pub fn parse(text: &str) -> Option<Receipt> {
        let well_formed = text.len() == 43
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| Receipt(text.to_owned()))
    }

    /// The id, for the cookie.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn key(&self, app: &App) -> Option<LessSafeKey> {
        let key = app.rules.secret_key.mac(PURPOSE, self.0.as_bytes());
        UnboundKey::new(&CHACHA20_POLY1305, &key)
            .ok()
            .map(LessSafeKey::new)
    }

    fn seal(&self, app: &App, ticket_id: i64, token: &str) -> Option<String> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let mut sealed = token.as_bytes().to_vec();
        self.key(app)?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(ticket_id.to_be_bytes()),
                &mut sealed,
            )
            .ok()?;
        Some(format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(nonce),
            URL_SAFE_NO_PAD.encode(sealed)
        ))
    }

    fn open(&self, app: &App, row: &ReceiptRow) -> Option<String> {
        let (nonce, body) = row.sealed_token.split_once('.')?;
        let nonce: [u8; NONCE_LEN] = URL_SAFE_NO_PAD.decode(nonce).ok()?.try_into().ok()?;
        let mut body = URL_SAFE_NO_PAD.decode(body).ok()?;
        let plain = self
            .key(app)?
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(row.ticket_id.to_be_bytes()),
                &mut body,
            )
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

impl Default for Receipt {
    fn default() -> Self {
        Receipt::new()
    }
}

/// What became of a report sent with the public form.
#[derive(Debug, Clone)]
pub enum FormOutcome {
    /// The report opened a ticket; the receipt shows it.
    Opened(SubmittedReport),
    /// The same form had already opened this ticket; nothing new was stored.
    AlreadySent { ticket_number: String },
}

/// What the reporter is shown of the ticket `number` just opened, with its `token`.
pub(crate) fn submitted(app: &App, number: &str, token: String) -> SubmittedReport {
    SubmittedReport {
        tracking_url: format!(
            "{}/track?ticket={number}",
            app.rules.public_url.trim_end_matches('/')
        ),
        ticket_number: number.to_owned(),
        tracking_token: token,
        state: State::Queued,
    }
}

/// The ticket the form `form_key` already opened, if any.
pub(crate) async fn already_sent(tx: &mut Tx, form_key: Option<&str>) -> AppResult<Option<String>> {
    let Some(key) = form_key else {
        return Ok(None);
    };
    Ok(tx.receipt_for_form(key).await?.map(|r| r.ticket_number))
}

/// Stores the receipt of the ticket just opened, in its transaction. Answers the ticket
/// another request with the same form opened first, if one did: then this one must store
/// nothing.
pub(crate) async fn record(
    tx: &mut Tx,
    app: &App,
    receipt: &Receipt,
    form_key: Option<&str>,
    ticket_id: i64,
    token: &str,
) -> AppResult<Option<String>> {
    let sealed = receipt
        .seal(app, ticket_id, token)
        .ok_or_else(|| crate::AppError::Internal("the receipt could not be sealed".into()))?;
    let stored = tx
        .insert_receipt(&NewReceipt {
            receipt_hash: &token_hash(receipt.as_str()),
            form_key,
            ticket_id,
            sealed_token: &sealed,
            expires_at: millis(app.now() + RECEIPT_LIFETIME),
        })
        .await?;
    if stored {
        return Ok(None);
    }
    Ok(Some(already_sent(tx, form_key).await?.unwrap_or_default()))
}

/// The report a receipt shows, while it lasts: `None` for an unknown or expired receipt,
/// or one whose token does not open under this server's key.
pub async fn show(app: &App, receipt: &Receipt) -> AppResult<Option<SubmittedReport>> {
    let now = millis(app.now());
    let Some(row) = app
        .store
        .get_receipt(&token_hash(receipt.as_str()), now)
        .await?
    else {
        return Ok(None);
    };
    Ok(receipt
        .open(app, &row)
        .map(|token| submitted(app, &row.ticket_number, token)))
}
