//! PDF text through `pdf-extract`, with our own layout step.
//!
//! pdf-extract hands us every glyph with its position. Rather than its plain-text writer (which
//! joins a right-aligned date to its title with one space and interleaves the two columns of a
//! sidebar layout line by line), we rebuild the lines ourselves:
//! - glyphs on one baseline form a row; a wide gap inside a row becomes a tab (a column gap);
//! - a page whose rows leave a clear vertical gutter, with enough text on each side, is read as
//!   two columns: the full-width rows at the top (name, contact), then the left column, then the
//!   right one.
//!
//! Not handled: three or more columns, columns that change position down the page, text drawn
//! rotated (a vertical sidebar title), and scanned pages (no text at all: refused as empty).

use std::io::Read;

use lopdf::{Document, Object};
use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

use super::extract::{ExtractError, ExtractedText, Line, SourceFormat, MAX_PAGES, MAX_TEXT_CHARS};
use super::text::normalise_line;

/// The most bytes all the streams the text extractor inflates may unpack to. Page content and
/// fonts of a 50-page resume take a few MB; a "flate bomb" stream would take gigabytes.
const MAX_INFLATED_BYTES: u64 = 64 * 1024 * 1024;

pub(crate) fn extract(bytes: &[u8]) -> Result<ExtractedText, ExtractError> {
    let mut doc = Document::load_mem(bytes).map_err(|err| damaged(&err.to_string()))?;
    if doc.trailer.get(b"Encrypt").is_ok() || doc.is_encrypted() {
        // Files with only an owner password (printing or copying restricted) open with the empty
        // user password; anything else needs a password we do not have.
        if doc.decrypt("").is_err() {
            return Err(ExtractError::Encrypted);
        }
    }
    let pages = doc.get_pages().len();
    if pages > MAX_PAGES {
        return Err(ExtractError::TooManyPages { pages });
    }
    check_inflated_size(&doc)?;
    repair_font_widths(&mut doc);
    let mut layout = Layout::default();
    match pdf_extract::output_doc(&doc, &mut layout) {
        Ok(()) => {}
        Err(_) if layout.over_limit => return Err(ExtractError::TooMuchText),
        Err(OutputError::PdfError(err)) => return Err(damaged(&err.to_string())),
        Err(err) => return Err(damaged(&err.to_string())),
    }
    layout.finish_page();
    Ok(ExtractedText { format: SourceFormat::Pdf, pages: Some(pages), lines: layout.lines })
}

fn damaged(detail: &str) -> ExtractError {
    let detail: String = detail.chars().take(120).collect();
    ExtractError::DamagedPdf { detail: if detail.is_empty() { "unreadable structure".into() } else { detail } }
}

/// Refuses a PDF whose compressed streams unpack to more than [`MAX_INFLATED_BYTES`], counting
/// as it inflates (a stream's declared length says nothing about its unpacked size). Images are
/// skipped: the text extractor never decodes them.
fn check_inflated_size(doc: &Document) -> Result<(), ExtractError> {
    let mut budget = MAX_INFLATED_BYTES;
    for object in doc.objects.values() {
        let Object::Stream(stream) = object else { continue };
        let is_image = stream.dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|name| name == b"Image");
        let flate = match stream.dict.get(b"Filter") {
            Ok(Object::Name(name)) => name == b"FlateDecode",
            Ok(Object::Array(filters)) => filters.iter().any(|f| f.as_name().is_ok_and(|name| name == b"FlateDecode")),
            _ => false,
        };
        if is_image || !flate {
            continue;
        }
        let mut inflater = flate2::read::ZlibDecoder::new(stream.content.as_slice()).take(budget + 1);
        // A damaged stream simply stops counting; the extractor will judge it.
        let inflated = std::io::copy(&mut inflater, &mut std::io::sink()).unwrap_or(0);
        if inflated > budget {
            return Err(ExtractError::DamagedPdf {
                detail: "its content unpacks to far more data than a resume holds".into(),
            });
        }
        budget -= inflated;
    }
    Ok(())
}

/// The most glyph widths the width tables of one file may expand to (a CID font has at most
/// 65,536 glyphs; a resume uses a handful of fonts), so a hostile table cannot claim gigabytes.
const MAX_WIDTH_ENTRIES: i64 = 1 << 20;

