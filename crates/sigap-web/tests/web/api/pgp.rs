//! Encrypted and signed mail to the CSIRT, made by GnuPG (Debian's `gnupg`, a real mail
//! client's OpenPGP engine) and delivered over LMTP by Python's smtplib: PGP/MIME encrypted
//! and signed with a protected subject, a template and a PNG inside (opened, read, the
//! signature good by the key its `Autocrypt` header sent); inline PGP encrypted (BZIP2
//! compressed) and signed by an agency key the CSIRT knows (RSA); PGP/MIME signed only, by a key unknown, by the key
//! sent, and altered after signing (bad); clear-signed inline text; and mail encrypted to
//! another key (kept, marked, nothing read). The public key is served at `/pgp-key.txt`
//! and named in security.txt; GnuPG imports it and finds the same fingerprint. A key file
//! with a wrong passphrase or without a secret key is refused with what is wrong.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use data_encoding::{BASE64, BASE64_MIME};
use reqwest::StatusCode;
use serde_json::Value;
use sigap_app::inbox::pgp::PgpKeys;
use sigap_testkit::TestApp;

use crate::api::inbox::{inbox, item, lmtp, png};

sigap_testkit::on_both_backends! {
    |backend| sigap_testkit::spawn_app_with(backend, |s: &mut sigap_testkit::Start| {
        let made = made();
        let keys = PgpKeys::load(&made.secret, PASSPHRASE, &made.known).expect("the key loads");
        s.rules.mail_in.pgp = Some(Arc::new(keys));
    });
    encrypted_and_signed_mail_is_opened_and_judged:
        sqlite_encrypted_and_signed_mail_is_opened_and_judged,
        postgres_encrypted_and_signed_mail_is_opened_and_judged;
}

const PASSPHRASE: &str = "kunci rahasia BATAM-CSIRT";
const CSIRT: &str = "csirt@batam.go.id";
const REPORTER: &str = "budi.santoso@example.com";
const AGENCY: &str = "disdik@batam.go.id";
const STRANGER: &str = "orang.lain@example.net";

/// What GnuPG made once for every test of the process.
struct Made {
    /// The CSIRT's secret key, armored, protected by [`PASSPHRASE`].
    secret: Vec<u8>,
    /// The agency's public key (the CSIRT's known keys).
    known: Vec<u8>,
    csirt_fpr: String,
    reporter_fpr: String,
    /// The reporter's public key, binary (an `Autocrypt` header's keydata).
    reporter_key: Vec<u8>,
    /// PGP/MIME: the entity encrypted to the CSIRT and signed by the reporter.
    mime_encrypted: String,
    /// Inline: a text encrypted to the CSIRT and signed by the agency.
    inline_encrypted: String,
    /// Encrypted to the stranger only.
    other_key: String,
    /// The entity the reporter signs, and its detached signature.
    signed_entity: String,
    signature: String,
    /// A text clear-signed by the agency.
    clearsigned: String,
}

fn gpg(home: &Path, args: &[&str], input: Option<&Path>) -> Vec<u8> {
    let mut command = Command::new("gpg");
    command
        .env("GNUPGHOME", home)
        .args([
            "--batch",
            "--yes",
            "--no-tty",
            "--pinentry-mode",
            "loopback",
        ])
        .args(["--trust-model", "always"])
        .args(args);
    if let Some(input) = input {
        command.arg(input);
    }
    let output = command.output().expect("gpg runs (Debian's gnupg)");
    assert!(
        output.status.success(),
        "gpg {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn fingerprint(home: &Path, who: &str) -> String {
    let listing = gpg(home, &["--with-colons", "--fingerprint", who], None);
    String::from_utf8(listing)
        .unwrap()
        .lines()
        .find_map(|l| {
            l.strip_prefix("fpr:")
                .map(|r| r.trim_matches(':').to_owned())
        })
        .expect("a fingerprint")
}

fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

fn made() -> &'static Made {
    static MADE: OnceLock<Made> = OnceLock::new();
    MADE.get_or_init(make)
}

