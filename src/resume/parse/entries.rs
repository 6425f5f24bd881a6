//! Dated entries: positions held, schooling, projects.
//!
//! An entry is anchored on the line that holds its date range. Its header is that line plus
//! the short title-like lines just before it (a company above a role) or just after it (a
//! company under a role), as long as the header still lacks a role or a company; bullets below
//! become highlights and other lines the description.

use std::sync::LazyLock;

use regex::Regex;

use super::contact::{find_urls, is_location, role_score};
use super::lines::{bullet_body, fields, is_bullet, is_title_like, join_wrapped, list_items};
use crate::resume::dates::{find_date, find_range, remove_span, DateRange, PartialDate};
use crate::resume::json_resume::{Education, Project, Work};

/// One entry's lines, split into its header and its body.
#[derive(Debug, Default)]
struct RawEntry {
    header: Vec<String>,
    dates: Option<DateRange>,
    body: Vec<String>,
}

/// The dates of an entry's line: a range, or one date alone in the line's last column
/// ("Intern\tSummer 2017", a short job or a single term).
fn line_dates(line: &str) -> Option<(std::ops::Range<usize>, DateRange)> {
    if let Some(found) = find_range(line) {
        return Some(found);
    }
    let (before, last) = line.rsplit_once('\t')?;
    let (span, date) = find_date(last)?;
    let offset = before.len() + 1;
    (last[..span.start].trim().is_empty() && last[span.end..].trim().is_empty())
        .then(|| (offset + span.start..offset + span.end, DateRange { start: date, end: Some(date) }))
}

/// The line without its dates.
fn without_dates(line: &str) -> String {
    match line_dates(line) {
        Some((span, _)) => remove_span(line, span),
        None => line.to_string(),
    }
}

/// Splits a section's lines into entries by their date ranges (see the module comment).
fn split_entries(lines: &[String]) -> Vec<RawEntry> {
    let lines = join_wrapped(lines);
    let anchors: Vec<usize> =
        (0..lines.len()).filter(|&i| !is_bullet(&lines[i]) && line_dates(&lines[i]).is_some()).collect();
    if anchors.is_empty() {
        return split_undated(&lines);
    }
    let mut entries = Vec::new();
    let mut taken_until = 0; // lines before this index belong to an earlier entry
    let mut starts = Vec::new();
    let mut ends = Vec::new();
    for (k, &anchor) in anchors.iter().enumerate() {
        let next_anchor = anchors.get(k + 1).copied().unwrap_or(lines.len());
        let mut start = anchor;
        let mut parts = header_parts(&lines[anchor]);
        // Title-like lines just above: a company above the role, a role above the dates.
        while start > taken_until && anchor - start < 2 {
            let above = &lines[start - 1];
            if above.is_empty() || !is_title_like(above) || is_bullet(above) {
                break;
            }
            start -= 1;
            parts += header_parts(above);
        }
        let mut end = anchor + 1;
        // Lines just below, while the header lacks a role or a company, or a place alone.
        while end < next_anchor && end - anchor <= 2 {
            let below = &lines[end];
            if below.is_empty() || is_bullet(below) || !is_title_like(below) {
                break;
            }
            let place_only = fields(below).iter().all(|f| is_location(f));
            if parts >= 2 && !place_only {
                break;
            }
            // The next entry's company above its role: leave it for that entry.
            if end + 1 == next_anchor && parts >= 2 {
                break;
            }
            parts += header_parts(below);
            end += 1;
        }
        starts.push(start);
        ends.push(end);
        taken_until = end;
    }
    for (k, &anchor) in anchors.iter().enumerate() {
        let body_end = starts.get(k + 1).copied().unwrap_or(lines.len());
        let header: Vec<String> = lines[starts[k]..ends[k]].to_vec();
        let dates = line_dates(&lines[anchor]).map(|(_, range)| range);
        let body = lines[ends[k]..body_end].iter().filter(|l| !l.is_empty()).cloned().collect();
        entries.push(RawEntry { header, dates, body });
    }
    entries
}

