//! Interviews: each belongs to an opportunity, starts at a wall-clock time in a named zone.

use serde::Serialize;
use sqlx::{Any, AnyConnection, Executor, FromRow};
use utoipa::ToSchema;

use crate::clock::Timestamp;
use crate::db::labels::LabelChip;
use crate::db::lists::{write, Query, Table};
use crate::db::search;
use crate::domain::interviews::{InterviewInput, InterviewKind, InterviewOutcome};
use crate::domain::opportunities::EventKind;
use crate::domain::records::RecordKind;
use crate::domain::UserId;

pub const INTERVIEWS: Table = Table {
    kind: RecordKind::Interview,
    name: "interviews",
    columns: "t.id, t.opportunity_id, o.company AS company, o.role AS role, t.round_name, t.kind, t.starts_at, \
              t.local_start, t.time_zone, t.duration_minutes, t.location, t.meeting_url, t.prep_notes, \
              t.debrief_summary, t.debrief_questions, t.debrief_improve, t.outcome, t.created_at, t.updated_at",
    order_by: "t.starts_at DESC, t.id DESC",
    has_status: false,
    has_done: false,
    parent: Some(("opportunity", "opportunity_id")),
    // Every list and lookup names the interview's opportunity (the owner's own, as every
    // write checks; said again here so no join could ever reach another user's).
    joins: "JOIN opportunities o ON o.id = t.opportunity_id AND o.user_id = t.user_id",
    sorts: None,
};
use crate::db::opportunities::{record_event, refresh_first_interview, EventAbout};

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
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub opportunity_id: String,
    /// The opportunity's company.
    pub company: String,
    /// The opportunity's role.
    pub role: String,
    pub round_name: String,
    #[sqlx(try_from = "String")]
    #[schema(schema_with = crate::domain::schema::interview_kind)]
    pub kind: InterviewKind,
    /// The instant it starts.
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: Timestamp,
    /// The wall-clock start in `time_zone`, `YYYY-MM-DDTHH:MM`.
    #[schema(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$")]
    pub local_start: String,
    pub time_zone: String,
    pub duration_minutes: i64,
    pub location: String,
    #[schema(format = "uri")]
    pub meeting_url: Option<String>,
    pub prep_notes: String,
    pub debrief_summary: String,
    pub debrief_questions: String,
    pub debrief_improve: String,
    #[sqlx(try_from = "String")]
    #[schema(schema_with = crate::domain::schema::outcome)]
    pub outcome: InterviewOutcome,
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
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub company: String,
}

impl Interview {
    pub fn kind_name(&self) -> &'static str {
        self.kind.label()
    }
    pub fn outcome_name(&self) -> &'static str {
        self.outcome.label()
    }
    /// When it starts for the reader, when their zone is not the interview's: "06:00", or with
    /// the day when that differs ("Wed 2 Dec, 06:00").
    pub fn your_time(&self) -> Option<String> {
        let mine = crate::clock::viewer_time_zone()?;
        if mine.iana_name() == Some(self.time_zone.as_str()) {
            return None;
        }
        let theirs = jiff::tz::TimeZone::get(&self.time_zone).ok()?;
        let instant = jiff::Timestamp::from_millisecond(self.starts_at.0).ok()?;
        let (at_mine, at_theirs) = (instant.to_zoned(mine), instant.to_zoned(theirs));
        if at_mine.offset() == at_theirs.offset() {
            return None;
        }
        let format = if at_mine.date() == at_theirs.date() { "%H:%M" } else { "%a %-d %b, %H:%M" };
        Some(at_mine.strftime(format).to_string())
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
        .bind(input.kind.as_str())
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
        .bind(input.outcome.as_str())
}

fn scheduled_text(input: &InterviewInput) -> String {
    let when = human_local(&input.start.local);
    format!("{} ({}), {when} {}", input.round_name, input.kind.label(), input.start.time_zone)
}

async fn interview_event(
    conn: &mut AnyConnection,
    user_id: &UserId,
    interview_id: &str,
    input: &InterviewInput,
    kind: EventKind,
    body: &str,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    record_event(conn, user_id, &input.opportunity_id, kind, EventAbout::Interview(interview_id), body, at).await
}

