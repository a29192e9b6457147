//! `/labs`: small experiments, each a page with an explanation, a button, and a result computed by
//! the server from the real parts (the live verifier, the real stores, the real process).
//!
//! **Where the buttons post.** The login cookies are scoped by path (`authlab_jwt` has
//! `Path=/jwt`), so a browser sends its token only to `/jwt/…`. A lab that needs the browser's
//! token therefore posts to `/jwt/labs/<name>` ([`token_routes`]), one that needs each mount's
//! credential posts to `/<mount>/labs/<name>` ([`mount_routes`], written once for all mounts), and
//! the pages that show "am I still logged in here?" embed `/<mount>/labs/status` for each mount.
//! The index and the lab pages live at `/labs/<name>` ([`routes`]).
//!
//! **Classroom tools.** Restart, flush, rotate and the role change affect everyone using this
//! server. They are POST forms with the CSRF token like every other form, and each page says what
//! it affects; they are not access-controlled, because the server is a classroom demo.

pub mod authorization;
pub mod decode;
pub mod expiry;
pub mod flush;
pub mod forged;
pub mod index;
pub mod loopback;
pub mod pages;
pub mod restart;
pub mod revocation;
pub mod roles;
pub mod rotate;
pub mod status;
pub mod tamper;
pub mod token_view;

use actix_web::{web, HttpRequest, HttpResponse};

use crate::TokenKit;

/// What the index lists and every lab page starts with.
pub struct LabInfo {
    pub slug: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    /// Set for the labs that change server-wide state: what they affect.
    pub affects: Option<&'static str>,
}

pub const LABS: [LabInfo; 10] = [
    LabInfo {
        slug: "tamper",
        title: "Tamper with the token",
        summary: "Change the role in your /jwt token's payload and send it to the server.",
        affects: None,
    },
    LabInfo {
        slug: "forged",
        title: "alg: none, and another key",
        summary: "Two classic forgeries: a token that claims it needs no signature, and one signed \
                  with a key that is not the server's.",
        affects: None,
    },
    LabInfo {
        slug: "decode",
        title: "The payload is public",
        summary: "Read your token's claims without knowing the key.",
        affects: None,
    },
    LabInfo {
        slug: "expiry",
        title: "Expiry",
        summary: "Get a token that lives a few seconds, watch it expire, and see why you are sent \
                  back to the login page.",
        affects: None,
    },
    LabInfo {
        slug: "revocation",
        title: "Log out, then replay",
        summary: "Log out of a mount while keeping a copy of the credential, then send the copy \
                  again.",
        affects: None,
    },
    LabInfo {
        slug: "roles",
        title: "Demote or promote bob",
        summary: "Change bob's role on the server and see which mounts notice at once.",
        affects: Some("Changes the role of the account for everybody using this server, until it is changed back or the server restarts."),
    },
    LabInfo {
        slug: "authorization",
        title: "Authorization: /admin for alice and bob",
        summary: "Authentication says who you are; authorization says what you may do.",
        affects: None,
    },
    LabInfo {
        slug: "restart",
        title: "Restart the server",
        summary: "Really restart the server process, then see which mounts kept you logged in.",
        affects: Some("Restarts the server for everybody: every /memory login in the room ends."),
    },
    LabInfo {
        slug: "flush",
        title: "Flush Redis",
        summary: "Delete this app's data from Redis, as a Redis restart without persistence would.",
        affects: Some("Deletes every authlab:* key in the Redis database (every /session login in the room, and the JWT denylist); other keys are left alone."),
    },
    LabInfo {
        slug: "rotate",
        title: "Rotate the JWT key",
        summary: "Replace the key that signs and checks tokens while the server runs.",
        affects: Some("Replaces the /jwt signing key for everybody: every /jwt login in the room ends, and the key file in the data directory is replaced."),
    },
];

