//! A resume as a printable PDF, made in-process with krilla: Noto Sans embedded and subset, so the
//! text is real text (selectable, searchable, read by applicant tracking systems) in any reader.
//!
//! Layout happens first, into pages of drawing operations (text runs, rules, link areas), with
//! our own line breaking measured from the font's advance widths; drawing them is a second pass.
//! That keeps krilla's page borrows out of the layout logic and gives the page count for the
//! footer.

use std::ops::Range;
use std::sync::{Arc, LazyLock};

use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::Document;
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use crate::resume::outline::{EntryStyle, Outline};

/// A4 in points.
const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN_X: f32 = 54.0;
const MARGIN_TOP: f32 = 50.0;
const MARGIN_BOTTOM: f32 = 56.0;
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;
const LEADING: f32 = 1.38;

/// An RGB colour.
type Colour = (u8, u8, u8);

const INK: Colour = (0x1d, 0x23, 0x2b);
const MUTED: Colour = (0x55, 0x5d, 0x66);
const ACCENT: Colour = (0x1f, 0x4e, 0x79);
const LINK: Colour = (0x05, 0x63, 0xc1);

/// One face of the embedded font: krilla's handle for drawing, skrifa's for measuring.
struct Face {
    font: Font,
    measure: FontRef<'static>,
    units_per_em: f32,
}

impl Face {
    fn load(bytes: &'static [u8]) -> Face {
        // The fonts are compiled in; a failure here is a broken build, found by the tests.
        let font = Font::new(Arc::new(bytes.to_vec()).into(), 0).expect("the embedded font loads");
        let measure = FontRef::new(bytes).expect("the embedded font parses");
        let units_per_em = measure.metrics(Size::unscaled(), LocationRef::default()).units_per_em as f32;
        Face { font, measure, units_per_em }
    }

    /// The glyphs of `text` and their advances in ems; a character the font lacks draws as its
    /// empty box but keeps its place in the text, so extraction still finds it.
    fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        let charmap = self.measure.charmap();
        let metrics = self.measure.glyph_metrics(Size::unscaled(), LocationRef::default());
        text.char_indices()
            .map(|(at, ch)| {
                let glyph = charmap.map(ch).unwrap_or_default();
                let advance = metrics.advance_width(glyph).unwrap_or(0.0) / self.units_per_em;
                KrillaGlyph {
                    glyph_id: GlyphId::new(glyph.to_u32()),
                    text_range: Range { start: at, end: at + ch.len_utf8() },
                    x_advance: advance,
                    x_offset: 0.0,
                    y_offset: 0.0,
                    y_advance: 0.0,
                    location: None,
                }
            })
            .collect()
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        self.glyphs(text).iter().map(|g| g.x_advance).sum::<f32>() * size
    }

    /// One character's advance at `size`.
    fn char_width(&self, ch: char, size: f32) -> f32 {
        let glyph = self.measure.charmap().map(ch).unwrap_or_default();
        let metrics = self.measure.glyph_metrics(Size::unscaled(), LocationRef::default());
        metrics.advance_width(glyph).unwrap_or(0.0) / self.units_per_em * size
    }
}

struct Faces {
    regular: Face,
    bold: Face,
    italic: Face,
}

static FACES: LazyLock<Faces> = LazyLock::new(|| Faces {
    regular: Face::load(notosans::REGULAR_TTF),
    bold: Face::load(notosans::BOLD_TTF),
    italic: Face::load(notosans::ITALIC_TTF),
});

#[derive(Clone, Copy, PartialEq, Eq)]
enum Weight {
    Regular,
    Bold,
    Italic,
}

impl Weight {
    fn face(self) -> &'static Face {
        match self {
            Weight::Regular => &FACES.regular,
            Weight::Bold => &FACES.bold,
            Weight::Italic => &FACES.italic,
        }
    }
}

/// What a page holds once laid out.
enum Op {
    Text { x: f32, baseline: f32, weight: Weight, size: f32, colour: Colour, text: String },
    Rule { y: f32 },
    Link { area: (f32, f32, f32, f32), url: String },
}

/// A word placed on a line.
struct Placed {
    text: String,
    weight: Weight,
    colour: Colour,
    x: f32,
}

/// A piece of styled text to break into lines.
struct Span<'a> {
    text: &'a str,
    weight: Weight,
    colour: Colour,
}

struct Layout {
    pages: Vec<Vec<Op>>,
    /// The top of the next line on the current page.
    y: f32,
}

