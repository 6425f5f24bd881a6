//! Parsers for the kinds of field the career record is made of: short and long text, dates as
//! people give them (year, year-month or full date, as JSON Resume does), web links, colours,
//! label names and usernames. Each returns the clean value or a sentence for the user.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Deserializer};

/// One line of text: trimmed, no control characters, at most `max` characters. Empty is allowed
/// (use [`required_line`] when it is not).
pub fn line(input: &str, max: usize) -> Result<String, String> {
    let value = input.trim();
    if value.chars().count() > max {
        return Err(format!("At most {max} characters, please (this has {}).", value.chars().count()));
    }
    if value.chars().any(char::is_control) {
        return Err("This cannot contain line breaks or control characters.".into());
    }
    Ok(value.to_owned())
}

/// A list item without the bullet someone typed before it: `- Led…`, `* Led…`, `• Led…`,
/// `– Led…`, `— Led…`, `· Led…` all read `Led…`. A `-` not followed by a space (`-5% churn`)
/// is part of the text.
fn without_bullet(item: &str) -> &str {
    let mut item = item.trim();
    // More than one (`• - Led…`, pasted from a list that had its own) all go, so reading the
    // list back gives the same items.
    loop {
        let rest = ['-', '*', '•', '–', '—', '·', '▪', '◦', '‣'].iter().find_map(|&bullet| {
            let rest = item.strip_prefix(bullet)?;
            // `-5% churn` and `*nix` are text; other bullet characters are bullets anyway.
            let spaced = rest.starts_with(char::is_whitespace) || rest.is_empty();
            (spaced || !matches!(bullet, '-' | '*')).then_some(rest)
        });
        match rest {
            Some(rest) => item = rest.trim_start(),
            None => return item,
        }
    }
}

pub fn required_line(input: &str, max: usize, what: &str) -> Result<String, String> {
    let value = line(input, max)?;
    if value.is_empty() {
        return Err(format!("Enter {what}."));
    }
    Ok(value)
}

/// Text over several lines: line endings made `\n`, trailing space trimmed, no control
/// characters but tabs and line breaks.
pub fn text(input: &str, max: usize) -> Result<String, String> {
    let value = input.replace("\r\n", "\n").replace('\r', "\n");
    let value = value.trim_end().trim_start_matches('\n').to_owned();
    let count = value.chars().count();
    if count > max {
        return Err(format!("At most {max} characters, please (this has {count})."));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err("This contains control characters that cannot be stored.".into());
    }
    Ok(value)
}

/// A list entered one item per line (resume highlights): blank lines dropped, and a bullet
/// typed or pasted in front of an item (`- `, `* `, `• `, `– `) taken off, since the list shows
/// its own.
pub fn lines_list(input: &str, max_items: usize, max_each: usize) -> Result<Vec<String>, String> {
    if input.len() > max_items * (max_each * 4 + 2) {
        return Err(format!("At most {max_items} items of {max_each} characters, please."));
    }
    let items: Vec<&str> = input.lines().map(without_bullet).filter(|l| !l.is_empty()).collect();
    if items.len() > max_items {
        return Err(format!("At most {max_items} items, please (this has {}).", items.len()));
    }
    items
        .into_iter()
        .map(|item| line(item, max_each).map_err(|e| format!("“{}…”: {e}", item.chars().take(20).collect::<String>())))
        .collect()
}

/// A date as people give it on a resume: `2021`, `2021-03` or `2021-03-15`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartialDate {
    year: i32,
    month: Option<u8>,
    day: Option<u8>,
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

impl PartialDate {
    pub const FORMAT_HINT: &'static str = "Use a year (2021), a month (2021-03) or a full date (2021-03-15).";

