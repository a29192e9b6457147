//! Asking the issuer's `POST /introspect` (RFC 7662) about a token this service cannot check
//! itself.
//!
//! Answers are deliberately not cached: the point of asking is that a logout on the issuer is
//! seen at the very next request. That is the price shown on the compare page: one network round
//! trip per request, and a 503 whenever the issuer cannot answer.

use authlab_core::Secret;
use serde::Deserialize;

use crate::{
    issuer_http,
    local_verify::unix_now,
    verdict::{CheckError, How, IssuerUnavailable, Refusal, Verified},
};

/// No honest introspection answer comes near this.
const MAX_ANSWER_BYTES: usize = 16 * 1024;

#[derive(Deserialize)]
struct Answer {
    active: bool,
    #[serde(default)]
    sub: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    exp: i64,
    #[serde(default)]
    iss: String,
    #[serde(default)]
    aud: String,
}

pub struct IntrospectionClient {
    http: reqwest::Client,
    url: String,
    secret: Secret,
}

impl IntrospectionClient {
    pub fn new(http: reqwest::Client, url: String, secret: Secret) -> Self {
        IntrospectionClient { http, url, secret }
    }

    pub async fn check(&self, token: &str) -> Result<Verified, CheckError> {
        // Bearer, not Basic: a typed secret may hold characters Basic would need encoded.
        let secret = String::from_utf8_lossy(self.secret.expose()).into_owned();
        let response = self
            .http
            .post(&self.url)
            .bearer_auth(secret)
            .form(&[("token", token)])
            .send()
            .await
            .map_err(|err| IssuerUnavailable(format!("introspection request: {err}")))?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(IssuerUnavailable(
                "the issuer refused this service's introspection secret".to_owned(),
            )
            .into());
        }
        if !status.is_success() {
            return Err(IssuerUnavailable(format!("introspection answered {status}")).into());
        }
        let body = issuer_http::read_bounded(response, MAX_ANSWER_BYTES).await?;
        let answer: Answer = serde_json::from_slice(&body)
            .map_err(|err| IssuerUnavailable(format!("introspection answer: {err}")))?;
        // The issuer says active; an exp already passed (clocks apart) is still refused here.
        if !answer.active || answer.sub.is_empty() || answer.exp <= unix_now() {
            return Err(Refusal::Inactive.into());
        }
        Ok(Verified {
            sub: answer.sub,
            name: answer.name,
            role: answer.role,
            exp: answer.exp,
            iss: answer.iss,
            aud: answer.aud,
            how: How::Introspection,
        })
    }
}
