//! Offers (issue 19, item 4): an opportunity's offer recorded and edited on a form of its own,
//! shown on the opportunity's page, and the open offers side by side on `/offers`.
//!
//! Pages: `GET/POST /opportunities/{id}/offer`, `POST /opportunities/{id}/offer/delete`,
//! `GET /offers` (`?compare=<id>&compare=<id>…` chooses which). API:
//! `GET/PUT/DELETE /api/v1/opportunities/{id}/offer`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};

use crate::db::offers::{self, Offer};
use crate::db::opportunities::Opportunity;
use crate::domain::lenient::TypedInput;
use crate::domain::offers::{grouped, moves_to_offer, time_to_decide, OfferDraft, OfferWrite, PayPeriod};
use crate::domain::FieldErrors;
use crate::services::offers as offer_service;
use crate::services::records::kinds::Opportunities;
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::extract::ApiJson;
use crate::web::pages::{Chrome, NoticeQuery};
use crate::web::records::{load_one, valid_id};
use crate::web::respond::{redirect, render};
use crate::web::session::SignedIn;

pub fn html_routes() -> Router<AppState> {
    Router::new()
        .route("/offers", get(compare_page))
        .route("/opportunities/{id}/offer", get(form_page).post(save_html))
        .route("/opportunities/{id}/offer/delete", post(remove_html))
}

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/opportunities/{id}/offer", get(get_api).put(put_api).delete(delete_api))
}

fn typed_input(me: &SignedIn) -> TypedInput {
    TypedInput { default_currency: me.user.default_currency.clone() }
}

// ---- the form ----

#[derive(Template)]
#[template(path = "offers/form.html")]
struct OfferForm {
    chrome: Chrome,
    opportunity: Opportunity,
    draft: OfferDraft,
    errors: FieldErrors,
    /// Whether an offer is recorded already (the form edits it).
    exists: bool,
    /// The status saving moves the opportunity from, when it will move to "offer".
    moves_from: Option<&'static str>,
}

impl OfferForm {
    fn periods(&self) -> &'static [(&'static str, &'static str)] {
        &PayPeriod::OPTIONS
    }
}

fn draft_of(offer: &Offer) -> OfferDraft {
    OfferDraft {
        base_amount: offer.base_amount.map(|n| n.to_string()).unwrap_or_default(),
        base_currency: offer.base_currency.clone(),
        base_period: offer.base_period.to_string(),
        bonus: offer.bonus.clone(),
        equity: offer.equity.clone(),
        benefits: offer.benefits.clone(),
        starts_on: offer.starts_on.clone().unwrap_or_default(),
        decide_by: offer.decide_by.clone().unwrap_or_default(),
    }
}

async fn form_with(
    state: &AppState,
    me: &SignedIn,
    opportunity: Opportunity,
    draft: Option<OfferDraft>,
    errors: FieldErrors,
) -> AppResult<OfferForm> {
    let existing = offers::of_opportunity(state.db.pool(), &me.user.id, &opportunity.id).await?;
    let draft = match (draft, &existing) {
        (Some(draft), _) => draft,
        (None, Some(offer)) => draft_of(offer),
        (None, None) => OfferDraft::blank(&opportunity.currency, &typed_input(me)),
    };
    let title = format!("Offer: {} at {}", opportunity.role, opportunity.company);
    Ok(OfferForm {
        chrome: Chrome::new(state, &me.visitor, title, "opportunities"),
        moves_from: moves_to_offer(opportunity.status).then(|| opportunity.status.label()),
        opportunity,
        draft,
        errors,
        exists: existing.is_some(),
    })
}

