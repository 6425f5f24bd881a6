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

/// A record an AI preparation drew on, to link its stories back to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, Serialize, ToSchema)]
pub struct PrepSource {
    /// `achievement` or `journal_entry`.
    pub kind: String,
    #[schema(format = Uuid)]
    pub id: String,
    pub title: String,
}

impl PrepSource {
    /// The record's own page.
    pub fn url(&self) -> String {
        match self.kind.as_str() {
            "achievement" => format!("/achievements/{}", self.id),
            _ => format!("/journal/{}", self.id),
        }
    }
}

/// What an AI preparation wrote for an interview (or an opportunity), as the user keeps it.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct PrepDocument {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub opportunity_id: String,
    /// `null` for preparation for the opportunity as a whole.
    #[schema(format = Uuid)]
    pub interview_id: Option<String>,
    /// Markdown: likely questions, a story bank, questions to ask, gaps to prepare.
    pub body: String,
    /// The achievements and journal entries it drew on.
    #[sqlx(try_from = "String")]
    #[schema(value_type = Vec<PrepSource>)]
    pub sources: crate::db::JsonList<PrepSource>,
    /// The model that wrote it.
    pub model: String,
    #[schema(value_type = String, format = DateTime)]
    pub generated_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

const DOCUMENT_COLUMNS: &str = "id, opportunity_id, interview_id, body, sources, model, generated_at, updated_at";

/// The document for an interview (`Some`) or for the opportunity as a whole (`None`).
pub async fn document_for<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    opportunity_id: &str,
    interview_id: Option<&str>,
) -> Result<Option<PrepDocument>, sqlx::Error> {
    let condition = if interview_id.is_some() { "interview_id = $3" } else { "interview_id IS NULL" };
    let sql = format!(
        "SELECT {DOCUMENT_COLUMNS} FROM prep_documents WHERE user_id = $1 AND opportunity_id = $2 AND {condition}"
    );
    let mut query = sqlx::query_as(&sql).bind(user_id).bind(opportunity_id);
    if let Some(interview_id) = interview_id {
        query = query.bind(interview_id);
    }
    query.fetch_optional(ex).await
}

/// Keep `document` as the one for its interview or opportunity, replacing any before it.
pub async fn replace_document(
    conn: &mut AnyConnection,
    user_id: &UserId,
    document: &PrepDocument,
) -> Result<(), sqlx::Error> {
    delete_document(&mut *conn, user_id, &document.opportunity_id, document.interview_id.as_deref()).await?;
    let sources = crate::db::JsonList::to_json(&document.sources.0);
    sqlx::query(
        "INSERT INTO prep_documents (id, user_id, opportunity_id, interview_id, body, sources, model, generated_at,
                                     updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&document.id)
    .bind(user_id)
    .bind(&document.opportunity_id)
    .bind(document.interview_id.as_deref())
    .bind(&document.body)
    .bind(sources)
    .bind(&document.model)
    .bind(document.generated_at)
    .bind(document.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The user's own edit of the text; false when there is no such document.
pub async fn update_document_body<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    id: &str,
    body: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE prep_documents SET body = $3, updated_at = $4 WHERE user_id = $1 AND id = $2")
        .bind(user_id)
        .bind(id)
        .bind(body)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Delete the document for an interview or opportunity; false when there was none.
pub async fn delete_document<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    opportunity_id: &str,
    interview_id: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let condition = if interview_id.is_some() { "interview_id = $3" } else { "interview_id IS NULL" };
    let sql = format!("DELETE FROM prep_documents WHERE user_id = $1 AND opportunity_id = $2 AND {condition}");
    let mut query = sqlx::query(&sql).bind(user_id).bind(opportunity_id);
    if let Some(interview_id) = interview_id {
        query = query.bind(interview_id);
    }
    Ok(query.execute(ex).await?.rows_affected() > 0)
}
