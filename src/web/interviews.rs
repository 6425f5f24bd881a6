//! Interview pages: each interview belongs to an opportunity, with its interviewers,
//! preparation and debrief.

use askama::Template;
use axum::response::Html;

use crate::db::interviews::Interview;
use crate::db::lists;
use crate::db::opportunities::OPPORTUNITIES;
use crate::db::{contacts, interviews};
use crate::domain::interviews::{InterviewDraft, InterviewKind, InterviewOutcome};
use crate::domain::records::RecordKind;
use crate::domain::UserId;
use crate::services::records::kinds::Interviews;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::notes::NotesSection;
use crate::web::pages::Chrome;
use crate::web::records::{FormView, LabelForm, ListView, NewQuery, Resource};
use crate::web::respond::render as html;

#[derive(Template)]
#[template(path = "interviews/list.html")]
pub struct InterviewList {
    pub chrome: Chrome,
    pub view: ListView<Interview>,
}

#[derive(Template)]
#[template(path = "interviews/form.html")]
pub struct InterviewForm {
    pub chrome: Chrome,
    pub view: FormView<InterviewDraft>,
    /// `(id, "Role at Company")` of the user's opportunities.
    pub opportunities: Vec<(String, String)>,
}

impl InterviewForm {
    fn kinds(&self) -> &'static [(&'static str, &'static str)] {
        InterviewKind::CHOICES
    }
    fn outcomes(&self) -> &'static [(&'static str, &'static str)] {
        InterviewOutcome::CHOICES
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
#[template(path = "interviews/show.html")]
pub struct InterviewShow {
    pub chrome: Chrome,
    pub row: Interview,
    pub label_form: LabelForm,
    /// `(id, name)` of all the user's contacts, to add an interviewer.
    pub all_contacts: Vec<(String, String)>,
    pub notes: NotesSection,
    pub ai_prep: crate::web::ai_prep::AiPrepSection,
}

impl InterviewShow {
    /// Preparation and debrief are written like journal entries: Markdown, cleaned the same way.
    fn markdown(&self, text: &str) -> String {
        crate::domain::markdown::to_safe_html(text)
    }
}

#[async_trait::async_trait]
impl Resource for Interviews {
    /// The next round is usually for the same opportunity.
    fn another_url(draft: &InterviewDraft) -> String {
        format!("/interviews/new?opportunity={}&notice=saved_another", draft.opportunity_id.trim())
    }

    /// A new interview starts in the opportunity asked for and in the time zone of the user's
    /// latest interview (the browser fills in its own zone when there is none).
    async fn new_draft(state: &AppState, user_id: &UserId, query: &NewQuery) -> AppResult<InterviewDraft> {
        let mut draft = InterviewDraft::blank();
        if let Some(id) = query.opportunity.as_deref().map(str::trim) {
            if uuid::Uuid::parse_str(id).is_ok() && lists::exists(state.db.pool(), &OPPORTUNITIES, user_id, id).await? {
                draft.opportunity_id = id.to_owned();
            }
        }
        draft.time_zone = interviews::latest_time_zone(state.db.pool(), user_id).await?.unwrap_or_default();
        Ok(draft)
    }
    fn title(row: &Interview) -> String {
        format!("{} · {}", row.round_name, row.company)
    }
    fn list_page(chrome: Chrome, view: ListView<Interview>) -> AppResult<Html<String>> {
        html(&InterviewList { chrome, view })
    }
    async fn form_page(
        state: &AppState,
        user_id: &UserId,
        chrome: Chrome,
        view: FormView<InterviewDraft>,
    ) -> AppResult<Html<String>> {
        let opportunities =
            crate::web::opportunities::opportunity_choices(state, user_id, &view.draft.opportunity_id).await?;
        html(&InterviewForm { chrome, view, opportunities })
    }
    async fn show_page(
        state: &AppState,
        user_id: &UserId,
        chrome: Chrome,
        row: Interview,
        label_form: LabelForm,
    ) -> AppResult<Html<String>> {
        let mut all_contacts = lists::choices(state.db.pool(), &contacts::CONTACTS, "t.name", user_id).await?;
        // The picker offers only people not among the interviewers yet.
        all_contacts.retain(|(id, _)| !row.interviewers.iter().any(|person| &person.id == id));
        let notes = NotesSection::load(state, user_id, RecordKind::Interview, &row.id).await?;
        let ai_prep =
            crate::web::ai_prep::AiPrepSection::load(state, user_id, crate::web::ai_prep::Kind::Interview, &row.id)
                .await?;
        html(&InterviewShow { chrome, row, label_form, all_contacts, notes, ai_prep })
    }
}
