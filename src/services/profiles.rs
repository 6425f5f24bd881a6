//! The profile: its fields and switches, and its photo.

use bytes::Bytes;

use crate::db::profiles::{self, Profile};
use crate::db::uploads;
use crate::domain::profile::{ProfileDraft, ProfileWrite};
use crate::domain::UserId;
use crate::services::error::rejected_write;
use crate::services::images::{ImageError, ImagePurpose};
use crate::services::uploads::{remove_files_soon, store_image, NewImage};
use crate::services::{Handles, ServiceError, ServiceResult};

/// The profile as its form shows it.
pub fn draft_of(profile: &Profile) -> ProfileDraft {
    ProfileDraft {
        username: profile.username.clone().unwrap_or_default(),
        display_name: profile.display_name.clone(),
        job_title: profile.job_title.clone(),
        region: profile.region.clone(),
        bio: profile.bio.clone(),
        photo_public: profile.photo_public.get(),
        resume_public: profile.resume_public.get(),
        journal_public: profile.journal_public.get(),
        allow_indexing: profile.allow_indexing.get(),
        email: profile.email.clone(),
        email_public: profile.email_public.get(),
        phone: profile.phone.clone(),
        phone_public: profile.phone_public.get(),
        url: profile.url.clone(),
        url_public: profile.url_public.get(),
        profiles: profile.profiles.0.clone(),
        languages: profile.languages.0.clone(),
    }
}

/// Validate and keep the profile; a taken username is the user's to fix.
pub async fn save(handles: &Handles, user_id: &UserId, draft: &ProfileDraft) -> ServiceResult<()> {
    let input = draft.validate().map_err(ServiceError::Invalid)?;
    let mut tx = handles.db.begin_write().await?;
    profiles::save(&mut tx, user_id, &input, handles.clock.now())
        .await
        .map_err(|err| rejected_write(err, Some(("username", "This username is taken. Choose another one.".into()))))?;
    tx.commit().await?;
    Ok(())
}

/// Change only the fields an API body names.
pub async fn patch(handles: &Handles, user_id: &UserId, write: ProfileWrite) -> ServiceResult<Profile> {
    let mut draft = draft_of(&profiles::get(handles.db.pool(), user_id).await?);
    draft.apply(write);
    save(handles, user_id, &draft).await?;
    Ok(profiles::get(handles.db.pool(), user_id).await?)
}

/// Take a new photo in: checked, re-encoded, cropped square, then shown on the profile in place
/// of the last one. `Ok(Err(_))` is the user's mistake.
pub async fn store_photo(
    handles: &Handles,
    user_id: &UserId,
    original_name: &str,
    bytes: Bytes,
) -> ServiceResult<Result<(), ImageError>> {
    let new = NewImage {
        user_id,
        purpose: ImagePurpose::ProfilePhoto,
        journal_entry_id: None,
        original_name,
        alt_text: String::new(),
    };
    let upload = match store_image(handles, new, bytes).await? {
        Ok(upload) => upload,
        Err(err) => return Ok(Err(err)),
    };
    replace_photo(handles, user_id, Some(&upload.id)).await?;
    Ok(Ok(()))
}

/// Point the profile at `upload_id` (or none) and let the previous photo go.
pub async fn replace_photo(handles: &Handles, user_id: &UserId, upload_id: Option<&str>) -> ServiceResult<()> {
    let now = handles.clock.now();
    let mut tx = handles.db.begin_write().await?;
    let previous = profiles::set_photo(&mut tx, user_id, upload_id, now).await?;
    let mut queued = Vec::new();
    if let Some(previous) = previous.filter(|p| Some(p.as_str()) != upload_id) {
        queued.extend(uploads::delete_one(&mut tx, user_id, &previous, now).await?);
    }
    tx.commit().await?;
    remove_files_soon(handles, queued);
    Ok(())
}
