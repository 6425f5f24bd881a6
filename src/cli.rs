//! The command line: `careerlog serve | migrate | admin … | resume parse FILE`.

use std::io::BufRead;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::backup::{BackupPlan, Destination, Retention, Sealing, Source, Unsealing};
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, LogFormat, StorageConfig, UploadConfig};
use crate::db::Db;
use crate::domain::{Email, Password};
use crate::services::passwords::PasswordHasher;

#[derive(Debug, Parser)]
#[command(
    name = "careerlog",
    version,
    about = "Careerlog: a private home for your working life, with an opt-in public face."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web application (with no flags: http://127.0.0.1:8080, everything under ./data).
    Serve(Box<Config>),
    /// Apply pending database migrations and exit (serve also does this at start).
    Migrate(StorageConfig),
    /// Make one encrypted backup now (the database and every uploaded file) and print where it is.
    Backup(Box<BackupArgs>),
    /// Check a backup and restore it into the configured database and file store, which must be
    /// empty.
    Restore(Box<RestoreArgs>),
    /// Administration tasks.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Resume files, without a database or AI.
    #[command(subcommand)]
    Resume(ResumeCommand),
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where the archive goes: a directory, or `s3://bucket/prefix` (S3 credentials and endpoint
    /// from the AWS_* environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION,
    /// AWS_ENDPOINT_URL for other S3-compatible services).
    #[arg(long)]
    pub to: String,

    /// The age public key (age1…) to encrypt to; repeatable. Keep its private key off the server.
    #[arg(long = "recipient", required_unless_present = "passphrase_file")]
    pub recipients: Vec<String>,

    /// Encrypt with the passphrase in this file (its first line) instead of a public key.
    #[arg(long, conflicts_with = "recipients")]
    pub passphrase_file: Option<PathBuf>,

    /// Keep the newest backup of each of this many recent days (older ones in the destination
    /// go); the same setting as serve's schedule.
    #[arg(long, env = "CAREERLOG_BACKUP_KEEP_DAILY", default_value_t = 7)]
    pub keep_daily: u32,

    /// Keep the newest backup of each of this many recent weeks.
    #[arg(long, env = "CAREERLOG_BACKUP_KEEP_WEEKLY", default_value_t = 4)]
    pub keep_weekly: u32,

    #[command(flatten)]
    pub storage: StorageConfig,

    #[command(flatten)]
    pub uploads: UploadConfig,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The archive: a path, or `s3://bucket/prefix/careerlog-….tar.gz.age`.
    pub archive: String,

    /// The age identity file (AGE-SECRET-KEY-1…) of a public key the archive was encrypted to.
    #[arg(long, required_unless_present = "passphrase_file")]
    pub identity: Option<PathBuf>,

    /// The file holding the passphrase the archive was encrypted with (its first line).
    #[arg(long, conflicts_with = "identity")]
    pub passphrase_file: Option<PathBuf>,

    #[command(flatten)]
    pub storage: StorageConfig,

    #[command(flatten)]
    pub uploads: UploadConfig,
}

#[derive(Debug, Subcommand)]
pub enum ResumeCommand {
    /// Print what the parser (without AI) reads in a PDF, DOCX, text or Markdown resume, as a
    /// JSON Resume document on standard output.
    Parse {
        /// The resume file (at most 5 MB).
        file: std::path::PathBuf,
        /// Print the text extracted from the file instead (one line per line, a tab for a
        /// column gap), to see what the parser reads.
        #[arg(long)]
        text: bool,
    },
}

/// A file the command could not read: its sentence goes to standard error and the process
/// exits with status 2 (status 1 is for everything else).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FileRefused(pub String);

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a verified account; the password is read from standard input (one line).
    CreateUser {
        /// The account's email address.
        #[arg(long)]
        email: String,
        /// Make the account an administrator.
        #[arg(long)]
        admin: bool,
        #[command(flatten)]
        storage: StorageConfig,
    },
    /// Create a personal access token for an existing account and print it (`clg_…`) on
    /// standard output: the only time it is shown. For scripts, such as the API checks.
    CreateToken {
        /// The account's email address.
        #[arg(long)]
        email: String,
        /// What the token is for, as Settings → API tokens lists it.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        storage: StorageConfig,
    },
    /// Forget which secret key the database was first used with, after replacing the key on
    /// purpose: the next `serve` records the key it is given. What was sealed with the old key
    /// (resume imports waiting for review, Bluesky and Google connections) becomes unreadable.
    ForgetKeyFingerprint {
        #[command(flatten)]
        storage: StorageConfig,
    },
    /// Set one account's monthly AI allowance in tokens (input and output together), or with
    /// `--tokens default` go back to the instance's `--ai-monthly-tokens`. 0 means no limit.
    AiBudget {
        /// The account's email address.
        #[arg(long)]
        email: String,
        /// Tokens per calendar month, or `default`.
        #[arg(long)]
        tokens: String,
        #[command(flatten)]
        storage: StorageConfig,
    },
}

pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CAREERLOG_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    // Colours only on a terminal: log files and collectors get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Have glibc's allocator give every large block (4 MiB and up: decoded images, upload bodies)
/// back to the system when it is freed. By default it raises that threshold as it goes, up to
/// 32 MiB, and keeps blocks below it in per-thread arenas: after a burst of image uploads
/// handled on several threads the process held about 100 MiB more than it used.
fn return_large_allocations_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const THRESHOLD: libc::c_int = 4 * 1024 * 1024;
        // SAFETY: mallopt only changes an allocator setting; it takes the allocator's own lock.
        let done = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD) };
        if done != 1 {
            tracing::warn!("could not set the allocator's mmap threshold");
        }
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Resume(ResumeCommand::Parse { file, text }) => {
            let extracted = extract_resume_file(&file).await?;
            if text {
                print!("{}", extracted.text());
            } else {
                let parsed = crate::resume::parse_resume(&extracted);
                println!("{}", serde_json::to_string_pretty(&parsed)?);
            }
            Ok(())
        }
        Command::Serve(config) => {
            init_logging(config.log_format);
            crate::server::raise_open_files_limit();
            return_large_allocations_to_the_system();
            let error_reports = start_error_reports(&config)?;
            let app = crate::Application::build(*config).await?;
            let served = app.run_until_stopped().await;
            // Send the reports still queued (closing waits for them, so off the runtime).
            if let Some(reports) = error_reports {
                let _ = tokio::task::spawn_blocking(move || drop(reports)).await;
            }
            served
        }
        Command::Backup(args) => {
            init_logging(LogFormat::Text);
            let sealing = match &args.passphrase_file {
                Some(file) => Sealing::Passphrase(read_passphrase(file)?),
                None => Sealing::Recipients(
                    args.recipients
                        .iter()
                        .map(|r| crate::backup::archive::parse_recipient(r))
                        .collect::<Result<_, _>>()?,
                ),
            };
            let plan = BackupPlan {
                destination: Destination::parse(&args.to)?,
                sealing,
                retention: Retention { daily: args.keep_daily, weekly: args.keep_weekly },
            };
            let database_url = args.storage.database_url();
            let db = Db::connect(&database_url, 2).await?;
            let files = crate::integrations::files::from_config(&args.uploads, &args.storage.data_dir)?;
            let source =
                Source { db: &db, database_url: &database_url, files: &files, data_dir: &args.storage.data_dir };
            let made = crate::backup::back_up(source, &plan, SystemClock.now()).await;
            db.close().await;
            let report = made?;
            eprintln!(
                "Backed up the database and {} uploaded file{} ({} bytes, encrypted).",
                report.files,
                if report.files == 1 { "" } else { "s" },
                report.bytes
            );
            for removed in &report.removed {
                eprintln!(
                    "Removed the older backup {removed} (--keep-daily {}, --keep-weekly {}).",
                    args.keep_daily, args.keep_weekly
                );
            }
            println!("{}", report.location);
            Ok(())
        }
        Command::Restore(args) => {
            init_logging(LogFormat::Text);
            let unsealing = match (&args.identity, &args.passphrase_file) {
                (_, Some(file)) => Unsealing::Passphrase(read_passphrase(file)?),
                (Some(file), None) => {
                    let text = std::fs::read_to_string(file)
                        .map_err(|err| FileRefused(format!("Could not read {}: {err}.", file.display())))?;
                    Unsealing::Identities(crate::backup::archive::read_identity_file(&text)?)
                }
                (None, None) => anyhow::bail!("give --identity or --passphrase-file"),
            };
            create_data_dir(&args.storage.data_dir)?;
            let database_url = args.storage.database_url();
            let db = Db::connect(&database_url, 2).await?;
            let files = crate::integrations::files::from_config(&args.uploads, &args.storage.data_dir)?;
            let target =
                Source { db: &db, database_url: &database_url, files: &files, data_dir: &args.storage.data_dir };
            let restored = crate::backup::restore(&args.archive, unsealing, target).await;
            db.close().await;
            let report = restored?;
            let manifest = &report.manifest;
            println!(
                "Restored the backup made at {} by Careerlog {}: the {} database (migration {}) and {} uploaded file{}.",
                manifest.created_at,
                manifest.careerlog_version,
                manifest.database.kind,
                manifest.database.migration,
                report.files,
                if report.files == 1 { "" } else { "s" },
            );
            if !manifest.secret_key_included {
                let fingerprint = manifest.secret_key_fingerprint.as_deref().unwrap_or_default();
                println!(
                    "The instance it came from had its secret key in CAREERLOG_SECRET_KEY: start this one with the same \
                     key (its fingerprint begins {}).",
                    fingerprint.get(..8).unwrap_or(fingerprint)
                );
            }
            println!("Start `careerlog serve` with the same settings; it applies any newer migrations.");
            Ok(())
        }
        Command::Migrate(storage) => {
            init_logging(LogFormat::Text);
            create_data_dir(&storage.data_dir)?;
            let db = Db::connect(&storage.database_url(), 1).await?;
            db.migrate().await?;
            let applied = db.migrator().iter().count();
            println!("The database is up to date ({applied} migrations).");
            db.close().await;
            Ok(())
        }
        Command::Admin(AdminCommand::CreateUser { email, admin, storage }) => {
            init_logging(LogFormat::Text);
            let email = Email::parse(&email).map_err(anyhow::Error::msg)?;
            eprintln!("Password for {email} (at least {} characters), then Enter:", Password::MIN_CHARS);
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            let line = line.trim_end_matches(['\r', '\n']);
            let context = crate::services::accounts::password_context(&email);
            let password = Password::parse_new(line, &context).map_err(anyhow::Error::msg)?;
            create_data_dir(&storage.data_dir)?;
            let db = Db::connect(&storage.database_url(), 1).await?;
            db.migrate().await?;
            let hasher = PasswordHasher::new(1);
            let user = crate::services::accounts::create_user_directly(
                &db,
                &hasher,
                &email,
                &password,
                admin,
                SystemClock.now(),
            )
            .await?;
            println!(
                "Created {}{} ({})",
                user.email.unwrap_or_default(),
                if admin { " as an administrator" } else { "" },
                user.id
            );
            db.close().await;
            Ok(())
        }
        Command::Admin(AdminCommand::CreateToken { email, name, storage }) => {
            init_logging(LogFormat::Text);
            let email = Email::parse(&email).map_err(anyhow::Error::msg)?;
            create_data_dir(&storage.data_dir)?;
            let db = Db::connect(&storage.database_url(), 1).await?;
            db.migrate().await?;
            let created = match crate::db::accounts::find_by_email(db.pool(), &email).await? {
                Some(user) => crate::services::api_tokens::create(&db, &user.id, &name, SystemClock.now()).await,
                None => Err(crate::services::ServiceError::NotFound),
            };
            db.close().await;
            match created {
                Ok(token) => {
                    eprintln!("Created a token for {email}; it is shown only now:");
                    println!("{token}");
                    Ok(())
                }
                Err(crate::services::ServiceError::NotFound) => anyhow::bail!("there is no account for {email}"),
                Err(crate::services::ServiceError::Invalid(errors)) => {
                    anyhow::bail!("{}", errors.get("name").unwrap_or("the token cannot be created"))
                }
                Err(err) => Err(err.into()),
            }
        }
        Command::Admin(AdminCommand::ForgetKeyFingerprint { storage }) => {
            init_logging(LogFormat::Text);
            create_data_dir(&storage.data_dir)?;
            let db = Db::connect(&storage.database_url(), 1).await?;
            // A forgotten --database-url would otherwise make (and "fix") a new, empty database.
            if crate::db::backup::table_count(&db).await? == 0 {
                db.close().await;
                anyhow::bail!(
                    "the configured database is empty: give the --database-url (or --data-dir) of the instance"
                );
            }
            db.migrate().await?;
            let forgotten = crate::db::admin::delete_setting(db.pool(), crate::app::KEY_FINGERPRINT_SETTING).await?;
            db.close().await;
            if forgotten {
                println!("Forgotten: the next start records the secret key it is given.");
            } else {
                println!("No key was recorded: the next start records the secret key it is given.");
            }
            Ok(())
        }
        Command::Admin(AdminCommand::AiBudget { email, tokens, storage }) => {
            init_logging(LogFormat::Text);
            let email = Email::parse(&email).map_err(anyhow::Error::msg)?;
            let tokens = ai_budget_tokens(&tokens)?;
            create_data_dir(&storage.data_dir)?;
            let db = Db::connect(&storage.database_url(), 1).await?;
            db.migrate().await?;
            let found = crate::db::ai::set_monthly_tokens(db.pool(), email.as_str(), tokens).await?;
            db.close().await;
            if !found {
                anyhow::bail!("there is no account for {email}");
            }
            match tokens {
                Some(0) => println!("{email} has no monthly AI limit now."),
                Some(tokens) => println!("{email} may use {tokens} AI tokens a month now."),
                None => println!("{email} has the instance's monthly AI allowance now."),
            }
            Ok(())
        }
    }
}

