//! The profile as a form or the API gives it: name, job title, region, bio, the photo and
//! public-page switches, the username the public links use, and what a resume needs to be sent:
//! contact details (each with its own public switch, off by default), profile links and
//! languages. Names follow JSON Resume's `basics` (`email`, `phone`, `url`, `profiles`) and
//! `languages`, so an import or export maps one to one.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::fields::{self, checkbox, nullable_text, set};
use crate::domain::{Email, FieldErrors};

pub const BIO_MAX: usize = 1000;
pub const PROFILE_LINKS_MAX: usize = 10;
pub const LANGUAGES_MAX: usize = 20;
/// Blank rows the form offers below the filled ones.
pub const BLANK_ROWS: usize = 2;

/// A profile elsewhere (JSON Resume `basics.profiles[]`), shown publicly only when `public`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileLink {
    /// The site, e.g. GitHub, LinkedIn, Bluesky.
    #[schema(min_length = 1, max_length = 40, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub network: String,
    #[serde(default)]
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub username: String,
    /// An http(s) link to the profile.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub url: String,
    /// Show this link on your public resume. Off by default.
    #[serde(default)]
    pub public: bool,
}

/// A language and how well you speak it (JSON Resume `languages[]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Language {
    #[schema(min_length = 1, max_length = 60, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub language: String,
    /// E.g. "Native speaker", "Professional working proficiency", "C1".
    #[serde(default)]
    #[schema(max_length = 60, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub fluency: String,
}

/// Levels the form suggests; any short text is accepted (JSON Resume leaves it free).
pub const FLUENCY_SUGGESTIONS: &[&str] = &[
    "Native or bilingual",
    "Full professional proficiency",
    "Professional working proficiency",
    "Limited working proficiency",
    "Elementary proficiency",
];

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
    /// The contact address for the resume (not necessarily the sign-in address).
    pub email: String,
    #[serde(deserialize_with = "checkbox")]
    pub email_public: bool,
    pub phone: String,
    #[serde(deserialize_with = "checkbox")]
    pub phone_public: bool,
    /// A personal website.
    pub url: String,
    #[serde(deserialize_with = "checkbox")]
    pub url_public: bool,
    /// Rows of the form's repeated groups (`link{n}_…`, `language{n}_…`), read by
    /// [`ProfileDraft::read_rows`].
    #[serde(skip)]
    pub profiles: Vec<ProfileLink>,
    #[serde(skip)]
    pub languages: Vec<Language>,
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
    /// Contact address for your resume (not your sign-in address). `null` clears it.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(format = Email)]
    pub email: Option<String>,
    /// Show the contact address on your public resume. Off by default.
    pub email_public: Option<bool>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 40, pattern = r"^[0-9 +().-]*$")]
    pub phone: Option<String>,
    /// Show the phone number on your public resume. Off by default.
    pub phone_public: Option<bool>,
    /// Your website.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::web_link_input)]
    pub url: Option<String>,
    /// Show the website on your public resume. Off by default.
    pub url_public: Option<bool>,
    /// Profiles elsewhere; the list given replaces the stored one (`null` or `[]` clears it).
    #[serde(default, deserialize_with = "nullable_items")]
    #[schema(max_items = 10)]
    pub profiles: Option<Vec<ProfileLink>>,
    /// Languages you speak; the list given replaces the stored one (`null` or `[]` clears it).
    #[serde(default, deserialize_with = "nullable_items")]
    #[schema(max_items = 20)]
    pub languages: Option<Vec<Language>>,
}

