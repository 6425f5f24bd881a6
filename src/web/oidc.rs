//! Google and other OpenID Connect providers: the sign-in buttons' flow (`GET /login/oidc/{name}`
//! answers with a redirect to the provider), the callback, linking and unlinking in Settings →
//! Connections, confirming a link found by a verified address, and the Google Calendar consent.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use crate::db::{google_calendar, oidc as db};
use crate::domain::FieldErrors;
use crate::services::oidc::{self as service, CallbackProblem, CallbackQuery, Finished, Purpose};
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::client::ClientAddr;
use crate::web::error::{AppError, AppResult};
use crate::web::pages::Chrome;
use crate::web::respond::{redirect, render};
use crate::web::session::{
    binding_cookie, binding_cookie_name, cookie_value, end_session, start_session, SignedIn, Visitor,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login/oidc/{name}", get(start_sign_in))
        .route("/oauth/oidc/{name}/callback", get(callback))
        .route("/settings/connections/oidc/confirm", get(confirm_page).post(confirm))
        .route("/settings/connections/oidc/{name}", post(start_link))
        .route("/settings/connections/oidc/{name}/unlink", post(unlink))
        .route("/settings/connections/calendar", post(start_calendar))
        .route("/settings/connections/calendar/disconnect", post(disconnect_calendar))
        .route("/settings/connections/calendar/preparation", post(preparation))
        .route("/settings/connections/calendar/sync", post(sync_now))
}

/// The cookie that ties a request to the browser that started it (as for Bluesky): the
/// callback is refused in any other browser.
pub fn browser_cookie_name(state: &AppState) -> &'static str {
    binding_cookie_name(state, "careerlog_oidc", "__Host-careerlog_oidc")
}

fn browser_cookie(state: &AppState, value: &str, max_age: u64) -> HeaderValue {
    binding_cookie(state, browser_cookie_name(state), "/", value, max_age)
}

/// The cookie naming a link waiting for its owner's confirmation: its own, so starting another
/// sign-in (which replaces the request cookie) does not lose it.
pub fn pending_cookie_name(state: &AppState) -> &'static str {
    binding_cookie_name(state, "careerlog_oidc_link", "__Host-careerlog_oidc_link")
}

fn pending_cookie(state: &AppState, value: &str, max_age: u64) -> HeaderValue {
    // `__Host-` cookies must have `Path=/`.
    binding_cookie(state, pending_cookie_name(state), "/", value, max_age)
}

fn lifetime() -> u64 {
    service::REQUEST_LIFETIME.as_secs()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    next: String,
}

/// A sign-in button: straight on to the provider with a redirect (a link, not a form, so the
/// page's `form-action 'self'` does not stop the redirect). Starting costs nothing but a row
/// that expires in ten minutes, and only the browser holding the cookie can finish it.
async fn start_sign_in(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientAddr(client): ClientAddr,
    Path(name): Path<String>,
    Query(query): Query<NextQuery>,
) -> AppResult<Response> {
    service::provider(&state, &name)?;
    let bucket = crate::services::throttle::client_bucket(&state, "oidc-start", client);
    crate::services::throttle::take(
        &state,
        &bucket,
        crate::services::throttle::PROVIDER_STARTS_PER_CLIENT,
        |minutes| {
            let unit = if minutes == 1 { "minute" } else { "minutes" };
            format!("Too many sign-ins started from your network. Try again in {minutes} {unit}.")
        },
    )
    .await?;
    let secret = crate::domain::token::random_token();
    let next = crate::web::auth::safe_next(&query.next).to_owned();
    match service::start(&state, &name, Purpose::SignIn, &secret, &next).await {
        Ok(url) => {
            let mut response = (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, url)]).into_response();
            response.headers_mut().append(SET_COOKIE, browser_cookie(&state, &secret, lifetime()));
            Ok(response)
        }
        Err(ServiceError::Invalid(errors)) => {
            let message = errors.get("provider").unwrap_or("The provider did not answer.").to_owned();
            problem(&state, &visitor, StatusCode::BAD_GATEWAY, "Sign-in could not start", message, "/login")
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "auth/oidc_continue.html")]
struct ContinuePage {
    chrome: Chrome,
    label: String,
    url: String,
}

