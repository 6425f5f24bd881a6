//! Experiences, skills, projects and achievements: each a [`Resource`] with its own templates.

use askama::Template;
use axum::response::Html;
use sqlx::AnyConnection;

use crate::db::{career, lists};
use crate::state::AppState;
use crate::clock::Timestamp;
use crate::db::career::{Achievement, Experience, Project, Skill};
use crate::db::lists::{Table};
use crate::domain::career::{AchievementDraft, AchievementInput, AchievementWrite, ExperienceDraft, ExperienceInput, ExperienceWrite, ProjectDraft, ProjectInput, ProjectWrite, SkillDraft, SkillInput, SkillWrite, SKILL_LEVELS};
use crate::domain::FieldErrors;
use crate::web::error::AppResult;
use crate::web::pages::Chrome;
use crate::web::records::{html, label_text, FormView, LabelForm, ListView, Resource};

crate::labelled!(Experience, Skill, Project, Achievement, crate::db::journal::JournalEntry);

/// Askama needs one template type per file: this declares the list, form and show page types
/// of one kind of record.
macro_rules! record_templates {
    ($list:ident, $form:ident, $show:ident, $row:ty, $draft:ty, $lp:literal, $fp:literal, $sp:literal) => {
        #[derive(Template)]
        #[template(path = $lp)]
        pub struct $list {
            pub chrome: Chrome,
            pub view: ListView<$row>,
        }
        #[derive(Template)]
        #[template(path = $fp)]
        pub struct $form {
            pub chrome: Chrome,
            pub view: FormView<$draft>,
            pub choices: Choices,
        }
        #[derive(Template)]
        #[template(path = $sp)]
        pub struct $show {
            pub chrome: Chrome,
            pub row: $row,
            pub related: Vec<Achievement>,
            pub label_form: LabelForm,
        }
    };
}

/// Records a form lets the user pick from (an achievement's experience and project).
#[derive(Default)]
pub struct Choices {
    pub experiences: Vec<(String, String)>,
    pub projects: Vec<(String, String)>,
}

record_templates!(
    ExperienceList,
    ExperienceForm,
    ExperienceShow,
    Experience,
    ExperienceDraft,
    "career/experiences/list.html",
    "career/experiences/form.html",
    "career/experiences/show.html"
);
record_templates!(
    SkillList,
    SkillForm,
    SkillShow,
    Skill,
    SkillDraft,
    "career/skills/list.html",
    "career/skills/form.html",
    "career/skills/show.html"
);
record_templates!(
    ProjectList,
    ProjectForm,
    ProjectShow,
    Project,
    ProjectDraft,
    "career/projects/list.html",
    "career/projects/form.html",
    "career/projects/show.html"
);
record_templates!(
    AchievementList,
    AchievementForm,
    AchievementShow,
    Achievement,
    AchievementDraft,
    "career/achievements/list.html",
    "career/achievements/form.html",
    "career/achievements/show.html"
);

pub struct Experiences;

#[async_trait::async_trait]
impl Resource for Experiences {
    const TABLE: &'static Table = &career::EXPERIENCES;
    type Row = Experience;
    type Draft = ExperienceDraft;
    type Write = ExperienceWrite;
    type Input = ExperienceInput;

