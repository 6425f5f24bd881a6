//! Uploaded files' records. The bytes live in the file store under `storage_key`; removing a
//! row queues its key in `file_deletions` in the same transaction, and the store is cleaned
//! from that queue.

use serde::Serialize;
use sqlx::{Any, AnyConnection, Executor, FromRow};
use utoipa::ToSchema;

use crate::clock::Timestamp;
use crate::domain::UserId;

pub const PURPOSE_JOURNAL_IMAGE: &str = "journal_image";
pub const PURPOSE_PROFILE_PHOTO: &str = "profile_photo";
/// A journal image uploaded before its entry's first save: the owner's only, until an entry
/// is saved with a link to it (then it is that entry's `journal_image`) or it expires.
pub const PURPOSE_JOURNAL_DRAFT: &str = "journal_draft";

/// A file attached to an opportunity (a resume sent, a cover letter, an offer letter, …).
pub const PURPOSE_OPPORTUNITY_DOCUMENT: &str = "opportunity_document";

/// Files one opportunity may carry.
pub const DOCUMENTS_PER_OPPORTUNITY_MAX: i64 = 50;

/// Draft images one user may have waiting at once.
pub const DRAFT_IMAGES_MAX: i64 = 30;

/// Images one journal entry may carry.
pub const IMAGES_PER_ENTRY_MAX: i64 = 30;

#[derive(Debug, Clone, FromRow)]
pub struct Upload {
    pub id: String,
    #[sqlx(try_from = "String")]
    pub user_id: UserId,
    pub purpose: String,
    pub journal_entry_id: Option<String>,
    pub storage_key: String,
    pub content_type: String,
    pub byte_size: i64,
    pub width: i64,
    pub height: i64,
    pub original_name: String,
    pub alt_text: String,
    pub created_at: Timestamp,
}

/// An image as a page or the API refers to it.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct ImageRef {
    #[schema(format = Uuid)]
    pub id: String,
    /// Where the image is served (only to those allowed to see it).
    #[sqlx(skip)]
    #[schema(format = "uri-reference")]
    pub url: String,
    pub width: i64,
    pub height: i64,
    /// A description for people who cannot see the image.
    pub alt_text: String,
    pub content_type: String,
    pub byte_size: i64,
}

impl From<Upload> for ImageRef {
    fn from(upload: Upload) -> Self {
        ImageRef {
            id: upload.id,
            url: String::new(),
            width: upload.width,
            height: upload.height,
            alt_text: upload.alt_text,
            content_type: upload.content_type,
            byte_size: upload.byte_size,
        }
        .with_url()
    }
}

impl ImageRef {
    /// The Markdown that shows this image inside an entry.
    pub fn markdown(&self) -> String {
        let alt: String = self.alt_text.chars().filter(|c| !matches!(c, '[' | ']' | '\\')).collect();
        format!("![{alt}]({})", self.url)
    }

    fn with_url(mut self) -> Self {
        self.url = format!("/files/{}", self.id);
        self
    }
}

const COLUMNS: &str = "id, user_id, purpose, journal_entry_id, storage_key, content_type, byte_size, width, height, \
                       original_name, alt_text, created_at";

/// Record an upload and claim its file from the removal queue (call in a transaction).
pub async fn insert(conn: &mut AnyConnection, upload: &Upload) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM file_deletions WHERE storage_key = $1")
        .bind(&upload.storage_key)
        .execute(&mut *conn)
        .await?;
    sqlx::query(&format!("INSERT INTO uploads ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"))
        .bind(&upload.id)
        .bind(&upload.user_id)
        .bind(&upload.purpose)
        .bind(upload.journal_entry_id.as_deref())
        .bind(&upload.storage_key)
        .bind(&upload.content_type)
        .bind(upload.byte_size)
        .bind(upload.width)
        .bind(upload.height)
        .bind(&upload.original_name)
        .bind(&upload.alt_text)
        .bind(upload.created_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Any upload by id, whoever owns it: for the file route, which then decides who may see it.
pub async fn find<'e>(ex: impl Executor<'e, Database = Any>, id: &str) -> Result<Option<Upload>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM uploads WHERE id = $1")).bind(id).fetch_optional(ex).await
}

/// The images of several entries at once, by entry id.
pub async fn images_of_entries<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    entry_ids: &[&str],
) -> Result<std::collections::HashMap<String, Vec<ImageRef>>, sqlx::Error> {
    let mut by_entry: std::collections::HashMap<String, Vec<ImageRef>> = std::collections::HashMap::new();
    if entry_ids.is_empty() {
        return Ok(by_entry);
    }
    let sql = format!(
        "SELECT journal_entry_id, id, width, height, alt_text, content_type, byte_size FROM uploads
         WHERE user_id = $1 AND journal_entry_id IN ({}) ORDER BY created_at, id",
        crate::db::placeholders(2, entry_ids.len())
    );
    let mut query = sqlx::query_as::<_, (String, String, i64, i64, String, String, i64)>(&sql).bind(user_id);
    for id in entry_ids {
        query = query.bind(*id);
    }
    for (entry, id, width, height, alt_text, content_type, byte_size) in query.fetch_all(ex).await? {
        let image = ImageRef { id, url: String::new(), width, height, alt_text, content_type, byte_size };
        by_entry.entry(entry).or_default().push(image.with_url());
    }
    Ok(by_entry)
}

