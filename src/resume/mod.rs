//! Resume import without AI: the text of an uploaded PDF, DOCX, plain text or Markdown file
//! (`extract`), and a deterministic parser that turns it into JSON Resume records (`parse`,
//! `json_resume`).
//!
//! Nothing here touches the database or the network: the import's review page, its table and
//! the AI parser build on these types, and `careerlog resume parse FILE` prints what they make
//! of a file.

pub mod dates;
mod docx;
pub mod extract;
pub mod json_resume;
pub mod outline;
pub mod parse;
mod pdf;
#[doc(hidden)]
pub mod sample_pdf;
mod text;
pub mod write_docx;
pub mod write_pdf;

pub use extract::{
    extract_text, extract_text_off_runtime, ExtractError, ExtractedText, SourceFormat, MAX_IMPORT_BYTES,
};
pub use json_resume::ParsedResume;
pub use parse::parse_resume;
