//! What every kind of career record shares: pages to list (filtered by label, paginated), create,
//! show, edit and delete, and the same through the JSON API. A kind of record implements
//! [`Resource`]: its table, how its draft is validated and saved, and its three page templates.
//! Every lookup goes through the signed-in user's id, so another user's id is simply not found.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, FromRow};

use crate::db::lists;
use crate::state::AppState;
use crate::clock::Timestamp;
use crate::db::lists::{ListFilter, Page, Table};
use crate::db::labels::{self, Label, LabelChip};
use crate::db::{is_unique_violation, new_id};
use crate::domain::records::RecordKind;
use crate::domain::FieldErrors;
use crate::web::error::{AppError, AppResult};
use crate::web::api::ApiJson;
use crate::web::pages::{Chrome, NoticeQuery};
use crate::web::session::SignedIn;

/// A stored record as pages and the API show it: its id and the labels on it.
pub trait Labelled {
    fn id(&self) -> &str;
    fn labels(&self) -> &[LabelChip];
    fn set_labels(&mut self, labels: Vec<LabelChip>);
}

#[macro_export]
macro_rules! labelled {
    ($($row:ty),+) => {$(
        impl $crate::web::records::Labelled for $row {
            fn id(&self) -> &str { &self.id }
            fn labels(&self) -> &[$crate::db::labels::LabelChip] { &self.labels }
            fn set_labels(&mut self, labels: Vec<$crate::db::labels::LabelChip>) { self.labels = labels; }
        }
    )+};
}

/// One kind of career record.
#[async_trait::async_trait]
pub trait Resource: Send + Sync + Sized + 'static {
    const TABLE: &'static Table;
    /// Whether its records carry labels (and so have the routes to add and remove one).
    const LABELLED: bool = true;
    type Row: for<'r> FromRow<'r, AnyRow> + Labelled + Serialize + Clone + Send + Sync + Unpin + 'static;
    /// The form as typed (and the base a PATCH is applied to).
    type Draft: DeserializeOwned + Clone + Send + Sync + 'static;
    /// The API's JSON body for create and PATCH.
    type Write: DeserializeOwned + Send + 'static;
    /// A validated draft.
    type Input: Send + Sync + 'static;

    fn blank(state: &AppState) -> Self::Draft;
    fn draft_of(row: &Self::Row) -> Self::Draft;
    fn apply(draft: &mut Self::Draft, write: Self::Write);
    fn validate(draft: &Self::Draft) -> Result<Self::Input, FieldErrors>;
    fn label_names(input: &Self::Input) -> &[String];
    fn title(row: &Self::Row) -> String;

    /// Checks that need the database, such as links to the user's own records.
    async fn check(_state: &AppState, _user_id: &str, _input: &Self::Input) -> AppResult<FieldErrors> {
        Ok(FieldErrors::new())
    }
    /// The field and message for a unique-constraint violation on save.
    fn conflict(_input: &Self::Input) -> Option<(&'static str, String)> {
        None
    }
    async fn insert(
        conn: &mut AnyConnection,
        user_id: &str,
        id: &str,
        input: &Self::Input,
        now: Timestamp,
    ) -> Result<(), sqlx::Error>;
    async fn update(
        conn: &mut AnyConnection,
        user_id: &str,
        id: &str,
        input: &Self::Input,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error>;
    /// Runs in the delete transaction before the row goes; returns storage keys queued for
    /// removal from the file store.
    async fn before_delete(
        _conn: &mut AnyConnection,
        _user_id: &str,
        _id: &str,
        _now: Timestamp,
    ) -> Result<Vec<String>, sqlx::Error> {
        Ok(Vec::new())
    }
    /// The draft a "new" form starts from; `?opportunity=` can preselect the record it belongs to.
    async fn new_draft(state: &AppState, _user_id: &str, _query: &NewQuery) -> AppResult<Self::Draft> {
        Ok(Self::blank(state))
    }
    /// Where the browser goes once a form is saved: the record's page, or for a note the page of
    /// what it is about.
    fn saved_url(id: &str, _draft: &Self::Draft) -> String {
        format!("/{}/{id}?notice=saved", Self::TABLE.kind.path())
    }
    /// Add what rows carry beyond their columns and labels (a journal entry's images).
    async fn enrich(_state: &AppState, _user_id: &str, _rows: &mut [Self::Row]) -> AppResult<()> {
        Ok(())
    }

    fn list_page(chrome: Chrome, view: ListView<Self::Row>) -> AppResult<Html<String>>;
    async fn form_page(
        state: &AppState,
        user_id: &str,
        chrome: Chrome,
        view: FormView<Self::Draft>,
    ) -> AppResult<Html<String>>;
    async fn show_page(
        state: &AppState,
        user_id: &str,
        chrome: Chrome,
        row: Self::Row,
        label_form: LabelForm,
    ) -> AppResult<Html<String>>;
}

