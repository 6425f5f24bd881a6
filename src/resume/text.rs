//! Plain text and Markdown files, and the normalisation every extracted line goes through.

use super::extract::{ExtractError, Line};

/// Characters a resume's text may carry that the parser should not have to know about.
///
/// Word and PDF exports write hyphens as U+00AD or U+2010, a space as a tab followed by U+00A0
/// (Word for Mac), icons from private-use font glyphs (Font Awesome's phone and envelope) and
/// ligatures (ﬁ, ﬂ) from typeset PDFs. A run of tabs alone is kept as one tab: it is a column gap
/// (a right-aligned date, a DOCX tab stop) that the parser reads as a field separator.
pub(crate) fn normalise_line(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_space: Option<bool> = None; // Some(true) when the whitespace run was only tabs
    for c in raw.chars() {
        let replaced: Option<&str> = match c {
            '\u{00AD}' | '\u{2010}' | '\u{2011}' => Some("-"),
            '\u{FB00}' => Some("ff"),
            '\u{FB01}' => Some("fi"),
            '\u{FB02}' => Some("fl"),
            '\u{FB03}' => Some("ffi"),
            '\u{FB04}' => Some("ffl"),
            '\u{FB05}' | '\u{FB06}' => Some("st"),
            '\u{2018}' | '\u{2019}' => Some("'"),
            '\u{201C}' | '\u{201D}' => Some("\""),
            _ => None,
        };
        if c == '\t' {
            pending_space = Some(pending_space.unwrap_or(true));
            continue;
        }
        if c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}' {
            pending_space = Some(false);
            continue;
        }
        // Icon fonts, and control characters that are not whitespace. Opening a line, the
        // Symbol and Wingdings glyphs Word and LibreOffice draw list bullets with (U+F0B7 and
        // friends) stay as a bullet so the item stays one; other icons (a phone, a calendar
        // before a date) are dropped.
        if ('\u{E000}'..='\u{F8FF}').contains(&c) || c.is_control() {
            const SYMBOL_BULLETS: &[char] =
                &['\u{F0B7}', '\u{F0A7}', '\u{F0A8}', '\u{F076}', '\u{F0D8}', '\u{F0FC}', '\u{F06C}', '\u{F06E}'];
            if out.is_empty() && SYMBOL_BULLETS.contains(&c) {
                out.push('•');
                pending_space = Some(false);
            }
            continue;
        }
        if let Some(only_tabs) = pending_space.take() {
            if !out.is_empty() {
                out.push(if only_tabs { '\t' } else { ' ' });
            }
        }
        match replaced {
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
    }
    out
}

/// Lines of a plain-text file, normalised.
pub(crate) fn text_lines(text: &str) -> Vec<Line> {
    text.lines().map(|line| Line::plain(normalise_line(line))).collect()
}

/// Lines of a Markdown file: headings marked as such, list items as bullets, emphasis and link
/// syntax removed (a link keeps its address, which the parser may want: "GitHub
/// (https://github.com/x)").
pub(crate) fn markdown_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut in_code = false;
    for raw in text.lines() {
        let trimmed = raw.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            lines.push(Line::plain(normalise_line(raw)));
            continue;
        }
        // A setext underline turns the line before it into a heading.
        let underline = trimmed.starts_with('=') && trimmed.chars().all(|c| c == '=')
            || trimmed.len() >= 3 && trimmed.chars().all(|c| c == '-');
        if underline {
            // A thematic break ("---") after a blank line is only a rule.
            if let Some(last) = lines.last_mut().filter(|l: &&mut Line| !l.text.is_empty()) {
                last.heading = true;
            }
            continue;
        }
        let hashes = trimmed.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) && trimmed[hashes..].starts_with([' ', '\t']) {
            let title = trimmed[hashes..].trim().trim_end_matches('#').trim();
            lines.push(Line { text: normalise_line(&strip_inline_markdown(title)), heading: true });
            continue;
        }
        let mut body = trimmed.trim_start_matches('>').trim_start();
        let mut bullet = false;
        for marker in ["- [ ] ", "- [x] ", "- ", "* ", "+ "] {
            if let Some(rest) = body.strip_prefix(marker) {
                body = rest;
                bullet = true;
                break;
            }
        }
        let mut text = strip_inline_markdown(body);
        // A hard line break written as two trailing spaces or a backslash.
        if text.ends_with('\\') {
            text.pop();
        }
        let text = normalise_line(&text);
        lines.push(Line::plain(if bullet && !text.is_empty() { format!("• {text}") } else { text }));
    }
    lines
}

