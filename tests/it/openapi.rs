//! The OpenAPI document tells the truth (issue 10, item 8): every operation it lists is called
//! with real, valid requests and with the usual mistakes; each JSON body sent must match the
//! operation's request schema, and each answer must have a status the document lists for the
//! operation and a body that matches that answer's schema. The routes the server has and the
//! routes the document lists are the same.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_databases;
use crate::support::TestApp;

on_both_databases!(every_documented_operation_answers_as_documented, the_server_and_the_document_list_the_same_routes);

/// The API's routes as the server has them (`src/web/api.rs`'s router, `src/web/routes.rs`'s
/// `record_api()` and each area's `api_routes()`). A new route must be added here and to the
/// document.
const SERVER_ROUTES: &[(&str, &str)] = &[
    ("GET", "/me"),
    ("PATCH", "/me"),
    ("GET", "/openapi.json"),
    ("GET", "/experiences"),
    ("POST", "/experiences"),
    ("GET", "/experiences/{id}"),
    ("PATCH", "/experiences/{id}"),
    ("DELETE", "/experiences/{id}"),
    ("GET", "/skills"),
    ("POST", "/skills"),
    ("GET", "/skills/{id}"),
    ("PATCH", "/skills/{id}"),
    ("DELETE", "/skills/{id}"),
    ("GET", "/projects"),
    ("POST", "/projects"),
    ("GET", "/projects/{id}"),
    ("PATCH", "/projects/{id}"),
    ("DELETE", "/projects/{id}"),
    ("GET", "/achievements"),
    ("POST", "/achievements"),
    ("GET", "/achievements/{id}"),
    ("PATCH", "/achievements/{id}"),
    ("DELETE", "/achievements/{id}"),
    ("GET", "/education"),
    ("POST", "/education"),
    ("GET", "/education/{id}"),
    ("PATCH", "/education/{id}"),
    ("DELETE", "/education/{id}"),
    ("GET", "/certifications"),
    ("POST", "/certifications"),
    ("GET", "/certifications/{id}"),
    ("PATCH", "/certifications/{id}"),
    ("DELETE", "/certifications/{id}"),
    ("GET", "/journal"),
    ("POST", "/journal"),
    ("GET", "/journal/{id}"),
    ("PATCH", "/journal/{id}"),
    ("DELETE", "/journal/{id}"),
    ("POST", "/journal/{id}/images"),
    ("DELETE", "/journal/{id}/images/{image_id}"),
    ("GET", "/labels"),
    ("POST", "/labels"),
    ("GET", "/labels/{id}"),
    ("PATCH", "/labels/{id}"),
    ("DELETE", "/labels/{id}"),
    ("POST", "/labels/suggestions"),
    ("POST", "/labels/link-suggestions"),
    ("POST", "/labels/link-batches"),
    ("DELETE", "/labels/link-batches/{id}"),
    ("GET", "/opportunities"),
    ("POST", "/opportunities"),
    ("GET", "/opportunities/{id}"),
    ("PATCH", "/opportunities/{id}"),
    ("DELETE", "/opportunities/{id}"),
    ("GET", "/opportunities/{id}/timeline"),
    ("POST", "/opportunities/{id}/timeline"),
    ("POST", "/journal/images"),
    ("GET", "/interviews/{id}/prep"),
    ("POST", "/interviews/{id}/prep"),
    ("DELETE", "/interviews/{id}/prep"),
    ("POST", "/opportunities/{id}/next-action/done"),
    ("POST", "/opportunities/{id}/next-action/snooze"),
    ("GET", "/tasks"),
    ("POST", "/tasks"),
    ("GET", "/tasks/{id}"),
    ("PATCH", "/tasks/{id}"),
    ("DELETE", "/tasks/{id}"),
    ("POST", "/tasks/{id}/snooze"),
    ("POST", "/opportunities/from-url"),
    ("GET", "/opportunities/{id}/offer"),
    ("PUT", "/opportunities/{id}/offer"),
    ("DELETE", "/opportunities/{id}/offer"),
    ("GET", "/opportunities/{id}/documents"),
    ("POST", "/opportunities/{id}/documents"),
    ("GET", "/opportunities/{id}/documents/{document_id}"),
    ("DELETE", "/opportunities/{id}/documents/{document_id}"),
    ("PUT", "/opportunities/{id}/contacts/{contact_id}"),
    ("DELETE", "/opportunities/{id}/contacts/{contact_id}"),
    ("GET", "/contacts"),
    ("POST", "/contacts"),
    ("GET", "/contacts/{id}"),
    ("PATCH", "/contacts/{id}"),
    ("DELETE", "/contacts/{id}"),
    ("GET", "/interviews"),
    ("POST", "/interviews"),
    ("GET", "/interviews/{id}"),
    ("PATCH", "/interviews/{id}"),
    ("DELETE", "/interviews/{id}"),
    ("PUT", "/interviews/{id}/interviewers/{contact_id}"),
    ("DELETE", "/interviews/{id}/interviewers/{contact_id}"),
    ("GET", "/notes"),
    ("POST", "/notes"),
    ("GET", "/notes/{id}"),
    ("PATCH", "/notes/{id}"),
    ("DELETE", "/notes/{id}"),
    ("GET", "/profile"),
    ("PATCH", "/profile"),
    ("GET", "/interview-prep"),
    ("PATCH", "/interview-prep"),
    ("GET", "/search"),
    ("POST", "/imports"),
    ("GET", "/imports/{id}"),
    ("DELETE", "/imports/{id}"),
    ("POST", "/imports/{id}/apply"),
    ("GET", "/resume.json"),
    ("GET", "/resume.docx"),
    ("GET", "/resume.pdf"),
    ("GET", "/export"),
];

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// What a request carries.
enum Body {
    None,
    /// A JSON body that must match the operation's request schema.
    Json(Value),
    /// A JSON body meant to be refused: not checked against the schema.
    BadJson(Value),
    /// Bytes sent as they are, with a content type.
    Raw(&'static str, &'static str),
    Multipart(Form),
}

