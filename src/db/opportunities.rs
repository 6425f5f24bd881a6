//! Opportunities and their activity timeline.

use serde::Serialize;
use sqlx::{Any, AnyConnection, Executor, FromRow};
use utoipa::ToSchema;

use crate::clock::Timestamp;
use crate::db::labels::LabelChip;
use crate::db::lists::{write, Direction, Query, SortColumn, Sorts, Table};
use crate::db::new_id;
use crate::domain::fields::human_date;
use crate::domain::interviews::InterviewOutcome;
use crate::domain::opportunities::{EventKind, OpportunityInput, OpportunityStatus, WorkMode};
use crate::domain::records::RecordKind;
use crate::domain::UserId;

/// An opportunity's next action and its day, as columns of a query over `opportunities t`: its
/// first open task (soonest due, those without a day last, then the oldest; as
/// `db::tasks::first_open` finds it). Each is one seek into the `tasks_opportunity` index.
macro_rules! next_action_columns {
    () => {
        "COALESCE((SELECT n.title FROM tasks n WHERE n.opportunity_id = t.id AND n.user_id = t.user_id AND n.done = 0 \
         ORDER BY COALESCE(n.due_on, '9999-12-31'), n.created_at, n.id LIMIT 1), '') AS next_action, \
         (SELECT n.due_on FROM tasks n WHERE n.opportunity_id = t.id AND n.user_id = t.user_id AND n.done = 0 \
         ORDER BY COALESCE(n.due_on, '9999-12-31'), n.created_at, n.id LIMIT 1) AS next_action_due"
    };
}
pub(crate) use next_action_columns;

pub const OPPORTUNITIES: Table = Table {
    kind: RecordKind::Opportunity,
    name: "opportunities",
    columns: concat!(
        "t.id, t.company, t.role, t.description, t.posting_url, t.location, t.work_mode, t.salary_min, \
         t.salary_max, t.currency, t.source, t.status, t.applied_on, ",
        next_action_columns!(),
        ", t.created_at, t.updated_at"
    ),
    order_by: "t.updated_at DESC, t.id DESC",
    has_status: true,
    has_done: false,
    parent: None,
    joins: "",
    sorts: Some(&OPPORTUNITY_SORTS),
};

/// The opportunities table's sortable columns. Company ignores case (both databases lower-case
/// ASCII alike); status follows the pipeline, not the alphabet; dates and money start with the
/// newest and the highest. A user has hundreds of opportunities at most, all found through
/// `user_id`, so no sort needs an index of its own.
/// Without a sort asked for, the most recently changed come first (the table's `order_by`).
pub const OPPORTUNITY_SORTS: Sorts = Sorts {
    columns: &[
        SortColumn { key: "company", sql: "LOWER(t.company)", first: Direction::Ascending },
        SortColumn { key: "status", sql: STATUS_ORDER, first: Direction::Ascending },
        SortColumn { key: "applied", sql: "t.applied_on", first: Direction::Descending },
        SortColumn { key: "salary", sql: "COALESCE(t.salary_max, t.salary_min)", first: Direction::Descending },
        SortColumn { key: "updated", sql: "t.updated_at", first: Direction::Descending },
    ],
    default: 4,
};

/// The statuses in the order of `OpportunityStatus::ALL` (the pipeline, then the endings).
const STATUS_ORDER: &str = "CASE t.status WHEN 'saved' THEN 0 WHEN 'applied' THEN 1 WHEN 'screening' THEN 2 \
                            WHEN 'interviewing' THEN 3 WHEN 'offer' THEN 4 WHEN 'accepted' THEN 5 \
                            WHEN 'rejected' THEN 6 WHEN 'withdrawn' THEN 7 WHEN 'ghosted' THEN 8 END";

