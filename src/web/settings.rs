//! Account settings: password, sessions, personal access tokens.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

use crate::db::{api_tokens, calendar, sessions};
use crate::domain::{Email, FieldErrors, Password};
use crate::services::accounts::{self as account_rules, ProgramAccess};
use crate::services::api_tokens as api_token_service;
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::auth::link_problem;
use crate::web::error::AppResult;
use crate::web::pages::{Chrome, NoticeQuery};
use crate::web::respond::redirect;
use crate::web::respond::render;
use crate::web::session::{SignedIn, Visitor, API_TOKEN_PREFIX};

#[derive(Template)]
#[template(path = "settings/account.html")]
struct AccountPage {
    chrome: Chrome,
    email: String,
    verified: bool,
    member_since: String,
    other_sessions: i64,
    has_password: bool,
    /// API tokens and calendar feed: what a password change may also end.
    program_access: ProgramAccessSummary,
    /// The "also revoke" box, as the user left it.
    revoke_programs: bool,
    /// The time zone field: the saved zone, or what the user typed.
    time_zone: String,
    /// The default currency field: the saved code, or what the user typed.
    default_currency: String,
    /// The new sign-in address, as typed.
    new_email: String,
    /// Which reminder mail the user asked for.
    reminders: crate::db::reminders::ReminderSettings,
    errors: FieldErrors,
}

impl AccountPage {
    /// Every zone name the time zone field suggests.
    fn zone_names(&self) -> Vec<String> {
        let mut names: Vec<String> = jiff::tz::db().available().map(|name| name.to_string()).collect();
        names.sort();
        names
    }
}

/// What lets programs in without a password, for the change-password form.
struct ProgramAccessSummary {
    tokens: i64,
    calendar_feed: bool,
}

impl ProgramAccessSummary {
    fn any(&self) -> bool {
        self.tokens > 0 || self.calendar_feed
    }

    /// "2 API tokens and your calendar feed address".
    fn describe(&self) -> String {
        let tokens = match self.tokens {
            0 => None,
            1 => Some("your API token".to_owned()),
            n => Some(format!("your {n} API tokens")),
        };
        match (tokens, self.calendar_feed) {
            (Some(tokens), true) => format!("{tokens} and your calendar feed address"),
            (Some(tokens), false) => tokens,
            (None, _) => "your calendar feed address".to_owned(),
        }
    }
}

pub(crate) async fn account_page(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    errors: FieldErrors,
    notice: NoticeQuery,
    revoke_programs: bool,
) -> AppResult<Response> {
    account_page_with_typed(state, me, status, errors, notice, revoke_programs, Typed::default()).await
}

/// What the user typed into the preference fields, shown again beside its message.
#[derive(Default)]
struct Typed {
    zone: Option<String>,
    currency: Option<String>,
    new_email: Option<String>,
}

