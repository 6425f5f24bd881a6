//! The texts interview preparation reads: the resume text and the LinkedIn summary.

use crate::db::interviews as interview_rows;
use crate::db::prep::{self, InterviewPrep, PrepDocument, PrepSource};
use crate::domain::prep::{link_sources, PrepDebrief, PrepDraft, PrepInput, PrepMaterial, PrepOpportunity, PrepRound};
use crate::domain::{FieldErrors, UserId};
use crate::integrations::ai::{AiMessage, AiOutput, AiRole, TextSink};
use crate::services::ai::{self as ai_service, AiFeature, AiRunError};
use crate::services::records::{self, kinds};
use crate::services::{Handles, ServiceError, ServiceResult};

/// Validate and keep the texts the draft names; the others stay as they are.
pub async fn save(handles: &Handles, user_id: &UserId, draft: &PrepDraft) -> ServiceResult<InterviewPrep> {
    // Read inside the write transaction, so two changes to different fields both stay.
    let mut tx = handles.db.begin_write().await?;
    let current = prep::get(&mut *tx, user_id).await?;
    let (resume, summary) =
        draft.validate(&current.resume_text, &current.linkedin_summary).map_err(ServiceError::Invalid)?;
    prep::save(&mut tx, user_id, &resume, &summary, handles.clock.now()).await?;
    tx.commit().await?;
    Ok(prep::get(handles.db.pool(), user_id).await?)
}

// ---- AI interview preparation (issue 13, item 4) ----

/// At most this much material goes with one run, so a run stays affordable and within the
/// model's context.
pub const MATERIAL_MAX: usize = 30;
/// How many of the latest achievements are offered ticked (and taken by the API's default),
/// leaving room within [`MATERIAL_MAX`] for journal entries.
pub const ACHIEVEMENTS_BY_DEFAULT: usize = 20;
/// A journal entry's or achievement's text is cut to this many characters.
const MATERIAL_TEXT_MAX: usize = 3_000;
/// The longest preparation the model may write, in tokens.
const PREP_MAX_TOKENS: u32 = 6_000;

/// What is being prepared for.
#[derive(Debug, Clone, Copy)]
pub enum PrepSubject<'a> {
    Interview(&'a str),
    /// The opportunity as a whole, before any interview is set.
    Opportunity(&'a str),
}

/// The achievements and journal entries the user chose as material, by id.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct MaterialChoice {
    pub achievements: Vec<String>,
    pub journal_entries: Vec<String>,
}

/// Everything a run needs: the input sent, where the document goes, and what its citations
/// may link to.
pub struct PrepRun {
    pub input: PrepInput,
    pub opportunity_id: String,
    pub interview_id: Option<String>,
    pub sources: Vec<PrepSource>,
}

