//! What happens to an opportunity beyond its fields: entries the user writes on its timeline,
//! and its next action (its first open task) done or put off.

use crate::db::accounts::User;
use crate::db::{
    interviews,
    opportunities::{self, EventAbout},
    tasks,
};
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

/// Where the user is: their own time zone (Settings), else the zone of their latest interview,
/// else UTC. The dashboard's "today" and the reminder mail's hours are read in it.
pub async fn zone_for(handles: &Handles, user_id: &UserId, time_zone: &str) -> ServiceResult<jiff::tz::TimeZone> {
    if let Ok(zone) = jiff::tz::TimeZone::get(time_zone) {
        return Ok(zone);
    }
    Ok(interviews::latest_time_zone(handles.db.pool(), user_id)
        .await?
        .and_then(|name| jiff::tz::TimeZone::get(&name).ok())
        .unwrap_or(jiff::tz::TimeZone::UTC))
}

/// "Today" where the user is: their own time zone (Settings), else the zone of their latest
/// interview, else UTC.
pub async fn today_for(handles: &Handles, user: &User) -> ServiceResult<jiff::civil::Date> {
    let now = handles.clock.now();
    let zone = zone_for(handles, &user.id, &user.time_zone).await?;
    let instant = jiff::Timestamp::from_millisecond(now.0).map_err(|e| ServiceError::Internal(e.into()))?;
    Ok(instant.to_zoned(zone).date())
}

/// The next action (the first open task) is done: it goes on the opportunity's timeline. None
/// open is harmless.
pub async fn complete_next_action(handles: &Handles, user_id: &UserId, id: &str) -> ServiceResult<()> {
    records::require::<Opportunities>(&handles.db, user_id, id).await?;
    let mut tx = handles.db.begin_write().await?;
    if let Some((task_id, _, _)) = tasks::first_open(&mut *tx, user_id, id).await? {
        tasks::set_done(&mut tx, user_id, &task_id, true, handles.clock.now()).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Put the next action (the first open task) off: due `days` from today (where the user is).
pub async fn snooze_next_action(handles: &Handles, user: &User, id: &str, days: &str) -> ServiceResult<()> {
    records::require::<Opportunities>(&handles.db, &user.id, id).await?;
    let Some((task_id, _, _)) = tasks::first_open(handles.db.pool(), &user.id, id).await? else {
        return Err(ServiceError::field("next_action", "There is no open task to put off."));
    };
    crate::services::tasks::put_off(handles, user, &task_id, days).await
}