impl Layout {
    fn new() -> Layout {
        Layout { pages: vec![Vec::new()], y: MARGIN_TOP }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a layout always has a page")
    }

    /// Start a new page unless `height` more points fit on this one.
    fn room_for(&mut self, height: f32) {
        if self.y + height > PAGE_HEIGHT - MARGIN_BOTTOM && !self.ops().is_empty() {
            self.pages.push(Vec::new());
            self.y = MARGIN_TOP;
        }
    }

    fn space(&mut self, points: f32) {
        // Space at the top of a page is dropped.
        if self.y > MARGIN_TOP {
            self.y += points;
        }
    }

    /// Break styled spans into lines `width` wide starting at `x`, and place them.
    /// The first line may start further right (`first_indent`).
    fn paragraph(&mut self, spans: &[Span], size: f32, x: f32, width: f32, first_indent: f32, link: Option<&str>) {
        // Words keep their span's style; a space is owed before every word but the first.
        let mut words: Vec<(&str, Weight, Colour)> = Vec::new();
        for span in spans {
            for word in span.text.split_whitespace() {
                words.push((word, span.weight, span.colour));
            }
        }
        let space = FACES.regular.width(" ", size);
        let mut lines: Vec<Vec<Placed>> = vec![Vec::new()];
        let mut cursor = first_indent;
        for (word, weight, colour) in words {
            let face = weight.face();
            let mut pieces = vec![word.to_owned()];
            // A word longer than a line (a long address) is cut where it reaches the edge,
            // measuring each character once (a 10 000-character word stays linear).
            if face.width(word, size) > width {
                pieces.clear();
                let (mut piece, mut piece_width) = (String::new(), 0.0);
                for ch in word.chars() {
                    let advance = face.char_width(ch, size);
                    if !piece.is_empty() && piece_width + advance > width - 2.0 {
                        pieces.push(std::mem::take(&mut piece));
                        piece_width = 0.0;
                    }
                    piece.push(ch);
                    piece_width += advance;
                }
                pieces.push(piece);
            }
            for piece in pieces {
                let piece_width = face.width(&piece, size);
                let line = lines.last_mut().expect("one line at least");
                let gap = if line.is_empty() { 0.0 } else { space };
                if !line.is_empty() && cursor + gap + piece_width > width {
                    lines.push(Vec::new());
                    cursor = 0.0;
                }
                let line = lines.last_mut().expect("one line at least");
                let gap = if line.is_empty() { 0.0 } else { space };
                line.push(Placed { text: piece, weight, colour, x: x + cursor + gap });
                cursor += gap + piece_width;
            }
        }
        let height = size * LEADING;
        for line in lines.into_iter().filter(|l| !l.is_empty()) {
            self.room_for(height);
            let baseline = self.y + size;
            let start = line[0].x;
            let mut end = start;
            for Placed { text, weight, colour, x } in line {
                end = x + weight.face().width(&text, size);
                self.ops().push(Op::Text { x, baseline, weight, size, colour, text });
            }
            if let Some(url) = link {
                let area = (start, self.y, end - start, height);
                self.ops().push(Op::Link { area, url: url.to_owned() });
            }
            self.y += height;
        }
    }

    fn text(&mut self, text: &str, weight: Weight, size: f32, colour: Colour) {
        self.paragraph(&[Span { text, weight, colour }], size, MARGIN_X, TEXT_WIDTH, 0.0, None);
    }
}

