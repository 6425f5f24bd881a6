//! Resume import (Career → Import): a file becomes rows to review, and the rows the user keeps
//! become records through the same write path as the forms and the API.
//!
//! Promise 14: nothing is written to the career record before the user applies. The uploaded
//! file is never kept. Its text and the parsed rows are kept sealed (see [`seal`]) until the
//! user applies or discards them, or [`IMPORT_LIFETIME`] passes and housekeeping deletes them.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::clock::Timestamp;
use crate::db::imports::{self as stored, Existing, ExistingKind, NewImport, StoredImport};
use crate::db::profiles;
use crate::domain::career::{
    AchievementInput, CertificationInput, EducationInput, ExperienceInput, ProjectInput, SkillInput,
};
use crate::domain::imports::{comparable, rows_from_resume, DuplicateOf, ImportKind, ImportRow};
use crate::domain::lenient::TypedInput;
use crate::domain::profile::{row_field, Language, ProfileInput, ProfileLink, ProfileWrite};
use crate::domain::records::Draft;
use crate::domain::{FieldErrors, UserId};
use crate::integrations::ai::{AiMessage, AiOutput, AiRole};
use crate::resume::json_resume::ParsedResume;
use crate::resume::{self, ExtractedText, SourceFormat};
use crate::services::ai::{self, AiFeature, AiRunError};
use crate::services::error::rejected_write;
use crate::services::records::kinds::{Achievements, Certifications, EducationRecords, Experiences, Projects, Skills};
use crate::services::records::{self, RecordType};
use crate::services::{profiles as profile_service, Handles, ServiceError, ServiceResult};

/// How long an import waits for review before housekeeping deletes it.
pub const IMPORT_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);
/// Imports one user may have waiting; a new one pushes out the oldest.
pub const WAITING_MAX: i64 = 5;
/// The most text an import keeps (to read again with AI). Longer text is cut.
pub const TEXT_KEPT_MAX: usize = 100_000;
/// The most text sent to an AI provider in one reading (about 15 000 tokens).
pub const AI_TEXT_MAX: usize = 60_000;
/// Room for the answer of an AI reading: a long resume as JSON.
const AI_ANSWER_TOKENS: u32 = 8_000;
/// Files read at once by this process. Reading a PDF takes a core for up to seconds; more
/// uploads at once wait their turn rather than take every core from the pages.
static READING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

crate::closed_set! {
    /// Who read the resume into rows.
    pub enum ReadBy {
        Parser = ("parser", "Careerlog's parser"),
        Ai = ("ai", "AI"),
    }
}

/// An import awaiting review, opened.
#[derive(Debug, Clone)]
pub struct Review {
    pub id: String,
    pub read_by: ReadBy,
    pub file_name: String,
    pub format: SourceFormat,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub rows: Vec<ImportRow>,
    /// Characters of text the file gave (kept up to [`TEXT_KEPT_MAX`]).
    pub text_chars: usize,
    text: String,
}

/// What is sealed: everything about the import that came from the file.
#[derive(Serialize, Deserialize)]
struct Sealed {
    file_name: String,
    format: SourceFormat,
    text: String,
    rows: Vec<ImportRow>,
}

/// An uploaded resume.
pub struct Upload {
    pub bytes: Bytes,
    pub file_name: String,
    pub content_type: Option<String>,
}

