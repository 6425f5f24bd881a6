//! Offers and documents per application (issue 19, item 4): files attached to an opportunity
//! through the upload store (each kind, downloaded back as sent; too large or not a document is
//! refused beside the field with nothing stored), private to their owner (promise 18), removed
//! with the opportunity or the account (promise 19) and in the export (promise 20); an offer
//! recorded and edited on its opportunity, and the open offers side by side, never adding
//! amounts in different currencies.

use std::io::{Cursor, Write};

use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

use crate::on_both_databases;
use crate::support::{csrf_token_in, location, Backend, TestApp};

on_both_databases!(
    each_kind_of_document_is_attached_listed_and_downloaded_back_as_it_was_sent,
    a_file_too_large_or_not_a_document_is_refused_beside_the_field_and_nothing_is_stored,
    promise_18_another_user_gets_404_for_documents_and_offers,
    deleting_a_document_or_its_opportunity_removes_the_files_from_the_store,
    promise_19_deleting_the_account_removes_its_documents_from_the_store,
    promise_20_the_export_holds_the_documents_and_the_offer,
    an_offer_is_recorded_kept_as_typed_when_wrong_and_edited_in_place,
    open_offers_in_different_currencies_are_compared_side_by_side_and_never_added,
    uploads_at_the_same_moment_never_take_an_opportunity_past_its_fifty_documents,
);

async fn add_opportunity(app: &TestApp, company: &str, status: &str) -> String {
    let fields = [("company", company), ("role", "Staff Engineer"), ("status", status)];
    let response = app.submit("/opportunities/new", "/opportunities", &fields).await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    location(&response).trim_start_matches("/opportunities/").split('?').next().unwrap().to_owned()
}

/// Post the opportunity page's upload form as a browser does: the CSRF token first, then the
/// kind and the note, then the file.
async fn attach(
    app: &TestApp,
    opportunity: &str,
    kind: &str,
    note: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let page = format!("/opportunities/{opportunity}");
    let html = app.client.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
    let token = csrf_token_in(&html).expect("a CSRF token on the page");
    let form = Form::new()
        .text("_csrf", token)
        .text("kind", kind.to_owned())
        .text("note", note.to_owned())
        .part("file", Part::bytes(bytes).file_name(file_name.to_owned()).mime_str("application/pdf").unwrap());
    app.client.post(app.url(&format!("{page}/documents"))).multipart(form).send().await.unwrap()
}

/// The opportunity's documents: `(id, kind, storage key)`, oldest first.
async fn documents(app: &TestApp, opportunity: &str) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT id, document_kind, storage_key FROM uploads WHERE opportunity_id = $1 ORDER BY created_at, id",
    )
    .bind(opportunity)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap()
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% Resume of Ada Lovelace\n%%EOF\n".to_vec()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, content) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn docx() -> Vec<u8> {
    zip_of(&[
        ("[Content_Types].xml", b"<?xml version=\"1.0\"?><Types/>"),
        ("word/document.xml", b"<w:document><w:body><w:p><w:r><w:t>Dear team</w:t></w:r></w:p></w:body></w:document>"),
    ])
}

fn odt() -> Vec<u8> {
    zip_of(&[("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<office:document/>")])
}

