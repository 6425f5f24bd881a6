//! Profile settings: name, job title, region, a short bio, a photo (shown publicly only when the
//! user says so) and the username their public links will use.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::db::profiles::{self, Profile, ProfileInput};
use crate::db::{is_unique_violation, uploads};
use crate::domain::fields::{self, checkbox, nullable_text, set};
use crate::domain::FieldErrors;
use crate::services::images::ImagePurpose;
use crate::services::uploads::{remove_files_soon, store_image, NewImage};
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::ApiJson;
use crate::web::files::{human_size, image_problem, read_upload, MULTIPART_OVERHEAD};
use crate::web::pages::{render, Chrome, NoticeQuery};
use crate::web::redirect;
use crate::web::session::SignedIn;

pub const BIO_MAX: usize = 1000;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProfileDraft {
    pub username: String,
    pub display_name: String,
    pub job_title: String,
    pub region: String,
    pub bio: String,
    #[serde(deserialize_with = "checkbox")]
    pub photo_public: bool,
    #[serde(deserialize_with = "checkbox")]
    pub resume_public: bool,
    #[serde(deserialize_with = "checkbox")]
    pub journal_public: bool,
    #[serde(deserialize_with = "checkbox")]
    pub allow_indexing: bool,
}

/// The profile as the API takes it; only the fields sent change, `null` clears.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileWrite {
    #[serde(default, deserialize_with = "nullable_text")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    pub job_title: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    pub region: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    pub bio: Option<String>,
    pub photo_public: Option<bool>,
    /// Publish your resume at `/u/{username}` (needs a username).
    pub resume_public: Option<bool>,
    /// Publish your public journal entries at `/u/{username}/journal` (needs a username).
    pub journal_public: Option<bool>,
    /// Let search engines and AI agents index your public pages.
    pub allow_indexing: Option<bool>,
}

impl ProfileDraft {
    fn of(profile: &Profile) -> Self {
        ProfileDraft {
            username: profile.username.clone().unwrap_or_default(),
            display_name: profile.display_name.clone(),
            job_title: profile.job_title.clone(),
            region: profile.region.clone(),
            bio: profile.bio.clone(),
            photo_public: profile.photo_public.get(),
            resume_public: profile.resume_public.get(),
            journal_public: profile.journal_public.get(),
            allow_indexing: profile.allow_indexing.get(),
        }
    }

    fn apply(&mut self, write: ProfileWrite) {
        set(&mut self.username, write.username);
        set(&mut self.display_name, write.display_name);
        set(&mut self.job_title, write.job_title);
        set(&mut self.region, write.region);
        set(&mut self.bio, write.bio);
        set(&mut self.photo_public, write.photo_public);
        set(&mut self.resume_public, write.resume_public);
        set(&mut self.journal_public, write.journal_public);
        set(&mut self.allow_indexing, write.allow_indexing);
    }

    fn validate(&self) -> Result<ProfileInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let username =
            if self.username.trim().is_empty() { None } else { e.check("username", fields::username(&self.username)) };
        let display_name = e.check("display_name", fields::line(&self.display_name, 100));
        let job_title = e.check("job_title", fields::line(&self.job_title, 150));
        let region = e.check("region", fields::line(&self.region, 100));
        let bio = e.check("bio", fields::text(&self.bio, BIO_MAX));
        if username.is_none() && e.get("username").is_none() && (self.resume_public || self.journal_public) {
            e.add("username", "Choose a username first: your public pages live at /u/<username>.");
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ProfileInput {
            username,
            display_name: display_name.unwrap_or_default(),
            job_title: job_title.unwrap_or_default(),
            region: region.unwrap_or_default(),
            bio: bio.unwrap_or_default(),
            photo_public: self.photo_public,
            resume_public: self.resume_public,
            journal_public: self.journal_public,
            allow_indexing: self.allow_indexing,
        })
    }
}

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
    let page = ProfilePage {
        chrome: Chrome::new(state, &me.visitor, "Profile", "settings/profile").with_notice(notice.notice()),
        draft: draft.unwrap_or_else(|| ProfileDraft::of(&profile)),
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

async fn save(state: &AppState, user_id: &str, draft: &ProfileDraft) -> AppResult<Result<(), FieldErrors>> {
    let input = match draft.validate() {
        Ok(input) => input,
        Err(errors) => return Ok(Err(errors)),
    };
    let mut tx = state.db.begin_write().await?;
    match profiles::save(&mut tx, user_id, &input, state.clock.now()).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Ok(()))
        }
        Err(err) if is_unique_violation(&err) => {
            Ok(Err(FieldErrors::single("username", "This username is taken. Choose another one.")))
        }
        Err(err) => Err(err.into()),
    }
}

async fn update(State(state): State<AppState>, me: SignedIn, Form(draft): Form<ProfileDraft>) -> AppResult<Response> {
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
    let new = NewImage {
        user_id: &me.user.id,
        purpose: ImagePurpose::ProfilePhoto,
        journal_entry_id: None,
        original_name: &form.file_name,
        alt_text: String::new(),
    };
    let upload = match store_image(&state, new, bytes).await? {
        Ok(upload) => upload,
        Err(err) => {
            let (status, message) = image_problem(err);
            return failed(status, message).await;
        }
    };
    replace_photo(&state, &me.user.id, Some(&upload.id)).await?;
    Ok(redirect("/settings/profile?notice=photo_saved"))
}

/// Point the profile at `upload_id` (or none) and let the previous photo go.
async fn replace_photo(state: &AppState, user_id: &str, upload_id: Option<&str>) -> AppResult<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let previous = profiles::set_photo(&mut tx, user_id, upload_id, now).await?;
    let mut queued = Vec::new();
    if let Some(previous) = previous.filter(|p| Some(p.as_str()) != upload_id) {
        queued.extend(uploads::delete_one(&mut tx, user_id, &previous, now).await?);
    }
    tx.commit().await?;
    remove_files_soon(state, queued);
    Ok(())
}

async fn delete_photo(State(state): State<AppState>, me: SignedIn) -> AppResult<Response> {
    replace_photo(&state, &me.user.id, None).await?;
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
    let mut draft = ProfileDraft::of(&profiles::get(state.db.pool(), &me.user.id).await?);
    draft.apply(write);
    save(&state, &me.user.id, &draft).await?.map_err(AppError::Validation)?;
    Ok(Json(profiles::get(state.db.pool(), &me.user.id).await?))
}
