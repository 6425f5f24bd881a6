//! AI interview preparation on an interview's page (issue 13, item 4): choose the material,
//! run it, and keep what it wrote to read, edit, write again or delete.
//!
//! Three ways to run it, one use case (`services::prep::generate`):
//! - with JavaScript, `POST …/prep/stream` answers server-sent events as the text is written
//!   (`text`, then `done` with the page to open, or `error` with a sentence);
//! - without it, `POST …/prep` waits for the run and opens the interview's page;
//! - the API's `POST /api/v1/interviews/{id}/prep` waits and answers the saved document.
//!
//! A browser that goes away drops the response, which drops the run: it is recorded as stopped.

use std::convert::Infallible;

use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use futures::StreamExt as _;
use serde::Deserialize;

use crate::db::lists;
use crate::db::prep::PrepDocument;
use crate::domain::{FieldErrors, UserId};
use crate::services::ai::{AiFeature, AiRunError};
use crate::services::prep::{self as prep_service, MaterialChoice, PrepSubject};
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
        .route("/interviews/{id}/prep", post(|s, m, p, f| run_html(Kind::Interview, s, m, p, f)))
        .route("/interviews/{id}/prep/stream", post(|s, m, p, f| run_stream(Kind::Interview, s, m, p, f)))
        .route(
            "/interviews/{id}/prep/edit",
            get(|s, m, p| edit_form(Kind::Interview, s, m, p)).post(|s, m, p, f| edit(Kind::Interview, s, m, p, f)),
        )
        .route("/interviews/{id}/prep/delete", post(|s, m, p| delete_html(Kind::Interview, s, m, p)))
        .route("/opportunities/{id}/prep", post(|s, m, p, f| run_html(Kind::Opportunity, s, m, p, f)))
        .route("/opportunities/{id}/prep/stream", post(|s, m, p, f| run_stream(Kind::Opportunity, s, m, p, f)))
        .route(
            "/opportunities/{id}/prep/edit",
            get(|s, m, p| edit_form(Kind::Opportunity, s, m, p)).post(|s, m, p, f| edit(Kind::Opportunity, s, m, p, f)),
        )
        .route("/opportunities/{id}/prep/delete", post(|s, m, p| delete_html(Kind::Opportunity, s, m, p)))
}

/// What the page is about: one interview's round, or the opportunity before any interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Interview,
    Opportunity,
}

impl Kind {
    fn subject(self, id: &str) -> PrepSubject<'_> {
        match self {
            Kind::Interview => PrepSubject::Interview(id),
            Kind::Opportunity => PrepSubject::Opportunity(id),
        }
    }
    /// The record's page, which the preparation's routes hang off.
    fn page(self, id: &str) -> String {
        match self {
            Kind::Interview => format!("/interviews/{id}"),
            Kind::Opportunity => format!("/opportunities/{id}"),
        }
    }
}

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/interviews/{id}/prep", get(get_api).post(run_api).delete(delete_api))
}

/// `POST` paths whose requests wait for an AI run, which may take longer than a page.
pub fn waits_for_ai(path: &str) -> bool {
    ["/interviews/", "/opportunities/", "/api/v1/interviews/"].iter().any(|p| path.starts_with(p))
        && path.ends_with("/prep")
}

// ---- the section on the interview's page ----

/// What the interview's page shows of AI preparation.
pub struct AiPrepSection {
    /// The page of the interview or opportunity, which the preparation's routes hang off.
    pub page: String,
    /// "this round" or "this opportunity", for the sentences that say what it reads.
    pub about: &'static str,
    pub document: Option<PrepDocument>,
    pub body_html: String,
    /// Whether this instance has a provider; without one the section says what it would do.
    pub available: bool,
    pub what_it_does: &'static str,
    /// `(id, title, chosen)` of the user's latest achievements and journal entries.
    pub achievements: Vec<(String, String, bool)>,
    pub journal_entries: Vec<(String, String, bool)>,
    /// A sentence when the last run did not happen or failed.
    pub problem: Option<String>,
}

