//! Your data, yours to take and to end (issue 14, items 3 and 4): the full export holds every
//! row of the user's and nothing of anyone else's (promise 20), and deleting the account leaves
//! no row naming the user in any table the database lists, and no file of theirs (promise 19).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};
use std::time::Duration;

use careerlog::clock::Clock;
use careerlog::db::user_data::{self, CATALOGUE};
use careerlog::domain::UserId;
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

use crate::career::{api_for, Api};
use crate::files::MotoServer;
use crate::on_both_databases;
use crate::support::{csrf_token_in, location, Backend, TestApp};

on_both_databases!(
    promise_20_each_export_holds_all_of_its_owners_rows_and_none_of_the_others,
    every_table_the_database_lists_is_in_the_catalogue,
    an_export_prepared_in_the_background_is_downloaded_by_its_owner_only_and_removed_after_a_day,
    promise_19_a_deleted_account_leaves_no_row_naming_it_and_no_file,
    a_wrong_password_deletes_nothing_and_says_so_beside_the_field,
    a_large_export_reads_every_row_page_after_page,
    exports_are_limited_to_twenty_an_hour,
);

const PASSWORD: &str = "maple orbit lantern quietly";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0";
/// Text a spreadsheet would run: the CSV must show it instead.
const HOSTILE: &str = "=HYPERLINK(\"http://evil.example/\",\"click\")";

/// A user with every kind of record, made through the API and the pages.
struct Person {
    email: &'static str,
    /// A word in every text of theirs, found nowhere else.
    marker: &'static str,
    id: UserId,
    /// A project of theirs (a bulk-linking run links a label to it).
    project: String,
    api: Api,
    token: String,
    /// The ids of the records made.
    ids: Vec<String>,
}

/// The app behind a trusted proxy (the test says who the visitor is), with the recording fake
/// AI, housekeeping left to the test.
async fn app_for_data(app: TestApp) -> TestApp {
    TestApp::with_fake_ai(app.backend, &["--trusted-proxies", "127.0.0.1", "--housekeeping-minutes", "0"])
        .await
        .unwrap()
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_else(|| panic!("an id in {value}")).to_owned()
}

fn png(width: u32, height: u32, shade: u8) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, shade]));
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(image).write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
    bytes
}

/// A token of the signed-in user's (made on the tokens page), for the export script.
async fn token_for(app: &TestApp, name: &str) -> String {
    let response = app.submit("/settings/tokens", "/settings/tokens", &[("name", name)]).await;
    assert_eq!(response.status(), 201);
    let html = response.text().await.unwrap();
    regex::Regex::new(r"(clg_[A-Za-z0-9_-]{43})").unwrap().captures(&html).unwrap()[1].to_owned()
}

async fn user_id(app: &TestApp, email: &str) -> UserId {
    let id: String = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    UserId::from(id)
}