/// How many role or company fields a header line holds, places and dates aside.
fn header_parts(line: &str) -> usize {
    let text = without_dates(line);
    let mut count = 0;
    for field in fields(&text) {
        if is_location(&field) {
            continue;
        }
        count +=
            if field.contains(" at ") || field.contains(" @ ") || splits_at_comma(&field).is_some() { 2 } else { 1 };
    }
    count
}

/// Entries with no dates: a title-like line (or two) followed by bullets or text starts each.
fn split_undated(lines: &[String]) -> Vec<RawEntry> {
    let mut entries: Vec<RawEntry> = Vec::new();
    for line in lines {
        if line.is_empty() {
            continue;
        }
        let starts_entry = !is_bullet(line)
            && is_title_like(line)
            && entries.last().is_none_or(|e| !e.body.is_empty() || e.header.len() >= 2);
        match entries.last_mut() {
            Some(entry) if !starts_entry => {
                if entry.body.is_empty() && !is_bullet(line) && is_title_like(line) && entry.header.len() < 2 {
                    entry.header.push(line.clone());
                } else {
                    entry.body.push(line.clone());
                }
            }
            _ => entries.push(RawEntry { header: vec![line.clone()], dates: None, body: Vec::new() }),
        }
    }
    entries
}

/// "Software Engineer, Acme Corp" → ("Software Engineer", "Acme Corp"); not "Acme, Inc.".
fn splits_at_comma(field: &str) -> Option<(String, String)> {
    let (a, b) = field.split_once(", ")?;
    let suffixes = [
        "inc", "inc.", "ltd", "ltd.", "llc", "gmbh", "co.", "corp", "corp.", "plc", "s.a.", "sa", "ag", "bv", "jr",
        "jr.",
    ];
    if suffixes.contains(&b.trim().to_lowercase().as_str()) || is_location(field) || b.contains(',') {
        return None;
    }
    Some((a.trim().to_string(), b.trim().to_string()))
}

const COMPANY_WORDS: &[&str] = &[
    "inc",
    "ltd",
    "llc",
    "gmbh",
    "corp",
    "corporation",
    "company",
    "co",
    "plc",
    "ag",
    "sa",
    "sas",
    "bv",
    "srl",
    "limited",
    "group",
    "labs",
    "lab",
    "technologies",
    "technology",
    "systems",
    "solutions",
    "bank",
    "university",
    "college",
    "institute",
    "hospital",
    "agency",
    "studio",
    "studios",
    "foundation",
    "school",
    "consulting",
    "partners",
    "ventures",
    "services",
    "media",
    "health",
    "capital",
    "industries",
    "networks",
    "software",
    "games",
    "council",
    "ministry",
    "department",
    "association",
    "society",
    "club",
    "center",
    "centre",
    "gmbh.",
    "inc.",
    "ltd.",
];

fn company_score(text: &str) -> usize {
    text.split(|c: char| !(c.is_alphanumeric() || c == '.'))
        .filter(|w| COMPANY_WORDS.contains(&w.to_lowercase().trim_end_matches('.')))
        .count()
}

