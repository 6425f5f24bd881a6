//! A job posting read from its page, for "Save a job from its posting URL": the schema.org
//! `JobPosting` in the page's JSON-LD (what most job boards publish, in the shapes they really
//! use), else the page's OpenGraph tags and then its main text; then mapped onto an
//! opportunity's draft for the user to review (or, through the API, to save as it is).

use serde::Deserialize;
use serde_json::{Map, Value};
use url::Url;
use utoipa::ToSchema;

use crate::domain::fields;
use crate::domain::html_text::{self, one_line};
use crate::domain::opportunities::{OpportunityDraft, WorkMode};
use crate::domain::records::{MEDIUM, SHORT};

/// The API's body for `POST /opportunities/from-url`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpportunityFromUrlWrite {
    /// The job posting's address (http or https; `https://` is assumed when left out).
    #[serde(default)]
    #[schema(required = true, format = "uri", min_length = 1, max_length = 2000)]
    pub url: String,
}

/// Why a posting's address cannot be read: the API's error codes (all answered with 422).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostingProblem {
    /// Not a web address, or not http or https.
    InvalidUrl,
    /// A private, loopback, link-local or otherwise non-public address, at first or after a
    /// redirect.
    AddressRefused,
    /// No answer, an error status, or a broken redirect.
    Unreachable,
    TimedOut,
    TooManyRedirects,
    TooLarge,
    /// Not an HTML page (a PDF, an image, JSON).
    NotHtml,
    /// An HTML page with no job posting, title or text in it.
    NotAJobPosting,
}

impl PostingProblem {
    pub const ALL: [PostingProblem; 8] = [
        PostingProblem::InvalidUrl,
        PostingProblem::AddressRefused,
        PostingProblem::Unreachable,
        PostingProblem::TimedOut,
        PostingProblem::TooManyRedirects,
        PostingProblem::TooLarge,
        PostingProblem::NotHtml,
        PostingProblem::NotAJobPosting,
    ];

    /// The stable code the API answers.
    pub const fn code(self) -> &'static str {
        match self {
            PostingProblem::InvalidUrl => "invalid_url",
            PostingProblem::AddressRefused => "address_refused",
            PostingProblem::Unreachable => "unreachable",
            PostingProblem::TimedOut => "timed_out",
            PostingProblem::TooManyRedirects => "too_many_redirects",
            PostingProblem::TooLarge => "too_large",
            PostingProblem::NotHtml => "not_html",
            PostingProblem::NotAJobPosting => "not_a_job_posting",
        }
    }
}

/// What is wrong with a typed address before anything is fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressProblem {
    Missing,
    Invalid(String),
}

