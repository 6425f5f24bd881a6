//! Properties of [`super::safe_next`]: where a sign-in may send the browser next.

use super::safe_next;
use crate::testing::{proptest_config, user_text};
use proptest::prelude::*;

proptest! {
    #![proptest_config(proptest_config(256))]

    /// Whatever `next` says, the browser stays on this site: the answer resolves against the
    /// site's address to a page of the same origin, as a browser would read it.
    #[test]
    fn next_is_always_a_page_of_this_site(next in prop_oneof![
        "[/\\\\]{0,3}[a-z.:@%]{0,12}[/\\\\?#]{0,2}[ -~]{0,12}",
        "(https?:|javascript:|//|/\\\\|/\t/|/%2F|\\\\)[ -~]{0,20}",
        user_text(),
    ]) {
        let base = url::Url::parse("https://careerlog.example/signin").unwrap();
        let answer = safe_next(&next);
        prop_assert!(answer == next || answer == "/");
        prop_assert!(answer.starts_with('/') && !answer.starts_with("//"), "{answer:?}");
        let target = base.join(answer).unwrap();
        prop_assert_eq!(target.origin(), base.origin(), "{:?} leaves the site", answer);
    }
}
