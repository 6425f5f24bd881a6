//! Issue 18, item 1: public pages come from a render cache, and the cache is never stale. Every
//! write to what a public page shows (each kind of record, a label or an entry made private, the
//! resume switched off, a username changed, an import, a write made by another process straight
//! to the database, the account deleted) shows on the very next request; and across two
//! instances on one PostgreSQL database, what one instance writes the other shows at once.
//! Pages come compressed, with entity tags, and answer 304 when the visitor's copy is current.

use std::io::Read as _;

use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, ETAG, IF_NONE_MATCH};
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::career::Api;
use crate::public::{ada_with_a_record, switches};
use crate::support::{
    browser, create_user_with_cli, fresh_postgres_database, submit_with, Backend, ServerProcess, ServerSettings,
    TestApp,
};

const METRICS_TOKEN: &str = "public-cache-metrics-token-5c1e";

crate::on_both_backends!(
    every_write_to_what_a_public_page_shows_is_on_the_very_next_request,
    public_pages_come_compressed_with_entity_tags_and_answer_304_while_unchanged,
    a_kept_resume_is_answered_exactly_as_the_route_answers_it,
);

async fn app_with_metrics(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, &["--metrics-token", METRICS_TOKEN]).await
}

/// A visitor's view of a page: status, body and entity tag.
async fn visit(app: &TestApp, path: &str) -> (u16, String, String) {
    visit_at(&app.base_url, path).await
}

async fn visit_at(base: &str, path: &str) -> (u16, String, String) {
    let response = browser().get(format!("{base}{path}")).send().await.unwrap();
    let status = response.status().as_u16();
    let etag = response.headers().get(ETAG).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, response.text().await.unwrap(), etag)
}

