//! Ending logins in Redis so that nothing can bring them back: the logout race, and "log out
//! everywhere", with one small value per user instead of sets.
//!
//! actix-session's race: a request that loaded a session before a logout may save it afterwards
//! (an update after a change, or a save after a renewal), and the user is logged in again. Here
//! every write of a login goes through one Lua script ([`WRITE`]), atomic in Redis, that refuses
//! it when
//!
//! - the login was logged out: logout sets `authlab:ended:{user}:<login>` and then deletes the
//!   login's one record (its key follows from the login id, so no set of keys is needed). A write
//!   before the logout is deleted by it; a write after it sees the mark;
//! - the user logged out everywhere since the request loaded the login: the state carries the
//!   epoch it was loaded under, and "log out everywhere" bumps `authlab:epoch:{user}`. Reads check
//!   the epoch too (in the same `MGET` as the record), so an older record is dead at once, on
//!   every device, by one `INCR`.
//!
//! The marks cost memory only for logins recently logged out, and the epoch only for users who
//! logged out everywhere, so a logged-in user costs one key. A continuing write also keeps the
//! epoch key alive as long as the record it wrote (`EXPIRE … GT`), so an epoch never lapses under
//! a record that depends on it; and a bumped epoch lives at least as long as any older record
//! could, so that lapsing never brings one back.

use std::time::Duration;

use super::{
    keys::{ended_key, epoch_key, login_record_key, user_records_pattern, user_tag},
    link::{RedisLink, RedisUnavailable},
};

/// Write a login's record unless it was ended.
///
/// `KEYS`: record, epoch, ended mark. `ARGV`: the record line up to its epoch; the epoch the
/// request loaded (`""` for a new login); the secret to keep (an update of the current session
/// key; `""` otherwise); a fresh secret; the TTL in seconds. Returns the secret written, or nil
/// when the write is refused.
pub const WRITE: &str = r"
local epoch = redis.call('GET', KEYS[2]) or '0'
if redis.call('EXISTS', KEYS[3]) == 1 then return false end
local secret = ARGV[4]
if ARGV[2] == '' then
  if redis.call('EXISTS', KEYS[1]) == 1 then return false end
else
  if ARGV[2] ~= epoch then return false end
  if ARGV[3] ~= '' then
    local old = redis.call('GET', KEYS[1])
    if old and string.sub(old, -(#ARGV[3] + 1)) == ' ' .. ARGV[3] then secret = ARGV[3] end
  end
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. epoch .. ' ' .. secret, 'EX', ARGV[5])
if epoch ~= '0' then redis.call('EXPIRE', KEYS[2], ARGV[5], 'GT') end
return secret
";

/// End one login of `user`: mark it ended, then delete its record.
pub async fn revoke_login(
    link: &RedisLink,
    user: &str,
    login_id: &str,
    remember_for: Duration,
) -> Result<(), RedisUnavailable> {
    let tag = user_tag(user);
    let ended = ended_key(&tag, login_id);
    let record = login_record_key(&tag, login_id);
    let ttl = remember_for.as_secs().max(1);
    let (ended, record) = (&ended, &record);
    link.run(|mut c| async move {
        redis::pipe()
            .cmd("SET")
            .arg(ended)
            .arg(1)
            .arg("EX")
            .arg(ttl)
            .ignore()
            .cmd("DEL")
            .arg(record)
            .ignore()
            .query_async::<()>(&mut c.commands)
            .await
    })
    .await
}

/// End every login of `user` ("log out everywhere"): bump the epoch (that alone ends them),
/// then delete their records so their memory is freed and they are no longer counted; returns
/// how many there were.
pub async fn revoke_user(
    link: &RedisLink,
    user: &str,
    remember_for: Duration,
) -> Result<usize, RedisUnavailable> {
    let tag = user_tag(user);
    let epoch = epoch_key(&tag);
    let ttl = remember_for.as_secs().max(1);
    let epoch = &epoch;
    link.run(|mut c| async move {
        redis::pipe()
            .atomic()
            .cmd("INCR")
            .arg(epoch)
            .ignore()
            .cmd("EXPIRE")
            .arg(epoch)
            .arg(ttl)
            .ignore()
            .query_async::<()>(&mut c.commands)
            .await
    })
    .await?;
    // A walk of the key space, paid only by this rare action instead of a set per user paid by
    // every login; the epoch has already ended the logins, whatever the walk finds.
    let deleted = link.unlink_keys(&user_records_pattern(&tag)).await?;
    Ok(usize::try_from(deleted).unwrap_or(usize::MAX))
}
