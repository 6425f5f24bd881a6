//! `/metrics` (Prometheus' text format, behind `--metrics-token`), the middleware that counts
//! and times every request by its route template, and `/readyz`.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::state::AppState;
use crate::web::error::AppError;

/// Count and time the request under its route template (the path as routed, never as sent).
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let response = next.run(request).await;
    state.metrics.observe_request(
        method.as_str(),
        route.as_ref().map(MatchedPath::as_str),
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// The metrics, for `Authorization: Bearer <--metrics-token>`; 404 when no token is set, so an
/// instance that did not ask for metrics does not show it has them.
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let Some(token) = &state.config.metrics_token else { return Err(AppError::NotFound) };
    let given = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(crate::web::session::bearer_token);
    let matches = given.is_some_and(|given| {
        use subtle::ConstantTimeEq as _;
        bool::from(given.as_bytes().ct_eq(token.expose().as_bytes()))
    });
    if !matches {
        // JSON, as the API answers: a scraper is no browser to send to the sign-in page.
        let body = serde_json::json!({
            "error": { "code": "unauthorized", "message": "Send the metrics token as a bearer token." }
        });
        return Ok((StatusCode::UNAUTHORIZED, [(WWW_AUTHENTICATE, "Bearer")], Json(body)).into_response());
    }
    let mut body = state.metrics.render(state.db.pool_stats());
    body.push_str(&state.page_cache.render_metrics());
    // A database that does not answer leaves these out rather than the whole scrape.
    match crate::db::mail_outbox::depth(state.db.pool()).await {
        Ok(depth) => body.push_str(&crate::metrics::render_mail_outbox(depth.queued, depth.given_up)),
        Err(err) => tracing::warn!(error = %err, "metrics: the mail outbox could not be counted"),
    }
    Ok(([(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response())
}

/// Ready to serve: the database answers and has every migration this build knows.
pub async fn ready(State(state): State<AppState>) -> Response {
    match state.db.migrations_applied().await {
        Ok(true) => Json(serde_json::json!({ "status": "ready" })).into_response(),
        Ok(false) => (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "status": "migrations pending" })))
            .into_response(),
        Err(err) => {
            tracing::error!(error = %err, "readiness check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "status": "unavailable" }))).into_response()
        }
    }
}
