//! Issue 17, item 4 (a first part): `/metrics` behind `--metrics-token`, requests counted by
//! route template, and `/readyz`.

use reqwest::StatusCode;

use crate::support::{location, Backend, TestApp};

crate::on_both_databases!(without_a_token_there_are_no_metrics_and_readiness_checks_the_migrations);
crate::on_both_backends!(metrics_need_the_token_and_name_routes_never_paths);

const TOKEN: &str = "metrics-token-for-tests-7c1e";

async fn without_a_token_there_are_no_metrics_and_readiness_checks_the_migrations(app: TestApp) {
    assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND);
    let with_header = app.client.get(app.url("/metrics")).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(with_header.status(), StatusCode::NOT_FOUND);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.text().await.unwrap(), r#"{"status":"ready"}"#);
    // A database behind this build's migrations is not ready.
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let behind = app.get("/readyz").await;
    assert_eq!(behind.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(behind.text().await.unwrap().contains("migrations pending"));
    // The cheap health check does not look at migrations.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

async fn metrics_need_the_token_and_name_routes_never_paths(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, &["--metrics-token", TOKEN]).await else { return };
    let scrape = |token: Option<&str>| {
        let mut request = app.new_browser().get(app.url("/metrics"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let missing = scrape(None).await.unwrap();
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");
    assert_eq!(scrape(Some("wrong")).await.unwrap().status(), StatusCode::UNAUTHORIZED);

    // Ada works on an opportunity; a visitor asks for a page that is not there.
    app.signed_up_user("ada@example.com").await;
    let created = app
        .submit(
            "/opportunities/new",
            "/opportunities",
            &[("company", "Globex"), ("role", "Staff Engineer"), ("status", "saved")],
        )
        .await;
    let page = location(&created);
    let id = page.trim_start_matches("/opportunities/").split('?').next().unwrap().to_owned();
    assert_eq!(app.get(&format!("/opportunities/{id}")).await.status(), StatusCode::OK);
    assert_eq!(app.get("/no/such/page?email=ada@example.com").await.status(), StatusCode::NOT_FOUND);

    let answer = scrape(Some(TOKEN)).await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = answer.text().await.unwrap();
    assert!(
        text.contains(r#"careerlog_http_requests_total{method="GET",route="/opportunities/{id}",status="200"} 1"#),
        "{text}"
    );
    assert!(text.contains(r#"careerlog_http_requests_total{method="POST",route="/opportunities",status="303"} 1"#));
    assert!(text.contains(r#"route="unmatched",status="404"}"#));
    assert!(text.contains(r#"careerlog_http_request_duration_seconds_count{route="/opportunities/{id}"} 1"#));
    assert!(text.contains("# TYPE careerlog_http_request_duration_seconds histogram"));
    assert!(text.contains("careerlog_db_pool_max_connections 4"));
    assert!(text.contains(r#"careerlog_db_pool_connections{state="idle"}"#));
    // The sign-up's mail went through the outbox: nothing waits, nothing failed.
    assert!(text.contains("# TYPE careerlog_mail_outbox_depth gauge\ncareerlog_mail_outbox_depth 0\n"), "{text}");
    assert!(text.contains("careerlog_mail_outbox_failed 0\n"));
    assert!(text.contains(r#"careerlog_job_runs_total{job="mail_delivery",outcome="ok"} 1"#));
    // Nothing a user sent or owns is a label: no id, no address, no path as typed.
    assert!(!text.contains(&id) && !text.contains("ada@example.com") && !text.contains("/no/such/page"));
}
