//! Resume versions tailored to one opportunity, and the copies of what was sent.

use serde::Serialize;
use sqlx::{Any, AnyConnection, Executor, FromRow};

use crate::clock::Timestamp;
use crate::domain::resume_versions::{ResumeChoice, StartFrom, SENDS_PER_OPPORTUNITY, VERSIONS_PER_OPPORTUNITY};
use crate::domain::UserId;

/// A resume version: its name and the records it holds.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct ResumeVersion {
    pub id: String,
    pub opportunity_id: String,
    pub name: String,
    /// What it was started from: `description`, `label` or `everything`.
    #[sqlx(try_from = "String")]
    pub started_from: StartFrom,
    #[sqlx(try_from = "String")]
    pub chosen: ResumeChoice,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl ResumeVersion {
    pub fn updated(&self) -> String {
        self.updated_at.human()
    }
}

/// One time a version was sent (the copy of the document itself is read on its own).
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct ResumeSend {
    pub id: String,
    pub opportunity_id: String,
    /// The version sent; null once that version was deleted (the copy stays).
    pub version_id: Option<String>,
    pub version_name: String,
    pub sent_at: Timestamp,
}

impl ResumeSend {
    pub fn when(&self) -> String {
        self.sent_at.human()
    }
}

const VERSION_COLUMNS: &str = "id, opportunity_id, name, started_from, chosen, created_at, updated_at";

#[allow(clippy::too_many_arguments)]
pub async fn insert(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    opportunity_id: &str,
    name: &str,
    started_from: StartFrom,
    chosen: &ResumeChoice,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO resume_versions (id, user_id, opportunity_id, name, started_from, chosen, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(id)
    .bind(user_id)
    .bind(opportunity_id)
    .bind(name)
    .bind(started_from.as_str())
    .bind(chosen.to_json())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Save a version's name and choice; false when it is not the user's (or not this opportunity's).
pub async fn update<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    opportunity_id: &str,
    id: &str,
    name: &str,
    chosen: &ResumeChoice,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE resume_versions SET name = $4, chosen = $5, updated_at = $6
         WHERE user_id = $1 AND opportunity_id = $2 AND id = $3",
    )
    .bind(user_id)
    .bind(opportunity_id)
    .bind(id)
    .bind(name)
    .bind(chosen.to_json())
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    opportunity_id: &str,
    id: &str,
) -> Result<Option<ResumeVersion>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {VERSION_COLUMNS} FROM resume_versions WHERE user_id = $1 AND opportunity_id = $2 AND id = $3"
    ))
    .bind(user_id)
    .bind(opportunity_id)
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// The opportunity's versions, newest first (at most [`VERSIONS_PER_OPPORTUNITY`] exist).
pub async fn list_for<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    opportunity_id: &str,
) -> Result<Vec<ResumeVersion>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {VERSION_COLUMNS} FROM resume_versions WHERE opportunity_id = $2 AND user_id = $1
         ORDER BY created_at DESC, id DESC LIMIT {VERSIONS_PER_OPPORTUNITY}"
    ))
    .bind(user_id)
    .bind(opportunity_id)
    .fetch_all(ex)
    .await
}

pub async fn count_for(conn: &mut AnyConnection, user_id: &UserId, opportunity_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM resume_versions WHERE opportunity_id = $2 AND user_id = $1")
        .bind(user_id)
        .bind(opportunity_id)
        .fetch_one(conn)
        .await
}

pub async fn delete<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    opportunity_id: &str,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM resume_versions WHERE user_id = $1 AND opportunity_id = $2 AND id = $3")
        .bind(user_id)
        .bind(opportunity_id)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_send(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    opportunity_id: &str,
    version_id: &str,
    version_name: &str,
    document: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO resume_sends (id, user_id, opportunity_id, version_id, version_name, document, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(user_id)
    .bind(opportunity_id)
    .bind(version_id)
    .bind(version_name)
    .bind(document)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn count_sends(conn: &mut AnyConnection, user_id: &UserId, opportunity_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM resume_sends WHERE opportunity_id = $2 AND user_id = $1")
        .bind(user_id)
        .bind(opportunity_id)
        .fetch_one(conn)
        .await
}

/// The opportunity's sends, newest first (at most [`SENDS_PER_OPPORTUNITY`] exist).
pub async fn sends_for<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    opportunity_id: &str,
) -> Result<Vec<ResumeSend>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT id, opportunity_id, version_id, version_name, sent_at FROM resume_sends
         WHERE opportunity_id = $2 AND user_id = $1 ORDER BY sent_at DESC, id DESC LIMIT {SENDS_PER_OPPORTUNITY}"
    ))
    .bind(user_id)
    .bind(opportunity_id)
    .fetch_all(ex)
    .await
}

/// A send and the copy of the document it kept (JSON Resume).
pub async fn sent_document<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    opportunity_id: &str,
    id: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT version_name, document FROM resume_sends WHERE user_id = $1 AND opportunity_id = $2 AND id = $3",
    )
    .bind(user_id)
    .bind(opportunity_id)
    .bind(id)
    .fetch_optional(ex)
    .await
}
