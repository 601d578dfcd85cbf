//! Who is calling: API tokens (random, shown once, stored as SHA-256), passwords (argon2id)
//! and reporters' tracking tokens (stored as SHA-256, compared in constant time).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use sha2::{Digest, Sha256};
use sigap_core::{Actor, Role};
use subtle::ConstantTimeEq;

use crate::{AppError, AppResult};

/// An authenticated staff user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub agency_id: Option<i64>,
    pub agency_code: Option<String>,
}

impl Caller {
    /// The caller as the workflow sees them.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user_id,
            role: self.role,
            agency_id: self.agency_id,
        }
    }

    /// The agency a system owner is limited to; `None` for roles that see everything.
    pub fn scope(&self) -> Option<i64> {
        if self.role == Role::SystemOwner {
            Some(self.agency_id.unwrap_or(-1))
        } else {
            None
        }
    }

    /// The tickets the caller may count and list: a system owner's agency's, once the
    /// agency has been told of them (`sigap_core::agency_told`); every ticket otherwise.
    pub fn ticket_scope(&self) -> sigap_store::TicketScope {
        sigap_store::TicketScope {
            agency_id: self.scope(),
            told_only: self.role == Role::SystemOwner,
        }
    }

    /// Refuses unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role], what: &str) -> AppResult<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "the role `{}` may not {what}",
                self.role
            )))
        }
    }

    /// Whether this is the operator at the command line ([`Caller::system`]), who may set
    /// what only the server's own configuration may: an adapter's commands and files.
    pub fn is_operator(&self) -> bool {
        self.user_id == 0 && self.email == "cli"
    }

    /// The operator at the command line: an admin acting on the machine itself.
    pub fn system() -> Caller {
        Caller {
            user_id: 0,
            email: "cli".to_owned(),
            name: "command line".to_owned(),
            role: Role::Admin,
            agency_id: None,
            agency_code: None,
        }
    }
}

/// A fresh random secret of 32 bytes, URL-safe, with a readable prefix.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a token: its SHA-256 in hex. Tokens carry 256 random bits, so a fast
/// hash is enough; passwords get argon2id.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares a presented token with a stored hash without leaking where they differ.
pub fn token_matches(token: &str, stored_hash: &str) -> bool {
    token_hash(token)
        .as_bytes()
        .ct_eq(stored_hash.as_bytes())
        .into()
}

/// The longest password accepted, in bytes (argon2's work grows with it).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// An argon2id hash of a password, in PHC string form. A password longer than
/// [`MAX_PASSWORD_BYTES`] is refused (`Invalid` on `password`).
pub fn hash_password(password: &str) -> AppResult<String> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::invalid(
            "password",
            format!("at most {} bytes", MAX_PASSWORD_BYTES),
        ));
    }
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    PasswordHasher::<PasswordHash>::hash_password_with_salt(
        &Argon2::default(),
        password.as_bytes(),
        &salt,
    )
    .map(|h| h.to_string())
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// Whether `password` matches a stored argon2 hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_match_only_their_hash() {
        let a = new_secret("sgp_");
        let b = new_secret("sgp_");
        assert_ne!(a, b);
        assert!(a.starts_with("sgp_") && a.len() > 40);
        assert!(token_matches(&a, &token_hash(&a)));
        assert!(!token_matches(&b, &token_hash(&a)));
    }

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash_password("rahasia-panjang").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("rahasia-panjang", &h));
        assert!(!verify_password("rahasia-salah", &h));
    }
}
