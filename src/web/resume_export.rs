//! The resume as documents to take away: `GET /api/v1/resume.json` (JSON Resume), linked from
//! the resume preview.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::services::resume_export;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::session::SignedIn;

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/resume.json", get(json_resume))
}

async fn json_resume(State(state): State<AppState>, me: SignedIn) -> AppResult<Response> {
    let document = resume_export::json_resume(&state, &me.user.id).await?;
    let body = serde_json::to_vec_pretty(&document).map_err(|err| anyhow::anyhow!(err))?;
    Ok((
        [
            (CONTENT_TYPE, "application/json"),
            (CONTENT_DISPOSITION, "attachment; filename=\"resume.json\""),
            (CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response())
}
