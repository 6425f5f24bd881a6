//! Careerlog's integration tests: one binary, each test against a real server on a random port,
//! on SQLite and on PostgreSQL.

mod support;
mod support_tickets;

mod accounts;
mod ai;
mod ai_labels;
mod ai_prep;
mod analytics;
mod api;
mod bluesky;
mod browser;
mod calendar;
mod career;
mod connections;
mod devnet;
mod education;
mod email_change;
mod fake_google;
mod files;
mod google;
mod google_calendar;
mod housekeeping;
mod imports;
mod interviews;
mod jobs;
mod layers;
mod lenient;
mod mail;
mod mail_outbox;
mod metrics;
mod migrations;
mod openapi;
mod polish;
mod privacy;
mod public;
mod resume;
mod resume_documents;
mod resume_parse;
mod search;
mod security;
mod standard_site;
mod uploads;
mod user_data;
