//! Issue 17, item 5: several instances. Two real `careerlog serve` processes on one PostgreSQL
//! database and one S3 bucket (moto), as behind a load balancer: a person signs up through
//! one and works through the other with the same cookie, tokens and rate limits count on both,
//! a file stored by one is served by the other, an administrator's switch flipped on one holds
//! on the other, and housekeeping runs on one of them. And an instance started with another
//! secret key than the database was first used with is refused, on both databases.

use std::time::Duration;

use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

use crate::files::MotoServer;
use crate::support::{
    browser, create_user_with_cli, csrf_token_in, fresh_postgres_database, location, submit_with, ServerProcess,
    ServerSettings, TestApp,
};
use crate::uploads::png;

/// The deployment's key, given to every instance.
const SECRET_KEY: &str = "3c0f6a1e9b2d4c8f7a6e5d4c3b2a1908f7e6d5c4b3a29180f1e2d3c4b5a69788";
const METRICS_TOKEN: &str = "metrics-token-for-two-instances-41d2";
const BUCKET: &str = "careerlog-instances";
const PASSWORD: &str = "maple orbit lantern quietly";

/// Two instances, A and B, started side by side (so their migrations and their first
/// housekeeping passes race, as they would in a rolling start).
struct Deployment {
    a: ServerProcess,
    b: ServerProcess,
    settings: ServerSettings,
    _moto: MotoServer,
}

async fn two_instances() -> Option<Deployment> {
    let database_url = fresh_postgres_database().await?;
    let moto = MotoServer::start().await?;
    moto.create_bucket(BUCKET).await;
    let mut args = moto.careerlog_args(BUCKET);
    // One public address for both, as behind a proxy: links in mail name it, not an instance.
    args.extend(["--base-url", "http://127.0.0.1:9", "--metrics-token", METRICS_TOKEN].map(String::from));
    let settings = ServerSettings {
        database_url: Some(database_url),
        secret_key: Some(SECRET_KEY.to_owned()),
        args,
        // Housekeeping says at debug level when it skips a pass for another instance's lease.
        env: vec![("CAREERLOG_LOG".into(), "info,careerlog::housekeeping=debug".into())],
        ..ServerSettings::default()
    };
    let (a, b) = tokio::join!(ServerProcess::start(&settings), ServerProcess::start(&settings));
    Some(Deployment { a, b, settings, _moto: moto })
}

