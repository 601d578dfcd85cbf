//! Signing from sigap (documents::signing): the configured signer of the validation
//! minutes signs them with the local PAdES signer of a test CA made here with the openssl
//! command; the signed copy is validated by pyhanko (intact, valid, trusted to the test
//! CA, covering the whole file), kept beside the original, and shown on `/verify/{code}`.
//! Every refusal (another user, no authenticator, a missing or wrong code, a second
//! signature) is answered with a Problem and audited.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sigap_app::documents::config::{DocumentConfig, no_files};
use sigap_app::documents::signing::Signer;
use sigap_app::documents::signing::local::LocalSigner;
use sigap_app::identity::totp;
use sigap_testkit::{Backend, TestApp, error_fields, number, problem, read, valid_report};

use crate::api::documents::{documents, verified};

sigap_testkit::on_both_backends! {
    sigap_testkit::backend;
    the_configured_signer_signs_with_the_local_signer:
        sqlite_the_configured_signer_signs_with_the_local_signer,
        postgres_the_configured_signer_signs_with_the_local_signer;
}

pub(crate) const P12_PASSWORD: &str = "kata-sandi-uji";
pub(crate) const CSIRT: &str = "csirt@kominfo.batam.go.id";

/// Runs openssl in `dir`.
pub(crate) fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A test CA (`ca.pem`) and a signer's certificate and key under it in `signer.p12`
/// (with [`P12_PASSWORD`]), made in `dir`; `name` is the signer's common name.
pub(crate) fn test_ca(dir: &Path, name: &str) {
    std::fs::write(
        dir.join("signer.ext"),
        "basicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature,nonRepudiation\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "3650",
            "-subj",
            "/C=ID/O=Pemerintah Kota Batam/CN=CA Uji Kota Batam",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    let subject = format!("/C=ID/O=Dinas Komunikasi dan Informatika Kota Batam/CN={name}");
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "signer.key",
            "-out",
            "signer.csr",
            "-subj",
            &subject,
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "signer.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "signer.pem",
            "-days",
            "365",
            "-extfile",
            "signer.ext",
        ],
    );
    openssl(
        dir,
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "signer.key",
            "-in",
            "signer.pem",
            "-certfile",
            "ca.pem",
            "-out",
            "signer.p12",
            "-passout",
            &format!("pass:{P12_PASSWORD}"),
        ],
    );
}

/// The settings that make `user` the signer of the validation minutes, as the head of the
/// team.
fn signer_settings(user: &str) -> Arc<DocumentConfig> {
    let settings = format!(
        r#"
[[signers.ba_validation]]
position = "Ketua Tim BATAM-CSIRT"
name = "Nama Ketua Tim"
rank = "Pembina (IV/a)"
nip = "197505052000031002"
user = "{user}"
"#
    );
    Arc::new(DocumentConfig::from_toml(&settings, &no_files).unwrap())
}

/// An app whose validation minutes `user` signs with `signer`.
pub(crate) async fn app_signing_with(
    backend: Backend,
    user: &str,
    signer: Arc<dyn Signer>,
) -> Option<TestApp> {
    sigap_testkit::spawn_app_with(backend, |start| {
        start.policy.documents = signer_settings(user);
        start.rules.signer = Some(signer);
    })
    .await
}

/// The local signer of `signer.p12` in `dir` (see [`test_ca`]), stamped by `tsa` when set.
pub(crate) fn local_signer(dir: &Path, tsa: Option<String>) -> Arc<dyn Signer> {
    let p12 = std::fs::read(dir.join("signer.p12")).unwrap();
    Arc::new(LocalSigner::from_pkcs12(&p12, P12_PASSWORD, tsa).unwrap())
}

/// An app whose validation minutes the csirt test user signs with the local signer of `dir`.
pub(crate) async fn app_with_signer(backend: Backend, dir: &Path) -> Option<TestApp> {
    app_signing_with(backend, CSIRT, local_signer(dir, None)).await
}

/// The signed copy `copy_id` of document `id`, as the csirt test user downloads it.
pub(crate) async fn signed_copy(app: &TestApp, id: i64, copy_id: i64) -> Vec<u8> {
    let path = format!("/api/v1/documents/{id}/signed/{copy_id}");
    app.download("csirt", &path).await
}

