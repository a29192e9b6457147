//! Who is the teacher: a signed cookie the teacher's browser gets at `/teacher`, and the
//! [`Teacher`] extractor every classroom tool asks for.
//!
//! The cookie is `<expiry>.<HMAC-SHA256>` under a key kept in the data directory, over the
//! expiry and a fingerprint of the teacher's password: stateless, so a restart (one of the
//! teacher's own tools) keeps the teacher logged in, and a new password ends every old pass.
//! `HttpOnly`, `SameSite=Strict`, `Path=/`: a student's page cannot read it or make the
//! teacher's browser send it from another site.

use std::future::{ready, Ready};

use actix_web::{
    cookie::{time::Duration as CookieDuration, Cookie, SameSite},
    dev::Payload,
    web, FromRequest, HttpRequest,
};
use authlab_core::Secret;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::{tools::ToolError, TeacherDesk};
use crate::announcements::unix_now;

pub const TEACHER_COOKIE: &str = "authlab_teacher";

/// How long a teacher's login lasts: a school day.
pub const PASS_LIFETIME_SECS: u64 = 8 * 3600;

/// The key and the password fingerprint a pass is signed with.
pub struct PassKey {
    key: Secret,
    password_fingerprint: [u8; 32],
    secure: bool,
}

impl PassKey {
    pub fn new(key: Secret, password: &str, secure: bool) -> Self {
        PassKey {
            key,
            password_fingerprint: Sha256::digest(password.as_bytes()).into(),
            secure,
        }
    }

    fn mac(&self, expires: u64) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.key.expose()).expect("HMAC takes any key length");
        mac.update(b"authlab teacher pass\0");
        mac.update(&expires.to_be_bytes());
        mac.update(&self.password_fingerprint);
        mac
    }

    /// The cookie of a teacher who just typed the password.
    pub fn issue(&self) -> Cookie<'static> {
        let expires = unix_now() + PASS_LIFETIME_SECS;
        let signature = URL_SAFE_NO_PAD.encode(self.mac(expires).finalize().into_bytes());
        Cookie::build(TEACHER_COOKIE, format!("{expires}.{signature}"))
            .path("/")
            .http_only(true)
            .secure(self.secure)
            .same_site(SameSite::Strict)
            .max_age(CookieDuration::seconds(
                i64::try_from(PASS_LIFETIME_SECS).unwrap_or(i64::MAX),
            ))
            .finish()
    }

    pub fn removal(&self) -> Cookie<'static> {
        let mut cookie = Cookie::build(TEACHER_COOKIE, "").path("/").finish();
        cookie.make_removal();
        cookie
    }

    /// Whether `value` is a pass this server signed and that has not expired.
    pub fn accepts(&self, value: &str) -> bool {
        let Some((expires, signature)) = value.split_once('.') else {
            return false;
        };
        let (Ok(expires), Ok(signature)) =
            (expires.parse::<u64>(), URL_SAFE_NO_PAD.decode(signature))
        else {
            return false;
        };
        expires > unix_now() && self.mac(expires).verify_slice(&signature).is_ok()
    }
}

/// Whether this request comes from the teacher's browser.
pub fn is_teacher(req: &HttpRequest) -> bool {
    let desk = req.app_data::<web::Data<TeacherDesk>>();
    match (desk, req.cookie(TEACHER_COOKIE)) {
        (Some(desk), Some(cookie)) => desk.pass.accepts(cookie.value()),
        _ => false,
    }
}

/// Proof that the request comes from the teacher; anyone else gets the 403 page.
pub struct Teacher;

impl FromRequest for Teacher {
    type Error = ToolError;
    type Future = Ready<Result<Self, ToolError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(if is_teacher(req) {
            Ok(Teacher)
        } else {
            tracing::warn!(
                path = req.path(),
                "a classroom tool was refused: not the teacher"
            );
            Err(ToolError::NotTeacher)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_verifies_and_a_changed_one_or_another_password_does_not() {
        let key = PassKey::new(Secret::new([3u8; 32]), "pw", false);
        let pass = key.issue();

        assert!(key.accepts(pass.value()));
        let (expires, signature) = pass.value().split_once('.').expect("two parts");
        assert!(!key.accepts(&format!(
            "{}.{signature}",
            expires.parse::<u64>().unwrap_or(0) + 1
        )));
        assert!(!key.accepts("garbage"));
        let other = PassKey::new(Secret::new([3u8; 32]), "new pw", false);
        assert!(!other.accepts(pass.value()));
    }
}
