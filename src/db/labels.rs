//! Labels and the records they are on. A label belongs to one user; `record_labels` links it to
//! any record by kind and id, always together with the owner's id.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::{Any, AnyConnection, Executor, FromRow};
use utoipa::ToSchema;

use crate::clock::Timestamp;
use crate::db::{new_id, placeholders, Flag};
use crate::domain::career::LabelInput;
use crate::domain::fields::{name_key, PALETTE};
use crate::domain::records::RecordKind;
use crate::domain::UserId;

/// A user may have this many labels: plenty for any career, few enough to show in one list.
pub const MAX_PER_USER: i64 = 500;

#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Label {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    /// `#rrggbb`, or null for the default.
    #[schema(pattern = r"^#[0-9a-f]{6}$")]
    pub colour: Option<String>,
    /// Whether visitors of your public pages may see it.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = bool)]
    pub is_public: Flag,
    /// How many records carry it.
    #[sqlx(default)]
    pub uses: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

/// A label as shown on a record.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema, PartialEq, Eq)]
pub struct LabelChip {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    #[schema(pattern = r"^#[0-9a-f]{6}$")]
    pub colour: Option<String>,
    #[sqlx(try_from = "i64")]
    #[schema(value_type = bool)]
    pub is_public: Flag,
}

impl LabelChip {
    /// The colour for the chip's swatch. Inline styles are refused by our CSP, so pages draw
    /// the colour as an SVG `fill` attribute, which is markup, not style.
    pub fn swatch(&self) -> &str {
        self.colour.as_deref().unwrap_or("")
    }
}

const COLUMNS: &str = "l.id, l.name, l.colour, l.is_public, l.created_at, l.updated_at";

/// All of a user's labels by name, each with how many records carry it.
pub async fn list_for_user<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<Vec<Label>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS}, (SELECT COUNT(*) FROM record_labels rl WHERE rl.label_id = l.id) AS uses
         FROM labels l WHERE l.user_id = $1 ORDER BY l.name_key"
    ))
    .bind(user_id)
    .fetch_all(ex)
    .await
}

pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    id: &str,
) -> Result<Option<Label>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS}, (SELECT COUNT(*) FROM record_labels rl WHERE rl.label_id = l.id) AS uses
         FROM labels l WHERE l.user_id = $1 AND l.id = $2"
    ))
    .bind(user_id)
    .bind(id)
    .fetch_optional(ex)
    .await
}

pub async fn count_for_user<'e>(ex: impl Executor<'e, Database = Any>, user_id: &UserId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM labels WHERE user_id = $1").bind(user_id).fetch_one(ex).await
}

/// The palette colour the user's labels use least (the first such): the colour for a new label.
async fn next_colour(conn: &mut AnyConnection, user_id: &UserId) -> Result<&'static str, sqlx::Error> {
    let used: Vec<(String, i64)> =
        sqlx::query_as("SELECT colour, COUNT(*) FROM labels WHERE user_id = $1 AND colour IS NOT NULL GROUP BY colour")
            .bind(user_id)
            .fetch_all(&mut *conn)
            .await?;
    let uses = |colour: &str| used.iter().find(|(c, _)| c == colour).map_or(0, |(_, n)| *n);
    Ok(PALETTE.iter().map(|colour| colour.hex).min_by_key(|colour| uses(colour)).unwrap_or(PALETTE[0].hex))
}

/// Create a label (with the next palette colour when none is given). A name the user already
/// has (ignoring case) is a unique violation.
pub async fn insert(
    conn: &mut AnyConnection,
    user_id: &UserId,
    input: &LabelInput,
    now: Timestamp,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let colour = match input.colour.as_deref() {
        Some(colour) => colour,
        None => next_colour(&mut *conn, user_id).await?,
    };
    sqlx::query(
        "INSERT INTO labels (id, user_id, name, name_key, colour, is_public, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(&input.name)
    .bind(name_key(&input.name))
    .bind(colour)
    .bind(Flag::bind(input.is_public))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn update(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    input: &LabelInput,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE labels SET name = $3, name_key = $4, colour = $5, is_public = $6, updated_at = $7
         WHERE user_id = $1 AND id = $2",
    )
    .bind(user_id)
    .bind(id)
    .bind(&input.name)
    .bind(name_key(&input.name))
    .bind(input.colour.as_deref())
    .bind(Flag::bind(input.is_public))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Delete a label; it comes off every record (the links cascade).
pub async fn delete<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM labels WHERE user_id = $1 AND id = $2").bind(user_id).bind(id).execute(ex).await?;
    Ok(done.rows_affected() == 1)
}

/// The labels on each of `record_ids`, by record id.
pub async fn chips_for_records<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    kind: RecordKind,
    record_ids: &[&str],
) -> Result<HashMap<String, Vec<LabelChip>>, sqlx::Error> {
    let mut by_record: HashMap<String, Vec<LabelChip>> = HashMap::new();
    if record_ids.is_empty() {
        return Ok(by_record);
    }
    let sql = format!(
        "SELECT rl.record_id, l.id, l.name, l.colour, l.is_public FROM record_labels rl
         JOIN labels l ON l.id = rl.label_id
         WHERE rl.user_id = $1 AND rl.record_kind = $2 AND rl.record_id IN ({})
         ORDER BY l.name_key",
        placeholders(3, record_ids.len())
    );
    let mut query =
        sqlx::query_as::<_, (String, String, String, Option<String>, i64)>(&sql).bind(user_id).bind(kind.as_str());
    for id in record_ids {
        query = query.bind(*id);
    }
    for (record_id, id, name, colour, is_public) in query.fetch_all(ex).await? {
        by_record.entry(record_id).or_default().push(LabelChip { id, name, colour, is_public: Flag::from(is_public) });
    }
    Ok(by_record)
}

