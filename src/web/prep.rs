//! Settings → Interview prep: the resume text and LinkedIn summary the AI interview
//! preparation will read, kept with the account.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json, Router};

use crate::db::prep::{self, InterviewPrep};
use crate::domain::prep::{PrepDraft, PrepWrite, LINKEDIN_SUMMARY_MAX, RESUME_TEXT_MAX};
use crate::domain::FieldErrors;
use crate::services::prep as prep_service;
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::extract::ApiJson;
use crate::web::pages::{Chrome, NoticeQuery};
use crate::web::respond::redirect;
use crate::web::respond::render;
use crate::web::session::SignedIn;

#[derive(Template)]
#[template(path = "settings/prep.html")]
struct PrepPage {
    chrome: Chrome,
    resume_text: String,
    linkedin_summary: String,
    errors: FieldErrors,
    resume_max: usize,
    summary_max: usize,
}

pub fn html_routes() -> Router<AppState> {
    Router::new().route("/settings/interview-prep", get(show).post(update))
}

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/interview-prep", get(get_api).patch(patch_api))
}

fn page(
    state: &AppState,
    me: &SignedIn,
    texts: (String, String),
    errors: FieldErrors,
    notice: NoticeQuery,
) -> AppResult<Response> {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = PrepPage {
        chrome: Chrome::new(state, &me.visitor, "Interview prep", "settings/prep").with_notice(notice.notice()),
        resume_text: texts.0,
        linkedin_summary: texts.1,
        errors,
        resume_max: RESUME_TEXT_MAX,
        summary_max: LINKEDIN_SUMMARY_MAX,
    };
    Ok((status, render(&page)?).into_response())
}

async fn show(State(state): State<AppState>, me: SignedIn, Query(notice): Query<NoticeQuery>) -> AppResult<Response> {
    let current = prep::get(state.db.pool(), &me.user.id).await?;
    page(&state, &me, (current.resume_text, current.linkedin_summary), FieldErrors::new(), notice)
}

async fn update(State(state): State<AppState>, me: SignedIn, Form(draft): Form<PrepDraft>) -> AppResult<Response> {
    match prep_service::save(&state, &me.user.id, &draft).await {
        Ok(_) => Ok(redirect("/settings/interview-prep?notice=saved")),
        Err(ServiceError::Invalid(errors)) => {
            let typed = (draft.resume_text.unwrap_or_default(), draft.linkedin_summary.unwrap_or_default());
            page(&state, &me, typed, errors, NoticeQuery::default())
        }
        Err(err) => Err(err.into()),
    }
}

async fn get_api(State(state): State<AppState>, me: SignedIn) -> AppResult<Json<InterviewPrep>> {
    Ok(Json(prep::get(state.db.pool(), &me.user.id).await?))
}

async fn patch_api(
    State(state): State<AppState>,
    me: SignedIn,
    ApiJson(write): ApiJson<PrepWrite>,
) -> AppResult<Json<InterviewPrep>> {
    Ok(Json(prep_service::save(&state, &me.user.id, &write.into()).await?))
}
