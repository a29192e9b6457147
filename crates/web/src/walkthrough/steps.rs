//! Matching the steps of the course notes' login flow to this browser's recorded exchanges.
//!
//! Nothing here asks which backend a mount is. The words for "what changed on the server" follow
//! from what the backend promises ([`Capabilities`]): a backend whose role changes apply at once
//! keeps a record and looks it up; one shared across instances keeps it outside the process.

use authlab_core::{Capabilities, Rejection};

use super::recorder::Exchange;
use crate::{csrf::CSRF_COOKIE, Mount, Settings};

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

pub fn flow_for<'a>(mount: &'a Mount, exchanges: &[Exchange], settings: &Settings) -> Flow<'a> {
    let caps = mount.backend.capabilities();
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
    let words = Words::of(caps);
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
        title: words.created_title.into(),
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
    let ttl = if caps.live_role_changes {
        format!("AUTHLAB_SESSION_TTL = {} s after the last change, and at most AUTHLAB_SESSION_ABSOLUTE_TTL = {} s after login",
            settings.session_ttl, settings.session_absolute_ttl)
    } else {
        format!(
            "AUTHLAB_JWT_TTL = {} s after signing, exactly (no leeway)",
            settings.jwt_ttl
        )
    };
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
        server: format!("{} Lifetime here: {ttl}.", words.ended),
        todo: ended
            .is_none()
            .then(|| ("/labs/expiry".to_owned(), "Try the expiry lab, or log out")),
    });
    Flow { mount, steps }
}

/// The server's side of each step, by what the backend keeps.
struct Words {
    created_title: &'static str,
    created: &'static str,
    sent: &'static str,
    stored: &'static str,
    verified: &'static str,
    authorized: &'static str,
    ended: &'static str,
}

impl Words {
    fn of(caps: Capabilities) -> Words {
        if caps.live_role_changes {
            Words {
                created_title: "3. Session created",
                created: if caps.shared_across_instances {
                    "Redis gets one key for this login (authlab:session:{you}:<login id>) \
                     holding your username, role and login time, with a TTL."
                } else {
                    "This server process's memory gets a new record under a random key, holding \
                     your username and login time. A restart of the process loses it."
                },
                sent: "Receives Set-Cookie with the session id (encrypted by actix-session). The \
                       id means nothing by itself: it is a key into the server's records.",
                stored: "Keeps the record; the browser holds only its key.",
                verified:
                    "Looks the record up by the cookie's key (one store lookup per request), \
                           then your current role in the user directory.",
                authorized: "Checks the role it just looked up: a role change applies at once.",
                ended: "Logout deletes the record: the old cookie is dead at once, even if copied.",
            }
        } else {
            Words {
                created_title: "3. Token signed",
                created: "Builds the claims (sub, role, iat, exp, …), signs header.payload with \
                          HMAC-SHA256 and its key, and stores nothing.",
                sent: "Receives Set-Cookie with the whole token: anyone holding it can read the \
                       claims (base64url, not encryption).",
                stored: "Stores nothing: the token is the whole login.",
                verified: "Recomputes the HMAC over header.payload with its key and compares, \
                           then checks exp, nbf, iss and aud. No lookup.",
                authorized: "Checks the role written in the token when it was signed: a role \
                             change waits for the next token.",
                ended: "Logout only asks the browser to forget the token: a copy keeps working \
                        until exp, unless the denylist (AUTHLAB_JWT_DENYLIST) is on.",
            }
        }
    }
}
