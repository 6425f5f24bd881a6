//! The JSON API under `/api/v1`: personal access tokens (`Authorization: Bearer clg_…`) or the
//! session cookie (then state changes need the `X-CSRF-Token` header). Errors are
//! `{ "error": { "code", "message", "fields"? } }`. The OpenAPI 3.1 document is built from the
//! annotations here and, for the record kinds, from the table in `web::api_docs`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::db::accounts::User;
use crate::domain::preferences::PreferencesWrite;
use crate::services::accounts;
use crate::state::AppState;
use crate::web::api_docs::CareerPaths;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::ApiJson;
use crate::web::session::SignedIn;

pub fn router(state: &AppState) -> Router<AppState> {
    use crate::web::{journal, labels, profile};
    Router::new()
        .route("/me", get(me).patch(patch_me))
        .route("/openapi.json", get(openapi))
        .merge(crate::web::routes::record_api())
        .merge(crate::web::opportunities::api_routes())
        .merge(crate::web::tasks::api_routes())
        .merge(crate::web::offers::api_routes())
        .merge(crate::web::documents::api_routes(state))
        .merge(crate::web::prep::api_routes())
        .merge(journal::api_routes(state))
        .merge(labels::api_routes())
        .merge(crate::web::search::api_routes())
        .merge(profile::api_routes())
        .merge(crate::web::ai_prep::api_routes())
        .merge(crate::web::imports::api_routes())
        .merge(crate::web::resume_export::api_routes())
        .merge(crate::web::ai_labels::api_routes())
        .merge(crate::web::user_data::api_routes())
        .fallback(|| async { AppError::NotFound })
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Careerlog API", version = "1", description = "Your career record, over HTTP. Authenticate with a personal access token created in Settings → API tokens.\n\nBodies are JSON objects; an unknown field, a value of the wrong type or a body that is not an object answers 400 (`invalid_json`). Values that break a rule answer 422 (`validation_failed`) with a message per field. Text is trimmed; one-line fields refuse line breaks and control characters. A choice is read case-insensitively; answers give its canonical spelling."),
    paths(me),
    // The record kinds' own schemas are registered by `api_docs::CareerPaths` from its table.
    components(schemas(
        Me, crate::domain::preferences::PreferencesWrite, ErrorBody, ErrorDetail, ValidationFailed, ValidationDetail,
        crate::db::labels::LabelChip, crate::db::uploads::ImageRef, crate::db::interviews::ContactRef,
        crate::db::opportunities::Event, crate::domain::opportunities::TimelineEntryWrite,
        crate::domain::opportunities::SnoozeWrite,
        crate::db::offers::Offer, crate::domain::offers::OfferWrite, crate::db::uploads::Document,
        crate::db::prep::PrepDocument, crate::db::prep::PrepSource, crate::web::ai_prep::PrepRunWrite,
        crate::db::prep::InterviewPrep, crate::domain::prep::PrepWrite,
        crate::domain::label_ai::LabelSuggestionsWrite, crate::domain::label_ai::LinkSuggestionsWrite,
        crate::domain::label_ai::SuggestedLabel, crate::web::ai_labels::LabelSuggestions,
        crate::services::label_ai::RecordLinkSuggestions, crate::services::label_ai::LinkSuggestion,
        crate::db::label_links::LinkBatch, crate::db::label_links::BatchLink,
        crate::db::profiles::Profile, crate::domain::profile::ProfileWrite,
        crate::services::search::SearchResults, crate::services::search::SearchHit,
        crate::web::imports::ImportReview, crate::domain::imports::ImportRow, crate::domain::imports::ImportKind,
        crate::domain::imports::DuplicateOf, crate::web::imports::ApplyWrite, crate::web::imports::KeptRowWrite,
        crate::services::imports::Applied, crate::services::imports::CreatedRecord,
    )),
    modifiers(&BearerAuth, &CareerPaths),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some("A personal access token (clg_…).".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
        openapi.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
    }
}

/// Every error answer has this shape.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `not_found`, `validation_failed`, `invalid_token`,
    /// `csrf_failed`, `rate_limited`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// Per-field messages when `code` is `validation_failed`.
    #[schema(value_type = Option<std::collections::BTreeMap<String, String>>, nullable = false)]
    pub fields: Option<serde_json::Value>,
}

/// The answer when some fields break a rule (422).
#[derive(ToSchema)]
#[allow(dead_code)] // Only described: errors are rendered by `web::error_pages`.
pub struct ValidationFailed {
    pub error: ValidationDetail,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ValidationDetail {
    /// Always `validation_failed`.
    #[schema(pattern = "^validation_failed$")]
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// A message per field that needs attention, by the field's name.
    pub fields: std::collections::BTreeMap<String, String>,
}

/// The signed-in account.
#[derive(Serialize, ToSchema)]
pub struct Me {
    #[schema(format = Uuid)]
    pub id: String,
    /// `null` for an account that signed up without one.
    pub email: Option<String>,
    pub email_verified: bool,
    pub is_admin: bool,
    /// RFC 3339.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// The IANA time zone times are shown in; `null` until known.
    pub time_zone: Option<String>,
    /// The currency salaries are in when none is given, such as `EUR`; `null` when not chosen.
    #[schema(pattern = "^[A-Z]{3}$")]
    pub default_currency: Option<String>,
}

impl Me {
    fn of(user: &User) -> AppResult<Me> {
        let created_at = user
            .created_at
            .to_offset_date_time()
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|e| AppError::Internal(e.into()))?;
        Ok(Me {
            id: user.id.to_string(),
            email: user.email.clone(),
            email_verified: user.is_verified(),
            is_admin: user.is_admin(),
            created_at,
            time_zone: Some(user.time_zone.clone()).filter(|zone| !zone.is_empty()),
            default_currency: user.default_currency.clone(),
        })
    }
}

/// The account the token (or session) belongs to.
#[utoipa::path(get, path = "/me", tag = "account",
    responses(
        (status = 200, description = "The signed-in account", body = Me),
        (status = 401, description = "Missing or invalid token", body = ErrorBody),
    ))]
async fn me(me: SignedIn) -> AppResult<Json<Me>> {
    Ok(Json(Me::of(&me.user)?))
}

/// Change the account's preferences (documented in `web::api_docs`, with the other account
/// paths): only the fields sent change; `null` clears one.
async fn patch_me(
    State(state): State<AppState>,
    me: SignedIn,
    ApiJson(write): ApiJson<PreferencesWrite>,
) -> AppResult<Json<Me>> {
    let user = accounts::update_preferences(&state, &me.user, &write).await?;
    Ok(Json(Me::of(&user)?))
}

async fn openapi(State(_): State<AppState>) -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
