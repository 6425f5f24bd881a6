//! What the library's own tests share: the property tests' configuration and the kinds of text
//! they feed the parsers.
//!
//! Every property runs a modest number of cases in `cargo test`, so the suite stays quick. A
//! longer run sets `CAREERLOG_PROPTEST_CASES` (say 5000): each property then runs that many
//! cases, and the slow ones (image decoding, whole calendars) a proportional share. Failures are
//! not written to files: a case a property finds is kept as an ordinary unit test beside it.

use proptest::prelude::*;
use proptest::test_runner::Config;

/// The cases an ordinary property runs when `CAREERLOG_PROPTEST_CASES` is not set.
pub const DEFAULT_CASES: u32 = 128;

/// The configuration of a property that runs `default_cases` in an ordinary test run. With
/// `CAREERLOG_PROPTEST_CASES=n`, it runs `n × default_cases / DEFAULT_CASES` (at least one).
pub fn proptest_config(default_cases: u32) -> Config {
    let cases = match std::env::var("CAREERLOG_PROPTEST_CASES").ok().and_then(|n| n.trim().parse::<u64>().ok()) {
        Some(n) => (n * u64::from(default_cases) / u64::from(DEFAULT_CASES)).clamp(1, u64::from(u32::MAX)) as u32,
        None => default_cases,
    };
    Config {
        cases,
        // Regressions are kept as unit tests, not as files beside the sources.
        failure_persistence: None,
        ..Config::default()
    }
}

/// Characters that parsers treat specially, or that break code which counts bytes as
/// characters: separators, quotes, markup, line breaks and other controls, multi-byte letters,
/// a combining mark, a zero-width joiner, a right-to-left override, an emoji, a BOM.
const AWKWARD: &[char] = &[
    ' ', '\t', '\n', '\r', '\0', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}', '\u{a0}', '\u{2028}', ',', ';', ':',
    '-', '_', '.', '/', '\\', '@', '#', '%', '&', '?', '=', '+', '<', '>', '"', '\'', '`', '*', '[', ']', '(', ')',
    '!', '|', '~', 'é', 'ß', 'İ', 'Σ', 'K', 'ǅ', '€', '中', '\u{301}', '\u{200d}', '\u{202e}', '\u{feff}', '🦀', '🎉',
];

/// One awkward character, or any character at all.
pub fn awkward_char() -> impl Strategy<Value = char> {
    prop_oneof![3 => proptest::sample::select(AWKWARD), 2 => proptest::char::range('a', 'z'), 1 => any::<char>()]
}

/// Text of up to `max` characters, mostly awkward ones.
pub fn awkward_text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(awkward_char(), 0..=max).prop_map(|chars| chars.into_iter().collect())
}

/// What a user might send in a text field: printable ASCII, awkward text, or any string.
pub fn user_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,60}",
        awkward_text(60),
        any::<String>(),
        // Now and then something long, to reach the length limits.
        awkward_text(400),
    ]
}

/// `text` with the letter case of each ASCII letter chosen at random and space around it.
pub fn respelled(text: &'static str) -> impl Strategy<Value = String> {
    (proptest::collection::vec(any::<bool>(), text.len()), "[ \t]{0,2}", "[ \t\n]{0,2}").prop_map(
        move |(upper, before, after)| {
            let word: String = text
                .chars()
                .zip(upper)
                .map(|(c, up)| if up { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
                .collect();
            format!("{before}{word}{after}")
        },
    )
}

/// Text shaped like a date (`2021`, `2021-03`, `2021-03-15`, near misses), so that most cases
/// get past a date parser's first check; now and then any text.
pub fn date_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9-]{0,12}",
        (1890..2110i32, 0..14u32, 0..33u32, 0..3usize).prop_map(|(y, m, d, parts)| match parts {
            0 => format!("{y}"),
            1 => format!("{y}-{m:02}"),
            _ => format!("{y}-{m:02}-{d:02}"),
        }),
        (1890..2110i32, 0..14u32, 0..33u32, "[ T-]", "[ \\t]{0,2}")
            .prop_map(|(y, m, d, sep, space)| { format!("{space}{y}{sep}{m}-{d}{space}") }),
        user_text(),
    ]
}

/// Strings the pattern of a JSON Schema accepts (its `^` and `$` anchors left out, which the
/// generator does not take).
pub fn matching(pattern: &str) -> impl Strategy<Value = String> {
    let unanchored = pattern.trim_start_matches('^').trim_end_matches('$');
    proptest::string::string_regex(unanchored).expect("a pattern proptest can generate from")
}
