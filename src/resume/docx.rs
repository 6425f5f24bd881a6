//! DOCX text: `word/document.xml` read with quick-xml, from a zip checked before unpacking.
//!
//! A zip bomb is refused twice over: by the sizes the archive declares (and their ratio to the
//! compressed sizes), and while inflating, since declared sizes can lie.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

use super::extract::{ExtractError, ExtractedText, Line, SourceFormat};
use super::text::normalise_line;

/// The most `word/document.xml` may unpack to. A 50-page resume's XML is a few MB.
const MAX_DOCUMENT_XML_BYTES: u64 = 32 * 1024 * 1024;
/// The most all the archive's entries may declare together (images included).
const MAX_DECLARED_TOTAL_BYTES: u64 = 256 * 1024 * 1024;
/// Deflate rarely does better than about 20:1 on XML; a bomb does 1000:1.
const MAX_RATIO: u64 = 200;

pub(crate) fn extract(bytes: &[u8]) -> Result<ExtractedText, ExtractError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|err| damaged(&err.to_string()))?;
    let mut declared_total: u64 = 0;
    let mut has_document = false;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(|err| damaged(&err.to_string()))?;
        let (size, compressed) = (entry.size(), entry.compressed_size());
        declared_total = declared_total.saturating_add(size);
        if size > 1024 * 1024 && size / compressed.max(1) > MAX_RATIO {
            return Err(ExtractError::Inflates);
        }
        if entry.name().is_ok_and(|name| name == "word/document.xml") {
            has_document = true;
            if size > MAX_DOCUMENT_XML_BYTES {
                return Err(ExtractError::Inflates);
            }
        }
    }
    if declared_total > MAX_DECLARED_TOTAL_BYTES {
        return Err(ExtractError::Inflates);
    }
    if !has_document {
        let looks_like = if archive.index_for_name("content.xml").is_some() {
            "an OpenDocument file (.odt)"
        } else {
            "a zip archive that is not a Word document"
        };
        return Err(ExtractError::Unsupported { what: looks_like });
    }
    let entry = archive.by_name("word/document.xml").map_err(|err| damaged(&err.to_string()))?;
    let mut xml = Vec::new();
    entry.take(MAX_DOCUMENT_XML_BYTES + 1).read_to_end(&mut xml).map_err(|err| damaged(&err.to_string()))?;
    if xml.len() as u64 > MAX_DOCUMENT_XML_BYTES {
        return Err(ExtractError::Inflates);
    }
    let lines = document_lines(&xml)?;
    Ok(ExtractedText { format: SourceFormat::Docx, pages: None, lines })
}

fn damaged(detail: &str) -> ExtractError {
    ExtractError::DamagedDocx { detail: detail.chars().take(120).collect() }
}

