//! `/jwt` as a value: its words, and its backend. It needs no middleware: the backend reads the
//! token from the request itself.

use std::sync::Arc;

use authlab_core::{Credential, Mount, MountInfo, StateHome, StepWords};

use crate::{settings, JwtBackend};

pub const JWT_MOUNT: MountInfo = MountInfo {
    slug: settings::SLUG,
    title: "JSON Web Token",
    summary: "Stateless: at login the server signs a JSON Web Token and keeps nothing; your \
              browser sends the token back and the server only checks the signature. It survives \
              restarts and needs no lookup, but logout cannot stop a copied token before it \
              expires.",
    credential: Credential {
        cookie: Some(settings::COOKIE),
        renewal_cookie: None,
        bearer: true,
        what: "a signed token",
    },
    home: StateHome::Client,
    login: true,
    words: StepWords {
        created_title: "Token signed",
        created: "Builds the claims (sub, role, iat, exp, …), signs header.payload with \
                  HMAC-SHA256 and its key, and stores nothing.",
        sent: "Receives Set-Cookie with the whole token: anyone holding it can read the claims \
               (base64url, not encryption).",
        stored: "Stores nothing: the token is the whole login.",
        verified: "Recomputes the HMAC over header.payload with its key and compares, then checks \
                   exp, nbf, iss and aud. No lookup.",
        authorized: "Checks the role written in the token when it was signed: a role change \
                     waits for the next token.",
        ended: "Logout only asks the browser to forget the token: a copy keeps working until \
                exp, unless the denylist (AUTHLAB_JWT_DENYLIST) is on.",
    },
};

/// The running `/jwt` mount.
pub fn jwt_mount(backend: JwtBackend) -> Mount {
    let lifetime = format!(
        "AUTHLAB_JWT_TTL = {} s after signing, exactly (no leeway)",
        backend.settings().ttl.as_secs()
    );
    Mount::new(&JWT_MOUNT, lifetime, Arc::new(backend))
}
