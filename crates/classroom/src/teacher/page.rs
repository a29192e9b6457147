//! `/teacher`: the teacher's login, and once logged in the class code, the students and the
//! classroom tools.

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;
use authlab_core::{credentials::MAX_CREDENTIAL_LEN, hashing::verify_phc};
use authlab_core::{HashBudget, Identity, Mounts, UserDirectory};
use authlab_web::{
    forwarded::client_address,
    throttle::{LoginThrottle, Outcome},
};

use super::{
    is_teacher,
    reset::reset,
    roles::{self, RoleChange},
    tools::Tool,
    Teacher, TeacherDesk,
};
use crate::{
    announcements::Announcements,
    csrf::CsrfToken,
    errors::{see_other, PageError},
    forms::CheckedForm,
    origin::origin,
    render::{self, private},
    Mount,
};

#[derive(Template)]
#[template(path = "teacher.html")]
pub struct TeacherPage<'a> {
    pub teacher: bool,
    pub csrf: &'a str,
    pub class_code: &'a str,
    pub join_url: String,
    pub students: Vec<Identity>,
    pub login_mounts: Vec<&'a Mount>,
    /// What the last action did.
    pub message: Option<String>,
    /// Why the last action was refused (a wrong password, a short one).
    pub error: Option<String>,
    pub cooldown_secs: u64,
}

pub async fn show(
    req: HttpRequest,
    desk: web::Data<TeacherDesk>,
    users: web::Data<UserDirectory>,
    mounts: web::Data<Mounts>,
    csrf: CsrfToken,
) -> actix_web::Result<HttpResponse> {
    Ok(page(
        &req,
        &desk,
        &users,
        &mounts,
        &csrf,
        None,
        None,
        StatusCode::OK,
    ))
}

#[allow(clippy::too_many_arguments)]
fn page(
    req: &HttpRequest,
    desk: &TeacherDesk,
    users: &UserDirectory,
    mounts: &Mounts,
    csrf: &CsrfToken,
    message: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let teacher = is_teacher(req);
    private(render::html(
        status,
        &TeacherPage {
            teacher,
            csrf: csrf.value(),
            // The code is shown to the teacher only: a student who could read it here could
            // hand it to anyone.
            class_code: if teacher { desk.class_code() } else { "" },
            join_url: format!("{}/join", origin(req)),
            students: if teacher {
                users.students()
            } else {
                Vec::new()
            },
            login_mounts: mounts.login().map(|m| m.as_ref()).collect(),
            message,
            error,
            cooldown_secs: desk.cooldowns_secs(),
        },
    ))
}

/// `POST /teacher/login`: the password, counted by the login throttle like any other.
#[allow(clippy::too_many_arguments)]
pub async fn log_in(
    req: HttpRequest,
    desk: web::Data<TeacherDesk>,
    users: web::Data<UserDirectory>,
    mounts: web::Data<Mounts>,
    throttle: web::Data<LoginThrottle>,
    budget: web::Data<HashBudget>,
    mut form: CheckedForm,
    csrf: CsrfToken,
) -> actix_web::Result<HttpResponse> {
    let password = form.take("password")?;
    if password.len() > MAX_CREDENTIAL_LEN {
        return Ok(wrong_password(&req, &desk, &users, &mounts, &csrf));
    }
    let attempt = throttle
        .acquire("teacher", client_address(&req))
        .await
        .map_err(PageError::Throttled)?;
    let hash = desk.password_hash();
    let checked = budget
        .run(move |memory| verify_phc(&hash, &password, memory))
        .await;
    match checked {
        Ok(true) => {
            attempt.settle(Outcome::Accepted);
            tracing::info!("the teacher logged in");
            let mut response = see_other("/teacher");
            response.add_cookie(&desk.pass.issue()).map_err(|err| {
                PageError::Internal(anyhow::anyhow!("cannot set the teacher's pass: {err}"))
            })?;
            Ok(response)
        }
        Ok(false) => {
            attempt.settle(Outcome::Refused);
            tracing::warn!("a wrong teacher password");
            Ok(wrong_password(&req, &desk, &users, &mounts, &csrf))
        }
        Err(authlab_core::Busy) => {
            attempt.settle(Outcome::NotChecked);
            Err(PageError::Busy {
                retry_after: authlab_core::hashing::BUSY_RETRY_AFTER,
            }
            .into())
        }
    }
}

