//! `authlab bench --quick` end to end: the real binary starts its own server processes and
//! Redis, and writes a report whose figures behave as the lesson says. Behaviour, not speed: the
//! assertions are about who survives what, never about how fast.

use std::process::Command;

const MOUNTS: [&str; 4] = ["session", "memory", "jwt", "baseline"];
const REQUIRED: [&str; 7] = [
    "app_restart_survival",
    "redis_restart_survival",
    "server_bytes_per_user",
    "wire_bytes_per_request",
    "rps",
    "p50_us",
    "p99_us",
];

fn number(results: &serde_json::Value, mount: &str, field: &str) -> f64 {
    results["mounts"][mount][field].as_f64().unwrap_or_else(|| {
        panic!(
            "{mount}.{field} is not a number: {}",
            results["mounts"][mount]
        )
    })
}

#[test]
fn quick_bench_writes_a_report_whose_figures_tell_the_lesson() {
    // Arrange
    let out = tempfile::tempdir().expect("a temp dir");

    // Act
    let output = Command::new(env!("CARGO_BIN_EXE_authlab"))
        .args(["bench", "--quick", "--out"])
        .arg(out.path())
        .env("AUTHLAB_LOG", "warn")
        .output()
        .expect("authlab bench runs");

    // Assert
    assert!(
        output.status.success(),
        "authlab bench --quick failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    for file in [
        "report.md",
        "results.json",
        "memory.svg",
        "throughput.svg",
        "latency.svg",
        "fault.svg",
    ] {
        assert!(out.path().join(file).is_file(), "{file} was not written");
    }
    let svg = std::fs::read_to_string(out.path().join("throughput.svg")).expect("svg");
    assert!(svg.contains("<text"), "the chart has its labels");

    let text = std::fs::read_to_string(out.path().join("results.json")).expect("results.json");
    let results: serde_json::Value = serde_json::from_str(&text).expect("results.json parses");
    for mount in MOUNTS {
        for field in REQUIRED {
            assert!(
                results["mounts"][mount].get(field).is_some(),
                "{mount} has no {field}"
            );
        }
        assert!(
            number(&results, mount, "rps") > 0.0,
            "{mount} served requests"
        );
        assert!(number(&results, mount, "p50_us") <= number(&results, mount, "p99_us"));
    }

    // The in-process store dies with the process; Redis and the signing key outlive it.
    assert_eq!(number(&results, "memory", "app_restart_survival"), 0.0);
    assert_eq!(number(&results, "session", "app_restart_survival"), 1.0);
    assert_eq!(number(&results, "jwt", "app_restart_survival"), 1.0);
    // A Redis without persistence forgets the sessions, and nothing else.
    assert_eq!(number(&results, "session", "redis_restart_survival"), 0.0);
    assert_eq!(number(&results, "memory", "redis_restart_survival"), 1.0);
    assert_eq!(number(&results, "jwt", "redis_restart_survival"), 1.0);
    // An emergency revocation of the key ends every token it signed, and no session: the app
    // keeps running, so /memory keeps its logins (a rotation is not a restart).
    assert_eq!(number(&results, "jwt", "jwt_key_rotation_survival"), 0.0);
    assert_eq!(
        number(&results, "refresh", "jwt_key_rotation_survival"),
        0.0
    );
    assert_eq!(number(&results, "memory", "jwt_key_rotation_survival"), 1.0);
    assert_eq!(
        number(&results, "session", "jwt_key_rotation_survival"),
        1.0
    );
    // A rotation with overlap ends nobody's login.
    for mount in ["session", "memory", "jwt"] {
        assert_eq!(number(&results, mount, "jwt_key_overlap_survival"), 1.0);
    }

    // Server memory: records for sessions, nothing for tokens; tokens are the bigger credential.
    assert!(number(&results, "session", "server_bytes_per_user") > 0.0);
    assert!(number(&results, "memory", "server_bytes_per_user") > 0.0);
    assert_eq!(number(&results, "jwt", "server_bytes_per_user"), 0.0);
    assert!(
        number(&results, "jwt", "wire_bytes_per_request")
            > number(&results, "session", "wire_bytes_per_request")
    );
    assert_eq!(number(&results, "baseline", "wire_bytes_per_request"), 0.0);

    // One Redis GET per unchanged session request; none for a token.
    assert_eq!(
        number(&results, "session", "redis_commands_per_request"),
        1.0
    );
    assert_eq!(number(&results, "jwt", "redis_commands_per_request"), 0.0);

    // Two instances: the in-process store fails on the one that did not see the login.
    assert_eq!(number(&results, "session", "scale_out_success"), 1.0);
    assert_eq!(number(&results, "jwt", "scale_out_success"), 1.0);
    assert_eq!(number(&results, "memory", "scale_out_success"), 0.5);
    // Through the balancer, 1/2/3 instances: the in-process store's share falls as 1/N.
    let scale = &results["scale_out"];
    let memory_shares: Vec<f64> = scale["by_instances"]
        .as_array()
        .expect("rows per instance count")
        .iter()
        .filter(|row| row["mount"] == "memory")
        .map(|row| row["share_200"].as_f64().expect("a share"))
        .collect();
    assert_eq!(memory_shares.len(), 3);
    assert!(
        (memory_shares[2] - 1.0 / 3.0).abs() < 1e-9,
        "{memory_shares:?}"
    );
    // A rolling restart fails no request where the login outlives the process, and keeps them.
    for mount in ["session", "jwt"] {
        assert_eq!(scale["rolling"]["per_mount"][mount]["failed"], 0, "{mount}");
        assert_eq!(scale["rolling"]["still_logged_in"][mount], 1.0, "{mount}");
    }
    assert_eq!(scale["rolling"]["still_logged_in"]["memory"], 0.0);
    assert!(scale["kill"]["taken_out_after_ms"].as_f64().is_some());
    // On the cluster, the replica takes over and the killed master's user is answered again.
    let failover = &scale["cluster_failover"];
    assert!(failover["takeover_ms"].as_f64().is_some_and(|ms| ms > 0.0));
    assert!(failover["answered_again_ms"].as_f64().is_some());

    // Redis down: /session fails, the others do not notice.
    assert!(number(&results, "session", "fault_error_rate_while_down") > 0.0);
    assert_eq!(number(&results, "jwt", "fault_error_rate_while_down"), 0.0);
    assert_eq!(
        number(&results, "memory", "fault_error_rate_while_down"),
        0.0
    );
    assert!(results["fault"]["session_recovery_ms"].as_f64().is_some());

    // After logout: a session credential is dead at once; a JWT and a /refresh access token
    // work on for a while (their lifetimes), and /refresh survives what Redis keeps.
    let after_logout = |mount| number(&results, mount, "logged_out_works_for_secs");
    assert!(after_logout("jwt") > after_logout("session"));
    assert!(after_logout("jwt") > after_logout("memory"));
    assert!(after_logout("refresh") > after_logout("session"));
    assert_eq!(number(&results, "refresh", "app_restart_survival"), 1.0);
    // Measured in the same run: /jwt under EdDSA, and the second service both ways.
    let rows = results["throughput"]["rows"].as_array().expect("rows");
    for variant in [
        "denylist on",
        "EdDSA",
        "second service, local verify",
        "second service, introspection",
    ] {
        let row = rows
            .iter()
            .find(|r| r["variant"] == variant)
            .unwrap_or_else(|| panic!("no {variant} row"));
        assert!(row["rps"].as_f64() > Some(0.0), "{variant} served requests");
        assert_eq!(row["closed_errors"], 0, "{variant} answered every request");
    }
    assert!(results["throughput"]["eddsa_verify_ns"].as_f64() > Some(0.0));

    let report = std::fs::read_to_string(out.path().join("report.md")).expect("report.md");
    for section in [
        "## Targets",
        "## Machine and versions",
        "cargo run --release -- bench",
        "a logged-out credential keeps working for at most",
        "EdDSA beside HS256",
        "The second service",
        "key rotated with overlap",
    ] {
        assert!(report.contains(section), "the report has {section}");
    }
}
