//! The mail outbox (issue 17, item 3): every mail is queued in the transaction of what caused
//! it and sent by a background worker that tries again while the provider is down, survives a
//! restart, and shows administrators the mail that keeps failing. The provider here is a real
//! SMTP listener on loopback that can be "down" (it refuses every recipient with a 451, naming
//! the address as real servers do) or "up".

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use careerlog::app::Overrides;
use careerlog::clock::{AdjustableClock, Clock};
use careerlog::domain::{Email, Password};
use careerlog::integrations::mail::OutgoingMail;
use careerlog::services::{accounts, mail_outbox};
use careerlog::{Application, Config};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::support::{browser, fresh_postgres_database, location, read_mails, submit_with, Backend, TestApp};

crate::on_both_databases!(
    the_provider_down_for_a_while_then_back_every_mail_is_delivered_once,
    mail_that_keeps_failing_shows_to_administrators_who_retry_or_discard_it,
    mail_the_provider_refuses_for_good_is_given_up_at_once_and_never_tried_again,
    promise_19_a_visitors_ticket_deleted_with_the_account_takes_its_waiting_mail_with_it,
    a_mail_held_by_a_sender_that_died_goes_out_once_its_hold_runs_out,
    a_rolled_back_write_queues_no_mail_and_a_link_is_never_saved_without_its_mail,
    queued_mail_is_sealed_at_rest_and_its_errors_name_nobody,
);

crate::on_both_backends!(mail_queued_before_a_restart_goes_out_after_it);

const PASSWORD: &str = "maple orbit lantern quietly";

/// One message as the SMTP listener took it.
#[derive(Debug, Clone)]
struct Received {
    rcpt_to: String,
    subject: String,
    data: String,
}

/// An SMTP server on loopback whose availability the test switches.
#[derive(Clone)]
struct SmtpProvider {
    port: u16,
    up: Arc<AtomicBool>,
    inbox: Arc<Mutex<Vec<Received>>>,
    refusals: Arc<Mutex<u64>>,
}

impl SmtpProvider {
    async fn start(up: bool) -> SmtpProvider {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let provider = SmtpProvider {
            port: listener.local_addr().unwrap().port(),
            up: Arc::new(AtomicBool::new(up)),
            inbox: Arc::default(),
            refusals: Arc::default(),
        };
        let shared = provider.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let provider = shared.clone();
                tokio::spawn(async move { provider.converse(stream).await });
            }
        });
        provider
    }

    async fn converse(&self, stream: tokio::net::TcpStream) {
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read);
        let _ = write.write_all(b"220 provider.test ESMTP ready\r\n").await;
        let mut rcpt_to = String::new();
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let command = line.trim_end().to_ascii_uppercase();
            let reply: Vec<u8> = if command.starts_with("EHLO") {
                b"250-provider.test\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n".to_vec()
            } else if command.starts_with("HELO")
                || command.starts_with("NOOP")
                || command.starts_with("RSET")
                || command.starts_with("MAIL FROM:")
            {
                b"250 OK\r\n".to_vec()
            } else if command.starts_with("RCPT TO:") {
                rcpt_to = line.trim_end()[8..].trim_matches(['<', '>']).to_owned();
                if rcpt_to.starts_with("nobody@") {
                    // A mailbox that does not exist: refused for good, whatever the time.
                    *self.refusals.lock().unwrap() += 1;
                    format!("550 5.1.1 <{rcpt_to}>: no such user here\r\n").into_bytes()
                } else if self.up.load(Ordering::SeqCst) {
                    b"250 OK\r\n".to_vec()
                } else {
                    *self.refusals.lock().unwrap() += 1;
                    format!("451 4.3.0 <{rcpt_to}>: temporarily unavailable, try again later\r\n").into_bytes()
                }
            } else if command == "DATA" {
                let _ = write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(&line);
                }
                let subject = crate::support::parse_mail(&data).subject;
                self.inbox.lock().unwrap().push(Received { rcpt_to: rcpt_to.clone(), subject, data });
                b"250 OK queued\r\n".to_vec()
            } else if command == "QUIT" {
                let _ = write.write_all(b"221 Bye\r\n").await;
                return;
            } else {
                b"502 Command not implemented\r\n".to_vec()
            };
            if write.write_all(&reply).await.is_err() {
                return;
            }
        }
    }

    fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
    }

    fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }

    fn refusals(&self) -> u64 {
        *self.refusals.lock().unwrap()
    }

    /// The flags that send this app's mail here.
    fn args(&self) -> Vec<String> {
        ["--mail-transport", "smtp", "--smtp-host", "127.0.0.1", "--smtp-security", "none", "--smtp-port"]
            .iter()
            .map(|s| s.to_string())
            .chain([self.port.to_string()])
            .collect()
    }
}

