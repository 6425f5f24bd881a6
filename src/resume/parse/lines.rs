//! Small judgements about single lines that every section's parser shares.

use crate::resume::dates::find_range;

const BULLETS: &[char] =
    &['•', '▪', '●', '◦', '○', '■', '□', '➢', '►', '▸', '▹', '✓', '✔', '❖', '◆', '·', '‣', '⁃', '∙', '→', '>'];

/// Does the line start with a list marker: a bullet sign, "- ", "* ", "– ", "1. ", "(a) "?
pub fn is_bullet(text: &str) -> bool {
    bullet_body(text).is_some()
}

/// The line without its list marker, when it has one.
pub fn bullet_body(text: &str) -> Option<&str> {
    let text = text.trim_start();
    let first = text.chars().next()?;
    if BULLETS.contains(&first) {
        return Some(text[first.len_utf8()..].trim_start());
    }
    // moderncv's list bullet comes out of its PDFs as "{" (a symbol font without a Unicode map).
    if first == '{' && text[1..].starts_with(' ') && !text.contains('}') {
        return Some(text[1..].trim_start());
    }
    if matches!(first, '-' | '*' | '–' | '—' | '+') {
        let rest = &text[first.len_utf8()..];
        return rest.starts_with([' ', '\t']).then(|| rest.trim_start());
    }
    // "1. ", "2) ", "(3) ": a number of at most two digits, so "2019 - 2021" is not one.
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if (1..=2).contains(&digits) {
        let rest = &text[digits..];
        if let Some(rest) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return Some(rest.trim_start());
        }
    }
    None
}

/// The words of a heading: letters, digits and '&', lower-cased by the caller.
pub fn word_tokens(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '/' | ',' | '-' | '–' | '|' | '(' | ')' | ':'))
        .map(|w| w.trim_matches(|c: char| !(c.is_alphanumeric() || c == '&')))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Splits a header line into its fields: at column gaps (tabs) and spaced separators
/// ("Acme | Berlin", "Acme — Engineer", "Acme · Remote", "Acme - Engineer"). Commas are left for
/// the caller, who knows whether "Paris, France" is a place.
pub fn fields(text: &str) -> Vec<String> {
    let mut parts = vec![text.to_string()];
    for separator in ["\t", " | ", "|", " • ", " · ", " — ", " – ", " -- ", " - ", " ~ "] {
        parts = parts.iter().flat_map(|p| p.split(separator).map(str::to_string).collect::<Vec<_>>()).collect();
    }
    parts.into_iter().map(|p| crate::resume::dates::trim_separators(&p).to_string()).filter(|p| !p.is_empty()).collect()
}

/// Words in a line, counting words of letters only.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Does the line read like a title (a company, a role, a school) rather than a sentence? Short,
/// no sentence end, most words capitalised or a column gap in it.
pub fn is_title_like(text: &str) -> bool {
    let text = text.trim();
    if text.is_empty() || is_bullet(text) || word_count(text) > 10 || ends_sentence(text) {
        return false;
    }
    if text.contains('\t') || find_range(text).is_some() {
        return true;
    }
    let words: Vec<&str> =
        text.split_whitespace().filter(|w| w.chars().next().is_some_and(char::is_alphabetic)).collect();
    if words.is_empty() {
        return false;
    }
    let small = [
        "and", "of", "the", "for", "in", "at", "de", "du", "la", "von", "und", "a", "an", "&", "on", "to", "with",
        "di", "da", "del", "della", "des", "do", "dos", "das", "y", "e", "van", "der", "den", "zu", "le", "les", "et",
    ];
    let capitalised = words
        .iter()
        .filter(|w| small.contains(&w.to_lowercase().as_str()) || w.chars().next().is_some_and(char::is_uppercase))
        .count();
    capitalised * 10 >= words.len() * 7
}

/// Does the line end like a sentence? A final abbreviation ("Inc.", "S.L.", "z o.o.") does not.
fn ends_sentence(text: &str) -> bool {
    if text.ends_with(';') {
        return true;
    }
    let Some(body) = text.strip_suffix('.') else { return false };
    let last = body.rsplit(' ').next().unwrap_or_default();
    !(last.contains('.') || last.chars().count() <= 3)
}

/// Does a line continue the line before it (a bullet wrapped by the PDF's layout)?
pub fn continues(previous: &str, text: &str) -> bool {
    let text = text.trim();
    let Some(first) = text.chars().next() else { return false };
    if is_bullet(text) || find_range(text).is_some() || previous.trim().is_empty() {
        return false;
    }
    if first.is_lowercase() || matches!(first, '(' | '&' | ',' | ')' | '%') {
        return true;
    }
    // A number carried over from an unfinished long line ("… to WCAG" then "2.1 AA").
    let ended = previous.trim_end().ends_with(['.', '!', '?', ':']);
    if first.is_ascii_digit() && !ended && previous.chars().count() > 50 && text.split_whitespace().count() <= 4 {
        return true;
    }
    // A wrapped sentence: the line before did not end and this one is not a title.
    !ended && previous.chars().count() > 50 && !is_title_like(text)
}

/// Lines with wrapped bullets joined to their first line. Blank lines stay (they separate
/// entries).
pub fn join_wrapped(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in lines {
        match out.last_mut() {
            Some(previous) if is_bullet(previous) && continues(previous, line) => {
                previous.push(' ');
                previous.push_str(line.trim());
            }
            _ => out.push(line.trim().to_string()),
        }
    }
    out
}

/// Splits a list ("Rust, Go; Python | SQL • Docker") at its separators, not inside parentheses
/// ("Python (NumPy, pandas)").
pub fn list_items(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut depth = 0i32;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            _ => {}
        }
        let spaced = |i: usize| {
            i > 0
                && chars.get(i - 1).is_some_and(|c| c.is_whitespace())
                && chars.get(i + 1).is_some_and(|c| c.is_whitespace())
        };
        let separator = depth <= 0
            && (matches!(c, ',' | ';' | '|' | '•' | '·' | '\t' | '▪' | '●' | '◦')
                || matches!(c, '/' | '-' | '–') && spaced(i));
        if separator {
            items.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    items.push(current);
    items
        .into_iter()
        .map(|item| item.trim().trim_end_matches('.').trim().trim_start_matches("and ").trim().to_string())
        .filter(|item| !item.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bullets_fields_and_lists() {
        assert_eq!(bullet_body("• Built it"), Some("Built it"));
        assert_eq!(bullet_body("- Built it"), Some("Built it"));
        assert_eq!(bullet_body("3. Built it"), Some("Built it"));
        assert_eq!(bullet_body("2019 - 2021"), None);
        assert_eq!(bullet_body("-5% churn"), None);
        assert_eq!(fields("Acme Corp | Berlin\tJan 2020"), vec!["Acme Corp", "Berlin", "Jan 2020"]);
        assert_eq!(
            list_items("Rust, Python (NumPy, pandas); SQL | CI/CD and Git."),
            vec!["Rust", "Python (NumPy, pandas)", "SQL", "CI/CD and Git"]
        );
        assert!(is_title_like("Acme Corporation"));
        assert!(!is_title_like("Built the billing system for the whole company."));
        let joined =
            join_wrapped(&["• Built a system that handles".into(), "millions of requests".into(), "Acme".into()]);
        assert_eq!(joined, vec!["• Built a system that handles millions of requests", "Acme"]);
    }
}
