//! Labels by AI (issue 13, item 3), each run started by the user:
//! - generation: suggest new labels in a category from a summary of the career record; nothing
//!   is created until the user confirms the ones they keep ([`create_labels`]);
//! - linking one record: suggest which of the user's labels fit it; applied only once ticked;
//! - linking in bulk: the most recently changed records at once, applied straight away and
//!   recorded as a batch that can be undone.
//!
//! What each sends is built here from exactly the fields `domain::label_ai` lists (promise 15).

use std::time::Duration;

use crate::db::career::{self, Achievement, Certification, Education, Experience, Project, Skill};
use crate::db::interviews::Interview;
use crate::db::journal::JournalEntry;
use crate::db::label_links::{self, LinkBatch};
use crate::db::labels::{self, Label};
use crate::db::lists::{self, ListFilter};
use crate::db::opportunities::Opportunity;
use crate::domain::career::LabelDraft;
use crate::domain::fields::{name_key, LABELS_PER_RECORD_MAX};
use crate::domain::label_ai::{
    self as rules, GeneratedLabels, GenerationExperience, GenerationProject, KnownLink, LabelGenerationInput,
    LabelLinkingInput, LinkAnswer, LinkRecord, SuggestedLabel,
};
use crate::domain::records::RecordKind;
use crate::domain::UserId;
use crate::integrations::ai::{AiMessage, AiOutput, AiRole};
use crate::services::ai::{self as ai_service, AiFeature, AiRunError};
use crate::services::records::{self, kinds, Labelled, RecordType};
use crate::services::{Handles, ServiceError, ServiceResult};

/// The longest answers wanted, in tokens.
const GENERATION_MAX_TOKENS: u32 = 2_000;
const LINK_ONE_MAX_TOKENS: u32 = 1_500;
const LINK_BULK_MAX_TOKENS: u32 = 8_000;
/// A bulk batch can be undone this long; housekeeping then forgets it (its links stay).
pub const BATCH_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

// ---- generation ----

/// Exactly what generation sends for `category` (see [`LabelGenerationInput`]).
pub async fn generation_input(
    handles: &Handles,
    user_id: &UserId,
    category: &str,
) -> ServiceResult<LabelGenerationInput> {
    let category = rules::category(category).map_err(|m| ServiceError::field("category", m))?;
    let pool = handles.db.pool();
    let first = |per_page: usize| ListFilter { page: 1, per_page: per_page as i64, ..ListFilter::default() };
    // The tables' own orders put the current and latest first.
    let experiences: Vec<Experience> =
        lists::rows(pool, &career::EXPERIENCES, user_id, &first(rules::EXPERIENCES_MAX)).await?;
    let projects: Vec<Project> = lists::rows(pool, &career::PROJECTS, user_id, &first(rules::PROJECTS_MAX)).await?;
    let skills: Vec<Skill> = lists::rows(pool, &career::SKILLS, user_id, &first(rules::SKILLS_MAX)).await?;
    Ok(LabelGenerationInput {
        category,
        experiences: experiences
            .into_iter()
            .map(|e| GenerationExperience {
                dates: rules::dates(&e.start_date, e.end_date.as_deref(), e.is_current.get()),
                role: e.role,
                company: e.company,
                location: e.location,
                description: rules::cut(&e.description, rules::BRIEF_MAX),
            })
            .collect(),
        projects: projects
            .into_iter()
            .map(|p| GenerationProject {
                name: p.name,
                role: p.role,
                kind: p.kind,
                description: rules::cut(&p.description, rules::BRIEF_MAX),
            })
            .collect(),
        skills: skills.into_iter().map(|s| s.name).collect(),
        existing_labels: label_names(&labels::list_for_user(pool, user_id).await?),
    })
}

/// Run generation: the suggestions worth showing (none the user has already). Creates nothing.
pub async fn suggest_labels(
    handles: &Handles,
    user_id: &UserId,
    input: LabelGenerationInput,
) -> ServiceResult<Result<Vec<SuggestedLabel>, AiRunError>> {
    let request = json_request(
        AiFeature::LabelGeneration,
        &input,
        "label_suggestions",
        "Labels suggested for the category, each with its reason.",
        rules::generation_schema(),
        GENERATION_MAX_TOKENS,
    )?;
    let check = |answer: &GeneratedLabels| {
        if answer.suggestions.len() > 50 {
            Err("give at most 15 suggestions".to_owned())
        } else {
            Ok(())
        }
    };
    match ai_service::run_json(handles, user_id, AiFeature::LabelGeneration, request, check).await? {
        Ok(answer) => {
            // The user's labels again: one may have been created while the model wrote.
            let existing = label_names(&labels::list_for_user(handles.db.pool(), user_id).await?);
            Ok(Ok(rules::new_suggestions(answer, &existing)))
        }
        Err(refused) => Ok(Err(refused)),
    }
}

