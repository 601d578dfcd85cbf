//! Evidence bytes on disk, named by their SHA-256 (`evidence/ab/cd/abcd…`). The same file
//! uploaded twice is stored once. A file is written to a temporary name and renamed, so a
//! reader never sees half a file; metadata lives in the database.

use std::path::{Path, PathBuf};

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
            return Ok(sha256);
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        tokio::fs::create_dir_all(dir).await?;
        let tmp = dir.join(format!(".{sha256}.{}.tmp", std::process::id()));
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
}