fn lay_out(outline: &Outline) -> Vec<Vec<Op>> {
    let mut layout = Layout::new();
    layout.text(&outline.name, Weight::Bold, 22.0, INK);
    if let Some(headline) = &outline.headline {
        layout.text(headline, Weight::Regular, 12.0, MUTED);
    }
    if !outline.contact.is_empty() {
        // Contact items are placed whole, wrapping between items, each link its own area.
        layout.space(2.0);
        let size = 9.5;
        let separator = "  ·  ";
        let face = &FACES.regular;
        let mut x = 0.0;
        let height = size * LEADING;
        for (i, item) in outline.contact.iter().enumerate() {
            let item_width = face.width(&item.text, size);
            let separator_width = if i > 0 { face.width(separator, size) } else { 0.0 };
            if i > 0 && x + separator_width + item_width > TEXT_WIDTH {
                layout.y += height;
                x = 0.0;
            } else if i > 0 {
                let baseline = layout.y + size;
                let dot = separator.trim();
                layout.ops().push(Op::Text {
                    x: MARGIN_X + x + (separator_width - face.width(dot, size)) / 2.0,
                    baseline,
                    weight: Weight::Regular,
                    size,
                    colour: MUTED,
                    text: dot.to_owned(),
                });
                x += separator_width;
            }
            let colour = if item.link.is_some() { LINK } else { INK };
            let y = layout.y;
            layout.ops().push(Op::Text {
                x: MARGIN_X + x,
                baseline: y + size,
                weight: Weight::Regular,
                size,
                colour,
                text: item.text.clone(),
            });
            if let Some(url) = &item.link {
                layout.ops().push(Op::Link { area: (MARGIN_X + x, y, item_width, height), url: url.clone() });
            }
            x += item_width;
        }
        layout.y += height;
    }

    for section in &outline.sections {
        layout.space(12.0);
        layout.room_for(60.0);
        layout.text(section.title, Weight::Bold, 11.5, ACCENT);
        let rule = layout.y + 1.0;
        layout.ops().push(Op::Rule { y: rule });
        layout.y += 5.0;
        for entry in &section.entries {
            if entry.style == EntryStyle::Line {
                let title = format!("{}:", entry.title);
                let body = entry.paragraphs.first().map(String::as_str).unwrap_or_default();
                let spans = [
                    Span { text: &title, weight: Weight::Bold, colour: INK },
                    Span { text: body, weight: Weight::Regular, colour: INK },
                ];
                layout.paragraph(&spans, 10.0, MARGIN_X, TEXT_WIDTH, 0.0, None);
                layout.space(2.0);
                continue;
            }
            if !entry.title.is_empty() {
                layout.space(5.0);
                layout.room_for(44.0);
                let size = 10.5;
                let dates_width = entry.dates.as_deref().map(|d| FACES.regular.width(d, 9.5)).unwrap_or(0.0);
                if let Some(dates) = &entry.dates {
                    let baseline = layout.y + size;
                    layout.ops().push(Op::Text {
                        x: MARGIN_X + TEXT_WIDTH - dates_width,
                        baseline,
                        weight: Weight::Regular,
                        size: 9.5,
                        colour: MUTED,
                        text: dates.clone(),
                    });
                }
                let colour = if entry.link.is_some() { LINK } else { INK };
                let width = TEXT_WIDTH - if dates_width > 0.0 { dates_width + 14.0 } else { 0.0 };
                let spans = [Span { text: &entry.title, weight: Weight::Bold, colour }];
                layout.paragraph(&spans, size, MARGIN_X, width, 0.0, entry.link.as_deref());
            }
            if let Some(subtitle) = &entry.subtitle {
                layout.text(subtitle, Weight::Italic, 10.0, MUTED);
            }
            for text in &entry.paragraphs {
                layout.space(1.5);
                layout.text(text, Weight::Regular, 10.0, INK);
            }
            if !entry.bullets.is_empty() {
                layout.space(1.5);
            }
            for bullet in &entry.bullets {
                let size = 10.0;
                layout.room_for(size * LEADING);
                let baseline = layout.y + size;
                layout.ops().push(Op::Text {
                    x: MARGIN_X + 3.0,
                    baseline,
                    weight: Weight::Regular,
                    size,
                    colour: MUTED,
                    text: "•".to_owned(),
                });
                let spans = [Span { text: bullet, weight: Weight::Regular, colour: INK }];
                layout.paragraph(&spans, size, MARGIN_X + 13.0, TEXT_WIDTH - 13.0, 0.0, None);
                layout.space(1.0);
            }
        }
    }
    layout.pages
}

fn colour_fill((r, g, b): Colour) -> Fill {
    Fill { paint: rgb::Color::new(r, g, b).into(), ..Fill::default() }
}

fn draw_text(
    surface: &mut krilla::surface::Surface,
    (x, baseline): (f32, f32),
    weight: Weight,
    size: f32,
    colour: Colour,
    text: &str,
) {
    let face = weight.face();
    surface.set_fill(Some(colour_fill(colour)));
    surface.draw_glyphs(Point::from_xy(x, baseline), &face.glyphs(text), face.font.clone(), text, size, false);
}

