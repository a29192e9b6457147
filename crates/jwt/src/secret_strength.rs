//! Refusing a configured HS256 secret that a dictionary would guess.
//!
//! Length is not strength: 32 × `a` passed the 32-byte rule, and one token was enough to find it
//! with a word list (hashcat mode 16500 runs offline, as fast as the GPU allows) and forge an
//! admin token. A secret a person typed is checked two ways before the server starts: fewer than
//! [`MIN_DISTINCT_BYTES`] distinct bytes (repeated characters, one word over and over), or one
//! of the published defaults shipped in `data/common-secrets.txt`. Generated secrets (64 random
//! bytes in the data directory) are not checked: they are not typed.

use authlab_core::Secret;

/// A random 32-byte secret has about 28 distinct bytes; a typed phrase of that length, 15 or more.
pub const MIN_DISTINCT_BYTES: usize = 16;

const COMMON: &str = include_str!("../data/common-secrets.txt");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeakSecret {
    #[error(
        "the JWT secret has only {0} distinct bytes (at least {MIN_DISTINCT_BYTES} needed): \
         repeated characters are guessed at once; use random bytes (or leave AUTHLAB_JWT_SECRET \
         unset to have one generated)"
    )]
    FewDistinctBytes(usize),
    #[error(
        "the JWT secret is a published default found in word lists; use random bytes (or leave \
         AUTHLAB_JWT_SECRET unset to have one generated)"
    )]
    Common,
}

/// `Ok` for a secret worth using; the reason otherwise (never the secret itself).
pub fn check(secret: &Secret) -> Result<(), WeakSecret> {
    let bytes = secret.expose();
    let mut seen = [false; 256];
    for b in bytes {
        seen[usize::from(*b)] = true;
    }
    let distinct = seen.iter().filter(|s| **s).count();
    if distinct < MIN_DISTINCT_BYTES {
        return Err(WeakSecret::FewDistinctBytes(distinct));
    }
    let typed = String::from_utf8_lossy(bytes);
    let typed = typed.trim();
    let common = COMMON
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .any(|line| line.eq_ignore_ascii_case(typed));
    if common {
        return Err(WeakSecret::Common);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_characters_are_refused_with_the_count() {
        assert_eq!(
            check(&Secret::new("a".repeat(32))),
            Err(WeakSecret::FewDistinctBytes(1))
        );
        assert_eq!(
            check(&Secret::new("secret".repeat(6))),
            Err(WeakSecret::FewDistinctBytes(5))
        );
    }

    #[test]
    fn a_published_default_is_refused_whatever_its_case() {
        assert_eq!(
            check(&Secret::new("A-String-Secret-At-Least-256-Bits-Long")),
            Err(WeakSecret::Common)
        );
    }

    #[test]
    fn random_bytes_and_a_long_private_phrase_pass() {
        let random: Vec<u8> = (0u8..64)
            .map(|i| i.wrapping_mul(151).wrapping_add(7))
            .collect();

        assert_eq!(check(&Secret::new(random)), Ok(()));
        assert_eq!(
            check(&Secret::new(
                "the-corpus-tests-own-hs256-key-of-48-bytes!!!!!"
            )),
            Ok(())
        );
    }

    #[test]
    fn the_message_never_contains_the_secret() {
        let secret = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";
        let message = check(&Secret::new(secret)).map_err(|e| e.to_string());
        assert!(message.is_err_and(|m| !m.contains(secret)));
    }
}