/// A job one might take, and where it stands.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Opportunity {
    #[schema(format = Uuid)]
    pub id: String,
    pub company: String,
    pub role: String,
    /// The job description.
    pub description: String,
    #[schema(format = "uri")]
    pub posting_url: Option<String>,
    pub location: String,
    /// `remote`, `hybrid`, `onsite`, or empty.
    #[schema(schema_with = crate::domain::schema::work_mode)]
    pub work_mode: String,
    pub salary_min: Option<i64>,
    pub salary_max: Option<i64>,
    #[schema(pattern = r"^([A-Z]{3})?$")]
    pub currency: String,
    pub source: String,
    #[sqlx(try_from = "String")]
    #[schema(schema_with = crate::domain::schema::status)]
    pub status: OpportunityStatus,
    #[schema(schema_with = crate::domain::schema::day_or_null)]
    pub applied_on: Option<String>,
    /// Its first open task (soonest due first), or empty: what to do next. Writing it sets that
    /// task's title (or adds the task when there is none); empty changes nothing. The task
    /// itself is in `/api/v1/tasks`.
    pub next_action: String,
    /// The day that task is due.
    #[schema(schema_with = crate::domain::schema::day_or_null)]
    pub next_action_due: Option<String>,
    #[sqlx(skip)]
    pub labels: Vec<LabelChip>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Opportunity {
    pub fn status_name(&self) -> &'static str {
        self.status.label()
    }
    pub fn work_mode_name(&self) -> &'static str {
        WorkMode::parse(&self.work_mode).map(WorkMode::label).unwrap_or_default()
    }
    pub fn salary(&self) -> String {
        let money = |n: i64| {
            let digits = n.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(c);
            }
            out
        };
        match (self.salary_min, self.salary_max) {
            (Some(a), Some(b)) if a == b => format!("{} {}", money(a), self.currency),
            (Some(a), Some(b)) => format!("{}–{} {}", money(a), money(b), self.currency),
            (Some(a), None) => format!("from {} {}", money(a), self.currency),
            (None, Some(b)) => format!("up to {} {}", money(b), self.currency),
            (None, None) => String::new(),
        }
    }
    pub fn due(&self) -> String {
        self.next_action_due.as_deref().map(human_date).unwrap_or_default()
    }
    /// The start of a long description (about 60 words), for pages that fold the rest away;
    /// `None` when it is short enough to show whole.
    pub fn description_preview(&self) -> Option<String> {
        const SHOWN: usize = 400;
        if self.description.chars().count() <= SHOWN + 200 {
            return None;
        }
        let start: String = self.description.chars().take(SHOWN).collect();
        let cut = start.rfind(char::is_whitespace).unwrap_or(start.len());
        Some(format!("{}…", start[..cut].trim_end()))
    }

    /// Whether its next action is due on `day` (`YYYY-MM-DD`).
    pub fn is_due_on(&self, day: &str) -> bool {
        self.next_action_due.as_deref() == Some(day)
    }
    /// Whether its next action was due before `today` (`YYYY-MM-DD`).
    pub fn is_overdue(&self, today: &str) -> bool {
        self.next_action_due.as_deref().is_some_and(|due| due < today)
    }
    /// The day it last changed, as the list shows it.
    pub fn updated(&self) -> String {
        human_date(&self.updated_at.iso_date())
    }
    pub fn applied(&self) -> String {
        self.applied_on.as_deref().map(human_date).unwrap_or_default()
    }
}

/// One line of an opportunity's timeline.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Event {
    #[schema(format = Uuid)]
    pub id: String,
    /// `created`, `status_changed`, `interview_scheduled`, `interview_moved`, `debrief_added`,
    /// `interview_outcome`, `action_done`, `resume_sent` (its body is the version's name), or a
    /// manual entry: `email`, `call`, `follow_up`, `note`.
    #[sqlx(try_from = "String")]
    #[schema(schema_with = event_kind_schema)]
    pub kind: EventKind,
    #[schema(schema_with = crate::domain::schema::event_status)]
    pub from_status: Option<String>,
    #[schema(schema_with = crate::domain::schema::event_status)]
    pub to_status: Option<String>,
    pub body: String,
    /// The interview it is about, for interview events.
    #[schema(format = Uuid)]
    pub interview_id: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: Timestamp,
}

/// An event's kind in the OpenAPI document.
fn event_kind_schema() -> utoipa::openapi::schema::Object {
    let kinds = EventKind::ALL.iter().map(|kind| kind.as_str());
    crate::domain::schema::choice(kinds, false, false, "What happened: an event of its own, or a manual entry.")
}

impl Event {
    pub fn describe(&self) -> String {
        // A status no longer known reads "Unknown"; a missing one, where there must be one, too.
        let status = |stored: Option<&str>| {
            stored
                .and_then(|s| OpportunityStatus::try_from(s.to_owned()).ok())
                .map_or("Unknown", OpportunityStatus::label)
        };
        match self.kind {
            EventKind::Created => format!("Added as {}", status(Some(self.to_status.as_deref().unwrap_or("saved")))),
            EventKind::StatusChanged => {
                format!("{} → {}", status(self.from_status.as_deref()), status(self.to_status.as_deref()))
            }
            // The body is the version's name, as it was when sent.
            EventKind::ResumeSent => format!("Resume “{}” sent", self.body),
            kind => kind.label().to_owned(),
        }
    }
    /// Whether the body is shown under the headline (a resume sent has its name in it already).
    pub fn shows_body(&self) -> bool {
        !self.body.is_empty() && self.kind != EventKind::ResumeSent
    }
    pub fn when(&self) -> String {
        self.occurred_at.human()
    }
}

