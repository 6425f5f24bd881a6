//! The Google Calendar connection (sealed tokens, where the sync stands) and the calendar events
//! found to be interviews.

use sqlx::{Any, Executor, FromRow};

use crate::clock::Timestamp;
use crate::domain::UserId;

pub const CONNECTED: &str = "connected";
pub const RECONNECT: &str = "reconnect";

pub const SUGGESTED: &str = "suggested";
pub const ACCEPTED: &str = "accepted";
pub const DISMISSED: &str = "dismissed";

#[derive(Debug, Clone, FromRow)]
pub struct Connection {
    #[sqlx(try_from = "String")]
    pub user_id: UserId,
    pub provider: String,
    pub subject: String,
    pub email: Option<String>,
    pub sealed: String,
    pub key_id: String,
    pub status: String,
    pub prepare_in_advance: i64,
    pub sync_token: Option<String>,
    pub next_sync_at: Timestamp,
    pub attempts: i64,
    pub last_synced_at: Option<Timestamp>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Connection {
    pub fn needs_reconnect(&self) -> bool {
        self.status == RECONNECT
    }
    pub fn prepares_in_advance(&self) -> bool {
        self.prepare_in_advance != 0
    }
}

const CONNECTION_COLUMNS: &str = "user_id, provider, subject, email, sealed, key_id, status, prepare_in_advance, \
                                  sync_token, next_sync_at, attempts, last_synced_at, last_error, created_at, updated_at";

pub async fn connection<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<Option<Connection>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {CONNECTION_COLUMNS} FROM calendar_connections WHERE user_id = $1"))
        .bind(user_id)
        .fetch_optional(ex)
        .await
}

/// Connections whose next sync is due, oldest first.
pub async fn due_connections<'e>(
    ex: impl Executor<'e, Database = Any>,
    now: Timestamp,
    limit: i64,
) -> Result<Vec<Connection>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {CONNECTION_COLUMNS} FROM calendar_connections WHERE status = $1 AND next_sync_at <= $2 \
         ORDER BY next_sync_at LIMIT $3"
    ))
    .bind(CONNECTED)
    .bind(now)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Connect (or connect again): new tokens, a full sync soon. The preparation switch stays as
/// it was.
#[allow(clippy::too_many_arguments)]
pub async fn upsert_connection<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    provider: &str,
    subject: &str,
    email: Option<&str>,
    sealed: &str,
    key_id: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO calendar_connections (user_id, provider, subject, email, sealed, key_id, status, sync_token, \
         next_sync_at, attempts, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, 0, $8, $8) \
         ON CONFLICT (user_id) DO UPDATE SET provider = $2, subject = $3, email = $4, sealed = $5, key_id = $6, \
         status = $7, sync_token = NULL, next_sync_at = $8, attempts = 0, last_error = NULL, updated_at = $8",
    )
    .bind(user_id)
    .bind(provider)
    .bind(subject)
    .bind(email)
    .bind(sealed)
    .bind(key_id)
    .bind(CONNECTED)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn set_tokens<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    sealed: &str,
    key_id: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE calendar_connections SET sealed = $1, key_id = $2, updated_at = $3 WHERE user_id = $4")
        .bind(sealed)
        .bind(key_id)
        .bind(now)
        .bind(user_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// A finished sync: the token for next time, and when.
pub async fn synced<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    sync_token: Option<&str>,
    next_sync_at: Timestamp,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE calendar_connections SET sync_token = $1, next_sync_at = $2, attempts = 0, last_synced_at = $3, \
         last_error = NULL, updated_at = $3 WHERE user_id = $4",
    )
    .bind(sync_token)
    .bind(next_sync_at)
    .bind(now)
    .bind(user_id)
    .execute(ex)
    .await?;
    Ok(())
}

/// A failed sync: try again later (backing off), or stop until the user connects again.
pub async fn sync_failed<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    error: &str,
    next_sync_at: Timestamp,
    reconnect: bool,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE calendar_connections SET last_error = $1, next_sync_at = $2, attempts = attempts + 1, \
         status = CASE WHEN $3 = 1 THEN $4 ELSE status END, updated_at = $5 WHERE user_id = $6",
    )
    .bind(error)
    .bind(next_sync_at)
    .bind(i64::from(reconnect))
    .bind(RECONNECT)
    .bind(now)
    .bind(user_id)
    .execute(ex)
    .await?;
    Ok(())
}

/// Forget the sync token (Google answered 410): the next sync is a full one.
pub async fn drop_sync_token<'e>(ex: impl Executor<'e, Database = Any>, user_id: &UserId) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE calendar_connections SET sync_token = NULL WHERE user_id = $1")
        .bind(user_id)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn sync_soon<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE calendar_connections SET next_sync_at = $1 WHERE user_id = $2 AND status = $3")
        .bind(now)
        .bind(user_id)
        .bind(CONNECTED)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn set_prepare_in_advance<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    on: bool,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE calendar_connections SET prepare_in_advance = $1, updated_at = $2 WHERE user_id = $3")
            .bind(i64::from(on))
            .bind(now)
            .bind(user_id)
            .execute(ex)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// Stop following every event of the user's calendar (another Google account was connected:
