//! Personal access tokens for the JSON API, stored as hashes.

use sqlx::{Any, Executor, FromRow};

use crate::clock::Timestamp;
use crate::db::accounts::User;
use crate::domain::UserId;

#[derive(Debug, Clone, FromRow)]
pub struct ApiToken {
    pub id: String,
    #[sqlx(try_from = "String")]
    pub user_id: UserId,
    pub name: String,
    pub token_prefix: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, user_id, name, token_prefix, created_at, last_used_at";

/// A user may hold this many tokens at once; enough for every script, few enough to list.
pub const MAX_PER_USER: i64 = 50;

pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    name: &str,
    token_hash: &str,
    token_prefix: &str,
    now: Timestamp,
) -> Result<ApiToken, sqlx::Error> {
    let id = super::new_id();
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, token_prefix, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(token_prefix)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(ApiToken {
        id,
        user_id: user_id.to_owned(),
        name: name.to_owned(),
        token_prefix: token_prefix.to_owned(),
        created_at: now,
        last_used_at: None,
    })
}

pub async fn list_for_user<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<Vec<ApiToken>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT {MAX_PER_USER}"
    ))
    .bind(user_id)
    .fetch_all(ex)
    .await
}

pub async fn count_for_user<'e>(ex: impl Executor<'e, Database = Any>, user_id: &UserId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens WHERE user_id = $1").bind(user_id).fetch_one(ex).await
}

#[derive(Debug, Clone, FromRow)]
struct TokenOwner {
    #[sqlx(flatten)]
    user: User,
    token_id: String,
}

/// The owner of a token (by its hash) and the token's id, in one query.
pub async fn find_owner<'e>(
    ex: impl Executor<'e, Database = Any>,
    token_hash: &str,
) -> Result<Option<(String, User)>, sqlx::Error> {
    let found: Option<TokenOwner> = sqlx::query_as(
        "SELECT u.id, u.email, u.email_verified_at, u.password_hash, u.is_admin, u.created_at, u.updated_at, u.time_zone,
                u.default_currency,
                t.id AS token_id
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(ex)
    .await?;
    Ok(found.map(|row| (row.token_id, row.user)))
}

/// Record use, at most once a minute per token to keep reads cheap.
pub async fn touch<'e>(ex: impl Executor<'e, Database = Any>, id: &str, now: Timestamp) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(now)
    .bind(id)
    .bind(Timestamp(now.0 - 60_000))
    .execute(ex)
    .await?;
    Ok(())
}

/// Revoke every token of the user (after a password reset, or when they ask). Returns how many.
pub async fn delete_all_for_user<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM api_tokens WHERE user_id = $1").bind(user_id).execute(ex).await?.rows_affected())
}

/// Revoke one of the user's tokens. Another user's token id simply matches nothing.
pub async fn delete<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2").bind(id).bind(user_id).execute(ex).await?;
    Ok(done.rows_affected() == 1)
}
