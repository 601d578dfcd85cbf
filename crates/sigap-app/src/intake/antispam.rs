//! Anti-spam for public reports, with no third-party service: a proof of work and limits
//! per client address.
//!
//! - **Proof of work.** The report form (and `GET /api/v1/reports/challenge` for API
//!   clients) hands out a challenge signed with the server's secret key. The reporter's
//!   browser finds a nonce such that SHA-256 of `challenge:nonce` starts with `bits` zero
//!   bits (about 65,000 hashes at 16 bits: well under a second of JavaScript) and sends both
//!   with the report. A challenge is good for two hours and for one report: its salt is
//!   recorded, in the report's transaction, until it expires.
//! - **Limits per address.** Reports are counted per client address and clock hour: a
//!   report with a valid proof counts against `per_hour`, one without (JavaScript off, or an
//!   API client that does not solve challenges) against the smaller `without_proof_per_hour`.
//!   Over the limit the report is refused with `429` and `Retry-After`, nothing stored.
//!   Addresses are kept only as a keyed hash (HMAC with the server's key), never in clear,
//!   and the counts of past hours are deleted by the worker's sweep.
//!
//! - **Reporter messages** (`/track` and the API) are counted the same way, per ticket and
//!   client address and hour, against `Rules::messages_per_hour`.
//!
//! Staff entering reports are not limited. A limit of 0 turns that limit off.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sigap_core::{FieldError, Given, ReportRequest};
use sigap_store::Tx;

use crate::{App, AppError, AppResult, millis};

/// How long a challenge may be used after it was issued.
pub const CHALLENGE_LIFETIME: Duration = Duration::hours(2);
/// The MAC purpose of challenges.
const PURPOSE: &str = "report-proof-of-work";
/// The form and JSON fields that carry a proof.
pub const CHALLENGE_FIELD: &str = "proof_challenge";
pub const NONCE_FIELD: &str = "proof_nonce";

/// The anti-spam settings of public intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeLimits {
    /// Reports with a valid proof of work, per client address and hour (0: no limit).
    pub per_hour: u32,
    /// Reports without a proof, per client address and hour (0: no limit).
    pub without_proof_per_hour: u32,
    /// Leading zero bits the proof of work must reach.
    pub proof_bits: u8,
}

impl IntakeLimits {
    /// No limits (tests and benchmarks; the binary sets its own defaults).
    pub fn off() -> IntakeLimits {
        IntakeLimits {
            per_hour: 0,
            without_proof_per_hour: 0,
            proof_bits: 16,
        }
    }
}

impl Default for IntakeLimits {
    fn default() -> Self {
        IntakeLimits::off()
    }
}

/// A challenge for the proof of work.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Challenge {
    /// Send back unchanged as `proof_challenge`, with the nonce found as `proof_nonce`.
    pub challenge: String,
    /// SHA-256 of `challenge:nonce` must start with this many zero bits.
    pub bits: u8,
    pub expires_at: DateTime<Utc>,
}

fn signed_part(issued: i64, salt: &str, bits: u8) -> String {
    format!("v1.{issued}.{salt}.{bits}")
}

/// A new challenge, signed with the server's key.
pub fn issue(app: &App) -> Challenge {
    let now = app.now();
    let salt = hex::encode(rand::random::<[u8; 16]>());
    let bits = app.rules.intake_limits.proof_bits;
    let signed = signed_part(millis(now), &salt, bits);
    let mac = hex::encode(&app.rules.secret_key.mac(PURPOSE, signed.as_bytes())[..16]);
    Challenge {
        challenge: format!("{signed}.{mac}"),
        bits,
        expires_at: now + CHALLENGE_LIFETIME,
    }
}

/// The number of leading zero bits of `hash`.
pub fn leading_zero_bits(hash: &[u8]) -> u32 {
    let mut bits = 0;
    for byte in hash {
        if *byte == 0 {
            bits += 8;
        } else {
            bits += byte.leading_zeros();
            break;
        }
    }
    bits
}

