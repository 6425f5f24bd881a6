//! The first connection, made by hand before the pool: when the database cannot be used, the
//! pool would only say "pool timed out" after its acquire timeout. One direct attempt says what
//! is wrong (a file that is not a database, a server that refuses, a database that does not
//! exist, a password refused), naming where it looked but never the password.

use std::time::Duration;

use sqlx::any::AnyConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor};

use super::DbKind;

/// How long the first connection may take before we say the server does not answer.
const FIRST_CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the URL points, fit for an error message: the SQLite file, or PostgreSQL's
/// `host:port/database` (no user name or password).
pub fn describe_target(url: &str, kind: DbKind) -> String {
    match kind {
        DbKind::Sqlite => {
            let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
            format!("the SQLite file {}", path.split('?').next().unwrap_or_default())
        }
        DbKind::Postgres => match url::Url::parse(url) {
            Ok(parsed) => format!(
                "PostgreSQL at {}:{}/{}",
                parsed.host_str().unwrap_or("localhost"),
                parsed.port().unwrap_or(5432),
                parsed.path().trim_start_matches('/')
            ),
            Err(_) => "the configured PostgreSQL database".into(),
        },
    }
}

/// Open one connection and run what every pooled connection runs first; explain a failure.
pub async fn check(options: &AnyConnectOptions, kind: DbKind, target: &str) -> anyhow::Result<()> {
    let attempt = async {
        let mut conn = options.connect().await?;
        if kind == DbKind::Sqlite {
            // Reading the schema is what tells a database file from anything else.
            conn.execute("SELECT COUNT(*) FROM sqlite_master").await?;
        }
        conn.close().await
    };
    match tokio::time::timeout(FIRST_CONNECTION_TIMEOUT, attempt).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => Err(anyhow::anyhow!(explain(&err, kind, target))),
        Err(_) => Err(anyhow::anyhow!(
            "{target} did not answer within {} seconds: check the address and that the server is up",
            FIRST_CONNECTION_TIMEOUT.as_secs()
        )),
    }
}

fn explain(err: &sqlx::Error, kind: DbKind, target: &str) -> String {
    if let sqlx::Error::Database(db) = err {
        let code = db.code().unwrap_or_default().into_owned();
        // SQLite reports extended result codes; their low byte is the primary code.
        let sqlite_code = code.parse::<i32>().map(|c| c & 0xff).unwrap_or(-1);
        return match (kind, code.as_str()) {
            // SQLITE_NOTADB, SQLITE_CORRUPT
            (DbKind::Sqlite, _) if matches!(sqlite_code, 26 | 11) => format!(
                "{target} is not a usable SQLite database (it is damaged, or not a database at all): \
                 restore it from a backup, or move it away to start afresh"
            ),
            // SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_READONLY
            (DbKind::Sqlite, _) if matches!(sqlite_code, 14 | 3 | 8) => format!(
                "{target} cannot be opened for writing: check that its directory exists and that this \
                 user may write there ({})",
                db.message()
            ),
            (DbKind::Postgres, "3D000") => {
                format!("{target}: the database does not exist; create it (createdb) or fix the URL")
            }
            (DbKind::Postgres, "28P01") | (DbKind::Postgres, "28000") => {
                format!("{target} refused the user name or password in the database URL ({})", db.message())
            }
            _ => format!("{target} answered with an error: {} (code {code})", db.message()),
        };
    }
    match err {
        sqlx::Error::Io(io) => format!("could not reach {target}: {io}; is the server running and the address right?"),
        sqlx::Error::Tls(tls) => format!("could not set up TLS with {target}: {tls}"),
        other => format!("could not connect to {target}: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_never_shows_a_password() {
        let described = describe_target("postgres://careerlog:s3cret@db.internal:6543/careerlog", DbKind::Postgres);
        assert_eq!(described, "PostgreSQL at db.internal:6543/careerlog");
        assert_eq!(
            describe_target("sqlite:///var/lib/careerlog/careerlog.db?mode=rwc", DbKind::Sqlite),
            "the SQLite file /var/lib/careerlog/careerlog.db"
        );
    }
}
