//! `report.md`: the figures of one run, the method, the machine, and each target of issue 4
//! judged against what was measured. Every number here is read from [`Results`]; none is typed.
//! The mounts come from the run's [`MountList`]: the tables have a column or a row per mount, the
//! baseline first, and a target or a sentence about a kind of mount ("a token check costs little",
//! "a Redis lookup costs one round trip") finds its mount by where its logins live, never by name.

//!
//! One file per section; [`render`] writes them in order. A section reads the run's [`Results`]
//! and the [`Page`]'s names of mounts, and writes nothing when its scenario did not run.

mod at_scale;
mod capacity;
mod check;
mod choose;
mod cluster_failover;
mod fault;
mod format;
mod intro;
mod machine;
mod memory;
mod restart;
mod scale_out;
mod summary;
mod targets;
mod throughput;

use std::path::Path;

use authlab_core::{MountInfo, StateHome};

pub use check::targets;

use crate::{charts, mounts::MountList, results::Results};

/// The mounts as the sections name them: which columns, and who lives where.
pub(crate) struct Page<'a> {
    /// Every measured mount, the baseline first: a column each.
    pub measured: Vec<&'a MountInfo>,
    /// The mounts a user can log in to.
    pub login: Vec<&'a MountInfo>,
    /// The mount whose logins live in Redis, in the process, on the client (`(none)` if absent).
    pub redis: String,
    pub process: String,
    pub client: String,
    /// The login mounts whose requests never touch Redis (a refresh-token mount's do only to
    /// refresh, which the fault section says apart).
    pub without_redis: Vec<String>,
}

impl<'a> Page<'a> {
    fn of(mounts: &MountList) -> Page<'a> {
        let measured: Vec<&MountInfo> = mounts.measured().collect();
        let login: Vec<&MountInfo> = mounts.login().collect();
        let lives_in = |home| {
            mounts
                .home(home)
                .map_or_else(|| "(none)".to_owned(), |m| m.slug.prefix())
        };
        let without_redis = login
            .iter()
            .filter(|m| !matches!(m.home, StateHome::Redis | StateHome::Split))
            .map(|m| m.slug.prefix())
            .collect();
        Page {
            measured,
            login,
            redis: lives_in(StateHome::Redis),
            process: lives_in(StateHome::Process),
            client: lives_in(StateHome::Client),
            without_redis,
        }
    }
}

/// The Markdown text of the report.
pub fn render(results: &Results, mounts: MountList) -> Result<String, std::fmt::Error> {
    let page = Page::of(&mounts);
    let mut md = String::new();
    for section in [
        intro::write,
        summary::write,
        choose::write,
        at_scale::write,
        targets::write,
        restart::write,
        memory::write,
        throughput::write,
        scale_out::write,
        cluster_failover::write,
        capacity::write,
        fault::write,
        machine::write,
    ] {
        section(&mut md, results, &page)?;
    }
    Ok(md)
}

