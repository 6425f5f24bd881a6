//! Anthropic's Messages API (`POST /v1/messages`), streamed. A JSON answer is asked for as a
//! forced tool call, whose input arrives as `input_json_delta` fragments.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::{json, Value};
use url::Url;

use super::sse::{Event, Reader};
use super::{AiAnswer, AiError, AiOutput, AiProvider, AiRequest, TextSink};

/// Used when no `--ai-model` is given.
pub const DEFAULT_MODEL: &str = "claude-sonnet-4-5";
const API_VERSION: &str = "2023-06-01";

pub struct Anthropic {
    http: reqwest::Client,
    endpoint: Url,
    key: String,
    model: String,
    timeout: Duration,
}

impl Anthropic {
    pub fn new(base: Url, key: String, model: String, timeout: Duration) -> anyhow::Result<Self> {
        let endpoint = super::join(&base, "v1/messages")?;
        Ok(Self { http: super::http_client(timeout)?, endpoint, key, model, timeout })
    }

    fn body(&self, request: &AiRequest) -> Value {
        let messages: Vec<Value> =
            request.messages.iter().map(|m| json!({"role": m.role, "content": m.content})).collect();
        let mut body = json!({
            "model": self.model,
            "max_tokens": request.max_tokens,
            "system": request.system,
            "messages": messages,
            "stream": true,
        });
        if let AiOutput::Json { name, description, schema } = &request.output {
            body["tools"] = json!([{ "name": name, "description": description, "input_schema": schema }]);
            body["tool_choice"] = json!({ "type": "tool", "name": name });
        }
        body
    }

    async fn run_inner(&self, request: &AiRequest, sink: Option<&TextSink>) -> Result<AiAnswer, AiError> {
        let response = self
            .http
            .post(self.endpoint.clone())
            .header("x-api-key", &self.key)
            .header("anthropic-version", API_VERSION)
            .json(&self.body(request))
            .send()
            .await
            .map_err(super::sending_failed)?;
        let status = response.status();
        if !status.is_success() {
            let retry_after = super::retry_after(response.headers());
            let body = response.text().await.unwrap_or_default();
            return Err(match status.as_u16() {
                401 | 403 => AiError::Unauthorized,
                429 => AiError::RateLimited { retry_after },
                529 => AiError::Overloaded,
                408 | 504 => AiError::Timeout,
                _ => AiError::Provider(format!("{} ({status})", super::error_message(&body))),
            });
        }
        let mut response = response;
        let mut reader = Reader::default();
        let mut answer = AiAnswer { model: self.model.clone(), ..AiAnswer::default() };
        let mut state = StreamState::default();
        loop {
            let chunk = response
                .chunk()
                .await
                .map_err(|_| AiError::Protocol("the connection broke in the middle of the answer".into()))?;
            let Some(bytes) = chunk else {
                // The body ended: a last event not closed by a blank line still counts.
                if let Some(event) = reader.finish() {
                    if state.take(event, &mut answer, sink)? {
                        return state.finish(answer);
                    }
                }
                return Err(AiError::Protocol("the answer stopped in the middle".into()));
            };
            for event in reader.push(&bytes)? {
                if state.take(event, &mut answer, sink)? {
                    return state.finish(answer);
                }
            }
        }
    }
}

/// What the stream has said so far.
#[derive(Default)]
struct StreamState {
    stop_reason: Option<String>,
}

impl StreamState {
    /// Read one event; `true` when the message is complete.
    fn take(&mut self, event: Event, answer: &mut AiAnswer, sink: Option<&TextSink>) -> Result<bool, AiError> {
        let data: Value = match serde_json::from_str(&event.data) {
            Ok(data) => data,
            // A ping with no body, or something new: not ours to fail on.
            Err(_) => return Ok(false),
        };
        let kind = if event.name.is_empty() { data["type"].as_str().unwrap_or_default() } else { &event.name };
        match kind {
            "message_start" => {
                if let Some(model) = data["message"]["model"].as_str() {
                    answer.model = model.to_owned();
                }
                answer.input_tokens = data["message"]["usage"]["input_tokens"].as_u64().unwrap_or(0);
                answer.output_tokens = data["message"]["usage"]["output_tokens"].as_u64().unwrap_or(0);
            }
            "content_block_delta" => {
                let delta = &data["delta"];
                let piece = match delta["type"].as_str() {
                    Some("text_delta") => delta["text"].as_str(),
                    Some("input_json_delta") => delta["partial_json"].as_str(),
                    _ => None,
                };
                if let Some(piece) = piece {
                    answer.text.push_str(piece);
                    if let Some(sink) = sink {
                        // The reader may have gone (the browser left); the run still finishes.
                        let _ = sink.send(piece.to_owned());
                    }
                }
            }
            "message_delta" => {
                if let Some(reason) = data["delta"]["stop_reason"].as_str() {
                    self.stop_reason = Some(reason.to_owned());
                }
                if let Some(tokens) = data["usage"]["output_tokens"].as_u64() {
                    answer.output_tokens = tokens;
                }
            }
            "message_stop" => return Ok(true),
            "error" => {
                let message = super::error_message(&data.to_string());
                return Err(match data["error"]["type"].as_str() {
                    Some("overloaded_error") => AiError::Overloaded,
                    Some("rate_limit_error") => AiError::RateLimited { retry_after: None },
                    Some("authentication_error" | "permission_error") => AiError::Unauthorized,
                    _ => AiError::Provider(message),
                });
            }
            _ => {}
        }
        Ok(false)
    }

    fn finish(self, answer: AiAnswer) -> Result<AiAnswer, AiError> {
        match self.stop_reason.as_deref() {
            Some("max_tokens") => Err(AiError::Truncated),
            _ => Ok(answer),
        }
    }
}

#[async_trait]
impl AiProvider for Anthropic {
    fn name(&self) -> &'static str {
        "anthropic"
    }

    fn model(&self) -> &str {
        &self.model
    }

    async fn run(&self, request: &AiRequest, sink: Option<&TextSink>) -> Result<AiAnswer, AiError> {
        tokio::time::timeout(self.timeout, self.run_inner(request, sink)).await.unwrap_or(Err(AiError::Timeout))
    }
}
