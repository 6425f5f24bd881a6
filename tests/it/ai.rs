//! AI providers (issue 13, item 1). The Anthropic and OpenAI-compatible clients against local
//! HTTP servers written here that speak each protocol: streaming, structured answers and their
//! repair, and each error shape (401, 429 with Retry-After, 529/overloaded, an error event after
//! 200, a stream cut in the middle, an answer cut at the length limit). Then the runs as a user
//! meets them, on both databases: off without a provider, recorded without their content, the
//! hourly limit, the monthly budget, and a run given up when its request goes away.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use careerlog::integrations::ai::fake::FakeAi;
use careerlog::integrations::ai::{
    self, AiError, AiMessage, AiOutput, AiProvider, AiRequest, AiRole, Anthropic, OpenAiCompatible,
};
use careerlog::services::ai::{self as ai_service, AiFeature, AiRunError};
use futures::StreamExt as _;
use serde_json::{json, Value};

use crate::on_both_databases;
use crate::support::TestApp;

// ---- a server that answers from a script and records what it was sent ----

#[derive(Clone)]
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    chunks: Vec<String>,
    /// Break the connection after the chunks instead of ending the body.
    cut: bool,
    /// Wait this long before answering.
    delay: Duration,
}

impl Reply {
    fn stream(chunks: Vec<String>) -> Self {
        Reply {
            status: 200,
            headers: vec![("content-type", "text/event-stream".into())],
            chunks,
            cut: false,
            delay: Duration::ZERO,
        }
    }
    fn error(status: u16, body: Value) -> Self {
        Reply {
            status,
            headers: vec![("content-type", "application/json".into())],
            chunks: vec![body.to_string()],
            cut: false,
            delay: Duration::ZERO,
        }
    }
}

#[derive(Debug, Clone)]
struct Recorded {
    path: String,
    headers: HeaderMap,
    body: Value,
}

#[derive(Clone, Default)]
struct Script {
    replies: Arc<Mutex<VecDeque<Reply>>>,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

struct ScriptedServer {
    base: String,
    script: Script,
}

impl ScriptedServer {
    async fn start(replies: Vec<Reply>) -> Self {
        let script = Script::default();
        script.replies.lock().unwrap().extend(replies);
        let app = axum::Router::new().fallback(answer).with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        ScriptedServer { base, script }
    }

    fn requests(&self) -> Vec<Recorded> {
        self.script.requests.lock().unwrap().clone()
    }

    fn anthropic(&self, timeout: Duration) -> Anthropic {
        Anthropic::new(self.base.parse().unwrap(), "sk-test-key".into(), "claude-test".into(), timeout).unwrap()
    }

    fn openai(&self, timeout: Duration) -> OpenAiCompatible {
        let base = format!("{}/v1", self.base).parse().unwrap();
        OpenAiCompatible::new(base, Some("local-key".into()), "llama-test".into(), timeout).unwrap()
    }
}

async fn answer(State(script): State<Script>, uri: Uri, headers: HeaderMap, body: String) -> Response {
    script.requests.lock().unwrap().push(Recorded {
        path: uri.path().to_owned(),
        headers,
        body: serde_json::from_str(&body).unwrap_or(Value::Null),
    });
    let reply = script.replies.lock().unwrap().pop_front().expect("a reply is scripted for every request");
    tokio::time::sleep(reply.delay).await;
    let chunks: Vec<Result<String, std::io::Error>> =
        reply.chunks.into_iter().map(Ok).chain(reply.cut.then(|| Err(std::io::Error::other("cut")))).collect();
    let stream = futures::stream::iter(chunks).then(|chunk| async move {
        // Pieces arrive apart, as they do from a real model.
        tokio::time::sleep(Duration::from_millis(2)).await;
        chunk
    });
    let mut response = Response::builder().status(StatusCode::from_u16(reply.status).unwrap());
    for (name, value) in reply.headers {
        response = response.header(name, value);
    }
    response.body(Body::from_stream(stream)).unwrap()
}

// ---- what the providers send ----

fn anthropic_event(name: &str, data: Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

/// A complete Anthropic stream whose text comes in `pieces` (`json` for a tool's input).
fn anthropic_stream(pieces: &[&str], json: bool, stop_reason: &str) -> Vec<String> {
    let mut events = vec![
        anthropic_event(
            "message_start",
            json!({"type": "message_start", "message": {"id": "msg_1", "model": "claude-test-2026",
                   "usage": {"input_tokens": 321, "output_tokens": 1}}}),
        ),
        anthropic_event(
            "content_block_start",
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": if json {"tool_use"} else {"text"}}}),
        ),
        anthropic_event("ping", json!({"type": "ping"})),
    ];
    for piece in pieces {
        let delta = if json {
            json!({"type": "input_json_delta", "partial_json": piece})
        } else {
            json!({"type": "text_delta", "text": piece})
        };
        events.push(anthropic_event(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0, "delta": delta}),
        ));
    }
    // Something newer than this client: skipped, not an error.
    events.push(anthropic_event(
        "content_block_delta",
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "hmm"}}),
    ));
    events.push(anthropic_event("content_block_stop", json!({"type": "content_block_stop", "index": 0})));
    events.push(anthropic_event(
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": stop_reason}, "usage": {"output_tokens": 42}}),
    ));
    events.push(anthropic_event("message_stop", json!({"type": "message_stop"})));
    events
}

