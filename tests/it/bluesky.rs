//! Bluesky (issue 15) against a real PDS and PLC directory on loopback (tests/it/devnet.rs),
//! with the PDS's own sign-in and consent pages driven in headless Chromium: sign in with
//! Bluesky (a new account), link to an email account, share a journal entry (read back from the
//! PDS), publish the journal as standard.site records (read back), unlink (nothing left), and the
//! failure paths. Promises 11, 12 and 13.

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::Value;

use atrium_api::types::string::Did;
use atrium_common::store::Store;
use careerlog::clock::Clock;
use careerlog::domain::UserId;

use crate::browser::{click, fill, see, start_browser, PATIENCE};
use crate::devnet::{Devnet, DevnetAccount};
use crate::support::{Backend, TestApp};

crate::on_both_databases!(
    the_loopback_client_is_public_and_serves_no_keys,
    a_bluesky_sign_in_refuses_bad_input_and_private_addresses,
    an_account_made_with_bluesky_adds_a_password_and_an_address_before_unlinking,
);

crate::on_both_backends!(
    a_bluesky_journey_against_a_real_pds,
    failed_bluesky_sign_ins_change_nothing,
    a_share_when_bluesky_is_down_or_the_grant_is_revoked,
);

/// The client metadata document at its own address (its `client_id`), and the keys.
async fn metadata_of(app: &TestApp) -> (Value, Value) {
    let metadata: Value = app.get("/oauth/bluesky/client-metadata.json").await.json().await.unwrap();
    let keys: Value = app.get("/oauth/bluesky/jwks.json").await.json().await.unwrap();
    (metadata, keys)
}

#[tokio::test]
async fn an_https_instance_is_a_confidential_client_with_a_signing_key() {
    let settings = ["--base-url", "https://careerlog.example", "--secret-key", SECRET_KEY];
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, &settings).await else { return };
    assert!(app.state.bluesky.is_some(), "an https instance can be a Bluesky client");
    let (metadata, keys) = metadata_of(&app).await;
    assert_eq!(metadata["client_id"], "https://careerlog.example/oauth/bluesky/client-metadata.json");
    assert_eq!(metadata["redirect_uris"], serde_json::json!(["https://careerlog.example/oauth/bluesky/callback"]));
    assert_eq!(metadata["token_endpoint_auth_method"], "private_key_jwt");
    assert_eq!(metadata["token_endpoint_auth_signing_alg"], "ES256");
    assert_eq!(metadata["jwks_uri"], "https://careerlog.example/oauth/bluesky/jwks.json");
    assert_eq!(metadata["dpop_bound_access_tokens"], true);
    assert_eq!(metadata["grant_types"], serde_json::json!(["authorization_code", "refresh_token"]));
    // Only what the actions need: never the feed, notifications or messages (no
    // transition:generic, no chat).
    let scope = metadata["scope"].as_str().unwrap();
    assert!(scope.split(' ').any(|s| s == "atproto"));
    assert!(!scope.contains("transition:") && !scope.contains("chat") && !scope.contains("rpc:"), "{scope}");
    let keys = keys["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!((keys[0]["kty"].as_str(), keys[0]["crv"].as_str()), (Some("EC"), Some("P-256")));
    assert!(keys[0]["kid"].as_str().is_some_and(|k| !k.is_empty()));
    assert!(keys[0].get("d").is_none(), "the private part is never served");
    // The same secret key gives every instance of a deployment the same client key.
    let Some(twin) = TestApp::spawn_with(Backend::Sqlite, &settings).await else { return };
    assert_eq!(metadata_of(&twin).await.1["keys"][0], keys[0]);
}

const SECRET_KEY: &str = "6b1f0e2d3c4b5a69788796a5b4c3d2e1f0112233445566778899aabbccddeeff";

async fn the_loopback_client_is_public_and_serves_no_keys(app: TestApp) {
    let (metadata, keys) = metadata_of(&app).await;
    assert_eq!(metadata["token_endpoint_auth_method"], "none");
    assert!(metadata.get("jwks_uri").is_none());
    assert_eq!(keys["keys"], serde_json::json!([]));
    assert!(app.state.bluesky.is_some(), "http://127.0.0.1 is the loopback development client");
}

