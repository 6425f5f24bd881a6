//! What a use case answers when it cannot do what was asked. The web layer maps each variant to
//! an HTTP status; the CLI and background jobs print or log them.

use crate::domain::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The record does not exist, or is not the user's (the two are never told apart).
    #[error("not found")]
    NotFound,
    /// What the user must fix, field by field.
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64, message: String },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ServiceError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ServiceError::Invalid(FieldErrors::single(field, message))
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(err: sqlx::Error) -> Self {
        ServiceError::Internal(anyhow::Error::new(err).context("database"))
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
