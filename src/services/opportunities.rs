//! What happens to an opportunity beyond its fields: entries the user writes on its timeline.

use crate::db::opportunities::{self, EventAbout};
use crate::domain::opportunities::EntryForm;
use crate::domain::UserId;
use crate::services::records::{self, kinds::Opportunities};
use crate::services::{Handles, ServiceError, ServiceResult};

/// Write an entry (an email sent, a call, a follow-up, a note) on one of the user's
/// opportunities' timeline.
pub async fn add_timeline_entry(handles: &Handles, user_id: &UserId, id: &str, entry: &EntryForm) -> ServiceResult<()> {
    records::require::<Opportunities>(&handles.db, user_id, id).await?;
    let (kind, body) = entry.validate().map_err(ServiceError::Invalid)?;
    let mut tx = handles.db.begin_write().await?;
    let now = handles.clock.now();
    opportunities::record_event(&mut tx, user_id, id, kind, EventAbout::Nothing, &body, now).await?;
    tx.commit().await?;
    Ok(())
}
