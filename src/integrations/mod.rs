//! Each external service behind a trait, with its real implementations chosen by configuration
//! and an in-process fake for tests: the file store (local directory, S3-compatible) and mail
//! (files, SMTP, Postmark). The use cases in `services` hold them as trait objects.

pub mod files;
pub mod mail;
