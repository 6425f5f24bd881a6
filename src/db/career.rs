//! Experiences, skills, projects, achievements and journal entries. Every query names the owner:
//! a record is only ever found, changed or deleted together with its user's id.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, FromRow};
use utoipa::ToSchema;

use crate::clock::Timestamp;
use crate::db::labels::LabelChip;
use crate::db::{Flag, TextList};
use crate::domain::career::{AchievementInput, ExperienceInput, JournalInput, ProjectInput, RecordKind, SkillInput};
use crate::domain::fields::{human_date, name_key};

/// Where a kind of record is kept and how its list is ordered.
pub struct Table {
    pub kind: RecordKind,
    pub name: &'static str,
    pub columns: &'static str,
    pub order_by: &'static str,
    /// Whether its records have a `status` that lists can be filtered by.
    pub has_status: bool,
    /// The record its records belong to, if lists can be narrowed to one: the query
    /// parameter and the column (`?opportunity=` and `opportunity_id` for interviews).
    pub parent: Option<(&'static str, &'static str)>,
    /// Tables joined into every list and lookup (`t` is the record's own).
    pub joins: &'static str,
}

/// Which page of a list, and an optional label (by name) every record on it must carry.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub label: Option<String>,
    pub page: i64,
    pub per_page: i64,
    pub audience: Audience,
    /// Only records in this status; one of our own known statuses, never user text.
    pub status: Option<&'static str>,
    /// Only records that belong to this one (see [`Table::parent`]).
    pub parent: Option<uuid::Uuid>,
}

/// Who the list is for: its owner sees everything; a visitor sees only what the owner made
/// public, filtered only by public labels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Audience {
    #[default]
    Owner,
    /// Records marked "show on my resume".
    Resume,
    /// Journal entries marked public.
    PublicJournal,
}

impl Audience {
    fn condition(self) -> &'static str {
        match self {
            Audience::Owner => "",
            Audience::Resume => " AND t.on_resume = 1",
            Audience::PublicJournal => " AND t.is_public = 1",
        }
    }
    fn label_condition(self) -> &'static str {
        match self {
            Audience::Owner => "",
            _ => " AND l.is_public = 1",
        }
    }
}

impl ListFilter {
    fn offset(&self) -> i64 {
        (self.page.max(1) - 1) * self.per_page
    }
}

/// One page of a list and how many records match in all.
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

fn list_condition(table: &Table, filter: &ListFilter) -> String {
    // The status is one of the static names in domain::jobs::STATUSES, so it may be written in.
    let status = match filter.status {
        Some(status) if table.has_status => format!(" AND t.status = '{status}'"),
        _ => String::new(),
    };
    // A parsed UUID is hex digits and dashes, so it too may be written in.
    let parent = match (filter.parent, table.parent) {
        (Some(id), Some((_, column))) => format!(" AND t.{column} = '{id}'"),
        _ => String::new(),
    };
    // Without a label the condition still names `$2` and `$3` (every query binds the same
    // values in the same places), but as a constant the planner drops, so a plain list or count
    // can be answered from an index alone.
    let label = if filter.label.is_some() {
        format!(
            "EXISTS (SELECT 1 FROM record_labels rl JOIN labels l ON l.id = rl.label_id \
             WHERE rl.user_id = $1 AND rl.record_kind = $3 AND rl.record_id = t.id AND l.name_key = $2{})",
            filter.audience.label_condition()
        )
    } else {
        "$2 = '' AND $3 <> ''".to_owned()
    };
    format!("t.user_id = $1{}{status}{parent} AND {label}", filter.audience.condition())
}

/// One page of a list and how many records match in all.
pub async fn list<'e, T>(
    ex: impl Executor<'e, Database = Any> + Copy,
    table: &Table,
    user_id: &str,
    filter: &ListFilter,
) -> Result<Page<T>, sqlx::Error>
where
    T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
{
    let label = filter.label.as_deref().map(name_key).unwrap_or_default();
    // Counted without the joins: they only name what a record belongs to, which always exists.
    let total: i64 =
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {} t WHERE {}", table.name, list_condition(table, filter)))
            .bind(user_id)
            .bind(&label)
            .bind(table.kind.as_str())
            .fetch_one(ex)
            .await?;
    let items = rows(ex, table, user_id, filter).await?;
    Ok(Page { items, total })
}

