//! The search box: the user's own records that have the words typed, best matches first; and,
//! at start-up, indexing the records that have no search document yet (those from before the
//! index). Records are indexed as they are saved by the one write path (`services::records`).

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::lists::Table;
use crate::db::search::{self, Hit};
use crate::db::Db;
use crate::domain::records::RecordKind;
use crate::domain::search::{snippet_pieces, SearchTerms};
use crate::domain::UserId;
use crate::services::records::kinds::*;
use crate::services::records::{self, RecordType};
use crate::services::{Handles, ServiceResult};

pub const PER_PAGE: i64 = 20;
/// Pages past this are not offered (a search that needs them needs more words).
pub const MAX_PAGE: i64 = 50;

/// One record found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    /// The kind of record: `experience`, `skill`, `project`, `achievement`, `education`,
    /// `certification`, `journal_entry`, `opportunity`, `contact`, `interview`, `note` or `task`.
    pub kind: String,
    #[schema(format = Uuid)]
    pub id: String,
    pub title: String,
    /// A few words of the record's text around what matched, as plain text.
    pub snippet: String,
    /// The record's page, e.g. `/opportunities/{id}`; its API is the same under `/api/v1`.
    pub url: String,
    /// The kind in words, for pages.
    #[serde(skip)]
    #[schema(ignore)]
    pub kind_name: String,
    /// The snippet in pieces, `(text, matched)`, for pages to mark the matched words.
    #[serde(skip)]
    #[schema(ignore)]
    pub pieces: Vec<(String, bool)>,
}

/// One page of what a search found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResults {
    /// The query as it was searched for.
    pub query: String,
    pub items: Vec<SearchHit>,
    pub page: i64,
    pub per_page: i64,
    /// How many of the user's records match in all.
    pub total: i64,
}

impl SearchResults {
    pub fn last_page(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).clamp(1, MAX_PAGE)
    }
}

fn kind_of(key: &str) -> Option<RecordKind> {
    RecordKind::from_key(key)
}

fn hit(found: Hit) -> SearchHit {
    let kind = kind_of(&found.record_kind);
    let pieces = snippet_pieces(&found.snippet);
    SearchHit {
        kind_name: kind.map(|k| capitalised(k.singular())).unwrap_or_default(),
        url: kind.map(|k| format!("/{}/{}", k.path(), found.record_id)).unwrap_or_default(),
        snippet: pieces.iter().map(|(text, _)| text.as_str()).collect(),
        pieces,
        kind: found.record_kind,
        id: found.record_id,
        title: found.title,
    }
}

fn capitalised(words: &str) -> String {
    let mut chars = words.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// One page of the user's records that have every word of `query`. A query without a word
/// (only punctuation, say) finds nothing rather than everything.
pub async fn search(db: &Db, user_id: &UserId, query: &str, page: i64) -> ServiceResult<SearchResults> {
    let terms = SearchTerms::parse(query);
    let page = page.clamp(1, MAX_PAGE);
    let found = if terms.is_empty() {
        search::Hits::default()
    } else {
        db.search().search(db.pool(), user_id, &terms, PER_PAGE, (page - 1) * PER_PAGE).await?
    };
    Ok(SearchResults {
        query: terms.words().join(" "),
        items: found.items.into_iter().map(hit).collect(),
        page,
        per_page: PER_PAGE,
        total: found.total,
    })
}

/// Index every record that has no search document yet, in batches, each in a transaction of
/// its own. Safe to run from several instances at once: a document is put, not inserted twice.
pub async fn index_missing(handles: &Handles) -> ServiceResult<u64> {
    // Every kind of record; a new kind adds its line here (and is then found by default).
    let counts = [
        index_missing_of::<Experiences>(handles).await?,
        index_missing_of::<Skills>(handles).await?,
        index_missing_of::<Projects>(handles).await?,
        index_missing_of::<Achievements>(handles).await?,
        index_missing_of::<EducationRecords>(handles).await?,
        index_missing_of::<Certifications>(handles).await?,
        index_missing_of::<Journal>(handles).await?,
        index_missing_of::<Opportunities>(handles).await?,
        index_missing_of::<Contacts>(handles).await?,
        index_missing_of::<Interviews>(handles).await?,
        index_missing_of::<Notes>(handles).await?,
        index_missing_of::<Tasks>(handles).await?,
    ];
    Ok(counts.iter().sum())
}

async fn index_missing_of<K: RecordType>(handles: &Handles) -> ServiceResult<u64> {
    let table: &Table = K::TABLE;
    let mut indexed = 0;
    loop {
        let batch = search::unindexed(handles.db.pool(), table.name, table.kind, 200).await?;
        if batch.is_empty() {
            return Ok(indexed);
        }
        let now = handles.clock.now();
        let mut tx = handles.db.begin_write().await?;
        for (user_id, id) in &batch {
            records::index::<K>(&mut tx, &UserId::from(user_id.clone()), id, now).await?;
        }
        tx.commit().await?;
        indexed += batch.len() as u64;
    }
}
