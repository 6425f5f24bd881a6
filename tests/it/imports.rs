//! Resume import (issue 13, item 2): a resume becomes rows to review, and only the rows kept
//! become records, through the forms' write path. Promises (SPEC §B): 14 (nothing is saved
//! before review; abandoned imports are deleted), 15 (an AI reading sends only the resume's
//! text), 18 (nobody reads or applies another user's import).

use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

use careerlog::integrations::ai::AiError;

use crate::career::{api_for, Api};
use crate::on_both_databases;
use crate::support::{csrf_token_in, location, TestApp};

on_both_databases!(
    promise_14_an_import_writes_nothing_until_the_reviewed_rows_are_applied,
    the_api_uploads_reviews_and_applies_with_changes_and_refuses_mistakes,
    rows_that_repeat_your_records_are_flagged_and_start_unticked,
    hostile_files_get_a_clear_message_and_nothing_is_stored,
    promise_14_an_abandoned_import_is_deleted_after_a_day,
    promise_15_an_ai_reading_sends_the_resume_text_and_nothing_else,
    without_a_provider_ai_reading_says_what_it_would_do,
    applying_is_all_or_nothing_and_happens_once,
    a_json_resume_export_imported_into_another_account_exports_the_same_document,
);

const RESUME: &str = "# Ada Lovelace

**Principal Engineer** · London, United Kingdom
ada@analytical.example · +44 20 7946 0958

## Experience

### Principal Engineer — Analytical Engines Ltd
*Mar 2019 – Present* · London

- Rewrote the query planner; p99 latency from 900 ms to 120 ms
- Mentored six engineers

### Software Engineer — Difference Works
*Jan 2015 – Feb 2019* · Cambridge

- Built the billing pipeline

## Education

**University of London**
BSc in Mathematics, 2011 – 2014

## Skills

- **Languages:** Rust, SQL, Python

## Languages

English (native), French (B2)
";

fn resume_part(text: &str, name: &str) -> Part {
    Part::bytes(text.as_bytes().to_vec()).file_name(name.to_owned()).mime_str("text/markdown").unwrap()
}

/// Upload from the import page as a browser does: the CSRF token first, then the file.
async fn upload_html(app: &TestApp, part: Part, read_by: &str) -> reqwest::Response {
    let (_, html) = app.get_text("/career/import").await;
    let token = csrf_token_in(&html).expect("a CSRF token on the import page");
    let form = Form::new().text("_csrf", token).part("file", part).text("read_by", read_by.to_owned());
    app.client.post(app.url("/career/import")).multipart(form).send().await.unwrap()
}

async fn upload_api(api: &Api, part: Part, read_by: Option<&str>) -> (u16, Value) {
    let mut form = Form::new().part("file", part);
    if let Some(read_by) = read_by {
        form = form.text("read_by", read_by.to_owned());
    }
    api.upload("/imports", form).await
}

async fn count(app: &TestApp, table: &str) -> i64 {
    app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await
}

