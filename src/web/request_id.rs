//! A fresh id for every request: in the logs, in the `X-Request-Id` response header, and on the
//! 500 page, so a user's report can be matched with the log line. Only the path is logged, never
//! the query string (it may hold a one-time link token), and not even the path of a calendar feed
//! (its secret is in the path).

use std::time::Instant;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = fresh();
    request.extensions_mut().insert(RequestId(id.clone()));
    let span = request_span(&id, request.method().as_str(), request.uri().path());
    let started = Instant::now();
    async move {
        let response = next.run(request).await;
        answered(&id, started, response)
    }
    .instrument(span)
    .await
}

/// A new request id: 32 hex digits.
pub fn fresh() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The span every log line of one request is written in.
pub fn request_span(id: &str, method: &str, path: &str) -> tracing::Span {
    tracing::info_span!("request", id = %id, method = %method, path = %loggable_path(path))
}

/// The request's closing log line (inside its span), and its id on the response.
pub fn answered(id: &str, started: Instant, mut response: Response) -> Response {
    let status = response.status().as_u16();
    let elapsed_ms = started.elapsed().as_millis() as u64;
    if response.status().is_server_error() {
        tracing::warn!(status, elapsed_ms, "answered");
    } else {
        tracing::info!(status, elapsed_ms, "answered");
    }
    response.headers_mut().insert("x-request-id", HeaderValue::from_str(id).expect("hex id"));
    response
}

/// The path as the log may show it: a calendar feed's address is its secret, so it is hidden.
fn loggable_path(path: &str) -> &str {
    // Any path that reaches the feed's route (`//calendar/…` included) is hidden.
    if path.contains("calendar/") && path != "/settings/calendar/off" {
        "/calendar/…"
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn a_calendar_feed_address_never_reaches_the_log() {
        assert_eq!(loggable_path("/calendar/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ.ics"), "/calendar/…");
        assert_eq!(loggable_path("//calendar/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ.ics"), "/calendar/…");
        assert_eq!(loggable_path("/settings/calendar"), "/settings/calendar");
        assert_eq!(loggable_path("/settings/calendar/off"), "/settings/calendar/off");
        assert_eq!(loggable_path("/u/ada"), "/u/ada");
    }
}