/// Enrols an authenticator for `email` straight in the store; answers its secret.
pub(crate) async fn enrol(app: &TestApp, email: &str) -> Vec<u8> {
    let user = app.store.find_user(email).await.unwrap().unwrap();
    let secret = totp::new_secret();
    let sealed = app.app.rules.secret_key.seal(user.id, &secret).unwrap();
    let now = app.now();
    let at = now.timestamp_millis();
    let mut tx = app.store.begin().await.unwrap();
    tx.put_pending_totp(user.id, &sealed, at).await.unwrap();
    assert!(
        tx.enable_totp(user.id, totp::step_at(now) - 4, at)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    secret
}

pub(crate) async fn sign(app: &TestApp, role: &str, id: i64, body: &Value) -> reqwest::Response {
    app.post(role, &format!("/api/v1/documents/{id}/sign"), body)
        .await
}

/// The validation minutes of a new ticket: its number and the document.
pub(crate) async fn minutes(app: &TestApp) -> (String, Value) {
    app.submit_ok(&valid_report()).await;
    let n = number(1);
    app.act(
        "csirt",
        &n,
        "validate",
        &sigap_testkit::bodies::validate(None),
    )
    .await;
    let doc = documents(app, &n)
        .await
        .into_iter()
        .find(|d| d["kind"] == "ba_validation")
        .unwrap();
    (n, doc)
}

/// The Python with pyhanko (scripts/test makes one); `None` skips, unless the validators
/// are required (see `validators` in exports.rs).
pub(crate) fn pyhanko_python() -> Option<String> {
    let python = std::env::var("SIGAP_VALIDATORS_PYTHON").unwrap_or_else(|_| "python3".into());
    let found = Command::new(&python)
        .args(["-c", "import pyhanko"])
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var("SIGAP_REQUIRE_VALIDATORS").as_deref() != Ok("1")
                && std::env::var("SIGAP_VALIDATORS_PYTHON").is_err(),
            "pyhanko is required ({python})"
        );
        eprintln!("signature validation skipped: no pyhanko");
        return None;
    }
    Some(python)
}

/// What pyhanko says of the signatures of `pdf`, trusting `ca.pem` only; `None` when
/// pyhanko is not installed.
pub(crate) fn pyhanko(dir: &Path, pdf: &[u8]) -> Option<String> {
    let python = pyhanko_python()?;
    let path = dir.join("signed.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(&python)
        .args(["-c", PYHANKO_CHECK])
        .arg(&path)
        .arg(dir.join("ca.pem"))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "pyhanko refused the signature:\n{text}"
    );
    Some(text)
}

/// Validates every signature with only the test CA trusted; the last must be intact,
/// valid, trusted and cover the entire file, the earlier ones their revision.
const PYHANKO_CHECK: &str = r#"
import sys
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

context = ValidationContext(trust_roots=[load_cert_from_pemder(sys.argv[2])])
with open(sys.argv[1], "rb") as f:
    signatures = PdfFileReader(f).embedded_signatures
    assert signatures, "no signature"
    for index, signature in enumerate(signatures):
        status = validate_pdf_signature(signature, context)
        last = index == len(signatures) - 1
        print(signature.field_name, "intact", status.intact, "valid", status.valid,
              "trusted", status.trusted, "coverage", status.coverage.name,
              "modifications", status.modification_level.name,
              "subfilter", signature.sig_object["/SubFilter"])
        assert status.bottom_line, status.pretty_print_details()
        assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE or not last
        assert str(signature.sig_object["/SubFilter"]) == "/ETSI.CAdES.detached"
    print(status.pretty_print_details())
"#;

