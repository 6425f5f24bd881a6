//! The list and write machinery every kind of record shares: where a kind is kept, a page of
//! it filtered by label, status or parent, lookups by owner and id, and one way of binding writes.
//! Every query names the owner: a record is only ever found, changed or deleted with its user's id.

use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, FromRow};

use crate::clock::Timestamp;
use crate::domain::fields::name_key;
use crate::domain::opportunities::OpportunityStatus;
use crate::domain::records::RecordKind;
use crate::domain::UserId;

/// Where a kind of record is kept and how its list is ordered.
pub struct Table {
    pub kind: RecordKind,
    pub name: &'static str,
    pub columns: &'static str,
    pub order_by: &'static str,
    /// Whether its records have a `status` that lists can be filtered by.
    pub has_status: bool,
    /// Whether its records are done or open (a `done` flag) and lists can be filtered by it.
    pub has_done: bool,
    /// The record its records belong to, if lists can be narrowed to one: the query
    /// parameter and the column (`?opportunity=` and `opportunity_id` for interviews).
    pub parent: Option<(&'static str, &'static str)>,
    /// Tables joined into every list and lookup (`t` is the record's own).
    pub joins: &'static str,
    /// The columns its list can be sorted by (`?sort=&dir=`), if any.
    pub sorts: Option<&'static Sorts>,
}

impl Table {
    /// The sort `?sort=key&dir=…` asks for when `key` is one of this table's columns (a
    /// direction other than `asc` or `desc` is the column's own), or else the table's default
    /// sort; `None` for a table without sortable columns.
    pub fn sort(&self, key: Option<&str>, direction: Option<&str>) -> Option<Sort> {
        let sorts = self.sorts?;
        let asked = key.and_then(|key| sorts.columns.iter().find(|column| column.key == key.trim()));
        let Some(column) = asked else { return Some(sorts.default_sort()) };
        Some(Sort { column, direction: direction.and_then(Direction::parse).unwrap_or(column.first) })
    }
}

/// A table's sortable columns, and which of them (in its own first direction) is the order of
/// its list when no sort is asked for; that column sorts as the table's `order_by` does.
#[derive(Debug)]
pub struct Sorts {
    pub columns: &'static [SortColumn],
    pub default: usize,
}

impl Sorts {
    pub fn default_sort(&'static self) -> Sort {
        let column = &self.columns[self.default];
        Sort { column, direction: column.first }
    }
    pub fn column(&'static self, key: &str) -> Option<&'static SortColumn> {
        self.columns.iter().find(|column| column.key == key)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ascending,
    Descending,
}

impl Direction {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "asc" => Some(Direction::Ascending),
            "desc" => Some(Direction::Descending),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ascending => "asc",
            Direction::Descending => "desc",
        }
    }
    pub fn flipped(self) -> Self {
        match self {
            Direction::Ascending => Direction::Descending,
            Direction::Descending => Direction::Ascending,
        }
    }
    fn sql(self) -> &'static str {
        match self {
            Direction::Ascending => "ASC",
            Direction::Descending => "DESC",
        }
    }
}

/// A column a list can be sorted by: its key in `?sort=`, the SQL it sorts by (our own text,
/// never the request's), and the direction it sorts in when first chosen.
#[derive(Debug)]
pub struct SortColumn {
    pub key: &'static str,
    pub sql: &'static str,
    pub first: Direction,
}

/// A list's sort: one of its table's columns, one way.
#[derive(Debug, Clone, Copy)]
pub struct Sort {
    pub column: &'static SortColumn,
    pub direction: Direction,
}

impl Sort {
    /// Records without a value come last either way (SQLite and PostgreSQL would otherwise put
    /// NULLs at opposite ends), and records that sort alike keep one order by id, so pages
    /// neither repeat nor skip a record.
    fn order_by(self) -> String {
        let direction = self.direction.sql();
        format!("{} {direction} NULLS LAST, t.id {direction}", self.column.sql)
    }
}

