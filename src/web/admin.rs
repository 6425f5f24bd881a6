//! The administrators' area (`/admin`): the users list (addresses and dates, never what anyone
//! recorded), opening and closing sign-ups, and the support inbox. To anyone but an
//! administrator every page here answers 404, as if it did not exist.

use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use crate::config::Signups as SignupsFlag;
use crate::db::accounts::User;
use crate::db::admin;
use crate::db::support as tickets;
use crate::domain::support::{TicketStatus, MESSAGE_MAX};
use crate::domain::FieldErrors;
use crate::services::admin::{self as admin_rules, Signups};
use crate::services::support as support_rules;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::pages::{Chrome, NoticeQuery};
use crate::web::respond::{redirect, render};
use crate::web::session::Visitor;
use crate::web::support::{thread, MessageView, TicketView};

const USERS_PER_PAGE: i64 = 50;
const TICKETS_PER_PAGE: i64 = 25;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(overview))
        .route("/admin/signups", post(set_signups))
        .route("/admin/users", get(users))
        .route("/admin/tickets", get(inbox))
        .route("/admin/tickets/{id}", get(ticket))
        .route("/admin/tickets/{id}/reply", post(reply))
        .route("/admin/tickets/{id}/close", post(close))
        .route("/admin/tickets/{id}/reopen", post(reopen))
        .route("/admin/tickets/{id}/delete-account", post(delete_requested_account))
        .route("/admin/mail", get(failing_mail))
        .route("/admin/mail/{id}/retry", post(retry_mail))
        .route("/admin/mail/{id}/discard", post(discard_mail))
}

/// A signed-in administrator; anyone else (visitors included) is answered 404.
pub struct Admin {
    pub user: User,
    pub visitor: Visitor,
}

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        match visitor.user() {
            Some(user) if user.is_admin() => Ok(Admin { user: user.clone(), visitor }),
            _ => Err(AppError::NotFound),
        }
    }
}

/// Whether sign-ups are open now: the start-up flag and the administrators' choice together
/// (see `services::admin::Signups`).
pub async fn signups(state: &AppState) -> AppResult<Signups> {
    Ok(admin_rules::signups(state, state.config.signups == SignupsFlag::Open).await?)
}

/// `?page=`, read leniently: anything but a page number is page 1.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    page: String,
    status: String,
    notice: Option<String>,
}

impl PageQuery {
    fn page(&self) -> i64 {
        self.page.trim().parse::<i64>().unwrap_or(1).clamp(1, 100_000)
    }
}

/// Page links for the shared pager.
struct Pages {
    page: i64,
    total: i64,
    per_page: i64,
    /// The address without `page`, ending in `?` or `&`.
    base: String,
}

