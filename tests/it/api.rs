//! The JSON API base: personal access tokens, `/api/v1/me`, JSON errors, the OpenAPI document.
//! Promise (SPEC §B) 18: another user's token id answers 404 and nothing of theirs leaks.

use crate::on_both_databases;
use crate::support::{location, TestApp};

on_both_databases!(
    a_token_is_shown_once_and_stored_only_as_a_hash,
    a_token_reads_me_and_stops_working_when_revoked,
    requests_without_a_valid_token_get_a_json_401,
    token_names_are_validated_with_messages,
    promise_18_another_users_token_cannot_be_revoked_and_answers_404,
    cookie_api_calls_that_change_state_need_the_csrf_header_and_token_calls_do_not,
    the_openapi_document_describes_the_api,
    unknown_api_paths_answer_json_404,
    the_admin_command_creates_a_token_that_reads_me,
    issue_11_the_bearer_scheme_is_case_insensitive_and_a_write_without_credentials_is_401,
);

/// Create a token in settings and return it, as the user copies it from the page.
pub(crate) async fn create_token(app: &TestApp, name: &str) -> String {
    let response = app.submit("/settings/tokens", "/settings/tokens", &[("name", name)]).await;
    assert_eq!(response.status(), 201);
    let html = response.text().await.unwrap();
    regex::Regex::new(r#"id="new-token" class="token-value">(clg_[A-Za-z0-9_-]{43})<"#)
        .unwrap()
        .captures(&html)
        .unwrap_or_else(|| panic!("the new token is on the page: {html}"))[1]
        .to_owned()
}

async fn a_token_is_shown_once_and_stored_only_as_a_hash(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let token = create_token(&app, "Backup script").await;
    let (_, list) = app.get_text("/settings/tokens").await;
    assert!(list.contains("Backup script"));
    assert!(list.contains(&format!("{}…", &token[..10])), "the list shows a recognisable prefix");
    assert!(!list.contains(&token), "the whole token is never shown again");
    let stored: Vec<(String, String)> =
        sqlx::query_as("SELECT token_hash, token_prefix FROM api_tokens").fetch_all(app.state.db.pool()).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].0.contains(&token[4..]) && !token.contains(&stored[0].0));
}

async fn a_token_reads_me_and_stops_working_when_revoked(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let token = create_token(&app, "script").await;
    let api = crate::support::browser();
    let response = api.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let me: serde_json::Value = response.json().await.unwrap();
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["email_verified"], true);
    assert_eq!(me["is_admin"], false);
    assert!(me["created_at"].as_str().unwrap().ends_with('Z'));
    let (_, list) = app.get_text("/settings/tokens").await;
    assert!(!list.contains(">Never<"), "last use is recorded");

    let id: String = sqlx::query_scalar("SELECT id FROM api_tokens").fetch_one(app.state.db.pool()).await.unwrap();
    let revoked = app.submit("/settings/tokens", &format!("/settings/tokens/{id}/revoke"), &[]).await;
    assert_eq!(location(&revoked), "/settings/tokens?notice=token_revoked");
    let response = api.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_token");
}

async fn requests_without_a_valid_token_get_a_json_401(app: TestApp) {
    let api = crate::support::browser();
    let response = api.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer realm=\"careerlog\"");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    assert!(body["error"]["message"].as_str().unwrap().len() > 5);
    for bad in ["nonsense", "clg_short", &format!("clg_{}", "A".repeat(43)), &"x".repeat(10_000)] {
        let response = api.get(app.url("/api/v1/me")).bearer_auth(bad).send().await.unwrap();
        assert_eq!(response.status(), 401, "{bad}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_token");
    }
}

async fn token_names_are_validated_with_messages(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let empty = app.submit("/settings/tokens", "/settings/tokens", &[("name", "   ")]).await;
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains("Give the token a name"));
    let long = "n".repeat(101);
    let too_long = app.submit("/settings/tokens", "/settings/tokens", &[("name", &long)]).await;
    assert_eq!(too_long.status(), 422);
    let html = too_long.text().await.unwrap();
    assert!(html.contains("at most 100 characters"));
    assert!(html.contains(&long), "what was typed is kept");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM api_tokens").await, 0);
}

async fn promise_18_another_users_token_cannot_be_revoked_and_answers_404(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    create_token(&app, "Ada's secret script").await;
    let ada_token: String =
        sqlx::query_scalar("SELECT id FROM api_tokens").fetch_one(app.state.db.pool()).await.unwrap();
    app.sign_out().await;

    app.signed_up_user("grace@example.com").await;
    let response = app.submit("/settings/tokens", &format!("/settings/tokens/{ada_token}/revoke"), &[]).await;
    assert_eq!(response.status(), 404);
    for hostile in ["not-a-uuid", "%00", "1%27%20OR%20%271%27%3D%271", &"9".repeat(5000)] {
        let response = app.submit("/settings/tokens", &format!("/settings/tokens/{hostile}/revoke"), &[]).await;
        assert_eq!(response.status(), 404, "{hostile}");
    }
    let (_, list) = app.get_text("/settings/tokens").await;
    assert!(!list.contains("Ada&#x27;s secret script") && !list.contains("Ada's secret script"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM api_tokens").await, 1, "Ada's token survives");
    let me: serde_json::Value = app.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["email"], "grace@example.com");
}

async fn cookie_api_calls_that_change_state_need_the_csrf_header_and_token_calls_do_not(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    // Signed in by cookie: a state-changing API call without the header is refused as JSON.
    let refused = app.client.post(app.url("/api/v1/me")).json(&serde_json::json!({})).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "csrf_failed");
    // With the session's token in the header it reaches the router (which has no POST /me).
    let html = app.get("/settings").await.text().await.unwrap();
    let csrf = crate::support::csrf_token_in(&html).unwrap();
    let allowed = app
        .client
        .post(app.url("/api/v1/me"))
        .header("x-csrf-token", csrf)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), 405);
    assert_eq!(allowed.json::<serde_json::Value>().await.unwrap()["error"]["code"], "method_not_allowed");
    // A token call needs no CSRF header: no cookie is involved.
    let token = create_token(&app, "script").await;
    let api = crate::support::browser();
    let by_token =
        api.post(app.url("/api/v1/me")).bearer_auth(&token).json(&serde_json::json!({})).send().await.unwrap();
    assert_eq!(by_token.status(), 405);
}

