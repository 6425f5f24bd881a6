//! The HTTP server: our own accept loop over hyper, so that slow, silent or too many clients
//! cannot hold the process's sockets and starve everyone else (issue 11, item 1).
//!
//! - A request's line and headers must arrive within the header-read timeout. This is hyper's
//!   own timer, which starts when the connection opens and again after each response, so it
//!   also bounds how long a kept-alive connection may wait for its next request.
//! - A connection with no request being answered and no byte moving either way for the idle
//!   timeout is closed: kept-alive connections nobody uses, clients that went silent half-way
//!   through a request, clients that stopped reading their answer.
//! - At most `max_connections` are served at once. A newcomer past the cap is answered
//!   `503 Service Unavailable` with `Retry-After` at once and disconnected, rather than left
//!   unanswered in the kernel's queue.
//! - When accepting fails (out of file descriptors, mostly), the loop pauses briefly instead of
//!   spinning, and says so in the log now and then rather than for every attempt.
//! - Stopping closes the listener and idle connections at once, and lets the requests in
//!   flight finish (their connections close after the answer).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::time::Instant;

use crate::config::Config;
use crate::web::Entrance;

/// How the server treats connections: the settings, with the cap fitted under the open-files
/// limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    pub max_connections: u32,
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
}

/// File descriptors kept back from client connections: the runtime, the listener, the log,
/// files being read and written, mail and S3 connections, and refused clients being answered.
const RESERVED_FILES: u64 = 64 + REFUSALS_AT_ONCE as u64;
/// Files one pooled database connection may hold (SQLite: the database, its WAL, its index).
const FILES_PER_DATABASE_CONNECTION: u64 = 3;
/// Refused clients being answered at once; past that, a refused connection is just closed.
const REFUSALS_AT_ONCE: usize = 16;
/// How long a refused client gets to take its answer.
const REFUSAL_TIME: Duration = Duration::from_secs(1);
/// Once stopping, how long requests in flight get before the rest are cut off (each request
/// already ends within 30 s: see the timeout layer in `web::router`).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(35);
/// Pauses after a failed accept: short, so service resumes as soon as a descriptor is free;
/// doubling, so a lasting shortage costs next to no CPU.
const FIRST_PAUSE: Duration = Duration::from_millis(10);
const LONGEST_PAUSE: Duration = Duration::from_millis(100);
/// The same accept error is logged at most this often.
const LOG_ACCEPT_ERRORS_EVERY: Duration = Duration::from_secs(10);

/// The body of the answer past the cap (a macro, so that `concat!` can take it).
macro_rules! too_busy_body {
    () => {
        "Too many connections right now: please try again in a moment.\n"
    };
}
/// The answer past the cap, written straight to the socket.
const TOO_BUSY: &str = concat!(
    "HTTP/1.1 503 Service Unavailable\r\n",
    "Retry-After: 1\r\n",
    "Connection: close\r\n",
    "Content-Type: text/plain; charset=utf-8\r\n",
    "X-Content-Type-Options: nosniff\r\n",
    "Cache-Control: no-store\r\n",
    "Content-Length: 62\r\n",
    "\r\n",
    too_busy_body!(),
);

impl ServerLimits {
    /// The configured limits, the cap lowered if the open-files limit leaves too little room.
    pub fn from_config(config: &Config) -> Self {
        let settings = &config.connections;
        let database_files = FILES_PER_DATABASE_CONNECTION * u64::from(config.storage.database.max_connections);
        let wanted = settings.max_open;
        let max_connections = match open_files_limit() {
            Some(limit) => {
                let fitted = fit_under_open_files(wanted, limit, RESERVED_FILES + database_files);
                if fitted < wanted {
                    tracing::warn!(
                        open_files_limit = limit,
                        max_connections = fitted,
                        "the open-files limit leaves room for only {fitted} of the {wanted} connections asked for"
                    );
                }
                fitted
            }
            None => wanted,
        };
        ServerLimits {
            max_connections,
            header_read_timeout: Duration::from_secs(settings.header_read_timeout_seconds),
            idle_timeout: Duration::from_secs(settings.idle_timeout_seconds),
        }
    }
}

/// At most `wanted` connections, leaving `reserved` of the `open_files` for everything else
/// (and always at least one).
fn fit_under_open_files(wanted: u32, open_files: u64, reserved: u64) -> u32 {
    let room = open_files.saturating_sub(reserved).max(1);
    u32::try_from(room).unwrap_or(u32::MAX).min(wanted)
}

