//! Error reports to the operator's Sentry (`--sentry-dsn`): panics and internal errors (the
//! 500s), with nothing personal in them (promise 17). A report holds the route template (never
//! the path as sent), the HTTP method, the error chain or the panic's message and where it
//! happened (function names, source files and lines), the release and the environment. No user,
//! no request (URL, query string, headers, cookies, body), no breadcrumbs, no IP address, no host
//! name.
//!
//! `send_default_pii = false` only keeps the SDK from adding what it knows itself; an error's
//! message can still carry what a person typed. So every event passes [`scrub`] last
//! (`before_send`): it builds a new event from an allow-list of fields and rewrites each text it
//! keeps with [`scrub_text`]. Whatever a future code path attaches to an event, only those fields
//! can leave.
//!
//! Without a DSN there is no client and no panic hook, and [`report`] returns at once.

use std::any::Any;
use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::{Arc, LazyLock, Once};
use std::time::Duration;

use regex::{Captures, Regex};
use sentry::protocol::{Event, Exception, Frame, Level, Map, Mechanism, Stacktrace, Values};

use crate::secrets::Secret;

/// The release every report names.
pub const RELEASE: &str = concat!("careerlog@", env!("CARGO_PKG_VERSION"));

/// The `server_name` of every report: one name for every instance, never the host's own.
pub const SERVER_NAME: &str = "careerlog";

/// How long stopping waits for queued reports to be sent.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// The only tags a report may carry: the route template, the HTTP method and what failed.
const ROUTE_TAG: &str = "route";
const METHOD_TAG: &str = "http.method";
const KIND_TAG: &str = "failure";
const TAGS: [&str; 3] = [ROUTE_TAG, METHOD_TAG, KIND_TAG];

/// Texts longer than this are cut: a report needs the gist, not a dump.
const MAX_TEXT_CHARS: usize = 2_000;

/// The running Sentry client. Reports are sent while it lives; dropping it sends what is still
/// queued (waiting up to [`SHUTDOWN_TIMEOUT`], blocking the thread) and stops.
pub struct ErrorReports {
    _client: sentry::ClientInitGuard,
}

/// Start sending reports to `dsn`. The DSN is a credential: no message here repeats it.
pub fn init(dsn: &Secret<String>) -> anyhow::Result<ErrorReports> {
    let dsn: sentry::types::Dsn = dsn
        .expose()
        .trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("--sentry-dsn is not a Sentry DSN (https://<key>@<host>/<project>)"))?;
    let mut options = sentry::ClientOptions::default();
    options.dsn = Some(dsn);
    options.release = Some(Cow::Borrowed(RELEASE));
    options.server_name = Some(Cow::Borrowed(SERVER_NAME));
    options.send_default_pii = false;
    options.max_breadcrumbs = 0;
    options.attach_stacktrace = false;
    options.in_app_include = vec!["careerlog"];
    options.before_send = Some(Arc::new(|event| Some(scrub(event))));
    options.before_breadcrumb = Some(Arc::new(|_| None));
    options.shutdown_timeout = SHUTDOWN_TIMEOUT;
    let client = sentry::init(options);
    record_panics();
    Ok(ErrorReports { _client: client })
}

/// Whether reports are being sent (a client with a DSN is running).
pub fn is_on() -> bool {
    sentry::Hub::main().client().is_some_and(|client| client.is_enabled())
}

/// What failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// A request's handling panicked (the web layer caught it and answered 500).
    Panic,
    /// A request's handling returned an internal error (500).
    InternalError,
}

impl FailureKind {
    fn key(self) -> &'static str {
        match self {
            FailureKind::Panic => "panic",
            FailureKind::InternalError => "internal_error",
        }
    }
}

