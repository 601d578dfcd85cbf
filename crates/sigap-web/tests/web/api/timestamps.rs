//! PAdES B-T: the local signer with a timestamp authority (`SIGAP_SIGNING_TSA_URL`). The
//! authority is a local HTTP handler that answers RFC 3161 requests with `openssl ts
//! -reply` and a TSA certificate of the test CA; pyhanko validates the signature and its
//! timestamp.

use std::path::{Path, PathBuf};

use axum::body::Bytes;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::post;
use reqwest::StatusCode;
use serde_json::json;
use sigap_app::identity::totp;
use sigap_testkit::{Backend, read};

use crate::api::signing::{
    CSIRT, app_signing_with, enrol, local_signer, minutes, openssl, pyhanko, sign, signed_copy,
    test_ca,
};

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    a_timestamp_authority_makes_the_signature_b_t:
        sqlite_a_timestamp_authority_makes_the_signature_b_t,
        postgres_a_timestamp_authority_makes_the_signature_b_t;
}

const TSA_CONFIG: &str = "\
[ tsa ]
default_tsa = tsa_uji
[ tsa_uji ]
serial = ./tsa.serial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
";

/// A TSA certificate and key under the test CA in `dir`, and the configuration.
fn tsa_certificate(dir: &Path) {
    std::fs::write(dir.join("tsa.cnf"), TSA_CONFIG).unwrap();
    std::fs::write(dir.join("tsa.serial"), "01\n").unwrap();
    std::fs::write(
        dir.join("tsa.ext"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
         extendedKeyUsage=critical,timeStamping\n",
    )
    .unwrap();
    for args in [
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "tsa.key",
            "-out",
            "tsa.csr",
            "-subj",
            "/C=ID/O=Pemerintah Kota Batam/CN=TSA Uji Kota Batam",
        ][..],
        &[
            "x509",
            "-req",
            "-in",
            "tsa.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "tsa.pem",
            "-days",
            "365",
            "-extfile",
            "tsa.ext",
        ],
    ] {
        openssl(dir, args);
    }
}

/// `POST /` with a `TimeStampReq`: the `TimeStampResp` of `openssl ts -reply`.
async fn stamp(State(dir): State<PathBuf>, body: Bytes) -> impl IntoResponse {
    let reply = tokio::task::spawn_blocking(move || {
        std::fs::write(dir.join("request.tsq"), &body).unwrap();
        openssl(
            &dir,
            &[
                "ts",
                "-reply",
                "-config",
                "tsa.cnf",
                "-queryfile",
                "request.tsq",
                "-signer",
                "tsa.pem",
                "-inkey",
                "tsa.key",
                "-chain",
                "ca.pem",
                "-out",
                "reply.tsr",
            ],
        );
        std::fs::read(dir.join("reply.tsr")).unwrap()
    })
    .await
    .unwrap();
    ([("content-type", "application/timestamp-reply")], reply)
}

async fn tsa_server(dir: PathBuf) -> String {
    let router = axum::Router::new().route("/", post(stamp)).with_state(dir);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}/")
}

async fn a_timestamp_authority_makes_the_signature_b_t(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    test_ca(dir.path(), "Nama Ketua Tim");
    tsa_certificate(dir.path());
    let tsa = tsa_server(dir.path().to_owned()).await;
    let stamped = local_signer(dir.path(), Some(tsa));
    let Some(app) = app_signing_with(backend, CSIRT, stamped).await else {
        return;
    };
    let (_, doc) = minutes(&app).await;
    let id = doc["id"].as_i64().unwrap();
    let secret = enrol(&app, CSIRT).await;
    let (status, copy) = read(
        sign(
            &app,
            "csirt",
            id,
            &json!({"totp": totp::code_at(&secret, app.now())}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{copy:#}");
    assert_eq!(copy["signature"]["level"], "B-T");
    let copy_id = copy["id"].as_i64().unwrap();
    let signed = signed_copy(&app, id, copy_id).await;
    if let Some(report) = pyhanko(dir.path(), &signed) {
        eprintln!("pyhanko:\n{report}");
        assert!(
            report.contains("intact True valid True trusted True coverage ENTIRE_FILE"),
            "{report}"
        );
        assert!(
            report.contains("timestamp token") && report.contains("TSA Uji Kota Batam"),
            "{report}"
        );
    }
    let code = doc["verify_code"].as_str().unwrap();
    let (_, verified) = crate::api::documents::verified(&app, code).await;
    assert_eq!(verified["signatures"][0]["level"], "B-T", "{verified:#}");
    assert_eq!(verified["signatures"][0]["intact"], true, "{verified:#}");
}
