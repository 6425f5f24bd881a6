//! Resume import (Career → Import, issue 13 item 2): upload a resume, review the rows it gives
//! (keep, edit or drop each), apply. Pages and API share `services::imports`.
//!
//! Pages: `GET/POST /career/import`, `GET /career/import/{id}` (the review),
//! `POST /career/import/{id}/apply`, `…/discard`, `…/ai` (read the text again with AI).
//! API: `POST /api/v1/imports` (multipart `file`), `GET/DELETE /api/v1/imports/{id}`,
//! `POST /api/v1/imports/{id}/apply`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::clock::Timestamp;
use crate::domain::imports::{fields_from_form, fields_of, form_value, ImportKind, ImportRow, Widget};
use crate::domain::lenient::TypedInput;
use crate::domain::FieldErrors;
use crate::resume::{SourceFormat, MAX_IMPORT_BYTES};
use crate::services::ai::AiFeature;
use crate::services::imports::{self as service, Applied, KeptRow, ReadBy, Review, Upload};
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::ai::refusal as ai_refusal;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::ApiJson;
use crate::web::files::read_upload_within;
use crate::web::pages::{Chrome, NoticeQuery};
use crate::web::respond::{redirect, render};
use crate::web::session::SignedIn;

/// Room for the file and the form's other fields.
fn upload_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MAX_IMPORT_BYTES + crate::web::files::MULTIPART_OVERHEAD)
}

pub fn html_routes() -> Router<AppState> {
    Router::new()
        .route("/career/import", get(start_page).post(upload_html).layer(upload_limit()))
        .route("/career/import/{id}", get(review_page))
        .route("/career/import/{id}/apply", post(apply_html))
        .route("/career/import/{id}/discard", post(discard_html))
        .route("/career/import/{id}/ai", post(read_again_html))
}

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/imports", post(upload_api).layer(upload_limit()))
        .route("/imports/{id}", get(get_api).delete(discard_api))
        .route("/imports/{id}/apply", post(apply_api))
}

/// `POST` paths that may wait for an AI reading.
pub fn waits_for_ai(path: &str) -> bool {
    path == "/career/import"
        || path == "/api/v1/imports"
        || (path.starts_with("/career/import/") && path.ends_with("/ai"))
}

// ---- the upload ----

#[derive(Template)]
#[template(path = "career/import.html")]
struct StartPage {
    chrome: Chrome,
    waiting: Vec<WaitingImport>,
    ai_available: bool,
    ai_what_it_does: &'static str,
    errors: FieldErrors,
    max_size: String,
}

struct WaitingImport {
    id: String,
    file_name: String,
    read_by: &'static str,
    rows: usize,
    expires_in: String,
}

async fn start_page(
    State(state): State<AppState>,
    me: SignedIn,
    Query(notice): Query<NoticeQuery>,
) -> AppResult<Response> {
    let chrome = Chrome::new(&state, &me.visitor, "Import a resume", "import").with_notice(notice.notice());
    let page = start_page_with(&state, &me, chrome, FieldErrors::new()).await?;
    Ok(render(&page)?.into_response())
}

async fn start_page_with(state: &AppState, me: &SignedIn, chrome: Chrome, errors: FieldErrors) -> AppResult<StartPage> {
    let now = state.clock.now();
    let waiting = service::waiting(state, &me.user.id)
        .await?
        .into_iter()
        .map(|review| WaitingImport {
            expires_in: time_left(review.expires_at, now),
            id: review.id,
            file_name: review.file_name,
            read_by: review.read_by.label(),
            rows: review.rows.len(),
        })
        .collect();
    Ok(StartPage {
        chrome,
        waiting,
        ai_available: state.ai.is_some(),
        ai_what_it_does: AiFeature::ResumeImport.what_it_does(),
        errors,
        max_size: crate::web::files::human_size(MAX_IMPORT_BYTES),
    })
}

/// "in 23 hours", "in 40 minutes".
fn time_left(until: Timestamp, now: Timestamp) -> String {
    let minutes = ((until.0 - now.0).max(0) / 60_000) as u64;
    match minutes {
        0 => "in less than a minute".into(),
        1 => "in 1 minute".into(),
        2..=89 => format!("in {minutes} minutes"),
        _ => format!("in {} hours", minutes.div_ceil(60)),
    }
}

