//! The account journey in a real browser: headless Chromium (Debian's chromium and
//! chromium-driver) against the app on a random port. Skipped when no chromedriver is installed,
//! except in CI, where that is a failure.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};

use careerlog::clock::Clock;

use crate::on_both_databases;
use crate::support::{in_ci, TestApp};

on_both_databases!(
    an_account_journey_in_a_real_browser,
    a_resume_you_can_send_journey_in_a_real_browser,
    a_career_record_journey_in_a_real_browser,
    a_public_resume_journey_in_a_real_browser,
    a_job_search_journey_in_a_real_browser,
    a_keyboard_only_journey_in_a_real_browser,
    an_ai_preparation_journey_in_a_real_browser,
    a_support_ticket_journey_in_a_real_browser,
    a_your_data_journey_in_a_real_browser,
    an_offers_journey_in_a_real_browser,
    an_application_journey_in_a_real_browser
);

pub(crate) struct ChromeDriver {
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

pub(crate) async fn start_browser() -> Option<(ChromeDriver, Client)> {
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
            // Downloads land in the profile's own folder, found again by `downloaded`.
            "prefs": {
                "download.default_directory": guard._profile.path().join("downloads").display().to_string(),
                "download.prompt_for_download": false,
            },
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
    let session = client.session_id().await.ok().flatten().unwrap_or_default();
    DOWNLOADS.lock().unwrap().insert(session, guard._profile.path().join("downloads"));
    Some((guard, client))
}

/// Each browser session's download folder, by session id.
static DOWNLOADS: std::sync::Mutex<std::collections::BTreeMap<String, PathBuf>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// The bytes of the file the browser downloaded as `name`, once it has finished arriving.
pub(crate) async fn downloaded(browser: &Client, name: &str) -> Result<Vec<u8>, fantoccini::error::CmdError> {
    let session = browser.session_id().await?.unwrap_or_default();
    let folder = DOWNLOADS.lock().unwrap().get(&session).cloned().expect("a browser from start_browser");
    let path = folder.join(name);
    for _ in 0..300 {
        if let Ok(bytes) = std::fs::read(&path) {
            if !bytes.is_empty() && !folder.join(format!("{name}.crdownload")).exists() {
                let _ = std::fs::remove_file(&path);
                return Ok(bytes);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the browser never downloaded {name} into {}", folder.display());
}

/// How long to wait for an element: generous, as CI runs the whole suite at once on two cores.
/// Finish a browser story: on failure, say where the browser was and what it showed.
pub(crate) async fn finish(browser: Client, result: Result<(), fantoccini::error::CmdError>, what: &str) {
    if let Err(err) = &result {
        let url = browser.current_url().await.map(|u| u.to_string()).unwrap_or_default();
        let source = browser.source().await.unwrap_or_default();
        let end = source.char_indices().nth(6000).map_or(source.len(), |(i, _)| i);
        eprintln!("{what} failed at {url}: {err:?}\n{}", &source[..end]);
    }
    let _ = browser.close().await;
    result.expect(what);
}

pub(crate) const PATIENCE: Duration = Duration::from_secs(30);

pub(crate) async fn fill(browser: &Client, css: &str, text: &str) -> Result<(), fantoccini::error::CmdError> {
    let field = browser.wait().at_most(PATIENCE).for_element(Locator::Css(css)).await?;
    field.clear().await?;
    field.send_keys(text).await
}

pub(crate) async fn click(browser: &Client, css: &str) -> Result<(), fantoccini::error::CmdError> {
    browser.wait().at_most(PATIENCE).for_element(Locator::Css(css)).await?.click().await
}

/// Wait until the page shows `text`.
pub(crate) async fn see(browser: &Client, text: &str) -> Result<(), fantoccini::error::CmdError> {
    for _ in 0..300 {
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
    see(browser, "Check your inbox").await?;

    // Open the verification link from the mail directory: the address is confirmed and the
    // sign-in form waits.
    let link = app.wait_for_mail(email, "Verify").await.link();
    browser.goto(&link).await?;
    see(browser, "Your email address is verified.").await?;

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
    assert!(!browser.source().await?.contains("Please verify your email address"));

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

/// Wait until a script's condition holds on the page (`return` optional for one expression).
pub(crate) async fn wait_until(browser: &Client, condition: &str) -> Result<(), fantoccini::error::CmdError> {
    let script = if condition.contains("return") { condition.to_owned() } else { format!("return {condition};") };
    for _ in 0..300 {
        if browser.execute(&script, vec![]).await? == serde_json::json!(true) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the page never satisfied {condition}");
}

/// Sign in through the form (the account exists and is verified).
pub(crate) async fn sign_in(
    app: &TestApp,
    browser: &Client,
    email: &str,
    password: &str,
) -> Result<(), fantoccini::error::CmdError> {
    browser.goto(&app.url("/login")).await?;
    fill(browser, "#email", email).await?;
    fill(browser, "#password", password).await?;
    click(browser, "form[action='/login'] button[type=submit]").await?;
    see(browser, &format!("Signed in as {email}")).await
}

async fn career_journey(app: &TestApp, browser: &Client) -> Result<(), fantoccini::error::CmdError> {
    let password = app.signed_up_user("grace@example.com").await;
    sign_in(app, browser, "grace@example.com", password).await?;

    // An experience, from the empty list's call to action.
    click(browser, "nav a[href='/experiences']").await?;
    see(browser, "No experience recorded yet.").await?;
    click(browser, ".empty-state a[href='/experiences/new']").await?;
    fill(browser, "#role", "Staff Engineer").await?;
    fill(browser, "#company", "Acme Analytics").await?;
    fill(browser, "#start_date", "2021-03").await?;
    click(browser, "#current").await?;
    fill(browser, "#highlights", "Cut query latency by 60%").await?;
    fill(browser, "#labels", "Rust").await?;
    click(browser, "form[action='/experiences'] button[type=submit]").await?;
    see(browser, "Saved.").await?;
    see(browser, "Mar 2021 – now").await?;

    // A journal entry in Markdown, previewed before saving.
    click(browser, "nav a[href='/journal']").await?;
    click(browser, "a[href='/journal/new']").await?;
    fill(browser, "#title", "Shipped the new query planner").await?;
    fill(browser, "#body", "We **finally** shipped it.").await?;
    fill(browser, "#labels", "Rust, Writing").await?;
    // The tabs appear once app.js has run.
    wait_until(browser, "document.querySelector('[data-editor-tabs]').hidden === false").await?;
    click(browser, "[data-editor-preview]").await?;
    see(browser, "<strong>finally</strong>").await?;
    click(browser, "[data-editor-write]").await?;
    click(browser, "form[action='/journal'] button.btn-primary").await?;
    see(browser, "Saved.").await?;

    // An image for it, chosen from disk as a user would.
    let picture = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(320, 200, image::Rgb([40, 90, 200])))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    std::fs::write(picture.path(), png).unwrap();
    let file = browser.find(Locator::Css("#image")).await?;
    file.send_keys(&picture.path().display().to_string()).await?;
    fill(browser, "#alt_text", "The planner's query graph").await?;
    click(browser, "form.upload-form button[type=submit]").await?;
    see(browser, "The image was added.").await?;
    // The image is lazy: bring it into view, then wait for the browser to have loaded it.
    browser.execute("document.querySelector('.image-grid img').scrollIntoView()", vec![]).await?;
    wait_until(
        browser,
        "const img = document.querySelector('.image-grid img'); return img.complete && img.naturalWidth > 0",
    )
    .await?;
    let width = browser.execute("return document.querySelector('.image-grid img').naturalWidth", vec![]).await?;
    assert_eq!(width, serde_json::json!(320), "the browser loads the stored image");

    // Dropped into the text while editing: uploaded, and its Markdown put in place (issue 12).
    let entry_page = browser.current_url().await?;
    browser.goto(&format!("{}/edit", entry_page.as_str().split(['?', '#']).next().unwrap())).await?;
    wait_until(browser, "document.querySelector('[data-editor-tabs]').hidden === false").await?;
    drop_image_into_the_text(browser, [200, 90, 40]).await?;
    wait_until(browser, "document.querySelector('#body').value.includes('![](/files/')").await?;
    click(browser, "form[action^='/journal/'] button.btn-primary").await?;
    see(browser, "Saved.").await?;

    // A second entry without the label, so the filter has something to leave out. Its image is
    // dropped in before the first save: it waits as a draft and goes with the entry (issue 12).
    browser.goto(&app.url("/journal/new")).await?;
    fill(browser, "#title", "Quarterly planning notes").await?;
    wait_until(browser, "document.querySelector('[data-editor-tabs]').hidden === false").await?;
    drop_image_into_the_text(browser, [30, 160, 90]).await?;
    wait_until(browser, "document.querySelector('#body').value.includes('![](/files/')").await?;
    click(browser, "form[action='/journal'] button.btn-primary").await?;
    see(browser, "Saved.").await?;
    wait_until(browser, "!!document.querySelector('.prose img[src^=\"/files/\"]')").await?;

    // Both are listed, with their labels as chips; the label filter keeps only the labelled one.
    click(browser, "nav a[href='/journal']").await?;
    see(browser, "Quarterly planning notes").await?;
    see(browser, "Shipped the new query planner").await?;
    see(browser, "2 images").await?;
    see(browser, "1 image").await?;
    browser.find(Locator::Css("#filter-label")).await?.select_by_value("Writing").await?;
    see(browser, "shown with “Writing”").await?;
    let source = browser.source().await?;
    assert!(source.contains("Shipped the new query planner"));
    assert!(!source.contains("Quarterly planning notes"), "the filter leaves the other entry out");

    // A chip leads to the same filter on another list.
    browser.goto(&app.url("/experiences")).await?;
    click(browser, ".record .chip-label").await?;
    see(browser, "shown with “Rust”").await?;
    see(browser, "Staff Engineer").await?;
    Ok(())
}

/// Drop a small PNG of `colour` at the end of the journal editor's text, as a file dragged from
/// the desktop arrives.
async fn drop_image_into_the_text(browser: &Client, colour: [u8; 3]) -> Result<(), fantoccini::error::CmdError> {
    use base64::Engine as _;
    let mut dropped = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(40, 30, image::Rgb(colour)))
        .write_to(&mut std::io::Cursor::new(&mut dropped), image::ImageFormat::Png)
        .unwrap();
    let encoded = base64::engine::general_purpose::STANDARD.encode(&dropped);
    browser
        .execute(
            "const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
             const files = new DataTransfer();
             files.items.add(new File([bytes], 'sketch.png', { type: 'image/png' }));
             const body = document.querySelector('#body');
             body.setSelectionRange(body.value.length, body.value.length);
             body.dispatchEvent(new DragEvent('drop', { dataTransfer: files, bubbles: true, cancelable: true }));",
            vec![serde_json::json!(encoded)],
        )
        .await?;
    Ok(())
}

/// Turn on the public resume in settings, then open it as a signed-out visitor, filter it by a
/// public label and find the structured data in the page.
async fn public_resume_journey(app: &TestApp, browser: &Client) -> Result<(), fantoccini::error::CmdError> {
    let password = app.signed_up_user("ada@example.com").await;
    sign_in(app, browser, "ada@example.com", password).await?;
    browser.goto(&app.url("/experiences/new")).await?;
    fill(browser, "#role", "Staff Engineer").await?;
    fill(browser, "#company", "Acme Analytics").await?;
    fill(browser, "#start_date", "2021").await?;
    click(browser, "#current").await?;
    fill(browser, "#labels", "Rust").await?;
    click(browser, "form[action='/experiences'] button[type=submit]").await?;
    see(browser, "Saved.").await?;
    browser.goto(&app.url("/projects/new")).await?;
    fill(browser, "#name", "Garden planner").await?;
    click(browser, "form[action='/projects'] button[type=submit]").await?;
    see(browser, "Saved.").await?;
    // Make the label public from its page.
    browser.goto(&app.url("/labels")).await?;
    click(browser, ".label-table a.chip-label").await?;
    click(browser, "#is_public").await?;
    // Its colour: choosing a colour of one's own in the colour input chooses "Another colour"
    // (app.js); then the teal swatch, clicked, wins.
    let custom = browser
        .execute(
            "var input = document.getElementById('colour'); input.value = '#123456';
             input.dispatchEvent(new Event('input', {bubbles: true}));
             return document.getElementById('colour-custom').checked;",
            vec![],
        )
        .await?;
    assert_eq!(custom, serde_json::json!(true), "the colour input chooses another colour");
    click(browser, "label.swatch-choice[title='Teal']").await?;
    click(browser, "form.form button.btn-primary").await?;
    see(browser, "Saved.").await?;
    let chosen = browser.execute("return document.querySelector('input[name=colour]:checked').value", vec![]).await?;
    assert_eq!(chosen, serde_json::json!("#0c8599"), "the teal swatch was saved");
    // Turn on the public resume and indexing.
    browser.goto(&app.url("/settings/profile")).await?;
    fill(browser, "#display_name", "Ada Lovelace").await?;
    fill(browser, "#username", "ada").await?;
    click(browser, "#resume_public").await?;
    click(browser, "#allow_indexing").await?;
    click(browser, "form[action='/settings/profile'] button.btn-primary").await?;
    see(browser, "Your profile was saved.").await?;
    click(browser, "a[href='/u/ada']").await?;
    see(browser, "Garden planner").await?;

    // Signed out, as any visitor.
    browser.delete_all_cookies().await?;
    browser.goto(&app.url("/u/ada")).await?;
    see(browser, "Ada Lovelace").await?;
    see(browser, "Garden planner").await?;
    let data = browser
        .execute(
            "return JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)",
            vec![],
        )
        .await?;
    assert_eq!(data["mainEntity"]["name"], "Ada Lovelace");
    assert!(browser.find(Locator::Css("form[action='/logout']")).await.is_err(), "signed out");
    click(browser, ".public-filter a.chip-label").await?;
    see(browser, "Acme Analytics").await?;
    assert!(browser.current_url().await?.as_str().ends_with("/u/ada?label=Rust"));
    assert!(!browser.source().await?.contains("Garden planner"), "the filter leaves the project out");
    Ok(())
}

/// Add an opportunity, schedule an interview with a contact, move the opportunity along the
/// board (by its form, then by drag and drop), add a debrief, and find it all on the dashboard
/// and in the timeline.
async fn job_search_journey(app: &TestApp, browser: &Client) -> Result<(), fantoccini::error::CmdError> {
    let password = app.signed_up_user("ada@example.com").await;
    sign_in(app, browser, "ada@example.com", password).await?;
    click(browser, "nav a[href='/jobs']").await?;
    see(browser, "No opportunities yet.").await?;
    click(browser, ".empty-state a[href='/opportunities/new']").await?;
    fill(browser, "#role", "Staff Engineer").await?;
    fill(browser, "#company", "Globex").await?;
    click(browser, "form[action='/opportunities'] button[type=submit]").await?;
    see(browser, "Saved.").await?;
    let opportunity = browser.current_url().await?;
    let opportunity_id = opportunity.path().trim_start_matches("/opportunities/").to_owned();

    // A failed submit puts focus on the summary of what needs fixing (issue 12, item 9).
    browser.goto(&app.url("/contacts/new")).await?;
    click(browser, "form[action='/contacts'] button[type=submit]").await?;
    see(browser, "Some fields need attention").await?;
    wait_until(browser, "document.activeElement && document.activeElement.hasAttribute('data-error-summary')").await?;
    fill(browser, "#name", "Sam Interviewer").await?;
    fill(browser, "#company", "Globex").await?;
    click(browser, "form[action='/contacts'] button[type=submit]").await?;
    see(browser, "Saved.").await?;

    // Schedule the interview from the opportunity's page, two days from now.
    browser.goto(opportunity.as_str()).await?;
    click(browser, "a[href^='/interviews/new?opportunity=']").await?;
    fill(browser, "#round_name", "System design").await?;
    browser.find(Locator::Css("#kind")).await?.select_by_value("system_design").await?;
    wait_until(browser, "document.querySelector('#time_zone').value !== ''").await?;
    fill(browser, "#time_zone", "Europe/Berlin").await?;
    let start = (jiff::Zoned::now().with_time_zone(jiff::tz::TimeZone::get("Europe/Berlin").unwrap())
        + jiff::Span::new().days(2))
    .strftime("%Y-%m-%dT10:00")
    .to_string();
    browser.execute("document.querySelector('#start').value = arguments[0]", vec![serde_json::json!(start)]).await?;
    click(browser, "form[action='/interviews'] button[type=submit]").await?;
    see(browser, "Saved.").await?;
    see(browser, "Europe/Berlin").await?;
    click(browser, "form[action$='/interviewers'] button[type=submit]").await?;
    see(browser, "Sam Interviewer · Globex").await?;

    // The board: a move by the card's own form, then a drag to another column.
    click(browser, "nav a[href='/jobs']").await?;
    see(browser, "System design").await?;
    click(browser, &format!(".board-card[data-id='{opportunity_id}'] summary")).await?;
    browser.find(Locator::Css(&format!("#move-{opportunity_id}"))).await?.select_by_value("applied").await?;
    click(browser, &format!(".board-card[data-id='{opportunity_id}'] button[type=submit]")).await?;
    see(browser, "Saved.").await?;
    // Focus lands on the card that moved (issue 12, item 9).
    wait_until(browser, &format!("document.activeElement && document.activeElement.id === 'card-{opportunity_id}'"))
        .await?;
    wait_until(browser, &format!("!!document.querySelector(\"[data-status=applied] [data-id='{opportunity_id}']\")"))
        .await?;
    browser
        .execute(
            "const card = document.querySelector(`[data-id='${arguments[0]}']`);
             const column = document.querySelector('.board-column[data-status=interviewing]');
             const data = new DataTransfer();
             const fire = (node, type) => node.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: data}));
             fire(card, 'dragstart'); fire(column, 'dragover'); fire(column, 'drop'); fire(card, 'dragend');",
            vec![serde_json::json!(opportunity_id)],
        )
        .await?;
    wait_until(
        browser,
        &format!("!!document.querySelector(\"[data-status=interviewing] [data-id='{opportunity_id}']\")"),
    )
    .await?;
    // The page says so once the server has answered; reloading before then would cancel the
    // move's request (under CI's load it once did).
    wait_until(
        browser,
        "Array.from(document.querySelectorAll('[aria-live]')).some((n) => n.textContent.startsWith('Moved to'))",
    )
    .await?;
    // The server recorded the drag: a fresh page has the card in its new column.
    for _ in 0..100 {
        browser.refresh().await?;
        let source = browser.source().await?;
        let column = source.split("data-status=\"interviewing\"").nth(1).unwrap_or_default();
        if column.split("</section>").next().unwrap_or_default().contains(&opportunity_id) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_until(
        browser,
        &format!("!!document.querySelector(\"[data-status=interviewing] [data-id='{opportunity_id}']\")"),
    )
    .await?;

    // The debrief, from the interview's page.
    click(browser, ".agenda a[href^='/interviews/']").await?;
    click(browser, "a[href$='/edit#debrief']").await?;
    fill(browser, "#debrief_summary", "Went well; ran out of time on storage.").await?;
    fill(browser, "#debrief_questions", "Design a rate limiter").await?;
    click(browser, "form.form button.btn-primary").await?;
    see(browser, "Saved.").await?;
    see(browser, "Design a rate limiter").await?;

    // The dashboard and the timeline tell the story.
    click(browser, "nav a[href='/jobs']").await?;
    see(browser, "Interviews in the next two weeks").await?;
    see(browser, "System design").await?;
    browser.goto(opportunity.as_str()).await?;
    for text in ["Interview scheduled", "Debrief added", "Saved → Applied", "Applied → Interviewing", "Added as Saved"]
    {
        see(browser, text).await?;
    }
    Ok(())
}

/// Press keys as a keyboard does: to whatever has focus, nothing else.
async fn press(browser: &Client, keys: &str) -> Result<(), fantoccini::error::CmdError> {
    let mut actions = KeyActions::new("keyboard".into());
    for key in keys.chars() {
        actions = actions.then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
    }
    browser.perform_actions(actions).await
}

/// Press Tab until focus is where `condition` says (at most `tabs` times); how many it took.
async fn tab_until(browser: &Client, condition: &str, tabs: usize) -> Result<usize, fantoccini::error::CmdError> {
    let script = format!("return !!({condition});");
    for pressed in 0..=tabs {
        if browser.execute(&script, vec![]).await? == serde_json::json!(true) {
            return Ok(pressed);
        }
        press(browser, &String::from(char::from(Key::Tab))).await?;
    }
    let focused = browser.execute("return document.activeElement && document.activeElement.outerHTML", vec![]).await?;
    panic!("{tabs} presses of Tab never reached {condition}; focus is on {focused}");
}

fn enter() -> String {
    String::from(char::from(Key::Enter))
}

/// Issue 12, "must show": a keyboard-only journey. Through a form error (focus lands on the
/// summary, whose link takes focus to the field), then a board move (focus lands on the card
/// that moved). No mouse, no clicks: only Tab, Enter and typing, to whatever has focus.
async fn keyboard_only_journey(app: &TestApp, browser: &Client) -> Result<(), fantoccini::error::CmdError> {
    let password = app.signed_up_user("ada@example.com").await;
    sign_in(app, browser, "ada@example.com", password).await?;

    // The first Tab offers the skip link; it takes focus past the navigation.
    browser.goto(&app.url("/contacts/new")).await?;
    press(browser, &String::from(char::from(Key::Tab))).await?;
    wait_until(browser, "document.activeElement.classList.contains('skip-link')").await?;
    press(browser, &enter()).await?;
    let tabs = tab_until(browser, "document.activeElement.id === 'name'", 10).await?;
    assert!(tabs <= 3, "the first field is a few keys after skipping the navigation, not {tabs}");

    // Enter in an empty form: it comes back with the summary focused and a link per mistake.
    press(browser, &enter()).await?;
    see(browser, "Some fields need attention").await?;
    wait_until(browser, "document.activeElement && document.activeElement.hasAttribute('data-error-summary')").await?;
    press(browser, &String::from(char::from(Key::Tab))).await?;
    wait_until(browser, "document.activeElement.matches('[data-error-summary] a[href=\"#name\"]')").await?;
    press(browser, &enter()).await?;
    wait_until(browser, "document.activeElement.id === 'name'").await?;
    press(browser, "Sam Keyboard").await?;
    press(browser, &enter()).await?;
    see(browser, "Saved.").await?;
    see(browser, "Sam Keyboard").await?;

    // An opportunity, typed in.
    browser.goto(&app.url("/opportunities/new")).await?;
    // Past the header and the "From a job posting URL" field above the form.
    tab_until(browser, "document.activeElement.id === 'role'", 50).await?;
    press(browser, "Staff Engineer").await?;
    tab_until(browser, "document.activeElement.id === 'company'", 5).await?;
    press(browser, "Globex").await?;
    press(browser, &enter()).await?;
    see(browser, "Saved.").await?;
    let opportunity = browser.current_url().await?;
    let id = opportunity.path().trim_start_matches("/opportunities/").to_owned();

    // On the board: Tab to the card's Move menu, open it, choose Applied by typing, Move.
    browser.goto(&app.url("/jobs")).await?;
    let on_card = format!("document.activeElement.closest(\"[data-id='{id}']\")");
    tab_until(browser, &format!("{on_card} && document.activeElement.tagName === 'SUMMARY'"), 80).await?;
    press(browser, &enter()).await?;
    wait_until(browser, &format!("document.querySelector(\"[data-id='{id}'] details\").open")).await?;
    tab_until(browser, &format!("document.activeElement.id === 'move-{id}'"), 2).await?;
    press(browser, "Applied").await?;
    wait_until(browser, "document.activeElement.value === 'applied'").await?;
    tab_until(browser, &format!("{on_card} && document.activeElement.type === 'submit'"), 2).await?;
    press(browser, &enter()).await?;
    see(browser, "Saved.").await?;
    wait_until(browser, &format!("document.activeElement && document.activeElement.id === 'card-{id}'")).await?;
    wait_until(browser, &format!("!!document.querySelector(\"[data-status=applied] #card-{id}\")")).await?;
    // From the moved card, the next Tab goes into it: its title link first.
    press(browser, &String::from(char::from(Key::Tab))).await?;
    wait_until(browser, &format!("document.activeElement.getAttribute('href') === '/opportunities/{id}'")).await?;
    Ok(())
}

/// Issue 13: with the fake provider, prepare for an interview from its page. The text appears
/// as it is written, then the kept preparation shows its story bank linked to the journal
/// entry it came from.
async fn ai_preparation_journey(app: &TestApp, browser: &Client) -> Result<(), fantoccini::error::CmdError> {
    let password = app.signed_up_user("ada@example.com").await;
    sign_in(app, browser, "ada@example.com", password).await?;
    import_journey(app, browser).await?;
    browser.goto(&app.url("/journal/new")).await?;
    fill(browser, "#title", "Storage migration retro").await?;
    fill(browser, "#body", "We moved 4 TB with no downtime.").await?;
    click(browser, "form[action='/journal'] button.btn-primary").await?;
    see(browser, "Saved.").await?;
    let entry = browser.current_url().await?.path().trim_start_matches("/journal/").to_owned();

    browser.goto(&app.url("/opportunities/new")).await?;
    fill(browser, "#role", "Principal Engineer").await?;
    fill(browser, "#company", "Globex").await?;
    click(browser, "form[action='/opportunities'] button[type=submit]").await?;
    see(browser, "Saved.").await?;
    click(browser, "a[href^='/interviews/new?opportunity=']").await?;
    fill(browser, "#round_name", "System design").await?;
    wait_until(browser, "document.querySelector('#time_zone').value !== ''").await?;
    browser.execute("document.querySelector('#start').value = '2027-01-12T10:00'", vec![]).await?;
    click(browser, "form[action='/interviews'] button[type=submit]").await?;
    see(browser, "Saved.").await?;

    app.fake_ai().answer(format!(
        "## Story bank\n\n**Moving 4 TB without downtime** [source: {entry}]\n\n## Questions to ask them\n\n1. How is on-call shared?"
    ));
    click(browser, &format!("input[name=journal_entry][value='{entry}']")).await?;
    click(browser, "form[data-ai-stream] button[type=submit]").await?;
    // The kept preparation, with its story linked to the journal entry.
    wait_until(browser, &format!("!!document.querySelector(\".ai-prep-body a[href='/journal/{entry}']\")")).await?;
    see(browser, "How is on-call shared?").await?;
    see(browser, "Written by fake-model").await?;
    click(browser, &format!(".ai-prep-body a[href='/journal/{entry}']")).await?;
    see(browser, "We moved 4 TB with no downtime.").await?;
    Ok(())
}

/// Issue 13: import a resume without AI (the instance has a provider; the user does not use
/// it), drop one row, change another, apply, and find the records.
async fn import_journey(app: &TestApp, browser: &Client) -> Result<(), fantoccini::error::CmdError> {
    let resume = "# Ada Lovelace\n\n## Experience\n\n### Principal Engineer — Analytical Engines Ltd\n\
                  *Mar 2019 – Present* · London\n\n- Rewrote the query planner\n\n\
                  ### Software Engineer — Difference Works\n*Jan 2015 – Feb 2019* · Cambridge\n\n\
                  - Built the billing pipeline\n\n## Skills\n\n- **Languages:** Rust, SQL\n";
    let path = std::env::temp_dir().join(format!("careerlog-journey-{}.md", uuid::Uuid::new_v4()));
    std::fs::write(&path, resume).unwrap();
    browser.goto(&app.url("/experiences")).await?;
    click(browser, "a[href='/career/import']").await?;
    browser.find(Locator::Css("#file")).await?.send_keys(&path.display().to_string()).await?;
    click(browser, "button[name=read_by][value=parser]").await?;
    see(browser, "Review your import").await?;
    let _ = std::fs::remove_file(&path);
    // The row of a role, by its company.
    let row = |company: &str| {
        format!("[...document.querySelectorAll('.import-row')].find(li => li.textContent.includes('{company}'))")
    };
    browser
        .execute(&format!("{}.querySelector('input[type=checkbox]').click()", row("Difference Works")), vec![])
        .await?;
    browser.execute(&format!("{}.querySelector('details').open = true", row("Analytical Engines")), vec![]).await?;
    let role = browser
        .execute(&format!("return {}.querySelector('input[name$=\".role\"]').id", row("Analytical Engines")), vec![])
        .await?;
    fill(browser, &format!("#{}", role.as_str().unwrap()), "Principal Engineer, Query Systems").await?;
    click(browser, "form.import-review button[type=submit]").await?;
    see(browser, "Applied.").await?;
    browser.goto(&app.url("/experiences")).await?;
    see(browser, "Principal Engineer, Query Systems").await?;
    let listed = browser.find(Locator::Css(".record-list")).await?.text().await?;
    assert!(!listed.contains("Difference Works"), "the dropped row was not added: {listed}");
    browser.goto(&app.url("/skills")).await?;
    see(browser, "Rust").await?;
    Ok(())
}

/// Issue 12: fill a complete resume through the forms (contact details, experience with pasted
/// bullets, skills, education, a certification, a language), preview it privately without
/// publishing, and print it with Chromium: one page, as a one-page record should be.
async fn resume_to_send_journey(app: &TestApp, browser: &Client) -> Result<(), fantoccini::error::CmdError> {
    let password = app.signed_up_user("ada@example.com").await;
    sign_in(app, browser, "ada@example.com", password).await?;
    browser.goto(&app.url("/settings/profile")).await?;
    fill(browser, "#display_name", "Ada Lovelace").await?;
    fill(browser, "#job_title", "Staff Engineer").await?;
    fill(browser, "#region", "London").await?;
    fill(browser, "#email", "ada@analytical.example").await?;
    fill(browser, "#phone", "+44 20 7946 0958").await?;
    fill(browser, "#link0_network", "GitHub").await?;
    fill(browser, "#link0_url", "https://github.com/ada").await?;
    fill(browser, "#language0_name", "English").await?;
    fill(browser, "#language0_fluency", "Native or bilingual").await?;
    click(browser, "form[action='/settings/profile'] button.btn-primary").await?;
    see(browser, "Your profile was saved.").await?;

    browser.goto(&app.url("/experiences/new")).await?;
    fill(browser, "#role", "Staff Engineer").await?;
    fill(browser, "#company", "Acme Analytics").await?;
    fill(browser, "#start_date", "2021-03").await?;
    click(browser, "#current").await?;
    fill(browser, "#highlights", "- Cut p99 latency by 60%\n• Led a team of six through a storage migration").await?;
    // "Save and add another": straight on to the next role.
    click(browser, "form[action='/experiences'] button[formaction]").await?;
    see(browser, "Here is a new form for the next one.").await?;
    fill(browser, "#role", "Senior Engineer").await?;
    fill(browser, "#company", "Babbage & Co").await?;
    fill(browser, "#start_date", "2017-01").await?;
    fill(browser, "#end_date", "2021-02").await?;
    click(browser, "form[action='/experiences'] button[type=submit]").await?;
    see(browser, "Saved.").await?;
    for (name, category) in [("Rust", "Languages"), ("PostgreSQL", "Data")] {
        browser.goto(&app.url("/skills/new")).await?;
        fill(browser, "#name", name).await?;
        fill(browser, "#category", category).await?;
        click(browser, "form[action='/skills'] button[type=submit]").await?;
        see(browser, "Saved.").await?;
    }
    browser.goto(&app.url("/education/new")).await?;
    fill(browser, "#institution", "University of London").await?;
    fill(browser, "#study_type", "BSc").await?;
    fill(browser, "#area", "Mathematics").await?;
    click(browser, "form[action='/education'] button[type=submit]").await?;
    see(browser, "Saved.").await?;
    browser.goto(&app.url("/certifications/new")).await?;
    fill(browser, "#name", "Certified Kubernetes Administrator").await?;
    fill(browser, "#issuer", "CNCF").await?;
    click(browser, "form[action='/certifications'] button[type=submit]").await?;
    see(browser, "Saved.").await?;

    // The private preview: nothing published, everything the resume would show.
    browser.goto(&app.url("/resume?contact=all")).await?;
    see(browser, "Private preview: only you can see this page.").await?;
    see(browser, "University of London").await?;
    see(browser, "Certified Kubernetes Administrator").await?;
    see(browser, "ada@analytical.example").await?;
    let source = browser.source().await?;
    assert!(source.contains("<li>Cut p99 latency by 60%</li>"), "pasted bullets are not doubled");
    let pdf = browser.print(fantoccini::wd::PrintConfiguration::default()).await?;
    assert!(pdf.starts_with(b"%PDF"));
    let pages = regex::bytes::Regex::new(r"/Type\s*/Page[^s]").unwrap().find_iter(&pdf).count();
    assert_eq!(pages, 1, "a one-page record prints on one page");

    // The documents to send: the PDF and the Word file, downloaded from the preview.
    click(browser, ".preview-download button[formaction='/api/v1/resume.pdf']").await?;
    let pdf = downloaded(browser, "resume.pdf").await?;
    let text = careerlog::resume::extract_text(&pdf, "resume.pdf", Some("application/pdf")).unwrap().text();
    assert!(text.contains("Ada Lovelace") && text.contains("Acme Analytics") && text.contains("Certified Kubernetes"));
    click(browser, ".preview-download button[formaction='/api/v1/resume.docx']").await?;
    let docx = downloaded(browser, "resume.docx").await?;
    let text = careerlog::resume::extract_text(&docx, "resume.docx", None).unwrap().text();
    assert!(text.contains("Cut p99 latency by 60%") && text.contains("University of London"), "{text}");
    see(browser, "Private preview: only you can see this page.").await?;
    assert_eq!(app.new_browser().get(app.url("/u/ada")).send().await.unwrap().status(), 404, "still unpublished");
    Ok(())
}

async fn a_resume_you_can_send_journey_in_a_real_browser(app: TestApp) {
    run_in_browser(&app, resume_to_send_journey).await
}

async fn a_job_search_journey_in_a_real_browser(app: TestApp) {
    run_in_browser(&app, job_search_journey).await
}

/// Issue 19, item 4: an offer letter attached and downloaded again, two offers recorded in
/// different currencies and compared side by side.
async fn offers_journey(app: &TestApp, browser: &Client) -> Result<(), fantoccini::error::CmdError> {
    let password = app.signed_up_user("ada@example.com").await;
    sign_in(app, browser, "ada@example.com", password).await?;
    let mut opportunities = Vec::new();
    for company in ["Globex", "Initech"] {
        browser.goto(&app.url("/opportunities/new")).await?;
        fill(browser, "#role", "Staff Engineer").await?;
        fill(browser, "#company", company).await?;
        browser.find(Locator::Css("#status")).await?.select_by_value("interviewing").await?;
        click(browser, "form[action='/opportunities'] button[type=submit]").await?;
        see(browser, "Saved.").await?;
        opportunities.push(browser.current_url().await?);
    }

    // The offer letter goes with the application, and comes back as it was sent.
    browser.goto(opportunities[0].as_str()).await?;
    let letter = tempfile::Builder::new().prefix("offer").suffix(".pdf").tempfile().unwrap();
    let bytes = b"%PDF-1.4\n% Globex offer letter\n%%EOF\n".to_vec();
    std::fs::write(letter.path(), &bytes).unwrap();
    browser.find(Locator::Css("#document-kind")).await?.select_by_value("offer_letter").await?;
    fill(browser, "#document-note", "Signed by the CTO").await?;
    browser.find(Locator::Css("#document-file")).await?.send_keys(&letter.path().display().to_string()).await?;
    click(browser, ".document-form button[type=submit]").await?;
    see(browser, "The file was attached.").await?;
    see(browser, "Signed by the CTO").await?;
    let name = letter.path().file_name().unwrap().to_string_lossy().into_owned();
    click(browser, "#documents a[href*='/documents/']").await?;
    assert_eq!(downloaded(browser, &name).await?, bytes);

    // Record an offer: it moves the opportunity to Offer.
    for (url, amount, currency) in [(&opportunities[0], "95000", "EUR"), (&opportunities[1], "£80k", "")] {
        browser.goto(url.as_str()).await?;
        see(browser, "moves this opportunity from Interviewing to Offer").await?;
        click(browser, "#offer a[href$='/offer']").await?;
        fill(browser, "#base_amount", amount).await?;
        fill(browser, "#base_currency", currency).await?;
        fill(browser, "#bonus", "10%").await?;
        click(browser, "form[action$='/offer'] button[type=submit]").await?;
        see(browser, "the opportunity moved to Offer").await?;
    }
    see(browser, "88,000 GBP").await?;

    // Compare the two: chosen by their boxes, side by side, never added together.
    click(browser, "#offer a[href='/offers']").await?;
    see(browser, "Offers side by side").await?;
    for url in &opportunities {
        let id = url.path().trim_start_matches("/opportunities/");
        click(browser, &format!("input[value='{id}']")).await?;
    }
    click(browser, "form.compare-choice button[type=submit]").await?;
    see(browser, "104,500 EUR").await?;
    see(browser, "88,000 GBP").await?;
    see(browser, "never converted or added together").await?;
    let checked = browser.find_all(Locator::Css("input[name='compare']:checked")).await?.len();
    assert_eq!(checked, 2, "the choice is kept");
    Ok(())
}

async fn an_offers_journey_in_a_real_browser(app: TestApp) {
    run_in_browser(&app, offers_journey).await
}

/// Issue 19's journey: a job saved from its posting's address (a job board on loopback), a
/// resume tailored to it and downloaded as a PDF, its offer recorded and compared with another.
async fn application_journey(app: &TestApp, browser: &Client) -> Result<(), fantoccini::error::CmdError> {
    use serde_json::json;
    let board = crate::job_postings::JobBoard::start().await;
    let password = app.signed_up_user("ada@example.com").await;
    let api = crate::career::api_for(app).await;
    api.create(
        "/experiences",
        json!({"role": "Principal Engineer", "company": "Analytical Engines", "start_date": "2019-03",
               "current": true, "on_resume": true,
               "highlights": ["Ran PostgreSQL at scale", "Wrote Rust services for the platform team"]}),
    )
    .await;
    api.create("/skills", json!({"name": "Rust", "category": "Languages"})).await;
    sign_in(app, browser, "ada@example.com", password).await?;

    // Saved from its posting: the form comes back filled in for review, and is saved on Save.
    // What was typed into the form first is kept, through a page that could not be read too.
    browser.goto(&app.url("/opportunities/new")).await?;
    fill(browser, "#next_action", "Ask Sam for a referral").await?;
    fill(browser, "#from-url", &board.url("/empty")).await?;
    click(browser, "form[action='/opportunities/from-url'] button[type=submit]").await?;
    see(browser, "That page has no job posting").await?;
    let kept = browser.find(Locator::Css("#next_action")).await?.prop("value").await?;
    assert_eq!(kept.as_deref(), Some("Ask Sam for a referral"), "typed before the failed read, kept");
    fill(browser, "#from-url", &board.url("/jobs/rust")).await?;
    click(browser, "form[action='/opportunities/from-url'] button[type=submit]").await?;
    see(browser, "Filled in from the job posting").await?;
    let company = browser.find(Locator::Css("#company")).await?.prop("value").await?;
    assert_eq!(company.as_deref(), Some("Ferris Labs"));
    let kept = browser.find(Locator::Css("#next_action")).await?.prop("value").await?;
    assert_eq!(kept.as_deref(), Some("Ask Sam for a referral"), "and kept when the page filled the rest");
    click(browser, "form[action='/opportunities'] button[type=submit]").await?;
    see(browser, "Saved.").await?;
    let opportunity = browser.current_url().await?;
    let id = opportunity.path().trim_start_matches("/opportunities/").to_owned();
    see(browser, "Ask Sam for a referral").await?;

    // A resume tailored to it from the posting's words, previewed, downloaded as a PDF.
    click(browser, &format!("a[href='/opportunities/{id}/resumes/new']")).await?;
    see(browser, "Tailor a resume").await?;
    click(browser, "form[action$='/resumes'] button[type=submit]").await?;
    see(browser, "Keyword coverage").await?;
    click(browser, ".page-header a[href$='/preview']").await?;
    see(browser, "Private preview of the version for").await?;
    click(browser, ".preview-banner a[href$='/download/pdf']").await?;
    let name = careerlog::services::resume_versions::file_name("Resume for Ferris Labs — Senior Rust Engineer", "pdf");
    let pdf = downloaded(browser, &name).await?;
    let text = careerlog::resume::extract_text(&pdf, &name, Some("application/pdf")).unwrap().text();
    assert!(text.contains("Ran PostgreSQL at scale"), "{text}");

    // Its offer recorded on its page, another's through the API, the two side by side.
    browser.goto(opportunity.as_str()).await?;
    click(browser, "#offer a[href$='/offer']").await?;
    fill(browser, "#base_amount", "95000").await?;
    fill(browser, "#base_currency", "EUR").await?;
    click(browser, "form[action$='/offer'] button[type=submit]").await?;
    see(browser, "the opportunity moved to Offer").await?;
    let other = api.create("/opportunities", json!({"company": "Initech", "role": "Staff Engineer"})).await;
    let other = other["id"].as_str().unwrap().to_owned();
    let offer = json!({"base_amount": 80000, "base_currency": "GBP", "base_period": "year"});
    let (status, _) = api.call(reqwest::Method::PUT, &format!("/opportunities/{other}/offer"), Some(&offer)).await;
    assert_eq!(status, 200);
    browser.goto(&app.url("/offers")).await?;
    for chosen in [&id, &other] {
        click(browser, &format!("input[value='{chosen}']")).await?;
    }
    click(browser, "form.compare-choice button[type=submit]").await?;
    see(browser, "Ferris Labs").await?;
    see(browser, "Initech").await?;
    see(browser, "95,000").await?;
    see(browser, "80,000").await?;
    see(browser, "never converted or added together").await?;
    Ok(())
}

async fn an_application_journey_in_a_real_browser(app: TestApp) {
    let Some(app) = TestApp::spawn_with(app.backend, &["--url-fetch-allow-private"]).await else { return };
    run_in_browser(&app, application_journey).await
}

async fn a_keyboard_only_journey_in_a_real_browser(app: TestApp) {
    run_in_browser(&app, keyboard_only_journey).await
}

async fn an_ai_preparation_journey_in_a_real_browser(app: TestApp) {
    let app = TestApp::with_fake_ai(app.backend, &[]).await.unwrap();
    run_in_browser(&app, ai_preparation_journey).await
}

async fn a_public_resume_journey_in_a_real_browser(app: TestApp) {
    run_in_browser(&app, public_resume_journey).await
}

async fn a_career_record_journey_in_a_real_browser(app: TestApp) {
    run_in_browser(&app, career_journey).await
}

async fn run_in_browser<F>(app: &TestApp, journey: F)
where
    F: for<'a> AsyncFnOnce(&'a TestApp, &'a Client) -> Result<(), fantoccini::error::CmdError>,
{
    let Some((_driver, browser)) = start_browser().await else { return };
    let outcome = journey(app, &browser).await;
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

/// A visitor writes to the administrators from the footer's Support link, an administrator
/// answers from the inbox, and the visitor reads the answer by the mailed link and answers back.
async fn support_journey(app: &TestApp, browser: &Client) -> Result<(), fantoccini::error::CmdError> {
    let password = app.signed_up_user("root@example.com").await;
    sqlx::query("UPDATE users SET is_admin = 1 WHERE email = 'root@example.com'")
        .execute(app.state.db.pool())
        .await
        .unwrap();

    browser.goto(&app.url("/")).await?;
    click(browser, "footer a[href='/support']").await?;
    fill(browser, "#email", "visitor@example.net").await?;
    fill(browser, "#subject", "Exporting my data").await?;
    fill(browser, "#message", "How do I take everything with me?").await?;
    click(browser, "form[action='/support'] button[type=submit]").await?;
    see(browser, "Check your inbox").await?;
    let private_link = app.wait_for_mail("visitor@example.net", "We received your message").await.link();

    sign_in(app, browser, "root@example.com", password).await?;
    click(browser, "nav a[href='/admin']").await?;
    click(browser, ".subnav a[href='/admin/tickets']").await?;
    see(browser, "Exporting my data").await?;
    click(browser, "table a[href^='/admin/tickets/']").await?;
    see(browser, "How do I take everything with me?").await?;
    fill(browser, "#message", "Settings, then Your data: one ZIP with everything.").await?;
    click(browser, "form[action$='/reply'] button[type=submit]").await?;
    see(browser, "Your answer was sent and mailed.").await?;
    click(browser, "form[action='/logout'] button").await?;
    see(browser, "You have signed out.").await?;

    let answer = app.wait_for_mail("visitor@example.net", "An answer to your message").await;
    assert!(answer.body.contains("one ZIP with everything"));
    browser.goto(&answer.link()).await?;
    see(browser, "Settings, then Your data: one ZIP with everything.").await?;
    fill(browser, "#message", "Found it, thank you.").await?;
    click(browser, "form[action='/support/ticket/reply'] button[type=submit]").await?;
    see(browser, "Your message was added to the conversation.").await?;
    see(browser, "Found it, thank you.").await?;
    // The first link leads to the same conversation.
    browser.goto(&private_link).await?;
    see(browser, "Found it, thank you.").await?;
    Ok(())
}

async fn a_support_ticket_journey_in_a_real_browser(app: TestApp) {
    run_in_browser(&app, support_journey).await
}

/// Settings → Your data: prepare the full export, watch it get ready, download it (its entries
/// are checked); then delete the account from Settings → Account (a wrong password first), after
/// which signing in fails.
async fn your_data_journey(app: &TestApp, browser: &Client) -> Result<(), fantoccini::error::CmdError> {
    let email = "grace@example.com";
    let password = app.signed_up_user(email).await;
    let typed = [("role", "Rear Admiral"), ("company", "US Navy"), ("start_date", "1967-01"), ("current", "on")];
    assert_eq!(app.submit("/experiences/new", "/experiences", &typed).await.status(), 303);
    sign_in(app, browser, email, password).await?;

    browser.goto(&app.url("/settings")).await?;
    click(browser, "nav a[href='/settings/data']").await?;
    see(browser, "Export everything").await?;
    click(browser, "form[action='/settings/data/exports'] button[type=submit]").await?;
    // The page refreshes itself while the export is prepared, then offers the download.
    let link = browser
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css("a[href^='/settings/data/exports/']"))
        .await?
        .attr("href")
        .await?
        .expect("the download link");
    see(browser, "Your export is ready to download.").await?;
    // Downloaded by the browser itself, with its session.
    click(browser, &format!("a[href='{link}']")).await?;
    let name = format!("careerlog-export-{}.zip", app.clock.now().iso_date());
    let entries = crate::user_data::unzip(&downloaded(browser, &name).await?);
    for name in ["README.txt", "export.json", "csv/experiences.csv", "csv/users.csv"] {
        assert!(entries.contains_key(name), "{name} in {:?}", entries.keys().collect::<Vec<_>>());
    }
    assert!(String::from_utf8_lossy(&entries["csv/experiences.csv"]).contains("Rear Admiral"));

    browser.goto(&app.url("/settings")).await?;
    see(browser, "Delete your account").await?;
    fill(browser, "#delete_password", "not my password at all").await?;
    click(browser, "form[action='/settings/delete-account'] button[type=submit]").await?;
    see(browser, "This is not your current password.").await?;
    fill(browser, "#delete_password", password).await?;
    click(browser, "form[action='/settings/delete-account'] button[type=submit]").await?;
    see(browser, "Your account and everything in it were deleted").await?;
    app.wait_for_mail(email, "account was deleted").await;

    browser.goto(&app.url("/login")).await?;
    fill(browser, "#email", email).await?;
    fill(browser, "#password", password).await?;
    click(browser, "form[action='/login'] button[type=submit]").await?;
    see(browser, "Wrong email address or password.").await?;
    Ok(())
}

async fn a_your_data_journey_in_a_real_browser(app: TestApp) {
    run_in_browser(&app, your_data_journey).await
}
