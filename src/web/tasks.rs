//! Tasks: their own pages (`/tasks`), the tasks part of an opportunity's page, the dashboard's
//! agenda, and the quick forms that mark one done or put it off.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use serde::Deserialize;

use crate::db::lists;
use crate::db::opportunities::OPPORTUNITIES;
use crate::db::tasks::{self, Task, TASKS};
use crate::domain::opportunities::SNOOZE_DAYS;
use crate::domain::tasks::TaskDraft;
use crate::domain::UserId;
use crate::services::records::kinds::Tasks;
use crate::services::tasks as task_service;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::ApiJson;
use crate::web::pages::Chrome;
use crate::web::records::{FormView, LabelForm, ListView, NewQuery, Resource};
use crate::web::respond::redirect;
use crate::web::respond::render as html;
use crate::web::session::SignedIn;

pub fn html_routes() -> Router<AppState> {
    Router::new().route("/tasks/{id}/done", post(done_html)).route("/tasks/{id}/snooze", post(snooze_html))
}

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/tasks/{id}/snooze", post(snooze_api))
}

#[derive(Template)]
#[template(path = "tasks/list.html")]
pub struct TaskList {
    pub chrome: Chrome,
    pub view: ListView<Task>,
    pub snooze_choices: &'static [(i64, &'static str)],
}

#[derive(Template)]
#[template(path = "tasks/form.html")]
pub struct TaskForm {
    pub chrome: Chrome,
    pub view: FormView<TaskDraft>,
    pub opportunities: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "tasks/show.html")]
pub struct TaskShow {
    pub chrome: Chrome,
    pub row: Task,
    pub snooze_choices: &'static [(i64, &'static str)],
}

/// The tasks part of an opportunity's page: its tasks and a form to add one.
pub struct TasksSection {
    pub opportunity_id: String,
    pub tasks: Vec<Task>,
    /// How many are open (all of them, also past those listed).
    pub open: i64,
    pub today: String,
    pub snooze_choices: &'static [(i64, &'static str)],
}

impl TasksSection {
    pub async fn load(state: &AppState, user_id: &UserId, opportunity_id: &str) -> AppResult<Self> {
        let tasks = tasks::of_opportunity(state.db.pool(), user_id, opportunity_id).await?;
        let open = tasks::open_count(state.db.pool(), user_id, opportunity_id).await?;
        let me = crate::db::accounts::find_by_id(state.db.pool(), user_id).await?.ok_or(AppError::NotFound)?;
        let today = crate::services::opportunities::today_for(state, &me).await?.to_string();
        Ok(TasksSection { opportunity_id: opportunity_id.to_owned(), tasks, open, today, snooze_choices: &SNOOZE_DAYS })
    }
}

/// The dashboard's agenda: open tasks overdue, due today and due in the coming week.
pub struct Agenda {
    pub overdue: Vec<Task>,
    pub today: Vec<Task>,
    pub this_week: Vec<Task>,
    /// Today where the user is (`YYYY-MM-DD`).
    pub day: String,
    pub snooze_choices: &'static [(i64, &'static str)],
    /// More are overdue or coming than shown (the rest are on `/tasks`).
    pub is_cut: bool,
}

/// The most overdue tasks the dashboard's agenda lists, and the most coming ones (today and this
/// week): the page weighs the same however many there are, and `/tasks` has them all.
pub const AGENDA_SHOWN: usize = 5;
const AGENDA_DAYS: i64 = 7;

impl Agenda {
    pub async fn load(state: &AppState, user_id: &UserId, today: jiff::civil::Date) -> AppResult<Self> {
        let pool = state.db.pool();
        let day = today.to_string();
        let last = (today + jiff::Span::new().days(AGENDA_DAYS)).to_string();
        let yesterday = today.yesterday().map_err(|e| AppError::Internal(e.into()))?.to_string();
        // Read apart, so a long tail of overdue tasks never hides what is due today.
        // One more than shown, to know whether there are more.
        let read = AGENDA_SHOWN as i64 + 1;
        let mut overdue = tasks::due_between(pool, user_id, ("", &yesterday), read).await?;
        let mut coming = tasks::due_between(pool, user_id, (&day, &last), read).await?;
        let is_cut = overdue.len() > AGENDA_SHOWN || coming.len() > AGENDA_SHOWN;
        overdue.truncate(AGENDA_SHOWN);
        coming.truncate(AGENDA_SHOWN);
        let (due_today, this_week) = coming.into_iter().partition(|task| task.is_due_on(&day));
        Ok(Agenda { overdue, today: due_today, this_week, day, snooze_choices: &SNOOZE_DAYS, is_cut })
    }

