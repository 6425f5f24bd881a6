//! The job search: opportunities through their pipeline, each with an activity timeline that
//! merges automatic events (added, status changed) with the user's own entries.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use sqlx::AnyConnection;
use utoipa::ToSchema;

use crate::db::{contacts, interviews, opportunities};
use crate::state::AppState;
use crate::clock::Timestamp;
use crate::db::lists::Table;
pub use crate::db::contacts::LinkedTo;
use crate::db::contacts::{Contact};
use crate::db::interviews::{Interview};
use crate::db::opportunities::{Event, Opportunity, MANUAL_EVENTS};
use crate::domain::records::RecordKind;
use crate::domain::contacts::{ContactDraft, ContactInput, ContactWrite};
use crate::domain::opportunities::{OpportunityDraft, OpportunityInput, OpportunityWrite, STATUSES, WORK_MODES};
use crate::domain::{fields, FieldErrors};
use crate::web::error::{AppError, AppResult};
use crate::web::api::ApiJson;
use crate::web::interviews::NotesSection;
use crate::web::pages::Chrome;
use crate::web::records::{self, html, label_text, load_one, FormView, LabelForm, ListView, Resource};
use crate::web::redirect;
use crate::web::session::SignedIn;

crate::labelled!(Opportunity, Contact);

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

pub struct Opportunities;

#[async_trait::async_trait]
impl Resource for Opportunities {
    const TABLE: &'static Table = &opportunities::OPPORTUNITIES;
    type Row = Opportunity;
    type Draft = OpportunityDraft;
    type Write = OpportunityWrite;
    type Input = OpportunityInput;

    fn blank(_: &AppState) -> OpportunityDraft {
        OpportunityDraft::blank()
    }
    fn draft_of(row: &Opportunity) -> OpportunityDraft {
        let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        OpportunityDraft {
            company: row.company.clone(),
            role: row.role.clone(),
            description: row.description.clone(),
            posting_url: row.posting_url.clone().unwrap_or_default(),
            location: row.location.clone(),
            work_mode: row.work_mode.clone(),
            salary_min: number(row.salary_min),
            salary_max: number(row.salary_max),
            currency: row.currency.clone(),
            source: row.source.clone(),
            status: row.status.clone(),
            applied_on: row.applied_on.clone().unwrap_or_default(),
            next_action: row.next_action.clone(),
            next_action_due: row.next_action_due.clone().unwrap_or_default(),
            labels: label_text(&row.labels),
        }
    }
    fn apply(draft: &mut OpportunityDraft, write: OpportunityWrite) {
        draft.apply(write)
    }
    fn validate(draft: &OpportunityDraft) -> Result<OpportunityInput, FieldErrors> {
        draft.validate()
    }
    fn label_names(input: &OpportunityInput) -> &[String] {
        &input.labels
    }
    fn title(row: &Opportunity) -> String {
        format!("{} at {}", row.role, row.company)
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &str,
        id: &str,
        i: &OpportunityInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        opportunities::insert(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &str,
        id: &str,
        i: &OpportunityInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        opportunities::update(c, u, id, i, now).await
    }
    async fn before_delete(c: &mut AnyConnection, u: &str, id: &str, _: Timestamp) -> Result<Vec<String>, sqlx::Error> {
        interviews::forget_dependents(c, u, RecordKind::Opportunity, id).await?;
        Ok(Vec::new())
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

/// A manual timeline entry: an email sent, a call, a follow-up, a note.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
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
        .merge(contact_routes::<Opportunities>().0)
        .merge(contact_routes::<crate::web::interviews::Interviews>().0)
}

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/opportunities/{id}/timeline", get(timeline_api).post(add_entry_api))
        .merge(contact_routes::<Opportunities>().1)
        .merge(contact_routes::<crate::web::interviews::Interviews>().1)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConnectForm {
    contact_id: String,
}

/// A kind of record contacts can be connected to: opportunities, and interviews (as interviewers).
pub trait HasContacts: Resource {
    const LINK: LinkedTo;
    /// The path segment under the record: `/opportunities/{id}/contacts`.
    const SEGMENT: &'static str;
}

impl HasContacts for Opportunities {
    const LINK: LinkedTo = LinkedTo::Opportunity;
    const SEGMENT: &'static str = "contacts";
}

/// `POST /{kind}/{id}/{segment}` and its remove form; `PUT`/`DELETE` of the same in the API.
pub fn contact_routes<R: HasContacts>() -> (Router<AppState>, Router<AppState>) {
    let (path, segment) = (R::TABLE.kind.path(), R::SEGMENT);
    let html = Router::new()
        .route(&format!("/{path}/{{id}}/{segment}"), post(connect_html::<R>))
        .route(&format!("/{path}/{{id}}/{segment}/{{contact_id}}/remove"), post(disconnect_html::<R>));
    let api = Router::new().route(
        &format!("/{path}/{{id}}/{segment}/{{contact_id}}"),
        axum::routing::put(connect_api::<R>).delete(disconnect_api::<R>),
    );
    (html, api)
}

/// Connect one of the user's contacts with one of their records.
async fn connect<R: HasContacts>(state: &AppState, me: &SignedIn, id: &str, contact_id: &str) -> AppResult<()> {
    let record = load_one::<R>(state, &me.user.id, id).await?;
    let contact = load_one::<Contacts>(state, &me.user.id, contact_id).await?;
    let mut tx = state.db.begin_write().await?;
    let linked = contacts::link_contact(
        &mut tx,
        &me.user.id,
        R::LINK,
        records::Labelled::id(&record),
        &contact.id,
        state.clock.now(),
    )
    .await;
    match linked {
        // One of the two was deleted a moment ago.
        Err(err) if crate::db::is_foreign_key_violation(&err) => return Err(AppError::NotFound),
        other => other?,
    }
    tx.commit().await?;
    Ok(())
}

async fn disconnect<R: HasContacts>(state: &AppState, me: &SignedIn, id: &str, contact_id: &str) -> AppResult<()> {
    let record = load_one::<R>(state, &me.user.id, id).await?;
    records::valid_id(contact_id)?;
    if !contacts::unlink_contact(state.db.pool(), &me.user.id, R::LINK, records::Labelled::id(&record), contact_id).await? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

fn back_to_contacts<R: HasContacts>(id: &str) -> Response {
    redirect(&format!("/{}/{id}?notice=saved#{}", R::TABLE.kind.path(), R::SEGMENT))
}

async fn connect_html<R: HasContacts>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ConnectForm>,
) -> AppResult<Response> {
    connect::<R>(&state, &me, &id, form.contact_id.trim()).await?;
    Ok(back_to_contacts::<R>(&id))
}

async fn disconnect_html<R: HasContacts>(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, contact_id)): Path<(String, String)>,
) -> AppResult<Response> {
    disconnect::<R>(&state, &me, &id, &contact_id).await?;
    Ok(back_to_contacts::<R>(&id))
}

