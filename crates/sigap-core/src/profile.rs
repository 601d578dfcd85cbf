//! The CSIRT's public profile as RFC 2350 describes one (the page `/rfc2350` and its text
//! form): who the team is, how to reach it and when, whom it serves, on whose authority, and
//! what it does. BSSN's assessment of a CSIRT asks for it. An admin keeps it on the settings
//! page (the `profile` section, `PUT /api/v1/settings/profile`); saving it, changed or not,
//! is its review, which also renews `security.txt`'s `Expires` ([`SECURITY_TXT_DAYS`]).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::form::{Check, Given};

/// `security.txt` expires this many days after the profile's last review (RFC 9116: less
/// than a year ahead).
pub const SECURITY_TXT_DAYS: i64 = 365;
/// The admins are told this many days before `security.txt` expires.
pub const SECURITY_TXT_WARN_DAYS: i64 = 30;
/// The most services listed.
pub const MAX_SERVICES: usize = 20;

/// The profile in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct CsirtProfile {
    /// The team's name: `BATAM-CSIRT`.
    pub team_name: String,
    /// The organisation it belongs to.
    pub organisation: String,
    /// The postal address; empty: the letterhead's.
    pub address: String,
    /// A telephone number; empty: none is published.
    pub phone: String,
    /// When the team answers.
    pub hours: String,
    /// Whom the team serves.
    pub constituency: String,
    /// What the team is for.
    pub mission: String,
    /// The decision that set the team up (e.g. the mayor's decree); empty: not published.
    pub authority: String,
    /// What the team does, one service an item.
    pub services: Vec<String>,
}

impl Default for CsirtProfile {
    fn default() -> Self {
        CsirtProfile {
            team_name: "BATAM-CSIRT".to_owned(),
            organisation: "Dinas Komunikasi dan Informatika Kota Batam".to_owned(),
            address: String::new(),
            phone: "+62 778 8073194".to_owned(),
            hours: "Senin sampai Jumat pukul 08.00–16.00 WIB, kecuali hari libur. Laporan \
                diterima setiap saat melalui formulir daring dan surel, dan diproses pada hari \
                kerja berikutnya."
                .to_owned(),
            constituency: "Perangkat daerah di lingkungan Pemerintah Kota Batam dan sistem \
                elektronik yang dikelolanya."
                .to_owned(),
            mission: "Menerima, memvalidasi dan mengoordinasikan penanganan laporan insiden \
                dan kerentanan siber pada sistem elektronik Pemerintah Kota Batam sesuai \
                standar operasional prosedur, sampai sistem aman kembali."
                .to_owned(),
            authority: String::new(),
            services: vec![
                "Penerimaan dan validasi laporan insiden dan kerentanan siber".to_owned(),
                "Koordinasi perbaikan dengan perangkat daerah pemilik sistem".to_owned(),
                "Pemblokiran sementara sistem elektronik yang membahayakan dan \
                 pembukaannya kembali setelah diperbaiki"
                    .to_owned(),
                "Pemberitahuan, rekomendasi keamanan dan laporan berkala".to_owned(),
            ],
        }
    }
}

/// The profile as `PUT /api/v1/settings/profile` and the settings page send it: every
/// field, the whole profile at once.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ProfileRequest {
    /// At most 100 characters.
    #[schema(value_type = String)]
    pub team_name: Given,
    /// At most 200 characters.
    #[schema(value_type = String)]
    pub organisation: Given,
    /// At most 300 characters; empty: the letterhead's address.
    #[schema(value_type = Option<String>)]
    pub address: Given,
    /// At most 50 characters.
    #[schema(value_type = Option<String>)]
    pub phone: Given,
    /// At most 500 characters.
    #[schema(value_type = String)]
    pub hours: Given,
    /// At most 1000 characters.
    #[schema(value_type = String)]
    pub constituency: Given,
    /// At most 1000 characters.
    #[schema(value_type = String)]
    pub mission: Given,
    /// At most 500 characters.
    #[schema(value_type = Option<String>)]
    pub authority: Given,
    /// 1-20 services, each at most 300 characters.
    #[schema(value_type = Vec<String>)]
    pub services: Given,
}

