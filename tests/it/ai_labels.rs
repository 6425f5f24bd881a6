//! Labels by AI (issue 13, item 3), with the recording fake as the provider: generation and
//! linking send exactly the listed fields (promise 15); suggestions are created or applied only
//! once the user confirms, except bulk linking, which applies and can be undone (promise 14);
//! the model cannot invent labels onto records; failures, a missing provider, other users'
//! ids and bad bodies are answered plainly.

use careerlog::integrations::ai::fake::FakeAi;
use serde_json::{json, Value};

use crate::career::{api_for, Api};
use crate::on_both_databases;
use crate::support::{csrf_token_in, location, TestApp};

on_both_databases!(
    promise_15_generation_sends_exactly_the_summary_the_spec_lists,
    promise_15_linking_sends_only_label_names_and_the_records_own_text,
    promise_14_suggested_labels_are_created_only_once_confirmed,
    promise_14_labels_suggested_for_one_record_are_added_only_once_ticked,
    bulk_linking_applies_at_once_and_undo_removes_exactly_that_batch,
    an_answer_that_is_not_json_twice_is_a_clear_error_and_nothing_is_written,
    without_a_provider_each_button_says_what_it_would_do,
    other_users_ids_are_not_found_and_bad_bodies_are_refused,
);

async fn with_fake(app: TestApp) -> (TestApp, FakeAi) {
    let app = TestApp::with_fake_ai(app.backend, &[]).await.unwrap();
    let fake = app.fake_ai().clone();
    (app, fake)
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

/// Ada's career record, with private things planted beside it that no AI request may carry:
/// her email address and phone, a contact, a journal entry, an achievement. Returns ids by name.
async fn adas_record(api: &Api) -> std::collections::HashMap<&'static str, String> {
    api.patch(
        "/profile",
        json!({"display_name": "Ada Lovelace", "email": "ada@analytical.example", "phone": "+44 20 7946 0958"}),
    )
    .await;
    let mut ids = std::collections::HashMap::new();
    let experience = api
        .create(
            "/experiences",
            json!({"role": "Staff Engineer", "company": "Analytical Engines", "location": "London",
                   "start_date": "2021-03", "current": true,
                   "description": "Led the query planner rewrite for the storage team.",
                   "highlights": ["Cut p99 latency 7x"]}),
        )
        .await;
    let project = api
        .create(
            "/projects",
            json!({"name": "Difference Engine", "role": "Maintainer", "kind": "Open source",
                   "description": "A mechanical calculator in Rust.", "url": "https://example.com/engine"}),
        )
        .await;
    let skill = api.create("/skills", json!({"name": "Rust", "category": "Languages"})).await;
    let entry = api
        .create(
            "/journal",
            json!({"title": "Feeling burnt out", "entry_date": "2026-10-02", "body": "Private thoughts about my manager."}),
        )
        .await;
    let achievement =
        api.create("/achievements", json!({"title": "Hackathon winner", "description": "Won in 2019."})).await;
    let contact = api.create("/contacts", json!({"name": "Sam Recruiter", "email": "sam@globex.example"})).await;
    let label = api.create("/labels", json!({"name": "Databases", "colour": "#2f6fde"})).await;
    ids.insert("experience", id(&experience));
    ids.insert("project", id(&project));
    ids.insert("skill", id(&skill));
    ids.insert("entry", id(&entry));
    ids.insert("achievement", id(&achievement));
    ids.insert("contact", id(&contact));
    ids.insert("label", id(&label));
    ids
}

/// Grace signs up first and keeps an experience of her own; then Ada signs up and is signed in.
async fn grace_then_ada(app: &TestApp) -> (Api, String, Api) {
    app.signed_up_user("grace@example.com").await;
    let grace = api_for(app).await;
    let graces = grace
        .create(
            "/experiences",
            json!({"role": "Grace's Secret Role", "company": "Hopper Corp", "start_date": "2019-01",
                   "end_date": "2020-06", "description": "Grace's own work."}),
        )
        .await;
    app.sign_out().await;
    app.signed_up_user("ada@example.com").await;
    let ada = api_for(app).await;
    (ada, id(&graces), grace)
}

