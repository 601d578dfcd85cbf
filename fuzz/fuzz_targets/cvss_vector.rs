//! CVSS 3.1 and 4.0 vectors as a reporter types them: no input panics, and a scored vector
//! has a score from 0.0 to 10.0 that its printed vector scores again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigap_core::score_vector;

fuzz_target!(|text: &str| {
    if let Ok(scored) = score_vector(text) {
        assert!((0.0..=10.0).contains(&scored.score), "{scored:?}");
        let again = score_vector(&scored.vector).expect("the printed vector scores");
        assert_eq!(again.score, scored.score);
    }
});
