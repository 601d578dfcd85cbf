//! The signer of certified electronic signatures made from sigap, as configured at start:
//! the local PAdES signer from a PKCS#12 file, or the client of BSrE's signing service. A
//! file that does not open (a wrong password, not PKCS#12, no key) or a bad URL stops the
//! start with a message saying which variable to fix; both at once is refused too.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use sigap_app::documents::signing::Signer;
use sigap_app::documents::signing::bsre::BsreClient;
use sigap_app::documents::signing::local::LocalSigner;

#[derive(Clone, Default, Args)]
pub struct SigningArgs {
    /// A PKCS#12 file (certificate chain and key of the office's own CA) for signing
    /// documents from sigap with a PAdES signature; unset: documents are signed outside.
    #[arg(long, env = "SIGAP_SIGNING_P12")]
    pub signing_p12: Option<PathBuf>,
    /// The PKCS#12 file's password.
    #[arg(long, env = "SIGAP_SIGNING_P12_PASSWORD", hide_env_values = true)]
    pub signing_p12_password: Option<String>,
    /// A file holding the PKCS#12 file's password (e.g. a systemd credential).
    #[arg(long, env = "SIGAP_SIGNING_P12_PASSWORD_FILE")]
    pub signing_p12_password_file: Option<PathBuf>,
    /// An RFC 3161 timestamp authority: signatures are then PAdES B-T rather than B-B.
    #[arg(long, env = "SIGAP_SIGNING_TSA_URL")]
    pub signing_tsa_url: Option<String>,
    /// The base URL of the office's BSrE signing service (esign-client API), for signing
    /// from sigap with BSrE certificates instead of a PKCS#12 file.
    #[arg(long, env = "SIGAP_BSRE_URL")]
    pub bsre_url: Option<String>,
    /// The office's client user at the BSrE service (HTTP basic auth).
    #[arg(long, env = "SIGAP_BSRE_USER", default_value = "")]
    pub bsre_user: String,
    /// The office's client password at the BSrE service.
    #[arg(long, env = "SIGAP_BSRE_PASSWORD", hide_env_values = true)]
    pub bsre_password: Option<String>,
    /// A file holding the BSrE client password.
    #[arg(long, env = "SIGAP_BSRE_PASSWORD_FILE")]
    pub bsre_password_file: Option<PathBuf>,
}

impl std::fmt::Debug for SigningArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningArgs")
            .field("signing_p12", &self.signing_p12)
            .field(
                "signing_p12_password",
                &self.signing_p12_password.as_ref().map(|_| "***"),
            )
            .field("signing_p12_password_file", &self.signing_p12_password_file)
            .field("signing_tsa_url", &self.signing_tsa_url)
            .field("bsre_url", &self.bsre_url)
            .field("bsre_user", &self.bsre_user)
            .field("bsre_password", &self.bsre_password.as_ref().map(|_| "***"))
            .field("bsre_password_file", &self.bsre_password_file)
            .finish()
    }
}

impl SigningArgs {
    /// The configured signer, if any.
    pub fn signer(&self) -> anyhow::Result<Option<Arc<dyn Signer>>> {
        match (&self.signing_p12, &self.bsre_url) {
            (Some(_), Some(_)) => anyhow::bail!(
                "SIGAP_SIGNING_P12 and SIGAP_BSRE_URL are both set: sign with one of them"
            ),
            (Some(path), None) => self.local(path),
            (None, Some(url)) => {
                let password = secret(
                    self.bsre_password.as_ref(),
                    self.bsre_password_file.as_ref(),
                    "SIGAP_BSRE_PASSWORD",
                )?;
                let client = BsreClient::new(url, &self.bsre_user, &password)
                    .map_err(|e| anyhow::anyhow!("SIGAP_BSRE_URL: {e}"))?;
                tracing::info!(url = %url, "documents are signed from sigap through BSrE");
                Ok(Some(Arc::new(client)))
            }
            (None, None) => Ok(None),
        }
    }

    fn local(&self, path: &std::path::Path) -> anyhow::Result<Option<Arc<dyn Signer>>> {
        let p12 = std::fs::read(path).map_err(|e| {
            anyhow::anyhow!("SIGAP_SIGNING_P12: cannot read {}: {e}", path.display())
        })?;
        let tsa = self
            .signing_tsa_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(|u| {
                url::Url::parse(u)
                    .ok()
                    .filter(|p| matches!(p.scheme(), "http" | "https"))
                    .map(|_| u.to_owned())
                    .ok_or_else(|| {
                        anyhow::anyhow!("SIGAP_SIGNING_TSA_URL: `{u}` is not an http(s) URL")
                    })
            })
            .transpose()?;
        let password = secret(
            self.signing_p12_password.as_ref(),
            self.signing_p12_password_file.as_ref(),
            "SIGAP_SIGNING_P12_PASSWORD",
        )?;
        let signer = LocalSigner::from_pkcs12(&p12, &password, tsa)
            .map_err(|e| anyhow::anyhow!("SIGAP_SIGNING_P12 {}: {e}", path.display()))?;
        tracing::info!(
            certificate = %signer.certificate().subject,
            issuer = %signer.certificate().issuer,
            "documents are signed from sigap with the local PAdES signer"
        );
        Ok(Some(Arc::new(signer)))
    }
}

/// A secret from its variable or its `_FILE` form (the file's trailing line break left
/// out); neither: empty.
fn secret(
    value: Option<&String>,
    file: Option<&PathBuf>,
    variable: &str,
) -> anyhow::Result<String> {
    if let Some(value) = value {
        return Ok(value.clone());
    }
    match file {
        Some(path) => std::fs::read_to_string(path)
            .map(|text| text.trim_end_matches(['\r', '\n']).to_owned())
            .map_err(|e| anyhow::anyhow!("{variable}_FILE: cannot read {}: {e}", path.display())),
        None => Ok(String::new()),
    }
}
