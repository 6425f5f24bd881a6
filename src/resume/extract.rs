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
fn group_thousands(n: usize) -> String {
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
