//! Redis Cluster: the redis crate's async cluster client, held to this project's timeouts, and
//! the few things a cluster cannot route by key.
//!
//! Design:
//! - **Same bounds as one Redis.** The client gets the link's timeout as its connection and
//!   response timeout, and few, short retries: its defaults (16 retries, each after at least
//!   1.28 s) would outlive any request. The link's own timeout still bounds every call, and a
//!   failed call drops the whole cluster connection, so the next one starts from the seed nodes
//!   and reads the slot map afresh: that is how a request finds the replica that took over a
//!   killed master (the client alone keeps reconnecting to the dead address until a `MOVED`).
//! - **Keys route themselves.** Every key of one user shares the user's hash slot (`{alice}`), so
//!   the session read (`MGET record epoch`), the write script and logout each go to one master
//!   in one round trip. Nothing is read from replicas: replication is asynchronous, and a replica
//!   may still hold a login that was just logged out.
//! - **The key space is per master.** `SCAN` walks one node's keys; the client does not route
//!   it. [`masters`] lists one slot of every master (from `CLUSTER SLOTS`, deduplicated by node
//!   id) and [`on_master_of`] sends a command to the master of that slot, so a walk covers every
//!   key exactly once. The keys a walk finds may lie in many slots: `UNLINK` of a batch is split
//!   per slot by the client (a multi-key command across slots would be refused `CROSSSLOT`).

use std::{collections::HashSet, time::Duration};

use redis::{
    cluster::ClusterClientBuilder,
    cluster_async::ClusterConnection,
    cluster_routing::{
        MultipleNodeRoutingInfo, ResponsePolicy, Route, RoutingInfo, SingleNodeRoutingInfo,
        SlotAddr,
    },
    FromRedisValue, IntoConnectionInfo, RedisResult, Value,
};

/// Retries of one command inside the client (a `MOVED` after a failover, a `TRYAGAIN`), each
/// after 10–100 ms: within the link's timeout.
const RETRIES: u32 = 3;
const MIN_RETRY_WAIT_MS: u64 = 10;
const MAX_RETRY_WAIT_MS: u64 = 100;

/// `host:port` seeds as `redis://host:port` URLs; a seed given as a URL is kept as it is.
pub fn seed_urls(seeds: &[String]) -> Vec<String> {
    seeds
        .iter()
        .map(|seed| seed.trim())
        .filter(|seed| !seed.is_empty())
        .map(|seed| {
            if seed.contains("://") {
                seed.to_owned()
            } else {
                format!("redis://{seed}")
            }
        })
        .collect()
}

/// Why a seed list is not usable, checked before anything connects.
pub fn check_seeds(urls: &[String]) -> Result<(), String> {
    if urls.is_empty() {
        return Err("no seed node given".to_owned());
    }
    for url in urls {
        url.as_str()
            .into_connection_info()
            .map_err(|err| err.to_string())?;
    }
    ClusterClientBuilder::new(urls.to_vec())
        .build()
        .map(drop)
        .map_err(|err| err.to_string())
}

/// Connect to the cluster through its seeds and read its slot map.
pub async fn connect(urls: &[String], timeout: Duration) -> RedisResult<ClusterConnection> {
    ClusterClientBuilder::new(urls.to_vec())
        .connection_timeout(timeout)
        .response_timeout(timeout)
        .retries(RETRIES)
        .min_retry_wait(MIN_RETRY_WAIT_MS)
        .max_retry_wait(MAX_RETRY_WAIT_MS)
        .build()?
        .get_async_connection()
        .await
}

/// One slot of every master, so that routing by these slots reaches each master once.
pub async fn masters(cluster: &mut ClusterConnection) -> RedisResult<Vec<u16>> {
    let slots = cluster
        .route_command(
            redis::cmd("CLUSTER").arg("SLOTS"),
            RoutingInfo::SingleNode(SingleNodeRoutingInfo::Random),
        )
        .await?;
    Ok(one_slot_per_master(&slots))
}

/// `CLUSTER SLOTS`: `[[start, end, [host, port, id, …], replicas…], …]`.
fn one_slot_per_master(slots: &Value) -> Vec<u16> {
    let Value::Array(ranges) = slots else {
        return Vec::new();
    };
    let mut seen = HashSet::new();
    let mut firsts = Vec::new();
    for range in ranges {
        let Value::Array(fields) = range else {
            continue;
        };
        let (Some(start), Some(Value::Array(master))) = (fields.first(), fields.get(2)) else {
            continue;
        };
        let Ok(start) = u16::from_redis_value(start) else {
            continue;
        };
        // The node id when the server gives one (Redis ≥ 4), else its address.
        let node = match master.get(2) {
            Some(id) => String::from_redis_value(id).ok(),
            None => None,
        }
        .unwrap_or_else(|| format!("{:?}", master.get(..2)));
        if seen.insert(node) {
            firsts.push(start);
        }
    }
    firsts
}

/// A command for the master serving `slot`, whatever keys it names.
pub async fn on_master_of<T: FromRedisValue>(
    cluster: &mut ClusterConnection,
    slot: u16,
    command: &redis::Cmd,
) -> RedisResult<T> {
    let value = cluster
        .route_command(
            command,
            RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(Route::new(
                slot,
                SlotAddr::Master,
            ))),
        )
        .await?;
    T::from_redis_value(&value)
}

/// `PING` every master; an error if any does not answer.
pub async fn ping_masters(cluster: &mut ClusterConnection) -> RedisResult<()> {
    cluster
        .route_command(
            &redis::cmd("PING"),
            RoutingInfo::MultiNode((
                MultipleNodeRoutingInfo::AllMasters,
                Some(ResponsePolicy::AllSucceeded),
            )),
        )
        .await
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(text: &str) -> Value {
        Value::BulkString(text.as_bytes().to_vec())
    }

    fn range(start: i64, end: i64, port: i64, id: &str) -> Value {
        Value::Array(vec![
            Value::Int(start),
            Value::Int(end),
            Value::Array(vec![bulk("127.0.0.1"), Value::Int(port), bulk(id)]),
            Value::Array(vec![bulk("127.0.0.1"), Value::Int(port + 3), bulk("r")]),
        ])
    }

    #[test]
    fn a_master_with_two_ranges_is_walked_once() {
        let slots = Value::Array(vec![
            range(0, 5460, 7000, "a"),
            range(5461, 10922, 7001, "b"),
            range(10923, 12000, 7002, "c"),
            range(12001, 16383, 7000, "a"),
        ]);

        assert_eq!(one_slot_per_master(&slots), vec![0, 5461, 10923]);
    }

    #[test]
    fn seeds_become_urls_and_blank_ones_are_dropped() {
        let seeds = [
            "127.0.0.1:7000".to_owned(),
            " redis://:pw@cache:7001 ".to_owned(),
            String::new(),
        ];

        let urls = seed_urls(&seeds);

        assert_eq!(urls, ["redis://127.0.0.1:7000", "redis://:pw@cache:7001"]);
        assert!(check_seeds(&urls).is_ok());
        assert!(check_seeds(&[]).is_err());
        assert!(check_seeds(&seed_urls(&["not a host:port:x".to_owned()])).is_err());
    }
}
