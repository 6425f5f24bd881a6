//! The pages and API routes every kind of record shares: list (filtered by label, paginated),
//! create, show, edit and delete, and the same through the JSON API. A kind of record adds its
//! three page templates to its [`RecordType`] by implementing [`Resource`]; reads and writes go
//! through `services::records`, the one write path.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};

use crate::db::labels::{self, Label};
use crate::db::lists::{Cursor, Direction, ListFilter, Sort, Sorts, Table};
use crate::domain::lenient::TypedInput;
use crate::domain::opportunities::OpportunityStatus;
use crate::domain::records::Draft;
use crate::domain::FieldErrors;
use crate::domain::UserId;
use crate::services::records::{self as records_service, RecordType};
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::ApiJson;
use crate::web::pages::{Chrome, NoticeQuery};
use crate::web::session::SignedIn;

pub use crate::services::records::Labelled;

/// A kind of record as pages show it.
#[async_trait::async_trait]
pub trait Resource: RecordType {
    fn title(row: &Self::Row) -> String;

    /// The draft a "new" form starts from; `?opportunity=` can preselect the record it belongs to.
    async fn new_draft(state: &AppState, _user_id: &UserId, _query: &NewQuery) -> AppResult<Self::Draft> {
        Ok(Self::blank(state.clock.now()))
    }
    /// Where the browser goes once a form is saved: the record's page, or for a note the page of
    /// what it is about.
    fn saved_url(id: &str, _draft: &Self::Draft) -> String {
        format!("/{}/{id}?notice=saved", Self::TABLE.kind.path())
    }

    /// Where "Save and add another" leads: a new, empty form of the same kind (with what ties it
    /// to its parent kept, for kinds that have one).
    fn another_url(_draft: &Self::Draft) -> String {
        format!("/{}/new?notice=saved_another", Self::TABLE.kind.path())
    }

    fn list_page(chrome: Chrome, view: ListView<Self::Row>) -> AppResult<Html<String>>;
    async fn form_page(
        state: &AppState,
        user_id: &UserId,
        chrome: Chrome,
        view: FormView<Self::Draft>,
    ) -> AppResult<Html<String>>;
    async fn show_page(
        state: &AppState,
        user_id: &UserId,
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
    /// Only those done (`true`) or open (`false`) (tasks).
    pub done: Option<String>,
    /// A column to sort by and `asc` or `desc`, where the table has sortable columns; anything
    /// else keeps the table's own order.
    pub sort: Option<String>,
    pub dir: Option<String>,
    /// The page after or before this record (the pager's links carry it beside the page's
    /// number, so a deep page costs what the first does); an id that is no UUID is ignored.
    pub after: Option<String>,
    pub before: Option<String>,
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
            done: self.known_done(),
            parent: None,
            sort: None,
            cursor: self.cursor(),
        }
    }

    fn cursor(&self) -> Option<Cursor> {
        let id = |v: &Option<String>| v.as_deref().and_then(|v| uuid::Uuid::parse_str(v.trim()).ok());
        id(&self.after).map(Cursor::After).or_else(|| id(&self.before).map(Cursor::Before))
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
        let sort = table.sort(self.sort.as_deref(), self.dir.as_deref());
        ListFilter { parent, sort, ..self.filter(default_per_page) }
    }

    /// The `status` asked for, if it is one we know.
    fn known_status(&self) -> Option<OpportunityStatus> {
        OpportunityStatus::parse(self.status.as_deref()?)
    }

    /// A `status` that names no status: the API says so rather than list everything.
    fn unknown_status(&self) -> bool {
        self.status.as_deref().is_some_and(|s| !s.trim().is_empty()) && self.known_status().is_none()
    }

    /// `done=true` or `done=false`, if asked.
    fn known_done(&self) -> Option<bool> {
        match self.done.as_deref().map(str::trim) {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ => None,
        }
    }

    /// A `done` that is neither `true` nor `false`.
    fn unknown_done(&self) -> bool {
        self.done.as_deref().is_some_and(|d| !d.trim().is_empty()) && self.known_done().is_none()
    }
}

/// `/{kind}/new?opportunity=…`: what a new record starts with.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    pub opportunity: Option<String>,
    /// For a note: the opportunity, contact or interview it is about.
    pub about: Option<String>,
    /// A notice from the form just saved ("Save and add another").
    pub notice: Option<String>,
}

