//! What every kind of record shares: its kind, text limits, and the labels field.

use crate::domain::fields::{self};
use crate::domain::lenient::TypedInput;
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
    Task,
}

/// What each kind is called: its key (stored in `record_labels`), the path segment of its pages
/// and API (`/experiences`, `/api/v1/experiences`), one of it in words, and its list's title.
struct Names {
    key: &'static str,
    path: &'static str,
    singular: &'static str,
    plural_title: &'static str,
}

const KINDS: [(RecordKind, Names); 12] = {
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
        (Task, names("task", "tasks", "task", "Tasks")),
    ]
};

impl RecordKind {
    /// Every kind, in declaration order.
    pub fn all() -> impl Iterator<Item = RecordKind> {
        KINDS.iter().map(|(kind, _)| *kind)
    }

    /// The kind stored under `key` (`experience`, `journal_entry`, …).
    pub fn from_key(key: &str) -> Option<RecordKind> {
        RecordKind::all().find(|kind| kind.as_str() == key)
    }

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

    /// Read what a person typed into a form as they meant it ("March 2017", "£95k"), rewriting
    /// those fields in the canonical form [`Draft::validate`] takes; answers a message for each
    /// field that could not be read, which the form shows instead of the validator's. Forms
    /// only: the API takes the canonical forms. Kinds without such fields keep the default.
    fn read_typed(&mut self, _typed: &TypedInput) -> FieldErrors {
        FieldErrors::new()
    }

    /// Fill a new form from the user's settings (an opportunity's currency).
    fn prefill(&mut self, _typed: &TypedInput) {}
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

#[cfg(test)]
mod properties {
    use super::*;
    use crate::domain::career::*;
    use crate::domain::contacts::{ContactDraft, ContactWrite};
    use crate::domain::interviews::{InterviewDraft, InterviewWrite};
    use crate::domain::notes::{NoteDraft, NoteWrite};
    use crate::domain::opportunities::{EntryForm, OpportunityDraft, OpportunityWrite};
    use crate::domain::prep::PrepDraft;
    use crate::domain::profile::{ProfileDraft, ProfileWrite};
    use crate::testing::{awkward_text, date_like, proptest_config, user_text};
    use proptest::prelude::*;
    use serde::de::DeserializeOwned;
    use serde_json::{Map, Value};

    /// What might be typed into any field: text, dates, ids, amounts, keys, links, label lists.
    fn field_text() -> impl Strategy<Value = String> {
        prop_oneof![
            user_text(),
            date_like(),
            Just("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".to_owned()),
            "[0-9a-fA-F-]{30,40}",
            "[0-9 ,._]{0,14}",
            "(saved|remote|technical|pending|opportunity|expert|on|yes|Europe/Berlin|example\\.com|[A-Za-z]{3})",
            "(2026-03-29T02:30|2026-12-01 14:00:00|1899-12-31T23:59|2200-12-31T23:59)",
            "(https?://)?[a-z]{1,8}\\.[a-z]{2,3}(/[!-~]{0,20})?",
            proptest::collection::vec("[ -+--~]{0,12}", 0..25).prop_map(|names| names.join(",")),
        ]
    }

    /// A draft as a form would send it: each field given some text.
    fn form<D: DeserializeOwned>(fields: &[&str], values: &[String]) -> D {
        let object: Map<String, Value> =
            fields.iter().zip(values).map(|(field, value)| (field.to_string(), Value::from(value.as_str()))).collect();
        serde_json::from_value(Value::Object(object)).expect("a form's fields are all text")
    }

