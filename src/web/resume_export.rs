//! The resume as documents to take away, linked from the resume preview:
//! `GET /api/v1/resume.json` (JSON Resume), `/api/v1/resume.docx` (Word) and
//! `/api/v1/resume.pdf`, each of the records marked "on my resume", or only those carrying
//! `?label=…`.

use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::services::resume_export::{self, DocumentFormat, Selection};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::session::SignedIn;

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/resume.json", get(json_resume))
        .route("/resume.docx", get(docx_resume))
        .route("/resume.pdf", get(pdf_resume))
}

/// `?label=Backend`: only the records carrying that label (an empty value means none).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SelectionQuery {
    label: Option<String>,
}

impl SelectionQuery {
    fn selection(self) -> Selection {
        Selection { label: self.label.filter(|l| !l.trim().is_empty()) }
    }
}

fn attachment(content_type: &'static str, file_name: &'static str, body: Vec<u8>) -> Response {
    ([(CONTENT_TYPE, content_type), (CONTENT_DISPOSITION, file_name), (CACHE_CONTROL, "private, no-store")], body)
        .into_response()
}

async fn json_resume(
    State(state): State<AppState>,
    me: SignedIn,
    Query(query): Query<SelectionQuery>,
) -> AppResult<Response> {
    let document = resume_export::json_resume(&state, &me.user.id, &query.selection()).await?;
    let body = serde_json::to_vec_pretty(&document).map_err(|err| anyhow::anyhow!(err))?;
    Ok(attachment("application/json", "attachment; filename=\"resume.json\"", body))
}

async fn docx_resume(
    State(state): State<AppState>,
    me: SignedIn,
    Query(query): Query<SelectionQuery>,
) -> AppResult<Response> {
    let body = resume_export::document(&state, &me.user.id, &query.selection(), DocumentFormat::Docx).await?;
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "attachment; filename=\"resume.docx\"",
        body,
    ))
}

async fn pdf_resume(
    State(state): State<AppState>,
    me: SignedIn,
    Query(query): Query<SelectionQuery>,
) -> AppResult<Response> {
    let body = resume_export::document(&state, &me.user.id, &query.selection(), DocumentFormat::Pdf).await?;
    Ok(attachment("application/pdf", "attachment; filename=\"resume.pdf\"", body))
}
