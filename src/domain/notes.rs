//! A note about an opportunity, a contact or an interview.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::fields::{self, nullable_text, set};
use crate::domain::records::Draft;
use crate::domain::records::RecordKind;
use crate::domain::FieldErrors;

crate::closed_set! {
    /// What a note can be about.
    pub enum NoteSubject {
        Opportunity = ("opportunity", "Opportunity"),
        Contact = ("contact", "Contact"),
        Interview = ("interview", "Interview"),
    }
}

impl NoteSubject {
    /// The kind of record a note about this is attached to.
    pub fn record_kind(self) -> RecordKind {
        match self {
            NoteSubject::Opportunity => RecordKind::Opportunity,
            NoteSubject::Contact => RecordKind::Contact,
            NoteSubject::Interview => RecordKind::Interview,
        }
    }
}

pub const NOTE_MAX: usize = 20_000;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NoteDraft {
    /// `opportunity`, `contact` or `interview`.
    pub subject_kind: String,
    pub subject_id: String,
    pub body: String,
}

/// A note as the API takes it: all three fields are needed on create; the subject is one of
/// your opportunities, contacts or interviews.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteWrite {
    /// `opportunity`, `contact` or `interview`.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::note_subject)]
    pub subject_kind: Option<String>,
    /// The id of the opportunity, contact or interview.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(nullable = false, format = Uuid)]
    pub subject_id: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 20000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub body: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NoteInput {
    pub subject_kind: NoteSubject,
    pub subject_id: String,
    pub body: String,
}

impl Draft for NoteDraft {
    type Write = NoteWrite;
    type Input = NoteInput;

    fn apply(&mut self, write: NoteWrite) {
        set(&mut self.subject_kind, write.subject_kind);
        set(&mut self.subject_id, write.subject_id);
        set(&mut self.body, write.body);
    }

    fn validate(&self) -> Result<NoteInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let subject_kind = NoteSubject::parse(&self.subject_kind);
        if subject_kind.is_none() {
            e.add("subject_kind", "A note is about an opportunity, a contact or an interview.");
        }
        let subject_id = self.subject_id.trim().to_ascii_lowercase();
        if uuid::Uuid::parse_str(&subject_id).is_err() {
            e.add("subject_id", "Say which record the note is about.");
        }
        let body = e.check("body", fields::text(&self.body, NOTE_MAX));
        if body.as_deref().is_some_and(str::is_empty) {
            e.add("body", "Write the note.");
        }
        match subject_kind {
            Some(subject_kind) if e.is_empty() => {
                Ok(NoteInput { subject_kind, subject_id, body: body.unwrap_or_default() })
            }
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_needs_a_known_subject_and_a_body() {
        let errors =
            NoteDraft { subject_kind: "user".into(), subject_id: "x".into(), body: " ".into() }.validate().unwrap_err();
        for field in ["subject_kind", "subject_id", "body"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }
}
