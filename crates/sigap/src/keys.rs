//! The server's secret key: where each command reads it, and why several instances on one
//! PostgreSQL database must be given the same one.

use clap::Args;
use sigap_app::identity::totp::SecretKey;

/// The server's secret key, from which the keys that seal the TOTP secrets and the audit
/// chain are derived. Every command that opens the database reads it; every instance on one
/// database must have the same one.
#[derive(Clone, Args)]
pub struct KeyArgs {
    /// 64 hexadecimal digits; default: `SIGAP_SECRET_KEY_FILE`, else (SQLite only) the key
    /// file `secret.key` in the data directory, created at the first start.
    #[arg(long, env = "SIGAP_SECRET_KEY", hide_env_values = true, global = true)]
    pub secret_key: Option<String>,
    /// A file holding the key (64 hexadecimal digits), e.g. a systemd credential.
    #[arg(long, env = "SIGAP_SECRET_KEY_FILE", global = true)]
    pub secret_key_file: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for KeyArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyArgs")
            .field("secret_key", &self.secret_key.as_ref().map(|_| "***"))
            .field("secret_key_file", &self.secret_key_file)
            .finish()
    }
}

impl KeyArgs {
    /// The key from `SIGAP_SECRET_KEY`, from `SIGAP_SECRET_KEY_FILE`, or from
    /// `<data dir>/secret.key`, which is written (readable by its owner only) when missing.
    /// A `shared` database (PostgreSQL, where several instances may run) refuses the last:
    /// a key made by one instance would not be the others'.
    pub fn load(&self, data_dir: &std::path::Path, shared: bool) -> anyhow::Result<SecretKey> {
        if let Some(text) = &self.secret_key {
            return SecretKey::from_hex(text).map_err(|e| anyhow::anyhow!("SIGAP_SECRET_KEY: {e}"));
        }
        if let Some(path) = &self.secret_key_file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                anyhow::anyhow!("SIGAP_SECRET_KEY_FILE: cannot read {}: {e}", path.display())
            })?;
            return SecretKey::from_hex(&text)
                .map_err(|e| anyhow::anyhow!("SIGAP_SECRET_KEY_FILE {}: {e}", path.display()));
        }
        let path = data_dir.join("secret.key");
        if shared {
            let found = if path.exists() {
                format!(
                    "; this machine has the key file {}: if this database was written with it, \
                     give its contents to every instance",
                    path.display()
                )
            } else {
                String::new()
            };
            anyhow::bail!(
                "on PostgreSQL every instance must have the same server key, and a key file in \
                 one instance's data directory is not shared: set SIGAP_SECRET_KEY (64 \
                 hexadecimal digits, e.g. from `openssl rand -hex 32`) or SIGAP_SECRET_KEY_FILE \
                 to the same key on every instance{found}"
            );
        }
        SecretKey::from_key_file(&path).map_err(anyhow::Error::msg)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_key_file_is_made_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let args = KeyArgs {
            secret_key: None,
            secret_key_file: None,
        };
        let first = args.load(dir.path(), false).unwrap();
        let again = args.load(dir.path(), false).unwrap();
        assert_eq!(first.to_hex(), again.to_hex());
        let given = KeyArgs {
            secret_key: Some("00".repeat(32)),
            secret_key_file: None,
        };
        assert_eq!(
            given.load(dir.path(), true).unwrap().to_hex(),
            "00".repeat(32)
        );
        assert!(
            KeyArgs {
                secret_key: Some("xyz".into()),
                secret_key_file: None,
            }
            .load(dir.path(), false)
            .is_err()
        );
    }

    #[test]
    fn a_shared_database_needs_a_shared_key() {
        let dir = tempfile::tempdir().unwrap();
        let none = KeyArgs {
            secret_key: None,
            secret_key_file: None,
        };
        let refused = none.load(dir.path(), true).unwrap_err().to_string();
        assert!(
            refused.contains("SIGAP_SECRET_KEY") && !refused.contains("has the key file"),
            "{refused}"
        );
        assert!(
            !dir.path().join("secret.key").exists(),
            "no key file is made"
        );
        // An instance that ran on its own file is told to hand that key to the others.
        let made = none.load(dir.path(), false).unwrap();
        let refused = none.load(dir.path(), true).unwrap_err().to_string();
        assert!(refused.contains("has the key file"), "{refused}");
        let file = KeyArgs {
            secret_key: None,
            secret_key_file: Some(dir.path().join("secret.key")),
        };
        assert_eq!(file.load(dir.path(), true).unwrap().to_hex(), made.to_hex());
        let missing = KeyArgs {
            secret_key: None,
            secret_key_file: Some(dir.path().join("nope.key")),
        };
        let said = missing.load(dir.path(), true).unwrap_err().to_string();
        assert!(said.contains("SIGAP_SECRET_KEY_FILE"), "{said}");
    }
}
