//! Blobs in a directory, named by their SHA-256 (`ab/cd/abcd…`). A file is written to a
//! temporary name, synced and renamed, so a reader never sees half a file.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{BlobRead, Stale, StaleAt};

/// A directory of content-addressed files.
#[derive(Debug, Clone)]
pub(super) struct DirBlobs {
    root: PathBuf,
}

impl DirBlobs {
    /// Uses (and creates) `root`.
    pub(super) fn new(root: PathBuf) -> std::io::Result<DirBlobs> {
        std::fs::create_dir_all(&root)?;
        Ok(DirBlobs { root })
    }

    pub(super) fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| {
            self.root
                .join(&sha256[..2])
                .join(&sha256[2..4])
                .join(sha256)
        })
    }

    /// Stores `bytes` under `sha256` (their hash). Writing an existing file only makes it
    /// young again.
    pub(super) async fn put(&self, sha256: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self
            .path_of(sha256)
            .ok_or_else(|| std::io::Error::other("bad hash"))?;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            // A fresh time keeps the sweep off a file that a transaction under way is
            // about to name again; if the sweep took it meanwhile, it is written anew.
            match touch(&path).await {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        tokio::fs::create_dir_all(dir).await?;
        // One temporary name per write: two writes of the same bytes at once (the same
        // file uploaded twice, one message read by two workers) must not share one.
        static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = dir.join(format!(".{sha256}.{}.{n}.tmp", std::process::id()));
        tokio::fs::write(&tmp, bytes).await?;
        let file = tokio::fs::File::open(&tmp).await?;
        file.sync_all().await?;
        tokio::fs::rename(&tmp, &path).await?;
        Ok(())
    }

    /// Reads a stored file; `None` when no file has that hash.
    pub(super) async fn get(&self, sha256: &str) -> std::io::Result<Option<Vec<u8>>> {
        let Some(path) = self.path_of(sha256) else {
            return Ok(None);
        };
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A stored file as a stream of pieces; `None` when no file has that hash.
    pub(super) async fn open(&self, sha256: &str) -> std::io::Result<Option<BlobRead>> {
        let Some(path) = self.path_of(sha256) else {
            return Ok(None);
        };
        let file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let len = file.metadata().await?.len();
        Ok(Some(BlobRead::new(len, super::file_pieces(file))))
    }

    /// The directory is there and can be written to.
    pub(super) async fn check(&self) -> std::io::Result<()> {
        let meta = tokio::fs::metadata(&self.root).await?;
        if !meta.is_dir() || meta.permissions().readonly() {
            return Err(std::io::Error::other(format!(
                "{} is not a writable directory",
                self.root.display()
            )));
        }
        Ok(())
    }

    /// The files (by SHA-256) and leftover temporary files last written before `before`:
    /// the candidates of a sweep.
    pub(super) async fn written_before(&self, before: SystemTime) -> std::io::Result<Vec<Stale>> {
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || {
            let mut found = Vec::new();
            walk(&root, 0, &mut |path, modified| {
                if modified < before {
                    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    found.push(Stale {
                        name: name.to_owned(),
                        at: StaleAt::File(path.to_path_buf()),
                    });
                }
            })?;
            Ok(found)
        })
        .await
        .map_err(std::io::Error::other)?
    }

    /// Removes `path` (one of [`DirBlobs::written_before`]'s) unless it is the file of a
    /// hash in `keep` or was written again since `before`; answers whether it was removed.
    pub(super) async fn remove_unless(
        &self,
        path: &Path,
        keep: &std::collections::HashSet<String>,
        before: SystemTime,
    ) -> std::io::Result<bool> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let stored = self.path_of(name).is_some_and(|p| p == path);
        if (stored && keep.contains(name)) || !path.starts_with(&self.root) {
            return Ok(false);
        }
        let modified = tokio::fs::metadata(path).await.and_then(|m| m.modified());
        if modified.map_or(true, |m| m >= before) {
            return Ok(false);
        }
        match tokio::fs::remove_file(path).await {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// Sets a file's modification time to now.
async fn touch(path: &Path) -> std::io::Result<()> {
    let file = tokio::fs::File::options().append(true).open(path).await?;
    let file = file.into_std().await;
    tokio::task::spawn_blocking(move || {
        #[allow(clippy::disallowed_methods)] // a file's time on disk, not the app's clock
        let now = SystemTime::now();
        file.set_modified(now)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Calls `found` with every file under `dir` (the two levels of `ab/cd/`) and its time.
fn walk(dir: &Path, depth: usize, found: &mut dyn FnMut(&Path, SystemTime)) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() && depth < 2 {
            walk(&entry.path(), depth + 1, found)?;
        } else if kind.is_file() && depth == 2 {
            found(&entry.path(), entry.metadata()?.modified()?);
        }
    }
    Ok(())
}
