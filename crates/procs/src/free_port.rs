//! A port nobody listens on right now.
//!
//! The operating system picks it (bind to port 0), so two callers never get the same one at the
//! same moment. The listener is closed before the port is returned, so another process *may* take
//! the port before ours binds it: callers that can, let the server pick its own port and read it
//! back ([`crate::AppProcess`]); callers whose server cannot do that ([`crate::RedisServer`]:
//! `redis-server --port 0` means "no TCP at all") check that their own process bound it and pick
//! another port if not.

use std::net::TcpListener;

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

/// A free port whose neighbour `port + offset` is free too: a Redis Cluster node also listens on
/// its cluster bus port, `port + 10000`.
pub fn free_port_with_neighbour(offset: u16) -> std::io::Result<u16> {
    for _ in 0..50 {
        let port = free_port()?;
        let Some(neighbour) = port.checked_add(offset) else {
            continue;
        };
        if TcpListener::bind(("127.0.0.1", neighbour)).is_ok() {
            return Ok(port);
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AddrInUse,
        format!("no free port with a free neighbour at +{offset} in 50 tries"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_can_be_bound_right_after() {
        let port = free_port().expect("a free port");

        let bound = TcpListener::bind(("127.0.0.1", port));

        assert!(port > 0);
        assert!(bound.is_ok(), "port {port}: {bound:?}");
    }

    #[test]
    fn the_neighbour_is_free_too() {
        let port = free_port_with_neighbour(10000).expect("a free pair");

        let both = (
            TcpListener::bind(("127.0.0.1", port)),
            TcpListener::bind(("127.0.0.1", port + 10000)),
        );

        assert!(both.0.is_ok() && both.1.is_ok(), "{port}: {both:?}");
    }
}
