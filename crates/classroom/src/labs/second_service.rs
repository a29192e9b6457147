//! What a second service accepts, and what each way of checking costs it.
//!
//! The browser's `/jwt` token is checked here with the second service's own code
//! (`authlab-resource`), against this server over real HTTP, both ways it can be done: **locally**,
//! with the public key fetched once from the JWKS, and **by introspection**, one `POST
//! /introspect` per request. Both are timed as they run, so the page shows the price of each
//! (a signature check against a network round trip) beside what each means for a logout.

use std::time::{Duration, Instant};

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use authlab_jwt::JwtAlg;
use authlab_resource::{
    introspection_client::IntrospectionClient,
    issuer_http,
    jwks_cache::{JwksCache, Lookup},
    local_verify::Rules,
    verdict::{CheckError, Verified},
};
use authlab_web::introspection::Introspection;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use super::{
    browser_token, loopback,
    pages::{SecondServicePage, SecondServiceResult, Way},
    Lab, LabInfo, NO_TOKEN,
};
use crate::{
    csrf::CsrfToken,
    errors::PageError,
    forms::CheckedForm,
    render::{self, private},
    Settings, TokenKit,
};

/// This lab, as the index lists it and the app routes it.
pub const LAB: Lab = Lab {
    info: LabInfo {
        slug: "second-service",
        title: "A second service",
        summary: "Another service checks your /jwt token without the server's secret: locally \
                  with the JWKS, or by asking /introspect each time. What each accepts and costs.",
        affects: None,
    },
    page_routes,
    under_each_mount: None,
    under_token_mount: Some(token_routes),
    under_mount: None,
};

/// Local checks timed per run: each takes microseconds, so many make a readable mean.
const LOCAL_RUNS: u32 = 200;
/// Introspection calls timed per run: each is a request through this server's whole stack.
const INTROSPECTION_RUNS: u32 = 20;
const ISSUER_TIMEOUT: Duration = Duration::from_secs(5);

fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/second-service", web::get().to(show));
}

fn token_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/second-service", web::post().to(submit));
}

pub async fn show(
    req: HttpRequest,
    settings: web::Data<Settings>,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    page(&req, &settings, &csrf, None, None)
}

pub async fn submit(
    req: HttpRequest,
    tokens: web::Data<TokenKit>,
    settings: web::Data<Settings>,
    introspection: web::Data<Introspection>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let Some(token) = browser_token(&req, &tokens) else {
        return page(&req, &settings, &csrf, Some(NO_TOKEN.into()), None);
    };
    let base = format!("http://{}", loopback::self_address(&req));
    let http = issuer_http::client(ISSUER_TIMEOUT);
    let local = match tokens.settings.algorithm {
        JwtAlg::EdDsa => local_way(&http, &base, &tokens, &token).await,
        JwtAlg::Hs256 => Way {
            verdict: "Cannot be done: this server signs with HS256, whose verifying key is its \
                      signing key, so its JWKS is empty. A second service must introspect \
                      (or hold the secret, and then it can forge tokens too)."
                .into(),
            accepted: false,
            per_request: "n/a".into(),
            first_request: "n/a".into(),
        },
    };
    let introspected = introspection_way(
        IntrospectionClient::new(
            http,
            format!("{base}/introspect"),
            introspection.resource_secret().clone(),
        ),
        &token,
    )
    .await;
    page(
        &req,
        &settings,
        &csrf,
        None,
        Some(SecondServiceResult {
            local,
            introspected,
            denylist: settings.jwt_denylist,
        }),
    )
}

fn verdict_of(outcome: &Result<Verified, CheckError>) -> (String, bool) {
    match outcome {
        Ok(who) => (
            format!("Accepted: {} ({}), role {}.", who.name, who.sub, who.role),
            true,
        ),
        Err(CheckError::Refused(reason)) => (format!("Refused: {reason}."), false),
        Err(CheckError::Unavailable(err)) => (format!("Could not ask the issuer: {err}."), false),
    }
}

/// The JWKS fetched once (a real request), then the signature checked here, timed.
async fn local_way(http: &reqwest::Client, base: &str, tokens: &TokenKit, token: &str) -> Way {
    let rules = Rules::new(&tokens.settings.issuer, &tokens.settings.audience);
    let kid = kid_of(token).unwrap_or_default();
    let jwks = JwksCache::new(http.clone(), format!("{base}/.well-known/jwks.json"));
    let started = Instant::now();
    let lookup = jwks.key(&kid).await;
    let first_request = format_duration(started.elapsed());
    let key = match lookup {
        Ok(Lookup::Key(key)) => key,
        Ok(Lookup::Unknown) => {
            return Way {
                verdict: format!("Refused: the key {kid:?} is not in the JWKS."),
                accepted: false,
                per_request: "n/a".into(),
                first_request,
            }
        }
        Err(err) => {
            return Way {
                verdict: format!("Could not fetch the JWKS: {err}."),
                accepted: false,
                per_request: "n/a".into(),
                first_request,
            }
        }
    };
    let outcome = rules.verify(token, &kid, &key).map_err(CheckError::from);
    let started = Instant::now();
    for _ in 0..LOCAL_RUNS {
        let _ = std::hint::black_box(rules.verify(std::hint::black_box(token), &kid, &key));
    }
    let per_request = format_duration(started.elapsed() / LOCAL_RUNS);
    let (verdict, accepted) = verdict_of(&outcome);
    Way {
        verdict,
        accepted,
        per_request,
        first_request,
    }
}

/// `POST /introspect` for real, timed over several calls.
async fn introspection_way(client: IntrospectionClient, token: &str) -> Way {
    let started = Instant::now();
    let outcome = client.check(token).await;
    let first_request = format_duration(started.elapsed());
    let started = Instant::now();
    for _ in 0..INTROSPECTION_RUNS {
        let _ = client.check(token).await;
    }
    let per_request = format_duration(started.elapsed() / INTROSPECTION_RUNS);
    let (verdict, accepted) = verdict_of(&outcome);
    Way {
        verdict,
        accepted,
        per_request,
        first_request,
    }
}

fn kid_of(token: &str) -> Option<String> {
    let header = URL_SAFE_NO_PAD.decode(token.split('.').next()?).ok()?;
    let header: serde_json::Value = serde_json::from_slice(&header).ok()?;
    header.get("kid")?.as_str().map(str::to_owned)
}

fn format_duration(elapsed: Duration) -> String {
    let micros = elapsed.as_secs_f64() * 1e6;
    if micros < 1000.0 {
        format!("{micros:.1} µs")
    } else {
        format!("{:.2} ms", micros / 1000.0)
    }
}

fn page(
    req: &HttpRequest,
    settings: &Settings,
    csrf: &CsrfToken,
    problem: Option<String>,
    result: Option<SecondServiceResult>,
) -> Result<HttpResponse, PageError> {
    Ok(private(render::html(
        StatusCode::OK,
        &SecondServicePage {
            lab: &LAB.info,
            csrf: csrf.value(),
            origin: super::origin(req),
            eddsa: settings.jwt_alg == JwtAlg::EdDsa,
            problem,
            result,
        },
    )))
}
