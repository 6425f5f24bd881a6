//! Support tickets: a person (signed in, or a visitor with an address) writes to the instance's
//! administrators; administrators answer, close and reopen. Administrators see a ticket's thread
//! and the address it came from, and nothing else of anyone's data.

use std::net::IpAddr;

use crate::db::accounts::User;
use crate::db::support::{self as tickets, NewTicket, Ticket};
use crate::db::{accounts, admin};
use crate::domain::support::{message_text, TicketDraft, TicketStatus};
use crate::domain::token::{looks_like_token, random_token};
use crate::domain::FieldErrors;
use crate::integrations::mail::OutgoingMail;
use crate::secrets::hash_token;
use crate::services::mail_outbox;
use crate::services::throttle::{self, plural, Policy};
use crate::services::{Handles, ServiceError};

const MINUTE: i64 = 60_000;
/// New tickets from one client without an account: enough for a person, too few for a flood.
pub const TICKETS_PER_CLIENT: Policy = Policy { max_hits: 5, window_ms: 60 * MINUTE };
/// New tickets and replies from one signed-in person, or on one visitor's ticket.
pub const MESSAGES_PER_PERSON: Policy = Policy { max_hits: 30, window_ms: 60 * MINUTE };

fn base(state: &Handles) -> &str {
    state.base_url.as_str().trim_end_matches('/')
}

/// Count a message against its writer's limit, refusing it with a sentence past the limit.
async fn take(state: &Handles, bucket: &str, policy: Policy) -> Result<(), ServiceError> {
    throttle::take(state, bucket, policy, |minutes| {
        format!("You have sent many messages lately. Try again in {minutes} minute{}.", plural(minutes))
    })
    .await
}

/// Open a ticket. `author` is the signed-in person, or `None` for a visitor (who gives an
/// address, is limited per client, and is mailed a private link to the ticket). Answers the
/// new ticket's id.
pub async fn open_ticket(
    state: &Handles,
    author: Option<&User>,
    draft: &TicketDraft,
    client: IpAddr,
) -> Result<Result<String, FieldErrors>, ServiceError> {
    let input = match draft.validate(author.is_none()) {
        Ok(input) => input,
        Err(errors) => return Ok(Err(errors)),
    };
    let email = match (author, &input.email) {
        (Some(user), _) => user.email.clone().unwrap_or_default(),
        (None, Some(email)) => email.as_str().to_owned(),
        (None, None) => return Ok(Err(FieldErrors::single("email", "Enter your email address."))),
    };
    match author {
        Some(user) => take(state, &format!("support-user:{}", user.id), MESSAGES_PER_PERSON).await?,
        None => take(state, &throttle::client_bucket(state, "support", client), TICKETS_PER_CLIENT).await?,
    }
    let id = crate::db::new_id();
    let now = state.clock.now();
    let token = random_token();
    // A visitor is mailed the private link, within the address's mail limit.
    let acknowledge = author.is_none()
        && throttle::hit(state, &throttle::mail_bucket(state, &email), throttle::MAIL_PER_ADDRESS).await?;
    let mut tx = state.db.begin_write().await?;
    tickets::insert_ticket(
        &mut *tx,
        NewTicket {
            id: &id,
            user_id: author.map(|u| &u.id),
            email: &email,
            category: input.category,
            subject: &input.subject,
        },
        now,
    )
    .await?;
    tickets::insert_message(&mut *tx, &id, false, &input.message, now).await?;
    if author.is_none() {
        tickets::insert_link(&mut *tx, &hash_token(&token), &id, now).await?;
    }
    // The ticket and its mail are saved together.
    if acknowledge {
        let text = format!(
            "Hello,\n\nYour message to the administrators of this Careerlog instance has arrived. \
             Their answers, and your conversation with them, are on this page:\n\n{}/support/ticket?token={token}\n\n\
             Keep this mail: the link is private, anyone who has it can read and answer the ticket.\n\n\
             If you did not write to us, ignore this message.\n\n-- \nCareerlog at {}\n",
            base(state),
            base(state),
        );
        let mail = OutgoingMail { to: email.clone(), subject: "We received your message".into(), text };
        mail_outbox::enqueue_about_ticket(state, &mut tx, None, Some(&id), mail).await?;
    }
    tell_administrators(state, &mut tx, &id, "A new support ticket").await?;
    tx.commit().await?;
    state.outbox.wake();
    tracing::info!(ticket_id = %id, signed_in = author.is_some(), "support ticket opened");
    Ok(Ok(id))
}

/// Mail every administrator that a ticket waits for them: a link, never its text (inside the
/// transaction that wrote to the ticket).
async fn tell_administrators(
    state: &Handles,
    conn: &mut sqlx::AnyConnection,
    ticket_id: &str,
    subject: &str,
) -> Result<(), ServiceError> {
    for (admin_id, to) in admin::admin_emails(&mut *conn).await? {
        let text = format!(
            "Hello,\n\nA support ticket is waiting for an answer:\n\n{}/admin/tickets/{ticket_id}\n\n-- \nCareerlog at {}\n",
            base(state),
            base(state),
        );
        let admin_id = crate::domain::UserId::from(admin_id);
        let mail = OutgoingMail { to, subject: subject.into(), text };
        mail_outbox::enqueue(state, &mut *conn, Some(&admin_id), mail).await?;
    }
    Ok(())
}