/// Read an uploaded resume into rows for review and keep them (sealed). A file that cannot be
/// read is the user's to fix (`file`); an AI reading that could not run says why.
pub async fn start(
    handles: &Handles,
    user_id: &UserId,
    upload: Upload,
    read_by: ReadBy,
) -> ServiceResult<Result<Review, AiRunError>> {
    if read_by == ReadBy::Ai && handles.ai.is_none() {
        return Ok(Err(AiRunError::Off(AiFeature::ResumeImport)));
    }
    let file_name = clean_file_name(&upload.file_name);
    if let Some(document) = json_resume_in(&upload.bytes) {
        let parsed = document?;
        let text = String::from_utf8_lossy(&upload.bytes).into_owned();
        let review = keep(handles, user_id, ReadBy::Parser, file_name, SourceFormat::Json, text, &parsed).await?;
        return Ok(Ok(review));
    }
    let turn = READING.acquire().await.map_err(|err| ServiceError::Internal(err.into()))?;
    let extracted = resume::extract_text_off_runtime(upload.bytes, file_name.clone(), upload.content_type)
        .await
        .map_err(|err| ServiceError::field("file", err.to_string()))?;
    drop(turn);
    let text = extracted.text();
    let parsed = match read(handles, user_id, read_by, &extracted, &text).await? {
        Ok(parsed) => parsed,
        Err(refused) => return Ok(Err(refused)),
    };
    let review = keep(handles, user_id, read_by, file_name, extracted.format, text, &parsed).await?;
    Ok(Ok(review))
}

/// A JSON Resume document (what Careerlog's own export writes), when the file is JSON: read as
/// it is, no parser and no AI needed. `None`: not JSON, so a resume to extract and parse.
fn json_resume_in(bytes: &[u8]) -> Option<ServiceResult<ParsedResume>> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'{' {
        return None;
    }
    if bytes.len() > resume::MAX_IMPORT_BYTES {
        let message = resume::ExtractError::TooLarge { bytes: bytes.len() }.to_string();
        return Some(Err(ServiceError::field("file", message)));
    }
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let resume_keys = ["basics", "work", "education", "skills", "projects", "awards", "certificates", "languages"];
    if !value.as_object().is_some_and(|o| resume_keys.iter().any(|k| o.contains_key(*k))) {
        return Some(Err(ServiceError::field(
            "file",
            "This JSON file is not a JSON Resume document (it has none of basics, work, education, skills…). Export \
             your resume as JSON Resume, PDF or Word and try again.",
        )));
    }
    Some(serde_json::from_value::<ParsedResume>(value).map_err(|err| {
        ServiceError::field(
            "file",
            format!("This JSON Resume document could not be read: {err}. Check it against the JSON Resume schema."),
        )
    }))
}

/// Read a waiting import's text again, with AI; the new reading replaces it.
pub async fn read_again_with_ai(
    handles: &Handles,
    user_id: &UserId,
    id: &str,
) -> ServiceResult<Result<Review, AiRunError>> {
    let review = get(handles, user_id, id).await?;
    let extracted = ExtractedText::from_plain_text(&review.text);
    let parsed = match read(handles, user_id, ReadBy::Ai, &extracted, &review.text).await? {
        Ok(parsed) => parsed,
        Err(refused) => return Ok(Err(refused)),
    };
    let new = keep(handles, user_id, ReadBy::Ai, review.file_name, review.format, review.text, &parsed).await?;
    discard(handles, user_id, id).await?;
    Ok(Ok(new))
}

async fn read(
    handles: &Handles,
    user_id: &UserId,
    read_by: ReadBy,
    extracted: &ExtractedText,
    text: &str,
) -> ServiceResult<Result<ParsedResume, AiRunError>> {
    match read_by {
        ReadBy::Parser => {
            let extracted = extracted.clone();
            let parsed = tokio::task::spawn_blocking(move || resume::parse::parse_resume(&extracted))
                .await
                .map_err(|err| ServiceError::Internal(anyhow::anyhow!("the resume parser stopped: {err}")))?;
            Ok(Ok(parsed))
        }
        ReadBy::Ai => {
            if text.chars().count() > AI_TEXT_MAX {
                return Err(ServiceError::field(
                    "file",
                    format!(
                        "This resume's text is longer than an AI reading takes ({} characters at most). Read it with \
                         Careerlog's parser instead.",
                        crate::resume::extract::group_thousands(AI_TEXT_MAX)
                    ),
                ));
            }
            let request = ai_request(text);
            ai::run_json(handles, user_id, AiFeature::ResumeImport, request, check_ai_resume).await
        }
    }
}

