//! A backend mounted under a URL prefix, with the words that describe it to a student.

use std::sync::Arc;

use authlab_core::AuthBackend;

/// One mount: `/session`, `/memory`, `/jwt` or `/baseline`. Handlers receive it as request data.
pub struct Mount {
    /// The URL prefix without slashes, e.g. `jwt`.
    pub slug: &'static str,
    pub title: &'static str,
    /// Two sentences: where the login lives and what follows from that.
    pub summary: &'static str,
    pub backend: Arc<dyn AuthBackend>,
}

impl Mount {
    pub fn path(&self, rest: &str) -> String {
        format!("/{}/{}", self.slug, rest.trim_start_matches('/'))
    }
}

pub const SESSION_SUMMARY: &str = "Stateful: the browser holds only a random session id; the \
    server keeps who you are in Redis and looks it up on every request. Logout deletes the record, \
    so the old cookie is dead at once, but every request needs Redis.";

pub const MEMORY_SUMMARY: &str = "Stateful, like /session, but the records live in this server \
    process's memory. It is the course notes' warning made visible: restart the server and \
    everyone is logged out.";

pub const JWT_SUMMARY: &str = "Stateless: at login the server signs a JSON Web Token and keeps \
    nothing; your browser sends the token back and the server only checks the signature. It \
    survives restarts and needs no lookup, but logout cannot stop a copied token before it expires.";

pub const BASELINE_SUMMARY: &str = "No authentication at all, through the same handler: what the \
    benchmarks measure the other mounts against.";
