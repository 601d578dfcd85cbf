//! Who the staff are and how they prove it: the password sign-in with its sessions
//! ([`login`]) and the throttle before it ([`throttle`]), the second factor ([`totp`]'s
//! building blocks, [`two_factor`]'s use cases), password changes ([`passwords`]), "Lupa
//! kata sandi" by a one-time link ([`recovery`]) API tokens ([`tokens`]) and the sign-in through an OpenID Connect provider ([`sso`],
//! [`sso_flow`]). Checking a
//! caller's credentials on each request is the shared [`crate::auth`].

pub mod login;
pub mod password_rules;
pub mod passwords;
pub mod recovery;
pub mod sso;
pub mod sso_flow;
pub(crate) mod sso_http;
pub mod throttle;
pub mod tokens;
pub mod totp;
pub mod two_factor;
