//! Reading an HTML page without a browser: its JSON-LD blocks, its `<meta>` tags, its title and
//! first heading, and its readable text as plain text (paragraphs apart, list items on lines of
//! their own with `- ` or `1. `), with scripts, styles, navigation, headers, footers, forms and
//! hidden parts left out.
//!
//! html5ever's tokenizer is enough for this and keeps memory to the text kept: no tree is built
//! (a page is read once, front to back). Elements whose content is raw text (`script`, `style`,
//! `title`, `textarea`…) are told to the tokenizer as the tree builder would, so a `<` in a
//! script is never read as a tag.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};

/// What a page holds, as read once from front to back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageScan {
    /// The `<title>`, on one line.
    pub title: String,
    /// The first `<h1>`, on one line.
    pub heading: String,
    /// The text of each `<script type="application/ld+json">`.
    pub json_ld: Vec<String>,
    /// `(property or name, content)` of each `<meta>`, the key lower-cased.
    pub meta: Vec<(String, String)>,
    /// The readable text of `<main>`, else of the first `<article>`'s level, else of the body.
    pub main_text: String,
}

impl PageScan {
    /// The first non-empty `content` of a `<meta>` with this `property` or `name`.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta.iter().find(|(k, v)| k == key && !v.trim().is_empty()).map(|(_, v)| v.trim())
    }
}

/// Read a whole page.
pub fn scan(html: &str) -> PageScan {
    let scanner = run(html);
    let main = scanner.main.finish();
    let article = scanner.article.finish();
    let main_text = if !main.is_empty() {
        main
    } else if !article.is_empty() {
        article
    } else {
        scanner.body.finish()
    };
    PageScan {
        title: one_line(&scanner.title),
        heading: one_line(&scanner.heading.finish()),
        json_ld: scanner.json_ld,
        meta: scanner.meta,
        main_text,
    }
}

/// An HTML fragment (a job description) as plain text: entities decoded, tags gone, paragraphs
/// and lists kept. Text without tags comes back with its whitespace tidied.
pub fn to_text(fragment: &str) -> String {
    run(fragment).body.finish()
}

/// Whitespace runs as single spaces, control characters dropped, trimmed.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(char::is_whitespace).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().filter(|c| !c.is_control()));
    }
    out
}

fn run(html: &str) -> Scanner {
    let tokenizer = Tokenizer::new(Sink(RefCell::new(Scanner::default())), TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    tokenizer.sink.0.into_inner()
}

/// Elements whose content is not part of the readable text.
const SKIPPED: &[&str] = &[
    "head", "script", "style", "noscript", "template", "svg", "math", "nav", "header", "footer", "aside", "form",
    "button", "select", "textarea", "iframe", "object", "canvas", "audio", "video", "dialog", "title",
];

/// Elements that have no content and no end tag.
const VOID: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"];

/// Elements that start a paragraph of their own.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "dl",
    "table",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "address",
    "hr",
    "details",
    "fieldset",
    "center",
];

/// Elements that start a line of their own.
const LINES: &[&str] = &["tr", "dt", "dd", "summary", "caption"];

/// Text built as a page is read: words with single spaces, line breaks and paragraph breaks
/// owed until the next word (so none trail), list bullets at the start of their item's line.
/// The most text one writer keeps (well above the longest field a posting fills).
const TEXT_MAX: usize = 256 * 1024;
/// Lists nested deeper than this are indented no further.
const LIST_INDENT_MAX: usize = 6;
/// Elements followed inside a part left out; deeper ones are not (their ends are not sought).
const SKIPPED_MAX: usize = 256;

#[derive(Default)]
struct TextWriter {
    out: String,
    space: bool,
    /// 1: a line break is owed before the next word; 2: a blank line.
    breaks: u8,
    bullet: Option<String>,
}

impl TextWriter {
    fn text(&mut self, text: &str) {
        if text.starts_with(char::is_whitespace) {
            self.space = true;
        }
        let mut words = text.split(char::is_whitespace).filter(|w| !w.is_empty()).peekable();
        while let Some(word) = words.next() {
            self.word(word);
            if words.peek().is_some() {
                self.space = true;
            }
        }
        if text.ends_with(char::is_whitespace) {
            self.space = true;
        }
    }

    fn word(&mut self, word: &str) {
        // A hostile page cannot make the text grow past what any field keeps.
        if self.out.len() >= TEXT_MAX {
            return;
        }
        let clean: String = word.chars().filter(|c| !c.is_control()).collect();
        if clean.is_empty() {
            return;
        }
        let at_line_start = self.out.is_empty() || self.breaks > 0;
        if !self.out.is_empty() {
            if self.breaks > 0 {
                for _ in 0..self.breaks.min(2) {
                    self.out.push('\n');
                }
            } else if self.space {
                self.out.push(' ');
            }
        }
        if at_line_start {
            if let Some(bullet) = self.bullet.take() {
                self.out.push_str(&bullet);
            }
        }
        self.out.push_str(&clean);
        self.breaks = 0;
        self.space = false;
    }

    fn paragraph(&mut self) {
        self.breaks = 2;
    }

