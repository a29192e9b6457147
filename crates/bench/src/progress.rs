//! Progress bars for the long steps. indicatif hides them by itself when stderr is not a
//! terminal, so the smoke test and CI logs stay clean.

use indicatif::{ProgressBar, ProgressStyle};

pub fn bar(len: u64, message: impl Into<String>) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg:<36} [{bar:30}] {pos}/{len} {elapsed}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message.into());
    bar
}

/// A step whose length is a duration rather than a count: ticks are milliseconds.
pub fn timed(duration: std::time::Duration, message: impl Into<String>) -> ProgressBar {
    let millis = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    bar(millis, message)
}

/// A line of narration, printed above any bar.
pub fn say(text: impl AsRef<str>) {
    eprintln!("authlab bench: {}", text.as_ref());
}
