//! The Google Calendar sync: a background pass reads each connected calendar's changes
//! (incremental, with Google's sync tokens; a full read again when Google answers 410), finds
//! the events that look like interviews, and keeps accepted ones in step with their events.
//! Then, for users who asked, it prepares accepted interviews of the coming week with AI.
//!
//! Raw events are held in memory only while they are compared (promise 16: they never reach
//! the AI provider); what is kept of a suggestion is in `calendar_events`.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::clock::Timestamp;
use crate::db::google_calendar::{self as db, Connection};
use crate::db::leases;
use crate::domain::interview_detection::{self as detection, EventFacts, Prospect};
use crate::domain::UserId;
use crate::integrations::calendar::{CalendarError, CalendarEvent, EventTime, GoogleCalendar};
use crate::integrations::oidc::OidcProvider;
use crate::services::oidc::{open_tokens, seal_tokens, SealedTokens};
use crate::services::{Handles, ServiceError, ServiceResult};

/// How often an instance looks for calendars due a sync.
pub const CHECK_EVERY: Duration = Duration::from_secs(60);
const PASS_LEASE: &str = "calendar-sync";
const PASS_LEASE_FOR: Duration = Duration::from_secs(5 * 60);
/// Held on one connection while it syncs, so two instances (or a pass and "Sync now") never
/// refresh one grant at once.
const CONNECTION_LEASE_FOR: Duration = Duration::from_secs(5 * 60);
/// Connections synced in one pass; the rest wait for the next.
const CONNECTIONS_PER_PASS: i64 = 100;
/// What a full sync reads: from a day ago to two months ahead.
const LOOK_BACK: Duration = Duration::from_secs(24 * 3600);
const LOOK_AHEAD: Duration = Duration::from_secs(60 * 24 * 3600);
/// An access token this close to its end is refreshed first.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);
/// After a failure: one minute, doubled each time, at most six hours (or what Google's
/// Retry-After asks, if longer).
const FIRST_RETRY: Duration = Duration::from_secs(60);
const LONGEST_RETRY: Duration = Duration::from_secs(6 * 3600);
/// Accepted interviews starting within this are prepared in advance.
pub const PREPARE_WITHIN: Duration = Duration::from_secs(7 * 24 * 3600);
/// Preparations written in one pass (each is an AI run).
const PREPARATIONS_PER_PASS: i64 = 5;
/// The opportunities compared with each event.
const PROSPECTS_MAX: i64 = 500;

/// Run the sync every [`CHECK_EVERY`] until `stop` says so (only when Google is configured).
pub fn spawn(handles: Arc<Handles>, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        if handles.oidc.google().is_none() {
            return;
        }
        loop {
            tokio::select! {
                _ = tokio::time::sleep(CHECK_EVERY) => {}
                _ = stop.changed() => break,
            }
            tokio::select! {
                outcome = sync_pass(&handles) => match counted(&handles, outcome) {
                    Ok(report) if report.synced + report.failed + report.prepared > 0 => {
                        tracing::info!(?report, "calendar sync pass")
                    }
                    Ok(_) => {}
                    Err(err) => tracing::warn!(error = %format!("{err:#}"), "calendar sync pass failed"),
                },
                _ = stop.changed() => break,
            }
        }
    })
}

/// Count a pass that ran (one that found another instance holding the lease did nothing).
fn counted(handles: &Handles, outcome: ServiceResult<SyncReport>) -> ServiceResult<SyncReport> {
    if outcome.as_ref().map_or(true, |report| report.ran) {
        handles.metrics.job_run("calendar_sync", outcome.is_ok());
    }
    outcome
}

/// What a pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub ran: bool,
    pub synced: u64,
    pub failed: u64,
    pub prepared: u64,
}

/// One pass: every connection due, then preparation in advance.
pub async fn sync_pass(handles: &Handles) -> ServiceResult<SyncReport> {
    let now = handles.clock.now();
    let pool = handles.db.pool();
    if !leases::try_acquire(pool, PASS_LEASE, &handles.instance_id, now, now.plus(PASS_LEASE_FOR)).await? {
        return Ok(SyncReport::default());
    }
    let mut report = SyncReport { ran: true, ..SyncReport::default() };
    for connection in db::due_connections(pool, now, CONNECTIONS_PER_PASS).await? {
        match sync_connection(handles, &connection).await {
            Ok(Synced::Done) => report.synced += 1,
            Ok(Synced::Busy) => {}
            Ok(Synced::Failed) => report.failed += 1,
            Err(err) => {
                report.failed += 1;
                tracing::warn!(user_id = %connection.user_id, error = %format!("{err:#}"), "a calendar sync failed");
            }
        }
    }
    report.prepared = prepare_in_advance(handles).await?;
    Ok(report)
}

