//! Resume imports awaiting review: sealed rows that live until applied, discarded or expired;
//! and what the review compares parsed records with to flag duplicates.

use sqlx::{Any, AnyConnection, Executor, FromRow};

use crate::clock::Timestamp;
use crate::domain::UserId;

/// An import as kept: its review is sealed (see `services::imports`).
#[derive(Debug, Clone, FromRow)]
pub struct StoredImport {
    pub id: String,
    pub read_by: String,
    pub sealed: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

pub struct NewImport<'a> {
    pub id: &'a str,
    pub user_id: &'a UserId,
    pub read_by: &'a str,
    pub sealed: &'a str,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

pub async fn insert(conn: &mut AnyConnection, import: &NewImport<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO resume_imports (id, user_id, read_by, sealed, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(import.id)
    .bind(import.user_id)
    .bind(import.read_by)
    .bind(import.sealed)
    .bind(import.created_at)
    .bind(import.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The user's import, unless it has expired (housekeeping may not have run yet).
pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    id: &str,
    now: Timestamp,
) -> Result<Option<StoredImport>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, read_by, sealed, created_at, expires_at FROM resume_imports
         WHERE user_id = $1 AND id = $2 AND expires_at > $3",
    )
    .bind(user_id)
    .bind(id)
    .bind(now)
    .fetch_optional(ex)
    .await
}

/// The user's imports still waiting, newest first.
pub async fn waiting<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    now: Timestamp,
    limit: i64,
) -> Result<Vec<StoredImport>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, read_by, sealed, created_at, expires_at FROM resume_imports
         WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC, id DESC LIMIT $3",
    )
    .bind(user_id)
    .bind(now)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Keep only the user's `keep` newest imports.
pub async fn keep_newest(conn: &mut AnyConnection, user_id: &UserId, keep: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM resume_imports WHERE user_id = $1 AND id NOT IN (
             SELECT id FROM resume_imports WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2)",
    )
    .bind(user_id)
    .bind(keep)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

pub async fn delete(conn: &mut AnyConnection, user_id: &UserId, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM resume_imports WHERE user_id = $1 AND id = $2")
        .bind(user_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Housekeeping: every import past its expiry, whoever it belongs to.
pub async fn delete_expired<'e>(ex: impl Executor<'e, Database = Any>, now: Timestamp) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM resume_imports WHERE expires_at <= $1").bind(now).execute(ex).await?;
    Ok(done.rows_affected())
}

/// A record the user has, as the review compares it: what it is called (a role's company, a
/// degree's institution, a skill's name), what tells two of that name apart (the role, the
/// degree) and when it started, if it says.
#[derive(Debug, Clone, FromRow)]
pub struct Existing {
    pub id: String,
    pub name: String,
    pub qualifier: String,
    pub start: Option<String>,
}

/// The most records of one kind a review compares with; a career record has far fewer.
const COMPARED_MAX: i64 = 2000;

/// The user's records of one kind, for duplicate flags. The SQL for each kind is fixed here.
pub async fn existing<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    kind: ExistingKind,
) -> Result<Vec<Existing>, sqlx::Error> {
    let sql = match kind {
        ExistingKind::Experiences => {
            "SELECT id, company AS name, role AS qualifier, start_date AS start FROM experiences WHERE user_id = $1 LIMIT $2"
        }
        ExistingKind::Education => {
            "SELECT id, institution AS name, study_type AS qualifier, start_date AS start FROM education
             WHERE user_id = $1 LIMIT $2"
        }
        ExistingKind::Certifications => {
            "SELECT id, name, issuer AS qualifier, NULL AS start FROM certifications WHERE user_id = $1 LIMIT $2"
        }
        ExistingKind::Projects => {
            "SELECT id, name, role AS qualifier, start_date AS start FROM projects WHERE user_id = $1 LIMIT $2"
        }
        ExistingKind::Skills => {
            "SELECT id, name, category AS qualifier, NULL AS start FROM skills WHERE user_id = $1 LIMIT $2"
        }
        ExistingKind::Achievements => {
            "SELECT id, title AS name, '' AS qualifier, achieved_on AS start FROM achievements WHERE user_id = $1 LIMIT $2"
        }
    };
    sqlx::query_as(sql).bind(user_id).bind(COMPARED_MAX).fetch_all(ex).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExistingKind {
    Experiences,
    Education,
    Certifications,
    Projects,
    Skills,
    Achievements,
}
