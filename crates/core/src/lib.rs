//! The part of authlab that every backend shares and that knows nothing of Redis or JWT.
//!
//! The whole project rests on one decision: the pages, handlers and templates are written once,
//! and "how the login is kept" is a trait implementation ([`AuthBackend`]). A stateful session
//! backend and a stateless token backend differ only in what they do behind [`AuthBackend`], so
//! the same tests run against both and any difference a student sees is a real one.
//!
//! The trait speaks in actix-web's request and cookie types because that is all it needs of
//! HTTP; it says nothing of where the state lives.

pub mod backend;
pub mod baseline;
pub mod credentials;
pub mod denylist;
pub mod error;
pub mod hashing;
pub mod identity;
pub mod inspection;
pub mod introspection;
pub mod mount;
pub mod private_file;
pub mod rejection;
pub mod secret;
pub mod students;
pub mod timing;
pub mod users;

pub use backend::{AuthBackend, Authentication, Capabilities, Grant, RefreshGrant};
pub use denylist::Denylist;
pub use error::BackendError;
pub use hashing::{Busy, HashBudget};
pub use identity::{Identity, Role};
pub use inspection::{
    CookieFacts, CookieSetting, Inspection, RecordCount, ServerFacts, StoredRecord, TokenFacts,
};
pub use introspection::{ActiveToken, TokenIntrospector, TokenKind};
pub use mount::{
    CookieName, Credential, Install, Mount, MountInfo, MountSlug, Mounts, StateHome, StepWords,
};
pub use rejection::Rejection;
pub use secret::Secret;
pub use students::{NameProblem, StudentName};
pub use users::{AccountError, UserDirectory};