/// Who is asking.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Auth {
    Token,
    Nobody,
}

/// The document, the server and what has been checked so far.
struct Checker<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
    token: String,
    doc: Value,
    /// `(METHOD, path template)` → the statuses it answered with.
    seen: BTreeMap<(String, String), BTreeSet<u16>>,
    checked_bodies: usize,
    /// Records created from their required fields alone.
    minimal_creates: usize,
}

impl<'a> Checker<'a> {
    fn operation(&self, method: &str, template: &str) -> &Value {
        let operation = &self.doc["paths"][template][method.to_ascii_lowercase()];
        assert!(operation.is_object(), "{method} {template} is not in the document");
        operation
    }

    /// `METHOD /path (operationId)`, for messages.
    fn label(&self, method: &str, template: &str) -> String {
        let id = self.operation(method, template)["operationId"].as_str().unwrap_or("no operationId");
        format!("{method} {template} ({id})")
    }

    /// Follow a `$ref` to `#/components/…`.
    fn resolve<'v>(&'v self, value: &'v Value) -> &'v Value {
        match value["$ref"].as_str() {
            Some(reference) => {
                let pointer = reference.strip_prefix('#').expect("a local reference");
                self.doc.pointer(pointer).unwrap_or_else(|| panic!("{reference} is not in the document"))
            }
            None => value,
        }
    }