async fn connect_api<R: HasContacts>(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, contact_id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    connect::<R>(&state, &me, &id, &contact_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn disconnect_api<R: HasContacts>(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, contact_id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    disconnect::<R>(&state, &me, &id, &contact_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Template)]
#[template(path = "jobs/contacts/list.html")]
pub struct ContactList {
    pub chrome: Chrome,
    pub view: ListView<Contact>,
}

#[derive(Template)]
#[template(path = "jobs/contacts/form.html")]
pub struct ContactForm {
    pub chrome: Chrome,
    pub view: FormView<ContactDraft>,
}

#[derive(Template)]
#[template(path = "jobs/contacts/show.html")]
pub struct ContactShow {
    pub chrome: Chrome,
    pub row: Contact,
    pub label_form: LabelForm,
    /// `(id, role, company, status)`
    pub opportunities: Vec<(String, String, String, String)>,
    /// The interviews they take part in.
    pub interviews: Vec<Interview>,
    pub notes: NotesSection,
}

impl ContactShow {
    fn status_name(&self, status: &str) -> &'static str {
        crate::domain::opportunities::status_name(status)
    }
}

pub struct Contacts;

#[async_trait::async_trait]
impl Resource for Contacts {
    const TABLE: &'static Table = &contacts::CONTACTS;
    type Row = Contact;
    type Draft = ContactDraft;
    type Write = ContactWrite;
    type Input = ContactInput;

    fn blank(_: &AppState) -> ContactDraft {
        ContactDraft::blank()
    }
    fn draft_of(row: &Contact) -> ContactDraft {
        ContactDraft {
            name: row.name.clone(),
            company: row.company.clone(),
            role: row.role.clone(),
            email: row.email.clone(),
            phone: row.phone.clone(),
            links: row.links.0.join("\n"),
            how_we_met: row.how_we_met.clone(),
            notes: row.notes.clone(),
            labels: label_text(&row.labels),
        }
    }
    fn apply(draft: &mut ContactDraft, write: ContactWrite) {
        draft.apply(write)
    }
    fn validate(draft: &ContactDraft) -> Result<ContactInput, FieldErrors> {
        draft.validate()
    }
    fn label_names(input: &ContactInput) -> &[String] {
        &input.labels
    }
    fn title(row: &Contact) -> String {
        row.name.clone()
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &str,
        id: &str,
        i: &ContactInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        contacts::insert_contact(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &str,
        id: &str,
        i: &ContactInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        contacts::update_contact(c, u, id, i, now).await
    }
    async fn before_delete(c: &mut AnyConnection, u: &str, id: &str, _: Timestamp) -> Result<Vec<String>, sqlx::Error> {
        interviews::forget_dependents(c, u, RecordKind::Contact, id).await?;
        Ok(Vec::new())
    }
    fn list_page(chrome: Chrome, view: ListView<Contact>) -> AppResult<Html<String>> {
        html(&ContactList { chrome, view })
    }
    async fn form_page(_: &AppState, _: &str, chrome: Chrome, view: FormView<ContactDraft>) -> AppResult<Html<String>> {
        html(&ContactForm { chrome, view })
    }
    async fn show_page(
        state: &AppState,
        user_id: &str,
        chrome: Chrome,
        row: Contact,
        label_form: LabelForm,
    ) -> AppResult<Html<String>> {
        let opportunities = contacts::opportunities_of(state.db.pool(), user_id, &row.id).await?;
        let interviews = interviews::interviews_with(state.db.pool(), user_id, &row.id).await?;
        let notes = NotesSection::load(state, user_id, RecordKind::Contact, &row.id).await?;
        html(&ContactShow { chrome, row, label_form, opportunities, interviews, notes })
    }
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
    match records::save::<Opportunities>(&state, &me.user.id, Some(&id), &draft).await? {
        Ok(_) if form.back == "board" => Ok(redirect("/jobs?notice=saved#board")),
        Ok(_) => Ok(redirect(&format!("/opportunities/{id}?notice=saved#timeline"))),
        Err(errors) => Err(AppError::Validation(errors)),
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
    ApiJson(form): ApiJson<EntryForm>,
) -> AppResult<Response> {
    let (row, added) = add_entry(&state, &me, &id, &form).await?;
    added.map_err(AppError::Validation)?;
    let timeline = opportunities::timeline(state.db.pool(), &me.user.id, &row.id).await?;
    Ok((StatusCode::CREATED, Json(timeline)).into_response())
}
