//! Where tests that measure something leave their figures.
//!
//! A test asserts a bound (a 503 within 1 s); the figure it actually saw is worth keeping too,
//! so that `docs/security.md` can quote what a run measured instead of a number typed by hand.
//! Every figure goes to the test's output and to `target/tmp/measured/<name>.md`; when
//! `AUTHLAB_RESULTS_DIR` is set (as in the command in `docs/security.md`), also to that folder.
//! One file per test, rewritten on every run, so a re-run never appends stale lines.

use std::path::PathBuf;

pub fn record(name: &str, markdown: &str) {
    println!("{markdown}");
    let mut folders = vec![PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("measured")];
    if let Some(dir) = std::env::var_os("AUTHLAB_RESULTS_DIR") {
        folders.push(PathBuf::from(dir));
    }
    for folder in folders {
        let written = std::fs::create_dir_all(&folder)
            .and_then(|()| std::fs::write(folder.join(format!("{name}.md")), markdown));
        if let Err(err) = written {
            panic!("cannot write {name}.md in {}: {err}", folder.display());
        }
    }
}
