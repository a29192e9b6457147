//! Keys generated once and kept in the data directory.
//!
//! `Key::generate()` at every start would log every session user out on each restart, Redis or
//! not, and a fresh JWT secret would invalidate every token: the restart lesson would show the
//! wrong thing. So a key is made on first start, written with owner-only permissions (0600), and
//! read back ever after. An existing key file that group or others can read is still used (a
//! refusal would log everyone out over a chmod) but warned about at start-up, with the fix.

use std::{
    fs, io,
    path::{Path, PathBuf},
};

use authlab_core::Secret;
use base64::{engine::general_purpose::STANDARD, Engine};
use rand::RngCore;

/// File names in the data directory.
pub const SESSION_KEY_FILE: &str = "session-cookie.key";
pub const JWT_SECRET_FILE: &str = "jwt-hs256.key";
pub const CSRF_KEY_FILE: &str = "csrf.key";
pub const GENERATED_JWT_SECRET_BYTES: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("cannot read or write the key file {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("the key file {path} is not valid base64 of at least {min} bytes; delete it to have a new key made (this logs everyone out)")]
    Corrupt { path: PathBuf, min: usize },
}

/// Read the key kept in `dir/name`, or make one of `len` random bytes and keep it there.
pub fn load_or_create(dir: &Path, name: &str, len: usize) -> Result<Secret, KeyFileError> {
    let path = dir.join(name);
    let io_err = |source| KeyFileError::Io {
        path: path.clone(),
        source,
    };
    match fs::read_to_string(&path) {
        Ok(text) => {
            if readable_by_others(&path) {
                tracing::warn!(
                    path = %path.display(),
                    "key file is readable by other users: anyone who can read it can forge \
                     logins; run `chmod 600` on it"
                );
            }
            let bytes = STANDARD
                .decode(text.trim())
                .ok()
                .filter(|bytes| bytes.len() >= len)
                .ok_or_else(|| KeyFileError::Corrupt {
                    path: path.clone(),
                    min: len,
                })?;
            Ok(Secret::new(bytes))
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(dir).map_err(io_err)?;
            let mut bytes = vec![0u8; len];
            rand::rng().fill_bytes(&mut bytes);
            match write_private(&path, STANDARD.encode(&bytes).as_bytes()) {
                Ok(()) => {
                    tracing::info!(path = %path.display(), "generated a new key");
                    Ok(Secret::new(bytes))
                }
                // Another instance sharing the directory made it first: use theirs.
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                    load_or_create(dir, name, len)
                }
                Err(err) => Err(io_err(err)),
            }
        }
        Err(err) => Err(io_err(err)),
    }
}

/// Make a new key in `dir/name`, replacing the old one (the "rotate the key" lab).
pub fn replace(dir: &Path, name: &str, len: usize) -> Result<Secret, KeyFileError> {
    let path = dir.join(name);
    match fs::remove_file(&path) {
        Ok(()) => {}
        Err(err) if err.kind() == io::ErrorKind::NotFound => {}
        Err(source) => return Err(KeyFileError::Io { path, source }),
    }
    load_or_create(dir, name, len)
}

/// Write `contents` to `path` only if it does not exist, atomically: the file is complete in a
/// temporary name first and then linked into place, so a second instance starting at the same
/// moment sees either no key or the whole key, never half of one.
fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    let temp = path.with_extension(format!(
        "tmp-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    authlab_core::private_file::write_new(&temp, contents)?;
    let linked = fs::hard_link(&temp, path);
    let _ = fs::remove_file(&temp);
    linked
}

/// Whether group or others may read `path`.
#[cfg(unix)]
pub fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o044 != 0)
}

#[cfg(not(unix))]
pub fn readable_by_others(_path: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("authlab-keys-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_key_is_made_once_and_read_back() {
        let dir = temp_dir("once");

        let first = load_or_create(&dir, "k", 64).expect("create");
        let second = load_or_create(&dir, "k", 64).expect("read");

        assert_eq!(first.expose(), second.expose());
        assert_eq!(first.len(), 64);
        let _ = fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_new_key_file_is_owner_only_and_a_shared_one_is_noticed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("modes");
        load_or_create(&dir, "k", 32).expect("create");
        let path = dir.join("k");

        let mode = fs::metadata(&path).expect("exists").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(!readable_by_others(&path));

        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(readable_by_others(&path));
        assert!(load_or_create(&dir, "k", 32).is_ok(), "still used");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn replacing_makes_a_different_key_and_corruption_is_refused() {
        let dir = temp_dir("replace");
        let first = load_or_create(&dir, "k", 64).expect("create");

        let second = replace(&dir, "k", 64).expect("replace");
        fs::write(dir.join("bad"), "not base64!").expect("write");

        assert_ne!(first.expose(), second.expose());
        assert!(matches!(
            load_or_create(&dir, "bad", 64),
            Err(KeyFileError::Corrupt { .. })
        ));
        let _ = fs::remove_dir_all(&dir);
    }
}
