//! Interviews (each belongs to an opportunity, with its interviewers, preparation and debrief)
//! and the free notes a user keeps about an opportunity, a contact or an interview.

use askama::Template;
use axum::response::Html;
use sqlx::AnyConnection;

use crate::db::lists;
use crate::db::{contacts, interviews, notes, opportunities};
use crate::state::AppState;
use crate::clock::Timestamp;
use crate::db::lists::{Table};
use crate::db::interviews::{Interview};
use crate::db::notes::{Note};
use crate::db::opportunities::{OPPORTUNITIES};
use crate::domain::records::RecordKind;
use crate::domain::interviews::{InterviewDraft, InterviewInput, InterviewWrite, INTERVIEW_KINDS, OUTCOMES};
use crate::domain::notes::{NoteDraft, NoteInput, NoteWrite};
use crate::domain::FieldErrors;
use crate::web::error::AppResult;
use crate::web::jobs::{HasContacts, LinkedTo};
use crate::web::pages::Chrome;
use crate::web::records::{html, label_text, FormView, LabelForm, ListView, NewQuery, Resource};

crate::labelled!(Interview, Note);

#[derive(Template)]
#[template(path = "jobs/interviews/list.html")]
pub struct InterviewList {
    pub chrome: Chrome,
    pub view: ListView<Interview>,
}

#[derive(Template)]
#[template(path = "jobs/interviews/form.html")]
pub struct InterviewForm {
    pub chrome: Chrome,
    pub view: FormView<InterviewDraft>,
    /// `(id, "Role at Company")` of the user's opportunities.
    pub opportunities: Vec<(String, String)>,
}

impl InterviewForm {
    fn kinds(&self) -> &'static [(&'static str, &'static str)] {
        &INTERVIEW_KINDS
    }
    fn outcomes(&self) -> &'static [(&'static str, &'static str)] {
        &OUTCOMES
    }
    /// Every time zone name we know, for the field's suggestions.
    fn time_zones(&self) -> Vec<String> {
        let mut names: Vec<String> = jiff::tz::db().available().map(|name| name.as_str().to_owned()).collect();
        names.retain(|name| name.contains('/') && !name.starts_with("Etc/") && !name.starts_with("SystemV/"));
        names.sort();
        names
    }
}

#[derive(Template)]
#[template(path = "jobs/interviews/show.html")]
pub struct InterviewShow {
    pub chrome: Chrome,
    pub row: Interview,
    pub label_form: LabelForm,
    /// `(id, name)` of all the user's contacts, to add an interviewer.
    pub all_contacts: Vec<(String, String)>,
    pub notes: NotesSection,
}

/// The notes part of an opportunity's, contact's or interview's page.
pub struct NotesSection {
    pub subject_kind: &'static str,
    pub subject_id: String,
    pub notes: Vec<Note>,
}

impl NotesSection {
    pub async fn load(state: &AppState, user_id: &str, kind: RecordKind, id: &str) -> AppResult<Self> {
        let notes = notes::notes_about(state.db.pool(), user_id, id).await?;
        Ok(Self { subject_kind: kind.as_str(), subject_id: id.to_owned(), notes })
    }
}

pub struct Interviews;

impl HasContacts for Interviews {
    const LINK: LinkedTo = LinkedTo::Interview;
    const SEGMENT: &'static str = "interviewers";
}

#[async_trait::async_trait]
impl Resource for Interviews {
    const TABLE: &'static Table = &interviews::INTERVIEWS;
    type Row = Interview;
    type Draft = InterviewDraft;
    type Write = InterviewWrite;
    type Input = InterviewInput;