    /// A validator for `schema`, with the document's components at hand for `$ref`s.
    fn validator(&self, what: &str, schema: &Value) -> jsonschema::Validator {
        let mut root = schema.clone();
        let object = root.as_object_mut().unwrap_or_else(|| panic!("{what}: the schema is not an object: {schema}"));
        object.insert("components".into(), self.doc["components"].clone());
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("{what}: the schema does not compile: {e}\nschema: {schema:#}"))
    }

    fn accepts(&self, schema: &Value, instance: &Value) -> bool {
        self.validator("a request schema", schema).is_valid(instance)
    }

    /// Check `instance` against `schema`.
    fn validate(&mut self, what: &str, schema: &Value, instance: &Value) {
        let validator = self.validator(what, schema);
        let errors: Vec<String> =
            validator.iter_errors(instance).map(|e| format!("  at `{}`: {e}", e.instance_path())).collect();
        assert!(
            errors.is_empty(),
            "{what} does not match its schema\ninstance: {instance:#}\nschema: {schema:#}\nerrors:\n{}",
            errors.join("\n")
        );
        self.checked_bodies += 1;
    }

    /// The path with `{…}` placeholders filled in order.
    fn fill(template: &str, ids: &[&str]) -> String {
        let mut path = String::new();
        let mut ids = ids.iter();
        for segment in template.split('/').skip(1) {
            path.push('/');
            if segment.starts_with('{') {
                path.push_str(ids.next().unwrap_or_else(|| panic!("an id for {segment} in {template}")));
            } else {
                path.push_str(segment);
            }
        }
        assert!(ids.next().is_none(), "too many ids for {template}");
        path
    }

    /// Send a request to a documented operation and check the answer against the document:
    /// its status must be listed, its body must match the listed schema (or be empty when none
    /// is listed) and its required headers must be there. Answers the status and the JSON.
    async fn call(
        &mut self,
        method: &str,
        template: &str,
        ids: &[&str],
        query: &[(&str, &str)],
        body: Body,
        auth: Auth,
    ) -> (u16, Value) {
        let label = self.label(method, template);
        let operation = self.operation(method, template).clone();
        let server = self.doc["servers"][0]["url"].as_str().unwrap_or("").to_owned();
        let url = self.app.url(&format!("{server}{}", Self::fill(template, ids)));
        let mut request = self.http.request(Method::from_bytes(method.as_bytes()).unwrap(), url).query(query);
        if auth == Auth::Token {
            request = request.bearer_auth(&self.token);
        }
        let sent = match body {
            Body::None => None,
            Body::Json(value) => {
                let schema = operation["requestBody"]["content"]["application/json"]["schema"].clone();
                assert!(schema.is_object(), "{label}: sends a JSON body, but the document describes none");
                self.validate(&format!("the request body of {label}"), &schema, &value);
                request = request.json(&value);
                Some(value.to_string())
            }
            Body::BadJson(value) => {
                request = request.json(&value);
                Some(value.to_string())
            }
            Body::Raw(content_type, text) => {
                request = request.header("content-type", content_type).body(text);
                Some(text.to_owned())
            }
            Body::Multipart(form) => {
                assert!(
                    operation["requestBody"]["content"]["multipart/form-data"].is_object(),
                    "{label}: sends a multipart body, but the document describes none"
                );
                request = request.multipart(form);
                Some("(multipart)".to_owned())
            }
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let context = || format!("{label} with {sent:?} answered {status}: {text}");

        let documented = &operation["responses"][status.to_string()];
        let documented = if documented.is_object() { documented } else { &operation["responses"]["default"] };
        assert!(documented.is_object(), "{}: status {status} is not documented", context());
        let documented = self.resolve(documented).clone();
        for (name, header) in documented["headers"].as_object().into_iter().flatten() {
            if self.resolve(header)["required"] == true {
                assert!(headers.contains_key(name.as_str()), "{}: the {name} header is missing", context());
            }
        }
        let content = documented["content"].as_object().cloned().unwrap_or_default();
        let json = if let Some(media) = content.get("application/json") {
            let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
            assert!(content_type.starts_with("application/json"), "{}: content type {content_type:?}", context());
            let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON ({e})", context()));
            if media["schema"].is_object() {
                self.validate(&format!("the {status} answer of {label}"), &media["schema"], &value);
            }
            value
        } else if let Some(media) = content.keys().find(|m| m.as_str() != "application/json") {
            // A download (a document, the export's ZIP): the type the document lists, and something in it.
            let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
            assert!(content_type.starts_with(media.as_str()), "{label}: content type {content_type:?}, not {media}");
            assert!(!text.is_empty(), "{label}: an empty download");
            Value::Null
        } else {
            assert!(text.is_empty(), "{}: the document lists no body", context());
            Value::Null
        };
        self.seen.entry((method.to_owned(), template.to_owned())).or_default().insert(status);
        (status, json)
    }

    async fn get(&mut self, template: &str, ids: &[&str]) -> Value {
        self.expect(200, "GET", template, ids, Body::None).await
    }

    /// A call with the token that must answer `status`.
    async fn expect(&mut self, status: u16, method: &str, template: &str, ids: &[&str], body: Body) -> Value {
        let (answered, value) = self.call(method, template, ids, &[], body, Auth::Token).await;
        assert_eq!(answered, status, "{} answered {answered}: {value:#}", self.label(method, template));
        value
    }

    async fn list(&mut self, template: &str, query: &[(&str, &str)]) -> Value {
        let (status, value) = self.call("GET", template, &[], query, Body::None, Auth::Token).await;
        assert_eq!(status, 200, "GET {template}?{query:?}: {value:#}");
        value
    }

    /// Create a record. First with only the fields the create schema requires, when the schema
    /// accepts that on its own: the server must too (then that record is deleted again).
    async fn create(&mut self, collection: &str, body: Value) -> String {
        let schema = self.json_body_schema("POST", collection).expect("a create operation reads JSON");
        let required = required_fields(&schema);
        let minimal: serde_json::Map<String, Value> = body
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| required.contains(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let minimal = Value::Object(minimal);
        if self.accepts(&schema, &minimal) {
            let created = self.expect(201, "POST", collection, &[], Body::Json(minimal)).await;
            let id = created["id"].as_str().unwrap().to_owned();
            self.expect(204, "DELETE", &format!("{collection}/{{id}}"), &[&id], Body::None).await;
            self.minimal_creates += 1;
        }
        let created = self.expect(201, "POST", collection, &[], Body::Json(body.clone())).await;
        for (field, sent) in body.as_object().unwrap() {
            if let (Some(answered), false) = (created.get(field), field == "labels") {
                if sent.is_string() || sent.is_boolean() || sent.is_number() {
                    assert!(
                        answered == sent || field.ends_with("url") || field == "time_zone",
                        "POST {collection}: {field} was {sent}, answered {answered}"
                    );
                }
            }
        }
        created["id"].as_str().expect("the new record has an id").to_owned()
    }

    fn operations(&self) -> Vec<(String, String)> {
        let mut all = Vec::new();
        for (path, item) in self.doc["paths"].as_object().expect("paths") {
            for method in METHODS {
                if item[method.to_ascii_lowercase()].is_object() {
                    all.push((method.to_owned(), path.clone()));
                }
            }
        }
        all
    }

    fn json_body_schema(&self, method: &str, template: &str) -> Option<Value> {
        let schema = &self.operation(method, template)["requestBody"]["content"]["application/json"]["schema"];
        schema.is_object().then(|| self.resolve(schema).clone())
    }
}

/// The fields a request schema requires, also inside `allOf`.
fn required_fields(schema: &Value) -> Vec<String> {
    let own = schema["required"].as_array().into_iter().flatten().map(|f| f.as_str().unwrap().to_owned());
    let parts = schema["allOf"].as_array().into_iter().flatten().flat_map(required_fields);
    own.chain(parts).collect()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 7 % 256) as u8, (y % 256) as u8, 90]));
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(image).write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
    bytes
}

fn image_form() -> Form {
    Form::new()
        .text("alt_text", "The release party")
        .part("image", Part::bytes(png(32, 24)).file_name("party.png").mime_str("image/png").unwrap())
}

async fn checker(app: &TestApp) -> Checker<'_> {
    app.signed_up_user("ada@example.com").await;
    let token = crate::api::create_token(app, "OpenAPI check").await;
    let http = reqwest::Client::new();
    let response = http.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.unwrap();
    Checker { app, http, token, doc, seen: BTreeMap::new(), checked_bodies: 0, minimal_creates: 0 }
}