    fn blank(_: &AppState) -> ExperienceDraft {
        ExperienceDraft::blank()
    }
    fn draft_of(row: &Experience) -> ExperienceDraft {
        ExperienceDraft {
            role: row.role.clone(),
            company: row.company.clone(),
            location: row.location.clone(),
            start_date: row.start_date.clone(),
            end_date: row.end_date.clone().unwrap_or_default(),
            current: row.is_current.get(),
            description: row.description.clone(),
            highlights: row.highlights.0.join("\n"),
            on_resume: row.on_resume.get(),
            labels: label_text(&row.labels),
        }
    }
    fn apply(draft: &mut ExperienceDraft, write: ExperienceWrite) {
        draft.apply(write)
    }
    fn validate(draft: &ExperienceDraft) -> Result<ExperienceInput, FieldErrors> {
        draft.validate()
    }
    fn label_names(input: &ExperienceInput) -> &[String] {
        &input.labels
    }
    fn title(row: &Experience) -> String {
        format!("{} at {}", row.role, row.company)
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &str,
        id: &str,
        i: &ExperienceInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        career::insert_experience(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &str,
        id: &str,
        i: &ExperienceInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        career::update_experience(c, u, id, i, now).await
    }
    fn list_page(chrome: Chrome, view: ListView<Experience>) -> AppResult<Html<String>> {
        html(&ExperienceList { chrome, view })
    }
    async fn form_page(
        _: &AppState,
        _: &str,
        chrome: Chrome,
        view: FormView<ExperienceDraft>,
    ) -> AppResult<Html<String>> {
        html(&ExperienceForm { chrome, view, choices: Choices::default() })
    }
    async fn show_page(
        state: &AppState,
        user_id: &str,
        chrome: Chrome,
        row: Experience,
        label_form: LabelForm,
    ) -> AppResult<Html<String>> {
        let related = career::achievements_of(state.db.pool(), user_id, Self::TABLE.kind, &row.id).await?;
        html(&ExperienceShow { chrome, row, related, label_form })
    }
}

pub struct Skills;

#[async_trait::async_trait]
impl Resource for Skills {
    const TABLE: &'static Table = &career::SKILLS;
    type Row = Skill;
    type Draft = SkillDraft;
    type Write = SkillWrite;
    type Input = SkillInput;

    fn blank(_: &AppState) -> SkillDraft {
        SkillDraft::blank()
    }
    fn draft_of(row: &Skill) -> SkillDraft {
        SkillDraft {
            name: row.name.clone(),
            category: row.category.clone(),
            level: row.level.clone(),
            on_resume: row.on_resume.get(),
            labels: label_text(&row.labels),
        }
    }
    fn apply(draft: &mut SkillDraft, write: SkillWrite) {
        draft.apply(write)
    }
    fn validate(draft: &SkillDraft) -> Result<SkillInput, FieldErrors> {
        draft.validate()
    }
    fn label_names(input: &SkillInput) -> &[String] {
        &input.labels
    }
    fn title(row: &Skill) -> String {
        row.name.clone()
    }
    fn conflict(input: &SkillInput) -> Option<(&'static str, String)> {
        Some(("name", format!("You already have a skill called “{}”.", input.name)))
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &str,
        id: &str,
        i: &SkillInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        career::insert_skill(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &str,
        id: &str,
        i: &SkillInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        career::update_skill(c, u, id, i, now).await
    }
    fn list_page(chrome: Chrome, view: ListView<Skill>) -> AppResult<Html<String>> {
        html(&SkillList { chrome, view })
    }
    async fn form_page(_: &AppState, _: &str, chrome: Chrome, view: FormView<SkillDraft>) -> AppResult<Html<String>> {
        html(&SkillForm { chrome, view, choices: Choices::default() })
    }
    async fn show_page(
        _: &AppState,
        _: &str,
        chrome: Chrome,
        row: Skill,
        label_form: LabelForm,
    ) -> AppResult<Html<String>> {
        html(&SkillShow { chrome, row, related: Vec::new(), label_form })
    }
}

impl SkillForm {
    pub fn levels(&self) -> &'static [(&'static str, &'static str)] {
        &SKILL_LEVELS
    }
}

pub struct Projects;

#[async_trait::async_trait]
impl Resource for Projects {
    const TABLE: &'static Table = &career::PROJECTS;
    type Row = Project;
    type Draft = ProjectDraft;
    type Write = ProjectWrite;
    type Input = ProjectInput;

