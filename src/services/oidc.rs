//! Google and other OpenID Connect providers: signing in (with accounts made from a provider),
//! linking and unlinking, confirming a link found by a verified address, and the Google
//! Calendar consent.
//!
//! Accounts are found by issuer + subject, never by address: an address only ever proposes a
//! link, which the account's owner confirms while signed in, and only when the provider says the
//! address is verified.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::db::{accounts, google_calendar, oidc as db, profiles};
use crate::domain::email::Email;
use crate::domain::UserId;
use crate::integrations::bluesky::stores::Sealer;
use crate::integrations::oidc::{Access, Granted, Identity, OidcError, OidcProvider, Tokens, CALENDAR_SCOPE};
use crate::secrets::hash_token;
use crate::services::{Handles, ServiceError, ServiceResult};

/// How long an authorization request, or a link waiting for confirmation, lasts (promise 12).
pub const REQUEST_LIFETIME: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Why someone goes to the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    SignIn,
    Link(UserId),
    /// Google only: read-only calendar access for this user.
    Calendar(UserId),
}

/// What is kept, sealed, with a request until its answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RequestState {
    purpose: String,
    user_id: Option<String>,
    /// A hash of the secret in the browser's binding cookie.
    browser: String,
    nonce: String,
    pkce_verifier: String,
    next: String,
}

/// A sign-in that found an account by its verified address, waiting for its owner.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingLink {
    pub provider: String,
    pub issuer: String,
    pub subject: String,
    pub email: String,
    pub name: Option<String>,
    pub picture: Option<String>,
}

fn sealer(handles: &Handles) -> Sealer {
    Sealer::new(handles.field_key.clone())
}

fn request_context(kind: &str, state_hash: &str) -> String {
    format!("oidc/request/{kind}/{state_hash}")
}

fn pending_key(browser_secret: &str) -> String {
    hash_token(&format!("oidc-pending/{browser_secret}"))
}

pub fn provider<'a>(handles: &'a Handles, name: &str) -> ServiceResult<&'a Arc<OidcProvider>> {
    handles.oidc.get(name).ok_or(ServiceError::NotFound)
}

/// Start at the provider: the address to send the browser to. `browser_secret` is the value of
/// a cookie set on this browser only.
pub async fn start(
    handles: &Handles,
    name: &str,
    purpose: Purpose,
    browser_secret: &str,
    next: &str,
) -> ServiceResult<String> {
    let provider = provider(handles, name)?;
    let (access, kind, user_id) = match &purpose {
        Purpose::SignIn => (Access::SignIn, "sign_in", None),
        Purpose::Link(user_id) => (Access::SignIn, "link", Some(user_id)),
        Purpose::Calendar(user_id) if provider.is_google() => (Access::Calendar, "calendar", Some(user_id)),
        Purpose::Calendar(_) => return Err(ServiceError::NotFound),
    };
    let authorization = provider.authorize(access).await.map_err(|err| {
        tracing::warn!(provider = %name, error = %err, "an OpenID Connect sign-in could not start");
        ServiceError::field("provider", format!("{} did not answer. Try again in a moment.", provider.label))
    })?;
    let state = RequestState {
        purpose: kind.to_owned(),
        user_id: user_id.map(|u| u.as_str().to_owned()),
        browser: hash_token(browser_secret),
        nonce: authorization.nonce,
        pkce_verifier: authorization.pkce_verifier,
        next: next.to_owned(),
    };
    let request_kind = db::request_kind(name);
    let state_hash = hash_token(&authorization.state);
    let sealed = sealer(handles).seal_json(&state, &request_context(&request_kind, &state_hash));
    let now = handles.clock.now();
    db::insert_request(
        handles.db.pool(),
        &state_hash,
        &request_kind,
        user_id,
        &sealed,
        now,
        now.plus(REQUEST_LIFETIME),
    )
    .await?;
    Ok(authorization.url)
}

/// How a callback failed, for the page that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackProblem {
    Denied,
    Expired,
    OtherBrowser,
    Refused(String),
    SignupsClosed,
    /// The identity is linked to another account.
    LinkedElsewhere,
    /// This account already has another identity at this provider.
    AlreadyLinked,
    SignedInAsSomeoneElse,
    /// An account here uses the address, but the provider does not say it is verified.
    AddressInUse,
    /// The calendar consent came back without the calendar scope (unticked at Google).
    CalendarNotGranted,
}

