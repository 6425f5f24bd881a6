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

/// What a write that the database refused means for the user: the one place where broken
/// database rules become messages. `conflict` names the field and message for a duplicate.
pub fn rejected_write(err: sqlx::Error, conflict: Option<(&'static str, String)>) -> ServiceError {
    use crate::db::Violation;
    match Violation::of(&err) {
        // What the record refers to (an achievement's experience, a note's subject) was deleted
        // a moment ago; a conditional insert that wrote nothing says so with `RowNotFound`.
        Some(Violation::ForeignKey | Violation::NothingWritten) => {
            ServiceError::field("form", "Something this refers to was just deleted. Check the form and save again.")
        }
        Some(Violation::Unique) => match conflict {
            Some((field, message)) => ServiceError::field(field, message),
            None => err.into(),
        },
        None => err.into(),
    }
}

/// A write whose other side disappeared meanwhile (a foreign key): not found.
pub fn gone_or(err: sqlx::Error) -> ServiceError {
    match crate::db::Violation::of(&err) {
        Some(crate::db::Violation::ForeignKey) => ServiceError::NotFound,
        _ => err.into(),
    }
}
