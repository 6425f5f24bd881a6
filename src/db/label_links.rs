//! Bulk label linking's batches: which links one run added, so that exactly those can be
//! undone; and the lookups linking needs (the most recently changed records, the links a
//! record has).

use serde::Serialize;
use sqlx::{Any, AnyConnection, Executor, FromRow};
use utoipa::ToSchema;

use crate::clock::Timestamp;
use crate::db::lists::Table;
use crate::domain::UserId;

/// A bulk run's batch as the API answers it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkBatch {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// How many records were read.
    pub records_sent: i64,
    /// The links this batch added (and that undoing it removes).
    pub links: Vec<BatchLink>,
}

/// One link a batch added.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct BatchLink {
    #[schema(format = Uuid)]
    pub label_id: String,
    pub label_name: String,
    /// `experience`, `journal_entry`…
    pub record_kind: String,
    #[schema(format = Uuid)]
    pub record_id: String,
    /// Why the model linked them.
    pub reason: String,
}

/// `(kind, id)` of the user's most recently changed records in `tables`, newest first.
pub async fn recent_records<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    tables: &[&Table],
    limit: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let union = tables
        .iter()
        .map(|table| {
            format!("SELECT '{}' AS kind, id, updated_at FROM {} WHERE user_id = $1", table.kind.as_str(), table.name)
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as(&format!("SELECT kind, id, updated_at FROM ({union}) r ORDER BY updated_at DESC, id LIMIT $2"))
            .bind(user_id)
            .bind(limit)
            .fetch_all(ex)
            .await?;
    Ok(rows.into_iter().map(|(kind, id, _)| (kind, id)).collect())
}

/// Link a label to a record at `now`, unless it is linked already; answers whether it was new.
pub async fn link_if_new(
    conn: &mut AnyConnection,
    user_id: &UserId,
    label_id: &str,
    kind: &str,
    record_id: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO record_labels (label_id, user_id, record_kind, record_id, created_at)
         SELECT id, user_id, $3, $4, $5 FROM labels WHERE user_id = $1 AND id = $2
         ON CONFLICT DO NOTHING",
    )
    .bind(user_id)
    .bind(label_id)
    .bind(kind)
    .bind(record_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_batch(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    now: Timestamp,
    records_sent: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO label_link_batches (id, user_id, created_at, records_sent) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(user_id)
        .bind(now)
        .bind(records_sent)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_item(
    conn: &mut AnyConnection,
    user_id: &UserId,
    batch_id: &str,
    label_id: &str,
    kind: &str,
    record_id: &str,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO label_link_batch_items (batch_id, user_id, label_id, record_kind, record_id, reason)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(batch_id)
    .bind(user_id)
    .bind(label_id)
    .bind(kind)
    .bind(record_id)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(())
}

/// One of the user's batches with its links, or `None`.
pub async fn get_batch(conn: &mut AnyConnection, user_id: &UserId, id: &str) -> Result<Option<LinkBatch>, sqlx::Error> {
    let Some((created_at, records_sent)): Option<(i64, i64)> =
        sqlx::query_as("SELECT created_at, records_sent FROM label_link_batches WHERE user_id = $1 AND id = $2")
            .bind(user_id)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
    else {
        return Ok(None);
    };
    let links: Vec<BatchLink> = sqlx::query_as(
        "SELECT i.label_id, l.name AS label_name, i.record_kind, i.record_id, i.reason
         FROM label_link_batch_items i JOIN labels l ON l.id = i.label_id
         WHERE i.user_id = $1 AND i.batch_id = $2 ORDER BY l.name_key, i.record_kind, i.record_id",
    )
    .bind(user_id)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(LinkBatch { id: id.to_owned(), created_at: Timestamp(created_at), records_sent, links }))
}

/// Remove the links the batch added that are still as it made them (a link the user removed
/// and put back since is theirs, made later), then the batch. Answers how many links went, or
/// `None` when the batch is not the user's.
pub async fn undo_batch(conn: &mut AnyConnection, user_id: &UserId, id: &str) -> Result<Option<u64>, sqlx::Error> {
    let created_at: Option<i64> =
        sqlx::query_scalar("SELECT created_at FROM label_link_batches WHERE user_id = $1 AND id = $2")
            .bind(user_id)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(created_at) = created_at else { return Ok(None) };
    let removed = sqlx::query(
        "DELETE FROM record_labels WHERE user_id = $1 AND created_at = $3 AND EXISTS (
             SELECT 1 FROM label_link_batch_items i
             WHERE i.batch_id = $2 AND i.user_id = $1 AND i.label_id = record_labels.label_id
               AND i.record_kind = record_labels.record_kind AND i.record_id = record_labels.record_id)",
    )
    .bind(user_id)
    .bind(id)
    .bind(created_at)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    // Items first: the key would cascade, but saying it keeps the order plain on both databases.
    sqlx::query("DELETE FROM label_link_batch_items WHERE user_id = $1 AND batch_id = $2")
        .bind(user_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM label_link_batches WHERE user_id = $1 AND id = $2")
        .bind(user_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(Some(removed))
}

/// Forget batches made before `before` (their links stay): they can no longer be undone.
pub async fn delete_older_than(conn: &mut AnyConnection, before: Timestamp) -> Result<u64, sqlx::Error> {
    sqlx::query(
        "DELETE FROM label_link_batch_items
         WHERE batch_id IN (SELECT id FROM label_link_batches WHERE created_at < $1)",
    )
    .bind(before)
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query("DELETE FROM label_link_batches WHERE created_at < $1").bind(before).execute(conn).await?;
    Ok(done.rows_affected())
}