    pub fn parse(input: &str) -> Result<Self, String> {
        let value = input.trim();
        let bad = || format!("“{}” is not a date. {}", value.chars().take(40).collect::<String>(), Self::FORMAT_HINT);
        let parts: Vec<&str> = value.split('-').collect();
        let number = |s: &str, len: usize| -> Option<u32> {
            (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
        };
        let (year, month, day) = match parts.as_slice() {
            [y] => (number(y, 4).ok_or_else(bad)?, None, None),
            [y, m] => (number(y, 4).ok_or_else(bad)?, Some(number(m, 2).ok_or_else(bad)?), None),
            [y, m, d] => (
                number(y, 4).ok_or_else(bad)?,
                Some(number(m, 2).ok_or_else(bad)?),
                Some(number(d, 2).ok_or_else(bad)?),
            ),
            _ => return Err(bad()),
        };
        if !(1900..=2100).contains(&year) {
            return Err("Give a year between 1900 and 2100.".into());
        }
        let month = match month {
            Some(m @ 1..=12) => Some(m as u8),
            Some(_) => return Err(bad()),
            None => None,
        };
        if let (Some(m), Some(d)) = (month, day) {
            let month = time::Month::try_from(m).map_err(|_| bad())?;
            if d == 0 || d > u32::from(time::util::days_in_month(month, year as i32)) {
                return Err(bad());
            }
        }
        Ok(PartialDate { year: year as i32, month, day: day.map(|d| d as u8) })
    }

    /// An optional date: empty input is `None`.
    pub fn parse_optional(input: &str) -> Result<Option<Self>, String> {
        if input.trim().is_empty() {
            Ok(None)
        } else {
            Self::parse(input).map(Some)
        }
    }

    /// A full date (`2021-03-15`), as a journal entry needs.
    pub fn parse_day(input: &str) -> Result<Self, String> {
        match Self::parse(input)? {
            date @ PartialDate { day: Some(_), .. } => Ok(date),
            _ => Err("Give the full date, such as 2026-03-15.".into()),
        }
    }

    pub fn from_date(date: time::Date) -> Self {
        PartialDate { year: date.year(), month: Some(date.month() as u8), day: Some(date.day()) }
    }

    /// Is `self` certainly earlier than `other`? Compared only as precisely as both are given,
    /// so 2021 is not before 2021-06.
    pub fn is_before(&self, other: &PartialDate) -> bool {
        let pairs = [
            (Some(self.year as i64), Some(other.year as i64)),
            (self.month.map(i64::from), other.month.map(i64::from)),
            (self.day.map(i64::from), other.day.map(i64::from)),
        ];
        for (a, b) in pairs {
            match (a, b) {
                (Some(a), Some(b)) => match a.cmp(&b) {
                    Ordering::Less => return true,
                    Ordering::Greater => return false,
                    Ordering::Equal => continue,
                },
                _ => return false,
            }
        }
        false
    }

    /// "15 Mar": a day without its year, for chart labels.
    pub fn day_and_month(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{d} {}", MONTHS[usize::from(m - 1)]),
            _ => self.human(),
        }
    }

    /// "Mar 2021", "2021" or "15 Mar 2021": for pages.
    pub fn human(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{d} {} {}", MONTHS[usize::from(m - 1)], self.year),
            (Some(m), None) => format!("{} {}", MONTHS[usize::from(m - 1)], self.year),
            _ => self.year.to_string(),
        }
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

/// A stored date text shown to people ("2021-03" → "Mar 2021"); stored text that does not parse
/// is shown as it is.
pub fn human_date(stored: &str) -> String {
    PartialDate::parse(stored).map(|d| d.human()).unwrap_or_else(|_| stored.to_owned())
}

/// A phone number as people write it (a contact's, or the owner's for their resume): digits,
/// spaces and `+ - ( ) .`, at most 40 characters. Empty is allowed.
pub fn phone(input: &str) -> Result<String, String> {
    let value = line(input, 40)?;
    if !value.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
        return Err("Use digits, spaces and + - ( ) only.".into());
    }
    Ok(value)
}

