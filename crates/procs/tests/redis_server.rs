//! The throwaway `redis-server`: a real process on a free port, stopped like a crash and started
//! again on the same port.

use std::net::{TcpListener, TcpStream};

use authlab_procs::{RedisOptions, RedisServer, RedisServerError};

#[test]
fn it_answers_on_its_port_and_a_restart_without_persistence_empties_it() {
    let mut redis = RedisServer::start().expect("redis-server starts");
    let port = redis.port();
    let first_pid = redis.pid();
    redis.command("SET greeting hello").expect("SET");

    redis.restart().expect("starts again");

    assert_eq!(redis.port(), port, "same port after the restart");
    assert_ne!(redis.pid(), first_pid, "a new process");
    assert_eq!(redis.command("PING").expect("PING"), "+PONG");
    assert_eq!(redis.integer("EXISTS greeting").expect("EXISTS"), 0);
}

#[test]
fn with_the_append_only_file_a_crash_keeps_what_was_acknowledged() {
    let mut redis = RedisServer::start_with(RedisOptions { append_only: true }).expect("redis");
    redis.command("SET greeting hello").expect("SET");

    redis.stop();
    let stopped = TcpStream::connect(("127.0.0.1", redis.port()));
    redis.start_again().expect("starts again");

    assert!(stopped.is_err(), "nothing listens while it is stopped");
    assert_eq!(redis.integer("EXISTS greeting").expect("EXISTS"), 1);
}

#[test]
fn a_port_taken_while_it_was_stopped_is_reported_not_silently_shared() {
    let mut redis = RedisServer::start().expect("redis");
    redis.stop();
    let stranger = TcpListener::bind(("127.0.0.1", redis.port())).expect("the port is free now");

    let again = redis.start_again();

    assert!(
        matches!(again, Err(RedisServerError::PortTaken { port }) if port == redis.port()),
        "{again:?}"
    );
    assert!(!redis.is_running());
    drop(stranger);
}
