//! What every kind of record shares: its kind, text limits, and the labels field.

use crate::domain::fields::{self};
use crate::domain::FieldErrors;

/// The kinds of record a label can be put on. The text form is stored in `record_labels`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Experience,
    Skill,
    Project,
    Achievement,
    JournalEntry,
    Opportunity,
    Contact,
    Interview,
    Note,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Experience => "experience",
            RecordKind::Skill => "skill",
            RecordKind::Project => "project",
            RecordKind::Achievement => "achievement",
            RecordKind::JournalEntry => "journal_entry",
            RecordKind::Opportunity => "opportunity",
            RecordKind::Contact => "contact",
            RecordKind::Interview => "interview",
            RecordKind::Note => "note",
        }
    }

    /// The path segment of its pages and API (`/experiences`, `/api/v1/experiences`).
    pub fn path(self) -> &'static str {
        match self {
            RecordKind::Experience => "experiences",
            RecordKind::Skill => "skills",
            RecordKind::Project => "projects",
            RecordKind::Achievement => "achievements",
            RecordKind::JournalEntry => "journal",
            RecordKind::Opportunity => "opportunities",
            RecordKind::Contact => "contacts",
            RecordKind::Interview => "interviews",
            RecordKind::Note => "notes",
        }
    }

    pub fn singular(self) -> &'static str {
        match self {
            RecordKind::Experience => "experience",
            RecordKind::Skill => "skill",
            RecordKind::Project => "project",
            RecordKind::Achievement => "achievement",
            RecordKind::JournalEntry => "journal entry",
            RecordKind::Opportunity => "opportunity",
            RecordKind::Contact => "contact",
            RecordKind::Interview => "interview",
            RecordKind::Note => "note",
        }
    }

    pub fn plural_title(self) -> &'static str {
        match self {
            RecordKind::Experience => "Experience",
            RecordKind::Skill => "Skills",
            RecordKind::Project => "Projects",
            RecordKind::Achievement => "Achievements",
            RecordKind::JournalEntry => "Journal",
            RecordKind::Opportunity => "Opportunities",
            RecordKind::Contact => "Contacts",
            RecordKind::Interview => "Interviews",
            RecordKind::Note => "Notes",
        }
    }
}

pub const SHORT: usize = 200;
pub const MEDIUM: usize = 100;
pub const DESCRIPTION: usize = 10_000;
pub const JOURNAL_BODY: usize = 100_000;
pub const HIGHLIGHTS_MAX: usize = 30;
pub const HIGHLIGHT_LENGTH: usize = 500;

/// A record's labels as they arrived: the text typed into a form's field (names separated by
/// commas), or the list of names an API body sent. Each is validated in its own way, so a name
/// sent with a comma in it is refused rather than split in two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelNames {
    Typed(String),
    Listed(Vec<String>),
}

impl Default for LabelNames {
    fn default() -> Self {
        LabelNames::Typed(String::new())
    }
}

impl From<&str> for LabelNames {
    fn from(typed: &str) -> Self {
        LabelNames::Typed(typed.to_owned())
    }
}

impl From<String> for LabelNames {
    fn from(typed: String) -> Self {
        LabelNames::Typed(typed)
    }
}

/// As a form's field shows it.
impl std::fmt::Display for LabelNames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LabelNames::Typed(text) => f.write_str(text),
            LabelNames::Listed(names) => f.write_str(&names.join(", ")),
        }
    }
}

/// A form sends the field as text.
impl<'de> serde::Deserialize<'de> for LabelNames {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(LabelNames::Typed)
    }
}

/// An API body's `labels`, when sent, replaces the draft's.
pub fn set_label_names(target: &mut LabelNames, value: Option<Vec<String>>) {
    if let Some(names) = value {
        *target = LabelNames::Listed(names);
    }
}

/// The label names to put on the record, or the message beside the field.
pub fn parse_labels(errors: &mut FieldErrors, labels: &LabelNames) -> Vec<String> {
    let parsed = match labels {
        LabelNames::Typed(text) => fields::label_list(text),
        LabelNames::Listed(names) => fields::listed_labels(names),
    };
    errors.check("labels", parsed).unwrap_or_default()
}

pub(crate) fn finish<T>(errors: FieldErrors, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
    if errors.is_empty() {
        Ok(value())
    } else {
        Err(errors)
    }
}
