//! The job search at a glance: interviews in the next two weeks, tasks that are due, the
//! pipeline as a board (a card moves by its form, or by drag and drop with JavaScript), and a
//! funnel of how far opportunities got.

use std::time::Duration;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use crate::db::dashboard::Card;
use crate::db::interviews::Interview;
use crate::db::{dashboard, interviews};
use crate::domain::opportunities::OpportunityStatus;
use crate::services::interview_suggestions as suggestion_service;
use crate::services::opportunities as opportunity_service;
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::pages::{Chrome, Notice, NoticeQuery};
use crate::web::respond::{redirect, render};
use crate::web::session::SignedIn;

/// Cards shown in a column of the board, the most recently changed: a few in each open stage,
/// fewer in each closed outcome; the column's count and its link to the full list
/// (`/opportunities?status=…`) cover the rest, so the page weighs the same at any size.
pub const CARDS_PER_OPEN_COLUMN: i64 = 5;
pub const CARDS_PER_CLOSED_COLUMN: i64 = 2;
const UPCOMING_DAYS: u64 = 14;
/// Interviews listed at most, the soonest; the calendar and the interviews list have them all.
pub const UPCOMING_SHOWN: i64 = 15;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jobs", get(page))
        .route("/jobs/suggestions/{id}/accept", post(accept_suggestion))
        .route("/jobs/suggestions/{id}/dismiss", post(dismiss_suggestion))
}

/// An interview found in the calendar, as the dashboard asks about it.
pub struct SuggestionView {
    pub id: String,
    /// "Interview with Globex tomorrow at 15:00?"
    pub question: String,
    /// The event's own title and organiser, so the user recognises it.
    pub title: Option<String>,
    pub organizer: Option<String>,
    pub opportunity_id: Option<String>,
    pub company: String,
}

/// "today at 15:00", "tomorrow at 09:30", "on Tue 8 Dec at 15:00", in `zone`.
pub fn relative_when(at: crate::clock::Timestamp, now: crate::clock::Timestamp, zone: &jiff::tz::TimeZone) -> String {
    let (Ok(at), Ok(now)) = (jiff::Timestamp::from_millisecond(at.0), jiff::Timestamp::from_millisecond(now.0)) else {
        return String::new();
    };
    let (at, today) = (at.to_zoned(zone.clone()), now.to_zoned(zone.clone()).date());
    let time = at.strftime("%H:%M");
    if at.date() == today {
        format!("today at {time}")
    } else if today.tomorrow().ok() == Some(at.date()) {
        format!("tomorrow at {time}")
    } else if at.year() == today.year() {
        format!("on {} at {time}", at.strftime("%a %-d %b"))
    } else {
        format!("on {} at {time}", at.strftime("%a %-d %b %Y"))
    }
}

/// One status on the board.
pub struct Column {
    pub status: &'static str,
    pub name: &'static str,
    pub total: i64,
    pub cards: Vec<Card>,
    /// Still in play (saved … offer): these get the room; the closed ones sit compactly below.
    pub open: bool,
}

impl Column {
    pub fn more(&self) -> i64 {
        self.total - self.cards.len() as i64
    }
}

/// One stage of the funnel, with its bar already measured.
pub struct Stage {
    pub name: &'static str,
    pub count: i64,
    /// Of the stage before, in percent (the first stage has none).
    pub kept_percent: Option<i64>,
    pub width: f64,
    pub y: f64,
}

#[derive(Template)]
#[template(path = "dashboard/dashboard.html")]
pub struct Dashboard {
    pub chrome: Chrome,
    pub upcoming: Vec<Interview>,
    /// Open tasks overdue, due today and this week.
    pub agenda: crate::web::tasks::Agenda,
    pub columns: Vec<Column>,
    pub funnel: Vec<Stage>,
    /// Interviews found in the calendar, waiting for a yes or no.
    pub suggestions: Vec<SuggestionView>,
    /// Open opportunities a suggestion can be accepted onto: (id, company, role).
    pub opportunity_choices: Vec<(String, String, String)>,
    /// Upcoming interviews whose preparation is written.
    pub prepared: Vec<String>,
    /// What the suggestions' forms got wrong.
    pub errors: crate::domain::FieldErrors,
}

