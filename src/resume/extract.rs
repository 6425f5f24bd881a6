//! The text of an uploaded resume, taken out of the file without trusting it.
//!
//! The real type is sniffed from the first bytes, never from the name alone. Every format has
//! its caps (input size, pages, inflated size, text size) so that a hostile file costs a
//! bounded amount of work and memory, and the whole extraction runs inside `catch_unwind`: the
//! PDF reader panics on some malformed files (INTEGRATIONS.md, "Documents").

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{docx, pdf, text};

/// The largest file an import accepts: 5 MiB. Checked before any parsing.
pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;
/// The longest document read. A resume is one to a few pages; 50 leaves room for a long CV.
pub const MAX_PAGES: usize = 50;
/// The most text kept from a file (characters). 50 dense pages hold about 250 000.
pub const MAX_TEXT_CHARS: usize = 1_000_000;
/// How long an extraction may take off the async runtime before it is abandoned.
pub const EXTRACT_TIMEOUT: Duration = Duration::from_secs(10);

/// The kind of file the text came from, as sniffed from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    Pdf,
    Docx,
    Text,
    Markdown,
    /// A JSON Resume document, read as it is (by the import, not by `extract_text`).
    Json,
}

/// One line of extracted text. `heading` is set when the file itself says the line is a heading
/// (a DOCX "Heading" style, a Markdown `#`); the parser also finds headings by their words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub text: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub heading: bool,
}

impl Line {
    pub fn plain(text: String) -> Self {
        Line { text, heading: false }
    }
}

/// The normalised text of a resume, line by line. A tab inside a line marks a column gap (a
/// right-aligned date, a tab stop).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractedText {
    pub format: SourceFormat,
    /// Pages in a PDF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<usize>,
    pub lines: Vec<Line>,
}

impl ExtractedText {
    /// Text typed or pasted by hand (also what the tests feed the parser).
    pub fn from_plain_text(text: &str) -> Self {
        ExtractedText { format: SourceFormat::Text, pages: None, lines: text::text_lines(text) }
    }

    /// The whole text, one line per line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(&line.text);
            out.push('\n');
        }
        out
    }

    fn char_count(&self) -> usize {
        self.lines.iter().map(|l| l.text.chars().count() + 1).sum()
    }
}

/// Why a file could not be read, each with a sentence for the person who uploaded it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error(
        "This file is {} MB; a resume import takes at most 5 MB. Export it again without large images, or paste the text.",
        megabytes(*bytes)
    )]
    TooLarge { bytes: usize },
    #[error(
        "This file is not a PDF: it looks like {looks_like}. Export your resume as PDF from your editor and try again."
    )]
    NotAPdf { looks_like: &'static str },
    #[error(
        "This file is not a Word document (.docx): it looks like {looks_like}. Save it as .docx or PDF and try again."
    )]
    NotADocx { looks_like: &'static str },
    #[error(
        "This file is {what}, which we cannot read. Upload a PDF, a Word document (.docx), plain text or Markdown."
    )]
    Unsupported { what: &'static str },
    #[error(
        "This PDF is password-protected (encrypted), so we cannot read its text. Export it again without a password."
    )]
    Encrypted,
    #[error("This PDF could not be read: it is damaged or incomplete ({detail}). Export it again and retry.")]
    DamagedPdf { detail: String },
    #[error("This Word document could not be read: it is damaged or incomplete ({detail}). Save it again and retry.")]
    DamagedDocx { detail: String },
    #[error(
        "A resume this long ({} pages) is more than we import; the limit is {MAX_PAGES} pages. Upload the resume alone.",
        group_thousands(*pages)
    )]
    TooManyPages { pages: usize },
    #[error(
        "This Word document unpacks to far more data than a resume holds (a \"zip bomb\"?), so we did not open it."
    )]
    Inflates,
    #[error(
        "This file holds more text than a resume import takes ({} characters at most).",
        group_thousands(MAX_TEXT_CHARS)
    )]
    TooMuchText,
    #[error(
        "We could not find any text in this file. If it is a scanned image, export a PDF with text, or paste the text."
    )]
    NoText,
    #[error("Reading this file failed on a feature our PDF reader does not handle. Export it again (for example with \"Save as PDF\") and retry.")]
    ReaderFailed,
    #[error("Reading this file took too long, so we stopped. Export it again with fewer images or pages, or paste the text.")]
    TookTooLong,
}

