//! The keys in use: the current signing key and the previous ones that still verify.
//!
//! **Rotation with overlap** ([`KeyRing::rotate_with_overlap`]) makes a new current key and keeps
//! the old one verifying until the last token it signed has expired (its rotation time plus the
//! token lifetime), then it leaves the ring and the JWKS: nobody is logged out. **Emergency
//! revocation** ([`KeyRing::revoke_all`]) makes a new key and drops every old one at once: every
//! token is refused from the next request on, which is what a leaked key calls for. Both are
//! operations of the JWT backend, not of a lab, and both are persisted
//! ([`crate::ring_files`]) before they take effect, so a restart keeps the previous keys.
//!
//! **The ring chooses the key, never the token.** A token's header segment is matched against
//! the headers this ring's keys sign with (a byte comparison, no parsing); failing that, its
//! `kid` is looked up among the ring's own keys; anything else (no `kid`, an unknown one, a
//! `jku`/`jwk`/`x5u` pointing elsewhere) is checked against the current key, whose rules refuse
//! any `kid` but its own. Nothing in a token can make the server fetch or accept a key.
//!
//! Every `/jwt` request reads the ring, and a rotation happens rarely, so the read side must cost
//! nothing: an `ArcSwap` load is a couple of atomic operations with no lock, where an `RwLock`
//! would make every request touch a shared counter that all workers contend on. A rotation
//! builds the new ring whole (keys parsed once) and swaps it in, so a request sees the old ring
//! or the new one, never a mix.

use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use authlab_core::{Identity, Rejection};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use crate::{
    codec::unix_now,
    jwks::{Jwk, JwkSet},
    ring_files::{RingFileError, RingFiles, StoredPrevious},
    settings::SettingsError,
    Claims, JwtSettings, TokenCodec,
};

/// One state of the ring, swapped whole.
struct Ring {
    current: Arc<TokenCodec>,
    /// The header prefix of `current`'s tokens, matched before anything is decoded.
    current_prefix: String,
    previous: Vec<Previous>,
}

struct Previous {
    codec: Arc<TokenCodec>,
    prefix: String,
    /// Seconds since the epoch at which the last token this key signed expires.
    until: i64,
}

impl Ring {
    fn new(current: Arc<TokenCodec>, previous: Vec<Previous>) -> Self {
        Ring {
            current_prefix: current.header_prefix(),
            current,
            previous,
        }
    }

    /// The ring's key for `token`: by its header bytes, then by its `kid`, else the current key.
    fn codec_for(&self, token: &str, now: i64) -> &TokenCodec {
        if token.starts_with(&self.current_prefix) {
            return &self.current;
        }
        let live = || self.previous.iter().filter(move |p| p.until > now);
        if let Some(previous) = live().find(|p| token.starts_with(&p.prefix)) {
            return &previous.codec;
        }
        match kid_of(token) {
            Some(kid) => live()
                .find(|p| p.codec.kid() == kid)
                .map_or(&self.current, |p| &p.codec),
            None => &self.current,
        }
    }
}

/// The `kid` of a token's header, if it has one; only for tokens no prefix matched.
fn kid_of(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    let json: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    json.get("kid")?.as_str().map(str::to_owned)
}

