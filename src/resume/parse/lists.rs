//! Sections that are lists: skills, languages, certificates, awards, publications, interests.

use super::lines::{bullet_body, fields, is_bullet, join_wrapped, list_items};
use crate::resume::dates::{find_date, find_range, remove_span, trim_separators};
use crate::resume::json_resume::{Award, Certificate, Interest, Language, Publication, Skill};

/// Human languages, to tell "Languages: English, French" from "Languages: Rust, Go".
const HUMAN_LANGUAGES: &[&str] = &[
    "english",
    "french",
    "german",
    "spanish",
    "italian",
    "portuguese",
    "dutch",
    "swedish",
    "norwegian",
    "danish",
    "finnish",
    "polish",
    "czech",
    "slovak",
    "hungarian",
    "romanian",
    "bulgarian",
    "greek",
    "turkish",
    "russian",
    "ukrainian",
    "serbian",
    "croatian",
    "slovenian",
    "arabic",
    "hebrew",
    "persian",
    "farsi",
    "hindi",
    "urdu",
    "bengali",
    "punjabi",
    "tamil",
    "telugu",
    "marathi",
    "gujarati",
    "mandarin",
    "cantonese",
    "chinese",
    "japanese",
    "korean",
    "vietnamese",
    "thai",
    "indonesian",
    "malay",
    "tagalog",
    "filipino",
    "swahili",
    "amharic",
    "yoruba",
    "igbo",
    "hausa",
    "afrikaans",
    "zulu",
    "catalan",
    "basque",
    "galician",
    "irish",
    "welsh",
    "icelandic",
    "estonian",
    "latvian",
    "lithuanian",
    "albanian",
    "macedonian",
    "bosnian",
    "armenian",
    "georgian",
    "kazakh",
    "uzbek",
    "nepali",
    "sinhala",
    "khmer",
    "lao",
    "burmese",
    "latin",
    "esperanto",
    "luxembourgish",
    "maltese",
    "flemish",
    "sign",
];

pub fn is_human_language(item: &str) -> bool {
    let first = item.split(|c: char| !c.is_alphabetic()).find(|w| !w.is_empty()).unwrap_or_default();
    HUMAN_LANGUAGES.contains(&first.to_lowercase().as_str())
}

/// Skill groups: "Category: a, b, c" lines give their category; a short line alone followed by
/// a list is a category too; other items go in a group named after the section.
pub fn skills(lines: &[String], section_title: &str) -> (Vec<Skill>, Vec<Language>) {
    let default_name = if section_title.is_empty() { "Skills".to_string() } else { title_case(section_title) };
    let mut groups: Vec<Skill> = Vec::new();
    let mut languages = Vec::new();
    let mut category: Option<String> = None;
    let lines = join_wrapped(lines);
    let push = |groups: &mut Vec<Skill>, name: &str, items: Vec<String>| {
        let items: Vec<String> =
            items.into_iter().filter(|i| i.split_whitespace().count() <= 5 && i.chars().count() <= 50).collect();
        if items.is_empty() {
            return;
        }
        match groups.iter_mut().find(|g| g.name == name) {
            Some(group) => group.keywords.extend(items),
            None => groups.push(Skill { name: name.to_string(), level: None, keywords: items }),
        }
    };
    for (index, line) in lines.iter().enumerate() {
        let body = bullet_body(line).unwrap_or(line).trim();
        if body.is_empty() {
            continue;
        }
        if let Some((head, rest)) = body.split_once(':') {
            let head = trim_separators(head);
            if !head.is_empty() && head.split_whitespace().count() <= 5 && !head.contains("//") {
                let items = list_items(rest);
                if items.is_empty() {
                    category = Some(head.to_string());
                    continue;
                }
                // "Languages: English (native), French" inside skills: spoken languages.
                if head.to_lowercase().contains("language")
                    && items.iter().filter(|i| is_human_language(i)).count() * 2 > items.len()
                {
                    languages.extend(items.iter().map(|i| language_of(i)));
                    continue;
                }
                push(&mut groups, head, items);
                continue;
            }
        }
        // "Programming\tC++, Python": a category in a column of its own (with more columns,
        // "Figma\tSketch\tSQL", they are all items).
        if let Some((head, rest)) = body.split_once('\t').filter(|(_, rest)| !rest.contains('\t')) {
            // "Mother tongue\tRomanian", "Other languages\tEnglish – C1, French – B2".
            let lower = head.to_lowercase();
            if lower.contains("language") || lower.contains("tongue") {
                let spoken: Vec<Language> = rest
                    .split([',', ';', '|', '•', '·'])
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| {
                        let mut language = language_of(item);
                        if lower.contains("tongue") && language.fluency.is_none() {
                            language.fluency = Some(head.trim().to_string());
                        }
                        language
                    })
                    .collect();
                if !spoken.is_empty() && spoken.iter().all(|l| is_human_language(&l.language)) {
                    languages.extend(spoken);
                    continue;
                }
            }
            let items = list_items(rest);
            // One item after it ("User Research\tDesign Systems") is a row of two items instead.
            if head.split_whitespace().count() <= 3 && items.len() >= 2 && !head.contains(',') {
                push(&mut groups, head.trim(), items);
                continue;
            }
        }
        let items = list_items(body);
        // A short line alone, followed by a list: the list's category ("Cloud" then "AWS, GCP").
        let next_is_list =
            lines.get(index + 1).is_some_and(|next| list_items(bullet_body(next).unwrap_or(next)).len() >= 2);
        if items.len() == 1 && !is_bullet(line) && next_is_list && body.split_whitespace().count() <= 4 {
            category = Some(body.to_string());
            continue;
        }
        let name = category.clone().unwrap_or_else(|| default_name.clone());
        push(&mut groups, &name, items);
    }
    (groups, languages)
}

