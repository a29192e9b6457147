//! Demote (or promote) an account on the server, then compare the mounts.
//!
//! The session backends look the role up on every request, so the change shows at once; the JWT
//! carries the role it was signed with, so `/jwt` shows the old role until the next login.

use actix_web::{http::StatusCode, web, HttpResponse};
use authlab_core::{Role, UserDirectory};

use super::{lab, pages::RolesPage};
use crate::{
    csrf::CsrfToken,
    errors::PageError,
    forms::CheckedForm,
    render::{self, private},
};

const ACCOUNTS: [&str; 2] = ["alice", "bob"];

pub async fn show(
    users: web::Data<UserDirectory>,
    csrf: CsrfToken,
) -> Result<HttpResponse, PageError> {
    page(&users, &csrf, None)
}

pub async fn submit(
    users: web::Data<UserDirectory>,
    mut form: CheckedForm,
    csrf: CsrfToken,
) -> actix_web::Result<HttpResponse> {
    let username = form.take("user")?;
    let role = form.take("role")?;
    let change = match (users.lookup(&username), Role::parse(&role)) {
        (Some(before), Some(role)) => {
            users.set_role(&username, role);
            tracing::info!(user = %username, from = %before.role, to = %role, "role changed by the lab");
            format!("{username}: {} → {role}, on the server, now.", before.role)
        }
        _ => "No such account or role: nothing changed.".to_owned(),
    };
    Ok(page(&users, &csrf, Some(change))?)
}

fn page(
    users: &UserDirectory,
    csrf: &CsrfToken,
    change: Option<String>,
) -> Result<HttpResponse, PageError> {
    let lab = lab("roles")?;
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
