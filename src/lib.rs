//! Careerlog: a private home for a person's working life, with an opt-in public face.
//!
//! The binary (`src/main.rs`) only parses the command line; everything else lives here so that
//! integration tests can build the same application on a random port.

pub mod app;
pub mod backup;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod housekeeping;
pub mod integrations;
pub mod metrics;
pub mod page_cache;
pub mod resume;
pub mod secrets;
pub mod server;
pub mod services;
pub mod state;
pub mod web;

#[cfg(test)]
pub(crate) mod testing;

pub use app::Application;
pub use config::Config;
