//! Bluesky: OAuth requests in flight, sealed OAuth sessions, linked accounts, shared posts and
//! the standard.site documents to publish.

use sqlx::{Any, Executor, FromRow};

use crate::clock::Timestamp;
use crate::domain::UserId;

pub const PROVIDER: &str = "bluesky";
pub const CONNECTED: &str = "connected";
pub const RECONNECT: &str = "reconnect";

// --- OAuth requests (the `oauth_requests` table, shared with other providers) ---

pub async fn insert_request<'e>(
    ex: impl Executor<'e, Database = Any>,
    state_hash: &str,
    user_id: Option<&UserId>,
    payload: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), sqlx::Error> {
    crate::db::oidc::insert_request(ex, state_hash, PROVIDER, user_id, payload, now, expires_at).await
}

/// A request's sealed payload while it has not expired (an expired one is as good as gone,
/// whether or not housekeeping removed it yet).
pub async fn find_request<'e>(
    ex: impl Executor<'e, Database = Any>,
    state_hash: &str,
    now: Timestamp,
) -> Result<Option<String>, sqlx::Error> {
    crate::db::oidc::peek_request(ex, state_hash, PROVIDER, now).await
}

pub async fn delete_request<'e>(ex: impl Executor<'e, Database = Any>, state_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM oauth_requests WHERE state_hash = $1").bind(state_hash).execute(ex).await?;
    Ok(())
}

// --- Sealed sessions ---

#[derive(Debug, Clone, FromRow)]
pub struct SealedSession {
    pub sealed: String,
    pub key_id: String,
}

pub async fn find_session<'e>(
    ex: impl Executor<'e, Database = Any>,
    did: &str,
) -> Result<Option<SealedSession>, sqlx::Error> {
    sqlx::query_as("SELECT sealed, key_id FROM bluesky_sessions WHERE did = $1").bind(did).fetch_optional(ex).await
}

/// Keep a session: a new one has no owner yet ([`claim_session`] gives it one).
pub async fn upsert_session<'e>(
    ex: impl Executor<'e, Database = Any>,
    did: &str,
    sealed: &str,
    key_id: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO bluesky_sessions (did, user_id, sealed, key_id, created_at, updated_at)
         VALUES ($1, NULL, $2, $3, $4, $4)
         ON CONFLICT (did) DO UPDATE SET sealed = excluded.sealed, key_id = excluded.key_id, updated_at = excluded.updated_at",
    )
    .bind(did)
    .bind(sealed)
    .bind(key_id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn delete_session<'e>(ex: impl Executor<'e, Database = Any>, did: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM bluesky_sessions WHERE did = $1").bind(did).execute(ex).await?;
    Ok(())
}

pub async fn claim_session<'e>(
    ex: impl Executor<'e, Database = Any>,
    did: &str,
    user_id: &UserId,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE bluesky_sessions SET user_id = $2 WHERE did = $1").bind(did).bind(user_id).execute(ex).await?;
    Ok(())
}

/// Sessions no account took within `before` (a sign-in that failed after the code exchange).
pub async fn delete_unclaimed_sessions<'e>(
    ex: impl Executor<'e, Database = Any>,
    before: Timestamp,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM bluesky_sessions WHERE user_id IS NULL AND updated_at <= $1")
        .bind(before)
        .execute(ex)
        .await?;
    Ok(done.rows_affected())
}

// --- Linked accounts ---

#[derive(Debug, Clone, FromRow)]
pub struct LinkedAccount {
    pub did: String,
    #[sqlx(try_from = "String")]
    pub user_id: UserId,
    pub handle: String,
    pub pds_url: String,
    pub avatar_url: Option<String>,
    pub status: String,
    pub publishing: i64,
    pub publication_uri: Option<String>,
    pub publication_error: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl LinkedAccount {
    pub fn needs_reconnect(&self) -> bool {
        self.status == RECONNECT
    }
    pub fn publishing(&self) -> bool {
        self.publishing != 0
    }
}

const ACCOUNT_COLUMNS: &str = "did, user_id, handle, pds_url, avatar_url, status, publishing, publication_uri, \
                               publication_error, created_at, updated_at";

pub async fn account_of_user<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<Option<LinkedAccount>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {ACCOUNT_COLUMNS} FROM bluesky_accounts WHERE user_id = $1"))
        .bind(user_id)
        .fetch_optional(ex)
        .await
}