/// Wait for removals queued after a response.
async fn wait_until_gone(app: &TestApp, key: &str) {
    for _ in 0..100 {
        if app.state.files.get(key).await.unwrap().is_none() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{key} is still in the file store");
}

/// Every file left in a local store (SQLite runs use the local disk).
fn files_on_disk(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(&app.data_dir.join("uploads"), &mut found);
    found
}

async fn each_kind_of_document_is_attached_listed_and_downloaded_back_as_it_was_sent(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let opportunity = add_opportunity(&app, "Acme", "applied").await;
    let photo = crate::uploads::jpeg_with_gps(40, 30);
    let files: [(&str, &str, &str, Vec<u8>, &str); 6] = [
        ("resume_sent", "The one with the Rust projects", "Ada CV (final).pdf", pdf(), "application/pdf"),
        (
            "cover_letter",
            "",
            "cover.docx",
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("offer_letter", "Signed", "offer.odt", odt(), "application/vnd.oasis.opendocument.text"),
        (
            "other",
            "Salary notes",
            "notes",
            "Base 95k — bonus 10 %\r\n".as_bytes().to_vec(),
            "text/plain; charset=utf-8",
        ),
        ("other", "", "chart.png", crate::uploads::png(16, 16, true), "image/png"),
        ("other", "Office photo", "office.jpg", photo, "image/jpeg"),
    ];
    for (kind, note, name, bytes, _) in &files {
        let response = attach(&app, &opportunity, kind, note, name, bytes.clone()).await;
        assert_eq!(response.status(), 303, "{name}: {}", response.text().await.unwrap());
        assert_eq!(location(&response), format!("/opportunities/{opportunity}?notice=document_added#documents"));
    }
    let stored = documents(&app, &opportunity).await;
    assert_eq!(stored.len(), 6);

    let (_, page) = app.get_text(&format!("/opportunities/{opportunity}")).await;
    for (label, name) in [
        ("Resume sent", "Ada_CV__final_.pdf"),
        ("Cover letter", "cover.docx"),
        ("Offer letter", "offer.odt"),
        ("Other", "notes.txt"),
    ] {
        assert!(page.contains(label) && page.contains(name), "{label} {name} listed: {page}");
    }
    assert!(page.contains("The one with the Rust projects"), "the note is shown");
    assert!(page.contains("bytes") || page.contains("KB"), "sizes are shown");

    for ((id, kind, _), (sent_kind, _, _, bytes, content_type)) in stored.iter().zip(&files) {
        assert_eq!(kind, sent_kind);
        let response = app.get(&format!("/opportunities/{opportunity}/documents/{id}")).await;
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], *content_type);
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let disposition = headers["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment; filename=\""), "{disposition}");
        assert!(headers["cache-control"].to_str().unwrap().contains("private"));
        assert_eq!(response.bytes().await.unwrap().to_vec(), *bytes, "{kind} comes back byte for byte");
    }
    let first = app.get(&format!("/opportunities/{opportunity}/documents/{}", stored[0].0)).await;
    assert_eq!(first.headers()["content-disposition"], "attachment; filename=\"Ada_CV__final_.pdf\"");

    // The API lists them and gives each back too.
    let token = crate::api::create_token(&app, "Documents").await;
    let api = reqwest::Client::new();
    let listed: Value = api
        .get(app.url(&format!("/api/v1/opportunities/{opportunity}/documents")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 6);
    assert_eq!(listed[2]["kind"], "offer_letter");
    assert_eq!(listed[2]["content_type"], "application/vnd.oasis.opendocument.text");
    let url = format!("/api/v1/opportunities/{opportunity}/documents/{}", stored[1].0);
    let download = api.get(app.url(&url)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(download.headers()["content-type"], "application/octet-stream");
    assert_eq!(download.bytes().await.unwrap().to_vec(), docx());
}

async fn a_file_too_large_or_not_a_document_is_refused_beside_the_field_and_nothing_is_stored(app: TestApp) {
    // At the default limit of 10 MB: one byte more is refused.
    app.signed_up_user("ada@example.com").await;
    let opportunity = add_opportunity(&app, "Acme", "applied").await;
    let mut big = pdf();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let response = attach(&app, &opportunity, "resume_sent", "The long one", "big.pdf", big).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("This file is too large: the limit is 10 MB."), "{html}");
    assert!(html.contains("id=\"document-file-error\""), "beside the field");
    assert!(html.contains("value=\"The long one\""), "the note typed is kept");

    // Not what its name says: a web page, a program, an old .doc, an empty file.
    for (name, bytes, says) in [
        ("cv.pdf", b"<!doctype html><script>alert(document.cookie)</script>".to_vec(), "web page"),
        ("cv.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec(), "not a PDF, Word"),
        ("cv.doc", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00".to_vec(), "old Word"),
        ("cv.zip", zip_of(&[("cv.exe", b"MZ")]), "zip archive"),
    ] {
        let response = attach(&app, &opportunity, "resume_sent", "", name, bytes).await;
        assert_eq!(response.status(), 422, "{name}");
        let html = response.text().await.unwrap();
        assert!(html.contains(says) && html.contains("id=\"document-file-error\""), "{says}: {html}");
    }
    // A kind not in the list, and a note too long.
    let response = attach(&app, &opportunity, "photo", "", "cv.pdf", pdf()).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("id=\"document-kind-error\""));
    let response = attach(&app, &opportunity, "other", &"n".repeat(600), "cv.pdf", pdf()).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("id=\"document-note-error\""));

    assert_eq!(app.scalar("SELECT COUNT(*) FROM uploads").await, 0, "nothing was recorded");
    if app.backend == Backend::Sqlite {
        assert!(files_on_disk(&app).is_empty(), "nothing was stored: {:?}", files_on_disk(&app));
    }

    // An instance with a lower upload limit holds documents to it.
    let Some(small) = TestApp::spawn_with(app.backend, &["--upload-max-bytes", "100000"]).await else { return };
    small.signed_up_user("ada@example.com").await;
    let opportunity = add_opportunity(&small, "Acme", "applied").await;
    let mut over = pdf();
    over.resize(100_500, b' ');
    let response = attach(&small, &opportunity, "resume_sent", "", "cv.pdf", over).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("the limit is 97 KB"));
    assert_eq!(small.scalar("SELECT COUNT(*) FROM uploads").await, 0);
}

