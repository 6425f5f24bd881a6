//! Bluesky pages: signing in (`POST /login/bluesky`), the OAuth callback, the client metadata
//! and keys Bluesky's servers fetch, Settings → Connections, and sharing a journal entry.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;

use crate::db::bluesky::{self as db, LinkedAccount};
use crate::domain::bluesky::{graphemes, post_web_url, POST_MAX_GRAPHEMES};
use crate::domain::FieldErrors;
use crate::integrations::bluesky::{self as atproto, ClientKind};
use crate::services::bluesky::{self as service, CallbackProblem, CallbackQuery, Finished, Purpose};
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::pages::{Chrome, Notice, NoticeQuery};
use crate::web::respond::{redirect, render};
use crate::web::session::{cookie_value, end_session, start_session, SignedIn, Visitor};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login/bluesky", post(start_sign_in))
        .route(atproto::CALLBACK_PATH, get(callback))
        .route(atproto::METADATA_PATH, get(client_metadata))
        .route(atproto::JWKS_PATH, get(jwks))
        .route("/settings/connections", get(connections_page))
        .route("/settings/connections/bluesky", post(start_link))
        .route("/settings/connections/bluesky/unlink", post(unlink))
        .route("/settings/connections/bluesky/publishing", post(publishing))
        .route("/journal/{id}/share", get(share_page).post(share))
}

/// The cookie that ties an authorization request to the browser that started it: the callback
/// is refused in any other browser (so nobody can link their Bluesky account into yours, or
/// sign you into theirs, by sending you a link).
pub fn browser_cookie_name(state: &AppState) -> &'static str {
    crate::web::session::binding_cookie_name(state, "careerlog_bluesky", "__Host-careerlog_bluesky")
}

fn browser_cookie(state: &AppState, value: &str, max_age: u64) -> HeaderValue {
    crate::web::session::binding_cookie(state, browser_cookie_name(state), "/", value, max_age)
}

#[derive(Template)]
#[template(path = "auth/bluesky_continue.html")]
struct ContinuePage {
    chrome: Chrome,
    url: String,
}

