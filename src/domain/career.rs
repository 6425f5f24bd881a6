//! The career record's input: for each kind of record, the draft a form or an API call fills in
//! (kept as typed, so a form with mistakes comes back with everything the user entered), the
//! JSON body the API accepts (every field optional, so one type serves create and PATCH), and
//! the validation that turns a draft into clean values.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::choice::pick;
use crate::domain::fields::{self, checkbox, nullable_list, nullable_text, set, PartialDate};
use crate::domain::lenient::{self, TypedInput};
use crate::domain::records::Draft;
use crate::domain::records::LabelNames;
use crate::domain::records::{
    finish, parse_labels, set_label_names, COURSES_MAX, COURSE_LENGTH, DESCRIPTION, HIGHLIGHTS_MAX, HIGHLIGHT_LENGTH,
    JOURNAL_BODY, MEDIUM, SHORT,
};
use crate::domain::FieldErrors;

// ---- experience ----

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ExperienceDraft {
    pub role: String,
    pub company: String,
    pub location: String,
    pub start_date: String,
    pub end_date: String,
    #[serde(deserialize_with = "checkbox")]
    pub current: bool,
    pub description: String,
    /// One per line.
    pub highlights: String,
    #[serde(deserialize_with = "checkbox")]
    pub on_resume: bool,
    /// Comma separated.
    pub labels: LabelNames,
}

/// An experience as the API takes it: on create, `role`, `company` and `start_date` are needed;
/// on PATCH, only the fields sent change. `null` clears an optional field. A role you are in now
/// has `current: true` and no `end_date`; one that ended has an `end_date`, not before the start.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExperienceWrite {
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub role: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub company: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub location: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::partial_date)]
    pub start_date: Option<String>,
    /// Same forms as `start_date`; `null` when current.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::partial_date_or_null)]
    pub end_date: Option<String>,
    pub current: Option<bool>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable_list")]
    #[schema(schema_with = crate::domain::schema::highlights)]
    pub highlights: Option<Vec<String>>,
    pub on_resume: Option<bool>,
    /// Label names; missing labels are created. Replaces the record's labels.
    #[serde(default, deserialize_with = "nullable_list")]
    #[schema(schema_with = crate::domain::schema::label_names)]
    pub labels: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct ExperienceInput {
    pub role: String,
    pub company: String,
    pub location: String,
    pub start_date: PartialDate,
    pub end_date: Option<PartialDate>,
    pub current: bool,
    pub description: String,
    pub highlights: Vec<String>,
    pub on_resume: bool,
    pub labels: Vec<String>,
}

impl ExperienceDraft {
    pub fn blank() -> Self {
        Self { on_resume: true, ..Self::default() }
    }
}

impl Draft for ExperienceDraft {
    type Write = ExperienceWrite;
    type Input = ExperienceInput;

    fn apply(&mut self, write: ExperienceWrite) {
        set(&mut self.role, write.role);
        set(&mut self.company, write.company);
        set(&mut self.location, write.location);
        set(&mut self.start_date, write.start_date);
        set(&mut self.end_date, write.end_date);
        set(&mut self.current, write.current);
        set(&mut self.description, write.description);
        if let Some(items) = write.highlights {
            self.highlights = one_per_line(&items, HIGHLIGHTS_MAX);
        }
        set(&mut self.on_resume, write.on_resume);
        set_label_names(&mut self.labels, write.labels);
    }

    fn read_typed(&mut self, _: &TypedInput) -> FieldErrors {
        let mut e = FieldErrors::new();
        if self.start_date.trim().is_empty() {
            e.add("start_date", format!("Enter when you started. {}", lenient::DATE_HINT));
        }
        lenient::read_date(&mut e, "start_date", &mut self.start_date);
        lenient::read_date(&mut e, "end_date", &mut self.end_date);
        e
    }

