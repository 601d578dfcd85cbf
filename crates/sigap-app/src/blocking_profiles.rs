//! Blocking profiles: the operator's named adapter configurations, read at start from
//! `SIGAP_BLOCKING_FILE`. Commands, file paths, server addresses and the names of secret
//! variables are operator configuration: they live in this file (or are set with
//! `sigap system set-blocking` on the server), never in a web form or an API body, so that a
//! stolen admin session cannot run a command or send a secret anywhere. The web and the API
//! choose a profile for a system and may set only harmless values ([`SYSTEM_PARAMETERS`]).
//!
//! ```toml
//! [profiles.nginx-dmz]
//! adapter = "nginx"
//! map_file = "/etc/nginx/sigap/blocked.map"
//! reload_command = "nginx -s reload"
//!
//! [profiles.pdns-batam]
//! adapter = "powerdns"
//! api_url = "http://10.10.0.53:8081"
//! api_key_env = "SIGAP_ADAPTER_PDNS_KEY"
//! zone = "batam.go.id"
//! maintenance_a = "10.10.0.80"
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};
use sigap_block::config::AdapterSettings;
use sigap_block::{AdapterConfig, AdapterKind, Hostname};
use sigap_core::FieldError;

/// The values a system's blocking may set beside its profile, through the web or the API.
pub const SYSTEM_PARAMETERS: &[&str] = &["zone", "timeout_secs"];

/// The profiles of the blocking file, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockingProfiles {
    profiles: BTreeMap<String, AdapterConfig>,
}

