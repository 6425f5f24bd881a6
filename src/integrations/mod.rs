//! Each external service behind a trait, with its real implementations chosen by configuration
//! and an in-process fake for tests: the file store (local directory, S3-compatible), mail
//! (files, SMTP, Postmark) and AI (Anthropic, OpenAI-compatible). The use cases in `services`
//! hold them as trait objects. Google Calendar (read only) is a plain client whose base URL tests
//! point at a fake Google. Error reports go to the operator's Sentry through the process-wide
//! client of `error_reports`, scrubbed of personal data on their way out. Pages named by users
//! (job postings) are fetched by `web_pages`, behind the guard against server-side request
//! forgery that Bluesky's client shares (`guarded_http`).

pub mod ai;
pub mod bluesky;
pub mod calendar;
pub mod error_reports;
pub mod files;
pub mod guarded_http;
pub mod mail;
pub mod oidc;
pub mod web_pages;
