//! A resume tailored to each application (issue 19, item 3): versions of the resume made from
//! one opportunity, each holding the records the user chose for it (started from a label, from
//! the job description's keywords or from everything on the resume), written as the resume
//! documents are, and each send remembered on the opportunity's timeline with a frozen copy of
//! what was sent.

use std::collections::HashSet;

use crate::db::career::{self, Achievement, Certification, Education, Experience, Project, Skill};
use crate::db::lists::{self, Audience, ListFilter, Table};
use crate::db::opportunities::{self, EventAbout, Opportunity, OPPORTUNITIES};
use crate::db::profiles::{self, Profile};
use crate::db::resume_versions::{self as versions, ResumeVersion};
use crate::db::{labels, new_id};
use crate::domain::fields::slugify;
use crate::domain::keywords::{self, Coverage, Keyword, Searchable};
use crate::domain::opportunities::EventKind;
use crate::domain::resume_versions::{
    ChoiceForm, ChosenHighlight, KnownRecords, NewVersionDraft, ResumeChoice, Start, SENDS_PER_OPPORTUNITY,
    VERSIONS_PER_OPPORTUNITY,
};
use crate::domain::UserId;
use crate::resume::json_resume::ParsedResume;
use crate::services::records::valid_id;
use crate::services::resume_export::{self, DocumentFormat, JsonResume, ResumeRecords};
use crate::services::{Handles, ServiceError, ServiceResult};

/// The most records of one kind the chooser offers; far beyond any real career.
const PER_KIND: i64 = 1000;

async fn rows<R>(handles: &Handles, user_id: &UserId, table: &Table, filter: &ListFilter) -> ServiceResult<Vec<R>>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let filter = ListFilter { page: 1, per_page: PER_KIND, ..filter.clone() };
    Ok(lists::rows(handles.db.pool(), table, user_id, &filter).await?)
}

/// The user's records for `audience` (and `label`): every one of them (`Owner`), or those on the
/// resume (`OwnResume`).
async fn records(
    handles: &Handles,
    user_id: &UserId,
    audience: Audience,
    label: Option<String>,
) -> ServiceResult<ResumeRecords> {
    let filter = ListFilter { audience, label, ..ListFilter::default() };
    Ok(ResumeRecords {
        experiences: rows(handles, user_id, &career::EXPERIENCES, &filter).await?,
        skills: rows(handles, user_id, &career::SKILLS, &filter).await?,
        projects: rows(handles, user_id, &career::PROJECTS, &filter).await?,
        achievements: rows(handles, user_id, &career::ACHIEVEMENTS, &filter).await?,
        education: rows(handles, user_id, &career::EDUCATION, &filter).await?,
        certifications: rows(handles, user_id, &career::CERTIFICATIONS, &filter).await?,
    })
}

/// Every record of the user's, on the resume or not: what the chooser offers.
pub async fn candidates(handles: &Handles, user_id: &UserId) -> ServiceResult<ResumeRecords> {
    records(handles, user_id, Audience::Owner, None).await
}

/// The ids the chooser may send back.
pub fn known_records(all: &ResumeRecords) -> KnownRecords {
    let ids = |ids: Vec<&String>| -> HashSet<String> { ids.into_iter().cloned().collect() };
    KnownRecords {
        experiences: ids(all.experiences.iter().map(|e| &e.id).collect()),
        highlights: all.experiences.iter().map(|e| (e.id.clone(), e.highlights.0.clone())).collect(),
        achievements: ids(all.achievements.iter().map(|a| &a.id).collect()),
        projects: ids(all.projects.iter().map(|p| &p.id).collect()),
        skills: ids(all.skills.iter().map(|s| &s.id).collect()),
        education: ids(all.education.iter().map(|e| &e.id).collect()),
        certifications: ids(all.certifications.iter().map(|c| &c.id).collect()),
    }
}

/// One of the user's opportunities, or not found.
pub async fn opportunity(handles: &Handles, user_id: &UserId, id: &str) -> ServiceResult<Opportunity> {
    valid_id(id)?;
    lists::get(handles.db.pool(), &OPPORTUNITIES, user_id, id).await?.ok_or(ServiceError::NotFound)
}

/// One of the opportunity's versions, or not found (another user's, another opportunity's).
pub async fn version(
    handles: &Handles,
    user_id: &UserId,
    opportunity_id: &str,
    id: &str,
) -> ServiceResult<ResumeVersion> {
    valid_id(opportunity_id)?;
    valid_id(id)?;
    versions::get(handles.db.pool(), user_id, opportunity_id, id).await?.ok_or(ServiceError::NotFound)
}

