//! Plain types that parse and validate input once; no I/O here.

pub mod bluesky;
pub mod career;
pub mod choice;
pub mod contacts;
pub mod email;
pub mod fields;
pub mod ical;
pub mod ids;
pub mod imports;
pub mod interview_detection;
pub mod interviews;
pub mod label_ai;
pub mod lenient;
pub mod markdown;
pub mod notes;
pub mod offers;
pub mod opportunities;
pub mod password;
pub mod preferences;
pub mod prep;
pub mod profile;
pub mod records;
pub mod schema;
pub mod search;
pub mod support;
pub mod token;
pub mod validation;

pub use email::Email;
pub use ids::UserId;
pub use password::Password;
pub use validation::FieldErrors;
