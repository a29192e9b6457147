//! The keys this project writes to Redis, and how a session key names them.
//!
//! Every key starts with `authlab:`, so the inspector, the flush lab and the benchmarks can find
//! and count them without touching anything else. Every key of one user carries the user's name
//! as a Redis Cluster hash tag (`{alice}`), so they share one hash slot and can be read together
//! in one `MGET` or written in one script, on one node:
//!
//! | key | holds | lives |
//! |---|---|---|
//! | `authlab:session:{alice}:<login id>` | one login: the record line (see `crate::record`) and the session key's secret | the session TTL |
//! | `authlab:epoch:{alice}` | the user's epoch, bumped by "log out everywhere"; absent means 0 | as long as a login could |
//! | `authlab:ended:{alice}:<login id>` | `1`: this login was logged out | as long as it could be written back |
//! | `authlab:token:<sha256 of an opaque bearer token>` | `<user> <login time> <epoch>` | the session TTL |
//!
//! An opaque bearer token names no user, so its key cannot carry the user's hash tag: it is
//! read with one `GET`, and the user's epoch with a second (the only login read that takes two
//! round trips; "log out everywhere" ends it like every other login of the user).
//!
//! actix-session knows a session by its key only, so the key the store hands the middleware (it
//! ends up encrypted in the cookie) names the login's keys: `{alice}:<login id>.<secret>`. The
//! record is per login, not per session id: a renewal (a role change) writes a new secret into
//! the same record, which is what kills the old id. A state that is not a login is kept under a
//! plain 64-character key, as actix-session would.

use crate::record::escaped_user;

/// A session record.
pub const SESSION_PREFIX: &str = "authlab:session:";
/// A user's epoch.
pub const EPOCH_PREFIX: &str = "authlab:epoch:";
/// A logged-out login.
pub const ENDED_PREFIX: &str = "authlab:ended:";

/// An opaque bearer token's login, under the token's SHA-256.
pub const TOKEN_PREFIX: &str = "authlab:token:";

pub fn token_key(digest: &str) -> String {
    format!("{TOKEN_PREFIX}{digest}")
}

/// The characters of the secret a login's session key ends with.
pub const SECRET_LEN: usize = 16;

/// What a session key points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Login {
        /// `{alice}`: the user's hash tag, braces included.
        tag: String,
        login_id: String,
        secret: String,
    },
    /// Any other state, under actix-session's kind of key.
    Plain(String),
}

impl Target {
    /// Read a session key; `None` for a key this store never hands out.
    pub fn of(session_key: &str) -> Option<Target> {
        let Some(rest) = session_key.strip_prefix('{') else {
            let plain =
                session_key.len() == 64 && session_key.bytes().all(|b| b.is_ascii_alphanumeric());
            return plain.then(|| Target::Plain(session_key.to_owned()));
        };
        let (user, rest) = rest.split_once("}:")?;
        let (login_id, secret) = rest.split_once('.')?;
        let ok = !user.is_empty()
            && escaped_user(user) == user
            && !login_id.is_empty()
            && login_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && secret.len() == SECRET_LEN
            && secret.bytes().all(|b| b.is_ascii_alphanumeric());
        ok.then(|| Target::Login {
            tag: format!("{{{user}}}"),
            login_id: login_id.to_owned(),
            secret: secret.to_owned(),
        })
    }

    /// The key of the record (a login's or a plain state's).
    pub fn record_key(&self) -> String {
        match self {
            Target::Login { tag, login_id, .. } => login_record_key(tag, login_id),
            Target::Plain(key) => format!("{SESSION_PREFIX}{key}"),
        }
    }
}

/// `{alice}`.
pub fn user_tag(user: &str) -> String {
    format!("{{{}}}", escaped_user(user))
}

/// The session key a login's record is found by: `{alice}:<login id>.<secret>`.
pub fn login_session_key(tag: &str, login_id: &str, secret: &str) -> String {
    format!("{tag}:{login_id}.{secret}")
}

pub fn login_record_key(tag: &str, login_id: &str) -> String {
    format!("{SESSION_PREFIX}{tag}:{login_id}")
}

pub fn epoch_key(tag: &str) -> String {
    format!("{EPOCH_PREFIX}{tag}")
}

pub fn ended_key(tag: &str, login_id: &str) -> String {
    format!("{ENDED_PREFIX}{tag}:{login_id}")
}

/// The `SCAN` pattern of every login record of one user.
pub fn user_records_pattern(tag: &str) -> String {
    format!("{SESSION_PREFIX}{tag}:*")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_key_names_keys_that_share_the_users_hash_slot() {
        let tag = user_tag("alice");
        let session_key = login_session_key(&tag, "L1", "0123456789abcdef");

        let target = Target::of(&session_key).expect("a login key");

        assert_eq!(session_key, "{alice}:L1.0123456789abcdef");
        assert_eq!(target.record_key(), "authlab:session:{alice}:L1");
        assert_eq!(epoch_key(&tag), "authlab:epoch:{alice}");
        assert_eq!(ended_key(&tag, "L1"), "authlab:ended:{alice}:L1");
    }

    #[test]
    fn keys_this_store_never_hands_out_point_at_nothing() {
        for key in [
            "",
            "short",
            "{alice}:L1",
            "{alice}:L1.tooshort",
            "{al}ice}:L1.0123456789abcdef",
            "{alice}:L*.0123456789abcdef",
            "{}:L1.0123456789abcdef",
        ] {
            assert_eq!(Target::of(key), None, "{key}");
        }
    }
}
