//! AI interview preparation (issue 13, item 4), with the recording fake as the provider:
//! exactly the listed material is sent (promises 15 and 16), runs happen only when started
//! (promise 14), the story bank links back to its sources, and the document is kept, edited,
//! written again and deleted, by its owner only.

use careerlog::integrations::ai::fake::FakeAi;
use serde_json::{json, Value};

use crate::career::{api_for, Api};
use crate::on_both_databases;
use crate::support::{csrf_token_in, location, TestApp};

on_both_databases!(
    promise_15_and_16_preparation_sends_exactly_the_listed_material_and_nothing_else,
    promise_14_preparation_runs_only_when_started_and_the_story_bank_links_to_its_sources,
    preparation_is_kept_edited_written_again_and_deleted_by_its_owner_only,
    the_preparation_streams_as_it_is_written,
    without_a_provider_the_preparation_says_what_it_would_do,
    an_opportunity_is_prepared_for_before_any_round_is_set,
);

async fn with_fake(app: TestApp) -> (TestApp, FakeAi) {
    let app = TestApp::with_fake_ai(app.backend, &[]).await.unwrap();
    let fake = app.fake_ai().clone();
    (app, fake)
}

/// Ada's job search: an opportunity with a contact, two rounds (the first debriefed), her
/// prep texts, two achievements and two journal entries. Returns the ids by name.
async fn a_job_search(api: &Api) -> std::collections::HashMap<&'static str, String> {
    let id = |v: Value| v["id"].as_str().unwrap().to_owned();
    let mut ids = std::collections::HashMap::new();
    api.patch(
        "/profile",
        json!({"display_name": "Ada Lovelace", "email": "ada@analytical.example", "phone": "+44 20 7946 0958"}),
    )
    .await;
    api.patch(
        "/interview-prep",
        json!({"resume_text": "Staff Engineer at Analytical Engines. Led the query planner rewrite.",
               "linkedin_summary": "I build reliable data systems."}),
    )
    .await;
    let opportunity = id(api
        .create(
            "/opportunities",
            json!({"company": "Globex", "role": "Principal Engineer", "description": "Own the storage layer at scale.",
                   "salary_min": 150000, "currency": "GBP", "location": "London", "source": "Referral from Sam",
                   "next_action": "Send the take-home", "labels": ["Dream job"]}),
        )
        .await);
    let contact = id(api.create("/contacts", json!({"name": "Sam Recruiter", "email": "sam@globex.example"})).await);
    api.call(reqwest::Method::PUT, &format!("/opportunities/{opportunity}/contacts/{contact}"), None).await;
    let first = id(api
        .create(
            "/interviews",
            json!({"opportunity_id": opportunity, "round_name": "Phone screen", "kind": "phone_screen",
                   "start": "2026-11-20T10:00", "time_zone": "Europe/London", "duration_minutes": 30,
                   "debrief_summary": "Went well; asked about scaling writes.", "debrief_questions": "How do you shard?",
                   "debrief_improve": "Be crisper on trade-offs.", "outcome": "passed"}),
        )
        .await);
    let this = id(api
        .create(
            "/interviews",
            json!({"opportunity_id": opportunity, "round_name": "System design", "kind": "system_design",
                   "start": "2026-12-20T15:00", "time_zone": "Europe/Berlin", "duration_minutes": 60,
                   "location": "Globex HQ, 5th floor", "meeting_url": "https://meet.example.com/abc-secret",
                   "prep_notes": "My own notes: read their engineering blog."}),
        )
        .await);
    api.call(reqwest::Method::PUT, &format!("/interviews/{this}/interviewers/{contact}"), None).await;
    let chosen_achievement = id(api
        .create(
            "/achievements",
            json!({"title": "Cut p99 latency 7x", "description": "Rewrote the planner; p99 from 900 ms to 120 ms."}),
        )
        .await);
    let other_achievement =
        id(api.create("/achievements", json!({"title": "Hackathon winner", "description": "Won in 2019."})).await);
    let chosen_entry = id(api
        .create(
            "/journal",
            json!({"title": "Storage migration retro", "entry_date": "2026-10-01",
                   "body": "We moved 4 TB with no downtime.", "is_public": false}),
        )
        .await);
    let other_entry = id(api
        .create(
            "/journal",
            json!({"title": "Feeling burnt out", "entry_date": "2026-10-02", "body": "Private thoughts."}),
        )
        .await);
    ids.insert("opportunity", opportunity);
    ids.insert("first", first);
    ids.insert("this", this);
    ids.insert("chosen_achievement", chosen_achievement);
    ids.insert("other_achievement", other_achievement);
    ids.insert("chosen_entry", chosen_entry);
    ids.insert("other_entry", other_entry);
    ids
}