    /// Any JSON value a field of an API body might be sent.
    fn json_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            4 => field_text().prop_map(Value::from),
            1 => Just(Value::Null),
            1 => any::<bool>().prop_map(Value::from),
            1 => any::<i64>().prop_map(Value::from),
            1 => any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
            1 => proptest::collection::vec(field_text(), 0..25).prop_map(Value::from),
        ]
    }

    /// An API body: the fields of `values` the body type takes as sent (one it refuses, as the
    /// API does with a 400, is left out).
    fn body<W: DeserializeOwned>(fields: &[&str], values: &[Option<Value>]) -> W {
        let mut object = Map::new();
        for (field, value) in fields.iter().zip(values) {
            let Some(value) = value else { continue };
            let single = Value::Object(Map::from_iter([(field.to_string(), value.clone())]));
            if serde_json::from_value::<W>(single).is_ok() {
                object.insert(field.to_string(), value.clone());
            }
        }
        serde_json::from_value(Value::Object(object)).expect("fields each taken alone are taken together")
    }

    /// A message beside a field the form has (the form cannot show one anywhere else).
    fn errors_name_fields<T>(fields: &[&str], result: Result<T, FieldErrors>) -> Result<(), TestCaseError> {
        if let Err(errors) = result {
            prop_assert!(!errors.is_empty());
            let json = serde_json::to_value(&errors).unwrap();
            for field in json.as_object().unwrap().keys() {
                prop_assert!(fields.contains(&field.as_str()), "a message for {field}, which the form lacks");
            }
        }
        Ok(())
    }

    /// For each kind of draft: a form with any text in any field, and an API body with any
    /// values applied onto a blank draft, validate without a panic, and every message they
    /// give is beside one of the draft's own fields.
    macro_rules! drafts_never_panic {
        ($($name:ident: $draft:ty, $write:ty, $blank:expr, [$($field:literal),+ $(,)?];)+) => {
            proptest! {
                #![proptest_config(proptest_config(128))]
                $(
                    #[test]
                    fn $name(
                        typed in proptest::collection::vec(field_text(), [$($field),+].len()),
                        sent in proptest::collection::vec(proptest::option::of(json_value()), [$($field),+].len()),
                    ) {
                        let fields = [$($field),+];
                        let draft: $draft = form(&fields, &typed);
                        errors_name_fields(&fields, draft.validate())?;
                        let mut draft: $draft = $blank;
                        draft.apply(body::<$write>(&fields, &sent));
                        errors_name_fields(&fields, draft.validate())?;
                    }
                )+
            }
        };
    }

    drafts_never_panic! {
        an_experience_draft_never_panics: ExperienceDraft, ExperienceWrite, ExperienceDraft::blank(),
            ["role", "company", "location", "start_date", "end_date", "current", "description", "highlights",
             "on_resume", "labels"];
        a_skill_draft_never_panics: SkillDraft, SkillWrite, SkillDraft::blank(),
            ["name", "category", "level", "on_resume", "labels"];
        a_project_draft_never_panics: ProjectDraft, ProjectWrite, ProjectDraft::blank(),
            ["name", "role", "kind", "description", "url", "start_date", "end_date", "on_resume", "labels"];
        an_achievement_draft_never_panics: AchievementDraft, AchievementWrite, AchievementDraft::blank(),
            ["title", "date", "description", "experience_id", "project_id", "on_resume", "labels"];
        a_journal_draft_never_panics: JournalDraft, JournalWrite, JournalDraft::blank(time::macros::date!(2026 - 03 - 15)),
            ["title", "entry_date", "body", "is_public", "labels"];
        a_label_draft_never_panics: LabelDraft, LabelWrite, LabelDraft::blank(), ["name", "colour", "is_public"];
        an_opportunity_draft_never_panics: OpportunityDraft, OpportunityWrite, OpportunityDraft::blank(),
            ["company", "role", "description", "posting_url", "location", "work_mode", "salary_min", "salary_max",
             "currency", "source", "status", "applied_on", "next_action", "next_action_due", "labels"];
        an_interview_draft_never_panics: InterviewDraft, InterviewWrite, InterviewDraft::blank(),
            ["opportunity_id", "round_name", "kind", "start", "time_zone", "duration_minutes", "location",
             "meeting_url", "prep_notes", "debrief_summary", "debrief_questions", "debrief_improve", "outcome",
             "labels"];
        a_contact_draft_never_panics: ContactDraft, ContactWrite, ContactDraft::blank(),
            ["name", "company", "role", "email", "phone", "links", "how_we_met", "notes", "labels"];
        a_note_draft_never_panics: NoteDraft, NoteWrite, NoteDraft::default(), ["subject_kind", "subject_id", "body"];
        a_profile_draft_never_panics: ProfileDraft, ProfileWrite, ProfileDraft::default(),
            ["username", "display_name", "job_title", "region", "bio", "photo_public", "resume_public",
             "journal_public", "allow_indexing", "email", "email_public", "phone", "phone_public", "url",
             "url_public"];
    }

    proptest! {
        #![proptest_config(proptest_config(128))]

        #[test]
        fn a_timeline_entry_and_the_prep_texts_never_panic(
            kind in field_text(), entry in field_text(), resume in proptest::option::of(field_text()),
            summary in proptest::option::of(field_text()), old in field_text(),
        ) {
            errors_name_fields(&["kind", "body"], EntryForm { kind, body: entry }.validate())?;
            let prep = PrepDraft { resume_text: resume, linkedin_summary: summary };
            errors_name_fields(&["resume_text", "linkedin_summary"], prep.validate(&old, &old))?;
        }

        /// Labels typed into a form and the same names sent as a list are the same labels; and
        /// a record's labels shown back in its form read as themselves.
        #[test]
        fn typed_and_listed_labels_agree(
            names in proptest::collection::vec(prop_oneof!["[A-Za-z][A-Za-z0-9 .+#-]{0,30}", awkward_text(10)], 0..25)
        ) {
            let mut typed_errors = FieldErrors::new();
            let listed = LabelNames::Listed(names.clone());
            let from_list = parse_labels(&mut typed_errors, &listed);
            if typed_errors.is_empty() {
                let mut errors = FieldErrors::new();
                prop_assert_eq!(parse_labels(&mut errors, &LabelNames::Typed(listed.to_string())), from_list.clone());
                prop_assert!(errors.is_empty());
                let shown = LabelNames::Listed(from_list.clone()).to_string();
                prop_assert_eq!(parse_labels(&mut errors, &LabelNames::from(shown)), from_list);
                prop_assert!(errors.is_empty());
            }
        }
    }
}
