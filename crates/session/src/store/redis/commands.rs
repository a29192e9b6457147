//! The connection a Redis call runs on: one Redis, or a Redis Cluster, behind one type.
//!
//! Every caller writes its commands once (`query_async(&mut c.commands)`); the cluster client
//! routes each to the master of its key's slot, which is why every key of one user carries the
//! user's hash tag (see [`super::keys`]). What a cluster cannot route by key (walking the key
//! space, asking "is everyone there?") is asked of [`Commands`] by name, and answered per node in
//! [`super::cluster`].

use redis::{
    aio::{ConnectionLike, ConnectionManager},
    cluster_async::ClusterConnection,
    Cmd, Pipeline, RedisFuture, Value,
};

use super::cluster;

/// Commands to one Redis or to a cluster. Cheap to clone: clones share the connection(s).
#[derive(Clone)]
pub enum Commands {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

/// Where one `SCAN` walk runs: the one Redis, or one master of a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanNode {
    Single,
    /// The master serving this slot (any slot of its ranges).
    MasterOf(u16),
}

impl Commands {
    /// Every node whose keys together are the whole key space: the one Redis, or every master.
    pub async fn scan_nodes(&mut self) -> redis::RedisResult<Vec<ScanNode>> {
        match self {
            Commands::Single(_) => Ok(vec![ScanNode::Single]),
            Commands::Cluster(cluster) => Ok(cluster::masters(cluster)
                .await?
                .into_iter()
                .map(ScanNode::MasterOf)
                .collect()),
        }
    }

    /// One `SCAN cursor MATCH pattern COUNT count` step on `node`: the next cursor and the keys.
    pub async fn scan_step(
        &mut self,
        node: ScanNode,
        cursor: u64,
        pattern: &str,
        count: usize,
    ) -> redis::RedisResult<(u64, Vec<String>)> {
        let mut scan = redis::cmd("SCAN");
        scan.arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(count);
        match (self, node) {
            (Commands::Cluster(cluster), ScanNode::MasterOf(slot)) => {
                cluster::on_master_of(cluster, slot, &scan).await
            }
            (commands, _) => scan.query_async(commands).await,
        }
    }

    /// `PING`; on a cluster, every master must answer (a master down is a third of the users
    /// logged out until its replica takes over).
    pub async fn ping(&mut self) -> redis::RedisResult<()> {
        match self {
            Commands::Single(single) => redis::cmd("PING")
                .query_async::<String>(single)
                .await
                .map(drop),
            Commands::Cluster(cluster) => cluster::ping_masters(cluster).await,
        }
    }
}

impl ConnectionLike for Commands {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Commands::Single(single) => single.req_packed_command(cmd),
            Commands::Cluster(cluster) => cluster.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Commands::Single(single) => single.req_packed_commands(cmd, offset, count),
            Commands::Cluster(cluster) => cluster.req_packed_commands(cmd, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Commands::Single(single) => single.get_db(),
            Commands::Cluster(cluster) => cluster.get_db(),
        }
    }
}
