//! The students' accounts: what a valid name is, and the file that keeps them across restarts.
//!
//! A class of thirty cannot share two demo accounts (one "log out everywhere" logs every other
//! bob out), so each student makes an account at `/join`. The rules of a name are a type
//! ([`StudentName`]): a name that passed them cannot be confused with raw input further on.
//!
//! **The file.** One line per student, `name role phc`, in the data directory, written whole to a
//! new owner-only file and renamed over the old one ([`crate::private_file`]), so a crash mid-write
//! leaves the previous list, never half of one. Neither a name nor a PHC string can contain a
//! space, so the line needs no escaping. Only argon2id hashes are kept, never a password.

use std::{fmt, fs, io, path::Path};

use crate::{credentials::MAX_CREDENTIAL_LEN, private_file, Role};

/// The file in the data directory that keeps the students.
pub const STUDENTS_FILE: &str = "students.txt";

/// Longest student name.
pub const MAX_NAME_LEN: usize = 32;

/// Shortest password a student may choose.
pub const MIN_PASSWORD_LEN: usize = 8;

/// Why a password cannot be a student's: the one rule `/join` and the teacher's "new password"
/// both apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("Choose a password of at least {MIN_PASSWORD_LEN} characters.")]
    TooShort,
    #[error("Choose a password of at most {} bytes.", MAX_CREDENTIAL_LEN)]
    TooLong,
}

/// `Some` when `password` may not be a student's (too few characters, or more bytes than a
/// login form accepts).
pub fn password_problem(password: &str) -> Option<PasswordProblem> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        Some(PasswordProblem::TooShort)
    } else if password.len() > MAX_CREDENTIAL_LEN {
        Some(PasswordProblem::TooLong)
    } else {
        None
    }
}

/// Names nobody may take: the demo accounts, the teacher, and words that would look like staff.
pub const RESERVED_NAMES: [&str; 7] = [
    "alice",
    "bob",
    "teacher",
    "admin",
    "administrator",
    "root",
    "system",
];

/// A name that follows the rules: 1–32 ASCII letters, digits, `-` or `_`, and not reserved.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StudentName(String);

/// Why a name was refused, in words a student can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameProblem {
    #[error("Choose a username of 1 to 32 characters.")]
    Length,
    #[error("A username may contain only letters a–z and A–Z, digits, - and _.")]
    Characters,
    #[error("That username is reserved: choose another one.")]
    Reserved,
}

impl StudentName {
    pub fn parse(text: &str) -> Result<StudentName, NameProblem> {
        if text.is_empty() || text.len() > MAX_NAME_LEN {
            return Err(NameProblem::Length);
        }
        if !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(NameProblem::Characters);
        }
        if RESERVED_NAMES
            .iter()
            .any(|reserved| reserved.eq_ignore_ascii_case(text))
        {
            return Err(NameProblem::Reserved);
        }
        Ok(StudentName(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form two names are compared in: `Carol` and `carol` are the same account to a
    /// classroom reading names off a projector.
    pub fn folded(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl fmt::Display for StudentName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One student as the file keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentRecord {
    pub name: StudentName,
    pub role: Role,
    pub password_hash: String,
}

/// Read the students of `dir`; none when the file does not exist. A line that does not follow
/// the format is skipped and logged by the caller's count, not fatal: one bad line must not
/// lock a class out.
pub fn load(dir: &Path) -> io::Result<(Vec<StudentRecord>, usize)> {
    let text = match fs::read_to_string(dir.join(STUDENTS_FILE)) {
        Ok(text) => text,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(err) => return Err(err),
    };
    let mut skipped = 0;
    let mut records = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match parse_line(line) {
            Some(record) => records.push(record),
            None => skipped += 1,
        }
    }
    Ok((records, skipped))
}

fn parse_line(line: &str) -> Option<StudentRecord> {
    let mut parts = line.split(' ');
    let name = StudentName::parse(parts.next()?).ok()?;
    let role = Role::parse(parts.next()?)?;
    let password_hash = parts.next()?.to_owned();
    if parts.next().is_some() || !password_hash.starts_with("$argon2id$") {
        return None;
    }
    Some(StudentRecord {
        name,
        role,
        password_hash,
    })
}

/// Replace the students file of `dir` with `records`, atomically.
pub fn save(dir: &Path, records: &[StudentRecord]) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let text: String = records
        .iter()
        .map(|r| format!("{} {} {}\n", r.name, r.role, r.password_hash))
        .collect();
    let fresh = dir.join(format!("{STUDENTS_FILE}.new"));
    // A previous crash may have left a half-written one behind.
    let _ = fs::remove_file(&fresh);
    private_file::write_new(&fresh, text.as_bytes())?;
    fs::rename(&fresh, dir.join(STUDENTS_FILE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_rules() {
        assert!(StudentName::parse("carol").is_ok());
        assert!(StudentName::parse("Dan_2-b").is_ok());
        assert_eq!(StudentName::parse(""), Err(NameProblem::Length));
        assert_eq!(
            StudentName::parse(&"x".repeat(33)),
            Err(NameProblem::Length)
        );
        assert_eq!(StudentName::parse("a b"), Err(NameProblem::Characters));
        assert_eq!(StudentName::parse("zoë"), Err(NameProblem::Characters));
        assert_eq!(StudentName::parse("Alice"), Err(NameProblem::Reserved));
        assert_eq!(StudentName::parse("TEACHER"), Err(NameProblem::Reserved));
    }

    #[test]
    fn the_file_round_trips_and_skips_bad_lines() {
        let dir = tempfile_dir();
        let record = StudentRecord {
            name: StudentName::parse("carol").expect("valid"),
            role: Role::User,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".to_owned(),
        };
        save(&dir, std::slice::from_ref(&record)).expect("saved");
        let mut text = fs::read_to_string(dir.join(STUDENTS_FILE)).expect("read");
        text.push_str("not a line\n");
        fs::write(dir.join(STUDENTS_FILE), text).expect("written");

        let (records, skipped) = load(&dir).expect("loaded");

        assert_eq!(records, vec![record]);
        assert_eq!(skipped, 1);
        let _ = fs::remove_dir_all(&dir);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "authlab-students-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = fs::remove_dir_all(&dir);
        dir
    }
}
