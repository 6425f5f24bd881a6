//! Bluesky use cases: signing in and linking (with accounts made from Bluesky), unlinking,
//! sharing a journal entry as a post, and the standard.site publishing switch.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::db::{accounts, bluesky as db, profiles};
use crate::domain::bluesky::{self as rules, AccountIdentifier, LinkFacet};
use crate::domain::UserId;
use crate::integrations::bluesky::{self as atproto, Bluesky, BlueskyError};
use crate::secrets::hash_token;
use crate::services::{Handles, ServiceError};

/// Why someone signs in at Bluesky.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    SignIn,
    Link(UserId),
}

/// What Careerlog keeps with an authorization request (sealed with it): the purpose, the
/// browser that started it (a hash of a cookie's secret), what was typed, and where to go after.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RequestState {
    /// Set for a link; the store also reads it, so the request goes with a deleted account.
    user_id: Option<String>,
    browser: String,
    expected: Option<String>,
    next: String,
}

/// The instance's Bluesky client, or a clear refusal when it has none.
pub fn client(handles: &Handles) -> Result<&Arc<Bluesky>, ServiceError> {
    handles
        .bluesky
        .as_ref()
        .ok_or_else(|| ServiceError::field("handle", "Bluesky sign-in is not available on this Careerlog instance."))
}

/// Start signing in (or linking) at the user's Bluesky server: the address to send the browser
/// to. `browser_secret` is the value of a cookie set on this browser only.
pub async fn start(
    handles: &Handles,
    typed: &str,
    purpose: Purpose,
    browser_secret: &str,
    next: &str,
) -> Result<String, ServiceError> {
    let identifier = AccountIdentifier::parse(typed).map_err(|m| ServiceError::field("handle", m))?;
    let bluesky = client(handles)?;
    let state = RequestState {
        user_id: match &purpose {
            Purpose::Link(user_id) => Some(user_id.as_str().to_owned()),
            Purpose::SignIn => None,
        },
        browser: hash_token(browser_secret),
        expected: match &identifier {
            AccountIdentifier::Server(_) => None,
            other => Some(other.as_str().to_owned()),
        },
        next: next.to_owned(),
    };
    let app_state = serde_json::to_string(&state).expect("serialisable");
    bluesky.authorize(identifier.as_str(), app_state).await.map_err(|err| {
        tracing::info!(error = %err, "a Bluesky sign-in could not start");
        ServiceError::field(
            "handle",
            match err {
                BlueskyError::Resolve(_) => {
                    "We could not find that Bluesky account or its server. Check the handle and try again."
                }
                _ => "Bluesky did not answer. Try again in a moment.",
            },
        )
    })
}

/// How a callback failed, for the page that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackProblem {
    /// The user said no at Bluesky.
    Denied,
    /// Unknown, used or older than ten minutes.
    Expired,
    /// Started in another browser (or by someone else).
    OtherBrowser,
    /// The answer did not check out (`iss`, the code exchange, the identity).
    Refused(String),
    /// The Bluesky account is not the one that was asked for.
    WrongAccount { asked: String, got: String },
    /// Sign-ups are closed and this Bluesky account has no Careerlog account.
    SignupsClosed,
    /// The Bluesky account is linked to another Careerlog account.
    LinkedElsewhere,
    /// This Careerlog account already has another Bluesky account.
    AlreadyLinked,
    /// The link was started by another Careerlog account than the one signed in now.
    SignedInAsSomeoneElse,
}

/// A finished callback.
#[derive(Debug)]
pub enum Finished {
    /// Sign the browser in as this user (created now, when `created`).
    SignedIn { user_id: UserId, created: bool, next: String },
    /// The account was linked to the signed-in user.
    Linked { next: String },
}

