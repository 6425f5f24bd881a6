//! Experiences, skills, projects, achievements, education and certifications.

use serde::Serialize;
use sqlx::{Any, AnyConnection, Executor, FromRow};
use utoipa::ToSchema;

use crate::clock::Timestamp;
use crate::db::labels::LabelChip;
use crate::db::{Flag, TextList};
use crate::domain::career::{
    AchievementInput, CertificationInput, EducationInput, ExperienceInput, ProjectInput, SkillInput,
};
use crate::domain::fields::{human_date, name_key};
use crate::domain::records::RecordKind;
use crate::domain::UserId;

// ---- experiences ----

/// The career record and the journal: the tables the home page counts and bulk label linking
/// reads, in the order people see them.
pub const RECORD_TABLES: [&Table; 7] =
    [&EXPERIENCES, &SKILLS, &PROJECTS, &ACHIEVEMENTS, &EDUCATION, &CERTIFICATIONS, &crate::db::journal::JOURNAL];

pub const EXPERIENCES: Table = Table {
    kind: RecordKind::Experience,
    name: "experiences",
    columns: "t.id, t.role, t.company, t.location, t.start_date, t.end_date, t.is_current, t.description, \
              t.highlights, t.on_resume, t.created_at, t.updated_at",
    order_by: "t.is_current DESC, COALESCE(t.end_date, '9999') DESC, t.start_date DESC, t.id DESC",
    has_status: false,
    has_done: false,
    parent: None,
    joins: "",
    sorts: None,
};

/// A job or role held.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Experience {
    #[schema(format = Uuid)]
    pub id: String,
    pub role: String,
    pub company: String,
    pub location: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[schema(schema_with = crate::domain::schema::partial_date)]
    pub start_date: String,
    #[schema(schema_with = crate::domain::schema::partial_date_or_null)]
    pub end_date: Option<String>,
    #[sqlx(try_from = "i64")]
    #[serde(rename = "current")]
    #[schema(value_type = bool, rename = "current")]
    pub is_current: Flag,
    pub description: String,
    #[sqlx(try_from = "String")]
    #[schema(value_type = Vec<String>)]
    pub highlights: TextList,
    #[sqlx(try_from = "i64")]
    #[schema(value_type = bool)]
    pub on_resume: Flag,
    #[sqlx(skip)]
    pub labels: Vec<LabelChip>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Experience {
    pub fn period(&self) -> String {
        let end = if self.is_current.get() {
            "now".to_owned()
        } else {
            self.end_date.as_deref().map(human_date).unwrap_or_default()
        };
        format!("{} – {end}", human_date(&self.start_date))
    }
}

pub async fn insert_experience(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &ExperienceInput,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO experiences (user_id, id, role, company, location, start_date, end_date, is_current,
                   description, highlights, on_resume, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)";
    write(conn, sql, user_id, id, |q| experience_fields(q, input), now).await.map(|_| ())
}

pub async fn update_experience(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &ExperienceInput,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE experiences SET role = $3, company = $4, location = $5, start_date = $6, end_date = $7,
                   is_current = $8, description = $9, highlights = $10, on_resume = $11, updated_at = $12
               WHERE user_id = $1 AND id = $2";
    Ok(write(conn, sql, user_id, id, |q| experience_fields(q, input), now).await? == 1)
}

fn experience_fields<'q>(query: Query<'q>, input: &'q ExperienceInput) -> Query<'q> {
    query
        .bind(&input.role)
        .bind(&input.company)
        .bind(&input.location)
        .bind(input.start_date.to_string())
        .bind(date_text(input.end_date))
        .bind(Flag::bind(input.current))
        .bind(&input.description)
        .bind(TextList::to_json(&input.highlights))
        .bind(Flag::bind(input.on_resume))
}

// ---- skills ----

pub const SKILLS: Table = Table {
    kind: RecordKind::Skill,
    name: "skills",
    columns: "t.id, t.name, t.category, t.level, t.on_resume, t.created_at, t.updated_at",
    order_by: "t.category, t.name_key, t.id",
    has_status: false,
    has_done: false,
    parent: None,
    joins: "",
    sorts: None,
};

