//! AI runs a user starts: whether they may (a provider is configured, the hourly limit, the
//! monthly token budget), recording each run for their "AI activity" page (never its content),
//! and running it, streamed or as checked JSON.

pub mod prompts;

use std::time::Instant;

use crate::clock::Timestamp;
use crate::db::ai::{self as runs, AiRun, NewRun, RunEnd};
use crate::domain::UserId;
use crate::integrations::ai::{self, AiAnswer, AiError, AiProvider, AiRequest, TextSink};
use crate::services::{Handles, ServiceResult};

pub use prompts::Prompt;

/// The AI features, as runs record them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AiFeature {
    ResumeImport,
    LabelGeneration,
    LabelLinking,
    InterviewPrep,
}

impl AiFeature {
    pub fn as_str(self) -> &'static str {
        match self {
            AiFeature::ResumeImport => "resume_import",
            AiFeature::LabelGeneration => "label_generation",
            AiFeature::LabelLinking => "label_linking",
            AiFeature::InterviewPrep => "interview_prep",
        }
    }

    pub fn from_stored(stored: &str) -> Option<Self> {
        [AiFeature::ResumeImport, AiFeature::LabelGeneration, AiFeature::LabelLinking, AiFeature::InterviewPrep]
            .into_iter()
            .find(|f| f.as_str() == stored)
    }

    /// For people: the activity page and messages.
    pub fn title(self) -> &'static str {
        match self {
            AiFeature::ResumeImport => "Resume import",
            AiFeature::LabelGeneration => "Label suggestions",
            AiFeature::LabelLinking => "Label linking",
            AiFeature::InterviewPrep => "Interview preparation",
        }
    }

    /// What it would do, for the button that cannot run when the instance has no provider.
    pub fn what_it_does(self) -> &'static str {
        match self {
            AiFeature::ResumeImport => {
                "reads the text of your resume and turns it into records for you to review before anything is saved"
            }
            AiFeature::LabelGeneration => {
                "suggests labels from a summary of your record, for you to accept or drop before any is created"
            }
            AiFeature::LabelLinking => "suggests which of your labels fit your records",
            AiFeature::InterviewPrep => {
                "writes likely questions, a story bank from your achievements and journal, questions to ask and gaps \
                 to prepare"
            }
        }
    }

    fn prompt(self) -> Prompt {
        match self {
            AiFeature::ResumeImport => prompts::RESUME_IMPORT,
            AiFeature::LabelGeneration => prompts::LABEL_GENERATION,
            AiFeature::LabelLinking => prompts::LABEL_LINKING,
            AiFeature::InterviewPrep => prompts::INTERVIEW_PREP,
        }
    }
}

/// Why a run did not happen or did not finish, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AiRunError {
    #[error("This instance has no AI provider configured, so {feature} cannot run here. An administrator can set one up (Anthropic's Claude, or a model server of their own).", feature = .0.title().to_lowercase())]
    Off(AiFeature),
    #[error("You have started {limit} AI runs in the last hour, the most allowed. Try again in a little while.")]
    TooMany { limit: u32, retry_after_secs: u64 },
    #[error("You have used this month's AI allowance ({used} of {budget} tokens). It renews on the first of the month; an administrator can raise it.")]
    OverBudget { used: u64, budget: u64 },
    #[error("Another AI run of yours is still being written. Wait for it to finish, then try again.")]
    Busy,
    #[error("{0}")]
    Failed(AiError),
}

