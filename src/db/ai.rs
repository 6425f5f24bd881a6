//! AI runs as their owner sees them on the "AI activity" page: never the content, only what
//! ran, when, with which model, how much went each way and how it ended.

use serde::Serialize;
use sqlx::{Any, Executor, FromRow};

use crate::clock::Timestamp;
use crate::domain::UserId;

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct AiRun {
    pub id: String,
    pub feature: String,
    /// The prompt file it used, e.g. `interview_prep.v1`.
    pub prompt: String,
    pub provider: String,
    pub model: String,
    pub started_at: Timestamp,
    pub duration_ms: i64,
    pub input_chars: i64,
    pub output_chars: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    /// `running`, `ok`, `cancelled`, or `failed: <why>`.
    pub outcome: String,
}

pub struct NewRun<'a> {
    pub id: &'a str,
    pub user_id: &'a UserId,
    pub feature: &'a str,
    pub prompt: &'a str,
    pub provider: &'a str,
    pub model: &'a str,
    pub started_at: Timestamp,
    pub input_chars: i64,
    /// `(input, output)` tokens the run holds until it ends.
    pub reserved_tokens: (i64, i64),
}

pub async fn start<'e>(ex: impl Executor<'e, Database = Any>, run: &NewRun<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO ai_runs (id, user_id, feature, prompt, provider, model, started_at, input_chars, input_tokens,
                              output_tokens, outcome)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'running')",
    )
    .bind(run.id)
    .bind(run.user_id)
    .bind(run.feature)
    .bind(run.prompt)
    .bind(run.provider)
    .bind(run.model)
    .bind(run.started_at)
    .bind(run.input_chars)
    .bind(run.reserved_tokens.0)
    .bind(run.reserved_tokens.1)
    .execute(ex)
    .await?;
    Ok(())
}

/// How a run ended.
pub struct RunEnd<'a> {
    pub model: &'a str,
    pub duration_ms: i64,
    pub output_chars: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub outcome: &'a str,
}

pub async fn finish<'e>(ex: impl Executor<'e, Database = Any>, id: &str, end: &RunEnd<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE ai_runs SET model = $2, duration_ms = $3, output_chars = $4, input_tokens = $5,
                output_tokens = $6, outcome = $7
         WHERE id = $1",
    )
    .bind(id)
    .bind(end.model)
    .bind(end.duration_ms)
    .bind(end.output_chars)
    .bind(end.input_tokens)
    .bind(end.output_tokens)
    .bind(end.outcome)
    .execute(ex)
    .await?;
    Ok(())
}

/// A run given up before it ended (its request went away).
pub async fn cancel<'e>(ex: impl Executor<'e, Database = Any>, id: &str, duration_ms: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE ai_runs SET outcome = 'cancelled', duration_ms = $2 WHERE id = $1")
        .bind(id)
        .bind(duration_ms)
        .execute(ex)
        .await?;
    Ok(())
}

/// Runs the user started since `since` (the hourly limit counts them all, finished or not).
pub async fn count_since<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    since: Timestamp,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM ai_runs WHERE user_id = $1 AND started_at >= $2")
        .bind(user_id)
        .bind(since)
        .fetch_one(ex)
        .await
}

/// Runs of the user's still marked running that started since `since`.
pub async fn count_running_since<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    since: Timestamp,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM ai_runs WHERE user_id = $1 AND outcome = 'running' AND started_at >= $2")
        .bind(user_id)
        .bind(since)
        .fetch_one(ex)
        .await
}

/// Record as stopped every run still marked running that started before `before`.
pub async fn stop_running_before<'e>(
    ex: impl Executor<'e, Database = Any>,
    before: Timestamp,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE ai_runs SET outcome = 'cancelled' WHERE outcome = 'running' AND started_at < $1")
        .bind(before)
        .execute(ex)
        .await?;
    Ok(done.rows_affected())
}

/// Tokens the user's runs used since `since`, both ways (a run not finished counts what it holds).
pub async fn tokens_since<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    since: Timestamp,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(input_tokens + output_tokens), 0) AS BIGINT) FROM ai_runs
         WHERE user_id = $1 AND started_at >= $2",
    )
    .bind(user_id)
    .bind(since)
    .fetch_one(ex)
    .await
}

/// The user's runs, newest first, a page at a time.
pub async fn page<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    limit: i64,
    offset: i64,
) -> Result<Vec<AiRun>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, feature, prompt, provider, model, started_at, duration_ms, input_chars, output_chars, input_tokens,
                output_tokens, outcome
         FROM ai_runs WHERE user_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2 OFFSET $3",
    )
    .bind(user_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(ex)
    .await
}

pub async fn count<'e>(ex: impl Executor<'e, Database = Any>, user_id: &UserId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM ai_runs WHERE user_id = $1").bind(user_id).fetch_one(ex).await
}

/// The administrator's budget for this user, if one was set.
pub async fn monthly_tokens_of<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT ai_monthly_tokens FROM users WHERE id = $1").bind(user_id).fetch_one(ex).await
}

/// Set (or with `None`, clear) a user's monthly budget; false when there is no such user.
pub async fn set_monthly_tokens<'e>(
    ex: impl Executor<'e, Database = Any>,
    email: &str,
    tokens: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE users SET ai_monthly_tokens = $2 WHERE email = $1")
        .bind(email)
        .bind(tokens)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() == 1)
}
