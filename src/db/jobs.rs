//! Opportunities and their activity timeline. Every change of status is recorded with its time.

use serde::Serialize;
use sqlx::{Any, AnyConnection, Executor, FromRow};
use utoipa::ToSchema;

use crate::clock::Timestamp;
use crate::db::career::{write, Query, Table};
use crate::db::labels::LabelChip;
use crate::db::new_id;
use crate::domain::career::RecordKind;
use crate::domain::fields::human_date;
use crate::domain::jobs::{
    interview_kind_name, status_name, work_mode_name, InterviewInput, NoteInput, OpportunityInput,
};

pub const OPPORTUNITIES: Table = Table {
    kind: RecordKind::Opportunity,
    name: "opportunities",
    columns: "t.id, t.company, t.role, t.description, t.posting_url, t.location, t.work_mode, t.salary_min, \
              t.salary_max, t.currency, t.source, t.status, t.applied_on, t.next_action, t.next_action_due, \
              t.created_at, t.updated_at",
    order_by: "t.updated_at DESC, t.id DESC",
    has_status: true,
    parent: None,
    joins: "",
};

/// A job one might take, and where it stands.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Opportunity {
    pub id: String,
    pub company: String,
    pub role: String,
    /// The job description.
    pub description: String,
    pub posting_url: Option<String>,
    pub location: String,
    /// `remote`, `hybrid`, `onsite`, or empty.
    pub work_mode: String,
    pub salary_min: Option<i64>,
    pub salary_max: Option<i64>,
    pub currency: String,
    pub source: String,
    pub status: String,
    pub applied_on: Option<String>,
    pub next_action: String,
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
        status_name(&self.status)
    }
    pub fn work_mode_name(&self) -> &'static str {
        work_mode_name(&self.work_mode)
    }
    pub fn salary(&self) -> String {
        let money = |n: i64| {
            let digits = n.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 {
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
    /// Whether its next action was due before `today` (`YYYY-MM-DD`).
    pub fn is_overdue(&self, today: &str) -> bool {
        self.next_action_due.as_deref().is_some_and(|due| due < today)
    }
    pub fn applied(&self) -> String {
        self.applied_on.as_deref().map(human_date).unwrap_or_default()
    }
}

/// One line of an opportunity's timeline.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Event {
    pub id: String,
    /// `created`, `status_changed`, `interview_scheduled`, `interview_moved`, `debrief_added`,
    /// `interview_outcome`, or a manual entry: `email`, `call`, `follow_up`, `note`.
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub body: String,
    /// The interview it is about, for interview events.
    pub interview_id: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: Timestamp,
}

pub const MANUAL_EVENTS: [(&str, &str); 4] =
    [("email", "Email"), ("call", "Call"), ("follow_up", "Follow-up"), ("note", "Note")];

impl Event {
    pub fn describe(&self) -> String {
        match self.kind.as_str() {
            "created" => format!("Added as {}", status_name(self.to_status.as_deref().unwrap_or("saved"))),
            "status_changed" => format!(
                "{} → {}",
                status_name(self.from_status.as_deref().unwrap_or_default()),
                status_name(self.to_status.as_deref().unwrap_or_default())
            ),
            "interview_scheduled" => "Interview scheduled".to_owned(),
            "interview_moved" => "Interview moved".to_owned(),
            "debrief_added" => "Debrief added".to_owned(),
            "interview_outcome" => "Interview outcome".to_owned(),
            kind => {
                MANUAL_EVENTS.iter().find(|(k, _)| *k == kind).map(|(_, name)| (*name).to_owned()).unwrap_or_default()
            }
        }
    }
    pub fn when(&self) -> String {
        self.occurred_at.human()
    }
}

fn fields<'q>(query: Query<'q>, input: &'q OpportunityInput) -> Query<'q> {
    query
        .bind(&input.company)
        .bind(&input.role)
        .bind(&input.description)
        .bind(input.posting_url.as_deref())
        .bind(&input.location)
        .bind(&input.work_mode)
        .bind(input.salary_min)
        .bind(input.salary_max)
        .bind(&input.currency)
        .bind(&input.source)
        .bind(&input.status)
        .bind(input.applied_on.map(|d| d.to_string()))
        .bind(&input.next_action)
        .bind(input.next_action_due.map(|d| d.to_string()))
}

/// What a timeline event is about, beyond its kind and text.
#[derive(Debug, Clone, Copy)]
pub enum EventAbout<'a> {
    /// A manual entry.
    Nothing,
    /// A status it came from (none when it was added) and the status it went to.
    Status(Option<&'a str>, &'a str),
    /// One of the opportunity's interviews.
    Interview(&'a str),
}

pub async fn record_event(
    conn: &mut AnyConnection,
    user_id: &str,
    opportunity_id: &str,
    kind: &str,
    about: EventAbout<'_>,
    body: &str,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    let (from, to, interview) = match about {
        EventAbout::Nothing => (None, None, None),
        EventAbout::Status(from, to) => (from, Some(to), None),
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
    .bind(kind)
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
    user_id: &str,
    id: &str,
    input: &OpportunityInput,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    write(
        &mut *conn,
        "INSERT INTO opportunities (user_id, id, company, role, description, posting_url, location, work_mode,
                 salary_min, salary_max, currency, source, status, applied_on, next_action, next_action_due,
                 created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)",
        user_id,
        id,
        |q| fields(q, input),
        now,
    )
    .await?;
    record_event(&mut *conn, user_id, id, "created", EventAbout::Status(None, &input.status), "", now).await?;
    raise_stage(conn, user_id, id, &input.status).await
}

/// Remember the furthest stage an opportunity's status reached, for the funnel.
async fn raise_stage(conn: &mut AnyConnection, user_id: &str, id: &str, status: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE opportunities SET reached_stage = $3 WHERE user_id = $1 AND id = $2 AND reached_stage < $3")
        .bind(user_id)
        .bind(id)
        .bind(crate::domain::jobs::stage_of(status))
        .execute(conn)
        .await?;
    Ok(())
}

/// Keep an opportunity's `first_interview_at` (its earliest interview not cancelled, leaving out
/// `except`, an interview about to be deleted) true after its interviews change.
pub async fn refresh_first_interview(
    conn: &mut AnyConnection,
    user_id: &str,
    opportunity_id: &str,
    except: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE opportunities SET first_interview_at = (
             SELECT MIN(i.starts_at) FROM interviews i
             WHERE i.user_id = $1 AND i.opportunity_id = $2 AND i.outcome <> 'cancelled' AND i.id <> $3)
         WHERE user_id = $1 AND id = $2",
    )
    .bind(user_id)
    .bind(opportunity_id)
    .bind(except.unwrap_or_default())
    .execute(conn)
    .await?;
    Ok(())
}