/// A JSON list of items that may be cleared with `null`.
fn nullable_items<'de, D, T>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Some(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default()))
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
        set(&mut self.email, write.email);
        set(&mut self.email_public, write.email_public);
        set(&mut self.phone, write.phone);
        set(&mut self.phone_public, write.phone_public);
        set(&mut self.url, write.url);
        set(&mut self.url_public, write.url_public);
        set(&mut self.profiles, write.profiles);
        set(&mut self.languages, write.languages);
    }

    /// Read the form's repeated rows: `link{n}_network`, `link{n}_username`, `link{n}_url`,
    /// `link{n}_public`, `language{n}_name`, `language{n}_fluency`. Rows left blank are dropped;
    /// rows are kept in the order of their numbers. Numbers beyond the limits are ignored.
    pub fn read_rows(&mut self, pairs: &[(String, String)]) {
        let mut links: Vec<ProfileLink> = vec![ProfileLink::default(); PROFILE_LINKS_MAX + BLANK_ROWS];
        let mut languages: Vec<Language> = vec![Language::default(); LANGUAGES_MAX + BLANK_ROWS];
        for (key, value) in pairs {
            if let Some((n, field)) = row_key(key, "link") {
                if let Some(link) = links.get_mut(n) {
                    match field {
                        "network" => link.network = value.clone(),
                        "username" => link.username = value.clone(),
                        "url" => link.url = value.clone(),
                        "public" => link.public = matches!(value.as_str(), "on" | "true" | "1" | "yes"),
                        _ => {}
                    }
                }
            } else if let Some((n, field)) = row_key(key, "language") {
                if let Some(language) = languages.get_mut(n) {
                    match field {
                        "name" => language.language = value.clone(),
                        "fluency" => language.fluency = value.clone(),
                        _ => {}
                    }
                }
            }
        }
        self.profiles = links
            .into_iter()
            .filter(|l| !(l.network.trim().is_empty() && l.username.trim().is_empty() && l.url.trim().is_empty()))
            .collect();
        self.languages =
            languages.into_iter().filter(|l| !(l.language.trim().is_empty() && l.fluency.trim().is_empty())).collect();
    }

    pub fn validate(&self) -> Result<ProfileInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let username =
            if self.username.trim().is_empty() { None } else { e.check("username", fields::username(&self.username)) };
        let display_name = e.check("display_name", fields::line(&self.display_name, 100));
        let job_title = e.check("job_title", fields::line(&self.job_title, 150));
        let region = e.check("region", fields::line(&self.region, 100));
        let bio = e.check("bio", fields::text(&self.bio, BIO_MAX));
        let email = if self.email.trim().is_empty() {
            Some(String::new())
        } else {
            e.check("email", Email::parse(&self.email).map(|email| email.to_string()))
        };
        let phone = e.check("phone", fields::phone(&self.phone));
        let url = e.check("url", fields::optional_web_link(&self.url).map(Option::unwrap_or_default));
        let profiles = validate_links(&self.profiles, &mut e);
        let languages = validate_languages(&self.languages, &mut e);
        for (public, value, field, what) in [
            (self.email_public, &self.email, "email", "an email address"),
            (self.phone_public, &self.phone, "phone", "a phone number"),
            (self.url_public, &self.url, "url", "a website"),
        ] {
            if public && value.trim().is_empty() && e.get(field).is_none() {
                e.add(field, format!("Enter {what} to show, or untick “show”."));
            }
        }
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
            email: email.unwrap_or_default(),
            email_public: self.email_public,
            phone: phone.unwrap_or_default(),
            phone_public: self.phone_public,
            url: url.unwrap_or_default(),
            url_public: self.url_public,
            profiles,
            languages,
        })
    }

    /// The form's link rows: the filled ones and a couple of blank ones to add more.
    pub fn link_rows(&self) -> Vec<(usize, ProfileLink)> {
        let blank = (self.profiles.len() + BLANK_ROWS).min(PROFILE_LINKS_MAX).max(self.profiles.len());
        (0..blank).map(|i| (i, self.profiles.get(i).cloned().unwrap_or_default())).collect()
    }

    /// The form's language rows: the filled ones and a couple of blank ones.
    pub fn language_rows(&self) -> Vec<(usize, Language)> {
        let blank = (self.languages.len() + BLANK_ROWS).min(LANGUAGES_MAX).max(self.languages.len());
        (0..blank).map(|i| (i, self.languages.get(i).cloned().unwrap_or_default())).collect()
    }
}

