//! The search box (issue 12, item 12): one box across the user's own records, ranked, the last
//! word a prefix, never another user's records, kept in step as records change, and never
//! broken by what is typed. Then the opportunities table sorted by its columns.

use serde_json::{json, Value};

use crate::career::{api_for, Api};
use crate::on_both_databases;
use crate::support::TestApp;

on_both_databases!(
    a_title_match_outranks_a_body_match_and_the_last_word_is_a_prefix,
    another_users_records_are_never_found_nor_counted,
    records_enter_change_and_leave_the_index_with_their_record,
    whatever_is_typed_the_search_answers,
    results_come_in_pages_with_their_count,
    records_from_before_the_index_are_indexed_at_start,
    the_opportunities_table_sorts_by_each_column,
);

fn encoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn search(api: &Api, q: &str) -> Value {
    let (status, found) = api.get(&format!("/search?q={}", encoded(q))).await;
    assert_eq!(status, 200, "{q:?}: {found}");
    found
}

fn titles(found: &Value) -> Vec<&str> {
    found["items"].as_array().unwrap().iter().map(|hit| hit["title"].as_str().unwrap()).collect()
}

async fn journal(api: &Api, title: &str, body: &str) -> String {
    let entry = api.create("/journal", json!({"title": title, "entry_date": "2026-03-15", "body": body})).await;
    entry["id"].as_str().unwrap().to_owned()
}

/// On SQLite, the FTS5 index agrees with the documents it indexes.
async fn index_is_sound(app: &TestApp) {
    if app.backend == crate::support::Backend::Sqlite {
        sqlx::query("INSERT INTO search_fts (search_fts, rank) VALUES ('integrity-check', 1)")
            .execute(app.state.db.pool())
            .await
            .expect("the full-text index matches search_documents");
    }
}

