//! The private calendar feed: an unguessable `.ics` address with the user's interviews and open
//! tasks with a day, for any calendar app to subscribe to. Only a hash of the address's secret is
//! kept, so the full address is shown once, right after it is made; replacing it or turning the
//! feed off stops the old address at once. The secret is in the path, which the request log
//! redacts (see `request_id`).

use std::time::Duration;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::clock::Timestamp;
use crate::db::calendar;
use crate::db::interviews;
use crate::db::interviews::Interview;
use crate::db::tasks::{self, Task};
use crate::domain::ical::{self, Event, When};
use crate::domain::interviews::InterviewOutcome;
use crate::domain::token::looks_like_token;
use crate::secrets::hash_token;
use crate::services::calendar::{self as calendar_service, NewFeed};
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::pages::{Chrome, Notice};
use crate::web::respond::redirect;
use crate::web::respond::render;
use crate::web::session::SignedIn;

pub const CALENDAR_NAME: &str = "Careerlog job search";

/// The feed reaches this far back and ahead.
const PAST: Duration = Duration::from_secs(30 * 24 * 3600);
const AHEAD: Duration = Duration::from_secs(365 * 24 * 3600);
const MAX_INTERVIEWS: i64 = 1000;
const MAX_TASKS: i64 = 500;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/calendar", get(settings).post(make))
        .route("/settings/calendar/off", post(turn_off))
        .route("/calendar/{file}", get(feed))
}

// ---- settings ----

#[derive(Template)]
#[template(path = "settings/calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    /// When the current address was made; `None` when the feed is off.
    since: Option<String>,
    /// The full address, right after it was made.
    new_url: Option<String>,
    /// The new address replaced one that worked until now.
    replaced: bool,
}