/// Raise the soft open-files limit to the hard one, as far as this process may: the soft
/// default (often 1024) is a relic, and the connection cap, not the kernel, should be what
/// turns clients away. Logs and returns the limit in force.
pub fn raise_open_files_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let before = open_files_limit();
        match rlimit::increase_nofile_limit(u64::MAX) {
            Ok(now) => tracing::info!(before = ?before, now, "open-files limit"),
            Err(err) => tracing::warn!(error = %err, limit = ?before, "could not raise the open-files limit"),
        }
    }
    open_files_limit()
}

/// The soft open-files limit in force, where the system has one.
fn open_files_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        rlimit::Resource::NOFILE.get().ok().map(|(soft, _hard)| soft)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Serve `entrance` on `listener` until `shutdown` completes, then finish the requests in
/// flight. Handlers find the client's address as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    entrance: Entrance,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let connections = Arc::new(Semaphore::new(limits.max_connections as usize));
    let refusals = Arc::new(Semaphore::new(REFUSALS_AT_ONCE));
    let (stop, stopping) = watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    let mut accept_errors = AcceptErrors::default();
    tokio::pin!(shutdown);

    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => {
                    accept_errors.succeeded();
                    accepted
                }
                Err(err) => {
                    accept_errors.pause_after(err).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        match connections.clone().try_acquire_owned() {
            Ok(slot) => {
                let connection = Connection {
                    http: http.clone(),
                    entrance: entrance.clone(),
                    peer,
                    idle_timeout: limits.idle_timeout,
                    stopping: stopping.clone(),
                };
                tokio::spawn(async move {
                    connection.serve(stream).await;
                    drop(slot);
                });
            }
            Err(_) => match refusals.clone().try_acquire_owned() {
                Ok(slot) => {
                    tokio::spawn(async move {
                        refuse(stream).await;
                        drop(slot);
                    });
                }
                // Even answering costs a descriptor for a moment: past this, just hang up.
                Err(_) => drop(stream),
            },
        }
    }

    drop(listener);
    let _ = stop.send(true);
    // Each connection holds its slot until it ends: with every slot back, all have ended.
    let all_ended = connections.acquire_many(limits.max_connections);
    if tokio::time::timeout(SHUTDOWN_GRACE, all_ended).await.is_err() {
        tracing::warn!("stopped with connections still open after {} s", SHUTDOWN_GRACE.as_secs());
    }
}

/// One accepted client connection and what serving it needs.
struct Connection {
    http: hyper::server::conn::http1::Builder,
    entrance: Entrance,
    peer: SocketAddr,
    idle_timeout: Duration,
    stopping: watch::Receiver<bool>,
}

impl Connection {
    async fn serve(mut self, stream: TcpStream) {
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Watched { stream, activity: activity.clone() });
        let (entrance, peer, answers) = (self.entrance, self.peer, activity.clone());
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let answering = answers.answering();
            let response = entrance.clone().answer(request);
            async move {
                let response = response.await;
                drop(answering);
                Ok::<_, std::convert::Infallible>(response)
            }
        });
        let connection = self.http.serve_connection(io, service);
        tokio::pin!(connection);
        let mut asked_to_stop = false;
        loop {
            // While a request is being answered the connection is not idle, however quiet.
            let check_at = if activity.answering_now() {
                Instant::now() + self.idle_timeout
            } else {
                activity.idle_deadline(self.idle_timeout)
            };
            tokio::select! {
                served = connection.as_mut() => {
                    if let Err(err) = served {
                        tracing::debug!(error = %err, peer = %peer, "connection ended with an error");
                    }
                    return;
                }
                _ = self.stopping.wait_for(|stop| *stop), if !asked_to_stop => {
                    asked_to_stop = true;
                    // Closes an idle connection now; a busy one after its answer.
                    connection.as_mut().graceful_shutdown();
                }
                () = tokio::time::sleep_until(check_at) => {
                    if activity.is_idle(self.idle_timeout) {
                        tracing::debug!(peer = %peer, "closing an idle connection");
                        return;
                    }
                }
            }
        }
    }
}

/// What the idle check needs to know about one connection.
struct Activity {
    opened: Instant,
    /// When a byte last moved (read or written), in milliseconds after `opened`.
    last_moved_ms: AtomicU64,
    /// Requests whose answer is still being prepared.
    answering: AtomicUsize,
}

impl Activity {
    fn new() -> Self {
        Activity { opened: Instant::now(), last_moved_ms: AtomicU64::new(0), answering: AtomicUsize::new(0) }
    }

