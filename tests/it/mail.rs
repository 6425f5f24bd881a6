//! Mail transports: SMTP against a real SMTP listener on loopback, Postmark against a local HTTP
//! double that checks the request against Postmark's documented API, and the default mail files.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use careerlog::integrations::mail::{Mailer, OutgoingMail, PostmarkMailer};
use careerlog::secrets::Secret;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::on_both_databases;
use crate::support::{location, TestApp};

on_both_databases!(
    sign_up_mail_goes_out_through_smtp,
    sign_up_mail_goes_out_through_postmark,
    a_mail_provider_failure_still_creates_the_account_and_keeps_the_mail,
    mail_files_are_plain_seven_bit_text_with_whole_links,
);

/// One message as an SMTP server saw it.
#[derive(Debug, Clone)]
struct Received {
    mail_from: String,
    rcpt_to: Vec<String>,
    data: String,
}

/// A minimal SMTP server on loopback: enough of RFC 5321 for a client to deliver messages.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Arc::new(Mutex::new(Vec::new()));
    let shared = inbox.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let inbox = shared.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read);
                write.write_all(b"220 sink.test ESMTP ready\r\n").await.unwrap();
                let mut current = Received { mail_from: String::new(), rcpt_to: Vec::new(), data: String::new() };
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let command = line.trim_end().to_ascii_uppercase();
                    let reply: &[u8] = if command.starts_with("EHLO") {
                        b"250-sink.test\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n"
                    } else if command.starts_with("HELO") || command.starts_with("NOOP") || command.starts_with("RSET")
                    {
                        b"250 OK\r\n"
                    } else if command.starts_with("MAIL FROM:") {
                        current.mail_from = line.trim_end()[10..].to_owned();
                        b"250 OK\r\n"
                    } else if command.starts_with("RCPT TO:") {
                        current.rcpt_to.push(line.trim_end()[8..].to_owned());
                        b"250 OK\r\n"
                    } else if command == "DATA" {
                        write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await.unwrap();
                        let mut data = String::new();
                        loop {
                            line.clear();
                            lines.read_line(&mut line).await.unwrap();
                            if line == ".\r\n" {
                                break;
                            }
                            data.push_str(&line);
                        }
                        current.data = data;
                        inbox.lock().unwrap().push(current.clone());
                        b"250 OK queued\r\n"
                    } else if command == "QUIT" {
                        write.write_all(b"221 Bye\r\n").await.unwrap();
                        return;
                    } else {
                        b"502 Command not implemented\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, inbox)
}

async fn sign_up_mail_goes_out_through_smtp(app: TestApp) {
    let (port, inbox) = smtp_sink().await;
    let port = port.to_string();
    let app = TestApp::spawn_with(
        app.backend,
        &[
            "--mail-transport",
            "smtp",
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            &port,
            "--smtp-security",
            "none",
            "--mail-from",
            "Careerlog <hello@careerlog.test>",
        ],
    )
    .await
    .unwrap();
    let response = app.sign_up("ada@example.com", "maple orbit lantern quietly").await;
    assert_eq!(response.status(), 200);
    // The account is made and mailed after the answer.
    eventually(|| !inbox.lock().unwrap().is_empty()).await;
    let received = inbox.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].mail_from, "<hello@careerlog.test>");
    assert_eq!(received[0].rcpt_to, vec!["<ada@example.com>"]);
    let mail = crate::support::parse_mail(&received[0].data);
    assert_eq!(mail.subject, "Verify your email address");
    assert!(mail.to.contains("ada@example.com"));
    // The link in the SMTP-delivered mail verifies the account.
    assert_eq!(app.client.get(mail.link()).send().await.unwrap().status(), 303);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users WHERE email_verified_at IS NOT NULL").await, 1);
    assert!(app.mails().is_empty(), "nothing went to the mail directory");
}

#[derive(Clone, Default)]
struct PostmarkDouble {
    requests: Arc<Mutex<Vec<(HeaderMap, serde_json::Value)>>>,
    fail: bool,
}

/// Answers like Postmark's `POST /email`, after checking the request is what its API documents.
async fn postmark_email(
    State(double): State<PostmarkDouble>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, Json<serde_json::Value>) {
    let json: serde_json::Value = match serde_json::from_str(&body) {
        Ok(json) => json,
        Err(_) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(serde_json::json!({"ErrorCode": 402, "Message": "Received invalid JSON input."})),
            )
        }
    };
    double.requests.lock().unwrap().push((headers.clone(), json.clone()));
    if headers.get("x-postmark-server-token").is_none() {
        return (
            StatusCode::UNAUTHORIZED,
            Json(
                serde_json::json!({"ErrorCode": 10, "Message": "No Account or Server API tokens were supplied in the HTTP headers."}),
            ),
        );
    }
    if double.fail {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(serde_json::json!({"ErrorCode": 300, "Message": "Invalid email request"})),
        );
    }
    (
        StatusCode::OK,
        Json(serde_json::json!({
            "To": json["To"], "SubmittedAt": "2026-11-23T10:00:00.0000000-05:00",
            "MessageID": "b7bc2f4a-e38e-4336-af7d-e6c392c2f817", "ErrorCode": 0, "Message": "OK"
        })),
    )
}