/// One page of a list, without counting the rest (for pages that show everything at once).
pub async fn rows<'e, T>(
    ex: impl Executor<'e, Database = Any>,
    table: &Table,
    user_id: &str,
    filter: &ListFilter,
) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
{
    let label = filter.label.as_deref().map(name_key).unwrap_or_default();
    sqlx::query_as(&format!(
        "SELECT {} FROM {} t {} WHERE {} ORDER BY {} LIMIT $4 OFFSET $5",
        table.columns,
        table.name,
        table.joins,
        list_condition(table, filter),
        table.order_by
    ))
    .bind(user_id)
    .bind(&label)
    .bind(table.kind.as_str())
    .bind(filter.per_page)
    .bind(filter.offset())
    .fetch_all(ex)
    .await
}

pub async fn get<'e, T>(
    ex: impl Executor<'e, Database = Any>,
    table: &Table,
    user_id: &str,
    id: &str,
) -> Result<Option<T>, sqlx::Error>
where
    T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
{
    sqlx::query_as(&format!(
        "SELECT {} FROM {} t {} WHERE t.user_id = $1 AND t.id = $2",
        table.columns, table.name, table.joins
    ))
    .bind(user_id)
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// A public journal entry by its slug.
pub async fn public_entry_by_slug<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &str,
    slug: &str,
) -> Result<Option<JournalEntry>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {} FROM journal_entries t WHERE t.user_id = $1 AND t.slug = $2 AND t.is_public = 1",
        JOURNAL.columns
    ))
    .bind(user_id)
    .bind(slug)
    .fetch_optional(ex)
    .await
}

/// Delete a record and the labels on it.
pub async fn delete(conn: &mut AnyConnection, table: &Table, user_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    crate::db::labels::remove_all_from_record(&mut *conn, user_id, table.kind, id).await?;
    let done = sqlx::query(&format!("DELETE FROM {} WHERE user_id = $1 AND id = $2", table.name))
        .bind(user_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// How many records of this kind the user has.
pub async fn count<'e>(
    ex: impl Executor<'e, Database = Any>,
    table: &Table,
    user_id: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {} WHERE user_id = $1", table.name))
        .bind(user_id)
        .fetch_one(ex)
        .await
}

/// `(id, title)` pairs of a user's records, for choosing one in a form (newest first).
pub async fn choices<'e>(
    ex: impl Executor<'e, Database = Any>,
    table: &Table,
    title_sql: &str,
    user_id: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT t.id, {title_sql} FROM {} t {} WHERE t.user_id = $1 ORDER BY {} LIMIT 500",
        table.name, table.joins, table.order_by
    ))
    .bind(user_id)
    .fetch_all(ex)
    .await
}

pub async fn exists<'e>(
    ex: impl Executor<'e, Database = Any>,
    table: &Table,
    user_id: &str,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> =
        sqlx::query_scalar(&format!("SELECT 1 FROM {} WHERE user_id = $1 AND id = $2", table.name))
            .bind(user_id)
            .bind(id)
            .fetch_optional(ex)
            .await?;
    Ok(found.is_some())
}

fn date_text(date: Option<crate::domain::fields::PartialDate>) -> Option<String> {
    date.map(|d| d.to_string())
}

pub(crate) type Query<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

/// Run an insert or update whose placeholders are `$1` the owner, `$2` the record, then the
/// record's fields, then the time: inserts and updates of a kind share one way of binding.
pub(crate) async fn write<'q>(
    conn: &mut AnyConnection,
    sql: &'q str,
    user_id: &'q str,
    id: &'q str,
    fields: impl FnOnce(Query<'q>) -> Query<'q>,
    now: Timestamp,
) -> Result<u64, sqlx::Error> {
    let query = fields(sqlx::query(sql).bind(user_id).bind(id));
    Ok(query.bind(now).execute(conn).await?.rows_affected())
}

// ---- experiences ----

pub const EXPERIENCES: Table = Table {
    kind: RecordKind::Experience,
    name: "experiences",
    columns: "t.id, t.role, t.company, t.location, t.start_date, t.end_date, t.is_current, t.description, \
              t.highlights, t.on_resume, t.created_at, t.updated_at",
    order_by: "t.is_current DESC, COALESCE(t.end_date, '9999') DESC, t.start_date DESC, t.id DESC",
    has_status: false,
    parent: None,
    joins: "",
};

/// A job or role held.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Experience {
    pub id: String,
    pub role: String,
    pub company: String,
    pub location: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub start_date: String,
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
    user_id: &str,
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
    user_id: &str,
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
    parent: None,
    joins: "",
};

