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
use crate::domain::jobs::{status_name, work_mode_name, OpportunityInput};

pub const OPPORTUNITIES: Table = Table {
    kind: RecordKind::Opportunity,
    name: "opportunities",
    columns: "t.id, t.company, t.role, t.description, t.posting_url, t.location, t.work_mode, t.salary_min, \
              t.salary_max, t.currency, t.source, t.status, t.applied_on, t.next_action, t.next_action_due, \
              t.created_at, t.updated_at",
    order_by: "t.updated_at DESC, t.id DESC",
    has_status: true,
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
    pub fn applied(&self) -> String {
        self.applied_on.as_deref().map(human_date).unwrap_or_default()
    }
}

/// One line of an opportunity's timeline.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Event {
    pub id: String,
    /// `created`, `status_changed`, or a manual entry: `email`, `call`, `follow_up`, `note`.
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub body: String,
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

pub async fn record_event(
    conn: &mut AnyConnection,
    user_id: &str,
    opportunity_id: &str,
    kind: &str,
    change: (Option<&str>, Option<&str>),
    body: &str,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO opportunity_events (id, user_id, opportunity_id, kind, from_status, to_status, body, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(user_id)
    .bind(opportunity_id)
    .bind(kind)
    .bind(change.0)
    .bind(change.1)
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
    record_event(conn, user_id, id, "created", (None, Some(&input.status)), "", now).await
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
    write(
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
    if before != input.status {
        record_event(conn, user_id, id, "status_changed", (Some(&before), Some(&input.status)), "", now).await?;
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
        "SELECT id, kind, from_status, to_status, body, occurred_at FROM opportunity_events
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

/// Connect a contact with an opportunity (both the user's own; checked by the caller).
pub async fn link_contact(
    conn: &mut AnyConnection,
    user_id: &str,
    opportunity_id: &str,
    contact_id: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO opportunity_contacts (opportunity_id, contact_id, user_id, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
    )
    .bind(opportunity_id)
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
    opportunity_id: &str,
    contact_id: &str,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM opportunity_contacts WHERE user_id = $1 AND opportunity_id = $2 AND contact_id = $3")
            .bind(user_id)
            .bind(opportunity_id)
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
