//! iCalendar (RFC 5545) text, written by hand: just what a published, read-only calendar of
//! events needs. Lines end in CRLF and are folded at 75 octets on a character boundary; TEXT
//! values are escaped. No I/O here.

use crate::clock::Timestamp;

/// The longest line, in octets, without its CRLF (RFC 5545 section 3.1).
pub const MAX_LINE_OCTETS: usize = 75;

/// When an event starts or ends: an instant (written in UTC) or a whole day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    At(Timestamp),
    Day(jiff::civil::Date),
}

/// One VEVENT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Stable across feeds, so calendar apps update the event instead of adding another.
    pub uid: String,
    pub start: When,
    pub end: When,
    pub summary: String,
    pub location: String,
    pub description: String,
    /// An http(s) link (a URI value: not escaped as TEXT).
    pub url: Option<String>,
    pub last_modified: Option<Timestamp>,
    pub cancelled: bool,
    /// Free time: the event does not block the day (an all-day reminder).
    pub transparent: bool,
    /// A reminder this many minutes before the start (a VALARM the calendar app shows).
    pub reminder_minutes: Option<u32>,
}

/// A whole VCALENDAR with `events`, stamped `now`.
pub fn calendar(name: &str, now: Timestamp, events: &[Event]) -> String {
    let mut out = Writer::default();
    out.raw("BEGIN", "VCALENDAR");
    out.raw("VERSION", "2.0");
    out.raw("PRODID", "-//Careerlog//Careerlog//EN");
    out.raw("CALSCALE", "GREGORIAN");
    out.text("X-WR-CALNAME", name);
    // How often subscribers should look again (a hint; apps choose for themselves).
    out.raw("REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
    out.raw("X-PUBLISHED-TTL", "PT1H");
    let stamp = utc(now);
    for event in events {
        out.raw("BEGIN", "VEVENT");
        out.text("UID", &event.uid);
        out.raw("DTSTAMP", &stamp);
        out.when("DTSTART", event.start);
        out.when("DTEND", event.end);
        out.text("SUMMARY", &event.summary);
        if !event.location.is_empty() {
            out.text("LOCATION", &event.location);
        }
        if !event.description.is_empty() {
            out.text("DESCRIPTION", &event.description);
        }
        if let Some(url) = event.url.as_deref().filter(|u| is_web_link(u)) {
            out.raw("URL", url);
        }
        if let Some(modified) = event.last_modified {
            out.raw("LAST-MODIFIED", &utc(modified));
        }
        if event.cancelled {
            out.raw("STATUS", "CANCELLED");
        }
        if event.transparent {
            out.raw("TRANSP", "TRANSPARENT");
        }
        if let Some(minutes) = event.reminder_minutes.filter(|_| !event.cancelled) {
            out.raw("BEGIN", "VALARM");
            out.raw("ACTION", "DISPLAY");
            out.text("DESCRIPTION", &event.summary);
            out.raw("TRIGGER", &format!("-PT{minutes}M"));
            out.raw("END", "VALARM");
        }
        out.raw("END", "VEVENT");
    }
    out.raw("END", "VCALENDAR");
    out.0
}

/// An instant as a UTC DATE-TIME: `YYYYMMDDTHHMMSSZ`.
pub fn utc(at: Timestamp) -> String {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    at.to_offset_date_time().format(&format).unwrap_or_default()
}

/// A DATE: `YYYYMMDD`.
pub fn date(day: jiff::civil::Date) -> String {
    day.strftime("%Y%m%d").to_string()
}

/// A TEXT value: backslash, semicolon and comma escaped, line breaks as `\n`, other control
/// characters (which RFC 5545 does not allow) dropped.
pub fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                // CRLF is one line break.
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded: no line longer than 75 octets, each continuation starting with one
/// space, never splitting a UTF-8 character; every line ends in CRLF. A fold does not leave
/// whitespace at the end of a line (some readers trim it away, Unicode whitespace such as a
/// no-break space included): the whitespace starts the next line instead.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 60 * 3 + 2);
    // The line being filled (a continuation's leading space included).
    let mut current = String::new();
    for c in line.chars() {
        if current.len() + c.len_utf8() > MAX_LINE_OCTETS {
            // Any whitespace, not only spaces and tabs: readers that trim a line's end (the
            // `ical` crate, with Rust's `trim_end`) trim a no-break space or U+2028 as well.
            let text = current.trim_end_matches(char::is_whitespace);
            let trailing = current.len() - text.len();
            // Carry trailing whitespace over only when the line keeps some text and the
            // whitespace fits on the next line.
            let keep =
                if trailing > 0 && !text.trim_start().is_empty() && 1 + trailing + c.len_utf8() <= MAX_LINE_OCTETS {
                    text.len()
                } else {
                    current.len()
                };
            out.push_str(&current[..keep]);
            out.push_str("\r\n");
            current = format!(" {}", &current[keep..]);
        }
        current.push(c);
    }
    out.push_str(&current);
    out.push_str("\r\n");
    out
}

