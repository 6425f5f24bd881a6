//! A task: something to do, by a day or not, on its own or for one of the user's opportunities.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::fields::{self, checkbox, nullable_text, set, PartialDate};
use crate::domain::lenient::{self, TypedInput};
use crate::domain::opportunities::SNOOZE_DAYS;
use crate::domain::records::Draft;
use crate::domain::records::{DESCRIPTION, SHORT};
use crate::domain::FieldErrors;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TaskDraft {
    pub title: String,
    /// `YYYY-MM-DD`, or empty for no day.
    pub due_on: String,
    #[serde(deserialize_with = "checkbox")]
    pub done: bool,
    /// One of the user's opportunities, or empty for a task of its own.
    pub opportunity_id: String,
    pub notes: String,
}

/// A task as the API takes it: `title` is needed on create; on PATCH only the fields sent
/// change, and `null` clears `due_on`, `opportunity_id` or `notes`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskWrite {
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub title: Option<String>,
    /// `YYYY-MM-DD`: the day it is due.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::day_or_null)]
    pub due_on: Option<String>,
    pub done: Option<bool>,
    /// The opportunity it is for (one of yours), or `null`.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(format = Uuid)]
    pub opportunity_id: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub notes: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TaskInput {
    pub title: String,
    pub due_on: Option<PartialDate>,
    pub done: bool,
    pub opportunity_id: Option<String>,
    pub notes: String,
}

impl TaskDraft {
    /// A new task for `opportunity_id` (empty for none).
    pub fn for_opportunity(opportunity_id: &str) -> Self {
        TaskDraft { opportunity_id: opportunity_id.to_owned(), ..TaskDraft::default() }
    }
}

impl Draft for TaskDraft {
    type Write = TaskWrite;
    type Input = TaskInput;

    fn apply(&mut self, write: TaskWrite) {
        set(&mut self.title, write.title);
        set(&mut self.due_on, write.due_on);
        set(&mut self.done, write.done);
        set(&mut self.opportunity_id, write.opportunity_id);
        set(&mut self.notes, write.notes);
    }

    fn read_typed(&mut self, _typed: &TypedInput) -> FieldErrors {
        let mut e = FieldErrors::new();
        lenient::read_day(&mut e, "due_on", &mut self.due_on);
        e
    }

    fn validate(&self) -> Result<TaskInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.check("title", fields::required_line(&self.title, SHORT, "what there is to do"));
        let due_on =
            if self.due_on.trim().is_empty() { None } else { e.check("due_on", PartialDate::parse_day(&self.due_on)) };
        let opportunity_id = self.opportunity_id.trim().to_ascii_lowercase();
        let opportunity_id = if opportunity_id.is_empty() {
            None
        } else if uuid::Uuid::parse_str(&opportunity_id).is_ok() {
            Some(opportunity_id)
        } else {
            e.add("opportunity_id", "Choose one of your opportunities.");
            None
        };
        let notes = e.check("notes", fields::text(&self.notes, DESCRIPTION));
        if !e.is_empty() {
            return Err(e);
        }
        Ok(TaskInput {
            title: title.unwrap_or_default(),
            due_on,
            done: self.done,
            opportunity_id,
            notes: notes.unwrap_or_default(),
        })
    }
}

/// `days` as typed into the form that puts a task off, if it is one of the choices it offers
/// (the same as for an opportunity's next action).
pub fn snooze_days(days: &str) -> Option<i64> {
    let days: i64 = days.trim().parse().ok()?;
    SNOOZE_DAYS.iter().any(|(choice, _)| *choice == days).then_some(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_needs_a_title_and_takes_a_day_and_an_opportunity_as_ids() {
        let errors = TaskDraft { due_on: "someday".into(), opportunity_id: "acme".into(), ..TaskDraft::default() }
            .validate()
            .unwrap_err();
        for field in ["title", "due_on", "opportunity_id"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let id = "0190f0b4-7d3c-7a1e-9a51-6c1d2b3e4f50";
        let task = TaskDraft {
            title: "  Send the portfolio ".into(),
            due_on: "2026-12-07".into(),
            opportunity_id: id.to_uppercase(),
            ..TaskDraft::default()
        }
        .validate()
        .unwrap();
        assert_eq!(task.title, "Send the portfolio");
        assert_eq!(task.due_on.map(|d| d.to_string()).as_deref(), Some("2026-12-07"));
        assert_eq!(task.opportunity_id.as_deref(), Some(id));
        assert!(!task.done);
    }

    #[test]
    fn a_patch_changes_only_what_it_names_and_null_clears() {
        let mut draft = TaskDraft { title: "Call Ada".into(), due_on: "2026-12-07".into(), ..TaskDraft::default() };
        draft.apply(TaskWrite { done: Some(true), due_on: Some(String::new()), ..TaskWrite::default() });
        let task = draft.validate().unwrap();
        assert_eq!(task.title, "Call Ada");
        assert!(task.done);
        assert!(task.due_on.is_none());
    }

    #[test]
    fn only_the_offered_snooze_choices_are_taken() {
        assert_eq!(snooze_days("7"), Some(7));
        assert_eq!(snooze_days("5"), None);
        assert_eq!(snooze_days("-1"), None);
        assert_eq!(snooze_days("soon"), None);
    }
}
