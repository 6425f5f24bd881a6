//! Plain types that parse and validate input once; no I/O here.

pub mod career;
pub mod email;
pub mod fields;
pub mod ical;
pub mod jobs;
pub mod markdown;
pub mod password;
pub mod token;
pub mod validation;

pub use email::Email;
pub use password::Password;
pub use validation::FieldErrors;
