//! Offers: one current offer per opportunity (its primary key is the opportunity's id).

use serde::Serialize;
use sqlx::{Any, AnyConnection, Executor, FromRow};
use utoipa::ToSchema;

use crate::clock::Timestamp;
use crate::domain::fields::human_date;
use crate::domain::offers::{first_year_cash, grouped, FirstYearCash, OfferInput, PayPeriod};
use crate::domain::opportunities::OpportunityStatus;
use crate::domain::UserId;

/// The offer an opportunity led to.
#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct Offer {
    #[schema(format = Uuid)]
    pub opportunity_id: String,
    /// The base salary in whole units of `base_currency`, per `base_period`.
    pub base_amount: Option<i64>,
    #[schema(pattern = r"^([A-Z]{3})?$")]
    pub base_currency: String,
    #[sqlx(try_from = "String")]
    #[schema(schema_with = pay_period)]
    pub base_period: PayPeriod,
    pub bonus: String,
    pub equity: String,
    pub benefits: String,
    #[schema(schema_with = crate::domain::schema::day_or_null)]
    pub starts_on: Option<String>,
    #[schema(schema_with = crate::domain::schema::day_or_null)]
    pub decide_by: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

fn pay_period() -> utoipa::openapi::schema::Object {
    crate::domain::schema::choice(PayPeriod::ALL.iter().map(|p| p.as_str()), false, false, "What the base is paid per.")
}

impl Offer {
    /// "95,000 EUR a year", or empty without a base.
    pub fn base(&self) -> String {
        match self.base_amount {
            Some(amount) => format!("{} {} {}", grouped(amount), self.base_currency, self.base_period.label()),
            None => String::new(),
        }
    }
    pub fn first_year(&self) -> Option<FirstYearCash> {
        first_year_cash(self.base_amount, &self.base_currency, self.base_period, &self.bonus)
    }
    /// The first-year estimate as shown: "104,500 EUR", or empty when it cannot be worked out.
    pub fn first_year_text(&self) -> String {
        self.first_year().map(|cash| format!("{} {}", grouped(cash.amount), cash.currency)).unwrap_or_default()
    }
    pub fn first_year_caveat(&self) -> String {
        self.first_year().and_then(|cash| cash.caveat).unwrap_or_default()
    }
    pub fn starts(&self) -> String {
        self.starts_on.as_deref().map(human_date).unwrap_or_default()
    }
    pub fn deadline(&self) -> String {
        self.decide_by.as_deref().map(human_date).unwrap_or_default()
    }
    /// A line for the timeline: what the offer says in short.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let base = self.base();
        if !base.is_empty() {
            parts.push(format!("Base {base}"));
        }
        if !self.bonus.is_empty() {
            parts.push(format!("bonus {}", self.bonus));
        }
        if !self.equity.is_empty() {
            parts.push(format!("equity {}", self.equity));
        }
        if let Some(day) = &self.decide_by {
            parts.push(format!("decide by {day}"));
        }
        parts.join(", ")
    }
}

/// An offer beside its opportunity, for the comparison.
#[derive(Debug, Clone, FromRow)]
pub struct OfferWithOpportunity {
    #[sqlx(flatten)]
    pub offer: Offer,
    pub company: String,
    pub role: String,
    #[sqlx(try_from = "String")]
    pub status: OpportunityStatus,
}

const COLUMNS: &str =
    "o.opportunity_id, o.base_amount, o.base_currency, o.base_period, o.bonus, o.equity, o.benefits, \
                       o.starts_on, o.decide_by, o.created_at, o.updated_at";

/// The opportunity's offer, if it has one (and is the user's).
pub async fn of_opportunity<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    opportunity_id: &str,
) -> Result<Option<Offer>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM offers o WHERE o.user_id = $1 AND o.opportunity_id = $2"))
        .bind(user_id)
        .bind(opportunity_id)
        .fetch_optional(ex)
        .await
}

/// Save the opportunity's offer over the one it had; answers whether there was one before.
pub async fn replace(
    conn: &mut AnyConnection,
    user_id: &UserId,
    opportunity_id: &str,
    input: &OfferInput,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let had: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM offers WHERE user_id = $1 AND opportunity_id = $2")
        .bind(user_id)
        .bind(opportunity_id)
        .fetch_one(&mut *conn)
        .await?;
    // One statement either way: on PostgreSQL two first saves at once would both see no offer,
    // and the second insert would break the key; this way the second replaces the first.
    let sql = "INSERT INTO offers (user_id, opportunity_id, base_amount, base_currency, base_period, bonus, equity,
                benefits, starts_on, decide_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
         ON CONFLICT (opportunity_id) DO UPDATE SET base_amount = $3, base_currency = $4, base_period = $5,
                bonus = $6, equity = $7, benefits = $8, starts_on = $9, decide_by = $10, updated_at = $11
         WHERE offers.user_id = $1";
    sqlx::query(sql)
        .bind(user_id)
        .bind(opportunity_id)
        .bind(input.base_amount)
        .bind(&input.base_currency)
        .bind(input.base_period.as_str())
        .bind(&input.bonus)
        .bind(&input.equity)
        .bind(&input.benefits)
        .bind(input.starts_on.map(|d| d.to_string()))
        .bind(input.decide_by.map(|d| d.to_string()))
        .bind(now)
        .execute(conn)
        .await?;
    Ok(had > 0)
}

/// Remove the opportunity's offer; answers whether it had one.
pub async fn remove(conn: &mut AnyConnection, user_id: &UserId, opportunity_id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM offers WHERE user_id = $1 AND opportunity_id = $2")
        .bind(user_id)
        .bind(opportunity_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The most offers the comparison reads: far more than anyone weighs at once.
pub const COMPARED_MAX: i64 = 50;

/// The user's offers whose opportunity is still open (not rejected, withdrawn or ghosted),
/// the soonest deadline first (those without one last), at most [`COMPARED_MAX`].
pub async fn open_offers<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<Vec<OfferWithOpportunity>, sqlx::Error> {
    let closed: Vec<&str> = OpportunityStatus::ALL
        .iter()
        .filter(|s| !crate::domain::offers::offer_is_open(**s))
        .map(|s| s.as_str())
        .collect();
    let sql = format!(
        "SELECT {COLUMNS}, p.company, p.role, p.status FROM offers o
         JOIN opportunities p ON p.id = o.opportunity_id AND p.user_id = o.user_id
         WHERE o.user_id = $1 AND p.status NOT IN ({})
         ORDER BY CASE WHEN o.decide_by IS NULL THEN 1 ELSE 0 END, o.decide_by, o.updated_at DESC, o.opportunity_id
         LIMIT ${}",
        crate::db::placeholders(2, closed.len()),
        closed.len() + 2
    );
    let mut query = sqlx::query_as::<_, OfferWithOpportunity>(&sql).bind(user_id);
    for status in closed {
        query = query.bind(status);
    }
    query.bind(COMPARED_MAX).fetch_all(ex).await
}
