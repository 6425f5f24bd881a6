//! Database migrations: one set that both databases run (`migrations/shared`) and, for the rare
//! change the dialects cannot write alike, a folder per dialect (`migrations/sqlite`,
//! `migrations/postgres`). Each database's migrator is the shared set and its own folder merged
//! by version. The test `migrations::sqlite_and_postgres_schemas_match_column_by_column` checks
//! that the two databases end with the same schema.

use std::borrow::Cow;
use std::sync::LazyLock;

use anyhow::Context;
use sqlx::migrate::{Migration, Migrator};
use sqlx::AnyPool;

use super::DbKind;

/// What both databases run; nearly every migration belongs here.
pub static SHARED_MIGRATIONS: Migrator = sqlx::migrate!("migrations/shared");
/// What only SQLite runs, where the dialects really differ (empty today).
pub static SQLITE_ONLY_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
/// What only PostgreSQL runs, where the dialects really differ (empty today).
pub static POSTGRES_ONLY_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Everything a SQLite database runs: shared ∪ SQLite-only, in version order.
pub static SQLITE_MIGRATIONS: LazyLock<Migrator> = LazyLock::new(|| merge(&SHARED_MIGRATIONS, &SQLITE_ONLY_MIGRATIONS));
/// Everything a PostgreSQL database runs: shared ∪ PostgreSQL-only, in version order.
pub static POSTGRES_MIGRATIONS: LazyLock<Migrator> =
    LazyLock::new(|| merge(&SHARED_MIGRATIONS, &POSTGRES_ONLY_MIGRATIONS));

/// The migrator for one kind of database.
pub fn migrator(kind: DbKind) -> &'static Migrator {
    match kind {
        DbKind::Sqlite => &SQLITE_MIGRATIONS,
        DbKind::Postgres => &POSTGRES_MIGRATIONS,
    }
}

fn merge(shared: &Migrator, own: &Migrator) -> Migrator {
    let mut migrations: Vec<Migration> = shared.iter().chain(own.iter()).cloned().collect();
    migrations.sort_by_key(|m| m.version);
    // sqlx keys applied migrations by version alone: a second file with the same version would
    // be skipped on databases that ran the first, so the sets must not share a version.
    if let Some(pair) = migrations.windows(2).find(|pair| pair[0].version == pair[1].version) {
        panic!(
            "migration version {} is used twice ({:?} and {:?}): a version lives in migrations/shared or in a \
             dialect folder, never both",
            pair[0].version, pair[0].description, pair[1].description
        );
    }
    // The fields are public (and hidden) so `migrate!` can build a `Migrator`; this is the same
    // set-up `migrate!` and `Migrator::new` give: lock while migrating, one transaction each.
    Migrator { migrations: Cow::Owned(migrations), ignore_missing: false, locking: true, no_tx: false }
}

/// Apply pending migrations, after adopting the checksums of the files from before the shared
/// folder. On PostgreSQL the migrator takes an advisory lock, so several instances starting at
/// once migrate one after another.
pub async fn run(pool: &AnyPool, kind: DbKind) -> anyhow::Result<()> {
    let migrator = migrator(kind);
    // The usual start: nothing to do. One read says so, without the lock and the checksum
    // adoption's updates (each instance's start is quicker, scripts/bench measures it).
    if is_current(pool, migrator).await {
        return Ok(());
    }
    let adopted = adopt_legacy_checksums(pool, kind, migrator).await.context("adopting old migration checksums")?;
    if adopted > 0 {
        tracing::info!(adopted, "recorded the shared migration files' checksums for migrations applied before");
    }
    migrator.run(pool).await.context("running database migrations")?;
    Ok(())
}

/// Whether the database has applied exactly this build's migrations, each with its file's
/// checksum. Anything else (a new database, pending or failed migrations, checksums to adopt or
/// refuse, a newer build's migrations) is left to the migrator.
async fn is_current(pool: &AnyPool, migrator: &Migrator) -> bool {
    let applied: Vec<(i64, Vec<u8>, bool)> =
        match sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(pool)
            .await
        {
            Ok(rows) => rows,
            Err(_) => return false,
        };
    let wanted: Vec<&Migration> = migrator.iter().collect();
    applied.len() == wanted.len()
        && applied.iter().zip(wanted).all(|((version, checksum, success), migration)| {
            *success && *version == migration.version && checksum[..] == migration.checksum[..]
        })
}