#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Skill {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub category: String,
    /// `beginner`, `intermediate`, `advanced`, `expert`, or empty.
    #[schema(schema_with = crate::domain::schema::skill_level)]
    pub level: String,
    #[sqlx(try_from = "i64")]
    #[schema(value_type = bool)]
    pub on_resume: Flag,
    #[sqlx(skip)]
    pub labels: Vec<LabelChip>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Skill {
    pub fn level_name(&self) -> &'static str {
        crate::domain::career::SkillLevel::parse(&self.level)
            .map(crate::domain::career::SkillLevel::label)
            .unwrap_or_default()
    }
}

pub async fn insert_skill(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &SkillInput,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO skills (user_id, id, name, name_key, category, level, on_resume, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)";
    write(conn, sql, user_id, id, |q| skill_fields(q, input), now).await.map(|_| ())
}

pub async fn update_skill(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &SkillInput,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE skills SET name = $3, name_key = $4, category = $5, level = $6, on_resume = $7, updated_at = $8
               WHERE user_id = $1 AND id = $2";
    Ok(write(conn, sql, user_id, id, |q| skill_fields(q, input), now).await? == 1)
}

fn skill_fields<'q>(query: Query<'q>, input: &'q SkillInput) -> Query<'q> {
    query
        .bind(&input.name)
        .bind(name_key(&input.name))
        .bind(&input.category)
        .bind(input.level.map(crate::domain::career::SkillLevel::as_str).unwrap_or_default())
        .bind(Flag::bind(input.on_resume))
}

// ---- projects ----

pub const PROJECTS: Table = Table {
    kind: RecordKind::Project,
    name: "projects",
    columns: "t.id, t.name, t.role, t.kind, t.description, t.url, t.start_date, t.end_date, t.on_resume, \
              t.created_at, t.updated_at",
    order_by: "COALESCE(t.start_date, '0000') DESC, t.id DESC",
    has_status: false,
    has_done: false,
    parent: None,
    joins: "",
    sorts: None,
};

#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Project {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub role: String,
    /// The type of project.
    pub kind: String,
    pub description: String,
    #[schema(format = "uri")]
    pub url: Option<String>,
    #[schema(schema_with = crate::domain::schema::partial_date_or_null)]
    pub start_date: Option<String>,
    #[schema(schema_with = crate::domain::schema::partial_date_or_null)]
    pub end_date: Option<String>,
    #[sqlx(try_from = "i64")]
    #[schema(value_type = bool)]
    pub on_resume: Flag,
    #[sqlx(skip)]
    pub labels: Vec<LabelChip>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Project {
    pub fn period(&self) -> String {
        match (&self.start_date, &self.end_date) {
            (Some(start), Some(end)) => format!("{} – {}", human_date(start), human_date(end)),
            (Some(start), None) => format!("Since {}", human_date(start)),
            (None, Some(end)) => format!("Until {}", human_date(end)),
            (None, None) => String::new(),
        }
    }
}

pub async fn insert_project(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &ProjectInput,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO projects (user_id, id, name, role, kind, description, url, start_date, end_date, on_resume,
                   created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)";
    write(conn, sql, user_id, id, |q| project_fields(q, input), now).await.map(|_| ())
}

pub async fn update_project(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &ProjectInput,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE projects SET name = $3, role = $4, kind = $5, description = $6, url = $7, start_date = $8,
                   end_date = $9, on_resume = $10, updated_at = $11
               WHERE user_id = $1 AND id = $2";
    Ok(write(conn, sql, user_id, id, |q| project_fields(q, input), now).await? == 1)
}

fn project_fields<'q>(query: Query<'q>, input: &'q ProjectInput) -> Query<'q> {
    query
        .bind(&input.name)
        .bind(&input.role)
        .bind(&input.kind)
        .bind(&input.description)
        .bind(input.url.as_deref())
        .bind(date_text(input.start_date))
        .bind(date_text(input.end_date))
        .bind(Flag::bind(input.on_resume))
}

// ---- achievements ----

