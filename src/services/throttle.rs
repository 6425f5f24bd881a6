//! Rate limits that hold across instances because they live in the database: sign-in attempts
//! per account and per client, mails per address (so nobody can flood an inbox through us), mail
//! requests and sign-ups per client. Bucket keys are keyed hashes; neither client addresses nor
//! email addresses are stored.
//!
//! Attempts are counted *before* the work they guard (one atomic upsert), so a burst of parallel
//! requests cannot all slip past a check made before any of them was counted.

use std::net::IpAddr;

use crate::clock::Timestamp;
use crate::db::throttle;
use crate::domain::Email;
use crate::services::{Handles, ServiceError};

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub max_hits: i64,
    pub window_ms: i64,
}

const MINUTE: i64 = 60_000;

/// Failed sign-ins for one account: generous for a person who mistypes, hopeless for guessing.
pub const SIGN_IN_PER_ACCOUNT: Policy = Policy { max_hits: 10, window_ms: 15 * MINUTE };
/// Failed sign-ins from one client, across accounts (credential stuffing).
pub const SIGN_IN_PER_CLIENT: Policy = Policy { max_hits: 50, window_ms: 15 * MINUTE };
/// Verification and reset mails to one address.
pub const MAIL_PER_ADDRESS: Policy = Policy { max_hits: 5, window_ms: 60 * MINUTE };
/// "Send me a link" requests from one client, whatever the addresses.
pub const MAIL_REQUESTS_PER_CLIENT: Policy = Policy { max_hits: 20, window_ms: 60 * MINUTE };
/// Sign-ins started at an OpenID Connect provider from one client (each keeps a row for ten
/// minutes).
pub const PROVIDER_STARTS_PER_CLIENT: Policy = Policy { max_hits: 60, window_ms: 15 * MINUTE };
/// New accounts from one client.
pub const SIGN_UP_PER_CLIENT: Policy = Policy { max_hits: 20, window_ms: 60 * MINUTE };

/// The longest window of any policy: older buckets can be deleted.
pub const LONGEST_WINDOW_MS: i64 = 60 * MINUTE;

pub fn account_bucket(state: &Handles, email: &Email) -> String {
    format!("signin-account:{}", state.throttle_key.mac(email.as_str().as_bytes()))
}

/// A client's bucket.
pub fn client_bucket(state: &Handles, kind: &str, client: IpAddr) -> String {
    format!("{kind}-client:{}", state.throttle_key.mac(client_network(client).as_bytes()))
}

/// What stands for one client: its IPv4 address, or its IPv6 /64, since one household or phone
/// usually controls a whole /64 and could otherwise be thousands of clients.
pub fn client_network(client: IpAddr) -> String {
    match client.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

pub fn mail_bucket(state: &Handles, email: &str) -> String {
    format!("mail:{}", state.throttle_key.mac(email.as_bytes()))
}

/// Count an attempt in `bucket`; refuse it (with a message naming the wait) when the bucket is
/// over its limit.
pub async fn take(
    state: &Handles,
    bucket: &str,
    policy: Policy,
    message: impl FnOnce(u64) -> String,
) -> Result<(), ServiceError> {
    let now = state.clock.now();
    let (hits, started) = throttle::hit(state.db.pool(), bucket, now, policy.window_ms).await?;
    if hits > policy.max_hits {
        let retry_after_secs = retry_after(started, policy, now);
        return Err(ServiceError::RateLimited { retry_after_secs, message: message(retry_after_secs.div_ceil(60)) });
    }
    Ok(())
}

/// Count a hit. Returns true while the bucket is still within its limit (this hit included).
pub async fn hit(state: &Handles, bucket: &str, policy: Policy) -> Result<bool, ServiceError> {
    let (hits, _) = throttle::hit(state.db.pool(), bucket, state.clock.now(), policy.window_ms).await?;
    Ok(hits <= policy.max_hits)
}

/// Take back an attempt counted up front that turned out fine (a successful sign-in).
pub async fn give_back(state: &Handles, bucket: &str) -> Result<(), ServiceError> {
    throttle::give_back(state.db.pool(), bucket).await?;
    Ok(())
}

pub async fn clear(state: &Handles, bucket: &str) -> Result<(), ServiceError> {
    throttle::clear(state.db.pool(), bucket).await?;
    Ok(())
}

fn retry_after(window_started: Timestamp, policy: Policy, now: Timestamp) -> u64 {
    ((window_started.0 + policy.window_ms - now.0).max(1000) / 1000) as u64
}

pub fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
