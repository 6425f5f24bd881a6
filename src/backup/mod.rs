//! Backups: a consistent snapshot of the database (SQLite's `VACUUM INTO`, PostgreSQL's
//! `pg_dump`) and every uploaded file, in one tar archive compressed with gzip and encrypted with
//! age to the operator's public key (or a passphrase), written to a directory or an S3 bucket
//! under a retention policy; and the restore, which checks an archive whole before it touches the
//! configured database and file store, both of which must be empty.
//!
//! The database is copied first, then the files: a file uploaded meanwhile is an extra file the
//! restored records never name; a file whose record was deleted meanwhile is usually still there,
//! as removals wait in a queue that housekeeping works through.

pub mod archive;
pub mod destination;
mod postgres;
pub mod retention;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use bytes::Bytes;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use archive::{ArchiveRefused, Manifest, Sealing, Unsealing};
pub use destination::Destination;
pub use retention::Retention;

use crate::clock::Timestamp;
use crate::db::{backup as queries, Db, DbKind};
use crate::integrations::files::FileStore;
use crate::services::Handles;

/// What to back up to, and how.
pub struct BackupPlan {
    pub destination: Destination,
    pub sealing: Sealing,
    pub retention: Retention,
}

/// Where the database and the files to back up (or restore into) are.
#[derive(Clone)]
pub struct Source<'a> {
    pub db: &'a Db,
    /// The URL `db` was opened with (`pg_dump` and `pg_restore` are given it).
    pub database_url: &'a str,
    pub files: &'a Arc<dyn FileStore>,
    pub data_dir: &'a Path,
}

#[derive(Debug)]
pub struct BackupReport {
    /// Where the archive is: a path, or an `s3://` URL (what `careerlog restore` takes).
    pub location: String,
    pub bytes: u64,
    pub files: usize,
    /// Older archives the retention policy removed.
    pub removed: Vec<String>,
}

#[derive(Debug)]
pub struct RestoreReport {
    pub manifest: Manifest,
    pub files: usize,
}

/// A work folder that is removed with everything in it when dropped.
fn scratch_in(parent: Option<&Path>) -> anyhow::Result<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".careerlog-backup-");
    // It holds the database and the key in clear until the archive is made: its owner's only.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    match parent {
        Some(dir) => builder.tempdir_in(dir),
        None => builder.tempdir(),
    }
    .context("making a work folder")
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> anyhow::Result<T> + Send + 'static) -> anyhow::Result<T> {
    tokio::task::spawn_blocking(work).await.context("the backup's worker stopped")?
}

/// Copy the database into `staged`; answers its manifest entry name and description.
async fn snapshot_database(
    source: &Source<'_>,
    staged: &Path,
) -> anyhow::Result<(&'static str, archive::DatabaseInfo)> {
    let version = queries::server_version(source.db).await.context("asking the database its version")?;
    let migration = queries::latest_migration(source.db.pool()).await.context("reading the applied migrations")?;
    Ok(match source.db.kind() {
        DbKind::Sqlite => {
            let copy = staged.join(archive::SQLITE_ENTRY);
            let path = copy.to_str().context("the work folder's path is not UTF-8")?;
            queries::vacuum_into(source.db.pool(), path).await.context("copying the SQLite database (VACUUM INTO)")?;
            let info = archive::DatabaseInfo { kind: "sqlite".into(), version, tool: "VACUUM INTO".into(), migration };
            (archive::SQLITE_ENTRY, info)
        }
        DbKind::Postgres => {
            let dump = staged.join(archive::POSTGRES_ENTRY);
            let tool = postgres::dump(source.database_url, &version, &dump).await?;
            (archive::POSTGRES_ENTRY, archive::DatabaseInfo { kind: "postgres".into(), version, tool, migration })
        }
    })
}

