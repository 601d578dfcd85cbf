//! The HTTP client of the sign-in provider: sigap's reqwest behind the `openidconnect`
//! crate's client trait (the crate's own reqwest feature is another reqwest version).
//! Redirects are not followed, as OpenID Connect requires of the back channel, answers are
//! capped at [`MAX_BODY_BYTES`], and each request has [`TIMEOUT`].

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};

/// The longest a request to the provider may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read from the provider (discovery, keys, tokens).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What went wrong talking to the provider.
#[derive(Debug, thiserror::Error)]
pub enum SsoHttpError {
    #[error("{0}")]
    Request(#[from] reqwest::Error),
    #[error("the answer is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
    #[error("{0}")]
    Response(String),
}

/// The HTTP client towards the provider.
#[derive(Debug, Clone)]
pub struct SsoHttp(reqwest::Client);

impl SsoHttp {
    /// A client, through `proxy` when one is given.
    pub fn new(proxy: Option<&str>) -> Result<SsoHttp, String> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT);
        if let Some(proxy) = proxy.map(str::trim).filter(|p| !p.is_empty()) {
            let proxy = reqwest::Proxy::all(proxy).map_err(|e| format!("`{proxy}`: {e}"))?;
            builder = builder.proxy(proxy);
        }
        builder.build().map(SsoHttp).map_err(|e| e.to_string())
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, SsoHttpError> {
        let (parts, body) = request.into_parts();
        let mut response = self
            .0
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body)
            .send()
            .await?;
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(SsoHttpError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        let mut answer = openidconnect::http::Response::builder().status(response.status());
        if let Some(headers) = answer.headers_mut() {
            *headers = response.headers().clone();
        }
        answer
            .body(bytes)
            .map_err(|e| SsoHttpError::Response(e.to_string()))
    }
}

impl<'c> AsyncHttpClient<'c> for SsoHttp {
    type Error = SsoHttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, SsoHttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}
