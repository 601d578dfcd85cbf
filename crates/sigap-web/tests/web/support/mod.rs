//! What the page test suites share: a client that keeps cookies as a browser does and posts forms
//! with their anti-CSRF token, staff users with a known password, and the headers every page
//! carries.
#![allow(dead_code)]

use std::collections::HashMap;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::multipart::Form;
use serde_json::json;
use sigap_app::Caller;
use sigap_app::admin::registry;
use sigap_testkit::TestApp;

pub const PASSWORD: &str = "kata-sandi-uji-yang-panjang";
pub const CSRF_FIELD: &str = "csrf_token";
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
    base-uri 'none'";

/// A response as a test reads it.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// The value of the first hidden anti-CSRF field.
    pub fn csrf(&self) -> String {
        hidden_value(&self.body, CSRF_FIELD).expect("the page has an anti-CSRF field")
    }

    pub fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with("sigap_session="))
    }
}

pub fn hidden_value(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker)? + marker.len();
    let end = body[start..].find('"')?;
    Some(body[start..start + end].to_owned())
}

/// A client that keeps cookies as a browser does and never follows redirects.
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
    pub cookies: HashMap<String, String>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser {
            base: app.base_url.clone(),
            client,
            cookies: HashMap::new(),
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn finish(&mut self, request: reqwest::RequestBuilder) -> Page {
        let response = request
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        for value in headers.get_all(SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let body = response.text().await.unwrap();
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.client.get(format!("{}{path}", self.base));
        self.finish(request).await
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.finish(request).await
    }

    pub async fn post_multipart(&mut self, path: &str, form: Form) -> Page {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .multipart(form);
        self.finish(request).await
    }

    /// Posts a multipart form and answers the status, headers and raw body (a download).
    pub async fn post_multipart_raw(
        &mut self,
        path: &str,
        form: Form,
    ) -> (StatusCode, HeaderMap, Vec<u8>) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .multipart(form)
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        (status, headers, response.bytes().await.unwrap().to_vec())
    }

    /// Signs in through the login form; asserts success.
    pub async fn login(&mut self, email: &str, password: &str) -> Page {
        let page = self.password(email, password).await;
        assert_eq!(page.location(), "/tickets");
        page
    }

    /// Sends the login form with the right password; asserts that it was taken and answers
    /// the redirect (to the queue, or to a second-factor step).
    pub async fn password(&mut self, email: &str, password: &str) -> Page {
        let token = self.get("/login").await.csrf();
        let page = self
            .post_form(
                "/login",
                &[
                    ("email", email),
                    ("password", password),
                    (CSRF_FIELD, &token),
                ],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "login of {email}: {}",
            page.body
        );
        page
    }
}

/// Creates a staff user with a known password; answers the e-mail address.
pub async fn staff(
    app: &TestApp,
    email: &'static str,
    role: &str,
    agency: Option<&str>,
) -> &'static str {
    let body = json!({"email": email, "name": format!("Petugas {role}"), "role": role,
        "agency": agency, "password": PASSWORD});
    registry::add_user(
        &app.app,
        &Caller::system(),
        &sigap_testkit::seed::request(body),
    )
    .await
    .expect("add user");
    email
}

pub fn assert_page_headers(page: &Page, path: &str) {
    let header = |name: &str| {
        page.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(header("content-security-policy"), PAGE_CSP, "{path}");
    assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
    assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
    assert!(header("content-type").starts_with("text/html"), "{path}");
    assert!(!page.body.contains("style=\""), "{path}: no inline style");
    // Scripts only from the server's own assets, never inline.
    for (at, _) in page.body.match_indices("<script") {
        let tag = &page.body[at..];
        let end = tag.find("</script>").expect("a closed script tag");
        let tag = &tag[..end];
        assert!(
            tag.starts_with("<script src=\"/assets/") && tag.ends_with('>'),
            "{path}: only scripts from /assets/, with no inline code: {tag}"
        );
    }
}
