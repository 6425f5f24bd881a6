//! Issue 16: Google and any OpenID Connect provider — sign-in, linking, the read-only calendar,
//! interviews found in it and their preparation — against a fake Google on loopback that speaks
//! the real protocols (discovery, RS256 ID tokens with a JWKS, PKCE, the Calendar API's paging,
//! sync tokens, 410 and 429).

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::json;

use crate::fake_google::{FakeAccount, FakeGoogle, TokenFault};
use crate::support::{location, submit_with, Backend, TestApp};

crate::on_both_backends!(
    issue_16_each_provider_has_a_button_that_redirects_with_state_nonce_and_pkce,
    a_new_person_signs_in_with_google_and_comes_back_to_the_same_account,
    a_verified_address_links_an_existing_account_only_when_its_owner_confirms,
    an_unverified_address_of_an_existing_account_is_refused,
    every_bad_id_token_is_refused_and_changes_nothing,
    a_key_rotation_at_the_provider_is_followed,
    a_callback_works_once_and_only_in_the_browser_that_started_it,
    linking_and_unlinking_in_settings,
    a_provider_configured_by_issuer_url_works_like_google,
    with_password_sign_in_off_only_the_providers_remain,
    promise_11_the_calendar_grant_is_read_only_offline_and_sealed,
    interviews_found_in_the_calendar_are_suggested_accepted_and_kept_in_step,
    the_sync_survives_410_429_expired_tokens_and_revoked_grants,
    promise_16_preparation_in_advance_sends_no_raw_calendar_event,
    another_users_suggestions_and_connections_are_not_found,
    deleting_the_account_revokes_the_calendar_grant_and_deletes_everything_of_google,
    issue_16_a_browser_journey_from_sign_in_to_a_prepared_interview,
);

/// A fake Google, and an app configured with it.
async fn world(backend: Backend, extra: &[&str]) -> Option<(FakeGoogle, TestApp)> {
    let google = FakeGoogle::start().await;
    let app = app_with(backend, &google, extra, false).await?;
    Some((google, app))
}

async fn app_with(backend: Backend, google: &FakeGoogle, extra: &[&str], ai: bool) -> Option<TestApp> {
    let issuer = google.issuer();
    let calendar = google.calendar_api();
    let mut args = vec![
        "--google-client-id",
        FakeGoogle::CLIENT_ID,
        "--google-client-secret",
        FakeGoogle::CLIENT_SECRET,
        "--google-issuer-url",
        &issuer,
        "--google-calendar-api-url",
        &calendar,
    ];
    args.extend_from_slice(extra);
    if ai {
        TestApp::with_fake_ai(backend, &args).await
    } else {
        TestApp::spawn_with(backend, &args).await
    }
}

