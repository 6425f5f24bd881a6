//! Labels by AI (issue 13, item 3), on the labels page and each record's page, and over the
//! API. Every run is started by the user and waits for its answer (no streaming):
//! - "Suggest labels" → a review page; only "Create selected labels" creates anything;
//! - "Suggest labels from yours" on a record → a review page; only "Add selected labels" links;
//! - "Link labels across my records" applies at once and offers Undo for that batch.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Form, Json, Router};
use serde::{Deserialize, Serialize};

use crate::db::label_links::LinkBatch;
use crate::domain::label_ai::{self as rules, LabelSuggestionsWrite, LinkSuggestionsWrite, SuggestedLabel};
use crate::domain::records::RecordKind;
use crate::domain::FieldErrors;
use crate::services::ai::AiFeature;
use crate::services::label_ai::{self as service, RecordLinkSuggestions};
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::ai::refusal;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::ApiJson;
use crate::web::pages::Chrome;
use crate::web::respond::{redirect, render};
use crate::web::session::SignedIn;

pub fn html_routes() -> Router<AppState> {
    Router::new()
        .route("/labels/suggestions", post(suggest_html))
        .route("/labels/suggestions/create", post(create_html))
        .route("/labels/link-suggestions", post(suggest_links_html))
        .route("/labels/link-suggestions/apply", post(apply_links_html))
        .route("/labels/link-batches", post(link_in_bulk_html))
        .route("/labels/link-batches/{id}", get(batch_html))
        .route("/labels/link-batches/{id}/undo", post(undo_html))
}

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/labels/suggestions", post(suggest_api))
        .route("/labels/link-suggestions", post(suggest_links_api))
        .route("/labels/link-batches", post(link_in_bulk_api))
        .route("/labels/link-batches/{id}", delete(undo_api))
}

/// The `POST` paths here that wait for an AI run (creating, applying and undoing do not).
pub fn waits_for_ai(path: &str) -> bool {
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    matches!(path, "/labels/suggestions" | "/labels/link-suggestions" | "/labels/link-batches")
}

// ---- the section on the labels page ----

/// What the labels page shows of labels by AI.
pub struct LabelAiSection {
    /// Whether this instance has a provider; without one the section says what it would do.
    pub available: bool,
    pub generation_does: &'static str,
    pub linking_does: &'static str,
    pub category: String,
    pub examples: [&'static str; 6],
    /// Messages for the category field and for bulk linking (`labels`, `records`).
    pub errors: FieldErrors,
}

impl LabelAiSection {
    pub fn new(state: &AppState) -> Self {
        LabelAiSection {
            available: state.ai.is_some(),
            generation_does: AiFeature::LabelGeneration.what_it_does(),
            linking_does: AiFeature::LabelLinking.what_it_does(),
            category: String::new(),
            examples: rules::CATEGORY_EXAMPLES,
            errors: FieldErrors::new(),
        }
    }

