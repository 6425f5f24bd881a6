//! Building the application: state, router, listener; running it until stopped (the server
//! loop itself is `server.rs`).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::watch;
use url::Url;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::db::Db;
use crate::integrations::files::{self, FileStore};
use crate::integrations::mail::{self, Mailer};
use crate::page_cache::PageCache;
use crate::secrets::{KeyPurpose, MasterKey};
use crate::services::passwords::PasswordHasher;
use crate::services::{Handles, Limits};
use crate::state::{AppState, AppStateInner};

/// The application bound to its port, ready to run.
pub struct Application {
    listener: TcpListener,
    entrance: crate::web::Entrance,
    state: AppState,
    /// Backups on a schedule (`--backup-to`), started with the other background jobs.
    backups: Option<crate::backup::Schedule>,
}

/// Replacements for the real services, for tests.
#[derive(Default)]
pub struct Overrides {
    pub clock: Option<Arc<dyn Clock>>,
    pub mailer: Option<Arc<dyn Mailer>>,
    pub files: Option<Arc<dyn FileStore>>,
    pub ai: Option<Arc<dyn crate::integrations::ai::AiProvider>>,
    /// Loopback sockets (a test's own servers) the job page fetcher may call although private
    /// addresses stay refused: how the guard is tested on the hop after an allowed one. Not a
    /// command-line setting.
    pub url_fetch_exempt: Vec<SocketAddr>,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with(config, Overrides::default()).await
    }

    pub async fn build_with(config: Config, overrides: Overrides) -> anyhow::Result<Self> {
        if config.test_fault_routes {
            // Routes that fail on purpose belong to tests on this machine, never to a public port.
            anyhow::ensure!(
                config.listen.ip().is_loopback(),
                "--enable-test-fault-routes is for tests only: it needs a loopback --listen address"
            );
            tracing::warn!("test fault routes are on: /test-faults/… panics and fails on purpose");
        }
        let data_dir = &config.storage.data_dir;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
        let found_key = MasterKey::load(config.security.secret_key.as_ref(), data_dir)?;

        let db = Db::connect(&config.storage.database_url(), config.storage.database.max_connections).await?;
        db.migrate().await?;
        let master_key = match found_key {
            Some(key) => key,
            None => {
                // A database that already knows a key gets no new one: a key generated now would
                // be refused below and then stay in the data directory (and in its backups).
                if crate::db::admin::setting(db.pool(), KEY_FINGERPRINT_SETTING).await?.is_some() {
                    anyhow::bail!(
                        "this database was first used with a secret key this instance does not have: \
                         CAREERLOG_SECRET_KEY is not set and {} does not exist. Give this instance the same key \
                         as the others (or, after a restore, the key the backup came with).",
                        data_dir.join("secret.key").display()
                    );
                }
                MasterKey::create(data_dir)?
            }
        };
        check_key_is_the_databases(&db, &master_key, config.security.secret_key.is_some(), data_dir).await?;
        if db.kind() == crate::db::DbKind::Postgres && config.security.secret_key.is_none() {
            tracing::warn!(
                "no CAREERLOG_SECRET_KEY is set: this instance uses the key in its own data directory. \
                 Every other instance on this database must be given the same key, or it is refused at start."
            );
        }
        if db.kind() == crate::db::DbKind::Postgres && config.uploads.store == crate::config::FileStoreKind::Local {
            // Not refused: one instance on PostgreSQL, or a directory shared by every instance, is fine.
            tracing::warn!(
                "uploaded files are kept in this instance's data directory: with several instances, \
                 give them one bucket (--file-store s3) or one shared directory, or files stored by one are missing on the others"
            );
        }

        let backups = crate::backup::Schedule::from_config(&config)?;
        let listener =
            TcpListener::bind(config.listen).await.with_context(|| format!("could not listen on {}", config.listen))?;
        let local = listener.local_addr()?;
        let base_url = match &config.base_url {
            Some(url) => url.clone(),
            None => Url::parse(&format!("http://{local}")).context("base URL")?,
        };
        let mailer = match overrides.mailer {
            Some(mailer) => mailer,
            None => mail::from_config(&config.mail, data_dir)?,
        };
        let files = match overrides.files {
            Some(files) => files,
            None => files::from_config(&config.uploads, data_dir)?,
        };
        let ai = match overrides.ai {
            Some(ai) => Some(ai),
            None => crate::integrations::ai::from_config(&config.ai)?,
        };
        if let Some(ai) = &ai {
            tracing::info!(provider = ai.name(), model = ai.model(), "AI features are on");
        }
        let concurrency = config
            .security
            .password_hash_concurrency
            .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));

        let clock: Arc<dyn crate::clock::Clock> = overrides.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let bluesky = match config.bluesky.switch {
            crate::config::Switch::Off => None,
            crate::config::Switch::On => crate::integrations::bluesky::Bluesky::new(
                crate::integrations::bluesky::Settings {
                    base_url: base_url.clone(),
                    plc_directory_url: config.bluesky.plc_url.clone(),
                    handle_resolver_url: config.bluesky.handle_resolver_url.clone(),
                    network: if config.bluesky.dev_network {
                        crate::integrations::bluesky::http::Network::AllowPrivate
                    } else {
                        crate::integrations::bluesky::http::Network::Public
                    },
                    timeout: std::time::Duration::from_secs(config.bluesky.timeout_seconds.max(1)),
                },
                db.clone(),
                clock.clone(),
                master_key.derive(KeyPurpose::FieldEncryption),
                &master_key.derive(KeyPurpose::BlueskyClientKey),
            )?,
        };
        let oidc = Arc::new(oidc_providers(&config.oidc, &base_url)?);
        let page_network = if config.url_fetch_allow_private {
            tracing::warn!("--url-fetch-allow-private is on: job postings may be fetched from private addresses");
            crate::integrations::guarded_http::Network::AllowPrivate
        } else {
            crate::integrations::guarded_http::Network::Public
        };
        let pages = Arc::new(crate::integrations::web_pages::PageFetcher::new(
            page_network,
            &overrides.url_fetch_exempt,
            crate::integrations::web_pages::Limits::default(),
        )?);
        let minutes = |m: u32| std::time::Duration::from_secs(u64::from(m) * 60);
        let handles = Handles {
            base_url,
            db,
            clock,
            mailer,
            files,
            hasher: PasswordHasher::new(concurrency),
            throttle_key: master_key.derive(KeyPurpose::Throttle),
            analytics_key: master_key.derive(KeyPurpose::Analytics),
            field_key: master_key.derive(KeyPurpose::FieldEncryption),
            analytics: Default::default(),
            instance_id: uuid::Uuid::new_v4().to_string(),
            limits: Limits {
                upload_max_bytes: config.uploads.max_bytes,
                session_idle: minutes(config.security.session_idle_minutes),
                analytics_retention: std::time::Duration::from_secs(
                    u64::from(config.analytics_retention_days) * 86_400,
                ),
                housekeeping_every: minutes(config.housekeeping_minutes),
                ai_runs_per_hour: config.ai.runs_per_hour,
                ai_timeout: std::time::Duration::from_secs(config.ai.timeout_seconds.max(1)),
                ai_monthly_tokens: config.ai.monthly_tokens,
                calendar_sync_every: minutes(config.oidc.calendar_sync_minutes),
            },
            ai,
            bluesky,
            oidc,
            calendar_api: config.oidc.google_calendar_api_url.clone(),
            metrics: Default::default(),
            outbox: Default::default(),
            pages,
        };
        let page_cache = PageCache::start(handles.db.clone(), config.public_cache_mb as usize * 1024 * 1024);
        let handles = Arc::new(handles);
        // Records saved before the search index existed get their documents, in the background:
        // looking for them reads every record, which would hold up the start of a large instance
        // (a no-op once done).
        let indexer = handles.clone();
        tokio::spawn(async move {
            match crate::services::search::index_missing(&indexer).await {
                Ok(0) => {}
                Ok(indexed) => tracing::info!(indexed, "indexed records for the search box"),
                Err(err) => tracing::warn!(error = ?err, "could not index records for search"),
            }
        });
        let state =
            AppState::new(AppStateInner { handles, csrf_key: master_key.derive(KeyPurpose::Csrf), page_cache, config });
        let entrance = crate::web::Entrance::new(state.clone());
        Ok(Self { listener, entrance, state, backups })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serve until Ctrl-C or SIGTERM, then finish the requests in flight.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    pub async fn run_until(mut self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop_jobs, jobs_stopped) = watch::channel(false);
        let jobs = crate::housekeeping::spawn(self.state.handles.clone(), jobs_stopped.clone());
        let publisher = crate::services::standard_site::spawn(self.state.handles.clone(), jobs_stopped.clone());
        let calendar = crate::services::calendar_sync::spawn(self.state.handles.clone(), jobs_stopped.clone());
        let backups = self
            .backups
            .take()
            .map(|schedule| crate::backup::spawn_schedule(self.state.handles.clone(), schedule, jobs_stopped.clone()));
        let mail = crate::services::mail_outbox::spawn(self.state.handles.clone(), jobs_stopped.clone());
        let views = crate::services::analytics::Analytics::spawn_writer(self.state.handles.clone(), jobs_stopped);
        let limits = crate::server::ServerLimits::from_config(&self.state.config);
        tracing::info!(
            address = %self.local_addr(),
            max_connections = limits.max_connections,
            base_url = %self.state.base_url,
            database = ?self.state.db.kind(),
            mail = self.state.mailer.describe(),
            files = %self.state.files.describe(),
            "Careerlog is listening"
        );
        crate::server::serve(self.listener, self.entrance, limits, shutdown).await;
        let _ = stop_jobs.send(true);
        let _ = jobs.await;
        let _ = publisher.await;
        let _ = calendar.await;
        let _ = mail.await;
        let _ = views.await;
        if let Some(backups) = backups {
            let _ = backups.await;
        }
        self.state.db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// The `instance_settings` row that holds the fingerprint of the secret key the database was
