//! The stores under test, each with a way to count its records from outside the store.

use std::time::Duration;

use authlab_session::store::{
    InProcessStore, LoginStore, RedisLink, RedisStore, StoreCapabilities, REDIS_KEY_PREFIX,
};
use authlab_testkit::{RedisCluster, RedisServer};

pub trait Fixture {
    type Store: LoginStore;

    fn store(&self) -> &Self::Store;

    /// Session records the store's backing holds, counted without asking the store.
    fn records_held(&self) -> u64;

    /// What this store must declare it survives.
    fn expected_capabilities(&self) -> StoreCapabilities;
}

pub struct RedisFixture {
    redis: RedisServer,
    store: RedisStore,
}

impl RedisFixture {
    pub fn start() -> Self {
        let redis = RedisServer::start().expect("a private redis-server");
        let link = RedisLink::new(&redis.url(), Duration::from_secs(2)).expect("a Redis URL");
        RedisFixture {
            store: RedisStore::new(link),
            redis,
        }
    }
}

impl Fixture for RedisFixture {
    type Store = RedisStore;

    fn store(&self) -> &RedisStore {
        &self.store
    }

    fn records_held(&self) -> u64 {
        let reply = self
            .redis
            .command(&format!(
                "EVAL \"return #redis.call('KEYS', '{REDIS_KEY_PREFIX}*')\" 0"
            ))
            .expect("count");
        reply
            .strip_prefix(':')
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("unexpected reply {reply}"))
    }

    fn expected_capabilities(&self) -> StoreCapabilities {
        StoreCapabilities {
            survives_app_restart: true,
            shared_across_instances: true,
        }
    }
}

/// The Redis store on a six-node Redis Cluster. The cluster is shared by the bodies of one test
/// (starting six nodes per body would be most of the suite's time), so each fixture starts by
/// flushing every master.
pub struct RedisClusterFixture<'a> {
    cluster: &'a RedisCluster,
    store: RedisStore,
}

impl<'a> RedisClusterFixture<'a> {
    pub fn flushed(cluster: &'a RedisCluster) -> Self {
        let _: Vec<String> = cluster
            .on_each_master(&redis::cmd("FLUSHALL"))
            .expect("FLUSHALL on every master");
        let link =
            RedisLink::cluster(&cluster.seed_nodes(), Duration::from_secs(2)).expect("seed nodes");
        RedisClusterFixture {
            cluster,
            store: RedisStore::new(link),
        }
    }
}

impl Fixture for RedisClusterFixture<'_> {
    type Store = RedisStore;

    fn store(&self) -> &RedisStore {
        &self.store
    }

    fn records_held(&self) -> u64 {
        let script = format!("return #redis.call('KEYS', '{REDIS_KEY_PREFIX}*')");
        let counts: Vec<u64> = self
            .cluster
            .on_each_master(redis::cmd("EVAL").arg(script).arg(0))
            .expect("count on every master");
        counts.iter().sum()
    }

    fn expected_capabilities(&self) -> StoreCapabilities {
        StoreCapabilities {
            survives_app_restart: true,
            shared_across_instances: true,
        }
    }
}

pub struct InProcessFixture {
    store: InProcessStore,
}

impl InProcessFixture {
    pub fn start() -> Self {
        InProcessFixture {
            store: InProcessStore::new(),
        }
    }
}

impl Fixture for InProcessFixture {
    type Store = InProcessStore;

    fn store(&self) -> &InProcessStore {
        &self.store
    }

    fn records_held(&self) -> u64 {
        self.store.stats().sessions as u64
    }

    fn expected_capabilities(&self) -> StoreCapabilities {
        StoreCapabilities {
            survives_app_restart: false,
            shared_across_instances: false,
        }
    }
}
