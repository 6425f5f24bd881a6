//! The mail outbox: mail waiting to be sent, its tries, and the mail the outbox gave up on.
//!
//! A sender takes a row by setting `claimed_until` with a conditional UPDATE (see [`claim`]):
//! of two instances that read the same due row, only one UPDATE matches, so only one sends it.

use sqlx::{Any, Executor, FromRow};

use crate::clock::Timestamp;
use crate::domain::UserId;

/// A mail as it is queued.
pub struct NewMail<'a> {
    pub id: &'a str,
    pub user_id: Option<&'a UserId>,
    /// The support ticket it is about, if any (deleted with it).
    pub ticket_id: Option<&'a str>,
    pub subject: &'a str,
    /// The recipient and body, sealed by the caller.
    pub sealed: &'a str,
}

/// A queued mail, as a sender or an administrator reads it.
#[derive(Debug, Clone, FromRow)]
pub struct QueuedMail {
    pub id: String,
    pub subject: String,
    pub sealed: String,
    pub created_at: Timestamp,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<Timestamp>,
    pub given_up_at: Option<Timestamp>,
}

const COLUMNS: &str =
    "id, subject, sealed, created_at, attempts, next_attempt_at, last_error, last_attempt_at, given_up_at";

/// Queue a mail, due at once (inside the transaction of what caused it).
pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    new: NewMail<'_>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO mail_outbox (id, user_id, ticket_id, subject, sealed, created_at, attempts, next_attempt_at)
         VALUES ($1, $2, $6, $3, $4, $5, 0, $5)",
    )
    .bind(new.id)
    .bind(new.user_id.map(|id| id.to_string()))
    .bind(new.subject)
    .bind(new.sealed)
    .bind(now)
    .bind(new.ticket_id)
    .execute(ex)
    .await?;
    Ok(())
}

/// Forget the account's waiting mail with this subject that no sender holds (its link was just
/// retired by a newer one).
pub async fn delete_waiting<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    subject: &str,
    now: Timestamp,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "DELETE FROM mail_outbox WHERE user_id = $1 AND subject = $2 AND (claimed_until IS NULL OR claimed_until <= $3)",
    )
    .bind(user_id)
    .bind(subject)
    .bind(now)
    .execute(ex)
    .await?
    .rows_affected())
}

/// Mail due now that no sender holds, oldest due first.
pub async fn due<'e>(
    ex: impl Executor<'e, Database = Any>,
    now: Timestamp,
    limit: i64,
) -> Result<Vec<QueuedMail>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM mail_outbox
         WHERE given_up_at IS NULL AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)
         ORDER BY next_attempt_at, id LIMIT $2"
    );
    sqlx::query_as(&sql).bind(now).bind(limit).fetch_all(ex).await
}

/// Take a due mail to send it, until `until`; counts the try. False when another sender took
/// it first (or it was discarded, or given up meanwhile).
pub async fn claim<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    now: Timestamp,
    until: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE mail_outbox SET claimed_until = $3, attempts = attempts + 1, last_attempt_at = $2
         WHERE id = $1 AND given_up_at IS NULL AND next_attempt_at <= $2
           AND (claimed_until IS NULL OR claimed_until <= $2)",
    )
    .bind(id)
    .bind(now)
    .bind(until)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The provider took the mail: it leaves the outbox. `claim` is the `claimed_until` this
/// sender set: a sender whose claim ran out (and was taken by another) changes nothing.
pub async fn delete_sent<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    claim: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM mail_outbox WHERE id = $1 AND claimed_until = $2")
        .bind(id)
        .bind(claim)
        .execute(ex)
        .await?;
    Ok(())
}

/// A try failed: note why, and when to try again, or that the outbox gives up (`given_up_at`).
pub async fn record_failure<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    claim: Timestamp,
    error: &str,
    next_attempt_at: Timestamp,
    given_up_at: Option<Timestamp>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE mail_outbox SET claimed_until = NULL, last_error = $2, next_attempt_at = $3, given_up_at = $4
         WHERE id = $1 AND claimed_until = $5",
    )
    .bind(id)
    .bind(error)
    .bind(next_attempt_at)
    .bind(given_up_at)
    .bind(claim)
    .execute(ex)
    .await?;
    Ok(())
}

/// Mail that keeps failing: given up, or tried at least `attempts` times; the oldest first.
pub async fn failing<'e>(
    ex: impl Executor<'e, Database = Any>,
    attempts: i64,
    limit: i64,
) -> Result<Vec<QueuedMail>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM mail_outbox WHERE given_up_at IS NOT NULL OR attempts >= $1
         ORDER BY created_at, id LIMIT $2"
    );
    sqlx::query_as(&sql).bind(attempts).bind(limit).fetch_all(ex).await
}

pub async fn count_failing<'e>(ex: impl Executor<'e, Database = Any>, attempts: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE given_up_at IS NOT NULL OR attempts >= $1")
        .bind(attempts)
        .fetch_one(ex)
        .await
}

/// Due at once again, given up or not (an administrator's "Retry now"). A mail a sender holds
/// stays held: the sender's answer decides what happens to it.
pub async fn retry_now<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE mail_outbox SET given_up_at = NULL, next_attempt_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Forget a mail (an administrator's "Discard", or a given-up mail old enough).
/// Delete the mail unless a sender holds it at `now` (one statement, so a sender's claim and
/// this never both succeed). False when it is held, or not there.
pub async fn delete_unclaimed<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let deleted =
        sqlx::query("DELETE FROM mail_outbox WHERE id = $1 AND (claimed_until IS NULL OR claimed_until <= $2)")
            .bind(id)
            .bind(now)
            .execute(ex)
            .await?;
    Ok(deleted.rows_affected() == 1)
}

/// Whether the mail is still queued.
pub async fn exists<'e>(ex: impl Executor<'e, Database = Any>, id: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM mail_outbox WHERE id = $1").bind(id).fetch_optional(ex).await?;
    Ok(found.is_some())
}

/// Given-up mail older than `before`: its links expired long ago.
pub async fn delete_given_up_before<'e>(
    ex: impl Executor<'e, Database = Any>,
    before: Timestamp,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM mail_outbox WHERE given_up_at IS NOT NULL AND given_up_at < $1")
        .bind(before)
        .execute(ex)
        .await?
        .rows_affected())
}

/// How much mail waits (still tried) and how much the outbox gave up on, for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Depth {
    pub queued: i64,
    pub given_up: i64,
}

pub async fn depth(pool: &sqlx::AnyPool) -> Result<Depth, sqlx::Error> {
    let queued =
        sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE given_up_at IS NULL").fetch_one(pool).await?;
    let given_up =
        sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE given_up_at IS NOT NULL").fetch_one(pool).await?;
    Ok(Depth { queued, given_up })
}