/// What to do once a new record's form is saved: `?then=another` opens a new form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AfterSave {
    then: Option<String>,
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
    pub status: Option<OpportunityStatus>,
    /// Done (`true`) or open (`false`) records only (tasks).
    pub done: Option<bool>,
    /// The record the list is narrowed to: its query parameter and id.
    pub parent: Option<(&'static str, uuid::Uuid)>,
    pub all_labels: Vec<Label>,
    pub path: &'static str,
    /// How the list is sorted, for a table with sortable columns (see [`Table::sorts`]).
    pub sort: Option<Sort>,
    pub sorts: Option<&'static Sorts>,
    /// The ids of the page's first and last records, when the list's order lets a page start
    /// next to one: the pager's links then carry them (`?page=N&after=…`).
    pub edges: Option<(String, String)>,
    /// Today where the owner is (`YYYY-MM-DD`), for lists that say what is overdue.
    pub today: String,
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
            url.push_str(status.as_str());
        }
        if let Some(done) = self.done {
            url.push_str(&format!("&done={done}"));
        }
        if let Some((param, id)) = self.parent {
            url.push_str(&format!("&{param}={id}"));
        }
        if let Some(sort) = self.sort {
            url.push_str(&format!("&sort={}&dir={}", sort.column.key, sort.direction.as_str()));
        }
        url
    }
    /// A column header's link: sorted by `key` (turned around when it is the sort already), on
    /// the first page, with the list's filters kept.
    pub fn sort_url(&self, key: &str) -> String {
        let direction = match self.sort {
            Some(sort) if sort.column.key == key => sort.direction.flipped(),
            _ => self.sorts.and_then(|sorts| sorts.column(key)).map_or(Direction::Ascending, |c| c.first),
        };
        let mut url = format!("/{}?", self.path);
        if self.per_page != HTML_PER_PAGE {
            url.push_str(&format!("per_page={}&", self.per_page));
        }
        if let Some(label) = &self.label {
            url.push_str("label=");
            url.extend(url::form_urlencoded::byte_serialize(label.as_bytes()));
            url.push('&');
        }
        if let Some(status) = self.status {
            url.push_str(&format!("status={}&", status.as_str()));
        }
        if let Some(done) = self.done {
            url.push_str(&format!("done={done}&"));
        }
        url.push_str(&format!("sort={key}&dir={}", direction.as_str()));
        url
    }
    /// A column header's `aria-sort`: how the list is sorted by it, if it is.
    pub fn aria_sort(&self, key: &str) -> &'static str {
        match self.sort {
            Some(sort) if sort.column.key == key && sort.direction == Direction::Ascending => "ascending",
            Some(sort) if sort.column.key == key => "descending",
            _ => "none",
        }
    }
    /// The page before: by its number, and before this page's first record (the first page
    /// needs no record to start from).
    pub fn prev_url(&self) -> Option<String> {
        (self.page > 1).then(|| match &self.edges {
            Some((first, _)) if self.page > 2 => format!("{}&before={first}", self.url_for(self.page - 1)),
            _ => self.url_for(self.page - 1),
        })
    }
    /// The page after: by its number, and after this page's last record.
    pub fn next_url(&self) -> Option<String> {
        (self.page < self.last_page()).then(|| match &self.edges {
            Some((_, last)) => format!("{}&after={last}", self.url_for(self.page + 1)),
            None => self.url_for(self.page + 1),
        })
    }
    pub fn is_filtered(&self) -> bool {
        self.label.is_some() || self.status.is_some() || self.done.is_some() || self.parent.is_some()
    }
    /// Whether the list shows done records only (`Some(true)`), open ones (`Some(false)`), or
    /// both (`None`).
    pub fn done_is(&self, done: Option<bool>) -> bool {
        self.done == done
    }
    /// The list's address with `done` as given and its other filters kept, on the first page.
    pub fn done_url(&self, done: Option<bool>) -> String {
        let view = ListView::<()> {
            rows: Vec::new(),
            total: 0,
            page: 1,
            per_page: self.per_page,
            label: self.label.clone(),
            status: self.status,
            done,
            parent: self.parent,
            all_labels: Vec::new(),
            path: self.path,
            sort: self.sort,
            sorts: self.sorts,
            edges: None,
            today: String::new(),
        };
        view.url_for(1)
    }
    pub fn status_is(&self, status: &str) -> bool {
        self.status.is_some_and(|s| s == status)
    }
    pub fn label_is(&self, name: &str) -> bool {
        self.label
            .as_deref()
            .is_some_and(|l| crate::domain::fields::name_key(l) == crate::domain::fields::name_key(name))
    }
    /// The label the list is filtered by, when it is one of the user's: its page lists every
    /// kind of record that carries it.
    pub fn filtered_label(&self) -> Option<&Label> {
        self.all_labels.iter().find(|label| self.label_is(&label.name))
    }
}