#[derive(Debug)]
pub enum Finished {
    SignedIn {
        user_id: UserId,
        created: bool,
        next: String,
    },
    Linked {
        next: String,
    },
    CalendarConnected,
    /// An account here has this verified address: its owner must sign in and confirm.
    ConfirmLink,
}

#[derive(Debug, Default, Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// The provider's answer. Nothing is written unless every check passes.
pub async fn finish(
    handles: &Handles,
    name: &str,
    query: CallbackQuery,
    browser_secret: Option<&str>,
    signed_in: Option<&UserId>,
    signups_open: bool,
) -> ServiceResult<Result<Finished, CallbackProblem>> {
    let provider = provider(handles, name)?;
    let Some(state_key) = query.state.filter(|s| !s.is_empty() && s.len() <= 200) else {
        return Ok(Err(CallbackProblem::Expired));
    };
    let request_kind = db::request_kind(name);
    let state_hash = hash_token(&state_key);
    let now = handles.clock.now();
    let pool = handles.db.pool();
    // Check the browser before using the request up, so a link opened elsewhere spends nothing.
    let Some(sealed) = db::peek_request(pool, &state_hash, &request_kind, now).await? else {
        return Ok(Err(CallbackProblem::Expired));
    };
    let Ok(state) = sealer(handles).open_json::<RequestState>(&sealed, &request_context(&request_kind, &state_hash))
    else {
        return Ok(Err(CallbackProblem::Expired));
    };
    if browser_secret.map(hash_token).as_deref() != Some(state.browser.as_str()) {
        return Ok(Err(CallbackProblem::OtherBrowser));
    }
    let purpose = match (state.purpose.as_str(), &state.user_id) {
        ("sign_in", _) => Purpose::SignIn,
        (kind @ ("link" | "calendar"), Some(id)) => {
            if signed_in.map(UserId::as_str) != Some(id.as_str()) {
                return Ok(Err(CallbackProblem::SignedInAsSomeoneElse));
            }
            let user_id = UserId::from(id.clone());
            if kind == "link" {
                Purpose::Link(user_id)
            } else {
                Purpose::Calendar(user_id)
            }
        }
        _ => return Ok(Err(CallbackProblem::Expired)),
    };
    // Used once, whatever happens next.
    if db::take_request(pool, &state_hash, &request_kind, now).await?.is_none() {
        return Ok(Err(CallbackProblem::Expired));
    }
    if query.error.is_some() {
        return Ok(Err(CallbackProblem::Denied));
    }
    let Some(code) = query.code.filter(|c| !c.is_empty() && c.len() <= 4000) else {
        return Ok(Err(CallbackProblem::Refused("no authorization code in the answer".into())));
    };
    let granted = match provider.finish(&code, &state.pkce_verifier, &state.nonce, now).await {
        Ok(granted) => granted,
        Err(err) => {
            tracing::info!(provider = %name, error = %err, "an OpenID Connect callback was refused");
            return Ok(Err(CallbackProblem::Refused(err.to_string())));
        }
    };
    match purpose {
        Purpose::SignIn => {
            sign_in(handles, provider, &granted.identity, state.next, signups_open, browser_secret).await
        }
        Purpose::Link(user_id) => link(handles, provider, &granted.identity, &user_id, state.next).await,
        Purpose::Calendar(user_id) => connect_calendar(handles, provider, granted, &user_id).await,
    }
}

fn fields<'a>(provider: &'a OidcProvider, identity: &'a Identity) -> db::IdentityFields<'a> {
    db::IdentityFields {
        provider: &provider.name,
        issuer: &identity.issuer,
        subject: &identity.subject,
        email: identity.email.as_deref(),
        email_verified: identity.email_verified,
        name: identity.name.as_deref(),
        picture_url: identity.picture.as_deref(),
    }
}

