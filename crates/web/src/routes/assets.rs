//! The stylesheet, compiled into the binary so the pages work offline.

use actix_web::HttpResponse;

const APP_CSS: &str = include_str!("../../../../templates/assets/app.css");

pub async fn app_css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((
            actix_web::http::header::CACHE_CONTROL,
            "public, max-age=300",
        ))
        .body(APP_CSS)
}