/// Save changes; a change of status goes on the timeline.
pub async fn update(
    conn: &mut AnyConnection,
    user_id: &str,
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
                 applied_on = $14, next_action = $15, next_action_due = $16, updated_at = $17
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
    if before != input.status {
        let change = EventAbout::Status(Some(&before), &input.status);
        record_event(&mut *conn, user_id, id, "status_changed", change, "", now).await?;
        raise_stage(conn, user_id, id, &input.status).await?;
    }
    Ok(true)
}

/// The opportunity's timeline, newest first.
pub async fn timeline<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &str,
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

// ---- contacts ----

pub const CONTACTS: Table = Table {
    kind: RecordKind::Contact,
    name: "contacts",
    columns: "t.id, t.name, t.company, t.role, t.email, t.phone, t.links, t.how_we_met, t.notes, t.created_at, \
              t.updated_at",
    order_by: "t.name, t.id",
    has_status: false,
    parent: None,
    joins: "",
};

/// Someone met along the way.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Contact {
    pub id: String,
    pub name: String,
    pub company: String,
    pub role: String,
    pub email: String,
    pub phone: String,
    #[sqlx(try_from = "String")]
    #[schema(value_type = Vec<String>)]
    pub links: crate::db::TextList,
    pub how_we_met: String,
    pub notes: String,
    #[sqlx(skip)]
    pub labels: Vec<LabelChip>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

fn contact_fields<'q>(query: Query<'q>, input: &'q crate::domain::jobs::ContactInput) -> Query<'q> {
    query
        .bind(&input.name)
        .bind(&input.company)
        .bind(&input.role)
        .bind(&input.email)
        .bind(&input.phone)
        .bind(crate::db::TextList::to_json(&input.links))
        .bind(&input.how_we_met)
        .bind(&input.notes)
}

