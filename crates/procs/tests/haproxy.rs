//! A real HAProxy in front of two small HTTP backends on loopback: plain round robin, the client
//! address passed on in `X-Forwarded-For`, and a stopped backend taken out by the health checks.

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use authlab_procs::{Haproxy, HaproxyOptions};

/// An HTTP server that answers every request, `/healthz` included, with its name and the
/// `X-Forwarded-For` it received; stopping it closes its port.
struct Backend {
    address: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Backend {
    fn start(name: &'static str) -> Backend {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
        listener.set_nonblocking(true).expect("non-blocking");
        let address = listener.local_addr().expect("address").to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => answer(stream, name),
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Backend {
            address,
            stop,
            thread: Some(thread),
        }
    }

    fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.stop();
    }
}

fn answer(mut stream: TcpStream, name: &str) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut request = Vec::new();
    let mut buffer = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let request = String::from_utf8_lossy(&request).to_lowercase();
    let forwarded = request
        .lines()
        .find_map(|line| line.strip_prefix("x-forwarded-for:"))
        .map_or("none", str::trim)
        .to_owned();
    let body = format!("{name} xff={forwarded}");
    let _ = stream.write_all(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
}

/// One request through the proxy: its status line and body.
fn get(haproxy: &Haproxy) -> (String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", haproxy.port())).expect("HAProxy listens");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    stream
        .write_all(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .expect("request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head.lines().next().unwrap_or_default().to_owned();
    (status, body.to_owned())
}

#[test]
fn requests_alternate_between_the_backends_with_the_client_address_forwarded() {
    let (a, b) = (Backend::start("A"), Backend::start("B"));
    let haproxy = Haproxy::start(&[a.address.clone(), b.address.clone()]).expect("haproxy");

    let bodies: Vec<String> = (0..8).map(|_| get(&haproxy).1).collect();

    let served_by = |name: &str| bodies.iter().filter(|b| b.starts_with(name)).count();
    assert_eq!((served_by("A"), served_by("B")), (4, 4), "{bodies:?}");
    assert!(
        bodies.windows(2).all(|pair| pair[0] != pair[1]),
        "round robin, no stickiness: {bodies:?}"
    );
    assert!(
        bodies.iter().all(|b| b.ends_with("xff=127.0.0.1")),
        "{bodies:?}"
    );
}

#[test]
fn a_stopped_backend_is_taken_out_by_the_health_checks() {
    let (a, mut b) = (Backend::start("A"), Backend::start("B"));
    let options = HaproxyOptions::default();
    let haproxy =
        Haproxy::start_with(&[a.address.clone(), b.address.clone()], options).expect("haproxy");

    b.stop();
    let stopped = Instant::now();
    while !haproxy.log().contains("instance1 is DOWN")
        && stopped.elapsed() < Duration::from_secs(10)
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    let took = stopped.elapsed();
    let answers: Vec<(String, String)> = (0..10).map(|_| get(&haproxy)).collect();
    let states = (haproxy.status(0).expect("A"), haproxy.status(1).expect("B"));

    // The first check may come up to one interval after the stop, then `fall` must fail.
    let checks_window = options.check_interval * (options.fall + 1);
    assert!(
        took < checks_window + Duration::from_secs(1),
        "out within the checks' window ({checks_window:?}), took {took:?}: {}",
        haproxy.log()
    );
    assert!(
        answers
            .iter()
            .all(|(status, body)| status.contains(" 200 ") && body.starts_with('A')),
        "only A answers once B is out: {answers:?}"
    );
    assert_eq!(states, ("UP".to_owned(), "DOWN".to_owned()));
}

#[test]
fn the_compose_files_balancer_configuration_is_valid() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/haproxy.cfg");

    let checked = Haproxy::check_config(&path);

    assert!(checked.is_ok(), "{checked:?}");
}