fn query_of(url: &str) -> BTreeMap<String, String> {
    url::Url::parse(url).unwrap().query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// Follow a flow that went to the provider: the provider's answer (a redirect back to the app),
/// then the app's callback in `browser`. Answers the callback's response.
async fn through_provider(app: &TestApp, browser: &reqwest::Client, authorize_url: &str) -> reqwest::Response {
    let at_provider = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let answer = at_provider.get(authorize_url).send().await.unwrap();
    assert!(answer.status().is_redirection(), "the provider answered {}", answer.status());
    let back = location(&answer);
    let path = back.strip_prefix(&app.base_url).unwrap_or_else(|| panic!("the provider sent us to {back}"));
    browser.get(app.url(path)).send().await.unwrap()
}

/// Sign in with a provider from the sign-in page's button, in `browser`.
async fn sign_in_with(app: &TestApp, browser: &reqwest::Client, provider: &str) -> reqwest::Response {
    let start = browser.get(app.url(&format!("/login/oidc/{provider}"))).send().await.unwrap();
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    through_provider(app, browser, &location(&start)).await
}

/// From a Settings form (linking, the calendar): the "Continuing to …" page names where to go.
async fn continue_from(app: &TestApp, browser: &reqwest::Client, page: &str, action: &str) -> reqwest::Response {
    let answer = submit_with(browser, &app.address, page, action, &[]).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let html = answer.text().await.unwrap();
    let re = regex::Regex::new(r#"http-equiv="refresh" content="0;url=([^"]+)""#).unwrap();
    let url = html_unescape(&re.captures(&html).expect("the page moves on by itself")[1]);
    through_provider(app, browser, &url).await
}

/// An attribute's value as the browser reads it (askama escapes `&`, `"`, `'`, `<`, `>`).
fn html_unescape(text: &str) -> String {
    let entity = regex::Regex::new(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|quot|lt|gt|apos);").unwrap();
    entity
        .replace_all(text, |c: &regex::Captures| match &c[1] {
            "amp" => "&".to_owned(),
            "quot" => "\"".to_owned(),
            "lt" => "<".to_owned(),
            "gt" => ">".to_owned(),
            "apos" => "'".to_owned(),
            code => {
                let n = match code.strip_prefix("#x") {
                    Some(hex) => u32::from_str_radix(hex, 16).unwrap(),
                    None => code[1..].parse().unwrap(),
                };
                char::from_u32(n).unwrap().to_string()
            }
        })
        .into_owned()
}

fn session_cookie_set(response: &reqwest::Response) -> bool {
    response.headers().get_all("set-cookie").iter().any(|c| c.to_str().unwrap().starts_with("careerlog_session="))
}

async fn issue_16_each_provider_has_a_button_that_redirects_with_state_nonce_and_pkce(backend: Backend) {
    let other = FakeGoogle::start().await;
    let keycloak = format!("keycloak={},{},{}", other.issuer(), FakeGoogle::CLIENT_ID, FakeGoogle::CLIENT_SECRET);
    let Some((google, app)) = world(backend, &["--oidc-provider", &keycloak]).await else { return };
    let (status, html) = app.get_text("/login").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"href="/login/oidc/google""#) && html.contains("Continue with Google"), "{html}");
    assert!(html.contains(r#"href="/login/oidc/keycloak""#) && html.contains("Continue with Keycloak"));

    for (name, provider) in [("google", &google), ("keycloak", &other)] {
        let start = app.client.get(app.url(&format!("/login/oidc/{name}"))).send().await.unwrap();
        assert_eq!(start.status(), StatusCode::SEE_OTHER);
        let to = location(&start);
        assert!(to.starts_with(&format!("{}/o/oauth2/v2/auth?", provider.issuer())), "{to}");
        let query = query_of(&to);
        assert!(query["state"].len() >= 20, "a state worth guessing: {query:?}");
        assert!(query["nonce"].len() >= 20);
        assert_eq!(query["code_challenge_method"], "S256");
        assert_eq!(query["code_challenge"].len(), 43, "a SHA-256 challenge, base64url");
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["redirect_uri"], format!("{}/oauth/oidc/{name}/callback", app.base_url));
        assert!(query["scope"].split(' ').any(|s| s == "openid"));
        // Bound to this browser by a cookie, and kept sealed for ten minutes.
        assert!(start.headers().get_all("set-cookie").iter().any(|c| c.to_str().unwrap().contains("careerlog_oidc=")));
    }
    let (first, second) = (
        query_of(&location(&app.client.get(app.url("/login/oidc/google")).send().await.unwrap())),
        query_of(&location(&app.client.get(app.url("/login/oidc/google")).send().await.unwrap())),
    );
    assert_ne!(first["state"], second["state"]);
    assert_ne!(first["nonce"], second["nonce"]);
    assert_ne!(first["code_challenge"], second["code_challenge"]);
    let expiry = app.scalar("SELECT MAX(expires_at - created_at) FROM oauth_requests").await;
    assert_eq!(expiry, 10 * 60 * 1000);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM oauth_requests WHERE payload LIKE '%nonce%'").await, 0, "sealed");

    // An unknown provider is simply not there.
    let unknown = app.client.get(app.url("/login/oidc/nobody")).send().await.unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

async fn a_new_person_signs_in_with_google_and_comes_back_to_the_same_account(backend: Backend) {
    let Some((google, app)) = world(backend, &[]).await else { return };
    let browser = app.new_browser();
    let done = sign_in_with(&app, &browser, "google").await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), "/settings/connections?notice=welcome_oidc");
    assert!(session_cookie_set(&done));
    let page =
        browser.get(app.url("/settings/connections?notice=welcome_oidc")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Welcome to Careerlog"), "{page}");
    assert!(page.contains(r#"data-oidc-linked="google""#) && page.contains("ada@example.com"));
    // Name, verified address and picture, as SPEC asks; keyed on issuer + subject.
    assert_eq!(app.scalar_text("SELECT display_name FROM profiles").await, "Ada Lovelace");
    assert_eq!(app.scalar_text("SELECT email FROM users").await, "ada@example.com");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users WHERE email_verified_at IS NOT NULL").await, 1);
    assert_eq!(app.scalar_text("SELECT subject FROM oidc_identities").await, "108234567890123456789");
    assert_eq!(app.scalar_text("SELECT issuer FROM oidc_identities").await, google.issuer());
    assert_eq!(
        app.scalar_text("SELECT picture_url FROM oidc_identities").await,
        "https://lh3.googleusercontent.com/a/fake-ada"
    );

    // Later, Ada changed her address at Google: still the same account (subject, not address).
    google.set_account(FakeAccount { email: "ada.l@example.org".into(), ..FakeAccount::default() });
    let again = app.new_browser();
    let done = sign_in_with(&app, &again, "google").await;
    assert_eq!(location(&done), "/");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(app.scalar_text("SELECT email FROM oidc_identities").await, "ada.l@example.org");

    // Someone else with Ada's old address but another subject is another person.
    google.set_account(FakeAccount {
        sub: "999".into(),
        email: "someone@example.net".into(),
        name: "Someone".into(),
        ..FakeAccount::default()
    });
    let third = app.new_browser();
    sign_in_with(&app, &third, "google").await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, 2);
}

async fn a_verified_address_links_an_existing_account_only_when_its_owner_confirms(backend: Backend) {
    let Some((_google, app)) = world(backend, &[]).await else { return };
    let password = app.signed_up_user("ada@example.com").await;
    let browser = app.new_browser();
    let done = sign_in_with(&app, &browser, "google").await;
    // Not signed in, nothing linked: the owner must sign in and confirm.
    assert!(!session_cookie_set(&done));
    assert_eq!(location(&done), "/login?next=/settings/connections/oidc/confirm&notice=oidc_confirm");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM oidc_identities").await, 0);
    let login = browser.get(app.url(&location(&done))).send().await.unwrap().text().await.unwrap();
    assert!(login.contains("already uses that verified address"), "{login}");

    // Another account's owner cannot take it.
    app.sign_out().await;
    let mallory = app.signed_up_user("mallory@example.com").await;
    let signed_in = submit_with(
        &browser,
        &app.address,
        "/login",
        "/login",
        &[("email", "mallory@example.com"), ("password", mallory)],
    )
    .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let refused = submit_with(
        &browser,
        &app.address,
        "/settings/connections/oidc/confirm",
        "/settings/connections/oidc/confirm",
        &[],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("not for the account you are signed in to"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM oidc_identities").await, 0);
    browser.post(app.url("/logout")).send().await.ok();

    // Ada signs in with her password and confirms.
    let browser2 = app.new_browser();
    let done = sign_in_with(&app, &browser2, "google").await;
    assert!(location(&done).starts_with("/login?next=/settings/connections/oidc/confirm"));
    submit_with(&browser2, &app.address, "/login", "/login", &[("email", "ada@example.com"), ("password", password)])
        .await;
    let page = browser2.get(app.url("/settings/connections/oidc/confirm")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Link your Google account?"));
    let linked = submit_with(
        &browser2,
        &app.address,
        "/settings/connections/oidc/confirm",
        "/settings/connections/oidc/confirm",
        &[],
    )
    .await;
    assert_eq!(location(&linked), "/settings/connections?notice=oidc_linked");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, 2);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM oidc_identities").await, 1);
    // From now on Google signs Ada in directly.
    let third = app.new_browser();
    let done = sign_in_with(&app, &third, "google").await;
    assert!(session_cookie_set(&done));
}

async fn an_unverified_address_of_an_existing_account_is_refused(backend: Backend) {
    let Some((google, app)) = world(backend, &[]).await else { return };
    // Someone signed up with Ada's address and never verified it: Ada's Google sign-in does
    // not reach that account.
    app.signed_up_unverified_user("ada@example.com", "maple orbit lantern quietly").await;
    let browser = app.new_browser();
    let done = sign_in_with(&app, &browser, "google").await;
    assert_eq!(done.status(), StatusCode::CONFLICT);
    assert!(!session_cookie_set(&done));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM oauth_requests").await, 0, "no link proposed");
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    // Google does not vouch for Grace's address: refused too.
    google.set_account(FakeAccount {
        email: "grace@example.com".into(),
        email_verified: false,
        ..FakeAccount::default()
    });
    let browser = app.new_browser();
    let done = sign_in_with(&app, &browser, "google").await;
    assert_eq!(done.status(), StatusCode::CONFLICT);
    assert!(!session_cookie_set(&done));
    assert!(done.text().await.unwrap().contains("cannot be linked by its address"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM oidc_identities").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, 2);
}

async fn every_bad_id_token_is_refused_and_changes_nothing(backend: Backend) {
    let Some((google, app)) = world(backend, &[]).await else { return };
    for fault in [
        TokenFault::WrongAudience,
        TokenFault::WrongIssuer,
        TokenFault::Expired,
        TokenFault::AlgNone,
        TokenFault::Hs256WithPublicKey,
        TokenFault::WrongNonce,
        TokenFault::UnpublishedKey,
        TokenFault::BadSignature,
    ] {
        google.set_token_fault(Some(fault));
        let browser = app.new_browser();
        let done = sign_in_with(&app, &browser, "google").await;
        assert_eq!(done.status(), StatusCode::BAD_GATEWAY, "{fault:?}");
        assert!(!session_cookie_set(&done), "{fault:?}");
        assert!(done.text().await.unwrap().contains("could not be verified"), "{fault:?}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, 0, "{fault:?}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM oidc_identities").await, 0, "{fault:?}");
    }
    google.set_token_fault(None);
    let browser = app.new_browser();
    assert!(session_cookie_set(&sign_in_with(&app, &browser, "google").await));
}

async fn a_key_rotation_at_the_provider_is_followed(backend: Backend) {
    let Some((google, app)) = world(backend, &[]).await else { return };
    assert!(session_cookie_set(&sign_in_with(&app, &app.new_browser(), "google").await));
    let fetched = google.jwks_fetches();
    google.rotate_keys();
    // The next token names a key the app has not seen: it reads the keys again, once.
    assert!(session_cookie_set(&sign_in_with(&app, &app.new_browser(), "google").await));
    assert_eq!(google.jwks_fetches(), fetched + 1);
    assert!(session_cookie_set(&sign_in_with(&app, &app.new_browser(), "google").await));
    assert_eq!(google.jwks_fetches(), fetched + 1, "the new keys are kept");
}

async fn a_callback_works_once_and_only_in_the_browser_that_started_it(backend: Backend) {
    let Some((_google, app)) = world(backend, &[]).await else { return };
    let victim = app.new_browser();
    let attacker = app.new_browser();
    let start = attacker.get(app.url("/login/oidc/google")).send().await.unwrap();
    let at_provider = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let back = location(&at_provider.get(location(&start)).send().await.unwrap());
    let path = back.strip_prefix(&app.base_url).unwrap().to_owned();
    // The link, opened in another browser: refused, and the request is not spent.
    let elsewhere = victim.get(app.url(&path)).send().await.unwrap();
    assert_eq!(elsewhere.status(), StatusCode::BAD_REQUEST);
    assert!(elsewhere.text().await.unwrap().contains("Finish in the browser you started in"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, 0);
    // In its own browser it works, once.
    let done = attacker.get(app.url(&path)).send().await.unwrap();
    assert!(session_cookie_set(&done));
    let again = attacker.get(app.url(&path)).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert!(again.text().await.unwrap().contains("has expired"));
    // Denied at the provider: nothing changes. Hostile and missing parameters: a clear 400.
    for query in ["", "?state=", "?state=x&code=y", &format!("?state={}&code=y", "s".repeat(5000))] {
        let odd = app.client.get(app.url(&format!("/oauth/oidc/google/callback{query}"))).send().await.unwrap();
        assert_eq!(odd.status(), StatusCode::BAD_REQUEST, "{query}");
    }
    // Ten minutes later a request is gone.
    let late = app.new_browser();
    let start = late.get(app.url("/login/oidc/google")).send().await.unwrap();
    let back = location(&at_provider.get(location(&start)).send().await.unwrap());
    app.clock.advance(std::time::Duration::from_secs(10 * 60 + 1));
    let expired = late.get(app.url(back.strip_prefix(&app.base_url).unwrap())).send().await.unwrap();
    assert_eq!(expired.status(), StatusCode::BAD_REQUEST);
}

async fn linking_and_unlinking_in_settings(backend: Backend) {
    let Some((google, app)) = world(backend, &[]).await else { return };
    let password = app.signed_up_user("grace@example.com").await;
    let browser = app.browser_signed_in_as("grace@example.com", password).await;
    let page = browser.get(app.url("/settings/connections")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Link Google"), "{page}");
    // Grace's Google account has another address: linking is by her choice, not by address.
    let done = continue_from(&app, &browser, "/settings/connections", "/settings/connections/oidc/google").await;
    assert_eq!(location(&done), "/settings/connections?notice=oidc_linked&provider=google");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM oidc_identities").await, 1);
    let page = browser.get(app.url("/settings/connections")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"data-oidc-linked="google""#) && page.contains("ada@example.com"));
    // The same Google account cannot be linked to a second Careerlog account.
    app.sign_out().await;
    let other_password = app.signed_up_user("hopper@example.com").await;
    let other = app.browser_signed_in_as("hopper@example.com", other_password).await;
    let refused = continue_from(&app, &other, "/settings/connections", "/settings/connections/oidc/google").await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    // Unlinking deletes what Google told us.
    let unlinked =
        submit_with(&browser, &app.address, "/settings/connections", "/settings/connections/oidc/google/unlink", &[])
            .await;
    assert_eq!(location(&unlinked), "/settings/connections?notice=oidc_unlinked");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM oidc_identities").await, 0);
    // An account made with Google has no other way in: unlinking is refused.
    google.set_account(FakeAccount { sub: "555".into(), email: "new@example.com".into(), ..FakeAccount::default() });
    let newcomer = app.new_browser();
    assert!(session_cookie_set(&sign_in_with(&app, &newcomer, "google").await));
    let refused =
        submit_with(&newcomer, &app.address, "/settings/connections", "/settings/connections/oidc/google/unlink", &[])
            .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("only way into your account"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM oidc_identities").await, 1);
    // Without CSRF, nothing happens.
    let forged = newcomer.post(app.url("/settings/connections/oidc/google/unlink")).send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

async fn a_provider_configured_by_issuer_url_works_like_google(backend: Backend) {
    let keycloak = FakeGoogle::start().await;
    keycloak.set_account(FakeAccount {
        sub: "f:1234:linus".into(),
        email: "linus@intra.example".into(),
        name: "Linus".into(),
        picture: String::new(),
        ..FakeAccount::default()
    });
    let setting = format!("keycloak={},{},{}", keycloak.issuer(), FakeGoogle::CLIENT_ID, FakeGoogle::CLIENT_SECRET);
    let Some(app) = TestApp::spawn_with(backend, &["--oidc-provider", &setting]).await else { return };
    let (_, html) = app.get_text("/login").await;
    assert!(html.contains("Continue with Keycloak") && !html.contains("Continue with Google"));
    let browser = app.new_browser();
    assert!(session_cookie_set(&sign_in_with(&app, &browser, "keycloak").await));
    assert_eq!(app.scalar_text("SELECT provider FROM oidc_identities").await, "keycloak");
    assert_eq!(app.scalar_text("SELECT issuer FROM oidc_identities").await, keycloak.issuer());
    // No Google here, so no calendar either.
    let page = browser.get(app.url("/settings/connections")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("data-calendar-section"));
    // Bad settings are refused when the app starts.
    for bad in [
        "Keycloak=https://k.example,id,secret",
        "google=https://k.example,id,secret",
        "k=http://k.example,id,secret",
        "k=https://k.example,id",
        "k=https://k.example,,secret",
    ] {
        assert!(careerlog::config::Config::from_args(["--oidc-provider", bad]).is_err(), "{bad}");
    }
}

async fn with_password_sign_in_off_only_the_providers_remain(backend: Backend) {
    let Some((_google, app)) = world(backend, &["--password-sign-in", "off"]).await else { return };
    let (_, html) = app.get_text("/login").await;
    assert!(html.contains("Continue with Google"));
    assert!(!html.contains(r#"name="password""#), "{html}");
    let signup = app.get("/signup").await;
    assert_eq!(location(&signup), "/login");
    let tried = submit_with(
        &app.client,
        &app.address,
        "/login",
        "/login",
        &[("email", "a@example.com"), ("password", "x".repeat(20).as_str())],
    )
    .await;
    assert_eq!(tried.status(), StatusCode::FORBIDDEN);
    // Sign-ups happen through the provider.
    let browser = app.new_browser();
    assert!(session_cookie_set(&sign_in_with(&app, &browser, "google").await));
}

/// Ada signed in with Google and connected her calendar; answers her browser.
async fn ada_with_her_calendar(google: &FakeGoogle, app: &TestApp) -> reqwest::Client {
    let browser = app.new_browser();
    assert!(session_cookie_set(&sign_in_with(app, &browser, "google").await));
    let done = continue_from(app, &browser, "/settings/connections", "/settings/connections/calendar").await;
    assert_eq!(location(&done), "/settings/connections?notice=calendar_connected");
    let asked = google.authorize_requests().last().cloned().unwrap();
    assert!(asked["scope"].contains("https://www.googleapis.com/auth/calendar.events.readonly"), "{asked:?}");
    wait_for_first_read(app).await;
    browser
}

/// The first read starts in the background as the calendar is connected; a pass started
/// before it ends would find the connection busy.
async fn wait_for_first_read(app: &TestApp) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while app.scalar("SELECT COUNT(*) FROM calendar_connections WHERE last_synced_at IS NOT NULL OR attempts > 0").await
        == 0
    {
        assert!(std::time::Instant::now() < deadline, "the first calendar read did not finish");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn sync(app: &TestApp) {
    app.clock.advance(std::time::Duration::from_secs(16 * 60));
    careerlog::services::calendar_sync::sync_pass(&app.state).await.unwrap();
}

async fn promise_11_the_calendar_grant_is_read_only_offline_and_sealed(backend: Backend) {
    let Some((google, app)) = world(backend, &[]).await else { return };
    ada_with_her_calendar(&google, &app).await;
    let asked = google.authorize_requests().last().cloned().unwrap();
    assert_eq!(asked["access_type"], "offline");
    assert_eq!(asked["prompt"], "consent");
    assert!(!asked["scope"].contains("auth/calendar "), "read-only only: {asked:?}");
    // Promise 11: the tokens are sealed, not stored in clear.
    let sealed = app.scalar_text("SELECT sealed FROM calendar_connections").await;
    assert!(!sealed.contains("access") && !sealed.contains("refresh") && sealed.len() > 40, "{sealed}");
    assert_eq!(app.scalar_text("SELECT key_id FROM calendar_connections").await.len(), 8, "the key's id, for rotation");
    // Disconnecting revokes the grant at Google and forgets it here.
    let browser = app.new_browser();
    sign_in_with(&app, &browser, "google").await;
    let done =
        submit_with(&browser, &app.address, "/settings/connections", "/settings/connections/calendar/disconnect", &[])
            .await;
    assert_eq!(location(&done), "/settings/connections?notice=calendar_disconnected");
    assert_eq!(google.revoked().len(), 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM calendar_connections").await, 0);
}

/// The app's now plus `hours`, on the hour, as RFC 3339.
fn at(app: &TestApp, hours: i64) -> String {
    let now = jiff::Timestamp::from_millisecond(app.state.clock.now().millis()).unwrap();
    (now + jiff::SignedDuration::from_hours(hours)).strftime("%Y-%m-%dT%H:00:00Z").to_string()
}

fn plus_hours(rfc3339: &str, hours: i64) -> String {
    let at: jiff::Timestamp = rfc3339.parse().unwrap();
    (at + jiff::SignedDuration::from_hours(hours)).strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

async fn interviews_found_in_the_calendar_are_suggested_accepted_and_kept_in_step(backend: Backend) {
    let Some((google, app)) = world(backend, &[]).await else { return };
    let browser = ada_with_her_calendar(&google, &app).await;
    let sub = FakeAccount::default().sub;
    // Ada is interviewing at Globex; Jane is her contact there.
    let opportunity = submit_with(
        &browser,
        &app.address,
        "/opportunities/new",
        "/opportunities",
        &[("company", "Globex"), ("role", "Staff Engineer"), ("status", "interviewing")],
    )
    .await;
    let opportunity_id =
        location(&opportunity).trim_start_matches("/opportunities/").split('?').next().unwrap().to_owned();
    let interview = json!({"id": "evt-globex", "status": "confirmed", "summary": "Interview: Ada Lovelace <> Globex (Staff Engineer)",
        "description": "Secret agenda: system design with the platform team. Join https://zoom.us/j/123",
        "organizer": {"email": "jane@globex.com"},
        "attendees": [{"email": "jane@globex.com", "organizer": true}, {"email": "ada@example.com", "self": true}],
        "hangoutLink": "https://meet.google.com/abc-defg-hij",
        "start": {"dateTime": at(&app, 26), "timeZone": "Europe/Berlin"}, "end": {"dateTime": at(&app, 27), "timeZone": "Europe/Berlin"}});
    google.put_event(&sub, interview.clone());
    google.put_event(&sub, FakeGoogle::event("evt-standup", "Team stand-up", &at(&app, 20), &at(&app, 21)));
    google.put_event(&sub, FakeGoogle::all_day_event("evt-holiday", "Holiday", "2030-01-01", "2030-01-02"));
    google.put_event(&sub, json!({"id": "evt-dentist", "status": "confirmed", "summary": "Dentist", "start": {"dateTime": at(&app, 30)}, "end": {"dateTime": at(&app, 31)}}));
    sync(&app).await;
    // Only the interview is kept, and only as a suggestion.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM calendar_events").await, 1);
    assert_eq!(app.scalar_text("SELECT opportunity_id FROM calendar_events").await, opportunity_id);
    let details = app.scalar_text("SELECT details FROM calendar_events").await;
    assert!(!details.contains("Globex") && !details.contains("zoom"), "sealed: {details}");
    let dashboard = browser.get(app.url("/jobs")).send().await.unwrap().text().await.unwrap();
    assert!(dashboard.contains("Interview with Globex tomorrow at"), "{dashboard}");
    assert!(!dashboard.contains("Dentist") && !dashboard.contains("stand-up"));

    // Accepted: an interview on Globex, linked to the event.
    let id = app.scalar_text("SELECT id FROM calendar_events").await;
    let accepted = submit_with(
        &browser,
        &app.address,
        "/jobs",
        &format!("/jobs/suggestions/{id}/accept"),
        &[("opportunity", &opportunity_id)],
    )
    .await;
    assert_eq!(location(&accepted), "/jobs?notice=suggestion_accepted");
    assert_eq!(app.scalar_text("SELECT opportunity_id FROM interviews").await, opportunity_id);
    assert_eq!(app.scalar_text("SELECT round_name FROM interviews").await, "Interview from your calendar");
    assert_eq!(app.scalar_text("SELECT time_zone FROM interviews").await, "Europe/Berlin");
    assert_eq!(app.scalar("SELECT duration_minutes FROM interviews").await, 60);
    assert_eq!(app.scalar_text("SELECT meeting_url FROM interviews").await, "https://meet.google.com/abc-defg-hij");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM calendar_events WHERE details IS NULL AND status = 'accepted'").await,
        1
    );
    let dashboard = browser.get(app.url("/jobs")).send().await.unwrap().text().await.unwrap();
    assert!(dashboard.contains("Interview from your calendar") && !dashboard.contains("data-suggestion="));

    // Moved by an hour at Google: the interview moves.
    let starts = app.scalar("SELECT starts_at FROM interviews").await;
    let mut moved = interview.clone();
    moved["start"]["dateTime"] = json!(plus_hours(interview["start"]["dateTime"].as_str().unwrap(), 2));
    moved["end"]["dateTime"] = json!(plus_hours(interview["end"]["dateTime"].as_str().unwrap(), 2));
    google.put_event(&sub, moved);
    sync(&app).await;
    assert_eq!(app.scalar("SELECT starts_at FROM interviews").await, starts + 2 * 3600 * 1000);
    // Cancelled at Google: cancelled here, and kept on record.
    google.cancel_event(&sub, "evt-globex");
    sync(&app).await;
    assert_eq!(app.scalar_text("SELECT outcome FROM interviews").await, "cancelled");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM calendar_events").await, 0);

    // "Not an interview" is remembered.
    let mut recruiter = FakeGoogle::event("evt-recruiter", "Recruiter call with Initech", &at(&app, 50), &at(&app, 51));
    recruiter["organizer"] = json!({"email": "talent@initech.com"});
    google.put_event(&sub, recruiter.clone());
    sync(&app).await;
    let id = app.scalar_text("SELECT id FROM calendar_events WHERE status = 'suggested'").await;
    assert_eq!(app.scalar_text("SELECT company FROM calendar_events").await, "Initech");
    let dismissed = submit_with(&browser, &app.address, "/jobs", &format!("/jobs/suggestions/{id}/dismiss"), &[]).await;
    assert_eq!(location(&dismissed), "/jobs?notice=suggestion_dismissed");
    recruiter["summary"] = json!("Recruiter call with Initech (rescheduled)");
    google.put_event(&sub, recruiter);
    sync(&app).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM calendar_events WHERE status = 'suggested'").await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM calendar_events WHERE status = 'dismissed' AND details IS NULL").await,
        1
    );
    // "New opportunity" is honoured even when the event matched one of hers.
    let mut again = FakeGoogle::event("evt-globex-2", "Globex interview, second round", &at(&app, 70), &at(&app, 71));
    again["organizer"] = json!({"email": "jane@globex.com"});
    google.put_event(&sub, again);
    sync(&app).await;
    let second = app.scalar_text("SELECT id FROM calendar_events WHERE event_id = 'evt-globex-2'").await;
    assert_eq!(
        app.scalar_text("SELECT opportunity_id FROM calendar_events WHERE event_id = 'evt-globex-2'").await,
        opportunity_id
    );
    submit_with(
        &browser,
        &app.address,
        "/jobs",
        &format!("/jobs/suggestions/{second}/accept"),
        &[("opportunity", "new")],
    )
    .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM opportunities WHERE company = 'Globex'").await, 2);
    // Another user's opportunity, or none of hers, is refused beside the field.
    let mut third = FakeGoogle::event("evt-globex-3", "Globex interview, third round", &at(&app, 72), &at(&app, 73));
    third["organizer"] = json!({"email": "jane@globex.com"});
    google.put_event(&sub, third);
    sync(&app).await;
    let third = app.scalar_text("SELECT id FROM calendar_events WHERE event_id = 'evt-globex-3'").await;
    let refused = submit_with(
        &browser,
        &app.address,
        "/jobs",
        &format!("/jobs/suggestions/{third}/accept"),
        &[("opportunity", "01900000-0000-7000-8000-000000000000")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("Choose one of your opportunities."));

    // Deciding twice, or on a made-up id: not found.
    let twice = submit_with(&browser, &app.address, "/jobs", &format!("/jobs/suggestions/{id}/accept"), &[]).await;
    assert_eq!(twice.status(), StatusCode::NOT_FOUND);
}

async fn the_sync_survives_410_429_expired_tokens_and_revoked_grants(backend: Backend) {
    let Some((google, app)) = world(backend, &[]).await else { return };
    let browser = ada_with_her_calendar(&google, &app).await;
    let sub = FakeAccount::default().sub;
    google.set_page_size(2);
    for n in 0..5 {
        google.put_event(&sub, FakeGoogle::event(&format!("e{n}"), "Lunch", &at(&app, 10 + n), &at(&app, 11 + n)));
    }
    sync(&app).await;
    let token = app.scalar_text("SELECT sync_token FROM calendar_connections").await;
    assert!(!token.is_empty(), "the last page's token is kept");
    let full_reads = google.calendar_requests().iter().filter(|q| q.contains_key("timeMin")).count();
    assert!(google.calendar_requests().iter().all(|q| !(q.contains_key("syncToken") && q.contains_key("timeMin"))));

    // 410: the token is dropped and the calendar read again in full; a suggestion whose event
    // was deleted meanwhile goes.
    let mut gone = FakeGoogle::event("evt-initech", "Interview with Initech", &at(&app, 30), &at(&app, 31));
    gone["organizer"] = json!({"email": "talent@initech.com"});
    google.put_event(&sub, gone);
    sync(&app).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM calendar_events").await, 1);
    google.cancel_event(&sub, "evt-initech");
    google.invalidate_sync_tokens();
    let mut interview = FakeGoogle::event("evt-hooli", "Interview with Hooli", &at(&app, 40), &at(&app, 41));
    interview["organizer"] = json!({"email": "recruiting@hooli.com"});
    google.put_event(&sub, interview);
    sync(&app).await;
    assert!(google.calendar_requests().iter().filter(|q| q.contains_key("timeMin")).count() > full_reads);
    assert_eq!(app.scalar_text("SELECT event_id FROM calendar_events").await, "evt-hooli");
    assert_eq!(app.scalar("SELECT attempts FROM calendar_connections").await, 0);

    // 429: backed off, with the error shown; then it recovers.
    google.rate_limit_next(1, 120);
    sync(&app).await;
    assert_eq!(app.scalar("SELECT attempts FROM calendar_connections").await, 1);
    let next = app.scalar("SELECT next_sync_at FROM calendar_connections").await;
    let now = app.state.clock.now().millis();
    assert!(next + 1_000 >= now + 120_000, "Retry-After is respected: {next} < {now} + 120 s");
    let page = browser.get(app.url("/settings/connections")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("asked us to slow down"), "{page}");
    sync(&app).await;
    assert_eq!(app.scalar("SELECT attempts FROM calendar_connections").await, 0);

    // An expired access token is refreshed with the refresh token.
    google.expire_access_tokens();
    sync(&app).await;
    assert_eq!(app.scalar("SELECT attempts FROM calendar_connections").await, 0);
    assert_eq!(app.scalar_text("SELECT status FROM calendar_connections").await, "connected");

    // A revoked grant: "reconnect", and no more tries until the user connects again.
    google.revoke_refresh_tokens();
    google.expire_access_tokens();
    sync(&app).await;
    assert_eq!(app.scalar_text("SELECT status FROM calendar_connections").await, "reconnect");
    let page = browser.get(app.url("/settings/connections")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"data-calendar-status="reconnect""#));
    let before = google.calendar_requests().len();
    sync(&app).await;
    assert_eq!(google.calendar_requests().len(), before);
}

async fn promise_16_preparation_in_advance_sends_no_raw_calendar_event(backend: Backend) {
    let google = FakeGoogle::start().await;
    let Some(app) = app_with(backend, &google, &[], true).await else { return };
    let browser = ada_with_her_calendar(&google, &app).await;
    let sub = FakeAccount::default().sub;
    submit_with(
        &browser,
        &app.address,
        "/opportunities/new",
        "/opportunities",
        &[
            ("company", "Globex"),
            ("role", "Staff Engineer"),
            ("description", "Build the billing platform."),
            ("status", "interviewing"),
        ],
    )
    .await;
    let event = json!({"id": "evt-secret", "status": "confirmed", "summary": "Globex interview — codename BLUEFIN",
        "description": "Private notes: salary 250k, ask about VEGA project",
        "location": "Globex HQ, room Zeppelin",
        "organizer": {"email": "jane.recruiter@globex.com"},
        "attendees": [{"email": "jane.recruiter@globex.com"}, {"email": "cto.hidden@globex.com"}, {"email": "ada@example.com", "self": true}],
        "hangoutLink": "https://meet.google.com/zzz-secret-link",
        "start": {"dateTime": at(&app, 48)}, "end": {"dateTime": at(&app, 49)}});
    google.put_event(&sub, event);
    sync(&app).await;
    let id = app.scalar_text("SELECT id FROM calendar_events").await;
    submit_with(&browser, &app.address, "/jobs", &format!("/jobs/suggestions/{id}/accept"), &[]).await;
    let on = submit_with(
        &browser,
        &app.address,
        "/settings/connections",
        "/settings/connections/calendar/preparation",
        &[("preparation", "on")],
    )
    .await;
    assert_eq!(location(&on), "/settings/connections?notice=preparation_on");
    sync(&app).await;
    let requests = app.fake_ai().requests();
    assert_eq!(requests.len(), 1, "one preparation, written in the background");
    let sent = serde_json::to_string(&requests[0]).unwrap();
    assert!(sent.contains("Build the billing platform."), "the opportunity's own fields go: {sent}");
    for secret in [
        "BLUEFIN",
        "salary 250k",
        "VEGA",
        "Zeppelin",
        "jane.recruiter",
        "cto.hidden",
        "zzz-secret-link",
        "meet.google.com",
    ] {
        assert!(!sent.contains(secret), "promise 16: {secret} was sent to the AI provider");
    }
    let dashboard = browser.get(app.url("/jobs")).send().await.unwrap().text().await.unwrap();
    assert!(dashboard.contains("data-prep-ready"), "{dashboard}");
    // Prepared once: the next pass does not run it again.
    sync(&app).await;
    assert_eq!(app.fake_ai().requests().len(), 1);

    // An interview with no opportunity of hers becomes a new one named from the event's words:
    // it is not prepared in the background until she has written the role herself.
    let mut unknown = FakeGoogle::event("evt-unknown", "Interview with Jane Smith", &at(&app, 60), &at(&app, 61));
    unknown["organizer"] = json!({"email": "jane@smith-consulting.example"});
    google.put_event(&sub, unknown);
    sync(&app).await;
    let id = app.scalar_text("SELECT id FROM calendar_events WHERE status = 'suggested'").await;
    submit_with(&browser, &app.address, "/jobs", &format!("/jobs/suggestions/{id}/accept"), &[("opportunity", "new")])
        .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM opportunities WHERE role = 'Role to be confirmed'").await, 1);
    sync(&app).await;
    assert_eq!(app.fake_ai().requests().len(), 1, "nothing guessed from an event is sent");
}

async fn another_users_suggestions_and_connections_are_not_found(backend: Backend) {
    let Some((google, app)) = world(backend, &[]).await else { return };
    ada_with_her_calendar(&google, &app).await;
    let sub = FakeAccount::default().sub;
    let mut interview = FakeGoogle::event("evt-x", "Interview with Umbrella", &at(&app, 30), &at(&app, 31));
    interview["organizer"] = json!({"email": "hr@umbrella.com"});
    google.put_event(&sub, interview);
    sync(&app).await;
    let id = app.scalar_text("SELECT id FROM calendar_events").await;
    let password = app.signed_up_user("eve@example.com").await;
    let eve = app.browser_signed_in_as("eve@example.com", password).await;
    for action in ["accept", "dismiss"] {
        let answer = submit_with(&eve, &app.address, "/jobs", &format!("/jobs/suggestions/{id}/{action}"), &[]).await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{action}");
    }
    for action in ["/settings/connections/calendar/disconnect", "/settings/connections/calendar/sync"] {
        let answer = submit_with(&eve, &app.address, "/settings/connections", action, &[]).await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{action}");
    }
    let bad = submit_with(
        &eve,
        &app.address,
        "/settings/connections",
        "/settings/connections/calendar/preparation",
        &[("preparation", "maybe")],
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM calendar_events WHERE status = 'suggested'").await, 1);
}

/// The journey the issue asks for, in Chromium: sign in with the test provider, connect the
/// calendar, see the interview it found, accept it, and find it on the dashboard with its
/// preparation.
async fn issue_16_a_browser_journey_from_sign_in_to_a_prepared_interview(backend: Backend) {
    let google = FakeGoogle::start().await;
    let Some(app) = app_with(backend, &google, &[], true).await else { return };
    let Some((_driver, browser)) = crate::browser::start_browser().await else { return };
    let result = journey(&app, &google, &browser).await;
    crate::browser::finish(browser, result, "the Google journey").await;
}

async fn journey(
    app: &TestApp,
    google: &FakeGoogle,
    browser: &fantoccini::Client,
) -> Result<(), fantoccini::error::CmdError> {
    use crate::browser::{click, fill, see};
    app.fake_ai().answer("## Globex, staff engineer\n\nLead with the billing migration story.");

    // 1. "Continue with Google": a new account, named from the Google profile.
    browser.goto(&app.url("/login")).await?;
    click(browser, "a[data-oidc-sign-in='google']").await?;
    see(browser, "Welcome to Careerlog").await?;
    see(browser, "ada@example.com").await?;

    // 2. She is interviewing at Globex.
    browser.goto(&app.url("/opportunities/new")).await?;
    fill(browser, "#company", "Globex").await?;
    fill(browser, "#role", "Staff Engineer").await?;
    fill(browser, "#description", "Build the billing platform.").await?;
    click(browser, "form[action='/opportunities'] button[type=submit]").await?;
    see(browser, "Saved.").await?;
    let sub = FakeAccount::default().sub;
    let mut interview =
        FakeGoogle::event("evt-journey", "Globex interview (Staff Engineer)", &at(app, 26), &at(app, 27));
    interview["organizer"] = json!({"email": "jane@globex.com"});
    google.put_event(&sub, interview);

    // 3. Connect the calendar (read-only), and ask for preparation in advance.
    browser.goto(&app.url("/settings/connections")).await?;
    click(browser, "form[action='/settings/connections/calendar'] button").await?;
    see(browser, "Your Google Calendar is connected").await?;
    click(browser, "form[action='/settings/connections/calendar/preparation'] button").await?;
    see(browser, "will have their preparation written").await?;
    wait_for_first_read(app).await;

    // 4. The dashboard asks about it; she adds it.
    browser.goto(&app.url("/jobs")).await?;
    see(browser, "Interview with Globex tomorrow at").await?;
    see(browser, "Globex interview (Staff Engineer)").await?;
    click(browser, "form.calendar-suggestion-accept button").await?;
    see(browser, "Added to your interviews.").await?;
    see(browser, "Interview from your calendar").await?;

    // 5. The background pass writes its preparation; the dashboard says it is ready.
    careerlog::services::calendar_sync::sync_pass(&app.state).await.unwrap();
    browser.goto(&app.url("/jobs")).await?;
    click(browser, "a[data-prep-ready]").await?;
    see(browser, "Lead with the billing migration story.").await?;
    let sent = serde_json::to_string(&app.fake_ai().requests()).unwrap();
    assert!(sent.contains("Build the billing platform.") && !sent.contains("Globex interview (Staff"), "{sent}");
    Ok(())
}

async fn deleting_the_account_revokes_the_calendar_grant_and_deletes_everything_of_google(backend: Backend) {
    let Some((google, app)) = world(backend, &[]).await else { return };
    ada_with_her_calendar(&google, &app).await;
    let sub = FakeAccount::default().sub;
    let mut interview = FakeGoogle::event("evt-d", "Interview with Umbrella", &at(&app, 30), &at(&app, 31));
    interview["organizer"] = json!({"email": "hr@umbrella.com"});
    google.put_event(&sub, interview);
    sync(&app).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM calendar_events").await, 1);
    let user_id = careerlog::domain::UserId::from(app.scalar_text("SELECT id FROM users").await);
    careerlog::services::account_deletion::delete_account(&app.state, &user_id).await.unwrap();
    assert_eq!(google.revoked().len(), 1, "the grant is revoked at Google first");
    for table in ["oidc_identities", "calendar_connections", "calendar_events", "oauth_requests", "users"] {
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await, 0, "{table}");
    }
}
