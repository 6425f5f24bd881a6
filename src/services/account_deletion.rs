//! Deleting an account (issue 14, item 4; promise 19): every row naming the user in every table
//! (the catalogue in `db::user_data`, shared with the export) goes in one transaction, then
//! every file of theirs leaves the store; sessions and API tokens end with their rows, and a
//! confirmation goes to the address (queued in the same transaction, after the user's own
//! queued mail went with their rows). What remains is one more in a count of deleted accounts.

use std::time::Duration;

use crate::clock::Timestamp;
use crate::db::accounts::{self, User};
use crate::db::{data_exports, uploads, user_data};
use crate::domain::{FieldErrors, Password, UserId};
use crate::integrations::mail::OutgoingMail;
use crate::services::mail_outbox;
use crate::services::throttle::{self, plural};
use crate::services::{Handles, ServiceError};

/// An account without a password (one that signs in through another service) proves it is its
/// owner by a sign-in this recent instead.
pub const RECENT_SIGN_IN: Duration = Duration::from_secs(10 * 60);

/// What the deletion removed, for the log and for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeletedAccount {
    pub rows: u64,
    pub files: u64,
    /// Whether a confirmation was queued (false when the account had no address).
    pub mailed: bool,
}

/// How the person asking proved they own the account.
#[derive(Debug, Clone, Copy)]
pub enum Proof<'a> {
    /// The password they typed.
    Password(&'a str),
    /// No password typed; when the session that asks was started (for accounts without a
    /// password only).
    SignedInAt(Option<Timestamp>),
}

/// Delete the signed-in user's account once they proved it is theirs: the current password, or,
/// for an account that has none, a sign-in within [`RECENT_SIGN_IN`]. A wrong password is a
/// message beside the field (and counts against the account's sign-in limit); nothing is deleted.
pub async fn delete_own_account(
    handles: &Handles,
    user: &User,
    proof: Proof<'_>,
) -> Result<Result<DeletedAccount, FieldErrors>, ServiceError> {
    match (&user.password_hash, proof) {
        (Some(_), Proof::Password(typed)) => {
            let Ok(password) = Password::parse_attempt(typed) else {
                return Ok(Err(FieldErrors::single("password", "Enter your password.")));
            };
            let email = user.email.as_deref().and_then(|e| crate::domain::Email::parse(e).ok());
            let bucket = email.as_ref().map(|e| throttle::account_bucket(handles, e));
            if let Some(bucket) = &bucket {
                throttle::take(handles, bucket, throttle::SIGN_IN_PER_ACCOUNT, |minutes| {
                    format!("Too many wrong passwords. Try again in {minutes} minute{}.", plural(minutes))
                })
                .await?;
            }
            if !handles.hasher.verify(&password, user.password_hash.as_deref()).await? {
                return Ok(Err(FieldErrors::single("password", "This is not your current password.")));
            }
            if let Some(bucket) = &bucket {
                throttle::clear(handles, bucket).await?;
            }
        }
        (Some(_), Proof::SignedInAt(_)) => {
            return Ok(Err(FieldErrors::single("password", "Enter your password.")));
        }
        (None, proof) => {
            let signed_in_at = match proof {
                Proof::SignedInAt(at) => at,
                Proof::Password(_) => None,
            };
            let recent = handles.clock.now().minus(RECENT_SIGN_IN);
            if signed_in_at.is_none_or(|at| at < recent) {
                return Ok(Err(FieldErrors::single(
                    "current_password",
                    "Your account has no password: sign out, sign in again, then delete it within 10 minutes.",
                )));
            }
        }
    }
    delete_account(handles, &user.id).await.map(Ok)
}

/// Delete an account and everything of it. Called once the owner proved who they are (above)
/// or, for a support request, by an administrator's action; the name is stable.
pub async fn delete_account(handles: &Handles, user_id: &UserId) -> Result<DeletedAccount, ServiceError> {
    let pool = handles.db.pool();
    let user = accounts::find_by_id(pool, user_id).await?.ok_or(ServiceError::NotFound)?;
    // A linked Bluesky account's grant is revoked at its server first (best effort); its rows
    // go with the others below.
    crate::services::bluesky::revoke_for_deletion(handles, user_id).await?;
    // So is a Google Calendar grant.
    if let Some(connection) = crate::db::google_calendar::connection(pool, user_id).await? {
        crate::services::oidc::revoke_grant(handles, user_id, &connection).await;
    }
    let mut tx = handles.db.begin_write().await?;
    let mut keys = data_exports::upload_keys_of_user(&mut *tx, user_id).await?;
    keys.extend(data_exports::keys_of_user(&mut *tx, user_id).await?);
    keys.extend(user_data::forget_queued_files(&mut tx, user_id).await?);
    let mut rows = user_data::delete_all_rows(&mut tx, user_id).await?;
    if let Some(email) = &user.email {
        rows += crate::db::support::delete_visitor_tickets_from(&mut tx, email).await?;
    }
    user_data::count_deleted_account(&mut tx).await?;
    // Queued after the user's rows (their queued mail among them) went, and naming no account:
    // the recipient is sealed, so no row names them in clear.
    let mailed = match &user.email {
        Some(email) => {
            let base = handles.base_url.as_str().trim_end_matches('/');
            let mail = OutgoingMail {
                to: email.clone(),
                subject: "Your Careerlog account was deleted".into(),
                text: format!(
                    "Hello,\n\nYour Careerlog account and everything in it were deleted just now, as asked: your \
                     records, job search, labels, profile and public pages, uploaded files, sessions and API \
                     tokens. None of it can be brought back.\n\n\
                     If you did not ask for this, write to the administrators at {base}/support.\n\n\
                     -- \nCareerlog at {base}\n",
                ),
            };
            mail_outbox::enqueue(handles, &mut tx, None, mail).await?;
            true
        }
        None => false,
    };
    tx.commit().await?;
    handles.outbox.wake();
    // Sessions, API tokens and the calendar feed address were rows: they answer 401 (or 404)
    // from now on; so were the Bluesky link, its sealed tokens and OAuth requests in flight.

    let mut files = 0;
    for key in &keys {
        match handles.files.delete(key).await {
            Ok(()) => files += 1,
            Err(err) => {
                // Retried by housekeeping's removal queue.
                tracing::warn!(error = %format!("{err:#}"), "could not remove a deleted account's file; will retry");
                uploads::expect_file(pool, key, handles.clock.now()).await?;
            }
        }
    }
    tracing::info!(rows, files, "an account was deleted");
    Ok(DeletedAccount { rows, files, mailed })
}

/// How many accounts were deleted: all an administrator sees of them.
pub async fn deleted_account_count(handles: &Handles) -> Result<i64, ServiceError> {
    Ok(user_data::deleted_accounts(handles.db.pool()).await?)
}
