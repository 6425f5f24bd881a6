//! The server's own connection handling (issue 11, item 1): slow and silent clients are
//! disconnected, a full server answers newcomers at once, and stopping finishes what is in
//! flight. The accept loop does not touch the database, so these run on SQLite only.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{Backend, ServerProcess, TestApp};

/// Room for a slow, shared test machine: these check that a connection is closed, not how fast.
const MARGIN: Duration = Duration::from_secs(5);

fn socket_address(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_owned()
}

/// Read until the server closes the connection; how long that took, or `None` if it was still
/// open after `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout_at((started + limit).into(), stream.read(&mut buffer)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

/// Read one response with a `Content-Length` body; its head (status line and headers).
async fn read_response(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(MARGIN, stream.read(&mut buffer))
            .await
            .expect("a response in time")
            .expect("a readable response");
        assert!(n > 0, "the connection closed before a whole response: {}", String::from_utf8_lossy(&received));
        received.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&received).into_owned();
        let Some((head, body)) = text.split_once("\r\n\r\n") else { continue };
        let length = head
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
            .and_then(|v| v.parse::<usize>().ok())
            .expect("a Content-Length");
        if body.len() >= length {
            return head.to_owned();
        }
    }
}

#[tokio::test]
async fn half_a_request_is_closed_within_the_header_timeout() {
    let settings = ["--header-read-timeout-seconds", "2", "--idle-timeout-seconds", "60"];
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, &settings).await else { return };

    // Half a request line and nothing more.
    let mut silent = TcpStream::connect(socket_address(&app)).await.unwrap();
    silent.write_all(b"GET /healthz HT").await.unwrap();

    // Headers that trickle in, a byte every 300 ms: never idle, never finished.
    let mut trickling = TcpStream::connect(socket_address(&app)).await.unwrap();
    trickling.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ").await.unwrap();
    let started = Instant::now();
    let mut buffer = [0u8; 1024];
    let trickled_for = loop {
        assert!(started.elapsed() < Duration::from_secs(2) + MARGIN, "a trickling client was never disconnected");
        tokio::select! {
            read = trickling.read(&mut buffer) => match read {
                Ok(0) | Err(_) => break started.elapsed(),
                Ok(_) => {}
            },
            _ = tokio::time::sleep(Duration::from_millis(300)) => {
                if trickling.write_all(b"a").await.is_err() {
                    break started.elapsed();
                }
            }
        }
    };
    assert!(trickled_for >= Duration::from_millis(1500), "closed too early, after {trickled_for:?}");

    let silent_for = closed_within(&mut silent, MARGIN).await;
    assert!(silent_for.is_some(), "a half-sent request line kept its connection open");

    // Everybody else is still served.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_idle_timeout() {
    let settings = ["--idle-timeout-seconds", "1", "--header-read-timeout-seconds", "60"];
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, &settings).await else { return };
    let mut stream = TcpStream::connect(socket_address(&app)).await.unwrap();
    let request = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";

    // Kept alive: a second request on the same connection is answered.
    for _ in 0..2 {
        stream.write_all(request).await.unwrap();
        let head = read_response(&mut stream).await;
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    }
    // Then, with nothing more to do, it is closed.
    let closed_after = closed_within(&mut stream, Duration::from_secs(1) + MARGIN).await;
    let closed_after = closed_after.expect("an idle kept-alive connection stayed open");
    assert!(closed_after >= Duration::from_millis(500), "closed too early, after {closed_after:?}");
}

