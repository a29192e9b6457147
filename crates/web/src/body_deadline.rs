//! A request body must arrive within [`BODY_DEADLINE`], or the request gets 408 and its
//! connection is closed.
//!
//! actix-web cuts slow *headers* (`client_request_timeout`, about 5 s) but not slow bodies: a
//! POST that sends one byte a second holds its connection, and a worker's attention, for as long
//! as the client likes (25 such connections stayed open over 40 s, and each stretched a
//! restart's graceful shutdown to its limit). CWE-770 again: a resource held without a bound.
//! So the body of every request that has one is read here, up to the app's body limit, under
//! one deadline for the whole body, and handed on as bytes already in memory; the extractors
//! downstream see the same body and keep their own limits (413) and strictness.

use std::time::Duration;

use actix_web::{
    dev::{Payload, ServiceRequest},
    http::{header, StatusCode},
    web::{Bytes, BytesMut},
    HttpMessage, HttpResponse,
};
use futures_util::StreamExt;

/// The longest a whole request body may take to arrive.
pub const BODY_DEADLINE: Duration = Duration::from_secs(5);

/// Why a body was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyProblem {
    /// Not complete within the deadline: 408.
    TooSlow,
    /// The stream broke (bad chunked encoding, connection reset): 400.
    Broken,
}

/// Read `req`'s body (at most `limit + 1` bytes: enough for the extractor to see it is too
/// large) within `deadline`, and put it back as a complete payload.
pub async fn read_within(
    req: &mut ServiceRequest,
    limit: usize,
    deadline: Duration,
) -> Result<(), BodyProblem> {
    if !has_body(req) || declared_length(req).is_some_and(|len| len > limit) {
        // Nothing to wait for, or an announced length the extractor refuses unread (413).
        return Ok(());
    }
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    let read = async {
        while let Some(chunk) = payload.next().await {
            body.extend_from_slice(&chunk.map_err(|_| BodyProblem::Broken)?);
            if body.len() > limit {
                break;
            }
        }
        Ok(())
    };
    match tokio::time::timeout(deadline, read).await {
        Err(_) => Err(BodyProblem::TooSlow),
        Ok(Err(problem)) => Err(problem),
        Ok(Ok(())) => {
            req.set_payload(Payload::from(Bytes::from(body)));
            Ok(())
        }
    }
}

fn has_body(req: &ServiceRequest) -> bool {
    req.headers().contains_key(header::TRANSFER_ENCODING)
        || declared_length(req).is_some_and(|len| len > 0)
}

fn declared_length(req: &ServiceRequest) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The answer, with `Connection: close`: the rest of a slow body is not worth waiting for.
pub fn refusal(problem: BodyProblem) -> HttpResponse {
    let (status, text) = match problem {
        BodyProblem::TooSlow => (
            StatusCode::REQUEST_TIMEOUT,
            "408 Request Timeout: the request body did not arrive in time.\n",
        ),
        BodyProblem::Broken => (
            StatusCode::BAD_REQUEST,
            "400 Bad Request: the request body could not be read.\n",
        ),
    };
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
        .force_close()
        .body(text)
}