pub async fn account_by_did<'e>(
    ex: impl Executor<'e, Database = Any>,
    did: &str,
) -> Result<Option<LinkedAccount>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {ACCOUNT_COLUMNS} FROM bluesky_accounts WHERE did = $1"))
        .bind(did)
        .fetch_optional(ex)
        .await
}

pub struct NewLink<'a> {
    pub did: &'a str,
    pub user_id: &'a UserId,
    pub handle: &'a str,
    pub pds_url: &'a str,
    pub avatar_url: Option<&'a str>,
}

pub async fn insert_account<'e>(
    ex: impl Executor<'e, Database = Any>,
    link: &NewLink<'_>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO bluesky_accounts (did, user_id, handle, pds_url, avatar_url, status, publishing, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7)",
    )
    .bind(link.did)
    .bind(link.user_id)
    .bind(link.handle)
    .bind(link.pds_url)
    .bind(link.avatar_url)
    .bind(CONNECTED)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// A new sign-in at Bluesky for an account already linked: fresh handle and PDS, connected again.
pub async fn refresh_account<'e>(
    ex: impl Executor<'e, Database = Any>,
    link: &NewLink<'_>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE bluesky_accounts SET handle = $3, pds_url = $4, avatar_url = COALESCE($5, avatar_url), status = $6,
                publication_error = NULL,
                updated_at = $7
         WHERE did = $1 AND user_id = $2",
    )
    .bind(link.did)
    .bind(link.user_id)
    .bind(link.handle)
    .bind(link.pds_url)
    .bind(link.avatar_url)
    .bind(CONNECTED)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn set_status<'e>(
    ex: impl Executor<'e, Database = Any>,
    did: &str,
    status: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE bluesky_accounts SET status = $2, updated_at = $3 WHERE did = $1")
        .bind(did)
        .bind(status)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

/// Everything Careerlog keeps of a user's Bluesky account: the link, its session (tokens and
/// DPoP key), the posts' addresses and the publishing state (promise 13). Answers the rows
/// removed.
pub async fn delete_everything_of_user(conn: &mut sqlx::AnyConnection, user_id: &UserId) -> Result<u64, sqlx::Error> {
    let mut deleted = 0;
    for table in ["standard_site_documents", "bluesky_posts", "bluesky_accounts", "bluesky_sessions"] {
        deleted += sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
            .bind(user_id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(deleted)
}

// --- Shared posts ---

#[derive(Debug, Clone, FromRow)]
pub struct SharedPost {
    pub id: String,
    pub uri: String,
    pub post_text: String,
    pub created_at: Timestamp,
}

pub async fn insert_post<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    entry_id: &str,
    uri: &str,
    cid: &str,
    text: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO bluesky_posts (id, user_id, entry_id, uri, cid, post_text, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(crate::db::new_id())
    .bind(user_id)
    .bind(entry_id)
    .bind(uri)
    .bind(cid)
    .bind(text)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// The posts an entry was shared as, newest first (a handful at most).
pub async fn posts_of_entry<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    entry_id: &str,
) -> Result<Vec<SharedPost>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, uri, post_text, created_at FROM bluesky_posts WHERE user_id = $1 AND entry_id = $2
         ORDER BY created_at DESC, id DESC LIMIT 20",
    )
    .bind(user_id)
    .bind(entry_id)
    .fetch_all(ex)
    .await
}

// --- What is public, for links and standard.site ---

/// A journal entry as the public sees it: only when the entry is public, the journal is public
/// and the owner has a username (otherwise nobody can open its link).
#[derive(Debug, Clone, FromRow)]
pub struct PublicEntry {
    pub id: String,
    pub username: String,
    pub slug: String,
    pub title: String,
    pub body: String,
    pub entry_date: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const PUBLIC_ENTRY: &str = "SELECT j.id, p.username, j.slug, j.title, j.body, j.entry_date, j.created_at, j.updated_at
     FROM journal_entries j JOIN profiles p ON p.user_id = j.user_id
     WHERE j.user_id = $1 AND j.is_public = 1 AND p.journal_public = 1 AND p.username IS NOT NULL";

pub async fn public_entry<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    entry_id: &str,
) -> Result<Option<PublicEntry>, sqlx::Error> {
    sqlx::query_as(&format!("{PUBLIC_ENTRY} AND j.id = $2")).bind(user_id).bind(entry_id).fetch_optional(ex).await
}

/// An entry's first image, for a link card: its id (the composer's preview), storage key and
/// type (the thumbnail uploaded with the post).
#[derive(Debug, Clone, FromRow)]
pub struct FirstImage {
    pub id: String,
    pub storage_key: String,
    pub content_type: String,
}

