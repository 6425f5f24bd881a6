//! The HTTP surface: routes and the layers every request passes through.

pub mod admin;
pub mod ai;
pub mod ai_labels;
pub mod ai_prep;
pub mod analytics;
pub mod api;
pub mod api_docs;
pub mod assets;
pub mod auth;
pub mod bluesky;
pub mod calendar;
pub mod career;
pub mod client;
pub mod contacts;
pub mod csrf;
pub mod dashboard;
pub mod documents;
pub mod error;
pub mod error_pages;
pub mod extract;
pub mod files;
pub mod home;
pub mod imports;
pub mod interviews;
pub mod journal;
pub mod labels;
pub mod metrics;
pub mod notes;
pub mod offers;
pub mod oidc;
pub mod opportunities;
pub mod pages;
pub mod panics;
pub mod prep;
pub mod privacy;
pub mod profile;
pub mod public;
pub mod records;
pub mod request_id;
pub mod respond;
pub mod resume_export;
pub mod resume_versions;
pub mod routes;
pub mod search;
pub mod security;
pub mod session;
pub mod settings;
pub mod support;
pub mod tasks;
pub mod test_faults;
pub mod user_data;

use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;
use crate::web::error::AppError;

pub fn router(state: AppState) -> Router {
    let pages = Router::new()
        .route("/", get(home::index))
        .route("/signup", get(auth::sign_up_form).post(auth::sign_up))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/verify-email", get(auth::verify_email))
        .route("/verify-email/resend", get(auth::resend_form).post(auth::resend_verification))
        .route("/forgot-password", get(auth::forgot_form).post(auth::forgot))
        .route("/reset-password", get(auth::reset_form).post(auth::reset))
        .route("/settings", get(settings::account))
        .route("/settings/password", post(settings::change_password))
        .route("/settings/time-zone", post(settings::set_time_zone))
        .route("/settings/currency", post(settings::set_default_currency))
        .route("/settings/reminders", post(settings::set_reminders))
        .route("/settings/sessions/end-others", post(settings::end_other_sessions))
        .route("/settings/email", post(settings::request_email_change))
        .route("/settings/email/confirm", get(settings::confirm_email_change))
        .route("/settings/tokens", get(settings::tokens).post(settings::create_token))
        .route("/settings/ai", get(ai::activity))
        .route("/settings/tokens/{id}/revoke", post(settings::revoke_token))
        .route("/files/{id}", get(files::serve))
        .route("/analytics", get(analytics::page))
        .merge(routes::record_pages())
        .merge(opportunities::html_routes())
        .merge(tasks::html_routes())
        .merge(resume_versions::html_routes())
        .merge(offers::html_routes())
        .merge(documents::html_routes(&state))
        .merge(calendar::routes())
        .merge(dashboard::routes())
        .merge(prep::html_routes())
        .merge(ai_prep::html_routes())
        .merge(imports::html_routes())
        .merge(journal::html_routes(&state))
        .merge(labels::html_routes())
        .merge(ai_labels::html_routes())
        .merge(profile::html_routes(&state))
        .merge(search::html_routes())
        .merge(public::routes())
        .merge(privacy::routes())
        .merge(support::routes())
        .merge(admin::routes())
        .merge(user_data::html_routes())
        .merge(bluesky::routes())
        .merge(oidc::routes());

    let (pages, api) = if state.config.test_fault_routes {
        (pages.merge(test_faults::routes()), api::router(&state).merge(test_faults::routes()))
    } else {
        (pages, api::router(&state))
    };

    // Layers run outside-in from the bottom: request id, metrics, deadline, security headers,
    // error rendering, panics caught (answered as internal errors), who is asking, CSRF, then the
    // handler. (Before all of them, the Entrance answers kept public resumes.)
    Router::new()
        .merge(pages)
        .nest("/api/v1", api)
        .route("/healthz", get(home::health))
        .route("/readyz", get(metrics::ready))
        .route("/metrics", get(metrics::metrics))
        .route("/static/{version}/{name}", get(assets::serve))
        .fallback(|| async { AppError::NotFound })
        .layer(DefaultBodyLimit::max(csrf::MAX_FORM_BYTES))
        .layer(from_fn_with_state(state.clone(), csrf::protect))
        .layer(from_fn_with_state(state.clone(), session::load_visitor))
        .layer(from_fn(panics::catch))
        .layer(from_fn_with_state(state.clone(), error_pages::render_errors))
        .layer(from_fn_with_state(state.clone(), security::headers))
        .layer(from_fn_with_state(state.clone(), deadline))
        .layer(from_fn_with_state(state.clone(), metrics::record))
        .layer(from_fn(request_id::assign))
        .with_state(state)
}

/// Where the server hands every request: a signed-out visit to a public resume the render cache
/// holds, current, is answered at once (`public::kept_resume`: no routing, none of the layers
/// that only matter when handler code runs); everything else goes to the router.
#[derive(Clone)]
pub struct Entrance {
    router: Router,
    state: AppState,
}

impl Entrance {
    pub fn new(state: AppState) -> Self {
        Entrance { router: router(state.clone()), state }
    }

    pub async fn answer<B>(self, request: axum::http::Request<B>) -> axum::response::Response
    where
        B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        use tower::ServiceExt as _;
        if let Some(response) = public::kept_resume(&self.state, &request).await {
            return response;
        }
        match self.router.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }
}

/// A request is answered within 30 s, or 503. Those that wait for an AI run (which streams
/// nothing until it ends) get [`ai_deadline`] instead.
async fn deadline(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let waits = request.method() == axum::http::Method::POST && ai::waits_for_ai(request.uri().path());
    let limit = if waits { ai_deadline(state.config.ai.timeout_seconds) } else { PAGE_DEADLINE };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

const PAGE_DEADLINE: Duration = Duration::from_secs(30);

/// How long a request that waits for an AI run may take: a JSON run may ask the provider twice
/// (its answer gets one repair attempt), each within the AI timeout, so twice that and a margin
/// for the reads and writes around it.
pub fn ai_deadline(ai_timeout_seconds: u64) -> Duration {
    Duration::from_secs(ai_timeout_seconds.max(1).saturating_mul(2).saturating_add(30))
}

#[cfg(test)]
mod deadline_tests {
    #[test]
    fn a_request_waiting_for_ai_outlasts_two_provider_calls() {
        assert_eq!(super::ai_deadline(180).as_secs(), 390);
        assert!(super::ai::waits_for_ai("/api/v1/labels/suggestions"));
        assert!(super::ai::waits_for_ai("/labels/link-batches"));
        assert!(super::ai::waits_for_ai("/interviews/x/prep"));
        assert!(!super::ai::waits_for_ai("/labels/suggestions/create"));
        assert!(!super::ai::waits_for_ai("/labels"));
    }
}