/// From a form (CSRF-checked) on to the provider: a page that moves on by itself, since browsers
/// apply `form-action 'self'` to where a form's answer redirects.
fn continue_to(state: &AppState, visitor: &Visitor, label: &str, url: String, secret: &str) -> AppResult<Response> {
    let chrome = Chrome::new(state, visitor, format!("Continuing to {label}"), "settings/connections");
    let mut response = render(&ContinuePage { chrome, label: label.to_owned(), url })?.into_response();
    response.headers_mut().append(SET_COOKIE, browser_cookie(state, secret, lifetime()));
    Ok(response)
}

async fn start_link(State(state): State<AppState>, me: SignedIn, Path(name): Path<String>) -> AppResult<Response> {
    let provider = service::provider(&state, &name)?.clone();
    let secret = crate::domain::token::random_token();
    let next = format!("/settings/connections?notice=oidc_linked&provider={name}");
    let url = service::start(&state, &name, Purpose::Link(me.user.id.clone()), &secret, &next).await?;
    continue_to(&state, &me.visitor, &provider.label, url, &secret)
}

async fn start_calendar(State(state): State<AppState>, me: SignedIn) -> AppResult<Response> {
    let provider = state.oidc.google().ok_or(AppError::NotFound)?.clone();
    let secret = crate::domain::token::random_token();
    let url = service::start(&state, &provider.name, Purpose::Calendar(me.user.id.clone()), &secret, "").await?;
    continue_to(&state, &me.visitor, &provider.label, url, &secret)
}

async fn callback(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(query): Query<CallbackQuery>,
) -> AppResult<Response> {
    let provider = service::provider(&state, &name)?.clone();
    let secret = cookie_value(&headers, browser_cookie_name(&state)).map(str::to_owned);
    let signed_in = visitor.user().map(|u| u.id.clone());
    let open = crate::web::admin::signups(&state).await?.open();
    let outcome = service::finish(&state, &name, query, secret.as_deref(), signed_in.as_ref(), open).await?;
    let mut keep_cookie = false;
    let mut response = match outcome {
        Ok(Finished::SignedIn { user_id, next, .. }) => {
            if visitor.session_id_hash().is_some() {
                end_session(&state, &visitor).await?;
            }
            let cookie = start_session(&state, &user_id).await?;
            let mut response = redirect(crate::web::auth::safe_next(&next));
            response.headers_mut().append(SET_COOKIE, cookie);
            response
        }
        Ok(Finished::Linked { next }) => redirect(crate::web::auth::safe_next(&next)),
        Ok(Finished::CalendarConnected) => {
            // The first sync starts now rather than at the next pass.
            let handles = state.handles.clone();
            let user_id = signed_in.clone().expect("a calendar consent is finished signed in");
            tokio::spawn(async move {
                if let Err(err) = crate::services::calendar_sync::sync_user(&handles, &user_id).await {
                    tracing::warn!(error = ?err, "the first calendar sync failed; the next pass retries");
                }
            });
            redirect("/settings/connections?notice=calendar_connected")
        }
        Ok(Finished::ConfirmLink) => {
            // The request's secret now names the link waiting for confirmation, in a cookie of
            // its own.
            keep_cookie = true;
            redirect("/login?next=/settings/connections/oidc/confirm&notice=oidc_confirm")
        }
        Err(problem_seen) => callback_problem(&state, &visitor, &provider.label, problem_seen)?,
    };
    if keep_cookie {
        if let Some(secret) = &secret {
            response.headers_mut().append(SET_COOKIE, pending_cookie(&state, secret, lifetime()));
        }
    }
    response.headers_mut().append(SET_COOKIE, browser_cookie(&state, "", 0));
    Ok(response)
}

#[derive(Template)]
#[template(path = "auth/bluesky_problem.html")]
struct ProblemPage {
    chrome: Chrome,
    heading: String,
    message: String,
    retry: &'static str,
}

fn problem(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    heading: &str,
    message: String,
    retry: &'static str,
) -> AppResult<Response> {
    let chrome = Chrome::new(state, visitor, heading, "login");
    Ok((status, render(&ProblemPage { chrome, heading: heading.to_owned(), message, retry })?).into_response())
}

