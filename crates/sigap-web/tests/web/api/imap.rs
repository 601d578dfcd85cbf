//! The inbox read from a hosted mailbox: a real Dovecot (Debian's `dovecot-imapd`, started
//! by the test on loopback ports with its own configuration, a maildir and a self-signed
//! certificate) holds the CSIRT's mailbox; messages are put there with IMAP APPEND. The
//! reader keeps each unseen message and only then marks it `\Seen` (or moves it to the done
//! folder); a message kept before a restart is not kept twice, two readers on one mailbox
//! keep each message once, IDLE brings a new message at once, and `imaps://` trusts the
//! city's CA file (and nothing else: an unknown certificate or a wrong password reads
//! nothing). On both backends.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use sigap_app::inbox::lmtp::MailDrop;
use sigap_notify::imap::{ImapSource, Keep};
use sigap_testkit::TestApp;

use crate::api::inbox::inbox;

sigap_testkit::on_both_backends! {
    sigap_testkit::spawn_app;
    a_hosted_mailbox_is_read_once: sqlite_a_hosted_mailbox_is_read_once,
        postgres_a_hosted_mailbox_is_read_once;
}

const USER: &str = "csirt";
const PASSWORD: &str = "rahasia-kotak-surat";

/// A Dovecot on two loopback ports (plain and TLS), stopped when dropped.
struct Dovecot {
    process: Child,
    dir: tempfile::TempDir,
    port: u16,
    tls_port: u16,
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts Dovecot, or `None` when it is not installed and not required.
fn dovecot() -> Option<Dovecot> {
    if !Path::new("/usr/sbin/dovecot").exists() {
        assert!(
            std::env::var("SIGAP_REQUIRE_MAIL_SERVER").as_deref() != Ok("1"),
            "dovecot is required (scripts/test installs dovecot-imapd)"
        );
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let run = |cmd: &mut Command| assert!(cmd.status().unwrap().success(), "{cmd:?}");
    run(Command::new("chmod").args(["0755"]).arg(root));
    // A city CA and the mail server's certificate signed by it, as a city with its own CA
    // has them.
    let file = |name: &str| root.join(name);
    run(Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=CA Uji Kota Batam"])
        .arg("-keyout")
        .arg(file("ca.key"))
        .arg("-out")
        .arg(file("ca.pem"))
        .stderr(Stdio::null()));
    run(Command::new("openssl")
        .args([
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
        ])
        .arg("-keyout")
        .arg(file("key.pem"))
        .arg("-out")
        .arg(file("server.csr"))
        .stderr(Stdio::null()));
    std::fs::write(
        file("server.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(Command::new("openssl")
        .args(["x509", "-req", "-days", "2", "-CAcreateserial"])
        .arg("-in")
        .arg(file("server.csr"))
        .arg("-CA")
        .arg(file("ca.pem"))
        .arg("-CAkey")
        .arg(file("ca.key"))
        .arg("-extfile")
        .arg(file("server.ext"))
        .arg("-out")
        .arg(file("cert.pem"))
        .stderr(Stdio::null()));
    std::fs::write(root.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).unwrap();
    for sub in ["mail", "home"] {
        std::fs::create_dir(root.join(sub)).unwrap();
        run(Command::new("chown")
            .args(["mail:mail"])
            .arg(root.join(sub)));
    }
    let (port, tls_port) = (free_port(), free_port());
    std::fs::write(root.join("dovecot.conf"), config(root, port, tls_port)).unwrap();
    let process = Command::new("/usr/sbin/dovecot")
        .arg("-F")
        .arg("-c")
        .arg(root.join("dovecot.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Dovecot {
        process,
        dir,
        port,
        tls_port,
    };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(server);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = std::fs::read_to_string(server.dir.path().join("dovecot.log")).unwrap_or_default();
    panic!("dovecot did not start: {log}");
}

fn config(root: &Path, port: u16, tls_port: u16) -> String {
    let at = |name: &str| root.join(name).display().to_string();
    format!(
        "protocols = imap\nlisten = 127.0.0.1\n\
         base_dir = {run}\nstate_dir = {state}\nlog_path = {log}\n\
         ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}\nssl_dh = </usr/share/dovecot/dh.pem\n\
         disable_plaintext_auth = no\nauth_mechanisms = plain login\n\
         mail_location = maildir:{mail}/%u\nfirst_valid_uid = 8\nfirst_valid_gid = 8\n\
         default_internal_user = dovecot\ndefault_login_user = dovenull\n\
         passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN {passwd}\n}}\n\
         userdb {{\n  driver = static\n  args = uid=mail gid=mail home={home}/%u\n}}\n\
         namespace inbox {{\n  inbox = yes\n  mailbox Selesai {{\n    auto = create\n  }}\n}}\n\
         service imap-login {{\n  inet_listener imap {{\n    port = {port}\n  }}\n\
         inet_listener imaps {{\n    port = {tls_port}\n    ssl = yes\n  }}\n}}\n\
         service stats {{\n  unix_listener stats-reader {{\n    mode = 0600\n  }}\n}}\n",
        run = at("run"),
        state = at("state"),
        log = at("dovecot.log"),
        cert = at("cert.pem"),
        key = at("key.pem"),
        mail = at("mail"),
        passwd = at("passwd"),
        home = at("home"),
    )
}

impl Dovecot {
    fn source(&self, done_folder: Option<&str>) -> ImapSource {
        let url = format!("imap://{USER}@127.0.0.1:{}/INBOX", self.port);
        ImapSource::parse(&url, PASSWORD, done_folder, None).unwrap()
    }

    fn tls_source(&self) -> ImapSource {
        let url = format!("imaps://{USER}@localhost:{}/INBOX", self.tls_port);
        let ca: PathBuf = self.dir.path().join("ca.pem");
        ImapSource::parse(&url, PASSWORD, None, Some(ca)).unwrap()
    }

    /// A session as a mail client would open one.
    async fn session(&self) -> async_imap::Session<tokio::net::TcpStream> {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .unwrap();
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.unwrap();
        client
            .login(USER, PASSWORD)
            .await
            .map_err(|(e, _)| e)
            .unwrap()
    }

    /// Puts a message in `mailbox`, unseen.
    async fn append(&self, mailbox: &str, message: &[u8]) {
        let mut session = self.session().await;
        session.append(mailbox, None, None, message).await.unwrap();
        session.logout().await.unwrap();
    }

    /// How many messages `mailbox` holds, and how many of them are unseen.
    async fn count(&self, mailbox: &str) -> (usize, usize) {
        let mut session = self.session().await;
        session.select(mailbox).await.unwrap();
        let all = session.uid_search("ALL").await.unwrap().len();
        let unseen = session.uid_search("UNSEEN").await.unwrap().len();
        session.logout().await.unwrap();
        (all, unseen)
    }
}

fn message(n: usize) -> Vec<u8> {
    format!(
        "From: Pelapor {n} <pelapor{n}@example.com>\r\nTo: csirt@batam.go.id\r\n\
         Message-ID: <imap-{n}@example.com>\r\nSubject: Laporan nomor {n}\r\n\r\n\
         Target: https://portal{n}.batam.go.id/\r\n"
    )
    .into_bytes()
}

async fn items(app: &TestApp) -> Vec<serde_json::Value> {
    let (_, all) = inbox(app, "helpdesk", "?show=all").await;
    all.as_array().cloned().unwrap_or_default()
}

async fn a_hosted_mailbox_is_read_once(app: TestApp) {
    let Some(server) = dovecot() else {
        return;
    };
    let keep: Arc<dyn Keep> = Arc::new(MailDrop {
        app: app.app.clone(),
    });
    server.append("INBOX", &message(1)).await;
    server.append("INBOX", &message(2)).await;
    let source = server.source(None);
    assert_eq!(source.read_once(keep.as_ref()).await.unwrap(), 2);
    assert_eq!(
        server.count("INBOX").await,
        (2, 0),
        "kept, then marked seen"
    );
    let kept = items(&app).await;
    assert_eq!(kept.len(), 2);
    assert!(
        kept.iter()
            .all(|m| m["via"] == "imap" && m["status"] == "new")
    );
    assert_eq!(source.read_once(keep.as_ref()).await.unwrap(), 0);

    // Kept before a restart, not yet marked: read again, not kept twice.
    server.append("INBOX", &message(3)).await;
    let (_, unseen) = server.count("INBOX").await;
    assert_eq!(unseen, 1);
    let uid = {
        let mut session = server.session().await;
        let mailbox = session.select("INBOX").await.unwrap();
        let uids = session.uid_search("UNSEEN").await.unwrap();
        let uid = *uids.iter().next().unwrap();
        session.logout().await.unwrap();
        format!("{}:{}:{uid}", source.name(), mailbox.uid_validity.unwrap())
    };
    let to = ["csirt@batam.go.id".to_owned()];
    sigap_app::inbox::receive::receive(
        &app.app,
        sigap_app::inbox::receive::Received {
            via: "imap",
            envelope_from: "",
            recipients: &to,
            raw: &message(3),
            mailbox_uid: Some(&uid),
        },
    )
    .await
    .unwrap();
    assert_eq!(source.read_once(keep.as_ref()).await.unwrap(), 1);
    assert_eq!(items(&app).await.len(), 3);
    assert_eq!(server.count("INBOX").await, (3, 0));

    // Two readers on one mailbox: each message once.
    for n in 4..9 {
        server.append("INBOX", &message(n)).await;
    }
    let (a, b) = (server.source(None), server.source(None));
    let (one, two) = tokio::join!(a.read_once(keep.as_ref()), b.read_once(keep.as_ref()));
    assert!(one.unwrap() + two.unwrap() >= 5);
    assert_eq!(items(&app).await.len(), 8);
    assert_eq!(server.count("INBOX").await, (8, 0));

    // A server whose certificate nobody vouches for, or a wrong password: nothing is read.
    let url = format!("imaps://{USER}@localhost:{}/INBOX", server.tls_port);
    let untrusted = ImapSource::parse(&url, PASSWORD, None, None).unwrap();
    let refused = untrusted.read_once(keep.as_ref()).await.unwrap_err();
    assert!(refused.contains("certificate"), "{refused}");
    let url = format!("imap://{USER}@127.0.0.1:{}/INBOX", server.port);
    let wrong = ImapSource::parse(&url, "salah", None, None).unwrap();
    let refused = wrong.read_once(keep.as_ref()).await.unwrap_err();
    assert!(refused.contains("sign-in refused"), "{refused}");

    // Over TLS, trusting the city's CA file; moved to the done folder when one is set.
    server.append("INBOX", &message(9)).await;
    assert_eq!(
        server.tls_source().read_once(keep.as_ref()).await.unwrap(),
        1
    );
    server.append("INBOX", &message(10)).await;
    let moving = server.source(Some("Selesai"));
    assert_eq!(moving.read_once(keep.as_ref()).await.unwrap(), 1);
    assert_eq!(server.count("Selesai").await.0, 1);
    assert_eq!(server.count("INBOX").await, (9, 0));

    // Waiting with IDLE: a new message is kept at once, not after the minute's poll.
    let reader = tokio::spawn(server.source(None).run(keep.clone()));
    tokio::time::sleep(Duration::from_millis(500)).await;
    server.append("INBOX", &message(11)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while items(&app).await.len() < 11 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "IDLE brought nothing"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    reader.abort();
    let subjects: Vec<String> = items(&app)
        .await
        .iter()
        .map(|m| m["subject"].as_str().unwrap().to_owned())
        .collect();
    for n in 1..12 {
        let subject = format!("Laporan nomor {n}");
        assert_eq!(
            subjects.iter().filter(|s| **s == subject).count(),
            1,
            "{subject}"
        );
    }
}
