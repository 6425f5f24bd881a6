//! Experiences, skills, projects, achievements, education and certifications: each a
//! [`Resource`] with its own templates.

use askama::Template;
use axum::response::Html;

use crate::db::career::{Achievement, Certification, Education, Experience, Project, Skill};
use crate::db::{career, lists};
use crate::domain::career::{
    AchievementDraft, CertificationDraft, EducationDraft, ExperienceDraft, ProjectDraft, SkillDraft, SkillLevel,
};
use crate::domain::UserId;
use crate::services::records::kinds::{Achievements, Certifications, EducationRecords, Experiences, Projects, Skills};
use crate::services::records::RecordType;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::pages::Chrome;
use crate::web::records::{FormView, LabelForm, ListView, Resource};
use crate::web::respond::render as html;

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
record_templates!(
    EducationList,
    EducationForm,
    EducationShow,
    Education,
    EducationDraft,
    "career/education/list.html",
    "career/education/form.html",
    "career/education/show.html"
);
record_templates!(
    CertificationList,
    CertificationForm,
    CertificationShow,
    Certification,
    CertificationDraft,
    "career/certifications/list.html",
    "career/certifications/form.html",
    "career/certifications/show.html"
);

#[async_trait::async_trait]
impl Resource for Experiences {
    fn title(row: &Experience) -> String {
        format!("{} at {}", row.role, row.company)
    }
    fn list_page(chrome: Chrome, view: ListView<Experience>) -> AppResult<Html<String>> {
        html(&ExperienceList { chrome, view })
    }
    async fn form_page(
        _: &AppState,
        _: &UserId,
        chrome: Chrome,
        view: FormView<ExperienceDraft>,
    ) -> AppResult<Html<String>> {
        html(&ExperienceForm { chrome, view, choices: Choices::default() })
    }
    async fn show_page(
        state: &AppState,
        user_id: &UserId,
        chrome: Chrome,
        row: Experience,
        label_form: LabelForm,
    ) -> AppResult<Html<String>> {
        let related = career::achievements_of(state.db.pool(), user_id, Self::TABLE.kind, &row.id).await?;
        html(&ExperienceShow { chrome, row, related, label_form })
    }
}

#[async_trait::async_trait]
impl Resource for Skills {
    fn title(row: &Skill) -> String {
        row.name.clone()
    }
    fn list_page(chrome: Chrome, view: ListView<Skill>) -> AppResult<Html<String>> {
        html(&SkillList { chrome, view })
    }
    async fn form_page(
        _: &AppState,
        _: &UserId,
        chrome: Chrome,
        view: FormView<SkillDraft>,
    ) -> AppResult<Html<String>> {
        html(&SkillForm { chrome, view, choices: Choices::default() })
    }
    async fn show_page(
        _: &AppState,
        _: &UserId,
        chrome: Chrome,
        row: Skill,
        label_form: LabelForm,
    ) -> AppResult<Html<String>> {
        html(&SkillShow { chrome, row, related: Vec::new(), label_form })
    }
}

impl SkillForm {
    pub fn levels(&self) -> &'static [(&'static str, &'static str)] {
        SkillLevel::CHOICES
    }
}

#[async_trait::async_trait]
impl Resource for Projects {
    fn title(row: &Project) -> String {
        row.name.clone()
    }
    fn list_page(chrome: Chrome, view: ListView<Project>) -> AppResult<Html<String>> {
        html(&ProjectList { chrome, view })
    }
    async fn form_page(
        _: &AppState,
        _: &UserId,
        chrome: Chrome,
        view: FormView<ProjectDraft>,
    ) -> AppResult<Html<String>> {
        html(&ProjectForm { chrome, view, choices: Choices::default() })
    }
    async fn show_page(
        state: &AppState,
        user_id: &UserId,
        chrome: Chrome,
        row: Project,
        label_form: LabelForm,
    ) -> AppResult<Html<String>> {
        let related = career::achievements_of(state.db.pool(), user_id, Self::TABLE.kind, &row.id).await?;
        html(&ProjectShow { chrome, row, related, label_form })
    }
}

#[async_trait::async_trait]
impl Resource for Achievements {
    fn title(row: &Achievement) -> String {
        row.title.clone()
    }
    fn list_page(chrome: Chrome, view: ListView<Achievement>) -> AppResult<Html<String>> {
        html(&AchievementList { chrome, view })
    }
    async fn form_page(
        state: &AppState,
        user_id: &UserId,
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
        _: &UserId,
        chrome: Chrome,
        row: Achievement,
        label_form: LabelForm,
    ) -> AppResult<Html<String>> {
        html(&AchievementShow { chrome, row, related: Vec::new(), label_form })
    }
}

#[async_trait::async_trait]
impl Resource for EducationRecords {
    fn title(row: &Education) -> String {
        row.institution.clone()
    }
    fn list_page(chrome: Chrome, view: ListView<Education>) -> AppResult<Html<String>> {
        html(&EducationList { chrome, view })
    }
    async fn form_page(
        _: &AppState,
        _: &UserId,
        chrome: Chrome,
        view: FormView<EducationDraft>,
    ) -> AppResult<Html<String>> {
        html(&EducationForm { chrome, view, choices: Choices::default() })
    }
    async fn show_page(
        _: &AppState,
        _: &UserId,
        chrome: Chrome,
        row: Education,
        label_form: LabelForm,
    ) -> AppResult<Html<String>> {
        html(&EducationShow { chrome, row, related: Vec::new(), label_form })
    }
}

#[async_trait::async_trait]
impl Resource for Certifications {
    fn title(row: &Certification) -> String {
        row.name.clone()
    }
    fn list_page(chrome: Chrome, view: ListView<Certification>) -> AppResult<Html<String>> {
        html(&CertificationList { chrome, view })
    }
    async fn form_page(
        _: &AppState,
        _: &UserId,
        chrome: Chrome,
        view: FormView<CertificationDraft>,
    ) -> AppResult<Html<String>> {
        html(&CertificationForm { chrome, view, choices: Choices::default() })
    }
    async fn show_page(
        _: &AppState,
        _: &UserId,
        chrome: Chrome,
        row: Certification,
        label_form: LabelForm,
    ) -> AppResult<Html<String>> {
        html(&CertificationShow { chrome, row, related: Vec::new(), label_form })
    }
}