    fn line(&mut self) {
        self.breaks = self.breaks.max(1);
    }

    /// `<br>`: a line break, and a second one in a row makes a blank line.
    fn br(&mut self) {
        self.breaks = (self.breaks + 1).min(2);
    }

    fn item(&mut self, bullet: String) {
        self.line();
        self.bullet = Some(bullet);
    }

    fn finish(&self) -> String {
        self.out.trim().to_owned()
    }
}

/// Where the reader is in the page.
#[derive(Default)]
struct Scanner {
    title: String,
    in_title: bool,
    title_done: bool,
    heading: TextWriter,
    in_heading: bool,
    heading_done: bool,
    json_ld: Vec<String>,
    /// The JSON-LD block being read.
    script: Option<String>,
    meta: Vec<(String, String)>,
    /// Open elements whose content is left out, innermost last.
    skipped: Vec<String>,
    /// Open lists: `None` for `<ul>`, the next number for `<ol>`.
    lists: Vec<Option<u32>>,
    main_depth: usize,
    article_depth: usize,
    main: TextWriter,
    article: TextWriter,
    body: TextWriter,
}

impl Scanner {
    /// Each writer the text goes to now.
    fn each(&mut self, mut action: impl FnMut(&mut TextWriter)) {
        if !self.skipped.is_empty() {
            return;
        }
        action(&mut self.body);
        if self.main_depth > 0 {
            action(&mut self.main);
        }
        if self.article_depth > 0 {
            action(&mut self.article);
        }
    }

    /// A list starts or ends a paragraph, or a line when it is inside another list.
    fn list_break(&mut self) {
        if self.lists.is_empty() {
            self.each(TextWriter::paragraph);
        } else {
            self.each(TextWriter::line);
        }
    }

    fn start(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        let attr = |wanted: &str| tag.attrs.iter().find(|a| &*a.name.local == wanted).map(|a| a.value.to_string());
        let raw = match name {
            "script" => {
                let is_json_ld = attr("type").is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"));
                self.script = is_json_ld.then(String::new);
                Some(TokenSinkResult::RawData(RawKind::ScriptData))
            }
            "style" | "xmp" | "iframe" | "noembed" | "noframes" => Some(TokenSinkResult::RawData(RawKind::Rawtext)),
            "title" | "textarea" => {
                self.in_title = name == "title" && !self.title_done;
                Some(TokenSinkResult::RawData(RawKind::Rcdata))
            }
            "plaintext" => Some(TokenSinkResult::Plaintext),
            _ => None,
        };
        if name == "meta" {
            let key = attr("property").or_else(|| attr("name")).or_else(|| attr("itemprop"));
            if let (Some(key), Some(content)) = (key, attr("content")) {
                self.meta.push((key.trim().to_ascii_lowercase(), content));
            }
        }
        if VOID.contains(&name) {
            match name {
                "br" => self.each(TextWriter::br),
                "hr" => self.each(TextWriter::paragraph),
                _ => {}
            }
            return raw.unwrap_or(TokenSinkResult::Continue);
        }
        let hidden = attr("hidden").is_some() || attr("aria-hidden").is_some_and(|v| v.trim() == "true");
        // Inside a part left out, every element is followed so that its end is found.
        if SKIPPED.contains(&name) || hidden || !self.skipped.is_empty() {
            if (!tag.self_closing || raw.is_some()) && self.skipped.len() < SKIPPED_MAX {
                self.skipped.push(name.to_owned());
            }
            return raw.unwrap_or(TokenSinkResult::Continue);
        }
        if self.skipped.is_empty() {
            match name {
                "main" => self.main_depth += 1,
                "article" => self.article_depth += 1,
                "h1" if !self.heading_done => self.in_heading = true,
                _ => {}
            }
        }
        match name {
            "ul" | "menu" => {
                self.list_break();
                self.lists.push(None);
            }
            "ol" => {
                self.list_break();
                let start = attr("start").and_then(|s| s.trim().parse().ok()).unwrap_or(1);
                self.lists.push(Some(start));
            }
            "li" => {
                let depth = self.lists.len().clamp(1, LIST_INDENT_MAX);
                let marker = match self.lists.last_mut() {
                    Some(Some(next)) => {
                        let marker = format!("{next}. ");
                        *next = next.saturating_add(1);
                        marker
                    }
                    _ => "- ".to_owned(),
                };
                let bullet = format!("{}{marker}", "  ".repeat(depth - 1));
                self.each(|writer| writer.item(bullet.clone()));
            }
            _ if BLOCKS.contains(&name) => self.each(TextWriter::paragraph),
            _ if LINES.contains(&name) => self.each(TextWriter::line),
            "td" | "th" => self.each(|writer| writer.space = true),
            _ => {}
        }
        raw.unwrap_or(TokenSinkResult::Continue)
    }

