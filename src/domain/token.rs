//! Random, unguessable tokens for links, sessions and API access.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

/// Prefix of personal access tokens, so they are recognisable in a leaked-secrets scan.
pub const API_TOKEN_PREFIX: &str = "clg_";

/// 32 random bytes from the OS, as URL-safe base64 (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    encode(&bytes)
}

pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Does `candidate` look like one of our tokens? Cheap shape check before any database work.
pub fn looks_like_token(candidate: &str) -> bool {
    candidate.len() == 43 && candidate.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
