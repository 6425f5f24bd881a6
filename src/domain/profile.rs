//! The profile as a form or the API gives it: name, job title, region, bio, the photo and
//! public-page switches, and the username the public links use.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::fields::{self, checkbox, nullable_text, set};
use crate::domain::FieldErrors;

pub const BIO_MAX: usize = 1000;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProfileDraft {
    pub username: String,
    pub display_name: String,
    pub job_title: String,
    pub region: String,
    pub bio: String,
    #[serde(deserialize_with = "checkbox")]
    pub photo_public: bool,
    #[serde(deserialize_with = "checkbox")]
    pub resume_public: bool,
    #[serde(deserialize_with = "checkbox")]
    pub journal_public: bool,
    #[serde(deserialize_with = "checkbox")]
    pub allow_indexing: bool,
}

/// The profile as the API takes it; only the fields sent change, `null` clears. A username is
/// unique (some are reserved); a public resume or journal needs one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileWrite {
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(min_length = 3, max_length = 30, pattern = r"^[A-Za-z](-?[A-Za-z0-9])+$")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 150, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub job_title: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub region: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 1000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub bio: Option<String>,
    pub photo_public: Option<bool>,
    /// Publish your resume at `/u/{username}` (needs a username).
    pub resume_public: Option<bool>,
    /// Publish your public journal entries at `/u/{username}/journal` (needs a username).
    pub journal_public: Option<bool>,
    /// Let search engines and AI agents index your public pages.
    pub allow_indexing: Option<bool>,
}

impl ProfileDraft {
    pub fn apply(&mut self, write: ProfileWrite) {
        set(&mut self.username, write.username);
        set(&mut self.display_name, write.display_name);
        set(&mut self.job_title, write.job_title);
        set(&mut self.region, write.region);
        set(&mut self.bio, write.bio);
        set(&mut self.photo_public, write.photo_public);
        set(&mut self.resume_public, write.resume_public);
        set(&mut self.journal_public, write.journal_public);
        set(&mut self.allow_indexing, write.allow_indexing);
    }

    pub fn validate(&self) -> Result<ProfileInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let username =
            if self.username.trim().is_empty() { None } else { e.check("username", fields::username(&self.username)) };
        let display_name = e.check("display_name", fields::line(&self.display_name, 100));
        let job_title = e.check("job_title", fields::line(&self.job_title, 150));
        let region = e.check("region", fields::line(&self.region, 100));
        let bio = e.check("bio", fields::text(&self.bio, BIO_MAX));
        if username.is_none() && e.get("username").is_none() && (self.resume_public || self.journal_public) {
            e.add("username", "Choose a username first: your public pages live at /u/<username>.");
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ProfileInput {
            username,
            display_name: display_name.unwrap_or_default(),
            job_title: job_title.unwrap_or_default(),
            region: region.unwrap_or_default(),
            bio: bio.unwrap_or_default(),
            photo_public: self.photo_public,
            resume_public: self.resume_public,
            journal_public: self.journal_public,
            allow_indexing: self.allow_indexing,
        })
    }
}

pub struct ProfileInput {
    pub username: Option<String>,
    pub display_name: String,
    pub job_title: String,
    pub region: String,
    pub bio: String,
    pub photo_public: bool,
    pub resume_public: bool,
    pub journal_public: bool,
    pub allow_indexing: bool,
}