pub async fn insert_contact(
    conn: &mut AnyConnection,
    user_id: &str,
    id: &str,
    input: &crate::domain::jobs::ContactInput,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    write(
        conn,
        "INSERT INTO contacts (user_id, id, name, company, role, email, phone, links, how_we_met, notes,
                 created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
        user_id,
        id,
        |q| contact_fields(q, input),
        now,
    )
    .await?;
    Ok(())
}

pub async fn update_contact(
    conn: &mut AnyConnection,
    user_id: &str,
    id: &str,
    input: &crate::domain::jobs::ContactInput,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let changed = write(
        conn,
        "UPDATE contacts SET name = $3, company = $4, role = $5, email = $6, phone = $7, links = $8,
                 how_we_met = $9, notes = $10, updated_at = $11
             WHERE user_id = $1 AND id = $2",
        user_id,
        id,
        |q| contact_fields(q, input),
        now,
    )
    .await?;
    Ok(changed == 1)
}

/// What a contact can be connected to, and the table that connects them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkedTo {
    Opportunity,
    /// As one of its interviewers.
    Interview,
}

impl LinkedTo {
    fn table_and_column(self) -> (&'static str, &'static str) {
        match self {
            LinkedTo::Opportunity => ("opportunity_contacts", "opportunity_id"),
            LinkedTo::Interview => ("interview_contacts", "interview_id"),
        }
    }
}

/// Connect a contact with an opportunity or interview (both the user's own; checked by the caller).
pub async fn link_contact(
    conn: &mut AnyConnection,
    user_id: &str,
    to: LinkedTo,
    record_id: &str,
    contact_id: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let (table, column) = to.table_and_column();
    sqlx::query(&format!(
        "INSERT INTO {table} ({column}, contact_id, user_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"
    ))
    .bind(record_id)
    .bind(contact_id)
    .bind(user_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn unlink_contact<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &str,
    to: LinkedTo,
    record_id: &str,
    contact_id: &str,
) -> Result<bool, sqlx::Error> {
    let (table, column) = to.table_and_column();
    let done = sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1 AND {column} = $2 AND contact_id = $3"))
        .bind(user_id)
        .bind(record_id)
        .bind(contact_id)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// `(id, name, company)` of the contacts connected to an opportunity.
pub async fn contacts_of<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &str,
    opportunity_id: &str,
) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.id, c.name, c.company FROM opportunity_contacts oc JOIN contacts c ON c.id = oc.contact_id
         WHERE oc.user_id = $1 AND oc.opportunity_id = $2 AND c.user_id = $1 ORDER BY c.name LIMIT 200",
    )
    .bind(user_id)
    .bind(opportunity_id)
    .fetch_all(ex)
    .await
}

/// `(id, role, company, status)` of the opportunities a contact is connected to.
pub async fn opportunities_of<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &str,
    contact_id: &str,
) -> Result<Vec<(String, String, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.id, o.role, o.company, o.status FROM opportunity_contacts oc JOIN opportunities o ON o.id = oc.opportunity_id
         WHERE oc.user_id = $1 AND oc.contact_id = $2 AND o.user_id = $1 ORDER BY o.updated_at DESC LIMIT 200",
    )
    .bind(user_id)
    .bind(contact_id)
    .fetch_all(ex)
    .await
}

// ---- interviews ----

pub const INTERVIEWS: Table = Table {
    kind: RecordKind::Interview,
    name: "interviews",
    columns: "t.id, t.opportunity_id, o.company AS company, o.role AS role, t.round_name, t.kind, t.starts_at, \
              t.local_start, t.time_zone, t.duration_minutes, t.location, t.meeting_url, t.prep_notes, \
              t.debrief_summary, t.debrief_questions, t.debrief_improve, t.outcome, t.created_at, t.updated_at",
    order_by: "t.starts_at DESC, t.id DESC",
    has_status: false,
    parent: Some(("opportunity", "opportunity_id")),
    // Every list and lookup names the interview's opportunity (the owner's own, as every
    // write checks; said again here so no join could ever reach another user's).
    joins: "JOIN opportunities o ON o.id = t.opportunity_id AND o.user_id = t.user_id",
};

/// The user's (`$1`) interviews that meet `condition`, in `order` (and its limit).
fn interviews_where(condition: &str, order: &str) -> String {
    format!(
        "SELECT {} FROM interviews t {} WHERE t.user_id = $1 AND {condition} ORDER BY {order}",
        INTERVIEWS.columns, INTERVIEWS.joins
    )
}

