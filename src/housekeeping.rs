//! Housekeeping, the background work every instance may do: delete what has expired
//! (verification and reset links, OAuth requests, sessions, old throttle counters, yesterday's
//! analytics salts), roll old page views up into daily figures, and remove files whose records
//! are gone. With several instances on one database, a lease makes sure one of them does it at
//! a time.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use std::sync::Arc;

use crate::db::accounts::{self, LinkKind};
use crate::db::{analytics, leases, sessions, throttle};
use crate::services::throttle::LONGEST_WINDOW_MS;
use crate::services::Handles;

/// A pass holds the lease this long, so instances that wake at the same moment do not repeat
/// each other's work.
const HOUSEKEEPING_LEASE: Duration = Duration::from_secs(4 * 60);

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HousekeepingReport {
    pub ran: bool,
    pub verification_links: u64,
    pub reset_links: u64,
    /// Links to change the sign-in address, once expired.
    pub email_change_links: u64,
    pub oauth_requests: u64,
    /// Bluesky sessions from a code exchange that no account took (a refused sign-in).
    pub bluesky_sessions_unclaimed: u64,
    pub sessions: u64,
    pub throttle_buckets: u64,
    pub files_removed: u64,
    pub draft_images_removed: u64,
    pub ai_runs_stopped: u64,
    /// Resume imports nobody applied or discarded in time (promise 14).
    pub imports_expired: u64,
    /// Bulk label-linking batches past the time they can be undone.
    pub label_batches_forgotten: u64,
    pub views_rolled_up: u64,
    pub salts_deleted: u64,
    /// Morning digests queued in the mail outbox.
    pub digests_sent: u64,
    /// Mails reminding of an interview within a day, queued.
    pub interview_reminders_sent: u64,
    /// Full exports whose build stopped moving (their instance died): marked failed.
    pub exports_failed: u64,
    /// Full exports past their 24 hours: row deleted, file queued for removal (removed below).
    pub exports_removed: u64,
    /// Calendar events over for a day: no longer needed to suggest or to keep in step.
    pub calendar_events_forgotten: u64,
}

pub fn spawn(handles: Arc<Handles>, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    let every = handles.limits.housekeeping_every;
    tokio::spawn(async move {
        if every.is_zero() {
            tracing::warn!(
                "housekeeping is off on this instance: make sure another instance runs it, or expired links, \
                 yesterday's analytics salts and deleted files are never cleaned up"
            );
            return;
        }
        loop {
            let outcome = run(&handles).await;
            if outcome.as_ref().map_or(true, |report| report.ran) {
                handles.metrics.job_run("housekeeping", outcome.is_ok());
            }
            match outcome {
                Ok(report) if report.ran => tracing::debug!(?report, "housekeeping done"),
                Ok(_) => tracing::debug!("housekeeping skipped: another instance holds the lease"),
                Err(err) => tracing::warn!(error = %format!("{err:#}"), "housekeeping failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => break,
            }
        }
    })
}

/// One housekeeping pass, if this instance can take the lease.
pub async fn run(state: &Handles) -> anyhow::Result<HousekeepingReport> {
    let now = state.clock.now();
    let pool = state.db.pool();
    if !leases::try_acquire(pool, "housekeeping", &state.instance_id, now, now.plus(HOUSEKEEPING_LEASE)).await? {
        return Ok(HousekeepingReport::default());
    }
    // First, and on its own: yesterday's analytics salt must go even if a later step fails.
    let salts_deleted = match analytics::delete_old_salts(pool, &now.iso_date()).await {
        Ok(deleted) => deleted,
        Err(err) => {
            tracing::error!(error = %err, "could not delete old analytics salts");
            0
        }
    };
    // On its own too: a reminder that fails to go is logged, and the rest of the pass still runs.
    let reminders = match crate::services::reminders::send_due(state).await {
        Ok(sent) => sent,
        Err(err) => {
            tracing::error!(error = ?err, "could not queue reminder mail");
            crate::services::reminders::RemindersSent::default()
        }
    };
    let idle = state.limits.session_idle;
    // Before the removal queue runs, so expired exports' files go in this same pass.
    let (exports_failed, exports_removed) = crate::services::user_data::tidy(state).await?;
    Ok(HousekeepingReport {
        ran: true,
        verification_links: accounts::delete_expired_links(pool, LinkKind::EmailVerification, now).await?,
        reset_links: accounts::delete_expired_links(pool, LinkKind::PasswordReset, now).await?,
        email_change_links: accounts::delete_expired_links(pool, LinkKind::EmailChange, now).await?,
        oauth_requests: accounts::delete_expired_oauth_requests(pool, now).await?,
        bluesky_sessions_unclaimed: crate::db::bluesky::delete_unclaimed_sessions(
            pool,
            now.minus(crate::integrations::bluesky::stores::REQUEST_LIFETIME),
        )
        .await?,
        sessions: sessions::delete_expired(pool, now, now.minus(idle)).await?,
        throttle_buckets: throttle::delete_older_than(pool, crate::clock::Timestamp(now.0 - LONGEST_WINDOW_MS)).await?,
        draft_images_removed: delete_stale_draft_images(state, now).await?,
        ai_runs_stopped: crate::services::ai::stop_lost_runs(state)
            .await
            .map_err(|err| anyhow::anyhow!("recording lost AI runs as stopped: {err:?}"))?,
        imports_expired: crate::services::imports::delete_expired(state)
            .await
            .map_err(|err| anyhow::anyhow!("deleting expired resume imports: {err:?}"))?,
        label_batches_forgotten: crate::services::label_ai::forget_old_batches(state)
            .await
            .map_err(|err| anyhow::anyhow!("forgetting old label-linking batches: {err:?}"))?,
        files_removed: crate::services::uploads::process_deletion_queue(state).await? as u64,
        views_rolled_up: roll_up_views(state, now).await?,
        salts_deleted,
        digests_sent: reminders.digests,
        interview_reminders_sent: reminders.interview_reminders,
        exports_failed,
        exports_removed,
        calendar_events_forgotten: crate::db::google_calendar::delete_past(
            pool,
            now.minus(std::time::Duration::from_secs(24 * 3600)),
        )
        .await?,
    })
}

/// Images pasted into a journal entry that was never saved with them: gone after a day.
async fn delete_stale_draft_images(state: &Handles, now: crate::clock::Timestamp) -> anyhow::Result<u64> {
    let before = now.minus(crate::services::journal::DRAFT_IMAGE_LIFETIME);
    let mut tx = state.db.begin_write().await?;
    let removed = crate::db::uploads::delete_stale_drafts(&mut tx, before, now).await?;
    tx.commit().await?;
    Ok(removed)
}

/// Raw page views older than the retention window become daily figures.
async fn roll_up_views(state: &Handles, now: crate::clock::Timestamp) -> anyhow::Result<u64> {
    let retention = state.limits.analytics_retention;
    let mut tx = state.db.begin_write().await?;
    let rolled = analytics::roll_up(&mut tx, &now.minus(retention).iso_date()).await?;
    tx.commit().await?;
    Ok(rolled)
}