/// The paragraphs of `word/document.xml` as lines: `w:t` text, `w:tab` a tab, `w:br` a new
/// line, a numbered or bulleted paragraph (`w:numPr`) starting with "• ", a "Heading…" or
/// "Title" style marking a heading. A table row whose cells hold one paragraph each reads as one
/// line with a tab between the cells ("Mother tongue\tRomanian"), as its PDF export does; a row
/// with longer cells (dates beside a whole entry) reads cell by cell.
fn document_lines(xml: &[u8]) -> Result<Vec<Line>, ExtractError> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut lines = Vec::new();
    // Lines of the outermost table's current row, cell by cell (nested tables read as lines of
    // the cell that holds them).
    let mut table_depth = 0usize;
    let mut row: Vec<Vec<Line>> = Vec::new();
    let mut current = String::new();
    let mut heading = false;
    let mut listed = false;
    let mut in_text = false;
    // Text in deleted revisions and field instructions is not part of what the reader sees.
    let mut hidden_depth = 0usize;
    let flush = |current: &mut String,
                 heading: &mut bool,
                 listed: &mut bool,
                 lines: &mut Vec<Line>,
                 row: &mut Vec<Vec<Line>>,
                 table_depth: usize| {
        let text = normalise_line(current);
        let text = if *listed && !text.is_empty() { format!("• {text}") } else { text };
        match row.last_mut() {
            Some(cell) if table_depth > 0 => cell.push(Line { text, heading: *heading }),
            _ => lines.push(Line { text, heading: *heading }),
        }
        current.clear();
        *heading = false;
        *listed = false;
    };
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|err| damaged(&err.to_string()))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.local_name().as_ref() {
                    b"t" if !empty => in_text = true,
                    b"tab" if hidden_depth == 0 => current.push('\t'),
                    b"br" | b"cr" if hidden_depth == 0 => {
                        // A line break inside a paragraph: the same paragraph's style goes on.
                        let keep_heading = heading;
                        flush(&mut current, &mut heading, &mut listed, &mut lines, &mut row, table_depth);
                        heading = keep_heading;
                    }
                    b"numPr" => listed = true,
                    b"tbl" if !empty => table_depth += 1,
                    b"tc" if !empty && table_depth == 1 => row.push(Vec::new()),
                    b"pStyle" => {
                        let style = e
                            .attributes()
                            .flatten()
                            .find(|a| a.key.local_name().as_ref() == b"val")
                            .map(|a| String::from_utf8_lossy(&a.value).to_ascii_lowercase())
                            .unwrap_or_default();
                        if style.starts_with("heading") || style == "title" || style.starts_with("berschrift") {
                            heading = true;
                        }
                        if style.contains("list") || style.contains("bullet") {
                            listed = true;
                        }
                    }
                    b"del" | b"instrText" if !empty => hidden_depth += 1,
                    _ => {}
                }
            }
            Event::End(ref e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => flush(&mut current, &mut heading, &mut listed, &mut lines, &mut row, table_depth),
                b"tbl" => table_depth = table_depth.saturating_sub(1),
                b"tr" if table_depth == 1 => {
                    let cells: Vec<Vec<Line>> = std::mem::take(&mut row)
                        .into_iter()
                        .map(|cell| cell.into_iter().filter(|l| !l.text.is_empty()).collect())
                        .collect();
                    if cells.iter().all(|cell: &Vec<Line>| cell.len() <= 1) {
                        let texts: Vec<&str> = cells.iter().flatten().map(|l| l.text.as_str()).collect();
                        let heading = cells.iter().flatten().any(|l| l.heading);
                        lines.push(Line { text: texts.join("\t"), heading: heading && texts.len() == 1 });
                    } else {
                        lines.extend(cells.into_iter().flatten());
                    }
                }
                b"del" | b"instrText" => hidden_depth = hidden_depth.saturating_sub(1),
                _ => {}
            },
            Event::Text(ref e) if in_text && hidden_depth == 0 => {
                current.push_str(&e.decode().map_err(|err| damaged(&err.to_string()))?);
            }
            // quick-xml ≥ 0.38 reports `&amp;` and `&#8211;` as events of their own.
            Event::GeneralRef(ref e) if in_text && hidden_depth == 0 => {
                if let Ok(Some(c)) = e.resolve_char_ref() {
                    current.push(c);
                } else if let Ok(name) = e.decode() {
                    if let Some(text) = quick_xml::escape::resolve_predefined_entity(&name) {
                        current.push_str(text);
                    }
                }
            }
            Event::CData(ref e) if in_text && hidden_depth == 0 => {
                current.push_str(&String::from_utf8_lossy(e));
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !current.is_empty() {
        flush(&mut current, &mut heading, &mut listed, &mut lines, &mut row, table_depth);
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_tabs_lists_headings_and_entities_become_lines() {
        let xml = br#"<?xml version="1.0"?><w:document xmlns:w="w"><w:body>
<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Experience</w:t></w:r></w:p>
<w:p><w:r><w:t>Engineer at A &amp; B</w:t><w:tab/><w:t>2019 &#8211; 2021</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/></w:numPr></w:pPr><w:r><w:t xml:space="preserve">Built </w:t></w:r><w:r><w:t>things</w:t></w:r></w:p>
<w:p><w:r><w:t>one</w:t><w:br/><w:t>two</w:t></w:r></w:p>
</w:body></w:document>"#;
        let lines = document_lines(xml).unwrap();
        assert_eq!(lines[0], Line { text: "Experience".into(), heading: true });
        assert_eq!(lines[1].text, "Engineer at A & B\t2019 – 2021");
        assert_eq!(lines[2].text, "• Built things");
        assert_eq!(lines[3].text, "one");
        assert_eq!(lines[4].text, "two");
    }

    #[test]
    fn a_table_row_of_short_cells_is_one_line_and_a_row_of_long_cells_is_read_cell_by_cell() {
        let cell = |paragraphs: &[&str]| {
            let ps: String = paragraphs.iter().map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>")).collect();
            format!("<w:tc>{ps}</w:tc>")
        };
        let xml = format!(
            r#"<w:document xmlns:w="w"><w:body><w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr></w:tbl><w:p><w:r><w:t>after</w:t></w:r></w:p></w:body></w:document>"#,
            cell(&["Mother tongue"]),
            cell(&["Romanian"]),
            cell(&["2019 – 2021"]),
            cell(&["Tester", "Endava"]),
        );
        let lines: Vec<String> = document_lines(xml.as_bytes()).unwrap().into_iter().map(|l| l.text).collect();
        assert_eq!(lines, vec!["Mother tongue\tRomanian", "2019 – 2021", "Tester", "Endava", "after"]);
    }
}
