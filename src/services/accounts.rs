//! Account rules: sign-up, email verification, sign-in with throttling, password reset and
//! change. Handlers parse the request and render; the decisions live here.

use std::net::IpAddr;
use std::time::Duration;

use crate::clock::Timestamp;
use crate::db::accounts::{self, LinkKind, NewUser, User};
use crate::db::{api_tokens, calendar, is_unique_violation, sessions};
use crate::domain::preferences::{self, Preferences, PreferencesWrite};
use crate::domain::token::{looks_like_token, random_token};
use crate::domain::UserId;
use crate::domain::{Email, FieldErrors, Password};
use crate::integrations::mail::OutgoingMail;
use crate::secrets::hash_token;
use crate::services::mail_outbox;
use crate::services::throttle::{self, plural};
use crate::services::{Handles, ServiceError};

pub const VERIFICATION_LINK_LIFETIME: Duration = Duration::from_secs(30 * 60);
pub const RESET_LINK_LIFETIME: Duration = Duration::from_secs(15 * 60);
pub const EMAIL_CHANGE_LINK_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// Words a password must not be built from: the address and its local part.
pub fn password_context(email: &Email) -> [&str; 2] {
    [email.as_str(), email.local_part()]
}

/// What a sign-up led to, for the log and for tests; the visitor is told the same either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpOutcome {
    /// A new account, with a verification link on its way.
    Created(MailOutcome),
    /// The address already had an account: its owner was told someone tried, nothing changed.
    AlreadyTaken(MailOutcome),
}

/// The work of a sign-up whose form was valid and whose attempt was counted. The caller runs
/// this after answering, so neither the answer nor its timing says whether the address already
/// had an account (issue 11). The cheap check comes first: an address that has an account costs
/// one lookup and, at most, one mail, never a password hash.
pub async fn sign_up(state: &Handles, email: &Email, password: &Password) -> Result<SignUpOutcome, ServiceError> {
    if let Some(owner) = accounts::find_by_email(state.db.pool(), email).await? {
        return Ok(SignUpOutcome::AlreadyTaken(tell_owner_of_sign_up_attempt(state, &owner, email).await?));
    }
    let hash = state.hasher.hash(password).await?;
    let now = state.clock.now();
    let new = NewUser { email, password_hash: &hash, is_admin: false, verified: false };
    let mailed =
        throttle::hit(state, &throttle::mail_bucket(state, email.as_str()), throttle::MAIL_PER_ADDRESS).await?;
    // The account, its verification link and the link's mail are saved together: none exists
    // without the others.
    let mut tx = state.db.begin_write().await?;
    match accounts::insert_user(&mut *tx, new, now).await {
        Ok(user) => {
            let outcome = if mailed {
                queue_verification(state, &mut tx, &user, email.as_str()).await?;
                MailOutcome::Queued
            } else {
                MailOutcome::Throttled
            };
            tx.commit().await?;
            state.outbox.wake();
            tracing::info!(user_id = %user.id, "account created");
            Ok(SignUpOutcome::Created(outcome))
        }
        // Someone signed up with the same address a moment earlier. The transaction ends first:
        // on SQLite it holds the write lock the owner's mail needs.
        Err(err) if is_unique_violation(&err) => {
            drop(tx);
            // No verification went out: the owner's notice below counts instead.
            if mailed {
                throttle::give_back(state, &throttle::mail_bucket(state, email.as_str())).await?;
            }
            match accounts::find_by_email(state.db.pool(), email).await? {
                Some(owner) => {
                    Ok(SignUpOutcome::AlreadyTaken(tell_owner_of_sign_up_attempt(state, &owner, email).await?))
                }
                None => Err(ServiceError::Internal(err.into())),
            }
        }
        Err(err) => Err(ServiceError::Internal(err.into())),
    }
}