/// Role, company and place from an entry's header lines.
fn role_and_company(header: &[String]) -> (Option<String>, Option<String>, Option<String>) {
    let mut location = None;
    let mut role = None;
    let mut company = None;
    // Fields in reading order, each with whether it came from a comma or dash split (which
    // tells the usual order when no word decides).
    let mut candidates: Vec<String> = Vec::new();
    // With the role and the company in fields of their own ("Hospital" over "Staff Nurse,
    // Cardiac ICU"), a comma is inside one of them, not between them.
    let separate_fields = header
        .iter()
        .flat_map(|line| fields(&without_dates(line)))
        .filter(|f| !is_location(f) && f.chars().any(char::is_alphabetic))
        .count()
        >= 2;
    for line in header {
        let text = without_dates(line);
        for field in fields(&text) {
            if is_location(&field) {
                location.get_or_insert(field);
                continue;
            }
            // "Engineer at Acme": the surest pattern of all.
            if let Some((r, c)) = field.split_once(" at ").or_else(|| field.split_once(" @ ")) {
                if role.is_none() && company.is_none() && role_score(c) == 0 {
                    role = Some(r.trim().to_string());
                    company = Some(c.trim().to_string());
                    continue;
                }
            }
            // "Research Scientist, Institute of Optics, Florence": role, company, city.
            let commas: Vec<&str> = field.split(", ").map(str::trim).collect();
            if commas.len() == 3 && role_score(commas[0]) > 0 && commas[2].split_whitespace().count() <= 3 {
                candidates.push(commas[0].to_string());
                candidates.push(commas[1].to_string());
                location.get_or_insert(commas[2].to_string());
                continue;
            }
            // "Mechanical Engineer, Veldhoven" beside its company: a town after the comma.
            if let Some((head, town)) = field.rsplit_once(", ").filter(|(_, town)| {
                separate_fields
                    && !town.contains(' ')
                    && town.chars().next().is_some_and(char::is_uppercase)
                    && town.chars().all(|c| c.is_alphabetic() || c == '-')
                    && role_score(town) == 0
                    && company_score(town) == 0
            }) {
                location.get_or_insert(town.to_string());
                candidates.push(head.to_string());
                continue;
            }
            if let Some((a, b)) = splits_at_comma(&field).filter(|_| !separate_fields) {
                // "Engineer, Acme" or "Acme, Berlin" (a city alone is not known as a place).
                if role_score(&a) > 0 || company_score(&b) > 0 {
                    candidates.push(a);
                    candidates.push(b);
                    continue;
                }
                if role_score(&b) > 0 {
                    candidates.push(b);
                    candidates.push(a);
                    continue;
                }
            }
            if let Some((place, _)) = field.split_once(" (").filter(|(p, _)| is_location(p)) {
                location.get_or_insert(place.to_string());
                continue;
            }
            candidates.push(field);
        }
    }
    candidates.retain(|c| c.chars().any(char::is_alphabetic));
    if role.is_none() && company.is_none() {
        match candidates.len() {
            0 => {}
            1 => {
                let only = candidates.remove(0);
                if company_score(&only) > role_score(&only) {
                    company = Some(only);
                } else {
                    role = Some(only);
                }
            }
            _ => {
                // The most role-like of the first three fields is the role; the first other is
                // the company. With no word to decide, the first field is the role (LaTeX
                // templates and "Role, Company"), unless the second says it is a role.
                let scored: Vec<(usize, isize)> = candidates
                    .iter()
                    .take(3)
                    .enumerate()
                    .map(|(i, c)| (i, role_score(c) as isize - company_score(c) as isize))
                    .collect();
                let role_index =
                    scored.iter().max_by_key(|(i, score)| (*score, -(*i as isize))).map(|(i, _)| *i).unwrap_or(0);
                role = Some(candidates[role_index].clone());
                company = candidates.iter().enumerate().find(|(i, _)| *i != role_index).map(|(_, c)| c.clone());
            }
        }
    } else if location.is_none() {
        location = candidates.into_iter().find(|c| is_location(c));
    }
    (role, company, location)
}

fn body_into(body: &[String]) -> (Option<String>, Vec<String>) {
    let mut highlights = Vec::new();
    let mut description: Vec<String> = Vec::new();
    for line in body {
        match bullet_body(line) {
            Some(text) if !text.is_empty() => highlights.push(text.replace('\t', " ")),
            Some(_) => {}
            None => description.push(line.replace('\t', " ")),
        }
    }
    let summary = (!description.is_empty()).then(|| description.join(" "));
    (summary, highlights)
}

/// Positions held (work or volunteering).
pub fn work_entries(lines: &[String]) -> Vec<Work> {
    split_entries(lines)
        .into_iter()
        .filter_map(|entry| {
            let (position, name, location) = role_and_company(&entry.header);
            let (summary, highlights) = body_into(&entry.body);
            let url = entry.header.iter().flat_map(|l| find_urls(l)).next();
            if position.is_none() && name.is_none() && entry.dates.is_none() {
                return None;
            }
            Some(Work {
                name,
                position,
                location,
                url,
                start_date: entry.dates.map(|d| d.start.iso()),
                end_date: entry.dates.and_then(|d| d.end).map(|e| e.iso()),
                summary,
                highlights,
            })
        })
        .collect()
}

