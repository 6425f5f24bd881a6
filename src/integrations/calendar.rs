//! Google Calendar API v3, read only: the events of someone's primary calendar, by a full sync
//! over a time window or an incremental one from the sync token the last sync ended with.
//!
//! Plain reqwest and serde_json rather than the generated `google-calendar3` crate: it is heavy
//! and hard to point at a fake. Answers are read leniently (Google adds fields, and an event
//! written by someone else's calendar program may lack any of them) but their size is capped.

use std::str::FromStr;
use std::time::Duration;

use serde_json::Value;
use url::Url;

use crate::clock::Timestamp;

pub const DEFAULT_API_URL: &str = "https://www.googleapis.com/calendar/v3";

/// Larger than any real page of 250 events; a server sending more is not reading our request.
const MAX_ANSWER_BYTES: usize = 5 * 1024 * 1024;
/// Error bodies are only read for their reason: a little is enough.
const MAX_ERROR_BYTES: usize = 64 * 1024;
/// 40 pages of 250 events is 10 000 events in a window: more means a server going round in circles.
const MAX_PAGES: usize = 40;
const PAGE_SIZE: &str = "250";

#[derive(Clone)]
pub struct GoogleCalendar {
    http: reqwest::Client,
    events: Url,
}

/// What a sync found, and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Changes {
    pub events: Vec<CalendarEvent>,
    pub next_sync_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CalendarEvent {
    pub id: String,
    /// status "cancelled": the event was deleted (or the occurrence cancelled).
    pub cancelled: bool,
    pub title: String,
    /// As Google keeps it: may hold HTML, written by whoever sent the invitation.
    pub description: String,
    pub location: String,
    pub organizer_email: Option<String>,
    pub attendees: Vec<Attendee>,
    /// hangoutLink and conferenceData.entryPoints[].uri of type "video"; http(s) only, since
    /// they come from other people's invitations and end up as links.
    pub conference_urls: Vec<String>,
    /// None for a cancelled event that came without times.
    pub start: Option<EventTime>,
    pub end: Option<EventTime>,
    /// The IANA zone the event was written in (start.timeZone), when given.
    pub time_zone: Option<String>,
    /// recurringEventId present or recurrence non-empty.
    pub recurring: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attendee {
    pub email: String,
    pub is_self: bool,
    pub organizer: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EventTime {
    At(Timestamp),
    /// An all-day event's `date`; the end date is exclusive.
    AllDay(jiff::civil::Date),
}

#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error("the sync token is no longer valid")]
    Gone,
    /// 429, or 403 with reason rateLimitExceeded / userRateLimitExceeded.
    #[error("rate limited")]
    RateLimited { retry_after: Option<Duration> },
    #[error("the access token was refused")]
    Unauthorized,
    /// Any other 403, e.g. the grant lacks the calendar scope.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A 5xx, or any other status this client has no meaning for (400, 404, a redirect).
    #[error("server error {0}")]
    Server(u16),
    #[error("network: {0}")]
    Network(String),
    #[error("unreadable answer: {0}")]
    Malformed(String),
}

impl GoogleCalendar {
    pub fn new(base: Url) -> Self {
        let http = reqwest::Client::builder()
            // The API does not move; a redirect would only carry the bearer token somewhere else.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .user_agent(concat!("careerlog/", env!("CARGO_PKG_VERSION")))
            .build()
            // Only fails when the TLS backend cannot start, which no configuration can fix.
            .expect("the HTTP client for Google Calendar could not be built");
        Self { http, events: events_url(&base) }
    }

    /// Every event changed since `sync_token` (incremental), or every event in `window` when
    /// there is no token (a full sync), following pages; with the token to use next time.
    /// Gone (HTTP 410) means the token is no longer valid: the caller drops it and calls again without one.
    pub async fn changes(
        &self,
        access_token: &str,
        sync_token: Option<&str>,
        window: (Timestamp, Timestamp),
    ) -> Result<Changes, CalendarError> {
        let mut events = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let url = self.page_url(sync_token, window, page_token.as_deref());
            let page = parse_page(&self.get(url, access_token).await?)?;
            events.extend(page.events);
            match page.next_page_token {
                Some(next) => page_token = Some(next),
                None => return Ok(Changes { events, next_sync_token: page.next_sync_token }),
            }
        }
        Err(CalendarError::Malformed("too many pages".into()))
    }

    fn page_url(&self, sync_token: Option<&str>, window: (Timestamp, Timestamp), page_token: Option<&str>) -> Url {
        let mut url = self.events.clone();
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("singleEvents", "true").append_pair("maxResults", PAGE_SIZE);
            match sync_token {
                // Google answers 400 when a sync token comes with timeMin, timeMax, orderBy, q or
                // updatedMin: the token already stands for the query it was made by.
                Some(token) => {
                    query.append_pair("syncToken", token);
                }
                None => {
                    query.append_pair("timeMin", &window.0.rfc3339()).append_pair("timeMax", &window.1.rfc3339());
                }
            }
            if let Some(page) = page_token {
                query.append_pair("pageToken", page);
            }
        }
        url
    }

    async fn get(&self, url: Url, access_token: &str) -> Result<Value, CalendarError> {
        let response = self
            .http
            .get(url)
            .bearer_auth(access_token)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(network)?;
        let status = response.status();
        if !status.is_success() {
            let retry_after = retry_after(response.headers());
            // The status decides; an error body too large or cut off only loses the reason.
            let body = read_at_most(response, MAX_ERROR_BYTES).await.ok().flatten().unwrap_or_default();
            return Err(refusal(status.as_u16(), retry_after, &body));
        }
        let body = read_at_most(response, MAX_ANSWER_BYTES)
            .await?
            .ok_or_else(|| CalendarError::Malformed(format!("the answer is larger than {MAX_ANSWER_BYTES} bytes")))?;
        serde_json::from_slice(&body).map_err(|e| CalendarError::Malformed(format!("not JSON: {e}")))
    }
}