pub const HTML_PER_PAGE: i64 = 25;
pub const API_PER_PAGE_MAX: i64 = 100;

/// `?label=…&page=…&per_page=…`. Read leniently: a page number that is not a number is page 1.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub label: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
    /// Only records in this status (opportunities).
    pub status: Option<String>,
    /// Any other parameter, such as the record a list is narrowed to (`?opportunity=` for
    /// interviews, `?about=` for notes: see [`Table::parent`]).
    #[serde(flatten)]
    pub other: HashMap<String, String>,
    pub notice: Option<String>,
}

impl ListQuery {
    pub fn filter(&self, default_per_page: i64) -> ListFilter {
        let number = |v: &Option<String>| v.as_deref().and_then(|v| v.trim().parse::<i64>().ok());
        ListFilter {
            label: self.label.as_deref().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned),
            page: number(&self.page).unwrap_or(1).clamp(1, 1_000_000),
            per_page: number(&self.per_page).unwrap_or(default_per_page).clamp(1, API_PER_PAGE_MAX),
            audience: Default::default(),
            status: self.known_status(),
            parent: None,
        }
    }

    /// The filter for a table's list, with the record it belongs to when the table has one.
    /// An id that is no UUID matches nothing rather than everything.
    pub fn filter_for(&self, table: &Table, default_per_page: i64) -> ListFilter {
        let parent = table
            .parent
            .and_then(|(param, _)| self.other.get(param))
            .map(|id| id.trim())
            .filter(|id| !id.is_empty())
            .map(|id| uuid::Uuid::parse_str(id).unwrap_or(uuid::Uuid::nil()));
        ListFilter { parent, ..self.filter(default_per_page) }
    }

    /// The `status` asked for, if it is one we know (as our own static text).
    fn known_status(&self) -> Option<&'static str> {
        let wanted = self.status.as_deref()?.trim().to_ascii_lowercase();
        crate::domain::opportunities::STATUSES.iter().map(|(key, _)| *key).find(|key| *key == wanted)
    }

    /// A `status` that names no status: the API says so rather than list everything.
    fn unknown_status(&self) -> bool {
        self.status.as_deref().is_some_and(|s| !s.trim().is_empty()) && self.known_status().is_none()
    }
}

/// `/{kind}/new?opportunity=…`: what a new record starts with.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    pub opportunity: Option<String>,
    /// For a note: the opportunity, contact or interview it is about.
    pub about: Option<String>,
}

