//! `GET /report` and `GET /report/{chart}.svg`: the benchmark report, served by the app.
//!
//! The Markdown and the charts are compiled into the binary by `build.rs` (so the page works
//! offline, from any directory). pulldown-cmark turns the Markdown into HTML once, at the first
//! request; raw HTML in the Markdown is shown as text, never passed through, so the page stays
//! within the CSP (no inline scripts or styles) whatever the file holds. Chart links in the
//! Markdown are relative (`memory.svg`, as a Markdown viewer next to the file expects) and are
//! pointed at `/report/…` here.

use std::sync::OnceLock;

use actix_web::{http::StatusCode, web, HttpResponse};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

use askama::Template;

use crate::render;

#[derive(Template)]
#[template(path = "report.html")]
pub struct ReportPage<'a> {
    /// The report as HTML, made by pulldown-cmark from the Markdown compiled into the binary, with
    /// any raw HTML in it turned into text. `None`: no report was generated before this build.
    pub body: Option<&'a str>,
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/report", web::get().to(show))
        .route("/report/{file}", web::get().to(chart));
}

mod files {
    include!(concat!(env!("OUT_DIR"), "/report_files.rs"));
}

/// Markdown to HTML, with raw HTML neutralised and relative image links sent to `/report/`.
pub fn to_html(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) if is_relative(&dest_url) => Event::Start(Tag::Image {
            link_type,
            dest_url: CowStr::from(format!("/report/{dest_url}")),
            title,
            id,
        }),
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}

fn is_relative(url: &str) -> bool {
    !url.contains(':') && !url.starts_with('/') && !url.starts_with('#')
}

fn report_html() -> Option<&'static str> {
    static HTML: OnceLock<Option<String>> = OnceLock::new();
    HTML.get_or_init(|| files::REPORT_MD.map(to_html))
        .as_deref()
}

pub async fn show() -> HttpResponse {
    render::html(
        StatusCode::OK,
        &ReportPage {
            body: report_html(),
        },
    )
}

pub async fn chart(file: web::Path<String>) -> HttpResponse {
    match files::CHARTS
        .iter()
        .find(|(name, _)| *name == file.as_str())
    {
        Some((_, bytes)) => HttpResponse::Ok()
            .content_type("image/svg+xml")
            .insert_header((
                actix_web::http::header::CACHE_CONTROL,
                "public, max-age=300",
            ))
            .body(*bytes),
        None => render::error_page(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no chart of that name in this build's benchmark report.",
            Some(("/report".to_owned(), "Benchmark report")),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_in_the_markdown_is_shown_as_text() {
        let html = to_html("Hello <script>alert(1)</script>\n\n<div style=\"x\">block</div>\n");

        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn relative_chart_links_point_under_report_and_tables_render() {
        let html = to_html("![chart](memory.svg)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");

        assert!(html.contains("src=\"/report/memory.svg\""), "{html}");
        assert!(html.contains("<table>"), "{html}");
    }
}