fn wrong_password(
    req: &HttpRequest,
    desk: &TeacherDesk,
    users: &UserDirectory,
    mounts: &Mounts,
    csrf: &CsrfToken,
) -> HttpResponse {
    page(
        req,
        desk,
        users,
        mounts,
        csrf,
        None,
        Some("Wrong password.".to_owned()),
        StatusCode::OK,
    )
}

/// `POST /teacher/logout`.
pub async fn log_out(desk: web::Data<TeacherDesk>, _form: CheckedForm) -> HttpResponse {
    let mut response = see_other("/teacher");
    // A removal cookie is plain ASCII; failing to add it only leaves an expiring pass.
    let _ = response.add_cookie(&desk.pass.removal());
    response
}

/// `POST /teacher/role`: promote or demote an account.
#[allow(clippy::too_many_arguments)]
pub async fn change_role(
    _teacher: Teacher,
    req: HttpRequest,
    desk: web::Data<TeacherDesk>,
    users: web::Data<UserDirectory>,
    mounts: web::Data<Mounts>,
    board: web::Data<Announcements>,
    mut form: CheckedForm,
    csrf: CsrfToken,
) -> actix_web::Result<HttpResponse> {
    let username = form.take("user")?;
    let role = form.take("role")?;
    let message = match roles::change(&users, &board, &desk.cooldowns, &username, &role)? {
        Ok(RoleChange::Done(change)) => change,
        Ok(RoleChange::Unknown) => "No such account or role: nothing changed.".to_owned(),
        Err(err) => return Err(PageError::Internal(err).into()),
    };
    Ok(page(
        &req,
        &desk,
        &users,
        &mounts,
        &csrf,
        Some(message),
        None,
        StatusCode::OK,
    ))
}

/// `POST /teacher/password`: a student forgot theirs; the teacher types a new one.
#[allow(clippy::too_many_arguments)]
pub async fn new_password(
    _teacher: Teacher,
    req: HttpRequest,
    desk: web::Data<TeacherDesk>,
    users: web::Data<UserDirectory>,
    mounts: web::Data<Mounts>,
    budget: web::Data<HashBudget>,
    mut form: CheckedForm,
    csrf: CsrfToken,
) -> actix_web::Result<HttpResponse> {
    let username = form.take("user")?;
    let password = form.take("password")?;
    let refuse = |error: String| {
        page(
            &req,
            &desk,
            &users,
            &mounts,
            &csrf,
            None,
            Some(error),
            StatusCode::BAD_REQUEST,
        )
    };
    if !users.students().iter().any(|s| s.username == username) {
        return Ok(refuse(format!(
            "{username} is not a student: nothing changed."
        )));
    }
    if let Some(problem) = authlab_core::students::password_problem(&password) {
        return Ok(refuse(format!("{problem} Nothing changed.")));
    }
    let hash = budget
        .run(move |memory| authlab_core::hashing::hash_phc(&password, memory))
        .await
        .map_err(|_| PageError::Busy {
            retry_after: authlab_core::hashing::BUSY_RETRY_AFTER,
        })?
        .map_err(|err| PageError::Internal(anyhow::anyhow!("cannot hash a new password: {err}")))?;
    users
        .set_student_password(&username, hash)
        .map_err(|err| PageError::Internal(err.into()))?;
    tracing::info!(user = %username, "a student's password was changed by the teacher");
    let message = format!(
        "{username}'s password was changed: tell them the new one. Their logins made before now \
         are not ended by this (reset the room ends every login)."
    );
    Ok(page(
        &req,
        &desk,
        &users,
        &mounts,
        &csrf,
        Some(message),
        None,
        StatusCode::OK,
    ))
}

/// `POST /teacher/reset`: reset the room.
#[allow(clippy::too_many_arguments)]
pub async fn reset_the_room(
    _teacher: Teacher,
    req: HttpRequest,
    desk: web::Data<TeacherDesk>,
    users: web::Data<UserDirectory>,
    mounts: web::Data<Mounts>,
    throttle: web::Data<LoginThrottle>,
    board: web::Data<Announcements>,
    _form: CheckedForm,
    csrf: CsrfToken,
) -> actix_web::Result<HttpResponse> {
    desk.cooldowns.begin(Tool::Reset, "")?;
    let outcome = reset(&users, &throttle, &mounts, &board)
        .await
        .map_err(PageError::Internal)?;
    Ok(page(
        &req,
        &desk,
        &users,
        &mounts,
        &csrf,
        Some(outcome.sentence()),
        None,
        StatusCode::OK,
    ))
}
