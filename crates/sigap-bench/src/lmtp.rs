//! `lmtp`: mail to the CSIRT delivered over LMTP to `sigap serve` (`SIGAP_LMTP_LISTEN`) as a
//! city's mail server would: N connections, each delivering messages one after another on
//! its connection (LHLO once, then MAIL, RCPT, DATA per message), every message with a
//! distinct attachment of `--attachment-kb` (so that no blob is shared) and a distinct
//! Message-ID. It prints the intake rate (messages/s between the first and last `250`),
//! the latency from the end of DATA to `250` (the commit is inside it), and then, one
//! message at a time, the time from the end of DATA until the message is listed by
//! `GET /api/v1/inbox`. On PostgreSQL when `SIGAP_DATABASE_URL` names an empty database.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::intake::http_client;
use crate::procs::{ScratchDir, Server, admin, free_port, tail};
use crate::seed::{CSIRT_EMAIL, SeedArgs};
use crate::stats::{Latencies, round3};

/// Arguments of `sigap-bench lmtp`.
#[derive(Debug, clap::Args)]
pub struct LmtpArgs {
    /// The `sigap` binary (a release build).
    #[arg(long)]
    pub bin: PathBuf,
    /// Messages delivered in the throughput run.
    #[arg(long, default_value_t = 2000)]
    pub messages: usize,
    /// Concurrent LMTP connections (a mail server's concurrency to one destination).
    #[arg(long, default_value_t = 4)]
    pub connections: usize,
    /// Size of each message's attachment, in KiB.
    #[arg(long, default_value_t = 200)]
    pub attachment_kb: usize,
    /// Messages timed one at a time from delivery to the inbox's list.
    #[arg(long, default_value_t = 50)]
    pub visible: usize,
    /// Keep the scratch directory.
    #[arg(long)]
    pub keep: bool,
}

/// One LMTP session, as a mail server keeps it open.
struct Session {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Session {
    async fn open(port: u16) -> anyhow::Result<Session> {
        let stream = TcpStream::connect(("127.0.0.1", port)).await?;
        stream.set_nodelay(true)?;
        let (read, writer) = stream.into_split();
        let mut session = Session {
            reader: BufReader::new(read),
            writer,
        };
        session.expect("220").await?;
        session.say("LHLO bench.localhost").await?;
        session.expect("250").await?;
        Ok(session)
    }

    async fn say(&mut self, line: &str) -> anyhow::Result<()> {
        self.writer.write_all(line.as_bytes()).await?;
        self.writer.write_all(b"\r\n").await?;
        Ok(())
    }

    /// Reads one reply (all its lines); fails unless it starts with `code`.
    async fn expect(&mut self, code: &str) -> anyhow::Result<()> {
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).await? == 0 {
                bail!("the server closed the connection");
            }
            if !line.starts_with(code) {
                bail!("expected {code}, got {}", line.trim_end());
            }
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok(());
            }
        }
    }

    /// Delivers one message; answers the time from the end of DATA to the `250`.
    async fn deliver(&mut self, message: &[u8]) -> anyhow::Result<Duration> {
        self.say("MAIL FROM:<peneliti@example.com>").await?;
        self.expect("250").await?;
        self.say("RCPT TO:<csirt@batam.go.id>").await?;
        self.expect("250").await?;
        self.say("DATA").await?;
        self.expect("354").await?;
        self.writer.write_all(message).await?;
        self.writer.write_all(b".\r\n").await?;
        let sent = Instant::now();
        self.expect("250").await?;
        Ok(sent.elapsed())
    }
}

/// Message `n`: a short report in the template and a distinct PNG-signed attachment,
/// base64 in 76-column lines (already CRLF, so no line starts with a dot).
fn message(n: usize, attachment_kb: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; attachment_kb * 1024];
    bytes[..8].copy_from_slice(b"\x89PNG\r\n\x1a\n");
    for (i, b) in bytes.iter_mut().enumerate().skip(8) {
        *b = ((i * 31 + n * 7) % 251) as u8;
    }
    bytes[8..16].copy_from_slice(&(n as u64).to_le_bytes());
    let encoded = data_encoding::BASE64_MIME.encode(&bytes);
    format!(
        "From: Peneliti {n} <peneliti@example.com>\r\nTo: csirt@batam.go.id\r\n\
         Message-ID: <bench-{n}-{}@example.com>\r\nSubject: Laporan kerentanan {n}\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b{n}\r\n\r\n\
         --b{n}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Judul: XSS tersimpan {n}\r\nTarget: https://portal.batam.go.id/\r\nCWE: CWE-79\r\n\
         Tingkat keparahan: sedang\r\n\r\n--b{n}\r\nContent-Type: image/png; name=bukti.png\r\n\
         Content-Disposition: attachment; filename=bukti.png\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--b{n}--\r\n",
        std::process::id()
    )
    .into_bytes()
}