/// A list page's content.
pub struct ListView<R> {
    pub rows: Vec<R>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// The label the list is filtered by, as the user wrote it.
    pub label: Option<String>,
    /// The status the list is filtered by (opportunities).
    pub status: Option<&'static str>,
    /// The record the list is narrowed to: its query parameter and id.
    pub parent: Option<(&'static str, uuid::Uuid)>,
    pub all_labels: Vec<Label>,
    pub path: &'static str,
}

impl<R> ListView<R> {
    pub fn last_page(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
    fn url_for(&self, page: i64) -> String {
        let mut url = format!("/{}?page={page}", self.path);
        if self.per_page != HTML_PER_PAGE {
            url.push_str(&format!("&per_page={}", self.per_page));
        }
        if let Some(label) = &self.label {
            url.push_str("&label=");
            url.extend(url::form_urlencoded::byte_serialize(label.as_bytes()));
        }
        if let Some(status) = self.status {
            url.push_str("&status=");
            url.push_str(status);
        }
        if let Some((param, id)) = self.parent {
            url.push_str(&format!("&{param}={id}"));
        }
        url
    }
    pub fn prev_url(&self) -> Option<String> {
        (self.page > 1).then(|| self.url_for(self.page - 1))
    }
    pub fn next_url(&self) -> Option<String> {
        (self.page < self.last_page()).then(|| self.url_for(self.page + 1))
    }
    pub fn is_filtered(&self) -> bool {
        self.label.is_some() || self.status.is_some() || self.parent.is_some()
    }
    pub fn status_is(&self, status: &str) -> bool {
        self.status == Some(status)
    }
    pub fn label_is(&self, name: &str) -> bool {
        self.label
            .as_deref()
            .is_some_and(|l| crate::domain::fields::name_key(l) == crate::domain::fields::name_key(name))
    }
}

/// The record page's "Add label" form: what was typed and what is wrong with it.
#[derive(Debug, Clone, Default)]
pub struct LabelForm {
    pub typed: String,
    pub error: Option<String>,
}

/// A form page's content: what was typed, what is wrong with it, and which record it edits.
pub struct FormView<D> {
    pub draft: D,
    pub errors: FieldErrors,
    /// `None` for a new record.
    pub id: Option<String>,
    pub all_labels: Vec<Label>,
}

impl<D> FormView<D> {
    pub fn action(&self, path: &str) -> String {
        match &self.id {
            Some(id) => format!("/{path}/{id}"),
            None => format!("/{path}"),
        }
    }
}

/// Render a template or fail with an internal error.
pub fn html<T: Template>(template: &T) -> AppResult<Html<String>> {
    crate::web::pages::render(template)
}

/// Ids are UUIDs; anything else names nothing (404), without asking the database.
pub fn valid_id(id: &str) -> AppResult<()> {
    uuid::Uuid::parse_str(id).map(|_| ()).map_err(|_| AppError::NotFound)
}

fn section<R: Resource>() -> &'static str {
    R::TABLE.kind.path()
}

/// Put each row's labels on it, in one query; for visitors (`public_only`) only public ones.
pub async fn attach_labels<L: Labelled>(
    state: &AppState,
    user_id: &str,
    kind: RecordKind,
    rows: &mut [L],
    public_only: bool,
) -> AppResult<()> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id()).collect();
    let mut chips: HashMap<String, Vec<LabelChip>> =
        labels::chips_for_records(state.db.pool(), user_id, kind, &ids).await?;
    for row in rows.iter_mut() {
        let mut labels = chips.remove(row.id()).unwrap_or_default();
        if public_only {
            labels.retain(|l| l.is_public.get());
        }
        row.set_labels(labels);
    }
    Ok(())
}

async fn with_labels<R: Resource>(state: &AppState, user_id: &str, rows: &mut [R::Row]) -> AppResult<()> {
    if R::LABELLED {
        attach_labels(state, user_id, R::TABLE.kind, rows, false).await?;
    }
    R::enrich(state, user_id, rows).await
}

async fn load_page<R: Resource>(state: &AppState, user_id: &str, filter: &ListFilter) -> AppResult<Page<R::Row>> {
    let mut page: Page<R::Row> = lists::list(state.db.pool(), R::TABLE, user_id, filter).await?;
    with_labels::<R>(state, user_id, &mut page.items).await?;
    Ok(page)
}

/// One of the user's records with its labels, or 404.
pub async fn load_one<R: Resource>(state: &AppState, user_id: &str, id: &str) -> AppResult<R::Row> {
    valid_id(id)?;
    let mut row: R::Row = lists::get(state.db.pool(), R::TABLE, user_id, id).await?.ok_or(AppError::NotFound)?;
    with_labels::<R>(state, user_id, std::slice::from_mut(&mut row)).await?;
    Ok(row)
}

