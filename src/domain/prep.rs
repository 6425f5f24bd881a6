//! The texts kept for interview preparation: the resume text and the LinkedIn summary.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::fields::{self, nullable_text};
use crate::domain::FieldErrors;

pub const RESUME_TEXT_MAX: usize = 50_000;
pub const LINKEDIN_SUMMARY_MAX: usize = 10_000;

/// The resume text and LinkedIn summary as the form sends them (a field left out stays as it is).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PrepDraft {
    pub resume_text: Option<String>,
    pub linkedin_summary: Option<String>,
}

/// The interview-prep texts as the API's PATCH takes them: only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PrepWrite {
    /// Your resume as plain text (up to 50 000 characters).
    #[serde(deserialize_with = "nullable_text")]
    #[schema(max_length = 50000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub resume_text: Option<String>,
    /// Your LinkedIn "About" text (up to 10 000 characters).
    #[serde(deserialize_with = "nullable_text")]
    #[schema(max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub linkedin_summary: Option<String>,
}

impl From<PrepWrite> for PrepDraft {
    fn from(write: PrepWrite) -> Self {
        Self { resume_text: write.resume_text, linkedin_summary: write.linkedin_summary }
    }
}

impl PrepDraft {
    /// The texts to keep: what was sent, else what was there.
    pub fn validate(&self, resume_text: &str, linkedin_summary: &str) -> Result<(String, String), FieldErrors> {
        let mut e = FieldErrors::new();
        let resume = self.resume_text.as_deref().unwrap_or(resume_text);
        let summary = self.linkedin_summary.as_deref().unwrap_or(linkedin_summary);
        let resume = e.check("resume_text", fields::text(resume, RESUME_TEXT_MAX));
        let summary = e.check("linkedin_summary", fields::text(summary, LINKEDIN_SUMMARY_MAX));
        match (resume, summary) {
            (Some(resume), Some(summary)) if e.is_empty() => Ok((resume, summary)),
            _ => Err(e),
        }
    }
}
