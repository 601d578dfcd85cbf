//! The nginx adapter: keeps one `host 1;` line per suspended host in a map include file
//! (for `map $host $sigap_suspended { default 0; include <map_file>; }`), writes the
//! maintenance page, then runs the test and reload commands. Files are replaced atomically
//! (temporary file and rename); when anything fails, the previous files are put back byte
//! for byte and the error says which step failed.

use std::fs::Permissions;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::config::NginxConfig;
use crate::error::{AdapterKind, BlockError, FailureKind};
use crate::http::truncate;
use crate::record::{BlockRecord, Change, Direction, NginxChange};
use crate::request::{BlockRequest, Hostname};
use crate::{Adapter, AdapterFuture};

const ADAPTER: AdapterKind = AdapterKind::Nginx;

/// The first line of a map file written here.
const MAP_HEADER: &str = "# Suspended hosts, written by sigap. One `host 1;` line per host.\n";

/// The maintenance page in Indonesian, with the office contact and no detail of the finding.
pub fn maintenance_page(contact: &str) -> String {
    let contact = escape_html(contact);
    format!(
        "<!DOCTYPE html>\n<html lang=\"id\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>Layanan ditangguhkan sementara</title>\n\
<style>body{{font-family:sans-serif;max-width:40em;margin:4em auto;padding:0 1em;color:#222}}\
h1{{font-size:1.6em}}</style>\n</head>\n<body>\n\
<h1>Layanan ditangguhkan sementara</h1>\n\
<p>Layanan ini sedang ditangguhkan sementara untuk perbaikan keamanan.</p>\n\
<p>Layanan akan dibuka kembali setelah perbaikan selesai diperiksa.</p>\n\
<p>Informasi lebih lanjut: {contact}</p>\n</body>\n</html>\n"
    )
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Edits one nginx map file.
pub struct NginxAdapter {
    config: NginxConfig,
    timeout: Duration,
}

/// A file as it was before a change, to be put back on failure.
struct Snapshot {
    path: PathBuf,
    before: Option<(Vec<u8>, Permissions)>,
}

impl Snapshot {
    fn take(path: &Path) -> Result<Snapshot, BlockError> {
        let before = match std::fs::read(path) {
            Ok(bytes) => {
                let permissions = std::fs::metadata(path)
                    .map_err(|e| file_error(path, &e))?
                    .permissions();
                Some((bytes, permissions))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => return Err(file_error(path, &error)),
        };
        Ok(Snapshot {
            path: path.to_owned(),
            before,
        })
    }

    fn bytes(&self) -> &[u8] {
        self.before
            .as_ref()
            .map(|(bytes, _)| bytes.as_slice())
            .unwrap_or_default()
    }

    fn sha256(&self) -> Option<String> {
        self.before.as_ref().map(|(bytes, _)| sha256_hex(bytes))
    }

    fn write(&self, bytes: &[u8]) -> Result<(), BlockError> {
        let permissions = self
            .before
            .as_ref()
            .map(|(_, permissions)| permissions.clone());
        write_atomically(&self.path, bytes, permissions)
    }

    fn restore(&self) -> Result<(), BlockError> {
        match &self.before {
            Some((bytes, permissions)) => {
                write_atomically(&self.path, bytes, Some(permissions.clone()))
            }
            None => match std::fs::remove_file(&self.path) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                    Err(file_error(&self.path, &error))
                }
                _ => Ok(()),
            },
        }
    }
}

/// An exclusive lock on `<map_file>.lock`, held while the map is read, changed, tested and
/// reloaded, so that two blocks at once (two processes or two tasks) do not lose a line.
struct MapLock {
    _file: std::fs::File,
}

impl MapLock {
    async fn acquire(map_file: &Path, timeout: Duration) -> Result<MapLock, BlockError> {
        let mut name = map_file.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| file_error(&path, &e))?;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(MapLock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock)
                    if tokio::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    let detail = format!("{} stayed locked by another change", path.display());
                    return Err(BlockError::new(ADAPTER, FailureKind::Timeout, detail));
                }
                Err(std::fs::TryLockError::Error(error)) => return Err(file_error(&path, &error)),
            }
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn file_error(path: &Path, error: &std::io::Error) -> BlockError {
    BlockError::new(
        ADAPTER,
        FailureKind::FileSystem,
        format!("{}: {error}", path.display()),
    )
}