impl Dashboard {
    pub fn is_prepared(&self, interview_id: &str) -> bool {
        self.prepared.iter().any(|id| id == interview_id)
    }
}

impl Dashboard {
    pub fn agenda_shown(&self) -> usize {
        crate::web::tasks::AGENDA_SHOWN
    }
    pub fn upcoming_shown(&self) -> i64 {
        UPCOMING_SHOWN
    }
    pub fn upcoming_is_cut(&self) -> bool {
        self.upcoming.len() as i64 >= UPCOMING_SHOWN
    }
    fn statuses(&self) -> &'static [(&'static str, &'static str)] {
        OpportunityStatus::CHOICES
    }
    pub fn has_opportunities(&self) -> bool {
        self.columns.iter().any(|c| c.total > 0)
    }
    /// The chart's height: a row per stage.
    pub fn funnel_height(&self) -> f64 {
        self.funnel.len() as f64 * FUNNEL_ROW
    }
    /// The length of a full bar (the first stage's).
    pub fn funnel_track(&self) -> f64 {
        FUNNEL_WIDTH
    }
    pub fn funnel_is_empty(&self) -> bool {
        self.funnel.first().is_none_or(|s| s.count == 0)
    }
}

pub const FUNNEL_WIDTH: f64 = 600.0;
pub const FUNNEL_ROW: f64 = 44.0;
const FUNNEL_NAMES: [&str; 4] = ["Applied", "Screened", "Interviewed", "Offered"];

/// Turn "furthest stage reached" counts into the funnel: everyone who got to a stage also
/// passed the ones before it.
pub fn funnel(furthest: &[(i64, i64)]) -> Vec<Stage> {
    let reached = |stage: i64| furthest.iter().filter(|(s, _)| *s >= stage).map(|(_, n)| n).sum::<i64>();
    let counts: Vec<i64> = (1..=4).map(reached).collect();
    let top = counts[0].max(1) as f64;
    counts
        .iter()
        .enumerate()
        .map(|(i, &count)| Stage {
            name: FUNNEL_NAMES[i],
            count,
            kept_percent: (i > 0).then(|| {
                let before = counts[i - 1];
                if before == 0 {
                    0
                } else {
                    (count * 100 + before / 2) / before
                }
            }),
            width: (count as f64 / top * FUNNEL_WIDTH).max(if count > 0 { 4.0 } else { 0.0 }),
            y: i as f64 * FUNNEL_ROW,
        })
        .collect()
}

async fn page(State(state): State<AppState>, me: SignedIn, Query(notice): Query<NoticeQuery>) -> AppResult<Response> {
    let notice = match notice.notice.as_deref() {
        Some("suggestion_accepted") => Some(Notice::success("Added to your interviews.")),
        Some("suggestion_dismissed") => Some(Notice::success("Noted: that event will not be suggested again.")),
        _ => notice.notice(),
    };
    dashboard(&state, &me, notice, crate::domain::FieldErrors::new(), axum::http::StatusCode::OK).await
}

