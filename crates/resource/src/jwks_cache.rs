//! The issuer's public keys, fetched from its JWKS and kept for as long as it says.
//!
//! - **Read without waiting.** Every request reads the snapshot (an `ArcSwap` load, no lock);
//!   only a fetch takes the mutex, and a request that waited for someone else's fetch looks
//!   again before fetching itself, so a burst of requests with a new `kid` makes one fetch.
//! - **A new `kid` is looked up at once, but not more than once every
//!   [`MIN_REFETCH_INTERVAL`].** A rotation on the issuer needs no cache expiry to be followed,
//!   and a stream of tokens with made-up `kid`s cannot turn this service into a flood of
//!   requests to the issuer.
//! - **`max-age` is obeyed.** After an emergency revocation the issuer drops the leaked key
//!   from its JWKS; a snapshot older than the issuer's `Cache-Control: max-age` is fetched again
//!   before it is used, so the dropped key stops verifying within that time. If that fetch fails,
//!   the request gets a 503 rather than trust keys the issuer may have withdrawn.
//! - **Bounded.** At most [`MAX_KEYS`] keys and [`MAX_JWKS_BYTES`] of JWKS are kept; only
//!   Ed25519 signing keys are taken (an `oct` key in a JWKS would make jsonwebtoken build an HMAC
//!   key from public bytes: the algorithm-confusion attack).

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use arc_swap::ArcSwap;
use jsonwebtoken::{
    jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm, PublicKeyUse},
    DecodingKey,
};
use reqwest::header;

use crate::{issuer_http, verdict::IssuerUnavailable};

/// Fewest seconds between two fetches of the JWKS.
pub const MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(3);
/// The most keys kept: the issuer's ring has the current key and a few in their overlap.
pub const MAX_KEYS: usize = 16;
/// The largest JWKS read.
pub const MAX_JWKS_BYTES: usize = 64 * 1024;
/// Used when the issuer sends no `max-age`; a longer one is cut to [`MAX_CACHE_AGE`].
const DEFAULT_CACHE_AGE: Duration = Duration::from_secs(60);
const MAX_CACHE_AGE: Duration = Duration::from_secs(3600);

struct Snapshot {
    keys: HashMap<String, Arc<DecodingKey>>,
    /// `None`: never fetched successfully.
    fetched_at: Option<Instant>,
    max_age: Duration,
}

impl Snapshot {
    fn is_fresh(&self, now: Instant) -> bool {
        self.fetched_at
            .is_some_and(|at| now.duration_since(at) < self.max_age)
    }
}

/// What a key lookup found.
#[derive(Clone)]
pub enum Lookup {
    Key(Arc<DecodingKey>),
    /// Not in the JWKS, which is fresh or was fetched again just now (or too recently to ask).
    Unknown,
}

pub struct JwksCache {
    http: reqwest::Client,
    url: String,
    snapshot: ArcSwap<Snapshot>,
    /// When the last fetch was tried (successful or not); held during a fetch.
    last_attempt: tokio::sync::Mutex<Option<Instant>>,
}

impl JwksCache {
    pub fn new(http: reqwest::Client, url: String) -> Self {
        JwksCache {
            http,
            url,
            snapshot: ArcSwap::from_pointee(Snapshot {
                keys: HashMap::new(),
                fetched_at: None,
                max_age: DEFAULT_CACHE_AGE,
            }),
            last_attempt: tokio::sync::Mutex::new(None),
        }
    }

    /// The issuer's key `kid`, fetching the JWKS if it is stale or lacks that key.
    pub async fn key(&self, kid: &str) -> Result<Lookup, IssuerUnavailable> {
        if let Some(key) = self.fresh_key(kid) {
            return Ok(Lookup::Key(key));
        }
        let mut last_attempt = self.last_attempt.lock().await;
        // Someone else may have fetched while this request waited.
        if let Some(key) = self.fresh_key(kid) {
            return Ok(Lookup::Key(key));
        }
        let now = Instant::now();
        if last_attempt.is_some_and(|at| now.duration_since(at) < MIN_REFETCH_INTERVAL) {
            // Fresh: the key is simply not there. Stale right after a fetch: that fetch failed,
            // and keys the issuer may have withdrawn are not trusted past their max-age.
            return if self.snapshot.load().is_fresh(now) {
                Ok(Lookup::Unknown)
            } else {
                Err(IssuerUnavailable(
                    "the issuer's JWKS could not be fetched again".to_owned(),
                ))
            };
        }
        *last_attempt = Some(now);
        let fetched = self.fetch().await?;
        let found = fetched.keys.get(kid).cloned();
        self.snapshot.store(Arc::new(fetched));
        Ok(found.map_or(Lookup::Unknown, Lookup::Key))
    }

