//! The sign-in throttle: password guessing is limited per client before any password hash
//! is computed. Each sign-in attempt is counted in the database (so that every instance on
//! it counts the same) under a keyed hash of the client's address, an IPv6 client by its
//! /64 network (one subscriber usually holds a whole /64), in fixed windows of
//! [`WINDOW`]. An attempt beyond [`ATTEMPTS_PER_WINDOW`] answers `429` with `Retry-After`
//! up to the window's end; a sign-in that succeeds takes its attempt back, so the count is
//! one of failures. The refusal is audited once per client and window, so that a flood of
//! refused attempts does not flood the audit log.
//!
//! Argon2 verifications run on a bounded number of threads at once
//! ([`crate::Rules::password_slots`]), and a password longer than [`MAX_PASSWORD_BYTES`]
//! is refused before it is hashed.

use std::net::IpAddr;

use chrono::Duration;
use serde_json::json;

use crate::audit::login_entry;
use crate::{App, AppError, AppResult};

/// Failed sign-in attempts a client may make in one window.
pub const ATTEMPTS_PER_WINDOW: i64 = 10;
/// The length of a throttle window.
pub const WINDOW: Duration = Duration::minutes(15);
/// The longest password accepted, in bytes ([`crate::auth::MAX_PASSWORD_BYTES`]).
pub use crate::auth::MAX_PASSWORD_BYTES;

/// The start of the window `now` (ms) falls in.
pub fn window_start(now: i64) -> i64 {
    let width = WINDOW.num_milliseconds();
    now - now.rem_euclid(width)
}

/// The network a client address is counted as: the address itself for IPv4, its /64 for
/// IPv6 (an IPv4-mapped IPv6 address counts as the IPv4 address). Text that is no address
/// counts as itself.
pub fn network_of(address: &str) -> String {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => address.to_owned(),
    }
}

/// The key a client is counted under: a keyed hash of its network, so that addresses are
/// not kept in clear.
pub fn client_key(app: &App, source: Option<&str>) -> String {
    let network = network_of(source.unwrap_or("unknown"));
    hex::encode(&app.rules.secret_key.mac("login-client", network.as_bytes())[..16])
}

/// Counts a sign-in attempt of `client` and refuses it with `TooManyRequests` when the
/// client has used up its window; the count is committed before any password is checked,
/// so that concurrent attempts on several instances cannot all slip through.
pub async fn admit(
    app: &App,
    client: &str,
    now: i64,
    email: &str,
    source: Option<String>,
) -> AppResult<()> {
    let start = window_start(now);
    let mut tx = app.store.begin().await?;
    let attempts = tx.count_login_attempt(client, start).await?;
    if attempts <= ATTEMPTS_PER_WINDOW {
        tx.commit().await?;
        return Ok(());
    }
    if tx
        .note_sign_in_refusal(&format!("client:{client}"), start)
        .await?
    {
        let mut entry = login_entry(now, email, "unknown", "refused:throttled", source);
        entry.details = json!({"channel": "web", "client": client});
        tx.append_audit(&entry).await?;
    }
    tx.commit().await?;
    let end = start + WINDOW.num_milliseconds();
    Err(AppError::TooManyRequests {
        detail: format!(
            "too many sign-in attempts from this address: at most {ATTEMPTS_PER_WINDOW} \
             failures in {} minutes",
            WINDOW.num_minutes()
        ),
        retry_after: u64::try_from((end - now + 999) / 1000).unwrap_or(1).max(1),
    })
}

/// Whether the refusal of `subject` in the window of `now` is still to be audited: true
/// the first time in a window, inside the caller's transaction.
pub async fn first_in_window(tx: &mut sigap_store::Tx, subject: &str, now: i64) -> AppResult<bool> {
    Ok(tx.note_sign_in_refusal(subject, window_start(now)).await?)
}

/// Forgets windows and notices older than the lockout's reach, and clients that have not
/// signed in for [`KNOWN_CLIENT_DAYS`] days, inside the caller's transaction.
pub async fn sweep(tx: &mut sigap_store::Tx, now: i64) -> AppResult<()> {
    let before = window_start(now) - 2 * WINDOW.num_milliseconds();
    let known_before = now - Duration::days(KNOWN_CLIENT_DAYS).num_milliseconds();
    Ok(tx.sweep_sign_in(before, known_before).await?)
}

/// How long a client stays known for an account after its last complete sign-in.
pub const KNOWN_CLIENT_DAYS: i64 = 90;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_count_by_their_64_and_ipv4_by_address() {
        assert_eq!(network_of("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            network_of("2001:db8:1:2:ffff::9"),
            network_of("2001:db8:1:2::1")
        );
        assert_ne!(network_of("2001:db8:1:3::1"), network_of("2001:db8:1:2::1"));
        assert_eq!(network_of("::ffff:10.0.0.1"), "10.0.0.1");
        assert_eq!(network_of("10.0.0.1"), "10.0.0.1");
    }

    #[test]
    fn windows_are_aligned_to_fifteen_minutes() {
        let width = WINDOW.num_milliseconds();
        assert_eq!(window_start(3 * width + 5), 3 * width);
        assert_eq!(window_start(3 * width), 3 * width);
    }
}
