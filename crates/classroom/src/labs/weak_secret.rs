//! A weak HS256 secret cracked offline from one token, then an admin token forged with it.
//!
//! The course notes sign their examples with `"12@34$56"` and `'PIYUSH$123@'`. A service using
//! such a secret hands every user the means to find it: the token is `header.payload` and their
//! HMAC, so anyone holding one token can try candidate secrets offline, at hashing speed, and
//! the service never sees a single guess. Here a careless service signs bob's token with one of
//! those secrets; the page tries the project's short word list against it, forges an admin
//! token with what it found, and shows what that service would accept and what this server,
//! which refuses secrets under 32 random bytes at start-up, answers.

use std::time::{Duration, Instant};

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use authlab_core::{Identity, Role, Secret, UserDirectory};
use authlab_jwt::{codec::unix_now, JwtSettings, TokenCodec};
use serde_json::json;

use super::{
    naive_verifier::{self, NaiveVerdict},
    pages::{Attack, WeakSecretPage, WeakSecretResult},
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
        slug: "weak-secret",
        title: "Crack a weak secret",
        summary: "A token signed with the notes' secret 12@34$56 is cracked offline from one \
                  token with a short word list, and an admin token forged with it.",
        affects: None,
    },
    page_routes,
    under_each_mount: None,
    under_token_mount: None,
    under_mount: None,
};

/// The project's word list (`crates/classroom/data/jwt-wordlist.txt`).
const WORDLIST: &str = include_str!("../../data/jwt-wordlist.txt");

/// The secrets the careless service may be using: the notes' two, and jwt.io's example.
const VICTIM_SECRETS: [&str; 3] = ["12@34$56", "PIYUSH$123@", "your-256-bit-secret"];

fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/weak-secret", web::get().to(show))
        .route("/labs/weak-secret", web::post().to(submit));
}

fn words() -> impl Iterator<Item = &'static str> {
    WORDLIST
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

pub async fn show(csrf: CsrfToken) -> Result<HttpResponse, PageError> {
    page(&csrf, None, None)
}

pub async fn submit(
    req: HttpRequest,
    tokens: web::Data<TokenKit>,
    users: web::Data<UserDirectory>,
    mut form: CheckedForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let victim_secret = form
        .take("victim")
        .ok()
        .and_then(|value| value.parse::<usize>().ok())
        .and_then(|index| VICTIM_SECRETS.get(index))
        .copied()
        .unwrap_or(VICTIM_SECRETS[0]);
    let bob = users.lookup("bob").unwrap_or(Identity {
        username: "bob".into(),
        display_name: "Bob".into(),
        role: Role::User,
    });
    // The careless service writes the same claims this server would, and signs with its secret.
    let claims = tokens.keys.load().claims_for(&bob, unix_now());
    let mut claims = serde_json::to_value(&claims).map_err(anyhow::Error::from)?;
    let header = json!({"alg": "HS256", "typ": "JWT"});
    let stolen = naive_verifier::sign_hs256(&header, &claims, victim_secret.as_bytes());

    // The attack: only the token, and the word list.
    let started = Instant::now();
    let mut guesses = 0;
    let mut found = None;
    for word in words() {
        guesses += 1;
        if naive_verifier::hs256_signature_matches(&stolen, word.as_bytes()) {
            found = Some(word);
            break;
        }
    }
    let elapsed = format_elapsed(started.elapsed());

    let attack = match found {
        Some(secret) => {
            claims["role"] = json!("admin");
            let forged = naive_verifier::sign_hs256(&header, &claims, secret.as_bytes());
            let naive = NaiveVerdict::new(
                format!(
                    "the careless service checks the HMAC with its secret {victim_secret:?}, \
                     which is the one the attacker found."
                ),
                naive_verifier::accepts_hs256_with(&forged, victim_secret.as_bytes()),
            );
            let sent = present(
                &req,
                &tokens.mount.path("api/me"),
                ("Authorization", format!("Bearer {forged}")),
                "The forged admin token, sent to this server's /jwt/api/me".into(),
            )
            .await;
            let view = TokenView::of(&forged)
                .ok_or_else(|| anyhow::anyhow!("a signed token has three parts"))?;
            Some(Attack {
                what: format!("bob promoted to admin, signed with the cracked secret {secret:?}"),
                view,
                naive,
                sent,
            })
        }
        None => None,
    };
    let startup_refusal = match TokenCodec::new(&JwtSettings::new(
        Secret::new(victim_secret),
        Duration::from_secs(tokens.settings.ttl.as_secs()),
    )) {
        Err(err) => format!("authlab refuses to start with it: {err}."),
        Ok(_) => "authlab would accept this secret".to_owned(),
    };
    let stolen =
        TokenView::of(&stolen).ok_or_else(|| anyhow::anyhow!("a signed token has three parts"))?;
    page(
        &csrf,
        None,
        Some(WeakSecretResult {
            stolen,
            guesses,
            elapsed,
            found: found.map(str::to_owned),
            attack,
            startup_refusal,
        }),
    )
}

/// "0.42 ms": the measured time, readable.
fn format_elapsed(elapsed: Duration) -> String {
    let micros = elapsed.as_secs_f64() * 1e6;
    if micros < 1000.0 {
        format!("{micros:.0} µs")
    } else {
        format!("{:.2} ms", micros / 1000.0)
    }
}

fn page(
    csrf: &CsrfToken,
    problem: Option<String>,
    result: Option<WeakSecretResult>,
) -> Result<HttpResponse, PageError> {
    Ok(private(render::html(
        StatusCode::OK,
        &WeakSecretPage {
            lab: &LAB.info,
            csrf: csrf.value(),
            victims: VICTIM_SECRETS.iter().copied().enumerate().collect(),
            wordlist_len: words().count(),
            problem,
            result,
        },
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_list_holds_every_secret_the_careless_service_may_use() {
        for secret in VICTIM_SECRETS {
            assert!(words().any(|word| word == secret), "{secret}");
        }
    }
}
