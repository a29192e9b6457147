//! The stylesheet and the one script, compiled into the binary so the pages work offline and the
//! CSP can forbid every other origin and every inline script or style.

use actix_web::HttpResponse;

const APP_CSS: &str = include_str!("../../../../templates/assets/app.css");
const APP_JS: &str = include_str!("../../../../templates/assets/app.js");

pub async fn app_css() -> HttpResponse {
    asset("text/css; charset=utf-8", APP_CSS)
}

/// Progressive enhancement (live countdowns); no page needs it to work.
pub async fn app_js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", APP_JS)
}

fn asset(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type.to_owned())
        .insert_header((
            actix_web::http::header::CACHE_CONTROL,
            "public, max-age=300",
        ))
        .body(body)
}
