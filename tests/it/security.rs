//! Protection: CSRF, security headers, cookies and sessions, error pages.
//! Promises (SPEC §B) covered here: 7 (only two cookies, HttpOnly, Secure over https, browser-
//! session lifetime), 8 (CSRF on every state change), 9 (CSP on every page).

use std::time::Duration;

use crate::on_both_databases;
use crate::support::{location, TestApp};

on_both_databases!(
    promise_8_a_form_post_without_the_csrf_token_is_refused_with_a_friendly_403,
    promise_8_every_state_changing_route_refuses_a_missing_or_foreign_token,
    promise_8_a_cross_site_post_is_refused_even_with_a_token,
    promise_9_every_response_carries_the_security_headers,
    signed_in_pages_are_never_cached,
    promise_7_the_only_cookies_are_the_session_and_csrf_cookies,
    promise_7_over_https_cookies_are_host_prefixed_and_secure_and_hsts_is_sent,
    signing_in_always_issues_a_new_session_id,
    a_session_ends_after_the_idle_timeout,
    a_session_ends_after_the_absolute_timeout_however_active,
    after_sign_in_the_user_returns_to_a_local_page_only,
    a_server_error_shows_a_request_id_and_no_internals,
    health_reports_the_database,
    static_assets_are_served_with_long_cache_lifetimes,
    unknown_pages_get_a_styled_404,
);

async fn promise_8_a_form_post_without_the_csrf_token_is_refused_with_a_friendly_403(app: TestApp) {
    app.get("/login").await;
    let response =
        app.client.post(app.url("/login")).form(&[("email", "a@example.com"), ("password", "x")]).send().await.unwrap();
    assert_eq!(response.status(), 403);
    let html = response.text().await.unwrap();
    assert!(html.contains("This form could not be accepted"));
    assert!(html.contains("reload the page and try again"));
}

async fn promise_8_every_state_changing_route_refuses_a_missing_or_foreign_token(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    app.submit("/settings/tokens", "/settings/tokens", &[("name", "script")]).await;
    let token_id: String =
        sqlx::query_scalar("SELECT id FROM api_tokens").fetch_one(app.state.db.pool()).await.unwrap();
    let routes = [
        "/signup".to_owned(),
        "/login".to_owned(),
        "/logout".to_owned(),
        "/verify-email/resend".to_owned(),
        "/forgot-password".to_owned(),
        "/reset-password".to_owned(),
        "/settings/password".to_owned(),
        "/settings/sessions/end-others".to_owned(),
        "/settings/tokens".to_owned(),
        format!("/settings/tokens/{token_id}/revoke"),
    ];
    // Another visitor's valid token is no good either.
    let stranger = app.new_browser();
    let html = stranger.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let foreign = crate::support::csrf_token_in(&html).unwrap();
    for route in &routes {
        for token in [None, Some(foreign.as_str())] {
            let mut form = vec![("email", "ada@example.com"), ("name", "x")];
            if let Some(token) = token {
                form.push(("_csrf", token));
            }
            let response = app.client.post(app.url(route)).form(&form).send().await.unwrap();
            assert_eq!(response.status(), 403, "{route} with token {token:?}");
        }
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM api_tokens").await, 1, "nothing changed");
    assert_eq!(app.get("/settings").await.status(), 200, "still signed in");
}

async fn promise_8_a_cross_site_post_is_refused_even_with_a_token(app: TestApp) {
    let html = app.get("/login").await.text().await.unwrap();
    let token = crate::support::csrf_token_in(&html).unwrap();
    let form = [("_csrf", token.as_str()), ("email", "a@example.com"), ("password", "whatever password")];
    let evil =
        app.client.post(app.url("/login")).header("origin", "https://evil.example").form(&form).send().await.unwrap();
    assert_eq!(evil.status(), 403);
    let cross =
        app.client.post(app.url("/login")).header("sec-fetch-site", "cross-site").form(&form).send().await.unwrap();
    assert_eq!(cross.status(), 403);
    let same = app
        .client
        .post(app.url("/login"))
        .header("origin", &app.base_url)
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 401, "a same-origin post goes through to the sign-in check");
}

