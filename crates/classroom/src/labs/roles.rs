//! Demote (or promote) an account on the server, then compare the mounts.
//!
//! The session backends look the role up on every request, so the change shows at once; the JWT
//! carries the role it was signed with, so `/jwt` shows the old role until the next login.

use super::{Lab, LabInfo};
use actix_web::{http::StatusCode, web, HttpResponse};
use authlab_core::UserDirectory;

use super::pages::RolesPage;
use crate::{
    announcements::Announcements,
    csrf::CsrfToken,
    errors::PageError,
    forms::CheckedForm,
    render::{self, private},
    teacher::{
        roles::{self, RoleChange},
        Teacher, TeacherDesk,
    },
};

/// This lab, as the index lists it and the app routes it.
pub const LAB: Lab = Lab {
    info: LabInfo {
            slug: "roles",
            title: "Demote or promote bob",
            summary: "Change bob's role on the server and see which mounts notice at once.",
            affects: Some("Changes the role of the account for everybody using this server, until it is changed back or the server restarts."),
    },
    page_routes,
    under_each_mount: None,
    under_token_mount: None,
    under_mount: None,
};

fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/labs/roles", web::get().to(show))
        .route("/labs/roles", web::post().to(submit));
}

const ACCOUNTS: [&str; 2] = ["alice", "bob"];

pub async fn show(
    users: web::Data<UserDirectory>,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    page(&users, &csrf, None)
}

pub async fn submit(
    _teacher: Teacher,
    users: web::Data<UserDirectory>,
    desk: web::Data<TeacherDesk>,
    board: web::Data<Announcements>,
    mut form: CheckedForm,
    csrf: CsrfToken,
) -> actix_web::Result<HttpResponse> {
    let username = form.take("user")?;
    let role = form.take("role")?;
    let change = match roles::change(&users, &board, &desk.cooldowns, &username, &role)? {
        Ok(RoleChange::Done(change)) => change,
        Ok(RoleChange::Unknown) => "No such account or role: nothing changed.".to_owned(),
        Err(err) => return Err(PageError::Internal(err).into()),
    };
    Ok(page(&users, &csrf, Some(change))?)
}

fn page(
    users: &UserDirectory,
    csrf: &CsrfToken,
    change: Option<String>,
) -> Result<HttpResponse, PageError> {
    let lab = &LAB.info;
    Ok(private(render::html(
        StatusCode::OK,
        &RolesPage {
            lab,
            csrf: csrf.value(),
            users: ACCOUNTS.iter().filter_map(|u| users.lookup(u)).collect(),
            change,
        },
    )))
}
