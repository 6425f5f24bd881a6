//! Leases: with several instances on one database, a background job runs on one at a time.

use sqlx::{Any, Executor};

use crate::clock::Timestamp;

/// Try to take (or renew) the lease `name` for `holder` until `until`. True when we hold it.
pub async fn try_acquire<'e>(
    ex: impl Executor<'e, Database = Any>,
    name: &str,
    holder: &str,
    now: Timestamp,
    until: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET holder = $2, expires_at = $3
         WHERE job_leases.holder = $2 OR job_leases.expires_at <= $4",
    )
    .bind(name)
    .bind(holder)
    .bind(until)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn release<'e>(ex: impl Executor<'e, Database = Any>, name: &str, holder: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM job_leases WHERE name = $1 AND holder = $2").bind(name).bind(holder).execute(ex).await?;
    Ok(())
}
