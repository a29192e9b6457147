//! A throwaway Redis Cluster: six `redis-server` processes (three masters, three replicas).
//!
//! Design:
//! - **Real nodes, made by Redis's own tool.** Each node is a [`RedisServer`] with
//!   `cluster-enabled` and its own temp dir (its `nodes.conf` survives a restart of the node);
//!   `redis-cli --cluster create … --cluster-replicas 1` assigns the slots and the replicas, as an
//!   operator would. Nothing about slot layout is assumed: it is read back from `CLUSTER NODES`.
//! - **Two ports per node.** A node also listens on its cluster bus, `port + 10000`, so ports are
//!   picked in free pairs ([`free_port_with_neighbour`]); a node that still cannot bind either is
//!   seen in its log and started on another pair.
//! - **Ready means ready for a failover.** Start-up waits until every node says
//!   `cluster_state:ok`, knows all six nodes, and every replica's link to its master is up: a
//!   replica that has not synced would not be elected, and a failover test would time out.
//! - **Failover is Redis's, timed by its own setting.** [`RedisCluster::kill_master_of`] is a
//!   SIGKILL; [`RedisCluster::wait_for_failover`] waits until another live node serves the slot
//!   and the cluster is `ok` again. How long that takes is `cluster-node-timeout`
//!   ([`ClusterOptions::node_timeout`]) plus the replica's election delay (0.5–1 s).

use std::{
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use crate::{
    child::{exit_status, kill_and_reap},
    cluster_nodes::{self, NodeView},
    free_port::free_port_with_neighbour,
    listening::tail,
    RedisOptions, RedisServer,
};

const NODES: usize = 6;
const BUS_OFFSET: u16 = 10000;
const CREATE_TIMEOUT: Duration = Duration::from_secs(30);
const READY_TIMEOUT: Duration = Duration::from_secs(30);
const QUERY_TIMEOUT: Duration = Duration::from_secs(1);

/// How the cluster's nodes behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClusterOptions {
    /// `cluster-node-timeout`: how long a master may be unreachable before it is failed over.
    pub node_timeout: Duration,
}

impl Default for ClusterOptions {
    /// One second: failovers in a couple of seconds, tests that stay short.
    fn default() -> Self {
        ClusterOptions {
            node_timeout: Duration::from_millis(1000),
        }
    }
}

/// The slot a command is about: given directly, or the slot of a key (hash tags honoured).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOrSlot {
    Key(String),
    Slot(u16),
}

impl From<&str> for KeyOrSlot {
    fn from(key: &str) -> Self {
        KeyOrSlot::Key(key.to_owned())
    }
}

impl From<String> for KeyOrSlot {
    fn from(key: String) -> Self {
        KeyOrSlot::Key(key)
    }
}

impl From<u16> for KeyOrSlot {
    fn from(slot: u16) -> Self {
        KeyOrSlot::Slot(slot)
    }
}

/// The master [`RedisCluster::kill_master_of`] killed, for [`RedisCluster::wait_for_failover`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KilledMaster {
    pub port: u16,
    pub slot: u16,
}

/// Six cluster nodes on 127.0.0.1, killed when dropped.
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
}

impl RedisCluster {
    pub fn start() -> anyhow::Result<Self> {
        Self::start_with(ClusterOptions::default())
    }