async fn promise_18_another_user_gets_404_for_documents_and_offers(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let opportunity = add_opportunity(&app, "Acme", "interviewing").await;
    attach(&app, &opportunity, "offer_letter", "", "offer.pdf", pdf()).await;
    let document = documents(&app, &opportunity).await.remove(0).0;
    let fields = [("base_amount", "95000"), ("base_currency", "EUR"), ("base_period", "year")];
    let page = format!("/opportunities/{opportunity}/offer");
    assert_eq!(app.submit(&page, &page, &fields).await.status(), 303);
    app.sign_out().await;

    app.signed_up_user("grace@example.com").await;
    let token = crate::api::create_token(&app, "Grace's script").await;
    let mine = add_opportunity(&app, "Initech", "applied").await;
    let download = format!("/opportunities/{opportunity}/documents/{document}");
    assert_eq!(app.get(&download).await.status(), 404);
    assert_eq!(app.get(&format!("/opportunities/{mine}/documents/{document}")).await.status(), 404, "not by her own");
    assert_eq!(app.get(&page).await.status(), 404);
    assert_eq!(app.submit("/settings", &page, &fields).await.status(), 404);
    assert_eq!(app.submit("/settings", &format!("{page}/delete"), &[]).await.status(), 404);
    assert_eq!(app.submit("/settings", &format!("{download}/delete"), &[]).await.status(), 404);
    let response = attach(&app, &mine, "other", "", "x.pdf", pdf()).await;
    assert_eq!(response.status(), 303, "her own opportunity takes files");
    let html = app.client.get(app.url(&format!("/opportunities/{mine}"))).send().await.unwrap().text().await.unwrap();
    let form = Form::new()
        .text("_csrf", csrf_token_in(&html).unwrap())
        .text("kind", "other")
        .part("file", Part::bytes(pdf()).file_name("x.pdf"));
    let response =
        app.client.post(app.url(&format!("/opportunities/{opportunity}/documents"))).multipart(form).send().await;
    assert_eq!(response.unwrap().status(), 404, "nor can she attach to ada's");

    let api = reqwest::Client::new();
    let base = app.url(&format!("/api/v1/opportunities/{opportunity}"));
    for request in [
        api.get(format!("{base}/offer")),
        api.put(format!("{base}/offer")).json(&json!({"bonus": "10%"})),
        api.delete(format!("{base}/offer")),
        api.get(format!("{base}/documents")),
        api.get(format!("{base}/documents/{document}")),
        api.delete(format!("{base}/documents/{document}")),
    ] {
        let response = request.bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), 404);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found");
    }
    let (_, offers) = app.get_text("/offers").await;
    assert!(!offers.contains("Acme"), "ada's offer is not in grace's comparison");
    // Ada's things are all still there.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM offers").await, 1);
    assert_eq!(documents(&app, &opportunity).await.len(), 1);
}