/// A scratch data directory with the seed's registries, a CSIRT token, and `sigap serve`
/// receiving over LMTP: the server, its LMTP port and the token.
async fn start(args: &LmtpArgs, dir: &ScratchDir) -> anyhow::Result<(Server, u16, String)> {
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data)?;
    // PostgreSQL when `SIGAP_DATABASE_URL` names it (the server and `sigap token` read it
    // too), else the data directory's SQLite file.
    crate::seed::main(SeedArgs {
        database_url: std::env::var("SIGAP_DATABASE_URL").ok(),
        count: 0,
        data_dir: data.clone(),
        tasks: 1,
        validate_share: 0.0,
        reject_share: 0.0,
        max_seconds: 60,
        ticket_prefix: "BCSIRT".to_owned(),
        seed: 7,
        spread_days: 0,
        multiply_to: None,
    })
    .await?;
    let token = admin(
        &args.bin,
        &data,
        &["token", "create", "--email", CSIRT_EMAIL],
    )?;
    let lmtp_port = free_port()?;
    let listen = format!("127.0.0.1:{lmtp_port}");
    let env = [
        ("SIGAP_LMTP_LISTEN", listen.as_str()),
        ("SIGAP_MAIL_DOMAINS", "batam.go.id"),
    ];
    let log = dir.path().join("serve.log");
    let mut server = Server::spawn_with(&args.bin, &data, free_port()?, &log, &env)?;
    server
        .wait_healthy(Duration::from_secs(30))
        .await
        .with_context(|| tail(&log, 20))?;
    Ok((server, lmtp_port, token.trim().to_owned()))
}

/// The messages split over the connections: the wall time and the DATA-to-250 latencies.
async fn throughput(args: &LmtpArgs, lmtp_port: u16) -> anyhow::Result<(f64, Latencies)> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..args.connections {
        let (count, kb) = (args.messages, args.attachment_kb);
        let connections = args.connections;
        tasks.push(tokio::spawn(async move {
            let mut session = Session::open(lmtp_port).await?;
            let mut latencies = Latencies::default();
            for n in (c..count).step_by(connections) {
                latencies.record(session.deliver(&message(n, kb)).await?);
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Latencies::default();
    for task in tasks {
        latencies.merge(task.await.context("a connection task panicked")??);
    }
    Ok((started.elapsed().as_secs_f64(), latencies))
}

/// One message at a time, from the end of DATA until the inbox's list shows it.
async fn visibility(
    args: &LmtpArgs,
    server: &Server,
    lmtp_port: u16,
    token: &str,
) -> anyhow::Result<Latencies> {
    let client = http_client(1, Duration::from_secs(10))?;
    let list = format!("{}/api/v1/inbox", server.base_url);
    let mut session = Session::open(lmtp_port).await?;
    let mut visible = Latencies::default();
    for i in 0..args.visible {
        let n = args.messages + i;
        let sent = Instant::now();
        session.deliver(&message(n, args.attachment_kb)).await?;
        let subject = format!("Laporan kerentanan {n}");
        loop {
            let page = client.get(&list).bearer_auth(token).send().await?;
            if page.text().await?.contains(&subject) {
                break;
            }
            anyhow::ensure!(
                sent.elapsed() < Duration::from_secs(10),
                "{subject} never listed"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        visible.record(sent.elapsed());
    }
    Ok(visible)
}

pub async fn main(args: LmtpArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=64).contains(&args.connections),
        "--connections is 1 to 64"
    );
    let dir = ScratchDir::new("lmtp", args.keep)?;
    let (mut server, lmtp_port, token) = start(&args, &dir).await?;
    let (wall, latencies) = throughput(&args, lmtp_port).await?;
    let rate = args.messages as f64 / wall.max(1e-9);
    let acked = latencies.summary();
    println!(
        "lmtp: {} messages with {} KiB each over {} connections in {wall:.1} s = {rate:.0} messages/s; DATA to 250: {}",
        args.messages,
        args.attachment_kb,
        args.connections,
        acked.line()
    );
    let shown = visibility(&args, &server, lmtp_port, &token)
        .await?
        .summary();
    println!("delivery to /api/v1/inbox: {}", shown.line());
    server.terminate()?;
    let line = json!({
        "bench": "lmtp",
        "messages": args.messages,
        "connections": args.connections,
        "attachment_kb": args.attachment_kb,
        "seconds": round3(wall),
        "messages_per_s": round3(rate),
        "data_to_250": acked.json(),
        "delivery_to_inbox": shown.json(),
    });
    println!("{line}");
    Ok(())
}