async fn a_bluesky_sign_in_refuses_bad_input_and_private_addresses(app: TestApp) {
    let _ = app;
    // Without --bluesky-dev-network, a resolver on a private address is never called.
    let Some(app) = TestApp::spawn_with(
        app_backend(&app),
        &["--bluesky-handle-resolver-url", "http://127.0.0.1:9/", "--bluesky-plc-url", "http://10.0.0.1/"],
    )
    .await
    else {
        return;
    };
    for (typed, message) in [
        ("", "Enter your Bluesky handle"),
        ("not a handle", "That is not a Bluesky handle"),
        ("http://pds.example", "must start with https://"),
        ("did:key:z6Mk", "That DID is not valid"),
        ("alice.test", "We could not find that Bluesky account"),
    ] {
        let response = app.submit("/login", "/login/bluesky", &[("handle", typed), ("next", "")]).await;
        assert_eq!(response.status(), 422, "{typed}");
        let page = response.text().await.unwrap();
        assert!(page.contains(message), "{typed}: {message}");
        assert!(page.contains(&format!("value=\"{typed}\"")), "what was typed is kept: {typed}");
    }
    let huge = "a".repeat(100_000);
    let response = app.submit("/login", "/login/bluesky", &[("handle", huge.as_str())]).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("longer than any handle"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM oauth_requests").await, 0, "nothing was started");
}

fn app_backend(app: &TestApp) -> Backend {
    app.backend
}

/// An account made by signing in with Bluesky has no address and no password: it cannot unlink
/// its only way in, until it adds both.
async fn an_account_made_with_bluesky_adds_a_password_and_an_address_before_unlinking(app: TestApp) {
    let pool = app.state.db.pool();
    let user = careerlog::db::accounts::insert_user_without_email(pool, app.clock.now()).await.unwrap();
    let link = careerlog::db::bluesky::NewLink {
        did: "did:plc:onlywayin",
        user_id: &user,
        handle: "solo.test",
        pds_url: "https://pds.example",
        avatar_url: None,
    };
    careerlog::db::bluesky::insert_account(pool, &link, app.clock.now()).await.unwrap();
    let cookie = careerlog::web::session::start_session(&app.state, &user).await.unwrap();
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let pair = cookie.to_str().unwrap().split(';').next().unwrap().to_owned();
    jar.add_cookie_str(&pair, &app.address.parse().unwrap());
    let browser =
        reqwest::Client::builder().cookie_provider(jar).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let submit = |action: &'static str, fields: Vec<(&'static str, String)>| {
        let browser = browser.clone();
        let address = app.address.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            crate::support::submit_with(&browser, &address, "/settings/connections", action, &fields).await
        }
    };

    let refused = submit("/settings/connections/bluesky/unlink", vec![]).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("Bluesky is the only way to sign in"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM bluesky_accounts").await, 1);

    // A password needs no current one when there is none; then a new address, confirmed by mail.
    let set = submit("/settings/password", vec![("new_password", "maple orbit lantern quietly".into())]).await;
    assert_eq!(set.status(), 303);
    let asked = submit(
        "/settings/email",
        vec![("email_password", "maple orbit lantern quietly".into()), ("new_email", "solo@example.com".into())],
    )
    .await;
    assert_eq!(asked.status(), 303);
    let link = app.wait_for_mail("solo@example.com", "").await.link();
    let confirmed = browser.get(&link).send().await.unwrap();
    assert!(confirmed.status().is_redirection() || confirmed.status().is_success());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users WHERE email = 'solo@example.com'").await, 1);

    // Now Bluesky may go: everything of it is deleted, and the page says the grant could not be
    // revoked at a server that does not exist.
    let unlinked = submit("/settings/connections/bluesky/unlink", vec![]).await;
    assert_eq!(unlinked.status(), 303);
    assert!(crate::support::location(&unlinked).contains("bluesky_unlinked"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM bluesky_accounts").await, 0);
}

/// An app that treats the dev network as Bluesky: its PLC directory, handles resolved by its
/// PDS, loopback addresses allowed.
async fn app_on(backend: Backend, devnet: &Devnet, extra: &[&str]) -> Option<TestApp> {
    let mut args = vec![
        "--bluesky-plc-url",
        devnet.plc_url.as_str(),
        "--bluesky-handle-resolver-url",
        devnet.pds_url.as_str(),
        "--bluesky-dev-network",
    ];
    args.extend_from_slice(extra);
    TestApp::spawn_with(backend, &args).await
}

type Step = Result<(), fantoccini::error::CmdError>;
use crate::browser::finish;

/// On the PDS's pages: sign in as `account` and press "Authorize".
async fn consent_at_the_pds(browser: &Client, account: &DevnetAccount) -> Step {
    fill(browser, "input[autocomplete=current-password]", &account.password).await?;
    click(browser, "button[type=submit]").await?;
    press(browser, "Authorize").await
}

/// Click the button whose text is `label` (the PDS's pages have no stable ids).
async fn press(browser: &Client, label: &str) -> Step {
    let xpath = format!("//button[normalize-space()='{label}']");
    browser.wait().at_most(PATIENCE).for_element(Locator::XPath(&xpath)).await?.click().await
}

/// Start "Sign in with Bluesky" on the app's sign-in page.
async fn start_bluesky_sign_in(app: &TestApp, browser: &Client, handle: &str) -> Step {
    browser.goto(&app.url("/login")).await?;
    fill(browser, "form[action='/login/bluesky'] #handle", handle).await?;
    click(browser, "form[action='/login/bluesky'] button[type=submit]").await?;
    at_the_pds(browser).await
}

/// Wait until the browser is on the PDS's sign-in page (the app's own sign-in page has a
/// password field too, so the address tells them apart).
async fn at_the_pds(browser: &Client) -> Step {
    for _ in 0..300 {
        let url = browser.current_url().await?;
        if url.host_str() == Some("localhost") && url.path().starts_with("/oauth/authorize") {
            browser.wait().at_most(PATIENCE).for_element(Locator::Css("input[autocomplete=current-password]")).await?;
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the browser never reached the PDS's sign-in page: {}", browser.current_url().await?);
}

async fn json(url: &str) -> Value {
    let response = reqwest::get(url).await.expect("the PDS answers");
    assert!(response.status().is_success(), "{url}: {}", response.status());
    response.json().await.unwrap()
}

/// The records of a collection in a repository, read from the PDS as anyone can.
async fn records(devnet: &Devnet, did: &str, collection: &str) -> Vec<Value> {
    let url = format!("{}/xrpc/com.atproto.repo.listRecords?repo={did}&collection={collection}", devnet.pds_url);
    json(&url).await["records"].as_array().cloned().unwrap_or_default()
}

/// The OAuth session the app keeps for `did`, opened with the app's own key.
async fn stored_session(app: &TestApp, did: &str) -> atrium_oauth::store::session::Session {
    let did: Did = did.parse().unwrap();
    app.state.bluesky.as_ref().unwrap().sessions.get(&did).await.unwrap().expect("a stored session")
}

async fn user_of_did(app: &TestApp, did: &str) -> String {
    app.scalar_text(&format!("SELECT user_id FROM bluesky_accounts WHERE did = '{did}'")).await
}

/// Make the user's journal public under `username` and add a public entry with an image.
async fn public_entry(app: &TestApp, user_id: &str, username: &str, title: &str) -> String {
    let pool = app.state.db.pool();
    let now = app.clock.now().millis();
    sqlx::query("INSERT INTO profiles (user_id, updated_at) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING")
        .bind(user_id)
        .bind(now)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE profiles SET username = $2, journal_public = 1 WHERE user_id = $1")
        .bind(user_id)
        .bind(username)
        .execute(pool)
        .await
        .unwrap();
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO journal_entries (id, user_id, title, slug, entry_date, body, is_public, created_at, updated_at)
         VALUES ($1, $2, $3, 'shipping-the-search', '2026-12-01', $4, 1, $5, $5)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(title)
    .bind("We shipped **search** across every record. It took three weeks and one rewrite.")
    .bind(now)
    .execute(pool)
    .await
    .unwrap();
    let image = crate::uploads::png(64, 48, false);
    let user = careerlog::domain::UserId::from(user_id.to_owned());
    careerlog::services::journal::add_image(&app.state, &user, &id, "team.png", "The team".into(), image.into())
        .await
        .expect("the image is stored")
        .expect("the image is accepted");
    id
}

/// Every text cell of every table that mentions `needle` (promise 13: nothing of an unlinked
/// account may be left).
async fn tables_mentioning(app: &TestApp, needle: &str) -> Vec<String> {
    let pool = app.state.db.pool();
    let mut found = Vec::new();
    for table in careerlog::db::user_data::CATALOGUE {
        let sql = format!("SELECT * FROM {}", table.name);
        let Ok(rows) = sqlx::query(&sql).fetch_all(pool).await else { continue };
        for row in rows {
            use sqlx::Row;
            for index in 0..row.len() {
                if let Ok(Some(text)) = row.try_get::<Option<String>, _>(index) {
                    if text.contains(needle) {
                        found.push(format!("{}: {text:.80}", table.name));
                    }
                }
            }
        }
    }
    found
}

async fn a_bluesky_journey_against_a_real_pds(backend: Backend) {
    let Some(devnet) = Devnet::start().await else { return };
    let Some(app) = app_on(backend, &devnet, &[]).await else { return };
    let Some((_driver, browser)) = start_browser().await else { return };
    let result = journey(&app, &devnet, &browser).await;
    finish(browser, result, "the Bluesky journey").await;
}

async fn journey(app: &TestApp, devnet: &Devnet, browser: &Client) -> Step {
    let alice = devnet.account("alice.test");
    let bob = devnet.account("bob.test");

    // 1. Sign in with Bluesky as someone new: an account named after the handle is made.
    start_bluesky_sign_in(app, browser, "@alice.test").await?;
    consent_at_the_pds(browser, alice).await?;
    see(browser, "Welcome to Careerlog").await?;
    see(browser, "@alice.test").await?;
    let alice_user = user_of_did(app, &alice.did).await;
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM users WHERE id = '{alice_user}' AND email IS NULL")).await,
        1,
        "an account without an address"
    );
    assert_eq!(
        app.scalar_text(&format!("SELECT display_name FROM profiles WHERE user_id = '{alice_user}'")).await,
        "alice.test"
    );
    // Bluesky is her only way in: unlinking is refused, with the reason beside the button.
    click(browser, "form[action='/settings/connections/bluesky/unlink'] button").await?;
    see(browser, "Bluesky is the only way to sign in to this account").await?;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM bluesky_accounts").await, 1);

    // Promise 11: the tokens are sealed at rest.
    let tokens = stored_session(app, &alice.did).await.token_set;
    let sealed = app.scalar_text(&format!("SELECT sealed FROM bluesky_sessions WHERE did = '{}'", alice.did)).await;
    assert!(!sealed.contains(&tokens.access_token) && !sealed.contains("access_token"), "no token in clear");
    let refresh = tokens.refresh_token.expect("a refresh token");
    assert!(!sealed.contains(refresh.as_str()));
    let key_id = app.scalar_text(&format!("SELECT key_id FROM bluesky_sessions WHERE did = '{}'", alice.did)).await;
    assert_eq!(key_id.len(), 8, "the sealing key's id is kept for rotation");

    // 2. Share a public journal entry: the post is read back from the PDS.
    let entry = public_entry(app, &alice_user, "alice", "Shipping the search — a café story ☕").await;
    browser.goto(&app.url(&format!("/journal/{entry}/share"))).await?;
    see(browser, "Posting as").await?;
    let link = format!("{}/u/alice/journal/shipping-the-search", app.base_url);
    let prefilled = browser.find(Locator::Css("#text")).await?.prop("value").await?.unwrap_or_default();
    assert!(prefilled.contains(&link), "{prefilled}");
    // 301 characters are refused beside the field, and kept; 300 family emoji would be 300
    // characters to Bluesky but 7 500 bytes, which it also refuses.
    let too_long = "é".repeat(301);
    fill(browser, "#text", &too_long).await?;
    click(browser, "form[action$='/share'] button[type=submit]").await?;
    see(browser, "Bluesky posts hold at most 300 characters; this has 301").await?;
    let kept = browser.find(Locator::Css("#text")).await?.prop("value").await?;
    assert_eq!(kept.as_deref(), Some(too_long.as_str()));
    assert!(records(devnet, &alice.did, "app.bsky.feed.post").await.is_empty(), "nothing was posted");
    fill(browser, "#text", &prefilled).await?;
    click(browser, "form[action$='/share'] button[type=submit]").await?;
    see(browser, "Shared on Bluesky.").await?;
    let posts = records(devnet, &alice.did, "app.bsky.feed.post").await;
    assert_eq!(posts.len(), 1);
    let post = &posts[0]["value"];
    let text = post["text"].as_str().unwrap();
    assert!(text.starts_with("Shipping the search — a café story ☕"), "{text}");
    let facet = &post["facets"][0];
    let (start, end) = (facet["index"]["byteStart"].as_u64().unwrap(), facet["index"]["byteEnd"].as_u64().unwrap());
    assert_eq!(&text.as_bytes()[start as usize..end as usize], link.as_bytes(), "facets index UTF-8 bytes");
    assert_eq!(facet["features"][0]["uri"], link.as_str());
    let external = &post["embed"]["external"];
    assert_eq!(post["embed"]["$type"], "app.bsky.embed.external");
    assert_eq!(external["uri"], link.as_str());
    assert_eq!(external["title"], "Shipping the search — a café story ☕");
    assert!(external["description"].as_str().unwrap().contains("We shipped search"));
    let thumb = &external["thumb"];
    assert_eq!(thumb["$type"], "blob", "the entry's image is the card's thumbnail: {external}");
    assert!(thumb["mimeType"].as_str().unwrap().starts_with("image/") && thumb["size"].as_u64().unwrap() > 0);
    let uri = posts[0]["uri"].as_str().unwrap();
    assert_eq!(app.scalar_text("SELECT uri FROM bluesky_posts").await, uri, "the post's address is kept");
    see(browser, "View on Bluesky").await?;
    // The entry's own page links to the post too.
    browser.goto(&app.url(&format!("/journal/{entry}"))).await?;
    see(browser, "Shared on Bluesky:").await?;
    let rkey = uri.rsplit('/').next().unwrap();
    see(browser, &format!("https://bsky.app/profile/{}/post/{rkey}", alice.did)).await?;

    // 3. Publish the journal as standard.site records, then read them back.
    browser.goto(&app.url("/settings/connections")).await?;
    click(browser, "form[action='/settings/connections/bluesky/publishing'] button").await?;
    see(browser, "Publishing is on.").await?;
    publish_pass(app).await;
    let publications = records(devnet, &alice.did, "site.standard.publication").await;
    assert_eq!(publications.len(), 1);
    assert_eq!(publications[0]["value"]["url"], format!("{}/u/alice/journal", app.base_url));
    let publication_uri = publications[0]["uri"].as_str().unwrap().to_owned();
    let documents = records(devnet, &alice.did, "site.standard.document").await;
    assert_eq!(documents.len(), 1);
    assert_eq!(documents[0]["value"]["site"], publication_uri.as_str());
    assert_eq!(documents[0]["value"]["title"], "Shipping the search — a café story ☕");
    let (status, answer) = app.get_text("/.well-known/site.standard.publication/u/alice/journal").await;
    assert_eq!((status, answer.trim()), (200, publication_uri.as_str()));
    let (_, page) = app.get_text("/u/alice/journal/shipping-the-search").await;
    let document_uri = documents[0]["uri"].as_str().unwrap();
    assert!(page.contains(&format!("<link rel=\"site.standard.document\" href=\"{document_uri}\"")), "{page}");
    browser.goto(&app.url("/settings/connections")).await?;
    see(browser, &publication_uri).await?;

    // 4. Link Bluesky to an existing email account.
    browser.delete_all_cookies().await?;
    let email = "bob@example.com";
    let password = "maple orbit lantern quietly";
    careerlog::services::accounts::create_user_directly(
        &app.state.db,
        &app.state.hasher,
        &careerlog::domain::Email::parse(email).unwrap(),
        &careerlog::domain::Password::parse_new(password, &[]).unwrap(),
        false,
        app.clock.now(),
    )
    .await
    .unwrap();
    browser.goto(&app.url("/login")).await?;
    fill(browser, "#email", email).await?;
    fill(browser, "#password", password).await?;
    click(browser, "form[action='/login'] button[type=submit]").await?;
    see(browser, "Signed in as bob@example.com").await?;
    browser.goto(&app.url("/settings/connections")).await?;
    fill(browser, "#handle", "bob.test").await?;
    click(browser, "form[action='/settings/connections/bluesky'] button[type=submit]").await?;
    at_the_pds(browser).await?;
    consent_at_the_pds(browser, bob).await?;
    see(browser, "Your Bluesky account is linked.").await?;
    see(browser, "@bob.test").await?;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, 2, "linking made no new account");

    // 5. Unlink (promise 13): nothing of bob's Bluesky account is left in the database.
    click(browser, "form[action='/settings/connections/bluesky/unlink'] button").await?;
    see(browser, "Your Bluesky account is unlinked").await?;
    for needle in [bob.did.as_str(), "bob.test"] {
        assert_eq!(tables_mentioning(app, needle).await, Vec::<String>::new(), "{needle} is gone");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM bluesky_sessions").await, 1, "alice's session only");
    Ok(())
}

async fn failed_bluesky_sign_ins_change_nothing(backend: Backend) {
    let Some(devnet) = Devnet::start().await else { return };
    let Some(app) = app_on(backend, &devnet, &[]).await else { return };
    let Some((_driver, browser)) = start_browser().await else { return };
    let result = failures(&app, &devnet, &browser).await;
    finish(browser, result, "the failure paths").await;
}

async fn failures(app: &TestApp, devnet: &Devnet, browser: &Client) -> Step {
    let alice = devnet.account("alice.test");
    let accounts = || app.scalar("SELECT COUNT(*) FROM users");

    // A handle nobody has: the message is beside the field, with what was typed kept.
    browser.goto(&app.url("/login")).await?;
    fill(browser, "form[action='/login/bluesky'] #handle", "nobody.test").await?;
    click(browser, "form[action='/login/bluesky'] button[type=submit]").await?;
    see(browser, "We could not find that Bluesky account").await?;
    let kept = browser.find(Locator::Css("form[action='/login/bluesky'] #handle")).await?.prop("value").await?;
    assert_eq!(kept.as_deref(), Some("nobody.test"));

    // The user says no at Bluesky.
    start_bluesky_sign_in(app, browser, "alice.test").await?;
    fill(browser, "input[autocomplete=current-password]", &alice.password).await?;
    click(browser, "button[type=submit]").await?;
    press(browser, "Deny access").await?;
    see(browser, "Bluesky sign-in cancelled").await?;
    assert_eq!(accounts().await, 0);

    // Promise 12: a request older than 10 minutes is refused, and housekeeping removes it.
    start_bluesky_sign_in(app, browser, "alice.test").await?;
    let expires = app.scalar("SELECT MAX(expires_at - created_at) FROM oauth_requests").await;
    assert_eq!(expires, 10 * 60 * 1000, "OAuth requests live 10 minutes");
    app.clock.advance(Duration::from_secs(10 * 60 + 1));
    consent_at_the_pds(browser, alice).await?;
    see(browser, "This sign-in link has expired").await?;
    assert_eq!(accounts().await, 0);
    let report = careerlog::housekeeping::run(&app.state).await.unwrap();
    assert!(report.oauth_requests >= 1, "{report:?}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM oauth_requests").await, 0);

    // The callback in another browser (its binding cookie gone) is refused without using up
    // the request; then a forged `iss` is refused; then the real answer, replayed, is refused.
    start_bluesky_sign_in(app, browser, "alice.test").await?;
    // Take the binding cookie away, from a tab on the app (cookies are read per site).
    let pds_tab = browser.window().await?;
    let app_tab = browser.new_window(true).await?;
    browser.switch_to_window(app_tab.handle).await?;
    browser.goto(&app.url("/privacy")).await?;
    let cookie = browser.get_named_cookie("careerlog_bluesky").await?;
    browser.delete_cookie("careerlog_bluesky").await?;
    browser.close_window().await?;
    browser.switch_to_window(pds_tab).await?;
    consent_at_the_pds(browser, alice).await?;
    see(browser, "Finish in the browser you started in").await?;
    let callback = browser.current_url().await?;
    assert!(callback.path().ends_with("/oauth/bluesky/callback"), "{callback}");
    browser.add_cookie(cookie.clone()).await?;
    let mut forged = callback.clone();
    let pairs: Vec<(String, String)> = callback
        .query_pairs()
        .map(|(k, v)| {
            let value = if k == "iss" { "http://127.0.0.1:1".to_owned() } else { v.into_owned() };
            (k.into_owned(), value)
        })
        .collect();
    forged.query_pairs_mut().clear().extend_pairs(pairs);
    browser.goto(forged.as_str()).await?;
    see(browser, "Bluesky sign-in failed").await?;
    browser.add_cookie(cookie).await?;
    browser.goto(callback.as_str()).await?;
    see(browser, "This sign-in link has expired").await?;
    assert_eq!(accounts().await, 0, "nothing was half-written");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM bluesky_accounts").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM bluesky_sessions").await, 0);

    // A callback nobody started.
    let (status, page) = app.get_text("/oauth/bluesky/callback?code=abc&state=made-up&iss=x").await;
    assert_eq!(status, 400);
    assert!(page.contains("This sign-in link has expired"));

    // Sign-ups closed: no account is made, and the page says why.
    careerlog::db::admin::set_setting(app.state.db.pool(), "signups", "closed", app.clock.now()).await.unwrap();
    start_bluesky_sign_in(app, browser, "alice.test").await?;
    consent_at_the_pds(browser, alice).await?;
    see(browser, "New accounts are closed").await?;
    assert_eq!(accounts().await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM bluesky_sessions").await, 0, "the unused session was dropped");
    Ok(())
}

async fn a_share_when_bluesky_is_down_or_the_grant_is_revoked(backend: Backend) {
    let Some(devnet) = Devnet::start().await else { return };
    let Some(app) = app_on(backend, &devnet, &[]).await else { return };
    let Some((_driver, browser)) = start_browser().await else { return };
    let result = broken_connections(&app, devnet, &browser).await;
    finish(browser, result, "sharing when Bluesky fails").await;
}

async fn broken_connections(app: &TestApp, devnet: Devnet, browser: &Client) -> Step {
    let alice = devnet.account("alice.test").clone();
    start_bluesky_sign_in(app, browser, "alice.test").await?;
    consent_at_the_pds(browser, &alice).await?;
    see(browser, "Welcome to Careerlog").await?;
    let user = user_of_did(app, &alice.did).await;
    let entry = public_entry(app, &user, "alice", "A note").await;

    // The grant is revoked at Bluesky (the refresh token dies) and the access token has
    // expired: the share fails, says to reconnect, and the connection shows it.
    let bluesky = app.state.bluesky.as_ref().unwrap().clone();
    let mut kept = stored_session(app, &alice.did).await;
    assert!(bluesky.revoke(&alice.did).await, "the PDS revoked the grant");
    kept.token_set.access_token = "an-expired-access-token".into();
    let did: Did = alice.did.parse().unwrap();
    bluesky.sessions.set(did, kept).await.unwrap();
    careerlog::db::bluesky::claim_session(app.state.db.pool(), &alice.did, &UserId::from(user.clone())).await.unwrap();
    browser.goto(&app.url(&format!("/journal/{entry}/share"))).await?;
    click(browser, "form[action$='/share'] button[type=submit]").await?;
    see(browser, "Your Bluesky connection stopped working").await?;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM bluesky_posts").await, 0);
    for _ in 0..50 {
        if app.scalar_text("SELECT status FROM bluesky_accounts").await == "reconnect" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser.goto(&app.url("/settings/connections")).await?;
    see(browser, "Reconnect needed").await?;

    // Reconnecting signs in at Bluesky again and the connection works.
    click(browser, "form[action='/settings/connections/bluesky'] button[type=submit]").await?;
    at_the_pds(browser).await?;
    consent_at_the_pds(browser, &alice).await?;
    see(browser, "Your Bluesky account is linked.").await?;
    see(browser, "Connected").await?;

    // The PDS goes down during a share: a clear message, what was typed kept, nothing written.
    drop(devnet);
    browser.goto(&app.url(&format!("/journal/{entry}/share"))).await?;
    fill(browser, "#text", "Still here after the outage").await?;
    click(browser, "form[action$='/share'] button[type=submit]").await?;
    see(browser, "could not be reached").await?;
    let kept = browser.find(Locator::Css("#text")).await?.prop("value").await?;
    assert_eq!(kept.as_deref(), Some("Still here after the outage"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM bluesky_posts").await, 0);
    Ok(())
}

/// One pass of the standard.site publisher (the background loop runs the same).
async fn publish_pass(app: &TestApp) {
    careerlog::services::standard_site::publish_pass(&app.state).await.expect("a publishing pass");
}