async fn every_documented_operation_answers_as_documented(app: TestApp) {
    // With the recording fake as the AI provider, so that AI operations can succeed too.
    let fake = careerlog::integrations::ai::fake::FakeAi::new();
    // Job postings are read from a board on loopback, which this instance may fetch from.
    let app =
        TestApp::spawn_with_ai(app.backend, &["--url-fetch-allow-private"], Some(std::sync::Arc::new(fake.clone())))
            .await
            .unwrap();
    let board = crate::job_postings::JobBoard::start().await;
    let mut c = checker(&app).await;

    // ---- create one record of each kind, with what a person would really send ----
    let label = c.create("/labels", json!({"name": "Rust", "colour": "#2f6fde", "is_public": true})).await;
    let experience = c
        .create(
            "/experiences",
            json!({
                "role": "Staff Engineer", "company": "Acme", "location": "Berlin", "start_date": "2021-03",
                "current": true, "description": "Platform team lead.",
                "highlights": ["Cut deploy time from 40 to 6 minutes", "Mentored four engineers"],
                "on_resume": true, "labels": ["Rust", "Leadership"],
            }),
        )
        .await;
    let skill = c
        .create(
            "/skills",
            json!({"name": "Rust", "category": "Languages", "level": "expert", "on_resume": true, "labels": ["Rust"]}),
        )
        .await;
    let project = c
        .create(
            "/projects",
            json!({
                "name": "tidy-csv", "role": "Maintainer", "kind": "Open source",
                "description": "A CSV cleaner.", "url": "https://github.com/example/tidy-csv",
                "start_date": "2020", "end_date": "2022-06", "on_resume": true, "labels": ["Rust"],
            }),
        )
        .await;
    let achievement = c
        .create(
            "/achievements",
            json!({
                "title": "Led the migration to Kubernetes", "date": "2023-05", "description": "Zero downtime.",
                "experience_id": experience, "project_id": project, "on_resume": true, "labels": [],
            }),
        )
        .await;
    let education = c
        .create(
            "/education",
            json!({
                "institution": "University of Leeds", "area": "Computer Science", "study_type": "BSc",
                "start_date": "2012-09", "end_date": "2015-06", "score": "First class",
                "url": "https://www.leeds.ac.uk", "courses": ["Algorithms", "Compilers"],
                "description": "Thesis on query planning.", "on_resume": true, "labels": ["Rust"],
            }),
        )
        .await;
    let certification = c
        .create(
            "/certifications",
            json!({
                "name": "Certified Kubernetes Administrator", "issuer": "CNCF", "date": "2023-05",
                "url": "https://www.credly.com/badges/cka", "on_resume": true, "labels": [],
            }),
        )
        .await;
    let entry = c
        .create(
            "/journal",
            json!({
                "title": "Shipped v2", "entry_date": "2026-03-15", "body": "# Release\n\nIt **went** well.",
                "is_public": false, "labels": ["Rust"],
            }),
        )
        .await;
    let opportunity = c
        .create(
            "/opportunities",
            json!({
                "company": "Globex", "role": "Principal Engineer", "description": "Build the platform.",
                "posting_url": "https://jobs.example.com/42", "location": "Remote, EU", "work_mode": "remote",
                "salary_min": 90000, "salary_max": 120000, "currency": "EUR", "source": "Referral",
                "status": "applied", "applied_on": "2026-03-01", "next_action": "Follow up with the recruiter",
                "next_action_due": "2026-03-10", "labels": ["Rust"],
            }),
        )
        .await;
    let contact = c
        .create(
            "/contacts",
            json!({
                "name": "Grace Hopper", "company": "Globex", "role": "Recruiter", "email": "grace@example.com",
                "phone": "+49 30 1234567", "links": ["https://www.linkedin.com/in/example"],
                "how_we_met": "RustConf", "notes": "Prefers email.", "labels": ["Leadership"],
            }),
        )
        .await;
    let interview = c
        .create(
            "/interviews",
            json!({
                "opportunity_id": opportunity, "round_name": "First round", "kind": "technical",
                "start": "2026-04-01T14:00", "time_zone": "Europe/Berlin", "duration_minutes": 45,
                "location": "Video call", "meeting_url": "https://meet.example.com/abc",
                "prep_notes": "Review the system design.", "outcome": "pending", "labels": ["Rust"],
            }),
        )
        .await;
    let note = c
        .create(
            "/notes",
            json!({"subject_kind": "opportunity", "subject_id": opportunity, "body": "They use Rust and Go."}),
        )
        .await;
    let task = c
        .create(
            "/tasks",
            json!({"title": "Send the portfolio", "due_on": "2026-03-12", "done": false,
                   "opportunity_id": opportunity, "notes": "The PDF, not the link."}),
        )
        .await;
    let records = [
        ("/labels", label.clone()),
        ("/experiences", experience.clone()),
        ("/skills", skill.clone()),
        ("/projects", project.clone()),
        ("/achievements", achievement.clone()),
        ("/education", education.clone()),
        ("/certifications", certification.clone()),
        ("/journal", entry.clone()),
        ("/opportunities", opportunity.clone()),
        ("/contacts", contact.clone()),
        ("/interviews", interview.clone()),
        ("/notes", note.clone()),
        ("/tasks", task.clone()),
    ];

    // ---- lists and reads ----
    for (collection, id) in &records {
        let page = c.list(collection, &[]).await;
        assert!(page["items"].as_array().unwrap().iter().any(|item| item["id"] == *id.as_str()), "{collection}");
        c.get(&format!("{collection}/{{id}}"), &[id]).await;
    }
    let page = c.list("/experiences", &[("label", "rust"), ("page", "1"), ("per_page", "10")]).await;
    assert_eq!(page["total"], 1);
    let page = c.list("/opportunities", &[("status", "applied")]).await;
    assert_eq!(page["total"], 1);
    let page = c.list("/interviews", &[("opportunity", &opportunity)]).await;
    assert_eq!(page["total"], 1);
    let page = c.list("/notes", &[("about", &opportunity)]).await;
    assert_eq!(page["total"], 1);
    // Its next action, written with it, is one of its tasks.
    let page = c.list("/tasks", &[("opportunity", &opportunity)]).await;
    assert_eq!(page["total"], 2);
    let page = c.list("/labels", &[("page", "2"), ("per_page", "1")]).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);

    // ---- changes ----
    let changes = [
        ("/labels", &label, json!({"colour": null, "is_public": false})),
        ("/experiences", &experience, json!({"current": false, "end_date": "2024-01", "labels": ["Rust"]})),
        ("/skills", &skill, json!({"level": null, "category": "Systems languages"})),
        ("/projects", &project, json!({"url": null, "end_date": null})),
        ("/achievements", &achievement, json!({"project_id": null, "date": "2023"})),
        ("/education", &education, json!({"courses": null, "end_date": null, "score": "2:1"})),
        ("/certifications", &certification, json!({"url": null, "date": "2024-05-02", "on_resume": false})),
        ("/journal", &entry, json!({"is_public": true, "body": "Edited."})),
        ("/opportunities", &opportunity, json!({"status": "interviewing", "salary_max": null, "work_mode": "hybrid"})),
        ("/contacts", &contact, json!({"email": null, "links": []})),
        (
            "/interviews",
            &interview,
            json!({"debrief_summary": "Went well.", "outcome": "passed", "duration_minutes": 60}),
        ),
        ("/notes", &note, json!({"body": "They use Rust, Go and a little Elixir."})),
        ("/tasks", &task, json!({"due_on": null, "title": "Send the portfolio and the talk"})),
    ];
    for (collection, id, body) in changes {
        let changed = c.expect(200, "PATCH", &format!("{collection}/{{id}}"), &[id], Body::Json(body.clone())).await;
        for (field, value) in body.as_object().unwrap() {
            if value.is_boolean() || value.is_number() || (value.is_string() && field != "body") {
                assert_eq!(&changed[field], value, "PATCH {collection}: {field}");
            }
        }
    }

    // ---- the job search beyond records ----
    let timeline = c.get("/opportunities/{id}/timeline", &[&opportunity]).await;
    assert!(timeline.as_array().unwrap().len() >= 2, "created and status changed: {timeline:#}");
    let entry_body = json!({"kind": "email", "body": "Sent a thank-you note."});
    let timeline = c.expect(201, "POST", "/opportunities/{id}/timeline", &[&opportunity], Body::Json(entry_body)).await;
    assert!(timeline.as_array().unwrap().iter().any(|e| e["kind"] == "email"));
    let snoozed = c
        .expect(200, "POST", "/opportunities/{id}/next-action/snooze", &[&opportunity], Body::Json(json!({"days": 3})))
        .await;
    assert_eq!(snoozed["next_action"], "Follow up with the recruiter");
    // Done: the opportunity's next open task (the one added above) becomes its next action.
    let done = c.expect(200, "POST", "/opportunities/{id}/next-action/done", &[&opportunity], Body::None).await;
    assert_eq!(done["next_action"], "Send the portfolio and the talk");
    let put_off = c.expect(200, "POST", "/tasks/{id}/snooze", &[&task], Body::Json(json!({"days": 7}))).await;
    assert!(put_off["due_on"].is_string(), "{put_off}");

    // ---- its offer and documents (issue 19, item 4) ----
    let offer_body = json!({
        "base_amount": 95000, "base_currency": "EUR", "base_period": "year", "bonus": "10%",
        "equity": "0.1% over 4 years", "benefits": "30 days of holiday", "starts_on": "2027-03-01",
        "decide_by": "2027-01-15",
    });
    let offer = c.expect(200, "PUT", "/opportunities/{id}/offer", &[&opportunity], Body::Json(offer_body)).await;
    assert_eq!((offer["base_amount"].as_i64(), offer["base_currency"].as_str()), (Some(95000), Some("EUR")));
    assert_eq!(c.get("/opportunities/{id}/offer", &[&opportunity]).await["bonus"], "10%");
    let no_currency = Body::BadJson(json!({"base_amount": 5000}));
    let (status, body) =
        c.call("PUT", "/opportunities/{id}/offer", &[&opportunity], &[], no_currency, Auth::Token).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["fields"]["base_currency"].is_string());
    let letter = Form::new().text("kind", "offer_letter").text("note", "Signed copy").part(
        "file",
        Part::bytes(b"%PDF-1.4\n% the offer\n".to_vec()).file_name("offer.pdf").mime_str("application/pdf").unwrap(),
    );
    let document =
        c.expect(201, "POST", "/opportunities/{id}/documents", &[&opportunity], Body::Multipart(letter)).await;
    assert_eq!((document["kind"].as_str(), document["file_name"].as_str()), (Some("offer_letter"), Some("offer.pdf")));
    let document_id = document["id"].as_str().unwrap().to_owned();
    let not_a_document = Form::new().text("kind", "other").part(
        "file",
        Part::bytes(b"MZ\x90\x00\x03\x00".to_vec()).file_name("cv.pdf").mime_str("application/pdf").unwrap(),
    );
    let (status, body) = c
        .call(
            "POST",
            "/opportunities/{id}/documents",
            &[&opportunity],
            &[],
            Body::Multipart(not_a_document),
            Auth::Token,
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["fields"]["file"].is_string());
    let listed = c.get("/opportunities/{id}/documents", &[&opportunity]).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    c.get("/opportunities/{id}/documents/{document_id}", &[&opportunity, &document_id]).await;
    for template in ["/opportunities/{id}/contacts/{contact_id}", "/interviews/{id}/interviewers/{contact_id}"] {
        let record = if template.starts_with("/opportunities") { &opportunity } else { &interview };
        c.expect(204, "PUT", template, &[record, &contact], Body::None).await;
        c.expect(204, "PUT", template, &[record, &contact], Body::None).await;
    }
    let with_interviewer = c.get("/interviews/{id}", &[&interview]).await;
    assert_eq!(with_interviewer["interviewers"][0]["id"], *contact.as_str());

    // ---- AI interview preparation (the fake provider) ----
    let material = json!({"achievement_ids": [achievement], "journal_entry_ids": [entry]});
    let prep = c.expect(201, "POST", "/interviews/{id}/prep", &[&interview], Body::Json(material)).await;
    assert_eq!(prep["sources"].as_array().unwrap().len(), 2);
    assert_eq!(c.get("/interviews/{id}/prep", &[&interview]).await["id"], prep["id"]);
    c.expect(204, "DELETE", "/interviews/{id}/prep", &[&interview], Body::None).await;
    c.expect(201, "POST", "/interviews/{id}/prep", &[&interview], Body::Json(json!({}))).await;

    // ---- resume import ----
    let resume =
        "# Grace Hopper\n\n## Experience\n\n### Rear Admiral — US Navy\n*Jan 1967 – Aug 1986*\n\n- Led COBOL work\n";
    let form = || Form::new().part("file", Part::bytes(resume.as_bytes().to_vec()).file_name("cv.md"));
    let import = c.expect(201, "POST", "/imports", &[], Body::Multipart(form())).await;
    let import_id = import["id"].as_str().unwrap().to_owned();
    let row = import["rows"].as_array().unwrap().iter().find(|r| r["kind"] == "experience").unwrap()["id"].clone();
    assert_eq!(c.get("/imports/{id}", &[&import_id]).await["id"], import["id"]);
    let kept = json!({"rows": [{"id": row, "fields": {"location": "Arlington"}}]});
    let applied = c.expect(201, "POST", "/imports/{id}/apply", &[&import_id], Body::Json(kept)).await;
    let imported = applied["created"][0]["id"].as_str().unwrap().to_owned();
    c.expect(204, "DELETE", "/experiences/{id}", &[&imported], Body::None).await;
    let import = c.expect(201, "POST", "/imports", &[], Body::Multipart(form())).await;
    c.expect(204, "DELETE", "/imports/{id}", &[import["id"].as_str().unwrap()], Body::None).await;
    c.expect(200, "GET", "/export", &[], Body::None).await;
    let document = c.get("/resume.json", &[]).await;
    assert!(document["$schema"].as_str().unwrap().contains("v1.0.0"));
    c.get("/resume.docx", &[]).await;
    c.get("/resume.pdf", &[]).await;
    // One waits, for the mistakes below.
    let import = c.expect(201, "POST", "/imports", &[], Body::Multipart(form())).await;
    let pending_import = import["id"].as_str().unwrap().to_owned();

    // ---- labels by AI (the fake provider) ----
    fake.answer(r#"{"suggestions": [{"name": "Platform", "reason": "The platform team."}]}"#);
    let suggested =
        c.expect(200, "POST", "/labels/suggestions", &[], Body::Json(json!({"category": "Technical skills"}))).await;
    assert_eq!(suggested["suggestions"][0]["name"], "Platform");
    fake.answer(
        json!({"records": [{"id": experience, "labels": [{"name": "Rust", "reason": "Its stack."}]}]}).to_string(),
    );
    let one = json!({"kind": "experience", "id": experience});
    c.expect(200, "POST", "/labels/link-suggestions", &[], Body::Json(one)).await;
    fake.answer(
        json!({"records": [{"id": project, "labels": [{"name": "Rust", "reason": "Written in it."}]}]}).to_string(),
    );
    let batch = c.expect(201, "POST", "/labels/link-batches", &[], Body::None).await;
    let batch_id = batch["id"].as_str().unwrap().to_owned();
    c.expect(204, "DELETE", "/labels/link-batches/{id}", &[&batch_id], Body::None).await;

    // ---- journal images ----
    let draft = c.expect(201, "POST", "/journal/images", &[], Body::Multipart(image_form())).await;
    assert!(draft["url"].as_str().unwrap().starts_with("/files/"));
    let image = c.expect(201, "POST", "/journal/{id}/images", &[&entry], Body::Multipart(image_form())).await;
    let image_id = image["id"].as_str().unwrap().to_owned();
    let with_image = c.get("/journal/{id}", &[&entry]).await;
    assert_eq!(with_image["images"][0]["id"], *image_id.as_str());
    let not_an_image = Form::new().part("image", Part::bytes(b"<html>".to_vec()).file_name("x.png"));
    let (status, _) =
        c.call("POST", "/journal/{id}/images", &[&entry], &[], Body::Multipart(not_an_image), Auth::Token).await;
    assert_eq!(status, 422);

    // ---- the account ----
    let me = c.get("/me", &[]).await;
    assert_eq!(me["email"], "ada@example.com");
    let preferences = json!({"time_zone": "Europe/Berlin", "default_currency": "eur"});
    let me = c.expect(200, "PATCH", "/me", &[], Body::Json(preferences)).await;
    assert_eq!((me["time_zone"].as_str(), me["default_currency"].as_str()), (Some("Europe/Berlin"), Some("EUR")));
    c.expect(200, "PATCH", "/me", &[], Body::Json(json!({"default_currency": null}))).await;
    c.get("/profile", &[]).await;
    let profile = json!({
        "username": "ada-lovelace", "display_name": "Ada Lovelace", "job_title": "Staff Engineer",
        "region": "Berlin", "bio": "I build platforms.", "photo_public": false, "resume_public": true,
        "journal_public": false, "allow_indexing": false,
    });
    let saved = c.expect(200, "PATCH", "/profile", &[], Body::Json(profile)).await;
    assert_eq!(saved["username"], "ada-lovelace");
    c.get("/interview-prep", &[]).await;
    let found = c.list("/search", &[("q", "staff engin")]).await;
    assert!(found["total"].as_i64().unwrap() >= 1, "{found:#}");
    let texts = json!({"resume_text": "Ada Lovelace\nStaff Engineer", "linkedin_summary": "I build platforms."});
    let saved = c.expect(200, "PATCH", "/interview-prep", &[], Body::Json(texts)).await;
    assert_eq!(saved["linkedin_summary"], "I build platforms.");
    c.expect(200, "PATCH", "/interview-prep", &[], Body::Json(json!({}))).await;
    let (status, _) = c.call("GET", "/openapi.json", &[], &[], Body::None, Auth::Nobody).await;
    assert_eq!(status, 200);

    // ---- a job saved from its posting's page ----
    let from_page = json!({"url": board.url("/jobs/rust")});
    let saved = c.expect(201, "POST", "/opportunities/from-url", &[], Body::Json(from_page)).await;
    assert_eq!(saved["role"], "Senior Rust Engineer");
    let not_a_posting = json!({"url": board.url("/empty")});
    let (status, body) =
        c.call("POST", "/opportunities/from-url", &[], &[], Body::Json(not_a_posting), Auth::Token).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("not_a_job_posting")), "{body}");
    c.expect(204, "DELETE", "/opportunities/{id}", &[saved["id"].as_str().unwrap()], Body::None).await;

    // ---- mistakes, each answered as documented ----
    let image_ids = [entry.clone(), image_id.clone()];
    let real_ids = |template: &str| -> Vec<String> {
        let resource = template.split('/').nth(1).unwrap();
        let own = records.iter().find(|(c, _)| &c[1..] == resource).map(|(_, id)| id.clone());
        template
            .split('/')
            .filter(|s| s.starts_with('{'))
            .map(|placeholder| match placeholder {
                "{id}" if resource == "imports" => pending_import.clone(),
                "{id}" => own.clone().expect("a record of this kind"),
                "{contact_id}" => contact.clone(),
                "{image_id}" => image_ids[1].clone(),
                "{document_id}" => document_id.clone(),
                other => panic!("no id for {other}"),
            })
            .collect()
    };
    for (method, template) in c.operations() {
        let ids = real_ids(&template);
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let schema = c.json_body_schema(&method, &template);
        let public = c.operation(&method, &template)["security"].as_array().is_some_and(|s| s.is_empty());
        let multipart = c.operation(&method, &template)["requestBody"]["content"]["multipart/form-data"].is_object();

        // No token.
        let (status, _) = c.call(&method, &template, &ids, &[], Body::None, Auth::Nobody).await;
        if !public {
            assert_eq!(status, 401, "{method} {template} without a token");
        }
        // An id that is nobody's, and one that is no id at all.
        if !ids.is_empty() {
            for bad in [uuid::Uuid::new_v4().to_string(), "not-an-id".to_owned()] {
                let mut wrong: Vec<&str> = ids.clone();
                *wrong.last_mut().unwrap() = &bad;
                let body = if schema.is_some() {
                    Body::BadJson(json!({}))
                } else if multipart {
                    Body::Multipart(image_form())
                } else {
                    Body::None
                };
                let (status, _) = c.call(&method, &template, &wrong, &[], body, Auth::Token).await;
                assert_eq!(status, 404, "{method} {template} with {bad}");
            }
        }
        // Bodies that are not what the operation reads.
        if let Some(schema) = schema {
            let mut bad_bodies = vec![
                Body::Raw("application/json", "{\"unfinished"),
                Body::Raw("text/plain", "{}"),
                Body::BadJson(json!([])),
                Body::BadJson(json!("text")),
            ];
            if schema["additionalProperties"] == false {
                bad_bodies.push(Body::BadJson(json!({"no_such_field": 1})));
            }
            for bad in bad_bodies {
                let (status, body) = c.call(&method, &template, &ids, &[], bad, Auth::Token).await;
                assert_eq!(status, 400, "{method} {template}: {body}");
                assert_eq!(body["error"]["code"], "invalid_json");
            }
            // Each field the schema says is needed is needed.
            let required = required_fields(&schema);
            if method == "POST" && !required.is_empty() {
                let (status, body) = c.call(&method, &template, &ids, &[], Body::BadJson(json!({})), Auth::Token).await;
                assert_eq!(status, 422, "{method} {template} with {{}}: {body}");
                for field in &required {
                    assert!(body["error"]["fields"][field].is_string(), "{method} {template}: {field}: {body}");
                }
            }
        }
    }
    // Text PostgreSQL cannot hold (a NUL) is a mistake of the client's, never a 500.
    for collection in ["/experiences", "/opportunities", "/notes"] {
        let page = c.list(collection, &[("label", "Ru\u{0}st")]).await;
        assert_eq!(page["total"], 0, "{collection}");
    }
    let form = Form::new()
        .text("alt_text", "The team\r\nat the\u{0}launch")
        .part("image", Part::bytes(png(8, 8)).file_name("launch.png").mime_str("image/png").unwrap());
    let image = c.expect(201, "POST", "/journal/{id}/images", &[&entry], Body::Multipart(form)).await;
    assert_eq!(image["alt_text"], "The team  at the launch");
    let second_image = image["id"].as_str().unwrap().to_owned();
    c.expect(204, "DELETE", "/journal/{id}/images/{image_id}", &[&entry, &second_image], Body::None).await;
    let (status, body) = c.call("GET", "/opportunities", &[], &[("status", "hired")], Body::None, Auth::Token).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("validation_failed")));
    let too_low =
        json!({"company": "Initech", "role": "Engineer", "salary_min": 100, "salary_max": 50, "currency": "USD"});
    let (status, body) = c.call("POST", "/opportunities", &[], &[], Body::BadJson(too_low), Auth::Token).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["fields"]["salary_max"].is_string());

    // ---- disconnect, then delete everything ----
    let document = [opportunity.as_str(), document_id.as_str()];
    c.expect(204, "DELETE", "/opportunities/{id}/documents/{document_id}", &document, Body::None).await;
    c.expect(204, "DELETE", "/opportunities/{id}/offer", &[&opportunity], Body::None).await;
    let (status, _) = c.call("GET", "/opportunities/{id}/offer", &[&opportunity], &[], Body::None, Auth::Token).await;
    assert_eq!(status, 404, "the offer is gone");
    c.expect(204, "DELETE", "/journal/{id}/images/{image_id}", &[&entry, &image_id], Body::None).await;
    for template in ["/opportunities/{id}/contacts/{contact_id}", "/interviews/{id}/interviewers/{contact_id}"] {
        let record = if template.starts_with("/opportunities") { &opportunity } else { &interview };
        c.expect(204, "DELETE", template, &[record, &contact], Body::None).await;
        let (status, _) = c.call("DELETE", template, &[record, &contact], &[], Body::None, Auth::Token).await;
        assert_eq!(status, 404, "{template}: not connected any more");
    }
    for (collection, id) in records.iter().rev() {
        let item = format!("{collection}/{{id}}");
        c.expect(204, "DELETE", &item, &[id], Body::None).await;
        let (status, _) = c.call("GET", &item, &[id], &[], Body::None, Auth::Token).await;
        assert_eq!(status, 404, "{collection}: deleted");
    }

    // ---- every operation in the document was reached and succeeded at least once ----
    let mut missing = Vec::new();
    for (method, template) in c.operations() {
        let statuses = c.seen.get(&(method.clone(), template.clone())).cloned().unwrap_or_default();
        if !statuses.iter().any(|s| (200..300).contains(s)) {
            missing.push(format!("{method} {template} (answered {statuses:?})"));
        }
    }
    assert!(missing.is_empty(), "operations never answered with success:\n{}", missing.join("\n"));
    assert!(c.checked_bodies > 100, "only {} bodies were checked", c.checked_bodies);
    assert!(c.minimal_creates >= 8, "only {} records were created from their required fields", c.minimal_creates);
}

