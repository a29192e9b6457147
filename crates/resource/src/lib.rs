//! `authlab resource`: a second service that trusts the issuer's tokens without sharing its
//! secret, the course notes' "tokens can be used across services", made real.
//!
//! It holds no signing key and no store. An EdDSA JWT is checked here with the public key the
//! issuer publishes at `/.well-known/jwks.json` ([`jwks_cache`], [`local_verify`]): no request to
//! the issuer, so it keeps working while the issuer's Redis (or the issuer) is down. Any other
//! token, an opaque session token or an HS256 JWT, is sent to the issuer's `POST /introspect`
//! ([`introspection_client`]): one round trip per request, and a logout is seen at once.
//! [`checker`] decides which; [`verdict`] names the outcomes; [`routes`] serves them.
//!
//! # Limitations
//! - **A local check cannot see a logout.** A JWT verified here stays accepted until its `exp`,
//!   whatever happened on the issuer (logout, denylist, role change): that is the price of not
//!   asking. An emergency key revocation reaches this service when its cached JWKS expires
//!   (the issuer's `max-age`, 60 s), not at once.
//! - **Introspection costs a round trip per request** and makes the issuer a dependency: when it
//!   is down or slow, opaque tokens get a 503 here. Answers are not cached, on purpose.
//! - **No TLS.** The HTTP client is built without a TLS backend, so `--issuer` must be an
//!   `http://` URL on a network you trust (loopback, the compose network); a production service
//!   would fetch the JWKS over HTTPS, or an attacker on the path could hand it their own keys.
//! - **One issuer.** The `iss` and `aud` to expect are configured, not discovered (no OpenID
//!   Connect discovery document).

pub mod checker;
pub mod introspection_client;
pub mod issuer_http;
pub mod jwks_cache;
pub mod local_verify;
pub mod routes;
pub mod server;
pub mod settings;
pub mod verdict;

pub use server::{run, start, RunningResource};
pub use settings::ResourceSettings;