/// "Someone tried to create an account with your address": the owner learns of it (it may be
/// them, having forgotten), and learns how to get in. Counted against the address's mail limit,
/// so nobody can flood an inbox by signing up with it again and again.
async fn tell_owner_of_sign_up_attempt(
    state: &Handles,
    owner: &User,
    email: &Email,
) -> Result<MailOutcome, ServiceError> {
    if !throttle::hit(state, &throttle::mail_bucket(state, email.as_str()), throttle::MAIL_PER_ADDRESS).await? {
        return Ok(MailOutcome::Throttled);
    }
    let base = state.base_url.as_str().trim_end_matches('/');
    let text = format!(
        "Hello,\n\nSomeone, perhaps you, just tried to create a Careerlog account with this address. \
         There already is one, so nothing was changed and no new account was made.\n\n\
         If it was you: sign in at {base}/login\n\
         If you forgot your password, choose a new one at {base}/forgot-password\n\n\
         If it was not you, you need not do anything: nobody can get into your account without your password.\n\n\
         -- \nCareerlog at {base}\n",
    );
    tracing::info!(user_id = %owner.id, "sign-up attempted with an address that has an account");
    let mail = OutgoingMail {
        to: email.as_str().to_owned(),
        subject: "Someone tried to sign up with your address".into(),
        text,
    };
    mail_outbox::enqueue_alone(state, Some(&owner.id), mail).await?;
    Ok(MailOutcome::Queued)
}

fn link(state: &Handles, path: &str, token: &str) -> String {
    format!("{}{path}?token={token}", state.base_url.as_str().trim_end_matches('/'))
}

/// What happened when we asked to mail someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailOutcome {
    /// In the outbox, which sends it (and keeps trying while the provider is down).
    Queued,
    /// Too many mails to this address lately; nothing sent.
    Throttled,
    /// The account has no address to mail.
    NoAddress,
}

/// Send a fresh verification link for the user's current address, retiring older links.
pub async fn send_verification(state: &Handles, user: &User) -> Result<MailOutcome, ServiceError> {
    let Some(email) = user.email.as_deref() else { return Ok(MailOutcome::NoAddress) };
    if !throttle::hit(state, &throttle::mail_bucket(state, email), throttle::MAIL_PER_ADDRESS).await? {
        return Ok(MailOutcome::Throttled);
    }
    // The link and its mail are saved together: neither exists without the other.
    let mut tx = state.db.begin_write().await?;
    queue_verification(state, &mut tx, user, email).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(MailOutcome::Queued)
}

/// A new verification link for `email`, retiring the user's older ones, and its mail, written in
/// the caller's transaction (wake the outbox after the commit).
async fn queue_verification(
    state: &Handles,
    tx: &mut sqlx::AnyConnection,
    user: &User,
    email: &str,
) -> Result<(), ServiceError> {
    let token = random_token();
    let now = state.clock.now();
    let text = format!(
        "Hello,\n\nPlease confirm that this is your email address by opening this link:\n\n{}\n\n\
         The link is valid for 30 minutes and works once. If it has expired, sign in and ask for a new one.\n\n\
         If you did not create a Careerlog account, ignore this message; nothing else will be sent.\n\n\
         -- \nCareerlog at {}\n",
        link(state, "/verify-email", &token),
        state.base_url.as_str().trim_end_matches('/'),
    );
    let mail = OutgoingMail { to: email.to_owned(), subject: "Verify your email address".into(), text };
    accounts::retire_links(&mut *tx, LinkKind::EmailVerification, &user.id, now).await?;
    accounts::insert_email_verification(
        &mut *tx,
        &hash_token(&token),
        &user.id,
        email,
        now,
        now.plus(VERIFICATION_LINK_LIFETIME),
    )
    .await?;
    mail_outbox::enqueue_replacing(state, tx, &user.id, mail).await
}

/// Why a single-use link could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    Unknown,
    Used,
    Expired,
}