impl TryFrom<&ProfileRequest> for CsirtProfile {
    type Error = Vec<FieldError>;

    fn try_from(r: &ProfileRequest) -> Result<CsirtProfile, Vec<FieldError>> {
        let mut c = Check::default();
        let team_name = c.required("team_name", &r.team_name, 100);
        let organisation = c.required("organisation", &r.organisation, 200);
        let address = c.optional("address", &r.address, 300);
        let phone = c.optional("phone", &r.phone, 50);
        let hours = c.required("hours", &r.hours, 500);
        let constituency = c.required("constituency", &r.constituency, 1000);
        let mission = c.required("mission", &r.mission, 1000);
        let authority = c.optional("authority", &r.authority, 500);
        let services = services(&mut c, &r.services);
        let all = team_name
            .zip(organisation)
            .zip(hours)
            .zip(constituency)
            .zip(mission)
            .zip(services);
        c.finish(all).map(
            |(((((team_name, organisation), hours), constituency), mission), services)| {
                CsirtProfile {
                    team_name,
                    organisation,
                    address: address.unwrap_or_default(),
                    phone: phone.unwrap_or_default(),
                    hours,
                    constituency,
                    mission,
                    authority: authority.unwrap_or_default(),
                    services,
                }
            },
        )
    }
}

/// The list of services: text items, blank ones left out, 1 to [`MAX_SERVICES`].
fn services(c: &mut Check, given: &Given) -> Option<Vec<String>> {
    let refused = |message: &str| FieldError::new("services", message);
    let Some(items) = given.as_array() else {
        c.errors.push(refused("`services` is a list of texts"));
        return None;
    };
    let mut list = Vec::new();
    for item in items {
        match item.as_str().map(str::trim) {
            Some("") => {}
            Some(text) if text.chars().count() <= 300 && !has_control(text) => {
                list.push(text.to_owned());
            }
            _ => {
                c.errors.push(refused(
                    "each service is a line of text of at most 300 characters",
                ));
                return None;
            }
        }
    }
    if list.is_empty() || list.len() > MAX_SERVICES {
        c.errors.push(refused("list 1 to 20 services"));
        return None;
    }
    Some(list)
}

fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn request(body: Value) -> ProfileRequest {
        serde_json::from_value(body).unwrap()
    }

    fn full() -> Value {
        json!({
            "team_name": "BATAM-CSIRT",
            "organisation": "Dinas Komunikasi dan Informatika Kota Batam",
            "address": "",
            "phone": "+62 778 000000",
            "hours": "Senin-Jumat 08.00-16.00 WIB",
            "constituency": "Perangkat daerah Kota Batam",
            "mission": "Menangani laporan",
            "authority": "Keputusan Wali Kota Batam",
            "services": ["Penanganan insiden", "  ", "Koordinasi"],
        })
    }

    #[test]
    fn a_whole_profile_is_taken_with_blank_services_left_out() {
        let profile = CsirtProfile::try_from(&request(full())).unwrap();
        assert_eq!(profile.phone, "+62 778 000000");
        assert_eq!(profile.address, "");
        assert_eq!(profile.services, ["Penanganan insiden", "Koordinasi"]);
        // The default profile fills every required field.
        let default = CsirtProfile::default();
        let body = serde_json::to_value(&default).unwrap();
        assert_eq!(CsirtProfile::try_from(&request(body)).unwrap(), default);
    }

    #[test]
    fn missing_long_and_malformed_fields_are_refused_each_by_name() {
        let mut body = full();
        body["team_name"] = json!("");
        body["hours"] = json!("x".repeat(501));
        body["services"] = json!(["baris\u{0}"]);
        let errors = CsirtProfile::try_from(&request(body)).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["team_name", "hours", "services"]);
        let mut body = full();
        body["services"] = json!([]);
        let errors = CsirtProfile::try_from(&request(body)).unwrap_err();
        assert_eq!(errors[0].field, "services");
    }
}