static DEGREE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        \b(?:
            (?i:(?:bachelor|master|doctor|associate)(?:'?s)?(?:\s+degree)?(?:\s+of\s+(?:business\s+administration|fine\s+arts|applied\s+science|science|arts|engineering|laws|philosophy|technology|education|music|commerce|computer\s+science))?)
          | (?i:doctorate|diploma|high\s+school\s+diploma|baccalaur[eé]at|abitur|licence|maîtrise|postgraduate\s+certificate|certificate\s+of\s+higher\s+education)
          | B\.?\s?Sc\.?|M\.?\s?Sc\.?|B\.?S\.|M\.?S\.|BS|MS|B\.A\.|M\.A\.|BA|MA|B\.?Eng\.?|M\.?Eng\.?|B\.?Tech\.?|M\.?Tech\.?
          | MBA|PGCE|PGDip|PGCert|HNC|BTEC|NVQ|Ph\.?\s?D\.?|D\.?Phil\.?|LL\.?B\.?|LL\.?M\.?|M\.?D\.|BBA|B\.?Com\.?|M\.?Phil\.?|MRes|MSt|HND|BFA|MFA|MPH|MPA|JD|J\.D\.
          | A[-\s]Levels?|GCSEs?|IB\s+Diploma
        )(?:\s*\((?i:hons?\.?|honours|honors)\))?",
    )
    .expect("the degree pattern is valid")
});
const INSTITUTION_WORDS: &[&str] = &[
    "university",
    "college",
    "school",
    "institute",
    "academy",
    "polytechnic",
    "politecnico",
    "politécnico",
    "accademia",
    "academia",
    "akademie",
    "hogeschool",
    "högskola",
    "istituto",
    "instituto",
    "institut",
    "escuela",
    "scuola",
    "conservatorio",
    "conservatoire",
    "fachhochschule",
    "universität",
    "universidad",
    "università",
    "université",
    "universita",
    "universitat",
    "universidade",
    "uniwersytet",
    "universiteit",
    "hochschule",
    "école",
    "ecole",
    "gymnasium",
    "lycée",
    "conservatory",
    "seminary",
    "iit",
    "mit",
    "eth",
    "epfl",
    "ucla",
    "nyu",
];
static SCORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:(?:c?gpa|grade|score|result|average|mark)s?\s*[:\-]?\s*(?P<value>[0-9][0-9.,]*\s*(?:/\s*[0-9][0-9.,]*)?(?:\s*%)?|[a-z0-9+:\- ]{1,20})|(?P<class>first[- ]class(?:\s+honou?rs)?|upper second[- ]class(?:\s+honou?rs)?|lower second[- ]class|2[:.]1|2[:.]2|with\s+distinction|distinction|summa cum laude|magna cum laude|cum laude|with honou?rs))")
        .expect("the score pattern is valid")
});

fn is_institution(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric()).any(|w| INSTITUTION_WORDS.contains(&w.to_lowercase().as_str()))
}

/// Degree and field from "Bachelor of Science in Computer Science", "BSc (Hons) Physics",
/// "M.S., Data Science".
fn degree_and_area(text: &str) -> Option<(String, Option<String>)> {
    let found = DEGREE.find(text)?;
    let study_type = found.as_str().trim().to_string();
    let after = text.get(found.end()..).unwrap_or_default();
    let after = after.trim_start_matches([' ', ',', ':', '-', '–', '—']).trim_start();
    let after = after.strip_prefix("in ").or_else(|| after.strip_prefix("of ")).unwrap_or(after);
    // The field ends at a separator, a grade, a minor or a date.
    let mut area = after.to_string();
    for stop in ["\t", " | ", " — ", " – ", " - ", ";", " (", ", minor", ", Minor", " Minor", ", GPA", " GPA", ","]
    {
        if let Some(position) = area.find(stop) {
            area.truncate(position);
        }
    }
    if let Some((span, _)) =
        find_range(&area).or_else(|| find_date(&area).map(|(s, d)| (s, DateRange { start: d, end: None })))
    {
        area.truncate(span.start);
    }
    let area = crate::resume::dates::trim_separators(&area).to_string();
    let area = (!area.is_empty() && area.split_whitespace().count() <= 8 && !is_institution(&area)).then_some(area);
    // An area written before the degree: "Computer Science, BSc".
    let area = area.or_else(|| {
        let before = text.get(..found.start())?.trim_end_matches([' ', ',', '-', '–', '—', '(']).trim();
        let before = before.rsplit(['\t', '|']).next()?.trim();
        (!before.is_empty() && !is_institution(before) && before.split_whitespace().count() <= 5)
            .then(|| before.to_string())
    });
    Some((study_type, area))
}

