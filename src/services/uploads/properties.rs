//! Properties of [`super::safe_file_name`]: whatever name a browser sends with an upload.

use super::safe_file_name;
use crate::testing::{proptest_config, user_text};
use proptest::prelude::*;

proptest! {
    #![proptest_config(proptest_config(256))]

    /// What its doc comment promises: the last path part, ASCII letters, digits, dot, dash
    /// and underscore only, at most 80 characters; never a name that means a directory.
    #[test]
    fn a_safe_file_name_has_only_its_characters(name in prop_oneof![
        "([A-Za-z]:)?([/\\\\]?[A-Za-z0-9 ._-]{0,12}){0,4}",
        "[./\\\\_]{0,6}[a-z]{0,3}[./\\\\_]{0,6}",
        user_text(),
    ]) {
        let safe = safe_file_name(&name);
        prop_assert!(!safe.is_empty() && safe.len() <= 80, "{safe:?}");
        prop_assert!(safe.bytes().all(|b| b.is_ascii_alphanumeric() || b".-_".contains(&b)), "{safe:?}");
        prop_assert!(safe != "." && safe != ".." && !safe.starts_with('.'), "{safe:?}");
        prop_assert_eq!(safe_file_name(&safe), safe.clone(), "a safe name stays as it is");
        let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
        if !last.is_empty() && last.len() <= 80 && last.bytes().all(|b| b.is_ascii_alphanumeric() || b"-".contains(&b)) {
            prop_assert_eq!(safe, last, "a plain name is kept");
        }
    }
}