/// How many public page requests the cache has answered so far.
async fn cache_hits(base: &str) -> i64 {
    let metrics =
        browser().get(format!("{base}/metrics")).bearer_auth(METRICS_TOKEN).send().await.unwrap().text().await.unwrap();
    let line = metrics.lines().find(|l| l.starts_with("careerlog_public_cache_hits_total ")).expect("the hit counter");
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

/// Load `path` until it is kept (the second load is a hit), so the next check really tests the
/// cache's invalidation rather than a first rendering.
async fn warm(base: &str, path: &str) -> String {
    let (status, first, _) = visit_at(base, path).await;
    assert_eq!(status, 200, "{path}");
    let hits = cache_hits(base).await;
    let (_, second, _) = visit_at(base, path).await;
    assert_eq!(cache_hits(base).await, hits + 1, "{path} is answered from the cache the second time");
    assert_eq!(first, second);
    second
}

async fn every_write_to_what_a_public_page_shows_is_on_the_very_next_request(backend: Backend) {
    let Some(app) = app_with_metrics(backend).await else { return };
    let api = ada_with_a_record(&app).await;
    switches(&api, true, true, true).await;
    let base = app.base_url.clone();
    let entry = "/u/ada/journal/why-we-rewrote-the-planner";
    let pages = ["/u/ada", "/u/ada/journal", entry, "/u/ada/journal.atom", "/sitemap.xml"];
    for path in pages {
        warm(&base, path).await;
    }

    // A record of each kind, written through the API.
    let (_, experiences) = api.get("/experiences").await;
    let staff = experiences["items"].as_array().unwrap().iter().find(|e| e["company"] == "Acme Analytics").unwrap();
    let staff = staff["id"].as_str().unwrap().to_owned();
    assert_eq!(api.patch(&format!("/experiences/{staff}"), json!({"role": "Principal Engineer"})).await.0, 200);
    let resume = visit(&app, "/u/ada").await.1;
    assert!(resume.contains("Principal Engineer") && !resume.contains("Staff Engineer</"), "an edited experience");

    warm(&base, "/u/ada").await;
    api.create("/skills", json!({"name": "Capacity planning", "category": "Operations"})).await;
    assert!(visit(&app, "/u/ada").await.1.contains("Capacity planning"), "a new skill");

    warm(&base, "/u/ada").await;
    let (_, projects) = api.get("/projects").await;
    let planner = projects["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(api.delete(&format!("/projects/{planner}")).await, 204);
    assert!(!visit(&app, "/u/ada").await.1.contains("Query planner"), "a deleted project");

    warm(&base, "/u/ada").await;
    let (_, achievements) = api.get("/achievements").await;
    let shipped = achievements["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        api.patch(&format!("/achievements/{shipped}"), json!({"title": "Shipped the new planner"})).await.0,
        200
    );
    assert!(visit(&app, "/u/ada").await.1.contains("Shipped the new planner"), "an edited achievement");

    warm(&base, "/u/ada").await;
    api.create("/education", json!({"institution": "University of London", "study_type": "BSc", "area": "Maths"}))
        .await;
    assert!(visit(&app, "/u/ada").await.1.contains("University of London"), "new education");

    warm(&base, "/u/ada").await;
    api.create("/certifications", json!({"name": "Certified Kubernetes Administrator", "issuer": "CNCF"})).await;
    assert!(visit(&app, "/u/ada").await.1.contains("Certified Kubernetes Administrator"), "a new certification");

    // The profile.
    warm(&base, "/u/ada").await;
    assert_eq!(api.patch("/profile", json!({"job_title": "Chief Architect"})).await.0, 200);
    assert!(visit(&app, "/u/ada").await.1.contains("Chief Architect"), "the profile");

    // A label made private: no longer offered as a filter.
    warm(&base, "/u/ada").await;
    assert!(visit(&app, "/u/ada").await.1.contains("?label=Rust"));
    warm(&base, "/u/ada").await;
    let (_, labels) = api.get("/labels").await;
    let rust = labels["items"].as_array().unwrap().iter().find(|l| l["name"] == "Rust").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(api.patch(&format!("/labels/{rust}"), json!({"is_public": false})).await.0, 200);
    assert!(!visit(&app, "/u/ada").await.1.contains("?label=Rust"), "a label made private");

    // A journal entry edited: its page, the journal and the feed.
    for path in ["/u/ada/journal", entry, "/u/ada/journal.atom"] {
        warm(&base, path).await;
    }
    let (_, entries) = api.get("/journal").await;
    let public_entry = entries["items"].as_array().unwrap().iter().find(|e| e["is_public"] == true).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let edited = api.patch(&format!("/journal/{public_entry}"), json!({"body": "Because **profiles** said so."})).await;
    assert_eq!(edited.0, 200, "{}", edited.1);
    assert!(visit(&app, entry).await.1.contains("profiles</strong> said so"), "the entry's page");
    assert!(visit(&app, "/u/ada/journal.atom").await.1.contains("profiles"), "the feed");

    // The entry made private: gone from every page and the sitemap.
    for path in ["/u/ada/journal", entry, "/u/ada/journal.atom", "/sitemap.xml"] {
        warm(&base, path).await;
    }
    assert_eq!(api.patch(&format!("/journal/{public_entry}"), json!({"is_public": false})).await.0, 200);
    assert_eq!(visit(&app, entry).await.0, 404, "a private entry's page");
    assert!(!visit(&app, "/u/ada/journal").await.1.contains("Why we rewrote the planner"));
    assert!(!visit(&app, "/u/ada/journal.atom").await.1.contains("Why we rewrote the planner"));
    assert!(!visit(&app, "/sitemap.xml").await.1.contains("why-we-rewrote-the-planner"));

    // A resume imported from a file and applied.
    warm(&base, "/u/ada").await;
    import_a_resume(&api).await;
    assert!(visit(&app, "/u/ada").await.1.contains("Difference Engines Ltd"), "an applied import");

    // A write straight to the database, as another process or instance would make it.
    warm(&base, "/u/ada").await;
    sqlx::query("UPDATE experiences SET role = 'Written elsewhere' WHERE id = $1")
        .bind(&staff)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert!(visit(&app, "/u/ada").await.1.contains("Written elsewhere"), "a write the app did not make");

    // Indexing turned off: out of the sitemap, and robots are told on the page.
    warm(&base, "/sitemap.xml").await;
    warm(&base, "/u/ada").await;
    switches(&api, true, true, false).await;
    assert!(!visit(&app, "/sitemap.xml").await.1.contains("/u/ada"), "the sitemap");
    let response = browser().get(app.url("/u/ada")).send().await.unwrap();
    assert_eq!(response.headers()["x-robots-tag"], "noindex, nofollow");

    // A new username: the old address is gone at once, the new one works.
    for path in ["/u/ada", "/u/ada/journal", "/u/ada/journal.atom"] {
        warm(&base, path).await;
    }
    assert_eq!(api.patch("/profile", json!({"username": "lovelace"})).await.0, 200);
    for path in ["/u/ada", "/u/ada/journal", "/u/ada/journal.atom"] {
        assert_eq!(visit(&app, path).await.0, 404, "{path} after the username changed");
    }
    assert_eq!(visit(&app, "/u/lovelace").await.0, 200);

    // The resume switched off.
    warm(&base, "/u/lovelace").await;
    switches(&api, false, true, false).await;
    assert_eq!(visit(&app, "/u/lovelace").await.0, 404, "a resume switched off");

    // The account deleted.
    warm(&base, "/u/lovelace/journal").await;
    let deleted =
        app.submit("/settings", "/settings/delete-account", &[("password", "maple orbit lantern quietly")]).await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(visit(&app, "/u/lovelace/journal").await.0, 404, "a deleted account's journal");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM public_page_versions WHERE user_id <> '*'").await,
        0,
        "promise 19: the count goes with the account"
    );
}

async fn import_a_resume(api: &Api) {
    let text =
        "# Ada Lovelace\n\n## Experience\n\n### Analyst — Difference Engines Ltd\n*Jan 2012 – Dec 2014* · London\n\n\
                - Tabulated the tables\n";
    let part = Part::bytes(text.as_bytes().to_vec()).file_name("cv.md").mime_str("text/markdown").unwrap();
    let (status, review) = api.upload("/imports", Form::new().part("file", part)).await;
    assert_eq!(status, 201, "{review}");
    let id = review["id"].as_str().unwrap();
    let rows: Vec<_> = review["rows"].as_array().unwrap().iter().map(|row| json!({"id": row["id"]})).collect();
    let (status, applied) = api.post(&format!("/imports/{id}/apply"), json!({ "rows": rows })).await;
    assert_eq!(status, 201, "{applied}");
}

async fn public_pages_come_compressed_with_entity_tags_and_answer_304_while_unchanged(backend: Backend) {
    let Some(app) = app_with_metrics(backend).await else { return };
    let api = ada_with_a_record(&app).await;
    switches(&api, true, true, true).await;
    let plain = warm(&app.base_url, "/u/ada").await;
    let client = browser();

    for (coding, decode) in [("br", decode_brotli as fn(&[u8]) -> String), ("gzip", decode_gzip)] {
        let response = client.get(app.url("/u/ada")).header(ACCEPT_ENCODING, coding).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()[CONTENT_ENCODING], coding);
        assert_eq!(response.headers()["vary"], "accept-encoding");
        let bytes = response.bytes().await.unwrap();
        assert!(bytes.len() < plain.len() / 2, "{coding} is smaller");
        assert_eq!(decode(&bytes), plain, "{coding} decodes to the same page");
    }
    let refused = client.get(app.url("/u/ada")).header(ACCEPT_ENCODING, "br;q=0, gzip;q=0").send().await.unwrap();
    assert!(refused.headers().get(CONTENT_ENCODING).is_none(), "a coding with q=0 is not used");

    // The visitor's copy is current: 304, no body; the same for every public page.
    for path in ["/u/ada", "/u/ada/journal", "/u/ada/journal.atom", "/sitemap.xml", "/llms.txt", "/robots.txt"] {
        let first = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(first.status(), 200, "{path}");
        assert_eq!(first.headers()["cache-control"], "public, no-cache", "{path} is revalidated every time");
        let etag = first.headers()[ETAG].to_str().unwrap().to_owned();
        let again = client.get(app.url(path)).header(IF_NONE_MATCH, &etag).send().await.unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()[ETAG].to_str().unwrap(), etag);
        assert!(again.bytes().await.unwrap().is_empty());
    }

    // After an edit the old tag no longer matches: the new page comes whole.
    let etag = visit(&app, "/u/ada").await.2;
    assert_eq!(api.patch("/profile", json!({"job_title": "Chief Architect"})).await.0, 200);
    let after = client.get(app.url("/u/ada")).header(IF_NONE_MATCH, &etag).send().await.unwrap();
    assert_eq!(after.status(), 200);
    assert_ne!(after.headers()[ETAG].to_str().unwrap(), etag);
    assert!(after.text().await.unwrap().contains("Chief Architect"));

    // HEAD answers like GET, without a body.
    let head = client.head(app.url("/u/ada")).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert!(head.headers().get(ETAG).is_some());
}

