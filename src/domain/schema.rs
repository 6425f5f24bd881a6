//! How the API's closed sets and text shapes appear in the OpenAPI document. Each schema is built
//! from the same list validation reads, and the types name them with
//! `#[schema(schema_with = …)]`, so the document cannot drift from what the server accepts.
//!
//! Validation reads a choice case-insensitively and trims it; the document gives the canonical
//! spelling, which is also what the server answers with.

use serde_json::Value;
use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, SchemaFormat, SchemaType, Type};
use utoipa::openapi::KnownFormat;

use crate::domain::career::SkillLevel;
use crate::domain::interviews::{InterviewKind, InterviewOutcome};
use crate::domain::notes::NoteSubject;
use crate::domain::opportunities::{OpportunityStatus, WorkMode};

/// A string that is one of `keys`; with `blank` also `""` (what a record answers when the choice
/// was left empty), with `null` also `null`.
pub fn choice<K: AsRef<str>>(keys: impl IntoIterator<Item = K>, blank: bool, null: bool, description: &str) -> Object {
    let mut values: Vec<Value> = Vec::new();
    if blank {
        values.push(Value::from(""));
    }
    values.extend(keys.into_iter().map(|key| Value::from(key.as_ref())));
    if null {
        values.push(Value::Null);
    }
    ObjectBuilder::new().schema_type(string(null)).enum_values(Some(values)).description(Some(description)).build()
}

fn string(null: bool) -> SchemaType {
    if null {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::new(Type::String)
    }
}

fn patterned(pattern: &str, null: bool, description: &str) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(string(null)).pattern(Some(pattern)).description(Some(description))
}

