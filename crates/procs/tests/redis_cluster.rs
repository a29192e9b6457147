//! A real six-node Redis Cluster: every node agrees it is `ok`, a key lives on the master the
//! helper names, and when that master is killed its replica takes over with the key.

use std::time::Duration;

use authlab_procs::{ClusterOptions, RedisCluster};

fn connect(address: &str) -> redis::Connection {
    let client = redis::Client::open(format!("redis://{address}")).expect("a URL");
    let connection = client
        .get_connection_with_timeout(Duration::from_secs(2))
        .expect("the node answers");
    connection
        .set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    connection
}

#[test]
fn a_killed_master_is_replaced_by_its_replica_which_has_the_replicated_key() {
    let options = ClusterOptions::default();
    let mut cluster = RedisCluster::start_with(options).expect("a six-node cluster");
    let key = "{alice}:session";
    let slot = cluster.slot_of(key).expect("slot");
    let master = cluster.master_of(key).expect("its master");
    let mut connection = connect(&master);
    let _: () = redis::cmd("SET")
        .arg(key)
        .arg("logged-in")
        .query(&mut connection)
        .expect("SET on the master");
    // Replication is asynchronous: only a write a replica acknowledged can survive the kill.
    let replicas: i64 = redis::cmd("WAIT")
        .arg(1)
        .arg(2000)
        .query(&mut connection)
        .expect("WAIT");

    let killed = cluster.kill_master_of(key).expect("kill");
    let took = cluster
        .wait_for_failover(&killed, Duration::from_secs(20))
        .expect("a replica takes over");

    let new_master = cluster.master_of(slot).expect("a new master");
    let value: Option<String> = redis::cmd("GET")
        .arg(key)
        .query(&mut connect(&new_master))
        .expect("GET on the new master");
    assert_eq!(cluster.seed_nodes().len(), 6);
    assert_eq!(replicas, 1, "the write reached the replica before the kill");
    assert_eq!(killed.slot, slot);
    assert_ne!(new_master, master, "another node serves the slot now");
    assert_eq!(value.as_deref(), Some("logged-in"));
    assert!(
        took >= options.node_timeout,
        "Redis waits cluster-node-timeout before failing over, took {took:?}"
    );
}