fn make() -> Made {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("g");
    std::fs::create_dir(&home).unwrap();
    std::fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let home = home.as_path();
    let new_key = |uid: &str, algo: &str, usage: &str, pass: &str| {
        gpg(
            home,
            &[
                "--passphrase",
                pass,
                "--quick-gen-key",
                uid,
                algo,
                usage,
                "never",
            ],
            None,
        );
    };
    new_key(
        "BATAM-CSIRT <csirt@batam.go.id>",
        "future-default",
        "default",
        PASSPHRASE,
    );
    new_key(
        "Budi Santoso <budi.santoso@example.com>",
        "future-default",
        "default",
        "",
    );
    new_key(
        "Disdik Kota Batam <disdik@batam.go.id>",
        "rsa3072",
        "sign",
        "",
    );
    new_key(
        "Orang Lain <orang.lain@example.net>",
        "future-default",
        "default",
        "",
    );
    let file = |name: &str, text: &str| -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let inner = crlf(&format!(
        "Content-Type: multipart/mixed; boundary=\"in1\"; protected-headers=\"v1\"\n\
         Subject: Laporan SQL injection PPDB\nFrom: Budi Santoso <{REPORTER}>\n\n\
         --in1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n\
         Nama: Budi Santoso\nJudul: SQL injection pada PPDB\nTarget: https://ppdb.batam.go.id/daftar\n\
         CWE: CWE-89\nTingkat keparahan: tinggi\nBukti: pesan galat basis data tampil\n\n\
         --in1\nContent-Type: image/png; name=bukti.png\nContent-Disposition: attachment; filename=bukti.png\n\
         Content-Transfer-Encoding: base64\n\n{}\n--in1--\n",
        BASE64_MIME.encode(&png())
    ));
    let sign_encrypt = |signer: &str, compress: &str, path: &Path| {
        let out = gpg(
            home,
            &[
                "--armor",
                "--sign",
                "--encrypt",
                "--compress-algo",
                compress,
                "-u",
                signer,
                "-r",
                CSIRT,
                "-o",
                "-",
            ],
            Some(path),
        );
        String::from_utf8(out).unwrap()
    };
    let mime_encrypted = sign_encrypt(REPORTER, "zlib", &file("inner.eml", &inner));
    let inline_encrypted = sign_encrypt(
        AGENCY,
        "bzip2",
        &file(
            "inline.txt",
            "Kerentanan PPDB sudah ditutup pada 12.00 WIB.\n",
        ),
    );
    let other_key = String::from_utf8(gpg(
        home,
        &["--armor", "--encrypt", "-r", STRANGER, "-o", "-"],
        Some(&file("other.txt", "Rahasia untuk orang lain.\n")),
    ))
    .unwrap();
    let signed_entity =
        crlf("Content-Type: text/plain; charset=utf-8\n\nTeks laporan yang ditandatangani.\n");
    let signature = String::from_utf8(gpg(
        home,
        &["--armor", "--detach-sign", "-u", REPORTER, "-o", "-"],
        Some(&file("signed.eml", &signed_entity)),
    ))
    .unwrap();
    let clearsigned = String::from_utf8(gpg(
        home,
        &["--clearsign", "-u", AGENCY, "-o", "-"],
        Some(&file("clear.txt", "Laporan status: sudah diperbaiki.\n")),
    ))
    .unwrap();
    let secret = gpg(
        home,
        &[
            "--passphrase",
            PASSPHRASE,
            "--armor",
            "--export-secret-keys",
            CSIRT,
        ],
        None,
    );
    let made = Made {
        secret,
        known: gpg(home, &["--armor", "--export", AGENCY], None),
        csirt_fpr: fingerprint(home, CSIRT),
        reporter_fpr: fingerprint(home, REPORTER),
        reporter_key: gpg(home, &["--export", REPORTER], None),
        mime_encrypted,
        inline_encrypted,
        other_key,
        signed_entity,
        signature,
        clearsigned,
    };
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", home)
        .args(["--kill", "all"])
        .status();
    made
}

/// An `Autocrypt` header carrying the reporter's key, folded.
fn autocrypt(made: &Made) -> String {
    let data = BASE64.encode(&made.reporter_key);
    let folded: Vec<&str> = data
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "Autocrypt: addr={REPORTER}; keydata=\r\n {}\r\n",
        folded.join("\r\n ")
    )
}

fn head(from: &str, id: &str, subject: &str, extra: &str) -> String {
    format!(
        "From: {from}\r\nTo: {CSIRT}\r\nSubject: {subject}\r\nMessage-ID: <{id}@example.com>\r\n\
         MIME-Version: 1.0\r\n{extra}"
    )
}