fn callback_problem(
    state: &AppState,
    visitor: &Visitor,
    label: &str,
    problem_seen: CallbackProblem,
) -> AppResult<Response> {
    let retry = if visitor.user().is_some() { "/settings/connections" } else { "/login" };
    let (status, heading, message) = match problem_seen {
        CallbackProblem::Denied => (
            StatusCode::FORBIDDEN,
            format!("{label} sign-in cancelled"),
            format!("You did not allow Careerlog to use your {label} account, so nothing was changed."),
        ),
        CallbackProblem::Expired => (
            StatusCode::BAD_REQUEST,
            "This sign-in link has expired".to_owned(),
            format!("A sign-in at {label} must be finished within 10 minutes and works once. Nothing was changed; start again."),
        ),
        CallbackProblem::OtherBrowser => (
            StatusCode::BAD_REQUEST,
            "Finish in the browser you started in".to_owned(),
            format!("This {label} sign-in was started in another browser (or its cookie was removed), so it was not used. Start again here."),
        ),
        CallbackProblem::Refused(_) => (
            StatusCode::BAD_GATEWAY,
            format!("{label} sign-in failed"),
            format!("{label}'s answer could not be verified, so nothing was changed. Try again; if it keeps failing, tell the administrators of this instance."),
        ),
        CallbackProblem::SignupsClosed => (
            StatusCode::FORBIDDEN,
            "New accounts are closed".to_owned(),
            format!("This {label} account has no Careerlog account here, and the administrators are not accepting new accounts just now. If you have an account, sign in and link {label} in Settings → Connections."),
        ),
        CallbackProblem::LinkedElsewhere => (
            StatusCode::CONFLICT,
            "Already linked to another account".to_owned(),
            format!("This {label} account is linked to another Careerlog account. Sign in with it there and unlink it first."),
        ),
        CallbackProblem::AlreadyLinked => (
            StatusCode::CONFLICT,
            format!("You already have a {label} account linked"),
            format!("Unlink the {label} account you have first, then link this one."),
        ),
        CallbackProblem::SignedInAsSomeoneElse => (
            StatusCode::FORBIDDEN,
            "This link was started by another account".to_owned(),
            "It was started while signed in as someone else, so it was not used. Start again from Settings → Connections.".to_owned(),
        ),
        CallbackProblem::AddressInUse => (
            StatusCode::CONFLICT,
            "An account already uses this address".to_owned(),
            format!("{label} does not say this address is verified, so it cannot be linked by its address. Sign in to your Careerlog account and link {label} in Settings → Connections."),
        ),
        CallbackProblem::CalendarNotGranted => (
            StatusCode::FORBIDDEN,
            "The calendar was not shared".to_owned(),
            format!("{label} did not give Careerlog access to your calendar (its box was not ticked), so nothing was connected. Try again and allow “See events on all your calendars”."),
        ),
    };
    let chrome = Chrome::new(state, visitor, &heading, "login");
    Ok((status, render(&ProblemPage { chrome, heading, message, retry })?).into_response())
}

// --- Confirming a link found by a verified address ---

#[derive(Template)]
#[template(path = "settings/oidc_confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    label: String,
    email: String,
    errors: FieldErrors,
}

async fn confirm_page(State(state): State<AppState>, me: SignedIn, headers: HeaderMap) -> AppResult<Response> {
    confirm_form(&state, &me, &headers, FieldErrors::new(), StatusCode::OK).await
}

async fn confirm_form(
    state: &AppState,
    me: &SignedIn,
    headers: &HeaderMap,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let secret = cookie_value(headers, pending_cookie_name(state)).ok_or(AppError::NotFound)?;
    let pending = service::pending_link(state, secret).await?.ok_or(AppError::NotFound)?;
    let label = service::provider(state, &pending.provider)?.label.clone();
    let chrome = Chrome::new(state, &me.visitor, format!("Link {label}"), "settings/connections");
    Ok((status, render(&ConfirmPage { chrome, label, email: pending.email, errors })?).into_response())
}