impl Pages {
    fn last_page(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
    fn prev_url(&self) -> Option<String> {
        (self.page > 1).then(|| format!("{}page={}", self.base, self.page - 1))
    }
    fn next_url(&self) -> Option<String> {
        (self.page < self.last_page()).then(|| format!("{}page={}", self.base, self.page + 1))
    }
}

// ---- overview and sign-ups ----

#[derive(Template)]
#[template(path = "admin/overview.html")]
struct OverviewPage {
    chrome: Chrome,
    signups: Signups,
    users: i64,
    open_tickets: i64,
    answered_tickets: i64,
    failing_mail: i64,
}

pub async fn overview(State(state): State<AppState>, me: Admin, Query(query): Query<PageQuery>) -> AppResult<Response> {
    let pool = state.db.pool();
    let notice = NoticeQuery { notice: query.notice };
    let page = OverviewPage {
        chrome: Chrome::new(&state, &me.visitor, "Administration", "admin").with_notice(notice.notice()),
        signups: signups(&state).await?,
        users: admin::count_users(pool).await?,
        open_tickets: tickets::count_with_status(pool, TicketStatus::Open).await?,
        answered_tickets: tickets::count_with_status(pool, TicketStatus::Answered).await?,
        failing_mail: crate::services::mail_outbox::count_failing(&state).await?,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignupsForm {
    /// "open" or "closed".
    signups: String,
}

pub async fn set_signups(
    State(state): State<AppState>,
    me: Admin,
    Form(form): Form<SignupsForm>,
) -> AppResult<Response> {
    let open = match form.signups.as_str() {
        "open" => true,
        "closed" => false,
        _ => return Err(AppError::Validation(FieldErrors::single("signups", "Choose open or closed."))),
    };
    admin_rules::set_signups(&state, &me.user, open).await?;
    Ok(redirect(if open { "/admin?notice=signups_opened" } else { "/admin?notice=signups_closed" }))
}

// ---- users ----

struct UserView {
    email: String,
    created: String,
    verified: Option<String>,
    last_seen: Option<String>,
    is_admin: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserView>,
    view: Pages,
}

pub async fn users(State(state): State<AppState>, me: Admin, Query(query): Query<PageQuery>) -> AppResult<Response> {
    let page = query.page();
    let pool = state.db.pool();
    let total = admin::count_users(pool).await?;
    let lines = admin::users(pool, USERS_PER_PAGE, (page - 1) * USERS_PER_PAGE).await?;
    let users = lines
        .into_iter()
        .map(|line| UserView {
            email: line.email.unwrap_or_default(),
            created: line.created_at.human(),
            verified: line.email_verified_at.map(|t| t.human()),
            last_seen: line.last_seen_at.map(|t| t.human()),
            is_admin: line.is_admin != 0,
        })
        .collect();
    let page = UsersPage {
        chrome: Chrome::new(&state, &me.visitor, "Users", "admin/users"),
        users,
        view: Pages { page, total, per_page: USERS_PER_PAGE, base: "/admin/users?".into() },
    };
    Ok(render(&page)?.into_response())
}

// ---- the support inbox ----

#[derive(Template)]
#[template(path = "admin/tickets.html")]
struct InboxPage {
    chrome: Chrome,
    status: TicketStatus,
    /// Each status with its count, for the tabs.
    tabs: Vec<(TicketStatus, i64)>,
    tickets: Vec<TicketView>,
    view: Pages,
}

pub async fn inbox(State(state): State<AppState>, me: Admin, Query(query): Query<PageQuery>) -> AppResult<Response> {
    let status = TicketStatus::parse(&query.status).unwrap_or(TicketStatus::Open);
    let page = query.page();
    let pool = state.db.pool();
    let mut tabs = Vec::new();
    for each in TicketStatus::ALL {
        tabs.push((*each, tickets::count_with_status(pool, *each).await?));
    }
    let total = tabs.iter().find(|(s, _)| *s == status).map_or(0, |(_, n)| *n);
    let found = tickets::inbox(pool, status, TICKETS_PER_PAGE, (page - 1) * TICKETS_PER_PAGE).await?;
    let notice = NoticeQuery { notice: query.notice };
    let page = InboxPage {
        chrome: Chrome::new(&state, &me.visitor, "Support inbox", "admin/tickets").with_notice(notice.notice()),
        status,
        tabs,
        tickets: found.iter().map(TicketView::of).collect(),
        view: Pages {
            page,
            total,
            per_page: TICKETS_PER_PAGE,
            base: format!("/admin/tickets?status={}&", status.as_str()),
        },
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "admin/ticket.html")]
struct AdminTicketPage {
    chrome: Chrome,
    ticket: TicketView,
    /// For a "Delete my account" ticket: the account's address when it can be deleted now, or
    /// why not yet.
    deletion: Option<Result<String, &'static str>>,
    confirm_email: String,
    messages: Vec<MessageView>,
    message: String,
    errors: FieldErrors,
    message_max: usize,
}

#[allow(clippy::too_many_arguments)]
async fn ticket_page(
    state: &AppState,
    me: &Admin,
    status: StatusCode,
    id: &str,
    confirm_email: &str,
    message: String,
    errors: FieldErrors,
    notice: NoticeQuery,
) -> AppResult<Response> {
    let pool = state.db.pool();
    let ticket = tickets::find_any(pool, id).await?.ok_or(AppError::NotFound)?;
    let deletion = match support_rules::deletion_request(state, &ticket).await? {
        _ if !TicketView::of(&ticket).asks_for_deletion() => None,
        support_rules::DeletionRequest::Ready(user) => Some(Ok(user.email.unwrap_or_default())),
        support_rules::DeletionRequest::NotYet(why) => Some(Err(why)),
    };
    let page = AdminTicketPage {
        chrome: Chrome::new(state, &me.visitor, ticket.subject.clone(), "admin/tickets").with_notice(notice.notice()),
        ticket: TicketView::of(&ticket),
        deletion,
        confirm_email: confirm_email.to_owned(),
        messages: thread(tickets::messages(pool, &ticket.id).await?),
        message,
        errors,
        message_max: MESSAGE_MAX,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn ticket(
    State(state): State<AppState>,
    me: Admin,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let notice = NoticeQuery { notice: query.notice };
    ticket_page(&state, &me, StatusCode::OK, &id, "", String::new(), FieldErrors::new(), notice).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReplyForm {
    message: String,
}

pub async fn reply(
    State(state): State<AppState>,
    me: Admin,
    Path(id): Path<String>,
    Form(form): Form<ReplyForm>,
) -> AppResult<Response> {
    match support_rules::reply_as_admin(&state, &me.user, &id, &form.message).await? {
        Ok(()) => Ok(redirect(&format!("/admin/tickets/{}?notice=answer_sent", urlencoding(&id)))),
        Err(errors) => {
            ticket_page(
                &state,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                &id,
                "",
                form.message,
                errors,
                NoticeQuery::default(),
            )
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteAccountForm {
    confirm_email: String,
}

/// Carry out a "Delete my account" request (the address typed again to confirm).
pub async fn delete_requested_account(
    State(state): State<AppState>,
    me: Admin,
    Path(id): Path<String>,
    Form(form): Form<DeleteAccountForm>,
) -> AppResult<Response> {
    match support_rules::delete_requested_account(&state, &me.user, &id, &form.confirm_email).await? {
        Ok(_) => Ok(redirect("/admin/tickets?notice=requested_account_deleted")),
        Err(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let notice = NoticeQuery::default();
            ticket_page(&state, &me, status, &id, &form.confirm_email, String::new(), errors, notice).await
        }
    }
}

pub async fn close(State(state): State<AppState>, me: Admin, Path(id): Path<String>) -> AppResult<Response> {
    support_rules::set_status(&state, &me.user, &id, TicketStatus::Closed).await?;
    Ok(redirect("/admin/tickets?notice=ticket_closed"))
}

pub async fn reopen(State(state): State<AppState>, me: Admin, Path(id): Path<String>) -> AppResult<Response> {
    support_rules::set_status(&state, &me.user, &id, TicketStatus::Open).await?;
    Ok(redirect(&format!("/admin/tickets/{}?notice=ticket_reopened", urlencoding(&id))))
}

/// A ticket id from the path, safe in a redirect: ids are UUIDs, anything else was not found
/// (the use case said so before this is reached), so this only guards the header.
fn urlencoding(id: &str) -> String {
    id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
}

// ---- mail that keeps failing ----

/// The most failing mails listed: more means the provider is down, which the first page shows.
const FAILING_MAIL_SHOWN: i64 = 100;

struct FailingMailView {
    id: String,
    to: String,
    subject: String,
    attempts: i64,
    last_error: String,
    first_queued: String,
    last_tried: Option<String>,
    /// When it is tried next; `None` once the outbox gave up.
    next_try: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/mail.html")]
struct FailingMailPage {
    chrome: Chrome,
    mails: Vec<FailingMailView>,
    total: i64,
}

/// The mail the outbox keeps failing to send: to whom (partly hidden), about what, how often
/// tried and why it failed; never a body (it may hold someone's sign-in link).
pub async fn failing_mail(
    State(state): State<AppState>,
    me: Admin,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    use crate::services::mail_outbox;
    let mails = mail_outbox::failing(&state, FAILING_MAIL_SHOWN)
        .await?
        .into_iter()
        .map(|mail| FailingMailView {
            id: mail.id,
            to: mail.to,
            subject: mail.subject,
            attempts: mail.attempts,
            last_error: mail.last_error,
            first_queued: mail.created_at.human(),
            last_tried: mail.last_attempt_at.map(|t| t.human()),
            next_try: mail.next_attempt_at.map(|t| t.human()),
        })
        .collect();
    let notice = NoticeQuery { notice: query.notice };
    let page = FailingMailPage {
        chrome: Chrome::new(&state, &me.visitor, "Mail", "admin/mail").with_notice(notice.notice()),
        mails,
        total: mail_outbox::count_failing(&state).await?,
    };
    Ok(render(&page)?.into_response())
}

pub async fn retry_mail(State(state): State<AppState>, me: Admin, Path(id): Path<String>) -> AppResult<Response> {
    crate::services::mail_outbox::retry_now(&state, &me.user, &id).await?;
    Ok(redirect("/admin/mail?notice=mail_retried"))
}

pub async fn discard_mail(State(state): State<AppState>, me: Admin, Path(id): Path<String>) -> AppResult<Response> {
    match crate::services::mail_outbox::discard(&state, &me.user, &id).await {
        Ok(()) => Ok(redirect("/admin/mail?notice=mail_discarded")),
        // Being sent this moment: said on the page, as nothing the administrator typed is wrong.
        Err(crate::services::ServiceError::Invalid(_)) => Ok(redirect("/admin/mail?notice=mail_being_sent")),
        Err(err) => Err(err.into()),
    }
}
