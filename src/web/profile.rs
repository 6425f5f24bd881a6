//! Profile settings: name, job title, region, a short bio, a photo (shown publicly only when the
//! user says so) and the username their public links will use.

use askama::Template;
use axum::extract::RawForm;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::db::profiles::{self, Profile};
use crate::domain::profile::{row_field, Language, ProfileDraft, ProfileLink, ProfileWrite, FLUENCY_SUGGESTIONS};
use crate::domain::FieldErrors;
use crate::domain::UserId;
use crate::services::profiles as profile_service;
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::ApiJson;
use crate::web::files::{human_size, image_problem, read_upload, MULTIPART_OVERHEAD};
use crate::web::pages::{Chrome, NoticeQuery};
use crate::web::respond::redirect;
use crate::web::respond::render;
use crate::web::session::SignedIn;

#[derive(Template)]
#[template(path = "settings/profile.html")]
struct ProfilePage {
    chrome: Chrome,
    draft: ProfileDraft,
    errors: FieldErrors,
    photo_url: Option<String>,
    photo_error: Option<String>,
    /// The saved username, for links to the public pages.
    public_username: Option<String>,
    max_upload: String,
    max_upload_bytes: usize,
    link_rows: Vec<Row<ProfileLink>>,
    language_rows: Vec<Row<Language>>,
    fluency_suggestions: &'static [&'static str],
}

/// One row of a repeated group in the form, with the errors of its fields.
struct Row<T> {
    index: usize,
    item: T,
    errors: FieldErrors,
}

impl<T> Row<T> {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }
}

/// The rows of one list (`profiles` or `languages`), each with its own fields' errors.
fn rows<T>(items: Vec<(usize, T)>, list: &str, fields: &[&str], errors: &FieldErrors) -> Vec<Row<T>> {
    items
        .into_iter()
        .map(|(index, item)| {
            let mut row_errors = FieldErrors::new();
            for field in fields {
                if let Some(message) = errors.get(&row_field(list, index, field)) {
                    row_errors.add(field, message);
                }
            }
            Row { index, item, errors: row_errors }
        })
        .collect()
}

pub fn html_routes(state: &AppState) -> Router<AppState> {
    let upload_limit = axum::extract::DefaultBodyLimit::max(state.config.uploads.max_bytes + MULTIPART_OVERHEAD);
    Router::new()
        .route("/settings/profile", get(show).post(update))
        .route("/settings/profile/photo", post(upload_photo).layer(upload_limit))
        .route("/settings/profile/photo/delete", post(delete_photo))
}

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/profile", get(get_api).patch(patch_api))
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    draft: Option<ProfileDraft>,
    errors: FieldErrors,
    photo_error: Option<String>,
    notice: NoticeQuery,
) -> AppResult<Response> {
    let profile = profiles::get(state.db.pool(), &me.user.id).await?;
    let max = state.config.uploads.max_bytes;
    let draft = draft.unwrap_or_else(|| profile_service::draft_of(&profile));
    let page = ProfilePage {
        chrome: Chrome::new(state, &me.visitor, "Profile", "settings/profile").with_notice(notice.notice()),
        link_rows: rows(draft.link_rows(), "profiles", &["network", "username", "url"], &errors),
        language_rows: rows(draft.language_rows(), "languages", &["language", "fluency"], &errors),
        fluency_suggestions: FLUENCY_SUGGESTIONS,
        draft,
        errors,
        photo_url: profile.photo_url(),
        photo_error,
        public_username: profile.username.clone(),
        max_upload: human_size(max),
        max_upload_bytes: max,
    };
    Ok((status, render(&page)?).into_response())
}

async fn show(State(state): State<AppState>, me: SignedIn, Query(notice): Query<NoticeQuery>) -> AppResult<Response> {
    page(&state, &me, StatusCode::OK, None, FieldErrors::new(), None, notice).await
}

/// Save the form; what the user must fix comes back for the form.
async fn save(state: &AppState, user_id: &UserId, draft: &ProfileDraft) -> AppResult<Result<(), FieldErrors>> {
    match profile_service::save(state, user_id, draft).await {
        Ok(()) => Ok(Ok(())),
        Err(ServiceError::Invalid(errors)) => Ok(Err(errors)),
        Err(err) => Err(err.into()),
    }
}

async fn update(State(state): State<AppState>, me: SignedIn, RawForm(body): RawForm) -> AppResult<Response> {
    // The plain fields read as a struct; the repeated rows (links, languages) by their numbers.
    let mut draft: ProfileDraft =
        serde_urlencoded::from_bytes(&body).map_err(|e| AppError::BadRequest(format!("unreadable form: {e}")))?;
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&body).map_err(|e| AppError::BadRequest(format!("unreadable form: {e}")))?;
    draft.read_rows(&pairs);
    match save(&state, &me.user.id, &draft).await? {
        Ok(()) => Ok(redirect("/settings/profile?notice=profile_saved")),
        Err(errors) => {
            page(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, Some(draft), errors, None, NoticeQuery::default()).await
        }
    }
}

async fn upload_photo(State(state): State<AppState>, me: SignedIn, multipart: Multipart) -> AppResult<Response> {
    let failed = |status: StatusCode, message: String| {
        let state = state.clone();
        let me = &me;
        async move { page(&state, me, status, None, FieldErrors::new(), Some(message), NoticeQuery::default()).await }
    };
    let form = read_upload(&state, multipart, "photo").await?;
    let bytes = match form.file(state.config.uploads.max_bytes, "Choose a photo to upload.") {
        Ok(bytes) => bytes,
        Err((status, message)) => return failed(status, message).await,
    };
    if let Err(err) = profile_service::store_photo(&state, &me.user.id, &form.file_name, bytes).await? {
        let (status, message) = image_problem(err);
        return failed(status, message).await;
    }
    Ok(redirect("/settings/profile?notice=photo_saved"))
}

async fn delete_photo(State(state): State<AppState>, me: SignedIn) -> AppResult<Response> {
    profile_service::replace_photo(&state, &me.user.id, None).await?;
    Ok(redirect("/settings/profile?notice=photo_removed"))
}

// ---- API ----

async fn get_api(State(state): State<AppState>, me: SignedIn) -> AppResult<Json<Profile>> {
    Ok(Json(profiles::get(state.db.pool(), &me.user.id).await?))
}

async fn patch_api(
    State(state): State<AppState>,
    me: SignedIn,
    ApiJson(write): ApiJson<ProfileWrite>,
) -> AppResult<Json<Profile>> {
    Ok(Json(profile_service::patch(&state, &me.user.id, write).await?))
}