async fn the_server_and_the_document_list_the_same_routes(app: TestApp) {
    let c = checker(&app).await;
    let documented: BTreeSet<(String, String)> = c.operations().into_iter().collect();
    let served: BTreeSet<(String, String)> =
        SERVER_ROUTES.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())).collect();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(undocumented.is_empty(), "routes the document does not list: {undocumented:?}");
    assert!(unserved.is_empty(), "routes the document lists that are not in SERVER_ROUTES: {unserved:?}");

    // A method the document does not list for a path is not served there either (405), and a
    // documented one is routed (whatever it answers, it is not 404 or 405 for the path).
    let nobody = uuid::Uuid::new_v4().to_string();
    let paths: BTreeSet<String> = documented.iter().map(|(_, p)| p.clone()).collect();
    for path in paths {
        let ids: Vec<&str> = path.split('/').filter(|s| s.starts_with('{')).map(|_| nobody.as_str()).collect();
        let url = app.url(&format!("/api/v1{}", Checker::fill(&path, &ids)));
        for method in METHODS {
            let response = c
                .http
                .request(Method::from_bytes(method.as_bytes()).unwrap(), &url)
                .bearer_auth(&c.token)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            if documented.contains(&(method.to_owned(), path.clone())) {
                assert_ne!(status, 405, "{method} {path} is documented but not routed");
                if ids.is_empty() {
                    assert_ne!(status, 404, "{method} {path} is documented but not routed");
                } else {
                    let body: Value = response.json().await.unwrap_or_default();
                    assert!(status != 404 || body["error"]["code"] == "not_found", "{method} {path}: {body}");
                }
            } else {
                assert_eq!(status, 405, "{method} {path} is served but not documented");
            }
        }
    }
}
