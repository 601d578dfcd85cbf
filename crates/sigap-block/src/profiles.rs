//! Blocking profiles: the operator's named adapter configurations, read at start from
//! `SIGAP_BLOCKING_FILE`. Commands, file paths, server addresses and the names of secret
//! variables are operator configuration: they live in this file (or are set with
//! `sigap system set-blocking` on the server), never in a web form or an API body, so that a
//! stolen admin session cannot run a command or send a secret anywhere. The web and the API
//! choose a profile for a system and may set only harmless values beside it (the app's
//! `blocking_profiles::SYSTEM_PARAMETERS`).
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

use crate::config::AdapterConfig;
use crate::error::AdapterKind;

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
        let table: toml::Table = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
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

/// A TOML error as one line that says where: `line L, column C: what`. The parser's own
/// message is empty for some inputs (a control character in a comment, for one). The
/// document settings file reports its errors the same way.
pub fn toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = match error.message().trim() {
        "" => "this is not valid TOML",
        message => message,
    };
    let Some(before) = error.span().and_then(|span| text.get(..span.start)) else {
        return message.to_owned();
    };
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    format!("line {line}, column {column}: {message}")
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_file_that_is_not_toml_is_refused_with_where() {
        // Found by fuzzing (fuzz/, blocking_config): the parser gave an empty message for a
        // control character in a comment, and the operator read "blocking.toml: ".
        let error = BlockingProfiles::from_toml("# p\" w\0", &env).unwrap_err();
        assert_eq!(error, "line 1, column 7: this is not valid TOML");
        let error = BlockingProfiles::from_toml("[profiles.x]\nadapter = ", &env).unwrap_err();
        assert!(error.starts_with("line 2, column 11: "), "{error}");
        assert!(error.len() > "line 2, column 11: ".len(), "{error}");
    }
}