fn megabytes(bytes: usize) -> String {
    let tenths = (bytes as u64 * 10).div_ceil(1024 * 1024);
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// 2000 → "2 000" (a thin, unambiguous grouping in English and French alike).
pub fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// What the first bytes say a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sniffed {
    Pdf,
    Zip,
    OldOffice,
    Image(&'static str),
    Html,
    Text,
}

fn sniff(bytes: &[u8]) -> Sniffed {
    // A PDF header may follow a little junk (some generators write a BOM or a mail header).
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Sniffed::Pdf;
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Sniffed::Zip;
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Sniffed::OldOffice;
    }
    for (magic, what) in [
        (&b"\x89PNG"[..], "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"RIFF", "an image or media file"),
        (b"{\\rtf", "a rich text (RTF) document"),
    ] {
        if bytes.starts_with(magic) {
            return Sniffed::Image(what);
        }
    }
    let start = String::from_utf8_lossy(&head[..head.len().min(256)])
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_lowercase();
    if start.starts_with("<!doctype html")
        || start.starts_with("<html")
        || start.starts_with("<?xml") && start.contains("<html")
    {
        return Sniffed::Html;
    }
    Sniffed::Text
}

/// What the name or the declared media type claim the file is.
fn claimed(file_name: &str, declared_type: Option<&str>) -> Option<SourceFormat> {
    let extension = file_name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    let declared = declared_type.unwrap_or_default().split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match (extension.as_str(), declared.as_str()) {
        ("pdf", _) | (_, "application/pdf") => Some(SourceFormat::Pdf),
        ("docx", _) | (_, "application/vnd.openxmlformats-officedocument.wordprocessingml.document") => {
            Some(SourceFormat::Docx)
        }
        ("md" | "markdown", _) | (_, "text/markdown") => Some(SourceFormat::Markdown),
        ("txt" | "text", _) | (_, "text/plain") => Some(SourceFormat::Text),
        _ => None,
    }
}

fn described(sniffed: Sniffed) -> &'static str {
    match sniffed {
        Sniffed::Pdf => "a PDF",
        Sniffed::Zip => "a zip archive",
        Sniffed::OldOffice => "an old Word or Office document (.doc)",
        Sniffed::Image(what) => what,
        Sniffed::Html => "a web page (HTML)",
        Sniffed::Text => "plain text",
    }
}

/// The text of a resume file, whatever its name says. `file_name` and `declared_type` (the
/// upload's media type) only choose between Markdown and plain text, and make a mismatch a
/// clear refusal ("This file is not a PDF…"). Never panics.
pub fn extract_text(bytes: &[u8], file_name: &str, declared_type: Option<&str>) -> Result<ExtractedText, ExtractError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ExtractError::TooLarge { bytes: bytes.len() });
    }
    // The PDF reader is known to panic on some malformed files; nothing else should, but a
    // panic here must never reach the server's worker.
    let extracted = catch_unwind(AssertUnwindSafe(|| extract_unguarded(bytes, file_name, declared_type)))
        .unwrap_or(Err(ExtractError::ReaderFailed))?;
    if extracted.char_count() > MAX_TEXT_CHARS {
        return Err(ExtractError::TooMuchText);
    }
    if !extracted.lines.iter().any(|line| line.text.chars().any(char::is_alphanumeric)) {
        return Err(ExtractError::NoText);
    }
    Ok(extracted)
}

fn extract_unguarded(
    bytes: &[u8],
    file_name: &str,
    declared_type: Option<&str>,
) -> Result<ExtractedText, ExtractError> {
    let sniffed = sniff(bytes);
    let claim = claimed(file_name, declared_type);
    match (sniffed, claim) {
        (Sniffed::Pdf, _) => pdf::extract(bytes),
        (Sniffed::Zip, _) => docx::extract(bytes),
        (other, Some(SourceFormat::Pdf)) => Err(ExtractError::NotAPdf { looks_like: described(other) }),
        (other, Some(SourceFormat::Docx)) => Err(ExtractError::NotADocx { looks_like: described(other) }),
        (Sniffed::OldOffice | Sniffed::Image(_) | Sniffed::Html, _) => {
            Err(ExtractError::Unsupported { what: described(sniffed) })
        }
        (Sniffed::Text, claim) => {
            let text = text::decode_text(bytes)?;
            let markdown = claim == Some(SourceFormat::Markdown) || claim.is_none() && text::looks_like_markdown(text);
            Ok(if markdown {
                ExtractedText { format: SourceFormat::Markdown, pages: None, lines: text::markdown_lines(text) }
            } else {
                ExtractedText { format: SourceFormat::Text, pages: None, lines: text::text_lines(text) }
            })
        }
    }
}

