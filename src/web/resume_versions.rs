//! A resume tailored to each application, under its opportunity: make a version
//! (`/opportunities/{id}/resumes/new`), choose what goes in with the job description's keyword
//! coverage beside it (`/opportunities/{id}/resumes/{version}`), preview it privately, download
//! it as PDF, Word or JSON Resume, mark it sent, and download again exactly what was sent
//! (`/opportunities/{id}/sent-resumes/{send}/download/{format}`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use crate::db::labels;
use crate::db::opportunities::Opportunity;
use crate::db::profiles;
use crate::db::resume_versions::{self as versions, ResumeSend, ResumeVersion};
use crate::domain::keywords::{Coverage, Keyword};
use crate::domain::resume_versions::{highlight_value, ChoiceForm, NewVersionDraft, Section, StartFrom};
use crate::domain::{FieldErrors, UserId};
use crate::services::resume_export::{DocumentFormat, ResumeRecords};
use crate::services::resume_versions as service;
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::pages::{Chrome, NoticeQuery};
use crate::web::public::{version_preview, VersionBanner};
use crate::web::respond::{redirect, render};
use crate::web::session::SignedIn;

pub fn html_routes() -> Router<AppState> {
    Router::new()
        .route("/opportunities/{id}/resumes", get(to_opportunity).post(create))
        .route("/opportunities/{id}/resumes/new", get(new_page))
        .route("/opportunities/{id}/resumes/{version}", get(chooser).post(save))
        .route("/opportunities/{id}/resumes/{version}/preview", get(preview))
        .route("/opportunities/{id}/resumes/{version}/download/{format}", get(download))
        .route("/opportunities/{id}/resumes/{version}/sent", post(mark_sent))
        .route("/opportunities/{id}/resumes/{version}/delete", post(delete))
        .route("/opportunities/{id}/sent-resumes/{send}/download/{format}", get(download_sent))
}

/// The versions and sends listed on the opportunity's page.
pub struct ResumeSection {
    pub versions: Vec<ResumeVersion>,
    pub sends: Vec<ResumeSend>,
}

impl ResumeSection {
    pub async fn load(state: &AppState, user_id: &UserId, opportunity_id: &str) -> AppResult<Self> {
        let pool = state.db.pool();
        Ok(ResumeSection {
            versions: versions::list_for(pool, user_id, opportunity_id).await?,
            sends: versions::sends_for(pool, user_id, opportunity_id).await?,
        })
    }
}

fn title_of(opportunity: &Opportunity) -> String {
    format!("{} at {}", opportunity.role, opportunity.company)
}

// ---- making one ----

#[derive(Template)]
#[template(path = "opportunities/resume_new.html")]
struct NewVersionPage {
    chrome: Chrome,
    opportunity: Opportunity,
    draft: NewVersionDraft,
    errors: FieldErrors,
    /// The user's labels' names, to start from one.
    labels: Vec<String>,
}

impl NewVersionPage {
    fn starts(&self) -> &'static [(&'static str, &'static str)] {
        StartFrom::CHOICES
    }
}

async fn new_version_page(
    state: &AppState,
    me: &SignedIn,
    opportunity: Opportunity,
    draft: NewVersionDraft,
    errors: FieldErrors,
) -> AppResult<Html<String>> {
    let labels = labels::list_for_user(state.db.pool(), &me.user.id).await?.into_iter().map(|l| l.name).collect();
    let chrome =
        Chrome::new(state, &me.visitor, format!("Tailor a resume · {}", title_of(&opportunity)), "opportunities");
    render(&NewVersionPage { chrome, opportunity, draft, errors, labels })
}

