//! Matching the steps of the course notes' login flow to this browser's recorded exchanges.
//!
//! Nothing here asks which backend a mount is. The words for "what changed on the server" are
//! the mount's own ([`authlab_core::StepWords`]), written by the backend crate that knows, and
//! the login's lifetime is the sentence the mount was built with.

use authlab_core::Rejection;

use super::recorder::Exchange;
use crate::{csrf::CSRF_COOKIE, Mount};

/// Where each step sits in [`Flow::steps`] (the sequence diagram reads them by these).
pub const LOGIN: usize = 0;
pub const CHECKED: usize = 1;
pub const SENT: usize = 3;
pub const ATTACHED: usize = 5;
pub const VERIFIED: usize = 6;
pub const ENDED: usize = 8;

/// One step of the flow on one mount.
pub struct Step {
    pub title: String,
    /// What the course notes say happens here.
    pub notes: &'static str,
    /// The exchange that did it, when this browser has done it.
    pub exchange: Option<Exchange>,
    /// What the exchange shows, in words (e.g. "303: accepted").
    pub outcome: String,
    pub client: String,
    pub server: String,
    /// When nothing was recorded yet: what to do to see this step.
    pub todo: Option<(String, &'static str)>,
}

/// The flow of one mount.
pub struct Flow<'a> {
    pub mount: &'a Mount,
    pub steps: Vec<Step>,
}

