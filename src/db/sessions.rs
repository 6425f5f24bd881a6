//! Server-side sessions. The cookie carries a random token; the table keeps only its hash, so a
//! copy of the database cannot be replayed as a cookie.

use sqlx::{Any, Executor, FromRow};

use crate::clock::Timestamp;
use crate::db::accounts::User;
use crate::domain::UserId;

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    #[sqlx(try_from = "String")]
    pub user_id: UserId,
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    id_hash: &str,
    user_id: &UserId,
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

/// A session with the user it belongs to, in one query (this runs on every signed-in request).
#[derive(Debug, Clone, FromRow)]
struct SessionWithUser {
    #[sqlx(flatten)]
    user: User,
    session_csrf_token: String,
    session_created_at: Timestamp,
    session_last_seen_at: Timestamp,
    session_expires_at: Timestamp,
}

pub async fn find_with_user<'e>(
    ex: impl Executor<'e, Database = Any>,
    id_hash: &str,
) -> Result<Option<(SessionRow, User)>, sqlx::Error> {
    let found: Option<SessionWithUser> = sqlx::query_as(
        "SELECT u.id, u.email, u.email_verified_at, u.password_hash, u.is_admin, u.created_at, u.updated_at, u.time_zone,
                u.default_currency,
                s.csrf_token AS session_csrf_token, s.created_at AS session_created_at,
                s.last_seen_at AS session_last_seen_at, s.expires_at AS session_expires_at
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(ex)
    .await?;
    Ok(found.map(|row| {
        let session = SessionRow {
            id_hash: id_hash.to_owned(),
            user_id: row.user.id.clone(),
            csrf_token: row.session_csrf_token,
            created_at: row.session_created_at,
            last_seen_at: row.session_last_seen_at,
            expires_at: row.session_expires_at,
        };
        (session, row.user)
    }))
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
    user_id: &UserId,
    keep: Option<&str>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .execute(ex)
        .await?;
    Ok(done.rows_affected())
}

pub async fn count_for_user<'e>(ex: impl Executor<'e, Database = Any>, user_id: &UserId) -> Result<i64, sqlx::Error> {
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
