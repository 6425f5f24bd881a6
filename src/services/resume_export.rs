//! The resume to take away: a JSON Resume document (schema v1.0.0), a Word document and a PDF,
//! all three from the profile's contact details, links and languages and every record marked
//! "on my resume" (or only those carrying one label). Careerlog's resume import reads the JSON
//! back (an export imported into another account exports the same document again).

use serde::Serialize;

use crate::db::career::{self, Achievement, Certification, Education, Experience, Project, Skill};
use crate::db::lists::{self, Audience, ListFilter, Table};
use crate::db::profiles::{self, Profile};
use crate::domain::career::SkillLevel;
use crate::domain::UserId;
use crate::resume::json_resume::{self as jr, ParsedResume};
use crate::resume::{outline, write_docx, write_pdf};
use crate::services::{Handles, ServiceError, ServiceResult};

/// The schema the document follows, as its `$schema` names it.
pub const SCHEMA: &str = "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json";

/// A JSON Resume document.
#[derive(Debug, Clone, Serialize)]
pub struct JsonResume {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    #[serde(flatten)]
    pub resume: ParsedResume,
    pub meta: Meta,
}

#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub version: &'static str,
}

/// The most records of one kind a resume holds; far beyond any real one.
const PER_KIND: i64 = 1000;

/// Which records a resume document holds: those marked "on my resume", and of those only the
/// ones carrying `label` (any of the owner's labels, private ones too) when one is named.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub label: Option<String>,
}

async fn on_resume<R>(
    handles: &Handles,
    user_id: &UserId,
    table: &Table,
    selection: &Selection,
) -> ServiceResult<Vec<R>>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let filter = ListFilter {
        page: 1,
        per_page: PER_KIND,
        audience: Audience::OwnResume,
        label: selection.label.clone(),
        ..ListFilter::default()
    };
    Ok(lists::rows(handles.db.pool(), table, user_id, &filter).await?)
}

/// A label that is not one of the user's is a mistake in the request, not an empty resume.
async fn check_selection(handles: &Handles, user_id: &UserId, selection: &Selection) -> ServiceResult<()> {
    let Some(label) = &selection.label else { return Ok(()) };
    if crate::db::labels::has_named(handles.db.pool(), user_id, label).await? {
        Ok(())
    } else {
        Err(ServiceError::field("label", "You have no label with this name."))
    }
}

/// The records a resume document holds, each kind in the order the resume shows it.
#[derive(Debug, Clone, Default)]
pub struct ResumeRecords {
    pub experiences: Vec<Experience>,
    pub skills: Vec<Skill>,
    pub projects: Vec<Project>,
    pub achievements: Vec<Achievement>,
    pub education: Vec<Education>,
    pub certifications: Vec<Certification>,
}

/// The user's resume as JSON Resume.
pub async fn json_resume(handles: &Handles, user_id: &UserId, selection: &Selection) -> ServiceResult<JsonResume> {
    check_selection(handles, user_id, selection).await?;
    let profile = profiles::get(handles.db.pool(), user_id).await?;
    let records = ResumeRecords {
        experiences: on_resume(handles, user_id, &career::EXPERIENCES, selection).await?,
        skills: on_resume(handles, user_id, &career::SKILLS, selection).await?,
        projects: on_resume(handles, user_id, &career::PROJECTS, selection).await?,
        achievements: on_resume(handles, user_id, &career::ACHIEVEMENTS, selection).await?,
        education: on_resume(handles, user_id, &career::EDUCATION, selection).await?,
        certifications: on_resume(handles, user_id, &career::CERTIFICATIONS, selection).await?,
    };
    Ok(assemble(&profile, records))
}