/// One failure to report.
#[derive(Debug, Clone, Copy)]
pub struct Failure<'a> {
    pub kind: FailureKind,
    /// The route template (`/opportunities/{id}`), never the path as sent; `None` when no route
    /// matched.
    pub route: Option<&'a str>,
    pub method: &'a str,
    /// The error chain, outermost first (what `{:#}` joins with ": "); for a panic, its message.
    pub chain: &'a [String],
    /// Where the panic happened, when the panic hook saw it.
    pub panic: Option<&'a PanicRecord>,
}

/// Send `failure` to Sentry, when it is on (otherwise nothing happens). The event is scrubbed
/// on its way out like any other.
pub fn report(failure: &Failure<'_>) {
    if !is_on() {
        return;
    }
    sentry::Hub::main().capture_event(event_for(failure));
}

fn event_for(failure: &Failure<'_>) -> Event<'static> {
    let (outer_type, inner_type, level) = match failure.kind {
        FailureKind::Panic => ("panic", "panic", Level::Fatal),
        FailureKind::InternalError => ("internal error", "caused by", Level::Error),
    };
    let count = failure.chain.len();
    // Sentry lists a chain innermost first: the last exception is the one the issue is named by.
    let mut exceptions: Vec<Exception> = failure
        .chain
        .iter()
        .enumerate()
        .rev()
        .map(|(index, message)| Exception {
            ty: if index == 0 { outer_type } else { inner_type }.to_owned(),
            value: Some(message.clone()),
            ..Default::default()
        })
        .collect();
    if count == 0 {
        exceptions.push(Exception { ty: outer_type.to_owned(), ..Default::default() });
    }
    if let Some(outermost) = exceptions.last_mut() {
        outermost.mechanism = Some(Mechanism {
            ty: failure.kind.key().to_owned(),
            handled: Some(failure.kind == FailureKind::InternalError),
            ..Default::default()
        });
        if let Some(panic) = failure.panic {
            outermost.stacktrace = panic.stacktrace.clone();
            if let (Some(location), Some(value)) = (&panic.location, &mut outermost.value) {
                value.push_str(&format!(" (at {location})"));
            }
        }
    }
    let mut tags = Map::new();
    tags.insert(ROUTE_TAG.to_owned(), failure.route.unwrap_or("unmatched").to_owned());
    tags.insert(METHOD_TAG.to_owned(), failure.method.to_owned());
    tags.insert(KIND_TAG.to_owned(), failure.kind.key().to_owned());
    Event {
        level,
        transaction: failure.route.map(str::to_owned),
        exception: exceptions.into(),
        tags,
        ..Default::default()
    }
}

/// The event as it may leave: a new event made of the allowed fields only, each text scrubbed.
/// Everything else (user, request, breadcrumbs, contexts, extra data, modules, threads, debug
/// images, log entries' parameters, frames' variables and source lines) is left behind.
pub fn scrub(event: Event<'static>) -> Event<'static> {
    let tags = event
        .tags
        .into_iter()
        .filter(|(key, _)| TAGS.contains(&key.as_str()))
        .map(|(key, value)| (key, scrub_route(&value)))
        .collect();
    // A log entry's message is kept as the message; its parameters may be anything.
    let message = event.message.or(event.logentry.map(|entry| entry.message)).map(|m| scrub_text(&m));
    let exceptions: Vec<Exception> = event.exception.values.into_iter().map(scrub_exception).collect();
    Event {
        event_id: event.event_id,
        level: event.level,
        transaction: event.transaction.map(|t| scrub_route(&t)),
        message,
        platform: event.platform,
        timestamp: event.timestamp,
        server_name: Some(Cow::Borrowed(SERVER_NAME)),
        release: event.release,
        dist: event.dist,
        environment: event.environment,
        exception: Values::from(exceptions),
        stacktrace: event.stacktrace.map(scrub_stacktrace),
        tags,
        sdk: event.sdk,
        ..Default::default()
    }
}

fn scrub_exception(exception: Exception) -> Exception {
    Exception {
        ty: scrub_text(&exception.ty),
        value: exception.value.map(|v| scrub_text(&v)),
        stacktrace: exception.stacktrace.map(scrub_stacktrace),
        mechanism: exception.mechanism.map(|m| Mechanism {
            ty: scrub_text(&m.ty),
            handled: m.handled,
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Frames keep their function, file, line and column, and whether they are the app's own code:
/// no variables, no source lines, no addresses, and no absolute paths (they name the build
/// machine's directories).
fn scrub_stacktrace(stacktrace: Stacktrace) -> Stacktrace {
    let frames = stacktrace
        .frames
        .into_iter()
        .map(|frame| Frame {
            function: frame.function,
            filename: frame.filename.or(frame.abs_path).map(|f| source_file(&f)),
            lineno: frame.lineno,
            colno: frame.colno,
            in_app: frame.in_app,
            ..Default::default()
        })
        .collect();
    Stacktrace { frames, frames_omitted: stacktrace.frames_omitted, ..Default::default() }
}

/// A source file as a report names it: relative to its crate or to the standard library.
fn source_file(path: &str) -> String {
    let path = path.replace('\\', "/");
    if !path.starts_with('/') {
        return path;
    }
    // `…/.cargo/registry/src/index.crates.io-…/tokio-1.0.0/src/x.rs` → `tokio-1.0.0/src/x.rs`
    if let Some((_, rest)) = path.split_once("/registry/src/") {
        return rest.split_once('/').map_or(rest, |(_, file)| file).to_owned();
    }
    // `/rustc/<commit>/library/std/src/x.rs` → `library/std/src/x.rs`
    if let Some((_, rest)) = path.split_once("/rustc/") {
        return rest.split_once('/').map_or(rest, |(_, file)| file).to_owned();
    }
    // Anything else: from its `src/` folder on, or its last two parts.
    if let Some(index) = path.rfind("/src/") {
        return path[index + 1..].to_owned();
    }
    path.rsplit('/').take(2).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("/")
}

/// A route template as a tag or transaction: never a query string.
fn scrub_route(route: &str) -> String {
    scrub_text(route.split(['?', '#']).next().unwrap_or_default())
}

/// Rewrites what in a text could be a person's data: quoted values, email addresses, query
/// strings, ids, IP addresses, tokens and long numbers. Error messages quote what people typed
/// (`“…”` in ours, `"…"` in `Debug` output), so quoted text goes whole.
pub fn scrub_text(text: &str) -> String {
    // Also Rust's own backticks (a slicing panic quotes the whole text it cut: "… of `…`") and
    // short single-quoted characters ("it is inside 'é'").
    static QUOTED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#""(?:[^"\\]|\\.)*"|“[^”]*”|‘[^’]*’|`[^`]*`|'[^'\n]{1,8}'"#).expect("pattern"));
    // A URL names a host and a path (a person's own domain, a Bluesky account's PDS).
    static URL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"“”'‘’<>)\]]+"#).expect("pattern"));
    // Decentralised identifiers (`did:plc:…`, `did:web:ada.example`) name Bluesky accounts.
    static DID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"\bdid:[a-z]+:[^\s"“”'‘’<>)\]]+"#).expect("pattern"));
    // Also percent-encoded, as in a URL's path (`calendars/ada%40example.com/events`).
    static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"[^\s"“”'‘’<>()\[\]{},;:=&?/]+(?:@|%40)[^\s"“”'‘’<>()\[\]{},;:=&?/]+"#).expect("pattern")
    });
    static QUERY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"\?[^\s"“”'‘’<>?]+"#).expect("pattern"));
    static UUID: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}").expect("pattern")
    });
    static IPV4: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(?:\d{1,3}\.){3}\d{1,3}\b").expect("pattern"));
    // A run of hex digits, colons and dots that stands alone (`careerlog::web` is no address).
    static IPV6: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(^|[^0-9A-Za-z_:.])([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)($|[^0-9A-Za-z_:.])").expect("pattern")
    });
    // Without `/`, so that a path (a route template among them) is no token.
    static TOKEN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z0-9_+=-]{20,}").expect("pattern"));
    static NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\+?\d[\d ().-]{6,}\d").expect("pattern"));

    let text = QUOTED.replace_all(text, |quoted: &Captures| {
        let whole = &quoted[0];
        let open = whole.chars().next().unwrap_or('"');
        let close = whole.chars().last().unwrap_or('"');
        format!("{open}[redacted]{close}")
    });
    let text = URL.replace_all(&text, "[url]");
    let text = DID.replace_all(&text, "[did]");
    let text = EMAIL.replace_all(&text, "[email]");
    let text = QUERY.replace_all(&text, "?[redacted]");
    let text = UUID.replace_all(&text, "[id]");
    let text = IPV4.replace_all(&text, "[ip]");
    let text = IPV6.replace_all(&text, |found: &Captures| {
        let candidate = &found[2];
        let address = |text: &str| text.parse::<std::net::Ipv6Addr>().is_ok();
        let is_address = candidate.chars().any(|c| c.is_ascii_hexdigit())
            && (address(candidate) || address(candidate.trim_end_matches('.')));
        format!("{}{}{}", &found[1], if is_address { "[ip]" } else { candidate }, &found[3])
    });
    // Random-looking words (session ids, API tokens, keys) have letters and digits mixed.
    let text = TOKEN.replace_all(&text, |word: &Captures| {
        let word = &word[0];
        let digits = word.chars().any(|c| c.is_ascii_digit());
        let letters = word.chars().any(|c| c.is_ascii_alphabetic());
        if digits && letters {
            "[token]".to_owned()
        } else {
            word.to_owned()
        }
    });
    let text = NUMBER.replace_all(&text, "[number]");
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}

