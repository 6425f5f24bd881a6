//! The layers keep their arrows pointing one way (see ARCHITECTURE.md): web → services → db →
//! domain. A plain scan of the sources fails the build when a module below the web layer names
//! the web layer, the shared web state or the composition root, or when HTTP or database types
//! leak downwards, so the structure cannot quietly decay.

use std::path::{Path, PathBuf};

/// Everything above a layer: what it may never name.
const ABOVE_SERVICES: &[&str] = &["crate::web", "crate::app", "crate::cli", "crate::state", "crate::housekeeping"];

/// `(files under src/, the names they must not use)`.
fn rules() -> Vec<(&'static str, Vec<&'static str>)> {
    let with = |extra: &[&'static str]| ABOVE_SERVICES.iter().chain(extra).copied().collect::<Vec<_>>();
    vec![
        // Plain types and validation: no I/O, no HTTP, no SQL, nothing above.
        ("domain/", with(&["crate::db", "crate::services", "axum", "sqlx", "tokio", "reqwest"])),
        // SQL only.
        ("db/", with(&["crate::services", "axum"])),
        // Each external service behind its trait: below the use cases.
        ("integrations/", with(&["crate::services", "axum"])),
        // Use cases: no HTTP types; they answer ServiceError, never the web's AppError.
        ("services/", with(&["axum", "AppError"])),
        // Resume text extraction and parsing: pure functions over bytes, no storage, no HTTP.
        ("resume/", with(&["crate::db", "crate::services", "crate::integrations", "axum", "sqlx"])),
        // Background work: below the web layer, beside the use cases.
        ("housekeeping.rs", vec!["crate::web", "crate::app", "crate::cli", "crate::state", "axum"]),
        // Backups and restores: beside housekeeping, below the web layer and the composition root.
        ("backup/", vec!["crate::web", "crate::app", "crate::cli", "crate::state", "axum"]),
        // The shared state is read by the web layer; it knows nothing of HTTP.
        // The render cache of public pages: bytes and change counts, no HTTP.
        ("page_cache.rs", vec!["crate::web", "crate::app", "crate::cli", "crate::state", "axum"]),
        ("state.rs", vec!["crate::web", "crate::app", "crate::cli", "axum"]),
        ("clock.rs", with(&["crate::db", "crate::services", "axum"])),
        ("secrets.rs", with(&["crate::db", "crate::services", "axum"])),
        ("config.rs", with(&["crate::db", "crate::services", "axum"])),
        // The web layer is built by the composition root, never the other way round, and it
        // writes only through the use cases: it never opens a write transaction itself.
        ("web/", vec!["crate::app", "crate::cli", "begin_write"]),
    ]
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the source folder can be read") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The code without its comments, so that a doc comment may mention what the code may not use.
fn code_of(source: &str) -> String {
    source.lines().map(|line| line.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

/// Does `code` name `forbidden`: `crate::web` directly, in a grouped import (`crate::{db, web}`),
/// or a crate or type name as a whole word?
fn names(code: &str, forbidden: &str) -> bool {
    let word = |name: &str| format!(r"(^|[^A-Za-z0-9_:]){}\b", regex::escape(name));
    let pattern = match forbidden.strip_prefix("crate::") {
        Some(module) => format!(r"{}|crate::\{{[^}}]*\b{}\b", word(forbidden), regex::escape(module)),
        None => word(forbidden),
    };
    regex::Regex::new(&pattern).expect("a valid pattern").is_match(code)
}

/// Every module below `web` keeps to its layer.
#[test]
fn modules_below_the_web_layer_never_name_the_layers_above_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let rules = rules();
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let Some((_, forbidden)) = rules.iter().find(|(prefix, _)| relative.starts_with(prefix)) else { continue };
        checked += 1;
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        for name in forbidden {
            if names(&code, name) {
                broken.push(format!("src/{relative} names `{name}`"));
            }
        }
    }
    assert!(checked > 40, "the scan found only {checked} files: is src/ laid out as ARCHITECTURE.md says?");
    assert!(broken.is_empty(), "layering broken (see ARCHITECTURE.md):\n  {}", broken.join("\n  "));
}

#[test]
fn the_layer_scan_sees_direct_grouped_and_bare_names() {
    assert!(names("use crate::web::error::AppError;", "crate::web"));
    assert!(names("use crate::{db, web};", "crate::web"));
    assert!(names("fn f() -> Result<(), AppError> {}", "AppError"));
    assert!(names("let x = axum::http::StatusCode::OK;", "axum"));
    assert!(!names("use crate::webhooks::Hook;", "crate::web"));
    assert!(!names("use crate::services::records::{self, web_safe};", "crate::web"));
    assert!(!names(&code_of("// not crate::web, just a comment"), "crate::web"));
}
