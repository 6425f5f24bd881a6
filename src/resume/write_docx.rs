//! A resume as a Word document that applicant tracking systems read well: one column, real
//! headings (Heading 1 for sections, Heading 2 for entries), real bulleted lists (Word numbering,
//! not typed "•"), links that work, dates placed with a right tab stop — no tables, text boxes
//! or headers holding content.

use docx_rs::{
    AbstractNumbering, Docx, Hyperlink, HyperlinkType, IndentLevel, Level, LevelJc, LevelText, LineSpacing,
    NumberFormat, Numbering, NumberingId, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType, Start, Style,
    StyleType, Tab, TabValueType,
};

use crate::resume::outline::{Contact, EntryStyle, Outline};

/// A4 in twentieths of a point, with 2 cm margins.
const PAGE_WIDTH: u32 = 11_906;
const PAGE_HEIGHT: u32 = 16_838;
const MARGIN: i32 = 1_134;
/// Where the right-aligned dates sit: the right margin.
const TEXT_WIDTH: usize = (PAGE_WIDTH as i32 - 2 * MARGIN) as usize;
const BULLETS: usize = 1;
const ACCENT: &str = "1F4E79";
const MUTED: &str = "555555";

/// The styles Word needs to show real headings (docx-rs predefines none).
fn styles(docx: Docx) -> Docx {
    let font = || RunFonts::new().ascii("Calibri").hi_ansi("Calibri").cs("Calibri");
    docx.add_style(
        Style::new("Title", StyleType::Paragraph)
            .name("Title")
            .fonts(font())
            .size(40)
            .bold()
            .line_spacing(LineSpacing::new().after(40)),
    )
    .add_style(
        Style::new("Subtitle", StyleType::Paragraph)
            .name("Subtitle")
            .fonts(font())
            .size(24)
            .color(MUTED)
            .line_spacing(LineSpacing::new().after(60)),
    )
    .add_style(
        Style::new("Heading1", StyleType::Paragraph)
            .name("heading 1")
            .next("Normal")
            .fonts(font())
            .size(24)
            .bold()
            .color(ACCENT)
            .outline_lvl(0)
            .line_spacing(LineSpacing::new().before(240).after(80)),
    )
    .add_style(
        Style::new("Heading2", StyleType::Paragraph)
            .name("heading 2")
            .next("Normal")
            .fonts(font())
            .size(22)
            .bold()
            .outline_lvl(1)
            .line_spacing(LineSpacing::new().before(160).after(20)),
    )
    .add_style(Style::new("Hyperlink", StyleType::Character).name("Hyperlink").color("0563C1").underline("single"))
    .add_style(Style::new("ListBullet", StyleType::Paragraph).name("List Bullet").fonts(font()).size(21))
}

fn bullets(docx: Docx) -> Docx {
    docx.add_abstract_numbering(AbstractNumbering::new(BULLETS).add_level(
        Level::new(0, Start::new(1), NumberFormat::new("bullet"), LevelText::new("•"), LevelJc::new("left")).indent(
            Some(360),
            Some(SpecialIndentType::Hanging(240)),
            None,
            None,
        ),
    ))
    .add_numbering(Numbering::new(BULLETS, BULLETS))
}

fn text_run(text: &str) -> Run {
    Run::new().add_text(text)
}

fn link(url: &str, text: &str) -> Hyperlink {
    Hyperlink::new(url, HyperlinkType::External).add_run(Run::new().style("Hyperlink").add_text(text))
}

fn contact_line(contact: &[Contact]) -> Paragraph {
    let mut paragraph = Paragraph::new().size(20).line_spacing(LineSpacing::new().after(120));
    for (i, item) in contact.iter().enumerate() {
        if i > 0 {
            paragraph = paragraph.add_run(text_run("  |  ").color(MUTED));
        }
        paragraph = match &item.link {
            Some(url) => paragraph.add_hyperlink(link(url, &item.text)),
            None => paragraph.add_run(text_run(&item.text)),
        };
    }
    paragraph
}

