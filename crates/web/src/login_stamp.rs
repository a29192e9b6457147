//! The time of a browser's last login to a mount, in a cookie of that mount: how the login page
//! tells a visitor logged out by an announced event (a key rotation, a flush, a restart) from a
//! visitor who never logged in or logged out themselves (see [`crate::announcements`]).
//!
//! One cookie name per mount (`authlab_since_<slug>`) rather than one name on several paths:
//! cookies of one name on different paths arrive together and would have to be told apart.
//! The value is only a time, shown to nobody and trusted for nothing but choosing which of the
//! server's own sentences to show, so it is not signed.

use actix_web::{
    cookie::{time::Duration as CookieDuration, Cookie, SameSite},
    HttpRequest,
};
use authlab_core::MountSlug;

/// How long the stamp is kept: a school day is longer than any login here lives.
const KEPT_FOR: CookieDuration = CookieDuration::days(1);

pub fn cookie_name(mount: MountSlug) -> String {
    format!("authlab_since_{mount}")
}

/// The stamp a successful login sets: "logged in here at `at`".
pub fn stamp(mount: MountSlug, at: u64, secure: bool) -> Cookie<'static> {
    Cookie::build(cookie_name(mount), at.to_string())
        .path(mount.prefix())
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(KEPT_FOR)
        .finish()
}

/// The removal a deliberate logout sends.
pub fn removal(mount: MountSlug) -> Cookie<'static> {
    let mut cookie = Cookie::build(cookie_name(mount), "")
        .path(mount.prefix())
        .finish();
    cookie.make_removal();
    cookie
}

/// When this browser last logged in to `mount`, if it says.
pub fn read(req: &HttpRequest, mount: MountSlug) -> Option<u64> {
    req.cookie(&cookie_name(mount))?.value().parse().ok()
}