/// The answer from Bluesky's authorization page. Nothing is written unless every check passes;
/// a session kept by the code exchange and then not used is revoked and deleted.
pub async fn finish(
    handles: &Handles,
    query: CallbackQuery,
    browser_secret: Option<&str>,
    signed_in: Option<&UserId>,
    signups_open: bool,
) -> Result<Result<Finished, CallbackProblem>, ServiceError> {
    let bluesky = client(handles)?;
    let Some(state_key) = query.state.filter(|s| !s.is_empty() && s.len() <= 200) else {
        return Ok(Err(CallbackProblem::Expired));
    };
    let Some(app_state) = bluesky.pending(&state_key).await.map_err(internal)? else {
        return Ok(Err(CallbackProblem::Expired));
    };
    let Ok(state) = serde_json::from_str::<RequestState>(&app_state) else {
        return Ok(Err(CallbackProblem::Expired));
    };
    if browser_secret.map(hash_token).as_deref() != Some(state.browser.as_str()) {
        return Ok(Err(CallbackProblem::OtherBrowser));
    }
    let purpose = match &state.user_id {
        Some(id) => {
            if signed_in.map(UserId::as_str) != Some(id.as_str()) {
                return Ok(Err(CallbackProblem::SignedInAsSomeoneElse));
            }
            Purpose::Link(UserId::from(id.clone()))
        }
        None => Purpose::SignIn,
    };
    if query.error.is_some() {
        bluesky.forget_request(&state_key).await;
        return Ok(Err(CallbackProblem::Denied));
    }
    let Some(code) = query.code.filter(|c| !c.is_empty() && c.len() <= 2000) else {
        bluesky.forget_request(&state_key).await;
        return Ok(Err(CallbackProblem::Refused("no authorization code in the answer".into())));
    };
    let did = match bluesky.finish(code, state_key, query.iss).await {
        Ok(did) => did.as_str().to_owned(),
        Err(BlueskyError::UnknownRequest) => return Ok(Err(CallbackProblem::Expired)),
        Err(err) => {
            tracing::info!(error = %err, "a Bluesky callback was refused");
            return Ok(Err(CallbackProblem::Refused(err.to_string())));
        }
    };
    let outcome = settle(handles, bluesky, &did, &state, purpose, signups_open).await;
    if !matches!(outcome, Ok(Ok(_))) {
        discard_unclaimed(handles, bluesky, &did).await;
    }
    outcome
}

/// After the exchange: check the identity, then link or sign in.
async fn settle(
    handles: &Handles,
    bluesky: &Bluesky,
    did: &str,
    state: &RequestState,
    purpose: Purpose,
    signups_open: bool,
) -> Result<Result<Finished, CallbackProblem>, ServiceError> {
    let (handle, pds) = bluesky.describe(did).await.map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
    if let Some(asked) = &state.expected {
        if asked != did && asked != &handle {
            return Ok(Err(CallbackProblem::WrongAccount { asked: asked.clone(), got: handle }));
        }
    }
    let avatar = bluesky.avatar_url(did, &pds).await;
    let pool = handles.db.pool();
    let now = handles.clock.now();
    let existing = db::account_by_did(pool, did).await?;
    let mut tx = handles.db.begin_write().await?;
    let finished = match purpose {
        Purpose::Link(user_id) => {
            if existing.as_ref().is_some_and(|a| a.user_id != user_id) {
                return Ok(Err(CallbackProblem::LinkedElsewhere));
            }
            let mine = db::account_of_user(&mut *tx, &user_id).await?;
            if mine.as_ref().is_some_and(|a| a.did != did) {
                return Ok(Err(CallbackProblem::AlreadyLinked));
            }
            let link =
                db::NewLink { did, user_id: &user_id, handle: &handle, pds_url: &pds, avatar_url: avatar.as_deref() };
            if mine.is_some() {
                db::refresh_account(&mut *tx, &link, now).await?;
            } else {
                db::insert_account(&mut *tx, &link, now).await?;
            }
            db::claim_session(&mut *tx, did, &user_id).await?;
            tracing::info!(user_id = %user_id, "Bluesky account linked");
            Finished::Linked { next: state.next.clone() }
        }
        Purpose::SignIn => match existing {
            Some(account) => {
                let link = db::NewLink {
                    did,
                    user_id: &account.user_id,
                    handle: &handle,
                    pds_url: &pds,
                    avatar_url: avatar.as_deref(),
                };
                db::refresh_account(&mut *tx, &link, now).await?;
                db::claim_session(&mut *tx, did, &account.user_id).await?;
                Finished::SignedIn { user_id: account.user_id, created: false, next: state.next.clone() }
            }
            None => {
                if !signups_open {
                    return Ok(Err(CallbackProblem::SignupsClosed));
                }
                let user_id = accounts::insert_user_without_email(&mut *tx, now).await?;
                profiles::start_with_name(&mut tx, &user_id, &handle, now).await?;
                let link = db::NewLink {
                    did,
                    user_id: &user_id,
                    handle: &handle,
                    pds_url: &pds,
                    avatar_url: avatar.as_deref(),
                };
                db::insert_account(&mut *tx, &link, now).await?;
                db::claim_session(&mut *tx, did, &user_id).await?;
                tracing::info!(user_id = %user_id, "account created by signing in with Bluesky");
                Finished::SignedIn { user_id, created: true, next: "/settings/connections?notice=welcome".into() }
            }
        },
    };
    tx.commit().await?;
    Ok(Ok(finished))
}

