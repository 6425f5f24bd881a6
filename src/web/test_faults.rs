//! Routes that fail on purpose, for the tests of error reports (promise 17) and of how a panic
//! is answered. Mounted only with the hidden `--enable-test-fault-routes`, which the server
//! refuses unless it listens on a loopback address: no real instance has them.
//!
//! Each one names the `email` field it was sent (a form's or a JSON object's) in its message, and
//! the internal error its query string too, as a careless error message might, so that the tests
//! show that neither reaches a report.

use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::response::Response;
use axum::routing::any;
use axum::Router;

use crate::state::AppState;
use crate::web::error::{AppError, AppResult};

/// `/test-faults/{label}/…`: under the pages, and nested under `/api/v1` for the API's answers.
/// The label only shows that a report names the route template, not the path as sent.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/test-faults/{label}/panic", any(panic_on_purpose))
        .route("/test-faults/{label}/internal-error", any(fail_on_purpose))
}

async fn panic_on_purpose(body: Bytes) -> Response {
    panic!("test fault: a panic on purpose while handling {}", email_field(&body));
}

async fn fail_on_purpose(RawQuery(query): RawQuery, body: Bytes) -> AppResult<Response> {
    let cause = anyhow::anyhow!(
        "the test fault's cause, naming {} while answering ?{}",
        email_field(&body),
        query.unwrap_or_default()
    );
    Err(AppError::Internal(cause.context("test fault: an internal error on purpose")))
}

/// The `email` field of a form or of a JSON object.
fn email_field(body: &[u8]) -> String {
    if let Ok(serde_json::Value::Object(object)) = serde_json::from_slice(body) {
        return object.get("email").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    }
    url::form_urlencoded::parse(body).find(|(name, _)| name == "email").map(|(_, v)| v.into_owned()).unwrap_or_default()
}
