//! Forwarding headers (`X-Forwarded-For`, `X-Forwarded-Host`, `X-Forwarded-Proto`, `Forwarded`,
//! `X-Real-IP`) are believed only from a reverse proxy the operator named
//! (`AUTHLAB_TRUSTED_PROXY`).
//!
//! Anyone can write these headers. actix-web's `connection_info()` prefers them to `Host` and
//! the peer address, so trusted blindly they let a client choose the host the labs print in
//! their URLs (`https://evil.example/jwt/api/me` beside a user's token) and the address the login
//! throttle counts. So [`strip_untrusted`] removes them from every request whose TCP peer is not
//! a trusted proxy, before anything reads them; behind a trusted proxy they stay, and
//! [`client_address`] takes the client from `X-Forwarded-For` (the load-balancer lesson needs
//! per-student throttling behind one HAProxy).

use std::net::IpAddr;

use actix_web::{
    dev::ServiceRequest,
    http::header::{self, HeaderMap, HeaderName},
    web, HttpRequest,
};

use crate::Settings;

const FORWARDING_HEADERS: [&str; 5] = [
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "forwarded",
    "x-real-ip",
];

fn trusted_proxies(req: &HttpRequest) -> &[IpAddr] {
    req.app_data::<web::Data<Settings>>()
        .map_or(&[], |settings| settings.trusted_proxy.as_slice())
}

fn peer(req: &HttpRequest) -> IpAddr {
    req.peer_addr()
        .map(|addr| addr.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

/// Whether this request came through a proxy the operator trusts.
pub fn from_trusted_proxy(req: &HttpRequest) -> bool {
    trusted_proxies(req).contains(&peer(req))
}

/// Remove the forwarding headers unless the peer is a trusted proxy.
pub fn strip_untrusted(req: &mut ServiceRequest) {
    if !from_trusted_proxy(req.request()) {
        remove_forwarding(req.headers_mut());
    }
}

fn remove_forwarding(headers: &mut HeaderMap) {
    for name in FORWARDING_HEADERS {
        headers.remove(HeaderName::from_static(name));
    }
}

/// The client's address: the TCP peer, or behind a trusted proxy the nearest `X-Forwarded-For`
/// entry that is not itself a trusted proxy (entries further left were written by the client and
/// prove nothing).
pub fn client_address(req: &HttpRequest) -> IpAddr {
    let peer = peer(req);
    let trusted = trusted_proxies(req);
    if !trusted.contains(&peer) {
        return peer;
    }
    forwarded_client(req.headers(), trusted).unwrap_or(peer)
}

fn forwarded_client(headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let entries: Vec<&str> = headers
        .get_all(HeaderName::from_static("x-forwarded-for"))
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for entry in entries.into_iter().rev() {
        let address = entry.parse::<IpAddr>().ok()?;
        if !trusted.contains(&address) {
            return Some(address);
        }
    }
    None
}

/// The `Host` header exactly as the client sent it (never a forwarding header).
pub fn raw_host(headers: &HeaderMap) -> Option<&str> {
    let mut hosts = headers.get_all(header::HOST);
    let host = hosts.next()?;
    // Two Host headers are a malformed request (RFC 9110 §7.2): refuse rather than pick one.
    if hosts.next().is_some() {
        return None;
    }
    host.to_str().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    #[test]
    fn every_forwarding_header_is_removed() {
        let mut map = headers(&[
            ("x-forwarded-host", "evil.example"),
            ("forwarded", "host=evil.example;proto=https"),
            ("x-forwarded-for", "10.9.9.9"),
            ("x-forwarded-proto", "https"),
            ("x-real-ip", "10.9.9.9"),
            ("host", "127.0.0.1:8080"),
        ]);

        remove_forwarding(&mut map);

        assert_eq!(map.len(), 1);
        assert!(map.contains_key(header::HOST));
    }

    #[test]
    fn the_client_is_the_nearest_untrusted_forwarded_address() {
        let proxy: IpAddr = "10.0.0.1".parse().expect("ip");
        let map = headers(&[("x-forwarded-for", "6.6.6.6, 192.168.1.20, 10.0.0.1")]);

        assert_eq!(
            forwarded_client(&map, &[proxy]),
            "192.168.1.20".parse().ok()
        );
        assert_eq!(forwarded_client(&headers(&[]), &[proxy]), None);
        assert_eq!(
            forwarded_client(&headers(&[("x-forwarded-for", "junk")]), &[proxy]),
            None
        );
    }
}
