//! External services, each behind a trait with a real implementation chosen by configuration.

pub mod accounts;
pub mod analytics;
pub mod files;
pub mod images;
pub mod mail;
pub mod passwords;
pub mod throttle;
pub mod uploads;
