//! Housekeeping: expired links, OAuth requests, sessions and old counters are deleted, by one
//! instance at a time. Promise (SPEC §B) 12: expired temporary data is cleaned up.

use std::time::Duration;

use careerlog::clock::Timestamp;
use careerlog::db::leases;
use careerlog::housekeeping::run as housekeeping;

use crate::on_both_databases;
use crate::support::TestApp;

on_both_databases!(
    promise_12_expired_links_oauth_requests_and_sessions_are_cleaned_up,
    only_one_instance_runs_housekeeping_at_a_time,
    files_whose_removal_failed_are_removed_by_housekeeping,
);

/// The app under test, without its own periodic housekeeping, so the test decides when it runs.
async fn without_background_jobs(app: TestApp) -> TestApp {
    TestApp::spawn_with(app.backend, &["--housekeeping-minutes", "0"]).await.unwrap()
}

async fn promise_12_expired_links_oauth_requests_and_sessions_are_cleaned_up(app: TestApp) {
    let app = without_background_jobs(app).await;
    app.signed_up_user("ada@example.com").await;
    app.submit("/forgot-password", "/forgot-password", &[("email", "ada@example.com")]).await;
    app.wait_for_mail("ada@example.com", "Reset").await;
    app.sign_out().await;
    app.sign_in("nobody@example.com", "a wrong password").await;
    app.sign_in("ada@example.com", "maple orbit lantern quietly").await;
    let now = app.state.clock.now();
    let user_id: String = sqlx::query_scalar("SELECT id FROM users").fetch_one(app.state.db.pool()).await.unwrap();
    sqlx::query("INSERT INTO oauth_requests (state_hash, provider, user_id, payload, created_at, expires_at) VALUES ($1, 'bluesky', $2, '{}', $3, $4)")
        .bind("state-1").bind(&user_id).bind(now).bind(now.plus(Duration::from_secs(600)))
        .execute(app.state.db.pool()).await.unwrap();

    // Nothing has expired yet: nothing goes.
    let report = housekeeping(&app.state).await.unwrap();
    assert!(report.ran);
    assert_eq!((report.verification_links, report.reset_links, report.oauth_requests, report.sessions), (0, 0, 0, 0));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM oauth_requests").await, 1);

    // Ten minutes on, the OAuth request has expired; the reset link (15 min) has not.
    app.clock.advance(Duration::from_secs(10 * 60 + 1));
    let report = housekeeping(&app.state).await.unwrap();
    assert_eq!(report.oauth_requests, 1);
    assert_eq!(report.reset_links, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM password_resets").await, 1);

    // A day later every link, the idle session and the old counters are gone.
    app.clock.advance(Duration::from_secs(24 * 3600));
    let report = housekeeping(&app.state).await.unwrap();
    assert_eq!(report.verification_links, 1);
    assert_eq!(report.reset_links, 1);
    assert_eq!(report.sessions, 1);
    assert!(report.throttle_buckets >= 1);
    for table in ["email_verifications", "password_resets", "oauth_requests", "sessions", "throttle_buckets"] {
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await, 0, "{table}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, 1, "accounts stay");
}

async fn only_one_instance_runs_housekeeping_at_a_time(app: TestApp) {
    let app = without_background_jobs(app).await;
    let pool = app.state.db.pool();
    let now = app.state.clock.now();
    let until = now.plus(Duration::from_secs(240));
    assert!(leases::try_acquire(pool, "housekeeping", "instance-b", now, until).await.unwrap());
    // Instance A (the app) finds the lease taken and skips.
    let report = housekeeping(&app.state).await.unwrap();
    assert!(!report.ran);
    // B may renew its own lease; A may not take it.
    assert!(leases::try_acquire(pool, "housekeeping", "instance-b", now, until).await.unwrap());
    assert!(!leases::try_acquire(pool, "housekeeping", "instance-a", now, until).await.unwrap());
    // Once B's lease runs out (B died), A takes over.
    app.clock.advance(Duration::from_secs(241));
    let report = housekeeping(&app.state).await.unwrap();
    assert!(report.ran);
    let later = Timestamp(app.state.clock.now().0 + 1);
    assert!(!leases::try_acquire(pool, "housekeeping", "instance-b", later, later.plus(Duration::from_secs(1)))
        .await
        .unwrap());
    leases::release(pool, "housekeeping", &app.state.instance_id).await.unwrap();
    assert!(leases::try_acquire(pool, "housekeeping", "instance-b", later, later.plus(Duration::from_secs(1)))
        .await
        .unwrap());
}

/// A file queued for removal (its row is gone, but the store could not be reached at the time)
/// is removed by the next housekeeping pass, and the queue empties.
async fn files_whose_removal_failed_are_removed_by_housekeeping(app: TestApp) {
    let app = without_background_jobs(app).await;
    let key = "u/0190d5d0-0000-7000-8000-000000000000/0190d5d0-0000-7000-8000-000000000001.jpg";
    app.state.files.put(key, bytes::Bytes::from_static(b"jpeg bytes"), "image/jpeg").await.unwrap();
    sqlx::query("INSERT INTO file_deletions (storage_key, remove_after) VALUES ($1, $2)")
        .bind(key)
        .bind(app.state.clock.now())
        .execute(app.state.db.pool())
        .await
        .unwrap();

    let report = housekeeping(&app.state).await.unwrap();
    assert_eq!(report.files_removed, 1);
    assert!(app.state.files.get(key).await.unwrap().is_none(), "the file is gone from the store");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM file_deletions").await, 0, "and from the queue");
}