/// Which page of a list, and an optional label (by name) every record on it must carry.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub label: Option<String>,
    pub page: i64,
    pub per_page: i64,
    pub audience: Audience,
    /// Only records in this status.
    pub status: Option<OpportunityStatus>,
    /// Only records done (`true`) or open (`false`), where the table has a `done` flag.
    pub done: Option<bool>,
    /// Only records that belong to this one (see [`Table::parent`]).
    pub parent: Option<uuid::Uuid>,
    /// A sort other than the table's own order (see [`Table::sorts`]).
    pub sort: Option<Sort>,
    /// Where the page starts: just after or before one record (keyset pagination). Followed
    /// only in the table's own order; otherwise, and when that record is gone, `page` decides.
    pub cursor: Option<Cursor>,
}

/// A page that starts next to one record: the last of the page before it (`After`) or the first
/// of the page after it (`Before`). A page so found costs one index seek however deep it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    After(uuid::Uuid),
    Before(uuid::Uuid),
}

/// Who the list is for: its owner sees everything; a visitor sees only what the owner made
/// public, filtered only by public labels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Audience {
    #[default]
    Owner,
    /// Records marked "show on my resume".
    Resume,
    /// Records marked "show on my resume", filtered by any of the owner's labels, private ones
    /// too (the owner's own resume documents).
    OwnResume,
    /// Journal entries marked public.
    PublicJournal,
}

impl Audience {
    fn condition(self) -> &'static str {
        match self {
            Audience::Owner => "",
            Audience::Resume | Audience::OwnResume => " AND t.on_resume = 1",
            Audience::PublicJournal => " AND t.is_public = 1",
        }
    }
    fn label_condition(self) -> &'static str {
        match self {
            Audience::Owner | Audience::OwnResume => "",
            _ => " AND l.is_public = 1",
        }
    }
}

impl ListFilter {
    fn offset(&self) -> i64 {
        (self.page.max(1) - 1) * self.per_page
    }

    /// The order the list is in: a sort asked for, or the table's own (the table's default sort
    /// is its own order, written as the table writes it so that its index serves it).
    fn order_by(&self, table: &Table) -> String {
        match self.sort {
            Some(sort) if !table.is_default_sort(sort) => sort.order_by(),
            _ => table.order_by.to_owned(),
        }
    }

    /// Whether this list can be read after or before a record: in the table's own order, when
    /// that order is plain columns ending with the id.
    pub fn pages_by_cursor(&self, table: &Table) -> bool {
        self.sort.is_none_or(|sort| table.is_default_sort(sort)) && table.keyset().is_some()
    }
}

impl Table {
    fn is_default_sort(&self, sort: Sort) -> bool {
        self.sorts.is_some_and(|sorts| {
            let default = sorts.default_sort();
            std::ptr::eq(default.column, sort.column) && default.direction == sort.direction
        })
    }

