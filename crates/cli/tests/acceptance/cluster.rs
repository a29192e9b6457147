//! `/session` on a real six-node Redis Cluster when the master holding a user's slot is killed:
//! the mount recovers by itself once a replica has taken over, and every answer in between is a
//! quick 503, never a hang, a 500, or a login lost (the login was replicated before the kill).
//! And the walks of the key space (the flush lab) reach every master.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use authlab_testkit::{
    assert_is_redirect_to, assert_status, ClusterOptions, RedisCluster, TestApp, ALICE, SESSION,
};

/// A request slower than this counts as a hang (the Redis timeout is 500 ms).
const HANG: Duration = Duration::from_secs(3);
/// How long the mount may take to answer again once the replica has taken over.
const RECOVERY_MARGIN: Duration = Duration::from_secs(5);

#[tokio::test]
async fn after_the_users_master_is_killed_session_recovers_by_itself_with_only_503s_between() {
    let options = ClusterOptions::default();
    let mut cluster = RedisCluster::start_with(options).expect("a six-node cluster");
    let app = TestApp::spawn_on_cluster(&cluster).await;
    app.log_in(SESSION, ALICE).await;
    assert_status(&app.get_dashboard(SESSION).await, 200);
    // Every key of alice's carries her hash tag, so they all live in the slot of `{alice}`.
    let alices_slot = "{alice}";
    cluster
        .wait_until_replicated(alices_slot, Duration::from_secs(10))
        .expect("the login reaches the replica");

    let killed = cluster.kill_master_of(alices_slot).expect("kill");
    let killed_at = Instant::now();
    let cluster = Arc::new(cluster);
    let takeover = {
        let cluster = cluster.clone();
        tokio::task::spawn_blocking(move || {
            cluster
                .wait_for_failover(&killed, Duration::from_secs(30))
                .map(|_| killed_at.elapsed())
        })
    };
    let health_during = app.get_healthz().await.json()["redis"].clone();
    let mut answers: Vec<(u16, Duration)> = Vec::new();
    let recovered_after = loop {
        let sent = Instant::now();
        let status = tokio::time::timeout(HANG * 2, app.get_dashboard(SESSION))
            .await
            .map_or(0, |response| response.status.as_u16());
        answers.push((status, sent.elapsed()));
        if status == 200 {
            break killed_at.elapsed();
        }
        assert!(
            killed_at.elapsed() < Duration::from_secs(40),
            "no recovery 40 s after the kill: {answers:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let took_over_after = takeover
        .await
        .expect("the watcher ran")
        .expect("a replica takes over");
    let health_after = app.get_healthz().await.json()["redis"].clone();

    let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    eprintln!(
        "replica took over after {took_over_after:?}; /session answered again after \
         {recovered_after:?}; {} answers of 503 between",
        statuses.iter().filter(|s| **s == 503).count()
    );
    assert!(
        statuses
            .iter()
            .all(|status| *status == 503 || *status == 200),
        "only 503 until the replica serves, then 200 (no 500, no hang, no login lost): {answers:?}"
    );
    assert!(
        statuses.contains(&503),
        "the slot had no master for a while: {answers:?}"
    );
    assert!(
        answers.iter().all(|(_, took)| *took < HANG),
        "every answer came quickly: {answers:?}"
    );
    assert!(
        recovered_after <= took_over_after + RECOVERY_MARGIN,
        "recovered {recovered_after:?} after the kill, the replica took over after \
         {took_over_after:?}"
    );
    assert_eq!(health_during, "down", "a master is missing");
    assert_eq!(health_after, "up");
}

/// Keys of every master that match `pattern`, one count per master.
fn keys_per_master(cluster: &RedisCluster, pattern: &str) -> Vec<u64> {
    cluster
        .on_each_master(
            redis::cmd("EVAL")
                .arg(format!("return #redis.call('KEYS', '{pattern}')"))
                .arg(0),
        )
        .expect("a count on every master")
}

#[tokio::test]
async fn the_flush_lab_deletes_the_app_keys_on_every_master_and_nothing_else() {
    let cluster = RedisCluster::start().expect("a six-node cluster");
    let app = TestApp::spawn_on_cluster(&cluster).await;
    app.log_in(SESSION, ALICE).await;
    // Keys in ten slots, so on more than one master: the app's prefix, and someone else's.
    for n in 0..10 {
        for key in [format!("authlab:planted:{{{n}}}"), format!("other:{{{n}}}")] {
            let master = cluster.master_of(key.as_str()).expect("its master");
            let client = redis::Client::open(format!("redis://{master}")).expect("a URL");
            let mut connection = client
                .get_connection_with_timeout(Duration::from_secs(2))
                .expect("the master answers");
            let _: () = redis::cmd("SET")
                .arg(&key)
                .arg(1)
                .query(&mut connection)
                .expect("SET");
        }
    }
    let before = keys_per_master(&cluster, "authlab:*");
    // Flushing is a teacher's tool.
    app.log_in_as_teacher().await;

    let token = app.csrf_token().await;
    let flushed = app
        .post_form_as_is("/labs/flush", &[("csrf", &token)], &[])
        .await;

    assert_status(&flushed, 200);
    assert!(
        before.iter().filter(|&&n| n > 0).count() >= 2,
        "the app's keys were spread over the masters: {before:?}"
    );
    assert_eq!(
        keys_per_master(&cluster, "authlab:*"),
        vec![0; before.len()]
    );
    assert_eq!(keys_per_master(&cluster, "other:*").iter().sum::<u64>(), 10);
    assert_is_redirect_to(&app.get_dashboard(SESSION).await, "/session/login");
}
