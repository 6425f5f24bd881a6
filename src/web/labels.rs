//! Labels: the user's own words for grouping records. Private unless marked public.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};

use crate::db::labels::{self, Label};
use crate::db::lists::ListFilter;
use crate::db::{career, journal, lists};
use crate::domain::career::{LabelDraft, LabelWrite};
use crate::domain::fields::PALETTE;
use crate::domain::FieldErrors;
use crate::domain::UserId;
use crate::services::labels as label_service;
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::ai_labels::LabelAiSection;
use crate::web::error::AppResult;
use crate::web::extract::ApiJson;
use crate::web::pages::{Chrome, NoticeQuery};
use crate::web::records::{ListBody, ListQuery, HTML_PER_PAGE};
use crate::web::respond::redirect;
use crate::web::respond::render;
use crate::web::session::SignedIn;

#[derive(Template)]
#[template(path = "labels/list.html")]
struct LabelsPage {
    chrome: Chrome,
    labels: Vec<Label>,
    draft: LabelDraft,
    picker: ColourPicker,
    errors: FieldErrors,
    ai: LabelAiSection,
}

#[derive(Template)]
#[template(path = "labels/edit.html")]
struct LabelEditPage {
    chrome: Chrome,
    label: Label,
    draft: LabelDraft,
    picker: ColourPicker,
    errors: FieldErrors,
    records: Vec<TaggedRecord>,
}

/// One swatch of the label form's colour picker.
pub struct Swatch {
    pub hex: &'static str,
    pub name: &'static str,
    /// The check mark's colour: whichever of white and near-black reads better on `hex`.
    pub ink: &'static str,
    pub checked: bool,
}

/// The label form's colour: a swatch of the palette, a colour of one's own (the native colour
/// input), or none (on a new label: the palette colour the user's labels use least).
pub struct ColourPicker {
    /// A new label: "none" reads "Automatic".
    pub for_new_label: bool,
    pub swatches: Vec<Swatch>,
    pub none_checked: bool,
    pub custom_checked: bool,
    /// The free input's value: what was chosen or typed (kept when it is wrong), else the first
    /// palette colour, where the browser's colour dialog then opens.
    pub custom_value: String,
}

impl ColourPicker {
    fn new(draft: &LabelDraft, for_new_label: bool) -> Self {
        let chosen = draft.chosen_colour().trim();
        let swatches: Vec<Swatch> = PALETTE
            .iter()
            .map(|colour| Swatch {
                hex: colour.hex,
                name: colour.name,
                ink: colour.ink(),
                checked: chosen.eq_ignore_ascii_case(colour.hex),
            })
            .collect();
        let none_checked = chosen.is_empty();
        let custom_checked = !none_checked && !swatches.iter().any(|swatch| swatch.checked);
        let custom_value = if none_checked { PALETTE[0].hex.to_owned() } else { chosen.to_owned() };
        Self { for_new_label, swatches, none_checked, custom_checked, custom_value }
    }
}

/// A record carrying the label, for the label's page.
pub struct TaggedRecord {
    pub kind: &'static str,
    pub title: String,
    pub url: String,
}

pub fn html_routes() -> Router<AppState> {
    Router::new()
        .route("/labels", get(list_html).post(create_html))
        .route("/labels/{id}", get(edit_html).post(update_html))
        .route("/labels/{id}/delete", post(delete_html))
}

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/labels", get(list_api).post(create_api))
        .route("/labels/{id}", get(get_api).patch(patch_api).delete(delete_api))
}

async fn load(state: &AppState, user_id: &UserId, id: &str) -> AppResult<Label> {
    Ok(label_service::get(state, user_id, id).await?)
}

/// Save the form; what the user must fix comes back for the form.
async fn save(
    state: &AppState,
    user_id: &UserId,
    id: Option<&str>,
    draft: &LabelDraft,
) -> AppResult<Result<String, FieldErrors>> {
    match label_service::save(state, user_id, id, draft).await {
        Ok(id) => Ok(Ok(id)),
        Err(ServiceError::Invalid(errors)) => Ok(Err(errors)),
        Err(err) => Err(err.into()),
    }
}

async fn list_page(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    draft: LabelDraft,
    errors: FieldErrors,
    notice: NoticeQuery,
) -> AppResult<Response> {
    let page = LabelsPage {
        chrome: Chrome::new(state, &me.visitor, "Labels", "labels").with_notice(notice.notice()),
        labels: labels::list_for_user(state.db.pool(), &me.user.id).await?,
        picker: ColourPicker::new(&draft, true),
        draft,
        errors,
        ai: LabelAiSection::new(state),
    };
    Ok((status, render(&page)?).into_response())
}

/// The labels page with what labels by AI has to say (a category to fix, nothing to link).
pub async fn page_with_ai(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    ai: LabelAiSection,
) -> AppResult<Response> {
    let draft = LabelDraft::blank();
    let page = LabelsPage {
        chrome: Chrome::new(state, &me.visitor, "Labels", "labels"),
        labels: labels::list_for_user(state.db.pool(), &me.user.id).await?,
        picker: ColourPicker::new(&draft, true),
        draft,
        errors: FieldErrors::new(),
        ai,
    };
    Ok((status, render(&page)?).into_response())
}

async fn list_html(
    State(state): State<AppState>,
    me: SignedIn,
    Query(notice): Query<NoticeQuery>,
) -> AppResult<Response> {
    list_page(&state, &me, StatusCode::OK, LabelDraft::blank(), FieldErrors::new(), notice).await
}

