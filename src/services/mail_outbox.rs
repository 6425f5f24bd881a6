//! The mail outbox (issue 17, item 3): a mail is queued in the same transaction as what caused
//! it ([`enqueue`]), so a verification link is never saved without its mail nor mailed without
//! being saved, and a background worker ([`spawn`]) sends it. The worker is woken right after
//! the commit ([`Outbox::wake`]), so mail normally leaves within milliseconds; it also looks
//! every few seconds for mail due again. A failed try is repeated with a growing delay (30 s,
//! 1 min, 2 min … at most an hour, each a little shortened at random so that instances and
//! mails spread out); after a day (and at least three tries) the outbox gives up and keeps the
//! mail for the administrators (Administration → Mail), who retry or discard it. A mail the
//! provider refuses for good (`Undeliverable`: an SMTP server refusing the recipient's mailbox,
//! an address Postmark will not take) is given up at once: the same mail would be refused again.
//!
//! Several instances: each sender takes a row with a conditional UPDATE before sending it
//! (`db::mail_outbox::claim`), so two instances never send one mail. A sent mail's row is
//! deleted right after the provider took it; should the process die between the two, the
//! claim runs out after [`CLAIM_FOR`] and the mail goes a second time. That window is one
//! database write long, and a duplicate sign-in link is harmless; the other way round (marking
//! first, then sending) would lose mail instead.
//!
//! What is kept: the recipient and the body sealed with the field key, bound to the row (the
//! bodies hold single-use links); the subject (always one of our fixed sentences) in clear; the
//! last error with the recipient's address taken out.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

use crate::clock::Timestamp;
use crate::db::mail_outbox::{self as db, NewMail, QueuedMail};
use crate::domain::UserId;
use crate::integrations::bluesky::stores::Sealer;
use crate::integrations::mail::{OutgoingMail, Undeliverable};
use crate::services::{Handles, ServiceError};

/// How often the worker looks for mail due again, when nothing wakes it.
pub const POLL_EVERY: Duration = Duration::from_secs(5);
/// How long a sender holds a mail it is sending (a send times out well within it).
pub const CLAIM_FOR: Duration = Duration::from_secs(5 * 60);
/// How long one try may wait for the provider (the transports' own timeouts are shorter).
const SEND_TIMEOUT: Duration = Duration::from_secs(120);
/// The delay after the first failed try; each further failure doubles it, up to the cap.
pub const FIRST_RETRY: Duration = Duration::from_secs(30);
pub const LONGEST_RETRY: Duration = Duration::from_secs(3600);
/// After a failed try, a mail this old is given up on (once tried [`MIN_ATTEMPTS`] times).
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 3600);
/// Even a mail queued long ago (the instance was down for days) gets a few tries.
pub const MIN_ATTEMPTS: i64 = 3;
/// From this many tries on, a mail shows to administrators as failing (before it is given up).
pub const FAILING_AFTER_ATTEMPTS: i64 = 3;
/// Given-up mail is forgotten after this long: its links expired long before.
pub const FORGET_GIVEN_UP_AFTER: Duration = Duration::from_secs(30 * 24 * 3600);
/// Mails one pass reads at a time.
const BATCH: i64 = 50;
/// The longest error kept.
const ERROR_MAX_CHARS: usize = 300;

/// Wakes the worker after a commit that queued mail (this instance's; other instances find it
/// by looking every [`POLL_EVERY`]).
#[derive(Default)]
pub struct Outbox {
    wake: Notify,
}

impl Outbox {
    /// Call after the commit: a wake before it could find nothing and sleep.
    pub fn wake(&self) {
        // A permit is kept when the worker is busy, so a mail queued during a pass is not missed.
        self.wake.notify_one();
    }
}

/// What is sealed: everything of the mail but its subject.
#[derive(Serialize, Deserialize)]
struct Sealed {
    to: String,
    text: String,
}

fn context(id: &str) -> String {
    format!("mail-outbox/{id}")
}

fn sealer(handles: &Handles) -> Sealer {
    Sealer::new(handles.field_key.clone())
}

/// Queue `mail` inside the caller's write transaction; `about` is the account it concerns (its
/// queued mail goes when the account is deleted). After the commit, call
/// `handles.outbox.wake()`.
pub async fn enqueue(
    handles: &Handles,
    conn: &mut AnyConnection,
    about: Option<&UserId>,
    mail: OutgoingMail,
) -> Result<(), ServiceError> {
    enqueue_about_ticket(handles, conn, about, None, mail).await
}

