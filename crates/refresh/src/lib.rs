//! The middle ground between `/session` and `/jwt`: a short-lived access token that needs no
//! lookup, and a rotating refresh token that the server keeps and can revoke.
//!
//! At login the server signs an access token (a JWT from `/jwt`'s own key ring, same keys, kid
//! and algorithm, living `AUTHLAB_ACCESS_TTL`, with a `sid` claim naming the login) and draws a
//! refresh token: 32 random bytes, base64url, opaque. Redis keeps the login's **family** and
//! each refresh token's SHA-256, never the token ([`store`]). Every use of a refresh token
//! **rotates** it; a spent token used again after `AUTHLAB_REFRESH_REUSE_GRACE` is **reuse**: the
//! whole family is revoked, the newest token with it (OAuth 2.0 Security BCP, RFC 9700 §4.14.2).
//! Browsers are refreshed transparently on page requests ([`rotation`]); programs speak
//! OAuth 2.0 at `/refresh/api/token` ([`api`]).
//!
//! Why a crate of its own: it is a backend like the others (it declares its `MountInfo` and
//! builds its `Mount`), and it sits on both of theirs: the JWT crate's key ring signs its access
//! tokens, the session crate's `RedisLink` carries its Redis calls. Neither of those needs to
//! know it exists.
//!
//! # Limitations
//! - **Logout is instant for the refresh token only.** An access token already issued (a copied
//!   `Authorization` header, a stolen cookie) keeps working until its `exp`, at most
//!   `AUTHLAB_ACCESS_TTL`: that window is what buys a request with no lookup.
//! - **Role changes wait for the next refresh**, up to `AUTHLAB_ACCESS_TTL`.
//! - **Refreshing needs Redis.** With Redis down, valid access tokens are still served; a
//!   request that must refresh gets a 503, and within `AUTHLAB_ACCESS_TTL` everyone must.
//! - **Reuse detection cannot tell thief from owner.** Whoever uses the token second (after the
//!   grace) triggers it, and both are logged out; if the thief refreshes first and the owner
//!   never comes back, the thief keeps the login until it ends by itself (its absolute
//!   lifetime) or is logged out.
//! - **The refresh cookie goes with every `/refresh` page**, not only to one refreshing path,
//!   because pages refresh transparently; it is `HttpOnly` and `SameSite=Strict`.
//! - **A refresh token's key is not in its user's hash slot.** An opaque token does not name its
//!   user; its key is a pointer, and every decision is taken on the user-tagged family key.
//! - **"Log out everywhere" walks the user's families with `SCAN`**, a rare action that pays.

pub mod api;
pub mod backend;
pub mod mount;
pub mod rotation;
pub mod settings;
pub mod store;
pub mod token;

pub use backend::RefreshBackend;
pub use mount::{refresh_mount, REFRESH_MOUNT};
pub use settings::{RefreshSettings, ACCESS_COOKIE, REFRESH_COOKIE, SLUG};
pub use store::RefreshStore;
pub use token::RefreshToken;