/// Schooling. A new entry starts at a line naming a school or a degree when the entry being
/// read already has one.
pub fn education_entries(lines: &[String]) -> Vec<Education> {
    let lines = join_wrapped(lines);
    let mut groups: Vec<Vec<String>> = Vec::new();
    let (mut has_school, mut has_degree) = (false, false);
    for line in lines.iter().filter(|l| !l.is_empty()) {
        let body = bullet_body(line).unwrap_or(line);
        let school = !is_bullet(line) && fields(body).iter().any(|f| is_institution(f));
        let degree = DEGREE.is_match(body) && !body.to_lowercase().contains("coursework");
        // A second school, or a second degree under the same school (a double degree).
        let starts =
            groups.is_empty() || school && has_school || has_school && degree && has_degree && !is_bullet(line);
        if starts {
            groups.push(Vec::new());
            has_school = false;
            has_degree = false;
        }
        has_school |= school;
        has_degree |= degree;
        if let Some(group) = groups.last_mut() {
            group.push(line.clone());
        }
    }
    groups.into_iter().filter_map(|group| education_of(&group)).collect()
}

fn education_of(group: &[String]) -> Option<Education> {
    let mut education = Education::default();
    let mut dates: Option<DateRange> = None;
    for line in group {
        let body = bullet_body(line).unwrap_or(line);
        let lower = body.to_lowercase();
        if let Some((_, rest)) = body.split_once(':').filter(|(head, _)| {
            let head = head.to_lowercase();
            head.contains("coursework") || head.contains("courses") || head.contains("modules")
        }) {
            education.courses.extend(list_items(rest));
            continue;
        }
        if dates.is_none() {
            dates = find_range(body)
                .map(|(_, r)| r)
                .or_else(|| find_date(body).map(|(_, d)| DateRange { start: d, end: Some(d) }));
        }
        if education.score.is_none() {
            if let Some(captures) = SCORE.captures(body) {
                let value = captures.name("value").or(captures.name("class")).map(|m| m.as_str().trim().to_string());
                education.score = value.filter(|v| {
                    !v.is_empty() && (v.chars().any(|c| c.is_ascii_digit()) || captures.name("class").is_some())
                });
            }
        }
        let text = match find_range(body) {
            Some((span, _)) => remove_span(body, span),
            None => body.to_string(),
        };
        // "PhD in Physics, University of Padua": the degree and the school in one field.
        let split: Vec<String> = fields(&text)
            .into_iter()
            .flat_map(|field| {
                if DEGREE.is_match(&field) && is_institution(&field) {
                    field.split(", ").map(str::to_string).collect()
                } else {
                    vec![field]
                }
            })
            .collect();
        for field in split {
            if education.institution.is_none() && is_institution(&field) && !DEGREE.is_match(&field) {
                // "University of Lyon, France": the place is not part of the name.
                let name = match field.rsplit_once(", ") {
                    Some((name, place))
                        if is_location(&field)
                            || super::contact::country_code(place).is_some()
                            // "Babeș-Bolyai University, Cluj-Napoca", not "University of
                            // California, Berkeley" (a campus).
                            || name.rsplit(' ').next().is_some_and(is_institution)
                                && !is_institution(place)
                                && !place.contains(' ')
                                && place.chars().next().is_some_and(char::is_uppercase) =>
                    {
                        name.to_string()
                    }
                    _ => field.clone(),
                };
                education.institution = Some(name);
            } else if education.study_type.is_none() && !lower.starts_with("gpa") {
                if let Some((study_type, area)) = degree_and_area(&field) {
                    education.study_type = Some(study_type);
                    education.area = area;
                }
            }
        }
    }
    // A school whose name has no school word: the first title-like field that is not the degree.
    if education.institution.is_none() {
        education.institution = group
            .iter()
            .filter(|l| !is_bullet(l))
            .flat_map(|l| {
                fields(&match find_range(l) {
                    Some((span, _)) => remove_span(l, span),
                    None => l.clone(),
                })
            })
            .find(|f| {
                !DEGREE.is_match(f)
                    && !is_location(f)
                    && find_date(f).is_none()
                    && is_title_like(f)
                    && !SCORE.is_match(f)
            });
    }
    if education.institution.is_none() && education.study_type.is_none() {
        return None;
    }
    if let Some(range) = dates {
        let single = range.end == Some(range.start);
        if single {
            // One date on a school entry is when it ended (graduation).
            education.end_date = Some(range.start.iso());
        } else {
            education.start_date = Some(range.start.iso());
            education.end_date = range.end.map(|e: PartialDate| e.iso());
        }
    }
    Some(education)
}

