//! Typed ids. A user's id travels with every read and write of their records, so a record is
//! only ever found together with its owner; a type of its own keeps it from being mixed up with
//! the id of a record.

use std::fmt;

/// The id of a user account (a UUIDv7 as text).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    /// A new, time-ordered id.
    pub fn generate() -> Self {
        UserId(uuid::Uuid::now_v7().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An id read back from the database or a session (already known to be a user's).
impl From<String> for UserId {
    fn from(stored: String) -> Self {
        UserId(stored)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for UserId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}