/// Replaces `path` by a temporary file in the same directory renamed over it, with the
/// previous permissions or, for a new file, `0644` (nginx workers must read the page).
fn write_atomically(
    path: &Path,
    bytes: &[u8],
    permissions: Option<Permissions>,
) -> Result<(), BlockError> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(directory).map_err(|e| file_error(path, &e))?;
    file.write_all(bytes).map_err(|e| file_error(path, &e))?;
    file.as_file()
        .sync_all()
        .map_err(|e| file_error(path, &e))?;
    let permissions = permissions.unwrap_or_else(|| Permissions::from_mode(0o644));
    std::fs::set_permissions(file.path(), permissions).map_err(|e| file_error(path, &e))?;
    file.persist(path).map_err(|e| file_error(path, &e.error))?;
    Ok(())
}

/// Whether the map text has a line for `host`.
fn lists_host(map: &str, host: &Hostname) -> bool {
    map.lines()
        .any(|line| line.split_whitespace().next() == Some(host.as_str()))
}

/// The map text with a line for `host` added.
fn with_host(map: &str, host: &Hostname) -> String {
    let mut text = if map.trim().is_empty() {
        MAP_HEADER.to_owned()
    } else {
        map.to_owned()
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!("{host} 1;\n"));
    text
}

/// The map text without the line(s) for `host`.
fn without_host(map: &str, host: &Hostname) -> String {
    map.lines()
        .filter(|line| line.split_whitespace().next() != Some(host.as_str()))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Runs `argv` with a time limit; a non-zero exit is an error carrying stderr.
async fn run_command(argv: &[String], timeout: Duration) -> Result<(), BlockError> {
    let shown = argv.join(" ");
    let Some((program, arguments)) = argv.split_first() else {
        return Err(BlockError::new(
            ADAPTER,
            FailureKind::CommandFailed,
            "the command is empty",
        ));
    };
    let child = tokio::process::Command::new(program)
        .args(arguments)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output();
    let output = match tokio::time::timeout(timeout, child).await {
        Err(_) => {
            let detail = format!(
                "`{shown}` did not finish within {} s",
                timeout.as_secs_f32()
            );
            return Err(BlockError::new(ADAPTER, FailureKind::Timeout, detail));
        }
        Ok(Err(error)) => {
            let detail = format!("`{shown}` could not be started: {error}");
            return Err(BlockError::new(ADAPTER, FailureKind::CommandFailed, detail));
        }
        Ok(Ok(output)) => output,
    };
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let detail = format!(
        "`{shown}` failed ({}): {}",
        output.status,
        truncate(stderr.trim(), 2000)
    );
    Err(BlockError::new(ADAPTER, FailureKind::CommandFailed, detail))
}

impl NginxAdapter {
    /// An adapter for `config`; each command may run at most `timeout`.
    pub fn new(config: NginxConfig, timeout: Duration) -> Self {
        NginxAdapter { config, timeout }
    }

    /// Writes the files, tests and reloads; on any failure puts every snapshot back.
    async fn apply(&self, writes: &[(&Snapshot, &[u8])]) -> Result<(), BlockError> {
        let result = self.write_test_reload(writes).await;
        let Err(mut error) = result else {
            return Ok(());
        };
        for (snapshot, _) in writes.iter().rev() {
            if let Err(rollback) = snapshot.restore() {
                error = error.with_rollback_failure(&rollback);
            }
        }
        Err(error)
    }

    async fn write_test_reload(&self, writes: &[(&Snapshot, &[u8])]) -> Result<(), BlockError> {
        for (snapshot, bytes) in writes {
            snapshot.write(bytes)?;
        }
        run_command(&self.config.test_command, self.timeout).await?;
        run_command(&self.config.reload_command, self.timeout).await
    }

    fn record(
        &self,
        host: &Hostname,
        ticket: &str,
        at: DateTime<Utc>,
        change: NginxChange,
    ) -> BlockRecord {
        BlockRecord {
            adapter: ADAPTER,
            direction: Direction::Block,
            host: host.clone(),
            ticket: ticket.to_owned(),
            at,
            change: Change::Nginx(change),
        }
    }

    async fn block_host(&self, request: &BlockRequest) -> Result<BlockRecord, BlockError> {
        let _lock = MapLock::acquire(&self.config.map_file, self.timeout).await?;
        let map = Snapshot::take(&self.config.map_file)?;
        let text = String::from_utf8_lossy(map.bytes()).into_owned();
        let mut change = NginxChange {
            map_file: self.config.map_file.clone(),
            previous_sha256: map.sha256(),
            new_sha256: map.sha256(),
            page_file: None,
            page_sha256: None,
            unchanged: lists_host(&text, &request.host),
        };
        if !change.unchanged {
            let new_map = with_host(&text, &request.host);
            let page = maintenance_page(&request.contact);
            let page_snapshot = match &self.config.page_file {
                Some(path) => Some(Snapshot::take(path)?),
                None => None,
            };
            let mut writes: Vec<(&Snapshot, &[u8])> = Vec::new();
            if let Some(snapshot) = &page_snapshot {
                writes.push((snapshot, page.as_bytes()));
                change.page_file = Some(snapshot.path.clone());
                change.page_sha256 = Some(sha256_hex(page.as_bytes()));
            }
            writes.push((&map, new_map.as_bytes()));
            self.apply(&writes).await?;
            change.new_sha256 = Some(sha256_hex(new_map.as_bytes()));
        }
        Ok(self.record(&request.host, &request.ticket, request.now, change))
    }

    async fn unblock_host(
        &self,
        record: &BlockRecord,
        now: DateTime<Utc>,
    ) -> Result<BlockRecord, BlockError> {
        record.expect_block_of(ADAPTER)?;
        let _lock = MapLock::acquire(&self.config.map_file, self.timeout).await?;
        let map = Snapshot::take(&self.config.map_file)?;
        let text = String::from_utf8_lossy(map.bytes()).into_owned();
        let mut change = NginxChange {
            map_file: self.config.map_file.clone(),
            previous_sha256: map.sha256(),
            new_sha256: map.sha256(),
            page_file: None,
            page_sha256: None,
            unchanged: !lists_host(&text, &record.host),
        };
        if !change.unchanged {
            let new_map = without_host(&text, &record.host);
            self.apply(&[(&map, new_map.as_bytes())]).await?;
            change.new_sha256 = Some(sha256_hex(new_map.as_bytes()));
        }
        let mut unblocked = self.record(&record.host, &record.ticket, now, change);
        unblocked.direction = Direction::Unblock;
        Ok(unblocked)
    }

    async fn check_setup(&self) -> Result<(), BlockError> {
        let directory = self.config.map_file.parent().unwrap_or(Path::new("."));
        if !directory.as_os_str().is_empty() && !directory.is_dir() {
            let detail = format!(
                "the map file's folder {} does not exist",
                directory.display()
            );
            return Err(BlockError::new(ADAPTER, FailureKind::FileSystem, detail));
        }
        run_command(&self.config.test_command, self.timeout).await
    }
}

impl Adapter for NginxAdapter {
    fn kind(&self) -> AdapterKind {
        ADAPTER
    }

    fn block<'a>(&'a self, request: &'a BlockRequest) -> AdapterFuture<'a, BlockRecord> {
        Box::pin(self.block_host(request))
    }

    fn unblock<'a>(
        &'a self,
        record: &'a BlockRecord,
        now: DateTime<Utc>,
    ) -> AdapterFuture<'a, BlockRecord> {
        Box::pin(self.unblock_host(record, now))
    }

    fn check(&self) -> AdapterFuture<'_, ()> {
        Box::pin(self.check_setup())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_lines_are_added_and_removed_exactly() {
        let host = Hostname::parse("Shop.Example.test.").unwrap();
        let other = "# kept\nother.example.test 1;\n";
        let added = with_host(other, &host);
        assert_eq!(
            added,
            "# kept\nother.example.test 1;\nshop.example.test 1;\n"
        );
        assert!(lists_host(&added, &host));
        assert_eq!(without_host(&added, &host), other);
        assert!(with_host("", &host).starts_with(MAP_HEADER));
    }

    #[test]
    fn page_is_indonesian_and_escapes_the_contact() {
        let page = maintenance_page("CSIRT <csirt@batam.go.id>");
        assert!(
            page.contains("Layanan ini sedang ditangguhkan sementara untuk perbaikan keamanan")
        );
        assert!(page.contains("CSIRT &lt;csirt@batam.go.id&gt;"));
    }
}
