//! Labels by AI (issue 13, item 3): what label generation and label linking send to the
//! provider (their fields are the contract, promise 15), what the model answers, and the rules
//! that keep its answer to what the user has (no label they already have is suggested again;
//! no label they do not have is linked).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::fields::{self, name_key};
use crate::domain::records::RecordKind;
use crate::domain::FieldErrors;

/// The longest category a user may ask labels for.
pub const CATEGORY_MAX: usize = 60;
/// Categories offered as suggestions in the form; any other is fine too.
pub const CATEGORY_EXAMPLES: [&str; 6] =
    ["Technical skills", "Industries", "Impact types", "Leadership", "Domains", "Tools and platforms"];
/// The most suggestions kept from one run.
pub const SUGGESTIONS_MAX: usize = 20;
/// A suggestion's reason is cut to this many characters.
pub const REASON_MAX: usize = 300;

/// The category, as a form or an API body typed it: one short line.
pub fn category(input: &str) -> Result<String, String> {
    fields::required_line(input, CATEGORY_MAX, "a category, such as “Technical skills”")
}

// ---- what generation sends ----

/// Exactly what label generation sends to the provider, and nothing else (promise 15): recent
/// experiences (role, company, location, dates, a brief description), projects (name, role,
/// type, description), skill names, the names of the labels the user has, and the category.
/// No email address, contact, journal entry, achievement, date of anything else, or label colour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelGenerationInput {
    pub category: String,
    pub experiences: Vec<GenerationExperience>,
    pub projects: Vec<GenerationProject>,
    pub skills: Vec<String>,
    pub existing_labels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GenerationExperience {
    pub role: String,
    pub company: String,
    pub location: String,
    /// "2021-03 – present", as the record has them.
    pub dates: String,
    /// The description, cut to [`BRIEF_MAX`] characters.
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GenerationProject {
    pub name: String,
    pub role: String,
    /// The project's type ("Open source", "Client work"…), as the user typed it.
    #[serde(rename = "type")]
    pub kind: String,
    pub description: String,
}

/// How many experiences and projects generation sends (the most recent), and how long each
/// description may be: enough to read a career, small enough to stay cheap.
pub const EXPERIENCES_MAX: usize = 15;
pub const PROJECTS_MAX: usize = 15;
pub const SKILLS_MAX: usize = 100;
pub const BRIEF_MAX: usize = 600;

/// "2021-03 – present", "2019 – 2021-06", "2020".
pub fn dates(start: &str, end: Option<&str>, current: bool) -> String {
    match (end.filter(|e| !e.is_empty()), current) {
        (_, true) => format!("{start} – present"),
        (Some(end), false) => format!("{start} – {end}"),
        (None, false) => start.to_owned(),
    }
}

/// `text` cut to `max` characters, with an ellipsis when something was cut.
pub fn cut(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

// ---- what generation answers ----

/// The model's answer to label generation (see [`generation_schema`]).
#[derive(Debug, Clone, Deserialize)]
pub struct GeneratedLabels {
    pub suggestions: Vec<SuggestedLabel>,
}

/// One suggested label and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SuggestedLabel {
    /// The label's name, usable as it is (one line, at most 40 characters, no comma).
    pub name: String,
    /// Why the model suggests it, in a sentence.
    pub reason: String,
}

/// The JSON Schema the model's answer follows.
pub fn generation_schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "properties": {
            "suggestions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "description": "The label, one to three words."},
                        "reason": {"type": "string", "description": "What in the summary supports it, in one short sentence."}
                    },
                    "required": ["name", "reason"],
                    "additionalProperties": false
                }
            }
        },
        "required": ["suggestions"],
        "additionalProperties": false
    })
}

/// The suggestions worth showing: names that are valid label names, not one the user already
/// has (in any case), each once, at most [`SUGGESTIONS_MAX`].
pub fn new_suggestions(answer: GeneratedLabels, existing: &[String]) -> Vec<SuggestedLabel> {
    let mut seen: Vec<String> = existing.iter().map(|n| name_key(n)).collect();
    let mut kept = Vec::new();
    for suggestion in answer.suggestions {
        let Ok(name) = fields::label_name(&suggestion.name) else { continue };
        let key = name_key(&name);
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        kept.push(SuggestedLabel { name, reason: clean_line(&suggestion.reason, REASON_MAX) });
        if kept.len() == SUGGESTIONS_MAX {
            break;
        }
    }
    kept
}