/// `{base}/calendars/primary/events`, whether or not the base ends with a slash.
fn events_url(base: &Url) -> Url {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty().extend(["calendars", "primary", "events"]);
    }
    url
}

/// The body, or None once it grows past `limit` (read in chunks, so a huge answer is never held).
async fn read_at_most(mut response: reqwest::Response, limit: usize) -> Result<Option<Vec<u8>>, CalendarError> {
    if response.content_length().is_some_and(|length| length > limit as u64) {
        return Ok(None);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(network)? {
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

fn network(err: reqwest::Error) -> CalendarError {
    // reqwest's own message is terse ("error sending request"); the causes say what happened.
    let err = err.without_url();
    let mut message = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    CalendarError::Network(message)
}

/// `Retry-After` in seconds, when given (the HTTP-date form is not used by Google).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// What a refusal means, from its status and Google's error body
/// (`{"error": {"code", "message", "errors": [{"domain", "reason", "message"}]}}`).
/// Any refusal in Google's `usageLimits` domain is about the project's quotas or setup, never
/// one user's grant: it is waited out, not answered with "reconnect".
fn usage_limited(error: &Value) -> bool {
    error["errors"].as_array().is_some_and(|errors| errors.iter().any(|e| e["domain"] == "usageLimits"))
}

fn refusal(status: u16, retry_after: Option<Duration>, body: &[u8]) -> CalendarError {
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let error = &body["error"];
    let reasons: Vec<&str> = match error["errors"].as_array() {
        Some(errors) => errors.iter().filter_map(|e| e["reason"].as_str()).collect(),
        None => Vec::new(),
    };
    match status {
        401 => CalendarError::Unauthorized,
        410 => CalendarError::Gone,
        429 => CalendarError::RateLimited { retry_after },
        // Google also sends its rate and quota refusals as 403: the project's daily quota is
        // everyone's, and must never read as one user's grant being refused.
        403 if usage_limited(error)
            || reasons.iter().any(|r| {
                matches!(*r, "rateLimitExceeded" | "userRateLimitExceeded" | "dailyLimitExceeded" | "quotaExceeded")
            }) =>
        {
            CalendarError::RateLimited { retry_after }
        }
        403 => {
            let message = error["message"].as_str().or(reasons.first().copied()).unwrap_or("no reason given");
            // Written by the server: kept short for logs and pages.
            CalendarError::Forbidden(message.chars().take(200).collect())
        }
        other => CalendarError::Server(other),
    }
}

struct Page {
    events: Vec<CalendarEvent>,
    next_page_token: Option<String>,
    next_sync_token: Option<String>,
}

fn parse_page(body: &Value) -> Result<Page, CalendarError> {
    if !body.is_object() {
        return Err(CalendarError::Malformed("the answer is not a JSON object".into()));
    }
    let items: &[Value] = match &body["items"] {
        Value::Array(items) => items,
        Value::Null => &[],
        _ => return Err(CalendarError::Malformed("`items` is not a list".into())),
    };
    Ok(Page {
        // An item without an id cannot be matched with anything later: nothing to keep.
        events: items.iter().filter_map(parse_event).collect(),
        next_page_token: non_empty(&body["nextPageToken"]),
        next_sync_token: non_empty(&body["nextSyncToken"]),
    })
}

/// One event from Google's JSON; None when it has no id. Every other field may be missing or
/// of an unexpected type, and then reads as empty.
fn parse_event(item: &Value) -> Option<CalendarEvent> {
    let id = non_empty(&item["id"])?;
    let attendees = item["attendees"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|a| {
                    Some(Attendee {
                        email: non_empty(&a["email"])?,
                        is_self: a["self"].as_bool().unwrap_or(false),
                        organizer: a["organizer"].as_bool().unwrap_or(false),
                    })
                })
                .collect()
        })
        .unwrap_or_default();

    let mut conference_urls: Vec<String> = Vec::new();
    let video_entry_points = item["conferenceData"]["entryPoints"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|entry| entry["entryPointType"].as_str() == Some("video"))
        .map(|entry| &entry["uri"]);
    for uri in std::iter::once(&item["hangoutLink"]).chain(video_entry_points) {
        // The hangoutLink and the Meet entry point are usually the same address.
        if let Some(uri) = uri.as_str().filter(|uri| is_web_address(uri)) {
            if !conference_urls.iter().any(|known| known == uri) {
                conference_urls.push(uri.to_owned());
            }
        }
    }

    let recurring = non_empty(&item["recurringEventId"]).is_some()
        || item["recurrence"].as_array().is_some_and(|rules| !rules.is_empty());

    Some(CalendarEvent {
        id,
        cancelled: item["status"].as_str() == Some("cancelled"),
        title: text(&item["summary"]),
        description: text(&item["description"]),
        location: text(&item["location"]),
        organizer_email: non_empty(&item["organizer"]["email"]),
        attendees,
        conference_urls,
        start: event_time(&item["start"]),
        end: event_time(&item["end"]),
        time_zone: non_empty(&item["start"]["timeZone"]),
        recurring,
    })
}

/// `{dateTime, timeZone}` or `{date}`. Google writes dateTime with an offset; one without is read
/// in the event's own zone, as RFC 5545 calendars mean it.
fn event_time(value: &Value) -> Option<EventTime> {
    if let Some(text) = value["dateTime"].as_str() {
        if let Ok(instant) = jiff::Timestamp::from_str(text) {
            return Some(EventTime::At(Timestamp(instant.as_millisecond())));
        }
        let zone = value["timeZone"].as_str().and_then(|name| jiff::tz::TimeZone::get(name).ok());
        if let (Ok(civil), Some(zone)) = (jiff::civil::DateTime::from_str(text), zone) {
            if let Ok(zoned) = civil.to_zoned(zone) {
                return Some(EventTime::At(Timestamp(zoned.timestamp().as_millisecond())));
            }
        }
    }
    let date = value["date"].as_str()?;
    jiff::civil::Date::from_str(date).ok().map(EventTime::AllDay)
}

fn is_web_address(uri: &str) -> bool {
    Url::parse(uri).is_ok_and(|url| matches!(url.scheme(), "https" | "http"))
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn non_empty(value: &Value) -> Option<String> {
    value.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn at(rfc3339: &str) -> Option<EventTime> {
        Some(EventTime::At(Timestamp(jiff::Timestamp::from_str(rfc3339).unwrap().as_millisecond())))
    }

    fn day(iso: &str) -> Option<EventTime> {
        Some(EventTime::AllDay(jiff::civil::Date::from_str(iso).unwrap()))
    }

    #[test]
    fn an_interview_with_a_meet_link_reads_whole() {
        let event = parse_event(&json!({
            "kind": "calendar#event",
            "etag": "\"3391234567890000\"",
            "id": "interview1",
            "status": "confirmed",
            "htmlLink": "https://www.google.com/calendar/event?eid=abc",
            "created": "2026-11-01T09:00:00.000Z",
            "updated": "2026-11-02T09:00:00.000Z",
            "summary": "Interview: Staff Engineer",
            "description": "<b>Bring</b> your portfolio",
            "location": "Alexanderplatz 1, Berlin",
            "creator": {"email": "recruiter@acme.example"},
            "organizer": {"email": "recruiter@acme.example", "displayName": "Rita"},
            "start": {"dateTime": "2026-12-01T14:00:00+01:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2026-12-01T15:00:00+01:00", "timeZone": "Europe/Berlin"},
            "iCalUID": "interview1@google.com",
            "sequence": 0,
            "attendees": [
                {"email": "recruiter@acme.example", "organizer": true, "responseStatus": "accepted"},
                {"email": "me@example.com", "self": true, "responseStatus": "needsAction"},
            ],
            "hangoutLink": "https://meet.google.com/abc-defg-hij",
            "conferenceData": {
                "entryPoints": [
                    {"entryPointType": "video", "uri": "https://meet.google.com/abc-defg-hij", "label": "meet.google.com/abc-defg-hij"},
                    {"entryPointType": "phone", "uri": "tel:+49-30-1234567", "pin": "123"},
                    {"entryPointType": "more", "uri": "https://tel.meet/abc-defg-hij?pin=123"},
                ],
                "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
                "conferenceId": "abc-defg-hij",
            },
            "reminders": {"useDefault": true},
            "eventType": "default",
        }))
        .unwrap();
        assert_eq!(
            event,
            CalendarEvent {
                id: "interview1".into(),
                cancelled: false,
                title: "Interview: Staff Engineer".into(),
                description: "<b>Bring</b> your portfolio".into(),
                location: "Alexanderplatz 1, Berlin".into(),
                organizer_email: Some("recruiter@acme.example".into()),
                attendees: vec![
                    Attendee { email: "recruiter@acme.example".into(), is_self: false, organizer: true },
                    Attendee { email: "me@example.com".into(), is_self: true, organizer: false },
                ],
                // Once, though Google gives it twice; the phone and "more" entry points are not video.
                conference_urls: vec!["https://meet.google.com/abc-defg-hij".into()],
                start: at("2026-12-01T13:00:00Z"),
                end: at("2026-12-01T14:00:00Z"),
                time_zone: Some("Europe/Berlin".into()),
                recurring: false,
            }
        );
    }

    #[test]
    fn an_all_day_event_keeps_its_dates_and_exclusive_end() {
        let event = parse_event(&json!({
            "id": "offsite",
            "status": "confirmed",
            "summary": "Team offsite",
            "start": {"date": "2026-12-03"},
            "end": {"date": "2026-12-05"},
        }))
        .unwrap();
        assert_eq!(event.start, day("2026-12-03"));
        assert_eq!(event.end, day("2026-12-05"));
        assert_eq!(event.time_zone, None);
    }

    #[test]
    fn a_deleted_event_comes_with_nothing_but_its_id_and_status() {
        let event = parse_event(&json!({
            "kind": "calendar#event", "etag": "\"1\"", "id": "gone1", "status": "cancelled",
        }))
        .unwrap();
        assert!(event.cancelled);
        assert_eq!((event.start, event.end), (None, None));
        assert_eq!(event.title, "");
        assert!(event.attendees.is_empty() && event.conference_urls.is_empty());
    }

    #[test]
    fn a_cancelled_occurrence_is_recurring_and_keeps_what_google_sends() {
        let event = parse_event(&json!({
            "id": "weekly_20261208T090000Z",
            "status": "cancelled",
            "recurringEventId": "weekly",
            "originalStartTime": {"dateTime": "2026-12-08T10:00:00+01:00", "timeZone": "Europe/Berlin"},
        }))
        .unwrap();
        assert!(event.cancelled && event.recurring);
        assert_eq!(event.start, None);
    }

    #[test]
    fn a_series_with_a_recurrence_rule_is_recurring_and_an_empty_rule_list_is_not() {
        let series = json!({"id": "s", "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO"]});
        assert!(parse_event(&series).unwrap().recurring);
        assert!(!parse_event(&json!({"id": "s", "recurrence": []})).unwrap().recurring);
        assert!(!parse_event(&json!({"id": "s", "recurringEventId": ""})).unwrap().recurring);
    }

    #[test]
    fn conference_addresses_come_from_both_places_and_only_as_web_links() {
        let event = parse_event(&json!({
            "id": "call",
            "hangoutLink": "https://meet.google.com/aaa-bbbb-ccc",
            "conferenceData": {"entryPoints": [
                {"entryPointType": "video", "uri": "https://zoom.example/j/123"},
                // Anyone who sends an invitation writes these: never a script as a link.
                {"entryPointType": "video", "uri": "javascript:alert(1)"},
                {"entryPointType": "video", "uri": 42},
                {"entryPointType": "video"},
                "not an object",
            ]},
        }))
        .unwrap();
        assert_eq!(event.conference_urls, ["https://meet.google.com/aaa-bbbb-ccc", "https://zoom.example/j/123"]);
    }

    #[test]
    fn odd_shapes_read_as_empty_rather_than_failing() {
        let event = parse_event(&json!({
            "id": "odd",
            "summary": 7,
            "description": null,
            "location": {"street": "?"},
            "organizer": "someone",
            "attendees": [{"displayName": "Room 4 (no address)"}, {"email": ""}, "x", {"email": "a@b.example", "self": "yes"}],
            "start": {"dateTime": "tomorrow-ish", "date": "2026-12-03"},
            "end": "2026-12-04",
            "recurrence": "RRULE:FREQ=DAILY",
            "conferenceData": {"entryPoints": {"uri": "https://x.example"}},
            "somethingNew": {"nested": [1, 2, 3]},
        }))
        .unwrap();
        assert_eq!(event.title, "");
        assert_eq!(event.description, "");
        assert_eq!(event.location, "");
        assert_eq!(event.organizer_email, None);
        assert_eq!(event.attendees, [Attendee { email: "a@b.example".into(), is_self: false, organizer: false }]);
        // An unreadable dateTime falls back to the date beside it; a string is no time at all.
        assert_eq!(event.start, day("2026-12-03"));
        assert_eq!(event.end, None);
        assert!(!event.recurring);
        assert!(event.conference_urls.is_empty());
    }

    #[test]
    fn a_time_without_offset_is_read_in_the_events_zone() {
        let start = json!({"dateTime": "2026-07-01T09:30:00", "timeZone": "America/New_York"});
        assert_eq!(event_time(&start), at("2026-07-01T13:30:00Z"));
        // With no zone to read it in, it is no time at all rather than a guess.
        assert_eq!(event_time(&json!({"dateTime": "2026-07-01T09:30:00"})), None);
        assert_eq!(
            event_time(&json!({"dateTime": "2026-07-01T09:30:00Z", "timeZone": "Asia/Tokyo"})),
            at("2026-07-01T09:30:00Z")
        );
        assert_eq!(event_time(&json!({"dateTime": "2026-07-01T09:30:00.250-02:30"})), at("2026-07-01T12:00:00.250Z"));
    }

    #[test]
    fn items_without_an_id_are_skipped_and_a_page_without_items_is_empty() {
        let page = parse_page(&json!({
            "kind": "calendar#events",
            "items": [{"summary": "no id"}, {"id": ""}, {"id": "kept"}, 5],
            "nextPageToken": "",
            "nextSyncToken": "CPDAlvWDx70CEPDAlvWDx70CGAU=",
        }))
        .unwrap();
        assert_eq!(page.events.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["kept"]);
        // An empty page token is no further page.
        assert_eq!(page.next_page_token, None);
        assert_eq!(page.next_sync_token.as_deref(), Some("CPDAlvWDx70CEPDAlvWDx70CGAU="));

        let empty = parse_page(&json!({"kind": "calendar#events", "nextSyncToken": "t"})).unwrap();
        assert!(empty.events.is_empty());
    }

    #[test]
    fn an_answer_that_is_not_a_page_is_malformed() {
        for body in [json!([]), json!("events"), json!({"items": {"id": "x"}}), json!({"items": "x"})] {
            assert!(matches!(parse_page(&body), Err(CalendarError::Malformed(_))), "{body}");
        }
    }

    #[test]
    fn refusals_are_told_apart_by_status_and_reason() {
        let google = |code: u16, reason: &str, message: &str| {
            // Google files rate and quota refusals under "usageLimits", the others under "global".
            let domain = if reason.ends_with("Exceeded") { "usageLimits" } else { "global" };
            json!({"error": {"errors": [{"domain": domain, "reason": reason, "message": message}], "code": code, "message": message}})
                .to_string()
                .into_bytes()
        };
        let wait = Some(Duration::from_secs(30));
        assert!(matches!(refusal(401, None, b""), CalendarError::Unauthorized));
        assert!(matches!(
            refusal(410, None, &google(410, "fullSyncRequired", "Sync token is no longer valid")),
            CalendarError::Gone
        ));
        assert!(
            matches!(refusal(429, wait, b"not json"), CalendarError::RateLimited { retry_after } if retry_after == wait)
        );
        // The project's own setup (the API not turned on) is waited out too: it is nobody's grant.
        let setup =
            json!({"error": {"errors": [{"domain": "usageLimits", "reason": "accessNotConfigured"}], "code": 403}});
        assert!(matches!(
            refusal(403, None, setup.to_string().as_bytes()),
            CalendarError::RateLimited { retry_after: None }
        ));
        for reason in ["rateLimitExceeded", "userRateLimitExceeded", "dailyLimitExceeded", "quotaExceeded"] {
            let refused = refusal(403, None, &google(403, reason, "Rate Limit Exceeded"));
            assert!(matches!(refused, CalendarError::RateLimited { retry_after: None }), "{reason}");
        }
        let scope = refusal(
            403,
            None,
            &google(403, "insufficientPermissions", "Request had insufficient authentication scopes."),
        );
        assert!(
            matches!(scope, CalendarError::Forbidden(ref m) if m == "Request had insufficient authentication scopes.")
        );
        let long = refusal(403, None, &google(403, "forbidden", &"x".repeat(10_000)));
        assert!(matches!(long, CalendarError::Forbidden(ref m) if m.len() == 200));
        assert!(matches!(refusal(403, None, b""), CalendarError::Forbidden(_)));
        assert!(matches!(refusal(503, None, b""), CalendarError::Server(503)));
        assert!(matches!(refusal(400, None, b""), CalendarError::Server(400)));
    }

    #[test]
    fn retry_after_is_read_in_seconds() {
        let mut headers = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(reqwest::header::RETRY_AFTER, " 17 ".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(17)));
        headers.insert(reqwest::header::RETRY_AFTER, "Wed, 21 Oct 2026 07:28:00 GMT".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn the_events_address_sits_under_the_base_with_or_without_a_slash() {
        for base in ["https://www.googleapis.com/calendar/v3", "https://www.googleapis.com/calendar/v3/"] {
            let url = events_url(&Url::parse(base).unwrap());
            assert_eq!(url.as_str(), "https://www.googleapis.com/calendar/v3/calendars/primary/events");
        }
    }

    #[test]
    fn a_full_sync_asks_for_the_window_and_an_incremental_one_only_for_the_token() {
        let calendar = GoogleCalendar::new(Url::parse(DEFAULT_API_URL).unwrap());
        let window = (Timestamp(1_796_083_200_000), Timestamp(1_798_675_200_000));
        let query = |url: Url| url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect::<Vec<_>>();
        let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());

        let full = query(calendar.page_url(None, window, Some("p2")));
        assert_eq!(
            full,
            [
                pair("singleEvents", "true"),
                pair("maxResults", "250"),
                pair("timeMin", "2026-12-01T00:00:00Z"),
                pair("timeMax", "2026-12-31T00:00:00Z"),
                pair("pageToken", "p2")
            ]
        );
        let incremental = query(calendar.page_url(Some("tok"), window, None));
        assert_eq!(incremental, [pair("singleEvents", "true"), pair("maxResults", "250"), pair("syncToken", "tok")]);
    }
}