fn openai_chunk(content: Option<&str>, finish: Option<&str>) -> String {
    let data = json!({"id": "c1", "model": "llama-test-q4", "choices": [{"index": 0,
        "delta": {"content": content}, "finish_reason": finish.unwrap_or("")}]});
    format!("data: {data}\n\n")
}

fn openai_stream(pieces: &[&str], finish: &str, done: bool) -> Vec<String> {
    let mut chunks: Vec<String> = pieces.iter().map(|p| openai_chunk(Some(p), None)).collect();
    chunks.push(openai_chunk(None, Some(finish)));
    chunks.push(format!(
        "data: {}\n\n",
        json!({"id": "c1", "choices": [], "usage": {"prompt_tokens": 123, "completion_tokens": 45}})
    ));
    if done {
        chunks.push("data: [DONE]\n\n".into());
    }
    chunks
}

fn text_request() -> AiRequest {
    AiRequest {
        system: "You prepare people for interviews.".into(),
        messages: vec![AiMessage { role: AiRole::User, content: "Globex, Staff Engineer".into() }],
        output: AiOutput::Text,
        max_tokens: 1000,
    }
}

#[derive(Debug, serde::Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Suggestions {
    labels: Vec<String>,
}

fn json_request() -> AiRequest {
    AiRequest {
        output: AiOutput::Json {
            name: "suggest_labels".into(),
            description: "Labels for the record".into(),
            schema: json!({"type": "object", "properties": {"labels": {"type": "array", "items": {"type": "string"}}},
                           "required": ["labels"], "additionalProperties": false}),
        },
        ..text_request()
    }
}

/// Labels are short: a check JSON Schema alone would not make.
fn short_labels(s: &Suggestions) -> Result<(), String> {
    match s.labels.iter().find(|l| l.chars().count() > 30) {
        Some(long) => Err(format!("the label “{long}” is longer than 30 characters")),
        None => Ok(()),
    }
}

const SECOND: Duration = Duration::from_secs(5);

// ---- Anthropic ----

#[tokio::test]
async fn anthropic_streams_text_piece_by_piece_with_its_usage() {
    let server = ScriptedServer::start(vec![Reply::stream(anthropic_stream(
        &["## Likely", " questions\n", "1. Why us?"],
        false,
        "end_turn",
    ))])
    .await;
    let (sink, mut pieces) = tokio::sync::mpsc::unbounded_channel();
    let answer = server.anthropic(SECOND).run(&text_request(), Some(&sink)).await.unwrap();
    assert_eq!(answer.text, "## Likely questions\n1. Why us?");
    assert_eq!((answer.model.as_str(), answer.input_tokens, answer.output_tokens), ("claude-test-2026", 321, 42));
    let mut streamed = Vec::new();
    while let Ok(piece) = pieces.try_recv() {
        streamed.push(piece);
    }
    assert_eq!(streamed, ["## Likely", " questions\n", "1. Why us?"]);

    let sent = &server.requests()[0];
    assert_eq!(sent.path, "/v1/messages");
    assert_eq!(sent.headers["x-api-key"], "sk-test-key");
    assert_eq!(sent.headers["anthropic-version"], "2023-06-01");
    assert_eq!(sent.body["model"], "claude-test");
    assert_eq!(sent.body["stream"], true);
    assert_eq!(sent.body["system"], "You prepare people for interviews.");
    assert_eq!(sent.body["messages"], json!([{"role": "user", "content": "Globex, Staff Engineer"}]));
    assert!(sent.body.get("tools").is_none());
}

