//! Cross-site request forgery protection for every unsafe method (POST, PUT, PATCH, DELETE):
//! 1. the browser's own word: `Sec-Fetch-Site` must be same-origin, and `Origin`, when sent,
//!    must be this site;
//! 2. a synchronizer token: the `_csrf` form field or the `X-CSRF-Token` header must match the
//!    session's token (or, before sign-in, the token bound to the anonymous CSRF cookie).
//!
//! Upload forms (multipart) carry the token as their first field; the body, at most the upload
//! limit, is read here to find it and handed on unchanged. While it is read and until it is
//! answered, an upload holds memory for its body from a process-wide budget.
//!
//! Requests authenticated by an API token carry no cookie, so a forged request could not carry
//! the token either: they are exempt, as are API calls with no credentials (they answer 401).

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, ORIGIN};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::services::memory::MemoryBudget;
use crate::state::AppState;
use crate::web::error::{AppError, ErrorReport};
use crate::web::session::{cookie_value, AuthMethod, Visitor};

pub const FORM_FIELD: &str = "_csrf";
pub const HEADER: &str = "x-csrf-token";

/// Largest form body read here to find the token; larger bodies are refused with 413.
pub const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// Upload bodies in memory at once, process-wide. Each upload reserves twice its declared size
/// (at most twice the upload limit): the body as received, and the file the handler takes out
/// of it. Uploads past the budget wait their turn (within the request timeout).
pub static UPLOAD_BODIES: MemoryBudget = MemoryBudget::new(UPLOAD_BODY_BUDGET);
pub const UPLOAD_BODY_BUDGET: u64 = 64 * 1024 * 1024;

pub async fn protect(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE) {
        return next.run(request).await;
    }
    let Some(visitor) = request.extensions().get::<Visitor>().cloned() else {
        return AppError::Internal(anyhow::anyhow!("visitor middleware missing")).into_response();
    };
    if visitor.method() == AuthMethod::ApiToken {
        return next.run(request).await;
    }
    // An API call with no credentials at all carries nothing a forger could borrow: the API
    // answers it with 401 (every state-changing API route needs a user), not with a message
    // about forms.
    if visitor.user().is_none() && request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    if !same_origin(request.headers(), &state.base_url) {
        tracing::warn!("refused a cross-origin state-changing request");
        return AppError::Csrf.into_response();
    }

    let has_anon_cookie =
        cookie_value(request.headers(), crate::web::session::CookiePolicy::of(&state).csrf_name).is_some();
    let acceptable = visitor.acceptable_csrf_tokens(has_anon_cookie);

    let header_token = request.headers().get(HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut upload_memory = None;
    let (request, offered) = match header_token {
        Some(token) => (request, Some(token)),
        None if is_urlencoded_form(request.headers()) => {
            let (parts, body) = request.into_parts();
            let bytes = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
                Ok(bytes) => bytes,
                Err(_) => return too_large(),
            };
            let token = form_token(&bytes);
            (Request::from_parts(parts, Body::from(bytes)), token)
        }
        // Only signed-in people upload: nobody else gets a large body read before the check.
        None if is_multipart(request.headers()) && visitor.user().is_some() => {
            let limit = state.config.uploads.max_bytes + crate::web::files::MULTIPART_OVERHEAD;
            let declared = request
                .headers()
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<usize>().ok())
                .map_or(limit, |length| length.min(limit));
            upload_memory = match UPLOAD_BODIES.reserve(2 * declared as u64).await {
                Ok(reserved) => Some(reserved),
                Err(err) => return AppError::Internal(err.into()).into_response(),
            };
            let boundary = request
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| multer::parse_boundary(v).ok());
            let (parts, body) = request.into_parts();
            let bytes = match axum::body::to_bytes(body, limit).await {
                Ok(bytes) => bytes,
                Err(_) => return upload_too_large(state.config.uploads.max_bytes),
            };
            let token = match boundary {
                Some(boundary) => multipart_token(&bytes, boundary).await,
                None => None,
            };
            (Request::from_parts(parts, in_slices(bytes)), token)
        }
        None => (request, None),
    };

    let valid = offered.as_deref().filter(|offered| !offered.is_empty()).is_some_and(|offered| {
        acceptable.iter().any(|expected| bool::from(offered.as_bytes().ct_eq(expected.as_bytes())))
    });
    if !valid {
        return AppError::Csrf.into_response();
    }
    let response = next.run(request).await;
    drop(upload_memory);
    response
}

fn too_large() -> Response {
    let mut response = axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response();
    response.extensions_mut().insert(ErrorReport::for_status(axum::http::StatusCode::PAYLOAD_TOO_LARGE));
    response
}

fn upload_too_large(max_bytes: usize) -> Response {
    AppError::TooLarge(crate::web::files::too_large_message(max_bytes)).into_response()
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// The `_csrf` field of a multipart body, looked for among the fields before the first file,
/// which all lie within its first [`MULTIPART_OVERHEAD`] bytes: the parser copies no more.
///
/// [`MULTIPART_OVERHEAD`]: crate::web::files::MULTIPART_OVERHEAD
async fn multipart_token(body: &Bytes, boundary: String) -> Option<String> {
    let start = body.slice(..body.len().min(crate::web::files::MULTIPART_OVERHEAD));
    let stream = futures::stream::once(async move { Ok::<Bytes, std::convert::Infallible>(start) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.file_name().is_some() {
            return None;
        }
        if field.name() == Some(FORM_FIELD) {
            return field.text().await.ok();
        }
    }
    None
}

/// The body again, for the handler, as slices of the one buffer: the multipart parser then
/// copies a slice at a time into its buffer, not the whole body at once.
fn in_slices(bytes: Bytes) -> Body {
    const SLICE: usize = 64 * 1024;
    let length = bytes.len();
    let slices = (0..length)
        .step_by(SLICE)
        .map(move |at| Ok::<Bytes, std::convert::Infallible>(bytes.slice(at..(at + SLICE).min(length))));
    Body::from_stream(futures::stream::iter(slices))
}

fn is_urlencoded_form(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"))
}

fn form_token(body: &Bytes) -> Option<String> {
    url::form_urlencoded::parse(body).find(|(k, _)| k == FORM_FIELD).map(|(_, v)| v.into_owned())
}

/// Does the browser say this request comes from our own pages?
fn same_origin(headers: &HeaderMap, base_url: &url::Url) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if !matches!(site, "same-origin" | "none") {
            return false;
        }
    }
    let Some(origin) = headers.get(ORIGIN) else { return true };
    let Ok(origin) = origin.to_str() else { return false };
    if origin == base_url.origin().ascii_serialization() {
        return true;
    }
    // The site may be reached by another name (localhost vs 127.0.0.1): the browser sets both
    // Origin and Host, so a match between them is as good as a match with the base URL.
    let Ok(parsed) = url::Url::parse(origin) else { return false };
    let origin_authority = match (parsed.host_str(), parsed.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => return false,
    };
    headers.get(HOST).and_then(|h| h.to_str().ok()).is_some_and(|host| host.eq_ignore_ascii_case(&origin_authority))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn origin_rules() {
        let base = url::Url::parse("https://careerlog.example").unwrap();
        assert!(same_origin(&headers(&[]), &base));
        assert!(same_origin(&headers(&[("origin", "https://careerlog.example")]), &base));
        assert!(!same_origin(&headers(&[("origin", "https://evil.example")]), &base));
        assert!(!same_origin(&headers(&[("origin", "null")]), &base));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")]), &base));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")]), &base));
        assert!(same_origin(&headers(&[("origin", "http://localhost:8080"), ("host", "localhost:8080")]), &base));
    }
}