/// Look a link token up without using it.
pub async fn check_link(
    state: &Handles,
    kind: LinkKind,
    token: &str,
) -> Result<Result<accounts::LinkToken, LinkProblem>, ServiceError> {
    if !looks_like_token(token) {
        return Ok(Err(LinkProblem::Unknown));
    }
    let Some(found) = accounts::find_link(state.db.pool(), kind, &hash_token(token)).await? else {
        return Ok(Err(LinkProblem::Unknown));
    };
    if found.used_at.is_some() {
        return Ok(Err(LinkProblem::Used));
    }
    if found.expires_at <= state.clock.now() {
        return Ok(Err(LinkProblem::Expired));
    }
    Ok(Ok(found))
}

/// Use a verification link: the address it was sent to becomes verified.
pub async fn verify_email(state: &Handles, token: &str) -> Result<Result<UserId, LinkProblem>, ServiceError> {
    let found = match check_link(state, LinkKind::EmailVerification, token).await? {
        Ok(found) => found,
        Err(problem) => return Ok(Err(problem)),
    };
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if !accounts::consume_link(&mut *tx, LinkKind::EmailVerification, &found.token_hash, now).await? {
        return Ok(Err(LinkProblem::Used));
    }
    let email = accounts::verification_email(&mut *tx, &found.token_hash).await?.unwrap_or_default();
    accounts::mark_email_verified(&mut *tx, &found.user_id, &email, now).await?;
    tx.commit().await?;
    Ok(Ok(found.user_id))
}

/// Mail a reset link if the address has an account. The caller answers the same either way, and
/// runs this in the background so the answer takes the same time too.
pub async fn request_password_reset(state: &Handles, email: &Email) -> Result<MailOutcome, ServiceError> {
    let Some(user) = accounts::find_by_email(state.db.pool(), email).await? else {
        return Ok(MailOutcome::Queued);
    };
    if !throttle::hit(state, &throttle::mail_bucket(state, email.as_str()), throttle::MAIL_PER_ADDRESS).await? {
        return Ok(MailOutcome::Throttled);
    }
    let token = random_token();
    let now = state.clock.now();
    let text = format!(
        "Hello,\n\nSomeone, hopefully you, asked to reset the password of the Careerlog account for this address.\n\
         Choose a new password here:\n\n{}\n\n\
         The link is valid for 15 minutes and works once. If you did not ask for this, ignore this message:\n\
         your password stays as it is.\n\n-- \nCareerlog at {}\n",
        link(state, "/reset-password", &token),
        state.base_url.as_str().trim_end_matches('/'),
    );
    let mail = OutgoingMail { to: email.as_str().to_owned(), subject: "Reset your password".into(), text };
    let mut tx = state.db.begin_write().await?;
    accounts::retire_links(&mut *tx, LinkKind::PasswordReset, &user.id, now).await?;
    accounts::insert_password_reset(
        &mut *tx,
        &hash_token(&token),
        &user.id,
        email.as_str(),
        now,
        now.plus(RESET_LINK_LIFETIME),
    )
    .await?;
    mail_outbox::enqueue_replacing(state, &mut tx, &user.id, mail).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(MailOutcome::Queued)
}

/// Whether a password change also ends the access programs have: API tokens and the calendar
/// feed's secret address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgramAccess {
    Keep,
    Revoke,
}

/// End what lets programs in without a password: every API token and the calendar feed address.
async fn revoke_program_access(conn: &mut sqlx::AnyConnection, user_id: &UserId) -> Result<(), sqlx::Error> {
    let tokens = api_tokens::delete_all_for_user(&mut *conn, user_id).await?;
    let feed = calendar::delete(&mut *conn, user_id).await?;
    tracing::info!(user_id = %user_id, tokens, calendar_feed = feed, "program access revoked");
    Ok(())
}