/// Validate and save a draft as a new record (`id` None) or over an existing one. The outer
/// error is a failure; the inner one is what the user must fix.
pub(crate) async fn save<R: Resource>(
    state: &AppState,
    user_id: &str,
    id: Option<&str>,
    draft: &R::Draft,
) -> AppResult<Result<String, FieldErrors>> {
    let input = match R::validate(draft) {
        Ok(input) => input,
        Err(errors) => return Ok(Err(errors)),
    };
    let errors = R::check(state, user_id, &input).await?;
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let names = R::label_names(&input);
    if labels::count_after_adding(&mut tx, user_id, names).await? > labels::MAX_PER_USER {
        let message = format!("You have {} labels, the most allowed. Use existing ones.", labels::MAX_PER_USER);
        return Ok(Err(FieldErrors::single("labels", message)));
    }
    let record_id = id.map(str::to_owned).unwrap_or_else(new_id);
    let saved = match id {
        None => R::insert(&mut tx, user_id, &record_id, &input, now).await.map(|()| true),
        Some(id) => R::update(&mut tx, user_id, id, &input, now).await,
    };
    match saved {
        Ok(true) => {}
        Ok(false) => return Err(AppError::NotFound),
        // What it refers to (an achievement's experience, a note's subject) was deleted a
        // moment ago; a conditional insert that wrote nothing says so with `RowNotFound`.
        Err(err) if crate::db::is_foreign_key_violation(&err) || matches!(err, sqlx::Error::RowNotFound) => {
            let message = "Something this refers to was just deleted. Check the form and save again.";
            return Ok(Err(FieldErrors::single("form", message)));
        }
        Err(err) if is_unique_violation(&err) => {
            if let Some((field, message)) = R::conflict(&input) {
                return Ok(Err(FieldErrors::single(field, message)));
            }
            return Err(err.into());
        }
        Err(err) => return Err(err.into()),
    }
    if R::LABELLED {
        labels::set_for_record(&mut tx, user_id, R::TABLE.kind, &record_id, names, now).await?;
    }
    tx.commit().await?;
    Ok(Ok(record_id))
}

/// Delete a record, its labels and (through `before_delete`) its files.
async fn remove<R: Resource>(state: &AppState, user_id: &str, id: &str) -> AppResult<()> {
    valid_id(id)?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if !lists::exists(&mut *tx, R::TABLE, user_id, id).await? {
        return Err(AppError::NotFound);
    }
    let queued = R::before_delete(&mut tx, user_id, id, now).await?;
    lists::delete(&mut tx, R::TABLE, user_id, id).await?;
    tx.commit().await?;
    crate::services::uploads::remove_files_soon(state, queued);
    Ok(())
}

// ---- HTML pages ----

pub fn html_routes<R: Resource>() -> Router<AppState> {
    let path = R::TABLE.kind.path();
    let router = Router::new()
        .route(&format!("/{path}"), get(list_html::<R>).post(create_html::<R>))
        .route(&format!("/{path}/new"), get(new_html::<R>))
        .route(&format!("/{path}/{{id}}"), get(show_html::<R>).post(update_html::<R>))
        .route(&format!("/{path}/{{id}}/edit"), get(edit_html::<R>))
        .route(&format!("/{path}/{{id}}/delete"), post(delete_html::<R>));
    if !R::LABELLED {
        return router;
    }
    router
        .route(&format!("/{path}/{{id}}/labels"), post(add_label_html::<R>))
        .route(&format!("/{path}/{{id}}/labels/{{label_id}}/remove"), post(remove_label_html::<R>))
}

async fn list_html<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let filter = query.filter_for(R::TABLE, HTML_PER_PAGE);
    let page = load_page::<R>(&state, &me.user.id, &filter).await?;
    let notice = NoticeQuery { notice: query.notice.clone() }.notice();
    let chrome = Chrome::new(&state, &me.visitor, R::TABLE.kind.plural_title(), section::<R>()).with_notice(notice);
    let view = ListView {
        rows: page.items,
        total: page.total,
        page: filter.page,
        per_page: filter.per_page,
        label: filter.label,
        status: filter.status,
        parent: R::TABLE.parent.zip(filter.parent).map(|((param, _), id)| (param, id)),
        all_labels: labels::list_for_user(state.db.pool(), &me.user.id).await?,
        path: R::TABLE.kind.path(),
    };
    Ok(R::list_page(chrome, view)?.into_response())
}