async fn form_page(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<Response> {
    let opportunity = load_one::<Opportunities>(&state, &me.user.id, &id).await?;
    let page = form_with(&state, &me, opportunity, None, FieldErrors::new()).await?;
    Ok(render(&page)?.into_response())
}

async fn save_html(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(draft): Form<OfferDraft>,
) -> AppResult<Response> {
    match offer_service::save_typed(&state, &me.user.id, &id, &draft, &typed_input(&me)).await {
        Ok(saved) => {
            let notice = if saved.moved_from.is_some() { "offer_saved_moved" } else { "offer_saved" };
            Ok(redirect(&format!("/opportunities/{id}?notice={notice}#offer")))
        }
        Err(ServiceError::Invalid(errors)) => {
            let opportunity = load_one::<Opportunities>(&state, &me.user.id, &id).await?;
            let page = form_with(&state, &me, opportunity, Some(draft), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(err) => Err(err.into()),
    }
}

async fn remove_html(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<Response> {
    offer_service::remove(&state, &me.user.id, &id).await?;
    Ok(redirect(&format!("/opportunities/{id}?notice=offer_removed#offer")))
}

// ---- side by side ----

/// One offer's column in the comparison.
struct OfferColumn {
    id: String,
    company: String,
    role: String,
    status: String,
    status_name: &'static str,
    base: String,
    bonus: String,
    equity: String,
    first_year: String,
    first_year_caveat: String,
    /// The highest first-year estimate among the compared offers in its currency (when at
    /// least two share it): the currency it leads in.
    highest_in: Option<String>,
    starts: String,
    deadline: String,
    /// "in 12 days", "today", "passed".
    decide_in: String,
    benefits: String,
}

/// An open offer, to tick for the comparison.
struct Choice {
    id: String,
    name: String,
    chosen: bool,
}

#[derive(Template)]
#[template(path = "offers/compare.html")]
struct ComparePage {
    chrome: Chrome,
    columns: Vec<OfferColumn>,
    choices: Vec<Choice>,
    /// Only one offer was ticked: the page says two are needed and shows them all.
    too_few_chosen: bool,
    /// How many currencies the compared offers are in (more than one: the page says they are
    /// not converted or added up).
    currencies: usize,
}

/// The offers ticked (`compare=<id>`, repeated), in the order given.
fn chosen_ids(query: Option<&str>) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if key == "compare" && uuid::Uuid::try_parse(&value).is_ok() && !ids.contains(&value.to_string()) {
            ids.push(value.into_owned());
        }
    }
    ids
}

async fn compare_page(
    State(state): State<AppState>,
    me: SignedIn,
    RawQuery(query): RawQuery,
    Query(notice): Query<NoticeQuery>,
) -> AppResult<Response> {
    let open = offers::open_offers(state.db.pool(), &me.user.id).await?;
    let today = crate::services::opportunities::today_for(&state, &me.user).await?.to_string();
    let wanted = chosen_ids(query.as_deref());
    let chosen: Vec<&String> = wanted.iter().filter(|id| open.iter().any(|o| &o.offer.opportunity_id == *id)).collect();
    let too_few_chosen = chosen.len() == 1;
    let shows = |id: &String| chosen.len() < 2 || chosen.contains(&id);
    let choices = open
        .iter()
        .map(|o| Choice {
            id: o.offer.opportunity_id.clone(),
            name: format!("{} at {}", o.role, o.company),
            chosen: chosen.len() >= 2 && chosen.contains(&&o.offer.opportunity_id),
        })
        .collect();
    let shown: Vec<_> = open.into_iter().filter(|o| shows(&o.offer.opportunity_id)).collect();
    // The leader of each currency shared by two or more offers; amounts in different currencies
    // are never compared, converted or added.
    let mut best: HashMap<String, (i64, usize)> = HashMap::new();
    for o in &shown {
        if let Some(cash) = o.offer.first_year() {
            let entry = best.entry(cash.currency).or_insert((i64::MIN, 0));
            entry.0 = entry.0.max(cash.amount);
            entry.1 += 1;
        }
    }
    let currencies = {
        let mut seen: Vec<&str> =
            shown.iter().filter(|o| o.offer.base_amount.is_some()).map(|o| o.offer.base_currency.as_str()).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    };
    let columns = shown
        .into_iter()
        .map(|o| {
            let cash = o.offer.first_year();
            let highest_in = cash.as_ref().and_then(|cash| {
                let (top, count) = best.get(&cash.currency)?;
                (*count >= 2 && cash.amount == *top).then(|| cash.currency.clone())
            });
            OfferColumn {
                id: o.offer.opportunity_id.clone(),
                company: o.company,
                role: o.role,
                status: o.status.to_string(),
                status_name: o.status.label(),
                base: o.offer.base(),
                bonus: o.offer.bonus.clone(),
                equity: o.offer.equity.clone(),
                first_year: cash.as_ref().map(|c| format!("{} {}", grouped(c.amount), c.currency)).unwrap_or_default(),
                first_year_caveat: o.offer.first_year_caveat(),
                highest_in,
                starts: o.offer.starts(),
                deadline: o.offer.deadline(),
                decide_in: o.offer.decide_by.as_deref().and_then(|d| time_to_decide(d, &today)).unwrap_or_default(),
                benefits: o.offer.benefits.clone(),
            }
        })
        .collect::<Vec<_>>();
    let chrome = Chrome::new(&state, &me.visitor, "Offers side by side", "offers").with_notice(notice.notice());
    let page = ComparePage { chrome, columns, choices, too_few_chosen, currencies };
    Ok(render(&page)?.into_response())
}

// ---- the API ----

async fn get_api(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<Json<Offer>> {
    valid_id(&id)?;
    let offer = offers::of_opportunity(state.db.pool(), &me.user.id, &id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(offer))
}

async fn put_api(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    ApiJson(write): ApiJson<OfferWrite>,
) -> AppResult<Json<Offer>> {
    let saved = offer_service::save(&state, &me.user.id, &id, &OfferDraft::from_write(write)).await?;
    Ok(Json(saved.offer))
}

async fn delete_api(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> AppResult<StatusCode> {
    offer_service::remove(&state, &me.user.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_offers_to_compare_are_read_from_repeated_fields() {
        let a = "0b9d7a43-6c55-4b1e-8d7b-3f1f1c1e2a10";
        let b = "6f1d2c3b-4a59-4e8f-9a0b-1c2d3e4f5a6b";
        let query = format!("compare={a}&compare=nonsense&other={b}&compare={b}&compare={a}");
        assert_eq!(super::chosen_ids(Some(&query)), vec![a.to_owned(), b.to_owned()]);
        assert!(super::chosen_ids(None).is_empty());
    }
}
