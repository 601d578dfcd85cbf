//! The adapter configuration: parsed from the adapter name and its `KEY=VALUE` parameters as
//! stored per system, with errors a person can read. Secrets are named by `*_env` parameters
//! and read from the environment here, once; they never appear in `Debug` output.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use url::Url;

use crate::error::AdapterKind;
use crate::request::Hostname;

/// The prefix every variable named by a `*_env` parameter must carry, so that a
/// configuration can never send the server's own secrets (`SIGAP_SECRET_KEY`, the database
/// URL) to an adapter's server.
pub const SECRET_ENV_PREFIX: &str = "SIGAP_ADAPTER_";

/// The network and command time limit when no `timeout_secs` parameter is given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// A secret read from the environment; `Debug` shows only the variable's name.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    variable: String,
    value: String,
}

impl Secret {
    /// A secret with the name of the variable it came from.
    pub fn new(variable: impl Into<String>, value: impl Into<String>) -> Self {
        Secret {
            variable: variable.into(),
            value: value.into(),
        }
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.value
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(${}, redacted)", self.variable)
    }
}

/// A configuration that cannot be used, said so that the admin knows what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No adapter has this name.
    #[error(
        "unknown blocking adapter `{name}`: choose one of manual, nginx, powerdns, rfc2136, webhook"
    )]
    UnknownAdapter { name: String },
    /// A required parameter is absent or empty.
    #[error("the {adapter} adapter needs the parameter `{parameter}`")]
    MissingParameter {
        adapter: AdapterKind,
        parameter: &'static str,
    },
    /// A parameter the adapter does not know (often a typing error).
    #[error("the {adapter} adapter has no parameter `{parameter}`; it knows: {known}")]
    UnknownParameter {
        adapter: AdapterKind,
        parameter: String,
        known: String,
    },
    /// A parameter whose value is not valid.
    #[error("the {adapter} adapter's parameter `{parameter}` is not valid: {reason}")]
    InvalidParameter {
        adapter: AdapterKind,
        parameter: String,
        reason: String,
    },
    /// A `*_env` parameter names an environment variable that is not set.
    #[error(
        "the {adapter} adapter's `{parameter}` names the environment variable `{variable}`, which is not set"
    )]
    EnvNotSet {
        adapter: AdapterKind,
        parameter: &'static str,
        variable: String,
    },
}

/// The configuration of the nginx adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NginxConfig {
    /// The map include file with one `host 1;` line per suspended host.
    pub map_file: PathBuf,
    /// Where the maintenance page's HTML is written, when given.
    pub page_file: Option<PathBuf>,
    /// The configuration test, split on whitespace (default `nginx -t`).
    pub test_command: Vec<String>,
    /// The reload, split on whitespace (default `nginx -s reload`).
    pub reload_command: Vec<String>,
}

/// The configuration of the PowerDNS HTTP API adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PowerDnsConfig {
    /// The API's base URL, e.g. `http://127.0.0.1:8081`.
    pub api_url: Url,
    /// The API key (header `X-API-Key`).
    pub api_key: Secret,
    /// The server id in the API path (default `localhost`).
    pub server_id: String,
    /// The zone the hosts are in.
    pub zone: Hostname,
    /// The address a suspended host points to.
    pub maintenance_a: Ipv4Addr,
    /// The IPv6 address a suspended host points to; without it the host loses its AAAA.
    pub maintenance_aaaa: Option<Ipv6Addr>,
}

/// The TSIG algorithms supported for DNS UPDATE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsigAlgorithm {
    /// `hmac-sha256` (the default).
    HmacSha256,
    /// `hmac-sha384`.
    HmacSha384,
    /// `hmac-sha512`.
    HmacSha512,
}

/// The configuration of the RFC 2136 (DNS UPDATE with TSIG) adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rfc2136Config {
    /// The primary server as `host:port`.
    pub server: String,
    /// The zone the hosts are in.
    pub zone: Hostname,
    /// The TSIG key's name.
    pub tsig_name: String,
    /// The TSIG algorithm.
    pub tsig_algorithm: TsigAlgorithm,
    /// The TSIG secret, base64 as `tsig-keygen` and `pdnsutil` print it.
    pub tsig_secret: Secret,
    /// The address a suspended host points to.
    pub maintenance_a: Ipv4Addr,
    /// The IPv6 address a suspended host points to; without it the host loses its AAAA.
    pub maintenance_aaaa: Option<Ipv6Addr>,
}

/// The configuration of the webhook adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// Where the signed JSON is posted.
    pub url: Url,
    /// The HMAC-SHA256 key for the `X-Sigap-Signature` header.
    pub secret: Secret,
}

/// Which adapter, with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdapterSettings {
    /// No parameters.
    Manual,
    /// See [`NginxConfig`].
    Nginx(NginxConfig),
    /// See [`PowerDnsConfig`].
    PowerDns(PowerDnsConfig),
    /// See [`Rfc2136Config`].
    Rfc2136(Rfc2136Config),
    /// See [`WebhookConfig`].
    Webhook(WebhookConfig),
}

