//! `POST /{b}/logout`.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::{
    errors::{see_other, PageError},
    Mount,
};

/// Ends the login the backend's way (the session record is deleted; the JWT cookie is cleared)
/// and goes back to the login form. Logging out while logged out is not an error.
pub async fn submit(req: HttpRequest, mount: web::Data<Mount>) -> Result<HttpResponse, PageError> {
    let cookies = mount.backend.logout(&req).await?;
    let mut response = see_other(&mount.path("login"));
    for cookie in &cookies {
        response
            .add_cookie(cookie)
            .map_err(|err| anyhow::anyhow!("cannot clear the login cookie: {err}"))?;
    }
    Ok(response)
}
