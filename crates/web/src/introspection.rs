//! Who may ask `POST /introspect`, and whom it asks: the resource servers' shared secret and the
//! token kinds that can answer (see [`authlab_core::introspection`]).
//!
//! RFC 7662 §2.1 requires the caller to authenticate, or the endpoint becomes an oracle for
//! guessing tokens. There is one kind of caller here, a resource server, so one secret: presented
//! as HTTP Basic with the client id [`RESOURCE_CLIENT_ID`] (RFC 6749 §2.3.1, what OAuth client
//! libraries send) or as a bearer token (§2.1's other example). It is either typed in
//! (`AUTHLAB_INTROSPECTION_SECRET`, at least [`MIN_SECRET_BYTES`]) or generated once into the
//! data directory (0600), whose text is then the secret: `authlab resource
//! --introspection-secret-file <data dir>/introspection.secret` reads the same file.
//!
//! The comparison hashes both sides first, so its time says nothing about how much of a guess
//! was right.

use std::{path::Path, sync::Arc};

use actix_web::{http::header, HttpRequest};
use authlab_core::{Secret, TokenIntrospector};
use base64::{engine::general_purpose::STANDARD, Engine};
use sha2::{Digest, Sha256};

use crate::keys::{self, KeyFileError};

/// The data directory's file holding the generated secret.
pub const SECRET_FILE: &str = "introspection.secret";
/// The client id a resource server presents with HTTP Basic.
pub const RESOURCE_CLIENT_ID: &str = "authlab-resource";
/// A typed secret shorter than this is refused at start-up.
pub const MIN_SECRET_BYTES: usize = 32;
/// Random bytes in a generated secret (its text is their base64).
const GENERATED_SECRET_BYTES: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "AUTHLAB_INTROSPECTION_SECRET is {0} bytes long; it needs at least {MIN_SECRET_BYTES} \
         (leave it unset to have one generated in the data directory)"
    )]
    TooShort(usize),
    #[error(transparent)]
    File(#[from] KeyFileError),
}

/// The endpoint's parts, shared by every worker.
#[derive(Clone)]
pub struct Introspection {
    secret: Secret,
    secret_digest: [u8; 32],
    /// Asked in turn; the first that knows a token answers.
    sources: Arc<Vec<Arc<dyn TokenIntrospector>>>,
}

impl Introspection {
    pub fn new(secret: &Secret, sources: Vec<Arc<dyn TokenIntrospector>>) -> Self {
        Introspection {
            secret: secret.clone(),
            secret_digest: Sha256::digest(secret.expose()).into(),
            sources: Arc::new(sources),
        }
    }

    /// The secret a resource server presents: for the classroom's second-service lab, which
    /// calls the endpoint exactly as `authlab resource` does.
    pub fn resource_secret(&self) -> &Secret {
        &self.secret
    }

    pub fn sources(&self) -> &[Arc<dyn TokenIntrospector>] {
        &self.sources
    }

    /// Whether the request carries the resource servers' secret.
    pub fn caller_is_known(&self, req: &HttpRequest) -> bool {
        presented_secret(req).is_some_and(|presented| {
            let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
            digest == self.secret_digest
        })
    }
}

/// The typed secret, or the one kept in `data_dir` (made on first start).
pub fn load_secret(typed: Option<&Secret>, data_dir: &Path) -> Result<Secret, SecretError> {
    match typed {
        Some(secret) if secret.len() < MIN_SECRET_BYTES => Err(SecretError::TooShort(secret.len())),
        Some(secret) => Ok(secret.clone()),
        None => {
            let bytes = keys::load_or_create(data_dir, SECRET_FILE, GENERATED_SECRET_BYTES)?;
            // The file holds the base64 of the bytes; that text is what callers present.
            Ok(Secret::new(STANDARD.encode(bytes.expose())))
        }
    }
}

/// The secret in `Authorization: Basic` (with our client id) or `Authorization: Bearer`.
fn presented_secret(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, credentials) = value.split_once(' ')?;
    let credentials = credentials.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(credentials.to_owned());
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(credentials).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    // RFC 6749 §2.3.1: both halves are form-encoded before they are joined.
    let id = percent_encoding::percent_decode_str(id)
        .decode_utf8()
        .ok()?;
    let secret = percent_encoding::percent_decode_str(secret)
        .decode_utf8()
        .ok()?;
    (id == RESOURCE_CLIENT_ID).then(|| secret.into_owned())
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    const SECRET: &str = "a-resource-server-secret-of-enough-bytes";

    fn endpoint() -> Introspection {
        Introspection::new(&Secret::new(SECRET), Vec::new())
    }

    fn basic(id: &str, secret: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
    }

    #[test]
    fn the_secret_is_accepted_as_basic_with_our_client_id_or_as_bearer() {
        let endpoint = endpoint();
        let with = |value: &str| {
            TestRequest::default()
                .insert_header((header::AUTHORIZATION, value))
                .to_http_request()
        };

        assert!(endpoint.caller_is_known(&with(&basic(RESOURCE_CLIENT_ID, SECRET))));
        assert!(endpoint.caller_is_known(&with(&format!("Bearer {SECRET}"))));
        assert!(!endpoint.caller_is_known(&with(&basic("someone-else", SECRET))));
        assert!(!endpoint.caller_is_known(&with(&basic(RESOURCE_CLIENT_ID, "guess"))));
        assert!(!endpoint.caller_is_known(&with("Bearer guess")));
        assert!(!endpoint.caller_is_known(&with("Basic %%%")));
        assert!(!endpoint.caller_is_known(&TestRequest::default().to_http_request()));
    }

    #[test]
    fn a_short_typed_secret_is_refused_and_a_generated_one_is_kept() {
        let dir = tempfile::tempdir().expect("temp dir");

        let short = load_secret(Some(&Secret::new("12@34$56")), dir.path());
        let first = load_secret(None, dir.path()).expect("generated");
        let again = load_secret(None, dir.path()).expect("read back");

        assert!(matches!(short, Err(SecretError::TooShort(8))));
        assert_eq!(first, again);
        let text = std::fs::read_to_string(dir.path().join(SECRET_FILE)).expect("file");
        assert_eq!(text.trim().as_bytes(), first.expose());
    }
}
