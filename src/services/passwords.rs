//! Argon2id password hashing, off the async runtime and capped in concurrency: each hash takes
//! ~19 MiB and most of a core, so a burst of sign-ins must queue rather than exhaust the machine.

use std::sync::Arc;

use anyhow::Context;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::{OnceCell, Semaphore};

use crate::domain::Password;

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// A hash of nothing anybody knows, checked when the account does not exist so that
    /// "no such account" takes as long as "wrong password".
    decoy: Arc<OnceCell<String>>,
}

/// OWASP's recommended minimum for Argon2id: m = 19 MiB, t = 2, p = 1.
fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(19_456, 2, 1, None).expect("valid Argon2 parameters"))
}

impl PasswordHasher {
    pub fn new(concurrency: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(concurrency.max(1))), decoy: Arc::new(OnceCell::new()) }
    }

    pub async fn hash(&self, password: &Password) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        let password = password.expose().to_owned();
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon2()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
        })
        .await
        .context("hashing task")?
    }

    /// Check `password` against `stored` (a PHC string). With no stored hash, the decoy is checked
    /// and the answer is always false.
    pub async fn verify(&self, password: &Password, stored: Option<&str>) -> anyhow::Result<bool> {
        let (stored, real) = match stored {
            Some(hash) => (hash.to_owned(), true),
            None => (self.decoy().await?, false),
        };
        let _permit = self.permits.acquire().await.context("hasher closed")?;
        let password = password.expose().to_owned();
        let matches = tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
            Ok::<bool, anyhow::Error>(argon2().verify_password(password.as_bytes(), &parsed).is_ok())
        })
        .await
        .context("verification task")??;
        Ok(matches && real)
    }

    async fn decoy(&self) -> anyhow::Result<String> {
        self.decoy
            .get_or_try_init(|| async {
                let random = crate::domain::token::random_token();
                let decoy = Password::parse_attempt(&random).expect("a random token is a valid attempt");
                self.hash(&decoy).await
            })
            .await
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let hasher = PasswordHasher::new(2);
        let password = Password::parse_attempt("maple orbit lantern quietly").unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(!hash.contains("maple"));
        assert!(hasher.verify(&password, Some(&hash)).await.unwrap());
        let wrong = Password::parse_attempt("maple orbit lantern loudly").unwrap();
        assert!(!hasher.verify(&wrong, Some(&hash)).await.unwrap());
        assert!(!hasher.verify(&password, None).await.unwrap());
    }
}
