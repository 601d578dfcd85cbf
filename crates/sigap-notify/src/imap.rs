//! Reading a hosted mailbox (Zimbra, Dovecot, any IMAP server) for the inbox, when the city's
//! mail server cannot deliver over LMTP. [`ImapSource::run`] signs in, selects the mailbox,
//! hands each unseen message with its UID to a [`Keep`], and only when that answered marks
//! it `\Seen` (or moves it to the done folder); then it waits with IDLE when the server
//! offers it, else it polls. A message kept but not yet marked (a restart in between, or a
//! second worker on the same mailbox) is handed over again and the keeper answers that it
//! has it already: the mailbox UID (`{user}@{host}/{mailbox}:{UIDVALIDITY}:{UID}`) is the
//! keeper's dedupe key. A connection that fails is opened again after a pause.
//!
//! `imaps://user@host[:993]/INBOX` speaks TLS (the system's trusted roots, and a city CA
//! from a file when given); `imap://` sends the password in clear and is accepted for a
//! loopback host only.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use async_imap::{Client, Session};
use futures::StreamExt;
use futures::future::BoxFuture;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use crate::lmtp::DeliveryError;

/// Where to read, checked.
#[derive(Clone)]
pub struct ImapSource {
    tls: bool,
    host: String,
    port: u16,
    user: String,
    password: String,
    mailbox: String,
    /// Move kept messages here instead of marking them `\Seen`.
    done_folder: Option<String>,
    /// A PEM file of CA certificates trusted besides the system's.
    ca_file: Option<PathBuf>,
    /// How often to look when the server offers no IDLE (and the longest IDLE).
    pub poll: Duration,
}

impl std::fmt::Debug for ImapSource {
    /// Shows the mailbox without the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// A message read from the mailbox.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// `{user}@{host}/{mailbox}:{UIDVALIDITY}:{UID}`.
    pub mailbox_uid: String,
    pub data: Vec<u8>,
}

/// What keeps each message read.
pub trait Keep: Send + Sync + 'static {
    /// Keeps one message; answers when it is kept for good (or kept already).
    fn keep(&self, message: Fetched) -> BoxFuture<'_, Result<(), DeliveryError>>;
}

