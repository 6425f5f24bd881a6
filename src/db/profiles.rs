//! The profile: what a user tells about themselves, and their public username.

use serde::Serialize;
use sqlx::{Any, AnyConnection, Executor, FromRow};
use utoipa::ToSchema;

use crate::clock::Timestamp;
use crate::db::{Flag, JsonList};
use crate::domain::profile::{Language, ProfileInput, ProfileLink};
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
    /// Contact address for your resume (not necessarily the one you sign in with).
    pub email: String,
    /// The contact address is shown on your public resume. Off by default.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = bool)]
    pub email_public: Flag,
    pub phone: String,
    /// The phone number is shown on your public resume. Off by default.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = bool)]
    pub phone_public: Flag,
    /// Your website.
    pub url: String,
    /// The website is shown on your public resume. Off by default.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = bool)]
    pub url_public: Flag,
    /// Profiles elsewhere, each shown publicly only when its `public` is true.
    #[sqlx(rename = "links", try_from = "String")]
    #[schema(value_type = Vec<ProfileLink>)]
    pub profiles: JsonList<ProfileLink>,
    #[sqlx(try_from = "String")]
    #[schema(value_type = Vec<Language>)]
    pub languages: JsonList<Language>,
}

impl Profile {
    pub fn photo_url(&self) -> Option<String> {
        self.photo_upload_id.as_ref().map(|id| format!("/files/{id}"))
    }
}

const COLUMNS: &str = "username, display_name, job_title, region, bio, photo_upload_id, photo_public, resume_public, \
                       journal_public, allow_indexing, email, email_public, phone, phone_public, url, url_public, \
                       links, languages";

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
             resume_public = $8, journal_public = $9, allow_indexing = $10, updated_at = $11, email = $12,
             email_public = $13, phone = $14, phone_public = $15, url = $16, url_public = $17, links = $18,
             languages = $19
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
    .bind(&input.email)
    .bind(Flag::bind(input.email_public))
    .bind(&input.phone)
    .bind(Flag::bind(input.phone_public))
    .bind(&input.url)
    .bind(Flag::bind(input.url_public))
    .bind(JsonList::to_json(&input.profiles))
    .bind(JsonList::to_json(&input.languages))
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
    pub email: String,
    #[sqlx(try_from = "i64")]
    pub email_public: Flag,
    pub phone: String,
    #[sqlx(try_from = "i64")]
    pub phone_public: Flag,
    pub url: String,
    #[sqlx(try_from = "i64")]
    pub url_public: Flag,
    #[sqlx(rename = "links", try_from = "String")]
    pub profiles: JsonList<ProfileLink>,
    #[sqlx(try_from = "String")]
    pub languages: JsonList<Language>,
}

impl PublicProfile {
    /// The name to show: the display name, or the username (or a placeholder in a preview of a
    /// profile with neither).
    pub fn name(&self) -> &str {
        if !self.display_name.is_empty() {
            &self.display_name
        } else if !self.username.is_empty() {
            &self.username
        } else {
            "Your name"
        }
    }

    /// A profile nobody has filled in yet: what the preview shows before the first save.
    pub fn empty(user_id: UserId) -> Self {
        PublicProfile {
            user_id,
            username: String::new(),
            display_name: String::new(),
            job_title: String::new(),
            region: String::new(),
            bio: String::new(),
            photo_upload_id: None,
            photo_public: Flag::default(),
            resume_public: Flag::default(),
            journal_public: Flag::default(),
            allow_indexing: Flag::default(),
            updated_at: Timestamp(0),
            email: String::new(),
            email_public: Flag::default(),
            phone: String::new(),
            phone_public: Flag::default(),
            url: String::new(),
            url_public: Flag::default(),
            profiles: JsonList::default(),
            languages: JsonList::default(),
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

    /// The contact details to show: those the owner shows publicly, or all of them (the owner's
    /// own preview, when they ask). Nothing is shown, on the page or in JSON-LD, unless its
    /// switch is on.
    pub fn contact_details(&self, include_private: bool) -> ContactDetails {
        let shown = |value: &str, public: Flag| {
            ((include_private || public.get()) && !value.is_empty()).then(|| value.to_owned())
        };
        ContactDetails {
            email: shown(&self.email, self.email_public),
            phone: shown(&self.phone, self.phone_public),
            url: shown(&self.url, self.url_public),
            profiles: self.profiles.0.iter().filter(|p| include_private || p.public).cloned().collect(),
        }
    }

    /// The photo, only when the owner shows it publicly.
    pub fn photo_url(&self) -> Option<String> {
        self.photo_upload_id.as_ref().filter(|_| self.photo_public.get()).map(|id| format!("/files/{id}"))
    }
}

/// Contact details as a resume shows them.
#[derive(Debug, Clone, Default)]
pub struct ContactDetails {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub url: Option<String>,
    pub profiles: Vec<ProfileLink>,
}

impl ContactDetails {
    pub fn is_empty(&self) -> bool {
        self.len_shown() == 0
    }

    /// How many details are shown.
    pub fn len_shown(&self) -> usize {
        [self.email.is_some(), self.phone.is_some(), self.url.is_some()].iter().filter(|s| **s).count()
            + self.profiles.len()
    }

    /// The website as people read it: without `https://` and a trailing slash.
    pub fn url_text(&self) -> Option<String> {
        self.url
            .as_ref()
            .map(|u| u.trim_start_matches("https://").trim_start_matches("http://").trim_end_matches('/').to_owned())
    }

    /// The `tel:` link: the number's digits and a leading `+`.
    pub fn phone_href(&self) -> Option<String> {
        self.phone.as_ref().map(|p| p.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect())
    }
}

const PUBLIC_COLUMNS: &str = "user_id, username, display_name, job_title, region, bio, photo_upload_id, photo_public, \
                              resume_public, journal_public, allow_indexing, updated_at, email, email_public, phone, \
                              phone_public, url, url_public, links, languages";

/// The signed-in user's own profile in its public shape, for their private preview: it exists
/// whether or not anything is published, and even before a username is chosen (then empty).
pub async fn find_by_user_id<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<Option<PublicProfile>, sqlx::Error> {
    let columns = PUBLIC_COLUMNS.replacen("username", "COALESCE(username, '') AS username", 1);
    sqlx::query_as(&format!("SELECT {columns} FROM profiles WHERE user_id = $1")).bind(user_id).fetch_optional(ex).await
}

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

/// Start a profile with a display name (an account made by signing in elsewhere is named after
/// its handle there).
pub async fn start_with_name(
    conn: &mut AnyConnection,
    user_id: &UserId,
    display_name: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    ensure_row(&mut *conn, user_id, now).await?;
    sqlx::query("UPDATE profiles SET display_name = $2, updated_at = $3 WHERE user_id = $1 AND display_name = ''")
        .bind(user_id)
        .bind(display_name)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}
