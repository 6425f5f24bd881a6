//! A resume tailored to each application (issue 19, item 3): Ada makes versions of her resume
//! for one opportunity — from its job description's keywords, from a label — adjusts what goes
//! in while the keyword coverage says what the posting asks for and what the version misses,
//! previews it privately, downloads it as PDF and Word, and marks it sent: the timeline says so
//! and the exact document sent can be downloaded again after her records change. Grace sees
//! none of it. (Promises 19 and 20 for these tables are in `user_data`.)

use std::io::Read;

use serde_json::{json, Value};

use fantoccini::{Client, Locator};

use crate::browser::{click, downloaded, see, sign_in, start_browser, wait_until};
use crate::career::{api_for, csrf_of, post_form, Api};
use crate::on_both_databases;
use crate::support::{location, TestApp};

on_both_databases!(
    a_version_from_the_job_description_picks_the_records_naming_its_keywords_and_shows_coverage,
    a_version_from_a_label_is_adjusted_and_previewed_privately_with_only_its_records,
    the_pdf_and_word_documents_hold_the_chosen_records_and_not_the_others,
    marking_a_version_sent_goes_on_the_timeline_and_keeps_exactly_what_was_sent,
    mistakes_answer_422_with_their_messages_and_change_nothing,
    another_user_gets_404_for_every_route_of_my_versions_and_every_post_needs_the_csrf_token,
    deleting_the_opportunity_deletes_its_versions_and_what_was_sent,
    a_tailored_resume_journey_in_a_real_browser,
);

const POSTING: &str = "We are hiring a Staff Engineer for our payments platform.\n\
Requirements:\n\
- Deep experience with Rust and PostgreSQL.\n\
- Running services on Kubernetes with Terraform.\n\
- You care about observability and observability tooling.";