/// Rewrites font width tables that pdf-extract reads wrongly, so each glyph advances by its real
/// width (with zero widths every glyph of a string lands on one spot: letters come out in the
/// wrong order, and a doubled letter looks like fake bold and is dropped):
/// - a CID font's `/W` in the `first last width` form (Typst writes every width so) is read as
///   no width at all: rewritten in the `first [widths]` form it does read;
/// - a Type 3 font's `/Widths` are in glyph space, scaled by its `/FontMatrix` (pdfTeX's bitmap
///   fonts use 0.0138 where outline fonts use 0.001): rescaled to the usual thousandths.
fn repair_font_widths(doc: &mut Document) {
    let mut replacements: Vec<(lopdf::ObjectId, &'static [u8], Object)> = Vec::new();
    let mut budget = MAX_WIDTH_ENTRIES;
    for (&id, object) in &doc.objects {
        let Object::Dictionary(dict) = object else { continue };
        let Ok(subtype) = dict.get(b"Subtype").and_then(Object::as_name) else { continue };
        match subtype {
            b"CIDFontType0" | b"CIDFontType2" => {
                let Some(w) = dict.get(b"W").ok().and_then(|w| resolved_array(doc, w)) else { continue };
                if let Some(fixed) = widths_in_array_form(doc, w, &mut budget) {
                    replacements.push((id, b"W", Object::Array(fixed)));
                }
            }
            b"Type3" => {
                let scale = dict
                    .get(b"FontMatrix")
                    .ok()
                    .and_then(|m| resolved_array(doc, m))
                    .and_then(|m| m.first().and_then(|a| number(doc, a)))
                    .map(|a| a * 1000.0);
                let Some(scale) = scale.filter(|s| s.is_finite() && *s > 0.0 && (*s - 1.0).abs() > 1e-6) else {
                    continue;
                };
                let Some(widths) = dict.get(b"Widths").ok().and_then(|w| resolved_array(doc, w)) else { continue };
                let scaled =
                    widths.iter().map(|w| Object::Real((number(doc, w).unwrap_or(0.0) * scale) as f32)).collect();
                replacements.push((id, b"Widths", Object::Array(scaled)));
            }
            _ => {}
        }
    }
    for (id, key, value) in replacements {
        if let Ok(Object::Dictionary(dict)) = doc.get_object_mut(id) {
            dict.set(key, value);
        }
    }
}

fn resolved<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    match object {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(object),
        _ => object,
    }
}

fn resolved_array<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Vec<Object>> {
    resolved(doc, object).as_array().ok()
}

fn number(doc: &Document, object: &Object) -> Option<f64> {
    resolved(doc, object).as_float().ok().map(f64::from)
}

/// A `/W` array with its `first last width` runs written as `first [width …]`; `None` when it
/// has no such run (or an implausible one, which is left for pdf-extract to ignore).
fn widths_in_array_form(doc: &Document, w: &[Object], budget: &mut i64) -> Option<Vec<Object>> {
    let mut out = Vec::new();
    let mut changed = false;
    let mut i = 0;
    while i < w.len() {
        let first = resolved(doc, &w[i]).as_i64().ok()?;
        match w.get(i + 1).map(|o| resolved(doc, o)) {
            Some(Object::Array(list)) => {
                out.push(Object::Integer(first));
                out.push(Object::Array(list.clone()));
                i += 2;
            }
            Some(last) => {
                let last = last.as_i64().ok()?;
                let width = number(doc, w.get(i + 2)?)?;
                if last < first || last - first >= *budget {
                    return None;
                }
                *budget -= last - first + 1;
                out.push(Object::Integer(first));
                out.push(Object::Array((first..=last).map(|_| Object::Real(width as f32)).collect()));
                changed = true;
                i += 3;
            }
            None => return None,
        }
    }
    changed.then_some(out)
}

/// One glyph where it lands on the page (y grows downwards).
#[derive(Debug, Clone)]
struct Glyph {
    x: f64,
    end: f64,
    y: f64,
    size: f64,
    text: String,
}

/// A row's stretch of text between wide gaps.
#[derive(Debug, Clone)]
struct Segment {
    start: f64,
    end: f64,
    text: String,
}

#[derive(Debug, Default)]
struct Layout {
    page_height: f64,
    glyphs: Vec<Glyph>,
    chars: usize,
    over_limit: bool,
    lines: Vec<Line>,
}