/// Create the labels the user confirmed, through the labels' one write path; a name they have
/// by now is skipped. Answers how many were created.
pub async fn create_labels(handles: &Handles, user_id: &UserId, names: &[String]) -> ServiceResult<usize> {
    let existing: Vec<String> =
        labels::list_for_user(handles.db.pool(), user_id).await?.iter().map(|l| name_key(&l.name)).collect();
    let mut created = 0;
    for name in names.iter().filter(|n| !existing.contains(&name_key(n))) {
        let draft = LabelDraft { name: name.clone(), ..LabelDraft::blank() };
        crate::services::labels::save(handles, user_id, None, &draft).await?;
        created += 1;
    }
    Ok(created)
}

// ---- linking: what a record shows the model ----

/// A kind of record linking can read: its text fields and a title for people.
pub trait Linkable {
    fn link_fields(&self) -> Vec<(&'static str, String)>;
    fn link_title(&self) -> String;
}

impl Linkable for Experience {
    fn link_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("role", self.role.clone()),
            ("company", self.company.clone()),
            ("location", self.location.clone()),
            ("description", self.description.clone()),
            ("highlights", self.highlights.0.join("\n")),
        ]
    }
    fn link_title(&self) -> String {
        format!("{} at {}", self.role, self.company)
    }
}

impl Linkable for Skill {
    fn link_fields(&self) -> Vec<(&'static str, String)> {
        vec![("name", self.name.clone()), ("category", self.category.clone()), ("level", self.level.clone())]
    }
    fn link_title(&self) -> String {
        self.name.clone()
    }
}

impl Linkable for Project {
    fn link_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("name", self.name.clone()),
            ("role", self.role.clone()),
            ("type", self.kind.clone()),
            ("description", self.description.clone()),
        ]
    }
    fn link_title(&self) -> String {
        self.name.clone()
    }
}

impl Linkable for Achievement {
    fn link_fields(&self) -> Vec<(&'static str, String)> {
        vec![("title", self.title.clone()), ("description", self.description.clone())]
    }
    fn link_title(&self) -> String {
        self.title.clone()
    }
}

impl Linkable for Education {
    fn link_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("institution", self.institution.clone()),
            ("area", self.area.clone()),
            ("study_type", self.study_type.clone()),
            ("description", self.description.clone()),
            ("courses", self.courses.0.join("\n")),
        ]
    }
    fn link_title(&self) -> String {
        self.institution.clone()
    }
}

impl Linkable for Certification {
    fn link_fields(&self) -> Vec<(&'static str, String)> {
        vec![("name", self.name.clone()), ("issuer", self.issuer.clone())]
    }
    fn link_title(&self) -> String {
        self.name.clone()
    }
}

impl Linkable for JournalEntry {
    fn link_fields(&self) -> Vec<(&'static str, String)> {
        vec![("title", self.title.clone()), ("body", self.body.clone())]
    }
    fn link_title(&self) -> String {
        self.title.clone()
    }
}

impl Linkable for Opportunity {
    /// The posting, not the user's own pipeline notes (salary, source, next action).
    fn link_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("company", self.company.clone()),
            ("role", self.role.clone()),
            ("job_description", self.description.clone()),
        ]
    }
    fn link_title(&self) -> String {
        format!("{} at {}", self.role, self.company)
    }
}

impl Linkable for Interview {
    /// The round and what was learnt from it; no time, place, link or interviewer.
    fn link_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("round", self.round_name.clone()),
            ("kind", self.kind.label().to_owned()),
            ("company", self.company.clone()),
            ("role", self.role.clone()),
            ("debrief", self.debrief_summary.clone()),
        ]
    }
    fn link_title(&self) -> String {
        format!("{} · {}", self.round_name, self.company)
    }
}

/// One record as linking reads it, with what pages need about it.
pub struct RecordForLinking {
    pub record: LinkRecord,
    pub kind: RecordKind,
    pub title: String,
    /// The names of the labels already on it.
    pub labels: Vec<String>,
}

async fn load<K>(handles: &Handles, user_id: &UserId, id: &str) -> ServiceResult<RecordForLinking>
where
    K: RecordType,
    K::Row: Linkable,
{
    let row = records::get::<K>(&handles.db, user_id, id).await?;
    Ok(RecordForLinking {
        record: LinkRecord::new(K::TABLE.kind, row.id(), row.link_fields()),
        kind: K::TABLE.kind,
        title: row.link_title(),
        labels: row.labels().iter().map(|l| l.name.clone()).collect(),
    })
}

