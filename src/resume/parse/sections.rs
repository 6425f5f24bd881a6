//! Finding a resume's sections by their headings.
//!
//! A heading is a short line whose words are all section words ("Work Experience", "Skills &
//! Tools", "S K I L L S", "EDUCATION:"), or a line the file itself marks as a heading. When most
//! headings share a case style (all capitals, say), a keyword line in another style is more
//! likely a line of text than a heading and is passed over. Then a shape-based fallback: a short
//! line in the dominant capitals style with no date near it (a title we have no word for, such
//! as "SPEAKING") ends the section before it.

use super::lines::{is_bullet, word_tokens};
use crate::resume::dates::find_range;
use crate::resume::extract::Line;

/// What a section holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    /// The lines above the first heading: name, title, contact details.
    Top,
    Summary,
    Work,
    Volunteer,
    Education,
    Skills,
    Projects,
    Certificates,
    Languages,
    Awards,
    Publications,
    Interests,
    References,
    Contact,
    /// A heading we have no words for.
    Other,
}

/// A heading and the lines under it (blank lines kept as empty strings: they separate entries).
#[derive(Debug, Clone)]
pub struct Section {
    pub kind: SectionKind,
    pub title: String,
    pub lines: Vec<String>,
}

/// Words that name a section, in order of precedence within one heading ("Programming
/// Languages" is about skills; "Education and Training" about education).
const SECTION_WORDS: &[(&str, SectionKind)] = &[
    ("programming", SectionKind::Skills),
    ("volunteering", SectionKind::Volunteer),
    ("volunteer", SectionKind::Volunteer),
    ("community", SectionKind::Volunteer),
    ("extracurricular", SectionKind::Volunteer),
    ("leadership", SectionKind::Volunteer),
    ("experience", SectionKind::Work),
    ("placements", SectionKind::Work),
    ("appointments", SectionKind::Work),
    ("service", SectionKind::Volunteer),
    ("registration", SectionKind::Certificates),
    ("registrations", SectionKind::Certificates),
    ("experiences", SectionKind::Work),
    ("employment", SectionKind::Work),
    ("internships", SectionKind::Work),
    ("internship", SectionKind::Work),
    ("positions", SectionKind::Work),
    ("education", SectionKind::Education),
    ("academics", SectionKind::Education),
    ("studies", SectionKind::Education),
    ("schooling", SectionKind::Education),
    ("qualifications", SectionKind::Education),
    ("degrees", SectionKind::Education),
    ("skills", SectionKind::Skills),
    ("skill", SectionKind::Skills),
    ("competencies", SectionKind::Skills),
    ("competences", SectionKind::Skills),
    ("expertise", SectionKind::Skills),
    ("technologies", SectionKind::Skills),
    ("tools", SectionKind::Skills),
    ("toolbox", SectionKind::Skills),
    ("stack", SectionKind::Skills),
    ("strengths", SectionKind::Skills),
    ("proficiencies", SectionKind::Skills),
    ("abilities", SectionKind::Skills),
    ("projects", SectionKind::Projects),
    ("project", SectionKind::Projects),
    ("portfolio", SectionKind::Projects),
    ("certifications", SectionKind::Certificates),
    ("certification", SectionKind::Certificates),
    ("certificates", SectionKind::Certificates),
    ("certificate", SectionKind::Certificates),
    ("licenses", SectionKind::Certificates),
    ("licences", SectionKind::Certificates),
    ("credentials", SectionKind::Certificates),
    ("accreditations", SectionKind::Certificates),
    ("courses", SectionKind::Certificates),
    ("training", SectionKind::Certificates),
    ("languages", SectionKind::Languages),
    ("language", SectionKind::Languages),
    ("summary", SectionKind::Summary),
    ("profile", SectionKind::Summary),
    ("about", SectionKind::Summary),
    ("objective", SectionKind::Summary),
    ("overview", SectionKind::Summary),
    ("introduction", SectionKind::Summary),
    ("bio", SectionKind::Summary),
    ("statement", SectionKind::Summary),
    ("awards", SectionKind::Awards),
    ("award", SectionKind::Awards),
    ("honors", SectionKind::Awards),
    ("honours", SectionKind::Awards),
    ("achievements", SectionKind::Awards),
    ("accomplishments", SectionKind::Awards),
    ("distinctions", SectionKind::Awards),
    ("scholarships", SectionKind::Awards),
    ("publications", SectionKind::Publications),
    ("papers", SectionKind::Publications),
    ("talks", SectionKind::Publications),
    ("presentations", SectionKind::Publications),
    ("interests", SectionKind::Interests),
    ("hobbies", SectionKind::Interests),
    ("activities", SectionKind::Interests),
    ("references", SectionKind::References),
    ("referees", SectionKind::References),
    ("contact", SectionKind::Contact),
    ("contacts", SectionKind::Contact),
];

