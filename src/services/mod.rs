//! The use cases: what the web pages, the API, the command line, importers and background work
//! all call to read and change data. They take the [`Handles`] they need (never the web state)
//! and answer [`ServiceError`]s, which the web layer maps to HTTP.

pub mod account_deletion;
pub mod accounts;
pub mod admin;
pub mod ai;
pub mod analytics;
pub mod api_tokens;
pub mod bluesky;
pub mod calendar;
pub mod calendar_sync;
pub mod documents;
pub mod error;
pub mod images;
pub mod imports;
pub mod interview_suggestions;
pub mod job_postings;
pub mod journal;
pub mod label_ai;
pub mod labels;
pub mod mail_outbox;
pub mod memory;
pub mod offers;
pub mod oidc;
pub mod opportunities;
pub mod passwords;
pub mod prep;
pub mod profiles;
pub mod records;
pub mod reminders;
pub mod resume_export;
pub mod resume_versions;
pub mod search;
pub mod standard_site;
pub mod support;
pub mod tasks;
pub mod throttle;
pub mod uploads;
pub mod user_data;

use std::sync::Arc;
use std::time::Duration;

use url::Url;

pub use error::{ServiceError, ServiceResult};

use crate::clock::Clock;
use crate::db::Db;
use crate::secrets::DerivedKey;

/// The shared handles the use cases work with: the database, the clock, the file store, the
/// mailer, keys, and the few limits they enforce.
pub struct Handles {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub mailer: Arc<dyn crate::integrations::mail::Mailer>,
    /// Where uploaded files are kept.
    pub files: Arc<dyn crate::integrations::files::FileStore>,
    pub hasher: passwords::PasswordHasher,
    /// The public URL every link is built from (never a request's Host header).
    pub base_url: Url,
    pub throttle_key: DerivedKey,
    /// Keys the daily visitor hashes of page-view analytics.
    pub analytics_key: DerivedKey,
    /// Seals what is kept for a while but never in clear (resume imports awaiting review).
    pub field_key: DerivedKey,
    /// Page views on their way to the database.
    pub analytics: analytics::Analytics,
    /// Names this process when it holds a job lease.
    pub instance_id: String,
    pub limits: Limits,
    /// The AI provider, when this instance has one (`--ai-provider`).
    pub ai: Option<Arc<dyn crate::integrations::ai::AiProvider>>,
    /// The Bluesky OAuth client, when this instance can be one (an https base URL, or loopback).
    pub bluesky: Option<Arc<crate::integrations::bluesky::Bluesky>>,
    /// Google and the other OpenID Connect providers configured (maybe none).
    pub oidc: Arc<crate::integrations::oidc::OidcProviders>,
    /// The Google Calendar API the calendar sync reads.
    pub calendar_api: Url,
    /// What `/metrics` reports: requests, and the background jobs' runs.
    pub metrics: crate::metrics::Metrics,
    /// Wakes the mail sender after a commit that queued mail.
    pub outbox: mail_outbox::Outbox,
    /// Fetches the job postings users name, guarded (`--url-fetch-allow-private`).
    pub pages: Arc<crate::integrations::web_pages::PageFetcher>,
}

/// Limits and periods from the configuration that the use cases enforce.
#[derive(Debug, Clone)]
pub struct Limits {
    pub upload_max_bytes: usize,
    pub session_idle: Duration,
    pub analytics_retention: Duration,
    pub housekeeping_every: Duration,
    /// AI runs one user may start per hour.
    pub ai_runs_per_hour: u32,
    /// How long one AI run may take.
    pub ai_timeout: Duration,
    /// Tokens one user may use per calendar month unless an administrator set their own; 0: no limit.
    pub ai_monthly_tokens: u64,
    /// How often one calendar is read (`--calendar-sync-minutes`).
    pub calendar_sync_every: Duration,
}
