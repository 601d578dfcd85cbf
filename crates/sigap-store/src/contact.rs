//! The reporter's contact data sealed at rest. A report's reporter name, e-mail address and
//! telephone number are kept sealed (ChaCha20-Poly1305 under a key derived from the server's
//! secret key for this use alone), so a copy of the database without the key does not say who
//! reported. The staff's search by reporter reads a keyed blind index instead of the clear
//! words: HMAC-SHA256 tokens of each word's starts (three letters and more), under a second
//! derived key. A search finds the same tickets as a clear index would for words of three
//! letters and more; what the index gives away without the key is only that two tickets
//! share a word.
//!
//! A value that does not start with [`SEALED`] is a clear one written before the seal
//! (the migration's pass, [`crate::Store::seal_contacts`], seals them at the first start), or
//! the neutral values of an anonymised reporter (`Anonim`, empty): read as it is.

use std::sync::Arc;

use hmac::{Hmac, KeyInit, Mac};
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::Sha256;

use crate::{Result, StoreError};

/// The mark of a sealed value: `c1.<nonce>.<ciphertext and tag>`, in hexadecimal.
pub const SEALED: &str = "c1.";

/// The shortest word start the index keeps (shorter words are kept whole).
const MIN_PREFIX: usize = 3;
/// The longest: a longer query word is matched on its first this many characters.
const MAX_PREFIX: usize = 24;

/// The two keys of the reporter's contact data: one seals, one makes the blind index. Its
/// `Debug` shows nothing of them.
#[derive(Clone)]
pub struct ContactKey(Arc<Keys>);

struct Keys {
    /// Always set: ChaCha20-Poly1305 takes any 32-byte key.
    seal: Option<LessSafeKey>,
    index: [u8; 32],
}

impl std::fmt::Debug for ContactKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ContactKey(***)")
    }
}

/// A contact field: the sealed value of one may not be read as another's.
#[derive(Debug, Clone, Copy)]
pub enum Field {
    Name,
    Email,
    Phone,
    /// The fields read from a received mail's text (JSON), which may name the sender.
    Fields,
}

impl Field {
    fn aad(self) -> Aad<[u8; 1]> {
        Aad::from([match self {
            Field::Name => b'n',
            Field::Email => b'e',
            Field::Phone => b'p',
            Field::Fields => b'f',
        }])
    }
}

impl ContactKey {
    /// From the sealing key and the index key (each 32 bytes derived for its use alone).
    pub fn new(seal: [u8; 32], index: [u8; 32]) -> ContactKey {
        let unbound = UnboundKey::new(&CHACHA20_POLY1305, &seal).ok();
        ContactKey(Arc::new(Keys {
            seal: unbound.map(LessSafeKey::new),
            index,
        }))
    }

    fn aead(&self) -> Result<&LessSafeKey> {
        self.0
            .seal
            .as_ref()
            .ok_or_else(|| StoreError::Corrupt("no contact sealing key".to_owned()))
    }

    /// HMAC-SHA256 under the index key of `parts`, in order.
    fn mac(&self, parts: &[&[u8]]) -> Vec<u8> {
        // HMAC takes keys of any length, so this cannot fail; an empty answer matches no
        // stored token.
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0.index) else {
            return Vec::new();
        };
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().to_vec()
    }

    /// `plain` sealed as `field`; an empty value stays empty (nothing to hide, and the
    /// anonymised reporter's e-mail is empty).
    pub fn seal(&self, field: Field, plain: &str) -> Result<String> {
        if plain.is_empty() {
            return Ok(String::new());
        }
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| StoreError::Corrupt("no random bytes for a nonce".to_owned()))?;
        let mut body = plain.as_bytes().to_vec();
        self.aead()?
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), field.aad(), &mut body)
            .map_err(|_| StoreError::Corrupt("sealing a contact field failed".to_owned()))?;
        Ok(format!(
            "{SEALED}{}.{}",
            hex::encode(nonce),
            hex::encode(body)
        ))
    }

    /// The optional `plain` sealed as `field`.
    pub fn seal_opt(&self, field: Field, plain: Option<&str>) -> Result<Option<String>> {
        plain.map(|p| self.seal(field, p)).transpose()
    }

    /// The clear value of `stored` (a sealed one opened, a clear one as it is); an error
    /// when it was sealed under another key or altered.
    pub fn open(&self, field: Field, stored: &str) -> Result<String> {
        let Some(rest) = stored.strip_prefix(SEALED) else {
            return Ok(stored.to_owned());
        };
        let broken = || {
            StoreError::Corrupt(
                "a reporter's contact field does not open with this server key".to_owned(),
            )
        };
        let (nonce, body) = rest.split_once('.').ok_or_else(broken)?;
        let nonce: [u8; NONCE_LEN] = hex::decode(nonce)
            .ok()
            .and_then(|n| n.try_into().ok())
            .ok_or_else(broken)?;
        let mut body = hex::decode(body).map_err(|_| broken())?;
        let plain = self
            .aead()?
            .open_in_place(Nonce::assume_unique_for_key(nonce), field.aad(), &mut body)
            .map_err(|_| broken())?;
        String::from_utf8(plain.to_vec()).map_err(|_| broken())
    }

    /// The optional `stored` opened.
    pub fn open_opt(&self, field: Field, stored: Option<&str>) -> Result<Option<String>> {
        stored.map(|s| self.open(field, s)).transpose()
    }

    /// One token of the blind index: `k` and 16 hexadecimal digits (a letter first, so that
    /// neither index reads it as a number).
    fn token(&self, start: &str) -> String {
        let digest = self.mac(&[start.as_bytes()]);
        format!("k{}", hex::encode(digest.get(..8).unwrap_or_default()))
    }

    /// The blind index of a reporter: a token for each start of each word (split as the
    /// search splits a query) of the name and the e-mail address, space-separated.
    pub fn index(&self, name: &str, email: &str) -> String {
        let mut tokens: Vec<String> = Vec::new();
        for word in crate::search_words_all(&format!("{name} {email}")) {
            let chars: Vec<char> = word.chars().take(MAX_PREFIX).collect();
            let shortest = MIN_PREFIX.min(chars.len());
            for end in shortest..=chars.len() {
                tokens.push(self.token(&chars[..end].iter().collect::<String>()));
            }
        }
        tokens.sort();
        tokens.dedup();
        tokens.join(" ")
    }

    /// A received message's key against repeated deliveries, as kept: it names the sender
    /// (`mid:<message id>|<sender>`), so only its keyed hash is (64 hexadecimal digits).
    pub(crate) fn dedupe_key(&self, key: &str) -> String {
        format!(
            "d{}",
            hex::encode(self.mac(&[b"inbound dedupe\0", key.as_bytes()]))
        )
    }

    /// The token a query word is looked up by: its start as the index keeps it.
    pub fn query_token(&self, word: &str) -> String {
        let start: String = word.to_lowercase().chars().take(MAX_PREFIX).collect();
        self.token(&start)
    }
}

