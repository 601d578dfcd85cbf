//! The blocking configuration: the operator's profiles file (`SIGAP_BLOCKING_FILE`, TOML),
//! an adapter and its parameters as the registry's API sends them (JSON), and the host
//! names written into nginx maps and DNS zones. No input panics; an accepted configuration
//! keeps the limits the parser promises (a time limit above 0 and at most 600 s, a zone
//! that is a host name, http(s) URLs, secrets only from `SIGAP_ADAPTER_*` variables); no
//! secret ever shows in a configuration's `Debug` nor in an error; an error about a
//! parameter names one that was given or one that is required.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use sigap_block::config::{AdapterSettings, ConfigError, SECRET_ENV_PREFIX};
use sigap_block::{AdapterConfig, AdapterKind, BlockingProfiles, Hostname};

/// The value of every `SIGAP_ADAPTER_*` variable (base64, as TSIG keys are) ...
const SECRET: &str = "c2lnYXAtZnV6ei1zZWNyZXQ=";
/// ... but of those ending in `_TEXT`, which hold this (not base64).
const TEXT_SECRET: &str = "sigap fuzz secret!";

/// The environment: `SIGAP_ADAPTER_*` variables are set, but those ending in `_UNSET`.
fn env(variable: &str) -> Option<String> {
    if !variable.starts_with(SECRET_ENV_PREFIX) || variable.ends_with("_UNSET") {
        None
    } else if variable.ends_with("_TEXT") {
        Some(TEXT_SECRET.to_owned())
    } else {
        Some(SECRET.to_owned())
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    hostname(text);
    if selector % 2 == 0 {
        profiles(text);
    } else {
        adapter_json(text);
    }
});

fn hostname(text: &str) {
    let Ok(name) = Hostname::parse(text) else {
        return;
    };
    let name_text = name.as_str();
    assert_eq!(Hostname::parse(name_text).as_ref(), Ok(&name));
    assert!(
        !name_text.ends_with('.') && name_text.len() <= 253,
        "{name_text:?}"
    );
    assert_eq!(name_text, name_text.to_ascii_lowercase());
    assert!(name.is_in_zone(&name));
    assert_eq!(name.fqdn(), format!("{name_text}."));
}

/// Whether `output` shows a secret that the input (`given`) did not hold itself.
fn no_secret(output: &str, given: &str) {
    for secret in [SECRET, TEXT_SECRET] {
        assert!(
            !output.contains(secret) || given.contains(secret),
            "{output}"
        );
    }
}

fn profiles(text: &str) {
    // What the file holds with its escapes read: a secret written in it may show again.
    let given = format!("{text}{:?}", toml::from_str::<toml::Table>(text));
    match BlockingProfiles::from_toml(text, &env) {
        Ok(profiles) => {
            for (name, kind) in profiles.names() {
                let fine = (1..=40).contains(&name.len())
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                assert!(fine, "{name:?}");
                assert_ne!(kind, AdapterKind::Manual);
                let config = profiles.get(&name).expect("a listed profile");
                assert_eq!(config.kind(), kind);
                accepted(config, &given);
            }
        }
        Err(error) => {
            assert!(!error.is_empty());
            no_secret(&error, &given);
        }
    }
}

fn adapter_json(text: &str) {
    let Ok(serde_json::Value::Object(body)) = serde_json::from_str(text) else {
        return;
    };
    let adapter = body.get("adapter").and_then(|a| a.as_str()).unwrap_or("");
    let Some(serde_json::Value::Object(params)) = body.get("params") else {
        return;
    };
    // The parameters with their escapes read: a secret written in them may show again.
    let given = format!("{text}{params:?}");
    match AdapterConfig::parse_json(adapter, params, &env) {
        Ok(config) => {
            assert_eq!(config.kind().as_str(), adapter.trim());
            accepted(&config, &given);
        }
        Err(error) => refused(&error, params, &given),
    }
}

fn refused(error: &ConfigError, params: &serde_json::Map<String, serde_json::Value>, given: &str) {
    let text = error.to_string();
    assert!(!text.is_empty());
    no_secret(&text, given);
    match error {
        ConfigError::UnknownAdapter { .. } => {}
        ConfigError::UnknownParameter { parameter, .. }
        | ConfigError::InvalidParameter { parameter, .. } => {
            assert!(params.contains_key(parameter), "{error:?}");
        }
        ConfigError::MissingParameter { parameter, .. } => {
            let given = params.get(*parameter).and_then(|v| v.as_str());
            assert!(given.is_none_or(|v| v.trim().is_empty()), "{error:?}");
        }
        ConfigError::EnvNotSet {
            parameter,
            variable,
            ..
        } => {
            let given = params
                .get(*parameter)
                .and_then(|v| v.as_str())
                .map(str::trim);
            assert_eq!(given, Some(variable.as_str()), "{error:?}");
        }
    }
}

fn accepted(config: &AdapterConfig, given: &str) {
    assert!(config.timeout > Duration::ZERO, "{config:?}");
    assert!(config.timeout <= Duration::from_secs(600), "{config:?}");
    no_secret(&format!("{config:?}"), given);
    let http = |url: &url::Url| assert!(matches!(url.scheme(), "http" | "https"), "{url}");
    let zone = |zone: &Hostname| assert_eq!(Hostname::parse(zone.as_str()).as_ref(), Ok(zone));
    let secret =
        |s: &sigap_block::Secret| assert!(s.expose() == SECRET || s.expose() == TEXT_SECRET);
    match &config.settings {
        AdapterSettings::Manual => {}
        AdapterSettings::Nginx(nginx) => {
            assert!(!nginx.map_file.as_os_str().is_empty());
            assert!(!nginx.test_command.is_empty() && !nginx.reload_command.is_empty());
        }
        AdapterSettings::PowerDns(pdns) => {
            http(&pdns.api_url);
            zone(&pdns.zone);
            secret(&pdns.api_key);
        }
        AdapterSettings::Rfc2136(rfc) => {
            zone(&rfc.zone);
            secret(&rfc.tsig_secret);
            let port = rfc
                .server
                .rsplit_once(':')
                .map(|(_, port)| port.parse::<u16>());
            assert!(matches!(port, Some(Ok(_))), "{}", rfc.server);
            assert_eq!(rfc.tsig_secret.expose(), SECRET, "a TSIG key is base64");
        }
        AdapterSettings::Webhook(hook) => {
            http(&hook.url);
            secret(&hook.secret);
        }
    }
}
