//! An interview as a form or the API gives it: kind, start in a named time zone, debrief, outcome.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::choice::pick;
use crate::domain::fields::{self, nullable_list, nullable_text, set};
use crate::domain::opportunities::nullable_number;
use crate::domain::records::Draft;
use crate::domain::records::LabelNames;
use crate::domain::records::{DESCRIPTION, SHORT};
use crate::domain::FieldErrors;

crate::closed_set! {
    /// What kind of interview a round is.
    pub enum InterviewKind {
        PhoneScreen = ("phone_screen", "Phone screen"),
        Technical = ("technical", "Technical"),
        Behavioural = ("behavioural", "Behavioural"),
        SystemDesign = ("system_design", "System design"),
        Panel = ("panel", "Panel"),
        Onsite = ("onsite", "On-site"),
        Other = ("other", "Other"),
    }
}

crate::closed_set! {
    /// How a round ended. A cancelled interview stays on record but leaves the upcoming list,
    /// the funnel, and the calendar (as cancelled).
    pub enum InterviewOutcome {
        Pending = ("pending", "Waiting to hear"),
        Passed = ("passed", "Passed"),
        NotPassed = ("not_passed", "Not passed"),
        Cancelled = ("cancelled", "Cancelled"),
    }
}

/// The role an opportunity made from a calendar suggestion starts with. Until the user writes
/// the real one, the opportunity may hold a company guessed from the event's words, so it is not
/// prepared in the background (promise 16).
pub const ROLE_TO_BE_CONFIRMED: &str = "Role to be confirmed";

pub const DURATION_DEFAULT: i64 = 60;
pub const DURATION_MAX: i64 = 24 * 60;

/// An interview as the form gives it. `start` is the wall-clock time in `time_zone`
/// (`YYYY-MM-DDTHH:MM`, what a `datetime-local` field sends).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InterviewDraft {
    pub opportunity_id: String,
    pub round_name: String,
    pub kind: String,
    pub start: String,
    pub time_zone: String,
    pub duration_minutes: String,
    pub location: String,
    pub meeting_url: String,
    pub prep_notes: String,
    pub debrief_summary: String,
    pub debrief_questions: String,
    pub debrief_improve: String,
    pub outcome: String,
    pub labels: LabelNames,
}

/// An interview as the API takes it: `opportunity_id` (one of your opportunities),
/// `round_name`, `start` and `time_zone` are needed on create.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterviewWrite {
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(nullable = false, format = Uuid)]
    pub opportunity_id: Option<String>,
    /// "First round", "Meet the team".
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub round_name: Option<String>,
    /// phone_screen, technical, behavioural, system_design, panel, onsite, other.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::interview_kind_input)]
    pub kind: Option<String>,
    /// The wall-clock start in `time_zone`: `YYYY-MM-DDTHH:MM`.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::interview_start)]
    pub start: Option<String>,
    /// An IANA time zone, such as `Europe/Berlin`.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::time_zone_input)]
    pub time_zone: Option<String>,
    /// 5 to 1440; 60 when left out.
    #[serde(default, deserialize_with = "nullable_number")]
    #[schema(value_type = Option<i64>, minimum = 5, maximum = 1440)]
    pub duration_minutes: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub location: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::web_link_input)]
    pub meeting_url: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub prep_notes: Option<String>,
    /// Debrief: how it went.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub debrief_summary: Option<String>,
    /// Debrief: the questions asked.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub debrief_questions: Option<String>,
    /// Debrief: what to do better.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 10000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub debrief_improve: Option<String>,
    /// pending, passed, not_passed, cancelled.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::outcome_input)]
    pub outcome: Option<String>,
    #[serde(default, deserialize_with = "nullable_list")]
    #[schema(schema_with = crate::domain::schema::label_names)]
    pub labels: Option<Vec<String>>,
}

/// When an interview starts: the instant, and the wall-clock time and zone it was given in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterviewStart {
    /// Milliseconds since the epoch.
    pub instant_millis: i64,
    /// `YYYY-MM-DDTHH:MM`.
    pub local: String,
    pub time_zone: String,
}

