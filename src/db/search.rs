//! The search index: `search_documents` (the same table on both databases, written with the
//! same SQL) and the full-text index over it, which each database keeps its own way: an FTS5
//! table on SQLite, a tsvector column under a GIN index on PostgreSQL. [`SearchIndex`] is what
//! differs (adding a document and searching); [`index_for`] picks it by [`DbKind`].
//!
//! Every search names its owner: another user's records are never found nor counted.

use sqlx::{Any, AnyConnection, AnyPool, Executor, FromRow};

use crate::clock::Timestamp;
use crate::db::DbKind;
use crate::domain::records::RecordKind;
use crate::domain::search::{SearchTerms, SearchText, MARK_END, MARK_START};
use crate::domain::UserId;

/// One record found, best first; `snippet` has the matched words between
/// [`MARK_START`] and [`MARK_END`].
#[derive(Debug, Clone, FromRow)]
pub struct Hit {
    pub record_kind: String,
    pub record_id: String,
    pub title: String,
    pub snippet: String,
}

/// One page of what a search found and how many records it found in all.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    pub items: Vec<Hit>,
    pub total: i64,
}

/// What the two databases do differently.
#[async_trait::async_trait]
pub trait SearchIndex: Send + Sync {
    /// Add a record's document or replace it with its new text.
    async fn put(
        &self,
        conn: &mut AnyConnection,
        user_id: &UserId,
        kind: RecordKind,
        id: &str,
        text: &SearchText,
        now: Timestamp,
    ) -> Result<(), sqlx::Error>;

    /// One page of the user's records that have every word, best matches first (a word in the
    /// title counts for more than one in the body), the last word also as a prefix.
    async fn search(
        &self,
        pool: &AnyPool,
        user_id: &UserId,
        terms: &SearchTerms,
        limit: i64,
        offset: i64,
    ) -> Result<Hits, sqlx::Error>;
}

pub fn index_for(kind: DbKind) -> &'static dyn SearchIndex {
    match kind {
        DbKind::Sqlite => &Fts5,
        DbKind::Postgres => &TsVector,
    }
}

const UPSERT: &str = "INSERT INTO search_documents (record_kind, record_id, user_id, title, body, doc_no, updated_at)
     VALUES ($1, $2, $3, $4, $5, {doc_no}, $6)
     ON CONFLICT (record_kind, record_id) DO UPDATE SET title = $4, body = $5, updated_at = $6";

