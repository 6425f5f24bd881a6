//! Who asked for which reminder mail, and what was sent.

use sqlx::{Any, AnyConnection, Executor, FromRow};

use crate::clock::Timestamp;
use crate::db::Flag;
use crate::domain::UserId;

/// A user's reminder switches (both off until switched on).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReminderSettings {
    pub daily_digest: bool,
    pub interview_reminders: bool,
}

pub async fn settings_of<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<ReminderSettings, sqlx::Error> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT daily_digest, interview_reminders FROM reminder_settings WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(ex)
            .await?;
    Ok(row
        .map(|(digest, interviews)| ReminderSettings {
            daily_digest: digest != 0,
            interview_reminders: interviews != 0,
        })
        .unwrap_or_default())
}

pub async fn save_settings<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    settings: ReminderSettings,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO reminder_settings (user_id, daily_digest, interview_reminders, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id) DO UPDATE SET daily_digest = $2, interview_reminders = $3, updated_at = $4",
    )
    .bind(user_id)
    .bind(Flag::bind(settings.daily_digest))
    .bind(Flag::bind(settings.interview_reminders))
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Someone to remind: their verified address and time zone.
#[derive(Debug, Clone, FromRow)]
pub struct Recipient {
    #[sqlx(try_from = "String")]
    pub user_id: UserId,
    pub email: String,
    pub time_zone: String,
}

/// Which switch a list of recipients is read by.
#[derive(Debug, Clone, Copy)]
pub enum Switch {
    DailyDigest,
    InterviewReminders,
}

/// Up to `limit` users with `switch` on and a verified address, after `after` (a user id; ""
/// for the first page), in id order.
pub async fn recipients<'e>(
    ex: impl Executor<'e, Database = Any>,
    switch: Switch,
    after: &str,
    limit: i64,
) -> Result<Vec<Recipient>, sqlx::Error> {
    let column = match switch {
        Switch::DailyDigest => "daily_digest",
        Switch::InterviewReminders => "interview_reminders",
    };
    sqlx::query_as(&format!(
        "SELECT u.id AS user_id, u.email, u.time_zone FROM reminder_settings r JOIN users u ON u.id = r.user_id
         WHERE r.{column} = 1 AND r.user_id > $1 AND u.email IS NOT NULL AND u.email_verified_at IS NOT NULL
         ORDER BY r.user_id LIMIT $2"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Note that the reminder `kind` about `subject` goes to `user_id` now; `false` when it was
/// noted before (by this pass or another instance's), so it must not be sent again.
pub async fn note_sent(
    conn: &mut AnyConnection,
    user_id: &UserId,
    kind: &str,
    subject: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let noted = sqlx::query(
        "INSERT INTO reminders_sent (user_id, kind, subject, sent_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, kind, subject) DO NOTHING",
    )
    .bind(user_id)
    .bind(kind)
    .bind(subject)
    .bind(now)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(noted == 1)
}

/// Whether the reminder `kind` about `subject` was sent to `user_id` already.
pub async fn was_sent<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    kind: &str,
    subject: &str,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM reminders_sent WHERE user_id = $1 AND kind = $2 AND subject = $3")
            .bind(user_id)
            .bind(kind)
            .bind(subject)
            .fetch_optional(ex)
            .await?;
    Ok(found.is_some())
}

/// Forget what was sent before `before`: a digest is by day and a reminder by start time, so
/// after a month none can come round again.
pub async fn forget_sent_before<'e>(
    ex: impl Executor<'e, Database = Any>,
    before: Timestamp,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM reminders_sent WHERE sent_at < $1").bind(before).execute(ex).await?.rows_affected())
}
