//! What only the Redis store promises: an unchanged request costs exactly one command, every key
//! of a user shares a hash slot, and a Redis restart costs no request an error.

use std::{collections::HashMap, time::Duration};

use actix_session::storage::SessionStore;
use actix_web::cookie::time;
use authlab_session::store::{LoginStore, RedisLink, RedisStore};
use authlab_testkit::RedisServer;

/// Commands Redis has processed so far (read inside a script, which does not count itself).
fn commands_processed(redis: &RedisServer) -> i64 {
    redis
        .integer(
            "EVAL \"return tonumber(string.match(redis.call('INFO', 'stats'), \
             'total_commands_processed:(%d+)'))\" 0",
        )
        .expect("INFO stats")
}

#[tokio::test]
async fn loading_a_login_is_one_command_that_reads_the_record_and_the_epoch() {
    let redis = RedisServer::start().expect("a private redis-server");
    let store =
        RedisStore::new(RedisLink::new(&redis.url(), Duration::from_secs(2)).expect("a URL"));
    let state = HashMap::from([
        ("user".to_owned(), "\"alice\"".to_owned()),
        ("login_id".to_owned(), "\"L1\"".to_owned()),
        ("role".to_owned(), "\"user\"".to_owned()),
        ("login_at".to_owned(), "1767225600".to_owned()),
    ]);
    let key = store
        .save(state, &time::Duration::minutes(5))
        .await
        .expect("save");
    store.ping().await.expect("connected");
    let idle = -commands_processed(&redis) + commands_processed(&redis);

    let before = commands_processed(&redis);
    let loaded = store.load(&key).await.expect("load");
    let after = commands_processed(&redis);

    assert!(loaded.is_some());
    assert_eq!(
        after - before - idle,
        1,
        "one command per unchanged request"
    );
}

#[tokio::test]
async fn every_key_of_one_user_shares_a_hash_slot() {
    let redis = RedisServer::start().expect("a private redis-server");
    let store =
        RedisStore::new(RedisLink::new(&redis.url(), Duration::from_secs(2)).expect("a URL"));
    let ttl = time::Duration::minutes(5);
    let login = |id: &str| {
        HashMap::from([
            ("user".to_owned(), "\"alice\"".to_owned()),
            ("login_id".to_owned(), format!("\"{id}\"")),
            ("role".to_owned(), "\"user\"".to_owned()),
            ("login_at".to_owned(), "1767225600".to_owned()),
        ])
    };
    store.save(login("L1"), &ttl).await.expect("save");
    store.save(login("L2"), &ttl).await.expect("save");
    store
        .revoke_login("alice", "L2", Duration::from_secs(60))
        .await
        .expect("logout");
    store
        .revoke_user("alice", Duration::from_secs(60))
        .await
        .expect("everywhere");
    store.save(login("L3"), &ttl).await.expect("save");

    let listed = redis
        .command("EVAL \"return {ok = table.concat(redis.call('KEYS', 'authlab:*'), ' ')}\" 0")
        .expect("keys");
    let keys: Vec<&str> = listed.trim_start_matches('+').split(' ').collect();

    assert_eq!(
        keys.len(),
        3,
        "a record, an ended mark and an epoch: {keys:?}"
    );
    for key in keys {
        // Redis Cluster hashes only the text between the first `{` and the `}` after it.
        let tag = key
            .split_once('{')
            .and_then(|(_, rest)| rest.split_once('}'))
            .map(|(tag, _)| tag);
        assert_eq!(tag, Some("alice"), "{key}");
    }
}

#[tokio::test]
async fn the_first_call_after_a_redis_restart_succeeds_on_a_fresh_connection() {
    let mut redis = RedisServer::start().expect("a private redis-server");
    let store =
        RedisStore::new(RedisLink::new(&redis.url(), Duration::from_secs(2)).expect("a URL"));
    store.ping().await.expect("connected before the restart");

    redis.restart().expect("redis restarts");
    let (answer, outage_reported) = authlab_session::outage::watch(store.ping()).await;

    assert!(answer.is_ok(), "{answer:?}");
    assert!(!outage_reported);
}