pub const ACHIEVEMENTS: Table = Table {
    kind: RecordKind::Achievement,
    name: "achievements",
    columns: "t.id, t.title, t.achieved_on, t.description, t.experience_id, t.project_id, \
              (SELECT e.role || ' at ' || e.company FROM experiences e WHERE e.id = t.experience_id AND e.user_id = t.user_id) AS experience_title, \
              (SELECT p.name FROM projects p WHERE p.id = t.project_id AND p.user_id = t.user_id) AS project_title, \
              t.on_resume, t.created_at, t.updated_at",
    order_by: "COALESCE(t.achieved_on, '0000') DESC, t.id DESC",
    has_status: false,
    has_done: false,
    parent: None,
    joins: "",
    sorts: None,
};
use crate::db::lists::{date_text, write, Query, Table};

#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Achievement {
    #[schema(format = Uuid)]
    pub id: String,
    pub title: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(rename = "date")]
    #[schema(rename = "date", schema_with = crate::domain::schema::partial_date_or_null)]
    pub achieved_on: Option<String>,
    pub description: String,
    #[schema(format = Uuid)]
    pub experience_id: Option<String>,
    #[schema(format = Uuid)]
    pub project_id: Option<String>,
    /// "Role at Company" of the linked experience.
    pub experience_title: Option<String>,
    /// Name of the linked project.
    pub project_title: Option<String>,
    #[sqlx(try_from = "i64")]
    #[schema(value_type = bool)]
    pub on_resume: Flag,
    #[sqlx(skip)]
    pub labels: Vec<LabelChip>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Achievement {
    pub fn when(&self) -> String {
        self.achieved_on.as_deref().map(human_date).unwrap_or_default()
    }
}

pub async fn insert_achievement(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &AchievementInput,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO achievements (user_id, id, title, achieved_on, description, experience_id, project_id,
                   on_resume, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)";
    write(conn, sql, user_id, id, |q| achievement_fields(q, input), now).await.map(|_| ())
}

pub async fn update_achievement(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &AchievementInput,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE achievements SET title = $3, achieved_on = $4, description = $5, experience_id = $6,
                   project_id = $7, on_resume = $8, updated_at = $9
               WHERE user_id = $1 AND id = $2";
    Ok(write(conn, sql, user_id, id, |q| achievement_fields(q, input), now).await? == 1)
}

fn achievement_fields<'q>(query: Query<'q>, input: &'q AchievementInput) -> Query<'q> {
    query
        .bind(&input.title)
        .bind(date_text(input.date))
        .bind(&input.description)
        .bind(input.experience_id.as_deref())
        .bind(input.project_id.as_deref())
        .bind(Flag::bind(input.on_resume))
}

/// The achievements that belong to one experience or project.
pub async fn achievements_of<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    kind: RecordKind,
    id: &str,
) -> Result<Vec<Achievement>, sqlx::Error> {
    let column = match kind {
        RecordKind::Experience => "experience_id",
        RecordKind::Project => "project_id",
        _ => return Ok(Vec::new()),
    };
    sqlx::query_as(&format!(
        "SELECT {} FROM achievements t WHERE t.user_id = $1 AND t.{column} = $2 ORDER BY {} LIMIT 200",
        ACHIEVEMENTS.columns, ACHIEVEMENTS.order_by
    ))
    .bind(user_id)
    .bind(id)
    .fetch_all(ex)
    .await
}

// ---- education ----

pub const EDUCATION: Table = Table {
    kind: RecordKind::Education,
    name: "education",
    columns: "t.id, t.institution, t.area, t.study_type, t.start_date, t.end_date, t.score, t.url, t.courses, \
              t.description, t.on_resume, t.created_at, t.updated_at",
    // Newest first, by when it ended or else began; text dates in JSON Resume's form sort as dates.
    order_by: "COALESCE(t.end_date, t.start_date, '0000') DESC, t.id DESC",
    has_status: false,
    has_done: false,
    parent: None,
    joins: "",
    sorts: None,
};