/// Promise 15: an AI reading sends the resume's text and nothing else (not the file's name,
/// not the account's email, not the user's records).
pub fn ai_request(text: &str) -> crate::integrations::ai::AiRequest {
    ai::request_for(
        AiFeature::ResumeImport,
        vec![AiMessage { role: AiRole::User, content: format!("The resume's text:\n\n{text}") }],
        AiOutput::Json {
            name: "resume".into(),
            description: "The records of one resume, as a JSON Resume document.".into(),
            schema: resume_schema(),
        },
        AI_ANSWER_TOKENS,
    )
}

/// What a model's resume must be, beyond its JSON shape: dates we can read.
fn check_ai_resume(resume: &ParsedResume) -> Result<(), String> {
    let dates = resume
        .work
        .iter()
        .chain(&resume.volunteer)
        .flat_map(|w| [&w.start_date, &w.end_date])
        .chain(resume.education.iter().flat_map(|e| [&e.start_date, &e.end_date]))
        .chain(resume.projects.iter().flat_map(|p| [&p.start_date, &p.end_date]))
        .chain(resume.certificates.iter().map(|c| &c.date))
        .chain(resume.awards.iter().map(|a| &a.date))
        .flatten();
    for date in dates {
        if crate::domain::fields::PartialDate::parse(date).is_err() {
            return Err(format!(
                "The date \"{date}\" is not an ISO partial date: write \"2021\", \"2021-03\" or \"2021-03-15\", or leave \
                 it out."
            ));
        }
    }
    Ok(())
}

/// The JSON Schema an AI reading answers in: the parts of JSON Resume we import.
fn resume_schema() -> Value {
    let text = serde_json::json!({"type": "string"});
    let texts = serde_json::json!({"type": "array", "items": {"type": "string"}});
    let date = serde_json::json!({"type": "string", "description": "ISO partial date: 2021, 2021-03 or 2021-03-15"});
    let object = |required: &[&str], properties: Value| serde_json::json!({"type": "object", "required": required, "properties": properties, "additionalProperties": false});
    let list = |item: Value| serde_json::json!({"type": "array", "items": item});
    object(
        &[],
        serde_json::json!({
            "basics": object(&[], serde_json::json!({
                "name": text, "label": text, "email": text, "phone": text, "url": text, "summary": text,
                "location": object(&[], serde_json::json!({"city": text, "region": text, "countryCode": text})),
                "profiles": list(object(&["network"], serde_json::json!({"network": text, "username": text, "url": text}))),
            })),
            "work": list(object(&[], serde_json::json!({
                "name": text, "position": text, "location": text, "url": text, "startDate": date, "endDate": date,
                "summary": text, "highlights": texts,
            }))),
            "volunteer": list(object(&[], serde_json::json!({
                "name": text, "position": text, "startDate": date, "endDate": date, "summary": text, "highlights": texts,
            }))),
            "education": list(object(&[], serde_json::json!({
                "institution": text, "url": text, "area": text, "studyType": text, "startDate": date, "endDate": date,
                "score": text, "courses": texts,
            }))),
            "certificates": list(object(&["name"], serde_json::json!({"name": text, "date": date, "issuer": text, "url": text}))),
            "awards": list(object(&["title"], serde_json::json!({"title": text, "date": date, "awarder": text, "summary": text}))),
            "publications": list(object(&["name"], serde_json::json!({"name": text, "publisher": text, "releaseDate": date, "url": text}))),
            "skills": list(object(&["name"], serde_json::json!({"name": text, "level": text, "keywords": texts}))),
            "languages": list(object(&["language"], serde_json::json!({"language": text, "fluency": text}))),
            "projects": list(object(&["name"], serde_json::json!({
                "name": text, "description": text, "highlights": texts, "keywords": texts, "url": text, "roles": texts,
                "startDate": date, "endDate": date,
            }))),
        }),
    )
}

