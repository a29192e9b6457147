//! Algorithm confusion: an HS256 token whose HMAC key is this server's *published* Ed25519
//! public key.
//!
//! A verifier that looks up "the key for this kid" as bytes and hands them to whichever
//! algorithm the token names would, for `alg: HS256`, compute an HMAC with the public key as the
//! secret, and anyone can read that key from the JWKS. (PyJWT fell for the PEM form of this,
//! CVE-2017-11424; jsonwebtoken ties each key to one algorithm family and refuses.) This server
//! accepts only the one algorithm it is configured with.

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use authlab_core::{Identity, Role, UserDirectory};
use authlab_jwt::{codec::unix_now, JwtAlg};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{json, Value};

use super::{
    naive_verifier::{self, NaiveVerdict},
    pages::{AlgConfusionPage, Attack},
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
        slug: "alg-confusion",
        title: "Algorithm confusion",
        summary: "An HS256 token signed with this server's public Ed25519 key as the HMAC \
                  secret: a verifier that lets the token pick the algorithm accepts it.",
        affects: None,
    },
    page_routes,
    under_each_mount: None,
    under_token_mount: None,
    under_mount: None,
};

/// Shown when the server signs with HS256: there is no public key to confuse with.
pub const NEEDS_EDDSA: &str = "This server signs with HS256 and publishes no public key (its \
    JWKS is empty), so there is nothing public to sign with: the attack needs an asymmetric \
    issuer. Start authlab with AUTHLAB_JWT_ALG=EdDSA to run it.";

fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/alg-confusion", web::get().to(show))
        .route("/labs/alg-confusion", web::post().to(submit));
}

pub async fn show(csrf: CsrfToken) -> Result<HttpResponse, PageError> {
    page(&csrf, None, None)
}

pub async fn submit(
    req: HttpRequest,
    tokens: web::Data<TokenKit>,
    users: web::Data<UserDirectory>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let current = tokens.keys.load();
    // Exactly what anyone can fetch from /.well-known/jwks.json.
    let published = tokens.keys.jwks().keys.into_iter().next();
    let (Some(jwk), JwtAlg::EdDsa) = (published, current.algorithm()) else {
        return page(&csrf, Some(NEEDS_EDDSA.into()), None);
    };
    let public_key = URL_SAFE_NO_PAD
        .decode(&jwk.x)
        .map_err(|err| anyhow::anyhow!("our own JWKS x is not base64url: {err}"))?;
    let alice = Identity {
        role: Role::Admin,
        ..users.lookup("alice").unwrap_or(Identity {
            username: "alice".into(),
            display_name: "Alice".into(),
            role: Role::Admin,
        })
    };
    let claims: Value = serde_json::to_value(current.claims_for(&alice, unix_now()))
        .map_err(anyhow::Error::from)?;
    let forged = naive_verifier::sign_hs256(
        &json!({"alg": "HS256", "typ": "JWT", "kid": jwk.kid}),
        &claims,
        &public_key,
    );
    let naive = NaiveVerdict::new(
        format!(
            "finds key {} by the token's kid, takes its bytes (the 32-byte public key, as \
             published), and since the header says HS256, checks an HMAC with them.",
            jwk.kid
        ),
        naive_verifier::accepts_hs256_with(&forged, &public_key),
    );
    let sent = present(
        &req,
        &tokens.mount.path("api/me"),
        ("Authorization", format!("Bearer {forged}")),
        "The token, sent to this server's /jwt/api/me".into(),
    )
    .await;
    let view =
        TokenView::of(&forged).ok_or_else(|| anyhow::anyhow!("a signed token has three parts"))?;
    page(
        &csrf,
        None,
        Some(vec![Attack {
            what: format!(
                "alice (admin), alg HS256, HMAC key = the public key {} from the JWKS",
                jwk.kid
            ),
            view,
            naive,
            sent,
        }]),
    )
}

fn page(
    csrf: &CsrfToken,
    problem: Option<String>,
    result: Option<Vec<Attack>>,
) -> Result<HttpResponse, PageError> {
    Ok(private(render::html(
        StatusCode::OK,
        &AlgConfusionPage {
            lab: &LAB.info,
            csrf: csrf.value(),
            problem,
            result,
        },
    )))
}
