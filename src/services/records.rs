//! The one write path for every kind of record: pages, the API, importers and background work
//! all create, change and delete records through these functions, so the rules (validation,
//! checks against the user's other records, label quotas, what a broken database rule means)
//! hold however a record arrives.
//!
//! A kind of record implements [`RecordType`]: its table, its draft and how the draft is
//! validated and written. Every lookup goes through the owner's id, so another user's id is
//! simply not found.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, FromRow};

use crate::clock::Timestamp;
use crate::db::labels::{self, LabelChip};
use crate::db::lists::{self, ListFilter, Page, Table};
use crate::db::{new_id, search, Db};
use crate::domain::fields::{self, name_key};
use crate::domain::lenient::TypedInput;
use crate::domain::records::{Draft, RecordKind};
use crate::domain::search::SearchText;
use crate::domain::FieldErrors;
use crate::domain::UserId;
use crate::services::error::rejected_write;
use crate::services::{uploads, Handles, ServiceError, ServiceResult};

pub mod kinds;

/// A stored record as pages and the API show it: its id and the labels on it.
pub trait Labelled {
    fn id(&self) -> &str;
    fn labels(&self) -> &[LabelChip];
    fn set_labels(&mut self, labels: Vec<LabelChip>);
}

#[macro_export]
macro_rules! labelled {
    ($($row:ty),+) => {$(
        impl $crate::services::records::Labelled for $row {
            fn id(&self) -> &str { &self.id }
            fn labels(&self) -> &[$crate::db::labels::LabelChip] { &self.labels }
            fn set_labels(&mut self, labels: Vec<$crate::db::labels::LabelChip>) { self.labels = labels; }
        }
    )+};
}

/// One kind of record: where it is kept, how it is typed, checked and written.
#[async_trait::async_trait]
pub trait RecordType: Send + Sync + Sized + 'static {
    const TABLE: &'static Table;
    /// Whether its records carry labels.
    const LABELLED: bool = true;
    type Row: for<'r> FromRow<'r, AnyRow> + Labelled + Serialize + Clone + Send + Sync + Unpin + 'static;
    /// The record as typed into a form (and the base an API PATCH is applied to).
    type Draft: Draft<Write = Self::Write, Input = Self::Input> + DeserializeOwned + Clone + Send + Sync + 'static;
    /// The API's JSON body for create and PATCH.
    type Write: DeserializeOwned + Send + 'static;
    /// A validated draft: clean values only.
    type Input: Send + Sync + 'static;

    /// A new record's draft; `now` gives a journal entry today's date.
    fn blank(now: Timestamp) -> Self::Draft;
    fn draft_of(row: &Self::Row) -> Self::Draft;
    fn label_names(input: &Self::Input) -> &[String];

    /// Checks that need the database, such as links to the user's own records.
    async fn check(_db: &Db, _user_id: &UserId, _input: &Self::Input) -> ServiceResult<FieldErrors> {
        Ok(FieldErrors::new())
    }
    /// The field and message for a unique-constraint violation on save.
    fn conflict(_input: &Self::Input) -> Option<(&'static str, String)> {
        None
    }
    async fn insert(
        conn: &mut AnyConnection,
        user_id: &UserId,
        id: &str,
        input: &Self::Input,
        now: Timestamp,
    ) -> Result<(), sqlx::Error>;
    async fn update(
        conn: &mut AnyConnection,
        user_id: &UserId,
        id: &str,
        input: &Self::Input,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error>;
    /// Runs in the delete transaction before the row goes; returns storage keys queued for
    /// removal from the file store.
    async fn before_delete(
        _conn: &mut AnyConnection,
        _user_id: &UserId,
        _id: &str,
        _now: Timestamp,
    ) -> Result<Vec<String>, sqlx::Error> {
        Ok(Vec::new())
    }
    /// What the search box finds a record by. By default the row's text: its `title`, `name`
    /// or `role` as the title and its other text fields as the body (not ids, dates, times or
    /// addresses), so a new kind is found without writing anything; a kind with a better title
    /// says so here.
    fn search_text(row: &Self::Row) -> SearchText {
        search_text_of_fields(row)
    }
    /// Index again the records whose text shows part of this one (an opportunity's interviews
    /// carry its company), in the same transaction.
    async fn index_related(
        _conn: &mut AnyConnection,
        _user_id: &UserId,
        _id: &str,
        _now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        Ok(())
    }
    /// Add what rows carry beyond their columns and labels (a journal entry's images).
    async fn enrich(_db: &Db, _user_id: &UserId, _rows: &mut [Self::Row]) -> ServiceResult<()> {
        Ok(())
    }
}

