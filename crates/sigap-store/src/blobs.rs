//! Evidence bytes on disk, named by their SHA-256 (`evidence/ab/cd/abcd…`). The same file
//! uploaded twice is stored once. A file is written to a temporary name and renamed, so a
//! reader never sees half a file; metadata lives in the database.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

/// A directory of content-addressed files.
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

impl BlobStore {
    /// Uses (and creates) `root`.
    pub fn new(root: impl Into<PathBuf>) -> std::io::Result<BlobStore> {
        let root = root.into();
        std::fs::create_dir_all(&root)?;
        Ok(BlobStore { root })
    }

    /// The SHA-256 of `bytes` as lowercase hex.
    pub fn hash(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
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

    /// Stores `bytes` and returns their SHA-256. Writing an existing file is a no-op.
    pub async fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let sha256 = Self::hash(bytes);
        let path = self
            .path_of(&sha256)
            .ok_or_else(|| std::io::Error::other("bad hash"))?;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            // A fresh time keeps the sweep off a file that a transaction under way is
            // about to name again; if the sweep took it meanwhile, it is written anew.
            match touch(&path).await {
                Ok(()) => return Ok(sha256),
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
        Ok(sha256)
    }

    /// Reads a stored file; `None` when no file has that hash.
    pub async fn get(&self, sha256: &str) -> std::io::Result<Option<Vec<u8>>> {
        let Some(path) = self.path_of(sha256) else {
            return Ok(None);
        };
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The files (by SHA-256) and leftover temporary files last written before `before`:
    /// the candidates of a sweep.
    pub async fn written_before(&self, before: SystemTime) -> std::io::Result<Vec<PathBuf>> {
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || {
            let mut found = Vec::new();
            walk(&root, 0, &mut |path, modified| {
                if modified < before {
                    found.push(path.to_path_buf());
                }
            })?;
            Ok(found)
        })
        .await
        .map_err(std::io::Error::other)?
    }

    /// Removes `path` (one of [`BlobStore::written_before`]'s) unless it is the file of a
    /// hash in `keep` or was written again since `before`; answers whether it was removed.
    pub async fn remove_unless(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_by_content_and_reads_back() {
        let dir = std::env::temp_dir().join(format!("sigap-blobs-{}", std::process::id()));
        let blobs = BlobStore::new(&dir).expect("dir");
        let a = blobs.put(b"hello").await.expect("put");
        let b = blobs.put(b"hello").await.expect("put again");
        assert_eq!(a, b);
        assert_eq!(
            a,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(blobs.get(&a).await.expect("get"), Some(b"hello".to_vec()));
        assert_eq!(blobs.get("../../etc/passwd").await.expect("get"), None);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_same_bytes_written_at_once_are_stored_once() {
        let dir = std::env::temp_dir().join(format!("sigap-blobs-race-{}", std::process::id()));
        let blobs = BlobStore::new(&dir).expect("dir");
        let bytes = vec![7u8; 256 * 1024];
        let mut writes = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let (blobs, bytes) = (blobs.clone(), bytes.clone());
            writes.spawn(async move { blobs.put(&bytes).await });
        }
        while let Some(write) = writes.join_next().await {
            let sha256 = write.expect("task").expect("every write succeeds");
            assert_eq!(blobs.get(&sha256).await.expect("get"), Some(bytes.clone()));
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
