//! Backups and restores, as an operator runs them: `careerlog backup` while people are writing,
//! `careerlog restore` into a new, empty database and file store, then every row and file compared;
//! archives cut short, altered or made for someone else are refused before anything is written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use age::secrecy::ExposeSecret;
use careerlog::db::Db;
use reqwest::multipart::{Form, Part};

use crate::api::create_token;
use crate::files::MotoServer;
use crate::support::{csrf_token_in, fresh_postgres_database, Backend, TestApp};

crate::on_both_databases!(
    a_backup_taken_while_people_write_restores_every_row_and_file,
    a_cut_short_altered_or_foreign_archive_is_refused_and_nothing_is_written,
    a_restore_never_mixes_into_a_database_that_holds_data,
    an_instance_given_its_key_is_restored_with_the_same_key_and_refused_without_it,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_makes_a_backup_on_its_schedule_and_keeps_only_what_the_policy_keeps() {
    let keys = AgeKeys::new();
    let to = tempfile::tempdir().unwrap();
    // Archives from earlier days (only their names matter to the policy) and a file of someone else's.
    let old = ["careerlog-20200101-030000-000.tar.gz.age", "careerlog-20200102-030000-000.tar.gz.age"];
    for name in old {
        std::fs::write(to.path().join(name), b"old").unwrap();
    }
    std::fs::write(to.path().join("README.txt"), b"not ours").unwrap();
    let dir = to.path().display().to_string();
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            "--backup-to",
            &dir,
            "--backup-recipient",
            &keys.public,
            "--backup-keep-daily",
            "1",
            "--backup-keep-weekly",
            "0",
        ],
    )
    .await
    .unwrap();
    app.signed_up_user("ada@example.com").await;

    // The new archive appears first, then the policy removes the old ones.
    let made = wait_for(Duration::from_secs(60), || {
        let names = names_in(to.path());
        let new = names.iter().find(|n| n.starts_with("careerlog-2") && !old.contains(&n.as_str()))?.clone();
        (!names.iter().any(|n| old.contains(&n.as_str()))).then_some(new)
    })
    .await
    .expect("the schedule makes a backup soon after start and the older archives go");
    let kept = names_in(to.path());
    assert!(kept.contains(&"README.txt".to_owned()), "other files stay");

    let unpacked = tempfile::tempdir().unwrap();
    let manifest = careerlog::backup::archive::read(&to.path().join(&made), &keys.unsealing(), unpacked.path())
        .expect("the scheduled archive opens with the operator's key");
    assert_eq!(manifest.database.kind, "sqlite");
    assert!(manifest.secret_key_included);
}

/// An age key pair for the operator, the identity written to a file as `age-keygen` writes it.
struct AgeKeys {
    identity: age::x25519::Identity,
    public: String,
    file: tempfile::NamedTempFile,
}

impl AgeKeys {
    fn new() -> Self {
        let identity = age::x25519::Identity::generate();
        let public = identity.to_public().to_string();
        let file = tempfile::NamedTempFile::new().unwrap();
        let text = format!("# public key: {public}\n{}\n", identity.to_string().expose_secret());
        std::fs::write(file.path(), text).unwrap();
        Self { identity, public, file }
    }