fn sent_input(fake: &FakeAi, n: usize) -> Value {
    let requests = fake.requests();
    assert_eq!(requests[n].messages.len(), 1);
    serde_json::from_str(&requests[n].messages[0].content).unwrap()
}

fn assert_absent(fake: &FakeAi, absent: &[&str]) {
    for request in fake.requests() {
        let everything = serde_json::to_string(&request).unwrap();
        for text in absent {
            assert!(!everything.contains(text), "“{text}” must not be sent");
        }
    }
}

const PRIVATE: [&str; 12] = [
    "ada@example.com",
    "ada@analytical.example",
    "+44 20",
    "Ada Lovelace",
    "Sam Recruiter",
    "sam@globex",
    "burnt out",
    "my manager",
    "Hackathon",
    "Grace",
    "Hopper",
    "#2f6fde",
];

async fn promise_15_generation_sends_exactly_the_summary_the_spec_lists(app: TestApp) {
    let (app, fake) = with_fake(app).await;
    let (api, _, _) = grace_then_ada(&app).await;
    adas_record(&api).await;
    fake.answer(r#"{"suggestions": [{"name": "Query Planning", "reason": "The planner rewrite."}]}"#);

    let (status, answer) = api.post("/labels/suggestions", json!({"category": "Technical skills"})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer,
        json!({"category": "Technical skills",
               "suggestions": [{"name": "Query Planning", "reason": "The planner rewrite."}]})
    );
    assert_eq!(fake.requests().len(), 1);
    assert!(fake.requests()[0].system.contains("You suggest labels"));
    // Field by field, exactly what SPEC lists for label generation.
    assert_eq!(
        sent_input(&fake, 0),
        json!({
            "category": "Technical skills",
            "experiences": [{"role": "Staff Engineer", "company": "Analytical Engines", "location": "London",
                             "dates": "2021-03 – present",
                             "description": "Led the query planner rewrite for the storage team."}],
            "projects": [{"name": "Difference Engine", "role": "Maintainer", "type": "Open source",
                          "description": "A mechanical calculator in Rust."}],
            "skills": ["Rust"],
            "existing_labels": ["Databases"],
        })
    );
    // Nothing else of Ada's (her address, contact, journal, achievements, links) nor Grace's.
    let mut absent = PRIVATE.to_vec();
    absent.extend(["example.com/engine", "Cut p99"]);
    assert_absent(&fake, &absent);
    // Nothing was created by asking.
    assert_eq!(api.get("/labels").await.1["total"], 1);
}

async fn promise_15_linking_sends_only_label_names_and_the_records_own_text(app: TestApp) {
    let (app, fake) = with_fake(app).await;
    let (api, _, _) = grace_then_ada(&app).await;
    let ids = adas_record(&api).await;
    fake.answer(
        json!({"records": [{"id": ids["project"], "labels": [{"name": "Databases", "reason": "Storage."}]}]})
            .to_string(),
    );

    let (status, answer) = api.post("/labels/link-suggestions", json!({"kind": "project", "id": ids["project"]})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer,
        json!({"kind": "project", "id": ids["project"], "title": "Difference Engine",
               "suggestions": [{"label_id": ids["label"], "name": "Databases", "reason": "Storage."}]})
    );
    assert_eq!(
        sent_input(&fake, 0),
        json!({
            "labels": ["Databases"],
            "records": [{"id": ids["project"], "kind": "project",
                         "text": {"name": "Difference Engine", "role": "Maintainer", "type": "Open source",
                                  "description": "A mechanical calculator in Rust."}}],
        })
    );
    let mut absent = PRIVATE.to_vec();
    absent.extend(["example.com/engine", "Staff Engineer", "Analytical"]);
    assert_absent(&fake, &absent);
    // Suggesting applied nothing.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM record_labels").await, 0);
    // Contacts are other people's details: linking does not read them.
    let (status, refused) =
        api.post("/labels/link-suggestions", json!({"kind": "contact", "id": ids["contact"]})).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(fake.requests().len(), 1);
}

async fn promise_14_suggested_labels_are_created_only_once_confirmed(app: TestApp) {
    let (app, fake) = with_fake(app).await;
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    adas_record(&api).await;
    let labels = || app.scalar("SELECT COUNT(*) FROM labels");

    // Opening the labels page runs nothing.
    let (_, page) = app.get_text("/labels").await;
    assert!(page.contains("Suggest labels"));
    assert!(page.contains(r#"<option value="Technical skills">"#));
    assert!(fake.requests().is_empty());

    fake.answer(
        json!({"suggestions": [
            {"name": "databases", "reason": "You have it already."},
            {"name": "Query Planning", "reason": "The planner rewrite."},
            {"name": "Rust", "reason": "Your skills."},
            {"name": "Open Source", "reason": "Difference Engine."}]})
        .to_string(),
    );
    let review = app.submit("/labels", "/labels/suggestions", &[("category", "Technical skills")]).await;
    assert_eq!(review.status(), 200);
    let html = review.text().await.unwrap();
    assert!(html.contains("Nothing has been created yet"));
    assert!(html.contains(r#"value="Query Planning""#) && html.contains("The planner rewrite."));
    assert!(!html.contains(r#"value="databases""#), "a label Ada has is not suggested again");
    assert!(html.contains(r#"name="pick" value="0" checked"#), "suggestions are ticked by default");
    assert_eq!(labels().await, 1, "nothing is created by the run");

    // A name made invalid on the review page comes back with its message; still nothing made.
    let token = csrf_token_in(&html).unwrap();
    let post = |fields: Vec<(&'static str, String)>| {
        let mut form = vec![("_csrf", token.clone()), ("category", "Technical skills".to_owned())];
        form.extend(fields);
        app.client.post(app.url("/labels/suggestions/create")).form(&form).send()
    };
    let refused = post(vec![("pick", "0".into()), ("name_0", "Query, Planning".into())]).await.unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains(r#"id="name_0-error">A label name cannot contain a comma."#));
    assert_eq!(labels().await, 1);

    // Ada keeps two (one renamed) and leaves one unticked.
    let created = post(vec![
        ("pick", "0".into()),
        ("name_0", "Query Planners".into()),
        ("name_1", "Rust".into()),
        ("pick", "2".into()),
        ("name_2", "Open Source".into()),
    ])
    .await
    .unwrap();
    assert_eq!(location(&created), "/labels?notice=labels_created");
    let (_, listed) = api.get("/labels").await;
    let names: Vec<&str> = listed["items"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Databases", "Open Source", "Query Planners"]);
    assert_eq!(fake.requests().len(), 1);
}

async fn promise_14_labels_suggested_for_one_record_are_added_only_once_ticked(app: TestApp) {
    let (app, fake) = with_fake(app).await;
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let ids = adas_record(&api).await;
    let rust = id(&api.create("/labels", json!({"name": "Rust"})).await);
    let page = format!("/experiences/{}", ids["experience"]);
    let (_, html) = app.get_text(&page).await;
    assert!(html.contains("Suggest labels from yours"));

    fake.answer(
        json!({"records": [{"id": ids["experience"], "labels": [
            {"name": "databases", "reason": "Query planner."},
            {"name": "Quantum Computing", "reason": "Invented by the model."},
            {"name": "Rust", "reason": "Probably."}]}]})
        .to_string(),
    );
    let review =
        app.submit(&page, "/labels/link-suggestions", &[("path", "experiences"), ("id", &ids["experience"])]).await;
    assert_eq!(review.status(), 200);
    let html = review.text().await.unwrap();
    assert!(html.contains("Nothing has been added yet"));
    assert!(html.contains("Databases") && html.contains("Query planner."));
    assert!(!html.contains("Quantum"), "a label Ada does not have is never offered");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM record_labels").await, 0, "nothing applied by the run");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM labels").await, 2, "no label invented");

    // Ada ticks only Databases (and a forged id of a label that is not hers is ignored).
    let token = csrf_token_in(&html).unwrap();
    let applied = app
        .client
        .post(app.url("/labels/link-suggestions/apply"))
        .form(&[
            ("_csrf", token.as_str()),
            ("path", "experiences"),
            ("id", &ids["experience"]),
            ("label", &ids["label"]),
            ("label", "0190aaaa-0000-7000-8000-000000000000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&applied), format!("{page}?notice=labels_applied#labels"));
    let (_, record) = api.get(&page).await;
    let on: Vec<&str> = record["labels"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(on, ["Databases"]);
    assert!(!on.contains(&"Rust"), "{rust} was not ticked");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM labels").await, 2);
}

async fn bulk_linking_applies_at_once_and_undo_removes_exactly_that_batch(app: TestApp) {
    let (app, fake) = with_fake(app).await;
    let (api, graces_experience, _) = grace_then_ada(&app).await;
    let ids = adas_record(&api).await;
    let rust = id(&api.create("/labels", json!({"name": "Rust"})).await);
    // A link Ada made herself before the run: the batch neither repeats nor undoes it.
    api.patch(&format!("/skills/{}", ids["skill"]), json!({"labels": ["Rust"]})).await;
    let links = || app.scalar("SELECT COUNT(*) FROM record_labels");
    assert_eq!(links().await, 1);

    fake.answer(
        json!({"records": [
            {"id": ids["experience"], "labels": [{"name": "Databases", "reason": "Query planner."},
                                                 {"name": "Made Up", "reason": "Invented."}]},
            {"id": ids["project"], "labels": [{"name": "rust", "reason": "Written in Rust."}]},
            {"id": ids["skill"], "labels": [{"name": "Rust", "reason": "It is Rust."}]},
            {"id": graces_experience, "labels": [{"name": "Rust", "reason": "Not Ada's record."}]}]})
        .to_string(),
    );
    let (status, batch) = api.post("/labels/link-batches", json!({})).await;
    assert_eq!(status, 201, "{batch}");
    // Applied at once: two new links, none invented, none on Grace's record, none repeated.
    let made: Vec<(String, String)> = batch["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["label_name"].as_str().unwrap().to_owned(), l["record_id"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        made,
        [("Databases".to_owned(), ids["experience"].clone()), ("Rust".to_owned(), ids["project"].clone())]
    );
    assert_eq!(links().await, 3);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM labels").await, 2, "no label invented");
    // The records read were Ada's career record and journal, not her contact or Grace's.
    let input = sent_input(&fake, 0);
    let kinds: Vec<&str> = input["records"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.len(), 5, "{kinds:?}");
    assert!(!kinds.contains(&"contact"));
    assert_absent(&fake, &["Sam Recruiter", "Grace", "ada@analytical.example"]);

    // After the run Ada adds a link by hand, and takes one of the batch's off and puts it back.
    app.clock.advance(std::time::Duration::from_secs(5));
    api.patch(&format!("/achievements/{}", ids["achievement"]), json!({"labels": ["Databases"]})).await;
    let project_page = format!("/projects/{}", ids["project"]);
    app.submit(&project_page, &format!("{project_page}/labels/{rust}/remove"), &[]).await;
    app.submit(&project_page, &format!("{project_page}/labels"), &[("name", "Rust")]).await;
    assert_eq!(links().await, 4);

    // The batch's page says what it did, with Undo.
    let batch_id = id(&batch);
    let (_, html) = app.get_text(&format!("/labels/link-batches/{batch_id}")).await;
    assert!(html.contains("Linked 2 labels on 2 records"), "{html}");
    assert!(html.contains(&format!(r#"action="/labels/link-batches/{batch_id}/undo""#)));

    // Undo takes off exactly what the batch added and is still as it made it.
    let undone = app
        .submit(&format!("/labels/link-batches/{batch_id}"), &format!("/labels/link-batches/{batch_id}/undo"), &[])
        .await;
    assert_eq!(location(&undone), "/labels?notice=links_undone");
    let (_, experience) = api.get(&format!("/experiences/{}", ids["experience"])).await;
    assert!(experience["labels"].as_array().unwrap().is_empty(), "the batch's link is gone");
    for (path, label) in [
        (format!("/skills/{}", ids["skill"]), "Rust"),
        (format!("/achievements/{}", ids["achievement"]), "Databases"),
        (format!("/projects/{}", ids["project"]), "Rust"),
    ] {
        let (_, record) = api.get(&path).await;
        assert_eq!(record["labels"][0]["name"], label, "{path}: a link Ada made stays");
    }
    assert_eq!(links().await, 3);
    // Once undone, the batch is gone.
    assert_eq!(api.delete(&format!("/labels/link-batches/{batch_id}")).await, 404);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM label_link_batches").await, 0);

    // Over the API: run, then undo with DELETE. Grace cannot undo Ada's batch.
    fake.answer(
        json!({"records": [{"id": ids["entry"], "labels": [{"name": "Databases", "reason": "x"}]}]}).to_string(),
    );
    let (status, batch) = api.post("/labels/link-batches", json!({})).await;
    assert_eq!((status, batch["links"].as_array().unwrap().len()), (201, 1));
    app.sign_out().await;
    app.sign_in("grace@example.com", "maple orbit lantern quietly").await;
    let grace = api_for(&app).await;
    assert_eq!(grace.delete(&format!("/labels/link-batches/{}", id(&batch))).await, 404);
    assert_eq!(app.get(&format!("/labels/link-batches/{}", id(&batch))).await.status(), 404);
    assert_eq!(api.delete(&format!("/labels/link-batches/{}", id(&batch))).await, 204);
    assert_eq!(links().await, 3);

    // Housekeeping forgets batches after 7 days (their links stay).
    fake.answer(json!({"records": [{"id": ids["entry"], "labels": [{"name": "Rust", "reason": "x"}]}]}).to_string());
    api.post("/labels/link-batches", json!({})).await;
    app.clock.advance(std::time::Duration::from_secs(8 * 24 * 3600));
    let report = careerlog::housekeeping::run(&app.state).await.unwrap();
    assert_eq!(report.label_batches_forgotten, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM label_link_batch_items").await, 0);
    assert_eq!(links().await, 4);
}

async fn an_answer_that_is_not_json_twice_is_a_clear_error_and_nothing_is_written(app: TestApp) {
    let (app, fake) = with_fake(app).await;
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let ids = adas_record(&api).await;
    let before =
        (app.scalar("SELECT COUNT(*) FROM labels").await, app.scalar("SELECT COUNT(*) FROM record_labels").await);

    fake.answer("Sure! Here are some labels: Rust, SQL").answer("Still not JSON, sorry.");
    let (status, failed) = api.post("/labels/suggestions", json!({"category": "Industries"})).await;
    assert_eq!((status, failed["error"]["code"].as_str()), (502, Some("upstream_failed")), "{failed}");
    assert!(failed["error"]["message"].as_str().unwrap().contains("did not have the expected shape"));
    assert_eq!(fake.requests().len(), 2, "one repair attempt, then the error");

    fake.answer("{\"records\": 3}").answer("[]");
    let (status, failed) = api.post("/labels/link-batches", json!({})).await;
    assert_eq!(status, 502, "{failed}");
    fake.answer("nope").answer("nope");
    let (status, _) =
        api.post("/labels/link-suggestions", json!({"kind": "experience", "id": ids["experience"]})).await;
    assert_eq!(status, 502);

    let after =
        (app.scalar("SELECT COUNT(*) FROM labels").await, app.scalar("SELECT COUNT(*) FROM record_labels").await);
    assert_eq!(before, after, "nothing written");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM label_link_batches").await, 0);
    // Each failure is on the activity page, as a run.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM ai_runs WHERE outcome LIKE 'failed%'").await, 3);

    // The page says it too, in words.
    fake.answer("no").answer("no");
    let page = app.submit("/labels", "/labels/suggestions", &[("category", "Industries")]).await;
    assert_eq!(page.status(), 502);
    assert!(page.text().await.unwrap().contains("did not have the expected shape"));
}

async fn without_a_provider_each_button_says_what_it_would_do(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let ids = adas_record(&api).await;
    let (_, html) = app.get_text("/labels").await;
    assert!(html.contains("Careerlog suggests labels from a summary of your record"));
    assert!(html.contains("This instance has no AI provider configured"));
    assert!(!html.contains(r#"action="/labels/suggestions""#), "no button that would fail");
    let (_, record) = app.get_text(&format!("/experiences/{}", ids["experience"])).await;
    assert!(record.contains("needs an AI provider, and this instance has none configured"));
    assert!(!record.contains("Suggest labels from yours"));

    for (path, body) in [
        ("/labels/suggestions", json!({"category": "Industries"})),
        ("/labels/link-suggestions", json!({"kind": "experience", "id": ids["experience"]})),
        ("/labels/link-batches", json!({})),
    ] {
        let (status, answer) = api.post(path, body).await;
        assert_eq!((status, answer["error"]["code"].as_str()), (503, Some("not_configured")), "{path}");
        assert!(answer["error"]["message"].as_str().unwrap().contains("no AI provider configured"));
    }
    // A page form posted anyway explains itself.
    let (_, page) = app.get_text("/labels").await;
    let token = csrf_token_in(&page).unwrap();
    let posted = app
        .client
        .post(app.url("/labels/suggestions"))
        .form(&[("_csrf", token.as_str()), ("category", "Industries")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 503);
    assert!(posted.text().await.unwrap().contains("no AI provider configured"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM ai_runs").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM labels").await, 1);
}

async fn other_users_ids_are_not_found_and_bad_bodies_are_refused(app: TestApp) {
    let (app, fake) = with_fake(app).await;
    let (api, graces_experience, _) = grace_then_ada(&app).await;
    let ids = adas_record(&api).await;

    // Grace's record: 404, over the API and through the page forms; nothing sent.
    let (status, _) =
        api.post("/labels/link-suggestions", json!({"kind": "experience", "id": graces_experience})).await;
    assert_eq!(status, 404);
    let (_, page) = app.get_text("/labels").await;
    let token = csrf_token_in(&page).unwrap();
    for (action, fields) in [
        ("/labels/link-suggestions", vec![("path", "experiences"), ("id", graces_experience.as_str())]),
        (
            "/labels/link-suggestions/apply",
            vec![("path", "experiences"), ("id", graces_experience.as_str()), ("label", ids["label"].as_str())],
        ),
        ("/labels/link-suggestions", vec![("path", "contacts"), ("id", ids["contact"].as_str())]),
    ] {
        let mut form = vec![("_csrf", token.as_str())];
        form.extend(fields);
        let response = app.client.post(app.url(action)).form(&form).send().await.unwrap();
        assert_eq!(response.status(), 404, "{action}");
    }
    assert!(fake.requests().is_empty());

    // Bad bodies: a field's rule broken is 422 with the field; an unknown field or a wrong
    // type is 400.
    let long = "x".repeat(61);
    for (path, body, field) in [
        ("/labels/suggestions", json!({"category": long}), "category"),
        ("/labels/suggestions", json!({"category": "  "}), "category"),
        ("/labels/suggestions", json!({"category": "Line\nbreak"}), "category"),
        ("/labels/link-suggestions", json!({"kind": "note", "id": ids["experience"]}), "kind"),
        ("/labels/suggestions", json!({}), "category"),
        ("/labels/link-suggestions", json!({"kind": "experience"}), "id"),
    ] {
        let (status, refused) = api.post(path, body).await;
        assert_eq!((status, refused["error"]["code"].as_str()), (422, Some("validation_failed")), "{refused}");
        assert!(refused["error"]["fields"][field].is_string(), "{refused}");
    }
    for (path, body) in [
        ("/labels/suggestions", json!({"category": "Industries", "email": "ada@example.com"})),
        ("/labels/link-suggestions", json!({"kind": "experience", "id": "not-a-uuid"})),
    ] {
        let (status, refused) = api.post(path, body).await;
        assert_eq!((status, refused["error"]["code"].as_str()), (400, Some("invalid_json")), "{refused}");
    }
    // The page's category field keeps what was typed, with the message beside it.
    let refused = app.submit("/labels", "/labels/suggestions", &[("category", &long)]).await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains(r#"id="category-error""#) && html.contains(&long));
    assert!(fake.requests().is_empty());
}
