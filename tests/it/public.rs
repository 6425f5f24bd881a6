//! Public pages (SPEC "Public pages"; promises 4, 5 and 6): the resume at /u/{username}, the
//! public journal and its Atom feed, the sitemap, robots.txt and llms.txt. Everything is off
//! until the owner turns it on, and gone again the moment they turn it off.

use std::str::FromStr;

use serde_json::json;

use crate::career::{api_for, Api};
use crate::on_both_databases;
use crate::support::TestApp;

on_both_databases!(
    promise_4_public_pages_are_404_until_turned_on_and_again_once_turned_off,
    promise_4_private_entries_and_private_labels_never_appear_in_pages_feeds_or_the_sitemap,
    visitors_filter_the_resume_and_journal_by_public_labels_only,
    promise_5_the_indexing_switch_controls_the_sitemap_structured_data_and_noindex,
    promise_6_llms_txt_describes_the_site_without_any_user_data,
    the_atom_feed_is_valid_and_lists_the_public_entries,
    the_resume_reads_like_a_resume_and_shows_only_what_is_marked_for_it,
    the_photo_is_public_only_with_the_page_and_the_photo_switch,
    public_pages_need_a_username,
);

/// Ada, with a username and some records; returns her API client.
pub(crate) async fn ada_with_a_record(app: &TestApp) -> Api {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(app).await;
    let (status, _) = api
        .patch(
            "/profile",
            json!({"username": "ada", "display_name": "Ada Lovelace", "job_title": "Staff Engineer",
                   "region": "London", "bio": "I build data systems."}),
        )
        .await;
    assert_eq!(status, 200);
    let role = api
        .create(
            "/experiences",
            json!({"role": "Staff Engineer", "company": "Acme Analytics", "start_date": "2021-03", "current": true,
                   "highlights": ["Cut p99 latency by 60%"], "labels": ["Rust", "Leadership"]}),
        )
        .await;
    api.create(
        "/experiences",
        json!({"role": "Night Shift Cashier", "company": "Corner Shop", "start_date": "2010", "end_date": "2011",
               "on_resume": false}),
    )
    .await;
    api.create("/skills", json!({"name": "Rust", "category": "Languages", "level": "expert", "labels": ["Rust"]}))
        .await;
    api.create("/skills", json!({"name": "Negotiation", "category": "People", "labels": ["Leadership"]})).await;
    api.create("/projects", json!({"name": "Query planner", "role": "Maintainer", "url": "https://example.com/qp"}))
        .await;
    api.create(
        "/achievements",
        json!({"title": "Shipped the planner", "date": "2023-09", "experience_id": role["id"], "labels": ["Rust"]}),
    )
    .await;
    api.create(
        "/journal",
        json!({"title": "Why we rewrote the planner", "entry_date": "2026-11-20", "body": "Because **measurements**.",
               "is_public": true, "labels": ["Rust", "Salary"]}),
    )
    .await;
    api.create(
        "/journal",
        json!({"title": "Thoughts on my manager", "entry_date": "2026-11-21", "body": "Strictly private.",
               "is_public": false, "labels": ["Rust"]}),
    )
    .await;
    // Rust is public; Leadership and Salary stay private.
    let (_, all) = api.get("/labels").await;
    for label in all["items"].as_array().unwrap() {
        if label["name"] == "Rust" {
            let (status, _) =
                api.patch(&format!("/labels/{}", label["id"].as_str().unwrap()), json!({"is_public": true})).await;
            assert_eq!(status, 200);
        }
    }
    api
}

pub(crate) async fn switches(api: &Api, resume: bool, journal: bool, indexing: bool) {
    let body = json!({"resume_public": resume, "journal_public": journal, "allow_indexing": indexing});
    let (status, profile) = api.patch("/profile", body).await;
    assert_eq!(status, 200, "{profile}");
}

/// A visitor: no cookies, not signed in.
async fn visit(app: &TestApp, path: &str) -> (u16, String, reqwest::header::HeaderMap) {
    let response = app.new_browser().get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, response.text().await.unwrap(), headers)
}

async fn status(app: &TestApp, path: &str) -> u16 {
    visit(app, path).await.0
}

