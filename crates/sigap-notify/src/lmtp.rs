//! Receiving mail from the city's mail server over LMTP (RFC 2033), the local delivery
//! protocol Postfix (`lmtp:inet:127.0.0.1:2424`) and Exim (the `lmtp` transport) speak to a
//! mailbox store. The server here speaks the protocol only: what to do with a message is
//! the [`Deliver`] it is given, and a message is acknowledged with `250` only after that
//! answered (in sigap: after the message is committed). A transient failure answers `451`
//! so that the mail server keeps the message and tries again; a refusal answers `550`.
//!
//! Limits: the message size (advertised as `SIZE`, checked against `MAIL FROM`'s `SIZE=` and
//! while reading), recipients per message, the domains a recipient may be at, the length of
//! a command line, and the time a client may stay silent.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// The longest command line read (RFC 5321 allows 512 octets; paths may make it longer).
const MAX_COMMAND: u64 = 4096;

/// How the server receives.
#[derive(Debug, Clone)]
pub struct LmtpOptions {
    /// The name in the greeting and the `LHLO` answer.
    pub hostname: String,
    /// The largest message accepted, in bytes (default 35 MiB).
    pub max_message: usize,
    /// The most recipients of one message (default 100).
    pub max_recipients: usize,
    /// The domains a recipient may be at (lowercase); others are refused with `550`.
    pub domains: Vec<String>,
    /// How long a client may stay silent before the connection is closed.
    pub idle: Duration,
    /// The most connections served at once; more wait for a free one.
    pub max_connections: usize,
}

impl Default for LmtpOptions {
    fn default() -> Self {
        Self {
            hostname: "sigap".to_owned(),
            max_message: 35 * 1024 * 1024,
            max_recipients: 100,
            domains: Vec::new(),
            idle: Duration::from_secs(300),
            max_connections: 32,
        }
    }
}

/// One message as the mail server handed it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The `MAIL FROM` address (empty for a bounce, `<>`).
    pub mail_from: String,
    /// The accepted `RCPT TO` addresses, in order.
    pub rcpt_to: Vec<String>,
    /// The message, dot-unstuffed, without the final `.` line.
    pub data: Vec<u8>,
    /// The mail server's address.
    pub client: SocketAddr,
}

/// Why a message was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Try again later (`451`): the store is down or busy.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// Never (`550`): the message is refused for what it is.
    #[error("refused: {0}")]
    Permanent(String),
}

/// What receives each message.
pub trait Deliver: Send + Sync + 'static {
    /// Takes one message; answers only when it is kept for good (or not taken).
    fn deliver(&self, delivery: Delivery) -> BoxFuture<'_, Result<(), DeliveryError>>;
}