pub fn write(results: &Results, mounts: MountList, dir: &Path) -> anyhow::Result<()> {
    let text = render(results, mounts)?;
    std::fs::write(dir.join("report.md"), text)?;
    // Charts of scenarios that did not run are not referenced; remove stale ones.
    for name in charts::NAMES {
        let path = dir.join(name);
        if path.exists() && !charts::written(results).contains(&name) {
            std::fs::remove_file(path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        mounts::fixtures::{self, NONE, ON_CLIENT},
        results::{TargetCheck, Verdict},
        BenchConfig, Scenario,
    };

    #[test]
    fn a_run_that_measured_nothing_says_so_instead_of_inventing_figures() {
        let config = BenchConfig {
            binary: "authlab".into(),
            out_dir: "out".into(),
            quick: false,
            scenarios: vec![Scenario::ScaleOut],
            command: "authlab bench scale-out".to_owned(),
            mounts: fixtures::LIST,
        };
        let mut results = Results::new(&config);
        crate::finish(&mut results, &config);

        let text = render(&results, config.mounts).expect("renders");

        assert!(results
            .targets
            .iter()
            .all(|t| t.verdict == Verdict::NotMeasured));
        assert!(text.contains("## Targets"));
        assert!(text.contains("**not measured**"));
        assert!(!text.contains("**met**") && !text.contains("**missed**"));
    }

    #[test]
    fn the_tables_have_a_column_per_mount_of_the_list_the_baseline_first() {
        // Arrange
        let config = BenchConfig {
            binary: "authlab".into(),
            out_dir: "out".into(),
            quick: true,
            scenarios: vec![Scenario::Restart],
            command: "authlab bench restart".to_owned(),
            mounts: fixtures::LIST,
        };
        let mut results = Results::new(&config);
        results.restart = Some(crate::results::RestartResults {
            users_per_mount: 1,
            events: vec![crate::results::RestartEvent {
                name: "app_restart".to_owned(),
                description: "a restart".to_owned(),
                survival: [("kept", 1.0), ("local", 0.0), ("signed", 1.0)]
                    .map(|(m, s)| (m.to_owned(), s))
                    .into(),
            }],
            logout_lifetimes: None,
        });
        crate::finish(&mut results, &config);

        // Act
        let text = render(&results, config.mounts).expect("renders");

        // Assert
        assert!(
            text.contains("| | /open | /kept | /local | /signed |\n|---|---|---|---|---|"),
            "{text}"
        );
        assert!(
            text.contains("| event | /kept | /local | /signed |\n|---|---|---|---|\n| a restart | 100 % | 0 % | 100 % |"),
            "{text}"
        );
        assert!(text.contains("held here for: /local (0 %)"), "{text}");
    }

    fn config(mounts: MountList) -> BenchConfig {
        BenchConfig {
            binary: "authlab".into(),
            out_dir: "out".into(),
            quick: false,
            scenarios: vec![Scenario::Throughput],
            command: "authlab bench throughput".to_owned(),
            mounts,
        }
    }

    fn find<'a>(checks: &'a [TargetCheck], target: &str) -> &'a TargetCheck {
        checks
            .iter()
            .find(|c| c.target == target)
            .unwrap_or_else(|| panic!("no target {target:?} in {checks:#?}"))
    }

    /// A pinned throughput run of these (mount, req/s, server CPU µs per request).
    fn pinned_run(rows: &[(&str, f64, f64)]) -> crate::results::ThroughputResults {
        crate::results::ThroughputResults {
            pinning: Some(
                "the server on core 0 (1 worker), the load generator and Redis on core 1".into(),
            ),
            rows: rows
                .iter()
                .map(|(mount, rps, cpu)| crate::results::ThroughputRow {
                    mount: (*mount).to_owned(),
                    rps: *rps,
                    rps_rounds: vec![*rps],
                    cpu_server_us_per_request: *cpu,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn the_throughput_targets_follow_where_the_logins_live_not_what_the_mounts_are_called() {
        // Arrange
        let config = config(fixtures::LIST);
        let mut results = Results::new(&config);
        results.throughput = Some(pinned_run(&[
            ("open", 1000.0, 8.0),
            ("signed", 950.0, 9.0),
            ("kept", 500.0, 20.0),
        ]));

        // Act
        let checks = targets(&results, &config);

        // Assert
        let token = find(&checks, "/signed: pinned throughput ≥ 0.85× baseline");
        assert_eq!(
            (token.verdict, token.measured.as_str()),
            (Verdict::Met, "0.95×")
        );
        let token_cpu = find(
            &checks,
            "/signed: server CPU per request ≤ 1.5 µs above baseline",
        );
        assert_eq!(
            (token_cpu.verdict, token_cpu.measured.as_str()),
            (Verdict::Met, "+1.0 µs")
        );
        let redis = find(&checks, "/kept: pinned throughput ≥ 0.5× baseline");
        assert_eq!(
            (redis.verdict, redis.measured.as_str()),
            (Verdict::Met, "0.50×")
        );
        let redis_cpu = find(
            &checks,
            "/kept: server CPU per request ≤ 8 µs above baseline",
        );
        assert_eq!(
            (redis_cpu.verdict, redis_cpu.measured.as_str()),
            (Verdict::Missed, "+12.0 µs")
        );
        assert!(
            redis_cpu.why.contains("docs/architecture.md"),
            "{}",
            redis_cpu.why
        );
    }

    #[test]
    fn an_unpinned_run_is_reported_but_not_judged() {
        // Arrange
        let config = config(fixtures::LIST);
        let mut results = Results::new(&config);
        let mut run = pinned_run(&[("open", 1000.0, 8.0), ("signed", 950.0, 9.0)]);
        run.pinning = None;
        results.throughput = Some(run);

        // Act
        let checks = targets(&results, &config);

        // Assert
        let token = find(&checks, "/signed: pinned throughput ≥ 0.85× baseline");
        assert_eq!(
            (token.verdict, token.measured.as_str()),
            (Verdict::NotMeasured, "0.95×")
        );
        assert!(token.why.contains("not pinned"), "{}", token.why);
    }

    #[test]
    fn a_list_without_a_mount_in_redis_has_no_redis_throughput_target() {
        // Arrange
        let config = config(MountList::new(&[&ON_CLIENT, &NONE]));
        let results = Results::new(&config);

        // Act
        let checks = targets(&results, &config);

        // Assert
        let throughput: Vec<&str> = checks
            .iter()
            .filter(|c| c.target.contains("throughput ≥"))
            .map(|c| c.target.as_str())
            .collect();
        assert_eq!(throughput, ["/signed: pinned throughput ≥ 0.85× baseline"]);
        assert_eq!(
            find(&checks, "/signed: pinned throughput ≥ 0.85× baseline").verdict,
            Verdict::NotMeasured
        );
    }

    #[test]
    fn which_to_choose_names_a_mount_under_a_question_only_where_its_figure_puts_it() {
        // Arrange: /kept and /signed kept their logins through a restart, /local did not.
        let config = config(fixtures::LIST);
        let mut results = Results::new(&config);
        results.mount("kept").app_restart_survival = Some(1.0);
        results.mount("local").app_restart_survival = Some(0.0);
        results.mount("signed").app_restart_survival = Some(1.0);
        results.mount("kept").server_bytes_per_user = Some(245.0);
        results.mount("local").server_bytes_per_user = Some(127.0);
        results.mount("signed").server_bytes_per_user = Some(0.0);

        // Act
        let text = render(&results, config.mounts).expect("renders");

        // Assert
        assert!(
            text.contains("(the app killed and started again):** /kept and /signed; logged out by it, share kept: /local (0 %)."),
            "{text}"
        );
        assert!(
            text.contains("**Least server memory per logged-in user:** /signed: 0 B, /local: 127 B, /kept: 245 B."),
            "{text}"
        );
        assert!(
            text.contains("**Several instances behind a balancer with no sticky sessions:** —"),
            "a question whose scenario did not run says so: {text}"
        );
        assert!(text.contains("| /local | 121 MiB |"), "{text}");
    }

    #[test]
    fn a_refresh_token_login_is_ranked_as_it_starts_and_its_growth_and_refresh_cost_are_said() {
        // Arrange: a login on /renewing costs 450 B, each refresh 220 B more, and its token
        // endpoint was measured.
        use crate::results::{
            MemoryResults, MemoryRow, ThroughputResults, ThroughputRow, TokenEndpointRow,
        };
        const WITH_SPLIT: MountList =
            MountList::new(&[&fixtures::IN_REDIS, &fixtures::SPLIT, &NONE]);
        let config = config(WITH_SPLIT);
        let mut results = Results::new(&config);
        results.memory = Some(MemoryResults {
            rows: vec![MemoryRow {
                users: 1000,
                redis_bytes_per_user: 250.0,
                in_process_bytes_per_user: 127.0,
                in_process_rss_bytes_per_user: 140.0,
                jwt_denylist_bytes_per_entry: 90.0,
                refresh_bytes_per_login: Some(450.0),
                refresh_bytes_per_refresh: Some(220.0),
            }],
            session_record_bytes: 60,
            key_breakdown: Vec::new(),
            http_logins: 2,
            http_redis_bytes_per_login: 260.0,
            wire: Default::default(),
            refresh_lifetimes: Some((300, 3000)),
        });
        results.mount("kept").server_bytes_per_user = Some(250.0);
        results.mount("renewing").server_bytes_per_user = Some(450.0);
        let baseline = ThroughputRow {
            mount: "open".to_owned(),
            cpu_server_us_per_request: 14.0,
            ..ThroughputRow::default()
        };
        results.throughput = Some(ThroughputResults {
            rows: vec![baseline],
            token_endpoint: vec![TokenEndpointRow {
                mount: "renewing".to_owned(),
                rps: 16000.0,
                rps_rounds: vec![15000.0, 17000.0],
                errors: 0,
                p50_us: 880,
                p99_us: 3000,
                cpu_server_us_per_request: 49.0,
                cpu_redis_us_per_request: 22.5,
                commands: [("eval", 100), ("get", 200)]
                    .map(|(c, n)| (c.to_owned(), n))
                    .into(),
                refreshes_counted: 100,
            }],
            ..ThroughputResults::default()
        });

        // Act
        let text = render(&results, config.mounts).expect("renders");

        // Assert
        assert!(
            text.contains(
                "/kept: 250 B, /renewing: 450 B (/renewing at login; each refresh adds 220 B"
            ),
            "{text}"
        );
        assert!(
            text.contains("| 1000 | 250 | 127 | 140 | 0 | 90 | 450 | 220 |"),
            "{text}"
        );
        // 3000 s / 300 s = 10 spent tokens: 450 + 10 × 220 = 2650 B.
        assert!(
            text.contains("spends 10 tokens in it: about 2650 bytes (450 + 10 × 220"),
            "{text}"
        );
        assert!(
            text.contains("| /renewing | 16000 (15000–17000) | 880 | 3000 | 0 | 49.0 | +35.0 | 22.5 | `eval` × 1.00, `get` × 2.00 |"),
            "{text}"
        );
    }

    #[test]
    fn the_scale_out_sections_show_the_measured_figures_and_mark_the_capacity_as_computed() {
        // Arrange
        use crate::results::{
            ClusterFailoverResults, InstancesRow, KillResults, RequestCounts, RollingResults,
            ScaleOutResults,
        };
        let mut config = config(fixtures::LIST);
        config.scenarios = vec![Scenario::ScaleOut];
        let mut results = Results::new(&config);
        let row = |instances: usize, mount: &str, share_200: f64| InstancesRow {
            instances,
            mount: mount.to_owned(),
            share_200,
            rps: 900.0,
            cpu_server_us_per_request: 70.0,
            cpu_redis_us_per_request: if mount == "kept" { 14.0 } else { 0.0 },
        };
        let counts = |failed, unauthenticated| RequestCounts {
            requests: 120,
            failed,
            unauthenticated,
        };
        results.scale_out = Some(ScaleOutResults {
            users_per_mount: 2,
            requests_per_user: 12,
            success: [("kept", 1.0), ("local", 0.5), ("signed", 1.0)]
                .map(|(m, s)| (m.to_owned(), s))
                .into(),
            balancer: "HAProxy".to_owned(),
            by_instances: (1..=3)
                .flat_map(|n| {
                    [
                        row(n, "kept", 1.0),
                        row(n, "local", 1.0 / n as f64),
                        row(n, "signed", 1.0),
                    ]
                })
                .collect(),
            kill: Some(KillResults {
                instances: 2,
                rate_per_mount: 40.0,
                taken_out_after_ms: 321.0,
                per_mount: [("kept", counts(0, 0)), ("local", counts(0, 60))]
                    .map(|(m, c)| (m.to_owned(), c))
                    .into(),
            }),
            rolling: Some(RollingResults {
                instances: 2,
                rate_per_mount: 40.0,
                took_ms: 912.0,
                per_mount: [("kept", counts(0, 0)), ("local", counts(0, 40))]
                    .map(|(m, c)| (m.to_owned(), c))
                    .into(),
                still_logged_in: [("kept", 1.0), ("local", 0.0)]
                    .map(|(m, s)| (m.to_owned(), s))
                    .into(),
                users_per_mount: 2,
            }),
            cluster_failover: Some(ClusterFailoverResults {
                mount: "kept".to_owned(),
                instances: 2,
                node_timeout_ms: 1000.0,
                rate: 80.0,
                requests: counts(31, 0),
                takeover_ms: 2086.0,
                answered_again_ms: Some(2055.0),
                logins_acknowledged: 19,
                logins_lost: 0,
                logins_just_before_the_kill: 19,
            }),
        });
        crate::finish(&mut results, &config);

        // Act
        let text = render(&results, config.mounts).expect("renders");

        // Assert
        assert!(
            text.contains("| /local | 100 % | 900 | 50 % | 900 | 33 % | 900 |"),
            "{text}"
        );
        assert!(
            text.contains("more instances cannot add throughput here"),
            "{text}"
        );
        assert!(text.contains("out **321 ms** after the kill"), "{text}");
        assert!(text.contains("| /local | 120 | 0 | 40 | 0 % |"), "{text}");
        assert!(
            text.contains("| replica took over (cluster `ok` again) after | 2086 ms |"),
            "{text}"
        );
        assert!(text.contains("replication is asynchronous"), "{text}");
        assert!(
            text.contains("## Capacity (computed, not measured)"),
            "{text}"
        );
        // 10 000 req/s × 70 µs = 0.7 cores: one instance at 70 %; Redis 0.14 cores: one shard.
        assert!(text.contains("| /kept | 70 µs | 14 µs | 1 | 1 |"), "{text}");
    }
}
