//! The job search dashboard's queries: the board and the funnel (its tasks are `db::tasks`).

use sqlx::{Any, Executor, FromRow};

use crate::clock::Timestamp;
use crate::db::opportunities::next_action_columns;
use crate::domain::fields::human_date;
use crate::domain::opportunities::OpportunityStatus;
use crate::domain::UserId;

/// The statuses where the search goes on, as an SQL list (`'saved', 'applied', …`); the
/// others are settled.
pub fn open_statuses() -> &'static str {
    static OPEN: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let open = OpportunityStatus::ALL.iter().filter(|status| status.is_open());
        open.map(|status| format!("'{status}'")).collect::<Vec<_>>().join(", ")
    });
    &OPEN
}

// The SQL of the dashboard's queries is public so that the tests can EXPLAIN it on both
// databases: each reads one index range of the user's rows, none the whole table.

/// `$1` the owner.
pub const STATUS_COUNTS_SQL: &str = "SELECT status, COUNT(*) FROM opportunities WHERE user_id = $1 GROUP BY status";

/// `$1` the owner; each status with how many of its cards to read.
pub fn board_cards_sql(columns: &[(OpportunityStatus, i64)]) -> String {
    // A status's key is one of our own words, and a count a number, so they may be written in.
    let parts: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, (status, cards))| {
            format!(
                "SELECT * FROM (SELECT t.id, t.company, t.role, t.status, {} \
                 FROM opportunities t WHERE t.user_id = $1 AND t.status = '{status}' \
                 ORDER BY t.updated_at DESC, t.id DESC LIMIT {cards}) column_{i}",
                next_action_columns!()
            )
        })
        .collect();
    parts.join(" UNION ALL ")
}

/// `$1` the owner, `$2` now: for each furthest stage an opportunity's status reached, how many
/// opportunities, and how many of them had an interview by now. Both are kept on the opportunity
/// as it changes (`reached_stage`, `first_interview_at`), and grouped in the order of the
/// `opportunities_funnel` index, so this reads that index once and sorts nothing.
pub const FURTHEST_STAGES_SQL: &str =
    "SELECT reached_stage, SUM(CASE WHEN first_interview_at <= $2 THEN 1 ELSE 0 END), COUNT(*)
     FROM opportunities WHERE user_id = $1 GROUP BY reached_stage";

/// How many opportunities are in each status: counted in the `opportunities_status_recent`
/// index, without reading a row.
pub async fn status_counts<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(STATUS_COUNTS_SQL).bind(user_id).fetch_all(ex).await
}

/// An opportunity as a card on the board shows it.
#[derive(Debug, Clone, FromRow)]
pub struct Card {
    pub id: String,
    pub company: String,
    pub role: String,
    #[sqlx(try_from = "String")]
    pub status: OpportunityStatus,
    /// Its first open task, as [`crate::db::opportunities::Opportunity::next_action`].
    pub next_action: String,
    pub next_action_due: Option<String>,
}

impl Card {
    pub fn due(&self) -> String {
        self.next_action_due.as_deref().map(human_date).unwrap_or_default()
    }
}

/// The board's cards: in each status, its most recently changed (as many as asked for), newest
/// first. One query, each status's part one seek into the `opportunities_status_recent` index
/// that stops after that many entries, however many opportunities there are.
pub async fn board_cards<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    columns: &[(OpportunityStatus, i64)],
) -> Result<Vec<Card>, sqlx::Error> {
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as(&board_cards_sql(columns)).bind(user_id).fetch_all(ex).await
}

/// How far each opportunity ever got, as `(stage, opportunities)`: 1 applied, 2 screened,
/// 3 interviewed, 4 offered (0: not applied yet). A stage is reached by having been in that
/// status or a later one, or (for interviewed) by an interview that took place by `now`.
pub async fn furthest_stages<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    now: Timestamp,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let by_status: Vec<(i64, i64, i64)> =
        sqlx::query_as(FURTHEST_STAGES_SQL).bind(user_id).bind(now).fetch_all(ex).await?;
    // An interview that took place counts as having got that far (3) when the status did not.
    let mut furthest: Vec<(i64, i64)> = Vec::new();
    let mut add = |stage: i64, count: i64| match furthest.iter_mut().find(|(s, _)| *s == stage) {
        Some((_, n)) => *n += count,
        None => furthest.push((stage, count)),
    };
    for (stage, interviewed, count) in by_status {
        if stage < 3 {
            add(3, interviewed);
            add(stage, count - interviewed);
        } else {
            add(stage, count);
        }
    }
    furthest.retain(|(_, count)| *count > 0);
    Ok(furthest)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_open_statuses_are_the_ones_before_a_decision() {
        assert_eq!(super::open_statuses(), "'saved', 'applied', 'screening', 'interviewing', 'offer'");
    }
}