/// The user's standing, for the activity page.
#[derive(Debug, Clone)]
pub struct AiStatus {
    /// `(provider, model)` when the instance has one.
    pub provider: Option<(&'static str, String)>,
    pub runs_this_hour: i64,
    pub runs_per_hour: u32,
    pub tokens_this_month: u64,
    /// `None`: no limit.
    pub monthly_budget: Option<u64>,
}

pub async fn status(handles: &Handles, user_id: &UserId) -> ServiceResult<AiStatus> {
    let now = handles.clock.now();
    Ok(AiStatus {
        provider: handles.ai.as_ref().map(|ai| (ai.name(), ai.model().to_owned())),
        runs_this_hour: runs::count_since(handles.db.pool(), user_id, an_hour_before(now)).await?,
        runs_per_hour: handles.limits.ai_runs_per_hour,
        tokens_this_month: runs::tokens_since(handles.db.pool(), user_id, month_start(now)).await?.max(0) as u64,
        monthly_budget: budget_of(handles, user_id).await?,
    })
}

/// A page of the user's runs, newest first, and how many there are.
pub async fn activity(
    handles: &Handles,
    user_id: &UserId,
    page: i64,
    per_page: i64,
) -> ServiceResult<(Vec<AiRun>, i64)> {
    let total = runs::count(handles.db.pool(), user_id).await?;
    let rows = runs::page(handles.db.pool(), user_id, per_page, (page.max(1) - 1) * per_page).await?;
    Ok((rows, total))
}

/// Run `request` for `feature`, streaming text to `sink` when given.
pub async fn run_text(
    handles: &Handles,
    user_id: &UserId,
    feature: AiFeature,
    request: AiRequest,
    sink: Option<&TextSink>,
) -> ServiceResult<Result<AiAnswer, AiRunError>> {
    let (provider, run) = match admit(handles, user_id, feature, &request).await? {
        Ok(admitted) => admitted,
        Err(refused) => return Ok(Err(refused)),
    };
    let outcome = provider.run(&request, sink).await;
    let answer = outcome.as_ref().ok().cloned();
    run.finish(handles, answer.as_ref(), outcome.as_ref().err()).await?;
    Ok(outcome.map_err(AiRunError::Failed))
}

/// Run `request` for `feature`, whose answer is one JSON object read into `T` and checked.
pub async fn run_json<T, F>(
    handles: &Handles,
    user_id: &UserId,
    feature: AiFeature,
    request: AiRequest,
    check: F,
) -> ServiceResult<Result<T, AiRunError>>
where
    T: serde::de::DeserializeOwned,
    F: Fn(&T) -> Result<(), String>,
{
    let (provider, run) = match admit(handles, user_id, feature, &request).await? {
        Ok(admitted) => admitted,
        Err(refused) => return Ok(Err(refused)),
    };
    match ai::run_json(provider.as_ref(), &request, check).await {
        Ok((value, answer)) => {
            run.finish(handles, Some(&answer), None).await?;
            Ok(Ok(value))
        }
        Err(err) => {
            run.finish(handles, None, Some(&err)).await?;
            Ok(Err(AiRunError::Failed(err)))
        }
    }
}

/// The request with the feature's prompt as its instructions.
pub fn request_for(
    feature: AiFeature,
    messages: Vec<ai::AiMessage>,
    output: ai::AiOutput,
    max_tokens: u32,
) -> AiRequest {
    AiRequest { system: feature.prompt().text.to_owned(), messages, output, max_tokens }
}

/// Check that the user may run `feature` now, and record the run's start.
async fn admit(
    handles: &Handles,
    user_id: &UserId,
    feature: AiFeature,
    request: &AiRequest,
) -> ServiceResult<Result<(std::sync::Arc<dyn AiProvider>, RunningRun), AiRunError>> {
    let Some(provider) = handles.ai.clone() else {
        return Ok(Err(AiRunError::Off(feature)));
    };
    let now = handles.clock.now();
    let input_chars =
        request.system.chars().count() + request.messages.iter().map(|m| m.content.chars().count()).sum::<usize>();
    // Until the provider says what the run used, it holds what it could use: its input (about
    // four characters a token) and its whole answer. The allowance counts that, so runs started
    // side by side cannot spend past it.
    let reserved = (input_chars.div_ceil(4) as i64, i64::from(request.max_tokens));
    let mut tx = handles.db.begin_write().await?;
    // One user's admissions one at a time: a row lock on PostgreSQL (SQLite's write
    // transaction is exclusive already), so two requests cannot both see room for one more.
    sqlx::query("UPDATE users SET ai_monthly_tokens = ai_monthly_tokens WHERE id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    if let Some(refused) = refusal(handles, &mut tx, user_id, now).await? {
        // Let go of the lock now: a dropped transaction's rollback waits for the connection's
        // next use, and the user's row would stay locked until then.
        tx.rollback().await?;
        return Ok(Err(refused));
    }
    let id = crate::db::new_id();
    runs::start(
        &mut *tx,
        &NewRun {
            id: &id,
            user_id,
            feature: feature.as_str(),
            prompt: feature.prompt().id,
            provider: provider.name(),
            model: provider.model(),
            started_at: now,
            input_chars: input_chars as i64,
            reserved_tokens: reserved,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok((provider, RunningRun { id: Some(id), started: Instant::now(), db: handles.db.clone(), reserved })))
}

/// Why the user may not start a run now, if they may not: one of theirs is still going, the
/// hourly limit, or the monthly allowance.
async fn refusal(
    handles: &Handles,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user_id: &UserId,
    now: Timestamp,
) -> ServiceResult<Option<AiRunError>> {
    if runs::count_running_since(&mut **tx, user_id, now.minus(handles.limits.ai_timeout + STALE_MARGIN)).await? > 0 {
        return Ok(Some(AiRunError::Busy));
    }
    let limit = handles.limits.ai_runs_per_hour;
    if runs::count_since(&mut **tx, user_id, an_hour_before(now)).await? >= i64::from(limit) {
        return Ok(Some(AiRunError::TooMany { limit, retry_after_secs: 600 }));
    }
    let own_budget = runs::monthly_tokens_of(&mut **tx, user_id).await?;
    if let Some(budget) = effective_budget(own_budget, handles.limits.ai_monthly_tokens) {
        let used = runs::tokens_since(&mut **tx, user_id, month_start(now)).await?.max(0) as u64;
        if used >= budget {
            return Ok(Some(AiRunError::OverBudget { used, budget }));
        }
    }
    Ok(None)
}

/// A run still marked running this long after its timeout was lost (the process stopped):
/// housekeeping records it as stopped, and it no longer holds the user's turn.
const STALE_MARGIN: std::time::Duration = std::time::Duration::from_secs(60);

/// Record as stopped the runs a stopped process left running.
pub async fn stop_lost_runs(handles: &Handles) -> ServiceResult<u64> {
    let before = handles.clock.now().minus(handles.limits.ai_timeout + STALE_MARGIN);
    Ok(runs::stop_running_before(handles.db.pool(), before).await?)
}

/// A run recorded as started. Dropped before it is finished (the browser went away and the
/// request was given up), it is recorded as cancelled.
struct RunningRun {
    id: Option<String>,
    started: Instant,
    db: crate::db::Db,
    /// `(input, output)` tokens held until the provider says what was used.
    reserved: (i64, i64),
}

impl RunningRun {
    async fn finish(
        mut self,
        handles: &Handles,
        answer: Option<&AiAnswer>,
        error: Option<&AiError>,
    ) -> ServiceResult<()> {
        let Some(id) = self.id.take() else { return Ok(()) };
        let outcome = match error {
            None => "ok".to_owned(),
            Some(err) => format!("failed: {}", failure_kind(err)),
        };
        let provider_model = handles.ai.as_ref().map(|ai| ai.model().to_owned()).unwrap_or_default();
        // What the run counts against the allowance: the provider's figures when it answered;
        // for a failure after the model may have written (and been paid for), what was held;
        // for one refused before any work, nothing.
        let (input_tokens, output_tokens) = match (answer, error) {
            (Some(answer), _) => (answer.input_tokens as i64, answer.output_tokens as i64),
            (None, Some(err)) if billed_on_failure(err) => self.reserved,
            _ => (0, 0),
        };
        let end = RunEnd {
            model: answer.map(|a| a.model.as_str()).filter(|m| !m.is_empty()).unwrap_or(&provider_model),
            duration_ms: self.started.elapsed().as_millis() as i64,
            output_chars: answer.map(|a| a.text.chars().count() as i64).unwrap_or(0),
            input_tokens,
            output_tokens,
            outcome: &outcome,
        };
        runs::finish(handles.db.pool(), &id, &end).await?;
        Ok(())
    }
}

impl Drop for RunningRun {
    fn drop(&mut self) {
        let Some(id) = self.id.take() else { return };
        let db = self.db.clone();
        let duration_ms = self.started.elapsed().as_millis() as i64;
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = runs::cancel(db.pool(), &id, duration_ms).await;
            });
        }
    }
}