/// Sync one user's calendar now ("Look for interviews now", and right after connecting): true
/// when it was read.
pub async fn sync_user(handles: &Handles, user_id: &UserId) -> ServiceResult<bool> {
    let Some(connection) = db::connection(handles.db.pool(), user_id).await? else {
        return Err(ServiceError::NotFound);
    };
    if connection.needs_reconnect() {
        return Ok(false);
    }
    Ok(sync_connection(handles, &connection).await? == Synced::Done)
}

#[derive(Debug, PartialEq, Eq)]
enum Synced {
    Done,
    /// Another instance is syncing it.
    Busy,
    /// Noted on the connection; retried later or waiting for the user.
    Failed,
}

async fn sync_connection(handles: &Handles, connection: &Connection) -> ServiceResult<Synced> {
    let user_id = &connection.user_id;
    let pool = handles.db.pool();
    let now = handles.clock.now();
    let lease = format!("calendar:{}", user_id.as_str());
    // A holder of its own, not the instance's: the pass, "Look for interviews now" and the first
    // read after connecting may run in one process, and must not share the lease.
    let holder = format!("{}/{}", handles.instance_id, crate::db::new_id());
    if !leases::try_acquire(pool, &lease, &holder, now, now.plus(CONNECTION_LEASE_FOR)).await? {
        return Ok(Synced::Busy);
    }
    // Read again under the lease: the user may have reconnected (new tokens, no sync token)
    // since the list of due connections was read.
    let Some(connection) = db::connection(pool, user_id).await?.filter(|c| !c.needs_reconnect()) else {
        leases::release(pool, &lease, &holder).await?;
        return Ok(Synced::Busy);
    };
    let connection = &connection;
    let outcome = match sync_holding_lease(handles, connection).await {
        // Whatever went wrong (the database, an event we could not file), the connection is
        // tried again later with a growing delay rather than at every pass.
        Err(err) => {
            tracing::warn!(user_id = %user_id, error = %format!("{err:#}"), "a calendar sync failed");
            fail(handles, connection, "The calendar could not be read just now; trying again later.", None, false).await
        }
        done => done,
    };
    leases::release(pool, &lease, &holder).await?;
    outcome
}

async fn sync_holding_lease(handles: &Handles, connection: &Connection) -> ServiceResult<Synced> {
    let user_id = &connection.user_id;
    let Some(provider) = handles.oidc.get(&connection.provider).cloned() else {
        return fail(handles, connection, "Google sign-in is no longer configured on this instance.", None, true).await;
    };
    let Some(mut tokens) = open_tokens(handles, user_id, &connection.sealed) else {
        return fail(handles, connection, "The stored access could not be opened. Connect again.", None, true).await;
    };
    let now = handles.clock.now();
    if tokens.expires_at_ms <= now.plus(TOKEN_MARGIN).millis() {
        match refresh(handles, &provider, user_id, &tokens).await {
            Ok(fresh) => tokens = fresh,
            Err(failure) => return failure.note(handles, connection).await,
        }
    }
    let calendar = GoogleCalendar::new(handles.calendar_api.clone());
    let window = (now.minus(LOOK_BACK), now.plus(LOOK_AHEAD));
    let mut sync_token = connection.sync_token.clone();
    let mut refreshed = false;
    let changes = loop {
        match calendar.changes(&tokens.access_token, sync_token.as_deref(), window).await {
            Ok(changes) => break changes,
            Err(CalendarError::Gone) if sync_token.is_some() => {
                // Google forgot where we were: read everything in the window again.
                tracing::info!(user_id = %user_id, "calendar sync token expired; reading the calendar again");
                db::drop_sync_token(handles.db.pool(), user_id).await?;
                sync_token = None;
            }
            Err(CalendarError::Unauthorized) if !refreshed => {
                refreshed = true;
                match refresh(handles, &provider, user_id, &tokens).await {
                    Ok(fresh) => tokens = fresh,
                    Err(failure) => return failure.note(handles, connection).await,
                }
            }
            Err(CalendarError::Unauthorized) => {
                return fail(handles, connection, "Google no longer accepts this connection.", None, true).await
            }
            Err(CalendarError::Forbidden(reason)) => {
                tracing::info!(user_id = %user_id, %reason, "the calendar grant was refused");
                return fail(handles, connection, "Google refused to show the calendar. Connect again.", None, true)
                    .await;
            }
            Err(CalendarError::RateLimited { retry_after }) => {
                return fail(
                    handles,
                    connection,
                    "Google asked us to slow down; trying again later.",
                    retry_after,
                    false,
                )
                .await
            }
            Err(other) => {
                tracing::info!(user_id = %user_id, error = %other, "a calendar read failed");
                return fail(handles, connection, "Google Calendar did not answer; trying again later.", None, false)
                    .await;
            }
        }
    };
    let own_email = connection.email.clone();
    apply_changes(handles, user_id, own_email.as_deref(), &changes.events).await?;
    if sync_token.is_none() {
        forget_missing(handles, user_id, window, &changes.events).await?;
    }
    let now = handles.clock.now();
    db::synced(
        handles.db.pool(),
        user_id,
        changes.next_sync_token.as_deref(),
        now.plus(handles.limits.calendar_sync_every),
        now,
    )
    .await?;
    Ok(Synced::Done)
}

