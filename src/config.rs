//! Configuration: one struct per concern, filled from flags that each have an environment twin.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use url::Url;

use crate::secrets::Secret;

/// Everything `careerlog serve` needs. Defaults give a working app with no configuration at all.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "CAREERLOG_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Public URL of this instance, used to build every link in pages and emails
    /// (never the request's Host header). Defaults to http://<listen>.
    #[arg(long, env = "CAREERLOG_BASE_URL", value_parser = parse_base_url)]
    pub base_url: Option<Url>,

    #[command(flatten)]
    pub connections: ConnectionConfig,

    #[command(flatten)]
    pub storage: StorageConfig,

    #[command(flatten)]
    pub uploads: UploadConfig,

    #[command(flatten)]
    pub mail: MailConfig,

    #[command(flatten)]
    pub security: SecurityConfig,

    #[command(flatten)]
    pub ai: AiConfig,

    #[command(flatten)]
    pub bluesky: BlueskyConfig,

    #[command(flatten)]
    pub oidc: OidcConfig,

    #[command(flatten)]
    pub backups: BackupScheduleConfig,

    /// Let "Save a job from its posting URL" fetch pages on private and loopback addresses (and
    /// the cloud metadata address): for development and tests only, never on a public instance.
    #[arg(long = "url-fetch-allow-private", env = "CAREERLOG_URL_FETCH_ALLOW_PRIVATE")]
    pub url_fetch_allow_private: bool,

    /// Whether visitors may create accounts.
    #[arg(long, env = "CAREERLOG_SIGNUPS", value_enum, default_value_t = Signups::Open)]
    pub signups: Signups,

    /// Minutes between housekeeping passes (deleting expired links, sessions, OAuth requests).
    /// 0 turns the in-process job off, e.g. on instances that should only serve requests.
    #[arg(long, env = "CAREERLOG_HOUSEKEEPING_MINUTES", default_value_t = 5)]
    pub housekeeping_minutes: u32,

    /// Megabytes of memory for public pages kept as rendered (each page in three encodings);
    /// the least recently read go first. 0 renders every public page for every request.
    #[arg(long = "public-cache-mb", env = "CAREERLOG_PUBLIC_CACHE_MB", default_value_t = 32)]
    pub public_cache_mb: u32,

    /// Days that raw page views are kept before they become daily figures.
    #[arg(long, env = "CAREERLOG_ANALYTICS_RETENTION_DAYS", default_value_t = 30)]
    pub analytics_retention_days: u32,

    /// Log format.
    #[arg(long, env = "CAREERLOG_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Opens `/metrics` (Prometheus' text format) to requests with `Authorization: Bearer
    /// <token>`. Without it, `/metrics` answers 404.
    #[arg(long = "metrics-token", env = "CAREERLOG_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<Secret<String>>,

    /// Sends a report of each panic and internal server error to this Sentry DSN: the route
    /// template, the error and the release, never personal data (no user, address, cookie,
    /// query string, body or record). Without it, errors are only logged.
    #[arg(long = "sentry-dsn", env = "CAREERLOG_SENTRY_DSN", hide_env_values = true)]
    pub sentry_dsn: Option<Secret<String>>,

    /// For tests only: mounts `/test-faults/{label}/panic` and `/test-faults/{label}/internal-error`
    /// (and the same under `/api/v1`), which fail on purpose, to test error reports. Refused
    /// unless listening on a loopback address; hidden from --help and without an environment
    /// twin, so no stray variable turns it on.
    #[arg(long = "enable-test-fault-routes", hide = true)]
    pub test_fault_routes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Signups {
    Open,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Client connections: how many may be open at once, and how long a slow or silent client may
/// hold one.
#[derive(Debug, Clone, Args)]
pub struct ConnectionConfig {
    /// Most client connections open at once. Past it, a newcomer is answered at once with
    /// 503 Service Unavailable and Retry-After, then disconnected. 512 is far more than one
    /// instance's users need (a browser opens at most 6) and keeps well clear of the common
    /// 1024 open-files limit; at start it is lowered further if the limit leaves too little
    /// room for the database and files.
    #[arg(
        long = "max-connections",
        env = "CAREERLOG_MAX_CONNECTIONS",
        default_value_t = 512,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub max_open: u32,

    /// Seconds a client has to send a request's line and headers, counted from the moment the
    /// connection opens or the previous response has been sent.
    #[arg(
        long = "header-read-timeout-seconds",
        env = "CAREERLOG_HEADER_READ_TIMEOUT_SECONDS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub header_read_timeout_seconds: u64,

    /// Seconds a connection may stay open with no request being answered and nothing sent or
    /// received; then it is closed (browsers simply open a new one). Kept short so that idle
    /// connections do not hold the server's sockets; a reverse proxy that keeps connections to
    /// Careerlog open should let them go sooner than this.
    #[arg(
        long = "idle-timeout-seconds",
        env = "CAREERLOG_IDLE_TIMEOUT_SECONDS",
        default_value_t = 5,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub idle_timeout_seconds: u64,
}

/// Where data lives: shared by `serve`, `migrate` and `admin`.
#[derive(Debug, Clone, Args)]
pub struct StorageConfig {
    /// Directory for the SQLite database, uploaded files, generated secrets and outgoing mail.
    #[arg(long, env = "CAREERLOG_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    #[command(flatten)]
    pub database: DatabaseConfig,
}

impl StorageConfig {
    pub fn database_url(&self) -> String {
        match &self.database.url {
            Some(url) if !url.expose().is_empty() => url.expose().clone(),
            _ => format!("sqlite://{}?mode=rwc", self.data_dir.join("careerlog.db").display()),
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// Database URL: `postgres://…` for PostgreSQL; empty means the SQLite file in the data dir.
    #[arg(long = "database-url", env = "CAREERLOG_DATABASE_URL")]
    pub url: Option<Secret<String>>,

    /// Largest number of pooled database connections.
    #[arg(long = "database-max-connections", env = "CAREERLOG_DATABASE_MAX_CONNECTIONS", default_value_t = 10)]
    pub max_connections: u32,
}

/// Uploaded files (journal images, profile photos): where they are kept and how large they may be.
#[derive(Debug, Clone, Args)]
pub struct UploadConfig {
    /// Largest accepted upload in bytes.
    #[arg(long = "upload-max-bytes", env = "CAREERLOG_UPLOAD_MAX_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_bytes: usize,

    /// Where uploaded files are kept: <data-dir>/uploads, or an S3-compatible bucket.
    #[arg(long = "file-store", env = "CAREERLOG_FILE_STORE", value_enum, default_value_t = FileStoreKind::Local)]
    pub store: FileStoreKind,

    /// S3 endpoint, e.g. https://fra1.digitaloceanspaces.com or http://127.0.0.1:9000 (MinIO).
    /// Empty means AWS S3 itself.
    #[arg(long = "s3-endpoint", env = "CAREERLOG_S3_ENDPOINT")]
    pub s3_endpoint: Option<Url>,

    /// S3 bucket name.
    #[arg(long = "s3-bucket", env = "CAREERLOG_S3_BUCKET")]
    pub s3_bucket: Option<String>,

    /// S3 region (DigitalOcean Spaces: the datacenter, e.g. fra1; MinIO: us-east-1).
    #[arg(long = "s3-region", env = "CAREERLOG_S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,

    /// S3 access key id.
    #[arg(long = "s3-access-key-id", env = "CAREERLOG_S3_ACCESS_KEY_ID")]
    pub s3_access_key_id: Option<String>,

    /// S3 secret access key.
    #[arg(long = "s3-secret-access-key", env = "CAREERLOG_S3_SECRET_ACCESS_KEY")]
    pub s3_secret_access_key: Option<Secret<String>>,

    /// Address the bucket in the path (http://endpoint/bucket/key), as MinIO needs, instead of
    /// as a subdomain (http://bucket.endpoint/key).
    #[arg(long = "s3-path-style", env = "CAREERLOG_S3_PATH_STYLE")]
    pub s3_path_style: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileStoreKind {
    Local,
    S3,
}

#[derive(Debug, Clone, Args)]
pub struct MailConfig {
    /// How outgoing mail leaves: written to <data-dir>/mail, sent by SMTP, or by the Postmark API.
    #[arg(long = "mail-transport", env = "CAREERLOG_MAIL_TRANSPORT", value_enum, default_value_t = MailTransport::File)]
    pub transport: MailTransport,

    /// Sender address for outgoing mail.
    #[arg(long = "mail-from", env = "CAREERLOG_MAIL_FROM", default_value = "Careerlog <no-reply@careerlog.localhost>")]
    pub from: String,

    /// SMTP server host name.
    #[arg(long = "smtp-host", env = "CAREERLOG_SMTP_HOST")]
    pub smtp_host: Option<String>,

    /// SMTP server port (defaults: 587 for STARTTLS, 465 for TLS, 25 for none).
    #[arg(long = "smtp-port", env = "CAREERLOG_SMTP_PORT")]
    pub smtp_port: Option<u16>,

    /// SMTP transport security.
    #[arg(long = "smtp-security", env = "CAREERLOG_SMTP_SECURITY", value_enum, default_value_t = SmtpSecurity::Starttls)]
    pub smtp_security: SmtpSecurity,

    /// SMTP user name.
    #[arg(long = "smtp-username", env = "CAREERLOG_SMTP_USERNAME")]
    pub smtp_username: Option<String>,

    /// SMTP password.
    #[arg(long = "smtp-password", env = "CAREERLOG_SMTP_PASSWORD")]
    pub smtp_password: Option<Secret<String>>,

    /// Postmark server API token.
    #[arg(long = "postmark-token", env = "CAREERLOG_POSTMARK_TOKEN")]
    pub postmark_token: Option<Secret<String>>,

    /// Postmark API base URL (change only to point at a test double).
    #[arg(
        long = "postmark-api-url",
        env = "CAREERLOG_POSTMARK_API_URL",
        default_value = "https://api.postmarkapp.com"
    )]
    pub postmark_api_url: Url,

    /// Postmark message stream for transactional mail.
    #[arg(long = "postmark-message-stream", env = "CAREERLOG_POSTMARK_MESSAGE_STREAM", default_value = "outbound")]
    pub postmark_message_stream: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MailTransport {
    File,
    Smtp,
    Postmark,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required).
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
    /// No encryption: only for a relay on the same host or a test server.
    None,
}

#[derive(Debug, Clone, Args)]
pub struct SecurityConfig {
    /// Master secret (64 hex characters). Every instance of one deployment must share it.
    /// When absent, one is generated on first run and kept in <data-dir>/secret.key.
    #[arg(long = "secret-key", env = "CAREERLOG_SECRET_KEY")]
    pub secret_key: Option<Secret<String>>,

    /// A session ends after this many minutes without a request.
    #[arg(long = "session-idle-minutes", env = "CAREERLOG_SESSION_IDLE_MINUTES", default_value_t = 12 * 60)]
    pub session_idle_minutes: u32,

    /// A session ends this many hours after sign-in, however active.
    #[arg(long = "session-max-hours", env = "CAREERLOG_SESSION_MAX_HOURS", default_value_t = 7 * 24)]
    pub session_max_hours: u32,

    /// Reverse proxies whose X-Forwarded-For header is believed (IP addresses or CIDR ranges,
    /// comma separated). Without this, the client is the TCP peer.
    #[arg(long = "trusted-proxies", env = "CAREERLOG_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_network)]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// How many password hashes may be computed at once (each takes ~19 MiB and a core).
    #[arg(long = "password-hash-concurrency", env = "CAREERLOG_PASSWORD_HASH_CONCURRENCY")]
    pub password_hash_concurrency: Option<usize>,
}

/// The AI provider for the features a user starts (resume import, labels, interview
/// preparation). Off unless chosen: with `none`, every AI button says what it would do and that
/// this instance has no provider.
#[derive(Debug, Clone, Args)]
pub struct AiConfig {
    /// Which provider runs AI features: none (the default), anthropic (Claude, through Anthropic's
    /// Messages API) or openai-compatible (any chat-completions server: Ollama, llama.cpp's
    /// server, vLLM… which can keep every byte on your own hardware).
    #[arg(id = "ai_provider", long = "ai-provider", env = "CAREERLOG_AI_PROVIDER", value_enum, default_value_t = AiProviderKind::None)]
    pub provider: AiProviderKind,

    /// The provider's API address: for anthropic, default https://api.anthropic.com; for
    /// openai-compatible, the base that `/chat/completions` is under (e.g.
    /// http://127.0.0.1:11434/v1 for Ollama). Required for openai-compatible.
    #[arg(id = "ai_base_url", long = "ai-base-url", env = "CAREERLOG_AI_BASE_URL")]
    pub base_url: Option<Url>,

    /// The model to ask (e.g. claude-sonnet-4-5, or llama3.1:8b on Ollama).
    #[arg(id = "ai_model", long = "ai-model", env = "CAREERLOG_AI_MODEL")]
    pub model: Option<String>,

    /// The provider's API key (required for anthropic; sent as a bearer token to an
    /// openai-compatible server when set).
    #[arg(id = "ai_api_key", long = "ai-api-key", env = "CAREERLOG_AI_API_KEY")]
    pub api_key: Option<Secret<String>>,

    /// Seconds one AI run may take before it is given up.
    #[arg(
        id = "ai_timeout_seconds",
        long = "ai-timeout-seconds",
        env = "CAREERLOG_AI_TIMEOUT_SECONDS",
        default_value_t = 180
    )]
    pub timeout_seconds: u64,

    /// AI runs one user may start per hour.
    #[arg(
        id = "ai_runs_per_hour",
        long = "ai-runs-per-hour",
        env = "CAREERLOG_AI_RUNS_PER_HOUR",
        default_value_t = 30
    )]
    pub runs_per_hour: u32,

    /// Tokens (input and output together) one user may use per calendar month, unless an
    /// administrator sets another figure for them (`careerlog admin ai-budget`). 0 means no limit.
    #[arg(
        id = "ai_monthly_tokens",
        long = "ai-monthly-tokens",
        env = "CAREERLOG_AI_MONTHLY_TOKENS",
        default_value_t = 2_000_000
    )]
    pub monthly_tokens: u64,
}