/// Make one archive now and apply the retention policy.
pub async fn back_up(source: Source<'_>, plan: &BackupPlan, now: Timestamp) -> anyhow::Result<BackupReport> {
    let scratch = scratch_in(None)?;
    let staged = scratch.path().join("staged");
    tokio::fs::create_dir_all(staged.join("files")).await?;

    let (database_entry, database) = snapshot_database(&source, &staged).await?;
    let mut entries = {
        let path = staged.join(database_entry);
        vec![blocking(move || Ok(archive::describe_file(database_entry, &path)?)).await?]
    };
    // The data directory's key goes in only when it is the one the database was used with (an
    // instance given CAREERLOG_SECRET_KEY may have a stray key file).
    let recorded = crate::db::admin::setting(source.db.pool(), crate::db::admin::KEY_FINGERPRINT_SETTING).await?;
    let key_file = source.data_dir.join("secret.key");
    let secret_key_included = match tokio::fs::read(&key_file).await {
        Ok(key) => {
            let fingerprint = std::str::from_utf8(&key)
                .ok()
                .and_then(|text| crate::secrets::MasterKey::from_hex(text).ok())
                .map(|key| key.fingerprint());
            let belongs = fingerprint.is_some() && (recorded.is_none() || recorded == fingerprint);
            if belongs {
                tokio::fs::write(staged.join(archive::SECRET_KEY_ENTRY), &key).await?;
                entries.push(archive::describe_bytes(archive::SECRET_KEY_ENTRY, &key));
            }
            belongs
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => false,
        Err(err) => return Err(err).with_context(|| format!("reading {}", key_file.display())),
    };
    let mut files = 0;
    let stored = source.files.list().await.context("listing the uploaded files")?;
    // Only what the application stores (uploads, prepared exports): never, say, earlier backups
    // kept in the same bucket.
    for key in stored.into_iter().filter(|key| APPLICATION_PREFIXES.iter().any(|p| key.starts_with(p))) {
        // Gone since it was listed: its record is gone too.
        let Some(bytes) = source.files.get(&key).await? else { continue };
        let name = format!("{}{key}", archive::FILES_PREFIX);
        let path = staged.join(&name);
        tokio::fs::create_dir_all(path.parent().context("a file key has a folder")?).await?;
        tokio::fs::write(&path, &bytes).await?;
        entries.push(archive::describe_bytes(&name, &bytes));
        files += 1;
    }
    let manifest = Manifest {
        format: archive::FORMAT.into(),
        careerlog_version: env!("CARGO_PKG_VERSION").into(),
        created_at: now.rfc3339(),
        database,
        secret_key_included,
        secret_key_fingerprint: recorded,
        entries,
    };

    let name = retention::archive_name(now);
    let archive_path = scratch.path().join(&name);
    let sealing = plan.sealing.clone();
    let written = archive_path.clone();
    let bytes = blocking(move || archive::write(&staged, &manifest, &sealing, &written)).await?;
    let location = plan.destination.save(&archive_path, &name).await?;

    let mut removed = Vec::new();
    for old in plan.retention.to_remove(&plan.destination.names().await?) {
        match plan.destination.remove(&old).await {
            Ok(()) => removed.push(old),
            Err(err) => tracing::warn!(archive = %old, error = %format!("{err:#}"), "could not remove an old backup"),
        }
    }
    Ok(BackupReport { location, bytes, files, removed })
}

/// Where the application keeps files in the store (`services/uploads.rs`, `services/user_data.rs`).
const APPLICATION_PREFIXES: &[&str] = &["u/", "exports/"];

/// The SQLite file a `sqlite://…` URL names.
fn sqlite_file(url: &str) -> anyhow::Result<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        bail!("the database URL names no SQLite file to restore into");
    }
    Ok(PathBuf::from(path))
}

/// The content type a restored file is stored with, from its key's extension (the server chose
/// the extension from the bytes when the file was uploaded).
fn content_type(key: &str) -> &'static str {
    match key.rsplit('.').next().unwrap_or_default() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

fn refused(text: impl Into<String>) -> anyhow::Error {
    ArchiveRefused(text.into()).into()
}

/// Refuse a target that holds anything: a restore never mixes two instances' data.
async fn check_empty(target: &Source<'_>) -> anyhow::Result<()> {
    let tables = queries::table_count(target.db).await.context("looking into the configured database")?;
    if tables > 0 {
        return Err(refused(format!(
            "the configured database is not empty ({tables} tables): restore only into a new, empty database"
        )));
    }
    if !target.files.list().await.context("looking into the file store")?.is_empty() {
        return Err(refused(format!(
            "the file store ({}) is not empty: restore only into an empty one",
            target.files.describe()
        )));
    }
    Ok(())
}