/// Words a heading may carry beside its section word. "Work", "career" and "history" alone
/// also make a work heading ("Work History", "Career").
const FILLER_WORDS: &[&str] = &[
    "and",
    "&",
    "of",
    "my",
    "me",
    "the",
    "other",
    "additional",
    "selected",
    "select",
    "relevant",
    "professional",
    "work",
    "career",
    "history",
    "technical",
    "tech",
    "key",
    "core",
    "recent",
    "academic",
    "personal",
    "related",
    "information",
    "info",
    "details",
    "background",
    "held",
    "areas",
    "area",
    "side",
    "open",
    "source",
    "soft",
    "hard",
    "digital",
    "software",
    "computer",
    "spoken",
    "foreign",
    "honors",
    "research",
    "teaching",
    "industry",
    "notable",
    "featured",
    // A trade's own word before "experience": "Clinical Experience", "Nursing Experience".
    "clinical",
    "medical",
    "nursing",
    "legal",
    "military",
    "management",
    "leadership",
    "consulting",
    "freelance",
    "design",
    "engineering",
    "international",
    "previous",
    "prior",
    "practical",
    "employment",
    "licenses",
    "licences",
];

/// The section a line names, if it is a heading by its words.
pub fn heading_kind(text: &str) -> Option<SectionKind> {
    let cleaned = heading_text(text)?;
    let mut tokens = word_tokens(&cleaned.to_lowercase());
    // Letter-spaced headings whose word gaps were collapsed: "CAREERHISTORY".
    if tokens.len() == 1 && !SECTION_WORDS.iter().any(|(w, _)| *w == tokens[0]) {
        if let Some(words) = segment(&tokens[0]) {
            tokens = words;
        }
    }
    if tokens.is_empty() || tokens.len() > 5 {
        return None;
    }
    let mut found = None;
    for token in &tokens {
        let kind = SECTION_WORDS.iter().find(|(word, _)| word == token).map(|(_, kind)| *kind);
        match kind {
            Some(kind) => {
                found = Some(match (found, kind) {
                    // "Languages & Tools", "Skills and Languages": programming languages.
                    (Some(SectionKind::Languages), SectionKind::Skills)
                    | (Some(SectionKind::Skills), SectionKind::Languages) => SectionKind::Skills,
                    // "Skills and Interests" is a skills section; the first word decides.
                    (Some(first), _) => first,
                    (None, kind) => kind,
                })
            }
            None if FILLER_WORDS.contains(&token.as_str()) => {}
            None => return None,
        }
    }
    found.or_else(|| {
        let has = |w: &str| tokens.iter().any(|t| t == w);
        if has("work") || has("career") || has("history") {
            Some(SectionKind::Work)
        } else if has("academic") {
            Some(SectionKind::Education)
        } else if has("research") || has("teaching") {
            Some(SectionKind::Work)
        } else {
            None
        }
    })
}