/// The upload form: the file, and who should read it.
struct UploadFields {
    upload: Option<Upload>,
    read_by: ReadBy,
    /// The file was over the limit (this many bytes at least); it was not read.
    too_large: Option<usize>,
}

async fn read_upload_form(multipart: Multipart) -> AppResult<UploadFields> {
    let form = read_upload_within(multipart, "file", MAX_IMPORT_BYTES).await?;
    let read_by = match form.text("read_by") {
        None => ReadBy::Parser,
        Some(text) => ReadBy::parse(text.trim()).ok_or_else(|| {
            AppError::Validation(FieldErrors::single("read_by", "Choose `parser` or `ai` to read the resume."))
        })?,
    };
    Ok(UploadFields {
        too_large: form.too_large.then_some(form.received),
        upload: form.bytes.map(|bytes| Upload { bytes, file_name: form.file_name, content_type: form.content_type }),
        read_by,
    })
}

/// The file, or why there is none to read, as the field's message.
fn file_of(form: &mut UploadFields) -> Result<Upload, FieldErrors> {
    if let Some(bytes) = form.too_large {
        return Err(FieldErrors::single("file", crate::resume::ExtractError::TooLarge { bytes }.to_string()));
    }
    form.upload.take().ok_or_else(|| FieldErrors::single("file", "Choose your resume file to upload."))
}