    fn end(&mut self, tag: &Tag) {
        let name: &str = &tag.name;
        match name {
            "script" => {
                if let Some(block) = self.script.take() {
                    self.json_ld.push(block);
                }
            }
            "title" if self.in_title => {
                self.in_title = false;
                self.title_done = true;
            }
            _ => {}
        }
        if let Some(at) = self.skipped.iter().rposition(|open| open == name) {
            self.skipped.truncate(at);
            return;
        }
        if !self.skipped.is_empty() {
            return;
        }
        match name {
            "main" => {
                self.main.paragraph();
                self.main_depth = self.main_depth.saturating_sub(1);
            }
            "article" => {
                self.article.paragraph();
                self.article_depth = self.article_depth.saturating_sub(1);
            }
            "h1" if self.in_heading => {
                self.in_heading = false;
                self.heading_done = !self.heading.out.is_empty();
            }
            _ => {}
        }
        match name {
            "ul" | "ol" | "menu" => {
                self.lists.pop();
                self.list_break();
            }
            "li" => self.each(TextWriter::line),
            _ if BLOCKS.contains(&name) => self.each(TextWriter::paragraph),
            _ if LINES.contains(&name) => self.each(TextWriter::line),
            _ => {}
        }
    }

    fn characters(&mut self, text: &str) {
        if let Some(script) = &mut self.script {
            script.push_str(text);
            return;
        }
        if self.in_title {
            self.title.push_str(text);
            return;
        }
        if self.skipped.is_empty() && self.in_heading {
            self.heading.text(text);
        }
        self.each(|writer| writer.text(text));
    }
}

struct Sink(RefCell<Scanner>);

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut scanner = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => return scanner.start(&tag),
                TagKind::EndTag => scanner.end(&tag),
            },
            Token::CharacterTokens(text) => scanner.characters(&text),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hostile page (lists nested 100 000 deep, a skipped part with 100 000 elements and as many
    /// stray end tags, a numbered list starting at the largest number) is read in bounded time
    /// into bounded text.
    #[test]
    fn a_hostile_page_is_read_in_bounded_time_and_space() {
        let nested = "<ul><li>x".repeat(100_000);
        let text = to_text(&nested);
        assert!(text.len() <= TEXT_MAX + 1024, "{}", text.len());
        assert!(text.lines().all(|line| line.len() <= 2 * LIST_INDENT_MAX + 4), "the indent stops growing");
        let skipped = format!("<nav>{}{}</nav><p>kept</p>", "<a>".repeat(100_000), "</q>".repeat(100_000));
        // Quadratic, this would run for hours; the ends past the followed depth are not sought.
        let page = scan(&skipped);
        assert_eq!(page.main_text, "kept");
        assert_eq!(to_text("<ol start=\"4294967295\"><li>a</li><li>b</li></ol>"), "4294967295. a\n4294967295. b");
    }

    #[test]
    fn paragraphs_lists_and_entities_become_clean_text() {
        let html = "<p>We&rsquo;re hiring a <strong>Staff&nbsp;Engineer</strong>.</p>\
                    <h3>What you&#39;ll do</h3><ul><li>Build <em>things</em></li><li>Ship &amp; learn<ul><li>daily</li></ul></li></ul>\
                    <ol start=\"3\"><li>Three</li><li>Four</li></ol><p>Line one<br>Line two</p><div>Tail &lt;3</div>";
        assert_eq!(
            to_text(html),
            "We\u{2019}re hiring a Staff Engineer.\n\nWhat you'll do\n\n- Build things\n- Ship & learn\n  - daily\n\n\
             3. Three\n4. Four\n\nLine one\nLine two\n\nTail <3"
        );
        assert_eq!(to_text("  plain   text\u{0} without tags "), "plain text without tags");
    }

    #[test]
    fn scripts_styles_navigation_and_hidden_parts_are_left_out() {
        let page = r#"<!doctype html><html><head><title>Senior Engineer &ndash; Acme</title>
            <meta property="og:title" content="Senior Engineer">
            <meta name="description" content="A role">
            <script>if (a < b) { document.write("<p>not text</p>") }</script>
            <script type="application/ld+json">{"@type": "JobPosting", "title": "a < b"}</script>
            <style>p { color: red }</style></head>
            <body><nav><a href="/">Home</a></nav><header>Site header</header>
            <main><h1>Senior  Engineer</h1><p>Join us.</p><div hidden>Secret</div><form><button>Apply</button></form></main>
            <footer>© Acme</footer></body></html>"#;
        let scan = scan(page);
        assert_eq!(scan.title, "Senior Engineer \u{2013} Acme");
        assert_eq!(scan.heading, "Senior Engineer");
        assert_eq!(scan.meta("og:title"), Some("Senior Engineer"));
        assert_eq!(scan.meta("description"), Some("A role"));
        assert_eq!(scan.json_ld, [r#"{"@type": "JobPosting", "title": "a < b"}"#]);
        assert_eq!(scan.main_text, "Senior Engineer\n\nJoin us.");
    }

    #[test]
    fn without_main_the_article_then_the_body_is_the_text() {
        assert_eq!(scan("<body><p>Intro</p><article><p>The posting</p></article></body>").main_text, "The posting");
        assert_eq!(scan("<body><p>Only</p><p>the body</p></body>").main_text, "Only\n\nthe body");
        assert_eq!(scan("<p>Unclosed <div>tags <span>everywhere").main_text, "Unclosed\n\ntags everywhere");
    }
}