async fn form_response<R: Resource>(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    view_id: Option<String>,
    draft: R::Draft,
    errors: FieldErrors,
) -> AppResult<Response> {
    let kind = R::TABLE.kind;
    let title = match &view_id {
        Some(_) => format!("Edit {}", kind.singular()),
        None => format!("New {}", kind.singular()),
    };
    let chrome = Chrome::new(state, &me.visitor, title, section::<R>());
    let all_labels = labels::list_for_user(state.db.pool(), &me.user.id).await?;
    let view = FormView { draft, errors, id: view_id, all_labels };
    Ok((status, R::form_page(state, &me.user.id, chrome, view).await?).into_response())
}

async fn new_html<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Query(query): Query<NewQuery>,
) -> AppResult<Response> {
    let draft = R::new_draft(&state, &me.user.id, &query).await?;
    form_response::<R>(&state, &me, StatusCode::OK, None, draft, FieldErrors::new()).await
}

async fn create_html<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Form(draft): Form<R::Draft>,
) -> AppResult<Response> {
    match save::<R>(&state, &me.user.id, None, &draft).await? {
        Ok(id) => Ok(crate::web::redirect(&R::saved_url(&id, &draft))),
        Err(errors) => form_response::<R>(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, None, draft, errors).await,
    }
}

async fn show_html<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Query(notice): Query<NoticeQuery>,
) -> AppResult<Response> {
    let row = load_one::<R>(&state, &me.user.id, &id).await?;
    let chrome = Chrome::new(&state, &me.visitor, R::title(&row), section::<R>()).with_notice(notice.notice());
    Ok(R::show_page(&state, &me.user.id, chrome, row, LabelForm::default()).await?.into_response())
}

async fn edit_html<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let row = load_one::<R>(&state, &me.user.id, &id).await?;
    form_response::<R>(&state, &me, StatusCode::OK, Some(id), R::draft_of(&row), FieldErrors::new()).await
}

async fn update_html<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(draft): Form<R::Draft>,
) -> AppResult<Response> {
    valid_id(&id)?;
    match save::<R>(&state, &me.user.id, Some(&id), &draft).await? {
        Ok(id) => Ok(crate::web::redirect(&R::saved_url(&id, &draft))),
        Err(errors) => {
            // The record must still be the user's before we show its edit form again.
            if !lists::exists(state.db.pool(), R::TABLE, &me.user.id, &id).await? {
                return Err(AppError::NotFound);
            }
            form_response::<R>(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, Some(id), draft, errors).await
        }
    }
}

async fn delete_html<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    remove::<R>(&state, &me.user.id, &id).await?;
    Ok(crate::web::redirect(&format!("/{}?notice=deleted", R::TABLE.kind.path())))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddLabelForm {
    name: String,
}

/// The record page's "Add label" form: one label, new or existing, without opening the editor.
async fn add_label_html<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<AddLabelForm>,
) -> AppResult<Response> {
    let row = load_one::<R>(&state, &me.user.id, &id).await?;
    let name = match crate::domain::fields::label_name(&form.name) {
        Ok(name) => name,
        Err(message) => return label_problem::<R>(&state, &me, row, form.name, message).await,
    };
    let mut tx = state.db.begin_write().await?;
    let already =
        row.labels().iter().any(|l| crate::domain::fields::name_key(&l.name) == crate::domain::fields::name_key(&name));
    if !already {
        if labels::count_on_record(&mut *tx, &me.user.id, R::TABLE.kind, &id).await?
            >= crate::domain::fields::LABELS_PER_RECORD_MAX as i64
        {
            let message = format!("At most {} labels on one record.", crate::domain::fields::LABELS_PER_RECORD_MAX);
            drop(tx);
            return label_problem::<R>(&state, &me, row, form.name, message).await;
        }
        if labels::count_after_adding(&mut tx, &me.user.id, std::slice::from_ref(&name)).await? > labels::MAX_PER_USER {
            let message = format!("You have {} labels, the most allowed. Use an existing one.", labels::MAX_PER_USER);
            drop(tx);
            return label_problem::<R>(&state, &me, row, form.name, message).await;
        }
        labels::add_to_record(&mut tx, &me.user.id, R::TABLE.kind, &id, &name, state.clock.now()).await?;
    }
    tx.commit().await?;
    Ok(crate::web::redirect(&format!("/{}/{id}?notice=label_added#labels", R::TABLE.kind.path())))
}