/// An http(s) link, at most 2000 characters. Empty input is `None`.
pub fn optional_web_link(input: &str) -> Result<Option<String>, String> {
    let value = input.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.len() > 2000 {
        return Err("A link has at most 2000 characters.".into());
    }
    let with_scheme = if value.contains("://") { value.to_owned() } else { format!("https://{value}") };
    match url::Url::parse(&with_scheme) {
        Ok(url) if !url.username().is_empty() || url.password().is_some() => {
            Err("A link cannot contain a user name or password.".into())
        }
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| h.contains('.')) => {
            Ok(Some(rfc3986(&url)))
        }
        Ok(_) => Err("Only web links (https://…) can be used here.".into()),
        Err(_) => Err(format!("“{}” is not a web address.", value.chars().take(60).collect::<String>())),
    }
}

/// A parsed link written as RFC 3986 allows, so that it is a URI for any reader: the URL parser
/// (WHATWG) leaves some characters as they are in paths, queries and fragments (`^`, `|`, `\`,
/// `[`, `{`, a second `#`, a `%` not followed by two hex digits); they are percent-encoded here.
fn rfc3986(url: &url::Url) -> String {
    let text = url.as_str();
    let split = url[..url::Position::BeforePath].len();
    let (origin, rest) = text.split_at(split);
    let bytes = rest.as_bytes();
    let mut out = String::with_capacity(text.len());
    out.push_str(origin);
    let mut in_fragment = false;
    for (i, &b) in bytes.iter().enumerate() {
        let keep = match b {
            b'#' if !in_fragment => {
                in_fragment = true;
                true
            }
            b'%' => bytes.get(i + 1..i + 3).is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)),
            _ => b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&b),
        };
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A colour as `#rrggbb` (lower case). Empty input is `None`.
pub fn optional_colour(input: &str) -> Result<Option<String>, String> {
    let value = input.trim().to_ascii_lowercase();
    if value.is_empty() {
        return Ok(None);
    }
    let hex = value.strip_prefix('#').unwrap_or(&value);
    if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(Some(format!("#{hex}")))
    } else {
        Err("Give a colour as #rrggbb, such as #2f6fde.".into())
    }
}

/// One colour of the label palette: its `#rrggbb` and the name a screen reader says for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaletteColour {
    pub hex: &'static str,
    pub name: &'static str,
}

impl PaletteColour {
    /// The ink (`#ffffff` or `#111111`) that reads best on this colour.
    pub fn ink(&self) -> &'static str {
        ink_on(self.hex)
    }
}

/// The label colours: distinct hues that read on light and dark backgrounds. A new label without
/// a colour takes the one the user's labels use least; the label form offers them as swatches.
pub const PALETTE: [PaletteColour; 12] = [
    PaletteColour { hex: "#2f6fde", name: "Blue" },
    PaletteColour { hex: "#d9480f", name: "Rust" },
    PaletteColour { hex: "#2b8a3e", name: "Green" },
    PaletteColour { hex: "#ae3ec9", name: "Grape" },
    PaletteColour { hex: "#e8590c", name: "Orange" },
    PaletteColour { hex: "#0c8599", name: "Teal" },
    PaletteColour { hex: "#c2255c", name: "Raspberry" },
    PaletteColour { hex: "#5f3dc4", name: "Violet" },
    PaletteColour { hex: "#74b816", name: "Lime" },
    PaletteColour { hex: "#1971c2", name: "Ocean" },
    PaletteColour { hex: "#f08c00", name: "Amber" },
    PaletteColour { hex: "#868e96", name: "Grey" },
];

/// WCAG relative luminance of `#rrggbb` (0 black … 1 white); `None` for anything else.
pub fn relative_luminance(hex: &str) -> Option<f64> {
    let digits = hex.strip_prefix('#')?;
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&digits[i..i + 2], 16).unwrap_or(0)) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    Some(0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4))
}

