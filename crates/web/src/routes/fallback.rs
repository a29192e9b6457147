//! Everything no route matched.

use actix_web::{http::StatusCode, HttpRequest, HttpResponse};

use crate::render;

pub async fn not_found(req: HttpRequest) -> HttpResponse {
    if req.path().contains("/api/") {
        return HttpResponse::NotFound().json(serde_json::json!({ "error": "not_found" }));
    }
    render::error_page(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no page at this address.",
        Some(("/".to_owned(), "All mounts")),
    )
}
