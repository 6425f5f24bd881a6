//! The texts interview preparation reads: the user's resume and LinkedIn summary.

use serde::Serialize;
use sqlx::{Any, AnyConnection, Executor, FromRow};
use utoipa::ToSchema;

use crate::clock::Timestamp;
use crate::domain::UserId;

/// What the AI interview preparation will read about the user.
#[derive(Debug, Clone, Default, FromRow, Serialize, ToSchema)]
pub struct InterviewPrep {
    /// The user's resume as plain text.
    pub resume_text: String,
    /// The "About" text of the user's LinkedIn profile.
    pub linkedin_summary: String,
    /// When it was last saved; absent before the first save.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub updated_at: Option<Timestamp>,
}

pub async fn get<'e>(ex: impl Executor<'e, Database = Any>, user_id: &UserId) -> Result<InterviewPrep, sqlx::Error> {
    let found: Option<InterviewPrep> =
        sqlx::query_as("SELECT resume_text, linkedin_summary, updated_at FROM interview_prep WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(ex)
            .await?;
    Ok(found.unwrap_or_default())
}

pub async fn save(
    conn: &mut AnyConnection,
    user_id: &UserId,
    resume_text: &str,
    linkedin_summary: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO interview_prep (user_id, resume_text, linkedin_summary, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id) DO UPDATE SET resume_text = excluded.resume_text,
             linkedin_summary = excluded.linkedin_summary, updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(resume_text)
    .bind(linkedin_summary)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
