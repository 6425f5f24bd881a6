//! Sign-up, sign-in, sign-out, email verification and password reset pages.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{REFERRER_POLICY, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

use crate::db::accounts::{self, LinkKind};
use crate::domain::{Email, FieldErrors, Password};
use crate::services::accounts::{self as account_rules, LinkProblem, MailOutcome, SignInError};
use crate::services::throttle::{self, plural};
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::client::ClientAddr;
use crate::web::error::{AppError, AppResult};
use crate::web::pages::{Chrome, NoticeQuery};
use crate::web::respond::redirect;
use crate::web::respond::render;
use crate::web::session::{end_session, start_session, Visitor};

fn redirect_with_cookie(to: &str, cookie: HeaderValue) -> Response {
    let mut response = redirect(to);
    response.headers_mut().append(SET_COOKIE, cookie);
    response
}

/// Where to go after signing in: only a path on this site, never another origin.
pub fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && next.len() <= 2000;
    if local {
        next
    } else {
        "/"
    }
}

/// Put a rate-limit refusal beside the form instead of on an error page, keeping the input.
fn form_level(err: ServiceError, errors: &mut FieldErrors) -> Result<StatusCode, AppError> {
    match err {
        ServiceError::RateLimited { message, .. } => {
            errors.add("form", message);
            Ok(StatusCode::TOO_MANY_REQUESTS)
        }
        other => Err(other.into()),
    }
}

// ---- sign-up ----