pub fn flow_for<'a>(mount: &'a Mount, exchanges: &[Exchange]) -> Flow<'a> {
    let prefix = format!("/{}/", mount.slug);
    let mine: Vec<&Exchange> = exchanges
        .iter()
        .filter(|e| e.target.starts_with(&prefix))
        .collect();
    let login_path = mount.path("login");
    let api_login_path = mount.path("api/login");
    let is_login = |e: &&Exchange| {
        e.method == "POST" && (e.path() == login_path || e.path() == api_login_path)
    };
    let succeeded = |e: &&Exchange| {
        (e.status == 303 && e.location.as_deref() == Some(mount.path("dashboard").as_str()))
            || (e.path() == api_login_path && e.status == 200)
    };
    let login_at = mine
        .iter()
        .rposition(|e| is_login(e) && succeeded(e))
        .or_else(|| mine.iter().rposition(is_login));
    let login = login_at.map(|i| mine[i].clone());
    let after: Vec<&Exchange> = login_at.map(|i| mine[i + 1..].to_vec()).unwrap_or_default();
    let credential = login.as_ref().and_then(|l| {
        l.set_cookies
            .iter()
            .find(|c| c.name != CSRF_COOKIE && !c.removal)
            .cloned()
    });
    let attached = after
        .iter()
        .find(|e| {
            e.authorization.is_some()
                || credential
                    .as_ref()
                    .is_some_and(|c| e.carries_cookie(&c.name))
        })
        .map(|e| (*e).clone());
    let admin = after
        .iter()
        .rev()
        .find(|e| e.path() == mount.path("admin"))
        .map(|e| (*e).clone());
    let ended = after
        .iter()
        .rev()
        .find(|e| {
            e.location
                .as_deref()
                .is_some_and(|l| l.contains("/login?reason="))
                || (e.method == "POST" && e.path() == mount.path("logout"))
        })
        .map(|e| (*e).clone());

    let log_in = || Some((login_path.clone(), "Log in"));
    let words = &mount.words;
    let mut steps = Vec::new();

    steps.push(Step {
        title: "1. Credentials sent".into(),
        notes: "The client sends username and password to the server.",
        outcome: login
            .as_ref()
            .map(|e| format!("{} {}", e.method, e.path()))
            .unwrap_or_default(),
        exchange: login.clone(),
        client: "The browser posts the login form: username and password travel in the body \
                 (readable by anyone on the wire without HTTPS). The body is not recorded here."
            .into(),
        server: "Nothing yet.".into(),
        todo: login.is_none().then(log_in).flatten(),
    });
    let accepted = login.as_ref().is_some_and(|e| succeeded(&e));
    steps.push(Step {
        title: "2. Checked against a hash".into(),
        notes: "The server checks the password against the stored hash.",
        outcome: match &login {
            Some(e) if accepted => format!("{}: accepted", e.status),
            Some(e) => format!(
                "{}: refused, the form again with \"wrong username or password\"",
                e.status
            ),
            None => String::new(),
        },
        exchange: None,
        client: "Waits.".into(),
        server: "Computes argon2id over the password with the salt from the stored hash and \
                 compares (tens of milliseconds of CPU, on purpose). The password itself is \
                 stored nowhere."
            .into(),
        todo: login.is_none().then(log_in).flatten(),
    });
    steps.push(Step {
        title: format!("3. {}", words.created_title),
        notes: "A session is created on the server, or a token is signed.",
        outcome: String::new(),
        exchange: None,
        client: "Nothing yet.".into(),
        server: words.created.into(),
        todo: (!accepted).then(log_in).flatten(),
    });
    steps.push(Step {
        title: "4. Sent to the client".into(),
        notes: "The session id or the token goes back in the response.",
        outcome: credential
            .as_ref()
            .map(|c| format!("Set-Cookie: {}={}; {}", c.name, c.value, c.attributes))
            .unwrap_or_default(),
        exchange: accepted.then(|| login.clone()).flatten(),
        client: words.sent.into(),
        server: "Done with this request.".into(),
        todo: (!accepted).then(log_in).flatten(),
    });
    steps.push(Step {
        title: "5. Stored by the browser".into(),
        notes: "The client stores it (a cookie, or wherever a script puts a token).",
        outcome: String::new(),
        exchange: None,
        client: match &credential {
            Some(c) => format!(
                "The browser keeps the cookie {} ({}). HttpOnly: page scripts cannot read it, so \
                 an injected script cannot steal it; the browser still sends it.",
                c.name, c.attributes
            ),
            None => "Nothing stored yet.".into(),
        },
        server: words.stored.into(),
        todo: credential.is_none().then(log_in).flatten(),
    });
    steps.push(Step {
        title: "6. Attached to the next request".into(),
        notes:
            "Every later request carries it: Cookie, or Authorization: Bearer for an API client.",
        outcome: attached
            .as_ref()
            .map(|e| format!("{} {}", e.method, e.path()))
            .unwrap_or_default(),
        exchange: attached.clone(),
        client: "The browser adds the Cookie header by itself to every request under the \
                 cookie's Path. An API client sends Authorization: Bearer <token> instead \
                 (try the curl lines on the revocation lab)."
            .into(),
        server: "Receives it.".into(),
        todo: attached
            .is_none()
            .then(|| (mount.path("dashboard"), "Open the dashboard")),
    });
    steps.push(Step {
        title: "7. Verified".into(),
        notes: "The server verifies it on every request.",
        outcome: attached
            .as_ref()
            .map(|e| match e.status {
                200 => "200: verified, the page is served".to_owned(),
                status => format!(
                    "{status}: refused{}",
                    e.location
                        .as_deref()
                        .map(|l| format!(", sent to {l}"))
                        .unwrap_or_default()
                ),
            })
            .unwrap_or_default(),
        exchange: None,
        client: "Waits.".into(),
        server: words.verified.into(),
        todo: attached
            .is_none()
            .then(|| (mount.path("dashboard"), "Open the dashboard")),
    });
    steps.push(Step {
        title: "8. Authorized or rejected".into(),
        notes: "Knowing who you are, the server decides what you may do.",
        outcome: admin
            .as_ref()
            .map(|e| match e.status {
                200 => "200: your role may open /admin".to_owned(),
                403 => "403: authenticated, but your role may not open /admin".to_owned(),
                status => format!("{status}"),
            })
            .unwrap_or_default(),
        exchange: admin.clone(),
        client: "Sends the same credential as always.".into(),
        server: words.authorized.into(),
        todo: admin
            .is_none()
            .then(|| (mount.path("admin"), "Open the admin page")),
    });
    steps.push(Step {
        title: "9. Expired or ended".into(),
        notes: "A login ends: it expires, or the user logs out.",
        outcome: ended
            .as_ref()
            .map(|e| {
                let reason = e
                    .location
                    .as_deref()
                    .and_then(|l| l.split_once("?reason="))
                    .and_then(|(_, code)| Rejection::from_code(code));
                match reason {
                    Some(reason) => format!("{}: {}", e.status, reason.explanation()),
                    None => format!("{}: logged out", e.status),
                }
            })
            .unwrap_or_default(),
        exchange: ended.clone(),
        client: "A removal Set-Cookie (Max-Age=0) makes the browser forget the credential.".into(),
        server: format!("{} Lifetime here: {}.", words.ended, mount.lifetime),
        todo: ended
            .is_none()
            .then(|| ("/labs/expiry".to_owned(), "Try the expiry lab, or log out")),
    });
    Flow { mount, steps }
}
