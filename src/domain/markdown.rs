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
            .add_tag_attributes("input", ["checked"])
            // Only a task list's ticks: every input is a disabled checkbox. (Dropping a `type`
            // that is not `checkbox` left a bare `<input>`, a text field in the page.)
            .set_tag_attribute_value("input", "type", "checkbox")
            .set_tag_attribute_value("input", "disabled", "")
            .attribute_filter(|element, attribute, value| match (element, attribute) {
                ("img", "src") if !value.starts_with("/files/") => None,
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
/// whose closing tag never comes in `rest`, or a comment or CDATA section that is never closed.
fn unclosed_raw_text_start(html: &str, rest: &str) -> Option<usize> {
    let html = html.to_ascii_lowercase();
    let rest = rest.to_ascii_lowercase();
    let mut first: Option<usize> = None;
    for tag in RAW_TEXT_ELEMENTS {
        let (opening, closing) = (format!("<{tag}"), format!("</{tag}"));
        for (at, _) in html.match_indices(&opening) {
            let after = html[at + opening.len()..].chars().next();
            // Closed only by a closing tag after it: one before it (`</script><script>`) does not.
            let closed = rest.get(at..).is_some_and(|after| after.contains(&closing));
            if !closed && after.is_none_or(|c| c == '>' || c == '/' || c.is_whitespace()) {
                first = Some(first.map_or(at, |f| f.min(at)));
            }
        }
    }
    // A comment is read to its `-->` just the same (`<!-->` is a whole, empty one, hence the
    // search from its `--`), and so is CDATA in `<svg>` or `<math>` to its `]]>`.
    for (opening, closing, from) in [("<!--", "-->", 2), ("<![cdata[", "]]>", 9)] {
        for (at, _) in html.match_indices(opening) {
            if !rest.get(at + from..).is_some_and(|after| after.contains(closing)) {
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
    defuse_unclosed_in_html(&mut unsafe_html);
    cleaner().clean(&unsafe_html).to_string()
}

/// The rendered HTML with every raw-text element or comment that is never closed made text (its
/// `<` written as `&lt;`). [`defuse_unclosed_raw_text`] does this in the Markdown, so that what
/// follows stays Markdown; this catches what it cannot see there: a closing tag that is only
/// text once rendered (escaped with `\`, in a code span), which closes nothing. In the rendered
/// HTML, text is already escaped, so only raw HTML can open or close anything.
fn defuse_unclosed_in_html(html: &mut String) {
    // As above: a few passes for any real entry, cheap for a hostile one.
    for _ in 0..16 {
        let Some(at) = unclosed_raw_text_start(html, html) else { return };
        html.replace_range(at..at + 1, "&lt;");
    }
}

fn is_block_end(end: &pulldown_cmark::TagEnd) -> bool {
    use pulldown_cmark::TagEnd;
    !matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::Image
            | TagEnd::Superscript
            | TagEnd::Subscript
    )
}

/// Plain text of the first paragraph or so, for summaries: Markdown syntax and HTML removed.
pub fn summary(markdown: &str, max_chars: usize) -> String {
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            pulldown_cmark::Event::Text(t) | pulldown_cmark::Event::Code(t) => text.push_str(&t),
            pulldown_cmark::Event::SoftBreak | pulldown_cmark::Event::HardBreak => text.push(' '),
            // Blocks end with a space between them; inline ends (emphasis, links) add nothing,
            // so "**v2**." stays "v2." rather than "v2 .".
            pulldown_cmark::Event::End(end) if is_block_end(&end) && !text.ends_with(' ') => text.push(' '),
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

/// The whole text of `markdown` without its syntax, paragraphs apart (a blank line between
/// blocks, a line break between list items), cut to at most `max_chars` characters: the
/// searchable text of a published document.
pub fn plain_text(markdown: &str, max_chars: usize) -> String {
    use pulldown_cmark::{Event, TagEnd};
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak => text.push(' '),
            Event::HardBreak => text.push('\n'),
            Event::End(TagEnd::Item) => text.push('\n'),
            Event::End(end) if is_block_end(&end) => text.push_str("\n\n"),
            _ => {}
        }
        // Stop reading a huge entry once there is more than can be kept.
        if text.len() > max_chars.saturating_mul(4).saturating_add(64) {
            break;
        }
    }
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .map(|block| {
            block
                .lines()
                .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|block| !block.is_empty())
        .collect();
    let text = paragraphs.join("\n\n");
    if text.chars().count() > max_chars {
        format!("{}…", text.chars().take(max_chars).collect::<String>().trim_end())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 12: excerpts read as plain text, not run-together Markdown.
    #[test]
    fn a_summary_is_plain_text_with_blocks_apart_and_inline_marks_gone() {
        let markdown = "# Shipped\n\nThe new **query planner** is *live*. See [the notes](https://example.com).\n\n\
                        - faster\n- safer\n\n```\ncode\n```";
        assert_eq!(summary(markdown, 200), "Shipped The new query planner is live. See the notes. faster safer code");
        assert_eq!(summary("A *very* long line of text", 10), "A very lon…");
        assert_eq!(summary("<b>raw</b> html", 50), "raw html");
    }

    #[test]
    fn plain_text_keeps_paragraphs_and_items_apart_and_drops_the_syntax() {
        let markdown = "# Shipped\n\nThe new **query planner**\nis *live*.\n\n- faster\n- safer\n\n```\ncode\n```";
        assert_eq!(plain_text(markdown, 1000), "Shipped\n\nThe new query planner is live.\n\nfaster\nsafer\n\ncode");
        assert_eq!(plain_text("A *very* long line of text", 10), "A very lon…");
        assert_eq!(plain_text("", 10), "");
        assert!(plain_text(&"word ".repeat(100_000), 10_000).chars().count() <= 10_001);
    }

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

    /// Found by `nothing_typed_hides_what_follows`: an unclosed HTML comment hid the rest.
    #[test]
    fn an_unclosed_comment_is_shown_as_text_and_hides_nothing() {
        for markdown in [
            "<!--\n\nThe **rest**.",
            "> <!--\n\nThe **rest**.",
            "a <!-- b -->\n\n<!--\n\nThe **rest**.",
            // The `-->` only in a code span, where it is text.
            "> <!--\n\n`-->` The **rest**.",
        ] {
            let html = to_safe_html(markdown);
            assert!(html.contains("<strong>rest</strong>") && html.contains("&lt;!--"), "{markdown:?}:\n{html}");
        }
        // A closed one is still removed, and `<!-->` is a whole comment.
        assert_eq!(to_safe_html("<!-- secret -->\n\nEnd"), "\n<p>End</p>\n");
        assert!(!to_safe_html("<!-->\n\nEnd").contains("&lt;"));
    }

    /// Found by `nothing_typed_hides_what_follows`: a closing tag before the opening one
    /// counted as closing it, so `</script><script>` hid the rest; and so did one escaped
    /// with `\`, which is text.
    #[test]
    fn a_closing_tag_before_the_opening_one_does_not_close_it() {
        for markdown in ["</style> <style>\n\nThe **rest**.", "<b>x</b><script>\\</script>\n\nThe **rest**."] {
            let html = to_safe_html(markdown);
            assert!(html.contains("<strong>rest</strong>"), "{markdown:?}:\n{html}");
        }
        // CDATA inside `<math>` is read to its `]]>`.
        assert!(to_safe_html("<math><![CDATA[\n\nThe **rest**.").contains("rest"));
        assert!(to_safe_html("<![CDATA[</script><script>\n\nThe **rest**.").contains("<strong>rest</strong>"));
    }

    /// Found by `rendered_markdown_is_always_safe`: `<input type=text>` lost its type and
    /// became a text field in the page.
    #[test]
    fn the_only_input_is_a_disabled_checkbox() {
        for markdown in ["<input type=text>", "<input>", "<input type=password name=p>", "- [x] done"] {
            let html = to_safe_html(markdown);
            assert!(html.contains(r#"type="checkbox""#) && html.contains("disabled"), "{markdown:?}: {html}");
            assert!(!html.contains("text") && !html.contains("password"), "{markdown:?}: {html}");
        }
    }

    /// Found by `nothing_typed_hides_what_follows`, and not fixed yet: inside a block the
    /// Markdown parser passes on as raw HTML (here one it takes as CDATA up to `]]>`, which the
    /// browser's parser ends at the first `>`), an attribute whose quote never closes runs to the
    /// end of the page and hides the rest. Fixing it needs the raw HTML read as a browser reads it.
    #[test]
    #[ignore = "known gap: an unclosed attribute quote or tag in raw HTML hides the rest of the entry"]
    fn an_unclosed_attribute_quote_hides_nothing() {
        // The last found by the long run: a tag left open inside a raw HTML block.
        for markdown in [
            "<![CDATA[x>\n<a href=\"\n\nThe **rest**.",
            "<div>\n<a href=\"\n\nThe **rest**.",
            "<div># <g    \n\n</div>\n\nThe **rest**.",
        ] {
            assert!(to_safe_html(markdown).contains("<strong>rest</strong>"), "{markdown:?}");
        }
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

#[cfg(test)]
mod properties {
    use super::*;
    use crate::testing::{awkward_text, proptest_config, user_text};
    use proptest::prelude::*;

    /// Pieces of Markdown and HTML, hostile ones among them, to be strung together.
    const PIECES: &[&str] = &[
        "# ",
        "> ",
        "- ",
        "1. ",
        "- [x] ",
        "    ",
        "\t",
        "\n",
        "\n\n",
        "*",
        "**",
        "_",
        "`",
        "```\n",
        "~~",
        "|",
        "| a | b |\n|---|---|\n",
        "[a](",
        ")",
        "![i](",
        "<",
        ">",
        "</",
        "&",
        "&lt;",
        "&#x3C;",
        "\\",
        "\"",
        "'",
        "=",
        "<script>",
        "</script>",
        "<SCRIPT src=x>",
        "<style>",
        "</style>",
        "<textarea>",
        "<title>",
        "<iframe src=//e.example>",
        "<noscript>",
        "<xmp>",
        "<svg onload=alert(1)>",
        "<img src=x onerror=alert(1)>",
        "<img src=\"/files/a\">",
        "<a href=\"",
        "javascript:alert(1)",
        "JaVaScRiPt:",
        "java\tscript:",
        "&#106;avascript:",
        "data:text/html,x",
        "vbscript:",
        "<p onclick=\"x\" style=\"color:red\">",
        "<input type=checkbox checked>",
        "<input type=text>",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "<div>",
        "</div>",
        "<math>",
        "<object data=x>",
        "<embed src=x>",
        "<base href=//e>",
        "<form action=x>",
        "<meta http-equiv=refresh>",
        "<link rel=stylesheet>",
        "https://example.com/",
        "/files/x",
        "<http://example.com>",
        "<javascript:alert(1)>",
        "é",
        "🦀",
        "\u{0}",
        "\r",
        "\u{2028}",
        "\u{feff}",
    ];

    fn markdown() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => proptest::collection::vec(
                prop_oneof![3 => proptest::sample::select(PIECES).prop_map(str::to_owned), 1 => awkward_text(6)],
                0..40
            )
            .prop_map(|pieces| pieces.concat()),
            1 => user_text(),
        ]
    }

    /// What must never be in the HTML a reader's browser gets. Text has its `<` escaped, so
    /// every `<` left is a tag the sanitiser let through.
    fn assert_safe(html: &str) -> Result<(), TestCaseError> {
        let forbidden = [
            "script", "style", "iframe", "svg", "math", "object", "embed", "base", "form", "meta", "link", "textarea",
            "title", "noscript", "xmp",
        ];
        let tag = regex::Regex::new(r"<(/?)([A-Za-z][A-Za-z0-9]*)([^>]*)>").unwrap();
        let attribute = regex::Regex::new(r#"\s([^\s=/>]+)(?:="([^"]*)")?"#).unwrap();
        for found in tag.captures_iter(html) {
            let name = found[2].to_ascii_lowercase();
            prop_assert!(!forbidden.contains(&name.as_str()), "<{name}> in {html}");
            let mut input_type = None;
            for attr in attribute.captures_iter(&found[3]) {
                let (key, value) = (attr[1].to_ascii_lowercase(), attr.get(2).map_or("", |v| v.as_str()));
                prop_assert!(!key.starts_with("on") && key != "style", "{key}= in {html}");
                let scheme = value.trim().to_ascii_lowercase();
                if key == "href" || key == "src" {
                    prop_assert!(
                        !["javascript:", "vbscript:", "data:"].iter().any(|s| scheme.starts_with(s)),
                        "{value} in {html}"
                    );
                }
                if name == "img" && key == "src" {
                    prop_assert!(value.starts_with("/files/"), "image from {value} in {html}");
                }
                if name == "input" && key == "type" {
                    input_type = Some(value.to_owned());
                }
            }
            if name == "input" {
                prop_assert_eq!(input_type.as_deref(), Some("checkbox"), "{}", html);
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(proptest_config(256))]

        #[test]
        fn rendered_markdown_is_always_safe(markdown in markdown()) {
            let html = to_safe_html(&markdown);
            assert_safe(&html)?;
            // Read again by a browser's parser (which is what the sanitiser uses), it is still
            // safe. (Not always the same text: the sanitiser may write `<p>` inside `<p>`,
            // which a second reading closes.)
            assert_safe(&cleaner().clean(&html).to_string())?;
        }

        /// Whatever the text, what follows it is still shown: an unclosed raw-text element or
        /// comment cannot hide the rest of the entry (issue 11 item 7). Quotes and a tag left open
        /// at the end are left out: in raw HTML they still hide the rest (the ignored test).
        #[test]
        fn nothing_typed_hides_what_follows(markdown in markdown()) {
            let markdown = markdown.replace(['"', '\''], "");
            // Nor a tag left open at the end (the same gap: `<div># <g`).
            let open_tag = markdown.rsplit('>').next().is_some_and(|tail| tail.contains('<'));
            prop_assume!(!open_tag);
            let html = to_safe_html(&format!("{markdown}\n\n</div>\n\nEND-OF-ENTRY"));
            prop_assert!(html.contains("END-OF-ENTRY"), "{}", html);
        }

        #[test]
        fn a_summary_is_plain_and_short(markdown in markdown(), max in 0..80usize) {
            let text = summary(&markdown, max);
            prop_assert!(text.chars().count() <= max + 1, "{text:?}");
            prop_assert_eq!(text.split_whitespace().collect::<Vec<_>>().join(" "), text.clone(), "spaces collapsed");
        }
    }
}
