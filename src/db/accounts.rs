//! Users, email verification links and password reset links.

use sqlx::{Any, Executor, FromRow};

use crate::clock::Timestamp;
use crate::domain::Email;
use crate::domain::UserId;

#[derive(Debug, Clone, FromRow)]
pub struct User {
    #[sqlx(try_from = "String")]
    pub id: UserId,
    pub email: Option<String>,
    pub email_verified_at: Option<Timestamp>,
    pub password_hash: Option<String>,
    pub is_admin: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The IANA zone the user reads times in; empty until known.
    pub time_zone: String,
    /// The currency salaries are in when none is typed (three upper-case letters), if chosen.
    pub default_currency: Option<String>,
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.is_admin != 0
    }
    pub fn is_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }
    /// An address and a password: a way in that needs no other service (an account made by
    /// signing in with Bluesky has neither until it adds them).
    pub fn can_sign_in_with_password(&self) -> bool {
        self.email.is_some() && self.password_hash.is_some()
    }
}

const USER_COLUMNS: &str =
    "id, email, email_verified_at, password_hash, is_admin, created_at, updated_at, time_zone, default_currency";

pub struct NewUser<'a> {
    pub email: &'a Email,
    pub password_hash: &'a str,
    pub is_admin: bool,
    pub verified: bool,
}

/// Insert a user. A taken email address comes back as a unique violation (see `db::is_unique_violation`).
pub async fn insert_user<'e>(
    ex: impl Executor<'e, Database = Any>,
    new: NewUser<'_>,
    now: Timestamp,
) -> Result<User, sqlx::Error> {
    let id = UserId::generate();
    sqlx::query(
        "INSERT INTO users (id, email, email_verified_at, password_hash, is_admin, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(new.email.as_str())
    .bind(new.verified.then_some(now))
    .bind(new.password_hash)
    .bind(i64::from(new.is_admin))
    .bind(now)
    .execute(ex)
    .await?;
    Ok(User {
        id,
        email: Some(new.email.as_str().to_owned()),
        email_verified_at: new.verified.then_some(now),
        password_hash: Some(new.password_hash.to_owned()),
        is_admin: i64::from(new.is_admin),
        created_at: now,
        updated_at: now,
        time_zone: String::new(),
        default_currency: None,
    })
}

/// Keep the time zone the user reads times in (an IANA name, checked by the caller).
pub async fn set_time_zone<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &UserId,
    zone: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET time_zone = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(zone)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

/// Keep the currency salaries are in when none is typed (checked by the caller).
pub async fn set_default_currency<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &UserId,
    code: Option<&str>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET default_currency = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(code)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

/// Keep the user's reading preferences: the time zone (`""` when unknown) and the default
/// currency (checked by the caller).
pub async fn set_preferences<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: &UserId,
    time_zone: &str,
    default_currency: Option<&str>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET time_zone = $2, default_currency = $3, updated_at = $4 WHERE id = $1")
        .bind(id)
        .bind(time_zone)
        .bind(default_currency)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn find_by_id<'e>(ex: impl Executor<'e, Database = Any>, id: &UserId) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn find_by_email<'e>(
    ex: impl Executor<'e, Database = Any>,
    email: &Email,
) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"))
        .bind(email.as_str())
        .fetch_optional(ex)
        .await
}

pub async fn set_password_hash<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    password_hash: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(now)
        .bind(user_id)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn mark_email_verified<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    email: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    // Only if the address is still the one the link was sent to.
    let done = sqlx::query("UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1), updated_at = $1 WHERE id = $2 AND email = $3")
        .bind(now)
        .bind(user_id)
        .bind(email)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A single-use link token, stored only as its hash.
#[derive(Debug, Clone, FromRow)]
pub struct LinkToken {
    pub token_hash: String,
    #[sqlx(try_from = "String")]
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

/// Which single-use link table a token lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    EmailVerification,
    PasswordReset,
    /// A change of sign-in address, mailed to the new address.
    EmailChange,
}

impl LinkKind {
    fn table(self) -> &'static str {
        match self {
            LinkKind::EmailVerification => "email_verifications",
            LinkKind::PasswordReset => "password_resets",
            LinkKind::EmailChange => "email_changes",
        }
    }
}

