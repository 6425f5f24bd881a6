//! Issue 17, item 2: error reports to the operator's Sentry (`--sentry-dsn`) for panics and
//! internal errors, with no personal data in them (promise 17); and a panic answered with the
//! 500 page or JSON instead of a dropped connection.
//!
//! The Sentry client is process-wide, so the reports are tested on real `careerlog serve`
//! processes, against a stand-in for Sentry on loopback that keeps every envelope it receives.
//! Failures come from the routes that `--enable-test-fault-routes` (hidden, loopback only) mounts.

use std::io::Read as _;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{browser, csrf_token_in, submit_with, Backend, ServerProcess, ServerSettings, TestApp};

const FAULTS: &str = "--enable-test-fault-routes";
/// The DSN's public key: a credential of the operator's, never logged.
const DSN_KEY: &str = "dsnkeyneverlogged7f3a";

/// What one request carries that a report must never: each marker is unique in the test.
const PATH_MARKER: &str = "pathmarkerq1";
const QUERY_MARKER: &str = "querymarkerq2";
const BODY_MARKER: &str = "bodymarkerq3";
const FORM_EMAIL: &str = "form-marker@example.org";
const JSON_EMAIL: &str = "json-marker@example.org";
const COOKIE_MARKER: &str = "cookiemarkerq4";
const HEADER_MARKER: &str = "headermarkerq5";
const AGENT_MARKER: &str = "agentmarkerq6";
const REFERER_MARKER: &str = "referermarkerq7";
const FORWARDED_IP: &str = "198.51.100.23";
/// The client connects from this loopback address, which the server sees as the peer's.
const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
const ACCOUNT_EMAIL: &str = "ada-account@example.com";
const PASSWORD: &str = "maple orbit lantern quietly";