/// A session the exchange kept but no account took: revoke it and forget it (a session that
/// belongs to a linked account is left alone).
async fn discard_unclaimed(handles: &Handles, bluesky: &Bluesky, did: &str) {
    match db::account_by_did(handles.db.pool(), did).await {
        Ok(None) => {
            bluesky.revoke(did).await;
        }
        Ok(Some(_)) => {}
        Err(err) => tracing::warn!(error = %err, "could not check a Bluesky session after a refused sign-in"),
    }
}

/// The callback's query, as sent.
#[derive(Debug, Default, Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// What unlinking did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unlinked {
    /// Whether Bluesky confirmed the grant is revoked (else the user is told to remove it there).
    pub revoked_at_server: bool,
}

/// Unlink the user's Bluesky account: revoke the grant at the server when it answers, then
/// delete the handle, DID, tokens, DPoP key, the posts' addresses and the publishing state
/// (promise 13). Refused when Bluesky is the account's only way to sign in.
pub async fn unlink(handles: &Handles, user_id: &UserId, password_sign_in: bool) -> Result<Unlinked, ServiceError> {
    let pool = handles.db.pool();
    let account = db::account_of_user(pool, user_id).await?.ok_or(ServiceError::NotFound)?;
    let user = accounts::find_by_id(pool, user_id).await?.ok_or(ServiceError::NotFound)?;
    let mut conn = pool.acquire().await?;
    let other_ways_in =
        crate::services::oidc::other_ways_in(handles, &mut conn, &user, "bluesky", password_sign_in).await?;
    drop(conn);
    if !other_ways_in {
        return Err(ServiceError::field(
            "unlink",
            "Bluesky is the only way to sign in to this account. Add an email address and a password first \
             (Settings → Account), then unlink.",
        ));
    }
    let revoked_at_server = match &handles.bluesky {
        Some(bluesky) => bluesky.revoke(&account.did).await,
        None => false,
    };
    let mut tx = handles.db.begin_write().await?;
    db::delete_everything_of_user(&mut tx, user_id).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user_id, revoked_at_server, "Bluesky account unlinked");
    Ok(Unlinked { revoked_at_server })
}

/// Revoke the grant of a user's linked account at the server, if any (account deletion calls
/// this before deleting the rows).
pub async fn revoke_for_deletion(handles: &Handles, user_id: &UserId) -> Result<(), ServiceError> {
    if let (Some(bluesky), Some(account)) = (&handles.bluesky, db::account_of_user(handles.db.pool(), user_id).await?) {
        bluesky.revoke(&account.did).await;
    }
    Ok(())
}