/// [`enqueue`] a mail about a support ticket as well (`ticket_id`): deleting the ticket takes
/// the mail too, for a visitor's ticket has no account to go with.
pub async fn enqueue_about_ticket(
    handles: &Handles,
    conn: &mut AnyConnection,
    about: Option<&UserId>,
    ticket_id: Option<&str>,
    mail: OutgoingMail,
) -> Result<(), ServiceError> {
    let id = crate::db::new_id();
    let sealed = sealer(handles).seal_json(&Sealed { to: mail.to, text: mail.text }, &context(&id));
    let new = NewMail { id: &id, user_id: about, ticket_id, subject: &mail.subject, sealed: &sealed };
    db::insert(conn, new, handles.clock.now()).await?;
    Ok(())
}

/// Queue a mail that replaces the account's earlier one with the same subject, if that one is
/// still waiting (the provider is down): a new sign-in link retires the older ones, so their mail
/// would only bring dead links once the provider is back.
pub async fn enqueue_replacing(
    handles: &Handles,
    conn: &mut AnyConnection,
    about: &UserId,
    mail: OutgoingMail,
) -> Result<(), ServiceError> {
    db::delete_waiting(&mut *conn, about, &mail.subject, handles.clock.now()).await?;
    enqueue(handles, conn, Some(about), mail).await
}

/// Queue a mail in a transaction of its own (for mail that no write causes, such as "someone
/// tried to sign up with your address"), and wake the worker.
pub async fn enqueue_alone(handles: &Handles, about: Option<&UserId>, mail: OutgoingMail) -> Result<(), ServiceError> {
    let mut tx = handles.db.begin_write().await?;
    enqueue(handles, &mut tx, about, mail).await?;
    tx.commit().await?;
    handles.outbox.wake();
    Ok(())
}

/// What a pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SendReport {
    pub sent: u64,
    /// Tries that failed (each waits for its next try, or was given up).
    pub failed: u64,
    pub given_up: u64,
    /// Due mail another sender took first.
    pub taken_by_another: u64,
}

/// Run the sender until `stop`: a pass at once (mail queued while the instance was down), then
/// one after each wake, or every [`POLL_EVERY`].
pub fn spawn(handles: Arc<Handles>, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut forgotten_at: Option<Timestamp> = None;
        loop {
            // A stop ends the pass between mails: a mail the provider is taking is not cut off
            // (its row would stay and the mail go again after a restart).
            match send_due_until(&handles, Some(&stop)).await {
                Ok(report) if report.sent + report.failed > 0 => tracing::debug!(?report, "mail outbox pass"),
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %format!("{err:#}"), "mail outbox pass failed"),
            }
            if *stop.borrow() {
                break;
            }
            let now = handles.clock.now();
            if forgotten_at.is_none_or(|at| now >= at.plus(Duration::from_secs(3600))) {
                forgotten_at = Some(now);
                if let Err(err) = forget_given_up(&handles).await {
                    tracing::warn!(error = %format!("{err:#}"), "forgetting old given-up mail failed");
                }
            }
            tokio::select! {
                _ = handles.outbox.wake.notified() => {}
                _ = tokio::time::sleep(POLL_EVERY) => {}
                _ = stop.changed() => break,
            }
        }
    })
}

/// Send every mail that is due, one at a time, until none is left.
pub async fn send_due(handles: &Handles) -> Result<SendReport, ServiceError> {
    send_due_until(handles, None).await
}

/// [`send_due`], ending early (between two mails) when `stop` says so.
async fn send_due_until(handles: &Handles, stop: Option<&watch::Receiver<bool>>) -> Result<SendReport, ServiceError> {
    let mut report = SendReport::default();
    loop {
        let due = db::due(handles.db.pool(), handles.clock.now(), BATCH).await?;
        if due.is_empty() {
            return Ok(report);
        }
        for mail in due {
            if stop.is_some_and(|stop| *stop.borrow()) {
                return Ok(report);
            }
            send_one(handles, mail, &mut report).await?;
        }
    }
}

