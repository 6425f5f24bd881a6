//! Every table, and what it holds of a user: the one catalogue the full export and the account
//! deletion share (issue 14, items 3 and 4; promises 19 and 20).
//!
//! Each table is either exported (its rows found through the column that names their owner, a
//! few secret columns left out) or listed as not exported with the reason; a table that names a
//! user is deleted with the account either way. The tests list the database's own tables and
//! fail on any table missing here, so a new table cannot be forgotten.
//!
//! The SQL is built from the static names below (never from input), one text for both databases.

use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Column, Executor, Row};

use crate::db::DbKind;
use crate::domain::UserId;

/// Whether, and how, a table's rows go into the export.
#[derive(Debug, Clone, Copy)]
pub enum Export {
    /// Every row of the user's, every column but these (secrets: hashes of passwords and tokens).
    Rows { omit: &'static [&'static str] },
    /// Not exported, for this reason (said in the export's README).
    No(&'static str),
}

/// One table of the database.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    /// The column whose value is the owner's user id (`id` for `users`); `None` when the table
    /// holds nobody's rows.
    pub owner: Option<&'static str>,
    /// A unique order for reading the rows in pages.
    pub order_by: &'static str,
    pub export: Export,
}

impl Table {
    pub fn exported(&self) -> bool {
        matches!(self.export, Export::Rows { .. })
    }

    fn omitted(&self) -> &'static [&'static str] {
        match self.export {
            Export::Rows { omit } => omit,
            Export::No(_) => &[],
        }
    }
}

const fn rows(name: &'static str, owner: &'static str, order_by: &'static str) -> Table {
    Table { name, owner: Some(owner), order_by, export: Export::Rows { omit: &[] } }
}

const fn rows_without(
    name: &'static str,
    owner: &'static str,
    order_by: &'static str,
    omit: &'static [&'static str],
) -> Table {
    Table { name, owner: Some(owner), order_by, export: Export::Rows { omit } }
}

const fn owned_not_exported(name: &'static str, owner: &'static str, why: &'static str) -> Table {
    Table { name, owner: Some(owner), order_by: "", export: Export::No(why) }
}

const fn nobodys(name: &'static str, why: &'static str) -> Table {
    Table { name, owner: None, order_by: "", export: Export::No(why) }
}

