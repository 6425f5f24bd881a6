//! An opportunity's offer (issue 19, item 4): recorded, replaced when edited, removed. Recording
//! one moves an opportunity still earlier in the pipeline to "offer", and the timeline says so.

use crate::db::offers::{self, Offer};
use crate::db::opportunities::{self as opportunity_rows, EventAbout};
use crate::domain::lenient::TypedInput;
use crate::domain::offers::{moves_to_offer, OfferDraft, OfferInput};
use crate::domain::opportunities::{EventKind, OpportunityStatus};
use crate::domain::UserId;
use crate::services::records::{self, kinds::Opportunities};
use crate::services::{Handles, ServiceError, ServiceResult};

/// What saving an offer did.
#[derive(Debug, Clone)]
pub struct SavedOffer {
    pub offer: Offer,
    /// The status the opportunity moved from to "offer", when it moved.
    pub moved_from: Option<OpportunityStatus>,
}

/// Save a form's offer, read as people type it (`£95k`, `5 March 2027`); the draft itself stays
/// as typed, for the form shown again.
pub async fn save_typed(
    handles: &Handles,
    user_id: &UserId,
    opportunity_id: &str,
    draft: &OfferDraft,
    typed: &TypedInput,
) -> ServiceResult<SavedOffer> {
    records::require::<Opportunities>(&handles.db, user_id, opportunity_id).await?;
    let mut reading = draft.clone();
    let unreadable = reading.read_typed(typed);
    let input = match reading.validate() {
        Ok(input) if unreadable.is_empty() => input,
        Ok(_) => return Err(ServiceError::Invalid(unreadable)),
        // What could not be read says why; the validator's messages cover the other fields.
        Err(mut errors) => {
            errors.overlay(unreadable);
            return Err(ServiceError::Invalid(errors));
        }
    };
    save_input(handles, user_id, opportunity_id, &input).await
}

/// Save an offer as the API gives it (canonical values only).
pub async fn save(
    handles: &Handles,
    user_id: &UserId,
    opportunity_id: &str,
    draft: &OfferDraft,
) -> ServiceResult<SavedOffer> {
    records::require::<Opportunities>(&handles.db, user_id, opportunity_id).await?;
    let input = draft.validate().map_err(ServiceError::Invalid)?;
    save_input(handles, user_id, opportunity_id, &input).await
}

async fn save_input(
    handles: &Handles,
    user_id: &UserId,
    opportunity_id: &str,
    input: &OfferInput,
) -> ServiceResult<SavedOffer> {
    let row = records::get::<Opportunities>(&handles.db, user_id, opportunity_id).await?;
    let now = handles.clock.now();
    let mut tx = handles.db.begin_write().await?;
    let replaced = offers::replace(&mut tx, user_id, opportunity_id, input, now).await?;
    let offer = offers::of_opportunity(&mut *tx, user_id, opportunity_id).await?.ok_or(ServiceError::NotFound)?;
    let kind = if replaced { EventKind::OfferChanged } else { EventKind::OfferRecorded };
    opportunity_rows::record_event(&mut tx, user_id, opportunity_id, kind, EventAbout::Nothing, &offer.summary(), now)
        .await?;
    let moved_from = if moves_to_offer(row.status) {
        opportunity_rows::move_status(&mut tx, user_id, opportunity_id, row.status, OpportunityStatus::Offer, now)
            .await?
            .then_some(row.status)
    } else {
        None
    };
    tx.commit().await?;
    Ok(SavedOffer { offer, moved_from })
}

/// Remove the opportunity's offer (it went on the timeline as removed); `NotFound` when it had none.
pub async fn remove(handles: &Handles, user_id: &UserId, opportunity_id: &str) -> ServiceResult<()> {
    records::require::<Opportunities>(&handles.db, user_id, opportunity_id).await?;
    let now = handles.clock.now();
    let mut tx = handles.db.begin_write().await?;
    if !offers::remove(&mut tx, user_id, opportunity_id).await? {
        return Err(ServiceError::NotFound);
    }
    opportunity_rows::record_event(
        &mut tx,
        user_id,
        opportunity_id,
        EventKind::OfferRemoved,
        EventAbout::Nothing,
        "",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