/// its events are other ones). Interviews made from them stay.
pub async fn forget_events<'e>(ex: impl Executor<'e, Database = Any>, user_id: &UserId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM calendar_events WHERE user_id = $1").bind(user_id).execute(ex).await?;
    Ok(())
}

/// Disconnect: the tokens go, and every event kept only to suggest or to remember a
/// dismissal. Interviews made from events stay (they are the user's records) but are no longer
/// kept in step.
pub async fn delete_connection(conn: &mut sqlx::AnyConnection, user_id: &UserId) -> Result<bool, sqlx::Error> {
    sqlx::query("DELETE FROM calendar_events WHERE user_id = $1").bind(user_id).execute(&mut *conn).await?;
    let done =
        sqlx::query("DELETE FROM calendar_connections WHERE user_id = $1").bind(user_id).execute(&mut *conn).await?;
    Ok(done.rows_affected() > 0)
}

// --- Events found to be interviews ---

#[derive(Debug, Clone, FromRow)]
pub struct FoundEvent {
    pub id: String,
    #[sqlx(try_from = "String")]
    pub user_id: UserId,
    pub event_id: String,
    pub status: String,
    pub opportunity_id: Option<String>,
    pub interview_id: Option<String>,
    pub company: String,
    pub kind: String,
    pub details: Option<String>,
    pub key_id: Option<String>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub time_zone: String,
    pub score: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const EVENT_COLUMNS: &str =
    "id, user_id, event_id, status, opportunity_id, interview_id, company, kind, details, key_id, \
                             starts_at, ends_at, time_zone, score, created_at, updated_at";

pub async fn event_by_event_id<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    event_id: &str,
) -> Result<Option<FoundEvent>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {EVENT_COLUMNS} FROM calendar_events WHERE user_id = $1 AND event_id = $2"))
        .bind(user_id)
        .bind(event_id)
        .fetch_optional(ex)
        .await
}

pub async fn event<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    id: &str,
) -> Result<Option<FoundEvent>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {EVENT_COLUMNS} FROM calendar_events WHERE user_id = $1 AND id = $2"))
        .bind(user_id)
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// Suggestions still open for events that have not ended, soonest first.
pub async fn suggestions<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    now: Timestamp,
    limit: i64,
) -> Result<Vec<FoundEvent>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {EVENT_COLUMNS} FROM calendar_events WHERE user_id = $1 AND status = $2 AND ends_at > $3 \
         ORDER BY starts_at, id LIMIT $4"
    ))
    .bind(user_id)
    .bind(SUGGESTED)
    .bind(now)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// A new suggestion, or a suggestion brought up to date (moved, retitled).
pub struct SuggestionFields<'a> {
    pub event_id: &'a str,
    pub opportunity_id: Option<&'a str>,
    pub company: &'a str,
    pub kind: &'a str,
    pub details: &'a str,
    pub key_id: &'a str,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub time_zone: &'a str,
    pub score: i64,
}

pub async fn upsert_suggestion<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    fields: &SuggestionFields<'_>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO calendar_events (id, user_id, event_id, status, opportunity_id, company, details, key_id, \
         starts_at, ends_at, time_zone, score, created_at, updated_at, kind) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14 \
         WHERE EXISTS (SELECT 1 FROM calendar_connections WHERE user_id = $2) \
         ON CONFLICT (user_id, event_id) DO UPDATE SET opportunity_id = $5, company = $6, details = $7, key_id = $8, \
         starts_at = $9, ends_at = $10, time_zone = $11, score = $12, updated_at = $13, kind = $14 \
         WHERE calendar_events.status = $4",
    )
    .bind(crate::db::new_id())
    .bind(user_id)
    .bind(fields.event_id)
    .bind(SUGGESTED)
    .bind(fields.opportunity_id)
    .bind(fields.company)
    .bind(fields.details)
    .bind(fields.key_id)
    .bind(fields.starts_at)
    .bind(fields.ends_at)
    .bind(fields.time_zone)
    .bind(fields.score)
    .bind(now)
    .bind(fields.kind)
    .execute(ex)
    .await?;
    Ok(())
}

/// An accepted event moved: its new times.
pub async fn set_times<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &str,
    starts_at: Timestamp,
    ends_at: Timestamp,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE calendar_events SET starts_at = $1, ends_at = $2, updated_at = $3 WHERE id = $4")
        .bind(starts_at)
        .bind(ends_at)
        .bind(now)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

/// The user decided: the event is accepted (as this interview) or dismissed, and what let them
/// recognise it is dropped.
pub async fn decide<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    id: &str,
    status: &str,
    opportunity_id: Option<&str>,
    interview_id: Option<&str>,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE calendar_events SET status = $1, opportunity_id = $2, interview_id = $3, details = NULL, key_id = NULL, \
         updated_at = $4 WHERE user_id = $5 AND id = $6 AND status = $7",
    )
    .bind(status)
    .bind(opportunity_id)
    .bind(interview_id)
    .bind(now)
    .bind(user_id)
    .bind(id)
    .bind(SUGGESTED)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn delete_event<'e>(ex: impl Executor<'e, Database = Any>, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM calendar_events WHERE id = $1").bind(id).execute(ex).await?;
    Ok(())
}

