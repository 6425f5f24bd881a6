//! The work journal: entries in Markdown with a preview, images attached to an entry, and a
//! public switch per entry (off by default; the public pages use it).

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use serde::Deserialize;

use crate::db::journal::JournalEntry;
use crate::db::labels;
use crate::db::uploads::{self, ImageRef};
use crate::domain::career::JournalDraft;
use crate::domain::markdown;
use crate::domain::FieldErrors;
use crate::domain::UserId;
use crate::services::journal::{self as journal_service, ImageRefused};
use crate::services::records::kinds::Journal;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::files::{human_size, image_problem, read_upload};
use crate::web::pages::Chrome;
use crate::web::records::{load_one, FormView, LabelForm, ListView, Resource};
use crate::web::respond::render as html;
use crate::web::session::SignedIn;

#[derive(Template)]
#[template(path = "journal/list.html")]
pub struct JournalList {
    pub chrome: Chrome,
    pub view: ListView<JournalEntry>,
}

#[derive(Template)]
#[template(path = "journal/form.html")]
pub struct JournalForm {
    pub chrome: Chrome,
    pub view: FormView<JournalDraft>,
    /// The rendered Markdown, when the user asked for a preview.
    pub preview: Option<String>,
}

#[derive(Template)]
#[template(path = "journal/show.html")]
pub struct JournalShow {
    pub chrome: Chrome,
    pub row: JournalEntry,
    pub body_html: String,
    pub upload_error: Option<String>,
    pub alt_text: String,
    pub max_upload: String,
    pub max_upload_bytes: usize,
    pub images_left: i64,
    pub label_form: LabelForm,
    /// Where the entry was shared on Bluesky (the post's web address) and when, newest first.
    pub shared_on_bluesky: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "journal/preview.html")]
pub struct PreviewFragment {
    pub html: String,
}

#[async_trait::async_trait]
impl Resource for Journal {
    fn title(row: &JournalEntry) -> String {
        row.title.clone()
    }
    fn list_page(chrome: Chrome, view: ListView<JournalEntry>) -> AppResult<Html<String>> {
        html(&JournalList { chrome, view })
    }
    async fn form_page(
        _: &AppState,
        _: &UserId,
        chrome: Chrome,
        view: FormView<JournalDraft>,
    ) -> AppResult<Html<String>> {
        html(&JournalForm { chrome, view, preview: None })
    }
    async fn show_page(
        state: &AppState,
        user_id: &UserId,
        chrome: Chrome,
        row: JournalEntry,
        label_form: LabelForm,
    ) -> AppResult<Html<String>> {
        show(state, user_id, chrome, row, None, String::new(), label_form).await
    }
}

async fn show(
    state: &AppState,
    user_id: &UserId,
    chrome: Chrome,
    row: JournalEntry,
    upload_error: Option<String>,
    alt_text: String,
    label_form: LabelForm,
) -> AppResult<Html<String>> {
    let max = state.config.uploads.max_bytes;
    let images_left = uploads::IMAGES_PER_ENTRY_MAX - row.images.len() as i64;
    let shared_on_bluesky = crate::db::bluesky::posts_of_entry(state.db.pool(), user_id, &row.id)
        .await?
        .into_iter()
        .filter_map(|post| crate::domain::bluesky::post_web_url(&post.uri).map(|url| (url, post.created_at.human())))
        .collect();
    html(&JournalShow {
        shared_on_bluesky,
        chrome,
        body_html: markdown::to_safe_html(&row.body),
        row,
        upload_error,
        alt_text,
        max_upload: human_size(max),
        max_upload_bytes: max,
        images_left,
        label_form,
    })
}

/// Routes beyond the common ones: preview and images (pages and API).
pub fn html_routes(state: &AppState) -> Router<AppState> {
    let upload_limit =
        axum::extract::DefaultBodyLimit::max(state.config.uploads.max_bytes + crate::web::files::MULTIPART_OVERHEAD);
    Router::new()
        .route("/journal/preview", post(preview))
        .route("/journal/{id}/images", post(add_image_html).layer(upload_limit))
        .route("/journal/{id}/images/{image_id}/delete", post(delete_image_html))
}

