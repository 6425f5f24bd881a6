//! The data layer: one SQL text for SQLite and PostgreSQL through sqlx's `Any` driver.
//!
//! Conventions (see ARCHITECTURE.md): UUIDv7 text ids made in Rust, BIGINT unix-millisecond times,
//! BIGINT 0/1 booleans, `$n` placeholders, nothing database-specific in queries.

pub mod accounts;
pub mod admin;
pub mod ai;
pub mod analytics;
pub mod api_tokens;
pub mod backup;
pub mod bluesky;
pub mod calendar;
pub mod career;
mod connect;
pub mod contacts;
pub mod dashboard;
pub mod data_exports;
pub mod google_calendar;
pub mod imports;
pub mod interviews;
pub mod journal;
pub mod label_links;
pub mod labels;
pub mod leases;
pub mod lists;
pub mod mail_outbox;
pub mod migrations;
pub mod notes;
pub mod offers;
pub mod oidc;
pub mod opportunities;
pub mod prep;
pub mod profiles;
pub mod public_versions;
pub mod reminders;
pub mod resume_versions;
pub mod search;
pub mod sessions;
pub mod support;
pub mod tasks;
pub mod throttle;
pub mod uploads;
pub mod user_data;

use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Executor, Transaction};

pub use migrations::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    kind: DbKind,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("kind", &self.kind).finish_non_exhaustive()
    }
}

impl Db {
    /// Connect to `url` (`sqlite://…` or `postgres://…`). The URL may hold a password, so it is
    /// never logged or put into an error message.
    pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let kind = if url.starts_with("sqlite:") {
            DbKind::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            DbKind::Postgres
        } else {
            anyhow::bail!("the database URL must start with sqlite:// or postgres://");
        };
        let options: AnyConnectOptions = url.parse().context("the database URL is malformed")?;
        let target = connect::describe_target(url, kind);
        connect::check(&options, kind, &target).await?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if kind == DbKind::Sqlite {
                        // WAL lets readers run beside the one writer; the busy timeout makes a
                        // writer wait for the lock instead of failing at once.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .with_context(|| format!("could not connect to {target}"))?;
        Ok(Self { pool, kind })
    }

    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// The full-text index of this kind of database.
    pub fn search(&self) -> &'static dyn search::SearchIndex {
        search::index_for(self.kind)
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn migrator(&self) -> &'static Migrator {
        migrations::migrator(self.kind)
    }

    /// Apply pending migrations (see `migrations::run`).
    pub async fn migrate(&self) -> anyhow::Result<()> {
        migrations::run(&self.pool, self.kind).await
    }

    /// A transaction for writes. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
    /// so a read-then-write transaction never fails half-way with SQLITE_BUSY.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.kind {
            DbKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            DbKind::Postgres => self.pool.begin().await,
        }
    }

    /// Does the database answer?
    /// The pool as it stands: connections open, idle, and the most it opens.
    pub fn pool_stats(&self) -> crate::metrics::PoolStats {
        crate::metrics::PoolStats {
            open: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.pool.options().get_max_connections(),
        }
    }

    /// Whether every migration this build knows is applied (an instance of an older build may
    /// be reading a database a newer one migrated, which is fine; the other way round is not).
    pub async fn migrations_applied(&self) -> Result<bool, sqlx::Error> {
        let latest = crate::db::migrations::migrator(self.kind()).iter().map(|m| m.version).max().unwrap_or(0);
        let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(&self.pool)
            .await?;
        Ok(applied.unwrap_or(0) >= latest)
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A new UUIDv7 as text: time-ordered, so new rows land at the end of indexes.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A database rule a write broke, read the same way on both databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violation {
    /// A referenced row is gone.
    ForeignKey,
    /// A value that must be unique is taken.
    Unique,
    /// A conditional write (`INSERT … SELECT … WHERE`) found nothing to write.
    NothingWritten,
}

impl Violation {
    pub fn of(err: &sqlx::Error) -> Option<Self> {
        match err {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => Some(Violation::ForeignKey),
            sqlx::Error::Database(db) if db.is_unique_violation() => Some(Violation::Unique),
            sqlx::Error::RowNotFound => Some(Violation::NothingWritten),
            _ => None,
        }
    }
}

/// Was this error a unique-constraint violation?
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    Violation::of(err) == Some(Violation::Unique)
}

/// A boolean stored as BIGINT 0/1 (the one form both databases read the same through `Any`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Flag(pub bool);

impl From<i64> for Flag {
    fn from(value: i64) -> Self {
        Flag(value != 0)
    }
}

impl Flag {
    pub fn get(self) -> bool {
        self.0
    }
    pub fn bind(value: bool) -> i64 {
        i64::from(value)
    }
}

/// A list of strings stored as JSON text.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct TextList(pub Vec<String>);

impl From<String> for TextList {
    fn from(value: String) -> Self {
        TextList(serde_json::from_str(&value).unwrap_or_default())
    }
}

impl TextList {
    pub fn to_json(items: &[String]) -> String {
        serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
    }
}

/// A short list of structured items stored as JSON text (profile links, languages). A value
/// that does not read as the list is read as empty rather than failing the whole row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct JsonList<T>(pub Vec<T>);

impl<T> Default for JsonList<T> {
    fn default() -> Self {
        JsonList(Vec::new())
    }
}

impl<T: serde::de::DeserializeOwned> From<String> for JsonList<T> {
    fn from(value: String) -> Self {
        JsonList(serde_json::from_str(&value).unwrap_or_default())
    }
}

impl<T: serde::Serialize> JsonList<T> {
    pub fn to_json(items: &[T]) -> String {
        serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
    }
}

/// `$first, $first+1, …` for `count` values: the placeholders of an `IN (…)` list.
pub fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

/// A user's id is stored as text.
impl sqlx::Type<Any> for crate::domain::UserId {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <String as sqlx::Type<Any>>::type_info()
    }
}

impl<'q> sqlx::Encode<'q, Any> for crate::domain::UserId {
    fn encode_by_ref(
        &self,
        buf: &mut <Any as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        // The argument outlives the borrow of `self`, so the text is copied once.
        <String as sqlx::Encode<'q, Any>>::encode(self.as_str().to_owned(), buf)
    }
}

/// Which kind of database a connection is to, for the few statements the dialects write apart.
pub fn kind_of(conn: &sqlx::AnyConnection) -> DbKind {
    if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        DbKind::Sqlite
    } else {
        DbKind::Postgres
    }
}