/// A visitor's ticket, by the private link mailed to them.
pub async fn ticket_by_link(state: &Handles, token: &str) -> Result<Ticket, ServiceError> {
    if !looks_like_token(token) {
        return Err(ServiceError::NotFound);
    }
    tickets::find_by_link(state.db.pool(), &hash_token(token)).await?.ok_or(ServiceError::NotFound)
}

/// The person answers on their own ticket (found by the caller: their own, or by its link). A
/// closed ticket opens again.
pub async fn reply_as_person(
    state: &Handles,
    ticket: &Ticket,
    body: &str,
) -> Result<Result<(), FieldErrors>, ServiceError> {
    let body = match message_text(body) {
        Ok(body) => body,
        Err(message) => return Ok(Err(FieldErrors::single("message", message))),
    };
    let bucket = match &ticket.user_id {
        Some(user_id) => format!("support-user:{user_id}"),
        None => format!("support-ticket:{}", ticket.id),
    };
    take(state, &bucket, MESSAGES_PER_PERSON).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    tickets::insert_message(&mut *tx, &ticket.id, false, &body, now).await?;
    tickets::set_status(&mut *tx, &ticket.id, TicketStatus::Open, now).await?;
    tell_administrators(state, &mut tx, &ticket.id, "A support ticket has a new message").await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(Ok(()))
}

fn require_admin(user: &User) -> Result<(), ServiceError> {
    if user.is_admin() {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// An administrator answers: the answer joins the thread, the ticket counts as answered, and
/// the person is mailed the answer with the way to their ticket page.
pub async fn reply_as_admin(
    state: &Handles,
    admin_user: &User,
    ticket_id: &str,
    body: &str,
) -> Result<Result<(), FieldErrors>, ServiceError> {
    require_admin(admin_user)?;
    let ticket = tickets::find_any(state.db.pool(), ticket_id).await?.ok_or(ServiceError::NotFound)?;
    let body = match message_text(body) {
        Ok(body) => body,
        Err(message) => return Ok(Err(FieldErrors::single("message", message))),
    };
    let now = state.clock.now();
    let token = random_token();
    let mut tx = state.db.begin_write().await?;
    tickets::insert_message(&mut *tx, &ticket.id, true, &body, now).await?;
    tickets::set_status(&mut *tx, &ticket.id, TicketStatus::Answered, now).await?;
    // A visitor reaches the ticket by a link; each mail carries one of its own.
    let (to, page) = match &ticket.user_id {
        None => {
            tickets::insert_link(&mut *tx, &hash_token(&token), &ticket.id, now).await?;
            (ticket.email.clone(), format!("{}/support/ticket?token={token}", base(state)))
        }
        Some(user_id) => {
            let owner = accounts::find_by_id(&mut *tx, &crate::domain::UserId::from(user_id.clone())).await?;
            let to = owner.and_then(|u| u.email).unwrap_or_else(|| ticket.email.clone());
            (to, format!("{}/support/tickets/{}", base(state), ticket.id))
        }
    };
    // Mail bodies are 7-bit text (see integrations::mail): the answer goes in the mail when it
    // can be written so; otherwise the mail says where to read it.
    let about = mail_safe(&ticket.subject).map(|s| format!(" \"{s}\"")).unwrap_or_default();
    let answer = match mail_safe(&body) {
        Some(text) => format!(":\n\n{}\n\n", quote(&text)),
        None => ". The answer has characters this mail cannot carry: read it on your ticket page.\n\n".to_owned(),
    };
    let text = format!(
        "Hello,\n\nThe administrators of this Careerlog instance answered your message{about}{answer}\
         Read the whole conversation and answer here:\n\n{page}\n\n-- \nCareerlog at {}\n",
        base(state),
    );
    // The answer and its mail are saved together.
    let owner = ticket.user_id.clone().map(crate::domain::UserId::from);
    let mail = OutgoingMail { to, subject: "An answer to your message".into(), text };
    mail_outbox::enqueue_about_ticket(state, &mut tx, owner.as_ref(), Some(&ticket.id), mail).await?;
    tx.commit().await?;
    state.outbox.wake();
    tracing::info!(ticket_id = %ticket.id, "support ticket answered");
    Ok(Ok(()))
}

/// Text as a 7-bit mail body carries it: typographic punctuation written in ASCII, long lines
/// broken; `None` when other characters remain (a name in another script, say).
fn mail_safe(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{2018}' | '\u{2019}' => out.push('\''),
            '\u{201c}' | '\u{201d}' => out.push('"'),
            '\u{2013}' => out.push('-'),
            '\u{2014}' => out.push_str("--"),
            '\u{2026}' => out.push_str("..."),
            '\u{2192}' => out.push_str("->"),
            '\u{a0}' | '\u{202f}' => out.push(' '),
            '\t' => out.push_str("    "),
            c if c.is_ascii() => out.push(c),
            _ => return None,
        }
    }
    let mut wrapped = Vec::new();
    for line in out.lines() {
        let mut rest = line;
        while rest.len() > 800 {
            let (head, tail) = rest.split_at(800);
            wrapped.push(head);
            rest = tail;
        }
        wrapped.push(rest);
    }
    Some(wrapped.join("\n"))
}

