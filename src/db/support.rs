//! Support tickets, their messages and the private links visitors reach them by; the
//! administrators' inbox.

use sqlx::{Any, Executor, FromRow};

use crate::clock::Timestamp;
use crate::domain::support::{TicketCategory, TicketStatus};
use crate::domain::UserId;

#[derive(Debug, Clone, FromRow)]
pub struct Ticket {
    pub id: String,
    pub user_id: Option<String>,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub category: TicketCategory,
    pub subject: String,
    #[sqlx(try_from = "String")]
    pub status: TicketStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, FromRow)]
pub struct Message {
    pub id: String,
    pub from_admin: i64,
    pub body: String,
    pub created_at: Timestamp,
}

const TICKET_COLUMNS: &str = "id, user_id, email, category, subject, status, created_at, updated_at";

pub struct NewTicket<'a> {
    pub id: &'a str,
    pub user_id: Option<&'a UserId>,
    pub email: &'a str,
    pub category: TicketCategory,
    pub subject: &'a str,
}

pub async fn insert_ticket<'e>(
    ex: impl Executor<'e, Database = Any>,
    new: NewTicket<'_>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO support_tickets (id, user_id, email, category, subject, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(new.id)
    .bind(new.user_id.map(|id| id.to_string()))
    .bind(new.email)
    .bind(new.category.as_str())
    .bind(new.subject)
    .bind(TicketStatus::Open.as_str())
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn insert_message<'e>(
    ex: impl Executor<'e, Database = Any>,
    ticket_id: &str,
    from_admin: bool,
    body: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO support_messages (id, ticket_id, user_id, from_admin, body, created_at) \
         VALUES ($1, $2, (SELECT user_id FROM support_tickets WHERE id = $2), $3, $4, $5)",
    )
    .bind(super::new_id())
    .bind(ticket_id)
    .bind(i64::from(from_admin))
    .bind(body)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn set_status<'e>(
    ex: impl Executor<'e, Database = Any>,
    ticket_id: &str,
    status: TicketStatus,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE support_tickets SET status = $2, updated_at = $3 WHERE id = $1")
        .bind(ticket_id)
        .bind(status.as_str())
        .bind(now)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_link<'e>(
    ex: impl Executor<'e, Database = Any>,
    token_hash: &str,
    ticket_id: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO support_ticket_links (token_hash, ticket_id, created_at) VALUES ($1, $2, $3)")
        .bind(token_hash)
        .bind(ticket_id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

/// A visitor's ticket, by the hash of a link mailed for it.
pub async fn find_by_link<'e>(
    ex: impl Executor<'e, Database = Any>,
    token_hash: &str,
) -> Result<Option<Ticket>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {TICKET_COLUMNS} FROM support_tickets WHERE user_id IS NULL AND id = \
         (SELECT ticket_id FROM support_ticket_links WHERE token_hash = $1)"
    ))
    .bind(token_hash)
    .fetch_optional(ex)
    .await
}

/// A signed-in person's own ticket; anyone else's is not found.
pub async fn find_for_user<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    ticket_id: &str,
) -> Result<Option<Ticket>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {TICKET_COLUMNS} FROM support_tickets WHERE id = $1 AND user_id = $2"))
        .bind(ticket_id)
        .bind(user_id)
        .fetch_optional(ex)
        .await
}

/// Any ticket, for the administrators (the caller checks who is asking).
pub async fn find_any<'e>(
    ex: impl Executor<'e, Database = Any>,
    ticket_id: &str,
) -> Result<Option<Ticket>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {TICKET_COLUMNS} FROM support_tickets WHERE id = $1"))
        .bind(ticket_id)
        .fetch_optional(ex)
        .await
}

pub async fn list_for_user<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<Vec<Ticket>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {TICKET_COLUMNS} FROM support_tickets WHERE user_id = $1 ORDER BY updated_at DESC, id DESC LIMIT 200"
    ))
    .bind(user_id)
    .fetch_all(ex)
    .await
}

pub async fn messages<'e>(ex: impl Executor<'e, Database = Any>, ticket_id: &str) -> Result<Vec<Message>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, from_admin, body, created_at FROM support_messages WHERE ticket_id = $1 ORDER BY created_at, id",
    )
    .bind(ticket_id)
    .fetch_all(ex)
    .await
}

/// One page of the inbox: the tickets in `status`, the most recently changed first.
pub async fn inbox<'e>(
    ex: impl Executor<'e, Database = Any>,
    status: TicketStatus,
    limit: i64,
    offset: i64,
) -> Result<Vec<Ticket>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {TICKET_COLUMNS} FROM support_tickets WHERE status = $1 ORDER BY updated_at DESC, id DESC \
         LIMIT $2 OFFSET $3"
    ))
    .bind(status.as_str())
    .bind(limit)
    .bind(offset)
    .fetch_all(ex)
    .await
}

pub async fn count_with_status<'e>(
    ex: impl Executor<'e, Database = Any>,
    status: TicketStatus,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM support_tickets WHERE status = $1")
        .bind(status.as_str())
        .fetch_one(ex)
        .await
}

/// Delete the tickets written as a visitor from `email` (their messages and links go with them):
/// when that address's account is deleted, what was written from it goes too.
pub async fn delete_visitor_tickets_from(conn: &mut sqlx::AnyConnection, email: &str) -> Result<u64, sqlx::Error> {
    let deleted = sqlx::query("DELETE FROM support_tickets WHERE user_id IS NULL AND email = $1")
        .bind(email)
        .execute(&mut *conn)
        .await?;
    Ok(deleted.rows_affected())
}
