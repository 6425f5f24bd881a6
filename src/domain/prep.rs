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

/// Exactly what AI interview preparation sends to the provider, and nothing else (promise 15):
/// the opportunity's company, role and job description; the round being prepared for; the
/// stored resume text and LinkedIn summary; the debriefs of earlier interviews for the same
/// opportunity; and the achievements and journal entries the user chose. No contact, no email
/// address, no label, no date or time, no calendar event (promise 16).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PrepInput {
    pub opportunity: PrepOpportunity,
    /// The round being prepared for; absent when preparing for the opportunity as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interview: Option<PrepRound>,
    pub resume_text: String,
    pub linkedin_summary: String,
    /// Earlier rounds for this opportunity that have a debrief, oldest first.
    pub earlier_debriefs: Vec<PrepDebrief>,
    pub achievements: Vec<PrepMaterial>,
    pub journal_entries: Vec<PrepMaterial>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PrepOpportunity {
    pub company: String,
    pub role: String,
    pub job_description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PrepRound {
    pub round: String,
    /// In words: "System design", "Behavioural"…
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PrepDebrief {
    pub round: String,
    pub kind: String,
    /// In words: "Passed", "Waiting"…
    pub outcome: String,
    pub summary: String,
    pub questions_asked: String,
    pub to_improve: String,
}

/// An achievement or journal entry offered as material for stories, with the id the model
/// cites it by.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PrepMaterial {
    pub id: String,
    pub title: String,
    pub text: String,
}

/// The model cites its sources as `[source: <id>]` (see prompts/interview_prep.v1.md). Each
/// citation becomes a Markdown link to the record, by its title, when the id is one of
/// `known` (`(id, title, url)`); a citation of anything else is dropped, since the model
/// may not point anywhere the user did not give it.
pub fn link_sources(markdown: &str, known: &[(String, String, String)]) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(start) = rest.find("[source:") {
        let Some(length) = rest[start..].find(']') else { break };
        out.push_str(&rest[..start]);
        let inside = &rest[start + "[source:".len()..start + length];
        let links: Vec<String> = inside
            .split([',', ';'])
            .map(str::trim)
            .filter_map(|id| known.iter().find(|(known_id, _, _)| known_id == id))
            .map(|(_, title, url)| format!("[{}]({url})", escape_link_text(title)))
            .collect();
        if links.is_empty() {
            // Nothing left but the space before the citation.
            while out.ends_with(' ') {
                out.pop();
            }
        } else {
            out.push_str(&format!("(from {})", links.join(", ")));
        }
        rest = &rest[start + length + 1..];
    }
    out.push_str(rest);
    out
}

/// A title as a link's text: the characters Markdown would read as syntax are escaped.
fn escape_link_text(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for c in title.chars() {
        if matches!(c, '[' | ']' | '\\' | '*' | '_' | '`' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod source_tests {
    use super::link_sources;

    #[test]
    fn citations_become_links_to_the_records_given_and_others_are_dropped() {
        let known = vec![
            ("a1".to_owned(), "Cut p99 latency [by 7x]".to_owned(), "/achievements/a1".to_owned()),
            ("j1".to_owned(), "Offsite notes".to_owned(), "/journal/j1".to_owned()),
        ];
        let text = "**Latency story** [source: a1]\nAlso [source: j1, a1].\nMade up [source: zz]. Half [source: a1";
        assert_eq!(
            link_sources(text, &known),
            "**Latency story** (from [Cut p99 latency \\[by 7x\\]](/achievements/a1))\nAlso (from [Offsite \
             notes](/journal/j1), [Cut p99 latency \\[by 7x\\]](/achievements/a1)).\nMade up. Half [source: a1"
        );
        assert_eq!(link_sources("no citations", &known), "no citations");
    }
}
