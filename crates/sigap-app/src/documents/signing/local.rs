//! The local PAdES signer: a certificate and key from a PKCS#12 file
//! (`SIGAP_SIGNING_P12` with `SIGAP_SIGNING_P12_PASSWORD`), for a city with its own CA and
//! for tests. Signs at level B-B, or B-T when a timestamp authority is set
//! (`SIGAP_SIGNING_TSA_URL`). RSA (2048 to 8192 bits) and ECDSA P-256/P-384 keys.

use std::fmt;

use futures::FutureExt;
use futures::future::BoxFuture;
use p12_keystore::{KeyStore, Pkcs12ImportPolicy};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self, EcdsaKeyPair, RsaKeyPair};

use crate::documents::signing::cms::{self, SignatureAlgorithm, SignatureParts};
use crate::documents::signing::{
    CertificateInfo, Level, Method, SignError, Signed, Signer, Signing, pades, tsa,
};

enum Key {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair, SignatureAlgorithm),
}

/// The signer with its key in memory.
pub struct LocalSigner {
    key: Key,
    /// The signer's certificate first, then the rest of its chain.
    chain: Vec<Vec<u8>>,
    certificate: CertificateInfo,
    tsa_url: Option<String>,
    http: reqwest::Client,
    random: SystemRandom,
}

impl fmt::Debug for LocalSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalSigner")
            .field("certificate", &self.certificate)
            .field("tsa_url", &self.tsa_url)
            .finish_non_exhaustive()
    }
}

fn key(pkcs8: &[u8]) -> Result<Key, String> {
    if let Ok(rsa) = RsaKeyPair::from_pkcs8(pkcs8) {
        return Ok(Key::Rsa(rsa));
    }
    let random = SystemRandom::new();
    let curves = [
        (
            &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            SignatureAlgorithm::EcdsaP256Sha256,
        ),
        (
            &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
            SignatureAlgorithm::EcdsaP384Sha384,
        ),
    ];
    for (curve, algorithm) in curves {
        if let Ok(pair) = EcdsaKeyPair::from_pkcs8(curve, pkcs8, &random) {
            return Ok(Key::Ecdsa(pair, algorithm));
        }
    }
    Err("the key is neither RSA (2048 to 8192 bits) nor ECDSA P-256 or P-384".to_owned())
}

impl LocalSigner {
    /// Reads a PKCS#12 file's first key and its certificate chain; `tsa_url` (the
    /// operator's) makes the signatures B-T. Every error says what to fix.
    pub fn from_pkcs12(
        p12: &[u8],
        password: &str,
        tsa_url: Option<String>,
    ) -> Result<LocalSigner, String> {
        let store =
            KeyStore::from_pkcs12(p12, password, Pkcs12ImportPolicy::Strict).map_err(|e| {
                format!("the PKCS#12 file cannot be opened (wrong password or not PKCS#12): {e}")
            })?;
        let (_, entry) = store
            .private_key_chain()
            .ok_or_else(|| "the PKCS#12 file holds no key with its certificate".to_owned())?;
        let chain: Vec<Vec<u8>> = entry.certs().iter().map(|c| c.as_der().to_vec()).collect();
        LocalSigner::from_parts(entry.key().as_der(), chain, tsa_url)
    }

    /// A signer of a PKCS#8 key and its certificate chain (DER, the key's certificate
    /// first); `tsa_url` makes the signatures B-T.
    pub fn from_parts(
        pkcs8: &[u8],
        chain: Vec<Vec<u8>>,
        tsa_url: Option<String>,
    ) -> Result<LocalSigner, String> {
        let key = key(pkcs8)?;
        let first = chain
            .first()
            .ok_or_else(|| "no certificate was given for the signing key".to_owned())?;
        let certificate = CertificateInfo::from_der(first)?;
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("the HTTP client cannot be built: {e}"))?;
        Ok(LocalSigner {
            key,
            chain,
            certificate,
            tsa_url,
            http,
            random: SystemRandom::new(),
        })
    }

    /// The certificate the signatures are made with.
    pub fn certificate(&self) -> &CertificateInfo {
        &self.certificate
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        match &self.key {
            Key::Rsa(_) => SignatureAlgorithm::RsaSha256,
            Key::Ecdsa(_, algorithm) => *algorithm,
        }
    }

    fn raw_sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let failed = |_| SignError::Document("the signing key failed".to_owned());
        match &self.key {
            Key::Rsa(pair) => {
                let mut out = vec![0; pair.public().modulus_len()];
                pair.sign(
                    &signature::RSA_PKCS1_SHA256,
                    &self.random,
                    message,
                    &mut out,
                )
                .map_err(failed)?;
                Ok(out)
            }
            Key::Ecdsa(pair, _) => Ok(pair
                .sign(&self.random, message)
                .map_err(failed)?
                .as_ref()
                .to_vec()),
        }
    }

    async fn sign_pdf(&self, signing: Signing<'_>) -> Result<Signed, SignError> {
        let prepared = pades::prepare(
            signing.pdf,
            signing.field,
            signing.now,
            pades::DEFAULT_RESERVE,
        )
        .map_err(SignError::Document)?;
        let digest = prepared.digest();
        let signer_certificate = self.chain.first().map_or(&[][..], Vec::as_slice);
        let value = self.raw_sign(&cms::to_be_signed(&digest, signer_certificate))?;
        let token = match &self.tsa_url {
            Some(url) => {
                let mut nonce = [0u8; 8];
                self.random
                    .fill(&mut nonce)
                    .map_err(|_| SignError::Document("no randomness for the nonce".to_owned()))?;
                Some(tsa::timestamp(&self.http, url, &value, u64::from_be_bytes(nonce)).await?)
            }
            None => None,
        };
        let der = cms::signed_data(&SignatureParts {
            digest: &digest,
            chain: &self.chain,
            algorithm: self.algorithm(),
            signature: &value,
            timestamp_token: token.as_deref(),
        })
        .map_err(SignError::Document)?;
        let level = if token.is_some() {
            Level::BT
        } else {
            Level::BB
        };
        Ok(Signed {
            pdf: prepared.finish(&der).map_err(SignError::Document)?,
            certificate: self.certificate.clone(),
            level,
        })
    }
}

impl Signer for LocalSigner {
    fn method(&self) -> Method {
        Method::Local
    }

    fn sign<'a>(&'a self, signing: Signing<'a>) -> BoxFuture<'a, Result<Signed, SignError>> {
        self.sign_pdf(signing).boxed()
    }
}