/// Turn a reading into rows, flag duplicates, seal and keep it.
async fn keep(
    handles: &Handles,
    user_id: &UserId,
    read_by: ReadBy,
    file_name: String,
    format: SourceFormat,
    mut text: String,
    parsed: &ParsedResume,
) -> ServiceResult<Review> {
    let mut rows = rows_from_resume(parsed);
    flag_duplicates(handles, user_id, &mut rows).await?;
    if let Some((cut, _)) = text.char_indices().nth(TEXT_KEPT_MAX) {
        text.truncate(cut);
    }
    let now = handles.clock.now();
    let id = crate::db::new_id();
    let sealed = Sealed { file_name, format, text, rows };
    let plaintext = serde_json::to_vec(&sealed).map_err(|err| ServiceError::Internal(err.into()))?;
    let sealed_text =
        base64::engine::general_purpose::STANDARD.encode(handles.field_key.seal(&plaintext, &context(&id, user_id)));
    let expires_at = now.plus(IMPORT_LIFETIME);
    let mut tx = handles.db.begin_write().await?;
    stored::insert(
        &mut tx,
        &NewImport { id: &id, user_id, read_by: read_by.as_str(), sealed: &sealed_text, created_at: now, expires_at },
    )
    .await?;
    stored::keep_newest(&mut tx, user_id, WAITING_MAX).await?;
    tx.commit().await?;
    Ok(Review {
        id,
        read_by,
        file_name: sealed.file_name,
        format: sealed.format,
        created_at: now,
        expires_at,
        text_chars: sealed.text.chars().count(),
        rows: sealed.rows,
        text: sealed.text,
    })
}

/// What a sealed import is bound to: its row and its owner.
fn context(id: &str, user_id: &UserId) -> Vec<u8> {
    format!("resume_import:{id}:{}", user_id.as_str()).into_bytes()
}

fn open(handles: &Handles, user_id: &UserId, row: StoredImport) -> Option<Review> {
    let sealed = base64::engine::general_purpose::STANDARD.decode(&row.sealed).ok()?;
    let plaintext = handles.field_key.open(&sealed, &context(&row.id, user_id))?;
    let sealed: Sealed = serde_json::from_slice(&plaintext).ok()?;
    Some(Review {
        id: row.id,
        read_by: ReadBy::parse(&row.read_by).unwrap_or(ReadBy::Parser),
        file_name: sealed.file_name,
        format: sealed.format,
        created_at: row.created_at,
        expires_at: row.expires_at,
        text_chars: sealed.text.chars().count(),
        rows: sealed.rows,
        text: sealed.text,
    })
}

/// The user's import awaiting review. One that no longer opens (the instance's key changed) is
/// as good as gone.
pub async fn get(handles: &Handles, user_id: &UserId, id: &str) -> ServiceResult<Review> {
    records::valid_id(id)?;
    let row = stored::get(handles.db.pool(), user_id, id, handles.clock.now()).await?.ok_or(ServiceError::NotFound)?;
    open(handles, user_id, row).ok_or(ServiceError::NotFound)
}

/// The user's imports awaiting review, newest first.
pub async fn waiting(handles: &Handles, user_id: &UserId) -> ServiceResult<Vec<Review>> {
    let rows = stored::waiting(handles.db.pool(), user_id, handles.clock.now(), WAITING_MAX).await?;
    Ok(rows.into_iter().filter_map(|row| open(handles, user_id, row)).collect())
}

