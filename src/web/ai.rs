//! Settings → AI: whether this instance has an AI provider, what the user may still use this
//! hour and month, and every run they started (feature, time, model, sizes, outcome; never the
//! content).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::db::ai::AiRun;
use crate::services::ai::{self as ai_service, AiFeature, AiRunError, AiStatus};
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::pages::Chrome;
use crate::web::respond::render;
use crate::web::session::SignedIn;

const PER_PAGE: i64 = 50;

/// An AI refusal as the web answers it: the sentence, with a status that says why (503
/// `not_configured`, 429 `rate_limited`, 502 `upstream_failed`).
pub fn refusal(refused: AiRunError) -> AppError {
    let message = refused.to_string();
    match refused {
        AiRunError::Off(_) => AppError::NotConfigured(message),
        AiRunError::TooMany { retry_after_secs, .. } => AppError::RateLimited { retry_after_secs, message },
        AiRunError::Busy => AppError::RateLimited { retry_after_secs: 30, message },
        AiRunError::OverBudget { .. } => AppError::RateLimited { retry_after_secs: 3600, message },
        AiRunError::Failed(_) => AppError::Upstream(message),
    }
}

/// `POST` paths whose requests wait for an AI run, which may take longer than a page: AI
/// interview preparation, labels by AI and resume import (which may read with AI).
pub fn waits_for_ai(path: &str) -> bool {
    crate::web::ai_prep::waits_for_ai(path)
        || crate::web::ai_labels::waits_for_ai(path)
        || crate::web::imports::waits_for_ai(path)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActivityQuery {
    /// Read leniently: anything but a page number is page 1.
    page: String,
}

#[derive(Template)]
#[template(path = "settings/ai.html")]
struct AiPage {
    chrome: Chrome,
    status: AiStatus,
    runs: Vec<RunView>,
    view: Pages,
}

struct RunView {
    feature: String,
    when: String,
    model: String,
    provider: String,
    duration: String,
    sent: String,
    received: String,
    tokens: String,
    outcome: String,
    failed: bool,
}

impl RunView {
    fn of(run: AiRun) -> Self {
        let feature = AiFeature::from_stored(&run.feature).map(|f| f.title().to_owned()).unwrap_or(run.feature);
        let outcome = match run.outcome.as_str() {
            "ok" => "Done".to_owned(),
            "running" => "Running".to_owned(),
            "cancelled" => "Stopped (the page was left)".to_owned(),
            other => {
                let why = other.strip_prefix("failed: ").unwrap_or(other);
                format!("Failed: {why}")
            }
        };
        RunView {
            feature,
            when: run.started_at.human(),
            model: run.model,
            provider: run.provider,
            duration: format!("{:.1} s", run.duration_ms as f64 / 1000.0),
            sent: characters(run.input_chars),
            received: format!("{} characters", characters(run.output_chars)),
            tokens: format!("{} + {} tokens", thousands(run.input_tokens), thousands(run.output_tokens)),
            failed: run.outcome.starts_with("failed"),
            outcome,
        }
    }
}

/// Page links for the shared pager.
struct Pages {
    page: i64,
    total: i64,
}

impl Pages {
    fn last_page(&self) -> i64 {
        ((self.total + PER_PAGE - 1) / PER_PAGE).max(1)
    }
    fn prev_url(&self) -> Option<String> {
        (self.page > 1).then(|| format!("/settings/ai?page={}", self.page - 1))
    }
    fn next_url(&self) -> Option<String> {
        (self.page < self.last_page()).then(|| format!("/settings/ai?page={}", self.page + 1))
    }
}

impl AiPage {
    fn provider_phrase(&self) -> &'static str {
        match self.status.provider.as_ref().map(|(name, _)| *name) {
            Some("anthropic") => "Anthropic's API",
            Some("openai-compatible") => "a model server this instance's administrator chose",
            _ => "a test provider",
        }
    }
    fn month_used(&self) -> String {
        thousands(self.status.tokens_this_month as i64)
    }
    fn month_budget(&self) -> String {
        self.status.monthly_budget.map(|b| thousands(b as i64)).unwrap_or_default()
    }
    /// How full this month's allowance is, 0–100, for the meter.
    fn month_percent(&self) -> u64 {
        match self.status.monthly_budget {
            Some(budget) if budget > 0 => (self.status.tokens_this_month.saturating_mul(100) / budget).min(100),
            _ => 0,
        }
    }
    fn features(&self) -> Vec<(&'static str, &'static str)> {
        [AiFeature::ResumeImport, AiFeature::LabelGeneration, AiFeature::LabelLinking, AiFeature::InterviewPrep]
            .into_iter()
            .map(|f| (f.title(), f.what_it_does()))
            .collect()
    }
}

fn characters(n: i64) -> String {
    thousands(n)
}

/// 1234567 → "1 234 567": a thin space groups digits without choosing a locale's separator.
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

pub async fn activity(
    State(state): State<AppState>,
    me: SignedIn,
    Query(query): Query<ActivityQuery>,
) -> AppResult<Response> {
    let page = query.page.trim().parse::<i64>().unwrap_or(1).clamp(1, 10_000);
    let status = ai_service::status(&state, &me.user.id).await?;
    let (runs, total) = ai_service::activity(&state, &me.user.id, page, PER_PAGE).await?;
    let chrome = Chrome::new(&state, &me.visitor, "AI", "settings/ai");
    let body: Html<String> = render(&AiPage {
        chrome,
        status,
        runs: runs.into_iter().map(RunView::of).collect(),
        view: Pages { page, total },
    })?;
    Ok(body.into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1\u{202f}000");
        assert_eq!(super::thousands(2_000_000), "2\u{202f}000\u{202f}000");
        assert_eq!(super::thousands(-1234), "-1\u{202f}234");
    }
}