/// A JSON Resume document of the profile and these records (the resume export's and each
/// tailored version's).
pub fn assemble(profile: &Profile, records: ResumeRecords) -> JsonResume {
    let ResumeRecords { experiences, skills, projects, achievements, education, certifications } = records;
    let text = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
    let resume = ParsedResume {
        basics: jr::Basics {
            name: text(&profile.display_name),
            label: text(&profile.job_title),
            email: text(&profile.email),
            phone: text(&profile.phone),
            url: text(&profile.url),
            summary: text(&profile.bio),
            // The profile keeps one place as typed ("London, UK"); JSON Resume's city holds it whole.
            location: jr::Location { city: text(&profile.region), ..jr::Location::default() },
            profiles: profile
                .profiles
                .0
                .iter()
                .map(|link| jr::Profile {
                    network: link.network.clone(),
                    username: text(&link.username),
                    url: text(&link.url),
                })
                .collect(),
        },
        work: experiences
            .into_iter()
            .map(|e| jr::Work {
                name: text(&e.company),
                position: text(&e.role),
                location: text(&e.location),
                url: None,
                start_date: text(&e.start_date),
                end_date: if e.is_current.get() { None } else { e.end_date.clone() },
                summary: text(&e.description),
                highlights: e.highlights.0.clone(),
            })
            .collect(),
        education: education
            .into_iter()
            .map(|e| jr::Education {
                institution: text(&e.institution),
                url: e.url.clone(),
                area: text(&e.area),
                study_type: text(&e.study_type),
                start_date: e.start_date.clone(),
                end_date: e.end_date.clone(),
                score: text(&e.score),
                courses: e.courses.0.clone(),
            })
            .collect(),
        awards: achievements
            .into_iter()
            .map(|a| jr::Award { title: a.title, date: a.achieved_on, awarder: None, summary: text(&a.description) })
            .collect(),
        certificates: certifications
            .into_iter()
            .map(|c| jr::Certificate { name: c.name, date: c.issued_on, issuer: text(&c.issuer), url: c.url })
            .collect(),
        skills: skill_groups(skills),
        languages: profile
            .languages
            .0
            .iter()
            .map(|l| jr::Language { language: l.language.clone(), fluency: text(&l.fluency) })
            .collect(),
        projects: projects
            .into_iter()
            .map(|p| jr::Project {
                name: p.name,
                description: text(&p.description),
                url: p.url,
                roles: text(&p.role).into_iter().collect(),
                start_date: p.start_date,
                end_date: p.end_date,
                ..jr::Project::default()
            })
            .collect(),
        ..ParsedResume::default()
    };
    JsonResume { schema: SCHEMA, resume, meta: Meta { version: "v1.0.0" } }
}

/// A document format the resume can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFormat {
    Docx,
    Pdf,
}

/// The user's resume as a Word document or a PDF.
pub async fn document(
    handles: &Handles,
    user_id: &UserId,
    selection: &Selection,
    format: DocumentFormat,
) -> ServiceResult<Vec<u8>> {
    let resume = json_resume(handles, user_id, selection).await?;
    write_document(handles, resume.resume, format).await
}

/// A resume written as a Word document or a PDF. Writing runs off the async runtime (laying out
/// and subsetting fonts is CPU work).
pub async fn write_document(handles: &Handles, resume: ParsedResume, format: DocumentFormat) -> ServiceResult<Vec<u8>> {
    let written_at = handles.clock.now().rfc3339();
    let bytes = tokio::task::spawn_blocking(move || {
        let outline = outline::outline(&resume);
        match format {
            DocumentFormat::Docx => write_docx::write_docx(&outline, &written_at),
            DocumentFormat::Pdf => write_pdf::write_pdf(&outline),
        }
    })
    .await
    .map_err(|err| anyhow::anyhow!("writing the resume document stopped: {err}"))??;
    Ok(bytes)
}

/// Skills as JSON Resume groups them: one entry per category and level, its skills as keywords
/// (skills without a category under "Skills").
fn skill_groups(skills: Vec<Skill>) -> Vec<jr::Skill> {
    let mut groups: Vec<jr::Skill> = Vec::new();
    for skill in skills {
        let name = if skill.category.trim().is_empty() { "Skills".to_owned() } else { skill.category.clone() };
        let level = SkillLevel::parse(&skill.level).map(|level| level.label().to_owned());
        match groups.iter_mut().find(|g| g.name == name && g.level == level) {
            Some(group) => group.keywords.push(skill.name),
            None => groups.push(jr::Skill { name, level, keywords: vec![skill.name] }),
        }
    }
    groups
}