    /// The columns of the table's own order and its one direction, when that order is plain
    /// columns of its own ending with the id (`t.updated_at DESC, t.id DESC`): a page of it
    /// can then start just after or before a record.
    pub fn keyset(&self) -> Option<(Vec<&'static str>, Direction)> {
        let mut columns = Vec::new();
        let mut direction = None;
        for term in self.order_by.split(',') {
            let mut words = term.split_whitespace();
            let column = words.next()?;
            let this = match words.next() {
                None => Direction::Ascending,
                Some(word) => Direction::parse(&word.to_ascii_lowercase())?,
            };
            let plain =
                column.strip_prefix("t.").is_some_and(|name| name.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            if words.next().is_some() || !plain || direction.is_some_and(|d| d != this) {
                return None;
            }
            direction = Some(this);
            columns.push(column);
        }
        (columns.last() == Some(&"t.id")).then_some((columns, direction?))
    }
}

/// One page of a list and how many records match in all.
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

fn list_condition(table: &Table, filter: &ListFilter) -> String {
    // A status's key is one of our own words, so it may be written in.
    let status = match filter.status {
        Some(status) if table.has_status => format!(" AND t.status = '{status}'"),
        _ => String::new(),
    };
    let done = match filter.done {
        Some(done) if table.has_done => format!(" AND t.done = {}", i64::from(done)),
        _ => String::new(),
    };
    // A parsed UUID is hex digits and dashes, so it too may be written in.
    let parent = match (filter.parent, table.parent) {
        (Some(id), Some((_, column))) => format!(" AND t.{column} = '{id}'"),
        _ => String::new(),
    };
    // Without a label the condition still names `$2` and `$3` (every query binds the same
    // values in the same places), but as a constant the planner drops, so a plain list or count
    // can be answered from an index alone.
    let label = if label_key(filter).is_none() {
        // A name no label can have: the condition holds for nothing ($3 is a kind's name).
        "$2 = '' AND $3 = ''".to_owned()
    } else if filter.label.is_some() {
        format!(
            "EXISTS (SELECT 1 FROM record_labels rl JOIN labels l ON l.id = rl.label_id \
             WHERE rl.user_id = $1 AND rl.record_kind = $3 AND rl.record_id = t.id AND l.name_key = $2{})",
            filter.audience.label_condition()
        )
    } else {
        "$2 = '' AND $3 <> ''".to_owned()
    };
    format!("t.user_id = $1{}{status}{done}{parent} AND {label}", filter.audience.condition())
}

/// The key the records' labels are matched by: `""` without a label filter, `None` for a name
/// no label can have. Label names refuse control characters, and PostgreSQL cannot take a NUL in
/// a text parameter at all, so such a name is not sent to the database.
fn label_key(filter: &ListFilter) -> Option<String> {
    match filter.label.as_deref() {
        Some(label) if label.chars().any(char::is_control) => None,
        Some(label) => Some(name_key(label)),
        None => Some(String::new()),
    }
}

/// One page of a list and how many records match in all.
pub async fn list<'e, T>(
    ex: impl Executor<'e, Database = Any> + Copy,
    table: &Table,
    user_id: &UserId,
    filter: &ListFilter,
) -> Result<Page<T>, sqlx::Error>
where
    T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
{
    let label = label_key(filter).unwrap_or_default();
    let total: i64 = sqlx::query_scalar(&count_sql(table, filter))
        .bind(user_id)
        .bind(&label)
        .bind(table.kind.as_str())
        .fetch_one(ex)
        .await?;
    let items = rows(ex, table, user_id, filter).await?;
    Ok(Page { items, total })
}

/// One page of a list, without counting the rest (for pages that show everything at once).
///
/// A page after or before a record ([`ListFilter::cursor`]) is read from that record on, in the
/// index of the table's order; any other page finds its records' ids first (from an index
/// alone where one covers the list's condition and order) and reads only those rows, so a deep
/// page by number skips index entries, not rows.
pub async fn rows<'e, T>(
    ex: impl Executor<'e, Database = Any> + Copy,
    table: &Table,
    user_id: &UserId,
    filter: &ListFilter,
) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
{
    let label = label_key(filter).unwrap_or_default();
    if let Some((sql, cursor)) =
        filter.cursor.and_then(|cursor| Some((page_next_to_sql(table, filter, cursor)?, cursor)))
    {
        let mut rows: Vec<T> = sqlx::query_as(&sql)
            .bind(user_id)
            .bind(&label)
            .bind(table.kind.as_str())
            .bind(filter.per_page)
            .fetch_all(ex)
            .await?;
        // An empty page next to a record: the record is gone (or was the last); the page's
        // number says where to read instead.
        if !rows.is_empty() {
            if matches!(cursor, Cursor::Before(_)) {
                rows.reverse();
            }
            return Ok(rows);
        }
    }
    sqlx::query_as(&page_sql(table, filter))
        .bind(user_id)
        .bind(&label)
        .bind(table.kind.as_str())
        .bind(filter.per_page)
        .bind(filter.offset())
        .fetch_all(ex)
        .await
}