/// The text of a line that has a heading's shape, cleaned: "1. SKILLS:" → "SKILLS",
/// "S K I L L S" → "SKILLS", "W O R K  E X P" → "WORK EXP". `None` when the line is too long, has
/// digits or an address, or ends like a sentence.
pub fn heading_text(text: &str) -> Option<String> {
    let text = text.trim();
    if is_bullet(text) || text.contains('@') || text.contains("://") {
        return None;
    }
    // "EXPERIENCE\t" or a heading with a column gap and nothing after it.
    let text = text.trim_end_matches('\t').trim();
    let text =
        text.trim_start_matches(|c: char| c == '#' || c.is_ascii_digit() || c == '.' || c == ')' || c.is_whitespace());
    let text = text.trim_end_matches([':', ' ', '\u{2014}', '-']).trim();
    if text.is_empty() || text.chars().count() > 80 || text.contains('\t') || text.ends_with(['.', ',', ';']) {
        return None;
    }
    if text.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let joined = join_letter_spacing(text);
    if joined.chars().count() > 40 || joined.split_whitespace().count() > 5 || !joined.chars().any(char::is_alphabetic)
    {
        return None;
    }
    Some(joined)
}

/// A run of letters split into section and filler words ("careerhistory" → "career",
/// "history"), when it splits wholly into them.
fn segment(run: &str) -> Option<Vec<String>> {
    let chars: Vec<char> = run.chars().collect();
    if chars.len() > 60 {
        return None;
    }
    let vocabulary = SECTION_WORDS.iter().map(|(w, _)| *w).chain(FILLER_WORDS.iter().copied());
    let vocabulary: Vec<Vec<char>> = vocabulary.map(|w| w.chars().collect()).collect();
    // best[i]: the words that spell chars[..i], fewest words first.
    let mut best: Vec<Option<Vec<String>>> = vec![None; chars.len() + 1];
    best[0] = Some(Vec::new());
    for start in 0..chars.len() {
        let Some(before) = best[start].clone() else { continue };
        for word in &vocabulary {
            let end = start + word.len();
            if end <= chars.len() && chars[start..end] == word[..] {
                let mut words = before.clone();
                words.push(word.iter().collect());
                if best[end].as_ref().is_none_or(|b| b.len() > words.len()) {
                    best[end] = Some(words);
                }
            }
        }
    }
    best.pop().flatten().filter(|words| words.len() >= 2)
}

/// "S K I L L S" → "SKILLS"; "W O R K   E X P E R I E N C E" → "WORK EXPERIENCE"; small capitals
/// read with a gap after the first letter, "E DUCATION" → "EDUCATION".
fn join_letter_spacing(text: &str) -> String {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let single = tokens.iter().filter(|t| t.chars().count() == 1).count();
    if tokens.len() < 3 || single * 10 < tokens.len() * 8 {
        let mut words: Vec<String> = Vec::new();
        let mut glue = false;
        for token in tokens {
            let capitals = token.chars().all(|c| !c.is_alphabetic() || c.is_uppercase());
            match words.last_mut() {
                Some(last) if glue && capitals && token.chars().count() > 1 => last.push_str(token),
                _ => words.push(token.to_string()),
            }
            glue = token.chars().count() == 1 && token.chars().all(char::is_uppercase);
        }
        return words.join(" ");
    }
    // Words are set apart by wider runs of spaces than letters are.
    let mut words = Vec::new();
    let mut current = String::new();
    let mut spaces = 0;
    for c in text.chars() {
        if c.is_whitespace() {
            spaces += 1;
            continue;
        }
        if spaces >= 2 && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        spaces = 0;
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words.join(" ")
}

/// How a heading's letters are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CaseStyle {
    Upper,
    Title,
    Other,
}