/// Use a reset link to set a new password. A reset is what someone does who fears their account
/// is known to another: every session, every API token and the calendar feed address end with
/// it (issue 11). The address is now proven, so it counts as verified.
pub async fn reset_password(
    state: &Handles,
    token: &str,
    password: &Password,
) -> Result<Result<(), LinkProblem>, ServiceError> {
    let found = match check_link(state, LinkKind::PasswordReset, token).await? {
        Ok(found) => found,
        Err(problem) => return Ok(Err(problem)),
    };
    let hash = state.hasher.hash(password).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if !accounts::consume_link(&mut *tx, LinkKind::PasswordReset, &found.token_hash, now).await? {
        return Ok(Err(LinkProblem::Used));
    }
    accounts::set_password_hash(&mut *tx, &found.user_id, &hash, now).await?;
    accounts::retire_links(&mut *tx, LinkKind::PasswordReset, &found.user_id, now).await?;
    // The link reached the address it was sent to: that address is proven (if it is still the
    // account's address).
    let owner_email = accounts::find_by_id(&mut *tx, &found.user_id).await?.and_then(|u| u.email);
    if let Some(sent_to) = accounts::reset_email(&mut *tx, &found.token_hash).await? {
        accounts::mark_email_verified(&mut *tx, &found.user_id, &sent_to, now).await?;
    }
    sessions::delete_all_for_user(&mut *tx, &found.user_id, None).await?;
    revoke_program_access(&mut tx, &found.user_id).await?;
    tx.commit().await?;
    // Whoever holds the mailbox may sign in again at once, even if somebody kept the account
    // locked with wrong passwords.
    if let Some(email) = owner_email.as_deref().and_then(|e| Email::parse(e).ok()) {
        throttle::clear(state, &throttle::account_bucket(state, &email)).await?;
    }
    Ok(Ok(()))
}

pub enum SignInError {
    /// Wrong address or password; the same answer for both.
    Invalid,
    Failed(ServiceError),
}

impl From<ServiceError> for SignInError {
    fn from(err: ServiceError) -> Self {
        SignInError::Failed(err)
    }
}

/// Check credentials, within the per-account and per-client limits on failures.
pub async fn sign_in(state: &Handles, email: &Email, password: &Password, client: IpAddr) -> Result<User, SignInError> {
    let account = throttle::account_bucket(state, email);
    let client_bucket = throttle::client_bucket(state, "signin", client);
    // Each attempt is counted before the password is checked (see services::throttle); a
    // success takes its count back.
    throttle::take(state, &account, throttle::SIGN_IN_PER_ACCOUNT, |minutes| {
        format!(
            "Too many failed sign-ins for this account. Try again in {minutes} minute{}, or reset your password.",
            plural(minutes)
        )
    })
    .await?;
    throttle::take(state, &client_bucket, throttle::SIGN_IN_PER_CLIENT, |minutes| {
        format!("Too many failed sign-ins from your network. Try again in {minutes} minute{}.", plural(minutes))
    })
    .await?;

    let user = accounts::find_by_email(state.db.pool(), email).await.map_err(ServiceError::from)?;
    let stored = user.as_ref().and_then(|u| u.password_hash.as_deref());
    let matches = state.hasher.verify(password, stored).await.map_err(ServiceError::Internal)?;
    match (user, matches) {
        (Some(user), true) => {
            throttle::clear(state, &account).await?;
            throttle::give_back(state, &client_bucket).await?;
            Ok(user)
        }
        _ => Err(SignInError::Invalid),
    }
}

