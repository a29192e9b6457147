//! A mount: one way of keeping a user logged in, served under its own URL prefix.
//!
//! The project's one idea is "a backend is a plug-in behind the same pages", so a mount is one
//! value, described in one place, and everything that shows or measures mounts (the app, the
//! compare view, the walkthrough, the recorder, the labs, the test kit, the contract tests, the
//! benchmarks) iterates a list of them instead of naming them. Adding a backend is adding its
//! value to that list.
//!
//! A mount comes in two layers, because some readers of the list never run a backend:
//! - [`MountInfo`] is static: slug, words, credential, where the login lives. Each backend crate
//!   declares its own as a `const`, and the benchmark harness and the test kit, which drive the
//!   real binary from outside, read only this.
//! - [`Mount`] is the running mount: the info, the backend built from the settings, the sentence
//!   that says how long a login lives with these settings, and how the mount wraps its routes in
//!   its own middleware (the session mounts need actix-session's; the others need none).

use std::{fmt, sync::Arc};

use actix_web::{web::ServiceConfig, Scope};

use crate::AuthBackend;

/// The URL prefix of a mount without slashes, e.g. `jwt`. A type rather than a `&str`, so that a
/// mount is named through its backend's constant and a typo does not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MountSlug(&'static str);

impl MountSlug {
    /// Only backend crates call this, once, in their [`MountInfo`] constant.
    pub const fn new(slug: &'static str) -> Self {
        MountSlug(slug)
    }

    pub const fn as_str(self) -> &'static str {
        self.0
    }

    /// `/{slug}`, the scope and cookie path.
    pub fn prefix(self) -> String {
        format!("/{}", self.0)
    }

    /// `/{slug}/{rest}`.
    pub fn path(self, rest: &str) -> String {
        format!("/{}/{}", self.0, rest.trim_start_matches('/'))
    }

    /// Whether a request path is under this mount.
    pub fn owns(self, path: &str) -> bool {
        path.strip_prefix('/')
            .and_then(|p| p.strip_prefix(self.0))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }
}

impl fmt::Display for MountSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl AsRef<str> for MountSlug {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// The name of a cookie this project sets. A type for the same reason as [`MountSlug`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CookieName(&'static str);

impl CookieName {
    pub const fn new(name: &'static str) -> Self {
        CookieName(name)
    }

    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for CookieName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Where a mount keeps its logins. What a restart, a second instance or a Redis outage does to a
/// mount follows from this, which is why the benchmarks choose what to measure by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateHome {
    /// A record per login in Redis.
    Redis,
    /// A record per login in the server process's memory.
    Process,
    /// Nothing on the server: the client carries the whole login.
    Client,
    /// Split: the client carries a short-lived signed access token that needs no lookup, and
    /// Redis keeps what renews it (each login's refresh-token family).
    Split,
    /// No login at all (the baseline).
    Nowhere,
}

impl StateHome {
    /// Whether the mount needs Redis for some of its work (the health check asks these).
    pub fn uses_redis(self) -> bool {
        matches!(self, StateHome::Redis | StateHome::Split)
    }
}

/// What a browser or an API client carries to stay logged in on a mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credential {
    /// The cookie a browser carries (scoped to the mount's prefix); `None` when there is none.
    pub cookie: Option<CookieName>,
    /// A second cookie the browser carries beside `cookie` on every page of the mount, the one
    /// that renews it (`/refresh`'s refresh token); `None` for the others. The wire figures count
    /// it, since a browser sends it whether or not this request needs it.
    pub renewal_cookie: Option<CookieName>,
    /// Programs carry a bearer token (`Authorization: Bearer`) rather than the cookie: the
    /// benchmarks measure that. The session mounts' API also hands out an opaque token, but
    /// their credential is the cookie.
    pub bearer: bool,
    /// What the credential is, in a few words ("a session id", "a signed token").
    pub what: &'static str,
}

/// The server's side of each step of the login flow, in the walkthrough's words. Written by the
/// backend that knows, rather than guessed from its capabilities.
#[derive(Debug, Clone, Copy)]
pub struct StepWords {
    /// The title of step 3, e.g. "Session created".
    pub created_title: &'static str,
    pub created: &'static str,
    pub sent: &'static str,
    pub stored: &'static str,
    pub verified: &'static str,
    pub authorized: &'static str,
    pub ended: &'static str,
}

/// Everything about a mount that does not need it running.
#[derive(Debug)]
pub struct MountInfo {
    pub slug: MountSlug,
    pub title: &'static str,
    /// Two sentences: where the login lives and what follows from that.
    pub summary: &'static str,
    pub credential: Credential,
    pub home: StateHome,
    /// Whether a student can log in here (the baseline has only the benchmarks' endpoint).
    pub login: bool,
    pub words: StepWords,
}

/// How a mount registers its scope: it receives the scope the app built (its routes and its
/// `Mount` as request data already in it), wraps its own middleware around it, and adds it.
pub type Install = Arc<dyn Fn(&mut ServiceConfig, Scope) + Send + Sync>;

/// The running mount. Handlers receive it as request data and talk only to its backend.
pub struct Mount {
    pub info: &'static MountInfo,
    /// How long a login lives with the current settings, in a sentence for the walkthrough.
    pub lifetime: String,
    pub backend: Arc<dyn AuthBackend>,
    pub install: Install,
}

impl Mount {
    /// A mount that needs no middleware of its own.
    pub fn new(info: &'static MountInfo, lifetime: String, backend: Arc<dyn AuthBackend>) -> Self {
        Mount {
            info,
            lifetime,
            backend,
            install: Arc::new(|cfg, scope| {
                cfg.service(scope);
            }),
        }
    }

    /// Wrap the mount's scope in middleware (see [`Install`]).
    pub fn with_install(mut self, install: Install) -> Self {
        self.install = install;
        self
    }

    pub fn path(&self, rest: &str) -> String {
        self.info.slug.path(rest)
    }
}

/// Templates and handlers read a mount's words straight through it (`mount.title`).
impl std::ops::Deref for Mount {
    type Target = MountInfo;

    fn deref(&self) -> &MountInfo {
        self.info
    }
}

/// The mounts of one server, in the order the pages show them. Built once, by the composition
/// root; nothing else lists mounts.
#[derive(Clone, Default)]
pub struct Mounts(Vec<Arc<Mount>>);

impl Mounts {
    pub fn new(mounts: Vec<Mount>) -> Self {
        Mounts(mounts.into_iter().map(Arc::new).collect())
    }

    /// Every mount, the baseline included.
    pub fn all(&self) -> impl Iterator<Item = &Arc<Mount>> {
        self.0.iter()
    }

    /// The mounts a student can log in to.
    pub fn login(&self) -> impl Iterator<Item = &Arc<Mount>> {
        self.0.iter().filter(|m| m.info.login)
    }

    pub fn get(&self, slug: MountSlug) -> Option<&Arc<Mount>> {
        self.0.iter().find(|m| m.info.slug == slug)
    }

    /// The mount a request path is under, if any.
    pub fn owning(&self, path: &str) -> Option<&Arc<Mount>> {
        self.0.iter().find(|m| m.info.slug.owns(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slug_owns_its_prefix_and_nothing_that_merely_starts_like_it() {
        let jwt = MountSlug::new("jwt");

        assert!(jwt.owns("/jwt"));
        assert!(jwt.owns("/jwt/login"));
        assert!(!jwt.owns("/jwtx/login"));
        assert!(!jwt.owns("/labs/jwt"));
        assert_eq!(jwt.path("/api/me"), "/jwt/api/me");
    }
}