pub async fn count_for_entry<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    entry_id: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM uploads WHERE user_id = $1 AND journal_entry_id = $2")
        .bind(user_id)
        .bind(entry_id)
        .fetch_one(ex)
        .await
}

/// Queue the files under `keys` for removal from the store at `now`, in the caller's transaction.
async fn queue_removals(conn: &mut AnyConnection, keys: &[String], now: Timestamp) -> Result<(), sqlx::Error> {
    for key in keys {
        sqlx::query("INSERT INTO file_deletions (storage_key, remove_after) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(key)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Delete upload rows matching `condition` (on the user's own uploads) and queue their files
/// for removal; returns the queued keys.
async fn delete_where(
    conn: &mut AnyConnection,
    condition: &str,
    user_id: &UserId,
    value: &str,
    now: Timestamp,
) -> Result<Vec<String>, sqlx::Error> {
    let keys: Vec<String> =
        sqlx::query_scalar(&format!("SELECT storage_key FROM uploads WHERE user_id = $1 AND {condition}"))
            .bind(user_id)
            .bind(value)
            .fetch_all(&mut *conn)
            .await?;
    queue_removals(&mut *conn, &keys, now).await?;
    sqlx::query(&format!("DELETE FROM uploads WHERE user_id = $1 AND {condition}"))
        .bind(user_id)
        .bind(value)
        .execute(&mut *conn)
        .await?;
    Ok(keys)
}

/// Delete one of the user's uploads; `None` when there is no such upload of theirs.
pub async fn delete_one(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    now: Timestamp,
) -> Result<Option<String>, sqlx::Error> {
    Ok(delete_where(conn, "id = $2", user_id, id, now).await?.into_iter().next())
}

pub async fn delete_for_entry(
    conn: &mut AnyConnection,
    user_id: &UserId,
    entry_id: &str,
    now: Timestamp,
) -> Result<Vec<String>, sqlx::Error> {
    delete_where(conn, "journal_entry_id = $2", user_id, entry_id, now).await
}

/// How many draft images the user has waiting.
pub async fn count_drafts<'e>(ex: impl Executor<'e, Database = Any>, user_id: &UserId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM uploads WHERE user_id = $1 AND purpose = $2")
        .bind(user_id)
        .bind(PURPOSE_JOURNAL_DRAFT)
        .fetch_one(ex)
        .await
}

/// Give the entry those of the user's draft images among `ids` (the ones its text links to),
/// as many as it has room for. Returns how many it took.
pub async fn claim_drafts(
    conn: &mut AnyConnection,
    user_id: &UserId,
    entry_id: &str,
    ids: &[String],
) -> Result<u64, sqlx::Error> {
    if ids.is_empty() {
        return Ok(0);
    }
    let room = IMAGES_PER_ENTRY_MAX - count_for_entry(&mut *conn, user_id, entry_id).await?;
    let ids: Vec<&String> = ids.iter().take(room.max(0) as usize).collect();
    if ids.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "UPDATE uploads SET purpose = $3, journal_entry_id = $4
         WHERE user_id = $1 AND purpose = $2 AND id IN ({})",
        crate::db::placeholders(5, ids.len())
    );
    let mut query =
        sqlx::query(&sql).bind(user_id).bind(PURPOSE_JOURNAL_DRAFT).bind(PURPOSE_JOURNAL_IMAGE).bind(entry_id);
    for id in ids {
        query = query.bind(id);
    }
    Ok(query.execute(conn).await?.rows_affected())
}

/// Remove every user's draft images made before `before` (no entry was saved with them) and
/// queue their files for removal. Returns how many went.
pub async fn delete_stale_drafts(
    conn: &mut AnyConnection,
    before: Timestamp,
    now: Timestamp,
) -> Result<u64, sqlx::Error> {
    // One statement that deletes and names what it deleted: a draft an entry takes meanwhile
    // is no longer a draft, so it cannot be removed by mistake.
    let keys: Vec<String> =
        sqlx::query_scalar("DELETE FROM uploads WHERE purpose = $1 AND created_at < $2 RETURNING storage_key")
            .bind(PURPOSE_JOURNAL_DRAFT)
            .bind(before)
            .fetch_all(&mut *conn)
            .await?;
    queue_removals(&mut *conn, &keys, now).await?;
    Ok(keys.len() as u64)
}

/// Files due to be removed from the store, oldest first.
pub async fn due_deletions<'e>(
    ex: impl Executor<'e, Database = Any>,
    now: Timestamp,
    limit: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT storage_key FROM file_deletions WHERE remove_after <= $1 ORDER BY remove_after LIMIT $2")
        .bind(now)
        .bind(limit)
        .fetch_all(ex)
        .await
}