#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Skill {
    pub id: String,
    pub name: String,
    pub category: String,
    /// `beginner`, `intermediate`, `advanced`, `expert`, or empty.
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
        crate::domain::career::skill_level_name(&self.level)
    }
}

pub async fn insert_skill(
    conn: &mut AnyConnection,
    user_id: &str,
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
    user_id: &str,
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
        .bind(&input.level)
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
    parent: None,
    joins: "",
};

#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub role: String,
    /// The type of project.
    pub kind: String,
    pub description: String,
    pub url: Option<String>,
    pub start_date: Option<String>,
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
    user_id: &str,
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
    user_id: &str,
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
    parent: None,
    joins: "",
};

#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Achievement {
    pub id: String,
    pub title: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(rename = "date")]
    #[schema(rename = "date")]
    pub achieved_on: Option<String>,
    pub description: String,
    pub experience_id: Option<String>,
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
    user_id: &str,
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
    user_id: &str,
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
    user_id: &str,
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

// ---- journal entries ----

pub const JOURNAL: Table = Table {
    kind: RecordKind::JournalEntry,
    name: "journal_entries",
    columns: "t.id, t.title, t.slug, t.entry_date, t.body, t.is_public, t.created_at, t.updated_at",
    order_by: "t.entry_date DESC, t.id DESC",
    has_status: false,
    parent: None,
    joins: "",
};

#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct JournalEntry {
    pub id: String,
    pub title: String,
    /// The entry's name in its public address; fixed when the entry is created.
    pub slug: String,
    /// `YYYY-MM-DD`.
    pub entry_date: String,
    /// Markdown.
    pub body: String,
    #[sqlx(try_from = "i64")]
    #[schema(value_type = bool)]
    pub is_public: Flag,
    #[sqlx(skip)]
    pub labels: Vec<LabelChip>,
    #[sqlx(skip)]
    pub images: Vec<crate::db::uploads::ImageRef>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl JournalEntry {
    pub fn when(&self) -> String {
        human_date(&self.entry_date)
    }
    pub fn summary(&self) -> String {
        crate::domain::markdown::summary(&self.body, 220)
    }
}

/// A slug for a new entry: from the title, made unique among the user's entries.
async fn free_slug(conn: &mut AnyConnection, user_id: &str, title: &str) -> Result<String, sqlx::Error> {
    let base = crate::domain::fields::slugify(title);
    let mut candidate = base.clone();
    for n in 2.. {
        let taken: Option<i64> = sqlx::query_scalar("SELECT 1 FROM journal_entries WHERE user_id = $1 AND slug = $2")
            .bind(user_id)
            .bind(&candidate)
            .fetch_optional(&mut *conn)
            .await?;
        if taken.is_none() {
            break;
        }
        candidate = if n < 50 { format!("{base}-{n}") } else { format!("{base}-{}", uuid::Uuid::new_v4().simple()) };
    }
    Ok(candidate)
}

pub async fn insert_journal_entry(
    conn: &mut AnyConnection,
    user_id: &str,
    id: &str,
    input: &JournalInput,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let sql =
        "INSERT INTO journal_entries (user_id, id, title, entry_date, body, is_public, slug, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (user_id, slug) DO NOTHING";
    let mut slug = free_slug(&mut *conn, user_id, &input.title).await?;
    // Another request may take the same free slug at the same moment (PostgreSQL runs them side
    // by side): then this entry's slug gets a random ending.
    for _ in 0..3 {
        let chosen = slug.clone();
        if write(&mut *conn, sql, user_id, id, |q| journal_fields(q, input).bind(chosen), now).await? == 1 {
            return Ok(());
        }
        slug = format!(
            "{}-{}",
            crate::domain::fields::slugify(&input.title),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
    }
    Err(sqlx::Error::Protocol("no free slug for a journal entry".into()))
}

pub async fn update_journal_entry(
    conn: &mut AnyConnection,
    user_id: &str,
    id: &str,
    input: &JournalInput,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE journal_entries SET title = $3, entry_date = $4, body = $5, is_public = $6, updated_at = $7
               WHERE user_id = $1 AND id = $2";
    Ok(write(conn, sql, user_id, id, |q| journal_fields(q, input), now).await? == 1)
}

fn journal_fields<'q>(query: Query<'q>, input: &'q JournalInput) -> Query<'q> {
    query.bind(&input.title).bind(input.entry_date.to_string()).bind(&input.body).bind(Flag::bind(input.is_public))
}
