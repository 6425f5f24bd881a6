//! Reminder mail, each kind switched on by its user in Settings (off until then), sent through
//! the mail outbox by the housekeeping pass:
//!
//! - **the morning digest**: at the first pass from 07:00 where the user is, what is overdue
//!   and due that day (tasks, an opportunity's next action among them) and the day's interviews; nothing is sent when
//!   nothing is due, and a day is looked at once, so a task added at noon waits for tomorrow;
//! - **interview reminders**: once an interview is less than a day away, a mail saying when and
//!   where (a rescheduled interview is reminded of again at its new time; a cancelled one never).
//!
//! What was sent is noted in `reminders_sent` in the transaction that queues the mail, so
//! neither a repeated pass nor another instance sends one twice.

use std::time::Duration;

use crate::clock::Timestamp;
use crate::db::reminders::{self, Recipient, ReminderSettings, Switch};
use crate::db::{interviews, tasks};
use crate::domain::interviews::InterviewOutcome;
use crate::domain::UserId;
use crate::integrations::mail::OutgoingMail;
use crate::services::{Handles, ServiceResult};

/// The digest goes at the first pass from this hour, where the user is.
pub const DIGEST_HOUR: i8 = 7;
/// From this hour, the day's digest is no longer sent.
pub const DIGEST_LAST_HOUR: i8 = 12;
/// An interview is reminded of once it is this close.
pub const INTERVIEW_NOTICE: Duration = Duration::from_secs(24 * 3600);
/// Recipients read per query.
const PAGE: i64 = 200;
/// The most items of each kind a digest lists.
const DIGEST_ITEMS: i64 = 50;
/// What was sent is remembered this long (a digest is by day, a reminder by start time).
const REMEMBERED: Duration = Duration::from_secs(40 * 86_400);

pub async fn settings(handles: &Handles, user_id: &UserId) -> ServiceResult<ReminderSettings> {
    Ok(reminders::settings_of(handles.db.pool(), user_id).await?)
}

pub async fn save_settings(handles: &Handles, user_id: &UserId, settings: ReminderSettings) -> ServiceResult<()> {
    reminders::save_settings(handles.db.pool(), user_id, settings, handles.clock.now()).await?;
    Ok(())
}

/// What one pass queued.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RemindersSent {
    pub digests: u64,
    pub interview_reminders: u64,
}

/// Queue the digests and interview reminders that are due now, and wake the outbox.
pub async fn send_due(handles: &Handles) -> ServiceResult<RemindersSent> {
    let now = handles.clock.now();
    let mut sent = RemindersSent::default();
    let mut after = String::new();
    loop {
        let page = reminders::recipients(handles.db.pool(), Switch::DailyDigest, &after, PAGE).await?;
        for recipient in &page {
            // One recipient's failure is logged; the others still get theirs.
            match send_digest(handles, recipient, now).await {
                Ok(true) => sent.digests += 1,
                Ok(false) => {}
                Err(error) => tracing::error!(error = ?error, "could not queue a morning digest"),
            }
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = last.user_id.to_string(),
            _ => break,
        }
    }
    after.clear();
    loop {
        let page = reminders::recipients(handles.db.pool(), Switch::InterviewReminders, &after, PAGE).await?;
        for recipient in &page {
            match remind_of_interviews(handles, recipient, now).await {
                Ok(queued) => sent.interview_reminders += queued,
                Err(error) => tracing::error!(error = ?error, "could not queue interview reminders"),
            }
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = last.user_id.to_string(),
            _ => break,
        }
    }
    reminders::forget_sent_before(handles.db.pool(), now.minus(REMEMBERED)).await?;
    if sent != RemindersSent::default() {
        handles.outbox.wake();
    }
    Ok(sent)
}

async fn zone_of(handles: &Handles, recipient: &Recipient) -> ServiceResult<jiff::tz::TimeZone> {
    crate::services::opportunities::zone_for(handles, &recipient.user_id, &recipient.time_zone).await
}

fn zoned(at: Timestamp, zone: &jiff::tz::TimeZone) -> Option<jiff::Zoned> {
    Some(jiff::Timestamp::from_millisecond(at.0).ok()?.to_zoned(zone.clone()))
}

