//! Extractors: how a handler reads what a request carries, answering our own error shape when
//! it cannot.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;

use crate::web::error::AppError;

/// A JSON request body: a JSON object. Unlike axum's own extractor, a body we cannot read
/// answers with our error shape and a message naming the problem (`invalid_json`), never a bare
/// status; and a body that is not an object (`[]`, which serde would read as a struct with every
/// field left out) is refused, as the OpenAPI document says.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(AppError::InvalidJson("Send the body as JSON with `Content-Type: application/json`.".into()));
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge("The request body is larger than this server accepts.".into())
            } else {
                AppError::BadRequest(rejection.body_text())
            }
        })?;
        let starts_an_object = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        match Json::<T>::from_bytes(&bytes) {
            Ok(Json(value)) if starts_an_object => Ok(ApiJson(value)),
            Ok(_) => Err(AppError::InvalidJson("The body must be a JSON object.".into())),
            Err(JsonRejection::JsonDataError(err)) if starts_an_object => Err(AppError::InvalidJson(err.body_text())),
            Err(JsonRejection::JsonDataError(_)) => {
                Err(AppError::InvalidJson("The body must be a JSON object.".into()))
            }
            Err(JsonRejection::JsonSyntaxError(err)) => Err(AppError::InvalidJson(err.body_text())),
            Err(other) => Err(AppError::InvalidJson(other.body_text())),
        }
    }
}

/// `application/json`, or a `+json` type, as axum's own extractor accepts.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// A switch sent by a form as `on` or `off`; anything else is the field's mistake.
pub fn switch(field: &str, value: &str) -> Result<bool, crate::web::error::AppError> {
    match value {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => {
            Err(crate::web::error::AppError::Validation(crate::domain::FieldErrors::single(field, "Choose on or off.")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types() {
        let headers = |value: &'static str| {
            let mut map = HeaderMap::new();
            map.insert(CONTENT_TYPE, value.parse().unwrap());
            map
        };
        assert!(is_json(&headers("application/json")));
        assert!(is_json(&headers("Application/JSON; charset=utf-8")));
        assert!(is_json(&headers("application/merge-patch+json")));
        assert!(!is_json(&headers("text/plain")));
        assert!(!is_json(&headers("application/jsonx")));
        assert!(!is_json(&HeaderMap::new()));
    }
}