fn encrypted(from: &str, id: &str, extra: &str, armored: &str) -> Vec<u8> {
    format!(
        "{}Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"enc1\"\r\n\r\n\
         This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n--enc1\r\n\
         Content-Type: application/pgp-encrypted\r\nContent-Description: PGP/MIME version identification\r\n\r\n\
         Version: 1\r\n\r\n--enc1\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\
         Content-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n{}\r\n--enc1--\r\n",
        head(from, id, "...", extra),
        crlf(armored).trim_end()
    )
    .into_bytes()
}

fn signed(id: &str, extra: &str, entity: &str, signature: &str) -> Vec<u8> {
    format!(
        "{}Content-Type: multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\"; boundary=\"sig1\"\r\n\r\n\
         This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n--sig1\r\n{entity}\r\n--sig1\r\n\
         Content-Type: application/pgp-signature; name=\"OpenPGP_signature.asc\"\r\n\
         Content-Disposition: attachment; filename=\"OpenPGP_signature.asc\"\r\n\r\n{}\r\n--sig1--\r\n",
        head(REPORTER, id, &format!("Laporan bertanda tangan {id}"), extra),
        crlf(signature).trim_end()
    )
    .into_bytes()
}

fn plain(from: &str, id: &str, text: &str) -> Vec<u8> {
    format!(
        "{}Content-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
        head(from, id, &format!("Surel {id}"), ""),
        crlf(text)
    )
    .into_bytes()
}

/// Each inbox item by the Message-ID it was sent with.
async fn by_id(app: &TestApp) -> std::collections::HashMap<String, Value> {
    let (status, all) = inbox(app, "helpdesk", "?show=all").await;
    assert_eq!(status, StatusCode::OK);
    let mut items = std::collections::HashMap::new();
    for listed in all.as_array().unwrap() {
        let full = item(app, listed["id"].as_i64().unwrap()).await;
        let id = full["message_id"].as_str().unwrap().to_owned();
        items.insert(id.trim_end_matches("@example.com").to_owned(), full);
    }
    items
}

fn pgp_of(item: &Value) -> (String, String, String) {
    let field = |k: &str| item["pgp"][k].as_str().unwrap_or("-").to_owned();
    (field("encryption"), field("signature"), field("signer_key"))
}