async fn to_opportunity(Path(id): Path<String>, _me: SignedIn) -> Response {
    redirect(&format!("/opportunities/{}#resumes", urlencode(&id)))
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn new_page(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<Response> {
    let opportunity = service::opportunity(&state, &me.user.id, &id).await?;
    // The description is the best start when there is one.
    let start = if opportunity.description.trim().is_empty() { StartFrom::Everything } else { StartFrom::Description };
    let draft = NewVersionDraft {
        name: NewVersionDraft::suggested_name(&opportunity.company, &opportunity.role),
        start: start.as_str().to_owned(),
        label: String::new(),
    };
    Ok(new_version_page(&state, &me, opportunity, draft, FieldErrors::new()).await?.into_response())
}

async fn create(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(draft): Form<NewVersionDraft>,
) -> AppResult<Response> {
    match service::create(&state, &me.user.id, &id, &draft).await {
        Ok(version) => Ok(redirect(&format!("/opportunities/{id}/resumes/{version}?notice=saved"))),
        Err(ServiceError::Invalid(errors)) => {
            let opportunity = service::opportunity(&state, &me.user.id, &id).await?;
            let page = new_version_page(&state, &me, opportunity, draft, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

// ---- the chooser ----

/// One box to tick: a record (an experience with its highlights under it).
pub struct ChoiceRow {
    pub value: String,
    pub title: String,
    pub detail: String,
    pub checked: bool,
    /// Not marked "on my resume": offered all the same, said so.
    pub off_resume: bool,
    /// The description's keywords its text names, by their place in the list ("0 3").
    pub names: String,
    /// For a highlight: the box of its experience (it counts only with it).
    pub parent: String,
    pub highlights: Vec<ChoiceRow>,
}

/// One section of the chooser.
pub struct ChoiceSection {
    /// The checkboxes' name.
    pub field: &'static str,
    pub heading: &'static str,
    pub rows: Vec<ChoiceRow>,
}

/// A box, with the keywords its record names.
fn row(value: &str, title: String, detail: String, checked: bool, on_resume: bool, names: Vec<usize>) -> ChoiceRow {
    ChoiceRow {
        value: value.to_owned(),
        title,
        detail,
        checked,
        off_resume: !on_resume,
        names: names.iter().map(usize::to_string).collect::<Vec<_>>().join(" "),
        parent: String::new(),
        highlights: Vec::new(),
    }
}

fn sections(all: &ResumeRecords, form: &ChoiceForm, keywords: &[Keyword]) -> Vec<ChoiceSection> {
    let ticked = |section: Section, value: &str| form.checked(section, value);
    let named = |texts: Vec<&str>| service::named(texts, keywords);
    let experiences = all
        .experiences
        .iter()
        .map(|e| {
            let mut r = row(
                &e.id,
                format!("{} · {}", e.role, e.company),
                e.period(),
                ticked(Section::Experience, &e.id),
                e.on_resume.get(),
                named(service::experience_text(e)),
            );
            r.highlights = e
                .highlights
                .0
                .iter()
                .enumerate()
                .map(|(index, text)| {
                    let value = highlight_value(&e.id, index);
                    let checked = ticked(Section::Highlight, &value);
                    let mut highlight =
                        row(&value, text.clone(), String::new(), checked, true, named(vec![text.as_str()]));
                    highlight.parent = format!("experience-{}", e.id);
                    highlight
                })
                .collect();
            r
        })
        .collect();
    let section = |field: Section, heading: &'static str, rows: Vec<ChoiceRow>| ChoiceSection {
        field: field.field(),
        heading,
        rows,
    };
    vec![
        section(Section::Experience, "Experience", experiences),
        section(
            Section::Project,
            "Projects",
            all.projects
                .iter()
                .map(|p| {
                    let names = named(service::project_text(p));
                    row(
                        &p.id,
                        p.name.clone(),
                        p.role.clone(),
                        ticked(Section::Project, &p.id),
                        p.on_resume.get(),
                        names,
                    )
                })
                .collect(),
        ),
        section(
            Section::Achievement,
            "Achievements",
            all.achievements
                .iter()
                .map(|a| {
                    let detail = a.experience_title.clone().or_else(|| a.project_title.clone()).unwrap_or_default();
                    let names = named(service::achievement_text(a));
                    row(&a.id, a.title.clone(), detail, ticked(Section::Achievement, &a.id), a.on_resume.get(), names)
                })
                .collect(),
        ),
        section(
            Section::Education,
            "Education",
            all.education
                .iter()
                .map(|e| {
                    let names = named(service::education_text(e));
                    row(
                        &e.id,
                        e.institution.clone(),
                        e.studies(),
                        ticked(Section::Education, &e.id),
                        e.on_resume.get(),
                        names,
                    )
                })
                .collect(),
        ),
        section(
            Section::Certification,
            "Certifications",
            all.certifications
                .iter()
                .map(|c| {
                    let names = named(service::certification_text(c));
                    let checked = ticked(Section::Certification, &c.id);
                    row(&c.id, c.name.clone(), c.issuer.clone(), checked, c.on_resume.get(), names)
                })
                .collect(),
        ),
        section(
            Section::Skill,
            "Skills",
            all.skills
                .iter()
                .map(|s| {
                    let names = named(service::skill_text(s));
                    row(
                        &s.id,
                        s.name.clone(),
                        s.category.clone(),
                        ticked(Section::Skill, &s.id),
                        s.on_resume.get(),
                        names,
                    )
                })
                .collect(),
        ),
    ]
}

#[derive(Template)]
#[template(path = "opportunities/resume_version.html")]
struct VersionPage {
    chrome: Chrome,
    opportunity: Opportunity,
    version: ResumeVersion,
    /// The version's address.
    path: String,
    /// The name as typed (or saved).
    typed_name: String,
    sections: Vec<ChoiceSection>,
    errors: FieldErrors,
    /// How many keywords the job description has.
    keywords: usize,
    coverage: Coverage,
    /// Every keyword in the description's order, and whether this version covers it.
    chips: Vec<(usize, String, bool)>,
    /// The keywords the profile's title and bio name: every version covers them.
    always: String,
    /// The boxes shown are not what is saved (the form came back with mistakes).
    unsaved: bool,
    sends: Vec<ResumeSend>,
}

impl VersionPage {
    fn sent_from_here(&self) -> Vec<&ResumeSend> {
        self.sends.iter().filter(|s| s.version_id.as_deref() == Some(self.version.id.as_str())).collect()
    }
}

async fn version_page(
    state: &AppState,
    me: &SignedIn,
    opportunity: Opportunity,
    version: ResumeVersion,
    typed: Option<(ChoiceForm, FieldErrors)>,
    notice: NoticeQuery,
) -> AppResult<String> {
    let user_id = &me.user.id;
    let all = service::candidates(state, user_id).await?;
    let known = service::known_records(&all);
    let unsaved = typed.is_some();
    let (form, errors) =
        typed.unwrap_or_else(|| (ChoiceForm::of(&version.name, &version.chosen, &known), FieldErrors::new()));
    let keywords = service::keywords_of(&opportunity, &all.skills);
    let profile = profiles::get(state.db.pool(), user_id).await?;
    let chosen = service::chosen_records(&form.lenient(&known), all.clone());
    let coverage = service::coverage(&profile, &chosen, &keywords);
    let chips = keywords
        .iter()
        .enumerate()
        .map(|(index, keyword)| (index, keyword.text.clone(), coverage.covered.contains(&keyword.text)))
        .collect();
    let always = service::named(vec![profile.job_title.as_str(), profile.bio.as_str()], &keywords)
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(" ");
    let sends = versions::sends_for(state.db.pool(), user_id, &opportunity.id).await?;
    let chrome =
        Chrome::new(state, &me.visitor, format!("{} · {}", version.name, title_of(&opportunity)), "opportunities")
            .with_notice(notice.notice());
    let page = VersionPage {
        chrome,
        path: format!("/opportunities/{}/resumes/{}", opportunity.id, version.id),
        typed_name: form.name.clone(),
        sections: sections(&all, &form, &keywords),
        errors,
        keywords: keywords.len(),
        coverage,
        chips,
        always,
        unsaved,
        sends,
        opportunity,
        version,
    };
    Ok(render(&page)?.0)
}

async fn load(state: &AppState, user_id: &UserId, id: &str, version: &str) -> AppResult<(Opportunity, ResumeVersion)> {
    let opportunity = service::opportunity(state, user_id, id).await?;
    let version = service::version(state, user_id, &opportunity.id, version).await?;
    Ok((opportunity, version))
}

async fn chooser(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, version)): Path<(String, String)>,
    Query(notice): Query<NoticeQuery>,
) -> AppResult<Response> {
    let (opportunity, version) = load(&state, &me.user.id, &id, &version).await?;
    Ok(Html(version_page(&state, &me, opportunity, version, None, notice).await?).into_response())
}

async fn save(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, version_id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let form = ChoiceForm::from_pairs(&pairs);
    match service::save(&state, &me.user.id, &id, &version_id, &form).await {
        Ok(()) => Ok(redirect(&format!("/opportunities/{id}/resumes/{version_id}?notice=saved#coverage"))),
        Err(ServiceError::Invalid(errors)) => {
            let (opportunity, version) = load(&state, &me.user.id, &id, &version_id).await?;
            let page =
                version_page(&state, &me, opportunity, version, Some((form, errors)), NoticeQuery::default()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

async fn delete(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, version)): Path<(String, String)>,
) -> AppResult<Response> {
    service::delete(&state, &me.user.id, &id, &version).await?;
    Ok(redirect(&format!("/opportunities/{id}?notice=deleted#resumes")))
}

// ---- preview, documents, sends ----

async fn preview(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, version)): Path<(String, String)>,
) -> AppResult<Response> {
    let (opportunity, version) = load(&state, &me.user.id, &id, &version).await?;
    let records = service::version_records(&state, &me.user.id, &version).await?;
    let banner = VersionBanner {
        name: version.name.clone(),
        opportunity: title_of(&opportunity),
        opportunity_path: format!("/opportunities/{}", opportunity.id),
        version_path: format!("/opportunities/{}/resumes/{}", opportunity.id, version.id),
    };
    version_preview(&state, &me.user.id, records, banner).await
}

/// The formats a version is downloaded in: `pdf`, `docx` or `json` (JSON Resume).
#[derive(Debug, Clone, Copy)]
enum Download {
    Document(DocumentFormat),
    Json,
}

impl Download {
    fn parse(format: &str) -> AppResult<Self> {
        match format {
            "pdf" => Ok(Download::Document(DocumentFormat::Pdf)),
            "docx" => Ok(Download::Document(DocumentFormat::Docx)),
            "json" => Ok(Download::Json),
            _ => Err(AppError::NotFound),
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Download::Document(DocumentFormat::Pdf) => "pdf",
            Download::Document(DocumentFormat::Docx) => "docx",
            Download::Json => "json",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Download::Document(DocumentFormat::Pdf) => "application/pdf",
            Download::Document(DocumentFormat::Docx) => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Download::Json => "application/json",
        }
    }

    fn attachment(self, version_name: &str, body: Vec<u8>) -> Response {
        // The file name is a slug of ASCII letters, digits and hyphens: nothing to quote.
        let disposition = format!("attachment; filename=\"{}\"", service::file_name(version_name, self.extension()));
        (
            [
                (CONTENT_TYPE, self.content_type().to_owned()),
                (CONTENT_DISPOSITION, disposition),
                (CACHE_CONTROL, "private, no-store".to_owned()),
            ],
            body,
        )
            .into_response()
    }
}

async fn download(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, version, format)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let download = Download::parse(&format)?;
    let (_, version) = load(&state, &me.user.id, &id, &version).await?;
    let body = match download {
        Download::Document(format) => service::document(&state, &me.user.id, &version, format).await?,
        Download::Json => {
            let document = service::json_resume(&state, &me.user.id, &version).await?;
            serde_json::to_vec_pretty(&document).map_err(|err| anyhow::anyhow!(err))?
        }
    };
    Ok(download.attachment(&version.name, body))
}

async fn mark_sent(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, version)): Path<(String, String)>,
) -> AppResult<Response> {
    service::mark_sent(&state, &me.user.id, &id, &version).await?;
    Ok(redirect(&format!("/opportunities/{id}/resumes/{version}?notice=resume_sent#sent")))
}

async fn download_sent(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, send, format)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let download = Download::parse(&format)?;
    let (name, document) = service::sent_copy(&state, &me.user.id, &id, &send).await?;
    let body = match download {
        Download::Document(format) => service::sent_document(&state, &document, format).await?,
        // Pretty, as the live version's JSON is; the content is the copy kept.
        Download::Json => {
            let value: serde_json::Value = serde_json::from_str(&document).map_err(|err| anyhow::anyhow!(err))?;
            serde_json::to_vec_pretty(&value).map_err(|err| anyhow::anyhow!(err))?
        }
    };
    Ok(download.attachment(&format!("{name} sent"), body))
}