/// first used with.
pub const KEY_FINGERPRINT_SETTING: &str = crate::db::admin::KEY_FINGERPRINT_SETTING;

/// Every instance on one database must use one secret key: CSRF tokens, rate-limit buckets,
/// analytics hashes, sealed rows (imports, OAuth sessions and grants) and the Bluesky client key
/// all derive from it. An instance with a key of its own (say, a second data directory that
/// generated one) would serve forms the other instances refuse, count rate limits apart and
/// fail to open what they sealed, with nothing in the logs to say why. So the first start
/// records the key's fingerprint, and a start with another key is refused, loudly.
async fn check_key_is_the_databases(
    db: &Db,
    key: &MasterKey,
    configured: bool,
    data_dir: &std::path::Path,
) -> anyhow::Result<()> {
    let ours = key.fingerprint();
    let recorded = crate::db::admin::first_setting(db.pool(), KEY_FINGERPRINT_SETTING, &ours, SystemClock.now())
        .await
        .context("recording the secret key's fingerprint")?;
    if recorded == ours {
        return Ok(());
    }
    let source = if configured {
        "CAREERLOG_SECRET_KEY (--secret-key)".to_owned()
    } else {
        format!("{} (no CAREERLOG_SECRET_KEY is set)", data_dir.join("secret.key").display())
    };
    anyhow::bail!(
        "this database was first used with another secret key (fingerprint {}…) than the one in {source} \
         (fingerprint {}…). Give every instance on one database the same CAREERLOG_SECRET_KEY. If you replaced \
         the key on purpose (what was sealed with the old one becomes unreadable), run \
         `careerlog admin forget-key-fingerprint` against this database and start again.",
        recorded.get(..8).unwrap_or(&recorded),
        &ours[..8],
    )
}

