//! The privacy page (issue 14, item 7): `/privacy` says what this instance does, from its running
//! configuration, to everyone, linked from every page's footer, and never shows a credential.

use crate::on_both_databases;
use crate::support::{visitor_get, Backend, TestApp};

on_both_databases!(the_privacy_page_states_the_defaults_and_is_linked_from_every_footer,);

async fn the_privacy_page_states_the_defaults_and_is_linked_from_every_footer(app: TestApp) {
    let (status, page) = visitor_get(&app, "/privacy").await;
    assert_eq!(status, 200, "open to visitors");
    match app.backend {
        Backend::Sqlite => assert!(page.contains("A SQLite file on this server")),
        Backend::Postgres => {
            assert!(page.contains("A PostgreSQL server at 127.0.0.1:5432."), "{page}");
            let url = app.database_url.clone().unwrap();
            let database = url.rsplit('/').next().unwrap();
            assert!(!page.contains(database), "the database's name and user stay private");
        }
    }
    for fact in [
        "This server&#39;s own disk.",
        "No mail service",
        "no AI provider is set up, so nothing is ever sent anywhere for AI",
        "Email address and password, or a Bluesky account",
        "never reads your feed or messages",
        "careerlog_session",
        "careerlog_bluesky",
        "A Bluesky sign-in not finished at Bluesky",
        "10 minutes",
        "careerlog_csrf",
        "30 minutes",
        "15 minutes",
        "24 hours",
        "A mail waiting to be sent",
        "when the provider refuses it for good, then kept 30 days",
    ] {
        assert!(page.contains(fact), "{fact:?} missing from the privacy page");
    }

    // Every kind of page links to it: signed out, signed in, and a public resume.
    app.signed_up_user("ada@example.com").await;
    for path in ["/", "/login", "/signup"] {
        let (_, html) = visitor_get(&app, path).await;
        assert!(html.contains(r#"<a href="/privacy">Privacy</a>"#), "{path} has no privacy link");
    }
    let (_, home) = app.get_text("/").await;
    assert!(home.contains(r#"<a href="/privacy">Privacy</a>"#));
    let (_, preview) = app.get_text("/resume").await;
    assert!(preview.contains(r#"<a href="/privacy">Privacy</a>"#));
}

/// With providers switched on, the page names each one and what it receives, and none of the
/// secrets that configure them.
#[tokio::test]
async fn the_privacy_page_names_the_configured_providers_and_no_secret() {
    let Some(app) = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            "--file-store",
            "s3",
            "--s3-endpoint",
            "http://127.0.0.1:9",
            "--s3-bucket",
            "cv-files",
            "--s3-region",
            "eu-west-3",
            "--s3-path-style",
            "--s3-access-key-id",
            "AKIDPRIVACYTEST",
            "--s3-secret-access-key",
            "s3-secret-never-shown",
            "--ai-provider",
            "openai-compatible",
            "--ai-base-url",
            "http://user:ai-password@127.0.0.1:11434/v1",
            "--ai-model",
            "llama3.1:8b",
            "--ai-api-key",
            "ai-key-never-shown",
            "--mail-transport",
            "smtp",
            "--smtp-host",
            "mail.internal.example",
            "--smtp-username",
            "smtp-user-never-shown",
            "--smtp-password",
            "smtp-password-never-shown",
        ],
    )
    .await
    else {
        return;
    };
    let (status, page) = visitor_get(&app, "/privacy").await;
    assert_eq!(status, 200);
    for fact in [
        "The S3-compatible bucket “cv-files” at 127.0.0.1:9 (region eu-west-3).",
        "A model server (llama3.1:8b) at 127.0.0.1:11434",
        "Only when you ask for an AI feature",
        "The mail server mail.internal.example.",
    ] {
        assert!(page.contains(&askama_escaped(fact)), "{fact:?} missing from:\n{page}");
    }
    for secret in [
        "AKIDPRIVACYTEST",
        "s3-secret-never-shown",
        "ai-password",
        "ai-key-never-shown",
        "smtp-user-never-shown",
        "smtp-password-never-shown",
    ] {
        assert!(!page.contains(secret), "{secret} is on the privacy page");
    }
}

fn askama_escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('\'', "&#39;").replace('"', "&quot;")
}
