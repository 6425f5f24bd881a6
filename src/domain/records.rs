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

pub fn set_label_names(target: &mut String, value: Option<Vec<String>>) {
    if let Some(names) = value {
        // A name with a comma is refused by validation rather than silently split in two; a list
        // far too long is refused without joining it.
        if names.len() > fields::LABELS_PER_RECORD_MAX {
            *target = (0..=fields::LABELS_PER_RECORD_MAX).map(|n| n.to_string()).collect::<Vec<_>>().join(",");
        } else if names.iter().any(|n| n.contains(',')) {
            *target = "\u{1}".into();
        } else {
            *target = names.join(", ");
        }
    }
}

pub fn parse_labels(errors: &mut FieldErrors, input: &str) -> Vec<String> {
    if input.contains('\u{1}') {
        errors.add("labels", "A label name cannot contain a comma.");
        return Vec::new();
    }
    errors.check("labels", fields::label_list(input)).unwrap_or_default()
}

pub(crate) fn finish<T>(errors: FieldErrors, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
    if errors.is_empty() {
        Ok(value())
    } else {
        Err(errors)
    }
}