/// Failures that can come after the model has written (so the provider may bill them).
fn billed_on_failure(error: &AiError) -> bool {
    matches!(error, AiError::Timeout | AiError::Truncated | AiError::Protocol(_) | AiError::InvalidOutput(_))
}

/// A short, stable word for the activity page (never the provider's message, which could quote
/// the request).
fn failure_kind(error: &AiError) -> &'static str {
    match error {
        AiError::NotConfigured => "not configured",
        AiError::Unauthorized => "key refused",
        AiError::RateLimited { .. } => "provider rate limit",
        AiError::Overloaded => "provider overloaded",
        AiError::Timeout => "timed out",
        AiError::Truncated => "answer cut off",
        AiError::Unreachable(_) => "provider unreachable",
        AiError::Provider(_) => "provider error",
        AiError::Protocol(_) => "unreadable answer",
        AiError::InvalidOutput(_) => "answer not in the expected shape",
    }
}

async fn budget_of(handles: &Handles, user_id: &UserId) -> ServiceResult<Option<u64>> {
    let own = runs::monthly_tokens_of(handles.db.pool(), user_id).await?;
    Ok(effective_budget(own, handles.limits.ai_monthly_tokens))
}

/// The user's own allowance, or the instance's; `None` when it is 0 (no limit).
fn effective_budget(own: Option<i64>, instance: u64) -> Option<u64> {
    let budget = own.map(|t| t.max(0) as u64).unwrap_or(instance);
    (budget > 0).then_some(budget)
}