/// One round of interviews for an opportunity.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Interview {
    pub id: String,
    pub opportunity_id: String,
    /// The opportunity's company.
    pub company: String,
    /// The opportunity's role.
    pub role: String,
    pub round_name: String,
    /// phone_screen, technical, behavioural, system_design, panel, onsite, other.
    pub kind: String,
    /// The instant it starts.
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: Timestamp,
    /// The wall-clock start in `time_zone`, `YYYY-MM-DDTHH:MM`.
    pub local_start: String,
    pub time_zone: String,
    pub duration_minutes: i64,
    pub location: String,
    pub meeting_url: Option<String>,
    pub prep_notes: String,
    pub debrief_summary: String,
    pub debrief_questions: String,
    pub debrief_improve: String,
    /// pending, passed, not_passed, cancelled.
    pub outcome: String,
    /// The contacts who interview.
    #[sqlx(skip)]
    pub interviewers: Vec<ContactRef>,
    #[sqlx(skip)]
    pub labels: Vec<LabelChip>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

/// A contact as other records name it.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct ContactRef {
    pub id: String,
    pub name: String,
    pub company: String,
}

impl Interview {
    pub fn kind_name(&self) -> &'static str {
        crate::domain::jobs::interview_kind_name(&self.kind)
    }
    pub fn outcome_name(&self) -> &'static str {
        crate::domain::jobs::outcome_name(&self.outcome)
    }
    /// "Tue 1 Dec 2026, 14:00" in the interview's own time zone.
    pub fn when(&self) -> String {
        human_local(&self.local_start)
    }
    pub fn length(&self) -> String {
        match (self.duration_minutes / 60, self.duration_minutes % 60) {
            (0, m) => format!("{m} min"),
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m} min"),
        }
    }
    pub fn has_debrief(&self) -> bool {
        !(self.debrief_summary.is_empty() && self.debrief_questions.is_empty() && self.debrief_improve.is_empty())
    }
    pub fn ends_at(&self) -> Timestamp {
        Timestamp(self.starts_at.0 + self.duration_minutes * 60_000)
    }
}

/// A stored wall-clock start (`YYYY-MM-DDTHH:MM`) as people read it: "Tue 1 Dec 2026, 14:00".
fn human_local(local: &str) -> String {
    local
        .parse::<jiff::civil::DateTime>()
        .map(|dt| dt.strftime("%a %-d %b %Y, %H:%M").to_string())
        .unwrap_or_else(|_| local.to_owned())
}

fn interview_fields<'q>(query: Query<'q>, input: &'q InterviewInput) -> Query<'q> {
    query
        .bind(&input.opportunity_id)
        .bind(&input.round_name)
        .bind(&input.kind)
        .bind(Timestamp(input.start.instant_millis))
        .bind(&input.start.local)
        .bind(&input.start.time_zone)
        .bind(input.duration_minutes)
        .bind(&input.location)
        .bind(input.meeting_url.as_deref())
        .bind(&input.prep_notes)
        .bind(&input.debrief_summary)
        .bind(&input.debrief_questions)
        .bind(&input.debrief_improve)
        .bind(&input.outcome)
}

fn scheduled_text(input: &InterviewInput) -> String {
    let when = human_local(&input.start.local);
    format!("{} ({}), {when} {}", input.round_name, interview_kind_name(&input.kind), input.start.time_zone)
}

async fn interview_event(
    conn: &mut AnyConnection,
    user_id: &str,
    interview_id: &str,
    input: &InterviewInput,
    kind: &str,
    body: &str,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    record_event(conn, user_id, &input.opportunity_id, kind, EventAbout::Interview(interview_id), body, at).await
}

/// Save a new interview; "interview scheduled" (and "debrief added", if it came with one) go
/// on its opportunity's timeline.
pub async fn insert_interview(
    conn: &mut AnyConnection,
    user_id: &str,
    id: &str,
    input: &InterviewInput,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    write(
        &mut *conn,
        "INSERT INTO interviews (user_id, id, opportunity_id, round_name, kind, starts_at, local_start, time_zone,
                 duration_minutes, location, meeting_url, prep_notes, debrief_summary, debrief_questions,
                 debrief_improve, outcome, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)",
        user_id,
        id,
        |q| interview_fields(q, input),
        now,
    )
    .await?;
    interview_event(conn, user_id, id, input, "interview_scheduled", &scheduled_text(input), now).await?;
    if input.has_debrief() {
        interview_event(conn, user_id, id, input, "debrief_added", &input.round_name, now).await?;
    }
    refresh_first_interview(conn, user_id, &input.opportunity_id, None).await
}