/// Google (when its client id and secret are set) and every `--oidc-provider`.
fn oidc_providers(
    config: &crate::config::OidcConfig,
    base_url: &url::Url,
) -> anyhow::Result<crate::integrations::oidc::OidcProviders> {
    use crate::integrations::oidc::{issuer_allowed, OidcProvider, ProviderSettings, GOOGLE};
    let timeout = std::time::Duration::from_secs(15);
    let mut providers = Vec::new();
    match (&config.google_client_id, &config.google_client_secret) {
        (Some(id), Some(secret)) if !id.trim().is_empty() && !secret.expose().trim().is_empty() => {
            anyhow::ensure!(
                issuer_allowed(&config.google_issuer_url),
                "--google-issuer-url must be https (plain http only on 127.0.0.1 or localhost)"
            );
            let settings = ProviderSettings {
                name: GOOGLE.into(),
                issuer: config.google_issuer_url.clone(),
                client_id: id.trim().to_owned(),
                client_secret: secret.clone(),
                base_url: base_url.clone(),
            };
            providers.push(OidcProvider::new(settings, timeout)?);
        }
        (None, None) => {}
        _ => anyhow::bail!("Google sign-in needs both --google-client-id and --google-client-secret"),
    }
    for provider in &config.providers {
        anyhow::ensure!(
            providers.iter().all(|p: &OidcProvider| p.name != provider.name),
            "the OpenID Connect provider “{}” is configured twice",
            provider.name
        );
        let settings = ProviderSettings {
            name: provider.name.clone(),
            issuer: provider.issuer.clone(),
            client_id: provider.client_id.clone(),
            client_secret: provider.client_secret.clone(),
            base_url: base_url.clone(),
        };
        providers.push(OidcProvider::new(settings, timeout)?);
    }
    for provider in &providers {
        tracing::info!(provider = %provider.name, issuer = %provider.issuer(), "OpenID Connect sign-in is on");
    }
    Ok(crate::integrations::oidc::OidcProviders::new(providers))
}
