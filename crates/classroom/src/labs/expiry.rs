//! Expiry: swap the browser's `/jwt` token for one that lives a few seconds, then watch the
//! verifier refuse it.
//!
//! The short token is signed by the live key with the claims of the browser's current login; only
//! `exp` is earlier. The cookie itself is kept a while longer than the token, on purpose: the
//! browser keeps sending the expired token, so the server can say *why* it refuses it (an expired
//! token), instead of seeing no token at all.

use std::time::Duration;

use actix_web::{
    cookie::{time, Cookie, SameSite},
    http::StatusCode,
    web, HttpRequest, HttpResponse,
};
use authlab_core::Rejection;
use authlab_jwt::codec::unix_now;

use super::{
    browser_token,
    pages::{ExpiryPage, ExpiryResult},
    Lab, LabInfo, NO_TOKEN,
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
        slug: "expiry",
        title: "Expiry",
        summary: "Get a token that lives a few seconds, watch it expire, and see why you are sent \
                      back to the login page.",
        affects: None,
    },
    page_routes,
    under_each_mount: None,
    under_token_mount: Some(token_routes),
    under_mount: None,
};

fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/expiry", web::get().to(show));
}

fn token_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/expiry", web::post().to(submit))
        .route("/labs/expiry/check", web::post().to(check));
}

/// The lifetime of the lab's token, in seconds (never longer than `AUTHLAB_JWT_TTL`).
pub const SHORT_TTL_SECS: i64 = 10;
/// How much longer the browser keeps the cookie than the token lives.
const COOKIE_GRACE: Duration = Duration::from_secs(300);

fn short_ttl(tokens: &TokenKit) -> i64 {
    SHORT_TTL_SECS.min(i64::try_from(tokens.settings.ttl.as_secs()).unwrap_or(i64::MAX))
}

pub async fn show(tokens: web::Data<TokenKit>, csrf: CsrfToken) -> Result<HttpResponse, PageError> {
    page(&tokens, &csrf, None, None)
}

pub async fn submit(
    req: HttpRequest,
    tokens: web::Data<TokenKit>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let codec = tokens.keys.current();
    let identity = match browser_token(&req, &tokens).map(|token| codec.verify(&token)) {
        Some(Ok(claims)) => claims.identity(),
        Some(Err(rejection)) => {
            return page(
                &tokens,
                &csrf,
                Some(format!(
                    "Your current /jwt token is refused already: {} Log in to /jwt again first.",
                    rejection.explanation()
                )),
                None,
            )
        }
        None => return page(&tokens, &csrf, Some(NO_TOKEN.into()), None),
    };
    let now = unix_now();
    let ttl = short_ttl(&tokens);
    let mut claims = codec.claims_for(&identity, now);
    claims.exp = now + ttl;
    let token = codec.sign(&claims).map_err(anyhow::Error::from)?;
    let settings = &tokens.settings;
    let cookie = Cookie::build(settings.cookie_name.clone(), token)
        .path(settings.cookie_path.clone())
        .http_only(true)
        .secure(settings.cookie_secure)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(
            ttl + i64::try_from(COOKIE_GRACE.as_secs()).unwrap_or(0),
        ))
        .finish();
    let mut response = page(
        &tokens,
        &csrf,
        None,
        Some(ExpiryResult {
            headline: format!(
                "Your /jwt cookie now holds a token for {} that expires {ttl} s after it was signed.",
                identity.username
            ),
            exp: Some(claims.exp),
            countdown: countdown(Some(claims.exp), now),
            // Said of the moment it was checked: the countdown above moves on, this line does not.
            verdict: format!(
                "When this page was made ({}), the verifier accepted it. It will refuse it once the \
                 countdown reaches zero: press \"Ask the verifier now\" to hear it say so.",
                clock(now)
            ),
            expired: false,
        }),
    )?;
    response
        .add_cookie(&cookie)
        .map_err(|err| anyhow::anyhow!("cannot set the lab's token: {err}"))?;
    Ok(response)
}

/// Ask the live verifier about the browser's token now.
pub async fn check(
    req: HttpRequest,
    tokens: web::Data<TokenKit>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    let Some(token) = browser_token(&req, &tokens) else {
        return page(
            &tokens,
            &csrf,
            Some("Your browser sent no /jwt token: log in to /jwt first.".into()),
            None,
        );
    };
    let now = unix_now();
    let exp = super::token_view::TokenView::of(&token).and_then(|v| v.number("exp"));
    let (verdict, expired) = match tokens.keys.load().verify(&token) {
        Ok(claims) => (
            format!(
                "Accepted at {}: it had {} s left then.",
                clock(now),
                claims.exp.saturating_sub(now)
            ),
            false,
        ),
        Err(rejection) => (
            format!(
                "Refused at {} ({}): {}",
                clock(now),
                rejection.code(),
                rejection.explanation()
            ),
            rejection == Rejection::Expired,
        ),
    };
    page(
        &tokens,
        &csrf,
        None,
        Some(ExpiryResult {
            headline: "What the verifier says about your /jwt token now:".into(),
            exp,
            countdown: countdown(exp, now),
            verdict,
            expired,
        }),
    )
}

/// `10:42:05 UTC`: when the verifier was asked, so its answer is not read as a live one.
fn clock(unix: i64) -> String {
    let of_day = unix.rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02} UTC",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

fn countdown(exp: Option<i64>, now: i64) -> String {
    match exp.map(|exp| exp - now) {
        Some(left) if left > 0 => format!("Expires in {left} s"),
        Some(left) => format!("Expired {} s ago", -left),
        None => "No exp claim".to_owned(),
    }
}

fn page(
    tokens: &TokenKit,
    csrf: &CsrfToken,
    problem: Option<String>,
    result: Option<ExpiryResult>,
) -> Result<HttpResponse, PageError> {
    let lab = &LAB.info;
    Ok(private(render::html(
        StatusCode::OK,
        &ExpiryPage {
            lab,
            csrf: csrf.value(),
            jwt_ttl: tokens.settings.ttl.as_secs(),
            short_ttl: short_ttl(tokens),
            problem,
            result,
        },
    )))
}
