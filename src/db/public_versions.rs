//! How many times what each owner's public pages show has changed: the counts the render cache
//! checks its pages against. Triggers keep them (see the `public_page_versions` migrations), so
//! nothing here writes.

use std::collections::HashMap;

use sqlx::{Any, Executor};

use crate::domain::UserId;

/// The row counting the changes to what the sitemap lists.
pub const SITEMAP: &str = "*";

/// The owner of `username`'s pages and their count, read before anything the page shows.
pub async fn of_username<'e>(
    ex: impl Executor<'e, Database = Any>,
    username: &str,
) -> Result<Option<(UserId, i64)>, sqlx::Error> {
    let row: Option<(String, Option<i64>)> = sqlx::query_as(
        "SELECT p.user_id, v.version FROM profiles p LEFT JOIN public_page_versions v ON v.user_id = p.user_id
         WHERE p.username = $1",
    )
    .bind(username.to_ascii_lowercase())
    .fetch_optional(ex)
    .await?;
    Ok(row.map(|(user_id, version)| (UserId::from(user_id), version.unwrap_or(0))))
}

/// The counts of these owners (and of the sitemap, as [`SITEMAP`]), in one query. An owner
/// without a row is missing from the answer: their count is 0.
pub async fn current<'e>(
    ex: impl Executor<'e, Database = Any>,
    keys: &[&str],
) -> Result<HashMap<String, i64>, sqlx::Error> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders: Vec<String> = (1..=keys.len()).map(|n| format!("${n}")).collect();
    let sql =
        format!("SELECT user_id, version FROM public_page_versions WHERE user_id IN ({})", placeholders.join(", "));
    let mut query = sqlx::query_as::<_, (String, i64)>(&sql);
    for key in keys {
        query = query.bind(*key);
    }
    Ok(query.fetch_all(ex).await?.into_iter().collect())
}