    fn validate(&self) -> Result<ExperienceInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let role = e.check("role", fields::required_line(&self.role, SHORT, "your role or job title"));
        let company = e.check("company", fields::required_line(&self.company, SHORT, "the company or organisation"));
        let location = e.check("location", fields::line(&self.location, MEDIUM));
        let start_date = if self.start_date.trim().is_empty() {
            e.add("start_date", format!("Enter when you started. {}", PartialDate::FORMAT_HINT));
            None
        } else {
            e.check("start_date", PartialDate::parse(&self.start_date))
        };
        let end_date = e.check("end_date", PartialDate::parse_optional(&self.end_date)).flatten();
        if self.current && end_date.is_some() {
            e.add("end_date", "Leave the end date empty for a role you are in now, or untick “I work here now”.");
        } else if !self.current && end_date.is_none() && self.end_date.trim().is_empty() {
            e.add("end_date", "Enter when it ended, or tick “I work here now”.");
        }
        if let (Some(start), Some(end)) = (start_date, end_date) {
            if end.is_before(&start) {
                e.add("end_date", "The end date is before the start date.");
            }
        }
        let description = e.check("description", fields::text(&self.description, DESCRIPTION));
        let highlights = e.check("highlights", fields::lines_list(&self.highlights, HIGHLIGHTS_MAX, HIGHLIGHT_LENGTH));
        let labels = parse_labels(&mut e, &self.labels);
        // A start date is needed; without one the draft goes back with its messages.
        let Some(start_date) = start_date.filter(|_| e.is_empty()) else { return Err(e) };
        finish(e, || ExperienceInput {
            role: role.unwrap_or_default(),
            company: company.unwrap_or_default(),
            location: location.unwrap_or_default(),
            start_date,
            end_date,
            current: self.current,
            description: description.unwrap_or_default(),
            highlights: highlights.unwrap_or_default(),
            on_resume: self.on_resume,
            labels,
        })
    }
}

/// A list sent by the API as a form's text, one item per line, so both are validated alike: a
/// line break inside an item is a space, and one item past the most allowed is kept so that
/// validation can say there are too many.
fn one_per_line(items: &[String], max: usize) -> String {
    let items = &items[..items.len().min(max + 1)];
    items.iter().map(|i| i.replace(['\n', '\r'], " ")).collect::<Vec<_>>().join("\n")
}

// ---- skill ----

crate::closed_set! {
    /// How well someone knows a skill; optional.
    pub enum SkillLevel {
        Beginner = ("beginner", "Beginner"),
        Intermediate = ("intermediate", "Intermediate"),
        Advanced = ("advanced", "Advanced"),
        Expert = ("expert", "Expert"),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SkillDraft {
    pub name: String,
    pub category: String,
    pub level: String,
    #[serde(deserialize_with = "checkbox")]
    pub on_resume: bool,
    pub labels: LabelNames,
}

/// A skill as the API takes it: `name` is needed on create, and is unique among your skills
/// (in any case).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillWrite {
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub name: Option<String>,
    /// Free text, such as "Languages" or "Leadership".
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub category: Option<String>,
    /// One of `beginner`, `intermediate`, `advanced`, `expert`, or `null`.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::skill_level_input)]
    pub level: Option<String>,
    pub on_resume: Option<bool>,
    #[serde(default, deserialize_with = "nullable_list")]
    #[schema(schema_with = crate::domain::schema::label_names)]
    pub labels: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct SkillInput {
    pub name: String,
    pub category: String,
    pub level: Option<SkillLevel>,
    pub on_resume: bool,
    pub labels: Vec<String>,
}

impl SkillDraft {
    pub fn blank() -> Self {
        Self { on_resume: true, ..Self::default() }
    }
}

impl Draft for SkillDraft {
    type Write = SkillWrite;
    type Input = SkillInput;

    fn apply(&mut self, write: SkillWrite) {
        set(&mut self.name, write.name);
        set(&mut self.category, write.category);
        set(&mut self.level, write.level);
        set(&mut self.on_resume, write.on_resume);
        set_label_names(&mut self.labels, write.labels);
    }

    fn validate(&self) -> Result<SkillInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", fields::required_line(&self.name, MEDIUM, "the skill’s name"));
        let category = e.check("category", fields::line(&self.category, MEDIUM));
        let message = "Choose beginner, intermediate, advanced or expert, or leave it empty.";
        let level = pick::<SkillLevel>(&mut e, "level", &self.level, None, message);
        let labels = parse_labels(&mut e, &self.labels);
        finish(e, || SkillInput {
            name: name.unwrap_or_default(),
            category: category.unwrap_or_default(),
            level,
            on_resume: self.on_resume,
            labels,
        })
    }
}

// ---- project ----

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProjectDraft {
    pub name: String,
    pub role: String,
    pub kind: String,
    pub description: String,
    pub url: String,
    pub start_date: String,
    pub end_date: String,
    #[serde(deserialize_with = "checkbox")]
    pub on_resume: bool,
    pub labels: LabelNames,
}

/// A project as the API takes it: `name` is needed on create. The end date may not be before
/// the start date.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectWrite {
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub role: Option<String>,
    /// The type of project, such as "Open source" or "Volunteering".
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub description: Option<String>,
    /// An http(s) link.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::web_link_input)]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::partial_date_or_null)]
    pub start_date: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::partial_date_or_null)]
    pub end_date: Option<String>,
    pub on_resume: Option<bool>,
    #[serde(default, deserialize_with = "nullable_list")]
    #[schema(schema_with = crate::domain::schema::label_names)]
    pub labels: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct ProjectInput {
    pub name: String,
    pub role: String,
    pub kind: String,
    pub description: String,
    pub url: Option<String>,
    pub start_date: Option<PartialDate>,
    pub end_date: Option<PartialDate>,
    pub on_resume: bool,
    pub labels: Vec<String>,
}