/// Every table, parents before the tables that refer to them: the export reads them in this
/// order and the deletion deletes them in the reverse order.
pub const CATALOGUE: &[Table] = &[
    // First, so the deletion removes it last: deleting the other rows bumps it.
    owned_not_exported(
        "public_page_versions",
        "user_id",
        "how many times your public pages changed, so they are never served stale",
    ),
    rows_without("users", "id", "id", &["password_hash"]),
    rows("profiles", "user_id", "user_id"),
    rows_without("calendar_feeds", "user_id", "user_id", &["token_hash"]),
    rows("interview_prep", "user_id", "user_id"),
    rows_without("api_tokens", "user_id", "id", &["token_hash", "token_prefix"]),
    rows("experiences", "user_id", "id"),
    rows("projects", "user_id", "id"),
    rows("achievements", "user_id", "id"),
    rows("skills", "user_id", "id"),
    rows("education", "user_id", "id"),
    rows("certifications", "user_id", "id"),
    rows("journal_entries", "user_id", "id"),
    rows("uploads", "user_id", "id"),
    rows("labels", "user_id", "id"),
    rows("record_labels", "user_id", "label_id, record_kind, record_id"),
    // The next action's old columns, kept unused for earlier builds (migrations/README.md).
    rows_without("opportunities", "user_id", "id", &["next_action", "next_action_due"]),
    rows("offers", "user_id", "opportunity_id"),
    rows("contacts", "user_id", "id"),
    rows("opportunity_contacts", "user_id", "opportunity_id, contact_id"),
    rows("interviews", "user_id", "id"),
    rows("interview_contacts", "user_id", "interview_id, contact_id"),
    rows("opportunity_events", "user_id", "id"),
    rows("notes", "user_id", "id"),
    rows("tasks", "user_id", "id"),
    rows("reminder_settings", "user_id", "user_id"),
    owned_not_exported(
        "reminders_sent",
        "user_id",
        "which reminder mail was sent (a day or an interview), so none is sent twice",
    ),
    rows("prep_documents", "user_id", "id"),
    rows("resume_versions", "user_id", "id"),
    rows("resume_sends", "user_id", "id"),
    rows("page_view_days", "owner_id", "day, dimension, value"),
    rows("ai_runs", "user_id", "id"),
    rows("label_link_batches", "user_id", "id"),
    rows("label_link_batch_items", "user_id", "batch_id, label_id, record_kind, record_id"),
    rows("bluesky_accounts", "user_id", "did"),
    rows("bluesky_posts", "user_id", "id"),
    rows("standard_site_documents", "user_id", "entry_id"),
    rows("oidc_identities", "user_id", "id"),
    rows_without("calendar_connections", "user_id", "user_id", &["sealed", "key_id", "sync_token"]),
    rows_without("calendar_events", "user_id", "id", &["details", "key_id"]),
    rows("support_tickets", "user_id", "id"),
    rows("support_messages", "user_id", "id"),
    owned_not_exported("sessions", "user_id", "sign-in sessions: only hashes of the cookies' secrets"),
    owned_not_exported("email_verifications", "user_id", "verification links: hashes of one-time secrets"),
    owned_not_exported("password_resets", "user_id", "password reset links: hashes of one-time secrets"),
    owned_not_exported("email_changes", "user_id", "sign-in address change links: hashes of one-time secrets"),
    owned_not_exported("oauth_requests", "user_id", "sign-ins with another service under way: minutes-long secrets"),
    // Deleted with the account; the mail saying the account was deleted is queued afterwards,
    // naming no account.
    owned_not_exported(
        "mail_outbox",
        "user_id",
        "mail on its way to you: kept sealed (it holds single-use links) only until it is sent",
    ),
    owned_not_exported(
        "bluesky_sessions",
        "user_id",
        "the Bluesky access tokens and signing key, sealed: secrets that work only for this instance",
    ),
    owned_not_exported(
        "page_views",
        "owner_id",
        "single visits to your public pages (keyed hashes of visitors): their daily figures are in page_view_days",
    ),
    owned_not_exported(
        "search_documents",
        "user_id",
        "the search index: a copy of the text of the records exported here",
    ),
    owned_not_exported(
        "resume_imports",
        "user_id",
        "resume imports awaiting review: sealed, and deleted within a day; the records they created are exported",
    ),
    owned_not_exported("data_exports", "user_id", "the exports themselves (this file is one)"),
    nobodys("throttle_buckets", "rate-limit counters under keyed hashes, kept minutes"),
    nobodys("job_leases", "which instance runs background work"),
    nobodys("file_deletions", "files waiting to be removed from the store"),
    nobodys("analytics_salts", "today's salt for visitor hashes"),
    nobodys("instance_settings", "the instance's own settings (sign-ups open or closed)"),
    nobodys("support_ticket_links", "private links to visitors' tickets (hashes), deleted with the ticket"),
    nobodys("deletion_counts", "how many accounts were deleted, with nothing naming them"),
    nobodys("_sqlx_migrations", "which schema migrations ran"),
    nobodys("search_fts", "SQLite's full-text index over search_documents"),
    nobodys("search_fts_data", "SQLite's full-text index internals"),
    nobodys("search_fts_idx", "SQLite's full-text index internals"),
    nobodys("search_fts_docsize", "SQLite's full-text index internals"),
    nobodys("search_fts_config", "SQLite's full-text index internals"),
];

/// The tables whose rows go into the export, in order.
pub fn exported_tables() -> impl Iterator<Item = &'static Table> {
    CATALOGUE.iter().filter(|t| t.exported())
}

/// The catalogue's entry for a table.
pub fn table(name: &str) -> Option<&'static Table> {
    CATALOGUE.iter().find(|t| t.name == name)
}