    pub fn start_with(options: ClusterOptions) -> anyhow::Result<Self> {
        let args = vec![
            "--cluster-enabled".to_owned(),
            "yes".to_owned(),
            "--cluster-config-file".to_owned(),
            "nodes.conf".to_owned(),
            "--cluster-node-timeout".to_owned(),
            options.node_timeout.as_millis().to_string(),
        ];
        let nodes = (0..NODES)
            .map(|_| {
                RedisServer::start_configured(RedisOptions::default(), args.clone(), || {
                    free_port_with_neighbour(BUS_OFFSET)
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let cluster = RedisCluster { nodes };
        cluster.create()?;
        cluster.wait_until_ready(READY_TIMEOUT)?;
        Ok(cluster)
    }

    /// Every node's `127.0.0.1:port`, as a cluster client's seed list.
    pub fn seed_nodes(&self) -> Vec<String> {
        self.nodes
            .iter()
            .map(|node| format!("127.0.0.1:{}", node.port()))
            .collect()
    }

    /// The slot of a key, as the cluster computes it (`CLUSTER KEYSLOT`).
    pub fn slot_of(&self, target: impl Into<KeyOrSlot>) -> anyhow::Result<u16> {
        match target.into() {
            KeyOrSlot::Slot(slot) => Ok(slot),
            KeyOrSlot::Key(key) => {
                let port = self.a_running_port()?;
                Ok(query(port, redis::cmd("CLUSTER").arg("KEYSLOT").arg(&key))?)
            }
        }
    }

    /// `127.0.0.1:port` of the live master that serves this key or slot now.
    pub fn master_of(&self, target: impl Into<KeyOrSlot>) -> anyhow::Result<String> {
        let slot = self.slot_of(target)?;
        let port = self.master_port(slot)?;
        Ok(format!("127.0.0.1:{port}"))
    }

    /// `127.0.0.1:port` of every live master, as the first live node that answers sees them.
    pub fn masters(&self) -> anyhow::Result<Vec<String>> {
        let port = self.a_running_port()?;
        let text: String = query(port, redis::cmd("CLUSTER").arg("NODES"))?;
        Ok(cluster_nodes::parse(&text)
            .into_iter()
            .filter(|node| node.master && !node.failing && !node.slots.is_empty())
            .map(|node| format!("127.0.0.1:{}", node.port))
            .collect())
    }

    /// One command on every live master (the whole key space is theirs), one answer each: to
    /// count or flush keys from outside the app.
    pub fn on_each_master<T: redis::FromRedisValue>(
        &self,
        command: &redis::Cmd,
    ) -> anyhow::Result<Vec<T>> {
        self.masters()?
            .iter()
            .map(|address| {
                let port: u16 = address.rsplit_once(':').map_or("", |(_, p)| p).parse()?;
                Ok(query(port, command)?)
            })
            .collect()
    }

    /// Wait until the replica of this key's or slot's master has acknowledged every write the
    /// master had made when this was called (replication is asynchronous: a write a replica has
    /// not acknowledged is lost when its master dies). Returns how long that took.
    pub fn wait_until_replicated(
        &self,
        target: impl Into<KeyOrSlot>,
        within: Duration,
    ) -> anyhow::Result<Duration> {
        let slot = self.slot_of(target)?;
        let port = self.master_port(slot)?;
        let started = Instant::now();
        let info = |port| query::<String>(port, redis::cmd("INFO").arg("replication"));
        let written = replication_offsets(&info(port)?).0;
        let mut last = String::new();
        while started.elapsed() < within {
            let text = info(port)?;
            let (_, replicas) = replication_offsets(&text);
            if !replicas.is_empty() && replicas.iter().all(|&offset| offset >= written) {
                return Ok(started.elapsed());
            }
            last = text.replace("\r\n", " ");
            std::thread::sleep(Duration::from_millis(10));
        }
        anyhow::bail!("slot {slot}'s replica did not catch up within {within:?}: {last}")
    }

    /// SIGKILL the master that serves this key or slot: a crash, no goodbye to its replica.
    pub fn kill_master_of(&mut self, target: impl Into<KeyOrSlot>) -> anyhow::Result<KilledMaster> {
        let slot = self.slot_of(target)?;
        let port = self.master_port(slot)?;
        let node = self
            .nodes
            .iter_mut()
            .find(|node| node.port() == port)
            .ok_or_else(|| anyhow::anyhow!("slot {slot}'s master {port} is not one of ours"))?;
        node.stop();
        Ok(KilledMaster { port, slot })
    }

    /// Wait until a replica has taken over the killed master's slot and every live node says
    /// `cluster_state:ok`; returns how long that took from this call.
    pub fn wait_for_failover(
        &self,
        killed: &KilledMaster,
        within: Duration,
    ) -> anyhow::Result<Duration> {
        let started = Instant::now();
        let mut last = String::new();
        while started.elapsed() < within {
            match self.master_port(killed.slot) {
                Ok(port) if port != killed.port && self.all_ok() => return Ok(started.elapsed()),
                Ok(port) => last = format!("slot {} served by {port}", killed.slot),
                Err(err) => last = err.to_string(),
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        anyhow::bail!(
            "no replica took over slot {} from {} within {within:?} (last seen: {last})",
            killed.slot,
            killed.port
        )
    }

    /// `redis-cli --cluster create`, bounded in time, its output kept for the error message.
    fn create(&self) -> anyhow::Result<()> {
        let dir = tempfile::Builder::new()
            .prefix("authlab-cluster-")
            .tempdir()?;
        let out_path = dir.path().join("create.log");
        let out = std::fs::File::create(&out_path)?;
        let mut child = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(self.seed_nodes())
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .map_err(|err| {
                anyhow::anyhow!(
                    "could not run redis-cli ({err}): it comes with redis-server \
                     (Debian: `apt-get install redis-tools`)"
                )
            })?;
        let started = Instant::now();
        let status = loop {
            if let Some(status) = exit_status(&mut child) {
                break status;
            }
            if started.elapsed() > CREATE_TIMEOUT {
                kill_and_reap(&mut child);
                anyhow::bail!(
                    "redis-cli --cluster create took over {CREATE_TIMEOUT:?}:\n{}",
                    read_tail(&out_path)
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        if !status.success() {
            anyhow::bail!(
                "redis-cli --cluster create failed ({status}):\n{}",
                read_tail(&out_path)
            );
        }
        Ok(())
    }

    fn wait_until_ready(&self, within: Duration) -> anyhow::Result<()> {
        let started = Instant::now();
        let mut last = String::new();
        while started.elapsed() < within {
            match self.not_ready_yet() {
                None => return Ok(()),
                Some(why) => last = why,
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        anyhow::bail!("the cluster was not ready within {within:?}: {last}")
    }

    /// Why the cluster is not ready for a failover yet, or `None` when it is.
    fn not_ready_yet(&self) -> Option<String> {
        for node in &self.nodes {
            let port = node.port();
            let info: String = match query(port, redis::cmd("CLUSTER").arg("INFO")) {
                Ok(info) => info,
                Err(err) => return Some(format!("{port}: {err}")),
            };
            if !info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:6") {
                return Some(format!("{port}: {}", info.replace("\r\n", " ")));
            }
            let replication: String = match query(port, redis::cmd("INFO").arg("replication")) {
                Ok(text) => text,
                Err(err) => return Some(format!("{port}: {err}")),
            };
            if replication.contains("role:slave") && !replication.contains("master_link_status:up")
            {
                return Some(format!("{port}: replica not linked to its master yet"));
            }
        }
        None
    }

    fn all_ok(&self) -> bool {
        self.running_ports().all(|port| {
            query::<String>(port, redis::cmd("CLUSTER").arg("INFO"))
                .is_ok_and(|info| info.contains("cluster_state:ok"))
        })
    }

    /// The master of `slot` in the view of the first live node that answers.
    fn master_port(&self, slot: u16) -> anyhow::Result<u16> {
        let port = self.a_running_port()?;
        let text: String = query(port, redis::cmd("CLUSTER").arg("NODES"))?;
        let nodes: Vec<NodeView> = cluster_nodes::parse(&text);
        cluster_nodes::master_of(&nodes, slot)
            .map(|node| node.port)
            .ok_or_else(|| anyhow::anyhow!("no live master serves slot {slot} (seen by {port})"))
    }

    fn running_ports(&self) -> impl Iterator<Item = u16> + '_ {
        self.nodes
            .iter()
            .filter(|node| node.pid().is_some())
            .map(RedisServer::port)
    }

    fn a_running_port(&self) -> anyhow::Result<u16> {
        self.running_ports()
            .next()
            .ok_or_else(|| anyhow::anyhow!("no cluster node is running"))
    }
}

/// One command to one node, with timeouts: a killed node must fail fast, not hang the helper.
fn query<T: redis::FromRedisValue>(port: u16, command: &redis::Cmd) -> redis::RedisResult<T> {
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}"))?;
    let mut connection = client.get_connection_with_timeout(QUERY_TIMEOUT)?;
    connection.set_read_timeout(Some(QUERY_TIMEOUT))?;
    connection.set_write_timeout(Some(QUERY_TIMEOUT))?;
    command.query(&mut connection)
}

/// `INFO replication` of a master: its own offset, and each online replica's acknowledged one.
fn replication_offsets(info: &str) -> (u64, Vec<u64>) {
    let mut own = 0;
    let mut replicas = Vec::new();
    for line in info.lines() {
        if let Some(offset) = line.strip_prefix("master_repl_offset:") {
            own = offset.trim().parse().unwrap_or(0);
        } else if line.starts_with("slave") && line.contains("state=online") {
            let offset: Option<u64> = line
                .split(',')
                .find_map(|field| field.strip_prefix("offset="))
                .and_then(|offset| offset.trim().parse().ok());
            replicas.extend(offset);
        }
    }
    (own, replicas)
}

fn read_tail(path: &Path) -> String {
    tail(&std::fs::read_to_string(path).unwrap_or_default(), 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masters_offset_and_its_online_replicas_offsets_are_read() {
        let info = "# Replication\r\nrole:master\r\nconnected_slaves:2\r\n\
                    slave0:ip=127.0.0.1,port=7003,state=online,offset=1200,lag=0\r\n\
                    slave1:ip=127.0.0.1,port=7004,state=wait_bgsave,offset=0,lag=0\r\n\
                    master_repl_offset:1234\r\n";

        assert_eq!(replication_offsets(info), (1234, vec![1200]));
    }
}