impl ProjectDraft {
    pub fn blank() -> Self {
        Self { on_resume: true, ..Self::default() }
    }
}

impl Draft for ProjectDraft {
    type Write = ProjectWrite;
    type Input = ProjectInput;

    fn apply(&mut self, write: ProjectWrite) {
        set(&mut self.name, write.name);
        set(&mut self.role, write.role);
        set(&mut self.kind, write.kind);
        set(&mut self.description, write.description);
        set(&mut self.url, write.url);
        set(&mut self.start_date, write.start_date);
        set(&mut self.end_date, write.end_date);
        set(&mut self.on_resume, write.on_resume);
        set_label_names(&mut self.labels, write.labels);
    }

    fn read_typed(&mut self, _: &TypedInput) -> FieldErrors {
        let mut e = FieldErrors::new();
        lenient::read_date(&mut e, "start_date", &mut self.start_date);
        lenient::read_date(&mut e, "end_date", &mut self.end_date);
        e
    }

    fn validate(&self) -> Result<ProjectInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", fields::required_line(&self.name, SHORT, "the project’s name"));
        let role = e.check("role", fields::line(&self.role, SHORT));
        let kind = e.check("kind", fields::line(&self.kind, MEDIUM));
        let description = e.check("description", fields::text(&self.description, DESCRIPTION));
        let url = e.check("url", fields::optional_web_link(&self.url)).flatten();
        let start_date = e.check("start_date", PartialDate::parse_optional(&self.start_date)).flatten();
        let end_date = e.check("end_date", PartialDate::parse_optional(&self.end_date)).flatten();
        if let (Some(start), Some(end)) = (start_date, end_date) {
            if end.is_before(&start) {
                e.add("end_date", "The end date is before the start date.");
            }
        }
        let labels = parse_labels(&mut e, &self.labels);
        finish(e, || ProjectInput {
            name: name.unwrap_or_default(),
            role: role.unwrap_or_default(),
            kind: kind.unwrap_or_default(),
            description: description.unwrap_or_default(),
            url,
            start_date,
            end_date,
            on_resume: self.on_resume,
            labels,
        })
    }
}

// ---- achievement ----

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AchievementDraft {
    pub title: String,
    pub date: String,
    pub description: String,
    pub experience_id: String,
    pub project_id: String,
    #[serde(deserialize_with = "checkbox")]
    pub on_resume: bool,
    pub labels: LabelNames,
}

/// An achievement as the API takes it: `title` is needed on create. It may belong to one of
/// your experiences and/or projects.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AchievementWrite {
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::partial_date_or_null)]
    pub date: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(format = Uuid)]
    pub experience_id: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(format = Uuid)]
    pub project_id: Option<String>,
    pub on_resume: Option<bool>,
    #[serde(default, deserialize_with = "nullable_list")]
    #[schema(schema_with = crate::domain::schema::label_names)]
    pub labels: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct AchievementInput {
    pub title: String,
    pub date: Option<PartialDate>,
    pub description: String,
    pub experience_id: Option<String>,
    pub project_id: Option<String>,
    pub on_resume: bool,
    pub labels: Vec<String>,
}

