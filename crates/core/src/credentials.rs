//! The bounds every typed username and password meets before anything hashes it.
//!
//! Its own module because both the login directory ([`crate::users`]) and the rule for a
//! student's new password ([`crate::students`]) apply it, and `users` already depends on
//! `students`: kept in either, the other would import it back.

/// The longest username or password the directory will hash; longer input is refused unhashed,
/// so nobody can make the server hash megabytes.
pub const MAX_CREDENTIAL_LEN: usize = 256;