fn is_web_link(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://")) && !url.chars().any(|c| c.is_control() || c == ' ')
}

#[derive(Default)]
struct Writer(String);

impl Writer {
    /// A property whose value is already in its iCalendar form.
    fn raw(&mut self, name: &str, value: &str) {
        self.0.push_str(&fold(&format!("{name}:{value}")));
    }

    fn text(&mut self, name: &str, value: &str) {
        self.raw(name, &escape_text(value));
    }

    fn when(&mut self, name: &str, when: When) {
        match when {
            When::At(at) => self.raw(name, &utc(at)),
            When::Day(day) => self.raw(&format!("{name};VALUE=DATE"), &date(day)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_the_special_characters() {
        assert_eq!(escape_text(r"a\b;c,d"), r"a\\b\;c\,d");
        assert_eq!(escape_text("one\ntwo\r\nthree\rfour"), r"one\ntwo\nthree\nfour");
        assert_eq!(escape_text("bell\u{7}\u{0}tab\tend"), "belltab\tend");
        assert_eq!(escape_text("Grüße: 10:00"), "Grüße: 10:00");
    }

    #[test]
    fn short_lines_are_not_folded() {
        assert_eq!(fold("SUMMARY:Hello"), "SUMMARY:Hello\r\n");
        let exact = format!("X:{}", "a".repeat(73));
        assert_eq!(fold(&exact), format!("{exact}\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_with_a_leading_space() {
        let line = format!("DESCRIPTION:{}", "x".repeat(200));
        let folded = fold(&line);
        assert!(folded.ends_with("\r\n"));
        let parts: Vec<&str> = folded.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(parts.len() > 2);
        assert_eq!(parts[0].len(), 75);
        for part in &parts[1..] {
            assert!(part.starts_with(' ') && !part.starts_with("  "));
            assert!(part.len() <= 75);
        }
        let unfolded: String = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
    }

    #[test]
    fn folding_never_splits_a_character() {
        // Three-octet characters: 75 is a multiple of three only after the 2-octet prefix.
        let line = format!("S:{}", "€".repeat(100));
        let folded = fold(&line);
        for part in folded.split("\r\n").filter(|p| !p.is_empty()) {
            assert!(part.len() <= 75, "{} octets", part.len());
        }
        assert_eq!(folded.trim_end_matches("\r\n").replace("\r\n ", ""), line);
        // And four-octet ones.
        let emoji = format!("SUMMARY:{}", "🎉".repeat(40));
        assert_eq!(fold(&emoji).trim_end_matches("\r\n").replace("\r\n ", ""), emoji);
        assert!(fold(&emoji).split("\r\n").all(|p| p.len() <= 75));
    }

    #[test]
    fn a_fold_leaves_no_whitespace_at_the_end_of_a_line() {
        let line = format!("DESCRIPTION:{}", "word ".repeat(60));
        let folded = fold(&line);
        let parts: Vec<&str> = folded.trim_end_matches("\r\n").split("\r\n").collect();
        for part in &parts[..parts.len() - 1] {
            assert!(!part.ends_with(' '), "{part:?}");
            assert!(part.len() <= 75);
        }
        assert_eq!(folded.trim_end_matches("\r\n").replace("\r\n ", ""), line);
        // Nothing but spaces: folded anyway, at 75 octets.
        let blank = format!("X:{}", " ".repeat(200));
        assert_eq!(fold(&blank).trim_end_matches("\r\n").replace("\r\n ", ""), blank);
        assert!(fold(&blank).split("\r\n").all(|p| p.len() <= 75));
    }

    /// Found by `a_calendar_reads_back_as_its_events`: a no-break space at the fold point ended a
    /// line, and a reader that trims line ends lost it from the summary.
    #[test]
    fn a_fold_leaves_no_unicode_whitespace_at_the_end_of_a_line() {
        let line = format!("SUMMARY:{}\u{a0}b", "x".repeat(65));
        let folded = fold(&line);
        assert_eq!(folded, format!("SUMMARY:{}\r\n \u{a0}b\r\n", "x".repeat(65)));
        assert_eq!(folded.trim_end_matches("\r\n").replace("\r\n ", ""), line);
    }

    #[test]
    fn times_are_utc_and_days_are_dates() {
        // 2026-12-01 13:00:00 UTC
        assert_eq!(utc(Timestamp(1_796_130_000_000)), "20261201T130000Z");
        assert_eq!(date(jiff::civil::date(2026, 2, 3)), "20260203");
    }

    #[test]
    fn a_calendar_has_its_frame_and_events() {
        let event = Event {
            uid: "interview-1@careerlog".into(),
            start: When::At(Timestamp(1_796_130_000_000)),
            end: When::At(Timestamp(1_796_132_700_000)),
            summary: "Round 1; tech, live: Engineer at Acme".into(),
            location: String::new(),
            description: "Line one\nLine two".into(),
            url: Some("javascript:alert(1)".into()),
            last_modified: None,
            cancelled: true,
            transparent: false,
            reminder_minutes: Some(60),
        };
        let day = Event {
            uid: "next-action-1-2026-12-02@careerlog".into(),
            start: When::Day(jiff::civil::date(2026, 12, 2)),
            end: When::Day(jiff::civil::date(2026, 12, 3)),
            summary: "Next action".into(),
            location: String::new(),
            description: String::new(),
            url: Some("https://example.com/a".into()),
            last_modified: Some(Timestamp(0)),
            cancelled: false,
            transparent: true,
            reminder_minutes: Some(15),
        };
        let text = calendar("Careerlog job search", Timestamp(0), &[event, day]);
        // A reminder, except on a cancelled event.
        assert_eq!(text.matches("BEGIN:VALARM\r\n").count(), 1);
        assert!(text.contains("BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Next action\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\n"));
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Careerlog//Careerlog//EN\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(text.contains("DTSTAMP:19700101T000000Z\r\n"));
        assert!(text.contains("DTSTART:20261201T130000Z\r\nDTEND:20261201T134500Z\r\n"));
        assert!(text.contains("SUMMARY:Round 1\\; tech\\, live: Engineer at Acme\r\n"));
        assert!(text.contains("DESCRIPTION:Line one\\nLine two\r\n"));
        assert!(text.contains("STATUS:CANCELLED\r\n"));
        assert!(!text.contains("javascript:"), "only web links become URLs");
        assert!(text.contains("DTSTART;VALUE=DATE:20261202\r\nDTEND;VALUE=DATE:20261203\r\n"));
        assert!(text.contains("URL:https://example.com/a\r\nLAST-MODIFIED:19700101T000000Z\r\nTRANSP:TRANSPARENT\r\n"));
        assert_eq!(text.matches("BEGIN:VEVENT\r\n").count(), 2);
        assert!(!text.replace("\r\n", "").contains('\n'), "no bare line feeds");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::testing::{awkward_text, proptest_config, user_text};
    use proptest::prelude::*;

    /// A TEXT value read back as RFC 5545 says (section 3.3.11).
    fn unescape(value: &str) -> String {
        let mut out = String::new();
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            match (c, c == '\\') {
                (_, true) => match chars.next() {
                    Some('n' | 'N') => out.push('\n'),
                    Some(other) => out.push(other),
                    None => out.push('\\'),
                },
                (c, false) => out.push(c),
            }
        }
        out
    }

    /// What a text should read as once written: line breaks made `\n`, other control
    /// characters but tabs gone.
    fn as_written(text: &str) -> String {
        text.replace("\r\n", "\n")
            .replace('\r', "\n")
            .chars()
            .filter(|&c| !c.is_control() || c == '\n' || c == '\t')
            .collect()
    }

    /// The content lines of a folded text, unfolded exactly as RFC 5545 says (a CRLF followed
    /// by one space or tab is removed), after checking each physical line.
    fn unfold(folded: &str) -> Result<Vec<String>, TestCaseError> {
        prop_assert!(folded.ends_with("\r\n"), "the last line ends in CRLF");
        let mut lines: Vec<String> = Vec::new();
        for line in folded[..folded.len() - 2].split("\r\n") {
            prop_assert!(line.len() <= MAX_LINE_OCTETS, "{} octets: {line:?}", line.len());
            prop_assert!(!line.contains(['\r', '\n']), "a bare line break in {line:?}");
            match line.strip_prefix([' ', '\t']) {
                Some(rest) => lines.last_mut().expect("a first line").push_str(rest),
                None => lines.push(line.to_owned()),
            }
        }
        Ok(lines)
    }

    fn event() -> impl Strategy<Value = Event> {
        let instant = (-2_208_988_800_000i64..7_258_118_400_000).prop_map(Timestamp);
        let day = (1900..=2200i16, 1..=12i8, 1..=28i8).prop_map(|(y, m, d)| jiff::civil::date(y, m, d));
        let when = prop_oneof![instant.clone().prop_map(When::At), day.prop_map(When::Day)];
        let url =
            proptest::option::of(prop_oneof!["https?://[!-~]{0,100}", "(javascript:|ftp://)[ -~]{0,20}", user_text()]);
        (
            (user_text(), when.clone(), when, user_text(), user_text()),
            (prop_oneof![user_text(), awkward_text(300)], url, proptest::option::of(instant), any::<(bool, bool)>()),
        )
            .prop_map(|((uid, start, end, summary, location), (description, url, last_modified, flags))| {
                Event {
                    uid,
                    start,
                    end,
                    summary,
                    location,
                    description,
                    url,
                    last_modified,
                    cancelled: flags.0,
                    transparent: flags.1,
                    reminder_minutes: if flags.1 { None } else { Some(60) },
                }
            })
    }

    proptest! {
        #![proptest_config(proptest_config(256))]

        #[test]
        fn escaped_text_reads_back_as_written(text in user_text()) {
            let escaped = escape_text(&text);
            prop_assert!(!escaped.chars().any(|c| c.is_control() && c != '\t'), "{escaped:?}");
            prop_assert_eq!(unescape(&escaped), as_written(&text));
        }

        #[test]
        fn a_folded_line_unfolds_to_itself(name in "[A-Z-]{1,20}", value in prop_oneof![user_text(), awkward_text(400)]) {
            let line = format!("{name}:{}", escape_text(&value));
            let folded = fold(&line);
            prop_assert_eq!(unfold(&folded)?, vec![line]);
        }

        #[test]
        fn utc_times_have_one_shape(millis in -62_167_219_200_000i64..253_402_300_800_000, any_millis in any::<i64>()) {
            // Any instant at all is written somehow (years before 0 or after 9999 are not ours)…
            let _ = utc(Timestamp(any_millis));
            // …and those of years 0 to 9999 in the one shape RFC 5545 gives.
            let text = utc(Timestamp(millis));
            prop_assert!(regex::Regex::new("^[0-9]{8}T[0-9]{6}Z$").unwrap().is_match(&text), "{text}");
        }
    }

    proptest! {
        #![proptest_config(proptest_config(64))]

        /// A whole calendar unfolds, line by line, into the properties written, each text
        /// reading back as it was given; and an iCalendar library reads the same events.
        #[test]
        fn a_calendar_reads_back_as_its_events(name in user_text(), events in proptest::collection::vec(event(), 0..4)) {
            let text = calendar(&name, Timestamp(0), &events);
            let lines = unfold(&text)?;
            let value = |line: &String, property: &str| {
                line.strip_prefix(property).and_then(|rest| rest.strip_prefix(':')).map(unescape)
            };
            prop_assert_eq!(value(&lines[4], "X-WR-CALNAME"), Some(as_written(&name)));
            let starts: Vec<usize> = lines.iter().enumerate().filter(|(_, l)| *l == "BEGIN:VEVENT").map(|(i, _)| i).collect();
            prop_assert_eq!(starts.len(), events.len());
            for (event, start) in events.iter().zip(starts) {
                let lines = &lines[start..];
                let find = |property: &str| lines.iter().find_map(|line| value(line, property));
                prop_assert_eq!(find("UID"), Some(as_written(&event.uid)));
                prop_assert_eq!(find("SUMMARY"), Some(as_written(&event.summary)));
                let location = find("LOCATION").filter(|_| !event.location.is_empty());
                prop_assert_eq!(location.unwrap_or_default(), as_written(&event.location));
                let description = find("DESCRIPTION").filter(|_| !event.description.is_empty());
                prop_assert_eq!(description.unwrap_or_default(), as_written(&event.description));
                let url = lines.iter().take_while(|l| *l != "END:VEVENT").find_map(|l| l.strip_prefix("URL:"));
                if let Some(url) = url {
                    prop_assert_eq!(Some(url), event.url.as_deref());
                    prop_assert!(url.starts_with("http") && !url.contains(char::is_whitespace));
                }
            }

            let mut parser = ::ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
            let read = parser.next().expect("a calendar").expect("a valid calendar");
            prop_assert_eq!(read.events.len(), events.len());
            for (event, read) in events.iter().zip(&read.events) {
                let summary = read.properties.iter().find(|p| p.name == "SUMMARY").and_then(|p| p.value.clone());
                // That library trims the end of each line it reads (and a leading colon): a
                // fold must not put anything it would trim at the end of a line.
                let expected = escape_text(&event.summary);
                let expected = expected.trim_end().trim_start_matches(':');
                prop_assert_eq!(summary.as_deref().unwrap_or_default(), expected);
            }
        }
    }
}