pub(crate) fn fields<'q>(query: Query<'q>, input: &'q OpportunityInput) -> Query<'q> {
    query
        .bind(&input.company)
        .bind(&input.role)
        .bind(&input.description)
        .bind(input.posting_url.as_deref())
        .bind(&input.location)
        .bind(input.work_mode.map(WorkMode::as_str).unwrap_or_default())
        .bind(input.salary_min)
        .bind(input.salary_max)
        .bind(&input.currency)
        .bind(&input.source)
        .bind(input.status.as_str())
        .bind(input.applied_on.map(|d| d.to_string()))
}

/// What a timeline event is about, beyond its kind and text.
#[derive(Debug, Clone, Copy)]
pub enum EventAbout<'a> {
    /// A manual entry.
    Nothing,
    /// A status it came from (none when it was added) and the status it went to.
    Status(Option<&'a str>, OpportunityStatus),
    /// One of the opportunity's interviews.
    Interview(&'a str),
}

pub async fn record_event(
    conn: &mut AnyConnection,
    user_id: &UserId,
    opportunity_id: &str,
    kind: EventKind,
    about: EventAbout<'_>,
    body: &str,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    let (from, to, interview) = match about {
        EventAbout::Nothing => (None, None, None),
        EventAbout::Status(from, to) => (from, Some(to.as_str()), None),
        EventAbout::Interview(id) => (None, None, Some(id)),
    };
    sqlx::query(
        "INSERT INTO opportunity_events (id, user_id, opportunity_id, kind, from_status, to_status, interview_id,
                 body, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(user_id)
    .bind(opportunity_id)
    .bind(kind.as_str())
    .bind(from)
    .bind(to)
    .bind(interview)
    .bind(body)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &OpportunityInput,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    write(
        &mut *conn,
        "INSERT INTO opportunities (user_id, id, company, role, description, posting_url, location, work_mode,
                 salary_min, salary_max, currency, source, status, applied_on, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
        user_id,
        id,
        |q| fields(q, input),
        now,
    )
    .await?;
    record_event(&mut *conn, user_id, id, EventKind::Created, EventAbout::Status(None, input.status), "", now).await?;
    set_next_action(&mut *conn, user_id, id, input, now).await?;
    raise_stage(conn, user_id, id, input).await
}

/// Write what a form or an API body gave as the next action onto the opportunity's tasks: it
/// becomes the first open task's title and day, or a new task when none is open. An empty one
/// changes nothing (a task is finished or dropped as a task).
async fn set_next_action(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &OpportunityInput,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    if input.next_action.is_empty() {
        return Ok(());
    }
    let due = input.next_action_due.map(|day| day.to_string());
    match crate::db::tasks::first_open(&mut *conn, user_id, id).await? {
        Some((_, title, day)) if title == input.next_action && day == due => Ok(()),
        Some((task_id, _, _)) => {
            sqlx::query("UPDATE tasks SET title = $3, due_on = $4, updated_at = $5 WHERE user_id = $1 AND id = $2")
                .bind(user_id)
                .bind(task_id)
                .bind(&input.next_action)
                .bind(due)
                .bind(now)
                .execute(&mut *conn)
                .await
                .map(|_| ())
        }
        None => sqlx::query(
            "INSERT INTO tasks (id, user_id, opportunity_id, title, due_on, done, notes, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 0, '', $6, $6)",
        )
        .bind(new_id())
        .bind(user_id)
        .bind(id)
        .bind(&input.next_action)
        .bind(due)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|_| ()),
    }
}

/// Remember the furthest stage an opportunity reached, for the funnel: its status's, or at
/// least "applied" when it has an "applied on" date (one entered straight as rejected,
/// withdrawn or ghosted was still applied for).
async fn raise_stage(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &OpportunityInput,
) -> Result<(), sqlx::Error> {
    let applied = i64::from(input.applied_on.is_some());
    sqlx::query("UPDATE opportunities SET reached_stage = $3 WHERE user_id = $1 AND id = $2 AND reached_stage < $3")
        .bind(user_id)
        .bind(id)
        .bind(input.status.stage().max(applied))
        .execute(conn)
        .await?;
    Ok(())
}

/// Keep an opportunity's `first_interview_at` (its earliest interview not cancelled, leaving out
/// `except`, an interview about to be deleted) true after its interviews change.
pub async fn refresh_first_interview(
    conn: &mut AnyConnection,
    user_id: &UserId,
    opportunity_id: &str,
    except: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE opportunities SET first_interview_at = (
             SELECT MIN(i.starts_at) FROM interviews i
             WHERE i.user_id = $1 AND i.opportunity_id = $2 AND i.outcome <> $4 AND i.id <> $3)
         WHERE user_id = $1 AND id = $2",
    )
    .bind(user_id)
    .bind(opportunity_id)
    .bind(except.unwrap_or_default())
    .bind(InterviewOutcome::Cancelled.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// Save changes; a change of status goes on the timeline.
pub async fn update(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &OpportunityInput,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let before: Option<String> = sqlx::query_scalar("SELECT status FROM opportunities WHERE user_id = $1 AND id = $2")
        .bind(user_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(before) = before else { return Ok(false) };
    let changed = write(
        &mut *conn,
        "UPDATE opportunities SET company = $3, role = $4, description = $5, posting_url = $6, location = $7,
                 work_mode = $8, salary_min = $9, salary_max = $10, currency = $11, source = $12, status = $13,
                 applied_on = $14, updated_at = $15
             WHERE user_id = $1 AND id = $2",
        user_id,
        id,
        |q| fields(q, input),
        now,
    )
    .await?;
    // Deleted between the two statements (another transaction, on PostgreSQL).
    if changed != 1 {
        return Ok(false);
    }
    if before != input.status.as_str() {
        let change = EventAbout::Status(Some(&before), input.status);
        record_event(&mut *conn, user_id, id, EventKind::StatusChanged, change, "", now).await?;
    }
    set_next_action(&mut *conn, user_id, id, input, now).await?;
    raise_stage(conn, user_id, id, input).await?;
    Ok(true)
}

/// Move an opportunity that is in `from` to `to`, as a use case decided (an offer recorded):
/// the change goes on its timeline and the funnel's furthest stage follows. False when it was
/// no longer in `from` (or is not the user's).
pub async fn move_status(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    from: OpportunityStatus,
    to: OpportunityStatus,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let moved = sqlx::query(
        "UPDATE opportunities SET status = $3, updated_at = $4 WHERE user_id = $1 AND id = $2 AND status = $5",
    )
    .bind(user_id)
    .bind(id)
    .bind(to.as_str())
    .bind(now)
    .bind(from.as_str())
    .execute(&mut *conn)
    .await?;
    if moved.rows_affected() != 1 {
        return Ok(false);
    }
    let change = EventAbout::Status(Some(from.as_str()), to);
    record_event(&mut *conn, user_id, id, EventKind::StatusChanged, change, "", now).await?;
    sqlx::query("UPDATE opportunities SET reached_stage = $3 WHERE user_id = $1 AND id = $2 AND reached_stage < $3")
        .bind(user_id)
        .bind(id)
        .bind(to.stage())
        .execute(conn)
        .await?;
    Ok(true)
}

/// Hold one of the user's opportunities until the transaction ends, so that what is counted
/// against it (its resume versions, sends, documents) stays counted: on PostgreSQL a row lock
/// that other holders wait for (two requests adding the 50th would both count 49 otherwise);
/// SQLite's write transactions already run one at a time. False when it is not there (or not the user's).
pub async fn hold(conn: &mut AnyConnection, user_id: &UserId, id: &str) -> Result<bool, sqlx::Error> {
    let sql = match crate::db::kind_of(conn) {
        // NO KEY: rows that only refer to it (its tasks, events, interviews) are still written.
        crate::db::DbKind::Postgres => "SELECT id FROM opportunities WHERE user_id = $1 AND id = $2 FOR NO KEY UPDATE",
        crate::db::DbKind::Sqlite => "SELECT id FROM opportunities WHERE user_id = $1 AND id = $2",
    };
    let found: Option<String> = sqlx::query_scalar(sql).bind(user_id).bind(id).fetch_optional(conn).await?;
    Ok(found.is_some())
}

/// The opportunity's timeline, newest first.
pub async fn timeline<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    opportunity_id: &str,
) -> Result<Vec<Event>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, from_status, to_status, body, interview_id, occurred_at FROM opportunity_events
         WHERE user_id = $1 AND opportunity_id = $2 ORDER BY occurred_at DESC, id DESC LIMIT 500",
    )
    .bind(user_id)
    .bind(opportunity_id)
    .fetch_all(ex)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_sort_knows_every_status_in_pipeline_order() {
        for (position, status) in OpportunityStatus::ALL.iter().enumerate() {
            assert!(STATUS_ORDER.contains(&format!("WHEN '{}' THEN {position} ", status.as_str())), "{status:?}");
        }
    }
}