fn keys(list: &'static [(&'static str, &'static str)]) -> impl Iterator<Item = &'static str> {
    list.iter().map(|(key, _)| *key)
}

// ---- opportunities ----

/// Where an opportunity stands.
pub fn status() -> Object {
    choice(keys(OpportunityStatus::CHOICES), false, false, "Where it stands in the pipeline.")
}

/// A status an event moved from or to; `null` when the event is not a status change.
pub fn event_status() -> Object {
    choice(
        keys(OpportunityStatus::CHOICES),
        false,
        true,
        "The status, for `created` and `status_changed` events; otherwise null.",
    )
}

pub fn status_input() -> Object {
    choice(keys(OpportunityStatus::CHOICES), false, true, "Where it stands; `saved` when left out or `null` on create.")
}

pub fn work_mode() -> Object {
    choice(keys(WorkMode::CHOICES), true, false, "Remote, hybrid or on-site; empty when not given.")
}

pub fn work_mode_input() -> Object {
    choice(keys(WorkMode::CHOICES), false, true, "Remote, hybrid or on-site; `null` clears it.")
}

// ---- skills ----

pub fn skill_level() -> Object {
    choice(keys(SkillLevel::CHOICES), true, false, "How well you know it; empty when not given.")
}

pub fn skill_level_input() -> Object {
    choice(keys(SkillLevel::CHOICES), false, true, "How well you know it; `null` clears it.")
}

// ---- interviews ----

pub fn interview_kind() -> Object {
    choice(keys(InterviewKind::CHOICES), false, false, "The kind of interview.")
}

pub fn interview_kind_input() -> Object {
    choice(
        keys(InterviewKind::CHOICES),
        false,
        true,
        "The kind of interview: `phone_screen` when left out on create, `other` when `null`.",
    )
}

pub fn outcome() -> Object {
    choice(keys(InterviewOutcome::CHOICES), false, false, "How it went.")
}

pub fn outcome_input() -> Object {
    choice(keys(InterviewOutcome::CHOICES), false, true, "How it went: `pending` when left out on create or `null`.")
}

// ---- notes ----

pub fn note_subject() -> Object {
    choice(keys(NoteSubject::CHOICES), false, false, "What kind of record the note is about.")
}

// ---- text ----
//
// Field attributes take literal patterns, so the text rules are written out there; these are
// the patterns they use (a test in `web::api_docs` holds the document to them).

/// One line (`fields::line`): no line breaks or other control characters.
pub const LINE: &str = r"^[^\x00-\x1f\x7f-\x9f]*$";
/// One line that is not blank (`fields::required_line`).
pub const LINE_NEEDED: &str = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$";
/// Text over several lines (`fields::text`): no control characters but tabs and line breaks.
pub const TEXT: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";
/// Text that is not blank.
pub const TEXT_NEEDED: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";
/// A label's name (`fields::label_name`): one line without commas, not blank.
pub const LABEL_NAME: &str = r"^[^,\x00-\x1f\x7f-\x9f]*[^,\s\x00-\x1f\x7f-\x9f][^,\x00-\x1f\x7f-\x9f]*$";

/// Label names on a record, which replace its labels; missing labels are created.
pub fn label_names() -> utoipa::openapi::schema::Array {
    let name = patterned(r"^[^,\x00-\x1f\x7f-\x9f]*$", false, "A label's name (any case); blank ones are skipped.")
        .max_length(Some(crate::domain::fields::LABEL_NAME_MAX));
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(name)
        .max_items(Some(crate::domain::fields::LABELS_PER_RECORD_MAX))
        .description(Some(
            "Label names (no commas); they replace the record's labels, missing ones are created (at most \
             500 labels per account). `null` or `[]` removes them all.",
        ))
        .build()
}

/// An experience's highlights, one line each.
pub fn highlights() -> utoipa::openapi::schema::Array {
    let item = patterned(LINE, false, "One highlight.").max_length(Some(crate::domain::records::HIGHLIGHT_LENGTH));
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(item)
        .max_items(Some(crate::domain::records::HIGHLIGHTS_MAX))
        .description(Some("What you achieved there, for the resume; `null` removes them."))
        .build()
}

/// An education's courses, one line each.
pub fn courses() -> utoipa::openapi::schema::Array {
    let item = patterned(LINE, false, "One course.").max_length(Some(crate::domain::records::COURSE_LENGTH));
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(item)
        .max_items(Some(crate::domain::records::COURSES_MAX))
        .description(Some("Courses or modules worth naming, as JSON Resume's `courses`; `null` removes them."))
        .build()
}

// ---- web links ----

/// A web link as `fields::optional_web_link` takes it: http or https (assumed when left out),
/// a host name with a dot and no user name or password.
const WEB_LINK: &str = r"^(https?://)?([A-Za-z0-9-]+\.)+[A-Za-z][A-Za-z0-9-]*([/?#][!-~]*)?$";

fn web_link_schema(null: bool) -> ObjectBuilder {
    patterned(WEB_LINK, null, "A web link (http or https; `https://` is assumed when left out).").max_length(Some(2000))
}

pub fn web_link_input() -> Object {
    web_link_schema(true)
        .description(Some("A web link (http or https; `https://` is assumed when left out); `null` clears it."))
        .build()
}

pub fn web_links_input() -> utoipa::openapi::schema::Array {
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(web_link_schema(false))
        .max_items(Some(crate::domain::contacts::CONTACT_LINKS_MAX))
        .description(Some("Web links: a profile, a site. `null` removes them."))
        .build()
}

// ---- dates and times ----

const YEAR: &str = "(19[0-9]{2}|20[0-9]{2}|2100)";
const LEAP_YEAR: &str = "(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26]))";
const MONTH: &str = "(0[1-9]|1[0-2])";
const MONTH_DAY: &str = "((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)";

/// A date between 1900 and 2100 (what `PartialDate` accepts), day included.
fn day_pattern(year: &str, leap_year: &str) -> String {
    format!("({year}-{MONTH_DAY}|{leap_year}-02-29)")
}

fn partial_date_schema(null: bool) -> Object {
    let pattern = format!("^({YEAR}(-{MONTH})?|{})$", day_pattern(YEAR, LEAP_YEAR));
    let description = if null {
        "A date as precise as you know it: `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (1900–2100), or null."
    } else {
        "A date as precise as you know it: `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (1900–2100)."
    };
    patterned(&pattern, null, description).build()
}

pub fn partial_date() -> Object {
    partial_date_schema(false)
}

pub fn partial_date_or_null() -> Object {
    partial_date_schema(true)
}

fn day_schema(null: bool) -> Object {
    let pattern = format!("^{}$", day_pattern(YEAR, LEAP_YEAR));
    let description =
        if null { "A date, `YYYY-MM-DD` (1900–2100), or null." } else { "A date, `YYYY-MM-DD` (1900–2100)." };
    patterned(&pattern, null, description).format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))).build()
}

pub fn day() -> Object {
    day_schema(false)
}