async fn a_title_match_outranks_a_body_match_and_the_last_word_is_a_prefix(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    journal(&api, "Weekly notes", "Paired on the Kubernetes upgrade; wrote the runbook.").await;
    journal(&api, "Kubernetes migration", "Moved the last services off the old cluster.").await;
    journal(&api, "Reading list", "Nothing about containers.").await;
    api.create("/skills", json!({"name": "Kubernetes", "category": "Platforms"})).await;

    let found = search(&api, "kubernetes").await;
    assert_eq!(found["total"], 3);
    let order = titles(&found);
    assert!(order[..2].contains(&"Kubernetes") && order[..2].contains(&"Kubernetes migration"), "{order:?}");
    assert_eq!(order[2], "Weekly notes", "a title match outranks a body match: {order:?}");
    let weekly = &found["items"][2];
    assert_eq!(weekly["kind"], "journal_entry");
    assert!(weekly["url"].as_str().unwrap().starts_with("/journal/"));
    assert!(weekly["snippet"].as_str().unwrap().contains("Kubernetes upgrade"), "{weekly}");

    // The last word is also the start of one; the words before it are whole.
    assert_eq!(search(&api, "kuber").await["total"], 3);
    assert_eq!(titles(&search(&api, "kubernetes migr").await), ["Kubernetes migration"]);
    assert_eq!(search(&api, "kuber migration").await["total"], 0);
    // Case and punctuation do not matter.
    assert_eq!(search(&api, "RUNBOOK.").await["total"], 1);

    // The page marks the matched words, escaped, and labels each record with its kind.
    let (status, page) = app.get_text("/search?q=kubernetes").await;
    assert_eq!(status, 200);
    assert!(page.contains("3 records match “kubernetes”"), "{page}");
    assert!(page.contains(r#"<span class="chip">Journal entry</span>"#) && page.contains(">Skill</span>"));
    let (_, page) = app.get_text("/search?q=kubernetes+upg").await;
    assert!(page.contains("1 record matches"), "{page}");
    assert!(page.contains("Paired on the <mark>Kubernetes</mark> <mark>upgrade</mark>; wrote"), "{page}");
    assert!(page.contains(r#"value="kubernetes upg""#));
    // What a record holds is shown as text, never as markup. (PostgreSQL's snippet leaves out
    // what looks like a tag; SQLite's keeps it, escaped.)
    journal(&api, "Markup", "<b>kubernetes</b> & <script>alert(1)</script>").await;
    let (_, page) = app.get_text("/search?q=markup").await;
    assert!(page.contains("alert(1)") && !page.contains("<script>alert") && !page.contains("<b>kub"), "{page}");
    index_is_sound(&app).await;
}

async fn another_users_records_are_never_found_nor_counted(app: TestApp) {
    app.signed_up_user("grace@example.com").await;
    let grace = api_for(&app).await;
    journal(&grace, "Compiler notes", "COBOL and the compiler, privately.").await;
    grace.create("/opportunities", json!({"company": "Compiler Works", "role": "Engineer", "status": "saved"})).await;

    app.sign_out().await;
    app.signed_up_user("ada@example.com").await;
    let ada = api_for(&app).await;
    journal(&ada, "Analytical engine", "Notes on the engine.").await;
    let found = search(&ada, "compiler").await;
    assert_eq!(found["total"], 0, "{found}");
    assert!(found["items"].as_array().unwrap().is_empty());
    let (_, page) = app.get_text("/search?q=compiler").await;
    assert!(page.contains("Nothing matches") && !page.contains("COBOL"), "{page}");
    assert_eq!(search(&ada, "analytical").await["total"], 1);

    // And the other way round.
    assert_eq!(search(&grace, "compiler").await["total"], 2);
    assert_eq!(search(&grace, "analytical").await["total"], 0);
    // Signed out, there is no search at all.
    let anonymous = app.new_browser().get(app.url("/api/v1/search?q=compiler")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

async fn records_enter_change_and_leave_the_index_with_their_record(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let entry = journal(&api, "Offsite", "Planned the roadmap.").await;
    assert_eq!(search(&api, "roadmap").await["total"], 1);
    api.patch(&format!("/journal/{entry}"), json!({"body": "Planned the budget."})).await;
    assert_eq!(search(&api, "roadmap").await["total"], 0, "the old text is gone");
    assert_eq!(search(&api, "budget").await["total"], 1);
    assert_eq!(api.delete(&format!("/journal/{entry}")).await, 204);
    assert_eq!(search(&api, "budget").await["total"], 0);

    // An opportunity takes its interviews and the notes on them (and on itself) with it.
    let opportunity =
        api.create("/opportunities", json!({"company": "Initech", "role": "Platform Lead", "status": "applied"})).await;
    let opportunity = opportunity["id"].as_str().unwrap().to_owned();
    let interview = api
        .create(
            "/interviews",
            json!({"opportunity_id": opportunity, "round_name": "System design", "kind": "technical",
                   "start": "2026-05-04T10:00", "time_zone": "Europe/Berlin", "duration_minutes": 60,
                   "prep_notes": "Review queueing theory."}),
        )
        .await;
    let interview = interview["id"].as_str().unwrap().to_owned();
    api.create("/notes", json!({"subject_kind": "interview", "subject_id": interview, "body": "Queueing again"})).await;
    api.create("/notes", json!({"subject_kind": "opportunity", "subject_id": opportunity, "body": "Queueing too"}))
        .await;
    assert_eq!(search(&api, "queueing").await["total"], 3);
    // An interview is found by its opportunity's company, even after the company is renamed.
    assert_eq!(titles(&search(&api, "system design").await), ["System design · Initech"]);
    api.patch(&format!("/opportunities/{opportunity}"), json!({"company": "Initrode"})).await;
    assert_eq!(titles(&search(&api, "system design").await), ["System design · Initrode"]);

    assert_eq!(api.delete(&format!("/opportunities/{opportunity}")).await, 204);
    assert_eq!(search(&api, "queueing").await["total"], 0);
    assert_eq!(search(&api, "initrode").await["total"], 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM search_documents").await, 0);
    index_is_sound(&app).await;

    // A user's deletion takes their documents with it.
    journal(&api, "Farewell", "Last entry.").await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM search_documents").await, 1);
    sqlx::query("DELETE FROM users").execute(app.state.db.pool()).await.unwrap();
    assert_eq!(app.scalar("SELECT COUNT(*) FROM search_documents").await, 0);
    index_is_sound(&app).await;
}

async fn whatever_is_typed_the_search_answers(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    journal(&api, "Quotes \"and\" stars", "title: body AND OR NOT NEAR * - ^ ( ) 'single'").await;
    let hostile = [
        "\"",
        "\"\"\"",
        "'",
        "AND",
        "OR NOT",
        "a AND OR NOT b",
        "*",
        "**",
        "-",
        "-quotes",
        "NEAR(quotes stars, 2)",
        "title:quotes",
        "body:",
        "{title body}: quotes",
        "^quotes",
        "quotes & | ! <->",
        ":*",
        "quotes\u{0}stars",
        "\u{1}\u{2}\u{3}\u{7f}",
        "\\",
        "%",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
    ];
    for q in hostile {
        search(&api, q).await;
        let (status, page) = app.get_text(&format!("/search?q={}", encoded(q))).await;
        assert_eq!(status, 200, "{q:?}");
        assert!(!page.contains("<script>alert"), "{q:?} is escaped");
    }
    let long = "quotes ".repeat(1_500);
    assert_eq!(search(&api, &long[..10_000]).await["total"], 1);
    assert_eq!(search(&api, &"x".repeat(10_000)).await["total"], 0);
    // The operators are words like any other.
    assert_eq!(search(&api, "NEAR").await["total"], 1);
    assert_eq!(search(&api, "title: quotes").await["total"], 1);
    assert_eq!(search(&api, "\"quotes\" AND").await["total"], 1);
    // No word at all finds nothing (rather than everything).
    let nothing = search(&api, " \" * ").await;
    assert_eq!((nothing["total"].as_i64(), nothing["query"].as_str()), (Some(0), Some("")));
    let (_, page) = app.get_text("/search?q=").await;
    assert!(page.contains("Type a word or two"));
    // Odd page numbers read leniently.
    for page in ["0", "-1", "x", "99999999999999999999", "1e3"] {
        let (status, _) = api.get(&format!("/search?q=quotes&page={page}")).await;
        assert_eq!(status, 200, "page={page}");
    }
}

async fn results_come_in_pages_with_their_count(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    for n in 0..23 {
        api.create("/skills", json!({"name": format!("Rust {n}")})).await;
    }
    let first = search(&api, "rust").await;
    assert_eq!(
        (first["total"].as_i64(), first["page"].as_i64(), first["per_page"].as_i64()),
        (Some(23), Some(1), Some(20))
    );
    assert_eq!(first["items"].as_array().unwrap().len(), 20);
    let (_, second) = api.get("/search?q=rust&page=2").await;
    assert_eq!(second["items"].as_array().unwrap().len(), 3);
    let mut all: Vec<&str> = titles(&first);
    all.extend(titles(&second));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 23, "each record once across the pages");

    let (_, page) = app.get_text("/search?q=rust").await;
    assert!(page.contains("page 1 of 2") && page.contains(r#"href="/search?q=rust&#38;page=2" rel="next""#), "{page}");
    let (_, page) = app.get_text("/search?q=rust&page=2").await;
    assert!(page.contains(r#"href="/search?q=rust&#38;page=1" rel="prev""#), "{page}");
    // The header's search box is on every signed-in page, and goes here.
    let (_, home) = app.get_text("/journal").await;
    assert!(home.contains(r#"<form class="nav-search" role="search" method="get" action="/search">"#));
}

async fn records_from_before_the_index_are_indexed_at_start(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    journal(&api, "Old entry", "Written before search existed.").await;
    api.create("/contacts", json!({"name": "Sam Carter", "company": "Globex"})).await;
    // As if these had been written before the index: no documents.
    sqlx::query("DELETE FROM search_documents").execute(app.state.db.pool()).await.unwrap();
    assert_eq!(search(&api, "globex").await["total"], 0);
    let indexed = careerlog::services::search::index_missing(&app.state).await.unwrap();
    assert_eq!(indexed, 2);
    assert_eq!(titles(&search(&api, "globex").await), ["Sam Carter"]);
    assert_eq!(search(&api, "existed").await["total"], 1);
    assert_eq!(careerlog::services::search::index_missing(&app.state).await.unwrap(), 0, "once is enough");
    index_is_sound(&app).await;
}

// ---- the opportunities table, sorted ----

/// The companies in the opportunities table, top to bottom.
fn companies(page: &str) -> Vec<String> {
    let re = regex::Regex::new(r"<td>([A-Za-z]+)(?: <span|</td>)").unwrap();
    re.captures_iter(page).map(|c| c[1].to_owned()).collect()
}

async fn sorted(app: &TestApp, sort: &str, dir: &str) -> (Vec<String>, String) {
    let path = format!("/opportunities?sort={sort}&dir={dir}");
    let (status, page) = app.get_text(&path).await;
    assert_eq!(status, 200, "{path}");
    (companies(&page), page)
}

async fn the_opportunities_table_sorts_by_each_column(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let add = |company: &'static str, status: &'static str, applied: Option<&'static str>, salary: Option<i64>| {
        let mut body = json!({"company": company, "role": "Engineer", "status": status, "applied_on": applied});
        if let Some(salary) = salary {
            body["salary_min"] = json!(salary);
            body["salary_max"] = json!(salary);
            body["currency"] = json!("EUR");
        }
        body
    };
    for body in [
        add("beta", "interviewing", Some("2026-02-01"), Some(90_000)),
        add("Alpha", "saved", None, None),
        add("Gamma", "applied", Some("2026-01-15"), Some(120_000)),
        add("delta", "offer", Some("2026-03-01"), Some(70_000)),
    ] {
        api.create("/opportunities", body).await;
        app.clock.advance(std::time::Duration::from_secs(60));
    }
    let (by_company, page) = sorted(&app, "company", "asc").await;
    assert_eq!(by_company, ["Alpha", "beta", "delta", "Gamma"], "case does not matter");
    assert!(page.contains(r#"aria-sort="ascending""#), "{page}");
    assert!(page.contains(r#"href="/opportunities?sort=company&#38;dir=desc""#), "the sorted column turns around");
    assert_eq!(sorted(&app, "company", "desc").await.0, ["Gamma", "delta", "beta", "Alpha"]);
    // Status in pipeline order, not alphabetical.
    assert_eq!(sorted(&app, "status", "asc").await.0, ["Alpha", "Gamma", "beta", "delta"]);
    // Dates and salaries: newest or highest first; those without one last, either way.
    assert_eq!(sorted(&app, "applied", "desc").await.0, ["delta", "beta", "Gamma", "Alpha"]);
    assert_eq!(sorted(&app, "applied", "asc").await.0, ["Gamma", "beta", "delta", "Alpha"]);
    assert_eq!(sorted(&app, "salary", "desc").await.0, ["Gamma", "beta", "delta", "Alpha"]);
    assert_eq!(sorted(&app, "salary", "asc").await.0, ["delta", "beta", "Gamma", "Alpha"]);
    assert_eq!(sorted(&app, "updated", "desc").await.0, ["delta", "Gamma", "Alpha", "beta"]);
    assert_eq!(sorted(&app, "updated", "asc").await.0, ["beta", "Alpha", "Gamma", "delta"]);
    // Unknown values fall back to the default order (most recently changed first).
    let (default, page) = sorted(&app, "nonsense", "sideways").await;
    assert_eq!(default, ["delta", "Gamma", "Alpha", "beta"]);
    assert!(page.contains(r#"aria-sort="descending""#));
    let (_, page) = app.get_text("/opportunities?sort=company%27%20--&dir=%00").await;
    assert!(page.contains("Gamma"));

    // The sort stays with the pages and the status filter.
    let (_, page) = app.get_text("/opportunities?sort=company&dir=asc&per_page=2").await;
    assert_eq!(companies(&page), ["Alpha", "beta"]);
    assert!(page.contains(r#"href="/opportunities?page=2&#38;per_page=2&#38;sort=company&#38;dir=asc""#), "{page}");
    let (_, page) = app.get_text("/opportunities?page=2&per_page=2&sort=company&dir=asc").await;
    assert_eq!(companies(&page), ["delta", "Gamma"]);
    let (_, page) = app.get_text("/opportunities?status=applied&sort=salary").await;
    assert!(page.contains(r#"href="/opportunities?status=applied&#38;sort=company&#38;dir=asc""#), "{page}");
}