/// The lab listed under `slug`; a lab page asking for one that is not listed is a bug (a 500).
pub fn lab(slug: &str) -> anyhow::Result<&'static LabInfo> {
    LABS.iter()
        .find(|lab| lab.slug == slug)
        .ok_or_else(|| anyhow::anyhow!("the {slug} lab is not listed"))
}

/// `/labs` and `/labs/<name>`, and the posts of the server-wide labs.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs", web::get().to(index::show))
        .route("/assets/labs.css", web::get().to(labs_css))
        .route("/assets/labs.js", web::get().to(labs_js))
        .route("/labs/tamper", web::get().to(tamper::show))
        .route("/labs/forged", web::get().to(forged::show))
        .route("/labs/decode", web::get().to(decode::show))
        .route("/labs/expiry", web::get().to(expiry::show))
        .route("/labs/revocation", web::get().to(revocation::show))
        .route("/labs/roles", web::get().to(roles::show))
        .route("/labs/roles", web::post().to(roles::submit))
        .route("/labs/authorization", web::get().to(authorization::show))
        .route("/labs/authorization", web::post().to(authorization::submit))
        .route("/labs/restart", web::get().to(restart::show))
        .route("/labs/restart", web::post().to(restart::submit))
        .route("/labs/flush", web::get().to(flush::show))
        .route("/labs/flush", web::post().to(flush::submit))
        .route("/labs/rotate", web::get().to(rotate::show))
        .route("/labs/rotate", web::post().to(rotate::submit));
}

/// Under every login mount: the status probe and the revocation lab, the same for each.
pub fn mount_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/status", web::get().to(status::show))
        .route("/labs/revocation", web::post().to(revocation::submit))
        .route("/labs/replay", web::post().to(revocation::replay));
}

/// Under `/jwt` only: the labs about the token itself.
pub fn token_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/tamper", web::post().to(tamper::submit))
        .route("/labs/forged", web::post().to(forged::submit))
        .route("/labs/decode", web::post().to(decode::submit))
        .route("/labs/expiry", web::post().to(expiry::submit))
        .route("/labs/expiry/check", web::post().to(expiry::check));
}

/// What a token lab says when the form came without a `/jwt` token.
pub const NO_TOKEN: &str = "Your browser sent no /jwt token with this form: log in to /jwt first.";

/// The token this browser sent to `/jwt`, if any.
pub fn browser_token(req: &HttpRequest, tokens: &TokenKit) -> Option<String> {
    req.cookie(&tokens.settings.cookie_name)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

/// `http://host` as the browser addressed this server, for the curl lines.
pub fn origin(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

const LABS_CSS: &str = include_str!("../../../../templates/assets/labs.css");
const LABS_JS: &str = include_str!("../../../../templates/assets/labs.js");

async fn labs_css() -> HttpResponse {
    asset("text/css; charset=utf-8", LABS_CSS)
}

async fn labs_js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", LABS_JS)
}

fn asset(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            actix_web::http::header::CACHE_CONTROL,
            "public, max-age=300",
        ))
        .body(body)
}

/// Send `GET path` to this server with one credential header, the way the page's curl line
/// would, and keep what came back.
pub async fn present(
    req: &HttpRequest,
    path: &str,
    header: (&'static str, String),
    what: String,
) -> pages::Sent {
    let curl = format!(
        "curl -i -H '{}: {}' {}{path}",
        header.0,
        header.1,
        origin(req)
    );
    let answer = loopback::send(req, reqwest::Method::GET, path, &[header], None)
        .await
        .unwrap_or_else(|err| loopback::Answer {
            status: 0,
            body: format!("the request failed: {err}"),
            set_cookies: Vec::new(),
        });
    let explanation = answer
        .error_code()
        .and_then(|code| authlab_core::Rejection::from_code(&code))
        .map(|rejection| rejection.explanation());
    pages::Sent {
        what,
        curl,
        answer,
        explanation,
    }
}