/// "**Acme** — [site](https://acme.test) `Rust`" → "Acme — site (https://acme.test) Rust".
fn strip_inline_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' | '`' => {}
            // Underscores inside words (snake_case) are kept; at word edges they are emphasis.
            '_' => {
                let before = i > 0 && chars[i - 1].is_alphanumeric();
                let after = chars.get(i + 1).is_some_and(|c| c.is_alphanumeric());
                if before && after {
                    out.push('_');
                }
            }
            '\\' if chars.get(i + 1).is_some_and(|c| c.is_ascii_punctuation()) => {
                out.push(chars[i + 1]);
                i += 1;
            }
            '!' if chars.get(i + 1) == Some(&'[') => {}
            '[' => {
                // [label](url): keep the label, and the address when it says more than the label.
                if let Some(close) = chars[i + 1..].iter().position(|&c| c == ']').map(|p| p + i + 1) {
                    if chars.get(close + 1) == Some(&'(') {
                        if let Some(end) = chars[close + 2..].iter().position(|&c| c == ')').map(|p| p + close + 2) {
                            let label: String = chars[i + 1..close].iter().collect();
                            let url: String = chars[close + 2..end].iter().collect();
                            let label = strip_inline_markdown(&label);
                            let url = url.split_whitespace().next().unwrap_or_default().to_string();
                            let bare = url.trim_start_matches("mailto:").trim_start_matches("tel:");
                            if label.trim().is_empty() || label.contains(bare) {
                                out.push_str(bare);
                            } else if url.starts_with("mailto:") || url.starts_with("tel:") || url.starts_with('#') {
                                out.push_str(&label);
                            } else {
                                out.push_str(&format!("{label} ({url})"));
                            }
                            i = end + 1;
                            continue;
                        }
                    }
                }
                out.push('[');
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Is this UTF-8 text, and not a binary file that happens to decode? Control characters other
/// than line breaks and tabs are rare in text and common in binaries.
pub(crate) fn decode_text(bytes: &[u8]) -> Result<&str, ExtractError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| ExtractError::Unsupported { what: "a binary file" })?;
    let controls = text.chars().filter(|&c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')).count();
    if controls > 0 && controls * 100 > text.chars().count() {
        return Err(ExtractError::Unsupported { what: "a binary file" });
    }
    Ok(text)
}

/// Does this text look like Markdown rather than plain text? Headings written with `#`, or
/// several emphasis or link marks.
pub(crate) fn looks_like_markdown(text: &str) -> bool {
    let mut signs = 0;
    for line in text.lines().take(400) {
        let line = line.trim_start();
        if line.starts_with("# ") || line.starts_with("## ") || line.starts_with("### ") {
            signs += 2;
        }
        if line.contains("**") || line.contains("](") {
            signs += 1;
        }
    }
    signs >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_replaces_soft_hyphens_ligatures_icons_and_whitespace_runs() {
        assert_eq!(normalise_line("Pro\u{00AD}ject  ﬁle\u{00A0}\u{00A0}x"), "Pro-ject file x");
        assert_eq!(normalise_line("x \u{F0E0} jane@example.com"), "x jane@example.com");
        assert_eq!(normalise_line("\u{F0B7}\tBuilt it"), "• Built it");
        assert_eq!(normalise_line("Word\t\u{00A0}for\t\u{00A0}Mac"), "Word for Mac");
        assert_eq!(normalise_line("Engineer\t\tJan 2020"), "Engineer\tJan 2020");
        assert_eq!(normalise_line("  lead  "), "lead");
    }

    #[test]
    fn markdown_headings_bullets_and_links_become_plain_lines() {
        let lines = markdown_lines("# Jane Doe\n\n## Experience\n- **Built** [site](https://x.test)\nName\n===\n");
        assert!(lines[0].heading && lines[0].text == "Jane Doe");
        assert!(lines[2].heading && lines[2].text == "Experience");
        assert_eq!(lines[3].text, "• Built site (https://x.test)");
        assert!(lines[4].heading);
        assert_eq!(strip_inline_markdown("snake_case _em_ [me@x.test](mailto:me@x.test)"), "snake_case em me@x.test");
    }
}
