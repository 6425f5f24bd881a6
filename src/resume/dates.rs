//! Dates as resumes write them: "Jan 2020 – Present", "01/2020 - 03/2022", "2019–2021",
//! "March 2017 to Now", "Since 2020", "Sept. '19", "Summer 2018", each turned into an ISO
//! partial date ("2020", "2020-03").

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// A year, or a year and a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PartialDate {
    pub year: u16,
    pub month: Option<u8>,
}

impl PartialDate {
    /// "2020" or "2020-03".
    pub fn iso(&self) -> String {
        match self.month {
            Some(month) => format!("{:04}-{:02}", self.year, month),
            None => format!("{:04}", self.year),
        }
    }
}

/// A span of time. `end` is `None` for an ongoing one ("– Present", "Since 2020").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub start: PartialDate,
    pub end: Option<PartialDate>,
}

const MONTH: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";
/// Month names in German, French, Spanish, Italian and Dutch too. Matched only on lines the
/// English patterns find nothing in and that hold such a word: the longer alternation is
/// noticeably slower on every line.
const ANY_MONTH: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|mär|mai|juni|juli|okt(?:ober)?|dez(?:ember)?|janv(?:ier)?|févr?(?:ier)?|fevr?(?:ier)?|mars|avr(?:il)?|juin|juil(?:let)?|août|aout|sept(?:embre)?|oct(?:obre)?|nov(?:embre)?|déc(?:embre)?|ene(?:ro)?|febrero|marzo|abr(?:il)?|mayo|junio|julio|ago(?:sto)?|septiembre|set(?:iembre|tembre)?|octubre|noviembre|dic(?:iembre|embre)?|gen(?:naio)?|febbraio|aprile|magg?(?:io)?|giu(?:gno)?|lug(?:lio)?|ott(?:obre)?|maart|mei|okt)\.?";
/// The first letters of the words [`ANY_MONTH`] adds, and of the added "present" words.
const OTHER_MONTH_STEMS: &[&str] = &[
    "mär", "mai", "okt", "dez", "fév", "fev", "avr", "jui", "aoû", "aou", "déc", "ene", "abr", "ago", "set", "dic",
    "gen", "mag", "giu", "lug", "ott", "maa", "mei", "heu", "akt", "jet", "auj", "pré", "act", "pre", "ogg", "att",
    "hed", "nu",
];

fn has_other_month(text: &str) -> bool {
    text.split(|c: char| !c.is_alphabetic()).any(|word| {
        let lower: String = word.chars().take(3).flat_map(char::to_lowercase).collect();
        OTHER_MONTH_STEMS.contains(&lower.as_str())
    })
}
const YEAR: &str = r"(?:19[5-9]\d|20\d\d)";
const SEASON: &str = r"(?:spring|summer|fall|autumn|winter)";
const PRESENT: &str = r"(?:present|current(?:ly)?|now|today|ongoing|to\s+date|till\s+date|date)";
const ANY_PRESENT: &str = r"(?:present|current(?:ly)?|now|today|ongoing|to\s+date|till\s+date|date|heute|aktuell|jetzt|aujourd'hui|présent|actualidad|presente|oggi|attuale|heden|nu)";
const SEPARATOR: &str = r"\s*(?:-{1,2}|–|—|‒|−|~|\bto\b|\buntil\b|\btill\b|\bthrough\b|\bthru\b)\s*";

/// One date: "Jan 2020", "January, 2020", "Jan '20", "01/2020", "2020-01", "Summer 2018", "2020".
fn date_pattern(month: &str) -> String {
    format!(
        r"(?:{month}\s*,?\s*(?:{YEAR}|'\d\d)|(?:0?[1-9]|1[0-2])\s*[/.]\s*{YEAR}|{YEAR}\s*[/.-]\s*(?:0[1-9]|1[0-2])\b|{SEASON}\s+{YEAR}|{YEAR})"
    )
}

fn range_pattern(month: &str, present: &str) -> String {
    let date = date_pattern(month);
    // Alternatives, longest first: "Jan – Mar 2020" (one year for both months), a full
    // range, "Since 2020", and an open "2020 –" at the end of a line.
    format!(
        r"(?i)\b(?:(?P<m1>{month})\s*(?:-|–|—|to)\s*(?P<m2>{month})\s+(?P<y>{YEAR})|(?:(?:from|since)\s+)?(?P<start>{date}){SEPARATOR}(?P<end>{date}|{present})|(?:since|from|started|starting)\s+(?P<since>{date})|(?P<open>{date})\s*(?:-|–|—)\s*$)(?:\b|$)"
    )
}

static RANGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&range_pattern(MONTH, PRESENT)).expect("the date range pattern is valid"));
static ANY_RANGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&range_pattern(ANY_MONTH, ANY_PRESENT)).expect("the date range pattern is valid"));

static SINGLE: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(r"(?i)\b(?P<date>{})(?:\b|$)", date_pattern(MONTH));
    Regex::new(&pattern).expect("the date pattern is valid")
});
static ANY_SINGLE: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(r"(?i)\b(?P<date>{})(?:\b|$)", date_pattern(ANY_MONTH));
    Regex::new(&pattern).expect("the date pattern is valid")
});

static PRESENT_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)^{ANY_PRESENT}$")).expect("the present pattern is valid"));

fn month_number(name: &str) -> Option<u8> {
    let name = name.trim_end_matches('.').to_lowercase();
    // Month names in German, French, Spanish, Italian and Dutch as well, by their first letters.
    let months: [&[&str]; 12] = [
        &["jan", "ene", "gen"],
        &["feb", "fév", "fev"],
        &["mar", "mär", "maa"],
        &["apr", "avr", "abr"],
        &["may", "mai", "mag", "mei"],
        &["jun", "jui", "giu"],
        &["jul", "lug"],
        &["aug", "aoû", "aou", "ago"],
        &["sep", "set"],
        &["oct", "okt", "ott"],
        &["nov"],
        &["dec", "dez", "déc", "dic"],
    ];
    let prefix: String = name.chars().take(3).collect();
    // "juillet" and "juin" share "jui": the fourth letter tells them apart.
    if prefix == "jui" {
        return Some(if name.starts_with("juil") { 7 } else { 6 });
    }
    months.iter().position(|m| m.contains(&prefix.as_str())).and_then(|i| u8::try_from(i + 1).ok())
}

/// The date in one matched date text.
fn parse_date(text: &str) -> Option<PartialDate> {
    let text = text.trim();
    let digits: Vec<&str> = text.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).collect();
    let first_alpha: String = text.chars().take_while(|c| c.is_alphabetic()).collect();
    if !first_alpha.is_empty() {
        let year = match digits.last() {
            Some(y) if y.len() == 4 => y.parse().ok()?,
            // "Jan '20": a two-digit year is this century up to the next decade's start.
            Some(y) if y.len() == 2 => {
                let short: u16 = y.parse().ok()?;
                if short <= 40 {
                    2000 + short
                } else {
                    1900 + short
                }
            }
            _ => return None,
        };
        return Some(PartialDate { year, month: month_number(&first_alpha) });
    }
    match digits.as_slice() {
        [year] if year.len() == 4 => Some(PartialDate { year: year.parse().ok()?, month: None }),
        [a, b] if a.len() == 4 => Some(PartialDate { year: a.parse().ok()?, month: Some(b.parse().ok()?) }),
        [a, b] if b.len() == 4 => Some(PartialDate { year: b.parse().ok()?, month: Some(a.parse().ok()?) }),
        _ => None,
    }
    .filter(|d| d.month.is_none_or(|m| (1..=12).contains(&m)))
}

/// The first date range in `text`, and where it is.
pub fn find_range(text: &str) -> Option<(Range<usize>, DateRange)> {
    range_with(&RANGE, text).or_else(|| has_other_month(text).then(|| range_with(&ANY_RANGE, text)).flatten())
}

fn range_with(pattern: &Regex, text: &str) -> Option<(Range<usize>, DateRange)> {
    for captures in pattern.captures_iter(text) {
        let whole = captures.get(0)?;
        let range =
            if let (Some(m1), Some(m2), Some(y)) = (captures.name("m1"), captures.name("m2"), captures.name("y")) {
                let year = y.as_str().parse().ok();
                year.map(|year| DateRange {
                    start: PartialDate { year, month: month_number(m1.as_str()) },
                    end: Some(PartialDate { year, month: month_number(m2.as_str()) }),
                })
            } else if let (Some(start), Some(end)) = (captures.name("start"), captures.name("end")) {
                let start = parse_date(start.as_str());
                let end_text = end.as_str();
                if PRESENT_WORD.is_match(end_text.trim()) {
                    start.map(|start| DateRange { start, end: None })
                } else {
                    match (start, parse_date(end_text)) {
                        // "Jan – Mar 2020" written "Jan 2020 – Mar": rare; "2019 – 2021" common.
                        (Some(start), Some(end)) if end >= start || end.year == start.year => {
                            Some(DateRange { start, end: Some(end) })
                        }
                        _ => None,
                    }
                }
            } else if let Some(since) = captures.name("since").or(captures.name("open")) {
                parse_date(since.as_str()).map(|start| DateRange { start, end: None })
            } else {
                None
            };
        if let Some(range) = range {
            return Some((whole.range(), range));
        }
    }
    None
}

