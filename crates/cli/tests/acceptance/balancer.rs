//! Two real `authlab` processes behind a real HAProxy (round robin, no stickiness, health checks
//! on `/healthz`): where a login lives decides whether every request finds it, and a rolling
//! restart (each instance in turn: SIGTERM, start again, back in the rotation) loses no request
//! on the mounts whose logins do not live in the process.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use authlab_procs::{AppCommand, AppProcess, Haproxy};
use authlab_testkit::{
    assert_is_redirect_to, client::Client, extract_csrf_token, MountSlug, RedisServer,
    TestResponse, ALICE, JWT, MEMORY, SESSION,
};
use reqwest::Method;

/// A slower answer than this counts as a hang.
const HANG: Duration = Duration::from_secs(10);

/// Redis, two instances sharing one data directory (so one set of keys), HAProxy in front.
struct Balanced {
    _redis: RedisServer,
    _data: tempfile::TempDir,
    instances: Vec<AppProcess>,
    haproxy: Haproxy,
}

impl Balanced {
    async fn start(count: usize) -> Balanced {
        let redis = RedisServer::start().expect("a private redis-server");
        let data = tempfile::tempdir().expect("a data dir");
        let mut instances = Vec::new();
        // One after the other: the first creates the keys the others read.
        for _ in 0..count {
            let instance = AppCommand::serve(env!("CARGO_BIN_EXE_authlab"), redis.url())
                .data_dir(data.path())
                .env("AUTHLAB_WORKERS", "1")
                .env("AUTHLAB_TRUSTED_PROXY", "127.0.0.1")
                .start()
                .await
                .expect("an instance starts");
            instances.push(instance);
        }
        let backends: Vec<String> = instances
            .iter()
            .map(|instance| format!("127.0.0.1:{}", instance.port()))
            .collect();
        let haproxy = Haproxy::start(&backends).expect("haproxy");
        Balanced {
            _redis: redis,
            _data: data,
            instances,
            haproxy,
        }
    }

    /// A browser that goes through the balancer.
    fn visitor(&self) -> Visitor {
        Visitor(Client::new(self.haproxy.base_url()))
    }

    /// SIGTERM instance `n`, start it again on its port, and wait until HAProxy's checks call it
    /// `UP` again (so that the next instance is not stopped while this one is still out).
    async fn restart(&mut self, n: usize) {
        let instance = &mut self.instances[n];
        instance.terminate().expect("SIGTERM");
        instance
            .wait_for_exit(Duration::from_secs(30))
            .await
            .expect("a graceful stop");
        instance.start_again().await.expect("it starts again");
        self.haproxy
            .wait_until_up(n, Duration::from_secs(30))
            .await
            .expect("HAProxy puts it back");
    }
}

/// A browser with its cookie jar, at one base URL.
struct Visitor(Client);

impl Visitor {
    async fn log_in(&self, mount: MountSlug) {
        let form = self.0.send(Method::GET, "/jwt/login", |r| r).await;
        let token = extract_csrf_token(&form.body).expect("a CSRF field");
        let fields = [
            ("username", ALICE.0),
            ("password", ALICE.1),
            ("csrf", token.as_str()),
        ];
        let response = self
            .0
            .send(Method::POST, &format!("/{mount}/login"), |r| {
                r.form(&fields)
            })
            .await;
        assert_is_redirect_to(&response, &format!("/{mount}/dashboard"));
    }

    async fn dashboard(&self, mount: MountSlug) -> TestResponse {
        tokio::time::timeout(
            HANG,
            self.0
                .send(Method::GET, &format!("/{mount}/dashboard"), |r| r),
        )
        .await
        .unwrap_or_else(|_| panic!("/{mount}/dashboard hung for {HANG:?}"))
    }

    /// The same cookies, sent straight to one instance.
    fn straight_to(&self, instance: &AppProcess) -> Visitor {
        let direct = Client::new(instance.base_url());
        for name in self.0.jar.names() {
            if let Some(value) = self.0.jar.get(&name) {
                direct.jar.set(&name, &value);
            }
        }
        Visitor(direct)
    }
}

#[tokio::test]
async fn through_the_balancer_session_and_jwt_answer_every_request_and_memory_only_on_its_instance()
{
    let balanced = Balanced::start(2).await;
    let (session, jwt, memory) = (balanced.visitor(), balanced.visitor(), balanced.visitor());
    session.log_in(SESSION).await;
    jwt.log_in(JWT).await;
    memory.log_in(MEMORY).await;

    let mut answered = [0; 3];
    for _ in 0..10 {
        for (n, (visitor, mount)) in [(&session, SESSION), (&jwt, JWT), (&memory, MEMORY)]
            .into_iter()
            .enumerate()
        {
            if visitor.dashboard(mount).await.status == 200 {
                answered[n] += 1;
            }
        }
    }
    let memory_on_each: Vec<u16> = {
        let mut statuses = Vec::new();
        for instance in &balanced.instances {
            statuses.push(
                memory
                    .straight_to(instance)
                    .dashboard(MEMORY)
                    .await
                    .status
                    .as_u16(),
            );
        }
        statuses
    };

    assert_eq!(answered[0], 10, "/session: every request finds the login");
    assert_eq!(answered[1], 10, "/jwt: every request carries the login");
    assert!(
        (1..10).contains(&answered[2]),
        "/memory: only the requests sent to the instance that saw the login find it ({} of 10)",
        answered[2]
    );
    assert_eq!(
        {
            let mut sorted = memory_on_each.clone();
            sorted.sort_unstable();
            sorted
        },
        vec![200, 303],
        "one instance knows the /memory login, the other sends to the login form"
    );
}

#[tokio::test]
async fn a_rolling_restart_of_two_instances_under_steady_requests_fails_none_on_session_and_jwt() {
    let mut balanced = Balanced::start(2).await;
    let (session, jwt) = (balanced.visitor(), balanced.visitor());
    session.log_in(SESSION).await;
    jwt.log_in(JWT).await;
    let stop = Arc::new(AtomicBool::new(false));
    let steady = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut answers: Vec<(MountSlug, u16)> = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                for (visitor, mount) in [(&session, SESSION), (&jwt, JWT)] {
                    answers.push((mount, visitor.dashboard(mount).await.status.as_u16()));
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            answers
        })
    };

    for n in 0..balanced.instances.len() {
        balanced.restart(n).await;
    }
    stop.store(true, Ordering::Relaxed);
    let answers = steady.await.expect("the steady requests ran");

    let failed: Vec<&(MountSlug, u16)> = answers.iter().filter(|(_, s)| *s != 200).collect();
    eprintln!(
        "{} requests during the rolling restart, {} failed; HAProxy took an instance out {} times",
        answers.len(),
        failed.len(),
        balanced.haproxy.log().matches(" is DOWN").count()
    );
    assert!(
        answers.len() >= 20,
        "steady requests during the restarts: {}",
        answers.len()
    );
    assert!(
        failed.is_empty(),
        "{} of {} requests failed: {failed:?}\n{}",
        failed.len(),
        answers.len(),
        balanced.haproxy.log()
    );
}
