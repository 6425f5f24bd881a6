//! Free notes about an opportunity, a contact or an interview.

use serde::Serialize;
use sqlx::{Any, AnyConnection, Executor, FromRow};
use utoipa::ToSchema;

use crate::clock::Timestamp;
use crate::db::labels::LabelChip;
use crate::db::lists::{write, Query, Table};
use crate::domain::notes::NoteInput;
use crate::domain::notes::NoteSubject;
use crate::domain::records::RecordKind;
use crate::domain::UserId;

pub const NOTES: Table = Table {
    kind: RecordKind::Note,
    name: "notes",
    columns: "t.id, t.subject_kind, t.subject_id, t.body, t.created_at, t.updated_at",
    order_by: "t.updated_at DESC, t.id DESC",
    has_status: false,
    has_done: false,
    parent: Some(("about", "subject_id")),
    joins: "",
    sorts: None,
};
use crate::db::contacts::CONTACTS;
use crate::db::interviews::INTERVIEWS;
use crate::db::opportunities::OPPORTUNITIES;

/// A free note about an opportunity, a contact or an interview.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Note {
    #[schema(format = Uuid)]
    pub id: String,
    #[sqlx(try_from = "String")]
    #[schema(schema_with = crate::domain::schema::note_subject)]
    pub subject_kind: NoteSubject,
    #[schema(format = Uuid)]
    pub subject_id: String,
    pub body: String,
    #[sqlx(skip)]
    #[serde(skip)]
    #[schema(ignore)]
    pub labels: Vec<LabelChip>,
    /// What the note is about, as people name it ("Globex · Staff Engineer", "Grace Hopper",
    /// "Technical round · Globex"), for pages that list notes away from their subject.
    #[sqlx(skip)]
    #[serde(skip)]
    #[schema(ignore)]
    pub subject_title: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl Note {
    /// The page of the record it is about.
    pub fn subject_url(&self) -> String {
        format!("/{}/{}", self.subject_kind.record_kind().path(), self.subject_id)
    }
    pub fn when(&self) -> String {
        self.updated_at.human()
    }
}

fn note_fields<'q>(query: Query<'q>, input: &'q NoteInput) -> Query<'q> {
    query.bind(input.subject_kind.as_str()).bind(&input.subject_id).bind(&input.body)
}

/// What each subject of `notes` is called, by subject id, in one query per kind: an
/// opportunity by company and role, a contact by name, an interview by round and company.
pub async fn subject_titles(
    pool: &sqlx::AnyPool,
    user_id: &UserId,
    notes: &[Note],
) -> Result<std::collections::HashMap<String, String>, sqlx::Error> {
    let mut titles = std::collections::HashMap::new();
    for subject in [NoteSubject::Opportunity, NoteSubject::Contact, NoteSubject::Interview] {
        let ids: Vec<&str> =
            notes.iter().filter(|n| n.subject_kind == subject).map(|n| n.subject_id.as_str()).collect();
        if ids.is_empty() {
            continue;
        }
        let list = crate::db::placeholders(2, ids.len());
        let sql = match subject {
            NoteSubject::Opportunity => format!(
                "SELECT id, company || CASE WHEN role = '' THEN '' ELSE ' · ' || role END
                 FROM opportunities WHERE user_id = $1 AND id IN ({list})"
            ),
            NoteSubject::Contact => format!("SELECT id, name FROM contacts WHERE user_id = $1 AND id IN ({list})"),
            NoteSubject::Interview => format!(
                "SELECT i.id, i.round_name || ' · ' || o.company FROM interviews i
                 JOIN opportunities o ON o.id = i.opportunity_id AND o.user_id = i.user_id
                 WHERE i.user_id = $1 AND i.id IN ({list})"
            ),
        };
        let mut query = sqlx::query_as::<_, (String, String)>(&sql).bind(user_id);
        for id in ids {
            query = query.bind(id);
        }
        titles.extend(query.fetch_all(pool).await?);
    }
    Ok(titles)
}

/// The table of each kind a note can be about.
pub fn note_subject_table(subject: NoteSubject) -> &'static Table {
    match subject {
        NoteSubject::Opportunity => &OPPORTUNITIES,
        NoteSubject::Contact => &CONTACTS,
        NoteSubject::Interview => &INTERVIEWS,
    }
}

/// Save a new note, only while its subject is the user's: a subject deleted a moment ago
/// writes nothing and answers `RowNotFound`.
pub async fn insert_note(
    conn: &mut AnyConnection,
    user_id: &UserId,
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
    user_id: &UserId,
    id: &str,
    input: &NoteInput,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let subject = note_subject_table(input.subject_kind);
    if !crate::db::lists::exists(&mut *conn, subject, user_id, &input.subject_id).await? {
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
    user_id: &UserId,
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
