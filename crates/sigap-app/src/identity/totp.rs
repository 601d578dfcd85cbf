//! The second factor's building blocks, free of I/O: TOTP codes (RFC 6238 over RFC 4226:
//! HMAC-SHA-1, 6 digits, 30-second steps, one step of clock skew either way), the
//! `otpauth://` URI an authenticator app scans, one-time recovery codes, and the sealing of
//! a secret for storage.
//!
//! A secret is stored sealed with ChaCha20-Poly1305 under the server's [`SecretKey`]
//! (`SIGAP_SECRET_KEY`, or a key file in the data directory), with the user id as
//! associated data: a copy of the database alone does not give the secrets away, and a
//! sealed secret moved to another user does not open. The codes are small enough to write
//! here with `hmac` and `sha1`, which the tree already has, rather than pull in a crate
//! with its own copies of both.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::auth::token_hash;

/// The issuer an authenticator app shows next to the account.
pub const ISSUER: &str = "BATAM-CSIRT";
/// Seconds per time step.
pub const STEP_SECONDS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Steps of clock skew accepted either way (±30 s).
pub const SKEW_STEPS: i64 = 1;
/// Bytes of a new secret (160 bits, as RFC 4226 recommends for HMAC-SHA-1).
pub const SECRET_BYTES: usize = 20;
/// Recovery codes given at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// The time step of an instant: seconds since the epoch over [`STEP_SECONDS`].
pub fn step_at(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(STEP_SECONDS)
}

/// The HOTP value (RFC 4226) of `secret` for `counter`, as [`DIGITS`] digits.
pub fn code_at_step(secret: &[u8], step: i64) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!(
        "{:0width$}",
        binary % 10u32.pow(DIGITS),
        width = DIGITS as usize
    )
}

/// The code of `secret` at `now`.
pub fn code_at(secret: &[u8], now: DateTime<Utc>) -> String {
    code_at_step(secret, step_at(now))
}

/// The time step within [`SKEW_STEPS`] of `now` whose code is `code`, if any. Spaces in
/// the input are ignored; every candidate is compared in constant time.
pub fn matching_step(secret: &[u8], code: &str, now: DateTime<Utc>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = step_at(now);
    (current - SKEW_STEPS..=current + SKEW_STEPS)
        .filter(|step| {
            bool::from(
                code_at_step(secret, *step)
                    .as_bytes()
                    .ct_eq(code.as_bytes()),
            )
        })
        .max()
}

/// A new random secret.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut secret);
    secret
}

/// The secret in base32 without padding, as people type it into an authenticator app.
pub fn base32(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

/// The `otpauth://` URI of the enrolment QR code.
pub fn otpauth_uri(secret: &[u8], account: &str) -> String {
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        issuer = percent_encode(ISSUER),
        account = percent_encode(account),
        secret = base32(secret),
    )
}

/// Percent-encodes everything but the unreserved characters of RFC 3986.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// New recovery codes: each 80 random bits as 16 base32 letters and digits in groups of
/// four (`abcd-efgh-ijkl-mnop`), so that a fast hash is enough to store them.
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rand::rng().fill_bytes(&mut bytes);
            let text = data_encoding::BASE32_NOPAD
                .encode(&bytes)
                .to_ascii_lowercase();
            text.as_bytes()
                .chunks(4)
                .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// The stored form of a recovery code: the SHA-256 of its letters and digits in lower
/// case, so that dashes, spaces and capitals typed by a person do not matter.
pub fn recovery_code_hash(code: &str) -> String {
    let normalised: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    token_hash(&normalised)
}

/// Whether `code` has the shape of a recovery code (16 letters and digits).
pub fn looks_like_recovery_code(code: &str) -> bool {
    code.chars().filter(char::is_ascii_alphanumeric).count() == 16
}

/// The server's key that seals TOTP secrets. Its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

impl SecretKey {
    /// A new random key (tests; the binary reads a kept one).
    pub fn random() -> SecretKey {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        SecretKey(key)
    }