    fn unsealing(&self) -> careerlog::backup::Unsealing {
        careerlog::backup::Unsealing::Identities(vec![self.identity.clone()])
    }
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

async fn wait_for<T>(limit: Duration, mut found: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(value) = found() {
            return Some(value);
        }
        if std::time::Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `careerlog <args…>` with `env`, as an operator runs it.
async fn careerlog(args: &[String], env: &[(String, String)]) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_careerlog"));
    command.args(args).env_remove("CAREERLOG_DATABASE_URL").env("CAREERLOG_LOG", "warn");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().await.expect("run careerlog")
}

fn said(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// Where backups go in a test: a moto bucket for PostgreSQL (as at scale), a directory for SQLite.
struct Target {
    to: String,
    env: Vec<(String, String)>,
    _dir: tempfile::TempDir,
    _moto: Option<MotoServer>,
}

impl Target {
    async fn for_backend(backend: Backend) -> Target {
        let dir = tempfile::tempdir().unwrap();
        if backend == Backend::Postgres {
            if let Some(moto) = MotoServer::start().await {
                moto.create_bucket("careerlog-backups").await;
                let env = [
                    ("AWS_ENDPOINT_URL", moto.endpoint()),
                    ("AWS_ALLOW_HTTP", "true".into()),
                    ("AWS_ACCESS_KEY_ID", "test".into()),
                    ("AWS_SECRET_ACCESS_KEY", "test".into()),
                    ("AWS_REGION", "us-east-1".into()),
                ];
                return Target {
                    to: "s3://careerlog-backups/nightly".into(),
                    env: env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
                    _dir: dir,
                    _moto: Some(moto),
                };
            }
        }
        Target { to: dir.path().join("backups").display().to_string(), env: Vec::new(), _dir: dir, _moto: None }
    }
}

/// Take a backup of `app` to `target`; answers the archive's location.
async fn back_up(app: &TestApp, target: &Target, keys: &AgeKeys) -> String {
    let mut args: Vec<String> =
        vec!["backup".into(), "--to".into(), target.to.clone(), "--recipient".into(), keys.public.clone()];
    args.extend(app.storage_args());
    let output = careerlog(&args, &target.env).await;
    assert!(output.status.success(), "the backup is made: {}", said(&output));
    let location = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    assert!(location.ends_with(".tar.gz.age"), "it prints where the archive is: {location:?}");
    location
}

/// A new, empty place to restore into: a data directory and, on PostgreSQL, a new database.
struct Fresh {
    data_dir: PathBuf,
    database_url: Option<String>,
    _temp: tempfile::TempDir,
}

impl Fresh {
    async fn new(backend: Backend) -> Fresh {
        let temp = tempfile::tempdir().unwrap();
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(fresh_postgres_database().await.expect("a PostgreSQL database")),
        };
        Fresh { data_dir: temp.path().join("restored"), database_url, _temp: temp }
    }

    fn storage_args(&self) -> Vec<String> {
        let mut args = vec!["--data-dir".to_owned(), self.data_dir.display().to_string()];
        if let Some(url) = &self.database_url {
            args.extend(["--database-url".to_owned(), url.clone()]);
        }
        args
    }

    fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("careerlog.db").display()),
        }
    }

    async fn restore(&self, location: &str, keys: &AgeKeys, env: &[(String, String)]) -> Output {
        let mut args: Vec<String> =
            vec!["restore".into(), location.into(), "--identity".into(), keys.file.path().display().to_string()];
        args.extend(self.storage_args());
        careerlog(&args, env).await
    }
}

