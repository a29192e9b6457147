//! The host allowlist: a request whose `Host` is not a name of this server is refused (421
//! Misdirected Request) before any handler runs.
//!
//! Without it a DNS-rebinding page could drive a server bound to 127.0.0.1: the attacker's name
//! resolves to 127.0.0.1, the victim's browser sends `Host: rebind.attacker.example` with a
//! matching `Origin`, and the CSRF layer (which compares `Origin` with `Host`) waves the flush and
//! rotate labs through. RFC 9110 §7.2 makes `Host` the target's identity; checking it against a
//! list is the standard defence.
//!
//! The list is `AUTHLAB_ALLOWED_HOSTS` when set; unset, the bind address and every address of
//! this machine's interfaces (found with `if-addrs`), so a LAN classroom reaching
//! `http://192.168.1.10:8080` works with no configuration. Loopback names are always on it: the
//! labs send their own requests to `127.0.0.1`, and a rebinding page cannot make a browser send
//! `Host: 127.0.0.1` (the browser writes the name it resolved, the attacker's). Ports are not
//! compared: rebinding keeps the port, and a proxy may change it.

use std::{collections::HashSet, net::IpAddr};

use actix_web::{
    http::{header, StatusCode},
    HttpRequest, HttpResponse,
};

use crate::{forwarded, Settings};

const ALWAYS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// The host names this server answers to, lower-case, without ports or brackets.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    names: HashSet<String>,
}

/// Why a request's host was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostProblem {
    /// No `Host`, two of them, or one that is not a host name: 400.
    Malformed,
    /// A well-formed host that is not this server: 421.
    Foreign,
}

impl AllowedHosts {
    pub fn from_settings(settings: &Settings) -> Self {
        let mut names: Vec<String> = if settings.allowed_hosts.is_empty() {
            let mut names = vec![settings.bind.to_string()];
            // A failure to list interfaces leaves loopback and the bind address: still safe.
            if let Ok(interfaces) = if_addrs::get_if_addrs() {
                names.extend(interfaces.iter().map(|i| i.ip().to_string()));
            }
            names
        } else {
            settings.allowed_hosts.clone()
        };
        names.extend(ALWAYS.iter().map(|n| (*n).to_owned()));
        Self::new(names)
    }

    pub fn new(names: impl IntoIterator<Item = String>) -> Self {
        AllowedHosts {
            names: names
                .into_iter()
                .filter_map(|n| host_name(n.trim()))
                .filter(|n| !is_unspecified(n))
                .collect(),
        }
    }

    pub fn allows(&self, host: &str) -> Result<(), HostProblem> {
        let name = host_name(host).ok_or(HostProblem::Malformed)?;
        if self.names.contains(&name) {
            Ok(())
        } else {
            Err(HostProblem::Foreign)
        }
    }

    /// Check the request's `Host`, and behind a trusted proxy its `X-Forwarded-Host` too.
    pub fn check(&self, req: &HttpRequest) -> Result<(), HostProblem> {
        let host = forwarded::raw_host(req.headers()).ok_or(HostProblem::Malformed)?;
        self.allows(host)?;
        if forwarded::from_trusted_proxy(req) {
            if let Some(value) = req.headers().get("x-forwarded-host") {
                self.allows(value.to_str().map_err(|_| HostProblem::Malformed)?)?;
            }
        }
        Ok(())
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }
}

fn is_unspecified(name: &str) -> bool {
    name.parse::<IpAddr>().is_ok_and(|ip| ip.is_unspecified())
}

/// `Example.COM:8080` → `example.com`, `[::1]:80` → `::1`; `None` for anything that is not a
/// plain host name or address (user info, paths, spaces, …).
fn host_name(host: &str) -> Option<String> {
    let name = if let Some(rest) = host.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        inside.parse::<std::net::Ipv6Addr>().ok()?;
        inside
    } else {
        match host.split_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => {
                // A bare IPv6 address, as written in AUTHLAB_ALLOWED_HOSTS.
                host.parse::<std::net::Ipv6Addr>().ok()?;
                host
            }
            None => host,
        }
    };
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':' | b'_'));
    valid.then_some(name)
}

fn is_port(port: &str) -> bool {
    !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())
}

/// The refusal. It does not repeat the host (nothing a client sends is echoed), and closes the
/// connection: a misdirected client has nothing more to say to this server.
pub fn refusal(problem: HostProblem) -> HttpResponse {
    let (status, text) = match problem {
        HostProblem::Malformed => (
            StatusCode::BAD_REQUEST,
            "400 Bad Request: the request needs exactly one valid Host header.\n",
        ),
        HostProblem::Foreign => (
            StatusCode::MISDIRECTED_REQUEST,
            "421 Misdirected Request: this server does not answer to that host name. An operator \
             can add it to AUTHLAB_ALLOWED_HOSTS.\n",
        ),
    };
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
        .force_close()
        .body(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> AllowedHosts {
        AllowedHosts::new(
            [
                "192.168.1.10",
                "Classroom.example",
                "localhost",
                "::1",
                "0.0.0.0",
            ]
            .map(str::to_owned),
        )
    }

    #[test]
    fn the_servers_own_names_pass_with_or_without_a_port() {
        let hosts = allowed();

        for host in [
            "192.168.1.10:8080",
            "classroom.example",
            "CLASSROOM.example.:80",
            "localhost:8080",
            "[::1]:8080",
        ] {
            assert_eq!(hosts.allows(host), Ok(()), "{host}");
        }
    }

    #[test]
    fn other_names_are_foreign_and_garbage_is_malformed() {
        let hosts = allowed();

        for host in [
            "rebind.attacker.example:8080",
            "0.0.0.0:8080",
            "192.168.1.11",
        ] {
            assert_eq!(hosts.allows(host), Err(HostProblem::Foreign), "{host}");
        }
        for host in [
            "",
            "user@localhost",
            "localhost/x",
            "local host",
            "[::1",
            "a:b:c",
        ] {
            assert_eq!(hosts.allows(host), Err(HostProblem::Malformed), "{host}");
        }
    }
}