    /// A key written as 64 hexadecimal digits.
    pub fn from_hex(text: &str) -> Result<SecretKey, String> {
        let bytes = hex::decode(text.trim())
            .map_err(|_| "the key is 64 hexadecimal digits (32 bytes)".to_owned())?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "the key is 64 hexadecimal digits (32 bytes)".to_owned())?;
        Ok(SecretKey(key))
    }

    /// HMAC-SHA256 under this key of `message` for `purpose` (the purpose keeps the MACs of
    /// one use from being valid for another).
    pub fn mac(&self, purpose: &str, message: &[u8]) -> [u8; 32] {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &self.0);
        let mut context = ring::hmac::Context::with_key(&key);
        context.update(purpose.as_bytes());
        context.update(&[0]);
        context.update(message);
        let mut out = [0u8; 32];
        out.copy_from_slice(context.sign().as_ref());
        out
    }

    /// A key for one `purpose` alone, derived with HKDF-SHA256 (RFC 5869): the audit chain's
    /// key and the TOTP sealing key are different keys, and neither gives the other away.
    pub fn subkey(&self, purpose: &str) -> [u8; 32] {
        struct Len32;
        impl ring::hkdf::KeyType for Len32 {
            fn len(&self) -> usize {
                32
            }
        }
        let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, b"sigap").extract(&self.0);
        let info = [purpose.as_bytes()];
        let mut out = [0u8; 32];
        // 32 bytes are far within HKDF-SHA256's limit (255 × 32), so expanding cannot fail;
        // were it to, the key would be HMAC(key, purpose), still one of this purpose alone.
        match prk.expand(&info, Len32).and_then(|okm| okm.fill(&mut out)) {
            Ok(()) => out,
            Err(_) => self.mac(purpose, b"subkey"),
        }
    }

    /// The key as 64 hexadecimal digits, to be written to the key file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The key of the key file `path` (64 hexadecimal digits); a new random key written
    /// there (readable by its owner only, synced) when there is none. A file that appears
    /// meanwhile is not replaced: the write fails and says so.
    pub fn from_key_file(path: &std::path::Path) -> Result<SecretKey, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => SecretKey::from_hex(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                write_key_file(path).map_err(|e| format!("cannot create {}: {e}", path.display()))
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// The sealing key of version `v1` (the server key itself, as first released) or `v2`
    /// (its own subkey, [`Self::subkey`], so that it shares nothing with the audit chain's).
    fn aead(&self, version: &str) -> Option<LessSafeKey> {
        let key = match version {
            "v1" => self.0,
            "v2" => self.subkey("sigap totp seal v2"),
            _ => return None,
        };
        UnboundKey::new(&CHACHA20_POLY1305, &key)
            .ok()
            .map(LessSafeKey::new)
    }

    /// `secret` sealed for `user_id`: `v2.<nonce>.<ciphertext and tag>`, URL-safe base64.
    pub fn seal(&self, user_id: i64, secret: &[u8]) -> Option<String> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let mut sealed = secret.to_vec();
        self.aead("v2")?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(user_id.to_be_bytes()),
                &mut sealed,
            )
            .ok()?;
        Some(format!(
            "v2.{}.{}",
            URL_SAFE_NO_PAD.encode(nonce),
            URL_SAFE_NO_PAD.encode(sealed)
        ))
    }

    /// The secret sealed for `user_id` (by this version or the first, `v1`), or `None` when
    /// it was sealed under another key or for another user, or altered.
    pub fn open(&self, user_id: i64, sealed: &str) -> Option<Vec<u8>> {
        let mut parts = sealed.split('.');
        let (Some(version @ ("v1" | "v2")), Some(nonce), Some(body), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let nonce: [u8; NONCE_LEN] = URL_SAFE_NO_PAD.decode(nonce).ok()?.try_into().ok()?;
        let mut body = URL_SAFE_NO_PAD.decode(body).ok()?;
        let plain = self
            .aead(version)?
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(user_id.to_be_bytes()),
                &mut body,
            )
            .ok()?;
        Some(plain.to_vec())
    }
}