async fn sign_in(
    handles: &Handles,
    provider: &OidcProvider,
    identity: &Identity,
    next: String,
    signups_open: bool,
    browser_secret: Option<&str>,
) -> ServiceResult<Result<Finished, CallbackProblem>> {
    let now = handles.clock.now();
    let mut tx = handles.db.begin_write().await?;
    if let Some(known) = db::by_subject(&mut *tx, &identity.issuer, &identity.subject).await? {
        db::refresh(&mut *tx, &fields(provider, identity), now).await?;
        tx.commit().await?;
        return Ok(Ok(Finished::SignedIn { user_id: known.user_id, created: false, next }));
    }
    let address = identity.email.as_deref().and_then(|e| Email::parse(e).ok());
    if let Some(address) = &address {
        if let Some(holder) = accounts::find_by_email(&mut *tx, address).await? {
            drop(tx);
            // Only a verified address on both sides may propose a link: an account that never
            // proved the address (someone may have signed up with another person's) cannot
            // be reached this way, and neither can an address the provider does not vouch for.
            if !identity.email_verified || !holder.is_verified() {
                return Ok(Err(CallbackProblem::AddressInUse));
            }
            let Some(secret) = browser_secret else { return Ok(Err(CallbackProblem::OtherBrowser)) };
            let pending = PendingLink {
                provider: provider.name.clone(),
                issuer: identity.issuer.clone(),
                subject: identity.subject.clone(),
                email: address.as_str().to_owned(),
                name: identity.name.clone(),
                picture: identity.picture.clone(),
            };
            let key = pending_key(secret);
            let sealed = sealer(handles).seal_json(&pending, &request_context(db::PENDING_LINK, &key));
            let pool = handles.db.pool();
            // One pending link per browser: a newer sign-in replaces it.
            sqlx::query("DELETE FROM oauth_requests WHERE state_hash = $1").bind(&key).execute(pool).await?;
            db::insert_request(pool, &key, db::PENDING_LINK, None, &sealed, now, now.plus(REQUEST_LIFETIME)).await?;
            return Ok(Ok(Finished::ConfirmLink));
        }
    }
    if !signups_open {
        return Ok(Err(CallbackProblem::SignupsClosed));
    }
    let made = match (&address, identity.email_verified) {
        (Some(address), true) => accounts::insert_user_with_verified_email(&mut *tx, address, now).await,
        _ => accounts::insert_user_without_email(&mut *tx, now).await,
    };
    let user_id = match made {
        Ok(user_id) => user_id,
        // Another tab finished the same sign-in a moment ago (PostgreSQL lets both get here):
        // that account is this person's.
        Err(err) if crate::db::is_unique_violation(&err) => {
            drop(tx);
            return match db::by_subject(handles.db.pool(), &identity.issuer, &identity.subject).await? {
                Some(known) => Ok(Ok(Finished::SignedIn { user_id: known.user_id, created: false, next })),
                None => Ok(Err(CallbackProblem::AddressInUse)),
            };
        }
        Err(err) => return Err(err.into()),
    };
    let display_name = identity
        .name
        .clone()
        .or_else(|| address.as_ref().map(|a| a.as_str().split('@').next().unwrap_or_default().to_owned()))
        .unwrap_or_else(|| format!("{} user", provider.label));
    profiles::start_with_name(&mut tx, &user_id, &display_name, now).await?;
    if let Err(err) = db::insert(&mut *tx, &user_id, &fields(provider, identity), now).await {
        drop(tx);
        // Another tab finished the same sign-in a moment ago: that account is this person's.
        if crate::db::is_unique_violation(&err) {
            if let Some(known) = db::by_subject(handles.db.pool(), &identity.issuer, &identity.subject).await? {
                return Ok(Ok(Finished::SignedIn { user_id: known.user_id, created: false, next }));
            }
        }
        return Err(err.into());
    }
    tx.commit().await?;
    tracing::info!(user_id = %user_id, provider = %provider.name, "account created by signing in with OpenID Connect");
    Ok(Ok(Finished::SignedIn { user_id, created: true, next: "/settings/connections?notice=welcome_oidc".into() }))
}

async fn link(
    handles: &Handles,
    provider: &OidcProvider,
    identity: &Identity,
    user_id: &UserId,
    next: String,
) -> ServiceResult<Result<Finished, CallbackProblem>> {
    let now = handles.clock.now();
    let mut tx = handles.db.begin_write().await?;
    if let Some(known) = db::by_subject(&mut *tx, &identity.issuer, &identity.subject).await? {
        if &known.user_id != user_id {
            return Ok(Err(CallbackProblem::LinkedElsewhere));
        }
        db::refresh(&mut *tx, &fields(provider, identity), now).await?;
        tx.commit().await?;
        return Ok(Ok(Finished::Linked { next }));
    }
    if db::of_user(&mut *tx, user_id).await?.iter().any(|i| i.provider == provider.name) {
        return Ok(Err(CallbackProblem::AlreadyLinked));
    }
    if let Err(err) = db::insert(&mut *tx, user_id, &fields(provider, identity), now).await {
        // Linked a moment ago, here or in another account: both are said as a conflict.
        return if crate::db::is_unique_violation(&err) {
            Ok(Err(CallbackProblem::AlreadyLinked))
        } else {
            Err(err.into())
        };
    }
    tx.commit().await?;
    tracing::info!(user_id = %user_id, provider = %provider.name, "OpenID Connect identity linked");
    Ok(Ok(Finished::Linked { next }))
}

