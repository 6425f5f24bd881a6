//! Save a job from its posting URL (issue 19, item 1): a job board on loopback, written here,
//! serves postings in the shapes real boards publish (a `JobPosting` object with a nested
//! organization and a salary range; an `@graph` with `TELECOMMUTE` and an hourly rate in an
//! escaped HTML description; an array with several locations), a page with only OpenGraph tags,
//! a page with nothing in it, a PDF, a 404, a 50 MB page and a redirect loop. The API saves
//! from them or answers 422 with a code; the pages fill the form for review and save only when
//! the user does; the guard refuses private addresses, also one a redirect leads to.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use careerlog::app::Overrides;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{Backend, TestApp};

on_both_backends!(
    a_job_is_saved_through_the_api_from_its_posting_in_the_shapes_boards_publish,
    pages_that_make_no_opportunity_answer_422_with_a_code_and_save_nothing,
    the_guard_refuses_private_addresses_and_redirects_to_them,
    the_form_is_filled_from_a_posting_and_saved_only_when_the_user_saves,
    each_account_may_have_60_pages_read_an_hour,
);

/// The size of the page too large to read.
const HUGE: usize = 50 * 1024 * 1024;

/// A single `JobPosting`: nested `hiringOrganization`, a yearly `baseSalary` range, a Place
/// with a PostalAddress whose country is an object, HTML in the description.
const RUST_POSTING: &str = r#"<!doctype html><html><head><title>Senior Rust Engineer at Ferris Labs | Board</title>
<meta property="og:title" content="Careers at Ferris Labs">
<script type="application/ld+json">
{"@context": "https://schema.org/", "@type": "JobPosting", "title": "Senior Rust Engineer",
 "datePosted": "2026-11-30", "employmentType": "FULL_TIME",
 "hiringOrganization": {"@type": "Organization", "name": "Ferris Labs", "sameAs": "https://ferris.example"},
 "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "streetAddress": "Alexanderplatz 1",
   "addressLocality": "Berlin", "addressRegion": "Berlin", "addressCountry": {"@type": "Country", "name": "DE"}}},
 "baseSalary": {"@type": "MonetaryAmount", "currency": "EUR",
   "value": {"@type": "QuantitativeValue", "minValue": 85000, "maxValue": 105000, "unitText": "YEAR"}},
 "description": "<p>Join the <strong>platform</strong> team.</p><ul><li>Write Rust</li><li>Run PostgreSQL</li></ul>"}
</script></head><body><nav>Jobs · Companies</nav><main><h1>Senior Rust Engineer</h1><p>Apply below.</p></main></body></html>"#;

/// An `@graph` whose posting is remote (`TELECOMMUTE`, applicants in two countries), paid by
/// the hour, with its HTML description escaped once more.
const REMOTE_POSTING: &str = r#"<html><head><script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "RemoteBoard"},
  {"@type": ["JobPosting"], "title": "Support Engineer", "hiringOrganization": "Helpful Inc",
   "jobLocationType": "TELECOMMUTE",
   "applicantLocationRequirements": [{"@type": "Country", "name": "USA"}, {"@type": "Country", "name": "Canada"}],
   "baseSalary": {"@type": "MonetaryAmount", "currency": "USD",
     "value": {"@type": "QuantitativeValue", "minValue": 30, "maxValue": 38.5, "unitText": "HOUR"}},
   "description": "&lt;p&gt;Help customers &amp;amp; fix things.&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Email&lt;/li&gt;&lt;li&gt;Chat&lt;/li&gt;&lt;/ul&gt;"}
]}
</script></head><body><p>Remote jobs</p></body></html>"#;

/// An array of blocks, the posting's type as a full IRI, two places, amounts as text and no
/// unit (a year), and no description: the page's text is kept instead.
const HOSPITAL_POSTING: &str = r#"<html><head><script type="application/ld+json">
[{"@type": "BreadcrumbList", "itemListElement": []},
 {"@type": "http://schema.org/JobPosting", "title": "Staff Nurse", "hiringOrganization": [{"name": "City Hospital"}],
  "jobLocation": [{"@type": "Place", "address": {"addressLocality": "Leeds", "addressCountry": "GB"}},
                  {"@type": "Place", "address": {"addressLocality": "York", "addressCountry": "GB"}}],
  "baseSalary": {"@type": "MonetaryAmount", "currency": "GBP", "value": {"minValue": "32,000", "maxValue": "38,000"}}}]
