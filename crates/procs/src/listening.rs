//! Reading a server's own log for its word that it listens.
//!
//! "Something answers on the port" does not prove that the answer comes from the process we
//! started: on a machine where several test runs share loopback, a stranger may hold the port.
//! The log of our own child does prove it, so the helpers wait for these lines and only then
//! probe the port.

/// The port in authlab's "serving on http://127.0.0.1:PORT/" line, once it is there.
pub(crate) fn app_port(log: &str) -> Option<u16> {
    let after = log.split("serving on http://").nth(1)?;
    let address = after.split('/').next()?;
    address.rsplit_once(':')?.1.parse().ok()
}

/// How far a `redis-server` got, from its log file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RedisLog {
    /// Not listening yet (or the log is not written yet).
    Starting,
    /// "Ready to accept connections": it bound its port.
    Ready,
    /// It could not bind its port: someone else holds it.
    PortTaken,
}

pub(crate) fn redis_state(log: &str) -> RedisLog {
    if log.contains("Address already in use") {
        RedisLog::PortTaken
    } else if log.contains("Ready to accept connections") {
        RedisLog::Ready
    } else {
        RedisLog::Starting
    }
}

/// The last `lines` lines of a log, for an error message.
pub(crate) fn tail(log: &str, lines: usize) -> String {
    let all: Vec<&str> = log.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_is_read_from_the_serving_line_and_not_before() {
        let before = "INFO generated a new key\n";
        let serving = format!(
            "{before}INFO pid=42 authlab is serving on http://127.0.0.1:40123/ (Ctrl-C to stop)\n"
        );

        assert_eq!(app_port(before), None);
        assert_eq!(app_port(&serving), Some(40123));
    }

    #[test]
    fn redis_says_ready_or_that_its_port_is_taken() {
        let ready = "1:M 01 Dec 2026 21:48:13.087 * Ready to accept connections tcp\n";
        let taken = "1:M 01 Dec 2026 21:48:13.087 # Warning: Could not create server TCP \
                     listening socket 127.0.0.1:6379: bind: Address already in use\n";

        assert_eq!(redis_state(""), RedisLog::Starting);
        assert_eq!(redis_state(ready), RedisLog::Ready);
        assert_eq!(redis_state(taken), RedisLog::PortTaken);
    }

    #[test]
    fn the_tail_keeps_the_last_lines() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc");
        assert_eq!(tail("a\n", 5), "a");
    }
}
