//! Stored page views, daily salts, and the daily figures raw views are rolled up into.

use std::collections::HashMap;

use sqlx::{Any, AnyConnection, Executor};

use crate::clock::Timestamp;
use crate::db::new_id;
use crate::domain::UserId;

pub struct NewView {
    pub owner_id: UserId,
    pub kind: &'static str,
    pub path: String,
    pub visitor_hash: String,
    pub user_agent: String,
    pub referrer: Option<String>,
    pub referrer_host: Option<String>,
    pub day: String,
    pub at: Timestamp,
}

pub async fn insert(conn: &mut AnyConnection, view: &NewView) -> Result<(), sqlx::Error> {
    // An owner who deleted their account a moment ago simply gets no row (no batch is lost).
    sqlx::query(
        "INSERT INTO page_views (id, owner_id, content_kind, path, visitor_hash, user_agent, referrer, referrer_host,
             day, viewed_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 WHERE EXISTS (SELECT 1 FROM users WHERE id = $2)",
    )
    .bind(new_id())
    .bind(&view.owner_id)
    .bind(view.kind)
    .bind(&view.path)
    .bind(&view.visitor_hash)
    .bind(view.user_agent.chars().take(500).collect::<String>())
    .bind(view.referrer.as_deref())
    .bind(view.referrer_host.as_deref())
    .bind(&view.day)
    .bind(view.at)
    .execute(conn)
    .await?;
    Ok(())
}

/// What is already stored of one visitor's views of one owner's pages on one day.
pub struct VisitorDay {
    pub views: i64,
    /// When each page was last counted.
    pub last_seen: HashMap<String, Timestamp>,
}

/// The views stored for `visitor_hash` of `owner_id`'s pages on `day` (index page_views_visitor).
pub async fn visitor_day(
    conn: &mut AnyConnection,
    owner_id: &UserId,
    visitor_hash: &str,
    day: &str,
) -> Result<VisitorDay, sqlx::Error> {
    let pages: Vec<(String, i64, Timestamp)> = sqlx::query_as(
        "SELECT path, COUNT(*), MAX(viewed_at) FROM page_views
         WHERE owner_id = $1 AND visitor_hash = $2 AND day = $3 GROUP BY path",
    )
    .bind(owner_id)
    .bind(visitor_hash)
    .bind(day)
    .fetch_all(conn)
    .await?;
    Ok(VisitorDay {
        views: pages.iter().map(|(_, views, _)| views).sum(),
        last_seen: pages.into_iter().map(|(path, _, at)| (path, at)).collect(),
    })
}

/// The salt of `day`: `fresh` if the day had none yet, else the one already chosen.
pub async fn salt_for_day<'e, E>(ex: E, day: &str, fresh: &str) -> Result<String, sqlx::Error>
where
    E: Executor<'e, Database = Any> + Copy,
{
    sqlx::query("INSERT INTO analytics_salts (day, salt) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING")
        .bind(day)
        .bind(fresh)
        .execute(ex)
        .await?;
    sqlx::query_scalar("SELECT salt FROM analytics_salts WHERE day = $1").bind(day).fetch_one(ex).await
}

/// The salt of `day`, if it has one.
pub async fn existing_salt<'e>(
    ex: impl Executor<'e, Database = Any>,
    day: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT salt FROM analytics_salts WHERE day = $1").bind(day).fetch_optional(ex).await
}

/// Forget the salts of days before `today`: their hashes can no longer be linked to anyone.
pub async fn delete_old_salts<'e>(ex: impl Executor<'e, Database = Any>, today: &str) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM analytics_salts WHERE day < $1").bind(today).execute(ex).await?.rows_affected())
}