/// One cell, as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

/// A page of a table's rows: the column names (secrets left out) and the cells.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// The values of the table's `order_by` columns (all text) in the last row: where the next
    /// page starts.
    pub last_key: Vec<String>,
}

/// How many of the user's rows an exported table holds.
pub async fn count_rows(conn: &mut AnyConnection, table: &Table, user_id: &UserId) -> Result<i64, sqlx::Error> {
    let Some(owner) = table.owner else { return Ok(0) };
    let sql = format!("SELECT COUNT(*) FROM {} WHERE {owner} = $1", table.name);
    sqlx::query_scalar(&sql).bind(user_id).fetch_one(conn).await
}

/// The user's rows of `table` that come after `after` (the values of its `order_by` columns in
/// the last row read; `None` for the first page), at most `limit`, in the table's order. Read by
/// key rather than OFFSET, so each page costs the same however far in it is.
pub async fn read_page(
    conn: &mut AnyConnection,
    table: &Table,
    user_id: &UserId,
    after: Option<&[String]>,
    limit: i64,
) -> Result<Page, sqlx::Error> {
    let Some(owner) = table.owner else { return Ok(Page::default()) };
    let keys = table.order_by;
    let key_count = keys.split(", ").count();
    let sql = match after {
        None => format!("SELECT * FROM {} WHERE {owner} = $1 ORDER BY {keys} LIMIT $2", table.name),
        Some(_) => {
            let places: Vec<String> = (0..key_count).map(|i| format!("${}", i + 2)).collect();
            format!(
                "SELECT * FROM {} WHERE {owner} = $1 AND ({keys}) > ({}) ORDER BY {keys} LIMIT ${}",
                table.name,
                places.join(", "),
                key_count + 2
            )
        }
    };
    let mut query = sqlx::query(&sql).bind(user_id);
    for value in after.unwrap_or_default() {
        query = query.bind(value);
    }
    let found: Vec<AnyRow> = query.bind(limit).fetch_all(conn).await?;
    let omit = table.omitted();
    let mut page = Page::default();
    let Some(first) = found.first() else { return Ok(page) };
    let kept: Vec<usize> =
        first.columns().iter().enumerate().filter(|(_, c)| !omit.contains(&c.name())).map(|(i, _)| i).collect();
    page.columns = kept.iter().map(|&i| first.columns()[i].name().to_owned()).collect();
    for row in &found {
        page.rows.push(kept.iter().map(|&i| cell(row, i)).collect());
    }
    if let Some(last) = found.last() {
        page.last_key = keys.split(", ").map(|key| last.try_get::<String, _>(key).unwrap_or_default()).collect();
    }
    Ok(page)
}

/// The columns an exported table has (secrets left out), for a CSV header when it has no rows.
pub async fn column_names(conn: &mut AnyConnection, kind: DbKind, table: &Table) -> Result<Vec<String>, sqlx::Error> {
    let names: Vec<String> = match kind {
        DbKind::Sqlite => {
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                .bind(table.name)
                .fetch_all(conn)
                .await?
        }
        DbKind::Postgres => {
            sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table.name)
            .fetch_all(conn)
            .await?
        }
    };
    let omit = table.omitted();
    Ok(names.into_iter().filter(|n| !omit.contains(&n.as_str())).collect())
}

fn cell(row: &AnyRow, index: usize) -> Cell {
    if let Ok(value) = row.try_get::<Option<i64>, _>(index) {
        return value.map_or(Cell::Null, Cell::Int);
    }
    if let Ok(value) = row.try_get::<Option<String>, _>(index) {
        return value.map_or(Cell::Null, Cell::Text);
    }
    if let Ok(value) = row.try_get::<Option<f64>, _>(index) {
        return value.map_or(Cell::Null, Cell::Real);
    }
    Cell::Null
}