/// Change the password of a signed-in user: the current password is required (and its failures
/// count against the account's limit); every other session ends, and, when asked, every API
/// token and the calendar feed address too.
pub async fn change_password(
    state: &Handles,
    user: &User,
    current: &Password,
    new: &Password,
    keep_session: Option<&str>,
    programs: ProgramAccess,
) -> Result<Result<(), FieldErrors>, ServiceError> {
    let email = Email::parse(user.email.as_deref().unwrap_or_default()).ok();
    let account = email.as_ref().map(|e| throttle::account_bucket(state, e));
    if let Some(bucket) = &account {
        throttle::take(state, bucket, throttle::SIGN_IN_PER_ACCOUNT, |minutes| {
            format!("Too many wrong passwords. Try again in {minutes} minute{}.", plural(minutes))
        })
        .await?;
    }
    if user.password_hash.is_some() && !state.hasher.verify(current, user.password_hash.as_deref()).await? {
        return Ok(Err(FieldErrors::single("current_password", "This is not your current password.")));
    }
    if let Some(bucket) = &account {
        throttle::give_back(state, bucket).await?;
    }
    let hash = state.hasher.hash(new).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    accounts::set_password_hash(&mut *tx, &user.id, &hash, now).await?;
    sessions::delete_all_for_user(&mut *tx, &user.id, keep_session).await?;
    if programs == ProgramAccess::Revoke {
        revoke_program_access(&mut tx, &user.id).await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// Keep the time zone the user reads times in. `first_only`: the browser's own, sent once by
/// the page, which never overrides a zone already chosen.
pub async fn set_time_zone(
    state: &Handles,
    user: &User,
    zone: &str,
    first_only: bool,
) -> Result<Result<(), FieldErrors>, ServiceError> {
    let zone = zone.trim();
    if zone.len() > 64 || jiff::tz::TimeZone::get(zone).is_err() {
        return Ok(Err(FieldErrors::single(
            "time_zone",
            "That is not a time zone we know. Use a name such as Europe/Berlin or America/New_York.",
        )));
    }
    if first_only && !user.time_zone.is_empty() {
        return Ok(Ok(()));
    }
    accounts::set_time_zone(state.db.pool(), &user.id, zone, state.clock.now()).await?;
    Ok(Ok(()))
}

/// Choose the currency salaries are in when none is typed (Settings). Typed freely: a symbol
/// (`€`) or a code in any case; empty clears it.
pub async fn set_default_currency(
    state: &Handles,
    user: &User,
    typed: &str,
) -> Result<Result<(), FieldErrors>, ServiceError> {
    let code = match crate::domain::lenient::currency(typed) {
        Some(code) => Some(code),
        None => match preferences::currency_code(typed) {
            Ok(code) => code,
            Err(message) => return Ok(Err(FieldErrors::single("default_currency", message))),
        },
    };
    accounts::set_default_currency(state.db.pool(), &user.id, code.as_deref(), state.clock.now()).await?;
    Ok(Ok(()))
}

/// Change the account's preferences as the API's `PATCH /me` names them; answers the account as
/// it is now.
pub async fn update_preferences(state: &Handles, user: &User, write: &PreferencesWrite) -> Result<User, ServiceError> {
    let current = Preferences { time_zone: user.time_zone.clone(), default_currency: user.default_currency.clone() };
    let wanted = write.apply_to(current).map_err(ServiceError::Invalid)?;
    let pool = state.db.pool();
    accounts::set_preferences(pool, &user.id, &wanted.time_zone, wanted.default_currency.as_deref(), state.clock.now())
        .await?;
    accounts::find_by_id(pool, &user.id).await?.ok_or(ServiceError::NotFound)
}

/// Create a user from the command line (`careerlog admin create-user`).
pub async fn create_user_directly(
    state_db: &crate::db::Db,
    hasher: &crate::services::passwords::PasswordHasher,
    email: &Email,
    password: &Password,
    is_admin: bool,
    now: Timestamp,
) -> anyhow::Result<User> {
    let hash = hasher.hash(password).await?;
    let new = NewUser { email, password_hash: &hash, is_admin, verified: true };
    match accounts::insert_user(state_db.pool(), new, now).await {
        Ok(user) => Ok(user),
        Err(err) if is_unique_violation(&err) => anyhow::bail!("an account with the address {email} already exists"),
        Err(err) => Err(err.into()),
    }
}

/// Sign out everywhere else: every session of the account ends but `keep` (the one asking).
pub async fn end_other_sessions(state: &Handles, user_id: &UserId, keep: Option<&str>) -> Result<(), ServiceError> {
    sessions::delete_all_for_user(state.db.pool(), user_id, keep).await?;
    Ok(())
}

/// Ask to sign in with another address: the current password is checked (its failures count
/// against the account's limit, as for a password change), then a single-use link valid for 30
/// minutes goes to the NEW address; nothing changes until it is opened.
///
/// An address that already belongs to another account must not tell the person asking that the
/// account exists: they are answered exactly as for a free address ("check the new inbox"), and
/// the new address's owner is mailed instead that someone tried to move an account to it and
/// nothing changed. Only the mailbox's owner learns it is taken, as with sign-up.
pub async fn request_email_change(
    state: &Handles,
    user: &User,
    current: &str,
    new_email: &str,
) -> Result<Result<Email, FieldErrors>, ServiceError> {
    // The current password is what proves it is the account's owner asking (SPEC: "needs the
    // current password"); an account without one (made by signing in elsewhere) chooses one first.
    if user.password_hash.is_none() {
        return Ok(Err(FieldErrors::single(
            "new_email",
            "Choose a password first (under Change password): changing the sign-in address needs it.",
        )));
    }
    let mut errors = FieldErrors::new();
    let current = errors.check("email_password", Password::parse_attempt(current));
    let new = errors.check("new_email", Email::parse(new_email));
    let (Some(current), Some(new)) = (current, new) else { return Ok(Err(errors)) };
    if user.email.as_deref() == Some(new.as_str()) {
        return Ok(Err(FieldErrors::single("new_email", "This is already your sign-in address.")));
    }
    let old = Email::parse(user.email.as_deref().unwrap_or_default()).ok();
    let account = old.as_ref().map(|e| throttle::account_bucket(state, e));
    if let Some(bucket) = &account {
        throttle::take(state, bucket, throttle::SIGN_IN_PER_ACCOUNT, |minutes| {
            format!("Too many wrong passwords. Try again in {minutes} minute{}.", plural(minutes))
        })
        .await?;
    }
    if !state.hasher.verify(&current, user.password_hash.as_deref()).await? {
        return Ok(Err(FieldErrors::single("email_password", "This is not your current password.")));
    }
    if let Some(bucket) = &account {
        throttle::give_back(state, bucket).await?;
    }
    if !throttle::hit(state, &throttle::mail_bucket(state, new.as_str()), throttle::MAIL_PER_ADDRESS).await? {
        return Err(ServiceError::RateLimited {
            retry_after_secs: 3600,
            message: "Too many mails to that address lately. Try again in an hour.".into(),
        });
    }
    let base = state.base_url.as_str().trim_end_matches('/').to_owned();
    if let Some(owner) = accounts::find_by_email(state.db.pool(), &new).await? {
        tracing::info!(user_id = %user.id, "an address change was asked for an address that has an account");
        let text = format!(
            "Hello,\n\nSomeone asked to make this address the sign-in address of another Careerlog account. \
             This address already has an account, so nothing was changed.\n\n\
             If it was you, sign in at {base}/login with this address instead.\n\
             If it was not you, you need not do anything.\n\n-- \nCareerlog at {base}\n",
        );
        // About the address's own account: it goes if that account is deleted.
        let mail = OutgoingMail { to: new.as_str().to_owned(), subject: "Your address was not changed".into(), text };
        mail_outbox::enqueue_alone(state, Some(&owner.id), mail).await?;
        return Ok(Ok(new));
    }
    let token = random_token();
    let now = state.clock.now();
    let text = format!(
        "Hello,\n\nTo sign in to Careerlog with this address from now on, open this link:\n\n{}\n\n\
         The link is valid for 30 minutes and works once. Until it is opened, the account keeps its \
         current address.\n\nIf you did not ask for this, ignore this message; nothing will change.\n\n\
         -- \nCareerlog at {base}\n",
        link(state, "/settings/email/confirm", &token),
    );
    let mail = OutgoingMail { to: new.as_str().to_owned(), subject: "Confirm your new sign-in address".into(), text };
    let mut tx = state.db.begin_write().await?;
    accounts::retire_links(&mut *tx, LinkKind::EmailChange, &user.id, now).await?;
    accounts::insert_email_change(
        &mut *tx,
        &hash_token(&token),
        &user.id,
        new.as_str(),
        now,
        now.plus(EMAIL_CHANGE_LINK_LIFETIME),
    )
    .await?;
    mail_outbox::enqueue_replacing(state, &mut tx, &user.id, mail).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(Ok(new))
}

/// Why an address change link did not change the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailChangeProblem {
    Link(LinkProblem),
    /// Another account took the address after the link was sent.
    Taken,
}

/// Use an address change link: the account signs in with the new address from now on, and the
/// old address is told (naming the new one, and where to get help).
pub async fn confirm_email_change(
    state: &Handles,
    token: &str,
) -> Result<Result<UserId, EmailChangeProblem>, ServiceError> {
    let found = match check_link(state, LinkKind::EmailChange, token).await? {
        Ok(found) => found,
        Err(problem) => return Ok(Err(EmailChangeProblem::Link(problem))),
    };
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if !accounts::consume_link(&mut *tx, LinkKind::EmailChange, &found.token_hash, now).await? {
        return Ok(Err(EmailChangeProblem::Link(LinkProblem::Used)));
    }
    let Some(new) = accounts::link_email(&mut *tx, LinkKind::EmailChange, &found.token_hash).await? else {
        return Ok(Err(EmailChangeProblem::Link(LinkProblem::Unknown)));
    };
    let Some(user) = accounts::find_by_id(&mut *tx, &found.user_id).await? else {
        return Ok(Err(EmailChangeProblem::Link(LinkProblem::Unknown)));
    };
    match accounts::set_email(&mut *tx, &found.user_id, &new, now).await {
        Ok(()) => {}
        Err(err) if is_unique_violation(&err) => {
            drop(tx);
            return Ok(Err(EmailChangeProblem::Taken));
        }
        Err(err) => return Err(err.into()),
    }
    accounts::retire_links(&mut *tx, LinkKind::EmailChange, &found.user_id, now).await?;
    // Links sent to the old address no longer name the account's address.
    accounts::retire_links(&mut *tx, LinkKind::EmailVerification, &found.user_id, now).await?;
    accounts::retire_links(&mut *tx, LinkKind::PasswordReset, &found.user_id, now).await?;
    // The old address is told, in the same transaction as the change.
    if let Some(old) = user.email.filter(|old| *old != new) {
        let base = state.base_url.as_str().trim_end_matches('/');
        let text = format!(
            "Hello,\n\nThe Careerlog account that signed in with this address now signs in with {new}.\n\
             The change was asked for with the account's password and confirmed from the new address.\n\n\
             If you did not do this, someone else may know your password. Write to this instance's \
             administrators at {base}/support (give this address) and they will help you get your account back.\n\n\
             -- \nCareerlog at {base}\n",
        );
        let mail = OutgoingMail { to: old, subject: "Your sign-in address was changed".into(), text };
        // About no account: it warns the old address, and deleting the account (perhaps by
        // whoever changed the address) must not take the warning with it.
        mail_outbox::enqueue(state, &mut tx, None, mail).await?;
    }
    tx.commit().await?;
    state.outbox.wake();
    tracing::info!(user_id = %found.user_id, "sign-in address changed");
    Ok(Ok(found.user_id))
}

/// Deleting an account (issue 14, item 4) lives in `services::account_deletion`; named here too,
/// beside the other account rules.
pub use crate::services::account_deletion::{delete_account, delete_own_account, deleted_account_count};
