//! A journal entry's images: at most [`uploads::IMAGES_PER_ENTRY_MAX`] per entry, removed with
//! their files. An image pasted into an entry not yet saved waits as a draft for a day: the
//! entry takes it when it is saved with a link to it (see [`image_ids_in`]).

use bytes::Bytes;

use crate::db::uploads::{self, ImageRef};
use crate::domain::UserId;
use crate::services::images::{ImageError, ImagePurpose};
use crate::services::records::{self, kinds::Journal};
use crate::services::uploads::{remove_files_soon, store_image, NewImage};
use crate::services::{Handles, ServiceError, ServiceResult};

/// Why an image was not added, in words for the user.
#[derive(Debug)]
pub enum ImageRefused {
    /// The entry has as many images as it may.
    Full(String),
    /// Not an image we take, or too large.
    Image(ImageError),
}

/// Check that the entry is the user's and can take another image, then store the image.
pub async fn add_image(
    handles: &Handles,
    user_id: &UserId,
    entry_id: &str,
    original_name: &str,
    alt_text: String,
    bytes: Bytes,
) -> ServiceResult<Result<ImageRef, ImageRefused>> {
    records::require::<Journal>(&handles.db, user_id, entry_id).await?;
    if uploads::count_for_entry(handles.db.pool(), user_id, entry_id).await? >= uploads::IMAGES_PER_ENTRY_MAX {
        let message = format!("An entry can have at most {} images.", uploads::IMAGES_PER_ENTRY_MAX);
        return Ok(Err(ImageRefused::Full(message)));
    }
    let new = NewImage {
        user_id,
        purpose: ImagePurpose::JournalImage,
        journal_entry_id: Some(entry_id),
        original_name,
        alt_text,
    };
    Ok(store_image(handles, new, bytes).await?.map(ImageRef::from).map_err(ImageRefused::Image))
}

/// How long a draft image waits for its entry to be saved.
pub const DRAFT_IMAGE_LIFETIME: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Store an image for an entry that does not exist yet (the new-entry form's paste and drop).
pub async fn add_draft_image(
    handles: &Handles,
    user_id: &UserId,
    original_name: &str,
    alt_text: String,
    bytes: Bytes,
) -> ServiceResult<Result<ImageRef, ImageRefused>> {
    if uploads::count_drafts(handles.db.pool(), user_id).await? >= uploads::DRAFT_IMAGES_MAX {
        let message = format!(
            "{} images are waiting for their entry to be saved, the most there can be. Save the entry first.",
            uploads::DRAFT_IMAGES_MAX
        );
        return Ok(Err(ImageRefused::Full(message)));
    }
    let new =
        NewImage { user_id, purpose: ImagePurpose::JournalImage, journal_entry_id: None, original_name, alt_text };
    Ok(store_image(handles, new, bytes).await?.map(ImageRef::from).map_err(ImageRefused::Image))
}

/// The ids of the uploaded files a text links to (`/files/<id>`), each once, in order.
pub fn image_ids_in(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for (at, _) in text.match_indices("/files/") {
        let rest = &text[at + "/files/".len()..];
        let candidate: String = rest.chars().take_while(|c| c.is_ascii_hexdigit() || *c == '-').collect();
        if uuid::Uuid::try_parse(&candidate).is_ok() && !ids.contains(&candidate) {
            ids.push(candidate);
        }
    }
    ids
}

/// Remove one of an entry's images and its file.
pub async fn delete_image(handles: &Handles, user_id: &UserId, entry_id: &str, image_id: &str) -> ServiceResult<()> {
    let entry = records::get::<Journal>(&handles.db, user_id, entry_id).await?;
    if !entry.images.iter().any(|i| i.id == image_id) {
        return Err(ServiceError::NotFound);
    }
    let mut tx = handles.db.begin_write().await?;
    let key = uploads::delete_one(&mut tx, user_id, image_id, handles.clock.now()).await?;
    tx.commit().await?;
    remove_files_soon(handles, key.into_iter().collect());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::image_ids_in;

    #[test]
    fn an_entry_claims_the_images_its_text_links_to() {
        let a = "0b9d7a43-6c55-4b1e-8d7b-3f1f1c1e2a10";
        let b = "6f1d2c3b-4a59-4e8f-9a0b-1c2d3e4f5a6b";
        let text = format!(
            "![]( /files/{a})\n![chart](https://example.com/files/{b}) again ![](/files/{a}) \
             /files/not-an-id /files/{}",
            &b[..20]
        );
        assert_eq!(image_ids_in(&text), vec![a.to_owned(), b.to_owned()]);
        assert!(image_ids_in("").is_empty());
        assert!(image_ids_in("/files/").is_empty());
    }
}
