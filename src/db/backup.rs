//! What a backup and a restore ask of the database itself.

use sqlx::AnyPool;

use super::{Db, DbKind};

/// Write a consistent copy of the SQLite database to `path` (which must not exist), while the
/// application goes on writing. The copy is a plain database file (not in WAL mode).
pub async fn vacuum_into(pool: &AnyPool, path: &str) -> Result<(), sqlx::Error> {
    sqlx::query("VACUUM INTO $1").bind(path).execute(pool).await.map(|_| ())
}

/// The SQLite library's version, or the PostgreSQL server's.
pub async fn server_version(db: &Db) -> Result<String, sqlx::Error> {
    let sql = match db.kind() {
        DbKind::Sqlite => "SELECT sqlite_version()",
        DbKind::Postgres => "SELECT current_setting('server_version')",
    };
    sqlx::query_scalar(sql).fetch_one(db.pool()).await
}

/// The newest migration applied (0 on a database never migrated).
pub async fn latest_migration(pool: &AnyPool) -> Result<i64, sqlx::Error> {
    let applied: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE").fetch_one(pool).await?;
    Ok(applied.unwrap_or(0))
}

/// How many tables the database has (outside the system's own): a restore needs none.
pub async fn table_count(db: &Db) -> Result<i64, sqlx::Error> {
    let sql = match db.kind() {
        DbKind::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        DbKind::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        }
    };
    sqlx::query_scalar(sql).fetch_one(db.pool()).await
}

/// After a restore: the leases the snapshot was taken under (the backup's own, say) belonged to
/// processes that are gone.
pub async fn clear_leases(pool: &AnyPool) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM job_leases").execute(pool).await.map(|_| ())
}

/// SQLite's own check of every page and index: `ok`, or what it found.
pub async fn integrity_check(pool: &AnyPool) -> Result<String, sqlx::Error> {
    let lines: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(pool).await?;
    Ok(lines.join("; "))
}

/// [`integrity_check`] of a SQLite file that is not in use, opened read-only with nothing set
/// on the connection (the pool's settings would write to it).
pub async fn integrity_check_file(path: &std::path::Path) -> Result<String, sqlx::Error> {
    use sqlx::Connection;
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path).read_only(true);
    let mut connection = sqlx::SqliteConnection::connect_with(&options).await?;
    let lines: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&mut connection).await?;
    connection.close().await?;
    Ok(lines.join("; "))
}