impl InterviewStart {
    /// Read a wall-clock time, to the minute, in a named time zone. Only `YYYY-MM-DDTHH:MM`
    /// (a space may stand for the `T`, and `:00` seconds may follow) is taken: a time with an
    /// offset or a zone of its own would silently mean something else here.
    pub fn parse(
        start: &str,
        time_zone: &str,
    ) -> (Result<jiff::civil::DateTime, String>, Result<jiff::tz::TimeZone, String>) {
        let start = start.trim();
        let local = if start.is_empty() {
            Err("Give the date and time it starts.".to_owned())
        } else {
            wall_clock_minute(start).ok_or_else(|| "Give the date and time as YYYY-MM-DD HH:MM.".to_owned())
        };
        let name = time_zone.trim();
        let zone = if name.is_empty() {
            Err("Choose the time zone it is in, such as Europe/Berlin.".to_owned())
        } else if name.len() > 64 {
            Err("That is not a time zone we know. Use a name such as Europe/Berlin.".to_owned())
        } else {
            jiff::tz::TimeZone::get(name)
                .map_err(|_| "That is not a time zone we know. Use a name such as Europe/Berlin.".to_owned())
        };
        (local, zone)
    }

    /// The start in its zone. A time the clocks skip when summer time begins is read as the
    /// time it becomes (02:30 is 03:30), as calendar apps do; a time that happens twice is the
    /// first. What is kept is what the clock will show, and the zone's own spelling of its name.
    pub fn new(local: jiff::civil::DateTime, zone: &jiff::tz::TimeZone, zone_name: &str) -> Result<Self, String> {
        let zoned =
            zone.to_ambiguous_zoned(local).compatible().map_err(|_| "That time does not exist there.".to_owned())?;
        Ok(Self {
            instant_millis: zoned.timestamp().as_millisecond(),
            local: zoned.datetime().strftime("%Y-%m-%dT%H:%M").to_string(),
            time_zone: zone.iana_name().unwrap_or(zone_name.trim()).to_owned(),
        })
    }
}

/// `YYYY-MM-DDTHH:MM` (or with a space, or with `:00` seconds) as a wall-clock time in
/// 1900–2200; anything else is `None`.
fn wall_clock_minute(input: &str) -> Option<jiff::civil::DateTime> {
    let bytes = input.as_bytes();
    let shape = |pattern: &[u8]| {
        bytes.len() == pattern.len()
            && bytes.iter().zip(pattern).all(|(b, p)| match p {
                b'9' => b.is_ascii_digit(),
                b'T' => *b == b'T' || *b == b' ',
                other => b == other,
            })
    };
    let ok = shape(b"9999-99-99T99:99") || (shape(b"9999-99-99T99:99:99") && input.ends_with(":00"));
    if !ok {
        return None;
    }
    // All ASCII by now, so the first 16 bytes are the minute.
    let parsed = input[..16].replacen(' ', "T", 1).parse::<jiff::civil::DateTime>().ok()?;
    (1900..=2200).contains(&parsed.year()).then_some(parsed)
}

#[derive(Debug, Clone)]
pub struct InterviewInput {
    pub opportunity_id: String,
    pub round_name: String,
    pub kind: InterviewKind,
    pub start: InterviewStart,
    pub duration_minutes: i64,
    pub location: String,
    pub meeting_url: Option<String>,
    pub prep_notes: String,
    pub debrief_summary: String,
    pub debrief_questions: String,
    pub debrief_improve: String,
    pub outcome: InterviewOutcome,
    pub labels: Vec<String>,
}

impl InterviewInput {
    pub fn has_debrief(&self) -> bool {
        !(self.debrief_summary.is_empty() && self.debrief_questions.is_empty() && self.debrief_improve.is_empty())
    }
}

impl InterviewDraft {
    pub fn blank() -> Self {
        Self {
            kind: InterviewKind::PhoneScreen.to_string(),
            duration_minutes: DURATION_DEFAULT.to_string(),
            outcome: InterviewOutcome::Pending.to_string(),
            ..Self::default()
        }
    }
}

impl Draft for InterviewDraft {
    type Write = InterviewWrite;
    type Input = InterviewInput;

    fn apply(&mut self, write: InterviewWrite) {
        set(&mut self.opportunity_id, write.opportunity_id);
        set(&mut self.round_name, write.round_name);
        set(&mut self.kind, write.kind);
        set(&mut self.start, write.start);
        set(&mut self.time_zone, write.time_zone);
        set(&mut self.duration_minutes, write.duration_minutes);
        set(&mut self.location, write.location);
        set(&mut self.meeting_url, write.meeting_url);
        set(&mut self.prep_notes, write.prep_notes);
        set(&mut self.debrief_summary, write.debrief_summary);
        set(&mut self.debrief_questions, write.debrief_questions);
        set(&mut self.debrief_improve, write.debrief_improve);
        set(&mut self.outcome, write.outcome);
        crate::domain::records::set_label_names(&mut self.labels, write.labels);
    }

