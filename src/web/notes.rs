//! Free notes about an opportunity, a contact or an interview: their own pages, and the notes
//! part of each subject's page.

use askama::Template;
use axum::response::Html;

use crate::db::lists;
use crate::db::notes::{self, Note};
use crate::domain::notes::{NoteDraft, NoteSubject};
use crate::domain::records::RecordKind;
use crate::domain::UserId;
use crate::services::records::kinds::Notes;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::pages::Chrome;
use crate::web::records::{FormView, LabelForm, ListView, NewQuery, Resource};
use crate::web::respond::render as html;

/// The notes part of an opportunity's, contact's or interview's page.
pub struct NotesSection {
    pub subject_kind: &'static str,
    pub subject_id: String,
    pub notes: Vec<Note>,
}

impl NotesSection {
    pub async fn load(state: &AppState, user_id: &UserId, kind: RecordKind, id: &str) -> AppResult<Self> {
        let notes = notes::notes_about(state.db.pool(), user_id, id).await?;
        Ok(Self { subject_kind: kind.as_str(), subject_id: id.to_owned(), notes })
    }
}

#[derive(Template)]
#[template(path = "notes/list.html")]
pub struct NoteList {
    pub chrome: Chrome,
    pub view: ListView<Note>,
}

#[derive(Template)]
#[template(path = "notes/form.html")]
pub struct NoteForm {
    pub chrome: Chrome,
    pub view: FormView<NoteDraft>,
}

#[derive(Template)]
#[template(path = "notes/show.html")]
pub struct NoteShow {
    pub chrome: Chrome,
    pub row: Note,
}

use notes::note_subject_table as subject_table;

#[async_trait::async_trait]
impl Resource for Notes {
    /// `/notes/new?about=<id>`: a note about one of the user's records.
    async fn new_draft(state: &AppState, user_id: &UserId, query: &NewQuery) -> AppResult<NoteDraft> {
        let about = query.about.as_deref().map(str::trim).unwrap_or_default();
        if uuid::Uuid::parse_str(about).is_ok() {
            for subject in NoteSubject::ALL.iter().copied() {
                if lists::exists(state.db.pool(), subject_table(subject), user_id, about).await? {
                    let (subject_kind, subject_id) = (subject.to_string(), about.to_owned());
                    return Ok(NoteDraft { subject_kind, subject_id, body: String::new() });
                }
            }
        }
        Ok(NoteDraft::default())
    }
    fn title(row: &Note) -> String {
        let first = row.body.lines().next().unwrap_or_default();
        let mut title: String = first.chars().take(60).collect();
        if title.len() < first.len() {
            title.push('…');
        }
        title
    }
    fn saved_url(_id: &str, draft: &NoteDraft) -> String {
        let subject = NoteSubject::parse(&draft.subject_kind).unwrap_or(NoteSubject::Opportunity);
        let id = draft.subject_id.trim().to_ascii_lowercase();
        format!("/{}/{id}?notice=saved#notes", subject_table(subject).kind.path())
    }
    fn list_page(chrome: Chrome, view: ListView<Note>) -> AppResult<Html<String>> {
        html(&NoteList { chrome, view })
    }
    async fn form_page(_: &AppState, _: &UserId, chrome: Chrome, view: FormView<NoteDraft>) -> AppResult<Html<String>> {
        html(&NoteForm { chrome, view })
    }
    async fn show_page(_: &AppState, _: &UserId, chrome: Chrome, row: Note, _: LabelForm) -> AppResult<Html<String>> {
        html(&NoteShow { chrome, row })
    }
}
