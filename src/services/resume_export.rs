//! The resume as a JSON Resume document (schema v1.0.0): the profile's contact details, links and
//! languages, and every record marked "on my resume". Careerlog's resume import reads the same
//! document back (an export imported into another account exports the same document again).

use serde::Serialize;

use crate::db::career::{self, Achievement, Certification, Education, Experience, Project, Skill};
use crate::db::lists::{self, Audience, ListFilter, Table};
use crate::db::profiles;
use crate::domain::career::SkillLevel;
use crate::domain::UserId;
use crate::resume::json_resume::{self as jr, ParsedResume};
use crate::services::{Handles, ServiceResult};

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

async fn on_resume<R>(handles: &Handles, user_id: &UserId, table: &Table) -> ServiceResult<Vec<R>>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let filter = ListFilter { page: 1, per_page: PER_KIND, audience: Audience::Resume, ..ListFilter::default() };
    Ok(lists::rows(handles.db.pool(), table, user_id, &filter).await?)
}

/// The user's resume as JSON Resume.
pub async fn json_resume(handles: &Handles, user_id: &UserId) -> ServiceResult<JsonResume> {
    let profile = profiles::get(handles.db.pool(), user_id).await?;
    let experiences: Vec<Experience> = on_resume(handles, user_id, &career::EXPERIENCES).await?;
    let skills: Vec<Skill> = on_resume(handles, user_id, &career::SKILLS).await?;
    let projects: Vec<Project> = on_resume(handles, user_id, &career::PROJECTS).await?;
    let achievements: Vec<Achievement> = on_resume(handles, user_id, &career::ACHIEVEMENTS).await?;
    let education: Vec<Education> = on_resume(handles, user_id, &career::EDUCATION).await?;
    let certifications: Vec<Certification> = on_resume(handles, user_id, &career::CERTIFICATIONS).await?;

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
    Ok(JsonResume { schema: SCHEMA, resume, meta: Meta { version: "v1.0.0" } })
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
