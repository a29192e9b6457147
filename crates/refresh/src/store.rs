//! The refresh-token families in Redis, through the session crate's [`RedisLink`] (bounded,
//! self-healing, outages reported as 503).
//!
//! | key | holds | lives |
//! |---|---|---|
//! | `authlab:refresh:<sha256 of the token>` | `<user> <family id> <spent at, ms; 0 while unspent>` | `AUTHLAB_REFRESH_TTL`, never past the family's end |
//! | `authlab:family:{alice}:<family id>` | `live <ends at, s>`, or `ended <why>` | until the family's end (the absolute lifetime) |
//!
//! **The family decides, the token only points.** A refresh token is opaque: it does not name
//! its user, so its key cannot carry the user's hash tag; it is a pointer, read and spent in one
//! script on that one key. Every decision (is this login still alive, was it ended, why) is made
//! on the family key, which carries the user's `{alice}` tag like the session keys, so "log out
//! everywhere" finds a user's families on one slot, and every command here touches one key: all
//! legal on Redis Cluster.
//!
//! **Rotation and reuse** (RFC 9700 §4.14.2): every use spends the token and issues a new one in
//! the same family. A spent token presented again within the grace (two tabs refreshing at the
//! same moment) gets a new token too; after the grace it is reuse, and the family is ended: the
//! newest token of the login dies with it, whoever holds it. An ended family stays known as
//! ended (and why) until it would have expired, so the page can say why the login ended.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use authlab_core::{BackendError, Rejection};
use authlab_session::store::{redis::keys::user_tag, RedisLink, RedisUnavailable};
use rand::RngCore;

use crate::{token::RefreshToken, RefreshSettings};

pub const TOKEN_PREFIX: &str = "authlab:refresh:";
pub const FAMILY_PREFIX: &str = "authlab:family:";

/// Spend a token's pointer if it is unspent and bound as expected; answer what it pointed at.
/// `ARGV[1]`: now in ms; `ARGV[2]`/`ARGV[3]`: the user and family the caller's access token
/// names (empty: no expectation). A mismatch spends nothing.
const SPEND: &str = r"
local v = redis.call('GET', KEYS[1])
if not v then return false end
local user, family, spent = string.match(v, '^(%S+) (%S+) (%d+)$')
if not user then return false end
if (ARGV[2] ~= '' and ARGV[2] ~= user) or (ARGV[3] ~= '' and ARGV[3] ~= family) then
  return {'mismatch', user, family}
end
if spent == '0' then
  redis.call('SET', KEYS[1], user .. ' ' .. family .. ' ' .. ARGV[1], 'KEEPTTL')
end
return {spent, user, family}
";

/// One login: a user and the family of refresh tokens it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    pub user: String,
    pub id: String,
}

/// Why a family was ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    LoggedOut,
    Everywhere,
    Reused,
}

impl Ended {
    fn word(self) -> &'static str {
        match self {
            Ended::LoggedOut => "logout",
            Ended::Everywhere => "everywhere",
            Ended::Reused => "reused",
        }
    }

    fn of(word: &str) -> Ended {
        match word {
            "reused" => Ended::Reused,
            "everywhere" => Ended::Everywhere,
            _ => Ended::LoggedOut,
        }
    }

    /// What the login page says of it.
    pub fn rejection(self) -> Rejection {
        match self {
            Ended::Reused => Rejection::RefreshReused,
            Ended::LoggedOut | Ended::Everywhere => Rejection::Revoked,
        }
    }
}

/// Why a refresh token was refused (OAuth 2.0's `invalid_grant`, RFC 6749 §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Never issued here, expired, or the login's absolute lifetime is over.
    Unknown,
    /// Its login was ended (and why); `Ended::Reused` also when this very use was the reuse.
    Ended(Ended),
    /// It belongs to another user or login than the access token presented with it.
    Foreign,
}

impl Refusal {
    pub fn rejection(self) -> Rejection {
        match self {
            Refusal::Unknown => Rejection::Expired,
            Refusal::Ended(ended) => ended.rejection(),
            Refusal::Foreign => Rejection::WrongIssuerOrAudience,
        }
    }

