//! The owner's analytics page: views and unique visitors per day, top pages, top referrers, and
//! resume against journal, as charts drawn on the server (SVG, with the figures as a table too).
//! Only aggregates are shown: never a visitor, an address hash or a user agent (promise 3).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::db::analytics;
use crate::domain::fields::PartialDate;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::pages::Chrome;
use crate::web::respond::render;
use crate::web::session::SignedIn;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PeriodQuery {
    days: Option<String>,
}

/// One day of the chart, with its bars already placed.
pub struct DayBar {
    pub date: String,
    pub label: String,
    pub views: i64,
    pub visitors: i64,
    pub x: f64,
    pub width: f64,
    pub views_y: f64,
    pub views_height: f64,
    pub visitors_x: f64,
    pub visitors_width: f64,
    pub visitors_y: f64,
    pub visitors_height: f64,
    /// Show the date under this bar (a few are labelled, not all).
    pub tick: bool,
}

/// A share of the whole, as a horizontal bar.
pub struct Share {
    pub name: String,
    pub views: i64,
    pub percent: i64,
}

#[derive(Template)]
#[template(path = "analytics/index.html")]
struct AnalyticsPage {
    chrome: Chrome,
    days: i64,
    bars: Vec<DayBar>,
    peak: i64,
    total_views: i64,
    total_visitors: i64,
    kinds: Vec<Share>,
    /// `(path, what it is, views)`.
    pages: Vec<(String, String, i64)>,
    referrers: Vec<(String, i64)>,
    /// Something is published: an empty chart means no visits yet, not nothing to visit.
    publishes: bool,
}

/// Name each public page as its owner knows it: "Resume", "Journal", an entry's title.
async fn titled(
    state: &AppState,
    user_id: &crate::domain::UserId,
    pages: Vec<(String, i64)>,
) -> AppResult<Vec<(String, String, i64)>> {
    let slug_of = |path: &str| -> Option<String> {
        let rest = path.strip_prefix("/u/")?;
        let (_, entry) = rest.split_once("/journal/")?;
        Some(entry.to_owned())
    };
    let slugs: Vec<String> = pages.iter().filter_map(|(path, _)| slug_of(path)).collect();
    let slug_refs: Vec<&str> = slugs.iter().map(String::as_str).collect();
    let titles: std::collections::HashMap<String, String> =
        crate::db::journal::titles_by_slug(state.db.pool(), user_id, &slug_refs).await?.into_iter().collect();
    Ok(pages
        .into_iter()
        .map(|(path, views)| {
            let title = if let Some(slug) = slug_of(&path) {
                titles.get(&slug).cloned().unwrap_or_else(|| "A journal entry since deleted".to_owned())
            } else if path.ends_with("/journal.atom") {
                "Journal feed".to_owned()
            } else if path.ends_with("/journal") {
                "Journal".to_owned()
            } else {
                "Resume".to_owned()
            };
            (path, title, views)
        })
        .collect())
}

pub const CHART_WIDTH: f64 = 720.0;
pub const CHART_HEIGHT: f64 = 200.0;
const LEFT: f64 = 36.0;
const BOTTOM: f64 = 24.0;

fn shares(rows: Vec<(String, i64)>) -> Vec<Share> {
    let total: i64 = rows.iter().map(|(_, n)| n).sum();
    rows.into_iter()
        .map(|(name, views)| {
            let name = match name.as_str() {
                "resume" => "Resume".to_owned(),
                "journal" => "Journal list".to_owned(),
                "entry" => "Journal entries".to_owned(),
                "feed" => "Atom feed".to_owned(),
                _ => name,
            };
            Share { name, views, percent: if total > 0 { (views * 100 + total / 2) / total } else { 0 } }
        })
        .collect()
}

pub async fn page(
    State(state): State<AppState>,
    me: SignedIn,
    Query(query): Query<PeriodQuery>,
) -> AppResult<Response> {
    let days: i64 = if query.days.as_deref() == Some("90") { 90 } else { 30 };
    let today = state.clock.now().date();
    let first = today - time::Duration::days(days - 1);
    let since = PartialDate::from_date(first).to_string();
    let pool = state.db.pool();
    let daily = analytics::daily(pool, &me.user.id, &since).await?;

    let peak = daily.values().map(|(views, _)| *views).max().unwrap_or(0).max(1);
    let slot = (CHART_WIDTH - LEFT) / days as f64;
    let plot = CHART_HEIGHT - BOTTOM;
    let scale = |n: i64| (n as f64 / peak as f64) * (plot - 8.0);
    let mut bars = Vec::with_capacity(days as usize);
    for i in 0..days {
        let date = PartialDate::from_date(first + time::Duration::days(i));
        let key = date.to_string();
        let (views, visitors) = daily.get(&key).copied().unwrap_or((0, 0));
        let x = LEFT + i as f64 * slot + slot * 0.1;
        let width = slot * 0.8;
        bars.push(DayBar {
            label: date.day_and_month(),
            date: key,
            views,
            visitors,
            x,
            width,
            views_y: plot - scale(views),
            views_height: scale(views),
            visitors_x: x + width * 0.25,
            visitors_width: width * 0.5,
            visitors_y: plot - scale(visitors),
            visitors_height: scale(visitors),
            tick: i == 0 || i == days - 1 || (i % if days > 30 { 14 } else { 7 } == 0 && days - i > 3),
        });
    }
    let page = AnalyticsPage {
        chrome: Chrome::new(&state, &me.visitor, "Analytics", "analytics"),
        days,
        total_views: bars.iter().map(|b| b.views).sum(),
        total_visitors: bars.iter().map(|b| b.visitors).sum(),
        peak: daily.values().map(|(views, _)| *views).max().unwrap_or(0),
        bars,
        kinds: shares(analytics::top(pool, &me.user.id, &since, "kind", 10).await?),
        pages: titled(&state, &me.user.id, analytics::top(pool, &me.user.id, &since, "page", 10).await?).await?,
        referrers: analytics::top(pool, &me.user.id, &since, "referrer", 10).await?,
        publishes: {
            let profile = crate::db::profiles::get(pool, &me.user.id).await?;
            profile.resume_public.get() || profile.journal_public.get()
        },
    };
    Ok(render(&page)?.into_response())
}

impl AnalyticsPage {
    fn chart_width(&self) -> f64 {
        CHART_WIDTH
    }
    fn chart_height(&self) -> f64 {
        CHART_HEIGHT
    }
    fn baseline(&self) -> f64 {
        CHART_HEIGHT - BOTTOM
    }
    fn left(&self) -> f64 {
        LEFT
    }
}
