//! Writing a secret to disk: a new file, readable by its owner only, complete on disk before it
//! is used. The key files (cookie key, JWT keys, the key ring) all go through this one function,
//! so none of them can be created world-readable by a slip in one copy.

use std::{fs, io, path::Path};

/// Create `path` (it must not exist) with mode 0600, write `contents` and sync it.
#[cfg(unix)]
pub fn write_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Create `path` and write `contents` (no owner-only mode off Unix).
#[cfg(not(unix))]
pub fn write_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    fs::write(path, contents)
}
