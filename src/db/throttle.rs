//! Fixed-window counters in the database, shared by every instance: failed sign-ins per account
//! and per client, mails sent per address.

use sqlx::{Any, Executor};

use crate::clock::Timestamp;

/// Count one hit in `bucket` and return the hits in the current window (including this one) and
/// when that window started. A window older than `window_ms` starts over.
pub async fn hit<'e>(
    ex: impl Executor<'e, Database = Any>,
    bucket: &str,
    now: Timestamp,
    window_ms: i64,
) -> Result<(i64, Timestamp), sqlx::Error> {
    // One statement, so concurrent hits on both databases neither lose counts nor conflict.
    sqlx::query_as(
        "INSERT INTO throttle_buckets (bucket, window_started_at, hits) VALUES ($1, $2, 1)
         ON CONFLICT (bucket) DO UPDATE SET
           hits = CASE WHEN throttle_buckets.window_started_at <= $3 THEN 1 ELSE throttle_buckets.hits + 1 END,
           window_started_at = CASE WHEN throttle_buckets.window_started_at <= $3 THEN $2 ELSE throttle_buckets.window_started_at END
         RETURNING hits, window_started_at",
    )
    .bind(bucket)
    .bind(now)
    .bind(Timestamp(now.0 - window_ms))
    .fetch_one(ex)
    .await
}

/// Hits in the current window, and when that window started (None when the bucket is empty).
pub async fn current<'e>(
    ex: impl Executor<'e, Database = Any>,
    bucket: &str,
    now: Timestamp,
    window_ms: i64,
) -> Result<Option<(i64, Timestamp)>, sqlx::Error> {
    let row: Option<(i64, Timestamp)> = sqlx::query_as(
        "SELECT hits, window_started_at FROM throttle_buckets WHERE bucket = $1 AND window_started_at > $2",
    )
    .bind(bucket)
    .bind(Timestamp(now.0 - window_ms))
    .fetch_optional(ex)
    .await?;
    Ok(row)
}

/// Take back one hit (an attempt that was counted up front and turned out fine).
pub async fn give_back<'e>(ex: impl Executor<'e, Database = Any>, bucket: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE throttle_buckets SET hits = hits - 1 WHERE bucket = $1 AND hits > 0")
        .bind(bucket)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn clear<'e>(ex: impl Executor<'e, Database = Any>, bucket: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM throttle_buckets WHERE bucket = $1").bind(bucket).execute(ex).await?;
    Ok(())
}

pub async fn delete_older_than<'e>(
    ex: impl Executor<'e, Database = Any>,
    cutoff: Timestamp,
) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM throttle_buckets WHERE window_started_at <= $1").bind(cutoff).execute(ex).await?;
    Ok(done.rows_affected())
}