async fn the_openapi_document_describes_the_api(app: TestApp) {
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    let doc: serde_json::Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(doc["info"]["title"], "Careerlog API");
    assert!(doc["paths"]["/me"]["get"].is_object());
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    assert_eq!(doc["servers"][0]["url"], "/api/v1");

    for resource in
        ["experiences", "skills", "projects", "achievements", "education", "certifications", "journal", "labels"]
    {
        let collection = &doc["paths"][format!("/{resource}")];
        let item = &doc["paths"][format!("/{resource}/{{id}}")];
        for (operation, method) in
            [(collection, "get"), (collection, "post"), (item, "get"), (item, "patch"), (item, "delete")]
        {
            assert!(operation[method].is_object(), "{method} /{resource} is documented");
        }
        assert!(collection["post"]["responses"]["201"].is_object());
        assert!(collection["post"]["responses"]["422"].is_object());
    }
    assert!(doc["paths"]["/journal/{id}/images"]["post"]["requestBody"]["content"]["multipart/form-data"].is_object());
    assert!(doc["paths"]["/profile"]["patch"].is_object());
    // Every reference points at a schema that is there.
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for reference in regex::Regex::new(r"#/components/schemas/([A-Za-z0-9_]+)").unwrap().captures_iter(&text) {
        assert!(schemas.contains_key(&reference[1]), "{} is defined", &reference[1]);
    }
    assert_eq!(doc["components"]["schemas"]["Experience"]["properties"]["current"]["type"], "boolean");
}

async fn unknown_api_paths_answer_json_404(app: TestApp) {
    let response = app.get("/api/v1/nothing/here").await;
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

/// `careerlog admin create-token` with the app's storage; answers (success, stdout, stderr).
fn admin_create_token(app: &TestApp, email: &str, name: &str) -> (bool, String, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_careerlog"));
    command.args(["admin", "create-token", "--email", email, "--name", name, "--data-dir"]).arg(&app.data_dir);
    if let Some(url) = &app.database_url {
        command.args(["--database-url", url]);
    }
    let output = command.output().unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.success(), text(&output.stdout), text(&output.stderr))
}

async fn the_admin_command_creates_a_token_that_reads_me(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let (ok, stdout, stderr) = admin_create_token(&app, "Ada@Example.com", "API checks");
    assert!(ok, "{stderr}");
    let token = stdout.trim_end_matches('\n');
    assert!(regex::Regex::new(r"^clg_[A-Za-z0-9_-]{43}$").unwrap().is_match(token), "only the token: {stdout:?}");
    let api = crate::support::browser();
    let me: serde_json::Value =
        api.get(app.url("/api/v1/me")).bearer_auth(token).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["email"], "ada@example.com");
    let (_, list) = app.get_text("/settings/tokens").await;
    assert!(list.contains("API checks"), "listed with the others");

    let (ok, stdout, stderr) = admin_create_token(&app, "nobody@example.com", "API checks");
    assert!(!ok && stdout.is_empty());
    assert!(stderr.contains("no account for nobody@example.com"), "{stderr}");
    let (ok, stdout, stderr) = admin_create_token(&app, "ada@example.com", "  ");
    assert!(!ok && stdout.is_empty());
    assert!(stderr.contains("Give the token a name"), "{stderr}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM api_tokens").await, 1);
}

/// Issue 11, item 4: RFC 9110 makes the scheme case-insensitive, and a state change sent to the
/// API with no credentials at all is unauthenticated (401), not a forged form (403).
async fn issue_11_the_bearer_scheme_is_case_insensitive_and_a_write_without_credentials_is_401(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let token = create_token(&app, "script").await;
    let api = crate::support::browser();
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let response =
            api.get(app.url("/api/v1/me")).header("Authorization", format!("{scheme} {token}")).send().await.unwrap();
        assert_eq!(response.status(), 200, "{scheme}");
    }
    let created = api
        .post(app.url("/api/v1/skills"))
        .header("Authorization", format!("bearer {token}"))
        .json(&serde_json::json!({"name": "Rust"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201, "a lower-case scheme writes too");
    let some_id = "01936c2e-0000-7000-8000-000000000000";
    let writes = [
        (reqwest::Method::POST, "/api/v1/skills".to_owned()),
        (reqwest::Method::PATCH, format!("/api/v1/skills/{some_id}")),
        (reqwest::Method::PUT, format!("/api/v1/opportunities/{some_id}/contacts/{some_id}")),
        (reqwest::Method::DELETE, format!("/api/v1/skills/{some_id}")),
    ];
    for (method, path) in writes {
        let response = api.request(method.clone(), app.url(&path)).json(&serde_json::json!({})).send().await;
        let response = response.unwrap();
        assert_eq!(response.status(), 401, "{method} {path} without credentials");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized", "{method}");
    }
}
