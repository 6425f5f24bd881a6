//! Opportunities through their pipeline, each with an activity timeline that
//! merges automatic events (added, status changed) with the user's own entries.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::db::interviews::Interview;
use crate::db::opportunities::{self, Event, Opportunity, MANUAL_EVENTS};
use crate::db::{contacts, interviews};
use crate::domain::opportunities::{OpportunityDraft, STATUSES, WORK_MODES};
use crate::domain::records::RecordKind;
use crate::domain::{fields, FieldErrors};
use crate::services::records::kinds::Opportunities;
use crate::services::records::{self as records_service, RecordType};
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::ApiJson;
use crate::web::notes::NotesSection;
use crate::web::pages::Chrome;
use crate::web::records::{html, load_one, FormView, LabelForm, ListView, Resource};
use crate::web::redirect;
use crate::web::session::SignedIn;

#[derive(Template)]
#[template(path = "jobs/list.html")]
pub struct OpportunityList {
    pub chrome: Chrome,
    pub view: ListView<Opportunity>,
}

#[derive(Template)]
#[template(path = "jobs/form.html")]
pub struct OpportunityForm {
    pub chrome: Chrome,
    pub view: FormView<OpportunityDraft>,
}

#[derive(Template)]
#[template(path = "jobs/show.html")]
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
}

impl OpportunityForm {
    fn statuses(&self) -> &'static [(&'static str, &'static str)] {
        &STATUSES
    }
    fn work_modes(&self) -> &'static [(&'static str, &'static str)] {
        &WORK_MODES
    }
}

impl OpportunityList {
    fn statuses(&self) -> &'static [(&'static str, &'static str)] {
        &STATUSES
    }
}

impl OpportunityShow {
    async fn load(
        state: &AppState,
        user_id: &str,
        chrome: Chrome,
        row: Opportunity,
        label_form: LabelForm,
        entry: EntryForm,
    ) -> AppResult<Self> {
        let pool = state.db.pool();
        let timeline = opportunities::timeline(pool, user_id, &row.id).await?;
        let contacts = contacts::contacts_of(pool, user_id, &row.id).await?;
        let all_contacts = crate::db::lists::choices(pool, &contacts::CONTACTS, "t.name", user_id).await?;
        let interviews = interviews::interviews_for(pool, user_id, &row.id).await?;
        let notes = NotesSection::load(state, user_id, RecordKind::Opportunity, &row.id).await?;
        Ok(Self {
            chrome,
            row,
            timeline,
            label_form,
            entry,
            entry_errors: FieldErrors::new(),
            contacts,
            all_contacts,
            interviews,
            notes,
        })
    }
    fn statuses(&self) -> &'static [(&'static str, &'static str)] {
        &STATUSES
    }
    fn entry_kinds(&self) -> &'static [(&'static str, &'static str)] {
        &MANUAL_EVENTS
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
        _: &str,
        chrome: Chrome,
        view: FormView<OpportunityDraft>,
    ) -> AppResult<Html<String>> {
        html(&OpportunityForm { chrome, view })
    }
    async fn show_page(
        state: &AppState,
        user_id: &str,
        chrome: Chrome,
        row: Opportunity,
        label_form: LabelForm,
    ) -> AppResult<Html<String>> {
        let page = OpportunityShow::load(state, user_id, chrome, row, label_form, EntryForm::default()).await?;
        html(&page)
    }
}

/// A manual timeline entry as the API takes it: `kind` and `body` are needed.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TimelineEntryWrite {
    #[schema(required = true, schema_with = entry_kind_schema)]
    pub kind: String,
    /// What happened, in a line or a few.
    #[schema(
        required = true,
        min_length = 1,
        max_length = 5000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub body: String,
}

fn entry_kind_schema() -> utoipa::openapi::schema::Object {
    let kinds = MANUAL_EVENTS.iter().map(|(kind, _)| *kind);
    crate::domain::schema::choice(kinds, false, false, "What happened: an email, a call, a follow-up or a note.")
}

impl From<TimelineEntryWrite> for EntryForm {
    fn from(write: TimelineEntryWrite) -> Self {
        EntryForm { kind: write.kind, body: write.body }
    }
}

/// A manual timeline entry: an email sent, a call, a follow-up, a note.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EntryForm {
    /// `email`, `call`, `follow_up` or `note`.
    pub kind: String,
    pub body: String,
}

impl EntryForm {
    fn validate(&self) -> Result<(&'static str, String), FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = MANUAL_EVENTS.iter().find(|(k, _)| *k == self.kind.trim()).map(|(k, _)| *k);
        if kind.is_none() {
            errors.add("kind", "Choose what happened: email, call, follow-up or note.");
        }
        let body = errors.check("body", fields::text(&self.body, 5_000));
        if body.as_deref().is_some_and(str::is_empty) {
            errors.add("body", "Write a line about it.");
        }
        if errors.is_empty() {
            Ok((kind.unwrap_or("note"), body.unwrap_or_default()))
        } else {
            Err(errors)
        }
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
        .route("/opportunities/{id}/timeline", post(add_entry_html))
        .route("/opportunities/{id}/status", post(move_html))
}

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/opportunities/{id}/timeline", get(timeline_api).post(add_entry_api))
}

/// Add a manual entry to one of the user's opportunities; the opportunity comes back either way.
async fn add_entry(
    state: &AppState,
    me: &SignedIn,
    id: &str,
    form: &EntryForm,
) -> AppResult<(Opportunity, Result<(), FieldErrors>)> {
    let row = load_one::<Opportunities>(state, &me.user.id, id).await?;
    let (kind, body) = match form.validate() {
        Ok(entry) => entry,
        Err(errors) => return Ok((row, Err(errors))),
    };
    let mut tx = state.db.begin_write().await?;
    let about = opportunities::EventAbout::Nothing;
    opportunities::record_event(&mut tx, &me.user.id, &row.id, kind, about, &body, state.clock.now()).await?;
    tx.commit().await?;
    Ok((row, Ok(())))
}

async fn add_entry_html(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<EntryForm>,
) -> AppResult<Response> {
    match add_entry(&state, &me, &id, &form).await? {
        (_, Ok(())) => Ok(redirect(&format!("/opportunities/{id}?notice=saved#timeline"))),
        (row, Err(errors)) => {
            let chrome = Chrome::new(&state, &me.visitor, Opportunities::title(&row), "opportunities");
            let mut page = OpportunityShow::load(&state, &me.user.id, chrome, row, LabelForm::default(), form).await?;
            page.entry_errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&page)?).into_response())
        }
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
    draft.status = form.status.clone();
    match records_service::save::<Opportunities>(&state, &me.user.id, Some(&id), &draft).await {
        Ok(_) if form.back == "board" => Ok(redirect("/jobs?notice=saved#board")),
        Ok(_) => Ok(redirect(&format!("/opportunities/{id}?notice=saved#timeline"))),
        Err(err) => Err(err.into()),
    }
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
    let (row, added) = add_entry(&state, &me, &id, &write.into()).await?;
    added.map_err(AppError::Validation)?;
    let timeline = opportunities::timeline(state.db.pool(), &me.user.id, &row.id).await?;
    Ok((StatusCode::CREATED, Json(timeline)).into_response())
}
