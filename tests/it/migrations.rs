//! Both databases end with the same schema, databases migrated before the shared folder keep
//! working, and `careerlog migrate` brings a database up to date.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use careerlog::db::migrations::{LEGACY_CHECKSUMS, SHARED_MIGRATIONS};
use careerlog::db::Db;
use sqlx::migrate::{MigrateError, Migration, Migrator};
use sqlx::{Connection, Row};

use crate::support::{fresh_postgres_database, Backend};

/// Both databases run the same versions: a migration written for one dialect has its
/// counterpart in the other. Cheap, so it also runs where no PostgreSQL is at hand.
#[test]
fn sqlite_and_postgres_migrations_have_the_same_versions_and_names() {
    use careerlog::db::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
    let list = |m: &Migrator| m.iter().map(|m| (m.version, m.description.to_string())).collect::<Vec<_>>();
    let sqlite = list(&SQLITE_MIGRATIONS);
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, list(&POSTGRES_MIGRATIONS));
}

/// Both create the same tables (the column-by-column comparison below needs PostgreSQL).
#[test]
fn both_migration_sets_create_the_same_tables() {
    use careerlog::db::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
    let tables = |m: &Migrator| {
        let re = regex::Regex::new(r"CREATE TABLE (\w+)").unwrap();
        let mut names: Vec<String> =
            m.iter().flat_map(|m| re.captures_iter(&m.sql).map(|c| c[1].to_owned()).collect::<Vec<_>>()).collect();
        names.sort();
        names
    };
    assert!(!tables(&SQLITE_MIGRATIONS).is_empty());
    assert_eq!(tables(&SQLITE_MIGRATIONS), tables(&POSTGRES_MIGRATIONS));
}

/// An empty database of either kind; a SQLite file (not `:memory:`, which a pool cannot share).
struct TestDatabase {
    url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    async fn fresh(backend: Backend) -> Option<TestDatabase> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                Some(TestDatabase { url, _dir: Some(dir) })
            }
            Backend::Postgres => Some(TestDatabase { url: fresh_postgres_database().await?, _dir: None }),
        }
    }

    async fn connect(&self) -> Db {
        Db::connect(&self.url, 2).await.unwrap()
    }
}

// ---------------------------------------------------------------------------------------------
// Schema parity

/// The schema as a set of comparable facts, one line each, e.g.
/// `users: column email text null`, `skills: unique (user_id, name_key)`,
/// `notes: index notes_owner (user_id, updated_at)`. Names and types are normalised so that what
/// is the same on both databases reads the same; sqlx's own `_sqlx_migrations` is left out.
type Schema = BTreeSet<String>;

async fn schema(url: &str) -> Schema {
    if url.starts_with("sqlite:") {
        sqlite_schema(url).await
    } else {
        postgres_schema(url).await
    }
}

#[derive(Default)]
struct Column {
    name: String,
    declared_type: String,
    not_null: bool,
    default: Option<String>,
}

#[derive(Default)]
struct Index {
    unique: bool,
    partial: bool,
    /// Column names in order; `<expression>` for an expression, ` desc` appended when descending.
    columns: Vec<String>,
}

#[derive(Default)]
struct ForeignKey {
    columns: Vec<String>,
    references: String,
    referenced: Vec<String>,
    on_update: String,
    on_delete: String,
}

/// One table read from either database, before it becomes facts.
#[derive(Default)]
struct Table {
    columns: Vec<Column>,
    primary_key: Vec<String>,
    /// Indexes made by `CREATE INDEX`, by name.
    indexes: BTreeMap<String, Index>,
    /// Indexes behind `UNIQUE` constraints, whose names each database makes up: compared by columns.
    unique_constraints: Vec<Vec<String>>,
    foreign_keys: Vec<ForeignKey>,
}

fn facts(tables: &BTreeMap<String, Table>, views: &[String]) -> Schema {
    let mut facts = Schema::new();
    for view in views {
        facts.insert(format!("view {view}"));
    }
    for (name, table) in tables {
        facts.insert(format!("table {name}"));
        let order: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        facts.insert(format!("{name}: columns in order ({})", order.join(", ")));
        for column in &table.columns {
            let mut fact = format!("{name}: column {} {}", column.name, normal_type(&column.declared_type));
            fact.push_str(if column.not_null { " not null" } else { " null" });
            if let Some(default) = normal_default(column.default.as_deref()) {
                fact.push_str(&format!(" default {default}"));
            }
            facts.insert(fact);
        }
        if !table.primary_key.is_empty() {
            facts.insert(format!("{name}: primary key ({})", table.primary_key.join(", ")));
        }
        for columns in &table.unique_constraints {
            facts.insert(format!("{name}: unique ({})", columns.join(", ")));
        }
        for (index_name, index) in &table.indexes {
            facts.insert(format!(
                "{name}: {}index {index_name} ({}){}",
                if index.unique { "unique " } else { "" },
                index.columns.join(", "),
                if index.partial { " partial" } else { "" }
            ));
        }
        for key in &table.foreign_keys {
            facts.insert(format!(
                "{name}: foreign key ({}) references {}({}) on update {} on delete {}",
                key.columns.join(", "),
                key.references,
                key.referenced.join(", "),
                key.on_update.to_lowercase(),
                key.on_delete.to_lowercase()
            ));
        }
    }
    facts
}