#[tokio::test]
async fn anthropic_answers_json_through_a_forced_tool_and_repairs_a_bad_answer_once() {
    let server = ScriptedServer::start(vec![
        // First: a label far too long, which the check refuses.
        Reply::stream(anthropic_stream(&["{\"labels\": [\"Rust\", \"", &"x".repeat(40), "\"]}"], true, "tool_use")),
        Reply::stream(anthropic_stream(&["{\"labels\"", ": [\"Rust\", \"Payments\"]}"], true, "tool_use")),
    ])
    .await;
    let provider = server.anthropic(SECOND);
    let (value, answer) = ai::run_json(&provider, &json_request(), short_labels).await.unwrap();
    assert_eq!(value, Suggestions { labels: vec!["Rust".into(), "Payments".into()] });
    assert_eq!((answer.input_tokens, answer.output_tokens), (642, 84), "both attempts count");

    let sent = server.requests();
    assert_eq!(sent[0].body["tool_choice"], json!({"type": "tool", "name": "suggest_labels"}));
    assert_eq!(sent[0].body["tools"][0]["input_schema"]["required"], json!(["labels"]));
    let repair = sent[1].body["messages"].as_array().unwrap();
    assert_eq!(repair.len(), 3, "the question, the first answer, and what was wrong with it");
    assert_eq!(repair[1]["role"], "assistant");
    assert!(repair[2]["content"].as_str().unwrap().contains("longer than 30 characters"));
}

#[tokio::test]
async fn a_second_bad_json_answer_is_a_clear_error() {
    let server = ScriptedServer::start(vec![
        Reply::stream(anthropic_stream(&["{\"labels\": \"Rust\"}"], true, "tool_use")),
        Reply::stream(anthropic_stream(&["not json at all"], true, "tool_use")),
    ])
    .await;
    let error = ai::run_json(&server.anthropic(SECOND), &json_request(), short_labels).await.unwrap_err();
    assert!(matches!(error, AiError::InvalidOutput(_)), "{error:?}");
    assert!(error.to_string().contains("even after a second try"));
}

#[tokio::test]
async fn anthropic_errors_each_have_their_own_meaning() {
    let overloaded_after_200 = {
        let mut chunks = anthropic_stream(&["Half an"], false, "end_turn");
        chunks.truncate(4);
        chunks.push(anthropic_event(
            "error",
            json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        ));
        Reply::stream(chunks)
    };
    let cut = {
        let mut chunks = anthropic_stream(&["Half", " an answer"], false, "end_turn");
        chunks.truncate(5);
        Reply { cut: true, ..Reply::stream(chunks) }
    };
    let ended_early = {
        let mut chunks = anthropic_stream(&["Half", " an answer"], false, "end_turn");
        chunks.truncate(5);
        Reply::stream(chunks)
    };
    let error_body = |kind: &str, message: &str| json!({"type": "error", "error": {"type": kind, "message": message}});
    let mut rate_limited = Reply::error(429, error_body("rate_limit_error", "Slow down"));
    rate_limited.headers.push(("retry-after", "7".into()));
    let cases: Vec<(Reply, AiError)> = vec![
        (Reply::error(401, error_body("authentication_error", "invalid x-api-key")), AiError::Unauthorized),
        (rate_limited, AiError::RateLimited { retry_after: Some(Duration::from_secs(7)) }),
        (Reply::error(529, error_body("overloaded_error", "Overloaded")), AiError::Overloaded),
        (overloaded_after_200, AiError::Overloaded),
        (cut, AiError::Protocol("the connection broke in the middle of the answer".into())),
        (ended_early, AiError::Protocol("the answer stopped in the middle".into())),
        (Reply::stream(anthropic_stream(&["{\"labels\": [\"Ru"], true, "max_tokens")), AiError::Truncated),
        (
            Reply::error(400, error_body("invalid_request_error", "max_tokens: too large")),
            AiError::Provider("max_tokens: too large (400 Bad Request)".into()),
        ),
    ];
    for (reply, expected) in cases {
        let server = ScriptedServer::start(vec![reply]).await;
        let error = server.anthropic(SECOND).run(&text_request(), None).await.unwrap_err();
        assert_eq!(error, expected);
        assert!(!error.to_string().contains("sk-test-key"), "the key never shows in a message");
    }
}

