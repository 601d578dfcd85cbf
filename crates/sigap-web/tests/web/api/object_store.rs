//! Blobs in S3-compatible object storage (`SIGAP_BLOB_URL=s3://bucket/prefix`), against a
//! real S3 server on loopback (moto, see `sigap_testkit::s3`): evidence sent with the
//! public form and the PDFs the steps issue are objects in the bucket, not files of the
//! instance; downloads stream them with their length (a system owner's image is the copy
//! without its author's metadata); previews decode them; `/readyz` checks the bucket; the
//! sweep removes an object no row names once the grace period has passed, and leaves one
//! written again.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use sigap_app::outbox::jobs::{BLOB_GRACE, sweep_blobs};
use sigap_store::BlobStore;
use sigap_testkit::s3::S3Server;
use sigap_testkit::{Backend, read, spawn_app_with, valid_report};

use crate::api::documents::documents;

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    evidence_and_documents_live_in_the_bucket: sqlite_blobs_in_s3, postgres_blobs_in_s3;
}

const PREFIX: &str = "batam/bukti";

/// A small PNG with a text chunk naming its author.
fn png_with_author() -> Vec<u8> {
    let picture =
        image::RgbImage::from_fn(8, 8, |x, y| image::Rgb([x as u8 * 30, y as u8 * 30, 90]));
    let mut png = Vec::new();
    picture
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    // A tEXt chunk after IHDR (8-byte signature, 25-byte IHDR chunk).
    let text = b"Author\0Budi Santoso";
    let mut chunk = (text.len() as u32).to_be_bytes().to_vec();
    let mut body = b"tEXt".to_vec();
    body.extend_from_slice(text);
    chunk.extend_from_slice(&body);
    chunk.extend_from_slice(&crc32(&body).to_be_bytes());
    let mut out = png[..33].to_vec();
    out.extend(chunk);
    out.extend_from_slice(&png[33..]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

async fn evidence_and_documents_live_in_the_bucket(backend: Backend) {
    let Some(s3) = S3Server::start("sigap-uji").await else {
        return;
    };
    let blobs = s3.blob_store(PREFIX);
    let Some(app) = spawn_app_with(backend, |start| start.blobs = Some(blobs.clone())).await else {
        return;
    };
    let photo = png_with_author();
    let log: Vec<u8> = (0..300_000u32)
        .flat_map(|i| format!("{i} GET /cari?nisn=1' 500\n").into_bytes())
        .collect();
    let mut form = Form::new();
    for (k, v) in valid_report().as_object().unwrap() {
        form = form.text(k.clone(), v.as_str().unwrap().to_owned());
    }
    form = form
        .part("evidence", Part::bytes(photo.clone()).file_name("foto.png"))
        .part("evidence", Part::bytes(log.clone()).file_name("akses.log"));
    let (status, submitted) = read(app.submit_multipart(form).await).await;
    assert_eq!(status, StatusCode::CREATED, "{submitted:#}");
    let number = submitted["ticket_number"].as_str().unwrap().to_owned();

    // The uploads are objects under the prefix, named by their hash; the instance's data
    // directory holds none of them.
    let keys = s3.keys(PREFIX).await;
    for bytes in [&photo, &log] {
        let sha = BlobStore::hash(bytes);
        let key = format!("{PREFIX}/{}/{}/{sha}", &sha[..2], &sha[2..4]);
        assert!(keys.contains(&key), "{key} in {keys:?}");
    }
    assert!(!app.data_dir().join("evidence").exists(), "no blob on disk");

    // Validation links the system and issues its minutes (a PDF in the bucket too); the
    // agency, told of the finding, sees the ticket.
    let ticket = app.drive(&number, "remediating").await;
    let id_of = |name: &str| {
        ticket["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let download = |role: &'static str, name: &str| {
        let path = format!("/api/v1/tickets/{number}/evidence/{}", id_of(name));
        let token = app.token(role).to_owned();
        let app = &app;
        async move { app.get(Some(&token), &path).await }
    };
    let whole = download("csirt", "akses.log").await;
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(
        whole.headers()["content-length"].to_str().unwrap(),
        log.len().to_string()
    );
    assert!(whole.bytes().await.unwrap() == log, "streamed whole");
    let owner = download("system_owner", "akses.log").await;
    assert_eq!(owner.status(), StatusCode::OK);
    assert!(
        owner.bytes().await.unwrap() == log,
        "the owner's copy is the file"
    );
    let original = download("csirt", "foto.png").await;
    assert!(
        original.bytes().await.unwrap() == photo,
        "the picture as sent"
    );
    let stripped = download("system_owner", "foto.png")
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert!(stripped.starts_with(b"\x89PNG") && stripped.len() < photo.len());
    assert!(
        !stripped.windows(4).any(|w| w == b"tEXt"),
        "the author is left out"
    );
    let preview = app
        .get(
            Some(app.token("csirt")),
            &format!(
                "/api/v1/tickets/{number}/evidence/{}/preview",
                id_of("foto.png")
            ),
        )
        .await;
    assert_eq!(preview.status(), StatusCode::OK);
    assert_eq!(preview.headers()["content-type"], "image/png");

    let docs = documents(&app, &number).await;
    assert!(!docs.is_empty(), "validation issues its minutes");
    let id = docs[0]["id"].as_i64().unwrap();
    let pdf = app
        .get(Some(app.token("csirt")), &format!("/api/v1/documents/{id}"))
        .await;
    assert_eq!(pdf.status(), StatusCode::OK);
    let sha = pdf.headers()["x-content-sha256"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    let key = format!("{PREFIX}/{}/{}/{sha}", &sha[..2], &sha[2..4]);
    assert!(s3.keys(PREFIX).await.contains(&key), "the PDF is an object");

    let (status, ready) = read(app.get(None, "/readyz").await).await;
    assert_eq!(status, StatusCode::OK, "{ready:#}");
    assert_eq!(ready["blobs"], "ok");

    swept_after_the_grace_period(&app, &s3).await;
}

/// An object no row names goes once it is older than the grace period; one written again
/// since is young and stays; what rows name always stays.
async fn swept_after_the_grace_period(app: &sigap_testkit::TestApp, s3: &S3Server) {
    let before = s3.keys(PREFIX).await.len();
    let orphan = b"tidak dirujuk oleh baris mana pun".to_vec();
    let sha = app.app.blobs.put(&orphan).await.unwrap();
    assert_eq!(sweep_blobs(&app.app).await.unwrap(), 0, "young");
    // The bucket's times are the server's: the app's clock is moved past them.
    #[allow(clippy::disallowed_methods)]
    let written = chrono::Utc::now();
    app.clock
        .set(written + BLOB_GRACE + chrono::Duration::seconds(2));
    assert_eq!(sweep_blobs(&app.app).await.unwrap(), 1);
    assert_eq!(app.app.blobs.get(&sha).await.unwrap(), None);
    assert_eq!(s3.keys(PREFIX).await.len(), before, "the named ones stay");
    // Written again after the cut-off: young again, left to the transaction naming it.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    app.app.blobs.put(&orphan).await.unwrap();
    assert_eq!(sweep_blobs(&app.app).await.unwrap(), 0);
    assert_eq!(app.app.blobs.get(&sha).await.unwrap(), Some(orphan));
}