/// Writes a new random key to `path`, never over an existing file.
fn write_key_file(path: &std::path::Path) -> std::io::Result<SecretKey> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let key = SecretKey::random();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    writeln!(file, "{}", key.to_hex())?;
    file.sync_all()?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    /// The SHA-1 seed of RFC 6238, appendix B.
    const RFC_SEED: &[u8] = b"12345678901234567890";

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(seconds, 0).unwrap()
    }

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        // RFC 6238 lists 8 digits; the last 6 of each are the 6-digit code.
        let vectors = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (time, expected) in vectors {
            assert_eq!(code_at(RFC_SEED, at(time)), expected[2..], "T = {time}");
        }
    }

    #[test]
    fn one_step_of_skew_is_accepted_either_way_and_two_are_not() {
        let now = at(1_234_567_890);
        let step = step_at(now);
        let code = |offset: i64| code_at_step(RFC_SEED, step + offset);
        assert_eq!(matching_step(RFC_SEED, &code(0), now), Some(step));
        assert_eq!(matching_step(RFC_SEED, &code(-1), now), Some(step - 1));
        assert_eq!(matching_step(RFC_SEED, &code(1), now), Some(step + 1));
        assert_eq!(matching_step(RFC_SEED, &code(-3), now), None);
        assert_eq!(matching_step(RFC_SEED, &code(3), now), None);
        assert_eq!(matching_step(RFC_SEED, "12345", now), None);
        assert_eq!(matching_step(RFC_SEED, "abcdef", now), None);
    }

    #[test]
    fn the_uri_names_the_issuer_and_the_account() {
        let uri = otpauth_uri(RFC_SEED, "csirt@batam.go.id");
        assert_eq!(
            uri,
            "otpauth://totp/BATAM-CSIRT:csirt%40batam.go.id?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=BATAM-CSIRT&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_the_same_however_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert_eq!(codes[0].len(), 19);
        assert!(looks_like_recovery_code(&codes[0]));
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let typed = codes[0].replace('-', " ").to_ascii_uppercase();
        assert_eq!(recovery_code_hash(&typed), recovery_code_hash(&codes[0]));
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_user_and_key() {
        let key = SecretKey::random();
        let sealed = key.seal(7, RFC_SEED).unwrap();
        assert!(!sealed.contains(&base32(RFC_SEED)));
        assert_eq!(key.open(7, &sealed).as_deref(), Some(RFC_SEED));
        assert_eq!(key.open(8, &sealed), None);
        assert_eq!(SecretKey::random().open(7, &sealed), None);
        let hex = key.to_hex();
        assert_eq!(
            SecretKey::from_hex(&hex)
                .unwrap()
                .open(7, &sealed)
                .as_deref(),
            Some(RFC_SEED)
        );
        assert!(SecretKey::from_hex("abc").is_err());
        assert!(!format!("{key:?}").contains(&hex));
    }

    #[test]
    fn secrets_sealed_by_the_first_version_still_open_and_new_ones_use_a_subkey() {
        let key = SecretKey::from_hex(&"11".repeat(32)).unwrap();
        // A secret sealed as the first release did: v1, under the server key itself.
        let mut nonce = [0u8; NONCE_LEN];
        nonce[0] = 9;
        let mut body = b"JBSWY3DPEHPK3PXP".to_vec();
        key.aead("v1")
            .unwrap()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(7_i64.to_be_bytes()),
                &mut body,
            )
            .unwrap();
        let v1 = format!(
            "v1.{}.{}",
            URL_SAFE_NO_PAD.encode(nonce),
            URL_SAFE_NO_PAD.encode(body)
        );
        assert_eq!(key.open(7, &v1).as_deref(), Some(&b"JBSWY3DPEHPK3PXP"[..]));
        let v2 = key.seal(7, b"JBSWY3DPEHPK3PXP").unwrap();
        assert!(v2.starts_with("v2."));
        assert_eq!(key.open(7, &v2).as_deref(), Some(&b"JBSWY3DPEHPK3PXP"[..]));
        // The v2 body does not open under the server key itself, nor as v1.
        assert!(key.open(7, &v2.replacen("v2.", "v1.", 1)).is_none());
        // Subkeys differ by purpose and from the key.
        assert_ne!(
            key.subkey("sigap totp seal v2"),
            key.subkey("sigap audit chain v1")
        );
        assert_ne!(key.subkey("sigap audit chain v1"), key.0);
    }
}