async fn dashboard(
    state: &AppState,
    me: &SignedIn,
    notice: Option<Notice>,
    errors: crate::domain::FieldErrors,
    status: axum::http::StatusCode,
) -> AppResult<Response> {
    let state = state.clone();
    let pool = state.db.pool();
    let user_id = &me.user.id;
    let now = state.clock.now();
    let until = now.plus(Duration::from_secs(UPCOMING_DAYS * 86_400));
    let upcoming = interviews::upcoming_interviews(pool, user_id, now, until, UPCOMING_SHOWN).await?;
    // Tasks overdue, due today, and what comes in the next week, by "today" where the user is.
    let today_date = opportunity_service::today_for(&state, &me.user).await?;
    let agenda = crate::web::tasks::Agenda::load(&state, user_id, today_date).await?;
    let counts = dashboard::status_counts(pool, user_id).await?;
    let total = |status: OpportunityStatus| counts.iter().find(|(s, _)| status == s.as_str()).map_or(0, |(_, n)| *n);
    let shown: Vec<(OpportunityStatus, i64)> = OpportunityStatus::ALL
        .iter()
        .filter(|status| total(**status) > 0)
        .map(|&status| (status, if status.is_open() { CARDS_PER_OPEN_COLUMN } else { CARDS_PER_CLOSED_COLUMN }))
        .collect();
    let mut cards = dashboard::board_cards(pool, user_id, &shown).await?;
    let columns = OpportunityStatus::ALL
        .iter()
        .map(|&status| Column {
            status: status.as_str(),
            name: status.label(),
            total: total(status),
            cards: cards.extract_if(.., |card| card.status == status).collect(),
            open: status.is_open(),
        })
        .collect();
    let funnel = funnel(&dashboard::furthest_stages(pool, user_id, now).await?);
    let zone = jiff::tz::TimeZone::get(&me.user.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let suggestions: Vec<SuggestionView> = suggestion_service::open_suggestions(&state, user_id)
        .await?
        .into_iter()
        .map(|s| {
            let with = if s.company.is_empty() { String::new() } else { format!(" with {}", s.company) };
            let zone = if me.user.time_zone.is_empty() {
                jiff::tz::TimeZone::get(&s.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
            } else {
                zone.clone()
            };
            SuggestionView {
                question: format!("Interview{with} {}?", relative_when(s.starts_at, now, &zone)),
                title: s.details.as_ref().map(|d| d.title.clone()).filter(|t| !t.trim().is_empty()),
                organizer: s.details.as_ref().and_then(|d| d.organizer.clone()),
                id: s.id,
                opportunity_id: s.opportunity_id,
                company: s.company,
            }
        })
        .collect();
    let opportunity_choices = if suggestions.is_empty() {
        Vec::new()
    } else {
        crate::db::google_calendar::opportunity_choices(pool, user_id, 200).await?
    };
    let prepared = crate::db::google_calendar::prepared_interviews(pool, user_id, now, until).await?;
    let chrome = Chrome::new(&state, &me.visitor, "Job search", "jobs").with_notice(notice);
    let page =
        Dashboard { chrome, upcoming, agenda, columns, funnel, suggestions, opportunity_choices, prepared, errors };
    Ok((status, render(&page)?).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AcceptForm {
    opportunity: String,
}

async fn accept_suggestion(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<AcceptForm>,
) -> AppResult<Response> {
    let chosen = Some(form.opportunity.as_str()).filter(|o| !o.is_empty());
    match suggestion_service::accept(&state, &me.user.id, &id, chosen).await {
        Ok(_) => Ok(redirect("/jobs?notice=suggestion_accepted")),
        Err(ServiceError::Invalid(errors)) => {
            dashboard(&state, &me, None, errors, axum::http::StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn dismiss_suggestion(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    suggestion_service::dismiss(&state, &me.user.id, &id).await?;
    Ok(redirect("/jobs?notice=suggestion_dismissed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suggestion_says_when_as_people_do() {
        let at = |text: &str| crate::clock::Timestamp(text.parse::<jiff::Timestamp>().unwrap().as_millisecond());
        let now = at("2026-12-05T09:00:00Z");
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        assert_eq!(relative_when(at("2026-12-05T14:00:00Z"), now, &berlin), "today at 15:00");
        assert_eq!(relative_when(at("2026-12-06T14:00:00Z"), now, &berlin), "tomorrow at 15:00");
        assert_eq!(relative_when(at("2026-12-08T08:30:00Z"), now, &berlin), "on Tue 8 Dec at 09:30");
        assert_eq!(relative_when(at("2027-01-04T08:30:00Z"), now, &berlin), "on Mon 4 Jan 2027 at 09:30");
        // Late at night in Berlin, "tomorrow" is Berlin's tomorrow, not UTC's.
        let late = at("2026-12-05T23:30:00Z");
        assert_eq!(relative_when(at("2026-12-06T09:00:00Z"), late, &berlin), "today at 10:00");
    }

    #[test]
    fn the_funnel_counts_everyone_who_got_at_least_that_far() {
        // 2 never applied, 5 stopped at applied, 3 at screening, 1 interviewed, 1 offered.
        let stages = funnel(&[(0, 2), (1, 5), (2, 3), (3, 1), (4, 1)]);
        let counts: Vec<i64> = stages.iter().map(|s| s.count).collect();
        assert_eq!(counts, [10, 5, 2, 1]);
        assert_eq!(stages[1].kept_percent, Some(50));
        assert_eq!(stages[0].width, FUNNEL_WIDTH);
        assert!(funnel(&[]).iter().all(|s| s.count == 0 && s.width == 0.0));
    }
}
