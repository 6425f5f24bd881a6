//! Page-view analytics on public pages. Promise 1: only a one-way hash of a visitor's address is
//! ever stored. Promise 2: robots are not counted. Promise 3: the owner sees aggregates only.

use careerlog::clock::Clock;
use std::time::Duration;

use careerlog::housekeeping::run as housekeeping;

use crate::on_both_databases;
use crate::public::{ada_with_a_record, switches};
use crate::support::{Backend, TestApp};

on_both_databases!(
    promise_1_a_view_stores_a_keyed_hash_and_never_the_address,
    promise_2_robots_tools_headless_browsers_and_prefetches_are_not_counted,
    the_owners_own_views_are_not_counted,
    a_new_day_brings_a_new_salt_and_a_different_hash,
    promise_3_the_analytics_page_shows_aggregates_only,
    old_views_are_rolled_up_into_daily_figures,
    issue_11_a_visitor_reloading_a_page_counts_once_per_half_hour,
    issue_11_one_visitor_adds_at_most_fifty_views_a_day,
);

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0";
const ADDRESS: &str = "203.0.113.77";

/// The app behind a trusted proxy (so a test can say who the visitor is), with housekeeping
/// left to the test, and Ada's resume and journal published.
async fn published(app: TestApp) -> TestApp {
    let app = TestApp::spawn_with(app.backend, &["--trusted-proxies", "127.0.0.1", "--housekeeping-minutes", "0"])
        .await
        .unwrap();
    let api = ada_with_a_record(&app).await;
    switches(&api, true, true, false).await;
    app
}

/// A visitor's request for `path`: from `address`, as `agent`, coming from a news site.
async fn view(app: &TestApp, path: &str, address: &str, agent: &str) -> reqwest::Response {
    app.new_browser()
        .get(app.url(path))
        .header("user-agent", agent)
        .header("x-forwarded-for", address)
        .header("referer", "https://news.example.org/item?id=5&session=private")
        .send()
        .await
        .unwrap()
}

async fn counted(app: &TestApp) -> i64 {
    app.state.analytics.flush().await;
    app.scalar("SELECT COUNT(*) FROM page_views").await
}

/// Every value in every table of the database, as text.
async fn everything_stored(app: &TestApp) -> String {
    let pool = app.state.db.pool();
    let tables: Vec<String> = match app.backend {
        Backend::Sqlite => {
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'").fetch_all(pool).await
        }
        Backend::Postgres => {
            sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'")
                .fetch_all(pool)
                .await
        }
    }
    .unwrap();
    let mut all = String::new();
    for table in tables {
        let rows: Vec<String> = match app.backend {
            Backend::Sqlite => {
                let columns: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                        .fetch_all(pool)
                        .await
                        .unwrap();
                let expression = columns
                    .iter()
                    .map(|c| format!("COALESCE(quote(\"{c}\"), '')"))
                    .collect::<Vec<_>>()
                    .join(" || '|' || ");
                sqlx::query_scalar(&format!("SELECT {expression} FROM \"{table}\"")).fetch_all(pool).await.unwrap()
            }
            Backend::Postgres => {
                sqlx::query_scalar(&format!("SELECT CAST(t AS TEXT) FROM \"{table}\" t")).fetch_all(pool).await.unwrap()
            }
        };
        all.push_str(&rows.join("\n"));
    }
    all
}

async fn promise_1_a_view_stores_a_keyed_hash_and_never_the_address(app: TestApp) {
    let app = published(app).await;
    assert_eq!(view(&app, "/u/ada", ADDRESS, FIREFOX).await.status(), 200);
    assert_eq!(counted(&app).await, 1);
    let (hash, kind, referrer, agent): (String, String, Option<String>, String) =
        sqlx::query_as("SELECT visitor_hash, content_kind, referrer, user_agent FROM page_views")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(kind, "resume");
    assert_eq!(agent, FIREFOX);
    assert_eq!(referrer.as_deref(), Some("https://news.example.org/item"), "no query string is kept");
    assert!(hash.len() >= 40 && !hash.contains(ADDRESS));
    let stored = everything_stored(&app).await;
    assert!(stored.contains(&hash), "the search covers the page_views table");
    assert!(!stored.contains(ADDRESS), "the address is nowhere in the database");
    assert!(!stored.contains("203.0.113"), "not even in part");
    assert!(!stored.contains("session=private"));
}