/// Sign `email` up on the app's browser (signing out whoever was in) and give them one of
/// everything: every record kind, labels and their links, a note, a timeline entry, an interview
/// with its interviewer, prep texts, an AI preparation and a bulk-linking run (the fake AI), a
/// journal image and a profile photo, a calendar feed, API tokens, and visits to their public
/// resume.
async fn person(app: &TestApp, email: &'static str, username: &'static str, marker: &'static str) -> Person {
    if app.get("/settings").await.status() == 200 {
        app.sign_out().await;
    }
    app.signed_up_user(email).await;
    let api = api_for(app).await;
    let token = token_for(app, "Export script").await;
    let mut ids = Vec::new();
    let mut made = |v: Value| {
        let record = id(&v);
        ids.push(record.clone());
        record
    };
    let (status, _) = api
        .patch(
            "/profile",
            json!({"username": username, "display_name": format!("{marker} Person"), "bio": format!("{marker} bio"),
                   "resume_public": true, "journal_public": true}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = api
        .patch(
            "/interview-prep",
            json!({"resume_text": format!("{marker} resume text"), "linkedin_summary": format!("{marker} summary")}),
        )
        .await;
    assert_eq!(status, 200);
    made(
        api.create(
            "/experiences",
            json!({"role": format!("{marker} engineer"), "company": "Initech", "start_date": "2020-01", "current": true,
                   "description": HOSTILE, "highlights": ["-1 bugs", "@channel praise"], "labels": [format!("{marker} label")]}),
        )
        .await,
    );
    let project = made(
        api.create("/projects", json!({"name": format!("{marker} project"), "description": "+1 for formulas"})).await,
    );
    made(api.create("/achievements", json!({"title": format!("{marker} award"), "project_id": project})).await);
    made(api.create("/skills", json!({"name": format!("{marker}lang")})).await);
    made(api.create("/education", json!({"institution": format!("{marker} university")})).await);
    made(api.create("/certifications", json!({"name": format!("{marker} certificate")})).await);
    let entry = made(
        api.create(
            "/journal",
            json!({"title": format!("{marker} retro"), "entry_date": "2026-10-01", "body": format!("{marker}, with a comma")}),
        )
        .await,
    );
    let opportunity = made(
        api.create(
            "/opportunities",
            json!({"company": format!("{marker} Corp"), "role": "Staff Engineer", "labels": ["Dream job"]}),
        )
        .await,
    );
    let contact = made(api.create("/contacts", json!({"name": format!("{marker} Recruiter")})).await);
    let (status, _) =
        api.call(reqwest::Method::PUT, &format!("/opportunities/{opportunity}/contacts/{contact}"), None).await;
    assert_eq!(status, 204);
    let interview = made(
        api.create(
            "/interviews",
            json!({"opportunity_id": opportunity, "round_name": format!("{marker} screen"), "kind": "phone_screen",
                   "start": "2026-12-20T10:00", "time_zone": "Europe/London", "duration_minutes": 30}),
        )
        .await,
    );
    let (status, _) =
        api.call(reqwest::Method::PUT, &format!("/interviews/{interview}/interviewers/{contact}"), None).await;
    assert_eq!(status, 204);
    made(
        api.create(
            "/notes",
            json!({"subject_kind": "contact", "subject_id": contact, "body": format!("{marker} note")}),
        )
        .await,
    );
    made(
        api.create(
            "/tasks",
            json!({"title": format!("{marker} task"), "opportunity_id": opportunity, "due_on": "2026-12-21"}),
        )
        .await,
    );
    let reminders = app.submit("/settings", "/settings/reminders", &[("interview_reminders", "on")]).await;
    assert_eq!(reminders.status(), 303);
    let (status, _) = api
        .post(
            &format!("/opportunities/{opportunity}/timeline"),
            json!({"kind": "email", "body": format!("{marker} mail")}),
        )
        .await;
    assert_eq!(status, 201);
    // A resume tailored to the opportunity, sent once (a version and the copy of what was sent).
    let response = app
        .submit(
            &format!("/opportunities/{opportunity}/resumes/new"),
            &format!("/opportunities/{opportunity}/resumes"),
            &[("name", format!("{marker} tailored resume").as_str()), ("start", "everything")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let version = location(&response).split('?').next().unwrap().to_owned();
    assert_eq!(app.submit(&version, &format!("{version}/sent"), &[]).await.status(), 303);
    ids.push(version.rsplit('/').next().unwrap().to_owned());
    let offer = json!({"base_amount": 90000, "base_currency": "EUR", "bonus": format!("{marker} bonus")});
    let (status, _) =
        api.call(reqwest::Method::PUT, &format!("/opportunities/{opportunity}/offer"), Some(&offer)).await;
    assert_eq!(status, 200);
    let letter = Form::new().text("kind", "offer_letter").text("note", format!("{marker} letter")).part(
        "file",
        Part::bytes(format!("{marker} offer letter").into_bytes())
            .file_name("offer.txt")
            .mime_str("text/plain")
            .unwrap(),
    );
    let (status, _) = api.upload(&format!("/opportunities/{opportunity}/documents"), letter).await;
    assert_eq!(status, 201);
    app.fake_ai().answer(format!("## {marker} preparation"));
    let (status, prep) = api.post(&format!("/interviews/{interview}/prep"), json!({})).await;
    assert_eq!(status, 201, "{prep}");
    let image = Form::new()
        .text("alt_text", format!("{marker} whiteboard"))
        .part("image", Part::bytes(png(40, 30, 10)).file_name("board.png").mime_str("image/png").unwrap());
    let (status, _) = api.upload(&format!("/journal/{entry}/images"), image).await;
    assert_eq!(status, 201);
    let html = app.get_text("/settings/profile").await.1;
    let photo = Form::new()
        .text("_csrf", csrf_token_in(&html).unwrap())
        .part("photo", Part::bytes(png(64, 64, 200)).file_name("me.png").mime_str("image/png").unwrap());
    let response = app.client.post(app.url("/settings/profile/photo")).multipart(photo).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(app.submit("/settings/calendar", "/settings/calendar", &[]).await.status(), 201);
    for visitor in ["203.0.113.1", "203.0.113.2"] {
        let response = app
            .new_browser()
            .get(app.url(&format!("/u/{username}")))
            .header("user-agent", FIREFOX)
            .header("x-forwarded-for", visitor)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    // A support request written signed in, and one written before as a visitor from the same
    // address: both are the person's.
    let subject = format!("{marker} support question");
    let fields = [("category", "question"), ("subject", subject.as_str()), ("message", "How do I export?")];
    assert_eq!(app.submit("/support", "/support", &fields).await.status(), 303);
    let visitor = crate::support::browser();
    let subject = format!("{marker} visitor question");
    let fields = [("email", email), ("category", "question"), ("subject", subject.as_str()), ("message", "Hello?")];
    let response = crate::support::submit_with(&visitor, &app.address, "/support", "/support", &fields).await;
    assert_eq!(response.status(), 200);
    let id = user_id(app, email).await;
    linked_bluesky_account(app, &id, marker, &entry).await;
    linked_google_account(app, &id, marker).await;
    Person { email, marker, id, project, api, token, ids }
}

/// A linked Bluesky account with a shared post and a published entry, written as the Bluesky
/// flows leave them (tests/it/bluesky.rs drives those against a real PDS).
async fn linked_bluesky_account(app: &TestApp, user: &UserId, marker: &str, entry: &str) {
    let did = format!("did:plc:{}", marker.to_lowercase());
    let now = app.clock.now().millis();
    let statements = [
        "INSERT INTO bluesky_sessions (did, user_id, sealed, key_id, created_at, updated_at) VALUES ($1, $2, 'c2VhbGVk', 'k1', $3, $3)",
        "INSERT INTO bluesky_accounts (did, user_id, handle, pds_url, status, publishing, publication_uri, created_at, updated_at)
         VALUES ($1, $2, $1 || '.test', 'https://pds.example', 'connected', 1, 'at://' || $1 || '/site.standard.publication/3k', $3, $3)",
        "INSERT INTO bluesky_posts (id, user_id, entry_id, uri, cid, post_text, created_at)
         VALUES ($1 || '-post', $2, $4, 'at://' || $1 || '/app.bsky.feed.post/3k', 'bafy', 'Shared!', $3)",
        "INSERT INTO standard_site_documents (entry_id, user_id, record_key, uri, wanted_at, synced_at)
         VALUES ($4, $2, '3k', 'at://' || $1 || '/site.standard.document/3k', $3, $3)",
    ];
    for sql in statements {
        let mut query = sqlx::query(sql).bind(&did).bind(user).bind(now);
        if sql.contains("$4") {
            query = query.bind(entry);
        }
        query.execute(app.state.db.pool()).await.expect(sql);
    }
}

/// A linked Google account, a connected calendar and an interview found in it, as the flows
/// leave them (tests/it/google.rs drives those against a fake Google).
async fn linked_google_account(app: &TestApp, user: &UserId, marker: &str) {
    let now = app.clock.now().millis();
    let later = now + 90 * 24 * 3600 * 1000;
    let statements = [
        "INSERT INTO oidc_identities (id, user_id, provider, issuer, subject, email, email_verified, name, created_at, updated_at)
         VALUES ($1 || '-oidc', $2, 'google', 'https://accounts.google.com', $1, $1 || '@gmail.test', 1, $1, $3, $3)",
        "INSERT INTO calendar_connections (user_id, provider, subject, email, sealed, key_id, status, sync_token, created_at, updated_at)
         VALUES ($2, 'google', $1, $1 || '@gmail.test', 'c2VhbGVk', 'k1', 'connected', 'sync-token', $3, $3)",
        "INSERT INTO calendar_events (id, user_id, event_id, status, company, details, key_id, starts_at, ends_at, time_zone, score, created_at, updated_at)
         VALUES ($1 || '-event', $2, $1 || '-evt', 'suggested', $1 || ' Corp', 'c2VhbGVk', 'k1', $4, $4, 'UTC', 80, $3, $3)",
    ];
    for sql in statements {
        let mut query = sqlx::query(sql).bind(marker).bind(user).bind(now);
        if sql.contains("$4") {
            query = query.bind(later);
        }
        query.execute(app.state.db.pool()).await.expect(sql);
    }
}

/// Ada and Grace, each with everything; their visits are rolled up into daily figures (a month
/// passes), and the app's browser is Grace's, signed in again.
async fn ada_and_grace(app: &TestApp) -> (Person, Person) {
    let ada = person(app, "ada@example.com", "ada", "Analytical").await;
    let grace = person(app, "grace@example.com", "grace", "Cobol").await;
    app.state.analytics.flush().await;
    app.clock.advance(Duration::from_secs(31 * 24 * 3600));
    let report = careerlog::housekeeping::run(&app.state).await.unwrap();
    assert!(report.views_rolled_up >= 4, "{report:?}");
    // Bulk-linking runs are forgotten after a while: these are made after the month passed.
    for person in [&ada, &grace] {
        let answer = json!({"records": [{"id": person.project,
                                         "labels": [{"name": format!("{} label", person.marker), "reason": "Linked."}]}]});
        app.fake_ai().answer(answer.to_string());
        let (status, batch) = person.api.post("/labels/link-batches", json!({})).await;
        assert_eq!(status, 201, "{batch}");
    }
    assert_eq!(app.sign_in(grace.email, PASSWORD).await.status(), 303);
    (ada, grace)
}

/// `GET /api/v1/export` with the person's token: the ZIP's entries by name.
async fn export_of(app: &TestApp, person: &Person) -> BTreeMap<String, Vec<u8>> {
    let response =
        reqwest::Client::new().get(app.url("/api/v1/export")).bearer_auth(&person.token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment;") && disposition.contains(".zip"), "{disposition}");
    unzip(&response.bytes().await.unwrap())
}

pub(crate) fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a readable ZIP");
    let mut entries = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        entries.insert(file.name().unwrap().into_owned(), content);
    }
    entries
}

/// A table's column of the person's rows, straight from the database, as text.
async fn column_of(app: &TestApp, table: &str, owner: &str, column: &str, user: &UserId) -> BTreeSet<String> {
    let sql = format!("SELECT CAST({column} AS TEXT) FROM {table} WHERE {owner} = $1");
    let values: Vec<Option<String>> =
        sqlx::query_scalar(&sql).bind(user).fetch_all(app.state.db.pool()).await.expect(&sql);
    values.into_iter().map(Option::unwrap_or_default).collect()
}

fn json_column(rows: &[Value], column: &str) -> BTreeSet<String> {
    rows.iter()
        .map(|row| match &row[column] {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        })
        .collect()
}

async fn promise_20_each_export_holds_all_of_its_owners_rows_and_none_of_the_others(app: TestApp) {
    let app = app_for_data(app).await;
    let (ada, grace) = ada_and_grace(&app).await;
    for (me, other) in [(&ada, &grace), (&grace, &ada)] {
        let entries = export_of(&app, me).await;
        assert!(entries.contains_key("README.txt"));
        let export: Value = serde_json::from_slice(&entries["export.json"]).expect("export.json is JSON");
        // Table by table: every exported table is there, with exactly the rows the database has
        // for this person (every one of them has some), and a CSV file with the same rows.
        for table in user_data::exported_tables() {
            let owner = table.owner.unwrap();
            let rows = export[table.name].as_array().unwrap_or_else(|| panic!("{} in export.json", table.name));
            let key = table.order_by.split(", ").next().unwrap();
            let in_database = column_of(&app, table.name, owner, key, &me.id).await;
            assert!(!in_database.is_empty(), "{} has a row of {}'s: the test makes every kind", table.name, me.email);
            assert_eq!(
                json_column(rows, key),
                in_database,
                "{}: export.json holds exactly the database's rows",
                table.name
            );
            assert!(rows.iter().all(|r| r[owner] == me.id.as_str()), "{}: only {}'s rows", table.name, me.email);
            let csv = String::from_utf8(entries[&format!("csv/{}.csv", table.name)].clone()).unwrap();
            let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
            let columns: Vec<&str> = rows[0].as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                header.iter().copied().collect::<BTreeSet<_>>(),
                columns.into_iter().collect(),
                "{}",
                table.name
            );
            for value in &in_database {
                assert!(csv.contains(value.as_str()), "csv/{}.csv holds {value}", table.name);
            }
        }
        assert_eq!(export["users"][0]["email"], me.email);
        // Secrets stay out: the password hash, token hashes.
        assert!(export["users"][0].get("password_hash").is_none());
        assert!(export["api_tokens"][0].get("token_hash").is_none());
        assert!(export["api_tokens"].as_array().unwrap().iter().any(|t| t["name"] == "Export script"));
        let everything: Vec<u8> = entries.values().flatten().copied().collect();
        let everything = String::from_utf8_lossy(&everything);
        assert!(!everything.contains("$argon2"), "no password hash anywhere");
        for hash in column_of(&app, "api_tokens", "user_id", "token_hash", &me.id).await {
            assert!(!everything.contains(&hash), "no token hash anywhere");
        }
        // The files: the photo, the journal image and the offer letter, as stored.
        let files: Vec<&String> = entries.keys().filter(|k| k.starts_with("files/")).collect();
        assert_eq!(files.len(), 3, "{files:?}");
        for key in column_of(&app, "uploads", "user_id", "storage_key", &me.id).await {
            let name = key.rsplit('/').next().unwrap();
            let stored = app.state.files.get(&key).await.unwrap().unwrap();
            assert_eq!(entries[&format!("files/{name}")], stored.to_vec(), "{key} as stored");
        }
        // Nothing of the other's: their id, address, words, record ids.
        assert!(everything.contains(me.marker));
        // (Not the username: "ada" can be part of a hexadecimal id.)
        for absent in [other.id.as_str(), other.email, other.marker] {
            assert!(!everything.contains(absent), "{}'s export mentions {absent}", me.email);
        }
        for record in &other.ids {
            assert!(!everything.contains(record.as_str()), "{}'s export holds {record}", me.email);
        }
        for record in &me.ids {
            assert!(everything.contains(record.as_str()), "{}'s export holds {record}", me.email);
        }
        // Hostile text is shown, not run, in a spreadsheet; JSON keeps it exactly.
        let experiences = String::from_utf8(entries["csv/experiences.csv"].clone()).unwrap();
        assert!(experiences.contains("\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"click\"\")\""), "{experiences}");
        assert!(!experiences.contains(",=HYPERLINK"));
        let projects = String::from_utf8(entries["csv/projects.csv"].clone()).unwrap();
        assert!(projects.contains(",'+1 for formulas,"), "{projects}");
        assert_eq!(export["experiences"][0]["description"], HOSTILE);
        let journal = String::from_utf8(entries["csv/journal_entries.csv"].clone()).unwrap();
        assert!(journal.contains(&format!("\"{}, with a comma\"", me.marker)));
    }
    // Without a token or session: 401, as JSON.
    let response = reqwest::get(app.url("/api/v1/export")).await.unwrap();
    assert_eq!(response.status(), 401);
}

/// A new table must be placed in the catalogue (exported, or not and why), or this fails.
async fn every_table_the_database_lists_is_in_the_catalogue(app: TestApp) {
    let db = &app.state.db;
    let missing = user_data::uncatalogued_tables(db.pool(), db.kind()).await.unwrap();
    assert!(missing.is_empty(), "tables in neither the export catalogue nor its not-exported list: {missing:?}");
    for table in CATALOGUE {
        if let user_data::Export::No(why) = table.export {
            assert!(!why.is_empty(), "{} says why it is not exported", table.name);
        }
    }
    // A table added without a thought for the export (or the deletion) is caught.
    sqlx::query("CREATE TABLE forgotten_notes (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, body TEXT NOT NULL)")
        .execute(db.pool())
        .await
        .unwrap();
    let missing = user_data::uncatalogued_tables(db.pool(), db.kind()).await.unwrap();
    assert_eq!(missing, vec!["forgotten_notes".to_owned()]);
}

/// Settings → Your data: "Prepare my export" builds it in the background with its progress
/// shown; its owner downloads it, another user's request is 404; a day later housekeeping
/// removes the row and the file.
async fn an_export_prepared_in_the_background_is_downloaded_by_its_owner_only_and_removed_after_a_day(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    api.create(
        "/experiences",
        json!({"role": "Engineer", "company": "Initech", "start_date": "2020-01", "current": true}),
    )
    .await;
    let (status, page) = app.get_text("/settings/data").await;
    assert_eq!(status, 200);
    assert!(page.contains("Prepare my export"));
    assert!(page.contains(r#"href="/settings/data""#), "in the settings navigation");

    let response = app.submit("/settings/data", "/settings/data/exports", &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/settings/data?notice=export_started");
    let mut link = None;
    let download = regex::Regex::new(r#"href="(/settings/data/exports/[0-9a-f-]+)""#).unwrap();
    for _ in 0..200 {
        let (_, page) = app.get_text("/settings/data").await;
        if let Some(found) = download.captures(&page) {
            assert!(!page.contains("http-equiv=\"refresh\""), "a ready export stops the refreshing");
            link = Some(found[1].to_owned());
            break;
        }
        assert!(page.contains("http-equiv=\"refresh\""), "while it is built the page refreshes itself: {page}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let link = link.expect("the export gets ready");
    let response = app.get(&link).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let entries = unzip(&response.bytes().await.unwrap());
    assert!(entries.contains_key("export.json") && entries.contains_key("csv/experiences.csv"));
    let export: Value = serde_json::from_slice(&entries["export.json"]).unwrap();
    assert_eq!(export["experiences"][0]["role"], "Engineer");

    // Someone else: not found.
    let key = app.scalar_text("SELECT storage_key FROM data_exports").await;
    assert!(app.state.files.get(&key).await.unwrap().is_some(), "the ZIP is in the file store");
    let other = app.new_browser();
    crate::support::submit_with(
        &other,
        &app.address,
        "/signup",
        "/signup",
        &[("email", "eve@example.com"), ("password", PASSWORD)],
    )
    .await;
    app.wait_for_mail("eve@example.com", "Verify").await;
    let eve = crate::support::submit_with(
        &other,
        &app.address,
        "/login",
        "/login",
        &[("email", "eve@example.com"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(eve.status(), 303);
    assert_eq!(other.get(app.url(&link)).send().await.unwrap().status(), 404);
    assert_eq!(app.get("/settings/data/exports/not-an-id").await.status(), 404);

    // A day later: gone, row and file.
    app.clock.advance(Duration::from_secs(24 * 3600 + 60));
    let report = careerlog::housekeeping::run(&app.state).await.unwrap();
    assert_eq!(report.exports_removed, 1, "{report:?}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM data_exports").await, 0);
    assert!(app.state.files.get(&key).await.unwrap().is_none(), "the file left the store");

    // A build that died with its instance is failed after a while.
    sqlx::query(
        "INSERT INTO data_exports (id, user_id, state, progress, storage_key, byte_size, created_at, updated_at, expires_at)
         SELECT 'stalled', id, 'building', 40, '', 0, $1, $1, $2 FROM users WHERE email = 'ada@example.com'",
    )
    .bind(app.clock.now().0)
    .bind(app.clock.now().0 + 24 * 3600 * 1000)
    .execute(app.state.db.pool())
    .await
    .unwrap();
    app.clock.advance(Duration::from_secs(11 * 60));
    let report = careerlog::housekeeping::run(&app.state).await.unwrap();
    assert_eq!(report.exports_failed, 1);
    assert_eq!(app.scalar_text("SELECT state FROM data_exports WHERE id = 'stalled'").await, "failed");
}

/// Every text column of every table the database lists holding `needle`: (table, rows).
async fn tables_naming(app: &TestApp, needle: &str) -> Vec<(String, i64)> {
    let db = &app.state.db;
    let mut found = Vec::new();
    for table in user_data::database_tables(db.pool(), db.kind()).await.unwrap() {
        let columns = user_data::text_columns(db.pool(), db.kind(), &table).await.unwrap();
        let rows = user_data::rows_containing(db.pool(), &table, &columns, needle).await.unwrap();
        if rows > 0 {
            found.push((table, rows));
        }
    }
    found
}

/// Rows per table of the person's, straight from the database.
async fn rows_of(app: &TestApp, person: &Person) -> BTreeMap<&'static str, i64> {
    let mut counts = BTreeMap::new();
    for table in CATALOGUE {
        if let Some(owner) = table.owner {
            let sql = format!("SELECT COUNT(*) FROM {} WHERE {owner} = $1", table.name);
            let count: i64 = sqlx::query_scalar(&sql).bind(&person.id).fetch_one(app.state.db.pool()).await.unwrap();
            counts.insert(table.name, count);
        }
    }
    counts
}

async fn promise_19_a_deleted_account_leaves_no_row_naming_it_and_no_file(app: TestApp) {
    let app = app_for_data(app).await;
    let (ada, grace) = ada_and_grace(&app).await;
    // Grace has an export waiting too, and an API token and a session in another browser.
    let response = app.submit("/settings/data", "/settings/data/exports", &[]).await;
    assert_eq!(response.status(), 303);
    for _ in 0..200 {
        if app.scalar("SELECT COUNT(*) FROM data_exports WHERE state = 'ready'").await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM data_exports WHERE state = 'ready'").await, 1);
    let laptop = app.browser_signed_in_as(grace.email, PASSWORD).await;
    let graces_keys: Vec<String> = sqlx::query_scalar(
        "SELECT storage_key FROM uploads WHERE user_id = $1 UNION SELECT storage_key FROM data_exports WHERE user_id = $1",
    )
    .bind(&grace.id)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(graces_keys.len(), 4, "a photo, an image, an offer letter and an export");
    for key in &graces_keys {
        assert!(app.state.files.get(key).await.unwrap().is_some());
    }
    assert!(!tables_naming(&app, grace.id.as_str()).await.is_empty(), "the check finds her rows before");
    let adas_rows = rows_of(&app, &ada).await;
    let adas_keys: Vec<String> = sqlx::query_scalar("SELECT storage_key FROM uploads WHERE user_id = $1")
        .bind(&ada.id)
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(app.scalar("SELECT COUNT(*) FROM deletion_counts").await, 0);

    let (_, settings) = app.get_text("/settings").await;
    assert!(settings.contains("Delete your account") && settings.contains("Delete my account"));
    let response = app.submit("/settings", "/settings/delete-account", &[("password", PASSWORD)]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/?notice=account_deleted");

    // No table names her: neither her id nor her address, in any text column of any table the
    // database itself lists.
    assert_eq!(tables_naming(&app, grace.id.as_str()).await, vec![], "rows naming Grace's id");
    assert_eq!(tables_naming(&app, grace.email).await, vec![], "rows naming Grace's address");
    // No file of hers is in the store.
    for key in &graces_keys {
        assert!(app.state.files.get(key).await.unwrap().is_none(), "{key} left the store");
    }
    // Ada's data is untouched.
    assert_eq!(rows_of(&app, &ada).await, adas_rows);
    for key in &adas_keys {
        assert!(app.state.files.get(key).await.unwrap().is_some());
    }
    assert_eq!(ada.api.get("/experiences").await.0, 200);
    // Her sessions and tokens end.
    let response = laptop.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(response.status(), 401, "the other browser's session");
    assert_eq!(app.get("/api/v1/me").await.status(), 401, "this browser's session");
    assert_eq!(grace.api.get("/me").await.0, 401, "her API token");
    let export = reqwest::Client::new().get(app.url("/api/v1/export")).bearer_auth(&grace.token).send().await.unwrap();
    assert_eq!(export.status(), 401);
    // She was told, and she cannot sign in.
    let mail = app.wait_for_mail(grace.email, "account was deleted").await;
    assert!(mail.body.contains("deleted"));
    assert_eq!(app.sign_in(grace.email, PASSWORD).await.status(), 401, "she cannot sign in");
    // What an administrator sees: a count.
    assert_eq!(careerlog::services::accounts::deleted_account_count(&app.state).await.unwrap(), 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM deletion_counts").await, 1);
}

async fn a_wrong_password_deletes_nothing_and_says_so_beside_the_field(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    api.create("/skills", json!({"name": "Rust"})).await;
    let response = app.submit("/settings", "/settings/delete-account", &[("password", "not my password at all")]).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(
        page.contains(r#"<p class="field-error" id="delete_password-error">This is not your current password.</p>"#)
    );
    assert!(page.contains(r#"id="delete_password" name="password""#));
    let response = app.submit("/settings", "/settings/delete-account", &[("password", "")]).await;
    assert_eq!(response.status(), 422);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM skills").await, 1);
    assert_eq!(api.get("/skills").await.0, 200);
    // Without the CSRF token: refused, nothing deleted.
    let response = app.client.post(app.url("/settings/delete-account")).form(&[("password", PASSWORD)]).send().await;
    assert_eq!(response.unwrap().status(), 403);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, 1);
}

/// Promise 19 with the files in an S3 bucket (moto on loopback): the photo, the journal image
/// and a waiting export leave the bucket with the account.
#[tokio::test]
async fn promise_19_a_deleted_accounts_files_leave_the_s3_bucket() {
    let Some(moto) = MotoServer::start().await else { return };
    moto.create_bucket("careerlog-deletion").await;
    let args = moto.careerlog_args("careerlog-deletion");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, &args).await else { return };
    app.signed_up_user("grace@example.com").await;
    let api = api_for(&app).await;
    let entry =
        id(&api.create("/journal", json!({"title": "Cloud", "entry_date": "2026-10-01", "body": "Up there."})).await);
    let image =
        Form::new().part("image", Part::bytes(png(40, 30, 10)).file_name("a.png").mime_str("image/png").unwrap());
    assert_eq!(api.upload(&format!("/journal/{entry}/images"), image).await.0, 201);
    let opportunity = id(&api.create("/opportunities", json!({"company": "Globex", "role": "Engineer"})).await);
    let letter = Form::new()
        .text("kind", "cover_letter")
        .part("file", Part::bytes(b"Dear Globex,\n".to_vec()).file_name("cover.txt").mime_str("text/plain").unwrap());
    assert_eq!(api.upload(&format!("/opportunities/{opportunity}/documents"), letter).await.0, 201);
    assert_eq!(app.submit("/settings/data", "/settings/data/exports", &[]).await.status(), 303);
    for _ in 0..200 {
        if app.scalar("SELECT COUNT(*) FROM data_exports WHERE state = 'ready'").await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let keys: Vec<String> = sqlx::query_scalar(
        "SELECT storage_key FROM uploads UNION SELECT storage_key FROM data_exports WHERE storage_key <> ''",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(keys.len(), 3, "an image, a cover letter and an export");
    let bucket = moto.bucket("careerlog-deletion");
    use object_store::ObjectStore;
    for key in &keys {
        assert!(bucket.get(&object_store::path::Path::from(key.as_str())).await.is_ok(), "{key} in the bucket");
    }
    let response = app.submit("/settings", "/settings/delete-account", &[("password", PASSWORD)]).await;
    assert_eq!(response.status(), 303);
    for key in &keys {
        assert!(bucket.get(&object_store::path::Path::from(key.as_str())).await.is_err(), "{key} left the bucket");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, 0);
}

/// More rows than a page (500) in a table read by one key and in one read by three: every row
/// is exported once, in order.
async fn a_large_export_reads_every_row_page_after_page(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let token = token_for(&app, "Export script").await;
    let ada = user_id(&app, "ada@example.com").await;
    let pool = app.state.db.pool();
    let mut tx = app.state.db.begin_write().await.unwrap();
    let label = careerlog::db::new_id();
    sqlx::query("INSERT INTO labels (id, user_id, name, name_key, created_at, updated_at) VALUES ($1, $2, 'Bulk', 'bulk', 1, 1)")
        .bind(&label)
        .bind(&ada)
        .execute(&mut *tx)
        .await
        .unwrap();
    for i in 0..1_234 {
        let skill = careerlog::db::new_id();
        sqlx::query(
            "INSERT INTO skills (id, user_id, name, name_key, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, 1)",
        )
        .bind(&skill)
        .bind(&ada)
        .bind(format!("Skill {i}"))
        .bind(format!("skill {i}"))
        .execute(&mut *tx)
        .await
        .unwrap();
        for kind in ["skill", "project"] {
            sqlx::query(
                "INSERT INTO record_labels (label_id, user_id, record_kind, record_id, created_at) VALUES ($1, $2, $3, $4, 1)",
            )
            .bind(&label)
            .bind(&ada)
            .bind(kind)
            .bind(&skill)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();
    let response = reqwest::Client::new().get(app.url("/api/v1/export")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let entries = unzip(&response.bytes().await.unwrap());
    let export: Value = serde_json::from_slice(&entries["export.json"]).unwrap();
    let skills = export["skills"].as_array().unwrap();
    assert_eq!(skills.len(), 1_234);
    let ids: Vec<&str> = skills.iter().map(|s| s["id"].as_str().unwrap()).collect();
    let in_database: Vec<String> =
        sqlx::query_scalar("SELECT id FROM skills ORDER BY id").fetch_all(pool).await.unwrap();
    assert_eq!(ids, in_database.iter().map(String::as_str).collect::<Vec<_>>(), "each once, in order");
    let links = export["record_labels"].as_array().unwrap();
    assert_eq!(links.len(), 2_468);
    let distinct: BTreeSet<(String, String)> = links
        .iter()
        .map(|l| (l["record_kind"].as_str().unwrap().to_owned(), l["record_id"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(distinct.len(), 2_468, "no link twice");
    let csv = String::from_utf8(entries["csv/record_labels.csv"].clone()).unwrap();
    assert_eq!(csv.lines().count(), 2_469, "a header and a line per link");
}

/// Each export holds a thread and a connection while it is written: 20 an hour, the API's and
/// the page's together, then 429 with a message; an hour later, again.
async fn exports_are_limited_to_twenty_an_hour(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let token = token_for(&app, "Export script").await;
    let export = || reqwest::Client::new().get(app.url("/api/v1/export")).bearer_auth(&token).send();
    for _ in 0..19 {
        assert_eq!(export().await.unwrap().status(), 200);
    }
    assert_eq!(app.submit("/settings/data", "/settings/data/exports", &[]).await.status(), 303);
    let refused = export().await.unwrap();
    assert_eq!(refused.status(), 429);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited", "{body}");
    assert_eq!(app.submit("/settings/data", "/settings/data/exports", &[]).await.status(), 429);
    app.clock.advance(Duration::from_secs(61 * 60));
    assert_eq!(export().await.unwrap().status(), 200);
}