/// The store's key, or the error of a store opened without one.
pub(crate) fn key_of(key: &Option<ContactKey>) -> Result<&ContactKey> {
    key.as_ref().ok_or_else(|| {
        StoreError::Corrupt(
            "the reporters' contact key is not set (Store::with_contact_key)".into(),
        )
    })
}

impl ContactKey {
    /// `row` with its reporter's contact data opened.
    pub(crate) fn open_row(&self, mut row: crate::TicketRow) -> Result<crate::TicketRow> {
        row.reporter_name = self.open(Field::Name, &row.reporter_name)?;
        row.reporter_email = self.open(Field::Email, &row.reporter_email)?;
        row.reporter_phone = self.open_opt(Field::Phone, row.reporter_phone.as_deref())?;
        Ok(row)
    }

    /// The contact data of a reporter as they are kept: name, e-mail, telephone sealed, and
    /// the blind index of the first two.
    pub(crate) fn sealed(
        &self,
        name: &str,
        email: &str,
        phone: Option<&str>,
    ) -> Result<SealedContact> {
        Ok(SealedContact {
            name: self.seal(Field::Name, name)?,
            email: self.seal(Field::Email, email)?,
            phone: self.seal_opt(Field::Phone, phone)?,
            index: self.index(name, email),
        })
    }

    /// The search's words turned into the index's tokens, for the reporter index.
    pub(crate) fn filter(&self, filter: &crate::TicketFilter) -> crate::TicketFilter {
        let mut filter = filter.clone();
        if matches!(filter.words_in, crate::TextIndex::Reporter) {
            filter.words = filter.words.iter().map(|w| self.query_token(w)).collect();
        }
        filter
    }
}

impl ContactKey {
    /// A job's payload as kept: the addresses of its `to` (a reporter's among them)
    /// sealed; any other payload as it is.
    pub(crate) fn seal_payload(&self, payload: &str) -> Result<String> {
        self.map_to(payload, |k, a| {
            if a.starts_with(SEALED) {
                Ok(a.to_owned())
            } else {
                k.seal(Field::Email, a)
            }
        })
    }

    /// A job's payload as written, its `to` opened.
    pub(crate) fn open_payload(&self, payload: &str) -> Result<String> {
        self.map_to(payload, |k, a| k.open(Field::Email, a))
    }

    /// `payload` with each address of its `to` list mapped by `f`.
    fn map_to(
        &self,
        payload: &str,
        f: impl Fn(&ContactKey, &str) -> Result<String>,
    ) -> Result<String> {
        if !payload.contains("\"to\"") {
            return Ok(payload.to_owned());
        }
        let Ok(mut value) = serde_json::from_str::<serde_json::Value>(payload) else {
            return Ok(payload.to_owned());
        };
        let Some(to) = value.get_mut("to").and_then(|t| t.as_array_mut()) else {
            return Ok(payload.to_owned());
        };
        for address in to.iter_mut() {
            if let Some(a) = address.as_str() {
                *address = serde_json::Value::String(f(self, a)?);
            }
        }
        Ok(value.to_string())
    }

