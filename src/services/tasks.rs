//! Tasks beyond their form: marked done (or not) and put off, from the dashboard, an
//! opportunity's page or the API.

use crate::db::accounts::User;
use crate::db::tasks;
use crate::domain::tasks::snooze_days;
use crate::domain::UserId;
use crate::services::opportunities::today_for;
use crate::services::records::{self, kinds::Tasks};
use crate::services::{Handles, ServiceError, ServiceResult};

/// Mark one of the user's tasks done (on its opportunity's timeline, if it has one), or open
/// again.
pub async fn set_done(handles: &Handles, user_id: &UserId, id: &str, done: bool) -> ServiceResult<()> {
    let mut tx = handles.db.begin_write().await?;
    if !tasks::set_done(&mut tx, user_id, id, done, handles.clock.now()).await? {
        return Err(ServiceError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Put an open task off: due `days` from today where the user is (one of the offered choices).
/// Another user's task, or none, is not found, whatever `days` says.
pub async fn put_off(handles: &Handles, user: &User, id: &str, days: &str) -> ServiceResult<()> {
    records::require::<Tasks>(&handles.db, &user.id, id).await?;
    let Some(days) = snooze_days(days) else {
        return Err(ServiceError::field("days", "Choose how long to put it off from the list."));
    };
    let until = today_for(handles, user).await? + jiff::Span::new().days(days);
    if tasks::put_off(handles.db.pool(), &user.id, id, &until.to_string(), handles.clock.now()).await? {
        Ok(())
    } else {
        Err(ServiceError::field("days", "This task is done: there is nothing to put off."))
    }
}