    fn blank(_: &AppState) -> ProjectDraft {
        ProjectDraft::blank()
    }
    fn draft_of(row: &Project) -> ProjectDraft {
        ProjectDraft {
            name: row.name.clone(),
            role: row.role.clone(),
            kind: row.kind.clone(),
            description: row.description.clone(),
            url: row.url.clone().unwrap_or_default(),
            start_date: row.start_date.clone().unwrap_or_default(),
            end_date: row.end_date.clone().unwrap_or_default(),
            on_resume: row.on_resume.get(),
            labels: label_text(&row.labels),
        }
    }
    fn apply(draft: &mut ProjectDraft, write: ProjectWrite) {
        draft.apply(write)
    }
    fn validate(draft: &ProjectDraft) -> Result<ProjectInput, FieldErrors> {
        draft.validate()
    }
    fn label_names(input: &ProjectInput) -> &[String] {
        &input.labels
    }
    fn title(row: &Project) -> String {
        row.name.clone()
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &str,
        id: &str,
        i: &ProjectInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        career::insert_project(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &str,
        id: &str,
        i: &ProjectInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        career::update_project(c, u, id, i, now).await
    }
    fn list_page(chrome: Chrome, view: ListView<Project>) -> AppResult<Html<String>> {
        html(&ProjectList { chrome, view })
    }
    async fn form_page(_: &AppState, _: &str, chrome: Chrome, view: FormView<ProjectDraft>) -> AppResult<Html<String>> {
        html(&ProjectForm { chrome, view, choices: Choices::default() })
    }
    async fn show_page(
        state: &AppState,
        user_id: &str,
        chrome: Chrome,
        row: Project,
        label_form: LabelForm,
    ) -> AppResult<Html<String>> {
        let related = career::achievements_of(state.db.pool(), user_id, Self::TABLE.kind, &row.id).await?;
        html(&ProjectShow { chrome, row, related, label_form })
    }
}

pub struct Achievements;

#[async_trait::async_trait]
impl Resource for Achievements {
    const TABLE: &'static Table = &career::ACHIEVEMENTS;
    type Row = Achievement;
    type Draft = AchievementDraft;
    type Write = AchievementWrite;
    type Input = AchievementInput;

    fn blank(_: &AppState) -> AchievementDraft {
        AchievementDraft::blank()
    }
    fn draft_of(row: &Achievement) -> AchievementDraft {
        AchievementDraft {
            title: row.title.clone(),
            date: row.achieved_on.clone().unwrap_or_default(),
            description: row.description.clone(),
            experience_id: row.experience_id.clone().unwrap_or_default(),
            project_id: row.project_id.clone().unwrap_or_default(),
            on_resume: row.on_resume.get(),
            labels: label_text(&row.labels),
        }
    }
    fn apply(draft: &mut AchievementDraft, write: AchievementWrite) {
        draft.apply(write)
    }
    fn validate(draft: &AchievementDraft) -> Result<AchievementInput, FieldErrors> {
        draft.validate()
    }
    fn label_names(input: &AchievementInput) -> &[String] {
        &input.labels
    }
    fn title(row: &Achievement) -> String {
        row.title.clone()
    }
    /// An achievement may only belong to the user's own experience and project.
    async fn check(state: &AppState, user_id: &str, input: &AchievementInput) -> AppResult<FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Some(id) = &input.experience_id {
            if !lists::exists(state.db.pool(), &career::EXPERIENCES, user_id, id).await? {
                errors.add("experience_id", "Choose one of your experiences.");
            }
        }
        if let Some(id) = &input.project_id {
            if !lists::exists(state.db.pool(), &career::PROJECTS, user_id, id).await? {
                errors.add("project_id", "Choose one of your projects.");
            }
        }
        Ok(errors)
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &str,
        id: &str,
        i: &AchievementInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        career::insert_achievement(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &str,
        id: &str,
        i: &AchievementInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        career::update_achievement(c, u, id, i, now).await
    }
    fn list_page(chrome: Chrome, view: ListView<Achievement>) -> AppResult<Html<String>> {
        html(&AchievementList { chrome, view })
    }
    async fn form_page(
        state: &AppState,
        user_id: &str,
        chrome: Chrome,
        view: FormView<AchievementDraft>,
    ) -> AppResult<Html<String>> {
        let experiences =
            lists::choices(state.db.pool(), &career::EXPERIENCES, "t.role || ' at ' || t.company", user_id).await?;
        let projects = lists::choices(state.db.pool(), &career::PROJECTS, "t.name", user_id).await?;
        html(&AchievementForm { chrome, view, choices: Choices { experiences, projects } })
    }
    async fn show_page(
        _: &AppState,
        _: &str,
        chrome: Chrome,
        row: Achievement,
        label_form: LabelForm,
    ) -> AppResult<Html<String>> {
        html(&AchievementShow { chrome, row, related: Vec::new(), label_form })
    }
}
