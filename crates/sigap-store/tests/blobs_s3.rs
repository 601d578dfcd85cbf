//! The blob store on an S3-compatible server (moto on loopback, see `sigap_testkit::s3`):
//! content-addressed objects under the prefix, read back whole or a piece at a time, the
//! same bytes written at once stored once, names that are not hashes never reaching the
//! bucket, and the check that `/readyz` makes failing once the server is gone.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use futures::StreamExt;
use sigap_testkit::s3::S3Server;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn blobs_are_objects_in_the_bucket() {
    let Some(s3) = S3Server::start("sigap-blobs").await else {
        return;
    };
    let blobs = s3.blob_store("kota/batam");
    assert_eq!(blobs.location(), "s3://sigap-blobs/kota/batam");
    blobs.check().await.expect("the bucket answers");

    let hello = blobs.put(b"hello").await.unwrap();
    assert_eq!(
        hello,
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    );
    assert_eq!(
        s3.keys("kota/batam").await,
        [format!("kota/batam/2c/f2/{hello}")]
    );
    assert_eq!(blobs.get(&hello).await.unwrap(), Some(b"hello".to_vec()));
    assert_eq!(blobs.get(&"0".repeat(64)).await.unwrap(), None);
    assert_eq!(blobs.get("../../etc/passwd").await.unwrap(), None);
    assert!(blobs.open_read("kota").await.unwrap().is_none());

    // Three megabytes come back in pieces, with their length known first.
    let video: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    let sha = blobs.put(&video).await.unwrap();
    let mut read = blobs.open_read(&sha).await.unwrap().expect("stored");
    assert_eq!(read.len, 3_000_000);
    let (mut pieces, mut all) = (0, Vec::new());
    while let Some(piece) = read.pieces.next().await {
        all.extend_from_slice(&piece.unwrap());
        pieces += 1;
    }
    assert!(pieces > 1, "read in {pieces} piece(s)");
    assert_eq!(all, video);

    // The same bytes written sixteen times at once: one object.
    let mut writes = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (blobs, bytes) = (blobs.clone(), vec![7u8; 256 * 1024]);
        writes.spawn(async move { blobs.put(&bytes).await });
    }
    while let Some(write) = writes.join_next().await {
        write.unwrap().unwrap();
    }
    assert_eq!(s3.keys("kota/batam").await.len(), 3);

    // Another prefix in the same bucket is another store.
    let other = s3.blob_store("kota/lain");
    assert_eq!(other.get(&hello).await.unwrap(), None);

    drop(s3);
    let down = tokio::time::timeout(std::time::Duration::from_secs(20), blobs.check())
        .await
        .expect("the check ends");
    assert!(down.is_err(), "a server that is gone does not answer");
}
