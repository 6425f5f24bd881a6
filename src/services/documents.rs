//! Files attached to an opportunity (issue 19, item 4): a resume sent, a cover letter, an offer
//! letter. What a file is comes from its content, never from its name or the type the browser
//! claims; only PDF, Word (.docx), OpenDocument text (.odt), plain text, PNG and JPEG are kept.
//! Files go to the upload store like every upload, so the export and the account's deletion
//! take them too; deleting the opportunity or the document queues the file's removal.

use std::io::{Cursor, Read};

use bytes::Bytes;

use crate::db::uploads::{self, Document};
use crate::domain::offers::DocumentForm;
use crate::domain::{FieldErrors, UserId};
use crate::services::records::{self, kinds::Opportunities};
use crate::services::uploads::{remove_files_soon, safe_file_name_or};
use crate::services::{Handles, ServiceError, ServiceResult};

/// The largest document kept (the instance's upload limit applies too, when it is lower).
pub const DOCUMENT_MAX_BYTES: usize = 10 * 1024 * 1024;

/// What a document's content was found to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentType {
    pub content_type: &'static str,
    /// The extension its stored file gets, and the download's name when it has none of these.
    pub extensions: &'static [&'static str],
}

const PDF: DocumentType = DocumentType { content_type: "application/pdf", extensions: &["pdf"] };
const DOCX: DocumentType = DocumentType {
    content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    extensions: &["docx"],
};
const ODT: DocumentType =
    DocumentType { content_type: "application/vnd.oasis.opendocument.text", extensions: &["odt"] };
const TEXT: DocumentType =
    DocumentType { content_type: "text/plain; charset=utf-8", extensions: &["txt", "text", "md", "csv"] };
const PNG: DocumentType = DocumentType { content_type: "image/png", extensions: &["png"] };
const JPEG: DocumentType = DocumentType { content_type: "image/jpeg", extensions: &["jpg", "jpeg"] };

/// Every type a document may be, for checks that a stored type is one of ours.
pub const DOCUMENT_TYPES: [DocumentType; 6] = [PDF, DOCX, ODT, TEXT, PNG, JPEG];

const ALLOWED: &str = "a PDF, Word (.docx), OpenDocument (.odt), plain text, PNG or JPEG file";

/// What a file is, by its content; a sentence for beside the field when it is none of ours.
pub fn sniff(bytes: &[u8]) -> Result<DocumentType, String> {
    if bytes.is_empty() {
        return Err("This file is empty.".into());
    }
    if bytes.starts_with(b"%PDF-") {
        return Ok(PDF);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(PNG);
    }
    if bytes.starts_with(b"\xFF\xD8\xFF") {
        return Ok(JPEG);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return office_document(bytes);
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Err(format!(
            "This is an old Word or Office document (.doc); save it as .docx or PDF. Upload {ALLOWED}."
        ));
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(text) else {
        return Err(format!("This file is not {ALLOWED}."));
    };
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')) {
        return Err(format!("This file is not {ALLOWED}."));
    }
    let start: String = text.trim_start().chars().take(64).collect::<String>().to_ascii_lowercase();
    if ["<!doctype", "<html", "<svg", "<?xml", "<script"].iter().any(|markup| start.starts_with(markup)) {
        return Err(format!("This is a web page or markup, not {ALLOWED}."));
    }
    Ok(TEXT)
}

/// A zip is a document when it is a Word document (`word/document.xml`) or an OpenDocument text
/// (its `mimetype` entry says so). Only the archive's directory and that one tiny entry are read.
fn office_document(bytes: &[u8]) -> Result<DocumentType, String> {
    let not_one = || format!("This is a zip archive, not {ALLOWED}.");
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Err(not_one()) };
    if archive.index_for_name("word/document.xml").is_some() {
        return Ok(DOCX);
    }
    let Ok(entry) = archive.by_name("mimetype") else { return Err(not_one()) };
    if entry.size() > 100 {
        return Err(not_one());
    }
    let mut mimetype = String::new();
    if entry.take(100).read_to_string(&mut mimetype).is_err() {
        return Err(not_one());
    }
    if mimetype.trim() == ODT.content_type {
        Ok(ODT)
    } else {
        Err(format!("This OpenDocument file is not a text document; upload {ALLOWED}."))
    }
}

