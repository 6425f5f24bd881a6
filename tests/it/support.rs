//! Test harness: a real Careerlog on a random port with a fresh database (a SQLite file in a temp
//! dir, or a new PostgreSQL database), a cookie-keeping HTTP client, and the outgoing mail.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use careerlog::app::Overrides;
use careerlog::clock::AdjustableClock;
use careerlog::state::AppState;
use careerlog::{Application, Config};
use reqwest::redirect::Policy;
use sqlx::Connection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Like `on_both_databases!`, for tests that start their own app with settings of their own:
/// each test takes the `Backend`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite_backend {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::support::Backend::Sqlite).await
                }
            )+
        }
        mod postgres_backend {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::support::Backend::Postgres).await
                }
            )+
        }
    };
}

/// Run each listed `async fn name(app: TestApp)` on SQLite and on PostgreSQL, as
/// `<module>::sqlite::name` and `<module>::postgres::name`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(app) = $crate::support::TestApp::spawn($crate::support::Backend::Sqlite).await {
                        super::$name(app).await
                    }
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(app) = $crate::support::TestApp::spawn($crate::support::Backend::Postgres).await {
                        super::$name(app).await
                    }
                }
            )+
        }
    };
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

fn postgres_admin_url() -> String {
    std::env::var("CAREERLOG_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh, empty PostgreSQL database for one test; `None` (the test is skipped) when no server
/// answers, which CI does not allow.
pub async fn fresh_postgres_database() -> Option<String> {
    sqlx::any::install_default_drivers();
    let admin = postgres_admin_url();
    let mut conn = match sqlx::PgConnection::connect(&admin).await {
        Ok(conn) => conn,
        Err(err) => {
            if in_ci() {
                panic!("CI=true requires PostgreSQL at {admin}: {err}");
            }
            eprintln!("skipping a PostgreSQL test: no server at {admin} ({err})");
            return None;
        }
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    drop_stale_databases(&mut conn, now).await;
    let name = format!("careerlog_it_{now}_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
    let (base, _) = admin.rsplit_once('/').expect("the admin URL names a database");
    Some(format!("{base}/{name}"))
}

/// Test databases older than two hours are leftovers of earlier runs.
async fn drop_stale_databases(conn: &mut sqlx::PgConnection, now: u64) {
    let names: Vec<String> = sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'careerlog_it_%'")
        .fetch_all(&mut *conn)
        .await
        .unwrap_or_default();
    for name in names {
        let created: u64 = name.split('_').nth(2).and_then(|s| s.parse().ok()).unwrap_or(now);
        if now.saturating_sub(created) > 2 * 3600 {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut *conn).await;
        }
    }
}

pub struct TestApp {
    /// The configured public URL (links in mail start with it).
    pub base_url: String,
    /// Where the server actually listens.
    pub address: String,
    /// A browser: keeps cookies, does not follow redirects (tests look at them).
    pub client: reqwest::Client,
    pub clock: AdjustableClock,
    pub state: AppState,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub backend: Backend,
    /// The recording AI provider, when the app was started with one.
    pub fake_ai: Option<careerlog::integrations::ai::fake::FakeAi>,
    _temp: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, &[]).await
    }

    /// Start an app with extra command-line settings, e.g. `["--signups", "closed"]`.
    pub async fn spawn_with(backend: Backend, extra: &[&str]) -> Option<TestApp> {
        Self::spawn_with_ai(backend, extra, None).await
    }

    /// Start an app whose AI provider is `ai` (the recording fake, say).
    pub async fn spawn_with_ai(
        backend: Backend,
        extra: &[&str],
        ai: Option<Arc<dyn careerlog::integrations::ai::AiProvider>>,
    ) -> Option<TestApp> {
        Self::spawn_with_overrides(backend, extra, Overrides { ai, ..Overrides::default() }).await
    }

    /// Start an app with replacements of its own (a test's AI provider, the loopback servers
    /// the job page fetcher may call); its clock is always the adjustable one.
    pub async fn spawn_with_overrides(backend: Backend, extra: &[&str], overrides: Overrides) -> Option<TestApp> {
        let temp = tempfile::tempdir().expect("temp dir");
        let data_dir = temp.path().join("data");
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(fresh_postgres_database().await?),
        };
        let mut args: Vec<String> = vec![
            "--listen".into(),
            "127.0.0.1:0".into(),
            "--data-dir".into(),
            data_dir.display().to_string(),
            "--database-max-connections".into(),
            "4".into(),
            "--password-hash-concurrency".into(),
            "2".into(),
        ];
        if let Some(url) = &database_url {
            args.extend(["--database-url".into(), url.clone()]);
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let config = Config::from_args(&args).expect("test configuration parses");
        let clock = AdjustableClock::default();
        let overrides = Overrides { clock: Some(Arc::new(clock.clone())), ..overrides };
        let app = Application::build_with(config, overrides).await.expect("the app builds");
        let state = app.state().clone();
        let base_url = state.base_url.as_str().trim_end_matches('/').to_owned();
        let address = format!("http://{}", app.local_addr());
        tokio::spawn(app.run_until(std::future::pending()));
        Some(TestApp {
            base_url,
            address,
            client: browser(),
            clock,
            state,
            data_dir,
            database_url,
            backend,
            fake_ai: None,
            _temp: temp,
        })
    }

    /// An app whose AI provider is the recording fake (see [`TestApp::fake_ai`]).
    pub async fn with_fake_ai(backend: Backend, extra: &[&str]) -> Option<TestApp> {
        let fake = careerlog::integrations::ai::fake::FakeAi::new();
        let mut app = Self::spawn_with_ai(backend, extra, Some(Arc::new(fake.clone()))).await?;
        app.fake_ai = Some(fake);
        Some(app)
    }

    /// The fake AI provider this app was started with.
    pub fn fake_ai(&self) -> &careerlog::integrations::ai::fake::FakeAi {
        self.fake_ai.as_ref().expect("the app was started with TestApp::with_fake_ai")
    }

    /// The flags that point `careerlog admin …` at this app's data directory and database.
    pub fn storage_args(&self) -> Vec<String> {
        let mut args = vec!["--data-dir".to_owned(), self.data_dir.display().to_string()];
        if let Some(url) = &self.database_url {
            args.extend(["--database-url".to_owned(), url.clone()]);
        }
        args
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Another browser, with its own cookies.
    pub fn new_browser(&self) -> reqwest::Client {
        browser()
    }

    /// Another browser (a laptop, say) signed in to the same account.
    pub async fn browser_signed_in_as(&self, email: &str, password: &str) -> reqwest::Client {
        let browser = browser();
        let response =
            submit_with(&browser, &self.address, "/login", "/login", &[("email", email), ("password", password)]).await;
        assert_eq!(response.status(), 303, "the second browser signs in");
        browser
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    /// Open `page`, take the CSRF token from its form, and post `fields` to `action` with it.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        submit_with(&self.client, &self.address, page, action, fields).await
    }

    pub async fn sign_up(&self, email: &str, password: &str) -> reqwest::Response {
        self.submit("/signup", "/signup", &[("email", email), ("password", password)]).await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.submit("/login", "/login", &[("email", email), ("password", password)]).await
    }

    pub async fn sign_out(&self) -> reqwest::Response {
        self.submit("/settings", "/logout", &[]).await
    }

    /// Sign up, verify and sign in; the client is signed in afterwards.
    pub async fn signed_up_user(&self, email: &str) -> &'static str {
        let password = "maple orbit lantern quietly";
        self.signed_up_unverified_user(email, password).await;
        let link = self.wait_for_mail(email, "Verify").await.link();
        let verified = self.client.get(link).send().await.unwrap();
        assert_eq!(verified.status(), 303);
        password
    }

    /// Sign up and sign in without opening the verification link (which is in the mail).
    pub async fn signed_up_unverified_user(&self, email: &str, password: &str) {
        let response = self.sign_up(email, password).await;
        assert_eq!(response.status(), 200, "sign-up of {email} should be taken");
        assert!(response.text().await.unwrap().contains("Check your inbox"));
        // The account is made after the answer: it exists once its verification mail is out.
        self.wait_for_mail(email, "Verify").await;
        assert_eq!(self.sign_in(email, password).await.status(), 303, "{email} signs in after signing up");
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    pub fn mails(&self) -> Vec<Mail> {
        read_mails(&self.mail_dir())
    }

    /// The newest mail to `to` whose subject contains `subject`, waiting up to 10 s for it (some
    /// mail is sent after the response).
    pub async fn wait_for_mail(&self, to: &str, subject: &str) -> Mail {
        for _ in 0..200 {
            if let Some(mail) =
                self.mails().into_iter().rev().find(|m| m.to.contains(to) && m.subject.contains(subject))
            {
                return mail;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no mail to {to} about {subject:?}; have {:?}",
            self.mails().iter().map(|m| (&m.to, &m.subject)).collect::<Vec<_>>()
        );
    }

    pub async fn count_mails_to(&self, to: &str) -> usize {
        self.mails().iter().filter(|m| m.to.contains(to)).count()
    }

    /// Run a query that returns one text value, on the app's database.
    pub async fn scalar_text(&self, sql: &str) -> String {
        sqlx::query_scalar::<_, String>(sql).fetch_one(self.state.db.pool()).await.expect(sql)
    }

    /// Run a query that returns one number, on the app's database.
    pub async fn scalar(&self, sql: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(sql).fetch_one(self.state.db.pool()).await.expect(sql)
    }
}

pub fn browser() -> reqwest::Client {
    // Idle connections are let go well before the server's 5 s idle timeout closes them, so a
    // request after a slow step never races the server's close on a reused connection.
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .pool_idle_timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

pub async fn submit_with(
    client: &reqwest::Client,
    address: &str,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let html = client.get(format!("{address}{page}")).send().await.unwrap().text().await.unwrap();
    let token = csrf_token_in(&html).unwrap_or_else(|| panic!("no CSRF token on {page}"));
    let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
    form.extend_from_slice(fields);
    client.post(format!("{address}{action}")).form(&form).send().await.unwrap()
}

pub fn csrf_token_in(html: &str) -> Option<String> {
    let re = regex::Regex::new(r#"name="_csrf" value="([^"]+)""#).unwrap();
    re.captures(html).map(|c| c[1].to_owned())
}

pub fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub raw: String,
}

impl Mail {
    /// The first http(s) link in the body.
    pub fn link(&self) -> String {
        let re = regex::Regex::new(r"https?://\S+").unwrap();
        re.find(&self.body).expect("a link in the mail").as_str().to_owned()
    }

    /// The token query parameter of the link.
    pub fn token(&self) -> String {
        self.link().split("token=").nth(1).expect("a token in the link").to_owned()
    }
}

pub fn parse_mail(raw: &str) -> Mail {
    let (head, body) = raw.split_once("\r\n\r\n").expect("headers and body");
    let header = |name: &str| {
        head.lines()
            .find(|l| l.to_ascii_lowercase().starts_with(&format!("{}:", name.to_ascii_lowercase())))
            .map(|l| l.split_once(':').unwrap().1.trim().to_owned())
            .unwrap_or_default()
    };
    Mail { to: header("To"), subject: header("Subject"), body: body.replace("\r\n", "\n"), raw: raw.to_owned() }
}

pub fn read_mails(dir: &Path) -> Vec<Mail> {
    let mut names: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect(),
        Err(_) => return Vec::new(),
    };
    names.sort();
    names.iter().map(|p| parse_mail(&std::fs::read_to_string(p).unwrap())).collect()
}

/// How to start a [`ServerProcess`]. The default: a SQLite database in the process's own data
/// directory, with the key generated there.
#[derive(Debug, Clone, Default)]
pub struct ServerSettings {
    /// A `postgres://…` database (shared with other processes, say); `None`: SQLite in the
    /// process's data directory.
    pub database_url: Option<String>,
    /// The deployment's `--secret-key` (64 hex characters); `None`: the data directory's key.
    pub secret_key: Option<String>,
    /// More flags: an S3 store's, `--metrics-token`, `--base-url`…
    pub args: Vec<String>,
    /// More environment, e.g. `CAREERLOG_LOG` to read a module's debug lines.
    pub env: Vec<(String, String)>,
    /// Lower the process's open-files limit (soft and hard) to this first.
    pub max_open_files: Option<u32>,
}

impl ServerSettings {
    /// The flags `careerlog admin …` needs to reach this database from `data_dir`.
    pub fn storage_args(&self, data_dir: &Path) -> Vec<String> {
        let mut args = vec!["--data-dir".to_owned(), data_dir.display().to_string()];
        if let Some(url) = &self.database_url {
            args.extend(["--database-url".to_owned(), url.clone()]);
        }
        args
    }
}

/// `careerlog admin create-user` (verified; an administrator with `admin`) with `storage_args`.
pub fn create_user_with_cli(storage_args: &[String], email: &str, password: &str, admin: bool) {
    use std::io::Write;
    let mut create = std::process::Command::new(env!("CARGO_BIN_EXE_careerlog"))
        .args(["admin", "create-user", "--email", email])
        .args(admin.then_some("--admin"))
        .args(storage_args)
        .env_remove("CAREERLOG_DATABASE_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run careerlog admin create-user");
    create.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    let created = create.wait_with_output().unwrap();
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
}

/// A real `careerlog serve` process (the built binary) on a random port with a data directory
/// of its own: for what only a whole process shows (its memory, its open-files limit, several
/// instances on one database). It is killed when dropped.
pub struct ServerProcess {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    pub data_dir: PathBuf,
    child: std::process::Child,
    log: Arc<std::sync::Mutex<Vec<String>>>,
    _temp: tempfile::TempDir,
}

impl ServerProcess {
    /// Create the account `email` (verified) with `password` in a fresh SQLite data directory,
    /// then start the server with `extra` settings; `max_open_files` lowers its open-files limit
    /// (soft and hard) first.
    pub async fn start_with_user(
        email: &str,
        password: &str,
        extra: &[&str],
        max_open_files: Option<u32>,
    ) -> ServerProcess {
        let settings = ServerSettings {
            args: extra.iter().map(|s| s.to_string()).collect(),
            max_open_files,
            ..ServerSettings::default()
        };
        let temp = tempfile::tempdir().expect("temp dir");
        let data_dir = temp.path().join("data");
        create_user_with_cli(&settings.storage_args(&data_dir), email, password, false);
        Self::start_in(temp, &settings).await.unwrap_or_else(|log| panic!("the server did not start:\n{log}"))
    }

    /// [`ServerProcess::start_with_user`] with any `settings` (environment variables, say).
    pub async fn start_with_user_settings(email: &str, password: &str, settings: ServerSettings) -> ServerProcess {
        let temp = tempfile::tempdir().expect("temp dir");
        let data_dir = temp.path().join("data");
        create_user_with_cli(&settings.storage_args(&data_dir), email, password, false);
        Self::start_in(temp, &settings).await.unwrap_or_else(|log| panic!("the server did not start:\n{log}"))
    }

    /// Start a server with `settings` and a fresh data directory of its own.
    pub async fn start(settings: &ServerSettings) -> ServerProcess {
        Self::try_start(settings).await.unwrap_or_else(|log| panic!("the server did not start:\n{log}"))
    }

    /// Start a server, or answer its log when it stops before it listens.
    pub async fn try_start(settings: &ServerSettings) -> Result<ServerProcess, String> {
        Self::start_in(tempfile::tempdir().expect("temp dir"), settings).await
    }

    async fn start_in(temp: tempfile::TempDir, settings: &ServerSettings) -> Result<ServerProcess, String> {
        use std::io::BufRead;
        let data_dir = temp.path().join("data");
        let bin = env!("CARGO_BIN_EXE_careerlog");
        let mut command = match settings.max_open_files {
            // `ulimit -n` in sh sets the soft and the hard limit: the server cannot raise it.
            Some(limit) => {
                let mut sh = std::process::Command::new("sh");
                sh.args(["-c", &format!("ulimit -n {limit} && exec \"$0\" \"$@\""), bin]);
                sh
            }
            None => std::process::Command::new(bin),
        };
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json", "--password-hash-concurrency", "1"])
            .args(settings.storage_args(&data_dir))
            .args(settings.secret_key.iter().flat_map(|key| ["--secret-key", key.as_str()]))
            .args(&settings.args)
            .env("CAREERLOG_LOG", std::env::var("CAREERLOG_TEST_SERVER_LOG").unwrap_or_else(|_| "info".into()))
            .env_remove("CAREERLOG_DATABASE_URL")
            .env_remove("CAREERLOG_SECRET_KEY")
            .envs(settings.env.iter().map(|(k, v)| (k, v)))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn().expect("start careerlog serve");
        // The address is in the "listening" log line; the rest of the log is kept (tests read
        // it) and passed on so that a failing test shows it, and so that the pipe never fills.
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (found, address) = std::sync::mpsc::channel();
        let (kept, pid) = (log.clone(), child.id());
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                let parsed: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
                if let Some(address) = parsed["fields"]["address"].as_str() {
                    let _ = found.send(address.to_owned());
                }
                eprintln!("[server {pid}] {line}");
                kept.lock().unwrap().push(line);
            }
        });
        // Waiting happens off the runtime, so that several servers start side by side.
        let waited = tokio::task::spawn_blocking(move || address.recv_timeout(Duration::from_secs(60))).await.unwrap();
        match waited {
            Ok(address) => {
                Ok(ServerProcess { address: format!("http://{address}"), data_dir, child, log, _temp: temp })
            }
            Err(_) => {
                let _ = child.kill();
                let status = child.wait();
                let log = log.lock().unwrap().join("\n");
                Err(format!("{status:?}\n{log}"))
            }
        }
    }

    /// The log lines so far (JSON, one event each).
    pub fn log_lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Mail this server wrote (the file transport, in its own data directory).
    pub fn mails(&self) -> Vec<Mail> {
        read_mails(&self.data_dir.join("mail"))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The process's peak resident memory (`VmHWM`) in KiB, where /proc tells it.
    pub fn peak_memory_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A visitor's GET (no cookies): its status and body.
pub async fn visitor_get(app: &TestApp, path: &str) -> (u16, String) {
    let response = browser().get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}
