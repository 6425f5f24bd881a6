//! Files attached to an opportunity (issue 19, item 4): uploaded from its page, listed there,
//! downloaded as attachments, deleted.
//!
//! Pages: `POST /opportunities/{id}/documents` (multipart: `file`, `kind`, `note`),
//! `GET /opportunities/{id}/documents/{document_id}` (the download),
//! `POST /opportunities/{id}/documents/{document_id}/delete`. API: `GET/POST
//! /api/v1/opportunities/{id}/documents`, `GET/DELETE …/documents/{document_id}`.

use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::db::uploads::{self, Document};
use crate::domain::offers::DocumentForm;
use crate::domain::FieldErrors;
use crate::services::documents::{self as service, NewDocument, DOCUMENT_TYPES};
use crate::services::records::kinds::Opportunities;
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::files::{read_upload_within, MULTIPART_OVERHEAD};
use crate::web::opportunities::OpportunityShow;
use crate::web::pages::Chrome;
use crate::web::records::{load_one, LabelForm, Resource};
use crate::web::respond::{redirect, render};
use crate::web::session::SignedIn;

/// Room for the largest document and the form's other fields.
fn upload_limit(state: &AppState) -> DefaultBodyLimit {
    DefaultBodyLimit::max(service::max_bytes(state) + MULTIPART_OVERHEAD)
}

pub fn html_routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/opportunities/{id}/documents", post(upload_html).layer(upload_limit(state)))
        .route("/opportunities/{id}/documents/{document_id}", get(download_html))
        .route("/opportunities/{id}/documents/{document_id}/delete", post(delete_html))
}

pub fn api_routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/opportunities/{id}/documents", get(list_api).post(upload_api).layer(upload_limit(state)))
        .route("/opportunities/{id}/documents/{document_id}", get(download_api).delete(delete_api))
}

/// Read the upload form and attach its file: the document, or the form as typed and what to fix.
async fn attach(
    state: &AppState,
    me: &SignedIn,
    id: &str,
    multipart: Multipart,
) -> AppResult<Result<Document, (DocumentForm, FieldErrors)>> {
    // The opportunity first: another user's (or none) is 404 before any of the body is read.
    load_one::<Opportunities>(state, &me.user.id, id).await?;
    let upload = read_upload_within(multipart, "file", service::max_bytes(state)).await?;
    let form = DocumentForm {
        kind: upload.text("kind").unwrap_or_default().to_owned(),
        note: upload.text("note").unwrap_or_default().to_owned(),
    };
    let new = NewDocument {
        opportunity_id: id,
        form: &form,
        file_name: &upload.file_name,
        bytes: upload.bytes.clone(),
        too_large: upload.too_large,
    };
    match service::attach(state, &me.user.id, new).await {
        Ok(document) => Ok(Ok(document)),
        Err(ServiceError::Invalid(errors)) => Ok(Err((form, errors))),
        Err(err) => Err(err.into()),
    }
}

async fn upload_html(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    multipart: Multipart,
) -> AppResult<Response> {
    match attach(&state, &me, &id, multipart).await? {
        Ok(_) => Ok(redirect(&format!("/opportunities/{id}?notice=document_added#documents"))),
        Err((form, errors)) => {
            // The opportunity's page again, the message beside the field and the kind and note kept.
            let row = load_one::<Opportunities>(&state, &me.user.id, &id).await?;
            let chrome = Chrome::new(&state, &me.visitor, Opportunities::title(&row), "opportunities");
            let mut page =
                OpportunityShow::load(&state, &me.user.id, chrome, row, LabelForm::default(), Default::default())
                    .await?;
            page.document_form = form;
            page.document_errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

async fn upload_api(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    multipart: Multipart,
) -> AppResult<Response> {
    match attach(&state, &me, &id, multipart).await? {
        Ok(document) => Ok((StatusCode::CREATED, Json(document)).into_response()),
        Err((_, errors)) => Err(AppError::Validation(errors)),
    }
}

/// The file as an attachment, under its safe name: never shown in the browser's window, never
/// sniffed into another type, never cached by anyone but the owner's browser.
fn attachment(document: &Document, bytes: bytes::Bytes, content_type: &str) -> AppResult<Response> {
    let header = |value: &str| HeaderValue::from_str(value).map_err(|e| AppError::Internal(e.into()));
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, header(content_type)?);
    headers.insert(CONTENT_DISPOSITION, header(&format!("attachment; filename=\"{}\"", document.file_name))?);
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    headers.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    Ok(response)
}

async fn download_html(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, document_id)): Path<(String, String)>,
) -> AppResult<Response> {
    let (document, bytes) = service::download(&state, &me.user.id, &id, &document_id).await?;
    // The type its content was found to be, when it is still one of ours.
    let known = DOCUMENT_TYPES.iter().any(|t| t.content_type == document.content_type);
    let content_type = if known { document.content_type.clone() } else { "application/octet-stream".to_owned() };
    attachment(&document, bytes, &content_type)
}

/// The API's download: always `application/octet-stream` (the listing says what it is).
async fn download_api(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, document_id)): Path<(String, String)>,
) -> AppResult<Response> {
    let (document, bytes) = service::download(&state, &me.user.id, &id, &document_id).await?;
    attachment(&document, bytes, "application/octet-stream")
}

async fn delete_html(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, document_id)): Path<(String, String)>,
) -> AppResult<Response> {
    service::delete(&state, &me.user.id, &id, &document_id).await?;
    Ok(redirect(&format!("/opportunities/{id}?notice=document_removed#documents")))
}

async fn list_api(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<Document>>> {
    let row = load_one::<Opportunities>(&state, &me.user.id, &id).await?;
    Ok(Json(uploads::documents_of(state.db.pool(), &me.user.id, &row.id).await?))
}

async fn delete_api(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, document_id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    service::delete(&state, &me.user.id, &id, &document_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
