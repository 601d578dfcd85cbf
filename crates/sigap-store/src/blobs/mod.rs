//! Evidence, received mail and issued PDFs, named by their SHA-256: the same bytes stored
//! twice are stored once, and what a row names never changes under it. Metadata lives in
//! the database. The bytes live in a directory (`file://`, the default: the data
//! directory's `evidence/`) or in an S3-compatible object store (`s3://bucket/prefix`:
//! MinIO, Ceph RGW, Garage, a cloud's), shared by every instance.
//!
//! Writers store the bytes before the transaction that names them commits; bytes that no
//! row names are swept after a grace period ([`BlobStore::written_before`] and
//! [`BlobStore::remove_unless`]). A write of bytes already stored makes them young again,
//! so the sweep leaves them to the transaction about to name them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use futures::stream::{BoxStream, StreamExt};
use sha2::{Digest, Sha256};

mod dir;
mod object;

/// Where the blobs are kept. Cheap to clone.
#[derive(Debug, Clone)]
pub struct BlobStore {
    kind: Arc<Kind>,
}

#[derive(Debug)]
enum Kind {
    Dir(dir::DirBlobs),
    Object(object::ObjectBlobs),
}

/// A stored blob being read: its length and its bytes, a piece at a time (a large video is
/// never held whole).
pub struct BlobRead {
    pub len: u64,
    pub pieces: BoxStream<'static, std::io::Result<Bytes>>,
}

impl BlobRead {
    fn new(len: u64, pieces: BoxStream<'static, std::io::Result<Bytes>>) -> BlobRead {
        BlobRead { len, pieces }
    }

    /// Reads the whole blob.
    pub async fn bytes(mut self) -> std::io::Result<Vec<u8>> {
        let mut all = Vec::with_capacity(usize::try_from(self.len).unwrap_or(0));
        while let Some(piece) = self.pieces.next().await {
            all.extend_from_slice(&piece?);
        }
        Ok(all)
    }
}

impl std::fmt::Debug for BlobRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobRead").field("len", &self.len).finish()
    }
}

/// A blob (or a leftover temporary file) last written before a sweep's cut-off.
#[derive(Debug, Clone)]
pub struct Stale {
    /// Its name: the SHA-256 of a blob, or a temporary file's name.
    pub name: String,
    at: StaleAt,
}

#[derive(Debug, Clone)]
enum StaleAt {
    File(PathBuf),
    Object(object_store::path::Path),
}

/// A blob store URL that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BlobUrlError(String);

impl BlobStore {
    /// Blobs in the directory `root` (created when missing).
    pub fn new(root: impl Into<PathBuf>) -> std::io::Result<BlobStore> {
        Ok(BlobStore {
            kind: Arc::new(Kind::Dir(dir::DirBlobs::new(root.into())?)),
        })
    }

    /// The store `url` names: `file:///PATH`, `s3://BUCKET[/PREFIX]`, or (`None` or empty)
    /// the directory `default_dir`. An S3 store takes its endpoint, credentials and region
    /// from the `AWS_*` environment variables (`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ALLOW_HTTP`), then from `settings`
    /// (the same names in lower case, e.g. `aws_endpoint_url`), which win.
    pub fn open(
        url: Option<&str>,
        default_dir: &Path,
        settings: &[(&str, &str)],
    ) -> Result<BlobStore, BlobUrlError> {
        let url = url.map(str::trim).filter(|u| !u.is_empty());
        let Some(url) = url else {
            return BlobStore::new(default_dir)
                .map_err(|e| BlobUrlError(format!("cannot use {}: {e}", default_dir.display())));
        };
        let parsed = url::Url::parse(url).map_err(|e| {
            BlobUrlError(format!(
                "`{url}` is not a URL ({e}): give file:///PATH or s3://BUCKET/PREFIX"
            ))
        })?;
        let kind = match parsed.scheme() {
            "file" => {
                let path = parsed.to_file_path().map_err(|()| {
                    BlobUrlError(format!("`{url}` names no absolute path: give file:///PATH"))
                })?;
                let blobs = dir::DirBlobs::new(path.clone())
                    .map_err(|e| BlobUrlError(format!("cannot use {}: {e}", path.display())))?;
                Kind::Dir(blobs)
            }
            "s3" => Kind::Object(object::ObjectBlobs::s3(&parsed, settings)?),
            other => {
                return Err(BlobUrlError(format!(
                    "`{other}:` is not a blob store: give file:///PATH or s3://BUCKET/PREFIX"
                )));
            }
        };
        Ok(BlobStore {
            kind: Arc::new(kind),
        })
    }

    /// Where the blobs are, for logs and checks: `file:///…` or `s3://bucket/prefix`.
    pub fn location(&self) -> String {
        match self.kind.as_ref() {
            Kind::Dir(d) => url::Url::from_directory_path(d.root())
                .map(|u| u.to_string())
                .unwrap_or_else(|()| d.root().display().to_string()),
            Kind::Object(o) => o.location().to_owned(),
        }
    }

    /// Blobs shared by every instance (an object store), not one machine's directory.
    pub fn is_shared(&self) -> bool {
        matches!(self.kind.as_ref(), Kind::Object(_))
    }