fn quote(body: &str) -> String {
    body.lines().map(|line| format!("> {line}")).collect::<Vec<_>>().join("\n")
}

/// The account a "Delete my account" ticket asks about, and whether the request may be carried
/// out: a ticket written while signed in is the account's own; a visitor's ticket counts only
/// once they answered through the private link mailed to the address (which proves they read
/// that mailbox), and only for the account with that address.
pub enum DeletionRequest {
    /// The account to delete.
    Ready(User),
    /// Nothing can be deleted yet, for this reason (shown to the administrator).
    NotYet(&'static str),
}

pub async fn deletion_request(state: &Handles, ticket: &Ticket) -> Result<DeletionRequest, ServiceError> {
    use crate::domain::support::TicketCategory;
    if ticket.category != TicketCategory::DeleteAccount {
        return Ok(DeletionRequest::NotYet("This ticket does not ask for an account to be deleted."));
    }
    let pool = state.db.pool();
    let account = match &ticket.user_id {
        Some(id) => accounts::find_by_id(pool, &crate::domain::UserId::from(id.clone())).await?,
        None => {
            let answers = tickets::messages(pool, &ticket.id).await?.iter().filter(|m| m.from_admin == 0).count();
            if answers < 2 {
                return Ok(DeletionRequest::NotYet(
                    "They wrote without signing in. Ask them to answer through the link we mailed them (that proves \
                     the address is theirs), or to delete the account themselves in Settings.",
                ));
            }
            match crate::domain::email::Email::parse(&ticket.email) {
                Ok(email) => accounts::find_by_email(pool, &email).await?,
                Err(_) => None,
            }
        }
    };
    Ok(match account {
        Some(user) => DeletionRequest::Ready(user),
        None => DeletionRequest::NotYet("No account has this address (it may have been deleted already)."),
    })
}

/// An administrator carries out a "Delete my account" request: they type the account's address
/// to confirm, and the account goes exactly as if its owner had deleted it (every row, every
/// file, sessions and tokens, a confirmation mail); the ticket goes with it, so afterwards the
/// administrators see nothing but the count of deleted accounts.
pub async fn delete_requested_account(
    state: &Handles,
    admin_user: &User,
    ticket_id: &str,
    confirm_email: &str,
) -> Result<Result<crate::services::account_deletion::DeletedAccount, FieldErrors>, ServiceError> {
    require_admin(admin_user)?;
    let ticket = tickets::find_any(state.db.pool(), ticket_id).await?.ok_or(ServiceError::NotFound)?;
    let user = match deletion_request(state, &ticket).await? {
        DeletionRequest::Ready(user) => user,
        DeletionRequest::NotYet(why) => return Ok(Err(FieldErrors::single("confirm_email", why))),
    };
    if user.id == admin_user.id {
        return Ok(Err(FieldErrors::single("confirm_email", "Delete your own account from Settings → Account.")));
    }
    let typed = crate::domain::email::Email::parse(confirm_email).ok();
    if typed.as_ref().map(|e| e.as_str()) != user.email.as_deref() {
        return Ok(Err(FieldErrors::single("confirm_email", "Type the account's address exactly, to confirm.")));
    }
    let deleted = crate::services::account_deletion::delete_account(state, &user.id).await?;
    tracing::info!(ticket = %ticket.id, "an administrator deleted an account on its owner's request");
    Ok(Ok(deleted))
}

/// Close a ticket, or open it again.
pub async fn set_status(
    state: &Handles,
    admin_user: &User,
    ticket_id: &str,
    status: TicketStatus,
) -> Result<(), ServiceError> {
    require_admin(admin_user)?;
    let mut tx = state.db.begin_write().await?;
    if !tickets::set_status(&mut *tx, ticket_id, status, state.clock.now()).await? {
        return Err(ServiceError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::mail_safe;

    #[test]
    fn answers_are_written_for_a_seven_bit_mail_or_not_at_all() {
        assert_eq!(
            mail_safe("Career \u{2192} Import \u{2014} it\u{2019}s fine").unwrap(),
            "Career -> Import -- it's fine"
        );
        assert!(mail_safe("Grüße").is_none());
        let long = "y".repeat(2000);
        assert!(mail_safe(&long).unwrap().lines().all(|l| l.len() <= 800));
    }
}