fn optional_id(input: &str) -> Result<Option<String>, String> {
    let value = input.trim();
    if value.is_empty() {
        return Ok(None);
    }
    uuid::Uuid::parse_str(value).map(|id| Some(id.to_string())).map_err(|_| "Choose one from the list.".into())
}

impl AchievementDraft {
    pub fn blank() -> Self {
        Self { on_resume: true, ..Self::default() }
    }
}

impl Draft for AchievementDraft {
    type Write = AchievementWrite;
    type Input = AchievementInput;

    fn apply(&mut self, write: AchievementWrite) {
        set(&mut self.title, write.title);
        set(&mut self.date, write.date);
        set(&mut self.description, write.description);
        set(&mut self.experience_id, write.experience_id);
        set(&mut self.project_id, write.project_id);
        set(&mut self.on_resume, write.on_resume);
        set_label_names(&mut self.labels, write.labels);
    }

    /// Checks the fields; that the linked experience and project are the user's own is checked
    /// against the database by the caller.
    fn read_typed(&mut self, _: &TypedInput) -> FieldErrors {
        let mut e = FieldErrors::new();
        lenient::read_date(&mut e, "date", &mut self.date);
        e
    }

    fn validate(&self) -> Result<AchievementInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.check("title", fields::required_line(&self.title, SHORT, "what you achieved"));
        let date = e.check("date", PartialDate::parse_optional(&self.date)).flatten();
        let description = e.check("description", fields::text(&self.description, DESCRIPTION));
        let experience_id = e.check("experience_id", optional_id(&self.experience_id)).flatten();
        let project_id = e.check("project_id", optional_id(&self.project_id)).flatten();
        let labels = parse_labels(&mut e, &self.labels);
        finish(e, || AchievementInput {
            title: title.unwrap_or_default(),
            date,
            description: description.unwrap_or_default(),
            experience_id,
            project_id,
            on_resume: self.on_resume,
            labels,
        })
    }
}

// ---- education ----
//
// Education and certifications follow JSON Resume's `education` and `certificates` field for
// field (in snake_case), so an import or export maps one to one.

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EducationDraft {
    pub institution: String,
    /// The field of study, such as "Computer Science".
    pub area: String,
    /// The kind of degree or course, such as "Bachelor" or "MSc".
    pub study_type: String,
    pub start_date: String,
    pub end_date: String,
    pub score: String,
    pub url: String,
    /// One per line.
    pub courses: String,
    pub description: String,
    #[serde(deserialize_with = "checkbox")]
    pub on_resume: bool,
    pub labels: LabelNames,
}

/// An education as the API takes it (JSON Resume's `education`): `institution` is needed on
/// create. The end date may not be before the start date; leave it out while you study there.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EducationWrite {
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub institution: Option<String>,
    /// The field of study, such as "Computer Science".
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub area: Option<String>,
    /// The kind of study, such as "Bachelor", "MSc" or "Apprenticeship".
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub study_type: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::partial_date_or_null)]
    pub start_date: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::partial_date_or_null)]
    pub end_date: Option<String>,
    /// A grade or result, such as "First class" or "3.8 GPA".
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub score: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::web_link_input)]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "nullable_list")]
    #[schema(schema_with = crate::domain::schema::courses)]
    pub courses: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub description: Option<String>,
    /// Shown on your resume. On by default.
    pub on_resume: Option<bool>,
    #[serde(default, deserialize_with = "nullable_list")]
    #[schema(schema_with = crate::domain::schema::label_names)]
    pub labels: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct EducationInput {
    pub institution: String,
    pub area: String,
    pub study_type: String,
    pub start_date: Option<PartialDate>,
    pub end_date: Option<PartialDate>,
    pub score: String,
    pub url: Option<String>,
    pub courses: Vec<String>,
    pub description: String,
    pub on_resume: bool,
    pub labels: Vec<String>,
}

impl EducationDraft {
    pub fn blank() -> Self {
        Self { on_resume: true, ..Self::default() }
    }
}

impl Draft for EducationDraft {
    type Write = EducationWrite;
    type Input = EducationInput;

