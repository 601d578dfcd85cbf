//! OpenPGP for mail to the CSIRT: the CSIRT's key (`SIGAP_PGP_KEY_FILE`, with its passphrase
//! from `SIGAP_PGP_PASSPHRASE`) decrypts what reporters encrypt to it, and signatures are
//! checked against the public keys the CSIRT knows (`SIGAP_PGP_KNOWN_KEYS`) or the key the
//! message itself carries (an `Autocrypt` header, an attached key). A signature by a key
//! the message brought proves that the text was not changed since it was signed by whoever
//! holds that key, not who that is: the result says which kind of key it was. The public
//! half of the CSIRT's key is served for reporters (`/pgp-key.txt`, named in
//! `security.txt`). Reading PGP/MIME (RFC 3156) and inline PGP is [`crate::inbox::sealed`].

use std::io::{BufReader, Read};

use pgp::composed::{
    ArmorOptions, CleartextSignedMessage, Deserializable, DetachedSignature, Message,
    SignedPublicKey, SignedSecretKey,
};
use pgp::packet::Signature;
use pgp::types::{KeyDetails, Password, VerifyingKey};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most plaintext one message decrypts to (a compressed message cannot grow past it).
pub const MAX_PLAINTEXT: u64 = 64 * 1024 * 1024;

/// The CSIRT's key and the public keys it knows.
pub struct PgpKeys {
    secret: SignedSecretKey,
    passphrase: String,
    public_armored: String,
    fingerprint: String,
    known: Vec<SignedPublicKey>,
}

impl std::fmt::Debug for PgpKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgpKeys")
            .field("fingerprint", &self.fingerprint)
            .field("known", &self.known.len())
            .finish_non_exhaustive()
    }
}

impl PgpKeys {
    /// The CSIRT's secret key (armored or binary) unlocked by `passphrase`, and the public
    /// keys of `known` (armored, any number; may be empty). Says what is wrong: a file that
    /// holds no secret key, a passphrase that does not unlock it, a key that cannot decrypt.
    pub fn load(secret: &[u8], passphrase: &str, known: &[u8]) -> Result<PgpKeys, String> {
        let (secret, _) = SignedSecretKey::from_reader_single(secret)
            .map_err(|e| format!("no OpenPGP secret key could be read ({e})"))?;
        secret
            .verify_bindings()
            .map_err(|e| format!("the secret key's own signatures do not verify ({e})"))?;
        let password = Password::from(passphrase);
        let unlocks = secret
            .primary_key
            .unlock(&password, |_, _| Ok(()))
            .is_ok_and(|r| r.is_ok())
            && secret.secret_subkeys.iter().all(|s| {
                s.key
                    .unlock(&password, |_, _| Ok(()))
                    .is_ok_and(|r| r.is_ok())
            });
        if !unlocks {
            return Err("the passphrase does not unlock the secret key".to_owned());
        }
        let encrypts = secret.primary_key.algorithm().can_encrypt()
            || secret
                .secret_subkeys
                .iter()
                .any(|s| s.key.algorithm().can_encrypt());
        if !encrypts {
            return Err("the key has no part that can decrypt (an encryption subkey)".to_owned());
        }
        let public = secret.to_public_key();
        let public_armored = public
            .to_armored_string(ArmorOptions::default())
            .map_err(|e| format!("the public key could not be written ({e})"))?;
        let known = if known.iter().all(u8::is_ascii_whitespace) {
            Vec::new()
        } else {
            let (keys, _) = SignedPublicKey::from_armor_many(known)
                .map_err(|e| format!("the known keys could not be read ({e})"))?;
            let keys = keys
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("a known key could not be read ({e})"))?;
            if let Some(bad) = keys.iter().find(|k| k.verify_bindings().is_err()) {
                return Err(format!(
                    "the known key {} has signatures that do not verify",
                    hex_upper(bad.fingerprint().as_bytes())
                ));
            }
            keys
        };
        Ok(PgpKeys {
            fingerprint: hex_upper(public.fingerprint().as_bytes()),
            secret,
            passphrase: passphrase.to_owned(),
            public_armored,
            known,
        })
    }

    /// The CSIRT's public key, armored.
    pub fn public_armored(&self) -> &str {
        &self.public_armored
    }

    /// The fingerprint of the CSIRT's key, in upper-case hex.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

/// What sigap found of OpenPGP in a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PgpResult {
    /// `decrypted`, `undecryptable`, or `none` (the message was not encrypted).
    pub encryption: String,
    /// Why it could not be decrypted.
    pub error: Option<String>,
    /// `good`, `bad` (the text or the signature was changed), `unknown_key` (signed by a
    /// key sigap does not have), or `none`.
    pub signature: String,
    /// The fingerprint of the signing key (or its key id, when the key is unknown).
    pub signer: Option<String>,
    /// The signing key's first user id.
    pub signer_user: Option<String>,
    /// Where the signing key came from: `known` (the CSIRT's list of keys) or `sent`
    /// (carried by the message itself).
    pub signer_key: Option<String>,
}

