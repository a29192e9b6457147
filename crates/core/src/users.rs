//! The demo accounts, kept the way a real service keeps passwords: as argon2id hashes.
//!
//! The hashes were made once with argon2's default parameters (m = 19 MiB, t = 2, p = 1, the
//! OWASP minimum for argon2id) and are checked in; the plaintext passwords exist only in the docs.
//! Verifying costs tens of milliseconds of CPU and 19 MiB on purpose, so the server runs
//! [`UserDirectory::verify_in`] on a [`crate::hashing::HashBudget`] thread, in that thread's
//! reused memory; [`UserDirectory::verify`] allocates afresh and is for tests and tools.
//!
//! An unknown username is verified against a dummy hash, so that "no such user" and "wrong
//! password" take the same time and cannot be told apart by a stopwatch.

use std::{collections::HashMap, sync::RwLock};

use crate::{
    hashing::{verify_phc, HashMemory},
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

/// The longest username or password the directory will hash; longer input is refused unhashed,
/// so nobody can make the server hash megabytes.
pub const MAX_CREDENTIAL_LEN: usize = 256;

/// The users of the demo and their current roles.
///
/// Roles can change at run time (the "demote bob" lab), which is what makes the difference
/// between a backend that looks the role up on every request and one that carries it in a token.
pub struct UserDirectory {
    roles: RwLock<HashMap<&'static str, Role>>,
}

impl Default for UserDirectory {
    fn default() -> Self {
        Self::demo()
    }
}

impl UserDirectory {
    pub fn demo() -> Self {
        let roles = DEMO_ACCOUNTS
            .iter()
            .map(|(name, account)| (*name, account.default_role))
            .collect();
        UserDirectory {
            roles: RwLock::new(roles),
        }
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
        let account = DEMO_ACCOUNTS
            .iter()
            .find(|(name, _)| *name == username)
            .map(|(_, account)| account);
        let hash = account.map_or(DUMMY_HASH, |a| a.password_hash);
        let matches = verify_phc(hash, password, memory);
        match account {
            Some(_) if matches => self.lookup(username),
            _ => None,
        }
    }

    /// The identity of a known user as of now, without a password: what a stateful backend does
    /// on every request.
    pub fn lookup(&self, username: &str) -> Option<Identity> {
        let (name, account) = DEMO_ACCOUNTS.iter().find(|(name, _)| *name == username)?;
        let role = self
            .roles
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(name)
            .copied()
            .unwrap_or(account.default_role);
        Some(Identity {
            username: (*name).to_owned(),
            display_name: account.display_name.to_owned(),
            role,
        })
    }

    /// Change a user's role. Returns false for an unknown user.
    pub fn set_role(&self, username: &str, role: Role) -> bool {
        let mut roles = self
            .roles
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match roles.get_mut(username) {
            Some(current) => {
                *current = role;
                true
            }
            None => false,
        }
    }

    /// Usernames of the demo accounts, for the login page.
    pub fn usernames(&self) -> impl Iterator<Item = &'static str> {
        DEMO_ACCOUNTS.iter().map(|(name, _)| *name)
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

        assert!(users.set_role("bob", Role::Admin));

        assert_eq!(users.lookup("bob").map(|i| i.role), Some(Role::Admin));
        assert!(!users.set_role("nobody", Role::Admin));
    }
}
