//! Who is making this request: a signed-in session (cookie), an API token (Bearer header), or
//! an anonymous visitor. Loaded once per request by `load_visitor` and read by the extractors.
//!
//! Cookies: the session cookie, and for anonymous visitors who are shown a form, the CSRF cookie.
//! Both are HttpOnly, SameSite=Lax, carry no expiry (they end with the browser session) and are
//! `__Host-`-prefixed and `Secure` when the base URL is https. No other cookie exists.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::clock::Timestamp;
use crate::db::accounts::User;
use crate::db::sessions::SessionRow;
use crate::db::{api_tokens, sessions};
use crate::domain::token::{looks_like_token, random_token};
use crate::domain::UserId;
use crate::secrets::hash_token;
use crate::state::AppState;
use crate::web::error::AppError;

pub use crate::domain::token::API_TOKEN_PREFIX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    Anonymous,
    Session,
    ApiToken,
}

struct VisitorInner {
    user: Option<User>,
    session: Option<SessionRow>,
    method: AuthMethod,
    /// The anonymous CSRF cookie's value (existing or freshly made).
    anon_seed: String,
    anon_seed_is_new: bool,
    anon_csrf_token: String,
    /// Set when a page used the anonymous CSRF token, so the cookie must go out with it.
    anon_token_used: AtomicBool,
}

/// The requester, available to every handler.
#[derive(Clone)]
pub struct Visitor(Arc<VisitorInner>);

impl Visitor {
    pub fn user(&self) -> Option<&User> {
        self.0.user.as_ref()
    }

    pub fn method(&self) -> AuthMethod {
        self.0.method
    }

    pub fn session_id_hash(&self) -> Option<&str> {
        self.0.session.as_ref().map(|s| s.id_hash.as_str())
    }

    /// When the session asking was started (`None` for an API token): a recent sign-in proves
    /// the owner of an account without a password (account deletion).
    pub fn session_started_at(&self) -> Option<crate::clock::Timestamp> {
        self.0.session.as_ref().map(|s| s.created_at)
    }

    /// The token to put in forms (and send as `X-CSRF-Token`).
    pub fn csrf_token(&self) -> String {
        match &self.0.session {
            Some(session) => session.csrf_token.clone(),
            None => {
                self.0.anon_token_used.store(true, Ordering::Relaxed);
                self.0.anon_csrf_token.clone()
            }
        }
    }

    /// A visitor nobody is signed in as, for pages rendered where the request's own visitor is
    /// unknown (an error before the visitor was loaded). Its CSRF token is never accepted.
    pub fn unknown() -> Self {
        Visitor(Arc::new(VisitorInner {
            user: None,
            session: None,
            method: AuthMethod::Anonymous,
            anon_seed: String::new(),
            anon_seed_is_new: false,
            anon_csrf_token: String::new(),
            anon_token_used: AtomicBool::new(false),
        }))
    }

    /// The tokens that this requester's cookies make acceptable.
    pub(crate) fn acceptable_csrf_tokens(&self, has_anon_cookie: bool) -> Vec<&str> {
        // Signed in: only the session's own token. Before sign-in: the token bound to the
        // anonymous CSRF cookie.
        match (&self.0.session, has_anon_cookie) {
            (Some(session), _) => vec![session.csrf_token.as_str()],
            (None, true) => vec![self.0.anon_csrf_token.as_str()],
            (None, false) => Vec::new(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Visitor>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("visitor middleware missing")))
    }
}

/// A signed-in user (by session cookie or API token); otherwise the request is refused with
/// 401 (API) or sent to the sign-in page (HTML).
#[derive(Clone)]
pub struct SignedIn {
    pub user: User,
    pub visitor: Visitor,
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        match visitor.user() {
            Some(user) => Ok(SignedIn { user: user.clone(), visitor }),
            None => Err(AppError::Unauthorized),
        }
    }
}

