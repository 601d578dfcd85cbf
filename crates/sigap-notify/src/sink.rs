//! A small SMTP server for tests (feature `sink`): it listens on 127.0.0.1 on a free port,
//! speaks enough of RFC 5321 for a real client (EHLO/HELO, AUTH PLAIN/LOGIN accepting any
//! credentials, MAIL FROM, RCPT TO, DATA with dot-unstuffing, RSET, NOOP, QUIT) and keeps
//! what it receives, envelope and raw bytes, for assertions. Recipients can be made to
//! fail on purpose to test how senders classify errors.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

/// The most a message may weigh (advertised as `SIZE`).
const MAX_MESSAGE: usize = 50 * 1024 * 1024;

/// How the sink behaves.
#[derive(Debug, Clone, Default)]
pub struct SinkOptions {
    /// Whether to keep messages (a load test may only count them).
    pub discard_messages: bool,
    /// Recipients containing this text are refused with `550` (permanent).
    pub refuse_recipients_containing: Option<String>,
    /// Recipients containing this text are deferred with `451` (transient).
    pub defer_recipients_containing: Option<String>,
}

/// One message as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The `MAIL FROM` address.
    pub mail_from: String,
    /// The `RCPT TO` addresses, in order.
    pub rcpt_to: Vec<String>,
    /// The message, dot-unstuffed, without the final `.` line.
    pub data: Vec<u8>,
    /// Whether the client authenticated first.
    pub authenticated: bool,
}

impl ReceivedMail {
    /// The message parsed (headers, parts, attachments).
    pub fn parsed(&self) -> Option<mail_parser::Message<'_>> {
        mail_parser::MessageParser::default().parse(&self.data)
    }
}

struct Shared {
    options: SinkOptions,
    received: Mutex<Vec<ReceivedMail>>,
    count: AtomicUsize,
    arrived: Notify,
}

impl Shared {
    fn store(&self, mail: ReceivedMail) -> usize {
        if !self.options.discard_messages {
            self.received
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(mail);
        }
        let n = self.count.fetch_add(1, Ordering::SeqCst) + 1;
        self.arrived.notify_waiters();
        n
    }
}

/// A running SMTP sink; it stops when dropped.
pub struct SmtpSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl SmtpSink {
    /// Starts a sink with default options on `127.0.0.1:0`.
    pub async fn start() -> io::Result<Self> {
        Self::start_with(SinkOptions::default()).await
    }