/// The job description's keywords: the user's own skill names found in it first, the company's
/// name and the place not counted.
pub fn keywords_of(opportunity: &Opportunity, skills: &[Skill]) -> Vec<Keyword> {
    let known: Vec<&str> = skills.iter().map(|s| s.name.as_str()).collect();
    keywords::extract(&opportunity.description, &known, &[opportunity.company.as_str(), opportunity.location.as_str()])
}

/// The text of each kind of record that keywords are looked for in: what its resume entry says.
pub fn experience_text(e: &Experience) -> Vec<&str> {
    vec![e.role.as_str(), e.company.as_str(), e.description.as_str()]
}
pub fn achievement_text(a: &Achievement) -> Vec<&str> {
    vec![a.title.as_str(), a.description.as_str()]
}
pub fn project_text(p: &Project) -> Vec<&str> {
    vec![p.name.as_str(), p.role.as_str(), p.kind.as_str(), p.description.as_str()]
}
pub fn skill_text(s: &Skill) -> Vec<&str> {
    vec![s.name.as_str()]
}
pub fn education_text(e: &Education) -> Vec<&str> {
    let mut text = vec![e.institution.as_str(), e.area.as_str(), e.study_type.as_str(), e.description.as_str()];
    text.extend(e.courses.0.iter().map(String::as_str));
    text
}
pub fn certification_text(c: &Certification) -> Vec<&str> {
    vec![c.name.as_str(), c.issuer.as_str()]
}

/// Which of `keywords` (by their place in the list) one record's text names: what the chooser
/// tells the browser, so the coverage follows the boxes as they are ticked.
pub fn named(texts: Vec<&str>, keywords: &[Keyword]) -> Vec<usize> {
    let text = Searchable::new(texts);
    keywords.iter().enumerate().filter(|(_, k)| text.mentions(k)).map(|(index, _)| index).collect()
}

/// What a resume of these records says, record by record, with the profile's title and bio
/// (every resume shows them).
pub fn resume_text(profile: &Profile, records: &ResumeRecords) -> Searchable {
    let mut texts: Vec<&str> = vec![profile.job_title.as_str(), profile.bio.as_str()];
    for e in &records.experiences {
        texts.extend(experience_text(e));
        texts.extend(e.highlights.0.iter().map(String::as_str));
    }
    records.achievements.iter().for_each(|a| texts.extend(achievement_text(a)));
    records.projects.iter().for_each(|p| texts.extend(project_text(p)));
    records.skills.iter().for_each(|s| texts.extend(skill_text(s)));
    records.education.iter().for_each(|e| texts.extend(education_text(e)));
    records.certifications.iter().for_each(|c| texts.extend(certification_text(c)));
    Searchable::new(texts)
}

/// Which of the description's keywords a resume of `records` covers.
pub fn coverage(profile: &Profile, records: &ResumeRecords, keywords: &[Keyword]) -> Coverage {
    Coverage::of(keywords, &resume_text(profile, records))
}

/// Every record of `records` in a choice; an experience with all its highlights.
fn choose_all(records: &ResumeRecords) -> ResumeChoice {
    let ids = |ids: Vec<&String>| -> Vec<String> { ids.into_iter().cloned().collect() };
    ResumeChoice {
        experiences: ids(records.experiences.iter().map(|e| &e.id).collect()),
        highlights: all_highlights(records.experiences.iter()),
        achievements: ids(records.achievements.iter().map(|a| &a.id).collect()),
        projects: ids(records.projects.iter().map(|p| &p.id).collect()),
        skills: ids(records.skills.iter().map(|s| &s.id).collect()),
        education: ids(records.education.iter().map(|e| &e.id).collect()),
        certifications: ids(records.certifications.iter().map(|c| &c.id).collect()),
    }
}

fn all_highlights<'a>(experiences: impl Iterator<Item = &'a Experience>) -> Vec<ChosenHighlight> {
    experiences
        .flat_map(|e| {
            e.highlights.0.iter().map(|text| ChosenHighlight { experience: e.id.clone(), text: text.clone() })
        })
        .collect()
}

