//! standard.site publishing (issue 15 item 5): what needs no Bluesky server. The verification
//! document and the `<link>` tags follow the rows the publisher keeps; the publisher leaves
//! accounts with nothing to do alone, and an account whose session is gone is marked for
//! reconnection without stopping the pass. (Writing records needs a real session, which needs
//! the OAuth sign-in: that runs against the dev network, not here.)

use std::time::Duration;

use careerlog::db::leases;
use careerlog::services::standard_site::{publish_pass, PublishReport};
use serde_json::json;

use crate::career::{api_for, Api};
use crate::on_both_databases;
use crate::support::{visitor_get, TestApp};

on_both_databases!(
    the_publication_is_verified_only_while_the_journal_is_public_and_published,
    an_entry_page_links_its_document_only_once_the_record_was_written,
    a_pass_leaves_accounts_with_nothing_to_do_alone_and_marks_a_lost_session_for_reconnection,
    a_pass_skips_an_account_another_instance_is_writing,
);

const DID: &str = "did:plc:adatestpublisher";
const PUBLICATION: &str = "at://did:plc:adatestpublisher/site.standard.publication/3lbqtestpub22";
const WELL_KNOWN: &str = "/.well-known/site.standard.publication/u/ada/journal";

struct Ada {
    api: Api,
    user_id: String,
}

/// Ada, with a public journal holding one public entry and one private one.
async fn ada(app: &TestApp) -> Ada {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(app).await;
    let (status, body) =
        api.patch("/profile", json!({"username": "ada", "display_name": "Ada Lovelace", "journal_public": true})).await;
    assert_eq!(status, 200, "{body}");
    let user_id = app.scalar_text("SELECT id FROM users").await;
    Ada { api, user_id }
}

/// A journal entry; its id and slug.
async fn entry(api: &Api, title: &str, public: bool) -> (String, String) {
    let created = api
        .create(
            "/journal",
            json!({"title": title, "entry_date": "2026-12-01", "body": "Notes **in Markdown**.", "is_public": public}),
        )
        .await;
    (created["id"].as_str().unwrap().to_owned(), created["slug"].as_str().unwrap().to_owned())
}

/// Ada's Bluesky account as linking leaves it, with the publishing columns as given. No session
/// row: the tokens come from a real sign-in.
async fn link(app: &TestApp, user_id: &str, publishing: bool, publication: Option<&str>) {
    let now = app.state.clock.now();
    sqlx::query(
        "INSERT INTO bluesky_accounts (did, user_id, handle, pds_url, status, publishing, publication_uri, created_at, updated_at)
         VALUES ($1, $2, 'ada.test', 'https://pds.invalid', 'connected', $3, $4, $5, $5)",
    )
    .bind(DID)
    .bind(user_id)
    .bind(i64::from(publishing))
    .bind(publication)
    .bind(now)
    .execute(app.state.db.pool())
    .await
    .unwrap();
}

async fn set(app: &TestApp, sql: &str) {
    sqlx::query(sql).execute(app.state.db.pool()).await.expect(sql);
}