/// The WCAG contrast ratio of two luminances (1 … 21).
fn contrast(a: f64, b: f64) -> f64 {
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// White or near-black, whichever contrasts more with the `#rrggbb` background (near-black for
/// anything that is not a colour).
pub fn ink_on(background: &str) -> &'static str {
    const DARK: (&str, f64) = ("#111111", 0.005_605);
    let Some(bg) = relative_luminance(background) else { return DARK.0 };
    if contrast(bg, 1.0) >= contrast(bg, DARK.1) {
        "#ffffff"
    } else {
        DARK.0
    }
}

pub const LABEL_NAME_MAX: usize = 40;
pub const LABELS_PER_RECORD_MAX: usize = 20;

/// A label's name: one short line. Two names that differ only in case are the same label.
pub fn label_name(input: &str) -> Result<String, String> {
    let name = required_line(input, LABEL_NAME_MAX, "a name for the label")?;
    if name.contains(',') {
        return Err("A label name cannot contain a comma.".into());
    }
    Ok(name)
}

/// The key two label (or skill) names are compared by.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Labels entered as a comma-separated list; duplicates (ignoring case) are dropped. The input
/// is measured before it is taken apart, so an enormous list costs nothing.
pub fn label_list(input: &str) -> Result<Vec<String>, String> {
    if input.len() > LABELS_PER_RECORD_MAX * (LABEL_NAME_MAX * 4 + 2) {
        return Err(too_many_labels());
    }
    distinct_labels(input.split(','))
}

/// Labels sent as a list of names (the API). A name with a comma is refused rather than split in
/// two; a list far too long is refused before any name is looked at.
pub fn listed_labels(names: &[String]) -> Result<Vec<String>, String> {
    if names.len() > LABELS_PER_RECORD_MAX {
        return Err(too_many_labels());
    }
    if names.iter().any(|name| name.contains(',')) {
        return Err("A label name cannot contain a comma.".into());
    }
    distinct_labels(names.iter().map(String::as_str))
}

fn too_many_labels() -> String {
    format!("At most {LABELS_PER_RECORD_MAX} labels on one record.")
}

/// Each name checked, blanks skipped, duplicates (ignoring case) dropped.
fn distinct_labels<'a>(parts: impl Iterator<Item = &'a str>) -> Result<Vec<String>, String> {
    let too_many = too_many_labels;
    let mut names: Vec<String> = Vec::new();
    let mut keys = std::collections::HashSet::new();
    for part in parts.map(str::trim).filter(|p| !p.is_empty()) {
        let name = label_name(part).map_err(|e| format!("“{}”: {e}", part.chars().take(20).collect::<String>()))?;
        if keys.insert(name_key(&name)) {
            names.push(name);
            if names.len() > LABELS_PER_RECORD_MAX {
                return Err(too_many());
            }
        }
    }
    Ok(names)
}

/// A public username: 3 to 30 characters, lower-case letters, digits and single hyphens,
/// starting with a letter. Names the site's own pages use are reserved.
pub fn username(input: &str) -> Result<String, String> {
    let name = input.trim().to_ascii_lowercase();
    let len = name.chars().count();
    if !(3..=30).contains(&len) {
        return Err("A username has 3 to 30 characters.".into());
    }
    if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err("Use only letters a–z, digits and hyphens.".into());
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) || name.ends_with('-') || name.contains("--") {
        return Err("Start with a letter, and do not end with or repeat a hyphen.".into());
    }
    const RESERVED: &[&str] = &[
        "admin",
        "api",
        "app",
        "careerlog",
        "help",
        "journal",
        "login",
        "logout",
        "me",
        "root",
        "settings",
        "signup",
        "static",
        "support",
        "system",
        "u",
        "user",
        "www",
    ];
    if RESERVED.contains(&name.as_str()) {
        return Err(format!("“{name}” is reserved. Choose another username."));
    }
    Ok(name)
}

/// A URL-friendly form of a title: `"Shipped v2.0!"` → `"shipped-v2-0"`.
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "entry".to_owned()
    } else {
        slug
    }
}