#[derive(Template)]
#[template(path = "auth/signup.html")]
struct SignUpPage {
    chrome: Chrome,
    email: String,
    errors: FieldErrors,
    closed: bool,
    /// The form was taken: "check your inbox", whatever the address.
    sent: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignUpForm {
    email: String,
    password: String,
}

async fn sign_up_page(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    email: String,
    errors: FieldErrors,
) -> AppResult<Response> {
    let closed = !crate::web::admin::signups(state).await?.open();
    let page = SignUpPage {
        chrome: Chrome::new(state, visitor, "Create your account", "signup").with_signups_open(!closed),
        email,
        errors,
        closed,
        sent: false,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn sign_up_form(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    if visitor.user().is_some() {
        return Ok(redirect("/"));
    }
    // Sign-ups then happen through the providers' buttons on the sign-in page.
    if !password_sign_in(&state) {
        return Ok(redirect("/login"));
    }
    sign_up_page(&state, &visitor, StatusCode::OK, String::new(), FieldErrors::new()).await
}

/// Sign-up answers "check your inbox" whether or not the address has an account, at once, and
/// does the work afterwards (see `services::accounts::sign_up`): the page is no oracle for who
/// has an account here, and a client cannot make us hash passwords faster than its limit allows.
pub async fn sign_up(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientAddr(client): ClientAddr,
    Form(form): Form<SignUpForm>,
) -> AppResult<Response> {
    if !password_sign_in(&state) {
        return Ok(redirect("/login"));
    }
    // Closed by the start-up flag or by an administrator (see services::admin::Signups).
    if !crate::web::admin::signups(&state).await?.open() {
        return sign_up_page(&state, &visitor, StatusCode::FORBIDDEN, form.email, FieldErrors::new()).await;
    }
    // Every attempt counts, whatever becomes of it; the cheapest check comes first.
    let mut errors = FieldErrors::new();
    let bucket = throttle::client_bucket(&state, "signup", client);
    if let Err(err) = throttle::take(&state, &bucket, throttle::SIGN_UP_PER_CLIENT, |minutes| {
        format!("Too many sign-ups from your network. Try again in {minutes} minute{}.", plural(minutes))
    })
    .await
    {
        let status = form_level(err, &mut errors)?;
        return sign_up_page(&state, &visitor, status, form.email, errors).await;
    }
    let email = errors.check("email", Email::parse(&form.email));
    let context = email.as_ref().map(account_rules::password_context);
    let password =
        errors.check("password", Password::parse_new(&form.password, context.as_ref().map_or(&[][..], |c| &c[..])));
    let (Some(email), Some(password)) = (email, password) else {
        return sign_up_page(&state, &visitor, StatusCode::UNPROCESSABLE_ENTITY, form.email, errors).await;
    };
    let background = state.clone();
    let address = email.clone();
    tokio::spawn(async move {
        if let Err(err) = account_rules::sign_up(&background, &address, &password).await {
            tracing::error!(error = %err, "a sign-up failed");
        }
    });
    let page = SignUpPage {
        chrome: Chrome::new(&state, &visitor, "Check your inbox", "signup"),
        email: email.to_string(),
        errors: FieldErrors::new(),
        closed: false,
        sent: true,
    };
    Ok(render(&page)?.into_response())
}

// ---- sign-in and sign-out ----

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    chrome: Chrome,
    email: String,
    next: String,
    errors: FieldErrors,
    /// The Bluesky handle typed, when that form comes back with a mistake.
    bluesky_handle: String,
    /// Whether this instance offers Bluesky sign-in.
    bluesky: bool,
    /// One "Continue with …" button per OpenID Connect provider: (name, label).
    providers: Vec<(String, String)>,
    /// Whether password sign-in is on (`--password-sign-in`).
    password: bool,
}

fn provider_buttons(state: &AppState) -> Vec<(String, String)> {
    state.oidc.all().iter().map(|p| (p.name.clone(), p.label.clone())).collect()
}

/// Whether people may sign in (and sign up) with a password here.
pub fn password_sign_in(state: &AppState) -> bool {
    state.config.oidc.password_sign_in == crate::config::Switch::On
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginQuery {
    next: String,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
    next: String,
}

async fn login_page(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    email: String,
    next: String,
    errors: FieldErrors,
    notice: NoticeQuery,
) -> AppResult<Response> {
    let open = crate::web::admin::signups(state).await?.open();
    let chrome = Chrome::new(state, visitor, "Sign in", "login").with_notice(notice.notice()).with_signups_open(open);
    let bluesky = state.bluesky.is_some();
    let page = LoginPage {
        chrome,
        email,
        next,
        errors,
        bluesky_handle: String::new(),
        bluesky,
        providers: provider_buttons(state),
        password: password_sign_in(state),
    };
    Ok((status, render(&page)?).into_response())
}

/// The sign-in page with the Bluesky form's mistake beside its field.
pub async fn login_page_with_bluesky(
    state: &AppState,
    visitor: &Visitor,
    bluesky_handle: String,
    next: String,
    errors: FieldErrors,
) -> AppResult<Response> {
    let open = crate::web::admin::signups(state).await?.open();
    let chrome = Chrome::new(state, visitor, "Sign in", "login").with_signups_open(open);
    let bluesky = state.bluesky.is_some();
    let page = LoginPage {
        chrome,
        email: String::new(),
        next,
        errors,
        bluesky_handle,
        bluesky,
        providers: provider_buttons(state),
        password: password_sign_in(state),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

pub async fn login_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<LoginQuery>,
) -> AppResult<Response> {
    if visitor.user().is_some() {
        return Ok(redirect(safe_next(&query.next)));
    }
    let notice = NoticeQuery { notice: query.notice };
    login_page(&state, &visitor, StatusCode::OK, String::new(), query.next, FieldErrors::new(), notice).await
}

pub async fn login(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientAddr(client): ClientAddr,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    if !password_sign_in(&state) {
        let errors = FieldErrors::single("form", "Password sign-in is turned off here. Use one of the buttons below.");
        let notice = NoticeQuery { notice: None };
        return login_page(&state, &visitor, StatusCode::FORBIDDEN, form.email, form.next, errors, notice).await;
    }
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(&form.email));
    let password = errors.check("password", Password::parse_attempt(&form.password));
    let (Some(email), Some(password)) = (email, password) else {
        return login_page(
            &state,
            &visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            form.email,
            form.next,
            errors,
            NoticeQuery::default(),
        )
        .await;
    };
    match account_rules::sign_in(&state, &email, &password, client).await {
        Ok(user) => {
            tracing::info!(user_id = %user.id, "signed in");
            // A session that existed before sign-in is ended: the new one has a new id.
            if visitor.session_id_hash().is_some() {
                end_session(&state, &visitor).await?;
            }
            let cookie = start_session(&state, &user.id).await?;
            Ok(redirect_with_cookie(safe_next(&form.next), cookie))
        }
        Err(SignInError::Invalid) => {
            errors.add("form", "Wrong email address or password.");
            login_page(
                &state,
                &visitor,
                StatusCode::UNAUTHORIZED,
                form.email,
                form.next,
                errors,
                NoticeQuery::default(),
            )
            .await
        }
        Err(SignInError::Failed(err)) => {
            let status = form_level(err, &mut errors)?;
            login_page(&state, &visitor, status, form.email, form.next, errors, NoticeQuery::default()).await
        }
    }
}

pub async fn logout(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let cookie = end_session(&state, &visitor).await?;
    Ok(redirect_with_cookie("/?notice=signed_out", cookie))
}

// ---- single-use links ----

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

#[derive(Template)]
#[template(path = "auth/link_problem.html")]
struct LinkProblemPage {
    chrome: Chrome,
    heading: &'static str,
    message: &'static str,
    /// "verify" or "reset": which way to a new link to offer.
    kind: &'static str,
}

pub(crate) fn link_problem(
    state: &AppState,
    visitor: &Visitor,
    kind: LinkKind,
    problem: LinkProblem,
) -> AppResult<Response> {
    let (status, heading, message) = match (kind, problem) {
        (_, LinkProblem::Unknown) => (
            StatusCode::NOT_FOUND,
            "This link is not valid",
            "It may have been cut short when it was copied. Ask for a new link below.",
        ),
        (LinkKind::EmailVerification, LinkProblem::Used) => (
            StatusCode::GONE,
            "This link has already been used",
            "Each verification link works once. If you opened it before, your address is already verified.",
        ),
        (LinkKind::PasswordReset, LinkProblem::Used) => (
            StatusCode::GONE,
            "This link has already been used",
            "Each reset link works once. If you need to change your password again, ask for a new link.",
        ),
        (LinkKind::EmailVerification, LinkProblem::Expired) => (
            StatusCode::GONE,
            "This link has expired",
            "Verification links are valid for 30 minutes. Ask for a new one below; it takes a moment.",
        ),
        (LinkKind::PasswordReset, LinkProblem::Expired) => (
            StatusCode::GONE,
            "This link has expired",
            "Password reset links are valid for 15 minutes. Ask for a new one below; it takes a moment.",
        ),
        (LinkKind::EmailChange, LinkProblem::Used) => (
            StatusCode::GONE,
            "This link has already been used",
            "Each address change link works once. If you opened it before, the account already signs in with \
             the new address. To change it again, ask for a new link in Settings.",
        ),
        (LinkKind::EmailChange, LinkProblem::Expired) => (
            StatusCode::GONE,
            "This link has expired",
            "Address change links are valid for 30 minutes, and the address was not changed. Ask for a new \
             link in Settings; it takes a moment.",
        ),
    };
    let kind = match kind {
        LinkKind::EmailVerification => "verify",
        LinkKind::PasswordReset => "reset",
        LinkKind::EmailChange => "email",
    };
    let page = LinkProblemPage { chrome: Chrome::new(state, visitor, heading, ""), heading, message, kind };
    Ok((status, token_page_referrer_policy(), render(&page)?).into_response())
}

/// Pages reached by a link with a token in its query must not leak it to other sites through the
/// Referer header. (Not `no-referrer`: that makes browsers send `Origin: null` on the page's own
/// form, which the CSRF check rightly refuses.)
pub(crate) fn token_page_referrer_policy() -> [(axum::http::HeaderName, HeaderValue); 1] {
    [(REFERRER_POLICY, HeaderValue::from_static("same-origin"))]
}

pub async fn verify_email(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<TokenQuery>,
) -> AppResult<Response> {
    match account_rules::verify_email(&state, &query.token).await? {
        Ok(user_id) => {
            tracing::info!(user_id = %user_id, "email address verified");
            let signed_in_as_owner = visitor.user().is_some_and(|u| u.id == user_id);
            Ok(redirect(if signed_in_as_owner { "/?notice=verified" } else { "/login?notice=verified" }))
        }
        Err(problem) => link_problem(&state, &visitor, LinkKind::EmailVerification, problem),
    }
}

#[derive(Template)]
#[template(path = "auth/resend.html")]
struct ResendPage {
    chrome: Chrome,
    email: String,
    errors: FieldErrors,
    sent: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EmailForm {
    email: String,
}

pub async fn resend_form(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let page = ResendPage {
        chrome: Chrome::new(&state, &visitor, "Get a new verification link", ""),
        email: String::new(),
        errors: FieldErrors::new(),
        sent: false,
    };
    Ok(render(&page)?.into_response())
}

/// Anonymous "send me a link" requests are limited per client, whatever the address, so nobody
/// can use this server to mail many people or to keep it busy.
async fn take_link_request(state: &AppState, client: std::net::IpAddr) -> Result<Option<FieldErrors>, AppError> {
    let bucket = throttle::client_bucket(state, "link-request", client);
    match throttle::take(state, &bucket, throttle::MAIL_REQUESTS_PER_CLIENT, |minutes| {
        format!("Too many requests from your network. Try again in {minutes} minute{}.", plural(minutes))
    })
    .await
    {
        Ok(()) => Ok(None),
        Err(err) => {
            let mut errors = FieldErrors::new();
            form_level(err, &mut errors)?;
            Ok(Some(errors))
        }
    }
}

pub async fn resend_verification(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientAddr(client): ClientAddr,
    Form(form): Form<EmailForm>,
) -> AppResult<Response> {
    if let Some(user) = visitor.user() {
        if user.is_verified() {
            return Ok(redirect("/?notice=verified"));
        }
        let to = match account_rules::send_verification(&state, user).await? {
            MailOutcome::Queued => "/?notice=verification_sent",
            MailOutcome::Throttled | MailOutcome::NoAddress => "/?notice=mail_failed",
        };
        return Ok(redirect(to));
    }
    if let Some(errors) = take_link_request(&state, client).await? {
        let page = ResendPage {
            chrome: Chrome::new(&state, &visitor, "Get a new verification link", ""),
            email: form.email,
            errors,
            sent: false,
        };
        return Ok((StatusCode::TOO_MANY_REQUESTS, render(&page)?).into_response());
    }
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(message) => {
            let page = ResendPage {
                chrome: Chrome::new(&state, &visitor, "Get a new verification link", ""),
                email: form.email,
                errors: FieldErrors::single("email", message),
                sent: false,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    // The same answer whether or not the address has an account, sent in the same time.
    let background = state.clone();
    let address = email.clone();
    tokio::spawn(async move {
        let result = async {
            match accounts::find_by_email(background.db.pool(), &address).await? {
                Some(user) if !user.is_verified() => {
                    account_rules::send_verification(&background, &user).await.map(|_| ())
                }
                _ => Ok(()),
            }
        }
        .await;
        if let Err(err) = result {
            tracing::error!(error = %err, "resending a verification link failed");
        }
    });
    let page = ResendPage {
        chrome: Chrome::new(&state, &visitor, "Check your inbox", ""),
        email: email.to_string(),
        errors: FieldErrors::new(),
        sent: true,
    };
    Ok(render(&page)?.into_response())
}

// ---- password reset ----

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    chrome: Chrome,
    email: String,
    errors: FieldErrors,
    sent: bool,
}

pub async fn forgot_form(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let page = ForgotPage {
        chrome: Chrome::new(&state, &visitor, "Reset your password", "login"),
        email: String::new(),
        errors: FieldErrors::new(),
        sent: false,
    };
    Ok(render(&page)?.into_response())
}

pub async fn forgot(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientAddr(client): ClientAddr,
    Form(form): Form<EmailForm>,
) -> AppResult<Response> {
    if let Some(errors) = take_link_request(&state, client).await? {
        let page = ForgotPage {
            chrome: Chrome::new(&state, &visitor, "Reset your password", "login"),
            email: form.email,
            errors,
            sent: false,
        };
        return Ok((StatusCode::TOO_MANY_REQUESTS, render(&page)?).into_response());
    }
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(message) => {
            let page = ForgotPage {
                chrome: Chrome::new(&state, &visitor, "Reset your password", "login"),
                email: form.email,
                errors: FieldErrors::single("email", message),
                sent: false,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    // Whether the account exists must not show in the answer or its timing: the work happens
    // after the response.
    let background = state.clone();
    let address = email.clone();
    tokio::spawn(async move {
        if let Err(err) = account_rules::request_password_reset(&background, &address).await {
            tracing::error!(error = %err, "a password reset request failed");
        }
    });
    let page = ForgotPage {
        chrome: Chrome::new(&state, &visitor, "Check your inbox", "login"),
        email: email.to_string(),
        errors: FieldErrors::new(),
        sent: true,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    chrome: Chrome,
    token: String,
    errors: FieldErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    token: String,
    password: String,
}

pub async fn reset_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<TokenQuery>,
) -> AppResult<Response> {
    match account_rules::check_link(&state, LinkKind::PasswordReset, &query.token).await? {
        Ok(_) => {
            let page = ResetPage {
                chrome: Chrome::new(&state, &visitor, "Choose a new password", "login"),
                token: query.token,
                errors: FieldErrors::new(),
            };
            Ok((token_page_referrer_policy(), render(&page)?).into_response())
        }
        Err(problem) => link_problem(&state, &visitor, LinkKind::PasswordReset, problem),
    }
}

pub async fn reset(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    let link = match account_rules::check_link(&state, LinkKind::PasswordReset, &form.token).await? {
        Ok(link) => link,
        Err(problem) => return link_problem(&state, &visitor, LinkKind::PasswordReset, problem),
    };
    let owner_email = accounts::find_by_id(state.db.pool(), &link.user_id)
        .await?
        .and_then(|u| u.email)
        .and_then(|e| Email::parse(&e).ok());
    let context = owner_email.as_ref().map(account_rules::password_context);
    let password = match Password::parse_new(&form.password, context.as_ref().map_or(&[][..], |c| &c[..])) {
        Ok(password) => password,
        Err(message) => {
            let page = ResetPage {
                chrome: Chrome::new(&state, &visitor, "Choose a new password", "login"),
                token: form.token,
                errors: FieldErrors::single("password", message),
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, token_page_referrer_policy(), render(&page)?).into_response());
        }
    };
    match account_rules::reset_password(&state, &form.token, &password).await? {
        Ok(()) => {
            tracing::info!(user_id = %link.user_id, "password reset");
            // The reset ended every session, this browser's included.
            let cookie = end_session(&state, &visitor).await?;
            Ok(redirect_with_cookie("/login?notice=password_reset", cookie))
        }
        Err(problem) => link_problem(&state, &visitor, LinkKind::PasswordReset, problem),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/settings?x=1"), "/settings?x=1");
        for hostile in
            ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", "/a\r\nb", ""]
        {
            assert_eq!(safe_next(hostile), "/", "{hostile:?}");
        }
    }
}

#[cfg(test)]
mod properties;