</script></head><body><header>City Hospital careers</header>
<article><h2>About the ward</h2><p>A busy ward with a kind team.</p></article><footer>© City Hospital</footer></body></html>"#;

/// No JSON-LD: OpenGraph only.
const OPENGRAPH_ONLY: &str = r#"<html><head><title>Product Designer - Acme Careers</title>
<meta property="og:title" content="Product Designer">
<meta property="og:site_name" content="Acme Careers">
<meta property="og:description" content="Design the tools our customers use every day.">
</head><body><nav>Home · Jobs</nav><main><h1>Product Designer</h1><p>Apply now.</p></main><footer>© Acme</footer></body></html>"#;

/// What the job board served.
#[derive(Default)]
pub struct Served {
    hits: Mutex<HashMap<String, usize>>,
    /// Bytes of the 50 MB page handed to the connection so far.
    huge_bytes: AtomicUsize,
}

/// A job board on loopback.
pub struct JobBoard {
    pub address: SocketAddr,
    served: Arc<Served>,
}

impl JobBoard {
    pub async fn start() -> JobBoard {
        let served = Arc::new(Served::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let router = Router::new().fallback(page).with_state(served.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        JobBoard { address, served }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    fn hits(&self, path: &str) -> usize {
        self.served.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    /// What the 50 MB page had sent once it stopped growing.
    async fn huge_bytes_sent(&self) -> usize {
        let mut last = self.served.huge_bytes.load(Ordering::SeqCst);
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let now = self.served.huge_bytes.load(Ordering::SeqCst);
            if now == last {
                break;
            }
            last = now;
        }
        last
    }
}

fn html(body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

fn redirect(to: String) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}

/// The 50 MB page, made as it is sent: a start of HTML, then 64 KiB chunks.
fn huge(served: Arc<Served>, declared: bool) -> Response {
    let chunks = futures::stream::unfold(0usize, move |sent| {
        let served = served.clone();
        async move {
            if sent >= HUGE {
                return None;
            }
            let mut chunk = vec![b'x'; 64 * 1024];
            if sent == 0 {
                chunk[..15].copy_from_slice(b"<html><body><p>");
            }
            served.huge_bytes.fetch_add(chunk.len(), Ordering::SeqCst);
            Some((Ok::<_, std::io::Error>(bytes::Bytes::from(chunk)), sent + 64 * 1024))
        }
    });
    let mut response = Response::new(Body::from_stream(chunks));
    response.headers_mut().insert(header::CONTENT_TYPE, "text/html".parse().unwrap());
    if declared {
        response.headers_mut().insert(header::CONTENT_LENGTH, HUGE.to_string().parse().unwrap());
    }
    response
}

async fn page(State(served): State<Arc<Served>>, uri: Uri) -> Response {
    let path = uri.path().to_owned();
    *served.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
    if let Some(port) = path.strip_prefix("/redirect-to/") {
        // Another server on this machine: a private address.
        return redirect(format!("http://127.0.0.1:{port}/jobs/rust"));
    }
    if let Some(port) = path.strip_prefix("/redirect-by-name/") {
        return redirect(format!("http://localhost:{port}/jobs/rust"));
    }
    match path.as_str() {
        "/jobs/rust" => html(RUST_POSTING),
        "/jobs/remote" => html(REMOTE_POSTING),
        "/jobs/hospital" => html(HOSPITAL_POSTING),
        "/jobs/designer" => html(OPENGRAPH_ONLY),
        "/moved" => redirect("/jobs/rust".into()),
        "/loop" => redirect("/loop".into()),
        "/empty" => html("<html><head></head><body><script>render()</script></body></html>"),
        "/document.pdf" => ([(header::CONTENT_TYPE, "application/pdf")], "%PDF-1.7").into_response(),
        "/huge" => huge(served, false),
        "/huge-declared" => huge(served, true),
        _ => (StatusCode::NOT_FOUND, "no such posting").into_response(),
    }
}

/// A JSON API client with a token.
struct Api {
    app_url: String,
    token: String,
    http: reqwest::Client,
}

impl Api {
    async fn of(app: &TestApp, email: &str) -> Api {
        app.signed_up_user(email).await;
        let token = crate::api::create_token(app, email).await;
        Api { app_url: app.address.clone(), token, http: reqwest::Client::new() }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}/api/v1{path}", self.app_url)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn save_from(&self, url: &str) -> (u16, Value) {
        self.call(reqwest::Method::POST, "/opportunities/from-url", Some(json!({ "url": url }))).await
    }

    async fn opportunities(&self) -> Vec<Value> {
        let (status, page) = self.call(reqwest::Method::GET, "/opportunities?per_page=100", None).await;
        assert_eq!(status, 200);
        page["items"].as_array().unwrap().clone()
    }
}

fn assert_has(actual: &Value, expected: &Value, what: &str) {
    for (field, value) in expected.as_object().unwrap() {
        assert_eq!(&actual[field], value, "{what}: {field} in {actual:#}");
    }
}

fn code_of(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("(no code)")
}

async fn a_job_is_saved_through_the_api_from_its_posting_in_the_shapes_boards_publish(backend: Backend) {
    let board = JobBoard::start().await;
    let Some(app) = TestApp::spawn_with(backend, &["--url-fetch-allow-private"]).await else { return };
    let grace = Api::of(&app, "grace@example.com").await;
    let (status, theirs) = grace
        .call(reqwest::Method::POST, "/opportunities", Some(json!({"company": "Initech", "role": "Analyst"})))
        .await;
    assert_eq!(status, 201);
    app.sign_out().await;
    let ada = Api::of(&app, "ada@example.com").await;

    let url = board.url("/jobs/rust");
    let (status, saved) = ada.save_from(&url).await;
    assert_eq!(status, 201, "{saved:#}");
    assert_has(
        &saved,
        &json!({
            "company": "Ferris Labs", "role": "Senior Rust Engineer", "location": "Berlin, DE", "work_mode": "",
            "salary_min": 85000, "salary_max": 105000, "currency": "EUR", "status": "saved",
            "posting_url": url, "source": "127.0.0.1",
            "description": "Join the platform team.\n\n- Write Rust\n- Run PostgreSQL",
        }),
        "a single JobPosting",
    );
    // The same shape as any opportunity the API answers.
    let id = saved["id"].as_str().unwrap();
    let (status, read_back) = ada.call(reqwest::Method::GET, &format!("/opportunities/{id}"), None).await;
    assert_eq!(status, 200);
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&saved), keys(&read_back));
    assert_eq!(saved, read_back);