/// Serves LMTP on `listener` until the task is dropped or aborted.
pub async fn serve(listener: TcpListener, options: LmtpOptions, deliver: Arc<dyn Deliver>) {
    let options = Arc::new(options);
    let slots = Arc::new(Semaphore::new(options.max_connections.max(1)));
    loop {
        let Ok((stream, client)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let options = Arc::clone(&options);
        let deliver = Arc::clone(&deliver);
        tokio::spawn(async move {
            if let Err(e) = session(stream, client, options, deliver).await {
                tracing::debug!(%client, error = %e, "LMTP session ended");
            }
            drop(slot);
        });
    }
}

/// The state of one mail transaction.
#[derive(Default)]
struct Transaction {
    from: Option<String>,
    rcpt: Vec<String>,
}

struct Session {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    client: SocketAddr,
    options: Arc<LmtpOptions>,
    deliver: Arc<dyn Deliver>,
    greeted: bool,
    transaction: Transaction,
}

async fn session(
    stream: TcpStream,
    client: SocketAddr,
    options: Arc<LmtpOptions>,
    deliver: Arc<dyn Deliver>,
) -> io::Result<()> {
    let _ = stream.set_nodelay(true);
    let (read, writer) = stream.into_split();
    let mut s = Session {
        reader: BufReader::new(read),
        writer,
        client,
        options,
        deliver,
        greeted: false,
        transaction: Transaction::default(),
    };
    let greeting = format!("220 {} LMTP sigap ready", s.options.hostname);
    s.reply(&greeting).await?;
    loop {
        let line = match tokio::time::timeout(s.options.idle, s.read_command()).await {
            Ok(line) => line?,
            Err(_) => {
                s.reply("421 4.4.2 idle too long, closing").await?;
                return Ok(());
            }
        };
        let Some(line) = line else {
            return Ok(());
        };
        if !s.command(&line).await? {
            return Ok(());
        }
    }
}

/// What a command line asks.
enum Verb<'a> {
    Lhlo,
    Mail(&'a str),
    Rcpt(&'a str),
    Data,
    Rset,
    Noop,
    Quit,
    Vrfy,
    NotLmtp,
    Unknown,
}

fn verb(line: &str) -> Verb<'_> {
    let upper = line.to_ascii_uppercase();
    let word = upper.split_whitespace().next().unwrap_or("");
    let after = |prefix: &str| line.get(prefix.len()..).unwrap_or("").trim();
    match word {
        "LHLO" => Verb::Lhlo,
        "MAIL" if upper.starts_with("MAIL FROM:") => Verb::Mail(after("MAIL FROM:")),
        "RCPT" if upper.starts_with("RCPT TO:") => Verb::Rcpt(after("RCPT TO:")),
        "DATA" => Verb::Data,
        "RSET" => Verb::Rset,
        "NOOP" => Verb::Noop,
        "QUIT" => Verb::Quit,
        "VRFY" => Verb::Vrfy,
        "HELO" | "EHLO" => Verb::NotLmtp,
        _ => Verb::Unknown,
    }
}

/// The address between angle brackets and the parameters after it.
fn path(arg: &str) -> Option<(String, Vec<String>)> {
    let rest = arg.trim().strip_prefix('<')?;
    let (address, params) = rest.split_once('>')?;
    if address.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    let params = params.split_whitespace().map(str::to_owned).collect();
    Some((address.to_owned(), params))
}

impl Session {
    async fn reply(&mut self, text: &str) -> io::Result<()> {
        self.writer.write_all(text.as_bytes()).await?;
        self.writer.write_all(b"\r\n").await?;
        self.writer.flush().await
    }

    /// One command line without its line ending; `None` at the end of the stream. A line
    /// longer than [`MAX_COMMAND`] is read to its end and answered as too long.
    async fn read_command(&mut self) -> io::Result<Option<String>> {
        let mut line = Vec::new();
        let n = (&mut self.reader)
            .take(MAX_COMMAND)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 {
            return Ok(None);
        }
        if !line.ends_with(b"\n") {
            self.skip_line().await?;
            return Ok(Some(String::from("\u{0}too long")));
        }
        let text = String::from_utf8_lossy(&line);
        Ok(Some(text.trim_end_matches(['\r', '\n']).to_owned()))
    }

    async fn skip_line(&mut self) -> io::Result<()> {
        loop {
            let mut rest = Vec::new();
            let n = (&mut self.reader)
                .take(MAX_COMMAND)
                .read_until(b'\n', &mut rest)
                .await?;
            if n == 0 || rest.ends_with(b"\n") {
                return Ok(());
            }
        }
    }

    /// Answers one command; `false` to close the connection.
    async fn command(&mut self, line: &str) -> io::Result<bool> {
        if line.starts_with('\u{0}') {
            self.reply("500 5.5.2 line too long").await?;
            return Ok(true);
        }
        match verb(line) {
            Verb::Lhlo => {
                self.greeted = true;
                self.transaction = Transaction::default();
                let lines = [
                    format!("250-{}", self.options.hostname),
                    "250-PIPELINING".to_owned(),
                    "250-ENHANCEDSTATUSCODES".to_owned(),
                    "250-8BITMIME".to_owned(),
                    format!("250 SIZE {}", self.options.max_message),
                ];
                self.reply(&lines.join("\r\n")).await?;
            }
            Verb::NotLmtp => {
                self.reply("500 5.5.1 this is LMTP: say LHLO").await?;
            }
            Verb::Mail(arg) => self.mail(arg).await?,
            Verb::Rcpt(arg) => self.rcpt(arg).await?,
            Verb::Data => self.data().await?,
            Verb::Rset => {
                self.transaction = Transaction::default();
                self.reply("250 2.0.0 reset").await?;
            }
            Verb::Noop => self.reply("250 2.0.0 ok").await?,
            Verb::Vrfy => self.reply("252 2.5.0 cannot verify").await?,
            Verb::Quit => {
                self.reply("221 2.0.0 bye").await?;
                return Ok(false);
            }
            Verb::Unknown => self.reply("500 5.5.2 command not recognised").await?,
        }
        Ok(true)
    }

    async fn mail(&mut self, arg: &str) -> io::Result<()> {
        if !self.greeted {
            return self.reply("503 5.5.1 say LHLO first").await;
        }
        if self.transaction.from.is_some() {
            return self.reply("503 5.5.1 sender already given").await;
        }
        let Some((address, params)) = path(arg) else {
            return self.reply("501 5.1.7 MAIL FROM:<address>").await;
        };
        let declared = params.iter().find_map(|p| {
            let (name, value) = p.split_once('=')?;
            name.eq_ignore_ascii_case("SIZE")
                .then(|| value.parse::<u64>().ok())
                .flatten()
        });
        if declared.is_some_and(|size| size > self.options.max_message as u64) {
            return self
                .reply("552 5.3.4 message larger than this server takes")
                .await;
        }
        self.transaction.from = Some(address);
        self.reply("250 2.1.0 sender ok").await
    }

    async fn rcpt(&mut self, arg: &str) -> io::Result<()> {
        if self.transaction.from.is_none() {
            return self.reply("503 5.5.1 MAIL FROM first").await;
        }
        let Some((address, _)) = path(arg) else {
            return self.reply("501 5.1.3 RCPT TO:<address>").await;
        };
        let domain = address
            .rsplit_once('@')
            .map(|(_, d)| d.trim_end_matches('.').to_ascii_lowercase());
        let ours = domain.is_some_and(|d| self.options.domains.contains(&d));
        if !ours {
            return self.reply("550 5.1.1 no such mailbox here").await;
        }
        if self.transaction.rcpt.len() >= self.options.max_recipients {
            return self.reply("452 4.5.3 too many recipients").await;
        }
        self.transaction.rcpt.push(address);
        self.reply("250 2.1.5 recipient ok").await
    }

    /// Reads the message and answers once per accepted recipient (RFC 2033 §4.2).
    async fn data(&mut self) -> io::Result<()> {
        if self.transaction.rcpt.is_empty() {
            return self.reply("503 5.5.1 no valid recipients").await;
        }
        self.reply("354 2.0.0 end with <CRLF>.<CRLF>").await?;
        let Some(data) = self.read_data().await? else {
            let n = self.transaction.rcpt.len();
            self.transaction = Transaction::default();
            for _ in 0..n {
                self.reply("552 5.3.4 message larger than this server takes")
                    .await?;
            }
            return Ok(());
        };
        let transaction = std::mem::take(&mut self.transaction);
        let delivery = Delivery {
            mail_from: transaction.from.unwrap_or_default(),
            rcpt_to: transaction.rcpt.clone(),
            data,
            client: self.client,
        };
        let answer = match self.deliver.deliver(delivery).await {
            Ok(()) => "250 2.0.0 delivered".to_owned(),
            Err(DeliveryError::Transient(why)) => format!("451 4.3.0 {}", one_line(&why)),
            Err(DeliveryError::Permanent(why)) => format!("550 5.6.0 {}", one_line(&why)),
        };
        for rcpt in &transaction.rcpt {
            self.reply(&format!("{answer} <{rcpt}>")).await?;
        }
        Ok(())
    }

    /// The message up to the lone `.`, dot-unstuffed; `None` when it is larger than the
    /// limit (it is still read to its end, and dropped).
    async fn read_data(&mut self) -> io::Result<Option<Vec<u8>>> {
        let max = self.options.max_message;
        let mut data = Vec::new();
        let mut too_large = false;
        // Whether the next chunk starts a line (a line longer than a chunk comes in parts).
        let mut at_start = true;
        loop {
            let mut line = Vec::new();
            let n = tokio::time::timeout(
                self.options.idle,
                (&mut self.reader)
                    .take(1 << 20)
                    .read_until(b'\n', &mut line),
            )
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "silent during DATA"))??;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the connection ended inside DATA",
                ));
            }
            if at_start && (line == b".\r\n" || line == b".\n") {
                return Ok((!too_large).then_some(data));
            }
            let starts = at_start;
            at_start = line.ends_with(b"\n");
            let line = match line.strip_prefix(b".") {
                Some(rest) if starts => rest,
                _ => &line,
            };
            if data.len() + line.len() > max {
                too_large = true;
                data = Vec::new();
            }
            if !too_large {
                data.extend_from_slice(line);
            }
        }
    }
}

/// A reason on one reply line.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_their_parameters_are_read() {
        let (address, params) = path("<csirt@batam.go.id> SIZE=1024 BODY=8BITMIME").unwrap();
        assert_eq!(address, "csirt@batam.go.id");
        assert_eq!(params, ["SIZE=1024", "BODY=8BITMIME"]);
        assert_eq!(path("<>").unwrap().0, "");
        assert!(path("csirt@batam.go.id").is_none());
        assert!(path("<a b@batam.go.id>").is_none());
    }

    #[test]
    fn commands_are_read_whatever_their_case() {
        assert!(matches!(verb("lhlo mx.batam.go.id"), Verb::Lhlo));
        assert!(matches!(verb("mail from:<a@b.id>"), Verb::Mail("<a@b.id>")));
        assert!(matches!(verb("RCPT TO: <c@d.id>"), Verb::Rcpt("<c@d.id>")));
        assert!(matches!(verb("EHLO x"), Verb::NotLmtp));
        assert!(matches!(verb("STARTTLS"), Verb::Unknown));
    }
}
