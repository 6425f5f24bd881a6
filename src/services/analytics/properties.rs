//! Properties of what analytics reads from a request: the referrer and the user agent.

use super::{clean_referrer, is_bot, is_prefetch, referrer_host};
use crate::testing::{proptest_config, user_text};
use proptest::prelude::*;

fn referrer() -> impl Strategy<Value = String> {
    prop_oneof![
        "(https?|ftp|javascript|data)://([a-z]+(:[a-z]*)?@)?(www\\.)?[a-zA-Z0-9.-]{1,20}(:[0-9]{1,5})?(/[!-~]{0,40})?([?][!-~]{0,20})?(#[!-~]{0,10})?",
        "https://careerlog\\.example(/[!-~]{0,20})?",
        user_text(),
        "https?://[^ ]{0,400}",
    ]
}

proptest! {
    #![proptest_config(proptest_config(256))]

    /// A stored referrer is an outside http(s) address without query, fragment or user
    /// information (which may carry someone's tokens), at most 300 characters.
    #[test]
    fn a_referrer_is_stored_without_anything_personal(raw in referrer()) {
        let base = url::Url::parse("https://careerlog.example").unwrap();
        if let Some(clean) = clean_referrer(Some(&raw), &base) {
            prop_assert!(clean.chars().count() <= 300);
            prop_assert!(clean.starts_with("http://") || clean.starts_with("https://"), "{clean}");
            prop_assert!(!clean.contains('?') && !clean.contains('#'), "{clean}");
            let authority = clean.split('/').nth(2).unwrap_or_default();
            prop_assert!(!authority.contains('@'), "{clean}");
            let host = referrer_host(&clean);
            prop_assert_ne!(host.as_deref(), Some("careerlog.example"));
        }
        let _ = referrer_host(&raw);
    }

    #[test]
    fn an_agent_without_a_browser_name_is_a_bot(agent in prop_oneof![
        user_text(),
        "Mozilla/5\\.0 \\([ -~]{0,40}\\)[ -~]{0,40}",
        "[ -~]{0,20}(bot|crawler|spider|curl|Headless)[ -~]{0,20}",
    ]) {
        let bot = is_bot(&agent);
        if agent.trim().is_empty() || !agent.to_ascii_lowercase().contains("mozilla/") {
            prop_assert!(bot, "{agent:?}");
        }
        let _ = is_prefetch(|name| (name == "sec-purpose").then_some(agent.as_str()));
    }
}
