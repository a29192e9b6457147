//! Detecting the classroom trap: `Secure` cookies served over plain HTTP to a LAN address.
//!
//! Browsers treat `http://localhost` and `http://127.0.0.1` as secure contexts and keep `Secure`
//! cookies there; anywhere else over plain HTTP they silently drop them. A student on
//! `http://192.168.1.20:8080` would then log in, get a 303 to the dashboard, and land back on the
//! login page with no clue why. The login and compare pages check the request instead and say
//! which flag relaxes it (`--insecure-cookies` / `AUTHLAB_INSECURE_COOKIES=1`).

use std::net::IpAddr;

use actix_web::HttpRequest;

/// Why the browser will drop this server's cookies, for the banner.
pub struct LanWarning {
    /// The host the browser used, as it typed it.
    pub host: String,
}

/// `Some` when cookies are `Secure`, the request came over plain HTTP, and its host is not one
/// that browsers treat as secure anyway.
pub fn lan_warning(req: &HttpRequest, cookies_are_secure: bool) -> Option<LanWarning> {
    if !cookies_are_secure {
        return None;
    }
    let info = req.connection_info();
    if info.scheme() != "http" {
        return None;
    }
    let host = info.host().to_owned();
    if is_potentially_trustworthy(&host) {
        return None;
    }
    Some(LanWarning { host })
}

/// Loopback names and addresses, which browsers exempt from the `Secure` rule.
fn is_potentially_trustworthy(host: &str) -> bool {
    let name = strip_port(host).to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    name.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        // [::1]:8080
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            name
        }
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_exempt_and_lan_hosts_are_not() {
        for host in [
            "localhost",
            "localhost:8080",
            "127.0.0.1:8080",
            "127.1.2.3",
            "[::1]:8080",
            "app.localhost:80",
        ] {
            assert!(is_potentially_trustworthy(host), "{host}");
        }
        for host in [
            "192.168.1.20:8080",
            "10.0.0.5",
            "classroom.lan:8080",
            "[fe80::1]:8080",
        ] {
            assert!(!is_potentially_trustworthy(host), "{host}");
        }
    }
}