async fn postmark_double(fail: bool) -> (String, PostmarkDouble) {
    let double = PostmarkDouble { fail, ..PostmarkDouble::default() };
    let router = Router::new().route("/email", post(postmark_email)).with_state(double.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, double)
}

async fn sign_up_mail_goes_out_through_postmark(app: TestApp) {
    let (url, double) = postmark_double(false).await;
    let app = TestApp::spawn_with(
        app.backend,
        &[
            "--mail-transport",
            "postmark",
            "--postmark-token",
            "server-token-123",
            "--postmark-api-url",
            &url,
            "--mail-from",
            "Careerlog <hello@careerlog.test>",
        ],
    )
    .await
    .unwrap();
    let response = app.sign_up("ada@example.com", "maple orbit lantern quietly").await;
    assert_eq!(response.status(), 200);
    eventually(|| !double.requests.lock().unwrap().is_empty()).await;
    let requests = double.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1);
    let (headers, body) = &requests[0];
    assert_eq!(headers["x-postmark-server-token"], "server-token-123");
    assert_eq!(headers["accept"], "application/json");
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(body["From"], "Careerlog <hello@careerlog.test>");
    assert_eq!(body["To"], "ada@example.com");
    assert_eq!(body["Subject"], "Verify your email address");
    assert_eq!(body["MessageStream"], "outbound");
    let text = body["TextBody"].as_str().unwrap();
    let link = regex::Regex::new(r"https?://\S+").unwrap().find(text).unwrap().as_str().to_owned();
    assert_eq!(app.client.get(link).send().await.unwrap().status(), 303);
}

async fn a_mail_provider_failure_still_creates_the_account_and_keeps_the_mail(app: TestApp) {
    let (url, double) = postmark_double(true).await;
    let app = TestApp::spawn_with(
        app.backend,
        &["--mail-transport", "postmark", "--postmark-token", "t", "--postmark-api-url", &url],
    )
    .await
    .unwrap();
    let response = app.sign_up("ada@example.com", "maple orbit lantern quietly").await;
    assert_eq!(response.status(), 200);
    eventually(|| double.requests.lock().unwrap().len() == 1).await;
    // The account exists all the same: its owner signs in and is offered a new link. The mail
    // waits in the outbox, which keeps trying (see mail_outbox.rs), with Postmark's answer.
    assert_eq!(app.sign_in("ada@example.com", "maple orbit lantern quietly").await.status(), 303);
    let (_, home) = app.get_text("/").await;
    assert!(home.contains("Please verify your email address"));
    assert!(home.contains("Send a new link"), "the way to try again is right there");
    // (Once the first try is over: a mail being sent is not replaced.)
    let tried = "SELECT COUNT(*) FROM mail_outbox WHERE attempts = 1 AND claimed_until IS NULL";
    for _ in 0..100 {
        if app.scalar(tried).await == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let resent = app.submit("/", "/verify-email/resend", &[]).await;
    assert_eq!(location(&resent), "/?notice=verification_sent", "queued: on its way as far as anyone can tell");
    eventually(|| double.requests.lock().unwrap().len() == 2).await;
    // The new link's mail replaced the first one, whose link it retired: one mail waits, with
    // Postmark's answer.
    let waiting = "SELECT COUNT(*) FROM mail_outbox WHERE attempts = 1 AND last_error LIKE '%Invalid email request%'";
    for _ in 0..100 {
        if app.scalar(waiting).await == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(app.scalar(waiting).await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM mail_outbox").await, 1);

    // The mailer reports Postmark's refusal as an error naming Postmark's message.
    let mailer = PostmarkMailer::new(
        url.parse().unwrap(),
        Secret::new("t".into()),
        "outbound".into(),
        "a@b.test".parse().unwrap(),
    )
    .unwrap();
    let err = mailer
        .send(OutgoingMail { to: "x@example.com".into(), subject: "s".into(), text: "t".into() })
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("Invalid email request"));
}

async fn mail_files_are_plain_seven_bit_text_with_whole_links(app: TestApp) {
    app.sign_up("ada@example.com", "maple orbit lantern quietly").await;
    let mail = app.wait_for_mail("ada@example.com", "Verify").await;
    assert!(mail.raw.contains("Content-Transfer-Encoding: 7bit"));
    assert!(mail.raw.contains("Content-Type: text/plain; charset=utf-8"));
    let link = mail.link();
    assert!(mail.raw.contains(&format!("\r\n{link}\r\n")), "the link stands whole on its own line");
    assert!(!mail.raw.contains("<html"), "plain text only");
    let files: Vec<_> = std::fs::read_dir(app.mail_dir()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(files.iter().all(|f| f.to_string_lossy().ends_with(".eml")), "{files:?}");
}

/// Wait up to 10 s for something done after a response (mail is sent in the background).
async fn eventually(done: impl Fn() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("it never happened");
}