/// "10 MB", "1.5 MB", "500 KB" (binary units, as the limit is configured in bytes).
pub fn human_size(bytes: usize) -> String {
    const MB: usize = 1024 * 1024;
    if bytes >= MB {
        let tenths = (bytes * 10 + MB / 2) / MB;
        if tenths.is_multiple_of(10) {
            format!("{} MB", tenths / 10)
        } else {
            format!("{}.{} MB", tenths / 10, tenths % 10)
        }
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// A PATCH: take the new value when one was sent.
pub fn set<T>(target: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *target = value;
    }
}

/// A checkbox in an HTML form: present ("on", "true", "1", "yes") means ticked.
pub fn checkbox<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    let value = String::deserialize(deserializer)?;
    Ok(matches!(value.trim().to_ascii_lowercase().as_str(), "on" | "true" | "1" | "yes"))
}

/// A JSON field that may be cleared with `null`: absent stays `None`, `null` becomes an empty
/// string (which every optional field reads as "no value").
pub fn nullable_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(Some(Option::<String>::deserialize(deserializer)?.unwrap_or_default()))
}

/// A JSON list that may be cleared with `null`: absent stays `None`, `null` is an empty list.
pub fn nullable_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<String>>, D::Error> {
    Ok(Some(Option::<Vec<String>>::deserialize(deserializer)?.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_three_precisions() {
        assert_eq!(PartialDate::parse("2021").unwrap().to_string(), "2021");
        assert_eq!(PartialDate::parse(" 2021-03 ").unwrap().to_string(), "2021-03");
        assert_eq!(PartialDate::parse("2024-02-29").unwrap().human(), "29 Feb 2024");
        for bad in ["", "21", "2021-3", "2021-13", "2023-02-29", "2021-03-15-1", "March 2021", "1800", "2021-00"] {
            assert!(PartialDate::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(PartialDate::parse_day("2021-03").is_err());
    }

    #[test]
    fn before_compares_only_what_both_give() {
        let d = |s| PartialDate::parse(s).unwrap();
        assert!(d("2020").is_before(&d("2021-01")));
        assert!(d("2021-01").is_before(&d("2021-02")));
        assert!(!d("2021").is_before(&d("2021-06")));
        assert!(!d("2021-06").is_before(&d("2021")));
        assert!(!d("2021-06-02").is_before(&d("2021-06-02")));
    }

    #[test]
    fn links_colours_labels_usernames() {
        assert_eq!(optional_web_link("example.com/x").unwrap().as_deref(), Some("https://example.com/x"));
        assert!(optional_web_link("javascript:alert(1)").is_err());
        assert!(optional_web_link("ftp://example.com").is_err());
        assert!(optional_web_link("https://user:secret@example.com").is_err());
        // What is stored is a URI (RFC 3986), not only a URL a browser reads.
        assert_eq!(
            optional_web_link("https://example.com/a^b|c?q=[1]\\x#frag#ment%zz%41").unwrap().as_deref(),
            Some("https://example.com/a%5Eb%7Cc?q=%5B1%5D%5Cx#frag%23ment%25zz%41")
        );
        assert_eq!(optional_colour("#2F6FDE").unwrap().as_deref(), Some("#2f6fde"));
        assert!(optional_colour("red").is_err());
        assert_eq!(ink_on("#ffffff"), "#111111");
        assert_eq!(ink_on("#000000"), "#ffffff");
        assert_eq!(ink_on("#f08c00"), "#111111", "amber is light");
        assert_eq!(ink_on("#5f3dc4"), "#ffffff", "violet is dark");
        assert_eq!(ink_on("nonsense"), "#111111");
        for colour in PALETTE {
            let bg = relative_luminance(colour.hex).unwrap();
            let ink = relative_luminance(colour.ink()).unwrap();
            assert!(contrast(bg, ink) >= 3.0, "{} has a readable check mark", colour.name);
        }
        assert_eq!(label_list("Rust, rust, Leadership ,").unwrap(), vec!["Rust", "Leadership"]);
        assert_eq!(username(" Ada-Lovelace ").unwrap(), "ada-lovelace");
        for bad in ["ab", "1ada", "ada-", "a--b", "admin", "ada lovelace", "adä"] {
            assert!(username(bad).is_err(), "{bad:?}");
        }
        assert_eq!(slugify("Shipped v2.0!"), "shipped-v2-0");
        assert_eq!(slugify("¿¡"), "entry");
    }

    #[test]
    fn text_rules() {
        assert_eq!(text("a\r\nb  \n\n", 10).unwrap(), "a\nb");
        assert!(text("a\u{0}b", 10).is_err());
        assert!(line("a\nb", 10).is_err());
        assert!(required_line("  ", 10, "a role").unwrap_err().contains("a role"));
        assert_eq!(lines_list("one\n\n two \n", 5, 10).unwrap(), vec!["one", "two"]);
        // Issue 12: highlights pasted with their bullets rendered "• - Led…".
        assert_eq!(
            lines_list("- Led the team\n• Cut costs\n* Shipped\n• - Both\n-5% churn\n*nix tools\n–Dash", 10, 40)
                .unwrap(),
            vec!["Led the team", "Cut costs", "Shipped", "Both", "-5% churn", "*nix tools", "Dash"]
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::testing::{awkward_text, date_like, proptest_config, user_text};
    use proptest::prelude::*;

    /// A list of label names as a user might type them.
    fn label_names() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec(prop_oneof!["[A-Za-z][A-Za-z0-9 .+#-]{0,30}", awkward_text(12)], 0..25)
    }

    proptest! {
        #![proptest_config(proptest_config(256))]

        #[test]
        fn a_line_is_trimmed_short_and_has_no_control_characters(input in user_text(), max in 0..100usize) {
            if let Ok(value) = line(&input, max) {
                prop_assert_eq!(value.trim(), value.as_str());
                prop_assert!(value.chars().count() <= max);
                prop_assert!(!value.chars().any(char::is_control));
                prop_assert_eq!(line(&value, max), Ok(value.clone()), "a clean line stays as it is");
            }
            if let Ok(value) = required_line(&input, max, "it") {
                prop_assert!(!value.is_empty());
            }
        }

        #[test]
        fn text_keeps_only_line_breaks_and_tabs_and_is_stable(input in user_text(), max in 0..500usize) {
            if let Ok(value) = text(&input, max) {
                prop_assert!(value.chars().count() <= max);
                prop_assert!(!value.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{value:?}");
                prop_assert!(!value.starts_with('\n') && value.trim_end() == value);
                prop_assert_eq!(text(&value, max), Ok(value.clone()), "clean text stays as it is");
            }
        }

        #[test]
        fn a_lines_list_round_trips_through_its_text(input in user_text(), items in 0..10usize, each in 0..50usize) {
            if let Ok(list) = lines_list(&input, items, each) {
                prop_assert!(list.len() <= items);
                for item in &list {
                    prop_assert_eq!(line(item, each), Ok(item.clone()));
                    prop_assert!(!item.is_empty());
                }
                prop_assert_eq!(lines_list(&list.join("\n"), items, each), Ok(list.clone()));
            }
        }

        #[test]
        fn a_parsed_date_prints_and_parses_back_to_itself(input in date_like()) {
            let parsed = PartialDate::parse(&input);
            // Whatever was stored, something can be shown.
            prop_assert_eq!(human_date(&input).is_empty(), input.is_empty());
            if let Ok(date) = parsed {
                prop_assert_eq!(PartialDate::parse(&date.to_string()), Ok(date));
                prop_assert!((1900..=2100).contains(&date.year));
                prop_assert!(!date.human().is_empty() && !date.day_and_month().is_empty());
                prop_assert!(!date.is_before(&date), "a date is not before itself");
                prop_assert_eq!(PartialDate::parse_day(&input).is_ok(), date.day.is_some());
            }
            if let Ok(Some(date)) = PartialDate::parse_optional(&input) {
                prop_assert_eq!(Ok(date), PartialDate::parse(&input));
            }
        }

        #[test]
        fn every_real_day_from_1900_to_2100_is_a_date(day in 0..73_414i64) {
            let date = time::macros::date!(1900 - 01 - 01) + time::Duration::days(day);
            let partial = PartialDate::from_date(date);
            prop_assert_eq!(PartialDate::parse(&partial.to_string()), Ok(partial));
            prop_assert_eq!(partial.to_string(), date.to_string());
        }

        #[test]
        fn before_is_never_both_ways(a in date_like(), b in date_like()) {
            if let (Ok(a), Ok(b)) = (PartialDate::parse(&a), PartialDate::parse(&b)) {
                prop_assert!(!(a.is_before(&b) && b.is_before(&a)), "{a} and {b}");
            }
        }

        #[test]
        fn a_web_link_is_an_http_uri_and_stable(input in prop_oneof![
            "(https?://)?[a-z0-9.-]{1,20}\\.[a-z]{2,4}(/[ -~]{0,30})?",
            "(https?://|//|javascript:|ftp://|mailto:)?[ -~]{0,40}",
            user_text(),
        ]) {
            if let Ok(Some(link)) = optional_web_link(&input) {
                prop_assert!(link.starts_with("https://") || link.starts_with("http://"), "{link}");
                prop_assert!(link.bytes().all(|b| b.is_ascii_graphic()), "{link:?}");
                let url = url::Url::parse(&link).unwrap();
                prop_assert!(url.username().is_empty() && url.password().is_none());
                prop_assert_eq!(optional_web_link(&link), Ok(Some(link.clone())), "a stored link reads back as itself");
            }
        }

        #[test]
        fn a_colour_is_six_lower_case_hex_digits(input in prop_oneof!["#?[0-9a-fA-F]{5,7}", user_text()]) {
            if let Ok(Some(colour)) = optional_colour(&input) {
                prop_assert!(colour.len() == 7 && colour.starts_with('#'));
                prop_assert!(colour[1..].bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
                prop_assert_eq!(optional_colour(&colour), Ok(Some(colour.clone())));
            }
        }

        #[test]
        fn a_label_list_round_trips(input in prop_oneof![label_names().prop_map(|n| n.join(",")), user_text()]) {
            if let Ok(names) = label_list(&input) {
                prop_assert!(names.len() <= LABELS_PER_RECORD_MAX);
                let keys: std::collections::HashSet<String> = names.iter().map(|n| name_key(n)).collect();
                prop_assert_eq!(keys.len(), names.len(), "no name twice");
                for name in &names {
                    prop_assert_eq!(label_name(name), Ok(name.clone()));
                }
                prop_assert_eq!(label_list(&names.join(", ")), Ok(names.clone()));
                prop_assert_eq!(listed_labels(&names), Ok(names.clone()));
            }
        }

        #[test]
        fn listed_labels_never_split_a_name(names in label_names()) {
            if let Ok(clean) = listed_labels(&names) {
                prop_assert!(clean.iter().all(|name| names.iter().any(|sent| sent.trim() == name)));
            }
        }

        #[test]
        fn a_username_has_the_documented_shape(input in prop_oneof!["[a-zA-Z0-9 -]{0,34}", user_text()]) {
            if let Ok(name) = username(&input) {
                let shape = regex::Regex::new("^[a-z](-?[a-z0-9])+$").unwrap();
                prop_assert!(shape.is_match(&name) && (3..=30).contains(&name.len()), "{name}");
                prop_assert_eq!(username(&name), Ok(name.clone()));
            }
        }

        #[test]
        fn a_slug_is_short_lower_case_and_stable(title in user_text()) {
            let slug = slugify(&title);
            let shape = regex::Regex::new("^[a-z0-9]+(-[a-z0-9]+)*$").unwrap();
            prop_assert!(shape.is_match(&slug) && slug.len() <= 60, "{slug:?}");
            prop_assert_eq!(slugify(&slug), slug);
        }
    }
}
