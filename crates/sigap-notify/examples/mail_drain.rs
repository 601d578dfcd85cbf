//! Load program: drains N messages (default 10,000) into a local SMTP sink through the
//! pooled SMTP mailer with C concurrent senders (default 16), as the job queue would when a
//! backlog of notifications is released, and prints the rate in messages per second.
//!
//! Run: `cargo run --release -p sigap-notify --example mail_drain -- [N] [C] [POOL]`

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use sigap_core::{Email, TicketNumber};
use sigap_notify::messages::TrackingToken;
use sigap_notify::sink::{SinkOptions, SmtpSink};
use sigap_notify::{
    Envelope, MailLang, Mailer, Message, Notification, PublicUrl, SmtpMailer, SmtpOptions,
    TicketRef, Tlp,
};

fn argument(index: usize, default: usize) -> Result<usize, Box<dyn Error>> {
    match std::env::args().nth(index) {
        Some(text) => Ok(text.parse()?),
        None => Ok(default),
    }
}

fn envelope(n: usize) -> Result<Envelope, Box<dyn Error>> {
    let public = PublicUrl::parse("https://sigap.batam.go.id")?;
    let now = Utc
        .with_ymd_and_hms(2026, 8, 17, 2, 0, 0)
        .single()
        .ok_or("bad date")?;
    let notification = Notification {
        ticket: TicketRef {
            number: TicketNumber::new("BCSIRT", 2026, u64::try_from(n)? + 1),
            tlp: Tlp::AmberStrict,
            title: Some("Kerentanan pada portal layanan".to_owned()),
        },
        lang: MailLang::Id,
        message: Message::ReportReceived {
            tracking_token: TrackingToken::parse("7f3a9c2e41d84b6a9d0e"),
        },
    };
    let to = vec![Email::parse(&format!("pelapor{n}@example.com"))?];
    Ok(Envelope::for_notification(to, &notification, &public, now))
}

async fn worker(
    mailer: Arc<SmtpMailer>,
    next: Arc<AtomicUsize>,
    total: usize,
) -> Result<(), String> {
    loop {
        let n = next.fetch_add(1, Ordering::Relaxed);
        if n >= total {
            return Ok(());
        }
        let envelope = envelope(n).map_err(|e| e.to_string())?;
        mailer.send(&envelope).await.map_err(|e| e.to_string())?;
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let total = argument(1, 10_000)?;
    let concurrency = argument(2, 16)?;
    let pool = u32::try_from(argument(3, 16)?)?;
    let sink = SmtpSink::start_with(SinkOptions {
        discard_messages: true,
        ..SinkOptions::default()
    })
    .await?;
    let options = SmtpOptions {
        pool_max_size: pool,
        ..SmtpOptions::default()
    };
    let mailer = Arc::new(SmtpMailer::from_url(
        &sink.url(),
        "BATAM-CSIRT <csirt@batam.go.id>",
        options,
    )?);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| tokio::spawn(worker(Arc::clone(&mailer), Arc::clone(&next), total)))
        .collect();
    for handle in workers {
        handle.await??;
    }
    sink.wait_for(total, Duration::from_secs(30)).await;
    let elapsed = started.elapsed().as_secs_f64();
    let received = sink.count();
    println!(
        "{received} of {total} messages in {elapsed:.2} s with {concurrency} senders and a pool \
         of {pool}: {:.0} messages/s",
        received as f64 / elapsed
    );
    Ok(())
}
