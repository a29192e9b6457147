//! The stateless backend: the server signs a JWT at login and keeps nothing.
//!
//! Every request carries the whole login (who, which role, until when) and the server only checks
//! the signature with a key it holds: an HMAC (HS256, the default) or an Ed25519 signature
//! (`AUTHLAB_JWT_ALG=EdDSA`), whose public keys anyone can fetch from the JWKS and verify with. That is why a login survives a restart of the server
//! (as long as the key is persisted) and why any instance sharing the key accepts it.
//!
//! # Limitations
//! - **No revocation before `exp`.** Logout clears the browser's cookie, but a copy of the token
//!   (a replayed `Authorization` header, a stolen cookie) keeps working until it expires: the
//!   server has nothing to delete. Undoing this needs server state (a denylist, see
//!   [`JwtBackend::with_denylist`]), which is exactly what stateless authentication set out to
//!   avoid: with it, every request pays a store lookup and fails when the store is down.
//! - **Role changes wait for the next token.** The role is a claim signed into the token, so
//!   demoting a user takes effect only when they log in again.
//! - **The payload is public.** Base64url is an encoding, not encryption: anyone holding the token
//!   can read its claims without the key.
//! - **HS256 cannot be shared safely.** Whoever holds the secret to verify can also sign: a
//!   second service must use EdDSA and the JWKS, never a copy of the HS256 secret.
//! - **A revoked key lingers in caches.** After `revoke_all`, a service that cached the JWKS
//!   trusts the dropped public key until its `max-age` runs out.
//! - **Every request pays for the token on the wire**, a few hundred bytes instead of a session id.

pub mod backend;
pub mod claims;
pub mod codec;
pub mod fast_hs256;
pub mod inspect;
pub mod introspection;
pub mod jwks;
pub mod jwks_route;
pub mod key_ring;
pub mod mount;
pub mod ring_files;
pub mod secret_strength;
pub mod settings;

pub use backend::JwtBackend;
pub use claims::Claims;
pub use codec::{TokenCodec, MAX_TOKEN_BYTES};
pub use introspection::JwtIntrospector;
pub use jwks::JwkSet;
pub use key_ring::{KeyRing, RingError};
pub use mount::{jwt_mount, JWT_MOUNT};
pub use ring_files::RingFiles;
pub use settings::{JwtAlg, JwtSettings, MIN_SECRET_BYTES};
