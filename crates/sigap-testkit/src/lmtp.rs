//! A real LMTP client for the tests: Python's `smtplib.LMTP`, the standard library's
//! implementation of RFC 2033, as a city's mail server would deliver.

use std::path::Path;
use std::process::{Command, Output};

/// Delivers with Python's `smtplib.LMTP`, reading one answer to DATA per accepted
/// recipient: prints `{"refused": {...}, "data": [codes]}` (recipients refused at RCPT with
/// their code, the distinct answers to DATA) or `{"error": code}` when the whole message
/// was refused.
pub const CLIENT: &str = r#"
import json, smtplib, sys
host, port, sender, rcpts, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4]), sys.argv[5]
data = open(path, "rb").read()
c = smtplib.LMTP(host, port)
c.ehlo_or_helo_if_needed()
code, _ = c.mail(sender)
if code != 250:
    print(json.dumps({"error": code}))
    sys.exit(0)
accepted, refused = [], {}
for r in rcpts:
    code, _ = c.rcpt(r)
    if code == 250:
        accepted.append(r)
    else:
        refused[r] = code
if not accepted:
    print(json.dumps({"error": sorted(set(refused.values()))[0]}))
    sys.exit(0)
# LMTP answers DATA once per accepted recipient (RFC 2033 section 4.2).
code, _ = c.data(data)
codes = [code] + [c.getreply()[0] for _ in accepted[1:]]
c.quit()
if all(x >= 400 for x in codes):
    print(json.dumps({"error": codes[0]}))
else:
    print(json.dumps({"refused": refused, "data": sorted(set(codes))}))
"#;

/// Delivers the message in the file `path` from `sender` to `rcpts` at the LMTP server on
/// `127.0.0.1:port` (blocking). Its standard output is the JSON the script prints; a client
/// that failed (the server went away) exits with an error.
pub fn deliver(port: u16, sender: &str, rcpts: &[String], path: &Path) -> Output {
    let rcpts = serde_json::to_string(rcpts).expect("recipients as JSON");
    Command::new("python3")
        .args(["-c", CLIENT, "127.0.0.1", &port.to_string(), sender, &rcpts])
        .arg(path)
        .output()
        .expect("python3 runs")
}
