//! What `authlab resource` is told: where the issuer is, what its tokens must say, and the
//! secret for introspection (if opaque tokens are to be accepted). Nothing else: it holds no
//! signing key and no store.

use std::{fmt, net::IpAddr, path::PathBuf, time::Duration};

use authlab_core::Secret;

#[derive(Clone, clap::Args)]
pub struct ResourceSettings {
    /// The issuing authlab server's base URL: its JWKS is `<issuer>/.well-known/jwks.json`, its
    /// introspection endpoint `<issuer>/introspect`.
    #[arg(long, env = "AUTHLAB_RESOURCE_ISSUER")]
    pub issuer: String,

    /// Address to listen on.
    #[arg(long, env = "AUTHLAB_RESOURCE_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,

    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "AUTHLAB_RESOURCE_PORT", default_value_t = 8090)]
    pub port: u16,

    /// The `iss` a token must carry (the issuer's AUTHLAB JWT issuer name).
    #[arg(long, env = "AUTHLAB_RESOURCE_EXPECTED_ISS", default_value = "authlab")]
    pub expected_iss: String,

    /// The `aud` a token must carry.
    #[arg(
        long,
        env = "AUTHLAB_RESOURCE_AUDIENCE",
        default_value = "authlab-demo"
    )]
    pub audience: String,

    /// The secret for the issuer's POST /introspect (needed for opaque tokens only).
    #[arg(long, env = "AUTHLAB_INTROSPECTION_SECRET", hide_env_values = true)]
    pub introspection_secret: Option<Secret>,

    /// A file holding that secret, e.g. the issuer's `<data dir>/introspection.secret`.
    #[arg(
        long,
        env = "AUTHLAB_INTROSPECTION_SECRET_FILE",
        conflicts_with = "introspection_secret"
    )]
    pub introspection_secret_file: Option<PathBuf>,

    /// Longest wait for the issuer (JWKS or introspection), in milliseconds, before a 503.
    #[arg(
        long,
        env = "AUTHLAB_RESOURCE_ISSUER_TIMEOUT_MS",
        default_value_t = 2000
    )]
    pub issuer_timeout_ms: u64,

    /// Worker threads (default: one per core).
    #[arg(long, env = "AUTHLAB_RESOURCE_WORKERS")]
    pub workers: Option<usize>,
}

impl ResourceSettings {
    /// Defaults for an issuer at `issuer`, as if no other flag were given.
    pub fn for_issuer(issuer: &str) -> Self {
        ResourceSettings {
            issuer: issuer.to_owned(),
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 8090,
            expected_iss: "authlab".to_owned(),
            audience: "authlab-demo".to_owned(),
            introspection_secret: None,
            introspection_secret_file: None,
            issuer_timeout_ms: 2000,
            workers: None,
        }
    }

    pub fn issuer_timeout(&self) -> Duration {
        Duration::from_millis(self.issuer_timeout_ms.max(1))
    }

    /// The issuer's base URL without a trailing slash.
    pub fn issuer_base(&self) -> &str {
        self.issuer.trim_end_matches('/')
    }

    pub fn jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.issuer_base())
    }

    pub fn introspection_url(&self) -> String {
        format!("{}/introspect", self.issuer_base())
    }

    /// The introspection secret, typed or read from its file (trimmed, as the issuer wrote it).
    pub fn load_introspection_secret(&self) -> anyhow::Result<Option<Secret>> {
        if let Some(secret) = &self.introspection_secret {
            return Ok(Some(secret.clone()));
        }
        let Some(path) = &self.introspection_secret_file else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(path).map_err(|err| {
            anyhow::anyhow!(
                "cannot read the introspection secret file {}: {err}",
                path.display()
            )
        })?;
        let text = text.trim();
        anyhow::ensure!(
            !text.is_empty(),
            "the introspection secret file {} is empty",
            path.display()
        );
        Ok(Some(Secret::new(text)))
    }
}

impl fmt::Debug for ResourceSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceSettings")
            .field("issuer", &self.issuer)
            .field("bind", &self.bind)
            .field("port", &self.port)
            .field("expected_iss", &self.expected_iss)
            .field("audience", &self.audience)
            .field("introspection_secret", &self.introspection_secret)
            .field("introspection_secret_file", &self.introspection_secret_file)
            .field("issuer_timeout_ms", &self.issuer_timeout_ms)
            .field("workers", &self.workers)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_introspection_secret() {
        let settings = ResourceSettings {
            introspection_secret: Some(Secret::new("resource-secret-that-must-not-leak")),
            ..ResourceSettings::for_issuer("http://127.0.0.1:8080/")
        };

        let printed = format!("{settings:?}");

        assert!(!printed.contains("must-not-leak"));
        assert_eq!(
            settings.jwks_url(),
            "http://127.0.0.1:8080/.well-known/jwks.json"
        );
    }
}