    fn moved(&self) {
        let ms = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_moved_ms.store(ms, Ordering::Relaxed);
    }

    fn idle_deadline(&self, idle_timeout: Duration) -> Instant {
        self.opened + Duration::from_millis(self.last_moved_ms.load(Ordering::Relaxed)) + idle_timeout
    }

    fn answering_now(&self) -> bool {
        self.answering.load(Ordering::Relaxed) > 0
    }

    fn is_idle(&self, idle_timeout: Duration) -> bool {
        !self.answering_now() && Instant::now() >= self.idle_deadline(idle_timeout)
    }

    fn answering(self: &Arc<Self>) -> Answering {
        self.answering.fetch_add(1, Ordering::Relaxed);
        Answering(self.clone())
    }
}

/// A request being answered; the idle clock starts again when it is dropped.
struct Answering(Arc<Activity>);

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.moved();
        self.0.answering.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A client's socket that notes in its `Activity` when bytes move.
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.moved();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.moved();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.moved();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Answer a client past the cap with a 503, then close. The answer waits for the request's
/// head (HTTP clients take a response that comes before their request for a broken
/// connection), and what follows is read and dropped: closing with it unread would reset the
/// connection, and the reset can destroy the answer before the client reads it.
async fn refuse(mut stream: TcpStream) {
    let _ = tokio::time::timeout(REFUSAL_TIME, async {
        let mut received = Vec::with_capacity(1024);
        let mut chunk = [0u8; 2048];
        let waiting_for_head = async {
            while !received.windows(4).any(|w| w == b"\r\n\r\n") && received.len() < 16 * 1024 {
                match stream.read(&mut chunk).await? {
                    0 => break,
                    n => received.extend_from_slice(&chunk[..n]),
                }
            }
            Ok::<(), io::Error>(())
        };
        // A client that says nothing gets its answer all the same.
        let _ = tokio::time::timeout(REFUSAL_TIME / 2, waiting_for_head).await;
        stream.write_all(TOO_BUSY.as_bytes()).await?;
        stream.shutdown().await?;
        let mut drained = 0;
        while drained < 64 * 1024 {
            match stream.read(&mut chunk).await? {
                0 => break,
                n => drained += n,
            }
        }
        Ok::<(), io::Error>(())
    })
    .await;
}

/// Failed accepts: pauses that grow while the failures last, and a log line now and then.
#[derive(Default)]
struct AcceptErrors {
    pause: Duration,
    unlogged: u64,
    last_logged: Option<Instant>,
}

impl AcceptErrors {
    fn succeeded(&mut self) {
        self.pause = Duration::ZERO;
    }

    async fn pause_after(&mut self, err: io::Error) {
        // The client gave up before we took its connection: nothing is wrong here.
        if matches!(
            err.kind(),
            io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionRefused
        ) {
            return;
        }
        self.unlogged += 1;
        if self.last_logged.is_none_or(|at| at.elapsed() >= LOG_ACCEPT_ERRORS_EVERY) {
            tracing::error!(
                error = %err,
                failures = self.unlogged,
                "cannot accept connections (too many open files?); pausing between attempts"
            );
            self.unlogged = 0;
            self.last_logged = Some(Instant::now());
        }
        self.pause = (self.pause * 2).clamp(FIRST_PAUSE, LONGEST_PAUSE);
        tokio::time::sleep(self.pause).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busy_answer_declares_its_length() {
        let (head, body) = TOO_BUSY.split_once("\r\n\r\n").unwrap();
        assert_eq!(body, too_busy_body!());
        assert!(head.ends_with(&format!("\r\nContent-Length: {}", body.len())), "{head}");
    }

    #[test]
    fn the_cap_leaves_room_under_the_open_files_limit() {
        assert_eq!(fit_under_open_files(512, 1_048_576, 110), 512);
        assert_eq!(fit_under_open_files(512, 1024, 110), 512);
        assert_eq!(fit_under_open_files(2000, 1024, 110), 914);
        assert_eq!(fit_under_open_files(512, 100, 110), 1, "never none at all");
    }

    #[test]
    fn the_defaults_fit_under_the_common_soft_limit() {
        let config = Config::from_args(Vec::<String>::new()).unwrap();
        let reserved =
            RESERVED_FILES + FILES_PER_DATABASE_CONNECTION * u64::from(config.storage.database.max_connections);
        assert_eq!(fit_under_open_files(config.connections.max_open, 1024, reserved), 512);
    }
}