    fn blank(_: &AppState) -> InterviewDraft {
        InterviewDraft::blank()
    }
    /// A new interview starts in the opportunity asked for and in the time zone of the user's
    /// latest interview (the browser fills in its own zone when there is none).
    async fn new_draft(state: &AppState, user_id: &str, query: &NewQuery) -> AppResult<InterviewDraft> {
        let mut draft = InterviewDraft::blank();
        if let Some(id) = query.opportunity.as_deref().map(str::trim) {
            if uuid::Uuid::parse_str(id).is_ok() && lists::exists(state.db.pool(), &OPPORTUNITIES, user_id, id).await?
            {
                draft.opportunity_id = id.to_owned();
            }
        }
        draft.time_zone = interviews::latest_time_zone(state.db.pool(), user_id).await?.unwrap_or_default();
        Ok(draft)
    }
    fn draft_of(row: &Interview) -> InterviewDraft {
        InterviewDraft {
            opportunity_id: row.opportunity_id.clone(),
            round_name: row.round_name.clone(),
            kind: row.kind.clone(),
            start: row.local_start.clone(),
            time_zone: row.time_zone.clone(),
            duration_minutes: row.duration_minutes.to_string(),
            location: row.location.clone(),
            meeting_url: row.meeting_url.clone().unwrap_or_default(),
            prep_notes: row.prep_notes.clone(),
            debrief_summary: row.debrief_summary.clone(),
            debrief_questions: row.debrief_questions.clone(),
            debrief_improve: row.debrief_improve.clone(),
            outcome: row.outcome.clone(),
            labels: label_text(&row.labels),
        }
    }
    fn apply(draft: &mut InterviewDraft, write: InterviewWrite) {
        draft.apply(write)
    }
    fn validate(draft: &InterviewDraft) -> Result<InterviewInput, FieldErrors> {
        draft.validate()
    }
    fn label_names(input: &InterviewInput) -> &[String] {
        &input.labels
    }
    fn title(row: &Interview) -> String {
        format!("{} · {}", row.round_name, row.company)
    }
    async fn check(state: &AppState, user_id: &str, input: &InterviewInput) -> AppResult<FieldErrors> {
        let mut errors = FieldErrors::new();
        if !lists::exists(state.db.pool(), &OPPORTUNITIES, user_id, &input.opportunity_id).await? {
            errors.add("opportunity_id", "Choose one of your opportunities.");
        }
        Ok(errors)
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &str,
        id: &str,
        i: &InterviewInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        interviews::insert_interview(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &str,
        id: &str,
        i: &InterviewInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        interviews::update_interview(c, u, id, i, now).await
    }
    async fn before_delete(c: &mut AnyConnection, u: &str, id: &str, _: Timestamp) -> Result<Vec<String>, sqlx::Error> {
        interviews::forget_dependents(c, u, RecordKind::Interview, id).await?;
        Ok(Vec::new())
    }
    async fn enrich(state: &AppState, user_id: &str, rows: &mut [Interview]) -> AppResult<()> {
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let interviewers = interviews::interviewers_of(state.db.pool(), user_id, &ids).await?;
        for row in rows.iter_mut() {
            row.interviewers = interviewers.iter().filter(|(id, _)| *id == row.id).map(|(_, c)| c.clone()).collect();
        }
        Ok(())
    }
    fn list_page(chrome: Chrome, view: ListView<Interview>) -> AppResult<Html<String>> {
        html(&InterviewList { chrome, view })
    }
    async fn form_page(
        state: &AppState,
        user_id: &str,
        chrome: Chrome,
        view: FormView<InterviewDraft>,
    ) -> AppResult<Html<String>> {
        let title = "t.role || ' at ' || t.company";
        let mut opportunities = lists::choices(state.db.pool(), &OPPORTUNITIES, title, user_id).await?;
        // The list holds the newest 500; the one an interview belongs to is always in it.
        let current = view.draft.opportunity_id.trim();
        if uuid::Uuid::parse_str(current).is_ok() && !opportunities.iter().any(|(id, _)| id == current) {
            let row: Option<opportunities::Opportunity> = lists::get(state.db.pool(), &OPPORTUNITIES, user_id, current).await?;
            if let Some(row) = row {
                opportunities.insert(0, (row.id, format!("{} at {}", row.role, row.company)));
            }
        }
        html(&InterviewForm { chrome, view, opportunities })
    }
    async fn show_page(
        state: &AppState,
        user_id: &str,
        chrome: Chrome,
        row: Interview,
        label_form: LabelForm,
    ) -> AppResult<Html<String>> {
        let all_contacts = lists::choices(state.db.pool(), &contacts::CONTACTS, "t.name", user_id).await?;
        let notes = NotesSection::load(state, user_id, RecordKind::Interview, &row.id).await?;
        html(&InterviewShow { chrome, row, label_form, all_contacts, notes })
    }
}

// ---- notes ----

#[derive(Template)]
#[template(path = "jobs/notes/list.html")]
pub struct NoteList {
    pub chrome: Chrome,
    pub view: ListView<Note>,
}

#[derive(Template)]
#[template(path = "jobs/notes/form.html")]
pub struct NoteForm {
    pub chrome: Chrome,
    pub view: FormView<NoteDraft>,
}

#[derive(Template)]
#[template(path = "jobs/notes/show.html")]
pub struct NoteShow {
    pub chrome: Chrome,
    pub row: Note,
}

pub struct Notes;

use notes::note_subject_table as subject_table;

#[async_trait::async_trait]
impl Resource for Notes {
    const TABLE: &'static Table = &notes::NOTES;
    const LABELLED: bool = false;
    type Row = Note;
    type Draft = NoteDraft;
    type Write = NoteWrite;
    type Input = NoteInput;