/// A posting's address as typed: trimmed, `https://` assumed when no scheme is given (as the
/// opportunity's link field does), http or https only, with a host and no credentials.
pub fn posting_address(typed: &str) -> Result<Url, AddressProblem> {
    let value = typed.trim();
    if value.is_empty() {
        return Err(AddressProblem::Missing);
    }
    if value.chars().count() > 2000 {
        return Err(AddressProblem::Invalid("A link has at most 2000 characters.".into()));
    }
    let with_scheme = if value.contains("://") { value.to_owned() } else { format!("https://{value}") };
    let shown: String = value.chars().take(60).collect();
    let url =
        Url::parse(&with_scheme).map_err(|_| AddressProblem::Invalid(format!("“{shown}” is not a web address.")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(AddressProblem::Invalid("Only http:// and https:// addresses can be read.".into()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(AddressProblem::Invalid("A link cannot contain a user name or password.".into()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(AddressProblem::Invalid(format!("“{shown}” has no host name.")));
    }
    Ok(url)
}

/// Where the posting's fields were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FoundIn {
    /// A schema.org `JobPosting` in the page's JSON-LD.
    #[default]
    JobPosting,
    /// No `JobPosting`: the page's OpenGraph tags, title and text.
    PageMetadata,
}

/// The period a posted salary is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SalaryUnit {
    Year,
    Month,
    Week,
    Day,
    Hour,
    /// A unit we do not know, as the page wrote it.
    Other(String),
}

impl SalaryUnit {
    /// schema.org's `unitText`; none means a year, as job boards use it.
    fn parse(text: Option<&str>) -> SalaryUnit {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else { return SalaryUnit::Year };
        match text.to_ascii_uppercase().trim_start_matches("PER_").trim_start_matches("PER ") {
            "YEAR" | "YEARLY" | "ANNUAL" | "ANNUALLY" | "ANNUM" | "P1Y" => SalaryUnit::Year,
            "MONTH" | "MONTHLY" | "P1M" => SalaryUnit::Month,
            "WEEK" | "WEEKLY" | "P1W" => SalaryUnit::Week,
            "DAY" | "DAILY" | "P1D" => SalaryUnit::Day,
            "HOUR" | "HOURLY" | "PT1H" => SalaryUnit::Hour,
            _ => SalaryUnit::Other(one_line(text).chars().take(30).collect()),
        }
    }

    fn per(&self) -> String {
        match self {
            SalaryUnit::Year => "a year".into(),
            SalaryUnit::Month => "a month".into(),
            SalaryUnit::Week => "a week".into(),
            SalaryUnit::Day => "a day".into(),
            SalaryUnit::Hour => "an hour".into(),
            SalaryUnit::Other(unit) => format!("per {}", unit.to_lowercase()),
        }
    }
}

/// A salary as a posting states it.
#[derive(Debug, Clone, PartialEq)]
pub struct PostedSalary {
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// As the page wrote it, upper-cased; may be empty or not a currency code.
    pub currency: String,
    pub unit: SalaryUnit,
}

impl PostedSalary {
    /// The yearly range in whole units, with its currency code, when the opportunity can keep
    /// it as it is: an opportunity's salary is a yearly amount in a currency.
    pub fn yearly(&self) -> Option<(Option<i64>, Option<i64>, String)> {
        let is_code = self.currency.len() == 3 && self.currency.bytes().all(|b| b.is_ascii_uppercase());
        if self.unit != SalaryUnit::Year || !is_code {
            return None;
        }
        // `None` when an amount is beyond what an opportunity holds.
        let whole = |n: Option<f64>| match n {
            None => Some(None),
            Some(n) if (0.0..=1_000_000_000.0).contains(&n) => Some(Some(n.round() as i64)),
            Some(_) => None,
        };
        let (min, max) = (whole(self.min)?, whole(self.max)?);
        Some((min, max, self.currency.clone()))
    }

    /// In words, for the description when the opportunity cannot keep it in its fields:
    /// "25–30.50 USD an hour".
    pub fn describe(&self) -> String {
        let amount = |n: f64| {
            if n.fract() == 0.0 && n.abs() < 1e15 {
                group_thousands(n as i64)
            } else {
                format!("{n:.2}")
            }
        };
        let range = match (self.min, self.max) {
            (Some(a), Some(b)) if a == b => amount(a),
            (Some(a), Some(b)) => format!("{}–{}", amount(a), amount(b)),
            (Some(a), None) => format!("from {}", amount(a)),
            (None, Some(b)) => format!("up to {}", amount(b)),
            (None, None) => String::new(),
        };
        match self.currency.as_str() {
            "" => format!("{range} {} (currency not stated)", self.unit.per()),
            currency => format!("{range} {currency} {}", self.unit.per()),
        }
    }
}

fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// A job posting as read from its page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Posting {
    pub role: String,
    pub company: String,
    pub location: String,
    pub work_mode: Option<WorkMode>,
    pub salary: Option<PostedSalary>,
    /// Plain text: paragraphs apart, list items on their own lines.
    pub description: String,
    /// The site it is on: `og:site_name`, else the host name.
    pub site: String,
    pub found_in: FoundIn,
}

/// The page has nothing to make an opportunity of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAPosting;

/// Below this many characters, a page's text is not taken for the posting's description when
/// OpenGraph offers one (it is a page of links, a cookie notice, a sign-in form).
const PAGE_TEXT_WORTH_KEEPING: usize = 400;

/// The most a description holds (what the opportunity's form accepts).
pub const DESCRIPTION_MAX: usize = 50_000;

/// Read a posting from a page fetched from `page_url`: a schema.org `JobPosting` first, the
/// page's OpenGraph tags, title and text for what it does not say.
pub fn read_posting(html: &str, page_url: &Url) -> Result<Posting, NotAPosting> {
    let page = html_text::scan(html);
    let host = page_url.host_str().unwrap_or_default();
    let host = host.strip_prefix("www.").unwrap_or(host).to_owned();
    let site = page.meta("og:site_name").map(one_line).filter(|s| !s.is_empty()).unwrap_or(host);
    let job = page.json_ld.iter().filter_map(|block| parse_json_ld(block)).find_map(|value| {
        let found = find_job_posting(&value, 0)?;
        Some(from_job_posting(found))
    });
    let mut posting = match job {
        Some(posting) => posting,
        None => Posting { found_in: FoundIn::PageMetadata, ..Posting::default() },
    };
    if posting.role.is_empty() {
        let candidates = [page.meta("og:title").map(one_line), Some(page.title.clone()), Some(page.heading.clone())];
        posting.role = candidates.into_iter().flatten().find(|t| !t.is_empty()).unwrap_or_default();
    }
    if posting.company.is_empty() {
        posting.company = site.clone();
    }
    if posting.description.is_empty() {
        let summary = page.meta("og:description").or_else(|| page.meta("description")).map(plain_text);
        posting.description = match summary {
            Some(summary) if page.main_text.chars().count() < PAGE_TEXT_WORTH_KEEPING && !summary.is_empty() => summary,
            _ => page.main_text.clone(),
        };
    }
    posting.site = site;
    if posting.role.is_empty() {
        return Err(NotAPosting);
    }
    Ok(posting)
}

impl Posting {
    /// The opportunity's draft, for the user to review: a salary the opportunity cannot keep as
    /// it is (by the hour or month, or without a currency) goes at the top of the description
    /// in words; text is cut to what the form accepts.
    pub fn to_draft(&self, posting_url: &str) -> OpportunityDraft {
        let mut draft = OpportunityDraft::blank();
        draft.role = clip_line(&self.role, SHORT);
        draft.company = clip_line(&self.company, SHORT);
        draft.location = clip_line(&self.location, MEDIUM);
        draft.work_mode = self.work_mode.map(|mode| mode.as_str().to_owned()).unwrap_or_default();
        draft.source = clip_line(&self.site, MEDIUM);
        draft.posting_url = fields::optional_web_link(posting_url).ok().flatten().unwrap_or_default();
        let mut description = self.description.clone();
        if let Some(salary) = &self.salary {
            match salary.yearly() {
                Some((min, max, currency)) => {
                    let (min, max) = match (min, max) {
                        (Some(a), Some(b)) if b < a => (Some(b), Some(a)),
                        other => other,
                    };
                    draft.salary_min = min.map(|n| n.to_string()).unwrap_or_default();
                    draft.salary_max = max.map(|n| n.to_string()).unwrap_or_default();
                    draft.currency = currency;
                }
                None => description = format!("Salary: {}\n\n{description}", salary.describe()),
            }
        }
        draft.description = clip_text(description.trim(), DESCRIPTION_MAX);
        draft
    }
}

/// One line of at most `max` characters: whitespace tidied, cut with an ellipsis.
fn clip_line(text: &str, max: usize) -> String {
    let line = one_line(text);
    if line.chars().count() <= max {
        return line;
    }
    let mut cut: String = line.chars().take(max - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// Text of at most `max` characters, cut at a line break near the end when there is one.
fn clip_text(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max - 2).collect();
    let at = kept.rfind('\n').filter(|at| *at > kept.len() * 9 / 10).unwrap_or(kept.len());
    format!("{}\n…", kept[..at].trim_end())
}

/// A JSON-LD block as sites write it: sometimes inside an HTML comment or a CDATA section, and
/// sometimes with raw line breaks inside strings (not JSON, but common).
fn parse_json_ld(block: &str) -> Option<Value> {
    let mut text = block.trim();
    for (start, end) in [("<!--", "-->"), ("//<![CDATA[", "//]]>"), ("<![CDATA[", "]]>")] {
        if let Some(inner) = text.strip_prefix(start) {
            text = inner.strip_suffix(end).unwrap_or(inner).trim();
        }
    }
    serde_json::from_str(text).ok().or_else(|| {
        let cleaned: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        serde_json::from_str(&cleaned).ok()
    })
}

/// The first object typed `JobPosting`: the block itself, an item of an array, an item of
/// `@graph`, or nested in another object (`mainEntity`).
fn find_job_posting(value: &Value, depth: usize) -> Option<&Map<String, Value>> {
    if depth > 12 {
        return None;
    }
    match value {
        Value::Array(items) => items.iter().find_map(|item| find_job_posting(item, depth + 1)),
        Value::Object(map) if is_type(map, "JobPosting") => Some(map),
        Value::Object(map) => map.values().find_map(|item| find_job_posting(item, depth + 1)),
        _ => None,
    }
}

/// `@type` names `wanted`, alone or in a list, bare or as a full IRI (`https://schema.org/…`,
/// `schema:…`).
fn is_type(map: &Map<String, Value>, wanted: &str) -> bool {
    let named = |value: &Value| {
        value
            .as_str()
            .is_some_and(|t| t.rsplit(['/', ':', '#']).next().unwrap_or(t).trim().eq_ignore_ascii_case(wanted))
    };
    match map.get("@type") {
        Some(Value::Array(types)) => types.iter().any(named),
        Some(value) => named(value),
        None => false,
    }
}

/// The first item of a list, or the value itself.
fn first(value: &Value) -> Option<&Value> {
    match value {
        Value::Array(items) => items.first(),
        Value::Null => None,
        other => Some(other),
    }
}

/// A value as text: a string, a number, or an object's `name` (or `@value`), on one line with
/// entities and tags gone.
fn text_of(value: &Value) -> Option<String> {
    let raw = match first(value)? {
        Value::String(text) => text.clone(),
        Value::Number(n) => n.to_string(),
        Value::Object(map) => return map.get("name").or_else(|| map.get("@value")).and_then(text_of),
        _ => return None,
    };
    let text = if raw.contains(['<', '&']) { one_line(&html_text::to_text(&raw)) } else { one_line(&raw) };
    (!text.is_empty()).then_some(text)
}

fn from_job_posting(job: &Map<String, Value>) -> Posting {
    let text = |key: &str| job.get(key).and_then(text_of).unwrap_or_default();
    let role = Some(text("title")).filter(|t| !t.is_empty()).unwrap_or_else(|| text("name"));
    let location_types: Vec<String> = match job.get("jobLocationType") {
        Some(Value::Array(items)) => items.iter().filter_map(text_of).collect(),
        Some(value) => text_of(value).into_iter().collect(),
        None => Vec::new(),
    };
    let says = |word: &str| location_types.iter().any(|t| t.to_ascii_lowercase().contains(word));
    let work_mode = if says("hybrid") {
        Some(WorkMode::Hybrid)
    } else if says("telecommute") || says("remote") {
        Some(WorkMode::Remote)
    } else {
        None
    };
    let mut location = job.get("jobLocation").map(locations).unwrap_or_default();
    if location.is_empty() && work_mode == Some(WorkMode::Remote) {
        location = job.get("applicantLocationRequirements").map(names).unwrap_or_default();
    }
    Posting {
        role,
        company: job.get("hiringOrganization").and_then(text_of).unwrap_or_default(),
        location,
        work_mode,
        salary: job.get("baseSalary").and_then(salary_of),
        description: job
            .get("description")
            .and_then(first)
            .and_then(Value::as_str)
            .map(description_text)
            .unwrap_or_default(),
        site: String::new(),
        found_in: FoundIn::JobPosting,
    }
}

/// `jobLocation`: one `Place` or several, each "City, Region, Country"; several are joined with
/// `; `.
fn locations(value: &Value) -> String {
    let places: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut seen: Vec<String> = Vec::new();
    for place in places {
        let text = place_text(place);
        if !text.is_empty() && !seen.iter().any(|s| s.eq_ignore_ascii_case(&text)) {
            seen.push(text);
        }
    }
    let all = seen.join("; ");
    match seen.len() {
        n if n > 1 && all.chars().count() > MEDIUM => format!("{} and {} more", seen[0], n - 1),
        _ => all,
    }
}

fn place_text(place: &Value) -> String {
    match place {
        Value::Object(map) => {
            let address = match map.get("address").and_then(first) {
                Some(Value::Object(address)) => {
                    let parts = ["addressLocality", "addressRegion", "addressCountry"]
                        .iter()
                        .filter_map(|key| address.get(*key).and_then(text_of));
                    let mut kept: Vec<String> = Vec::new();
                    for part in parts {
                        if !kept.iter().any(|k| k.eq_ignore_ascii_case(&part)) {
                            kept.push(part);
                        }
                    }
                    kept.join(", ")
                }
                Some(other) => text_of(other).unwrap_or_default(),
                None => String::new(),
            };
            if address.is_empty() {
                map.get("name").and_then(text_of).unwrap_or_default()
            } else {
                address
            }
        }
        other => text_of(other).unwrap_or_default(),
    }
}

/// The names of one place or several (`applicantLocationRequirements`), joined with `, `.
fn names(value: &Value) -> String {
    match value {
        Value::Array(items) => items.iter().filter_map(text_of).collect::<Vec<_>>().join(", "),
        other => text_of(other).unwrap_or_default(),
    }
}

/// `baseSalary`: a `MonetaryAmount` whose `value` is a `QuantitativeValue` (`minValue`,
/// `maxValue` or `value`, and `unitText`), or a plain number; the range may also sit on the
/// amount itself.
fn salary_of(value: &Value) -> Option<PostedSalary> {
    let amount = first(value)?;
    let (currency, min, max, unit) = match amount {
        Value::Object(money) => {
            let currency = money.get("currency").and_then(text_of).unwrap_or_default().to_ascii_uppercase();
            let unit_here = money.get("unitText").and_then(text_of);
            match money.get("value").and_then(first) {
                Some(Value::Object(quantity)) => {
                    let single = number(quantity.get("value"));
                    let unit = quantity.get("unitText").and_then(text_of).or(unit_here);
                    let min = number(quantity.get("minValue")).or(single);
                    let max = number(quantity.get("maxValue")).or(single);
                    (currency, min, max, unit)
                }
                Some(plain) => {
                    let single = number(Some(plain));
                    (currency, single, single, unit_here)
                }
                None => (currency, number(money.get("minValue")), number(money.get("maxValue")), unit_here),
            }
        }
        plain => {
            let single = number(Some(plain));
            (String::new(), single, single, None)
        }
    };
    if min.is_none() && max.is_none() {
        return None;
    }
    Some(PostedSalary { min, max, currency, unit: SalaryUnit::parse(unit.as_deref()) })
}

/// A number as JSON-LD gives it: a number, or text such as `"85,000.00"` or `"$85000"`.
fn number(value: Option<&Value>) -> Option<f64> {
    let n = match value? {
        Value::Number(n) => n.as_f64()?,
        Value::String(text) => {
            let digits: String = text.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect();
            digits.parse::<f64>().ok()?
        }
        _ => return None,
    };
    (n.is_finite() && n >= 0.0).then_some(n)
}

/// A posting's description: HTML (sometimes escaped once more, `&lt;p&gt;`) as plain text with
/// its paragraphs and lists, or plain text with its line breaks kept.
fn description_text(raw: &str) -> String {
    let has_tags = |text: &str| {
        text.as_bytes().windows(2).any(|pair| pair[0] == b'<' && (pair[1].is_ascii_alphabetic() || pair[1] == b'/'))
    };
    if has_tags(raw) {
        return html_text::to_text(raw);
    }
    let decoded = html_text::to_text(raw);
    if has_tags(&decoded) {
        return html_text::to_text(&decoded);
    }
    plain_text(raw)
}

/// Plain text with its line breaks kept (each line tidied, entities decoded), at most one blank
/// line in a row.
fn plain_text(raw: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in raw.lines().map(html_text::to_text) {
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        out.push_str(&line);
        blank = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(json_ld: &str) -> String {
        format!(
            "<html><head><title>Jobs at Example</title><script type=\"application/ld+json\">{json_ld}</script></head>\
             <body><main><p>Page text.</p></main></body></html>"
        )
    }

    fn read(html: &str) -> Posting {
        read_posting(html, &Url::parse("https://www.jobs.example.com/postings/42").unwrap()).unwrap()
    }

    #[test]
    fn a_single_job_posting_with_nested_organization_salary_range_and_html_description() {
        let posting = read(&page(
            r#"{"@context": "https://schema.org/", "@type": "JobPosting", "title": "Senior Rust Engineer",
                "hiringOrganization": {"@type": "Organization", "name": "Ferris &amp; Co", "sameAs": "https://ferris.example"},
                "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Berlin",
                    "addressRegion": "BE", "addressCountry": {"@type": "Country", "name": "DE"}}},
                "baseSalary": {"@type": "MonetaryAmount", "currency": "eur",
                    "value": {"@type": "QuantitativeValue", "minValue": 85000, "maxValue": "105,000.00", "unitText": "YEAR"}},
                "description": "<p>Build <b>fast</b> things.</p><ul><li>Rust</li><li>PostgreSQL</li></ul>"}"#,
        ));
        assert_eq!(posting.role, "Senior Rust Engineer");
        assert_eq!(posting.company, "Ferris & Co");
        assert_eq!(posting.location, "Berlin, BE, DE");
        assert_eq!(posting.work_mode, None);
        assert_eq!(
            posting.salary,
            Some(PostedSalary {
                min: Some(85_000.0),
                max: Some(105_000.0),
                currency: "EUR".into(),
                unit: SalaryUnit::Year
            })
        );
        assert_eq!(posting.description, "Build fast things.\n\n- Rust\n- PostgreSQL");
        assert_eq!(posting.site, "jobs.example.com");
        assert_eq!(posting.found_in, FoundIn::JobPosting);
        let draft = posting.to_draft("https://www.jobs.example.com/postings/42");
        assert_eq!(
            (draft.salary_min.as_str(), draft.salary_max.as_str(), draft.currency.as_str()),
            ("85000", "105000", "EUR")
        );
        assert_eq!(draft.posting_url, "https://www.jobs.example.com/postings/42");
        assert_eq!(draft.status, "saved");
        assert_eq!(draft.source, "jobs.example.com");
        assert!(crate::domain::records::Draft::validate(&draft).is_ok());
    }

    #[test]
    fn graphs_arrays_type_lists_and_plain_string_organizations_are_found() {
        let in_graph = read(&page(
            r#"{"@context": "https://schema.org", "@graph": [{"@type": "WebPage", "name": "Careers"},
                {"@type": ["Thing", "schema:JobPosting"], "title": "Data Analyst", "hiringOrganization": "Acme Analytics",
                 "jobLocation": [{"@type": "Place", "address": {"addressLocality": "Paris", "addressCountry": "FR"}},
                                 {"@type": "Place", "address": {"addressLocality": "Lyon", "addressCountry": "FR"}},
                                 {"@type": "Place", "address": {"addressLocality": "Paris", "addressCountry": "FR"}}]}]}"#,
        ));
        assert_eq!((in_graph.role.as_str(), in_graph.company.as_str()), ("Data Analyst", "Acme Analytics"));
        assert_eq!(in_graph.location, "Paris, FR; Lyon, FR");
        let in_array = read(&page(
            r#"[{"@type": "Organization", "name": "Not this"}, {"@type": "http://schema.org/JobPosting", "name": "Nurse",
                 "hiringOrganization": [{"name": "City Hospital"}], "jobLocation": {"address": "12 High St, Leeds"}}]"#,
        ));
        assert_eq!((in_array.role.as_str(), in_array.company.as_str()), ("Nurse", "City Hospital"));
        assert_eq!(in_array.location, "12 High St, Leeds");
        let nested = read(&page(r#"{"@type": "WebPage", "mainEntity": {"@type": "JobPosting", "title": "Chef"}}"#));
        assert_eq!(nested.role, "Chef");
    }

    #[test]
    fn telecommute_is_remote_and_the_applicant_locations_are_the_location() {
        let posting = read(&page(
            r#"{"@type": "JobPosting", "title": "Support Engineer", "jobLocationType": "TELECOMMUTE",
                "applicantLocationRequirements": [{"@type": "Country", "name": "USA"}, {"@type": "Country", "name": "Canada"}]}"#,
        ));
        assert_eq!(posting.work_mode, Some(WorkMode::Remote));
        assert_eq!(posting.location, "USA, Canada");
        let listed = read(&page(r#"{"@type": "JobPosting", "title": "SRE", "jobLocationType": ["telecommute"]}"#));
        assert_eq!(listed.work_mode, Some(WorkMode::Remote));
        assert_eq!(listed.to_draft("https://x.example/1").work_mode, "remote");
    }

    #[test]
    fn hourly_monthly_and_currencyless_salaries_go_in_the_description() {
        let hourly = read(&page(
            r#"{"@type": "JobPosting", "title": "Barista", "description": "Make coffee.",
                "baseSalary": {"@type": "MonetaryAmount", "currency": "USD",
                    "value": {"@type": "QuantitativeValue", "value": 18.5, "unitText": "HOUR"}}}"#,
        ));
        let draft = hourly.to_draft("https://x.example/1");
        assert_eq!((draft.salary_min.as_str(), draft.currency.as_str()), ("", ""));
        assert_eq!(draft.description, "Salary: 18.50 USD an hour\n\nMake coffee.");
        let monthly = read(&page(
            r#"{"@type": "JobPosting", "title": "Designer", "baseSalary": {"currency": "PLN",
                "value": {"minValue": 12000, "maxValue": 15000, "unitText": "MONTH"}}}"#,
        ));
        // Without a description of its own, the page's text is the description.
        assert_eq!(
            monthly.to_draft("https://x.example/1").description,
            "Salary: 12,000–15,000 PLN a month\n\nPage text."
        );
        let no_currency =
            read(&page(r#"{"@type": "JobPosting", "title": "Tester", "baseSalary": {"value": {"minValue": 50000}}}"#));
        assert_eq!(
            no_currency.to_draft("https://x.example/1").description,
            "Salary: from 50,000 a year (currency not stated)\n\nPage text."
        );
        let single = read(&page(
            r#"{"@type": "JobPosting", "title": "Cook", "baseSalary": {"currency": "GBP", "value": 32000}}"#,
        ));
        let draft = single.to_draft("https://x.example/1");
        assert_eq!(
            (draft.salary_min.as_str(), draft.salary_max.as_str(), draft.currency.as_str()),
            ("32000", "32000", "GBP")
        );
    }

    #[test]
    fn escaped_html_and_plain_text_descriptions_are_read() {
        let escaped = read(&page(
            r#"{"@type": "JobPosting", "title": "Writer", "description": "&lt;p&gt;First &amp;amp; foremost.&lt;/p&gt;&lt;ol&gt;&lt;li&gt;One&lt;/li&gt;&lt;li&gt;Two&lt;/li&gt;&lt;/ol&gt;"}"#,
        ));
        assert_eq!(escaped.description, "First & foremost.\n\n1. One\n2. Two");
        let plain = read(&page(
            r#"{"@type": "JobPosting", "title": "Writer", "description": "Line one\nLine two\n\n\n\nNew paragraph"}"#,
        ));
        assert_eq!(plain.description, "Line one\nLine two\n\nNew paragraph");
        let broken_json = read(&page("<!--{\"@type\": \"JobPosting\", \"title\": \"Two\nlines\"}-->"));
        assert_eq!(broken_json.role, "Two lines");
    }

    #[test]
    fn without_a_job_posting_opengraph_then_the_page_is_read() {
        let html = r#"<html><head><title>Careers | Acme</title>
            <meta property="og:title" content="Product Manager">
            <meta property="og:site_name" content="Acme Careers">
            <meta property="og:description" content="Lead our roadmap.">
            <script type="application/ld+json">{"@type": "Organization", "name": "Acme"}</script></head>
            <body><nav>Jobs</nav><main><h1>Product Manager</h1><p>Short.</p></main></body></html>"#;
        let posting = read(html);
        assert_eq!(posting.found_in, FoundIn::PageMetadata);
        assert_eq!((posting.role.as_str(), posting.company.as_str()), ("Product Manager", "Acme Careers"));
        assert_eq!(posting.description, "Lead our roadmap.");
        assert_eq!(posting.site, "Acme Careers");
        let long_text = "Work with us. ".repeat(40);
        let bare =
            format!("<title>Welder</title><article><h2>About</h2><p>{long_text}</p></article><footer>x</footer>");
        let posting = read(&bare);
        assert_eq!((posting.role.as_str(), posting.company.as_str()), ("Welder", "jobs.example.com"));
        assert!(posting.description.starts_with("About\n\nWork with us."), "{}", posting.description);
        assert_eq!(
            read_posting("<html><body><script>x()</script></body></html>", &Url::parse("https://a.example").unwrap()),
            Err(NotAPosting)
        );
    }

    #[test]
    fn the_draft_fits_the_form() {
        let posting = Posting {
            role: "R".repeat(300),
            company: "Acme\nInc".into(),
            location: "L".repeat(150),
            description: "word ".repeat(20_000),
            site: "jobs.example.com".into(),
            ..Posting::default()
        };
        let draft = posting.to_draft("http://localhost:8080/job");
        assert_eq!(draft.role.chars().count(), SHORT);
        assert!(draft.role.ends_with('…'));
        assert_eq!(draft.company, "Acme Inc");
        assert_eq!(draft.location.chars().count(), MEDIUM);
        assert!(draft.description.chars().count() <= DESCRIPTION_MAX);
        assert_eq!(draft.posting_url, "", "a link the opportunity cannot keep is left out");
        assert!(crate::domain::records::Draft::validate(&draft).is_ok());
    }

    #[test]
    fn addresses_are_read_as_typed() {
        assert_eq!(posting_address("  "), Err(AddressProblem::Missing));
        assert_eq!(posting_address("jobs.example.com/1").unwrap().as_str(), "https://jobs.example.com/1");
        for bad in ["ftp://jobs.example.com/1", "javascript:alert(1)", "https://u:p@jobs.example.com/", "http://"] {
            assert!(matches!(posting_address(bad), Err(AddressProblem::Invalid(_))), "{bad}");
        }
        let codes: Vec<&str> = PostingProblem::ALL.iter().map(|p| p.code()).collect();
        assert_eq!(codes.len(), codes.iter().collect::<std::collections::BTreeSet<_>>().len(), "codes are distinct");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::domain::records::Draft;
    use crate::testing::{awkward_text, proptest_config, user_text};
    use proptest::prelude::*;

    /// A JSON-LD `JobPosting` whose fields are any text, numbers or nested shapes.
    fn hostile_posting() -> impl Strategy<Value = String> {
        let text = || prop_oneof![user_text().prop_map(Value::String), any::<f64>().prop_map(json_number)];
        let nested = || {
            prop_oneof![
                text(),
                text().prop_map(|name| serde_json::json!({"name": name})),
                proptest::collection::vec(text(), 0..4).prop_map(Value::Array),
            ]
        };
        (nested(), nested(), nested(), nested(), nested(), nested(), nested(), nested()).prop_map(
            |(title, organization, locality, country, location_type, min, unit, description)| {
                serde_json::json!({
                    "@context": "https://schema.org", "@type": "JobPosting", "title": title,
                    "hiringOrganization": organization,
                    "jobLocation": {"@type": "Place", "address": {"addressLocality": locality, "addressCountry": country}},
                    "jobLocationType": location_type,
                    "baseSalary": {"currency": "USD", "value": {"minValue": min, "maxValue": min, "unitText": unit}},
                    "description": description,
                })
                .to_string()
            },
        )
    }

    fn json_number(n: f64) -> Value {
        serde_json::Number::from_f64(n).map(Value::Number).unwrap_or(Value::Null)
    }

    proptest! {
        #![proptest_config(proptest_config(128))]

        /// Whatever a page holds, reading it never panics, and what it gives fits the form: the
        /// draft the API saves as it is always validates.
        #[test]
        fn any_page_reads_into_a_draft_that_validates(
            json_ld in prop_oneof![hostile_posting(), awkward_text(200)],
            body in awkward_text(300),
            title in user_text(),
        ) {
            let page = format!(
                "<html><head><title>{title}</title><script type=\"application/ld+json\">{json_ld}</script></head>\
                 <body><main>{body}</main></body></html>"
            );
            let url = Url::parse("https://jobs.example.com/1").unwrap();
            if let Ok(posting) = read_posting(&page, &url) {
                prop_assert!(!posting.role.is_empty());
                let draft = posting.to_draft(url.as_str());
                prop_assert!(draft.validate().is_ok(), "{:?}", draft.validate().err());
            }
        }

        #[test]
        fn any_fragment_becomes_text_without_control_characters(fragment in awkward_text(300)) {
            let text = html_text::to_text(&fragment);
            prop_assert!(!text.chars().any(|c| c.is_control() && c != '\n'));
            prop_assert_eq!(text.trim(), text.as_str());
        }
    }
}
