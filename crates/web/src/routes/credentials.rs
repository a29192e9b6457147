//! Checking a password, shared by the form and the JSON login.

use actix_web::web;
use authlab_core::{Identity, UserDirectory};

/// argon2id costs tens of milliseconds of CPU by design: run it on the blocking pool so the
/// worker keeps serving other requests meanwhile.
pub async fn check_password(
    users: web::Data<UserDirectory>,
    username: String,
    password: String,
) -> Result<Option<Identity>, anyhow::Error> {
    web::block(move || users.verify(&username, &password))
        .await
        .map_err(|err| anyhow::anyhow!("password check did not run: {err}"))
}
