//! The teacher's password and the class code: typed in by whoever runs the server, or made at the
//! first start and kept in the data directory (owner-only), so a restart changes neither.

use std::{fs, io, path::Path};

use authlab_core::private_file;
use rand::Rng;

/// The file that keeps a generated teacher password.
pub const TEACHER_PASSWORD_FILE: &str = "teacher-password.txt";
/// The file that keeps a generated class code.
pub const CLASS_CODE_FILE: &str = "class-code.txt";

/// Letters and digits nobody misreads off a projector (no 0/O, 1/l/I).
const READABLE: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Where a value came from, which decides what the terminal is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Typed in (`AUTHLAB_TEACHER_PASSWORD`, `AUTHLAB_CLASS_CODE`).
    Configured,
    /// Made just now, at this first start.
    Generated,
    /// Read back from the data directory (made at an earlier start).
    Kept,
}

/// `xxxx-xxxx-xxxx-xxxx` from [`READABLE`]: about 79 bits.
pub fn new_password() -> String {
    groups(4, 4)
}

/// Six characters, upper case: short enough to read aloud, ~30 bits (guessing is throttled).
pub fn new_class_code() -> String {
    groups(1, 6).to_ascii_uppercase()
}

fn groups(count: usize, len: usize) -> String {
    let mut rng = rand::rng();
    (0..count)
        .map(|_| {
            (0..len)
                .map(|_| char::from(READABLE[rng.random_range(0..READABLE.len())]))
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The value kept in `dir/name`, or a new one from `make`, kept there.
pub fn load_or_make(dir: &Path, name: &str, make: fn() -> String) -> io::Result<(String, Origin)> {
    let path = dir.join(name);
    match fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => Ok((text.trim().to_owned(), Origin::Kept)),
        Ok(_) => Err(io::Error::other(format!(
            "{} is empty: delete it to have a new one made",
            path.display()
        ))),
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(dir)?;
            let value = make();
            private_file::write_new(&path, format!("{value}\n").as_bytes())?;
            Ok((value, Origin::Generated))
        }
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_value_is_kept_and_read_back() {
        let dir = std::env::temp_dir().join(format!("authlab-teacher-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);

        let (made, first) = load_or_make(&dir, CLASS_CODE_FILE, new_class_code).expect("made");
        let (again, second) = load_or_make(&dir, CLASS_CODE_FILE, new_class_code).expect("read");

        assert_eq!((first, second), (Origin::Generated, Origin::Kept));
        assert_eq!(made, again);
        assert_eq!(made.len(), 6);
        assert_eq!(new_password().len(), 19);
        let _ = fs::remove_dir_all(&dir);
    }
}