#[tokio::test]
async fn a_provider_that_does_not_answer_in_time_is_given_up() {
    let slow = Reply { delay: Duration::from_secs(5), ..Reply::stream(anthropic_stream(&["late"], false, "end_turn")) };
    let server = ScriptedServer::start(vec![slow.clone(), slow]).await;
    let started = std::time::Instant::now();
    let error = server.anthropic(Duration::from_millis(300)).run(&text_request(), None).await.unwrap_err();
    assert_eq!(error, AiError::Timeout);
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(
        server.openai(Duration::from_millis(300)).run(&text_request(), None).await.unwrap_err(),
        AiError::Timeout
    );
}

#[tokio::test]
async fn nothing_listening_is_unreachable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let provider =
        Anthropic::new(format!("http://127.0.0.1:{port}").parse().unwrap(), "k".into(), "m".into(), SECOND).unwrap();
    assert!(matches!(provider.run(&text_request(), None).await, Err(AiError::Unreachable(_))));
}

// ---- OpenAI-compatible ----

#[tokio::test]
async fn an_openai_compatible_server_streams_text_with_its_usage() {
    let server =
        ScriptedServer::start(vec![Reply::stream(openai_stream(&["Tell me", " about", " Globex"], "stop", true))])
            .await;
    let (sink, mut pieces) = tokio::sync::mpsc::unbounded_channel();
    let answer = server.openai(SECOND).run(&text_request(), Some(&sink)).await.unwrap();
    assert_eq!(answer.text, "Tell me about Globex");
    assert_eq!((answer.model.as_str(), answer.input_tokens, answer.output_tokens), ("llama-test-q4", 123, 45));
    assert_eq!(pieces.recv().await.unwrap(), "Tell me");

    let sent = &server.requests()[0];
    assert_eq!(sent.path, "/v1/chat/completions");
    assert_eq!(sent.headers["authorization"], "Bearer local-key");
    assert_eq!(sent.body["stream"], true);
    assert_eq!(sent.body["stream_options"]["include_usage"], true);
    assert_eq!(sent.body["messages"][0], json!({"role": "system", "content": "You prepare people for interviews."}));
    assert_eq!(sent.body["messages"][1], json!({"role": "user", "content": "Globex, Staff Engineer"}));
    assert!(sent.body.get("response_format").is_none());
}

#[tokio::test]
async fn an_openai_compatible_server_answers_json_and_a_stream_without_done_still_ends() {
    // Ollama-style: JSON wrapped in prose, and no [DONE] after the finish reason.
    let server = ScriptedServer::start(vec![Reply::stream(openai_stream(
        &["Here you go:\n```json\n{\"labels\": ", "[\"Rust\"]}\n```"],
        "stop",
        false,
    ))])
    .await;
    let (value, _) = ai::run_json(&server.openai(SECOND), &json_request(), short_labels).await.unwrap();
    assert_eq!(value.labels, ["Rust"]);
    let sent = &server.requests()[0];
    assert_eq!(sent.body["response_format"]["type"], "json_schema");
    assert_eq!(sent.body["response_format"]["json_schema"]["name"], "suggest_labels");
    assert!(sent.body["messages"][0]["content"].as_str().unwrap().contains("\"required\":[\"labels\"]"));
}

#[tokio::test]
async fn openai_compatible_errors_each_have_their_own_meaning() {
    let mut rate_limited = Reply::error(429, json!({"error": {"message": "Rate limit reached", "type": "requests"}}));
    rate_limited.headers.push(("retry-after", "12".into()));
    let in_stream_error = {
        let mut chunks = vec![openai_chunk(Some("Half"), None)];
        chunks.push(format!("data: {}\n\n", json!({"error": {"message": "model crashed", "code": 500}})));
        Reply::stream(chunks)
    };
    let cut = Reply { cut: true, ..Reply::stream(vec![openai_chunk(Some("Half"), None)]) };
    let cases: Vec<(Reply, AiError)> = vec![
        (Reply::error(401, json!({"error": {"message": "Incorrect API key"}})), AiError::Unauthorized),
        (rate_limited, AiError::RateLimited { retry_after: Some(Duration::from_secs(12)) }),
        (Reply::error(503, json!({"error": "server busy"})), AiError::Overloaded),
        (
            Reply::error(404, json!({"error": "model 'llama-test' not found"})),
            AiError::Provider("model 'llama-test' not found (404 Not Found)".into()),
        ),
        (in_stream_error, AiError::Provider("model crashed".into())),
        (cut, AiError::Protocol("the connection broke in the middle of the answer".into())),
        (
            Reply::stream(vec![openai_chunk(Some("Half"), None)]),
            AiError::Protocol("the answer stopped in the middle".into()),
        ),
        (Reply::stream(openai_stream(&["{\"labels\": [\"Ru"], "length", true)), AiError::Truncated),
    ];
    for (reply, expected) in cases {
        let server = ScriptedServer::start(vec![reply]).await;
        assert_eq!(server.openai(SECOND).run(&text_request(), None).await.unwrap_err(), expected);
    }
}

