//! Support: anyone writes to the instance's administrators (`/support`); a signed-in person
//! finds their tickets at `/support/tickets`, a visitor reaches theirs by the private link mailed
//! to them (`/support/ticket?token=…`). Each ticket page shows the thread and takes an answer.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use crate::db::support::{self as tickets, Message, Ticket};
use crate::domain::support::{TicketCategory, TicketDraft, MESSAGE_MAX, SUBJECT_MAX};
use crate::domain::FieldErrors;
use crate::services::support as support_rules;
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::auth::token_page_referrer_policy;
use crate::web::client::ClientAddr;
use crate::web::error::{AppError, AppResult};
use crate::web::pages::{Chrome, NoticeQuery};
use crate::web::respond::{redirect, render};
use crate::web::session::{SignedIn, Visitor};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/support", get(new_ticket_form).post(open_ticket))
        .route("/support/tickets", get(my_tickets))
        .route("/support/tickets/{id}", get(my_ticket))
        .route("/support/tickets/{id}/reply", post(reply_to_my_ticket))
        .route("/support/ticket", get(ticket_by_link))
        .route("/support/ticket/reply", post(reply_by_link))
}

/// A ticket as its pages show it.
pub struct TicketView {
    pub id: String,
    pub subject: String,
    pub email: String,
    pub category: TicketCategory,
    pub status: &'static str,
    pub status_key: &'static str,
    pub opened: String,
    pub updated: String,
    pub from_visitor: bool,
}

impl TicketView {
    pub fn of(ticket: &Ticket) -> Self {
        TicketView {
            id: ticket.id.clone(),
            subject: ticket.subject.clone(),
            email: ticket.email.clone(),
            category: ticket.category,
            status: ticket.status.label(),
            status_key: ticket.status.as_str(),
            opened: ticket.created_at.human(),
            updated: ticket.updated_at.human(),
            from_visitor: ticket.user_id.is_none(),
        }
    }
    pub fn asks_for_deletion(&self) -> bool {
        self.category == TicketCategory::DeleteAccount
    }
}

/// A message in a thread.
pub struct MessageView {
    pub from_admin: bool,
    pub body: String,
    pub when: String,
}

impl MessageView {
    pub fn of(message: Message) -> Self {
        MessageView { from_admin: message.from_admin != 0, body: message.body, when: message.created_at.human() }
    }
}

pub fn thread(messages: Vec<Message>) -> Vec<MessageView> {
    messages.into_iter().map(MessageView::of).collect()
}

/// A refusal for too many messages goes beside the form, with what was typed.
fn form_level(err: ServiceError) -> Result<(StatusCode, FieldErrors), AppError> {
    match err {
        ServiceError::RateLimited { message, .. } => {
            Ok((StatusCode::TOO_MANY_REQUESTS, FieldErrors::single("form", message)))
        }
        other => Err(other.into()),
    }
}

// ---- writing to the administrators ----

#[derive(Template)]
#[template(path = "support/new.html")]
struct NewTicketPage {
    chrome: Chrome,
    draft: TicketDraft,
    errors: FieldErrors,
    signed_in: bool,
    /// A visitor's ticket was taken: "check your inbox".
    sent_to: Option<String>,
    subject_max: usize,
    message_max: usize,
}

impl NewTicketPage {
    fn categories(&self) -> &'static [(&'static str, &'static str)] {
        TicketCategory::CHOICES
    }
    fn chosen(&self, key: &str) -> bool {
        let chosen = if self.draft.category.is_empty() { "question" } else { self.draft.category.as_str() };
        chosen == key
    }
}

