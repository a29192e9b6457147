//! Checking a password, shared by the form and the JSON login: throttled first, hashed off the
//! async executor.

use std::{net::IpAddr, time::Duration};

use actix_web::{web, HttpRequest};
use authlab_core::{timing, Identity, UserDirectory};

use crate::throttle::LoginThrottle;

pub enum PasswordCheck {
    Accepted(Identity),
    Refused,
    /// Too many recent failures for this account from this address, or from this address.
    Throttled {
        retry_after: Duration,
    },
}

pub async fn check_password(
    req: &HttpRequest,
    users: web::Data<UserDirectory>,
    throttle: web::Data<LoginThrottle>,
    username: String,
    password: String,
) -> Result<PasswordCheck, anyhow::Error> {
    let address = client_address(req);
    if let Err(retry_after) = throttle.check(&username, address) {
        tracing::warn!(%address, "login throttled");
        return Ok(PasswordCheck::Throttled { retry_after });
    }
    // argon2id costs tens of milliseconds of CPU by design: run it on the blocking pool so the
    // worker keeps serving other requests meanwhile.
    let name = username.clone();
    // Measured for Server-Timing: slow on purpose, and paid once per login, not per request.
    let check = web::block(move || users.verify(&name, &password));
    let identity = timing::measure_as(timing::PASSWORD, "argon2id verify", check)
        .await
        .map_err(|err| anyhow::anyhow!("password check did not run: {err}"))?;
    Ok(match identity {
        Some(identity) => {
            throttle.record_success(&username, address);
            PasswordCheck::Accepted(identity)
        }
        None => {
            throttle.record_failure(&username, address);
            PasswordCheck::Refused
        }
    })
}

/// The TCP peer. `X-Forwarded-For` is not trusted: anyone can write it.
fn client_address(req: &HttpRequest) -> IpAddr {
    req.peer_addr()
        .map(|addr| addr.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}
