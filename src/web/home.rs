//! The front page: a welcome for visitors, the starting point for signed-in users.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::app::AppState;
use crate::error::AppResult;
use crate::web::pages::{render, Chrome, NoticeQuery};
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
}

pub async fn index(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(notice): Query<NoticeQuery>,
) -> AppResult<Response> {
    match visitor.user() {
        Some(user) => {
            let page = Home {
                chrome: Chrome::new(&state, &visitor, "Home", "home").with_notice(notice.notice()),
                email: user.email.clone().unwrap_or_default(),
                verified: user.is_verified(),
            };
            Ok(render(&page)?.into_response())
        }
        None => {
            let page = Landing {
                chrome: Chrome::new(&state, &visitor, "Your working life, in one private place", "")
                    .with_notice(notice.notice()),
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
