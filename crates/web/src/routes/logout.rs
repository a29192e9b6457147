//! `POST /{b}/logout`.

use actix_web::{http::header, web, HttpRequest, HttpResponse};

use crate::{
    errors::{see_other, PageError},
    forms::CheckedForm,
    login_stamp, Mount,
};

/// Ends the login the backend's way (the session record is deleted; the JWT cookie is cleared)
/// and goes back to the login form. Logging out while logged out is not an error.
///
/// `Clear-Site-Data` asks the browser to drop cached pages and storage. Not `"cookies"`: the three
/// mounts share one origin, and clearing all its cookies would log the student out of the other
/// two mounts and spoil the comparison; the login's own cookie is removed by the backend.
pub async fn submit(
    req: HttpRequest,
    mount: web::Data<Mount>,
    _checked: CheckedForm,
) -> Result<HttpResponse, PageError> {
    let cookies = mount.backend.logout(&req).await?;
    let mut response = see_other(&mount.path("login"));
    response.headers_mut().insert(
        header::HeaderName::from_static("clear-site-data"),
        header::HeaderValue::from_static("\"cache\", \"storage\""),
    );
    // A deliberate logout: the login page has nothing to explain any more.
    for cookie in cookies.iter().chain([&login_stamp::removal(mount.slug)]) {
        response
            .add_cookie(cookie)
            .map_err(|err| anyhow::anyhow!("cannot clear the login cookie: {err}"))?;
    }
    Ok(response)
}