/// Every row of every table, as JSON text, by table (SQLite's full-text index is left out: it
/// is rebuilt from `search_documents`, which is compared).
async fn every_row(db: &Db) -> BTreeMap<String, BTreeSet<String>> {
    let pool = db.pool();
    let postgres = db.kind() == careerlog::db::DbKind::Postgres;
    let tables: Vec<String> = if postgres {
        sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    } else {
        sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE 'search_fts%'",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    };
    let mut all = BTreeMap::new();
    for table in tables {
        let sql = if postgres {
            format!("SELECT row_to_json(t)::text FROM \"{table}\" t")
        } else {
            let columns: Vec<String> = sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .fetch_all(pool)
                .await
                .unwrap();
            // Blobs (the migrations' checksums) as hex: JSON cannot hold them.
            let pairs: Vec<String> = columns
                .iter()
                .map(|c| format!("'{c}', CASE WHEN typeof(\"{c}\") = 'blob' THEN hex(\"{c}\") ELSE \"{c}\" END"))
                .collect();
            format!("SELECT json_object({}) FROM \"{table}\"", pairs.join(", "))
        };
        let rows: Vec<String> = sqlx::query_scalar(&sql).fetch_all(pool).await.unwrap();
        all.insert(table, rows.into_iter().collect());
    }
    all
}

/// Every uploaded file under a data directory's local store: key → bytes.
fn every_file(data_dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, found: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, found);
            } else {
                let key = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                found.insert(key, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut found = BTreeMap::new();
    let root = data_dir.join("uploads");
    walk(&root, &root, &mut found);
    found
}

/// A signed-in person with a photo, a journal entry with an image, skills and a note.
async fn seed(app: &TestApp) -> String {
    app.signed_up_user("ada@example.com").await;
    let html = app.client.get(app.url("/settings/profile")).send().await.unwrap().text().await.unwrap();
    let photo = Part::bytes(crate::uploads::png(120, 90, false)).file_name("me.png").mime_str("image/png").unwrap();
    let form = Form::new().text("_csrf", csrf_token_in(&html).unwrap()).part("photo", photo);
    let response = app.client.post(app.url("/settings/profile/photo")).multipart(form).send().await.unwrap();
    assert!(response.status().is_redirection(), "the photo is uploaded: {}", response.status());
    let response = app
        .submit(
            "/journal/new",
            "/journal",
            &[("title", "Shipped the importer"), ("entry_date", "2026-11-20"), ("body", "It reads PDFs now.")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let token = create_token(app, "writer").await;
    for name in ["Rust", "PostgreSQL", "Negotiation"] {
        let created = crate::support::browser()
            .post(app.url("/api/v1/skills"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": name}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
    }
    token
}

/// Writes skills through the API until stopped, adding each id acknowledged (201) to `acknowledged`.
fn write_loop(
    app: &TestApp,
    token: String,
    stop: Arc<AtomicBool>,
    acknowledged: Arc<Mutex<Vec<String>>>,
) -> tokio::task::JoinHandle<()> {
    let url = app.url("/api/v1/skills");
    tokio::spawn(async move {
        let client = crate::support::browser();
        let mut n = 0;
        while !stop.load(Ordering::SeqCst) {
            n += 1;
            let response = client
                .post(&url)
                .bearer_auth(&token)
                .json(&serde_json::json!({"name": format!("Skill written during the backup {n}")}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            let body: serde_json::Value = response.json().await.unwrap();
            acknowledged.lock().unwrap().push(body["id"].as_str().unwrap().to_owned());
        }
    })
}

async fn a_backup_taken_while_people_write_restores_every_row_and_file(app: TestApp) {
    let keys = AgeKeys::new();
    let target = Target::for_backend(app.backend).await;
    let token = seed(&app).await;

    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let writes = write_loop(&app, token, stop.clone(), acknowledged.clone());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before_backup = acknowledged.lock().unwrap().clone();
    let location = back_up(&app, &target, &keys).await;
    let during_backup = acknowledged.lock().unwrap().len() - before_backup.len();
    stop.store(true, Ordering::SeqCst);
    writes.await.unwrap();
    assert!(!before_backup.is_empty() && during_backup > 0, "writes went on during the backup");

    let fresh = Fresh::new(app.backend).await;
    let restored = fresh.restore(&location, &keys, &target.env).await;
    assert!(restored.status.success(), "the archive restores: {}", said(&restored));
    assert!(said(&restored).contains("uploaded file"), "{}", said(&restored));

    // Every row of the restored database was in the source: rows written after the snapshot
    // are missing, nothing is invented or half-written; what no request changed is all there.
    let source = every_row(&app.state.db).await;
    let db = Db::connect(&fresh.database_url(), 2).await.unwrap();
    let copy = every_row(&db).await;
    assert_eq!(copy.keys().collect::<Vec<_>>(), source.keys().collect::<Vec<_>>(), "the same tables");
    // Rows that change in place while requests come in (a token's last use, a lease's expiry, a
    // rate-limit counter, a public page's change count) are compared by count.
    let changing = [
        "api_tokens",
        "job_leases",
        "throttle_buckets",
        "sessions",
        "page_views",
        "page_view_days",
        "mail_outbox",
        "public_page_versions",
    ];
    let mut compared = 0;
    for (table, rows) in &copy {
        if changing.contains(&table.as_str()) {
            assert!(rows.len() <= source[table].len().max(1), "{table}");
            continue;
        }
        let invented: Vec<&String> = rows.difference(&source[table]).collect();
        assert!(invented.is_empty(), "{table}: rows the source never had: {invented:?}");
        compared += rows.len();
    }
    assert!(compared > 20, "the comparison saw the data ({compared} rows)");
    let skills: BTreeSet<String> =
        sqlx::query_scalar("SELECT id FROM skills").fetch_all(db.pool()).await.unwrap().into_iter().collect();
    assert!(skills.len() >= 3 + before_backup.len(), "the seeded skills are back");
    let lost: Vec<&String> = before_backup.iter().filter(|id| !skills.contains(*id)).collect();
    assert!(lost.is_empty(), "every write acknowledged before the backup began is in it: {lost:?}");
    for table in ["users", "profiles", "journal_entries", "uploads", "_sqlx_migrations"] {
        assert_eq!(copy.get(table), source.get(table), "{table} is whole");
    }
    if app.backend == Backend::Sqlite {
        assert_eq!(careerlog::db::backup::integrity_check(db.pool()).await.unwrap(), "ok");
    }
    db.close().await;

    // Every file is back, byte for byte.
    let files = every_file(&app.data_dir);
    assert!(!files.is_empty(), "the photo was stored");
    assert_eq!(every_file(&fresh.data_dir), files);
    // So is the key that opens the sealed columns.
    assert_eq!(
        std::fs::read(fresh.data_dir.join("secret.key")).unwrap(),
        std::fs::read(app.data_dir.join("secret.key")).unwrap()
    );

    // The restored instance starts (its key is the one its database knows) and Ada signs in.
    let mut args = vec!["--listen".to_owned(), "127.0.0.1:0".to_owned()];
    args.extend(fresh.storage_args());
    let restored_app = careerlog::Application::build(careerlog::config::Config::from_args(&args).unwrap())
        .await
        .expect("the restored instance starts");
    let address = format!("http://{}", restored_app.local_addr());
    tokio::spawn(restored_app.run_until(std::future::pending()));
    let visitor = crate::support::browser();
    let signed_in = crate::support::submit_with(
        &visitor,
        &address,
        "/login",
        "/login",
        &[("email", "ada@example.com"), ("password", "maple orbit lantern quietly")],
    )
    .await;
    assert_eq!(signed_in.status(), 303, "Ada signs in on the restored instance");
    let skills_page = visitor.get(format!("{address}/skills")).send().await.unwrap().text().await.unwrap();
    assert!(skills_page.contains("Negotiation"), "her records are there");
}

async fn a_cut_short_altered_or_foreign_archive_is_refused_and_nothing_is_written(app: TestApp) {
    let keys = AgeKeys::new();
    let dir = tempfile::tempdir().unwrap();
    let target = Target {
        to: dir.path().display().to_string(),
        env: Vec::new(),
        _dir: tempfile::tempdir().unwrap(),
        _moto: None,
    };
    seed(&app).await;
    let location = back_up(&app, &target, &keys).await;
    let bytes = std::fs::read(&location).unwrap();

    let truncated = dir.path().join("truncated.tar.gz.age");
    std::fs::write(&truncated, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let mut altered_bytes = bytes.clone();
    let middle = altered_bytes.len() / 2;
    altered_bytes[middle] ^= 0x01;
    let altered = dir.path().join("altered.tar.gz.age");
    std::fs::write(&altered, &altered_bytes).unwrap();
    let stranger = AgeKeys::new();

    let fresh = Fresh::new(app.backend).await;
    let cases: [(&Path, &AgeKeys, &str); 3] = [
        (&truncated, &keys, "truncated"),
        (&altered, &keys, "altered"),
        (Path::new(&location), &stranger, "not encrypted to this identity"),
    ];
    for (archive, with, expected) in cases {
        let output = fresh.restore(&archive.display().to_string(), with, &[]).await;
        assert!(!output.status.success(), "{expected}: refused");
        assert!(said(&output).contains(expected), "{expected}: says why: {}", said(&output));
        let db = Db::connect(&fresh.database_url(), 1).await.unwrap();
        assert_eq!(careerlog::db::backup::table_count(&db).await.unwrap(), 0, "{expected}: nothing was written");
        db.close().await;
        assert!(every_file(&fresh.data_dir).is_empty(), "{expected}: no file was written");
        assert!(!fresh.data_dir.join("secret.key").exists(), "{expected}: no key was written");
    }
    // The whole archive still restores.
    let output = fresh.restore(&location, &keys, &[]).await;
    assert!(output.status.success(), "{}", said(&output));
}

async fn a_restore_never_mixes_into_a_database_that_holds_data(app: TestApp) {
    let keys = AgeKeys::new();
    let target = Target::for_backend(Backend::Sqlite).await;
    seed(&app).await;
    let location = back_up(&app, &target, &keys).await;
    // Into the very instance it came from: its database holds data.
    let mut args: Vec<String> =
        vec!["restore".into(), location, "--identity".into(), keys.file.path().display().to_string()];
    args.extend(app.storage_args());
    let output = careerlog(&args, &[]).await;
    assert!(!output.status.success());
    assert!(said(&output).contains("is not empty"), "{}", said(&output));
    assert!(app.scalar("SELECT COUNT(*) FROM skills").await >= 3, "nothing was lost");
}

async fn an_instance_given_its_key_is_restored_with_the_same_key_and_refused_without_it(plain: TestApp) {
    const KEY: &str = "5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e";
    let Some(app) = TestApp::spawn_with(plain.backend, &["--secret-key", KEY]).await else { return };
    let keys = AgeKeys::new();
    let target = Target::for_backend(Backend::Sqlite).await;
    seed(&app).await;
    let location = back_up(&app, &target, &keys).await;
    let fresh = Fresh::new(app.backend).await;
    let restored = fresh.restore(&location, &keys, &[]).await;
    assert!(restored.status.success(), "{}", said(&restored));
    let expected_fingerprint = careerlog::secrets::MasterKey::from_hex(KEY).unwrap().fingerprint();
    assert!(
        said(&restored).contains(&format!("fingerprint begins {}", &expected_fingerprint[..8])),
        "the restore says which key the instance needs: {}",
        said(&restored)
    );
    assert!(!fresh.data_dir.join("secret.key").exists(), "no key was in the archive");

    let start = |key: Option<&str>| {
        let mut args = vec!["--listen".to_owned(), "127.0.0.1:0".to_owned()];
        args.extend(fresh.storage_args());
        if let Some(key) = key {
            args.extend(["--secret-key".to_owned(), key.to_owned()]);
        }
        careerlog::Application::build(careerlog::config::Config::from_args(&args).unwrap())
    };
    let refused = start(None).await.err().expect("without the key the restored instance does not start");
    assert!(format!("{refused:#}").contains("does not have"), "{refused:#}");
    assert!(!fresh.data_dir.join("secret.key").exists(), "and no other key was made for it");
    start(Some(KEY)).await.expect("with the same key it starts");
}
