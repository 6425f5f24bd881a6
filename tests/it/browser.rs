//! The account journey in a real browser: headless Chromium (Debian's chromium and
//! chromium-driver) against the app on a random port. Skipped when no chromedriver is installed,
//! except in CI, where that is a failure.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

use crate::on_both_databases;
use crate::support::{in_ci, TestApp};

on_both_databases!(an_account_journey_in_a_real_browser);

struct ChromeDriver {
    child: Child,
    _profile: tempfile::TempDir,
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_program(candidates: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    candidates.iter().find_map(|name| std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file()))
}

async fn start_browser() -> Option<(ChromeDriver, Client)> {
    let (Some(driver), Some(chromium)) =
        (find_program(&["chromedriver"]), find_program(&["chromium", "chromium-browser", "google-chrome"]))
    else {
        if in_ci() {
            panic!("CI=true requires chromium and chromedriver (Debian: chromium chromium-driver)");
        }
        eprintln!("skipping the browser test: chromium or chromedriver is not installed");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let profile = tempfile::tempdir().unwrap();
    let guard = ChromeDriver { child, _profile: profile };
    let webdriver = format!("http://127.0.0.1:{port}");
    let probe = reqwest::Client::new();
    for _ in 0..100 {
        if probe.get(format!("{webdriver}/status")).send().await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--window-size=1280,900",
                format!("--user-data-dir={}", guard._profile.path().display()),
            ]
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&webdriver)
        .await
        .expect("a Chromium session starts");
    Some((guard, client))
}

async fn fill(browser: &Client, css: &str, text: &str) -> Result<(), fantoccini::error::CmdError> {
    let field = browser.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await?;
    field.clear().await?;
    field.send_keys(text).await
}

async fn click(browser: &Client, css: &str) -> Result<(), fantoccini::error::CmdError> {
    browser.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await?.click().await
}

/// Wait until the page shows `text`.
async fn see(browser: &Client, text: &str) -> Result<(), fantoccini::error::CmdError> {
    for _ in 0..100 {
        if browser.source().await?.contains(text) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let url = browser.current_url().await?;
    panic!("the page at {url} never showed {text:?}:\n{}", browser.source().await?);
}

async fn journey(app: &TestApp, browser: &Client) -> Result<(), fantoccini::error::CmdError> {
    let email = "ada@example.com";
    // Sign up.
    browser.goto(&app.url("/")).await?;
    click(browser, "a[href='/signup']").await?;
    fill(browser, "#email", email).await?;
    fill(browser, "#password", "maple orbit lantern quietly").await?;
    click(browser, "form[action='/signup'] button[type=submit]").await?;
    see(browser, "Welcome to Careerlog!").await?;
    see(browser, "Please verify your email address").await?;

    // Open the verification link from the mail directory.
    let link = app.wait_for_mail(email, "Verify").await.link();
    browser.goto(&link).await?;
    see(browser, "Your email address is verified.").await?;
    assert!(!browser.source().await?.contains("Please verify your email address"));

    // Sign out.
    click(browser, "form[action='/logout'] button").await?;
    see(browser, "You have signed out.").await?;

    // A wrong password shows the message beside the form, with the address kept.
    browser.goto(&app.url("/login")).await?;
    fill(browser, "#email", email).await?;
    fill(browser, "#password", "not my password at all").await?;
    click(browser, "form[action='/login'] button[type=submit]").await?;
    see(browser, "Wrong email address or password.").await?;
    let kept = browser.find(Locator::Css("#email")).await?.prop("value").await?;
    assert_eq!(kept.as_deref(), Some(email));

    // The right password signs in.
    fill(browser, "#password", "maple orbit lantern quietly").await?;
    click(browser, "form[action='/login'] button[type=submit]").await?;
    see(browser, "Signed in as ada@example.com").await?;

    // Forgot the password: reset it through the mailed link.
    click(browser, "form[action='/logout'] button").await?;
    see(browser, "You have signed out.").await?;
    browser.goto(&app.url("/login")).await?;
    click(browser, "a[href='/forgot-password']").await?;
    fill(browser, "#email", email).await?;
    click(browser, "form[action='/forgot-password'] button[type=submit]").await?;
    see(browser, "Check your inbox").await?;
    let reset = app.wait_for_mail(email, "Reset your password").await.link();
    browser.goto(&reset).await?;
    fill(browser, "#password", "a brand new passphrase").await?;
    click(browser, "form[action='/reset-password'] button[type=submit]").await?;
    see(browser, "Your password has been changed.").await?;
    fill(browser, "#email", email).await?;
    fill(browser, "#password", "a brand new passphrase").await?;
    click(browser, "form[action='/login'] button[type=submit]").await?;
    see(browser, "Signed in as ada@example.com").await?;

    // The page ran under the strict CSP without errors: the theme script applied itself.
    let theme_button_hidden = browser.find(Locator::Css("[data-theme-toggle]")).await?.attr("hidden").await?;
    assert!(theme_button_hidden.is_none(), "app.js ran and revealed the theme switch");
    Ok(())
}

async fn an_account_journey_in_a_real_browser(app: TestApp) {
    let Some((_driver, browser)) = start_browser().await else { return };
    let outcome = journey(&app, &browser).await;
    if outcome.is_err() {
        if let Ok(png) = browser.screenshot().await {
            let path = std::env::temp_dir().join("careerlog-browser-failure.png");
            let _ = std::fs::write(&path, png);
            eprintln!("screenshot of the failure: {}", path.display());
        }
    }
    let _ = browser.close().await;
    outcome.expect("the browser journey");
}