/// The digest for `recipient`'s day, if it is time, it was not looked at yet, and something is
/// due. `true` when a mail was queued.
async fn send_digest(handles: &Handles, recipient: &Recipient, now: Timestamp) -> ServiceResult<bool> {
    let zone = zone_of(handles, recipient).await?;
    let Some(local) = zoned(now, &zone) else { return Ok(false) };
    if local.hour() < DIGEST_HOUR {
        return Ok(false);
    }
    // A morning mail: a day first looked at after noon (the digest switched on in the evening,
    // an instance down all morning) is noted without one.
    let too_late = local.hour() >= DIGEST_LAST_HOUR;
    let today = local.date();
    let day = today.to_string();
    let pool = handles.db.pool();
    if reminders::was_sent(pool, &recipient.user_id, "digest", &day).await? {
        return Ok(false);
    }
    let user_id = &recipient.user_id;
    // Overdue and due today read apart, so a long tail of old tasks never hides today's.
    let yesterday = today.yesterday().map_err(anyhow::Error::from)?.to_string();
    let mut due_tasks = tasks::due_between(pool, user_id, ("", &yesterday), DIGEST_ITEMS).await?;
    due_tasks.extend(tasks::due_between(pool, user_id, (&day, &day), DIGEST_ITEMS).await?);
    let start = Timestamp(today.to_zoned(zone.clone()).map_err(anyhow::Error::from)?.timestamp().as_millisecond());
    let end = Timestamp(
        today
            .tomorrow()
            .map_err(anyhow::Error::from)?
            .to_zoned(zone.clone())
            .map_err(anyhow::Error::from)?
            .timestamp()
            .as_millisecond(),
    );
    let mut todays = interviews::interviews_between(pool, user_id, start, end, DIGEST_ITEMS).await?;
    todays.retain(|interview| interview.outcome != InterviewOutcome::Cancelled);

    let mut tx = handles.db.begin_write().await?;
    // The day is looked at once, whether or not anything was due.
    if !reminders::note_sent(&mut tx, user_id, "digest", &day, now).await? {
        return Ok(false);
    }
    let nothing_due = too_late || (due_tasks.is_empty() && todays.is_empty());
    if !nothing_due {
        let base = handles.base_url.as_str().trim_end_matches('/');
        let mut text = format!("Good morning. Here is what is due today, {}.\n", today.strftime("%A %-d %B"));
        let (overdue, due_today): (Vec<_>, Vec<_>) = due_tasks.iter().partition(|task| task.is_overdue(&day));
        let line = |task: &&crate::db::tasks::Task| {
            let what = task.opportunity_title();
            let what = if what.is_empty() { String::new() } else { format!(" ({what})") };
            format!("- {}{what}: {base}/tasks/{}", task.title, task.id)
        };
        if !overdue.is_empty() {
            text.push_str("\nOverdue tasks:\n");
            text.push_str(&overdue.iter().map(line).collect::<Vec<_>>().join("\n"));
            text.push('\n');
        }
        if !due_today.is_empty() {
            text.push_str("\nTasks due today:\n");
            text.push_str(&due_today.iter().map(line).collect::<Vec<_>>().join("\n"));
            text.push('\n');
        }
        if !todays.is_empty() {
            text.push_str("\nInterviews today:\n");
            for interview in &todays {
                let at = zoned(interview.starts_at, &zone).map(|z| z.strftime("%H:%M").to_string()).unwrap_or_default();
                text.push_str(&format!(
                    "- {at} {}: {} at {}: {base}/interviews/{}\n",
                    interview.round_name, interview.role, interview.company, interview.id
                ));
            }
        }
        text.push_str(&format!(
            "\nYour dashboard: {base}/jobs\n\nYou get this mail because you asked for a daily digest. \
             Turn it off in Settings: {base}/settings#reminders-heading\n"
        ));
        let mail = OutgoingMail {
            to: recipient.email.clone(),
            subject: format!("Due today: {} in Careerlog", count_words(due_tasks.len(), todays.len())),
            text,
        };
        crate::services::mail_outbox::enqueue(handles, &mut tx, Some(user_id), mail).await?;
    }
    tx.commit().await?;
    Ok(!nothing_due)
}

/// "2 things to do and 1 interview".
fn count_words(things: usize, interviews: usize) -> String {
    let things = match things {
        0 => None,
        1 => Some("1 thing to do".to_owned()),
        n => Some(format!("{n} things to do")),
    };
    let interviews = match interviews {
        0 => None,
        1 => Some("1 interview".to_owned()),
        n => Some(format!("{n} interviews")),
    };
    match (things, interviews) {
        (Some(things), Some(interviews)) => format!("{things} and {interviews}"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => "nothing".to_owned(),
    }
}

/// A reminder for each of `recipient`'s interviews starting within a day that was not
/// reminded of at its current start. The number queued.
async fn remind_of_interviews(handles: &Handles, recipient: &Recipient, now: Timestamp) -> ServiceResult<u64> {
    let user_id = &recipient.user_id;
    let soon = interviews::interviews_between(handles.db.pool(), user_id, now, now.plus(INTERVIEW_NOTICE), 20).await?;
    let base = handles.base_url.as_str().trim_end_matches('/');
    let zone = zone_of(handles, recipient).await?;
    let mut queued = 0;
    for interview in soon.iter().filter(|interview| interview.outcome != InterviewOutcome::Cancelled) {
        let subject = format!("{}@{}", interview.id, interview.starts_at.0);
        let mut tx = handles.db.begin_write().await?;
        if !reminders::note_sent(&mut tx, user_id, "interview", &subject, now).await? {
            continue;
        }
        let yours = zoned(interview.starts_at, &zone).map(|z| z.strftime("%A %-d %B at %H:%M").to_string());
        let theirs = interview.when();
        let mut text = format!(
            "A reminder: your interview \"{}\" for {} at {} is {}.\n\n",
            interview.round_name,
            interview.role,
            interview.company,
            match &yours {
                Some(yours) if recipient.time_zone != interview.time_zone && !recipient.time_zone.is_empty() => {
                    format!("on {yours} your time ({theirs} in {})", interview.time_zone)
                }
                _ => format!("on {theirs} ({})", interview.time_zone),
            }
        );
        if !interview.location.is_empty() {
            text.push_str(&format!("Where: {}\n", interview.location));
        }
        if let Some(link) = &interview.meeting_url {
            text.push_str(&format!("Meeting link: {link}\n"));
        }
        text.push_str(&format!(
            "\nYour preparation and notes: {base}/interviews/{}\n\nYou get this mail because you asked for \
             interview reminders. Turn them off in Settings: {base}/settings#reminders-heading\n",
            interview.id
        ));
        let mail = OutgoingMail {
            to: recipient.email.clone(),
            subject: format!("Reminder: {} with {}", interview.round_name, interview.company),
            text,
        };
        crate::services::mail_outbox::enqueue(handles, &mut tx, Some(user_id), mail).await?;
        tx.commit().await?;
        queued += 1;
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_digest_subject_counts_what_is_due_in_words() {
        assert_eq!(super::count_words(1, 0), "1 thing to do");
        assert_eq!(super::count_words(3, 1), "3 things to do and 1 interview");
        assert_eq!(super::count_words(0, 2), "2 interviews");
    }
}