    /// The `error_description` of the 400.
    pub fn description(self) -> &'static str {
        match self {
            Refusal::Unknown => "the refresh token is unknown, expired, or its login is over",
            Refusal::Ended(Ended::Reused) => {
                "the refresh token was used again after it was spent: its whole login was revoked"
            }
            Refusal::Ended(_) => "the refresh token's login was ended",
            Refusal::Foreign => "the refresh token belongs to another login",
        }
    }
}

/// A new refresh token of a family, and how long it lives.
#[derive(Debug)]
pub struct Issued {
    pub family: Family,
    pub token: RefreshToken,
    pub expires_in: u64,
}

/// What one entry of the store holds, for the inspector.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    pub key: String,
    pub value: String,
    pub ttl_seconds: i64,
}

#[derive(Clone)]
pub struct RefreshStore {
    link: RedisLink,
    refresh_ttl: Duration,
    grace: Duration,
    absolute: Duration,
}

fn unavailable(err: RedisUnavailable) -> BackendError {
    BackendError::unavailable("Redis", err.reason)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

pub fn token_key(token: &RefreshToken) -> String {
    format!("{TOKEN_PREFIX}{}", token.digest())
}

pub fn family_key(user: &str, family: &str) -> String {
    format!("{FAMILY_PREFIX}{}:{family}", user_tag(user))
}

impl RefreshStore {
    pub fn new(link: RedisLink, settings: &RefreshSettings) -> Self {
        RefreshStore {
            link,
            refresh_ttl: settings.refresh_ttl,
            grace: settings.reuse_grace,
            absolute: settings.absolute,
        }
    }

    pub fn link(&self) -> &RedisLink {
        &self.link
    }

    /// End every login of every user (the teacher's reset): every family and every refresh
    /// token pointer deleted, so no refresh token can renew an access token again. Returns how
    /// many keys were deleted.
    pub async fn end_everyone(&self) -> Result<u64, BackendError> {
        let families = self
            .link
            .unlink_keys(&format!("{FAMILY_PREFIX}*"))
            .await
            .map_err(unavailable)?;
        let tokens = self
            .link
            .unlink_keys(&format!("{TOKEN_PREFIX}*"))
            .await
            .map_err(unavailable)?;
        Ok(families + tokens)
    }

    /// A new login for `user`: a family that ends after the absolute lifetime, and its first
    /// refresh token.
    pub async fn start(&self, user: &str) -> Result<Issued, BackendError> {
        let mut id = [0u8; 12];
        rand::rng().fill_bytes(&mut id);
        let family = Family {
            user: user.to_owned(),
            id: id.iter().map(|b| format!("{b:02x}")).collect(),
        };
        let absolute = self.absolute.as_secs().max(1);
        let ends_at = now_ms() / 1000 + absolute;
        let key = family_key(user, &family.id);
        let value = format!("live {ends_at}");
        self.link
            .run(|mut c| {
                let (key, value) = (key.clone(), value.clone());
                async move {
                    redis::cmd("SET")
                        .arg(key)
                        .arg(value)
                        .arg("EX")
                        .arg(absolute)
                        .query_async::<()>(&mut c.commands)
                        .await
                }
            })
            .await
            .map_err(unavailable)?;
        self.issue(family, ends_at).await
    }

    /// A new refresh token in `family`, living its TTL but never past the family's end.
    async fn issue(&self, family: Family, ends_at: u64) -> Result<Issued, BackendError> {
        let left = ends_at.saturating_sub(now_ms() / 1000);
        let ttl = self.refresh_ttl.as_secs().min(left).max(1);
        let token = RefreshToken::generate();
        let key = token_key(&token);
        let value = format!("{} {} 0", escaped(&family.user), family.id);
        self.link
            .run(|mut c| {
                let (key, value) = (key.clone(), value.clone());
                async move {
                    redis::cmd("SET")
                        .arg(key)
                        .arg(value)
                        .arg("EX")
                        .arg(ttl)
                        .query_async::<()>(&mut c.commands)
                        .await
                }
            })
            .await
            .map_err(unavailable)?;
        Ok(Issued {
            family,
            token,
            expires_in: ttl,
        })
    }

    /// Use a refresh token: spend it and issue the next one of its family, or refuse it.
    /// `expected` is the user and family named by an access token sent with it, if any.
    pub async fn rotate(
        &self,
        token: &RefreshToken,
        expected: Option<&Family>,
    ) -> Result<Result<Issued, Refusal>, BackendError> {
        let now = now_ms();
        let key = token_key(token);
        let (user, family) = expected
            .map(|f| (escaped(&f.user), f.id.clone()))
            .unwrap_or_default();
        let spent: Option<(String, String, String)> = self
            .link
            .run(|mut c| {
                let (key, user, family) = (key.clone(), user.clone(), family.clone());
                async move {
                    redis::cmd("EVAL")
                        .arg(SPEND)
                        .arg(1)
                        .arg(key)
                        .arg(now)
                        .arg(user)
                        .arg(family)
                        .query_async(&mut c.commands)
                        .await
                }
            })
            .await
            .map_err(unavailable)?;
        let Some((spent, user, id)) = spent else {
            return Ok(Err(Refusal::Unknown));
        };
        if spent == "mismatch" {
            return Ok(Err(Refusal::Foreign));
        }
        let family = Family {
            user: unescaped(&user),
            id,
        };
        let ends_at = match self.family_state(&family).await? {
            FamilyState::Gone => return Ok(Err(Refusal::Unknown)),
            FamilyState::Ended(ended) => return Ok(Err(Refusal::Ended(ended))),
            FamilyState::Live { ends_at } => ends_at,
        };
        let spent_at: u64 = spent.parse().unwrap_or(0);
        let grace_ms = u64::try_from(self.grace.as_millis()).unwrap_or(u64::MAX);
        if spent_at != 0 && now.saturating_sub(spent_at) >= grace_ms {
            self.end(&family, Ended::Reused).await?;
            // The token's hash names nothing secret; the raw token is never logged.
            tracing::warn!(
                user = %family.user,
                family = %family.id,
                "a spent refresh token was used again after the grace: its family is revoked"
            );
            return Ok(Err(Refusal::Ended(Ended::Reused)));
        }
        self.issue(family, ends_at).await.map(Ok)
    }

    /// The family a token points at, spent or not (logout needs no fresh token).
    pub async fn family_of(&self, token: &RefreshToken) -> Result<Option<Family>, BackendError> {
        let key = token_key(token);
        let value: Option<String> = self
            .link
            .run(|mut c| {
                let key = key.clone();
                async move {
                    redis::cmd("GET")
                        .arg(key)
                        .query_async(&mut c.commands)
                        .await
                }
            })
            .await
            .map_err(unavailable)?;
        Ok(value.and_then(|value| {
            let mut parts = value.split(' ');
            Some(Family {
                user: unescaped(parts.next()?),
                id: parts.next()?.to_owned(),
            })
        }))
    }

    /// End one login: its every refresh token is refused from now on, and says why.
    pub async fn end(&self, family: &Family, why: Ended) -> Result<(), BackendError> {
        let key = family_key(&family.user, &family.id);
        let value = format!("ended {}", why.word());
        self.link
            .run(|mut c| {
                let (key, value) = (key.clone(), value.clone());
                async move {
                    // Only a family that exists is marked: an unknown one stays unknown. Its TTL
                    // (the family's end, set when it began) is kept, so the mark lives as long
                    // as the login could have.
                    redis::cmd("SET")
                        .arg(&key)
                        .arg(&value)
                        .arg("XX")
                        .arg("KEEPTTL")
                        .query_async::<()>(&mut c.commands)
                        .await
                }
            })
            .await
            .map_err(unavailable)
    }

    /// End every login of `user` ("log out everywhere"); returns how many were live.
    pub async fn end_user(&self, user: &str) -> Result<usize, BackendError> {
        let pattern = format!("{FAMILY_PREFIX}{}:*", user_tag(user));
        let keys: Vec<String> = self
            .link
            .run(|mut c| {
                let pattern = pattern.clone();
                async move {
                    let mut cursor = 0u64;
                    let mut found = Vec::new();
                    loop {
                        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                            .arg(cursor)
                            .arg("MATCH")
                            .arg(&pattern)
                            .arg("COUNT")
                            .arg(1000)
                            .query_async(&mut c.commands)
                            .await?;
                        found.extend(keys);
                        if next == 0 {
                            return Ok::<_, redis::RedisError>(found);
                        }
                        cursor = next;
                    }
                }
            })
            .await
            .map_err(unavailable)?;
        let mut ended = 0;
        for key in keys {
            let Some(id) = key.rsplit(':').next() else {
                continue;
            };
            let family = Family {
                user: user.to_owned(),
                id: id.to_owned(),
            };
            if matches!(self.family_state(&family).await?, FamilyState::Live { .. }) {
                self.end(&family, Ended::Everywhere).await?;
                ended += 1;
            }
        }
        Ok(ended)
    }

    async fn family_state(&self, family: &Family) -> Result<FamilyState, BackendError> {
        let key = family_key(&family.user, &family.id);
        let value: Option<String> = self
            .link
            .run(|mut c| {
                let key = key.clone();
                async move {
                    redis::cmd("GET")
                        .arg(key)
                        .query_async(&mut c.commands)
                        .await
                }
            })
            .await
            .map_err(unavailable)?;
        Ok(match value.as_deref().and_then(|v| v.split_once(' ')) {
            None => FamilyState::Gone,
            Some(("live", ends_at)) => match ends_at.parse::<u64>() {
                Ok(ends_at) if ends_at > now_ms() / 1000 => FamilyState::Live { ends_at },
                _ => FamilyState::Gone,
            },
            Some((_, why)) => FamilyState::Ended(Ended::of(why)),
        })
    }

    /// The family's record and the token's pointer, as Redis holds them (for the inspector).
    pub async fn entries(
        &self,
        family: &Family,
        token: Option<&RefreshToken>,
    ) -> Result<Vec<StoredEntry>, BackendError> {
        let mut keys = vec![family_key(&family.user, &family.id)];
        keys.extend(token.map(token_key));
        let mut entries = Vec::new();
        for key in keys {
            let found: (Option<String>, i64) = self
                .link
                .run(|mut c| {
                    let key = key.clone();
                    async move {
                        let value = redis::cmd("GET")
                            .arg(&key)
                            .query_async(&mut c.commands)
                            .await?;
                        let ttl = redis::cmd("TTL")
                            .arg(&key)
                            .query_async(&mut c.commands)
                            .await?;
                        Ok::<_, redis::RedisError>((value, ttl))
                    }
                })
                .await
                .map_err(unavailable)?;
            if let (Some(value), ttl) = found {
                entries.push(StoredEntry {
                    key,
                    value,
                    ttl_seconds: ttl,
                });
            }
        }
        Ok(entries)
    }

    /// How many refresh tokens Redis holds (spent ones included), counted up to `bound`.
    pub async fn count_tokens(&self, bound: u64) -> Result<(u64, bool), BackendError> {
        self.link
            .count_keys(&format!("{TOKEN_PREFIX}*"), Some(bound))
            .await
            .map_err(unavailable)
    }

    pub async fn ping(&self) -> Result<(), BackendError> {
        self.link.ping().await.map_err(unavailable)
    }
}

enum FamilyState {
    Gone,
    Ended(Ended),
    Live { ends_at: u64 },
}

/// A username as one space-free word (the pointer's value is space-separated).
fn escaped(user: &str) -> String {
    authlab_session::record::escaped_user(user)
}

fn unescaped(word: &str) -> String {
    percent_encoding::percent_decode_str(word)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_is_a_reason_the_login_page_can_explain() {
        assert_eq!(
            Refusal::Ended(Ended::Reused).rejection(),
            Rejection::RefreshReused
        );
        assert_eq!(
            Refusal::Ended(Ended::LoggedOut).rejection(),
            Rejection::Revoked
        );
        assert_eq!(Refusal::Unknown.rejection(), Rejection::Expired);
        for word in ["logout", "everywhere", "reused"] {
            assert_eq!(Ended::of(word).word(), word);
        }
    }

    #[test]
    fn a_family_key_carries_its_users_hash_tag_and_a_token_key_only_its_hash() {
        let token = RefreshToken::generate();

        assert_eq!(family_key("alice", "f1"), "authlab:family:{alice}:f1");
        assert_eq!(
            token_key(&token),
            format!("authlab:refresh:{}", token.digest())
        );
        assert!(!token_key(&token).contains(token.expose()));
        assert_eq!(unescaped(&escaped("al ice{}")), "al ice{}");
    }
}