pub async fn first_image<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    entry_id: &str,
) -> Result<Option<FirstImage>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, storage_key, content_type FROM uploads WHERE user_id = $1 AND journal_entry_id = $2
         ORDER BY created_at, id LIMIT 1",
    )
    .bind(user_id)
    .bind(entry_id)
    .fetch_optional(ex)
    .await
}

// --- standard.site publishing ---

pub async fn set_publishing<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    on: bool,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE bluesky_accounts SET publishing = $2, publication_error = NULL, updated_at = $3 WHERE user_id = $1",
    )
    .bind(user_id)
    .bind(i64::from(on))
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_publication<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    uri: Option<&str>,
    error: Option<&str>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE bluesky_accounts SET publication_uri = COALESCE($2, publication_uri), publication_error = $3,
                updated_at = $4
         WHERE user_id = $1",
    )
    .bind(user_id)
    .bind(uri)
    .bind(error)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn forget_publication<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE bluesky_accounts SET publication_uri = NULL, publication_error = NULL WHERE user_id = $1")
        .bind(user_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Accounts that publish (or have something published to take down: documents, or the
/// publication itself once its documents are gone), for the publisher.
pub async fn publishing_accounts<'e>(ex: impl Executor<'e, Database = Any>) -> Result<Vec<LinkedAccount>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM bluesky_accounts a
         WHERE a.status = $1 AND (a.publishing = 1 OR a.publication_uri IS NOT NULL
             OR EXISTS (SELECT 1 FROM standard_site_documents d WHERE d.user_id = a.user_id))
         ORDER BY a.did LIMIT 500"
    ))
    .bind(CONNECTED)
    .fetch_all(ex)
    .await
}

/// The user's public entries (at most `limit`), for the publisher to compare with what it wrote.
pub async fn public_entries<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    limit: i64,
) -> Result<Vec<PublicEntry>, sqlx::Error> {
    sqlx::query_as(&format!("{PUBLIC_ENTRY} ORDER BY j.entry_date DESC, j.id LIMIT $2"))
        .bind(user_id)
        .bind(limit)
        .fetch_all(ex)
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct PublishedDocument {
    pub entry_id: String,
    pub record_key: String,
    pub uri: Option<String>,
    pub synced_at: Timestamp,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
}

pub async fn documents_of_user<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<Vec<PublishedDocument>, sqlx::Error> {
    sqlx::query_as(
        "SELECT entry_id, record_key, uri, synced_at, attempts, next_attempt_at, last_error
         FROM standard_site_documents WHERE user_id = $1 ORDER BY entry_id LIMIT 2000",
    )
    .bind(user_id)
    .fetch_all(ex)
    .await
}

/// The document record's AT-URI of a public entry, for its page's `<link>`.
pub async fn document_uri<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    entry_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT uri FROM standard_site_documents WHERE user_id = $1 AND entry_id = $2 AND uri IS NOT NULL",
    )
    .bind(user_id)
    .bind(entry_id)
    .fetch_optional(ex)
    .await
}

pub async fn document_written<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    entry_id: &str,
    record_key: &str,
    uri: &str,
    synced_at: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO standard_site_documents (entry_id, user_id, record_key, uri, wanted_at, synced_at, attempts, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $5, 0, 0)
         ON CONFLICT (entry_id) DO UPDATE SET uri = excluded.uri, record_key = excluded.record_key,
             synced_at = excluded.synced_at, wanted_at = excluded.wanted_at, attempts = 0, next_attempt_at = 0,
             last_error = NULL",
    )
    .bind(entry_id)
    .bind(user_id)
    .bind(record_key)
    .bind(uri)
    .bind(synced_at)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn document_failed<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    entry_id: &str,
    record_key: &str,
    error: &str,
    next_attempt_at: Timestamp,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO standard_site_documents (entry_id, user_id, record_key, uri, wanted_at, synced_at, attempts, next_attempt_at, last_error)
         VALUES ($1, $2, $3, NULL, $4, 0, 1, $5, $6)
         ON CONFLICT (entry_id) DO UPDATE SET attempts = standard_site_documents.attempts + 1,
             next_attempt_at = excluded.next_attempt_at, last_error = excluded.last_error",
    )
    .bind(entry_id)
    .bind(user_id)
    .bind(record_key)
    .bind(now)
    .bind(next_attempt_at)
    .bind(error)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn document_removed<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    entry_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM standard_site_documents WHERE user_id = $1 AND entry_id = $2")
        .bind(user_id)
        .bind(entry_id)
        .execute(ex)
        .await?;
    Ok(())
}
