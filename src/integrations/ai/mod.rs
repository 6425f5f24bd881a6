//! AI providers: one trait, two real clients (Anthropic's Messages API and any OpenAI-compatible
//! chat-completions server) and a fake for tests that records every request it is given.
//!
//! Both clients are small and our own, on reqwest: the crates that exist either pull a second
//! HTTP stack or break on what local model servers send (see ../shared/INTEGRATIONS.md). They
//! stream (server-sent events), hand each piece of text to the caller as it arrives, and read
//! events leniently: an unknown event or field is skipped, never an error.
//!
//! Structured answers ([`run_json`]) are checked against our own types; a malformed answer gets
//! one repair attempt (the model is shown its answer and what was wrong), then a clear error.

mod anthropic;
pub mod fake;
mod openai_compatible;
mod sse;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::sync::mpsc;

use crate::config::{AiConfig, AiProviderKind};

pub use anthropic::Anthropic;
pub use openai_compatible::OpenAiCompatible;

/// One request to a model: instructions, the conversation, and what shape the answer takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AiRequest {
    /// The instructions (from a versioned prompt file, see `crate::services::ai::prompts`).
    pub system: String,
    pub messages: Vec<AiMessage>,
    pub output: AiOutput,
    /// The longest answer wanted, in tokens.
    pub max_tokens: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AiMessage {
    pub role: AiRole,
    pub content: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AiRole {
    User,
    Assistant,
}

/// What the answer is: prose, or one JSON object following `schema` (a JSON Schema).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum AiOutput {
    Text,
    Json { name: String, description: String, schema: serde_json::Value },
}

/// A finished answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AiAnswer {
    /// The text, or for [`AiOutput::Json`] the JSON as the model wrote it.
    pub text: String,
    /// The model that answered, as the provider names it.
    pub model: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// Why a run failed, in words a user can act on. Never holds the request or an API key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AiError {
    #[error("This instance has no AI provider configured.")]
    NotConfigured,
    #[error("The AI provider refused this instance's API key. An administrator needs to check it.")]
    Unauthorized,
    #[error("The AI provider is limiting requests right now{}. Try again shortly.", retry_after.map(|d| format!(" (it asks to wait {} s)", d.as_secs())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },
    #[error("The AI provider is overloaded. Try again in a minute.")]
    Overloaded,
    #[error("The AI provider took too long to answer. Try again, perhaps with less material.")]
    Timeout,
    #[error("The answer was cut off before it was complete (it reached the length limit).")]
    Truncated,
    #[error("The AI provider could not be reached: {0}")]
    Unreachable(String),
    #[error("The AI provider answered with an error: {0}")]
    Provider(String),
    #[error("The AI provider's answer could not be read: {0}")]
    Protocol(String),
    #[error("The model's answer did not have the expected shape, even after a second try: {0}")]
    InvalidOutput(String),
}

/// Text as it is written, for pages that show the answer growing.
pub type TextSink = mpsc::UnboundedSender<String>;

#[async_trait]
pub trait AiProvider: Send + Sync {
    /// `anthropic`, `openai-compatible` or `fake`: for the activity log.
    fn name(&self) -> &'static str;
    /// The configured model.
    fn model(&self) -> &str;
    /// Run `request`, sending text to `sink` (when given) as it arrives.
    async fn run(&self, request: &AiRequest, sink: Option<&TextSink>) -> Result<AiAnswer, AiError>;
}

/// The configured provider, or `None` when AI is off.
pub fn from_config(config: &AiConfig) -> anyhow::Result<Option<Arc<dyn AiProvider>>> {
    let timeout = Duration::from_secs(config.timeout_seconds.max(1));
    let key = config.api_key.as_ref().map(|k| k.expose().clone()).filter(|k| !k.trim().is_empty());
    Ok(match config.provider {
        AiProviderKind::None => None,
        AiProviderKind::Anthropic => {
            let Some(key) = key else {
                anyhow::bail!("--ai-provider anthropic needs --ai-api-key (CAREERLOG_AI_API_KEY)");
            };
            let base = config.base_url.clone().unwrap_or_else(|| "https://api.anthropic.com".parse().expect("a URL"));
            let model = config.model.clone().unwrap_or_else(|| anthropic::DEFAULT_MODEL.to_owned());
            Some(Arc::new(Anthropic::new(base, key, model, timeout)?))
        }
        AiProviderKind::OpenaiCompatible => {
            let Some(base) = config.base_url.clone() else {
                anyhow::bail!(
                    "--ai-provider openai-compatible needs --ai-base-url (CAREERLOG_AI_BASE_URL), \
                     e.g. http://127.0.0.1:11434/v1 for Ollama"
                );
            };
            let Some(model) = config.model.clone().filter(|m| !m.trim().is_empty()) else {
                anyhow::bail!(
                    "--ai-provider openai-compatible needs --ai-model (CAREERLOG_AI_MODEL), e.g. llama3.1:8b"
                );
            };
            Some(Arc::new(OpenAiCompatible::new(base, key, model, timeout)?))
        }
    })
}

