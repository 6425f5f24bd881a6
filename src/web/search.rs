//! The search box: `/search?q=…&page=…` and `GET /api/v1/search`. What is found and how is
//! `services::search`; these handlers only read the query and show the answer.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::services::search::{self as search_service, SearchResults};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::pages::Chrome;
use crate::web::respond::render;
use crate::web::session::SignedIn;

/// `?q=…&page=…`, read leniently: no query finds nothing, a page that is no number is page 1.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    pub q: String,
    pub page: Option<String>,
}

impl SearchQuery {
    fn page(&self) -> i64 {
        self.page.as_deref().and_then(|p| p.trim().parse().ok()).unwrap_or(1)
    }
}

#[derive(Template)]
#[template(path = "search/results.html")]
pub struct SearchPage {
    pub chrome: Chrome,
    /// What was typed, shown back in the box.
    pub typed: String,
    pub results: SearchResults,
}

impl SearchPage {
    fn url_for(&self, page: i64) -> String {
        let mut url = String::from("/search?q=");
        url.extend(url::form_urlencoded::byte_serialize(self.typed.as_bytes()));
        url.push_str(&format!("&page={page}"));
        url
    }
    pub fn prev_url(&self) -> Option<String> {
        (self.results.page > 1).then(|| self.url_for(self.results.page - 1))
    }
    pub fn next_url(&self) -> Option<String> {
        (self.results.page < self.results.last_page()).then(|| self.url_for(self.results.page + 1))
    }
}

pub fn html_routes() -> Router<AppState> {
    Router::new().route("/search", get(page))
}

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/search", get(api))
}

async fn page(State(state): State<AppState>, me: SignedIn, Query(query): Query<SearchQuery>) -> AppResult<Response> {
    let results = search_service::search(&state.db, &me.user.id, &query.q, query.page()).await?;
    let title = if results.query.is_empty() { "Search".to_owned() } else { format!("Search: {}", query.q.trim()) };
    let chrome = Chrome::new(&state, &me.visitor, title, "search");
    Ok(render(&SearchPage { chrome, typed: query.q.trim().to_owned(), results })?.into_response())
}

async fn api(
    State(state): State<AppState>,
    me: SignedIn,
    Query(query): Query<SearchQuery>,
) -> AppResult<Json<SearchResults>> {
    Ok(Json(search_service::search(&state.db, &me.user.id, &query.q, query.page()).await?))
}