fn assert_security_headers(response: &reqwest::Response, what: &str) {
    let headers = response.headers();
    let csp = headers.get("content-security-policy").unwrap_or_else(|| panic!("{what}: no CSP")).to_str().unwrap();
    for directive in
        ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]
    {
        assert!(csp.contains(directive), "{what}: CSP lacks {directive}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{what}: {csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert!(headers.contains_key("referrer-policy"), "{what}");
    assert!(headers.contains_key("x-request-id"), "{what}");
    assert!(!headers.contains_key("strict-transport-security"), "{what}: no HSTS over plain http");
}

async fn promise_9_every_response_carries_the_security_headers(app: TestApp) {
    let anonymous = [
        "/",
        "/login",
        "/signup",
        "/forgot-password",
        "/verify-email/resend",
        "/reset-password?token=x",
        "/verify-email?token=x",
        "/settings",
        "/no-such-page",
        "/healthz",
        "/api/v1/me",
        "/api/v1/openapi.json",
        "/api/v1/nothing-here",
    ];
    for path in anonymous {
        assert_security_headers(&app.get(path).await, path);
    }
    app.signed_up_user("ada@example.com").await;
    for path in ["/", "/settings", "/settings/tokens", "/api/v1/me"] {
        assert_security_headers(&app.get(path).await, path);
    }
    let css = app.get("/").await.text().await.unwrap();
    let stylesheet = regex::Regex::new(r#"href="(/static/[^"]+\.css)""#).unwrap().captures(&css).unwrap()[1].to_owned();
    assert_security_headers(&app.get(&stylesheet).await, &stylesheet);
    // Error answers too.
    let post = app.client.post(app.url("/settings/password")).send().await.unwrap();
    assert_security_headers(&post, "refused POST");
    // No page carries inline script.
    let inline_script = regex::Regex::new(r"<script>|<script [^>]*>[^<]").unwrap();
    for path in ["/", "/settings", "/settings/tokens", "/login"] {
        let html = app.get(path).await.text().await.unwrap();
        assert!(!inline_script.is_match(&html), "{path} has inline script");
        assert!(!html.contains(" onclick=") && !html.contains(" style="), "{path} has inline handlers or styles");
    }
}

async fn signed_in_pages_are_never_cached(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    for path in ["/", "/settings", "/settings/tokens", "/api/v1/me"] {
        let response = app.get(path).await;
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
}

/// Every Set-Cookie header the app sent during a whole journey.
async fn journey_cookies(app: &TestApp) -> Vec<String> {
    let mut cookies = Vec::new();
    let mut record = |response: &reqwest::Response| {
        for value in response.headers().get_all("set-cookie") {
            cookies.push(value.to_str().unwrap().to_owned());
        }
    };
    for path in ["/", "/login", "/signup", "/forgot-password", "/no-such-page", "/healthz"] {
        record(&app.get(path).await);
    }
    record(&app.sign_up("ada@example.com", "maple orbit lantern quietly").await);
    let link = app.wait_for_mail("ada@example.com", "Verify").await.link();
    record(&app.client.get(link).send().await.unwrap());
    record(&app.sign_in("ada@example.com", "maple orbit lantern quietly").await);
    for path in ["/", "/settings", "/settings/tokens"] {
        record(&app.get(path).await);
    }
    record(&app.sign_out().await);
    record(&app.sign_in("ada@example.com", "maple orbit lantern quietly").await);
    cookies
}

async fn promise_7_the_only_cookies_are_the_session_and_csrf_cookies(app: TestApp) {
    let landing = app.get("/").await;
    assert!(landing.headers().get("set-cookie").is_none(), "a page without forms sets no cookie");
    let cookies = journey_cookies(&app).await;
    assert!(!cookies.is_empty());
    for cookie in &cookies {
        let name = cookie.split('=').next().unwrap();
        assert!(name == "careerlog_session" || name == "careerlog_csrf", "unexpected cookie {cookie}");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(cookie.contains("Path=/"), "{cookie}");
        let removal = cookie.contains("Max-Age=0");
        assert!(
            removal || (!cookie.contains("Max-Age") && !cookie.contains("Expires")),
            "a browser-session cookie: {cookie}"
        );
    }
    assert!(cookies.iter().any(|c| c.starts_with("careerlog_session=")));
    assert!(cookies.iter().any(|c| c.starts_with("careerlog_csrf=")));
}

async fn promise_7_over_https_cookies_are_host_prefixed_and_secure_and_hsts_is_sent(app: TestApp) {
    // Served behind a TLS-terminating proxy: the base URL is https.
    let https = TestApp::spawn_with(app.backend, &["--base-url", "https://careerlog.example"]).await.unwrap();
    let response = https.get("/login").await;
    assert_eq!(response.headers()["strict-transport-security"], "max-age=63072000; includeSubDomains");
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-careerlog_csrf="), "{cookie}");
    assert!(cookie.contains("; Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"), "{cookie}");

    // Sign up by hand: the client will not send Secure cookies over plain http, so carry them.
    let html = response.text().await.unwrap();
    let csrf_cookie = cookie.split(';').next().unwrap().to_owned();
    let token = crate::support::csrf_token_in(&html).unwrap();
    let client = crate::support::browser();
    let signup = client
        .post(https.url("/signup"))
        .header("cookie", &csrf_cookie)
        .form(&[("_csrf", token.as_str()), ("email", "ada@example.com"), ("password", "maple orbit lantern quietly")])
        .send()
        .await
        .unwrap();
    assert_eq!(signup.status(), 200);
    let mail = https.wait_for_mail("ada@example.com", "Verify").await;
    assert!(mail.link().starts_with("https://careerlog.example/verify-email?token="));
    let signin = client
        .post(https.url("/login"))
        .header("cookie", &csrf_cookie)
        .form(&[("_csrf", token.as_str()), ("email", "ada@example.com"), ("password", "maple orbit lantern quietly")])
        .send()
        .await
        .unwrap();
    assert_eq!(signin.status(), 303);
    let session = signin.headers()["set-cookie"].to_str().unwrap();
    assert!(session.starts_with("__Host-careerlog_session="), "{session}");
    assert!(session.contains("; Secure") && session.contains("HttpOnly") && !session.contains("Max-Age"), "{session}");
}

async fn signing_in_always_issues_a_new_session_id(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let first: String =
        sqlx::query_scalar("SELECT id_hash FROM sessions").fetch_one(app.state.db.pool()).await.unwrap();
    // Signing in again from a signed-in browser (the form is posted with the session's token).
    let response = app
        .submit("/settings", "/login", &[("email", "ada@example.com"), ("password", "maple orbit lantern quietly")])
        .await;
    assert_eq!(response.status(), 303);
    let now: Vec<String> =
        sqlx::query_scalar("SELECT id_hash FROM sessions").fetch_all(app.state.db.pool()).await.unwrap();
    assert_eq!(now.len(), 1, "the old session ended");
    assert_ne!(now[0], first);
    // The cookie holds a token, the table only its hash.
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    let token = cookie.split(';').next().unwrap().split('=').nth(1).unwrap();
    assert_ne!(token, now[0]);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM sessions WHERE id_hash = '{token}'")).await, 0);
}

async fn a_session_ends_after_the_idle_timeout(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    app.clock.advance(Duration::from_secs(11 * 3600));
    assert_eq!(app.get("/settings").await.status(), 200, "11 idle hours are fine");
    app.clock.advance(Duration::from_secs(12 * 3600 + 60));
    let response = app.get("/settings").await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).starts_with("/login"));
}

async fn a_session_ends_after_the_absolute_timeout_however_active(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    for _ in 0..16 {
        app.clock.advance(Duration::from_secs(10 * 3600));
        assert_eq!(app.get("/settings").await.status(), 200);
    }
    app.clock.advance(Duration::from_secs(9 * 3600));
    assert_eq!(app.get("/settings").await.status(), 303, "seven days after sign-in the session is over");
}

async fn after_sign_in_the_user_returns_to_a_local_page_only(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    app.sign_out().await;
    let response = app.get("/settings/tokens").await;
    assert_eq!(location(&response), "/login?next=%2Fsettings%2Ftokens");
    let back = app
        .submit(
            "/login?next=%2Fsettings%2Ftokens",
            "/login",
            &[("email", "ada@example.com"), ("password", "maple orbit lantern quietly"), ("next", "/settings/tokens")],
        )
        .await;
    assert_eq!(location(&back), "/settings/tokens");
    app.sign_out().await;
    let away = app
        .submit(
            "/login",
            "/login",
            &[
                ("email", "ada@example.com"),
                ("password", "maple orbit lantern quietly"),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(location(&away), "/");
}

async fn a_server_error_shows_a_request_id_and_no_internals(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    app.state.db.close().await;
    let response = app.get("/settings").await;
    assert_eq!(response.status(), 500);
    let id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    let html = response.text().await.unwrap();
    assert!(html.contains("Something went wrong"));
    assert!(html.contains(&id), "the page shows the request id");
    for internal in ["sqlx", "pool", "database", "PoolClosed", "panicked"] {
        assert!(!html.contains(internal), "the page leaks {internal}");
    }
    let api = app.get("/api/v1/me").await;
    assert_eq!(api.status(), 500);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "internal_error");
}

async fn health_reports_the_database(app: TestApp) {
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<serde_json::Value>().await.unwrap()["status"], "ok");
    app.state.db.close().await;
    assert_eq!(app.get("/healthz").await.status(), 503);
}

async fn static_assets_are_served_with_long_cache_lifetimes(app: TestApp) {
    let html = app.get("/").await.text().await.unwrap();
    for pattern in [r#"href="(/static/[^"]+\.css)""#, r#"src="(/static/[^"]+\.js)""#, r#"href="(/static/[^"]+\.svg)""#]
    {
        let url =
            regex::Regex::new(pattern).unwrap().captures(&html).unwrap_or_else(|| panic!("{pattern}"))[1].to_owned();
        let response = app.get(&url).await;
        assert_eq!(response.status(), 200, "{url}");
        assert_eq!(response.headers()["cache-control"], "public, max-age=31536000, immutable");
        assert!(!response.bytes().await.unwrap().is_empty());
    }
    let stale = app.get("/static/0000/app.css").await;
    assert_eq!(stale.status(), 200);
    assert_eq!(stale.headers()["cache-control"], "no-cache");
    assert_eq!(app.get("/static/0000/../../Cargo.toml").await.status(), 404);
    assert_eq!(app.get("/static/0000/secret.key").await.status(), 404);
}

async fn unknown_pages_get_a_styled_404(app: TestApp) {
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), 404);
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found") && html.contains("<!doctype html>"));
    let wrong_method = app.client.delete(app.url("/login")).header("x-csrf-token", "x").send().await.unwrap();
    assert!(wrong_method.status() == 403 || wrong_method.status() == 405);
}