    fn validate(&self) -> Result<InterviewInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let opportunity_id = self.opportunity_id.trim().to_ascii_lowercase();
        if uuid::Uuid::parse_str(&opportunity_id).is_err() {
            e.add("opportunity_id", "Choose the opportunity this interview is for.");
        }
        let round_name = e.check("round_name", fields::required_line(&self.round_name, SHORT, "the round’s name"));
        let other = Some(InterviewKind::Other);
        let kind = pick(&mut e, "kind", &self.kind, other, "Choose a kind of interview from the list.");
        let (local, zone) = InterviewStart::parse(&self.start, &self.time_zone);
        let local = e.check("start", local);
        let zone = e.check("time_zone", zone);
        let start = match (local, zone) {
            (Some(local), Some(zone)) => e.check("start", InterviewStart::new(local, &zone, &self.time_zone)),
            _ => None,
        };
        let duration = self.duration_minutes.trim();
        let duration_minutes = if duration.is_empty() {
            DURATION_DEFAULT
        } else {
            match duration.parse::<i64>() {
                Ok(n) if (5..=DURATION_MAX).contains(&n) => n,
                _ => {
                    e.add("duration_minutes", "Give the length in minutes, from 5 to 1440.");
                    DURATION_DEFAULT
                }
            }
        };
        let location = e.check("location", fields::line(&self.location, SHORT));
        let meeting_url = e.check("meeting_url", fields::optional_web_link(&self.meeting_url)).flatten();
        let prep_notes = e.check("prep_notes", fields::text(&self.prep_notes, DESCRIPTION));
        let debrief_summary = e.check("debrief_summary", fields::text(&self.debrief_summary, DESCRIPTION));
        let debrief_questions = e.check("debrief_questions", fields::text(&self.debrief_questions, DESCRIPTION));
        let debrief_improve = e.check("debrief_improve", fields::text(&self.debrief_improve, DESCRIPTION));
        let pending = Some(InterviewOutcome::Pending);
        let outcome = pick(&mut e, "outcome", &self.outcome, pending, "Choose an outcome from the list.");
        let labels = crate::domain::records::parse_labels(&mut e, &self.labels);
        match (start, kind, outcome) {
            (Some(start), Some(kind), Some(outcome)) if e.is_empty() => Ok(InterviewInput {
                opportunity_id,
                round_name: round_name.unwrap_or_default(),
                kind,
                start,
                duration_minutes,
                location: location.unwrap_or_default(),
                meeting_url,
                prep_notes: prep_notes.unwrap_or_default(),
                debrief_summary: debrief_summary.unwrap_or_default(),
                debrief_questions: debrief_questions.unwrap_or_default(),
                debrief_improve: debrief_improve.unwrap_or_default(),
                outcome,
                labels,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod interview_tests {
    use super::*;

    fn draft() -> InterviewDraft {
        InterviewDraft {
            opportunity_id: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".into(),
            round_name: "First round".into(),
            start: "2026-03-29T02:30".into(),
            time_zone: "Europe/Berlin".into(),
            ..InterviewDraft::blank()
        }
    }

    #[test]
    fn a_start_is_read_in_its_own_time_zone() {
        let input = InterviewDraft { start: "2026-12-01T14:00".into(), ..draft() }.validate().unwrap();
        // 14:00 in Berlin in winter is 13:00 UTC.
        assert_eq!(input.start.instant_millis, 1_796_130_000_000);
        assert_eq!(input.start.local, "2026-12-01T14:00");
        // A time the clocks skip (02:30 on the night summer time begins) is the time it becomes.
        let skipped = draft().validate().unwrap();
        assert_eq!(
            (skipped.start.local.as_str(), skipped.start.time_zone.as_str()),
            ("2026-03-29T03:30", "Europe/Berlin")
        );
        let typed_lower = InterviewDraft { time_zone: "europe/berlin".into(), ..draft() }.validate().unwrap();
        assert_eq!(typed_lower.start.time_zone, "Europe/Berlin", "the zone's own spelling");
        let seconds = InterviewDraft { start: "2026-12-01 14:00:00".into(), ..draft() }.validate().unwrap();
        assert_eq!(seconds.start.instant_millis, 1_796_130_000_000);
        for other in [
            "2026-12-01T14:00+05:00",
            "2026-12-01T14:00-05:00[America/New_York]",
            "2026-12-01",
            "2026-12-01T14:00:30",
            "1800-01-01T10:00",
        ] {
            let refused = InterviewDraft { start: other.into(), ..draft() }.validate().unwrap_err();
            assert!(refused.get("start").is_some(), "{other}");
        }
    }

    #[test]
    fn unknown_zones_kinds_and_lengths_are_refused() {
        let bad = InterviewDraft {
            time_zone: "Mars/Olympus".into(),
            kind: "interrogation".into(),
            duration_minutes: "0".into(),
            meeting_url: "ftp://example.com".into(),
            outcome: "hired".into(),
            ..draft()
        };
        let errors = bad.validate().unwrap_err();
        for field in ["time_zone", "kind", "duration_minutes", "meeting_url", "outcome"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let no_time = InterviewDraft { start: "tomorrow".into(), ..draft() }.validate().unwrap_err();
        assert!(no_time.get("start").is_some());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::testing::{proptest_config, user_text};
    use proptest::prelude::*;

    /// Text shaped like a wall-clock minute, and its near misses.
    fn start_like() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9T :-]{0,20}",
            (1890..2210i32, 0..14u32, 0..33u32, 0..26u32, 0..62u32, "[T tZ]", "(:00|:30|:0|)")
                .prop_map(|(y, mo, d, h, mi, sep, secs)| format!("{y}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}{secs}")),
            user_text(),
        ]
    }

    /// A zone the server knows, spelled in any letter case, or any text.
    fn zone_name() -> impl Strategy<Value = String> {
        let names: Vec<String> = jiff::tz::db().available().map(|name| name.as_str().to_owned()).collect();
        prop_oneof![
            4 => (proptest::sample::select(names), any::<bool>())
                .prop_map(|(name, lower)| if lower { name.to_lowercase() } else { name }),
            1 => user_text(),
        ]
    }

    /// Any minute from 1900 to 2200.
    fn wall_clock() -> impl Strategy<Value = jiff::civil::DateTime> {
        (1900..=2200i16, 1..=12i8, 1..=31i8, 0..24i8, 0..60i8)
            .prop_filter_map("a real day", |(y, mo, d, h, mi)| jiff::civil::DateTime::new(y, mo, d, h, mi, 0, 0).ok())
    }

    proptest! {
        #![proptest_config(proptest_config(256))]

        #[test]
        fn a_start_reads_back_as_the_minute_it_was(start in start_like(), zone in zone_name()) {
            let (local, tz) = InterviewStart::parse(&start, &zone);
            if let Ok(local) = local {
                prop_assert!((1900..=2200).contains(&local.year()));
                prop_assert_eq!((local.second(), local.subsec_nanosecond()), (0, 0));
                let printed = local.strftime("%Y-%m-%dT%H:%M").to_string();
                prop_assert_eq!(InterviewStart::parse(&printed, "UTC").0, Ok(local));
            }
            if let Ok(tz) = tz {
                prop_assert_eq!(tz.iana_name().map(str::to_lowercase), Some(zone.trim().to_lowercase()));
            }
        }

        /// The document's pattern for `start` takes exactly what validation takes.
        #[test]
        fn the_start_pattern_accepts_exactly_the_starts_validation_accepts(start in start_like()) {
            let pattern = crate::domain::schema::interview_start().pattern.unwrap();
            let matches = regex::Regex::new(&pattern).unwrap().is_match(&start);
            prop_assert_eq!(matches, wall_clock_minute(&start).is_some(), "{:?}", start);
        }

        /// Whatever minute and zone, the start is a real time there: what is kept is what the
        /// clock shows at that instant, and reading it again changes nothing.
        #[test]
        fn a_start_in_any_zone_is_a_real_time_there(local in wall_clock(), zone in zone_name()) {
            let Ok(tz) = jiff::tz::TimeZone::get(zone.trim()) else { return Ok(()) };
            let start = InterviewStart::new(local, &tz, &zone).unwrap();
            let instant = jiff::Timestamp::from_millisecond(start.instant_millis).unwrap();
            let shown = tz.to_datetime(instant).strftime("%Y-%m-%dT%H:%M").to_string();
            prop_assert_eq!(&shown, &start.local);
            prop_assert_eq!(jiff::tz::TimeZone::get(&start.time_zone).ok(), Some(tz.clone()));
            let (again, _) = InterviewStart::parse(&start.local, &start.time_zone);
            prop_assert_eq!(InterviewStart::new(again.unwrap(), &tz, &start.time_zone), Ok(start.clone()));
        }
    }
}
