//! Every knob of the server, in one typed place, from flags or `AUTHLAB_*` environment variables.

use std::{fmt, net::IpAddr, path::PathBuf, time::Duration};

use authlab_core::Secret;
use authlab_jwt::JwtAlg;
use authlab_session::store::redis::{cluster, RedisEndpoint};

#[derive(Clone, clap::Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "AUTHLAB_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,

    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "AUTHLAB_PORT", default_value_t = 8080)]
    pub port: u16,

    /// Redis for the /session mount.
    #[arg(
        long,
        env = "AUTHLAB_REDIS_URL",
        default_value = "redis://127.0.0.1:6379"
    )]
    pub redis_url: String,

    /// Redis Cluster seed nodes for /session (and every other Redis use), comma-separated
    /// `host:port`. Set: the cluster is used and `AUTHLAB_REDIS_URL` is ignored.
    #[arg(long, env = "AUTHLAB_REDIS_CLUSTER", value_delimiter = ',')]
    pub redis_cluster: Vec<String>,

    /// Longest wait for any one Redis call, in milliseconds, before /session answers 503.
    #[arg(long, env = "AUTHLAB_REDIS_TIMEOUT_MS", default_value_t = 500)]
    pub redis_timeout_ms: u64,

    /// The one JWT algorithm signed and accepted: HS256 (a shared secret) or EdDSA (Ed25519; the
    /// private key is generated and kept in the data dir, the public keys served as a JWKS).
    #[arg(long, env = "AUTHLAB_JWT_ALG", default_value = "HS256")]
    pub jwt_alg: JwtAlg,

    /// HS256 signing secret, at least 32 bytes. Unset: one is generated and kept in the data dir.
    #[arg(long, env = "AUTHLAB_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<Secret>,

    /// The secret resource servers present to POST /introspect (HTTP Basic as
    /// `authlab-resource`, or Bearer), at least 32 bytes. Unset: one is generated and kept in the
    /// data dir as `introspection.secret`.
    #[arg(long, env = "AUTHLAB_INTROSPECTION_SECRET", hide_env_values = true)]
    pub introspection_secret: Option<Secret>,

    /// Lifetime of a JWT in seconds (exact: validation has no leeway).
    #[arg(long, env = "AUTHLAB_JWT_TTL", default_value_t = 900)]
    pub jwt_ttl: u64,

    /// Lifetime of a session record in seconds, counted from its last change (login, role change).
    #[arg(long, env = "AUTHLAB_SESSION_TTL", default_value_t = 3600)]
    pub session_ttl: u64,

    /// Absolute lifetime of a session login in seconds, counted from login, whatever happens.
    #[arg(long, env = "AUTHLAB_SESSION_ABSOLUTE_TTL", default_value_t = 28_800)]
    pub session_absolute_ttl: u64,

    /// Lifetime of a /refresh access token in seconds: how long it is served with no lookup,
    /// and how long a copy outlives a logout. At most AUTHLAB_JWT_TTL (one key ring signs both).
    #[arg(long, env = "AUTHLAB_ACCESS_TTL", default_value_t = 300)]
    pub access_ttl: u64,

    /// Lifetime of an unused /refresh refresh token in seconds (a login never outlives
    /// AUTHLAB_SESSION_ABSOLUTE_TTL, however often it is refreshed).
    #[arg(long, env = "AUTHLAB_REFRESH_TTL", default_value_t = 28_800)]
    pub refresh_ttl: u64,

    /// Seconds after its use during which a spent refresh token may be used again (two tabs
    /// refreshing at once); a later use is reuse and ends the whole login.
    #[arg(long, env = "AUTHLAB_REFRESH_REUSE_GRACE", default_value_t = 10)]
    pub refresh_reuse_grace: u64,

    /// Keep a denylist of logged-out JWTs in Redis: logout then ends a token at once, and every
    /// /jwt request checks Redis (503 when Redis is down). Off: JWT stays stateless.
    #[arg(long, env = "AUTHLAB_JWT_DENYLIST", action = clap::ArgAction::SetTrue, value_parser = clap::builder::BoolishValueParser::new())]
    pub jwt_denylist: bool,

    /// Where generated keys are kept, so that a restart logs nobody out.
    #[arg(long, env = "AUTHLAB_DATA_DIR", default_value = ".authlab")]
    pub data_dir: PathBuf,

    /// Send cookies without the Secure flag. Only for a classroom serving plain HTTP on a LAN
    /// address: browsers drop Secure cookies there (localhost is exempt).
    #[arg(long, env = "AUTHLAB_INSECURE_COOKIES", action = clap::ArgAction::SetTrue, value_parser = clap::builder::BoolishValueParser::new())]
    pub insecure_cookies: bool,

    /// Worker threads (default: one per core).
    #[arg(long, env = "AUTHLAB_WORKERS")]
    pub workers: Option<usize>,

    /// Host names this server answers to, comma-separated (any other `Host` gets 421). Unset: the
    /// bind address, this machine's interface addresses, and loopback. Loopback names
    /// (`localhost`, `127.0.0.1`, `[::1]`) are always allowed: the labs' own requests use them.
    #[arg(long, env = "AUTHLAB_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,

    /// Address(es) of a reverse proxy whose `X-Forwarded-For` / `X-Forwarded-Host` / `Forwarded`
    /// headers are believed, comma-separated. Unset: those headers are ignored.
    #[arg(long, env = "AUTHLAB_TRUSTED_PROXY", value_delimiter = ',')]
    pub trusted_proxy: Vec<IpAddr>,

    /// Passwords checked (logins of any outcome, joins) allowed per client address per minute:
    /// the bound on guessing from one address and on password hashing. Wrong passwords have
    /// their own limit per account and address (five a minute).
    #[arg(long, env = "AUTHLAB_LOGINS_PER_MINUTE", default_value_t = crate::throttle::DEFAULT_LOGINS_PER_MINUTE)]
    pub logins_per_minute: usize,

    /// The teacher's password, for `/teacher`. Unset: one is generated at the first start, kept
    /// in the data directory (owner-only) and printed once in the terminal.
    #[arg(long, env = "AUTHLAB_TEACHER_PASSWORD", hide_env_values = true)]
    pub teacher_password: Option<Secret>,

    /// The code students type at `/join` to make their account. Unset: one is generated at the
    /// first start and kept in the data directory; `/teacher` shows it.
    #[arg(long, env = "AUTHLAB_CLASS_CODE")]
    pub class_code: Option<String>,

    /// Seconds before a classroom tool (restart, flush, rotate, a role change, reset) can be
    /// used again: a second press inside this is refused at once, saying so.
    #[arg(long, env = "AUTHLAB_TOOL_COOLDOWN", default_value_t = 30)]
    pub tool_cooldown: u64,

    /// Set by `authlab demo` on the server it supervises: the restart lab may then end this
    /// process, and the supervisor starts a new one. Not meant to be set by hand.
    #[arg(long, env = "AUTHLAB_SUPERVISED", hide = true, action = clap::ArgAction::SetTrue, value_parser = clap::builder::BoolishValueParser::new())]
    pub supervised: bool,
}