/// Ids are UUIDs; anything else names nothing, without asking the database.
pub fn valid_id(id: &str) -> ServiceResult<()> {
    uuid::Uuid::parse_str(id).map(|_| ()).map_err(|_| ServiceError::NotFound)
}

/// Put each row's labels on it, in one query; for visitors (`public_only`) only public ones.
pub async fn attach_labels<L: Labelled>(
    db: &Db,
    user_id: &UserId,
    kind: RecordKind,
    rows: &mut [L],
    public_only: bool,
) -> ServiceResult<()> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id()).collect();
    let mut chips: HashMap<String, Vec<LabelChip>> = labels::chips_for_records(db.pool(), user_id, kind, &ids).await?;
    for row in rows.iter_mut() {
        let mut labels = chips.remove(row.id()).unwrap_or_default();
        if public_only {
            labels.retain(|l| l.is_public.get());
        }
        row.set_labels(labels);
    }
    Ok(())
}

async fn complete<K: RecordType>(db: &Db, user_id: &UserId, rows: &mut [K::Row]) -> ServiceResult<()> {
    if K::LABELLED {
        attach_labels(db, user_id, K::TABLE.kind, rows, false).await?;
    }
    K::enrich(db, user_id, rows).await
}

/// One page of the user's records of a kind, with their labels.
pub async fn list<K: RecordType>(db: &Db, user_id: &UserId, filter: &ListFilter) -> ServiceResult<Page<K::Row>> {
    let mut page: Page<K::Row> = lists::list(db.pool(), K::TABLE, user_id, filter).await?;
    complete::<K>(db, user_id, &mut page.items).await?;
    Ok(page)
}

/// One of the user's records with its labels.
pub async fn get<K: RecordType>(db: &Db, user_id: &UserId, id: &str) -> ServiceResult<K::Row> {
    valid_id(id)?;
    let mut row: K::Row = lists::get(db.pool(), K::TABLE, user_id, id).await?.ok_or(ServiceError::NotFound)?;
    complete::<K>(db, user_id, std::slice::from_mut(&mut row)).await?;
    Ok(row)
}

/// Is this id one of the user's records of this kind?
pub async fn exists<K: RecordType>(db: &Db, user_id: &UserId, id: &str) -> ServiceResult<bool> {
    Ok(uuid::Uuid::parse_str(id).is_ok() && lists::exists(db.pool(), K::TABLE, user_id, id).await?)
}