// ---- runs as a user meets them ----

on_both_databases!(
    without_a_provider_ai_is_off_and_says_what_it_would_do,
    a_run_is_recorded_for_its_owner_without_its_content,
    the_hourly_limit_and_the_monthly_budget_stop_runs_before_they_are_sent,
    a_run_whose_request_goes_away_is_recorded_as_stopped,
    a_model_slow_to_start_writing_still_streams_to_the_end,
);

fn prep_request(text: &str) -> AiRequest {
    ai_service::request_for(
        AiFeature::InterviewPrep,
        vec![AiMessage { role: AiRole::User, content: text.into() }],
        AiOutput::Text,
        2000,
    )
}

async fn user_id(app: &TestApp, email: &str) -> careerlog::domain::UserId {
    careerlog::db::accounts::find_by_email(app.state.db.pool(), &careerlog::domain::Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn without_a_provider_ai_is_off_and_says_what_it_would_do(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let ada = user_id(&app, "ada@example.com").await;
    let refused = ai_service::run_text(&app.state, &ada, AiFeature::InterviewPrep, prep_request("Globex"), None)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused, AiRunError::Off(AiFeature::InterviewPrep));
    assert!(refused.to_string().contains("no AI provider configured"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM ai_runs").await, 0, "nothing ran, nothing is recorded");

    let (status, page) = app.get_text("/settings/ai").await;
    assert_eq!(status, 200);
    assert!(page.contains("This instance has no AI provider configured."));
    for feature in
        [AiFeature::ResumeImport, AiFeature::LabelGeneration, AiFeature::LabelLinking, AiFeature::InterviewPrep]
    {
        assert!(page.contains(feature.title()), "the page says what {} would do", feature.title());
    }
    assert!(page.contains("No AI runs yet."));
}

async fn a_run_is_recorded_for_its_owner_without_its_content(app: TestApp) {
    let fake = FakeAi::new();
    fake.answer("## Likely questions\n1. Why Globex?").fail(AiError::Overloaded).fail(AiError::Truncated);
    let app = TestApp::spawn_with_ai(app.backend, &[], Some(Arc::new(fake.clone()))).await.unwrap();
    app.signed_up_user("ada@example.com").await;
    let ada = user_id(&app, "ada@example.com").await;
    let secret_material = "Globex wants a Staff Engineer; my salary floor is 150k";

    let (sink, mut pieces) = tokio::sync::mpsc::unbounded_channel();
    let answer =
        ai_service::run_text(&app.state, &ada, AiFeature::InterviewPrep, prep_request(secret_material), Some(&sink))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(answer.text, "## Likely questions\n1. Why Globex?");
    assert!(pieces.recv().await.is_some(), "the text streams");
    let sent = fake.requests();
    assert!(sent[0].system.contains("interview coach"), "the feature's prompt file is the instructions");
    assert_eq!(sent[0].messages[0].content, secret_material);

    let failed = ai_service::run_text(&app.state, &ada, AiFeature::InterviewPrep, prep_request("again"), None)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(failed, AiRunError::Failed(AiError::Overloaded));
    // Refused before any writing: nothing counts. Cut off at the length limit: the provider
    // wrote (and billed) the whole answer, so what the run held counts.
    let cut = ai_service::run_text(&app.state, &ada, AiFeature::InterviewPrep, prep_request("long"), None)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(cut, AiRunError::Failed(AiError::Truncated));
    let billed: Vec<(String, i64)> =
        sqlx::query_as("SELECT outcome, output_tokens FROM ai_runs WHERE outcome LIKE 'failed%'")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert!(billed.contains(&("failed: provider overloaded".to_owned(), 0)), "{billed:?}");
    assert!(billed.contains(&("failed: answer cut off".to_owned(), 2000)), "{billed:?}");

    // The activity page lists both, with sizes and outcomes, and never the material.
    let (_, page) = app.get_text("/settings/ai").await;
    assert!(page.contains("Interview preparation"));
    assert!(page.contains("fake-model<br><span class=\"muted small\">fake</span>"));
    assert!(page.contains("Done") && page.contains("Failed: provider overloaded"));
    assert!(!page.contains("salary floor") && !page.contains("Why Globex"));
    let stored: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT prompt, outcome, input_chars, output_chars FROM ai_runs ORDER BY started_at, outcome DESC",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(stored.len(), 3);
    assert_eq!(stored.iter().filter(|r| r.1 == "ok").count(), 1);
    assert!(stored.iter().all(|r| r.0 == "interview_prep.v1"));
    let ok = stored.iter().find(|r| r.1 == "ok").unwrap();
    assert!(ok.2 > secret_material.len() as i64 && ok.3 == answer.text.chars().count() as i64);

    // Someone else sees none of it.
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let (_, theirs) = app.get_text("/settings/ai").await;
    assert!(theirs.contains("No AI runs yet."));
    assert!(theirs.contains("AI features are on"));
}

async fn the_hourly_limit_and_the_monthly_budget_stop_runs_before_they_are_sent(app: TestApp) {
    let fake = FakeAi::new();
    let app =
        TestApp::spawn_with_ai(app.backend, &["--ai-runs-per-hour", "2"], Some(Arc::new(fake.clone()))).await.unwrap();
    app.signed_up_user("ada@example.com").await;
    let ada = user_id(&app, "ada@example.com").await;
    let run = || ai_service::run_text(&app.state, &ada, AiFeature::InterviewPrep, prep_request("Globex"), None);
    assert!(run().await.unwrap().is_ok());
    assert!(run().await.unwrap().is_ok());
    let refused = run().await.unwrap().unwrap_err();
    assert!(matches!(refused, AiRunError::TooMany { limit: 2, .. }), "{refused:?}");
    assert_eq!(fake.requests().len(), 2, "the third run never reached the provider");

    // An hour on, runs are allowed again; an administrator's budget then stops them.
    app.clock.advance(Duration::from_secs(3601));
    let used: i64 = sqlx::query_scalar("SELECT CAST(SUM(input_tokens + output_tokens) AS BIGINT) FROM ai_runs")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert!(used > 0);
    let admin = tokio::process::Command::new(env!("CARGO_BIN_EXE_careerlog"))
        .args(["admin", "ai-budget", "--email", "ada@example.com", "--tokens", &used.to_string()])
        .args(app.storage_args())
        .output()
        .await
        .unwrap();
    assert!(admin.status.success(), "{}", String::from_utf8_lossy(&admin.stderr));
    let refused = run().await.unwrap().unwrap_err();
    assert_eq!(refused, AiRunError::OverBudget { used: used as u64, budget: used as u64 });
    assert!(refused.to_string().contains("this month's AI allowance"));
    assert_eq!(fake.requests().len(), 2);
    let (_, page) = app.get_text("/settings/ai").await;
    assert!(page.contains(r#"<meter min="0" max="100" value="100""#));

    // Back to the instance's default (two million tokens): allowed again.
    let back = tokio::process::Command::new(env!("CARGO_BIN_EXE_careerlog"))
        .args(["admin", "ai-budget", "--email", "ada@example.com", "--tokens", "default"])
        .args(app.storage_args())
        .output()
        .await
        .unwrap();
    assert!(back.status.success());
    assert!(run().await.unwrap().is_ok());
    let bad = tokio::process::Command::new(env!("CARGO_BIN_EXE_careerlog"))
        .args(["admin", "ai-budget", "--email", "ada@example.com", "--tokens", "lots"])
        .args(app.storage_args())
        .output()
        .await
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("whole number of tokens"));
}

async fn a_run_whose_request_goes_away_is_recorded_as_stopped(app: TestApp) {
    let slow = Reply { delay: Duration::from_secs(30), ..Reply::stream(openai_stream(&["late"], "stop", true)) };
    let server = ScriptedServer::start(vec![slow]).await;
    let base = format!("{}/v1", server.base);
    let app = TestApp::spawn_with(
        app.backend,
        &["--ai-provider", "openai-compatible", "--ai-base-url", &base, "--ai-model", "llama-test"],
    )
    .await
    .unwrap();
    app.signed_up_user("ada@example.com").await;
    let ada = user_id(&app, "ada@example.com").await;
    let state = app.state.clone();
    let running = tokio::spawn(async move {
        ai_service::run_text(&state, &ada, AiFeature::InterviewPrep, prep_request("Globex"), None).await
    });
    for _ in 0..200 {
        if !server.requests().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.requests().len(), 1, "the run reached the provider");
    assert_eq!(app.scalar_text("SELECT outcome FROM ai_runs").await, "running");
    // While it runs it holds its input and its whole answer against the allowance, and the
    // user's turn: a second run waits.
    assert_eq!(app.scalar("SELECT output_tokens FROM ai_runs").await, 2000);
    assert!(app.scalar("SELECT input_tokens FROM ai_runs").await > 0);
    let ada_again = user_id(&app, "ada@example.com").await;
    let second = ai_service::run_text(&app.state, &ada_again, AiFeature::InterviewPrep, prep_request("Again"), None)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(second, AiRunError::Busy);
    assert_eq!(server.requests().len(), 1);
    running.abort();
    for _ in 0..200 {
        if app.scalar_text("SELECT outcome FROM ai_runs").await == "cancelled" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.scalar_text("SELECT outcome FROM ai_runs").await, "cancelled");
    assert_eq!(app.scalar("SELECT output_tokens FROM ai_runs").await, 2000, "a stopped run counts what it held");
    let (_, page) = app.get_text("/settings/ai").await;
    assert!(page.contains("Stopped (the page was left)"));

    // A run a stopped process left marked running is recorded as stopped by housekeeping once
    // its time is well past, and no longer holds the user's turn.
    sqlx::query("UPDATE ai_runs SET outcome = 'running'").execute(app.state.db.pool()).await.unwrap();
    careerlog::housekeeping::run(&app.state).await.unwrap();
    assert_eq!(app.scalar_text("SELECT outcome FROM ai_runs").await, "running", "not yet: it may still be going");
    app.clock.advance(Duration::from_secs(180 + 61));
    let report = careerlog::housekeeping::run(&app.state).await.unwrap();
    assert_eq!(report.ai_runs_stopped, 1);
    assert_eq!(app.scalar_text("SELECT outcome FROM ai_runs").await, "cancelled");
    assert!(page.contains("llama-test<br><span class=\"muted small\">openai-compatible</span>"));
}

/// A model that thinks for longer than the connection idle timeout (5 s) before its first word:
/// the stream says it is still there every two seconds, so neither this server nor a proxy
/// takes it for an idle connection, and the preparation arrives whole.
async fn a_model_slow_to_start_writing_still_streams_to_the_end(app: TestApp) {
    let slow = Reply {
        delay: Duration::from_secs(7),
        ..Reply::stream(openai_stream(&["## Likely", " questions"], "stop", true))
    };
    let server = ScriptedServer::start(vec![slow]).await;
    let base = format!("{}/v1", server.base);
    let app = TestApp::spawn_with(
        app.backend,
        &["--ai-provider", "openai-compatible", "--ai-base-url", &base, "--ai-model", "llama-test"],
    )
    .await
    .unwrap();
    app.signed_up_user("ada@example.com").await;
    let api = crate::career::api_for(&app).await;
    let opportunity = api.create("/opportunities", json!({"company": "Globex", "role": "SRE"})).await;
    let interview = api
        .create(
            "/interviews",
            json!({"opportunity_id": opportunity["id"], "round_name": "Screen", "kind": "phone_screen",
                   "start": "2027-01-12T10:00", "time_zone": "Europe/London", "duration_minutes": 30}),
        )
        .await;
    let page = format!("/interviews/{}", interview["id"].as_str().unwrap());
    let (_, html) = app.get_text(&page).await;
    let token = crate::support::csrf_token_in(&html).unwrap();
    let response = app
        .client
        .post(app.url(&format!("{page}/prep/stream")))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    let body = response.text().await.unwrap();
    assert!(body.starts_with(": still writing\n\n"), "{body}");
    assert!(body.contains("event: text\ndata: ## Likely\n\n"), "{body}");
    assert!(body.ends_with(&format!("event: done\ndata: {page}?notice=prep_ready#ai-prep\n\n")), "{body}");
    assert_eq!(app.scalar_text("SELECT outcome FROM ai_runs").await, "ok");
}
