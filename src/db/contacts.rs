//! Contacts, and their connections to opportunities and interviews.

use serde::Serialize;
use sqlx::{Any, AnyConnection, Executor, FromRow};
use utoipa::ToSchema;

use crate::clock::Timestamp;
use crate::db::labels::LabelChip;
use crate::db::lists::{write, Query, Table};
use crate::domain::records::RecordKind;
use crate::domain::UserId;

pub const CONTACTS: Table = Table {
    kind: RecordKind::Contact,
    name: "contacts",
    columns: "t.id, t.name, t.company, t.role, t.email, t.phone, t.links, t.how_we_met, t.notes, t.created_at, \
              t.updated_at",
    order_by: "t.name, t.id",
    has_status: false,
    has_done: false,
    parent: None,
    joins: "",
    sorts: None,
};

/// Someone met along the way.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Contact {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub company: String,
    pub role: String,
    pub email: String,
    pub phone: String,
    #[sqlx(try_from = "String")]
    #[schema(value_type = Vec<String>, format = "uri")]
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

fn contact_fields<'q>(query: Query<'q>, input: &'q crate::domain::contacts::ContactInput) -> Query<'q> {
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
    user_id: &UserId,
    id: &str,
    input: &crate::domain::contacts::ContactInput,
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
    user_id: &UserId,
    id: &str,
    input: &crate::domain::contacts::ContactInput,
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
    user_id: &UserId,
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
    user_id: &UserId,
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
    user_id: &UserId,
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
    user_id: &UserId,
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
