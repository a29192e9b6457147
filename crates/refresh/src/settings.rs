//! What the `/refresh` mount is told: three lifetimes and the cookies' `Secure` flag.

use std::time::Duration;

use authlab_core::{CookieName, MountSlug};

/// The mount's slug and its two cookies, named once.
pub const SLUG: MountSlug = MountSlug::new("refresh");
/// The access token (a JWT), sent with every request under `/refresh`.
pub const ACCESS_COOKIE: CookieName = CookieName::new("authlab_refresh_access");
/// The refresh token: `HttpOnly`, `SameSite=Strict`, scoped to the mount (every page of it may
/// refresh, transparently).
pub const REFRESH_COOKIE: CookieName = CookieName::new("authlab_refresh_token");

#[derive(Debug, Clone)]
pub struct RefreshSettings {
    /// `AUTHLAB_ACCESS_TTL`: how long an access token lives (no lookup until it expires).
    pub access_ttl: Duration,
    /// `AUTHLAB_REFRESH_TTL`: how long one refresh token lives unused.
    pub refresh_ttl: Duration,
    /// `AUTHLAB_REFRESH_REUSE_GRACE`: how long after its use a spent refresh token may be used
    /// again (two tabs refreshing at once) before a further use counts as theft.
    pub reuse_grace: Duration,
    /// The longest a login (a family) lives, whatever is refreshed: the session mounts'
    /// absolute lifetime.
    pub absolute: Duration,
    pub cookie_secure: bool,
}