/// A gap wider than this many font sizes between two glyphs of a row is a column gap, not a
/// word space (justified text stretches spaces to about one font size).
const COLUMN_GAP: f64 = 1.6;
/// A gap wider than this many font sizes is a word space, when the PDF draws no space glyph.
const WORD_GAP: f64 = 0.12;
/// A narrower column gap (a label column beside its text, tags set in boxes): wider than this
/// many font sizes and than [`WIDE_GAP_RATIO`] times the page's usual word space.
const NARROW_COLUMN_GAP: f64 = 0.8;
const WIDE_GAP_RATIO: f64 = 2.3;

impl OutputDev for Layout {
    fn begin_page(
        &mut self,
        _page: u32,
        media_box: &MediaBox,
        _art: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.finish_page();
        self.page_height = media_box.ury - media_box.lly;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        self.finish_page();
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        self.chars += text.chars().count();
        if self.chars > MAX_TEXT_CHARS {
            self.over_limit = true;
            // Any error stops the extractor; the flag says which one it was.
            return Err(OutputError::FormatError(std::fmt::Error));
        }
        // The same arithmetic as pdf-extract's own plain-text writer.
        let size_x = font_size * trm.m11 + font_size * trm.m21;
        let size_y = font_size * trm.m12 + font_size * trm.m22;
        let size = (size_x * size_y).abs().sqrt();
        let x = trm.m31;
        let y = self.page_height - trm.m32;
        if !(x.is_finite() && y.is_finite() && size.is_finite()) || size <= 0.0 {
            return Ok(());
        }
        self.glyphs.push(Glyph { x, end: x + width * size, y, size, text: text.to_string() });
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

impl Layout {
    fn finish_page(&mut self) {
        if self.glyphs.is_empty() {
            return;
        }
        let glyphs = std::mem::take(&mut self.glyphs);
        let rows = rows_of(glyphs);
        for text in page_lines(&rows) {
            self.lines.push(Line::plain(normalise_line(&text)));
        }
        // A blank line between pages, as between paragraphs.
        self.lines.push(Line::plain(String::new()));
    }
}

/// The gaps between the visible glyphs of a row (space glyphs count as gap), in font sizes.
fn visible_gaps(row: &[Glyph]) -> Vec<f64> {
    let mut gaps = Vec::new();
    let mut last_end: Option<f64> = None;
    for glyph in row.iter().filter(|g| !g.text.trim().is_empty()) {
        if let Some(end) = last_end {
            gaps.push((glyph.x - end) / glyph.size);
        }
        last_end = Some(last_end.map_or(glyph.end, |e: f64| e.max(glyph.end)));
    }
    gaps
}

/// The page's usual word space in font sizes: the median gap wider than letter spacing.
fn usual_word_gap(rows: &[Vec<Glyph>]) -> f64 {
    let mut gaps: Vec<f64> =
        rows.iter().flat_map(|row| visible_gaps(row)).filter(|g| *g > WORD_GAP && *g < COLUMN_GAP).collect();
    if gaps.len() < 20 {
        return f64::INFINITY; // too little text to know; only the wide rule applies
    }
    gaps.sort_by(f64::total_cmp);
    gaps[gaps.len() / 2]
}

/// Glyphs grouped by baseline, top to bottom, each row split at its wide gaps.
fn rows_of(mut glyphs: Vec<Glyph>) -> Vec<Vec<Segment>> {
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y));
    let mut rows: Vec<Vec<Glyph>> = Vec::new();
    let mut row_y = f64::NEG_INFINITY;
    for glyph in glyphs {
        // Half a font size covers subscripts and mixed sizes on one line.
        match rows.last_mut() {
            Some(row) if (glyph.y - row_y).abs() <= glyph.size * 0.5 => row.push(glyph),
            _ => {
                row_y = glyph.y;
                rows.push(vec![glyph]);
            }
        }
    }
    for row in &mut rows {
        row.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    let narrow_gap = (usual_word_gap(&rows) * WIDE_GAP_RATIO).max(NARROW_COLUMN_GAP);
    rows.into_iter()
        .map(|row| {
            // Letter-spaced rows ("S K I L L S"): a gap after most letters, and wider ones
            // between words; no columns there.
            let gaps = visible_gaps(&row);
            let spaced = gaps.iter().filter(|g| **g > WORD_GAP).count();
            let letter_spaced = spaced >= 3 && spaced * 3 >= gaps.len() * 2;
            let mut last_visible_end: Option<f64> = None;
            let mut segments: Vec<Segment> = Vec::new();
            let mut last: Option<&Glyph> = None;
            for glyph in &row {
                if let Some(prev) = last {
                    // Fake bold: the same glyph drawn twice at almost the same place.
                    if prev.text == glyph.text && (glyph.x - prev.x).abs() < glyph.size * 0.1 {
                        continue;
                    }
                }
                let gap = last.map(|prev| glyph.x - prev.end);
                let visible = !glyph.text.trim().is_empty();
                let narrow_column = visible
                    && !letter_spaced
                    && last_visible_end.is_some_and(|end| (glyph.x - end) / glyph.size > narrow_gap);
                if visible {
                    last_visible_end = Some(last_visible_end.map_or(glyph.end, |e| e.max(glyph.end)));
                }
                match (gap, segments.last_mut()) {
                    (Some(gap), Some(segment)) if gap <= COLUMN_GAP * glyph.size && !narrow_column => {
                        if gap > WORD_GAP * glyph.size && !segment.text.ends_with(' ') && glyph.text != " " {
                            segment.text.push(' ');
                        }
                        segment.text.push_str(&glyph.text);
                        segment.end = segment.end.max(glyph.end);
                    }
                    _ => segments.push(Segment { start: glyph.x, end: glyph.end, text: glyph.text.clone() }),
                }
                last = Some(glyph);
            }
            segments.retain(|s| !s.text.trim().is_empty());
            segments
        })
        .filter(|row| !row.is_empty())
        .collect()
}

fn row_text(segments: &[&Segment]) -> String {
    segments.iter().map(|s| s.text.trim()).collect::<Vec<_>>().join("\t")
}

/// The page's lines in reading order: one column as is, or a two-column page column by column.
fn page_lines(rows: &[Vec<Segment>]) -> Vec<String> {
    let Some(gutter) = find_gutter(rows) else {
        return rows.iter().map(|row| row_text(&row.iter().collect::<Vec<_>>())).collect();
    };
    let crosses = |row: &Vec<Segment>| row.iter().any(|s| s.start < gutter && s.end > gutter);
    let mut lines = Vec::new();
    let mut index = 0;
    // Full-width rows above the columns (a name and contact line across the page).
    while index < rows.len() && crosses(&rows[index]) {
        lines.push(row_text(&rows[index].iter().collect::<Vec<_>>()));
        index += 1;
    }
    let mut right = Vec::new();
    for row in &rows[index..] {
        let left_part: Vec<&Segment> = row.iter().filter(|s| s.start < gutter).collect();
        let right_part: Vec<&Segment> = row.iter().filter(|s| s.start >= gutter).collect();
        if !left_part.is_empty() {
            lines.push(row_text(&left_part));
        }
        if !right_part.is_empty() {
            right.push(row_text(&right_part));
        }
    }
    lines.push(String::new());
    lines.extend(right);
    lines
}

/// The x of a vertical gutter between two columns of text, if the page has one: a band at
/// least 8 points wide that (almost) no row crosses, with a real share of the page's text on
/// each side. Right-aligned dates leave such a band too, but too little text beside it to count.
fn find_gutter(rows: &[Vec<Segment>]) -> Option<f64> {
    let segments: Vec<&Segment> = rows.iter().flatten().collect();
    let left = segments.iter().map(|s| s.start).fold(f64::INFINITY, f64::min);
    let right = segments.iter().map(|s| s.end).fold(f64::NEG_INFINITY, f64::max);
    if rows.len() < 8 || !(right - left).is_finite() || right - left < 100.0 || right - left > 5000.0 {
        return None;
    }
    let width = (right - left).ceil() as usize;
    let mut crossing = vec![0usize; width + 1];
    for row in rows {
        for segment in row {
            let from = ((segment.start - left).max(0.0) as usize).min(width);
            let to = ((segment.end - left).max(0.0) as usize).min(width);
            for count in &mut crossing[from..=to] {
                *count += 1;
            }
        }
    }
    let allowed = (rows.len() / 12).max(1);
    let total_chars: usize = segments.iter().map(|s| s.text.chars().count()).sum();
    let mut best: Option<(usize, f64)> = None;
    let mut run_start = None;
    for (x, &count) in crossing.iter().enumerate() {
        let open = count <= allowed;
        match (open, run_start) {
            (true, None) => run_start = Some(x),
            (false, Some(start)) => {
                let run = x - start;
                let middle = left + (start + x) as f64 / 2.0;
                if run >= 8 && best.is_none_or(|(longest, _)| run > longest) && balanced(&segments, middle, total_chars)
                {
                    best = Some((run, middle));
                }
                run_start = None;
            }
            _ => {}
        }
    }
    best.map(|(_, x)| x)
}

/// Does each side of `x` hold at least a sixth of the text, in words rather than only dates?
fn balanced(segments: &[&Segment], x: f64, total_chars: usize) -> bool {
    let letters = |s: &&Segment| s.text.chars().filter(|c| c.is_alphabetic()).count();
    let left: usize = segments.iter().filter(|s| s.end <= x).map(letters).sum();
    let right: usize = segments.iter().filter(|s| s.start >= x).map(letters).sum();
    left * 6 >= total_chars && right * 6 >= total_chars
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(start: f64, end: f64, text: &str) -> Segment {
        Segment { start, end, text: text.into() }
    }

    #[test]
    fn a_sidebar_page_is_read_column_by_column_after_its_full_width_header() {
        let mut rows = vec![vec![segment(40.0, 500.0, "Jane Doe jane@example.com")]];
        for i in 0..10 {
            rows.push(vec![
                segment(40.0, 160.0, &format!("Skill number {i}")),
                segment(200.0, 550.0, &format!("Main column text line {i} with words")),
            ]);
        }
        let lines = page_lines(&rows);
        assert_eq!(lines[0], "Jane Doe jane@example.com");
        assert_eq!(lines[1], "Skill number 0");
        assert_eq!(lines[10], "Skill number 9");
        assert_eq!(lines[12], "Main column text line 0 with words");
    }

    #[test]
    fn cid_widths_in_the_first_last_width_form_are_spelled_out() {
        let doc = Document::new();
        let w = vec![
            Object::Integer(3),
            Object::Integer(5),
            Object::Integer(500),
            Object::Integer(9),
            vec![Object::Integer(250)].into(),
        ];
        let mut budget = MAX_WIDTH_ENTRIES;
        let fixed = widths_in_array_form(&doc, &w, &mut budget).unwrap();
        assert_eq!(fixed[0], Object::Integer(3));
        assert_eq!(fixed[1].as_array().unwrap().len(), 3);
        assert_eq!(fixed[2], Object::Integer(9));
        // A range claiming more glyphs than any font has is left alone.
        let hostile = vec![Object::Integer(0), Object::Integer(i64::MAX / 2), Object::Integer(500)];
        assert!(widths_in_array_form(&doc, &hostile, &mut budget).is_none());
    }

    #[test]
    fn a_gap_much_wider_than_the_word_space_is_a_column_gap() {
        let glyph = |x: f64, text: &str| Glyph { x, end: x + 5.0, y: 100.0, size: 10.0, text: text.into() };
        // Body rows with word spaces of 0.3 font sizes, then "Programming   R, Go".
        let mut glyphs = Vec::new();
        for row in 0..30 {
            let y = 120.0 + row as f64 * 12.0;
            for (i, x) in [0.0, 5.0, 13.0, 18.0, 26.0].iter().enumerate() {
                glyphs.push(Glyph { y, ..glyph(*x, if i == 2 { "b" } else { "a" }) });
            }
        }
        glyphs.extend([
            glyph(0.0, "P"),
            glyph(5.0, "r"),
            glyph(10.0, "o"),
            glyph(15.0, "g"),
            glyph(29.0, "R"),
            glyph(34.0, ","),
            glyph(42.0, "G"),
        ]);
        let rows = rows_of(glyphs);
        assert_eq!(row_text(&rows[0].iter().collect::<Vec<_>>()), "Prog\tR, G");
        assert_eq!(row_text(&rows[1].iter().collect::<Vec<_>>()), "aa ba a");
    }

    #[test]
    fn right_aligned_dates_do_not_make_a_second_column() {
        let mut rows = Vec::new();
        for i in 0..10 {
            rows.push(vec![
                segment(40.0, 250.0, &format!("Engineer at Company number {i}")),
                segment(480.0, 550.0, "2019 - 2021"),
            ]);
            rows.push(vec![segment(40.0, 400.0, "• Built many useful things for many people every day")]);
        }
        assert_eq!(find_gutter(&rows), None);
        assert_eq!(page_lines(&rows)[0], "Engineer at Company number 0\t2019 - 2021");
    }
}