fn case_style(text: &str) -> CaseStyle {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase()) {
        return CaseStyle::Upper;
    }
    let small = ["and", "of", "the", "&", "in", "for", "to"];
    let title = text
        .split_whitespace()
        .filter(|w| !small.contains(&w.to_lowercase().as_str()))
        .all(|w| w.chars().find(|c| c.is_alphabetic()).is_none_or(char::is_uppercase));
    if title {
        CaseStyle::Title
    } else {
        CaseStyle::Other
    }
}

/// Splits the lines into sections. An inline heading ("Skills: Rust, Go") starts a section
/// whose first line is what follows the colon.
pub fn split_sections(lines: &[Line]) -> Vec<Section> {
    // Every line that could be a heading by its words, with its style.
    let candidates: Vec<Option<(SectionKind, CaseStyle)>> = lines
        .iter()
        .map(|line| {
            heading_kind(&line.text).map(|kind| (kind, case_style(heading_text(&line.text).as_deref().unwrap_or(""))))
        })
        .collect();
    let mut counts = [0usize; 3];
    for (_, style) in candidates.iter().flatten() {
        counts[*style as usize] += 1;
    }
    let total: usize = counts.iter().sum();
    let dominant = [CaseStyle::Upper, CaseStyle::Title, CaseStyle::Other]
        .into_iter()
        .max_by_key(|s| counts[*s as usize])
        .filter(|s| counts[*s as usize] >= 2 && counts[*s as usize] * 3 >= total * 2);

    let mut sections = vec![Section { kind: SectionKind::Top, title: String::new(), lines: Vec::new() }];
    for (index, line) in lines.iter().enumerate() {
        let text = line.text.trim();
        let current = sections.last().map(|s| s.kind).unwrap_or(SectionKind::Top);
        let heading = match candidates[index] {
            Some((kind, style)) if line.heading || dominant.is_none_or(|d| d == style) => Some(kind),
            // A heading style on the name (a DOCX "Title") keeps it in the top block.
            // A marked heading with a date range on it or just under it is an entry's title
            // (Markdown "### Engineer — Acme" over "*2019 – 2021*"), not a section.
            _ if line.heading
                && current != SectionKind::Top
                && heading_text(text).is_some()
                && !dated_nearby(lines, index) =>
            {
                Some(SectionKind::Other)
            }
            _ if dominant == Some(CaseStyle::Upper)
                && current != SectionKind::Top
                && untitled_capitals_heading(lines, index) =>
            {
                Some(SectionKind::Other)
            }
            _ => None,
        };
        if let Some(kind) = heading {
            // A skills sub-heading ("Programming Languages", "Tools") inside skills is a category.
            if current == SectionKind::Skills && kind == SectionKind::Skills && !line.heading {
                if let Some(section) = sections.last_mut() {
                    section.lines.push(format!("{}:", heading_text(text).unwrap_or_default()));
                }
                continue;
            }
            sections.push(Section { kind, title: heading_text(text).unwrap_or_default(), lines: Vec::new() });
            continue;
        }
        if let Some((kind, title, rest)) = inline_heading(text) {
            // "Languages: English, French" inside skills stays a line of that section.
            if !(current == kind || current == SectionKind::Skills && kind == SectionKind::Languages) {
                sections.push(Section { kind, title, lines: vec![rest] });
                continue;
            }
        }
        if let Some(section) = sections.last_mut() {
            section.lines.push(text.to_string());
        }
    }
    sections
}

/// "Skills: Rust, Go" → (Skills, "Skills", "Rust, Go").
fn inline_heading(text: &str) -> Option<(SectionKind, String, String)> {
    let (head, rest) = text.split_once(':')?;
    let rest = rest.trim();
    if rest.is_empty() || head.contains("//") {
        return None;
    }
    let kind = heading_kind(head)?;
    // Only sections whose content fits on a line; "Experience: 5 years" is not a section.
    matches!(
        kind,
        SectionKind::Skills
            | SectionKind::Languages
            | SectionKind::Interests
            | SectionKind::Summary
            | SectionKind::Certificates
    )
    .then(|| (kind, heading_text(head).unwrap_or_default(), rest.to_string()))
}

