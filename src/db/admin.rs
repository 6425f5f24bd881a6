//! What the administrators' area reads and keeps: settings changed at run time, and the users
//! list (addresses and dates only; never anything a user recorded).

use sqlx::{Any, Executor, FromRow};

use crate::clock::Timestamp;

/// The `instance_settings` row that holds the fingerprint of the secret key the database was
/// first used with (see `app.rs`; backups read it to know which key belongs with the data).
pub const KEY_FINGERPRINT_SETTING: &str = "secret_key_fingerprint";

pub async fn setting<'e>(ex: impl Executor<'e, Database = Any>, name: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT value FROM instance_settings WHERE name = $1").bind(name).fetch_optional(ex).await
}

pub async fn set_setting<'e>(
    ex: impl Executor<'e, Database = Any>,
    name: &str,
    value: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO instance_settings (name, value, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(name)
    .bind(value)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Store `value` as `name` unless a value is there already, and answer the stored one: the first
/// instance to start decides, however many start at once.
pub async fn first_setting(
    pool: &sqlx::AnyPool,
    name: &str,
    value: &str,
    now: Timestamp,
) -> Result<String, sqlx::Error> {
    sqlx::query(
        "INSERT INTO instance_settings (name, value, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(value)
    .bind(now)
    .execute(pool)
    .await?;
    sqlx::query_scalar("SELECT value FROM instance_settings WHERE name = $1").bind(name).fetch_one(pool).await
}

pub async fn delete_setting<'e>(ex: impl Executor<'e, Database = Any>, name: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM instance_settings WHERE name = $1").bind(name).execute(ex).await?;
    Ok(done.rows_affected() > 0)
}

/// A line of the users list.
#[derive(Debug, Clone, FromRow)]
pub struct UserLine {
    pub email: Option<String>,
    pub created_at: Timestamp,
    pub email_verified_at: Option<Timestamp>,
    pub is_admin: i64,
    /// The latest activity of any of the user's sessions, while one is kept.
    pub last_seen_at: Option<Timestamp>,
}

pub async fn users<'e>(
    ex: impl Executor<'e, Database = Any>,
    limit: i64,
    offset: i64,
) -> Result<Vec<UserLine>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.email, u.created_at, u.email_verified_at, u.is_admin,
                (SELECT MAX(s.last_seen_at) FROM sessions s WHERE s.user_id = u.id) AS last_seen_at
         FROM users u ORDER BY u.created_at DESC, u.id DESC LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(ex)
    .await
}

pub async fn count_users<'e>(ex: impl Executor<'e, Database = Any>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(ex).await
}

/// The administrators' ids and addresses, to tell them of a new ticket.
pub async fn admin_emails<'e>(ex: impl Executor<'e, Database = Any>) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, email FROM users WHERE is_admin = 1 AND email IS NOT NULL ORDER BY created_at")
        .fetch_all(ex)
        .await
}
