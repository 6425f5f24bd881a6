//! Markdown to HTML that is safe to show: CommonMark (with tables, strikethrough and task lists)
//! rendered by pulldown-cmark, then cleaned by ammonia's allow-list, which drops `<script>`,
//! event attributes (`onerror`, …), `style`, and links to anything but http(s), mail and our
//! own pages. Images may only come from our own file route, so a journal never makes a reader's
//! browser call a third party.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{html, Event, Options, Parser};

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(Some("noopener noreferrer nofollow ugc"))
            .add_tags(["input"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .attribute_filter(|element, attribute, value| match (element, attribute) {
                ("img", "src") if !value.starts_with("/files/") => None,
                ("input", "type") if value != "checkbox" => None,
                _ => Some(Cow::Borrowed(value)),
            });
        builder
    })
}

/// Elements whose content a browser (and the sanitiser's HTML parser) reads as raw text up to
/// their closing tag: one left open would swallow the rest of the entry.
const RAW_TEXT_ELEMENTS: [&str; 9] =
    ["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"];

/// Where in `html` a raw-text element starts (`<script>` or `<script …`, not `<scripts>`)
/// whose closing tag never comes in `rest`.
fn unclosed_raw_text_start(html: &str, rest: &str) -> Option<usize> {
    let html = html.to_ascii_lowercase();
    let rest = rest.to_ascii_lowercase();
    let mut first: Option<usize> = None;
    for tag in RAW_TEXT_ELEMENTS.iter().filter(|tag| !rest.contains(&format!("</{tag}"))) {
        let opening = format!("<{tag}");
        for (at, _) in html.match_indices(&opening) {
            let after = html[at + opening.len()..].chars().next();
            if after.is_none_or(|c| c == '>' || c == '/' || c.is_whitespace()) {
                first = Some(first.map_or(at, |f| f.min(at)));
            }
        }
    }
    first
}

/// The Markdown with every unclosed raw-text start tag's `<` written as `&lt;`, so it reads as
/// text and the rest of the entry is Markdown again.
fn defuse_unclosed_raw_text(markdown: &str, options: Options) -> Cow<'_, str> {
    let mut markdown = Cow::Borrowed(markdown);
    // Each pass defuses the first such tag; a few passes cover any real entry, and the cap keeps
    // a hostile one cheap (what is left is still cleaned by the sanitiser below).
    for _ in 0..16 {
        let found = Parser::new_ext(&markdown, options).into_offset_iter().find_map(|(event, range)| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => {
                unclosed_raw_text_start(&raw, &markdown[range.start..]).map(|at| range.start + at)
            }
            _ => None,
        });
        let Some(at) = found else { break };
        let fixed = format!("{}&lt;{}", &markdown[..at], &markdown[at + 1..]);
        markdown = Cow::Owned(fixed);
    }
    markdown
}

/// Render `markdown` to sanitised HTML. Raw HTML that opens a `<script>`, `<style>` or another
/// raw-text element and never closes it is shown as text, so it cannot hide what follows.
pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let markdown = defuse_unclosed_raw_text(markdown, options);
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(&markdown, options));
    cleaner().clean(&unsafe_html).to_string()
}

/// Plain text of the first paragraph or so, for summaries: Markdown syntax and HTML removed.
pub fn summary(markdown: &str, max_chars: usize) -> String {
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            pulldown_cmark::Event::Text(t) | pulldown_cmark::Event::Code(t) => text.push_str(&t),
            pulldown_cmark::Event::SoftBreak | pulldown_cmark::Event::HardBreak => text.push(' '),
            pulldown_cmark::Event::End(_) if !text.ends_with(' ') => text.push(' '),
            _ => {}
        }
        if text.chars().count() > max_chars {
            break;
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > max_chars {
        format!("{}…", text.chars().take(max_chars).collect::<String>().trim_end())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_markdown_renders() {
        let html = to_safe_html("# Title\n\nSome *emphasis* and [a link](https://example.com).\n\n- [x] done");
        assert!(html.contains("<h1>Title</h1>"));
        assert!(html.contains("<em>emphasis</em>"));
        assert!(html.contains(r#"href="https://example.com""#));
        assert!(html.contains(r#"rel="noopener noreferrer nofollow ugc""#));
        assert!(html.contains("checkbox"));
    }

    /// Issue 11, item 7: an unclosed `<style>` or `<script>` swallowed the rest of the entry.
    #[test]
    fn an_unclosed_raw_text_tag_is_shown_as_text_and_hides_nothing() {
        for opener in ["<style>", "<script>", "<SCRIPT type=\"text/javascript\">", "<textarea>", "<title>"] {
            for markdown in [
                format!("Before.\n\n{opener}\n\nThe **rest** of my entry."),
                format!("Before {opener} inline.\n\nThe **rest** of my entry."),
            ] {
                let html = to_safe_html(&markdown);
                assert!(html.contains("<strong>rest</strong>"), "{markdown:?} keeps what follows:\n{html}");
                assert!(html.contains("&lt;"), "{markdown:?} shows the tag as text:\n{html}");
                let lower = html.to_lowercase();
                assert!(!lower.contains("<script") && !lower.contains("<style"), "no live tag:\n{html}");
            }
        }
        // Closed ones are still removed with what they hold, as before.
        let closed = to_safe_html("A <style>p{color:red}</style> b\n\n<script>alert(1)</script>\n\nEnd");
        assert!(!closed.contains("color:red") && !closed.contains("alert(") && closed.contains("End"), "{closed}");
        // A tag that only starts like one is left to the sanitiser.
        assert!(to_safe_html("a <scripts> b\n\nrest").contains("rest"));
    }

    #[test]
    fn script_tags_are_removed() {
        let html =
            to_safe_html("Hello <script>alert('x')</script>\n\n<script src=\"https://evil.example/x.js\"></script>");
        assert!(!html.to_lowercase().contains("<script"), "{html}");
        assert!(!html.contains("evil.example"), "{html}");
    }

    #[test]
    fn javascript_links_are_removed() {
        for markdown in [
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "<a href=\"javascript:alert(1)\">click</a>",
            "[click](data:text/html;base64,PHNjcmlwdD4=)",
            "<a href=\"vbscript:msgbox(1)\">x</a>",
        ] {
            let html = to_safe_html(markdown).to_lowercase();
            assert!(!html.contains("javascript:") && !html.contains("data:") && !html.contains("vbscript:"), "{html}");
        }
    }

    #[test]
    fn event_attributes_are_removed() {
        let html = to_safe_html(
            "<img src=\"/files/x\" onerror=\"alert(1)\">\n\n<p onclick=\"alert(2)\" style=\"color:red\">hi</p>\n\n<svg onload=alert(3)>",
        );
        let lower = html.to_lowercase();
        assert!(!lower.contains("onerror") && !lower.contains("onclick") && !lower.contains("onload"), "{html}");
        assert!(!lower.contains("style="), "{html}");
        assert!(!lower.contains("<svg"), "{html}");
        assert!(html.contains(r#"<img src="/files/x">"#), "{html}");
    }

    #[test]
    fn images_come_only_from_our_own_files() {
        let html = to_safe_html("![tracker](https://tracker.example/pixel.gif) ![ours](/files/abc)");
        assert!(!html.contains("tracker.example"), "{html}");
        assert!(html.contains(r#"src="/files/abc""#), "{html}");
    }

    #[test]
    fn summaries_are_plain_text() {
        assert_eq!(summary("# Hi\n\nSome **bold** <b>x</b> text", 100), "Hi Some bold x text");
        assert_eq!(summary("abcdefghij", 5), "abcde…");
    }
}