async fn promise_15_and_16_preparation_sends_exactly_the_listed_material_and_nothing_else(app: TestApp) {
    let (app, fake) = with_fake(app).await;
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let ids = a_job_search(&api).await;
    let material = json!({"achievement_ids": [ids["chosen_achievement"]], "journal_entry_ids": [ids["chosen_entry"]]});
    let (status, prep) = api.post(&format!("/interviews/{}/prep", ids["this"]), material).await;
    assert_eq!(status, 201, "{prep}");

    let sent = fake.requests();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].system.contains("interview coach"));
    assert_eq!(sent[0].messages.len(), 1);
    let input: Value = serde_json::from_str(&sent[0].messages[0].content).unwrap();
    // Field by field, exactly what SPEC lists for interview preparation.
    assert_eq!(
        input,
        json!({
            "opportunity": {"company": "Globex", "role": "Principal Engineer",
                            "job_description": "Own the storage layer at scale."},
            "interview": {"round": "System design", "kind": "System design"},
            "resume_text": "Staff Engineer at Analytical Engines. Led the query planner rewrite.",
            "linkedin_summary": "I build reliable data systems.",
            "earlier_debriefs": [{"round": "Phone screen", "kind": "Phone screen", "outcome": "Passed",
                                  "summary": "Went well; asked about scaling writes.",
                                  "questions_asked": "How do you shard?", "to_improve": "Be crisper on trade-offs."}],
            "achievements": [{"id": ids["chosen_achievement"], "title": "Cut p99 latency 7x",
                              "text": "Rewrote the planner; p99 from 900 ms to 120 ms."}],
            "journal_entries": [{"id": ids["chosen_entry"], "title": "Storage migration retro",
                                 "text": "We moved 4 TB with no downtime."}],
        })
    );
    // And, to be plain about it: no address, contact, salary, label, place, link, time or
    // calendar data, nor what was not chosen.
    let everything = serde_json::to_string(&sent[0]).unwrap();
    for absent in [
        "ada@example.com",
        "ada@analytical.example",
        "+44 20",
        "Ada Lovelace",
        "Sam Recruiter",
        "sam@globex",
        "150000",
        "Dream job",
        "London",
        "Referral",
        "Send the take-home",
        "5th floor",
        "meet.example.com",
        "2026-12-20",
        "15:00",
        "Europe/Berlin",
        "read their engineering blog",
        "Hackathon",
        "burnt out",
        "BEGIN:VEVENT",
    ] {
        assert!(!everything.contains(absent), "“{absent}” must not be sent");
    }

    // A record of someone else's cannot be named as material: 422, nothing sent.
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let grace = api_for(&app).await;
    let grace_interview_ids = a_job_search(&grace).await;
    let (status, refused) = grace
        .post(
            &format!("/interviews/{}/prep", grace_interview_ids["this"]),
            json!({"achievement_ids": [ids["chosen_achievement"]]}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["error"]["fields"]["achievements"].is_string());
    assert_eq!(fake.requests().len(), 1);
    // Nor can Ada's interview be prepared, read or deleted by Grace.
    assert_eq!(grace.post(&format!("/interviews/{}/prep", ids["this"]), json!({})).await.0, 404);
    assert_eq!(grace.get(&format!("/interviews/{}/prep", ids["this"])).await.0, 404);
    assert_eq!(grace.delete(&format!("/interviews/{}/prep", ids["this"])).await, 404);
}

