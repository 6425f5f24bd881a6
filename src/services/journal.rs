//! A journal entry's images: added after the entry is saved, at most
//! [`uploads::IMAGES_PER_ENTRY_MAX`] per entry, removed with their files.

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