/// The ids of a page's first and last rows, for the pager's links (`None` for an empty page, or
/// a list whose order cannot start next to a record).
pub fn page_edges<R: Labelled>(rows: &[R], by_cursor: bool) -> Option<(String, String)> {
    match (rows.first(), rows.last()) {
        (Some(first), Some(last)) if by_cursor => Some((first.id().to_owned(), last.id().to_owned())),
        _ => None,
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

/// Ids are UUIDs; anything else names nothing (404), without asking the database.
pub fn valid_id(id: &str) -> AppResult<()> {
    Ok(records_service::valid_id(id)?)
}

fn section<R: Resource>() -> &'static str {
    R::TABLE.kind.path()
}

/// One of the user's records with its labels, or 404.
pub async fn load_one<R: RecordType>(state: &AppState, user_id: &UserId, id: &str) -> AppResult<R::Row> {
    Ok(records_service::get::<R>(&state.db, user_id, id).await?)
}

/// What the user's settings add to reading their forms (a default currency).
pub(crate) fn typed_input(me: &SignedIn) -> TypedInput {
    TypedInput { default_currency: me.user.default_currency.clone() }
}

/// A save's outcome for a form: the id, or what the user must fix. Dates and amounts are read as
/// people type them ("March 2017", "£95k"); the draft itself stays as typed, for the form shown
/// again.
async fn save_form<R: Resource>(
    state: &AppState,
    me: &SignedIn,
    id: Option<&str>,
    draft: &R::Draft,
) -> AppResult<Result<String, FieldErrors>> {
    match records_service::save_typed::<R>(state, &me.user.id, id, draft, &typed_input(me)).await {
        Ok(id) => Ok(Ok(id)),
        Err(ServiceError::Invalid(errors)) => Ok(Err(errors)),
        Err(err) => Err(err.into()),
    }
}

// ---- HTML pages ----

pub async fn list_html<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let filter = query.filter_for(R::TABLE, HTML_PER_PAGE);
    let page = records_service::list::<R>(&state.db, &me.user.id, &filter).await?;
    let notice = NoticeQuery { notice: query.notice.clone() }.notice();
    let chrome = Chrome::new(&state, &me.visitor, R::TABLE.kind.plural_title(), section::<R>()).with_notice(notice);
    let edges = page_edges(&page.items, filter.pages_by_cursor(R::TABLE));
    let view = ListView {
        rows: page.items,
        total: page.total,
        page: filter.page,
        per_page: filter.per_page,
        label: filter.label,
        status: filter.status,
        done: filter.done,
        parent: R::TABLE.parent.zip(filter.parent).map(|((param, _), id)| (param, id)),
        all_labels: labels::list_for_user(state.db.pool(), &me.user.id).await?,
        path: R::TABLE.kind.path(),
        sort: filter.sort,
        sorts: R::TABLE.sorts,
        edges,
        // Only lists that say what is overdue need it (it may cost a query).
        today: if R::TABLE.has_done {
            crate::services::opportunities::today_for(&state, &me.user).await?.to_string()
        } else {
            String::new()
        },
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
    notice: NoticeQuery,
) -> AppResult<Response> {
    let kind = R::TABLE.kind;
    let title = match &view_id {
        Some(_) => format!("Edit {}", kind.singular()),
        None => format!("New {}", kind.singular()),
    };
    let chrome = Chrome::new(state, &me.visitor, title, section::<R>()).with_notice(notice.notice());
    let all_labels = labels::list_for_user(state.db.pool(), &me.user.id).await?;
    let view = FormView { draft, errors, id: view_id, all_labels };
    Ok((status, R::form_page(state, &me.user.id, chrome, view).await?).into_response())
}

pub async fn new_html<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Query(query): Query<NewQuery>,
) -> AppResult<Response> {
    let mut draft = R::new_draft(&state, &me.user.id, &query).await?;
    draft.prefill(&typed_input(&me));
    let notice = NoticeQuery { notice: query.notice.clone() };
    form_response::<R>(&state, &me, StatusCode::OK, None, draft, FieldErrors::new(), notice).await
}

pub async fn create_html<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Query(after): Query<AfterSave>,
    Form(draft): Form<R::Draft>,
) -> AppResult<Response> {
    match save_form::<R>(&state, &me, None, &draft).await? {
        Ok(_) if after.then.as_deref() == Some("another") => Ok(crate::web::respond::redirect(&R::another_url(&draft))),
        Ok(id) => Ok(crate::web::respond::redirect(&R::saved_url(&id, &draft))),
        Err(errors) => {
            form_response::<R>(
                &state,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                draft,
                errors,
                NoticeQuery::default(),
            )
            .await
        }
    }
}

