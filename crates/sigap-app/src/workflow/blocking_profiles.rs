//! The blocking profiles of the operator (`sigap_block::profiles`, read at start from
//! `SIGAP_BLOCKING_FILE`) and the only values a system may set beside its profile through
//! the web or the API ([`SYSTEM_PARAMETERS`]): commands, file paths, server addresses and
//! the names of secret variables are the operator's, so that a stolen admin session cannot
//! run a command or send a secret anywhere.

use serde_json::{Map, Value};
use sigap_block::config::AdapterSettings;
use sigap_block::{AdapterConfig, Hostname};
use sigap_core::FieldError;

pub use sigap_block::profiles::BlockingProfiles;

/// The values a system's blocking may set beside its profile, through the web or the API.
pub const SYSTEM_PARAMETERS: &[&str] = &["zone", "timeout_secs"];

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