/// The records of `on_resume` whose text names one of `keywords`. An experience comes with the
/// highlights that name one, or with all of them when only its own text does.
fn choose_matching(on_resume: &ResumeRecords, keywords: &[Keyword]) -> ResumeChoice {
    let names = |texts: Vec<&str>| {
        let text = Searchable::new(texts);
        keywords.iter().any(|k| text.mentions(k))
    };
    let mut choice = ResumeChoice::default();
    for e in &on_resume.experiences {
        let matching: Vec<&String> = e.highlights.0.iter().filter(|h| names(vec![h.as_str()])).collect();
        if !matching.is_empty() {
            choice.experiences.push(e.id.clone());
            choice.highlights.extend(
                matching.into_iter().map(|text| ChosenHighlight { experience: e.id.clone(), text: text.clone() }),
            );
        } else if names(experience_text(e)) {
            choice.experiences.push(e.id.clone());
            choice.highlights.extend(all_highlights(std::iter::once(e)));
        }
    }
    let pick = |ids: &mut Vec<String>, found: Vec<&String>| ids.extend(found.into_iter().cloned());
    pick(
        &mut choice.achievements,
        on_resume.achievements.iter().filter(|a| names(achievement_text(a))).map(|a| &a.id).collect(),
    );
    pick(&mut choice.projects, on_resume.projects.iter().filter(|p| names(project_text(p))).map(|p| &p.id).collect());
    pick(&mut choice.skills, on_resume.skills.iter().filter(|s| names(skill_text(s))).map(|s| &s.id).collect());
    pick(
        &mut choice.education,
        on_resume.education.iter().filter(|e| names(education_text(e))).map(|e| &e.id).collect(),
    );
    pick(
        &mut choice.certifications,
        on_resume.certifications.iter().filter(|c| names(certification_text(c))).map(|c| &c.id).collect(),
    );
    choice
}

/// Make a version for one of the user's opportunities, its records chosen as the draft says
/// (the user adjusts them next). Answers its id.
pub async fn create(
    handles: &Handles,
    user_id: &UserId,
    opportunity_id: &str,
    draft: &NewVersionDraft,
) -> ServiceResult<String> {
    let opportunity = opportunity(handles, user_id, opportunity_id).await?;
    let new = draft.validate().map_err(ServiceError::Invalid)?;
    let chosen = match &new.start {
        Start::Everything => choose_all(&records(handles, user_id, Audience::OwnResume, None).await?),
        Start::Label(label) => {
            if !labels::has_named(handles.db.pool(), user_id, label).await? {
                return Err(ServiceError::field("label", "You have no label with this name."));
            }
            choose_all(&records(handles, user_id, Audience::OwnResume, Some(label.clone())).await?)
        }
        Start::Description => {
            let skills: Vec<Skill> = rows(
                handles,
                user_id,
                &career::SKILLS,
                &ListFilter { audience: Audience::Owner, ..Default::default() },
            )
            .await?;
            let keywords = keywords_of(&opportunity, &skills);
            if keywords.is_empty() {
                return Err(ServiceError::field(
                    "start",
                    "The job description has no keywords to go by (is it empty?). Add the description, or start \
                     from a label or from everything on your resume.",
                ));
            }
            choose_matching(&records(handles, user_id, Audience::OwnResume, None).await?, &keywords)
        }
    };
    let id = new_id();
    let now = handles.clock.now();
    let mut tx = handles.db.begin_write().await?;
    if !opportunities::hold(&mut tx, user_id, &opportunity.id).await? {
        return Err(ServiceError::NotFound);
    }
    if versions::count_for(&mut tx, user_id, &opportunity.id).await? >= VERSIONS_PER_OPPORTUNITY {
        return Err(ServiceError::field(
            "name",
            format!("An opportunity keeps at most {VERSIONS_PER_OPPORTUNITY} resume versions: delete one first."),
        ));
    }
    versions::insert(&mut tx, user_id, &id, &opportunity.id, &new.name, new.start.key(), &chosen, now)
        .await
        .map_err(crate::services::error::gone_or)?;
    tx.commit().await?;
    Ok(id)
}

