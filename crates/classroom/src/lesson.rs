//! `GET /lesson`, `/lesson/{part}` and `/handout`: the lesson material, served by the app.
//!
//! The material is written once, as Markdown in `docs/lesson/` (where a reader of the repository
//! finds it), and compiled into the binary with `include_str!`, so a classroom server shows it
//! offline and from any directory. It goes through the report page's Markdown renderer (raw HTML
//! shown as text). The handout is a page of its own, laid out for one A4 sheet when printed.

use actix_web::{http::StatusCode, web, HttpResponse};
use askama::Template;

use crate::{render, report::to_html};

/// One part of the lesson material; its slug is its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Plan,
    Questions,
    Quiz,
    Glossary,
}

impl Part {
    pub const ALL: [Part; 4] = [Part::Plan, Part::Questions, Part::Quiz, Part::Glossary];

    pub fn slug(self) -> &'static str {
        match self {
            Part::Plan => "plan",
            Part::Questions => "questions",
            Part::Quiz => "quiz",
            Part::Glossary => "glossary",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Part::Plan => "Lesson plan (45 minutes)",
            Part::Questions => "Questions for every lab",
            Part::Quiz => "Quiz",
            Part::Glossary => "Glossary",
        }
    }

    fn markdown(self) -> &'static str {
        match self {
            Part::Plan => include_str!("../../../docs/lesson/plan.md"),
            Part::Questions => include_str!("../../../docs/lesson/questions.md"),
            Part::Quiz => include_str!("../../../docs/lesson/quiz.md"),
            Part::Glossary => include_str!("../../../docs/lesson/glossary.md"),
        }
    }

    fn of(slug: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|p| p.slug() == slug)
    }
}

#[derive(Template)]
#[template(path = "lesson.html")]
struct LessonPage {
    current: Part,
    parts: [Part; 4],
    body: String,
}

#[derive(Template)]
#[template(path = "handout.html")]
struct HandoutPage;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/lesson", web::get().to(plan))
        .route("/lesson/{part}", web::get().to(part))
        .route("/handout", web::get().to(handout));
}

fn page(current: Part) -> HttpResponse {
    render::html(
        StatusCode::OK,
        &LessonPage {
            current,
            parts: Part::ALL,
            body: to_html(current.markdown()),
        },
    )
}

async fn plan() -> HttpResponse {
    page(Part::Plan)
}

async fn part(slug: web::Path<String>) -> HttpResponse {
    match Part::of(&slug) {
        Some(part) => page(part),
        None => render::error_page(
            StatusCode::NOT_FOUND,
            "Not found",
            "The lesson has a plan, questions, a quiz and a glossary; nothing else by that name.",
            Some(("/lesson".to_owned(), "Lesson plan")),
        ),
    }
}

async fn handout() -> HttpResponse {
    render::html(StatusCode::OK, &HandoutPage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_has_its_own_address_and_material() {
        for part in Part::ALL {
            assert_eq!(Part::of(part.slug()), Some(part));
            assert!(to_html(part.markdown()).contains("<h1>"), "{part:?}");
        }
        assert_eq!(Part::of("../plan"), None);
    }
}
