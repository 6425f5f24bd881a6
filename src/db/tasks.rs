//! Tasks: what there is to do, by a day or not, on their own or for one opportunity.

use serde::Serialize;
use sqlx::{Any, AnyConnection, Executor, FromRow};
use utoipa::ToSchema;

use crate::clock::Timestamp;
use crate::db::labels::LabelChip;
use crate::db::lists::{write, Query, Table};
use crate::db::Flag;
use crate::domain::fields::human_date;
use crate::domain::opportunities::EventKind;
use crate::domain::records::RecordKind;
use crate::domain::tasks::TaskInput;
use crate::domain::UserId;

/// Open tasks first, soonest due first, those without a day after the dated ones.
pub const TASKS: Table = Table {
    kind: RecordKind::Task,
    name: "tasks",
    columns: "t.id, t.title, t.due_on, t.done, t.done_at, t.opportunity_id, COALESCE(o.company, '') AS company, \
              COALESCE(o.role, '') AS role, t.notes, t.created_at, t.updated_at",
    order_by: "t.done, COALESCE(t.due_on, '9999-12-31'), t.created_at, t.id",
    has_status: false,
    has_done: true,
    parent: Some(("opportunity", "opportunity_id")),
    // The opportunity is named only when it is the owner's own (as every write checks).
    joins: "LEFT JOIN opportunities o ON o.id = t.opportunity_id AND o.user_id = t.user_id",
    sorts: None,
};

/// A task as lists, pages and the API show it.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Task {
    #[schema(format = Uuid)]
    pub id: String,
    pub title: String,
    /// `YYYY-MM-DD`, or `null` for no day.
    #[schema(format = Date)]
    pub due_on: Option<String>,
    #[sqlx(try_from = "i64")]
    #[schema(value_type = bool)]
    pub done: Flag,
    /// When it was marked done.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub done_at: Option<Timestamp>,
    #[schema(format = Uuid)]
    pub opportunity_id: Option<String>,
    /// The opportunity's company and role, when the task is for one.
    pub company: String,
    pub role: String,
    pub notes: String,
    #[sqlx(skip)]
    #[serde(skip)]
    #[schema(ignore)]
    pub labels: Vec<LabelChip>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Task {
    pub fn is_done(&self) -> bool {
        self.done.get()
    }
    /// The day it is due, as people write it ("7 Dec 2026"), or "".
    pub fn due(&self) -> String {
        self.due_on.as_deref().map(human_date).unwrap_or_default()
    }
    /// Due before `today` (`YYYY-MM-DD`) and not done.
    pub fn is_overdue(&self, today: &str) -> bool {
        !self.is_done() && self.due_on.as_deref().is_some_and(|day| day < today)
    }
    pub fn is_due_on(&self, day: &str) -> bool {
        self.due_on.as_deref() == Some(day)
    }
    /// What the task is for, as people name an opportunity ("Globex · Staff Engineer").
    pub fn opportunity_title(&self) -> String {
        match (self.company.is_empty(), self.role.is_empty()) {
            (true, _) => String::new(),
            (false, true) => self.company.clone(),
            (false, false) => format!("{} · {}", self.company, self.role),
        }
    }
}

fn task_fields<'q>(query: Query<'q>, input: &'q TaskInput) -> Query<'q> {
    query
        .bind(&input.title)
        .bind(input.due_on.map(|day| day.to_string()))
        .bind(Flag::bind(input.done))
        .bind(input.opportunity_id.as_deref())
        .bind(&input.notes)
}

/// Save a new task, only while its opportunity (if any) is the user's: one deleted a moment ago
/// writes nothing and answers `RowNotFound`.
pub async fn insert_task(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &TaskInput,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let sql =
        "INSERT INTO tasks (user_id, id, title, due_on, done, opportunity_id, notes, done_at, created_at, updated_at)
               SELECT $1, $2, $3, $4, $5, $6, $7, CASE WHEN $5 = 1 THEN $8 END, $8, $8
               WHERE $6 IS NULL OR EXISTS (SELECT 1 FROM opportunities WHERE user_id = $1 AND id = $6)";
    match write(conn, sql, user_id, id, |q| task_fields(q, input), now).await? {
        1 => Ok(()),
        _ => Err(sqlx::Error::RowNotFound),
    }
}

/// Save a task's new values; the time it was done is kept while it stays done.
pub async fn update_task(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &TaskInput,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    if let Some(opportunity_id) = &input.opportunity_id {
        let table = &crate::db::opportunities::OPPORTUNITIES;
        if !crate::db::lists::exists(&mut *conn, table, user_id, opportunity_id).await? {
            return Err(sqlx::Error::RowNotFound);
        }
    }
    let before = state_of(&mut *conn, user_id, id).await?;
    let changed = write(
        &mut *conn,
        "UPDATE tasks SET title = $3, due_on = $4, done = $5, opportunity_id = $6, notes = $7,
             done_at = CASE WHEN $5 = 0 THEN NULL WHEN done = 1 THEN done_at ELSE $8 END, updated_at = $8
             WHERE user_id = $1 AND id = $2",
        user_id,
        id,
        |q| task_fields(q, input),
        now,
    )
    .await?;
    if let Some(before) = before.filter(|_| changed == 1 && input.done) {
        // Done on its opportunity's timeline under the title it has now, for the one it is for now.
        let after = TaskState { title: input.title.clone(), opportunity_id: input.opportunity_id.clone(), ..before };
        after.note_if_newly_done(conn, user_id, now).await?;
    }
    Ok(changed == 1)
}

