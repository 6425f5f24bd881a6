//! Interviews found in the calendar: the suggestions the dashboard shows, accepting one (it
//! becomes an interview on the matched opportunity, or on a new one), dismissing one (it is
//! remembered), keeping accepted ones in step with their events, and preparation in advance.

use crate::clock::Timestamp;
use crate::db::google_calendar::{self as db, FoundEvent};
use crate::domain::interviews::{InterviewOutcome, InterviewWrite};
use crate::domain::opportunities::OpportunityWrite;
use crate::domain::UserId;
use crate::integrations::bluesky::stores::Sealer;
use crate::services::calendar_sync::{details_context, SuggestionDetails};
use crate::services::prep::{self, MaterialChoice, PrepSubject};
use crate::services::records::{self, kinds};
use crate::services::{Handles, ServiceError, ServiceResult};

/// Suggestions shown at once.
pub const SHOWN_MAX: i64 = 10;
/// The round name an interview from the calendar starts with: never the event's title, which
/// may carry what preparation must not send (promise 16).
pub const ROUND_FROM_CALENDAR: &str = "Interview from your calendar";
pub use crate::domain::interviews::ROLE_TO_BE_CONFIRMED as ROLE_UNKNOWN;

/// A suggestion as the dashboard shows it.
#[derive(Debug, Clone)]
pub struct Suggestion {
    pub id: String,
    pub company: String,
    pub opportunity_id: Option<String>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub time_zone: String,
    pub details: Option<SuggestionDetails>,
}

fn sealer(handles: &Handles) -> Sealer {
    Sealer::new(handles.field_key.clone())
}

pub async fn open_suggestions(handles: &Handles, user_id: &UserId) -> ServiceResult<Vec<Suggestion>> {
    let rows = db::suggestions(handles.db.pool(), user_id, handles.clock.now(), SHOWN_MAX).await?;
    let sealer = sealer(handles);
    Ok(rows
        .into_iter()
        .map(|row| Suggestion {
            details: row
                .details
                .as_deref()
                .and_then(|d| sealer.open_json(d, &details_context(user_id, &row.event_id)).ok()),
            id: row.id,
            company: row.company,
            opportunity_id: row.opportunity_id,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            time_zone: row.time_zone,
        })
        .collect())
}

