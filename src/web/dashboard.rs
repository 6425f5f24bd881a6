//! The job search at a glance: interviews in the next two weeks, next actions that are due, the
//! pipeline as a board (a card moves by its form, or by drag and drop with JavaScript), and a
//! funnel of how far opportunities got.

use std::time::Duration;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::db::interviews::Interview;
use crate::db::opportunities::Opportunity;
use crate::db::{dashboard, interviews};
use crate::domain::opportunities::OpportunityStatus;
use crate::services::opportunities as opportunity_service;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::pages::{Chrome, NoticeQuery};
use crate::web::respond::render;
use crate::web::session::SignedIn;

/// Cards shown in one board column; the column links to the full list beyond that.
pub const CARDS_PER_COLUMN: i64 = 20;
const UPCOMING_DAYS: u64 = 14;
/// Next actions due this many days ahead are listed with the overdue ones.
const DUE_AHEAD_DAYS: i64 = 7;

pub fn routes() -> Router<AppState> {
    Router::new().route("/jobs", get(page))
}

/// One status on the board.
pub struct Column {
    pub status: &'static str,
    pub name: &'static str,
    pub total: i64,
    pub cards: Vec<Opportunity>,
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
    pub due: Vec<Opportunity>,
    pub today: String,
    pub columns: Vec<Column>,
    pub funnel: Vec<Stage>,
    pub snooze_choices: &'static [(i64, &'static str)],
}

impl Dashboard {
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
    let pool = state.db.pool();
    let user_id = &me.user.id;
    let now = state.clock.now();
    let until = now.plus(Duration::from_secs(UPCOMING_DAYS * 86_400));
    let upcoming = interviews::upcoming_interviews(pool, user_id, now, until, 50).await?;
    // Overdue, due today, and what comes in the next week, by "today" where the user is.
    let today_date = opportunity_service::today_for(&state, &me.user).await?;
    let today = today_date.to_string();
    let week_ahead = (today_date + jiff::Span::new().days(DUE_AHEAD_DAYS)).to_string();
    let due = dashboard::due_actions(pool, user_id, ("", &week_ahead), 50).await?;
    let counts = dashboard::status_counts(pool, user_id).await?;
    let mut columns = Vec::with_capacity(OpportunityStatus::ALL.len());
    for status in OpportunityStatus::ALL.iter().copied() {
        let total = counts.iter().find(|(s, _)| status == s.as_str()).map(|(_, n)| *n).unwrap_or(0);
        let cards =
            if total == 0 { Vec::new() } else { dashboard::in_status(pool, user_id, status, CARDS_PER_COLUMN).await? };
        columns.push(Column { status: status.as_str(), name: status.label(), total, cards, open: status.is_open() });
    }
    let funnel = funnel(&dashboard::furthest_stages(pool, user_id, now).await?);
    let chrome = Chrome::new(&state, &me.visitor, "Job search", "jobs").with_notice(notice.notice());
    let snooze_choices = &opportunity_service::SNOOZE_DAYS;
    Ok(render(&Dashboard { chrome, upcoming, due, today, columns, funnel, snooze_choices })?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

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
