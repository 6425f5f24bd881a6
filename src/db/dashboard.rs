//! The job search dashboard's queries: due next actions, the board, the funnel.

use sqlx::{Any, Executor};

use crate::clock::Timestamp;
use crate::db::opportunities::{Opportunity, OPPORTUNITIES};
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

/// Open opportunities with a next action due from `from` to `to` (`YYYY-MM-DD`, both included;
/// an empty `from` has no lower bound), soonest first; by the `opportunities_due` index.
pub async fn due_actions<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    (from, to): (&str, &str),
    limit: i64,
) -> Result<Vec<Opportunity>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {} FROM opportunities t
         WHERE t.user_id = $1 AND t.next_action_due >= $2 AND t.next_action_due <= $3
           AND t.next_action <> '' AND t.status IN ({})
         ORDER BY t.next_action_due, t.id LIMIT $4",
        OPPORTUNITIES.columns,
        open_statuses()
    ))
    .bind(user_id)
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// How many opportunities are in each status.
pub async fn status_counts<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT status, COUNT(*) FROM opportunities WHERE user_id = $1 GROUP BY status")
        .bind(user_id)
        .fetch_all(ex)
        .await
}

/// The most recently changed opportunities in one status.
pub async fn in_status<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    status: OpportunityStatus,
    limit: i64,
) -> Result<Vec<Opportunity>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {} FROM opportunities t WHERE t.user_id = $1 AND t.status = $2 ORDER BY {} LIMIT $3",
        OPPORTUNITIES.columns, OPPORTUNITIES.order_by
    ))
    .bind(user_id)
    .bind(status.as_str())
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// How far each opportunity ever got, as `(stage, opportunities)`: 1 applied, 2 screened,
/// 3 interviewed, 4 offered (0: not applied yet). A stage is reached by having been in that
/// status or a later one, or (for interviewed) by an interview that took place by `now`.
pub async fn furthest_stages<'e>(
    ex: impl Executor<'e, Database = Any>,
    user_id: &UserId,
    now: Timestamp,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    // Both halves are kept on the opportunity as it changes (`reached_stage`,
    // `first_interview_at`), so this reads one index rather than the whole history.
    sqlx::query_as(
        "SELECT CASE WHEN reached_stage < 3 AND first_interview_at <= $2 THEN 3 ELSE reached_stage END AS reached,
                COUNT(*)
         FROM opportunities WHERE user_id = $1 GROUP BY 1",
    )
    .bind(user_id)
    .bind(now)
    .fetch_all(ex)
    .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_open_statuses_are_the_ones_before_a_decision() {
        assert_eq!(super::open_statuses(), "'saved', 'applied', 'screening', 'interviewing', 'offer'");
    }
}
