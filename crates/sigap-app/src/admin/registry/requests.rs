//! What an admin sends to register an agency, a system or a user, or to choose how a
//! system is blocked: one struct of `Given` fields each, as the API documents it and the
//! pages and the command line build it, and the check that reads it into the core's types.

use serde::Deserialize;
use serde_json::Value;
use sigap_core::spbe::SystemCategory;
use sigap_core::{AgencyCode, Check, Domain, Email, FieldError, Given, Role};
use utoipa::ToSchema;

/// An agency to register, as `POST /api/v1/agencies`, the admin page and
/// `sigap agency add` send it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AgencyRequest {
    /// Short code, e.g. `DISKOMINFO`.
    #[schema(value_type = String)]
    pub code: Given,
    #[schema(value_type = String)]
    pub name: Given,
    /// Official address for letters and notices.
    #[schema(value_type = Option<String>)]
    pub email: Given,
    /// The address of the agency's head, who receives the letters addressed to the head.
    #[schema(value_type = Option<String>)]
    pub head_email: Given,
}

/// An agency to register, checked.
#[derive(Debug, Clone)]
pub struct NewAgency {
    pub code: AgencyCode,
    pub name: String,
    pub email: Option<Email>,
    pub head_email: Option<Email>,
}

impl TryFrom<&AgencyRequest> for NewAgency {
    type Error = Vec<FieldError>;

    fn try_from(r: &AgencyRequest) -> Result<NewAgency, Vec<FieldError>> {
        let mut c = Check::default();
        let code = c.parsed("code", &r.code, AgencyCode::parse);
        let name = c.required("name", &r.name, 200);
        let email = optional_email(&mut c, "email", &r.email);
        let head_email = optional_email(&mut c, "head_email", &r.head_email);
        let both = code.zip(name);
        c.finish(both).map(|(code, name)| NewAgency {
            code,
            name,
            email,
            head_email,
        })
    }
}

/// A system's domains: the list `domains` (and `single` besides), each checked, each once,
/// at least one; every problem is an error on `domains`.
pub(super) fn checked_domains(
    c: &mut Check,
    domains: &Value,
    single: Option<Value>,
) -> Vec<Domain> {
    let mut checked: Vec<Domain> = Vec::new();
    let listed = domains.as_array().cloned().unwrap_or_default();
    for value in listed.into_iter().chain(single) {
        match value.as_str().map(Domain::parse) {
            Some(Ok(d)) if checked.contains(&d) => {}
            Some(Ok(d)) => checked.push(d),
            Some(Err(e)) => c.errors.push(FieldError::new("domains", e.message)),
            None => c
                .errors
                .push(FieldError::new("domains", "each domain is text")),
        }
    }
    if checked.is_empty() && c.errors.iter().all(|e| e.field != "domains") {
        c.errors.push(FieldError::new(
            "domains",
            "give at least one domain, e.g. `layanan.batam.go.id`",
        ));
    }
    checked
}

/// Only a system owner belongs to an agency, and a system owner must.
pub(super) fn role_and_agency(c: &mut Check, role: Option<Role>, agency: Option<&str>) {
    match (role, agency) {
        (Some(Role::SystemOwner), None) => c.errors.push(FieldError::new(
            "agency",
            "a system owner needs `agency` (its code)",
        )),
        (Some(r), Some(_)) if r != Role::SystemOwner => c.errors.push(FieldError::new(
            "agency",
            "only a system owner belongs to an agency",
        )),
        _ => {}
    }
}

/// An optional address of at most 254 characters.
pub(super) fn optional_email(c: &mut Check, field: &str, given: &Value) -> Option<Email> {
    c.optional(field, given, 254)
        .and_then(|e| c.parsed_value(field, &e, Email::parse))
}

/// An electronic system to register with its domains, as `POST /api/v1/systems`, the
/// admin page and `sigap system add` send it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SystemRequest {
    /// The owning agency's code.
    #[schema(value_type = String)]
    pub agency: Given,
    #[schema(value_type = String)]
    pub name: Given,
    /// At least one, e.g. `layanan.batam.go.id`.
    #[schema(value_type = Vec<String>)]
    pub domains: Given,
    /// One domain, instead of or besides `domains`.
    #[schema(value_type = Option<String>)]
    pub domain: Given,
    /// Vital information infrastructure (IIV, Perpres 82/2022); absent: no.
    #[schema(value_type = Option<bool>)]
    pub iiv: Given,
    /// *Kategori sistem elektronik*: `strategis`, `tinggi` or `rendah`; absent or empty: not
    /// classed yet.
    #[schema(value_type = Option<String>)]
    pub category: Given,
}

/// An electronic system to register, checked.
#[derive(Debug, Clone)]
pub struct NewSystem {
    pub agency: AgencyCode,
    pub name: String,
    pub domains: Vec<Domain>,
    pub iiv: bool,
    pub category: Option<SystemCategory>,
}