impl ImapSource {
    /// Reads `SIGAP_IMAP_URL` with its password (`SIGAP_IMAP_PASSWORD`), done folder
    /// (`SIGAP_IMAP_DONE_FOLDER`) and CA file (`SIGAP_IMAP_CA_FILE`).
    pub fn parse(
        url: &str,
        password: &str,
        done_folder: Option<&str>,
        ca_file: Option<PathBuf>,
    ) -> Result<ImapSource, String> {
        let parsed = url::Url::parse(url.trim())
            .map_err(|e| format!("SIGAP_IMAP_URL is not a URL ({e})"))?;
        let tls = match parsed.scheme() {
            "imaps" => true,
            "imap" => false,
            other => {
                return Err(format!(
                    "SIGAP_IMAP_URL is imaps:// or imap://, not {other}://"
                ));
            }
        };
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("SIGAP_IMAP_URL names no host")?
            .trim_matches(['[', ']'])
            .to_owned();
        if !tls && !is_loopback(&host) {
            return Err(
                "SIGAP_IMAP_URL: imap:// sends the password in clear; use imaps:// for a host \
                 other than this machine"
                    .to_owned(),
            );
        }
        let user = percent_decode(parsed.username());
        if user.is_empty() {
            return Err("SIGAP_IMAP_URL names no user (imaps://user@host/INBOX)".to_owned());
        }
        if password.is_empty() {
            return Err("SIGAP_IMAP_PASSWORD is not set".to_owned());
        }
        let mailbox = percent_decode(parsed.path().trim_start_matches('/'));
        Ok(ImapSource {
            tls,
            port: parsed.port().unwrap_or(if tls { 993 } else { 143 }),
            host,
            user,
            password: password.to_owned(),
            mailbox: if mailbox.is_empty() {
                "INBOX".to_owned()
            } else {
                mailbox
            },
            done_folder: done_folder
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_owned),
            ca_file,
            poll: Duration::from_secs(60),
        })
    }

    /// `user@host/mailbox`, for logs and the dedupe key.
    pub fn name(&self) -> String {
        format!("{}@{}/{}", self.user, self.host, self.mailbox)
    }

    /// Reads the mailbox until the task is dropped: each pass keeps what is unseen, then
    /// waits; a failed connection is opened again after a pause.
    pub async fn run(self, keep: Arc<dyn Keep>) {
        let mut pause = Duration::from_secs(1);
        loop {
            match self.connect_and_read(keep.as_ref()).await {
                Ok(()) => pause = Duration::from_secs(1),
                Err(e) => {
                    tracing::warn!(mailbox = %self.name(), error = %e, "IMAP: trying again");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(300));
                }
            }
        }
    }

    /// One pass over the mailbox (for a test or a command): keeps what is unseen now.
    pub async fn read_once(&self, keep: &dyn Keep) -> Result<usize, String> {
        let tcp = self.tcp().await?;
        if self.tls {
            let stream = self.tls_stream(tcp).await?;
            let mut session = self.login(stream).await?;
            let n = self.pass(&mut session, keep).await;
            let _ = session.logout().await;
            n
        } else {
            let mut session = self.login(tcp).await?;
            let n = self.pass(&mut session, keep).await;
            let _ = session.logout().await;
            n
        }
    }

    async fn tcp(&self) -> Result<TcpStream, String> {
        let connect = TcpStream::connect((self.host.as_str(), self.port));
        tokio::time::timeout(Duration::from_secs(30), connect)
            .await
            .map_err(|_| "the connection timed out".to_owned())?
            .map_err(|e| format!("cannot connect: {e}"))
    }

    async fn connect_and_read(&self, keep: &dyn Keep) -> Result<(), String> {
        let tcp = self.tcp().await?;
        if self.tls {
            let stream = self.tls_stream(tcp).await?;
            self.serve(self.login(stream).await?, keep).await
        } else {
            self.serve(self.login(tcp).await?, keep).await
        }
    }

    async fn tls_stream(
        &self,
        tcp: TcpStream,
    ) -> Result<tokio_rustls::client::TlsStream<TcpStream>, String> {
        let mut roots = RootCertStore::empty();
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        if let Some(file) = &self.ca_file {
            use rustls_pki_types::pem::PemObject;
            let certs = rustls_pki_types::CertificateDer::pem_file_iter(file)
                .map_err(|e| format!("SIGAP_IMAP_CA_FILE: {e}"))?;
            for cert in certs {
                let cert = cert.map_err(|e| format!("SIGAP_IMAP_CA_FILE: {e}"))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("SIGAP_IMAP_CA_FILE: {e}"))?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = rustls_pki_types::ServerName::try_from(self.host.clone())
            .map_err(|e| format!("{}: {e}", self.host))?;
        TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS with {}: {e}", self.host))
    }

    async fn login<T>(&self, stream: T) -> Result<Session<T>, String>
    where
        T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        let mut client = Client::new(stream);
        client
            .read_response()
            .await
            .map_err(|e| format!("no greeting: {e}"))?
            .ok_or("the server closed the connection")?;
        client
            .login(&self.user, &self.password)
            .await
            .map_err(|(e, _)| format!("sign-in refused: {e}"))
    }

    /// Keeps what is unseen, then waits for more, until the connection fails.
    async fn serve<T>(&self, mut session: Session<T>, keep: &dyn Keep) -> Result<(), String>
    where
        T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        let idle = session
            .capabilities()
            .await
            .map_err(|e| e.to_string())?
            .has_str("IDLE");
        loop {
            self.pass(&mut session, keep).await?;
            if idle {
                let mut handle = session.idle();
                handle.init().await.map_err(|e| e.to_string())?;
                let (wait, _stop) = handle.wait_with_timeout(self.poll);
                let woke = wait.await.map_err(|e| e.to_string())?;
                if let IdleResponse::NewData(_) = woke {
                    tracing::debug!(mailbox = %self.name(), "IMAP: new mail");
                }
                session = handle.done().await.map_err(|e| e.to_string())?;
            } else {
                tokio::time::sleep(self.poll).await;
            }
        }
    }

    /// Selects the mailbox and keeps each unseen message, oldest first; answers how many
    /// were kept. A transient refusal ends the pass (the rest waits for the next one).
    async fn pass<T>(&self, session: &mut Session<T>, keep: &dyn Keep) -> Result<usize, String>
    where
        T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        let selected = session
            .select(&self.mailbox)
            .await
            .map_err(|e| format!("cannot select {}: {e}", self.mailbox))?;
        let validity = selected.uid_validity.unwrap_or(0);
        let mut uids: Vec<u32> = session
            .uid_search("UNSEEN")
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .collect();
        uids.sort_unstable();
        let mut kept = 0;
        for uid in uids {
            let Some(data) = self.fetch(session, uid).await? else {
                continue;
            };
            let message = Fetched {
                mailbox_uid: format!("{}:{validity}:{uid}", self.name()),
                data,
            };
            match keep.keep(message).await {
                Ok(()) => {}
                Err(DeliveryError::Transient(why)) => return Err(why),
                Err(DeliveryError::Permanent(why)) => {
                    tracing::warn!(mailbox = %self.name(), uid, %why, "IMAP: message refused");
                }
            }
            self.done(session, uid).await?;
            kept += 1;
        }
        Ok(kept)
    }

    async fn fetch<T>(&self, session: &mut Session<T>, uid: u32) -> Result<Option<Vec<u8>>, String>
    where
        T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        let mut stream = session
            .uid_fetch(uid.to_string(), "BODY.PEEK[]")
            .await
            .map_err(|e| e.to_string())?;
        let mut data = None;
        while let Some(item) = stream.next().await {
            let fetched = item.map_err(|e| e.to_string())?;
            if let Some(body) = fetched.body() {
                data = Some(body.to_vec());
            }
        }
        Ok(data)
    }

    /// Marks message `uid` handled: moved to the done folder, or `\Seen`.
    async fn done<T>(&self, session: &mut Session<T>, uid: u32) -> Result<(), String>
    where
        T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        match &self.done_folder {
            Some(folder) => session
                .uid_mv(uid.to_string(), folder)
                .await
                .map_err(|e| format!("cannot move to {folder}: {e}")),
            None => {
                let mut stream = session
                    .uid_store(uid.to_string(), "+FLAGS.SILENT (\\Seen)")
                    .await
                    .map_err(|e| e.to_string())?;
                while let Some(item) = stream.next().await {
                    item.map_err(|e| e.to_string())?;
                }
                Ok(())
            }
        }
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_says_where_and_plain_text_stays_on_this_machine() {
        let s = ImapSource::parse(
            "imaps://csirt%40batam.go.id@mail.batam.go.id/INBOX",
            "pw",
            None,
            None,
        )
        .unwrap();
        assert_eq!(
            (s.tls, s.port, s.user.as_str()),
            (true, 993, "csirt@batam.go.id")
        );
        assert_eq!(s.name(), "csirt@batam.go.id@mail.batam.go.id/INBOX");
        let local = ImapSource::parse(
            "imap://u@127.0.0.1:1143/Laporan",
            "pw",
            Some("Selesai"),
            None,
        )
        .unwrap();
        assert_eq!(
            (local.tls, local.port, local.mailbox.as_str()),
            (false, 1143, "Laporan")
        );
        assert!(ImapSource::parse("imap://u@mail.batam.go.id/", "pw", None, None).is_err());
        assert!(ImapSource::parse("imaps://mail.batam.go.id/", "pw", None, None).is_err());
        assert!(ImapSource::parse("imaps://u@mail.batam.go.id/", "", None, None).is_err());
        assert!(ImapSource::parse("pop3://u@h/", "pw", None, None).is_err());
        assert!(!format!("{local:?}").contains("pw"));
    }
}