pub async fn discard(handles: &Handles, user_id: &UserId, id: &str) -> ServiceResult<()> {
    records::valid_id(id)?;
    let mut tx = handles.db.begin_write().await?;
    let deleted = stored::delete(&mut tx, user_id, id).await?;
    tx.commit().await?;
    if deleted {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// Housekeeping: imports past their time, whoever they belong to.
pub async fn delete_expired(handles: &Handles) -> ServiceResult<u64> {
    Ok(stored::delete_expired(handles.db.pool(), handles.clock.now()).await?)
}

// ---- duplicates ----

/// Flag the rows that repeat a record the user has, and leave them unticked. The profile's
/// fields the user has filled in already are left out: an import fills gaps, it does not
/// overwrite what the user wrote.
async fn flag_duplicates(handles: &Handles, user_id: &UserId, rows: &mut Vec<ImportRow>) -> ServiceResult<()> {
    let pool = handles.db.pool();
    let profile = profiles::get(pool, user_id).await?;
    let mut existing: HashMap<ImportKind, Vec<Existing>> = HashMap::new();
    for (kind, table) in [
        (ImportKind::Experience, ExistingKind::Experiences),
        (ImportKind::Education, ExistingKind::Education),
        (ImportKind::Certification, ExistingKind::Certifications),
        (ImportKind::Project, ExistingKind::Projects),
        (ImportKind::Skill, ExistingKind::Skills),
        (ImportKind::Achievement, ExistingKind::Achievements),
    ] {
        if rows.iter().any(|r| r.kind == kind) {
            existing.insert(kind, stored::existing(pool, user_id, table).await?);
        }
    }
    for row in rows.iter_mut() {
        row.duplicate_of = match row.kind {
            ImportKind::Profile => {
                let filled = [
                    ("display_name", &profile.display_name),
                    ("job_title", &profile.job_title),
                    ("email", &profile.email),
                    ("phone", &profile.phone),
                    ("url", &profile.url),
                    ("region", &profile.region),
                    ("bio", &profile.bio),
                ];
                for (field, current) in filled {
                    if !current.trim().is_empty() {
                        row.fields.remove(field);
                    }
                }
                None
            }
            ImportKind::Link => profile
                .profiles
                .0
                .iter()
                .find(|link| {
                    let same_url = !link.url.is_empty() && comparable(&link.url) == comparable(row.text("url"));
                    same_url || comparable(&link.network) == comparable(row.text("network"))
                })
                .map(|link| DuplicateOf { id: None, title: format!("{} on your profile", link.network) }),
            ImportKind::Language => profile
                .languages
                .0
                .iter()
                .find(|l| comparable(&l.language) == comparable(row.text("language")))
                .map(|l| DuplicateOf { id: None, title: format!("{} on your profile", l.language) }),
            kind => existing.get(&kind).and_then(|records| repeated(kind, row, records)),
        };
        if row.duplicate_of.is_some() {
            row.keep = false;
        }
    }
    rows.retain(|row| !row.fields.is_empty());
    Ok(())
}

/// The record of the user's that `row` repeats: the same name, and, where two of a name can
/// differ (roles at one company, degrees at one school), the same role, degree or start.
fn repeated(kind: ImportKind, row: &ImportRow, records: &[Existing]) -> Option<DuplicateOf> {
    let (name, qualifier, start) = match kind {
        ImportKind::Experience => (row.text("company"), row.text("role"), row.text("start_date")),
        ImportKind::Education => (row.text("institution"), row.text("study_type"), row.text("start_date")),
        ImportKind::Project => (row.text("name"), "", ""),
        ImportKind::Certification | ImportKind::Skill => (row.text("name"), "", ""),
        ImportKind::Achievement => (row.text("title"), "", ""),
        _ => return None,
    };
    // Skills are told apart as the database does (C, C++ and C# are three); other names loosely.
    let key = |text: &str| if kind == ImportKind::Skill { text.trim().to_lowercase() } else { comparable(text) };
    let name = key(name);
    if name.is_empty() {
        return None;
    }
    let qualifies = |record: &Existing| {
        if !matches!(kind, ImportKind::Experience | ImportKind::Education) {
            return true;
        }
        let same_qualifier = !qualifier.is_empty() && comparable(qualifier) == comparable(&record.qualifier);
        let same_start = !start.is_empty() && record.start.as_deref() == Some(start);
        same_qualifier || same_start || (qualifier.is_empty() && start.is_empty())
    };
    records.iter().find(|r| key(&r.name) == name && qualifies(r)).map(|record| DuplicateOf {
        id: Some(record.id.clone()),
        title: match kind {
            ImportKind::Experience => format!("{} at {}", record.qualifier, record.name),
            ImportKind::Education if !record.qualifier.is_empty() => format!("{}, {}", record.qualifier, record.name),
            _ => record.name.clone(),
        },
    })
}

// ---- applying ----

/// A row the user keeps, with what they changed: `fields` are laid over the parsed ones
/// (`null` clears one).
#[derive(Debug, Clone, Default)]
pub struct KeptRow {
    pub id: String,
    pub changes: Map<String, Value>,
}

/// What applying made.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Applied {
    /// The records created, in the order of the review.
    pub created: Vec<CreatedRecord>,
    /// Whether the profile's contact details, links or languages changed.
    pub profile_updated: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatedRecord {
    /// `experience`, `education`, `certification`, `project`, `skill` or `achievement`.
    #[schema(value_type = String)]
    pub kind: ImportKind,
    #[schema(format = Uuid)]
    pub id: String,
    pub title: String,
}

/// A checked row, ready to write.
enum Ready {
    Experience(ExperienceInput),
    Education(EducationInput),
    Certification(CertificationInput),
    Project(ProjectInput),
    Skill(SkillInput),
    Achievement(AchievementInput),
}

/// Create the kept rows' records, then forget the import. Every row is checked first, and if
/// any has a mistake nothing is written: the errors come back keyed `"{row id}.{field}"`.
/// Then the import is claimed (deleted) and every record and the profile written in one
/// transaction: all or nothing, and a second submission of the same review finds no import.
/// `typed`: the rows came from the review's form, whose dates are read as people write them.
pub async fn apply(
    handles: &Handles,
    user_id: &UserId,
    id: &str,
    kept: &[KeptRow],
    typed: Option<&TypedInput>,
) -> ServiceResult<Applied> {
    let review = get(handles, user_id, id).await?;
    let by_id: HashMap<&str, &ImportRow> = review.rows.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut errors = FieldErrors::new();
    let mut ready: Vec<(ImportKind, String, Ready)> = Vec::new();
    let mut profile_rows: Vec<(ImportKind, String, Map<String, Value>)> = Vec::new();
    let mut seen = HashSet::new();
    let mut skill_names = HashSet::new();
    for kept_row in kept {
        let Some(row) = by_id.get(kept_row.id.as_str()) else {
            errors.add("rows", format!("This import has no row “{}”.", kept_row.id));
            continue;
        };
        if !seen.insert(row.id.as_str()) {
            errors.add("rows", format!("The row “{}” is named twice.", row.id));
            continue;
        }
        let mut fields = row.fields.clone();
        for (key, value) in &kept_row.changes {
            match value {
                Value::Null => fields.remove(key),
                value => fields.insert(key.clone(), value.clone()),
            };
        }
        let checked = match row.kind {
            ImportKind::Profile | ImportKind::Link | ImportKind::Language => {
                profile_rows.push((row.kind, row.id.clone(), fields));
                continue;
            }
            ImportKind::Experience => {
                check::<Experiences>(handles, user_id, &fields, typed).await?.map(Ready::Experience)
            }
            ImportKind::Education => {
                check::<EducationRecords>(handles, user_id, &fields, typed).await?.map(Ready::Education)
            }
            ImportKind::Certification => {
                check::<Certifications>(handles, user_id, &fields, typed).await?.map(Ready::Certification)
            }
            ImportKind::Project => check::<Projects>(handles, user_id, &fields, typed).await?.map(Ready::Project),
            ImportKind::Skill => {
                // As the database tells skills apart: by name, trimmed, in lower case.
                let name = fields.get("name").and_then(Value::as_str).unwrap_or_default().trim().to_lowercase();
                if !name.is_empty() && !skill_names.insert(name) {
                    Err(FieldErrors::single("name", "Another row you keep has this skill. Keep one of them."))
                } else {
                    check::<Skills>(handles, user_id, &fields, typed).await?.map(Ready::Skill)
                }
            }
            ImportKind::Achievement => {
                check::<Achievements>(handles, user_id, &fields, typed).await?.map(Ready::Achievement)
            }
        };
        match checked {
            Ok(input) => ready.push((row.kind, row.id.clone(), input)),
            Err(row_errors) => add_row_errors(&mut errors, &row.id, row_errors),
        }
    }
    let profile = if profile_rows.is_empty() {
        None
    } else {
        match profile_input(handles, user_id, &profile_rows).await? {
            Ok(input) => input,
            Err(profile_errors) => {
                errors.overlay(profile_errors);
                None
            }
        }
    };
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }

    let titles: HashMap<&str, String> = review.rows.iter().map(|r| (r.id.as_str(), r.title())).collect();
    let now = handles.clock.now();
    let mut tx = handles.db.begin_write().await?;
    if !stored::delete(&mut tx, user_id, &review.id).await? {
        // Applied or discarded meanwhile (a second click, a retry): nothing more to do.
        return Err(ServiceError::NotFound);
    }
    let mut created = Vec::new();
    for (kind, row_id, input) in ready {
        let conn = &mut *tx;
        let written = match &input {
            Ready::Experience(i) => records::write_checked::<Experiences>(conn, user_id, None, i, now).await,
            Ready::Education(i) => records::write_checked::<EducationRecords>(conn, user_id, None, i, now).await,
            Ready::Certification(i) => records::write_checked::<Certifications>(conn, user_id, None, i, now).await,
            Ready::Project(i) => records::write_checked::<Projects>(conn, user_id, None, i, now).await,
            Ready::Skill(i) => records::write_checked::<Skills>(conn, user_id, None, i, now).await,
            Ready::Achievement(i) => records::write_checked::<Achievements>(conn, user_id, None, i, now).await,
        };
        match written {
            Ok(record_id) => {
                let title = titles.get(row_id.as_str()).cloned().unwrap_or_default();
                created.push(CreatedRecord { kind, id: record_id, title });
            }
            // Dropping the transaction undoes every write and gives the import back.
            Err(ServiceError::Invalid(row_errors)) => {
                let mut errors = FieldErrors::new();
                add_row_errors(&mut errors, &row_id, row_errors);
                return Err(ServiceError::Invalid(errors));
            }
            Err(other) => return Err(other),
        }
    }
    let profile_updated = profile.is_some();
    if let Some(input) = profile {
        profiles::save(&mut tx, user_id, &input, now).await.map_err(|err| {
            rejected_write(err, Some(("rows", "Your profile could not take these details; try again.".into())))
        })?;
    }
    tx.commit().await?;
    Ok(Applied { created, profile_updated })
}

fn add_row_errors(errors: &mut FieldErrors, row_id: &str, row_errors: FieldErrors) {
    for (field, message) in row_errors.iter() {
        errors.add(&format!("{row_id}.{field}"), message);
    }
}

/// A row's fields as its kind's API body, applied to a blank draft and checked as a save
/// would check it.
async fn check<K: RecordType>(
    handles: &Handles,
    user_id: &UserId,
    fields: &Map<String, Value>,
    typed: Option<&TypedInput>,
) -> ServiceResult<Result<K::Input, FieldErrors>> {
    let write: K::Write = match serde_json::from_value(Value::Object(fields.clone())) {
        Ok(write) => write,
        Err(err) => return Ok(Err(serde_problem(&err))),
    };
    let mut draft = K::blank(handles.clock.now());
    draft.apply(write);
    records::checked::<K>(handles, user_id, draft, typed).await
}

/// A field the API body could not take, named when serde says which.
fn serde_problem(err: &serde_json::Error) -> FieldErrors {
    let text = err.to_string();
    let field = text
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
        .map(str::to_owned)
        .unwrap_or_else(|| "fields".to_owned());
    FieldErrors::single(&field, format!("This row could not be read: {text}."))
}

/// The profile with the kept contact details filled in where it has none yet (an import fills
/// gaps; it never overwrites what the user wrote, whatever the form sent) and the kept links and
/// languages it does not have added, checked as the profile form checks it. `Ok(None)`: nothing
/// to change.
async fn profile_input(
    handles: &Handles,
    user_id: &UserId,
    rows: &[(ImportKind, String, Map<String, Value>)],
) -> ServiceResult<Result<Option<ProfileInput>, FieldErrors>> {
    let current = profile_service::draft_of(&profiles::get(handles.db.pool(), user_id).await?);
    let mut draft = current.clone();
    let mut errors = FieldErrors::new();
    // Where each list entry came from, to put its message on its row.
    let mut link_rows = HashMap::new();
    let mut language_rows = HashMap::new();
    let mut profile_row = None;
    for (kind, row_id, fields) in rows {
        let text = |name: &str| fields.get(name).and_then(Value::as_str).unwrap_or_default().trim().to_owned();
        match kind {
            ImportKind::Profile => {
                profile_row = Some(row_id.clone());
                let filled = |name: &str| match name {
                    "display_name" => !current.display_name.trim().is_empty(),
                    "job_title" => !current.job_title.trim().is_empty(),
                    "email" => !current.email.trim().is_empty(),
                    "phone" => !current.phone.trim().is_empty(),
                    "url" => !current.url.trim().is_empty(),
                    "region" => !current.region.trim().is_empty(),
                    "bio" => !current.bio.trim().is_empty(),
                    _ => false,
                };
                let gaps: Map<String, Value> =
                    fields.iter().filter(|(name, _)| !filled(name)).map(|(k, v)| (k.clone(), v.clone())).collect();
                let write: ProfileWrite = match serde_json::from_value(Value::Object(gaps)) {
                    Ok(write) => write,
                    Err(err) => {
                        add_row_errors(&mut errors, row_id, serde_problem(&err));
                        continue;
                    }
                };
                draft.apply(write);
            }
            ImportKind::Link => {
                let (network, url) = (text("network"), text("url"));
                let known = draft.profiles.iter().any(|link| {
                    (!url.is_empty() && comparable(&link.url) == comparable(&url))
                        || (url.is_empty() && comparable(&link.network) == comparable(&network))
                });
                if !known {
                    link_rows.insert(draft.profiles.len(), row_id.clone());
                    draft.profiles.push(ProfileLink { network, username: text("username"), url, public: false });
                }
            }
            ImportKind::Language => {
                let language = text("language");
                if !draft.languages.iter().any(|l| comparable(&l.language) == comparable(&language)) {
                    language_rows.insert(draft.languages.len(), row_id.clone());
                    draft.languages.push(Language { language, fluency: text("fluency") });
                }
            }
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    match draft.validate() {
        Ok(input) => Ok(Ok(Some(input))),
        Err(found) => {
            for (field, message) in found.iter() {
                match placed_on_row(field, &link_rows, &language_rows, profile_row.as_deref()) {
                    Some((row_id, row_field)) => errors.add(&format!("{row_id}.{row_field}"), message),
                    None => errors.add("rows", message),
                }
            }
            Ok(Err(errors))
        }
    }
}

/// The row and field a profile message belongs on: `profiles[3].url` is the link row that
/// became the fourth link; `display_name` is the contact-details row's.
fn placed_on_row(
    field: &str,
    link_rows: &HashMap<usize, String>,
    language_rows: &HashMap<usize, String>,
    profile_row: Option<&str>,
) -> Option<(String, String)> {
    for (list, rows) in [("profiles", link_rows), ("languages", language_rows)] {
        if field == list {
            let first = rows.keys().min().and_then(|i| rows.get(i))?;
            let first_field = if list == "profiles" { "url" } else { "language" };
            return Some((first.clone(), first_field.to_owned()));
        }
        for (index, row_id) in rows {
            let prefix = row_field(list, *index, "");
            if let Some(name) = field.strip_prefix(&prefix) {
                return Some((row_id.clone(), name.to_owned()));
            }
        }
    }
    profile_row.map(|row| (row.to_owned(), field.to_owned()))
}

/// A file's name as shown back (never a path, never control characters).
fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if clean.trim().is_empty() {
        "resume".to_owned()
    } else {
        clean
    }
}