async fn create_html(
    State(state): State<AppState>,
    me: SignedIn,
    Form(draft): Form<LabelDraft>,
) -> AppResult<Response> {
    match save(&state, &me.user.id, None, &draft).await? {
        Ok(_) => Ok(redirect("/labels?notice=label_created")),
        Err(errors) => {
            list_page(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, draft, errors, NoticeQuery::default()).await
        }
    }
}

/// Records carrying the label, a few of each kind.
async fn tagged_records(state: &AppState, user_id: &UserId, label: &Label) -> AppResult<Vec<TaggedRecord>> {
    let filter = ListFilter { label: Some(label.name.clone()), page: 1, per_page: 50, ..ListFilter::default() };
    let mut records = Vec::new();
    macro_rules! collect {
        ($table:expr, $row:ty, $title:expr) => {{
            let rows: Vec<$row> = lists::rows(state.db.pool(), &$table, user_id, &filter).await?;
            for row in rows {
                records.push(TaggedRecord {
                    kind: $table.kind.singular(),
                    title: $title(&row),
                    url: format!("/{}/{}", $table.kind.path(), row.id),
                });
            }
        }};
    }
    collect!(career::EXPERIENCES, career::Experience, |r: &career::Experience| format!("{} at {}", r.role, r.company));
    collect!(career::SKILLS, career::Skill, |r: &career::Skill| r.name.clone());
    collect!(career::PROJECTS, career::Project, |r: &career::Project| r.name.clone());
    collect!(career::ACHIEVEMENTS, career::Achievement, |r: &career::Achievement| r.title.clone());
    collect!(career::EDUCATION, career::Education, |r: &career::Education| r.institution.clone());
    collect!(career::CERTIFICATIONS, career::Certification, |r: &career::Certification| r.name.clone());
    collect!(journal::JOURNAL, journal::JournalEntry, |r: &journal::JournalEntry| r.title.clone());
    collect!(crate::db::contacts::CONTACTS, crate::db::contacts::Contact, |r: &crate::db::contacts::Contact| r
        .name
        .clone());
    collect!(
        crate::db::opportunities::OPPORTUNITIES,
        crate::db::opportunities::Opportunity,
        |r: &crate::db::opportunities::Opportunity| format!("{} at {}", r.role, r.company)
    );
    collect!(
        crate::db::interviews::INTERVIEWS,
        crate::db::interviews::Interview,
        |r: &crate::db::interviews::Interview| format!("{} · {}", r.round_name, r.company)
    );
    Ok(records)
}

async fn edit_page(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    label: Label,
    draft: LabelDraft,
    errors: FieldErrors,
    notice: NoticeQuery,
) -> AppResult<Response> {
    let records = tagged_records(state, &me.user.id, &label).await?;
    let page = LabelEditPage {
        chrome: Chrome::new(state, &me.visitor, format!("Label: {}", label.name), "labels")
            .with_notice(notice.notice()),
        label,
        picker: ColourPicker::new(&draft, false),
        draft,
        errors,
        records,
    };
    Ok((status, render(&page)?).into_response())
}

async fn edit_html(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Query(notice): Query<NoticeQuery>,
) -> AppResult<Response> {
    let label = load(&state, &me.user.id, &id).await?;
    let draft = label_service::draft_of(&label);
    edit_page(&state, &me, StatusCode::OK, label, draft, FieldErrors::new(), notice).await
}

async fn update_html(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(draft): Form<LabelDraft>,
) -> AppResult<Response> {
    let label = load(&state, &me.user.id, &id).await?;
    match save(&state, &me.user.id, Some(&id), &draft).await? {
        Ok(id) => Ok(redirect(&format!("/labels/{id}?notice=saved"))),
        Err(errors) => {
            edit_page(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, label, draft, errors, NoticeQuery::default()).await
        }
    }
}

async fn delete_html(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<Response> {
    label_service::delete(&state, &me.user.id, &id).await?;
    Ok(redirect("/labels?notice=label_deleted"))
}

// ---- API ----

async fn list_api(
    State(state): State<AppState>,
    me: SignedIn,
    Query(query): Query<ListQuery>,
) -> AppResult<Json<ListBody<Label>>> {
    // A user has at most MAX_PER_USER labels, so they are paged here rather than in SQL.
    let filter = query.filter(HTML_PER_PAGE);
    let all = labels::list_for_user(state.db.pool(), &me.user.id).await?;
    let total = all.len() as i64;
    let skip = usize::try_from((filter.page - 1).saturating_mul(filter.per_page)).unwrap_or(usize::MAX);
    let items = all.into_iter().skip(skip).take(filter.per_page as usize).collect();
    Ok(Json(ListBody { items, page: filter.page, per_page: filter.per_page, total }))
}

async fn create_api(
    State(state): State<AppState>,
    me: SignedIn,
    ApiJson(write): ApiJson<LabelWrite>,
) -> AppResult<Response> {
    let label = label_service::create(&state, &me.user.id, write).await?;
    let location = format!("/api/v1/labels/{}", label.id);
    Ok((StatusCode::CREATED, [(axum::http::header::LOCATION, location)], Json(label)).into_response())
}

async fn get_api(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<Json<Label>> {
    Ok(Json(load(&state, &me.user.id, &id).await?))
}

async fn patch_api(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    ApiJson(write): ApiJson<LabelWrite>,
) -> AppResult<Json<Label>> {
    Ok(Json(label_service::patch(&state, &me.user.id, &id, write).await?))
}

async fn delete_api(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<StatusCode> {
    label_service::delete(&state, &me.user.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