/// Wall-clock `YYYY-MM-DDTHH:MM` of an instant in a zone, as an interview's start is written.
fn local_start(at: Timestamp, zone: &str) -> String {
    let zone = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let instant = jiff::Timestamp::from_millisecond(at.millis()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    instant.to_zoned(zone).strftime("%Y-%m-%dT%H:%M").to_string()
}

fn duration_minutes(starts_at: Timestamp, ends_at: Timestamp) -> String {
    let minutes = ((ends_at.millis() - starts_at.millis()) / 60_000).clamp(5, 24 * 60);
    minutes.to_string()
}

/// Accept a suggestion: an interview on `opportunity_id` (one of the user's), or on the matched
/// opportunity, or on a new opportunity at the company. Answers the interview's id.
pub async fn accept(
    handles: &Handles,
    user_id: &UserId,
    id: &str,
    opportunity_id: Option<&str>,
) -> ServiceResult<String> {
    let pool = handles.db.pool();
    let found =
        db::event(pool, user_id, id).await?.filter(|e| e.status == db::SUGGESTED).ok_or(ServiceError::NotFound)?;
    let details: Option<SuggestionDetails> = found
        .details
        .as_deref()
        .and_then(|d| sealer(handles).open_json(d, &details_context(user_id, &found.event_id)).ok());
    let asked = opportunity_id.map(str::trim).filter(|o| !o.is_empty());
    let existing = match asked {
        Some("new") => None,
        Some(chosen) => Some(chosen),
        None => found.opportunity_id.as_deref(),
    };
    let made_new = existing.is_none();
    let opportunity_id = match existing {
        Some(chosen) => match records::get::<kinds::Opportunities>(&handles.db, user_id, chosen).await {
            Ok(row) => row.id,
            Err(ServiceError::NotFound) => {
                return Err(ServiceError::field("opportunity", "Choose one of your opportunities."))
            }
            Err(err) => return Err(err),
        },
        None => {
            let company =
                if found.company.trim().is_empty() { "Company to be confirmed" } else { found.company.trim() };
            let write = OpportunityWrite {
                company: Some(company.to_owned()),
                role: Some(ROLE_UNKNOWN.to_owned()),
                status: Some("interviewing".to_owned()),
                ..OpportunityWrite::default()
            };
            records::create::<kinds::Opportunities>(handles, user_id, write).await?.id
        }
    };
    let write = |meeting_url: Option<String>| InterviewWrite {
        opportunity_id: Some(opportunity_id.clone()),
        round_name: Some(ROUND_FROM_CALENDAR.to_owned()),
        kind: Some(found.kind.clone()),
        start: Some(local_start(found.starts_at, &found.time_zone)),
        time_zone: Some(found.time_zone.clone()),
        duration_minutes: Some(duration_minutes(found.starts_at, found.ends_at)),
        meeting_url,
        ..InterviewWrite::default()
    };
    // An opportunity made for this suggestion goes again if the interview is not made after all.
    let undo = |err: ServiceError| async {
        if made_new {
            records::delete::<kinds::Opportunities>(handles, user_id, &opportunity_id).await?;
        }
        Err::<String, ServiceError>(err)
    };
    let interview = match records::create::<kinds::Interviews>(
        handles,
        user_id,
        write(details.and_then(|d| d.meeting_url)),
    )
    .await
    {
        // The event's link is someone else's text: when the interview would refuse it, the
        // interview is made without it rather than not at all.
        Err(ServiceError::Invalid(errors)) if errors.get("meeting_url").is_some() => {
            records::create::<kinds::Interviews>(handles, user_id, write(None)).await
        }
        other => other,
    };
    let interview = match interview {
        Ok(interview) => interview,
        Err(err) => return undo(err).await,
    };
    let decided =
        db::decide(pool, user_id, id, db::ACCEPTED, Some(&opportunity_id), Some(&interview.id), handles.clock.now())
            .await?;
    if !decided {
        // Accepted twice at once (two tabs), or the event went meanwhile: keep nothing of this.
        records::delete::<kinds::Interviews>(handles, user_id, &interview.id).await?;
        return undo(ServiceError::NotFound).await;
    }
    tracing::info!(user_id = %user_id, "an interview found in the calendar was accepted");
    Ok(interview.id)
}

/// "Not an interview": remembered, so the event is not suggested again.
pub async fn dismiss(handles: &Handles, user_id: &UserId, id: &str) -> ServiceResult<()> {
    if db::decide(handles.db.pool(), user_id, id, db::DISMISSED, None, None, handles.clock.now()).await? {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// The event of an accepted interview moved: the interview moves with it.
pub async fn event_moved(
    handles: &Handles,
    user_id: &UserId,
    found: &FoundEvent,
    starts_at: Timestamp,
    ends_at: Timestamp,
) -> ServiceResult<()> {
    let now = handles.clock.now();
    if let Some(interview_id) = &found.interview_id {
        let write = InterviewWrite {
            start: Some(local_start(starts_at, &found.time_zone)),
            time_zone: Some(found.time_zone.clone()),
            duration_minutes: Some(duration_minutes(starts_at, ends_at)),
            ..InterviewWrite::default()
        };
        match records::patch::<kinds::Interviews>(handles, user_id, interview_id, write).await {
            Ok(_) | Err(ServiceError::NotFound) => {}
            // A time the interview cannot hold (its rules are stricter than a calendar's): it
            // keeps the time it had; the event's new time is noted so it is not tried again.
            Err(ServiceError::Invalid(errors)) => {
                tracing::info!(user_id = %user_id, ?errors, "a moved calendar event could not move its interview");
            }
            Err(err) => return Err(err),
        }
    }
    db::set_times(handles.db.pool(), &found.id, starts_at, ends_at, now).await?;
    Ok(())
}

/// The event of an accepted interview was cancelled: so is the interview (it stays on record),
/// unless it already has an outcome.
pub async fn event_cancelled(handles: &Handles, user_id: &UserId, found: &FoundEvent) -> ServiceResult<()> {
    if let Some(interview_id) = &found.interview_id {
        match records::get::<kinds::Interviews>(&handles.db, user_id, interview_id).await {
            Ok(interview) if interview.outcome == InterviewOutcome::Pending => {
                let write = InterviewWrite {
                    outcome: Some(InterviewOutcome::Cancelled.as_str().to_owned()),
                    ..InterviewWrite::default()
                };
                match records::patch::<kinds::Interviews>(handles, user_id, interview_id, write).await {
                    Ok(_) | Err(ServiceError::NotFound) | Err(ServiceError::Invalid(_)) => {}
                    Err(err) => return Err(err),
                }
            }
            Ok(_) | Err(ServiceError::NotFound) => {}
            Err(err) => return Err(err),
        }
    }
    db::delete_event(handles.db.pool(), &found.id).await?;
    Ok(())
}

/// Prepare one interview with AI, from the opportunity's own fields, the user's texts and their
/// latest achievements: nothing of the calendar event (promise 16). False when the run was
/// refused (limits, budget): it is tried again in a later pass.
pub async fn prepare(handles: &Handles, user_id: &UserId, interview_id: &str) -> ServiceResult<bool> {
    db::prep_attempted(handles.db.pool(), user_id, interview_id, handles.clock.now()).await?;
    let mut achievements =
        crate::db::lists::choices(handles.db.pool(), &crate::db::career::ACHIEVEMENTS, "t.title", user_id).await?;
    achievements.truncate(prep::ACHIEVEMENTS_BY_DEFAULT);
    let choice = MaterialChoice {
        achievements: achievements.into_iter().map(|(id, _)| id).collect(),
        journal_entries: Vec::new(),
    };
    let run = prep::gather(handles, user_id, PrepSubject::Interview(interview_id), &choice).await?;
    match prep::generate(handles, user_id, run, None).await? {
        Ok(_) => {
            tracing::info!(user_id = %user_id, "an interview from the calendar was prepared in advance");
            Ok(true)
        }
        Err(refused) => {
            tracing::info!(user_id = %user_id, reason = %refused, "preparation in advance did not run");
            Ok(false)
        }
    }
}