impl AiPrepSection {
    pub async fn load(state: &AppState, user_id: &UserId, kind: Kind, id: &str) -> AppResult<Self> {
        let document = prep_service::document(state, user_id, kind.subject(id)).await?;
        let body_html = document.as_ref().map(|d| crate::domain::markdown::to_safe_html(&d.body)).unwrap_or_default();
        // The material is offered only where preparation can run. Achievements are what
        // stories are made of: the latest offered ticked. Journal entries can be personal:
        // offered, ticked only by the user.
        let available = state.ai.is_some();
        let (achievements, journal_entries) = if available {
            let tick = |rows: Vec<(String, String)>, ticked: usize| -> Vec<(String, String, bool)> {
                rows.into_iter().enumerate().map(|(n, (id, title))| (id, title, n < ticked)).collect()
            };
            (
                tick(
                    latest(state, user_id, &crate::db::career::ACHIEVEMENTS).await?,
                    prep_service::ACHIEVEMENTS_BY_DEFAULT,
                ),
                tick(latest(state, user_id, &crate::db::journal::JOURNAL).await?, 0),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        Ok(AiPrepSection {
            page: kind.page(id),
            about: if kind == Kind::Interview {
                "the debriefs of earlier rounds"
            } else {
                "the debriefs of its interviews"
            },
            document,
            body_html,
            available,
            what_it_does: AiFeature::InterviewPrep.what_it_does(),
            achievements,
            journal_entries,
            problem: None,
        })
    }

    pub fn generated(&self) -> String {
        self.document.as_ref().map(|d| d.generated_at.human()).unwrap_or_default()
    }

    pub fn edited(&self) -> bool {
        self.document.as_ref().is_some_and(|d| d.updated_at != d.generated_at)
    }
}

/// `(id, title)` of the user's latest records of a kind that can be material, as many as one
/// run may take.
async fn latest(state: &AppState, user_id: &UserId, table: &lists::Table) -> AppResult<Vec<(String, String)>> {
    let mut rows = lists::choices(state.db.pool(), table, "t.title", user_id).await?;
    rows.truncate(prep_service::MATERIAL_MAX);
    Ok(rows)
}

// ---- running it ----

/// The material chosen on the form: checkboxes named `achievement` and `journal_entry`,
/// repeated once per choice.
fn choice_from_form(fields: &[(String, String)]) -> MaterialChoice {
    let of = |name: &str| fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect();
    MaterialChoice { achievements: of("achievement"), journal_entries: of("journal_entry") }
}

async fn run_html(
    kind: Kind,
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let run = prep_service::gather(&state, &me.user.id, kind.subject(&id), &choice_from_form(&fields)).await?;
    match prep_service::generate(&state, &me.user.id, run, None).await? {
        Ok(_) => Ok(redirect(&format!("{}?notice=prep_ready#ai-prep", kind.page(&id)))),
        Err(refused) => Err(refusal(refused)),
    }
}

/// Server-sent events as the preparation is written: `text` pieces, then `done` (its data the
/// page to open) or `error` (a sentence for the user).
async fn run_stream(
    kind: Kind,
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    // What can be refused before anything runs is answered as an ordinary error.
    if state.ai.is_none() {
        return Err(refusal(AiRunError::Off(AiFeature::InterviewPrep)));
    }
    let user_id = me.user.id.clone();
    let run = prep_service::gather(&state, &user_id, kind.subject(&id), &choice_from_form(&fields)).await?;
    let (sink, pieces) = tokio::sync::mpsc::unbounded_channel::<String>();
    let page = format!("{}?notice=prep_ready#ai-prep", kind.page(&id));
    // How it ended, set by the run just after it lets go of the text channel, so the text
    // stream, once it sees the channel close, finds the ending there.
    let ending = std::sync::Arc::new(std::sync::Mutex::new(None::<Bytes>));
    let set_ending = ending.clone();
    // The run lives inside the response body: when the browser goes away, both are dropped.
    let work = async move {
        let outcome = prep_service::generate(&state, &user_id, run, Some(&sink)).await;
        let last = match outcome {
            Ok(Ok(_)) => event("done", &page),
            Ok(Err(refused)) => event("error", &refused.to_string()),
            Err(err) => {
                tracing::error!(error = ?err, "interview preparation failed");
                event("error", "Something went wrong on our side; the preparation was not saved. Try again.")
            }
        };
        drop(sink);
        *set_ending.lock().expect("ending lock") = Some(last);
        Bytes::new()
    };
    // While the model thinks, a comment every two seconds keeps the connection from looking
    // idle (to this server's idle timeout and to proxies); the page ignores comments.
    let text = futures::stream::unfold(pieces, |mut pieces| async move {
        match tokio::time::timeout(KEEP_ALIVE, pieces.recv()).await {
            Ok(Some(piece)) => Some((event("text", &piece), pieces)),
            Ok(None) => None,
            Err(_) => Some((Bytes::from_static(b": still writing\n\n"), pieces)),
        }
    })
    .chain(futures::stream::once(async move { ending.lock().expect("ending lock").take().unwrap_or_default() }));
    let body = futures::stream::select(text, futures::stream::once(work))
        .filter(|bytes| futures::future::ready(!bytes.is_empty()))
        .map(Ok::<_, Infallible>);
    Ok((
        [
            (header::CONTENT_TYPE, "text/event-stream; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

/// How often a stream that has nothing new says it is still there.
const KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(2);

/// One server-sent event; each line of `data` is its own `data:` line, as the format wants (a
/// lone carriage return counts as a line end there, so it becomes one here too).
fn event(name: &str, data: &str) -> Bytes {
    let mut out = format!("event: {name}\n");
    for line in data.replace("\r\n", "\n").replace('\r', "\n").split('\n') {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    Bytes::from(out)
}

// ---- editing and deleting what it wrote ----

#[derive(Template)]
#[template(path = "interviews/prep_edit.html")]
struct EditPage {
    chrome: Chrome,
    /// The interview's or opportunity's page.
    page: String,
    title: String,
    body: String,
    errors: FieldErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EditForm {
    body: String,
}

/// "System design · Staff Engineer at Globex", or "Staff Engineer at Globex".
async fn title_of(state: &AppState, user_id: &UserId, kind: Kind, id: &str) -> AppResult<String> {
    use crate::services::records::{self, kinds};
    Ok(match kind {
        Kind::Interview => {
            let interview = records::get::<kinds::Interviews>(&state.db, user_id, id).await?;
            format!("{} · {} at {}", interview.round_name, interview.role, interview.company)
        }
        Kind::Opportunity => {
            let opportunity = records::get::<kinds::Opportunities>(&state.db, user_id, id).await?;
            format!("{} at {}", opportunity.role, opportunity.company)
        }
    })
}

async fn edit_form(
    kind: Kind,
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let title = title_of(&state, &me.user.id, kind, &id).await?;
    let document = prep_service::document(&state, &me.user.id, kind.subject(&id)).await?.ok_or(AppError::NotFound)?;
    let chrome = Chrome::new(&state, &me.visitor, "Edit preparation", section_of(kind));
    let page = EditPage { chrome, page: kind.page(&id), title, body: document.body, errors: FieldErrors::new() };
    Ok(render(&page)?.into_response())
}

fn section_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Interview => "interviews",
        Kind::Opportunity => "opportunities",
    }
}

async fn edit(
    kind: Kind,
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<EditForm>,
) -> AppResult<Response> {
    match prep_service::edit_document(&state, &me.user.id, kind.subject(&id), &form.body).await {
        Ok(_) => Ok(redirect(&format!("{}?notice=saved#ai-prep", kind.page(&id)))),
        Err(ServiceError::Invalid(errors)) => {
            let title = title_of(&state, &me.user.id, kind, &id).await?;
            let chrome = Chrome::new(&state, &me.visitor, "Edit preparation", section_of(kind));
            let page = EditPage { chrome, page: kind.page(&id), title, body: form.body, errors };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

async fn delete_html(
    kind: Kind,
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    prep_service::delete_document(&state, &me.user.id, kind.subject(&id)).await?;
    Ok(redirect(&format!("{}?notice=deleted#ai-prep", kind.page(&id))))
}

// ---- the API ----

/// What to draw stories from; without it, the latest 20 achievements and no journal entry.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PrepRunWrite {
    /// Ids of your achievements to draw stories from (at most 30 with the journal entries). Absent: your latest 20.
    #[schema(value_type = Option<Vec<String>>)]
    pub achievement_ids: Option<Vec<uuid::Uuid>>,
    /// Ids of your journal entries to draw stories from. Absent: none.
    #[schema(value_type = Option<Vec<String>>)]
    pub journal_entry_ids: Option<Vec<uuid::Uuid>>,
}

async fn run_api(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    ApiJson(write): ApiJson<PrepRunWrite>,
) -> AppResult<Response> {
    let achievements = match write.achievement_ids {
        Some(ids) => ids.into_iter().map(|id| id.to_string()).collect(),
        None => latest(&state, &me.user.id, &crate::db::career::ACHIEVEMENTS)
            .await?
            .into_iter()
            .take(prep_service::ACHIEVEMENTS_BY_DEFAULT)
            .map(|(id, _)| id)
            .collect(),
    };
    let journal_entries = write.journal_entry_ids.unwrap_or_default().into_iter().map(|id| id.to_string()).collect();
    let choice = MaterialChoice { achievements, journal_entries };
    let run = prep_service::gather(&state, &me.user.id, PrepSubject::Interview(&id), &choice).await?;
    match prep_service::generate(&state, &me.user.id, run, None).await? {
        Ok(document) => Ok((StatusCode::CREATED, Json(document)).into_response()),
        Err(refused) => Err(refusal(refused)),
    }
}

async fn get_api(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<Json<PrepDocument>> {
    let document = prep_service::document(&state, &me.user.id, PrepSubject::Interview(&id)).await?;
    Ok(Json(document.ok_or(AppError::NotFound)?))
}

async fn delete_api(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<StatusCode> {
    prep_service::delete_document(&state, &me.user.id, PrepSubject::Interview(&id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