/// The name a document is downloaded under: the uploaded name made safe, with the extension of
/// what it really is when it has none of those.
pub fn download_name(uploaded: &str, found: DocumentType) -> String {
    let name = safe_file_name_or(uploaded, "document");
    let lower = name.to_ascii_lowercase();
    if found.extensions.iter().any(|ext| lower.ends_with(&format!(".{ext}"))) {
        name
    } else {
        let name: String = name.chars().take(75).collect();
        format!("{name}.{}", found.extensions[0])
    }
}

/// A document to attach: the file and the fields that came with it.
pub struct NewDocument<'a> {
    pub opportunity_id: &'a str,
    pub form: &'a DocumentForm,
    pub file_name: &'a str,
    /// The file; `None` when none was chosen.
    pub bytes: Option<Bytes>,
    /// The file was over the limit (it was not kept).
    pub too_large: bool,
}

/// The limit a document is held to on this instance.
pub fn max_bytes(handles: &Handles) -> usize {
    DOCUMENT_MAX_BYTES.min(handles.limits.upload_max_bytes)
}

/// Check and store a document on one of the user's opportunities. What the user must fix (the
/// file's size or type, the kind, the note) is [`ServiceError::Invalid`]; nothing is stored then.
pub async fn attach(handles: &Handles, user_id: &UserId, new: NewDocument<'_>) -> ServiceResult<Document> {
    records::require::<Opportunities>(&handles.db, user_id, new.opportunity_id).await?;
    let max = max_bytes(handles);
    let mut errors = FieldErrors::new();
    let fields = new.form.validate();
    if let Err(field_errors) = &fields {
        errors.overlay(field_errors.clone());
    }
    let found = match (new.too_large, &new.bytes) {
        (true, _) => {
            errors.add(
                "file",
                format!("This file is too large: the limit is {}.", crate::domain::fields::human_size(max)),
            );
            None
        }
        (false, None) => {
            errors.add("file", "Choose a file to attach.");
            None
        }
        (false, Some(bytes)) if bytes.len() > max => {
            errors.add(
                "file",
                format!("This file is too large: the limit is {}.", crate::domain::fields::human_size(max)),
            );
            None
        }
        (false, Some(bytes)) => {
            // Reading a zip's directory of a large file is work best kept off the runtime.
            let content = bytes.clone();
            match tokio::task::spawn_blocking(move || sniff(&content))
                .await
                .map_err(|e| ServiceError::Internal(anyhow::anyhow!("document check failed: {e}")))?
            {
                Ok(found) => Some(found),
                Err(message) => {
                    errors.add("file", message);
                    None
                }
            }
        }
    };
    let count = uploads::count_documents(handles.db.pool(), user_id, new.opportunity_id).await?;
    if count >= uploads::DOCUMENTS_PER_OPPORTUNITY_MAX {
        errors.add(
            "file",
            format!("An opportunity holds at most {} files: delete one first.", uploads::DOCUMENTS_PER_OPPORTUNITY_MAX),
        );
    }
    let (Ok((kind, note)), Some(found), Some(bytes), true) = (fields, found, new.bytes, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let id = crate::db::new_id();
    let document = Document {
        storage_key: format!("u/{user_id}/{id}.{}", found.extensions[0]),
        id,
        opportunity_id: new.opportunity_id.to_owned(),
        kind,
        note,
        file_name: download_name(new.file_name, found),
        content_type: found.content_type.to_owned(),
        byte_size: bytes.len() as i64,
        created_at: handles.clock.now(),
    };
    // Should the row never be written, housekeeping removes the file after an hour.
    let unclaimed_after = document.created_at.plus(std::time::Duration::from_secs(3600));
    uploads::expect_file(handles.db.pool(), &document.storage_key, unclaimed_after).await?;
    handles.files.put(&document.storage_key, bytes, found.content_type).await?;
    let mut tx = handles.db.begin_write().await?;
    // Counted again while the opportunity is held: uploads at the same moment could each have
    // found room for one more above.
    let held = crate::db::opportunities::hold(&mut tx, user_id, new.opportunity_id).await?;
    let full = held
        && uploads::count_documents(&mut *tx, user_id, new.opportunity_id).await?
            >= uploads::DOCUMENTS_PER_OPPORTUNITY_MAX;
    if !held || full {
        drop(tx);
        remove_files_soon(handles, vec![document.storage_key]);
        // Deleted while the file was being stored.
        if !held {
            return Err(ServiceError::NotFound);
        }
        let message =
            format!("An opportunity holds at most {} files: delete one first.", uploads::DOCUMENTS_PER_OPPORTUNITY_MAX);
        return Err(ServiceError::field("file", message));
    }
    // Held, the opportunity cannot go before the row is written.
    uploads::insert_document(&mut tx, user_id, &document).await?;
    tx.commit().await?;
    Ok(document)
}

/// Remove one of an opportunity's documents and its file.
pub async fn delete(handles: &Handles, user_id: &UserId, opportunity_id: &str, id: &str) -> ServiceResult<()> {
    records::valid_id(opportunity_id)?;
    records::valid_id(id)?;
    let mut tx = handles.db.begin_write().await?;
    if uploads::find_document(&mut *tx, user_id, opportunity_id, id).await?.is_none() {
        return Err(ServiceError::NotFound);
    }
    let key = uploads::delete_one(&mut tx, user_id, id, handles.clock.now()).await?;
    tx.commit().await?;
    remove_files_soon(handles, key.into_iter().collect());
    Ok(())
}

/// One of the user's documents and its bytes, for a download.
pub async fn download(
    handles: &Handles,
    user_id: &UserId,
    opportunity_id: &str,
    id: &str,
) -> ServiceResult<(Document, Bytes)> {
    records::valid_id(opportunity_id)?;
    records::valid_id(id)?;
    let document =
        uploads::find_document(handles.db.pool(), user_id, opportunity_id, id).await?.ok_or(ServiceError::NotFound)?;
    let bytes = handles.files.get(&document.storage_key).await?.ok_or(ServiceError::NotFound)?;
    Ok((document, bytes))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for (name, content) in entries {
            zip.start_file(*name, stored).unwrap();
            zip.write_all(content).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_document_is_what_its_content_says() {
        assert_eq!(sniff(b"%PDF-1.7\n...").unwrap(), PDF);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....").unwrap(), PNG);
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0....").unwrap(), JPEG);
        assert_eq!(sniff("Dear hiring team,\r\n\tThank you — très bien.\n".as_bytes()).unwrap(), TEXT);
        let docx = zip_with(&[("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")]);
        assert_eq!(sniff(&docx).unwrap(), DOCX);
        let odt = zip_with(&[("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<x/>")]);
        assert_eq!(sniff(&odt).unwrap(), ODT);
        let ods = zip_with(&[("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")]);
        assert!(sniff(&ods).is_err());
        assert!(sniff(&zip_with(&[("evil.exe", b"MZ")])).unwrap_err().contains("zip archive"));
        assert!(sniff(b"<!DOCTYPE html><script>alert(1)</script>").unwrap_err().contains("web page"));
        assert!(sniff(br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#).is_err());
        assert!(sniff(b"MZ\x90\x00\x03\x00\x00\x00").is_err(), "a program is not text");
        assert!(sniff(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1").unwrap_err().contains(".doc"));
        assert!(sniff(b"PK\x03\x04 broken").is_err());
        assert!(sniff(b"").is_err());
    }

    #[test]
    fn a_download_is_named_safely_after_what_it_is() {
        assert_eq!(download_name("CV 2026.pdf", PDF), "CV_2026.pdf");
        assert_eq!(download_name("../../offer", PDF), "offer.pdf");
        assert_eq!(download_name("photo.JPEG", JPEG), "photo.JPEG");
        assert_eq!(download_name("letter.exe", TEXT), "letter.exe.txt");
        assert_eq!(download_name("", DOCX), "document.docx");
        assert_eq!(download_name(&"a".repeat(200), ODT).len(), 79);
    }
}