/// The review form as the browser would send it: every text field and textarea with its value,
/// every ticked box.
fn form_of(html: &str) -> Vec<(String, String)> {
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    let form_start = html.find("/apply\"").expect("the review form");
    let form = &html[form_start..html[form_start..].find("</form>").map(|end| form_start + end).unwrap()];
    let mut fields = Vec::new();
    let input = regex::Regex::new(r#"<input ([^>]*)>"#).unwrap();
    let attr = |tag: &str, name: &str| {
        regex::Regex::new(&format!(r#"\b{name}="([^"]*)""#)).unwrap().captures(tag).map(|c| unescape(&c[1]))
    };
    for tag in input.captures_iter(form) {
        let tag = &tag[1];
        let (Some(name), kind) = (attr(tag, "name"), attr(tag, "type").unwrap_or_default()) else { continue };
        if kind == "checkbox" && !tag.contains(" checked") {
            continue;
        }
        fields.push((name, attr(tag, "value").unwrap_or_default()));
    }
    let textarea = regex::Regex::new(r#"(?s)<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>"#).unwrap();
    for found in textarea.captures_iter(form) {
        fields.push((found[1].to_owned(), unescape(&found[2])));
    }
    fields
}

fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    fields.retain(|(n, _)| n != name);
    fields.push((name.to_owned(), value.to_owned()));
}

async fn promise_14_an_import_writes_nothing_until_the_reviewed_rows_are_applied(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let response = upload_html(&app, resume_part(RESUME, "Ada Lovelace CV.md"), "parser").await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    let review = location(&response);
    assert!(review.starts_with("/career/import/"), "{review}");

    // Promise 14: read and waiting, nothing written to the record.
    for table in ["experiences", "education", "skills"] {
        assert_eq!(count(&app, table).await, 0, "{table} before applying");
    }
    assert_eq!(count(&app, "profiles WHERE display_name <> ''").await, 0, "the profile is untouched");
    // What waits is sealed: neither the text nor the rows are in the database in clear.
    let sealed = app.scalar_text("SELECT sealed FROM resume_imports").await;
    assert!(!sealed.contains("Analytical") && !sealed.contains("Lovelace"), "the import is kept encrypted");

    let (status, html) = app.get_text(&review).await;
    assert_eq!(status, 200);
    assert!(html.contains("Principal Engineer at Analytical Engines Ltd"), "{html}");
    assert!(html.contains("Software Engineer at Difference Works"));
    assert!(html.contains("University of London"));
    assert!(html.contains("Ada Lovelace CV.md"), "the file's name is shown back");

    // Keep everything but the second role; call the first one by its real title; and make a
    // mistake in the education row, which must come back with everything typed.
    let mut fields = form_of(&html);
    let row_of = |fields: &[(String, String)], field: &str, value: &str| -> String {
        let (name, _) = fields.iter().find(|(n, v)| n.ends_with(&format!(".{field}")) && v == value).expect(value);
        name.split('.').next().unwrap().to_owned()
    };
    let first = row_of(&fields, "company", "Analytical Engines Ltd");
    let second = row_of(&fields, "company", "Difference Works");
    let school = row_of(&fields, "institution", "University of London");
    fields.retain(|(n, _)| n != &format!("{second}.keep"));
    set(&mut fields, &format!("{first}.role"), "Principal Engineer, Query Systems");
    set(&mut fields, &format!("{school}.end_date"), "the year after");
    let mut with_token = vec![("_csrf".to_owned(), csrf_token_in(&html).unwrap())];
    with_token.extend(fields.clone());
    let response = app.client.post(app.url(&format!("{review}/apply"))).form(&with_token).send().await.unwrap();
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains(&format!(r#"id="{school}-end_date-error""#)), "the message is beside the field");
    assert!(html.contains("value=\"the year after\""), "what was typed is kept");
    assert!(html.contains("value=\"Principal Engineer, Query Systems\""));
    assert_eq!(count(&app, "experiences").await, 0, "nothing was saved while a row had a mistake");

    // Fixed (a date as people write it is read), applied.
    set(&mut with_token, &format!("{school}.end_date"), "June 2014");
    let response = app.client.post(app.url(&format!("{review}/apply"))).form(&with_token).send().await.unwrap();
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    assert_eq!(location(&response), "/career/import?notice=import_applied");

    assert_eq!(count(&app, "experiences").await, 1, "the dropped role was not added");
    assert_eq!(app.scalar_text("SELECT role FROM experiences").await, "Principal Engineer, Query Systems");
    assert_eq!(app.scalar_text("SELECT start_date FROM experiences").await, "2019-03");
    assert_eq!(app.scalar_text("SELECT end_date FROM education").await, "2014-06");
    assert_eq!(count(&app, "skills").await, 3);
    assert_eq!(app.scalar_text("SELECT display_name FROM profiles").await, "Ada Lovelace");
    // Through the forms' path: the new records are searchable like any other.
    assert!(app.scalar("SELECT COUNT(*) FROM search_documents").await >= 5);
    assert_eq!(count(&app, "resume_imports").await, 0, "an applied import is gone");
    assert_eq!(app.get(&review).await.status(), 404);
    let (_, experiences) = app.get_text("/experiences").await;
    assert!(experiences.contains("Principal Engineer, Query Systems"));
}

async fn the_api_uploads_reviews_and_applies_with_changes_and_refuses_mistakes(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let (status, review) = upload_api(&api, resume_part(RESUME, "cv.md"), None).await;
    assert_eq!(status, 201, "{review}");
    let id = review["id"].as_str().unwrap().to_owned();
    assert_eq!(review["read_by"], "parser");
    assert_eq!(review["format"], "markdown");
    let rows = review["rows"].as_array().unwrap();
    let row = |kind: &str, field: &str, value: &str| -> String {
        rows.iter()
            .find(|r| r["kind"] == kind && r["fields"][field] == value)
            .unwrap_or_else(|| panic!("no {kind} row with {field} {value} in {review}"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let first = row("experience", "company", "Analytical Engines Ltd");
    let rust = row("skill", "name", "Rust");
    let french = row("language", "language", "French");
    assert_eq!(rows.iter().find(|r| r["id"] == first.as_str()).unwrap()["fields"]["current"], true);
    let (status, again) = api.get(&format!("/imports/{id}")).await;
    assert_eq!((status, &again["rows"]), (200, &review["rows"]), "the review reads back as it was made");

    // Mistakes: nothing is written, and each says where.
    let refused = [
        (json!({"rows": [{"id": "r999"}]}), "rows"),
        (json!({"rows": [{"id": first, "fields": {"start_date": "someday"}}]}), "start_date"),
        (json!({"rows": [{"id": first, "fields": {"salary": 1}}]}), "salary"),
        (json!({"rows": [{"id": first}, {"id": first}]}), "rows"),
    ];
    for (body, field) in refused {
        let (status, answer) = api.post(&format!("/imports/{id}/apply"), body.clone()).await;
        assert_eq!(status, 422, "{body}: {answer}");
        let fields = answer["error"]["fields"].as_object().unwrap();
        assert!(fields.keys().any(|k| k.ends_with(field)), "{body}: {answer}");
    }
    let (status, _) = api.post(&format!("/imports/{id}/apply"), json!({"rows": "all"})).await;
    assert_eq!(status, 400, "a body of the wrong shape");
    assert_eq!(count(&app, "experiences").await, 0);

    // Promise 18: another user cannot read, apply or discard it.
    app.sign_out().await;
    app.signed_up_user("mallory@example.com").await;
    let mallory = api_for(&app).await;
    assert_eq!(mallory.get(&format!("/imports/{id}")).await.0, 404);
    assert_eq!(mallory.post(&format!("/imports/{id}/apply"), json!({"rows": [{"id": first}]})).await.0, 404);
    assert_eq!(mallory.delete(&format!("/imports/{id}")).await, 404);
    assert_eq!(mallory.get("/imports/not-an-id").await.0, 404);

    let (status, applied) = api
        .post(
            &format!("/imports/{id}/apply"),
            json!({"rows": [{"id": first, "fields": {"role": "Principal Engineer, Query Systems", "location": null}},
                            {"id": rust}, {"id": french}]}),
        )
        .await;
    assert_eq!(status, 201, "{applied}");
    let created = applied["created"].as_array().unwrap();
    assert_eq!(created.len(), 2, "{applied}");
    assert_eq!(applied["profile_updated"], true, "French joined the profile's languages");
    let experience_id = created[0]["id"].as_str().unwrap();
    let (_, experience) = api.get(&format!("/experiences/{experience_id}")).await;
    assert_eq!(experience["role"], "Principal Engineer, Query Systems");
    assert_eq!(experience["location"], "", "null cleared the parsed location");
    assert_eq!(experience["highlights"].as_array().unwrap().len(), 2);
    let (_, profile) = api.get("/profile").await;
    assert_eq!(profile["languages"], json!([{"language": "French", "fluency": "B2"}]));
    assert_eq!(profile["display_name"], "", "the contact details row was not kept");
    assert_eq!(api.get(&format!("/imports/{id}")).await.0, 404, "applied imports are gone");

    // Discarding.
    let (_, review) = upload_api(&api, resume_part(RESUME, "cv.md"), Some("parser")).await;
    let id = review["id"].as_str().unwrap();
    assert_eq!(api.delete(&format!("/imports/{id}")).await, 204);
    assert_eq!(count(&app, "resume_imports").await, 0);
    let (status, answer) = upload_api(&api, resume_part(RESUME, "cv.md"), Some("magic")).await;
    assert_eq!((status, answer["error"]["fields"]["read_by"].is_string()), (422, true), "{answer}");
}

async fn rows_that_repeat_your_records_are_flagged_and_start_unticked(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    api.create(
        "/experiences",
        json!({"role": "Principal Engineer", "company": "Analytical Engines, Ltd.", "start_date": "2019-03", "current": true}),
    )
    .await;
    api.create("/skills", json!({"name": "rust"})).await;
    api.patch(
        "/profile",
        json!({"display_name": "Ada King", "languages": [{"language": "English", "fluency": "Native"}]}),
    )
    .await;
    let (_, review) = upload_api(&api, resume_part(RESUME, "cv.md"), None).await;
    let rows = review["rows"].as_array().unwrap();
    let find = |kind: &str, field: &str, value: &str| {
        rows.iter().find(|r| r["kind"] == kind && r["fields"][field] == value).unwrap().clone()
    };
    let repeated = find("experience", "company", "Analytical Engines Ltd");
    assert_eq!(repeated["keep"], false);
    assert_eq!(repeated["duplicate_of"]["title"], "Principal Engineer at Analytical Engines, Ltd.");
    assert_eq!(find("experience", "company", "Difference Works")["keep"], true);
    assert_eq!(find("skill", "name", "Rust")["keep"], false, "case does not make a new skill");
    assert_eq!(find("skill", "name", "SQL")["keep"], true);
    assert_eq!(find("language", "language", "English")["keep"], false);
    let profile = rows.iter().find(|r| r["kind"] == "profile").unwrap();
    assert!(profile["fields"].get("display_name").is_none(), "a name you wrote is not replaced: {profile}");
    assert_eq!(profile["fields"]["email"], "ada@analytical.example", "empty fields are filled");

    let id = review["id"].as_str().unwrap();
    let (_, html) = app.get_text(&format!("/career/import/{id}")).await;
    assert!(html.contains("Looks like “Principal Engineer at Analytical Engines, Ltd.”, which you have"), "{html}");
}

async fn hostile_files_get_a_clear_message_and_nothing_is_stored(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let pdf =
        |bytes: Vec<u8>, name: &str| Part::bytes(bytes).file_name(name.to_owned()).mime_str("application/pdf").unwrap();
    let mut just_too_large = b"%PDF-1.5\n".to_vec();
    just_too_large.resize(5 * 1024 * 1024 + 1, b' ');
    let two_thousand_pages: Vec<Vec<String>> = (0..2000).map(|i| vec![format!("Page {i}")]).collect();
    let cases: Vec<(&str, Part, &str)> = vec![
        ("5 MB and a byte", pdf(just_too_large, "big.pdf"), "at most 5 MB"),
        ("HTML called PDF", pdf(b"<!DOCTYPE html><html><body>CV</body></html>".to_vec(), "cv.pdf"), "not a PDF"),
        ("a zip bomb", Part::bytes(zip_bomb()).file_name("cv.docx"), "zip bomb"),
        (
            "an encrypted PDF",
            pdf(std::fs::read("tests/resumes/hostile/encrypted.pdf").unwrap(), "locked.pdf"),
            "password-protected",
        ),
        (
            "2 000 pages",
            pdf(careerlog::resume::sample_pdf::text_pdf(&two_thousand_pages, 0), "long.pdf"),
            "2 000 pages",
        ),
        ("no text", Part::bytes(b"   \n\n  ".to_vec()).file_name("empty.txt"), "could not find any text"),
    ];
    for (what, part, message) in cases {
        let (status, answer) = upload_api(&api, part, None).await;
        assert_eq!(status, 422, "{what}: {answer}");
        let said = answer["error"]["fields"]["file"].as_str().unwrap_or_default();
        assert!(said.contains(message), "{what}: {said}");
    }
    // The page says it beside the field, keeping the rest of the page.
    let response = upload_html(&app, Part::bytes(zip_bomb()).file_name("cv.docx"), "parser").await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"id="file-error""#) && html.contains("zip bomb"), "{html}");
    let response = upload_html(&app, Part::bytes(Vec::new()).file_name(""), "parser").await;
    assert_eq!(response.status(), 422, "no file chosen");

    assert_eq!(count(&app, "resume_imports").await, 0, "nothing is stored");
    assert_eq!(count(&app, "uploads").await, 0, "no file is kept");
    assert_eq!(app.get("/healthz").await.status(), 200, "the server is fine");
    let (status, _) = upload_api(&api, resume_part(RESUME, "cv.md"), None).await;
    assert_eq!(status, 201, "and still imports a real resume");
}

/// A .docx whose document part deflates 300 MB of zeros to about 300 KB.
fn zip_bomb() -> Vec<u8> {
    use std::io::Write as _;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(b"<Types/>").unwrap();
    zip.start_file("word/document.xml", options.large_file(true)).unwrap();
    zip.write_all(b"<w:document><w:body><w:p><w:r><w:t>").unwrap();
    let zeros = vec![b'0'; 1024 * 1024];
    for _ in 0..300 {
        zip.write_all(&zeros).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

async fn promise_14_an_abandoned_import_is_deleted_after_a_day(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let (_, review) = upload_api(&api, resume_part(RESUME, "cv.md"), None).await;
    let id = review["id"].as_str().unwrap();
    let report = careerlog::housekeeping::run(&app.state).await.unwrap();
    assert_eq!(report.imports_expired, 0, "a fresh import waits");
    app.clock.advance(std::time::Duration::from_secs(24 * 3600 + 1));
    assert_eq!(api.get(&format!("/imports/{id}")).await.0, 404, "an expired import cannot be opened");
    let report = careerlog::housekeeping::run(&app.state).await.unwrap();
    assert_eq!(report.imports_expired, 1);
    assert_eq!(count(&app, "resume_imports").await, 0, "the database no longer holds it");
    assert_eq!(count(&app, "experiences").await, 0);
}

async fn promise_15_an_ai_reading_sends_the_resume_text_and_nothing_else(app: TestApp) {
    let app = TestApp::with_fake_ai(app.backend, &[]).await.unwrap();
    app.signed_up_user("ada.account@example.com").await;
    let api = api_for(&app).await;
    api.create(
        "/experiences",
        json!({"role": "Spy", "company": "Secret Corp", "start_date": "2010-01", "end_date": "2011-01"}),
    )
    .await;
    let fake = app.fake_ai().clone();
    let answer = json!({
        "basics": {"name": "Ada Lovelace", "email": "ada@analytical.example"},
        "work": [{"name": "Analytical Engines Ltd", "position": "Principal Engineer", "startDate": "2019-03",
                  "highlights": ["Rewrote the query planner"]}],
        "skills": [{"name": "Languages", "keywords": ["Rust", "SQL"]}]
    });
    fake.answer(answer.to_string());
    let (status, review) = upload_api(&api, resume_part(RESUME, "Ada Lovelace private CV.md"), Some("ai")).await;
    assert_eq!(status, 201, "{review}");
    assert_eq!(review["read_by"], "ai");
    assert_eq!(review["rows"].as_array().unwrap().len(), 4, "{review}");

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let sent = serde_json::to_string(&requests[0].messages).unwrap();
    assert!(sent.contains("Rewrote the query planner; p99 latency"), "the resume's text is sent");
    for private in ["ada.account@example.com", "Secret Corp", "Spy", "private CV"] {
        assert!(!sent.contains(private), "promise 15: {private} must not be sent");
    }
    assert_eq!(requests[0].messages.len(), 1, "one message: the text");
    assert_eq!(count(&app, "experiences").await, 1, "promise 14: nothing is added by reading");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM ai_runs WHERE feature = 'resume_import'").await,
        1,
        "the run is on record"
    );

    // A model that answers unreadable dates twice: a clear error, nothing kept.
    fake.answer(json!({"work": [{"name": "X", "startDate": "last spring"}]}).to_string());
    fake.answer(json!({"work": [{"name": "X", "startDate": "the spring before"}]}).to_string());
    let (status, answer) = upload_api(&api, resume_part(RESUME, "cv.md"), Some("ai")).await;
    assert_eq!(status, 502, "{answer}");
    assert_eq!(answer["error"]["code"], "upstream_failed");
    fake.fail(AiError::Overloaded);
    let (status, _) = upload_api(&api, resume_part(RESUME, "cv.md"), Some("ai")).await;
    assert_eq!(status, 502);
    assert_eq!(count(&app, "resume_imports").await, 1, "only the first reading waits");

    // A reading by the parser can be read again with AI from its review page.
    let response = upload_html(&app, resume_part(RESUME, "cv.md"), "parser").await;
    let review = location(&response);
    fake.answer(
        json!({"work": [{"name": "Analytical Engines Ltd", "position": "Engineer", "startDate": "2019"}]}).to_string(),
    );
    let response = app.submit(&review, &format!("{review}/ai"), &[]).await;
    assert_eq!(response.status(), 303);
    let (_, html) = app.get_text(&location(&response)).await;
    assert!(html.contains("read by AI"), "{html}");
    assert_eq!(app.get(&review).await.status(), 404, "the parser's reading made way");
}

async fn without_a_provider_ai_reading_says_what_it_would_do(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let (_, html) = app.get_text("/career/import").await;
    assert!(html.contains("this instance has no AI provider configured"), "{html}");
    assert!(!html.contains("value=\"ai\""), "no button that cannot work");
    let api = api_for(&app).await;
    let (status, answer) = upload_api(&api, resume_part(RESUME, "cv.md"), Some("ai")).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (503, Some("not_configured")));
    assert_eq!(count(&app, "resume_imports").await, 0);
    let (status, _) = upload_api(&api, resume_part(RESUME, "cv.md"), None).await;
    assert_eq!(status, 201, "reading without AI works as always");
}

async fn applying_is_all_or_nothing_and_happens_once(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    api.create("/skills", json!({"name": "Rust"})).await;
    api.create("/skills", json!({"name": "C"})).await;
    let resume = "# Ada\n\n## Experience\n\n### Engineer — Analytical Engines\n*2019 – Present*\n\n\
                  ## Skills\n\n- **Languages:** Rust, C++, C#\n";
    let (_, review) = upload_api(&api, resume_part(resume, "cv.md"), None).await;
    let id = review["id"].as_str().unwrap();
    let rows = review["rows"].as_array().unwrap();
    let row = |name: &str| rows.iter().find(|r| r["fields"]["name"] == name).unwrap().clone();
    assert_eq!(row("C++")["keep"], true, "C++ is not the C you have");
    assert_eq!(row("C#")["keep"], true);
    assert_eq!(row("Rust")["keep"], false);
    let experience = rows.iter().find(|r| r["kind"] == "experience").unwrap()["id"].clone();

    // Ticking the Rust you already have anyway: the database refuses it, and nothing of the
    // import is written, the experience before it included.
    let everything = json!({"rows": [{"id": experience}, {"id": row("C++")["id"]}, {"id": row("Rust")["id"]}]});
    let (status, answer) = api.post(&format!("/imports/{id}/apply"), everything).await;
    assert_eq!(status, 422, "{answer}");
    let rust = row("Rust")["id"].as_str().unwrap().to_owned();
    assert!(answer["error"]["fields"][format!("{rust}.name")].is_string(), "{answer}");
    assert_eq!(count(&app, "experiences").await, 0, "all or nothing");
    assert_eq!(count(&app, "skills").await, 2);

    // Applied once; the same request again finds nothing to apply.
    let kept = json!({"rows": [{"id": experience}, {"id": row("C++")["id"]}, {"id": row("C#")["id"]}]});
    let apply = format!("/imports/{id}/apply");
    let (first, second) = tokio::join!(api.post(&apply, kept.clone()), api.post(&apply, kept));
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(statuses, [201, 404], "one of two simultaneous submissions applies");
    assert_eq!(count(&app, "experiences").await, 1);
    assert_eq!(count(&app, "skills").await, 4);
}

async fn a_json_resume_export_imported_into_another_account_exports_the_same_document(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let ada = api_for(&app).await;
    ada.patch(
        "/profile",
        json!({"display_name": "Ada Lovelace", "job_title": "Principal Engineer", "region": "London, UK",
               "bio": "I build query engines.", "email": "ada@analytical.example", "phone": "+44 20 7946 0958",
               "url": "https://ada.example",
               "profiles": [{"network": "GitHub", "username": "ada", "url": "https://github.com/ada"}],
               "languages": [{"language": "English", "fluency": "Native"}, {"language": "French", "fluency": "B2"}]}),
    )
    .await;
    ada.create(
        "/experiences",
        json!({"role": "Principal Engineer", "company": "Analytical Engines", "location": "London", "start_date": "2019-03",
               "current": true, "description": "Query platform lead.", "highlights": ["Cut p99 by 7x", "Led six engineers"]}),
    )
    .await;
    ada.create(
        "/experiences",
        json!({"role": "Engineer", "company": "Difference Works", "start_date": "2015", "end_date": "2019-02"}),
    )
    .await;
    ada.create("/experiences", json!({"role": "Hidden", "company": "Not on resume", "start_date": "2010", "end_date": "2011", "on_resume": false}))
        .await;
    ada.create(
        "/education",
        json!({"institution": "University of London", "study_type": "BSc", "area": "Mathematics", "start_date": "2011",
               "end_date": "2014", "score": "First", "courses": ["Analysis", "Algebra"], "url": "https://london.ac.uk"}),
    )
    .await;
    ada.create(
        "/certifications",
        json!({"name": "CKA", "issuer": "CNCF", "date": "2020-05", "url": "https://cncf.io/cka"}),
    )
    .await;
    ada.create(
        "/projects",
        json!({"name": "Planner", "role": "Author", "description": "A cost-based planner.", "url": "https://planner.example",
               "start_date": "2020", "end_date": "2021"}),
    )
    .await;
    for (name, category, level) in [("Rust", "Languages", "expert"), ("SQL", "Languages", "expert"), ("Go", "", "")] {
        let mut body = json!({"name": name, "category": category});
        if !level.is_empty() {
            body["level"] = json!(level);
        }
        ada.create("/skills", body).await;
    }
    ada.create(
        "/achievements",
        json!({"title": "Engineer of the year", "date": "2022", "description": "Chosen by peers."}),
    )
    .await;

    let exported = ada.get_text("/resume.json").await;
    let document: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(document["$schema"], "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json");
    assert_eq!(document["basics"]["name"], "Ada Lovelace");
    assert_eq!(document["work"].as_array().unwrap().len(), 2, "only what is on the resume: {document}");
    assert!(document["work"][0].get("endDate").is_none(), "the current role has no end");
    let skills = document["skills"].as_array().unwrap();
    assert!(
        skills.contains(&json!({"name": "Languages", "level": "Expert", "keywords": ["Rust", "SQL"]})),
        "{skills:?}"
    );
    assert!(skills.contains(&json!({"name": "Skills", "keywords": ["Go"]})), "no category: the generic group");

    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let grace = api_for(&app).await;
    let (status, review) = upload_api(&grace, resume_part(&exported, "resume.json"), None).await;
    assert_eq!(status, 201, "{review}");
    assert_eq!(review["format"], "json");
    let everything: Vec<Value> = review["rows"].as_array().unwrap().iter().map(|r| json!({"id": r["id"]})).collect();
    let (status, applied) =
        grace.post(&format!("/imports/{}/apply", review["id"].as_str().unwrap()), json!({"rows": everything})).await;
    assert_eq!(status, 201, "{applied}");
    let again: Value = serde_json::from_str(&grace.get_text("/resume.json").await).unwrap();
    assert_eq!(again, document, "the round trip keeps the document");

    // A JSON file that is not a resume is refused with a sentence; so is a broken one.
    let (status, answer) = upload_api(&grace, resume_part(r#"{"name": "not a resume"}"#, "x.json"), None).await;
    assert_eq!(status, 422);
    assert!(answer["error"]["fields"]["file"].as_str().unwrap().contains("not a JSON Resume"), "{answer}");
    let (status, answer) = upload_api(&grace, resume_part(r#"{"work": "yesterday"}"#, "x.json"), None).await;
    assert_eq!(status, 422, "{answer}");
}
