//! The teacher: one account, outside the mounts, that alone may use the classroom tools.
//!
//! A classroom of thirty broke on the tools, not the labs: a student who was not even logged in
//! demoted alice, and restart pressed in a loop kept the server down. So the tools that change
//! things for everybody (restart, flush, rotate, role changes, and [`reset`] "reset the room")
//! ask for the [`Teacher`] extractor, have a cooldown and are announced on every page
//! ([`tools`]).
//!
//! The teacher's password is `AUTHLAB_TEACHER_PASSWORD` or made at the first start and kept in
//! the data directory ([`secrets`]); the terminal is told once, with the URL to open. The teacher
//! is not an account of the mounts (nothing here is about how a login is kept): `/teacher` gives
//! the browser a signed pass ([`pass`]). The page shows the class code students type at `/join`
//! ([`crate::join`]), the students, and the tools.

pub mod page;
pub mod pass;
pub mod reset;
pub mod roles;
pub mod secrets;
pub mod tools;

use std::{path::PathBuf, time::Duration};

use actix_web::web;
use authlab_core::hashing::{hash_phc, HashMemory};
use sha2::{Digest, Sha256};

use crate::Settings;

pub use pass::{is_teacher, Teacher};
pub use secrets::Origin;
pub use tools::{Cooldowns, Tool, ToolError};

/// The key file that signs the teacher's pass.
pub const PASS_KEY_FILE: &str = "teacher-pass.key";

/// The teacher's long-lived parts, shared by every worker.
pub struct TeacherDesk {
    pub(crate) pass: pass::PassKey,
    /// An argon2id hash of the password: checked like any other password, on a hashing thread.
    password_hash: String,
    class_code: String,
    pub cooldowns: Cooldowns,
}

/// What the terminal is told at start-up.
pub struct Greeting {
    /// The password, only when it was made at this start (printed once, never logged).
    pub new_password: Option<String>,
    pub origin: Origin,
    pub password_file: PathBuf,
}

impl Greeting {
    /// The lines for the terminal, for a server at `url`.
    pub fn lines(&self, url: &str) -> String {
        let how = match (&self.new_password, self.origin) {
            (Some(password), _) => format!(
                "the teacher's password is  {password}  (made now, kept in {}; shown only this once)",
                self.password_file.display()
            ),
            (None, Origin::Configured) => {
                "the teacher's password is the one in AUTHLAB_TEACHER_PASSWORD".to_owned()
            }
            (None, _) => format!(
                "the teacher's password was made at an earlier start: it is in {}",
                self.password_file.display()
            ),
        };
        format!("Teacher: open {url}teacher and log in; {how}.")
    }
}

impl TeacherDesk {
    /// The password and class code from the settings or the data directory.
    pub fn open(settings: &Settings) -> anyhow::Result<(TeacherDesk, Greeting)> {
        let dir = &settings.data_dir;
        let (password, origin) = match &settings.teacher_password {
            Some(secret) => (
                String::from_utf8(secret.expose().to_vec())
                    .map_err(|_| anyhow::anyhow!("AUTHLAB_TEACHER_PASSWORD is not UTF-8"))?,
                Origin::Configured,
            ),
            None => {
                secrets::load_or_make(dir, secrets::TEACHER_PASSWORD_FILE, secrets::new_password)
                    .map_err(|err| anyhow::anyhow!("the teacher's password file: {err}"))?
            }
        };
        if password.len() < authlab_core::students::MIN_PASSWORD_LEN {
            anyhow::bail!(
                "AUTHLAB_TEACHER_PASSWORD refused: use at least {} characters",
                authlab_core::students::MIN_PASSWORD_LEN
            );
        }
        let class_code = match &settings.class_code {
            Some(code) if !code.trim().is_empty() => normalized(code),
            _ => {
                secrets::load_or_make(dir, secrets::CLASS_CODE_FILE, secrets::new_class_code)
                    .map_err(|err| anyhow::anyhow!("the class code file: {err}"))?
                    .0
            }
        };
        let key = authlab_web::keys::load_or_create(dir, PASS_KEY_FILE, 32)?;
        let password_hash = hash_phc(&password, &mut HashMemory::default())
            .map_err(|err| anyhow::anyhow!("cannot hash the teacher's password: {err}"))?;
        let greeting = Greeting {
            new_password: (origin == Origin::Generated).then(|| password.clone()),
            origin,
            password_file: dir.join(secrets::TEACHER_PASSWORD_FILE),
        };
        Ok((
            TeacherDesk {
                pass: pass::PassKey::new(key, &password, settings.cookie_secure()),
                password_hash,
                class_code,
                cooldowns: Cooldowns::new(Duration::from_secs(settings.tool_cooldown)),
            },
            greeting,
        ))
    }

    pub fn class_code(&self) -> &str {
        &self.class_code
    }

    /// Whether `typed` is the class code (case and surrounding spaces aside). Compared as
    /// digests, so the time taken says nothing about how much of it was right.
    pub fn is_class_code(&self, typed: &str) -> bool {
        Sha256::digest(normalized(typed).as_bytes()) == Sha256::digest(self.class_code.as_bytes())
    }

    /// The cooldown of every tool, in seconds, for the pages that state it.
    pub fn cooldowns_secs(&self) -> u64 {
        self.cooldowns.length().as_secs()
    }

    pub(crate) fn password_hash(&self) -> String {
        self.password_hash.clone()
    }
}

fn normalized(code: &str) -> String {
    code.trim().to_ascii_uppercase()
}

/// `/teacher` and its forms.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/teacher", web::get().to(page::show))
        .route("/teacher/login", web::post().to(page::log_in))
        .route("/teacher/logout", web::post().to(page::log_out))
        .route("/teacher/role", web::post().to(page::change_role))
        .route("/teacher/password", web::post().to(page::new_password))
        .route("/teacher/reset", web::post().to(page::reset_the_room));
}