/// Run a request whose answer is one JSON object, read into `T` and checked by `check`
/// (rules JSON Schema cannot say). A malformed answer gets one repair attempt: the model sees
/// its answer and what was wrong with it. Returns the value and the answers' total usage.
pub async fn run_json<T, F>(provider: &dyn AiProvider, request: &AiRequest, check: F) -> Result<(T, AiAnswer), AiError>
where
    T: DeserializeOwned,
    F: Fn(&T) -> Result<(), String>,
{
    let first = provider.run(request, None).await?;
    let problem = match read_json::<T>(&first.text).and_then(|value| check(&value).map(|()| value)) {
        Ok(value) => return Ok((value, first)),
        Err(problem) => problem,
    };
    tracing::info!(provider = provider.name(), "the model's JSON answer needs repair; asking once more");
    let mut repair = request.clone();
    repair.messages.push(AiMessage { role: AiRole::Assistant, content: first.text.clone() });
    repair.messages.push(AiMessage {
        role: AiRole::User,
        content: format!(
            "That answer cannot be used: {problem}. Answer again with only the corrected JSON object, \
             following the schema exactly."
        ),
    });
    let second = provider.run(&repair, None).await?;
    let total = AiAnswer {
        text: second.text.clone(),
        model: second.model.clone(),
        input_tokens: first.input_tokens + second.input_tokens,
        output_tokens: first.output_tokens + second.output_tokens,
    };
    match read_json::<T>(&second.text).and_then(|value| check(&value).map(|()| value)) {
        Ok(value) => Ok((value, total)),
        Err(problem) => Err(AiError::InvalidOutput(problem)),
    }
}

/// The JSON object in a model's answer: the whole text, or failing that the text inside a
/// Markdown code fence or between the first `{` and the last `}` (small local models often wrap
/// their JSON in prose).
fn read_json<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let trimmed = text.trim();
    let direct = serde_json::from_str::<T>(trimmed);
    let error = match direct {
        Ok(value) => return Ok(value),
        Err(err) => err,
    };
    let fenced = trimmed
        .split("```")
        .nth(1)
        .map(|block| block.trim_start_matches("json").trim())
        .and_then(|block| serde_json::from_str::<T>(block).ok());
    if let Some(value) = fenced {
        return Ok(value);
    }
    if let (Some(start), Some(end)) = (trimmed.find('{'), trimmed.rfind('}')) {
        if start < end {
            if let Ok(value) = serde_json::from_str::<T>(&trimmed[start..=end]) {
                return Ok(value);
            }
        }
    }
    Err(format!("it is not the JSON object asked for ({error})"))
}

/// The shared HTTP client for a provider: no redirects (an API does not move), a connect
/// timeout; the whole run's timeout is applied around it.
fn http_client(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(timeout)
        .user_agent(concat!("careerlog/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

/// `base` + `path`, whether or not `base` ends with a slash.
fn join(base: &url::Url, path: &str) -> anyhow::Result<url::Url> {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    Ok(base.join(path)?)
}

fn sending_failed(err: reqwest::Error) -> AiError {
    if err.is_timeout() {
        AiError::Timeout
    } else if err.is_connect() {
        AiError::Unreachable("the connection was refused or could not be made".into())
    } else {
        AiError::Unreachable("the request could not be sent".into())
    }
}

/// `Retry-After` in seconds, when given.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// An error body's message, whichever of the usual shapes it has, shortened.
fn error_message(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let message = parsed
        .as_ref()
        .and_then(|v| v["error"]["message"].as_str().or_else(|| v["error"].as_str()).or_else(|| v["message"].as_str()))
        .map(str::to_owned)
        .unwrap_or_else(|| body.trim().to_owned());
    let message: String = message.chars().filter(|c| !c.is_control()).take(300).collect();
    if message.is_empty() {
        "no details given".to_owned()
    } else {
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Shape {
        name: String,
    }

    #[test]
    fn json_is_found_in_the_ways_models_write_it() {
        let want = Shape { name: "Ada".into() };
        for text in [
            r#"{"name":"Ada"}"#,
            "  {\"name\": \"Ada\"}\n",
            "```json\n{\"name\": \"Ada\"}\n```",
            "Here you are:\n```\n{\"name\": \"Ada\"}\n```\nAnything else?",
            "Sure! {\"name\": \"Ada\"} Hope that helps.",
        ] {
            assert_eq!(read_json::<Shape>(text).unwrap(), want, "{text}");
        }
        for text in ["", "no json", "{\"name\": 3}", "{\"name\": \"Ada\"", "}{"] {
            assert!(read_json::<Shape>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn error_bodies_are_read_in_their_usual_shapes_and_kept_short() {
        assert_eq!(error_message(r#"{"type":"error","error":{"type":"x","message":"bad key"}}"#), "bad key");
        assert_eq!(error_message(r#"{"error":"model not found"}"#), "model not found");
        assert_eq!(error_message(r#"{"message":"nope"}"#), "nope");
        assert_eq!(error_message("plain\ntext"), "plaintext");
        assert_eq!(error_message(""), "no details given");
        assert_eq!(error_message(&"x".repeat(1000)).len(), 300);
    }
}
