//! Turns error responses into what the client reads: a styled page for people, a JSON body
//! `{ "error": { "code", "message", "fields"? } }` under `/api/`. Internal errors (and caught
//! panics) are logged here with their cause chain and request id, and reported to the
//! operator's Sentry when it is configured; the client sees an apology and the id.

use askama::Template;
use axum::extract::{MatchedPath, Request};
use axum::http::header::{CONTENT_TYPE, LOCATION, RETRY_AFTER, SET_COOKIE, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::integrations::error_reports::{self, Failure, FailureKind};
use crate::state::AppState;
use crate::web::error::ErrorReport;
use crate::web::pages::Chrome;
use crate::web::request_id::RequestId;
use crate::web::respond::render;
use crate::web::session::Visitor;

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage {
    chrome: Chrome,
    status: u16,
    heading: &'static str,
    message: String,
    request_id: Option<String>,
}

pub async fn render_errors(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let request_id = request.extensions().get::<RequestId>().map(|r| r.0.clone());
    let is_get = request.method() == Method::GET || request.method() == Method::HEAD;
    let path_and_query = request.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
    // What an error report may say of the request: its route template and method, nothing sent.
    let route = request.extensions().get::<MatchedPath>().cloned();
    let method = request.method().clone();

    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let report = match response.extensions().get::<ErrorReport>() {
        Some(report) => report.clone(),
        None if has_own_body(&response) => return response,
        None => ErrorReport::for_status(status),
    };
    if let Some(cause) = &report.internal {
        tracing::error!(request_id = request_id.as_deref().unwrap_or("-"), error = %cause, "internal error");
        error_reports::report(&Failure {
            kind: if cause.panic.is_some() { FailureKind::Panic } else { FailureKind::InternalError },
            route: route.as_ref().map(MatchedPath::as_str),
            method: method.as_str(),
            chain: &cause.chain,
            panic: cause.panic.as_ref().and_then(|panic| panic.record.as_ref()),
        });
    }
    let visitor = response.extensions().get::<Visitor>().cloned();
    let cookies: Vec<HeaderValue> = response.headers().get_all(SET_COOKIE).iter().cloned().collect();

    let mut rendered = if is_api {
        json_error(status, &report)
    } else if status == StatusCode::UNAUTHORIZED {
        let target = if is_get && path_and_query.starts_with('/') {
            format!(
                "/login?next={}",
                url::form_urlencoded::byte_serialize(path_and_query.as_bytes()).collect::<String>()
            )
        } else {
            "/login?notice=signin_required".to_owned()
        };
        (StatusCode::SEE_OTHER, [(LOCATION, target)]).into_response()
    } else {
        html_error(&state, visitor.as_ref(), status, &report, request_id)
    };
    let headers = rendered.headers_mut();
    for cookie in cookies {
        headers.append(SET_COOKIE, cookie);
    }
    if let Some(secs) = report.retry_after_secs {
        headers.insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    if is_api && status == StatusCode::UNAUTHORIZED {
        headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"careerlog\""));
    }
    rendered
}

/// A handler that rendered its own error page (a form with messages beside fields) keeps it.
fn has_own_body(response: &Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"))
}

fn json_error(status: StatusCode, report: &ErrorReport) -> Response {
    let mut error = serde_json::json!({ "code": report.code, "message": report.message });
    if let Some(fields) = &report.fields {
        error["fields"] = serde_json::to_value(fields).unwrap_or_default();
    }
    (status, Json(serde_json::json!({ "error": error }))).into_response()
}

fn html_error(
    state: &AppState,
    visitor: Option<&Visitor>,
    status: StatusCode,
    report: &ErrorReport,
    request_id: Option<String>,
) -> Response {
    let heading = match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::FORBIDDEN if report.code == "csrf_failed" => "This form could not be accepted",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::TOO_MANY_REQUESTS => "Slow down a little",
        StatusCode::PAYLOAD_TOO_LARGE => "That is too large",
        s if s.is_server_error() => "Something went wrong",
        _ => "That did not work",
    };
    let unknown = Visitor::unknown();
    let chrome = Chrome::new(state, visitor.unwrap_or(&unknown), heading, "");
    let page = ErrorPage {
        chrome,
        status: status.as_u16(),
        heading,
        message: report.message.clone(),
        request_id: status.is_server_error().then_some(request_id).flatten(),
    };
    match render(&page) {
        Ok(html) => (status, html).into_response(),
        Err(_) => (status, report.message.clone()).into_response(),
    }
}
