//! Where the OAuth client keeps what it must remember, sealed (promises 11 and 12): the
//! authorization requests in flight (PKCE verifier, DPoP key; the `oauth_requests` table, ten
//! minutes) and the sessions (tokens and DPoP key; `bluesky_sessions`). Each value is sealed with
//! the instance's field key under a fresh nonce and bound to its row, and the key's id is kept
//! beside it so a key rotation can find what to re-seal.

use std::sync::Arc;
use std::time::Duration;

use atrium_api::types::string::Did;
use atrium_common::store::Store;
use atrium_oauth::store::session::{Session, SessionStore};
use atrium_oauth::store::state::{InternalStateData, StateStore};
use base64::Engine;

use crate::clock::Clock;
use crate::db::{bluesky, Db};
use crate::domain::UserId;
use crate::secrets::{hash_token, DerivedKey};

/// How long an authorization request may wait for its answer (promise 12).
pub const REQUEST_LIFETIME: Duration = Duration::from_secs(10 * 60);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("a stored value could not be opened or read")]
    Unreadable,
    #[error("not supported")]
    Unsupported,
}

/// The sealing key and its id.
#[derive(Clone)]
pub struct Sealer {
    key: DerivedKey,
    key_id: String,
}

impl Sealer {
    pub fn new(key: DerivedKey) -> Self {
        let key_id = key.mac(b"careerlog/key-id")[..8].to_owned();
        Self { key, key_id }
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub fn seal_json<T: serde::Serialize>(&self, value: &T, context: &str) -> String {
        let json = serde_json::to_vec(value).expect("our own types serialise");
        base64::engine::general_purpose::STANDARD.encode(self.key.seal(&json, context.as_bytes()))
    }

    pub fn open_json<T: serde::de::DeserializeOwned>(&self, sealed: &str, context: &str) -> Result<T, StoreError> {
        let bytes = base64::engine::general_purpose::STANDARD.decode(sealed).map_err(|_| StoreError::Unreadable)?;
        let json = self.key.open(&bytes, context.as_bytes()).ok_or(StoreError::Unreadable)?;
        serde_json::from_slice(&json).map_err(|_| StoreError::Unreadable)
    }
}

fn request_context(state_hash: &str) -> String {
    format!("bluesky/oauth-request/{state_hash}")
}

pub fn session_context(did: &str) -> String {
    format!("bluesky/session/{did}")
}

/// The part of a request's own state the store reads: whose it is, so the row goes with the
/// account if it is deleted meanwhile.
#[derive(serde::Deserialize)]
struct Owner {
    #[serde(default)]
    user_id: Option<String>,
}

#[derive(Clone)]
pub struct RequestStore {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub sealer: Sealer,
}

impl Store<String, InternalStateData> for RequestStore {
    type Error = StoreError;

    async fn get(&self, state: &String) -> Result<Option<InternalStateData>, StoreError> {
        let state_hash = hash_token(state);
        let Some(payload) = bluesky::find_request(self.db.pool(), &state_hash, self.clock.now()).await? else {
            return Ok(None);
        };
        let sealed = payload.split_once('.').map(|(_, s)| s).ok_or(StoreError::Unreadable)?;
        self.sealer.open_json(sealed, &request_context(&state_hash)).map(Some)
    }

    async fn set(&self, state: String, value: InternalStateData) -> Result<(), StoreError> {
        let state_hash = hash_token(&state);
        let owner = value
            .app_state
            .as_deref()
            .and_then(|s| serde_json::from_str::<Owner>(s).ok())
            .and_then(|o| o.user_id)
            .map(UserId::from);
        let payload =
            format!("{}.{}", self.sealer.key_id(), self.sealer.seal_json(&value, &request_context(&state_hash)));
        let now = self.clock.now();
        bluesky::insert_request(self.db.pool(), &state_hash, owner.as_ref(), &payload, now, now.plus(REQUEST_LIFETIME))
            .await?;
        Ok(())
    }

    async fn del(&self, state: &String) -> Result<(), StoreError> {
        bluesky::delete_request(self.db.pool(), &hash_token(state)).await?;
        Ok(())
    }

    async fn clear(&self) -> Result<(), StoreError> {
        Err(StoreError::Unsupported)
    }
}

impl StateStore for RequestStore {}

#[derive(Clone)]
pub struct SessionRows {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub sealer: Sealer,
}

impl Store<Did, Session> for SessionRows {
    type Error = StoreError;

    async fn get(&self, did: &Did) -> Result<Option<Session>, StoreError> {
        let Some(row) = bluesky::find_session(self.db.pool(), did.as_str()).await? else { return Ok(None) };
        if row.key_id != self.sealer.key_id() {
            return Err(StoreError::Unreadable);
        }
        self.sealer.open_json(&row.sealed, &session_context(did.as_str())).map(Some)
    }

    async fn set(&self, did: Did, session: Session) -> Result<(), StoreError> {
        let sealed = self.sealer.seal_json(&session, &session_context(did.as_str()));
        bluesky::upsert_session(self.db.pool(), did.as_str(), &sealed, self.sealer.key_id(), self.clock.now()).await?;
        Ok(())
    }

    async fn del(&self, did: &Did) -> Result<(), StoreError> {
        bluesky::delete_session(self.db.pool(), did.as_str()).await?;
        Ok(())
    }

    async fn clear(&self) -> Result<(), StoreError> {
        Err(StoreError::Unsupported)
    }
}

impl SessionStore for SessionRows {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::{KeyPurpose, MasterKey};

    /// Promise 11: a token is never kept in clear, each sealing of it differs (a fresh nonce per
    /// write), and a sealed value opens only in its own row.
    #[test]
    fn promise_11_tokens_are_sealed_with_a_fresh_nonce_and_bound_to_their_row() {
        let sealer = Sealer::new(MasterKey::generate().derive(KeyPurpose::FieldEncryption));
        let token = serde_json::json!({ "access_token": "at-1234567890", "refresh_token": "rt-0987654321" });
        let context = session_context("did:plc:alice");
        let first = sealer.seal_json(&token, &context);
        let second = sealer.seal_json(&token, &context);
        assert_ne!(first, second, "two encryptions of one token differ");
        for sealed in [&first, &second] {
            assert!(!sealed.contains("at-1234567890") && !sealed.contains("access_token"));
            let opened: serde_json::Value = sealer.open_json(sealed, &context).unwrap();
            assert_eq!(opened, token);
        }
        assert!(sealer.open_json::<serde_json::Value>(&first, &session_context("did:plc:mallory")).is_err());
        let other = Sealer::new(MasterKey::generate().derive(KeyPurpose::FieldEncryption));
        assert!(other.open_json::<serde_json::Value>(&first, &context).is_err(), "another key cannot open it");
        assert_ne!(sealer.key_id(), other.key_id(), "each key has its own id");
    }
}