fn title_case(text: &str) -> String {
    if text.chars().any(|c| c.is_lowercase()) {
        return text.to_string();
    }
    text.split_whitespace()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

/// "French (fluent)", "German – B2", "English: native", "Spanish - Intermediate".
pub fn language_of(item: &str) -> Language {
    let item = item.trim();
    let first_separator = [":", " – ", " — ", " - "].iter().filter_map(|s| item.find(s)).min();
    if let Some((name, rest)) = item.split_once('(').filter(|(name, _)| first_separator.is_none_or(|s| s > name.len()))
    {
        let fluency = rest.trim_end_matches(')').trim();
        return Language {
            language: name.trim().to_string(),
            fluency: (!fluency.is_empty()).then(|| fluency.to_string()),
        };
    }
    for separator in [":", " – ", " — ", " - ", "–", "—", " -"] {
        if let Some((name, fluency)) = item.split_once(separator) {
            let fluency = fluency.trim();
            return Language {
                language: name.trim().to_string(),
                fluency: (!fluency.is_empty()).then(|| fluency.to_string()),
            };
        }
    }
    // "English Native", "French C1": a language word then its level.
    let mut words = item.split_whitespace();
    if let (Some(first), Some(_)) = (words.next(), item.split_whitespace().nth(1)) {
        if is_human_language(first) && !is_human_language(item.split_whitespace().nth(1).unwrap_or_default()) {
            let rest = item[first.len()..].trim();
            if rest.split_whitespace().count() <= 3 {
                return Language { language: first.to_string(), fluency: Some(rest.to_string()) };
            }
        }
    }
    Language { language: item.to_string(), fluency: None }
}

/// Spoken languages, one or several a line; "French" then "Fluent" on the next line is one.
pub fn languages(lines: &[String]) -> Vec<Language> {
    let mut out: Vec<Language> = Vec::new();
    for line in lines {
        let body = bullet_body(line).unwrap_or(line).trim();
        if body.is_empty() {
            continue;
        }
        let items: Vec<String> = if body.contains('\t') && body.split('\t').count() == 2 && !body.contains(',') {
            // "French\tFluent": a table row.
            vec![body.replacen('\t', " - ", 1)]
        } else {
            list_items(body)
        };
        for item in items {
            let language = language_of(&item);
            let fluency_only = !is_human_language(&item) && item.split_whitespace().count() <= 3;
            match out.last_mut() {
                Some(last) if fluency_only && last.fluency.is_none() => last.fluency = Some(item),
                _ if language.language.split_whitespace().count() <= 4 => out.push(language),
                _ => {}
            }
        }
    }
    out
}

/// Certificate issuers named often enough to be known by name.
const ISSUERS: &[&str] = &[
    "Amazon Web Services",
    "AWS",
    "Microsoft",
    "Google",
    "Google Cloud",
    "Cisco",
    "Oracle",
    "CompTIA",
    "PMI",
    "Scrum Alliance",
    "Scrum.org",
    "Linux Foundation",
    "The Linux Foundation",
    "CNCF",
    "(ISC)²",
    "ISC2",
    "ISACA",
    "Coursera",
    "Udemy",
    "edX",
    "HashiCorp",
    "Red Hat",
    "Salesforce",
    "IBM",
    "Meta",
    "Databricks",
    "Snowflake",
    "Kubernetes",
    "Axelos",
    "PeopleCert",
    "IIBA",
    "SHRM",
    "CFA Institute",
    "Cloudera",
    "MongoDB",
    "Atlassian",
    "Adobe",
    "HubSpot",
    "Stanford",
    "DeepLearning.AI",
    "Offensive Security",
    "EC-Council",
    "GIAC",
    "ITIL",
    "Tableau",
    "Apple",
    "Docker",
];
/// Words that end a certificate's name after a dash and are not its issuer.
const LEVEL_WORDS: &[&str] = &[
    "associate",
    "professional",
    "practitioner",
    "specialty",
    "expert",
    "foundation",
    "foundations",
    "fundamentals",
    "advanced",
    "intermediate",
    "beginner",
    "level",
    "i",
    "ii",
    "iii",
];

/// "AWS Certified Solutions Architect – Associate, Amazon Web Services, 2021".
pub fn certificates(lines: &[String]) -> Vec<Certificate> {
    let mut out: Vec<Certificate> = Vec::new();
    let lines = join_wrapped(lines);
    for line in lines.iter().filter(|l| !l.is_empty()) {
        let body = bullet_body(line).unwrap_or(line);
        let mut text = body.to_string();
        let mut date = None;
        if let Some((span, range)) = find_range(&text) {
            date = Some(range.start.iso());
            text = remove_span(&text, span);
        } else if let Some((span, found)) = find_date(&text) {
            date = Some(found.iso());
            text = remove_span(&text, span);
        }
        let url = super::contact::find_urls(&text).into_iter().next();
        if let Some(u) = &url {
            text = text.replace(u.as_str(), " ");
        }
        let text = text.replace(" ,", ",");
        let text = trim_separators(text.trim()).replace("()", "");
        // A line with only an issuer and a date under a certificate's name.
        if let Some(last) = out.last_mut() {
            let known = ISSUERS.iter().any(|i| i.eq_ignore_ascii_case(text.trim()));
            if last.issuer.is_none() && last.date.is_none() && (known || text.to_lowercase().starts_with("issued by")) {
                last.issuer = Some(
                    text.trim().trim_start_matches("Issued by").trim_start_matches("issued by").trim().to_string(),
                );
                last.date = date;
                continue;
            }
        }
        let (name, issuer) = name_and_issuer(&text);
        if name.is_empty() {
            continue;
        }
        // A name wrapped in a narrow column: "Google Data Analytics Professional" over
        // "Certificate, Coursera, 2021".
        let noun = ["certificate", "certification", "certified", "diploma", "license", "licence"];
        if let Some(last) = out.last_mut().filter(|l| l.date.is_none() && l.issuer.is_none()) {
            if noun.contains(&name.to_lowercase().as_str()) {
                last.name = format!("{} {name}", last.name);
                last.issuer = issuer;
                last.date = date;
                continue;
            }
        }
        out.push(Certificate {
            name,
            date,
            issuer,
            url: url.map(|u| if u.starts_with("http") { u } else { format!("https://{u}") }),
        });
    }
    out
}

fn name_and_issuer(text: &str) -> (String, Option<String>) {
    let text = text.trim();
    for marker in [" issued by ", " Issued by ", " by ", " from "] {
        if let Some((name, issuer)) = text.split_once(marker) {
            return (
                trim_separators(name).to_string(),
                Some(trim_separators(issuer).to_string()).filter(|i| !i.is_empty()),
            );
        }
    }
    // "Name (Issuer)" with a known issuer or a short one.
    if let Some((name, rest)) =
        text.split_once(" (").filter(|(_, rest)| rest.trim_end().ends_with(')') && !rest.contains(','))
    {
        let inside = rest.trim_end_matches(')').trim();
        if !inside.is_empty() && inside.split_whitespace().count() <= 4 && !abbreviates(inside, name) {
            return (name.trim().to_string(), Some(inside.to_string()));
        }
    }
    let mut parts: Vec<String> =
        fields(text).into_iter().flat_map(|f| f.split(", ").map(str::to_string).collect::<Vec<_>>()).collect();
    parts.retain(|p| !trim_separators(p).is_empty());
    if parts.len() >= 2 {
        if let Some(index) = parts.iter().position(|p| ISSUERS.iter().any(|i| i.eq_ignore_ascii_case(p.trim()))) {
            if index > 0 {
                let issuer = parts.remove(index);
                return (rejoin(text, &parts), Some(issuer));
            }
        }
        let last = parts.last().cloned().unwrap_or_default();
        let level = last.split_whitespace().all(|w| LEVEL_WORDS.contains(&w.to_lowercase().as_str()));
        if !level && last.split_whitespace().count() <= 4 {
            parts.pop();
            return (rejoin(text, &parts), Some(last));
        }
    }
    (text.to_string(), None)
}

/// Is `short` the initials of `name`'s words ("ACLS" of "Advanced Cardiovascular Life
/// Support")? Then it is part of the name, not its issuer.
fn abbreviates(short: &str, name: &str) -> bool {
    let initials: String =
        name.split_whitespace().filter_map(|w| w.chars().next()).filter(|c| c.is_uppercase()).collect();
    let code = !short.contains(' ') && short.chars().any(|c| c.is_ascii_digit()); // "(V300)"
    code || short.chars().count() >= 2 && short.chars().all(|c| c.is_ascii_uppercase()) && initials.ends_with(short)
}

/// The parts of a name split at separators, put back as written ("Architect – Associate").
fn rejoin(original: &str, parts: &[String]) -> String {
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else { return String::new() };
    match (original.find(first.as_str()), original.find(last.as_str())) {
        (Some(start), Some(end)) if end >= start => trim_separators(&original[start..end + last.len()]).to_string(),
        _ => parts.join(" "),
    }
}

/// "Dean's List, University of X, 2019" → title, awarder, date.
pub fn awards(lines: &[String]) -> Vec<Award> {
    join_wrapped(lines)
        .iter()
        .filter(|l| !l.is_empty())
        .filter_map(|line| {
            let body = bullet_body(line).unwrap_or(line);
            let mut text = body.to_string();
            let mut date = None;
            if let Some((span, found)) = find_date(&text) {
                date = Some(found.iso());
                text = remove_span(&text, span);
            }
            let (title, awarder) = name_and_issuer(&text);
            let (title, summary) = match title.split_once(": ") {
                Some((t, s)) => (t.to_string(), Some(s.to_string())),
                None => (title, None),
            };
            (!title.is_empty()).then_some(Award { title, date, awarder, summary })
        })
        .collect()
}

pub fn publications(lines: &[String]) -> Vec<Publication> {
    join_wrapped(lines)
        .iter()
        .filter(|l| !l.is_empty())
        .map(|line| {
            let body = bullet_body(line).unwrap_or(line);
            let url = super::contact::find_urls(body).into_iter().next();
            Publication {
                name: body.replace('\t', " "),
                publisher: None,
                release_date: find_date(body).map(|(_, d)| d.iso()),
                url,
            }
        })
        .collect()
}

pub fn interests(lines: &[String]) -> Vec<Interest> {
    lines
        .iter()
        .flat_map(|line| list_items(bullet_body(line).unwrap_or(line)))
        .filter(|item| item.split_whitespace().count() <= 6)
        .map(|name| Interest { name, keywords: Vec::new() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(|l| l.trim().to_string()).collect()
    }

    #[test]
    fn skills_are_grouped_by_category() {
        let (groups, languages) = skills(
            &lines("Languages: Rust, Go, Python (NumPy, pandas)\nCloud\nAWS, GCP | Terraform\n• Docker\nLanguages: English (native), French (B2)"),
            "TECHNICAL SKILLS",
        );
        assert_eq!(groups[0].name, "Languages");
        assert_eq!(groups[0].keywords, vec!["Rust", "Go", "Python (NumPy, pandas)"]);
        assert_eq!(groups[1].name, "Cloud");
        assert_eq!(groups[1].keywords, vec!["AWS", "GCP", "Terraform", "Docker"]);
        assert_eq!(languages.len(), 2);
        assert_eq!(languages[1].fluency.as_deref(), Some("B2"));
    }

    #[test]
    fn languages_come_with_their_fluency() {
        let found = languages(&lines("French (fluent), German – B2\nEnglish: native\nSpanish\nIntermediate"));
        let pairs: Vec<(&str, Option<&str>)> =
            found.iter().map(|l| (l.language.as_str(), l.fluency.as_deref())).collect();
        assert_eq!(
            pairs,
            vec![
                ("French", Some("fluent")),
                ("German", Some("B2")),
                ("English", Some("native")),
                ("Spanish", Some("Intermediate"))
            ]
        );
    }

    #[test]
    fn certificates_have_issuers_and_dates() {
        let found = certificates(&lines(
            "AWS Certified Solutions Architect – Associate, Amazon Web Services, 2021\n\
             • Certified Kubernetes Administrator (CNCF) — March 2022\nProfessional Scrum Master I\nScrum.org · 2020",
        ));
        assert_eq!(found[0].name, "AWS Certified Solutions Architect – Associate");
        assert_eq!(found[0].issuer.as_deref(), Some("Amazon Web Services"));
        assert_eq!(found[0].date.as_deref(), Some("2021"));
        assert_eq!(found[1].name, "Certified Kubernetes Administrator");
        assert_eq!(found[1].issuer.as_deref(), Some("CNCF"));
        assert_eq!(found[1].date.as_deref(), Some("2022-03"));
        assert_eq!(found[2].name, "Professional Scrum Master I");
        assert_eq!(found[2].issuer.as_deref(), Some("Scrum.org"));
        assert_eq!(found.len(), 3);
    }
}