async fn the_configured_signer_signs_with_the_local_signer(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    test_ca(dir.path(), "Nama Ketua Tim");
    let Some(app) = app_with_signer(backend, dir.path()).await else {
        return;
    };
    let (n, doc) = minutes(&app).await;
    let id = doc["id"].as_i64().unwrap();

    // Refusals: another staff member, a user who cannot see it, no authenticator yet.
    problem(
        sign(&app, "helpdesk", id, &json!({"totp": "123456"})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        sign(&app, "system_owner", id, &json!({"totp": "123456"})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let none = problem(
        sign(&app, "csirt", id, &json!({"totp": "123456"})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(
        none["detail"].as_str().unwrap().contains("authenticator"),
        "{none:#}"
    );
    let secret = enrol(&app, CSIRT).await;
    let missing = problem(
        sign(&app, "csirt", id, &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&missing), ["totp"], "{missing:#}");
    let right = totp::code_at(&secret, app.now());
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let refused = problem(
        sign(&app, "csirt", id, &json!({"totp": wrong})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&refused), ["totp"], "{refused:#}");
    assert_eq!(
        documents(&app, &n)
            .await
            .iter()
            .find(|d| d["id"] == id)
            .unwrap()["signed_copies"],
        json!([])
    );

    let (status, copy) = read(sign(&app, "csirt", id, &json!({"totp": right})).await).await;
    assert_eq!(status, StatusCode::CREATED, "{copy:#}");
    assert_eq!(copy["signature"]["method"], "local");
    assert_eq!(copy["signature"]["level"], "B-B");
    assert_eq!(copy["signature"]["signer"], CSIRT);
    assert!(
        copy["signature"]["certificate_subject"]
            .as_str()
            .unwrap()
            .contains("Nama Ketua Tim")
    );
    assert!(
        copy["signature"]["certificate_issuer"]
            .as_str()
            .unwrap()
            .contains("CA Uji Kota Batam")
    );

    // The signed PDF is the original with a signature appended: the original stays.
    let copy_id = copy["id"].as_i64().unwrap();
    let original = app
        .download("csirt", &format!("/api/v1/documents/{id}"))
        .await;
    let signed = signed_copy(&app, id, copy_id).await;
    assert_eq!(hex::encode(Sha256::digest(&original)), doc["sha256"]);
    assert_eq!(hex::encode(Sha256::digest(&signed)), copy["sha256"]);
    assert!(signed.len() > original.len() && signed.starts_with(&original));
    if let Some(report) = pyhanko(dir.path(), &signed) {
        eprintln!("pyhanko:\n{report}");
        assert!(
            report.contains("intact True valid True trusted True coverage ENTIRE_FILE"),
            "{report}"
        );
    }

    // A second signature of the same signer is a conflict, even with a fresh code.
    app.clock.advance(chrono::TimeDelta::minutes(1));
    let again = totp::code_at(&secret, app.now());
    problem(
        sign(&app, "csirt", id, &json!({"totp": again})).await,
        StatusCode::CONFLICT,
    )
    .await;

    // The verification page shows the signature, checked, and nothing of the reporter.
    let code = doc["verify_code"].as_str().unwrap();
    let (status, verified) = verified(&app, code).await;
    assert_eq!(status, StatusCode::OK);
    let signature = &verified["signatures"][0];
    assert_eq!(signature["intact"], true, "{verified:#}");
    assert_eq!(signature["level"], "B-B");
    assert_eq!(signature["sha256"], copy["sha256"]);
    let text = verified.to_string();
    assert!(
        !text.contains("Budi") && !text.contains("budi.santoso") && !text.contains(CSIRT),
        "{text}"
    );
    let page = app
        .client
        .get(app.url(&format!("/verify/{code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Tanda tangan utuh") && page.contains("CA Uji Kota Batam"),
        "{page}"
    );

    // Every refusal was audited, and the signature.
    let outcomes = app.audit_outcomes(&n, "sign_document").await;
    assert_eq!(
        outcomes.iter().filter(|o| *o == "ok").count(),
        1,
        "{outcomes:?}"
    );
    assert!(
        outcomes.iter().filter(|o| *o != "ok").count() >= 5,
        "{outcomes:?}"
    );
    let log = app.store.list_ticket_audit(&n).await.unwrap();
    let entry = log
        .iter()
        .find(|e| e.action == "sign_document" && e.outcome == "ok")
        .unwrap();
    assert!(
        entry
            .details
            .to_string()
            .contains(copy["sha256"].as_str().unwrap())
    );
}

#[test]
fn a_wrong_pkcs12_password_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    test_ca(dir.path(), "Nama Ketua Tim");
    let p12 = std::fs::read(dir.path().join("signer.p12")).unwrap();
    let error = LocalSigner::from_pkcs12(&p12, "salah", None).unwrap_err();
    assert!(error.contains("wrong password"), "{error}");
    let error = LocalSigner::from_pkcs12(b"not a pkcs12 file", P12_PASSWORD, None).unwrap_err();
    assert!(error.contains("PKCS#12"), "{error}");
}