/// One spelling per type: SQLite keeps the declared type as written, PostgreSQL names its own.
fn normal_type(declared: &str) -> String {
    let lower = declared.trim().to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
    let (base, size) = match lower.find('(') {
        Some(at) => (lower[..at].trim().to_owned(), lower[at..].replace(' ', "")),
        None => (lower, String::new()),
    };
    let base = match base.as_str() {
        "int" | "int4" | "integer" => "integer",
        "int8" | "bigint" => "bigint",
        "int2" | "smallint" => "smallint",
        "blob" | "bytea" => "blob",
        "float4" | "real" => "real",
        "float8" | "double" | "double precision" => "double precision",
        "bool" | "boolean" => "boolean",
        "character varying" | "varchar" => "varchar",
        "decimal" | "numeric" => "numeric",
        other => other,
    };
    format!("{base}{size}")
}

/// One spelling per default: PostgreSQL shows a literal with its cast (`''::text`,
/// `'-1'::integer`), SQLite shows the text as written (`''`, `-1`, sometimes in parentheses).
fn normal_default(raw: Option<&str>) -> Option<String> {
    let cast = regex::Regex::new(r"^(.*)::[a-z_][a-z0-9_ ]*(\(\d+(,\s*\d+)?\))?$").unwrap();
    let mut value = raw?.trim().to_owned();
    loop {
        if let Some(inner) = strip_outer_parentheses(&value) {
            value = inner.trim().to_owned();
        } else if let Some(captures) = cast.captures(&value) {
            value = captures[1].trim().to_owned();
        } else {
            break;
        }
    }
    if let Some(quoted) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        if quoted.parse::<f64>().is_ok() {
            value = quoted.to_owned();
        }
    }
    (!value.eq_ignore_ascii_case("null")).then_some(value)
}

/// `(x)` → `x`, but not `(a) + (b)`.
fn strip_outer_parentheses(value: &str) -> Option<&str> {
    let inner = value.strip_prefix('(')?.strip_suffix(')')?;
    let mut depth = 0i32;
    for c in inner.chars() {
        depth += match c {
            '(' => 1,
            ')' => -1,
            _ => 0,
        };
        if depth < 0 {
            return None;
        }
    }
    (depth == 0).then_some(inner)
}

/// The one exception to parity: the full-text index over `search_documents`, which each
/// database keeps its own way (migrations/sqlite and migrations/postgres, version
/// 20261210000002). SQLite has an FTS5 virtual table and the shadow tables FTS5 makes for it
/// (`search_fts`, `search_fts_data`, `_idx`, `_docsize`, `_config`); PostgreSQL has a generated
/// `document` tsvector column on `search_documents` and its GIN index. Only these names are left
/// out; `search_documents` itself is compared like every other table, and
/// `the_search_index_objects_left_out_of_parity_exist` checks that what is left out is there.
struct SearchIndexOnly;

impl SearchIndexOnly {
    const SQLITE_TABLE: &'static str = "search_fts";
    const POSTGRES_COLUMN: (&'static str, &'static str) = ("search_documents", "document");
    const POSTGRES_INDEX: &'static str = "search_documents_document";

    fn sqlite_table(name: &str) -> bool {
        name == Self::SQLITE_TABLE
            || name
                .strip_prefix(Self::SQLITE_TABLE)
                .is_some_and(|shadow| ["_data", "_idx", "_docsize", "_config", "_content"].contains(&shadow))
    }
    fn postgres_column(table: &str, column: &str) -> bool {
        (table, column) == Self::POSTGRES_COLUMN
    }
    fn postgres_index(name: &str) -> bool {
        name == Self::POSTGRES_INDEX
    }
}

