//! Any OpenAI-compatible chat-completions server (`POST {base}/chat/completions`), streamed:
//! Ollama, llama.cpp's server, vLLM, or a hosted one. Read leniently, as local servers differ:
//! `finish_reason` may be `""`, usage may be missing, `[DONE]` may not come.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::{json, Value};
use url::Url;

use super::sse::{Event, Reader};
use super::{AiAnswer, AiError, AiOutput, AiProvider, AiRequest, TextSink};

pub struct OpenAiCompatible {
    http: reqwest::Client,
    endpoint: Url,
    key: Option<String>,
    model: String,
    timeout: Duration,
}

impl OpenAiCompatible {
    pub fn new(base: Url, key: Option<String>, model: String, timeout: Duration) -> anyhow::Result<Self> {
        let endpoint = super::join(&base, "chat/completions")?;
        Ok(Self { http: super::http_client(timeout)?, endpoint, key, model, timeout })
    }

    fn body(&self, request: &AiRequest) -> Value {
        let mut system = request.system.clone();
        if let AiOutput::Json { schema, .. } = &request.output {
            // Small local models follow the schema better when they can read it, whether or
            // not the server enforces `response_format`.
            system.push_str("\n\nAnswer with one JSON object, and nothing else, that follows this JSON Schema:\n");
            system.push_str(&schema.to_string());
        }
        let mut messages = vec![json!({"role": "system", "content": system})];
        messages.extend(request.messages.iter().map(|m| json!({"role": m.role, "content": m.content})));
        let mut body = json!({
            "model": self.model,
            "messages": messages,
            "max_tokens": request.max_tokens,
            "stream": true,
            "stream_options": { "include_usage": true },
        });
        if let AiOutput::Json { name, schema, .. } = &request.output {
            body["response_format"] =
                json!({ "type": "json_schema", "json_schema": { "name": name, "schema": schema, "strict": false } });
        }
        body
    }

    async fn run_inner(&self, request: &AiRequest, sink: Option<&TextSink>) -> Result<AiAnswer, AiError> {
        let mut call = self.http.post(self.endpoint.clone()).json(&self.body(request));
        if let Some(key) = &self.key {
            call = call.bearer_auth(key);
        }
        let mut response = call.send().await.map_err(super::sending_failed)?;
        let status = response.status();
        if !status.is_success() {
            let retry_after = super::retry_after(response.headers());
            let body = response.text().await.unwrap_or_default();
            return Err(match status.as_u16() {
                401 | 403 => AiError::Unauthorized,
                429 => AiError::RateLimited { retry_after },
                503 | 529 => AiError::Overloaded,
                408 | 504 => AiError::Timeout,
                _ => AiError::Provider(format!("{} ({status})", super::error_message(&body))),
            });
        }
        let mut reader = Reader::default();
        let mut answer = AiAnswer { model: self.model.clone(), ..AiAnswer::default() };
        let mut finish: Option<String> = None;
        loop {
            let chunk = response
                .chunk()
                .await
                .map_err(|_| AiError::Protocol("the connection broke in the middle of the answer".into()))?;
            let (events, ended) = match chunk {
                Some(bytes) => (reader.push(&bytes)?, false),
                None => (reader.finish().into_iter().collect(), true),
            };
            for event in events {
                if take(event, &mut answer, &mut finish, sink)? {
                    return finished(answer, finish);
                }
            }
            if ended {
                // No `[DONE]`: some servers end the body after the last chunk instead.
                return match finish {
                    Some(_) => finished(answer, finish),
                    None => Err(AiError::Protocol("the answer stopped in the middle".into())),
                };
            }
        }
    }
}

/// Read one event; `true` at `[DONE]`.
fn take(
    event: Event,
    answer: &mut AiAnswer,
    finish: &mut Option<String>,
    sink: Option<&TextSink>,
) -> Result<bool, AiError> {
    if event.data.trim() == "[DONE]" {
        return Ok(true);
    }
    let Ok(data) = serde_json::from_str::<Value>(&event.data) else { return Ok(false) };
    if !data["error"].is_null() {
        let message = super::error_message(&event.data);
        return Err(match data["error"]["code"].as_u64().or_else(|| data["error"]["status"].as_u64()) {
            Some(429) => AiError::RateLimited { retry_after: None },
            Some(503) => AiError::Overloaded,
            _ => AiError::Provider(message),
        });
    }
    if let Some(model) = data["model"].as_str().filter(|m| !m.is_empty()) {
        answer.model = model.to_owned();
    }
    if let Some(choice) = data["choices"].get(0) {
        if let Some(piece) = choice["delta"]["content"].as_str().filter(|p| !p.is_empty()) {
            answer.text.push_str(piece);
            if let Some(sink) = sink {
                let _ = sink.send(piece.to_owned());
            }
        }
        if let Some(reason) = choice["finish_reason"].as_str().filter(|r| !r.is_empty()) {
            *finish = Some(reason.to_owned());
        }
    }
    if let Some(usage) = data["usage"].as_object() {
        answer.input_tokens = usage.get("prompt_tokens").and_then(Value::as_u64).unwrap_or(answer.input_tokens);
        answer.output_tokens = usage.get("completion_tokens").and_then(Value::as_u64).unwrap_or(answer.output_tokens);
    }
    Ok(false)
}

fn finished(answer: AiAnswer, finish: Option<String>) -> Result<AiAnswer, AiError> {
    match finish.as_deref() {
        Some("length") => Err(AiError::Truncated),
        _ => Ok(answer),
    }
}

#[async_trait]
impl AiProvider for OpenAiCompatible {
    fn name(&self) -> &'static str {
        "openai-compatible"
    }

    fn model(&self) -> &str {
        &self.model
    }

    async fn run(&self, request: &AiRequest, sink: Option<&TextSink>) -> Result<AiAnswer, AiError> {
        tokio::time::timeout(self.timeout, self.run_inner(request, sink)).await.unwrap_or(Err(AiError::Timeout))
    }
}
