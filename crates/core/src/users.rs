//! The accounts: the two demo accounts, and one per student.
//!
//! Passwords are kept the way a real service keeps them: as argon2id hashes. The demo hashes were
//! made once with argon2's default parameters (m = 19 MiB, t = 2, p = 1, the OWASP minimum for
//! argon2id) and are checked in; the plaintext passwords exist only in the docs. A student's hash
//! is made at `/join` with the same parameters and kept in the data directory
//! ([`crate::students`]), so a restart keeps every account.
//!
//! Verifying costs tens of milliseconds of CPU and 19 MiB on purpose, so the server runs
//! [`UserDirectory::verify_in`] on a [`crate::hashing::HashBudget`] thread, in that thread's
//! reused memory; [`UserDirectory::verify`] allocates afresh and is for tests and tools.
//!
//! An unknown username is verified against a dummy hash, so that "no such user" and "wrong
//! password" take the same time and cannot be told apart by a stopwatch.

use std::{
    collections::HashMap,
    io,
    path::PathBuf,
    sync::{RwLock, RwLockReadGuard, RwLockWriteGuard},
};

use crate::{
    credentials::MAX_CREDENTIAL_LEN,
    hashing::{verify_phc, HashMemory},
    students::{self, StudentName, StudentRecord},
    Identity, Role,
};

struct Account {
    display_name: &'static str,
    password_hash: &'static str,
    default_role: Role,
}

const DEMO_ACCOUNTS: [(&str, Account); 2] = [
    (
        "alice",
        Account {
            display_name: "Alice Liddell",
            // wonderland
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$UxGIymqa2piLj++xN893Fg$nyr/+hQ/tk3JzMOyqJIyOXgOeO3neGh1URuPpD96DgI",
            default_role: Role::Admin,
        },
    ),
    (
        "bob",
        Account {
            display_name: "Bob the Builder",
            // builder
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$WlEKytrXw0E3+CI9XQzlIA$AoF98CI/e0JVCORWQ/7YxvuipAuDOZJLw2TOvZOyj6Q",
            default_role: Role::User,
        },
    ),
];

/// A hash of a password nobody has, verified when the username is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$tP8hTgMuHpGK9s/p2UqXBg$UMu/Yc4ZrU6qEYFkTHlkqjOlpEN9ETGafsd7zFQsDU0";

/// The role every student starts with, and gets back at a reset of the room.
pub const STUDENT_ROLE: Role = Role::User;

/// Why an account could not be added or changed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("That username is taken: choose another one.")]
    Taken,
    #[error("No such student.")]
    NoSuchStudent,
    #[error("the students file could not be written: {0}")]
    NotKept(#[from] io::Error),
}

#[derive(Default)]
struct Accounts {
    /// The demo accounts' current roles (the "demote bob" lab changes them).
    demo_roles: HashMap<&'static str, Role>,
    /// The students, by [`StudentName::folded`].
    students: HashMap<String, StudentRecord>,
}

/// The users of the demo and their current roles.
///
/// Roles can change at run time (the "demote bob" lab, the teacher's promotions), which is what
/// makes the difference between a backend that looks the role up on every request and one that
/// carries it in a token.
pub struct UserDirectory {
    accounts: RwLock<Accounts>,
    /// Where the students are kept; `None`: in memory only (tests and tools).
    students_dir: Option<PathBuf>,
}

impl Default for UserDirectory {
    fn default() -> Self {
        Self::demo()
    }
}

impl UserDirectory {
    /// The demo accounts, and students kept in memory only.
    pub fn demo() -> Self {
        UserDirectory {
            accounts: RwLock::new(Accounts {
                demo_roles: default_demo_roles(),
                students: HashMap::new(),
            }),
            students_dir: None,
        }
    }

    /// The demo accounts and the students kept in `dir` (read now, written at every change).
    /// Returns how many lines of the file were not understood, for the caller to report.
    pub fn with_students_in(dir: PathBuf) -> io::Result<(Self, usize)> {
        let (records, skipped) = students::load(&dir)?;
        let students = records.into_iter().map(|r| (r.name.folded(), r)).collect();
        Ok((
            UserDirectory {
                accounts: RwLock::new(Accounts {
                    demo_roles: default_demo_roles(),
                    students,
                }),
                students_dir: Some(dir),
            },
            skipped,
        ))
    }

