//! PostgreSQL's own tools: `pg_dump --format=custom` takes a consistent snapshot (one
//! repeatable-read transaction) while the application runs; `pg_restore` puts it back.
//! Their major version must be at least the server's.

use std::path::Path;

use anyhow::{bail, Context};
use tokio::process::Command;

/// The URL as libpq reads it, without its password (which goes in `PGPASSWORD`, out of the
/// process list): sqlx's own parameters are renamed or left out, as libpq refuses what it does
/// not know.
fn connection(url: &str) -> anyhow::Result<(String, Option<String>)> {
    let mut parsed = url::Url::parse(url).context("the database URL")?;
    let mut password = parsed.password().map(percent_decoded);
    let _ = parsed.set_password(None);
    let mut kept: Vec<(String, String)> = Vec::new();
    for (name, value) in parsed.query_pairs() {
        let libpq = match name.as_ref() {
            "password" => {
                password = Some(value.into_owned());
                continue;
            }
            "ssl-mode" | "sslmode" => "sslmode",
            "ssl-root-cert" | "sslrootcert" => "sslrootcert",
            "ssl-client-cert" | "sslcert" => "sslcert",
            "ssl-client-key" | "sslkey" => "sslkey",
            "host"
            | "hostaddr"
            | "port"
            | "dbname"
            | "user"
            | "application_name"
            | "options"
            | "connect_timeout"
            | "target_session_attrs" => name.as_ref(),
            _ => continue,
        };
        kept.push((libpq.to_owned(), value.into_owned()));
    }
    if kept.is_empty() {
        parsed.set_query(None);
    } else {
        parsed.query_pairs_mut().clear().extend_pairs(kept);
    }
    Ok((parsed.to_string(), password))
}

/// A URL's percent-encoded part as it was meant (`s%40cret` → `s@cret`).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The major version in `pg_dump (PostgreSQL) 15.20 (Debian …)` or a server's `15.20 (Debian …)`.
fn major_version(text: &str) -> Option<u32> {
    let number = text.split_whitespace().find(|word| word.starts_with(|c: char| c.is_ascii_digit()))?;
    number.split('.').next()?.parse().ok()
}

/// `tool --version`, checked against the server's major version.
async fn checked_tool(tool: &str, server_version: &str) -> anyhow::Result<String> {
    let output = Command::new(tool).arg("--version").output().await.with_context(|| {
        format!("{tool} is needed to back up and restore PostgreSQL (install the PostgreSQL client tools)")
    })?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let (Some(tool_major), Some(server_major)) = (major_version(&version), major_version(server_version)) else {
        bail!("could not read the versions of {tool} ({version:?}) and the server ({server_version:?})");
    };
    if tool_major < server_major {
        bail!(
            "{tool} {tool_major} is older than the PostgreSQL {server_major} server: install the client tools of \
             version {server_major} or newer"
        );
    }
    Ok(version)
}

async fn run(mut command: Command, what: &str) -> anyhow::Result<()> {
    let output = command.output().await.with_context(|| format!("running {what}"))?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        bail!("{what} failed ({}): {}", output.status, said.trim());
    }
    Ok(())
}

/// Dump the database at `url` into `file`; answers the tool's version line for the manifest.
pub async fn dump(url: &str, server_version: &str, file: &Path) -> anyhow::Result<String> {
    let version = checked_tool("pg_dump", server_version).await?;
    let (dbname, password) = connection(url)?;
    let mut command = Command::new("pg_dump");
    command
        .args(["--format=custom", "--no-owner", "--no-privileges", "--compress=0", "--no-password", "--file"])
        .arg(file);
    // Stopping the backup stops the dump (and the snapshot it holds open).
    command.kill_on_drop(true);
    command.arg("--dbname").arg(dbname);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    run(command, "pg_dump").await?;
    Ok(version)
}

/// Restore `file` into the (empty) database at `url`, all or nothing.
pub async fn restore(url: &str, server_version: &str, file: &Path) -> anyhow::Result<()> {
    checked_tool("pg_restore", server_version).await?;
    let (dbname, password) = connection(url)?;
    let mut command = Command::new("pg_restore");
    command.args(["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--no-password"]);
    command.arg("--dbname");
    command.arg(dbname).arg(file);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    run(command, "pg_restore").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_tools_and_servers() {
        assert_eq!(major_version("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"), Some(15));
        assert_eq!(major_version("16.4"), Some(16));
        assert_eq!(major_version("9.6.24"), Some(9));
        assert_eq!(major_version("nothing"), None);
    }

    #[test]
    fn the_password_leaves_the_url() {
        let (url, password) = connection("postgres://app:s%40c+ret@db.example:5432/careerlog?sslmode=require").unwrap();
        assert_eq!(url, "postgres://app@db.example:5432/careerlog?sslmode=require");
        assert_eq!(password.as_deref(), Some("s@c+ret"));
        assert_eq!(connection("postgres://postgres@127.0.0.1/x").unwrap().1, None);
        let (url, password) =
            connection("postgres://app@db/c?statement-cache-capacity=0&ssl-mode=verify-full&password=p%2Bq").unwrap();
        assert_eq!(url, "postgres://app@db/c?sslmode=verify-full");
        assert_eq!(password.as_deref(), Some("p+q"));
    }
}
