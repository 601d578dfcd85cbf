//! `sigap-bench`: the load and benchmark tool of sigap. Each subcommand measures one thing
//! against a release build and prints a short human summary followed by one JSON line with
//! the figures (see `bench/README.md` for how to run them and the targets):
//!
//! - `intake`: reports/s and latency of `POST /api/v1/reports` under N concurrent clients,
//!   with the server's RSS and CPU when `--pid` is given;
//! - `seed`: fills a database with realistic tickets in-process through the use cases;
//! - `read`: latency of one ticket, filtered lists and full-text search;
//! - `startup`: time to the first healthy answer and idle RSS;
//! - `durability`: every acknowledged report survives `kill -9`, numbers without gaps;
//! - `render`: typesetting time of each official document, first and warm, a long
//!   dossier, concurrent renders, and memory after thousands of renders;
//! - `drain`: a backlog of mail jobs drained into an SMTP sink by the server's worker,
//!   and the read latency meanwhile against a baseline;
//! - `lmtp`: mail delivered to the server over LMTP: intake rate with attachments, and the
//!   time from delivery to the inbox's list;
//! - `seal`: what sealing the reporters' contact data costs per report, read and search
//!   word, in-process;
//! - `walk`: the SOP walked through the API from report to closed (one instance or a
//!   cluster behind nginx): the latency of each kind of request and of a whole walk.
//!
//! It only ever sends traffic to loopback addresses, and every loop is bounded in count
//! and time.

mod drain;
mod durability;
mod intake;
mod lmtp;
mod multiply;
mod payload;
mod procs;
mod progress;
mod read;
mod render;
mod seal;
mod seed;
mod startup;
mod stats;
mod walk;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Load and benchmark tool for sigap (loopback only).
#[derive(Debug, Parser)]
#[command(name = "sigap-bench", version)]
struct Cli {
    /// Worker threads of this tool's runtime. One keeps the load generator off the second
    /// core of a 2-core machine as much as possible; `seed` uses at least two.
    #[arg(long, global = true, default_value_t = 1)]
    threads: usize,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// POST realistic reports from N clients for S seconds: throughput, latency, errors.
    Intake(intake::IntakeArgs),
    /// Fill a database with N realistic tickets through the use cases, in-process.
    Seed(seed::SeedArgs),
    /// Latency of staff reads: one ticket, filtered lists, full-text search.
    Read(read::ReadArgs),
    /// Time from spawn to the first healthy answer, and idle memory.
    Startup(startup::StartupArgs),
    /// Kill -9 the server under load; every acknowledged report must survive.
    Durability(durability::DurabilityArgs),
    /// Typesetting time and memory of the official documents, in-process.
    Render(render::RenderArgs),
    /// A backlog of mail jobs drained into an SMTP sink, and the HTTP latency meanwhile.
    Drain(drain::DrainArgs),
    /// Mail delivered over LMTP: messages/s with attachments, delivery to the inbox.
    Lmtp(lmtp::LmtpArgs),
    /// The SOP walked through the API, report to closed: latency by request and per walk.
    Walk(walk::WalkArgs),
    /// The cost of sealing reporters' contact data: per report, per read, per search word.
    Seal(seal::SealArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let threads = match cli.command {
        Command::Seed(_) => cli.threads.max(2),
        _ => cli.threads.max(1),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Intake(args) => intake::main(args).await.map(|()| ExitCode::SUCCESS),
            Command::Seed(args) => seed::main(args).await.map(|()| ExitCode::SUCCESS),
            Command::Read(args) => read::main(args).await.map(|()| ExitCode::SUCCESS),
            Command::Startup(args) => startup::main(args).await.map(|()| ExitCode::SUCCESS),
            Command::Durability(args) => durability::main(args).await,
            Command::Render(args) => render::main(args).await.map(|()| ExitCode::SUCCESS),
            Command::Drain(args) => drain::main(args).await.map(|()| ExitCode::SUCCESS),
            Command::Lmtp(args) => lmtp::main(args).await.map(|()| ExitCode::SUCCESS),
            Command::Walk(args) => walk::main(args).await.map(|()| ExitCode::SUCCESS),
            Command::Seal(args) => seal::main(args).await.map(|()| ExitCode::SUCCESS),
        }
    })
}