impl CalendarPage {
    /// The address as a `webcal:` link, which calendar apps open to subscribe in one click.
    fn webcal_url(&self) -> Option<String> {
        let url = self.new_url.as_deref()?;
        let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
        Some(format!("webcal://{rest}"))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CalendarQuery {
    notice: Option<String>,
}

impl CalendarQuery {
    fn notice(&self) -> Option<Notice> {
        match self.notice.as_deref()? {
            "calendar_off" => Some(Notice::success("The calendar feed is off. Its address no longer works.")),
            _ => None,
        }
    }
}

async fn settings(
    State(state): State<AppState>,
    me: SignedIn,
    Query(query): Query<CalendarQuery>,
) -> AppResult<Response> {
    let since = calendar::created_at(state.db.pool(), &me.user.id).await?;
    let page = CalendarPage {
        chrome: Chrome::new(&state, &me.visitor, "Calendar feed", "settings/calendar").with_notice(query.notice()),
        since: since.map(Timestamp::human),
        new_url: None,
        replaced: false,
    };
    Ok(render(&page)?.into_response())
}

/// Turn the feed on, or give it a new address.
async fn make(State(state): State<AppState>, me: SignedIn) -> AppResult<Response> {
    let NewFeed { secret, replaced } = calendar_service::make_feed(&state, &me.user.id).await?;
    let now = state.clock.now();
    // Shown in this response only; never stored in the clear, never shown again.
    let page = CalendarPage {
        chrome: Chrome::new(&state, &me.visitor, "Calendar feed", "settings/calendar"),
        since: Some(now.human()),
        new_url: Some(format!("{}{}", state.base_url.as_str().trim_end_matches('/'), feed_path(&secret))),
        replaced,
    };
    Ok((StatusCode::CREATED, render(&page)?).into_response())
}

async fn turn_off(State(state): State<AppState>, me: SignedIn) -> AppResult<Response> {
    calendar_service::turn_off(&state, &me.user.id).await?;
    Ok(redirect("/settings/calendar?notice=calendar_off"))
}

fn feed_path(secret: &str) -> String {
    format!("/calendar/{secret}.ics")
}

// ---- the feed ----

/// The feed itself: no session needed, the address is the key. An unknown, replaced or
/// malformed address gets the same 404.
async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> AppResult<Response> {
    let secret = file.strip_suffix(".ics").filter(|s| looks_like_token(s)).ok_or(AppError::NotFound)?;
    let pool = state.db.pool();
    let user_id = calendar::find_owner(pool, &hash_token(secret)).await?.ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let (from, to) = (now.minus(PAST), now.plus(AHEAD));
    let mut interviews = interviews::interviews_between(pool, &user_id, from, to, MAX_INTERVIEWS).await?;
    // Their interviewers, as every interview page gets them.
    <crate::services::records::kinds::Interviews as crate::services::records::RecordType>::enrich(
        &state.db,
        &user_id,
        &mut interviews,
    )
    .await?;
    let tasks = tasks::due_between(pool, &user_id, (&from.iso_date(), &to.iso_date()), MAX_TASKS).await?;
    let base = state.base_url.as_str().trim_end_matches('/');
    let events: Vec<Event> = interviews
        .iter()
        .map(|interview| interview_event(base, interview))
        .chain(tasks.iter().filter_map(|task| task_event(base, task)))
        .collect();
    let body = ical::calendar(CALENDAR_NAME, now, &events);
    Ok((
        [
            (CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (CACHE_CONTROL, "private, no-store"),
            (axum::http::header::HeaderName::from_static("x-robots-tag"), "noindex"),
            (CONTENT_DISPOSITION, "inline; filename=\"careerlog.ics\""),
        ],
        body,
    )
        .into_response())
}

/// An interview, at its instant in UTC.
fn interview_event(base: &str, interview: &Interview) -> Event {
    let mut description = vec![
        format!("Kind: {}", interview.kind_name()),
        format!("Scheduled for {} ({})", interview.when(), interview.time_zone),
    ];
    if let Some(link) = &interview.meeting_url {
        description.push(format!("Meeting link: {link}"));
    }
    if !interview.interviewers.is_empty() {
        let names: Vec<String> = interview
            .interviewers
            .iter()
            .map(|p| if p.company.is_empty() { p.name.clone() } else { format!("{} ({})", p.name, p.company) })
            .collect();
        description.push(format!("Interviewers: {}", names.join(", ")));
    }
    // Preparation notes stay in Careerlog: calendar services keep copies of what they fetch.
    description.push(format!("\nIn Careerlog: {base}/interviews/{}", interview.id));
    let location = if interview.location.is_empty() {
        interview.meeting_url.clone().unwrap_or_default()
    } else {
        interview.location.clone()
    };
    Event {
        uid: format!("interview-{}@careerlog", interview.id),
        start: When::At(interview.starts_at),
        end: When::At(interview.ends_at()),
        summary: format!("{}: {} at {}", interview.round_name, interview.role, interview.company),
        location,
        description: description.join("\n"),
        url: interview.meeting_url.clone(),
        last_modified: Some(interview.updated_at),
        cancelled: interview.outcome == InterviewOutcome::Cancelled,
        transparent: false,
        // An hour's notice, to get to the room or the call.
        reminder_minutes: Some(60),
    }
}

/// An open task, as a free all-day event on the day it is due (a task put off moves: its
/// uid holds its id only). A stored day that does not parse is left out.
fn task_event(base: &str, task: &Task) -> Option<Event> {
    let due: jiff::civil::Date = task.due_on.as_deref()?.parse().ok()?;
    let what = task.opportunity_title();
    Some(Event {
        uid: format!("task-{}@careerlog", task.id),
        start: When::Day(due),
        end: When::Day(due.tomorrow().ok()?),
        summary: if what.is_empty() {
            format!("Task: {}", task.title)
        } else {
            format!("Task: {} ({what})", task.title)
        },
        location: String::new(),
        // The task's notes stay in Careerlog, as interview preparation does.
        description: format!("In Careerlog: {base}/tasks/{}", task.id),
        url: None,
        last_modified: Some(task.updated_at),
        cancelled: false,
        transparent: true,
        reminder_minutes: None,
    })
}