async fn confirm(State(state): State<AppState>, me: SignedIn, headers: HeaderMap) -> AppResult<Response> {
    let secret = cookie_value(&headers, pending_cookie_name(&state)).ok_or(AppError::NotFound)?.to_owned();
    match service::confirm_link(&state, &me.user.id, &secret).await {
        Ok(_) => {
            let mut response = redirect("/settings/connections?notice=oidc_linked");
            response.headers_mut().append(SET_COOKIE, pending_cookie(&state, "", 0));
            Ok(response)
        }
        Err(ServiceError::Invalid(errors)) => {
            confirm_form(&state, &me, &headers, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn unlink(State(state): State<AppState>, me: SignedIn, Path(name): Path<String>) -> AppResult<Response> {
    match service::unlink(&state, &me.user.id, &name, crate::web::auth::password_sign_in(&state)).await {
        Ok(()) => Ok(redirect("/settings/connections?notice=oidc_unlinked")),
        Err(ServiceError::Invalid(errors)) => crate::web::bluesky::connections_with_errors(&state, &me, errors).await,
        Err(other) => Err(other.into()),
    }
}

// --- Google Calendar ---

async fn disconnect_calendar(State(state): State<AppState>, me: SignedIn) -> AppResult<Response> {
    let revoked = service::disconnect_calendar(&state, &me.user.id).await?;
    Ok(redirect(if revoked {
        "/settings/connections?notice=calendar_disconnected"
    } else {
        "/settings/connections?notice=calendar_disconnected_not_revoked"
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PreparationForm {
    preparation: String,
}

async fn preparation(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<PreparationForm>,
) -> AppResult<Response> {
    let on = crate::web::extract::switch("preparation", &form.preparation)?;
    if !google_calendar::set_prepare_in_advance(state.db.pool(), &me.user.id, on, state.clock.now()).await? {
        return Err(AppError::NotFound);
    }
    Ok(redirect(if on {
        "/settings/connections?notice=preparation_on"
    } else {
        "/settings/connections?notice=preparation_off"
    }))
}

/// "Look for interviews now": at most once a minute, and never sooner than Google asked.
async fn sync_now(State(state): State<AppState>, me: SignedIn) -> AppResult<Response> {
    let now = state.clock.now();
    let connection = google_calendar::connection(state.db.pool(), &me.user.id).await?.ok_or(AppError::NotFound)?;
    if connection.needs_reconnect() {
        return Ok(redirect("/settings/connections"));
    }
    if connection.attempts > 0 && connection.next_sync_at.millis() > now.millis() {
        return Ok(redirect("/settings/connections?notice=calendar_waiting"));
    }
    let recently = connection.last_synced_at.is_some_and(|at| now.millis() - at.millis() < 60_000);
    if recently {
        return Ok(redirect("/settings/connections?notice=calendar_synced"));
    }
    google_calendar::sync_soon(state.db.pool(), &me.user.id, now).await?;
    let read = crate::services::calendar_sync::sync_user(&state, &me.user.id).await?;
    Ok(redirect(if read {
        "/settings/connections?notice=calendar_synced"
    } else {
        "/settings/connections?notice=calendar_not_read"
    }))
}

// --- What Settings → Connections shows ---

pub struct ProviderView {
    pub name: String,
    pub label: String,
    /// The label's first letter, for the avatar's place when there is no picture.
    pub initial: String,
    pub linked: Option<IdentityView>,
}

pub struct IdentityView {
    pub email: Option<String>,
    pub name: Option<String>,
    pub picture: Option<String>,
    pub since: String,
}

pub struct CalendarView {
    /// None: not connected.
    pub connection: Option<CalendarConnectionView>,
    /// AI is configured on this instance (preparation in advance can be offered).
    pub ai_available: bool,
}

pub struct CalendarConnectionView {
    pub email: Option<String>,
    pub reconnect: bool,
    pub prepare_in_advance: bool,
    pub last_synced: Option<String>,
    pub last_error: Option<String>,
}

/// One row per configured provider (with the identity linked, if any), and the calendar
/// section when Google is configured.
pub async fn connection_views(state: &AppState, me: &SignedIn) -> AppResult<(Vec<ProviderView>, Option<CalendarView>)> {
    let pool = state.db.pool();
    let identities = db::of_user(pool, &me.user.id).await?;
    let providers = state
        .oidc
        .all()
        .iter()
        .map(|provider| ProviderView {
            initial: provider.label.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default(),
            name: provider.name.clone(),
            label: provider.label.clone(),
            linked: identities.iter().find(|i| i.provider == provider.name).map(|i| IdentityView {
                email: i.email.clone(),
                name: i.name.clone(),
                picture: i.picture_url.clone().filter(|p| p.starts_with("https://")),
                since: i.created_at.human(),
            }),
        })
        .collect();
    let calendar = match state.oidc.google() {
        None => None,
        Some(_) => {
            let connection = google_calendar::connection(pool, &me.user.id).await?.map(|c| CalendarConnectionView {
                reconnect: c.needs_reconnect(),
                prepare_in_advance: c.prepares_in_advance(),
                last_synced: c.last_synced_at.map(|t| t.human()),
                last_error: c.last_error.clone(),
                email: c.email,
            });
            Some(CalendarView { connection, ai_available: state.ai.is_some() })
        }
    };
    Ok((providers, calendar))
}
