//! A provider for tests: it records every request it is given (so a test can check exactly
//! what would have left the server, promise 15) and answers from a script, streaming each
//! answer in a few pieces like a real model.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::{AiAnswer, AiError, AiProvider, AiRequest, TextSink};

#[derive(Clone, Default)]
pub struct FakeAi {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    requests: Vec<AiRequest>,
    answers: VecDeque<Result<String, AiError>>,
}

impl FakeAi {
    pub fn new() -> Self {
        Self::default()
    }

    /// The next run answers `text`.
    pub fn answer(&self, text: impl Into<String>) -> &Self {
        self.inner.lock().expect("fake AI lock").answers.push_back(Ok(text.into()));
        self
    }

    /// The next run fails with `error`.
    pub fn fail(&self, error: AiError) -> &Self {
        self.inner.lock().expect("fake AI lock").answers.push_back(Err(error));
        self
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<AiRequest> {
        self.inner.lock().expect("fake AI lock").requests.clone()
    }
}

#[async_trait]
impl AiProvider for FakeAi {
    fn name(&self) -> &'static str {
        "fake"
    }

    fn model(&self) -> &str {
        "fake-model"
    }

    async fn run(&self, request: &AiRequest, sink: Option<&TextSink>) -> Result<AiAnswer, AiError> {
        let next = {
            let mut inner = self.inner.lock().expect("fake AI lock");
            inner.requests.push(request.clone());
            inner.answers.pop_front()
        };
        let text = match next {
            Some(answer) => answer?,
            None => "The fake provider has no answer scripted for this run.".to_owned(),
        };
        if let Some(sink) = sink {
            let pieces: Vec<char> = text.chars().collect();
            for piece in pieces.chunks(pieces.len().div_ceil(4).max(1)) {
                let _ = sink.send(piece.iter().collect());
                tokio::task::yield_now().await;
            }
        }
        let input: usize = request.system.len() + request.messages.iter().map(|m| m.content.len()).sum::<usize>();
        Ok(AiAnswer {
            output_tokens: text.len().div_ceil(4) as u64,
            input_tokens: input.div_ceil(4) as u64,
            text,
            model: "fake-model".to_owned(),
        })
    }
}