/// Run `$body` with `$k` the record type of `$kind`; a kind linking does not read is not found.
macro_rules! per_kind {
    ($kind:expr, $k:ident => $body:expr) => {
        match $kind {
            RecordKind::Experience => {
                type $k = kinds::Experiences;
                $body
            }
            RecordKind::Skill => {
                type $k = kinds::Skills;
                $body
            }
            RecordKind::Project => {
                type $k = kinds::Projects;
                $body
            }
            RecordKind::Achievement => {
                type $k = kinds::Achievements;
                $body
            }
            RecordKind::Education => {
                type $k = kinds::EducationRecords;
                $body
            }
            RecordKind::Certification => {
                type $k = kinds::Certifications;
                $body
            }
            RecordKind::JournalEntry => {
                type $k = kinds::Journal;
                $body
            }
            RecordKind::Opportunity => {
                type $k = kinds::Opportunities;
                $body
            }
            RecordKind::Interview => {
                type $k = kinds::Interviews;
                $body
            }
            RecordKind::Contact | RecordKind::Note | RecordKind::Task => Err(ServiceError::NotFound),
        }
    };
}

/// One of the user's records as linking reads it; another user's, or a kind linking does not
/// read, is not found.
pub async fn record_for_linking(
    handles: &Handles,
    user_id: &UserId,
    kind: RecordKind,
    id: &str,
) -> ServiceResult<RecordForLinking> {
    per_kind!(kind, K => load::<K>(handles, user_id, id).await)
}

// ---- linking one record, reviewed ----

/// A label suggested for a record: one of the user's, not on the record yet.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct LinkSuggestion {
    #[schema(format = Uuid)]
    pub label_id: String,
    pub name: String,
    pub reason: String,
}

/// The record's suggestions, for the review page and the API.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RecordLinkSuggestions {
    /// `experience`, `journal_entry`…
    pub kind: String,
    #[schema(format = Uuid)]
    pub id: String,
    pub title: String,
    pub suggestions: Vec<LinkSuggestion>,
}

/// Ask which of the user's labels fit one record. Applies nothing.
pub async fn suggest_links(
    handles: &Handles,
    user_id: &UserId,
    kind: RecordKind,
    id: &str,
) -> ServiceResult<Result<RecordLinkSuggestions, AiRunError>> {
    let record = record_for_linking(handles, user_id, kind, id).await?;
    let user_labels = labels::list_for_user(handles.db.pool(), user_id).await?;
    if user_labels.is_empty() {
        return Err(ServiceError::field("labels", "You have no labels yet: create some first, then ask again."));
    }
    let input = LabelLinkingInput { labels: label_names(&user_labels), records: vec![record.record.clone()] };
    let links = match run_linking(handles, user_id, &input, LINK_ONE_MAX_TOKENS).await? {
        Ok(links) => links,
        Err(refused) => return Ok(Err(refused)),
    };
    let on_record: Vec<String> = record.labels.iter().map(|n| name_key(n)).collect();
    let suggestions = links
        .into_iter()
        .filter(|link| !on_record.contains(&name_key(&link.label)))
        .filter_map(|link| {
            let label = user_labels.iter().find(|l| l.name == link.label)?;
            Some(LinkSuggestion { label_id: label.id.clone(), name: label.name.clone(), reason: link.reason })
        })
        .collect();
    Ok(Ok(RecordLinkSuggestions {
        kind: kind.as_str().to_owned(),
        id: id.to_owned(),
        title: record.title,
        suggestions,
    }))
}

/// Put the labels the user ticked on the record, through the records' one write path. Ids
/// that are not the user's labels are ignored. Answers how many were put on.
pub async fn apply_links(
    handles: &Handles,
    user_id: &UserId,
    kind: RecordKind,
    id: &str,
    label_ids: &[String],
) -> ServiceResult<usize> {
    // The record must be the user's before anything else.
    record_for_linking(handles, user_id, kind, id).await?;
    let user_labels = labels::list_for_user(handles.db.pool(), user_id).await?;
    let mut applied = 0;
    for label in user_labels.iter().filter(|l| label_ids.iter().any(|id| id.trim() == l.id)) {
        per_kind!(kind, K => records::add_label::<K>(handles, user_id, id, &label.name).await)?;
        applied += 1;
    }
    Ok(applied)
}

// ---- linking in bulk, applied, with undo ----