    /// `row` with its payload opened.
    pub(crate) fn open_job(&self, mut row: crate::JobRow) -> Result<crate::JobRow> {
        row.payload = self.open_payload(&row.payload)?;
        Ok(row)
    }

    /// `job` with its payload as kept, in `kept`.
    pub(crate) fn sealed_job<'a>(
        &self,
        job: &crate::NewJob<'a>,
        kept: &'a mut String,
    ) -> Result<crate::NewJob<'a>> {
        *kept = self.seal_payload(job.payload)?;
        let kept: &'a String = kept;
        Ok(crate::NewJob {
            payload: kept.as_str(),
            ..job.clone()
        })
    }
}

impl ContactKey {
    /// A received message as written: its senders and fields opened.
    pub(crate) fn open_inbound(&self, mut row: crate::InboundRow) -> Result<crate::InboundRow> {
        row.envelope_from = self.open(Field::Email, &row.envelope_from)?;
        row.from_address = self.open_opt(Field::Email, row.from_address.as_deref())?;
        row.from_name = self.open_opt(Field::Name, row.from_name.as_deref())?;
        row.fields = self.open(Field::Fields, &row.fields)?;
        Ok(row)
    }
}

/// A received message's sender and fields as kept.
pub(crate) struct SealedSender {
    pub dedupe_key: String,
    pub envelope_from: String,
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub fields: String,
}

impl ContactKey {
    /// The sender (envelope and header) and the fields of `m`, sealed.
    pub(crate) fn sealed_sender(&self, m: &crate::NewInbound<'_>) -> Result<SealedSender> {
        Ok(SealedSender {
            dedupe_key: self.dedupe_key(m.dedupe_key),
            envelope_from: self.seal(Field::Email, m.envelope_from)?,
            from_address: self.seal_opt(Field::Email, m.from_address)?,
            from_name: self.seal_opt(Field::Name, m.from_name)?,
            fields: self.seal(Field::Fields, m.fields)?,
        })
    }
}

/// A reporter's contact data as kept.
pub(crate) struct SealedContact {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub index: String,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn key() -> ContactKey {
        ContactKey::new([1; 32], [2; 32])
    }

    #[test]
    fn sealed_values_open_only_as_their_field_and_under_their_key() {
        let sealed = key().seal(Field::Email, "budi@contoh.id").unwrap();
        assert!(sealed.starts_with(SEALED), "{sealed}");
        assert!(!sealed.contains("budi"));
        assert_ne!(sealed, key().seal(Field::Email, "budi@contoh.id").unwrap());
        assert_eq!(key().open(Field::Email, &sealed).unwrap(), "budi@contoh.id");
        assert!(key().open(Field::Name, &sealed).is_err(), "another field");
        let other = ContactKey::new([3; 32], [2; 32]);
        assert!(other.open(Field::Email, &sealed).is_err(), "another key");
        let mut altered = sealed.clone();
        let last = if altered.ends_with('0') { '1' } else { '0' };
        altered.pop();
        altered.push(last);
        assert!(key().open(Field::Email, &altered).is_err(), "altered");
        assert_eq!(key().open(Field::Name, "Anonim").unwrap(), "Anonim");
        assert_eq!(key().seal(Field::Email, "").unwrap(), "");
    }

    #[test]
    fn a_jobs_addresses_are_sealed_and_the_rest_kept() {
        let k = key();
        let payload = r#"{"to":["budi@contoh.id"],"inbound_id":7,"lang":"id"}"#;
        let kept = k.seal_payload(payload).unwrap();
        assert!(!kept.contains("budi"), "{kept}");
        assert!(kept.contains(r#""inbound_id":7"#), "{kept}");
        assert_eq!(k.seal_payload(&kept).unwrap(), kept, "sealed once");
        let opened: serde_json::Value =
            serde_json::from_str(&k.open_payload(&kept).unwrap()).unwrap();
        assert_eq!(
            opened,
            serde_json::from_str::<serde_json::Value>(payload).unwrap()
        );
        assert_eq!(k.seal_payload("{}").unwrap(), "{}");
        assert_eq!(k.seal_payload(r#"{"url":"x"}"#).unwrap(), r#"{"url":"x"}"#);
    }

    #[test]
    fn the_index_finds_word_starts_of_three_letters_and_more() {
        let k = key();
        let index = k.index("Budi Santoso", "budi.santoso@example.com");
        let has = |word: &str| index.split(' ').any(|t| t == k.query_token(word));
        for found in ["budi", "BUD", "santo", "santoso", "example", "com"] {
            assert!(has(found), "{found}");
        }
        for missed in ["udi", "santosa", "contoh", "bu"] {
            assert!(!has(missed), "{missed}");
        }
        assert!(!index.contains("budi"), "{index}");
        let other = ContactKey::new([1; 32], [9; 32]);
        assert_ne!(other.query_token("budi"), k.query_token("budi"));
    }
}