/// A model's sentence as it may be shown: one line, no control characters, cut.
pub fn clean_line(text: &str, max: usize) -> String {
    let line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    cut(&line, max)
}

/// The labels the user ticked on the review page, as typed there: each a valid label name,
/// each once. Errors are keyed `name_<n>`, the review form's field.
pub fn chosen_names(chosen: &[(usize, String)]) -> Result<Vec<String>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut names: Vec<String> = Vec::new();
    for (n, typed) in chosen {
        if let Some(name) = errors.check(&format!("name_{n}"), fields::label_name(typed)) {
            if !names.iter().any(|kept| name_key(kept) == name_key(&name)) {
                names.push(name);
            }
        }
    }
    if names.is_empty() && errors.is_empty() {
        errors.add("suggestions", "Tick at least one label to create, or go back to your labels.");
    }
    if errors.is_empty() {
        Ok(names)
    } else {
        Err(errors)
    }
}

// ---- what linking sends ----

/// The kinds whose records label linking may read: the career record, the journal and the job
/// search's opportunities and interviews. Not contacts (other people's details) nor notes
/// (which carry no labels).
pub const LINKABLE: [RecordKind; 9] = [
    RecordKind::Experience,
    RecordKind::Skill,
    RecordKind::Project,
    RecordKind::Achievement,
    RecordKind::Education,
    RecordKind::Certification,
    RecordKind::JournalEntry,
    RecordKind::Opportunity,
    RecordKind::Interview,
];

/// The kinds bulk linking goes through: the career record and the journal.
pub const BULK_LINKABLE: [RecordKind; 7] = [
    RecordKind::Experience,
    RecordKind::Skill,
    RecordKind::Project,
    RecordKind::Achievement,
    RecordKind::Education,
    RecordKind::Certification,
    RecordKind::JournalEntry,
];

/// A kind label linking reads, by its key (`experience`, `journal_entry`…).
pub fn linkable_kind(key: &str) -> Option<RecordKind> {
    LINKABLE.into_iter().find(|kind| kind.as_str() == key.trim())
}

/// Exactly what label linking sends (promise 15): the names of the user's labels, and for each
/// record its id, its kind and its own text fields. Nothing else of the user's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelLinkingInput {
    pub labels: Vec<String>,
    pub records: Vec<LinkRecord>,
}

/// One record as linking sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkRecord {
    pub id: String,
    /// `experience`, `journal_entry`…
    pub kind: String,
    /// Its text fields by name, each cut to [`RECORD_TEXT_MAX`] characters; empty ones left out.
    pub text: BTreeMap<&'static str, String>,
}

/// A record's text field is cut to this many characters.
pub const RECORD_TEXT_MAX: usize = 1_500;
/// How many records one bulk run sends: the most recently changed.
pub const BULK_RECORDS_MAX: usize = 40;

impl LinkRecord {
    pub fn new(kind: RecordKind, id: &str, fields: Vec<(&'static str, String)>) -> Self {
        let text = fields
            .into_iter()
            .filter(|(_, value)| !value.trim().is_empty())
            .map(|(name, value)| (name, cut(&value, RECORD_TEXT_MAX)))
            .collect();
        LinkRecord { id: id.to_owned(), kind: kind.as_str().to_owned(), text }
    }
}

// ---- what linking answers ----

#[derive(Debug, Clone, Deserialize)]
pub struct LinkAnswer {
    pub records: Vec<LinkAnswerRecord>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LinkAnswerRecord {
    pub id: String,
    pub labels: Vec<SuggestedLabel>,
}

pub fn linking_schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "properties": {
            "records": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string", "description": "The record's id, as given."},
                        "labels": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "name": {"type": "string", "description": "One of the labels given, exactly."},
                                    "reason": {"type": "string", "description": "What in the record shows it, briefly."}
                                },
                                "required": ["name", "reason"],
                                "additionalProperties": false
                            }
                        }
                    },
                    "required": ["id", "labels"],
                    "additionalProperties": false
                }
            }
        },
        "required": ["records"],
        "additionalProperties": false
    })
}

/// A link the model suggests that can be made: a record that was sent and a label the user has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownLink {
    pub record_id: String,
    /// The label's name as the user has it (the model's spelling may differ in case).
    pub label: String,
    pub reason: String,
}