/// Names and attributes of our two cookies.
#[derive(Debug, Clone)]
pub struct CookiePolicy {
    pub session_name: &'static str,
    pub csrf_name: &'static str,
    pub secure: bool,
}

impl CookiePolicy {
    /// The policy for this instance: `__Host-` names and `Secure` when served over HTTPS.
    pub fn of(state: &AppState) -> Self {
        Self::new(state.base_url.scheme() == "https")
    }

    pub fn new(https: bool) -> Self {
        if https {
            Self { session_name: "__Host-careerlog_session", csrf_name: "__Host-careerlog_csrf", secure: true }
        } else {
            Self { session_name: "careerlog_session", csrf_name: "careerlog_csrf", secure: false }
        }
    }

    /// A browser-session cookie: no Expires or Max-Age.
    fn set(&self, name: &str, value: &str) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}"))
            .expect("cookie values are base64url")
    }

    fn clear(&self, name: &str) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}=; Path=/; HttpOnly; SameSite=Lax{secure}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        ))
        .expect("static cookie text")
    }
}

/// Read a cookie's value from the request headers.
pub fn cookie_value<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Middleware: work out who is asking, put a `Visitor` in the request (and the response, for
/// the error pages), and send the anonymous CSRF cookie if a form used its token.
pub async fn load_visitor(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let now = state.clock.now();
    let is_api = request.uri().path().starts_with("/api/");

    let mut user = None;
    let mut session = None;
    let mut method = AuthMethod::Anonymous;

    let bearer = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(bearer_token).map(str::to_owned);

    if let (true, Some(token)) = (is_api, bearer) {
        // A Bearer token is the whole story: no cookie is consulted, so no CSRF applies.
        match authenticate_api_token(&state, &token, now).await {
            Ok(Some(found)) => {
                user = Some(found);
                method = AuthMethod::ApiToken;
            }
            Ok(None) => return invalid_token_response(),
            Err(err) => return err.into_response(),
        }
    } else if let Some(cookie) = cookie_value(headers, CookiePolicy::of(&state).session_name) {
        match resume_session(&state, cookie, now).await {
            Ok(Some((row, found))) => {
                session = Some(row);
                user = Some(found);
                method = AuthMethod::Session;
            }
            Ok(None) => {}
            Err(err) => return err.into_response(),
        }
    }

    let cookies = CookiePolicy::of(&state);
    let existing_seed =
        cookie_value(request.headers(), cookies.csrf_name).filter(|v| looks_like_token(v)).map(str::to_owned);
    let anon_seed_is_new = existing_seed.is_none();
    let anon_seed = existing_seed.unwrap_or_else(random_token);
    let anon_csrf_token = state.csrf_key.mac(anon_seed.as_bytes());

    let visitor = Visitor(Arc::new(VisitorInner {
        user,
        session,
        method,
        anon_seed,
        anon_seed_is_new,
        anon_csrf_token,
        anon_token_used: AtomicBool::new(false),
    }));
    // Times on the pages are shown in the reader's zone (UTC until they have one).
    let zone = visitor.user().and_then(|u| jiff::tz::TimeZone::get(&u.time_zone).ok());
    request.extensions_mut().insert(visitor.clone());

    let mut response = crate::clock::VIEWER_TIME_ZONE.scope(zone, next.run(request)).await;
    if visitor.0.anon_seed_is_new && visitor.0.anon_token_used.load(Ordering::Relaxed) {
        response.headers_mut().append(SET_COOKIE, cookies.set(cookies.csrf_name, &visitor.0.anon_seed));
    }
    response.extensions_mut().insert(visitor);
    response
}

fn invalid_token_response() -> Response {
    let mut response = AppError::Unauthorized.into_response();
    if let Some(report) = response.extensions_mut().get_mut::<crate::web::error::ErrorReport>() {
        report.code = "invalid_token";
        report.message = "The access token is missing, malformed, revoked or unknown.".into();
    }
    response
}

async fn authenticate_api_token(state: &AppState, token: &str, now: Timestamp) -> Result<Option<User>, AppError> {
    let Some(secret) = token.strip_prefix(API_TOKEN_PREFIX) else { return Ok(None) };
    if !looks_like_token(secret) {
        return Ok(None);
    }
    let Some((token_id, user)) = api_tokens::find_owner(state.db.pool(), &hash_token(token)).await? else {
        return Ok(None);
    };
    api_tokens::touch(state.db.pool(), &token_id, now).await?;
    Ok(Some(user))
}

/// Find the session for a cookie, enforcing the idle and absolute timeouts.
async fn resume_session(
    state: &AppState,
    cookie: &str,
    now: Timestamp,
) -> Result<Option<(SessionRow, User)>, AppError> {
    if !looks_like_token(cookie) {
        return Ok(None);
    }
    let id_hash = hash_token(cookie);
    let Some((row, user)) = sessions::find_with_user(state.db.pool(), &id_hash).await? else { return Ok(None) };
    let idle_limit = Duration::from_secs(u64::from(state.config.security.session_idle_minutes) * 60);
    if row.expires_at <= now || row.last_seen_at.plus(idle_limit) <= now {
        sessions::delete(state.db.pool(), &id_hash).await?;
        return Ok(None);
    }
    // Record activity at most once a minute: the idle timeout needs no finer grain.
    if now.0 - row.last_seen_at.0 > 60_000 {
        sessions::touch(state.db.pool(), &id_hash, now).await?;
    }
    Ok(Some((row, user)))
}

/// Start a new session for `user_id` (always a new id, so a session fixed before sign-in is
/// useless) and return the Set-Cookie header for it.
pub async fn start_session(state: &AppState, user_id: &UserId) -> Result<HeaderValue, AppError> {
    let token = random_token();
    let now = state.clock.now();
    let max_age = Duration::from_secs(u64::from(state.config.security.session_max_hours) * 3600);
    sessions::insert(state.db.pool(), &hash_token(&token), user_id, &random_token(), now, now.plus(max_age)).await?;
    let cookies = CookiePolicy::of(state);
    Ok(cookies.set(cookies.session_name, &token))
}

/// End the current session and return the header that removes its cookie.
pub async fn end_session(state: &AppState, visitor: &Visitor) -> Result<HeaderValue, AppError> {
    if let Some(id_hash) = visitor.session_id_hash() {
        sessions::delete(state.db.pool(), id_hash).await?;
    }
    let cookies = CookiePolicy::of(state);
    Ok(cookies.clear(cookies.session_name))
}

/// The token of an `Authorization: Bearer …` header. The scheme is read in any letter case
/// (RFC 9110, 11.1), with any run of spaces before the token.
pub(crate) fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim_start().split_once([' ', '\t'])?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The name of a cookie that binds a sign-in at another service to the browser that started
/// it: `__Host-`-prefixed when the instance is served over https.
pub fn binding_cookie_name(state: &AppState, plain: &'static str, host_prefixed: &'static str) -> &'static str {
    if state.base_url.scheme() == "https" {
        host_prefixed
    } else {
        plain
    }
}

/// Such a cookie: HttpOnly, SameSite=Lax (the provider's answer is a top-level navigation back
/// here), `Secure` over https; a `max_age` of 0 removes it.
pub fn binding_cookie(state: &AppState, name: &str, path: &str, value: &str, max_age: u64) -> HeaderValue {
    let secure = if state.base_url.scheme() == "https" { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"))
        .expect("cookie values are base64url")
}

#[cfg(test)]
mod bearer_tests {
    use super::bearer_token;

    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        for header in ["Bearer clg_x", "bearer clg_x", "BEARER  clg_x", "bEaReR\tclg_x "] {
            assert_eq!(bearer_token(header), Some("clg_x"), "{header:?}");
        }
        for header in ["Basic clg_x", "Bearer", "Bearer   ", "Bearerclg_x", ""] {
            assert_eq!(bearer_token(header), None, "{header:?}");
        }
    }
}