async fn promise_14_preparation_runs_only_when_started_and_the_story_bank_links_to_its_sources(app: TestApp) {
    let (app, fake) = with_fake(app).await;
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let ids = a_job_search(&api).await;
    let page = format!("/interviews/{}", ids["this"]);

    // Opening the interview's page runs nothing.
    let (_, html) = app.get_text(&page).await;
    assert!(html.contains("Prepare with AI"));
    assert!(
        html.contains(&format!(r#"value="{}" checked"#, ids["chosen_achievement"])),
        "achievements are offered, ticked"
    );
    assert!(html.contains(&format!(r#"value="{}">"#, ids["other_entry"])), "journal entries are offered, not ticked");
    assert!(fake.requests().is_empty());

    fake.answer(format!(
        "## Story bank\n\n**The migration** [source: {}]\n\n**Latency** [source: {}]\n\n**Invented** [source: 0190aaaa-0000-7000-8000-000000000000]",
        ids["chosen_entry"], ids["chosen_achievement"]
    ));
    let token = csrf_token_in(&html).unwrap();
    let response = app
        .client
        .post(app.url(&format!("{page}/prep")))
        .form(&[
            ("_csrf", token.as_str()),
            ("achievement", &ids["chosen_achievement"]),
            ("journal_entry", &ids["chosen_entry"]),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), format!("{page}?notice=prep_ready#ai-prep"));
    assert_eq!(fake.requests().len(), 1);

    let (_, html) = app.get_text(&page).await;
    assert!(html.contains(&format!(r#"<a href="/journal/{}">Storage migration retro</a>"#, ids["chosen_entry"])));
    assert!(html.contains(&format!(r#"<a href="/achievements/{}">Cut p99 latency 7x</a>"#, ids["chosen_achievement"])));
    assert!(!html.contains("0190aaaa"), "a source the model made up is dropped");
    assert!(html.contains("Written by fake-model"));
}

async fn preparation_is_kept_edited_written_again_and_deleted_by_its_owner_only(app: TestApp) {
    let (app, fake) = with_fake(app).await;
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let ids = a_job_search(&api).await;
    let page = format!("/interviews/{}", ids["this"]);
    fake.answer("## Likely questions\n\n1. Design a key-value store.")
        .answer("## Likely questions\n\n1. Second\u{0} take.\u{7}");

    let (status, first) = api.post(&format!("{page}/prep"), json!({})).await;
    assert_eq!(status, 201);
    assert_eq!(first["body"], "## Likely questions\n\n1. Design a key-value store.");
    assert_eq!(first["interview_id"], ids["this"].as_str());

    // Edit: the text is the user's now; bad input keeps what was typed.
    let edit_page = format!("{page}/prep/edit");
    let (_, form) = app.get_text(&edit_page).await;
    assert!(form.contains("Design a key-value store."));
    let saved = app.submit(&edit_page, &edit_page, &[("body", "## Mine now\n\nPractise sharding.")]).await;
    assert_eq!(location(&saved), format!("{page}?notice=saved#ai-prep"));
    let (_, kept) = api.get(&format!("{page}/prep")).await;
    assert_eq!(kept["body"], "## Mine now\n\nPractise sharding.");
    let too_long = "x".repeat(100_001);
    let refused = app.submit(&edit_page, &edit_page, &[("body", &too_long)]).await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains(r#"id="body-error""#));

    // Written again: replaces the document, one per interview; control characters the model
    // wrote (a NUL would fail PostgreSQL's insert) are left out.
    let (_, second) = api.post(&format!("{page}/prep"), json!({})).await;
    assert_eq!(second["body"], "## Likely questions\n\n1. Second take.");
    assert_ne!(second["id"], first["id"]);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM prep_documents").await, 1);

    // Someone else: 404 everywhere.
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    assert_eq!(app.get(&edit_page).await.status(), 404);
    let (_, grace_page) = app.get_text("/jobs").await;
    let token = csrf_token_in(&grace_page).unwrap();
    for action in [
        format!("{page}/prep"),
        format!("{page}/prep/edit"),
        format!("{page}/prep/delete"),
        format!("{page}/prep/stream"),
    ] {
        let response = app
            .client
            .post(app.url(&action))
            .form(&[("_csrf", token.as_str()), ("body", "hijacked")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{action}");
    }
    assert_eq!(fake.requests().len(), 2);

    // Deleted by Ada: gone, and deleting again is 404.
    app.sign_out().await;
    app.sign_in("ada@example.com", "maple orbit lantern quietly").await;
    let deleted = app.submit(&page, &format!("{page}/prep/delete"), &[]).await;
    assert_eq!(location(&deleted), format!("{page}?notice=deleted#ai-prep"));
    assert_eq!(api.get(&format!("{page}/prep")).await.0, 404);
    assert_eq!(api.delete(&format!("{page}/prep")).await, 404);
    // Deleting the interview takes its preparation with it.
    api.post(&format!("{page}/prep"), json!({})).await;
    assert_eq!(api.delete(&format!("/interviews/{}", ids["this"])).await, 204);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM prep_documents").await, 0);
}

async fn the_preparation_streams_as_it_is_written(app: TestApp) {
    let (app, fake) = with_fake(app).await;
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let ids = a_job_search(&api).await;
    let page = format!("/interviews/{}", ids["this"]);
    fake.answer("## Likely questions\n\n1. Why Globex?\n2. Walk me through a design.");
    let (_, html) = app.get_text(&page).await;
    assert!(html.contains(&format!(r#"data-ai-stream="{page}/prep/stream""#)));
    let token = csrf_token_in(&html).unwrap();
    let response = app
        .client
        .post(app.url(&format!("{page}/prep/stream")))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let body = response.text().await.unwrap();
    let events: Vec<(String, String)> = body
        .split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let name = block.lines().find_map(|l| l.strip_prefix("event: ")).unwrap_or_default().to_owned();
            let data: Vec<&str> = block.lines().filter_map(|l| l.strip_prefix("data: ")).collect();
            (name, data.join("\n"))
        })
        .collect();
    let text: String = events.iter().filter(|(name, _)| name == "text").map(|(_, data)| data.as_str()).collect();
    assert_eq!(text, "## Likely questions\n\n1. Why Globex?\n2. Walk me through a design.");
    assert!(events.iter().filter(|(name, _)| name == "text").count() > 1, "in pieces, as written");
    assert_eq!(events.last().unwrap(), &("done".to_owned(), format!("{page}?notice=prep_ready#ai-prep")));
    let (_, kept) = api.get(&format!("{page}/prep")).await;
    assert_eq!(kept["body"], text.as_str());

    // A failure ends the stream with the reason, and nothing is kept in its place.
    fake.fail(careerlog::integrations::ai::AiError::Overloaded);
    let response = app
        .client
        .post(app.url(&format!("{page}/prep/stream")))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    let body = response.text().await.unwrap();
    assert!(body.contains("event: error\ndata: The AI provider is overloaded."));
    assert_eq!(api.get(&format!("{page}/prep")).await.1["body"], text.as_str(), "the earlier document stays");
}

async fn without_a_provider_the_preparation_says_what_it_would_do(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let ids = a_job_search(&api).await;
    let page = format!("/interviews/{}", ids["this"]);
    let (_, html) = app.get_text(&page).await;
    assert!(html.contains("Preparation with AI writes likely questions"));
    assert!(html.contains("This instance has no AI provider configured"));
    assert!(!html.contains("data-ai-stream"), "no button that would fail");
    let (status, answer) = api.post(&format!("{page}/prep"), json!({})).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (503, Some("not_configured")));
    assert!(answer["error"]["message"].as_str().unwrap().contains("no AI provider configured"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM ai_runs").await, 0);
}

/// Preparation for the opportunity as a whole: no round, every debrief so far, kept on the
/// opportunity's page apart from any interview's.
async fn an_opportunity_is_prepared_for_before_any_round_is_set(app: TestApp) {
    let (app, fake) = with_fake(app).await;
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let ids = a_job_search(&api).await;
    let page = format!("/opportunities/{}", ids["opportunity"]);
    fake.answer("## Gaps to prepare\n\n- Storage at Globex's scale.");
    let (_, html) = app.get_text(&page).await;
    assert!(html.contains(&format!(r#"data-ai-stream="{page}/prep/stream""#)));
    assert!(html.contains("the debriefs of its interviews"));
    let done = app.submit(&page, &format!("{page}/prep"), &[("achievement", &ids["chosen_achievement"])]).await;
    assert_eq!(location(&done), format!("{page}?notice=prep_ready#ai-prep"));

    let input: Value = serde_json::from_str(&fake.requests()[0].messages[0].content).unwrap();
    assert!(input.get("interview").is_none(), "no round: {input}");
    assert_eq!(input["earlier_debriefs"].as_array().unwrap().len(), 1, "the phone screen's debrief");
    let (_, html) = app.get_text(&page).await;
    assert!(html.contains("Storage at Globex&#x27;s scale.") || html.contains("Storage at Globex's scale."));
    // The interview's own preparation is a different document.
    assert_eq!(api.get(&format!("/interviews/{}/prep", ids["this"])).await.0, 404);

    let edit = format!("{page}/prep/edit");
    let saved = app.submit(&edit, &edit, &[("body", "Mine.")]).await;
    assert_eq!(location(&saved), format!("{page}?notice=saved#ai-prep"));
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    assert_eq!(app.get(&edit).await.status(), 404);
    let (_, jobs) = app.get_text("/jobs").await;
    let token = csrf_token_in(&jobs).unwrap();
    let stolen =
        app.client.post(app.url(&format!("{page}/prep"))).form(&[("_csrf", token.as_str())]).send().await.unwrap();
    assert_eq!(stolen.status(), 404);
    assert_eq!(fake.requests().len(), 1);
}
