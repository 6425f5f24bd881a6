//! The private calendar feed: at most one secret address per user, kept only as a hash.

use sqlx::{Any, Executor};

use crate::clock::Timestamp;
use crate::domain::UserId;

/// Make the user's feed, or give it a new address: the old one stops working at once.
pub async fn replace<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    token_hash: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
    )
    .bind(user_id)
    .bind(token_hash)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Turn the user's feed off. `false` when there was none.
pub async fn delete<'e>(ex: impl Executor<'e, Database = Any>, user_id: &UserId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1").bind(user_id).execute(ex).await?;
    Ok(done.rows_affected() > 0)
}

/// Since when the user's feed has had its current address, if it is on.
pub async fn created_at<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<Option<Timestamp>, sqlx::Error> {
    sqlx::query_scalar("SELECT created_at FROM calendar_feeds WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(ex)
        .await
}

/// The user whose feed has this address hash.
pub async fn find_owner<'e>(
    ex: impl Executor<'e, Database = Any>,
    token_hash: &str,
) -> Result<Option<UserId>, sqlx::Error> {
    let owner: Option<String> = sqlx::query_scalar("SELECT user_id FROM calendar_feeds WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(ex)
        .await?;
    Ok(owner.map(UserId::from))
}
