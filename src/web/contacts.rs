//! Contacts, and connecting them to opportunities and interviews (as interviewers), on pages and
//! through the API.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, Response};
use axum::Form;
use serde::Deserialize;

use crate::db::contacts::{self, Contact, LinkedTo};
use crate::db::interviews::{self, Interview};
use crate::domain::contacts::ContactDraft;
use crate::domain::opportunities::OpportunityStatus;
use crate::domain::records::RecordKind;
use crate::domain::UserId;
use crate::services::records::kinds::Contacts;
use crate::services::records::{self as records_service, HasContacts};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::notes::NotesSection;
use crate::web::pages::Chrome;
use crate::web::records::{FormView, LabelForm, ListView, Resource};
use crate::web::respond::redirect;
use crate::web::respond::render as html;
use crate::web::session::SignedIn;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConnectForm {
    contact_id: String,
}

/// Someone new, from the picker: a name and, if known, their company.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewContactForm {
    name: String,
    company: String,
}

/// The record page's part where its contacts are listed: `#contacts` on an opportunity,
/// `#interviewers` on an interview.
fn back_to_contacts<R: HasContacts>(id: &str) -> Response {
    let anchor = match R::LINK {
        LinkedTo::Opportunity => "contacts",
        LinkedTo::Interview => "interviewers",
    };
    redirect(&format!("/{}/{id}?notice=saved#{anchor}", R::TABLE.kind.path()))
}

pub async fn connect_html<R: HasContacts + Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ConnectForm>,
) -> AppResult<Response> {
    records_service::connect_contact::<R>(&state, &me.user.id, &id, form.contact_id.trim()).await?;
    Ok(back_to_contacts::<R>(&id))
}

/// Add someone new from the picker and connect them at once.
pub async fn create_and_connect_html<R: HasContacts + Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<NewContactForm>,
) -> AppResult<Response> {
    let draft = ContactDraft { name: form.name, company: form.company, ..ContactDraft::blank() };
    records_service::create_and_connect_contact::<R>(&state, &me.user.id, &id, &draft).await?;
    Ok(back_to_contacts::<R>(&id))
}

pub async fn disconnect_html<R: HasContacts + Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, contact_id)): Path<(String, String)>,
) -> AppResult<Response> {
    records_service::disconnect_contact::<R>(&state.db, &me.user.id, &id, &contact_id).await?;
    Ok(back_to_contacts::<R>(&id))
}

pub async fn connect_api<R: HasContacts + Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, contact_id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    records_service::connect_contact::<R>(&state, &me.user.id, &id, &contact_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn disconnect_api<R: HasContacts + Resource>(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, contact_id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    records_service::disconnect_contact::<R>(&state.db, &me.user.id, &id, &contact_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Template)]
#[template(path = "contacts/list.html")]
pub struct ContactList {
    pub chrome: Chrome,
    pub view: ListView<Contact>,
}

#[derive(Template)]
#[template(path = "contacts/form.html")]
pub struct ContactForm {
    pub chrome: Chrome,
    pub view: FormView<ContactDraft>,
}

#[derive(Template)]
#[template(path = "contacts/show.html")]
pub struct ContactShow {
    pub chrome: Chrome,
    pub row: Contact,
    pub label_form: LabelForm,
    /// `(id, role, company, status)`
    pub opportunities: Vec<(String, String, String, String)>,
    /// The interviews they take part in.
    pub interviews: Vec<Interview>,
    pub notes: NotesSection,
}

impl ContactShow {
    fn status_name(&self, status: &str) -> &'static str {
        OpportunityStatus::parse(status).map(OpportunityStatus::label).unwrap_or("Unknown")
    }
}

#[async_trait::async_trait]
impl Resource for Contacts {
    fn title(row: &Contact) -> String {
        row.name.clone()
    }
    fn list_page(chrome: Chrome, view: ListView<Contact>) -> AppResult<Html<String>> {
        html(&ContactList { chrome, view })
    }
    async fn form_page(
        _: &AppState,
        _: &UserId,
        chrome: Chrome,
        view: FormView<ContactDraft>,
    ) -> AppResult<Html<String>> {
        html(&ContactForm { chrome, view })
    }
    async fn show_page(
        state: &AppState,
        user_id: &UserId,
        chrome: Chrome,
        row: Contact,
        label_form: LabelForm,
    ) -> AppResult<Html<String>> {
        let opportunities = contacts::opportunities_of(state.db.pool(), user_id, &row.id).await?;
        let interviews = interviews::interviews_with(state.db.pool(), user_id, &row.id).await?;
        let notes = NotesSection::load(state, user_id, RecordKind::Contact, &row.id).await?;
        html(&ContactShow { chrome, row, label_form, opportunities, interviews, notes })
    }
}