/// Save changes; a new time, a first debrief and a new outcome go on the timeline.
pub async fn update_interview(
    conn: &mut AnyConnection,
    user_id: &str,
    id: &str,
    input: &InterviewInput,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let before: Option<(i64, String, String, String, String)> = sqlx::query_as(
        "SELECT starts_at, debrief_summary || debrief_questions || debrief_improve, outcome, opportunity_id, time_zone
         FROM interviews WHERE user_id = $1 AND id = $2",
    )
    .bind(user_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((starts_at, debrief, outcome, opportunity_id, time_zone)) = before else { return Ok(false) };
    let changed = write(
        &mut *conn,
        "UPDATE interviews SET opportunity_id = $3, round_name = $4, kind = $5, starts_at = $6, local_start = $7,
                 time_zone = $8, duration_minutes = $9, location = $10, meeting_url = $11, prep_notes = $12,
                 debrief_summary = $13, debrief_questions = $14, debrief_improve = $15, outcome = $16,
                 updated_at = $17
             WHERE user_id = $1 AND id = $2",
        user_id,
        id,
        |q| interview_fields(q, input),
        now,
    )
    .await?;
    if changed != 1 {
        return Ok(false);
    }
    if opportunity_id != input.opportunity_id {
        interview_event(conn, user_id, id, input, "interview_scheduled", &scheduled_text(input), now).await?;
    } else if starts_at != input.start.instant_millis || time_zone != input.start.time_zone {
        interview_event(conn, user_id, id, input, "interview_moved", &scheduled_text(input), now).await?;
    }
    if debrief.is_empty() && input.has_debrief() {
        interview_event(conn, user_id, id, input, "debrief_added", &input.round_name, now).await?;
    }
    if outcome != input.outcome && input.outcome != "pending" {
        let body = format!("{}: {}", input.round_name, crate::domain::jobs::outcome_name(&input.outcome));
        interview_event(conn, user_id, id, input, "interview_outcome", &body, now).await?;
    }
    refresh_first_interview(&mut *conn, user_id, &input.opportunity_id, None).await?;
    if opportunity_id != input.opportunity_id {
        refresh_first_interview(conn, user_id, &opportunity_id, None).await?;
    }
    Ok(true)
}

/// The interviewers of each of `interview_ids`, in one query.
pub async fn interviewers_of<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &str,
    interview_ids: &[&str],
) -> Result<Vec<(String, ContactRef)>, sqlx::Error> {
    if interview_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..interview_ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT ic.interview_id, c.id, c.name, c.company FROM interview_contacts ic
         JOIN contacts c ON c.id = ic.contact_id
         WHERE ic.user_id = $1 AND c.user_id = $1 AND ic.interview_id IN ({}) ORDER BY c.name",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, (String, String, String, String)>(&sql).bind(user_id);
    for id in interview_ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(ex).await?;
    Ok(rows.into_iter().map(|(interview, id, name, company)| (interview, ContactRef { id, name, company })).collect())
}

/// `(id, round, company, when)` of the interviews a contact takes part in.
pub async fn interviews_with<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &str,
    contact_id: &str,
) -> Result<Vec<Interview>, sqlx::Error> {
    sqlx::query_as(&interviews_where(
        "EXISTS (SELECT 1 FROM interview_contacts ic WHERE ic.interview_id = t.id AND ic.user_id = $1
                 AND ic.contact_id = $2)",
        "t.starts_at DESC, t.id DESC LIMIT 200",
    ))
    .bind(user_id)
    .bind(contact_id)
    .fetch_all(ex)
    .await
}

/// An opportunity's interviews, soonest first.
pub async fn interviews_for<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &str,
    opportunity_id: &str,
) -> Result<Vec<Interview>, sqlx::Error> {
    sqlx::query_as(&interviews_where("t.opportunity_id = $2", "t.starts_at, t.id LIMIT 200"))
        .bind(user_id)
        .bind(opportunity_id)
        .fetch_all(ex)
        .await
}

