//! One error type for the web layer. A handler returns `AppError`; the response it makes carries
//! an `ErrorReport`, which the HTML or API error layer (see `web::error_pages`) turns into a styled page
//! or a JSON body. Internal causes are logged there with the request id and never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::domain::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("sign-in required")]
    Unauthorized,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("cross-site request refused")]
    Csrf,
    #[error("invalid input")]
    Validation(FieldErrors),
    #[error("bad request: {0}")]
    BadRequest(String),
    /// What was asked cannot be done, for a reason with a code of its own (a job posting's page
    /// that cannot be read: `unreachable`, `address_refused`…): 422, the message also beside
    /// `field`.
    #[error("unprocessable ({code}): {message}")]
    Unprocessable { code: &'static str, message: String, field: &'static str },
    /// A JSON body that could not be read: its syntax, a field's type, an unknown field.
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    /// An upload over the size limit.
    #[error("too large: {0}")]
    TooLarge(String),
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64, message: String },
    /// A feature this instance has not set up (AI without a provider): 503 `not_configured`.
    #[error("not configured: {0}")]
    NotConfigured(String),
    /// A service we depend on failed (the AI provider): 502 `upstream_failed`.
    #[error("upstream failed: {0}")]
    Upstream(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<crate::services::ServiceError> for AppError {
    fn from(err: crate::services::ServiceError) -> Self {
        use crate::services::ServiceError;
        match err {
            ServiceError::NotFound => AppError::NotFound,
            ServiceError::Invalid(fields) => AppError::Validation(fields),
            ServiceError::RateLimited { retry_after_secs, message } => {
                AppError::RateLimited { retry_after_secs, message }
            }
            ServiceError::Internal(err) => AppError::Internal(err),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        AppError::Internal(anyhow::Error::new(err).context("database"))
    }
}

/// What went wrong, in words fit for the client, attached to an error response.
#[derive(Debug, Clone)]
pub struct ErrorReport {
    /// Stable machine-readable code for the API (`not_found`, `validation_failed`, …).
    pub code: &'static str,
    pub message: String,
    pub fields: Option<FieldErrors>,
    pub retry_after_secs: Option<u64>,
    /// What went wrong on our side: logged and reported, never sent to the client.
    pub internal: Option<InternalCause>,
}

/// The cause of an internal error (500): logged with the request id and, with `--sentry-dsn`,
/// reported to the operator's Sentry (scrubbed of personal data), never shown to the client.
#[derive(Debug, Clone)]
pub struct InternalCause {
    /// The error chain, outermost first (what `{:#}` joins with ": "); a panic's message.
    pub chain: Vec<String>,
    /// Set when a panic was caught rather than an error returned.
    pub panic: Option<CaughtPanic>,
}

#[derive(Debug, Clone)]
pub struct CaughtPanic {
    /// Where it happened, when the panic hook saw it (only while error reports are on).
    pub record: Option<crate::integrations::error_reports::PanicRecord>,
}

impl InternalCause {
    pub fn of_error(err: &anyhow::Error) -> Self {
        Self { chain: err.chain().map(|cause| cause.to_string()).collect(), panic: None }
    }

    pub fn of_panic(message: String, record: Option<crate::integrations::error_reports::PanicRecord>) -> Self {
        Self { chain: vec![message], panic: Some(CaughtPanic { record }) }
    }
}

/// As the log shows it: the chain joined as `{:#}` joins it.
impl std::fmt::Display for InternalCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.panic {
            Some(panic) => {
                write!(f, "panic: {}", self.chain.join(": "))?;
                match panic.record.as_ref().and_then(|r| r.location.as_deref()) {
                    Some(location) => write!(f, " (at {location})"),
                    None => Ok(()),
                }
            }
            None => f.write_str(&self.chain.join(": ")),
        }
    }
}

impl ErrorReport {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), fields: None, retry_after_secs: None, internal: None }
    }

    /// The report for a bare status code that no handler explained (axum's own rejections,
    /// the router's 404 and 405, body-limit 413s).
    pub fn for_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::new("not_found", "There is nothing at this address."),
            StatusCode::METHOD_NOT_ALLOWED => {
                Self::new("method_not_allowed", "This address does not accept that method.")
            }
            StatusCode::PAYLOAD_TOO_LARGE => {
                Self::new("payload_too_large", "What you sent is larger than this server accepts.")
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                Self::new("unsupported_media_type", "The request body is not in a format this address accepts.")
            }
            StatusCode::UNPROCESSABLE_ENTITY => Self::new("invalid_body", "The request body could not be read."),
            StatusCode::BAD_REQUEST => Self::new("bad_request", "The request could not be understood."),
            StatusCode::UNAUTHORIZED => Self::new("unauthorized", "Sign in to continue."),
            StatusCode::FORBIDDEN => Self::new("forbidden", "You may not do that."),
            StatusCode::TOO_MANY_REQUESTS => {
                Self::new("rate_limited", "Too many requests. Wait a little and try again.")
            }
            StatusCode::REQUEST_TIMEOUT | StatusCode::GATEWAY_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => {
                Self::new("unavailable", "The server is busy. Try again in a moment.")
            }
            s if s.is_server_error() => Self::new("internal_error", "Something went wrong on our side."),
            _ => Self::new("error", status.canonical_reason().unwrap_or("Error")),
        }
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Validation(_) | AppError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) | AppError::InvalidJson(_) => StatusCode::BAD_REQUEST,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::NotConfigured(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Upstream(_) => StatusCode::BAD_GATEWAY,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn report(self) -> ErrorReport {
        match self {
            AppError::NotFound => ErrorReport::for_status(StatusCode::NOT_FOUND),
            AppError::Unauthorized => ErrorReport::for_status(StatusCode::UNAUTHORIZED),
            AppError::Forbidden(message) => ErrorReport::new("forbidden", message),
            AppError::Csrf => ErrorReport::new(
                "csrf_failed",
                "This form was sent from another site or has expired. Go back, reload the page and try again.",
            ),
            AppError::Validation(fields) => ErrorReport {
                fields: Some(fields),
                ..ErrorReport::new("validation_failed", "Some fields need attention.")
            },
            AppError::BadRequest(message) => ErrorReport::new("bad_request", message),
            AppError::Unprocessable { code, message, field } => ErrorReport {
                fields: Some(FieldErrors::single(field, message.clone())),
                ..ErrorReport::new(code, message)
            },
            AppError::InvalidJson(message) => ErrorReport::new("invalid_json", message),
            AppError::TooLarge(message) => ErrorReport::new("payload_too_large", message),
            AppError::RateLimited { retry_after_secs, message } => {
                ErrorReport { retry_after_secs: Some(retry_after_secs), ..ErrorReport::new("rate_limited", message) }
            }
            AppError::NotConfigured(message) => ErrorReport::new("not_configured", message),
            AppError::Upstream(message) => ErrorReport::new("upstream_failed", message),
            AppError::Internal(err) => ErrorReport {
                internal: Some(InternalCause::of_error(&err)),
                ..ErrorReport::for_status(StatusCode::INTERNAL_SERVER_ERROR)
            },
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = status.into_response();
        response.extensions_mut().insert(self.report());
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