/// Save a new interview; "interview scheduled" (and "debrief added", if it came with one) go
/// on its opportunity's timeline.
pub async fn insert_interview(
    conn: &mut AnyConnection,
    user_id: &UserId,
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
    interview_event(conn, user_id, id, input, EventKind::InterviewScheduled, &scheduled_text(input), now).await?;
    if input.has_debrief() {
        interview_event(conn, user_id, id, input, EventKind::DebriefAdded, &input.round_name, now).await?;
    }
    refresh_first_interview(conn, user_id, &input.opportunity_id, None).await
}

/// Save changes; a new time, a first debrief and a new outcome go on the timeline.
pub async fn update_interview(
    conn: &mut AnyConnection,
    user_id: &UserId,
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
        interview_event(conn, user_id, id, input, EventKind::InterviewScheduled, &scheduled_text(input), now).await?;
    } else if starts_at != input.start.instant_millis || time_zone != input.start.time_zone {
        interview_event(conn, user_id, id, input, EventKind::InterviewMoved, &scheduled_text(input), now).await?;
    }
    if debrief.is_empty() && input.has_debrief() {
        interview_event(conn, user_id, id, input, EventKind::DebriefAdded, &input.round_name, now).await?;
    }
    if outcome != input.outcome.as_str() && input.outcome != InterviewOutcome::Pending {
        let body = format!("{}: {}", input.round_name, input.outcome.label());
        interview_event(conn, user_id, id, input, EventKind::InterviewOutcome, &body, now).await?;
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
    user_id: &UserId,
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
    user_id: &UserId,
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
    user_id: &UserId,
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
    user_id: &UserId,
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
    user_id: &UserId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT time_zone FROM interviews WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1")
        .bind(user_id)
        .fetch_optional(ex)
        .await
}

/// `$1` the owner, `$2` the earliest start, `$3` the end of the window, `$4` now, `$5` how many,
/// `$6` the cancelled outcome; soonest first, in the order of the `interviews_recent` index
/// (public so that the tests can EXPLAIN it).
pub fn upcoming_interviews_sql() -> String {
    interviews_where(
        "t.starts_at >= $2 AND t.starts_at < $3 AND t.starts_at + t.duration_minutes * 60000 > $4
         AND t.outcome <> $6",
        "t.starts_at, t.id LIMIT $5",
    )
}

/// Interviews not cancelled that have not ended by `now` and start before `until`, soonest
/// first: one in progress is still on the list.
pub async fn upcoming_interviews<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    now: Timestamp,
    until: Timestamp,
    limit: i64,
) -> Result<Vec<Interview>, sqlx::Error> {
    // No interview lasts more than a day, so one that started before then has ended.
    let earliest = Timestamp(now.0 - crate::domain::interviews::DURATION_MAX * 60_000);
    sqlx::query_as(&upcoming_interviews_sql())
        .bind(user_id)
        .bind(earliest)
        .bind(until)
        .bind(now)
        .bind(limit)
        .bind(InterviewOutcome::Cancelled.as_str())
        .fetch_all(ex)
        .await
}

/// Notes, labels and search documents go with the record they are about; an opportunity takes its interviews'
/// with it (the interviews themselves go by cascade); an interview leaves its opportunity's
/// first interview up to date.
pub async fn forget_dependents(
    conn: &mut AnyConnection,
    user_id: &UserId,
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
        let notes_on_its_interviews =
            format!("SELECT id FROM notes WHERE user_id = $1 AND subject_id IN ({of_its_interviews})");
        search::forget_selected(&mut *conn, user_id, RecordKind::Note, &notes_on_its_interviews, id).await?;
        search::forget_selected(&mut *conn, user_id, RecordKind::Interview, of_its_interviews, id).await?;
        // Its tasks go by cascade too: out of the search index first.
        let its_tasks = "SELECT id FROM tasks WHERE user_id = $1 AND opportunity_id = $2";
        search::forget_selected(&mut *conn, user_id, RecordKind::Task, its_tasks, id).await?;
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
    let its_notes = "SELECT id FROM notes WHERE user_id = $1 AND subject_id = $2";
    search::forget_selected(&mut *conn, user_id, RecordKind::Note, its_notes, id).await?;
    sqlx::query("DELETE FROM notes WHERE user_id = $1 AND subject_id = $2")
        .bind(user_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