/// The Sentry client when `--sentry-dsn` is set (process-wide, so here rather than in the
/// application, which tests build many times in one process); nothing at all without it.
fn start_error_reports(config: &Config) -> anyhow::Result<Option<crate::integrations::error_reports::ErrorReports>> {
    match &config.sentry_dsn {
        Some(dsn) if !dsn.expose().trim().is_empty() => {
            let reports = crate::integrations::error_reports::init(dsn)?;
            tracing::info!("error reports go to Sentry, without personal data");
            Ok(Some(reports))
        }
        _ => Ok(None),
    }
}

/// `--tokens` for `admin ai-budget`: a whole number, or `default` (no figure of the account's own).
fn ai_budget_tokens(text: &str) -> anyhow::Result<Option<i64>> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("default") {
        return Ok(None);
    }
    let cleaned: String = text.chars().filter(|c| !matches!(c, '_' | ',' | ' ')).collect();
    match cleaned.parse::<i64>() {
        Ok(tokens) if tokens >= 0 => Ok(Some(tokens)),
        _ => anyhow::bail!("--tokens takes a whole number of tokens (0 for no limit) or `default`, not “{text}”"),
    }
}

/// Reads at most one byte more than an import takes, so a huge file is refused without being
/// read whole, then extracts its text (off the runtime, with its timeout).
async fn extract_resume_file(path: &std::path::Path) -> anyhow::Result<crate::resume::ExtractedText> {
    use crate::resume::MAX_IMPORT_BYTES;
    use std::io::Read;
    let unreadable = |err: std::io::Error| FileRefused(format!("Could not read {}: {err}.", path.display()));
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    file.take(MAX_IMPORT_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(unreadable)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let text = crate::resume::extract_text_off_runtime(bytes.into(), name, None)
        .await
        .map_err(|err| FileRefused(format!("{}: {err}", path.display())))?;
    Ok(text)
}

/// A passphrase from the first line of `file`.
fn read_passphrase(file: &std::path::Path) -> anyhow::Result<crate::secrets::Secret<String>> {
    let text = std::fs::read_to_string(file)
        .map_err(|err| FileRefused(format!("Could not read {}: {err}.", file.display())))?;
    let passphrase = text.lines().next().unwrap_or_default().to_owned();
    if passphrase.chars().count() < 12 {
        anyhow::bail!("the passphrase in {} is shorter than 12 characters", file.display());
    }
    Ok(crate::secrets::Secret::new(passphrase))
}

fn create_data_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    anyhow::Context::with_context(std::fs::create_dir_all(dir), || {
        format!("could not create the data directory {}", dir.display())
    })
}
