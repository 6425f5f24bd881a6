//! What every kind of record shares: its kind, text limits, and the labels field.

use crate::domain::fields::{self};
use crate::domain::FieldErrors;

/// The kinds of record. Adding one means a variant here and its row in [`KINDS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Experience,
    Skill,
    Project,
    Achievement,
    Education,
    Certification,
    JournalEntry,
    Opportunity,
    Contact,
    Interview,
    Note,
}

/// What each kind is called: its key (stored in `record_labels`), the path segment of its pages
/// and API (`/experiences`, `/api/v1/experiences`), one of it in words, and its list's title.
struct Names {
    key: &'static str,
    path: &'static str,
    singular: &'static str,
    plural_title: &'static str,
}

const KINDS: [(RecordKind, Names); 11] = {
    use RecordKind::*;
    const fn names(key: &'static str, path: &'static str, singular: &'static str, plural_title: &'static str) -> Names {
        Names { key, path, singular, plural_title }
    }
    [
        (Experience, names("experience", "experiences", "experience", "Experience")),
        (Skill, names("skill", "skills", "skill", "Skills")),
        (Project, names("project", "projects", "project", "Projects")),
        (Achievement, names("achievement", "achievements", "achievement", "Achievements")),
        // Education is a mass noun: `/education` lists it, as `/journal` lists the journal.
        (Education, names("education", "education", "education", "Education")),
        (Certification, names("certification", "certifications", "certification", "Certifications")),
        (JournalEntry, names("journal_entry", "journal", "journal entry", "Journal")),
        (Opportunity, names("opportunity", "opportunities", "opportunity", "Opportunities")),
        (Contact, names("contact", "contacts", "contact", "Contacts")),
        (Interview, names("interview", "interviews", "interview", "Interviews")),
        (Note, names("note", "notes", "note", "Notes")),
    ]
};

impl RecordKind {
    fn names(self) -> &'static Names {
        // The table lists every variant once, in declaration order.
        &KINDS[self as usize].1
    }

    pub fn as_str(self) -> &'static str {
        self.names().key
    }

    /// The path segment of its pages and API (`/experiences`, `/api/v1/experiences`).
    pub fn path(self) -> &'static str {
        self.names().path
    }

    pub fn singular(self) -> &'static str {
        self.names().singular
    }

    pub fn plural_title(self) -> &'static str {
        self.names().plural_title
    }
}

#[cfg(test)]
mod kind_tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_row_in_the_table() {
        for (index, (kind, _)) in KINDS.iter().enumerate() {
            assert_eq!(*kind as usize, index, "{kind:?} is in declaration order");
        }
        assert_eq!(RecordKind::JournalEntry.as_str(), "journal_entry");
        assert_eq!(RecordKind::JournalEntry.path(), "journal");
        assert_eq!(RecordKind::Opportunity.plural_title(), "Opportunities");
    }
}

/// A record as typed: the draft a form fills in (kept as typed, so a form with mistakes comes
/// back whole), onto which an API body is applied, and which validates into clean values.
pub trait Draft: Sized {
    /// The API's JSON body for create and PATCH: only the fields it names change.
    type Write;
    /// The validated draft.
    type Input;

    fn apply(&mut self, write: Self::Write);
    fn validate(&self) -> Result<Self::Input, FieldErrors>;
}

pub const SHORT: usize = 200;
pub const MEDIUM: usize = 100;
pub const DESCRIPTION: usize = 10_000;
pub const JOURNAL_BODY: usize = 100_000;
pub const HIGHLIGHTS_MAX: usize = 30;
pub const HIGHLIGHT_LENGTH: usize = 500;
/// An education's courses: short names such as "CS101 Algorithms", one per line in a form.
pub const COURSES_MAX: usize = 30;
pub const COURSE_LENGTH: usize = 200;

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
