//! Where the key ring is kept: the current key in its key file (the one start-up reads), the
//! previous keys and the moment each leaves the ring in a second file beside it.
//!
//! Both are written whole under a temporary name with owner-only permissions and renamed into
//! place, so a crash or a second reader sees the old ring or the new one, never half a key. The
//! previous keys are written first: a crash between the two writes leaves the old current key
//! listed as a previous key too, which is harmless (it verifies either way), where the other
//! order could lose a key that still has live tokens.

use std::{
    fs, io,
    path::{Path, PathBuf},
};

use authlab_core::Secret;
use base64::{engine::general_purpose::STANDARD, Engine};
use serde::{Deserialize, Serialize};

/// A key that verifies but no longer signs, until `until` (seconds since the epoch).
#[derive(Clone)]
pub struct StoredPrevious {
    pub key: Secret,
    pub until: i64,
}

#[derive(Serialize, Deserialize)]
struct PreviousFile {
    previous: Vec<PreviousEntry>,
}

#[derive(Serialize, Deserialize)]
struct PreviousEntry {
    /// Standard base64, like the key files.
    key: String,
    until: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum RingFileError {
    #[error("cannot read or write the key ring file {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("the key ring file {path} is not a list of base64 keys with their end times; delete it to drop the previous keys (their tokens are then refused)")]
    Corrupt { path: PathBuf },
    #[error("the JWT key comes from AUTHLAB_JWT_SECRET: this server will not replace it (unset the variable to use a generated key file, which can be rotated)")]
    NotOurs,
}

/// The two files of one ring.
#[derive(Debug, Clone)]
pub struct RingFiles {
    current: PathBuf,
    previous: PathBuf,
}

impl RingFiles {
    /// `current_key_file` is the key file start-up reads (standard base64 of the key); the
    /// previous keys go to the same name with `.previous.json` appended.
    pub fn new(current_key_file: PathBuf) -> Self {
        let mut previous = current_key_file.clone().into_os_string();
        previous.push(".previous.json");
        RingFiles {
            current: current_key_file,
            previous: PathBuf::from(previous),
        }
    }

    /// The previous keys; none when the file does not exist yet.
    pub fn read_previous(&self) -> Result<Vec<StoredPrevious>, RingFileError> {
        let text = match fs::read_to_string(&self.previous) {
            Ok(text) => text,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(RingFileError::Io {
                    path: self.previous.clone(),
                    source,
                })
            }
        };
        let corrupt = || RingFileError::Corrupt {
            path: self.previous.clone(),
        };
        let file: PreviousFile = serde_json::from_str(&text).map_err(|_| corrupt())?;
        file.previous
            .into_iter()
            .map(|entry| {
                let key = STANDARD.decode(entry.key.trim()).map_err(|_| corrupt())?;
                Ok(StoredPrevious {
                    key: Secret::new(key),
                    until: entry.until,
                })
            })
            .collect()
    }

    /// Keep `current` as the signing key and `previous` as the verifying ones.
    pub fn write(
        &self,
        current: &Secret,
        previous: &[StoredPrevious],
    ) -> Result<(), RingFileError> {
        let file = PreviousFile {
            previous: previous
                .iter()
                .map(|p| PreviousEntry {
                    key: STANDARD.encode(p.key.expose()),
                    until: p.until,
                })
                .collect(),
        };
        let json = serde_json::to_vec_pretty(&file).map_err(|_| RingFileError::Corrupt {
            path: self.previous.clone(),
        })?;
        replace_private(&self.previous, &json)?;
        replace_private(&self.current, STANDARD.encode(current.expose()).as_bytes())
    }
}

/// Write `contents` to `path` through a temporary file made owner-only (0600) and renamed over.
fn replace_private(path: &Path, contents: &[u8]) -> Result<(), RingFileError> {
    let io_err = |source| RingFileError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io_err)?;
    }
    let temp = path.with_extension(format!(
        "tmp-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    authlab_core::private_file::write_new(&temp, contents).map_err(io_err)?;
    fs::rename(&temp, path).map_err(|err| {
        let _ = fs::remove_file(&temp);
        io_err(err)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_is_written_owner_only_and_read_back() {
        let dir = std::env::temp_dir().join(format!("authlab-ring-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let files = RingFiles::new(dir.join("jwt.key"));
        let previous = vec![StoredPrevious {
            key: Secret::new([1u8; 32]),
            until: 42,
        }];

        files
            .write(&Secret::new([2u8; 32]), &previous)
            .expect("write");
        let read = files.read_previous().expect("read");

        assert_eq!(read.len(), 1);
        assert_eq!((read[0].key.expose(), read[0].until), (&[1u8; 32][..], 42));
        let current = fs::read_to_string(dir.join("jwt.key")).expect("current");
        assert_eq!(STANDARD.decode(current).expect("b64"), [2u8; 32]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.join("jwt.key.previous.json"))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        fs::write(dir.join("jwt.key.previous.json"), "{").expect("corrupt it");
        assert!(matches!(
            files.read_previous(),
            Err(RingFileError::Corrupt { .. })
        ));
        let _ = fs::remove_dir_all(&dir);
    }
}