/// Send the browser on to Bluesky with a fresh binding cookie. Not with a redirect: the form's
/// page allows forms to go to this site only (CSP `form-action 'self'`), which browsers also
/// apply to where a form's answer redirects, so a page that moves on by itself does it.
fn to_bluesky(state: &AppState, visitor: &Visitor, url: String, secret: &str) -> AppResult<Response> {
    let chrome = Chrome::new(state, visitor, "Continuing to Bluesky", "login");
    let mut response = render(&ContinuePage { chrome, url })?.into_response();
    let lifetime = crate::integrations::bluesky::stores::REQUEST_LIFETIME.as_secs();
    response.headers_mut().append(SET_COOKIE, browser_cookie(state, secret, lifetime));
    Ok(response)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HandleForm {
    handle: String,
    next: String,
}

async fn start_sign_in(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(form): Form<HandleForm>,
) -> AppResult<Response> {
    let secret = crate::domain::token::random_token();
    let next = crate::web::auth::safe_next(&form.next).to_owned();
    match service::start(&state, &form.handle, Purpose::SignIn, &secret, &next).await {
        Ok(url) => to_bluesky(&state, &visitor, url, &secret),
        Err(ServiceError::Invalid(errors)) => {
            crate::web::auth::login_page_with_bluesky(&state, &visitor, form.handle, form.next, errors).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn start_link(State(state): State<AppState>, me: SignedIn, Form(form): Form<HandleForm>) -> AppResult<Response> {
    let secret = crate::domain::token::random_token();
    let purpose = Purpose::Link(me.user.id.clone());
    match service::start(&state, &form.handle, purpose, &secret, "/settings/connections?notice=bluesky_linked").await {
        Ok(url) => to_bluesky(&state, &me.visitor, url, &secret),
        Err(ServiceError::Invalid(errors)) => {
            connections(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, form.handle, errors, None).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn callback(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> AppResult<Response> {
    let secret = cookie_value(&headers, browser_cookie_name(&state)).map(str::to_owned);
    let signed_in = visitor.user().map(|u| u.id.clone());
    let open = crate::web::admin::signups(&state).await?.open();
    let outcome = service::finish(&state, query, secret.as_deref(), signed_in.as_ref(), open).await?;
    let clear = browser_cookie(&state, "", 0);
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
        Err(problem) => problem_page(&state, &visitor, problem)?,
    };
    response.headers_mut().append(SET_COOKIE, clear);
    Ok(response)
}

#[derive(Template)]
#[template(path = "auth/bluesky_problem.html")]
struct ProblemPage {
    chrome: Chrome,
    heading: &'static str,
    message: String,
    /// Where "Try again" goes.
    retry: &'static str,
}

fn problem_page(state: &AppState, visitor: &Visitor, problem: CallbackProblem) -> AppResult<Response> {
    let retry = if visitor.user().is_some() { "/settings/connections" } else { "/login" };
    let (status, heading, message) = match problem {
        CallbackProblem::Denied => (
            StatusCode::FORBIDDEN,
            "Bluesky sign-in cancelled",
            "You did not allow Careerlog to use your Bluesky account, so nothing was changed.".to_owned(),
        ),
        CallbackProblem::Expired => (
            StatusCode::BAD_REQUEST,
            "This sign-in link has expired",
            "A sign-in at Bluesky must be finished within 10 minutes and works once. Nothing was changed; start again."
                .to_owned(),
        ),
        CallbackProblem::OtherBrowser => (
            StatusCode::BAD_REQUEST,
            "Finish in the browser you started in",
            "This Bluesky sign-in was started in another browser (or its cookie was removed), so it was not used. \
             Start again here."
                .to_owned(),
        ),
        CallbackProblem::Refused(_) => (
            StatusCode::BAD_GATEWAY,
            "Bluesky sign-in failed",
            "Bluesky's answer could not be verified, so nothing was changed. Try again; if it keeps failing, your \
             Bluesky server may be having trouble."
                .to_owned(),
        ),
        CallbackProblem::WrongAccount { asked, got } => (
            StatusCode::CONFLICT,
            "That is another Bluesky account",
            format!("You asked to continue as {asked} but signed in at Bluesky as @{got}. Nothing was changed."),
        ),
        CallbackProblem::SignupsClosed => (
            StatusCode::FORBIDDEN,
            "New accounts are closed",
            "This Bluesky account has no Careerlog account here, and the administrators are not accepting new \
             accounts just now. If you have an account, sign in with your email address and link Bluesky in \
             Settings → Connections."
                .to_owned(),
        ),
        CallbackProblem::LinkedElsewhere => (
            StatusCode::CONFLICT,
            "Already linked to another account",
            "This Bluesky account is linked to another Careerlog account. Sign in with it there and unlink it first."
                .to_owned(),
        ),
        CallbackProblem::AlreadyLinked => (
            StatusCode::CONFLICT,
            "You already have a Bluesky account linked",
            "Unlink the Bluesky account you have first, then link this one.".to_owned(),
        ),
        CallbackProblem::SignedInAsSomeoneElse => (
            StatusCode::FORBIDDEN,
            "This link was started by another account",
            "The Bluesky link was started while signed in as someone else, so it was not used. Start again from \
             Settings → Connections."
                .to_owned(),
        ),
    };
    let chrome = Chrome::new(state, visitor, heading, "login");
    Ok((status, render(&ProblemPage { chrome, heading, message, retry })?).into_response())
}

/// The client metadata document, at the address that is its `client_id`.
async fn client_metadata(State(state): State<AppState>) -> Response {
    let document = match &state.bluesky {
        Some(bluesky) => bluesky.client_metadata(),
        None => atproto::client_metadata_document(&state.base_url),
    };
    public_json(document)
}

/// The confidential client's public key (empty for a loopback or disabled client).
async fn jwks(State(state): State<AppState>) -> Response {
    let keys = match &state.bluesky {
        Some(bluesky) => bluesky.public_jwks(),
        None => serde_json::json!({ "keys": [] }),
    };
    public_json(keys)
}

fn public_json(value: serde_json::Value) -> Response {
    ([(CACHE_CONTROL, "public, max-age=300")], Json(value)).into_response()
}

// --- Settings → Connections ---

#[derive(Template)]
#[template(path = "settings/connections.html")]
struct ConnectionsPage {
    chrome: Chrome,
    /// Why Bluesky cannot be used here, when it cannot.
    unavailable: Option<&'static str>,
    account: Option<AccountView>,
    handle: String,
    errors: FieldErrors,
    /// Bluesky is the account's only way in: unlinking is refused until a password is set.
    only_way_in: bool,
    /// Google and the other OpenID Connect providers configured.
    providers: Vec<crate::web::oidc::ProviderView>,
    /// The Google Calendar section, when Google is configured.
    calendar: Option<crate::web::oidc::CalendarView>,
}

struct AccountView {
    handle: String,
    did: String,
    avatar_url: Option<String>,
    reconnect: bool,
    linked: String,
    publishing: bool,
    publication_uri: Option<String>,
    publication_error: Option<String>,
    journal_url: Option<String>,
    documents: usize,
    document_errors: Vec<String>,
}

async fn connections_page(
    State(state): State<AppState>,
    me: SignedIn,
    Query(notice): Query<NoticeQuery>,
) -> AppResult<Response> {
    let notice = match notice.notice.as_deref() {
        Some("bluesky_linked") => Some(Notice::success("Your Bluesky account is linked.")),
        Some("welcome") => Some(Notice::success(
            "Welcome to Careerlog. You signed in with Bluesky; you can add an email address and a password under \
             Account, so you can also sign in without it.",
        )),
        Some("bluesky_unlinked") => Some(Notice::success(
            "Your Bluesky account is unlinked: its handle, DID and tokens were deleted here, and Bluesky revoked the \
             access.",
        )),
        Some("bluesky_unlinked_not_revoked") => Some(Notice::warning(
            "Your Bluesky account is unlinked and everything of it was deleted here, but Bluesky could not be \
             reached to revoke the access: remove Careerlog from your Bluesky account's apps to be sure.",
        )),
        Some("publishing_on") => Some(Notice::success(
            "Publishing is on. Your public journal entries are being written to your Bluesky repository.",
        )),
        Some("publishing_off") => {
            Some(Notice::success("Publishing is off. What was published is being removed from your repository."))
        }
        _ => notice.notice(),
    };
    connections(&state, &me, StatusCode::OK, String::new(), FieldErrors::new(), notice).await
}

/// The page again with an error from another connection's form (unlinking a provider).
pub async fn connections_with_errors(state: &AppState, me: &SignedIn, errors: FieldErrors) -> AppResult<Response> {
    connections(state, me, StatusCode::UNPROCESSABLE_ENTITY, String::new(), errors, None).await
}

async fn connections(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    handle: String,
    errors: FieldErrors,
    notice: Option<Notice>,
) -> AppResult<Response> {
    let pool = state.db.pool();
    let account = match db::account_of_user(pool, &me.user.id).await? {
        Some(account) => Some(account_view(state, account).await?),
        None => None,
    };
    let unavailable = match &state.bluesky {
        Some(_) => None,
        None if ClientKind::of(&state.base_url).is_none() => Some(
            "Bluesky needs this Careerlog instance to be served over https (or on http://127.0.0.1 for \
             development). Ask its administrators.",
        ),
        None => Some("The administrators of this Careerlog instance have turned Bluesky off."),
    };
    let (providers, calendar) = crate::web::oidc::connection_views(state, me).await?;
    let page = ConnectionsPage {
        providers,
        calendar,
        chrome: Chrome::new(state, &me.visitor, "Connections", "settings/connections").with_notice(notice),
        unavailable,
        account,
        handle,
        errors,
        only_way_in: {
            let mut conn = state.db.pool().acquire().await?;
            !crate::services::oidc::other_ways_in(
                state,
                &mut conn,
                &me.user,
                "bluesky",
                crate::web::auth::password_sign_in(state),
            )
            .await?
        },
    };
    Ok((status, render(&page)?).into_response())
}

async fn account_view(state: &AppState, account: LinkedAccount) -> AppResult<AccountView> {
    let pool = state.db.pool();
    let profile = crate::db::profiles::get(pool, &account.user_id).await?;
    let documents = db::documents_of_user(pool, &account.user_id).await?;
    let journal_url = match (&profile.username, profile.journal_public.get()) {
        (Some(username), true) => {
            Some(format!("{}/u/{username}/journal", state.base_url.as_str().trim_end_matches('/')))
        }
        _ => None,
    };
    Ok(AccountView {
        reconnect: account.needs_reconnect(),
        publishing: account.publishing(),
        linked: account.created_at.human(),
        documents: documents.iter().filter(|d| d.uri.is_some()).count(),
        document_errors: documents.iter().filter_map(|d| d.last_error.clone()).take(5).collect(),
        handle: account.handle,
        did: account.did,
        avatar_url: account.avatar_url.filter(|u| u.starts_with("https://")),
        publication_uri: account.publication_uri,
        publication_error: account.publication_error,
        journal_url,
    })
}

async fn unlink(State(state): State<AppState>, me: SignedIn) -> AppResult<Response> {
    match service::unlink(&state, &me.user.id, crate::web::auth::password_sign_in(&state)).await {
        Ok(done) if done.revoked_at_server => Ok(redirect("/settings/connections?notice=bluesky_unlinked")),
        Ok(_) => Ok(redirect("/settings/connections?notice=bluesky_unlinked_not_revoked")),
        Err(ServiceError::Invalid(errors)) => {
            connections(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, String::new(), errors, None).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PublishingForm {
    publishing: String,
}

async fn publishing(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<PublishingForm>,
) -> AppResult<Response> {
    let on = crate::web::extract::switch("publishing", &form.publishing)?;
    service::set_publishing(&state, &me.user.id, on).await?;
    Ok(redirect(if on {
        "/settings/connections?notice=publishing_on"
    } else {
        "/settings/connections?notice=publishing_off"
    }))
}

// --- Sharing a journal entry ---

#[derive(Template)]
#[template(path = "journal/share.html")]
struct SharePage {
    chrome: Chrome,
    entry_id: String,
    entry_title: String,
    /// Set when the entry can be shared (it is public).
    link: Option<String>,
    description: String,
    image: Option<String>,
    text: String,
    count: usize,
    max: usize,
    errors: FieldErrors,
    account: Option<LinkedAccount>,
    posts: Vec<PostView>,
}

struct PostView {
    text: String,
    when: String,
    url: Option<String>,
    uri: String,
}

async fn share_page(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<Response> {
    share_form(&state, &me, &id, None, FieldErrors::new(), StatusCode::OK, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShareForm {
    text: String,
}

async fn share(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ShareForm>,
) -> AppResult<Response> {
    match service::share(&state, &me.user.id, &id, &form.text).await {
        Ok(_) => {
            let notice = Notice::success("Shared on Bluesky.");
            share_form(&state, &me, &id, None, FieldErrors::new(), StatusCode::OK, Some(notice)).await
        }
        Err(ServiceError::Invalid(errors)) => {
            share_form(&state, &me, &id, Some(form.text), errors, StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn share_form(
    state: &AppState,
    me: &SignedIn,
    id: &str,
    typed: Option<String>,
    errors: FieldErrors,
    status: StatusCode,
    notice: Option<Notice>,
) -> AppResult<Response> {
    let pool = state.db.pool();
    let entry = crate::db::journal::title_of(pool, &me.user.id, id).await?.ok_or(AppError::NotFound)?;
    let draft = service::share_draft(state, &me.user.id, id).await?;
    let image = match db::first_image(pool, &me.user.id, id).await? {
        Some(first) if draft.is_some() => Some(format!("/files/{}", first.id)),
        _ => None,
    };
    let text = typed.unwrap_or_else(|| draft.as_ref().map(|d| d.text.clone()).unwrap_or_default());
    let posts = db::posts_of_entry(pool, &me.user.id, id)
        .await?
        .into_iter()
        .map(|p| PostView { url: post_web_url(&p.uri), uri: p.uri, when: p.created_at.human(), text: p.post_text })
        .collect();
    let page = SharePage {
        chrome: Chrome::new(state, &me.visitor, "Share on Bluesky", "journal").with_notice(notice),
        entry_id: id.to_owned(),
        entry_title: entry,
        description: draft.as_ref().map(|d| service::description_of(&d.entry.body, 300)).unwrap_or_default(),
        link: draft.map(|d| d.link),
        image,
        count: graphemes(&text),
        max: POST_MAX_GRAPHEMES,
        text,
        errors,
        account: db::account_of_user(pool, &me.user.id).await?,
        posts,
    };
    Ok((status, render(&page)?).into_response())
}