/// A yes/no field; absent is `false`.
pub(crate) fn flag(c: &mut Check, field: &str, given: &Given) -> bool {
    let parsed = match &given.0 {
        Value::Null => Some(false),
        Value::Bool(b) => Some(*b),
        Value::String(text) if text.trim().is_empty() => Some(false),
        Value::String(text) => sigap_core::records::parse_bool(text),
        _ => None,
    };
    parsed.unwrap_or_else(|| {
        c.errors.push(
            FieldError::new(field, format!("`{field}` is yes or no (`true` or `false`)"))
                .of_kind(sigap_core::Problem::NotYesNo),
        );
        false
    })
}

/// A system's category: one of the three, or nothing (absent or empty).
pub(crate) fn category(c: &mut Check, given: &Given) -> Option<SystemCategory> {
    let text = c.text("category", given)?.trim();
    if text.is_empty() {
        return None;
    }
    c.keep(text.to_lowercase().parse::<SystemCategory>().map_err(|e| {
        FieldError::new("category", e.to_string()).of_kind(sigap_core::Problem::NotAChoice)
    }))
}

impl TryFrom<&SystemRequest> for NewSystem {
    type Error = Vec<FieldError>;

    fn try_from(r: &SystemRequest) -> Result<NewSystem, Vec<FieldError>> {
        let mut c = Check::default();
        let agency = c.parsed("agency", &r.agency, AgencyCode::parse);
        let name = c.required("name", &r.name, 200);
        let single = Some(&r.domain.0).filter(|d| !d.is_null()).cloned();
        let domains = checked_domains(&mut c, &r.domains, single);
        let iiv = flag(&mut c, "iiv", &r.iiv);
        let category = category(&mut c, &r.category);
        let both = agency.zip(name);
        c.finish(both).map(|(agency, name)| NewSystem {
            agency,
            name,
            domains,
            iiv,
            category,
        })
    }
}

/// How a system is blocked, as `POST /api/v1/systems/blocking` and the admin page send it:
/// a profile of the operator's blocking file (`SIGAP_BLOCKING_FILE`) with the harmless
/// values a system may set, or `manual`. Commands, files, server addresses and secret names
/// are the operator's: they are set in the file or on the server
/// (`sigap system set-blocking`), never here.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct BlockingRequest {
    /// One of the system's domains.
    #[schema(value_type = String)]
    pub domain: Given,
    /// The name of a profile of the blocking file.
    #[schema(value_type = Option<String>)]
    pub profile: Given,
    /// `manual` (without a profile) clears the setting; with a profile, its adapter
    /// (`nginx`, `powerdns`, `rfc2136`, `webhook`) or nothing.
    #[schema(value_type = Option<String>)]
    pub adapter: Given,
    /// Only `zone` (powerdns and rfc2136 profiles) and `timeout_secs`.
    #[schema(value_type = Option<Object>)]
    pub params: Given,
}

/// A staff user to create, as `POST /api/v1/users`, the admin page and `sigap user add`
/// send it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UserRequest {
    #[schema(value_type = String)]
    pub email: Given,
    #[schema(value_type = String)]
    pub name: Given,
    /// `admin`, `helpdesk`, `csirt`, `domain_officer`, `system_owner`, `regional_secretary`, `auditor`.
    #[schema(value_type = String)]
    pub role: Given,
    /// Agency code; required for `system_owner`.
    #[schema(value_type = Option<String>)]
    pub agency: Given,
    /// At least 12 characters; generated and answered once when absent.
    #[schema(value_type = Option<String>)]
    pub password: Given,
}

/// A staff user to create, checked.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub name: String,
    pub role: Role,
    /// The agency's code as given (a system owner's only).
    pub agency: Option<String>,
    /// `None`: one is generated.
    pub password: Option<String>,
}

impl TryFrom<&UserRequest> for NewUser {
    type Error = Vec<FieldError>;

    fn try_from(r: &UserRequest) -> Result<NewUser, Vec<FieldError>> {
        let mut c = Check::default();
        let email = c.parsed("email", &r.email, Email::parse);
        let name = c.required("name", &r.name, 200);
        let role = c.choice::<Role>("role", &r.role);
        let agency = c.optional("agency", &r.agency, 32);
        let password = c.optional("password", &r.password, 200);
        if password.as_ref().is_some_and(|p| p.chars().count() < 12) {
            c.errors.push(FieldError::new(
                "password",
                "a password has at least 12 characters",
            ));
        }
        role_and_agency(&mut c, role, agency.as_deref());
        let all = email.zip(name).zip(role);
        c.finish(all).map(|((email, name), role)| NewUser {
            email,
            name,
            role,
            agency,
            password,
        })
    }
}