    fn read(&self) -> RwLockReadGuard<'_, Accounts> {
        self.accounts
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Accounts> {
        self.accounts
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Check a username and password in fresh memory. Slow on purpose: call it off the async
    /// executor.
    pub fn verify(&self, username: &str, password: &str) -> Option<Identity> {
        self.verify_in(username, password, &mut HashMemory::default())
    }

    /// Check a username and password, hashing in `memory` (a hashing thread's own).
    pub fn verify_in(
        &self,
        username: &str,
        password: &str,
        memory: &mut HashMemory,
    ) -> Option<Identity> {
        if username.len() > MAX_CREDENTIAL_LEN || password.len() > MAX_CREDENTIAL_LEN {
            return None;
        }
        let hash = self.password_hash(username);
        let known = hash.is_some();
        let matches = verify_phc(hash.as_deref().unwrap_or(DUMMY_HASH), password, memory);
        if known && matches {
            self.lookup(username)
        } else {
            None
        }
    }

    fn password_hash(&self, username: &str) -> Option<String> {
        if let Some((_, account)) = DEMO_ACCOUNTS.iter().find(|(name, _)| *name == username) {
            return Some(account.password_hash.to_owned());
        }
        self.read()
            .students
            .values()
            .find(|s| s.name.as_str() == username)
            .map(|s| s.password_hash.clone())
    }

    /// The identity of a known user as of now, without a password: what a stateful backend does
    /// on every request.
    pub fn lookup(&self, username: &str) -> Option<Identity> {
        let accounts = self.read();
        if let Some((name, account)) = DEMO_ACCOUNTS.iter().find(|(name, _)| *name == username) {
            let role = accounts
                .demo_roles
                .get(name)
                .copied()
                .unwrap_or(account.default_role);
            return Some(Identity {
                username: (*name).to_owned(),
                display_name: account.display_name.to_owned(),
                role,
            });
        }
        accounts
            .students
            .values()
            .find(|s| s.name.as_str() == username)
            .map(student_identity)
    }

    /// Change a user's role. Returns false for an unknown user; a student's new role is kept in
    /// the data directory.
    pub fn set_role(&self, username: &str, role: Role) -> Result<bool, AccountError> {
        let mut accounts = self.write();
        if let Some(current) = accounts.demo_roles.get_mut(username) {
            *current = role;
            return Ok(true);
        }
        let Some(student) = accounts
            .students
            .values_mut()
            .find(|s| s.name.as_str() == username)
        else {
            return Ok(false);
        };
        student.role = role;
        self.keep(&accounts)?;
        Ok(true)
    }

    /// Every account back to the role it started with: alice admin, bob and every student user.
    pub fn reset_roles(&self) -> Result<(), AccountError> {
        let mut accounts = self.write();
        accounts.demo_roles = default_demo_roles();
        for student in accounts.students.values_mut() {
            student.role = STUDENT_ROLE;
        }
        self.keep(&accounts)
    }

    /// Whether every account has its starting role.
    pub fn roles_are_default(&self) -> bool {
        let accounts = self.read();
        accounts.demo_roles == default_demo_roles()
            && accounts.students.values().all(|s| s.role == STUDENT_ROLE)
    }

    /// Add a student with an argon2id hash made by the caller. Refused when the name is taken,
    /// whatever its case.
    pub fn add_student(
        &self,
        name: StudentName,
        password_hash: String,
    ) -> Result<(), AccountError> {
        let mut accounts = self.write();
        let key = name.folded();
        if accounts.students.contains_key(&key) {
            return Err(AccountError::Taken);
        }
        accounts.students.insert(
            key.clone(),
            StudentRecord {
                name,
                role: STUDENT_ROLE,
                password_hash,
            },
        );
        if let Err(err) = self.keep(&accounts) {
            // Not kept, so not created: the student is told and nothing half-exists.
            accounts.students.remove(&key);
            return Err(err);
        }
        Ok(())
    }

    /// Whether a student of this name (in any case) exists.
    pub fn is_taken(&self, name: &StudentName) -> bool {
        self.read().students.contains_key(&name.folded())
    }

    /// Give a student a new password (an argon2id hash made by the caller).
    pub fn set_student_password(
        &self,
        username: &str,
        password_hash: String,
    ) -> Result<(), AccountError> {
        let mut accounts = self.write();
        let student = accounts
            .students
            .values_mut()
            .find(|s| s.name.as_str() == username)
            .ok_or(AccountError::NoSuchStudent)?;
        let before = std::mem::replace(&mut student.password_hash, password_hash);
        if let Err(err) = self.keep(&accounts) {
            if let Some(student) = accounts
                .students
                .values_mut()
                .find(|s| s.name.as_str() == username)
            {
                student.password_hash = before;
            }
            return Err(err);
        }
        Ok(())
    }

    /// The students, by name.
    pub fn students(&self) -> Vec<Identity> {
        let mut students: Vec<Identity> = self
            .read()
            .students
            .values()
            .map(student_identity)
            .collect();
        students.sort_by(|a, b| a.username.cmp(&b.username));
        students
    }

    /// Usernames of the demo accounts, for the login page.
    pub fn usernames(&self) -> impl Iterator<Item = &'static str> {
        DEMO_ACCOUNTS.iter().map(|(name, _)| *name)
    }