/// Turn raw views of days before `before_day` into daily figures, and delete them.
pub async fn roll_up(conn: &mut AnyConnection, before_day: &str) -> Result<u64, sqlx::Error> {
    let due: Option<i64> = sqlx::query_scalar("SELECT 1 FROM page_views WHERE day < $1 LIMIT 1")
        .bind(before_day)
        .fetch_optional(&mut *conn)
        .await?;
    if due.is_none() {
        return Ok(0);
    }
    let groups = [("total", "''"), ("kind", "content_kind"), ("page", "path"), ("referrer", "referrer_host")];
    for (dimension, column) in groups {
        // A constant is not a grouping column (PostgreSQL refuses `GROUP BY ''`).
        let group = if dimension == "total" { String::new() } else { format!(", {column}") };
        sqlx::query(&format!(
            "INSERT INTO page_view_days (owner_id, day, dimension, value, views, visitors)
             SELECT owner_id, day, '{dimension}', {column}, COUNT(*), COUNT(DISTINCT visitor_hash)
             FROM page_views WHERE day < $1 AND {column} IS NOT NULL
             GROUP BY owner_id, day{group}
             ON CONFLICT (owner_id, day, dimension, value)
             DO UPDATE SET views = page_view_days.views + excluded.views,
                           visitors = page_view_days.visitors + excluded.visitors"
        ))
        .bind(before_day)
        .execute(&mut *conn)
        .await?;
    }
    Ok(sqlx::query("DELETE FROM page_views WHERE day < $1").bind(before_day).execute(&mut *conn).await?.rows_affected())
}

/// Views and visitors per day since `since_day`, raw and rolled-up together.
pub async fn daily<'e, E>(ex: E, owner_id: &UserId, since_day: &str) -> Result<HashMap<String, (i64, i64)>, sqlx::Error>
where
    E: Executor<'e, Database = Any> + Copy,
{
    let mut days: HashMap<String, (i64, i64)> = HashMap::new();
    let raw: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT day, COUNT(*), COUNT(DISTINCT visitor_hash) FROM page_views
         WHERE owner_id = $1 AND day >= $2 GROUP BY day",
    )
    .bind(owner_id)
    .bind(since_day)
    .fetch_all(ex)
    .await?;
    let rolled: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT day, views, visitors FROM page_view_days
         WHERE owner_id = $1 AND day >= $2 AND dimension = 'total'",
    )
    .bind(owner_id)
    .bind(since_day)
    .fetch_all(ex)
    .await?;
    for (day, views, visitors) in raw.into_iter().chain(rolled) {
        let entry = days.entry(day).or_default();
        entry.0 += views;
        entry.1 += visitors;
    }
    Ok(days)
}

/// Views by one dimension (`kind`, `page`, `referrer`) since `since_day`, largest first.
pub async fn top<'e, E>(
    ex: E,
    owner_id: &UserId,
    since_day: &str,
    dimension: &str,
    limit: usize,
) -> Result<Vec<(String, i64)>, sqlx::Error>
where
    E: Executor<'e, Database = Any> + Copy,
{
    let column = match dimension {
        "kind" => "content_kind",
        "page" => "path",
        "referrer" => "referrer_host",
        _ => return Ok(Vec::new()),
    };
    let raw: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT {column}, COUNT(*) FROM page_views
         WHERE owner_id = $1 AND day >= $2 AND {column} IS NOT NULL GROUP BY {column}"
    ))
    .bind(owner_id)
    .bind(since_day)
    .fetch_all(ex)
    .await?;
    let rolled: Vec<(String, i64)> = sqlx::query_as(
        "SELECT value, CAST(SUM(views) AS BIGINT) FROM page_view_days
         WHERE owner_id = $1 AND day >= $2 AND dimension = $3 GROUP BY value",
    )
    .bind(owner_id)
    .bind(since_day)
    .bind(dimension)
    .fetch_all(ex)
    .await?;
    let mut totals: HashMap<String, i64> = HashMap::new();
    for (value, views) in raw.into_iter().chain(rolled) {
        *totals.entry(value).or_default() += views;
    }
    let mut sorted: Vec<(String, i64)> = totals.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    sorted.truncate(limit);
    Ok(sorted)
}