/// `link3_url` → `(3, "url")` for `prefix` "link".
fn row_key<'k>(key: &'k str, prefix: &str) -> Option<(usize, &'k str)> {
    let rest = key.strip_prefix(prefix)?;
    let (number, field) = rest.split_once('_')?;
    if number.is_empty() || number.len() > 3 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((number.parse().ok()?, field))
}

/// Where a row's field error goes: `profiles[2].url` (the form shows it beside the field).
pub fn row_field(list: &str, index: usize, field: &str) -> String {
    format!("{list}[{index}].{field}")
}

fn validate_links(links: &[ProfileLink], e: &mut FieldErrors) -> Vec<ProfileLink> {
    if links.len() > PROFILE_LINKS_MAX {
        e.add("profiles", format!("At most {PROFILE_LINKS_MAX} profile links, please."));
        return Vec::new();
    }
    let mut clean = Vec::new();
    for (i, link) in links.iter().enumerate() {
        let network = e.check(
            &row_field("profiles", i, "network"),
            fields::required_line(&link.network, 40, "the site, e.g. GitHub"),
        );
        let username = e.check(&row_field("profiles", i, "username"), fields::line(&link.username, 100));
        let url = e.check(&row_field("profiles", i, "url"), fields::optional_web_link(&link.url));
        if let (Some(network), Some(username), Some(url)) = (network, username, url) {
            if username.is_empty() && url.is_none() {
                e.add(&row_field("profiles", i, "url"), "Enter the link to your profile, or your user name there.");
                continue;
            }
            clean.push(ProfileLink { network, username, url: url.unwrap_or_default(), public: link.public });
        }
    }
    clean
}

fn validate_languages(languages: &[Language], e: &mut FieldErrors) -> Vec<Language> {
    if languages.len() > LANGUAGES_MAX {
        e.add("languages", format!("At most {LANGUAGES_MAX} languages, please."));
        return Vec::new();
    }
    let mut clean = Vec::new();
    for (i, language) in languages.iter().enumerate() {
        let name = e.check(
            &row_field("languages", i, "language"),
            fields::required_line(&language.language, 60, "the language"),
        );
        let fluency = e.check(&row_field("languages", i, "fluency"), fields::line(&language.fluency, 60));
        if let (Some(language), Some(fluency)) = (name, fluency) {
            clean.push(Language { language, fluency });
        }
    }
    clean
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
    pub email: String,
    pub email_public: bool,
    pub phone: String,
    pub phone_public: bool,
    pub url: String,
    pub url_public: bool,
    pub profiles: Vec<ProfileLink>,
    pub languages: Vec<Language>,
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::testing::{proptest_config, user_text};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(proptest_config(128))]

        /// Whatever rows a form posts, they are read and checked without a panic, and every
        /// message names a field of one of the rows (so the form can show it there).
        #[test]
        fn form_rows_never_panic_and_each_message_belongs_to_a_row(
            keys in proptest::collection::vec("(link|language)[0-9]{1,4}_(network|username|url|public|name|fluency|x)", 0..30),
            values in proptest::collection::vec(user_text(), 30),
        ) {
            let pairs: Vec<(String, String)> = keys.into_iter().zip(values).collect();
            let mut draft = ProfileDraft::default();
            draft.read_rows(&pairs);
            prop_assert!(draft.profiles.len() <= PROFILE_LINKS_MAX + BLANK_ROWS);
            prop_assert!(draft.languages.len() <= LANGUAGES_MAX + BLANK_ROWS);
            if let Err(errors) = draft.validate() {
                for field in serde_json::to_value(&errors).unwrap().as_object().unwrap().keys() {
                    prop_assert!(
                        field == "profiles" || field == "languages"
                            || field.starts_with("profiles[") || field.starts_with("languages["),
                        "{field}"
                    );
                }
            }
        }
    }
}