/// Check and decrypt the archive at `location` (a path or an `s3://` URL), then restore it into
/// `target`, whose database and file store must be empty. Nothing is written to the target
/// until the whole archive has been read and checked.
pub async fn restore(location: &str, unsealing: Unsealing, target: Source<'_>) -> anyhow::Result<RestoreReport> {
    check_empty(&target).await?;
    tokio::fs::create_dir_all(target.data_dir).await?;
    let scratch = scratch_in(Some(target.data_dir))?;
    let archive_file = destination::fetch(location, scratch.path()).await?;
    let unpacked = scratch.path().join("unpacked");
    let into = unpacked.clone();
    let manifest = blocking(move || archive::read(&archive_file, &unsealing, &into)).await?;

    let configured = match target.db.kind() {
        DbKind::Sqlite => "sqlite",
        DbKind::Postgres => "postgres",
    };
    if manifest.database.kind != configured {
        return Err(refused(format!(
            "the archive holds a {} database and the configured database is {configured}: restore into the same kind",
            manifest.database.kind
        )));
    }
    let newest_known = target.db.migrator().iter().map(|m| m.version).max().unwrap_or(0);
    if manifest.database.migration > newest_known {
        return Err(refused(format!(
            "the archive was made by a newer Careerlog ({}, migration {}): restore it with that version or newer",
            manifest.careerlog_version, manifest.database.migration
        )));
    }
    let key_file = target.data_dir.join("secret.key");
    let archived_key = match manifest.secret_key_included {
        true => Some(tokio::fs::read_to_string(unpacked.join(archive::SECRET_KEY_ENTRY)).await?),
        false => None,
    };
    if let Some(archived) = &archived_key {
        if let Ok(present) = tokio::fs::read_to_string(&key_file).await {
            if present.trim() != archived.trim() {
                return Err(refused(format!(
                    "{} holds another secret key than the archive's: remove it (a new data directory has none)",
                    key_file.display()
                )));
            }
        }
    }

    // From here on the target changes; a failure leaves it partly restored, which a retry refuses.
    let written = put_in_place(&manifest, &unpacked, &target, archived_key.as_deref(), &key_file).await;
    let files = written.with_context(|| {
        "the restore stopped part way: the configured database and file store now hold part of the archive; \
         empty them before trying again"
    })?;
    Ok(RestoreReport { manifest, files })
}

/// Write what the checked archive holds into the target: the key first (a database without its
/// key is useless), then the files, then the database last (a retry sees the database's tables
/// only once everything else is in place).
async fn put_in_place(
    manifest: &Manifest,
    unpacked: &Path,
    target: &Source<'_>,
    archived_key: Option<&str>,
    key_file: &Path,
) -> anyhow::Result<usize> {
    if let Some(key) = archived_key {
        if !tokio::fs::try_exists(key_file).await.unwrap_or(false) {
            crate::secrets::write_private_file(key_file, key.as_bytes())
                .with_context(|| format!("writing {}", key_file.display()))?;
        }
    }
    let mut files = 0;
    for entry in &manifest.entries {
        let Some(key) = entry.name.strip_prefix(archive::FILES_PREFIX) else { continue };
        let bytes = tokio::fs::read(unpacked.join(&entry.name)).await?;
        target.files.put(key, Bytes::from(bytes), content_type(key)).await?;
        files += 1;
    }
    match target.db.kind() {
        DbKind::Sqlite => {
            let restored = unpacked.join(archive::SQLITE_ENTRY);
            let verdict = queries::integrity_check_file(&restored).await.context("opening the archived database")?;
            if verdict != "ok" {
                return Err(refused(format!("the archived SQLite database fails its integrity check: {verdict}")));
            }
            let file = sqlite_file(target.database_url)?;
            // The empty database the check above opened goes, with its journal files.
            target.db.close().await;
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let path = PathBuf::from(format!("{}{suffix}", file.display()));
                match tokio::fs::remove_file(&path).await {
                    Ok(()) => {}
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                    Err(err) => return Err(err).with_context(|| format!("removing {}", path.display())),
                }
            }
            if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                tokio::fs::create_dir_all(dir).await?;
            }
            // Same file system (the work folder is in the data directory): a rename.
            if tokio::fs::rename(&restored, &file).await.is_err() {
                tokio::fs::copy(&restored, &file).await.with_context(|| format!("writing {}", file.display()))?;
            }
        }
        DbKind::Postgres => {
            let version = queries::server_version(target.db).await?;
            postgres::restore(target.database_url, &version, &unpacked.join(archive::POSTGRES_ENTRY)).await?;
        }
    }
    // The leases the snapshot was taken under (the backup's own, say) belonged to processes
    // that are gone; left in place they would hold the restored instance's jobs back for hours.
    let restored = Db::connect(target.database_url, 1).await.context("opening the restored database")?;
    let cleared = queries::clear_leases(restored.pool()).await;
    restored.close().await;
    cleared.context("clearing the snapshot's job leases")?;
    Ok(files)
}

/// Backups on a schedule, inside `serve` (off unless `--backup-to` is given).
pub struct Schedule {
    pub plan: BackupPlan,
    pub every: Duration,
    pub database_url: String,
    pub data_dir: PathBuf,
}