/// A complete adapter configuration: the settings and the time limit of every network call
/// and command (parameter `timeout_secs`, default 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterConfig {
    /// The adapter and its parameters.
    pub settings: AdapterSettings,
    /// The time limit of each network call or command.
    pub timeout: Duration,
}

impl AdapterConfig {
    /// Parses `(adapter, params)`, reading `*_env` secrets with `env` (tests pass a map; the
    /// application passes [`process_env`]).
    pub fn parse(
        adapter: &str,
        params: &BTreeMap<String, String>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<AdapterConfig, ConfigError> {
        let kind =
            AdapterKind::from_name(adapter.trim()).ok_or_else(|| ConfigError::UnknownAdapter {
                name: adapter.to_owned(),
            })?;
        let reader = Params { kind, params, env };
        reader.reject_unknown()?;
        let settings = match kind {
            AdapterKind::Manual => AdapterSettings::Manual,
            AdapterKind::Nginx => AdapterSettings::Nginx(reader.nginx()?),
            AdapterKind::PowerDns => AdapterSettings::PowerDns(reader.powerdns()?),
            AdapterKind::Rfc2136 => AdapterSettings::Rfc2136(reader.rfc2136()?),
            AdapterKind::Webhook => AdapterSettings::Webhook(reader.webhook()?),
        };
        Ok(AdapterConfig {
            settings,
            timeout: reader.timeout()?,
        })
    }

    /// Like [`AdapterConfig::parse`], with parameters as a JSON object whose values are
    /// strings, numbers or booleans.
    pub fn parse_json(
        adapter: &str,
        params: &serde_json::Map<String, serde_json::Value>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<AdapterConfig, ConfigError> {
        let kind = AdapterKind::from_name(adapter.trim());
        let mut flat = BTreeMap::new();
        for (key, value) in params {
            let text = match value {
                serde_json::Value::String(text) => text.clone(),
                serde_json::Value::Number(number) => number.to_string(),
                serde_json::Value::Bool(flag) => flag.to_string(),
                _ => {
                    return Err(ConfigError::InvalidParameter {
                        adapter: kind.unwrap_or(AdapterKind::Manual),
                        parameter: key.clone(),
                        reason: "give a string, a number or a boolean".into(),
                    });
                }
            };
            flat.insert(key.clone(), text);
        }
        AdapterConfig::parse(adapter, &flat, env)
    }

    /// Which adapter this is.
    pub fn kind(&self) -> AdapterKind {
        match self.settings {
            AdapterSettings::Manual => AdapterKind::Manual,
            AdapterSettings::Nginx(_) => AdapterKind::Nginx,
            AdapterSettings::PowerDns(_) => AdapterKind::PowerDns,
            AdapterSettings::Rfc2136(_) => AdapterKind::Rfc2136,
            AdapterSettings::Webhook(_) => AdapterKind::Webhook,
        }
    }
}

/// Reads a variable from the process environment, for [`AdapterConfig::parse`].
pub fn process_env(variable: &str) -> Option<String> {
    std::env::var(variable).ok()
}

/// The parameters each adapter knows (besides `timeout_secs`, which all but `manual` take).
fn known_parameters(kind: AdapterKind) -> &'static [&'static str] {
    match kind {
        AdapterKind::Manual => &[],
        AdapterKind::Nginx => &["map_file", "page_file", "test_command", "reload_command"],
        AdapterKind::PowerDns => &[
            "api_url",
            "api_key_env",
            "server_id",
            "zone",
            "maintenance_a",
            "maintenance_aaaa",
        ],
        AdapterKind::Rfc2136 => &[
            "server",
            "zone",
            "tsig_name",
            "tsig_algorithm",
            "tsig_secret_env",
            "maintenance_a",
            "maintenance_aaaa",
        ],
        AdapterKind::Webhook => &["url", "secret_env"],
    }
}

/// One adapter's parameters being read.
struct Params<'a> {
    kind: AdapterKind,
    params: &'a BTreeMap<String, String>,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Params<'_> {
    fn reject_unknown(&self) -> Result<(), ConfigError> {
        let known = known_parameters(self.kind);
        let timeout_allowed = self.kind != AdapterKind::Manual;
        for name in self.params.keys() {
            let is_timeout = timeout_allowed && name == "timeout_secs";
            if !known.contains(&name.as_str()) && !is_timeout {
                let mut listed: Vec<&str> = known.to_vec();
                if timeout_allowed {
                    listed.push("timeout_secs");
                }
                let known = if listed.is_empty() {
                    "none".into()
                } else {
                    listed.join(", ")
                };
                return Err(ConfigError::UnknownParameter {
                    adapter: self.kind,
                    parameter: name.clone(),
                    known,
                });
            }
        }
        Ok(())
    }

    fn optional(&self, name: &str) -> Option<&str> {
        self.params
            .get(name)
            .map(|value| value.trim())
            .filter(|value| !value.is_empty())
    }

    fn required(&self, name: &'static str) -> Result<&str, ConfigError> {
        self.optional(name).ok_or(ConfigError::MissingParameter {
            adapter: self.kind,
            parameter: name,
        })
    }

    fn invalid(&self, name: &str, reason: impl Into<String>) -> ConfigError {
        ConfigError::InvalidParameter {
            adapter: self.kind,
            parameter: name.to_owned(),
            reason: reason.into(),
        }
    }

    fn secret(&self, name: &'static str) -> Result<Secret, ConfigError> {
        let variable = self.required(name)?;
        if !variable.starts_with(SECRET_ENV_PREFIX) || variable.len() == SECRET_ENV_PREFIX.len() {
            return Err(self.invalid(
                name,
                format!("`{variable}`: the variable's name must start with {SECRET_ENV_PREFIX}"),
            ));
        }
        match (self.env)(variable) {
            Some(value) if !value.is_empty() => Ok(Secret::new(variable, value)),
            _ => Err(ConfigError::EnvNotSet {
                adapter: self.kind,
                parameter: name,
                variable: variable.to_owned(),
            }),
        }
    }

    fn parsed<T: std::str::FromStr>(
        &self,
        name: &'static str,
        what: &str,
    ) -> Result<T, ConfigError> {
        let text = self.required(name)?;
        text.parse()
            .map_err(|_| self.invalid(name, format!("`{text}` is not {what}")))
    }

    fn optional_parsed<T: std::str::FromStr>(
        &self,
        name: &'static str,
        what: &str,
    ) -> Result<Option<T>, ConfigError> {
        match self.optional(name) {
            None => Ok(None),
            Some(_) => self.parsed(name, what).map(Some),
        }
    }

    fn url(&self, name: &'static str) -> Result<Url, ConfigError> {
        let url: Url = self.parsed(name, "a URL")?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(self.invalid(name, "the URL must start with http:// or https://"));
        }
        Ok(url)
    }

