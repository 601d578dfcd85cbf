//! The `sigap` binary: `serve` (with `--demo`), the admin commands (`user add`, `token
//! create`, `agency add`, `system add`, `system set-blocking`), `audit verify`, `backup` and
//! `restore`. It parses settings, wires the real clock, the store and the web router, and
//! calls the use cases; it decides nothing itself. Errors print one line and exit non-zero.

mod commands;
mod config;
mod demo;
mod keys;
mod signing;
mod sso;
mod telemetry;

use std::process::ExitCode;

use clap::Parser;

use crate::commands::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line.
fn one_line(e: &anyhow::Error) -> String {
    e.chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
        .replace('\n', " ")
}