// The SQL of a list's queries. Each binds `$1` the owner, `$2` the label's key and `$3` the
// kind (see `list_condition`), then `$4` the page's size and, for a page by number, `$5` its
// offset. Public so that the tests can EXPLAIN them on both databases.

/// How many records the list has in all: counted without the joins (they only name what a
/// record belongs to, which always exists), so from an index alone where one covers the
/// condition.
pub fn count_sql(table: &Table, filter: &ListFilter) -> String {
    format!("SELECT COUNT(*) FROM {} t WHERE {}", table.name, list_condition(table, filter))
}

/// A page by its number (`$5` the offset): the page's ids first, by the list's condition and
/// order, then only those rows.
pub fn page_sql(table: &Table, filter: &ListFilter) -> String {
    let order_by = filter.order_by(table);
    format!(
        "SELECT {columns} FROM (SELECT t.id AS page_id FROM {name} t WHERE {condition} \
           ORDER BY {order_by} LIMIT $4 OFFSET $5) page \
         JOIN {name} t ON t.id = page.page_id {joins} ORDER BY {order_by}",
        columns = table.columns,
        name = table.name,
        joins = table.joins,
        condition = list_condition(table, filter),
    )
}

/// The page just after or before a record, in the table's own order (a page before comes
/// backwards: turn it around): the rows whose order columns, compared as one row value, come
/// after (or before) the record's, so that the index seeks straight to it. `None` when the
/// list's order cannot start next to a record.
pub fn page_next_to_sql(table: &Table, filter: &ListFilter, cursor: Cursor) -> Option<String> {
    if !filter.pages_by_cursor(table) {
        return None;
    }
    let (columns, direction) = table.keyset()?;
    let (id, forward) = match cursor {
        Cursor::After(id) => (id, true),
        Cursor::Before(id) => (id, false),
    };
    let reading = if forward { direction } else { direction.flipped() };
    let comparison = if reading == Direction::Descending { "<" } else { ">" };
    // The record's own values, one scalar subquery each, found by its id (a parsed UUID, so it
    // may be written in); the id is the last column and needs no lookup. Scalars (not one row
    // subquery) make a row comparison both databases take as an index range.
    let values: Vec<String> = columns
        .iter()
        .map(|column| match column.strip_prefix("t.").unwrap_or(column) {
            "id" => format!("'{id}'"),
            name => format!("(SELECT c.{name} FROM {} c WHERE c.user_id = $1 AND c.id = '{id}')", table.name),
        })
        .collect();
    let order_by: Vec<String> = columns.iter().map(|column| format!("{column} {}", reading.sql())).collect();
    Some(format!(
        "SELECT {} FROM {} t {} WHERE {} AND ({}) {comparison} ({}) ORDER BY {} LIMIT $4",
        table.columns,
        table.name,
        table.joins,
        list_condition(table, filter),
        columns.join(", "),
        values.join(", "),
        order_by.join(", "),
    ))
}

pub async fn get<'e, T>(
    ex: impl Executor<'e, Database = Any>,
    table: &Table,
    user_id: &UserId,
    id: &str,
) -> Result<Option<T>, sqlx::Error>
where
    T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
{
    sqlx::query_as(&format!(
        "SELECT {} FROM {} t {} WHERE t.user_id = $1 AND t.id = $2",
        table.columns, table.name, table.joins
    ))
    .bind(user_id)
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// Delete a record and the labels on it.
pub async fn delete(conn: &mut AnyConnection, table: &Table, user_id: &UserId, id: &str) -> Result<bool, sqlx::Error> {
    crate::db::labels::remove_all_from_record(&mut *conn, user_id, table.kind, id).await?;
    let done = sqlx::query(&format!("DELETE FROM {} WHERE user_id = $1 AND id = $2", table.name))
        .bind(user_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// How many records of this kind the user has.
pub async fn count<'e>(
    ex: impl Executor<'e, Database = Any>,
    table: &Table,
    user_id: &UserId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {} WHERE user_id = $1", table.name))
        .bind(user_id)
        .fetch_one(ex)
        .await
}

/// `(id, title)` pairs of a user's records, for choosing one in a form (newest first).
pub async fn choices<'e>(
    ex: impl Executor<'e, Database = Any>,
    table: &Table,
    title_sql: &str,
    user_id: &UserId,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT t.id, {title_sql} FROM {} t {} WHERE t.user_id = $1 ORDER BY {} LIMIT 500",
        table.name, table.joins, table.order_by
    ))
    .bind(user_id)
    .fetch_all(ex)
    .await
}