/// Why a refresh failed, and what to note.
struct RefreshFailure {
    message: &'static str,
    reconnect: bool,
}

impl RefreshFailure {
    async fn note(self, handles: &Handles, connection: &Connection) -> ServiceResult<Synced> {
        fail(handles, connection, self.message, None, self.reconnect).await
    }
}

async fn refresh(
    handles: &Handles,
    provider: &OidcProvider,
    user_id: &UserId,
    tokens: &SealedTokens,
) -> Result<SealedTokens, RefreshFailure> {
    let Some(refresh_token) = tokens.refresh_token.as_deref() else {
        return Err(RefreshFailure {
            message: "The access expired and Google gave no way to renew it. Connect again.",
            reconnect: true,
        });
    };
    match provider.refresh(refresh_token, handles.clock.now()).await {
        Ok(fresh) => {
            let sealed_tokens = SealedTokens::from(&fresh);
            let (sealed, key_id) = seal_tokens(handles, user_id, &sealed_tokens);
            db::set_tokens(handles.db.pool(), user_id, &sealed, &key_id, handles.clock.now())
                .await
                .map_err(|_| RefreshFailure { message: "The renewed access could not be saved.", reconnect: false })?;
            Ok(sealed_tokens)
        }
        Err(err) if crate::services::oidc::grant_is_gone(&err) => Err(RefreshFailure {
            message: "Google no longer accepts this connection (it was revoked or expired).",
            reconnect: true,
        }),
        Err(err) => {
            tracing::info!(user_id = %user_id, error = %err, "a calendar token refresh failed");
            Err(RefreshFailure { message: "Google did not renew the access; trying again later.", reconnect: false })
        }
    }
}

/// Note a failure: retry with a growing delay, or wait for the user to connect again.
async fn fail(
    handles: &Handles,
    connection: &Connection,
    message: &str,
    retry_after: Option<Duration>,
    reconnect: bool,
) -> ServiceResult<Synced> {
    let now = handles.clock.now();
    let attempts = u32::try_from(connection.attempts.clamp(0, 16)).unwrap_or(16);
    let backoff = FIRST_RETRY.saturating_mul(2u32.saturating_pow(attempts)).min(LONGEST_RETRY);
    let wait = retry_after.map_or(backoff, |asked| asked.max(backoff)).min(LONGEST_RETRY);
    db::sync_failed(handles.db.pool(), &connection.user_id, message, now.plus(wait), reconnect, now).await?;
    Ok(Synced::Failed)
}

/// The start and end of an event as instants, with the zone to show it in.
fn times_of(event: &CalendarEvent, fallback_zone: &str) -> Option<(Timestamp, Timestamp, String, bool)> {
    let zone_name = event.time_zone.clone().filter(|z| jiff::tz::TimeZone::get(z).is_ok());
    let zone_name = zone_name.unwrap_or_else(|| fallback_zone.to_owned());
    let zone = jiff::tz::TimeZone::get(&zone_name).unwrap_or(jiff::tz::TimeZone::UTC);
    let instant = |time: &EventTime| -> Option<Timestamp> {
        match time {
            EventTime::At(at) => Some(*at),
            EventTime::AllDay(date) => {
                date.to_zoned(zone.clone()).ok().map(|z| Timestamp(z.timestamp().as_millisecond()))
            }
        }
    };
    let start = instant(event.start.as_ref()?)?;
    let end = event.end.as_ref().and_then(instant).filter(|end| end.millis() >= start.millis()).unwrap_or(start);
    let all_day = matches!(event.start, Some(EventTime::AllDay(_)));
    Some((start, end, zone_name, all_day))
}