/// The document's bytes; `written_at` (RFC 3339) is its creation date.
pub fn write_docx(outline: &Outline, written_at: &str) -> anyhow::Result<Vec<u8>> {
    let mut docx = bullets(styles(Docx::new()))
        .created_at(written_at)
        .updated_at(written_at)
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(PageMargin::new().top(MARGIN).bottom(MARGIN).left(MARGIN).right(MARGIN))
        .default_fonts(RunFonts::new().ascii("Calibri").hi_ansi("Calibri").cs("Calibri"))
        .default_size(21)
        .add_paragraph(Paragraph::new().style("Title").add_run(text_run(&outline.name)));
    if let Some(headline) = &outline.headline {
        docx = docx.add_paragraph(Paragraph::new().style("Subtitle").add_run(text_run(headline)));
    }
    if !outline.contact.is_empty() {
        docx = docx.add_paragraph(contact_line(&outline.contact));
    }
    for section in &outline.sections {
        docx = docx.add_paragraph(Paragraph::new().style("Heading1").keep_next(true).add_run(text_run(section.title)));
        for entry in &section.entries {
            if entry.style == EntryStyle::Line {
                let mut line = Paragraph::new().line_spacing(LineSpacing::new().after(60));
                line = line.add_run(text_run(&format!("{}: ", entry.title)).bold());
                line = line.add_run(text_run(entry.paragraphs.first().map(String::as_str).unwrap_or_default()));
                docx = docx.add_paragraph(line);
                continue;
            }
            if !entry.title.is_empty() {
                let mut heading = Paragraph::new()
                    .style("Heading2")
                    .keep_next(true)
                    .add_tab(Tab::new().val(TabValueType::Right).pos(TEXT_WIDTH));
                heading = match &entry.link {
                    Some(url) => heading.add_hyperlink(link(url, &entry.title)),
                    None => heading.add_run(text_run(&entry.title)),
                };
                if let Some(dates) = &entry.dates {
                    heading =
                        heading.add_run(Run::new().add_tab().add_text(dates).disable_bold().color(MUTED).size(20));
                }
                docx = docx.add_paragraph(heading);
            }
            if let Some(subtitle) = &entry.subtitle {
                docx = docx.add_paragraph(
                    Paragraph::new()
                        .keep_next(!entry.paragraphs.is_empty() || !entry.bullets.is_empty())
                        .line_spacing(LineSpacing::new().after(60))
                        .add_run(text_run(subtitle).italic().color(MUTED)),
                );
            }
            for text in &entry.paragraphs {
                docx = docx
                    .add_paragraph(Paragraph::new().line_spacing(LineSpacing::new().after(80)).add_run(text_run(text)));
            }
            for bullet in &entry.bullets {
                docx = docx.add_paragraph(
                    Paragraph::new()
                        .style("ListBullet")
                        .numbering(NumberingId::new(BULLETS), IndentLevel::new(0))
                        .line_spacing(LineSpacing::new().after(40))
                        .add_run(text_run(bullet)),
                );
            }
        }
    }
    let mut bytes = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut bytes)?;
    Ok(bytes.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resume::extract::extract_text;
    use crate::resume::outline::{Entry, Section};

    #[test]
    fn the_docx_reads_back_with_its_headings_and_bullets() {
        let outline = Outline {
            name: "Zoë Łukasiewicz".into(),
            headline: Some("Principal Engineer".into()),
            contact: vec![Contact { text: "zoe.dev".into(), link: Some("https://zoe.dev/".into()) }],
            sections: vec![Section {
                title: "Experience",
                entries: vec![Entry {
                    style: EntryStyle::Block,
                    title: "Staff Engineer".into(),
                    link: None,
                    subtitle: Some("Acme & Sons · Zürich".into()),
                    dates: Some("Mar 2019 – Present".into()),
                    paragraphs: vec!["Led the platform group.".into()],
                    bullets: vec!["Cut p99 latency by 40%".into()],
                }],
            }],
        };
        let bytes = write_docx(&outline, "2026-12-04T18:00:00Z").expect("written");
        if let Ok(dir) = std::env::var("CAREERLOG_SAMPLE_DIR") {
            std::fs::write(format!("{dir}/resume-sample.docx"), &bytes).expect("sample written");
        }
        let text = extract_text(&bytes, "resume.docx", None).expect("read back").text();
        for expected in
            ["Zoë Łukasiewicz", "Experience", "Staff Engineer", "Acme & Sons · Zürich", "Cut p99 latency by 40%"]
        {
            assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
        }
    }
}
