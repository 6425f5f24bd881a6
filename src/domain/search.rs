//! The search box's words and a found record's text, independent of the database that searches.

/// At most this many words of a query are searched for; the rest are ignored.
pub const MAX_WORDS: usize = 12;
/// A word longer than this is cut (no record's word is that long; a pasted blob must not be).
pub const MAX_WORD_CHARS: usize = 64;

/// Where the database marks the start and the end of a matched word in a snippet. Neither can
/// be typed into a record: [`SearchText::new`] takes them out of the text it indexes.
pub const MARK_START: char = '\u{2}';
pub const MARK_END: char = '\u{3}';

/// What the search box finds a record by: a title, which weighs most, and a body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchText {
    pub title: String,
    pub body: String,
}

impl SearchText {
    /// The title and the body made of `parts` (empty ones left out), one a line.
    pub fn new<'a>(title: &str, parts: impl IntoIterator<Item = &'a str>) -> Self {
        let body = parts.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>().join("\n");
        SearchText { title: without_marks(title.trim()), body: without_marks(&body) }
    }
}

fn without_marks(text: &str) -> String {
    text.chars().filter(|c| *c != MARK_START && *c != MARK_END && *c != '\0').collect()
}

/// A query as words: runs of letters and digits, lower-cased. Everything else (quotes,
/// operators, column names, control characters) only separates words, so no input can change
/// the shape of the database's query; each database is given the words in its own syntax, all
/// required, the last one also as the start of a longer word (what is typed as one types).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchTerms {
    words: Vec<String>,
}

impl SearchTerms {
    pub fn parse(query: &str) -> Self {
        let words = query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(MAX_WORDS)
            .map(|w| w.chars().take(MAX_WORD_CHARS).collect::<String>().to_lowercase())
            .collect();
        SearchTerms { words }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }
}

/// A snippet cut in pieces: `(text, matched)`, the matched words being what the database marked.
pub fn snippet_pieces(marked: &str) -> Vec<(String, bool)> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut matched = false;
    for c in marked.chars() {
        let starts = c == MARK_START && !matched;
        let ends = c == MARK_END && matched;
        if starts || ends {
            if !current.is_empty() {
                pieces.push((std::mem::take(&mut current), matched));
            }
            matched = starts;
        } else if c != MARK_START && c != MARK_END {
            current.push(c);
        }
    }
    if !current.is_empty() {
        pieces.push((current, matched));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_its_words_whatever_else_is_typed() {
        let words = |q: &str| SearchTerms::parse(q).words().to_vec();
        assert_eq!(
            words(r#"Rust "AND" title:Globex -remote NEAR(a b) *"#),
            ["rust", "and", "title", "globex", "remote", "near", "a", "b"]
        );
        assert_eq!(words("node.js ada@example.com"), ["node", "js", "ada", "example", "com"]);
        assert_eq!(words("Café\u{0}\u{7}München"), ["café", "münchen"]);
        assert!(SearchTerms::parse(r#"" * - ( ) : ^"#).is_empty());
        assert_eq!(words(&"word ".repeat(2_000)).len(), MAX_WORDS);
        assert_eq!(words(&"x".repeat(10_000))[0].len(), MAX_WORD_CHARS);
    }

    #[test]
    fn marks_become_pieces_and_never_reach_the_text() {
        let text = SearchText::new("A \u{2}title\u{3}", ["body", "", " more "]);
        assert_eq!(text, SearchText { title: "A title".into(), body: "body\nmore".into() });
        assert_eq!(
            snippet_pieces("a \u{2}rust\u{3} b"),
            vec![("a ".to_owned(), false), ("rust".to_owned(), true), (" b".to_owned(), false)]
        );
        assert_eq!(snippet_pieces("\u{3}x\u{2}"), vec![("x".to_owned(), false)]);
    }
}