async fn app_with(backend: Backend, provider: &SmtpProvider, extra: &[&str]) -> Option<TestApp> {
    let mut args = provider.args();
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    TestApp::spawn_with(backend, &args).await
}

/// A verified account made directly (its sign-up mail is not the story).
async fn account(app: &TestApp, email: &str, is_admin: bool) {
    let email = Email::parse(email).unwrap();
    let password = Password::parse_attempt(PASSWORD).unwrap();
    accounts::create_user_directly(&app.state.db, &app.state.hasher, &email, &password, is_admin, app.clock.now())
        .await
        .unwrap();
}

/// Wait up to 10 s for a query to answer `wanted`.
async fn wait_for(app: &TestApp, sql: &str, wanted: i64) {
    let mut last = 0;
    for _ in 0..200 {
        last = app.scalar(sql).await;
        if last == wanted {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{sql} answered {last}, not {wanted}");
}

/// Wait until no sender holds a mail (before moving the clock: a claim is timed by it).
async fn settle(app: &TestApp) {
    wait_for(app, "SELECT COUNT(*) FROM mail_outbox WHERE claimed_until IS NOT NULL", 0).await;
}

/// Wait up to 10 s for the provider to have taken `count` messages.
async fn wait_for_received(provider: &SmtpProvider, count: usize) -> Vec<Received> {
    for _ in 0..200 {
        if provider.received().len() >= count {
            return provider.received();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the provider took {:?}, not {count} messages", provider.received());
}

fn link_in(data: &str) -> String {
    let body = crate::support::parse_mail(data).body;
    regex::Regex::new(r"https?://\S+").unwrap().find(&body).expect("a link").as_str().to_owned()
}

async fn the_provider_down_for_a_while_then_back_every_mail_is_delivered_once(app: TestApp) {
    let provider = SmtpProvider::start(false).await;
    let Some(app) = app_with(app.backend, &provider, &["--metrics-token", "outbox-metrics"]).await else { return };
    account(&app, "grace@example.com", false).await;

    // While the provider is down, three people cause three mails: a sign-up's verification
    // link, a visitor's support ticket acknowledgement and a password reset.
    assert_eq!(app.sign_up("ada@example.com", PASSWORD).await.status(), 200);
    let visitor = browser();
    let ticket = submit_with(
        &visitor,
        &app.address,
        "/support",
        "/support",
        &[("email", "visitor@example.net"), ("subject", "Hello"), ("message", "Is anyone there?")],
    )
    .await;
    assert_eq!(ticket.status(), 200);
    let reset = browser();
    submit_with(&reset, &app.address, "/forgot-password", "/forgot-password", &[("email", "grace@example.com")]).await;
    // Each was tried at once and refused; each waits, none is lost, none given up.
    wait_for(&app, "SELECT COUNT(*) FROM mail_outbox WHERE attempts >= 1 AND claimed_until IS NULL", 3).await;
    assert!(provider.refusals() >= 3);
    assert!(provider.received().is_empty());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM mail_outbox WHERE given_up_at IS NOT NULL").await, 0);
    // Grace, having no mail, asks again: the new link retires the first, and its mail replaces
    // the first one waiting in the outbox (which would only bring a dead link).
    let first_reset = app.scalar_text("SELECT id FROM mail_outbox WHERE subject = 'Reset your password'").await;
    submit_with(&reset, &app.address, "/forgot-password", "/forgot-password", &[("email", "grace@example.com")]).await;
    let replaced =
        format!("SELECT COUNT(*) FROM mail_outbox WHERE subject = 'Reset your password' AND id <> '{first_reset}'");
    wait_for(&app, &replaced, 1).await;
    wait_for(&app, "SELECT COUNT(*) FROM mail_outbox WHERE attempts >= 1 AND claimed_until IS NULL", 3).await;

    // The outage lasts hours: each retry is refused again.
    for _ in 0..4 {
        settle(&app).await;
        app.clock.advance(Duration::from_secs(3600));
        let report = mail_outbox::send_due(&app.state).await.unwrap();
        assert_eq!(report.sent, 0, "{report:?}");
    }
    settle(&app).await;
    assert!(app.scalar("SELECT MIN(attempts) FROM mail_outbox").await >= 2);
    let metrics = app
        .new_browser()
        .get(app.url("/metrics"))
        .bearer_auth("outbox-metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("careerlog_mail_outbox_depth 3"), "{metrics}");
    assert!(metrics.contains("careerlog_mail_outbox_failed 0"));
    assert!(metrics.contains(r#"careerlog_job_runs_total{job="mail_delivery",outcome="failed"}"#));

    // The provider is back. The next retries find it: the background worker (woken) and a pass
    // started here race for the same mail, and each mail still goes once.
    provider.set_up(true);
    app.clock.advance(Duration::from_secs(3600));
    app.state.outbox.wake();
    let (first, second) = tokio::join!(mail_outbox::send_due(&app.state), mail_outbox::send_due(&app.state));
    first.unwrap();
    second.unwrap();
    wait_for(&app, "SELECT COUNT(*) FROM mail_outbox", 0).await;
    // Later passes find nothing more to send.
    app.clock.advance(Duration::from_secs(2 * 3600));
    assert_eq!(mail_outbox::send_due(&app.state).await.unwrap().sent, 0);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut delivered: Vec<(String, String)> =
        provider.received().into_iter().map(|m| (m.rcpt_to, m.subject)).collect();
    delivered.sort();
    assert_eq!(
        delivered,
        vec![
            ("ada@example.com".to_owned(), "Verify your email address".to_owned()),
            ("grace@example.com".to_owned(), "Reset your password".to_owned()),
            ("visitor@example.net".to_owned(), "We received your message".to_owned()),
        ],
        "every mail, each once"
    );
    // The late links still work where they have not expired by their own rules: the ticket's
    // private link never expires.
    let received = provider.received();
    let acknowledgement = received.iter().find(|m| m.rcpt_to == "visitor@example.net").unwrap();
    let page = visitor.get(link_in(&acknowledgement.data)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Is anyone there?"));
}

/// A second instance on the same storage: its own clock, its own mail transport.
async fn build(args: &[String], clock: &AdjustableClock) -> Application {
    let config = Config::from_args(args).expect("the configuration parses");
    let overrides = Overrides { clock: Some(Arc::new(clock.clone())), ..Overrides::default() };
    Application::build_with(config, overrides).await.expect("the app builds")
}

async fn mail_queued_before_a_restart_goes_out_after_it(backend: Backend) {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().join("data");
    let mut storage =
        vec!["--listen".to_owned(), "127.0.0.1:0".into(), "--data-dir".into(), data_dir.display().to_string()];
    if backend == Backend::Postgres {
        let Some(url) = fresh_postgres_database().await else { return };
        storage.extend(["--database-url".to_owned(), url]);
    }
    // The first run: the provider is down. A password reset is asked for; its mail is tried,
    // refused, and waits. Then the instance stops.
    let provider = SmtpProvider::start(false).await;
    let clock = AdjustableClock::default();
    let first = build(&[storage.clone(), provider.args()].concat(), &clock).await;
    let state = first.state().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(first.run_until(async move {
        let _ = stopped.await;
    }));
    let email = Email::parse("grace@example.com").unwrap();
    let password = Password::parse_attempt(PASSWORD).unwrap();
    accounts::create_user_directly(&state.db, &state.hasher, &email, &password, false, clock.now()).await.unwrap();
    assert_eq!(accounts::request_password_reset(&state, &email).await.unwrap(), accounts::MailOutcome::Queued);
    for _ in 0..200 {
        if provider.refusals() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(provider.refusals(), 1, "tried once, refused");
    let _ = stop.send(());
    running.await.unwrap().unwrap();
    // Links are written with the public address when the mail is queued; in the tests each run
    // has its own port.
    let first_base = state.base_url.as_str().trim_end_matches('/').to_owned();
    drop(state);

    // The second run, a while later, with mail written to files: the mail waiting in the
    // database goes out, once, and its link works.
    clock.advance(Duration::from_secs(60));
    let second = build(&storage, &clock).await;
    let address = format!("http://{}", second.local_addr());
    let state = second.state().clone();
    tokio::spawn(second.run_until(std::future::pending()));
    let mut mails = Vec::new();
    for _ in 0..200 {
        mails = read_mails(&data_dir.join("mail"));
        if !mails.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].to.contains("grace@example.com") && mails[0].subject == "Reset your password");
    let outbox: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox").fetch_one(state.db.pool()).await.unwrap();
    assert_eq!(outbox, 0);
    let form = reqwest::get(mails[0].link().replace(&first_base, &address)).await.unwrap();
    assert_eq!(form.status(), 200, "the reset link opens its form");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(read_mails(&data_dir.join("mail")).len(), 1, "sent once");
    assert_eq!(provider.received().len(), 0);
}

async fn mail_that_keeps_failing_shows_to_administrators_who_retry_or_discard_it(app: TestApp) {
    let provider = SmtpProvider::start(false).await;
    let Some(app) = app_with(app.backend, &provider, &["--metrics-token", "outbox-metrics"]).await else { return };
    account(&app, "root@example.com", true).await;
    account(&app, "ada@example.com", false).await;
    account(&app, "bob@example.com", false).await;
    let admin = app.browser_signed_in_as("root@example.com", PASSWORD).await;
    let get = |client: reqwest::Client, path: &'static str| {
        let url = app.url(path);
        async move {
            let response = client.get(url).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, page) = get(admin.clone(), "/admin/mail").await;
    assert_eq!(status, 200);
    assert!(page.contains("No mail is failing."));

    // Two password resets, while the provider is down for more than a day.
    for email in ["ada@example.com", "bob@example.com"] {
        submit_with(&browser(), &app.address, "/forgot-password", "/forgot-password", &[("email", email)]).await;
    }
    wait_for(&app, "SELECT COUNT(*) FROM mail_outbox WHERE attempts = 1 AND claimed_until IS NULL", 2).await;
    // Tried a few times: shown, with the next try.
    for _ in 0..2 {
        settle(&app).await;
        app.clock.advance(Duration::from_secs(3600));
        mail_outbox::send_due(&app.state).await.unwrap();
    }
    wait_for(&app, "SELECT COUNT(*) FROM mail_outbox WHERE attempts = 3 AND claimed_until IS NULL", 2).await;
    let (_, page) = get(admin.clone(), "/admin/mail").await;
    assert!(page.contains("a…@example.com") && page.contains("b…@example.com"), "{page}");
    assert!(page.contains("Reset your password"));
    assert!(page.contains("transient error (451): 4.3.0"), "the provider's answer: {page}");
    assert!(!page.contains("Given up"));
    // Nothing of the body, and not the whole address (not even in the error, where the
    // provider named it).
    assert!(!page.contains("ada@example.com") && !page.contains("reset-password") && !page.contains("token="));
    let (_, overview) = get(admin.clone(), "/admin").await;
    assert!(overview.contains("2 mails keep failing"), "{overview}");

    // After a day: given up, kept for the administrators, counted by /metrics.
    app.clock.advance(Duration::from_secs(24 * 3600));
    mail_outbox::send_due(&app.state).await.unwrap();
    wait_for(&app, "SELECT COUNT(*) FROM mail_outbox WHERE given_up_at IS NOT NULL AND claimed_until IS NULL", 2).await;
    app.clock.advance(Duration::from_secs(24 * 3600));
    mail_outbox::send_due(&app.state).await.unwrap();
    assert_eq!(app.scalar("SELECT MAX(attempts) FROM mail_outbox").await, 4, "given-up mail is not tried by itself");
    // Two days on, the administrator's session has ended: they sign in again.
    let admin = app.browser_signed_in_as("root@example.com", PASSWORD).await;
    let (_, page) = get(admin.clone(), "/admin/mail").await;
    assert_eq!(page.matches("Given up").count(), 2);
    let metrics = app
        .new_browser()
        .get(app.url("/metrics"))
        .bearer_auth("outbox-metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("careerlog_mail_outbox_depth 0") && metrics.contains("careerlog_mail_outbox_failed 2"));

    let failing = mail_outbox::failing(&app.state, 10).await.unwrap();
    let id_of = |to: &str| failing.iter().find(|m| m.to == to).expect("listed").id.clone();
    let (adas, bobs) = (id_of("a…@example.com"), id_of("b…@example.com"));
    assert!(
        page.contains(&format!("/admin/mail/{adas}/retry")) && page.contains(&format!("/admin/mail/{bobs}/discard"))
    );

    // Someone who is not an administrator: 404 for the page and both buttons; nothing changes.
    app.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(app.get_text("/admin/mail").await.0, 404);
    assert_eq!(crate::support::visitor_get(&app, "/admin/mail").await.0, 404);
    for action in [format!("/admin/mail/{adas}/retry"), format!("/admin/mail/{bobs}/discard")] {
        assert_eq!(app.submit("/settings", &action, &[]).await.status(), 404, "{action}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM mail_outbox WHERE given_up_at IS NOT NULL").await, 2);
    // Without the CSRF token, even the administrator is refused.
    let forged = admin.post(app.url(&format!("/admin/mail/{bobs}/discard"))).send().await.unwrap();
    assert_eq!(forged.status(), 403);

    // The provider is back: "Retry now" sends Ada's at once; "Discard" forgets Bob's.
    provider.set_up(true);
    let retried = submit_with(&admin, &app.address, "/admin/mail", &format!("/admin/mail/{adas}/retry"), &[]).await;
    assert_eq!(retried.status(), 303);
    assert_eq!(location(&retried), "/admin/mail?notice=mail_retried");
    let received = wait_for_received(&provider, 1).await;
    assert_eq!(received[0].rcpt_to, "ada@example.com");
    // While a sender holds it (it is going out this moment), it is not discarded: that would
    // not stop it.
    let held = app.clock.now().plus(Duration::from_secs(60));
    sqlx::query("UPDATE mail_outbox SET claimed_until = $1 WHERE id = $2")
        .bind(held)
        .bind(&bobs)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let refused = submit_with(&admin, &app.address, "/admin/mail", &format!("/admin/mail/{bobs}/discard"), &[]).await;
    assert_eq!(location(&refused), "/admin/mail?notice=mail_being_sent");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM mail_outbox").await, 1);
    let (_, page) = get(admin.clone(), "/admin/mail?notice=mail_being_sent").await;
    assert!(page.contains("being sent right now"), "{page}");
    sqlx::query("UPDATE mail_outbox SET claimed_until = NULL WHERE id = $1")
        .bind(&bobs)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let discarded = submit_with(&admin, &app.address, "/admin/mail", &format!("/admin/mail/{bobs}/discard"), &[]).await;
    assert_eq!(location(&discarded), "/admin/mail?notice=mail_discarded");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM mail_outbox").await, 0);
    app.clock.advance(Duration::from_secs(3600));
    mail_outbox::send_due(&app.state).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(provider.received().len(), 1, "Bob's discarded mail never went");
    // A button for a mail that is gone: 404.
    let gone = submit_with(&admin, &app.address, "/admin/mail", &format!("/admin/mail/{bobs}/retry"), &[]).await;
    assert_eq!(gone.status(), 404);
    let (_, page) = get(admin.clone(), "/admin/mail?notice=mail_discarded").await;
    assert!(page.contains("No mail is failing.") && page.contains("The mail was discarded"));
}

async fn a_rolled_back_write_queues_no_mail_and_a_link_is_never_saved_without_its_mail(app: TestApp) {
    let mail = |to: &str| OutgoingMail { to: to.into(), subject: "Hello".into(), text: "Hello.\n".into() };
    // A write that fails after its mail was queued: both are undone together.
    {
        let mut tx = app.state.db.begin_write().await.unwrap();
        mail_outbox::enqueue(&app.state, &mut tx, None, mail("rolled@example.com")).await.unwrap();
        let broken = sqlx::query("INSERT INTO no_such_table VALUES (1)").execute(&mut *tx).await;
        assert!(broken.is_err());
        drop(tx);
    }
    app.state.outbox.wake();
    // The same with a commit: sent.
    let mut tx = app.state.db.begin_write().await.unwrap();
    mail_outbox::enqueue(&app.state, &mut tx, None, mail("committed@example.com")).await.unwrap();
    tx.commit().await.unwrap();
    app.state.outbox.wake();
    app.wait_for_mail("committed@example.com", "Hello").await;
    mail_outbox::send_due(&app.state).await.unwrap();
    assert_eq!(app.count_mails_to("rolled@example.com").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM mail_outbox").await, 0);

    // The other way round: when the mail cannot be queued, the reset link is not saved either
    // (a link nobody is told of would only wait to be guessed).
    account(&app, "grace@example.com", false).await;
    let refuse = match app.backend {
        Backend::Sqlite => {
            "CREATE TRIGGER refuse_mail BEFORE INSERT ON mail_outbox BEGIN SELECT RAISE(ABORT, 'outbox refused'); END"
        }
        Backend::Postgres => {
            "CREATE FUNCTION refuse_mail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'outbox refused'; END $$ LANGUAGE plpgsql;
             CREATE TRIGGER refuse_mail BEFORE INSERT ON mail_outbox FOR EACH ROW EXECUTE FUNCTION refuse_mail();"
        }
    };
    sqlx::raw_sql(refuse).execute(app.state.db.pool()).await.unwrap();
    let email = Email::parse("grace@example.com").unwrap();
    assert!(accounts::request_password_reset(&app.state, &email).await.is_err());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM password_resets").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM mail_outbox").await, 0);
}

async fn queued_mail_is_sealed_at_rest_and_its_errors_name_nobody(app: TestApp) {
    let provider = SmtpProvider::start(false).await;
    let Some(app) = app_with(app.backend, &provider, &[]).await else { return };
    account(&app, "grace@example.com", false).await;
    submit_with(&browser(), &app.address, "/forgot-password", "/forgot-password", &[("email", "grace@example.com")])
        .await;
    wait_for(&app, "SELECT COUNT(*) FROM mail_outbox WHERE attempts = 1 AND claimed_until IS NULL", 1).await;
    // Everything the row holds as text, read raw.
    let row: (String, String, String, String) =
        sqlx::query_as("SELECT id, subject, sealed, last_error FROM mail_outbox")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    let raw = format!("{} {} {} {}", row.0, row.1, row.2, row.3);
    assert_eq!(row.1, "Reset your password", "the subject, one of ours, is in clear");
    assert!(
        row.3.contains("451") && row.3.contains("<recipient>"),
        "the provider's answer, address taken out: {}",
        row.3
    );
    for secret in ["grace@example.com", "reset-password", "token=", &app.base_url] {
        assert!(!raw.contains(secret), "{secret:?} is in the outbox in clear");
    }

    // Once delivered, the link's token was never in the table.
    provider.set_up(true);
    app.clock.advance(Duration::from_secs(3600));
    app.state.outbox.wake();
    let received = wait_for_received(&provider, 1).await;
    let link = link_in(&received[0].data);
    let token = link.split("token=").nth(1).unwrap();
    assert!(!raw.contains(token));
    assert!(!row.2.contains(&token[..12]));
    wait_for(&app, "SELECT COUNT(*) FROM mail_outbox", 0).await;
}

/// A 5xx reply (the mailbox does not exist) would come again on every try: the mail is given up
/// at once, shown to administrators with the provider's answer, and not tried again as the days
/// pass; other mail goes on as usual.
async fn mail_the_provider_refuses_for_good_is_given_up_at_once_and_never_tried_again(app: TestApp) {
    let provider = SmtpProvider::start(true).await;
    let Some(app) = app_with(app.backend, &provider, &[]).await else { return };
    account(&app, "root@example.com", true).await;
    account(&app, "nobody@example.com", false).await;
    account(&app, "ada@example.com", false).await;
    for email in ["nobody@example.com", "ada@example.com"] {
        submit_with(&browser(), &app.address, "/forgot-password", "/forgot-password", &[("email", email)]).await;
    }
    wait_for_received(&provider, 1).await;
    wait_for(&app, "SELECT COUNT(*) FROM mail_outbox WHERE given_up_at IS NOT NULL AND claimed_until IS NULL", 1).await;
    wait_for(&app, "SELECT COUNT(*) FROM mail_outbox", 1).await;
    assert_eq!(app.scalar("SELECT MAX(attempts) FROM mail_outbox").await, 1, "tried once");
    for _ in 0..3 {
        settle(&app).await;
        app.clock.advance(Duration::from_secs(3 * 3600));
        mail_outbox::send_due(&app.state).await.unwrap();
    }
    assert_eq!(provider.refusals(), 1, "never tried again");
    assert_eq!(provider.received().len(), 1);
    let admin = app.browser_signed_in_as("root@example.com", PASSWORD).await;
    let page = admin.get(app.url("/admin/mail")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Given up") && page.contains("550"), "{page}");
    assert!(!page.contains("nobody@example.com"), "the address is shown partly only");
}

/// Promise 19: deleting an account deletes what was written from its address as a visitor, and
/// the mail still waiting about it (the provider is down) goes too: once the provider is back,
/// the address gets only the mail saying the account was deleted.
async fn promise_19_a_visitors_ticket_deleted_with_the_account_takes_its_waiting_mail_with_it(app: TestApp) {
    let provider = SmtpProvider::start(false).await;
    let Some(app) = app_with(app.backend, &provider, &[]).await else { return };
    account(&app, "ada@example.com", false).await;
    let fields = [
        ("email", "ada@example.com"),
        ("category", "question"),
        ("subject", "Before I signed in"),
        ("message", "Hello?"),
    ];
    let response = submit_with(&browser(), &app.address, "/support", "/support", &fields).await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM mail_outbox WHERE ticket_id IS NOT NULL").await, 1);
    settle(&app).await;

    let user: String = app.scalar_text("SELECT id FROM users WHERE email = 'ada@example.com'").await;
    careerlog::services::account_deletion::delete_account(&app.state, &careerlog::domain::UserId::from(user))
        .await
        .unwrap();
    assert_eq!(app.scalar("SELECT COUNT(*) FROM support_tickets").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM mail_outbox WHERE ticket_id IS NOT NULL").await, 0);
    // What is left (the mail saying the account was deleted) is tried once while the provider is
    // down, so no sender holds it when the clock moves on (a hold taken before the clock jumps
    // would look run out, and the mail would go twice).
    wait_for(&app, "SELECT COUNT(*) FROM mail_outbox WHERE attempts = 0 OR claimed_until IS NOT NULL", 0).await;

    provider.set_up(true);
    settle(&app).await;
    app.clock.advance(Duration::from_secs(3600));
    // This pass, or the app's own sender meanwhile, sends what is left.
    mail_outbox::send_due(&app.state).await.unwrap();
    wait_for_received(&provider, 1).await;
    wait_for(&app, "SELECT COUNT(*) FROM mail_outbox", 0).await;
    mail_outbox::send_due(&app.state).await.unwrap();
    let to_ada: Vec<String> =
        provider.received().into_iter().filter(|m| m.rcpt_to == "ada@example.com").map(|m| m.subject).collect();
    assert_eq!(to_ada.len(), 1, "{to_ada:?}");
    assert!(!to_ada[0].contains("We received your message"), "{to_ada:?}");
}

/// A sender that took a mail and died before it was through (its process killed): the mail is
/// left alone while that sender's hold lasts (it might still be sending), then sent once by
/// another.
async fn a_mail_held_by_a_sender_that_died_goes_out_once_its_hold_runs_out(app: TestApp) {
    let provider = SmtpProvider::start(false).await;
    let Some(app) = app_with(app.backend, &provider, &[]).await else { return };
    account(&app, "ada@example.com", false).await;
    submit_with(&browser(), &app.address, "/forgot-password", "/forgot-password", &[("email", "ada@example.com")])
        .await;
    wait_for(&app, "SELECT COUNT(*) FROM mail_outbox WHERE attempts = 1 AND claimed_until IS NULL", 1).await;
    provider.set_up(true);
    // Another instance takes it, due now, and dies holding it.
    let now = app.clock.now();
    sqlx::query("UPDATE mail_outbox SET claimed_until = $1, next_attempt_at = $2, attempts = 2")
        .bind(now.plus(mail_outbox::CLAIM_FOR))
        .bind(now)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let report = mail_outbox::send_due(&app.state).await.unwrap();
    assert_eq!(report.sent, 0, "{report:?}");
    assert!(provider.received().is_empty(), "not while the other sender's hold lasts");

    app.clock.advance(mail_outbox::CLAIM_FOR + Duration::from_secs(1));
    // This pass, or the app's own sender looking meanwhile, sends it.
    mail_outbox::send_due(&app.state).await.unwrap();
    assert_eq!(wait_for_received(&provider, 1).await.len(), 1);
    wait_for(&app, "SELECT COUNT(*) FROM mail_outbox", 0).await;
    app.clock.advance(mail_outbox::CLAIM_FOR * 2);
    mail_outbox::send_due(&app.state).await.unwrap();
    assert_eq!(provider.received().len(), 1, "sent once");
}