impl Default for PgpResult {
    /// Neither encrypted nor signed.
    fn default() -> PgpResult {
        PgpResult {
            encryption: "none".to_owned(),
            error: None,
            signature: "none".to_owned(),
            signer: None,
            signer_user: None,
            signer_key: None,
        }
    }
}

impl PgpResult {
    /// Whether the message was encrypted and could not be opened.
    pub fn undecryptable(&self) -> bool {
        self.encryption == "undecryptable"
    }

    pub(crate) fn cannot_decrypt(&mut self, why: impl Into<String>) {
        self.encryption = "undecryptable".to_owned();
        self.error = Some(why.into());
    }

    pub(crate) fn judged(&mut self, check: SignatureCheck) {
        // The first signature found counts; a later part cannot overwrite a bad one.
        if self.signature != "none" {
            return;
        }
        self.signature = check.state.to_owned();
        self.signer = check.signer;
        self.signer_user = check.user;
        self.signer_key = check.source.map(str::to_owned);
    }
}

/// The verdict on one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignatureCheck {
    state: &'static str,
    signer: Option<String>,
    user: Option<String>,
    source: Option<&'static str>,
}

/// A public key that may have made a signature, and where it came from.
pub(crate) struct Candidate {
    pub key: SignedPublicKey,
    /// `known` or `sent`.
    pub source: &'static str,
}

/// The keys a signature is checked against: the known ones, then those the message sent.
pub(crate) fn candidates(keys: Option<&PgpKeys>, sent: Vec<SignedPublicKey>) -> Vec<Candidate> {
    keys.map(|k| k.known.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|key| Candidate {
            key,
            source: "known",
        })
        .chain(sent.into_iter().map(|key| Candidate {
            key,
            source: "sent",
        }))
        .collect()
}

/// Public keys in `bytes` (armored or binary) whose own signatures hold (a key whose
/// subkey or user id was bound by someone else could lend another's name to a signature);
/// nothing when there are none.
pub(crate) fn public_keys(bytes: &[u8]) -> Vec<SignedPublicKey> {
    if let Ok((keys, _)) = SignedPublicKey::from_reader_many(bytes) {
        return keys
            .filter_map(Result::ok)
            .filter(|k| k.verify_bindings().is_ok())
            .take(8)
            .collect();
    }
    Vec::new()
}

/// What was signed: a message read to its end, or bytes with a separate signature.
pub(crate) enum Signed<'m, 'a> {
    Message(&'m Message<'a>),
    Detached(&'m Signature, &'m [u8]),
}

impl Signed<'_, '_> {
    fn signature(&self) -> Option<&Signature> {
        match self {
            Signed::Message(Message::Signed { reader, .. }) => reader.signature(0),
            Signed::Message(_) => None,
            Signed::Detached(sig, _) => Some(sig),
        }
    }

    fn verified_by<K: VerifyingKey>(&self, key: &K) -> bool {
        match self {
            Signed::Message(m) => m.verify(key).is_ok(),
            Signed::Detached(sig, data) => sig.verify(key, *data).is_ok(),
        }
    }
}

/// Judges `signed` against `candidates`: a key whose id the signature names and that
/// verifies it is `good`; one named that does not verify it, `bad`; none named, `unknown_key`.
pub(crate) fn judge(signed: &Signed<'_, '_>, candidates: &[Candidate]) -> SignatureCheck {
    let Some(sig) = signed.signature() else {
        return verdict("bad", None, None, None);
    };
    let ids: Vec<Vec<u8>> = sig
        .issuer_key_id()
        .iter()
        .map(|id| id.as_ref().to_vec())
        .collect();
    let fingerprints: Vec<Vec<u8>> = sig
        .issuer_fingerprint()
        .iter()
        .map(|f| f.as_bytes().to_vec())
        .collect();
    let names = |k: &dyn KeyDetails| {
        (ids.is_empty() && fingerprints.is_empty())
            || ids.contains(&k.legacy_key_id().as_ref().to_vec())
            || fingerprints.contains(&k.fingerprint().as_bytes().to_vec())
    };
    let mut failed = None;
    for candidate in candidates {
        let key = &candidate.key;
        let mut named = names(key);
        let mut good = named && signed.verified_by(key);
        for sub in &key.public_subkeys {
            if !good && names(sub) {
                named = true;
                good = signed.verified_by(sub);
            }
        }
        if good {
            return described("good", candidate);
        }
        if named && failed.is_none() {
            failed = Some(candidate);
        }
    }
    if let Some(candidate) = failed {
        return described("bad", candidate);
    }
    let issuer = fingerprints.first().or(ids.first()).map(|b| hex_upper(b));
    verdict("unknown_key", issuer, None, None)
}

