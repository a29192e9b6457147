//! The refresh token itself: an [`OpaqueToken`] (32 random bytes, base64url, kept by the
//! server as its SHA-256 only), the same kind as the session mounts' bearer token.

pub use authlab_session::opaque::OpaqueToken as RefreshToken;