impl BlockingProfiles {
    /// Reads and checks the file; secrets are read with `env` now, so that a missing
    /// variable stops the server at start rather than at the first block.
    pub fn from_file(
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<BlockingProfiles, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        BlockingProfiles::from_toml(&text, env).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses and checks profiles written in TOML (see the module's documentation).
    pub fn from_toml(
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<BlockingProfiles, String> {
        let table: toml::Table = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        let mut profiles = BTreeMap::new();
        for (key, value) in &table {
            if key != "profiles" {
                return Err(format!("unknown section `{key}`; write [profiles.NAME]"));
            }
            let Some(sections) = value.as_table() else {
                return Err("`profiles` is a table of [profiles.NAME] sections".to_owned());
            };
            for (name, section) in sections {
                let config = profile(name, section, env)?;
                profiles.insert(name.clone(), config);
            }
        }
        Ok(BlockingProfiles { profiles })
    }

    /// Profiles made in code (tests, the demo).
    pub fn from_configs(
        configs: impl IntoIterator<Item = (String, AdapterConfig)>,
    ) -> BlockingProfiles {
        BlockingProfiles {
            profiles: configs.into_iter().collect(),
        }
    }

    /// The profile called `name`.
    pub fn get(&self, name: &str) -> Option<&AdapterConfig> {
        self.profiles.get(name)
    }

    /// Every profile's name with its adapter, in name order.
    pub fn names(&self) -> Vec<(String, AdapterKind)> {
        self.profiles
            .iter()
            .map(|(name, config)| (name.clone(), config.kind()))
            .collect()
    }

    /// Whether no profile is defined.
    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }
}

/// A profile name: lowercase letters, digits and `-`, 1 to 40 characters.
fn check_name(name: &str) -> Result<(), String> {
    let fine = (1..=40).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if fine {
        Ok(())
    } else {
        Err(format!(
            "profile name `{name}`: use 1 to 40 lowercase letters, digits and `-`"
        ))
    }
}

fn profile(
    name: &str,
    section: &toml::Value,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<AdapterConfig, String> {
    check_name(name)?;
    let Some(table) = section.as_table() else {
        return Err(format!("[profiles.{name}] is not a table"));
    };
    let mut adapter = None;
    let mut params = BTreeMap::new();
    for (key, value) in table {
        let text = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::Float(n) => n.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            _ => {
                return Err(format!(
                    "[profiles.{name}] `{key}`: give a text or a number"
                ));
            }
        };
        if key == "adapter" {
            adapter = Some(text);
        } else {
            params.insert(key.clone(), text);
        }
    }
    let adapter = adapter.ok_or_else(|| format!("[profiles.{name}] needs `adapter`"))?;
    if adapter == "manual" {
        return Err(format!(
            "[profiles.{name}]: `manual` needs no profile; a system without one is blocked by hand"
        ));
    }
    AdapterConfig::parse(&adapter, &params, env).map_err(|e| format!("[profiles.{name}]: {e}"))
}

/// Refuses, naming it, the first parameter outside [`SYSTEM_PARAMETERS`]: commands, files,
/// addresses and secrets belong to the operator.
pub fn check_parameter_names(params: &Map<String, Value>) -> Result<(), FieldError> {
    match params
        .keys()
        .find(|key| !SYSTEM_PARAMETERS.contains(&key.as_str()))
    {
        None => Ok(()),
        Some(key) => Err(FieldError::new(
            format!("params.{key}"),
            format!(
                "`{key}` is set by the operator in the blocking profile \
                 (SIGAP_BLOCKING_FILE), not here; a system may set only: {}",
                SYSTEM_PARAMETERS.join(", ")
            ),
        )),
    }
}

/// The profile's configuration with a system's harmless values applied; anything else is
/// refused (see [`check_parameter_names`]).
pub fn with_system_parameters(
    config: &AdapterConfig,
    params: &Map<String, Value>,
) -> Result<AdapterConfig, FieldError> {
    check_parameter_names(params)?;
    let mut config = config.clone();
    for (key, value) in params {
        let field = format!("params.{key}");
        let text = match value {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            _ => return Err(FieldError::new(&field, "give a text or a number")),
        };
        match key.as_str() {
            "zone" => set_zone(&mut config, &field, &text)?,
            "timeout_secs" => {
                let seconds: f64 = text.parse().map_err(|_| {
                    FieldError::new(&field, format!("`{text}` is not a number of seconds"))
                })?;
                if !(seconds > 0.0 && seconds <= 600.0) {
                    return Err(FieldError::new(
                        &field,
                        "give a number of seconds above 0, at most 600",
                    ));
                }
                config.timeout = std::time::Duration::from_secs_f64(seconds);
            }
            _ => {}
        }
    }
    Ok(config)
}

fn set_zone(config: &mut AdapterConfig, field: &str, text: &str) -> Result<(), FieldError> {
    let zone = Hostname::parse(text).map_err(|e| FieldError::new(field, e.to_string()))?;
    match &mut config.settings {
        AdapterSettings::PowerDns(settings) => settings.zone = zone,
        AdapterSettings::Rfc2136(settings) => settings.zone = zone,
        _ => {
            return Err(FieldError::new(
                field,
                "a zone belongs to the powerdns and rfc2136 adapters only",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(variable: &str) -> Option<String> {
        (variable == "SIGAP_ADAPTER_PDNS_KEY").then(|| "secret".to_owned())
    }

    const FILE: &str = r#"
[profiles.nginx-dmz]
adapter = "nginx"
map_file = "/etc/nginx/sigap/blocked.map"
reload_command = "nginx -s reload"

[profiles.pdns-batam]
adapter = "powerdns"
api_url = "http://10.10.0.53:8081"
api_key_env = "SIGAP_ADAPTER_PDNS_KEY"
zone = "batam.go.id"
maintenance_a = "10.10.0.80"
timeout_secs = 3
"#;

    #[test]
    fn profiles_are_read_and_checked_at_start() {
        let profiles = BlockingProfiles::from_toml(FILE, &env).unwrap();
        assert_eq!(
            profiles.names(),
            [
                ("nginx-dmz".to_owned(), AdapterKind::Nginx),
                ("pdns-batam".to_owned(), AdapterKind::PowerDns)
            ]
        );
        let missing = FILE.replace("SIGAP_ADAPTER_PDNS_KEY", "SIGAP_ADAPTER_OTHER");
        let error = BlockingProfiles::from_toml(&missing, &env).unwrap_err();
        assert!(error.contains("SIGAP_ADAPTER_OTHER"), "{error}");
        for bad in [
            "[profiles.Bad_Name]\nadapter = \"nginx\"\nmap_file = \"/x\"",
            "[profiles.x]\nmap_file = \"/x\"",
            "[profiles.x]\nadapter = \"manual\"",
            "[other]\nx = 1",
            "[profiles.x]\nadapter = \"nginx\"\nmap_file = \"/x\"\nrm = \"-rf\"",
        ] {
            assert!(BlockingProfiles::from_toml(bad, &env).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_system_sets_only_harmless_values() {
        let profiles = BlockingProfiles::from_toml(FILE, &env).unwrap();
        let pdns = profiles.get("pdns-batam").unwrap();
        let params = json!({"zone": "disdik.batam.go.id", "timeout_secs": "9"});
        let config = with_system_parameters(pdns, params.as_object().unwrap()).unwrap();
        let AdapterSettings::PowerDns(settings) = &config.settings else {
            panic!("{config:?}")
        };
        assert_eq!(settings.zone.as_str(), "disdik.batam.go.id");
        assert_eq!(config.timeout.as_secs(), 9);
        for (key, value) in [
            ("test_command", "sh -c 'curl evil'"),
            ("api_url", "http://169.254.169.254/"),
            ("api_key_env", "SIGAP_SECRET_KEY"),
            ("maintenance_a", "203.0.113.9"),
        ] {
            let params = json!({ key: value });
            let error = with_system_parameters(pdns, params.as_object().unwrap()).unwrap_err();
            assert_eq!(error.field, format!("params.{key}"));
        }
        let nginx = profiles.get("nginx-dmz").unwrap();
        let zone = json!({"zone": "batam.go.id"});
        assert!(with_system_parameters(nginx, zone.as_object().unwrap()).is_err());
    }
}