/// Bluesky (AT Protocol): sign-in, linking, sharing and standard.site publishing.
#[derive(Debug, Clone, Args)]
pub struct BlueskyConfig {
    /// Whether people may sign in with Bluesky and link their Bluesky account. It also needs a
    /// base URL Bluesky accepts: https, or http://127.0.0.1 for development.
    #[arg(long = "bluesky", env = "CAREERLOG_BLUESKY", value_enum, default_value_t = Switch::On)]
    pub switch: Switch,

    /// The PLC directory that answers for did:plc identities.
    #[arg(long = "bluesky-plc-url", env = "CAREERLOG_BLUESKY_PLC_URL", default_value = "https://plc.directory")]
    pub plc_url: Url,

    /// Resolve handles through this server's com.atproto.identity.resolveHandle instead of DNS
    /// and https://<handle>/.well-known/atproto-did (for a dev network whose handles are in no DNS).
    #[arg(long = "bluesky-handle-resolver-url", env = "CAREERLOG_BLUESKY_HANDLE_RESOLVER_URL")]
    pub handle_resolver_url: Option<Url>,

    /// A dev network on this machine or a private network: allow plain http and private
    /// addresses for identity documents, OAuth servers and PDSes. Never on a public instance.
    #[arg(long = "bluesky-dev-network", env = "CAREERLOG_BLUESKY_DEV_NETWORK")]
    pub dev_network: bool,

