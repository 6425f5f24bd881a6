//! Journal entries: Markdown, a slug fixed at creation, a public switch.

use serde::Serialize;
use sqlx::{Any, AnyConnection, Executor, FromRow};
use utoipa::ToSchema;

use crate::clock::Timestamp;
use crate::db::labels::LabelChip;
use crate::db::Flag;
use crate::domain::career::JournalInput;
use crate::domain::fields::human_date;
use crate::domain::records::RecordKind;
use crate::domain::UserId;

pub const JOURNAL: Table = Table {
    kind: RecordKind::JournalEntry,
    name: "journal_entries",
    columns: "t.id, t.title, t.slug, t.entry_date, t.body, t.is_public, t.created_at, t.updated_at",
    order_by: "t.entry_date DESC, t.id DESC",
    has_status: false,
    has_done: false,
    parent: None,
    joins: "",
    sorts: None,
};
use crate::db::lists::{write, Query, Table};

#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct JournalEntry {
    #[schema(format = Uuid)]
    pub id: String,
    pub title: String,
    /// The entry's name in its public address; fixed when the entry is created.
    pub slug: String,
    /// `YYYY-MM-DD`.
    #[schema(schema_with = crate::domain::schema::day)]
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

/// `(slug, title)` of the user's entries with these slugs (for pages that name entries by
/// their address, such as analytics' top pages).
pub async fn titles_by_slug<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    slugs: &[&str],
) -> Result<Vec<(String, String)>, sqlx::Error> {
    if slugs.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT slug, title FROM journal_entries WHERE user_id = $1 AND slug IN ({})",
        crate::db::placeholders(2, slugs.len())
    );
    let mut query = sqlx::query_as(&sql).bind(user_id);
    for slug in slugs {
        query = query.bind(*slug);
    }
    query.fetch_all(ex).await
}

impl JournalEntry {
    /// Whether the entry's text shows `image` already (its Markdown names the image's address).
    pub fn shows_inline(&self, image: &crate::db::uploads::ImageRef) -> bool {
        self.body.contains(&format!("({})", image.url)) || self.body.contains(&format!("({} ", image.url))
    }

    /// The images not shown in the text: the gallery under the entry, so none appears twice.
    pub fn gallery(&self) -> Vec<&crate::db::uploads::ImageRef> {
        self.images.iter().filter(|image| !self.shows_inline(image)).collect()
    }

    pub fn when(&self) -> String {
        human_date(&self.entry_date)
    }
    pub fn summary(&self) -> String {
        crate::domain::markdown::summary(&self.body, 220)
    }
}

/// A slug for a new entry: from the title, made unique among the user's entries.
async fn free_slug(conn: &mut AnyConnection, user_id: &UserId, title: &str) -> Result<String, sqlx::Error> {
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
    user_id: &UserId,
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
    user_id: &UserId,
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

/// A public journal entry by its slug.
pub async fn public_entry_by_slug<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
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

/// An entry's title, if it is the user's.
pub async fn title_of<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    entry_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT title FROM journal_entries WHERE user_id = $1 AND id = $2")
        .bind(user_id)
        .bind(entry_id)
        .fetch_optional(ex)
        .await
}
