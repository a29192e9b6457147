//! The two ways a backend can fail, as opposed to answering.

/// A backend that cannot answer. Handlers map `Unavailable` to a 503 and `Internal` to an opaque
/// 500 that is logged in full.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// A dependency (Redis) did not answer in time or refused the connection. Retrying later may
    /// work; nothing is wrong with the request.
    #[error("{what} is unavailable: {detail}")]
    Unavailable { what: &'static str, detail: String },
    /// A bug or an impossible state.
    #[error(transparent)]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl BackendError {
    pub fn unavailable(what: &'static str, detail: impl ToString) -> Self {
        BackendError::Unavailable {
            what,
            detail: detail.to_string(),
        }
    }

    pub fn internal(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        BackendError::Internal(err.into())
    }
}