/// [`extract_text`] on a blocking thread, abandoned after [`EXTRACT_TIMEOUT`].
///
/// A thread cannot be stopped from outside: a timed-out extraction runs on until it ends, but
/// its work is bounded by the caps (5 MB in, 50 pages, inflated size, text size), so it ends.
pub async fn extract_text_off_runtime(
    bytes: bytes::Bytes,
    file_name: String,
    declared: Option<String>,
) -> Result<ExtractedText, ExtractError> {
    extract_text_off_runtime_within(bytes, file_name, declared, EXTRACT_TIMEOUT).await
}

pub(crate) async fn extract_text_off_runtime_within(
    bytes: bytes::Bytes,
    file_name: String,
    declared: Option<String>,
    limit: Duration,
) -> Result<ExtractedText, ExtractError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ExtractError::TooLarge { bytes: bytes.len() });
    }
    let task = tokio::task::spawn_blocking(move || extract_text(&bytes, &file_name, declared.as_deref()));
    match tokio::time::timeout(limit, task).await {
        Ok(Ok(result)) => result,
        // The task panicked past catch_unwind (it cannot) or the runtime is shutting down.
        Ok(Err(_)) => Err(ExtractError::ReaderFailed),
        Err(_) => Err(ExtractError::TookTooLong),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use proptest::prelude::*;

    use super::*;
    use crate::resume::sample_pdf::text_pdf;
    use crate::testing::proptest_config;

    fn lines(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| t.to_string()).collect()
    }

    fn docx_with(document_xml: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut out));
            let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            zip.start_file("[Content_Types].xml", options).unwrap();
            zip.write_all(b"<Types/>").unwrap();
            zip.start_file("word/document.xml", options).unwrap();
            zip.write_all(document_xml).unwrap();
            zip.finish().unwrap();
        }
        out
    }

    #[test]
    fn a_file_one_byte_over_5_mb_is_refused_before_any_parsing() {
        let mut bytes = vec![b'a'; MAX_IMPORT_BYTES + 1];
        bytes[..5].copy_from_slice(b"%PDF-");
        let err = extract_text(&bytes, "resume.pdf", Some("application/pdf")).unwrap_err();
        assert_eq!(err, ExtractError::TooLarge { bytes: MAX_IMPORT_BYTES + 1 });
        assert!(err.to_string().contains("at most 5 MB"), "{err}");
        // Exactly 5 MB passes the size check (and is then judged on its content).
        let at_limit = extract_text(&bytes[..MAX_IMPORT_BYTES], "resume.pdf", None).unwrap_err();
        assert!(!matches!(at_limit, ExtractError::TooLarge { .. }), "{at_limit:?}");
    }

    #[test]
    fn a_web_page_named_pdf_is_refused_as_not_a_pdf() {
        let html = b"<!DOCTYPE html><html><body><h1>Jane Doe</h1></body></html>";
        let err = extract_text(html, "resume.pdf", None).unwrap_err();
        assert_eq!(err, ExtractError::NotAPdf { looks_like: "a web page (HTML)" });
        assert!(err.to_string().starts_with("This file is not a PDF"), "{err}");
        let err = extract_text(html, "resume.html", Some("text/html")).unwrap_err();
        assert!(matches!(err, ExtractError::Unsupported { .. }));
    }

    #[test]
    fn a_docx_zip_bomb_is_refused_before_unpacking() {
        // 300 MB of zeros deflate to about 300 KB: a ratio no real document has.
        let mut xml = b"<w:document><w:body><w:p><w:r><w:t>".to_vec();
        xml.resize(300 * 1024 * 1024, b'0');
        let bomb = docx_with(&xml);
        assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
        assert_eq!(extract_text(&bomb, "cv.docx", None).unwrap_err(), ExtractError::Inflates);
    }

    #[test]
    fn a_docx_whose_declared_sizes_lie_is_stopped_while_inflating() {
        let mut xml = b"<w:document><w:body><w:p><w:r><w:t>".to_vec();
        xml.resize(40 * 1024 * 1024, b' ');
        let mut bomb = docx_with(&xml);
        // Rewrite the declared uncompressed size of every entry (local headers and central
        // directory) to 1 KB, as a hostile archive would.
        let real = (xml.len() as u32).to_le_bytes();
        let mut i = 0;
        while i + 4 <= bomb.len() {
            if bomb[i..i + 4] == real {
                bomb[i..i + 4].copy_from_slice(&1024u32.to_le_bytes());
            }
            i += 1;
        }
        let err = extract_text(&bomb, "cv.docx", None).unwrap_err();
        assert!(matches!(err, ExtractError::Inflates | ExtractError::DamagedDocx { .. }), "{err:?}");
    }

    #[test]
    fn an_encrypted_pdf_is_refused_with_a_message() {
        let encrypted = include_bytes!("../../tests/resumes/hostile/encrypted.pdf");
        let err = extract_text(encrypted, "cv.pdf", None).unwrap_err();
        assert_eq!(err, ExtractError::Encrypted);
        assert!(err.to_string().contains("password"), "{err}");
    }

    #[test]
    fn a_pdf_of_2000_pages_is_refused() {
        let pages: Vec<Vec<String>> = (0..2000).map(|i| vec![format!("Page {i}")]).collect();
        let err = extract_text(&text_pdf(&pages, 0), "cv.pdf", None).unwrap_err();
        assert_eq!(err, ExtractError::TooManyPages { pages: 2000 });
        assert!(err.to_string().starts_with("A resume this long (2 000 pages)"), "{err}");
    }

    #[test]
    fn files_without_text_are_refused_as_empty() {
        let blank_page = text_pdf(&[Vec::new()], 0);
        for (bytes, name) in [
            (blank_page, "cv.pdf"),
            (docx_with(b"<w:document><w:body><w:p/></w:body></w:document>"), "cv.docx"),
            (b"  \n\t\r\n  ".to_vec(), "cv.txt"),
            (Vec::new(), "cv.txt"),
        ] {
            let err = extract_text(&bytes, name, None).unwrap_err();
            assert_eq!(err, ExtractError::NoText, "{name}");
            assert!(err.to_string().starts_with("We could not find any text in this file"));
        }
    }

    #[test]
    fn random_bytes_and_a_truncated_pdf_get_clear_errors() {
        let noise: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        assert!(matches!(extract_text(&noise, "cv.bin", None), Err(ExtractError::Unsupported { .. })));
        let pdf = text_pdf(&[lines(&["Jane Doe", "Engineer"])], 0);
        let truncated = &pdf[..pdf.len() / 2];
        let err = extract_text(truncated, "cv.pdf", None).unwrap_err();
        assert!(
            matches!(err, ExtractError::DamagedPdf { .. } | ExtractError::NoText | ExtractError::ReaderFailed),
            "{err:?}"
        );
        let mut zip = docx_with(b"<w:document/>");
        zip.truncate(zip.len() - 30);
        assert!(matches!(extract_text(&zip, "cv.docx", None), Err(ExtractError::DamagedDocx { .. })));
    }

    #[test]
    fn a_generated_pdf_reads_back_line_by_line() {
        let pdf = text_pdf(&[lines(&["Jane Doe", "EXPERIENCE", "Engineer at Acme (2019 - 2021)"])], 0);
        let text = extract_text(&pdf, "cv.pdf", None).unwrap();
        assert_eq!(text.format, SourceFormat::Pdf);
        assert_eq!(text.pages, Some(1));
        let read: Vec<&str> = text.lines.iter().map(|l| l.text.as_str()).filter(|t| !t.is_empty()).collect();
        assert_eq!(read, vec!["Jane Doe", "EXPERIENCE", "Engineer at Acme (2019 - 2021)"]);
    }

    #[tokio::test]
    async fn the_async_wrapper_runs_off_the_runtime_and_gives_up_after_its_time() {
        let text =
            extract_text_off_runtime(bytes::Bytes::from_static(b"Jane Doe\nEngineer\n"), "cv.txt".into(), None).await;
        assert_eq!(text.unwrap().lines.len(), 2);
        let pages: Vec<Vec<String>> = (0..50).map(|i| vec![format!("Page {i}"); 40]).collect();
        let slow = bytes::Bytes::from(text_pdf(&pages, 0));
        let err = extract_text_off_runtime_within(slow, "cv.pdf".into(), None, Duration::from_nanos(1)).await;
        assert_eq!(err.unwrap_err(), ExtractError::TookTooLong);
    }

    proptest! {
        #![proptest_config(proptest_config(64))]

        /// Any bytes, under any name: an answer, never a panic, and the parser takes any text.
        #[test]
        fn any_bytes_get_an_answer_and_any_text_parses(
            bytes in prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..2048),
                proptest::collection::vec(any::<u8>(), 0..512).prop_map(|mut b| { b.splice(0..0, b"%PDF-1.4\n".iter().copied()); b }),
                proptest::collection::vec(any::<u8>(), 0..512).prop_map(|mut b| { b.splice(0..0, b"PK\x03\x04".iter().copied()); b }),
                crate::testing::awkward_text(400).prop_map(String::into_bytes),
            ],
            name in prop_oneof![Just("cv.pdf"), Just("cv.docx"), Just("cv.md"), Just("cv.txt"), Just("cv")],
        ) {
            if let Ok(text) = extract_text(&bytes, name, None) {
                let _ = crate::resume::parse_resume(&text);
            }
            let _ = crate::resume::parse_resume(&ExtractedText::from_plain_text(&String::from_utf8_lossy(&bytes)));
        }
    }
}
