//! The screenshot part of a capture: a PNG of the page from headless Chromium, run with a
//! throw-away profile and a time limit. Without Chromium the capture says so instead.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

use crate::proof::{DEFAULT_CHROMIUM, ProofOptions};

/// The screenshot, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Screenshot {
    /// A PNG was taken. The bytes are not serialised: store them as an evidence file.
    Taken {
        /// The PNG file's bytes.
        #[serde(skip)]
        png: Vec<u8>,
        /// SHA-256 of the PNG, lowercase hex.
        sha256: String,
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// No screenshot was possible; the HTTP capture stands alone.
    NotPossible {
        /// Why (no Chromium, time-out, Chromium failed).
        reason: String,
    },
}

/// The width and height of a PNG, if `bytes` starts like one.
pub fn png_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    const MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.len() < 24 || !bytes.starts_with(MAGIC) || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let number =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    Some((number(16), number(20)))
}

/// Photographs `url`, connecting to `pinned` when given.
pub async fn capture(
    url: &Url,
    pinned: Option<(&str, IpAddr)>,
    options: &ProofOptions,
) -> Screenshot {
    let chromium = options
        .chromium
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CHROMIUM));
    if !chromium.is_file() {
        let reason = format!(
            "no screenshot: Chromium is not installed at {}",
            chromium.display()
        );
        return Screenshot::NotPossible { reason };
    }
    match take(&chromium, url, pinned, options.screenshot_timeout).await {
        Ok(screenshot) => screenshot,
        Err(reason) => Screenshot::NotPossible { reason },
    }
}

async fn take(
    chromium: &Path,
    url: &Url,
    pinned: Option<(&str, IpAddr)>,
    timeout: Duration,
) -> Result<Screenshot, String> {
    let folder = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
    let file = folder.path().join("screenshot.png");
    let mut command = tokio::process::Command::new(chromium);
    command.args(arguments(folder.path(), &file, url, pinned));
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command.kill_on_drop(true).process_group(0);
    let child = command
        .spawn()
        .map_err(|e| format!("Chromium could not be started: {e}"))?;
    let pid = child.id();
    match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Err(_) => {
            kill_group(pid).await;
            return Err(format!(
                "no screenshot: Chromium took longer than {} s",
                timeout.as_secs_f32()
            ));
        }
        Ok(Err(error)) => return Err(format!("Chromium failed: {error}")),
        Ok(Ok(output)) if !output.status.success() => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let tail = stderr.lines().rev().take(3).collect::<Vec<_>>().join(" | ");
            return Err(format!("Chromium exited with {}: {tail}", output.status));
        }
        Ok(Ok(_)) => {}
    }
    kill_group(pid).await;
    let png = tokio::fs::read(&file)
        .await
        .map_err(|e| format!("Chromium wrote no screenshot: {e}"))?;
    let (width, height) = png_dimensions(&png).ok_or("Chromium's screenshot is not a PNG")?;
    let sha256 = hex::encode(Sha256::digest(&png));
    Ok(Screenshot::Taken {
        png,
        sha256,
        width,
        height,
    })
}

fn arguments(
    profile: &Path,
    file: &Path,
    url: &Url,
    pinned: Option<(&str, IpAddr)>,
) -> Vec<String> {
    let mut arguments: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--hide-scrollbars",
        "--ignore-certificate-errors",
        "--window-size=1280,800",
    ]
    .map(str::to_owned)
    .to_vec();
    arguments.push(format!("--user-data-dir={}", profile.display()));
    arguments.push(format!("--screenshot={}", file.display()));
    if let Some((host, address)) = pinned {
        let address = match address {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => format!("[{v6}]"),
        };
        arguments.push(format!("--host-resolver-rules=MAP {host} {address}"));
    }
    arguments.push(url.to_string());
    arguments
}

/// Ends Chromium's helper processes too (they share its process group).
async fn kill_group(pid: Option<u32>) {
    if let Some(pid) = pid {
        let _ = tokio::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::png_dimensions;

    #[test]
    fn png_header_gives_the_size() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&1280u32.to_be_bytes());
        png.extend_from_slice(&800u32.to_be_bytes());
        assert_eq!(png_dimensions(&png), Some((1280, 800)));
        assert_eq!(png_dimensions(b"GIF89a............................"), None);
    }
}
