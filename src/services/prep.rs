//! The texts interview preparation reads: the resume text and the LinkedIn summary.

use crate::db::prep::{self, InterviewPrep};
use crate::domain::prep::PrepDraft;
use crate::domain::UserId;
use crate::services::{Handles, ServiceError, ServiceResult};

/// Validate and keep the texts the draft names; the others stay as they are.
pub async fn save(handles: &Handles, user_id: &UserId, draft: &PrepDraft) -> ServiceResult<InterviewPrep> {
    // Read inside the write transaction, so two changes to different fields both stay.
    let mut tx = handles.db.begin_write().await?;
    let current = prep::get(&mut *tx, user_id).await?;
    let (resume, summary) =
        draft.validate(&current.resume_text, &current.linkedin_summary).map_err(ServiceError::Invalid)?;
    prep::save(&mut tx, user_id, &resume, &summary, handles.clock.now()).await?;
    tx.commit().await?;
    Ok(prep::get(handles.db.pool(), user_id).await?)
}