async fn sqlite_schema(url: &str) -> Schema {
    let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
    let names = |kind: &'static str| {
        sqlx::query_scalar::<_, String>(
            "SELECT name FROM sqlite_master WHERE type = $1 AND name NOT LIKE 'sqlite_%' \
             AND name <> '_sqlx_migrations' ORDER BY name",
        )
        .bind(kind)
    };
    let mut table_names = names("table").fetch_all(&mut conn).await.unwrap();
    table_names.retain(|name| !SearchIndexOnly::sqlite_table(name));
    let views = names("view").fetch_all(&mut conn).await.unwrap();
    let mut tables = BTreeMap::new();
    for name in table_names {
        let mut table = Table::default();
        let mut primary_key = Vec::new();
        let rows =
            sqlx::query(r#"SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info($1) ORDER BY cid"#)
                .bind(&name)
                .fetch_all(&mut conn)
                .await
                .unwrap();
        for row in rows {
            let pk: i64 = row.get("pk");
            let column = Column {
                name: row.get("name"),
                declared_type: row.get("type"),
                // SQLite lets a primary-key column that is not INTEGER hold NULL (an old quirk
                // no migration can change); PostgreSQL makes it NOT NULL. Both mean the same key.
                not_null: row.get::<i64, _>("notnull") != 0 || pk > 0,
                default: row.get("dflt_value"),
            };
            if pk > 0 {
                primary_key.push((pk, column.name.clone()));
            }
            table.columns.push(column);
        }
        primary_key.sort();
        table.primary_key = primary_key.into_iter().map(|(_, column)| column).collect();

        let indexes = sqlx::query(r#"SELECT name, "unique", origin, partial FROM pragma_index_list($1)"#)
            .bind(&name)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        for index in indexes {
            let index_name: String = index.get("name");
            let origin: String = index.get("origin");
            let columns =
                sqlx::query(r#"SELECT name, cid, "desc" FROM pragma_index_xinfo($1) WHERE key = 1 ORDER BY seqno"#)
                    .bind(&index_name)
                    .fetch_all(&mut conn)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|column| {
                        let name = column.get::<Option<String>, _>("name").unwrap_or_else(|| "<expression>".into());
                        if column.get::<i64, _>("desc") != 0 {
                            format!("{name} desc")
                        } else {
                            name
                        }
                    })
                    .collect();
            match origin.as_str() {
                // The primary key's own index: the primary key is compared from the columns.
                "pk" => {}
                "u" => table.unique_constraints.push(columns),
                _ => {
                    let index = Index {
                        unique: index.get::<i64, _>("unique") != 0,
                        partial: index.get::<i64, _>("partial") != 0,
                        columns,
                    };
                    table.indexes.insert(index_name, index);
                }
            }
        }

        let keys = sqlx::query(
            r#"SELECT id, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list($1)
               ORDER BY id, seq"#,
        )
        .bind(&name)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let mut by_id: BTreeMap<i64, ForeignKey> = BTreeMap::new();
        for row in keys {
            let key = by_id.entry(row.get("id")).or_default();
            key.references = row.get("table");
            key.on_update = row.get("on_update");
            key.on_delete = row.get("on_delete");
            key.columns.push(row.get("from"));
            // `REFERENCES t` without a column means t's primary key; SQLite leaves `to` empty.
            let to: Option<String> = row.get("to");
            key.referenced.push(to.unwrap_or_default());
        }
        table.foreign_keys = by_id.into_values().collect();
        tables.insert(name, table);
    }
    // Fill in the primary key for `REFERENCES t` (no column), now that every table is read.
    let primary_keys: BTreeMap<String, Vec<String>> =
        tables.iter().map(|(name, table)| (name.clone(), table.primary_key.clone())).collect();
    for table in tables.values_mut() {
        for key in &mut table.foreign_keys {
            if key.referenced.iter().all(String::is_empty) {
                key.referenced = primary_keys.get(&key.references).cloned().unwrap_or_default();
            }
        }
    }
    conn.close().await.unwrap();
    facts(&tables, &views)
}

async fn postgres_schema(url: &str) -> Schema {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let table_names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
         AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations' ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let views: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.views WHERE table_schema = current_schema() ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut tables: BTreeMap<String, Table> = table_names.into_iter().map(|name| (name, Table::default())).collect();

    let columns = sqlx::query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, data_type::text AS data_type,
                character_maximum_length::int8 AS length, numeric_precision::int8 AS precision,
                numeric_scale::int8 AS scale, is_nullable::text AS is_nullable, column_default::text AS column_default
         FROM information_schema.columns
         WHERE table_schema = current_schema()
         ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for row in columns {
        let table_name: String = row.get("table_name");
        if SearchIndexOnly::postgres_column(&table_name, &row.get::<String, _>("column_name")) {
            continue;
        }
        let Some(table) = tables.get_mut(&table_name) else { continue };
        let data_type: String = row.get("data_type");
        // Give sized types their size, as SQLite shows `VARCHAR(20)` or `NUMERIC(10,2)`.
        let declared_type = match (row.get::<Option<i64>, _>("length"), data_type.as_str()) {
            (Some(length), _) => format!("{data_type}({length})"),
            (None, "numeric") => match (row.get::<Option<i64>, _>("precision"), row.get::<Option<i64>, _>("scale")) {
                (Some(precision), Some(scale)) => format!("numeric({precision},{scale})"),
                _ => data_type,
            },
            _ => data_type,
        };
        table.columns.push(Column {
            name: row.get("column_name"),
            declared_type,
            not_null: row.get::<String, _>("is_nullable") == "NO",
            default: row.get("column_default"),
        });
    }

    // Every index with its key columns in order (INCLUDE columns left out; attnum 0 is an
    // expression). indkey and indoption are int2vectors, which count from 0.
    let index_columns = sqlx::query(
        "SELECT t.relname::text AS table_name, i.relname::text AS index_name, ix.indisunique AS is_unique,
                ix.indisprimary AS is_primary, ix.indpred IS NOT NULL AS partial,
                EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.contype = 'u')
                    AS is_constraint,
                a.attname::text AS column_name, (ix.indoption[(k.ord - 1)::int] & 1) = 1 AS descending
         FROM pg_index ix
         JOIN pg_class i ON i.oid = ix.indexrelid
         JOIN pg_class t ON t.oid = ix.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
         LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum AND k.attnum <> 0
         WHERE n.nspname = current_schema() AND k.ord <= ix.indnkeyatts
         ORDER BY t.relname, i.relname, k.ord",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut unique_constraints: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for row in index_columns {
        let table_name: String = row.get("table_name");
        let Some(table) = tables.get_mut(&table_name) else { continue };
        let index_name: String = row.get("index_name");
        if SearchIndexOnly::postgres_index(&index_name) {
            continue;
        }
        let mut column = row.get::<Option<String>, _>("column_name").unwrap_or_else(|| "<expression>".into());
        if row.get::<bool, _>("descending") {
            column.push_str(" desc");
        }
        if row.get("is_primary") {
            table.primary_key.push(column);
        } else if row.get("is_constraint") {
            unique_constraints.entry((table_name, index_name)).or_default().push(column);
        } else {
            let index = table.indexes.entry(index_name).or_default();
            index.unique = row.get("is_unique");
            index.partial = row.get("partial");
            index.columns.push(column);
        }
    }
    for ((table_name, _), columns) in unique_constraints {
        tables.get_mut(&table_name).unwrap().unique_constraints.push(columns);
    }

    let key_columns = sqlx::query(
        "SELECT c.conname::text AS name, t.relname::text AS table_name, r.relname::text AS references_table,
                a.attname::text AS column_name, ra.attname::text AS referenced_column,
                c.confupdtype::text AS on_update, c.confdeltype::text AS on_delete
         FROM pg_constraint c
         JOIN pg_class t ON t.oid = c.conrelid
         JOIN pg_class r ON r.oid = c.confrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(attnum, refnum, ord)
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
         JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.refnum
         WHERE c.contype = 'f' AND n.nspname = current_schema()
         ORDER BY t.relname, c.conname, k.ord",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    // PostgreSQL's one-letter actions, in the words SQLite's pragma_foreign_key_list uses.
    let action = |code: String| {
        match code.as_str() {
            "a" => "NO ACTION",
            "r" => "RESTRICT",
            "c" => "CASCADE",
            "n" => "SET NULL",
            "d" => "SET DEFAULT",
            other => panic!("unknown foreign-key action {other}"),
        }
        .to_owned()
    };
    let mut keys: BTreeMap<(String, String), ForeignKey> = BTreeMap::new();
    for row in key_columns {
        let key = keys.entry((row.get("table_name"), row.get("name"))).or_default();
        key.references = row.get("references_table");
        key.on_update = action(row.get("on_update"));
        key.on_delete = action(row.get("on_delete"));
        key.columns.push(row.get("column_name"));
        key.referenced.push(row.get("referenced_column"));
    }
    for ((table_name, _), key) in keys {
        if let Some(table) = tables.get_mut(&table_name) {
            table.foreign_keys.push(key);
        }
    }
    conn.close().await.unwrap();
    facts(&tables, &views)
}

/// What one schema has and the other lacks, one fact a line; empty when they agree.
fn difference(sqlite: &Schema, postgres: &Schema) -> String {
    let mut out = String::new();
    for (label, ours, theirs) in [("only on SQLite", sqlite, postgres), ("only on PostgreSQL", postgres, sqlite)] {
        let extra: Vec<&String> = ours.difference(theirs).collect();
        if !extra.is_empty() {
            out.push_str(&format!("{label}:\n"));
            for fact in extra {
                out.push_str(&format!("  {fact}\n"));
            }
        }
    }
    out
}

async fn migrated_schema(backend: Backend) -> Option<Schema> {
    let database = TestDatabase::fresh(backend).await?;
    let db = database.connect().await;
    db.migrate().await.unwrap();
    db.close().await;
    Some(schema(&database.url).await)
}

/// The guard on the two dialects: after every migration, shared and dialect-only, both databases
/// have the same tables, columns (type, NOT NULL, default, order), keys, indexes and foreign keys.
#[tokio::test]
async fn sqlite_and_postgres_schemas_match_column_by_column() {
    let Some(postgres) = migrated_schema(Backend::Postgres).await else { return };
    let sqlite = migrated_schema(Backend::Sqlite).await.unwrap();
    // The readers see the schema at all (an empty reading would trivially agree).
    for fact in [
        "table users",
        "users: column id text not null",
        "users: primary key (id)",
        "users: unique (email)",
        "skills: unique (user_id, name_key)",
        "experiences: column highlights text not null default '[]'",
        "profiles: column allow_indexing bigint not null default 0",
        "opportunities: index opportunities_recent (user_id, updated_at, id)",
        "achievements: foreign key (project_id) references projects(id) on update no action on delete set null",
        "record_labels: primary key (label_id, record_kind, record_id)",
        "search_documents: primary key (record_kind, record_id)",
        "search_documents: index search_documents_owner (user_id, updated_at)",
    ] {
        assert!(sqlite.contains(fact), "SQLite's schema lacks `{fact}`:\n{sqlite:#?}");
    }
    assert!(!sqlite.iter().any(|fact| fact.contains("_sqlx_migrations")));
    let difference = difference(&sqlite, &postgres);
    assert!(
        difference.is_empty(),
        "after migrating, the SQLite and PostgreSQL schemas differ (a migration in migrations/sqlite or \
         migrations/postgres without its counterpart, or a shared one the dialects read differently):\n{difference}"
    );
}

/// What the parity check leaves out is each database's full-text index, and it is there.
#[tokio::test]
async fn the_search_index_objects_left_out_of_parity_exist() {
    let Some(postgres) = TestDatabase::fresh(Backend::Postgres).await else { return };
    let sqlite = TestDatabase::fresh(Backend::Sqlite).await.unwrap();
    for database in [&sqlite, &postgres] {
        let db = database.connect().await;
        db.migrate().await.unwrap();
        db.close().await;
    }
    let mut conn = sqlx::SqliteConnection::connect(&sqlite.url).await.unwrap();
    let sql: String = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = $1")
        .bind(SearchIndexOnly::SQLITE_TABLE)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert!(sql.starts_with("CREATE VIRTUAL TABLE search_fts USING fts5("), "{sql}");
    let shadows: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'search_fts%'")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert!(shadows.iter().all(|name| SearchIndexOnly::sqlite_table(name)), "{shadows:?}");
    conn.close().await.unwrap();

    let mut conn = sqlx::PgConnection::connect(&postgres.url).await.unwrap();
    let (table, column) = SearchIndexOnly::POSTGRES_COLUMN;
    let kind: String = sqlx::query_scalar(
        "SELECT data_type::text FROM information_schema.columns WHERE table_name = $1 AND column_name = $2",
    )
    .bind(table)
    .bind(column)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(kind, "tsvector");
    let method: String = sqlx::query_scalar(
        "SELECT am.amname::text FROM pg_class i JOIN pg_am am ON am.oid = i.relam WHERE i.relname = $1",
    )
    .bind(SearchIndexOnly::POSTGRES_INDEX)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(method, "gin");
    conn.close().await.unwrap();
}

#[test]
fn types_and_defaults_are_normalised_across_dialects() {
    assert_eq!(normal_type("BIGINT"), normal_type("bigint"));
    assert_eq!(normal_type("INTEGER"), normal_type("integer"));
    assert_eq!(normal_type("VARCHAR (20)"), normal_type("character varying(20)"));
    assert_eq!(normal_type("BLOB"), normal_type("bytea"));
    assert_ne!(normal_type("TEXT"), normal_type("bigint"));
    assert_eq!(normal_default(Some("'x'::text")), Some("'x'".into()));
    assert_eq!(normal_default(Some("'a::b'::character varying")), Some("'a::b'".into()));
    assert_eq!(normal_default(Some("'-1'::integer")), Some("-1".into()));
    assert_eq!(normal_default(Some("(0)")), Some("0".into()));
    assert_eq!(normal_default(Some("(1) + (2)")), Some("(1) + (2)".into()));
    assert_eq!(normal_default(Some("NULL")), None);
    assert_eq!(normal_default(Some("''")), Some("''".into()));
    assert_eq!(normal_default(None), None);
}

// ---------------------------------------------------------------------------------------------
// Databases migrated before the shared folder

/// How each file began when each dialect had its own copy: the shared file's text with the old
/// comment that named the other folder. `(version, now, then)`; `{other}` is the other dialect.
const OLD_HEADERS: &[(i64, &str, &str)] = &[
    (20261123000001, "housekeeping.\n", "housekeeping. Keep in step with migrations/{other}.\n"),
    (20261123000002, "-- profile.\n", "-- profile. Keep in step with migrations/{other}.\n"),
    (20261123000003, "turns it on.\n", "turns it on. Keep in step with\n-- migrations/{other}.\n"),
    (20261123000004, "public pages.\n", "public pages. Keep in step with migrations/{other}.\n"),
    (20261123000005, "activity.\n", "activity. Keep in step with\n-- migrations/{other}.\n"),
    (20261123000006, "connected to.\n", "connected to. Keep in step with\n-- migrations/{other}.\n"),
    (20261123000007, "-- preparation.\n", "-- preparation. Keep in step with migrations/{other}.\n"),
];

fn migrator_of(migrations: Vec<Migration>) -> Migrator {
    Migrator { migrations: Cow::Owned(migrations), ignore_missing: false, locking: true, no_tx: false }
}

/// The migrator a database of this kind ran before the shared folder (the same versions, the
/// old texts), rebuilt from the shared files.
fn old_migrator(backend: Backend) -> Migrator {
    let other = match backend {
        Backend::Sqlite => "postgres",
        Backend::Postgres => "sqlite",
    };
    let migrations = OLD_HEADERS
        .iter()
        .map(|&(version, now, then)| {
            let shared = SHARED_MIGRATIONS.iter().find(|m| m.version == version).unwrap();
            assert_eq!(shared.sql.matches(now).count(), 1, "{version}: `{now}` marks one place");
            let sql = shared.sql.replacen(now, &then.replace("{other}", other), 1);
            Migration::new(version, shared.description.clone(), shared.migration_type, sql.into(), shared.no_tx)
        })
        .collect();
    migrator_of(migrations)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The rebuilt old texts hash to the constants the adoption trusts, which were taken from the
/// old files themselves: so both the constants and the rebuilt texts are the old files.
#[test]
fn the_rebuilt_old_files_have_the_legacy_checksums() {
    assert_eq!(OLD_HEADERS.len(), LEGACY_CHECKSUMS.len());
    for (backend, column) in [(Backend::Sqlite, 1), (Backend::Postgres, 2)] {
        for migration in old_migrator(backend).iter() {
            let legacy = LEGACY_CHECKSUMS.iter().find(|entry| entry.0 == migration.version).unwrap();
            let expected = if column == 1 { legacy.1 } else { legacy.2 };
            assert_eq!(hex(&migration.checksum), expected, "{backend:?} {}", migration.version);
        }
    }
}

async fn adopts_a_database_migrated_with_the_old_files(backend: Backend) {
    let Some(database) = TestDatabase::fresh(backend).await else { return };
    let db = database.connect().await;
    old_migrator(backend).run(db.pool()).await.unwrap();
    // What adoption must end in: the schema of a database made with today's files (which may
    // hold migrations newer than the old files; those run after adoption as usual).
    let Some(reference) = TestDatabase::fresh(backend).await else { return };
    let reference_db = reference.connect().await;
    reference_db.migrate().await.unwrap();
    let before = schema(&reference.url).await;
    reference_db.close().await;

    // Without the adoption sqlx refuses the shared files. A connection of its own, closed after:
    // sqlx returns this error still holding its PostgreSQL advisory lock.
    let mut conn = sqlx::AnyConnection::connect(&database.url).await.unwrap();
    let refused = db.migrator().run(&mut conn).await.unwrap_err();
    assert!(matches!(refused, MigrateError::VersionMismatch(20261123000001)), "{refused}");
    conn.close().await.unwrap();

    db.migrate().await.unwrap();
    db.migrate().await.unwrap();
    assert_eq!(schema(&database.url).await, before, "adopting changes checksums, never the schema");
    let stored: Vec<(i64, Vec<u8>)> = sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations ORDER BY version")
        .fetch_all(db.pool())
        .await
        .unwrap();
    let expected: Vec<(i64, Vec<u8>)> = db.migrator().iter().map(|m| (m.version, m.checksum.to_vec())).collect();
    assert_eq!(stored, expected);
    db.close().await;
}

#[tokio::test]
async fn a_sqlite_database_migrated_with_the_old_files_is_adopted() {
    adopts_a_database_migrated_with_the_old_files(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_postgres_database_migrated_with_the_old_files_is_adopted() {
    adopts_a_database_migrated_with_the_old_files(Backend::Postgres).await;
}

/// Adoption trusts only the old files' checksums: a migration edited after it ran is refused.
async fn refuses_a_migration_edited_after_it_ran(backend: Backend) {
    let Some(database) = TestDatabase::fresh(backend).await else { return };
    let db = database.connect().await;
    let edited: Vec<Migration> = db
        .migrator()
        .iter()
        .map(|m| match m.version {
            20261123000003 => {
                let sql = format!("{}-- edited after it ran\n", m.sql);
                Migration::new(m.version, m.description.clone(), m.migration_type, sql.into(), m.no_tx)
            }
            _ => m.clone(),
        })
        .collect();
    migrator_of(edited).run(db.pool()).await.unwrap();
    let error = format!("{:#}", db.migrate().await.unwrap_err());
    assert!(error.contains("migration 20261123000003 was previously applied but has been modified"), "{error}");
}

#[tokio::test]
async fn sqlite_refuses_a_migration_edited_after_it_ran() {
    refuses_a_migration_edited_after_it_ran(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_refuses_a_migration_edited_after_it_ran() {
    refuses_a_migration_edited_after_it_ran(Backend::Postgres).await;
}

// ---------------------------------------------------------------------------------------------
// The migrate command

async fn migrate_command(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_careerlog"));
    command.args(["migrate", "--data-dir"]).arg(dir.path());
    if backend == Backend::Postgres {
        let Some(url) = fresh_postgres_database().await else { return };
        command.args(["--database-url", &url]);
    }
    for _ in 0..2 {
        let output = command.output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert!(String::from_utf8_lossy(&output.stdout).contains("The database is up to date"));
    }
    if backend == Backend::Sqlite {
        assert!(dir.path().join("careerlog.db").exists());
    }
}

#[tokio::test]
async fn the_migrate_command_works_on_sqlite_and_twice_is_harmless() {
    migrate_command(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_migrate_command_works_on_postgres_and_twice_is_harmless() {
    migrate_command(Backend::Postgres).await;
}

#[tokio::test]
async fn a_bad_database_url_is_a_clear_error_without_its_password() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_careerlog"))
        .args(["migrate", "--database-url", "mysql://root:hunter2hunter2@127.0.0.1/x"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("sqlite:// or postgres://"), "{stderr}");
    assert!(!stderr.contains("hunter2"));
}

/// `careerlog serve` with no configuration starts on the embedded defaults (SQLite, files and
/// mail under ./data), answers /healthz, and stops cleanly on SIGTERM.
#[tokio::test]
async fn serve_starts_with_no_configuration_and_stops_gracefully_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_careerlog"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env_remove("CAREERLOG_DATABASE_URL")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let listening = regex::Regex::new(r"address=(127\.0\.0\.1:\d+)").unwrap();
    let mut address = None;
    let mut line = String::new();
    while address.is_none() && stderr.read_line(&mut line).unwrap() > 0 {
        address = listening.captures(&line).map(|c| c[1].to_owned());
        line.clear();
    }
    let address = address.expect("the server says where it listens");
    let health = reqwest::get(format!("http://{address}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    for made in ["data/careerlog.db", "data/secret.key"] {
        assert!(dir.path().join(made).exists(), "{made}");
    }
    std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "a graceful stop exits with success: {status}");
}

/// Issue 11, item 7: a corrupt SQLite file ended in "pool timed out" after 10 s. The first
/// connection now says what is wrong and where.
#[tokio::test]
async fn a_file_that_is_not_a_database_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("careerlog.db");
    std::fs::write(&path, b"these bytes were never a SQLite database, whatever the name says. ".repeat(200)).unwrap();
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let error = format!("{:#}", careerlog::db::Db::connect(&url, 2).await.unwrap_err());
    assert!(error.contains(&format!("the SQLite file {}", path.display())), "{error}");
    assert!(error.contains("not a usable SQLite database"), "{error}");
    assert!(!error.contains("timed out"), "{error}");
}

/// Issue 11, item 7: an unreachable PostgreSQL, or one without the database, is named as such,
/// and the password in the URL appears nowhere.
#[tokio::test]
async fn an_unreachable_postgres_or_a_missing_database_is_named_as_such() {
    // A port nobody listens on: refused at once.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let url = format!("postgres://careerlog:s3cret-pass@127.0.0.1:{port}/careerlog");
    let error = format!("{:#}", careerlog::db::Db::connect(&url, 2).await.unwrap_err());
    assert!(error.contains(&format!("could not reach PostgreSQL at 127.0.0.1:{port}/careerlog")), "{error}");
    assert!(!error.contains("s3cret-pass") && !error.contains("timed out"), "{error}");

    // A server that answers, asked for a database it does not have.
    let Some(fresh) = crate::support::fresh_postgres_database().await else { return };
    let (server, _) = fresh.rsplit_once('/').unwrap();
    let missing = format!("{server}/careerlog_no_such_database");
    let error = format!("{:#}", careerlog::db::Db::connect(&missing, 2).await.unwrap_err());
    assert!(error.contains("careerlog_no_such_database: the database does not exist"), "{error}");
}

// ---------------------------------------------------------------------------------------------
// Data carried by a migration

/// Issue 19: a database from before tasks keeps its opportunities' next actions, each as an open
/// task of its opportunity with its day, and the opportunity still shows it as its next action.
async fn next_actions_become_tasks_when_a_database_from_before_is_migrated(backend: Backend) {
    const TASKS_VERSION: i64 = 20261231000500;
    let Some(database) = TestDatabase::fresh(backend).await else { return };
    let db = database.connect().await;
    let before: Vec<Migration> = db.migrator().iter().filter(|m| m.version < TASKS_VERSION).cloned().collect();
    migrator_of(before).run(db.pool()).await.unwrap();
    let pool = db.pool();
    sqlx::query("INSERT INTO users (id, email, created_at, updated_at) VALUES ('u1', 'ada@example.com', 1, 1)")
        .execute(pool)
        .await
        .unwrap();
    for (id, action, due, changed) in [
        ("00000000-0000-7000-8000-000000000001", "Send the take-home", Some("2026-12-07"), 5),
        ("00000000-0000-7000-8000-000000000002", "Research them", None, 6),
        ("00000000-0000-7000-8000-000000000003", "", None, 7),
        ("00000000-0000-7000-8000-000000000004", "Ask for feedback", Some("2026-11-02"), 8),
    ] {
        sqlx::query(
            "INSERT INTO opportunities (id, user_id, company, role, status, next_action, next_action_due,
                                        created_at, updated_at)
             VALUES ($1, 'u1', 'Globex', 'Engineer', $5, $2, $3, 1, $4)",
        )
        .bind(id)
        .bind(action)
        .bind(due)
        .bind(changed)
        .bind(if id.ends_with('4') { "rejected" } else { "applied" })
        .execute(pool)
        .await
        .unwrap();
    }

    db.migrate().await.unwrap();
    let tasks: Vec<(String, String, String, Option<String>, i64, i64)> = sqlx::query_as(
        "SELECT id, opportunity_id, title, due_on, done, created_at FROM tasks WHERE user_id = 'u1'
         ORDER BY opportunity_id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let found: Vec<_> =
        tasks.iter().map(|(_, o, t, d, done, at)| (&o[28..], t.as_str(), d.as_deref(), *done, *at)).collect();
    assert_eq!(
        found,
        [
            ("00000001", "Send the take-home", Some("2026-12-07"), 0, 5),
            ("00000002", "Research them", None, 0, 6),
            ("00000004", "Ask for feedback", Some("2026-11-02"), 1, 8)
        ],
        "a task per next action (done once its opportunity is settled), none for an opportunity without one"
    );
    let done_at: Option<i64> =
        sqlx::query_scalar("SELECT done_at FROM tasks WHERE title = 'Ask for feedback'").fetch_one(pool).await.unwrap();
    assert_eq!(done_at, Some(8), "done when its opportunity last changed");
    for (id, ..) in &tasks {
        assert!(uuid::Uuid::parse_str(id).is_ok(), "a task's id is a UUID as every id is: {id}");
    }
    assert_ne!(tasks[0].0, tasks[1].0);
    // The columns stay for instances of the earlier build during a roll-out (migrations/README.md).
    let kept: String = sqlx::query_scalar("SELECT next_action FROM opportunities WHERE next_action <> '' ORDER BY id")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(kept, "Send the take-home");
    let shown: Vec<(String, Option<String>)> = sqlx::query_as(&format!(
        "SELECT next_action, next_action_due FROM (SELECT {} FROM opportunities t) shown ORDER BY id",
        careerlog::db::opportunities::OPPORTUNITIES.columns
    ))
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(
        shown,
        [
            ("Send the take-home".to_owned(), Some("2026-12-07".to_owned())),
            ("Research them".to_owned(), None),
            (String::new(), None),
            (String::new(), None)
        ]
    );
    db.close().await;
}

#[tokio::test]
async fn sqlite_next_actions_become_tasks_when_a_database_from_before_is_migrated() {
    next_actions_become_tasks_when_a_database_from_before_is_migrated(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_next_actions_become_tasks_when_a_database_from_before_is_migrated() {
    next_actions_become_tasks_when_a_database_from_before_is_migrated(Backend::Postgres).await;
}
