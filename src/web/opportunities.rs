//! Opportunities through their pipeline, each with an activity timeline that
//! merges automatic events (added, status changed) with the user's own entries.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;

use crate::db::interviews::Interview;
use crate::db::opportunities::{self, Event, Opportunity};
use crate::db::{contacts, interviews};
use crate::domain::job_posting::{FoundIn, OpportunityFromUrlWrite};
use crate::domain::opportunities::OpportunityDraft;
use crate::domain::opportunities::{
    EntryForm, EventKind, OpportunityStatus, SnoozeWrite, TimelineEntryWrite, WorkMode,
};
use crate::domain::records::Draft;
use crate::domain::records::RecordKind;
use crate::domain::FieldErrors;
use crate::domain::UserId;
use crate::services::job_postings::{self, FromUrlError};
use crate::services::opportunities as opportunity_service;
use crate::services::records::kinds::Opportunities;
use crate::services::records::{self as records_service, RecordType};
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::ApiJson;
use crate::web::notes::NotesSection;
use crate::web::pages::Chrome;
use crate::web::records::{load_one, typed_input, FormView, LabelForm, ListView, NewQuery, Resource};
use crate::web::respond::redirect;
use crate::web::respond::render as html;
use crate::web::session::SignedIn;

#[derive(Template)]
#[template(path = "opportunities/list.html")]
pub struct OpportunityList {
    pub chrome: Chrome,
    pub view: ListView<Opportunity>,
}

#[derive(Template)]
#[template(path = "opportunities/form.html")]
pub struct OpportunityForm {
    pub chrome: Chrome,
    pub view: FormView<OpportunityDraft>,
    /// The "From a job posting URL" field above a new opportunity's form.
    pub from_url: FromUrlField,
}

/// The "From a job posting URL" field: what was typed, what went wrong, and what the form was
/// filled from.
#[derive(Debug, Clone, Default)]
pub struct FromUrlField {
    pub url: String,
    pub error: Option<String>,
    /// Said above the form once it has been filled from a page.
    pub filled: Option<String>,
}

#[derive(Template)]
#[template(path = "opportunities/show.html")]
pub struct OpportunityShow {
    pub chrome: Chrome,
    pub row: Opportunity,
    pub timeline: Vec<Event>,
    pub label_form: LabelForm,
    pub entry: EntryForm,
    pub entry_errors: FieldErrors,
    /// `(id, name, company)` of the contacts connected to it.
    pub contacts: Vec<(String, String, String)>,
    /// `(id, name)` of all the user's contacts, to connect one.
    pub all_contacts: Vec<(String, String)>,
    pub interviews: Vec<Interview>,
    pub notes: NotesSection,
    pub tasks: crate::web::tasks::TasksSection,
    pub ai_prep: crate::web::ai_prep::AiPrepSection,
    /// Its tailored resume versions and what was sent.
    pub resumes: crate::web::resume_versions::ResumeSection,
    pub offer: Option<crate::db::offers::Offer>,
    /// The status recording an offer would move it from (to "offer"), when it would move.
    pub offer_moves_from: Option<&'static str>,
    pub documents: Vec<crate::db::uploads::Document>,
    /// The upload form as typed, when it comes back with a message.
    pub document_form: crate::domain::offers::DocumentForm,
    pub document_errors: FieldErrors,
    /// The largest file that may be attached, as people read it ("10 MB").
    pub document_max: String,
}

impl OpportunityForm {
    fn statuses(&self) -> &'static [(&'static str, &'static str)] {
        OpportunityStatus::CHOICES
    }
    fn work_modes(&self) -> &'static [(&'static str, &'static str)] {
        WorkMode::CHOICES
    }
}

impl OpportunityList {
    fn statuses(&self) -> &'static [(&'static str, &'static str)] {
        OpportunityStatus::CHOICES
    }
}

