//! The career record: experiences, skills, projects, achievements, education, certifications and
//! journal entries through
//! their pages and the JSON API; labels; Markdown in the journal; the profile.
//! Promises (SPEC §B) covered here: 8 (CSRF on every state change of the career record) and 18
//! (another user's ids answer 404 and nothing of theirs leaks).

use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_databases;
use crate::support::{browser, csrf_token_in, location, TestApp};

on_both_databases!(
    a_label_is_added_from_the_record_page,
    patch_with_null_clears_optional_fields_and_refuses_required_ones,
    enormous_label_lists_and_links_with_passwords_are_refused,
    every_kind_of_record_is_added_shown_edited_and_deleted_through_its_pages,
    every_kind_of_record_and_labels_are_managed_through_the_api,
    form_mistakes_are_explained_beside_the_field_and_what_was_typed_is_kept,
    api_mistakes_are_explained_as_json_and_never_fail_the_server,
    labels_group_records_and_filter_lists,
    journal_markdown_is_shown_without_scripts_or_dangerous_links,
    promise_18_another_user_gets_404_for_every_route_with_my_ids,
    the_profile_is_saved_and_usernames_are_checked,
    promise_8_every_career_form_post_without_the_csrf_token_is_refused,
);

/// Path and table of every kind of record.
const KINDS: [(&str, &str); 7] = [
    ("experiences", "experiences"),
    ("skills", "skills"),
    ("projects", "projects"),
    ("achievements", "achievements"),
    ("education", "education"),
    ("certifications", "certifications"),
    ("journal", "journal_entries"),
];

/// A form that is valid for every kind of record (each takes the fields it knows).
const VALID_FOR_EVERY_KIND: &[(&str, &str)] = &[
    ("role", "Hijacked"),
    ("company", "Hijacked Ltd"),
    ("start_date", "2020"),
    ("current", "on"),
    ("name", "Hijacked"),
    ("title", "Hijacked"),
    ("institution", "Hijacked University"),
    ("entry_date", "2024-01-01"),
    ("body", "Hijacked"),
];

// ---- helpers ----

/// A page that must answer 200.
pub(crate) async fn page(app: &TestApp, path: &str) -> String {
    let (status, html) = app.get_text(path).await;
    assert_eq!(status, 200, "GET {path}: {html}");
    html
}

/// Fill in `/{path}/new` and save; the new record's id.
pub(crate) async fn add(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> String {
    let response = app.submit(&format!("/{path}/new"), &format!("/{path}"), fields).await;
    let to = location(&response);
    let status = response.status();
    assert_eq!(status, 303, "adding to /{path} {fields:?}: {}", response.text().await.unwrap());
    let rest = to.strip_prefix(&format!("/{path}/")).unwrap_or_else(|| panic!("redirected to {to}"));
    let (id, query) = rest.split_once('?').unwrap_or_else(|| panic!("redirected to {to}"));
    assert_eq!(query, "notice=saved");
    id.to_owned()
}

/// Post a form with the given CSRF token (or none) as the signed-in browser.
pub(crate) async fn post_form(
    app: &TestApp,
    action: &str,
    csrf: Option<&str>,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = csrf.map(|t| vec![("_csrf", t)]).unwrap_or_default();
    form.extend_from_slice(fields);
    app.client.post(app.url(action)).form(&form).send().await.unwrap()
}

/// The signed-in browser's CSRF token, as its forms carry it.
pub(crate) async fn csrf_of(app: &TestApp) -> String {
    csrf_token_in(&page(app, "/labels").await).expect("a CSRF token in the labels form")
}

async fn text(app: &TestApp, sql: &str) -> String {
    sqlx::query_scalar::<_, String>(sql).fetch_one(app.state.db.pool()).await.expect(sql)
}

/// The message beside `field` on a form page.
pub(crate) fn field_error(field: &str, message: &str) -> String {
    format!(r#"<p class="field-error" id="{field}-error">{message}</p>"#)
}

/// The API as a script uses it, with a personal access token made in settings.
pub(crate) struct Api {
    client: reqwest::Client,
    base: String,
    token: String,
}

pub(crate) async fn api_for(app: &TestApp) -> Api {
    let response = app.submit("/settings/tokens", "/settings/tokens", &[("name", "Career sync script")]).await;
    assert_eq!(response.status(), 201);
    let html = response.text().await.unwrap();
    let token = regex::Regex::new(r#"id="new-token" class="token-value">(clg_[A-Za-z0-9_-]{43})<"#)
        .unwrap()
        .captures(&html)
        .expect("the new token is on the page")[1]
        .to_owned();
    Api { client: browser(), base: app.url("/api/v1"), token }
}

impl Api {
    /// Send a body as it is; the status and the JSON answer (`null` when empty). Never a 5xx
    /// but the deliberate ones.
    pub(crate) async fn raw(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Option<String>,
    ) -> (u16, Value) {
        let mut request = self.client.request(method.clone(), format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        // A 5xx is a server fault, except the two answers that name a service this instance
        // lacks or that failed (AI without a provider, or the provider's own failure).
        let deliberate = (status == 503 && text.contains(r#""code":"not_configured""#))
            || (status == 502 && text.contains(r#""code":"upstream_failed""#));
        assert!(status < 500 || deliberate, "{method} {path}: {status} {text}");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("{method} {path} answers JSON: {text}"))
        };
        (status, value)
    }

    /// Post a multipart form (an upload); the status and the JSON answer.
    pub(crate) async fn upload(&self, path: &str, form: reqwest::multipart::Form) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let deliberate = text.contains(r#""code":"not_configured""#) || text.contains(r#""code":"upstream_failed""#);
        assert!(status < 500 || deliberate, "POST {path}: {status} {text}");
        (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
    }

    /// A GET whose answer is not JSON to look into (a download): its text, after a 200.
    pub(crate) async fn get_text(&self, path: &str) -> String {
        let response = self.client.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await.unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.unwrap()
    }

    /// A download: its status, content type and bytes.
    pub(crate) async fn get_bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let response = self.client.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap_or_default().to_owned())
            .unwrap_or_default();
        (status, content_type, response.bytes().await.unwrap().to_vec())
    }

    pub(crate) async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        self.raw(method, path, body.map(|_| "application/json"), body.map(Value::to_string)).await
    }

    pub(crate) async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(&body)).await
    }

    pub(crate) async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::PATCH, path, Some(&body)).await
    }

    pub(crate) async fn delete(&self, path: &str) -> u16 {
        self.call(Method::DELETE, path, None).await.0
    }

    /// Create a record: 201, the record, and a Location header pointing at it.
    pub(crate) async fn create(&self, path: &str, body: Value) -> Value {
        let response =
            self.client.post(format!("{}{path}", self.base)).bearer_auth(&self.token).json(&body).send().await.unwrap();
        let status = response.status();
        let to = location(&response);
        let created: Value = response.json().await.unwrap();
        assert_eq!(status, 201, "POST {path} {body}: {created}");
        assert_eq!(to, format!("/api/v1{path}/{}", created["id"].as_str().unwrap()));
        created
    }

    /// Every record of every kind, and the labels: to compare before and after.
    async fn everything(&self) -> Vec<Value> {
        let mut all = Vec::new();
        for path in [
            "/experiences",
            "/skills",
            "/projects",
            "/achievements",
            "/education",
            "/certifications",
            "/journal",
            "/labels",
            "/profile",
        ] {
            let (status, body) = self.get(&format!("{path}?per_page=100")).await;
            assert_eq!(status, 200);
            all.push(body);
        }
        all
    }
}

fn label_names(record: &Value) -> Vec<&str> {
    record["labels"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect()
}

/// Every entry of `expected` is in `actual`.
fn assert_has(actual: &Value, expected: &Value, what: &str) {
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&actual[key], value, "{what}: {key} in {actual}");
    }
}

// ---- 1. pages ----

/// One record's life through its pages: added, shown, listed, edited, deleted.
struct PageStory<'a> {
    path: &'a str,
    table: &'a str,
    added: &'a [(&'a str, &'a str)],
    shown: &'a [&'a str],
    edited: &'a [(&'a str, &'a str)],
    shown_after_edit: &'a [&'a str],
    gone_after_edit: &'a [&'a str],
    /// A condition the edited row meets in the database.
    stored_after_edit: &'a str,
}

