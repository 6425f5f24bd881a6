//! Full exports built in the background: one row per request, its ZIP in the file store.

use sqlx::{Any, Executor, FromRow};

use crate::clock::Timestamp;
use crate::domain::UserId;

pub const BUILDING: &str = "building";
pub const READY: &str = "ready";
pub const FAILED: &str = "failed";

#[derive(Debug, Clone, FromRow)]
pub struct DataExport {
    pub id: String,
    pub state: String,
    /// 0–100.
    pub progress: i64,
    pub storage_key: String,
    pub byte_size: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub expires_at: Timestamp,
}

const COLUMNS: &str = "id, state, progress, storage_key, byte_size, created_at, updated_at, expires_at";

pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    user_id: &UserId,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO data_exports (id, user_id, state, progress, storage_key, byte_size, created_at, updated_at, expires_at)
         VALUES ($1, $2, $3, 0, '', 0, $4, $4, $5)",
    )
    .bind(id)
    .bind(user_id)
    .bind(BUILDING)
    .bind(now)
    .bind(expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

/// One of the user's exports (another user's id is not found).
pub async fn find<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    id: &str,
) -> Result<Option<DataExport>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM data_exports WHERE id = $1 AND user_id = $2"))
        .bind(id)
        .bind(user_id)
        .fetch_optional(ex)
        .await
}

/// The user's exports still kept, newest first.
pub async fn list_for_user<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    now: Timestamp,
) -> Result<Vec<DataExport>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM data_exports WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC, id DESC"
    ))
    .bind(user_id)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// How many of the user's exports are being built now.
pub async fn count_building<'e>(ex: impl Executor<'e, Database = Any>, user_id: &UserId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM data_exports WHERE user_id = $1 AND state = $2")
        .bind(user_id)
        .bind(BUILDING)
        .fetch_one(ex)
        .await
}

pub async fn set_progress<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    id: &str,
    progress: i64,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE data_exports SET progress = $1, updated_at = $2 WHERE id = $3 AND user_id = $4 AND state = $5")
        .bind(progress)
        .bind(now)
        .bind(id)
        .bind(user_id)
        .bind(BUILDING)
        .execute(ex)
        .await?;
    Ok(())
}

/// The ZIP is in the store under `key`. False when the row is gone (the account was deleted).
pub async fn mark_ready<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    id: &str,
    key: &str,
    byte_size: i64,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE data_exports SET state = $1, progress = 100, storage_key = $2, byte_size = $3, updated_at = $4
         WHERE id = $5 AND user_id = $6",
    )
    .bind(READY)
    .bind(key)
    .bind(byte_size)
    .bind(now)
    .bind(id)
    .bind(user_id)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark_failed<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    id: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE data_exports SET state = $1, updated_at = $2 WHERE id = $3 AND user_id = $4")
        .bind(FAILED)
        .bind(now)
        .bind(id)
        .bind(user_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Builds that stopped moving before `before` (their instance died): failed.
pub async fn fail_stalled<'e>(
    ex: impl Executor<'e, Database = Any>,
    before: Timestamp,
    now: Timestamp,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE data_exports SET state = $1, updated_at = $2 WHERE state = $3 AND updated_at < $4")
        .bind(FAILED)
        .bind(now)
        .bind(BUILDING)
        .bind(before)
        .execute(ex)
        .await?;
    Ok(done.rows_affected())
}

/// Exports past their time: their rows are deleted; answers the keys of their files.
pub async fn delete_expired(conn: &mut sqlx::AnyConnection, now: Timestamp) -> Result<Vec<String>, sqlx::Error> {
    let keys: Vec<String> = sqlx::query_scalar("SELECT storage_key FROM data_exports WHERE expires_at <= $1")
        .bind(now)
        .fetch_all(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM data_exports WHERE expires_at <= $1").bind(now).execute(&mut *conn).await?;
    Ok(keys.into_iter().filter(|k| !k.is_empty()).collect())
}

/// The keys of the user's export files (for the account's deletion).
pub async fn keys_of_user<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<Vec<String>, sqlx::Error> {
    let keys: Vec<String> = sqlx::query_scalar("SELECT storage_key FROM data_exports WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(ex)
        .await?;
    Ok(keys.into_iter().filter(|k| !k.is_empty()).collect())
}

/// The keys of the user's uploaded files.
pub async fn upload_keys_of_user<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT storage_key FROM uploads WHERE user_id = $1 ORDER BY id")
        .bind(user_id)
        .fetch_all(ex)
        .await
}