    pub fn max_records(&self) -> usize {
        rules::BULK_RECORDS_MAX
    }
}

/// The labels page again with the section's messages (422).
async fn labels_page_with(
    state: &AppState,
    me: &SignedIn,
    category: String,
    errors: FieldErrors,
) -> AppResult<Response> {
    let mut section = LabelAiSection::new(state);
    section.category = category;
    section.errors = errors;
    crate::web::labels::page_with_ai(state, me, StatusCode::UNPROCESSABLE_ENTITY, section).await
}

// ---- generation, reviewed ----

#[derive(Template)]
#[template(path = "labels/suggestions.html")]
struct SuggestionsPage {
    chrome: Chrome,
    category: String,
    rows: Vec<SuggestionRow>,
    errors: FieldErrors,
}

/// One suggestion on the review page: ticked, its name as it may be edited, and why.
pub struct SuggestionRow {
    pub n: usize,
    pub name: String,
    pub reason: String,
    pub ticked: bool,
}

impl SuggestionRow {
    pub fn field(&self) -> String {
        format!("name_{}", self.n)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CategoryForm {
    category: String,
}

async fn suggest_html(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<CategoryForm>,
) -> AppResult<Response> {
    let input = match service::generation_input(&state, &me.user.id, &form.category).await {
        Ok(input) => input,
        Err(ServiceError::Invalid(errors)) => return labels_page_with(&state, &me, form.category, errors).await,
        Err(err) => return Err(err.into()),
    };
    let category = input.category.clone();
    let suggestions = service::suggest_labels(&state, &me.user.id, input).await?.map_err(refusal)?;
    let rows = suggestions
        .into_iter()
        .enumerate()
        .map(|(n, s)| SuggestionRow { n, name: s.name, reason: s.reason, ticked: true })
        .collect();
    let chrome = Chrome::new(&state, &me.visitor, "Suggested labels", "labels");
    Ok(render(&SuggestionsPage { chrome, category, rows, errors: FieldErrors::new() })?.into_response())
}

/// The review form as sent: `pick` once per ticked row, `name_<n>` and `reason_<n>` for each.
fn rows_from_form(fields: &[(String, String)]) -> Vec<SuggestionRow> {
    let value = |key: String| fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone());
    let picked: Vec<&str> = fields.iter().filter(|(k, _)| k == "pick").map(|(_, v)| v.as_str()).collect();
    (0..rules::SUGGESTIONS_MAX)
        .filter_map(|n| {
            let name = value(format!("name_{n}"))?;
            let reason = rules::clean_line(&value(format!("reason_{n}")).unwrap_or_default(), rules::REASON_MAX);
            Some(SuggestionRow { n, name, reason, ticked: picked.contains(&n.to_string().as_str()) })
        })
        .collect()
}

async fn create_html(
    State(state): State<AppState>,
    me: SignedIn,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let rows = rows_from_form(&fields);
    let chosen: Vec<(usize, String)> = rows.iter().filter(|r| r.ticked).map(|r| (r.n, r.name.clone())).collect();
    let outcome = match rules::chosen_names(&chosen) {
        Ok(names) => service::create_labels(&state, &me.user.id, &names).await,
        Err(errors) => Err(ServiceError::Invalid(errors)),
    };
    match outcome {
        Ok(_) => Ok(redirect("/labels?notice=labels_created")),
        Err(ServiceError::Invalid(errors)) => {
            let category = fields.iter().find(|(k, _)| k == "category").map(|(_, v)| v.clone()).unwrap_or_default();
            let chrome = Chrome::new(&state, &me.visitor, "Suggested labels", "labels");
            let page = SuggestionsPage { chrome, category, rows, errors };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

// ---- linking one record, reviewed ----

#[derive(Template)]
#[template(path = "labels/link_review.html")]
struct LinkReviewPage {
    chrome: Chrome,
    suggestions: RecordLinkSuggestions,
    /// The record's page.
    page: String,
    path: &'static str,
}

/// The record a record page's form names: its kind by the path of its pages, and its id.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RecordForm {
    path: String,
    id: String,
}

impl RecordForm {
    fn kind(&self) -> AppResult<RecordKind> {
        rules::LINKABLE.into_iter().find(|k| k.path() == self.path.trim()).ok_or(AppError::NotFound)
    }
}

async fn suggest_links_html(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<RecordForm>,
) -> AppResult<Response> {
    let kind = form.kind()?;
    let suggestions = service::suggest_links(&state, &me.user.id, kind, &form.id).await?.map_err(refusal)?;
    let chrome = Chrome::new(&state, &me.visitor, format!("Labels for {}", suggestions.title), kind.path());
    let page = format!("/{}/{}", kind.path(), suggestions.id);
    Ok(render(&LinkReviewPage { chrome, suggestions, page, path: kind.path() })?.into_response())
}

async fn apply_links_html(
    State(state): State<AppState>,
    me: SignedIn,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let value = |key: &str| fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default();
    let form = RecordForm { path: value("path"), id: value("id") };
    let kind = form.kind()?;
    let chosen: Vec<String> = fields.iter().filter(|(k, _)| k == "label").map(|(_, v)| v.clone()).collect();
    service::apply_links(&state, &me.user.id, kind, &form.id, &chosen).await?;
    Ok(redirect(&format!("/{}/{}?notice=labels_applied#labels", kind.path(), form.id)))
}

// ---- linking in bulk ----

#[derive(Template)]
#[template(path = "labels/link_batch.html")]
struct BatchPage {
    chrome: Chrome,
    batch: LinkBatch,
    records: Vec<LinkedRecord>,
}

/// A record the batch linked labels on: `(title, url, (label, reason) pairs)`.
type LinkedRecord = (String, String, Vec<(String, String)>);

impl BatchPage {
    fn summary(&self) -> String {
        let links = self.batch.links.len();
        let records = self.records.len();
        format!(
            "Linked {links} label{} on {records} record{}",
            if links == 1 { "" } else { "s" },
            if records == 1 { "" } else { "s" }
        )
    }
}

async fn link_in_bulk_html(State(state): State<AppState>, me: SignedIn) -> AppResult<Response> {
    match service::link_in_bulk(&state, &me.user.id).await {
        Ok(Ok(batch)) => Ok(redirect(&format!("/labels/link-batches/{}", batch.id))),
        Ok(Err(refused)) => Err(refusal(refused)),
        Err(ServiceError::Invalid(errors)) => labels_page_with(&state, &me, String::new(), errors).await,
        Err(err) => Err(err.into()),
    }
}

async fn batch_html(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<Response> {
    let batch = service::batch(&state, &me.user.id, &id).await?;
    let mut records: Vec<LinkedRecord> = Vec::new();
    let mut keys: Vec<(String, String)> = Vec::new();
    for link in &batch.links {
        let key = (link.record_kind.clone(), link.record_id.clone());
        let at = match keys.iter().position(|k| *k == key) {
            Some(at) => at,
            None => {
                let Some(kind) = rules::linkable_kind(&link.record_kind) else { continue };
                let title = match service::record_for_linking(&state, &me.user.id, kind, &link.record_id).await {
                    Ok(record) => record.title,
                    Err(ServiceError::NotFound) => "(deleted since)".to_owned(),
                    Err(err) => return Err(err.into()),
                };
                records.push((title, format!("/{}/{}", kind.path(), link.record_id), Vec::new()));
                keys.push(key);
                keys.len() - 1
            }
        };
        records[at].2.push((link.label_name.clone(), link.reason.clone()));
    }
    let chrome = Chrome::new(&state, &me.visitor, "Labels linked", "labels");
    Ok(render(&BatchPage { chrome, batch, records })?.into_response())
}

async fn undo_html(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<Response> {
    service::undo_batch(&state, &me.user.id, &id).await?;
    Ok(redirect("/labels?notice=links_undone"))
}

// ---- the API ----

/// Labels suggested for a category; none is created.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LabelSuggestions {
    pub category: String,
    /// Names you do not have yet, each with the model's reason.
    pub suggestions: Vec<SuggestedLabel>,
}

async fn suggest_api(
    State(state): State<AppState>,
    me: SignedIn,
    ApiJson(write): ApiJson<LabelSuggestionsWrite>,
) -> AppResult<Json<LabelSuggestions>> {
    let input = service::generation_input(&state, &me.user.id, &write.category).await?;
    let category = input.category.clone();
    let suggestions = service::suggest_labels(&state, &me.user.id, input).await?.map_err(refusal)?;
    Ok(Json(LabelSuggestions { category, suggestions }))
}

async fn suggest_links_api(
    State(state): State<AppState>,
    me: SignedIn,
    ApiJson(write): ApiJson<LinkSuggestionsWrite>,
) -> AppResult<Json<RecordLinkSuggestions>> {
    let (kind, id) = write.record().map_err(AppError::Validation)?;
    Ok(Json(service::suggest_links(&state, &me.user.id, kind, &id).await?.map_err(refusal)?))
}

async fn link_in_bulk_api(State(state): State<AppState>, me: SignedIn) -> AppResult<Response> {
    let batch = service::link_in_bulk(&state, &me.user.id).await?.map_err(refusal)?;
    Ok((StatusCode::CREATED, Json(batch)).into_response())
}

async fn undo_api(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<StatusCode> {
    service::undo_batch(&state, &me.user.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
