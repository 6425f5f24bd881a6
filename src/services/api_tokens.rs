//! Personal access tokens for the JSON API: created from Settings → API tokens or with
//! `careerlog admin create-token`, shown once, stored only as a hash.

use crate::clock::Timestamp;
use crate::db::{api_tokens, Db};
use crate::domain::token::{random_token, API_TOKEN_PREFIX};
use crate::domain::UserId;
use crate::secrets::hash_token;
use crate::services::{ServiceError, ServiceResult};

pub const TOKEN_NAME_MAX: usize = 100;

/// A token's name as the user gives it: trimmed, one line, at most [`TOKEN_NAME_MAX`] characters.
pub fn parse_token_name(input: &str) -> Result<String, String> {
    let name = input.trim();
    if name.is_empty() {
        return Err("Give the token a name, such as the program that will use it.".into());
    }
    if name.chars().count() > TOKEN_NAME_MAX {
        return Err(format!("A token name has at most {TOKEN_NAME_MAX} characters."));
    }
    if name.chars().any(char::is_control) {
        return Err("A token name cannot contain control characters.".into());
    }
    Ok(name.to_owned())
}

/// Create a token for the user and answer it (`clg_…`): the only time it exists in the clear.
/// A bad name or one token too many comes back as [`ServiceError::Invalid`] on `name`.
pub async fn create(db: &Db, user_id: &UserId, name: &str, now: Timestamp) -> ServiceResult<String> {
    let name = parse_token_name(name).map_err(|message| ServiceError::field("name", message))?;
    if api_tokens::count_for_user(db.pool(), user_id).await? >= api_tokens::MAX_PER_USER {
        let message =
            format!("You have {} tokens, the most allowed. Revoke one you no longer use.", api_tokens::MAX_PER_USER);
        return Err(ServiceError::field("name", message));
    }
    let secret = random_token();
    let token = format!("{API_TOKEN_PREFIX}{secret}");
    api_tokens::insert(db.pool(), user_id, &name, &hash_token(&token), &secret[..6], now).await?;
    tracing::info!(user_id = %user_id, "API token created");
    Ok(token)
}

/// Revoke one of the user's tokens: it stops working at once.
pub async fn revoke(db: &Db, user_id: &UserId, id: &str) -> ServiceResult<()> {
    crate::services::records::valid_id(id)?;
    if !api_tokens::delete(db.pool(), user_id, id).await? {
        return Err(ServiceError::NotFound);
    }
    tracing::info!(user_id = %user_id, "API token revoked");
    Ok(())
}