async fn upsert(
    conn: &mut AnyConnection,
    doc_no: &str,
    user_id: &UserId,
    kind: RecordKind,
    id: &str,
    text: &SearchText,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    // `user_id` is not updated: a record never changes hands, and ids are the records' own.
    sqlx::query(&UPSERT.replace("{doc_no}", doc_no))
        .bind(kind.as_str())
        .bind(id)
        .bind(user_id)
        .bind(&text.title)
        .bind(&text.body)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// SQLite: FTS5 over `search_documents` (see migrations/sqlite).
struct Fts5;

impl Fts5 {
    /// `"rust" "engin"*`: each word quoted (a word is letters and digits only, so it never holds
    /// a quote), all required, the last also as a prefix.
    fn match_expression(terms: &SearchTerms) -> String {
        let quoted: Vec<String> = terms.words().iter().map(|w| format!("\"{w}\"")).collect();
        format!("{}*", quoted.join(" "))
    }
}

#[async_trait::async_trait]
impl SearchIndex for Fts5 {
    async fn put(
        &self,
        conn: &mut AnyConnection,
        user_id: &UserId,
        kind: RecordKind,
        id: &str,
        text: &SearchText,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        // SQLite runs one write transaction at a time (`BEGIN IMMEDIATE`), so the next number is
        // free; the unique index on doc_no makes MAX a lookup.
        let next = "(SELECT COALESCE(MAX(doc_no), 0) + 1 FROM search_documents)";
        upsert(conn, next, user_id, kind, id, text, now).await
    }

    async fn search(
        &self,
        pool: &AnyPool,
        user_id: &UserId,
        terms: &SearchTerms,
        limit: i64,
        offset: i64,
    ) -> Result<Hits, sqlx::Error> {
        let expression = Self::match_expression(terms);
        let from = "FROM search_fts JOIN search_documents d ON d.doc_no = search_fts.rowid
                    WHERE search_fts MATCH $2 AND d.user_id = $1";
        let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {from}"))
            .bind(user_id)
            .bind(&expression)
            .fetch_one(pool)
            .await?;
        if total == 0 {
            return Ok(Hits::default());
        }
        // bm25's weights are the columns': a title word counts ten times a body word. The
        // snippet is the body's (the title is shown on its own).
        let items = sqlx::query_as(&format!(
            "SELECT d.record_kind, d.record_id, d.title,
                    snippet(search_fts, 1, $5, $6, '…', 24) AS snippet
             {from}
             ORDER BY bm25(search_fts, 10.0, 1.0), d.updated_at DESC, d.record_id
             LIMIT $3 OFFSET $4"
        ))
        .bind(user_id)
        .bind(&expression)
        .bind(limit)
        .bind(offset)
        .bind(MARK_START.to_string())
        .bind(MARK_END.to_string())
        .fetch_all(pool)
        .await?;
        Ok(Hits { items, total })
    }
}

/// PostgreSQL: the `document` tsvector column and its GIN index (see migrations/postgres).
struct TsVector;

impl TsVector {
    /// `'rust' & 'engin':*` for `to_tsquery`: each word quoted (letters and digits only), all
    /// required, the last also as a prefix.
    fn tsquery(terms: &SearchTerms) -> String {
        let quoted: Vec<String> = terms.words().iter().map(|w| format!("'{w}'")).collect();
        format!("{}:*", quoted.join(" & "))
    }
}

#[async_trait::async_trait]
impl SearchIndex for TsVector {
    async fn put(
        &self,
        conn: &mut AnyConnection,
        user_id: &UserId,
        kind: RecordKind,
        id: &str,
        text: &SearchText,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        // The database makes the document itself (a generated column); doc_no is SQLite's.
        upsert(conn, "NULL", user_id, kind, id, text, now).await
    }

    async fn search(
        &self,
        pool: &AnyPool,
        user_id: &UserId,
        terms: &SearchTerms,
        limit: i64,
        offset: i64,
    ) -> Result<Hits, sqlx::Error> {
        let query = Self::tsquery(terms);
        let matching = "FROM search_documents WHERE user_id = $1 AND document @@ to_tsquery('simple', $2)";
        let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {matching}"))
            .bind(user_id)
            .bind(&query)
            .fetch_one(pool)
            .await?;
        if total == 0 {
            return Ok(Hits::default());
        }
        // Weights D, C, B, A: a title word (A) counts 1.0, a body word (B) 0.4. The snippet
        // (ts_headline reads the whole text) is made only for the page's rows.
        let options = format!(
            "StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=24, MinWords=12, MaxFragments=2, \
             FragmentDelimiter=\" … \""
        );
        let items = sqlx::query_as(&format!(
            "SELECT record_kind, record_id, title,
                    ts_headline('simple', body, to_tsquery('simple', $2), $5) AS snippet
             FROM (SELECT record_kind, record_id, title, body, updated_at,
                          ts_rank('{{0.1, 0.2, 0.4, 1.0}}', document, to_tsquery('simple', $2)) AS rank
                   {matching}
                   ORDER BY rank DESC, updated_at DESC, record_id LIMIT $3 OFFSET $4) hits
             ORDER BY rank DESC, updated_at DESC, record_id"
        ))
        .bind(user_id)
        .bind(&query)
        .bind(limit)
        .bind(offset)
        .bind(options)
        .fetch_all(pool)
        .await?;
        Ok(Hits { items, total })
    }
}

/// Take a record's document out of the index (in the transaction that deletes the record).
pub async fn forget(conn: &mut AnyConnection, user_id: &UserId, kind: RecordKind, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM search_documents WHERE user_id = $1 AND record_kind = $2 AND record_id = $3")
        .bind(user_id)
        .bind(kind.as_str())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Take out the documents of the records `ids_sql` selects (`$1` the owner, `$2` what they
/// belong to): for records deleted with another one, such as an opportunity's interviews.
pub async fn forget_selected(
    conn: &mut AnyConnection,
    user_id: &UserId,
    kind: RecordKind,
    ids_sql: &str,
    of: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "DELETE FROM search_documents WHERE user_id = $1 AND record_kind = '{}' AND record_id IN ({ids_sql})",
        kind.as_str()
    ))
    .bind(user_id)
    .bind(of)
    .execute(conn)
    .await?;
    Ok(())
}

/// `(owner, id)` of up to `limit` records of a table that have no document yet: records from
/// before the index, which start-up indexes.
pub async fn unindexed<'e>(
    ex: impl Executor<'e, Database = Any>,
    table: &str,
    kind: RecordKind,
    limit: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT t.user_id, t.id FROM {table} t
         WHERE NOT EXISTS (SELECT 1 FROM search_documents d WHERE d.record_kind = $1 AND d.record_id = t.id)
         ORDER BY t.id LIMIT $2"
    ))
    .bind(kind.as_str())
    .bind(limit)
    .fetch_all(ex)
    .await
}
