//! Your data: the full export (Settings → Your data, `GET /api/v1/export`) and deleting the
//! account (Settings → Account, danger zone).

use askama::Template;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, SET_COOKIE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use crate::db::data_exports::{self, DataExport};
use crate::services::account_deletion::{self, Proof};
use crate::services::{user_data, ServiceError};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::pages::{Chrome, Notice, NoticeQuery};
use crate::web::respond::{redirect, render};
use crate::web::session::{end_session, SignedIn};

pub fn html_routes() -> Router<AppState> {
    Router::new()
        .route("/settings/data", get(page))
        .route("/settings/data/exports", post(start_export))
        .route("/settings/data/exports/{id}", get(download))
        .route("/settings/delete-account", post(delete_account))
}

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/export", get(api_export))
}

/// The file name a download is saved as.
fn file_name(state: &AppState) -> String {
    format!("careerlog-export-{}.zip", state.clock.now().iso_date())
}

/// `GET /api/v1/export`: the ZIP, streamed as it is written.
async fn api_export(State(state): State<AppState>, me: SignedIn) -> AppResult<Response> {
    let chunks = user_data::stream_zip(&state, &me.user.id).await?;
    let stream = futures::stream::unfold(chunks, |mut chunks| async move { chunks.recv().await.map(|c| (c, chunks)) });
    let disposition = format!("attachment; filename=\"{}\"", file_name(&state));
    Ok((
        [
            (CONTENT_TYPE, "application/zip".to_owned()),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "settings/data.html")]
struct DataPage {
    chrome: Chrome,
    exports: Vec<ExportView>,
    /// An export is being built: the page refreshes itself.
    building: bool,
}

struct ExportView {
    id: String,
    state: String,
    progress: i64,
    made: String,
    until: String,
    size: String,
}

impl ExportView {
    fn of(export: DataExport) -> Self {
        let size = match export.byte_size {
            n if n >= 1024 * 1024 => format!("{:.1} MB", n as f64 / (1024.0 * 1024.0)),
            n if n >= 1024 => format!("{} KB", n / 1024),
            n => format!("{n} bytes"),
        };
        ExportView {
            id: export.id,
            state: export.state,
            progress: export.progress,
            made: export.created_at.human(),
            until: export.expires_at.human(),
            size,
        }
    }
}

async fn page(State(state): State<AppState>, me: SignedIn, Query(notice): Query<NoticeQuery>) -> AppResult<Response> {
    let now = state.clock.now();
    let exports: Vec<ExportView> =
        data_exports::list_for_user(state.db.pool(), &me.user.id, now).await?.into_iter().map(ExportView::of).collect();
    let building = exports.iter().any(|e| e.state == data_exports::BUILDING);
    // The page refreshes itself at the same address while the export is built: the notice
    // follows what happened meanwhile.
    let notice = match (notice.notice.as_deref(), building, exports.first().map(|e| e.state.as_str())) {
        (Some("export_started"), true, _) => {
            Some(Notice::info("Your export is being prepared. This page shows when it is ready."))
        }
        (Some("export_started"), false, Some(data_exports::READY)) => {
            Some(Notice::success("Your export is ready to download."))
        }
        (Some("export_started"), false, _) => None,
        _ => notice.notice(),
    };
    let page = DataPage {
        chrome: Chrome::new(&state, &me.visitor, "Your data", "settings/data").with_notice(notice),
        building,
        exports,
    };
    Ok(render(&page)?.into_response())
}

async fn start_export(State(state): State<AppState>, me: SignedIn) -> AppResult<Response> {
    user_data::start_export(&state, &me.user.id).await?;
    Ok(redirect("/settings/data?notice=export_started"))
}

async fn download(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<Response> {
    let bytes = user_data::download(&state, &me.user.id, &id).await?;
    let disposition = format!("attachment; filename=\"{}\"", file_name(&state));
    Ok((
        [
            (CONTENT_TYPE, "application/zip".to_owned()),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    password: String,
}

/// Delete the account (Settings → Account): the password, or for an account without one a
/// recent sign-in. A mistake comes back beside the field with 422, and nothing is deleted.
async fn delete_account(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    let proof = if me.user.password_hash.is_some() {
        Proof::Password(&form.password)
    } else {
        Proof::SignedInAt(me.visitor.session_started_at())
    };
    let errors = match account_deletion::delete_own_account(&state, &me.user, proof).await {
        Ok(Ok(_)) => {
            // The session row went with the account; this takes the cookie away too.
            let cookie = end_session(&state, &me.visitor).await?;
            let mut response = redirect("/?notice=account_deleted");
            response.headers_mut().append(SET_COOKIE, cookie);
            return Ok(response);
        }
        Ok(Err(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(ServiceError::RateLimited { message, .. }) => {
            (StatusCode::TOO_MANY_REQUESTS, crate::domain::FieldErrors::single("password", message))
        }
        Err(err) => return Err(err.into()),
    };
    crate::web::settings::account_page(&state, &me, errors.0, errors.1, NoticeQuery::default(), false).await
}