impl OpportunityShow {
    pub(crate) async fn load(
        state: &AppState,
        user_id: &UserId,
        chrome: Chrome,
        row: Opportunity,
        label_form: LabelForm,
        entry: EntryForm,
    ) -> AppResult<Self> {
        let pool = state.db.pool();
        let timeline = opportunities::timeline(pool, user_id, &row.id).await?;
        let contacts = contacts::contacts_of(pool, user_id, &row.id).await?;
        let mut all_contacts = crate::db::lists::choices(pool, &contacts::CONTACTS, "t.name", user_id).await?;
        // The picker offers only people not connected yet.
        all_contacts.retain(|(id, _)| !contacts.iter().any(|(connected, ..)| connected == id));
        let interviews = interviews::interviews_for(pool, user_id, &row.id).await?;
        let notes = NotesSection::load(state, user_id, RecordKind::Opportunity, &row.id).await?;
        let tasks = crate::web::tasks::TasksSection::load(state, user_id, &row.id).await?;
        let ai_prep =
            crate::web::ai_prep::AiPrepSection::load(state, user_id, crate::web::ai_prep::Kind::Opportunity, &row.id)
                .await?;
        let resumes = crate::web::resume_versions::ResumeSection::load(state, user_id, &row.id).await?;
        let offer = crate::db::offers::of_opportunity(pool, user_id, &row.id).await?;
        let documents = crate::db::uploads::documents_of(pool, user_id, &row.id).await?;
        Ok(Self {
            resumes,
            chrome,
            offer,
            offer_moves_from: crate::domain::offers::moves_to_offer(row.status).then(|| row.status.label()),
            documents,
            document_form: crate::domain::offers::DocumentForm { kind: "resume_sent".into(), note: String::new() },
            document_errors: FieldErrors::new(),
            document_max: crate::web::files::human_size(crate::services::documents::max_bytes(state)),
            row,
            timeline,
            label_form,
            entry,
            entry_errors: FieldErrors::new(),
            contacts,
            all_contacts,
            interviews,
            notes,
            tasks,
            ai_prep,
        })
    }
    fn statuses(&self) -> &'static [(&'static str, &'static str)] {
        OpportunityStatus::CHOICES
    }
    fn entry_kinds(&self) -> &'static [(&'static str, &'static str)] {
        &EventKind::MANUAL_CHOICES
    }
    fn document_kinds(&self) -> &'static [(&'static str, &'static str)] {
        crate::domain::offers::DocumentKind::CHOICES
    }
}

#[async_trait::async_trait]
impl Resource for Opportunities {
    fn title(row: &Opportunity) -> String {
        format!("{} at {}", row.role, row.company)
    }
    fn list_page(chrome: Chrome, view: ListView<Opportunity>) -> AppResult<Html<String>> {
        html(&OpportunityList { chrome, view })
    }
    async fn form_page(
        _: &AppState,
        _: &UserId,
        chrome: Chrome,
        view: FormView<OpportunityDraft>,
    ) -> AppResult<Html<String>> {
        html(&OpportunityForm { chrome, view, from_url: FromUrlField::default() })
    }
    async fn show_page(
        state: &AppState,
        user_id: &UserId,
        chrome: Chrome,
        row: Opportunity,
        label_form: LabelForm,
    ) -> AppResult<Html<String>> {
        let page = OpportunityShow::load(state, user_id, chrome, row, label_form, EntryForm::default()).await?;
        html(&page)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    status: String,
    /// `board` when the move came from the dashboard's board, which the browser goes back to.
    back: String,
}

pub fn html_routes() -> Router<AppState> {
    Router::new()
        .route("/opportunities/from-url", post(from_url_html))
        .route("/opportunities/{id}/timeline", post(add_entry_html))
        .route("/opportunities/{id}/status", post(move_html))
}

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/opportunities/from-url", post(from_url_api))
        .route("/opportunities/{id}/timeline", get(timeline_api).post(add_entry_api))
        .route("/opportunities/{id}/next-action/done", post(next_action_done_api))
        .route("/opportunities/{id}/next-action/snooze", post(next_action_snooze_api))
}