/// The links in `answer` that name a record that was sent and a label of `labels`; invented
/// labels and records are dropped, and each pair is kept once.
pub fn known_links(answer: LinkAnswer, labels: &[String], record_ids: &[&str]) -> Vec<KnownLink> {
    let mut kept: Vec<KnownLink> = Vec::new();
    for record in answer.records {
        let Some(record_id) = record_ids.iter().find(|id| **id == record.id.trim()) else { continue };
        for suggestion in record.labels {
            let Some(label) = labels.iter().find(|l| name_key(l) == name_key(&suggestion.name)) else { continue };
            if kept.iter().any(|k| k.record_id == *record_id && k.label == *label) {
                continue;
            }
            kept.push(KnownLink {
                record_id: (*record_id).to_owned(),
                label: label.clone(),
                reason: clean_line(&suggestion.reason, REASON_MAX),
            });
        }
    }
    kept
}

// ---- API bodies ----

/// Ask for label suggestions in a category. Nothing is created.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LabelSuggestionsWrite {
    /// What the labels should be about, e.g. "Technical skills", "Industries", "Impact types" (at most 60 characters).
    #[schema(
        required = true,
        min_length = 1,
        max_length = 60,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub category: String,
}

/// Ask which of your labels fit one record. Nothing is applied.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LinkSuggestionsWrite {
    /// The record's kind.
    #[schema(required = true, schema_with = linkable_kind_schema)]
    pub kind: String,
    /// The record's id.
    #[schema(required = true, value_type = String, format = Uuid)]
    pub id: Option<uuid::Uuid>,
}

fn linkable_kind_schema() -> utoipa::openapi::schema::Object {
    crate::domain::schema::choice(LINKABLE.iter().map(|k| k.as_str()), false, false, "The record's kind.")
}

impl LinkSuggestionsWrite {
    /// The record named: a kind linking reads, and an id.
    pub fn record(&self) -> Result<(RecordKind, String), FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = linkable_kind(&self.kind);
        if kind.is_none() {
            errors.add(
                "kind",
                "Labels can be suggested for experiences, skills, projects, achievements, education, \
                 certifications, journal entries, opportunities and interviews.",
            );
        }
        if self.id.is_none() {
            errors.add("id", "Give the record's id.");
        }
        match (kind, self.id) {
            (Some(kind), Some(id)) => Ok((kind, id.to_string())),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(name: &str) -> SuggestedLabel {
        SuggestedLabel { name: name.into(), reason: "because\nof this".into() }
    }

    #[test]
    fn suggestions_drop_what_the_user_has_bad_names_and_repeats() {
        let answer = GeneratedLabels {
            suggestions: vec![s("Rust"), s("  Distributed Systems "), s("distributed systems"), s("a, b"), s("")],
        };
        let kept = new_suggestions(answer, &["rust".to_owned()]);
        assert_eq!(kept, vec![SuggestedLabel { name: "Distributed Systems".into(), reason: "because of this".into() }]);
    }

    #[test]
    fn links_keep_only_known_records_and_labels_in_the_users_spelling() {
        let answer = LinkAnswer {
            records: vec![
                LinkAnswerRecord { id: "r1".into(), labels: vec![s("rust"), s("Invented"), s("Rust")] },
                LinkAnswerRecord { id: "zz".into(), labels: vec![s("Rust")] },
            ],
        };
        let links = known_links(answer, &["Rust".to_owned()], &["r1"]);
        assert_eq!(links.len(), 1);
        assert_eq!((links[0].record_id.as_str(), links[0].label.as_str()), ("r1", "Rust"));
    }

    #[test]
    fn chosen_names_are_checked_each_once() {
        assert_eq!(chosen_names(&[(0, "Go".into()), (1, "go".into())]).unwrap(), vec!["Go".to_owned()]);
        assert!(chosen_names(&[(2, "a,b".into())]).unwrap_err().get("name_2").is_some());
        assert!(chosen_names(&[]).unwrap_err().get("suggestions").is_some());
        assert_eq!(category("  Industries ").unwrap(), "Industries");
        assert!(category(&"x".repeat(61)).is_err());
        assert_eq!(dates("2021-03", None, true), "2021-03 – present");
    }
}