    fn fresh_key(&self, kid: &str) -> Option<Arc<DecodingKey>> {
        let snapshot = self.snapshot.load();
        if snapshot.is_fresh(Instant::now()) {
            snapshot.keys.get(kid).cloned()
        } else {
            None
        }
    }

    /// How many keys the cache holds now (for the page).
    pub fn key_count(&self) -> usize {
        self.snapshot.load().keys.len()
    }

    async fn fetch(&self) -> Result<Snapshot, IssuerUnavailable> {
        let response = self
            .http
            .get(&self.url)
            .send()
            .await
            .map_err(|err| IssuerUnavailable(format!("fetching the JWKS: {err}")))?;
        if !response.status().is_success() {
            return Err(IssuerUnavailable(format!(
                "the JWKS answered {}",
                response.status()
            )));
        }
        let max_age = max_age(response.headers());
        let body = issuer_http::read_bounded(response, MAX_JWKS_BYTES).await?;
        let set: JwkSet = serde_json::from_slice(&body)
            .map_err(|err| IssuerUnavailable(format!("the JWKS is not a JWK set: {err}")))?;
        let keys = ed25519_keys(&set);
        tracing::info!(keys = keys.len(), url = %self.url, "fetched the issuer's JWKS");
        Ok(Snapshot {
            keys,
            fetched_at: Some(Instant::now()),
            max_age,
        })
    }
}

/// The Ed25519 signing keys of `set`, by `kid`, at most [`MAX_KEYS`].
fn ed25519_keys(set: &JwkSet) -> HashMap<String, Arc<DecodingKey>> {
    set.keys
        .iter()
        .filter(|jwk| {
            matches!(&jwk.algorithm, AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519)
                && matches!(jwk.common.key_algorithm, None | Some(KeyAlgorithm::EdDSA))
                && matches!(jwk.common.public_key_use, None | Some(PublicKeyUse::Signature))
        })
        .filter_map(|jwk| {
            let kid = jwk.common.key_id.clone()?;
            let key = DecodingKey::from_jwk(jwk).ok()?;
            Some((kid, Arc::new(key)))
        })
        .take(MAX_KEYS)
        .collect()
}

/// `Cache-Control: max-age=N`, within bounds.
fn max_age(headers: &header::HeaderMap) -> Duration {
    headers
        .get(header::CACHE_CONTROL)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value
                .split(',')
                .find_map(|part| part.trim().strip_prefix("max-age="))
                .and_then(|secs| secs.trim().parse::<u64>().ok())
        })
        .map_or(DEFAULT_CACHE_AGE, |secs| {
            Duration::from_secs(secs).min(MAX_CACHE_AGE)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ed25519_signing_keys_are_taken_from_a_jwks() {
        let set: JwkSet = serde_json::from_value(serde_json::json!({"keys": [
            {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
             "kid": "good", "use": "sig", "alg": "EdDSA"},
            {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
            {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
             "kid": "for-encryption", "use": "enc"},
            {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
        ]}))
        .expect("a JWK set");

        let keys = ed25519_keys(&set);

        assert_eq!(keys.keys().collect::<Vec<_>>(), vec!["good"]);
    }

    #[test]
    fn max_age_is_read_and_bounded() {
        let with = |value: &str| {
            let mut headers = header::HeaderMap::new();
            headers.insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_str(value).expect("ascii"),
            );
            max_age(&headers)
        };

        assert_eq!(with("public, max-age=60"), Duration::from_secs(60));
        assert_eq!(with("max-age=99999999"), MAX_CACHE_AGE);
        assert_eq!(with("no-cache"), DEFAULT_CACHE_AGE);
        assert_eq!(max_age(&header::HeaderMap::new()), DEFAULT_CACHE_AGE);
    }
}
