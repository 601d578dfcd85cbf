//! A report as the API receives it, any JSON body, from the public or from staff, with or
//! without files: no input panics, every refusal names a field of the report, and an
//! accepted report keeps its fields' promises and reads back to itself when sent again.
#![no_main]

#[path = "common/report.rs"]
mod report;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, json)) = data.split_first() else {
        return;
    };
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(json) else {
        return;
    };
    report::check(&body, flags & 1 == 1, flags & 2 == 2);
});
