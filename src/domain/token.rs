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

#[cfg(test)]
mod properties {
    use super::*;
    use crate::testing::{proptest_config, user_text};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(proptest_config(256))]

        #[test]
        fn every_token_we_make_looks_like_one(bytes in any::<[u8; 32]>(), other in user_text()) {
            prop_assert!(looks_like_token(&encode(&bytes)));
            if looks_like_token(&other) {
                // The shape check admits only the shape `encode` makes: 43 URL-safe characters.
                prop_assert_eq!(other.len(), 43);
                prop_assert!(other.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            }
        }
    }

    #[test]
    fn a_random_token_looks_like_one() {
        assert!(looks_like_token(&random_token()));
    }
}