/// One of the user's records of this kind, or [`ServiceError::NotFound`]: for a use case that
/// needs only to know the record is there and the user's, without loading it.
pub async fn require<K: RecordType>(db: &Db, user_id: &UserId, id: &str) -> ServiceResult<()> {
    if exists::<K>(db, user_id, id).await? {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// Validate a draft and save it as a new record (`id` None) or over an existing one; answers the
/// record's id. What the user must fix comes back as [`ServiceError::Invalid`].
pub async fn save<K: RecordType>(
    handles: &Handles,
    user_id: &UserId,
    id: Option<&str>,
    draft: &K::Draft,
) -> ServiceResult<String> {
    if let Some(id) = id {
        valid_id(id)?;
    }
    let input = checked::<K>(handles, user_id, draft.clone(), None).await?.map_err(ServiceError::Invalid)?;
    let now = handles.clock.now();
    let mut tx = handles.db.begin_write().await?;
    let record_id = write_checked::<K>(&mut tx, user_id, id, &input, now).await?;
    tx.commit().await?;
    Ok(record_id)
}

/// Write a validated and checked record inside the caller's transaction: its row, its labels
/// and its search text. [`save`] is this in a transaction of its own; an import applies many
/// records in one, so that they are all written or none is.
pub(crate) async fn write_checked<K: RecordType>(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: Option<&str>,
    input: &K::Input,
    now: Timestamp,
) -> ServiceResult<String> {
    let names = K::label_names(input);
    if labels::count_after_adding(&mut *conn, user_id, names).await? > labels::MAX_PER_USER {
        let message = format!("You have {} labels, the most allowed. Use existing ones.", labels::MAX_PER_USER);
        return Err(ServiceError::field("labels", message));
    }
    let record_id = id.map(str::to_owned).unwrap_or_else(new_id);
    let saved = match id {
        None => K::insert(&mut *conn, user_id, &record_id, input, now).await.map(|()| true),
        Some(id) => K::update(&mut *conn, user_id, id, input, now).await,
    };
    match saved {
        Ok(true) => {}
        Ok(false) => return Err(ServiceError::NotFound),
        Err(err) => return Err(rejected_write(err, K::conflict(input))),
    }
    if K::LABELLED {
        labels::set_for_record(&mut *conn, user_id, K::TABLE.kind, &record_id, names, now).await?;
    }
    index::<K>(&mut *conn, user_id, &record_id, now).await?;
    K::index_related(&mut *conn, user_id, &record_id, now).await?;
    Ok(record_id)
}

/// Save a draft as a form typed it: dates and amounts read as people write them (see
/// [`Draft::read_typed`]) on a copy, so the form shown again after a mistake has exactly what
/// was typed. A field that could not be read shows the reader's message; every other field's
/// message comes with it. The API does not come here: it takes the canonical forms.
pub async fn save_typed<K: RecordType>(
    handles: &Handles,
    user_id: &UserId,
    id: Option<&str>,
    draft: &K::Draft,
    typed: &TypedInput,
) -> ServiceResult<String> {
    if let Some(id) = id {
        valid_id(id)?;
    }
    let input = checked::<K>(handles, user_id, draft.clone(), Some(typed)).await?.map_err(ServiceError::Invalid)?;
    let now = handles.clock.now();
    let mut tx = handles.db.begin_write().await?;
    let record_id = write_checked::<K>(&mut tx, user_id, id, &input, now).await?;
    tx.commit().await?;
    Ok(record_id)
}

/// A draft validated and checked as a save checks it, or what the user must fix. With `typed`,
/// its dates and amounts are first read as people write them; a field that could not be read
/// shows the reader's message. Saves and the resume import's apply both come here.
pub(crate) async fn checked<K: RecordType>(
    handles: &Handles,
    user_id: &UserId,
    mut draft: K::Draft,
    typed: Option<&TypedInput>,
) -> ServiceResult<Result<K::Input, FieldErrors>> {
    let unread = typed.map(|typed| draft.read_typed(typed)).unwrap_or_default();
    if !unread.is_empty() {
        let mut errors = draft.validate().err().unwrap_or_default();
        errors.overlay(unread);
        return Ok(Err(errors));
    }
    let input = match draft.validate() {
        Ok(input) => input,
        Err(errors) => return Ok(Err(errors)),
    };
    let errors = K::check(&handles.db, user_id, &input).await?;
    Ok(if errors.is_empty() { Ok(input) } else { Err(errors) })
}

/// Put a record's current text in the search index, read back as saved (with what its table
/// joins in, such as an interview's company), in the transaction that saved it.
pub(crate) async fn index<K: RecordType>(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let Some(row) = lists::get::<K::Row>(&mut *conn, K::TABLE, user_id, id).await? else { return Ok(()) };
    let text = K::search_text(&row);
    search::index_for(crate::db::kind_of(conn)).put(conn, user_id, K::TABLE.kind, id, &text, now).await
}

/// The default [`RecordType::search_text`]: the row's text fields, as its JSON has them.
fn search_text_of_fields<R: Serialize>(row: &R) -> SearchText {
    let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(row) else { return SearchText::default() };
    let text = |key: &str| fields.get(key).and_then(|v| v.as_str()).unwrap_or_default();
    let title_key = ["title", "name", "role"].into_iter().find(|key| !text(key).is_empty()).unwrap_or("title");
    let not_text =
        |key: &str| key == "id" || key == title_key || key == "slug" || key.ends_with("_id") || key.ends_with("url");
    let body = fields
        .iter()
        .filter(|(key, _)| !not_text(key))
        .filter_map(|(_, value)| match value {
            serde_json::Value::String(text) if !looks_like_date_or_time(text) => Some(text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>();
    SearchText::new(text(title_key), body)
}

/// `2026-03-15`, `2026-03` or a time as the API writes it: not words anyone searches for.
fn looks_like_date_or_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 7 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-'
}

/// Create a record from an API body (or an importer's): the blank draft with the body applied.
pub async fn create<K: RecordType>(handles: &Handles, user_id: &UserId, write: K::Write) -> ServiceResult<K::Row> {
    let mut draft = K::blank(handles.clock.now());
    draft.apply(write);
    let id = save::<K>(handles, user_id, None, &draft).await?;
    get::<K>(&handles.db, user_id, &id).await
}

/// Change only the fields an API body names; `null` clears an optional one.
pub async fn patch<K: RecordType>(
    handles: &Handles,
    user_id: &UserId,
    id: &str,
    write: K::Write,
) -> ServiceResult<K::Row> {
    let row = get::<K>(&handles.db, user_id, id).await?;
    let mut draft = K::draft_of(&row);
    draft.apply(write);
    save::<K>(handles, user_id, Some(id), &draft).await?;
    get::<K>(&handles.db, user_id, id).await
}

/// Delete a record, its labels and (through `before_delete`) what hangs off it, files included.
pub async fn delete<K: RecordType>(handles: &Handles, user_id: &UserId, id: &str) -> ServiceResult<()> {
    valid_id(id)?;
    let now = handles.clock.now();
    let mut tx = handles.db.begin_write().await?;
    if !lists::exists(&mut *tx, K::TABLE, user_id, id).await? {
        return Err(ServiceError::NotFound);
    }
    let queued = K::before_delete(&mut tx, user_id, id, now).await?;
    search::forget(&mut tx, user_id, K::TABLE.kind, id).await?;
    lists::delete(&mut tx, K::TABLE, user_id, id).await?;
    tx.commit().await?;
    uploads::remove_files_soon(handles, queued);
    Ok(())
}

/// Put one label, new or existing, on a record. A name that cannot be used comes back as
/// [`ServiceError::Invalid`] on the field `name`.
pub async fn add_label<K: RecordType>(handles: &Handles, user_id: &UserId, id: &str, typed: &str) -> ServiceResult<()> {
    if !K::LABELLED {
        return Err(ServiceError::NotFound);
    }
    let row = get::<K>(&handles.db, user_id, id).await?;
    let name = fields::label_name(typed).map_err(|message| ServiceError::field("name", message))?;
    if row.labels().iter().any(|l| name_key(&l.name) == name_key(&name)) {
        return Ok(());
    }
    let mut tx = handles.db.begin_write().await?;
    if labels::count_on_record(&mut *tx, user_id, K::TABLE.kind, id).await? >= fields::LABELS_PER_RECORD_MAX as i64 {
        let message = format!("At most {} labels on one record.", fields::LABELS_PER_RECORD_MAX);
        return Err(ServiceError::field("name", message));
    }
    if labels::count_after_adding(&mut tx, user_id, std::slice::from_ref(&name)).await? > labels::MAX_PER_USER {
        let message = format!("You have {} labels, the most allowed. Use an existing one.", labels::MAX_PER_USER);
        return Err(ServiceError::field("name", message));
    }
    labels::add_to_record(&mut tx, user_id, K::TABLE.kind, id, &name, handles.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Take a label off a record (the label itself stays).
pub async fn remove_label<K: RecordType>(db: &Db, user_id: &UserId, id: &str, label_id: &str) -> ServiceResult<()> {
    if !K::LABELLED {
        return Err(ServiceError::NotFound);
    }
    valid_id(id)?;
    valid_id(label_id)?;
    if !labels::remove_from_record(db.pool(), user_id, K::TABLE.kind, id, label_id).await? {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}

/// Labels joined for a form's text field.
pub fn label_text(labels: &[LabelChip]) -> String {
    labels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(", ")
}

/// A kind of record contacts can be connected to: opportunities, and interviews (as interviewers).
pub trait HasContacts: RecordType {
    const LINK: crate::db::contacts::LinkedTo;
}

/// Connect one of the user's contacts with one of their records (again is harmless).
pub async fn connect_contact<K: HasContacts>(
    handles: &Handles,
    user_id: &UserId,
    id: &str,
    contact_id: &str,
) -> ServiceResult<()> {
    require::<K>(&handles.db, user_id, id).await?;
    require::<kinds::Contacts>(&handles.db, user_id, contact_id).await?;
    let mut tx = handles.db.begin_write().await?;
    crate::db::contacts::link_contact(&mut tx, user_id, K::LINK, id, contact_id, handles.clock.now())
        .await
        // One of the two was deleted a moment ago.
        .map_err(crate::services::error::gone_or)?;
    tx.commit().await?;
    Ok(())
}

/// Make a new contact from `draft` and connect it to one of the user's records: the picker's
/// "someone new" (an interviewer met for the first time). Nothing is made when the record is
/// not the user's. Returns the new contact's id.
pub async fn create_and_connect_contact<K: HasContacts>(
    handles: &Handles,
    user_id: &UserId,
    id: &str,
    draft: &crate::domain::contacts::ContactDraft,
) -> ServiceResult<String> {
    require::<K>(&handles.db, user_id, id).await?;
    let contact_id = save::<kinds::Contacts>(handles, user_id, None, draft).await?;
    connect_contact::<K>(handles, user_id, id, &contact_id).await?;
    Ok(contact_id)
}

/// Disconnect a contact from one of the user's records.
pub async fn disconnect_contact<K: HasContacts>(
    db: &Db,
    user_id: &UserId,
    id: &str,
    contact_id: &str,
) -> ServiceResult<()> {
    require::<K>(db, user_id, id).await?;
    valid_id(contact_id)?;
    if !crate::db::contacts::unlink_contact(db.pool(), user_id, K::LINK, id, contact_id).await? {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}
