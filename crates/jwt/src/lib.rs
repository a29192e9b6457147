//! The stateless backend: the server signs a JWT at login and keeps nothing.
//!
//! Every request carries the whole login (who, which role, until when) and the server only checks
//! the HMAC signature with a key it holds. That is why a login survives a restart of the server
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
//! - **Every request pays for the token on the wire**, a few hundred bytes instead of a session id.

pub mod backend;
pub mod claims;
pub mod codec;
pub mod fast_hs256;
pub mod inspect;
pub mod key_ring;
pub mod settings;

pub use backend::JwtBackend;
pub use claims::Claims;
pub use codec::{TokenCodec, MAX_TOKEN_BYTES};
pub use key_ring::KeyRing;
pub use settings::{JwtSettings, MIN_SECRET_BYTES};