/// Delete every row naming the user from every table, children first (inside the caller's
/// transaction). Answers how many rows went.
pub async fn delete_all_rows(conn: &mut AnyConnection, user_id: &UserId) -> Result<u64, sqlx::Error> {
    let mut deleted = 0;
    for table in CATALOGUE.iter().rev() {
        let Some(owner) = table.owner else { continue };
        let sql = format!("DELETE FROM {} WHERE {owner} = $1", table.name);
        deleted += sqlx::query(&sql).bind(user_id).execute(&mut *conn).await?.rows_affected();
    }
    Ok(deleted)
}

/// Every table the database itself lists (its own catalogue), sorted.
pub async fn database_tables<'e>(
    ex: impl Executor<'e, Database = Any>,
    kind: DbKind,
) -> Result<Vec<String>, sqlx::Error> {
    let sql = match kind {
        DbKind::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        DbKind::Postgres => {
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        }
    };
    sqlx::query_scalar(sql).fetch_all(ex).await
}

/// The text columns of a table, from the database's own catalogue (for checks that no text
/// names a deleted user).
pub async fn text_columns<'e>(
    ex: impl Executor<'e, Database = Any>,
    kind: DbKind,
    table: &str,
) -> Result<Vec<String>, sqlx::Error> {
    match kind {
        DbKind::Sqlite => {
            // Virtual tables' columns have no declared type; their text is text.
            sqlx::query_scalar(
                "SELECT name FROM pragma_table_info($1)
                 WHERE upper(type) LIKE '%TEXT%' OR upper(type) LIKE '%CHAR%' OR type = ''",
            )
            .bind(table)
            .fetch_all(ex)
            .await
        }
        DbKind::Postgres => {
            sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1
                   AND data_type IN ('text', 'character varying', 'character')",
            )
            .bind(table)
            .fetch_all(ex)
            .await
        }
    }
}

/// How many rows of `table` hold `needle` in one of `columns`.
pub async fn rows_containing<'e>(
    ex: impl Executor<'e, Database = Any>,
    table: &str,
    columns: &[String],
    needle: &str,
) -> Result<i64, sqlx::Error> {
    if columns.is_empty() {
        return Ok(0);
    }
    let wheres: Vec<String> = columns.iter().map(|c| format!("\"{c}\" LIKE $1")).collect();
    let sql = format!("SELECT COUNT(*) FROM \"{table}\" WHERE {}", wheres.join(" OR "));
    sqlx::query_scalar(&sql).bind(format!("%{needle}%")).fetch_one(ex).await
}

/// The database's tables the catalogue does not list (should be none).
pub async fn uncatalogued_tables<'e>(
    ex: impl Executor<'e, Database = Any>,
    kind: DbKind,
) -> Result<Vec<String>, sqlx::Error> {
    Ok(database_tables(ex, kind).await?.into_iter().filter(|name| table(name).is_none()).collect())
}

/// One more account deleted (inside the deletion's transaction).
pub async fn count_deleted_account(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO deletion_counts (name, count) VALUES ('accounts', 1)
         ON CONFLICT (name) DO UPDATE SET count = deletion_counts.count + 1",
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// How many accounts were deleted: all an administrator sees of them.
pub async fn deleted_accounts<'e>(ex: impl Executor<'e, Database = Any>) -> Result<i64, sqlx::Error> {
    let count: Option<i64> =
        sqlx::query_scalar("SELECT count FROM deletion_counts WHERE name = 'accounts'").fetch_optional(ex).await?;
    Ok(count.unwrap_or(0))
}

/// Files of the user's that wait in the removal queue (their keys start with the user's id).
pub async fn forget_queued_files(conn: &mut AnyConnection, user_id: &UserId) -> Result<Vec<String>, sqlx::Error> {
    let prefix = format!("u/{user_id}/%");
    let keys: Vec<String> = sqlx::query_scalar("SELECT storage_key FROM file_deletions WHERE storage_key LIKE $1")
        .bind(&prefix)
        .fetch_all(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM file_deletions WHERE storage_key LIKE $1").bind(&prefix).execute(&mut *conn).await?;
    Ok(keys)
}
