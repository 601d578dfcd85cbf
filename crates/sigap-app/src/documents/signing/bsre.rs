//! The client of BSrE's signing service (the Balai Sertifikasi Elektronik's esign-client
//! API, as the office's BSrE installation publishes it): `POST {SIGAP_BSRE_URL}/api/sign/pdf`
//! as `multipart/form-data` with the PDF in `file`, the signer's `nik` and `passphrase`
//! and `tampilan=invisible`, with the office's client credentials in HTTP basic auth. The
//! service answers the signed PDF, or a JSON error `{"status_code": 2031, "error": …}`
//! (2031: a wrong passphrase, 2011: a NIK without a certificate).
//!
//! The NIK and passphrase are the signer's, typed at signing time: they go to BSrE in this
//! request and nowhere else (never stored, never logged). The URL is the operator's
//! configuration only. The answer is not taken on trust: it must be a PDF whose last
//! signature is intact and covers the whole file, or the signature is refused.

use std::fmt;
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;

use crate::documents::signing::{
    CertificateInfo, Level, Method, SignError, Signed, Signer, Signing, check,
};

/// The largest signed PDF read back.
const MAX_ANSWER: usize = 64 * 1024 * 1024;

/// The client, with the office's credentials at the service.
pub struct BsreClient {
    /// The service's base URL, without a trailing slash.
    base: String,
    user: String,
    password: String,
    http: reqwest::Client,
}

impl fmt::Debug for BsreClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BsreClient")
            .field("base", &self.base)
            .field("user", &self.user)
            .field("password", &"***")
            .finish_non_exhaustive()
    }
}

/// A JSON error of the service.
#[derive(Debug, Default, serde::Deserialize)]
struct ServiceError {
    #[serde(default)]
    status_code: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

impl BsreClient {
    /// A client of the service at `base` (http or https) with the office's credentials.
    pub fn new(base: &str, user: &str, password: &str) -> Result<BsreClient, String> {
        let parsed =
            url::Url::parse(base.trim()).map_err(|e| format!("`{base}` is not a URL: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!("`{base}` is not an http(s) URL"));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("the HTTP client cannot be built: {e}"))?;
        Ok(BsreClient {
            base: base.trim().trim_end_matches('/').to_owned(),
            user: user.to_owned(),
            password: password.to_owned(),
            http,
        })
    }

    async fn sign_pdf(&self, signing: Signing<'_>) -> Result<Signed, SignError> {
        let nik = signing
            .identity
            .filter(|n| {
                !n.is_empty()
                    && n.len() <= 64
                    && n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
            })
            .ok_or_else(|| SignError::Credentials("the NIK or BSrE user id is not valid".into()))?;
        let file = reqwest::multipart::Part::bytes(signing.pdf.to_vec())
            .file_name("dokumen.pdf")
            .mime_str("application/pdf")
            .map_err(|e| SignError::Document(e.to_string()))?;
        let form = reqwest::multipart::Form::new()
            .part("file", file)
            .text("nik", nik.to_owned())
            .text("passphrase", signing.passphrase.0.clone())
            .text("tampilan", "invisible");
        let unavailable = |e: reqwest::Error| {
            SignError::Unavailable(format!("BSrE cannot be reached: {}", e.without_url()))
        };
        let response = self
            .http
            .post(format!("{}/api/sign/pdf", self.base))
            .basic_auth(&self.user, Some(&self.password))
            .multipart(form)
            .send()
            .await
            .map_err(unavailable)?;
        let status = response.status();
        if response
            .content_length()
            .is_some_and(|l| l > MAX_ANSWER as u64)
        {
            return Err(SignError::Unavailable("BSrE's answer is too large".into()));
        }
        let body = response.bytes().await.map_err(unavailable)?;
        if !status.is_success() {
            return Err(refusal(status, &body));
        }
        signed(body.to_vec())
    }
}

/// What a refusal of the service means for the signer.
fn refusal(status: reqwest::StatusCode, body: &[u8]) -> SignError {
    let error: ServiceError = serde_json::from_slice(body).unwrap_or_default();
    let code = error
        .status_code
        .as_ref()
        .map(|c| c.to_string().trim_matches('"').to_owned());
    let text = error.error.or(error.message).unwrap_or_default();
    let text: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
    match code.as_deref() {
        Some("2031") => {
            SignError::Credentials(format!("BSrE: the passphrase is wrong (2031: {text})"))
        }
        Some("2011") => SignError::Credentials(format!(
            "BSrE: this NIK has no signing certificate (2011: {text})"
        )),
        _ if status == reqwest::StatusCode::UNAUTHORIZED => SignError::Unavailable(
            "BSrE refused sigap's client credentials (SIGAP_BSRE_USER, SIGAP_BSRE_PASSWORD)".into(),
        ),
        _ if status.is_client_error() => SignError::Credentials(format!(
            "BSrE refused to sign ({status}{}): {text}",
            code.map(|c| format!(", {c}")).unwrap_or_default()
        )),
        _ => SignError::Unavailable(format!("BSrE failed ({status}): {text}")),
    }
}

/// The service's signed PDF, checked: its last signature intact over the whole file.
fn signed(pdf: Vec<u8>) -> Result<Signed, SignError> {
    if !pdf.starts_with(b"%PDF-") {
        return Err(SignError::Unavailable(
            "BSrE answered something that is not a PDF".into(),
        ));
    }
    let inspection = check::inspect(&pdf)
        .filter(|i| i.check.intact())
        .ok_or_else(|| {
            SignError::Unavailable("BSrE answered a PDF without an intact signature".into())
        })?;
    let der = inspection
        .signer_certificate
        .ok_or_else(|| SignError::Unavailable("BSrE's signature names no certificate".into()))?;
    let certificate = CertificateInfo::from_der(&der).map_err(SignError::Unavailable)?;
    Ok(Signed {
        pdf,
        certificate,
        level: if inspection.timestamped {
            Level::BT
        } else {
            Level::BB
        },
    })
}

impl Signer for BsreClient {
    fn method(&self) -> Method {
        Method::Bsre
    }

    fn sign<'a>(&'a self, signing: Signing<'a>) -> BoxFuture<'a, Result<Signed, SignError>> {
        self.sign_pdf(signing).boxed()
    }
}