/// The first single date in `text` ("May 2019", "2021"), and where it is.
pub fn find_date(text: &str) -> Option<(Range<usize>, PartialDate)> {
    let first = |pattern: &Regex| {
        pattern.captures_iter(text).find_map(|c| {
            let m = c.name("date")?;
            parse_date(m.as_str()).map(|date| (m.range(), date))
        })
    };
    // A foreign month name before a year the English pattern took alone ("Okt. 2021").
    match first(&SINGLE) {
        Some(found) if has_other_month(text) => {
            first(&ANY_SINGLE).filter(|f| f.0.start < found.0.start).or(Some(found))
        }
        found => found.or_else(|| has_other_month(text).then(|| first(&ANY_SINGLE)).flatten()),
    }
}

/// `text` without the part at `span`, and without separators left dangling at its ends.
pub fn remove_span(text: &str, span: Range<usize>) -> String {
    let before = text.get(..span.start).unwrap_or_default();
    let after = text.get(span.end..).unwrap_or_default();
    let joined = format!("{}\t{}", before.trim_end(), after.trim_start());
    trim_separators(&joined).to_string()
}

/// "Acme, |" → "Acme"; "Acme (" → "Acme"; "Administrator (CNCF)" stays whole.
pub fn trim_separators(text: &str) -> &str {
    let mut text = text;
    loop {
        let trimmed = text.trim_matches(|c: char| {
            c.is_whitespace() || matches!(c, ',' | '|' | '–' | '—' | '-' | '·' | '•' | ':' | ';' | '/')
        });
        // A parenthesis without its partner is left over from a removed date.
        let trimmed = match (trimmed.strip_suffix('('), trimmed.strip_prefix(')')) {
            (Some(rest), _) | (None, Some(rest)) => rest,
            _ if trimmed.ends_with(')') && !trimmed.contains('(') => &trimmed[..trimmed.len() - 1],
            _ if trimmed.starts_with('(') && !trimmed.contains(')') => &trimmed[1..],
            _ => trimmed,
        };
        if trimmed.len() == text.len() {
            return trimmed;
        }
        text = trimmed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(text: &str) -> Option<(String, Option<String>)> {
        find_range(text).map(|(_, r)| (r.start.iso(), r.end.map(|e| e.iso())))
    }

    fn some(start: &str, end: Option<&str>) -> Option<(String, Option<String>)> {
        Some((start.to_string(), end.map(str::to_string)))
    }

    #[test]
    fn the_usual_spellings_of_a_range_are_read() {
        assert_eq!(range("Jan 2020 – Present"), some("2020-01", None));
        assert_eq!(range("01/2020 - 03/2022"), some("2020-01", Some("2022-03")));
        assert_eq!(range("2019–2021"), some("2019", Some("2021")));
        assert_eq!(range("March 2017 to Now"), some("2017-03", None));
        assert_eq!(range("Since 2020"), some("2020", None));
        assert_eq!(range("Sept. 2018 — Current"), some("2018-09", None));
        assert_eq!(range("Engineer, Acme\tJune 2020 -- Aug 2021"), some("2020-06", Some("2021-08")));
        assert_eq!(range("2020-03 – 2021-11"), some("2020-03", Some("2021-11")));
        assert_eq!(range("Jan – Mar 2020"), some("2020-01", Some("2020-03")));
        assert_eq!(range("Summer 2018 - Fall 2019"), some("2018", Some("2019")));
        assert_eq!(range("May '19 - Jul '21"), some("2019-05", Some("2021-07")));
        assert_eq!(range("Acme 2021 -"), some("2021", None));
        assert_eq!(range("January, 2015 until December, 2016"), some("2015-01", Some("2016-12")));
        assert_eq!(range("Okt. 2021 – heute"), some("2021-10", None));
        assert_eq!(range("juil. 2019 - déc. 2020"), some("2019-07", Some("2020-12")));
    }

    #[test]
    fn things_that_are_not_ranges_are_not_read_as_ranges() {
        assert_eq!(range("Managed 2000 servers"), None);
        assert_eq!(range("+1 415-555-2020"), None);
        assert_eq!(range("Reduced costs by 30-40%"), None);
        assert_eq!(range("Windows 2012 - 2008"), None);
    }

    #[test]
    fn single_dates_and_span_removal() {
        assert_eq!(find_date("Graduated May 2019").map(|(_, d)| d.iso()), Some("2019-05".into()));
        let (span, _) = find_range("Acme Corp | Jan 2020 - Dec 2021").unwrap();
        assert_eq!(remove_span("Acme Corp | Jan 2020 - Dec 2021", span), "Acme Corp");
    }
}