/// What the panic hook saw of a panic: its message, where it happened and the stack then.
#[derive(Debug, Clone)]
pub struct PanicRecord {
    message: String,
    /// `src/web/x.rs:12:5`
    pub location: Option<String>,
    pub stacktrace: Option<Stacktrace>,
}

thread_local! {
    /// The latest panic on this thread, for the web layer's catch to take.
    static LATEST_PANIC: RefCell<Option<PanicRecord>> = const { RefCell::new(None) };
}

/// Have every panic leave its location and stack for [`take_panic`], then do what was done
/// before (the standard hook prints it on standard error). Installed once, with the client.
fn record_panics() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info.location();
            let stacktrace = sentry::integrations::backtrace::current_stacktrace();
            let record = PanicRecord {
                message: panic_message(info.payload()),
                location: location.map(|l| format!("{}:{}:{}", source_file(l.file()), l.line(), l.column())),
                stacktrace: match (stacktrace, location) {
                    (Some(stack), Some(location)) => Some(up_to_the_panic(stack, location.file(), location.line())),
                    (stack, _) => stack,
                },
            };
            let _ = LATEST_PANIC.try_with(|latest| *latest.borrow_mut() = Some(record));
            previous(info);
        }));
    });
}

/// The stack as far as the line that panicked: the frames after it (the panic machinery, this
/// hook, the stack's capture) say nothing about the failure.
fn up_to_the_panic(mut stacktrace: Stacktrace, file: &str, line: u32) -> Stacktrace {
    let file_name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let is_the_site = |frame: &Frame| {
        frame.lineno == Some(u64::from(line))
            && [&frame.abs_path, &frame.filename]
                .iter()
                .any(|path| path.as_deref().is_some_and(|p| p.ends_with(file_name)))
    };
    // Frames run from the outermost call to the innermost.
    if let Some(site) = stacktrace.frames.iter().rposition(is_the_site) {
        stacktrace.frames.truncate(site + 1);
    }
    stacktrace
}