async fn upload_html(State(state): State<AppState>, me: SignedIn, multipart: Multipart) -> AppResult<Response> {
    let mut form = read_upload_form(multipart).await?;
    let outcome = match file_of(&mut form) {
        Ok(upload) => service::start(&state, &me.user.id, upload, form.read_by).await,
        Err(errors) => Err(ServiceError::Invalid(errors)),
    };
    match outcome {
        Ok(Ok(review)) => Ok(redirect(&format!("/career/import/{}", review.id))),
        Ok(Err(refused)) => Err(ai_refusal(refused)),
        Err(ServiceError::Invalid(errors)) => {
            let chrome = Chrome::new(&state, &me.visitor, "Import a resume", "import");
            let page = start_page_with(&state, &me, chrome, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

// ---- the review ----

#[derive(Template)]
#[template(path = "career/import_review.html")]
struct ReviewPage {
    chrome: Chrome,
    id: String,
    file_name: String,
    format: &'static str,
    read_by: ReadBy,
    expires_in: String,
    groups: Vec<RowGroup>,
    row_count: usize,
    kept_count: usize,
    ai_available: bool,
    /// The text was read by our parser (not AI, not a JSON Resume document), so AI may read it again.
    ai_may_read_again: bool,
    ai_what_it_does: &'static str,
    /// Messages that belong to no one row.
    general_errors: Vec<String>,
    has_errors: bool,
}

struct RowGroup {
    title: &'static str,
    rows: Vec<RowView>,
}

struct RowView {
    id: String,
    title: String,
    keep: bool,
    duplicate: Option<String>,
    has_errors: bool,
    /// Messages about the row that name no field of its form.
    messages: Vec<String>,
    fields: Vec<FieldView>,
}

struct FieldView {
    /// The form's name (`r3.role`).
    name: String,
    /// The element's id (`r3-role`).
    html_id: String,
    label: &'static str,
    value: String,
    widget: Widget,
    hint: &'static str,
    error: Option<String>,
}

impl FieldView {
    fn is(&self, widget: &str) -> bool {
        matches!(
            (self.widget, widget),
            (Widget::Line, "line")
                | (Widget::Date, "date")
                | (Widget::Text, "text")
                | (Widget::Lines, "lines")
                | (Widget::Tick, "tick")
        )
    }
}

fn format_name(format: SourceFormat) -> &'static str {
    match format {
        SourceFormat::Pdf => "PDF",
        SourceFormat::Docx => "Word document",
        SourceFormat::Text => "plain text",
        SourceFormat::Markdown => "Markdown",
        SourceFormat::Json => "JSON Resume",
    }
}

/// The review as a form. `typed`: what the form sent last time (kept as typed, with its
/// errors); without it, the parsed rows.
fn review_view(
    state: &AppState,
    chrome: Chrome,
    review: Review,
    typed: Option<&HashMap<String, String>>,
    errors: &FieldErrors,
) -> ReviewPage {
    let mut groups: Vec<RowGroup> = Vec::new();
    let mut kept_count = 0;
    for row in &review.rows {
        let view = row_view(row, typed, errors);
        kept_count += usize::from(view.keep);
        let title = group_title(row.kind);
        match groups.last_mut() {
            Some(group) if group.title == title => group.rows.push(view),
            _ => groups.push(RowGroup { title, rows: vec![view] }),
        }
    }
    let general_errors = errors.iter().filter(|(field, _)| !field.contains('.')).map(|(_, m)| m.to_owned()).collect();
    ReviewPage {
        chrome,
        file_name: review.file_name,
        format: format_name(review.format),
        read_by: review.read_by,
        expires_in: time_left(review.expires_at, state.clock.now()),
        row_count: review.rows.len(),
        kept_count,
        groups,
        ai_available: state.ai.is_some(),
        ai_may_read_again: review.read_by == ReadBy::Parser
            && review.format != SourceFormat::Json
            && review.text_chars <= service::AI_TEXT_MAX,
        ai_what_it_does: AiFeature::ResumeImport.what_it_does(),
        general_errors,
        has_errors: !errors.is_empty(),
        id: review.id,
    }
}

fn group_title(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Profile | ImportKind::Link | ImportKind::Language => "Profile",
        ImportKind::Experience => "Experience",
        ImportKind::Education => "Education",
        ImportKind::Certification => "Certifications",
        ImportKind::Project => "Projects",
        ImportKind::Skill => "Skills",
        ImportKind::Achievement => "Achievements and publications",
    }
}

fn row_view(row: &ImportRow, typed: Option<&HashMap<String, String>>, errors: &FieldErrors) -> RowView {
    let prefix = format!("{}.", row.id);
    let has_errors = errors.iter().any(|(field, _)| field.starts_with(&prefix));
    let shown_fields = match typed {
        Some(typed) => fields_from_form(row.kind, |name| typed.get(&format!("{prefix}{name}")).cloned()),
        None => row.fields.clone(),
    };
    let fields = fields_of(row.kind)
        .iter()
        .map(|spec| FieldView {
            name: format!("{prefix}{}", spec.name),
            html_id: format!("{}-{}", row.id, spec.name),
            label: spec.label,
            value: form_value(&shown_fields, spec),
            widget: spec.widget,
            hint: match spec.widget {
                Widget::Date => "For example 2019-03, March 2019 or 2019.",
                _ => "",
            },
            error: errors.get(&format!("{prefix}{}", spec.name)).map(str::to_owned),
        })
        .collect();
    let keep = match typed {
        Some(typed) => typed.contains_key(&format!("{prefix}keep")),
        None => row.keep,
    };
    let specs = fields_of(row.kind);
    let messages = errors
        .iter()
        .filter_map(|(field, message)| field.strip_prefix(&prefix).map(|name| (name, message)))
        .filter(|(name, _)| !specs.iter().any(|spec| spec.name == *name))
        .map(|(_, message)| message.to_owned())
        .collect();
    RowView {
        id: row.id.clone(),
        title: crate::domain::imports::title_of(row.kind, &shown_fields),
        keep,
        duplicate: row.duplicate_of.as_ref().map(|d| d.title.clone()),
        has_errors,
        messages,
        fields,
    }
}

async fn review_page(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Query(notice): Query<NoticeQuery>,
) -> AppResult<Response> {
    let review = service::get(&state, &me.user.id, &id).await?;
    let chrome = Chrome::new(&state, &me.visitor, "Review your import", "import").with_notice(notice.notice());
    let page = review_view(&state, chrome, review, None, &FieldErrors::new());
    Ok(render(&page)?.into_response())
}

async fn apply_html(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let review = service::get(&state, &me.user.id, &id).await?;
    let typed: HashMap<String, String> = pairs.into_iter().filter(|(name, _)| name != "_csrf").collect();
    let kept: Vec<KeptRow> = review
        .rows
        .iter()
        .filter(|row| typed.contains_key(&format!("{}.keep", row.id)))
        .map(|row| KeptRow {
            id: row.id.clone(),
            changes: with_cleared(
                row,
                fields_from_form(row.kind, |name| typed.get(&format!("{}.{name}", row.id)).cloned()),
            ),
        })
        .collect();
    let typed_input = TypedInput { default_currency: me.user.default_currency.clone() };
    match service::apply(&state, &me.user.id, &id, &kept, Some(&typed_input)).await {
        Ok(applied) => Ok(redirect(&format!("/career/import?notice={}", applied_notice(&applied)))),
        Err(ServiceError::Invalid(errors)) => {
            let chrome = Chrome::new(&state, &me.visitor, "Review your import", "import");
            let page = review_view(&state, chrome, review, Some(&typed), &errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

/// The form's fields as changes: a field the form left empty clears the parsed value.
fn with_cleared(row: &ImportRow, mut changes: Map<String, Value>) -> Map<String, Value> {
    for key in row.fields.keys() {
        changes.entry(key.clone()).or_insert(Value::Null);
    }
    changes
}

fn applied_notice(applied: &Applied) -> &'static str {
    if applied.created.is_empty() && !applied.profile_updated {
        "import_applied_nothing"
    } else {
        "import_applied"
    }
}

async fn discard_html(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<Response> {
    service::discard(&state, &me.user.id, &id).await?;
    Ok(redirect("/career/import?notice=import_discarded"))
}

async fn read_again_html(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<Response> {
    match service::read_again_with_ai(&state, &me.user.id, &id).await? {
        Ok(review) => Ok(redirect(&format!("/career/import/{}?notice=import_read_by_ai", review.id))),
        Err(refused) => Err(ai_refusal(refused)),
    }
}

// ---- the API ----

/// An import awaiting review, as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReview {
    #[schema(format = Uuid)]
    pub id: String,
    /// The uploaded file's name (the file itself is not kept).
    pub file_name: String,
    /// `pdf`, `docx`, `text` or `markdown`, as read from the file's content.
    #[schema(value_type = String)]
    pub format: SourceFormat,
    /// `parser` (Careerlog's own, no AI) or `ai`.
    #[schema(value_type = String)]
    pub read_by: ReadBy,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// When it is deleted if not applied.
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
    /// The records the resume gives, to keep, change or drop.
    pub rows: Vec<ImportRow>,
}

impl From<Review> for ImportReview {
    fn from(review: Review) -> Self {
        ImportReview {
            id: review.id,
            file_name: review.file_name,
            format: review.format,
            read_by: review.read_by,
            created_at: review.created_at,
            expires_at: review.expires_at,
            rows: review.rows,
        }
    }
}

/// The rows to keep; every other row is dropped (none named: nothing is added).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyWrite {
    #[serde(default)]
    #[schema(max_items = 400)]
    pub rows: Vec<KeptRowWrite>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeptRowWrite {
    /// The row's `id` in the review (`r0`, `r1`, …).
    #[schema(max_length = 10, pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub id: String,
    /// Changes laid over the row's fields (`null` clears one); absent: keep it as parsed.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub fields: Option<Map<String, Value>>,
}

async fn upload_api(State(state): State<AppState>, me: SignedIn, multipart: Multipart) -> AppResult<Response> {
    let mut form = read_upload_form(multipart).await?;
    let upload = file_of(&mut form).map_err(AppError::Validation)?;
    match service::start(&state, &me.user.id, upload, form.read_by).await? {
        Ok(review) => Ok((StatusCode::CREATED, Json(ImportReview::from(review))).into_response()),
        Err(refused) => Err(ai_refusal(refused)),
    }
}

async fn get_api(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<Json<ImportReview>> {
    Ok(Json(service::get(&state, &me.user.id, &id).await?.into()))
}

async fn discard_api(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<StatusCode> {
    service::discard(&state, &me.user.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn apply_api(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    ApiJson(write): ApiJson<ApplyWrite>,
) -> AppResult<Response> {
    if write.rows.len() > crate::domain::imports::ROWS_MAX {
        return Err(AppError::Validation(FieldErrors::single("rows", "An import has at most 400 rows.")));
    }
    let kept: Vec<KeptRow> =
        write.rows.into_iter().map(|row| KeptRow { id: row.id, changes: row.fields.unwrap_or_default() }).collect();
    let applied = service::apply(&state, &me.user.id, &id, &kept, None).await?;
    Ok((StatusCode::CREATED, Json(applied)).into_response())
}
