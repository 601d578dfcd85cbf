//! The registries every test starts with, entered through the use cases as an admin at
//! the command line would: two agencies, their systems and domains, one user per role
//! (two system owners, one per agency), each with an API token.

use std::collections::HashMap;

use serde_json::json;
use sigap_app::admin::registry;
use sigap_app::{App, Caller};

/// Agency A: owns the systems under `disdik.batam.go.id` and `sekolah.batam.go.id`.
pub const AGENCY_A: &str = "DISDIK";
/// Agency B: owns the system under `dinkes.batam.go.id`.
pub const AGENCY_B: &str = "DINKES";
/// A domain of agency A's system; reports on its subdomains are routed to agency A.
pub const DOMAIN_A: &str = "disdik.batam.go.id";
/// The second domain of agency A's system.
pub const DOMAIN_A2: &str = "sekolah.batam.go.id";
/// The domain of agency B's system.
pub const DOMAIN_B: &str = "dinkes.batam.go.id";
/// A host no registered system covers.
pub const UNREGISTERED_HOST: &str = "perpustakaan.batam.go.id";

/// The roles a test can act as, by token key. `system_owner` is agency A's; `system_owner_b`
/// is agency B's.
pub const ROLES: &[(&str, &str, &str, Option<&str>)] = &[
    ("admin", "admin@kominfo.batam.go.id", "admin", None),
    ("helpdesk", "helpdesk@kominfo.batam.go.id", "helpdesk", None),
    ("csirt", "csirt@kominfo.batam.go.id", "csirt", None),
    (
        "domain_officer",
        "pejabat.domain@kominfo.batam.go.id",
        "domain_officer",
        None,
    ),
    (
        "system_owner",
        "pj.sistem@disdik.batam.go.id",
        "system_owner",
        Some(AGENCY_A),
    ),
    (
        "system_owner_b",
        "pj.sistem@dinkes.batam.go.id",
        "system_owner",
        Some(AGENCY_B),
    ),
    (
        "regional_secretary",
        "sekda@batam.go.id",
        "regional_secretary",
        None,
    ),
    (
        "auditor",
        "auditor@inspektorat.batam.go.id",
        "auditor",
        None,
    ),
];

/// What the seed created.
#[derive(Debug, Clone)]
pub struct Seed {
    pub agency_a_id: i64,
    pub agency_b_id: i64,
    pub system_a_id: i64,
    pub system_b_id: i64,
    pub tokens: HashMap<&'static str, String>,
    pub emails: HashMap<&'static str, &'static str>,
}

/// A request struct (`registry::AgencyRequest`, …) from a JSON object, as a client sends it.
pub fn request<T: serde::de::DeserializeOwned>(body: serde_json::Value) -> T {
    sigap_core::form::request(&body).expect("a request is a JSON object")
}

/// Registers agencies, systems and users, and creates a token per user.
pub async fn seed(app: &App) -> Seed {
    let admin = Caller::system();
    let a = registry::add_agency(app, &admin, &request(json!({"code": AGENCY_A, "name": "Dinas Pendidikan Kota Batam", "email": "disdik@batam.go.id", "head_email": "kepala@disdik.batam.go.id"})))
        .await
        .expect("agency A");
    let b = registry::add_agency(app, &admin, &request(json!({"code": AGENCY_B, "name": "Dinas Kesehatan Kota Batam", "email": "dinkes@batam.go.id"})))
        .await
        .expect("agency B");
    let system_a = registry::add_system(app, &admin, &request(json!({"agency": AGENCY_A, "name": "Portal Pendidikan", "domains": [DOMAIN_A, DOMAIN_A2]})))
        .await
        .expect("system A");
    let system_b = registry::add_system(app, &admin, &request(json!({"agency": AGENCY_B, "name": "Sistem Informasi Kesehatan", "domains": [DOMAIN_B]})))
        .await
        .expect("system B");
    let mut tokens = HashMap::new();
    let mut emails = HashMap::new();
    for &(key, email, role, agency) in ROLES {
        let name = format!("Pengguna {key}");
        let user = request(json!({"email": email, "name": name, "role": role, "agency": agency}));
        registry::add_user(app, &admin, &user)
            .await
            .unwrap_or_else(|e| panic!("user {key}: {e:?}"));
        let token = registry::create_token(app, &admin, email, "test")
            .await
            .expect("token");
        tokens.insert(key, token);
        emails.insert(key, email);
    }
    Seed {
        agency_a_id: a.id,
        agency_b_id: b.id,
        system_a_id: system_a.id,
        system_b_id: system_b.id,
        tokens,
        emails,
    }
}