async fn send_one(handles: &Handles, mail: QueuedMail, report: &mut SendReport) -> Result<(), ServiceError> {
    let pool = handles.db.pool();
    let now = handles.clock.now();
    // The claim's end names this claim: finishing with another sender's claim changes nothing.
    let claim = now.plus(CLAIM_FOR);
    if !db::claim(pool, &mail.id, now, claim).await? {
        report.taken_by_another += 1;
        return Ok(());
    }
    let attempts = mail.attempts + 1;
    let Ok(sealed) = sealer(handles).open_json::<Sealed>(&mail.sealed, &context(&mail.id)) else {
        // Sealed with another key (the secret key changed): no try can succeed.
        let error = "the mail could not be opened: was the instance's secret key changed?";
        db::record_failure(pool, &mail.id, claim, error, now, Some(now)).await?;
        tracing::error!(mail_id = %mail.id, "a queued mail could not be opened; given up");
        report.failed += 1;
        report.given_up += 1;
        handles.metrics.job_run("mail_delivery", false);
        return Ok(());
    };
    let to = sealed.to.clone();
    let outgoing = OutgoingMail { to: sealed.to, subject: mail.subject.clone(), text: sealed.text };
    // Well inside the claim, so that no other sender takes the mail while this one waits.
    let sent = match tokio::time::timeout(SEND_TIMEOUT, handles.mailer.send(outgoing)).await {
        Ok(sent) => sent,
        Err(_) => Err(anyhow::anyhow!("the mail provider did not answer within {} s", SEND_TIMEOUT.as_secs())),
    };
    match sent {
        Ok(()) => {
            db::delete_sent(pool, &mail.id, claim).await?;
            handles.metrics.job_run("mail_delivery", true);
            report.sent += 1;
        }
        Err(err) => {
            let error = short_error(&causes(&err), &to);
            let now = handles.clock.now();
            let refused_for_good = Undeliverable::is_in(&err);
            let give_up = refused_for_good || (attempts >= MIN_ATTEMPTS && now >= mail.created_at.plus(GIVE_UP_AFTER));
            let next = now.plus(retry_delay(attempts, rand::random::<f64>()));
            db::record_failure(pool, &mail.id, claim, &error, next, give_up.then_some(now)).await?;
            handles.metrics.job_run("mail_delivery", false);
            report.failed += 1;
            if refused_for_good {
                report.given_up += 1;
                tracing::warn!(
                    mail_id = %mail.id, transport = handles.mailer.describe(), attempts, error = %error,
                    "the mail provider refused a mail for good; given up (see Administration → Mail)"
                );
            } else if give_up {
                report.given_up += 1;
                tracing::error!(
                    mail_id = %mail.id, transport = handles.mailer.describe(), attempts, error = %error,
                    "sending mail failed for a day; given up (see Administration → Mail)"
                );
            } else {
                tracing::warn!(
                    mail_id = %mail.id, transport = handles.mailer.describe(), attempts, error = %error,
                    "sending mail failed; it will be tried again"
                );
            }
        }
    }
    Ok(())
}

/// The wait after the `attempts`-th failed try: 30 s doubled per earlier failure, at most an
/// hour, shortened by up to a fifth (`jitter` in 0..1) so that retries do not come in waves.
/// Never longer than the nominal delay, so "wait an hour" always sees the next try.
pub fn retry_delay(attempts: i64, jitter: f64) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    let nominal = FIRST_RETRY.saturating_mul(2u32.saturating_pow(doublings)).min(LONGEST_RETRY);
    nominal.mul_f64(1.0 - 0.2 * jitter.clamp(0.0, 1.0))
}

