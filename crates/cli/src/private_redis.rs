//! A private Redis for a newcomer who has `redis-server` installed but not running.
//!
//! Only for a Redis URL on this machine: a remote URL that does not answer is a real outage and
//! must look like one. Never for a Redis Cluster: a private single Redis would not be one.

use std::time::Duration;

use authlab_procs::RedisServer;
use authlab_session::store::RedisLink;
use authlab_web::Settings;

pub async fn start_if_needed(settings: &mut Settings) -> Option<RedisServer> {
    if !settings.redis_cluster.is_empty() || !is_local(&settings.redis_url) {
        return None;
    }
    let link = RedisLink::new(&settings.redis_url, Duration::from_millis(500)).ok()?;
    if link.ping().await.is_ok() {
        return None;
    }
    match RedisServer::start() {
        Ok(redis) => {
            tracing::warn!(
                "nothing answered at {}, so authlab started a private redis-server at {} \
                 (it keeps nothing on disk and stops with authlab; pass --no-private-redis to \
                 see /session fail instead)",
                link.display_url(),
                redis.url()
            );
            settings.redis_url = redis.url();
            Some(redis)
        }
        Err(err) => {
            tracing::warn!(
                "no Redis at {} and no private one either: {err}",
                link.display_url()
            );
            None
        }
    }
}

fn is_local(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest.rsplit('@').next().unwrap_or(rest);
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|local| host.starts_with(local))
}