/// A stand-in for Sentry: answers `POST /api/<project>/envelope/` and keeps each envelope,
/// decompressed when it came gzipped.
struct StandInSentry {
    dsn: String,
    envelopes: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl StandInSentry {
    async fn start() -> StandInSentry {
        let envelopes: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let app = axum::Router::new()
            .route("/api/{project}/envelope/", axum::routing::post(receive))
            .with_state(envelopes.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        StandInSentry { dsn: format!("http://{DSN_KEY}@{address}/42"), envelopes }
    }

    fn envelopes(&self) -> Vec<Vec<u8>> {
        self.envelopes.lock().unwrap().clone()
    }

    /// The envelope holding the event for `route` (waiting up to 15 s), and that event.
    async fn wait_for_event(&self, route: &str) -> (Vec<u8>, Value) {
        for _ in 0..300 {
            for envelope in self.envelopes() {
                for (header, payload) in envelope_items(&envelope) {
                    if header["type"] != "event" {
                        continue;
                    }
                    let event: Value = serde_json::from_slice(&payload).expect("an event is JSON");
                    if event["transaction"] == route {
                        return (envelope, event);
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no event for {route}; received {:?}",
            self.envelopes().iter().map(|e| String::from_utf8_lossy(e).into_owned()).collect::<Vec<_>>()
        );
    }
}

async fn receive(State(envelopes): State<Arc<Mutex<Vec<Vec<u8>>>>>, headers: HeaderMap, body: Bytes) -> &'static str {
    let gzipped = headers.get("content-encoding").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
    let bytes = if gzipped {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut plain).expect("a gzipped envelope");
        plain
    } else {
        body.to_vec()
    };
    envelopes.lock().unwrap().push(bytes);
    "{}"
}

/// An envelope's items: a header line for the envelope, then for each item a JSON header line
/// and its payload (`length` bytes when the header says, otherwise up to the end of the line).
fn envelope_items(envelope: &[u8]) -> Vec<(Value, Vec<u8>)> {
    fn line(bytes: &[u8]) -> (&[u8], &[u8]) {
        match bytes.iter().position(|b| *b == b'\n') {
            Some(end) => (&bytes[..end], &bytes[end + 1..]),
            None => (bytes, &[]),
        }
    }
    let (envelope_header, mut rest) = line(envelope);
    serde_json::from_slice::<Value>(envelope_header).expect("the envelope's header is JSON");
    let mut items = Vec::new();
    while !rest.is_empty() {
        let (header_line, after) = line(rest);
        if header_line.iter().all(u8::is_ascii_whitespace) {
            rest = after;
            continue;
        }
        let header: Value = serde_json::from_slice(header_line).expect("an item's header is JSON");
        let (payload, after) = match header["length"].as_u64() {
            Some(length) => {
                let (payload, after) = after.split_at(length as usize);
                (payload, after.strip_prefix(b"\n").unwrap_or(after))
            }
            None => line(after),
        };
        items.push((header, payload.to_vec()));
        rest = after;
    }
    items
}

/// A client that connects from [`CLIENT_IP`], keeps no cookies and follows no redirects.
fn client_from_another_address() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .local_address(IpAddr::V4(CLIENT_IP))
        .pool_idle_timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

/// The session cookie a sign-in sets, as `name=value`.
async fn signed_in_session_cookie(server: &ServerProcess) -> String {
    let signing_in = browser();
    let response = submit_with(
        &signing_in,
        &server.address,
        "/login",
        "/login",
        &[("email", ACCOUNT_EMAIL), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "the account signs in");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("careerlog_session="))
        .expect("a session cookie")
}

fn assert_nothing_personal(envelope: &[u8], event: &Value, session_cookie: &str) {
    let raw = String::from_utf8_lossy(envelope);
    let session_value = session_cookie.split_once('=').unwrap().1;
    for marker in [
        PATH_MARKER,
        QUERY_MARKER,
        BODY_MARKER,
        FORM_EMAIL,
        JSON_EMAIL,
        "example.org",
        ACCOUNT_EMAIL,
        COOKIE_MARKER,
        session_value,
        HEADER_MARKER,
        AGENT_MARKER,
        REFERER_MARKER,
        FORWARDED_IP,
        &CLIENT_IP.to_string(),
    ] {
        assert!(!raw.contains(marker), "{marker} is in the report: {raw}");
    }
    // The only `@`s are the release's and the DSN's (in the envelope's header): no address.
    let release = format!("careerlog@{}", env!("CARGO_PKG_VERSION"));
    let without_known = raw.replace(&release, "").replace(&format!("{DSN_KEY}@"), "");
    assert!(!without_known.contains('@'), "an email address in the report: {raw}");
    // Nothing of the person or the request, and nothing the SDK would add about the machine.
    for field in ["user", "request", "breadcrumbs", "extra", "contexts", "modules", "debug_meta"] {
        assert!(event.get(field).is_none_or(is_empty), "the report has {field}: {event}");
    }
    for field in ["abs_path", "vars", "context_line", "pre_context", "instruction_addr"] {
        assert!(!raw.contains(&format!("\"{field}\"")), "frames carry {field}: {raw}");
    }
    assert_eq!(event["server_name"], "careerlog", "never the host's name");
    assert_eq!(event["release"], release);
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(fields) => fields.values().all(is_empty),
        _ => false,
    }
}

/// The messages of an event's exceptions, outermost first.
fn chain(event: &Value) -> Vec<String> {
    let values = event["exception"]["values"].as_array().expect("exceptions");
    values.iter().rev().map(|e| e["value"].as_str().unwrap_or_default().to_owned()).collect()
}

/// Promise 17: error reports to the monitoring service contain no personally identifiable
/// information. A panic on a request carrying a signed-in session cookie, a cookie, a query
/// string, a form with an email address, custom headers and a forwarded address, and an internal
/// error on an API request with a JSON body, are both reported with the route template, the
/// method, the error chain and the release; the envelopes hold none of what was sent, no
/// address, and not the client's IP address.
#[tokio::test]
async fn promise_17_error_reports_carry_the_route_and_the_error_and_nothing_personal() {
    let sentry = StandInSentry::start().await;
    let dsn = sentry.dsn.clone();
    let server = ServerProcess::start_with_user_settings(
        ACCOUNT_EMAIL,
        PASSWORD,
        ServerSettings {
            args: vec![FAULTS.into()],
            env: vec![("CAREERLOG_SENTRY_DSN".into(), dsn.clone())],
            ..ServerSettings::default()
        },
    )
    .await;
    let session = signed_in_session_cookie(&server).await;
    let client = client_from_another_address();
    let cookies = format!("{session}; marker={COOKIE_MARKER}");
    let settings = client.get(server.url("/settings")).header("cookie", &cookies).send().await.unwrap();
    assert_eq!(settings.status(), StatusCode::OK, "signed in from the other address too");
    let csrf = csrf_token_in(&settings.text().await.unwrap()).expect("a form on the settings page");

    let with_markers = |request: reqwest::RequestBuilder| {
        request
            .header("cookie", &cookies)
            .header("x-marker", HEADER_MARKER)
            .header("user-agent", AGENT_MARKER)
            .header("referer", format!("{}/{REFERER_MARKER}", server.address))
            .header("x-forwarded-for", FORWARDED_IP)
    };

    // A panic on a page: the 500 page, with its request id.
    let panicked = with_markers(
        client.post(server.url(&format!("/test-faults/{PATH_MARKER}/panic?q={QUERY_MARKER}&next=/{QUERY_MARKER}"))),
    )
    .form(&[("_csrf", csrf.as_str()), ("email", FORM_EMAIL), ("note", BODY_MARKER)])
    .send()
    .await
    .unwrap();
    assert_eq!(panicked.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let request_id = panicked.headers()["x-request-id"].to_str().unwrap().to_owned();
    let page = panicked.text().await.unwrap();
    assert!(page.contains("Something went wrong") && page.contains(&request_id), "{page}");

    let (envelope, event) = sentry.wait_for_event("/test-faults/{label}/panic").await;
    assert_nothing_personal(&envelope, &event, &session);
    assert_eq!(event["tags"]["route"], "/test-faults/{label}/panic");
    assert_eq!(event["tags"]["http.method"], "POST");
    assert_eq!(event["tags"]["failure"], "panic");
    assert_eq!(event["level"], "fatal");
    let message = &chain(&event)[0];
    assert!(
        message.starts_with("test fault: a panic on purpose while handling [email] (at src/web/test_faults.rs:"),
        "the panic's message, its address scrubbed, and where it happened: {message}"
    );
    let frames = event["exception"]["values"][0]["stacktrace"]["frames"].as_array().cloned().unwrap_or_default();
    let innermost = frames.last().expect("the panic's stack");
    assert!(
        innermost["function"].as_str().is_some_and(|f| f.contains("test_faults::panic_on_purpose")),
        "the stack ends where the panic happened, with function names: {innermost}"
    );

    // An internal error from the API: JSON, and the chain, outermost first.
    let failed = with_markers(
        client.post(server.url(&format!("/api/v1/test-faults/{PATH_MARKER}/internal-error?q={QUERY_MARKER}"))),
    )
    .header("x-csrf-token", &csrf)
    .json(&serde_json::json!({ "email": JSON_EMAIL, "note": BODY_MARKER }))
    .send()
    .await
    .unwrap();
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = failed.json().await.unwrap();
    assert_eq!(body["error"]["code"], "internal_error");

    let (envelope, event) = sentry.wait_for_event("/api/v1/test-faults/{label}/internal-error").await;
    assert_nothing_personal(&envelope, &event, &session);
    assert_eq!(event["tags"]["failure"], "internal_error");
    assert!(event.get("level").is_none_or(|level| level == "error"), "an error, not fatal (error is the default)");
    assert_eq!(
        chain(&event),
        [
            "test fault: an internal error on purpose",
            "the test fault's cause, naming [email] while answering ?[redacted]",
        ]
    );

    let events: usize = sentry
        .envelopes()
        .iter()
        .flat_map(|e| envelope_items(e))
        .filter(|(header, _)| header["type"] == "event")
        .count();
    assert_eq!(events, 2, "one report per failure, none for the sign-in and pages around them");
    let log = server.log_lines().join("\n");
    assert!(log.contains("error reports go to Sentry"), "the log says reports are on");
    assert!(!log.contains(DSN_KEY), "the DSN is never logged");
}

/// Without `--sentry-dsn` nothing is sent, even with Sentry's own `SENTRY_DSN` in the
/// environment (the SDK would read it): reports need the setting of ours.
#[tokio::test]
async fn without_the_setting_nothing_is_reported() {
    let sentry = StandInSentry::start().await;
    let dsn = sentry.dsn.clone();
    let server = ServerProcess::start_with_user_settings(
        ACCOUNT_EMAIL,
        PASSWORD,
        ServerSettings {
            args: vec![FAULTS.into()],
            env: vec![("SENTRY_DSN".into(), dsn.clone())],
            ..ServerSettings::default()
        },
    )
    .await;
    let client = client_from_another_address();
    for path in ["/test-faults/x/panic", "/test-faults/x/internal-error", "/api/v1/test-faults/x/panic"] {
        let response = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR, "{path}");
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(sentry.envelopes().is_empty(), "nothing was sent");
    assert!(!server.log_lines().join("\n").contains("error reports go to Sentry"));
}

crate::on_both_backends!(a_panic_is_answered_like_any_internal_error);

/// A panicking handler used to drop the connection. Now a page gets the 500 page with its request
/// id and the API the JSON error, with the usual headers, and neither shows the panic; the server
/// goes on serving.
async fn a_panic_is_answered_like_any_internal_error(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, &[FAULTS]).await else { return };
    for path in ["/test-faults/x/panic", "/test-faults/x/internal-error"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert!(response.headers().contains_key("content-security-policy"), "{path}: the usual headers");
        let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
        let page = response.text().await.unwrap();
        assert!(page.contains("Something went wrong") && page.contains(&request_id), "{path}: {page}");
        assert!(!page.contains("test fault"), "{path}: the cause is never shown");
    }
    for path in ["/api/v1/test-faults/x/panic", "/api/v1/test-faults/x/internal-error"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "internal_error", "{path}");
        assert!(!body.to_string().contains("test fault"), "{path}: the cause is never shown");
    }
    // A form posted by a signed-in person panics the same way, and the session goes on.
    app.signed_up_user("ada@example.com").await;
    let (_, settings) = app.get_text("/settings").await;
    let token = csrf_token_in(&settings).unwrap();
    let posted = app
        .client
        .post(app.url("/test-faults/x/panic"))
        .form(&[("_csrf", token.as_str()), ("email", "ada@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(app.get("/settings").await.status(), StatusCode::OK, "still signed in, still serving");
}

/// The fault routes exist only with the hidden setting, which is refused off loopback and not
/// shown by `serve --help`; `--sentry-dsn` is shown there.
#[tokio::test]
async fn fault_routes_are_for_tests_on_loopback_only() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    assert_eq!(app.get("/test-faults/x/panic").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/test-faults/x/panic").await.status(), StatusCode::NOT_FOUND);

    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().join("data");
    let config =
        careerlog::Config::from_args(["--listen", "0.0.0.0:0", "--data-dir", data_dir.to_str().unwrap(), FAULTS])
            .unwrap();
    let refused = careerlog::Application::build(config).await.err().expect("refused off loopback");
    assert!(refused.to_string().contains("loopback"), "{refused}");

    let help = std::process::Command::new(env!("CARGO_BIN_EXE_careerlog")).args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--sentry-dsn") && help.contains("CAREERLOG_SENTRY_DSN"), "{help}");
    assert!(!help.contains("test-fault"), "{help}");
}

/// The privacy page says where error reports go (the Sentry host, never the DSN's key), or that
/// there are none.
#[tokio::test]
async fn the_privacy_page_says_where_error_reports_go() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let (_, page) = app.get_text("/privacy").await;
    assert!(page.contains("Error reports") && page.contains("written to the server&#39;s own log only"), "{page}");

    let dsn = format!("https://{DSN_KEY}@o1.ingest.sentry.example/42");
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, &["--sentry-dsn", &dsn]).await else { return };
    let (_, page) = app.get_text("/privacy").await;
    assert!(page.contains("Sentry (an error monitoring service) at o1.ingest.sentry.example."), "{page}");
    assert!(page.contains("never the address you opened"), "{page}");
    assert!(!page.contains(DSN_KEY), "the DSN's key stays private");
}