async fn encrypted_and_signed_mail_is_opened_and_judged(app: TestApp) {
    let made = made();
    let server = lmtp(&app, 35 * 1024 * 1024).await;
    let with_key = autocrypt(made);
    let tampered = made.signed_entity.replace("Teks laporan", "Teks palsu");
    let messages = [
        encrypted(REPORTER, "pgp-mime", &with_key, &made.mime_encrypted),
        plain(
            AGENCY,
            "pgp-inline",
            &format!("Yth. CSIRT,\n\n{}", made.inline_encrypted),
        ),
        encrypted(STRANGER, "pgp-other", "", &made.other_key),
        signed("sig-unknown", "", &made.signed_entity, &made.signature),
        signed("sig-sent", &with_key, &made.signed_entity, &made.signature),
        signed("sig-bad", &with_key, &tampered, &made.signature),
        plain(AGENCY, "clearsigned", &made.clearsigned),
    ];
    for message in &messages {
        server.deliver_ok(message).await;
    }
    let items = by_id(&app).await;
    let get = |id: &str| items.get(id).unwrap_or_else(|| panic!("{id}: {items:#?}"));

    // PGP/MIME, encrypted and signed: read as if it had come in the clear.
    let mime = get("pgp-mime");
    assert_eq!(
        pgp_of(mime),
        ("decrypted".into(), "good".into(), "sent".into()),
        "{mime:#}"
    );
    assert_eq!(mime["pgp"]["signer"], made.reporter_fpr.as_str());
    assert_eq!(
        mime["pgp"]["signer_user"],
        "Budi Santoso <budi.santoso@example.com>"
    );
    assert_eq!(
        mime["subject"], "Laporan SQL injection PPDB",
        "the protected subject"
    );
    assert!(
        mime["text"]
            .as_str()
            .unwrap()
            .contains("SQL injection pada PPDB")
    );
    assert!(mime["fields"].to_string().contains("CWE-89"), "{mime:#}");
    let files = mime["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{files:#?}");
    assert_eq!(
        (&files[0]["name"], &files[0]["media_type"]),
        (&Value::from("bukti.png"), &Value::from("image/png"))
    );
    // The raw message stays as it arrived: encrypted.
    let raw = crate::api::inbox::get_as(
        &app,
        "helpdesk",
        &format!("/api/v1/inbox/{}/raw", mime["id"]),
    )
    .await
    .bytes()
    .await
    .unwrap();
    assert_eq!(raw.as_ref(), messages[0].as_slice());

    // Inline, encrypted and signed by a key the CSIRT knows (RSA).
    let inline = get("pgp-inline");
    assert_eq!(
        pgp_of(inline),
        ("decrypted".into(), "good".into(), "known".into())
    );
    assert_eq!(
        inline["pgp"]["signer_user"],
        "Disdik Kota Batam <disdik@batam.go.id>"
    );
    let text = inline["text"].as_str().unwrap();
    assert!(
        text.contains("Yth. CSIRT") && text.contains("sudah ditutup"),
        "{text}"
    );
    assert!(!text.contains("BEGIN PGP"), "{text}");

    // Encrypted to another key: kept, marked, nothing read, waiting for the desk.
    let other = get("pgp-other");
    assert_eq!(pgp_of(other).0, "undecryptable");
    assert!(
        other["pgp"]["error"]
            .as_str()
            .unwrap()
            .contains("another key"),
        "{other:#}"
    );
    assert_eq!(
        (&other["text"], &other["status"]),
        (&Value::from(""), &Value::from("new"))
    );
    assert!(other["attachments"].as_array().unwrap().is_empty());

    // Signed only: unknown key, the key sent, altered after signing.
    let unknown = get("sig-unknown");
    assert_eq!(
        pgp_of(unknown),
        ("none".into(), "unknown_key".into(), "-".into())
    );
    assert_eq!(unknown["pgp"]["signer"], made.reporter_fpr.as_str());
    assert_eq!(unknown["text"], "Teks laporan yang ditandatangani.");
    assert!(
        unknown["attachments"].as_array().unwrap().is_empty(),
        "no signature file"
    );
    assert_eq!(
        pgp_of(get("sig-sent")),
        ("none".into(), "good".into(), "sent".into())
    );
    let bad = get("sig-bad");
    assert_eq!(pgp_of(bad).1, "bad", "{bad:#}");
    assert_eq!(bad["text"], "Teks palsu yang ditandatangani.");

    // Clear-signed inline by the known agency key: the text without its armour.
    let clear = get("clearsigned");
    assert_eq!(
        pgp_of(clear),
        ("none".into(), "good".into(), "known".into())
    );
    assert_eq!(clear["text"], "Laporan status: sudah diperbaiki.");

    served_key(&app, made).await;
}

/// The public key at `/pgp-key.txt`, named in security.txt, is the CSIRT's for GnuPG too.
async fn served_key(app: &TestApp, made: &Made) {
    let text = app
        .get(None, "/.well-known/security.txt")
        .await
        .text()
        .await
        .unwrap();
    let line = format!("Encryption: {}/pgp-key.txt", app.base_url);
    assert!(text.lines().any(|l| l == line), "{text}");
    let response = app.get(None, "/pgp-key.txt").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pgp-keys");
    let key = response.bytes().await.unwrap();
    assert!(!String::from_utf8_lossy(&key).contains("PRIVATE KEY"));
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("g");
    std::fs::create_dir(&home).unwrap();
    std::fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let path = dir.path().join("key.asc");
    std::fs::write(&path, &key).unwrap();
    gpg(&home, &["--import"], Some(&path));
    assert_eq!(fingerprint(&home, CSIRT), made.csirt_fpr);
    assert!(
        String::from_utf8(gpg(&home, &["--list-secret-keys"], None))
            .unwrap()
            .trim()
            .is_empty()
    );
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", &home)
        .args(["--kill", "all"])
        .status();
}

#[test]
fn an_unusable_key_file_says_what_is_wrong() {
    let made = made();
    let wrong = PgpKeys::load(&made.secret, "salah", b"").unwrap_err();
    assert!(wrong.contains("passphrase"), "{wrong}");
    let public = PgpKeys::load(&made.known, "", b"").unwrap_err();
    assert!(public.contains("no OpenPGP secret key"), "{public}");
    let garbage = PgpKeys::load(&made.secret, PASSPHRASE, b"not a key").unwrap_err();
    assert!(garbage.contains("known keys"), "{garbage}");
    let keys = PgpKeys::load(&made.secret, PASSPHRASE, &made.known).unwrap();
    assert_eq!(keys.fingerprint(), made.csirt_fpr);
}
