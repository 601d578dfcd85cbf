//! The screenshot part of a capture: a PNG of the page from headless Chromium, run with a
//! throw-away profile and a time limit. Without Chromium the capture says so instead.
//!
//! Chromium runs with its sandbox on. As root (where Chromium refuses its sandbox) it is run
//! as an unprivileged user (`SIGAP_CHROMIUM_USER`, default `nobody`); when that user does not
//! exist, the screenshot is skipped and the capture says why. Chromium reaches one machine
//! only: the capture's host is mapped to the address already checked against the outbound
//! policy, every other name resolves to nothing, and every other request (an address
//! written into the page, a redirect elsewhere) goes to a proxy that does not exist.

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

/// Photographs `url`, connecting to `pinned`; `insecure` lets Chromium show a page whose
/// certificate did not verify (the HTTP capture has recorded that finding).
pub async fn capture(
    url: &Url,
    pinned: (&str, IpAddr),
    insecure: bool,
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
    let run_as = match unprivileged_user(&options.chromium_user) {
        Ok(user) => user,
        Err(reason) => return Screenshot::NotPossible { reason },
    };
    let page = Page {
        url,
        pinned,
        insecure,
    };
    match take(&chromium, &page, run_as, options.screenshot_timeout).await {
        Ok(screenshot) => screenshot,
        Err(reason) => Screenshot::NotPossible { reason },
    }
}

/// What Chromium is pointed at.
struct Page<'a> {
    url: &'a Url,
    pinned: (&'a str, IpAddr),
    insecure: bool,
}

/// A user id and group id to run Chromium as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RunAs {
    uid: u32,
    gid: u32,
}

/// `None` when sigap does not run as root (Chromium keeps sigap's user and its sandbox);
/// as root, the named user from `/etc/passwd`, or why the screenshot is skipped.
fn unprivileged_user(name: &str) -> Result<Option<RunAs>, String> {
    if !rustix::process::geteuid().is_root() {
        return Ok(None);
    }
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    match lookup_user(&passwd, name) {
        Some(user) if user.uid != 0 => Ok(Some(user)),
        _ => Err(format!(
            "no screenshot: sigap runs as root, where Chromium's sandbox cannot run, and the \
             unprivileged user `{name}` (SIGAP_CHROMIUM_USER) does not exist"
        )),
    }
}

/// The user `name` of a `/etc/passwd` text.
fn lookup_user(passwd: &str, name: &str) -> Option<RunAs> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        if fields.next()? != name {
            return None;
        }
        let _password = fields.next()?;
        let uid = fields.next()?.parse().ok()?;
        let gid = fields.next()?.parse().ok()?;
        Some(RunAs { uid, gid })
    })
}

async fn take(
    chromium: &Path,
    page: &Page<'_>,
    run_as: Option<RunAs>,
    timeout: Duration,
) -> Result<Screenshot, String> {
    let folder = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
    let file = folder.path().join("screenshot.png");
    let mut command = tokio::process::Command::new(chromium);
    command.args(arguments(folder.path(), &file, page));
    if let Some(user) = run_as {
        std::os::unix::fs::chown(folder.path(), Some(user.uid), Some(user.gid))
            .map_err(|e| format!("the profile folder cannot be given to Chromium's user: {e}"))?;
        command.uid(user.uid).gid(user.gid);
        command.env("HOME", folder.path());
    }
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

/// A proxy name that resolves nowhere: requests that are not to the capture's own host are
/// sent to it and fail.
const NO_PROXY: &str = "http://sigap-no-proxy.invalid:9";

fn arguments(profile: &Path, file: &Path, page: &Page<'_>) -> Vec<String> {
    let mut arguments: Vec<String> = [
        "--headless",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--dns-prefetch-disable",
        "--no-pings",
        "--no-first-run",
        "--hide-scrollbars",
        "--window-size=1280,800",
    ]
    .map(str::to_owned)
    .to_vec();
    if page.insecure {
        arguments.push("--ignore-certificate-errors".to_owned());
    }
    let (host, address) = page.pinned;
    let address = match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    arguments.push(format!(
        "--host-resolver-rules=MAP {host} {address}, MAP * ~NOTFOUND"
    ));
    arguments.push(format!("--proxy-server={NO_PROXY}"));
    // `<-loopback>` takes back Chromium's own exception for loopback addresses.
    arguments.push(format!("--proxy-bypass-list=<-loopback>;{host}"));
    arguments.push(format!("--user-data-dir={}", profile.display()));
    arguments.push(format!("--screenshot={}", file.display()));
    arguments.push(page.url.to_string());
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
    use super::*;

    #[test]
    fn chromium_runs_with_its_sandbox_and_reaches_the_pinned_host_only() {
        let url = Url::parse("https://portal.batam.go.id/").unwrap();
        let page = Page {
            url: &url,
            pinned: ("portal.batam.go.id", "203.0.113.7".parse().unwrap()),
            insecure: false,
        };
        let arguments = arguments(Path::new("/tmp/p"), Path::new("/tmp/p/s.png"), &page);
        assert!(!arguments.iter().any(|a| a == "--no-sandbox"));
        assert!(!arguments.iter().any(|a| a == "--ignore-certificate-errors"));
        assert!(arguments.contains(
            &"--host-resolver-rules=MAP portal.batam.go.id 203.0.113.7, MAP * ~NOTFOUND".to_owned()
        ));
        assert!(
            arguments.contains(&"--proxy-bypass-list=<-loopback>;portal.batam.go.id".to_owned())
        );
    }

    #[test]
    fn users_are_read_from_passwd() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
        assert_eq!(
            lookup_user(passwd, "nobody"),
            Some(RunAs {
                uid: 65534,
                gid: 65534
            })
        );
        assert_eq!(lookup_user(passwd, "chromium"), None);
    }

    #[test]
    fn png_header_gives_the_size() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&1280u32.to_be_bytes());
        png.extend_from_slice(&800u32.to_be_bytes());
        assert_eq!(png_dimensions(&png), Some((1280, 800)));
        assert_eq!(png_dimensions(b"GIF89a............................"), None);
    }
}