/// Gather exactly what preparation sends (see [`PrepInput`]), checking that every record named
/// is the user's own.
pub async fn gather(
    handles: &Handles,
    user_id: &UserId,
    subject: PrepSubject<'_>,
    choice: &MaterialChoice,
) -> ServiceResult<PrepRun> {
    let (opportunity_id, this_interview) = match subject {
        PrepSubject::Interview(id) => {
            let interview = records::get::<kinds::Interviews>(&handles.db, user_id, id).await?;
            (interview.opportunity_id.clone(), Some(interview))
        }
        PrepSubject::Opportunity(id) => {
            (records::get::<kinds::Opportunities>(&handles.db, user_id, id).await?.id, None)
        }
    };
    let opportunity = records::get::<kinds::Opportunities>(&handles.db, user_id, &opportunity_id).await?;
    let texts = prep::get(handles.db.pool(), user_id).await?;
    let earlier_debriefs = interview_rows::interviews_for(handles.db.pool(), user_id, &opportunity_id)
        .await?
        .into_iter()
        .filter(|i| match &this_interview {
            Some(this) => i.id != this.id && i.starts_at < this.starts_at,
            None => true,
        })
        .filter(|i| !(i.debrief_summary.is_empty() && i.debrief_questions.is_empty() && i.debrief_improve.is_empty()))
        .map(|i| PrepDebrief {
            round: i.round_name,
            kind: i.kind.label().to_owned(),
            outcome: i.outcome.label().to_owned(),
            summary: i.debrief_summary,
            questions_asked: i.debrief_questions,
            to_improve: i.debrief_improve,
        })
        .collect();

    let mut errors = FieldErrors::new();
    if choice.achievements.len() + choice.journal_entries.len() > MATERIAL_MAX {
        errors.add("material", format!("Choose at most {MATERIAL_MAX} achievements and journal entries together."));
        return Err(ServiceError::Invalid(errors));
    }
    let mut sources = Vec::new();
    let mut achievements = Vec::new();
    for id in distinct(&choice.achievements) {
        match records::get::<kinds::Achievements>(&handles.db, user_id, id).await {
            Ok(row) => {
                sources.push(PrepSource { kind: "achievement".into(), id: row.id.clone(), title: row.title.clone() });
                achievements.push(PrepMaterial { id: row.id, title: row.title, text: cut(&row.description) });
            }
            Err(ServiceError::NotFound) => errors.add("achievements", "One of the achievements chosen is not yours."),
            Err(err) => return Err(err),
        }
    }
    let mut journal_entries = Vec::new();
    for id in distinct(&choice.journal_entries) {
        match records::get::<kinds::Journal>(&handles.db, user_id, id).await {
            Ok(row) => {
                sources.push(PrepSource { kind: "journal_entry".into(), id: row.id.clone(), title: row.title.clone() });
                journal_entries.push(PrepMaterial { id: row.id, title: row.title, text: cut(&row.body) });
            }
            Err(ServiceError::NotFound) => {
                errors.add("journal_entries", "One of the journal entries chosen is not yours.")
            }
            Err(err) => return Err(err),
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    Ok(PrepRun {
        input: PrepInput {
            opportunity: PrepOpportunity {
                company: opportunity.company,
                role: opportunity.role,
                job_description: opportunity.description,
            },
            interview: this_interview
                .as_ref()
                .map(|i| PrepRound { round: i.round_name.clone(), kind: i.kind.label().to_owned() }),
            resume_text: texts.resume_text,
            linkedin_summary: texts.linkedin_summary,
            earlier_debriefs,
            achievements,
            journal_entries,
        },
        opportunity_id,
        interview_id: this_interview.map(|i| i.id),
        sources,
    })
}

/// Run preparation and keep what it wrote (replacing any earlier document for the same
/// interview or opportunity), streaming the text to `sink` as it is written.
pub async fn generate(
    handles: &Handles,
    user_id: &UserId,
    run: PrepRun,
    sink: Option<&TextSink>,
) -> ServiceResult<Result<PrepDocument, AiRunError>> {
    let material = serde_json::to_string_pretty(&run.input).map_err(|e| ServiceError::Internal(e.into()))?;
    let request = ai_service::request_for(
        AiFeature::InterviewPrep,
        vec![AiMessage { role: AiRole::User, content: material }],
        AiOutput::Text,
        PREP_MAX_TOKENS,
    );
    let answer = match ai_service::run_text(handles, user_id, AiFeature::InterviewPrep, request, sink).await? {
        Ok(answer) => answer,
        Err(refused) => return Ok(Err(refused)),
    };
    let known: Vec<(String, String, String)> =
        run.sources.iter().map(|s| (s.id.clone(), s.title.clone(), s.url())).collect();
    let now = handles.clock.now();
    let document = PrepDocument {
        id: crate::db::new_id(),
        opportunity_id: run.opportunity_id,
        interview_id: run.interview_id,
        body: link_sources(&clean_answer(&answer.text), &known),
        sources: crate::db::JsonList(run.sources),
        model: clean_answer(&answer.model),
        generated_at: now,
        updated_at: now,
    };
    let mut tx = handles.db.begin_write().await?;
    prep::replace_document(&mut tx, user_id, &document).await?;
    tx.commit().await?;
    Ok(Ok(document))
}

/// The kept document for an interview or opportunity, checking it is the user's.
pub async fn document(
    handles: &Handles,
    user_id: &UserId,
    subject: PrepSubject<'_>,
) -> ServiceResult<Option<PrepDocument>> {
    let (opportunity_id, interview_id) = subject_ids(handles, user_id, subject).await?;
    Ok(prep::document_for(handles.db.pool(), user_id, &opportunity_id, interview_id.as_deref()).await?)
}

/// The user's own edit of the document's text.
pub async fn edit_document(
    handles: &Handles,
    user_id: &UserId,
    subject: PrepSubject<'_>,
    body: &str,
) -> ServiceResult<PrepDocument> {
    let body = crate::domain::fields::text(body, PREP_DOCUMENT_MAX).map_err(|m| ServiceError::field("body", m))?;
    let Some(current) = document(handles, user_id, subject).await? else { return Err(ServiceError::NotFound) };
    prep::update_document_body(handles.db.pool(), user_id, &current.id, &body, handles.clock.now()).await?;
    document(handles, user_id, subject).await?.ok_or(ServiceError::NotFound)
}

/// Delete the document; NotFound when there is none.
pub async fn delete_document(handles: &Handles, user_id: &UserId, subject: PrepSubject<'_>) -> ServiceResult<()> {
    let (opportunity_id, interview_id) = subject_ids(handles, user_id, subject).await?;
    if prep::delete_document(handles.db.pool(), user_id, &opportunity_id, interview_id.as_deref()).await? {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// The longest preparation document a user may keep.
pub const PREP_DOCUMENT_MAX: usize = 100_000;

async fn subject_ids(
    handles: &Handles,
    user_id: &UserId,
    subject: PrepSubject<'_>,
) -> ServiceResult<(String, Option<String>)> {
    Ok(match subject {
        PrepSubject::Interview(id) => {
            let interview = records::get::<kinds::Interviews>(&handles.db, user_id, id).await?;
            (interview.opportunity_id, Some(interview.id))
        }
        PrepSubject::Opportunity(id) => {
            (records::get::<kinds::Opportunities>(&handles.db, user_id, id).await?.id, None)
        }
    })
}

/// A model's text as it may be kept: no control characters but line breaks and tabs (a NUL
/// would fail PostgreSQL's insert after the run was paid for), trimmed, at most the document's
/// length.
fn clean_answer(text: &str) -> String {
    let kept: String =
        text.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).take(PREP_DOCUMENT_MAX).collect();
    kept.trim().to_owned()
}

fn distinct(ids: &[String]) -> Vec<&str> {
    let mut seen: Vec<&str> = Vec::new();
    for id in ids.iter().map(|id| id.trim()).filter(|id| !id.is_empty()) {
        if !seen.contains(&id) {
            seen.push(id);
        }
    }
    seen
}

fn cut(text: &str) -> String {
    if text.chars().count() <= MATERIAL_TEXT_MAX {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(MATERIAL_TEXT_MAX).collect::<String>())
    }
}