/// What the user sees to recognise a suggestion; sealed, and dropped once they decide.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SuggestionDetails {
    pub title: String,
    pub organizer: Option<String>,
    pub meeting_url: Option<String>,
}

pub fn details_context(user_id: &UserId, event_id: &str) -> String {
    format!("google-calendar/event/{}/{event_id}", user_id.as_str())
}

/// The user's open opportunities as the detector compares events with them.
pub async fn prospects(handles: &Handles, user_id: &UserId) -> ServiceResult<Vec<Prospect>> {
    let pool = handles.db.pool();
    let opportunities = db::open_opportunities(pool, user_id, PROSPECTS_MAX).await?;
    let contacts = db::contact_addresses(pool, user_id).await?;
    Ok(opportunities
        .into_iter()
        .map(|o| {
            let contact_emails: Vec<String> =
                contacts.iter().filter(|(id, _)| *id == o.id).map(|(_, email)| email.to_lowercase()).collect();
            let mut domains: Vec<String> =
                contact_emails.iter().filter_map(|e| e.rsplit_once('@').map(|(_, d)| d.to_owned())).collect();
            if let Some(host) = o
                .posting_url
                .as_deref()
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.host_str().map(|h| h.trim_start_matches("www.").to_lowercase()))
            {
                domains.push(host);
            }
            domains.sort();
            domains.dedup();
            Prospect { opportunity_id: o.id, company: o.company, contact_emails, domains }
        })
        .collect())
}

/// Compare each changed event with the user's opportunities and what was decided before.
async fn apply_changes(
    handles: &Handles,
    user_id: &UserId,
    own_email: Option<&str>,
    events: &[CalendarEvent],
) -> ServiceResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let prospects = prospects(handles, user_id).await?;
    let pool = handles.db.pool();
    let user = crate::db::accounts::find_by_id(pool, user_id).await?.ok_or(ServiceError::NotFound)?;
    let fallback_zone = if user.time_zone.is_empty() { "UTC".to_owned() } else { user.time_zone.clone() };
    let sealer = crate::integrations::bluesky::stores::Sealer::new(handles.field_key.clone());
    for event in events {
        if event.id.is_empty() || event.id.len() > 1024 {
            continue;
        }
        let known = db::event_by_event_id(pool, user_id, &event.id).await?;
        let now = handles.clock.now();
        if event.cancelled {
            if let Some(known) = known {
                match known.status.as_str() {
                    db::ACCEPTED => {
                        crate::services::interview_suggestions::event_cancelled(handles, user_id, &known).await?
                    }
                    db::SUGGESTED => db::delete_suggestion(pool, &known.id).await?,
                    _ => {}
                }
            }
            continue;
        }
        let Some((starts_at, ends_at, zone, all_day)) = times_of(event, &fallback_zone) else { continue };
        match known.as_ref().map(|k| k.status.as_str()) {
            Some(db::ACCEPTED) => {
                let known = known.expect("matched");
                if known.starts_at != starts_at || known.ends_at != ends_at {
                    crate::services::interview_suggestions::event_moved(handles, user_id, &known, starts_at, ends_at)
                        .await?;
                }
                continue;
            }
            Some(db::DISMISSED) => continue,
            _ => {}
        }
        let own = own_email
            .map(str::to_owned)
            .or_else(|| event.attendees.iter().find(|a| a.is_self).map(|a| a.email.clone()));
        let facts = EventFacts {
            title: event.title.clone(),
            description: event.description.clone(),
            location: event.location.clone(),
            organizer_email: event.organizer_email.clone(),
            attendee_emails: event.attendees.iter().map(|a| a.email.clone()).collect(),
            conference_urls: event.conference_urls.clone(),
            all_day,
            recurring: event.recurring,
            own_email: own,
            duration_minutes: (ends_at.millis() - starts_at.millis()) / 60_000,
        };
        let found = detection::detect(&facts, &prospects).filter(|_| ends_at.millis() > now.millis());
        match found {
            Some(found) => {
                let details = SuggestionDetails {
                    title: event.title.chars().take(300).collect(),
                    organizer: event.organizer_email.clone(),
                    meeting_url: event
                        .conference_urls
                        .iter()
                        .find(|u| u.starts_with("https://") && u.len() <= 2000)
                        .cloned(),
                };
                let sealed = sealer.seal_json(&details, &details_context(user_id, &event.id));
                let company: String = found.company.chars().take(200).collect();
                let fields = db::SuggestionFields {
                    event_id: &event.id,
                    opportunity_id: found.opportunity_id.as_deref(),
                    company: &company,
                    kind: found.kind.as_str(),
                    details: &sealed,
                    key_id: sealer.key_id(),
                    starts_at,
                    ends_at,
                    time_zone: &zone,
                    score: i64::from(found.score),
                };
                db::upsert_suggestion(pool, user_id, &fields, now).await?;
            }
            None => {
                // It changed and no longer looks like an interview (or it is over).
                if let Some(known) = known.filter(|k| k.status == db::SUGGESTED) {
                    db::delete_suggestion(pool, &known.id).await?;
                }
            }
        }
    }
    Ok(())
}

