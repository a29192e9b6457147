//! `kid` injection: the key id is attacker-chosen text, and a verifier that builds a file path or
//! an SQL query from it lets the attacker choose the key.
//!
//! Two classics. `../../dev/null` walks out of a key directory to a file whose content is known
//! (nothing): the attacker signs with an empty HMAC key, and a verifier that reads
//! `keys/<kid>` reads /dev/null and checks with the same empty key. An SQL `kid` such as
//! `x' UNION SELECT 'attacker-key' --` makes `SELECT key FROM keys WHERE kid = '<kid>'` return
//! a key the attacker wrote. This server looks a `kid` up only among its own ring's keys, by
//! string comparison, and refuses a header it did not write.

use std::path::{Component, Path, PathBuf};

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use authlab_core::{Identity, Role, UserDirectory};
use authlab_jwt::codec::unix_now;
use serde_json::{json, Value};

use super::{
    naive_verifier::{self, NaiveVerdict},
    pages::{Attack, KidInjectionPage},
    present,
    token_view::TokenView,
    Lab, LabInfo,
};
use crate::{
    csrf::CsrfToken,
    errors::PageError,
    forms::CheckedForm,
    render::{self, private},
    TokenKit,
};

/// This lab, as the index lists it and the app routes it.
pub const LAB: Lab = Lab {
    info: LabInfo {
        slug: "kid-injection",
        title: "kid injection",
        summary: "A key id that is a path (../../dev/null) or SQL text: a verifier that looks \
                  keys up with it lets the attacker pick the key.",
        affects: None,
    },
    page_routes,
    under_each_mount: None,
    under_token_mount: None,
    under_mount: None,
};

/// Where the careless verifier keeps its keys, one file per `kid`.
const NAIVE_KEY_DIR: &str = "/srv/keys";
const PATH_KID: &str = "../../dev/null";
const SQL_KID: &str = "nobody' UNION SELECT 'attacker-key' --";
/// What the `UNION` makes the careless query return.
const SQL_INJECTED_KEY: &str = "attacker-key";

fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/kid-injection", web::get().to(show))
        .route("/labs/kid-injection", web::post().to(submit));
}

pub async fn show(csrf: CsrfToken) -> Result<HttpResponse, PageError> {
    page(&csrf, None, None)
}

/// `dir/kid` with `..` resolved as the kernel would, without needing `dir` to exist.
fn key_path(dir: &str, kid: &str) -> PathBuf {
    let mut path = PathBuf::new();
    for component in Path::new(dir).join(kid).components() {
        match component {
            Component::ParentDir => {
                path.pop();
            }
            Component::CurDir => {}
            other => path.push(other),
        }
    }
    path
}

/// The careless file verifier: reads `keys/<kid>` (for real) and checks the HMAC with its bytes.
fn file_verifier(token: &str) -> NaiveVerdict {
    let path = key_path(NAIVE_KEY_DIR, PATH_KID);
    match std::fs::read(&path) {
        Ok(key) => NaiveVerdict::new(
            format!(
                "opens {NAIVE_KEY_DIR}/<kid>, which is {} ({} bytes read, just now), and checks \
                 the HMAC with those bytes as the key.",
                path.display(),
                key.len()
            ),
            naive_verifier::accepts_hs256_with(token, &key),
        ),
        Err(err) => NaiveVerdict::new(
            format!("opens {}, which failed here ({err}).", path.display()),
            None,
        ),
    }
}

/// The careless SQL verifier: the query it would build, and the key that query returns.
fn sql_verifier(token: &str) -> NaiveVerdict {
    let query = format!("SELECT key FROM signing_keys WHERE kid = '{SQL_KID}'");
    NaiveVerdict::new(
        format!(
            "runs {query:?}. The quote closes the string, the UNION adds a row holding \
             '{SQL_INJECTED_KEY}', and -- comments out the rest: the query returns the \
             attacker's key, and the HMAC is checked with it."
        ),
        naive_verifier::accepts_hs256_with(token, SQL_INJECTED_KEY.as_bytes()),
    )
}

pub async fn submit(
    req: HttpRequest,
    tokens: web::Data<TokenKit>,
    users: web::Data<UserDirectory>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let alice = Identity {
        role: Role::Admin,
        ..users.lookup("alice").unwrap_or(Identity {
            username: "alice".into(),
            display_name: "Alice".into(),
            role: Role::Admin,
        })
    };
    let claims = tokens.keys.load().claims_for(&alice, unix_now());
    let claims: Value = serde_json::to_value(&claims).map_err(anyhow::Error::from)?;
    let forgeries = [
        (
            format!("kid {PATH_KID:?}, signed with an empty key (what /dev/null holds)"),
            naive_verifier::sign_hs256(
                &json!({"alg": "HS256", "typ": "JWT", "kid": PATH_KID}),
                &claims,
                b"",
            ),
            file_verifier as fn(&str) -> NaiveVerdict,
        ),
        (
            format!("kid {SQL_KID:?}, signed with {SQL_INJECTED_KEY:?}"),
            naive_verifier::sign_hs256(
                &json!({"alg": "HS256", "typ": "JWT", "kid": SQL_KID}),
                &claims,
                SQL_INJECTED_KEY.as_bytes(),
            ),
            sql_verifier,
        ),
    ];
    let mut attacks = Vec::new();
    for (what, forged, careless) in forgeries {
        let sent = present(
            &req,
            &tokens.mount.path("api/me"),
            ("Authorization", format!("Bearer {forged}")),
            "The token, sent to this server's /jwt/api/me".into(),
        )
        .await;
        let view = TokenView::of(&forged)
            .ok_or_else(|| anyhow::anyhow!("a signed token has three parts"))?;
        attacks.push(Attack {
            what,
            view,
            naive: careless(&forged),
            sent,
        });
    }
    page(&csrf, None, Some(attacks))
}

fn page(
    csrf: &CsrfToken,
    problem: Option<String>,
    result: Option<Vec<Attack>>,
) -> Result<HttpResponse, PageError> {
    Ok(private(render::html(
        StatusCode::OK,
        &KidInjectionPage {
            lab: &LAB.info,
            csrf: csrf.value(),
            problem,
            result,
        },
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_kid_walks_out_of_the_key_directory_to_dev_null() {
        assert_eq!(
            key_path(NAIVE_KEY_DIR, PATH_KID),
            PathBuf::from("/dev/null")
        );
    }
}
