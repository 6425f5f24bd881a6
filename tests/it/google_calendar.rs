//! The Google Calendar client (read only) against the fake Google, with access tokens from the
//! fake's real token endpoint: a full sync over pages, then incremental syncs that see only what
//! changed; a sync token Google no longer honours; rate limits; expired tokens and missing
//! scopes; all-day events and Meet invitations; and servers that answer with something hostile.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use careerlog::clock::Timestamp;
use careerlog::integrations::calendar::{Attendee, CalendarError, EventTime, GoogleCalendar};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::fake_google::{token_request, FakeGoogle, CALENDAR_SCOPE};

fn at(rfc3339: &str) -> Timestamp {
    Timestamp(jiff::Timestamp::from_str(rfc3339).unwrap().as_millisecond())
}

/// The sync window of these stories: December 2026.
fn december() -> (Timestamp, Timestamp) {
    (at("2026-12-01T00:00:00Z"), at("2027-01-01T00:00:00Z"))
}

fn calendar_of(fake: &FakeGoogle) -> GoogleCalendar {
    GoogleCalendar::new(fake.calendar_api().parse().unwrap())
}

fn ids(events: &[careerlog::integrations::calendar::CalendarEvent]) -> Vec<&str> {
    events.iter().map(|event| event.id.as_str()).collect()
}

fn keys(query: &BTreeMap<String, String>) -> Vec<&str> {
    query.keys().map(String::as_str).collect()
}

/// Five interviews in December and one in January, in Ada's calendar.
fn five_interviews(fake: &FakeGoogle) -> String {
    let sub = fake.account().sub;
    for day in 1..=5 {
        let (start, end) = (format!("2026-12-0{day}T10:00:00+01:00"), format!("2026-12-0{day}T11:00:00+01:00"));
        fake.put_event(&sub, FakeGoogle::event(&format!("interview{day}"), &format!("Interview {day}"), &start, &end));
    }
    fake.put_event(&sub, FakeGoogle::event("january", "Next year", "2027-01-10T10:00:00Z", "2027-01-10T11:00:00Z"));
    sub
}

#[tokio::test]
async fn google_calendar_full_sync_follows_pages_then_incremental_sync_sees_only_what_changed() {
    let fake = FakeGoogle::start().await;
    let sub = five_interviews(&fake);
    fake.set_page_size(2);
    let token = fake.calendar_token().await;
    let calendar = calendar_of(&fake);

    // The first sync reads the whole window, two events a page.
    let full = calendar.changes(&token, None, december()).await.unwrap();
    assert_eq!(ids(&full.events), ["interview1", "interview2", "interview3", "interview4", "interview5"]);
    assert_eq!(full.events[0].title, "Interview 1");
    assert_eq!(full.events[0].start, Some(EventTime::At(at("2026-12-01T09:00:00Z"))));
    let sync_token = full.next_sync_token.expect("the last page carries the sync token");
    let requests = fake.calendar_requests();
    assert_eq!(requests.len(), 3, "three pages");
    assert_eq!(requests[0]["timeMin"], "2026-12-01T00:00:00Z");
    assert_eq!(requests[0]["timeMax"], "2027-01-01T00:00:00Z");
    assert_eq!(requests[0]["singleEvents"], "true");
    assert!(!requests[0].contains_key("pageToken"));
    assert!(requests[1].contains_key("pageToken") && requests[2].contains_key("pageToken"));

    // Then the second interview moves to the afternoon and the fourth is called off.
    let mut moved =
        FakeGoogle::event("interview2", "Interview 2", "2026-12-02T15:00:00+01:00", "2026-12-02T16:00:00+01:00");
    moved["location"] = json!("Room 4");
    fake.put_event(&sub, moved);
    fake.cancel_event(&sub, "interview4");

    // The next sync, one event a page, sees those two and nothing else.
    fake.set_page_size(1);
    let changes = calendar.changes(&token, Some(&sync_token), december()).await.unwrap();
    assert_eq!(ids(&changes.events), ["interview2", "interview4"]);
    assert_eq!(changes.events[0].start, Some(EventTime::At(at("2026-12-02T14:00:00Z"))));
    assert_eq!(changes.events[0].location, "Room 4");
    assert!(!changes.events[0].cancelled);
    assert!(changes.events[1].cancelled);
    assert_eq!(changes.events[1].start, None, "Google sends a deleted event without its times");

    // Nothing changed since: an empty answer, and yet another token.
    let quiet = calendar.changes(&token, changes.next_sync_token.as_deref(), december()).await.unwrap();
    assert!(quiet.events.is_empty());
    assert!(quiet.next_sync_token.is_some());

    // A sync token never travels with a window (Google answers 400 to that).
    let requests = fake.calendar_requests();
    let incremental = &requests[3..];
    assert_eq!(incremental.len(), 3, "two pages of changes, then the quiet one");
    assert_eq!(keys(&incremental[0]), ["maxResults", "singleEvents", "syncToken"]);
    assert_eq!(keys(&incremental[1]), ["maxResults", "pageToken", "singleEvents", "syncToken"]);
    for query in &requests {
        let windowed = ["timeMin", "timeMax", "orderBy", "q", "updatedMin"].iter().any(|k| query.contains_key(*k));
        assert!(!(query.contains_key("syncToken") && windowed), "{query:?}");
    }
}