    fn apply(&mut self, write: EducationWrite) {
        set(&mut self.institution, write.institution);
        set(&mut self.area, write.area);
        set(&mut self.study_type, write.study_type);
        set(&mut self.start_date, write.start_date);
        set(&mut self.end_date, write.end_date);
        set(&mut self.score, write.score);
        set(&mut self.url, write.url);
        if let Some(items) = write.courses {
            self.courses = one_per_line(&items, COURSES_MAX);
        }
        set(&mut self.description, write.description);
        set(&mut self.on_resume, write.on_resume);
        set_label_names(&mut self.labels, write.labels);
    }

    fn read_typed(&mut self, _: &TypedInput) -> FieldErrors {
        let mut e = FieldErrors::new();
        lenient::read_date(&mut e, "start_date", &mut self.start_date);
        lenient::read_date(&mut e, "end_date", &mut self.end_date);
        e
    }

    fn validate(&self) -> Result<EducationInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let institution = e.check(
            "institution",
            fields::required_line(&self.institution, SHORT, "the school, university or institution"),
        );
        let area = e.check("area", fields::line(&self.area, SHORT));
        let study_type = e.check("study_type", fields::line(&self.study_type, MEDIUM));
        let start_date = e.check("start_date", PartialDate::parse_optional(&self.start_date)).flatten();
        let end_date = e.check("end_date", PartialDate::parse_optional(&self.end_date)).flatten();
        if let (Some(start), Some(end)) = (start_date, end_date) {
            if end.is_before(&start) {
                e.add("end_date", "The end date is before the start date.");
            }
        }
        let score = e.check("score", fields::line(&self.score, MEDIUM));
        let url = e.check("url", fields::optional_web_link(&self.url)).flatten();
        let courses = e.check("courses", fields::lines_list(&self.courses, COURSES_MAX, COURSE_LENGTH));
        let description = e.check("description", fields::text(&self.description, DESCRIPTION));
        let labels = parse_labels(&mut e, &self.labels);
        finish(e, || EducationInput {
            institution: institution.unwrap_or_default(),
            area: area.unwrap_or_default(),
            study_type: study_type.unwrap_or_default(),
            start_date,
            end_date,
            score: score.unwrap_or_default(),
            url,
            courses: courses.unwrap_or_default(),
            description: description.unwrap_or_default(),
            on_resume: self.on_resume,
            labels,
        })
    }
}

// ---- certification ----

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CertificationDraft {
    pub name: String,
    pub issuer: String,
    /// When it was issued.
    pub date: String,
    pub url: String,
    #[serde(deserialize_with = "checkbox")]
    pub on_resume: bool,
    pub labels: LabelNames,
}

/// A certification as the API takes it (JSON Resume's `certificates`): `name` is needed on
/// create.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificationWrite {
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub name: Option<String>,
    /// Who issued it, such as "Amazon Web Services".
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub issuer: Option<String>,
    /// When it was issued.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::partial_date_or_null)]
    pub date: Option<String>,
    /// Where it can be verified.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::web_link_input)]
    pub url: Option<String>,
    /// Shown on your resume. On by default.
    pub on_resume: Option<bool>,
    #[serde(default, deserialize_with = "nullable_list")]
    #[schema(schema_with = crate::domain::schema::label_names)]
    pub labels: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct CertificationInput {
    pub name: String,
    pub issuer: String,
    pub date: Option<PartialDate>,
    pub url: Option<String>,
    pub on_resume: bool,
    pub labels: Vec<String>,
}

impl CertificationDraft {
    pub fn blank() -> Self {
        Self { on_resume: true, ..Self::default() }
    }
}

impl Draft for CertificationDraft {
    type Write = CertificationWrite;
    type Input = CertificationInput;

    fn apply(&mut self, write: CertificationWrite) {
        set(&mut self.name, write.name);
        set(&mut self.issuer, write.issuer);
        set(&mut self.date, write.date);
        set(&mut self.url, write.url);
        set(&mut self.on_resume, write.on_resume);
        set_label_names(&mut self.labels, write.labels);
    }

    fn read_typed(&mut self, _: &TypedInput) -> FieldErrors {
        let mut e = FieldErrors::new();
        lenient::read_date(&mut e, "date", &mut self.date);
        e
    }