/// The verdict `state` on a signature by `candidate`'s key.
fn described(state: &'static str, candidate: &Candidate) -> SignatureCheck {
    let key = &candidate.key;
    let user = key.details.users.first().map(|u| user_id(u.id.id()));
    let fingerprint = Some(hex_upper(key.fingerprint().as_bytes()));
    verdict(state, fingerprint, user, Some(candidate.source))
}

fn verdict(
    state: &'static str,
    signer: Option<String>,
    user: Option<String>,
    source: Option<&'static str>,
) -> SignatureCheck {
    SignatureCheck {
        state,
        signer,
        user,
        source,
    }
}

/// The plaintext of an encrypted OpenPGP message (armored or binary), and the verdict on
/// its signature when it carries one; `sent` adds the keys the plaintext itself carries.
pub(crate) fn decrypt(
    keys: &PgpKeys,
    data: &[u8],
    known: Vec<Candidate>,
    sent: impl Fn(&[u8]) -> Vec<SignedPublicKey>,
) -> Result<(Vec<u8>, Option<SignatureCheck>), String> {
    // The desk reads these reasons: short words, the library's own detail in the log.
    let (message, _) = Message::from_reader(BufReader::new(data)).map_err(|e| {
        tracing::info!(error = %e, "an OpenPGP message could not be read");
        "the encrypted part is not a readable OpenPGP message (damaged or cut off)".to_owned()
    })?;
    let recipients = recipients(&message);
    let password = Password::from(keys.passphrase.as_str());
    let mut message = match message.decrypt(&password, &keys.secret) {
        Ok(m) => m,
        Err(pgp::errors::Error::MissingKey) => {
            return Err(format!(
                "encrypted to another key ({recipients}), not the CSIRT's"
            ));
        }
        Err(e) => {
            tracing::info!(error = %e, "an OpenPGP message could not be decrypted");
            return Err(
                "decryption failed (the message is damaged or uses an algorithm sigap does \
                 not read)"
                    .to_owned(),
            );
        }
    };
    for _ in 0..3 {
        message = message
            .decompress()
            .map_err(|_| "the decrypted message could not be decompressed".to_owned())?;
    }
    let mut plain = Vec::new();
    (&mut message)
        .take(MAX_PLAINTEXT + 1)
        .read_to_end(&mut plain)
        .map_err(|_| "the decrypted message could not be read to its end".to_owned())?;
    if plain.len() as u64 > MAX_PLAINTEXT {
        return Err(format!(
            "the plaintext is larger than {MAX_PLAINTEXT} bytes"
        ));
    }
    let check = message.is_signed().then(|| {
        let mut all = known;
        all.extend(sent(&plain).into_iter().map(|key| Candidate {
            key,
            source: "sent",
        }));
        judge(&Signed::Message(&message), &all)
    });
    Ok((plain, check))
}

/// The key ids an encrypted message names as its recipients (`0x…`, comma-separated).
fn recipients(message: &Message<'_>) -> String {
    let Message::Encrypted { esk, .. } = message else {
        return "?".to_owned();
    };
    let ids: Vec<String> = esk
        .iter()
        .filter_map(|e| match e {
            pgp::composed::Esk::PublicKeyEncryptedSessionKey(p) => p.id().ok(),
            _ => None,
        })
        .map(|id| format!("0x{}", hex_upper(id.as_ref())))
        .collect();
    if ids.is_empty() {
        "no key named".to_owned()
    } else {
        ids.join(", ")
    }
}

/// The verdict on a detached signature (armored) over `data`.
pub(crate) fn check_detached(
    signature: &[u8],
    data: &[u8],
    candidates: &[Candidate],
) -> SignatureCheck {
    match DetachedSignature::from_reader_single(signature) {
        Ok((sig, _)) => judge(&Signed::Detached(&sig.signature, data), candidates),
        Err(_) => verdict("bad", None, None, None),
    }
}

/// A clear-signed text (`-----BEGIN PGP SIGNED MESSAGE-----`): the text as signed and the
/// verdict on its signature; `None` when it is not one.
pub(crate) fn check_cleartext(
    armored: &str,
    candidates: &[Candidate],
) -> Option<(String, SignatureCheck)> {
    let (message, _) = CleartextSignedMessage::from_string(armored).ok()?;
    let text = message.signed_text();
    let check = match message.signatures().first() {
        Some(sig) => judge(&Signed::Detached(sig, text.as_bytes()), candidates),
        None => verdict("bad", None, None, None),
    };
    Some((text.replace("\r\n", "\n"), check))
}

/// A key's user id on one line, capped.
fn user_id(id: &[u8]) -> String {
    let text: String = String::from_utf8_lossy(id)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn hex_upper(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
}