async fn deleting_a_document_or_its_opportunity_removes_the_files_from_the_store(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let opportunity = add_opportunity(&app, "Acme", "applied").await;
    // A private document changes none of her public pages: their change count stays.
    let public_version =
        || app.scalar("SELECT COALESCE(MAX(version), 0) FROM public_page_versions WHERE user_id <> '*'");
    let before = public_version().await;
    attach(&app, &opportunity, "resume_sent", "", "cv.pdf", pdf()).await;
    attach(&app, &opportunity, "cover_letter", "", "cover.docx", docx()).await;
    assert_eq!(public_version().await, before, "the public pages stay in the render cache");
    let stored = documents(&app, &opportunity).await;
    let page = format!("/opportunities/{opportunity}");
    for (_, _, key) in &stored {
        assert!(app.state.files.get(key).await.unwrap().is_some(), "stored");
    }

    let removed = app.submit(&page, &format!("{page}/documents/{}/delete", stored[0].0), &[]).await;
    assert_eq!(removed.status(), 303);
    assert_eq!(location(&removed), format!("{page}?notice=document_removed#documents"));
    assert_eq!(public_version().await, before);
    wait_until_gone(&app, &stored[0].2).await;
    assert!(app.state.files.get(&stored[1].2).await.unwrap().is_some(), "the other stays");

    let deleted = app.submit(&page, &format!("{page}/delete"), &[]).await;
    assert_eq!(deleted.status(), 303);
    wait_until_gone(&app, &stored[1].2).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM uploads").await, 0);
    for _ in 0..100 {
        if app.scalar("SELECT COUNT(*) FROM file_deletions").await == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM file_deletions").await, 0, "nothing left for housekeeping");
    if app.backend == Backend::Sqlite {
        assert!(files_on_disk(&app).is_empty(), "no file is left behind: {:?}", files_on_disk(&app));
    }
}

async fn promise_19_deleting_the_account_removes_its_documents_from_the_store(app: TestApp) {
    let password = app.signed_up_user("ada@example.com").await;
    let opportunity = add_opportunity(&app, "Acme", "interviewing").await;
    attach(&app, &opportunity, "resume_sent", "", "cv.pdf", pdf()).await;
    attach(&app, &opportunity, "offer_letter", "", "offer.odt", odt()).await;
    let page = format!("/opportunities/{opportunity}/offer");
    app.submit(&page, &page, &[("base_amount", "95000"), ("base_currency", "EUR")]).await;
    let keys: Vec<String> = documents(&app, &opportunity).await.into_iter().map(|(_, _, key)| key).collect();
    assert_eq!(keys.len(), 2);

    let deleted = app.submit("/settings", "/settings/delete-account", &[("password", password)]).await;
    assert_eq!(deleted.status(), 303);
    for key in &keys {
        assert!(app.state.files.get(key).await.unwrap().is_none(), "{key} left the store with the account");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM uploads").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM offers").await, 0);
    if app.backend == Backend::Sqlite {
        assert!(files_on_disk(&app).is_empty(), "no file is left behind: {:?}", files_on_disk(&app));
    }
}