/// The link waiting in this browser, if any.
pub async fn pending_link(handles: &Handles, browser_secret: &str) -> ServiceResult<Option<PendingLink>> {
    let key = pending_key(browser_secret);
    let now = handles.clock.now();
    let Some(sealed) = db::peek_request(handles.db.pool(), &key, db::PENDING_LINK, now).await? else {
        return Ok(None);
    };
    Ok(sealer(handles).open_json(&sealed, &request_context(db::PENDING_LINK, &key)).ok())
}

/// The signed-in owner of the address confirms the link.
pub async fn confirm_link(handles: &Handles, user_id: &UserId, browser_secret: &str) -> ServiceResult<String> {
    let Some(pending) = pending_link(handles, browser_secret).await? else { return Err(ServiceError::NotFound) };
    let provider = provider(handles, &pending.provider)?;
    let now = handles.clock.now();
    let mut tx = handles.db.begin_write().await?;
    let me = accounts::find_by_id(&mut *tx, user_id).await?.ok_or(ServiceError::NotFound)?;
    if me.email.as_deref() != Some(pending.email.as_str()) {
        return Err(ServiceError::field(
            "form",
            format!(
                "This {} account is for {}, not for the account you are signed in to.",
                provider.label, pending.email
            ),
        ));
    }
    if !me.is_verified() {
        return Err(ServiceError::field(
            "form",
            "Verify this account's address first (we sent a link when you signed up), then link.",
        ));
    }
    if db::by_subject(&mut *tx, &pending.issuer, &pending.subject).await?.is_some() {
        return Err(ServiceError::field("form", format!("This {} account is already linked.", provider.label)));
    }
    if db::of_user(&mut *tx, user_id).await?.iter().any(|i| i.provider == provider.name) {
        return Err(ServiceError::field(
            "form",
            format!("You already have a {} account linked; unlink it first.", provider.label),
        ));
    }
    let identity = Identity {
        issuer: pending.issuer.clone(),
        subject: pending.subject.clone(),
        email: Some(pending.email.clone()),
        email_verified: true,
        name: pending.name.clone(),
        picture: pending.picture.clone(),
    };
    if let Err(err) = db::insert(&mut *tx, user_id, &fields(provider, &identity), now).await {
        return Err(if crate::db::is_unique_violation(&err) {
            ServiceError::field("form", format!("This {} account is already linked.", provider.label))
        } else {
            err.into()
        });
    }
    sqlx::query("DELETE FROM oauth_requests WHERE state_hash = $1")
        .bind(pending_key(browser_secret))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(user_id = %user_id, provider = %provider.name, "OpenID Connect identity linked by a confirmed address");
    Ok(provider.label.clone())
}

/// Whether the account has a way in besides `except` (a provider's name, or "bluesky"): a
/// password where password sign-in is on, another configured provider's identity, or Bluesky
/// where it is on.
pub async fn other_ways_in(
    handles: &Handles,
    conn: &mut sqlx::AnyConnection,
    user: &crate::db::accounts::User,
    except: &str,
    password_sign_in: bool,
) -> ServiceResult<bool> {
    if password_sign_in && user.can_sign_in_with_password() {
        return Ok(true);
    }
    let identities = db::of_user(&mut *conn, &user.id).await?;
    if identities.iter().any(|i| i.provider != except && handles.oidc.get(&i.provider).is_some()) {
        return Ok(true);
    }
    Ok(except != "bluesky"
        && handles.bluesky.is_some()
        && crate::db::bluesky::account_of_user(&mut *conn, &user.id).await?.is_some())
}

/// Unlink an identity. Refused when it is the account's only way in.
pub async fn unlink(handles: &Handles, user_id: &UserId, name: &str, password_sign_in: bool) -> ServiceResult<()> {
    let mut tx = handles.db.begin_write().await?;
    let me = accounts::find_by_id(&mut *tx, user_id).await?.ok_or(ServiceError::NotFound)?;
    let identities = db::of_user(&mut *tx, user_id).await?;
    if !identities.iter().any(|i| i.provider == name) {
        return Err(ServiceError::NotFound);
    }
    if !other_ways_in(handles, &mut tx, &me, name, password_sign_in).await? {
        return Err(ServiceError::field(
            "provider",
            if password_sign_in {
                "This is the only way into your account. Set a password under Account (or link another sign-in) first."
            } else {
                "This is the only way into your account. Link another sign-in first."
            },
        ));
    }
    db::delete(&mut *tx, user_id, name).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user_id, provider = %name, "OpenID Connect identity unlinked");
    Ok(())
}