async fn account_page_with_typed(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    errors: FieldErrors,
    notice: NoticeQuery,
    revoke_programs: bool,
    typed: Typed,
) -> AppResult<Response> {
    let all_sessions = sessions::count_for_user(state.db.pool(), &me.user.id).await?;
    let program_access = ProgramAccessSummary {
        tokens: api_tokens::count_for_user(state.db.pool(), &me.user.id).await?,
        calendar_feed: calendar::created_at(state.db.pool(), &me.user.id).await?.is_some(),
    };
    let current = i64::from(me.visitor.session_id_hash().is_some());
    let page = AccountPage {
        chrome: Chrome::new(state, &me.visitor, "Account settings", "settings/account").with_notice(notice.notice()),
        email: me.user.email.clone().unwrap_or_default(),
        verified: me.user.is_verified(),
        member_since: me.user.created_at.human(),
        other_sessions: (all_sessions - current).max(0),
        has_password: me.user.password_hash.is_some(),
        program_access,
        revoke_programs,
        time_zone: typed.zone.unwrap_or_else(|| me.user.time_zone.clone()),
        default_currency: typed.currency.unwrap_or_else(|| me.user.default_currency.clone().unwrap_or_default()),
        new_email: typed.new_email.unwrap_or_default(),
        reminders: crate::services::reminders::settings(state, &me.user.id).await?,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn account(
    State(state): State<AppState>,
    me: SignedIn,
    Query(notice): Query<NoticeQuery>,
) -> AppResult<Response> {
    account_page(&state, &me, StatusCode::OK, FieldErrors::new(), notice, false).await
}

/// Settings → Reminders: each box ticked is a kind of mail asked for.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemindersForm {
    #[serde(deserialize_with = "crate::domain::fields::checkbox")]
    daily_digest: bool,
    #[serde(deserialize_with = "crate::domain::fields::checkbox")]
    interview_reminders: bool,
}

pub async fn set_reminders(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<RemindersForm>,
) -> AppResult<Response> {
    let settings = crate::db::reminders::ReminderSettings {
        daily_digest: form.daily_digest,
        interview_reminders: form.interview_reminders,
    };
    crate::services::reminders::save_settings(&state, &me.user.id, settings).await?;
    Ok(redirect("/settings?notice=reminders_saved#reminders-heading"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    /// "on" when the user also wants API tokens and the calendar feed address ended.
    revoke_programs: Option<String>,
}

pub async fn change_password(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::new();
    let current = if me.user.password_hash.is_some() {
        errors.check("current_password", Password::parse_attempt(&form.current_password))
    } else {
        Password::parse_attempt("-").ok()
    };
    let email = Email::parse(me.user.email.as_deref().unwrap_or_default()).ok();
    let context = email.as_ref().map(account_rules::password_context);
    let new = errors
        .check("new_password", Password::parse_new(&form.new_password, context.as_ref().map_or(&[][..], |c| &c[..])));
    let revoke = form.revoke_programs.is_some();
    let (Some(current), Some(new)) = (current, new) else {
        return account_page(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, errors, NoticeQuery::default(), revoke)
            .await;
    };
    let programs = if revoke { ProgramAccess::Revoke } else { ProgramAccess::Keep };
    match account_rules::change_password(&state, &me.user, &current, &new, me.visitor.session_id_hash(), programs).await
    {
        Ok(Ok(())) => {
            tracing::info!(user_id = %me.user.id, "password changed");
            Ok(redirect(if revoke {
                "/settings?notice=password_changed_programs_revoked"
            } else {
                "/settings?notice=password_changed"
            }))
        }
        Ok(Err(errors)) => {
            account_page(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, errors, NoticeQuery::default(), revoke).await
        }
        Err(ServiceError::RateLimited { message, .. }) => {
            let errors = FieldErrors::single("current_password", message);
            account_page(&state, &me, StatusCode::TOO_MANY_REQUESTS, errors, NoticeQuery::default(), revoke).await
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TimeZoneForm {
    time_zone: String,
    /// Sent by the page itself with the browser's zone: only fills an empty setting.
    first: Option<String>,
}

/// Choose the time zone times are shown in (or, from the page, the browser's, once).
pub async fn set_time_zone(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<TimeZoneForm>,
) -> AppResult<Response> {
    let first_only = form.first.is_some();
    match account_rules::set_time_zone(&state, &me.user, &form.time_zone, first_only).await? {
        Ok(()) if first_only => Ok(StatusCode::NO_CONTENT.into_response()),
        Ok(()) => Ok(redirect("/settings?notice=time_zone_saved")),
        Err(errors) if first_only => Err(crate::web::error::AppError::Validation(errors)),
        Err(errors) => {
            account_page_with_typed(
                &state,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                NoticeQuery::default(),
                false,
                Typed { zone: Some(form.time_zone), ..Typed::default() },
            )
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CurrencyForm {
    default_currency: String,
}

/// Choose the currency salaries are in when none is typed (empty clears it).
pub async fn set_default_currency(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<CurrencyForm>,
) -> AppResult<Response> {
    match account_rules::set_default_currency(&state, &me.user, &form.default_currency).await? {
        Ok(()) => Ok(redirect("/settings?notice=currency_saved")),
        Err(errors) => {
            account_page_with_typed(
                &state,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                NoticeQuery::default(),
                false,
                Typed { currency: Some(form.default_currency), ..Typed::default() },
            )
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EmailChangeForm {
    email_password: String,
    new_email: String,
}

/// Ask to sign in with another address: a link goes to the new address (see
/// `services::accounts::request_email_change`, which also says why a taken address is answered
/// like a free one).
pub async fn request_email_change(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<EmailChangeForm>,
) -> AppResult<Response> {
    let typed = || Typed { new_email: Some(form.new_email.clone()), ..Typed::default() };
    let (status, errors) =
        match account_rules::request_email_change(&state, &me.user, &form.email_password, &form.new_email).await {
            Ok(Ok(_)) => return Ok(redirect("/settings?notice=email_change_sent")),
            Ok(Err(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
            Err(ServiceError::RateLimited { message, .. }) => {
                (StatusCode::TOO_MANY_REQUESTS, FieldErrors::single("email_password", message))
            }
            Err(err) => return Err(err.into()),
        };
    account_page_with_typed(&state, &me, status, errors, NoticeQuery::default(), false, typed()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

/// The link mailed to the new address: the account signs in with it from now on.
pub async fn confirm_email_change(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<TokenQuery>,
) -> AppResult<Response> {
    use crate::db::accounts::LinkKind;
    use crate::services::accounts::{EmailChangeProblem, LinkProblem};
    match account_rules::confirm_email_change(&state, &query.token).await? {
        Ok(user_id) => {
            let signed_in_as_owner = visitor.user().is_some_and(|u| u.id == user_id);
            Ok(redirect(if signed_in_as_owner {
                "/settings?notice=email_changed"
            } else {
                "/login?notice=email_changed"
            }))
        }
        Err(EmailChangeProblem::Link(problem)) => link_problem(&state, &visitor, LinkKind::EmailChange, problem),
        // Another account took the address since the link was sent: the link cannot be used,
        // which the "not valid, ask for a new one" page says well enough.
        Err(EmailChangeProblem::Taken) => link_problem(&state, &visitor, LinkKind::EmailChange, LinkProblem::Unknown),
    }
}

pub async fn end_other_sessions(State(state): State<AppState>, me: SignedIn) -> AppResult<Response> {
    account_rules::end_other_sessions(&state, &me.user.id, me.visitor.session_id_hash()).await?;
    Ok(redirect("/settings?notice=sessions_ended"))
}

// ---- personal access tokens ----

pub struct TokenView {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub last_used: String,
}

#[derive(Template)]
#[template(path = "settings/tokens.html")]
struct TokensPage {
    chrome: Chrome,
    tokens: Vec<TokenView>,
    new_token: Option<String>,
    name: String,
    errors: FieldErrors,
    limit: i64,
    /// The "Save to Careerlog" bookmarklet's `javascript:` address.
    bookmarklet: String,
}

async fn tokens_page(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    name: String,
    errors: FieldErrors,
    new_token: Option<String>,
    notice: NoticeQuery,
) -> AppResult<Response> {
    let tokens = api_tokens::list_for_user(state.db.pool(), &me.user.id)
        .await?
        .into_iter()
        .map(|t| TokenView {
            id: t.id,
            name: t.name,
            prefix: format!("{API_TOKEN_PREFIX}{}…", t.token_prefix),
            created: t.created_at.human(),
            last_used: t.last_used_at.map(|t| t.human()).unwrap_or_else(|| "Never".into()),
        })
        .collect();
    let page = TokensPage {
        chrome: Chrome::new(state, &me.visitor, "API tokens", "settings/tokens").with_notice(notice.notice()),
        tokens,
        new_token,
        name,
        errors,
        limit: api_tokens::MAX_PER_USER,
        bookmarklet: crate::web::opportunities::bookmarklet(&state.base_url),
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn tokens(
    State(state): State<AppState>,
    me: SignedIn,
    Query(notice): Query<NoticeQuery>,
) -> AppResult<Response> {
    tokens_page(&state, &me, StatusCode::OK, String::new(), FieldErrors::new(), None, notice).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<TokenForm>,
) -> AppResult<Response> {
    let token = match api_token_service::create(&state.db, &me.user.id, &form.name, state.clock.now()).await {
        Ok(token) => token,
        Err(ServiceError::Invalid(errors)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return tokens_page(&state, &me, status, form.name, errors, None, NoticeQuery::default()).await;
        }
        Err(err) => return Err(err.into()),
    };
    // Shown in this response only; never stored in the clear, never shown again.
    tokens_page(
        &state,
        &me,
        StatusCode::CREATED,
        String::new(),
        FieldErrors::new(),
        Some(token),
        NoticeQuery::default(),
    )
    .await
}

pub async fn revoke_token(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<Response> {
    api_token_service::revoke(&state.db, &me.user.id, &id).await?;
    Ok(redirect("/settings/tokens?notice=token_revoked"))
}
