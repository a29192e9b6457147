//! The signing key in use, swappable while the server runs (the "rotate the key" lab).
//!
//! Every `/jwt` request reads the key, and a rotation happens once in a lesson, so the read side
//! must cost nothing: an `ArcSwap` load is a couple of atomic operations with no lock, where an
//! `RwLock` would make every request touch a shared counter that all workers contend on. A
//! rotation builds the new codec (keys parsed once, as at start-up) and swaps it in whole, so a
//! request sees either the old key or the new one, never a mix.

use std::sync::Arc;

use arc_swap::{ArcSwap, Guard};

use crate::TokenCodec;

pub struct KeyRing {
    current: ArcSwap<TokenCodec>,
}

impl KeyRing {
    pub fn new(codec: TokenCodec) -> Self {
        KeyRing {
            current: ArcSwap::from_pointee(codec),
        }
    }

    /// The codec for one request: cheap, and not to be held across a long await.
    pub fn load(&self) -> Guard<Arc<TokenCodec>> {
        self.current.load()
    }

    /// The codec as an owned handle, for code that keeps it a while.
    pub fn current(&self) -> Arc<TokenCodec> {
        self.current.load_full()
    }

    /// From now on, sign and verify with `codec`. Tokens signed with the old key are refused
    /// (bad signature) from the next request on.
    pub fn rotate(&self, codec: TokenCodec) {
        self.current.store(Arc::new(codec));
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use authlab_core::{Identity, Rejection, Role, Secret};

    use super::*;
    use crate::JwtSettings;

    fn codec(byte: u8) -> TokenCodec {
        TokenCodec::new(&JwtSettings::new(
            Secret::new([byte; 32]),
            Duration::from_secs(60),
        ))
        .expect("valid settings")
    }

    #[test]
    fn after_a_rotation_old_tokens_are_refused_and_new_ones_verify() {
        let ring = KeyRing::new(codec(1));
        let bob = Identity {
            username: "bob".into(),
            display_name: "Bob".into(),
            role: Role::User,
        };
        let (old, _) = ring.load().issue(&bob).expect("sign");

        ring.rotate(codec(2));
        let (new, _) = ring.load().issue(&bob).expect("sign");

        assert_eq!(ring.load().verify(&old), Err(Rejection::BadSignature));
        assert!(ring.load().verify(&new).is_ok());
    }
}