async fn live_through_pages(app: &TestApp, story: &PageStory<'_>) {
    let (path, table) = (story.path, story.table);
    let blank = page(app, &format!("/{path}/new")).await;
    assert!(blank.contains(&format!(r#"action="/{path}""#)), "/{path}/new has the form");

    let id = add(app, path, story.added).await;
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM {table} WHERE id = '{id}'")).await, 1);
    let shown = page(app, &format!("/{path}/{id}?notice=saved")).await;
    for text in story.shown {
        assert!(shown.contains(text), "/{path}/{id} shows {text:?}:\n{shown}");
    }
    let list = page(app, &format!("/{path}")).await;
    assert!(list.contains(&format!(r#"href="/{path}/{id}""#)) && list.contains(story.shown[0]), "/{path} lists it");

    let form = page(app, &format!("/{path}/{id}/edit")).await;
    assert!(form.contains(&format!(r#"action="/{path}/{id}""#)));
    assert!(form.contains(&format!(r#"value="{}""#, story.added[0].1)), "the edit form is filled in:\n{form}");
    let edited = app.submit(&format!("/{path}/{id}/edit"), &format!("/{path}/{id}"), story.edited).await;
    assert_eq!(edited.status(), 303, "editing /{path}/{id}");
    assert_eq!(location(&edited), format!("/{path}/{id}?notice=saved"));
    let condition = story.stored_after_edit;
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM {table} WHERE id = '{id}' AND {condition}")).await,
        1,
        "after the edit: {condition}"
    );
    let shown = page(app, &format!("/{path}/{id}")).await;
    for text in story.shown_after_edit {
        assert!(shown.contains(text), "/{path}/{id} shows {text:?} after the edit:\n{shown}");
    }
    for text in story.gone_after_edit {
        assert!(!shown.contains(text), "/{path}/{id} no longer shows {text:?}");
    }

    // The × on a label chip takes that label off.
    let chip = regex::Regex::new(&format!(r#"action="(/{path}/{id}/labels/[0-9a-f-]{{36}}/remove)""#)).unwrap();
    if let Some(remove) = chip.captures(&shown).map(|c| c[1].to_owned()) {
        let count = format!("SELECT COUNT(*) FROM record_labels WHERE record_id = '{id}'");
        let before = app.scalar(&count).await;
        let removed = app.submit(&format!("/{path}/{id}"), &remove, &[]).await;
        assert_eq!(location(&removed), format!("/{path}/{id}?notice=label_removed#labels"));
        assert_eq!(app.scalar(&count).await, before - 1, "{remove}");
        assert!(!page(app, &format!("/{path}/{id}")).await.contains(&remove));
    }

    let deleted = app.submit(&format!("/{path}/{id}"), &format!("/{path}/{id}/delete"), &[]).await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(location(&deleted), format!("/{path}?notice=deleted"));
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM {table} WHERE id = '{id}'")).await, 0);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM record_labels WHERE record_id = '{id}'")).await, 0);
    assert_eq!(app.get(&format!("/{path}/{id}")).await.status(), 404);
    assert!(!page(app, &format!("/{path}?notice=deleted")).await.contains(&format!(r#"href="/{path}/{id}""#)));
}

async fn every_kind_of_record_is_added_shown_edited_and_deleted_through_its_pages(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let contoso = add(
        &app,
        "experiences",
        &[("role", "Platform Lead"), ("company", "Contoso"), ("start_date", "2017-01"), ("end_date", "2019-03")],
    )
    .await;
    let contoso_link = format!(r#"href="/experiences/{contoso}""#);

    let stories = [
        PageStory {
            path: "experiences",
            table: "experiences",
            added: &[
                ("role", "Staff Engineer"),
                ("company", "Northwind Traders"),
                ("location", "Leeds, UK"),
                ("start_date", "2019-04"),
                ("end_date", "2023-08"),
                ("description", "Led the payments platform team."),
                ("highlights", "Cut checkout latency by 40%\n\nMentored six engineers"),
                ("on_resume", "on"),
                ("labels", "Payments, Leadership"),
            ],
            shown: &[
                "Staff Engineer",
                "Northwind Traders · Leeds, UK",
                "Apr 2019 – Aug 2023",
                "Led the payments platform team.",
                "<li>Cut checkout latency by 40%</li><li>Mentored six engineers</li>",
                "?label=Payments",
                "?label=Leadership",
                "On resume",
            ],
            edited: &[
                ("role", "Principal Engineer"),
                ("company", "Northwind Traders"),
                ("location", "Leeds, UK"),
                ("start_date", "2019-04"),
                ("end_date", ""),
                ("current", "on"),
                ("description", "Leads the payments platform team."),
                ("highlights", "Cut checkout latency by 40%"),
                ("labels", "Payments"),
            ],
            shown_after_edit: &["Principal Engineer", "Apr 2019 – now", "Current", "Not on resume", "?label=Payments"],
            gone_after_edit: &["Staff Engineer", "Mentored six engineers", "?label=Leadership"],
            stored_after_edit: "role = 'Principal Engineer' AND is_current = 1 AND end_date IS NULL AND on_resume = 0 \
                                AND highlights = '[\"Cut checkout latency by 40%\"]'",
        },
        PageStory {
            path: "skills",
            table: "skills",
            added: &[
                ("name", "PostgreSQL"),
                ("category", "Databases"),
                ("level", "advanced"),
                ("on_resume", "on"),
                ("labels", "Data"),
            ],
            shown: &["PostgreSQL", "Databases · Advanced", "On resume", "?label=Data"],
            edited: &[("name", "PostgreSQL"), ("category", "Data stores"), ("level", "expert"), ("labels", "")],
            shown_after_edit: &["Data stores · Expert", "Not on resume", "No labels yet."],
            gone_after_edit: &["Advanced", "?label=Data"],
            stored_after_edit: "level = 'expert' AND category = 'Data stores' AND on_resume = 0",
        },
        PageStory {
            path: "projects",
            table: "projects",
            added: &[
                ("name", "Open-source invoice parser"),
                ("role", "Maintainer"),
                ("kind", "Open source"),
                ("url", "github.com/example/invoice-parser"),
                ("start_date", "2020"),
                ("end_date", "2022-06"),
                ("description", "Parses PDF invoices into JSON."),
                ("on_resume", "on"),
            ],
            shown: &[
                "Open-source invoice parser",
                "Maintainer · Open source",
                "2020 – Jun 2022",
                r#"href="https://github.com/example/invoice-parser""#,
                "Parses PDF invoices into JSON.",
            ],
            edited: &[
                ("name", "Invoice parser"),
                ("role", "Maintainer"),
                ("kind", "Open source"),
                ("url", ""),
                ("start_date", "2020"),
                ("end_date", ""),
                ("on_resume", "on"),
                ("labels", "Invoicing"),
            ],
            shown_after_edit: &["Invoice parser", "Since 2020", "?label=Invoicing"],
            gone_after_edit: &["Open-source invoice parser", "github.com/example", "Parses PDF invoices"],
            stored_after_edit: "name = 'Invoice parser' AND url IS NULL AND end_date IS NULL AND description = ''",
        },
        PageStory {
            path: "achievements",
            table: "achievements",
            added: &[
                ("title", "Cut cloud spend by 38%"),
                ("date", "2022-11"),
                ("description", "Moved batch jobs to spot instances."),
                ("experience_id", contoso.as_str()),
                ("project_id", ""),
                ("on_resume", "on"),
                ("labels", "Cost"),
            ],
            shown: &[
                "Cut cloud spend by 38%",
                "Nov 2022",
                "Moved batch jobs to spot instances.",
                contoso_link.as_str(),
            ],
            edited: &[
                ("title", "Cut cloud spend by 41%"),
                ("date", "2022-12"),
                ("experience_id", ""),
                ("labels", "Cost, FinOps"),
            ],
            shown_after_edit: &["Cut cloud spend by 41%", "Dec 2022", "Not linked to an experience or project."],
            gone_after_edit: &["38%", contoso_link.as_str()],
            stored_after_edit: "title = 'Cut cloud spend by 41%' AND achieved_on = '2022-12' AND experience_id IS NULL",
        },
        PageStory {
            path: "education",
            table: "education",
            added: &[
                ("institution", "University of Leeds"),
                ("study_type", "BSc"),
                ("area", "Computer Science"),
                ("start_date", "2012-09"),
                ("end_date", "2015-06"),
                ("score", "First class"),
                ("url", "leeds.ac.uk"),
                ("courses", "Algorithms\n\nCompilers"),
                ("description", "Thesis on query planning."),
                ("on_resume", "on"),
                ("labels", "Databases"),
            ],
            shown: &[
                "University of Leeds",
                "BSc, Computer Science",
                "Sep 2012 – Jun 2015 · First class",
                r#"href="https://leeds.ac.uk/""#,
                "<li>Algorithms</li><li>Compilers</li>",
                "Thesis on query planning.",
                "On resume",
                "?label=Databases",
            ],
            edited: &[
                ("institution", "University of Leeds"),
                ("study_type", "MSc"),
                ("area", "Computer Science"),
                ("start_date", "2015-09"),
                ("end_date", ""),
                ("courses", "Distributed systems"),
                ("labels", "Databases, Research"),
            ],
            shown_after_edit: &["MSc, Computer Science", "Since Sep 2015", "Not on resume", "?label=Research"],
            gone_after_edit: &["BSc", "First class", "leeds.ac.uk", "Algorithms", "Thesis on query planning."],
            stored_after_edit:
                "study_type = 'MSc' AND end_date IS NULL AND url IS NULL AND score = '' AND on_resume = 0 \
                                AND courses = '[\"Distributed systems\"]'",
        },
        PageStory {
            path: "certifications",
            table: "certifications",
            added: &[
                ("name", "Certified Kubernetes Administrator"),
                ("issuer", "Cloud Native Computing Foundation"),
                ("date", "2023-05"),
                ("url", "https://www.credly.com/badges/cka-123"),
                ("on_resume", "on"),
                ("labels", "Cloud"),
            ],
            shown: &[
                "Certified Kubernetes Administrator",
                "Cloud Native Computing Foundation",
                "Issued May 2023",
                r#"href="https://www.credly.com/badges/cka-123""#,
                "On resume",
                "?label=Cloud",
            ],
            edited: &[("name", "Certified Kubernetes Administrator"), ("issuer", "CNCF"), ("date", "2024-05-02")],
            shown_after_edit: &["CNCF", "Issued 2 May 2024", "Not on resume", "No labels yet."],
            gone_after_edit: &["Cloud Native Computing Foundation", "credly.com", "?label=Cloud"],
            stored_after_edit: "issuer = 'CNCF' AND issued_on = '2024-05-02' AND url IS NULL AND on_resume = 0",
        },
        PageStory {
            path: "journal",
            table: "journal_entries",
            added: &[
                ("title", "Shipped the new onboarding flow"),
                ("entry_date", "2024-03-15"),
                ("body", "Today we **shipped** it.\n\n- fewer steps\n- clearer copy"),
                ("labels", "Product"),
            ],
            shown: &[
                "Shipped the new onboarding flow",
                "15 Mar 2024",
                "<strong>shipped</strong>",
                "<li>fewer steps</li>",
                r#"<span class="chip">Private</span>"#,
                "?label=Product",
            ],
            edited: &[
                ("title", "Onboarding flow retrospective"),
                ("entry_date", "2024-03-18"),
                ("body", "Sign-ups rose by a *third*."),
                ("is_public", "on"),
                ("labels", "Product"),
            ],
            shown_after_edit: &[
                "Onboarding flow retrospective",
                "18 Mar 2024",
                "<em>third</em>",
                r#"<span class="chip chip-success">Public</span>"#,
            ],
            gone_after_edit: &["<strong>shipped</strong>", r#"<span class="chip">Private</span>"#],
            stored_after_edit:
                "is_public = 1 AND entry_date = '2024-03-18' AND slug = 'shipped-the-new-onboarding-flow'",
        },
    ];
    for story in &stories {
        live_through_pages(&app, story).await;
    }

    // An achievement shows on its role's page; deleting the role keeps the achievement, unlinked.
    let award = add(&app, "achievements", &[("title", "Led the data centre exit"), ("experience_id", &contoso)]).await;
    let role = page(&app, &format!("/experiences/{contoso}")).await;
    assert!(role.contains(&format!(r#"<a href="/achievements/{award}">Led the data centre exit</a>"#)));
    assert!(page(&app, &format!("/achievements/{award}")).await.contains("Platform Lead at Contoso"));
    let deleted = app.submit(&format!("/experiences/{contoso}"), &format!("/experiences/{contoso}/delete"), &[]).await;
    assert_eq!(deleted.status(), 303);
    let kept = page(&app, &format!("/achievements/{award}")).await;
    assert!(kept.contains("Led the data centre exit") && kept.contains("Not linked to an experience or project."));
}

// ---- 2. API ----

struct ApiStory {
    path: &'static str,
    create: Value,
    created: Value,
    patch: Value,
    patched: Value,
}

async fn live_through_api(api: &Api, story: &ApiStory) {
    let path = story.path;
    let created = api.create(path, story.create.clone()).await;
    assert_has(&created, &story.created, path);
    let url = format!("{path}/{}", created["id"].as_str().unwrap());
    assert_eq!(api.get(&url).await, (200, created.clone()), "GET {url}");

    let (status, patched) = api.patch(&url, story.patch.clone()).await;
    assert_eq!(status, 200, "PATCH {url}: {patched}");
    assert_has(&patched, &story.patched, &url);
    for (key, value) in created.as_object().unwrap() {
        if key != "updated_at" && story.patch.get(key).is_none() {
            assert_eq!(&patched[key], value, "PATCH {url} {} leaves {key} alone", story.patch);
        }
    }
    assert_eq!(api.get(&url).await, (200, patched.clone()));

    let (status, list) = api.get(path).await;
    assert_eq!(status, 200);
    assert!(list["items"].as_array().unwrap().contains(&patched), "GET {path} lists it: {list}");
    assert!(list["total"].as_i64().unwrap() >= 1);
    assert_eq!(list["page"], 1);
    assert!(list["per_page"].as_i64().unwrap() >= 25);

    assert_eq!(api.delete(&url).await, 204);
    let (status, gone) = api.get(&url).await;
    assert_eq!(status, 404);
    assert_eq!(gone["error"]["code"], "not_found");
    assert_eq!(api.delete(&url).await, 404, "deleted once only");
    let (_, list) = api.get(path).await;
    assert!(!list["items"].as_array().unwrap().iter().any(|item| item["id"] == created["id"]));
}

async fn every_kind_of_record_and_labels_are_managed_through_the_api(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let manager = api
        .create(
            "/experiences",
            json!({"role": "Engineering Manager", "company": "Contoso", "start_date": "2021-02", "current": true,
                   "highlights": ["Grew the team from 4 to 11", "Introduced on-call rotations"],
                   "labels": ["Leadership", "Hiring"]}),
        )
        .await;
    assert_has(
        &manager,
        &json!({"current": true, "end_date": null, "location": "", "on_resume": true,
                "highlights": ["Grew the team from 4 to 11", "Introduced on-call rotations"]}),
        "experience",
    );
    assert_eq!(label_names(&manager), ["Hiring", "Leadership"]);
    for chip in manager["labels"].as_array().unwrap() {
        let mut keys: Vec<&str> = chip.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["colour", "id", "is_public", "name"]);
        assert_eq!(chip["is_public"], false, "labels made on the way are private");
    }
    let manager_id = manager["id"].as_str().unwrap();

    let stories = [
        ApiStory {
            path: "/experiences",
            create: json!({"role": "Backend Developer", "company": "Fabrikam", "location": "Berlin",
                           "start_date": "2016-09", "end_date": "2021-01", "description": "Order APIs."}),
            created: json!({"role": "Backend Developer", "end_date": "2021-01", "current": false, "highlights": [],
                            "labels": []}),
            patch: json!({"location": "Remote"}),
            patched: json!({"location": "Remote", "role": "Backend Developer"}),
        },
        ApiStory {
            path: "/skills",
            create: json!({"name": "Rust", "category": "Languages", "level": "Expert", "labels": ["Systems"]}),
            created: json!({"name": "Rust", "category": "Languages", "level": "expert", "on_resume": true}),
            patch: json!({"level": null}),
            patched: json!({"level": "", "name": "Rust"}),
        },
        ApiStory {
            path: "/projects",
            create: json!({"name": "Tidewater billing engine", "kind": "Product",
                           "url": "https://tidewater.example/billing", "start_date": "2022", "end_date": "2023-05"}),
            created: json!({"name": "Tidewater billing engine", "url": "https://tidewater.example/billing",
                            "start_date": "2022", "end_date": "2023-05", "role": ""}),
            patch: json!({"url": null}),
            patched: json!({"url": null, "start_date": "2022"}),
        },
        ApiStory {
            path: "/achievements",
            create: json!({"title": "Halved the incident count", "date": "2023-09", "experience_id": manager_id,
                           "labels": ["Leadership"]}),
            created: json!({"title": "Halved the incident count", "date": "2023-09", "experience_id": manager_id,
                            "experience_title": "Engineering Manager at Contoso", "project_id": null}),
            patch: json!({"description": "Introduced blameless postmortems."}),
            patched: json!({"description": "Introduced blameless postmortems.", "date": "2023-09"}),
        },
        ApiStory {
            path: "/education",
            create: json!({"institution": "Technische Universität München", "area": "Informatics",
                           "study_type": "Master", "start_date": "2014-10", "end_date": "2016-09",
                           "score": "1.3", "url": "https://www.tum.de/", "courses": ["Databases", "Compilers"],
                           "labels": ["Research"]}),
            created: json!({"institution": "Technische Universität München", "study_type": "Master",
                            "start_date": "2014-10", "end_date": "2016-09", "score": "1.3",
                            "url": "https://www.tum.de/", "courses": ["Databases", "Compilers"], "description": "",
                            "on_resume": true}),
            patch: json!({"courses": null, "score": null}),
            patched: json!({"courses": [], "score": "", "area": "Informatics"}),
        },
        ApiStory {
            path: "/certifications",
            create: json!({"name": "AWS Certified Solutions Architect – Associate", "issuer": "Amazon Web Services",
                           "date": "2022-03", "url": "aws.amazon.com/verification"}),
            created: json!({"name": "AWS Certified Solutions Architect – Associate", "issuer": "Amazon Web Services",
                            "date": "2022-03", "url": "https://aws.amazon.com/verification", "on_resume": true,
                            "labels": []}),
            patch: json!({"on_resume": false, "date": "2022-03-14"}),
            patched: json!({"on_resume": false, "date": "2022-03-14", "issuer": "Amazon Web Services"}),
        },
        ApiStory {
            path: "/journal",
            create: json!({"title": "First week on the platform team", "entry_date": "2024-05-06",
                           "body": "Met the **team**."}),
            created: json!({"title": "First week on the platform team", "slug": "first-week-on-the-platform-team",
                            "entry_date": "2024-05-06", "body": "Met the **team**.", "is_public": false,
                            "images": []}),
            patch: json!({"is_public": true}),
            patched: json!({"is_public": true, "body": "Met the **team**."}),
        },
        ApiStory {
            path: "/labels",
            create: json!({"name": "Mentoring", "colour": "#2F6FDE", "is_public": true}),
            created: json!({"name": "Mentoring", "colour": "#2f6fde", "is_public": true, "uses": 0}),
            patch: json!({"colour": null}),
            patched: json!({"colour": null, "name": "Mentoring", "is_public": true}),
        },
    ];
    for story in &stories {
        live_through_api(&api, story).await;
    }

    // Labels sent replace the record's labels; the label list counts their uses.
    let (status, relabelled) = api.patch(&format!("/experiences/{manager_id}"), json!({"labels": ["Hiring"]})).await;
    assert_eq!(status, 200);
    assert_eq!(label_names(&relabelled), ["Hiring"]);
    let (_, labels) = api.get("/labels").await;
    let uses =
        |name: &str| labels["items"].as_array().unwrap().iter().find(|l| l["name"] == name).unwrap()["uses"].clone();
    assert_eq!(uses("Hiring"), 1);
    assert_eq!(uses("Leadership"), 0, "the achievement carrying it was deleted");
    // A journal entry without a date is today's.
    let today = api.create("/journal", json!({"title": "Quick note"})).await;
    assert_eq!(today["entry_date"].as_str().unwrap().len(), 10);
}

// ---- 3. validation ----

/// A form with a mistake comes back with 422, the message beside the field, and what was typed.
pub(crate) async fn refused(
    app: &TestApp,
    action: &str,
    fields: &[(&str, &str)],
    field: &str,
    message: &str,
    kept: &[&str],
) {
    let page = if action == "/labels" { "/labels".to_owned() } else { format!("{action}/new") };
    let response = app.submit(&page, action, fields).await;
    let status = response.status();
    let html = response.text().await.unwrap();
    assert_eq!(status, 422, "POST {action} {fields:?}");
    assert!(html.contains(&field_error(field, message)), "POST {action}: {field} says {message:?}:\n{html}");
    assert!(html.contains(&format!(r#"id="{field}""#)) && html.contains(r#"aria-invalid="true""#));
    for value in kept {
        assert!(html.contains(value), "POST {action}: {value:?} is kept");
    }
}

async fn form_mistakes_are_explained_beside_the_field_and_what_was_typed_is_kept(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    // Forms read dates as people write them ("March 2021"), and say so when they cannot.
    let hint = "Type a year (2021), a month (March 2021, 03/2021 or 2021-03) or a date (5 March 2021 or 2021-03-05).";
    let job = |role: &'static str, start: &'static str, end: &'static str| {
        [
            ("role", role),
            ("company", "Northwind Traders"),
            ("location", "Leeds"),
            ("start_date", start),
            ("end_date", end),
            ("description", "Led the payments platform team."),
            ("labels", "Payments, Go"),
        ]
    };
    let typed = [
        r#"value="Northwind Traders""#,
        r#"value="Leeds""#,
        ">Led the payments platform team.</textarea>",
        r#"value="Payments, Go""#,
    ];
    let e = "experiences";
    refused(&app, "/experiences", &job("", "2019-04", "2023-08"), "role", "Enter your role or job title.", &typed)
        .await;
    let mut kept = typed.to_vec();
    kept.extend([r#"value="Staff Engineer""#, r#"value="2022-05""#, r#"value="2021""#]);
    let message = "The end date is before the start date.";
    refused(&app, "/experiences", &job("Staff Engineer", "2022-05", "2021"), "end_date", message, &kept).await;
    let long_role: &'static str = "R".repeat(201).leak();
    let message = "At most 200 characters, please (this has 201).";
    let kept_role = format!(r#"value="{long_role}""#);
    refused(
        &app,
        "/experiences",
        &job(long_role, "2019-04", "2023-08"),
        "role",
        message,
        &[kept_role.as_str(), typed[0]],
    )
    .await;
    for (bad, message) in [
        ("2021-13", format!("“2021-13” is not a date. {hint}")),
        ("Marchish 2021", format!("“Marchish 2021” is not a date. {hint}")),
        ("2023-02-30", "There is no 30 February 2023.".to_owned()),
        ("21", format!("“21” is not a date. {hint}")),
    ] {
        let kept = format!(r#"value="{bad}""#);
        refused(&app, "/experiences", &job("Staff Engineer", bad, "2023-08"), "start_date", &message, &[kept.as_str()])
            .await;
    }
    let message = format!("Enter when you started. {hint}");
    refused(&app, "/experiences", &job("Staff Engineer", "", "2023-08"), "start_date", &message, &typed).await;
    let message = "Enter when it ended, or tick “I work here now”.";
    refused(&app, "/experiences", &job("Staff Engineer", "2019", ""), "end_date", message, &typed).await;
    let mut fields: Vec<(&str, &str)> = job("Staff Engineer", "2019", "2023").to_vec();
    fields.push(("current", "on"));
    let message = "Leave the end date empty for a role you are in now, or untick “I work here now”.";
    let checked = r#"id="current" name="current" type="checkbox" value="on" checked"#;
    refused(&app, "/experiences", &fields, "end_date", message, &[typed[0], checked]).await;
    let many = (1..=21).map(|n| format!("Label {n}")).collect::<Vec<_>>().join(", ");
    let mut fields: Vec<(&str, &str)> = job("Staff Engineer", "2019", "2020").to_vec();
    fields.retain(|(name, _)| *name != "labels");
    fields.push(("labels", &many));
    let kept = format!(r#"value="{many}""#);
    refused(&app, "/experiences", &fields, "labels", "At most 20 labels on one record.", &[kept.as_str()]).await;

    let project = |name: &'static str, url: &'static str, start: &'static str, end: &'static str| {
        [("name", name), ("role", "Maintainer"), ("url", url), ("start_date", start), ("end_date", end)]
    };
    let typed = [r#"value="Invoice parser""#, r#"value="Maintainer""#];
    let message = "The end date is before the start date.";
    refused(&app, "/projects", &project("Invoice parser", "", "2021", "2020-12"), "end_date", message, &typed).await;
    refused(&app, "/projects", &project("", "", "2021", ""), "name", "Enter the project’s name.", &typed[1..]).await;
    for (url, message) in [
        ("javascript:alert(1)", "“javascript:alert(1)” is not a web address."),
        ("not a url", "“not a url” is not a web address."),
        ("javascript://alert(1)", "Only web links (https://…) can be used here."),
        ("ftp://files.example.com/cv.pdf", "Only web links (https://…) can be used here."),
    ] {
        let kept = format!(r#"value="{url}""#);
        let fields = project("Invoice parser", url, "", "");
        refused(&app, "/projects", &fields, "url", message, &[kept.as_str(), typed[0]]).await;
    }

    let message = "Choose beginner, intermediate, advanced or expert, or leave it empty.";
    let skill = [("name", "Kubernetes"), ("category", "Cloud"), ("level", "guru")];
    refused(&app, "/skills", &skill, "level", message, &[r#"value="Kubernetes""#, r#"value="Cloud""#]).await;
    refused(&app, "/skills", &[("name", " "), ("category", "Cloud")], "name", "Enter the skill’s name.", &[]).await;
    add(&app, "skills", &[("name", "Kubernetes")]).await;
    let message = "You already have a skill called “kubernetes”.";
    refused(&app, "/skills", &[("name", "kubernetes"), ("category", "Cloud")], "name", message, &[r#"value="Cloud""#])
        .await;

    let nobody = uuid::Uuid::new_v4().to_string();
    let award = |field: &'static str, value: &str| {
        let mut fields = vec![("title", "Won the internal hackathon"), ("description", "Built a CLI in a day.")];
        fields.push((field, value));
        fields.into_iter().map(|(k, v)| (k, v.to_owned())).collect::<Vec<_>>()
    };
    let typed = [r#"value="Won the internal hackathon""#, ">Built a CLI in a day.</textarea>"];
    for (field, value, message) in [
        ("date", "2023-02-30", "There is no 30 February 2023.".to_owned()),
        ("experience_id", "not-an-id", "Choose one from the list.".to_owned()),
        ("experience_id", nobody.as_str(), "Choose one of your experiences.".to_owned()),
        ("project_id", nobody.as_str(), "Choose one of your projects.".to_owned()),
    ] {
        let fields = award(field, value);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        refused(&app, "/achievements", &fields, field, &message, &typed).await;
    }
    refused(&app, "/achievements", &[("title", ""), ("date", "2023")], "title", "Enter what you achieved.", &[]).await;

    let entry = |title: &'static str, date: &'static str, body: &'static str| {
        [("title", title), ("entry_date", date), ("body", body), ("labels", "Search")]
    };
    let typed = [r#"value="Sprint review""#, ">Demoed the **new** search.</textarea>", r#"value="Search""#];
    let message = "Give the full date, such as 5 March 2021 or 2021-03-05.";
    refused(
        &app,
        "/journal",
        &entry("Sprint review", "2024-03", "Demoed the **new** search."),
        "entry_date",
        message,
        &typed,
    )
    .await;
    let message = "There is no 30 February 2024.";
    let fields = entry("Sprint review", "2024-02-30", "Demoed the **new** search.");
    refused(&app, "/journal", &fields, "entry_date", message, &typed).await;
    refused(
        &app,
        "/journal",
        &entry("", "2024-03-01", "Demoed the **new** search."),
        "title",
        "Enter a title.",
        &typed[1..],
    )
    .await;
    let huge: &'static str = "x".repeat(100_001).leak();
    let message = "At most 100000 characters, please (this has 100001).";
    refused(&app, "/journal", &entry("Sprint review", "2024-03-01", huge), "body", message, &[typed[0]]).await;

    let message = "Give a colour as #rrggbb, such as #2f6fde.";
    refused(&app, "/labels", &[("name", "Cloud"), ("colour", "red")], "colour", message, &[r#"value="red""#]).await;
    refused(&app, "/labels", &[("name", ""), ("colour", "#2f6fde")], "name", "Enter a name for the label.", &[]).await;
    let message = "A label name cannot contain a comma.";
    refused(&app, "/labels", &[("name", "Cloud, AWS")], "name", message, &[r#"value="Cloud, AWS""#]).await;
    let long = "L".repeat(41);
    let message = "At most 40 characters, please (this has 41).";
    refused(&app, "/labels", &[("name", &long)], "name", message, &[]).await;

    // Nothing of the above was saved (but the one valid skill).
    for (_, table) in KINDS {
        let expected = i64::from(table == "skills");
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await, expected, "{table}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM labels").await, 0);

    // A mistake while editing shows the edit form again and changes nothing.
    let id = add(&app, e, &job("Staff Engineer", "2019-04", "2023-08")).await;
    let response = app
        .submit(
            &format!("/experiences/{id}/edit"),
            &format!("/experiences/{id}"),
            &job("Staff Engineer", "2024", "2023"),
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains(&format!(r#"action="/experiences/{id}""#)) && html.contains("Edit experience"));
    assert!(html.contains(&field_error("end_date", "The end date is before the start date.")));
    assert!(html.contains(r#"value="2024""#));
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM experiences WHERE id = '{id}' AND start_date = '2019-04'")).await,
        1
    );
}

async fn api_mistakes_are_explained_as_json_and_never_fail_the_server(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let hint = "Use a year (2021), a month (2021-03) or a full date (2021-03-15).";
    let nobody = uuid::Uuid::new_v4().to_string();
    let job = json!({"role": "Staff Engineer", "company": "Northwind Traders", "start_date": "2019-04",
                     "end_date": "2023-08"});
    let with = |base: &Value, change: Value| {
        let mut body = base.clone();
        body.as_object_mut().unwrap().extend(change.as_object().unwrap().clone());
        body
    };
    let cases = [
        ("/experiences", with(&job, json!({"role": ""})), "role", "Enter your role or job title.".to_owned()),
        (
            "/experiences",
            with(&job, json!({"role": "R".repeat(201)})),
            "role",
            "At most 200 characters, please (this has 201).".to_owned(),
        ),
        (
            "/experiences",
            with(&job, json!({"end_date": "2018"})),
            "end_date",
            "The end date is before the start date.".into(),
        ),
        (
            "/experiences",
            with(&job, json!({"start_date": "March 2021"})),
            "start_date",
            format!("“March 2021” is not a date. {hint}"),
        ),
        (
            "/experiences",
            with(&job, json!({"end_date": "2023-02-30"})),
            "end_date",
            format!("“2023-02-30” is not a date. {hint}"),
        ),
        (
            "/experiences",
            with(&job, json!({"labels": ["a, b"]})),
            "labels",
            "A label name cannot contain a comma.".into(),
        ),
        (
            "/experiences",
            json!({"company": "Contoso", "start_date": "2021", "current": true}),
            "role",
            "Enter your role or job title.".into(),
        ),
        (
            "/projects",
            json!({"name": "Invoice parser", "url": "javascript:alert(1)"}),
            "url",
            "“javascript:alert(1)” is not a web address.".into(),
        ),
        (
            "/projects",
            json!({"name": "Invoice parser", "url": "not a url"}),
            "url",
            "“not a url” is not a web address.".into(),
        ),
        (
            "/projects",
            json!({"name": "Invoice parser", "start_date": "2021-06", "end_date": "2021-05"}),
            "end_date",
            "The end date is before the start date.".into(),
        ),
        (
            "/skills",
            json!({"name": "Kubernetes", "level": "guru"}),
            "level",
            "Choose beginner, intermediate, advanced or expert, or leave it empty.".into(),
        ),
        ("/skills", json!({}), "name", "Enter the skill’s name.".into()),
        (
            "/achievements",
            json!({"title": "Won the hackathon", "date": "2023-02-30"}),
            "date",
            format!("“2023-02-30” is not a date. {hint}"),
        ),
        (
            "/achievements",
            json!({"title": "Won the hackathon", "experience_id": nobody}),
            "experience_id",
            "Choose one of your experiences.".into(),
        ),
        (
            "/journal",
            json!({"title": "Sprint review", "body": "x".repeat(100_001)}),
            "body",
            "At most 100000 characters, please (this has 100001).".into(),
        ),
        (
            "/journal",
            json!({"title": "Sprint review", "entry_date": "2021-13-01"}),
            "entry_date",
            format!("“2021-13-01” is not a date. {hint}"),
        ),
        ("/journal", json!({"body": "No title"}), "title", "Enter a title.".into()),
        ("/labels", json!({"name": ""}), "name", "Enter a name for the label.".into()),
        (
            "/labels",
            json!({"name": "Cloud", "colour": "red"}),
            "colour",
            "Give a colour as #rrggbb, such as #2f6fde.".into(),
        ),
    ];
    for (path, body, field, message) in &cases {
        let (status, answer) = api.post(path, body.clone()).await;
        assert_eq!(status, 422, "POST {path} {body}: {answer}");
        assert_eq!(answer["error"]["code"], "validation_failed");
        assert!(!answer["error"]["message"].as_str().unwrap().is_empty());
        assert_eq!(answer["error"]["fields"][field], message.as_str(), "POST {path} {body}: {answer}");
    }

    let title_of = |path: &str| match path {
        "/experiences" => "role",
        "/achievements" | "/journal" => "title",
        "/education" => "institution",
        _ => "name",
    };
    for path in [
        "/experiences",
        "/skills",
        "/projects",
        "/achievements",
        "/education",
        "/certifications",
        "/journal",
        "/labels",
    ] {
        let title = title_of(path);
        let bodies = [
            (Some("application/json"), format!(r#"{{"{title}": "Rust""#), ""),
            (Some("application/json"), r#"{"nmae": "Rust"}"#.to_owned(), "nmae"),
            (Some("application/json"), format!(r#"{{"{title}": 42}}"#), ""),
            (Some("application/json"), r#"["Rust"]"#.to_owned(), ""),
            (Some("text/plain"), format!(r#"{{"{title}": "Rust"}}"#), ""),
            (None, format!(r#"{{"{title}": "Rust"}}"#), ""),
        ];
        for (content_type, body, named) in bodies {
            let (status, answer) = api.raw(Method::POST, path, content_type, Some(body.clone())).await;
            assert_eq!(status, 400, "POST {path} {content_type:?} {body}: {answer}");
            assert_eq!(answer["error"]["code"], "invalid_json", "POST {path} {body}");
            assert!(answer["error"]["message"].as_str().unwrap().contains(named), "{answer}");
        }
        for query in ["?page=abc", "?page=-3&per_page=abc", "?per_page=0", "?page=99999999999999999999"] {
            let (status, list) = api.get(&format!("{path}{query}")).await;
            assert_eq!(status, 200, "GET {path}{query}: {list}");
            assert_eq!(list["items"], json!([]));
        }
    }
    let (_, list) = api.get("/skills?page=abc&per_page=1000").await;
    assert_eq!((list["page"].clone(), list["per_page"].clone()), (json!(1), json!(100)));
    let (_, list) = api.get("/journal?per_page=0").await;
    assert_eq!(list["per_page"], 1);
    for (_, table) in KINDS {
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await, 0, "nothing saved in {table}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM labels").await, 0);

    // A PATCH with a mistake changes nothing.
    let rust = api.create("/skills", json!({"name": "Rust", "level": "advanced"})).await;
    let url = format!("/skills/{}", rust["id"].as_str().unwrap());
    let (status, answer) = api.patch(&url, json!({"level": "guru", "category": "Languages"})).await;
    assert_eq!((status, answer["error"]["fields"]["level"].is_string()), (422, true));
    let (status, answer) = api.patch(&url, json!({"name": "  "})).await;
    assert_eq!((status, &answer["error"]["fields"]["name"]), (422, &json!("Enter the skill’s name.")));
    let (status, answer) = api.raw(Method::PATCH, &url, Some("application/json"), Some("{\"level\":".into())).await;
    assert_eq!((status, &answer["error"]["code"]), (400, &json!("invalid_json")));
    let (status, answer) = api.patch(&url, json!({"level": "expert", "colour": "#ffffff"})).await;
    assert_eq!((status, &answer["error"]["code"]), (400, &json!("invalid_json")));
    assert_eq!(api.get(&url).await, (200, rust));
    let (status, answer) = api.post("/skills", json!({"name": "rust"})).await;
    assert_eq!(status, 422);
    assert_eq!(answer["error"]["fields"]["name"], "You already have a skill called “rust”.");
}

// ---- 4. labels ----

async fn labels_group_records_and_filter_lists(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let manager = add(
        &app,
        "experiences",
        &[
            ("role", "Engineering Manager"),
            ("company", "Contoso"),
            ("start_date", "2020-01"),
            ("current", "on"),
            ("labels", "Rust, Leadership"),
        ],
    )
    .await;
    let analyst = add(
        &app,
        "experiences",
        &[("role", "Support Analyst"), ("company", "Fabrikam"), ("start_date", "2015"), ("end_date", "2019")],
    )
    .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM labels WHERE name IN ('Rust', 'Leadership')").await, 2);
    let skill = add(&app, "skills", &[("name", "Rust"), ("category", "Languages"), ("labels", "rust")]).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM labels").await, 2, "“rust” is the label “Rust”");
    add(&app, "projects", &[("name", "Billing revamp")]).await;
    let shown = page(&app, &format!("/experiences/{manager}")).await;
    assert!(
        shown.contains(r#"href="/experiences?label=Leadership""#)
            && shown.contains(r#"href="/experiences?label=Rust""#)
    );

    let href = |path: &str, id: &str| format!(r#"href="/{path}/{id}""#);
    for query in ["rust", "RUST", "%20Rust%20"] {
        let filtered = page(&app, &format!("/experiences?label={query}")).await;
        assert!(filtered.contains(&href("experiences", &manager)), "?label={query}");
        assert!(!filtered.contains(&href("experiences", &analyst)), "?label={query}");
        assert!(filtered.contains("1 shown with “"));
    }
    assert!(page(&app, "/skills?label=Rust").await.contains(&href("skills", &skill)));
    let projects = page(&app, "/projects?label=rust").await;
    assert!(projects.contains("Nothing here carries that label.") && !projects.contains("Billing revamp"));
    let everything = page(&app, "/experiences").await;
    assert!(everything.contains(&href("experiences", &manager)) && everything.contains(&href("experiences", &analyst)));

    let (_, list) = api.get("/experiences?label=rust").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], manager.as_str());
    assert_eq!(label_names(&list["items"][0]), ["Leadership", "Rust"]);
    assert_eq!(api.get("/experiences?label=LEADERSHIP").await.1["total"], 1);
    assert_eq!(api.get("/experiences?label=Kotlin").await.1["total"], 0);
    assert_eq!(api.get("/experiences").await.1["total"], 2);
    assert_eq!(api.get("/skills?label=rust").await.1["items"][0]["id"], skill.as_str());
    assert_eq!(api.get("/projects?label=rust").await.1["total"], 0);

    // The chip's × takes one label off one record.
    let leadership = text(&app, "SELECT id FROM labels WHERE name_key = 'leadership'").await;
    let rust = text(&app, "SELECT id FROM labels WHERE name_key = 'rust'").await;
    let remove = format!("/experiences/{manager}/labels/{leadership}/remove");
    let shown = page(&app, &format!("/experiences/{manager}")).await;
    assert!(shown.contains(&format!(r#"action="{remove}""#)), "the chip has a remove button");
    let removed = app.submit(&format!("/experiences/{manager}"), &remove, &[]).await;
    assert_eq!(removed.status(), 303);
    assert_eq!(location(&removed), format!("/experiences/{manager}?notice=label_removed#labels"));
    let shown = page(&app, &format!("/experiences/{manager}")).await;
    assert!(!shown.contains("?label=Leadership") && shown.contains("?label=Rust"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM labels").await, 2, "the label itself stays");
    assert_eq!(api.get("/experiences?label=leadership").await.1["total"], 0);
    assert_eq!(app.submit(&format!("/experiences/{manager}"), &remove, &[]).await.status(), 404, "removed already");
    let wrong_kind = format!("/skills/{manager}/labels/{rust}/remove");
    assert_eq!(app.submit("/skills", &wrong_kind, &[]).await.status(), 404);

    // A label's page lists what carries it; renaming it renames every chip.
    let label_page = page(&app, &format!("/labels/{rust}")).await;
    assert!(label_page.contains("On 2 records."));
    assert!(label_page.contains("Engineering Manager at Contoso") && label_page.contains(&href("skills", &skill)));
    let renamed = app
        .submit(
            &format!("/labels/{rust}"),
            &format!("/labels/{rust}"),
            &[("name", "Rust language"), ("colour", "#B7410E"), ("is_public", "on")],
        )
        .await;
    assert_eq!(renamed.status(), 303);
    assert_eq!(location(&renamed), format!("/labels/{rust}?notice=saved"));
    let shown = page(&app, &format!("/skills/{skill}")).await;
    assert!(shown.contains("?label=Rust%20language") && shown.contains(r##"fill="#b7410e""##));
    assert!(page(&app, "/skills?label=rust%20LANGUAGE").await.contains(&href("skills", &skill)));
    let (_, label) = api.get(&format!("/labels/{rust}")).await;
    assert_has(&label, &json!({"name": "Rust language", "colour": "#b7410e", "is_public": true, "uses": 2}), "label");

    // Names are unique per user, ignoring case.
    let duplicate = app.submit("/labels", "/labels", &[("name", "LEADERSHIP"), ("colour", "#00aa00")]).await;
    assert_eq!(duplicate.status(), 422);
    let html = duplicate.text().await.unwrap();
    assert!(html.contains(&field_error("name", "You already have a label called “LEADERSHIP”.")), "{html}");
    assert!(html.contains(r#"value="LEADERSHIP""#) && html.contains(r##"value="#00aa00""##));
    let clash = app.submit(&format!("/labels/{rust}"), &format!("/labels/{rust}"), &[("name", "leadership")]).await;
    assert_eq!(clash.status(), 422);
    assert!(clash
        .text()
        .await
        .unwrap()
        .contains(&field_error("name", "You already have a label called “leadership”.")));
    let (status, answer) = api.post("/labels", json!({"name": "Leadership"})).await;
    assert_eq!(status, 422);
    assert_eq!(answer["error"]["fields"]["name"], "You already have a label called “Leadership”.");
    let (status, answer) = api.patch(&format!("/labels/{rust}"), json!({"name": "leadership"})).await;
    assert_eq!((status, &answer["error"]["code"]), (422, &json!("validation_failed")));
    assert_eq!(text(&app, &format!("SELECT name FROM labels WHERE id = '{rust}'")).await, "Rust language");
    let created = app.submit("/labels", "/labels", &[("name", "Mentoring")]).await;
    assert_eq!(location(&created), "/labels?notice=label_created");
    assert!(page(&app, "/labels").await.contains("Mentoring"));

    // Deleting a label takes it off every record; the records stay.
    let deleted = app.submit(&format!("/labels/{rust}"), &format!("/labels/{rust}/delete"), &[]).await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(location(&deleted), "/labels?notice=label_deleted");
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM record_labels WHERE label_id = '{rust}'")).await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM skills").await, 1);
    let shown = page(&app, &format!("/skills/{skill}")).await;
    assert!(shown.contains("No labels yet.") && !shown.contains("Rust language"));
    assert_eq!(api.get(&format!("/experiences/{manager}")).await.1["labels"], json!([]));
    assert_eq!(app.get(&format!("/labels/{rust}")).await.status(), 404);

    // Label names with characters that mean something in a URL work in chips and filters.
    let lab = add(
        &app,
        "experiences",
        &[
            ("role", "Research Engineer"),
            ("company", "Litware"),
            ("start_date", "2012"),
            ("end_date", "2014"),
            ("labels", "R&D, C++"),
        ],
    )
    .await;
    let shown = page(&app, &format!("/experiences/{lab}")).await;
    assert!(
        shown.contains(r#"href="/experiences?label=R%26D""#) && shown.contains(r#"href="/experiences?label=C%2B%2B""#)
    );
    for query in ["R%26D", "c%2B%2B"] {
        let filtered = page(&app, &format!("/experiences?label={query}")).await;
        assert!(filtered.contains(&href("experiences", &lab)) && !filtered.contains(&href("experiences", &manager)));
        assert_eq!(api.get(&format!("/experiences?label={query}")).await.1["total"], 1, "{query}");
    }

    // A filtered list is paged like any other.
    for n in 1..=27 {
        let labels = if n == 27 { json!([]) } else { json!(["Cloud"]) };
        api.create("/skills", json!({"name": format!("Cloud skill {n:02}"), "category": "Cloud", "labels": labels}))
            .await;
    }
    let skill_link = regex::Regex::new(r#"href="/skills/([0-9a-f-]{36})""#).unwrap();
    let first = page(&app, "/skills?label=CLOUD").await;
    assert!(
        first.contains("26 shown with “CLOUD”") && first.contains("Page 1 of 2") && first.contains(r#"rel="next""#)
    );
    let second = page(&app, "/skills?page=2&label=cloud").await;
    assert!(second.contains("Page 2 of 2") && second.contains(r#"rel="prev""#));
    let mut seen: Vec<String> = [&first, &second]
        .iter()
        .flat_map(|html| skill_link.captures_iter(html).map(|c| c[1].to_owned()).collect::<Vec<_>>())
        .collect();
    assert_eq!(seen.len(), 26, "25 on the first page, 1 on the second");
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 26, "no record on two pages");
    let mut through_api = Vec::new();
    for n in 1..=3 {
        let (_, list) = api.get(&format!("/skills?label=cloud&per_page=10&page={n}")).await;
        assert_eq!(
            (list["total"].clone(), list["page"].clone(), list["per_page"].clone()),
            (json!(26), json!(n), json!(10))
        );
        through_api.extend(list["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()));
    }
    through_api.sort();
    assert_eq!(through_api, seen, "the API pages through the same records");

    // Another user may have a label of the same name; each sees only their own.
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let created = app.submit("/labels", "/labels", &[("name", "Leadership")]).await;
    assert_eq!(created.status(), 303, "Grace may have her own “Leadership”");
    let hers = add(
        &app,
        "experiences",
        &[
            ("role", "Team Lead"),
            ("company", "Litware"),
            ("start_date", "2022"),
            ("current", "on"),
            ("labels", "leadership"),
        ],
    )
    .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM labels WHERE name_key = 'leadership'").await, 2);
    let labels = page(&app, "/labels").await;
    assert!(labels.contains("Leadership") && !labels.contains("Mentoring"));
    let filtered = page(&app, "/experiences?label=Leadership").await;
    assert!(filtered.contains(&href("experiences", &hers)) && !filtered.contains("Contoso"));
}

// ---- 5. Markdown ----

async fn journal_markdown_is_shown_without_scripts_or_dangerous_links(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let body = "We **shipped** the billing migration.\n\n<script>alert(1)</script>\n\n\
                [the runbook](javascript:alert(1))\n\n<img src=x onerror=alert(1)>\n\n\
                [the dashboard](https://grafana.example/d/billing)\n\n\
                <iframe src=\"https://evil.example\"></iframe><svg onload=alert(2)></svg>\n\n\
                [data](data:text/html;base64,PHNjcmlwdD4=) ![pixel](https://tracker.example/p.gif)";
    let assert_clean = |html: &str, what: &str| {
        assert!(html.contains("<strong>shipped</strong>"), "{what} renders Markdown:\n{html}");
        assert!(html.contains(r#"href="https://grafana.example/d/billing""#), "{what} keeps web links");
        let lower = html.to_lowercase();
        for bad in [
            "<script>alert",
            "alert(",
            "javascript:",
            "onerror",
            "onload",
            "src=x",
            "<iframe",
            "<svg",
            "data:",
            "tracker.",
        ] {
            assert!(!lower.contains(bad), "{what} contains {bad:?}:\n{html}");
        }
    };
    let id =
        add(&app, "journal", &[("title", "Billing migration"), ("entry_date", "2024-06-03"), ("body", body)]).await;
    let shown = page(&app, &format!("/journal/{id}")).await;
    let entry = shown.split(r#"aria-label="Entry">"#).nth(1).and_then(|rest| rest.split("</section>").next());
    assert_clean(entry.expect("the entry's text"), "the entry's text");
    for bad in ["alert(", "javascript:", "onerror", "onload", "<iframe", "tracker.", "data:text"] {
        assert!(!shown.contains(bad), "the entry's page contains {bad:?}");
    }
    let list = page(&app, "/journal").await;
    assert!(list.contains("We shipped the billing migration."), "the list shows a plain summary");
    assert!(!list.to_lowercase().contains("<script>alert") && !list.contains("onerror="));

    let csrf = csrf_of(&app).await;
    let fragment = post_form(&app, "/journal/preview?fragment=1", Some(&csrf), &[("body", body)]).await;
    assert_eq!(fragment.status(), 200);
    assert_clean(&fragment.text().await.unwrap(), "the preview fragment");
    let preview = post_form(
        &app,
        &format!("/journal/preview?id={id}"),
        Some(&csrf),
        &[("title", "Billing migration"), ("body", body)],
    )
    .await;
    assert_eq!(preview.status(), 200);
    let html = preview.text().await.unwrap();
    let (form, shown) = html.split_once(r#"<h2 class="preview-heading">Preview</h2>"#).expect("a preview");
    assert!(form.contains("&#60;script&#62;alert(1)&#60;/script&#62;"), "the textarea keeps what was typed, escaped");
    assert!(!form.contains("<script>alert"));
    assert_clean(shown.split("</div>").next().unwrap(), "the preview");
    assert!(html.contains(&format!(r#"action="/journal/{id}""#)), "the preview keeps editing the entry");
}

// ---- 6. ownership (promise 18) ----

async fn promise_18_another_user_gets_404_for_every_route_with_my_ids(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let ada = api_for(&app).await;
    let label = ["Acquisition-Talks"];
    let role = ada
        .create(
            "/experiences",
            json!({"role": "Head of Platform", "company": "Blackwood Capital", "start_date": "2018", "current": true,
                   "labels": label}),
        )
        .await;
    let skill = ada.create("/skills", json!({"name": "Merger Modelling", "labels": label})).await;
    let project = ada.create("/projects", json!({"name": "Project Nightjar", "labels": label})).await;
    let award = ada
        .create(
            "/achievements",
            json!({"title": "Closed the Harbor deal", "experience_id": role["id"], "project_id": project["id"],
                   "labels": label}),
        )
        .await;
    let entry = ada
        .create(
            "/journal",
            json!({"title": "Board meeting notes", "body": "Confidential: **Nightjar** timeline.", "labels": label}),
        )
        .await;
    let study = ada
        .create("/education", json!({"institution": "Harbor Business School", "area": "Mergers", "labels": label}))
        .await;
    let licence = ada
        .create("/certifications", json!({"name": "Nightjar Clearance", "issuer": "Blackwood", "labels": label}))
        .await;
    let (_, labels) = ada.get("/labels").await;
    let label_id = labels["items"][0]["id"].as_str().unwrap().to_owned();
    let secrets = [
        "Blackwood",
        "Head of Platform",
        "Merger Modelling",
        "Nightjar",
        "Harbor deal",
        "Board meeting",
        "Acquisition",
        "Harbor Business School",
        "Nightjar Clearance",
    ];
    let ids: Vec<(&str, String)> = [
        ("experiences", &role),
        ("skills", &skill),
        ("projects", &project),
        ("achievements", &award),
        ("journal", &entry),
        ("education", &study),
        ("certifications", &licence),
    ]
    .into_iter()
    .map(|(path, record)| (path, record["id"].as_str().unwrap().to_owned()))
    .collect();
    let before = ada.everything().await;

    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let grace = api_for(&app).await;
    let own = add(
        &app,
        "experiences",
        &[
            ("role", "Site Reliability Engineer"),
            ("company", "Fabrikam"),
            ("start_date", "2021"),
            ("current", "on"),
            ("labels", "Rust"),
        ],
    )
    .await;
    let csrf = csrf_of(&app).await;
    let assert_hidden = |html: &str, what: &str| {
        for secret in secrets {
            assert!(!html.contains(secret), "{what} shows Ada's {secret:?}");
        }
    };
    let expect_404 = |response: reqwest::Response, what: String| async move {
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, 404, "{what}");
        (body, what)
    };

    for (path, id) in &ids {
        for url in [format!("/{path}/{id}"), format!("/{path}/{id}/edit")] {
            let (body, what) = expect_404(app.get(&url).await, format!("GET {url}")).await;
            assert_hidden(&body, &what);
        }
        let update = format!("/{path}/{id}");
        for fields in [VALID_FOR_EVERY_KIND, &[("title", ""), ("name", ""), ("role", ""), ("institution", "")]] {
            expect_404(post_form(&app, &update, Some(&csrf), fields).await, format!("POST {update} {fields:?}")).await;
        }
        for action in [format!("/{path}/{id}/delete"), format!("/{path}/{id}/labels/{label_id}/remove")] {
            expect_404(post_form(&app, &action, Some(&csrf), &[]).await, format!("POST {action}")).await;
        }
        // Through the API: read, change, delete.
        let url = format!("/{path}/{id}");
        let title = match *path {
            "experiences" => "role",
            "achievements" | "journal" => "title",
            "education" => "institution",
            _ => "name",
        };
        let mut change = json!({});
        change[title] = json!("Hijacked");
        for (method, body) in [(Method::GET, None), (Method::PATCH, Some(change)), (Method::DELETE, None)] {
            let (status, answer) = grace.call(method.clone(), &url, body.as_ref()).await;
            assert_eq!((status, &answer["error"]["code"]), (404, &json!("not_found")), "{method} /api/v1{url}");
            assert_hidden(&answer.to_string(), &url);
        }
    }
    let journal_id = &ids[4].1;
    let preview = format!("/journal/preview?id={journal_id}");
    let fields = [("title", "Hijacked"), ("body", "x")];
    expect_404(post_form(&app, &preview, Some(&csrf), &fields).await, format!("POST {preview}")).await;
    let label_url = format!("/labels/{label_id}");
    let (body, what) = expect_404(app.get(&label_url).await, format!("GET {label_url}")).await;
    assert_hidden(&body, &what);
    for action in [label_url.clone(), format!("{label_url}/delete")] {
        expect_404(post_form(&app, &action, Some(&csrf), &[("name", "Hijacked")]).await, format!("POST {action}"))
            .await;
    }
    for (method, body) in
        [(Method::GET, None), (Method::PATCH, Some(json!({"name": "Hijacked"}))), (Method::DELETE, None)]
    {
        let (status, answer) = grace.call(method.clone(), &label_url, body.as_ref()).await;
        assert_eq!((status, &answer["error"]["code"]), (404, &json!("not_found")), "{method} /api/v1{label_url}");
    }
    // Ada's label id on Grace's own record is no better.
    let action = format!("/experiences/{own}/labels/{label_id}/remove");
    expect_404(post_form(&app, &action, Some(&csrf), &[]).await, format!("POST {action}")).await;

    // Grace cannot hang her achievement on Ada's role or project.
    let (role_id, project_id) = (ids[0].1.as_str(), ids[2].1.as_str());
    let response = app
        .submit(
            "/achievements/new",
            "/achievements",
            &[("title", "Borrowed glory"), ("experience_id", role_id), ("project_id", project_id)],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains(&field_error("experience_id", "Choose one of your experiences.")));
    assert!(html.contains(&field_error("project_id", "Choose one of your projects.")));
    assert_hidden(&html, "the refused achievement form");
    let (status, answer) = grace
        .post("/achievements", json!({"title": "Borrowed glory", "experience_id": role_id, "project_id": project_id}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(answer["error"]["fields"]["experience_id"], "Choose one of your experiences.");
    assert_eq!(answer["error"]["fields"]["project_id"], "Choose one of your projects.");
    let mine = grace.create("/achievements", json!({"title": "Cut pager noise"})).await;
    let (status, answer) = grace
        .patch(&format!("/achievements/{}", mine["id"].as_str().unwrap()), json!({"experience_id": role_id}))
        .await;
    assert_eq!((status, &answer["error"]["fields"]["experience_id"]), (422, &json!("Choose one of your experiences.")));

    // Nothing of Ada's shows in any of Grace's lists, filtered or not.
    let mut pages = vec!["/labels".to_owned(), "/achievements/new".to_owned(), "/journal/new".to_owned()];
    for (path, _) in KINDS {
        for query in ["", "?label=Acquisition-Talks", "?label=acquisition-talks", "?label=Rust", "?page=2"] {
            pages.push(format!("/{path}{query}"));
        }
    }
    for url in &pages {
        // A filtered list repeats the label asked for; that is Grace's own words, not Ada's data.
        let html = page(&app, url).await.replace("Acquisition-Talks", "").replace("acquisition-talks", "");
        assert_hidden(&html, url);
    }
    for path in [
        "/experiences",
        "/skills",
        "/projects",
        "/achievements",
        "/education",
        "/certifications",
        "/journal",
        "/labels",
        "/profile",
    ] {
        for query in ["", "?label=Acquisition-Talks"] {
            let (status, answer) = grace.get(&format!("{path}{query}")).await;
            assert_eq!(status, 200);
            assert_hidden(&answer.to_string(), path);
        }
    }
    assert_eq!(grace.get("/experiences?label=acquisition-talks").await.1["total"], 0);
    assert_eq!(grace.get("/experiences").await.1["total"], 1);

    // Ids that are not ids are simply not found.
    for bad in ["not-a-uuid", "12345", "1%27%20OR%20%271%27%3D%271", "%00", &"9".repeat(500)] {
        for (path, _) in KINDS {
            for url in [format!("/{path}/{bad}"), format!("/{path}/{bad}/edit")] {
                assert_eq!(app.get(&url).await.status(), 404, "GET {url}");
            }
            for action in [
                format!("/{path}/{bad}"),
                format!("/{path}/{bad}/delete"),
                format!("/{path}/{own}/labels/{bad}/remove"),
            ] {
                expect_404(post_form(&app, &action, Some(&csrf), VALID_FOR_EVERY_KIND).await, format!("POST {action}"))
                    .await;
            }
            let url = format!("/{path}/{bad}");
            for method in [Method::GET, Method::DELETE] {
                assert_eq!(grace.call(method.clone(), &url, None).await.0, 404, "{method} /api/v1{url}");
            }
            assert_eq!(grace.patch(&url, json!({})).await.0, 404, "PATCH /api/v1{url}");
        }
        assert_eq!(app.get(&format!("/labels/{bad}")).await.status(), 404);
        assert_eq!(post_form(&app, &format!("/labels/{bad}/delete"), Some(&csrf), &[]).await.status(), 404);
        assert_eq!(grace.get(&format!("/labels/{bad}")).await.0, 404);
        let preview = format!("/journal/preview?id={bad}");
        assert_eq!(post_form(&app, &preview, Some(&csrf), &[("body", "x")]).await.status(), 404, "{preview}");
    }

    // Ada's record is exactly as she left it.
    assert_eq!(ada.everything().await, before, "Ada's data is unchanged");
    for (_, table) in KINDS {
        let owners = app.scalar(&format!("SELECT COUNT(DISTINCT user_id) FROM {table}")).await;
        assert!(owners <= 2, "{table}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM experiences").await, 2);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM labels").await, 2);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM record_labels WHERE label_id = '{label_id}'")).await, 7);
}

// ---- 7. profile ----

async fn the_profile_is_saved_and_usernames_are_checked(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let ada = api_for(&app).await;
    let profile = [
        ("display_name", "Ada Lovelace"),
        ("job_title", "Principal Engineer"),
        ("region", "Yorkshire"),
        ("bio", "Builds reliable payment systems.\nMentors new engineers."),
        ("username", " Ada-Lovelace "),
    ];
    let saved = app.submit("/settings/profile", "/settings/profile", &profile).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&saved), "/settings/profile?notice=profile_saved");
    let html = page(&app, "/settings/profile?notice=profile_saved").await;
    for value in [
        r#"value="Ada Lovelace""#,
        r#"value="Principal Engineer""#,
        r#"value="Yorkshire""#,
        r#"value="ada-lovelace""#,
        ">Builds reliable payment systems.\nMentors new engineers.</textarea>",
    ] {
        assert!(html.contains(value), "the profile shows {value:?}");
    }
    assert!(!html.contains(r#"id="photo_public" name="photo_public" type="checkbox" value="on" checked"#));
    let (status, me) = ada.get("/profile").await;
    assert_eq!(status, 200);
    assert_eq!(
        me,
        json!({"username": "ada-lovelace", "display_name": "Ada Lovelace", "job_title": "Principal Engineer",
               "region": "Yorkshire", "bio": "Builds reliable payment systems.\nMentors new engineers.",
               "photo_public": false, "resume_public": false, "journal_public": false, "allow_indexing": false,
               "email": "", "email_public": false, "phone": "", "phone_public": false, "url": "", "url_public": false,
               "profiles": [], "languages": []})
    );

    let with_username = |name: &'static str| {
        [("display_name", "Ada King"), ("job_title", "Principal Engineer"), ("region", "Yorkshire"), ("username", name)]
    };
    for (name, message) in [
        ("ab", "A username has 3 to 30 characters."),
        ("a-very-long-username-of-31-char", "A username has 3 to 30 characters."),
        ("admin", "“admin” is reserved. Choose another username."),
        ("Settings", "“settings” is reserved. Choose another username."),
        ("ada lovelace", "Use only letters a–z, digits and hyphens."),
        ("adä", "Use only letters a–z, digits and hyphens."),
        ("ada_l", "Use only letters a–z, digits and hyphens."),
        ("1ada", "Start with a letter, and do not end with or repeat a hyphen."),
        ("ada--l", "Start with a letter, and do not end with or repeat a hyphen."),
    ] {
        let response = app.submit("/settings/profile", "/settings/profile", &with_username(name)).await;
        assert_eq!(response.status(), 422, "{name:?}");
        let html = response.text().await.unwrap();
        assert!(html.contains(&field_error("username", message)), "{name:?}: {message}\n{html}");
        assert!(html.contains(r#"value="Ada King""#), "what was typed is kept");
        assert!(html.contains(&format!(r#"value="{name}""#)));
        let (status, answer) = ada.patch("/profile", json!({"username": name})).await;
        assert_eq!((status, &answer["error"]["fields"]["username"]), (422, &json!(message)), "PATCH {name:?}");
    }
    assert_eq!(text(&app, "SELECT display_name FROM profiles").await, "Ada Lovelace", "nothing was saved");
    let (status, answer) = ada.patch("/profile", json!({"display_name": "D".repeat(101)})).await;
    assert_eq!(
        (status, &answer["error"]["fields"]["display_name"]),
        (422, &json!("At most 100 characters, please (this has 101)."))
    );
    let (status, answer) = ada.patch("/profile", json!({"tagline": "hi"})).await;
    assert_eq!((status, &answer["error"]["code"]), (400, &json!("invalid_json")));

    // PATCH changes only what is sent; null clears.
    let (status, me) = ada.patch("/profile", json!({"job_title": "CTO", "bio": null, "photo_public": true})).await;
    assert_eq!(status, 200, "{me}");
    assert_has(
        &me,
        &json!({"job_title": "CTO", "bio": "", "photo_public": true, "display_name": "Ada Lovelace", "username": "ada-lovelace"}),
        "PATCH /profile",
    );
    assert!(page(&app, "/settings/profile").await.contains(r#"value="CTO""#));

    // Somebody else's username is taken, in any case.
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let grace = api_for(&app).await;
    for name in ["ada-lovelace", "ADA-Lovelace"] {
        let response = app
            .submit("/settings/profile", "/settings/profile", &[("display_name", "Grace Hopper"), ("username", name)])
            .await;
        assert_eq!(response.status(), 422, "{name}");
        let html = response.text().await.unwrap();
        assert!(html.contains(&field_error("username", "This username is taken. Choose another one.")), "{html}");
        assert!(html.contains(r#"value="Grace Hopper""#));
    }
    let (status, answer) = grace.patch("/profile", json!({"username": "ada-lovelace"})).await;
    assert_eq!(status, 422);
    assert_eq!(answer["error"]["fields"]["username"], "This username is taken. Choose another one.");
    let saved = app
        .submit(
            "/settings/profile",
            "/settings/profile",
            &[("display_name", "Grace Hopper"), ("username", "grace-hopper")],
        )
        .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(grace.get("/profile").await.1["username"], "grace-hopper");
    let (status, answer) = ada.patch("/profile", json!({"username": "grace-hopper"})).await;
    assert_eq!(
        (status, &answer["error"]["fields"]["username"]),
        (422, &json!("This username is taken. Choose another one."))
    );
    // Clearing a username frees it.
    let (status, me) = ada.patch("/profile", json!({"username": null})).await;
    assert_eq!((status, &me["username"]), (200, &Value::Null));
    let (status, me) = grace.patch("/profile", json!({"username": "ada-lovelace"})).await;
    assert_eq!((status, &me["username"]), (200, &json!("ada-lovelace")));
}

// ---- 8. CSRF (promise 8) ----

async fn promise_8_every_career_form_post_without_the_csrf_token_is_refused(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let labels = json!(["Rust"]);
    let mut ids = Vec::new();
    for (path, body) in [
        (
            "experiences",
            json!({"role": "Staff Engineer", "company": "Northwind", "start_date": "2019", "current": true}),
        ),
        ("skills", json!({"name": "Rust"})),
        ("projects", json!({"name": "Invoice parser"})),
        ("achievements", json!({"title": "Cut cloud spend by 38%"})),
        ("journal", json!({"title": "Sprint review", "body": "Demoed search."})),
        ("education", json!({"institution": "University of Leeds"})),
        ("certifications", json!({"name": "Certified Kubernetes Administrator"})),
    ] {
        let mut body = body;
        body["labels"] = labels.clone();
        ids.push((path, api.create(&format!("/{path}"), body).await["id"].as_str().unwrap().to_owned()));
    }
    let label = api.get("/labels").await.1["items"][0]["id"].as_str().unwrap().to_owned();
    let before = api.everything().await;

    let mut routes = Vec::new();
    for (path, id) in &ids {
        routes.push(format!("/{path}"));
        routes.push(format!("/{path}/{id}"));
        routes.push(format!("/{path}/{id}/delete"));
        routes.push(format!("/{path}/{id}/labels/{label}/remove"));
    }
    routes.extend([
        "/labels".to_owned(),
        format!("/labels/{label}"),
        format!("/labels/{label}/delete"),
        "/settings/profile".to_owned(),
        "/journal/preview".to_owned(),
        "/journal/preview?fragment=1".to_owned(),
        format!("/journal/preview?id={}", ids[4].1),
    ]);
    // Another visitor's valid token is no good either.
    let stranger = app.new_browser();
    let html = stranger.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let foreign = csrf_token_in(&html).unwrap();
    let mut fields = VALID_FOR_EVERY_KIND.to_vec();
    fields.extend([("display_name", "Mallory"), ("username", "mallory")]);
    for route in &routes {
        for token in [None, Some(""), Some(foreign.as_str())] {
            let response = post_form(&app, route, token, &fields).await;
            let status = response.status();
            let html = response.text().await.unwrap();
            assert_eq!(status, 403, "POST {route} with token {token:?}");
            assert!(html.contains("This form could not be accepted"), "POST {route}: a friendly page");
        }
    }
    assert_eq!(api.everything().await, before, "nothing changed");
    // The same forms with the token go through.
    let csrf = csrf_of(&app).await;
    let (_, id) = &ids[1];
    let response = post_form(&app, &format!("/skills/{id}/labels/{label}/remove"), Some(&csrf), &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(post_form(&app, &format!("/skills/{id}/delete"), Some(&csrf), &[]).await.status(), 303);
}

/// README (API): "A PATCH changes only the fields sent, and `null` clears an optional field."
/// A required field sent as `null` is refused, not ignored.
async fn patch_with_null_clears_optional_fields_and_refuses_required_ones(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let role = api
        .create(
            "/experiences",
            json!({"role": "Staff Engineer", "company": "Contoso", "start_date": "2021", "current": true,
                   "highlights": ["Grew the team"], "labels": ["Leadership"]}),
        )
        .await;
    let url = format!("/experiences/{}", role["id"].as_str().unwrap());
    let (status, patched) = api.patch(&url, json!({"highlights": null, "labels": null})).await;
    assert_eq!(status, 200);
    assert_eq!((&patched["highlights"], &patched["labels"]), (&json!([]), &json!([])), "null clears them");
    let (status, refused) = api.patch(&url, json!({"role": null})).await;
    assert_eq!(status, 422);
    assert!(refused["error"]["fields"]["role"].is_string(), "{refused}");
}

/// Hostile sizes are refused quickly with a message: a list of a hundred thousand labels, and a
/// link that carries a password.
async fn enormous_label_lists_and_links_with_passwords_are_refused(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let names: Vec<String> = (0..100_000).map(|n| format!("label{n}")).collect();
    let (status, body) = api.post("/skills", json!({"name": "Rust", "labels": names})).await;
    assert_eq!(status, 422);
    assert!(body["error"]["fields"]["labels"].as_str().unwrap().contains("At most 20 labels"));
    let form_labels = names[..5000].join(",");
    let response = app.submit("/skills/new", "/skills", &[("name", "Go"), ("labels", form_labels.as_str())]).await;
    assert_eq!(response.status(), 422);
    let (status, body) =
        api.post("/projects", json!({"name": "Site", "url": "https://admin:hunter2@example.com"})).await;
    assert_eq!(status, 422);
    assert!(body["error"]["fields"]["url"].as_str().unwrap().contains("password"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM labels").await, 0);
}

/// The record page's own "Add a label" form: a new or existing label, once, with mistakes
/// explained beside the field; it works only on the user's own records and only with the token.
async fn a_label_is_added_from_the_record_page(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let id = add(&app, "projects", &[("name", "Query planner"), ("labels", "Rust")]).await;
    let show = format!("/projects/{id}");
    let added = app.submit(&show, &format!("{show}/labels"), &[("name", "Open source")]).await;
    assert_eq!(added.status(), 303);
    assert_eq!(location(&added), format!("{show}?notice=label_added#labels"));
    let again = app.submit(&show, &format!("{show}/labels"), &[("name", "open SOURCE")]).await;
    assert_eq!(again.status(), 303, "the same label again changes nothing");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM record_labels").await, 2);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM labels").await, 2);
    let html = page(&app, &show).await;
    assert!(html.contains("Open source") && html.contains("Rust"));

    let refused = app.submit(&show, &format!("{show}/labels"), &[("name", "a, b")]).await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("A label name cannot contain a comma.") && html.contains(r#"value="a, b""#), "{html}");

    assert_eq!(post_form(&app, &format!("{show}/labels"), None, &[("name", "Sneaky")]).await.status(), 403);
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let csrf = csrf_of(&app).await;
    let foreign = post_form(&app, &format!("{show}/labels"), Some(&csrf), &[("name", "Mine now")]).await;
    assert_eq!(foreign.status(), 404, "promise 18: not on another user's record");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM labels").await, 2);
}
