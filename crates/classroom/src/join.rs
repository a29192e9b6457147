//! `/join`: a student makes an account of their own, valid on every mount.
//!
//! Thirty students on two shared accounts log each other out ("log out everywhere" as bob logs
//! every bob out) and lock each other out (five typos of bob's password). So each student types
//! the class code (shown on `/teacher`), a username and a password of their choosing; the account
//! is a `user`, its password kept as an argon2id hash in the data directory, so a restart keeps
//! it. Every refusal says what to change and creates nothing: the checks all come before the one
//! write, and the write itself refuses a name taken in the meantime.
//!
//! A join costs a hash, so it is counted by the login throttle like a login: a wrong class code
//! counts as a wrong password for that (username, address), and every join counts towards the
//! address's passwords a minute.

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;
use authlab_core::{
    hashing::{hash_phc, BUSY_RETRY_AFTER},
    students::{self, MIN_PASSWORD_LEN},
    AccountError, HashBudget, Mounts, StudentName, UserDirectory,
};
use authlab_web::{
    forwarded::client_address,
    throttle::{LoginThrottle, Outcome},
};

use crate::{
    csrf::CsrfToken,
    errors::PageError,
    forms::CheckedForm,
    render::{self, private},
    teacher::TeacherDesk,
    Mount,
};

#[derive(Template)]
#[template(path = "join.html")]
pub struct JoinPage<'a> {
    pub csrf: &'a str,
    pub username: &'a str,
    pub problem: Option<String>,
    /// The name of the account just made.
    pub joined: Option<String>,
    pub login_mounts: Vec<&'a Mount>,
    pub min_password: usize,
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/join", web::get().to(show))
        .route("/join", web::post().to(submit));
}

pub async fn show(mounts: web::Data<Mounts>, csrf: CsrfToken) -> HttpResponse {
    page(&mounts, &csrf, "", None, None, StatusCode::OK)
}

fn page(
    mounts: &Mounts,
    csrf: &CsrfToken,
    username: &str,
    problem: Option<String>,
    joined: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    private(render::html(
        status,
        &JoinPage {
            csrf: csrf.value(),
            username,
            problem,
            joined,
            login_mounts: mounts.login().map(|m| m.as_ref()).collect(),
            min_password: MIN_PASSWORD_LEN,
        },
    ))
}

#[allow(clippy::too_many_arguments)]
pub async fn submit(
    req: HttpRequest,
    desk: web::Data<TeacherDesk>,
    users: web::Data<UserDirectory>,
    mounts: web::Data<Mounts>,
    throttle: web::Data<LoginThrottle>,
    budget: web::Data<HashBudget>,
    mut form: CheckedForm,
    csrf: CsrfToken,
) -> actix_web::Result<HttpResponse> {
    let code = form.take("code")?;
    let username = form.take("username")?;
    let password = form.take("password")?;
    let refuse = |problem: String| {
        tracing::info!("a join was refused");
        Ok(page(
            &mounts,
            &csrf,
            &username,
            Some(problem),
            None,
            StatusCode::BAD_REQUEST,
        ))
    };
    let attempt = throttle
        .acquire(&username, client_address(&req))
        .await
        .map_err(PageError::Throttled)?;
    if !desk.is_class_code(&code) {
        attempt.settle(Outcome::Refused);
        return refuse(
            "That is not the class code: ask your teacher (it is on the teacher's page).".into(),
        );
    }
    // A refusal below costs no hash: it gives its count back.
    let name = match StudentName::parse(&username) {
        Ok(name) => name,
        Err(problem) => {
            attempt.settle(Outcome::NotChecked);
            return refuse(problem.to_string());
        }
    };
    let problem = if users.is_taken(&name) {
        Some(AccountError::Taken.to_string())
    } else {
        students::password_problem(&password).map(|p| p.to_string())
    };
    if let Some(problem) = problem {
        attempt.settle(Outcome::NotChecked);
        return refuse(problem);
    }
    // The hash is the cost the address's limit bounds: this join stays counted.
    let hash = budget.run(move |memory| hash_phc(&password, memory)).await;
    let hash = match hash {
        Ok(hash) => {
            attempt.settle(Outcome::Accepted);
            hash.map_err(|err| {
                PageError::Internal(anyhow::anyhow!("cannot hash a student's password: {err}"))
            })?
        }
        Err(authlab_core::Busy) => {
            attempt.settle(Outcome::NotChecked);
            return Err(PageError::Busy {
                retry_after: BUSY_RETRY_AFTER,
            }
            .into());
        }
    };
    match users.add_student(name.clone(), hash) {
        Ok(()) => {
            tracing::info!(user = %name, "a student joined");
            Ok(page(
                &mounts,
                &csrf,
                "",
                None,
                Some(name.to_string()),
                StatusCode::OK,
            ))
        }
        Err(AccountError::Taken) => refuse(AccountError::Taken.to_string()),
        Err(err) => Err(PageError::Internal(err.into()).into()),
    }
}