pub async fn exists<'e>(
    ex: impl Executor<'e, Database = Any>,
    table: &Table,
    user_id: &UserId,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> =
        sqlx::query_scalar(&format!("SELECT 1 FROM {} WHERE user_id = $1 AND id = $2", table.name))
            .bind(user_id)
            .bind(id)
            .fetch_optional(ex)
            .await?;
    Ok(found.is_some())
}

pub(crate) fn date_text(date: Option<crate::domain::fields::PartialDate>) -> Option<String> {
    date.map(|d| d.to_string())
}

pub(crate) type Query<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

/// Run an insert or update whose placeholders are `$1` the owner, `$2` the record, then the
/// record's fields, then the time: inserts and updates of a kind share one way of binding.
pub(crate) async fn write<'q>(
    conn: &mut AnyConnection,
    sql: &'q str,
    user_id: &'q UserId,
    id: &'q str,
    fields: impl FnOnce(Query<'q>) -> Query<'q>,
    now: Timestamp,
) -> Result<u64, sqlx::Error> {
    let query = fields(sqlx::query(sql).bind(user_id).bind(id));
    Ok(query.bind(now).execute(conn).await?.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_in_plain_columns_ending_with_the_id_can_start_next_to_a_record() {
        let keyset = |table: &Table| table.keyset().map(|(columns, direction)| (columns.join(", "), direction));
        let desc = Direction::Descending;
        assert_eq!(keyset(&crate::db::opportunities::OPPORTUNITIES), Some(("t.updated_at, t.id".into(), desc)));
        assert_eq!(keyset(&crate::db::interviews::INTERVIEWS), Some(("t.starts_at, t.id".into(), desc)));
        assert_eq!(keyset(&crate::db::journal::JOURNAL), Some(("t.entry_date, t.id".into(), desc)));
        assert_eq!(keyset(&crate::db::contacts::CONTACTS), Some(("t.name, t.id".into(), Direction::Ascending)));
        // An order by an expression, or in mixed directions, pages by number only.
        assert_eq!(keyset(&crate::db::career::EXPERIENCES), None);
        assert_eq!(keyset(&crate::db::career::PROJECTS), None);
    }

    #[test]
    fn only_the_tables_own_order_pages_by_cursor() {
        let table = &crate::db::opportunities::OPPORTUNITIES;
        let by =
            |key: Option<&str>, dir: Option<&str>| ListFilter { sort: table.sort(key, dir), ..ListFilter::default() };
        assert!(by(None, None).pages_by_cursor(table), "the default sort is the table's order");
        assert!(by(Some("updated"), Some("desc")).pages_by_cursor(table));
        assert!(!by(Some("updated"), Some("asc")).pages_by_cursor(table));
        assert!(!by(Some("company"), None).pages_by_cursor(table));
        let id = uuid::Uuid::nil();
        assert!(page_next_to_sql(table, &by(Some("company"), None), Cursor::After(id)).is_none());
        let after = page_next_to_sql(table, &by(None, None), Cursor::After(id)).unwrap();
        assert!(after.contains("(t.updated_at, t.id) < ((SELECT c.updated_at FROM opportunities c"), "{after}");
        assert!(after.ends_with("ORDER BY t.updated_at DESC, t.id DESC LIMIT $4"), "{after}");
        let before = page_next_to_sql(table, &by(None, None), Cursor::Before(id)).unwrap();
        assert!(before.contains("(t.updated_at, t.id) > (") && before.ends_with("t.id ASC LIMIT $4"), "{before}");
    }
}