pub async fn insert_email_verification<'e>(
    ex: impl Executor<'e, Database = Any>,
    token_hash: &str,
    user_id: &UserId,
    email: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO email_verifications (token_hash, user_id, email, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(email)
    .bind(now)
    .bind(expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn insert_password_reset<'e>(
    ex: impl Executor<'e, Database = Any>,
    token_hash: &str,
    user_id: &UserId,
    email: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO password_resets (token_hash, user_id, email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(email)
    .bind(now)
    .bind(expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

/// The address a password reset link was sent to.
pub async fn reset_email<'e>(
    ex: impl Executor<'e, Database = Any>,
    token_hash: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT email FROM password_resets WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(ex)
        .await
}

pub async fn find_link<'e>(
    ex: impl Executor<'e, Database = Any>,
    kind: LinkKind,
    token_hash: &str,
) -> Result<Option<LinkToken>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT token_hash, user_id, created_at, expires_at, used_at FROM {} WHERE token_hash = $1",
        kind.table()
    ))
    .bind(token_hash)
    .fetch_optional(ex)
    .await
}

/// The address an email verification link was sent to.
pub async fn verification_email<'e>(
    ex: impl Executor<'e, Database = Any>,
    token_hash: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT email FROM email_verifications WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(ex)
        .await
}

/// Mark a link used, if it is still unused and unexpired. Returns whether this call used it,
/// so two concurrent clicks cannot both succeed.
pub async fn consume_link<'e>(
    ex: impl Executor<'e, Database = Any>,
    kind: LinkKind,
    token_hash: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(&format!(
        "UPDATE {} SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
        kind.table()
    ))
    .bind(now)
    .bind(token_hash)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Retire every other unused link of this kind for the user (a newer link replaces older ones).
pub async fn retire_links<'e>(
    ex: impl Executor<'e, Database = Any>,
    kind: LinkKind,
    user_id: &UserId,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("UPDATE {} SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL", kind.table()))
        .bind(now)
        .bind(user_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Delete links past their expiry (used or not). Returns how many went.
pub async fn delete_expired_links<'e>(
    ex: impl Executor<'e, Database = Any>,
    kind: LinkKind,
    now: Timestamp,
) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query(&format!("DELETE FROM {} WHERE expires_at <= $1", kind.table())).bind(now).execute(ex).await?;
    Ok(done.rows_affected())
}

pub async fn delete_expired_oauth_requests<'e>(
    ex: impl Executor<'e, Database = Any>,
    now: Timestamp,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM oauth_requests WHERE expires_at <= $1").bind(now).execute(ex).await?;
    Ok(done.rows_affected())
}

/// The address a link of any kind was sent to.
pub async fn link_email<'e>(
    ex: impl Executor<'e, Database = Any>,
    kind: LinkKind,
    token_hash: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(&format!("SELECT email FROM {} WHERE token_hash = $1", kind.table()))
        .bind(token_hash)
        .fetch_optional(ex)
        .await
}

pub async fn insert_email_change<'e>(
    ex: impl Executor<'e, Database = Any>,
    token_hash: &str,
    user_id: &UserId,
    new_email: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO email_changes (token_hash, user_id, email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(new_email)
    .bind(now)
    .bind(expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

/// Make `email` the account's sign-in address, proven (it came from a link mailed to it). A
/// taken address comes back as a unique violation.
pub async fn set_email<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    email: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET email = $2, email_verified_at = $3, updated_at = $3 WHERE id = $1")
        .bind(user_id)
        .bind(email)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

/// A user who signed in with another service (Bluesky): no address and no password yet; they
/// may add both later.
pub async fn insert_user_without_email<'e>(
    ex: impl Executor<'e, Database = Any>,
    now: Timestamp,
) -> Result<UserId, sqlx::Error> {
    let id = UserId::generate();
    sqlx::query(
        "INSERT INTO users (id, email, email_verified_at, password_hash, is_admin, created_at, updated_at)
         VALUES ($1, NULL, NULL, NULL, 0, $2, $2)",
    )
    .bind(&id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(id)
}

/// An account made by signing in with an OpenID Connect provider that vouched for the address:
/// the address is verified, and there is no password until the user sets one.
pub async fn insert_user_with_verified_email<'e>(
    ex: impl Executor<'e, Database = Any>,
    email: &Email,
    now: Timestamp,
) -> Result<UserId, sqlx::Error> {
    let id = UserId::generate();
    sqlx::query(
        "INSERT INTO users (id, email, email_verified_at, password_hash, is_admin, created_at, updated_at)
         VALUES ($1, $2, $3, NULL, 0, $3, $3)",
    )
    .bind(&id)
    .bind(email.as_str())
    .bind(now)
    .execute(ex)
    .await?;
    Ok(id)
}