    fn validate(&self) -> Result<CertificationInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", fields::required_line(&self.name, SHORT, "the certification’s name"));
        let issuer = e.check("issuer", fields::line(&self.issuer, SHORT));
        let date = e.check("date", PartialDate::parse_optional(&self.date)).flatten();
        let url = e.check("url", fields::optional_web_link(&self.url)).flatten();
        let labels = parse_labels(&mut e, &self.labels);
        finish(e, || CertificationInput {
            name: name.unwrap_or_default(),
            issuer: issuer.unwrap_or_default(),
            date,
            url,
            on_resume: self.on_resume,
            labels,
        })
    }
}

// ---- journal entry ----

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct JournalDraft {
    pub title: String,
    pub entry_date: String,
    /// Markdown.
    pub body: String,
    #[serde(deserialize_with = "checkbox")]
    pub is_public: bool,
    pub labels: LabelNames,
}

/// A journal entry as the API takes it: `title` is needed on create; `entry_date` defaults to
/// today (UTC).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JournalWrite {
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub title: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::day)]
    pub entry_date: Option<String>,
    /// Markdown; rendered to sanitised HTML.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 100000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub body: Option<String>,
    /// Shown on your public journal (when that is turned on). Off by default.
    pub is_public: Option<bool>,
    #[serde(default, deserialize_with = "nullable_list")]
    #[schema(schema_with = crate::domain::schema::label_names)]
    pub labels: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct JournalInput {
    pub title: String,
    pub entry_date: PartialDate,
    pub body: String,
    pub is_public: bool,
    pub labels: Vec<String>,
}

impl JournalDraft {
    pub fn blank(today: time::Date) -> Self {
        Self { entry_date: PartialDate::from_date(today).to_string(), ..Self::default() }
    }
}

impl Draft for JournalDraft {
    type Write = JournalWrite;
    type Input = JournalInput;

    fn apply(&mut self, write: JournalWrite) {
        set(&mut self.title, write.title);
        set(&mut self.entry_date, write.entry_date);
        set(&mut self.body, write.body);
        set(&mut self.is_public, write.is_public);
        set_label_names(&mut self.labels, write.labels);
    }

    fn read_typed(&mut self, _: &TypedInput) -> FieldErrors {
        let mut e = FieldErrors::new();
        lenient::read_day(&mut e, "entry_date", &mut self.entry_date);
        e
    }

    fn validate(&self) -> Result<JournalInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.check("title", fields::required_line(&self.title, SHORT, "a title"));
        let entry_date = e.check("entry_date", PartialDate::parse_day(&self.entry_date));
        let body = e.check("body", fields::text(&self.body, JOURNAL_BODY));
        let labels = parse_labels(&mut e, &self.labels);
        let Some(entry_date) = entry_date.filter(|_| e.is_empty()) else { return Err(e) };
        finish(e, || JournalInput {
            title: title.unwrap_or_default(),
            entry_date,
            body: body.unwrap_or_default(),
            is_public: self.is_public,
            labels,
        })
    }
}

// ---- label ----

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LabelDraft {
    pub name: String,
    /// `#rrggbb` (a swatch, or typed), empty for none (the next palette colour on create), or
    /// [`LabelDraft::CUSTOM`]: then the colour is `custom_colour`.
    pub colour: String,
    /// The form's free colour input, used when `colour` says [`LabelDraft::CUSTOM`].
    pub custom_colour: String,
    #[serde(deserialize_with = "checkbox")]
    pub is_public: bool,
}

/// A label as the API takes it: `name` is needed on create, and is unique among your labels (in
/// any case); you may have 500 labels.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelWrite {
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 40,
        pattern = r"^[^,\x00-\x1f\x7f-\x9f]*[^,\s\x00-\x1f\x7f-\x9f][^,\x00-\x1f\x7f-\x9f]*$"
    )]
    pub name: Option<String>,
    /// `#rrggbb`, or `null` for the default.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(pattern = r"^#?[0-9A-Fa-f]{6}$")]
    pub colour: Option<String>,
    /// Visitors of your public pages may see and filter by it. Off by default.
    pub is_public: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct LabelInput {
    pub name: String,
    pub colour: Option<String>,
    pub is_public: bool,
}