#[tokio::test]
async fn two_instances_on_one_database_and_one_bucket_serve_one_person_as_one_site() {
    let Some(site) = two_instances().await else { return };
    let (a, b) = (&site.a.address, &site.b.address);
    let ada = browser();

    // Sign up with the form from A posted to B (the anonymous CSRF cookie is A's), open the
    // verification link on A, sign in on B.
    let fields = [("email", "ada@example.com"), ("password", PASSWORD)];
    let signed_up = submit_across(&ada, a, "/signup", b, "/signup", &fields).await;
    assert_eq!(signed_up.status(), 200, "a sign-up started on A is taken by B");
    assert!(signed_up.text().await.unwrap().contains("Check your inbox"));
    let mail = wait_for_mail_in(&[&site.a, &site.b], "ada@example.com", "Verify").await;
    let link = mail.link().replace("http://127.0.0.1:9", a);
    assert_eq!(ada.get(link).send().await.unwrap().status(), 303, "B's link verifies on A");
    let signed_in = submit_with(&ada, b, "/login", "/login", &fields).await;
    assert_eq!(signed_in.status(), 303, "ada signs in through B");

    // The session cookie B set works on A; a form from A's page posts to B with A's token.
    assert_eq!(ada.get(format!("{a}/settings")).send().await.unwrap().status(), 200, "signed in on A too");
    let fields_typed = [("company", "Initech"), ("role", "Platform engineer")];
    let created = submit_across(&ada, a, "/opportunities/new", b, "/opportunities", &fields_typed).await;
    assert_eq!(created.status(), 303, "B takes the form A served");
    let show = location(&created);
    let id = show.trim_start_matches("/opportunities/").to_owned();
    let edited =
        submit_with(&ada, b, &format!("{show}/edit"), &show, &[("company", "Initech"), ("role", "Staff engineer")])
            .await;
    assert_eq!(edited.status(), 303, "edited through B");
    let shown = ada.get(format!("{a}{show}")).send().await.unwrap().text().await.unwrap();
    assert!(shown.contains("Staff engineer"), "A shows what B saved");

    // A token made on A works on B.
    let made = submit_with(&ada, a, "/settings/tokens", "/settings/tokens", &[("name", "laptop")]).await;
    let html = made.text().await.unwrap();
    let api_token = regex::Regex::new(r"(clg_[A-Za-z0-9_-]{43})").unwrap().captures(&html).unwrap()[1].to_owned();
    let api = reqwest::Client::new();
    let me: Value =
        api.get(format!("{b}/api/v1/me")).bearer_auth(&api_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["email"], "ada@example.com", "B knows A's token");
    let read: Value = api
        .get(format!("{b}/api/v1/opportunities/{id}"))
        .bearer_auth(&api_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["role"], "Staff engineer");

    // A photo stored through A (in the bucket) is served by B.
    let entry: Value = api
        .post(format!("{a}/api/v1/journal"))
        .bearer_auth(&api_token)
        .json(&json!({"title": "Demo day", "entry_date": "2026-11-21", "body": "Slides below."}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = entry["id"].as_str().unwrap();
    let form =
        Form::new().text("alt_text", "Title slide").part("image", Part::bytes(png(120, 80, false)).file_name("s.png"));
    let uploaded = api
        .post(format!("{a}/api/v1/journal/{entry}/images"))
        .bearer_auth(&api_token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 201);
    let image: Value = uploaded.json().await.unwrap();
    let url = image["url"].as_str().unwrap().to_owned();
    let from_a = ada.get(format!("{a}{url}")).send().await.unwrap();
    assert_eq!(from_a.status(), 200);
    let from_a = from_a.bytes().await.unwrap();
    let from_b = ada.get(format!("{b}{url}")).send().await.unwrap();
    assert_eq!(from_b.status(), 200, "B serves the file A stored");
    assert_eq!(from_b.bytes().await.unwrap(), from_a);
    assert!(site.a.data_dir.join("uploads").read_dir().map_or(true, |mut d| d.next().is_none()), "not on A's disk");

    // An administrator closes sign-ups on A; B refuses a sign-up.
    create_user_with_cli(&site.settings.storage_args(&site.a.data_dir), "root@example.com", PASSWORD, true);
    let admin = browser();
    let admin_fields = [("email", "root@example.com"), ("password", PASSWORD)];
    assert_eq!(submit_with(&admin, a, "/login", "/login", &admin_fields).await.status(), 303);
    let closed = submit_with(&admin, a, "/admin", "/admin/signups", &[("signups", "closed")]).await;
    assert_eq!(closed.status(), 303);
    let visitor = browser();
    let form = visitor.get(format!("{b}/signup")).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("Sign-ups are closed"), "B knows at once");
    let refused =
        submit_with(&visitor, b, "/login", "/signup", &[("email", "new@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(refused.status(), 403, "B refuses the sign-up");

    // Failed sign-ins count on both: five through A and five through B use up the account's ten.
    for (i, instance) in [a, b].into_iter().cycle().take(10).enumerate() {
        let guess = submit_with(
            &browser(),
            instance,
            "/login",
            "/login",
            &[("email", "ada@example.com"), ("password", "a wrong password")],
        )
        .await;
        assert_eq!(guess.status(), 401, "guess {i}");
    }
    for instance in [a, b] {
        let locked = submit_with(&browser(), instance, "/login", "/login", &fields).await;
        assert_eq!(locked.status(), 429, "even the right password waits, on {instance}");
        assert!(locked.text().await.unwrap().contains("Too many failed sign-ins for this account"));
    }

    // Housekeeping: both instances woke at start; one took the lease and ran the pass, the
    // other saw the lease and skipped it. Were the lease broken, both would have run it.
    let runs = |instance: &ServerProcess| {
        let instance = instance.address.clone();
        async move {
            let metrics = reqwest::Client::new()
                .get(format!("{instance}/metrics"))
                .bearer_auth(METRICS_TOKEN)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            metrics
                .lines()
                .filter(|l| l.starts_with(r#"careerlog_job_runs_total{job="housekeeping""#))
                .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
                .sum::<u64>()
        }
    };
    let passes_done =
        |instance: &ServerProcess, message: &str| instance.log_lines().iter().filter(|l| l.contains(message)).count();
    let (runs_a, runs_b) = (runs(&site.a).await, runs(&site.b).await);
    assert_eq!(runs_a + runs_b, 1, "one housekeeping pass between them: A ran {runs_a}, B ran {runs_b}");
    let (done_a, done_b) = (passes_done(&site.a, "housekeeping done"), passes_done(&site.b, "housekeeping done"));
    let (skipped_a, skipped_b) =
        (passes_done(&site.a, "housekeeping skipped"), passes_done(&site.b, "housekeeping skipped"));
    assert_eq!((done_a + done_b, skipped_a + skipped_b), (1, 1), "one ran, the other skipped");
    let holders: Vec<String> = {
        let pool = sqlx::AnyPool::connect(site.settings.database_url.as_deref().unwrap()).await.unwrap();
        let holders = sqlx::query_scalar("SELECT holder FROM job_leases WHERE name = 'housekeeping'")
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        holders
    };
    assert_eq!(holders.len(), 1, "one lease, held by the instance that ran");

    // A third instance given no key is refused at start (rather than making a key of its own
    // that the database does not know), and says why; the others are untouched.
    let own_key = ServerSettings { secret_key: None, ..site.settings.clone() };
    let refused = ServerProcess::try_start(&own_key).await.err().expect("an instance without the key is refused");
    assert!(refused.contains("a secret key this instance does not have"), "{refused}");
    assert!(refused.contains("CAREERLOG_SECRET_KEY"), "it says what to set: {refused}");
    assert!(!refused.contains(SECRET_KEY), "and never prints a key");
    assert_eq!(ada.get(format!("{b}/settings")).send().await.unwrap().status(), 200);
}

/// Open `page` on the instance at `from`, and post its form with its CSRF token to the instance
/// at `to`: what a load balancer does to a person whose requests land on different instances.
async fn submit_across(
    client: &reqwest::Client,
    from: &str,
    page: &str,
    to: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let html = client.get(format!("{from}{page}")).send().await.unwrap().text().await.unwrap();
    let token = csrf_token_in(&html).unwrap_or_else(|| panic!("no CSRF token on {page}"));
    let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
    form.extend_from_slice(fields);
    client.post(format!("{to}{action}")).form(&form).send().await.unwrap()
}

/// Mail is written by the instance that sent it, into its own data directory.
fn mails_to(instances: &[&ServerProcess], to: &str) -> Vec<crate::support::Mail> {
    instances.iter().flat_map(|i| i.mails()).filter(|m| m.to.contains(to)).collect()
}

async fn wait_for_mail_in(instances: &[&ServerProcess], to: &str, subject: &str) -> crate::support::Mail {
    for _ in 0..200 {
        if let Some(mail) = mails_to(instances, to).into_iter().find(|m| m.subject.contains(subject)) {
            return mail;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no mail to {to} about {subject:?}");
}

/// A deployment whose second instance has another key fails loudly at start, instead of
/// serving forms the first refuses and counting rate limits apart. Replacing the key on purpose
/// takes `careerlog admin forget-key-fingerprint`.
async fn an_instance_with_another_key_than_the_databases_is_refused(app: TestApp) {
    let another = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let with_key = |key: &str| {
        let mut args = vec!["--listen".to_owned(), "127.0.0.1:0".to_owned(), "--secret-key".to_owned(), key.to_owned()];
        args.extend(app.storage_args());
        careerlog::Config::from_args(args).unwrap()
    };
    let refused = careerlog::Application::build(with_key(another)).await.err().expect("another key is refused");
    let message = format!("{refused:#}");
    assert!(message.contains("this database was first used with another secret key"), "{message}");
    assert!(message.contains("careerlog admin forget-key-fingerprint"), "{message}");
    assert!(!message.contains(another), "the key is never printed");

    let forgot = std::process::Command::new(env!("CARGO_BIN_EXE_careerlog"))
        .args(["admin", "forget-key-fingerprint"])
        .args(app.storage_args())
        .env_remove("CAREERLOG_DATABASE_URL")
        .output()
        .unwrap();
    assert!(forgot.status.success(), "{}", String::from_utf8_lossy(&forgot.stderr));
    let replaced = careerlog::Application::build(with_key(another)).await.expect("a key replaced on purpose");
    drop(replaced);
    // Now the new key is the database's, and the old one is refused in turn.
    let old = std::fs::read_to_string(app.data_dir.join("secret.key")).unwrap();
    assert!(careerlog::Application::build(with_key(old.trim())).await.is_err());
}

crate::on_both_databases!(an_instance_with_another_key_than_the_databases_is_refused);
