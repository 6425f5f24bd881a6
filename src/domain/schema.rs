//! How the API's closed sets and text shapes appear in the OpenAPI document. Each schema is built
//! from the same list validation reads, and the types name them with
//! `#[schema(schema_with = …)]`, so the document cannot drift from what the server accepts.
//!
//! Validation reads a choice case-insensitively and trims it; the document gives the canonical
//! spelling, which is also what the server answers with.

use serde_json::Value;
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

use crate::domain::career::SKILL_LEVELS;
use crate::domain::interviews::{INTERVIEW_KINDS, OUTCOMES};
use crate::domain::notes::NOTE_SUBJECTS;
use crate::domain::opportunities::{STATUSES, WORK_MODES};

/// A string that is one of `keys`; with `blank` also `""` (what a record answers when the choice
/// was left empty), with `null` also `null`.
pub fn choice<'a>(keys: impl IntoIterator<Item = &'a str>, blank: bool, null: bool, description: &str) -> Object {
    let mut values: Vec<Value> = Vec::new();
    if blank {
        values.push(Value::from(""));
    }
    values.extend(keys.into_iter().map(Value::from));
    let schema_type = if null {
        values.push(Value::Null);
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::new(Type::String)
    };
    ObjectBuilder::new().schema_type(schema_type).enum_values(Some(values)).description(Some(description)).build()
}

fn keys(list: &'static [(&'static str, &'static str)]) -> impl Iterator<Item = &'static str> {
    list.iter().map(|(key, _)| *key)
}

// ---- opportunities ----

/// Where an opportunity stands.
pub fn status() -> Object {
    choice(keys(&STATUSES), false, false, "Where it stands in the pipeline.")
}

/// A status an event moved from or to; `null` when the event is not a status change.
pub fn event_status() -> Object {
    choice(keys(&STATUSES), false, true, "The status, for `created` and `status_changed` events; otherwise null.")
}

pub fn status_input() -> Object {
    choice(keys(&STATUSES), false, true, "Where it stands; `saved` when left out or `null` on create.")
}

pub fn work_mode() -> Object {
    choice(keys(&WORK_MODES), true, false, "Remote, hybrid or on-site; empty when not given.")
}

pub fn work_mode_input() -> Object {
    choice(keys(&WORK_MODES), false, true, "Remote, hybrid or on-site; `null` clears it.")
}

// ---- skills ----

pub fn skill_level() -> Object {
    choice(keys(&SKILL_LEVELS), true, false, "How well you know it; empty when not given.")
}

pub fn skill_level_input() -> Object {
    choice(keys(&SKILL_LEVELS), false, true, "How well you know it; `null` clears it.")
}

// ---- interviews ----

pub fn interview_kind() -> Object {
    choice(keys(&INTERVIEW_KINDS), false, false, "The kind of interview.")
}

pub fn interview_kind_input() -> Object {
    choice(
        keys(&INTERVIEW_KINDS),
        false,
        true,
        "The kind of interview: `phone_screen` when left out on create, `other` when `null`.",
    )
}

pub fn outcome() -> Object {
    choice(keys(&OUTCOMES), false, false, "How it went.")
}

pub fn outcome_input() -> Object {
    choice(keys(&OUTCOMES), false, true, "How it went: `pending` when left out on create or `null`.")
}

// ---- notes ----

pub fn note_subject() -> Object {
    choice(keys(&NOTE_SUBJECTS), false, false, "What kind of record the note is about.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_come_from_the_lists_validation_reads() {
        let values = status().enum_values.unwrap();
        assert_eq!(values.len(), STATUSES.len());
        assert_eq!(values[0], "saved");
        let values = work_mode().enum_values.unwrap();
        assert_eq!(values[0], "");
        let values = outcome_input().enum_values.unwrap();
        assert_eq!(values.last(), Some(&Value::Null));
    }
}