/// Link the user's labels across their most recently changed records (at most
/// [`rules::BULK_RECORDS_MAX`] of the career record and journal), applying every suggestion
/// at once; the links added are recorded as a batch that [`undo_batch`] removes.
pub async fn link_in_bulk(handles: &Handles, user_id: &UserId) -> ServiceResult<Result<LinkBatch, AiRunError>> {
    let user_labels = labels::list_for_user(handles.db.pool(), user_id).await?;
    if user_labels.is_empty() {
        return Err(ServiceError::field("labels", "You have no labels yet: create some first, then link them."));
    }
    let tables = career::RECORD_TABLES;
    debug_assert!(tables.iter().all(|t| rules::BULK_LINKABLE.contains(&t.kind)));
    let recent =
        label_links::recent_records(handles.db.pool(), user_id, &tables, rules::BULK_RECORDS_MAX as i64).await?;
    if recent.is_empty() {
        return Err(ServiceError::field("records", "You have no records to link labels to yet."));
    }
    let mut records = Vec::with_capacity(recent.len());
    for (kind, id) in &recent {
        let Some(kind) = rules::linkable_kind(kind) else { continue };
        match record_for_linking(handles, user_id, kind, id).await {
            Ok(record) => records.push(record),
            // Deleted a moment ago.
            Err(ServiceError::NotFound) => {}
            Err(err) => return Err(err),
        }
    }
    let input = LabelLinkingInput {
        labels: label_names(&user_labels),
        records: records.iter().map(|r| r.record.clone()).collect(),
    };
    let links = match run_linking(handles, user_id, &input, LINK_BULK_MAX_TOKENS).await? {
        Ok(links) => links,
        Err(refused) => return Ok(Err(refused)),
    };

    let now = handles.clock.now();
    let batch_id = crate::db::new_id();
    let mut tx = handles.db.begin_write().await?;
    label_links::insert_batch(&mut tx, user_id, &batch_id, now, records.len() as i64).await?;
    for record in &records {
        let mut on_record = labels::count_on_record(&mut *tx, user_id, record.kind, &record.record.id).await?;
        for link in links.iter().filter(|l| l.record_id == record.record.id) {
            if on_record >= LABELS_PER_RECORD_MAX as i64 {
                break;
            }
            let Some(label) = user_labels.iter().find(|l| l.name == link.label) else { continue };
            let kind = record.kind.as_str();
            if label_links::link_if_new(&mut tx, user_id, &label.id, kind, &record.record.id, now).await? {
                label_links::insert_item(&mut tx, user_id, &batch_id, &label.id, kind, &record.record.id, &link.reason)
                    .await?;
                on_record += 1;
            }
        }
    }
    let batch = label_links::get_batch(&mut tx, user_id, &batch_id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(Ok(batch))
}

/// One of the user's batches.
pub async fn batch(handles: &Handles, user_id: &UserId, id: &str) -> ServiceResult<LinkBatch> {
    records::valid_id(id)?;
    let mut conn = handles.db.pool().acquire().await?;
    label_links::get_batch(&mut conn, user_id, id).await?.ok_or(ServiceError::NotFound)
}

/// Remove exactly the links the batch added (not links the user made since), and the batch.
/// Answers how many links were removed.
pub async fn undo_batch(handles: &Handles, user_id: &UserId, id: &str) -> ServiceResult<u64> {
    records::valid_id(id)?;
    let mut tx = handles.db.begin_write().await?;
    let removed = label_links::undo_batch(&mut tx, user_id, id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(removed)
}

/// Housekeeping: forget batches older than [`BATCH_LIFETIME`].
pub async fn forget_old_batches(handles: &Handles) -> ServiceResult<u64> {
    let before = handles.clock.now().minus(BATCH_LIFETIME);
    let mut tx = handles.db.begin_write().await?;
    let deleted = label_links::delete_older_than(&mut tx, before).await?;
    tx.commit().await?;
    Ok(deleted)
}

// ---- shared ----

async fn run_linking(
    handles: &Handles,
    user_id: &UserId,
    input: &LabelLinkingInput,
    max_tokens: u32,
) -> ServiceResult<Result<Vec<KnownLink>, AiRunError>> {
    let request = json_request(
        AiFeature::LabelLinking,
        input,
        "label_links",
        "For each record given, the labels given that apply to it, each with its reason.",
        rules::linking_schema(),
        max_tokens,
    )?;
    let answer = match ai_service::run_json(handles, user_id, AiFeature::LabelLinking, request, |_: &LinkAnswer| Ok(()))
        .await?
    {
        Ok(answer) => answer,
        Err(refused) => return Ok(Err(refused)),
    };
    let ids: Vec<&str> = input.records.iter().map(|r| r.id.as_str()).collect();
    Ok(Ok(rules::known_links(answer, &input.labels, &ids)))
}

fn json_request<T: serde::Serialize>(
    feature: AiFeature,
    input: &T,
    name: &str,
    description: &str,
    schema: serde_json::Value,
    max_tokens: u32,
) -> ServiceResult<crate::integrations::ai::AiRequest> {
    let content = serde_json::to_string_pretty(input).map_err(|e| ServiceError::Internal(e.into()))?;
    Ok(ai_service::request_for(
        feature,
        vec![AiMessage { role: AiRole::User, content }],
        AiOutput::Json { name: name.to_owned(), description: description.to_owned(), schema },
        max_tokens,
    ))
}

fn label_names(labels: &[Label]) -> Vec<String> {
    labels.iter().map(|l| l.name.clone()).collect()
}