#[tokio::test]
async fn with_every_connection_taken_a_new_client_is_told_to_come_back() {
    let settings = ["--max-connections", "2", "--idle-timeout-seconds", "60", "--header-read-timeout-seconds", "60"];
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, &settings).await else { return };
    let mut hogs = Vec::new();
    for _ in 0..2 {
        hogs.push(TcpStream::connect(socket_address(&app)).await.unwrap());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A raw client is answered at once, then disconnected.
    let mut newcomer = TcpStream::connect(socket_address(&app)).await.unwrap();
    newcomer.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
    let head = read_response(&mut newcomer).await.to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 503"), "{head}");
    assert!(head.contains("retry-after: "), "{head}");
    assert!(head.contains("connection: close"), "{head}");
    assert!(closed_within(&mut newcomer, MARGIN).await.is_some());

    // So is an ordinary HTTP client, which sees a clean 503, not a reset connection.
    let client = reqwest::Client::new();
    let response = tokio::time::timeout(MARGIN, client.get(app.url("/healthz")).send())
        .await
        .expect("an answer, not a hang")
        .expect("a response, not a broken connection");
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));

    // Once the hogs leave, service resumes.
    drop(hogs);
    let started = Instant::now();
    loop {
        let status = reqwest::Client::new().get(app.url("/healthz")).send().await.map(|r| r.status().as_u16()).ok();
        if status == Some(200) {
            break;
        }
        assert!(started.elapsed() < MARGIN, "still refused after the other connections closed: {status:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The review's finding: under a 1 024 open-files limit, 1 100 idle sockets from one client
/// made `/healthz` time out until they were released. Here the real binary runs with a
/// 128 open-files limit that it cannot raise, and 200 idle sockets try to take it.
#[cfg(unix)]
#[tokio::test]
async fn idle_sockets_cannot_starve_the_server_of_open_files() {
    let settings = ["--idle-timeout-seconds", "60", "--header-read-timeout-seconds", "60"];
    let password = "maple orbit lantern quietly";
    let server = ServerProcess::start_with_user("ada@example.com", password, &settings, Some(128)).await;
    let address = server.address.trim_start_matches("http://").to_owned();
    let mut hogs = Vec::new();
    for _ in 0..200 {
        match TcpStream::connect(&address).await {
            Ok(stream) => hogs.push(stream),
            Err(err) => panic!("connecting the idle sockets: {err}"),
        }
    }
    // The refusals of the hogs past the limit settle.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let client = reqwest::Client::new();
    let answer = tokio::time::timeout(MARGIN, client.get(server.url("/healthz")).send()).await;
    let status = answer.expect("/healthz answers (200, or 503 with Retry-After), never hangs").map(|r| r.status());
    let status = status.expect("a response, not a broken connection");
    assert!(status == 200 || status == 503, "{status}");

    drop(hogs);
    let started = Instant::now();
    loop {
        let status = reqwest::Client::new().get(server.url("/healthz")).send().await.map(|r| r.status().as_u16()).ok();
        if status == Some(200) {
            break;
        }
        assert!(started.elapsed() < MARGIN, "not served after the idle sockets closed: {status:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Stopping the server closes the door to new connections but lets a request already being
/// received finish and get its answer.
#[tokio::test]
async fn stopping_finishes_the_request_in_flight() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().join("data").display().to_string();
    let args = ["--listen", "127.0.0.1:0", "--data-dir", &data_dir, "--password-hash-concurrency", "1"];
    let config = careerlog::Config::from_args(args).unwrap();
    let app = careerlog::Application::build(config).await.unwrap();
    let address = app.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));

    // A form post whose body is only half sent: the server is waiting for the rest.
    let mut stream = TcpStream::connect(address).await.unwrap();
    let body = "email=a%40example.com&password=x";
    let head = format!(
        "POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body.as_bytes()[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!server.is_finished(), "the server waits for the request in flight");
    assert!(TcpStream::connect(address).await.is_err(), "no new connections once stopping");

    stream.write_all(&body.as_bytes()[10..]).await.unwrap();
    let head = read_response(&mut stream).await;
    assert!(head.starts_with("HTTP/1.1 403"), "the request is answered (no CSRF token: 403): {head}");
    let finished = tokio::time::timeout(MARGIN, server).await.expect("the server stops once the request is answered");
    finished.unwrap().unwrap();
}