impl Settings {
    /// The defaults, as if no flag or variable were given.
    pub fn defaults() -> Self {
        Settings {
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            redis_url: "redis://127.0.0.1:6379".to_owned(),
            redis_cluster: Vec::new(),
            redis_timeout_ms: 500,
            jwt_alg: JwtAlg::Hs256,
            jwt_secret: None,
            introspection_secret: None,
            jwt_ttl: 900,
            jwt_denylist: false,
            session_ttl: 3600,
            session_absolute_ttl: 28_800,
            access_ttl: 300,
            refresh_ttl: 28_800,
            refresh_reuse_grace: 10,
            data_dir: PathBuf::from(".authlab"),
            insecure_cookies: false,
            workers: None,
            allowed_hosts: Vec::new(),
            trusted_proxy: Vec::new(),
            logins_per_minute: crate::throttle::DEFAULT_LOGINS_PER_MINUTE,
            teacher_password: None,
            class_code: None,
            tool_cooldown: 30,
            supervised: false,
        }
    }

    /// The one Redis, or the cluster when seed nodes are given.
    pub fn redis_endpoint(&self) -> RedisEndpoint {
        if self.redis_cluster.iter().all(|seed| seed.trim().is_empty()) {
            RedisEndpoint::Single(self.redis_url.clone())
        } else {
            RedisEndpoint::Cluster(cluster::seed_urls(&self.redis_cluster))
        }
    }