/// A school, university or course studied at (JSON Resume's `education`).
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Education {
    #[schema(format = Uuid)]
    pub id: String,
    pub institution: String,
    /// The field of study.
    pub area: String,
    /// The kind of study, such as "Bachelor".
    pub study_type: String,
    #[schema(schema_with = crate::domain::schema::partial_date_or_null)]
    pub start_date: Option<String>,
    #[schema(schema_with = crate::domain::schema::partial_date_or_null)]
    pub end_date: Option<String>,
    /// A grade or result.
    pub score: String,
    #[schema(format = "uri")]
    pub url: Option<String>,
    #[sqlx(try_from = "String")]
    #[schema(value_type = Vec<String>)]
    pub courses: TextList,
    pub description: String,
    #[sqlx(try_from = "i64")]
    #[schema(value_type = bool)]
    pub on_resume: Flag,
    #[sqlx(skip)]
    pub labels: Vec<LabelChip>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Education {
    /// "BSc, Computer Science": what was studied, as one line.
    pub fn studies(&self) -> String {
        [self.study_type.as_str(), self.area.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn period(&self) -> String {
        match (&self.start_date, &self.end_date) {
            (Some(start), Some(end)) => format!("{} – {}", human_date(start), human_date(end)),
            (Some(start), None) => format!("Since {}", human_date(start)),
            (None, Some(end)) => human_date(end),
            (None, None) => String::new(),
        }
    }
}

pub async fn insert_education(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &EducationInput,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO education (user_id, id, institution, area, study_type, start_date, end_date, score, url,
                   courses, description, on_resume, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)";
    write(conn, sql, user_id, id, |q| education_fields(q, input), now).await.map(|_| ())
}

pub async fn update_education(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &EducationInput,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE education SET institution = $3, area = $4, study_type = $5, start_date = $6, end_date = $7,
                   score = $8, url = $9, courses = $10, description = $11, on_resume = $12, updated_at = $13
               WHERE user_id = $1 AND id = $2";
    Ok(write(conn, sql, user_id, id, |q| education_fields(q, input), now).await? == 1)
}

fn education_fields<'q>(query: Query<'q>, input: &'q EducationInput) -> Query<'q> {
    query
        .bind(&input.institution)
        .bind(&input.area)
        .bind(&input.study_type)
        .bind(date_text(input.start_date))
        .bind(date_text(input.end_date))
        .bind(&input.score)
        .bind(input.url.as_deref())
        .bind(TextList::to_json(&input.courses))
        .bind(&input.description)
        .bind(Flag::bind(input.on_resume))
}

// ---- certifications ----

pub const CERTIFICATIONS: Table = Table {
    kind: RecordKind::Certification,
    name: "certifications",
    columns: "t.id, t.name, t.issuer, t.issued_on, t.url, t.on_resume, t.created_at, t.updated_at",
    order_by: "COALESCE(t.issued_on, '0000') DESC, t.id DESC",
    has_status: false,
    has_done: false,
    parent: None,
    joins: "",
    sorts: None,
};

/// A certificate or licence (JSON Resume's `certificates`).
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Certification {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    /// Who issued it.
    pub issuer: String,
    /// When it was issued: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(rename = "date")]
    #[schema(rename = "date", schema_with = crate::domain::schema::partial_date_or_null)]
    pub issued_on: Option<String>,
    #[schema(format = "uri")]
    pub url: Option<String>,
    #[sqlx(try_from = "i64")]
    #[schema(value_type = bool)]
    pub on_resume: Flag,
    #[sqlx(skip)]
    pub labels: Vec<LabelChip>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Certification {
    pub fn when(&self) -> String {
        self.issued_on.as_deref().map(human_date).unwrap_or_default()
    }
}

pub async fn insert_certification(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &CertificationInput,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let sql =
        "INSERT INTO certifications (user_id, id, name, issuer, issued_on, url, on_resume, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)";
    write(conn, sql, user_id, id, |q| certification_fields(q, input), now).await.map(|_| ())
}

pub async fn update_certification(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &CertificationInput,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE certifications SET name = $3, issuer = $4, issued_on = $5, url = $6, on_resume = $7,
                   updated_at = $8
               WHERE user_id = $1 AND id = $2";
    Ok(write(conn, sql, user_id, id, |q| certification_fields(q, input), now).await? == 1)
}

fn certification_fields<'q>(query: Query<'q>, input: &'q CertificationInput) -> Query<'q> {
    query
        .bind(&input.name)
        .bind(&input.issuer)
        .bind(date_text(input.date))
        .bind(input.url.as_deref())
        .bind(Flag::bind(input.on_resume))
}