/// The document's bytes.
pub fn write_pdf(outline: &Outline) -> anyhow::Result<Vec<u8>> {
    let pages = lay_out(outline);
    let page_count = pages.len();
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("{} — Resume", outline.name))
            .authors(vec![outline.name.clone()])
            .creator("Careerlog".to_owned()),
    );
    for (number, ops) in pages.into_iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or_else(|| anyhow::anyhow!("page size"))?;
        let mut page = document.start_page_with(settings);
        let mut links = Vec::new();
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text { x, baseline, weight, size, colour, text } => {
                    draw_text(&mut surface, (x, baseline), weight, size, colour, &text);
                }
                Op::Rule { y } => {
                    let mut path = PathBuilder::new();
                    path.move_to(MARGIN_X, y);
                    path.line_to(MARGIN_X + TEXT_WIDTH, y);
                    if let Some(path) = path.finish() {
                        surface.set_fill(None);
                        let (r, g, b) = ACCENT;
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(r, g, b).into(),
                            width: 0.6,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                    }
                }
                Op::Link { area, url } => links.push((area, url)),
            }
        }
        if page_count > 1 {
            let footer = format!("{} · {} / {}", outline.name, number + 1, page_count);
            let width = FACES.regular.width(&footer, 8.0);
            draw_text(
                &mut surface,
                ((PAGE_WIDTH - width) / 2.0, PAGE_HEIGHT - 30.0),
                Weight::Regular,
                8.0,
                MUTED,
                &footer,
            );
        }
        surface.finish();
        for ((x, y, w, h), url) in links {
            if let Some(rect) = Rect::from_xywh(x, y, w.max(1.0), h) {
                let target = Target::Action(Action::Link(LinkAction::new(url.clone())));
                page.add_annotation(Annotation::new_link(LinkAnnotation::new(rect, target), Some(url)));
            }
        }
        page.finish();
    }
    document.finish().map_err(|err| anyhow::anyhow!("the PDF could not be written: {err:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resume::extract::extract_text;
    use crate::resume::outline::{Contact, Entry, Section};

    fn long_outline(entries: usize) -> Outline {
        let role = |i: usize| {
            Entry {
            style: EntryStyle::Block,
            title: format!("Staff Engineer {i}"),
            link: None,
            subtitle: Some("Ærø Systems · Zürich".into()),
            dates: Some("Mar 2019 – Present".into()),
            paragraphs: vec!["Led the platform group through a migration of every service to a new runtime, without downtime and with a smaller bill.".into()],
            bullets: vec!["Cut p99 latency by 40%".into(), "Mentored 6 engineers, 3 promoted".into()],
        }
        };
        Outline {
            name: "Zoë Łukasiewicz".into(),
            headline: Some("Principal Engineer".into()),
            contact: vec![
                Contact { text: "zoe@example.com".into(), link: Some("mailto:zoe@example.com".into()) },
                Contact { text: "Kraków, Poland".into(), link: None },
            ],
            sections: vec![Section { title: "Experience", entries: (0..entries).map(role).collect() }],
        }
    }

    #[test]
    fn the_pdf_reads_back_as_the_text_that_was_written() {
        let bytes = write_pdf(&long_outline(2)).expect("written");
        if let Ok(dir) = std::env::var("CAREERLOG_SAMPLE_DIR") {
            std::fs::write(format!("{dir}/resume-sample.pdf"), &bytes).expect("sample written");
        }
        let text = extract_text(&bytes, "resume.pdf", Some("application/pdf")).expect("extracted").text();
        for expected in [
            "Zoë Łukasiewicz",
            "Principal Engineer",
            "zoe@example.com",
            "Staff Engineer 1",
            "Ærø Systems · Zürich",
            "Cut p99 latency by 40%",
        ] {
            assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
        }
    }

    #[test]
    fn a_word_longer_than_a_line_is_cut_into_lines_that_keep_every_character() {
        let mut outline = long_outline(1);
        let word = "0123456789".repeat(300);
        outline.sections[0].entries[0].paragraphs = vec![word.clone()];
        let bytes = write_pdf(&outline).expect("written");
        let text = extract_text(&bytes, "resume.pdf", Some("application/pdf")).expect("extracted").text();
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        assert!(digits.contains(&word), "every character of the long word is kept, in order");
    }

    #[test]
    fn a_long_resume_flows_onto_numbered_pages() {
        let bytes = write_pdf(&long_outline(40)).expect("written");
        let text = extract_text(&bytes, "resume.pdf", Some("application/pdf")).expect("extracted");
        assert!(text.pages.unwrap_or(0) >= 3, "{:?} pages", text.pages);
        assert!(text.text().contains("Staff Engineer 39"));
        assert!(text.text().contains("1 / "), "the footer numbers pages");
    }
}