async fn add_entry_html(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<EntryForm>,
) -> AppResult<Response> {
    match opportunity_service::add_timeline_entry(&state, &me.user.id, &id, &form).await {
        Ok(()) => Ok(redirect(&format!("/opportunities/{id}?notice=saved#timeline"))),
        Err(ServiceError::Invalid(errors)) => {
            // The page again, with what was typed and the message beside the field.
            let row = load_one::<Opportunities>(&state, &me.user.id, &id).await?;
            let chrome = Chrome::new(&state, &me.visitor, Opportunities::title(&row), "opportunities");
            let mut page = OpportunityShow::load(&state, &me.user.id, chrome, row, LabelForm::default(), form).await?;
            page.entry_errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&page)?).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

/// Move an opportunity to another status (the record page's quick form; the board later).
async fn move_html(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> AppResult<Response> {
    let row = load_one::<Opportunities>(&state, &me.user.id, &id).await?;
    let mut draft = Opportunities::draft_of(&row);
    draft.move_to(&form.status, &state.clock.now().iso_date());
    match records_service::save::<Opportunities>(&state, &me.user.id, Some(&id), &draft).await {
        // Back to the board, at the card that moved (focus lands on it, see static/app.js).
        Ok(_) if form.back == "board" => Ok(redirect(&format!("/jobs?notice=saved#card-{id}"))),
        Ok(_) => Ok(redirect(&format!("/opportunities/{id}?notice=saved#timeline"))),
        Err(err) => Err(err.into()),
    }
}

/// The API's "done" for the next action (its first open task): the opportunity as it is now,
/// showing the task after it, if any (none open is harmless). Kept from before tasks; a task is
/// also done through `/api/v1/tasks/{id}`.
async fn next_action_done_api(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Json<Opportunity>> {
    opportunity_service::complete_next_action(&state, &me.user.id, &id).await?;
    Ok(Json(load_one::<Opportunities>(&state, &me.user.id, &id).await?))
}

async fn next_action_snooze_api(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    ApiJson(write): ApiJson<SnoozeWrite>,
) -> AppResult<Json<Opportunity>> {
    opportunity_service::snooze_next_action(
        &state,
        &me.user,
        &id,
        &write.days.map(|d| d.to_string()).unwrap_or_default(),
    )
    .await?;
    Ok(Json(load_one::<Opportunities>(&state, &me.user.id, &id).await?))
}

async fn timeline_api(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<Event>>> {
    let row = load_one::<Opportunities>(&state, &me.user.id, &id).await?;
    Ok(Json(opportunities::timeline(state.db.pool(), &me.user.id, &row.id).await?))
}

async fn add_entry_api(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    ApiJson(write): ApiJson<TimelineEntryWrite>,
) -> AppResult<Response> {
    opportunity_service::add_timeline_entry(&state, &me.user.id, &id, &write.into()).await?;
    let timeline = opportunities::timeline(state.db.pool(), &me.user.id, &id).await?;
    Ok((StatusCode::CREATED, Json(timeline)).into_response())
}

/// The opportunities a form offers to tie a record to (an interview, a task), as
/// `(id, "role at company")`: the newest 500, with `current` (the one the record is tied to)
/// always among them.
pub async fn opportunity_choices(
    state: &AppState,
    user_id: &UserId,
    current: &str,
) -> AppResult<Vec<(String, String)>> {
    let title = "t.role || ' at ' || t.company";
    let mut choices = crate::db::lists::choices(state.db.pool(), &opportunities::OPPORTUNITIES, title, user_id).await?;
    let current = current.trim();
    if uuid::Uuid::parse_str(current).is_ok() && !choices.iter().any(|(id, _)| id == current) {
        let row: Option<Opportunity> =
            crate::db::lists::get(state.db.pool(), &opportunities::OPPORTUNITIES, user_id, current).await?;
        if let Some(row) = row {
            choices.insert(0, (row.id, format!("{} at {}", row.role, row.company)));
        }
    }
    Ok(choices)
}

// ---- save a job from its posting URL ----

/// `/opportunities/new`: a blank form, or with `?url=` (what the bookmarklet opens) the form
/// with that address ready to be read. Opening a link never makes the server fetch a page: any
/// site can send a signed-in visitor to a link, so the fetch waits for the form's POST (with its
/// CSRF token), one click away.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewOpportunityQuery {
    url: Option<String>,
    notice: Option<String>,
}

pub async fn new_html(
    State(state): State<AppState>,
    me: SignedIn,
    Query(query): Query<NewOpportunityQuery>,
) -> AppResult<Response> {
    match query.url.as_deref().map(str::trim).filter(|url| !url.is_empty()) {
        Some(url) => address_ready_page(&state, &me, url).await,
        None => {
            let query = NewQuery { notice: query.notice, ..NewQuery::default() };
            crate::web::records::new_html::<Opportunities>(State(state), me, Query(query)).await
        }
    }
}

/// "Fill in from the page": the address, and (sent by static/app.js, `carried`) what was typed
/// into the opportunity's form below it, so that nothing typed there is lost.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FromUrlForm {
    url: String,
    carried: String,
    #[serde(flatten)]
    typed: OpportunityDraft,
}

/// The new-opportunity form with a posting's address filled in, not read yet.
async fn address_ready_page(state: &AppState, me: &SignedIn, typed: &str) -> AppResult<Response> {
    let mut draft = OpportunityDraft::blank();
    draft.prefill(&typed_input(me));
    let from_url = FromUrlField {
        url: typed.trim().chars().take(2000).collect(),
        error: None,
        filled: Some("Press “Fill in from the page” to read this posting into the form.".to_owned()),
    };
    new_form_page(state, me, StatusCode::OK, draft, from_url).await
}

async fn from_url_html(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<FromUrlForm>,
) -> AppResult<Response> {
    let typed = if form.carried == "1" { form.typed } else { OpportunityDraft::blank() };
    from_url_page(&state, &me, &form.url, typed).await
}

async fn from_url_page(state: &AppState, me: &SignedIn, address: &str, typed: OpportunityDraft) -> AppResult<Response> {
    let typed_input = typed_input(me);
    let kept = address.trim().chars().take(2000).collect::<String>();
    let mut retry_after = None;
    let (status, draft, from_url) = match job_postings::read(state, &me.user.id, address).await {
        Ok(read) => {
            let mut draft = typed.filled_from(read.draft);
            draft.prefill(&typed_input);
            let filled = match read.found_in {
                FoundIn::JobPosting => format!(
                    "Filled in from the job posting at {}. Check each field, then save: nothing is kept until you do.",
                    host_of(&read.read_at)
                ),
                FoundIn::PageMetadata => format!(
                    "The page at {} has no structured job posting, so the form is filled from its title and text. \
                     Check each field, then save: nothing is kept until you do.",
                    host_of(&read.read_at)
                ),
            };
            (StatusCode::OK, draft, FromUrlField { url: kept, error: None, filled: Some(filled) })
        }
        Err(problem) => {
            let (status, message) = match problem {
                FromUrlError::Page { message, .. } => (StatusCode::UNPROCESSABLE_ENTITY, message),
                FromUrlError::Service(ServiceError::Invalid(errors)) => {
                    let message = errors.get("url").unwrap_or("Check the address.").to_owned();
                    (StatusCode::UNPROCESSABLE_ENTITY, message)
                }
                FromUrlError::Service(ServiceError::RateLimited { message, retry_after_secs }) => {
                    retry_after = Some(retry_after_secs);
                    (StatusCode::TOO_MANY_REQUESTS, message)
                }
                FromUrlError::Service(err) => return Err(err.into()),
            };
            // What was typed into the form stays, as it was.
            let mut draft = typed;
            draft.prefill(&typed_input);
            (status, draft, FromUrlField { url: kept, error: Some(message), filled: None })
        }
    };
    let mut response = new_form_page(state, me, status, draft, from_url).await?;
    if let Some(seconds) = retry_after {
        response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
    }
    Ok(response)
}

/// The new-opportunity form with `draft` and the posting-address field as given.
async fn new_form_page(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    draft: OpportunityDraft,
    from_url: FromUrlField,
) -> AppResult<Response> {
    let chrome = Chrome::new(state, &me.visitor, "New opportunity", "opportunities");
    let all_labels = crate::db::labels::list_for_user(state.db.pool(), &me.user.id).await?;
    let view = FormView { draft, errors: FieldErrors::new(), id: None, all_labels };
    Ok((status, html(&OpportunityForm { chrome, view, from_url })?).into_response())
}

/// `jobs.example.com` of an address, to name where a form was filled from.
fn host_of(url: &str) -> String {
    url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_else(|| url.to_owned())
}

/// The API's "save a job from its posting URL": fetched, read and saved at once (status
/// `saved`), answered like `POST /opportunities`; or 422 with a code saying why not.
async fn from_url_api(
    State(state): State<AppState>,
    me: SignedIn,
    ApiJson(write): ApiJson<OpportunityFromUrlWrite>,
) -> AppResult<Response> {
    match job_postings::save(&state, &me.user.id, &write.url).await {
        Ok(row) => {
            let location = format!("/api/v1/opportunities/{}", row.id);
            Ok((StatusCode::CREATED, [(axum::http::header::LOCATION, location)], Json(row)).into_response())
        }
        Err(FromUrlError::Page { problem, message }) => {
            Err(AppError::Unprocessable { code: problem.code(), message, field: "url" })
        }
        Err(FromUrlError::Service(err)) => Err(err.into()),
    }
}

/// The bookmarklet shown in Settings: opens this instance's new-opportunity form filled from
/// the page in the current tab (`?url=`, the tab's address encoded). The base URL goes in as a
/// JavaScript string literal; a `%` in it is encoded, as browsers decode `javascript:` addresses
/// before they run them.
pub fn bookmarklet(base_url: &url::Url) -> String {
    let target = format!("{}/opportunities/new?url=", base_url.as_str().trim_end_matches('/'));
    let literal = serde_json::Value::String(target).to_string().replace('%', "%25");
    format!("javascript:void(location.href={literal}+encodeURIComponent(location.href))")
}