impl Schedule {
    /// The schedule `serve` was given, checked at start: None when `--backup-to` is unset.
    pub fn from_config(config: &crate::config::Config) -> anyhow::Result<Option<Self>> {
        let settings = &config.backups;
        let Some(to) = settings.to.as_deref().filter(|to| !to.trim().is_empty()) else { return Ok(None) };
        if settings.recipients.is_empty() {
            bail!("--backup-to needs --backup-recipient: the age public key the backups are encrypted to");
        }
        if settings.every_hours == 0 {
            bail!("--backup-every-hours must be at least 1");
        }
        let recipients = settings.recipients.iter().map(|r| archive::parse_recipient(r)).collect::<Result<_, _>>()?;
        Ok(Some(Self {
            plan: BackupPlan {
                destination: Destination::parse(to)?,
                sealing: Sealing::Recipients(recipients),
                retention: Retention { daily: settings.keep_daily, weekly: settings.keep_weekly },
            },
            every: Duration::from_secs(u64::from(settings.every_hours) * 3600),
            database_url: config.storage.database_url(),
            data_dir: config.storage.data_dir.clone(),
        }))
    }
}

/// How often the schedule looks whether a backup is due; the first look is soon after start.
const LOOK_EVERY: Duration = Duration::from_secs(300);
const FIRST_LOOK_AFTER: Duration = Duration::from_secs(2);
/// Longer than any backup takes; a crashed instance's lease runs out after it.
const LEASE: Duration = Duration::from_secs(6 * 3600);
const LEASE_NAME: &str = "backup";

/// Run the schedule until `stop`. Whether a backup is due is read from the destination itself
/// (the newest archive's time), so restarts and several instances agree; the `backup` lease
/// lets one instance make it.
pub fn spawn_schedule(handles: Arc<Handles>, schedule: Schedule, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut wait = FIRST_LOOK_AFTER;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => break,
            }
            wait = LOOK_EVERY.min(schedule.every);
            tokio::select! {
                outcome = scheduled_pass(&handles, &schedule) => match outcome {
                    Ok(Some(report)) => {
                        handles.metrics.job_run("backup", true);
                        tracing::info!(
                            location = %report.location, bytes = report.bytes, files = report.files,
                            removed = report.removed.len(), "backup made"
                        );
                    }
                    Ok(None) => {}
                    Err(err) => {
                        handles.metrics.job_run("backup", false);
                        tracing::error!(error = %format!("{err:#}"), "the scheduled backup failed");
                    }
                },
                _ = stop.changed() => {
                    // Stopped part way: the lease goes now rather than after six hours.
                    let _ = crate::db::leases::release(handles.db.pool(), LEASE_NAME, &handles.instance_id).await;
                    break;
                }
            }
        }
    })
}

/// One look: make a backup when the newest archive is older than the period. None when no
/// backup was due or another instance holds the lease.
async fn scheduled_pass(handles: &Handles, schedule: &Schedule) -> anyhow::Result<Option<BackupReport>> {
    let now = handles.clock.now();
    let pool = handles.db.pool();
    if !crate::db::leases::try_acquire(pool, LEASE_NAME, &handles.instance_id, now, now.plus(LEASE)).await? {
        return Ok(None);
    }
    // Under the lease, so that two instances never both find a backup due.
    let made = match backup_due(schedule, now).await {
        Ok(true) => {
            let source = Source {
                db: &handles.db,
                database_url: &schedule.database_url,
                files: &handles.files,
                data_dir: &schedule.data_dir,
            };
            back_up(source, &schedule.plan, now).await.map(Some)
        }
        Ok(false) => Ok(None),
        Err(err) => Err(err),
    };
    if let Err(err) = crate::db::leases::release(pool, LEASE_NAME, &handles.instance_id).await {
        tracing::warn!(error = %err, "could not release the backup lease; it runs out by itself");
    }
    made
}

/// Is the newest archive in the destination older than the period (or is there none)?
async fn backup_due(schedule: &Schedule, now: Timestamp) -> anyhow::Result<bool> {
    let newest = schedule.plan.destination.names().await?.iter().filter_map(|n| retention::archive_time(n)).max();
    let Some(newest) = newest else { return Ok(true) };
    let made = newest.to_zoned(jiff::tz::TimeZone::UTC).map(|z| z.timestamp().as_millisecond()).unwrap_or(0);
    let period = i64::try_from(schedule.every.as_millis()).unwrap_or(i64::MAX);
    Ok(now.millis() >= made.saturating_add(period))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restored_files_keep_their_content_type() {
        assert_eq!(content_type("u/a/b.jpg"), "image/jpeg");
        assert_eq!(content_type("exports/x.zip"), "application/zip");
        assert_eq!(content_type("odd"), "application/octet-stream");
    }

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_file("sqlite://data/careerlog.db?mode=rwc").unwrap(), PathBuf::from("data/careerlog.db"));
        assert_eq!(sqlite_file("sqlite:///srv/c.db").unwrap(), PathBuf::from("/srv/c.db"));
        assert!(sqlite_file("sqlite::memory:").is_err());
    }
}