/// An error and its causes, each said once (lettre's errors repeat their source's text).
fn causes(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

/// The provider's answer, short, on one line, without the recipient's address (SMTP servers
/// often repeat it) and so without anything naming a person.
fn short_error(error: &str, to: &str) -> String {
    let mut text = error.split_whitespace().collect::<Vec<_>>().join(" ");
    if !to.is_empty() {
        text = text.replace(to, "<recipient>");
    }
    match text.char_indices().nth(ERROR_MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Given-up mail older than [`FORGET_GIVEN_UP_AFTER`] is deleted.
pub async fn forget_given_up(handles: &Handles) -> Result<u64, ServiceError> {
    let before = handles.clock.now().minus(FORGET_GIVEN_UP_AFTER);
    Ok(db::delete_given_up_before(handles.db.pool(), before).await?)
}

// --- what administrators see and do ---

/// A failing mail as an administrator sees it: never its body, the address partly hidden.
#[derive(Debug, Clone)]
pub struct FailingMail {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub attempts: i64,
    pub last_error: String,
    pub created_at: Timestamp,
    pub last_attempt_at: Option<Timestamp>,
    /// When it is tried next; `None` once given up.
    pub next_attempt_at: Option<Timestamp>,
}

/// The mail that keeps failing (given up, or tried [`FAILING_AFTER_ATTEMPTS`] times), oldest first.
pub async fn failing(handles: &Handles, limit: i64) -> Result<Vec<FailingMail>, ServiceError> {
    let rows = db::failing(handles.db.pool(), FAILING_AFTER_ATTEMPTS, limit).await?;
    let sealer = sealer(handles);
    Ok(rows
        .into_iter()
        .map(|row| {
            let to = sealer
                .open_json::<Sealed>(&row.sealed, &context(&row.id))
                .map(|sealed| masked_address(&sealed.to))
                .unwrap_or_else(|_| "(cannot be opened)".into());
            FailingMail {
                to,
                subject: row.subject,
                attempts: row.attempts,
                last_error: row.last_error.unwrap_or_default(),
                created_at: row.created_at,
                last_attempt_at: row.last_attempt_at,
                next_attempt_at: row.given_up_at.is_none().then_some(row.next_attempt_at),
                id: row.id,
            }
        })
        .collect())
}

pub async fn count_failing(handles: &Handles) -> Result<i64, ServiceError> {
    Ok(db::count_failing(handles.db.pool(), FAILING_AFTER_ATTEMPTS).await?)
}

/// `ada@example.com` as `a…@example.com`: enough to tell mails apart and see which provider
/// refuses, not the whole address.
pub fn masked_address(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        None => "…".into(),
    }
}

fn require_admin(user: &crate::db::accounts::User) -> Result<(), ServiceError> {
    if user.is_admin() {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// An administrator's "Retry now": the mail is due at once, given up or not.
pub async fn retry_now(handles: &Handles, admin: &crate::db::accounts::User, id: &str) -> Result<(), ServiceError> {
    require_admin(admin)?;
    let mut tx = handles.db.begin_write().await?;
    if !db::retry_now(&mut *tx, id, handles.clock.now()).await? {
        return Err(ServiceError::NotFound);
    }
    tx.commit().await?;
    handles.outbox.wake();
    tracing::info!(admin_id = %admin.id, mail_id = %id, "an administrator retried a failing mail");
    Ok(())
}

/// An administrator's "Discard": the mail is forgotten, never sent. Not while a sender is
/// sending it (the provider may be taking it this moment; forgetting it then would not stop it):
/// the administrator is told to look again in a moment.
pub async fn discard(handles: &Handles, admin: &crate::db::accounts::User, id: &str) -> Result<(), ServiceError> {
    require_admin(admin)?;
    let mut tx = handles.db.begin_write().await?;
    if !db::delete_unclaimed(&mut *tx, id, handles.clock.now()).await? {
        if db::exists(&mut *tx, id).await? {
            return Err(ServiceError::field(
                "mail",
                "This mail is being sent right now. Look again in a moment: it is gone if it went out.",
            ));
        }
        return Err(ServiceError::NotFound);
    }
    tx.commit().await?;
    tracing::info!(admin_id = %admin.id, mail_id = %id, "an administrator discarded a failing mail");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour_and_never_longer_than_nominal() {
        let secs = |attempts, jitter| retry_delay(attempts, jitter).as_secs();
        assert_eq!(secs(1, 0.0), 30);
        assert_eq!(secs(2, 0.0), 60);
        assert_eq!(secs(3, 0.0), 120);
        assert_eq!(secs(8, 0.0), 3600);
        assert_eq!(secs(1000, 0.0), 3600);
        assert_eq!(secs(1, 1.0), 24, "a fifth shorter at most");
        assert!((24..=30).contains(&secs(1, 0.5)));
    }

    #[test]
    fn errors_are_short_single_lines_without_the_address() {
        let error = short_error("550 5.1.1 <ada@example.com>:\r\nRecipient address rejected", "ada@example.com");
        assert_eq!(error, "550 5.1.1 <<recipient>>: Recipient address rejected");
        assert_eq!(short_error(&"x".repeat(1000), "a@b.c").chars().count(), ERROR_MAX_CHARS + 1);
    }

    #[test]
    fn causes_are_said_once() {
        let err = anyhow::anyhow!("451 try later").context("transient error (451): 451 try later");
        assert_eq!(causes(&err), "transient error (451): 451 try later");
        let err = anyhow::anyhow!("connection refused").context("SMTP delivery failed");
        assert_eq!(causes(&err), "SMTP delivery failed: connection refused");
    }

    #[test]
    fn addresses_are_shown_partly() {
        assert_eq!(masked_address("ada@example.com"), "a…@example.com");
        assert_eq!(masked_address("nonsense"), "…");
    }
}
