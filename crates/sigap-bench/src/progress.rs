//! Progress of long work on a terminal (`indicatif`); nothing is drawn when standard error
//! is not a terminal, so that a log or CI output keeps only the figures.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar of `len` steps counting `what`, with its rate and the time left.
pub fn bar(len: u64, what: &str) -> ProgressBar {
    let style =
        ProgressStyle::with_template("{msg:<10} {bar:40} {pos}/{len} ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    let bar = ProgressBar::new(len).with_style(style);
    bar.set_message(what.to_owned());
    bar
}