/// Whether `nonce` solves `challenge` at `bits`.
pub fn solves(challenge: &str, nonce: &str, bits: u8) -> bool {
    let hash = Sha256::digest(format!("{challenge}:{nonce}").as_bytes());
    leading_zero_bits(&hash) >= u32::from(bits)
}

/// Finds a nonce for `challenge` (tests and API clients written in Rust).
pub fn solve(challenge: &str, bits: u8) -> String {
    (0_u64..)
        .map(|n| n.to_string())
        .find(|n| solves(challenge, n, bits))
        .unwrap_or_default()
}

/// The parts of a challenge this server signed.
struct Signed<'a> {
    issued: i64,
    salt: &'a str,
    bits: u8,
}

/// The parts of `challenge` when this server signed it, whatever its age.
fn signed<'a>(app: &App, challenge: &'a str) -> Option<Signed<'a>> {
    let parts: Vec<&str> = challenge.split('.').collect();
    let [version, issued, salt, bits, mac] = parts.as_slice() else {
        return None;
    };
    let issued: i64 = issued.parse().ok()?;
    let bits: u8 = bits.parse().ok()?;
    if *version != "v1" || salt.len() != 32 {
        return None;
    }
    let expected = app
        .rules
        .secret_key
        .mac(PURPOSE, signed_part(issued, salt, bits).as_bytes());
    let given = hex::decode(mac).ok()?;
    let genuine =
        given.len() == 16 && bool::from(subtle::ConstantTimeEq::ct_eq(&expected[..16], &given[..]));
    genuine.then_some(Signed { issued, salt, bits })
}

/// The key of the form a report came with: the salt of the challenge the form page was
/// given (whether or not the browser solved it), when this server signed it. The same form
/// sent twice has the same key.
pub fn form_key(app: &App, report: &ReportRequest) -> Option<String> {
    let challenge = report.proof_challenge.as_str()?.trim();
    signed(app, challenge).map(|s| s.salt.to_owned())
}

/// A checked proof: the salt to record as spent, and when it expires.
struct Proof {
    salt: String,
    expires_at: i64,
}

fn refused(message: &str) -> AppError {
    AppError::Invalid(vec![FieldError::new(NONCE_FIELD, message)])
}

/// Checks the proof sent in `body`: `Ok(None)` when there is none, an error when it is
/// there but wrong, expired or too weak.
fn check_proof(app: &App, report: &ReportRequest) -> AppResult<Option<Proof>> {
    let text = |given: &'_ Given| -> Option<String> {
        given
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let (challenge, nonce) = (text(&report.proof_challenge), text(&report.proof_nonce));
    let (challenge, nonce) = match (challenge.as_deref(), nonce.as_deref()) {
        (None, None) | (Some(_), None) => return Ok(None),
        (None, Some(_)) => return Err(refused("the anti-spam check has no challenge")),
        (Some(c), Some(n)) => (c, n),
    };
    let invalid = || refused("the anti-spam check failed: please send the form again");
    let Some(Signed { issued, salt, bits }) = signed(app, challenge) else {
        return Err(invalid());
    };
    if nonce.len() > 24 {
        return Err(invalid());
    }
    let now = millis(app.now());
    let expires_at = issued + CHALLENGE_LIFETIME.num_milliseconds();
    if issued > now + 60_000 || now > expires_at {
        return Err(refused(
            "the anti-spam check has expired: please send the form again",
        ));
    }
    if bits < app.rules.intake_limits.proof_bits || !solves(challenge, nonce, bits) {
        return Err(invalid());
    }
    Ok(Some(Proof {
        salt: salt.to_owned(),
        expires_at,
    }))
}

/// The key a client address is counted under: a keyed hash, so that addresses are not
/// kept in clear.
fn client_key(app: &App, address: &str) -> String {
    hex::encode(
        &app.rules
            .secret_key
            .mac("intake-client", address.as_bytes())[..16],
    )
}