async fn promise_2_robots_tools_headless_browsers_and_prefetches_are_not_counted(app: TestApp) {
    let app = published(app).await;
    for agent in [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "curl/8.5.0",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "",
    ] {
        assert_eq!(view(&app, "/u/ada", ADDRESS, agent).await.status(), 200, "{agent:?} still gets the page");
    }
    let prefetch = app
        .new_browser()
        .get(app.url("/u/ada/journal"))
        .header("user-agent", FIREFOX)
        .header("sec-purpose", "prefetch")
        .send()
        .await
        .unwrap();
    assert_eq!(prefetch.status(), 200);
    let head = app.new_browser().head(app.url("/u/ada")).header("user-agent", FIREFOX).send().await.unwrap();
    assert_eq!(head.status(), 200, "a link checker's HEAD");
    assert_eq!(counted(&app).await, 0, "none of these is a person reading");
    view(&app, "/u/ada", ADDRESS, FIREFOX).await;
    assert_eq!(counted(&app).await, 1, "a person is");
}

async fn the_owners_own_views_are_not_counted(app: TestApp) {
    let app = published(app).await;
    for path in ["/u/ada", "/u/ada/journal", "/u/ada/journal/why-we-rewrote-the-planner"] {
        let own = app.client.get(app.url(path)).header("user-agent", FIREFOX).send().await.unwrap();
        assert_eq!(own.status(), 200);
    }
    assert_eq!(counted(&app).await, 0);
}

async fn a_new_day_brings_a_new_salt_and_a_different_hash(app: TestApp) {
    let app = published(app).await;
    view(&app, "/u/ada", ADDRESS, FIREFOX).await;
    view(&app, "/u/ada/journal", ADDRESS, FIREFOX).await;
    assert_eq!(counted(&app).await, 2);
    app.clock.advance(Duration::from_secs(24 * 3600));
    view(&app, "/u/ada", ADDRESS, FIREFOX).await;
    assert_eq!(counted(&app).await, 3);
    let hashes: Vec<(String, String)> = sqlx::query_as("SELECT day, visitor_hash FROM page_views ORDER BY viewed_at")
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(hashes[0].1, hashes[1].1, "the same visitor on the same day is one visitor");
    assert_ne!(hashes[0].0, hashes[2].0);
    assert_ne!(hashes[0].1, hashes[2].1, "a new day's salt makes a different hash");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM analytics_salts").await, 2);
    housekeeping(&app.state).await.unwrap();
    assert_eq!(app.scalar("SELECT COUNT(*) FROM analytics_salts").await, 1, "yesterday's salt is forgotten");
}