    pub fn redis_timeout(&self) -> Duration {
        Duration::from_millis(self.redis_timeout_ms)
    }

    pub fn cookie_secure(&self) -> bool {
        !self.insecure_cookies
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("port", &self.port)
            .field(
                "redis_url",
                &authlab_session::store::redis::redact_url(&self.redis_url),
            )
            .field(
                "redis_cluster",
                &self
                    .redis_cluster
                    .iter()
                    .map(|seed| authlab_session::store::redis::redact_url(seed))
                    .collect::<Vec<_>>(),
            )
            .field("redis_timeout_ms", &self.redis_timeout_ms)
            .field("jwt_alg", &self.jwt_alg)
            .field("jwt_secret", &self.jwt_secret)
            .field("introspection_secret", &self.introspection_secret)
            .field("jwt_ttl", &self.jwt_ttl)
            .field("jwt_denylist", &self.jwt_denylist)
            .field("session_ttl", &self.session_ttl)
            .field("session_absolute_ttl", &self.session_absolute_ttl)
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .field("refresh_reuse_grace", &self.refresh_reuse_grace)
            .field("data_dir", &self.data_dir)
            .field("insecure_cookies", &self.insecure_cookies)
            .field("workers", &self.workers)
            .field("allowed_hosts", &self.allowed_hosts)
            .field("trusted_proxy", &self.trusted_proxy)
            .field("logins_per_minute", &self.logins_per_minute)
            .field("teacher_password", &self.teacher_password)
            // Not a key, but it lets anyone make an account: no business of a log either.
            .field(
                "class_code",
                &self.class_code.as_ref().map(|_| Secret::new(Vec::new())),
            )
            .field("tool_cooldown", &self.tool_cooldown)
            .field("supervised", &self.supervised)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_secret_and_the_redis_password() {
        let settings = Settings {
            jwt_secret: Some(Secret::new("a-very-long-secret-that-must-not-leak")),
            teacher_password: Some(Secret::new("the-teachers-own-password")),
            class_code: Some("ROOM-CODE-77".to_owned()),
            introspection_secret: Some(Secret::new("the-resource-servers-secret-must-not-leak")),
            redis_url: "redis://:hunter2@cache:6379".to_owned(),
            redis_cluster: vec!["redis://:hunter3@node:7000".to_owned()],
            ..Settings::defaults()
        };

        let printed = format!("{settings:?}");

        assert!(printed.contains("[redacted]"));
        assert!(!printed.contains("must-not-leak"));
        assert!(!printed.contains("servers-secret"));
        assert!(!printed.contains("hunter2"));
        assert!(!printed.contains("hunter3"));
        assert!(!printed.contains("teachers-own"));
        assert!(!printed.contains("ROOM-CODE-77"));
    }

    #[test]
    fn seed_nodes_choose_the_cluster_over_the_url() {
        let single = Settings::defaults();
        let cluster = Settings {
            redis_cluster: vec!["10.0.0.1:7000".to_owned(), "10.0.0.2:7000".to_owned()],
            ..Settings::defaults()
        };

        assert_eq!(
            single.redis_endpoint(),
            RedisEndpoint::Single("redis://127.0.0.1:6379".to_owned())
        );
        assert_eq!(
            cluster.redis_endpoint(),
            RedisEndpoint::Cluster(vec![
                "redis://10.0.0.1:7000".to_owned(),
                "redis://10.0.0.2:7000".to_owned()
            ])
        );
    }
}