    pub fn is_empty(&self) -> bool {
        self.overdue.is_empty() && self.today.is_empty() && self.this_week.is_empty()
    }
}

#[async_trait::async_trait]
impl Resource for Tasks {
    /// `/tasks/new?opportunity=<id>`: a task for one of the user's opportunities.
    async fn new_draft(state: &AppState, user_id: &UserId, query: &NewQuery) -> AppResult<TaskDraft> {
        if let Some(id) = query.opportunity.as_deref().map(str::trim) {
            if uuid::Uuid::parse_str(id).is_ok() && lists::exists(state.db.pool(), &OPPORTUNITIES, user_id, id).await? {
                return Ok(TaskDraft::for_opportunity(id));
            }
        }
        Ok(TaskDraft::default())
    }
    fn title(row: &Task) -> String {
        row.title.clone()
    }
    /// A task for an opportunity goes back to the opportunity's tasks.
    fn saved_url(id: &str, draft: &TaskDraft) -> String {
        match draft.opportunity_id.trim() {
            "" => format!("/tasks/{id}?notice=saved"),
            opportunity => format!("/opportunities/{}?notice=saved#tasks", opportunity.to_ascii_lowercase()),
        }
    }
    fn another_url(draft: &TaskDraft) -> String {
        match draft.opportunity_id.trim() {
            "" => "/tasks/new?notice=saved_another".to_owned(),
            opportunity => format!("/tasks/new?opportunity={opportunity}&notice=saved_another"),
        }
    }
    fn list_page(chrome: Chrome, view: ListView<Task>) -> AppResult<Html<String>> {
        html(&TaskList { chrome, view, snooze_choices: &SNOOZE_DAYS })
    }
    async fn form_page(
        state: &AppState,
        user_id: &UserId,
        chrome: Chrome,
        view: FormView<TaskDraft>,
    ) -> AppResult<Html<String>> {
        let choices =
            crate::web::opportunities::opportunity_choices(state, user_id, &view.draft.opportunity_id).await?;
        html(&TaskForm { chrome, view, opportunities: choices })
    }
    async fn show_page(_: &AppState, _: &UserId, chrome: Chrome, row: Task, _: LabelForm) -> AppResult<Html<String>> {
        html(&TaskShow { chrome, row, snooze_choices: &SNOOZE_DAYS })
    }
}

/// The quick forms' fields: done or not, how long to put off, and which page to go back to.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TaskQuickForm {
    /// `1` done, `0` open again.
    done: String,
    days: String,
    /// `jobs` (the dashboard), `opportunity:<id>`, `tasks` (the list), or the task's own page.
    back: String,
}

fn back_to(id: &str, back: &str, notice: &str) -> Response {
    if back == "jobs" {
        return redirect(&format!("/jobs?notice={notice}#agenda-heading"));
    }
    if back == "tasks" {
        return redirect(&format!("/tasks?notice={notice}"));
    }
    if let Some(opportunity) = back.strip_prefix("opportunity:").filter(|o| uuid::Uuid::parse_str(o).is_ok()) {
        return redirect(&format!("/opportunities/{opportunity}?notice={notice}#tasks"));
    }
    redirect(&format!("/tasks/{id}?notice={notice}"))
}

async fn done_html(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<TaskQuickForm>,
) -> AppResult<Response> {
    let done = form.done.trim() != "0";
    task_service::set_done(&state, &me.user.id, &id, done).await?;
    Ok(back_to(&id, &form.back, if done { "task_done" } else { "task_reopened" }))
}

async fn snooze_html(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<TaskQuickForm>,
) -> AppResult<Response> {
    match task_service::put_off(&state, &me.user, &id, &form.days).await {
        Ok(()) => Ok(back_to(&id, &form.back, "task_snoozed")),
        // The choices are a fixed list: a request made by hand, or a task done meanwhile.
        Err(crate::services::ServiceError::Invalid(_)) => Ok(back_to(&id, &form.back, "task_not_snoozed")),
        Err(error) => Err(error.into()),
    }
}

/// `POST /api/v1/tasks/{id}/snooze` `{"days": …}`: due that many days from today (one of the
/// choices the pages offer, as for an opportunity's next action).
async fn snooze_api(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<crate::domain::opportunities::SnoozeWrite>,
) -> AppResult<Response> {
    task_service::put_off(&state, &me.user, &id, &body.days.map(|days| days.to_string()).unwrap_or_default()).await?;
    let row: Option<Task> = lists::get(state.db.pool(), &TASKS, &me.user.id, &id).await?;
    let row = row.ok_or(AppError::NotFound)?;
    Ok(Json(row).into_response())
}
