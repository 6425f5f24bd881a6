//! Responders: how a handler answers once its work is done.

use askama::Template;
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::web::error::{AppError, AppResult};

/// Render a template, or fail with an internal error (a template bug, never the user's fault).
pub fn render<T: Template>(template: &T) -> AppResult<Html<String>> {
    template.render().map(Html).map_err(|e| AppError::Internal(anyhow::anyhow!("template rendering failed: {e}")))
}

/// 303 See Other: where a form sends the browser after it has done its work.
pub fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response()
}
