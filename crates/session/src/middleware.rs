//! actix-session's middleware, configured once for both stores.

use actix_session::{
    config::{CookieContentSecurity, PersistentSession, TtlExtensionPolicy},
    storage::SessionStore,
    SessionMiddleware,
};
use actix_web::cookie::SameSite;

use crate::SessionSettings;

/// The middleware for one session mount.
///
/// The cookie is encrypted (`Private`), HttpOnly, SameSite=Lax and scoped to the mount's path.
/// The TTL is the policy's idle TTL, extended only when the record changes: an unchanged request costs exactly one store
/// read, no write and no EXPIRE.
pub fn session_middleware<S: SessionStore>(
    store: S,
    settings: &SessionSettings,
) -> SessionMiddleware<S> {
    SessionMiddleware::builder(store, settings.cookie_key.key().clone())
        .cookie_name(settings.cookie_name.clone())
        .cookie_path(settings.cookie_path.clone())
        .cookie_secure(settings.cookie_secure)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_content_security(CookieContentSecurity::Private)
        .session_lifecycle(
            PersistentSession::default()
                .session_ttl(settings.policy.idle_for_middleware())
                .session_ttl_extension_policy(TtlExtensionPolicy::OnStateChanges),
        )
        .build()
}