    /// Starts a sink with `options` on `127.0.0.1:0`.
    pub async fn start_with(options: SinkOptions) -> io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            options,
            received: Mutex::default(),
            count: AtomicUsize::new(0),
            arrived: Notify::new(),
        });
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        Ok(Self { addr, shared, task })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL to give a mailer: `smtp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// How many messages arrived (kept or not).
    pub fn count(&self) -> usize {
        self.shared.count.load(Ordering::SeqCst)
    }

    /// The messages kept so far, in order of arrival.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.shared
            .received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits until `n` messages have arrived or `timeout` has passed, then returns the kept
    /// messages (fewer than `n` on timeout).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let arrived = self.shared.arrived.notified();
            if self.count() >= n {
                break;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                break;
            }
        }
        self.received()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Accepts connections until aborted; dropping the set aborts the open sessions too.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    sessions.spawn(session(stream, Arc::clone(&shared)));
                }
            }
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
}

/// The state of one mail transaction.
#[derive(Default)]
struct Transaction {
    from: Option<String>,
    rcpt: Vec<String>,
}

struct Session {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: OwnedWriteHalf,
    shared: Arc<Shared>,
    transaction: Transaction,
    authenticated: bool,
}

async fn session(stream: TcpStream, shared: Arc<Shared>) -> io::Result<()> {
    let _ = stream.set_nodelay(true);
    let (read, writer) = stream.into_split();
    let mut session = Session {
        reader: BufReader::new(read),
        writer,
        shared,
        transaction: Transaction::default(),
        authenticated: false,
    };
    session.reply("220 sigap-sink ESMTP ready").await?;
    while let Some(line) = session.read_line().await? {
        if !session.command(&line).await? {
            break;
        }
    }
    Ok(())
}

impl Session {
    async fn read_line(&mut self) -> io::Result<Option<String>> {
        let mut line = Vec::new();
        if self.reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        Ok(Some(String::from_utf8_lossy(&line).trim_end().to_owned()))
    }

    async fn reply(&mut self, text: &str) -> io::Result<()> {
        self.writer
            .write_all(format!("{text}\r\n").as_bytes())
            .await
    }

    /// Answers one command; `false` once the client said QUIT.
    async fn command(&mut self, line: &str) -> io::Result<bool> {
        let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                let size = format!("250-SIZE {MAX_MESSAGE}");
                let lines = ["250-sigap-sink", "250-8BITMIME", "250-SMTPUTF8", &size];
                self.reply(&lines.join("\r\n")).await?;
                self.reply("250 AUTH PLAIN LOGIN").await?;
            }
            "HELO" => self.reply("250 sigap-sink").await?,
            "AUTH" => self.auth(rest).await?,
            "MAIL" => self.mail_from(rest).await?,
            "RCPT" => self.rcpt_to(rest).await?,
            "DATA" => self.data().await?,
            "RSET" => {
                self.transaction = Transaction::default();
                self.reply("250 2.0.0 OK").await?;
            }
            "NOOP" => self.reply("250 2.0.0 OK").await?,
            "QUIT" => {
                self.reply("221 2.0.0 Bye").await?;
                return Ok(false);
            }
            _ => self.reply("502 5.5.2 Command not recognised").await?,
        }
        Ok(true)
    }

    /// Accepts any credentials: PLAIN with or without an initial response, or LOGIN.
    async fn auth(&mut self, rest: &str) -> io::Result<()> {
        let mut words = rest.split_whitespace();
        let mechanism = words.next().unwrap_or("").to_ascii_uppercase();
        let initial = words.next();
        let prompts: &[&str] = match (mechanism.as_str(), initial) {
            ("PLAIN", Some(_)) => &[],
            ("PLAIN", None) => &["334 "],
            ("LOGIN", _) => &["334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6"],
            _ => {
                return self
                    .reply("504 5.5.4 Unrecognised authentication type")
                    .await;
            }
        };
        for prompt in prompts {
            self.reply(prompt).await?;
            if self.read_line().await?.is_none() {
                return Ok(());
            }
        }
        self.authenticated = true;
        self.reply("235 2.7.0 Authentication successful").await
    }

    async fn mail_from(&mut self, rest: &str) -> io::Result<()> {
        match path(rest, "FROM:") {
            Some(from) => {
                self.transaction = Transaction {
                    from: Some(from),
                    rcpt: Vec::new(),
                };
                self.reply("250 2.1.0 OK").await
            }
            None => self.reply("501 5.5.4 Syntax: MAIL FROM:<address>").await,
        }
    }

    async fn rcpt_to(&mut self, rest: &str) -> io::Result<()> {
        if self.transaction.from.is_none() {
            return self.reply("503 5.5.1 MAIL first").await;
        }
        let Some(to) = path(rest, "TO:") else {
            return self.reply("501 5.5.4 Syntax: RCPT TO:<address>").await;
        };
        let options = &self.shared.options;
        let matches = |needle: &Option<String>| needle.as_deref().is_some_and(|n| to.contains(n));
        if matches(&options.refuse_recipients_containing) {
            return self.reply("550 5.1.1 Recipient refused").await;
        }
        if matches(&options.defer_recipients_containing) {
            return self
                .reply("451 4.3.0 Recipient deferred, try again later")
                .await;
        }
        self.transaction.rcpt.push(to);
        self.reply("250 2.1.5 OK").await
    }

    async fn data(&mut self) -> io::Result<()> {
        if self.transaction.rcpt.is_empty() {
            return self.reply("503 5.5.1 RCPT first").await;
        }
        self.reply("354 End data with <CR><LF>.<CR><LF>").await?;
        let Some(data) = self.read_data().await? else {
            return self.reply("552 5.3.4 Message too big").await;
        };
        let transaction = std::mem::take(&mut self.transaction);
        let n = self.shared.store(ReceivedMail {
            mail_from: transaction.from.unwrap_or_default(),
            rcpt_to: transaction.rcpt,
            data,
            authenticated: self.authenticated,
        });
        self.reply(&format!("250 2.0.0 OK queued as {n}")).await
    }

    /// Reads up to the lone `.` line and undoes dot-stuffing; `None` when the message is
    /// larger than [`MAX_MESSAGE`] (the rest is read and dropped).
    async fn read_data(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut data = Vec::new();
        let mut too_big = false;
        let mut line = Vec::new();
        loop {
            line.clear();
            if self.reader.read_until(b'\n', &mut line).await? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            if line == b".\r\n" || line == b".\n" {
                break;
            }
            let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
            too_big = too_big || data.len() + unstuffed.len() > MAX_MESSAGE;
            if !too_big {
                data.extend_from_slice(unstuffed);
            }
        }
        Ok((!too_big).then_some(data))
    }
}

/// The address in `FROM:<a@b.c> SIZE=...`, without the angle brackets.
fn path(rest: &str, keyword: &str) -> Option<String> {
    let rest = rest.trim();
    let head = rest.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let address = rest.get(keyword.len()..)?.trim_start();
    let inner = address.strip_prefix('<')?;
    let end = inner.find('>')?;
    Some(inner[..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_read_with_parameters_and_any_case() {
        assert_eq!(
            path("FROM:<a@b.co> SIZE=10", "FROM:").as_deref(),
            Some("a@b.co")
        );
        assert_eq!(path("to: <a@b.co>", "TO:").as_deref(), Some("a@b.co"));
        assert_eq!(path("FROM:<>", "FROM:").as_deref(), Some(""));
        assert_eq!(path("FROM:a@b.co", "FROM:"), None);
        assert_eq!(path("TO:<a@b.co>", "FROM:"), None);
    }
}