pub fn api_routes(state: &AppState) -> Router<AppState> {
    let upload_limit =
        axum::extract::DefaultBodyLimit::max(state.config.uploads.max_bytes + crate::web::files::MULTIPART_OVERHEAD);
    Router::new()
        .route("/journal/images", post(add_draft_image_api).layer(upload_limit))
        .route("/journal/{id}/images", post(add_image_api).layer(upload_limit))
        .route("/journal/{id}/images/{image_id}", axum::routing::delete(delete_image_api))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PreviewQuery {
    /// The entry being edited, if any.
    id: Option<String>,
    /// Answer with the rendered Markdown only (for the editor's script).
    fragment: Option<String>,
}

/// The editor's Preview button: without JavaScript it posts the whole form here and gets the
/// form back with the preview; with it, the script asks for the fragment only.
async fn preview(
    State(state): State<AppState>,
    me: SignedIn,
    Query(query): Query<PreviewQuery>,
    Form(draft): Form<JournalDraft>,
) -> AppResult<Response> {
    let rendered = match crate::domain::fields::text(&draft.body, crate::domain::records::JOURNAL_BODY) {
        Ok(body) => markdown::to_safe_html(&body),
        Err(message) => format!(
            "<p class=\"field-error\">{}</p>",
            askama::filters::escape(&message, askama::filters::Html).map(|e| e.to_string()).unwrap_or_default()
        ),
    };
    if query.fragment.is_some() {
        return Ok(html(&PreviewFragment { html: rendered })?.into_response());
    }
    let id = match query.id.filter(|id| !id.is_empty()) {
        Some(id) => Some(load_one::<Journal>(&state, &me.user.id, &id).await?.id),
        None => None,
    };
    let title = if id.is_some() { "Edit journal entry" } else { "New journal entry" };
    let chrome = Chrome::new(&state, &me.visitor, title, "journal");
    let all_labels = labels::list_for_user(state.db.pool(), &me.user.id).await?;
    let view = FormView { draft, errors: FieldErrors::new(), id, all_labels };
    Ok(html(&JournalForm { chrome, view, preview: Some(rendered) })?.into_response())
}

/// Check that the entry is the user's and can take another image; store the image.
async fn add_image(
    state: &AppState,
    me: &SignedIn,
    entry_id: &str,
    multipart: Multipart,
) -> AppResult<(JournalEntry, Result<ImageRef, (StatusCode, String)>, String)> {
    let entry = load_one::<Journal>(state, &me.user.id, entry_id).await?;
    let form = read_upload(state, multipart, "image").await?;
    let alt_text = form.alt_text.trim().to_owned();
    let bytes = match form.file(state.config.uploads.max_bytes, "Choose an image to upload.") {
        Ok(bytes) => bytes,
        Err(problem) => return Ok((entry, Err(problem), alt_text)),
    };
    let added = journal_service::add_image(state, &me.user.id, &entry.id, &form.file_name, alt_text.clone(), bytes);
    match added.await? {
        Ok(image) => Ok((entry, Ok(image), alt_text)),
        Err(ImageRefused::Full(message)) => Ok((entry, Err((StatusCode::UNPROCESSABLE_ENTITY, message)), alt_text)),
        Err(ImageRefused::Image(err)) => Ok((entry, Err(image_problem(err)), alt_text)),
    }
}

async fn add_image_html(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    multipart: Multipart,
) -> AppResult<Response> {
    let (entry, result, alt_text) = add_image(&state, &me, &id, multipart).await?;
    match result {
        Ok(_) => Ok(crate::web::respond::redirect(&format!("/journal/{}?notice=image_added#images", entry.id))),
        Err((status, message)) => {
            let chrome = Chrome::new(&state, &me.visitor, entry.title.clone(), "journal");
            Ok((status, show(&state, &me.user.id, chrome, entry, Some(message), alt_text, LabelForm::default()).await?)
                .into_response())
        }
    }
}

async fn add_image_api(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    multipart: Multipart,
) -> AppResult<Response> {
    let (_, result, _) = add_image(&state, &me, &id, multipart).await?;
    match result {
        Ok(image) => Ok((StatusCode::CREATED, Json(image)).into_response()),
        Err((StatusCode::PAYLOAD_TOO_LARGE, message)) => Err(AppError::TooLarge(message)),
        Err((_, message)) => Err(AppError::Validation(FieldErrors::single("image", message))),
    }
}

/// An image for an entry not saved yet (the new-entry form's paste and drop): it waits a day
/// for the entry to be saved with a link to it.
async fn add_draft_image_api(State(state): State<AppState>, me: SignedIn, multipart: Multipart) -> AppResult<Response> {
    let form = read_upload(&state, multipart, "image").await?;
    let alt_text = form.alt_text.trim().to_owned();
    let bytes = match form.file(state.config.uploads.max_bytes, "Choose an image to upload.") {
        Ok(bytes) => bytes,
        Err((StatusCode::PAYLOAD_TOO_LARGE, message)) => return Err(AppError::TooLarge(message)),
        Err((_, message)) => return Err(AppError::Validation(FieldErrors::single("image", message))),
    };
    match journal_service::add_draft_image(&state, &me.user.id, &form.file_name, alt_text, bytes).await? {
        Ok(image) => Ok((StatusCode::CREATED, Json(image)).into_response()),
        Err(ImageRefused::Full(message)) => Err(AppError::Validation(FieldErrors::single("image", message))),
        Err(ImageRefused::Image(err)) => match image_problem(err) {
            (StatusCode::PAYLOAD_TOO_LARGE, message) => Err(AppError::TooLarge(message)),
            (_, message) => Err(AppError::Validation(FieldErrors::single("image", message))),
        },
    }
}

async fn delete_image_html(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, image_id)): Path<(String, String)>,
) -> AppResult<Response> {
    journal_service::delete_image(&state, &me.user.id, &id, &image_id).await?;
    Ok(crate::web::respond::redirect(&format!("/journal/{id}?notice=image_removed#images")))
}

async fn delete_image_api(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, image_id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    journal_service::delete_image(&state, &me.user.id, &id, &image_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