async fn promise_3_the_analytics_page_shows_aggregates_only(app: TestApp) {
    let app = published(app).await;
    view(&app, "/u/ada", "203.0.113.1", FIREFOX).await;
    view(&app, "/u/ada", "203.0.113.2", FIREFOX).await;
    view(&app, "/u/ada/journal/why-we-rewrote-the-planner", "203.0.113.2", FIREFOX).await;
    assert_eq!(counted(&app).await, 3);
    let (status, page) = app.get_text("/analytics").await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"<span class="stat-number">3</span> <span class="stat-label">Views</span>"#), "{page}");
    assert!(page.contains(r#"<span class="stat-number">2</span>"#), "two visitors that day");
    assert!(page.contains("news.example.org"), "the referring site");
    assert!(page.contains("/u/ada/journal/why-we-rewrote-the-planner"), "top pages");
    // Named as the owner knows them (issue 12, polish).
    assert!(page.contains(r#"<a href="/u/ada/journal/why-we-rewrote-the-planner">Why we rewrote the planner</a>"#));
    assert!(page.contains(r#"<a href="/u/ada">Resume</a>"#));
    assert!(page.contains("<svg class=\"chart\"") && page.contains("<title id=\"daily-title\">"));
    let hashes: Vec<String> =
        sqlx::query_scalar("SELECT visitor_hash FROM page_views").fetch_all(app.state.db.pool()).await.unwrap();
    for hash in hashes {
        assert!(!page.contains(&hash), "no visitor hash on the page");
    }
    assert!(!page.contains("Firefox") && !page.contains("203.0.113") && !page.contains("item?id"));
    assert_eq!(app.get_text("/analytics?days=90").await.0, 200);
    // Another user sees none of Ada's figures.
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let (_, other) = app.get_text("/analytics").await;
    assert!(other.contains("No views yet: nothing is published."), "the hint fits: Grace publishes nothing");
    assert!(other.contains(r#"<span class="stat-number">0</span> <span class="stat-label">Views</span>"#));
    assert!(!other.contains("news.example.org"));
}

async fn old_views_are_rolled_up_into_daily_figures(app: TestApp) {
    let app = published(app).await;
    view(&app, "/u/ada", "203.0.113.1", FIREFOX).await;
    view(&app, "/u/ada", "203.0.113.2", FIREFOX).await;
    view(&app, "/u/ada/journal", "203.0.113.2", FIREFOX).await;
    assert_eq!(counted(&app).await, 3);
    app.clock.advance(Duration::from_secs(31 * 24 * 3600));
    let report = housekeeping(&app.state).await.unwrap();
    assert_eq!(report.views_rolled_up, 3);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM page_views").await, 0, "raw views are gone");
    assert_eq!(
        app.scalar("SELECT views FROM page_view_days WHERE dimension = 'total'").await,
        3,
        "their day's figures stay"
    );
    assert_eq!(app.scalar("SELECT visitors FROM page_view_days WHERE dimension = 'total'").await, 2);
    // A month later the session has long ended: sign in again.
    app.sign_in("ada@example.com", "maple orbit lantern quietly").await;
    let (_, page) = app.get_text("/analytics?days=90").await;
    let stats = &page[page.find("stat-grid").unwrap()..][..400];
    assert!(page.contains(r#"<span class="stat-number">3</span> <span class="stat-label">Views</span>"#), "{stats}");
    assert!(page.contains("news.example.org"));
}

/// Issue 11, item 6: one client counted 22 808 views in 20 s. Now a visitor (the day's hash of
/// their address, or of their IPv6 /64) counts once per page per half hour.
async fn issue_11_a_visitor_reloading_a_page_counts_once_per_half_hour(app: TestApp) {
    let app = published(app).await;
    // The story spans 31 minutes and visitors' hashes change at midnight (UTC): started late
    // in the evening, it would see the same visitor as two. Start it just after midnight then.
    const DAY_MS: i64 = 24 * 3600 * 1000;
    let into_day = app.clock.now().millis().rem_euclid(DAY_MS);
    if into_day > DAY_MS - 40 * 60 * 1000 {
        app.clock.advance(Duration::from_millis((DAY_MS - into_day) as u64 + 60_000));
    }
    for _ in 0..40 {
        assert_eq!(view(&app, "/u/ada", ADDRESS, FIREFOX).await.status(), 200);
    }
    assert_eq!(counted(&app).await, 1, "forty reloads are one view");
    // Addresses from one IPv6 /64 are one visitor; another network is another.
    for host in 1..=20 {
        view(&app, "/u/ada", &format!("2001:db8:7:9::{host:x}"), FIREFOX).await;
    }
    view(&app, "/u/ada", "198.51.100.4", FIREFOX).await;
    assert_eq!(counted(&app).await, 3);
    // Another page counts; the same page counts again once the half hour is over.
    view(&app, "/u/ada/journal", ADDRESS, FIREFOX).await;
    app.clock.advance(Duration::from_secs(29 * 60));
    view(&app, "/u/ada", ADDRESS, FIREFOX).await;
    assert_eq!(counted(&app).await, 4);
    app.clock.advance(Duration::from_secs(2 * 60));
    view(&app, "/u/ada", ADDRESS, FIREFOX).await;
    assert_eq!(counted(&app).await, 5);
    let (_, page) = app.get_text("/analytics").await;
    assert!(page.contains(r#"<span class="stat-number">5</span> <span class="stat-label">Views</span>"#));
}

/// Issue 11, item 6: a script that walks through every page moves the owner's figures at most
/// fifty times a day; other visitors, and the same visitor tomorrow, still count.
async fn issue_11_one_visitor_adds_at_most_fifty_views_a_day(app: TestApp) {
    let app = TestApp::spawn_with(app.backend, &["--trusted-proxies", "127.0.0.1", "--housekeeping-minutes", "0"])
        .await
        .unwrap();
    let api = ada_with_a_record(&app).await;
    switches(&api, true, true, false).await;
    let mut pages = Vec::new();
    for n in 0..55 {
        let entry = api
            .create(
                "/journal",
                serde_json::json!({"title": format!("Note {n}"), "entry_date": "2026-11-20", "body": "Short.",
                                   "is_public": true}),
            )
            .await;
        pages.push(format!("/u/ada/journal/{}", entry["slug"].as_str().expect("a slug")));
    }
    for page in &pages {
        assert_eq!(view(&app, page, ADDRESS, FIREFOX).await.status(), 200, "{page}");
    }
    assert_eq!(counted(&app).await, 50);
    view(&app, &pages[0], "198.51.100.4", FIREFOX).await;
    assert_eq!(counted(&app).await, 51, "another visitor still counts");
    app.clock.advance(Duration::from_secs(24 * 3600));
    view(&app, &pages[0], ADDRESS, FIREFOX).await;
    assert_eq!(counted(&app).await, 52, "tomorrow is another day");
}
