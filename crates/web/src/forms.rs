//! Reading forms strictly, with their CSRF token checked.
//!
//! `web::Form` decodes `%FF` and raw non-UTF-8 bytes into U+FFFD and carries on, so a password
//! that is not text would be silently changed before it is checked. Here a form must be
//! `application/x-www-form-urlencoded`, at most [`MAX_BODY_BYTES`], valid UTF-8 after
//! percent-decoding, carry each field at most once, and carry a valid CSRF token; anything else is
//! a clear 4xx page.

use std::{collections::HashMap, future::Future, pin::Pin};

use actix_web::{
    dev::Payload, http::StatusCode, web, FromRequest, HttpRequest, HttpResponse, ResponseError,
};

use crate::{
    csrf::{self, CsrfError, CSRF_FIELD},
    render,
};

/// Largest form or JSON body accepted; a login needs a few hundred bytes.
pub const MAX_BODY_BYTES: usize = 8 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("the form is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
    #[error("the form is not application/x-www-form-urlencoded")]
    WrongContentType,
    #[error("the form is not valid UTF-8")]
    NotUtf8,
    #[error("the form lacks the field {0}")]
    Missing(&'static str),
    #[error("the form has the field {0} more than once")]
    Repeated(String),
    #[error("the form could not be read: {0}")]
    Unreadable(String),
    #[error(transparent)]
    Csrf(#[from] CsrfError),
}

impl ResponseError for FormError {
    fn status_code(&self) -> StatusCode {
        match self {
            FormError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            FormError::WrongContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            FormError::Csrf(err) => err.status_code(),
            _ => StatusCode::BAD_REQUEST,
        }
    }

    fn error_response(&self) -> HttpResponse {
        tracing::warn!(error = %self, "bad form");
        match self {
            FormError::Csrf(err) => err.error_response(),
            _ => render::error_page(
                self.status_code(),
                "Bad request",
                &format!("The form could not be used: {self}."),
                None,
            ),
        }
    }
}

/// The decoded fields of a form whose CSRF token was valid.
pub struct CheckedForm {
    fields: HashMap<String, String>,
}

impl CheckedForm {
    /// Take a required field.
    pub fn take(&mut self, name: &'static str) -> Result<String, FormError> {
        self.fields.remove(name).ok_or(FormError::Missing(name))
    }

    /// Take a field that may be absent, named at run time (`copy_<mount>`).
    pub fn take_optional(&mut self, name: &str) -> Option<String> {
        self.fields.remove(name)
    }
}

impl FromRequest for CheckedForm {
    type Error = FormError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_form = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .starts_with("application/x-www-form-urlencoded")
            });
        let body = web::Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            if !is_form {
                return Err(FormError::WrongContentType);
            }
            let body = body.await.map_err(|err| {
                if err.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
                    FormError::TooLarge
                } else {
                    FormError::Unreadable(err.to_string())
                }
            })?;
            let mut fields = parse(&body)?;
            let token = fields.remove(CSRF_FIELD);
            csrf::check(&req, token.as_deref())?;
            Ok(CheckedForm { fields })
        })
    }
}

/// The fields of the login form.
pub struct LoginForm {
    pub username: String,
    pub password: String,
}

impl FromRequest for LoginForm {
    type Error = FormError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let form = CheckedForm::from_request(req, payload);
        Box::pin(async move {
            let mut form = form.await?;
            Ok(LoginForm {
                username: form.take("username")?,
                password: form.take("password")?,
            })
        })
    }
}

/// Parse `a=1&b=2` strictly: UTF-8 after decoding, no repeated field.
pub fn parse(body: &[u8]) -> Result<HashMap<String, String>, FormError> {
    let mut fields = HashMap::new();
    for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.iter().position(|b| *b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &[][..]),
        };
        let name = decode(name)?;
        let value = decode(value)?;
        if fields.contains_key(&name) {
            return Err(FormError::Repeated(name));
        }
        fields.insert(name, value);
    }
    Ok(fields)
}

fn decode(raw: &[u8]) -> Result<String, FormError> {
    let plus_as_space: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    let bytes: Vec<u8> = percent_encoding::percent_decode(&plus_as_space).collect();
    String::from_utf8(bytes).map_err(|_| FormError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_form_parses() {
        let form = parse(b"username=alice&password=wonder+land%21").expect("valid");

        assert_eq!(form["username"], "alice");
        assert_eq!(form["password"], "wonder land!");
    }

    #[test]
    fn bad_forms_are_refused_with_the_reason() {
        assert!(matches!(
            parse(b"username=%ff&password=x"),
            Err(FormError::NotUtf8)
        ));
        assert!(matches!(
            parse(b"username=a&password=\xff"),
            Err(FormError::NotUtf8)
        ));
        assert!(matches!(
            parse(b"username=a&username=b&password=x"),
            Err(FormError::Repeated(name)) if name == "username"
        ));
    }
}