/// Admits a public report from `address` with `body`, inside the report's transaction:
/// checks the proof of work when there is one (recording its challenge as spent) and
/// counts the report against the address's hourly limit. Refusals change nothing, as the
/// transaction is not committed.
pub async fn admit(
    tx: &mut Tx,
    app: &App,
    address: Option<&str>,
    report: &ReportRequest,
) -> AppResult<()> {
    let limits = &app.rules.intake_limits;
    let proof = check_proof(app, report)?;
    if let Some(proof) = &proof
        && !tx.spend_challenge(&proof.salt, proof.expires_at).await?
    {
        return Err(refused(
            "this anti-spam check was already used: please send the form again",
        ));
    }
    let limit = if proof.is_some() {
        limits.per_hour
    } else {
        limits.without_proof_per_hour
    };
    if limit == 0 {
        return Ok(());
    }
    let now = app.now();
    let hour = millis(now) / 3_600_000;
    let key = client_key(app, address.unwrap_or("unknown"));
    let (proven, plain) = tx.count_intake(&key, hour, proof.is_some()).await?;
    let count = if proof.is_some() { proven } else { plain };
    if count > i64::from(limit) {
        let retry_after = seconds_to_next_hour(now);
        let detail = if proof.is_some() {
            format!("too many reports from this address: at most {limit} an hour")
        } else {
            format!(
                "too many reports from this address without the anti-spam check: at most \
                 {limit} an hour (the report form does the check when JavaScript is on)"
            )
        };
        return Err(AppError::TooManyRequests {
            detail,
            retry_after,
        });
    }
    Ok(())
}

/// Seconds from `now` to the next clock hour, when the hourly counts start again.
fn seconds_to_next_hour(now: DateTime<Utc>) -> u64 {
    let next_hour = (millis(now) / 3_600_000 + 1) * 3_600_000;
    u64::try_from((next_hour - millis(now)) / 1000)
        .unwrap_or(60)
        .max(1)
}

/// Counts a reporter's message (`/track` or the API) against the hourly limit of its
/// ticket and client address (`Rules::messages_per_hour`), inside the message's
/// transaction: a flood of messages on one tracking token stops at the limit, and another
/// address or ticket is not held up by it. Counted like reports, under a keyed hash.
pub async fn admit_message(
    tx: &mut Tx,
    app: &App,
    ticket_id: i64,
    address: Option<&str>,
) -> AppResult<()> {
    let limit = app.rules.messages_per_hour;
    if limit == 0 {
        return Ok(());
    }
    let now = app.now();
    let subject = format!("{ticket_id}/{}", address.unwrap_or("unknown"));
    let key = hex::encode(
        &app.rules
            .secret_key
            .mac("reporter-message", subject.as_bytes())[..16],
    );
    let (_, count) = tx
        .count_intake(&key, millis(now) / 3_600_000, false)
        .await?;
    if count > i64::from(limit) {
        return Err(AppError::TooManyRequests {
            detail: format!(
                "too many messages on this ticket from this address: at most {limit} an hour"
            ),
            retry_after: seconds_to_next_hour(now),
        });
    }
    Ok(())
}

/// Deletes spent challenges and report receipts that have expired, and the counts of past
/// hours.
pub async fn sweep(app: &App) -> AppResult<()> {
    let now = millis(app.now());
    let mut tx = app.store.begin().await?;
    tx.forget_intake(now, now / 3_600_000).await?;
    tx.forget_receipts(now).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_zero_bits_count_across_bytes() {
        assert_eq!(leading_zero_bits(&[0xff]), 0);
        assert_eq!(leading_zero_bits(&[0x00, 0x01]), 15);
        assert_eq!(leading_zero_bits(&[0x00, 0x00, 0x80]), 16);
        assert_eq!(leading_zero_bits(&[0x0f, 0x00]), 4);
    }

    #[test]
    fn a_solved_challenge_reaches_its_bits_and_another_nonce_rarely_does() {
        let challenge = "v1.1.00112233445566778899aabbccddeeff.12.abc";
        let nonce = solve(challenge, 12);
        assert!(solves(challenge, &nonce, 12));
        let misses = (0..64)
            .map(|n| format!("x{n}"))
            .filter(|n| !solves(challenge, n, 12))
            .count();
        assert!(misses >= 60, "a random nonce misses 12 bits almost always");
    }
}
