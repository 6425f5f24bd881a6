//! Validation errors keyed by field, shared by HTML forms (message beside the field) and the API
//! (`error.fields`).

use std::collections::BTreeMap;

use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    /// Record the first problem found with `field`; later ones are less useful to show.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_owned()).or_insert_with(|| message.into());
    }

    /// Keep the value of a parse, or record its error under `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    /// Put `other`'s messages over these: each of its fields shows its message, not ours.
    pub fn overlay(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// Each field and its message, in field order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(field, message)| (field.as_str(), message.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overlay_replaces_only_the_fields_it_names() {
        let mut errors = FieldErrors::single("start_date", "strict");
        errors.add("role", "Enter your role.");
        let mut read = FieldErrors::single("start_date", "lenient");
        read.add("end_date", "There is no 31 February 2019.");
        errors.overlay(read);
        assert_eq!(errors.get("start_date"), Some("lenient"));
        assert_eq!(errors.get("role"), Some("Enter your role."));
        assert_eq!(errors.get("end_date"), Some("There is no 31 February 2019."));
    }
}