const PUBLIC_PATHS: [&str; 4] =
    ["/u/ada", "/u/ada/journal", "/u/ada/journal.atom", "/u/ada/journal/why-we-rewrote-the-planner"];

async fn promise_4_public_pages_are_404_until_turned_on_and_again_once_turned_off(app: TestApp) {
    let api = ada_with_a_record(&app).await;
    for path in PUBLIC_PATHS {
        assert_eq!(status(&app, path).await, 404, "{path} is not public by default");
    }
    assert_eq!(status(&app, "/u/nobody").await, 404);
    assert_eq!(status(&app, "/u/NOT%20A%20NAME").await, 404);

    switches(&api, true, false, false).await;
    assert_eq!(status(&app, "/u/ada").await, 200);
    assert_eq!(status(&app, "/u/ADA").await, 200, "usernames are not case-sensitive");
    for path in &PUBLIC_PATHS[1..] {
        assert_eq!(status(&app, path).await, 404, "{path} needs the journal switch");
    }

    switches(&api, true, true, false).await;
    for path in PUBLIC_PATHS {
        assert_eq!(status(&app, path).await, 200, "{path} is public now");
    }

    // Making the entry private hides it at once, from the page and the feed.
    let (_, entries) = api.get("/journal").await;
    let entry = entries["items"].as_array().unwrap().iter().find(|e| e["is_public"] == true).unwrap().clone();
    api.patch(&format!("/journal/{}", entry["id"].as_str().unwrap()), json!({"is_public": false})).await;
    assert_eq!(status(&app, PUBLIC_PATHS[3]).await, 404);
    assert!(!visit(&app, "/u/ada/journal.atom").await.1.contains("Why we rewrote the planner"));

    switches(&api, false, false, false).await;
    for path in PUBLIC_PATHS {
        assert_eq!(status(&app, path).await, 404, "{path} is gone again");
    }
}

async fn promise_4_private_entries_and_private_labels_never_appear_in_pages_feeds_or_the_sitemap(app: TestApp) {
    let api = ada_with_a_record(&app).await;
    switches(&api, true, true, true).await;
    let mut everything = String::new();
    for path in PUBLIC_PATHS.iter().copied().chain(["/sitemap.xml", "/u/ada/journal?label=Rust", "/u/ada?label=Rust"]) {
        let (code, body, _) = visit(&app, path).await;
        assert_eq!(code, 200, "{path}");
        everything.push_str(&body);
    }
    assert!(everything.contains("Why we rewrote the planner"));
    for private in ["Thoughts on my manager", "Strictly private", "Leadership", "Salary", "Night Shift Cashier"] {
        assert!(!everything.contains(private), "{private:?} must not be public");
    }
    assert_eq!(status(&app, "/u/ada/journal/thoughts-on-my-manager").await, 404);
}