    /// Seconds any one request to a Bluesky server may take.
    #[arg(long = "bluesky-timeout-seconds", env = "CAREERLOG_BLUESKY_TIMEOUT_SECONDS", default_value_t = 10)]
    pub timeout_seconds: u64,
}

/// Backups on a schedule inside `serve` (off unless `--backup-to` is given); `careerlog backup`
/// makes one at any time.
#[derive(Debug, Clone, Args)]
pub struct BackupScheduleConfig {
    /// Make encrypted backups on a schedule into this directory or `s3://bucket/prefix` (S3
    /// credentials and endpoint from the AWS_* environment). Off when unset.
    #[arg(long = "backup-to", env = "CAREERLOG_BACKUP_TO")]
    pub to: Option<String>,

    /// The age public key (age1…) scheduled backups are encrypted to; repeatable (comma-separated
    /// in the environment). Keep its private key off the server.
    #[arg(long = "backup-recipient", env = "CAREERLOG_BACKUP_RECIPIENT", value_delimiter = ',')]
    pub recipients: Vec<String>,

    /// Hours between scheduled backups.
    #[arg(long = "backup-every-hours", env = "CAREERLOG_BACKUP_EVERY_HOURS", default_value_t = 24)]
    pub every_hours: u32,

    /// Keep the newest backup of each of this many recent days.
    #[arg(long = "backup-keep-daily", env = "CAREERLOG_BACKUP_KEEP_DAILY", default_value_t = 7)]
    pub keep_daily: u32,