fn dated_nearby(lines: &[Line], index: usize) -> bool {
    lines[index..].iter().map(|l| l.text.trim()).filter(|t| !t.is_empty()).take(3).any(|t| find_range(t).is_some())
}

/// A line in capitals that ends the section before it though we have no word for its title:
/// short, letters only, followed by text, with no date range on it or in the next lines (an
/// entry's company in capitals has its dates nearby).
fn untitled_capitals_heading(lines: &[Line], index: usize) -> bool {
    let text = lines[index].text.trim();
    let Some(cleaned) = heading_text(text) else { return false };
    if case_style(&cleaned) != CaseStyle::Upper
        || cleaned.split_whitespace().count() > 3
        || cleaned.chars().filter(|c| c.is_alphabetic()).count() < 4
        || cleaned.chars().any(|c| !(c.is_alphabetic() || c.is_whitespace() || matches!(c, '&' | '/' | '-')))
    {
        return false;
    }
    let next: Vec<&str> = lines[index + 1..].iter().map(|l| l.text.trim()).filter(|t| !t.is_empty()).take(3).collect();
    !next.is_empty() && next.iter().all(|t| find_range(t).is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_known_by_their_words() {
        assert_eq!(heading_kind("Work Experience"), Some(SectionKind::Work));
        assert_eq!(heading_kind("PROFESSIONAL EXPERIENCE:"), Some(SectionKind::Work));
        assert_eq!(heading_kind("S K I L L S"), Some(SectionKind::Skills));
        assert_eq!(heading_kind("W O R K   E X P E R I E N C E"), Some(SectionKind::Work));
        assert_eq!(heading_kind("Employment History"), Some(SectionKind::Work));
        assert_eq!(heading_kind("Career"), Some(SectionKind::Work));
        assert_eq!(heading_kind("Education & Training"), Some(SectionKind::Education));
        assert_eq!(heading_kind("Licenses & Certifications"), Some(SectionKind::Certificates));
        assert_eq!(heading_kind("Programming Languages"), Some(SectionKind::Skills));
        assert_eq!(heading_kind("Languages"), Some(SectionKind::Languages));
        assert_eq!(heading_kind("Honors & Awards"), Some(SectionKind::Awards));
        assert_eq!(heading_kind("About Me"), Some(SectionKind::Summary));
        assert_eq!(heading_kind("## Projects"), Some(SectionKind::Projects));
        assert_eq!(heading_kind("Experience with large teams"), None);
        assert_eq!(heading_kind("Skills in Rust and Go."), None);
        assert_eq!(heading_kind("Education 2019"), None);
        assert_eq!(heading_kind("E DUCATION"), Some(SectionKind::Education));
        assert_eq!(heading_kind("T ECHNICAL SKILLS"), Some(SectionKind::Skills));
        assert_eq!(heading_kind("C A R E E R H I S T O R Y"), Some(SectionKind::Work));
        assert_eq!(heading_kind("L I C E N S E S & C E R T I F I C A T I O N S"), Some(SectionKind::Certificates));
        assert_eq!(heading_kind("A Team"), None);
    }

    #[test]
    fn a_keyword_line_in_another_case_style_than_the_headings_is_text() {
        let lines: Vec<Line> = ["Jane Doe", "EXPERIENCE", "Engineer, Acme 2019 - 2021", "Projects", "EDUCATION", "MIT"]
            .iter()
            .map(|t| Line::plain(t.to_string()))
            .collect();
        let sections = split_sections(&lines);
        let kinds: Vec<SectionKind> = sections.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, vec![SectionKind::Top, SectionKind::Work, SectionKind::Education]);
        assert_eq!(sections[1].lines, vec!["Engineer, Acme 2019 - 2021", "Projects"]);
    }
}
