//! Talking to the issuer: one HTTP client with deadlines, and bodies read up to a bound.
//!
//! The issuer is another process over the network, so every call has a timeout (a stalled issuer
//! is a 503 here within that time, never a hung request) and no answer is read past a size no
//! honest answer reaches (a confused or hostile issuer cannot make this service buffer without
//! limit).

use std::time::Duration;

use crate::verdict::IssuerUnavailable;

pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        // Only fails when the TLS backend cannot start, and this build has none.
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// The body of `response`, refused past `limit` bytes.
pub async fn read_bounded(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, IssuerUnavailable> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(IssuerUnavailable(format!(
            "the issuer's answer is larger than {limit} bytes"
        )));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|err| IssuerUnavailable(format!("reading the issuer's answer: {err}")))?
    {
        if body.len() + chunk.len() > limit {
            return Err(IssuerUnavailable(format!(
                "the issuer's answer is larger than {limit} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
