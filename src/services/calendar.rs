//! The private calendar feed: an address with a secret in it, stored only as a hash, that
//! calendar apps subscribe to; replacing or turning it off stops the old address at once.

use crate::db::calendar;
use crate::domain::token::random_token;
use crate::domain::UserId;
use crate::secrets::hash_token;
use crate::services::{Handles, ServiceResult};

/// A feed address just made: its secret (shown once, never again) and whether it replaced one.
pub struct NewFeed {
    pub secret: String,
    pub replaced: bool,
}

/// Turn the feed on, or give it a new address.
pub async fn make_feed(handles: &Handles, user_id: &UserId) -> ServiceResult<NewFeed> {
    let mut tx = handles.db.begin_write().await?;
    let replaced = calendar::created_at(&mut *tx, user_id).await?.is_some();
    let secret = random_token();
    calendar::replace(&mut *tx, user_id, &hash_token(&secret), handles.clock.now()).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user_id, replaced, "calendar feed address made");
    Ok(NewFeed { secret, replaced })
}

/// Turn the feed off: its address answers 404 from now on.
pub async fn turn_off(handles: &Handles, user_id: &UserId) -> ServiceResult<()> {
    if calendar::delete(handles.db.pool(), user_id).await? {
        tracing::info!(user_id = %user_id, "calendar feed turned off");
    }
    Ok(())
}
