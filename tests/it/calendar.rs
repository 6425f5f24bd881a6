//! The private calendar feed (issue 5, point 7): an unguessable `.ics` address with the user's
//! interviews and due next actions. It is valid iCalendar, shows nobody else's data, and stops
//! working the moment it is replaced or turned off.

use std::io::BufReader;
use std::time::Duration;

use careerlog::clock::Clock;
use ical::parser::ical::component::{IcalCalendar, IcalEvent};
use serde_json::json;

use crate::career::{api_for, Api};
use crate::on_both_databases;
use crate::support::{location, TestApp};

on_both_databases!(
    promise_the_calendar_feed_is_private_valid_icalendar_and_stops_when_revoked,
    another_users_feed_never_shows_the_first_users_data_and_forms_need_a_csrf_token,
    an_interview_in_the_feed_names_its_interviewers_and_reminds_an_hour_before,
);

/// The year of a 1 December the feed's window holds: this year's until four weeks after it,
/// then next year's (never more than 340 days ahead). An interview at 14:00 in Berlin (CET in
/// December) starts at 13:00 UTC that day.
fn december_in_window(app: &TestApp) -> i32 {
    let now = app.clock.now();
    let year = now.date().year();
    let december = time::Date::from_calendar_date(year, time::Month::December, 1).unwrap();
    let four_weeks_after = december.midnight().assume_utc().unix_timestamp() * 1000 + 28 * 24 * 3600 * 1000;
    if now.millis() < four_weeks_after {
        year
    } else {
        year + 1
    }
}

/// A day `days` from now (UTC), as `YYYY-MM-DD`.
fn day_from_now(app: &TestApp, days: u64) -> String {
    app.clock.now().plus(Duration::from_secs(days * 24 * 3600)).iso_date()
}

/// Make (or replace) the signed-in browser's feed through the settings form; its absolute URL as
/// shown once on the page, and the path to fetch it here.
/// A place long enough that its line must be folded.
const LONG_PLACE: &str = "Globex HQ, Building 4, Room 12; ask for the platform team at the front desk, second floor";

pub(crate) async fn make_feed(app: &TestApp) -> (String, String) {
    let response = app.submit("/settings/calendar", "/settings/calendar", &[]).await;
    assert_eq!(response.status(), 201);
    let html = response.text().await.unwrap();
    let url = regex::Regex::new(r#"id="feed-url" class="token-value">([^<]+)<"#)
        .unwrap()
        .captures(&html)
        .expect("the new address is on the page")[1]
        .to_owned();
    let path = url.strip_prefix(&app.base_url).unwrap_or_else(|| panic!("{url} is absolute")).to_owned();
    assert!(
        regex::Regex::new(r"^/calendar/[A-Za-z0-9_-]{43}\.ics$").unwrap().is_match(&path),
        "an unguessable address: {path}"
    );
    (url, path)
}

/// Fetch a feed as a calendar app does: no cookies, no session.
async fn fetch(app: &TestApp, path: &str) -> reqwest::Response {
    app.new_browser().get(app.url(path)).send().await.unwrap()
}

async fn feed_status(app: &TestApp, path: &str) -> u16 {
    fetch(app, path).await.status().as_u16()
}

/// Fetch a feed, check it line by line (CRLF, at most 75 octets), and parse it.
async fn read_feed(app: &TestApp, path: &str) -> (String, IcalCalendar) {
    let response = fetch(app, path).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/calendar; charset=utf-8");
    assert_eq!(headers["cache-control"], "private, no-store");
    assert_eq!(headers["x-robots-tag"], "noindex");
    assert_eq!(headers["content-disposition"], "inline; filename=\"careerlog.ics\"");
    let bytes = response.bytes().await.unwrap();
    let text = String::from_utf8(bytes.to_vec()).expect("UTF-8");
    assert!(text.ends_with("\r\n"), "the last line ends in CRLF too");
    for line in text.strip_suffix("\r\n").unwrap().split("\r\n") {
        assert!(!line.contains('\n') && !line.contains('\r'), "every line ends with CRLF: {line:?}");
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        assert!(!line.is_empty());
    }
    let mut parser = ical::IcalParser::new(BufReader::new(bytes.as_ref()));
    let calendar = parser.next().expect("one calendar").expect("valid iCalendar");
    assert!(parser.next().is_none(), "exactly one calendar");
    (text, calendar)
}

fn value<'a>(properties: &'a [ical::property::Property], name: &str) -> Option<&'a str> {
    properties.iter().find(|p| p.name == name).and_then(|p| p.value.as_deref())
}