#[derive(Debug, thiserror::Error)]
pub enum RingError {
    #[error(transparent)]
    Files(#[from] RingFileError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

pub struct KeyRing {
    ring: ArcSwap<Ring>,
    /// `None`: the key was configured (`AUTHLAB_JWT_SECRET`) and is not ours to replace.
    files: Option<RingFiles>,
    /// One rotation at a time: two at once would each keep a different "previous".
    rotating: Mutex<()>,
}

impl KeyRing {
    /// A ring of one key, kept nowhere (tests, and a configured secret).
    pub fn new(codec: TokenCodec) -> Self {
        KeyRing {
            ring: ArcSwap::from_pointee(Ring::new(Arc::new(codec), Vec::new())),
            files: None,
            rotating: Mutex::new(()),
        }
    }

    /// The ring kept in `files`: `settings.secret` is the current key (read from the key file at
    /// start-up), the previous keys are read back with their end times; the ones whose tokens
    /// have all expired are dropped. A malformed file refuses the start.
    pub fn open(settings: &JwtSettings, files: RingFiles) -> Result<Self, RingError> {
        let now = unix_now();
        let previous = files
            .read_previous()?
            .into_iter()
            .filter(|stored| stored.until > now)
            .map(|stored| {
                let codec = TokenCodec::new(&JwtSettings {
                    secret: stored.key,
                    ..settings.clone()
                })?;
                Ok(Previous {
                    prefix: codec.header_prefix(),
                    codec: Arc::new(codec),
                    until: stored.until,
                })
            })
            .collect::<Result<Vec<_>, SettingsError>>()?;
        Ok(KeyRing {
            ring: ArcSwap::from_pointee(Ring::new(Arc::new(TokenCodec::new(settings)?), previous)),
            files: Some(files),
            rotating: Mutex::new(()),
        })
    }

    /// The signing key's codec (what logins are signed with).
    pub fn load(&self) -> Arc<TokenCodec> {
        self.current()
    }

    /// The signing key's codec as an owned handle.
    pub fn current(&self) -> Arc<TokenCodec> {
        self.ring.load().current.clone()
    }

    /// Check a token with the ring's key for it, as of now.
    pub fn verify(&self, token: &str) -> Result<Claims, Rejection> {
        let ring = self.ring.load();
        let now = unix_now();
        ring.codec_for(token, now).verify(token)
    }

    /// Sign a fresh login with the current key.
    pub fn issue(
        &self,
        identity: &Identity,
    ) -> Result<(String, Claims), jsonwebtoken::errors::Error> {
        self.ring.load().current.issue(identity)
    }

    /// Sign `claims` (made by the caller, e.g. with a shorter `exp` and a `sid`) with the
    /// current key.
    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        self.ring.load().current.sign(claims)
    }

    /// The claims a fresh login for `identity` gets from the current key, to adjust and
    /// [`KeyRing::sign`].
    pub fn claims_for(&self, identity: &Identity) -> Claims {
        self.ring.load().current.claims_for(identity, unix_now())
    }

    /// The longest lifetime this ring's rules accept (`AUTHLAB_JWT_TTL`).
    pub fn ttl_secs(&self) -> i64 {
        self.ring.load().current.ttl_secs()
    }

    /// A token's signature, issuer and audience checked by the ring's key for it, its times
    /// not (see [`TokenCodec::verify_ignoring_time`]).
    pub fn verify_ignoring_time(&self, token: &str) -> Result<Claims, Rejection> {
        let ring = self.ring.load();
        ring.codec_for(token, unix_now())
            .verify_ignoring_time(token)
    }

    /// The key ids that verify right now, current first.
    pub fn kids(&self) -> Vec<String> {
        let ring = self.ring.load();
        let now = unix_now();
        std::iter::once(ring.current.kid().to_owned())
            .chain(
                ring.previous
                    .iter()
                    .filter(|p| p.until > now)
                    .map(|p| p.codec.kid().to_owned()),
            )
            .collect()
    }

    /// The public keys that verify right now, as a JWKS (empty under HS256).
    pub fn jwks(&self) -> JwkSet {
        let ring = self.ring.load();
        let now = unix_now();
        let codecs = std::iter::once(&ring.current).chain(
            ring.previous
                .iter()
                .filter(|p| p.until > now)
                .map(|p| &p.codec),
        );
        JwkSet {
            keys: codecs
                .filter_map(|codec| Some(Jwk::ed25519(codec.kid(), codec.public_key_x()?)))
                .collect(),
        }
    }

    /// A new signing key; the old one keeps verifying until the last token it signed expires.
    pub fn rotate_with_overlap(&self) -> Result<(), RingError> {
        let _one_at_a_time = self.rotating.lock().unwrap_or_else(|p| p.into_inner());
        let ring = self.ring.load_full();
        let now = unix_now();
        let fresh = Arc::new(ring.current.with_new_key()?);
        let mut previous: Vec<Previous> = ring
            .previous
            .iter()
            .filter(|p| p.until > now)
            .map(|p| Previous {
                codec: p.codec.clone(),
                prefix: p.prefix.clone(),
                until: p.until,
            })
            .collect();
        previous.push(Previous {
            prefix: ring.current_prefix.clone(),
            codec: ring.current.clone(),
            until: now.saturating_add(ring.current.ttl_secs()),
        });
        self.persist(&fresh, &previous)?;
        tracing::warn!(
            old = ring.current.kid(),
            new = fresh.kid(),
            "JWT key rotated with overlap"
        );
        self.ring.store(Arc::new(Ring::new(fresh, previous)));
        Ok(())
    }

    /// Emergency rotation: a new signing key and no other; every token so far is refused.
    pub fn revoke_all(&self) -> Result<(), RingError> {
        let _one_at_a_time = self.rotating.lock().unwrap_or_else(|p| p.into_inner());
        let ring = self.ring.load_full();
        let fresh = Arc::new(ring.current.with_new_key()?);
        self.persist(&fresh, &[])?;
        tracing::warn!(
            old = ring.current.kid(),
            new = fresh.kid(),
            "JWT keys revoked: every token refused"
        );
        self.ring.store(Arc::new(Ring::new(fresh, Vec::new())));
        Ok(())
    }

    /// From now on, sign and verify with `codec` alone (a key made elsewhere, already kept where
    /// start-up reads it). Tokens signed with any other key are refused from the next request on.
    pub fn rotate(&self, codec: TokenCodec) {
        let _one_at_a_time = self.rotating.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(files) = &self.files {
            // The previous keys must not come back at the next start.
            if let Err(err) = files.write(codec.secret(), &[]) {
                tracing::error!(%err, "could not forget the previous JWT keys");
            }
        }
        self.ring
            .store(Arc::new(Ring::new(Arc::new(codec), Vec::new())));
    }

    fn persist(&self, current: &TokenCodec, previous: &[Previous]) -> Result<(), RingError> {
        let files = self.files.as_ref().ok_or(RingFileError::NotOurs)?;
        let stored: Vec<StoredPrevious> = previous
            .iter()
            .map(|p| StoredPrevious {
                key: p.codec.secret().clone(),
                until: p.until,
            })
            .collect();
        Ok(files.write(current.secret(), &stored)?)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use authlab_core::{Identity, Rejection, Role, Secret};

    use super::*;
    use crate::JwtAlg;

    fn settings(byte: u8) -> JwtSettings {
        JwtSettings::new(Secret::new([byte; 32]), Duration::from_secs(60))
    }

    fn bob() -> Identity {
        Identity {
            username: "bob".into(),
            display_name: "Bob".into(),
            role: Role::User,
        }
    }

    fn temp_files(name: &str) -> RingFiles {
        let dir = std::env::temp_dir().join(format!("authlab-ring-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        RingFiles::new(dir.join("jwt.key"))
    }

    #[test]
    fn after_a_rotation_old_tokens_are_refused_and_new_ones_verify() {
        let ring = KeyRing::new(TokenCodec::new(&settings(1)).expect("valid"));
        let (old, _) = ring.issue(&bob()).expect("sign");

        ring.rotate(TokenCodec::new(&settings(2)).expect("valid"));
        let (new, _) = ring.issue(&bob()).expect("sign");

        assert_eq!(ring.verify(&old), Err(Rejection::BadSignature));
        assert!(ring.verify(&new).is_ok());
    }

    #[test]
    fn with_overlap_an_old_token_still_verifies_and_a_restart_keeps_its_key() {
        let files = temp_files("overlap");
        let ring = KeyRing::open(&settings(1), files.clone()).expect("open");
        let (old, _) = ring.issue(&bob()).expect("sign");

        ring.rotate_with_overlap().expect("rotate");
        let (new, _) = ring.issue(&bob()).expect("sign");
        let restarted = KeyRing::open(
            &JwtSettings {
                secret: ring.current().secret().clone(),
                ..settings(1)
            },
            files,
        )
        .expect("reopen");

        assert!(ring.verify(&old).is_ok());
        assert!(ring.verify(&new).is_ok());
        assert_eq!(ring.kids().len(), 2);
        assert!(
            restarted.verify(&old).is_ok(),
            "the previous key survived a restart"
        );
        assert!(restarted.verify(&new).is_ok());
    }

    #[test]
    fn revoking_all_refuses_every_earlier_token_at_once() {
        let ring = KeyRing::open(&settings(1), temp_files("revoke")).expect("open");
        let (old, _) = ring.issue(&bob()).expect("sign");
        ring.rotate_with_overlap().expect("rotate");
        let (middle, _) = ring.issue(&bob()).expect("sign");

        ring.revoke_all().expect("revoke");

        assert!(ring.verify(&old).is_err());
        assert!(ring.verify(&middle).is_err());
        assert_eq!(ring.kids().len(), 1);
    }

    #[test]
    fn a_configured_key_is_not_replaced() {
        let ring = KeyRing::new(TokenCodec::new(&settings(1)).expect("valid"));

        assert!(matches!(
            ring.rotate_with_overlap(),
            Err(RingError::Files(RingFileError::NotOurs))
        ));
    }

    #[test]
    fn under_eddsa_the_jwks_lists_every_key_that_verifies_and_hs256_lists_none() {
        let eddsa = JwtSettings {
            algorithm: JwtAlg::EdDsa,
            ..settings(4)
        };
        let ring = KeyRing::open(&eddsa, temp_files("jwks")).expect("open");
        let hs256 = KeyRing::new(TokenCodec::new(&settings(1)).expect("valid"));

        ring.rotate_with_overlap().expect("rotate");
        let set = ring.jwks();

        assert_eq!(set.keys.len(), 2);
        assert_eq!(
            set.keys.iter().map(|k| k.kid.clone()).collect::<Vec<_>>(),
            ring.kids()
        );
        assert!(hs256.jwks().keys.is_empty());
    }

    #[test]
    fn the_token_cannot_choose_a_key_outside_the_ring() {
        let ring = KeyRing::new(TokenCodec::new(&settings(1)).expect("valid"));
        let stranger = TokenCodec::new(&settings(9)).expect("valid");
        let (foreign, _) = stranger.issue(&bob()).expect("sign");

        assert!(ring.verify(&foreign).is_err());
    }
}