impl LabelDraft {
    /// The `colour` a form sends when its own colour input, not a swatch, is chosen.
    pub const CUSTOM: &'static str = "custom";

    pub fn blank() -> Self {
        Self::default()
    }

    /// The colour as chosen, before validation: the swatch's, or the free input's.
    pub fn chosen_colour(&self) -> &str {
        if self.colour == Self::CUSTOM {
            &self.custom_colour
        } else {
            &self.colour
        }
    }

    pub fn apply(&mut self, write: LabelWrite) {
        set(&mut self.name, write.name);
        set(&mut self.colour, write.colour);
        set(&mut self.is_public, write.is_public);
    }

    pub fn validate(&self) -> Result<LabelInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", fields::label_name(&self.name));
        let colour = e.check("colour", fields::optional_colour(self.chosen_colour())).flatten();
        finish(e, || LabelInput { name: name.unwrap_or_default(), colour, is_public: self.is_public })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_experience_needs_its_dates_in_order() {
        let draft = ExperienceDraft {
            role: "Engineer".into(),
            company: "Acme".into(),
            start_date: "2022-05".into(),
            end_date: "2021".into(),
            ..ExperienceDraft::blank()
        };
        assert_eq!(draft.validate().unwrap_err().get("end_date"), Some("The end date is before the start date."));
        let current = ExperienceDraft { end_date: String::new(), current: true, ..draft.clone() };
        assert!(current.validate().is_ok());
        let open = ExperienceDraft { end_date: String::new(), ..draft };
        assert!(open.validate().unwrap_err().get("end_date").unwrap().contains("I work here now"));
    }

    #[test]
    fn patch_changes_only_what_is_sent() {
        let mut draft = SkillDraft { name: "Rust".into(), level: "expert".into(), ..SkillDraft::blank() };
        draft.apply(serde_json::from_str(r#"{"category": "Languages", "level": null}"#).unwrap());
        let input = draft.validate().unwrap();
        assert_eq!(
            (input.name.as_str(), input.category.as_str(), input.level.map(SkillLevel::as_str).unwrap_or_default()),
            ("Rust", "Languages", "")
        );
        assert!(serde_json::from_str::<SkillWrite>(r#"{"nmae": "typo"}"#).is_err());
    }

    #[test]
    fn an_education_is_checked_like_a_project_and_its_courses_like_highlights() {
        let mut draft = EducationDraft { institution: "University of Leeds".into(), ..EducationDraft::blank() };
        draft.apply(
            serde_json::from_str(
                r#"{"area": "Computer Science", "study_type": "BSc", "start_date": "2012", "end_date": "2015-06",
                    "score": "First class", "courses": ["Algorithms", "Compilers\nand interpreters"]}"#,
            )
            .unwrap(),
        );
        let input = draft.validate().unwrap();
        assert_eq!(input.courses, ["Algorithms", "Compilers and interpreters"]);
        assert!(input.on_resume, "on the resume unless switched off");
        let backwards = EducationDraft { end_date: "2011".into(), ..draft.clone() };
        assert_eq!(backwards.validate().unwrap_err().get("end_date"), Some("The end date is before the start date."));
        let many = EducationDraft { courses: "Course\n".repeat(COURSES_MAX + 1), ..draft };
        assert!(many.validate().unwrap_err().get("courses").unwrap().starts_with("At most 30 items"));
        let nameless = CertificationDraft { issuer: "AWS".into(), ..CertificationDraft::blank() };
        assert_eq!(nameless.validate().unwrap_err().get("name"), Some("Enter the certification’s name."));
        assert!(serde_json::from_str::<CertificationWrite>(r#"{"name": "CKA", "expires": "2027"}"#).is_err());
    }

    #[test]
    fn label_names_from_the_api_may_not_hide_a_comma() {
        let mut draft = LabelDraft::blank();
        draft.apply(LabelWrite { name: Some("Rust".into()), ..LabelWrite::default() });
        assert!(draft.validate().is_ok());
        let mut skill = SkillDraft { name: "Go".into(), ..SkillDraft::blank() };
        skill.apply(SkillWrite { labels: Some(vec!["a, b".into()]), ..SkillWrite::default() });
        assert!(skill.validate().unwrap_err().get("labels").is_some());
    }
}
