//! OpenID Connect: authorization requests in flight (the `oauth_requests` rows, whatever the
//! provider: Bluesky's store uses these too) and the identities linked to accounts, keyed on
//! issuer + subject.

use sqlx::{Any, Executor, FromRow};

use crate::clock::Timestamp;
use crate::domain::UserId;

/// The `provider` of a request row for a configured provider's name.
pub fn request_kind(name: &str) -> String {
    format!("oidc:{name}")
}

/// A sign-in that found an existing account by a verified address, waiting for that account's
/// owner to confirm the link while signed in.
pub const PENDING_LINK: &str = "oidc-pending-link";

pub async fn insert_request<'e>(
    ex: impl Executor<'e, Database = Any>,
    state_hash: &str,
    kind: &str,
    user_id: Option<&UserId>,
    payload: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO oauth_requests (state_hash, provider, user_id, payload, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(state_hash)
    .bind(kind)
    .bind(user_id)
    .bind(payload)
    .bind(now)
    .bind(expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

/// Take a request once: it is deleted as it is read, so a code can finish it at most once.
pub async fn take_request<'e>(
    ex: impl Executor<'e, Database = Any>,
    state_hash: &str,
    kind: &str,
    now: Timestamp,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "DELETE FROM oauth_requests WHERE state_hash = $1 AND provider = $2 AND expires_at > $3 RETURNING payload",
    )
    .bind(state_hash)
    .bind(kind)
    .bind(now)
    .fetch_optional(ex)
    .await
}

/// Read a request without using it up.
pub async fn peek_request<'e>(
    ex: impl Executor<'e, Database = Any>,
    state_hash: &str,
    kind: &str,
    now: Timestamp,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT payload FROM oauth_requests WHERE state_hash = $1 AND provider = $2 AND expires_at > $3")
        .bind(state_hash)
        .bind(kind)
        .bind(now)
        .fetch_optional(ex)
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct LinkedIdentity {
    pub id: String,
    #[sqlx(try_from = "String")]
    pub user_id: UserId,
    pub provider: String,
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: i64,
    pub name: Option<String>,
    pub picture_url: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const COLUMNS: &str =
    "id, user_id, provider, issuer, subject, email, email_verified, name, picture_url, created_at, updated_at";

/// What a provider said of someone, to keep.
pub struct IdentityFields<'a> {
    pub provider: &'a str,
    pub issuer: &'a str,
    pub subject: &'a str,
    pub email: Option<&'a str>,
    pub email_verified: bool,
    pub name: Option<&'a str>,
    pub picture_url: Option<&'a str>,
}

pub async fn by_subject<'e>(
    ex: impl Executor<'e, Database = Any>,
    issuer: &str,
    subject: &str,
) -> Result<Option<LinkedIdentity>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM oidc_identities WHERE issuer = $1 AND subject = $2"))
        .bind(issuer)
        .bind(subject)
        .fetch_optional(ex)
        .await
}

pub async fn of_user<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<Vec<LinkedIdentity>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM oidc_identities WHERE user_id = $1 ORDER BY provider, created_at"))
        .bind(user_id)
        .fetch_all(ex)
        .await
}

pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    fields: &IdentityFields<'_>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO oidc_identities (id, user_id, provider, issuer, subject, email, email_verified, name, \
         picture_url, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(crate::db::new_id())
    .bind(user_id)
    .bind(fields.provider)
    .bind(fields.issuer)
    .bind(fields.subject)
    .bind(fields.email)
    .bind(i64::from(fields.email_verified))
    .bind(fields.name)
    .bind(fields.picture_url)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Keep the profile fields as the provider sent them this time.
pub async fn refresh<'e>(
    ex: impl Executor<'e, Database = Any>,
    fields: &IdentityFields<'_>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE oidc_identities SET email = $1, email_verified = $2, name = $3, picture_url = $4, updated_at = $5 \
         WHERE issuer = $6 AND subject = $7",
    )
    .bind(fields.email)
    .bind(i64::from(fields.email_verified))
    .bind(fields.name)
    .bind(fields.picture_url)
    .bind(now)
    .bind(fields.issuer)
    .bind(fields.subject)
    .execute(ex)
    .await?;
    Ok(())
}

/// Unlink: the row is deleted, with everything the provider said.
pub async fn delete<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    provider: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM oidc_identities WHERE user_id = $1 AND provider = $2")
        .bind(user_id)
        .bind(provider)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() > 0)
}