/// Turn standard.site publishing on or off. Off takes down what was published (in the
/// background, like publishing).
pub async fn set_publishing(handles: &Handles, user_id: &UserId, on: bool) -> Result<(), ServiceError> {
    let mut tx = handles.db.begin_write().await?;
    if !db::set_publishing(&mut *tx, user_id, on, handles.clock.now()).await? {
        return Err(ServiceError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

// --- Sharing a journal entry ---

/// What the composer shows for an entry.
#[derive(Debug, Clone)]
pub struct ShareDraft {
    pub entry: db::PublicEntry,
    pub link: String,
    pub text: String,
}

/// The composer's starting point, or `None` when the entry is not public (it has no link to
/// share).
pub async fn share_draft(
    handles: &Handles,
    user_id: &UserId,
    entry_id: &str,
) -> Result<Option<ShareDraft>, ServiceError> {
    let Some(entry) = db::public_entry(handles.db.pool(), user_id, entry_id).await? else { return Ok(None) };
    let link = entry_link(handles, &entry);
    let text = rules::default_post_text(&entry.title, &link);
    Ok(Some(ShareDraft { entry, link, text }))
}

pub fn entry_link(handles: &Handles, entry: &db::PublicEntry) -> String {
    format!("{}/u/{}/journal/{}", handles.base_url.as_str().trim_end_matches('/'), entry.username, entry.slug)
}

/// A post that was made.
#[derive(Debug, Clone)]
pub struct Shared {
    pub uri: String,
    pub web_url: Option<String>,
}

/// Post `text` to the user's Bluesky account with a link card for the entry (title,
/// description, the entry's first image as the thumbnail) and a facet for each link.
pub async fn share(handles: &Handles, user_id: &UserId, entry_id: &str, text: &str) -> Result<Shared, ServiceError> {
    let pool = handles.db.pool();
    let draft = share_draft(handles, user_id, entry_id).await?.ok_or(ServiceError::NotFound)?;
    let text = rules::check_post_text(text).map_err(|m| ServiceError::field("text", m))?;
    let account = db::account_of_user(pool, user_id)
        .await?
        .ok_or_else(|| ServiceError::field("text", "Connect a Bluesky account first (Settings → Connections)."))?;
    if account.needs_reconnect() {
        return Err(ServiceError::field("text", RECONNECT_MESSAGE));
    }
    let bluesky = client(handles)?;
    // One instance at a time uses a session (a refresh by two would spend the refresh token
    // twice, and the second would look like a revoked grant).
    let lease = format!("bluesky:{}", account.did);
    if !hold_lease(handles, &lease).await? {
        return Err(ServiceError::field("text", "Your Bluesky account is busy publishing. Try again in a moment."));
    }
    let posted = post_entry(handles, bluesky, &account, user_id, entry_id, &text, &draft).await;
    crate::db::leases::release(pool, &lease, &handles.instance_id).await?;
    posted
}

/// Take a lease, waiting up to ten seconds for another instance to let it go.
async fn hold_lease(handles: &Handles, name: &str) -> Result<bool, ServiceError> {
    for _ in 0..20 {
        let now = handles.clock.now();
        let until = now.plus(std::time::Duration::from_secs(120));
        if crate::db::leases::try_acquire(handles.db.pool(), name, &handles.instance_id, now, until).await? {
            return Ok(true);
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    Ok(false)
}

async fn post_entry(
    handles: &Handles,
    bluesky: &Bluesky,
    account: &db::LinkedAccount,
    user_id: &UserId,
    entry_id: &str,
    text: &str,
    draft: &ShareDraft,
) -> Result<Shared, ServiceError> {
    let pool = handles.db.pool();
    let session = match bluesky.session(&account.did).await {
        Ok(session) => session,
        Err(err) => return Err(action_error(handles, &account.did, err, "text").await),
    };
    let thumb = match db::first_image(pool, user_id, entry_id).await? {
        Some(image) => match thumbnail(handles, &image.storage_key, &image.content_type).await {
            Some((bytes, mime)) => match atproto::upload_blob(&session, bytes, &mime).await {
                Ok(blob) => Some(blob),
                Err(BlueskyError::Reconnect) => {
                    return Err(action_error(handles, &account.did, BlueskyError::Reconnect, "text").await)
                }
                Err(err) => {
                    tracing::info!(error = %err, "the link card's thumbnail was not uploaded; posting without it");
                    None
                }
            },
            None => None,
        },
        None => None,
    };
    let record = post_record(text, draft, thumb, handles.clock.now());
    let input = serde_json::json!({ "repo": account.did, "collection": "app.bsky.feed.post", "record": record });
    let created = match atproto::procedure(&session, "com.atproto.repo.createRecord", input).await {
        Ok(created) => created,
        Err(err) => return Err(action_error(handles, &account.did, err, "text").await),
    };
    let (Some(uri), Some(cid)) = (created["uri"].as_str(), created["cid"].as_str()) else {
        return Err(ServiceError::field("text", "Bluesky answered without the post's address. Try again."));
    };
    let mut tx = handles.db.begin_write().await?;
    db::insert_post(&mut *tx, user_id, entry_id, uri, cid, text, handles.clock.now()).await?;
    tx.commit().await?;
    Ok(Shared { uri: uri.to_owned(), web_url: rules::post_web_url(uri) })
}

const RECONNECT_MESSAGE: &str =
    "Your Bluesky connection stopped working. Reconnect it under Settings → Connections, then try again.";

/// An action's failure as the user reads it; a grant that stopped working marks the account
/// "reconnect".
async fn action_error(handles: &Handles, did: &str, err: BlueskyError, field: &str) -> ServiceError {
    match err {
        BlueskyError::Reconnect => {
            if let Err(err) = db::set_status(handles.db.pool(), did, db::RECONNECT, handles.clock.now()).await {
                return err.into();
            }
            ServiceError::field(field, RECONNECT_MESSAGE)
        }
        other => {
            tracing::info!(error = %other, "a Bluesky action failed");
            ServiceError::field(
                field,
                "Bluesky could not be reached or refused the request, so nothing was posted. Try again in a moment.",
            )
        }
    }
}

/// The `app.bsky.feed.post` record.
fn post_record(
    text: &str,
    draft: &ShareDraft,
    thumb: Option<serde_json::Value>,
    now: crate::clock::Timestamp,
) -> serde_json::Value {
    let facets: Vec<serde_json::Value> = rules::link_facets(text)
        .into_iter()
        .map(|LinkFacet { byte_start, byte_end, uri }| {
            serde_json::json!({
                "index": { "byteStart": byte_start, "byteEnd": byte_end },
                "features": [{ "$type": "app.bsky.richtext.facet#link", "uri": uri }],
            })
        })
        .collect();
    let mut external = serde_json::json!({
        "uri": draft.link,
        "title": draft.entry.title,
        "description": description_of(&draft.entry.body, 300),
    });
    if let Some(thumb) = thumb {
        external["thumb"] = thumb;
    }
    let mut record = serde_json::json!({
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": now.rfc3339(),
        "embed": { "$type": "app.bsky.embed.external", "external": external },
    });
    if !facets.is_empty() {
        record["facets"] = facets.into();
    }
    record
}

/// Plain text from Markdown, cut to at most `max` characters.
pub fn description_of(markdown: &str, max: usize) -> String {
    crate::domain::markdown::summary(markdown, max)
}

/// The link card's thumbnail: the image as stored when it is small enough (Bluesky takes up to
/// about 1 MB), otherwise a smaller JPEG made off the runtime.
async fn thumbnail(handles: &Handles, key: &str, content_type: &str) -> Option<(Vec<u8>, String)> {
    const MAX_THUMB: usize = 950_000;
    let bytes = handles.files.get(key).await.ok()??;
    if bytes.len() <= MAX_THUMB && matches!(content_type, "image/jpeg" | "image/png" | "image/webp") {
        return Some((bytes.to_vec(), content_type.to_owned()));
    }
    tokio::task::spawn_blocking(move || {
        let image = image::load_from_memory(&bytes).ok()?;
        let small = image.thumbnail(1200, 1200);
        let mut out = std::io::Cursor::new(Vec::new());
        small.to_rgb8().write_to(&mut out, image::ImageFormat::Jpeg).ok()?;
        let out = out.into_inner();
        (out.len() <= MAX_THUMB).then(|| (out, "image/jpeg".to_owned()))
    })
    .await
    .ok()?
}

fn internal(err: BlueskyError) -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!("{err}"))
}
