//! Extractors: how a handler reads what a request carries, answering our own error shape when
//! it cannot.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::Json;

use crate::web::error::AppError;

/// A JSON request body. Unlike axum's own extractor, a body we cannot read answers with our
/// error shape and a message naming the problem (`invalid_json`), never a bare status.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(AppError::InvalidJson("Send the body as JSON with `Content-Type: application/json`.".into()))
            }
            Err(JsonRejection::JsonDataError(err)) => Err(AppError::InvalidJson(err.body_text())),
            Err(JsonRejection::JsonSyntaxError(err)) => Err(AppError::InvalidJson(err.body_text())),
            Err(JsonRejection::BytesRejection(_)) => {
                Err(AppError::TooLarge("The request body is larger than this server accepts.".into()))
            }
            Err(other) => Err(AppError::InvalidJson(other.body_text())),
        }
    }
}