fn prop<'a>(event: &'a IcalEvent, name: &str) -> &'a str {
    value(&event.properties, name).unwrap_or_else(|| panic!("{name} in {event:?}"))
}

fn params(event: &IcalEvent, name: &str) -> Vec<(String, Vec<String>)> {
    event.properties.iter().find(|p| p.name == name).and_then(|p| p.params.clone()).unwrap_or_default()
}

fn event<'a>(calendar: &'a IcalCalendar, uid: &str) -> &'a IcalEvent {
    calendar
        .events
        .iter()
        .find(|e| value(&e.properties, "UID") == Some(uid))
        .unwrap_or_else(|| panic!("no event {uid} in {:?}", calendar.events))
}

fn uids(calendar: &IcalCalendar) -> Vec<String> {
    calendar.events.iter().filter_map(|e| value(&e.properties, "UID").map(str::to_owned)).collect()
}

async fn feed_hashes(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT token_hash FROM calendar_feeds ORDER BY token_hash")
        .fetch_all(app.state.db.pool())
        .await
        .unwrap()
}

async fn opportunity(api: &Api, body: serde_json::Value) -> String {
    api.create("/opportunities", body).await["id"].as_str().unwrap().to_owned()
}

async fn interview(api: &Api, body: serde_json::Value) -> String {
    api.create("/interviews", body).await["id"].as_str().unwrap().to_owned()
}