    fn zone(&self) -> Result<Hostname, ConfigError> {
        Hostname::parse(self.required("zone")?)
            .map_err(|error| self.invalid("zone", error.to_string()))
    }

    fn command(&self, name: &str, default: &str) -> Vec<String> {
        self.optional(name)
            .unwrap_or(default)
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    }

    fn timeout(&self) -> Result<Duration, ConfigError> {
        let seconds: Option<f64> = self.optional_parsed("timeout_secs", "a number of seconds")?;
        match seconds {
            None => Ok(DEFAULT_TIMEOUT),
            Some(value) if value > 0.0 && value <= 600.0 => Ok(Duration::from_secs_f64(value)),
            Some(_) => Err(self.invalid(
                "timeout_secs",
                "give a number of seconds above 0, at most 600",
            )),
        }
    }

    fn nginx(&self) -> Result<NginxConfig, ConfigError> {
        Ok(NginxConfig {
            map_file: PathBuf::from(self.required("map_file")?),
            page_file: self.optional("page_file").map(PathBuf::from),
            test_command: self.command("test_command", "nginx -t"),
            reload_command: self.command("reload_command", "nginx -s reload"),
        })
    }

    fn powerdns(&self) -> Result<PowerDnsConfig, ConfigError> {
        Ok(PowerDnsConfig {
            api_url: self.url("api_url")?,
            api_key: self.secret("api_key_env")?,
            server_id: self.optional("server_id").unwrap_or("localhost").to_owned(),
            zone: self.zone()?,
            maintenance_a: self.parsed("maintenance_a", "an IPv4 address")?,
            maintenance_aaaa: self.optional_parsed("maintenance_aaaa", "an IPv6 address")?,
        })
    }

    fn rfc2136(&self) -> Result<Rfc2136Config, ConfigError> {
        let server = self.required("server")?;
        if server
            .rsplit_once(':')
            .is_none_or(|(_, port)| port.parse::<u16>().is_err())
        {
            return Err(self.invalid("server", format!("`{server}` is not host:port")));
        }
        let algorithm = match self.optional("tsig_algorithm").unwrap_or("hmac-sha256") {
            "hmac-sha256" => TsigAlgorithm::HmacSha256,
            "hmac-sha384" => TsigAlgorithm::HmacSha384,
            "hmac-sha512" => TsigAlgorithm::HmacSha512,
            other => {
                let reason = format!("`{other}`: use hmac-sha256, hmac-sha384 or hmac-sha512");
                return Err(self.invalid("tsig_algorithm", reason));
            }
        };
        let secret = self.secret("tsig_secret_env")?;
        if BASE64.decode(secret.expose().trim()).is_err() {
            let reason = format!("the variable `{}` does not hold base64", secret.variable);
            return Err(self.invalid("tsig_secret_env", reason));
        }
        Ok(Rfc2136Config {
            server: server.to_owned(),
            zone: self.zone()?,
            tsig_name: self.required("tsig_name")?.to_owned(),
            tsig_algorithm: algorithm,
            tsig_secret: secret,
            maintenance_a: self.parsed("maintenance_a", "an IPv4 address")?,
            maintenance_aaaa: self.optional_parsed("maintenance_aaaa", "an IPv6 address")?,
        })
    }

    fn webhook(&self) -> Result<WebhookConfig, ConfigError> {
        Ok(WebhookConfig {
            url: self.url("url")?,
            secret: self.secret("secret_env")?,
        })
    }
}