    let (status, remote) = ada.save_from(&board.url("/jobs/remote")).await;
    assert_eq!(status, 201, "{remote:#}");
    assert_has(
        &remote,
        &json!({
            "company": "Helpful Inc", "role": "Support Engineer", "work_mode": "remote", "location": "USA, Canada",
            "salary_min": null, "salary_max": null, "currency": "",
            "description": "Salary: 30–38.50 USD an hour\n\nHelp customers & fix things.\n\n- Email\n- Chat",
        }),
        "an @graph with TELECOMMUTE and an hourly rate",
    );

    let (status, hospital) = ada.save_from(&board.url("/jobs/hospital")).await;
    assert_eq!(status, 201, "{hospital:#}");
    assert_has(
        &hospital,
        &json!({
            "company": "City Hospital", "role": "Staff Nurse", "location": "Leeds, GB; York, GB",
            "salary_min": 32000, "salary_max": 38000, "currency": "GBP",
            "description": "About the ward\n\nA busy ward with a kind team.",
        }),
        "an array of blocks",
    );

    let (status, designer) = ada.save_from(&board.url("/jobs/designer")).await;
    assert_eq!(status, 201, "{designer:#}");
    assert_has(
        &designer,
        &json!({
            "company": "Acme Careers", "role": "Product Designer", "source": "Acme Careers",
            "description": "Design the tools our customers use every day.", "work_mode": "", "salary_min": null,
        }),
        "OpenGraph only",
    );

