//! A report as the public form sends it: a `multipart/form-data` body read part by part as
//! the server reads it (text fields into one object, a repeated field a list; parts named
//! `evidence` or `file` with a file name are files), then the evidence checks and the
//! report's. No input panics; a kept file name is clean; a sniffed type is one sigap
//! accepts; and the report keeps the promises `report_json` checks.
#![no_main]

#[path = "common/report.rs"]
mod report;

use std::convert::Infallible;
use std::future::Future;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use sigap_core::{
    ALLOWED_MEDIA, MAX_NAME_CHARS, clean_name, insert_field, is_bidi_control, is_file_part, sniff,
};

/// The boundary of the seeds (`Content-Type: multipart/form-data; boundary=sigap`).
const BOUNDARY: &str = "sigap";

/// The text fields and the files of a form, or `None` where the server answers 400.
struct Form {
    fields: Map<String, Value>,
    files: Vec<(String, Bytes)>,
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, body)) = data.split_first() else {
        return;
    };
    let Some(form) = block_on(read_form(Bytes::copy_from_slice(body))) else {
        return;
    };
    for value in form.fields.values() {
        let texts = match value {
            Value::Array(items) => items.as_slice(),
            single => std::slice::from_ref(single),
        };
        assert!(texts.iter().all(Value::is_string), "{value:?}");
    }
    for (name, bytes) in &form.files {
        check_name(name);
        check_sniff(bytes);
    }
    report::check(
        &Value::Object(form.fields),
        !form.files.is_empty(),
        flags & 1 == 1,
    );
});

/// Reads the parts as `sigap-web`'s `read_multipart` does (without its size limits).
async fn read_form(body: Bytes) -> Option<Form> {
    let stream = futures_util::stream::once(async move { Ok::<Bytes, Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, BOUNDARY);
    let mut form = Form {
        fields: Map::new(),
        files: Vec::new(),
    };
    while let Some(field) = multipart.next_field().await.ok()? {
        let name = field.name().unwrap_or("").to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.ok()?;
        if is_file_part(&name, file_name.as_deref()) {
            let file_name = file_name.unwrap_or_default();
            if !(bytes.is_empty() && file_name.is_empty()) {
                form.files.push((file_name, bytes));
            }
        } else {
            let text = String::from_utf8(bytes.to_vec()).ok()?;
            insert_field(&mut form.fields, name, text);
        }
    }
    Some(form)
}

/// A cleaned name is a file name (no folder), one line without direction controls, within
/// its length, never blank, and cleaning it again changes nothing.
fn check_name(name: &str) {
    let clean = clean_name(name);
    assert!(!clean.trim().is_empty(), "{name:?}");
    assert!(clean.chars().count() <= MAX_NAME_CHARS, "{name:?}");
    assert!(
        !clean
            .chars()
            .any(|c| matches!(c, '/' | '\\') || c.is_control() || is_bidi_control(c)),
        "{clean:?}"
    );
    assert_eq!(clean_name(&clean), clean);
}

/// A sniffed type is on the allow-list, and "text" is UTF-8 without NUL.
fn check_sniff(bytes: &[u8]) {
    match sniff(bytes) {
        None => {}
        Some("text/plain") => {
            let text = std::str::from_utf8(bytes).expect("text is UTF-8");
            assert!(!text.contains('\0'));
        }
        Some(media) => assert!(ALLOWED_MEDIA.contains(&media), "{media}"),
    }
}

/// Runs a future whose input is all there: nothing it waits for can be pending for long.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}