/// Before a new file is written: if its row never arrives (a crash, a failed insert), the file
/// is removed after `after`. Inserting the row claims the file (see [`insert`]).
pub async fn expect_file<'e>(
    ex: impl Executor<'e, Database = Any>,
    key: &str,
    after: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO file_deletions (storage_key, remove_after) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(key)
        .bind(after)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn deletion_done<'e>(ex: impl Executor<'e, Database = Any>, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM file_deletions WHERE storage_key = $1").bind(key).execute(ex).await?;
    Ok(())
}

/// Is this journal entry on its owner's public journal? For serving its images to visitors.
pub async fn entry_is_public<'e>(ex: impl Executor<'e, Database = Any>, entry_id: &str) -> Result<bool, sqlx::Error> {
    let public: Option<i64> = sqlx::query_scalar(
        "SELECT e.is_public * p.journal_public FROM journal_entries e JOIN profiles p ON p.user_id = e.user_id
         WHERE e.id = $1",
    )
    .bind(entry_id)
    .fetch_optional(ex)
    .await?;
    Ok(public == Some(1))
}

/// A file attached to an opportunity, as its page and the API list it.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Document {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub opportunity_id: String,
    /// `resume_sent`, `cover_letter`, `offer_letter` or `other`.
    #[sqlx(rename = "document_kind")]
    #[sqlx(try_from = "String")]
    #[schema(schema_with = document_kind)]
    pub kind: crate::domain::offers::DocumentKind,
    pub note: String,
    /// The name it was uploaded with, made safe (ASCII letters, digits, `.`, `-`, `_`).
    #[sqlx(rename = "original_name")]
    pub file_name: String,
    /// The type its content was found to be.
    pub content_type: String,
    pub byte_size: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[serde(skip)]
    pub storage_key: String,
}

fn document_kind() -> utoipa::openapi::schema::Object {
    let kinds = crate::domain::offers::DocumentKind::ALL.iter().map(|k| k.as_str());
    crate::domain::schema::choice(kinds, false, false, "What the file is.")
}

impl Document {
    pub fn kind_name(&self) -> &'static str {
        self.kind.label()
    }
    pub fn size(&self) -> String {
        crate::domain::fields::human_size(self.byte_size.max(0) as usize)
    }
    pub fn added(&self) -> String {
        self.created_at.human()
    }
}

const DOCUMENT_COLUMNS: &str =
    "id, opportunity_id, document_kind, note, original_name, content_type, byte_size, created_at, storage_key";

/// Record a document and claim its file from the removal queue (call in a transaction).
pub async fn insert_document(
    conn: &mut AnyConnection,
    user_id: &UserId,
    document: &Document,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM file_deletions WHERE storage_key = $1")
        .bind(&document.storage_key)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO uploads (id, user_id, purpose, opportunity_id, document_kind, note, storage_key, content_type,
                 byte_size, width, height, original_name, alt_text, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 0, $10, '', $11)",
    )
    .bind(&document.id)
    .bind(user_id)
    .bind(PURPOSE_OPPORTUNITY_DOCUMENT)
    .bind(&document.opportunity_id)
    .bind(document.kind.as_str())
    .bind(&document.note)
    .bind(&document.storage_key)
    .bind(&document.content_type)
    .bind(document.byte_size)
    .bind(&document.file_name)
    .bind(document.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// An opportunity's documents, oldest first.
pub async fn documents_of<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    opportunity_id: &str,
) -> Result<Vec<Document>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {DOCUMENT_COLUMNS} FROM uploads WHERE user_id = $1 AND opportunity_id = $2 AND purpose = $3
         ORDER BY created_at, id LIMIT $4"
    ))
    .bind(user_id)
    .bind(opportunity_id)
    .bind(PURPOSE_OPPORTUNITY_DOCUMENT)
    .bind(DOCUMENTS_PER_OPPORTUNITY_MAX)
    .fetch_all(ex)
    .await
}

/// One of an opportunity's documents, if it is the user's.
pub async fn find_document<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    opportunity_id: &str,
    id: &str,
) -> Result<Option<Document>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {DOCUMENT_COLUMNS} FROM uploads
         WHERE user_id = $1 AND opportunity_id = $2 AND id = $3 AND purpose = $4"
    ))
    .bind(user_id)
    .bind(opportunity_id)
    .bind(id)
    .bind(PURPOSE_OPPORTUNITY_DOCUMENT)
    .fetch_optional(ex)
    .await
}

pub async fn count_documents<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    opportunity_id: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM uploads WHERE user_id = $1 AND opportunity_id = $2")
        .bind(user_id)
        .bind(opportunity_id)
        .fetch_one(ex)
        .await
}

/// Delete an opportunity's documents and queue their files for removal; returns the keys.
pub async fn delete_for_opportunity(
    conn: &mut AnyConnection,
    user_id: &UserId,
    opportunity_id: &str,
    now: Timestamp,
) -> Result<Vec<String>, sqlx::Error> {
    delete_where(conn, "opportunity_id = $2", user_id, opportunity_id, now).await
}
