//! Blobs in an S3-compatible object store, under `prefix/ab/cd/abcd…`, through the
//! `object_store` crate. A PUT is atomic on S3 (a reader sees the old object, none, or the
//! whole new one), so no temporary name is needed; writing bytes already stored puts them
//! again, which makes them young for the sweep.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use futures::stream::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path as ObjectPath;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};

use super::{BlobRead, BlobUrlError, Stale, StaleAt};

pub(super) struct ObjectBlobs {
    store: Arc<dyn ObjectStore>,
    /// The folder inside the bucket (no slash at either end; may be empty).
    prefix: String,
    /// `s3://bucket/prefix`, for logs.
    location: String,
}

impl std::fmt::Debug for ObjectBlobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectBlobs")
            .field("location", &self.location)
            .finish()
    }
}

/// An object store's error as an I/O error (its kind kept: not found, permission denied).
fn io(e: object_store::Error) -> std::io::Error {
    std::io::Error::from(e)
}

impl ObjectBlobs {
    /// The bucket and prefix of `url` (`s3://bucket/prefix`), with the `AWS_*` environment
    /// and then `settings` for the endpoint, credentials and region.
    pub(super) fn s3(url: &url::Url, settings: &[(&str, &str)]) -> Result<Self, BlobUrlError> {
        let bucket = url.host_str().filter(|b| !b.is_empty()).ok_or_else(|| {
            BlobUrlError(format!("`{url}` names no bucket: give s3://BUCKET/PREFIX"))
        })?;
        let prefix = url.path().trim_matches('/').to_owned();
        // The HTTP client's TLS takes the process's crypto provider; with more than one in
        // the build none is chosen by itself, so this one is (unless one was already).
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        // A request that fails is tried again a few times, within seconds rather than the
        // crate's default of minutes: an upload waits on it.
        let retry = RetryConfig {
            max_retries: 3,
            retry_timeout: Duration::from_secs(15),
            ..RetryConfig::default()
        };
        let client = ClientOptions::new()
            .with_connect_timeout(Duration::from_secs(5))
            .with_timeout(Duration::from_secs(120));
        // The client's options first: `with_client_options` replaces them all, the
        // `AWS_ALLOW_HTTP` read from the environment included.
        let mut builder = AmazonS3Builder::new()
            .with_client_options(client)
            .with_retry(retry)
            .with_bucket_name(bucket);
        for (key, value) in std::env::vars() {
            if key.starts_with("AWS_")
                && let Ok(key) = key.to_ascii_lowercase().parse::<AmazonS3ConfigKey>()
            {
                builder = builder.with_config(key, value);
            }
        }
        for (key, value) in settings {
            let key: AmazonS3ConfigKey = key
                .parse()
                .map_err(|e| BlobUrlError(format!("the blob store setting `{key}`: {e}")))?;
            builder = builder.with_config(key, *value);
        }
        let store = builder
            .build()
            .map_err(|e| BlobUrlError(format!("the blob store {url}: {e}")))?;
        let location = if prefix.is_empty() {
            format!("s3://{bucket}")
        } else {
            format!("s3://{bucket}/{prefix}")
        };
        Ok(ObjectBlobs {
            store: Arc::new(store),
            prefix,
            location,
        })
    }

    pub(super) fn location(&self) -> &str {
        &self.location
    }

    fn key(&self, sha256: &str) -> Option<ObjectPath> {
        super::is_hash(sha256).then(|| {
            let name = format!("{}/{}/{sha256}", &sha256[..2], &sha256[2..4]);
            if self.prefix.is_empty() {
                ObjectPath::from(name)
            } else {
                ObjectPath::from(format!("{}/{name}", self.prefix))
            }
        })
    }

    pub(super) async fn put(&self, sha256: &str, bytes: &[u8]) -> std::io::Result<()> {
        let key = self
            .key(sha256)
            .ok_or_else(|| std::io::Error::other("bad hash"))?;
        self.store
            .put(&key, PutPayload::from(bytes.to_vec()))
            .await
            .map_err(io)?;
        Ok(())
    }

    pub(super) async fn open(&self, sha256: &str) -> std::io::Result<Option<BlobRead>> {
        let Some(key) = self.key(sha256) else {
            return Ok(None);
        };
        match self.store.get(&key).await {
            Ok(got) => {
                let len = got.meta.size;
                let pieces = got.into_stream().map_err(io).boxed();
                Ok(Some(BlobRead::new(len, pieces)))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    /// The bucket answers: a HEAD of a name that is never written (not found is an answer).
    pub(super) async fn check(&self) -> std::io::Result<()> {
        let probe = if self.prefix.is_empty() {
            ObjectPath::from(".ready")
        } else {
            ObjectPath::from(format!("{}/.ready", self.prefix))
        };
        match self.store.head(&probe).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(io(e)),
        }
    }

    pub(super) async fn written_before(&self, before: SystemTime) -> std::io::Result<Vec<Stale>> {
        let before = DateTime::<Utc>::from(before);
        let prefix = (!self.prefix.is_empty()).then(|| ObjectPath::from(self.prefix.as_str()));
        let mut listed = self.store.list(prefix.as_ref());
        let mut found = Vec::new();
        while let Some(meta) = listed.next().await {
            let meta = meta.map_err(io)?;
            if meta.last_modified < before {
                found.push(Stale {
                    name: meta.location.filename().unwrap_or("").to_owned(),
                    at: StaleAt::Object(meta.location),
                });
            }
        }
        Ok(found)
    }

    pub(super) async fn remove_unless(
        &self,
        name: &str,
        at: &ObjectPath,
        keep: &HashSet<String>,
        before: SystemTime,
    ) -> std::io::Result<bool> {
        let ours = self.key(name).is_some_and(|k| &k == at);
        if !ours || keep.contains(name) {
            return Ok(false);
        }
        match self.store.head(at).await {
            Ok(meta) if meta.last_modified < DateTime::<Utc>::from(before) => {}
            Ok(_) | Err(object_store::Error::NotFound { .. }) => return Ok(false),
            Err(e) => return Err(io(e)),
        }
        match self.store.delete(at).await {
            Ok(()) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(io(e)),
        }
    }
}