    fn keep(&self, accounts: &Accounts) -> Result<(), AccountError> {
        let Some(dir) = &self.students_dir else {
            return Ok(());
        };
        let mut records: Vec<StudentRecord> = accounts.students.values().cloned().collect();
        records.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
        Ok(students::save(dir, &records)?)
    }
}

fn default_demo_roles() -> HashMap<&'static str, Role> {
    DEMO_ACCOUNTS
        .iter()
        .map(|(name, account)| (*name, account.default_role))
        .collect()
}

fn student_identity(student: &StudentRecord) -> Identity {
    Identity {
        username: student.name.as_str().to_owned(),
        display_name: student.name.as_str().to_owned(),
        role: student.role,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordHash;

    #[test]
    fn the_documented_demo_passwords_verify() {
        let users = UserDirectory::demo();

        let alice = users.verify("alice", "wonderland").expect("alice logs in");
        let bob = users.verify("bob", "builder").expect("bob logs in");

        assert_eq!(alice.role, Role::Admin);
        assert_eq!(bob.role, Role::User);
    }

    #[test]
    fn wrong_passwords_and_unknown_users_are_refused() {
        let users = UserDirectory::demo();

        assert!(users.verify("alice", "builder").is_none());
        assert!(users.verify("mallory", "wonderland").is_none());
        assert!(users.verify("alice", "").is_none());
        assert!(users.verify("alice", &"x".repeat(10_000)).is_none());
    }

    #[test]
    fn hashes_are_argon2id_with_at_least_owasp_parameters() {
        for hash in DEMO_ACCOUNTS
            .iter()
            .map(|(_, a)| a.password_hash)
            .chain([DUMMY_HASH])
        {
            let parsed = PasswordHash::new(hash).expect("a PHC string");
            assert_eq!(parsed.algorithm.as_str(), "argon2id");
            let params = argon2::Params::try_from(&parsed).expect("argon2 params");
            assert!(params.m_cost() >= 19_456 && params.t_cost() >= 2);
        }
    }

    #[test]
    fn a_role_change_shows_in_the_next_lookup() {
        let users = UserDirectory::demo();

        assert!(users.set_role("bob", Role::Admin).expect("kept"));

        assert_eq!(users.lookup("bob").map(|i| i.role), Some(Role::Admin));
        assert!(!users
            .set_role("nobody", Role::Admin)
            .expect("nothing to keep"));
    }

    #[test]
    fn a_student_is_kept_in_the_data_directory_and_read_back() {
        let dir = std::env::temp_dir().join(format!("authlab-users-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let hash =
            crate::hashing::hash_phc("carol-pass", &mut HashMemory::default()).expect("hash");
        let (users, _) = UserDirectory::with_students_in(dir.clone()).expect("empty dir");
        let carol = StudentName::parse("carol").expect("valid");

        users.add_student(carol.clone(), hash).expect("added");
        users.set_role("carol", Role::Admin).expect("kept");
        let (again, skipped) = UserDirectory::with_students_in(dir.clone()).expect("read back");

        assert_eq!(skipped, 0);
        assert_eq!(again.lookup("carol").map(|i| i.role), Some(Role::Admin));
        assert!(again.verify("carol", "carol-pass").is_some());
        assert!(matches!(
            again.add_student(StudentName::parse("CAROL").expect("valid"), String::new()),
            Err(AccountError::Taken)
        ));
        again.reset_roles().expect("kept");
        assert!(again.roles_are_default());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
