//! Both migration sets stay in step, and `careerlog migrate` brings a database up to date.

use careerlog::db::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};

use crate::support::{fresh_postgres_database, Backend};

#[test]
fn sqlite_and_postgres_migrations_have_the_same_versions_and_names() {
    let list =
        |m: &sqlx::migrate::Migrator| m.iter().map(|m| (m.version, m.description.to_string())).collect::<Vec<_>>();
    let sqlite = list(&SQLITE_MIGRATIONS);
    let postgres = list(&POSTGRES_MIGRATIONS);
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}

#[test]
fn both_migration_sets_create_the_same_tables() {
    let tables = |m: &sqlx::migrate::Migrator| {
        let re = regex::Regex::new(r"CREATE TABLE (\w+)").unwrap();
        let mut names: Vec<String> =
            m.iter().flat_map(|m| re.captures_iter(&m.sql).map(|c| c[1].to_owned()).collect::<Vec<_>>()).collect();
        names.sort();
        names
    };
    assert_eq!(tables(&SQLITE_MIGRATIONS), tables(&POSTGRES_MIGRATIONS));
}

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