async fn promise_the_calendar_feed_is_private_valid_icalendar_and_stops_when_revoked(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let year = december_in_window(&app);
    let due = day_from_now(&app, 3);
    let globex = opportunity(
        &api,
        json!({"company": "Globex", "role": "Staff Engineer", "status": "interviewing",
               "next_action": "Send thank-you notes, then wait", "next_action_due": due}),
    )
    .await;
    // A settled opportunity's next action is not due any more; one without a day is not listed.
    let closed = opportunity(
        &api,
        json!({"company": "Initech", "role": "Engineer", "status": "rejected",
               "next_action": "Ask for feedback", "next_action_due": due}),
    )
    .await;
    let undated =
        opportunity(&api, json!({"company": "Umbrella", "role": "Engineer", "next_action": "Research them"})).await;
    let prep = "Review the system design notes; practise the whiteboard, aloud. ".repeat(4);
    let first = interview(
        &api,
        json!({"opportunity_id": globex, "round_name": "First round", "kind": "technical",
               "start": format!("{year}-12-01T14:00"), "time_zone": "Europe/Berlin", "duration_minutes": 45,
               "meeting_url": "https://meet.example.com/abc-defg-hij", "prep_notes": prep}),
    )
    .await;
    let second = interview(
        &api,
        json!({"opportunity_id": globex, "round_name": "Round 2; panel, live", "kind": "panel",
               "start": format!("{year}-12-02T10:30"), "time_zone": "Europe/Berlin", "duration_minutes": 60,
               "location": LONG_PLACE, "outcome": "cancelled"}),
    )
    .await;

    // Off until asked for.
    let (status, page) = app.get_text("/settings/calendar").await;
    assert_eq!(status, 200);
    assert!(page.contains("Make a calendar address") && !page.contains("Replace address"));
    assert!(page.contains("Anyone who has the address can read these events"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM calendar_feeds").await, 0);

    let (url, path) = make_feed(&app).await;
    assert!(url.starts_with(&app.base_url));
    let secret = path.trim_start_matches("/calendar/").trim_end_matches(".ics").to_owned();
    let stored: String =
        sqlx::query_scalar("SELECT token_hash FROM calendar_feeds").fetch_one(app.state.db.pool()).await.unwrap();
    assert_ne!(stored, secret, "only a hash of the secret is kept");
    assert_eq!(stored, careerlog::secrets::hash_token(&secret));

    // Shown once: the page does not show it again.
    let (_, page) = app.get_text("/settings/calendar").await;
    assert!(!page.contains(&secret) && page.contains("Replace address") && page.contains("Turn off"));

    let (text, calendar) = read_feed(&app, &path).await;
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Careerlog//Careerlog//EN\r\n"));
    assert_eq!(value(&calendar.properties, "VERSION"), Some("2.0"));
    assert_eq!(value(&calendar.properties, "CALSCALE"), Some("GREGORIAN"));
    assert!(value(&calendar.properties, "METHOD").is_none(), "a subscribed feed is no iTIP message");
    assert_eq!(value(&calendar.properties, "X-WR-CALNAME"), Some("Careerlog job search"));

    let mut listed = uids(&calendar);
    listed.sort();
    // The next action is the opportunity's task, in the feed as every task with a day is.
    let (_, tasks) = api.get(&format!("/tasks?opportunity={globex}")).await;
    let task = tasks["items"][0]["id"].as_str().unwrap().to_owned();
    let mut expected = vec![
        format!("interview-{first}@careerlog"),
        format!("interview-{second}@careerlog"),
        format!("task-{task}@careerlog"),
    ];
    expected.sort();
    assert_eq!(listed, expected, "no settled or undated next actions ({closed}, {undated})");

    let one = event(&calendar, &format!("interview-{first}@careerlog"));
    assert_eq!(prop(one, "SUMMARY"), "First round: Staff Engineer at Globex");
    assert_eq!(prop(one, "DTSTART"), format!("{year}1201T130000Z"));
    assert_eq!(prop(one, "DTEND"), format!("{year}1201T134500Z"));
    assert_eq!(prop(one, "URL"), "https://meet.example.com/abc-defg-hij");
    assert_eq!(prop(one, "LOCATION"), "https://meet.example.com/abc-defg-hij", "the link, when there is no place");
    let description = prop(one, "DESCRIPTION");
    assert!(description.contains("Kind: Technical\\n"), "{description}");
    assert!(description.contains("(Europe/Berlin)"), "{description}");
    assert!(!description.contains("Review the system design notes"), "preparation notes stay private");
    assert!(prop(one, "DTSTAMP").ends_with('Z') && prop(one, "LAST-MODIFIED").ends_with('Z'));
    assert!(value(&one.properties, "STATUS").is_none());
    assert!(text.contains("LOCATION:") && text.contains("\r\n "), "the long location is folded");

    let two = event(&calendar, &format!("interview-{second}@careerlog"));
    assert!(
        prop(two, "LOCATION").ends_with("ask for the platform team at the front desk\\, second floor"),
        "long text is folded and unfolded intact"
    );
    assert_eq!(prop(two, "SUMMARY"), "Round 2\\; panel\\, live: Staff Engineer at Globex");
    assert_eq!(prop(two, "DTSTART"), format!("{year}1202T093000Z"));
    assert_eq!(prop(two, "STATUS"), "CANCELLED");
    assert!(value(&two.properties, "URL").is_none());

    let action = event(&calendar, &format!("task-{task}@careerlog"));
    assert_eq!(prop(action, "SUMMARY"), "Task: Send thank-you notes\\, then wait (Globex · Staff Engineer)");
    let day = due.replace('-', "");
    assert_eq!(prop(action, "DTSTART"), day);
    assert_eq!(params(action, "DTSTART"), vec![("VALUE".to_owned(), vec!["DATE".to_owned()])]);
    let next_day = app.clock.now().plus(Duration::from_secs(4 * 24 * 3600)).iso_date().replace('-', "");
    assert_eq!(prop(action, "DTEND"), next_day);
    assert_eq!(prop(action, "TRANSP"), "TRANSPARENT");

    // A new address: the old one stops at once, the new one works.
    let (_, new_path) = make_feed(&app).await;
    assert_ne!(new_path, path);
    assert_eq!(feed_status(&app, &path).await, 404);
    let (_, calendar) = read_feed(&app, &new_path).await;
    assert_eq!(calendar.events.len(), 3);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM calendar_feeds").await, 1);

    // Turned off: nothing answers.
    let response = app.submit("/settings/calendar", "/settings/calendar/off", &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/settings/calendar?notice=calendar_off");
    assert_eq!(feed_status(&app, &new_path).await, 404);
    assert_eq!(feed_status(&app, &path).await, 404);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM calendar_feeds").await, 0);
    let (_, page) = app.get_text("/settings/calendar?notice=calendar_off").await;
    assert!(page.contains("The calendar feed is off") && page.contains("Make a calendar address"));
}

async fn another_users_feed_never_shows_the_first_users_data_and_forms_need_a_csrf_token(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let year = december_in_window(&app);
    let globex = opportunity(
        &api,
        json!({"company": "Globex", "role": "Staff Engineer", "next_action": "Call Sam",
               "next_action_due": day_from_now(&app, 1)}),
    )
    .await;
    interview(
        &api,
        json!({"opportunity_id": globex, "round_name": "First round", "kind": "technical",
               "start": format!("{year}-12-01T14:00"), "time_zone": "Europe/Berlin", "duration_minutes": 45}),
    )
    .await;
    let (_, ada_path) = make_feed(&app).await;
    assert_eq!(read_feed(&app, &ada_path).await.1.events.len(), 2);
    assert_eq!(app.sign_out().await.status(), 303);

    // Signed out, the settings page asks to sign in.
    let response = app.get("/settings/calendar").await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).starts_with("/login"));

    // Bob's feed is his own: empty, with nothing of Ada's.
    app.signed_up_user("bob@example.com").await;
    let (_, bob_path) = make_feed(&app).await;
    let (text, calendar) = read_feed(&app, &bob_path).await;
    assert!(calendar.events.is_empty(), "{:?}", calendar.events);
    assert!(!text.contains("Globex") && !text.contains(&globex));
    // Bob making his feed left Ada's alone.
    assert_eq!(read_feed(&app, &ada_path).await.1.events.len(), 2);

    // Made-up, malformed and incomplete addresses all get the same 404.
    let made_up = format!("/calendar/{}.ics", "A".repeat(43));
    let ada_secret = ada_path.trim_start_matches("/calendar/").trim_end_matches(".ics");
    for path in [
        made_up.as_str(),
        "/calendar/short.ics",
        "/calendar/.ics",
        &format!("/calendar/{ada_secret}"),
        &format!("/calendar/{ada_secret}.ics.ics"),
        &format!("/calendar/{}.ics", &ada_secret[..42]),
    ] {
        assert_eq!(feed_status(&app, path).await, 404, "{path}");
    }

    // Forms without the CSRF token are refused, and change nothing.
    let before = feed_hashes(&app).await;
    for action in ["/settings/calendar", "/settings/calendar/off"] {
        let response = app.client.post(app.url(action)).form(&[("x", "1")]).send().await.unwrap();
        assert_eq!(response.status(), 403, "{action}");
        let response = app.client.post(app.url(action)).form(&[("_csrf", "not-the-token")]).send().await.unwrap();
        assert_eq!(response.status(), 403, "{action}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM calendar_feeds").await, 2);
    assert_eq!(feed_status(&app, &bob_path).await, 200);
    let after = feed_hashes(&app).await;
    assert_eq!(before, after);

    // Bob turning his feed off leaves Ada's working.
    let response = app.submit("/settings/calendar", "/settings/calendar/off", &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(feed_status(&app, &bob_path).await, 404);
    assert_eq!(feed_status(&app, &ada_path).await, 200);
}

/// Issue 12 (polish): the feed's interviews name their interviewers and carry a reminder an hour
/// before (a VALARM); the new address is offered as a one-click `webcal:` subscription.
async fn an_interview_in_the_feed_names_its_interviewers_and_reminds_an_hour_before(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let job = opportunity(&api, json!({"role": "SRE", "company": "Globex"})).await;
    let start = format!("{}T10:00", day_from_now(&app, 3));
    let round = interview(
        &api,
        json!({"opportunity_id": job, "round_name": "Onsite", "kind": "onsite", "start": start,
               "time_zone": "UTC", "duration_minutes": 60}),
    )
    .await;
    let sam = api.create("/contacts", json!({"name": "Sam Panel", "company": "Globex"})).await;
    let connect = format!("/interviews/{round}/interviewers/{}", sam["id"].as_str().unwrap());
    assert_eq!(api.call(reqwest::Method::PUT, &connect, None).await.0, 204);

    let response = app.submit("/settings/calendar", "/settings/calendar", &[]).await;
    let html = response.text().await.unwrap();
    let webcal = format!(r#"href="webcal://{}/calendar/"#, app.base_url.trim_start_matches("http://"));
    assert!(html.contains(&webcal), "{html}");
    let url = regex::Regex::new(r#"id="feed-url" class="token-value">([^<]+)<"#).unwrap().captures(&html).unwrap()[1]
        .to_owned();
    let (text, calendar) = read_feed(&app, url.strip_prefix(&app.base_url).unwrap()).await;
    let onsite = event(&calendar, &format!("interview-{round}@careerlog"));
    let description = onsite.properties.iter().find(|p| p.name == "DESCRIPTION").unwrap().value.clone().unwrap();
    assert!(description.contains("Interviewers: Sam Panel (Globex)"), "{description}");
    assert_eq!(onsite.alarms.len(), 1, "one reminder");
    assert!(text.contains("TRIGGER:-PT60M\r\n"));
}