    fn blank(_: &AppState) -> NoteDraft {
        NoteDraft::default()
    }
    /// `/notes/new?about=<id>`: a note about one of the user's records.
    async fn new_draft(state: &AppState, user_id: &str, query: &NewQuery) -> AppResult<NoteDraft> {
        let about = query.about.as_deref().map(str::trim).unwrap_or_default();
        if uuid::Uuid::parse_str(about).is_ok() {
            for (kind, _) in crate::domain::notes::NOTE_SUBJECTS {
                if lists::exists(state.db.pool(), subject_table(kind), user_id, about).await? {
                    let (subject_kind, subject_id) = (kind.to_owned(), about.to_owned());
                    return Ok(NoteDraft { subject_kind, subject_id, body: String::new() });
                }
            }
        }
        Ok(NoteDraft::default())
    }
    fn draft_of(row: &Note) -> NoteDraft {
        NoteDraft { subject_kind: row.subject_kind.clone(), subject_id: row.subject_id.clone(), body: row.body.clone() }
    }
    fn apply(draft: &mut NoteDraft, write: NoteWrite) {
        draft.apply(write)
    }
    fn validate(draft: &NoteDraft) -> Result<NoteInput, FieldErrors> {
        draft.validate()
    }
    fn label_names(_: &NoteInput) -> &[String] {
        &[]
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
        let kind = draft.subject_kind.trim().to_ascii_lowercase();
        let id = draft.subject_id.trim().to_ascii_lowercase();
        format!("/{}/{id}?notice=saved#notes", subject_table(&kind).kind.path())
    }
    async fn check(state: &AppState, user_id: &str, input: &NoteInput) -> AppResult<FieldErrors> {
        let table = subject_table(input.subject_kind);
        if lists::exists(state.db.pool(), table, user_id, &input.subject_id).await? {
            Ok(FieldErrors::new())
        } else {
            Ok(FieldErrors::single("subject_id", format!("Choose one of your {}.", table.kind.path())))
        }
    }
    async fn insert(
        c: &mut AnyConnection,
        u: &str,
        id: &str,
        i: &NoteInput,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        notes::insert_note(c, u, id, i, now).await
    }
    async fn update(
        c: &mut AnyConnection,
        u: &str,
        id: &str,
        i: &NoteInput,
        now: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        notes::update_note(c, u, id, i, now).await
    }
    fn list_page(chrome: Chrome, view: ListView<Note>) -> AppResult<Html<String>> {
        html(&NoteList { chrome, view })
    }
    async fn form_page(_: &AppState, _: &str, chrome: Chrome, view: FormView<NoteDraft>) -> AppResult<Html<String>> {
        html(&NoteForm { chrome, view })
    }
    async fn show_page(_: &AppState, _: &str, chrome: Chrome, row: Note, _: LabelForm) -> AppResult<Html<String>> {
        html(&NoteShow { chrome, row })
    }
}