/// The record of the panic just caught on this thread, if the hook saw it (Sentry is on) and it
/// is the one with this `message` (a panic passed on from another thread leaves none here).
pub fn take_panic(message: &str) -> Option<PanicRecord> {
    LATEST_PANIC.try_with(|latest| latest.borrow_mut().take()).ok().flatten().filter(|r| r.message == message)
}

/// A panic's message, from its payload.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_people_typed_or_are_never_stays_in_a_text() {
        let cases = [
            ("no account for ada@example.com", "no account for [email]"),
            ("GET calendars/ada%40example.com/events: 404", "GET calendars/[email]/events: 404"),
            ("invalid value “Ada Lovelace” for name", "invalid value “[redacted]” for name"),
            (r#"Err(Parse("12 rue de la Paix"))"#, r#"Err(Parse("[redacted]"))"#),
            ("GET /login?next=/settings&token=abc failed", "GET /login?[redacted] failed"),
            ("row 0192f0a4-7c1e-7d2a-9b3c-1234567890ab missing", "row [id] missing"),
            ("peer 203.0.113.7 reset", "peer [ip] reset"),
            ("peer 2001:db8::1 reset", "peer [ip] reset"),
            ("peer ::1 reset", "peer [ip] reset"),
            ("token clg_8fK2mQ9xZ1pL4vN7bR3t rejected", "token [token] rejected"),
            ("call +44 20 7946 0958 now", "call [number] now"),
            ("/api/v1/test-faults/{label}/internal-error?x=1", "/api/v1/test-faults/{label}/internal-error?[redacted]"),
        ];
        for (given, scrubbed) in cases {
            assert_eq!(scrub_text(given), scrubbed, "{given}");
        }
    }

    #[test]
    fn what_an_operator_needs_stays() {
        for kept in [
            "database: pool timed out while waiting for an open connection",
            "careerlog::web::records::show panicked at src/web/records.rs:120:9",
            "db::accounts::find_by_email failed: 12:30 is not a time",
            "attempt to subtract with overflow",
            "the route /opportunities/{id} is not what you want?",
        ] {
            assert_eq!(scrub_text(kept), kept);
        }
        let long = "x".repeat(MAX_TEXT_CHARS + 10);
        assert_eq!(scrub_text(&long).chars().count(), MAX_TEXT_CHARS + 1, "cut, with an ellipsis");
    }

    #[test]
    fn rusts_own_panic_texts_urls_and_dids_are_redacted() {
        let slicing = "byte index 12 is not a char boundary; it is inside 'ü' (bytes 11..13) of `Jörg Müller, Berlin`";
        let said = scrub_text(slicing);
        assert!(!said.contains("Jörg") && !said.contains('ü'), "{said}");
        assert!(said.starts_with("byte index 12 is not a char boundary"), "{said}");
        let unknown = scrub_text("unknown variant `ada's secret`, expected one of `a`, `b`");
        assert!(!unknown.contains("secret"), "{unknown}");
        let request = scrub_text(
            "could not find that account: error sending request for url (https://pds.ada-lovelace.net/xrpc/x): timed out",
        );
        assert!(!request.contains("ada-lovelace") && request.contains("[url]"), "{request}");
        let did = scrub_text("no document for did:web:ada-lovelace.net or did:plc:abcdefghijklmnopqrstuvwx");
        assert!(!did.contains("ada-lovelace") && !did.contains("abcdefgh"), "{did}");
        assert_eq!(scrub_text("/opportunities/{id}"), "/opportunities/{id}", "route templates stay");
        assert_eq!(scrub_text("src/web/panics.rs:12:5"), "src/web/panics.rs:12:5", "file names stay");
    }

    #[test]
    fn a_scrubbed_event_keeps_only_the_allowed_fields() {
        use sentry::protocol::{Breadcrumb, Context, Request, User};
        let mut event = event_for(&Failure {
            kind: FailureKind::InternalError,
            route: Some("/opportunities/{id}"),
            method: "POST",
            chain: &["saving an opportunity".to_owned(), "no row for ada@example.com".to_owned()],
            panic: None,
        });
        event.user = Some(User { email: Some("ada@example.com".into()), ..Default::default() });
        event.request = Some(Request { query_string: Some("q=secret".into()), ..Default::default() });
        event.breadcrumbs = vec![Breadcrumb { message: Some("signed in as ada".into()), ..Default::default() }].into();
        event.contexts.insert("os".into(), Context::Other(Default::default()));
        event.extra.insert("body".into(), "email=ada@example.com".into());
        event.tags.insert("user".into(), "ada".into());
        event.server_name = Some("ada-laptop.home".into());
        event.stacktrace = Some(Stacktrace {
            frames: vec![Frame {
                function: Some("careerlog::web::x".into()),
                abs_path: Some("/home/ada/careerlog/src/web/x.rs".into()),
                lineno: Some(3),
                vars: [("password".to_owned(), "hunter2".into())].into_iter().collect(),
                context_line: Some("let password = \"hunter2\";".into()),
                ..Default::default()
            }],
            ..Default::default()
        });

        let scrubbed = scrub(event);
        let json = serde_json::to_string(&scrubbed).unwrap();
        for gone in ["ada", "secret", "hunter2", "signed in", "\"os\""] {
            assert!(!json.contains(gone), "{gone} left in {json}");
        }
        assert!(scrubbed.user.is_none() && scrubbed.request.is_none());
        assert!(scrubbed.breadcrumbs.is_empty() && scrubbed.contexts.is_empty() && scrubbed.extra.is_empty());
        assert_eq!(scrubbed.server_name.as_deref(), Some(SERVER_NAME));
        assert_eq!(scrubbed.transaction.as_deref(), Some("/opportunities/{id}"));
        assert_eq!(scrubbed.tags.keys().collect::<Vec<_>>(), ["failure", "http.method", "route"]);
        let chain: Vec<_> = scrubbed.exception.values.iter().map(|e| e.value.clone().unwrap_or_default()).collect();
        assert_eq!(chain, ["no row for [email]", "saving an opportunity"], "innermost first");
        let frame = &scrubbed.stacktrace.as_ref().unwrap().frames[0];
        assert_eq!(frame.filename.as_deref(), Some("src/web/x.rs"));
        assert_eq!(frame.function.as_deref(), Some("careerlog::web::x"));
    }

    #[test]
    fn a_panic_s_stack_ends_where_it_panicked() {
        let frame = |function: &str, file: &str, line: u64| Frame {
            function: Some(function.into()),
            filename: Some(file.into()),
            lineno: Some(line),
            ..Default::default()
        };
        let stack = Stacktrace {
            frames: vec![
                frame("tokio::runtime::task::raw::poll", "raw.rs", 267),
                frame("careerlog::web::x::handler::{{closure}}", "x.rs", 27),
                frame("core::panicking::panic_fmt", "panicking.rs", 80),
                frame("careerlog::integrations::error_reports::record_panics::{{closure}}", "error_reports.rs", 337),
            ],
            ..Default::default()
        };
        let trimmed = up_to_the_panic(stack, "src/web/x.rs", 27);
        let functions: Vec<_> = trimmed.frames.iter().map(|f| f.function.clone().unwrap()).collect();
        assert_eq!(functions, ["tokio::runtime::task::raw::poll", "careerlog::web::x::handler::{{closure}}"]);
    }

    #[test]
    fn source_files_are_named_without_the_build_machine() {
        assert_eq!(source_file("src/web/x.rs"), "src/web/x.rs");
        assert_eq!(
            source_file("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/tokio-1.48.0/src/task.rs"),
            "tokio-1.48.0/src/task.rs"
        );
        assert_eq!(source_file("/rustc/abc123/library/std/src/panicking.rs"), "library/std/src/panicking.rs");
        assert_eq!(source_file("/home/ada/work/careerlog/src/main.rs"), "src/main.rs");
        assert_eq!(source_file("/opt/build/x.rs"), "build/x.rs");
    }
}