/// Save the chooser: the version's name and the records ticked, each checked to be one of the
/// user's. Nothing changes when something is wrong.
pub async fn save(
    handles: &Handles,
    user_id: &UserId,
    opportunity_id: &str,
    id: &str,
    form: &ChoiceForm,
) -> ServiceResult<()> {
    version(handles, user_id, opportunity_id, id).await?;
    let known = known_records(&candidates(handles, user_id).await?);
    let (name, chosen) = form.resolve(&known).map_err(ServiceError::Invalid)?;
    let saved =
        versions::update(handles.db.pool(), user_id, opportunity_id, id, &name, &chosen, handles.clock.now()).await?;
    if saved {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

pub async fn delete(handles: &Handles, user_id: &UserId, opportunity_id: &str, id: &str) -> ServiceResult<()> {
    valid_id(opportunity_id)?;
    valid_id(id)?;
    if versions::delete(handles.db.pool(), user_id, opportunity_id, id).await? {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// The records of `all` that `choice` holds, in the resume's order; an experience with only its
/// chosen highlights. Records gone since are simply not there.
pub fn chosen_records(choice: &ResumeChoice, all: ResumeRecords) -> ResumeRecords {
    let has = |ids: &[String], id: &str| ids.iter().any(|i| i == id);
    ResumeRecords {
        experiences: all
            .experiences
            .into_iter()
            .filter(|e| has(&choice.experiences, &e.id))
            .map(|mut e| {
                e.highlights.0.retain(|text| choice.has_highlight(&e.id, text));
                e
            })
            .collect(),
        skills: all.skills.into_iter().filter(|s| has(&choice.skills, &s.id)).collect(),
        projects: all.projects.into_iter().filter(|p| has(&choice.projects, &p.id)).collect(),
        achievements: all.achievements.into_iter().filter(|a| has(&choice.achievements, &a.id)).collect(),
        education: all.education.into_iter().filter(|e| has(&choice.education, &e.id)).collect(),
        certifications: all.certifications.into_iter().filter(|c| has(&choice.certifications, &c.id)).collect(),
    }
}

/// The records a version holds now.
pub async fn version_records(
    handles: &Handles,
    user_id: &UserId,
    version: &ResumeVersion,
) -> ServiceResult<ResumeRecords> {
    Ok(chosen_records(&version.chosen, candidates(handles, user_id).await?))
}

/// A version as JSON Resume, as it is now.
pub async fn json_resume(handles: &Handles, user_id: &UserId, version: &ResumeVersion) -> ServiceResult<JsonResume> {
    let profile = profiles::get(handles.db.pool(), user_id).await?;
    Ok(resume_export::assemble(&profile, version_records(handles, user_id, version).await?))
}

/// A file name for a version's document: `resume-for-acme-staff-engineer.pdf`.
pub fn file_name(version_name: &str, extension: &str) -> String {
    let slug = if version_name.chars().any(|c| c.is_ascii_alphanumeric()) {
        slugify(version_name)
    } else {
        "resume".to_owned()
    };
    format!("{slug}.{extension}")
}

/// A version written as a Word document or a PDF, as it is now.
pub async fn document(
    handles: &Handles,
    user_id: &UserId,
    version: &ResumeVersion,
    format: DocumentFormat,
) -> ServiceResult<Vec<u8>> {
    let resume = json_resume(handles, user_id, version).await?;
    resume_export::write_document(handles, resume.resume, format).await
}

/// The version was sent: a copy of it as it is now is kept, and the opportunity's timeline
/// says so. Answers the send's id.
pub async fn mark_sent(handles: &Handles, user_id: &UserId, opportunity_id: &str, id: &str) -> ServiceResult<String> {
    let version = version(handles, user_id, opportunity_id, id).await?;
    let document = json_resume(handles, user_id, &version).await?;
    let document = serde_json::to_string(&document).map_err(|err| anyhow::anyhow!(err))?;
    let send_id = new_id();
    let now = handles.clock.now();
    let mut tx = handles.db.begin_write().await?;
    if !opportunities::hold(&mut tx, user_id, opportunity_id).await? {
        return Err(ServiceError::NotFound);
    }
    if versions::count_sends(&mut tx, user_id, opportunity_id).await? >= SENDS_PER_OPPORTUNITY {
        return Err(ServiceError::field(
            "sent",
            format!("An opportunity keeps at most {SENDS_PER_OPPORTUNITY} sent resumes."),
        ));
    }
    versions::insert_send(&mut tx, user_id, &send_id, opportunity_id, &version.id, &version.name, &document, now)
        .await
        .map_err(crate::services::error::gone_or)?;
    opportunities::record_event(
        &mut tx,
        user_id,
        opportunity_id,
        EventKind::ResumeSent,
        EventAbout::Nothing,
        &version.name,
        now,
    )
    .await
    .map_err(crate::services::error::gone_or)?;
    tx.commit().await?;
    Ok(send_id)
}

/// What was sent, exactly: the version's name then and the JSON Resume document kept.
pub async fn sent_copy(
    handles: &Handles,
    user_id: &UserId,
    opportunity_id: &str,
    send_id: &str,
) -> ServiceResult<(String, String)> {
    valid_id(opportunity_id)?;
    valid_id(send_id)?;
    versions::sent_document(handles.db.pool(), user_id, opportunity_id, send_id).await?.ok_or(ServiceError::NotFound)
}

/// What was sent, written as a Word document or a PDF again.
pub async fn sent_document(handles: &Handles, document: &str, format: DocumentFormat) -> ServiceResult<Vec<u8>> {
    let resume: ParsedResume =
        serde_json::from_str(document).map_err(|err| anyhow::anyhow!("a sent resume's copy does not read: {err}"))?;
    resume_export::write_document(handles, resume, format).await
}
