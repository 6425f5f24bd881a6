//! Uploaded files: reading an upload form, and serving files to those allowed to see them.
//!
//! A file is private to its owner unless the record it belongs to is public (a public journal
//! entry, a profile photo marked for public pages). To anyone else it does not exist (404).
//! Files are served with a type from our allow-list, `nosniff`, a sandboxing CSP and a safe
//! file name, and are never cached by shared caches, so making a record private again takes
//! effect at once.

use axum::extract::{Multipart, Path, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use crate::db::{profiles, uploads};
use crate::services::images;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::session::Visitor;

/// An upload form's content.
pub struct UploadForm {
    pub bytes: Option<Bytes>,
    /// The file was over the size limit (and was not kept); the other fields are still here.
    pub too_large: bool,
    /// How many bytes of the file arrived before it was found too large (at least the limit + 1).
    pub received: usize,
    pub file_name: String,
    /// The type the browser declared for the file, if any.
    pub content_type: Option<String>,
    pub alt_text: String,
    /// The form's other fields, each cut to [`TEXT_FIELD_MAX`] characters.
    pub texts: Vec<(String, String)>,
}

/// The longest other text field an upload form keeps (a choice, a caption).
pub const TEXT_FIELD_MAX: usize = 1000;

/// Extra room over the file-size limit for the rest of a multipart body.
pub const MULTIPART_OVERHEAD: usize = 64 * 1024;

pub fn too_large_message(max_bytes: usize) -> String {
    format!("This file is too large: the limit is {}.", human_size(max_bytes))
}

pub use crate::services::images::human_size;

impl UploadForm {
    /// The file, or why it cannot be taken: a status and a sentence for beside the field.
    pub fn file(&self, max_bytes: usize, missing: &str) -> Result<Bytes, (StatusCode, String)> {
        if self.too_large {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, too_large_message(max_bytes)));
        }
        self.bytes.clone().ok_or_else(|| (StatusCode::UNPROCESSABLE_ENTITY, missing.to_owned()))
    }
}

/// An image that was refused, as a status and a sentence for beside the field.
pub fn image_problem(err: images::ImageError) -> (StatusCode, String) {
    let status = match err {
        images::ImageError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    (status, err.to_string())
}

/// Read a multipart form with one file field (`file_field`) and an optional `alt_text`, the
/// file at most the instance's upload limit.
pub async fn read_upload(state: &AppState, multipart: Multipart, file_field: &str) -> AppResult<UploadForm> {
    read_upload_within(multipart, file_field, state.config.uploads.max_bytes).await
}

/// [`read_upload`] with a limit of the caller's (a resume import takes 5 MB).
pub async fn read_upload_within(mut multipart: Multipart, file_field: &str, max: usize) -> AppResult<UploadForm> {
    let mut form = UploadForm {
        bytes: None,
        too_large: false,
        received: 0,
        file_name: String::new(),
        content_type: None,
        alt_text: String::new(),
        texts: Vec::new(),
    };
    let unreadable = |err: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(format!("The upload could not be read: {}", err.body_text()))
    };
    let over = |form: &mut UploadForm, received: usize| {
        form.too_large = true;
        form.received = received.max(max + 1);
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                over(&mut form, 0);
                break;
            }
            Err(err) => return Err(unreadable(err)),
        };
        match field.name() {
            Some(name) if name == file_field => {
                form.file_name = field.file_name().unwrap_or_default().to_owned();
                form.content_type = field.content_type().map(str::to_owned);
                match field.bytes().await {
                    Ok(bytes) if bytes.len() > max => over(&mut form, bytes.len()),
                    Ok(bytes) => form.bytes = (!bytes.is_empty()).then_some(bytes),
                    Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => over(&mut form, 0),
                    Err(err) => return Err(unreadable(err)),
                }
                if form.too_large {
                    break;
                }
            }
            Some("alt_text") => {
                let text = field.text().await.map_err(unreadable)?;
                form.alt_text = alt_text(&text);
            }
            Some(name) => {
                let name = name.to_owned();
                let text = field.text().await.map_err(unreadable)?;
                form.texts.push((name, text.chars().take(TEXT_FIELD_MAX).collect()));
            }
            None => {}
        }
    }
    Ok(form)
}

impl UploadForm {
    /// A text field's value, if the form sent it.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.texts.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// An image's description as it is kept: one line (line breaks and other control characters
/// become spaces, which PostgreSQL needs for a NUL), at most 1000 characters.
fn alt_text(typed: &str) -> String {
    typed.chars().map(|c| if c.is_control() { ' ' } else { c }).take(1000).collect()
}

/// `GET /files/{id}`: the file, to those allowed to see it.
pub async fn serve(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    crate::web::records::valid_id(&id)?;
    let upload = uploads::find(state.db.pool(), &id).await?.ok_or(AppError::NotFound)?;
    let is_owner = visitor.user().is_some_and(|u| u.id == upload.user_id);
    let visible = is_owner
        || match upload.purpose.as_str() {
            uploads::PURPOSE_JOURNAL_IMAGE => match &upload.journal_entry_id {
                Some(entry) => uploads::entry_is_public(state.db.pool(), entry).await?,
                None => false,
            },
            uploads::PURPOSE_PROFILE_PHOTO => profiles::photo_is_public(state.db.pool(), &upload.id).await?,
            _ => false,
        };
    if !visible {
        return Err(AppError::NotFound);
    }
    // The id names immutable bytes; revalidation still re-checks who may see them.
    let etag = format!("\"{}\"", upload.id);
    let mut response = if headers.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let bytes = state.files.get(&upload.storage_key).await?.ok_or(AppError::NotFound)?;
        bytes.into_response()
    };
    let content_type = if images::is_served_type(&upload.content_type) {
        upload.content_type.as_str()
    } else {
        "application/octet-stream"
    };
    let disposition = if content_type == "application/octet-stream" { "attachment" } else { "inline" };
    let file_name = crate::services::uploads::safe_file_name(&upload.original_name);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).map_err(|e| AppError::Internal(e.into()))?);
    headers.insert(
        CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("{disposition}; filename=\"{file_name}\""))
            .map_err(|e| AppError::Internal(e.into()))?,
    );
    headers.insert(ETAG, HeaderValue::from_str(&etag).map_err(|e| AppError::Internal(e.into()))?);
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    headers.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    // Even if a browser were talked into rendering the file as a document, it could run nothing.
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_alt_text_is_one_line_of_at_most_1000_characters() {
        assert_eq!(super::alt_text("The team\r\nat the\u{0}launch"), "The team  at the launch");
        assert_eq!(super::alt_text(&"é".repeat(1200)).chars().count(), 1000);
    }
}