    /// The SHA-256 of `bytes` as lowercase hex.
    pub fn hash(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    /// Stores `bytes` and returns their SHA-256. Writing bytes already stored only makes
    /// them young again.
    pub async fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let sha256 = Self::hash(bytes);
        match self.kind.as_ref() {
            Kind::Dir(d) => d.put(&sha256, bytes).await?,
            Kind::Object(o) => o.put(&sha256, bytes).await?,
        }
        Ok(sha256)
    }

    /// Reads a stored blob whole; `None` when none has that hash.
    pub async fn get(&self, sha256: &str) -> std::io::Result<Option<Vec<u8>>> {
        match self.kind.as_ref() {
            Kind::Dir(d) => d.get(sha256).await,
            Kind::Object(o) => match o.open(sha256).await? {
                Some(read) => Ok(Some(read.bytes().await?)),
                None => Ok(None),
            },
        }
    }

    /// A stored blob to be read a piece at a time; `None` when none has that hash.
    pub async fn open_read(&self, sha256: &str) -> std::io::Result<Option<BlobRead>> {
        match self.kind.as_ref() {
            Kind::Dir(d) => d.open(sha256).await,
            Kind::Object(o) => o.open(sha256).await,
        }
    }

    /// The store answers: the directory can be written to, or the bucket answers a request.
    pub async fn check(&self) -> std::io::Result<()> {
        match self.kind.as_ref() {
            Kind::Dir(d) => d.check().await,
            Kind::Object(o) => o.check().await,
        }
    }

    /// The blobs (and leftover temporary files) last written before `before`: the
    /// candidates of a sweep.
    pub async fn written_before(&self, before: SystemTime) -> std::io::Result<Vec<Stale>> {
        match self.kind.as_ref() {
            Kind::Dir(d) => d.written_before(before).await,
            Kind::Object(o) => o.written_before(before).await,
        }
    }

    /// Removes `stale` (one of [`BlobStore::written_before`]'s) unless it is a blob whose
    /// hash is in `keep` or was written again since `before`; answers whether it was
    /// removed.
    pub async fn remove_unless(
        &self,
        stale: &Stale,
        keep: &HashSet<String>,
        before: SystemTime,
    ) -> std::io::Result<bool> {
        match (self.kind.as_ref(), &stale.at) {
            (Kind::Dir(d), StaleAt::File(path)) => d.remove_unless(path, keep, before).await,
            (Kind::Object(o), StaleAt::Object(at)) => {
                o.remove_unless(&stale.name, at, keep, before).await
            }
            _ => Ok(false),
        }
    }
}

/// A blob's name is its SHA-256 in lowercase hex.
fn is_hash(name: &str) -> bool {
    name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A file's bytes, 64 KiB at a time.
fn file_pieces(file: tokio::fs::File) -> BoxStream<'static, std::io::Result<Bytes>> {
    use tokio::io::AsyncReadExt;
    futures::stream::try_unfold(file, |mut file| async move {
        let mut buf = vec![0u8; 64 * 1024];
        let n = file.read(&mut buf).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.truncate(n);
        Ok(Some((Bytes::from(buf), file)))
    })
    .boxed()
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
        let read = blobs.open_read(&a).await.expect("open").expect("stored");
        assert_eq!(read.len, 5);
        assert_eq!(read.bytes().await.expect("read"), b"hello");
        assert!(
            blobs
                .open_read(&"0".repeat(64))
                .await
                .expect("open")
                .is_none()
        );
        blobs.check().await.expect("a writable directory");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_large_file_is_read_in_pieces() {
        let dir = std::env::temp_dir().join(format!("sigap-blobs-big-{}", std::process::id()));
        let blobs = BlobStore::new(&dir).expect("dir");
        let bytes: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        let sha256 = blobs.put(&bytes).await.expect("put");
        let mut read = blobs
            .open_read(&sha256)
            .await
            .expect("open")
            .expect("stored");
        assert_eq!(read.len, 1_000_000);
        let (mut pieces, mut all) = (0, Vec::new());
        while let Some(piece) = read.pieces.next().await {
            let piece = piece.expect("piece");
            assert!(piece.len() <= 64 * 1024);
            all.extend_from_slice(&piece);
            pieces += 1;
        }
        assert!(pieces >= 16, "{pieces} pieces");
        assert_eq!(all, bytes);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn urls_name_a_store_or_say_what_to_give() {
        let dir = std::env::temp_dir().join(format!("sigap-blobs-url-{}", std::process::id()));
        let default = BlobStore::open(None, &dir, &[]).expect("default");
        assert!(default.location().starts_with("file:///") && !default.is_shared());
        let named = dir.join("named");
        let file = BlobStore::open(Some(&format!("file://{}", named.display())), &dir, &[])
            .expect("file url");
        assert!(named.is_dir() && file.location().ends_with("/named/"));
        for bad in ["ftp://x/y", "blobs", "file://relative"] {
            let e = BlobStore::open(Some(bad), &dir, &[])
                .unwrap_err()
                .to_string();
            assert!(e.contains("file:///PATH"), "{bad}: {e}");
        }
        let s3 = BlobStore::open(
            Some("s3://sigap-bukti/batam"),
            &dir,
            &[
                ("aws_region", "us-east-1"),
                ("aws_endpoint_url", "http://127.0.0.1:9"),
            ],
        )
        .expect("s3 url");
        assert_eq!(s3.location(), "s3://sigap-bukti/batam");
        assert!(s3.is_shared());
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