#[tokio::test]
async fn google_calendar_a_sync_token_google_no_longer_honours_is_gone_and_a_full_sync_starts_over() {
    let fake = FakeGoogle::start().await;
    five_interviews(&fake);
    let token = fake.calendar_token().await;
    let calendar = calendar_of(&fake);
    let first = calendar.changes(&token, None, december()).await.unwrap();

    fake.invalidate_sync_tokens();
    let gone = calendar.changes(&token, first.next_sync_token.as_deref(), december()).await.unwrap_err();
    assert!(matches!(gone, CalendarError::Gone), "{gone:?}");

    // The caller drops the token and starts again: everything, and a token that works.
    let again = calendar.changes(&token, None, december()).await.unwrap();
    assert_eq!(again.events.len(), 5);
    let after = calendar.changes(&token, again.next_sync_token.as_deref(), december()).await.unwrap();
    assert!(after.events.is_empty());
}

#[tokio::test]
async fn google_calendar_rate_limited_answers_say_how_long_to_wait() {
    let fake = FakeGoogle::start().await;
    five_interviews(&fake);
    let token = fake.calendar_token().await;
    let calendar = calendar_of(&fake);

    fake.rate_limit_next(1, 30);
    let limited = calendar.changes(&token, None, december()).await.unwrap_err();
    assert!(
        matches!(limited, CalendarError::RateLimited { retry_after: Some(wait) } if wait == Duration::from_secs(30)),
        "{limited:?}"
    );
    assert_eq!(calendar.changes(&token, None, december()).await.unwrap().events.len(), 5, "the next one passes");
}