/// SHA-384 checksums (hex) of the migration files as they were when each dialect had its own
/// copy: `(version, SQLite file, PostgreSQL file)`. The copies differed only in a comment naming
/// the other folder, so a database migrated then recorded one of these, and sqlx would refuse
/// the shared file ("previously applied but has been modified") without `adopt_legacy_checksums`.
/// Never edit these; a migration added after the shared folder has no entry.
pub const LEGACY_CHECKSUMS: &[(i64, &str, &str)] = &[
    (
        20261123000001,
        "7441dfce3ea175170752e5a0476a1f7c5cf77d1c87916db8bcb85bdbd03e35b6037a2518fb5d9511e7a03da334f9d8f9",
        "9c04a664d3e5378dd720e3e00ee10a4cd83783d7186c7ecc19b5cd20e9e48e80e235e179d41aa416d0b091e62a8268a9",
    ),
    (
        20261123000002,
        "f94774a2e9ad61a8dca56494d1f707c654565d78724bee2b5e0c5565fa9508de2edfe1117c7acfcd3549b0d402bd6a3a",
        "5beeb2d1c05872b6374cfba3d128269f4278fb4b9e780dfb6ed5b704932228f767f9daaef17661eee498a4e6a29bbc45",
    ),
    (
        20261123000003,
        "d3ef233e3ca6c53107528a9edfcfcc7c8e7d7a4a4aa6004b727b8f328862072e6789a2c8a57dee2689b6764579f388fc",
        "82e90e2bf8e464604a94f7ceff6f2d50810a1621e15fffb52137db2d6d119403a3aeb42c98787897675d6275f226963e",
    ),
    (
        20261123000004,
        "604127e33fabe2044bdaec3a8e085bcab931d3be84df0e48974e4e5267d1c27454350ed138ccb3db9bc96d4faee800dd",
        "b05d4f593e001c8363c6149e8a1275a3b654b2215f43b2ca34f33a6f758b9ea52684524f84ae8af3e56ad2434baabbfd",
    ),
    (
        20261123000005,
        "726e03b1509a4d3e074a32cda24702cad57cf427981fc24744ef69db8ae74cbf44a0dc6caca9c7f67284970f8a2792d3",
        "d99978384f32cf4701ffd46dbf1fc61e8c90938a77aed107cf5075d458166ff39b016b35058bf152ba520245f89ec761",
    ),
    (
        20261123000006,
        "44370e7ac3ef8633d502e46c14db4018e9408ae0442fa46d9a41eb67a51774ed278e35b4c1450d23a3fb20df9559c2cd",
        "e23ac5828c220f923ffb00ef1f0e7cc899044315234a4ce691ba622c1d85b6a1c565570e62bef8e31ee6f1dff50c03ea",
    ),
    (
        20261123000007,
        "357a9b65f0bc3482e77a6a9b6013168dcdc6d4ca28521cf20994998a894a40e2fb4b560324692496ff969fa44148e967",
        "1863a7c9155f3978544593cca26c2a4e3561a281508df6536c96730d9932738a506d56d47ca5b6cd72e8f57dd9bb2fb1",
    ),
];

/// Record the current file's checksum for every applied migration whose stored checksum is that
/// of its old SQLite or PostgreSQL copy. Anything else (a file edited after it ran) is left for
/// the migrator to refuse. Each update only ever moves an old checksum to the new one, so
/// instances starting together may all run this without a lock. Returns how many rows changed.
pub async fn adopt_legacy_checksums(pool: &AnyPool, kind: DbKind, migrator: &Migrator) -> Result<u64, sqlx::Error> {
    // A new database has no table yet (the migrator makes it); then there is nothing to adopt.
    let table_exists = match kind {
        DbKind::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        DbKind::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
        }
    };
    let count: i64 = sqlx::query_scalar(table_exists).fetch_one(pool).await?;
    if count == 0 {
        return Ok(0);
    }
    let mut adopted = 0;
    for &(version, sqlite, postgres) in LEGACY_CHECKSUMS {
        let Some(current) = migrator.iter().find(|m| m.version == version) else { continue };
        let result = sqlx::query(
            "UPDATE _sqlx_migrations SET checksum = $1 WHERE version = $2 AND (checksum = $3 OR checksum = $4)",
        )
        .bind(current.checksum.to_vec())
        .bind(version)
        .bind(from_hex(sqlite))
        .bind(from_hex(postgres))
        .execute(pool)
        .await?;
        adopted += result.rows_affected();
    }
    Ok(adopted)
}

fn from_hex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("the legacy checksums are hex"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_database_runs_the_shared_set_and_its_own_in_version_order() {
        for (merged, own) in
            [(&*SQLITE_MIGRATIONS, &SQLITE_ONLY_MIGRATIONS), (&*POSTGRES_MIGRATIONS, &POSTGRES_ONLY_MIGRATIONS)]
        {
            let versions: Vec<i64> = merged.iter().map(|m| m.version).collect();
            assert!(versions.windows(2).all(|pair| pair[0] < pair[1]), "{versions:?}");
            assert_eq!(versions.len(), SHARED_MIGRATIONS.iter().count() + own.iter().count());
        }
        assert!(SHARED_MIGRATIONS.iter().count() >= 7);
    }

    #[test]
    fn the_legacy_checksums_are_sha384_of_migrations_that_exist() {
        for &(version, sqlite, postgres) in LEGACY_CHECKSUMS {
            assert!(SHARED_MIGRATIONS.version_exists(version), "{version}");
            for hex in [sqlite, postgres] {
                assert_eq!(from_hex(hex).len(), 48, "{version}");
            }
        }
    }

    #[test]
    fn hex_decodes() {
        assert_eq!(from_hex("00ff7a"), vec![0, 255, 0x7a]);
    }
}