/// Mark one of the user's tasks done, or not done again. `false` when there is no such task.
/// A task for an opportunity that becomes done goes on its timeline.
pub async fn set_done(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    done: bool,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let Some(before) = state_of(&mut *conn, user_id, id).await? else { return Ok(false) };
    let changed = sqlx::query(
        "UPDATE tasks SET done = $3, done_at = CASE WHEN $3 = 1 THEN $4 END, updated_at = $4
         WHERE user_id = $1 AND id = $2",
    )
    .bind(user_id)
    .bind(id)
    .bind(Flag::bind(done))
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if changed == 1 && done {
        before.note_if_newly_done(conn, user_id, now).await?;
    }
    Ok(changed == 1)
}

/// What a task was before a change: whether it was done, its title and its opportunity.
struct TaskState {
    done: bool,
    title: String,
    opportunity_id: Option<String>,
}

impl TaskState {
    /// The task was open and is done now: "Task done" with its title goes on its opportunity's
    /// timeline (as its next action's did before tasks).
    async fn note_if_newly_done(
        &self,
        conn: &mut AnyConnection,
        user_id: &UserId,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        let Some(opportunity_id) = self.opportunity_id.as_deref().filter(|_| !self.done) else { return Ok(()) };
        let about = crate::db::opportunities::EventAbout::Nothing;
        crate::db::opportunities::record_event(
            conn,
            user_id,
            opportunity_id,
            EventKind::ActionDone,
            about,
            &self.title,
            now,
        )
        .await
    }
}

async fn state_of(conn: &mut AnyConnection, user_id: &UserId, id: &str) -> Result<Option<TaskState>, sqlx::Error> {
    let row: Option<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT done, title, opportunity_id FROM tasks WHERE user_id = $1 AND id = $2")
            .bind(user_id)
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(done, title, opportunity_id)| TaskState { done: done == 1, title, opportunity_id }))
}

/// An opportunity's first open task (soonest due, those without a day last, then the oldest;
/// the one `db::opportunities` shows as its next action): its id, title and day.
pub async fn first_open<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    opportunity_id: &str,
) -> Result<Option<(String, String, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT n.id, n.title, n.due_on FROM tasks n WHERE n.user_id = $1 AND n.opportunity_id = $2 AND n.done = 0
         ORDER BY COALESCE(n.due_on, '9999-12-31'), n.created_at, n.id LIMIT 1",
    )
    .bind(user_id)
    .bind(opportunity_id)
    .fetch_optional(ex)
    .await
}

/// Put an open task off until `day` (`YYYY-MM-DD`). `false` when there is no such open task.
pub async fn put_off<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    id: &str,
    day: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let changed =
        sqlx::query("UPDATE tasks SET due_on = $3, updated_at = $4 WHERE user_id = $1 AND id = $2 AND done = 0")
            .bind(user_id)
            .bind(id)
            .bind(day)
            .bind(now)
            .execute(ex)
            .await?
            .rows_affected();
    Ok(changed == 1)
}

fn tasks_where(condition: &str, order: &str) -> String {
    format!(
        "SELECT {} FROM tasks t {} WHERE t.user_id = $1 AND {condition} ORDER BY {order}",
        TASKS.columns, TASKS.joins
    )
}

/// The open tasks due from `first` to `last` (`YYYY-MM-DD`, both included; an empty `first`
/// has no lower bound), soonest first: read in the order of the `tasks_agenda` index, so it
/// stops after `limit`. A task for an opportunity that is settled (accepted, rejected, …) is
/// left out, as its next action was before tasks: it stays on that opportunity's page.
pub async fn due_between<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    (first, last): (&str, &str),
    limit: i64,
) -> Result<Vec<Task>, sqlx::Error> {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(due_between_sql);
    sqlx::query_as(&SQL).bind(user_id).bind(first).bind(last).bind(limit).fetch_all(ex).await
}

/// [`due_between`]'s SQL (public for the tests to EXPLAIN): `$1` the owner, `$2` and `$3` the
/// first and last day, `$4` how many.
pub fn due_between_sql() -> String {
    let condition = format!(
        "t.done = 0 AND t.due_on >= $2 AND t.due_on <= $3 AND (t.opportunity_id IS NULL OR o.status IN ({}))",
        crate::db::dashboard::open_statuses()
    );
    tasks_where(&condition, "t.due_on, t.created_at, t.id LIMIT $4")
}

/// The most tasks an opportunity's page lists.
pub const SHOWN_PER_OPPORTUNITY: i64 = 50;

/// One opportunity's tasks: the open ones by day (those without one last), then those done,
/// the most recently done first.
pub async fn of_opportunity<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    opportunity_id: &str,
) -> Result<Vec<Task>, sqlx::Error> {
    sqlx::query_as(&tasks_where(
        "t.opportunity_id = $2",
        "t.done, CASE WHEN t.done = 0 THEN COALESCE(t.due_on, '9999-12-31') ELSE '' END, t.done_at DESC, \
         t.created_at, t.id LIMIT $3",
    ))
    .bind(user_id)
    .bind(opportunity_id)
    .bind(SHOWN_PER_OPPORTUNITY)
    .fetch_all(ex)
    .await
}

/// The ids of every task of one opportunity (to index them again when it is renamed).
pub async fn ids_of_opportunity<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    opportunity_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM tasks WHERE user_id = $1 AND opportunity_id = $2")
        .bind(user_id)
        .bind(opportunity_id)
        .fetch_all(ex)
        .await
}

/// How many of one opportunity's tasks are open.
pub async fn open_count<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    opportunity_id: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM tasks WHERE user_id = $1 AND opportunity_id = $2 AND done = 0")
        .bind(user_id)
        .bind(opportunity_id)
        .fetch_one(ex)
        .await
}