fn an_hour_before(now: Timestamp) -> Timestamp {
    now.minus(std::time::Duration::from_secs(3600))
}

/// The first moment of this calendar month, UTC.
fn month_start(now: Timestamp) -> Timestamp {
    let Ok(instant) = jiff::Timestamp::from_millisecond(now.0) else { return now };
    let first = instant.to_zoned(jiff::tz::TimeZone::UTC).date().first_of_month();
    match first.to_zoned(jiff::tz::TimeZone::UTC) {
        Ok(zoned) => Timestamp(zoned.timestamp().as_millisecond()),
        Err(_) => now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_starts_on_its_first_day_at_midnight_utc() {
        let at = |s: &str| Timestamp(s.parse::<jiff::Timestamp>().unwrap().as_millisecond());
        assert_eq!(month_start(at("2026-12-04T12:30:00Z")), at("2026-12-01T00:00:00Z"));
        assert_eq!(month_start(at("2026-12-01T00:00:00Z")), at("2026-12-01T00:00:00Z"));
        assert_eq!(month_start(at("2027-01-31T23:59:59Z")), at("2027-01-01T00:00:00Z"));
    }

    #[test]
    fn features_read_back_from_what_runs_store() {
        for feature in
            [AiFeature::ResumeImport, AiFeature::LabelGeneration, AiFeature::LabelLinking, AiFeature::InterviewPrep]
        {
            assert_eq!(AiFeature::from_stored(feature.as_str()), Some(feature));
            assert!(feature.prompt().id.starts_with(feature.as_str()));
        }
        assert_eq!(AiFeature::from_stored("nope"), None);
    }
}