/// The record page again, with the label form's message beside it.
async fn label_problem<R: Resource>(
    state: &AppState,
    me: &SignedIn,
    row: R::Row,
    typed: String,
    message: String,
) -> AppResult<Response> {
    let chrome = Chrome::new(state, &me.visitor, R::title(&row), section::<R>());
    let form = LabelForm { typed, error: Some(message) };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, R::show_page(state, &me.user.id, chrome, row, form).await?).into_response())
}

async fn remove_label_html<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, label_id)): Path<(String, String)>,
) -> AppResult<Response> {
    valid_id(&id)?;
    valid_id(&label_id)?;
    if !labels::remove_from_record(state.db.pool(), &me.user.id, R::TABLE.kind, &id, &label_id).await? {
        return Err(AppError::NotFound);
    }
    Ok(crate::web::redirect(&format!("/{}/{id}?notice=label_removed#labels", R::TABLE.kind.path())))
}

// ---- JSON API ----

/// A page of a list, as the API answers it.
#[derive(Debug, Serialize)]
pub struct ListBody<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

pub fn api_routes<R: Resource>() -> Router<AppState> {
    let path = R::TABLE.kind.path();
    Router::new()
        .route(&format!("/{path}"), get(list_api::<R>).post(create_api::<R>))
        .route(&format!("/{path}/{{id}}"), get(get_api::<R>).patch(patch_api::<R>).delete(delete_api::<R>))
}

async fn list_api<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Query(query): Query<ListQuery>,
) -> AppResult<Json<ListBody<R::Row>>> {
    if R::TABLE.has_status && query.unknown_status() {
        let message =
            "Use one of: saved, applied, screening, interviewing, offer, accepted, rejected, withdrawn, ghosted.";
        return Err(AppError::Validation(FieldErrors::single("status", message)));
    }
    let filter = query.filter_for(R::TABLE, HTML_PER_PAGE);
    let page = load_page::<R>(&state, &me.user.id, &filter).await?;
    Ok(Json(ListBody { items: page.items, page: filter.page, per_page: filter.per_page, total: page.total }))
}

async fn create_api<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    ApiJson(write): ApiJson<R::Write>,
) -> AppResult<Response> {
    let mut draft = R::blank(&state);
    R::apply(&mut draft, write);
    let id = save::<R>(&state, &me.user.id, None, &draft).await?.map_err(AppError::Validation)?;
    let row = load_one::<R>(&state, &me.user.id, &id).await?;
    let location = format!("/api/v1/{}/{id}", R::TABLE.kind.path());
    Ok((StatusCode::CREATED, [(axum::http::header::LOCATION, location)], Json(row)).into_response())
}

async fn get_api<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Json<R::Row>> {
    Ok(Json(load_one::<R>(&state, &me.user.id, &id).await?))
}

async fn patch_api<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    ApiJson(write): ApiJson<R::Write>,
) -> AppResult<Json<R::Row>> {
    let row = load_one::<R>(&state, &me.user.id, &id).await?;
    let mut draft = R::draft_of(&row);
    R::apply(&mut draft, write);
    save::<R>(&state, &me.user.id, Some(&id), &draft).await?.map_err(AppError::Validation)?;
    Ok(Json(load_one::<R>(&state, &me.user.id, &id).await?))
}

async fn delete_api<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    remove::<R>(&state, &me.user.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Labels joined for a form's text field.
pub fn label_text(labels: &[LabelChip]) -> String {
    labels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(", ")
}
