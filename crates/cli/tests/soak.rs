//! Load: 200 concurrent clients for 60 s on each mount against the real binary. No 5xx, and the
//! server's resident memory flat after warm-up. `AUTHLAB_SOAK_SECS` shortens the run while
//! developing; the figures are printed and kept (see `common/measured.rs`).

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use authlab_procs::AppCommand;
use authlab_testkit::{RedisServer, ALICE};

#[path = "common/measured.rs"]
mod measured;

const CLIENTS: usize = 200;
/// Resident memory may grow this much after warm-up (allocator noise), no more.
const RSS_SLACK_BYTES: u64 = 8 * 1024 * 1024;

fn rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("procfs");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .expect("VmRSS")
}

#[derive(Default)]
struct Counts {
    ok: AtomicU64,
    client_errors: AtomicU64,
    server_errors: AtomicU64,
    transport_errors: AtomicU64,
}

async fn credential(http: &reqwest::Client, base: &str, mount: &str) -> (&'static str, String) {
    let response = http
        .post(format!("{base}/{mount}/api/login"))
        .json(&serde_json::json!({ "username": ALICE.0, "password": ALICE.1 }))
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), 200, "login on {mount}");
    if mount == "jwt" {
        let body: serde_json::Value = response.json().await.expect("json");
        let token = body["token"].as_str().expect("token");
        return ("authorization", format!("Bearer {token}"));
    }
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned();
    ("cookie", cookie)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_clients_per_mount_get_no_5xx_and_memory_stays_flat() {
    let seconds: u64 = std::env::var("AUTHLAB_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let redis = RedisServer::start().expect("redis");
    let data_dir = std::env::temp_dir().join(format!("authlab-soak-{}", std::process::id()));
    let server = AppCommand::serve(env!("CARGO_BIN_EXE_authlab"), redis.url())
        .data_dir(&data_dir)
        .log_filter("error")
        .start()
        .await
        .expect("authlab starts");
    let pid = server.pid().expect("running");
    let base = server.base_url();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let mut report = format!(
        "# Soak: {CLIENTS} concurrent clients for {seconds} s per mount\n\n\
         | mount | requests | ok | 4xx | 5xx | transport errors | RSS after warm-up | RSS at end |\n\
         |---|---|---|---|---|---|---|---|\n"
    );

    for mount in ["session", "memory", "jwt"] {
        let (header, value) = credential(&http, &base, mount).await;
        let counts = Arc::new(Counts::default());
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let warm_up = Duration::from_secs((seconds / 6).max(1));
        let url = format!("{base}/{mount}/api/me");
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let (http, url, value, counts) =
                    (http.clone(), url.clone(), value.clone(), counts.clone());
                tokio::spawn(async move {
                    while Instant::now() < deadline {
                        match http.get(&url).header(header, &value).send().await {
                            Ok(r) if r.status().is_success() => &counts.ok,
                            Ok(r) if r.status().is_server_error() => &counts.server_errors,
                            Ok(_) => &counts.client_errors,
                            Err(_) => &counts.transport_errors,
                        }
                        .fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        tokio::time::sleep(warm_up).await;
        let rss_warm = rss_bytes(pid);
        for client in clients {
            client.await.expect("client task");
        }
        let rss_end = rss_bytes(pid);

        let ok = counts.ok.load(Ordering::Relaxed);
        let c4 = counts.client_errors.load(Ordering::Relaxed);
        let c5 = counts.server_errors.load(Ordering::Relaxed);
        let transport = counts.transport_errors.load(Ordering::Relaxed);
        let line = format!(
            "| /{mount} | {} | {ok} | {c4} | {c5} | {transport} | {:.1} MiB | {:.1} MiB |\n",
            ok + c4 + c5 + transport,
            rss_warm as f64 / 1048576.0,
            rss_end as f64 / 1048576.0
        );
        report.push_str(&line);
        assert_eq!(c5, 0, "/{mount}: server errors under load");
        assert_eq!(c4, 0, "/{mount}: a valid login was refused under load");
        assert_eq!(
            transport, 0,
            "/{mount}: requests failed at the transport level"
        );
        assert!(ok > 0, "/{mount}: nothing was served");
        assert!(
            rss_end <= rss_warm + RSS_SLACK_BYTES.max(rss_warm / 10),
            "/{mount}: resident memory grew from {rss_warm} to {rss_end} bytes"
        );
    }
    measured::record("soak", &report);
    drop(server);
    let _ = std::fs::remove_dir_all(&data_dir);
}