/// Interviews starting in `[from, to)`, soonest first.
pub async fn interviews_between<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &str,
    from: Timestamp,
    to: Timestamp,
    limit: i64,
) -> Result<Vec<Interview>, sqlx::Error> {
    sqlx::query_as(&interviews_where("t.starts_at >= $2 AND t.starts_at < $3", "t.starts_at, t.id LIMIT $4"))
        .bind(user_id)
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(ex)
        .await
}

/// The time zone of the user's most recently added interview.
pub async fn latest_time_zone<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT time_zone FROM interviews WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1")
        .bind(user_id)
        .fetch_optional(ex)
        .await
}

/// Interviews not cancelled that have not ended by `now` and start before `until`, soonest
/// first: one in progress is still on the list.
pub async fn upcoming_interviews<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &str,
    now: Timestamp,
    until: Timestamp,
    limit: i64,
) -> Result<Vec<Interview>, sqlx::Error> {
    // No interview lasts more than a day, so one that started before then has ended.
    let earliest = Timestamp(now.0 - crate::domain::jobs::DURATION_MAX * 60_000);
    sqlx::query_as(&interviews_where(
        "t.starts_at >= $2 AND t.starts_at < $3 AND t.starts_at + t.duration_minutes * 60000 > $4
         AND t.outcome <> 'cancelled'",
        "t.starts_at, t.id LIMIT $5",
    ))
    .bind(user_id)
    .bind(earliest)
    .bind(until)
    .bind(now)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Notes and labels go with the record they are about; an opportunity takes its interviews'
/// with it (the interviews themselves go by cascade); an interview leaves its opportunity's
/// first interview up to date.
pub async fn forget_dependents(
    conn: &mut AnyConnection,
    user_id: &str,
    kind: RecordKind,
    id: &str,
) -> Result<(), sqlx::Error> {
    if kind == RecordKind::Interview {
        let opportunity: Option<String> =
            sqlx::query_scalar("SELECT opportunity_id FROM interviews WHERE user_id = $1 AND id = $2")
                .bind(user_id)
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        if let Some(opportunity) = opportunity {
            refresh_first_interview(&mut *conn, user_id, &opportunity, Some(id)).await?;
        }
    }
    if kind == RecordKind::Opportunity {
        // Its interviews go by cascade; their notes and labels are taken here, all at once.
        let of_its_interviews = "SELECT id FROM interviews WHERE user_id = $1 AND opportunity_id = $2";
        for sql in [
            format!("DELETE FROM notes WHERE user_id = $1 AND subject_id IN ({of_its_interviews})"),
            format!(
                "DELETE FROM record_labels WHERE user_id = $1 AND record_kind = '{}'
                 AND record_id IN ({of_its_interviews})",
                RecordKind::Interview.as_str()
            ),
        ] {
            sqlx::query(&sql).bind(user_id).bind(id).execute(&mut *conn).await?;
        }
    }
    sqlx::query("DELETE FROM notes WHERE user_id = $1 AND subject_id = $2")
        .bind(user_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

// ---- notes ----

pub const NOTES: Table = Table {
    kind: RecordKind::Note,
    name: "notes",
    columns: "t.id, t.subject_kind, t.subject_id, t.body, t.created_at, t.updated_at",
    order_by: "t.updated_at DESC, t.id DESC",
    has_status: false,
    parent: Some(("about", "subject_id")),
    joins: "",
};

/// A free note about an opportunity, a contact or an interview.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Note {
    pub id: String,
    /// `opportunity`, `contact` or `interview`.
    pub subject_kind: String,
    pub subject_id: String,
    pub body: String,
    #[sqlx(skip)]
    #[serde(skip)]
    #[schema(ignore)]
    pub labels: Vec<LabelChip>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Note {
    /// The page of the record it is about.
    pub fn subject_url(&self) -> String {
        let path = crate::domain::jobs::NOTE_SUBJECTS
            .iter()
            .find(|(kind, _)| *kind == self.subject_kind)
            .map(|(_, path)| *path)
            .unwrap_or("opportunities");
        format!("/{path}/{}", self.subject_id)
    }
    pub fn when(&self) -> String {
        self.updated_at.human()
    }
}

fn note_fields<'q>(query: Query<'q>, input: &'q NoteInput) -> Query<'q> {
    query.bind(input.subject_kind).bind(&input.subject_id).bind(&input.body)
}

/// The table of each kind a note can be about.
pub fn note_subject_table(kind: &str) -> &'static Table {
    match kind {
        "contact" => &CONTACTS,
        "interview" => &INTERVIEWS,
        _ => &OPPORTUNITIES,
    }
}

/// Save a new note, only while its subject is the user's: a subject deleted a moment ago
/// writes nothing and answers `RowNotFound`.
pub async fn insert_note(
    conn: &mut AnyConnection,
    user_id: &str,
    id: &str,
    input: &NoteInput,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO notes (user_id, id, subject_kind, subject_id, body, created_at, updated_at)
             SELECT $1, $2, $3, $4, $5, $6, $6
             WHERE EXISTS (SELECT 1 FROM {} WHERE user_id = $1 AND id = $4)",
        note_subject_table(input.subject_kind).name
    );
    match write(conn, &sql, user_id, id, |q| note_fields(q, input), now).await? {
        1 => Ok(()),
        _ => Err(sqlx::Error::RowNotFound),
    }
}

pub async fn update_note(
    conn: &mut AnyConnection,
    user_id: &str,
    id: &str,
    input: &NoteInput,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let subject = note_subject_table(input.subject_kind);
    if !crate::db::career::exists(&mut *conn, subject, user_id, &input.subject_id).await? {
        return Err(sqlx::Error::RowNotFound);
    }
    let changed = write(
        conn,
        "UPDATE notes SET subject_kind = $3, subject_id = $4, body = $5, updated_at = $6
             WHERE user_id = $1 AND id = $2",
        user_id,
        id,
        |q| note_fields(q, input),
        now,
    )
    .await?;
    Ok(changed == 1)
}

/// The newest notes about one record.
pub async fn notes_about<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &str,
    subject_id: &str,
) -> Result<Vec<Note>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {} FROM notes t WHERE t.user_id = $1 AND t.subject_id = $2 ORDER BY {} LIMIT 50",
        NOTES.columns, NOTES.order_by
    ))
    .bind(user_id)
    .bind(subject_id)
    .fetch_all(ex)
    .await
}