pub fn day_or_null() -> Object {
    day_schema(true)
}

/// When an interview starts, as it is given: a wall-clock minute in its time zone, 1900–2200.
pub fn interview_start() -> Object {
    let year = "(19[0-9]{2}|2[01][0-9]{2}|2200)";
    let leap_year =
        "(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26]))";
    let pattern = format!("^{}[T ]([01][0-9]|2[0-3]):[0-5][0-9](:00)?$", day_pattern(year, leap_year));
    patterned(
        &pattern,
        false,
        "The wall-clock start in `time_zone`: `YYYY-MM-DDTHH:MM` (a space may stand for the `T`; `:00` seconds \
         may follow).",
    )
    .build()
}

/// The IANA time zones the server knows (its bundled time zone database).
pub fn time_zone_input() -> Object {
    let names: Vec<String> = jiff::tz::db().available().map(|name| name.as_str().to_owned()).collect();
    choice(names, false, false, "An IANA time zone, such as `Europe/Berlin` (read case-insensitively).")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_come_from_the_lists_validation_reads() {
        let values = status().enum_values.unwrap();
        assert_eq!(values.len(), OpportunityStatus::ALL.len());
        assert_eq!(values[0], "saved");
        let values = work_mode().enum_values.unwrap();
        assert_eq!(values[0], "");
        let values = outcome_input().enum_values.unwrap();
        assert_eq!(values.last(), Some(&Value::Null));
    }

    fn matches(schema: &Object, text: &str) -> bool {
        regex::Regex::new(schema.pattern.as_deref().unwrap()).unwrap().is_match(text)
    }

    #[test]
    fn date_patterns_accept_what_validation_accepts() {
        use crate::domain::fields::PartialDate;
        let partial = partial_date();
        let day = day();
        for text in ["2021", "2021-03", "2021-03-15", "1900", "2100-12-31", "2024-02-29", "2000-02-29", "2021-04-30"] {
            assert!(PartialDate::parse(text).is_ok(), "{text}");
            assert!(matches(&partial, text), "{text}");
        }
        for text in ["1899", "2101", "2021-13", "2021-00", "2023-02-29", "1900-02-29", "2021-04-31", "21", "2021-3"] {
            assert!(PartialDate::parse(text).is_err(), "{text}");
            assert!(!matches(&partial, text), "{text}");
        }
        assert!(matches(&day, "2024-02-29") && !matches(&day, "2024-02") && !matches(&day, "2100-02-29"));
        let start = interview_start();
        for text in ["2026-12-01T14:00", "2026-12-01 14:00:00", "2200-01-01T00:00", "2196-02-29T23:59"] {
            assert!(matches(&start, text), "{text}");
        }
        for text in ["2026-12-01T24:00", "2026-12-01T14:00:30", "2201-01-01T00:00", "2100-02-29T10:00"] {
            assert!(!matches(&start, text), "{text}");
        }
    }

    #[test]
    fn every_listed_time_zone_is_one_the_server_reads() {
        let zones = time_zone_input().enum_values.unwrap();
        assert!(zones.len() > 300);
        for zone in zones {
            let name = zone.as_str().unwrap();
            assert!(name.len() <= 64 && jiff::tz::TimeZone::get(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn text_patterns_follow_the_field_rules() {
        use crate::domain::fields;
        let line = regex::Regex::new(LINE).unwrap();
        let needed = regex::Regex::new(LINE_NEEDED).unwrap();
        let text = regex::Regex::new(TEXT).unwrap();
        // What a pattern accepts, the field accepts (the field may take a little more: what
        // trimming removes).
        let samples =
            ["Staff Engineer", "", "  ", "tab\there", "line\nbreak", "nul\u{0}", "\u{85}", "émoji 🦀", "a\u{9f}"];
        for sample in samples {
            assert!(!line.is_match(sample) || fields::line(sample, 200).is_ok(), "{sample:?}");
            assert!(!needed.is_match(sample) || fields::required_line(sample, 200, "it").is_ok(), "{sample:?}");
            assert!(!text.is_match(sample) || fields::text(sample, 200).is_ok(), "{sample:?}");
        }
        assert!(line.is_match("émoji 🦀") && needed.is_match("x") && text.is_match("two\nlines\ttab"));
        for refused in ["tab\there", "line\nbreak", "nul\u{0}", "a\u{9f}"] {
            assert!(!line.is_match(refused), "{refused:?}");
        }
        assert!(!needed.is_match("  ") && !needed.is_match("") && !text.is_match("nul\u{0}"));
        let link = regex::Regex::new(WEB_LINK).unwrap();
        for sample in
            ["https://example.com/x?y=1#z", "example.com", "http://a.b", "ftp://example.com", "x", "https://1.2.3.4"]
        {
            if link.is_match(sample) {
                assert!(matches!(fields::optional_web_link(sample), Ok(Some(_))), "{sample}");
            }
        }
        assert!(link.is_match("example.com") && !link.is_match("ftp://example.com"));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::domain::fields::{self, PartialDate};
    use crate::testing::{date_like, matching, proptest_config, user_text};
    use proptest::prelude::*;

    fn pattern(schema: &Object) -> regex::Regex {
        regex::Regex::new(schema.pattern.as_deref().unwrap()).unwrap()
    }

    proptest! {
        #![proptest_config(proptest_config(256))]

        /// The document promises exactly the dates validation takes (spaces aside, which
        /// validation trims).
        #[test]
        fn the_date_patterns_accept_exactly_the_dates_validation_accepts(input in date_like()) {
            let input = input.trim();
            let partial = PartialDate::parse(input);
            prop_assert_eq!(pattern(&partial_date()).is_match(input), partial.is_ok(), "{:?}", input);
            prop_assert_eq!(pattern(&day()).is_match(input), PartialDate::parse_day(input).is_ok(), "{:?}", input);
        }

        #[test]
        fn a_date_the_pattern_generates_is_a_date(input in matching(&partial_date().pattern.unwrap())) {
            prop_assert!(PartialDate::parse(&input).is_ok(), "{:?}", input);
        }

        #[test]
        fn what_a_text_pattern_accepts_its_field_accepts(
            line in prop_oneof![matching(LINE), user_text()],
            needed in prop_oneof![matching(LINE_NEEDED), user_text()],
            text in prop_oneof![matching(TEXT), user_text()],
            text_needed in prop_oneof![matching(TEXT_NEEDED), user_text()],
            label in prop_oneof![matching(LABEL_NAME), user_text()],
        ) {
            let re = |p: &str| regex::Regex::new(p).unwrap();
            if re(LINE).is_match(&line) {
                prop_assert!(fields::line(&line, usize::MAX).is_ok(), "{:?}", line);
            }
            if re(LINE_NEEDED).is_match(&needed) {
                prop_assert!(fields::required_line(&needed, usize::MAX, "it").is_ok(), "{:?}", needed);
            }
            if re(TEXT).is_match(&text) {
                prop_assert!(fields::text(&text, usize::MAX).is_ok(), "{:?}", text);
            }
            if re(TEXT_NEEDED).is_match(&text_needed) {
                prop_assert!(!fields::text(&text_needed, usize::MAX).unwrap().is_empty(), "{:?}", text_needed);
            }
            if re(LABEL_NAME).is_match(&label) && label.chars().count() <= fields::LABEL_NAME_MAX {
                prop_assert!(fields::label_name(&label).is_ok(), "{:?}", label);
            }
        }

        #[test]
        fn what_the_link_pattern_accepts_is_a_web_link(input in prop_oneof![matching(WEB_LINK), user_text()]) {
            // Broken Punycode (`xn--…`) is a known gap: see the ignored test below.
            let punycode = input.to_ascii_lowercase().contains("xn--");
            if regex::Regex::new(WEB_LINK).unwrap().is_match(&input) && input.len() <= 2000 && !punycode {
                prop_assert!(matches!(fields::optional_web_link(&input), Ok(Some(_))), "{:?}", input);
            }
        }
    }

    /// Found by the long run of `what_the_link_pattern_accepts_is_a_web_link`: the pattern takes
    /// a host label that is broken Punycode (`xn--…`), which the URL parser refuses. Not fixed
    /// yet: the pattern has no look-ahead to leave such labels out.
    #[test]
    #[ignore = "known gap: the link pattern accepts broken Punycode hosts"]
    fn the_link_pattern_refuses_broken_punycode() {
        assert!(fields::optional_web_link("xn--A000.a").is_err());
        assert!(!regex::Regex::new(WEB_LINK).unwrap().is_match("xn--A000.a"));
    }
}
