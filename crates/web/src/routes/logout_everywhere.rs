//! `POST /{b}/logout-everywhere`: end every login of this user, on every device.

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};

use crate::{
    errors::{see_other, PageError},
    extractors::CurrentUser,
    forms::CheckedForm,
    render, Mount,
};

/// A stateful backend deletes every record of the user. A stateless one cannot: the tokens it
/// handed out are valid until they expire, and the page says so instead of pretending.
pub async fn submit(
    req: HttpRequest,
    mount: web::Data<Mount>,
    CurrentUser(identity): CurrentUser,
    _checked: CheckedForm,
) -> Result<HttpResponse, PageError> {
    if mount.backend.logout_everywhere(&req, &identity).await? {
        let mut response = see_other(&mount.path("login"));
        for cookie in mount.backend.forget() {
            let _ = response.add_cookie(&cookie);
        }
        return Ok(response);
    }
    Ok(render::error_page(
        StatusCode::CONFLICT,
        "Cannot log out everywhere",
        "This mount keeps nothing on the server, so there is nothing to delete: every token it \
         handed out stays valid until its exp. Only server state (a denylist, \
         AUTHLAB_JWT_DENYLIST=true) can end them early; that is the price of being stateless.",
        Some((mount.path("dashboard"), "Back to the dashboard")),
    ))
}