/// Forget a suggestion the user has not decided on (one accepted meanwhile stays).
pub async fn delete_suggestion<'e>(ex: impl Executor<'e, Database = Any>, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM calendar_events WHERE id = $1 AND status = $2")
        .bind(id)
        .bind(SUGGESTED)
        .execute(ex)
        .await?;
    Ok(())
}

/// Suggested and accepted events starting between `from` and `to`: after a full read, the ones
/// it did not return were deleted at Google.
pub async fn open_events_between<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<FoundEvent>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {EVENT_COLUMNS} FROM calendar_events WHERE user_id = $1 AND status IN ($2, $3) \
         AND starts_at >= $4 AND starts_at < $5"
    ))
    .bind(user_id)
    .bind(SUGGESTED)
    .bind(ACCEPTED)
    .bind(from)
    .bind(to)
    .fetch_all(ex)
    .await
}

/// Events over for a day are no longer needed: suggestions and dismissals go, and so do
/// accepted events (their interview stays, no longer kept in step with a past event).
pub async fn delete_past<'e>(ex: impl Executor<'e, Database = Any>, before: Timestamp) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM calendar_events WHERE ends_at < $1").bind(before).execute(ex).await?;
    Ok(done.rows_affected())
}

/// Accepted interviews starting between `from` and `to` whose owner asked for preparation in
/// advance and that have no preparation yet: (user, interview).
pub async fn interviews_to_prepare<'e>(
    ex: impl Executor<'e, Database = Any>,
    from: Timestamp,
    to: Timestamp,
    limit: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.user_id, e.interview_id FROM calendar_events e \
         JOIN calendar_connections c ON c.user_id = e.user_id \
         JOIN interviews i ON i.id = e.interview_id AND i.user_id = e.user_id \
         JOIN opportunities o ON o.id = i.opportunity_id AND o.user_id = e.user_id AND o.role <> $6 \
         WHERE e.status = $1 AND c.prepare_in_advance = 1 AND i.starts_at >= $2 AND i.starts_at <= $3 \
         AND i.outcome <> 'cancelled' AND (e.prep_attempted_at IS NULL OR e.prep_attempted_at < $5) \
         AND NOT EXISTS (SELECT 1 FROM prep_documents p WHERE p.user_id = e.user_id AND p.interview_id = e.interview_id) \
         ORDER BY i.starts_at LIMIT $4",
    )
    .bind(ACCEPTED)
    .bind(from)
    .bind(to)
    .bind(limit)
    .bind(from.minus(PREP_RETRY))
    .bind(crate::domain::interviews::ROLE_TO_BE_CONFIRMED)
    .fetch_all(ex)
    .await
}

/// A refused or failed preparation in advance is tried again after this.
pub const PREP_RETRY: std::time::Duration = std::time::Duration::from_secs(6 * 3600);

pub async fn prep_attempted<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    interview_id: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE calendar_events SET prep_attempted_at = $1 WHERE user_id = $2 AND interview_id = $3")
        .bind(now)
        .bind(user_id)
        .bind(interview_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// An opportunity as the detector compares events with it.
#[derive(Debug, Clone, FromRow)]
pub struct OpenOpportunity {
    pub id: String,
    pub company: String,
    pub posting_url: Option<String>,
}

/// The opportunities still open (not rejected, withdrawn or accepted), latest first.
pub async fn open_opportunities<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    limit: i64,
) -> Result<Vec<OpenOpportunity>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, company, posting_url FROM opportunities WHERE user_id = $1 \
         AND status NOT IN ('rejected', 'withdrawn', 'accepted') ORDER BY updated_at DESC, id LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// (opportunity, contact's address) for every contact with an address connected to one of the
/// user's opportunities.
pub async fn contact_addresses<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT oc.opportunity_id, c.email FROM opportunity_contacts oc JOIN contacts c ON c.id = oc.contact_id \
         WHERE oc.user_id = $1 AND c.user_id = $1 AND c.email <> ''",
    )
    .bind(user_id)
    .fetch_all(ex)
    .await
}

/// The user's open opportunities to choose from when accepting a suggestion: (id, company, role).
pub async fn opportunity_choices<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    limit: i64,
) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, company, role FROM opportunities WHERE user_id = $1 \
         AND status NOT IN ('rejected', 'withdrawn', 'accepted') ORDER BY company, role, id LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Interviews starting between `from` and `to` that have a preparation document.
pub async fn prepared_interviews<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT p.interview_id FROM prep_documents p JOIN interviews i ON i.id = p.interview_id AND i.user_id = p.user_id \
         WHERE p.user_id = $1 AND i.starts_at >= $2 AND i.starts_at <= $3",
    )
    .bind(user_id)
    .bind(from)
    .bind(to)
    .fetch_all(ex)
    .await
}