    /// Keep the newest backup of each of this many recent weeks.
    #[arg(long = "backup-keep-weekly", env = "CAREERLOG_BACKUP_KEEP_WEEKLY", default_value_t = 4)]
    pub keep_weekly: u32,
}

/// Google and any other OpenID Connect provider: sign-in, linking, and (Google only) the
/// read-only calendar.
#[derive(Debug, Clone, Args)]
pub struct OidcConfig {
    /// Google's OAuth client id (Google Cloud console → Credentials → OAuth client, type "Web
    /// application", redirect URI `<base URL>/oauth/oidc/google/callback`). With the secret, it
    /// turns on "Continue with Google" and the calendar connection.
    #[arg(long = "google-client-id", env = "CAREERLOG_GOOGLE_CLIENT_ID")]
    pub google_client_id: Option<String>,

    /// Google's OAuth client secret.
    #[arg(long = "google-client-secret", env = "CAREERLOG_GOOGLE_CLIENT_SECRET", hide_env_values = true)]
    pub google_client_secret: Option<Secret<String>>,

    /// Where Google's OpenID Connect discovery document is read from (its issuer). Only tests and
    /// proxies change it.
    #[arg(
        long = "google-issuer-url",
        env = "CAREERLOG_GOOGLE_ISSUER_URL",
        default_value = "https://accounts.google.com"
    )]
    pub google_issuer_url: Url,

    /// The Google Calendar API (v3) the calendar sync reads events from.
    #[arg(
        long = "google-calendar-api-url",
        env = "CAREERLOG_GOOGLE_CALENDAR_API_URL",
        default_value = "https://www.googleapis.com/calendar/v3"
    )]
    pub google_calendar_api_url: Url,

    /// Another OpenID Connect provider (Keycloak, Authentik, GitLab, Microsoft…), as
    /// NAME=ISSUER_URL,CLIENT_ID,CLIENT_SECRET. NAME (lower-case letters, digits and dashes) names
    /// its button and its redirect URI, `<base URL>/oauth/oidc/NAME/callback`. Repeat the flag for
    /// several providers; in the environment, separate them with `;`.
    #[arg(
        long = "oidc-provider",
        env = "CAREERLOG_OIDC_PROVIDERS",
        value_delimiter = ';',
        value_parser = parse_oidc_provider,
        value_name = "NAME=ISSUER_URL,CLIENT_ID,CLIENT_SECRET",
        hide_env_values = true
    )]
    pub providers: Vec<OidcProviderConfig>,

    /// Whether people may sign in with a password. `off` leaves only the providers above (and
    /// Bluesky): sign-ups then happen only through them too.
    #[arg(long = "password-sign-in", env = "CAREERLOG_PASSWORD_SIGN_IN", value_enum, default_value_t = Switch::On)]
    pub password_sign_in: Switch,

    /// Minutes between two calendar syncs of one account.
    #[arg(
        long = "calendar-sync-minutes",
        env = "CAREERLOG_CALENDAR_SYNC_MINUTES",
        default_value_t = 15,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub calendar_sync_minutes: u32,
}

