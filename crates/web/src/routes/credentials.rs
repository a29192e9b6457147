//! Checking a password, shared by the form and the JSON login: counted by the throttle first,
//! then hashed within the server's hashing budget.

use std::time::Duration;

use actix_web::{web, HttpRequest};
use authlab_core::{hashing::BUSY_RETRY_AFTER, timing, HashBudget, Identity, UserDirectory};

use crate::{
    forwarded::client_address,
    throttle::{LoginThrottle, Outcome, Throttled},
};

pub enum PasswordCheck {
    Accepted(Identity),
    Refused,
    /// Too many recent failures for this account from this address, or passwords from this
    /// address.
    Throttled(Throttled),
    /// Every hashing thread is busy and the queue is full: try again shortly.
    Busy {
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
    let budget = req
        .app_data::<web::Data<HashBudget>>()
        .map(|budget| HashBudget::clone(budget))
        .ok_or_else(|| anyhow::anyhow!("the hashing budget is not registered"))?;
    check_with(req, &budget, users, &throttle, username, password).await
}

async fn check_with(
    req: &HttpRequest,
    budget: &HashBudget,
    users: web::Data<UserDirectory>,
    throttle: &LoginThrottle,
    username: String,
    password: String,
) -> Result<PasswordCheck, anyhow::Error> {
    let address = client_address(req);
    // Counted before it is checked, so simultaneous guesses cannot all slip past the limit.
    let attempt = match throttle.acquire(&username, address).await {
        Ok(attempt) => attempt,
        Err(throttled) => {
            tracing::warn!(%address, limit = ?throttled.limit, "login throttled");
            return Ok(PasswordCheck::Throttled(throttled));
        }
    };
    let name = username.clone();
    // Measured for Server-Timing: slow on purpose, and paid once per login, not per request.
    let check = budget.run(move |memory| users.verify_in(&name, &password, memory));
    Ok(
        match timing::measure_as(timing::PASSWORD, "argon2id verify", check).await {
            Ok(Some(identity)) => {
                attempt.settle(Outcome::Accepted);
                PasswordCheck::Accepted(identity)
            }
            Ok(None) => {
                attempt.settle(Outcome::Refused);
                PasswordCheck::Refused
            }
            Err(authlab_core::Busy) => {
                attempt.settle(Outcome::NotChecked);
                tracing::warn!("password hashing queue full: login refused with 503");
                PasswordCheck::Busy {
                    retry_after: BUSY_RETRY_AFTER,
                }
            }
        },
    )
}
