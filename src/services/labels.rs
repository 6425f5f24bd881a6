//! Labels: the user's own words for grouping records, unique per user ignoring case, at most
//! [`labels::MAX_PER_USER`] of them.

use crate::db::labels::{self, Label};
use crate::domain::career::{LabelDraft, LabelWrite};
use crate::domain::UserId;
use crate::services::error::rejected_write;
use crate::services::records::valid_id;
use crate::services::{Handles, ServiceError, ServiceResult};

/// One of the user's labels.
pub async fn get(handles: &Handles, user_id: &UserId, id: &str) -> ServiceResult<Label> {
    valid_id(id)?;
    labels::get(handles.db.pool(), user_id, id).await?.ok_or(ServiceError::NotFound)
}

/// The label as its form shows it.
pub fn draft_of(label: &Label) -> LabelDraft {
    LabelDraft {
        name: label.name.clone(),
        colour: label.colour.clone().unwrap_or_default(),
        custom_colour: String::new(),
        is_public: label.is_public.get(),
    }
}

/// Create (`id` None) or update a label; answers its id.
pub async fn save(handles: &Handles, user_id: &UserId, id: Option<&str>, draft: &LabelDraft) -> ServiceResult<String> {
    if let Some(id) = id {
        valid_id(id)?;
    }
    let input = draft.validate().map_err(ServiceError::Invalid)?;
    let now = handles.clock.now();
    let mut tx = handles.db.begin_write().await?;
    let saved = match id {
        None => {
            if labels::count_for_user(&mut *tx, user_id).await? >= labels::MAX_PER_USER {
                let message = format!("You have {} labels, the most allowed.", labels::MAX_PER_USER);
                return Err(ServiceError::field("name", message));
            }
            labels::insert(&mut tx, user_id, &input, now).await
        }
        Some(id) => match labels::update(&mut tx, user_id, id, &input, now).await {
            Ok(true) => Ok(id.to_owned()),
            Ok(false) => return Err(ServiceError::NotFound),
            Err(err) => Err(err),
        },
    };
    let conflict = || Some(("name", format!("You already have a label called “{}”.", input.name)));
    let id = saved.map_err(|err| rejected_write(err, conflict()))?;
    tx.commit().await?;
    Ok(id)
}

/// Create a label from an API body.
pub async fn create(handles: &Handles, user_id: &UserId, write: LabelWrite) -> ServiceResult<Label> {
    let mut draft = LabelDraft::blank();
    draft.apply(write);
    let id = save(handles, user_id, None, &draft).await?;
    get(handles, user_id, &id).await
}

/// Change only the fields an API body names.
pub async fn patch(handles: &Handles, user_id: &UserId, id: &str, write: LabelWrite) -> ServiceResult<Label> {
    let mut draft = draft_of(&get(handles, user_id, id).await?);
    draft.apply(write);
    save(handles, user_id, Some(id), &draft).await?;
    get(handles, user_id, id).await
}

/// Delete a label; the records it was on stay.
pub async fn delete(handles: &Handles, user_id: &UserId, id: &str) -> ServiceResult<()> {
    valid_id(id)?;
    if !labels::delete(handles.db.pool(), user_id, id).await? {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}
