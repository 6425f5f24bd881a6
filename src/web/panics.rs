//! A request whose handling panics (in a handler, an extractor, or the session and CSRF layers
//! before it) is answered like any internal error: the 500 page, or the JSON error under
//! `/api/`, with the request id. Before this, the panic dropped the connection and the person saw
//! the browser's own error. The panic is logged and, with `--sentry-dsn`, reported where every
//! internal error is (`error_pages::render_errors`).

use std::panic::AssertUnwindSafe;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::FutureExt as _;

use crate::integrations::error_reports;
use crate::web::error::{ErrorReport, InternalCause};

pub async fn catch(request: Request, next: Next) -> Response {
    // Nothing of the request is used after a panic, so no broken state can be seen again.
    match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(payload) => {
            let message = error_reports::panic_message(payload.as_ref());
            let record = error_reports::take_panic(&message);
            let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            response.extensions_mut().insert(ErrorReport {
                internal: Some(InternalCause::of_panic(message, record)),
                ..ErrorReport::for_status(StatusCode::INTERNAL_SERVER_ERROR)
            });
            response
        }
    }
}