/// One configured OpenID Connect provider.
#[derive(Debug, Clone)]
pub struct OidcProviderConfig {
    pub name: String,
    pub issuer: Url,
    pub client_id: String,
    pub client_secret: Secret<String>,
}

fn parse_oidc_provider(input: &str) -> Result<OidcProviderConfig, String> {
    let shape = "write it as NAME=ISSUER_URL,CLIENT_ID,CLIENT_SECRET";
    let (name, rest) = input.trim().split_once('=').ok_or_else(|| shape.to_owned())?;
    let name = name.trim();
    let valid_name = !name.is_empty()
        && name.len() <= 32
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-');
    if !valid_name {
        return Err(format!("“{name}” is not a provider name: use up to 32 lower-case letters, digits and dashes"));
    }
    if name == "google" {
        return Err("“google” is configured with --google-client-id and --google-client-secret".into());
    }
    let mut parts = rest.splitn(3, ',');
    let (Some(issuer), Some(client_id), Some(secret)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(shape.into());
    };
    let issuer = Url::parse(issuer.trim()).map_err(|e| format!("the issuer URL of “{name}”: {e}"))?;
    if !crate::integrations::oidc::issuer_allowed(&issuer) {
        return Err(format!("the issuer URL of “{name}” must be https (plain http only on 127.0.0.1 or localhost)"));
    }
    if client_id.trim().is_empty() || secret.trim().is_empty() {
        return Err(format!("“{name}” needs a client id and a client secret; {shape}"));
    }
    Ok(OidcProviderConfig {
        name: name.to_owned(),
        issuer,
        client_id: client_id.trim().to_owned(),
        client_secret: Secret::new(secret.trim().to_owned()),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AiProviderKind {
    None,
    Anthropic,
    OpenaiCompatible,
}

/// A network (`10.0.0.0/8`) or a single address (`10.0.0.7`, meaning just that one).
fn parse_network(input: &str) -> Result<ipnet::IpNet, String> {
    let input = input.trim();
    input
        .parse::<ipnet::IpNet>()
        .or_else(|_| input.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("“{input}” is neither an IP address nor a network such as 10.0.0.0/8"))
}

impl Config {
    /// Parse a configuration from command-line style arguments (used by tests and tools).
    pub fn from_args<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        #[derive(clap::Parser)]
        struct Wrapper {
            #[command(flatten)]
            config: Config,
        }
        use clap::Parser;
        let args = std::iter::once(std::ffi::OsString::from("careerlog")).chain(args.into_iter().map(Into::into));
        Wrapper::try_parse_from(args).map(|w| w.config)
    }
}

/// A public URL people's browsers can open: http or https, with a host, and no credentials,
/// query or fragment (every link is built by appending a path to it).
fn parse_base_url(input: &str) -> Result<Url, String> {
    let url = Url::parse(input.trim()).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("the base URL must start with http:// or https://, not {}://", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the base URL needs a host name".into());
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Err("the base URL cannot carry a user name, password, query or fragment".into());
    }
    Ok(url)
}

#[cfg(test)]
mod base_url_tests {
    use super::Config;

    /// Issue 11, item 7: `--base-url ftp://…` was accepted, and every link the instance sent
    /// would have pointed nowhere.
    #[test]
    fn the_base_url_is_http_or_https_with_a_host() {
        for good in ["https://careerlog.example", "http://127.0.0.1:8080", "https://example.org/careerlog/"] {
            let config = Config::from_args(["--base-url", good]).unwrap_or_else(|e| panic!("{good}: {e}"));
            assert!(config.base_url.is_some(), "{good}");
        }
        for bad in [
            "ftp://careerlog.example",
            "javascript:alert(1)",
            "file:///etc",
            "https://u:p@x.example",
            "https://x.example/?a=1",
            "careerlog.example",
        ] {
            let error = Config::from_args(["--base-url", bad]).err().unwrap_or_else(|| panic!("{bad} is refused"));
            assert!(error.to_string().contains("base-url"), "{bad}: {error}");
        }
    }
}
