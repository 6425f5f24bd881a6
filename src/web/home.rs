//! The front page: a welcome for visitors, the starting point for signed-in users.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::db::journal::JournalEntry;
use crate::db::lists::ListFilter;
use crate::db::{career, journal, lists};
use crate::domain::records::RecordKind;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::pages::{Chrome, NoticeQuery};
use crate::web::respond::render;
use crate::web::session::Visitor;

#[derive(Template)]
#[template(path = "home/landing.html")]
struct Landing {
    chrome: Chrome,
}

#[derive(Template)]
#[template(path = "home/home.html")]
struct Home {
    chrome: Chrome,
    email: String,
    verified: bool,
    /// `(title, path, how many)` for each part of the career record.
    record: Vec<(&'static str, &'static str, i64)>,
    recent: Vec<JournalEntry>,
}

impl Home {
    fn is_empty(&self) -> bool {
        self.record.iter().all(|(_, _, n)| *n == 0)
    }
}

pub async fn index(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(notice): Query<NoticeQuery>,
) -> AppResult<Response> {
    match visitor.user() {
        Some(user) => {
            let pool = state.db.pool();
            let mut record = Vec::new();
            for table in career::RECORD_TABLES {
                let kind = table.kind;
                let title = if kind == RecordKind::JournalEntry { "Journal entries" } else { kind.plural_title() };
                record.push((title, kind.path(), lists::count(pool, table, &user.id).await?));
            }
            let filter = ListFilter { label: None, page: 1, per_page: 3, ..ListFilter::default() };
            let recent = lists::rows(pool, &journal::JOURNAL, &user.id, &filter).await?;
            let page = Home {
                chrome: Chrome::new(&state, &visitor, "Home", "home").with_notice(notice.notice()),
                email: user.email.clone().unwrap_or_default(),
                verified: user.is_verified(),
                record,
                recent,
            };
            Ok(render(&page)?.into_response())
        }
        None => {
            let page = Landing {
                chrome: Chrome::new(&state, &visitor, "Your working life, in one private place", "")
                    .with_notice(notice.notice())
                    .with_signups_open(crate::web::admin::signups(&state).await?.open()),
            };
            Ok(render(&page)?.into_response())
        }
    }
}

/// 200 when the database answers, 503 when it does not (for load balancers and uptime checks).
pub async fn health(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => Json(serde_json::json!({ "status": "ok" })).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "health check: database unreachable");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "status": "unavailable" })))
                .into_response()
        }
    }
}