/// A full read lists every event of the window: a suggestion in the window that it did not
/// list was deleted at Google while we were not following (a 410), and is forgotten. An
/// accepted event it did not list may also have moved out of the window, so its interview is
/// left as it is and simply no longer followed.
async fn forget_missing(
    handles: &Handles,
    user_id: &UserId,
    window: (Timestamp, Timestamp),
    events: &[CalendarEvent],
) -> ServiceResult<()> {
    let listed: std::collections::HashSet<&str> =
        events.iter().filter(|e| !e.cancelled).map(|e| e.id.as_str()).collect();
    for known in db::open_events_between(handles.db.pool(), user_id, window.0, window.1).await? {
        if listed.contains(known.event_id.as_str()) {
            continue;
        }
        if known.status == db::ACCEPTED {
            db::delete_event(handles.db.pool(), &known.id).await?;
        } else {
            db::delete_suggestion(handles.db.pool(), &known.id).await?;
        }
    }
    Ok(())
}

/// Prepare, with AI, accepted interviews of the coming week whose owners asked for it.
async fn prepare_in_advance(handles: &Handles) -> ServiceResult<u64> {
    if handles.ai.is_none() {
        return Ok(0);
    }
    let now = handles.clock.now();
    let due =
        db::interviews_to_prepare(handles.db.pool(), now, now.plus(PREPARE_WITHIN), PREPARATIONS_PER_PASS).await?;
    let mut prepared = 0;
    for (user_id, interview_id) in due {
        let user_id = UserId::from(user_id);
        match crate::services::interview_suggestions::prepare(handles, &user_id, &interview_id).await {
            Ok(true) => prepared += 1,
            Ok(false) => {}
            Err(err) => {
                tracing::warn!(user_id = %user_id, error = %format!("{err:#}"), "preparing an interview in advance failed")
            }
        }
    }
    Ok(prepared)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(start: EventTime, end: EventTime, zone: Option<&str>) -> CalendarEvent {
        CalendarEvent {
            id: "e".into(),
            cancelled: false,
            title: String::new(),
            description: String::new(),
            location: String::new(),
            organizer_email: None,
            attendees: Vec::new(),
            conference_urls: Vec::new(),
            start: Some(start),
            end: Some(end),
            time_zone: zone.map(str::to_owned),
            recurring: false,
        }
    }

    #[test]
    fn an_all_day_event_starts_at_midnight_where_it_was_written_and_bad_zones_fall_back() {
        let day = |d: &str| EventTime::AllDay(d.parse().unwrap());
        let (start, end, zone, all_day) =
            times_of(&event(day("2026-12-24"), day("2026-12-25"), Some("Europe/Berlin")), "UTC").unwrap();
        assert!(all_day);
        assert_eq!(zone, "Europe/Berlin");
        assert_eq!(start.rfc3339(), "2026-12-23T23:00:00Z");
        assert_eq!(end.millis() - start.millis(), 24 * 3600 * 1000);
        let (_, _, zone, _) =
            times_of(&event(day("2026-12-24"), day("2026-12-25"), Some("Mars/Olympus")), "Asia/Tokyo").unwrap();
        assert_eq!(zone, "Asia/Tokyo");
    }

    #[test]
    fn an_end_before_the_start_is_read_as_no_length() {
        let at = |ms: i64| EventTime::At(Timestamp(ms));
        let (start, end, _, all_day) = times_of(&event(at(10_000), at(5_000), None), "UTC").unwrap();
        assert!(!all_day);
        assert_eq!((start.millis(), end.millis()), (10_000, 10_000));
    }
}
