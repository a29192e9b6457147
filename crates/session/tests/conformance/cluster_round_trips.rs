//! What the Redis store keeps on a Redis Cluster: an unchanged request is still one command, sent
//! to the one master that holds the user's slot.

use std::{collections::HashMap, time::Duration};

use actix_session::storage::SessionStore;
use actix_web::cookie::time;
use authlab_session::store::{LoginStore, RedisLink, RedisStore};
use authlab_testkit::RedisCluster;

/// Commands each master has processed so far (read inside a script, which does not count itself;
/// the helper's own connection set-up does count, so callers subtract an idle reading).
fn commands_processed(cluster: &RedisCluster) -> Vec<i64> {
    // The calls of the commands that read or write keys, from `INFO commandstats`. Counting every
    // processed command was flaky: the cluster client and the replicas send their own PING,
    // CLUSTER and INFO commands at moments of their choosing. This script's own EVAL is left out
    // too, so a reading does not count itself.
    cluster
        .on_each_master(
            redis::cmd("EVAL")
                .arg(
                    "local total = 0 \
                     for name, calls in string.gmatch(redis.call('INFO', 'commandstats'), \
                       'cmdstat_([%w|_]+):calls=(%d+)') do \
                       if name ~= 'info' and name ~= 'ping' and name ~= 'cluster' \
                         and name ~= 'eval' and name ~= 'client' and name ~= 'command' \
                         and name ~= 'hello' and name ~= 'readonly' and name ~= 'config' \
                         and name ~= 'replconf' and name ~= 'select' then \
                         total = total + tonumber(calls) end end \
                     return total",
                )
                .arg(0),
        )
        .expect("INFO commandstats on every master")
}

#[tokio::test]
async fn on_a_cluster_loading_a_login_is_one_command_on_one_master() {
    let cluster = RedisCluster::start().expect("a six-node cluster");
    let store = RedisStore::new(
        RedisLink::cluster(&cluster.seed_nodes(), Duration::from_secs(2)).expect("seeds"),
    );
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
    let idle: Vec<i64> = commands_processed(&cluster)
        .iter()
        .zip(commands_processed(&cluster))
        .map(|(first, second)| second - first)
        .collect();

    let before = commands_processed(&cluster);
    let loaded = store.load(&key).await.expect("load");
    let after = commands_processed(&cluster);

    let per_master: Vec<i64> = (0..after.len())
        .map(|n| after[n] - before[n] - idle[n])
        .collect();
    assert!(loaded.is_some());
    assert_eq!(
        per_master.iter().sum::<i64>(),
        1,
        "one command per unchanged request: {per_master:?}"
    );
    assert_eq!(per_master.iter().filter(|&&n| n == 1).count(), 1);
}
