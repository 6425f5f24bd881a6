//! The profile: what a user tells about themselves, and their public username.

use serde::Serialize;
use sqlx::{Any, AnyConnection, Executor, FromRow};
use utoipa::ToSchema;

use crate::clock::Timestamp;
use crate::db::Flag;
use crate::domain::profile::ProfileInput;
use crate::domain::UserId;

#[derive(Debug, Clone, Default, FromRow, Serialize, ToSchema)]
pub struct Profile {
    /// Unique; used in your public links. Lower case letters, digits and hyphens.
    #[schema(pattern = r"^[a-z](-?[a-z0-9])+$")]
    pub username: Option<String>,
    pub display_name: String,
    pub job_title: String,
    /// State or region.
    pub region: String,
    /// A short bio.
    pub bio: String,
    #[serde(skip)]
    pub photo_upload_id: Option<String>,
    /// Whether the photo may be shown on your public pages.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = bool)]
    pub photo_public: Flag,
    /// Your resume is public at `/u/{username}`. Off by default.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = bool)]
    pub resume_public: Flag,
    /// Your public journal entries are listed at `/u/{username}/journal`. Off by default.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = bool)]
    pub journal_public: Flag,
    /// Search engines and AI agents may index your public pages. Off by default.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = bool)]
    pub allow_indexing: Flag,
}

impl Profile {
    pub fn photo_url(&self) -> Option<String> {
        self.photo_upload_id.as_ref().map(|id| format!("/files/{id}"))
    }
}

const COLUMNS: &str = "username, display_name, job_title, region, bio, photo_upload_id, photo_public, resume_public, \
                       journal_public, allow_indexing";

/// The user's profile; an empty one when they have not filled it in.
pub async fn get<'e>(ex: impl Executor<'e, Database = Any>, user_id: &UserId) -> Result<Profile, sqlx::Error> {
    let found: Option<Profile> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM profiles WHERE user_id = $1"))
        .bind(user_id)
        .fetch_optional(ex)
        .await?;
    Ok(found.unwrap_or_default())
}

async fn ensure_row(conn: &mut AnyConnection, user_id: &UserId, now: Timestamp) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO profiles (user_id, updated_at) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING")
        .bind(user_id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Save the profile's fields. A username someone else has is a unique violation.
pub async fn save(
    conn: &mut AnyConnection,
    user_id: &UserId,
    input: &ProfileInput,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    ensure_row(&mut *conn, user_id, now).await?;
    sqlx::query(
        "UPDATE profiles SET username = $2, display_name = $3, job_title = $4, region = $5, bio = $6, photo_public = $7,
             resume_public = $8, journal_public = $9, allow_indexing = $10, updated_at = $11
         WHERE user_id = $1",
    )
    .bind(user_id)
    .bind(input.username.as_deref())
    .bind(&input.display_name)
    .bind(&input.job_title)
    .bind(&input.region)
    .bind(&input.bio)
    .bind(Flag::bind(input.photo_public))
    .bind(Flag::bind(input.resume_public))
    .bind(Flag::bind(input.journal_public))
    .bind(Flag::bind(input.allow_indexing))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Point the profile at a new photo; returns the previous photo's upload id.
pub async fn set_photo(
    conn: &mut AnyConnection,
    user_id: &UserId,
    upload_id: Option<&str>,
    now: Timestamp,
) -> Result<Option<String>, sqlx::Error> {
    ensure_row(&mut *conn, user_id, now).await?;
    let previous: Option<String> = sqlx::query_scalar("SELECT photo_upload_id FROM profiles WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query("UPDATE profiles SET photo_upload_id = $2, updated_at = $3 WHERE user_id = $1")
        .bind(user_id)
        .bind(upload_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(previous)
}

/// Is `upload_id` a photo its owner shows on public pages that are turned on?
pub async fn photo_is_public<'e>(ex: impl Executor<'e, Database = Any>, upload_id: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM profiles WHERE photo_upload_id = $1 AND photo_public = 1
             AND (resume_public = 1 OR journal_public = 1)",
    )
    .bind(upload_id)
    .fetch_optional(ex)
    .await?;
    Ok(found.is_some())
}

/// A profile found by its public username, with its owner's id: for public pages.
#[derive(Debug, Clone, FromRow)]
pub struct PublicProfile {
    #[sqlx(try_from = "String")]
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub job_title: String,
    pub region: String,
    pub bio: String,
    pub photo_upload_id: Option<String>,
    #[sqlx(try_from = "i64")]
    pub photo_public: Flag,
    #[sqlx(try_from = "i64")]
    pub resume_public: Flag,
    #[sqlx(try_from = "i64")]
    pub journal_public: Flag,
    #[sqlx(try_from = "i64")]
    pub allow_indexing: Flag,
    pub updated_at: Timestamp,
}

impl PublicProfile {
    /// The name to show: the display name, or the username.
    pub fn name(&self) -> &str {
        if self.display_name.is_empty() {
            &self.username
        } else {
            &self.display_name
        }
    }

    /// The page that stands for this person: the resume, or the journal when only it is public.
    pub fn home_path(&self) -> String {
        if self.resume_public.get() {
            format!("/u/{}", self.username)
        } else {
            format!("/u/{}/journal", self.username)
        }
    }

    /// The photo, only when the owner shows it publicly.
    pub fn photo_url(&self) -> Option<String> {
        self.photo_upload_id.as_ref().filter(|_| self.photo_public.get()).map(|id| format!("/files/{id}"))
    }
}

const PUBLIC_COLUMNS: &str = "user_id, username, display_name, job_title, region, bio, photo_upload_id, photo_public, \
                              resume_public, journal_public, allow_indexing, updated_at";

pub async fn find_by_username<'e>(
    ex: impl Executor<'e, Database = Any>,
    username: &str,
) -> Result<Option<PublicProfile>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {PUBLIC_COLUMNS} FROM profiles WHERE username = $1"))
        .bind(username.to_ascii_lowercase())
        .fetch_optional(ex)
        .await
}

/// Profiles with some public page and indexing allowed: for the sitemap.
pub async fn indexable<'e>(ex: impl Executor<'e, Database = Any>) -> Result<Vec<PublicProfile>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {PUBLIC_COLUMNS} FROM profiles
         WHERE allow_indexing = 1 AND username IS NOT NULL AND (resume_public = 1 OR journal_public = 1)
         ORDER BY username LIMIT 50000"
    ))
    .fetch_all(ex)
    .await
}

/// `(username, slug, updated_at)` of public journal entries whose owners publish their journal
/// and allow indexing: for the sitemap, in one query.
pub async fn indexable_entries<'e>(
    ex: impl Executor<'e, Database = Any>,
    limit: i64,
) -> Result<Vec<(String, String, Timestamp)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.username, e.slug, e.updated_at FROM journal_entries e JOIN profiles p ON p.user_id = e.user_id
         WHERE e.is_public = 1 AND p.journal_public = 1 AND p.allow_indexing = 1 AND p.username IS NOT NULL
         ORDER BY p.username, e.entry_date DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(ex)
    .await
}