async fn promise_20_the_export_holds_the_documents_and_the_offer(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let opportunity = add_opportunity(&app, "Acme", "interviewing").await;
    attach(&app, &opportunity, "cover_letter", "Sent on Monday", "cover.docx", docx()).await;
    let page = format!("/opportunities/{opportunity}/offer");
    let offer = [("base_amount", "95000"), ("base_currency", "EUR"), ("bonus", "10%"), ("equity", "0.1% over 4 years")];
    assert_eq!(app.submit(&page, &page, &offer).await.status(), 303);
    let (document, _, key) = documents(&app, &opportunity).await.remove(0);
    let token = crate::api::create_token(&app, "Export").await;
    app.sign_out().await;
    // Grace's own document must not be in Ada's export.
    app.signed_up_user("grace@example.com").await;
    let hers = add_opportunity(&app, "Initech", "applied").await;
    attach(&app, &hers, "resume_sent", "", "grace.pdf", pdf()).await;

    let response = reqwest::Client::new().get(app.url("/api/v1/export")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let entries = crate::user_data::unzip(&response.bytes().await.unwrap());
    let file_name = format!("files/{}", key.rsplit('/').next().unwrap());
    assert_eq!(entries.get(&file_name), Some(&docx()), "the file itself, byte for byte");
    assert_eq!(entries.keys().filter(|name| name.starts_with("files/")).count(), 1, "and none of Grace's");
    let export: Value = serde_json::from_slice(&entries["export.json"]).unwrap();
    let upload = export["uploads"].as_array().unwrap().iter().find(|u| u["id"] == *document.as_str()).unwrap().clone();
    assert_eq!(upload["document_kind"], "cover_letter");
    assert_eq!(upload["note"], "Sent on Monday");
    assert_eq!(upload["opportunity_id"], *opportunity.as_str());
    assert_eq!(upload["original_name"], "cover.docx");
    let offers = export["offers"].as_array().unwrap();
    assert_eq!(offers.len(), 1);
    assert_eq!((offers[0]["base_amount"].as_i64(), offers[0]["bonus"].as_str()), (Some(95_000), Some("10%")));
    assert!(entries.contains_key("csv/offers.csv"));
}

async fn an_offer_is_recorded_kept_as_typed_when_wrong_and_edited_in_place(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let opportunity = add_opportunity(&app, "Acme", "interviewing").await;
    let show = format!("/opportunities/{opportunity}");
    let (_, html) = app.get_text(&show).await;
    assert!(html.contains("Record an offer") && html.contains("moves this opportunity from Interviewing to Offer"));
    let page = format!("{show}/offer");
    let (status, form) = app.get_text(&page).await;
    assert_eq!(status, 200);
    assert!(form.contains("Saving moves this opportunity from Interviewing to Offer."), "{form}");

    // Mistakes come back beside their fields, with what was typed.
    let wrong = [
        ("base_amount", "lots"),
        ("base_currency", "EURO"),
        ("base_period", "fortnight"),
        ("bonus", "10%"),
        ("decide_by", "someday"),
        ("benefits", "30 days of holiday\r\nPension 5%"),
    ];
    let response = app.submit(&page, &page, &wrong).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    for field in ["base_amount", "base_period", "decide_by"] {
        assert!(html.contains(&format!("id=\"{field}-error\"")), "{field}: {html}");
    }
    assert!(html.contains("value=\"lots\"") && html.contains("value=\"EURO\"") && html.contains("value=\"someday\""));
    assert!(html.contains("30 days of holiday"), "the benefits typed are kept");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM offers").await, 0, "nothing saved");

    // As people type it: a symbol, thousands, a date in words.
    let offer = [
        ("base_amount", "€95,000"),
        ("base_currency", ""),
        ("base_period", "year"),
        ("bonus", "10%"),
        ("equity", "0.1% over 4 years"),
        ("starts_on", "1 March 2027"),
        ("decide_by", "2027-01-15"),
        ("benefits", "30 days of holiday"),
    ];
    let response = app.submit(&page, &page, &offer).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), format!("{show}?notice=offer_saved_moved#offer"));
    let status = app.scalar_text(&format!("SELECT status FROM opportunities WHERE id = '{opportunity}'")).await;
    assert_eq!(status, "offer", "recording the offer moved it along");
    let (_, html) = app.get_text(&format!("{show}?notice=offer_saved_moved")).await;
    assert!(html.contains("the opportunity moved to Offer"), "the page says so");
    assert!(html.contains("95,000 EUR a year"), "{html}");
    assert!(html.contains("104,500 EUR"), "base and a 10% bonus for the first year");
    assert!(html.contains("0.1% over 4 years") && html.contains("30 days of holiday"));
    let mut kinds: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM opportunity_events WHERE opportunity_id = $1 ORDER BY occurred_at, id")
            .bind(&opportunity)
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    kinds.sort();
    assert_eq!(kinds, ["created", "offer_recorded", "status_changed"]);
    assert!(html.contains("Offer recorded") && html.contains("Interviewing → Offer"), "on the timeline");

    // Editing replaces it: one offer, the form filled with it, no second move.
    let (_, form) = app.get_text(&page).await;
    assert!(form.contains("value=\"95000\"") && form.contains("value=\"EUR\"") && form.contains("Edit the offer"));
    assert!(!form.contains("Saving moves this opportunity"));
    let edited = [("base_amount", "100000"), ("base_currency", "EUR"), ("base_period", "year"), ("bonus", "")];
    let response = app.submit(&page, &page, &edited).await;
    assert_eq!(location(&response), format!("{show}?notice=offer_saved#offer"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM offers").await, 1);
    let (_, html) = app.get_text(&show).await;
    assert!(html.contains("100,000 EUR a year"));
    assert!(html.contains("Offer changed"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM opportunity_events WHERE kind = 'status_changed'").await, 1);

    // The API reads and replaces the same offer; removing it leaves the status as it is.
    let token = crate::api::create_token(&app, "Offers").await;
    let api = reqwest::Client::new();
    let url = app.url(&format!("/api/v1/opportunities/{opportunity}/offer"));
    let read: Value = api.get(&url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!((read["base_amount"].as_i64(), read["base_period"].as_str()), (Some(100_000), Some("year")));
    let put = api
        .put(&url)
        .bearer_auth(&token)
        .json(&json!({"base_amount": 8000, "base_currency": "gbp", "base_period": "month"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let put: Value = put.json().await.unwrap();
    assert_eq!((put["base_currency"].as_str(), put["bonus"].as_str()), (Some("GBP"), Some("")), "a PUT replaces all");
    let refused = api.put(&url).bearer_auth(&token).json(&json!({"decide_by": "2027-02-30"})).send().await.unwrap();
    assert_eq!(refused.status(), 422);
    let refused: Value = refused.json().await.unwrap();
    assert!(refused["error"]["fields"]["decide_by"].is_string());
    assert_eq!(api.delete(&url).bearer_auth(&token).send().await.unwrap().status(), 204);
    assert_eq!(api.get(&url).bearer_auth(&token).send().await.unwrap().status(), 404);
    let status = app.scalar_text(&format!("SELECT status FROM opportunities WHERE id = '{opportunity}'")).await;
    assert_eq!(status, "offer");
}

async fn open_offers_in_different_currencies_are_compared_side_by_side_and_never_added(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let (_, jobs) = app.get_text("/jobs").await;
    assert!(jobs.contains("href=\"/offers\""), "the job search links to the comparison");
    let (_, empty) = app.get_text("/offers").await;
    assert!(empty.contains("No open offers yet"));

    let mut ids = Vec::new();
    for (company, status, offer) in [
        (
            "Acme",
            "interviewing",
            [
                ("base_amount", "95000"),
                ("base_currency", "EUR"),
                ("base_period", "year"),
                ("bonus", "10%"),
                ("decide_by", "2099-01-15"),
            ],
        ),
        (
            "Globex",
            "offer",
            [
                ("base_amount", "6000"),
                ("base_currency", "GBP"),
                ("base_period", "month"),
                ("bonus", "£5k sign-on"),
                ("decide_by", "2001-01-15"),
            ],
        ),
        (
            "Initech",
            "offer",
            [
                ("base_amount", "60"),
                ("base_currency", "USD"),
                ("base_period", "hour"),
                ("bonus", ""),
                ("decide_by", ""),
            ],
        ),
        (
            "Umbrella",
            "offer",
            [
                ("base_amount", "90000"),
                ("base_currency", "EUR"),
                ("base_period", "year"),
                ("bonus", ""),
                ("decide_by", ""),
            ],
        ),
        (
            "Hooli",
            "offer",
            [
                ("base_amount", "500000"),
                ("base_currency", "EUR"),
                ("base_period", "year"),
                ("bonus", ""),
                ("decide_by", ""),
            ],
        ),
        (
            "Pied Piper",
            "offer",
            [
                ("base_amount", "400000"),
                ("base_currency", "EUR"),
                ("base_period", "year"),
                ("bonus", ""),
                ("decide_by", ""),
            ],
        ),
    ] {
        let id = add_opportunity(&app, company, status).await;
        let page = format!("/opportunities/{id}/offer");
        assert_eq!(app.submit(&page, &page, &offer).await.status(), 303, "{company}");
        ids.push(id);
    }
    // Two of them ended: declined (withdrawn) and rejected.
    for (id, status) in [(&ids[4], "withdrawn"), (&ids[5], "rejected")] {
        let page = format!("/opportunities/{id}");
        assert_eq!(app.submit(&page, &format!("{page}/status"), &[("status", status)]).await.status(), 303);
    }

    let (status, html) = app.get_text("/offers").await;
    assert_eq!(status, 200);
    let table = html.split("<table").nth(1).expect("a comparison table").to_owned();
    for company in ["Acme", "Globex", "Initech", "Umbrella"] {
        assert!(table.contains(company), "{company} is compared");
    }
    assert!(!html.contains("Hooli") && !html.contains("Pied Piper"), "ended offers are not open");
    assert!(table.contains("<th scope=\"col\"") && table.contains("<th scope=\"row\">Base salary</th>"));
    assert!(
        table.contains("95,000 EUR a year") && table.contains("6,000 GBP a month") && table.contains("60 USD an hour")
    );
    assert!(table.contains("104,500 EUR"), "EUR base and 10%");
    assert!(table.contains("77,000 GBP"), "twelve months and a bonus in the same currency");
    assert!(table.contains("124,800 USD") && table.contains("2080 hours"), "an hourly rate, with its assumption");
    assert!(table.contains("Highest in EUR"), "the best of the offers sharing a currency");
    assert_eq!(table.matches("Highest in").count(), 1, "no currency is compared with another");
    // Never a sum across currencies: 104,500 + 77,000 + 124,800 + 90,000 and its pairs appear nowhere.
    for sum in ["396,300", "181,500", "229,300", "201,800", "194,500", "167,000", "214,800"] {
        assert!(!html.contains(sum), "{sum} would add different currencies");
    }
    assert!(html.contains("3 currencies") && html.contains("never converted or added together"));
    assert!(table.contains("(passed)") && table.contains("days)"), "deadlines say how long is left");
    assert!(html.contains("class=\"card table-wrap offers-compare\" role=\"region\""), "scrolls sideways on a phone");

    // Two chosen: only those two are columns.
    let (_, html) = app.get_text(&format!("/offers?compare={}&compare={}", ids[1], ids[2])).await;
    let table = html.split("<table").nth(1).unwrap().to_owned();
    assert!(table.contains("Globex") && table.contains("Initech"));
    assert!(!table.contains("Acme") && !table.contains("Umbrella"));
    assert!(html.contains(&format!("value=\"{}\" checked", ids[1])), "the choice is kept");
    assert!(!table.contains("Highest in"), "one offer a currency: nothing to rank");
    // One chosen is not a comparison: all are shown, and the page says why.
    let (_, html) = app.get_text(&format!("/offers?compare={}", ids[1])).await;
    assert!(html.contains("Choose at least two offers"));
    assert!(html.split("<table").nth(1).unwrap().contains("Acme"));
    // Someone else's id among the chosen is ignored.
    let (status, _) = app.get_text(&format!("/offers?compare={}&compare=not-an-id", ids[4])).await;
    assert_eq!(status, 200);
}

/// Uploads that race for an opportunity's last places: each counts what is there while the
/// opportunity is held, so exactly as many as fit are kept (on PostgreSQL, without the hold,
/// each would count 48 and all six would be saved); the others are told why, their files not
/// kept.
async fn uploads_at_the_same_moment_never_take_an_opportunity_past_its_fifty_documents(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let opportunity = add_opportunity(&app, "Acme", "applied").await;
    let user: String = app.scalar_text("SELECT id FROM users").await;
    for n in 0..48 {
        sqlx::query(
            "INSERT INTO uploads (id, user_id, purpose, opportunity_id, document_kind, note, storage_key, content_type,
                     byte_size, width, height, original_name, alt_text, created_at)
             VALUES ($1, $2, 'opportunity_document', $3, 'other', '', $4, 'application/pdf', 10, 0, 0, 'a.pdf', '', 1)",
        )
        .bind(format!("00000000-0000-7000-8000-{n:012}"))
        .bind(&user)
        .bind(&opportunity)
        .bind(format!("u/{user}/seeded-{n}.pdf"))
        .execute(app.state.db.pool())
        .await
        .unwrap();
    }
    let names: Vec<String> = (0..6).map(|n| format!("race-{n}.pdf")).collect();
    let uploads = names.iter().map(|name| attach(&app, &opportunity, "other", "", name, pdf()));
    let statuses: Vec<u16> = futures::future::join_all(uploads).await.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 2, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 422).count(), 4, "{statuses:?}");
    assert_eq!(documents(&app, &opportunity).await.len(), 50);
}