// ---- the dashboard ----

/// Statuses where the search goes on; the others are settled.
pub const OPEN_STATUSES: &str = "'saved', 'applied', 'screening', 'interviewing', 'offer'";

/// Open opportunities with a next action due from `from` to `to` (`YYYY-MM-DD`, both included;
/// an empty `from` has no lower bound), soonest first; by the `opportunities_due` index.
pub async fn due_actions<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &str,
    (from, to): (&str, &str),
    limit: i64,
) -> Result<Vec<Opportunity>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {} FROM opportunities t
         WHERE t.user_id = $1 AND t.next_action_due >= $2 AND t.next_action_due <= $3
           AND t.next_action <> '' AND t.status IN ({OPEN_STATUSES})
         ORDER BY t.next_action_due, t.id LIMIT $4",
        OPPORTUNITIES.columns
    ))
    .bind(user_id)
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// How many opportunities are in each status.
pub async fn status_counts<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &str,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT status, COUNT(*) FROM opportunities WHERE user_id = $1 GROUP BY status")
        .bind(user_id)
        .fetch_all(ex)
        .await
}

/// The most recently changed opportunities in one status.
pub async fn in_status<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &str,
    status: &str,
    limit: i64,
) -> Result<Vec<Opportunity>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {} FROM opportunities t WHERE t.user_id = $1 AND t.status = $2 ORDER BY {} LIMIT $3",
        OPPORTUNITIES.columns, OPPORTUNITIES.order_by
    ))
    .bind(user_id)
    .bind(status)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// How far each opportunity ever got, as `(stage, opportunities)`: 1 applied, 2 screened,
/// 3 interviewed, 4 offered (0: not applied yet). A stage is reached by having been in that
/// status or a later one, or (for interviewed) by an interview that took place by `now`.
pub async fn furthest_stages<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &str,
    now: Timestamp,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    // Both halves are kept on the opportunity as it changes (`reached_stage`,
    // `first_interview_at`), so this reads one index rather than the whole history.
    sqlx::query_as(
        "SELECT CASE WHEN reached_stage < 3 AND first_interview_at <= $2 THEN 3 ELSE reached_stage END AS reached,
                COUNT(*)
         FROM opportunities WHERE user_id = $1 GROUP BY 1",
    )
    .bind(user_id)
    .bind(now)
    .fetch_all(ex)
    .await
}
