//! Support tickets: what a person writes to the instance's administrators, as typed and as
//! validated.

use crate::domain::fields::{required_line, text};
use crate::domain::{Email, FieldErrors};

crate::closed_set! {
    /// What a ticket is about.
    pub enum TicketCategory {
        Question = ("question", "A question"),
        DeleteAccount = ("delete_account", "Delete my account"),
    }
}

crate::closed_set! {
    /// Where a ticket stands: waiting for an administrator, answered by one, or closed.
    pub enum TicketStatus {
        Open = ("open", "Open"),
        Answered = ("answered", "Answered"),
        Closed = ("closed", "Closed"),
    }
}

pub const SUBJECT_MAX: usize = 200;
pub const MESSAGE_MAX: usize = 10_000;

/// The support form as typed, kept whole when it comes back with messages.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct TicketDraft {
    /// A visitor's address (a signed-in person's is their account's).
    pub email: String,
    pub category: String,
    pub subject: String,
    pub message: String,
}

/// A ticket fit to store.
#[derive(Debug, Clone)]
pub struct TicketInput {
    pub email: Option<Email>,
    pub category: TicketCategory,
    pub subject: String,
    pub message: String,
}

impl TicketDraft {
    /// Validate; `needs_email` for a visitor, who must give an address to be answered at.
    pub fn validate(&self, needs_email: bool) -> Result<TicketInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = if needs_email { errors.check("email", Email::parse(&self.email)) } else { None };
        let category = match TicketCategory::parse(&self.category) {
            Some(category) => Some(category),
            None if self.category.trim().is_empty() => Some(TicketCategory::Question),
            None => {
                errors.add("category", "Choose what this is about.");
                None
            }
        };
        let subject = errors.check("subject", required_line(&self.subject, SUBJECT_MAX, "a subject"));
        let message = errors.check("message", message_text(&self.message));
        match (category, subject, message) {
            (Some(category), Some(subject), Some(message)) if errors.is_empty() => {
                Ok(TicketInput { email, category, subject, message })
            }
            _ => Err(errors),
        }
    }
}

/// A message in a ticket's thread: required, at most [`MESSAGE_MAX`] characters.
pub fn message_text(input: &str) -> Result<String, String> {
    let value = text(input, MESSAGE_MAX)?;
    if value.trim().is_empty() {
        return Err("Write a message.".into());
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visitor_must_give_an_address_and_everything_is_checked() {
        let draft = TicketDraft { subject: " ".into(), message: "x".repeat(MESSAGE_MAX + 1), ..Default::default() };
        let errors = draft.validate(true).unwrap_err();
        assert!(errors.get("email").is_some());
        assert!(errors.get("subject").is_some());
        assert!(errors.get("message").is_some());
        let fine = TicketDraft {
            email: "Ada@Example.com".into(),
            category: "delete_account".into(),
            subject: "Please".into(),
            message: "Remove it".into(),
        };
        let input = fine.validate(true).unwrap();
        assert_eq!(input.category, TicketCategory::DeleteAccount);
        assert_eq!(input.email.unwrap().as_str(), "ada@example.com");
        let odd = TicketDraft { category: "<script>".into(), ..fine };
        assert!(odd.validate(false).unwrap_err().get("category").is_some());
    }
}
