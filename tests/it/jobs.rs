//! The job search, first part: opportunities through their pipeline, with every status change on
//! the timeline; manual timeline entries; the API; and promise 18 for every route.

use serde_json::json;

use crate::career::api_for;
use crate::on_both_databases;
use crate::support::{csrf_token_in, location, TestApp};

on_both_databases!(
    an_opportunity_moves_through_the_pipeline_and_its_timeline_remembers,
    opportunities_are_managed_and_validated_through_the_api,
    promise_18_another_user_gets_404_for_every_opportunity_route,
    promise_8_opportunity_forms_refuse_a_missing_token,
    contacts_are_kept_and_connected_to_opportunities,
);

async fn add(app: &TestApp, fields: &[(&str, &str)]) -> String {
    let response = app.submit("/opportunities/new", "/opportunities", fields).await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    location(&response).trim_start_matches("/opportunities/").split('?').next().unwrap().to_owned()
}

async fn statuses(app: &TestApp, id: &str) -> Vec<(String, Option<String>, Option<String>)> {
    sqlx::query_as(
        "SELECT kind, from_status, to_status FROM opportunity_events WHERE opportunity_id = $1 ORDER BY occurred_at, id",
    )
    .bind(id)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap()
}

async fn an_opportunity_moves_through_the_pipeline_and_its_timeline_remembers(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let id = add(
        &app,
        &[
            ("role", "Staff Engineer"),
            ("company", "Globex"),
            ("status", "saved"),
            ("posting_url", "https://jobs.example.com/globex/staff"),
            ("work_mode", "hybrid"),
            ("salary_min", "95,000"),
            ("salary_max", "110000"),
            ("currency", "eur"),
            ("next_action", "Ask Sam for a referral"),
            ("next_action_due", "2026-11-30"),
            ("labels", "Rust"),
        ],
    )
    .await;
    let show = format!("/opportunities/{id}");
    let (_, page) = app.get_text(&show).await;
    assert!(page.contains("Globex") && page.contains("95,000–110,000 EUR") && page.contains("Hybrid"));
    assert!(page.contains("Added as Saved"));

    // The quick form moves it on; the edit form can too.
    assert_eq!(app.submit(&show, &format!("{show}/status"), &[("status", "applied")]).await.status(), 303);
    let mut edit = vec![("role", "Staff Engineer"), ("company", "Globex"), ("currency", "EUR"), ("labels", "Rust")];
    edit.push(("status", "interviewing"));
    assert_eq!(app.submit(&format!("{show}/edit"), &show, &edit).await.status(), 303);
    assert_eq!(app.submit(&show, &format!("{show}/status"), &[("status", "interviewing")]).await.status(), 303);
    let history = statuses(&app, &id).await;
    let expected = [
        ("created", None, Some("saved")),
        ("status_changed", Some("saved"), Some("applied")),
        ("status_changed", Some("applied"), Some("interviewing")),
    ];
    assert_eq!(history.len(), 3, "moving to the same status again records nothing: {history:?}");
    for (got, want) in history.iter().zip(expected) {
        assert_eq!((got.0.as_str(), got.1.as_deref(), got.2.as_deref()), want);
    }

    // A manual entry, and a mistake in one.
    let entry =
        app.submit(&show, &format!("{show}/timeline"), &[("kind", "call"), ("body", "Recruiter call: 30 min")]).await;
    assert_eq!(entry.status(), 303);
    let empty = app.submit(&show, &format!("{show}/timeline"), &[("kind", "call"), ("body", "  ")]).await;
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains("Write a line about it."));
    let (_, page) = app.get_text(&show).await;
    for text in ["Recruiter call: 30 min", "Saved → Applied", "Applied → Interviewing", "Added as Saved"] {
        assert!(page.contains(text), "the timeline shows {text:?}");
    }
    let (_, list) = app.get_text("/opportunities?label=rust").await;
    assert!(list.contains("Globex") && list.contains("Interviewing"));
    let (_, by_status) = app.get_text("/opportunities?status=interviewing").await;
    assert!(by_status.contains("Globex"));
    let (_, other_status) = app.get_text("/opportunities?status=offer").await;
    assert!(!other_status.contains("Globex") && other_status.contains("Show everything"));

    // Mistakes come back beside their fields, with what was typed.
    let bad = app
        .submit(
            "/opportunities/new",
            "/opportunities",
            &[
                ("role", "CTO"),
                ("company", "Initech"),
                ("status", "hired"),
                ("posting_url", "not a url"),
                ("salary_min", "120000"),
                ("salary_max", "90000"),
                ("currency", "euros"),
                ("applied_on", "2026-13-01"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    for message in [
        "Choose a status from the list.",
        "is not a web address",
        "The top of the range is below its bottom.",
        "three-letter currency code",
        "is not a date",
    ] {
        assert!(html.contains(message), "{message:?}");
    }
    assert!(html.contains(r#"value="Initech""#));

    let deleted = app.submit(&show, &format!("{show}/delete"), &[]).await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM opportunity_events").await, 0, "its timeline goes with it");
}

async fn opportunities_are_managed_and_validated_through_the_api(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let created = api
        .create(
            "/opportunities",
            json!({"role": "Platform Engineer", "company": "Hooli", "salary_min": 80000,
                                        "currency": "USD", "labels": ["Remote"]}),
        )
        .await;
    assert_eq!(created["status"], "saved");
    assert_eq!(created["salary_min"], 80000);
    let url = format!("/opportunities/{}", created["id"].as_str().unwrap());
    let (status, moved) = api.patch(&url, json!({"status": "screening"})).await;
    assert_eq!(status, 200);
    assert_eq!((moved["status"].as_str(), moved["company"].as_str()), (Some("screening"), Some("Hooli")));
    let (_, timeline) = api.get(&format!("{url}/timeline")).await;
    assert_eq!(timeline[0]["kind"], "status_changed");
    assert_eq!(timeline[0]["to_status"], "screening");
    let (status, timeline) =
        api.post(&format!("{url}/timeline"), json!({"kind": "email", "body": "Sent my portfolio"})).await;
    assert_eq!(status, 201);
    assert_eq!(timeline[0]["body"], "Sent my portfolio");

    for (body, field) in [
        (json!({"status": "hired"}), "status"),
        (json!({"posting_url": "javascript:alert(1)"}), "posting_url"),
        (json!({"next_action_due": "tomorrow"}), "next_action_due"),
        (json!({"salary_max": 1000}), "salary_max"),
        (json!({"work_mode": "moon"}), "work_mode"),
    ] {
        let (status, error) = api.patch(&url, body.clone()).await;
        assert_eq!(status, 422, "{body}");
        assert!(error["error"]["fields"][field].is_string(), "{body}: {error}");
    }
    let (status, error) = api.patch(&url, json!({"salary_min": "lots"})).await;
    assert_eq!((status, error["error"]["code"].as_str()), (400, Some("invalid_json")));
    let (_, list) = api.get("/opportunities?label=remote").await;
    assert_eq!(list["total"], 1);
    assert_eq!(api.get("/opportunities?status=screening").await.1["total"], 1, "filter by status");
    assert_eq!(api.get("/opportunities?status=SAVED").await.1["total"], 0);
    let (status, error) = api.get("/opportunities?status=hired").await;
    assert_eq!((status, error["error"]["fields"]["status"].is_string()), (422, true));
    assert_eq!(api.get("/experiences?status=applied").await.0, 200, "other lists have no status to filter");
    assert_eq!(api.delete(&url).await, 204);
    assert_eq!(api.get(&url).await.0, 404);
}

async fn promise_18_another_user_gets_404_for_every_opportunity_route(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let id = add(&app, &[("role", "Secret Role"), ("company", "Secret Company")]).await;
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let html = app.get_text("/opportunities").await.1;
    let token = csrf_token_in(&html).unwrap();
    assert!(!html.contains("Secret Company"));
    for path in [format!("/opportunities/{id}"), format!("/opportunities/{id}/edit")] {
        assert_eq!(app.get(&path).await.status(), 404, "{path}");
    }
    for (path, fields) in [
        (format!("/opportunities/{id}"), vec![("role", "Mine"), ("company", "Mine")]),
        (format!("/opportunities/{id}/status"), vec![("status", "rejected")]),
        (format!("/opportunities/{id}/timeline"), vec![("kind", "note"), ("body", "hi")]),
        (format!("/opportunities/{id}/delete"), vec![]),
    ] {
        let mut form = vec![("_csrf", token.as_str())];
        form.extend(fields);
        let response = app.client.post(app.url(&path)).form(&form).send().await.unwrap();
        assert_eq!(response.status(), 404, "POST {path}");
    }
    let api = api_for(&app).await;
    assert_eq!(api.get(&format!("/opportunities/{id}")).await.0, 404);
    assert_eq!(api.get(&format!("/opportunities/{id}/timeline")).await.0, 404);
    assert_eq!(api.patch(&format!("/opportunities/{id}"), json!({"status": "offer"})).await.0, 404);
    assert_eq!(api.post(&format!("/opportunities/{id}/timeline"), json!({"kind": "note", "body": "x"})).await.0, 404);
    assert_eq!(api.delete(&format!("/opportunities/{id}")).await, 404);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM opportunity_events").await, 1, "only Ada's own 'created'");
    let status: String =
        sqlx::query_scalar("SELECT status FROM opportunities").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(status, "saved");
}

async fn promise_8_opportunity_forms_refuse_a_missing_token(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let id = add(&app, &[("role", "Engineer"), ("company", "Acme")]).await;
    for path in [
        "/opportunities".to_owned(),
        format!("/opportunities/{id}"),
        format!("/opportunities/{id}/status"),
        format!("/opportunities/{id}/timeline"),
        format!("/opportunities/{id}/delete"),
    ] {
        let response =
            app.client.post(app.url(&path)).form(&[("status", "offer"), ("body", "x")]).send().await.unwrap();
        assert_eq!(response.status(), 403, "{path}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM opportunity_events").await, 1);
}

/// Contacts: kept with their details, connected to opportunities (both ways on the pages),
/// validated, and private to their owner (promise 18).
async fn contacts_are_kept_and_connected_to_opportunities(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let opportunity = add(&app, &[("role", "Staff Engineer"), ("company", "Globex")]).await;
    let response = app
        .submit(
            "/contacts/new",
            "/contacts",
            &[
                ("name", "Sam Recruiter"),
                ("company", "Globex"),
                ("email", "sam@globex.example"),
                ("phone", "+44 20 7946 0000"),
                ("links", "linkedin.com/in/sam\nhttps://sam.example"),
                ("how_we_met", "Wrote to me about the role"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let contact = location(&response).trim_start_matches("/contacts/").split('?').next().unwrap().to_owned();
    let show = format!("/opportunities/{opportunity}");
    let connected = app.submit(&show, &format!("{show}/contacts"), &[("contact_id", contact.as_str())]).await;
    assert_eq!(connected.status(), 303);
    let (_, page) = app.get_text(&show).await;
    assert!(page.contains("Sam Recruiter"));
    let (_, person) = app.get_text(&format!("/contacts/{contact}")).await;
    assert!(person.contains("Staff Engineer at Globex") && person.contains("https://linkedin.com/in/sam"));

    let bad = app
        .submit(
            "/contacts/new",
            "/contacts",
            &[("name", ""), ("email", "not an email"), ("phone", "call me"), ("links", "javascript:alert(1)")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("Enter the person’s name.") && html.contains("digits, spaces"));
    assert!(html.contains(r#"value="not an email""#), "what was typed is kept");

    let api = api_for(&app).await;
    let (status, list) = api.get("/contacts").await;
    assert_eq!((status, list["total"].as_i64()), (200, Some(1)));
    assert_eq!(list["items"][0]["links"][1], "https://sam.example/");

    // Grace can neither see Sam nor connect anyone to Ada's opportunity.
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    assert_eq!(app.get(&format!("/contacts/{contact}")).await.status(), 404);
    let grace = api_for(&app).await;
    assert_eq!(
        grace.call(reqwest::Method::PUT, &format!("/opportunities/{opportunity}/contacts/{contact}"), None).await.0,
        404
    );
    let mine = grace.create("/contacts", json!({"name": "Grace's friend"})).await;
    let theirs = format!("/opportunities/{opportunity}/contacts/{}", mine["id"].as_str().unwrap());
    assert_eq!(grace.call(reqwest::Method::PUT, &theirs, None).await.0, 404);
    assert_eq!(grace.delete(&format!("/contacts/{contact}")).await, 404);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM opportunity_contacts").await, 1);
}