/// How many `GET /u/{username}` requests answered 200 the metrics have counted.
async fn resume_requests_counted(base: &str) -> i64 {
    let metrics =
        browser().get(format!("{base}/metrics")).bearer_auth(METRICS_TOKEN).send().await.unwrap().text().await.unwrap();
    let prefix = r#"careerlog_http_requests_total{method="GET",route="/u/{username}",status="200"} "#;
    metrics.lines().find_map(|l| l.strip_prefix(prefix)).map(|n| n.parse().unwrap()).unwrap_or(0)
}

/// A signed-out visit to a kept resume is answered before the router (the fast lane): what the
/// visitor gets is the same as what the route gives, security headers and all; the view is
/// counted, the request is in the metrics, and it has its own request id.
async fn a_kept_resume_is_answered_exactly_as_the_route_answers_it(backend: Backend) {
    let Some(app) =
        TestApp::spawn_with(backend, &["--metrics-token", METRICS_TOKEN, "--trusted-proxies", "127.0.0.1"]).await
    else {
        return;
    };
    let api = ada_with_a_record(&app).await;
    switches(&api, true, true, true).await;
    let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0";
    let load = |address: &'static str| {
        let request = browser().get(app.url("/u/ada")).header("user-agent", firefox).header("x-forwarded-for", address);
        async move { request.send().await.unwrap() }
    };
    let views_before = {
        app.state.analytics.flush().await;
        app.scalar("SELECT COUNT(*) FROM page_views").await
    };
    let counted_before = resume_requests_counted(&app.base_url).await;
    let rendered = load("203.0.113.10").await;
    let hits = cache_hits(&app.base_url).await;
    let kept = load("203.0.113.11").await;
    assert_eq!(cache_hits(&app.base_url).await, hits + 1, "the second visit is a cache hit");

    let shown = |response: &reqwest::Response| {
        let mut headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter(|(name, _)| !matches!(name.as_str(), "date" | "x-request-id"))
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
            .collect();
        headers.sort();
        headers
    };
    assert_eq!(shown(&kept), shown(&rendered), "the same headers, whichever way the page was answered");
    for header in ["content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy", "etag"] {
        assert!(kept.headers().contains_key(header), "{header}");
    }
    let ids: Vec<String> =
        [&rendered, &kept].iter().map(|r| r.headers()["x-request-id"].to_str().unwrap().to_owned()).collect();
    assert!(ids.iter().all(|id| id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit())), "{ids:?}");
    assert_ne!(ids[0], ids[1], "each request has its own id");
    assert_eq!(kept.text().await.unwrap(), rendered.text().await.unwrap());

    app.state.analytics.flush().await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM page_views").await, views_before + 2, "both views are counted");
    assert_eq!(resume_requests_counted(&app.base_url).await, counted_before + 2, "both are in the metrics");

    // The owner, signed in, still goes through the router: their own view is not counted.
    let own = app.client.get(app.url("/u/ada")).header("user-agent", firefox).send().await.unwrap();
    assert_eq!(own.status(), 200);
    app.state.analytics.flush().await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM page_views").await,
        views_before + 2,
        "the owner's view is not counted"
    );
}