    // A redirect on the public side is followed; the link kept is the one given.
    let (status, moved) = ada.save_from(&board.url("/moved")).await;
    assert_eq!(status, 201, "{moved:#}");
    assert_has(&moved, &json!({"role": "Senior Rust Engineer", "posting_url": board.url("/moved")}), "moved");

    assert_eq!(ada.opportunities().await.len(), 5);
    // Grace's opportunity is hers alone, untouched; and Ada's are not hers to read.
    let grace_list = grace.opportunities().await;
    assert_eq!(grace_list.len(), 1);
    assert_eq!(grace_list[0], theirs);
    let (status, _) = grace.call(reqwest::Method::GET, &format!("/opportunities/{id}"), None).await;
    assert_eq!(status, 404);
    // Without a token: nothing is fetched.
    let before = board.hits("/jobs/rust");
    let anonymous = reqwest::Client::new()
        .post(app.url("/api/v1/opportunities/from-url"))
        .json(&json!({"url": url}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(board.hits("/jobs/rust"), before);
}

async fn pages_that_make_no_opportunity_answer_422_with_a_code_and_save_nothing(backend: Backend) {
    let board = JobBoard::start().await;
    let Some(app) = TestApp::spawn_with(backend, &["--url-fetch-allow-private"]).await else { return };
    let ada = Api::of(&app, "ada@example.com").await;

    for (path, code, says) in [
        ("/empty", "not_a_job_posting", "no job posting"),
        ("/document.pdf", "not_html", "application/pdf"),
        ("/gone", "unreachable", "404"),
        ("/loop", "too_many_redirects", "more than 5"),
        ("/huge-declared", "too_large", "larger than 3 MB"),
    ] {
        let (status, body) = ada.save_from(&board.url(path)).await;
        assert_eq!((status, code_of(&body)), (422, code), "{path}: {body:#}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{path}: {message}");
        assert_eq!(body["error"]["fields"]["url"].as_str(), Some(message), "{path}: beside the field too");
    }
    assert_eq!(board.hits("/loop"), 6, "the first request and five redirects, then no more");

    // 50 MB with no length announced: given up at the cap, quickly, without reading the rest.
    let started = Instant::now();
    let (status, body) = ada.save_from(&board.url("/huge")).await;
    assert_eq!((status, code_of(&body)), (422, "too_large"), "{body:#}");
    assert!(started.elapsed() < Duration::from_secs(5), "refused in {:?}", started.elapsed());
    let sent = board.huge_bytes_sent().await;
    assert!(sent < HUGE / 2, "the server handed over {sent} bytes of {HUGE} before the connection closed");

    // Nothing listens on a port just freed: unreachable.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_url = format!("http://{}/jobs/1", closed.local_addr().unwrap());
    drop(closed);
    let (status, body) = ada.save_from(&closed_url).await;
    assert_eq!((status, code_of(&body)), (422, "unreachable"), "{body:#}");

    for (url, code) in [
        ("ftp://127.0.0.1/jobs/1", "invalid_url"),
        ("javascript:alert(1)", "invalid_url"),
        ("https://user:secret@jobs.example.com/1", "invalid_url"),
        ("not a web address at all", "invalid_url"),
        ("", "validation_failed"),
        ("   ", "validation_failed"),
    ] {
        let (status, body) = ada.save_from(url).await;
        assert_eq!((status, code_of(&body)), (422, code), "{url:?}: {body:#}");
        assert!(body["error"]["fields"]["url"].is_string(), "{url:?}: {body:#}");
    }
    // Hostile bodies are the client's mistakes, never the server's.
    for body in [json!({"url": 42}), json!({"url": null}), json!({"url": "https://a.example", "extra": 1}), json!([])] {
        let (status, answer) = ada.call(reqwest::Method::POST, "/opportunities/from-url", Some(body.clone())).await;
        assert_eq!((status, code_of(&answer)), (400, "invalid_json"), "{body}");
    }
    let (status, body) = ada.save_from(&format!("https://jobs.example.com/{}", "a".repeat(3000))).await;
    assert_eq!((status, code_of(&body)), (422, "invalid_url"), "{body:#}");

    assert!(ada.opportunities().await.is_empty(), "nothing was saved");
}

async fn the_guard_refuses_private_addresses_and_redirects_to_them(backend: Backend) {
    let board = JobBoard::start().await;
    let elsewhere = JobBoard::start().await;
    // The guard is on (no --url-fetch-allow-private); only the board's own socket is let through,
    // so that what it redirects to meets the guard.
    let overrides = Overrides { url_fetch_exempt: vec![board.address], ..Overrides::default() };
    let Some(app) = TestApp::spawn_with_overrides(backend, &[], overrides).await else { return };
    let ada = Api::of(&app, "ada@example.com").await;

    let (status, saved) = ada.save_from(&board.url("/jobs/rust")).await;
    assert_eq!(status, 201, "the exempted first hop is read: {saved:#}");

    // A name is refused where it resolves (to loopback here), on a web port: on any other port
    // it is refused before that, for its port.
    let port = elsewhere.address.port();
    for path in [format!("/redirect-to/{port}"), "/redirect-by-name/8080".to_owned()] {
        let (status, body) = ada.save_from(&board.url(&path)).await;
        assert_eq!((status, code_of(&body)), (422, "address_refused"), "{path}: {body:#}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("a private or local network"), "{path}: {message}");
        assert!(!message.contains("127.0.0.1"), "which address is not told: {message}");
        assert_eq!(board.hits(&path), 1, "{path}: the redirect was read");
    }
    let (status, body) = ada.save_from(&elsewhere.url("/jobs/rust")).await;
    assert_eq!((status, code_of(&body)), (422, "address_refused"), "{body:#}");
    let (status, body) = ada.save_from("http://localhost:8443/jobs/rust").await;
    assert_eq!((status, code_of(&body)), (422, "address_refused"), "{body:#}");
    let path = format!("/redirect-by-name/{port}");
    let (status, body) = ada.save_from(&board.url(&path)).await;
    assert_eq!((status, code_of(&body)), (422, "address_refused"), "{path}: {body:#}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(&format!("Port {port} is not a web site's")), "{path}: {message}");
    let (status, body) = ada.save_from(&format!("http://localhost:{port}/jobs/rust")).await;
    assert_eq!((status, code_of(&body)), (422, "address_refused"), "{body:#}");
    assert_eq!(elsewhere.hits("/jobs/rust"), 0, "no request ever reached the private server");
    assert_eq!(ada.opportunities().await.len(), 1);
}

/// The input's `value` for each field of the new opportunity's form, as the browser would send
/// them (the selected option of a select, the textarea's text).
fn form_fields(page: &str) -> Vec<(String, String)> {
    let unescape = |s: &str| {
        s.replace("&#60;", "<").replace("&#62;", ">").replace("&#34;", "\"").replace("&#39;", "'").replace("&#38;", "&")
    };
    let main_form = &page[page.find(r#"action="/opportunities" class="card form form-wide""#).expect("the form")..];
    let mut fields = Vec::new();
    let input = regex::Regex::new(r#"<input id="[a-z_]+" name="([a-z_]+)" type="[a-z]+" value="([^"]*)""#).unwrap();
    for found in input.captures_iter(main_form) {
        fields.push((found[1].to_owned(), unescape(&found[2])));
    }
    let select = regex::Regex::new(r#"(?s)<select id="([a-z_]+)".*?</select>"#).unwrap();
    let selected = regex::Regex::new(r#"<option value="([a-z_]*)" selected>"#).unwrap();
    for found in select.captures_iter(main_form) {
        let value = selected.captures(&found[0]).map(|s| s[1].to_owned()).unwrap_or_default();
        fields.push((found[1].to_owned(), value));
    }
    let textarea =
        regex::Regex::new(r#"(?s)<textarea id="description" name="description"[^>]*>(.*?)</textarea>"#).unwrap();
    let description = textarea.captures(main_form).map(|t| unescape(&t[1])).unwrap_or_default();
    fields.push(("description".to_owned(), description));
    fields
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("no field {name}"))
}

async fn the_form_is_filled_from_a_posting_and_saved_only_when_the_user_saves(backend: Backend) {
    let board = JobBoard::start().await;
    let Some(app) = TestApp::spawn_with(backend, &["--url-fetch-allow-private"]).await else { return };
    app.signed_up_user("ada@example.com").await;
    let count = || app.scalar("SELECT COUNT(*) FROM opportunities");

    let (status, blank) = app.get_text("/opportunities/new").await;
    assert_eq!(status, 200);
    assert!(blank.contains(r#"<label for="from-url">From a job posting URL</label>"#));
    assert!(blank.contains(r#"action="/opportunities/from-url""#));

    // Pasted on the form: the form comes back filled, nothing saved.
    let url = board.url("/jobs/rust");
    let response = app.submit("/opportunities/new", "/opportunities/from-url", &[("url", url.as_str())]).await;
    assert_eq!(response.status(), 200);
    let filled = response.text().await.unwrap();
    assert!(filled.contains("Filled in from the job posting at 127.0.0.1"), "{filled}");
    assert!(!filled.contains("<script>"), "no inline script");
    let fields = form_fields(&filled);
    for (name, value) in [
        ("role", "Senior Rust Engineer"),
        ("company", "Ferris Labs"),
        ("location", "Berlin, DE"),
        ("salary_min", "85000"),
        ("salary_max", "105000"),
        ("currency", "EUR"),
        ("posting_url", url.as_str()),
        ("source", "127.0.0.1"),
        ("status", "saved"),
        ("work_mode", ""),
        ("description", "Join the platform team.\n\n- Write Rust\n- Run PostgreSQL"),
    ] {
        assert_eq!(field(&fields, name), value, "{name}");
    }
    assert_eq!(count().await, 0, "nothing is saved before the user saves");

    // The bookmarklet's way in: `?url=` has the address ready, and fetches nothing until the
    // form is sent (any site could send a signed-in visitor to such a link).
    let remote = board.url("/jobs/remote");
    let encoded: String = url::form_urlencoded::byte_serialize(remote.as_bytes()).collect();
    let (status, ready) = app.get_text(&format!("/opportunities/new?url={encoded}")).await;
    assert_eq!(status, 200);
    assert!(ready.contains(&format!(r#"name="url" type="url" value="{remote}""#)), "the address is ready");
    assert!(ready.contains("Fill in from the page"));
    assert_eq!(board.hits("/jobs/remote"), 0, "opening the link fetched nothing");
    let from_bookmarklet = app
        .submit(&format!("/opportunities/new?url={encoded}"), "/opportunities/from-url", &[("url", remote.as_str())])
        .await
        .text()
        .await
        .unwrap();
    let remote_fields = form_fields(&from_bookmarklet);
    assert_eq!(field(&remote_fields, "role"), "Support Engineer");
    assert_eq!(field(&remote_fields, "work_mode"), "remote");
    assert!(from_bookmarklet.contains(&format!(r#"name="url" type="url" value="{remote}""#)), "the address is kept");
    assert_eq!(count().await, 0);

    // Saved as reviewed, with one change of the user's.
    let mut reviewed: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    reviewed.retain(|(name, _)| *name != "next_action");
    reviewed.push(("next_action", "Apply by Friday"));
    let saved = app.submit("/opportunities/new", "/opportunities", &reviewed).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(count().await, 1);
    let row = app
        .scalar_text(
            "SELECT o.company || '|' || o.role || '|' || o.location || '|' || o.currency || '|' || n.title || '|' || \
             o.posting_url FROM opportunities o JOIN tasks n ON n.opportunity_id = o.id",
        )
        .await;
    assert_eq!(row, format!("Ferris Labs|Senior Rust Engineer|Berlin, DE|EUR|Apply by Friday|{url}"));

    // A page that cannot be read: the message beside the field, the address kept, nothing saved.
    let empty = board.url("/empty");
    let response = app.submit("/opportunities/new", "/opportunities/from-url", &[("url", empty.as_str())]).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(
        page.contains(r#"<p class="field-error" id="from-url-error" role="alert">That page has no job posting"#),
        "{page}"
    );
    assert!(page.contains(&format!(r#"value="{empty}""#)), "the address is kept");
    assert!(page.contains(r#"aria-invalid="true""#));
    // What was typed into the form below comes back with it (static/app.js sends it along), and
    // a page that can be read fills in what it says, keeping what only the user decides.
    assert!(page.contains(r#"data-carry-from="opportunity-form""#) && page.contains(r#"id="opportunity-form""#));
    let typed = [
        ("url", empty.as_str()),
        ("carried", "1"),
        ("company", "Typed Co"),
        ("status", "applied"),
        ("next_action", "Ask Sam for a referral"),
        ("labels", "Dream job"),
    ];
    let response = app.submit("/opportunities/new", "/opportunities/from-url", &typed).await;
    assert_eq!(response.status(), 422);
    let kept = form_fields(&response.text().await.unwrap());
    assert_eq!(field(&kept, "company"), "Typed Co");
    assert_eq!((field(&kept, "status"), field(&kept, "next_action")), ("applied", "Ask Sam for a referral"));
    assert_eq!(field(&kept, "labels"), "Dream job");
    let typed = [("url", url.as_str()), ("carried", "1"), ("company", "Typed Co"), ("status", "applied")];
    let response = app.submit("/opportunities/new", "/opportunities/from-url", &typed).await;
    assert_eq!(response.status(), 200);
    let filled = form_fields(&response.text().await.unwrap());
    assert_eq!((field(&filled, "company"), field(&filled, "status")), ("Ferris Labs", "applied"));
    let response =
        app.submit("/opportunities/new", "/opportunities/from-url", &[("url", "ftp://example.com/job")]).await;
    let (status, page) = (response.status(), response.text().await.unwrap());
    assert_eq!(status, 422);
    assert!(page.contains("Only http:// and https://"), "{page}");
    assert_eq!(count().await, 1);

    // Without the form's CSRF token, nothing is fetched.
    let before = board.hits("/jobs/rust");
    let forged =
        app.client.post(app.url("/opportunities/from-url")).form(&[("url", url.as_str())]).send().await.unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(board.hits("/jobs/rust"), before);

    // The bookmarklet in Settings opens this instance's form with the tab's address.
    let (status, settings) = app.get_text("/settings/tokens").await;
    assert_eq!(status, 200);
    assert!(settings.contains("Save jobs from your browser"));
    let href = regex::Regex::new(r#"id="bookmarklet" href="([^"]+)""#).unwrap().captures(&settings).expect("the link")
        [1]
    .replace("&#34;", "\"")
    .replace("&#39;", "'")
    .replace("&#38;", "&");
    assert_eq!(
        href,
        format!(
            r#"javascript:void(location.href="{}/opportunities/new?url="+encodeURIComponent(location.href))"#,
            app.base_url
        )
    );
}

async fn each_account_may_have_60_pages_read_an_hour(backend: Backend) {
    let board = JobBoard::start().await;
    let Some(app) = TestApp::spawn_with(backend, &["--url-fetch-allow-private"]).await else { return };
    let grace = Api::of(&app, "grace@example.com").await;
    app.sign_out().await;
    let ada = Api::of(&app, "ada@example.com").await;
    let empty = board.url("/empty");
    for _ in 0..60 {
        let (status, body) = ada.save_from(&empty).await;
        assert_eq!((status, code_of(&body)), (422, "not_a_job_posting"), "{body:#}");
    }
    let (status, body) = ada.save_from(&board.url("/jobs/rust")).await;
    assert_eq!((status, code_of(&body)), (429, "rate_limited"), "{body:#}");
    assert!(body["error"]["message"].as_str().unwrap().contains("fill in the form by hand"), "{body:#}");
    assert_eq!(board.hits("/jobs/rust"), 0, "nothing is fetched past the limit");
    // The form says the same beside the field.
    let rust = board.url("/jobs/rust");
    let response = app.submit("/opportunities/new", "/opportunities/from-url", &[("url", rust.as_str())]).await;
    let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (status, page) = (response.status(), response.text().await.unwrap());
    assert_eq!(status, 429);
    assert!(retry_after.is_some_and(|seconds| seconds.parse::<u64>().is_ok_and(|s| s > 0)), "Retry-After is said");
    assert!(page.contains(r#"id="from-url-error""#), "{page}");
    // Another account has its own allowance; an hour later, so has Ada again.
    let (status, _) = grace.save_from(&board.url("/jobs/rust")).await;
    assert_eq!(status, 201);
    app.clock.advance(Duration::from_secs(61 * 60));
    let (status, body) = ada.save_from(&board.url("/jobs/rust")).await;
    assert_eq!(status, 201, "{body:#}");
}