/// Ada's career record and an opportunity at Acme, with the ids the tests tick.
struct Ada {
    api: Api,
    password: &'static str,
    opportunity: String,
    principal: String,
    designer: String,
    hidden: String,
    planner: String,
    sketchbook: String,
    rust: String,
    figma: String,
    university: String,
    cka: String,
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

async fn ada(app: &TestApp) -> Ada {
    let password = app.signed_up_user("ada@example.com").await;
    let api = api_for(app).await;
    api.patch(
        "/profile",
        json!({"display_name": "Ada Lovelace", "job_title": "Software engineer", "email": "ada@example.org"}),
    )
    .await;
    let principal = id(&api
        .create(
            "/experiences",
            json!({"role": "Principal Engineer", "company": "Analytical Engines", "start_date": "2019-03", "current": true,
                   "highlights": ["Cut p99 latency by 7x with Rust", "Led six engineers", "Rolled out observability dashboards"],
                   "labels": ["Backend"]}),
        )
        .await);
    let designer = id(&api
        .create(
            "/experiences",
            json!({"role": "Designer", "company": "Difference Works", "start_date": "2015", "end_date": "2019-02",
                   "description": "Brand identity work.", "highlights": ["Redesigned the logo"]}),
        )
        .await);
    let hidden = id(&api
        .create(
            "/experiences",
            json!({"role": "Hidden role", "company": "Old Place", "start_date": "2010", "end_date": "2011",
                   "description": "Kubernetes migrations.", "on_resume": false}),
        )
        .await);
    let planner = id(&api
        .create(
            "/projects",
            json!({"name": "Planner", "description": "A cost-based planner for PostgreSQL.", "labels": ["Backend"]}),
        )
        .await);
    let sketchbook = id(&api.create("/projects", json!({"name": "Sketchbook", "description": "Drawings."})).await);
    let rust =
        id(&api.create("/skills", json!({"name": "Rust", "category": "Languages", "labels": ["Backend"]})).await);
    let figma = id(&api.create("/skills", json!({"name": "Figma", "category": "Design"})).await);
    let university =
        id(&api.create("/education", json!({"institution": "University of London", "area": "Mathematics"})).await);
    let cka = id(&api
        .create("/certifications", json!({"name": "Certified Kubernetes Administrator", "issuer": "CNCF"}))
        .await);
    let opportunity = id(&api
        .create("/opportunities", json!({"company": "Acme", "role": "Staff Engineer", "description": POSTING}))
        .await);
    Ada { api, password, opportunity, principal, designer, hidden, planner, sketchbook, rust, figma, university, cka }
}

/// Start a version from the opportunity's page; the chooser's address.
async fn start_version(app: &TestApp, opportunity: &str, fields: &[(&str, &str)]) -> String {
    let page = format!("/opportunities/{opportunity}/resumes/new");
    let response = app.submit(&page, &format!("/opportunities/{opportunity}/resumes"), fields).await;
    let (status, to) = (response.status(), location(&response));
    assert_eq!(status, 303, "{fields:?}: {}", response.text().await.unwrap());
    let (path, query) = to.split_once('?').unwrap();
    assert_eq!(query, "notice=saved");
    assert!(path.starts_with(&format!("/opportunities/{opportunity}/resumes/")), "{to}");
    path.to_owned()
}

async fn page(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8", "GET {path}");
    response.text().await.unwrap()
}

/// Whether the chooser's box `value` of `field` is ticked.
fn ticked(html: &str, field: &str, value: &str) -> bool {
    let boxed = format!(r#"name="{field}" value="{value}""#);
    let at = html.find(&boxed).unwrap_or_else(|| panic!("no box {field}={value} on the page"));
    html[at + boxed.len()..].starts_with(" checked")
}

/// The keywords shown as covered (`success`) or missing (`warning`).
fn chips(html: &str, kind: &str) -> Vec<String> {
    let re = regex::Regex::new(&format!(r#"<li class="chip chip-{kind}" data-keyword="\d+">([^<]*)</li>"#)).unwrap();
    re.captures_iter(html).map(|c| c[1].to_owned()).collect()
}

fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a .docx is a zip");
    let mut text = String::new();
    archive.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

async fn download(app: &TestApp, path: &str) -> (String, String, Vec<u8>) {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    (content_type, disposition, response.bytes().await.unwrap().to_vec())
}

fn pdf_text(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF-"));
    careerlog::resume::extract_text(bytes, "resume.pdf", Some("application/pdf")).unwrap().text()
}

/// The version's row as stored: its name and choice.
async fn stored(app: &TestApp, version_path: &str) -> (String, String) {
    let version = version_path.rsplit('/').next().unwrap();
    sqlx::query_as("SELECT name, chosen FROM resume_versions WHERE id = $1")
        .bind(version)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

async fn a_version_from_the_job_description_picks_the_records_naming_its_keywords_and_shows_coverage(app: TestApp) {
    let ada = ada(&app).await;
    let opportunity_page = page(&app, &format!("/opportunities/{}", ada.opportunity)).await;
    assert!(opportunity_page.contains("Tailored resumes") && opportunity_page.contains("Tailor a resume"));
    // The form offers a name and starts from the description, which this opportunity has.
    let new = page(&app, &format!("/opportunities/{}/resumes/new", ada.opportunity)).await;
    assert!(new.contains(r#"value="Resume for Acme — Staff Engineer""#), "the suggested name");
    assert!(new.contains(r#"value="description" checked"#));

    let version = start_version(
        &app,
        &ada.opportunity,
        &[("name", "Resume for Acme — Staff Engineer"), ("start", "description"), ("label", "")],
    )
    .await;
    let html = page(&app, &version).await;
    // The records on her resume that name Rust, PostgreSQL, Kubernetes or observability.
    assert!(ticked(&html, "experience", &ada.principal));
    assert!(ticked(&html, "highlight", &format!("{}:0", ada.principal)), "names Rust");
    assert!(!ticked(&html, "highlight", &format!("{}:1", ada.principal)), "names nothing asked for");
    assert!(ticked(&html, "highlight", &format!("{}:2", ada.principal)), "names observability");
    assert!(!ticked(&html, "experience", &ada.designer));
    assert!(!ticked(&html, "experience", &ada.hidden), "kept off her resume, though it names Kubernetes");
    assert!(html.contains("off your resume"), "offered all the same, and said so");
    assert!(ticked(&html, "project", &ada.planner) && !ticked(&html, "project", &ada.sketchbook));
    assert!(ticked(&html, "skill", &ada.rust) && !ticked(&html, "skill", &ada.figma));
    assert!(ticked(&html, "certification", &ada.cka));
    assert!(!ticked(&html, "education", &ada.university));
    // What the posting asks for, and what this version misses.
    assert_eq!(chips(&html, "success"), ["Rust", "PostgreSQL", "Kubernetes", "observability"]);
    assert_eq!(chips(&html, "warning"), ["Terraform"]);
    assert!(html.contains("<strong><span data-coverage-count>4</span> of 5</strong> keywords"), "{html}");
    // Each box says which keywords its record names, so the coverage follows the ticks at once.
    assert!(html.contains(&format!(
        r#"value="{}:2" checked data-names="4" data-parent="experience-{}""#,
        ada.principal, ada.principal
    )));
    // It is listed on the opportunity's page.
    let opportunity_page = page(&app, &format!("/opportunities/{}", ada.opportunity)).await;
    assert!(opportunity_page.contains(&format!(r#"<a href="{version}">Resume for Acme — Staff Engineer</a>"#)));
}

/// The label version, adjusted: Planner and "Led six engineers" out, the designer role and the
/// degree in.
async fn adjusted_label_version(app: &TestApp, ada: &Ada) -> String {
    let version =
        start_version(app, &ada.opportunity, &[("name", "Backend resume"), ("start", "label"), ("label", "Backend")])
            .await;
    let html = page(app, &version).await;
    for (field, value) in [
        ("experience", ada.principal.clone()),
        ("highlight", format!("{}:0", ada.principal)),
        ("highlight", format!("{}:1", ada.principal)),
        ("highlight", format!("{}:2", ada.principal)),
        ("project", ada.planner.clone()),
        ("skill", ada.rust.clone()),
    ] {
        assert!(ticked(&html, field, &value), "{field} {value} carries the label");
    }
    for (field, value) in [("experience", &ada.designer), ("project", &ada.sketchbook), ("skill", &ada.figma)] {
        assert!(!ticked(&html, field, value), "{field} {value} does not");
    }
    assert_eq!(chips(&html, "warning"), ["Kubernetes", "Terraform"]);

    let csrf = csrf_of(app).await;
    let (first, third, logo) =
        (format!("{}:0", ada.principal), format!("{}:2", ada.principal), format!("{}:0", ada.designer));
    let fields = [
        ("name", "Resume for Acme — adjusted"),
        ("experience", ada.principal.as_str()),
        ("highlight", first.as_str()),
        ("highlight", third.as_str()),
        ("experience", ada.designer.as_str()),
        ("highlight", logo.as_str()),
        ("skill", ada.rust.as_str()),
        ("education", ada.university.as_str()),
    ];
    let response = post_form(app, &version, Some(&csrf), &fields).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), format!("{version}?notice=saved#coverage"));
    version
}

async fn a_version_from_a_label_is_adjusted_and_previewed_privately_with_only_its_records(app: TestApp) {
    let ada = ada(&app).await;
    let version = adjusted_label_version(&app, &ada).await;
    let html = page(&app, &format!("{version}?notice=saved")).await;
    assert!(html.contains("Saved."));
    assert!(html.contains("<h1>Resume for Acme — adjusted</h1>"));
    assert!(!ticked(&html, "project", &ada.planner) && ticked(&html, "education", &ada.university));
    assert!(!ticked(&html, "highlight", &format!("{}:1", ada.principal)));
    // The coverage follows the choice: Planner was the one record naming PostgreSQL.
    assert_eq!(chips(&html, "success"), ["Rust", "observability"]);
    assert_eq!(chips(&html, "warning"), ["PostgreSQL", "Kubernetes", "Terraform"]);

    let response = app.get(&format!("{version}/preview")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-robots-tag"], "noindex, nofollow");
    let preview = response.text().await.unwrap();
    assert!(preview.contains("Private preview of the version for Staff Engineer at Acme"));
    assert!(preview.contains(r#"<meta name="robots" content="noindex, nofollow">"#));
    assert!(preview.contains("ada@example.org"), "every contact detail, as the documents have");
    for chosen in [
        "Principal Engineer",
        "Cut p99 latency by 7x with Rust",
        "Rolled out observability dashboards",
        "Designer",
        "Redesigned the logo",
        "University of London",
        "Rust",
    ] {
        assert!(preview.contains(chosen), "{chosen} in the preview");
    }
    for left_out in ["Led six engineers", "Planner", "Sketchbook", "Hidden role", "Figma", "Certified Kubernetes"] {
        assert!(!preview.contains(left_out), "{left_out} not in the preview");
    }
    // Nobody else sees it: a visitor is sent to sign in.
    let visitor = app.new_browser().get(app.url(&format!("{version}/preview"))).send().await.unwrap();
    assert_ne!(visitor.status(), 200);
    assert!(!visitor.text().await.unwrap().contains("Redesigned the logo"));
}

async fn the_pdf_and_word_documents_hold_the_chosen_records_and_not_the_others(app: TestApp) {
    let ada = ada(&app).await;
    let version = adjusted_label_version(&app, &ada).await;
    let chosen =
        ["Principal Engineer", "Rolled out observability dashboards", "Redesigned the logo", "University of London"];
    let left_out = ["Led six engineers", "Planner", "Sketchbook", "Hidden role", "Figma", "Certified Kubernetes"];

    let (content_type, disposition, pdf) = download(&app, &format!("{version}/download/pdf")).await;
    assert_eq!(content_type, "application/pdf");
    assert_eq!(disposition, r#"attachment; filename="resume-for-acme-adjusted.pdf""#);
    let text = pdf_text(&pdf);
    for expected in chosen {
        assert!(text.contains(expected), "{expected:?} missing from the PDF:\n{text}");
    }
    for absent in left_out {
        assert!(!text.contains(absent), "{absent:?} in the PDF:\n{text}");
    }

    let (content_type, _, docx) = download(&app, &format!("{version}/download/docx")).await;
    assert_eq!(content_type, "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    let document = zip_entry(&docx, "word/document.xml");
    for expected in chosen {
        assert!(document.contains(expected), "{expected:?} missing from word/document.xml");
    }
    for absent in left_out {
        assert!(!document.contains(absent), "{absent:?} in word/document.xml");
    }

    let (_, _, json) = download(&app, &format!("{version}/download/json")).await;
    let resume: Value = serde_json::from_slice(&json).unwrap();
    let positions: Vec<&str> =
        resume["work"].as_array().unwrap().iter().map(|w| w["position"].as_str().unwrap()).collect();
    assert_eq!(positions, ["Principal Engineer", "Designer"]);
    assert_eq!(
        resume["work"][0]["highlights"],
        json!(["Cut p99 latency by 7x with Rust", "Rolled out observability dashboards"])
    );
    assert_eq!(app.get(&format!("{version}/download/exe")).await.status(), 404);
}

async fn marking_a_version_sent_goes_on_the_timeline_and_keeps_exactly_what_was_sent(app: TestApp) {
    let ada = ada(&app).await;
    let version = adjusted_label_version(&app, &ada).await;
    let response = app.submit(&version, &format!("{version}/sent"), &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), format!("{version}?notice=resume_sent#sent"));
    let html = page(&app, &format!("{version}?notice=resume_sent")).await;
    assert!(html.contains("Marked as sent"));

    // On the timeline, on the page and in the API.
    let opportunity_page = page(&app, &format!("/opportunities/{}", ada.opportunity)).await;
    assert!(opportunity_page.contains("Resume “Resume for Acme — adjusted” sent"), "{opportunity_page}");
    let (status, timeline) = ada.api.get(&format!("/opportunities/{}/timeline", ada.opportunity)).await;
    assert_eq!(status, 200);
    let sent: Vec<&Value> = timeline.as_array().unwrap().iter().filter(|e| e["kind"] == "resume_sent").collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["body"], "Resume for Acme — adjusted");
    let send = regex::Regex::new(r#"/sent-resumes/([0-9a-f-]{36})/download/pdf"#).unwrap().captures(&html).unwrap()[1]
        .to_owned();
    let sent_path = format!("/opportunities/{}/sent-resumes/{send}", ada.opportunity);

    // Her record changes after it was sent: the version shows the change, the copy does not.
    let (status, _) = ada
        .api
        .patch(
            &format!("/experiences/{}", ada.principal),
            json!({"role": "Distinguished Engineer", "highlights": ["Cut p99 latency by 9x with Rust", "Led six engineers",
                   "Rolled out observability dashboards"]}),
        )
        .await;
    assert_eq!(status, 200);
    let live = pdf_text(&download(&app, &format!("{version}/download/pdf")).await.2);
    assert!(live.contains("Distinguished Engineer") && !live.contains("Principal Engineer"), "{live}");
    assert!(!live.contains("7x") && !live.contains("9x"), "a highlight rewritten since is no longer the one chosen");
    let (content_type, disposition, copy) = download(&app, &format!("{sent_path}/download/pdf")).await;
    assert_eq!(content_type, "application/pdf");
    assert_eq!(disposition, r#"attachment; filename="resume-for-acme-adjusted-sent.pdf""#);
    let copy = pdf_text(&copy);
    assert!(copy.contains("Principal Engineer") && copy.contains("Cut p99 latency by 7x with Rust"), "{copy}");
    assert!(!copy.contains("Distinguished Engineer"));
    let document = zip_entry(&download(&app, &format!("{sent_path}/download/docx")).await.2, "word/document.xml");
    assert!(document.contains("Principal Engineer") && !document.contains("Distinguished Engineer"));
    let json: Value = serde_json::from_slice(&download(&app, &format!("{sent_path}/download/json")).await.2).unwrap();
    assert_eq!(json["work"][0]["position"], "Principal Engineer");

    // Sent again later: two sends, two lines on the timeline. Deleting the version keeps both.
    app.clock.advance(std::time::Duration::from_secs(3600));
    assert_eq!(app.submit(&version, &format!("{version}/sent"), &[]).await.status(), 303);
    let (_, timeline) = ada.api.get(&format!("/opportunities/{}/timeline", ada.opportunity)).await;
    assert_eq!(timeline.as_array().unwrap().iter().filter(|e| e["kind"] == "resume_sent").count(), 2);
    let response = app.submit(&version, &format!("{version}/delete"), &[]).await;
    assert_eq!(location(&response), format!("/opportunities/{}?notice=deleted#resumes", ada.opportunity));
    assert_eq!(app.get(&version).await.status(), 404);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM resume_sends WHERE version_id IS NULL").await, 2);
    let again = pdf_text(&download(&app, &format!("{sent_path}/download/pdf")).await.2);
    assert!(again.contains("Cut p99 latency by 7x with Rust"));
    let opportunity_page = page(&app, &format!("/opportunities/{}", ada.opportunity)).await;
    assert!(
        opportunity_page.contains(&format!("{sent_path}/download/pdf")),
        "the copies are listed on the opportunity"
    );
}

async fn mistakes_answer_422_with_their_messages_and_change_nothing(app: TestApp) {
    let ada = ada(&app).await;
    let bare = id(&ada.api.create("/opportunities", json!({"company": "Initech", "role": "Engineer"})).await);
    let new_page = format!("/opportunities/{}/resumes/new", ada.opportunity);
    let create = format!("/opportunities/{}/resumes", ada.opportunity);
    let long_name = "N".repeat(201);
    let bare_action = format!("/opportunities/{bare}/resumes");
    for (action, fields, message) in [
        (create.as_str(), vec![("name", ""), ("start", "everything")], "Enter a name for this version."),
        (create.as_str(), vec![("name", long_name.as_str()), ("start", "everything")], "At most 200 characters"),
        (create.as_str(), vec![("name", "Mine"), ("start", "label"), ("label", "")], "Choose the label whose records"),
        (
            create.as_str(),
            vec![("name", "Mine"), ("start", "label"), ("label", "Nope")],
            "You have no label with this name.",
        ),
        (create.as_str(), vec![("name", "Mine"), ("start", "astrology")], "Choose what to start from."),
        (bare_action.as_str(), vec![("name", "Mine"), ("start", "description")], "The job description has no keywords"),
    ] {
        let response = app.submit(&new_page, action, &fields).await;
        assert_eq!(response.status(), 422, "{fields:?}");
        let html = response.text().await.unwrap();
        assert!(html.contains(message), "{message:?} for {fields:?}");
        assert!(html.contains(r#"class="field-error""#), "beside the field");
        let typed = fields[0].1;
        assert!(html.contains(&format!(r#"value="{typed}""#)), "what was typed is kept");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM resume_versions").await, 0, "nothing made");

    // Grace's skill, a made-up id, a highlight that is not there, an oversized name.
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let graces_skill = id(&api_for(&app).await.create("/skills", json!({"name": "COBOL"})).await);
    app.sign_out().await;
    app.sign_in("ada@example.com", ada.password).await;
    let version = start_version(&app, &ada.opportunity, &[("name", "Kept"), ("start", "everything")]).await;
    let before = stored(&app, &version).await;
    let csrf = csrf_of(&app).await;
    let made_up = "0190c2a4-0000-7000-8000-000000000000";
    let highlight = format!("{}:7", ada.principal);
    for (fields, field, message) in [
        (
            vec![("name", "Mine"), ("skill", graces_skill.as_str())],
            "records",
            "1 of the chosen entries is not among your records",
        ),
        (
            vec![("name", "Mine"), ("skill", made_up), ("project", made_up)],
            "records",
            "2 of the chosen entries are not",
        ),
        (vec![("name", "Mine"), ("highlight", highlight.as_str())], "records", "1 of the chosen entries is not"),
        (vec![("name", long_name.as_str()), ("skill", ada.figma.as_str())], "name", "At most 200 characters"),
        (vec![("name", " "), ("skill", ada.figma.as_str())], "name", "Enter a name for this version."),
    ] {
        let response = post_form(&app, &version, Some(&csrf), &fields).await;
        assert_eq!(response.status(), 422, "{fields:?}");
        let html = response.text().await.unwrap();
        assert!(html.contains(&format!(r#"<p class="field-error" id="{field}-error""#)), "{field} for {fields:?}");
        assert!(html.contains(message), "{message:?} for {fields:?}");
        assert!(html.contains("Nothing was saved"));
        // The boxes as ticked, the name as typed.
        assert!(ticked(&html, "skill", &ada.figma) == fields.iter().any(|(_, v)| *v == ada.figma));
        assert!(!ticked(&html, "experience", &ada.principal), "as sent back, not as saved");
        assert!(html.contains(&format!(r#"value="{}""#, fields[0].1.trim())) || fields[0].1.trim().is_empty());
        assert_eq!(stored(&app, &version).await, before, "the version is unchanged");
    }
    let too_many: Vec<(String, String)> = (0..5001).map(|i| ("skill".to_owned(), format!("s{i}"))).collect();
    let mut fields: Vec<(&str, &str)> = vec![("name", "Mine")];
    fields.extend(too_many.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let response = post_form(&app, &version, Some(&csrf), &fields).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("A version holds at most 5000 entries."));
    assert_eq!(stored(&app, &version).await, before);
}

async fn another_user_gets_404_for_every_route_of_my_versions_and_every_post_needs_the_csrf_token(app: TestApp) {
    let ada = ada(&app).await;
    let version = start_version(&app, &ada.opportunity, &[("name", "Ada's own"), ("start", "everything")]).await;
    assert_eq!(app.submit(&version, &format!("{version}/sent"), &[]).await.status(), 303);
    let send: String = app.scalar_text("SELECT id FROM resume_sends").await;
    let before = stored(&app, &version).await;
    let o = &ada.opportunity;
    let v = version.rsplit('/').next().unwrap().to_owned();

    // Every form post without the token, with an empty one or with another visitor's, is
    // refused, and changes nothing.
    let stranger = app.new_browser();
    let html = stranger.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let foreign = crate::support::csrf_token_in(&html).unwrap();
    let posts = [
        format!("/opportunities/{o}/resumes"),
        version.clone(),
        format!("{version}/sent"),
        format!("{version}/delete"),
    ];
    for route in &posts {
        for token in [None, Some(""), Some(foreign.as_str())] {
            let response = post_form(&app, route, token, &[("name", "Forged"), ("start", "everything")]).await;
            assert_eq!(response.status(), 403, "POST {route} with {token:?}");
        }
    }
    assert_eq!(stored(&app, &version).await, before);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM resume_versions").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM resume_sends").await, 1);

    // Grace, signed in with her own opportunity, finds nothing of Ada's.
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let grace = api_for(&app).await;
    let hers =
        id(&grace.create("/opportunities", json!({"company": "Globex", "role": "CTO", "description": POSTING})).await);
    let gets = [
        format!("/opportunities/{o}/resumes/new"),
        version.clone(),
        format!("{version}/preview"),
        format!("{version}/download/pdf"),
        format!("{version}/download/docx"),
        format!("{version}/download/json"),
        format!("/opportunities/{o}/sent-resumes/{send}/download/pdf"),
        format!("/opportunities/{o}/sent-resumes/{send}/download/json"),
        // Her own opportunity with Ada's version or send.
        format!("/opportunities/{hers}/resumes/{v}"),
        format!("/opportunities/{hers}/resumes/{v}/download/pdf"),
        format!("/opportunities/{hers}/sent-resumes/{send}/download/pdf"),
        format!("/opportunities/{hers}/resumes/not-an-id"),
    ];
    for route in &gets {
        let (status, body) = app.get_text(route).await;
        assert_eq!(status, 404, "GET {route}");
        assert!(!body.contains("Ada's own"));
    }
    let csrf = csrf_of(&app).await;
    let mut forged = posts.to_vec();
    forged.extend([
        format!("/opportunities/{hers}/resumes/{v}"),
        format!("/opportunities/{hers}/resumes/{v}/sent"),
        format!("/opportunities/{hers}/resumes/{v}/delete"),
    ]);
    for route in &forged {
        let response = post_form(&app, route, Some(&csrf), &[("name", "Stolen"), ("start", "everything")]).await;
        assert_eq!(response.status(), 404, "POST {route}");
    }
    assert_eq!(stored(&app, &version).await, before, "Ada's version is unchanged");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM resume_versions").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM resume_sends").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM opportunity_events WHERE kind = 'resume_sent'").await, 1);
}

async fn deleting_the_opportunity_deletes_its_versions_and_what_was_sent(app: TestApp) {
    let ada = ada(&app).await;
    let other = id(&ada.api.create("/opportunities", json!({"company": "Initech", "role": "Engineer"})).await);
    for opportunity in [&ada.opportunity, &other] {
        let version = start_version(&app, opportunity, &[("name", "A version"), ("start", "everything")]).await;
        assert_eq!(app.submit(&version, &format!("{version}/sent"), &[]).await.status(), 303);
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM resume_versions").await, 2);
    assert_eq!(ada.api.delete(&format!("/opportunities/{}", ada.opportunity)).await, 204);
    let left = |table: &str| format!("SELECT COUNT(*) FROM {table} WHERE opportunity_id = '{}'", ada.opportunity);
    assert_eq!(app.scalar(&left("resume_versions")).await, 0);
    assert_eq!(app.scalar(&left("resume_sends")).await, 0);
    // The other opportunity's are untouched.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM resume_versions").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM resume_sends").await, 1);
}

/// In a real browser: tailor a resume from the opportunity's page, untick a record and watch the
/// coverage follow before saving (static/app.js), save, preview, download the PDF from the
/// preview and mark it sent.
async fn tailored_resume_journey(
    app: &TestApp,
    browser: &Client,
    ada: &Ada,
) -> Result<(), fantoccini::error::CmdError> {
    sign_in(app, browser, "ada@example.com", ada.password).await?;
    browser.goto(&app.url(&format!("/opportunities/{}", ada.opportunity))).await?;
    click(browser, &format!("a[href='/opportunities/{}/resumes/new']", ada.opportunity)).await?;
    see(browser, "Tailor a resume").await?;
    // The job description is where it starts, under the name offered.
    click(browser, "form[action$='/resumes'] button[type=submit]").await?;
    see(browser, "Keyword coverage").await?;
    let count = "document.querySelector('[data-coverage-count]').textContent";
    wait_until(browser, &format!("{count} === '4'")).await?;
    click(browser, &format!("#certification-{}", ada.cka)).await?;
    wait_until(browser, &format!("{count} === '3'")).await?;
    wait_until(browser, "document.querySelector('[data-coverage-list=missing]').textContent.includes('Kubernetes')")
        .await?;
    wait_until(browser, "!document.querySelector('[data-coverage-unsaved]').hidden").await?;
    // Saved, the server says the same.
    click(browser, "#choice-form button[type=submit]").await?;
    // The page it comes back to (the one before said "Saved." too: it was just made).
    wait_until(browser, "window.location.hash === '#coverage' && document.readyState === 'complete'").await?;
    see(browser, "Saved.").await?;
    let missing = browser.find(Locator::Css("[data-coverage-list=missing]")).await?.text().await?;
    assert!(missing.contains("Kubernetes") && missing.contains("Terraform"), "{missing}");

    click(browser, ".page-header a[href$='/preview']").await?;
    see(browser, "Private preview of the version for Staff Engineer at Acme").await?;
    assert!(!browser.source().await?.contains("Certified Kubernetes Administrator"));
    click(browser, ".preview-banner a[href$='/download/pdf']").await?;
    let pdf = downloaded(browser, "resume-for-acme-staff-engineer.pdf").await?;
    let text = pdf_text(&pdf);
    assert!(text.contains("Principal Engineer") && text.contains("Cut p99 latency by 7x with Rust"), "{text}");
    assert!(!text.contains("Certified Kubernetes") && !text.contains("Led six engineers"), "{text}");

    click(browser, ".preview-banner a.btn-primary").await?;
    click(browser, "form[action$='/sent'] button[type=submit]").await?;
    see(browser, "Marked as sent").await?;
    browser.goto(&app.url(&format!("/opportunities/{}", ada.opportunity))).await?;
    see(browser, "Resume “Resume for Acme — Staff Engineer” sent").await?;
    Ok(())
}

async fn a_tailored_resume_journey_in_a_real_browser(app: TestApp) {
    let ada = ada(&app).await;
    let Some((_driver, browser)) = start_browser().await else { return };
    let outcome = tailored_resume_journey(&app, &browser, &ada).await;
    crate::browser::finish(browser, outcome, "the tailored resume journey").await;
}