fn decode_brotli(bytes: &[u8]) -> String {
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut &bytes[..], &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn decode_gzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut out).unwrap();
    out
}

/// Two instances on one PostgreSQL database: each keeps its own cache, and a write through one
/// shows on the other's very next request (the count is read from the shared database).
#[tokio::test]
async fn across_two_instances_a_write_through_one_shows_on_the_others_next_request() {
    let Some(database_url) = fresh_postgres_database().await else { return };
    let settings = ServerSettings {
        database_url: Some(database_url),
        secret_key: Some("7d1e0c4b9a8f6e5d4c3b2a1908f7e6d5c4b3a29180f1e2d3c4b5a6978869a0b1".to_owned()),
        args: vec!["--metrics-token".into(), METRICS_TOKEN.into()],
        ..ServerSettings::default()
    };
    let (a, b) = tokio::join!(ServerProcess::start(&settings), ServerProcess::start(&settings));
    let password = "maple orbit lantern quietly";
    create_user_with_cli(&settings.storage_args(&a.data_dir), "ada@example.com", password, false);
    let ada = browser();
    let fields = [("email", "ada@example.com"), ("password", password)];
    assert_eq!(submit_with(&ada, &a.address, "/login", "/login", &fields).await.status(), 303);
    let made = submit_with(&ada, &a.address, "/settings/tokens", "/settings/tokens", &[("name", "sync")]).await;
    let html = made.text().await.unwrap();
    let token = regex::Regex::new(r"(clg_[A-Za-z0-9_-]{43})").unwrap().captures(&html).unwrap()[1].to_owned();
    let api = |method: reqwest::Method, path: &str, body: serde_json::Value| {
        reqwest::Client::new()
            .request(method, format!("{}/api/v1{path}", a.address))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let profile = json!({"username": "ada", "display_name": "Ada Lovelace", "resume_public": true,
                         "journal_public": true, "allow_indexing": true});
    assert_eq!(api(reqwest::Method::PATCH, "/profile", profile).await.unwrap().status(), 200);
    let experience = json!({"role": "Staff Engineer", "company": "Acme Analytics", "start_date": "2021-03",
                            "current": true, "labels": ["Rust"]});
    let created: serde_json::Value =
        api(reqwest::Method::POST, "/experiences", experience).await.unwrap().json().await.unwrap();
    let experience = created["id"].as_str().unwrap().to_owned();
    let entry = json!({"title": "Notes from the planner", "entry_date": "2026-11-20", "body": "Measured.",
                       "is_public": true});
    let created: serde_json::Value = api(reqwest::Method::POST, "/journal", entry).await.unwrap().json().await.unwrap();
    let entry = created["id"].as_str().unwrap().to_owned();

    // B keeps the pages; A takes each write; B's next request shows it.
    warm(&b.address, "/u/ada").await;
    let edit = json!({"role": "Principal Engineer"});
    assert_eq!(api(reqwest::Method::PATCH, &format!("/experiences/{experience}"), edit).await.unwrap().status(), 200);
    assert!(visit_at(&b.address, "/u/ada").await.1.contains("Principal Engineer"), "an edit through A");

    warm(&b.address, "/u/ada/journal").await;
    warm(&b.address, "/sitemap.xml").await;
    let private = json!({"is_public": false});
    assert_eq!(api(reqwest::Method::PATCH, &format!("/journal/{entry}"), private).await.unwrap().status(), 200);
    assert!(
        !visit_at(&b.address, "/u/ada/journal").await.1.contains("Notes from the planner"),
        "an entry made private"
    );
    assert!(!visit_at(&b.address, "/sitemap.xml").await.1.contains("notes-from-the-planner"));

    warm(&b.address, "/u/ada").await;
    let labels: serde_json::Value =
        api(reqwest::Method::GET, "/labels", json!({})).await.unwrap().json().await.unwrap();
    let rust = labels["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        api(reqwest::Method::PATCH, &format!("/labels/{rust}"), json!({"is_public": true})).await.unwrap().status(),
        200
    );
    assert!(visit_at(&b.address, "/u/ada").await.1.contains("?label=Rust"), "a label made public");

    warm(&b.address, "/u/ada").await;
    assert_eq!(api(reqwest::Method::PATCH, "/profile", json!({"username": "lovelace"})).await.unwrap().status(), 200);
    assert_eq!(visit_at(&b.address, "/u/ada").await.0, 404, "the old username");
    assert_eq!(visit_at(&b.address, "/u/lovelace").await.0, 200, "the new one");

    warm(&b.address, "/u/lovelace").await;
    assert_eq!(api(reqwest::Method::PATCH, "/profile", json!({"resume_public": false})).await.unwrap().status(), 200);
    assert_eq!(visit_at(&b.address, "/u/lovelace").await.0, 404, "the resume switched off through A");
}