fn new_ticket_page(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    draft: TicketDraft,
    errors: FieldErrors,
    sent_to: Option<String>,
) -> AppResult<Response> {
    let title = if sent_to.is_some() { "Check your inbox" } else { "Write to the administrators" };
    let page = NewTicketPage {
        chrome: Chrome::new(state, visitor, title, "support"),
        draft,
        errors,
        signed_in: visitor.user().is_some(),
        sent_to,
        subject_max: SUBJECT_MAX,
        message_max: MESSAGE_MAX,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewTicketQuery {
    category: String,
}

pub async fn new_ticket_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<NewTicketQuery>,
) -> AppResult<Response> {
    // `?category=delete_account` preselects the choice (a link from settings may use it).
    let category = TicketCategory::parse(&query.category).map(|c| c.as_str().to_owned()).unwrap_or_default();
    let draft = TicketDraft { category, ..TicketDraft::default() };
    new_ticket_page(&state, &visitor, StatusCode::OK, draft, FieldErrors::new(), None)
}

pub async fn open_ticket(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientAddr(client): ClientAddr,
    Form(draft): Form<TicketDraft>,
) -> AppResult<Response> {
    let (status, errors) = match support_rules::open_ticket(&state, visitor.user(), &draft, client).await {
        Ok(Ok(id)) if visitor.user().is_some() => {
            return Ok(redirect(&format!("/support/tickets/{id}?notice=ticket_opened")))
        }
        Ok(Ok(_)) => {
            let email = draft.email.trim().to_lowercase();
            return new_ticket_page(
                &state,
                &visitor,
                StatusCode::OK,
                TicketDraft::default(),
                FieldErrors::new(),
                Some(email),
            );
        }
        Ok(Err(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(err) => form_level(err)?,
    };
    new_ticket_page(&state, &visitor, status, draft, errors, None)
}

// ---- the person's tickets ----

#[derive(Template)]
#[template(path = "support/list.html")]
struct MyTicketsPage {
    chrome: Chrome,
    tickets: Vec<TicketView>,
}

pub async fn my_tickets(State(state): State<AppState>, me: SignedIn) -> AppResult<Response> {
    let tickets = tickets::list_for_user(state.db.pool(), &me.user.id).await?;
    let page = MyTicketsPage {
        chrome: Chrome::new(&state, &me.visitor, "Your messages to the administrators", "support"),
        tickets: tickets.iter().map(TicketView::of).collect(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "support/ticket.html")]
struct TicketPage {
    chrome: Chrome,
    ticket: TicketView,
    messages: Vec<MessageView>,
    /// Where the answer form goes.
    reply_action: String,
    /// A visitor's private link token, sent back with the answer.
    token: Option<String>,
    message: String,
    errors: FieldErrors,
    message_max: usize,
}

#[allow(clippy::too_many_arguments)]
async fn ticket_page(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    ticket: &Ticket,
    token: Option<String>,
    message: String,
    errors: FieldErrors,
    notice: NoticeQuery,
) -> AppResult<Response> {
    let messages = thread(tickets::messages(state.db.pool(), &ticket.id).await?);
    let reply_action = if token.is_some() {
        "/support/ticket/reply".to_owned()
    } else {
        format!("/support/tickets/{}/reply", ticket.id)
    };
    let by_link = token.is_some();
    let page = TicketPage {
        chrome: Chrome::new(state, visitor, ticket.subject.clone(), "support").with_notice(notice.notice()),
        ticket: TicketView::of(ticket),
        messages,
        reply_action,
        token,
        message,
        errors,
        message_max: MESSAGE_MAX,
    };
    let body = render(&page)?;
    if by_link {
        Ok((status, token_page_referrer_policy(), body).into_response())
    } else {
        Ok((status, body).into_response())
    }
}

async fn own_ticket(state: &AppState, me: &SignedIn, id: &str) -> AppResult<Ticket> {
    tickets::find_for_user(state.db.pool(), &me.user.id, id).await?.ok_or(AppError::NotFound)
}

pub async fn my_ticket(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Query(notice): Query<NoticeQuery>,
) -> AppResult<Response> {
    let ticket = own_ticket(&state, &me, &id).await?;
    ticket_page(&state, &me.visitor, StatusCode::OK, &ticket, None, String::new(), FieldErrors::new(), notice).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReplyForm {
    token: String,
    message: String,
}

pub async fn reply_to_my_ticket(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ReplyForm>,
) -> AppResult<Response> {
    let ticket = own_ticket(&state, &me, &id).await?;
    let (status, errors) = match support_rules::reply_as_person(&state, &ticket, &form.message).await {
        Ok(Ok(())) => return Ok(redirect(&format!("/support/tickets/{}?notice=reply_sent", ticket.id))),
        Ok(Err(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(err) => form_level(err)?,
    };
    ticket_page(&state, &me.visitor, status, &ticket, None, form.message, errors, NoticeQuery::default()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TicketLinkQuery {
    token: String,
    notice: Option<String>,
}

pub async fn ticket_by_link(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<TicketLinkQuery>,
) -> AppResult<Response> {
    let ticket = support_rules::ticket_by_link(&state, &query.token).await?;
    let notice = NoticeQuery { notice: query.notice };
    ticket_page(&state, &visitor, StatusCode::OK, &ticket, Some(query.token), String::new(), FieldErrors::new(), notice)
        .await
}

pub async fn reply_by_link(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(form): Form<ReplyForm>,
) -> AppResult<Response> {
    let ticket = support_rules::ticket_by_link(&state, &form.token).await?;
    let (status, errors) = match support_rules::reply_as_person(&state, &ticket, &form.message).await {
        // The token is ours (it found the ticket), so it may go into the address as it is.
        Ok(Ok(())) => return Ok(redirect(&format!("/support/ticket?token={}&notice=reply_sent", form.token))),
        Ok(Err(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(err) => form_level(err)?,
    };
    ticket_page(&state, &visitor, status, &ticket, Some(form.token), form.message, errors, NoticeQuery::default()).await
}