#[tokio::test]
async fn google_calendar_an_expired_access_token_is_refused_until_it_is_refreshed() {
    let fake = FakeGoogle::start().await;
    five_interviews(&fake);
    let tokens = fake.sign_in(&format!("openid email {CALENDAR_SCOPE}"), true).await;
    let calendar = calendar_of(&fake);

    fake.expire_access_tokens();
    let expired = tokens["access_token"].as_str().unwrap();
    let refused = calendar.changes(expired, None, december()).await.unwrap_err();
    assert!(matches!(refused, CalendarError::Unauthorized), "{refused:?}");

    let (status, renewed) = token_request(
        &fake,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
            ("client_id", FakeGoogle::CLIENT_ID),
            ("client_secret", FakeGoogle::CLIENT_SECRET),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let fresh = renewed["access_token"].as_str().unwrap();
    assert_eq!(calendar.changes(fresh, None, december()).await.unwrap().events.len(), 5);
}

#[tokio::test]
async fn google_calendar_a_grant_without_the_calendar_scope_is_forbidden() {
    let fake = FakeGoogle::start().await;
    // Google's consent screen lets the person untick the calendar and still sign in.
    let tokens = fake.sign_in("openid email", false).await;
    let refused = calendar_of(&fake).changes(tokens["access_token"].as_str().unwrap(), None, december()).await;
    assert!(
        matches!(refused, Err(CalendarError::Forbidden(ref why)) if why.contains("insufficient authentication scopes")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn google_calendar_an_all_day_offsite_and_a_meet_invitation_read_as_the_person_sees_them() {
    let fake = FakeGoogle::start().await;
    let me = fake.account();
    fake.put_event(&me.sub, FakeGoogle::all_day_event("offsite", "Team offsite", "2026-12-03", "2026-12-05"));
    let mut call = FakeGoogle::event("call", "Screening call", "2026-12-07T16:00:00Z", "2026-12-07T16:30:00Z");
    call["start"]["timeZone"] = json!("America/New_York");
    fake.put_event(&me.sub, FakeGoogle::with_meet(call, "abc-defg-hij", &me.email));

    let token = fake.calendar_token().await;
    let events = calendar_of(&fake).changes(&token, None, december()).await.unwrap().events;
    assert_eq!(ids(&events), ["offsite", "call"]);

    let offsite = &events[0];
    let date = |iso: &str| EventTime::AllDay(jiff::civil::Date::from_str(iso).unwrap());
    assert_eq!((offsite.start, offsite.end), (Some(date("2026-12-03")), Some(date("2026-12-05"))));

    let call = &events[1];
    assert_eq!(call.conference_urls, ["https://meet.google.com/abc-defg-hij"]);
    assert_eq!(call.organizer_email.as_deref(), Some("recruiter@acme.example"));
    assert_eq!(call.time_zone.as_deref(), Some("America/New_York"));
    assert!(call.attendees.contains(&Attendee { email: me.email.clone(), is_self: true, organizer: false }));
    assert!(!call.recurring);
}

#[tokio::test]
async fn google_calendar_the_fake_refuses_a_sync_token_with_a_window_as_google_does() {
    let fake = FakeGoogle::start().await;
    let token = fake.calendar_token().await;
    let calendar = calendar_of(&fake);
    let sync_token = calendar.changes(&token, None, december()).await.unwrap().next_sync_token.unwrap();

    let url = format!("{}/calendars/primary/events", fake.calendar_api());
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(&token)
        .query(&[("syncToken", sync_token.as_str()), ("timeMin", "2026-12-01T00:00:00Z")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], 400);
}

// ---- hostile servers ----

/// A server that answers every request with `head` and then `chunk` `times` over, then closes:
/// no length, no framing, as raw as it gets.
async fn raw_server(head: &'static str, chunk: Vec<u8>, times: usize) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}/calendar/v3", listener.local_addr().unwrap());
    let chunk: Arc<[u8]> = chunk.into();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let chunk = chunk.clone();
            tokio::spawn(async move {
                let mut request = [0u8; 8192];
                let _ = socket.read(&mut request).await;
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for _ in 0..times {
                    // The client hangs up once it has had enough.
                    if socket.write_all(&chunk).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    address
}

const OK_HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";

async fn sync_against(base: &str) -> Result<careerlog::integrations::calendar::Changes, CalendarError> {
    GoogleCalendar::new(base.parse().unwrap()).changes("ya29.token", None, december()).await
}

#[tokio::test]
async fn google_calendar_six_megabytes_of_events_are_refused_not_read() {
    // `{"items": [` then events, 6 MB of them, never closed.
    let mut chunk = b"{\"items\": [".to_vec();
    while chunk.len() < 64 * 1024 {
        chunk.extend_from_slice(br#"{"id": "spam", "summary": "Buy now"},"#);
    }
    let base = raw_server(OK_HEAD, chunk, 96).await;
    let refused = sync_against(&base).await.unwrap_err();
    assert!(matches!(refused, CalendarError::Malformed(ref why) if why.contains("larger")), "{refused:?}");
}

#[tokio::test]
async fn google_calendar_answers_that_are_not_a_page_of_events_are_malformed() {
    for body in [&b"{\"items\": [{\"id\": \"x\""[..], b"<html>Service Unavailable</html>", b"", b"\xff\xfe{}"] {
        let base = raw_server(OK_HEAD, body.to_vec(), 1).await;
        let refused = sync_against(&base).await.unwrap_err();
        assert!(matches!(refused, CalendarError::Malformed(_)), "{:?}: {refused:?}", String::from_utf8_lossy(body));
    }
}

#[tokio::test]
async fn google_calendar_a_server_that_pages_forever_is_given_up_after_forty_pages() {
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    let app = axum::Router::new().fallback(move || {
        let n = counted.fetch_add(1, Ordering::SeqCst);
        async move { axum::Json(json!({"items": [{"id": format!("e{n}")}], "nextPageToken": format!("p{n}")})) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/calendar/v3", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let refused = sync_against(&base).await.unwrap_err();
    assert!(matches!(refused, CalendarError::Malformed(ref why) if why == "too many pages"), "{refused:?}");
    assert_eq!(requests.load(Ordering::SeqCst), 40);
}

#[tokio::test]
async fn google_calendar_a_redirect_is_not_followed_with_the_token() {
    // Where the redirect points: it must never be asked anything.
    let elsewhere = Arc::new(AtomicUsize::new(0));
    let hits = elsewhere.clone();
    let trap = axum::Router::new().fallback(move || {
        hits.fetch_add(1, Ordering::SeqCst);
        async { "{}" }
    });
    let trap_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let trap_url = format!("http://{}/steal", trap_listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(trap_listener, trap).await.unwrap() });

    let redirecting = axum::Router::new()
        .fallback(move || async move { (StatusCode::FOUND, [(axum::http::header::LOCATION, trap_url)]) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/calendar/v3", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, redirecting).await.unwrap() });

    let refused = sync_against(&base).await.unwrap_err();
    assert!(matches!(refused, CalendarError::Server(302)), "{refused:?}");
    assert_eq!(elsewhere.load(Ordering::SeqCst), 0);
}