/// One pass, waiting for one the app's own loop may be running to end.
async fn pass(app: &TestApp) -> PublishReport {
    for _ in 0..200 {
        let report = publish_pass(&app.state).await.expect("the pass runs");
        if report.ran {
            return report;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the publishing pass never got its turn");
}

async fn the_publication_is_verified_only_while_the_journal_is_public_and_published(app: TestApp) {
    let ada = ada(&app).await;
    entry(&ada.api, "Why we rewrote the planner", true).await;
    assert_eq!(visitor_get(&app, WELL_KNOWN).await.0, 404, "no Bluesky account");

    link(&app, &ada.user_id, false, Some(PUBLICATION)).await;
    assert_eq!(visitor_get(&app, WELL_KNOWN).await.0, 404, "publishing is off (the record is being taken down)");

    set(&app, "UPDATE bluesky_accounts SET publishing = 1, publication_uri = NULL").await;
    assert_eq!(visitor_get(&app, WELL_KNOWN).await.0, 404, "on, but the record is not written yet");

    set(&app, &format!("UPDATE bluesky_accounts SET publication_uri = '{PUBLICATION}'")).await;
    let response = app.new_browser().get(app.url(WELL_KNOWN)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert_eq!(response.text().await.unwrap(), PUBLICATION, "the AT-URI alone");
    let (_, journal) = visitor_get(&app, "/u/ada/journal").await;
    assert!(journal.contains(&format!(r#"<link rel="site.standard.publication" href="{PUBLICATION}">"#)), "{journal}");

    assert_eq!(visitor_get(&app, "/.well-known/site.standard.publication").await.0, 404, "only under the journal");
    assert_eq!(visitor_get(&app, "/.well-known/site.standard.publication/u/nobody/journal").await.0, 404);

    let (status, _) = ada.api.patch("/profile", json!({"journal_public": false})).await;
    assert_eq!(status, 200);
    assert_eq!(visitor_get(&app, WELL_KNOWN).await.0, 404, "a private journal is no publication");
}

async fn an_entry_page_links_its_document_only_once_the_record_was_written(app: TestApp) {
    let ada = ada(&app).await;
    let (written_id, written_slug) = entry(&ada.api, "Why we rewrote the planner", true).await;
    let (failed_id, failed_slug) = entry(&ada.api, "What the benchmarks said", true).await;
    link(&app, &ada.user_id, true, Some(PUBLICATION)).await;
    let document = "at://did:plc:adatestpublisher/site.standard.document/3lbqtestdoc22";
    let tag = format!(r#"<link rel="site.standard.document" href="{document}">"#);

    let (status, page) = visitor_get(&app, &format!("/u/ada/journal/{written_slug}")).await;
    assert_eq!(status, 200);
    assert!(!page.contains(r#"rel="site.standard.document""#), "nothing written yet");
    assert!(page.contains(&format!(r#"<link rel="site.standard.publication" href="{PUBLICATION}">"#)));

    let now = app.state.clock.now();
    let pool = app.state.db.pool();
    let user_id = careerlog::domain::UserId::from(ada.user_id.clone());
    careerlog::db::bluesky::document_written(pool, &user_id, &written_id, "3lbqtestdoc22", document, now)
        .await
        .unwrap();
    careerlog::db::bluesky::document_failed(pool, &user_id, &failed_id, "3lbqtestdoc33", "refused", now, now)
        .await
        .unwrap();

    let (_, page) = visitor_get(&app, &format!("/u/ada/journal/{written_slug}")).await;
    assert!(page.contains(&tag), "{page}");
    let head = page.split("</head>").next().unwrap();
    assert!(head.contains(&tag), "the tag is in the head");
    let (_, failed) = visitor_get(&app, &format!("/u/ada/journal/{failed_slug}")).await;
    assert!(!failed.contains(r#"rel="site.standard.document""#), "a record that failed to be written is not linked");
}

async fn a_pass_leaves_accounts_with_nothing_to_do_alone_and_marks_a_lost_session_for_reconnection(app: TestApp) {
    let ada = ada(&app).await;
    entry(&ada.api, "Why we rewrote the planner", true).await;
    entry(&ada.api, "Thoughts on my manager", false).await;
    link(&app, &ada.user_id, false, None).await;

    // Off, nothing published: the account is not even looked at.
    let report = pass(&app).await;
    assert_eq!((report.accounts_with_work, report.accounts_failed), (0, 0));

    // On, but the journal is private: nothing can be published, so Bluesky is not asked.
    let (status, _) = ada.api.patch("/profile", json!({"journal_public": false})).await;
    assert_eq!(status, 200);
    set(&app, "UPDATE bluesky_accounts SET publishing = 1").await;
    let report = pass(&app).await;
    assert_eq!((report.accounts_with_work, report.accounts_failed), (0, 0));
    assert_eq!(app.scalar_text("SELECT status FROM bluesky_accounts").await, "connected");

    // With the journal public there is work, and no session to do it with.
    let (status, _) = ada.api.patch("/profile", json!({"journal_public": true})).await;
    assert_eq!(status, 200);
    let report = pass(&app).await;
    assert_eq!((report.accounts_with_work, report.accounts_failed, report.documents_written), (1, 1, 0));
    assert_eq!(app.scalar_text("SELECT status FROM bluesky_accounts").await, "reconnect");
    let error = app.scalar_text("SELECT publication_error FROM bluesky_accounts").await;
    assert!(error.contains("Reconnect"), "{error}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM bluesky_accounts WHERE publication_uri IS NULL").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM standard_site_documents").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM job_leases WHERE name LIKE 'bluesky:%'").await, 0, "lease released");

    // The account waits for its owner to reconnect; the pass and the site go on.
    let report = pass(&app).await;
    assert_eq!((report.accounts_with_work, report.accounts_failed), (0, 0));
    assert_eq!(visitor_get(&app, "/u/ada/journal").await.0, 200);
}

async fn a_pass_skips_an_account_another_instance_is_writing(app: TestApp) {
    let ada = ada(&app).await;
    entry(&ada.api, "Why we rewrote the planner", true).await;
    link(&app, &ada.user_id, true, None).await;
    let now = app.state.clock.now();
    let lease = format!("bluesky:{DID}");
    let pool = app.state.db.pool();
    assert!(leases::try_acquire(pool, &lease, "instance-b", now, now.plus(Duration::from_secs(600))).await.unwrap());

    let report = pass(&app).await;
    assert_eq!((report.accounts_busy, report.accounts_with_work, report.accounts_failed), (1, 0, 0));
    assert_eq!(app.scalar_text("SELECT status FROM bluesky_accounts").await, "connected", "left to instance B");

    leases::release(pool, &lease, "instance-b").await.unwrap();
    let report = pass(&app).await;
    assert_eq!((report.accounts_busy, report.accounts_with_work), (0, 1));
}