pub async fn show_html<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Query(notice): Query<NoticeQuery>,
) -> AppResult<Response> {
    let row = load_one::<R>(&state, &me.user.id, &id).await?;
    let chrome = Chrome::new(&state, &me.visitor, R::title(&row), section::<R>()).with_notice(notice.notice());
    Ok(R::show_page(&state, &me.user.id, chrome, row, LabelForm::default()).await?.into_response())
}

pub async fn edit_html<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let row = load_one::<R>(&state, &me.user.id, &id).await?;
    form_response::<R>(
        &state,
        &me,
        StatusCode::OK,
        Some(id),
        R::draft_of(&row),
        FieldErrors::new(),
        NoticeQuery::default(),
    )
    .await
}

pub async fn update_html<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(draft): Form<R::Draft>,
) -> AppResult<Response> {
    valid_id(&id)?;
    match save_form::<R>(&state, &me, Some(&id), &draft).await? {
        Ok(id) => Ok(crate::web::respond::redirect(&R::saved_url(&id, &draft))),
        Err(errors) => {
            // The record must still be the user's before we show its edit form again.
            if !records_service::exists::<R>(&state.db, &me.user.id, &id).await? {
                return Err(AppError::NotFound);
            }
            form_response::<R>(
                &state,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(id),
                draft,
                errors,
                NoticeQuery::default(),
            )
            .await
        }
    }
}

pub async fn delete_html<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    records_service::delete::<R>(&state, &me.user.id, &id).await?;
    Ok(crate::web::respond::redirect(&format!("/{}?notice=deleted", R::TABLE.kind.path())))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddLabelForm {
    name: String,
}

/// The record page's "Add label" form: one label, new or existing, without opening the editor.
pub async fn add_label_html<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<AddLabelForm>,
) -> AppResult<Response> {
    match records_service::add_label::<R>(&state, &me.user.id, &id, &form.name).await {
        Ok(()) => {
            Ok(crate::web::respond::redirect(&format!("/{}/{id}?notice=label_added#labels", R::TABLE.kind.path())))
        }
        Err(ServiceError::Invalid(errors)) => {
            let row = load_one::<R>(&state, &me.user.id, &id).await?;
            let message = errors.get("name").unwrap_or("This label cannot be added.").to_owned();
            label_problem::<R>(&state, &me, row, form.name, message).await
        }
        Err(err) => Err(err.into()),
    }
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

pub async fn remove_label_html<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, label_id)): Path<(String, String)>,
) -> AppResult<Response> {
    records_service::remove_label::<R>(&state.db, &me.user.id, &id, &label_id).await?;
    Ok(crate::web::respond::redirect(&format!("/{}/{id}?notice=label_removed#labels", R::TABLE.kind.path())))
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

pub async fn list_api<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Query(query): Query<ListQuery>,
) -> AppResult<Json<ListBody<R::Row>>> {
    if R::TABLE.has_status && query.unknown_status() {
        let keys: Vec<&str> = OpportunityStatus::ALL.iter().map(|status| status.as_str()).collect();
        let message = format!("Use one of: {}.", keys.join(", "));
        return Err(AppError::Validation(FieldErrors::single("status", message)));
    }
    if R::TABLE.has_done && query.unknown_done() {
        return Err(AppError::Validation(FieldErrors::single("done", "Use true or false.")));
    }
    // The API pages by number only (its document names no cursor).
    let filter = ListFilter { cursor: None, ..query.filter_for(R::TABLE, HTML_PER_PAGE) };
    let page = records_service::list::<R>(&state.db, &me.user.id, &filter).await?;
    Ok(Json(ListBody { items: page.items, page: filter.page, per_page: filter.per_page, total: page.total }))
}

pub async fn create_api<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    ApiJson(write): ApiJson<R::Write>,
) -> AppResult<Response> {
    let row = records_service::create::<R>(&state, &me.user.id, write).await?;
    let location = format!("/api/v1/{}/{}", R::TABLE.kind.path(), row.id());
    Ok((StatusCode::CREATED, [(axum::http::header::LOCATION, location)], Json(row)).into_response())
}

pub async fn get_api<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Json<R::Row>> {
    Ok(Json(load_one::<R>(&state, &me.user.id, &id).await?))
}

pub async fn patch_api<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    ApiJson(write): ApiJson<R::Write>,
) -> AppResult<Json<R::Row>> {
    Ok(Json(records_service::patch::<R>(&state, &me.user.id, &id, write).await?))
}

pub async fn delete_api<R: Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    records_service::delete::<R>(&state, &me.user.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
