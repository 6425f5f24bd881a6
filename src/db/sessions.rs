//! Server-side sessions. The cookie carries a random token; the table keeps only its hash, so a
//! copy of the database cannot be replayed as a cookie.

use sqlx::{Any, Executor, FromRow};

use crate::clock::Timestamp;

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    id_hash: &str,
    user_id: &str,
    csrf_token: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(id_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn find<'e>(ex: impl Executor<'e, Database = Any>, id_hash: &str) -> Result<Option<SessionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions WHERE id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(ex)
    .await
}

pub async fn touch<'e>(
    ex: impl Executor<'e, Database = Any>,
    id_hash: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2").bind(now).bind(id_hash).execute(ex).await?;
    Ok(())
}

pub async fn delete<'e>(ex: impl Executor<'e, Database = Any>, id_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(ex).await?;
    Ok(())
}

/// End every session of the user except `keep` (the one making the request, if any).
pub async fn delete_all_for_user<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &str,
    keep: Option<&str>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .execute(ex)
        .await?;
    Ok(done.rows_affected())
}

pub async fn count_for_user<'e>(ex: impl Executor<'e, Database = Any>, user_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1").bind(user_id).fetch_one(ex).await
}

/// Delete sessions past their absolute expiry or idle since `idle_cutoff`.
pub async fn delete_expired<'e>(
    ex: impl Executor<'e, Database = Any>,
    now: Timestamp,
    idle_cutoff: Timestamp,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(idle_cutoff)
        .execute(ex)
        .await?;
    Ok(done.rows_affected())
}