// --- Google Calendar ---

/// The calendar grant, as sealed in `calendar_connections`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SealedTokens {
    pub access_token: String,
    pub expires_at_ms: i64,
    pub refresh_token: Option<String>,
}

impl From<&Tokens> for SealedTokens {
    fn from(tokens: &Tokens) -> Self {
        Self {
            access_token: tokens.access_token.clone(),
            expires_at_ms: tokens.expires_at.millis(),
            refresh_token: tokens.refresh_token.clone(),
        }
    }
}

pub fn tokens_context(user_id: &UserId) -> String {
    format!("google-calendar/tokens/{}", user_id.as_str())
}

pub fn seal_tokens(handles: &Handles, user_id: &UserId, tokens: &SealedTokens) -> (String, String) {
    let sealer = sealer(handles);
    (sealer.seal_json(tokens, &tokens_context(user_id)), sealer.key_id().to_owned())
}

pub fn open_tokens(handles: &Handles, user_id: &UserId, sealed: &str) -> Option<SealedTokens> {
    sealer(handles).open_json(sealed, &tokens_context(user_id)).ok()
}

async fn connect_calendar(
    handles: &Handles,
    provider: &OidcProvider,
    granted: Granted,
    user_id: &UserId,
) -> ServiceResult<Result<Finished, CallbackProblem>> {
    // Google's granular consent lets people untick the calendar: then there is nothing to read.
    if !granted.tokens.scopes.is_empty() && !granted.tokens.scopes.iter().any(|s| s == CALENDAR_SCOPE) {
        return Ok(Err(CallbackProblem::CalendarNotGranted));
    }
    let now = handles.clock.now();
    let (sealed, key_id) = seal_tokens(handles, user_id, &SealedTokens::from(&granted.tokens));
    let mut tx = handles.db.begin_write().await?;
    // A grant this one replaces is revoked below, after the commit.
    let previous = google_calendar::connection(&mut *tx, user_id).await?;
    if previous.as_ref().is_some_and(|p| p.subject != granted.identity.subject) {
        google_calendar::forget_events(&mut *tx, user_id).await?;
    }
    google_calendar::upsert_connection(
        &mut *tx,
        user_id,
        &provider.name,
        &granted.identity.subject,
        granted.identity.email.as_deref(),
        &sealed,
        &key_id,
        now,
    )
    .await?;
    tx.commit().await?;
    // Revoking a grant of the same Google account would end the new one too (Google revokes
    // the app's whole grant for that account).
    if let Some(previous) = previous.filter(|p| p.subject != granted.identity.subject) {
        if let Some(old) = open_tokens(handles, user_id, &previous.sealed).and_then(|t| t.refresh_token) {
            if Some(&old) != granted.tokens.refresh_token.as_ref() {
                provider.revoke(&old).await;
            }
        }
    }
    tracing::info!(user_id = %user_id, "Google Calendar connected");
    Ok(Ok(Finished::CalendarConnected))
}

/// Disconnect the calendar: the grant is revoked at Google and everything kept of it here is
/// deleted. True when Google confirmed the revocation.
pub async fn disconnect_calendar(handles: &Handles, user_id: &UserId) -> ServiceResult<bool> {
    let Some(connection) = google_calendar::connection(handles.db.pool(), user_id).await? else {
        return Err(ServiceError::NotFound);
    };
    let mut tx = handles.db.begin_write().await?;
    google_calendar::delete_connection(&mut tx, user_id).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user_id, "Google Calendar disconnected");
    Ok(revoke_grant(handles, user_id, &connection).await)
}

/// Revoke a connection's grant at its provider (best effort).
pub async fn revoke_grant(handles: &Handles, user_id: &UserId, connection: &google_calendar::Connection) -> bool {
    let (Some(provider), Some(tokens)) =
        (handles.oidc.get(&connection.provider), open_tokens(handles, user_id, &connection.sealed))
    else {
        return false;
    };
    provider.revoke(tokens.refresh_token.as_deref().unwrap_or(&tokens.access_token)).await
}

/// Whether an error means the grant is gone for good (the user must connect again).
pub fn grant_is_gone(err: &OidcError) -> bool {
    matches!(err, OidcError::InvalidGrant)
}