/// Projects: a name line (with, perhaps, technologies, a link and dates) and its bullets.
pub fn project_entries(lines: &[String]) -> Vec<Project> {
    let lines = join_wrapped(lines);
    let mut entries: Vec<RawEntry> = Vec::new();
    for line in lines.iter().filter(|l| !l.is_empty()) {
        // "Name: what it is" names a project even when what follows is a sentence.
        let named =
            line.split_once(": ").is_some_and(|(head, _)| head.split_whitespace().count() <= 5 && is_title_like(head));
        let header = !is_bullet(line)
            && (is_title_like(line) || named)
            && entries.last().is_none_or(|e| !e.body.is_empty() || !e.header.is_empty());
        let continues_description =
            entries.last().is_some_and(|e| !e.body.is_empty()) && !is_title_like(line) && !is_bullet(line) && !named;
        if header && !continues_description {
            entries.push(RawEntry {
                header: vec![line.clone()],
                dates: find_range(line).map(|(_, r)| r),
                body: Vec::new(),
            });
        } else if let Some(entry) = entries.last_mut() {
            entry.body.push(line.clone());
        } else {
            entries.push(RawEntry { header: vec![line.clone()], dates: None, body: Vec::new() });
        }
    }
    entries
        .into_iter()
        .filter_map(|entry| {
            let header = entry.header.first()?;
            let mut url = find_urls(header).into_iter().next();
            let mut text = match find_range(header) {
                Some((span, _)) => remove_span(header, span),
                None => header.clone(),
            };
            if let Some(u) = &url {
                text = text.replace(u.as_str(), " ");
            }
            // "Name: what it is" or "Name | Rust, Wasm" or "Name — what it is".
            let (name, rest) = match text.split_once(": ") {
                Some((name, rest)) => (name.to_string(), Some(rest.to_string())),
                None => {
                    let mut parts = fields(&text).into_iter();
                    let name = parts.next().unwrap_or_default();
                    let rest: Vec<String> = parts.collect();
                    (name, (!rest.is_empty()).then(|| rest.join(", ")))
                }
            };
            let name = crate::resume::dates::trim_separators(&name).to_string();
            if name.is_empty() {
                return None;
            }
            let (summary, highlights) = body_into(&entry.body);
            if url.is_none() {
                url = entry.body.iter().flat_map(|l| find_urls(l)).next();
            }
            let url = url.map(|u| if u.starts_with("http") { u } else { format!("https://{u}") });
            // A short list after the name is the technologies; a sentence is the description.
            let (keywords, description) = match rest {
                Some(rest)
                    if list_items(&rest).len() >= 2
                        && list_items(&rest).iter().all(|i| i.split_whitespace().count() <= 3) =>
                {
                    (list_items(&rest), summary)
                }
                Some(rest) => (
                    Vec::new(),
                    Some(match summary {
                        Some(s) => format!("{rest} {s}"),
                        None => rest,
                    }),
                ),
                None => (Vec::new(), summary),
            };
            Some(Project {
                name,
                description,
                highlights,
                keywords,
                url,
                roles: Vec::new(),
                start_date: entry.dates.map(|d| d.start.iso()),
                end_date: entry.dates.and_then(|d| d.end).map(|e| e.iso()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(|l| l.trim().to_string()).collect()
    }

    #[test]
    fn role_and_company_come_from_the_common_header_shapes() {
        let work = work_entries(&lines(
            "Senior Engineer at Acme Corp\tJan 2020 – Present\n• Led the team\n\
             Globex Inc.\tBerlin, Germany\nBackend Developer\t03/2017 - 12/2019\n• Built APIs\nwrapped onto two lines\n\
             Data Analyst, Initech\t2015–2017\nSome description.\n\
             Developer\tJune 2013 -- May 2015\nTexas Tech University\tLubbock, TX\n• Taught",
        ));
        assert_eq!(work.len(), 4, "{work:#?}");
        assert_eq!(work[0].position.as_deref(), Some("Senior Engineer"));
        assert_eq!(work[0].name.as_deref(), Some("Acme Corp"));
        assert_eq!(work[0].start_date.as_deref(), Some("2020-01"));
        assert_eq!(work[0].end_date, None);
        assert_eq!(work[1].name.as_deref(), Some("Globex Inc."));
        assert_eq!(work[1].position.as_deref(), Some("Backend Developer"));
        assert_eq!(work[1].location.as_deref(), Some("Berlin, Germany"));
        assert_eq!(work[1].highlights, vec!["Built APIs wrapped onto two lines"]);
        assert_eq!(work[2].position.as_deref(), Some("Data Analyst"));
        assert_eq!(work[2].name.as_deref(), Some("Initech"));
        assert_eq!(work[2].summary.as_deref(), Some("Some description."));
        assert_eq!(work[3].position.as_deref(), Some("Developer"));
        assert_eq!(work[3].name.as_deref(), Some("Texas Tech University"));
        assert_eq!(work[3].location.as_deref(), Some("Lubbock, TX"));
    }

    #[test]
    fn schooling_is_read_with_degree_field_dates_and_grade() {
        let education = education_entries(&lines(
            "University of Edinburgh\t2012 – 2016\nBSc (Hons) Computer Science, First Class Honours\n\
             Massachusetts Institute of Technology\nMaster of Science in Data Science | GPA: 3.9/4.0 | May 2018\n\
             Relevant coursework: Algorithms, Distributed Systems",
        ));
        assert_eq!(education.len(), 2, "{education:#?}");
        assert_eq!(education[0].institution.as_deref(), Some("University of Edinburgh"));
        assert_eq!(education[0].study_type.as_deref(), Some("BSc (Hons)"));
        assert_eq!(education[0].area.as_deref(), Some("Computer Science"));
        assert_eq!(education[0].score.as_deref(), Some("First Class Honours"));
        assert_eq!(education[0].start_date.as_deref(), Some("2012"));
        assert_eq!(education[1].study_type.as_deref(), Some("Master of Science"));
        assert_eq!(education[1].area.as_deref(), Some("Data Science"));
        assert_eq!(education[1].score.as_deref(), Some("3.9/4.0"));
        assert_eq!(education[1].end_date.as_deref(), Some("2018-05"));
        assert_eq!(education[1].courses, vec!["Algorithms", "Distributed Systems"]);
    }

    #[test]
    fn projects_have_names_links_and_technologies() {
        let projects = project_entries(&lines(
            "Gitlytics | Python, Flask, React\tJune 2020 – Present\n• Built a dashboard\n\
             Tiny Compiler: a compiler for a toy language (github.com/jane/tiny)\n• Wrote the parser",
        ));
        assert_eq!(projects.len(), 2, "{projects:#?}");
        assert_eq!(projects[0].name, "Gitlytics");
        assert_eq!(projects[0].keywords, vec!["Python", "Flask", "React"]);
        assert_eq!(projects[0].start_date.as_deref(), Some("2020-06"));
        assert_eq!(projects[1].name, "Tiny Compiler");
        assert_eq!(projects[1].url.as_deref(), Some("https://github.com/jane/tiny"));
    }
}