async fn visitors_filter_the_resume_and_journal_by_public_labels_only(app: TestApp) {
    let api = ada_with_a_record(&app).await;
    switches(&api, true, true, false).await;
    let (_, resume, _) = visit(&app, "/u/ada?label=rust").await;
    assert!(resume.contains("Acme Analytics") && resume.contains("Shipped the planner"));
    assert!(!resume.contains("Query planner"), "the project has no Rust label");
    assert!(!resume.contains("Negotiation"));
    assert!(
        resume.contains(r#"aria-current="page">Rust"#) || resume.contains("chip-active"),
        "the filter shows as chosen"
    );

    // A private label filters like a label that does not exist: nothing, and no hint of it.
    let (code, private, _) = visit(&app, "/u/ada?label=Leadership").await;
    assert_eq!(code, 200);
    assert!(!private.contains("Acme Analytics") && !private.contains("Negotiation"));
    let (_, unknown, _) = visit(&app, "/u/ada?label=no-such-label").await;
    assert_eq!(strip_label(&private, "Leadership"), strip_label(&unknown, "no-such-label"));

    // A public label that is only on records nobody can see is not offered as a filter.
    let (_, experiences) = api.get("/experiences").await;
    let hidden = experiences["items"].as_array().unwrap().iter().find(|e| e["on_resume"] == false).unwrap().clone();
    api.post("/labels", json!({"name": "Nightlife", "is_public": true})).await;
    let url = format!("/experiences/{}", hidden["id"].as_str().unwrap());
    assert_eq!(api.patch(&url, json!({"labels": ["Nightlife"]})).await.0, 200);
    let (_, resume, _) = visit(&app, "/u/ada").await;
    assert!(resume.contains("?label=Rust") && !resume.contains("Nightlife"));

    let (_, journal, _) = visit(&app, "/u/ada/journal?label=RUST").await;
    assert!(journal.contains("Why we rewrote the planner"));
    let (_, journal, _) = visit(&app, "/u/ada/journal?label=Salary").await;
    assert!(!journal.contains("Why we rewrote the planner"), "Salary is private");
}

fn strip_label(html: &str, label: &str) -> String {
    html.replace(label, "")
}

async fn promise_5_the_indexing_switch_controls_the_sitemap_structured_data_and_noindex(app: TestApp) {
    let api = ada_with_a_record(&app).await;
    switches(&api, true, true, false).await;
    let (_, sitemap, _) = visit(&app, "/sitemap.xml").await;
    assert!(!sitemap.contains("/u/ada"), "not in the sitemap without permission");
    for path in PUBLIC_PATHS {
        let (code, body, headers) = visit(&app, path).await;
        assert_eq!(code, 200, "{path} still opens by direct link");
        assert_eq!(headers["x-robots-tag"], "noindex, nofollow", "{path}");
        assert!(!body.contains("application/ld+json"), "{path} has no structured data");
        if !path.ends_with(".atom") {
            assert!(body.contains(r#"<meta name="robots" content="noindex, nofollow">"#), "{path}");
            // Issue 11, item 7: nor OpenGraph, Twitter or canonical tags, as the README says.
            for tag in ["og:", "twitter:", r#"rel="canonical""#] {
                assert!(!body.contains(tag), "{path} carries {tag} with indexing off");
            }
            assert!(body.contains(r#"<meta name="description""#), "link previews still get a description");
        }
    }

    switches(&api, true, true, true).await;
    let (_, sitemap, headers) = visit(&app, "/sitemap.xml").await;
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/xml"));
    for path in ["/u/ada</loc>", "/u/ada/journal</loc>", "/u/ada/journal/why-we-rewrote-the-planner</loc>"] {
        assert!(sitemap.contains(&format!("{}{path}", app.base_url)), "{path} in {sitemap}");
    }
    let (_, resume, headers) = visit(&app, "/u/ada").await;
    assert!(headers.get("x-robots-tag").is_none());
    assert!(!resume.contains("noindex"));
    let data = json_ld(&resume);
    assert_eq!(data["@type"], "ProfilePage");
    assert_eq!(data["mainEntity"]["@type"], "Person");
    assert_eq!(data["mainEntity"]["name"], "Ada Lovelace");
    assert_eq!(data["mainEntity"]["jobTitle"], "Staff Engineer");
    assert_eq!(data["mainEntity"]["address"]["addressRegion"], "London");
    assert_eq!(data["mainEntity"]["description"], "I build data systems.");
    assert!(resume.contains(&format!(r#"<link rel="canonical" href="{}/u/ada">"#, app.base_url)));
    assert!(resume.contains(r#"<meta property="og:title""#));
    let (_, entry, _) = visit(&app, PUBLIC_PATHS[3]).await;
    let posting = json_ld(&entry);
    assert_eq!(posting["@type"], "BlogPosting");
    assert_eq!(posting["headline"], "Why we rewrote the planner");
    assert!(entry.contains(r#"type="application/atom+xml""#), "the feed is discoverable");

    let (_, robots, _) = visit(&app, "/robots.txt").await;
    assert!(robots.contains(&format!("Sitemap: {}/sitemap.xml", app.base_url)));
}

fn json_ld(html: &str) -> serde_json::Value {
    let start = html.find(r#"<script type="application/ld+json">"#).expect("JSON-LD on the page") + 35;
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).expect("the JSON-LD parses")
}

async fn promise_6_llms_txt_describes_the_site_without_any_user_data(app: TestApp) {
    let api = ada_with_a_record(&app).await;
    switches(&api, true, true, true).await;
    let (code, text, headers) = visit(&app, "/llms.txt").await;
    assert_eq!(code, 200);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert!(text.starts_with("# Careerlog"));
    assert!(text.contains("/u/{username}") && text.contains("/sitemap.xml"));
    for user_data in ["ada", "Ada", "Lovelace", "Acme", "planner", "London", "example.com"] {
        assert!(!text.contains(user_data), "llms.txt mentions {user_data:?}");
    }
}

async fn the_atom_feed_is_valid_and_lists_the_public_entries(app: TestApp) {
    let api = ada_with_a_record(&app).await;
    switches(&api, false, true, false).await;
    let (code, body, headers) = visit(&app, "/u/ada/journal.atom").await;
    assert_eq!(code, 200);
    assert_eq!(headers["content-type"], "application/atom+xml; charset=utf-8");
    let feed = atom_syndication::Feed::from_str(&body).expect("a valid Atom feed");
    assert_eq!(feed.title().as_str(), "Ada Lovelace’s journal");
    assert_eq!(feed.entries().len(), 1, "only the public entry");
    let entry = &feed.entries()[0];
    assert_eq!(entry.title().as_str(), "Why we rewrote the planner");
    assert_eq!(entry.links()[0].href(), format!("{}/u/ada/journal/why-we-rewrote-the-planner", app.base_url));
    assert!(entry.content().unwrap().value().unwrap().contains("<strong>measurements</strong>"));
    assert!(feed.links().iter().any(|l| l.rel() == "self"));
}

async fn the_resume_reads_like_a_resume_and_shows_only_what_is_marked_for_it(app: TestApp) {
    let api = ada_with_a_record(&app).await;
    switches(&api, true, false, false).await;
    let (_, resume, _) = visit(&app, "/u/ada").await;
    let order = [
        "Ada Lovelace",
        "Staff Engineer",
        "Experience",
        "Acme Analytics",
        "Cut p99 latency by 60%",
        "Shipped the planner",
        "Projects",
        "Query planner",
        "Skills",
        "Languages",
        "Rust",
    ];
    let mut from = 0;
    for text in order {
        let at = resume[from..].find(text).unwrap_or_else(|| panic!("{text:?} after position {from}"));
        from += at + text.len();
    }
    assert!(!resume.contains("Night Shift Cashier"), "not marked for the resume");
    assert!(!resume.contains("/journal\""), "no journal link while the journal is off");
    assert!(!resume.contains("Sign out") && !resume.contains("/settings"), "no app navigation");
}

async fn the_photo_is_public_only_with_the_page_and_the_photo_switch(app: TestApp) {
    let api = ada_with_a_record(&app).await;
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(64, 64, image::Rgb([10, 120, 200])))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let html = app.get_text("/settings/profile").await.1;
    let token = crate::support::csrf_token_in(&html).unwrap();
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token)
        .part("photo", reqwest::multipart::Part::bytes(png).file_name("me.png"));
    assert_eq!(app.client.post(app.url("/settings/profile/photo")).multipart(form).send().await.unwrap().status(), 303);
    let photo: String = sqlx::query_scalar("SELECT id FROM uploads").fetch_one(app.state.db.pool()).await.unwrap();
    let photo_url = format!("/files/{photo}");

    switches(&api, true, false, false).await;
    let (_, resume, _) = visit(&app, "/u/ada").await;
    assert!(!resume.contains(&photo_url), "the photo switch is off");
    assert_eq!(status(&app, &photo_url).await, 404);

    api.patch("/profile", json!({"photo_public": true})).await;
    let (_, resume, _) = visit(&app, "/u/ada").await;
    assert!(resume.contains(&photo_url));
    assert_eq!(status(&app, &photo_url).await, 200);

    switches(&api, false, false, false).await;
    assert_eq!(status(&app, &photo_url).await, 404, "no public page, no public photo");
}

async fn public_pages_need_a_username(app: TestApp) {
    app.signed_up_user("grace@example.com").await;
    let response = app.submit("/settings/profile", "/settings/profile", &[("resume_public", "on")]).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("Choose a username first"));
    let api = api_for(&app).await;
    let (status, body) = api.patch("/profile", json!({"journal_public": true})).await;
    assert_eq!(status, 422);
    assert!(body["error"]["fields"]["username"].is_string());
}