/// Make `names` exactly the labels on a record, creating labels the user does not have yet.
pub async fn set_for_record(
    conn: &mut AnyConnection,
    user_id: &UserId,
    kind: RecordKind,
    record_id: &str,
    names: &[String],
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    remove_all_from_record(&mut *conn, user_id, kind, record_id).await?;
    for name in names {
        add_to_record(&mut *conn, user_id, kind, record_id, name, now).await?;
    }
    Ok(())
}

/// Put the label called `name` on a record, creating the label if the user has none by that
/// name. Putting a label on twice is the same as once.
pub async fn add_to_record(
    conn: &mut AnyConnection,
    user_id: &UserId,
    kind: RecordKind,
    record_id: &str,
    name: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    {
        // Two requests may create the same label at once: the unique key decides, quietly.
        let colour = next_colour(&mut *conn, user_id).await?;
        sqlx::query(
            "INSERT INTO labels (id, user_id, name, name_key, colour, is_public, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $6, 0, $5, $5) ON CONFLICT (user_id, name_key) DO NOTHING",
        )
        .bind(new_id())
        .bind(user_id)
        .bind(name)
        .bind(name_key(name))
        .bind(now)
        .bind(colour)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO record_labels (label_id, user_id, record_kind, record_id, created_at)
             SELECT id, user_id, $3, $4, $5 FROM labels WHERE user_id = $1 AND name_key = $2
             ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .bind(name_key(name))
        .bind(kind.as_str())
        .bind(record_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// How many labels a record carries.
pub async fn count_on_record<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    kind: RecordKind,
    record_id: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM record_labels WHERE user_id = $1 AND record_kind = $2 AND record_id = $3")
        .bind(user_id)
        .bind(kind.as_str())
        .bind(record_id)
        .fetch_one(ex)
        .await
}

/// Take one label off a record.
pub async fn remove_from_record<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    kind: RecordKind,
    record_id: &str,
    label_id: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM record_labels WHERE user_id = $1 AND record_kind = $2 AND record_id = $3 AND label_id = $4",
    )
    .bind(user_id)
    .bind(kind.as_str())
    .bind(record_id)
    .bind(label_id)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn remove_all_from_record<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    kind: RecordKind,
    record_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM record_labels WHERE user_id = $1 AND record_kind = $2 AND record_id = $3")
        .bind(user_id)
        .bind(kind.as_str())
        .bind(record_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// How many labels the user would have after adding `names`: to keep within [`MAX_PER_USER`].
pub async fn count_after_adding(
    conn: &mut AnyConnection,
    user_id: &UserId,
    names: &[String],
) -> Result<i64, sqlx::Error> {
    let mut count = count_for_user(&mut *conn, user_id).await?;
    for name in names {
        if !has_named(&mut *conn, user_id, name).await? {
            count += 1;
        }
    }
    Ok(count)
}

/// Whether the user has a label called `name` (compared as label names are: trimmed, any case).
pub async fn has_named<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    name: &str,
) -> Result<bool, sqlx::Error> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM labels WHERE user_id = $1 AND name_key = $2")
        .bind(user_id)
        .bind(name_key(name))
        .fetch_optional(ex)
        .await?;
    Ok(exists.is_some())
}

/// The public labels on at least one record a visitor can see: on the resume (`journal` false)
/// or in the public journal. A public label on hidden records only is not offered as a filter.
pub async fn public_on_page<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    journal: bool,
) -> Result<Vec<Label>, sqlx::Error> {
    let visible = |kind: RecordKind, table: &str, flag: &str| {
        format!(
            "(rl.record_kind = '{}' AND EXISTS (SELECT 1 FROM {table} t WHERE t.id = rl.record_id AND t.{flag} = 1))",
            kind.as_str()
        )
    };
    let kinds = if journal {
        visible(RecordKind::JournalEntry, "journal_entries", "is_public")
    } else {
        [
            visible(RecordKind::Experience, "experiences", "on_resume"),
            visible(RecordKind::Skill, "skills", "on_resume"),
            visible(RecordKind::Project, "projects", "on_resume"),
            visible(RecordKind::Achievement, "achievements", "on_resume"),
            visible(RecordKind::Education, "education", "on_resume"),
            visible(RecordKind::Certification, "certifications", "on_resume"),
        ]
        .join(" OR ")
    };
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM labels l WHERE l.user_id = $1 AND l.is_public = 1
         AND EXISTS (SELECT 1 FROM record_labels rl WHERE rl.label_id = l.id AND ({kinds}))
         ORDER BY l.name_key"
    ))
    .bind(user_id)
    .fetch_all(ex)
    .await
}
