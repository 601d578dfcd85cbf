//! Signing from sigap through BSrE (documents::signing::bsre) against a local server of the
//! same API shape as BSrE's esign-client (`POST /api/sign/pdf`, multipart, basic auth,
//! JSON errors with BSrE's status codes) that really signs, with pyhanko's own signer and
//! the test CA; the result is validated by pyhanko like the local signer's. A wrong
//! passphrase or an unknown NIK is the signer's error, named as such; the NIK and the
//! passphrase are kept nowhere.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::json;
use sigap_app::documents::signing::bsre::BsreClient;
use sigap_app::identity::totp;
use sigap_testkit::{Backend, error_fields, problem, read};

use crate::api::signing::{
    CSIRT, app_signing_with, enrol, minutes, pyhanko, pyhanko_python, sign, signed_copy, test_ca,
};

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    the_configured_signer_signs_through_bsre:
        sqlite_the_configured_signer_signs_through_bsre,
        postgres_the_configured_signer_signs_through_bsre;
}

const NIK: &str = "2171010101800001";
const PASSPHRASE: &str = "Rahasia#TTE-2026";
const WRONG: &str = "Keliru#TTE-2026";
const CLIENT: (&str, &str) = ("sigap", "kunci-klien-uji");

/// Signs `input` into `output` with pyhanko's signer (PAdES), the test CA's signer key.
const PYHANKO_SIGN: &str = r#"
import sys
from pyhanko.sign import signers, fields
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
directory, source, target = sys.argv[1:4]
signer = signers.SimpleSigner.load(directory + "/signer.key", directory + "/signer.pem",
                                   ca_chain_files=(directory + "/ca.pem",))
meta = signers.PdfSignatureMetadata(field_name="BSrE", subfilter=fields.SigSeedSubFilter.PADES)
with open(source, "rb") as f, open(target, "wb") as out:
    signers.sign_pdf(IncrementalPdfFileWriter(f), meta, signer=signer, output=out)
"#;

fn json_error(status: AxumStatus, code: u32, error: &str) -> Response {
    (
        status,
        axum::Json(json!({"status_code": code, "error": error})),
    )
        .into_response()
}

/// `POST /api/sign/pdf` as BSrE's esign-client answers it.
async fn sign_pdf(State(dir): State<PathBuf>, headers: HeaderMap, mut form: Multipart) -> Response {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", CLIENT.0, CLIENT.1))
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return (
            AxumStatus::UNAUTHORIZED,
            axum::Json(json!({"error": "Unauthorized"})),
        )
            .into_response();
    }
    let (mut file, mut nik, mut passphrase, mut tampilan) =
        (Vec::new(), String::new(), String::new(), String::new());
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.unwrap().to_vec();
        match name.as_str() {
            "file" => file = bytes,
            "nik" => nik = String::from_utf8(bytes).unwrap(),
            "passphrase" => passphrase = String::from_utf8(bytes).unwrap(),
            "tampilan" => tampilan = String::from_utf8(bytes).unwrap(),
            _ => {}
        }
    }
    if nik != NIK {
        return json_error(AxumStatus::BAD_REQUEST, 2011, "User tidak terdaftar");
    }
    if passphrase != PASSPHRASE {
        return json_error(AxumStatus::BAD_REQUEST, 2031, "Passphrase anda salah");
    }
    assert_eq!(tampilan, "invisible");
    assert!(file.starts_with(b"%PDF-"));
    let signed = tokio::task::spawn_blocking(move || {
        let python = std::env::var("SIGAP_VALIDATORS_PYTHON").unwrap_or_else(|_| "python3".into());
        std::fs::write(dir.join("bsre-in.pdf"), &file).unwrap();
        let out = Command::new(python)
            .args(["-c", PYHANKO_SIGN])
            .arg(&dir)
            .arg(dir.join("bsre-in.pdf"))
            .arg(dir.join("bsre-out.pdf"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read(dir.join("bsre-out.pdf")).unwrap()
    })
    .await
    .unwrap();
    ([("content-type", "application/pdf")], signed).into_response()
}

/// Starts the API-shaped server on a loopback port; answers its base URL.
async fn bsre_server(dir: PathBuf) -> String {
    let router = axum::Router::new()
        .route("/api/sign/pdf", post(sign_pdf))
        .with_state(dir);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

async fn the_configured_signer_signs_through_bsre(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    test_ca(dir.path(), "Nama Ketua Tim");
    // The server signs with pyhanko: without it there is nothing to sign with.
    if pyhanko_python().is_none() {
        return;
    }
    let base = bsre_server(dir.path().to_owned()).await;
    let client = BsreClient::new(&base, CLIENT.0, CLIENT.1).unwrap();
    let Some(app) = app_signing_with(backend, CSIRT, Arc::new(client)).await else {
        return;
    };
    let (n, doc) = minutes(&app).await;
    let id = doc["id"].as_i64().unwrap();
    let secret = enrol(&app, CSIRT).await;
    let code = || {
        app.clock.advance(chrono::TimeDelta::seconds(30));
        totp::code_at(&secret, app.now())
    };

    // BSrE needs the NIK and the passphrase.
    let missing = problem(
        sign(&app, "csirt", id, &json!({"totp": code()})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&missing), ["nik", "passphrase"], "{missing:#}");
    let wrong = json!({"totp": code(), "nik": NIK, "passphrase": WRONG});
    let refused = problem(
        sign(&app, "csirt", id, &wrong).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        refused.to_string().contains("passphrase is wrong (2031"),
        "{refused:#}"
    );
    let unknown = json!({"totp": code(), "nik": "2171999999999999", "passphrase": PASSPHRASE});
    let refused = problem(
        sign(&app, "csirt", id, &unknown).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        refused.to_string().contains("no signing certificate (2011"),
        "{refused:#}"
    );

    let right = json!({"totp": code(), "nik": NIK, "passphrase": PASSPHRASE});
    let (status, copy) = read(sign(&app, "csirt", id, &right).await).await;
    assert_eq!(status, StatusCode::CREATED, "{copy:#}");
    assert_eq!(copy["signature"]["method"], "bsre");
    assert!(
        copy["signature"]["certificate_subject"]
            .as_str()
            .unwrap()
            .contains("Nama Ketua Tim")
    );
    let copy_id = copy["id"].as_i64().unwrap();
    let signed = signed_copy(&app, id, copy_id).await;
    let report = pyhanko(dir.path(), &signed).unwrap();
    eprintln!("pyhanko:\n{report}");
    assert!(
        report.contains("intact True valid True trusted True coverage ENTIRE_FILE"),
        "{report}"
    );

    // The passphrase and the NIK are kept nowhere: not in the audit log, not in the database.
    let log = app.store.list_ticket_audit(&n).await.unwrap();
    let text =
        serde_json::to_string(&log.iter().map(|e| e.details.clone()).collect::<Vec<_>>()).unwrap();
    assert!(
        !text.contains(PASSPHRASE) && !text.contains(WRONG) && !text.contains(NIK),
        "{text}"
    );
    assert!(
        log.iter()
            .any(|e| e.action == "sign_document" && e.outcome == "ok")
    );
    let code = doc["verify_code"].as_str().unwrap();
    let (_, verified) = crate::api::documents::verified(&app, code).await;
    assert_eq!(verified["signatures"][0]["intact"], true, "{verified:#}");
}
